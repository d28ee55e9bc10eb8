//! The topology page: an application's tree drawn as a diagram, each box coloured by the
//! worst state of its resources and linking to its page.

use crate::api::applications::{TopologyView, get_topology};
use crate::components::feedback::{EmptyState, ErrorBox, Loading};
use crate::components::form::ButtonKind;
use crate::components::layout::{Card, PageHeader};
use crate::components::live::LiveRegion;
use crate::domain::topology::{Health, Layout, Placed, TopologyNode, layout};
use crate::pages::applications::{CRUMBS, TREE_TOPICS};
use crate::pages::resources::FILTER_INPUT;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const BOX_W: f64 = 200.0;
const BOX_H: f64 = 58.0;
const COL_W: f64 = 250.0;
const ROW_H: f64 = 74.0;
const PAD: f64 = 12.0;

/// (fill, stroke, text) colours of a box in this health.
fn colours(h: Health) -> (&'static str, &'static str, &'static str) {
    match h {
        Health::Empty => ("#f8fafc", "#cbd5e1", "#475569"),
        Health::Healthy => ("#ecfdf5", "#34d399", "#065f46"),
        Health::Degraded => ("#fffbeb", "#f59e0b", "#92400e"),
        Health::Fault => ("#fff1f2", "#f43f5e", "#9f1239"),
    }
}

fn position(p: &Placed<'_>) -> (f64, f64) {
    (
        PAD + p.depth as f64 * COL_W,
        PAD + p.row * ROW_H + (ROW_H - BOX_H) / 2.0,
    )
}

/// "12 resources · 1 fault · 2 stopped"
pub fn counts_text(n: &TopologyNode) -> String {
    let c = n.counts;
    let mut parts = vec![format!(
        "{} resource{}",
        c.total(),
        if c.total() == 1 { "" } else { "s" }
    )];
    for (count, word) in [
        (c.fault, "fault"),
        (c.stopped, "stopped"),
        (c.unknown, "unknown"),
    ] {
        if count > 0 {
            parts.push(format!("{count} {word}"));
        }
    }
    parts.join(" · ")
}

fn short(name: &str) -> String {
    if name.chars().count() > 24 {
        format!("{}…", name.chars().take(23).collect::<String>())
    } else {
        name.to_owned()
    }
}

#[component]
fn Diagram(tree: TopologyNode) -> impl IntoView {
    let Layout {
        nodes,
        edges,
        columns,
        rows,
    } = layout(&tree);
    let width = PAD * 2.0 + (columns.saturating_sub(1)) as f64 * COL_W + BOX_W;
    let height = PAD * 2.0 + rows as f64 * ROW_H;
    let paths = edges
        .iter()
        .map(|(from, to)| {
            let (fx, fy) = position(&nodes[*from]);
            let (tx, ty) = position(&nodes[*to]);
            let (x1, y1) = (fx + BOX_W, fy + BOX_H / 2.0);
            let (x2, y2) = (tx, ty + BOX_H / 2.0);
            let mid = (x1 + x2) / 2.0;
            let d = format!("M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}");
            view! { <path d=d fill="none" stroke="#cbd5e1" stroke-width="1.5"/> }
        })
        .collect_view();
    let boxes = nodes
        .iter()
        .map(|p| {
            let n = p.node;
            let (x, y) = position(p);
            let (fill, stroke, text) = colours(n.counts.health());
            let label = if n.detail.is_empty() {
                n.scope.as_str().to_owned()
            } else {
                format!("{} · {}", n.scope.as_str(), n.detail)
            };
            let testid = format!("topology-{}-{}", n.scope.as_str(), n.name);
            view! {
                <a href=n.scope.href(n.id) data-testid=testid data-health=n.counts.health().as_str()>
                    <title>{format!("{} {}: {}", n.scope.as_str(), n.name, counts_text(n))}</title>
                    <rect x=x y=y width=BOX_W height=BOX_H rx="10" fill=fill stroke=stroke stroke-width="1.5"/>
                    <text x=x + 12.0 y=y + 20.0 font-size="13" font-weight="600" fill=text>{short(&n.name)}</text>
                    <text x=x + 12.0 y=y + 36.0 font-size="10.5" fill="#64748b">{label}</text>
                    <text x=x + 12.0 y=y + 50.0 font-size="10.5" fill=text data-testid="counts">{counts_text(n)}</text>
                </a>
            }
        })
        .collect_view();
    view! {
        <div class="overflow-x-auto">
            <svg width=width height=height viewBox=format!("0 0 {width} {height}") role="img"
                aria-label=format!("Topology of {}", tree.name) data-testid="topology-diagram"
                font-family="ui-sans-serif, system-ui, sans-serif">
                {paths}
                {boxes}
            </svg>
        </div>
    }
}

#[component]
fn Legend() -> impl IntoView {
    let items = [
        (Health::Healthy, "all running"),
        (Health::Degraded, "some stopped or unknown"),
        (Health::Fault, "a resource in fault"),
        (Health::Empty, "no resources"),
    ];
    view! {
        <div class="mb-3 flex flex-wrap gap-4 text-xs text-slate-600">
            {items.into_iter().map(|(h, text)| {
                let (fill, stroke, _) = colours(h);
                view! {
                    <span class="flex items-center gap-1.5">
                        <span class="inline-block h-3 w-3 rounded" style=format!("background:{fill};border:1.5px solid {stroke}")></span>
                        {text}
                    </span>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
pub fn TopologyPage() -> impl IntoView {
    let query = use_query_map();
    let selected = query
        .read_untracked()
        .get("application")
        .and_then(|a| a.parse::<i64>().ok());
    view! {
        <Title text="Topology"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match get_topology(selected).await {
                    Ok(TopologyView { applications, tree }) => {
                        let current = tree.as_ref().map(|t| t.id);
                        let picker = view! {
                            <form method="get" class="flex gap-2" data-testid="topology-picker">
                                <select name="application" class=FILTER_INPUT aria-label="Application">
                                    {applications.into_iter().map(|(id, name)| {
                                        let is = Some(id) == current;
                                        view! { <option value=id selected=is>{name}</option> }
                                    }).collect_view()}
                                </select>
                                <button type="submit" class=ButtonKind::Secondary.classes()>"Show"</button>
                            </form>
                        };
                        let body = match tree {
                            Some(tree) => {
                                let title = format!("{} — {}", tree.name, counts_text(&tree));
                                view! {
                                    <Card title=title>
                                        <Legend/>
                                        <Diagram tree/>
                                    </Card>
                                }.into_any()
                            }
                            None => view! { <EmptyState title="No applications yet" hint="Add an application to see its topology."/> }.into_any(),
                        };
                        view! {
                            <PageHeader title="Topology" subtitle="Application → components → groups, with the resources each holds."
                                crumbs=CRUMBS.to_vec()>
                                {picker}
                            </PageHeader>
                            <LiveRegion id="topology".to_owned() topics=TREE_TOPICS.to_owned()>{body}</LiveRegion>
                        }.into_any()
                    }
                    Err(e) => view! {
                        <PageHeader title="Topology" crumbs=CRUMBS.to_vec()/>
                        <ErrorBox error=e/>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
