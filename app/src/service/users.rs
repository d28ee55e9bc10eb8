//! Managing users (administrators) and one's own profile (everyone).

use super::audit::{Change, record};
use super::{Actor, password};
use crate::domain::AppError;
use crate::domain::list::{ListParams, Page, Sort};
use crate::domain::user::{
    NewUser, ProfilePatch, Role, User, UserFilter, UserPatch, validate_password,
};
use crate::state::AppState;
use crate::store;
use serde_json::json;
use sqlx::PgConnection;

pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: &UserFilter,
    params: &ListParams,
) -> Result<Page<User>, AppError> {
    actor.require(Role::Admin, "listing users")?;
    let window = params.window(
        store::users::SORTABLE,
        Sort {
            field: "username",
            descending: false,
        },
    )?;
    let mut conn = state.pool.acquire().await?;
    store::users::list(&mut conn, filter, window).await
}

/// Administrators read anyone; everyone reads themselves.
/// A user: anyone's for an administrator, else only one's own (others' are not found, so an id
/// reveals nothing).
pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<User, AppError> {
    if actor.id() != Some(id) && !actor.holds(Role::Admin) {
        return Err(AppError::not_found("User", id));
    }
    let mut conn = state.pool.acquire().await?;
    store::users::find(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("User", id))
}

pub async fn create(state: &AppState, actor: &Actor, new: NewUser) -> Result<User, AppError> {
    actor.require(Role::Admin, "creating users")?;
    let new = new.normalized()?;
    // Hashing costs ~20 MB and tens of milliseconds: refuse a taken name before paying for it
    // (the unique index still settles races).
    let mut conn = state.pool.acquire().await?;
    if store::users::username_taken(&mut conn, &new.username).await? {
        return Err(store::users::taken(&new.username));
    }
    drop(conn);
    let hash = password::hash(&new.password).await?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let user = store::users::insert(&mut tx, &new, &hash, now).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("user", user.id, "create").after(&user),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// Locks the user and checks the version the editor saw.
async fn load_current(conn: &mut PgConnection, id: i64, version: i32) -> Result<User, AppError> {
    let user = store::users::find_for_update(conn, id).await?;
    AppError::check_version("User", id, user.version, version)?;
    Ok(user)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: i64,
    patch: UserPatch,
) -> Result<User, AppError> {
    actor.require(Role::Admin, "editing users")?;
    let patch = patch.normalized()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = load_current(&mut tx, id, patch.version).await?;
    let after = patch.apply(&before);
    let loses_admin =
        before.role == Role::Admin && before.active && (after.role != Role::Admin || !after.active);
    if loses_admin && store::users::count_active_admins(&mut tx).await? <= 1 {
        return Err(AppError::conflict(
            "At least one active administrator must remain; promote another user first.",
        ));
    }
    let after = store::users::update(&mut tx, &after, now).await?;
    let action = match (before.active, after.active) {
        (true, false) => "deactivate",
        (false, true) => "reactivate",
        _ => "update",
    };
    if !after.active {
        store::tokens::revoke_all_of(&mut tx, id, None, now).await?;
    }
    record(
        &mut tx,
        actor,
        now,
        Change::new("user", id, action)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Sets a new password chosen by an administrator and signs the user out everywhere.
pub async fn reset_password(
    state: &AppState,
    actor: &Actor,
    id: i64,
    new_password: &str,
    version: i32,
) -> Result<User, AppError> {
    actor.require(Role::Admin, "resetting passwords")?;
    validate_password("new_password", new_password)?;
    let hash = password::hash(new_password).await?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    load_current(&mut tx, id, version).await?;
    let user = store::users::set_password(&mut tx, id, &hash, now).await?;
    let revoked = store::tokens::revoke_all_of(&mut tx, id, None, now).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("user", id, "reset_password")
            .after(&json!({"password": "reset", "sessions_revoked": revoked})),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

pub async fn me(state: &AppState, actor: &Actor) -> Result<User, AppError> {
    let id = actor.id().ok_or(AppError::Unauthenticated)?;
    get(state, actor, id).await
}

/// A user edits their own contact details.
pub async fn update_profile(
    state: &AppState,
    actor: &Actor,
    patch: ProfilePatch,
) -> Result<User, AppError> {
    let id = actor.id().ok_or(AppError::Unauthenticated)?;
    let patch = patch.normalized()?.as_user_patch();
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = load_current(&mut tx, id, patch.version).await?;
    let after = store::users::update(&mut tx, &patch.apply(&before), now).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("user", id, "update_profile")
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A user changes their own password; their other sessions and tokens are revoked.
pub async fn change_password(
    state: &AppState,
    actor: &Actor,
    current_password: &str,
    new_password: &str,
) -> Result<(), AppError> {
    let id = actor.id().ok_or(AppError::Unauthenticated)?;
    validate_password("new_password", new_password)?;
    if current_password == new_password {
        return Err(AppError::invalid(
            "new_password",
            "must differ from the current password",
        ));
    }
    let mut conn = state.pool.acquire().await?;
    let hash = store::users::password_hash(&mut conn, id).await?;
    drop(conn);
    if !password::verify(current_password, Some(hash)).await? {
        return Err(AppError::invalid(
            "current_password",
            "does not match your current password",
        ));
    }
    let hash = password::hash(new_password).await?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    store::users::set_password(&mut tx, id, &hash, now).await?;
    let revoked = store::tokens::revoke_all_of(&mut tx, id, actor.token_id, now).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("user", id, "change_password")
            .after(&json!({"password": "changed", "other_sessions_revoked": revoked})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
