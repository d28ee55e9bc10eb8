//! `/v1/profile/channels` (the caller's email and webhook channels) and `/v1/deliveries` (the
//! outbox: pending, delivered and dead letters, each with its attempts, and re-sending).

use super::error::ApiResult;
use super::extract::{ApiJson, ApiQuery, Caller, IdPath};
use app::domain::delivery::{
    Channel, ChannelWithSecret, Delivery, DeliveryDetail, DeliveryStatus, NewChannel,
};
use app::domain::error::ErrorBody;
use app::domain::list::{ListParams, Page};
use app::service::deliveries;
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

/// The caller's notification channels (in-app notifications need none).
#[utoipa::path(get, path = "/v1/profile/channels", tag = "notifications", security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The caller's channels", body = Vec<Channel>),
        (status = 401, description = "No valid token", body = ErrorBody),
    ))]
pub async fn channels(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<Json<Vec<Channel>>> {
    Ok(Json(deliveries::channels(&state, &actor).await?))
}

/// Add an email or webhook channel. A webhook's answer carries its signing secret, shown once:
/// each request has `X-Opsroom-Signature: sha256=HMAC-SHA256(secret, "<X-Opsroom-Timestamp>.<body>")`
/// and an `Idempotency-Key` that stays the same across retries.
#[utoipa::path(post, path = "/v1/profile/channels", tag = "notifications", request_body = NewChannel, security(("token" = ["viewer"])),
    responses(
        (status = 201, description = "Added", body = ChannelWithSecret),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 422, description = "Bad address, URL or timeout; too many channels", body = ErrorBody),
    ))]
pub async fn add_channel(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(body): ApiJson<NewChannel>,
) -> ApiResult<(StatusCode, Json<ChannelWithSecret>)> {
    Ok((
        StatusCode::CREATED,
        Json(deliveries::add_channel(&state, &actor, body).await?),
    ))
}

/// Remove one of the caller's channels (and what is queued for it).
#[utoipa::path(delete, path = "/v1/profile/channels/{id}", tag = "notifications", params(("id" = i64, Path)), security(("token" = ["viewer"])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such channel of the caller's", body = ErrorBody),
    ))]
pub async fn delete_channel(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    deliveries::delete_channel(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub struct DeliveryQuery {
    /// `pending`, `delivered` or `dead` (the dead letters); all when absent.
    status: Option<DeliveryStatus>,
    page: Option<u32>,
    per_page: Option<u32>,
    /// Keyset cursor, instead of `page`: the rows that follow the row with this id in the
    /// sort order (a page's `next`).
    after: Option<i64>,
    /// Keyset cursor: the rows that precede the row with this id in the sort order (a page's
    /// `previous`).
    before: Option<i64>,
}

/// Deliveries, newest first: everyone's for administrators, else the caller's own.
#[utoipa::path(get, path = "/v1/deliveries", tag = "notifications", params(DeliveryQuery), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "A page of deliveries", body = Page<Delivery>),
        (status = 400, description = "A query parameter does not parse", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<DeliveryQuery>,
) -> ApiResult<Json<Page<Delivery>>> {
    let params = ListParams {
        page: q.page,
        per_page: q.per_page,
        after: q.after,
        before: q.before,
        ..Default::default()
    };
    Ok(Json(
        deliveries::list(&state, &actor, q.status, &params).await?,
    ))
}

/// One delivery with every attempt (time, outcome, receiver's code, error, duration).
#[utoipa::path(get, path = "/v1/deliveries/{id}", tag = "notifications", params(("id" = i64, Path)), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The delivery", body = DeliveryDetail),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such delivery the caller may see", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<DeliveryDetail>> {
    Ok(Json(deliveries::get(&state, &actor, id).await?))
}

/// Send a dead (or delivered) notification again, with a fresh count of attempts.
#[utoipa::path(post, path = "/v1/deliveries/{id}/resend", tag = "notifications", params(("id" = i64, Path)), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "Queued again", body = Delivery),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such delivery the caller may see", body = ErrorBody),
        (status = 409, description = "It is still being tried", body = ErrorBody),
    ))]
pub async fn resend(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<Delivery>> {
    Ok(Json(deliveries::resend(&state, &actor, id).await?))
}
