//! The capacity page of an application, component or group: totals, sums by resource type as
//! bar charts and a table, and the largest resources.

use crate::api::applications::get_capacity;
use crate::components::badge::ResourceStatusBadge;
use crate::components::feedback::{EmptyState, ErrorBox, Loading};
use crate::components::layout::{Card, PageHeader};
use crate::components::live::LiveRegion;
use crate::components::table::{TD, Table, col};
use crate::domain::capacity::{Capacity, Metric, Scope, TypeTotals, share};
use crate::pages::applications::{CRUMBS, TREE_TOPICS, route_id};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn metric_label(m: Metric) -> &'static str {
    match m {
        Metric::Cpu => "vCPU",
        Metric::Memory => "Memory (GiB)",
        Metric::Disk => "Disk (GiB)",
    }
}

/// A number without a needless ".0".
fn amount(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

#[component]
fn Tile(label: &'static str, value: String, testid: &'static str) -> impl IntoView {
    view! {
        <div class="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
            <p class="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</p>
            <p class="mt-1 text-2xl font-semibold tabular-nums text-slate-900" data-testid=testid>{value}</p>
        </div>
    }
}

/// One horizontal bar chart: a bar per type for one metric.
#[component]
fn TypeChart(metric: Metric, rows: Vec<TypeTotals>) -> impl IntoView {
    let largest = rows
        .iter()
        .map(|r| r.totals.value(metric))
        .fold(0.0, f64::max);
    view! {
        <Card title=format!("{} by type", metric_label(metric))>
            <div class="space-y-2" data-testid=format!("chart-{}", metric.as_str())>
                {rows.into_iter().map(|r| {
                    let value = r.totals.value(metric);
                    let width = format!("width: {:.1}%", share(value, largest));
                    view! {
                        <div class="text-xs">
                            <div class="mb-0.5 flex justify-between text-slate-600">
                                <span>{r.resource_type.as_str().replace('_', " ")}</span>
                                <span class="tabular-nums font-medium text-slate-800">{amount(value)}</span>
                            </div>
                            <div class="h-2.5 rounded bg-slate-100"><div class="h-2.5 rounded bg-indigo-500" style=width></div></div>
                        </div>
                    }
                }).collect_view()}
            </div>
        </Card>
    }
}

fn link(path: &str, by: Metric, top: u32) -> String {
    format!("{path}?by={}&top={top}", by.as_str())
}

#[component]
fn CapacityView(c: Capacity, path: String) -> impl IntoView {
    let top_n = c.top.len();
    let largest = c.top.iter().map(|r| r.value(c.top_by)).fold(0.0, f64::max);
    let by = c.top_by;
    let current_top = u32::try_from(top_n).unwrap_or(10).max(1);
    let switch = Metric::ALL
        .iter()
        .map(|m| {
            let active = *m == by;
            let class = if active {
                "rounded-md bg-indigo-600 px-2.5 py-1 text-xs font-semibold text-white"
            } else {
                "rounded-md bg-white px-2.5 py-1 text-xs font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50"
            };
            view! { <a href=link(&path, *m, current_top.max(10)) class=class data-testid=format!("rank-by-{}", m.as_str())>{metric_label(*m)}</a> }
        })
        .collect_view();
    let body = if c.total.resources == 0 {
        view! { <EmptyState title="No resources here yet" hint="Associate resources with the groups below this level to see their capacity."/> }.into_any()
    } else {
        let types = c.by_type.clone();
        view! {
            <div class="grid gap-4 lg:grid-cols-3">
                <TypeChart metric=Metric::Cpu rows=types.clone()/>
                <TypeChart metric=Metric::Memory rows=types.clone()/>
                <TypeChart metric=Metric::Disk rows=types/>
            </div>
            <Card title="By type">
                <Table columns=vec![col("Type"), col("Resources"), col("vCPU"), col("Memory (GiB)"), col("Disk (GiB)")] testid="capacity-by-type">
                    {c.by_type.iter().map(|t| view! {
                        <tr data-testid=format!("type-{}", t.resource_type.as_str())>
                            <td class=TD>{t.resource_type.as_str().replace('_', " ")}</td>
                            <td class=format!("{TD} tabular-nums")>{t.totals.resources}</td>
                            <td class=format!("{TD} tabular-nums")>{t.totals.cpu_cores}</td>
                            <td class=format!("{TD} tabular-nums")>{amount(t.totals.memory_gib)}</td>
                            <td class=format!("{TD} tabular-nums")>{amount(t.totals.disk_gib)}</td>
                        </tr>
                    }).collect_view()}
                    <tr class="bg-slate-50 font-semibold" data-testid="type-total">
                        <td class=TD>"Total"</td>
                        <td class=format!("{TD} tabular-nums")>{c.total.resources}</td>
                        <td class=format!("{TD} tabular-nums")>{c.total.cpu_cores}</td>
                        <td class=format!("{TD} tabular-nums")>{amount(c.total.memory_gib)}</td>
                        <td class=format!("{TD} tabular-nums")>{amount(c.total.disk_gib)}</td>
                    </tr>
                </Table>
            </Card>
            <Card title=format!("Top {top_n} by {}", metric_label(by))>
                <div class="mb-3 flex gap-2">{switch}</div>
                <ol class="space-y-2" data-testid="top-ranking">
                    {c.top.iter().enumerate().map(|(i, r)| {
                        let value = r.value(by);
                        let width = format!("width: {:.1}%", share(value, largest));
                        view! {
                            <li class="grid grid-cols-[2rem_12rem_1fr_5rem_5rem] items-center gap-2 text-sm" data-testid=format!("rank-{}", i + 1)>
                                <span class="text-slate-400 tabular-nums">{i + 1}</span>
                                <a href=format!("/resources/{}", r.id) class="truncate font-medium text-indigo-700 hover:underline">{r.name.clone()}</a>
                                <div class="h-2.5 rounded bg-slate-100"><div class="h-2.5 rounded bg-sky-500" style=width></div></div>
                                <span class="text-right tabular-nums" data-testid="rank-value">{amount(value)}</span>
                                <ResourceStatusBadge status=r.status/>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </Card>
        }.into_any()
    };
    view! {
        <div class="mb-4 grid grid-cols-2 gap-4 lg:grid-cols-4">
            <Tile label="Resources" value=c.total.resources.to_string() testid="total-resources"/>
            <Tile label="vCPU" value=c.total.cpu_cores.to_string() testid="total-cpu"/>
            <Tile label="Memory (GiB)" value=amount(c.total.memory_gib) testid="total-memory"/>
            <Tile label="Disk (GiB)" value=amount(c.total.disk_gib) testid="total-disk"/>
        </div>
        <div class="space-y-4">{body}</div>
    }
}

/// The capacity page of the application, component or group in the route.
#[component]
pub fn CapacityPage(scope: Scope) -> impl IntoView {
    let id = route_id();
    let query = use_query_map();
    let (by, top) = {
        let q = query.read_untracked();
        (
            q.get("by"),
            q.get("top").and_then(|t| t.parse::<u32>().ok()),
        )
    };
    view! {
        <Title text="Capacity"/>
        <Suspense fallback=Loading>
            {move || {
                let by = by.clone();
                Suspend::new(async move {
                    let loaded = match id {
                        Some(id) => get_capacity(scope.as_str().to_owned(), id, by, top).await,
                        None => Err(crate::domain::AppError::not_found("Page", "?")),
                    };
                    match loaded {
                        Ok(c) => {
                            let back = scope.href(c.id);
                            let path = format!("{back}/capacity");
                            let title = format!("Capacity of {}", c.name);
                            let subtitle = match scope {
                                Scope::Application => "Every resource in the application's groups and its sub-applications', counted once.",
                                Scope::Component => "Every resource in the component's groups, counted once.",
                                Scope::Group => "Every resource in the group.",
                            };
                            view! {
                                <PageHeader title subtitle crumbs=CRUMBS.to_vec()>
                                    <a href=back class=crate::components::form::ButtonKind::Secondary.classes()>{format!("Back to {}", scope.as_str())}</a>
                                </PageHeader>
                                <LiveRegion id=format!("capacity-{}-{}", scope.as_str(), c.id) topics=TREE_TOPICS.to_owned()>
                                    <CapacityView c path/>
                                </LiveRegion>
                            }.into_any()
                        }
                        Err(e) => view! {
                            <PageHeader title="Capacity" crumbs=CRUMBS.to_vec()/>
                            <ErrorBox error=e/>
                        }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
