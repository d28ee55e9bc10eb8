//! The `auth_tokens` table: browser sessions and API tokens, stored as digests.

use crate::domain::AppError;
use crate::domain::auth::TokenKind;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

pub struct NewToken<'a> {
    pub user_id: i64,
    pub digest: &'a str,
    pub kind: TokenKind,
    pub address: Option<&'a str>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut PgConnection, t: &NewToken<'_>) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO auth_tokens (user_id, digest, kind, address, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(t.user_id)
    .bind(t.digest)
    .bind(t.kind.as_str())
    .bind(t.address)
    .bind(t.created_at)
    .bind(t.expires_at)
    .fetch_one(conn)
    .await?)
}

/// The token id and its user id, if the token is unrevoked and unexpired at `now`.
pub async fn find_live(
    conn: &mut PgConnection,
    digest: &str,
    now: DateTime<Utc>,
) -> Result<Option<(i64, i64)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, user_id FROM auth_tokens \
         WHERE digest = $1 AND revoked_at IS NULL AND expires_at > $2",
    )
    .bind(digest)
    .bind(now)
    .fetch_optional(conn)
    .await?)
}

/// The user of token `id` while it is neither revoked nor expired.
pub async fn live_user(
    conn: &mut PgConnection,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT user_id FROM auth_tokens WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2",
    )
    .bind(id)
    .bind(now)
    .fetch_optional(conn)
    .await?)
}

/// Revokes one token and returns its kind; `None` when it was already revoked.
pub async fn revoke(
    conn: &mut PgConnection,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Option<TokenKind>, AppError> {
    let kind: Option<String> = sqlx::query_scalar(
        "UPDATE auth_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL \
         RETURNING kind",
    )
    .bind(id)
    .bind(now)
    .fetch_optional(conn)
    .await?;
    Ok(kind.and_then(|k| TokenKind::parse(&k)))
}

/// Revokes every live token of a user except `keep`; returns how many.
pub async fn revoke_all_of(
    conn: &mut PgConnection,
    user_id: i64,
    keep: Option<i64>,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let done = sqlx::query(
        "UPDATE auth_tokens SET revoked_at = $3 \
         WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $3 \
           AND id IS DISTINCT FROM $2",
    )
    .bind(user_id)
    .bind(keep)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Live (sessions, API tokens) at `now`.
pub async fn count_live(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
) -> Result<(i64, i64), AppError> {
    Ok(sqlx::query_as(
        "SELECT count(*) FILTER (WHERE kind = 'session'), count(*) FILTER (WHERE kind = 'api') \
         FROM auth_tokens WHERE revoked_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .fetch_one(conn)
    .await?)
}
