//! `/v1/users` (administrators) and `/v1/profile` (the caller).

use super::error::ApiResult;
use super::extract::{ApiJson, ApiQuery, Caller, IdPath};
use app::domain::error::ErrorBody;
use app::domain::list::{ListParams, Page};
use app::domain::user::{NewUser, ProfilePatch, Role, User, UserFilter, UserPatch};
use app::service::users;
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct UserQuery {
    /// Contained in the username, display name or email.
    q: Option<String>,
    role: Option<Role>,
    active: Option<bool>,
    /// From 1.
    page: Option<u32>,
    /// 1–200, default 20.
    per_page: Option<u32>,
    /// `username`, `display_name`, `role`, `created_at`, `last_login_at` or `id`; `-` descends.
    sort: Option<String>,
}

/// List users.
#[utoipa::path(get, path = "/v1/users", tag = "users", params(UserQuery), security(("token" = ["admin"])),
    responses(
        (status = 200, description = "A page of users", body = Page<User>),
        (status = 400, description = "A query parameter does not parse", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 422, description = "page, per_page or sort out of range", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<UserQuery>,
) -> ApiResult<Json<Page<User>>> {
    let filter = UserFilter {
        q: q.q,
        role: q.role,
        active: q.active,
    };
    let params = ListParams {
        page: q.page,
        per_page: q.per_page,
        sort: q.sort,
        ..Default::default()
    };
    Ok(Json(users::list(&state, &actor, &filter, &params).await?))
}

/// Create a user.
#[utoipa::path(post, path = "/v1/users", tag = "users", request_body = NewUser, security(("token" = ["admin"])),
    responses(
        (status = 201, description = "Created", body = User),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 409, description = "Username taken", body = ErrorBody),
        (status = 422, description = "A field breaks its rule", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(new): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    Ok((
        StatusCode::CREATED,
        Json(users::create(&state, &actor, new).await?),
    ))
}

/// Read a user.
#[utoipa::path(get, path = "/v1/users/{id}", tag = "users", params(("id" = i64, Path)), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The user", body = User),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such user, or (for all but administrators) another one", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<User>> {
    Ok(Json(users::get(&state, &actor, id).await?))
}

/// Edit a user: contact details, role, active flag.
///
/// Send the `version` you read; a stale one is refused with 409 and nothing changes.
/// Setting `active` to false deactivates the user and ends their sessions.
#[utoipa::path(patch, path = "/v1/users/{id}", tag = "users", params(("id" = i64, Path)),
    request_body = UserPatch, security(("token" = ["admin"])),
    responses(
        (status = 200, description = "The edited user", body = User),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "Stale version, or the last administrator would be lost", body = ErrorBody),
        (status = 422, description = "A field breaks its rule", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(patch): ApiJson<UserPatch>,
) -> ApiResult<Json<User>> {
    Ok(Json(users::update(&state, &actor, id, patch).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordReset {
    new_password: String,
    version: i32,
}

/// Set a new password for a user; their sessions and tokens are revoked.
#[utoipa::path(put, path = "/v1/users/{id}/password", tag = "users", params(("id" = i64, Path)),
    request_body = PasswordReset, security(("token" = ["admin"])),
    responses(
        (status = 200, description = "Reset", body = User),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "Stale version", body = ErrorBody),
        (status = 422, description = "Password too short or too long", body = ErrorBody),
    ))]
pub async fn reset_password(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<PasswordReset>,
) -> ApiResult<Json<User>> {
    Ok(Json(
        users::reset_password(&state, &actor, id, &body.new_password, body.version).await?,
    ))
}

/// The caller's own user.
#[utoipa::path(get, path = "/v1/profile", tag = "profile", security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "You", body = User),
        (status = 401, description = "No valid token", body = ErrorBody),
    ))]
pub async fn me(State(state): State<AppState>, Caller(actor): Caller) -> ApiResult<Json<User>> {
    Ok(Json(users::me(&state, &actor).await?))
}

/// Edit the caller's own contact details.
#[utoipa::path(patch, path = "/v1/profile", tag = "profile", request_body = ProfilePatch, security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "Saved", body = User),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 409, description = "Stale version", body = ErrorBody),
        (status = 422, description = "A field breaks its rule", body = ErrorBody),
    ))]
pub async fn update_me(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(patch): ApiJson<ProfilePatch>,
) -> ApiResult<Json<User>> {
    Ok(Json(users::update_profile(&state, &actor, patch).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// Change the caller's own password; their other sessions and tokens are revoked.
#[utoipa::path(put, path = "/v1/profile/password", tag = "profile", request_body = PasswordChange,
    security(("token" = ["viewer"])),
    responses(
        (status = 204, description = "Changed"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 422, description = "Wrong current password, or the new one breaks its rule", body = ErrorBody),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(body): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    users::change_password(&state, &actor, &body.current_password, &body.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}
