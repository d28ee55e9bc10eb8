//! The console frame: sidebar navigation, top bar with the user menu, page headers and cards.

use crate::api::auth::{Logout, current_user};
use crate::components::form::PostForm;
use crate::domain::user::{Role, UserRef};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_location;

struct NavItem {
    href: &'static str,
    /// Other paths that belong to this area.
    also: &'static [&'static str],
    label: &'static str,
    icon: &'static str,
    role: Role,
}

struct NavSection {
    title: &'static str,
    items: &'static [NavItem],
}

/// The areas that exist, in SPEC order; each shows only to roles that may use it.
const NAV: &[NavSection] = &[
    NavSection {
        title: "Operations",
        items: &[
            NavItem {
                href: "/",
                also: &[],
                label: "Overview",
                icon: "M3 13h8V3H3v10zm0 8h8v-6H3v6zm10 0h8V11h-8v10zm0-18v6h8V3h-8z",
                role: Role::Viewer,
            },
            NavItem {
                href: "/alarms",
                also: &[],
                label: "Alarms",
                icon: "M12 22c1.1 0 2-.9 2-2h-4a2 2 0 0 0 2 2zm6-6v-5c0-3.07-1.64-5.64-4.5-6.32V4a1.5 1.5 0 0 0-3 0v.68C7.63 5.36 6 7.92 6 11v5l-2 2v1h16v-1l-2-2z",
                role: Role::Viewer,
            },
            NavItem {
                href: "/incidents",
                also: &[],
                label: "Incidents",
                icon: "M1 21h22L12 2 1 21zm12-3h-2v-2h2v2zm0-4h-2v-4h2v4z",
                role: Role::Viewer,
            },
            NavItem {
                href: "/war-rooms",
                also: &[],
                label: "War rooms",
                icon: "M12 2 4 5v6c0 5.55 3.84 10.74 8 12 4.16-1.26 8-6.45 8-12V5l-8-3zm-1 6h2v5h-2V8zm0 7h2v2h-2v-2z",
                role: Role::Viewer,
            },
            NavItem {
                href: "/improvements",
                also: &[],
                label: "Improvements",
                icon: "M16 6l2.29 2.29-4.88 4.88-4-4L2 16.59 3.41 18l6-6 4 4 6.3-6.29L22 12V6h-6z",
                role: Role::Viewer,
            },
            NavItem {
                href: "/problems",
                also: &[],
                label: "Problems",
                icon: "M15.5 14h-.79l-.28-.27A6.47 6.47 0 0 0 16 9.5 6.5 6.5 0 1 0 9.5 16c1.61 0 3.09-.59 4.23-1.57l.27.28v.79l5 4.99L20.49 19l-4.99-5zm-6 0C7.01 14 5 11.99 5 9.5S7.01 5 9.5 5 14 7.01 14 9.5 11.99 14 9.5 14z",
                role: Role::Viewer,
            },
            NavItem {
                href: "/changes",
                also: &["/freeze-windows", "/review-flows", "/standard-changes"],
                label: "Changes",
                icon: "M19 3h-1V1h-2v2H8V1H6v2H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V5a2 2 0 0 0-2-2zm0 16H5V8h14v11zM9 10H7v2h2v-2zm4 0h-2v2h2v-2zm4 0h-2v2h2v-2z",
                role: Role::Viewer,
            },
            NavItem {
                href: "/schedules",
                also: &[],
                label: "On-call",
                icon: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 11h-5v-2h3V6h2v7z",
                role: Role::Viewer,
            },
        ],
    },
    NavSection {
        title: "Inventory",
        items: &[
            NavItem {
                href: "/resources",
                also: &[],
                label: "Resources",
                icon: "M4 5h16v4H4V5zm0 5h16v4H4v-4zm0 5h16v4H4v-4zm2-9v2h2V6H6zm0 5v2h2v-2H6zm0 5v2h2v-2H6z",
                role: Role::Viewer,
            },
            NavItem {
                href: "/applications",
                also: &["/components", "/groups"],
                label: "Applications",
                icon: "M4 4h7v7H4V4zm9 0h7v7h-7V4zM4 13h7v7H4v-7zm9 0h7v7h-7v-7z",
                role: Role::Viewer,
            },
            NavItem {
                href: "/topology",
                also: &[],
                label: "Topology",
                icon: "M12 2a3 3 0 0 0-1 5.83V11H6a2 2 0 0 0-2 2v3.17a3 3 0 1 0 2 0V13h5v3.17a3 3 0 1 0 2 0V13h5v3.17a3 3 0 1 0 2 0V13a2 2 0 0 0-2-2h-5V7.83A3 3 0 0 0 12 2z",
                role: Role::Viewer,
            },
        ],
    },
    NavSection {
        title: "Administration",
        items: &[
            NavItem {
                href: "/users",
                also: &[],
                label: "Users",
                icon: "M16 11c1.66 0 3-1.34 3-3s-1.34-3-3-3-3 1.34-3 3 1.34 3 3 3zm-8 0c1.66 0 3-1.34 3-3S9.66 5 8 5 5 6.34 5 8s1.34 3 3 3zm0 2c-2.33 0-7 1.17-7 3.5V19h14v-2.5C15 14.17 10.33 13 8 13zm8 0c-.29 0-.62.02-.97.05C16.19 13.89 17 15.02 17 16.5V19h6v-2.5c0-2.33-4.67-3.5-7-3.5z",
                role: Role::Admin,
            },
            NavItem {
                href: "/data-sources",
                also: &[],
                label: "Data sources",
                icon: "M12 3C7.58 3 4 4.79 4 7v10c0 2.21 3.59 4 8 4s8-1.79 8-4V7c0-2.21-3.58-4-8-4zm0 2c3.87 0 6 1.5 6 2s-2.13 2-6 2-6-1.5-6-2 2.13-2 6-2zm6 12c0 .5-2.13 2-6 2s-6-1.5-6-2v-2.23c1.61.78 3.72 1.23 6 1.23s4.39-.45 6-1.23V17zm0-5c0 .5-2.13 2-6 2s-6-1.5-6-2V9.77C7.61 10.55 9.72 11 12 11s4.39-.45 6-1.23V12z",
                role: Role::Admin,
            },
            NavItem {
                href: "/forwarding-rules",
                also: &[],
                label: "Forwarding rules",
                icon: "M14 4l2.29 2.29-2.88 2.88 1.42 1.42 2.88-2.88L20 10V4h-6zm-4 0H4v6l2.29-2.29 4.71 4.7V20h2v-8.41l-5.29-5.3L10 4z",
                role: Role::Admin,
            },
            NavItem {
                href: "/deliveries",
                also: &[],
                label: "Deliveries",
                icon: "M20 4H4c-1.1 0-2 .9-2 2v12c0 1.1.9 2 2 2h16c1.1 0 2-.9 2-2V6c0-1.1-.9-2-2-2zm0 4-8 5-8-5V6l8 5 8-5v2z",
                role: Role::Admin,
            },
            NavItem {
                href: "/sla",
                also: &[],
                label: "Service levels",
                icon: "M15 1H9v2h6V1zm-4 13h2V8h-2v6zm8.03-6.61 1.42-1.42c-.43-.51-.9-.99-1.41-1.41l-1.42 1.42A8.962 8.962 0 0 0 12 4c-4.97 0-9 4.03-9 9s4.02 9 9 9 9-4.03 9-9c0-2.12-.74-4.07-1.97-5.61zM12 20c-3.87 0-7-3.13-7-7s3.13-7 7-7 7 3.13 7 7-3.13 7-7 7z",
                role: Role::Admin,
            },
            NavItem {
                href: "/audit",
                also: &[],
                label: "Audit log",
                icon: "M14 2H6c-1.1 0-2 .9-2 2v16c0 1.1.9 2 2 2h12c1.1 0 2-.9 2-2V8l-6-6zm2 16H8v-2h8v2zm0-4H8v-2h8v2zm-3-5V3.5L18.5 9H13z",
                role: Role::Admin,
            },
        ],
    },
    NavSection {
        title: "Developers",
        items: &[NavItem {
            href: "/api-docs",
            also: &[],
            label: "API docs",
            icon: "M9.4 16.6 4.8 12l4.6-4.6L8 6l-6 6 6 6 1.4-1.4zm5.2 0 4.6-4.6-4.6-4.6L16 6l6 6-6 6-1.4-1.4z",
            role: Role::Viewer,
        }],
    },
];

#[component]
fn Icon(path: &'static str) -> impl IntoView {
    view! {
        <svg viewBox="0 0 24 24" class="h-4 w-4 shrink-0 fill-current" aria-hidden="true">
            <path d=path/>
        </svg>
    }
}

#[component]
fn Sidebar(user: Option<UserRef>) -> impl IntoView {
    let role = user.as_ref().map_or(Role::Viewer, |u| u.role);
    let path = use_location().pathname.get_untracked();
    let sections = NAV
        .iter()
        .filter_map(|section| {
            let items: Vec<_> = section
                .items
                .iter()
                .filter(|item| role.allows(item.role))
                .map(|item| {
                    let href = item.href;
                    let active = if href == "/" {
                        path == "/"
                    } else {
                        std::iter::once(href).chain(item.also.iter().copied()).any(|p| path.starts_with(p))
                    };
                    let class = if active {
                        "flex items-center gap-3 rounded-md bg-slate-800 px-3 py-2 text-sm font-medium text-white"
                    } else {
                        "flex items-center gap-3 rounded-md px-3 py-2 text-sm text-slate-300 hover:bg-slate-800/60 hover:text-white"
                    };
                    view! {
                        <a href=href class=class aria-current=active.then_some("page")>
                            <Icon path=item.icon/>
                            {item.label}
                        </a>
                    }
                })
                .collect();
            (!items.is_empty()).then(|| {
                view! {
                    <div class="space-y-1">
                        <p class="px-3 pb-1 text-[11px] font-semibold uppercase tracking-wider text-slate-500">
                            {section.title}
                        </p>
                        {items}
                    </div>
                }
            })
        })
        .collect_view();
    // Scrolls on its own when the areas outgrow a short window; the frame stays put.
    view! { <nav class="min-h-0 flex-1 space-y-5 overflow-y-auto px-3 py-4" data-testid="nav">{sections}</nav> }
}

fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect::<String>()
        .to_uppercase()
}

#[component]
fn UserMenu(user: UserRef) -> impl IntoView {
    view! {
        <details class="relative" data-testid="user-menu">
            <summary class="flex cursor-pointer list-none items-center gap-3 rounded-lg px-2 py-1 hover:bg-slate-100">
                <span class="flex h-8 w-8 items-center justify-center rounded-full bg-indigo-600 text-xs font-semibold text-white">
                    {initials(&user.display_name)}
                </span>
                <span class="hidden text-left sm:block">
                    <span class="block text-sm font-medium leading-4 text-slate-800">{user.display_name.clone()}</span>
                    <span class="block text-xs text-slate-500">{user.username.clone()} " · " {user.role.as_str()}</span>
                </span>
            </summary>
            <div class="absolute right-0 z-20 mt-2 w-48 rounded-lg border border-slate-200 bg-white py-1 shadow-lg">
                <a href="/profile" class="block px-4 py-2 text-sm text-slate-700 hover:bg-slate-50">"Your profile"</a>
                <PostForm action=Logout::PATH>
                    <button type="submit" data-testid="logout"
                        class="block w-full px-4 py-2 text-left text-sm text-slate-700 hover:bg-slate-50">
                        "Log out"
                    </button>
                </PostForm>
            </div>
        </details>
    }
}

/// The notification bell with the unread count; it follows new notifications live.
#[component]
fn Bell(unread: i64) -> impl IntoView {
    let label = format!("Notifications: {unread} unread");
    view! {
        <super::live::LiveRegion id="bell".to_owned() topics="notification".to_owned() quiet=true>
            <a href="/notifications" aria-label=label data-testid="bell"
                class="relative mr-3 flex h-9 w-9 items-center justify-center rounded-full text-slate-600 hover:bg-slate-100">
                <svg viewBox="0 0 24 24" class="h-5 w-5 fill-current" aria-hidden="true">
                    <path d="M12 22a2 2 0 0 0 2-2h-4a2 2 0 0 0 2 2zm6-6V11c0-3.07-1.64-5.64-4.5-6.32V4a1.5 1.5 0 0 0-3 0v.68C7.63 5.36 6 7.92 6 11v5l-2 2v1h16v-1l-2-2z"/>
                </svg>
                {(unread > 0).then(|| view! {
                    <span class="absolute -right-0.5 -top-0.5 min-w-5 rounded-full bg-rose-600 px-1 text-center text-[11px] font-semibold leading-5 text-white" data-testid="unread">
                        {unread.to_string()}
                    </span>
                })}
            </a>
        </super::live::LiveRegion>
    }
}

/// The frame around every page of a logged-in user.
#[component]
pub fn Shell() -> impl IntoView {
    let frame = move || {
        Suspend::new(async move {
            let user = current_user().await.ok().flatten();
            let unread = crate::api::notifications::unread_count().await.unwrap_or(0);
            let menu = user
                .clone()
                .map(|u| view! { <Bell unread/><UserMenu user=u/> });
            view! {
                <aside class="fixed inset-y-0 left-0 flex w-60 flex-col bg-slate-900">
                    <a href="/" class="flex h-14 items-center gap-2 border-b border-slate-800 px-5">
                        <span class="flex h-7 w-7 items-center justify-center rounded-md bg-indigo-500 text-sm font-bold text-white">"O"</span>
                        <span class="text-base font-semibold tracking-tight text-white">"Opsroom"</span>
                    </a>
                    <Sidebar user=user/>
                    <p class="px-5 py-3 text-[11px] text-slate-500">"Opsroom · cloud operations center"</p>
                </aside>
                <header class="fixed left-60 right-0 top-0 z-10 flex h-14 items-center justify-end border-b border-slate-200 bg-white/90 px-6 backdrop-blur">
                    {menu}
                </header>
            }
        })
    };
    view! {
        <div class="min-h-screen bg-slate-50 text-slate-900">
            <Suspense fallback=|| view! { <aside class="fixed inset-y-0 left-0 w-60 bg-slate-900"></aside> }>
                {frame}
            </Suspense>
            <main class="pl-60 pt-14">
                <div class="mx-auto max-w-7xl px-6 py-6">
                    <Outlet/>
                </div>
            </main>
        </div>
    }
}

/// Title row of a page: breadcrumbs, title, subtitle and actions on the right.
#[component]
pub fn PageHeader(
    #[prop(into)] title: String,
    #[prop(optional, into)] subtitle: Option<String>,
    #[prop(optional)] crumbs: Vec<(&'static str, &'static str)>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let crumbs = (!crumbs.is_empty()).then(|| {
        view! {
            <nav aria-label="Breadcrumb" class="mb-1 flex items-center gap-1 text-xs text-slate-500" data-testid="breadcrumbs">
                {crumbs.into_iter().map(|(label, href)| view! {
                    <a href=href class="hover:text-slate-700">{label}</a>
                    <span aria-hidden="true">"/"</span>
                }).collect_view()}
            </nav>
        }
    });
    view! {
        <div class="mb-6 flex flex-wrap items-end justify-between gap-4">
            <div>
                {crumbs}
                <h1 class="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
                {subtitle.map(|s| view! { <p class="mt-1 text-sm text-slate-500">{s}</p> })}
            </div>
            <div class="flex items-center gap-2">{children.map(|c| c())}</div>
        </div>
    }
}

/// A white panel with an optional title.
#[component]
pub fn Card(
    #[prop(optional, into)] title: Option<String>,
    #[prop(optional, into)] class: String,
    children: Children,
) -> impl IntoView {
    view! {
        <section class=format!("rounded-xl border border-slate-200 bg-white p-5 shadow-sm {class}")>
            {title.map(|t| view! { <h2 class="mb-4 text-sm font-semibold text-slate-800">{t}</h2> })}
            {children()}
        </section>
    }
}
