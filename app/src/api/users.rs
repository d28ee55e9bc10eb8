//! Users administration and the caller's own profile.

use super::{Listing, Stamped};
use crate::domain::AppError;
use crate::domain::user::User;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr::context;
#[cfg(feature = "ssr")]
use crate::domain::user::Role;

/// Form values arrive as text; blank means "not given".
#[cfg(feature = "ssr")]
fn blank_to_none(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

#[server(endpoint = "users/list")]
pub async fn list_users(
    q: Option<String>,
    role: Option<String>,
    active: Option<String>,
    page: Option<u32>,
    sort: Option<String>,
) -> Result<Listing<User>, AppError> {
    use crate::domain::list::ListParams;
    use crate::domain::user::UserFilter;
    let (state, actor) = context().await?;
    let filter = UserFilter {
        q: blank_to_none(q),
        role: blank_to_none(role)
            .map(|r| Role::parse_field("role", &r))
            .transpose()?,
        active: match blank_to_none(active).as_deref() {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(_) => return Err(AppError::invalid("active", "must be true or false")),
        },
    };
    let params = ListParams {
        page,
        per_page: None,
        sort: blank_to_none(sort),
        ..Default::default()
    };
    let data = crate::service::users::list(&state, &actor, &filter, &params).await?;
    Ok(Stamped {
        data,
        now: state.now(),
    })
}

#[server(endpoint = "users/get")]
pub async fn get_user(id: i64) -> Result<Stamped<User>, AppError> {
    let (state, actor) = context().await?;
    let data = crate::service::users::get(&state, &actor, id).await?;
    Ok(Stamped {
        data,
        now: state.now(),
    })
}

#[server(endpoint = "users/create")]
pub async fn create_user(
    username: String,
    display_name: String,
    email: String,
    phone: String,
    role: String,
    password: String,
) -> Result<User, AppError> {
    use crate::domain::user::NewUser;
    let (state, actor) = context().await?;
    let new = NewUser {
        username,
        display_name,
        email,
        phone,
        role: Role::parse_field("role", &role)?,
        password,
    };
    let user = crate::service::users::create(&state, &actor, new).await?;
    leptos_axum::redirect(&format!("/users/{}", user.id));
    Ok(user)
}

#[server(endpoint = "users/update")]
pub async fn update_user(
    id: i64,
    version: i32,
    display_name: String,
    email: String,
    phone: String,
    role: String,
) -> Result<User, AppError> {
    use crate::domain::user::UserPatch;
    let (state, actor) = context().await?;
    let patch = UserPatch {
        display_name: Some(display_name),
        email: Some(email),
        phone: Some(phone),
        role: Some(Role::parse_field("role", &role)?),
        active: None,
        version,
    };
    crate::service::users::update(&state, &actor, id, patch).await
}

#[server(endpoint = "users/set-active")]
pub async fn set_user_active(id: i64, version: i32, active: bool) -> Result<User, AppError> {
    use crate::domain::user::UserPatch;
    let (state, actor) = context().await?;
    let patch = UserPatch {
        active: Some(active),
        version,
        ..Default::default()
    };
    crate::service::users::update(&state, &actor, id, patch).await
}

#[server(endpoint = "users/reset-password")]
pub async fn reset_password(id: i64, version: i32, new_password: String) -> Result<User, AppError> {
    let (state, actor) = context().await?;
    crate::service::users::reset_password(&state, &actor, id, &new_password, version).await
}

#[server(endpoint = "profile/get")]
pub async fn my_profile() -> Result<Stamped<User>, AppError> {
    let (state, actor) = context().await?;
    let data = crate::service::users::me(&state, &actor).await?;
    Ok(Stamped {
        data,
        now: state.now(),
    })
}

#[server(endpoint = "profile/update")]
pub async fn update_profile(
    version: i32,
    display_name: String,
    email: String,
    phone: String,
) -> Result<User, AppError> {
    use crate::domain::user::ProfilePatch;
    let (state, actor) = context().await?;
    let patch = ProfilePatch {
        display_name: Some(display_name),
        email: Some(email),
        phone: Some(phone),
        version,
    };
    crate::service::users::update_profile(&state, &actor, patch).await
}

#[server(endpoint = "profile/password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    crate::service::users::change_password(&state, &actor, &current_password, &new_password).await
}
