//! The inventory: the resource list, a new resource, and one resource's page.

use crate::api::resources::{
    CreateResource, DeleteResource, ResourceDetail, ResourceListing, UpdateResource, get_resource,
    list_resources,
};
use crate::components::badge::{AgentBadge, Badge, ResourceStatusBadge, Tone};
use crate::components::feedback::{EmptyState, ErrorBox, Loading};
use crate::components::form::{ButtonKind, DeleteCard, Field, PostForm, SelectField, Submit};
use crate::components::history::HistoryCard;
use crate::components::layout::{Card, PageHeader};
use crate::components::live::LiveRegion;
use crate::components::table::{CursorPagination, TD, Table, col, cursor_of, sortable};
use crate::components::time::{Time, TimeFull};
use crate::domain::group::GroupPath;
use crate::domain::resource::{
    AgentState, Provider, Resource, ResourceDraft, ResourceStatus, ResourceType, Tags, format_tags,
};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

const CRUMBS: &[(&str, &str)] = &[("Inventory", "/resources")];
pub(crate) const FILTER_INPUT: &str =
    "rounded-lg border border-slate-300 bg-white px-2.5 py-1.5 text-sm shadow-sm";

/// (value, label) pairs of a closed set, for selects.
pub(crate) fn options<T: Copy>(all: &[T], as_str: fn(T) -> &'static str) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (as_str(*v).to_owned(), as_str(*v).replace('_', " ")))
        .collect()
}

/// A list filter's select, showing the value the page's query holds; "" is `label` (any).
#[component]
pub(crate) fn FilterSelect(
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
) -> impl IntoView {
    let query = use_query_map();
    let current = query.read_untracked().get(name).unwrap_or_default();
    view! {
        <select name=name class=FILTER_INPUT aria-label=label>
            <option value="">{label}</option>
            {options.into_iter().map(|(value, text)| {
                let selected = value == current;
                view! { <option value=value selected=selected>{text}</option> }
            }).collect_view()}
        </select>
    }
}

#[component]
fn ResourceFilters(regions: Vec<String>) -> impl IntoView {
    let query = use_query_map();
    let get = move |k: &str| query.read_untracked().get(k).unwrap_or_default();
    let regions = regions.into_iter().map(|r| (r.clone(), r)).collect();
    view! {
        <form method="get" class="mb-4 flex flex-wrap items-center gap-2" data-testid="resource-filters">
            <input type="search" name="q" value=get("q") placeholder="Name or IP contains" class=format!("{FILTER_INPUT} w-48")/>
            <FilterSelect name="resource_type" label="All types" options=options(ResourceType::ALL, ResourceType::as_str)/>
            <FilterSelect name="provider" label="All providers" options=options(Provider::ALL, Provider::as_str)/>
            <FilterSelect name="region" label="All regions" options=regions/>
            <FilterSelect name="status" label="Any status" options=options(ResourceStatus::ALL, ResourceStatus::as_str)/>
            <FilterSelect name="agent_state" label="Any agent" options=options(AgentState::ALL, AgentState::as_str)/>
            <input type="text" name="tag" value=get("tag") placeholder="tag key=value" class=format!("{FILTER_INPUT} w-40")/>
            <button type="submit" class=ButtonKind::Secondary.classes()>"Filter"</button>
            <a href="/resources" class="px-1 text-sm text-slate-500 hover:text-slate-700">"Clear"</a>
        </form>
    }
}

fn spec(r: &ResourceDraft) -> String {
    if r.cpu_cores == 0 && r.memory_gib == 0.0 && r.disk_gib == 0.0 {
        return "no capacity recorded".to_owned();
    }
    format!(
        "{} vCPU · {} GiB memory · {} GiB disk",
        r.cpu_cores, r.memory_gib, r.disk_gib
    )
}

/// "4 vCPU · 16 GiB" over "80 GiB disk", for table cells.
fn capacity(r: &ResourceDraft) -> impl IntoView + use<> {
    let compute = format!("{} vCPU · {} GiB", r.cpu_cores, r.memory_gib);
    let disk = format!("{} GiB disk", r.disk_gib);
    view! { {compute} <span class="block text-slate-500">{disk}</span> }
}

#[component]
pub(crate) fn TagList(tags: Tags) -> impl IntoView {
    view! {
        <span class="flex flex-wrap gap-1">
            {tags.into_iter().map(|(k, v)| view! {
                <Badge text=format!("{k}={v}") tone=Tone::Neutral/>
            }).collect_view()}
        </span>
    }
}

fn rows(resources: Vec<Resource>, now: DateTime<Utc>) -> impl IntoView {
    resources
        .into_iter()
        .map(|r| {
            let testid = format!("resource-row-{}", r.spec.name);
            let address = if r.spec.private_ip.is_empty() {
                r.spec.public_ip.clone()
            } else {
                r.spec.private_ip.clone()
            };
            let location = [r.spec.region.as_str(), r.spec.zone.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" / ");
            view! {
                <tr class="hover:bg-slate-50" data-testid=testid>
                    <td class=format!("{TD} whitespace-nowrap")>
                        <a href=format!("/resources/{}", r.id) class="font-medium text-indigo-700 hover:underline">{r.spec.name.clone()}</a>
                        <span class="block text-xs text-slate-500">{r.spec.os.clone()}</span>
                    </td>
                    <td class=format!("{TD} whitespace-nowrap")>{r.spec.resource_type.as_str().replace('_', " ")}</td>
                    <td class=format!("{TD} whitespace-nowrap")>{r.spec.provider.as_str()} <span class="block text-xs text-slate-500">{location}</span></td>
                    <td class=TD><span class="font-mono text-xs">{address}</span></td>
                    <td class=TD><ResourceStatusBadge status=r.spec.status/></td>
                    <td class=format!("{TD} whitespace-nowrap")><AgentBadge state=r.spec.agent_state/></td>
                    <td class=format!("{TD} whitespace-nowrap text-xs")>{capacity(&r.spec)}</td>
                    <td class=format!("{TD} min-w-56")><TagList tags=r.spec.tags.clone()/></td>
                    <td class=TD><Time at=r.updated_at now/></td>
                </tr>
            }
        })
        .collect_view()
}

#[component]
pub fn ResourcesPage() -> impl IntoView {
    let query = use_query_map();
    let load = move || {
        let q = query.read_untracked();
        let (after, before) = cursor_of(&q);
        list_resources(
            q.get("resource_type"),
            q.get("provider"),
            q.get("region"),
            q.get("status"),
            q.get("agent_state"),
            q.get("q"),
            q.get("tag"),
            after,
            before,
            q.get("sort"),
        )
    };
    let columns = vec![
        sortable("Name", "name"),
        sortable("Type", "type"),
        sortable("Provider", "provider"),
        col("Address"),
        sortable("Status", "status"),
        col("Agent"),
        sortable("Capacity", "cpu_cores"),
        col("Tags"),
        sortable("Updated", "updated_at"),
    ];
    view! {
        <Title text="Resources"/>
        <Suspense fallback=Loading>
            {move || {
                let columns = columns.clone();
                Suspend::new(async move {
                    match load().await {
                        Ok(ResourceListing { listing, regions, can_edit }) => {
                            let page = listing.data;
                            let body = if page.items.is_empty() {
                                view! { <EmptyState title="No resources match" hint="Clear the filters, or add a resource."/> }.into_any()
                            } else {
                                let around = page.neighbours();
                                view! {
                                    <Table columns testid="resources-table">{rows(page.items, listing.now)}</Table>
                                    <CursorPagination around/>
                                }.into_any()
                            };
                            view! {
                                <PageHeader title="Resources" subtitle="Hosts, databases, caches and clusters this team operates."
                                    crumbs=CRUMBS.to_vec()>
                                    {can_edit.then(|| view! {
                                        <a href="/resources/import" class=ButtonKind::Secondary.classes() data-testid="import-resources">"Import"</a>
                                        <a href="/resources/new" class=ButtonKind::Primary.classes() data-testid="new-resource">"New resource"</a>
                                    })}
                                </PageHeader>
                                <ResourceFilters regions/>
                                <LiveRegion id="resources".to_owned() topics="resource".to_owned()>{body}</LiveRegion>
                            }.into_any()
                        }
                        Err(e) => view! {
                            <PageHeader title="Resources" crumbs=CRUMBS.to_vec()/>
                            <ErrorBox error=e/>
                        }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The fields of a resource, empty for a new one.
#[component]
fn ResourceFields(draft: Option<ResourceDraft>) -> impl IntoView {
    let text = |f: fn(&ResourceDraft) -> String| draft.as_ref().map(f).unwrap_or_default();
    let number = |f: fn(&ResourceDraft) -> String| draft.as_ref().map(f).unwrap_or_default();
    view! {
        <div class="grid gap-4 sm:grid-cols-3">
            <Field name="name" label="Name" value=text(|d| d.name.clone()) required=true maxlength=128/>
            <SelectField name="resource_type" label="Type" options=options(ResourceType::ALL, ResourceType::as_str)
                selected=text(|d| d.resource_type.as_str().to_owned())/>
            <SelectField name="provider" label="Provider" options=options(Provider::ALL, Provider::as_str)
                selected=text(|d| d.provider.as_str().to_owned())/>
            <Field name="region" label="Region" value=text(|d| d.region.clone()) maxlength=64 placeholder="eu-west-1"/>
            <Field name="zone" label="Zone" value=text(|d| d.zone.clone()) maxlength=64/>
            <Field name="os" label="Operating system" value=text(|d| d.os.clone()) maxlength=128/>
            <Field name="private_ip" label="Private IP" value=text(|d| d.private_ip.clone())/>
            <Field name="public_ip" label="Public IP" value=text(|d| d.public_ip.clone())/>
            <div></div>
            <Field name="cpu_cores" label="CPU cores" kind="number" value=number(|d| d.cpu_cores.to_string())/>
            <Field name="memory_gib" label="Memory (GiB)" value=number(|d| d.memory_gib.to_string())/>
            <Field name="disk_gib" label="Disk (GiB)" value=number(|d| d.disk_gib.to_string())/>
            <SelectField name="status" label="Status" options=options(ResourceStatus::ALL, ResourceStatus::as_str)
                selected=draft.as_ref().map_or("unknown".to_owned(), |d| d.status.as_str().to_owned())/>
            <SelectField name="agent_state" label="Agent" options=options(AgentState::ALL, AgentState::as_str)
                selected=draft.as_ref().map_or("not_installed".to_owned(), |d| d.agent_state.as_str().to_owned())/>
            <div></div>
        </div>
        <Field name="tags" label="Tags" value=text(|d| format_tags(&d.tags))
            hint="key=value, separated by commas; at most 20." placeholder="env=prod, team=payments"/>
    }
}

#[component]
pub fn NewResourcePage() -> impl IntoView {
    view! {
        <Title text="New resource"/>
        <PageHeader title="New resource" subtitle="Name, provider and region identify a resource."
            crumbs=vec![("Inventory", "/resources"), ("Resources", "/resources")]/>
        <Card class="max-w-4xl">
            <PostForm action=CreateResource::PATH class="space-y-4" testid="new-resource-form">
                <ResourceFields draft=None/>
                <div class="flex justify-end gap-2 pt-2">
                    <a href="/resources" class=ButtonKind::Secondary.classes()>"Cancel"</a>
                    <Submit label="Add resource" testid="create-resource"/>
                </div>
            </PostForm>
        </Card>
    }
}

#[component]
pub(crate) fn Property(label: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="flex justify-between gap-4 py-1.5 text-sm">
            <dt class="text-slate-500">{label}</dt>
            <dd class="text-right text-slate-800">{children()}</dd>
        </div>
    }
}

#[component]
fn ResourceView(
    resource: Resource,
    groups: Vec<GroupPath>,
    now: DateTime<Utc>,
    can_edit: bool,
) -> impl IntoView {
    let r = resource.spec.clone();
    let editable = resource.spec.clone();
    let tags_view = if r.tags.is_empty() {
        view! { <p class="text-sm text-slate-500">"No tags."</p> }.into_any()
    } else {
        view! { <TagList tags=r.tags.clone()/> }.into_any()
    };
    view! {
        <div class="grid gap-4 lg:grid-cols-3">
            <div class="space-y-4">
                <Card title="Properties">
                    <dl class="divide-y divide-slate-100" data-testid="resource-properties">
                        <Property label="Type">{r.resource_type.as_str().replace('_', " ")}</Property>
                        <Property label="Provider">{r.provider.as_str()}</Property>
                        <Property label="Region / zone">{format!("{} / {}", r.region, r.zone)}</Property>
                        <Property label="Private IP"><span class="font-mono">{r.private_ip.clone()}</span></Property>
                        <Property label="Public IP"><span class="font-mono">{r.public_ip.clone()}</span></Property>
                        <Property label="OS">{r.os.clone()}</Property>
                        <Property label="Status"><ResourceStatusBadge status=r.status/></Property>
                        <Property label="Agent"><AgentBadge state=r.agent_state/></Property>
                        <Property label="Created"><TimeFull at=resource.created_at now/></Property>
                        <Property label="Updated"><TimeFull at=resource.updated_at now/></Property>
                    </dl>
                </Card>
                <Card title="Capacity">
                    <div class="grid grid-cols-3 gap-2 text-center" data-testid="resource-capacity">
                        <div><p class="text-2xl font-semibold">{r.cpu_cores}</p><p class="text-xs text-slate-500">"vCPU"</p></div>
                        <div><p class="text-2xl font-semibold">{r.memory_gib}</p><p class="text-xs text-slate-500">"GiB memory"</p></div>
                        <div><p class="text-2xl font-semibold">{r.disk_gib}</p><p class="text-xs text-slate-500">"GiB disk"</p></div>
                    </div>
                </Card>
                <Card title="Tags">
                    {tags_view}
                </Card>
                <Card title="Groups">
                    <GroupList groups/>
                </Card>
            </div>
            {can_edit.then(|| view! {
            <div class="space-y-4 lg:col-span-2">
                <Card title="Edit">
                    <PostForm action=UpdateResource::PATH class="space-y-4" testid="edit-resource-form" success="Saved.">
                        <input type="hidden" name="id" value=resource.id/>
                        <input type="hidden" name="version" value=resource.version/>
                        <ResourceFields draft=Some(editable)/>
                        <div class="flex justify-end">
                            <Submit label="Save changes" testid="save-resource"/>
                        </div>
                    </PostForm>
                </Card>
                <DeleteCard action=DeleteResource::PATH id=resource.id version=resource.version testid="delete-resource"
                    label="Delete resource" note="Removes the resource and its group associations. This cannot be undone."/>
            </div>
            })}
        </div>
    }
}

#[component]
pub fn ResourcePage() -> impl IntoView {
    let params = use_params_map();
    let id = params
        .read_untracked()
        .get("id")
        .and_then(|id| id.parse::<i64>().ok());
    let crumbs = vec![("Inventory", "/resources"), ("Resources", "/resources")];
    view! {
        <Suspense fallback=Loading>
            {move || {
                let crumbs = crumbs.clone();
                Suspend::new(async move {
                    let loaded = match id {
                        Some(id) => get_resource(id).await,
                        None => Err(crate::domain::AppError::not_found("Resource", "?")),
                    };
                    match loaded {
                        Ok(ResourceDetail { resource: stamped, groups, history, can_edit }) => {
                            let resource = stamped.data;
                            let now = stamped.now;
                            view! {
                                <Title text=resource.spec.name.clone()/>
                                <LiveRegion id=format!("resource-{}", resource.id) topics="resource".to_owned()>
                                    <PageHeader title=resource.spec.name.clone()
                                        subtitle=spec(&resource.spec) crumbs>
                                        <ResourceStatusBadge status=resource.spec.status/>
                                    </PageHeader>
                                    <ResourceView resource groups now can_edit/>
                                    <div class="mt-4"><HistoryCard records=history now/></div>
                                </LiveRegion>
                            }.into_any()
                        }
                        Err(e) => view! {
                            <PageHeader title="Resource" crumbs/>
                            <ErrorBox error=e/>
                        }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The groups a resource belongs to, each as "application › component › group".
#[component]
fn GroupList(groups: Vec<GroupPath>) -> impl IntoView {
    if groups.is_empty() {
        return view! { <p class="text-sm text-slate-500">"In no group yet."</p> }.into_any();
    }
    view! {
        <ul class="space-y-1.5 text-sm" data-testid="resource-groups">
            {groups.into_iter().map(|g| view! {
                <li>
                    <a href=format!("/applications/{}", g.application_id) class="text-slate-600 hover:underline">{g.application_name}</a>
                    " › "
                    <a href=format!("/components/{}", g.component_id) class="text-slate-600 hover:underline">{g.component_name}</a>
                    " › "
                    <a href=format!("/groups/{}", g.group_id) class="font-medium text-indigo-700 hover:underline">{g.group_name}</a>
                    <span class="ml-1 text-xs text-slate-500">{g.environment.as_str()}</span>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}
