//! The inventory pages' data and forms.

// A server function's arguments are its form's fields, one each.
#![allow(clippy::too_many_arguments)]

use super::{Listing, Stamped};
use crate::domain::AppError;
use crate::domain::resource::Resource;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::context;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceListing {
    pub listing: Listing<Resource>,
    pub regions: Vec<String>,
    /// Whether the caller may add, edit and delete resources.
    pub can_edit: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceDetail {
    pub resource: Stamped<Resource>,
    /// The groups holding the resource, with their component and application.
    pub groups: Vec<crate::domain::group::GroupPath>,
    pub history: Vec<crate::domain::audit::AuditRecord>,
    pub can_edit: bool,
}

/// The resource form's fields, as text.
#[cfg(feature = "ssr")]
struct ResourceForm {
    name: String,
    resource_type: String,
    provider: String,
    region: String,
    zone: String,
    private_ip: String,
    public_ip: String,
    os: String,
    cpu_cores: String,
    memory_gib: String,
    disk_gib: String,
    status: String,
    agent_state: String,
    tags: String,
}

#[cfg(feature = "ssr")]
fn number<T: std::str::FromStr + Default>(field: &str, text: &str) -> Result<T, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(T::default());
    }
    text.parse()
        .map_err(|_| AppError::invalid(field, format!("'{text}' is not a number")))
}

#[cfg(feature = "ssr")]
impl ResourceForm {
    fn draft(self) -> Result<crate::domain::resource::ResourceDraft, AppError> {
        use crate::domain::resource::{
            AgentState, Provider, ResourceDraft, ResourceStatus, ResourceType, parse_tags,
        };
        Ok(ResourceDraft {
            resource_type: ResourceType::parse_field("type", &self.resource_type)?,
            provider: Provider::parse_field("provider", &self.provider)?,
            status: ResourceStatus::parse_field("status", &self.status)?,
            agent_state: AgentState::parse_field("agent_state", &self.agent_state)?,
            cpu_cores: number("cpu_cores", &self.cpu_cores)?,
            memory_gib: number("memory_gib", &self.memory_gib)?,
            disk_gib: number("disk_gib", &self.disk_gib)?,
            tags: parse_tags(&self.tags)?,
            name: self.name,
            region: self.region,
            zone: self.zone,
            private_ip: self.private_ip,
            public_ip: self.public_ip,
            os: self.os,
        })
    }
}

#[server(endpoint = "resources/list")]
pub async fn list_resources(
    resource_type: Option<String>,
    provider: Option<String>,
    region: Option<String>,
    status: Option<String>,
    agent_state: Option<String>,
    q: Option<String>,
    tag: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
    sort: Option<String>,
) -> Result<ResourceListing, AppError> {
    use crate::domain::list::ListParams;
    use crate::domain::resource::{
        AgentState, Provider, ResourceFilter, ResourceStatus, ResourceType, parse_tag,
    };
    let (state, actor) = context().await?;
    let given = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let filter = ResourceFilter {
        resource_type: given(resource_type)
            .map(|v| ResourceType::parse_field("type", &v))
            .transpose()?,
        provider: given(provider)
            .map(|v| Provider::parse_field("provider", &v))
            .transpose()?,
        region: given(region),
        status: given(status)
            .map(|v| ResourceStatus::parse_field("status", &v))
            .transpose()?,
        agent_state: given(agent_state)
            .map(|v| AgentState::parse_field("agent_state", &v))
            .transpose()?,
        q: given(q),
        tag: given(tag).map(|t| parse_tag(&t)).transpose()?,
        group_id: None,
    };
    let params = ListParams {
        after,
        before,
        per_page: None,
        sort: given(sort),
        ..Default::default()
    };
    let data = crate::service::resources::list(&state, &actor, &filter, &params).await?;
    let regions = crate::service::resources::regions(&state, &actor).await?;
    Ok(ResourceListing {
        listing: Stamped {
            data,
            now: state.now(),
        },
        regions,
        can_edit: actor.holds(crate::domain::user::Role::Operator),
    })
}

#[server(endpoint = "resources/get")]
pub async fn get_resource(id: i64) -> Result<ResourceDetail, AppError> {
    let (state, actor) = context().await?;
    let data = crate::service::resources::get(&state, &actor, id).await?;
    Ok(ResourceDetail {
        groups: crate::service::groups::of_resource(&state, &actor, id).await?,
        history: crate::service::audit::history(&state, &actor, "resource", id).await?,
        resource: Stamped {
            data,
            now: state.now(),
        },
        can_edit: actor.holds(crate::domain::user::Role::Operator),
    })
}

#[server(endpoint = "resources/create")]
pub async fn create_resource(
    name: String,
    resource_type: String,
    provider: String,
    region: String,
    zone: String,
    private_ip: String,
    public_ip: String,
    os: String,
    cpu_cores: String,
    memory_gib: String,
    disk_gib: String,
    status: String,
    agent_state: String,
    tags: String,
) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    let draft = ResourceForm {
        name,
        resource_type,
        provider,
        region,
        zone,
        private_ip,
        public_ip,
        os,
        cpu_cores,
        memory_gib,
        disk_gib,
        status,
        agent_state,
        tags,
    }
    .draft()?;
    let resource = crate::service::resources::create(&state, &actor, draft).await?;
    leptos_axum::redirect(&format!("/resources/{}", resource.id));
    Ok(())
}

#[server(endpoint = "resources/update")]
pub async fn update_resource(
    id: i64,
    version: i32,
    name: String,
    resource_type: String,
    provider: String,
    region: String,
    zone: String,
    private_ip: String,
    public_ip: String,
    os: String,
    cpu_cores: String,
    memory_gib: String,
    disk_gib: String,
    status: String,
    agent_state: String,
    tags: String,
) -> Result<(), AppError> {
    use crate::domain::resource::ResourcePatch;
    let (state, actor) = context().await?;
    let d = ResourceForm {
        name,
        resource_type,
        provider,
        region,
        zone,
        private_ip,
        public_ip,
        os,
        cpu_cores,
        memory_gib,
        disk_gib,
        status,
        agent_state,
        tags,
    }
    .draft()?;
    crate::service::resources::update(&state, &actor, id, ResourcePatch::whole(d, version)).await?;
    Ok(())
}

#[server(endpoint = "resources/delete")]
pub async fn delete_resource(id: i64, version: i32) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    crate::service::resources::delete(&state, &actor, id, Some(version)).await?;
    leptos_axum::redirect("/resources");
    Ok(())
}

/// Receives an import file from the import page and sends the browser to its report (to its
/// rejected rows, when there are any).
#[server(input = leptos::server_fn::codec::MultipartFormData, endpoint = "resources/import")]
pub async fn import_resources(
    data: leptos::server_fn::codec::MultipartData,
) -> Result<(), AppError> {
    use crate::domain::import::ImportMode;
    let (state, actor) = context().await?;
    let mut form = data
        .into_inner()
        .ok_or_else(|| AppError::malformed("expected a multipart form"))?;
    let mut file = Vec::new();
    let mut mode = ImportMode::ValidOnly;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| AppError::malformed(e.to_string()))?
    {
        match field.name() {
            Some("file") => {
                file = field
                    .bytes()
                    .await
                    .map_err(|e| AppError::malformed(e.to_string()))?
                    .to_vec();
            }
            Some("mode") => {
                let text = field
                    .text()
                    .await
                    .map_err(|e| AppError::malformed(e.to_string()))?;
                mode = ImportMode::parse_field("mode", &text)?;
            }
            _ => {}
        }
    }
    let report = crate::service::imports::import(&state, &actor, &file, mode).await?;
    // A file with rejected rows opens on them: what the person has to fix comes first.
    let rejected = if report.summary.rejected > 0 {
        "?outcome=rejected"
    } else {
        ""
    };
    leptos_axum::redirect(&format!(
        "/resources/imports/{}{rejected}",
        report.summary.id
    ));
    Ok(())
}

/// An import's counts and one page of its report: rows with `outcome` only, when given, next
/// to a line when `after` or `before` says so.
#[server(endpoint = "resources/imports/get")]
pub async fn get_import(
    id: i64,
    outcome: Option<crate::domain::import::RowOutcome>,
    after: Option<i64>,
    before: Option<i64>,
) -> Result<crate::domain::import::ImportReport, AppError> {
    let (state, actor) = context().await?;
    let params = crate::domain::list::ListParams {
        per_page: Some(REPORT_PAGE),
        after,
        before,
        ..Default::default()
    };
    crate::service::imports::get(&state, &actor, id, outcome, &params).await
}

/// Rows of an import's report on one page of the console.
pub const REPORT_PAGE: u32 = 100;

#[server(endpoint = "resources/imports/recent")]
pub async fn recent_imports() -> Result<Stamped<Vec<crate::domain::import::ImportSummary>>, AppError>
{
    let (state, actor) = context().await?;
    let data = crate::service::imports::recent(&state, &actor).await?;
    Ok(Stamped {
        data,
        now: state.now(),
    })
}
