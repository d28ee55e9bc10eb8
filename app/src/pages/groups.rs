//! One group's page: its resources, picking more, moving them to another group, its rule.

use crate::api::applications::{
    AssociateResources, DeleteGroup, GroupDetail, MoveResources, SyncGroup, UpdateGroup, get_group,
};
use crate::components::badge::{Badge, ResourceStatusBadge, Tone};
use crate::components::feedback::{ErrorBox, Loading};
use crate::components::form::{ButtonKind, DeleteCard, PostForm, Submit};
use crate::components::history::HistoryCard;
use crate::components::layout::{Card, PageHeader};
use crate::components::live::LiveRegion;
use crate::components::table::{Pagination, TD, Table, col};
use crate::components::time::TimeFull;
use crate::domain::group::{GroupPath, TRANSFER_MAX};
use crate::domain::resource::{Resource, ResourceType};
use crate::pages::application_components::{GroupFields, ModeBadge};
use crate::pages::applications::{CRUMBS, TREE_TOPICS, route_id};
use crate::pages::resources::{FILTER_INPUT, Property, options};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const LINK: &str = "font-medium text-indigo-700 hover:underline";

/// Resource rows, with a checkbox each when `pick` (the ids in `disabled` cannot be picked).
fn resource_rows(resources: Vec<Resource>, pick: bool, disabled: &[i64]) -> impl IntoView + use<> {
    resources
        .into_iter()
        .map(|r| {
            let held = disabled.contains(&r.id);
            let check = pick.then(|| {
                view! {
                    <td class=format!("{TD} w-8")>
                        <input type="checkbox" name="resource_ids[]" value=r.id disabled=held
                            aria-label=format!("Select {}", r.spec.name)
                            data-testid=format!("pick-{}", r.spec.name)/>
                    </td>
                }
            });
            view! {
                <tr class="hover:bg-slate-50" data-testid=format!("member-{}", r.spec.name)>
                    {check}
                    <td class=TD>
                        <a href=format!("/resources/{}", r.id) class=LINK>{r.spec.name.clone()}</a>
                        {held.then(|| view! { <span class="ml-2"><Badge text="in this group" tone=Tone::Info/></span> })}
                    </td>
                    <td class=TD>{r.spec.resource_type.as_str().replace('_', " ")}</td>
                    <td class=TD>{format!("{} / {}", r.spec.provider, r.spec.region)}</td>
                    <td class=TD><ResourceStatusBadge status=r.spec.status/></td>
                    <td class=format!("{TD} text-xs")>{format!("{} vCPU · {} GiB", r.spec.cpu_cores, r.spec.memory_gib)}</td>
                </tr>
            }
        })
        .collect_view()
}

fn columns(pick: bool) -> Vec<crate::components::table::Column> {
    let mut c = Vec::new();
    if pick {
        c.push(col(""));
    }
    c.extend([
        col("Resource"),
        col("Type"),
        col("Provider / region"),
        col("Status"),
        col("Capacity"),
    ]);
    c
}

fn target_options(targets: &[GroupPath]) -> impl IntoView + use<> {
    targets
        .iter()
        .map(|t| {
            let label = format!(
                "{} / {} / {} ({})",
                t.application_name, t.component_name, t.group_name, t.environment
            );
            view! { <option value=t.group_id>{label}</option> }
        })
        .collect_view()
}

/// Resources to pick for a manual group, filtered by `pick_*` query parameters.
#[component]
fn PickResources(
    id: i64,
    candidates: crate::domain::list::Page<Resource>,
    held: Vec<i64>,
) -> impl IntoView {
    let query = use_query_map();
    let get = move |k: &str| query.read_untracked().get(k).unwrap_or_default();
    let type_options = options(ResourceType::ALL, ResourceType::as_str);
    let current_type = get("pick_type");
    let shown = candidates.items.len();
    let total = candidates.total;
    view! {
        <Card title="Add resources">
            <form method="get" class="mb-3 flex flex-wrap gap-2" data-testid="pick-filters">
                <input type="search" name="pick_q" value=get("pick_q") placeholder="Name or IP contains" class=format!("{FILTER_INPUT} w-44")/>
                <select name="pick_type" class=FILTER_INPUT aria-label="Type">
                    <option value="">"All types"</option>
                    {type_options.into_iter().map(|(v, t)| {
                        let selected = v == current_type;
                        view! { <option value=v selected=selected>{t}</option> }
                    }).collect_view()}
                </select>
                <input type="text" name="pick_tag" value=get("pick_tag") placeholder="tag key=value" class=format!("{FILTER_INPUT} w-36")/>
                <button type="submit" class=ButtonKind::Secondary.classes()>"Find"</button>
            </form>
            <PostForm action=AssociateResources::PATH class="space-y-3" testid="associate-form" success="Resources added.">
                <input type="hidden" name="id" value=id/>
                <Table columns=columns(true) testid="candidates-table">{resource_rows(candidates.items, true, &held)}</Table>
                <div class="flex items-center justify-between">
                    <p class="text-xs text-slate-500">{format!("Showing {shown} of {total} matching resources; narrow the filter to find others.")}</p>
                    <Submit label="Add selected" testid="associate"/>
                </div>
            </PostForm>
        </Card>
    }
}

#[component]
fn GroupView(detail: GroupDetail) -> impl IntoView {
    let GroupDetail {
        group,
        component,
        application,
        members,
        candidates,
        held,
        targets,
        history,
        can_edit,
    } = detail;
    let now = group.now;
    let g = group.data;
    let id = g.id;
    let automatic = g.is_automatic();
    let manual_edit = can_edit && !automatic;
    let rule_text = g
        .spec
        .rule
        .as_ref()
        .map(|r| r.describe())
        .unwrap_or_else(|| "Resources are picked by hand.".to_owned());
    let (page, pages, total, per_page) = (
        members.page,
        members.pages(),
        members.total,
        members.per_page,
    );
    let members_table = if members.items.is_empty() {
        let hint = if automatic {
            "No resource matches the rule yet. Tag resources to match it, or edit the rule."
        } else {
            "No resources yet. Pick some below."
        };
        view! { <p class="text-sm text-slate-500" data-testid="no-members">{hint}</p> }.into_any()
    } else if manual_edit {
        let target_select = if targets.is_empty() {
            view! { <span class="text-xs text-slate-500">"No other manual group to transfer to."</span> }.into_any()
        } else {
            view! {
                <select name="target_group_id" class=FILTER_INPUT aria-label="Target group" data-testid="transfer-target">
                    <option value="">"Transfer to group…"</option>
                    {target_options(&targets)}
                </select>
                <button type="submit" name="act" value="transfer" class=ButtonKind::Secondary.classes() data-testid="transfer">"Transfer"</button>
            }.into_any()
        };
        view! {
            <PostForm action=MoveResources::PATH class="space-y-3" testid="move-form" success="Done.">
                <input type="hidden" name="id" value=id/>
                <Table columns=columns(true) testid="members-table">{resource_rows(members.items, true, &[])}</Table>
                <Pagination page pages total per_page/>
                <div class="flex flex-wrap items-center justify-end gap-2">
                    <span class="mr-auto text-xs text-slate-500">{format!("Select up to {TRANSFER_MAX} to transfer.")}</span>
                    {target_select}
                    <button type="submit" name="act" value="disassociate" class=ButtonKind::Danger.classes() data-testid="disassociate">"Disassociate"</button>
                </div>
            </PostForm>
        }
        .into_any()
    } else {
        view! {
            <Table columns=columns(false) testid="members-table">{resource_rows(members.items, false, &[])}</Table>
            <Pagination page pages total per_page/>
        }
        .into_any()
    };
    let pick = candidates
        .filter(|_| manual_edit)
        .map(|c| view! { <PickResources id candidates=c held/> });
    let sync = (can_edit && automatic).then(|| {
        view! {
            <PostForm action=SyncGroup::PATH success="Synced.">
                <input type="hidden" name="id" value=id/>
                <Submit label="Sync now" kind=ButtonKind::Secondary testid="sync-group"/>
            </PostForm>
        }
    });
    let draft = g.spec.clone();
    let edit = can_edit.then(move || {
        view! {
            <Card title="Edit">
                <PostForm action=UpdateGroup::PATH class="space-y-3" testid="edit-group-form" success="Saved.">
                    <input type="hidden" name="id" value=id/>
                    <input type="hidden" name="version" value=g.version/>
                    <GroupFields group=Some(draft)/>
                    <div class="flex justify-end"><Submit label="Save changes" testid="save-group"/></div>
                </PostForm>
            </Card>
        }
    });
    let delete = can_edit.then(|| {
        view! {
            <DeleteCard action=DeleteGroup::PATH id version=g.version testid="delete-group" label="Delete group"
                note="A manual group must be emptied first; an automatic group lets its resources go."/>
        }
    });
    let synced = g
        .synced_at
        .map(|at| view! { <Property label="Last synced"><TimeFull at now/></Property> });
    view! {
        <PageHeader title=g.spec.name.clone() subtitle=rule_text.clone() crumbs=CRUMBS.to_vec()>
            <ModeBadge automatic/>
            <Badge text=g.spec.environment.as_str() tone=Tone::Info/>
            {sync}
            <a href=format!("/groups/{id}/capacity") class=ButtonKind::Secondary.classes() data-testid="open-capacity">"Capacity"</a>
        </PageHeader>
        <p class="mb-4 text-sm text-slate-600" data-testid="tree-trail">
            <a href=format!("/applications/{}", application.id) class=LINK>{application.spec.name.clone()}</a>
            " › "
            <a href=format!("/components/{}", component.id) class=LINK>{component.spec.name.clone()}</a>
            " › " {g.spec.name.clone()}
        </p>
        <div class="grid gap-4 lg:grid-cols-3">
            <div class="space-y-4 lg:col-span-2">
                <Card title=format!("Resources ({total})")>{members_table}</Card>
                {pick}
                {edit}
                <HistoryCard records=history now/>
            </div>
            <div class="space-y-4">
                <Card title="Properties">
                    <dl class="divide-y divide-slate-100" data-testid="group-properties">
                        <Property label="Environment">{g.spec.environment.as_str()}</Property>
                        <Property label="Region">{g.spec.region.clone()}</Property>
                        <Property label="Association"><ModeBadge automatic/></Property>
                        <Property label="Rule">{rule_text}</Property>
                        {synced}
                        <Property label="Description">{g.spec.description.clone()}</Property>
                    </dl>
                </Card>
                {delete}
            </div>
        </div>
    }
}

#[component]
pub fn GroupPage() -> impl IntoView {
    let id = route_id();
    let query = use_query_map();
    view! {
        <Suspense fallback=Loading>
            {move || {
                let q = query.read_untracked();
                let page = q.get("page").and_then(|p| p.parse::<u32>().ok());
                let (pick_q, pick_type, pick_tag) = (q.get("pick_q"), q.get("pick_type"), q.get("pick_tag"));
                drop(q);
                Suspend::new(async move {
                let loaded = match id {
                    Some(id) => get_group(id, page, pick_q, pick_type, pick_tag).await,
                    None => Err(crate::domain::AppError::not_found("Group", "?")),
                };
                match loaded {
                    Ok(detail) => {
                        let name = detail.group.data.spec.name.clone();
                        let live = format!("group-{}", detail.group.data.id);
                        view! {
                            <Title text=name/>
                            <LiveRegion id=live topics=TREE_TOPICS.to_owned()>
                                <GroupView detail/>
                            </LiveRegion>
                        }.into_any()
                    }
                    Err(e) => view! {
                        <PageHeader title="Group" crumbs=CRUMBS.to_vec()/>
                        <ErrorBox error=e/>
                    }.into_any(),
                }
            })}}
        </Suspense>
    }
}
