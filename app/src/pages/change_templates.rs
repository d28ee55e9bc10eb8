//! The standard change library: pre-approved change models. Operators make a change from one
//! (it skips review); administrators add and remove them.

use crate::api::change_templates::{
    CreateTemplate, DeleteTemplate, TemplateListing, UseTemplate, list_templates,
};
use crate::components::badge::{Badge, Tone};
use crate::components::feedback::{EmptyState, ErrorBox, Loading};
use crate::components::form::{ButtonKind, Field, PostForm, SelectField, Submit};
use crate::components::layout::{Card, PageHeader};
use crate::components::live::LiveRegion;
use crate::domain::change::{ChangeTemplate, RiskLevel};
use crate::pages::resources::options;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

const CRUMBS: &[(&str, &str)] = &[("Operations", "/incidents"), ("Changes", "/changes")];

/// "1 h 30 min"
fn duration(minutes: i32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

fn template_card(
    t: ChangeTemplate,
    applications: &[(i64, String)],
    implementers: Vec<(String, String)>,
    can_plan: bool,
    can_manage: bool,
) -> impl IntoView + use<> {
    let app = t
        .spec
        .application_id
        .and_then(|id| applications.iter().find(|(a, _)| *a == id))
        .map(|(_, n)| n.clone())
        .unwrap_or_else(|| "any application".to_owned());
    let id = t.id;
    let make = can_plan.then(|| view! {
        <PostForm action=UseTemplate::PATH key=format!("use-{id}") class="mt-3 grid gap-3 border-t border-slate-100 pt-3 sm:grid-cols-3" testid="use-template-form">
            <input type="hidden" name="id" value=id/>
            <SelectField name="implementer" label="Implementer" options=implementers/>
            <Field name="planned_start" label="Start (UTC)" kind="datetime-local" required=true/>
            <div class="flex items-end"><Submit label="Plan this change" testid="use-template"/></div>
        </PostForm>
    });
    let remove = can_manage.then(|| {
        view! {
            <PostForm action=DeleteTemplate::PATH key=format!("delete-{id}")>
                <input type="hidden" name="id" value=id/>
                <Submit label="Remove" kind=ButtonKind::Secondary testid="delete-template"/>
            </PostForm>
        }
    });
    view! {
        <Card class="mb-4">
            <div class="flex flex-wrap items-start justify-between gap-2" data-testid=format!("template-{id}")>
                <div>
                    <h3 class="font-semibold text-slate-900">{t.spec.name.clone()}</h3>
                    <p class="text-sm text-slate-600">{t.spec.title.clone()}</p>
                </div>
                <div class="flex items-center gap-2">
                    <Badge text=format!("risk {}", t.spec.level) tone=Tone::Neutral/>
                    <Badge text=duration(t.spec.duration_minutes) tone=Tone::Neutral/>
                    <Badge text=app tone=Tone::Neutral/>
                    {remove}
                </div>
            </div>
            {(!t.spec.description.is_empty()).then(|| view! { <p class="mt-2 whitespace-pre-line text-sm text-slate-700">{t.spec.description.clone()}</p> })}
            <p class="mt-2 text-xs text-slate-500">"Rollback: " {t.spec.rollback_plan.clone()}</p>
            {make}
        </Card>
    }
}

#[component]
pub fn ChangeTemplatesPage() -> impl IntoView {
    view! {
        <Title text="Standard changes"/>
        <PageHeader title="Standard changes" subtitle="Pre-approved change models: a change made from one is approved when it is submitted, without review." crumbs=CRUMBS.to_vec()/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list_templates().await {
                    Ok(TemplateListing { templates, applications, implementers, can_manage, can_plan }) => {
                        let body = if templates.is_empty() {
                            view! { <EmptyState title="No standard changes yet" hint="An administrator adds the routine, low-risk changes here."/> }.into_any()
                        } else {
                            templates.into_iter()
                                .map(|t| template_card(t, &applications, implementers.clone(), can_plan, can_manage))
                                .collect_view()
                                .into_any()
                        };
                        let apps: Vec<(String, String)> = std::iter::once((String::new(), "Any application".to_owned()))
                            .chain(applications.iter().map(|(id, n)| (id.to_string(), n.clone())))
                            .collect();
                        let form = can_manage.then(|| view! {
                            <Card title="Add a standard change" class="mt-4 max-w-3xl">
                                <PostForm action=CreateTemplate::PATH class="space-y-4" testid="new-template-form" success="Added.">
                                    <div class="grid gap-4 sm:grid-cols-2">
                                        <Field name="name" label="Name in the library" required=true maxlength=100/>
                                        <Field name="title" label="Title of its changes" required=true maxlength=200/>
                                    </div>
                                    <Field name="description" label="Description" maxlength=4096/>
                                    <div class="grid gap-4 sm:grid-cols-3">
                                        <SelectField name="level" label="Risk" options=options(RiskLevel::ALL, RiskLevel::as_str) selected="D"/>
                                        <SelectField name="application_id" label="Application" options=apps/>
                                        <Field name="duration_minutes" label="Window (minutes)" kind="number" value="60" required=true/>
                                    </div>
                                    <Field name="rollback_plan" label="Rollback plan" required=true maxlength=4096/>
                                    <div class="flex justify-end"><Submit label="Add to the library" testid="create-template"/></div>
                                </PostForm>
                            </Card>
                        });
                        view! {
                            <LiveRegion id="change-templates".to_owned() topics="change_template".to_owned()>{body}</LiveRegion>
                            {form}
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
