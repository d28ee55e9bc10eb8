//! Improvement tickets: the list (mine, overdue, all), a new one, and one ticket's page with the
//! actions its state allows the viewer and its timeline.

use crate::api::improvements::{
    CreateImprovement, ImprovementListing, ImprovementPage as Page, get_improvement,
    improvement_choices, list_improvements,
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
use crate::components::workflow::{
    ActionForm, ActionsCard, Heading, YesNo, ticket_columns, ticket_page,
};
use crate::domain::improvement::{Improvement, ImprovementAction as A, ImprovementStatus};
use crate::domain::numbering::Prefix;
use crate::pages::applications::route_id;
use crate::pages::resources::Property;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const CRUMBS: &[(&str, &str)] = &[
    ("Operations", "/incidents"),
    ("Improvements", "/improvements"),
];
const LINK: &str = "font-medium text-indigo-700 hover:underline";

#[component]
pub fn ImprovementStatusBadge(status: ImprovementStatus) -> impl IntoView {
    let tone = match status {
        ImprovementStatus::Pending => Tone::Warn,
        ImprovementStatus::InProgress => Tone::Info,
        ImprovementStatus::ToVerify => Tone::Accent,
        ImprovementStatus::Closed => Tone::Good,
    };
    view! { <Badge text=status.as_str().replace('_', " ") tone/> }
}

fn due(i: &Improvement, now: DateTime<Utc>) -> impl IntoView + use<> {
    let overdue = i.overdue(now);
    let class = if overdue {
        "font-semibold text-rose-700"
    } else {
        "text-slate-600"
    };
    view! {
        <span class=class data-testid="due">{i.due_on.to_string()}</span>
        {overdue.then(|| view! { <span class="ml-1"><Badge text="overdue" tone=Tone::Bad/></span> })}
    }
}

#[component]
pub fn ImprovementsPage() -> impl IntoView {
    let query = use_query_map();
    let tab = query
        .read_untracked()
        .get("tab")
        .unwrap_or_else(|| "all".to_owned());
    let load = move || {
        let q = query.read_untracked();
        let (after, before) = cursor_of(&q);
        list_improvements(q.get("tab"), q.get("status"), after, before, q.get("sort"))
    };
    let columns = vec![
        sortable("Number", "id"),
        sortable("Title", "title"),
        sortable("Status", "status"),
        col("Owner"),
        sortable("Due", "due_on"),
        sortable("Opened", "created_at"),
    ];
    view! {
        <Title text="Improvements"/>
        <Suspense fallback=Loading>
            {move || {
                let (columns, tab) = (columns.clone(), tab.clone());
                Suspend::new(async move {
                    match load().await {
                        Ok(ImprovementListing { listing, owners, can_open }) => {
                            let now = listing.now;
                            let page = listing.data;
                            let owner = move |id: i64| owners.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone()).unwrap_or_default();
                            let body = if page.items.is_empty() {
                                view! { <EmptyState title="No improvements here" hint="Open one from an incident, or by hand."/> }.into_any()
                            } else {
                                let around = page.neighbours();
                                let rows = page.items.into_iter().map(|i| view! {
                                    <tr class="hover:bg-slate-50" data-testid=format!("improvement-row-{}", i.id)>
                                        <td class=format!("{TD} whitespace-nowrap font-mono text-xs")>{i.number()}</td>
                                        <td class=TD><a href=format!("/improvements/{}", i.id) class=LINK>{i.title.clone()}</a></td>
                                        <td class=TD><ImprovementStatusBadge status=i.status/></td>
                                        <td class=TD>{owner(i.owner_id)}</td>
                                        <td class=format!("{TD} whitespace-nowrap text-xs")>{due(&i, now)}</td>
                                        <td class=TD><Time at=i.created_at now/></td>
                                    </tr>
                                }).collect_view();
                                view! {
                                    <Table columns testid="improvements-table">{rows}</Table>
                                    <CursorPagination around/>
                                }.into_any()
                            };
                            view! {
                                <PageHeader title="Improvements" subtitle="What incidents taught us, owned until someone else verifies it is done." crumbs=CRUMBS[..1].to_vec()>
                                    {can_open.then(|| view! { <a href="/improvements/new" class=ButtonKind::Primary.classes() data-testid="new-improvement">"New improvement"</a> })}
                                </PageHeader>
                                <Tabs base="/improvements" current=tab tabs=&[("mine", "Mine"), ("overdue", "Overdue"), ("all", "All")]/>
                                <LiveRegion id="improvements".to_owned() topics="improvement".to_owned()>{body}</LiveRegion>
                            }.into_any()
                        }
                        Err(e) => view! { <PageHeader title="Improvements" crumbs=CRUMBS[..1].to_vec()/><ErrorBox error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn NewImprovementPage() -> impl IntoView {
    let query = use_query_map();
    let (source, source_id) = {
        let q = query.read_untracked();
        (
            q.get("source").unwrap_or_default(),
            q.get("source_id").unwrap_or_default(),
        )
    };
    let prefix = match source.as_str() {
        "war_room" => Some(Prefix::WarRoom),
        "incident" => Some(Prefix::Incident),
        _ => None,
    };
    let from = prefix
        .zip(source_id.parse::<i64>().ok())
        .map(|(prefix, id)| format!("From {}.", prefix.number(id)));
    view! {
        <Title text="New improvement"/>
        <PageHeader title="New improvement" subtitle=from.unwrap_or_else(|| "It goes to its owner, pending.".to_owned()) crumbs=CRUMBS.to_vec()/>
        <Suspense fallback=Loading>
            {move || {
                let (source, source_id) = (source.clone(), source_id.clone());
                Suspend::new(async move {
                match improvement_choices().await {
                    Ok(choices) => {
                        let apps = std::iter::once((String::new(), "— none —".to_owned()))
                            .chain(choices.applications.into_iter().map(|(id, n)| (id.to_string(), n)))
                            .collect();
                        view! {
                            <Card class="max-w-3xl">
                                <PostForm action=CreateImprovement::PATH class="space-y-4" testid="new-improvement-form">
                                    <input type="hidden" name="source" value=source/>
                                    <input type="hidden" name="source_id" value=source_id/>
                                    <Field name="title" label="Title" required=true maxlength=200/>
                                    <Field name="description" label="Description" maxlength=2000/>
                                    <div class="grid gap-4 sm:grid-cols-3">
                                        <SelectField name="application_id" label="Application" options=apps/>
                                        <SelectField name="owner" label="Owner" options=choices.assignees/>
                                        <SelectField name="verifier_id" label="Verifier" options=choices.verifiers hint="Someone other than the owner."/>
                                    </div>
                                    <Field name="due_on" label="Due on" kind="date" required=true/>
                                    <div class="flex justify-end gap-2">
                                        <a href="/improvements" class=ButtonKind::Secondary.classes()>"Cancel"</a>
                                        <Submit label="Open improvement" testid="create-improvement"/>
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

fn action_form(
    i: &Improvement,
    action: A,
    assignees: Vec<(String, String)>,
) -> impl IntoView + use<> {
    let (label, kind) = match action {
        A::Accept => ("Accept", ButtonKind::Primary),
        A::Process => ("Mark done", ButtonKind::Primary),
        A::Forward => ("Forward", ButtonKind::Secondary),
        A::Verify => ("Verify", ButtonKind::Primary),
        A::Remark => ("Add remark", ButtonKind::Secondary),
    };
    // Built inside the form, so each field knows the form it belongs to.
    let fields = move || {
        match action {
        A::Accept => ().into_any(),
        A::Process => view! {
            <Field name="cause" label="Cause" required=true maxlength=1000/>
            <Field name="measures" label="Measures taken" required=true maxlength=1000/>
        }.into_any(),
        A::Forward => view! {
            <SelectField name="to" label="Forward to" options=assignees/>
            <Field name="comment" label="Comment" maxlength=500/>
        }.into_any(),
        A::Verify => view! {
            <YesNo name="passed" label="Does it hold?" yes="Yes: close it" no="No: back to the owner"/>
            <Field name="comment" label="Comment" maxlength=500 hint="Required when it does not hold."/>
        }.into_any(),
        A::Remark => view! { <Field name="text" label="Remark" required=true maxlength=1000/> }.into_any(),
    }
    };
    view! {
        <ActionForm ticket="improvement" id=i.id version=i.version action=action.as_str() label kind simple=action == A::Accept>
            {fields()}
        </ActionForm>
    }
}

#[component]
fn ImprovementView(page: Page) -> impl IntoView {
    let now = page.detail.now;
    let d = page.detail.data;
    let i = d.improvement.clone();
    let forms = d
        .actions
        .iter()
        .map(|a| action_form(&i, *a, page.assignees.clone()).into_any())
        .collect();
    let source = match i.source_link() {
        Some(href) => view! { <a href=href class=LINK>{i.source_label()}</a> }.into_any(),
        None => i.source_label().into_any(),
    };
    let (cause, measures) = (i.cause.clone(), i.measures.clone());
    let work = (!cause.is_empty()).then(move || {
        view! {
            <Card title="Work done">
                <dl class="divide-y divide-slate-100">
                    <Property label="Cause">{cause}</Property>
                    <Property label="Measures">{measures}</Property>
                </dl>
            </Card>
        }
    });
    let due_on = due(&i, now);
    view! {
        <PageHeader title=format!("{} · {}", i.number(), i.title.clone()) subtitle=if i.description.is_empty() { "No description.".to_owned() } else { i.description.clone() } crumbs=CRUMBS.to_vec()>
            <span data-testid="improvement-status"><ImprovementStatusBadge status=i.status/></span>
            {d.overdue.then(|| view! { <Badge text="overdue" tone=Tone::Bad/> })}
        </PageHeader>
        {ticket_columns(
            view! {
                <Card title="Timeline"><Timeline entries=d.history.clone() now/></Card>
                {work}
            },
            view! {
                <ActionsCard noun="improvement" forms/>
                <Card title="Fields">
                    <dl class="divide-y divide-slate-100">
                        <Property label="Owner"><span data-testid="improvement-owner">{d.owner_name.clone()}</span></Property>
                        <Property label="Verifier">{d.verifier_name.clone()}</Property>
                        <Property label="Source">{source}</Property>
                        <Property label="Application">{d.application_name.clone().unwrap_or_else(|| "—".to_owned())}</Property>
                        <Property label="Due on">{due_on}</Property>
                        <Property label="Opened"><TimeFull at=i.created_at now/></Property>
                    </dl>
                </Card>
            },
        )}
    }
}

#[component]
pub fn ImprovementPage() -> impl IntoView {
    ticket_page(
        route_id(),
        "Improvement",
        CRUMBS.to_vec(),
        "improvement",
        get_improvement,
        |page: &Page| Heading {
            number: page.detail.data.improvement.number(),
            live: format!("improvement-{}", page.detail.data.improvement.id),
        },
        |page| view! { <ImprovementView page/> },
    )
}
