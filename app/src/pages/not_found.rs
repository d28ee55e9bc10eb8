//! The page for an address that leads nowhere, answered with status 404.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <div class="flex min-h-screen items-center justify-center bg-slate-50 px-6">
            <div class="max-w-md text-center" data-testid="not-found">
                <p class="text-sm font-semibold text-indigo-600">"404"</p>
                <h1 class="mt-2 text-3xl font-semibold tracking-tight text-slate-900">"Page not found"</h1>
                <p class="mt-3 text-sm text-slate-600">
                    "Nothing lives at this address. It may have moved, or the link may be mistyped."
                </p>
                <a href="/" class="mt-6 inline-flex rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500">
                    "Back to the overview"
                </a>
            </div>
        </div>
    }
}
