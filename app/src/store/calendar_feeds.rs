//! The `calendar_feeds` table: one feed token per person, kept as its digest.

use crate::domain::AppError;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// Gives `user_id` the feed token with `digest`, replacing the one they had.
pub async fn set(
    conn: &mut PgConnection,
    user_id: i64,
    digest: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO calendar_feeds (user_id, digest, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET digest = $2, created_at = $3",
    )
    .bind(user_id)
    .bind(digest)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Revokes `user_id`'s feed token; whether they had one.
pub async fn revoke(conn: &mut PgConnection, user_id: i64) -> Result<bool, AppError> {
    let done = sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Since when `user_id` has had a feed token, if they have one.
pub async fn since(
    conn: &mut PgConnection,
    user_id: i64,
) -> Result<Option<DateTime<Utc>>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT created_at FROM calendar_feeds WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(conn)
            .await?,
    )
}

/// The active user whose token has `digest`.
pub async fn holder(conn: &mut PgConnection, digest: &str) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT f.user_id FROM calendar_feeds f JOIN users u ON u.id = f.user_id \
         WHERE f.digest = $1 AND u.active",
    )
    .bind(digest)
    .fetch_optional(conn)
    .await?)
}
