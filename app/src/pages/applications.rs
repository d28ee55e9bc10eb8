//! Applications: the list, a new application, and one application's page with its
//! sub-applications and components.

use crate::api::applications::{
    ApplicationDetail, ApplicationListing, CreateApplication, CreateComponent, DeleteApplication,
    UpdateApplication, application_names, get_application, list_applications,
};
use crate::components::feedback::{EmptyState, ErrorBox, Loading};
use crate::components::form::{ButtonKind, DeleteCard, Field, PostForm, SelectField, Submit};
use crate::components::history::HistoryCard;
use crate::components::layout::{Card, PageHeader};
use crate::components::live::LiveRegion;
use crate::components::table::{Pagination, TD, Table, col, sortable};
use crate::components::time::Time;
use crate::domain::application::{Application, ApplicationSummary, ComponentSummary};
use crate::pages::resources::FILTER_INPUT;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

pub const CRUMBS: &[(&str, &str)] = &[("Inventory", "/applications")];
const LINK: &str = "font-medium text-indigo-700 hover:underline";
/// The live topics of every page about the application tree.
pub const TREE_TOPICS: &str = "application,component,group,resource";

/// The id in the route, if it is one.
pub fn route_id() -> Option<i64> {
    use_params_map()
        .read_untracked()
        .get("id")
        .and_then(|id| id.parse::<i64>().ok())
}

/// (value, label) options for a parent picker; "" is none.
fn parent_options(apps: &[(i64, String)], except: Option<i64>) -> Vec<(String, String)> {
    std::iter::once((String::new(), "— none (top level) —".to_owned()))
        .chain(
            apps.iter()
                .filter(|(id, _)| Some(*id) != except)
                .map(|(id, name)| (id.to_string(), name.clone())),
        )
        .collect()
}

fn plural(n: i64, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

fn count(n: i64) -> impl IntoView {
    view! { <span class="tabular-nums">{n}</span> }
}

fn application_rows(items: Vec<ApplicationSummary>, now: DateTime<Utc>) -> impl IntoView {
    items
        .into_iter()
        .map(|s| {
            let a = s.application;
            let parent = match (a.spec.parent_id, s.parent_name) {
                (Some(id), Some(name)) => view! {
                    <a href=format!("/applications/{id}") class="text-slate-600 hover:underline">{name}</a>
                }
                .into_any(),
                _ => view! { <span class="text-slate-400">"—"</span> }.into_any(),
            };
            view! {
                <tr class="hover:bg-slate-50" data-testid=format!("application-row-{}", a.spec.name)>
                    <td class=TD>
                        <a href=format!("/applications/{}", a.id) class=LINK>{a.spec.name.clone()}</a>
                        <span class="block max-w-md truncate text-xs text-slate-500">{a.spec.description.clone()}</span>
                    </td>
                    <td class=TD>{parent}</td>
                    <td class=TD>{count(s.components)}</td>
                    <td class=TD>{count(s.groups)}</td>
                    <td class=TD>{count(s.resources)}</td>
                    <td class=TD>
                        <a href=format!("/topology?application={}", a.id) class="text-xs text-indigo-700 hover:underline">"Topology"</a>
                        " · "
                        <a href=format!("/applications/{}/capacity", a.id) class="text-xs text-indigo-700 hover:underline">"Capacity"</a>
                    </td>
                    <td class=TD><Time at=a.updated_at now/></td>
                </tr>
            }
        })
        .collect_view()
}

#[component]
pub fn ApplicationsPage() -> impl IntoView {
    let query = use_query_map();
    let q = query.read_untracked().get("q").unwrap_or_default();
    let load = move || {
        let q = query.read_untracked();
        list_applications(
            q.get("q"),
            q.get("page").and_then(|p| p.parse::<u32>().ok()),
            q.get("sort"),
        )
    };
    let columns = vec![
        sortable("Application", "name"),
        col("Parent"),
        col("Components"),
        col("Groups"),
        col("Resources"),
        col("Views"),
        sortable("Updated", "updated_at"),
    ];
    view! {
        <Title text="Applications"/>
        <Suspense fallback=Loading>
            {move || {
                let (columns, q) = (columns.clone(), q.clone());
                Suspend::new(async move {
                    match load().await {
                        Ok(ApplicationListing { listing, can_edit }) => {
                            let page = listing.data;
                            let body = if page.items.is_empty() {
                                view! { <EmptyState title="No applications yet" hint="Add an application, then its components and groups."/> }.into_any()
                            } else {
                                let (p, pages, total, per_page) = (page.page, page.pages(), page.total, page.per_page);
                                view! {
                                    <Table columns testid="applications-table">{application_rows(page.items, listing.now)}</Table>
                                    <Pagination page=p pages total per_page/>
                                }.into_any()
                            };
                            view! {
                                <PageHeader title="Applications" subtitle="Applications → components → groups → resources."
                                    crumbs=CRUMBS.to_vec()>
                                    <a href="/topology" class=ButtonKind::Secondary.classes()>"Topology"</a>
                                    {can_edit.then(|| view! {
                                        <a href="/applications/new" class=ButtonKind::Primary.classes() data-testid="new-application">"New application"</a>
                                    })}
                                </PageHeader>
                                <form method="get" class="mb-4 flex gap-2">
                                    <input type="search" name="q" value=q placeholder="Name contains" class=format!("{FILTER_INPUT} w-56")/>
                                    <button type="submit" class=ButtonKind::Secondary.classes()>"Filter"</button>
                                </form>
                                <LiveRegion id="applications".to_owned() topics=TREE_TOPICS.to_owned()>{body}</LiveRegion>
                            }.into_any()
                        }
                        Err(e) => view! {
                            <PageHeader title="Applications" crumbs=CRUMBS.to_vec()/>
                            <ErrorBox error=e/>
                        }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Name, description and parent: the fields of an application.
#[component]
fn ApplicationFields(
    application: Option<Application>,
    applications: Vec<(i64, String)>,
) -> impl IntoView {
    let id = application.as_ref().map(|a| a.id);
    let spec = application.map(|a| a.spec);
    let parent = spec
        .as_ref()
        .and_then(|s| s.parent_id)
        .map(|p| p.to_string())
        .unwrap_or_default();
    view! {
        <Field name="name" label="Name" value=spec.as_ref().map(|s| s.name.clone()).unwrap_or_default()
            required=true maxlength=50 hint="3 to 50 letters, digits, '_' or '-'; unique." placeholder="checkout"/>
        <Field name="description" label="Description" value=spec.as_ref().map(|s| s.description.clone()).unwrap_or_default()
            maxlength=256 hint="At most 256 characters."/>
        <SelectField name="parent_id" label="Parent application" options=parent_options(&applications, id)
            selected=parent hint="Set a parent to make this a sub-application."/>
    }
}

#[component]
pub fn NewApplicationPage() -> impl IntoView {
    view! {
        <Title text="New application"/>
        <PageHeader title="New application" subtitle="An application groups the components that deliver one service."
            crumbs=vec![("Inventory", "/applications"), ("Applications", "/applications")]/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match application_names().await {
                    Ok(applications) => view! {
                        <Card class="max-w-2xl">
                            <PostForm action=CreateApplication::PATH class="space-y-4" testid="new-application-form">
                                <ApplicationFields application=None applications/>
                                <div class="flex justify-end gap-2 pt-2">
                                    <a href="/applications" class=ButtonKind::Secondary.classes()>"Cancel"</a>
                                    <Submit label="Add application" testid="create-application"/>
                                </div>
                            </PostForm>
                        </Card>
                    }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn component_rows(items: Vec<ComponentSummary>) -> impl IntoView {
    items
        .into_iter()
        .map(|s| {
            let c = s.component;
            view! {
                <tr class="hover:bg-slate-50" data-testid=format!("component-row-{}", c.spec.name)>
                    <td class=TD>
                        <a href=format!("/components/{}", c.id) class=LINK>{c.spec.name.clone()}</a>
                        <span class="block text-xs text-slate-500">{c.spec.description.clone()}</span>
                    </td>
                    <td class=TD>{count(s.groups)}</td>
                    <td class=TD>{count(s.resources)}</td>
                </tr>
            }
        })
        .collect_view()
}

fn sub_application_rows(items: Vec<ApplicationSummary>) -> impl IntoView {
    items
        .into_iter()
        .map(|s| {
            let a = s.application;
            view! {
                <li class="flex items-center justify-between py-1.5 text-sm">
                    <a href=format!("/applications/{}", a.id) class=LINK>{a.spec.name.clone()}</a>
                    <span class="text-xs text-slate-500">{format!("{} · {}", plural(s.components, "component"), plural(s.resources, "resource"))}</span>
                </li>
            }
        })
        .collect_view()
}

#[component]
fn ApplicationView(detail: ApplicationDetail) -> impl IntoView {
    let ApplicationDetail {
        application,
        parent_name,
        sub_applications,
        components,
        applications,
        history,
        can_edit,
    } = detail;
    let now = application.now;
    let app = application.data;
    let id = app.id;
    let parent = match (app.spec.parent_id, parent_name) {
        (Some(p), Some(name)) => view! {
            <p class="mb-4 text-sm text-slate-600">"Sub-application of "
                <a href=format!("/applications/{p}") class=LINK>{name}</a></p>
        }
        .into_any(),
        _ => ().into_any(),
    };
    let components_body = if components.is_empty() {
        view! { <p class="text-sm text-slate-500">"No components yet. Add the first one below."</p> }.into_any()
    } else {
        view! {
            <Table columns=vec![col("Component"), col("Groups"), col("Resources")] testid="components-table">
                {component_rows(components)}
            </Table>
        }
        .into_any()
    };
    let subs = (!sub_applications.is_empty()).then(|| {
        view! {
            <Card title="Sub-applications">
                <ul class="divide-y divide-slate-100" data-testid="sub-applications">{sub_application_rows(sub_applications)}</ul>
            </Card>
        }
    });
    let edit = can_edit.then(|| {
        let editable = app.clone();
        view! {
            <Card title="New component">
                <PostForm action=CreateComponent::PATH class="space-y-3" testid="new-component-form">
                    <input type="hidden" name="application_id" value=id/>
                    <Field name="name" label="Name" required=true maxlength=50 placeholder="api"
                        hint="3 to 50 letters, digits, '_' or '-'; unique in this application."/>
                    <Field name="description" label="Description" maxlength=256/>
                    <div class="flex justify-end"><Submit label="Add component" testid="create-component"/></div>
                </PostForm>
            </Card>
            <Card title="Edit">
                <PostForm action=UpdateApplication::PATH class="space-y-3" testid="edit-application-form" success="Saved.">
                    <input type="hidden" name="id" value=id/>
                    <input type="hidden" name="version" value=app.version/>
                    <ApplicationFields application=Some(editable) applications/>
                    <div class="flex justify-end"><Submit label="Save changes" testid="save-application"/></div>
                </PostForm>
            </Card>
            <DeleteCard action=DeleteApplication::PATH id version=app.version testid="delete-application"
                label="Delete application" note="Only an application without sub-applications and components can be deleted."/>
        }
    });
    view! {
        <PageHeader title=app.spec.name.clone()
            subtitle=if app.spec.description.is_empty() { "No description.".to_owned() } else { app.spec.description.clone() }
            crumbs=vec![("Inventory", "/applications"), ("Applications", "/applications")]>
            <a href=format!("/topology?application={id}") class=ButtonKind::Secondary.classes() data-testid="open-topology">"Topology"</a>
            <a href=format!("/applications/{id}/capacity") class=ButtonKind::Secondary.classes() data-testid="open-capacity">"Capacity"</a>
        </PageHeader>
        {parent}
        <div class="grid gap-4 lg:grid-cols-3">
            <div class="space-y-4 lg:col-span-2">
                <Card title="Components">{components_body}</Card>
                {subs}
                <HistoryCard records=history now/>
            </div>
            <div class="space-y-4">{edit}</div>
        </div>
    }
}

#[component]
pub fn ApplicationPage() -> impl IntoView {
    let id = route_id();
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let loaded = match id {
                    Some(id) => get_application(id).await,
                    None => Err(crate::domain::AppError::not_found("Application", "?")),
                };
                match loaded {
                    Ok(detail) => {
                        let name = detail.application.data.spec.name.clone();
                        let live = format!("application-{}", detail.application.data.id);
                        view! {
                            <Title text=name/>
                            <LiveRegion id=live topics=TREE_TOPICS.to_owned()>
                                <ApplicationView detail/>
                            </LiveRegion>
                        }.into_any()
                    }
                    Err(e) => view! {
                        <PageHeader title="Application" crumbs=CRUMBS.to_vec()/>
                        <ErrorBox error=e/>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
