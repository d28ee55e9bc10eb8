//! Request body limits: one for ordinary requests, larger ones for bulk imports and attached
//! files.

use app::domain::AppError;
use app::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The paths that take whole files.
const IMPORT_PATHS: &[&str] = &["/v1/resources/import", "/api/resources/import"];

/// A file of the largest size attachments take, with room for a multipart form around it.
pub const ATTACHMENT_LIMIT: usize = app::domain::attachment::MAX_BYTES + 64 * 1024;

pub fn limit_for(settings: &app::state::Settings, path: &str) -> usize {
    let attachment = (path.starts_with("/v1/") && path.ends_with("/attachments"))
        || path == "/api/attachments/upload";
    if IMPORT_PATHS.contains(&path) {
        settings.import_limit_bytes
    } else if attachment {
        ATTACHMENT_LIMIT.max(settings.body_limit_bytes)
    } else {
        settings.body_limit_bytes
    }
}

/// Refuses a body that says it is too long with 413, and cuts off one that turns out to be.
pub async fn limit_body(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limit = limit_for(&state.settings, request.uri().path());
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return crate::rest::error::ApiError(AppError::PayloadTooLarge { limit_bytes: limit })
            .into_response();
    }
    let (parts, body) = request.into_parts();
    let limited = Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, limited)).await
}
