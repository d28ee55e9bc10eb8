//! One component's page: its groups, a new group, edit and delete.

use crate::api::applications::{
    ComponentDetail, CreateGroup, DeleteComponent, UpdateComponent, get_component,
};
use crate::components::badge::{Badge, Tone};
use crate::components::feedback::{ErrorBox, Loading};
use crate::components::form::{ButtonKind, DeleteCard, Field, PostForm, SelectField, Submit};
use crate::components::history::HistoryCard;
use crate::components::layout::{Card, PageHeader};
use crate::components::live::LiveRegion;
use crate::components::table::{TD, Table, col};
use crate::domain::group::{Environment, GroupDraft, GroupSummary};
use crate::domain::resource::{ResourceType, format_tags};
use crate::pages::applications::{CRUMBS, TREE_TOPICS, route_id};
use crate::pages::resources::options;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

const LINK: &str = "font-medium text-indigo-700 hover:underline";

/// "manual" or "automatic" as a badge.
#[component]
pub fn ModeBadge(automatic: bool) -> impl IntoView {
    if automatic {
        view! { <Badge text="automatic" tone=Tone::Accent/> }
    } else {
        view! { <Badge text="manual" tone=Tone::Neutral/> }
    }
}

/// The fields of a group, empty for a new one: name, environment, region, and the rule.
#[component]
pub fn GroupFields(group: Option<GroupDraft>) -> impl IntoView {
    let text = |f: fn(&GroupDraft) -> String| group.as_ref().map(f).unwrap_or_default();
    let rule = group.as_ref().and_then(|g| g.rule.clone());
    let automatic = rule.is_some();
    view! {
        <div class="grid gap-3 sm:grid-cols-2">
            <Field name="name" label="Name" value=text(|g| g.name.clone()) required=true maxlength=50
                placeholder="web-prod" hint="3 to 50 letters, digits, '_' or '-'."/>
            <SelectField name="environment" label="Environment"
                options=options(Environment::ALL, Environment::as_str)
                selected=group.as_ref().map_or("prod".to_owned(), |g| g.environment.as_str().to_owned())/>
            <Field name="region" label="Region" value=text(|g| g.region.clone()) maxlength=64 placeholder="eu-west-1"/>
            <Field name="description" label="Description" value=text(|g| g.description.clone()) maxlength=256/>
        </div>
        <fieldset class="rounded-lg border border-slate-200 p-3">
            <legend class="px-1 text-sm font-medium text-slate-700">"Association"</legend>
            <label class="mb-3 flex items-center gap-2 text-sm text-slate-700">
                <input type="checkbox" name="automatic" value="on" checked=automatic data-testid="group-automatic"/>
                "Automatic: hold exactly the resources that match this rule"
            </label>
            <div class="grid gap-3 sm:grid-cols-3">
                <Field name="rule_tags" label="All of these tags"
                    value=rule.as_ref().map(|r| format_tags(&r.tags)).unwrap_or_default()
                    placeholder="app=shop, env=prod" hint="key=value, separated by commas."/>
                <Field name="rule_name_prefix" label="Name starts with"
                    value=rule.as_ref().map(|r| r.name_prefix.clone()).unwrap_or_default() placeholder="web-"/>
                <SelectField name="rule_type" label="Type"
                    options=std::iter::once((String::new(), "any type".to_owned()))
                        .chain(options(ResourceType::ALL, ResourceType::as_str)).collect()
                    selected=rule.and_then(|r| r.resource_type).map(|t| t.as_str().to_owned()).unwrap_or_default()/>
            </div>
            <p class="mt-2 text-xs text-slate-500">"Leave \"Automatic\" off to pick resources by hand."</p>
        </fieldset>
    }
}

fn group_rows(items: Vec<GroupSummary>) -> impl IntoView {
    items
        .into_iter()
        .map(|s| {
            let g = s.group;
            let rule = g
                .spec
                .rule
                .as_ref()
                .map(|r| r.describe())
                .unwrap_or_else(|| "picked by hand".to_owned());
            view! {
                <tr class="hover:bg-slate-50" data-testid=format!("group-row-{}", g.spec.name)>
                    <td class=TD>
                        <a href=format!("/groups/{}", g.id) class=LINK>{g.spec.name.clone()}</a>
                        <span class="block text-xs text-slate-500">{rule}</span>
                    </td>
                    <td class=TD>{g.spec.environment.as_str()}</td>
                    <td class=TD>{g.spec.region.clone()}</td>
                    <td class=TD><ModeBadge automatic=g.spec.rule.is_some()/></td>
                    <td class=format!("{TD} tabular-nums")>{s.resources}</td>
                </tr>
            }
        })
        .collect_view()
}

#[component]
fn ComponentView(detail: ComponentDetail) -> impl IntoView {
    let ComponentDetail {
        component,
        application,
        groups,
        history,
        can_edit,
    } = detail;
    let now = component.now;
    let c = component.data;
    let id = c.id;
    let groups_body = if groups.is_empty() {
        view! { <p class="text-sm text-slate-500">"No groups yet. A group holds the resources of one environment."</p> }.into_any()
    } else {
        view! {
            <Table columns=vec![col("Group"), col("Environment"), col("Region"), col("Association"), col("Resources")] testid="groups-table">
                {group_rows(groups)}
            </Table>
        }
        .into_any()
    };
    let new_group = can_edit.then(|| {
        view! {
            <Card title="New group">
                <PostForm action=CreateGroup::PATH class="space-y-3" testid="new-group-form">
                    <input type="hidden" name="component_id" value=id/>
                    <GroupFields group=None/>
                    <div class="flex justify-end"><Submit label="Add group" testid="create-group"/></div>
                </PostForm>
            </Card>
        }
    });
    let (name, description) = (c.spec.name.clone(), c.spec.description.clone());
    let edit = can_edit.then(move || {
        view! {
            <Card title="Edit">
                <PostForm action=UpdateComponent::PATH class="space-y-3" testid="edit-component-form" success="Saved.">
                    <input type="hidden" name="id" value=id/>
                    <input type="hidden" name="version" value=c.version/>
                    <Field name="name" label="Name" value=name required=true maxlength=50/>
                    <Field name="description" label="Description" value=description maxlength=256/>
                    <div class="flex justify-end"><Submit label="Save changes" testid="save-component"/></div>
                </PostForm>
            </Card>
            <DeleteCard action=DeleteComponent::PATH id version=c.version testid="delete-component"
                label="Delete component" note="Only a component without groups can be deleted."/>
        }
    });
    view! {
        <PageHeader title=c.spec.name.clone()
            subtitle=if c.spec.description.is_empty() { "Component".to_owned() } else { c.spec.description.clone() }
            crumbs=CRUMBS.to_vec()>
            <a href=format!("/components/{id}/capacity") class=ButtonKind::Secondary.classes() data-testid="open-capacity">"Capacity"</a>
        </PageHeader>
        <p class="mb-4 text-sm text-slate-600" data-testid="tree-trail">"Component of "
            <a href=format!("/applications/{}", application.id) class=LINK>{application.spec.name.clone()}</a></p>
        <div class="grid gap-4 lg:grid-cols-3">
            <div class="space-y-4 lg:col-span-2">
                <Card title="Groups">{groups_body}</Card>
                {new_group}
                <HistoryCard records=history now/>
            </div>
            <div class="space-y-4">{edit}</div>
        </div>
    }
}

#[component]
pub fn ComponentPage() -> impl IntoView {
    let id = route_id();
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let loaded = match id {
                    Some(id) => get_component(id).await,
                    None => Err(crate::domain::AppError::not_found("Component", "?")),
                };
                match loaded {
                    Ok(detail) => {
                        let name = detail.component.data.spec.name.clone();
                        let live = format!("component-{}", detail.component.data.id);
                        view! {
                            <Title text=name/>
                            <LiveRegion id=live topics=TREE_TOPICS.to_owned()>
                                <ComponentView detail/>
                            </LiveRegion>
                        }.into_any()
                    }
                    Err(e) => view! {
                        <PageHeader title="Component" crumbs=CRUMBS.to_vec()/>
                        <ErrorBox error=e/>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
