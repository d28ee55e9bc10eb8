//! Service levels: how long each incident level has to be accepted and resolved.

use crate::api::sla::{UpdateSla, list_sla};
use crate::components::feedback::{ErrorBox, Loading};
use crate::components::form::{Field, PostForm, Submit};
use crate::components::layout::{Card, PageHeader};
use crate::domain::sla::span;
use chrono::Duration;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

const CRUMBS: &[(&str, &str)] = &[("Administration", "/sla")];

#[component]
pub fn SlaPage() -> impl IntoView {
    view! {
        <Title text="Service levels"/>
        <PageHeader title="Service levels" subtitle="Counted from when an incident opens; a breach is recorded in its timeline." crumbs=CRUMBS.to_vec()/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list_sla().await {
                    Ok((levels, is_admin)) => view! {
                        <div class="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
                            {levels.into_iter().map(|p| {
                                let summary = format!(
                                    "Accept within {}, resolve within {}.",
                                    span(Duration::minutes(i64::from(p.accept_minutes))),
                                    span(Duration::minutes(i64::from(p.resolve_minutes)))
                                );
                                let level = p.level.as_str();
                                view! {
                                    <Card title=level>
                                        <p class="mb-3 text-sm text-slate-600" data-testid=format!("sla-{level}")>{summary}</p>
                                        {is_admin.then(|| view! {
                                            <PostForm action=UpdateSla::PATH key=level class="space-y-3" success="Saved.">
                                                <input type="hidden" name="level" value=level/>
                                                <input type="hidden" name="version" value=p.version/>
                                                <div class="grid grid-cols-2 gap-3">
                                                    <Field name="accept_minutes" label="Accept (minutes)" kind="number" value=p.accept_minutes.to_string()/>
                                                    <Field name="resolve_minutes" label="Resolve (minutes)" kind="number" value=p.resolve_minutes.to_string()/>
                                                </div>
                                                <div class="flex justify-end"><Submit label="Save" testid="save-sla"/></div>
                                            </PostForm>
                                        })}
                                    </Card>
                                }
                            }).collect_view()}
                        </div>
                    }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
