//! Bulk import of resources: the upload page and each import's report.

use crate::api::resources::{ImportResources, get_import, recent_imports};
use crate::components::badge::{Badge, Tone};
use crate::components::feedback::{EmptyState, ErrorBox, Loading};
use crate::components::form::{ButtonKind, PostForm, Submit};
use crate::components::layout::{Card, PageHeader};
use crate::components::table::{CursorPagination, TD, Table, col, cursor_of};
use crate::components::time::Time;
use crate::domain::import::{
    COLUMNS, ImportMode, ImportReport, ImportSummary, RowOutcome, RowReport,
};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

const CRUMBS: &[(&str, &str)] = &[("Inventory", "/resources"), ("Resources", "/resources")];

fn outcome_tone(outcome: RowOutcome) -> Tone {
    match outcome {
        RowOutcome::Created => Tone::Good,
        RowOutcome::Updated => Tone::Info,
        RowOutcome::Unchanged => Tone::Neutral,
        RowOutcome::Rejected => Tone::Bad,
    }
}

#[component]
fn ModeChoice(mode: ImportMode, title: &'static str, text: &'static str) -> impl IntoView {
    view! {
        <label class="flex cursor-pointer gap-3 rounded-lg border border-slate-200 p-3 hover:bg-slate-50">
            <input type="radio" name="mode" value=mode.as_str() checked=mode == ImportMode::ValidOnly class="mt-1"/>
            <span>
                <span class="block text-sm font-medium text-slate-800">{title}</span>
                <span class="block text-xs text-slate-500">{text}</span>
            </span>
        </label>
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let recent = move || {
        Suspend::new(async move {
            match recent_imports().await {
                Ok(stamped) if stamped.data.is_empty() => view! {
                    <EmptyState title="No imports yet" hint="Upload a file above; its report will be listed here."/>
                }.into_any(),
                Ok(stamped) => {
                    let now = stamped.now;
                    view! {
                        <Table columns=vec![col("Import"), col("When"), col("By"), col("Mode"), col("Result")] testid="recent-imports">
                            {stamped.data.into_iter().map(|r| view! {
                                <tr class="hover:bg-slate-50">
                                    <td class=TD><a href=format!("/resources/imports/{}", r.id) class="font-medium text-indigo-700 hover:underline">{format!("#{}", r.id)}</a></td>
                                    <td class=TD><Time at=r.at now/></td>
                                    <td class=TD>{r.actor.clone()}</td>
                                    <td class=TD>{r.mode.as_str().replace('_', " ")}</td>
                                    <td class=TD>{summary(&r)}</td>
                                </tr>
                            }).collect_view()}
                        </Table>
                    }.into_any()
                }
                Err(e) => view! { <ErrorBox error=e/> }.into_any(),
            }
        })
    };
    view! {
        <Title text="Import resources"/>
        <PageHeader title="Import resources" subtitle="Create or update many resources from a CSV or JSON file."
            crumbs=CRUMBS.to_vec()/>
        <div class="grid gap-4 lg:grid-cols-3">
            <Card title="Upload" class="lg:col-span-2">
                <PostForm action=ImportResources::PATH multipart=true class="space-y-4" testid="import-form">
                    <input type="file" name="file" required=true accept=".csv,.json,text/csv,application/json"
                        aria-label="File" data-testid="import-file"
                        class="block w-full text-sm text-slate-700 file:mr-4 file:rounded-lg file:border-0 file:bg-indigo-50 file:px-4 file:py-2 file:text-sm file:font-medium file:text-indigo-700 hover:file:bg-indigo-100"/>
                    <div class="grid gap-3 sm:grid-cols-2">
                        <ModeChoice mode=ImportMode::ValidOnly title="Valid rows only"
                            text="Write every row that checks out; report the others."/>
                        <ModeChoice mode=ImportMode::AllOrNothing title="All or nothing"
                            text="Write nothing if any row is rejected."/>
                    </div>
                    <div class="flex justify-end">
                        <Submit label="Import" testid="import-submit"/>
                    </div>
                </PostForm>
            </Card>
            <Card title="File format">
                <p class="text-sm text-slate-600">
                    "CSV with a header line, or a JSON array of resources as the API takes them. "
                    "A row updates the resource with its " <code>"id"</code> ", or the one with the same name, provider and region; otherwise it creates one."
                </p>
                <p class="mt-3 text-xs text-slate-500">"Columns: " {COLUMNS.join(", ")} ". Tags as " <code>"k=v;k=v"</code> "."</p>
                <a href="/resource-import-example.csv" download="resource-import-example.csv"
                    class="mt-3 inline-block text-sm font-medium text-indigo-600 hover:text-indigo-500">"Download an example file"</a>
            </Card>
        </div>
        <h2 class="mb-3 mt-8 text-sm font-semibold text-slate-800">"Recent imports"</h2>
        <Suspense fallback=Loading>{recent}</Suspense>
    }
}

fn summary(r: &ImportSummary) -> String {
    let written = if r.applied {
        ""
    } else {
        " — nothing written"
    };
    format!(
        "{} created · {} updated · {} unchanged · {} rejected{written}",
        r.created, r.updated, r.unchanged, r.rejected
    )
}

fn row_view(r: RowReport) -> impl IntoView {
    let link = r.resource_id.map(|id| {
        view! { <a href=format!("/resources/{id}") class="text-indigo-700 hover:underline">{format!("#{id}")}</a> }
    });
    view! {
        <tr data-testid="import-row">
            <td class=TD><span class="tabular-nums text-slate-500">{r.line}</span></td>
            <td class=TD>{r.name}</td>
            <td class=TD><Badge text=r.outcome.as_str() tone=outcome_tone(r.outcome)/></td>
            <td class=TD>{link}</td>
            <td class=TD><span class="text-xs text-rose-700">{r.reason.unwrap_or_default()}</span></td>
        </tr>
    }
}

/// The outcome tabs over a report: every row, or the rows of one outcome.
fn outcome_tabs(current: Option<RowOutcome>, summary: &ImportSummary) -> impl IntoView + use<> {
    let id = summary.id;
    let tabs = std::iter::once(None).chain(RowOutcome::ALL.iter().copied().map(Some));
    let links = tabs
        .map(|outcome| {
            let (label, href) = match outcome {
                None => ("all".to_owned(), format!("/resources/imports/{id}")),
                Some(o) => (
                    o.as_str().to_owned(),
                    format!("/resources/imports/{id}?outcome={o}"),
                ),
            };
            let n = summary.rows_with(outcome);
            let class = if outcome == current {
                "rounded-md bg-indigo-50 px-3 py-1.5 text-sm font-medium text-indigo-700"
            } else {
                "rounded-md px-3 py-1.5 text-sm text-slate-600 hover:bg-slate-50"
            };
            let current = (outcome == current).then_some("page");
            view! { <a href=href class=class aria-current=current>{format!("{label} ({n})")}</a> }
        })
        .collect_view();
    view! { <nav class="mb-3 flex flex-wrap gap-1" aria-label="Rows by outcome" data-testid="import-outcomes">{links}</nav> }
}

#[component]
fn Report(report: ImportReport) -> impl IntoView {
    let stat = |label: &'static str, n: usize| {
        view! {
            <div class="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
                <p class="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</p>
                <p class="mt-1 text-2xl font-semibold tabular-nums" data-testid=format!("import-{label}")>{n}</p>
            </div>
        }
    };
    let ImportReport {
        summary,
        outcome,
        rows,
    } = report;
    let total = summary.rows_with(None);
    let banner = if summary.applied {
        view! { <Badge text="applied" tone=Tone::Good/> }.into_any()
    } else {
        view! { <Badge text="nothing written" tone=Tone::Bad/> }.into_any()
    };
    let around = rows.neighbours();
    view! {
        <div class="mb-4 flex flex-wrap items-center gap-3 text-sm text-slate-600" data-testid="import-summary">
            {banner}
            <span>{format!("{total} rows · mode {}", summary.mode.as_str().replace('_', " "))}</span>
        </div>
        <div class="mb-6 grid grid-cols-2 gap-4 lg:grid-cols-4">
            {stat("created", summary.created)}
            {stat("updated", summary.updated)}
            {stat("unchanged", summary.unchanged)}
            {stat("rejected", summary.rejected)}
        </div>
        {outcome_tabs(outcome, &summary)}
        <Table columns=vec![col("Line"), col("Name"), col("Outcome"), col("Resource"), col("Reason")] testid="import-rows">
            {rows.items.into_iter().map(row_view).collect_view()}
        </Table>
        <CursorPagination around/>
        <div class="mt-6 flex gap-2">
            <a href="/resources/import" class=ButtonKind::Secondary.classes()>"Import another file"</a>
            <a href="/resources" class=ButtonKind::Secondary.classes()>"Back to resources"</a>
        </div>
    }
}

#[component]
pub fn ImportReportPage() -> impl IntoView {
    let params = use_params_map();
    let id = params
        .read_untracked()
        .get("id")
        .and_then(|id| id.parse::<i64>().ok());
    let query = use_query_map().read_untracked();
    let outcome = query.get("outcome").and_then(|o| RowOutcome::parse(&o));
    let (after, before) = cursor_of(&query);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let loaded = match id {
                    Some(id) => get_import(id, outcome, after, before).await,
                    None => Err(crate::domain::AppError::not_found("Import", "?")),
                };
                match loaded {
                    Ok(report) => view! {
                        <Title text=format!("Import #{}", report.summary.id)/>
                        <PageHeader title=format!("Import #{}", report.summary.id)
                            subtitle=format!("By {} at {}", report.summary.actor, crate::domain::time::utc(report.summary.at))
                            crumbs=CRUMBS.to_vec()/>
                        <Report report/>
                    }.into_any(),
                    Err(e) => view! {
                        <PageHeader title="Import" crumbs=CRUMBS.to_vec()/>
                        <ErrorBox error=e/>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
