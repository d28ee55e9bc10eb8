//! `/v1/applications` and `/v1/components`: the upper levels of the inventory tree, with the
//! capacity and topology views of each.

use super::error::ApiResult;
use super::extract::{ApiJson, ApiQuery, Caller, IdPath};
use app::domain::application::{
    Application, ApplicationDraft, ApplicationFilter, ApplicationPatch, ApplicationSummary,
    Component, ComponentDraft, ComponentPatch, ComponentSummary,
};
use app::domain::capacity::{Capacity, Metric, Scope};
use app::domain::error::ErrorBody;
use app::domain::list::{ListParams, Page};
use app::domain::topology::TopologyNode;
use app::service::{applications, capacity};
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct ApplicationQuery {
    /// Contained in the name (any case).
    q: Option<String>,
    /// Only the sub-applications of this application.
    parent_id: Option<i64>,
    page: Option<u32>,
    per_page: Option<u32>,
    /// `name` (default), `id`, `created_at`, `updated_at`; `-` descends.
    sort: Option<String>,
}

/// List applications with their counts of sub-applications, components, groups and resources.
#[utoipa::path(get, path = "/v1/applications", tag = "applications", params(ApplicationQuery),
    security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "A page of applications", body = Page<ApplicationSummary>),
        (status = 400, description = "A query parameter does not parse", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 422, description = "Bad page or sort", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<ApplicationQuery>,
) -> ApiResult<Json<Page<ApplicationSummary>>> {
    let filter = ApplicationFilter {
        q: q.q,
        parent_id: q.parent_id,
    };
    let params = ListParams {
        page: q.page,
        per_page: q.per_page,
        sort: q.sort,
        ..Default::default()
    };
    Ok(Json(
        applications::list(&state, &actor, &filter, &params).await?,
    ))
}

/// Add an application (a sub-application when `parent_id` is set).
#[utoipa::path(post, path = "/v1/applications", tag = "applications", request_body = ApplicationDraft,
    security(("token" = ["operator"])),
    responses(
        (status = 201, description = "Created", body = Application),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not add applications", body = ErrorBody),
        (status = 409, description = "The name is taken", body = ErrorBody),
        (status = 422, description = "Bad name, description or parent", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(draft): ApiJson<ApplicationDraft>,
) -> ApiResult<(StatusCode, Json<Application>)> {
    Ok((
        StatusCode::CREATED,
        Json(applications::create(&state, &actor, draft).await?),
    ))
}

/// Read an application.
#[utoipa::path(get, path = "/v1/applications/{id}", tag = "applications", params(("id" = i64, Path)),
    security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The application", body = Application),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such application", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<Application>> {
    Ok(Json(applications::get(&state, &actor, id).await?))
}

/// Edit an application; send the `version` you read. `parent_id: null` makes it top-level.
#[utoipa::path(patch, path = "/v1/applications/{id}", tag = "applications", params(("id" = i64, Path)),
    request_body = ApplicationPatch, security(("token" = ["operator"])),
    responses(
        (status = 200, description = "The edited application", body = Application),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not edit", body = ErrorBody),
        (status = 404, description = "No such application", body = ErrorBody),
        (status = 409, description = "Stale version, or the name is taken", body = ErrorBody),
        (status = 422, description = "Bad name, description or parent", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(patch): ApiJson<ApplicationPatch>,
) -> ApiResult<Json<Application>> {
    Ok(Json(applications::update(&state, &actor, id, patch).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct DeleteQuery {
    /// When given, the delete happens only if the object is still at this version.
    pub version: Option<i32>,
}

/// Delete an application; refused while it has sub-applications or components.
#[utoipa::path(delete, path = "/v1/applications/{id}", tag = "applications",
    params(("id" = i64, Path), DeleteQuery), security(("token" = ["operator"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not delete", body = ErrorBody),
        (status = 404, description = "No such application", body = ErrorBody),
        (status = 409, description = "Stale version, or children exist (named)", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> ApiResult<StatusCode> {
    applications::delete(&state, &actor, id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The application's tree: sub-applications, components and groups, each with its resources
/// counted by status.
#[utoipa::path(get, path = "/v1/applications/{id}/topology", tag = "applications",
    params(("id" = i64, Path)), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The tree", body = TopologyNode),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such application", body = ErrorBody),
    ))]
pub async fn topology(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<TopologyNode>> {
    Ok(Json(capacity::topology(&state, &actor, id).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct CapacityQuery {
    /// What the ranking orders by: `cpu` (default), `memory` or `disk`.
    by: Option<Metric>,
    /// How many resources the ranking lists, 1–100 (default 10).
    top: Option<u32>,
}

/// Capacity of an application with its sub-applications: sums by resource type and a ranking.
#[utoipa::path(get, path = "/v1/applications/{id}/capacity", tag = "applications",
    params(("id" = i64, Path), CapacityQuery), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "Sums and ranking", body = Capacity),
        (status = 400, description = "A query parameter does not parse", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such application", body = ErrorBody),
        (status = 422, description = "`top` out of range", body = ErrorBody),
    ))]
pub async fn application_capacity(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiQuery(q): ApiQuery<CapacityQuery>,
) -> ApiResult<Json<Capacity>> {
    capacity_of(state, actor, Scope::Application, id, q).await
}

/// The capacity view for any level; the handlers only name their level.
pub async fn capacity_of(
    state: AppState,
    actor: app::service::Actor,
    scope: Scope,
    id: i64,
    q: CapacityQuery,
) -> ApiResult<Json<Capacity>> {
    Ok(Json(
        capacity::capacity(&state, &actor, scope, id, q.by, q.top).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct ComponentQuery {
    /// Only the components of this application.
    application_id: Option<i64>,
    page: Option<u32>,
    per_page: Option<u32>,
    /// `name` (default), `id`, `created_at`, `updated_at`; `-` descends.
    sort: Option<String>,
}

/// List components with their counts of groups and resources.
#[utoipa::path(get, path = "/v1/components", tag = "applications", params(ComponentQuery),
    security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "A page of components", body = Page<ComponentSummary>),
        (status = 400, description = "A query parameter does not parse", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 422, description = "Bad page or sort", body = ErrorBody),
    ))]
pub async fn list_components(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<ComponentQuery>,
) -> ApiResult<Json<Page<ComponentSummary>>> {
    let params = ListParams {
        page: q.page,
        per_page: q.per_page,
        sort: q.sort,
        ..Default::default()
    };
    Ok(Json(
        applications::list_components(&state, &actor, q.application_id, &params).await?,
    ))
}

/// Add a component to an application.
#[utoipa::path(post, path = "/v1/components", tag = "applications", request_body = ComponentDraft,
    security(("token" = ["operator"])),
    responses(
        (status = 201, description = "Created", body = Component),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not add components", body = ErrorBody),
        (status = 409, description = "The application has a component of that name", body = ErrorBody),
        (status = 422, description = "Bad name or description, or no such application", body = ErrorBody),
    ))]
pub async fn create_component(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(draft): ApiJson<ComponentDraft>,
) -> ApiResult<(StatusCode, Json<Component>)> {
    Ok((
        StatusCode::CREATED,
        Json(applications::create_component(&state, &actor, draft).await?),
    ))
}

/// Read a component.
#[utoipa::path(get, path = "/v1/components/{id}", tag = "applications", params(("id" = i64, Path)),
    security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The component", body = Component),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such component", body = ErrorBody),
    ))]
pub async fn get_component(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<Component>> {
    Ok(Json(applications::get_component(&state, &actor, id).await?))
}

/// Edit a component's name or description; send the `version` you read.
#[utoipa::path(patch, path = "/v1/components/{id}", tag = "applications", params(("id" = i64, Path)),
    request_body = ComponentPatch, security(("token" = ["operator"])),
    responses(
        (status = 200, description = "The edited component", body = Component),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not edit", body = ErrorBody),
        (status = 404, description = "No such component", body = ErrorBody),
        (status = 409, description = "Stale version, or the name is taken", body = ErrorBody),
        (status = 422, description = "Bad name or description", body = ErrorBody),
    ))]
pub async fn update_component(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(patch): ApiJson<ComponentPatch>,
) -> ApiResult<Json<Component>> {
    Ok(Json(
        applications::update_component(&state, &actor, id, patch).await?,
    ))
}

/// Delete a component; refused while it has groups.
#[utoipa::path(delete, path = "/v1/components/{id}", tag = "applications",
    params(("id" = i64, Path), DeleteQuery), security(("token" = ["operator"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not delete", body = ErrorBody),
        (status = 404, description = "No such component", body = ErrorBody),
        (status = 409, description = "Stale version, or groups exist (named)", body = ErrorBody),
    ))]
pub async fn delete_component(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> ApiResult<StatusCode> {
    applications::delete_component(&state, &actor, id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Capacity of a component: sums by resource type and a ranking.
#[utoipa::path(get, path = "/v1/components/{id}/capacity", tag = "applications",
    params(("id" = i64, Path), CapacityQuery), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "Sums and ranking", body = Capacity),
        (status = 400, description = "A query parameter does not parse", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such component", body = ErrorBody),
        (status = 422, description = "`top` out of range", body = ErrorBody),
    ))]
pub async fn component_capacity(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiQuery(q): ApiQuery<CapacityQuery>,
) -> ApiResult<Json<Capacity>> {
    capacity_of(state, actor, Scope::Component, id, q).await
}
