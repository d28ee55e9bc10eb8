//! `/v1/change-templates`: the library of standard changes (administrators keep it), and
//! standard changes made from it.

use super::error::ApiResult;
use super::extract::{ApiJson, Caller, IdPath};
use app::domain::change::{Change, ChangeTemplate, FromTemplate, NewChangeTemplate};
use app::domain::error::ErrorBody;
use app::service::{change_templates, changes};
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

/// Every template, by name.
#[utoipa::path(get, path = "/v1/change-templates", tag = "changes", security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The library", body = Vec<ChangeTemplate>),
        (status = 401, description = "No valid token", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<Json<Vec<ChangeTemplate>>> {
    Ok(Json(change_templates::list(&state, &actor).await?))
}

/// Add a pre-approved change model.
#[utoipa::path(post, path = "/v1/change-templates", tag = "changes", request_body = NewChangeTemplate, security(("token" = ["admin"])),
    responses(
        (status = 201, description = "Added", body = ChangeTemplate),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 409, description = "The name is taken", body = ErrorBody),
        (status = 422, description = "A field breaks its rule, or names nothing", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(new): ApiJson<NewChangeTemplate>,
) -> ApiResult<(StatusCode, Json<ChangeTemplate>)> {
    Ok((
        StatusCode::CREATED,
        Json(change_templates::create(&state, &actor, new).await?),
    ))
}

/// Remove a template no change was made from.
#[utoipa::path(delete, path = "/v1/change-templates/{id}", tag = "changes", params(("id" = i64, Path)), security(("token" = ["admin"])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 404, description = "No such template", body = ErrorBody),
        (status = 409, description = "Changes were made from it", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    change_templates::delete(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Make a standard change from the template, in draft: its window starts at `planned_start`
/// and lasts the template's duration. Submitted, it is approved at once, without review.
#[utoipa::path(post, path = "/v1/change-templates/{id}/changes", tag = "changes", params(("id" = i64, Path)),
    request_body = FromTemplate, security(("token" = ["operator"])),
    responses(
        (status = 201, description = "Planned, in draft", body = Change),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not plan changes", body = ErrorBody),
        (status = 404, description = "No such template", body = ErrorBody),
        (status = 422, description = "The implementer names nobody who may implement", body = ErrorBody),
    ))]
pub async fn make(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(from): ApiJson<FromTemplate>,
) -> ApiResult<(StatusCode, Json<Change>)> {
    Ok((
        StatusCode::CREATED,
        Json(changes::from_template(&state, &actor, id, from).await?),
    ))
}
