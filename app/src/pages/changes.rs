//! Change tickets: the list (mine to implement, all) with its filters, planning a new one, and
//! one change's page with the actions its state allows the viewer and its timeline.

use crate::api::changes::{
    ChangeListing, ChangeOptions, ChangePage as Page, CreateChange, change_choices, get_change,
    list_changes,
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
use crate::components::workflow::{ActionForm, ActionsCard, Heading, ticket_columns, ticket_page};
use crate::domain::change::{
    Change, ChangeAction as A, ChangeStatus, ChangeType, FailureRate, ImplementationResult,
    RiskLevel,
};
use crate::domain::numbering::Prefix;
use crate::domain::problem::ProblemLevel;
use crate::domain::review::{Mode, Outcome, Review, Reviewer};
use crate::pages::applications::route_id;
use crate::pages::resources::{FILTER_INPUT, FilterSelect, Property, options};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const CRUMBS: &[(&str, &str)] = &[("Operations", "/incidents"), ("Changes", "/changes")];
const LINK: &str = "font-medium text-indigo-700 hover:underline";

#[component]
pub fn ChangeStatusBadge(status: ChangeStatus) -> impl IntoView {
    let tone = match status {
        ChangeStatus::Draft => Tone::Neutral,
        ChangeStatus::PendingApproval => Tone::Warn,
        ChangeStatus::Approved => Tone::Accent,
        ChangeStatus::Implementing => Tone::Info,
        ChangeStatus::Succeeded | ChangeStatus::Closed => Tone::Good,
        ChangeStatus::Failed | ChangeStatus::RolledBack => Tone::Bad,
        ChangeStatus::Cancelled => Tone::Neutral,
    };
    view! { <Badge text=status.as_str().replace('_', " ") tone/> }
}

/// "2026-12-01 10:00 → 12:00 UTC", or with the end's date when it ends another day.
fn window(c: &Change) -> String {
    let start = c.planned_start.format("%Y-%m-%d %H:%M");
    if c.planned_end.date_naive() == c.planned_start.date_naive() {
        format!("{start} → {} UTC", c.planned_end.format("%H:%M"))
    } else {
        format!("{start} → {} UTC", c.planned_end.format("%Y-%m-%d %H:%M"))
    }
}

#[component]
pub fn ChangesPage() -> impl IntoView {
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
        list_changes(
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
        col("Type"),
        sortable("Risk", "level"),
        sortable("Status", "status"),
        col("Implementer"),
        sortable("Window", "planned_start"),
    ];
    let filters = {
        let (tab, q) = (tab.clone(), q.clone());
        move || {
            view! {
                <form method="get" class="mb-4 flex flex-wrap gap-2" data-testid="change-filters">
                    <input type="hidden" name="tab" value=tab.clone()/>
                    <input type="search" name="q" value=q placeholder="Title contains" class=format!("{FILTER_INPUT} w-56")/>
                    <FilterSelect name="status" label="Any status" options=options(ChangeStatus::ALL, ChangeStatus::as_str)/>
                    <FilterSelect name="level" label="Any risk" options=options(RiskLevel::ALL, RiskLevel::as_str)/>
                    <button type="submit" class=ButtonKind::Secondary.classes()>"Filter"</button>
                </form>
            }
        }
    };
    view! {
        <Title text="Changes"/>
        <Suspense fallback=Loading>
            {move || {
                let (columns, tab, filters) = (columns.clone(), tab.clone(), filters.clone());
                Suspend::new(async move {
                    match load().await {
                        Ok(ChangeListing { listing, implementers, failure_rates, can_plan }) => {
                            let page = listing.data;
                            let name = move |id: i64| implementers.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone()).unwrap_or_default();
                            let body = if page.items.is_empty() {
                                view! { <EmptyState title="No changes here" hint="Plan one, or the filters hide it."/> }.into_any()
                            } else {
                                let around = page.neighbours();
                                let rows = page.items.into_iter().map(|c| view! {
                                    <tr class="hover:bg-slate-50" data-testid=format!("change-row-{}", c.id)>
                                        <td class=format!("{TD} whitespace-nowrap font-mono text-xs")>{c.number()}</td>
                                        <td class=TD><a href=format!("/changes/{}", c.id) class=LINK>{c.title.clone()}</a></td>
                                        <td class=TD>{c.change_type.as_str()}</td>
                                        <td class=TD><Badge text=c.level.as_str() tone=Tone::Neutral/></td>
                                        <td class=TD><ChangeStatusBadge status=c.status/></td>
                                        <td class=TD>{name(c.implementer_id)}</td>
                                        <td class=format!("{TD} whitespace-nowrap text-xs")>{window(&c)}</td>
                                    </tr>
                                }).collect_view();
                                view! {
                                    <Table columns testid="changes-table">{rows}</Table>
                                    <CursorPagination around/>
                                }.into_any()
                            };
                            view! {
                                <PageHeader title="Changes" subtitle="Planned work on the estate: reviewed, run in its window, recorded as it ran." crumbs=CRUMBS[..1].to_vec()>
                                    <a href="/changes/calendar" class=ButtonKind::Secondary.classes() data-testid="calendar">"Calendar"</a>
                                    <a href="/standard-changes" class=ButtonKind::Secondary.classes() data-testid="standard-changes">"Standard changes"</a>
                                    <a href="/review-flows" class=ButtonKind::Secondary.classes() data-testid="review-flows">"Review flows"</a>
                                    <a href="/freeze-windows" class=ButtonKind::Secondary.classes() data-testid="freeze-windows">"Freeze windows"</a>
                                    {can_plan.then(|| view! { <a href="/changes/new" class=ButtonKind::Primary.classes() data-testid="new-change">"Plan a change"</a> })}
                                </PageHeader>
                                <Tabs base="/changes" current=tab tabs=&[("approve", "Waiting for my approval"), ("mine", "Mine to implement"), ("all", "All")]/>
                                {filters()}
                                <LiveRegion id="changes".to_owned() topics="change".to_owned()>
                                    {body}
                                    <FailureRates rates=failure_rates/>
                                </LiveRegion>
                            }.into_any()
                        }
                        Err(e) => view! { <PageHeader title="Changes" crumbs=CRUMBS[..1].to_vec()/><ErrorBox error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The change failure rate per application over the last 30 days.
#[component]
fn FailureRates(rates: Vec<FailureRate>) -> impl IntoView {
    (!rates.is_empty()).then(|| view! {
        <Card title="Change failure rate, last 30 days" class="mt-4 max-w-2xl">
            <p class="mb-2 text-xs text-slate-500">"Changes that failed, were rolled back, or were followed by an incident on their application, over the changes that ran."</p>
            <table class="w-full text-sm" data-testid="failure-rates">
                <tbody class="divide-y divide-slate-100">
                    {rates.into_iter().map(|r| view! {
                        <tr>
                            <td class="py-1.5">{r.application_name.clone()}</td>
                            <td class="py-1.5 text-right text-slate-500">{format!("{} of {}", r.failed, r.changes)}</td>
                            <td class="py-1.5 text-right font-medium">{r.percent()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </Card>
    })
}

/// The application picker's options, "" for none.
fn applications(choices: &ChangeOptions) -> Vec<(String, String)> {
    std::iter::once((String::new(), "— none —".to_owned()))
        .chain(
            choices
                .applications
                .iter()
                .map(|(id, n)| (id.to_string(), n.clone())),
        )
        .collect()
}

/// A `datetime-local` value for a time (UTC).
fn local(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M").to_string()
}

/// The fields of a change's plan, filled from `change` when editing.
fn plan_fields(choices: ChangeOptions, change: Option<&Change>) -> impl IntoView + use<> {
    let text = |f: fn(&Change) -> String| change.map(f).unwrap_or_default();
    let apps = applications(&choices);
    view! {
        <Field name="title" label="Title" required=true maxlength=200 value=text(|c| c.title.clone())/>
        <Field name="description" label="Description" maxlength=4096 value=text(|c| c.description.clone())/>
        <div class="grid gap-4 sm:grid-cols-2">
            <SelectField name="level" label="Risk" options=options(RiskLevel::ALL, RiskLevel::as_str)
                selected=change.map(|c| c.level.as_str()).unwrap_or("C") hint="A: highest risk."/>
            <SelectField name="application_id" label="Application" options=apps
                selected=text(|c| c.application_id.map(|a| a.to_string()).unwrap_or_default())/>
        </div>
        <SelectField name="implementer" label="Implementer" options=choices.implementers
            selected=text(|c| format!("user:{}", c.implementer_id)) hint="Who carries it out."/>
        <div class="grid gap-4 sm:grid-cols-2">
            <Field name="planned_start" label="Planned start (UTC)" kind="datetime-local" required=true value=text(|c| local(c.planned_start))/>
            <Field name="planned_end" label="Planned end (UTC)" kind="datetime-local" required=true value=text(|c| local(c.planned_end))/>
        </div>
        <Field name="rollback_plan" label="Rollback plan" required=true maxlength=4096 value=text(|c| c.rollback_plan.clone())
            hint="How it is undone if it goes wrong."/>
    }
}

#[component]
pub fn NewChangePage() -> impl IntoView {
    view! {
        <Title text="Plan a change"/>
        <PageHeader title="Plan a change" subtitle="It starts as a draft; submit it for review when it is ready." crumbs=CRUMBS.to_vec()>
            <a href="/standard-changes" class=ButtonKind::Secondary.classes()>"Pick a standard change instead"</a>
        </PageHeader>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match change_choices().await {
                    Ok(choices) => view! {
                        <Card class="max-w-3xl">
                            <PostForm action=CreateChange::PATH class="space-y-4" testid="new-change-form">
                                <SelectField name="change_type" label="Type" selected="normal"
                                    options=vec![("normal".into(), "Normal: reviewed before it runs".into()), ("emergency".into(), "Emergency: runs at once, reviewed afterwards".into())]/>
                                {plan_fields(choices, None)}
                                <div class="flex justify-end gap-2">
                                    <a href="/changes" class=ButtonKind::Secondary.classes()>"Cancel"</a>
                                    <Submit label="Save draft" testid="create-change"/>
                                </div>
                            </PostForm>
                        </Card>
                    }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn action_form(c: &Change, action: A, choices: Option<ChangeOptions>) -> impl IntoView + use<> {
    let (label, kind) = match action {
        A::Edit => ("Edit the draft", ButtonKind::Secondary),
        A::Submit => ("Submit", ButtonKind::Primary),
        A::Approve => ("Approve", ButtonKind::Primary),
        A::Reject => ("Reject", ButtonKind::Danger),
        A::Start => ("Start", ButtonKind::Primary),
        A::StartOverride => ("Start outside its window", ButtonKind::Danger),
        A::RecordResult => ("Record the result", ButtonKind::Primary),
        A::Close => ("Close", ButtonKind::Primary),
        A::Cancel => ("Cancel the change", ButtonKind::Danger),
        A::OpenProblem => ("Open a problem for its cause", ButtonKind::Secondary),
        A::Remark => ("Add remark", ButtonKind::Secondary),
    };
    let (id, version) = (c.id, c.version);
    let c = c.clone();
    // Built inside the form, so each field knows the form it belongs to.
    let fields = move || {
        match action {
        A::Start => ().into_any(),
        A::Edit => choices
            .map(|choices| plan_fields(choices, Some(&c)).into_any())
            .unwrap_or_else(|| ().into_any()),
        A::Submit | A::Approve => view! { <Field name="comment" label="Comment" maxlength=500/> }.into_any(),
        A::Reject => view! { <Field name="reason" label="What must change" required=true maxlength=500/> }.into_any(),
        A::StartOverride | A::Cancel => view! { <Field name="reason" label="Reason" required=true maxlength=500/> }.into_any(),
        A::RecordResult => view! {
            <SelectField name="result" label="Result" options=options(ImplementationResult::ALL, ImplementationResult::as_str)/>
            <Field name="reason" label="Why it failed or was rolled back" maxlength=500 hint="Required unless it succeeded."/>
            <CheckField name="detected_by_monitoring" label="Monitoring detected the failure"/>
        }.into_any(),
        A::Close => view! { <Field name="verification_notes" label="Verification notes" required=true maxlength=4096/> }.into_any(),
        A::OpenProblem => {
            let owners = choices.map(|c| c.implementers).unwrap_or_default();
            let how = c.result.map_or("failed".to_owned(), |r| r.as_str().replace('_', " "));
            let title = format!("Why {} {how}", c.number());
            view! {
                <Field name="title" label="Problem" required=true maxlength=200 value=title/>
                <SelectField name="level" label="Level" options=options(ProblemLevel::ALL, ProblemLevel::as_str) selected="major"/>
                <SelectField name="owner" label="Owner" options=owners hint="Who locates the root cause."/>
            }.into_any()
        }
        A::Remark => view! { <Field name="text" label="Remark" required=true maxlength=1000/> }.into_any(),
    }
    };
    let simple = action == A::Start;
    view! {
        <ActionForm ticket="change" id version action=action.as_str() label kind simple>
            {fields()}
        </ActionForm>
    }
}

#[component]
fn ChangeView(page: Page) -> impl IntoView {
    let now = page.detail.now;
    let d = page.detail.data;
    let c = d.change.clone();
    let forms = d
        .actions
        .iter()
        .map(|a| action_form(&c, *a, page.choices.clone()).into_any())
        .collect();
    let outcome = c.finished_at.map(|at| {
        let (reason, notes) = (c.result_reason.clone(), c.verification_notes.clone());
        let seen = match c.detected_by_monitoring {
            Some(true) => "by monitoring",
            Some(false) => "by a person",
            None => "—",
        };
        view! {
            <Card title="Implementation">
                <dl class="divide-y divide-slate-100">
                    {c.started_at.map(|at| view! { <Property label="Started"><TimeFull at now/></Property> })}
                    <Property label="Finished"><TimeFull at now/></Property>
                    {(!reason.is_empty()).then(|| view! { <Property label="Why">{reason}</Property> })}
                    <Property label="Failure detected">{seen}</Property>
                    {(!notes.is_empty()).then(|| view! { <Property label="Verification">{notes}</Property> })}
                </dl>
            </Card>
        }
    });
    let conflicts = (!d.conflicts.is_empty()).then(|| {
        let conflicts = d.conflicts.clone();
        view! {
            <div class="mb-4 space-y-1 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900" role="status" data-testid="conflicts">
                <p class="font-semibold">"Check before it runs:"</p>
                <ul class="list-disc space-y-1 pl-5">
                    {conflicts.into_iter().map(|c| view! {
                        <li><a href=c.link() class="underline">{c.sentence()}</a></li>
                    }).collect_view()}
                </ul>
            </div>
        }
    });
    let followed = (!d.followed_by.is_empty()).then(|| {
        let incidents = d.followed_by.clone();
        view! {
            <Card title="Followed by">
                <p class="mb-2 text-xs text-slate-500">"Incidents on its application or resources that opened while it ran or soon after."</p>
                <ul class="space-y-1 text-sm" data-testid="followed-by">
                    {incidents.into_iter().map(|i| view! {
                        <li>
                            <a href=format!("/incidents/{}", i.id) class=LINK>{i.number()}</a> " " {i.title.clone()}
                            <span class="text-slate-500">{format!(" · {} · {}", i.level.as_str(), i.status.as_str())}</span>
                        </li>
                    }).collect_view()}
                </ul>
            </Card>
        }
    });
    let review = c
        .review
        .clone()
        .map(|r| view! { <ReviewCard review=r names=d.reviewers.clone() now/> });
    let override_reason = c.override_reason.clone();
    let overridden = (!override_reason.is_empty()).then(move || {
        view! { <Property label="Started outside its window">{override_reason}</Property> }
    });
    let (when, rollback, scope) = (
        window(&c),
        c.rollback_plan.clone(),
        format!(
            "{} groups, {} resources",
            c.group_ids.len(),
            c.resource_ids.len()
        ),
    );
    let problem = c.problem_id.map(|p| view! {
        <Property label="Problem"><a href=format!("/problems/{p}") class=LINK>{Prefix::Problem.number(p)}</a></Property>
    });
    let template = c.template_id.map(|_| view! {
        <Property label="Made from"><a href="/standard-changes" class=LINK>"a standard change template"</a></Property>
    });
    let incident = c.incident_id.map(|i| view! {
        <Property label="Incident"><a href=format!("/incidents/{i}") class=LINK>{Prefix::Incident.number(i)}</a></Property>
    });
    view! {
        <PageHeader title=format!("{} · {}", c.number(), c.title) subtitle=if c.description.is_empty() { "No description.".to_owned() } else { c.description.clone() } crumbs=CRUMBS.to_vec()>
            <Badge text=c.change_type.as_str() tone=if c.change_type == ChangeType::Emergency { Tone::Bad } else { Tone::Neutral }/>
            <Badge text=format!("risk {}", c.level) tone=Tone::Neutral/>
            <span data-testid="change-status"><ChangeStatusBadge status=c.status/></span>
        </PageHeader>
        {conflicts}
        {ticket_columns(
            view! {
                <Card title="Timeline"><Timeline entries=d.history.clone() now/></Card>
                <Card title="Rollback plan"><p class="whitespace-pre-line text-sm text-slate-700">{rollback}</p></Card>
                {outcome}
            },
            view! {
                <ActionsCard noun="change" forms/>
                {review}
                {followed}
                <Card title="Fields">
                    <dl class="divide-y divide-slate-100" data-testid="change-fields">
                        <Property label="Window"><span data-testid="change-window">{when}</span></Property>
                        <Property label="Implementer"><span data-testid="change-implementer">{d.implementer_name.clone()}</span></Property>
                        <Property label="Creator">{d.creator_name.clone().unwrap_or_default()}</Property>
                        <Property label="Application">{d.application_name.clone().unwrap_or_else(|| "—".to_owned())}</Property>
                        <Property label="Scope">{scope}</Property>
                        {template}
                        {problem}
                        {incident}
                        {overridden}
                        <Property label="Planned"><Time at=c.created_at now/></Property>
                    </dl>
                </Card>
            },
        )}
    }
}

/// A change's review: each stage with its approvers, who approved and when, and where it
/// waits.
#[component]
fn ReviewCard(review: Review, names: Vec<Reviewer>, now: DateTime<Utc>) -> impl IntoView {
    let name = move |id: i64| {
        names
            .iter()
            .find(|r| r.user_id == id)
            .map(|r| r.name.clone())
            .unwrap_or_else(|| format!("user {id}"))
    };
    let (outcome, tone) = match review.outcome {
        Outcome::Pending => ("waiting", Tone::Warn),
        Outcome::Approved => ("approved", Tone::Good),
        Outcome::Rejected => ("rejected", Tone::Bad),
    };
    let title = review.flow.clone().unwrap_or_else(|| "Review".to_owned());
    let stages = review
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let current = review.is_pending() && i == review.current;
            let people = s
                .approvers
                .iter()
                .map(|a| {
                    let verdict = s.approvals.iter().find(|v| v.user_id == *a).cloned();
                    let mark = if verdict.is_some() { "✓ " } else { "" };
                    view! {
                        <li class="flex flex-wrap items-baseline gap-x-2">
                            <span class=if verdict.is_some() { "font-medium text-emerald-800" } else { "text-slate-700" }>{format!("{mark}{}", name(*a))}</span>
                            {verdict.map(|v| view! {
                                <span class="text-xs text-slate-500"><Time at=v.at now/>{(!v.comment.is_empty()).then(|| format!(" · {}", v.comment))}</span>
                            })}
                        </li>
                    }
                })
                .collect_view();
            let frame = if current { "border-amber-300 bg-amber-50" } else { "border-slate-200" };
            view! {
                <li class=format!("rounded-lg border p-2 {frame}") data-testid=format!("review-stage-{}", i + 1)>
                    <p class="text-sm font-semibold text-slate-800">
                        {format!("{}. {}", i + 1, s.name)}
                        <span class="ml-2 text-xs font-normal text-slate-500">{match s.mode { Mode::Any => "any one approves", Mode::All => "all approve" }}</span>
                    </p>
                    <ul class="mt-1 space-y-0.5 text-sm">{people}</ul>
                </li>
            }
        })
        .collect_view();
    let rejection = review.rejection.clone().map(|v| view! {
        <p class="mt-2 text-sm text-rose-800">{format!("Rejected by {}: {}", name(v.user_id), v.comment)}</p>
    });
    view! {
        <Card title=title>
            <p class="mb-2" data-testid="review-outcome"><Badge text=outcome tone/></p>
            <ol class="space-y-2">{stages}</ol>
            {rejection}
        </Card>
    }
}

#[component]
pub fn ChangePage() -> impl IntoView {
    ticket_page(
        route_id(),
        "Change",
        CRUMBS.to_vec(),
        "change",
        get_change,
        |page: &Page| Heading {
            number: page.detail.data.change.number(),
            live: format!("change-{}", page.detail.data.change.id),
        },
        |page| view! { <ChangeView page/> },
    )
}
