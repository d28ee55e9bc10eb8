//! The application, component, group, topology and capacity pages' data and forms.

// A server function's arguments are its form's fields, one each.
#![allow(clippy::too_many_arguments)]

use super::{Listing, Stamped};
use crate::domain::AppError;
use crate::domain::application::{Application, ApplicationSummary, Component, ComponentSummary};
use crate::domain::audit::AuditRecord;
use crate::domain::capacity::Capacity;
use crate::domain::group::{Group, GroupPath, GroupSummary};
use crate::domain::resource::Resource;
use crate::domain::topology::TopologyNode;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::{context, optional_id};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApplicationListing {
    pub listing: Listing<ApplicationSummary>,
    pub can_edit: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApplicationDetail {
    pub application: Stamped<Application>,
    pub parent_name: Option<String>,
    pub sub_applications: Vec<ApplicationSummary>,
    pub components: Vec<ComponentSummary>,
    /// Every application (id, name), for the parent picker.
    pub applications: Vec<(i64, String)>,
    pub history: Vec<AuditRecord>,
    pub can_edit: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComponentDetail {
    pub component: Stamped<Component>,
    pub application: Application,
    pub groups: Vec<GroupSummary>,
    pub history: Vec<AuditRecord>,
    pub can_edit: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupDetail {
    pub group: Stamped<Group>,
    pub component: Component,
    pub application: Application,
    /// The group's resources, a page at a time.
    pub members: crate::domain::list::Page<Resource>,
    /// Resources to pick from (a manual group's "add" list), filtered as asked.
    pub candidates: Option<crate::domain::list::Page<Resource>>,
    /// Ids among `candidates` the group holds already.
    pub held: Vec<i64>,
    /// Manual groups resources can be transferred to.
    pub targets: Vec<GroupPath>,
    pub history: Vec<AuditRecord>,
    pub can_edit: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopologyView {
    pub applications: Vec<(i64, String)>,
    pub tree: Option<TopologyNode>,
}

#[cfg(feature = "ssr")]
fn can_edit(actor: &crate::service::Actor) -> bool {
    actor.holds(crate::domain::user::Role::Operator)
}

#[server(endpoint = "applications/list")]
pub async fn list_applications(
    q: Option<String>,
    page: Option<u32>,
    sort: Option<String>,
) -> Result<ApplicationListing, AppError> {
    use crate::domain::application::ApplicationFilter;
    use crate::domain::list::ListParams;
    let (state, actor) = context().await?;
    let filter = ApplicationFilter {
        q: q.filter(|s| !s.trim().is_empty()),
        parent_id: None,
    };
    let params = ListParams {
        page,
        per_page: Some(50),
        sort: sort.filter(|s| !s.is_empty()),
        ..Default::default()
    };
    let data = crate::service::applications::list(&state, &actor, &filter, &params).await?;
    Ok(ApplicationListing {
        listing: Stamped {
            data,
            now: state.now(),
        },
        can_edit: can_edit(&actor),
    })
}

#[server(endpoint = "applications/names")]
pub async fn application_names() -> Result<Vec<(i64, String)>, AppError> {
    let (state, actor) = context().await?;
    crate::service::applications::names(&state, &actor).await
}

#[server(endpoint = "applications/get")]
pub async fn get_application(id: i64) -> Result<ApplicationDetail, AppError> {
    use crate::domain::application::ApplicationFilter;
    use crate::domain::list::{ListParams, PER_PAGE_MAX};
    use crate::service::{applications, audit};
    let (state, actor) = context().await?;
    let application = applications::get(&state, &actor, id).await?;
    let all = ListParams {
        page: None,
        per_page: Some(PER_PAGE_MAX),
        sort: None,
        ..Default::default()
    };
    let subs = applications::list(
        &state,
        &actor,
        &ApplicationFilter {
            q: None,
            parent_id: Some(id),
        },
        &all,
    )
    .await?;
    let components = applications::list_components(&state, &actor, Some(id), &all).await?;
    let applications = applications::names(&state, &actor).await?;
    let parent_name = application
        .spec
        .parent_id
        .and_then(|p| applications.iter().find(|(i, _)| *i == p))
        .map(|(_, n)| n.clone());
    Ok(ApplicationDetail {
        history: audit::history(&state, &actor, "application", id).await?,
        application: Stamped {
            data: application,
            now: state.now(),
        },
        parent_name,
        sub_applications: subs.items,
        components: components.items,
        applications,
        can_edit: can_edit(&actor),
    })
}

#[server(endpoint = "applications/create")]
pub async fn create_application(
    name: String,
    description: String,
    parent_id: String,
) -> Result<(), AppError> {
    use crate::domain::application::ApplicationDraft;
    let (state, actor) = context().await?;
    let draft = ApplicationDraft {
        name,
        description,
        parent_id: optional_id("parent_id", &parent_id)?,
    };
    let app = crate::service::applications::create(&state, &actor, draft).await?;
    leptos_axum::redirect(&format!("/applications/{}", app.id));
    Ok(())
}

#[server(endpoint = "applications/update")]
pub async fn update_application(
    id: i64,
    version: i32,
    name: String,
    description: String,
    parent_id: String,
) -> Result<(), AppError> {
    use crate::domain::application::ApplicationPatch;
    let (state, actor) = context().await?;
    let patch = ApplicationPatch {
        name: Some(name),
        description: Some(description),
        parent_id: Some(optional_id("parent_id", &parent_id)?),
        version,
    };
    crate::service::applications::update(&state, &actor, id, patch).await?;
    Ok(())
}

#[server(endpoint = "applications/delete")]
pub async fn delete_application(id: i64, version: i32) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    crate::service::applications::delete(&state, &actor, id, Some(version)).await?;
    leptos_axum::redirect("/applications");
    Ok(())
}

#[server(endpoint = "components/get")]
pub async fn get_component(id: i64) -> Result<ComponentDetail, AppError> {
    use crate::domain::group::GroupFilter;
    use crate::domain::list::{ListParams, PER_PAGE_MAX};
    use crate::service::{applications, audit, groups};
    let (state, actor) = context().await?;
    let component = applications::get_component(&state, &actor, id).await?;
    let application = applications::get(&state, &actor, component.spec.application_id).await?;
    let groups = groups::list(
        &state,
        &actor,
        &GroupFilter {
            component_id: Some(id),
            ..Default::default()
        },
        &ListParams {
            page: None,
            per_page: Some(PER_PAGE_MAX),
            sort: None,
            ..Default::default()
        },
    )
    .await?;
    Ok(ComponentDetail {
        history: audit::history(&state, &actor, "component", id).await?,
        component: Stamped {
            data: component,
            now: state.now(),
        },
        application,
        groups: groups.items,
        can_edit: can_edit(&actor),
    })
}

#[server(endpoint = "components/create")]
pub async fn create_component(
    application_id: i64,
    name: String,
    description: String,
) -> Result<(), AppError> {
    use crate::domain::application::ComponentDraft;
    let (state, actor) = context().await?;
    let draft = ComponentDraft {
        application_id,
        name,
        description,
    };
    let component = crate::service::applications::create_component(&state, &actor, draft).await?;
    leptos_axum::redirect(&format!("/components/{}", component.id));
    Ok(())
}

#[server(endpoint = "components/update")]
pub async fn update_component(
    id: i64,
    version: i32,
    name: String,
    description: String,
) -> Result<(), AppError> {
    use crate::domain::application::ComponentPatch;
    let (state, actor) = context().await?;
    let patch = ComponentPatch {
        name: Some(name),
        description: Some(description),
        version,
    };
    crate::service::applications::update_component(&state, &actor, id, patch).await?;
    Ok(())
}

#[server(endpoint = "components/delete")]
pub async fn delete_component(id: i64, version: i32) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    let component = crate::service::applications::get_component(&state, &actor, id).await?;
    crate::service::applications::delete_component(&state, &actor, id, Some(version)).await?;
    leptos_axum::redirect(&format!("/applications/{}", component.spec.application_id));
    Ok(())
}

/// The rule fields of the group form: automatic when `automatic` is on.
#[cfg(feature = "ssr")]
fn rule_of(
    automatic: Option<String>,
    rule_tags: &str,
    rule_name_prefix: String,
    rule_type: &str,
) -> Result<Option<crate::domain::group::AssociationRule>, AppError> {
    use crate::domain::group::AssociationRule;
    use crate::domain::resource::{ResourceType, parse_tags};
    if automatic.is_none_or(|a| a.is_empty()) {
        return Ok(None);
    }
    let tags = parse_tags(rule_tags).map_err(|e| match e {
        AppError::Validation { message, .. } => AppError::invalid("rule_tags", message),
        other => other,
    })?;
    let resource_type = match rule_type.trim() {
        "" => None,
        t => Some(ResourceType::parse_field("rule_type", t)?),
    };
    AssociationRule {
        tags,
        name_prefix: rule_name_prefix,
        resource_type,
    }
    .normalized()
    .map(Some)
    .map_err(|e| match e {
        AppError::Validation { field, message } => AppError::Validation {
            field: field.replace('.', "_"),
            message,
        },
        other => other,
    })
}

#[server(endpoint = "groups/create")]
pub async fn create_group(
    component_id: i64,
    name: String,
    description: String,
    environment: String,
    region: String,
    automatic: Option<String>,
    rule_tags: String,
    rule_name_prefix: String,
    rule_type: String,
) -> Result<(), AppError> {
    use crate::domain::group::{Environment, GroupDraft};
    let (state, actor) = context().await?;
    let draft = GroupDraft {
        component_id,
        name,
        description,
        environment: Environment::parse_field("environment", &environment)?,
        region,
        rule: rule_of(automatic, &rule_tags, rule_name_prefix, &rule_type)?,
    };
    let group = crate::service::groups::create(&state, &actor, draft).await?;
    leptos_axum::redirect(&format!("/groups/{}", group.id));
    Ok(())
}

#[server(endpoint = "groups/update")]
pub async fn update_group(
    id: i64,
    version: i32,
    name: String,
    description: String,
    environment: String,
    region: String,
    automatic: Option<String>,
    rule_tags: String,
    rule_name_prefix: String,
    rule_type: String,
) -> Result<(), AppError> {
    use crate::domain::group::{Environment, GroupPatch};
    let (state, actor) = context().await?;
    let patch = GroupPatch {
        name: Some(name),
        description: Some(description),
        environment: Some(Environment::parse_field("environment", &environment)?),
        region: Some(region),
        rule: Some(rule_of(
            automatic,
            &rule_tags,
            rule_name_prefix,
            &rule_type,
        )?),
        version,
    };
    crate::service::groups::update(&state, &actor, id, patch).await?;
    Ok(())
}

#[server(endpoint = "groups/delete")]
pub async fn delete_group(id: i64, version: i32) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    let group = crate::service::groups::get(&state, &actor, id).await?;
    crate::service::groups::delete(&state, &actor, id, Some(version)).await?;
    leptos_axum::redirect(&format!("/components/{}", group.spec.component_id));
    Ok(())
}

/// The group page: the group, a page of its resources, and (for a manual group) resources to
/// pick, filtered by `pick_q`, `pick_type` and `pick_tag`.
#[server(endpoint = "groups/get")]
pub async fn get_group(
    id: i64,
    page: Option<u32>,
    pick_q: Option<String>,
    pick_type: Option<String>,
    pick_tag: Option<String>,
) -> Result<GroupDetail, AppError> {
    use crate::domain::list::ListParams;
    use crate::domain::resource::{ResourceFilter, ResourceType, parse_tag};
    use crate::service::{applications, audit, groups, resources};
    let (state, actor) = context().await?;
    let group = groups::get(&state, &actor, id).await?;
    let component = applications::get_component(&state, &actor, group.spec.component_id).await?;
    let application = applications::get(&state, &actor, component.spec.application_id).await?;
    let by_name = |page, per_page| ListParams {
        page,
        per_page: Some(per_page),
        sort: Some("name".into()),
        ..Default::default()
    };
    let members = resources::list(
        &state,
        &actor,
        &ResourceFilter {
            group_id: Some(id),
            ..Default::default()
        },
        &by_name(page, 25),
    )
    .await?;
    let given = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let editable = can_edit(&actor) && !group.is_automatic();
    let (candidates, held) = if editable {
        let filter = ResourceFilter {
            q: given(pick_q),
            resource_type: given(pick_type)
                .map(|t| ResourceType::parse_field("pick_type", &t))
                .transpose()?,
            tag: given(pick_tag).map(|t| parse_tag(&t)).transpose()?,
            ..Default::default()
        };
        let page = resources::list(&state, &actor, &filter, &by_name(None, 15)).await?;
        let ids: Vec<i64> = page.items.iter().map(|r| r.id).collect();
        let held = groups::held(&state, &actor, id, &ids).await?;
        (Some(page), held)
    } else {
        (None, vec![])
    };
    let targets = if editable {
        groups::paths(&state, &actor)
            .await?
            .into_iter()
            .filter(|p| p.group_id != id && !p.automatic)
            .collect()
    } else {
        vec![]
    };
    Ok(GroupDetail {
        history: audit::history(&state, &actor, "group", id).await?,
        group: Stamped {
            data: group,
            now: state.now(),
        },
        component,
        application,
        members,
        candidates,
        held,
        targets,
        can_edit: can_edit(&actor),
    })
}

#[server(endpoint = "groups/associate")]
pub async fn associate_resources(id: i64, resource_ids: Option<Vec<i64>>) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    crate::service::groups::associate(&state, &actor, id, &resource_ids.unwrap_or_default())
        .await?;
    Ok(())
}

#[server(endpoint = "groups/disassociate")]
pub async fn disassociate_resources(
    id: i64,
    resource_ids: Option<Vec<i64>>,
) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    crate::service::groups::disassociate(&state, &actor, id, &resource_ids.unwrap_or_default())
        .await?;
    Ok(())
}

/// One form moves or removes the checked resources: its two buttons send `act`.
#[server(endpoint = "groups/move")]
pub async fn move_resources(
    id: i64,
    act: String,
    target_group_id: String,
    resource_ids: Option<Vec<i64>>,
) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    let ids = resource_ids.unwrap_or_default();
    match act.as_str() {
        "transfer" => {
            let target = optional_id("target_group_id", &target_group_id)?.ok_or_else(|| {
                AppError::invalid("target_group_id", "pick the group to transfer to")
            })?;
            crate::service::groups::transfer(&state, &actor, id, target, &ids).await?;
        }
        "disassociate" => {
            crate::service::groups::disassociate(&state, &actor, id, &ids).await?;
        }
        other => {
            return Err(AppError::invalid(
                "act",
                format!("'{other}' is neither transfer nor disassociate"),
            ));
        }
    }
    Ok(())
}

#[server(endpoint = "groups/sync")]
pub async fn sync_group(id: i64) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    crate::service::groups::sync(&state, &actor, id).await?;
    Ok(())
}

#[server(endpoint = "resources/groups")]
pub async fn resource_groups(id: i64) -> Result<Vec<GroupPath>, AppError> {
    let (state, actor) = context().await?;
    crate::service::groups::of_resource(&state, &actor, id).await
}

#[server(endpoint = "capacity/get")]
pub async fn get_capacity(
    scope: String,
    id: i64,
    by: Option<String>,
    top: Option<u32>,
) -> Result<Capacity, AppError> {
    use crate::domain::capacity::{Metric, Scope};
    let (state, actor) = context().await?;
    let scope = Scope::parse_field("scope", &scope)?;
    let metric = by
        .filter(|b| !b.is_empty())
        .map(|b| Metric::parse_field("by", &b))
        .transpose()?;
    crate::service::capacity::capacity(&state, &actor, scope, id, metric, top).await
}

/// The topology page: the tree of `application`, or of the first application by name.
#[server(endpoint = "topology/get")]
pub async fn get_topology(application: Option<i64>) -> Result<TopologyView, AppError> {
    let (state, actor) = context().await?;
    let applications = crate::service::applications::names(&state, &actor).await?;
    let root = application.or_else(|| applications.first().map(|(id, _)| *id));
    let tree = match root {
        Some(id) => Some(crate::service::capacity::topology(&state, &actor, id).await?),
        None => None,
    };
    Ok(TopologyView { applications, tree })
}
