//! Tabs over a list page.

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
