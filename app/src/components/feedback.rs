//! How the console tells the user something: error boxes, notices, empty states.

use crate::domain::AppError;
use leptos::prelude::*;

/// An error from a data load; a lapsed session offers the way back in.
#[component]
pub fn ErrorBox(error: AppError) -> impl IntoView {
    let login = matches!(error, AppError::Unauthenticated).then(|| {
        view! { <a href="/login" class="ml-2 font-medium underline">"Log in again"</a> }
    });
    view! {
        <div role="alert" data-testid="error-box"
            class="rounded-lg border border-rose-200 bg-rose-50 px-4 py-3 text-sm text-rose-800">
            <span class="font-mono text-xs mr-2 text-rose-600">{error.code()}</span>
            {error.to_string()}
            {login}
        </div>
    }
}

#[component]
pub fn Notice(#[prop(into)] text: String) -> impl IntoView {
    view! {
        <div role="status" data-testid="notice"
            class="rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-2 text-sm text-emerald-800">
            {text}
        </div>
    }
}

#[component]
pub fn EmptyState(#[prop(into)] title: String, #[prop(into)] hint: String) -> impl IntoView {
    view! {
        <div class="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-12 text-center">
            <p class="text-sm font-semibold text-slate-700">{title}</p>
            <p class="mt-1 text-sm text-slate-500">{hint}</p>
        </div>
    }
}

/// A placeholder while data loads.
#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <div class="animate-pulse space-y-3" aria-busy="true">
            <div class="h-4 w-1/3 rounded bg-slate-200"></div>
            <div class="h-4 w-2/3 rounded bg-slate-200"></div>
            <div class="h-4 w-1/2 rounded bg-slate-200"></div>
        </div>
    }
}
