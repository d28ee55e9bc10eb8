//! The login page.

use crate::api::auth::Login;
use crate::components::form::{Field, PostForm, Submit};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = query
        .read_untracked()
        .get("next")
        .unwrap_or_else(|| "/".to_owned());
    view! {
        <Title text="Log in"/>
        <div class="flex min-h-screen items-center justify-center bg-gradient-to-br from-slate-900 via-slate-800 to-indigo-950 px-4">
            <div class="w-full max-w-sm">
                <div class="mb-8 flex items-center justify-center gap-3">
                    <span class="flex h-10 w-10 items-center justify-center rounded-lg bg-indigo-500 text-lg font-bold text-white">"O"</span>
                    <span class="text-2xl font-semibold tracking-tight text-white">"Opsroom"</span>
                </div>
                <div class="rounded-2xl bg-white p-8 shadow-2xl">
                    <h1 class="text-lg font-semibold text-slate-900">"Log in to the operations center"</h1>
                    <p class="mb-6 mt-1 text-sm text-slate-500">"Use the account your administrator gave you."</p>
                    <PostForm action=Login::PATH class="space-y-4" testid="login-form">
                        <input type="hidden" name="next" value=next/>
                        <Field name="username" label="Username" required=true autocomplete="username"/>
                        <Field name="password" label="Password" kind="password" required=true autocomplete="current-password"/>
                        <div class="pt-2">
                            <Submit label="Log in" testid="login-submit" wide=true/>
                        </div>
                    </PostForm>
                </div>
            </div>
        </div>
    }
}
