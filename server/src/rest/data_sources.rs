//! `/v1/data-sources` (administrators): the monitoring systems allowed to push, and their keys.

use super::error::ApiResult;
use super::extract::{ApiJson, Caller, IdPath};
use app::domain::data_source::{DataSource, DataSourceUpdate, DataSourceWithKey, NewDataSource};
use app::domain::error::ErrorBody;
use app::service::data_sources;
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

/// List data sources.
#[utoipa::path(get, path = "/v1/data-sources", tag = "data sources", security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "Every source, by name", body = Vec<DataSource>),
        (status = 401, description = "No valid token", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<Json<Vec<DataSource>>> {
    Ok(Json(data_sources::list(&state, &actor).await?))
}

/// Add a source. The answer carries its integration key and push path: the only time the key
/// is shown.
#[utoipa::path(post, path = "/v1/data-sources", tag = "data sources", request_body = NewDataSource, security(("token" = ["admin"])),
    responses(
        (status = 201, description = "Created, with its key", body = DataSourceWithKey),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 409, description = "Another source has this name", body = ErrorBody),
        (status = 422, description = "Name empty or too long; unknown kind", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(body): ApiJson<NewDataSource>,
) -> ApiResult<(StatusCode, Json<DataSourceWithKey>)> {
    Ok((
        StatusCode::CREATED,
        Json(data_sources::create(&state, &actor, body).await?),
    ))
}

/// One source.
#[utoipa::path(get, path = "/v1/data-sources/{id}", tag = "data sources", params(("id" = i64, Path)), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The source", body = DataSource),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such source", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<DataSource>> {
    Ok(Json(data_sources::get(&state, &actor, id).await?))
}

/// Rename, enable or disable a source (a disabled source's pushes get 404).
#[utoipa::path(put, path = "/v1/data-sources/{id}", tag = "data sources", params(("id" = i64, Path)),
    request_body = DataSourceUpdate, security(("token" = ["admin"])),
    responses(
        (status = 200, description = "Updated", body = DataSource),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 404, description = "No such source", body = ErrorBody),
        (status = 409, description = "Stale version, or another source has this name", body = ErrorBody),
        (status = 422, description = "Name empty or too long", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<DataSourceUpdate>,
) -> ApiResult<Json<DataSource>> {
    Ok(Json(data_sources::update(&state, &actor, id, body).await?))
}

/// Delete a source that never raised an alarm (disable one that did).
#[utoipa::path(delete, path = "/v1/data-sources/{id}", tag = "data sources", params(("id" = i64, Path)), security(("token" = ["admin"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 404, description = "No such source", body = ErrorBody),
        (status = 409, description = "It has alarms", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    data_sources::delete(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replace the source's key; the old one stops working at once. The answer shows the new key.
#[utoipa::path(post, path = "/v1/data-sources/{id}/rotate-key", tag = "data sources", params(("id" = i64, Path)), security(("token" = ["admin"])),
    responses(
        (status = 200, description = "The source with its new key", body = DataSourceWithKey),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 404, description = "No such source", body = ErrorBody),
    ))]
pub async fn rotate_key(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<DataSourceWithKey>> {
    Ok(Json(data_sources::rotate_key(&state, &actor, id).await?))
}
