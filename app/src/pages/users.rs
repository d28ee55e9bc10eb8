//! Users administration: the list, a new user, and one user's page.

use crate::api::users::{
    CreateUser, ResetPassword, SetUserActive, UpdateUser, get_user, list_users,
};
use crate::components::badge::{ActiveBadge, RoleBadge};
use crate::components::feedback::{EmptyState, ErrorBox, Loading};
use crate::components::form::{ButtonKind, Field, NewPasswordField, PostForm, SelectField, Submit};
use crate::components::layout::{Card, PageHeader};
use crate::components::live::LiveRegion;
use crate::components::table::{Pagination, TD, Table, col, sortable};
use crate::components::time::{Time, TimeFull};
use crate::domain::user::{Role, User};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

const CRUMBS: &[(&str, &str)] = &[("Administration", "/users")];

fn role_options() -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .map(|r| (r.as_str().to_owned(), r.label().to_owned()))
        .collect()
}

const FILTER_INPUT: &str =
    "rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm";

#[component]
fn UserFilters() -> impl IntoView {
    let query = use_query_map();
    let get = move |k: &str| query.read_untracked().get(k).unwrap_or_default();
    let role = get("role");
    let active = get("active");
    view! {
        <form method="get" class="mb-4 flex flex-wrap items-end gap-3" data-testid="user-filters">
            <input type="search" name="q" value=get("q") placeholder="Search name or email" class=FILTER_INPUT/>
            <select name="role" class=FILTER_INPUT aria-label="Role">
                <option value="">"All roles"</option>
                {Role::ALL.iter().map(|r| view! {
                    <option value=r.as_str() selected=role == r.as_str()>{r.label()}</option>
                }).collect_view()}
            </select>
            <select name="active" class=FILTER_INPUT aria-label="Status">
                <option value="">"Any status"</option>
                <option value="true" selected=active == "true">"Active"</option>
                <option value="false" selected=active == "false">"Deactivated"</option>
            </select>
            <button type="submit" class=ButtonKind::Secondary.classes()>"Filter"</button>
        </form>
    }
}

fn user_rows(users: Vec<User>, now: chrono::DateTime<chrono::Utc>) -> impl IntoView {
    users
        .into_iter()
        .map(|u| {
            let testid = format!("user-row-{}", u.username);
            view! {
                <tr class="hover:bg-slate-50" data-testid=testid>
                    <td class=TD>
                        <a href=format!("/users/{}", u.id) class="font-medium text-indigo-700 hover:underline">{u.username}</a>
                    </td>
                    <td class=TD>{u.display_name}</td>
                    <td class=TD><RoleBadge role=u.role/></td>
                    <td class=TD><ActiveBadge active=u.active/></td>
                    <td class=TD>{u.email}</td>
                    <td class=TD>{match u.last_login_at {
                        Some(at) => view! { <Time at now/> }.into_any(),
                        None => view! { <span class="text-slate-400">"never"</span> }.into_any(),
                    }}</td>
                    <td class=TD><Time at=u.created_at now/></td>
                </tr>
            }
        })
        .collect_view()
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let query = use_query_map();
    let columns = vec![
        sortable("Username", "username"),
        sortable("Name", "display_name"),
        sortable("Role", "role"),
        col("Status"),
        col("Email"),
        sortable("Last login", "last_login_at"),
        sortable("Created", "created_at"),
    ];
    let load = move || {
        let q = query.read_untracked();
        list_users(
            q.get("q"),
            q.get("role"),
            q.get("active"),
            q.get("page").and_then(|p| p.parse::<u32>().ok()),
            q.get("sort"),
        )
    };
    view! {
        <Title text="Users"/>
        <PageHeader title="Users" subtitle="Who may work in this operations center, and with which role."
            crumbs=CRUMBS.to_vec()>
            <a href="/users/new" class=ButtonKind::Primary.classes() data-testid="new-user">"New user"</a>
        </PageHeader>
        <UserFilters/>
        <Suspense fallback=Loading>
            {move || {
                let columns = columns.clone();
                Suspend::new(async move {
                    match load().await {
                        Ok(listing) if listing.data.items.is_empty() => view! {
                            <EmptyState title="No users match these filters" hint="Clear the search or choose another role."/>
                        }.into_any(),
                        Ok(listing) => {
                            let pages = listing.data.pages();
                            let (page, total, per_page) = (listing.data.page, listing.data.total, listing.data.per_page);
                            view! {
                                <LiveRegion id="users".to_owned() topics="user".to_owned()>
                                    <Table columns testid="users-table">{user_rows(listing.data.items, listing.now)}</Table>
                                    <Pagination page pages total per_page/>
                                </LiveRegion>
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn NewUserPage() -> impl IntoView {
    view! {
        <Title text="New user"/>
        <PageHeader title="New user" subtitle="They can log in as soon as you save."
            crumbs=vec![("Administration", "/users"), ("Users", "/users")]/>
        <Card class="max-w-2xl">
            <PostForm action=CreateUser::PATH class="space-y-4" testid="new-user-form">
                <div class="grid gap-4 sm:grid-cols-2">
                    <Field name="username" label="Username" required=true maxlength=32
                        hint="3–32 characters: a-z, 0-9, '_', '.', '-'."/>
                    <Field name="display_name" label="Display name" maxlength=64 hint="Defaults to the username."/>
                    <Field name="email" label="Email" kind="email"/>
                    <Field name="phone" label="Phone" kind="tel"/>
                    <SelectField name="role" label="Role" options=role_options() selected="operator"/>
                    <NewPasswordField name="password" label="Initial password"/>
                </div>
                <div class="flex justify-end gap-2 pt-2">
                    <a href="/users" class=ButtonKind::Secondary.classes()>"Cancel"</a>
                    <Submit label="Create user" testid="create-user"/>
                </div>
            </PostForm>
        </Card>
    }
}

#[component]
fn UserForms(user: User, now: chrono::DateTime<chrono::Utc>) -> impl IntoView {
    let id = user.id;
    let version = user.version;
    let toggle_label = if user.active {
        "Deactivate user"
    } else {
        "Reactivate user"
    };
    let toggle_kind = if user.active {
        ButtonKind::Danger
    } else {
        ButtonKind::Secondary
    };
    view! {
        <div class="grid gap-4 lg:grid-cols-3">
            <Card title="Details" class="lg:col-span-2">
                <PostForm action=UpdateUser::PATH class="space-y-4" testid="edit-user-form" success="Saved.">
                    <input type="hidden" name="id" value=id/>
                    <input type="hidden" name="version" value=version/>
                    <div class="grid gap-4 sm:grid-cols-2">
                        <Field name="display_name" label="Display name" value=user.display_name.clone() required=true maxlength=64/>
                        <SelectField name="role" label="Role" options=role_options() selected=user.role.as_str()/>
                        <Field name="email" label="Email" kind="email" value=user.email.clone()/>
                        <Field name="phone" label="Phone" kind="tel" value=user.phone.clone()/>
                    </div>
                    <div class="flex justify-end">
                        <Submit label="Save changes" testid="save-user"/>
                    </div>
                </PostForm>
            </Card>
            <div class="space-y-4">
                <Card title="Account">
                    <dl class="space-y-2 text-sm">
                        <div class="flex justify-between gap-2"><dt class="text-slate-500">"Status"</dt><dd><ActiveBadge active=user.active/></dd></div>
                        <div class="flex justify-between gap-2"><dt class="text-slate-500">"Created"</dt><dd><TimeFull at=user.created_at now/></dd></div>
                        <div class="flex justify-between gap-2"><dt class="text-slate-500">"Last login"</dt><dd>{match user.last_login_at {
                            Some(at) => view! { <TimeFull at now/> }.into_any(),
                            None => view! { "never" }.into_any(),
                        }}</dd></div>
                        <div class="flex justify-between gap-2"><dt class="text-slate-500">"Version"</dt><dd class="tabular-nums">{version}</dd></div>
                    </dl>
                    <PostForm action=SetUserActive::PATH class="mt-4 space-y-2">
                        <input type="hidden" name="id" value=id/>
                        <input type="hidden" name="version" value=version/>
                        <input type="hidden" name="active" value=(!user.active).to_string()/>
                        <Submit label=toggle_label kind=toggle_kind testid="toggle-active"/>
                    </PostForm>
                </Card>
                <Card title="Reset password">
                    <PostForm action=ResetPassword::PATH class="space-y-3" testid="reset-password-form"
                        success="Password reset; the user's sessions were ended.">
                        <input type="hidden" name="id" value=id/>
                        <input type="hidden" name="version" value=version/>
                        <NewPasswordField name="new_password" label="New password"/>
                        <Submit label="Reset password" kind=ButtonKind::Secondary testid="reset-password"/>
                    </PostForm>
                </Card>
            </div>
        </div>
    }
}

#[component]
pub fn UserPage() -> impl IntoView {
    let params = use_params_map();
    let id = params
        .read_untracked()
        .get("id")
        .and_then(|id| id.parse::<i64>().ok());
    let crumbs = vec![("Administration", "/users"), ("Users", "/users")];
    view! {
        <Suspense fallback=Loading>
            {move || {
                let crumbs = crumbs.clone();
                Suspend::new(async move {
                    let loaded = match id {
                        Some(id) => get_user(id).await,
                        None => Err(crate::domain::AppError::not_found("User", "?")),
                    };
                    match loaded {
                        Ok(stamped) => {
                            let user = stamped.data;
                            view! {
                                <Title text=user.username.clone()/>
                                <LiveRegion id=format!("user-{}", user.id) topics="user".to_owned()>
                                    <PageHeader title=user.display_name.clone()
                                        subtitle=format!("@{}", user.username) crumbs>
                                        <RoleBadge role=user.role/>
                                        <ActiveBadge active=user.active/>
                                    </PageHeader>
                                    <UserForms user now=stamped.now/>
                                </LiveRegion>
                            }.into_any()
                        }
                        Err(e) => view! {
                            <PageHeader title="User" crumbs/>
                            <ErrorBox error=e/>
                        }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
