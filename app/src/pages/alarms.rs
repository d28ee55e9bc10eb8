//! Alarms: the Active and History lists with their filters (picking alarms to convert into one
//! incident), one alarm's page with clear and convert, and the convert form.

use crate::api::alarms::{
    AlarmListing, AlarmPage as Page, ClearAlarm, ConvertAlarms, get_alarm, list_alarms,
    load_convert_choices,
};
use crate::components::badge::{Badge, Tone};
use crate::components::feedback::{EmptyState, ErrorBox, Loading};
use crate::components::form::{ButtonKind, Field, PostForm, SelectField, Submit};
use crate::components::layout::{Card, PageHeader};
use crate::components::live::LiveRegion;
use crate::components::table::{CursorPagination, TD, Table, col, cursor_of, sortable};
use crate::components::tabs::Tabs;
use crate::components::time::{Time, TimeFull};
use crate::components::timeline::Timeline;
use crate::domain::alarm::{Alarm, AlarmLevel, AlarmStatus, REMARK_MAX};
use crate::domain::incident::{Category, Level};
use crate::domain::numbering::Prefix;
use crate::pages::applications::route_id;
use crate::pages::resources::{FILTER_INPUT, Property, options};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const CRUMBS: &[(&str, &str)] = &[("Operations", "/alarms"), ("Alarms", "/alarms")];
const LINK: &str = "font-medium text-indigo-700 hover:underline";

#[component]
pub fn AlarmLevelBadge(level: AlarmLevel) -> impl IntoView {
    let tone = match level {
        AlarmLevel::Critical => Tone::Bad,
        AlarmLevel::Major => Tone::Warn,
        AlarmLevel::Minor => Tone::Accent,
        AlarmLevel::Info => Tone::Neutral,
    };
    view! { <Badge text=level.as_str() tone/> }
}

#[component]
fn AlarmStatusBadge(status: AlarmStatus) -> impl IntoView {
    match status {
        AlarmStatus::Active => view! { <Badge text="active" tone=Tone::Bad/> },
        AlarmStatus::Cleared => view! { <Badge text="cleared" tone=Tone::Good/> },
    }
}

/// Where an alarm points: its resource and application, as matched or as sent.
fn subject_of(a: &Alarm) -> String {
    let resource = a.resource_name.clone().or_else(|| a.resource_ref.clone());
    let application = a
        .application_name
        .clone()
        .or_else(|| a.application_ref.clone());
    match (resource, application) {
        (Some(r), Some(p)) => format!("{r} · {p}"),
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) => String::new(),
    }
}

fn rows(items: Vec<Alarm>, now: DateTime<Utc>, pick: bool) -> impl IntoView + use<> {
    items
        .into_iter()
        .map(|a| {
            let picker = pick.then(|| {
                let free = a.incident_id.is_none();
                view! {
                    <td class=TD>
                        <input type="checkbox" name="ids" value=a.id disabled=!free aria-label=format!("Pick {}", a.number())
                            data-testid=format!("pick-alarm-{}", a.id)/>
                    </td>
                }
            });
            let incident = a.incident_id.map(|i| view! {
                <a href=format!("/incidents/{i}") class=LINK>{Prefix::Incident.number(i)}</a>
            });
            view! {
                <tr class="hover:bg-slate-50" data-testid=format!("alarm-row-{}", a.id)>
                    {picker}
                    <td class=format!("{TD} whitespace-nowrap font-mono text-xs")>{a.number()}</td>
                    <td class=TD><a href=format!("/alarms/{}", a.id) class=LINK>{a.name.clone()}</a></td>
                    <td class=TD><AlarmLevelBadge level=a.level/></td>
                    <td class=TD>{a.source_name.clone()}</td>
                    <td class=format!("{TD} text-slate-600")>{subject_of(&a)}</td>
                    <td class=format!("{TD} text-right tabular-nums")>{a.count}</td>
                    <td class=TD><Time at=a.last_seen now/></td>
                    <td class=TD>{incident}</td>
                </tr>
            }
        })
        .collect_view()
}

#[component]
pub fn AlarmsPage() -> impl IntoView {
    let query = use_query_map();
    let get = move |k: &str| query.read_untracked().get(k).unwrap_or_default();
    let tab = {
        let t = get("tab");
        if t == "history" {
            t
        } else {
            "active".to_owned()
        }
    };
    let load = move || {
        let q = query.read_untracked();
        let (after, before) = cursor_of(&q);
        list_alarms(
            q.get("tab"),
            q.get("level"),
            q.get("source"),
            q.get("application"),
            q.get("q"),
            q.get("from"),
            q.get("to"),
            after,
            before,
            q.get("sort"),
        )
    };
    let current = (
        get("q"),
        get("level"),
        get("source"),
        get("application"),
        get("from"),
        get("to"),
    );
    view! {
        <Title text="Alarms"/>
        <Suspense fallback=Loading>
            {move || {
                let (tab, current) = (tab.clone(), current.clone());
                Suspend::new(async move {
                    match load().await {
                        Ok(listing) => view! { <AlarmList listing tab current/> }.into_any(),
                        Err(e) => view! { <PageHeader title="Alarms" crumbs=CRUMBS[..1].to_vec()/><ErrorBox error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn AlarmList(
    listing: AlarmListing,
    tab: String,
    current: (String, String, String, String, String, String),
) -> impl IntoView {
    let (q, level, source, application, from, to) = current;
    let select = |name: &'static str,
                  label: &'static str,
                  opts: Vec<(String, String)>,
                  current: String| {
        view! {
            <select name=name class=FILTER_INPUT aria-label=label>
                <option value="">{label}</option>
                {opts.into_iter().map(|(v, t)| { let s = v == current; view! { <option value=v selected=s>{t}</option> } }).collect_view()}
            </select>
        }
    };
    let by_id = |list: &[(i64, String)]| {
        list.iter()
            .map(|(id, n)| (id.to_string(), n.clone()))
            .collect::<Vec<_>>()
    };
    let filters = view! {
        <form method="get" class="mb-4 flex flex-wrap gap-2" data-testid="alarm-filters">
            <input type="hidden" name="tab" value=tab.clone()/>
            <input type="search" name="q" value=q placeholder="Name or key contains" class=format!("{FILTER_INPUT} w-56")/>
            {select("level", "Any level", options(AlarmLevel::ALL, AlarmLevel::as_str), level)}
            {select("source", "Any source", by_id(&listing.sources), source)}
            {select("application", "Any application", by_id(&listing.applications), application)}
            <input type="datetime-local" name="from" value=from aria-label="Seen from (UTC)" class=FILTER_INPUT/>
            <input type="datetime-local" name="to" value=to aria-label="Seen until (UTC)" class=FILTER_INPUT/>
            <button type="submit" class=ButtonKind::Secondary.classes()>"Filter"</button>
        </form>
    };
    let page = listing.listing.data;
    let pick = listing.can_work && tab == "active";
    let body = if page.items.is_empty() {
        let (title, hint) = if tab == "active" {
            (
                "No active alarms",
                "All quiet, or the filters hide them. Add a data source to receive alarms.",
            )
        } else {
            (
                "No cleared alarms",
                "Cleared alarms stay here until the retention period ends.",
            )
        };
        view! { <EmptyState title hint/> }.into_any()
    } else {
        let mut columns = vec![
            sortable("Number", "id"),
            sortable("Name", "name"),
            sortable("Level", "level"),
            col("Source"),
            col("Resource · application"),
            sortable("Count", "count"),
            sortable("Last seen", "last_seen"),
            col("Incident"),
        ];
        if pick {
            columns.insert(0, col(""));
        }
        let around = page.neighbours();
        let table = view! { <Table columns testid="alarms-table">{rows(page.items, listing.listing.now, pick)}</Table> };
        let table = if pick {
            view! {
                <form method="get" action="/alarms/convert" data-testid="convert-pick">
                    {table}
                    <div class="mt-3 flex items-center justify-between gap-3">
                        <p class="text-sm text-slate-600">"Pick alarms that belong together to open one incident for them."</p>
                        <button type="submit" class=ButtonKind::Primary.classes() data-testid="convert-picked">"Convert to incident"</button>
                    </div>
                </form>
            }
            .into_any()
        } else {
            table.into_any()
        };
        view! { {table} <CursorPagination around/> }.into_any()
    };
    view! {
        <PageHeader title="Alarms" subtitle="Deduplicated events from your monitoring: clear what is fixed, convert what needs work." crumbs=CRUMBS[..1].to_vec()/>
        <Tabs base="/alarms" current=tab tabs=&[("active", "Active"), ("history", "History")]/>
        {filters}
        <LiveRegion id="alarms".to_owned() topics="alarm".to_owned()>{body}</LiveRegion>
    }
}

#[component]
pub fn AlarmPage() -> impl IntoView {
    let Some(id) = route_id() else {
        return view! { <ErrorBox error=crate::domain::AppError::not_found("Alarm", "?")/> }
            .into_any();
    };
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match get_alarm(id).await {
                    Ok(page) => view! { <AlarmView page/> }.into_any(),
                    Err(e) => view! { <PageHeader title="Alarm" crumbs=CRUMBS.to_vec()/><ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn AlarmView(page: Page) -> impl IntoView {
    let now = page.detail.now;
    let d = page.detail.data;
    let a = d.alarm;
    let title = a.name.clone();
    let labels = a
        .labels
        .iter()
        .map(|(k, v)| view! { <span class="rounded bg-slate-100 px-2 py-0.5 font-mono text-xs text-slate-700">{format!("{k}={v}")}</span> })
        .collect_view();
    let resource = match (
        a.resource_id,
        a.resource_name.clone(),
        a.resource_ref.clone(),
    ) {
        (Some(id), Some(name), _) => {
            view! { <a href=format!("/resources/{id}") class=LINK>{name}</a> }.into_any()
        }
        (_, _, Some(sent)) => view! { <span>{sent}" (not in the inventory)"</span> }.into_any(),
        _ => view! { <span class="text-slate-400">"—"</span> }.into_any(),
    };
    let application = match (
        a.application_id,
        a.application_name.clone(),
        a.application_ref.clone(),
    ) {
        (Some(id), Some(name), _) => {
            view! { <a href=format!("/applications/{id}") class=LINK>{name}</a> }.into_any()
        }
        (_, _, Some(sent)) => view! { <span>{sent}" (unknown)"</span> }.into_any(),
        _ => view! { <span class="text-slate-400">"—"</span> }.into_any(),
    };
    let incident = match a.incident_id {
        Some(i) => view! {
            <span data-testid="alarm-incident">
                <a href=format!("/incidents/{i}") class=LINK>{Prefix::Incident.number(i)}</a>
                " " {d.incident_title.clone()}
            </span>
        }
        .into_any(),
        None => view! { <span class="text-slate-400">"none"</span> }.into_any(),
    };
    let (cleared_by, remark) = (a.cleared_by.clone().unwrap_or_default(), a.remark.clone());
    let (interrupted, fault) = (a.service_interrupted, (a.fault_started_at, a.recovered_at));
    let cleared = a.cleared_at.map(move |at| {
        let how = if interrupted {
            match fault {
                (Some(s), Some(r)) => format!(
                    "service interrupted {} → {} (UTC)",
                    s.format("%Y-%m-%d %H:%M"),
                    r.format("%Y-%m-%d %H:%M")
                ),
                _ => "service interrupted".to_owned(),
            }
        } else {
            "no service interruption".to_owned()
        };
        view! {
            <Property label="Cleared"><TimeFull at=at now/></Property>
            <Property label="Cleared by">{cleared_by}</Property>
            <Property label="Impact">{how}</Property>
            {(!remark.is_empty()).then(|| view! { <Property label="Remark">{remark}</Property> })}
        }
    });
    let clear_form = (page.can_work && a.status == AlarmStatus::Active).then(|| view! {
        <Card title="Clear">
            <PostForm action=ClearAlarm::PATH class="space-y-3" testid="clear-alarm-form" success="Cleared.">
                <input type="hidden" name="id" value=a.id/>
                <label class="flex items-center gap-2 text-sm text-slate-700">
                    <input type="checkbox" name="service_interrupted" value="on" data-testid="service-interrupted"/>
                    "The service was interrupted"
                </label>
                <Field name="fault_started_at" label="Fault started (UTC)" kind="datetime-local" hint="Needed when the service was interrupted."/>
                <Field name="recovered_at" label="Recovered (UTC)" kind="datetime-local"/>
                <Field name="remark" label="Remark" maxlength=REMARK_MAX as u32/>
                <div class="flex justify-end"><Submit label="Clear alarm" testid="clear-alarm"/></div>
            </PostForm>
        </Card>
    });
    let convert = (page.can_work && a.incident_id.is_none()).then(|| view! {
        <Card title="Incident">
            <p class="mb-3 text-sm text-slate-600">"Needs work? Open an incident for it (or pick several alarms on the list)."</p>
            <a href=format!("/alarms/convert?ids={}", a.id) class=ButtonKind::Primary.classes() data-testid="convert-alarm">"Convert to incident"</a>
        </Card>
    });
    let url = a.url.clone().map(|u| {
        let href = u.clone();
        view! {
            <Property label="Link"><a href=href class=LINK rel="noopener noreferrer" target="_blank">{u}</a></Property>
        }
    });
    let history = d.history;
    view! {
        <Title text=title.clone()/>
        <PageHeader title=title subtitle=format!("{} from {}", a.number(), a.source_name) crumbs=CRUMBS.to_vec()>
            <AlarmStatusBadge status=a.status/>
            <AlarmLevelBadge level=a.level/>
        </PageHeader>
        <LiveRegion id=format!("alarm-{}", a.id) topics="alarm,incident".to_owned()>
            <div class="grid gap-6 lg:grid-cols-3">
                <div class="space-y-6 lg:col-span-2">
                    <Card title="Details">
                        {(!a.description.is_empty()).then(|| view! { <p class="mb-3 whitespace-pre-line text-sm text-slate-700">{a.description.clone()}</p> })}
                        <dl class="divide-y divide-slate-100" data-testid="alarm-details">
                            <Property label="Status"><span data-testid="alarm-status">{a.status.as_str()}</span></Property>
                            <Property label="Dedup key"><code class="font-mono text-xs">{a.dedup_key.clone()}</code></Property>
                            <Property label="Count"><span data-testid="alarm-count">{a.count}</span></Property>
                            <Property label="First seen"><TimeFull at=a.first_seen now/></Property>
                            <Property label="Last seen"><TimeFull at=a.last_seen now/></Property>
                            <Property label="Resource">{resource}</Property>
                            <Property label="Application">{application}</Property>
                            <Property label="Forwarding rule">{a.rule_name.clone().unwrap_or_else(|| "none matched".to_owned())}</Property>
                            <Property label="Incident">{incident}</Property>
                            {url}
                            {cleared}
                        </dl>
                    </Card>
                    <Card title="Labels"><div class="flex flex-wrap gap-1.5">{labels}</div></Card>
                    <Card title="Timeline">
                        {if history.is_empty() {
                            view! { <p class="text-sm text-slate-500">"Nobody has acted on it yet."</p> }.into_any()
                        } else {
                            view! { <Timeline entries=history now/> }.into_any()
                        }}
                    </Card>
                </div>
                <div class="space-y-6">{clear_form}{convert}</div>
            </div>
        </LiveRegion>
    }
}

#[component]
pub fn ConvertAlarmsPage() -> impl IntoView {
    let ids = use_query_map()
        .read_untracked()
        .get_all("ids")
        .unwrap_or_default()
        .join(",");
    view! {
        <Title text="Convert alarms"/>
        <PageHeader title="Convert to an incident" subtitle="The picked alarms open one incident and link to it." crumbs=CRUMBS.to_vec()/>
        <Suspense fallback=Loading>
            {move || {
                let ids = ids.clone();
                Suspend::new(async move {
                    match load_convert_choices(ids.clone()).await {
                        Ok(c) if c.alarms.is_empty() => view! {
                            <EmptyState title="No alarms picked" hint="Pick alarms on the Active list first."/>
                        }.into_any(),
                        Ok(c) => {
                            let first = c.alarms[0].clone();
                            let level = match first.level {
                                AlarmLevel::Critical => "P1",
                                AlarmLevel::Major => "P2",
                                AlarmLevel::Minor => "P3",
                                AlarmLevel::Info => "P4",
                            };
                            let apps = std::iter::once((String::new(), "— the first alarm's —".to_owned()))
                                .chain(c.applications.into_iter().map(|(id, n)| (id.to_string(), n)))
                                .collect();
                            let picked = c.alarms.iter().map(|a| view! {
                                <li class="flex items-center gap-2 py-1.5 text-sm">
                                    <span class="font-mono text-xs text-slate-500">{a.number()}</span>
                                    <AlarmLevelBadge level=a.level/>
                                    <span class="text-slate-800">{a.name.clone()}</span>
                                    <span class="text-slate-500">{format!("× {}", a.count)}</span>
                                </li>
                            }).collect_view();
                            view! {
                                <div class="grid gap-6 lg:grid-cols-3">
                                    <Card title="Picked alarms" class="lg:col-span-1">
                                        <ul class="divide-y divide-slate-100" data-testid="picked-alarms">{picked}</ul>
                                    </Card>
                                    <Card title="New incident" class="lg:col-span-2">
                                        <PostForm action=ConvertAlarms::PATH class="space-y-4" testid="convert-form">
                                            <input type="hidden" name="alarm_ids" value=ids/>
                                            <Field name="title" label="Title" value=first.name.clone() required=true maxlength=200/>
                                            <div class="grid gap-4 sm:grid-cols-3">
                                                <SelectField name="level" label="Level" options=options(Level::ALL, Level::as_str) selected=level/>
                                                <SelectField name="category" label="Category" options=options(Category::ALL, Category::as_str) selected="reliability"/>
                                                <SelectField name="application_id" label="Application" options=apps/>
                                            </div>
                                            <SelectField name="owner" label="Owner" options=c.assignees
                                                hint="A person, or whoever is on duty for a role right now."/>
                                            <div class="flex justify-end"><Submit label="Open incident" testid="convert-submit"/></div>
                                        </PostForm>
                                    </Card>
                                </div>
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
