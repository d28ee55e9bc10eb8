//! `/v1/resources`: the inventory.

use super::error::ApiResult;
use super::extract::{ApiJson, ApiQuery, Caller, IdPath};
use app::domain::error::ErrorBody;
use app::domain::list::{ListParams, Page};
use app::domain::resource::{
    AgentState, Provider, Resource, ResourceDraft, ResourceFilter, ResourcePatch, ResourceStatus,
    ResourceType, parse_tag,
};
use app::service::resources;
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct ResourceQuery {
    #[serde(rename = "type")]
    #[param(rename = "type")]
    resource_type: Option<ResourceType>,
    provider: Option<Provider>,
    /// Exact region.
    region: Option<String>,
    status: Option<ResourceStatus>,
    agent_state: Option<AgentState>,
    /// Contained in the name (any case) or an IP address.
    q: Option<String>,
    /// `key=value`: only resources carrying this tag.
    tag: Option<String>,
    /// Only resources associated with this group.
    group_id: Option<i64>,
    page: Option<u32>,
    per_page: Option<u32>,
    /// Keyset cursor, instead of `page`: the rows that follow the row with this id in the
    /// sort order (a page's `next`).
    after: Option<i64>,
    /// Keyset cursor: the rows that precede the row with this id in the sort order (a page's
    /// `previous`).
    before: Option<i64>,
    /// `id` (default `-id`), `name`, `type`, `provider`, `region`, `status`, `cpu_cores`,
    /// `memory_gib`, `disk_gib`, `created_at`, `updated_at`; `-` descends.
    sort: Option<String>,
}

/// List resources.
#[utoipa::path(get, path = "/v1/resources", tag = "resources", params(ResourceQuery), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "A page of resources", body = Page<Resource>),
        (status = 400, description = "A query parameter does not parse", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 422, description = "Bad tag, page or sort", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<ResourceQuery>,
) -> ApiResult<Json<Page<Resource>>> {
    let filter = ResourceFilter {
        resource_type: q.resource_type,
        provider: q.provider,
        region: q.region,
        status: q.status,
        agent_state: q.agent_state,
        q: q.q,
        tag: q.tag.as_deref().map(parse_tag).transpose()?,
        group_id: q.group_id,
    };
    let params = ListParams {
        page: q.page,
        per_page: q.per_page,
        sort: q.sort,
        after: q.after,
        before: q.before,
    };
    Ok(Json(
        resources::list(&state, &actor, &filter, &params).await?,
    ))
}

/// Add a resource.
#[utoipa::path(post, path = "/v1/resources", tag = "resources", request_body = ResourceDraft, security(("token" = ["operator"])),
    responses(
        (status = 201, description = "Created", body = Resource),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not add resources", body = ErrorBody),
        (status = 409, description = "Same name, provider and region exist", body = ErrorBody),
        (status = 422, description = "A field breaks its rule", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(draft): ApiJson<ResourceDraft>,
) -> ApiResult<(StatusCode, Json<Resource>)> {
    Ok((
        StatusCode::CREATED,
        Json(resources::create(&state, &actor, draft).await?),
    ))
}

/// Read a resource.
#[utoipa::path(get, path = "/v1/resources/{id}", tag = "resources", params(("id" = i64, Path)), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The resource", body = Resource),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such resource", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<Resource>> {
    Ok(Json(resources::get(&state, &actor, id).await?))
}

/// Edit a resource. Send the `version` you read; `tags`, when sent, replaces all tags.
#[utoipa::path(patch, path = "/v1/resources/{id}", tag = "resources", params(("id" = i64, Path)),
    request_body = ResourcePatch, security(("token" = ["operator"])),
    responses(
        (status = 200, description = "The edited resource", body = Resource),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not edit", body = ErrorBody),
        (status = 404, description = "No such resource", body = ErrorBody),
        (status = 409, description = "Stale version, or the new identity is taken", body = ErrorBody),
        (status = 422, description = "A field breaks its rule", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(patch): ApiJson<ResourcePatch>,
) -> ApiResult<Json<Resource>> {
    Ok(Json(resources::update(&state, &actor, id, patch).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct DeleteQuery {
    /// When given, the delete happens only if the resource is still at this version.
    version: Option<i32>,
}

/// Delete a resource (and its group associations).
#[utoipa::path(delete, path = "/v1/resources/{id}", tag = "resources", params(("id" = i64, Path), DeleteQuery),
    security(("token" = ["operator"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not delete", body = ErrorBody),
        (status = 404, description = "No such resource", body = ErrorBody),
        (status = 409, description = "Stale version", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> ApiResult<StatusCode> {
    resources::delete(&state, &actor, id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}
