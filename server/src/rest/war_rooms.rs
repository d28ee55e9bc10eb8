//! `/v1/war-rooms` and `/v1/war-room-rules`: rooms opened from incidents (through the incident's
//! `start_war_room` action), their members, affected applications, notices and closing.

use super::error::ApiResult;
use super::extract::{ApiJson, Caller, IdPath, IdsPath};
use app::domain::error::ErrorBody;
use app::domain::war_room::{
    CloseRoom, MemberRole, NewNotice, NewWarRoomRule, WarRoom, WarRoomDetail, WarRoomRule,
    WarRoomSummary,
};
use app::service::war_rooms;
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

/// War rooms, open ones first, newest first (at most 200).
#[utoipa::path(get, path = "/v1/war-rooms", tag = "war rooms", security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "Rooms", body = Vec<WarRoomSummary>),
        (status = 401, description = "No valid token", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<Json<Vec<WarRoomSummary>>> {
    Ok(Json(war_rooms::list(&state, &actor).await?))
}

/// A room with its members, applications, notices, merged timeline and the caller's powers.
#[utoipa::path(get, path = "/v1/war-rooms/{id}", tag = "war rooms", params(("id" = i64, Path)), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The room", body = WarRoomDetail),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<WarRoomDetail>> {
    Ok(Json(war_rooms::get(&state, &actor, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct MemberBody {
    role: MemberRole,
}

/// Add a member, or change a member's role.
#[utoipa::path(put, path = "/v1/war-rooms/{id}/members/{user_id}", tag = "war rooms",
    params(("id" = i64, Path), ("user_id" = i64, Path)), request_body = MemberBody, security(("token" = ["operator"])),
    responses(
        (status = 200, description = "The room", body = WarRoom),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not the room's admin or recovery lead", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 422, description = "No such active user, or the role is unchanged", body = ErrorBody),
    ))]
pub async fn put_member(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdsPath(id, user_id): IdsPath,
    ApiJson(body): ApiJson<MemberBody>,
) -> ApiResult<Json<WarRoom>> {
    Ok(Json(
        war_rooms::put_member(&state, &actor, id, user_id, body.role).await?,
    ))
}

/// Remove a member.
#[utoipa::path(delete, path = "/v1/war-rooms/{id}/members/{user_id}", tag = "war rooms",
    params(("id" = i64, Path), ("user_id" = i64, Path)), security(("token" = ["operator"])),
    responses(
        (status = 200, description = "The room", body = WarRoom),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not the room's admin or recovery lead", body = ErrorBody),
        (status = 404, description = "No such room or member", body = ErrorBody),
        (status = 409, description = "The room's admin stays", body = ErrorBody),
    ))]
pub async fn remove_member(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdsPath(id, user_id): IdsPath,
) -> ApiResult<Json<WarRoom>> {
    Ok(Json(
        war_rooms::remove_member(&state, &actor, id, user_id).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ApplicationBody {
    application_id: i64,
}

/// Name an affected application (the room becomes `delimited`).
#[utoipa::path(post, path = "/v1/war-rooms/{id}/applications", tag = "war rooms",
    params(("id" = i64, Path)), request_body = ApplicationBody, security(("token" = ["operator"])),
    responses(
        (status = 200, description = "The room", body = WarRoom),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not the room's admin or recovery lead", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 409, description = "Already affected", body = ErrorBody),
        (status = 422, description = "No such application", body = ErrorBody),
    ))]
pub async fn add_application(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<ApplicationBody>,
) -> ApiResult<Json<WarRoom>> {
    Ok(Json(
        war_rooms::add_application(&state, &actor, id, body.application_id).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct RestoredBody {
    restored: bool,
}

/// Mark an affected application restored (the room becomes `recovered` when all are) or not.
#[utoipa::path(put, path = "/v1/war-rooms/{id}/applications/{application_id}", tag = "war rooms",
    params(("id" = i64, Path), ("application_id" = i64, Path)), request_body = RestoredBody, security(("token" = ["operator"])),
    responses(
        (status = 200, description = "The room", body = WarRoom),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not the room's admin or recovery lead", body = ErrorBody),
        (status = 404, description = "No such room or affected application", body = ErrorBody),
        (status = 422, description = "Already so", body = ErrorBody),
    ))]
pub async fn set_restored(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdsPath(id, application_id): IdsPath,
    ApiJson(body): ApiJson<RestoredBody>,
) -> ApiResult<Json<WarRoom>> {
    Ok(Json(
        war_rooms::set_restored(&state, &actor, id, application_id, body.restored).await?,
    ))
}

/// Post a progress notice (`first`, `progress` or `recovery`, at most 1000 characters); members
/// and subscribers are notified.
#[utoipa::path(post, path = "/v1/war-rooms/{id}/notices", tag = "war rooms",
    params(("id" = i64, Path)), request_body = NewNotice, security(("token" = ["operator"])),
    responses(
        (status = 200, description = "The room", body = WarRoom),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Observers and outsiders may not post", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 422, description = "Empty or too long", body = ErrorBody),
    ))]
pub async fn post_notice(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(notice): ApiJson<NewNotice>,
) -> ApiResult<Json<WarRoom>> {
    Ok(Json(
        war_rooms::post_notice(&state, &actor, id, notice).await?,
    ))
}

/// Close the room with the fault's cause and impact; every affected application must be
/// restored.
#[utoipa::path(post, path = "/v1/war-rooms/{id}/close", tag = "war rooms",
    params(("id" = i64, Path)), request_body = CloseRoom, security(("token" = ["operator"])),
    responses(
        (status = 200, description = "The closed room", body = WarRoom),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not the room's admin or recovery lead", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 409, description = "Applications not restored, or stale version", body = ErrorBody),
        (status = 422, description = "Cause or impact missing", body = ErrorBody),
    ))]
pub async fn close(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<CloseRoom>,
) -> ApiResult<Json<WarRoom>> {
    Ok(Json(war_rooms::close(&state, &actor, id, request).await?))
}

/// Follow the room's notices without being a member.
#[utoipa::path(put, path = "/v1/war-rooms/{id}/subscription", tag = "war rooms",
    params(("id" = i64, Path)), security(("token" = ["viewer"])),
    responses(
        (status = 204, description = "Subscribed"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 409, description = "A member, or the room is closed", body = ErrorBody),
    ))]
pub async fn subscribe(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    war_rooms::subscribe(&state, &actor, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stop following the room's notices.
#[utoipa::path(delete, path = "/v1/war-rooms/{id}/subscription", tag = "war rooms",
    params(("id" = i64, Path)), security(("token" = ["viewer"])),
    responses(
        (status = 204, description = "Unsubscribed"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
    ))]
pub async fn unsubscribe(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    war_rooms::subscribe(&state, &actor, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// War-room rules: who joins new rooms automatically.
#[utoipa::path(get, path = "/v1/war-room-rules", tag = "war rooms", security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "Rules", body = Vec<WarRoomRule>),
        (status = 401, description = "No valid token", body = ErrorBody),
    ))]
pub async fn rules(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<Json<Vec<WarRoomRule>>> {
    Ok(Json(war_rooms::rules(&state, &actor).await?))
}

/// Add a rule: for incident levels L and applications A (empty means any), whoever is on duty
/// for the schedule role joins new rooms.
#[utoipa::path(post, path = "/v1/war-room-rules", tag = "war rooms", request_body = NewWarRoomRule, security(("token" = ["admin"])),
    responses(
        (status = 201, description = "Added", body = WarRoomRule),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 404, description = "No such schedule", body = ErrorBody),
        (status = 409, description = "The name is taken", body = ErrorBody),
        (status = 422, description = "A field breaks its rule", body = ErrorBody),
    ))]
pub async fn create_rule(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(new): ApiJson<NewWarRoomRule>,
) -> ApiResult<(StatusCode, Json<WarRoomRule>)> {
    Ok((
        StatusCode::CREATED,
        Json(war_rooms::create_rule(&state, &actor, new).await?),
    ))
}

/// Delete a rule.
#[utoipa::path(delete, path = "/v1/war-room-rules/{id}", tag = "war rooms", params(("id" = i64, Path)), security(("token" = ["admin"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 404, description = "No such rule", body = ErrorBody),
    ))]
pub async fn delete_rule(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    war_rooms::delete_rule(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
