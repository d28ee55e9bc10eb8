//! The REST API reference, rendered from the server's OpenAPI document.

use crate::api::docs::{ApiDoc, Endpoint, load_api_doc};
use crate::components::badge::{Badge, Tone};
use crate::components::feedback::{ErrorBox, Loading};
use crate::components::layout::{Card, PageHeader};
use crate::domain::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

fn method_tone(method: &str) -> Tone {
    match method {
        "GET" => Tone::Info,
        "POST" => Tone::Good,
        "PATCH" | "PUT" => Tone::Warn,
        "DELETE" => Tone::Bad,
        _ => Tone::Neutral,
    }
}

#[component]
fn EndpointRow(endpoint: Endpoint) -> impl IntoView {
    let responses = endpoint
        .responses
        .iter()
        .map(|(status, _)| status.clone())
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <li class="flex gap-3 py-3" data-testid="endpoint">
            <span class="w-16 shrink-0 pt-0.5">
                <Badge text=endpoint.method.clone() tone=method_tone(&endpoint.method)/>
            </span>
            <div class="min-w-0 space-y-1">
                <div class="flex flex-wrap items-center gap-2">
                    <code class="text-sm font-medium text-slate-800">{endpoint.path}</code>
                    {endpoint.needs_token.then(|| view! { <Badge text="X-Auth-Token" tone=Tone::Neutral/> })}
                </div>
                <p class="text-sm text-slate-700">{endpoint.summary}</p>
                {(!endpoint.description.is_empty()).then(|| view! {
                    <p class="text-xs text-slate-500">{endpoint.description.clone()}</p>
                })}
                <p class="text-xs text-slate-400">"Responses: " {responses}</p>
            </div>
        </li>
    }
}

#[component]
fn Reference(doc: ApiDoc) -> impl IntoView {
    view! {
        <div class="grid gap-4 lg:grid-cols-3">
            <div class="space-y-4 lg:col-span-2">
                {doc.groups.into_iter().map(|g| view! {
                    <Card title=g.tag>
                        <ul class="divide-y divide-slate-100">
                            {g.endpoints.into_iter().map(|e| view! { <EndpointRow endpoint=e/> }).collect_view()}
                        </ul>
                    </Card>
                }).collect_view()}
            </div>
            <div class="space-y-4">
                <Card title="Authentication">
                    <p class="text-sm text-slate-600">
                        "POST your username and password to " <code>"/v1/auth/tokens"</code>
                        "; the token comes back in the " <code>"X-Subject-Token"</code>
                        " header. Send it as " <code>"X-Auth-Token"</code> " (or "
                        <code>"Authorization: Bearer"</code> ") on every other request."
                    </p>
                    <a href="/v1/openapi.json" class="mt-3 inline-block text-sm font-medium text-indigo-600 hover:text-indigo-500">"Download openapi.json"</a>
                </Card>
                <Card title="Error codes">
                    <p class="mb-3 text-sm text-slate-600">
                        "Every non-2xx answer is " <code>"{\"error_code\", \"error_msg\"}"</code> "."
                    </p>
                    <table class="w-full text-sm" data-testid="error-codes">
                        <tbody class="divide-y divide-slate-100">
                            {AppError::catalogue().into_iter().map(|e| view! {
                                <tr class="align-top">
                                    <td class="whitespace-nowrap py-1.5 pr-3 font-mono text-xs">{e.code()}</td>
                                    <td class="py-1.5 pr-3 text-xs tabular-nums text-slate-500">{e.http_status()}</td>
                                    <td class="py-1.5 text-xs text-slate-600">{e.to_string()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </Card>
            </div>
        </div>
    }
}

#[component]
pub fn ApiDocsPage() -> impl IntoView {
    view! {
        <Title text="API docs"/>
        <PageHeader title="REST API" subtitle="Everything the console does, scripts can do through /v1."
            crumbs=vec![("Developers", "/api-docs")]/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match load_api_doc().await {
                    Ok(doc) => view! { <Reference doc/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
