//! `/v1/sla`: the service levels per incident level.

use super::error::ApiResult;
use super::extract::{ApiJson, Caller};
use app::domain::error::ErrorBody;
use app::domain::incident::Level;
use app::domain::sla::{SlaEdit, SlaPolicy};
use app::service::sla;
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;

/// The targets of every level.
#[utoipa::path(get, path = "/v1/sla", tag = "incidents", security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "P1 to P5", body = Vec<SlaPolicy>),
        (status = 401, description = "No valid token", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<Json<Vec<SlaPolicy>>> {
    Ok(Json(sla::policies(&state, &actor).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct SlaUpdate {
    level: Level,
    #[serde(flatten)]
    edit: SlaEdit,
}

/// Change one level's targets (administrators); incidents opened from now on use them.
#[utoipa::path(put, path = "/v1/sla", tag = "incidents", request_body = SlaUpdate, security(("token" = ["admin"])),
    responses(
        (status = 200, description = "The level's new targets", body = SlaPolicy),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 409, description = "Stale version", body = ErrorBody),
        (status = 422, description = "Minutes out of range", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(body): ApiJson<SlaUpdate>,
) -> ApiResult<Json<SlaPolicy>> {
    Ok(Json(
        sla::update(&state, &actor, body.level, body.edit).await?,
    ))
}
