//! `/v1/review-flows`: the stages a change is approved through (administrators keep them).

use super::error::ApiResult;
use super::extract::{ApiJson, Caller, IdPath};
use app::domain::error::ErrorBody;
use app::domain::review::{NewReviewFlow, ReviewFlow};
use app::service::review_flows;
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

/// Every review flow, by change type and name.
#[utoipa::path(get, path = "/v1/review-flows", tag = "changes", security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The review flows", body = Vec<ReviewFlow>),
        (status = 401, description = "No valid token", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<Json<Vec<ReviewFlow>>> {
    Ok(Json(review_flows::list(&state, &actor).await?))
}

/// Add a review flow: for `change_type` (`normal` or `emergency`) at `levels`, 1–5 stages, each
/// 1–20 approvers (`{"user_id"}` or `{"schedule_id", "role"}`, whoever is on duty when a review
/// begins) of which `any` one or `all` must approve. Changes with no flow are approved by any
/// administrator.
#[utoipa::path(post, path = "/v1/review-flows", tag = "changes", request_body = NewReviewFlow, security(("token" = ["admin"])),
    responses(
        (status = 201, description = "Added", body = ReviewFlow),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 409, description = "The name is taken, or another flow covers one of its levels", body = ErrorBody),
        (status = 422, description = "A field breaks its rule, or names nobody", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(flow): ApiJson<NewReviewFlow>,
) -> ApiResult<(StatusCode, Json<ReviewFlow>)> {
    Ok((
        StatusCode::CREATED,
        Json(review_flows::create(&state, &actor, flow).await?),
    ))
}

/// Remove a review flow; reviews it began go on as they were.
#[utoipa::path(delete, path = "/v1/review-flows/{id}", tag = "changes", params(("id" = i64, Path)), security(("token" = ["admin"])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 404, description = "No such review flow", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    review_flows::delete(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
