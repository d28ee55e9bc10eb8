//! Pieces every ticket page shares: its list tabs and one allowed action as a small form.

use crate::components::form::{ButtonKind, PostForm, Submit, refused};
use leptos::prelude::*;

/// Tabs over a list page: `tabs` are (query value, label); the current one is dark.
#[component]
pub fn Tabs(
    base: &'static str,
    current: String,
    tabs: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    view! {
        <nav class="mb-3 flex gap-1">
            {tabs.iter().map(|(value, label)| {
                let class = if *value == current {
                    "rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white"
                } else {
                    "rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100"
                };
                view! { <a href=format!("{base}?tab={value}") class=class data-testid=format!("tab-{value}")>{*label}</a> }
            }).collect_view()}
        </nav>
    }
}

/// One allowed action of ticket `id` as a form posting to `path` with the version the page
/// showed; `children` are the action's fields. A one-click action is its button; one with fields
/// folds them away behind its name until opened (or until the server sent back a refusal).
#[component]
pub fn ActionForm(
    path: &'static str,
    id: i64,
    version: i32,
    action: &'static str,
    #[prop(into)] label: String,
    kind: ButtonKind,
    #[prop(optional)] simple: bool,
    children: Children,
) -> impl IntoView {
    let button = label.clone();
    let form = view! {
        <PostForm action=path key=action class=if simple { "flex items-center justify-between gap-3" } else { "space-y-3" } success="Done.">
            <input type="hidden" name="id" value=id/>
            <input type="hidden" name="version" value=version/>
            <input type="hidden" name="action" value=action/>
            {children()}
            <div class="flex justify-end"><Submit label=button kind testid=action/></div>
        </PostForm>
    };
    if simple {
        return view! {
            <div class="rounded-lg border border-slate-200 p-3" data-testid=format!("action-{action}")>{form}</div>
        }
        .into_any();
    }
    view! {
        <details class="group rounded-lg border border-slate-200" data-testid=format!("action-{action}") open=refused(path)>
            <summary role="button"
                class="flex cursor-pointer list-none items-center justify-between rounded-lg px-3 py-2.5 text-sm font-medium text-slate-800 hover:bg-slate-50">
                {label}
                <svg viewBox="0 0 20 20" class="h-4 w-4 text-slate-400 transition-transform group-open:rotate-180" aria-hidden="true">
                    <path fill="currentColor" d="M5.3 7.3a1 1 0 0 1 1.4 0L10 10.6l3.3-3.3a1 1 0 1 1 1.4 1.4l-4 4a1 1 0 0 1-1.4 0l-4-4a1 1 0 0 1 0-1.4z"/>
                </svg>
            </summary>
            <div class="border-t border-slate-200 p-3">{form}</div>
        </details>
    }
    .into_any()
}
