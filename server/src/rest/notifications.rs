//! `/v1/notifications`: the caller's in-app notifications.

use super::error::ApiResult;
use super::extract::{ApiJson, Caller};
use app::domain::error::ErrorBody;
use app::domain::notification::Inbox;
use app::service::notifications;
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The caller's latest notifications (50) and how many are unread.
#[utoipa::path(get, path = "/v1/notifications", tag = "notifications", security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The inbox, newest first", body = Inbox),
        (status = 401, description = "No valid token", body = ErrorBody),
    ))]
pub async fn inbox(State(state): State<AppState>, Caller(actor): Caller) -> ApiResult<Json<Inbox>> {
    Ok(Json(notifications::inbox(&state, &actor).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct MarkRead {
    /// These notifications; all of the caller's when absent.
    ids: Option<Vec<i64>>,
}

#[derive(Serialize, ToSchema)]
pub struct Marked {
    marked: u64,
}

/// Mark notifications read.
#[utoipa::path(post, path = "/v1/notifications/read", tag = "notifications", request_body = MarkRead,
    security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "How many were unread and are read now", body = Marked),
        (status = 404, description = "One of the ids is not a notification of the caller's", body = ErrorBody),
        (status = 422, description = "More than 200 ids", body = ErrorBody),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
    ))]
pub async fn mark_read(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(body): ApiJson<MarkRead>,
) -> ApiResult<Json<Marked>> {
    Ok(Json(Marked {
        marked: notifications::mark_read(&state, &actor, body.ids.as_deref()).await?,
    }))
}
