//! `/v1/schedules`: on-call schedules, their roles and overrides, and who is on duty.

use super::applications::DeleteQuery;
use super::error::ApiResult;
use super::extract::{ApiJson, ApiQuery, Caller, IdPath};
use app::domain::error::ErrorBody;
use app::domain::schedule::{
    OnDuty, Override, OverrideDraft, RoleDraft, RolePatch, Schedule, ScheduleDetail, ScheduleDraft,
    SchedulePatch, ScheduleRole,
};
use app::service::schedules;
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

/// List schedules.
#[utoipa::path(get, path = "/v1/schedules", tag = "schedules", security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "Every schedule, by name", body = Vec<Schedule>),
        (status = 401, description = "No valid token", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<Json<Vec<Schedule>>> {
    Ok(Json(schedules::list(&state, &actor).await?))
}

/// Add a schedule (administrators).
#[utoipa::path(post, path = "/v1/schedules", tag = "schedules", request_body = ScheduleDraft,
    security(("token" = ["admin"])),
    responses(
        (status = 201, description = "Created", body = Schedule),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 409, description = "The name is taken", body = ErrorBody),
        (status = 422, description = "Bad name, description or time zone", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(draft): ApiJson<ScheduleDraft>,
) -> ApiResult<(StatusCode, Json<Schedule>)> {
    Ok((
        StatusCode::CREATED,
        Json(schedules::create(&state, &actor, draft).await?),
    ))
}

/// A schedule with its roles, who is on duty now, gaps in the next 14 days, and overrides.
#[utoipa::path(get, path = "/v1/schedules/{id}", tag = "schedules", params(("id" = i64, Path)),
    security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The schedule", body = ScheduleDetail),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such schedule", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<ScheduleDetail>> {
    Ok(Json(schedules::detail(&state, &actor, id).await?))
}

/// Edit a schedule's name, description or time zone; send the `version` you read.
#[utoipa::path(patch, path = "/v1/schedules/{id}", tag = "schedules", params(("id" = i64, Path)),
    request_body = SchedulePatch, security(("token" = ["admin"])),
    responses(
        (status = 200, description = "The edited schedule", body = Schedule),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 404, description = "No such schedule", body = ErrorBody),
        (status = 409, description = "Stale version, or the name is taken", body = ErrorBody),
        (status = 422, description = "Bad name, description or time zone", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(patch): ApiJson<SchedulePatch>,
) -> ApiResult<Json<Schedule>> {
    Ok(Json(schedules::update(&state, &actor, id, patch).await?))
}

/// Delete a schedule; refused while it has roles.
#[utoipa::path(delete, path = "/v1/schedules/{id}", tag = "schedules", params(("id" = i64, Path), DeleteQuery),
    security(("token" = ["admin"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 404, description = "No such schedule", body = ErrorBody),
        (status = 409, description = "Stale version, or roles exist (named)", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> ApiResult<StatusCode> {
    schedules::delete(&state, &actor, id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub struct OnDutyQuery {
    /// The role's name.
    role: String,
    /// RFC 3339; now when absent.
    at: Option<DateTime<Utc>>,
}

/// Who is on duty for a role at a time: an override covering it, else the rotation.
#[utoipa::path(get, path = "/v1/schedules/{id}/on-duty", tag = "schedules",
    params(("id" = i64, Path), OnDutyQuery), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The person on duty (null before a rotation starts)", body = OnDuty),
        (status = 400, description = "A query parameter does not parse", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such schedule", body = ErrorBody),
        (status = 422, description = "The schedule has no such role", body = ErrorBody),
    ))]
pub async fn on_duty(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiQuery(q): ApiQuery<OnDutyQuery>,
) -> ApiResult<Json<OnDuty>> {
    Ok(Json(
        schedules::who_is_on_duty(&state, &actor, id, &q.role, q.at).await?,
    ))
}

/// Add a role to a schedule: fixed members (no `rotation`) or a rotation.
#[utoipa::path(post, path = "/v1/schedules/{id}/roles", tag = "schedules", params(("id" = i64, Path)),
    request_body = RoleDraft, security(("token" = ["admin"])),
    responses(
        (status = 201, description = "Created", body = ScheduleRole),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 404, description = "No such schedule", body = ErrorBody),
        (status = 409, description = "The schedule has a role of that name", body = ErrorBody),
        (status = 422, description = "Bad name, members or rotation", body = ErrorBody),
    ))]
pub async fn create_role(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(draft): ApiJson<RoleDraft>,
) -> ApiResult<(StatusCode, Json<ScheduleRole>)> {
    Ok((
        StatusCode::CREATED,
        Json(schedules::create_role(&state, &actor, id, draft).await?),
    ))
}

/// Edit a role; `rotation: null` makes its members fixed.
#[utoipa::path(patch, path = "/v1/schedule-roles/{id}", tag = "schedules", params(("id" = i64, Path)),
    request_body = RolePatch, security(("token" = ["admin"])),
    responses(
        (status = 200, description = "The edited role", body = ScheduleRole),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 404, description = "No such role", body = ErrorBody),
        (status = 409, description = "Stale version, or the name is taken", body = ErrorBody),
        (status = 422, description = "Bad name, members or rotation", body = ErrorBody),
    ))]
pub async fn update_role(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(patch): ApiJson<RolePatch>,
) -> ApiResult<Json<ScheduleRole>> {
    Ok(Json(
        schedules::update_role(&state, &actor, id, patch).await?,
    ))
}

/// Delete a role and its overrides.
#[utoipa::path(delete, path = "/v1/schedule-roles/{id}", tag = "schedules", params(("id" = i64, Path), DeleteQuery),
    security(("token" = ["admin"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 404, description = "No such role", body = ErrorBody),
        (status = 409, description = "Stale version", body = ErrorBody),
    ))]
pub async fn delete_role(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> ApiResult<StatusCode> {
    schedules::delete_role(&state, &actor, id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Put someone else on duty for this role over a time range (operators and administrators).
#[utoipa::path(post, path = "/v1/schedule-roles/{id}/overrides", tag = "schedules", params(("id" = i64, Path)),
    request_body = OverrideDraft, security(("token" = ["operator"])),
    responses(
        (status = 201, description = "Created", body = Override),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not override", body = ErrorBody),
        (status = 404, description = "No such role", body = ErrorBody),
        (status = 422, description = "Bad range, reason or user", body = ErrorBody),
    ))]
pub async fn create_override(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(draft): ApiJson<OverrideDraft>,
) -> ApiResult<(StatusCode, Json<Override>)> {
    Ok((
        StatusCode::CREATED,
        Json(schedules::create_override(&state, &actor, id, draft).await?),
    ))
}

/// Remove an override.
#[utoipa::path(delete, path = "/v1/schedule-overrides/{id}", tag = "schedules", params(("id" = i64, Path)),
    security(("token" = ["operator"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not remove overrides", body = ErrorBody),
        (status = 404, description = "No such override", body = ErrorBody),
    ))]
pub async fn delete_override(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    schedules::delete_override(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
