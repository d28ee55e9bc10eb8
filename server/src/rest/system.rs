//! Health, readiness, metrics and the OpenAPI document itself.

use app::domain::AppError;
use app::domain::error::ErrorBody;
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "system",
    responses((status = 200, description = "OpenAPI document", body = Object)))]
pub async fn openapi(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(state.openapi.clone())
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "system",
    responses((status = 200, description = "Alive", body = Object)))]
pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// The process can serve: the database answers.
#[utoipa::path(get, path = "/readyz", tag = "system",
    responses(
        (status = 200, description = "Ready", body = Object),
        (status = 503, description = "The database is unreachable", body = ErrorBody),
    ))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let probe = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        sqlx::query("SELECT 1").execute(&state.pool),
    )
    .await;
    match probe {
        Ok(Ok(_)) => Json(json!({"status": "ready"})).into_response(),
        _ => {
            let error = AppError::unavailable("the database is not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, Json(error.body())).into_response()
        }
    }
}

/// Prometheus metrics: `http_requests_total`, `http_request_duration_seconds` (by method, route
/// and status), `db_pool_connections` (idle / in use) and `allocator_bytes` (allocated /
/// resident / retained: what the process's allocator holds).
#[utoipa::path(get, path = "/metrics", tag = "system",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")))]
pub async fn metrics(state: State<AppState>) -> Response {
    crate::metrics::render(state).await
}
