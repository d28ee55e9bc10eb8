//! A ticket's timeline: who did what, when, from which state to which, with their comment.

use crate::components::time::Time;
use crate::domain::workflow::HistoryEntry;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// `origins`, when given, tags each entry with where it comes from (a room's timeline merges
/// its own steps, its notices and its incident's).
#[component]
pub fn Timeline(
    entries: Vec<HistoryEntry>,
    now: DateTime<Utc>,
    #[prop(optional)] origins: Vec<String>,
) -> impl IntoView {
    let mut origins = origins.into_iter();
    view! {
        <ol class="space-y-3" data-testid="timeline">
            {entries.into_iter().map(|h| {
                let origin = origins.next().map(|o| view! {
                    <span class="mr-1 rounded bg-slate-100 px-1.5 py-0.5 text-[10px] font-semibold uppercase tracking-wide text-slate-500">{o}</span>
                });
                let moved = h.moved();
                let changed = h.changed();
                view! {
                    <li class="flex gap-3 text-sm" data-testid="timeline-entry">
                        <span class="mt-1.5 h-2 w-2 shrink-0 rounded-full bg-indigo-400"></span>
                        <span class="min-w-0 flex-1">
                            {origin}
                            <span class="font-medium text-slate-800">{h.actor}</span>
                            " " {h.action.replace('_', " ")}
                            {moved.map(|m| view! { <span class="text-slate-500">{format!(" ({m})")}</span> })}
                            {(!h.comment.is_empty()).then(|| view! { <span class="block whitespace-pre-line text-slate-700">{format!("“{}”", h.comment)}</span> })}
                            {(!changed.is_empty()).then(|| view! { <span class="block text-xs text-slate-500">{changed.join(" · ")}</span> })}
                            <span class="block text-xs text-slate-500"><Time at=h.at now/></span>
                        </span>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}
