//! Pieces every ticket page shares: its list tabs and one allowed action as a small form.

use crate::components::form::{ButtonKind, PostForm, Submit};
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
/// showed; `children` are the action's fields (none for a one-click action).
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
    view! {
        <div class="rounded-lg border border-slate-200 p-3" data-testid=format!("action-{action}")>
            <PostForm action=path key=action class=if simple { "flex items-center justify-between gap-3" } else { "space-y-3" } success="Done.">
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="version" value=version/>
                <input type="hidden" name="action" value=action/>
                {children()}
                <div class="flex justify-end"><Submit label kind testid=action/></div>
            </PostForm>
        </div>
    }
}
