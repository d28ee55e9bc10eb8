//! `/v1/freeze-windows`: when normal changes may not run (administrators keep them).

use super::error::ApiResult;
use super::extract::{ApiJson, Caller, IdPath};
use app::domain::error::ErrorBody;
use app::domain::freeze::{FreezeDraft, FreezeWindow};
use app::service::freezes;
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

/// Every freeze window, by name.
#[utoipa::path(get, path = "/v1/freeze-windows", tag = "changes", security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The freeze windows", body = Vec<FreezeWindow>),
        (status = 401, description = "No valid token", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<Json<Vec<FreezeWindow>>> {
    Ok(Json(freezes::list(&state, &actor).await?))
}

/// Add a freeze window: `once` from `starts_at` to `ends_at`, or `weekly` from `from_day`
/// `from_time` to `to_day` `to_time` in `time_zone`; for the listed applications, or all.
#[utoipa::path(post, path = "/v1/freeze-windows", tag = "changes", request_body = FreezeDraft, security(("token" = ["admin"])),
    responses(
        (status = 201, description = "Added", body = FreezeWindow),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 409, description = "The name is taken", body = ErrorBody),
        (status = 422, description = "A field breaks its rule", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(draft): ApiJson<FreezeDraft>,
) -> ApiResult<(StatusCode, Json<FreezeWindow>)> {
    Ok((
        StatusCode::CREATED,
        Json(freezes::create(&state, &actor, draft).await?),
    ))
}

/// Remove a freeze window.
#[utoipa::path(delete, path = "/v1/freeze-windows/{id}", tag = "changes", params(("id" = i64, Path)), security(("token" = ["admin"])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 404, description = "No such freeze window", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    freezes::delete(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
