//! Data sources: the monitoring systems allowed to push, each with its push URL (the key shown
//! once, right after it is made), enable/disable, key rotation and deletion.

use crate::api::data_sources::{
    CreateDataSource, DataSourceList, DataSourcePage as Page, DeleteDataSource,
    RotateDataSourceKey, UpdateDataSource, get_data_source, list_data_sources,
};
use crate::components::badge::{Badge, Tone};
use crate::components::copy::CopyField;
use crate::components::feedback::{EmptyState, ErrorBox, Loading};
use crate::components::form::{ButtonKind, DeleteCard, Field, PostForm, SelectField, Submit};
use crate::components::layout::{Card, PageHeader};
use crate::components::live::LiveRegion;
use crate::components::table::{TD, Table, col};
use crate::components::time::TimeFull;
use crate::domain::data_source::{DataSource, DataSourceKind};
use crate::pages::applications::route_id;
use crate::pages::resources::{Property, options};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

const CRUMBS: &[(&str, &str)] = &[
    ("Administration", "/data-sources"),
    ("Data sources", "/data-sources"),
];
const LINK: &str = "font-medium text-indigo-700 hover:underline";

#[component]
fn EnabledBadge(enabled: bool) -> impl IntoView {
    if enabled {
        view! { <Badge text="enabled" tone=Tone::Good/> }
    } else {
        view! { <Badge text="disabled" tone=Tone::Neutral/> }
    }
}

/// What a monitoring system of this kind sends, in one line for the pages.
fn kind_hint(kind: DataSourceKind) -> &'static str {
    match kind {
        DataSourceKind::Alertmanager => {
            "Add a webhook receiver with this URL to alertmanager.yml (send_resolved: true)."
        }
        DataSourceKind::Grafana => "Add a webhook contact point with this URL in Grafana alerting.",
        DataSourceKind::Generic => {
            "POST one JSON event or an array of up to 1000 (see the API docs: events)."
        }
    }
}

#[component]
pub fn DataSourcesPage() -> impl IntoView {
    view! {
        <Title text="Data sources"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list_data_sources().await {
                    Ok(list) => view! {
                        <PageHeader title="Data sources" subtitle="Monitoring systems that push alarms here, each with its own key." crumbs=CRUMBS[..1].to_vec()/>
                        <LiveRegion id="data-sources".to_owned() topics="data_source".to_owned()><SourceList list/></LiveRegion>
                    }.into_any(),
                    Err(e) => view! { <PageHeader title="Data sources" crumbs=CRUMBS[..1].to_vec()/><ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SourceList(list: DataSourceList) -> impl IntoView {
    let table = if list.sources.is_empty() {
        view! { <EmptyState title="No data sources yet" hint="Add one below, then point Alertmanager, Grafana or your own tool at its push URL."/> }.into_any()
    } else {
        let columns = vec![
            col("Name"),
            col("Type"),
            col("State"),
            col("Key"),
            col("Active alarms"),
            col("Push to"),
        ];
        let origin = list.origin.clone();
        let rows = list
            .sources
            .into_iter()
            .map(|s: DataSource| {
                let path = format!("{origin}{}…", s.push_path());
                view! {
                    <tr class="hover:bg-slate-50" data-testid=format!("data-source-row-{}", s.id)>
                        <td class=TD><a href=format!("/data-sources/{}", s.id) class=LINK>{s.name.clone()}</a></td>
                        <td class=TD>{s.kind.as_str()}</td>
                        <td class=TD><EnabledBadge enabled=s.enabled/></td>
                        <td class=format!("{TD} font-mono text-xs")>{format!("…{}", s.key_hint)}</td>
                        <td class=TD><a href=format!("/alarms?tab=active&source={}", s.id) class=LINK>{s.active_alarms}</a></td>
                        <td class=format!("{TD} font-mono text-xs text-slate-500")>{path}</td>
                    </tr>
                }
            })
            .collect_view();
        view! { <Table columns testid="data-sources-table">{rows}</Table> }.into_any()
    };
    let form = list.is_admin.then(|| {
        view! {
            <Card title="Add a data source" class="mt-6 max-w-3xl">
                <PostForm action=CreateDataSource::PATH class="space-y-3" testid="new-data-source-form">
                    <div class="grid gap-3 sm:grid-cols-2">
                        <Field name="name" label="Name" required=true maxlength=100 placeholder="prometheus-prod"/>
                        <SelectField name="kind" label="Type" options=options(DataSourceKind::ALL, DataSourceKind::as_str) selected="alertmanager"/>
                    </div>
                    <p class="text-sm text-slate-600">"Its push URL, with a new 32-character key, is shown once on the next page."</p>
                    <div class="flex justify-end"><Submit label="Add data source" testid="add-data-source"/></div>
                </PostForm>
            </Card>
        }
    });
    view! { {table} {form} }
}

#[component]
pub fn DataSourcePage() -> impl IntoView {
    let Some(id) = route_id() else {
        return view! { <ErrorBox error=crate::domain::AppError::not_found("Data source", "?")/> }
            .into_any();
    };
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match get_data_source(id).await {
                    Ok(page) => view! { <SourceView page/> }.into_any(),
                    Err(e) => view! { <PageHeader title="Data source" crumbs=CRUMBS.to_vec()/><ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn SourceView(page: Page) -> impl IntoView {
    let s = page.source;
    let title = s.name.clone();
    let key_card = match page.new_push_url {
        Some(url) => view! {
            <div class="rounded-lg border border-emerald-300 bg-emerald-50 p-4 text-sm text-emerald-900" data-testid="new-key">
                <p class="mb-2 font-medium">"Copy the push URL now: it holds the new key, which is shown only this once."</p>
                <CopyField value=url label="Push URL".to_owned() testid="push-url".to_owned()/>
            </div>
        }
        .into_any(),
        None => view! {
            <p class="text-sm text-slate-600">
                "Push to " <code class="font-mono text-xs">{format!("{}<key>", page.push_url)}</code>
                {format!(". The key ends in …{}; it is not shown again. Rotate it to get a new one.", s.key_hint)}
            </p>
        }
        .into_any(),
    };
    let admin = page.is_admin.then(|| {
        let (name, enabled) = (s.name.clone(), s.enabled);
        view! {
            <Card title="Edit">
                <PostForm action=UpdateDataSource::PATH class="space-y-3" testid="edit-data-source-form" success="Saved.">
                    <input type="hidden" name="id" value=s.id/>
                    <input type="hidden" name="version" value=s.version/>
                    <Field name="name" label="Name" value=name required=true maxlength=100/>
                    <label class="flex items-center gap-2 text-sm text-slate-700">
                        <input type="checkbox" name="enabled" value="on" checked=enabled data-testid="enabled"/>
                        "Enabled (a disabled source's pushes are refused with 404)"
                    </label>
                    <div class="flex justify-end"><Submit label="Save" testid="save-data-source"/></div>
                </PostForm>
            </Card>
            <Card title="Rotate the key">
                <PostForm action=RotateDataSourceKey::PATH class="space-y-3" testid="rotate-key-form">
                    <input type="hidden" name="id" value=s.id/>
                    <p class="text-sm text-slate-600">"A new key replaces this one at once: pushes with the old key are refused from then on."</p>
                    <Submit label="Rotate key" kind=ButtonKind::Secondary testid="rotate-key"/>
                </PostForm>
            </Card>
            <DeleteCard action=DeleteDataSource::PATH id=s.id version=s.version
                note="Only a source that never raised an alarm can be deleted; disable one that did."
                label="Delete data source" testid="delete-data-source"/>
        }
    });
    view! {
        <Title text=title.clone()/>
        <PageHeader title=title subtitle=kind_hint(s.kind) crumbs=CRUMBS.to_vec()/>
        <LiveRegion id=format!("data-source-{}", s.id) topics="data_source".to_owned()>
            <div class="grid gap-6 lg:grid-cols-3">
                <div class="space-y-6 lg:col-span-2">
                    <Card title="Push URL">{key_card}</Card>
                    <Card title="Details">
                        <dl class="divide-y divide-slate-100">
                            <Property label="Type">{s.kind.as_str()}</Property>
                            <Property label="State"><EnabledBadge enabled=s.enabled/></Property>
                            <Property label="Active alarms">
                                <a href=format!("/alarms?tab=active&source={}", s.id) class=LINK>{s.active_alarms}</a>
                            </Property>
                            <Property label="Key rotated"><TimeFull at=s.key_rotated_at now=page.now/></Property>
                            <Property label="Created"><TimeFull at=s.created_at now=page.now/></Property>
                        </dl>
                    </Card>
                </div>
                <div class="space-y-6">{admin}</div>
            </div>
        </LiveRegion>
    }
}
