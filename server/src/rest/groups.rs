//! `/v1/groups`: groups, the resources they hold, and moving resources between them.

use super::applications::{CapacityQuery, DeleteQuery, capacity_of};
use super::error::ApiResult;
use super::extract::{ApiJson, ApiQuery, Caller, IdPath};
use app::domain::capacity::{Capacity, Scope};
use app::domain::error::ErrorBody;
use app::domain::group::{
    AssociationResult, Environment, Group, GroupDraft, GroupFilter, GroupPatch, GroupPath,
    GroupSummary, ResourceIds, Transfer,
};
use app::domain::list::{ListParams, Page};
use app::service::groups;
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct GroupQuery {
    component_id: Option<i64>,
    application_id: Option<i64>,
    environment: Option<Environment>,
    /// `true`: automatic groups only; `false`: manual ones only.
    automatic: Option<bool>,
    /// Contained in the name (any case).
    q: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
    /// `name` (default), `id`, `environment`, `region`, `created_at`, `updated_at`.
    sort: Option<String>,
}

/// List groups with where they sit and how many resources they hold.
#[utoipa::path(get, path = "/v1/groups", tag = "groups", params(GroupQuery), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "A page of groups", body = Page<GroupSummary>),
        (status = 400, description = "A query parameter does not parse", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 422, description = "Bad page or sort", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<GroupQuery>,
) -> ApiResult<Json<Page<GroupSummary>>> {
    let filter = GroupFilter {
        component_id: q.component_id,
        application_id: q.application_id,
        environment: q.environment,
        automatic: q.automatic,
        q: q.q,
    };
    let params = ListParams {
        page: q.page,
        per_page: q.per_page,
        sort: q.sort,
        ..Default::default()
    };
    Ok(Json(groups::list(&state, &actor, &filter, &params).await?))
}

/// Add a group to a component. With a `rule` it is automatic and holds, from now on, exactly
/// the resources the rule matches.
#[utoipa::path(post, path = "/v1/groups", tag = "groups", request_body = GroupDraft, security(("token" = ["operator"])),
    responses(
        (status = 201, description = "Created (an automatic group is already synced)", body = Group),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not add groups", body = ErrorBody),
        (status = 409, description = "The component has a group of that name", body = ErrorBody),
        (status = 422, description = "A field or the rule breaks its rule, or no such component", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(draft): ApiJson<GroupDraft>,
) -> ApiResult<(StatusCode, Json<Group>)> {
    Ok((
        StatusCode::CREATED,
        Json(groups::create(&state, &actor, draft).await?),
    ))
}

/// Read a group.
#[utoipa::path(get, path = "/v1/groups/{id}", tag = "groups", params(("id" = i64, Path)), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The group", body = Group),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<Group>> {
    Ok(Json(groups::get(&state, &actor, id).await?))
}

/// Edit a group; send the `version` you read. A new rule re-syncs the group; `rule: null`
/// makes it manual and it keeps its resources.
#[utoipa::path(patch, path = "/v1/groups/{id}", tag = "groups", params(("id" = i64, Path)),
    request_body = GroupPatch, security(("token" = ["operator"])),
    responses(
        (status = 200, description = "The edited group", body = Group),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not edit", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody),
        (status = 409, description = "Stale version, or the name is taken", body = ErrorBody),
        (status = 422, description = "A field or the rule breaks its rule", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(patch): ApiJson<GroupPatch>,
) -> ApiResult<Json<Group>> {
    Ok(Json(groups::update(&state, &actor, id, patch).await?))
}

/// Delete a group; a manual group must hold no resources first.
#[utoipa::path(delete, path = "/v1/groups/{id}", tag = "groups", params(("id" = i64, Path), DeleteQuery),
    security(("token" = ["operator"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not delete", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody),
        (status = 409, description = "Stale version, or the manual group still holds resources (named)", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> ApiResult<StatusCode> {
    groups::delete(&state, &actor, id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Associate resources with a manual group (1–200 ids; ones already there are reported unchanged).
#[utoipa::path(post, path = "/v1/groups/{id}/resources", tag = "groups", params(("id" = i64, Path)),
    request_body = ResourceIds, security(("token" = ["operator"])),
    responses(
        (status = 200, description = "What changed", body = AssociationResult),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not change groups", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody),
        (status = 409, description = "The group is automatic", body = ErrorBody),
        (status = 422, description = "Too many or no ids, or an id names no resource", body = ErrorBody),
    ))]
pub async fn associate(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<ResourceIds>,
) -> ApiResult<Json<AssociationResult>> {
    Ok(Json(
        groups::associate(&state, &actor, id, &body.resource_ids).await?,
    ))
}

/// Take resources out of a manual group (1–200 ids).
#[utoipa::path(post, path = "/v1/groups/{id}/disassociate", tag = "groups", params(("id" = i64, Path)),
    request_body = ResourceIds, security(("token" = ["operator"])),
    responses(
        (status = 200, description = "What changed", body = AssociationResult),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not change groups", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody),
        (status = 409, description = "The group is automatic", body = ErrorBody),
        (status = 422, description = "Too many or no ids", body = ErrorBody),
    ))]
pub async fn disassociate(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<ResourceIds>,
) -> ApiResult<Json<AssociationResult>> {
    Ok(Json(
        groups::disassociate(&state, &actor, id, &body.resource_ids).await?,
    ))
}

/// Move 1–100 of this manual group's resources to another manual group, in one step.
#[utoipa::path(post, path = "/v1/groups/{id}/transfer", tag = "groups", params(("id" = i64, Path)),
    request_body = Transfer, security(("token" = ["operator"])),
    responses(
        (status = 200, description = "The moved resources", body = AssociationResult),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not change groups", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody),
        (status = 409, description = "A group is automatic", body = ErrorBody),
        (status = 422, description = "Too many ids, ids not in the group, or a bad target", body = ErrorBody),
    ))]
pub async fn transfer(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<Transfer>,
) -> ApiResult<Json<AssociationResult>> {
    Ok(Json(
        groups::transfer(&state, &actor, id, body.target_group_id, &body.resource_ids).await?,
    ))
}

/// Re-evaluate an automatic group's rule over the whole inventory now.
#[utoipa::path(post, path = "/v1/groups/{id}/sync", tag = "groups", params(("id" = i64, Path)),
    security(("token" = ["operator"])),
    responses(
        (status = 200, description = "Resources that joined or left, and those that stayed", body = AssociationResult),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not change groups", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody),
        (status = 409, description = "The group is manual", body = ErrorBody),
    ))]
pub async fn sync(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<AssociationResult>> {
    Ok(Json(groups::sync(&state, &actor, id).await?))
}

/// Capacity of a group: sums by resource type and a ranking.
#[utoipa::path(get, path = "/v1/groups/{id}/capacity", tag = "groups",
    params(("id" = i64, Path), CapacityQuery), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "Sums and ranking", body = Capacity),
        (status = 400, description = "A query parameter does not parse", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody),
        (status = 422, description = "`top` out of range", body = ErrorBody),
    ))]
pub async fn capacity(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiQuery(q): ApiQuery<CapacityQuery>,
) -> ApiResult<Json<Capacity>> {
    capacity_of(state, actor, Scope::Group, id, q).await
}

/// The groups a resource belongs to, with their component and application.
#[utoipa::path(get, path = "/v1/resources/{id}/groups", tag = "resources", params(("id" = i64, Path)),
    security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The resource's groups", body = Vec<GroupPath>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such resource", body = ErrorBody),
    ))]
pub async fn of_resource(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<Vec<GroupPath>>> {
    Ok(Json(groups::of_resource(&state, &actor, id).await?))
}
