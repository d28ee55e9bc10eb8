//! The `login_failures` table that feeds the login throttle.

use crate::domain::AppError;
use crate::domain::auth::Failures;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

pub async fn record(
    conn: &mut PgConnection,
    username: &str,
    address: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query("INSERT INTO login_failures (username, address, at) VALUES ($1, $2, $3)")
        .bind(username)
        .bind(address)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Failures since `since` for the username and for the address.
pub async fn since(
    conn: &mut PgConnection,
    username: &str,
    address: &str,
    since: DateTime<Utc>,
) -> Result<(Failures, Failures), AppError> {
    let (user_count, user_oldest, addr_count, addr_oldest): (
        i64,
        Option<DateTime<Utc>>,
        i64,
        Option<DateTime<Utc>>,
    ) = sqlx::query_as(
        "SELECT \
           (SELECT count(*) FROM login_failures WHERE username = $1 AND at > $3), \
           (SELECT min(at) FROM login_failures WHERE username = $1 AND at > $3), \
           (SELECT count(*) FROM login_failures WHERE address = $2 AND at > $3), \
           (SELECT min(at) FROM login_failures WHERE address = $2 AND at > $3)",
    )
    .bind(username)
    .bind(address)
    .bind(since)
    .fetch_one(conn)
    .await?;
    Ok((
        Failures {
            count: user_count,
            oldest: user_oldest,
        },
        Failures {
            count: addr_count,
            oldest: addr_oldest,
        },
    ))
}

/// A successful login forgives the user's earlier failures.
pub async fn clear_user(conn: &mut PgConnection, username: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM login_failures WHERE username = $1")
        .bind(username)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn count_since(conn: &mut PgConnection, since: DateTime<Utc>) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM login_failures WHERE at > $1")
            .bind(since)
            .fetch_one(conn)
            .await?,
    )
}
