//! Logging in and out, and turning a presented token into an actor.

use super::audit::{Change, record};
use super::{Actor, password};
use crate::domain::AppError;
use crate::domain::audit::Method;
use crate::domain::auth::{Credentials, TokenInfo, TokenKind, token_digest};
use crate::state::AppState;
use crate::store;
use crate::store::tokens::NewToken;
use rand::RngCore;
use serde_json::json;

/// A fresh token: the secret (shown once) and what it grants.
pub struct Issued {
    pub token: String,
    pub token_id: i64,
    pub info: TokenInfo,
}

/// Where a login attempt comes from.
pub struct Origin<'a> {
    pub address: &'a str,
    pub method: Method,
}

fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn token_object(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Session => "session",
        TokenKind::Api => "api_token",
    }
}

/// Checks the password and issues a session or API token. Failed attempts are recorded and
/// throttled per username and per address.
pub async fn login(
    state: &AppState,
    credentials: &Credentials,
    origin: Origin<'_>,
    kind: TokenKind,
) -> Result<Issued, AppError> {
    let username = credentials.username.trim();
    if username.is_empty() {
        return Err(AppError::invalid("username", "is required"));
    }
    if credentials.password.is_empty() {
        return Err(AppError::invalid("password", "is required"));
    }
    let now = state.now();
    let policy = state.settings.throttle;
    let mut conn = state.pool.acquire().await?;
    let (by_user, by_address) =
        store::login_failures::since(&mut conn, username, origin.address, now - policy.window)
            .await?;
    if let Some(retry_after_secs) = policy.retry_after(now, by_user, by_address) {
        return Err(AppError::Throttled { retry_after_secs });
    }
    let found = store::users::find_credentials(&mut conn, username).await?;
    drop(conn);
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    let matches = password::verify(&credentials.password, hash).await?;
    let mut tx = state.pool.begin().await?;
    let user = match user {
        Some(user) if matches => user,
        _ => {
            store::login_failures::record(&mut tx, username, origin.address, now).await?;
            let anonymous = Actor {
                user: None,
                method: origin.method,
                token_id: None,
            };
            record(
                &mut tx,
                &anonymous,
                now,
                Change::new("session", username, "login_failed")
                    .after(&json!({"username": username, "address": origin.address})),
            )
            .await?;
            tx.commit().await?;
            return Err(AppError::InvalidCredentials);
        }
    };
    if !user.active {
        return Err(AppError::AccountDisabled);
    }
    let token = new_secret();
    let expires_at = now + state.settings.token_ttl;
    let token_id = store::tokens::insert(
        &mut tx,
        &NewToken {
            user_id: user.id,
            digest: &token_digest(&token),
            kind,
            address: Some(origin.address),
            created_at: now,
            expires_at,
        },
    )
    .await?;
    store::users::touch_login(&mut tx, user.id, now).await?;
    store::login_failures::clear_user(&mut tx, username).await?;
    let actor = Actor {
        user: Some(user.as_ref()),
        method: origin.method,
        token_id: Some(token_id),
    };
    record(
        &mut tx,
        &actor,
        now,
        Change::new(token_object(kind), token_id, "create").after(&json!({
            "user": user.username,
            "address": origin.address,
            "expires_at": expires_at,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(Issued {
        token,
        token_id,
        info: TokenInfo {
            expires_at,
            user: user.as_ref(),
        },
    })
}

/// The actor behind a token, or 401 when it is unknown, expired, revoked or its user inactive.
pub async fn authenticate(
    state: &AppState,
    token: &str,
    method: Method,
) -> Result<Actor, AppError> {
    let mut conn = state.pool.acquire().await?;
    let (token_id, user_id) =
        store::tokens::find_live(&mut conn, &token_digest(token), state.now())
            .await?
            .ok_or(AppError::Unauthenticated)?;
    let user = store::users::find(&mut conn, user_id)
        .await?
        .filter(|u| u.active)
        .ok_or(AppError::Unauthenticated)?;
    Ok(Actor {
        user: Some(user.as_ref()),
        method,
        token_id: Some(token_id),
    })
}

/// Revokes the token the actor is using.
pub async fn logout(state: &AppState, actor: &Actor) -> Result<(), AppError> {
    let token_id = actor.token_id.ok_or(AppError::Unauthenticated)?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    if let Some(kind) = store::tokens::revoke(&mut tx, token_id, now).await? {
        record(
            &mut tx,
            actor,
            now,
            Change::new(token_object(kind), token_id, "revoke"),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
