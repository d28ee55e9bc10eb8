//! A read-only value with a button that copies it: an island, hydrated in the browser.

use leptos::prelude::*;

#[island]
pub fn CopyField(value: String, label: String, testid: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let text = value.clone();
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&text);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
        copied.set(true);
    };
    view! {
        <div class="flex gap-2">
            <input type="text" readonly=true value=value aria-label=label data-testid=testid
                class="w-full rounded-lg border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs text-slate-800"/>
            <button type="button" on:click=copy
                class="shrink-0 rounded-lg border border-slate-300 bg-white px-3 text-sm font-medium text-slate-700 hover:bg-slate-50">
                {move || if copied.get() { "Copied" } else { "Copy" }}
            </button>
        </div>
    }
}
