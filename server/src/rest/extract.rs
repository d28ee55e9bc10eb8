//! Request extractors that answer bad input with our error body: the caller, JSON, query, path.

use super::error::ApiError;
use app::api::ssr::cookie_in;
use app::domain::AppError;
use app::domain::audit::Method;
use app::domain::auth::session_cookie_name;
use app::service::{Actor, auth};
use app::state::AppState;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// The token a request presents: `X-Auth-Token`, `Authorization: Bearer`, or (from the
/// console's own pages) the session cookie.
pub fn presented_token(parts: &Parts, secure_cookies: bool) -> Option<(String, Method)> {
    let header_value = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    if let Some(token) = header_value("x-auth-token") {
        return Some((token, Method::Api));
    }
    if let Some(token) = header_value(header::AUTHORIZATION.as_str())
        .and_then(|v| v.strip_prefix("Bearer ").map(|t| t.trim().to_owned()))
    {
        return Some((token, Method::Api));
    }
    cookie_in(&parts.headers, session_cookie_name(secure_cookies)).map(|t| (t, Method::Ui))
}

/// The authenticated caller of a REST request; 401 when there is none.
pub struct Caller(pub Actor);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // The role gate has usually looked the caller up already.
        if let Some(actor) = parts.extensions.get::<Actor>() {
            return Ok(Caller(actor.clone()));
        }
        let (token, method) =
            presented_token(parts, state.settings.secure()).ok_or(AppError::Unauthenticated)?;
        Ok(Caller(auth::authenticate(state, &token, method).await?))
    }
}

/// A JSON body; syntax errors are 400, a missing or mistyped field 422 naming it.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(ApiError(json_rejection(
                rejection,
                state.settings.body_limit_bytes,
            ))),
        }
    }
}

fn json_rejection(rejection: JsonRejection, body_limit_bytes: usize) -> AppError {
    match rejection {
        JsonRejection::JsonDataError(e) => {
            // serde names the path: "users[0].role: unknown variant ..." / "missing field `x`".
            let detail = std::error::Error::source(&e)
                .map(ToString::to_string)
                .unwrap_or_else(|| e.body_text());
            let field = field_of(&detail);
            AppError::invalid(field, detail)
        }
        JsonRejection::JsonSyntaxError(e) => AppError::malformed(
            std::error::Error::source(&e)
                .map(ToString::to_string)
                .unwrap_or_else(|| e.body_text()),
        ),
        JsonRejection::MissingJsonContentType(_) => {
            AppError::malformed("the body must be JSON with Content-Type: application/json")
        }
        JsonRejection::BytesRejection(e)
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
        {
            AppError::PayloadTooLarge {
                limit_bytes: body_limit_bytes,
            }
        }
        other => AppError::malformed(other.body_text()),
    }
}

/// The field a serde message is about: the path before ": ", or the name in "missing field `x`".
fn field_of(detail: &str) -> String {
    if let Some(rest) = detail.split("missing field `").nth(1) {
        return rest.split('`').next().unwrap_or("body").to_owned();
    }
    match detail.split_once(": ") {
        Some((path, _)) if !path.contains(' ') && path != "." => path.to_owned(),
        _ => "body".to_owned(),
    }
}

/// Query parameters; ones that do not parse are a 400 that quotes the parser.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e: QueryRejection| ApiError(AppError::malformed(e.body_text())))
    }
}

/// A numeric id in the path; anything else names nothing, so it is a 404.
pub struct IdPath(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let raw = axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e: PathRejection| ApiError(AppError::malformed(e.body_text())))?;
        raw.0
            .parse::<i64>()
            .map(IdPath)
            .map_err(|_| ApiError(AppError::not_found("Object", raw.0)))
    }
}

/// Two numeric ids in the path (`/v1/things/{id}/parts/{part_id}`); a part that is not a number
/// names nothing, so it is a 404.
pub struct IdsPath(pub i64, pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IdsPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let raw = axum::extract::Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|e: PathRejection| ApiError(AppError::malformed(e.body_text())))?;
        let (a, b) = raw.0;
        match (a.parse::<i64>(), b.parse::<i64>()) {
            (Ok(a), Ok(b)) => Ok(IdsPath(a, b)),
            (Err(_), _) => Err(ApiError(AppError::not_found("Object", a))),
            (_, Err(_)) => Err(ApiError(AppError::not_found("Object", b))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::field_of;

    #[test]
    fn fields_are_read_from_serde_messages() {
        assert_eq!(
            field_of("missing field `username` at line 1 column 2"),
            "username"
        );
        assert_eq!(
            field_of("role: unknown variant `root`, expected one of ..."),
            "role"
        );
        assert_eq!(field_of("invalid type: string \"x\", expected i32"), "body");
    }
}
