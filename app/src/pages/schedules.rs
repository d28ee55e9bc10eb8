//! On-call schedules: the list, and one schedule's page with its roles, who is on duty, coverage
//! gaps, overrides and the "who is on duty at" question.

use crate::api::schedules::{
    CreateOverride, CreateRole, CreateSchedule, DeleteOverride, DeleteRole, DeleteSchedule,
    ScheduleListing, SchedulePage as Page, get_schedule, list_schedules,
};
use crate::components::badge::{Badge, Tone};
use crate::components::feedback::{EmptyState, ErrorBox, Loading};
use crate::components::form::{ButtonKind, DeleteCard, Field, PostForm, Submit};
use crate::components::layout::{Card, PageHeader};
use crate::components::live::LiveRegion;
use crate::domain::schedule::{GAP_HORIZON_DAYS, OnDuty, RoleView};
use crate::pages::applications::route_id;
use crate::pages::resources::FILTER_INPUT;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const CRUMBS: &[(&str, &str)] = &[("Operations", "/schedules")];
const TOPICS: &str = "schedule,schedule_role,schedule_override,user";

/// "Sun 29 Mar 09:00 CEST" in the schedule's zone.
fn local(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .format("%a %d %b %H:%M %Z")
        .to_string()
}

#[component]
pub fn SchedulesPage() -> impl IntoView {
    view! {
        <Title text="Schedules"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list_schedules().await {
                    Ok(ScheduleListing { schedules, is_admin }) => {
                        let body = if schedules.is_empty() {
                            view! { <EmptyState title="No schedules yet" hint="An administrator adds a schedule, then its roles."/> }.into_any()
                        } else {
                            view! {
                                <ul class="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="schedules">
                                    {schedules.into_iter().map(|s| view! {
                                        <li class="flex items-center justify-between px-5 py-3">
                                            <span>
                                                <a href=format!("/schedules/{}", s.id) class="font-medium text-indigo-700 hover:underline">{s.spec.name.clone()}</a>
                                                <span class="block text-xs text-slate-500">{s.spec.description.clone()}</span>
                                            </span>
                                            <span class="text-xs text-slate-500">{s.spec.time_zone.clone()}</span>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        };
                        let create = is_admin.then(|| view! {
                            <Card title="New schedule" class="mt-4 max-w-2xl">
                                <PostForm action=CreateSchedule::PATH class="space-y-3" testid="new-schedule-form">
                                    <Field name="name" label="Name" required=true maxlength=50 placeholder="payments-oncall"/>
                                    <Field name="description" label="Description" maxlength=256/>
                                    <Field name="time_zone" label="Time zone" required=true value="UTC"
                                        hint="An IANA name such as Europe/Berlin; hand-offs keep their wall-clock time across daylight saving."/>
                                    <div class="flex justify-end"><Submit label="Add schedule" testid="create-schedule"/></div>
                                </PostForm>
                            </Card>
                        });
                        view! {
                            <PageHeader title="On-call schedules" subtitle="Who answers for each role, now and later." crumbs=CRUMBS.to_vec()/>
                            <LiveRegion id="schedules".to_owned() topics=TOPICS.to_owned()>{body}</LiveRegion>
                            {create}
                        }.into_any()
                    }
                    Err(e) => view! { <PageHeader title="On-call schedules" crumbs=CRUMBS.to_vec()/><ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn duty_line(duty: &OnDuty) -> String {
    match (&duty.user, duty.source) {
        (Some(u), Some(source)) => format!("{} ({source})", u.display_name),
        _ => "nobody".to_owned(),
    }
}

#[component]
fn RoleCard(view_: RoleView, tz: Tz, is_admin: bool) -> impl IntoView {
    let role = view_.role.clone();
    let how = match &role.spec.rotation {
        Some(r) => format!(
            "Rotates every {} day{} at {} ({}), from {}",
            r.every_days,
            if r.every_days == 1 { "" } else { "s" },
            r.start.format("%H:%M"),
            tz.name(),
            r.start.format("%d %b %Y")
        ),
        None => "Fixed: the first member is on duty".to_owned(),
    };
    let gaps = if view_.gaps.is_empty() {
        view! { <p class="text-xs text-emerald-700">{format!("Covered for the next {GAP_HORIZON_DAYS} days.")}</p> }.into_any()
    } else {
        view! {
            <div role="alert" class="rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-xs text-amber-900" data-testid=format!("gaps-{}", role.spec.name)>
                <p class="font-semibold">{format!("Coverage gaps in the next {GAP_HORIZON_DAYS} days:")}</p>
                <ul class="mt-1 list-disc pl-4">
                    {view_.gaps.iter().take(5).map(|g| view! { <li>{format!("{} → {}", local(g.from, tz), local(g.to, tz))}</li> }).collect_view()}
                </ul>
            </div>
        }.into_any()
    };
    let next = view_.next_handoff.map(
        |at| view! { <p class="text-xs text-slate-500">"Next hand-off: " {local(at, tz)}</p> },
    );
    let delete = is_admin.then(|| {
        view! {
            <PostForm action=DeleteRole::PATH class="mt-2">
                <input type="hidden" name="id" value=role.id/>
                <input type="hidden" name="version" value=role.version/>
                <button type="submit" class="text-xs text-rose-700 hover:underline">"Delete role"</button>
            </PostForm>
        }
    });
    view! {
        <Card title=role.spec.name.clone()>
            <div class="space-y-2" data-testid=format!("role-{}", role.spec.name)>
                <p class="text-sm">
                    <span class="text-slate-500">"On duty now: "</span>
                    <span class="font-semibold text-slate-900" data-testid="on-duty-now">{duty_line(&view_.now)}</span>
                </p>
                {next}
                <p class="text-xs text-slate-500">{how}</p>
                <ol class="flex flex-wrap gap-1">
                    {view_.people.iter().map(|p| {
                        let tone = if p.active { Tone::Neutral } else { Tone::Bad };
                        let text = if p.active { p.display_name.clone() } else { format!("{} (deactivated)", p.display_name) };
                        view! { <li><Badge text tone/></li> }
                    }).collect_view()}
                </ol>
                {gaps}
                {delete}
            </div>
        </Card>
    }
}

/// A role picker; the on-duty question sends the role's name, the override form its id.
fn role_select(
    name: &'static str,
    roles: &[(i64, String)],
    selected: String,
) -> impl IntoView + use<> {
    let options: Vec<(String, String)> = roles
        .iter()
        .map(|(id, n)| {
            (
                if name == "role" {
                    n.clone()
                } else {
                    id.to_string()
                },
                n.clone(),
            )
        })
        .collect();
    view! {
        <select name=name class=FILTER_INPUT aria-label="Role">
            {options.into_iter().map(|(value, text)| {
                let is = value == selected;
                view! { <option value=value selected=is>{text}</option> }
            }).collect_view()}
        </select>
    }
}

#[component]
fn ScheduleView(page: Page) -> impl IntoView {
    let Page {
        detail,
        asked,
        is_admin,
        can_override,
    } = page;
    let d = detail.data;
    let tz = d.schedule.spec.zone();
    let id = d.schedule.id;
    let query = use_query_map();
    let (asked_role, asked_at) = {
        let q = query.read_untracked();
        (
            q.get("role").unwrap_or_default(),
            q.get("at").unwrap_or_default(),
        )
    };
    let role_names: Vec<(i64, String)> = d
        .roles
        .iter()
        .map(|r| (r.role.id, r.role.spec.name.clone()))
        .collect();
    let answer = asked.map(|a| {
        view! {
            <p class="mt-3 rounded-lg bg-indigo-50 px-3 py-2 text-sm text-indigo-900" data-testid="on-duty-answer">
                {format!("{} at {}: ", a.role, local(a.at, tz))}
                <span class="font-semibold">{duty_line(&a)}</span>
            </p>
        }
    });
    let roles = if d.roles.is_empty() {
        view! { <EmptyState title="No roles yet" hint="Add a role with its members, fixed or rotating."/> }.into_any()
    } else {
        view! {
            <div class="grid gap-4 md:grid-cols-2">
                {d.roles.into_iter().map(|r| view! { <RoleCard view_=r tz is_admin/> }).collect_view()}
            </div>
        }
        .into_any()
    };
    let overrides = view! {
        <Card title="Overrides">
            {if d.overrides.is_empty() {
                view! { <p class="text-sm text-slate-500">"No current or upcoming overrides."</p> }.into_any()
            } else {
                view! {
                    <ul class="divide-y divide-slate-100 text-sm" data-testid="overrides">
                        {d.overrides.into_iter().map(|o| view! {
                            <li class="flex items-center justify-between gap-3 py-2">
                                <span>
                                    <span class="font-medium">{o.user.display_name.clone()}</span>
                                    {format!(" for {}: {} → {}", o.role, local(o.entry.spec.starts_at, tz), local(o.entry.spec.ends_at, tz))}
                                    <span class="block text-xs text-slate-500">{o.entry.spec.reason.clone()}</span>
                                </span>
                                {can_override.then(|| view! {
                                    <PostForm action=DeleteOverride::PATH>
                                        <input type="hidden" name="id" value=o.entry.id/>
                                        <button type="submit" class="text-xs text-rose-700 hover:underline">"Remove"</button>
                                    </PostForm>
                                })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </Card>
    };
    let override_roles = role_names.clone();
    let override_form = (can_override && !role_names.is_empty()).then(move || {
        view! {
            <Card title="Override a shift">
                <PostForm action=CreateOverride::PATH class="space-y-3" testid="override-form" success="Override added.">
                    <input type="hidden" name="schedule_id" value=id/>
                    <label class="block text-sm font-medium text-slate-700">"Role " {role_select("role_id", &override_roles, String::new())}</label>
                    <Field name="user" label="Who takes over (username)" required=true/>
                    <div class="grid gap-3 sm:grid-cols-2">
                        <Field name="starts_at" label="From" kind="datetime-local" required=true/>
                        <Field name="ends_at" label="Until" kind="datetime-local" required=true/>
                    </div>
                    <Field name="reason" label="Reason" maxlength=200/>
                    <p class="text-xs text-slate-500">{format!("Times are in {}.", tz.name())}</p>
                    <div class="flex justify-end"><Submit label="Add override" testid="create-override"/></div>
                </PostForm>
            </Card>
        }
    });
    let admin_forms = is_admin.then(|| {
        view! {
            <Card title="New role">
                <PostForm action=CreateRole::PATH class="space-y-3" testid="new-role-form">
                    <input type="hidden" name="schedule_id" value=id/>
                    <Field name="name" label="Name" required=true maxlength=50 placeholder="primary"/>
                    <Field name="members" label="Members (usernames, in turn order)" required=true placeholder="anna, ben, chris"/>
                    <div class="grid gap-3 sm:grid-cols-2">
                        <Field name="rotation_start" label="First hand-off" kind="datetime-local"/>
                        <Field name="every_days" label="Hand off every (days)" kind="number" placeholder="7"/>
                    </div>
                    <p class="text-xs text-slate-500">{format!("Leave the rotation empty for fixed members. Times are in {}.", tz.name())}</p>
                    <div class="flex justify-end"><Submit label="Add role" testid="create-role"/></div>
                </PostForm>
            </Card>
            <DeleteCard action=DeleteSchedule::PATH id version=d.schedule.version testid="delete-schedule"
                label="Delete schedule" note="Only a schedule without roles can be deleted."/>
        }
    });
    view! {
        <PageHeader title=d.schedule.spec.name.clone()
            subtitle=format!("{} · times in {}", if d.schedule.spec.description.is_empty() { "On-call schedule".to_owned() } else { d.schedule.spec.description.clone() }, tz.name())
            crumbs=vec![("Operations", "/schedules"), ("Schedules", "/schedules")]/>
        <div class="grid gap-4 lg:grid-cols-3">
            <div class="space-y-4 lg:col-span-2">
                {roles}
                <Card title="Who is on duty at…">
                    <form method="get" class="flex flex-wrap items-center gap-2" data-testid="on-duty-form">
                        {role_select("role", &role_names, asked_role)}
                        <input type="datetime-local" name="at" value=asked_at class=FILTER_INPUT aria-label="At"/>
                        <button type="submit" class=ButtonKind::Secondary.classes() data-testid="ask-on-duty">"Ask"</button>
                    </form>
                    {answer}
                </Card>
                {overrides}
            </div>
            <div class="space-y-4">
                {override_form}
                {admin_forms}
            </div>
        </div>
    }
}

#[component]
pub fn SchedulePage() -> impl IntoView {
    let id = route_id();
    let query = use_query_map();
    view! {
        <Suspense fallback=Loading>
            {move || {
                let q = query.read_untracked();
                let (role, at) = (q.get("role"), q.get("at"));
                drop(q);
                Suspend::new(async move {
                    let loaded = match id {
                        Some(id) => get_schedule(id, role, at).await,
                        None => Err(crate::domain::AppError::not_found("Schedule", "?")),
                    };
                    match loaded {
                        Ok(page) => {
                            let name = page.detail.data.schedule.spec.name.clone();
                            let live = format!("schedule-{}", page.detail.data.schedule.id);
                            view! {
                                <Title text=name/>
                                <LiveRegion id=live topics=TOPICS.to_owned()><ScheduleView page/></LiveRegion>
                            }.into_any()
                        }
                        Err(e) => view! { <PageHeader title="Schedule" crumbs=CRUMBS.to_vec()/><ErrorBox error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
