//! Logging in and out, and turning a presented token into an actor.

use super::audit::{Change, record};
use super::{Actor, password};
use crate::domain::AppError;
use crate::domain::audit::Method;
use crate::domain::auth::{Credentials, TokenInfo, TokenKind, token_digest};
use crate::domain::user::{PASSWORD_MAX, validate_username};
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
/// throttled per address and per username at an address; failures from everywhere only slow a
/// username down (`ThrottlePolicy`).
pub async fn login(
    state: &AppState,
    credentials: &Credentials,
    origin: Origin<'_>,
    kind: TokenKind,
) -> Result<Issued, AppError> {
    let username = credentials.username.trim().to_ascii_lowercase();
    let username = username.as_str();
    if username.is_empty() {
        return Err(AppError::invalid("username", "is required"));
    }
    if credentials.password.is_empty() {
        return Err(AppError::invalid("password", "is required"));
    }
    // Nothing longer or stranger than a username or password can be is looked up, hashed,
    // recorded or announced.
    validate_username(username)?;
    if credentials.password.chars().count() > PASSWORD_MAX {
        return Err(AppError::invalid(
            "password",
            format!("must be at most {PASSWORD_MAX} characters"),
        ));
    }
    let now = state.now();
    let policy = state.settings.throttle;
    // Count this attempt as a failure before checking it, under the address's lock: parallel
    // guesses take turns, and the limit holds however many arrive at once.
    let mut tx = state.pool.begin().await?;
    store::login_failures::lock_address(&mut tx, origin.address).await?;
    let seen = store::login_failures::since(&mut tx, username, origin.address, now - policy.window)
        .await?;
    if let Some(retry_after_secs) = policy.retry_after(now, &seen) {
        return Err(AppError::Throttled { retry_after_secs });
    }
    let attempt = store::login_failures::record(&mut tx, username, origin.address, now).await?;
    let found = store::users::find_credentials(&mut tx, username).await?;
    tx.commit().await?;
    if let Ok(delay) = policy.slowdown(&seen).to_std()
        && !delay.is_zero()
    {
        tokio::time::sleep(delay).await;
    }
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    let matches = match password::verify(&credentials.password, hash).await {
        Ok(matches) => matches,
        Err(e) => {
            // Not checked (the server was too busy): not a failure either.
            let mut conn = state.pool.acquire().await?;
            store::login_failures::forget(&mut conn, attempt).await?;
            return Err(e);
        }
    };
    let mut tx = state.pool.begin().await?;
    let user = match user {
        Some(user) if matches && user.active => user,
        found => {
            let (error, why) = match found {
                Some(_) if matches => (AppError::AccountDisabled, "deactivated"),
                _ => (AppError::InvalidCredentials, "wrong username or password"),
            };
            let anonymous = Actor {
                user: None,
                method: origin.method,
                token_id: None,
            };
            // The username is in the record, for administrators; the object id (which live
            // notices carry to everyone) is the failure's own number.
            record(
                &mut tx,
                &anonymous,
                now,
                Change::new("session", format!("failure-{attempt}"), "login_failed").after(
                    &json!({
                        "username": username,
                        "address": origin.address,
                        "reason": why,
                    }),
                ),
            )
            .await?;
            tx.commit().await?;
            return Err(error);
        }
    };
    store::login_failures::forgive(&mut tx, username, origin.address).await?;
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

/// The actor as they stand now, for work that outlives the request that authenticated them
/// (a live stream): `None` once their token is revoked or expired or their account
/// deactivated; their current role otherwise.
pub async fn recheck(state: &AppState, actor: &Actor) -> Result<Option<Actor>, AppError> {
    let Some(token_id) = actor.token_id else {
        return Ok(None);
    };
    let mut conn = state.pool.acquire().await?;
    let Some(user_id) = store::tokens::live_user(&mut conn, token_id, state.now()).await? else {
        return Ok(None);
    };
    Ok(store::users::find(&mut conn, user_id)
        .await?
        .filter(|u| u.active)
        .map(|user| Actor {
            user: Some(user.as_ref()),
            method: actor.method,
            token_id: Some(token_id),
        }))
}

/// Forgets login failures older than the throttle's window: they no longer count, and the
/// audit log keeps the record of each.
pub async fn purge_failures(state: &AppState) -> Result<u64, AppError> {
    let before = state.now() - state.settings.throttle.window;
    let mut conn = state.pool.acquire().await?;
    store::login_failures::purge(&mut conn, before).await
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
