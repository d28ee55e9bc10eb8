//! `/v1/{resources|applications|components|groups}/{id}/history`: what the audit log holds about
//! one inventory object, newest first, for every role that may read the inventory.

use super::error::ApiResult;
use super::extract::{Caller, IdPath};
use app::domain::audit::AuditRecord;
use app::domain::error::ErrorBody;
use app::service::{Actor, applications, audit, groups, resources};
use app::state::AppState;
use axum::Json;
use axum::extract::State;

async fn history_of(
    state: &AppState,
    actor: &Actor,
    object_type: &str,
    id: i64,
) -> ApiResult<Json<Vec<AuditRecord>>> {
    Ok(Json(audit::history(state, actor, object_type, id).await?))
}

/// A resource's history (the latest 50 changes).
#[utoipa::path(get, path = "/v1/resources/{id}/history", tag = "resources", params(("id" = i64, Path)),
    security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "Newest first", body = Vec<AuditRecord>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such resource", body = ErrorBody),
    ))]
pub async fn resource(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<Vec<AuditRecord>>> {
    resources::get(&state, &actor, id).await?;
    history_of(&state, &actor, "resource", id).await
}

/// An application's history (the latest 50 changes).
#[utoipa::path(get, path = "/v1/applications/{id}/history", tag = "applications", params(("id" = i64, Path)),
    security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "Newest first", body = Vec<AuditRecord>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such application", body = ErrorBody),
    ))]
pub async fn application(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<Vec<AuditRecord>>> {
    applications::get(&state, &actor, id).await?;
    history_of(&state, &actor, "application", id).await
}

/// A component's history (the latest 50 changes).
#[utoipa::path(get, path = "/v1/components/{id}/history", tag = "applications", params(("id" = i64, Path)),
    security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "Newest first", body = Vec<AuditRecord>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such component", body = ErrorBody),
    ))]
pub async fn component(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<Vec<AuditRecord>>> {
    applications::get_component(&state, &actor, id).await?;
    history_of(&state, &actor, "component", id).await
}

/// A group's history: edits, and every resource that joined or left it, by hand or by rule.
#[utoipa::path(get, path = "/v1/groups/{id}/history", tag = "groups", params(("id" = i64, Path)),
    security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "Newest first", body = Vec<AuditRecord>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody),
    ))]
pub async fn group(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<Vec<AuditRecord>>> {
    groups::get(&state, &actor, id).await?;
    history_of(&state, &actor, "group", id).await
}
