//! `/v1/forwarding-rules` (administrators): the ordered rules that turn events into incidents,
//! with a test against a sample event and a replay over stored alarms.

use super::error::ApiResult;
use super::extract::{ApiJson, Caller, IdPath};
use app::domain::error::ErrorBody;
use app::domain::forwarding_rule::{
    ForwardingRule, NewForwardingRule, Replay, ReplayRequest, RuleTest, RuleTestResult, RuleUpdate,
};
use app::service::forwarding_rules;
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

/// The rules in the order they are tried.
#[utoipa::path(get, path = "/v1/forwarding-rules", tag = "forwarding rules", security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "Every rule, in order", body = Vec<ForwardingRule>),
        (status = 401, description = "No valid token", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<Json<Vec<ForwardingRule>>> {
    Ok(Json(forwarding_rules::list(&state, &actor).await?))
}

/// Add a rule at the end of the order. Every condition is checked now (unknown field, bad
/// regex, more than 5 groups or conditions → 422), never at match time.
#[utoipa::path(post, path = "/v1/forwarding-rules", tag = "forwarding rules", request_body = NewForwardingRule, security(("token" = ["admin"])),
    responses(
        (status = 201, description = "Created", body = ForwardingRule),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 409, description = "Another rule has this name", body = ErrorBody),
        (status = 422, description = "A condition, limit, source or owner is wrong (the path names it)", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(body): ApiJson<NewForwardingRule>,
) -> ApiResult<(StatusCode, Json<ForwardingRule>)> {
    Ok((
        StatusCode::CREATED,
        Json(forwarding_rules::create(&state, &actor, body).await?),
    ))
}

/// One rule.
#[utoipa::path(get, path = "/v1/forwarding-rules/{id}", tag = "forwarding rules", params(("id" = i64, Path)), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The rule", body = ForwardingRule),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such rule", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<ForwardingRule>> {
    Ok(Json(forwarding_rules::get(&state, &actor, id).await?))
}

/// Replace a rule (its position stays; move it with `/move`).
#[utoipa::path(put, path = "/v1/forwarding-rules/{id}", tag = "forwarding rules", params(("id" = i64, Path)),
    request_body = RuleUpdate, security(("token" = ["admin"])),
    responses(
        (status = 200, description = "Updated", body = ForwardingRule),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 404, description = "No such rule", body = ErrorBody),
        (status = 409, description = "Stale version, or another rule has this name", body = ErrorBody),
        (status = 422, description = "A condition, limit, source or owner is wrong", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<RuleUpdate>,
) -> ApiResult<Json<ForwardingRule>> {
    Ok(Json(
        forwarding_rules::update(&state, &actor, id, body).await?,
    ))
}

/// Delete a rule; alarms it decided keep their history.
#[utoipa::path(delete, path = "/v1/forwarding-rules/{id}", tag = "forwarding rules", params(("id" = i64, Path)), security(("token" = ["admin"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 404, description = "No such rule", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    forwarding_rules::delete(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct MoveBody {
    /// The new place in the order, from 1.
    position: i32,
}

/// Move a rule to another place in the order.
#[utoipa::path(post, path = "/v1/forwarding-rules/{id}/move", tag = "forwarding rules", params(("id" = i64, Path)),
    request_body = MoveBody, security(("token" = ["admin"])),
    responses(
        (status = 200, description = "Every rule in its new order", body = Vec<ForwardingRule>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 404, description = "No such rule", body = ErrorBody),
        (status = 422, description = "Position out of range", body = ErrorBody),
    ))]
pub async fn move_to(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<MoveBody>,
) -> ApiResult<Json<Vec<ForwardingRule>>> {
    Ok(Json(
        forwarding_rules::move_to(&state, &actor, id, body.position).await?,
    ))
}

/// Test a saved or draft rule against a sample event (generic format): which condition group
/// matched, and each condition's verdict against the event's value.
#[utoipa::path(post, path = "/v1/forwarding-rules/test", tag = "forwarding rules", request_body = RuleTest, security(("token" = ["admin"])),
    responses(
        (status = 200, description = "The verdict", body = RuleTestResult),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 404, description = "No such rule", body = ErrorBody),
        (status = 422, description = "The draft rule or the event is wrong (the path names it)", body = ErrorBody),
    ))]
pub async fn test(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(body): ApiJson<RuleTest>,
) -> ApiResult<Json<RuleTestResult>> {
    Ok(Json(forwarding_rules::test(&state, &actor, body).await?))
}

/// Replay a saved or draft rule over the alarms first seen in the last `days` (1–90) days, at
/// its place in the order: how many incidents it would have opened, with examples.
#[utoipa::path(post, path = "/v1/forwarding-rules/replay", tag = "forwarding rules", request_body = ReplayRequest, security(("token" = ["admin"])),
    responses(
        (status = 200, description = "What the rule would have done", body = Replay),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 404, description = "No such rule", body = ErrorBody),
        (status = 422, description = "Days out of range, or the draft rule is wrong", body = ErrorBody),
    ))]
pub async fn replay(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(body): ApiJson<ReplayRequest>,
) -> ApiResult<Json<Replay>> {
    Ok(Json(
        forwarding_rules::replay_rule(&state, &actor, body).await?,
    ))
}
