//! REST error answers: every non-2xx is `{"error_code", "error_msg"}` with the right status.

use app::domain::AppError;
use app::state::AppState;
use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// An `AppError` on its way out of a REST handler.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(self.0.body())).into_response();
        if let Some(seconds) = self.0.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Gives the error answers that come from outside the handlers (unknown route, wrong method,
/// timeout, body limit) the same JSON body as the rest.
/// Console pages and server functions keep their own error pages.
pub async fn json_errors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let method = request.method().to_string();
    let response = next.run(request).await;
    let status = response.status();
    let api =
        path.starts_with("/v1/") || ["/healthz", "/readyz", "/metrics"].contains(&path.as_str());
    if !api || !(status.is_client_error() || status.is_server_error()) || is_json(&response) {
        return response;
    }
    let error = match status {
        StatusCode::NOT_FOUND => AppError::NoRoute { path },
        StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed { method, path },
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge {
            limit_bytes: crate::limits::limit_for(&state.settings, &path),
        },
        StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE => {
            AppError::unavailable("the request took too long and was abandoned")
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            AppError::malformed("the body must be JSON with Content-Type: application/json")
        }
        s if s.is_client_error() => {
            AppError::malformed(s.canonical_reason().unwrap_or("the request was refused"))
        }
        _ => app::store::internal(format!("{status} without a body on {method} {path}")),
    };
    ApiError(error).into_response()
}
