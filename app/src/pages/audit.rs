//! The audit log: every mutation, filterable, live, with the chain check.

use crate::api::audit::{AuditListing, list_audit, verify_audit};
use crate::components::badge::{Badge, MethodBadge, Tone};
use crate::components::feedback::{EmptyState, ErrorBox, Loading};
use crate::components::form::ButtonKind;
use crate::components::layout::{Card, PageHeader};
use crate::components::live::LiveRegion;
use crate::components::table::{CursorPagination, TD, Table, col, cursor_of, href_with};
use crate::components::time::Time;
use crate::domain::audit::AuditRecord;
use crate::domain::audit::{ChainAnchor, ChainReport};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const INPUT: &str = "rounded-lg border border-slate-300 bg-white px-2.5 py-1.5 text-sm shadow-sm";

#[component]
fn Filters(object_types: Vec<String>, actions: Vec<String>) -> impl IntoView {
    let query = use_query_map();
    let get = move |k: &str| query.read_untracked().get(k).unwrap_or_default();
    let select = move |name: &'static str, all: &'static str, options: Vec<String>| {
        let current = get(name);
        view! {
            <select name=name class=INPUT aria-label=name>
                <option value="">{all}</option>
                {options.into_iter().map(|o| {
                    let selected = o == current;
                    view! { <option value=o.clone() selected=selected>{o.clone()}</option> }
                }).collect_view()}
            </select>
        }
    };
    view! {
        <form method="get" class="mb-4 flex flex-wrap items-center gap-2" data-testid="audit-filters">
            <input type="search" name="actor" value=get("actor") placeholder="Actor username" class=format!("{INPUT} w-40")/>
            {select("object_type", "All objects", object_types)}
            {select("action", "All actions", actions)}
            <label class="flex items-center gap-1.5 text-xs text-slate-500">"From"
                <input type="datetime-local" name="from" value=get("from") class=INPUT/>
            </label>
            <label class="flex items-center gap-1.5 text-xs text-slate-500">"to"
                <input type="datetime-local" name="to" value=get("to") class=INPUT/>
            </label>
            <span class="text-xs text-slate-400">"UTC"</span>
            <button type="submit" class=ButtonKind::Secondary.classes()>"Filter"</button>
            <a href="/audit" class="px-1 text-sm text-slate-500 hover:text-slate-700">"Clear"</a>
        </form>
    }
}

fn pretty(value: &Option<serde_json::Value>) -> String {
    value
        .as_ref()
        .map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
        .unwrap_or_else(|| "—".to_owned())
}

fn rows(records: Vec<AuditRecord>, now: DateTime<Utc>) -> impl IntoView {
    records
        .into_iter()
        .map(|r| {
            let has_payload = r.before.is_some() || r.after.is_some();
            let before = pretty(&r.before);
            let after = pretty(&r.after);
            view! {
                <tr class="hover:bg-slate-50" data-testid="audit-row">
                    <td class=TD><span class="font-mono text-xs text-slate-500">{r.id}</span></td>
                    <td class=TD><Time at=r.at now/></td>
                    <td class=TD><span class="font-medium text-slate-800">{r.actor_name}</span></td>
                    <td class=TD><MethodBadge method=r.method/></td>
                    <td class=TD>
                        {r.object_type}
                        // Records about many objects at once (a purge, pushes) name none.
                        {(!r.object_id.is_empty()).then(|| view! {
                            <span class="text-slate-400">" #"</span>{r.object_id.clone()}
                        })}
                    </td>
                    <td class=TD><Badge text=r.action tone=Tone::Neutral/></td>
                    <td class=TD>
                        {has_payload.then(|| view! {
                            <details>
                                <summary class="cursor-pointer text-xs text-indigo-600">"before / after"</summary>
                                <div class="mt-2 grid gap-2 md:grid-cols-2">
                                    <pre class="max-h-64 overflow-auto rounded bg-slate-50 p-2 text-[11px]">{before}</pre>
                                    <pre class="max-h-64 overflow-auto rounded bg-slate-50 p-2 text-[11px]">{after}</pre>
                                </div>
                            </details>
                        })}
                        <span class="block font-mono text-[10px] text-slate-400" title="SHA-256 of this row">{r.hash[..12].to_owned()}</span>
                    </td>
                </tr>
            }
        })
        .collect_view()
}

/// The chain check runs when the page is asked for it (`?verify=1`), so it works as a plain link.
/// What the report says about the chain's anchor outside the database.
fn anchor_note(report: &ChainReport) -> String {
    match (report.anchor, report.anchored_through) {
        (ChainAnchor::Hmac, Some(row)) => format!(
            "Signed through row {row}; rows after it are signed within a minute."
        ),
        (ChainAnchor::Hmac, None) => "No row is signed yet; the first signature comes within a minute.".into(),
        (ChainAnchor::Unanchored, _) => "Not anchored: without OPSROOM_AUDIT_KEY, someone with the database alone could rewrite it.".into(),
    }
}

#[component]
fn ChainCheck() -> impl IntoView {
    let query = use_query_map();
    let asked = query.read_untracked().get_str("verify") == Some("1");
    let verify_href = href_with(
        "/audit",
        &query.read_untracked(),
        &[("verify", Some("1".to_owned()))],
    );
    let result = move || {
        Suspend::new(async move {
            if !asked {
                return None;
            }
            Some(match verify_audit().await {
                Ok(report) if report.ok => view! {
                    <p class="text-sm font-medium text-emerald-700" data-testid="chain-result">
                        {format!("Chain intact: {} rows verified. {}", report.rows, anchor_note(&report))}
                    </p>
                }
                .into_any(),
                Ok(report) => view! {
                    <p class="text-sm font-medium text-rose-700" data-testid="chain-result">
                        {format!(
                            "Chain broken at row {}: {} ({} rows verified before it).",
                            report.broken_at.unwrap_or_default(),
                            report.reason.unwrap_or_default(),
                            report.rows
                        )}
                    </p>
                }
                .into_any(),
                Err(e) => view! { <ErrorBox error=e/> }.into_any(),
            })
        })
    };
    view! {
        <Card class="mb-4">
            <div class="flex flex-wrap items-center gap-4">
                <div class="flex-1 text-sm text-slate-600">
                    "Each row carries a SHA-256 hash of its contents and of the row before it, so any edit or deletion breaks the chain."
                </div>
                <Suspense fallback=|| ()>{result}</Suspense>
                <a href=verify_href class=ButtonKind::Secondary.classes() data-testid="verify-chain">"Verify chain"</a>
            </div>
        </Card>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let load = move || {
        let q = query.read_untracked();
        let (after, before) = cursor_of(&q);
        list_audit(
            q.get("actor"),
            q.get("object_type"),
            q.get("action"),
            q.get("from"),
            q.get("to"),
            after,
            before,
        )
    };
    let columns = vec![
        col("#"),
        col("When"),
        col("Actor"),
        col("Via"),
        col("Object"),
        col("Action"),
        col("Change"),
    ];
    view! {
        <Title text="Audit log"/>
        <PageHeader title="Audit log" subtitle="Every change, who made it and how. Updates live."
            crumbs=vec![("Administration", "/audit")]/>
        <ChainCheck/>
        <Suspense fallback=Loading>
            {move || {
                let columns = columns.clone();
                Suspend::new(async move {
                    match load().await {
                        Ok(AuditListing { listing, object_types, actions }) => {
                            let page = listing.data;
                            let body = if page.items.is_empty() {
                                view! { <EmptyState title="No records match these filters" hint="Widen the time range or clear the filters."/> }.into_any()
                            } else {
                                let around = page.neighbours();
                                view! {
                                    <Table columns testid="audit-table">{rows(page.items, listing.now)}</Table>
                                    <CursorPagination around/>
                                }.into_any()
                            };
                            view! {
                                <Filters object_types actions/>
                                <LiveRegion id="audit".to_owned() topics="audit".to_owned()>{body}</LiveRegion>
                            }.into_any()
                        }
                        Err(e) => view! { <Filters object_types=vec![] actions=vec![]/> <ErrorBox error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
