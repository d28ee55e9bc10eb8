//! `/v1/auth/tokens`: issue and revoke API tokens.

use super::error::{ApiError, ApiResult};
use super::extract::{ApiJson, Caller};
use app::domain::audit::Method;
use app::domain::auth::{Credentials, TokenKind, TokenResponse};
use app::domain::error::ErrorBody;
use app::service::auth::{self, Origin};
use app::state::AppState;
use app::state::ClientAddress;
use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};

/// Log in and receive an API token.
///
/// The token is in the `X-Subject-Token` response header; send it back as `X-Auth-Token`
/// (or `Authorization: Bearer`). It expires after `OPSROOM_TOKEN_TTL_HOURS` (default 24).
/// Repeated failures from one address, or for one username from one address, are refused with
/// 429 for a while; failures for a username from everywhere slow its logins down.
#[utoipa::path(post, path = "/v1/auth/tokens", tag = "auth", request_body = Credentials,
    responses(
        (status = 201, description = "Token issued", body = TokenResponse,
            headers(("X-Subject-Token" = String, description = "The secret token"))),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Wrong username or password, or account deactivated", body = ErrorBody),
        (status = 422, description = "A field is missing", body = ErrorBody),
        (status = 429, description = "Too many failed logins", body = ErrorBody),
    ))]
pub async fn issue(
    State(state): State<AppState>,
    Extension(ClientAddress(client)): Extension<ClientAddress>,
    ApiJson(credentials): ApiJson<Credentials>,
) -> ApiResult<(StatusCode, HeaderMap, Json<TokenResponse>)> {
    let address = client.to_string();
    let issued = auth::login(
        &state,
        &credentials,
        Origin {
            address: &address,
            method: Method::Api,
        },
        TokenKind::Api,
    )
    .await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-subject-token",
        HeaderValue::from_str(&issued.token).map_err(|e| ApiError(app::store::internal(e)))?,
    );
    Ok((
        StatusCode::CREATED,
        headers,
        Json(TokenResponse { token: issued.info }),
    ))
}

/// Revoke the token this request is made with.
#[utoipa::path(delete, path = "/v1/auth/tokens", tag = "auth", security(("token" = ["viewer"])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "No valid token", body = ErrorBody),
    ))]
pub async fn revoke(State(state): State<AppState>, Caller(actor): Caller) -> ApiResult<StatusCode> {
    auth::logout(&state, &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}
