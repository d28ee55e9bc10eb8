//! Incidents: the list with its tabs and filters, a new incident, and one incident's page with
//! exactly the actions its state allows the viewer, each with its form, and its timeline.

use crate::api::incidents::{
    CreateIncident, IncidentListing, IncidentPage as Page, get_incident, list_incidents,
    new_incident_choices,
};
use crate::components::badge::{Badge, Tone};
use crate::components::feedback::{EmptyState, ErrorBox, Loading};
use crate::components::form::{ButtonKind, CheckField, Field, PostForm, SelectField, Submit};
use crate::components::layout::{Card, PageHeader};
use crate::components::live::LiveRegion;
use crate::components::table::{CursorPagination, TD, Table, col, cursor_of, sortable};
use crate::components::tabs::Tabs;
use crate::components::time::{Time, TimeFull};
use crate::components::timeline::Timeline;
use crate::components::workflow::{
    ActionForm as TicketAction, ActionsCard, Heading, YesNo, ticket_columns, ticket_page,
};
use crate::domain::incident::{Action, Assignee, Category, Incident, IncidentStatus, Level};
use crate::pages::applications::route_id;
use crate::pages::attachments::Attachments;
use crate::pages::changes::ChangeStatusBadge;
use crate::pages::resources::{FILTER_INPUT, FilterSelect, Property, options};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const CRUMBS: &[(&str, &str)] = &[("Operations", "/incidents")];
const LINK: &str = "font-medium text-indigo-700 hover:underline";

#[component]
pub fn LevelBadge(level: Level) -> impl IntoView {
    let tone = match level {
        Level::P1 => Tone::Bad,
        Level::P2 => Tone::Warn,
        Level::P3 => Tone::Accent,
        Level::P4 | Level::P5 => Tone::Neutral,
    };
    view! { <Badge text=level.as_str() tone/> }
}

#[component]
pub fn IncidentStatusBadge(status: IncidentStatus) -> impl IntoView {
    let tone = match status {
        IncidentStatus::Unaccepted => Tone::Bad,
        IncidentStatus::Accepted => Tone::Info,
        IncidentStatus::Paused | IncidentStatus::Rejected => Tone::Warn,
        IncidentStatus::Resolved => Tone::Accent,
        IncidentStatus::Completed | IncidentStatus::Closed => Tone::Good,
    };
    view! { <Badge text=status.as_str() tone/> }
}

fn rows(
    items: Vec<Incident>,
    owners: &[(i64, String)],
    now: DateTime<Utc>,
) -> impl IntoView + use<> {
    let owner = |id: i64| {
        owners
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    items
        .into_iter()
        .map(|i| {
            let who = owner(i.owner_id);
            let sla = i.sla_due().map(|due| {
                let (text, breached) = crate::domain::sla::remaining(now, due);
                let class = if breached { "font-semibold text-rose-700" } else { "text-slate-600" };
                view! { <span class=class data-testid="sla">{text}</span> }
            });
            view! {
                <tr class="hover:bg-slate-50" data-testid=format!("incident-row-{}", i.id)>
                    <td class=format!("{TD} whitespace-nowrap font-mono text-xs")>{i.number()}</td>
                    <td class=TD><a href=format!("/incidents/{}", i.id) class=LINK>{i.title.clone()}</a></td>
                    <td class=TD><LevelBadge level=i.level/></td>
                    <td class=TD><IncidentStatusBadge status=i.status/></td>
                    <td class=TD>{who}</td>
                    <td class=format!("{TD} whitespace-nowrap text-xs")>{sla}</td>
                    <td class=TD><Time at=i.created_at now/></td>
                </tr>
            }
        })
        .collect_view()
}

#[component]
pub fn IncidentsPage() -> impl IntoView {
    let query = use_query_map();
    let (tab, q) = {
        let q = query.read_untracked();
        (
            q.get("tab").unwrap_or_else(|| "all".to_owned()),
            q.get("q").unwrap_or_default(),
        )
    };
    let load = move || {
        let q = query.read_untracked();
        let (after, before) = cursor_of(&q);
        list_incidents(
            q.get("tab"),
            q.get("status"),
            q.get("level"),
            q.get("q"),
            after,
            before,
            q.get("sort"),
        )
    };
    let columns = vec![
        sortable("Number", "id"),
        sortable("Title", "title"),
        sortable("Level", "level"),
        sortable("Status", "status"),
        col("Owner"),
        col("SLA"),
        sortable("Opened", "created_at"),
    ];
    let filters = {
        let (tab, q) = (tab.clone(), q.clone());
        move || {
            view! {
                <form method="get" class="mb-4 flex flex-wrap gap-2" data-testid="incident-filters">
                    <input type="hidden" name="tab" value=tab.clone()/>
                    <input type="search" name="q" value=q placeholder="Title contains" class=format!("{FILTER_INPUT} w-56")/>
                    <FilterSelect name="status" label="Any status" options=options(IncidentStatus::ALL, IncidentStatus::as_str)/>
                    <FilterSelect name="level" label="Any level" options=options(Level::ALL, Level::as_str)/>
                    <button type="submit" class=ButtonKind::Secondary.classes()>"Filter"</button>
                </form>
            }
        }
    };
    view! {
        <Title text="Incidents"/>
        <Suspense fallback=Loading>
            {move || {
                let (columns, tab, filters) = (columns.clone(), tab.clone(), filters.clone());
                Suspend::new(async move {
                    match load().await {
                        Ok(IncidentListing { listing, owners, can_open }) => {
                            let page = listing.data;
                            let body = if page.items.is_empty() {
                                view! { <EmptyState title="No incidents here" hint="Nothing waits for you, or the filters hide it."/> }.into_any()
                            } else {
                                let around = page.neighbours();
                                view! {
                                    <Table columns testid="incidents-table">{rows(page.items, &owners, listing.now)}</Table>
                                    <CursorPagination around/>
                                }.into_any()
                            };
                            view! {
                                <PageHeader title="Incidents" subtitle="Open work first: accept, forward or reject what is yours." crumbs=CRUMBS.to_vec()>
                                    {can_open.then(|| view! { <a href="/incidents/new" class=ButtonKind::Primary.classes() data-testid="new-incident">"New incident"</a> })}
                                </PageHeader>
                                <Tabs base="/incidents" current=tab tabs=&[("mine", "Mine, pending"), ("all", "All")]/>
                                {filters()}
                                <LiveRegion id="incidents".to_owned() topics="incident".to_owned()>{body}</LiveRegion>
                            }.into_any()
                        }
                        Err(e) => view! { <PageHeader title="Incidents" crumbs=CRUMBS.to_vec()/><ErrorBox error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn NewIncidentPage() -> impl IntoView {
    view! {
        <Title text="New incident"/>
        <PageHeader title="New incident" subtitle="It goes to its owner unaccepted." crumbs=vec![("Operations", "/incidents"), ("Incidents", "/incidents")]/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match new_incident_choices().await {
                    Ok(choices) => {
                        let apps = std::iter::once((String::new(), "— none —".to_owned()))
                            .chain(choices.applications.into_iter().map(|(id, n)| (id.to_string(), n)))
                            .collect();
                        view! {
                            <Card class="max-w-3xl">
                                <PostForm action=CreateIncident::PATH class="space-y-4" testid="new-incident-form">
                                    <Field name="title" label="Title" required=true maxlength=200/>
                                    <Field name="description" label="Description" maxlength=2000/>
                                    <div class="grid gap-4 sm:grid-cols-3">
                                        <SelectField name="level" label="Level" options=options(Level::ALL, Level::as_str) selected="P3"
                                            hint="P1: core functions down for all customers."/>
                                        <SelectField name="category" label="Category" options=options(Category::ALL, Category::as_str) selected="function"/>
                                        <SelectField name="application_id" label="Application" options=apps/>
                                    </div>
                                    <SelectField name="owner" label="Owner" options=choices.assignees
                                        hint="A person, or whoever is on duty for a role right now."/>
                                    <div class="flex justify-end gap-2">
                                        <a href="/incidents" class=ButtonKind::Secondary.classes()>"Cancel"</a>
                                        <Submit label="Open incident" testid="create-incident"/>
                                    </div>
                                </PostForm>
                            </Card>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One allowed action as a small form posting to the shared action endpoint.
#[component]
fn ActionForm(
    incident: Incident,
    action: Action,
    assignees: Vec<(String, String)>,
) -> impl IntoView {
    let (label, kind) = match action {
        Action::Accept => ("Accept", ButtonKind::Primary),
        Action::Reject => ("Reject", ButtonKind::Danger),
        Action::Forward => ("Forward", ButtonKind::Secondary),
        Action::Resubmit => ("Resubmit", ButtonKind::Primary),
        Action::Close => ("Close", ButtonKind::Secondary),
        Action::ChangeLevel => ("Change level", ButtonKind::Secondary),
        Action::ApproveLevel => ("Approve or refuse the lower level", ButtonKind::Primary),
        Action::Pause => ("Pause", ButtonKind::Secondary),
        Action::Resume => ("Resume", ButtonKind::Primary),
        Action::Remark => ("Add remark", ButtonKind::Secondary),
        Action::SubmitSolution => ("Submit solution", ButtonKind::Primary),
        Action::Verify => ("Verify", ButtonKind::Primary),
        Action::StartWarRoom => ("Open war room", ButtonKind::Danger),
        Action::CreateImprovement => ("Open improvement", ButtonKind::Secondary),
    };
    // Built inside the form, so each field knows the form it belongs to.
    let fields = move || {
        match action {
        Action::Accept | Action::Resume => ().into_any(),
        Action::Reject => view! { <Field name="reason" label="Reason" required=true maxlength=500/> }.into_any(),
        Action::Close => view! { <Field name="comment" label="Comment" maxlength=500/> }.into_any(),
        Action::Forward => view! {
            <SelectField name="to" label="Forward to" options=assignees/>
            <Field name="comment" label="Comment" maxlength=500/>
        }.into_any(),
        Action::Resubmit => view! {
            <Field name="title" label="Title" value=incident.title.clone() maxlength=200/>
            <SelectField name="level" label="Level" options=options(Level::ALL, Level::as_str) selected=incident.level.as_str()/>
            <Field name="comment" label="Comment" maxlength=500/>
        }.into_any(),
        Action::ChangeLevel => view! {
            <SelectField name="level" label="New level" options=options(Level::ALL, Level::as_str) selected=incident.level.as_str()
                hint="Raising is immediate; lowering by more than one level waits for an administrator."/>
            <Field name="reason" label="Reason" required=true maxlength=500/>
        }.into_any(),
        Action::ApproveLevel => view! {
            <YesNo name="approve" label=format!("Lower to {}?", incident.pending_level.map(|l| l.as_str()).unwrap_or("?"))
                yes="Approve" no="Refuse"/>
            <Field name="comment" label="Comment" maxlength=500/>
        }.into_any(),
        Action::Pause => view! {
            <Field name="until" label="Until (UTC)" kind="datetime-local" required=true/>
            <Field name="reason" label="Reason" required=true maxlength=500/>
        }.into_any(),
        Action::Remark => view! { <Field name="text" label="Remark" required=true maxlength=1000/> }.into_any(),
        Action::SubmitSolution => view! {
            <Field name="cause" label="Cause" required=true maxlength=10000/>
            <Field name="solution" label="Solution" required=true maxlength=10000/>
            <CheckField name="service_interrupted" label="The service was interrupted"/>
            <div class="grid gap-3 sm:grid-cols-2">
                <Field name="fault_started_at" label="Fault started (UTC)" kind="datetime-local"/>
                <Field name="recovered_at" label="Recovered (UTC)" kind="datetime-local"/>
            </div>
        }.into_any(),
        Action::Verify => view! {
            <YesNo name="resolved" label="Is it resolved?" yes="Yes, resolved" no="No, not resolved"/>
            <Field name="comment" label="Comment" maxlength=300 hint="Required when it is not resolved."/>
        }.into_any(),
        Action::StartWarRoom => view! {
            <Field name="title" label="Room title" value=incident.title.clone() maxlength=200
                hint="You become the room's admin; war-room rules bring in who is on duty."/>
        }.into_any(),
        Action::CreateImprovement => {
            let verifiers: Vec<(String, String)> = Assignee::people(&assignees)
                .into_iter()
                .map(|(id, label)| (id.to_string(), label))
                .collect();
            view! {
                <Field name="title" label="What should improve" required=true maxlength=200/>
                <Field name="description" label="Description" maxlength=2000/>
                <div class="grid gap-3 sm:grid-cols-2">
                    <SelectField name="owner" label="Owner" options=assignees/>
                    <SelectField name="verifier_id" label="Verifier" options=verifiers/>
                </div>
                <Field name="due_on" label="Due on" kind="date" required=true/>
            }.into_any()
        }
    }
    };
    let simple = matches!(action, Action::Accept | Action::Resume);
    view! {
        <TicketAction ticket="incident" id=incident.id version=incident.version action=action.as_str() label kind simple>
            {fields()}
        </TicketAction>
    }
}

/// A due time with how much is left, red once breached.
#[component]
fn Due(due: DateTime<Utc>, now: DateTime<Utc>, breached: bool) -> impl IntoView {
    let (text, late) = crate::domain::sla::remaining(now, due);
    let class = if breached || late {
        "text-rose-700 font-semibold"
    } else {
        "text-slate-600"
    };
    view! {
        <span class="block"><TimeFull at=due now/></span>
        <span class=format!("block text-xs {class}")>{text}</span>
    }
}

#[component]
fn IncidentView(page: Page) -> impl IntoView {
    let now = page.detail.now;
    let d = page.detail.data;
    let i = d.incident.clone();
    let forms = d
        .actions
        .iter()
        .map(|a| {
            view! { <ActionForm incident=i.clone() action=*a assignees=page.assignees.clone()/> }
                .into_any()
        })
        .collect();
    let open_problem = view! {
        <a href=format!("/problems/new?source=incident&source_id={}", i.id) class=format!("{LINK} block text-sm") data-testid="open-problem">"Open a problem for its root cause"</a>
    }.into_any();
    let timeline = view! { <Timeline entries=d.history.clone() now/> };
    let (cause, fix, interrupted) = (i.cause.clone(), i.solution.clone(), i.service_interrupted);
    let solution = (!cause.is_empty()).then(move || view! {
        <Card title="Solution">
            <dl class="divide-y divide-slate-100">
                <Property label="Cause">{cause}</Property>
                <Property label="Solution">{fix}</Property>
                <Property label="Service interrupted">{if interrupted { "yes" } else { "no" }}</Property>
            </dl>
        </Card>
    });
    let room = d.war_room.clone().map(|r| view! {
        <Card title="War room">
            <a href=format!("/war-rooms/{}", r.id) class=LINK data-testid="war-room-link">{format!("{} · {}", r.number(), r.title)}</a>
            <span class="ml-2"><Badge text=r.status.as_str() tone=if r.status == crate::domain::war_room::WarRoomStatus::Closed { Tone::Good } else { Tone::Bad }/></span>
        </Card>
    });
    let linked = (!d.improvements.is_empty() || !d.problems.is_empty()).then(|| {
        let improvements = d.improvements.clone();
        let problems = d.problems.clone();
        view! {
            <Card title="Follow-up">
                <ul class="space-y-1 text-sm" data-testid="follow-up">
                    {improvements.into_iter().map(|m| view! {
                        <li><a href=format!("/improvements/{}", m.id) class=LINK>{m.number()}</a> " " {m.title} <span class="text-slate-500">{format!(" · {}", m.status.as_str().replace('_', " "))}</span></li>
                    }).collect_view()}
                    {problems.into_iter().map(|p| view! {
                        <li><a href=format!("/problems/{}", p.id) class=LINK>{p.number()}</a> " " {p.title} <span class="text-slate-500">{format!(" · {}", p.status.as_str().replace('_', " "))}</span></li>
                    }).collect_view()}
                </ul>
            </Card>
        }
    });
    let alarms = (!d.alarms.is_empty()).then(|| {
        let alarms = d.alarms.clone();
        view! {
            <Card title="Alarms">
                <ul class="space-y-1 text-sm" data-testid="incident-alarms">
                    {alarms.into_iter().map(|a| view! {
                        <li class="flex items-center gap-2">
                            <a href=format!("/alarms/{}", a.id) class=LINK>{a.number()}</a>
                            <span class="truncate">{a.name.clone()}</span>
                            <span class="text-slate-500">{format!("× {} · {}", a.count, a.status.as_str())}</span>
                        </li>
                    }).collect_view()}
                </ul>
            </Card>
        }
    });
    let suspects = (!d.suspect_changes.is_empty()).then(|| {
        let changes = d.suspect_changes.clone();
        view! {
            <Card title="Suspect changes">
                <p class="mb-2 text-xs text-slate-500">"Changes on its application or resources that ran shortly before it started."</p>
                <ul class="space-y-2 text-sm" data-testid="suspect-changes">
                    {changes.into_iter().map(|c| view! {
                        <li>
                            <div class="flex items-center gap-2">
                                <a href=format!("/changes/{}", c.id) class=LINK>{c.number()}</a>
                                <ChangeStatusBadge status=c.status/>
                            </div>
                            <div class="truncate">{c.title.clone()}</div>
                            {c.started_at.map(|at| view! { <div class="text-xs text-slate-500">"started " <Time at now/></div> })}
                        </li>
                    }).collect_view()}
                </ul>
            </Card>
        }
    });
    let can_attach = d.can_attach;
    let files = view! {
        <Attachments ticket="incident" id=i.id files=d.attachments.clone() can_attach now/>
    };
    view! {
        <PageHeader title=format!("{} · {}", i.number(), i.title) subtitle=if i.description.is_empty() { "No description.".to_owned() } else { i.description.clone() }
            crumbs=vec![("Operations", "/incidents"), ("Incidents", "/incidents")]>
            <LevelBadge level=i.level/>
            <span data-testid="incident-status"><IncidentStatusBadge status=i.status/></span>
        </PageHeader>
        {ticket_columns(
            view! {
                <Card title="Timeline">{timeline}</Card>
                {solution}
                {files}
            },
            view! {
                {room}
                <ActionsCard noun="incident" forms more=open_problem/>
                {suspects}
                {alarms}
                {linked}
                <Card title="Fields">
                    <dl class="divide-y divide-slate-100" data-testid="incident-fields">
                        <Property label="Owner"><span data-testid="incident-owner">{d.owner_name.clone()}</span></Property>
                        <Property label="Creator">{d.creator_name.clone().unwrap_or_default()}</Property>
                        <Property label="Level">{i.level.as_str()} {i.pending_level.map(|p| format!(" (lowering to {p} awaits approval)"))}</Property>
                        <Property label="Category">{i.category.as_str()}</Property>
                        <Property label="Source">{i.source.as_str().replace('_', " ")}</Property>
                        <Property label="Application">{d.application_name.clone().unwrap_or_else(|| "—".to_owned())}</Property>
                        <Property label="Opened"><TimeFull at=i.created_at now/></Property>
                        {i.accept_due_at.filter(|_| i.status == IncidentStatus::Unaccepted || i.accept_breached_at.is_some())
                            .map(|due| view! { <Property label="Accept by"><Due due now breached=i.accept_breached_at.is_some()/></Property> })}
                        {i.resolve_due_at.map(|due| view! { <Property label="Resolve by"><Due due now breached=i.resolve_breached_at.is_some()/></Property> })}
                        {i.paused_until.map(|at| view! { <Property label="Paused until"><TimeFull at now/></Property> })}
                    </dl>
                </Card>
            },
        )}
    }
}

#[component]
pub fn IncidentPage() -> impl IntoView {
    ticket_page(
        route_id(),
        "Incident",
        CRUMBS.to_vec(),
        "incident,war_room,improvement,problem",
        get_incident,
        |page: &Page| Heading {
            number: page.detail.data.incident.number(),
            live: format!("incident-{}", page.detail.data.incident.id),
        },
        |page| view! { <IncidentView page/> },
    )
}
