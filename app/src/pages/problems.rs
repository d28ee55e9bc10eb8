//! Problems: the list (mine, all), a new one, and one problem's page with the actions its
//! state allows the viewer, its clock, files and timeline.

use crate::api::incidents::new_incident_choices;
use crate::api::problems::{
    CreateProblem, ProblemListing, ProblemPage as Page, get_problem, list_problems,
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
    ActionForm, ActionsCard, Heading, YesNo, ticket_columns, ticket_page,
};
use crate::domain::numbering::Prefix;
use crate::domain::problem::{
    Problem, ProblemAction as A, ProblemLevel, ProblemSource, ProblemStatus,
};
use crate::pages::applications::route_id;
use crate::pages::attachments::Attachments;
use crate::pages::resources::{Property, options};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const CRUMBS: &[(&str, &str)] = &[("Operations", "/incidents"), ("Problems", "/problems")];
const LINK: &str = "font-medium text-indigo-700 hover:underline";

#[component]
pub fn ProblemStatusBadge(status: ProblemStatus) -> impl IntoView {
    let tone = match status {
        ProblemStatus::Unaccepted => Tone::Bad,
        ProblemStatus::Locating | ProblemStatus::ToImplement => Tone::Info,
        ProblemStatus::ToVerify => Tone::Accent,
        ProblemStatus::Rejected | ProblemStatus::Suspended => Tone::Warn,
        ProblemStatus::Closed | ProblemStatus::Cancelled => Tone::Good,
    };
    view! { <Badge text=status.as_str().replace('_', " ") tone/> }
}

/// Time left on the problem's clock, red once past; "clock stopped" while suspended.
fn clock(p: &Problem, now: DateTime<Utc>) -> impl IntoView + use<> {
    match p.clock(now) {
        Some((text, late)) => {
            let class = if late {
                "font-semibold text-rose-700"
            } else {
                "text-slate-600"
            };
            view! { <span class=class data-testid="clock">{text}</span> }.into_any()
        }
        None if p.status == ProblemStatus::Suspended => {
            view! { <span class="text-amber-700" data-testid="clock">"clock stopped"</span> }
                .into_any()
        }
        None => view! { <span class="text-slate-400" data-testid="clock">"—"</span> }.into_any(),
    }
}

#[component]
pub fn ProblemsPage() -> impl IntoView {
    let query = use_query_map();
    let tab = query
        .read_untracked()
        .get("tab")
        .unwrap_or_else(|| "all".to_owned());
    let load = move || {
        let q = query.read_untracked();
        let (after, before) = cursor_of(&q);
        list_problems(
            q.get("tab"),
            q.get("status"),
            q.get("level"),
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
        sortable("Time left", "resolve_due_at"),
    ];
    view! {
        <Title text="Problems"/>
        <Suspense fallback=Loading>
            {move || {
                let (columns, tab) = (columns.clone(), tab.clone());
                Suspend::new(async move {
                    match load().await {
                        Ok(ProblemListing { listing, owners, can_open }) => {
                            let now = listing.now;
                            let page = listing.data;
                            let owner = move |id: i64| owners.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone()).unwrap_or_default();
                            let body = if page.items.is_empty() {
                                view! { <EmptyState title="No problems here" hint="Open one for a cause worth finding."/> }.into_any()
                            } else {
                                let around = page.neighbours();
                                let rows = page.items.into_iter().map(|p| view! {
                                    <tr class="hover:bg-slate-50" data-testid=format!("problem-row-{}", p.id)>
                                        <td class=format!("{TD} whitespace-nowrap font-mono text-xs")>{p.number()}</td>
                                        <td class=TD><a href=format!("/problems/{}", p.id) class=LINK>{p.title.clone()}</a></td>
                                        <td class=TD>{p.level.as_str()}</td>
                                        <td class=TD><ProblemStatusBadge status=p.status/></td>
                                        <td class=TD>{owner(p.owner_id)}</td>
                                        <td class=format!("{TD} whitespace-nowrap text-xs")>{clock(&p, now)}</td>
                                    </tr>
                                }).collect_view();
                                view! {
                                    <Table columns testid="problems-table">{rows}</Table>
                                    <CursorPagination around/>
                                }.into_any()
                            };
                            view! {
                                <PageHeader title="Problems" subtitle="Root causes: located, fixed and verified by whoever raised them." crumbs=CRUMBS[..1].to_vec()>
                                    {can_open.then(|| view! { <a href="/problems/new" class=ButtonKind::Primary.classes() data-testid="new-problem">"New problem"</a> })}
                                </PageHeader>
                                <Tabs base="/problems" current=tab tabs=&[("mine", "Mine"), ("all", "All")]/>
                                <LiveRegion id="problems".to_owned() topics="problem".to_owned()>{body}</LiveRegion>
                            }.into_any()
                        }
                        Err(e) => view! { <PageHeader title="Problems" crumbs=CRUMBS[..1].to_vec()/><ErrorBox error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn NewProblemPage() -> impl IntoView {
    let query = use_query_map();
    let (source, source_id) = {
        let q = query.read_untracked();
        (
            q.get("source").unwrap_or_else(|| "proactive".to_owned()),
            q.get("source_id").unwrap_or_default(),
        )
    };
    view! {
        <Title text="New problem"/>
        <PageHeader title="New problem" subtitle="It goes to its owner unaccepted; you verify the solution." crumbs=CRUMBS.to_vec()/>
        <Suspense fallback=Loading>
            {move || {
                let (source, source_id) = (source.clone(), source_id.clone());
                Suspend::new(async move {
                    match new_incident_choices().await {
                        Ok(choices) => {
                            let apps = std::iter::once((String::new(), "— none —".to_owned()))
                                .chain(choices.applications.into_iter().map(|(id, n)| (id.to_string(), n)))
                                .collect();
                            view! {
                                <Card class="max-w-3xl">
                                    <PostForm action=CreateProblem::PATH class="space-y-4" testid="new-problem-form">
                                        <Field name="title" label="Title" required=true maxlength=200/>
                                        <Field name="description" label="Description" maxlength=2000/>
                                        <div class="grid gap-4 sm:grid-cols-3">
                                            <SelectField name="level" label="Level" options=options(ProblemLevel::ALL, ProblemLevel::as_str) selected="major"/>
                                            <SelectField name="source" label="Source" options=options(ProblemSource::ALL, ProblemSource::as_str) selected=source/>
                                            <Field name="source_id" label="Source number" value=source_id hint="The incident, alarm or war room number."/>
                                        </div>
                                        <div class="grid gap-4 sm:grid-cols-2">
                                            <SelectField name="application_id" label="Application" options=apps/>
                                            <SelectField name="owner" label="Owner" options=choices.assignees/>
                                        </div>
                                        <div class="flex justify-end gap-2">
                                            <a href="/problems" class=ButtonKind::Secondary.classes()>"Cancel"</a>
                                            <Submit label="Open problem" testid="create-problem"/>
                                        </div>
                                    </PostForm>
                                </Card>
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

fn action_form(p: &Problem, action: A, assignees: Vec<(String, String)>) -> impl IntoView + use<> {
    let (label, kind) = match action {
        A::Accept => ("Accept", ButtonKind::Primary),
        A::Reject => ("Reject", ButtonKind::Danger),
        A::Resubmit => ("Resubmit", ButtonKind::Primary),
        A::Cancel => ("Cancel problem", ButtonKind::Danger),
        A::Forward => ("Forward", ButtonKind::Secondary),
        A::ChangeLevel => ("Change level", ButtonKind::Secondary),
        A::Suspend => ("Ask to suspend", ButtonKind::Secondary),
        A::ApproveSuspension => ("Approve or refuse the suspension", ButtonKind::Primary),
        A::Resume => ("Resume", ButtonKind::Primary),
        A::SubmitSolution => ("Submit solution", ButtonKind::Primary),
        A::RecordChange => ("Record change result", ButtonKind::Primary),
        A::Verify => ("Verify", ButtonKind::Primary),
        A::Remark => ("Add remark", ButtonKind::Secondary),
    };
    // Built inside the form, so each field knows the form it belongs to.
    let (id, version) = (p.id, p.version);
    let p = p.clone();
    let fields = move || {
        match action {
        A::Accept | A::Resume => ().into_any(),
        A::Reject | A::Cancel => view! { <Field name="reason" label="Reason" required=true maxlength=500/> }.into_any(),
        A::Suspend => view! {
            <Field name="reason" label="Why suspend" required=true maxlength=500 hint="The creator approves; the clock stops while suspended."/>
        }.into_any(),
        A::Resubmit => view! {
            <Field name="title" label="Title" value=p.title.clone() maxlength=200/>
            <Field name="comment" label="Comment" maxlength=500/>
        }.into_any(),
        A::Forward => view! {
            <SelectField name="to" label="Forward to" options=assignees/>
            <Field name="comment" label="Comment" maxlength=500/>
        }.into_any(),
        A::ChangeLevel => view! {
            <SelectField name="level" label="New level" options=options(ProblemLevel::ALL, ProblemLevel::as_str) selected=p.level.as_str()/>
            <Field name="reason" label="Reason" required=true maxlength=500/>
        }.into_any(),
        A::ApproveSuspension => view! {
            <p class="text-sm text-slate-700">"Suspension asked: " <span class="italic">{p.suspension_request.clone().unwrap_or_default()}</span></p>
            <YesNo name="approve" label="Suspend it?" yes="Approve: stop the clock" no="Refuse: keep locating"/>
            <Field name="comment" label="Comment" maxlength=500/>
        }.into_any(),
        A::SubmitSolution => view! {
            <Field name="root_cause" label="Root cause" required=true maxlength=10000/>
            <Field name="solution" label="Solution" required=true maxlength=10000/>
            <CheckField name="change_needed" label="A change is needed to carry it out"/>
            <Field name="change_ref" label="Change ticket" maxlength=100 hint="Required when a change is needed."/>
        }.into_any(),
        A::RecordChange => view! {
            <YesNo name="succeeded" label="Did the change succeed?" yes="Yes: to verification" no="No: back to locating"/>
            <Field name="comment" label="Comment" maxlength=500 hint="Required when it failed."/>
        }.into_any(),
        A::Verify => view! {
            <YesNo name="passed" label="Is the cause gone?" yes="Yes: close it" no="No: back to locating"/>
            <Field name="comment" label="Comment" maxlength=500 hint="Required when it is not."/>
        }.into_any(),
        A::Remark => view! { <Field name="text" label="Remark" required=true maxlength=1000/> }.into_any(),
    }
    };
    view! {
        <ActionForm ticket="problem" id version action=action.as_str() label kind simple=matches!(action, A::Accept | A::Resume)>
            {fields()}
        </ActionForm>
    }
}

#[component]
fn ProblemView(page: Page) -> impl IntoView {
    let now = page.detail.now;
    let d = page.detail.data;
    let p = d.problem.clone();
    let forms = d
        .actions
        .iter()
        .map(|a| action_form(&p, *a, page.assignees.clone()).into_any())
        .collect();
    let source = match (p.source, p.source_id) {
        (ProblemSource::Incident, Some(id)) => {
            view! { <a href=format!("/incidents/{id}") class=LINK>{Prefix::Incident.number(id)}</a> }
                .into_any()
        }
        (ProblemSource::Change, Some(id)) => {
            view! { <a href=format!("/changes/{id}") class=LINK>{Prefix::Change.number(id)}</a> }
                .into_any()
        }
        (ProblemSource::WarRoom, Some(id)) => {
            view! { <a href=format!("/war-rooms/{id}") class=LINK>{Prefix::WarRoom.number(id)}</a> }
                .into_any()
        }
        (source, id) => format!(
            "{}{}",
            source.as_str(),
            id.map(|i| format!(" {i}")).unwrap_or_default()
        )
        .into_any(),
    };
    let (root_cause, fix) = (p.root_cause.clone(), p.solution.clone());
    let change = if p.change_needed {
        p.change_ref.clone()
    } else {
        "not needed".to_owned()
    };
    let solution = (!root_cause.is_empty()).then(move || {
        view! {
            <Card title="Solution">
                <dl class="divide-y divide-slate-100">
                    <Property label="Root cause">{root_cause}</Property>
                    <Property label="Solution">{fix}</Property>
                    <Property label="Change">{change}</Property>
                </dl>
            </Card>
        }
    });
    let time_left = clock(&p, now);
    let waiting = p.suspension_request.clone().map(|r| view! {
        <div class="mb-4 rounded-lg border border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-900" data-testid="suspension-waits">
            "A suspension waits for the creator's approval: " {r}
        </div>
    });
    view! {
        <PageHeader title=format!("{} · {}", p.number(), p.title.clone()) subtitle=if p.description.is_empty() { "No description.".to_owned() } else { p.description.clone() } crumbs=CRUMBS.to_vec()>
            <Badge text=p.level.as_str() tone=Tone::Neutral/>
            <span data-testid="problem-status"><ProblemStatusBadge status=p.status/></span>
        </PageHeader>
        {waiting}
        {ticket_columns(
            view! {
                <Card title="Timeline"><Timeline entries=d.history.clone() now/></Card>
                {solution}
                <Attachments ticket="problem" id=p.id files=d.attachments.clone() can_attach=d.can_attach now/>
            },
            view! {
                <ActionsCard noun="problem" forms/>
                <Card title="Fields">
                    <dl class="divide-y divide-slate-100">
                        <Property label="Owner"><span data-testid="problem-owner">{d.owner_name.clone()}</span></Property>
                        <Property label="Creator">{d.creator_name.clone().unwrap_or_default()}</Property>
                        <Property label="Source">{source}</Property>
                        <Property label="Application">{d.application_name.clone().unwrap_or_else(|| "—".to_owned())}</Property>
                        <Property label="Time left">{time_left}</Property>
                        <Property label="Resolve by"><TimeFull at=p.resolve_due_at now/></Property>
                        <Property label="Opened"><Time at=p.created_at now/></Property>
                    </dl>
                </Card>
            },
        )}
    }
}

#[component]
pub fn ProblemPage() -> impl IntoView {
    ticket_page(
        route_id(),
        "Problem",
        CRUMBS.to_vec(),
        "problem",
        get_problem,
        |page: &Page| Heading {
            number: page.detail.data.problem.number(),
            live: format!("problem-{}", page.detail.data.problem.id),
        },
        |page| view! { <ProblemView page/> },
    )
}
