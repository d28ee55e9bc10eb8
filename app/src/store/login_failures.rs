//! The `login_failures` table that feeds the login throttle.

use crate::domain::AppError;
use crate::domain::auth::{Failures, LoginHistory};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// Serializes login attempts from one address until the transaction ends, so parallel guesses
/// count one after the other and none slips past a limit.
pub async fn lock_address(conn: &mut PgConnection, address: &str) -> Result<(), AppError> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('login:' || $1, 0))")
        .bind(address)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records a failure; returns its id.
pub async fn record(
    conn: &mut PgConnection,
    username: &str,
    address: &str,
    at: DateTime<Utc>,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO login_failures (username, address, at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(username)
    .bind(address)
    .bind(at)
    .fetch_one(conn)
    .await?)
}

/// Removes one recorded failure (an attempt that turned out not to be one).
pub async fn forget(conn: &mut PgConnection, id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM login_failures WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Failures since `since`: the username at the address, the address, the username anywhere.
pub async fn since(
    conn: &mut PgConnection,
    username: &str,
    address: &str,
    since: DateTime<Utc>,
) -> Result<LoginHistory, AppError> {
    let failures = |count, oldest| Failures { count, oldest };
    let (pair, pair_oldest, addr, addr_oldest, user, user_oldest): (
        i64,
        Option<DateTime<Utc>>,
        i64,
        Option<DateTime<Utc>>,
        i64,
        Option<DateTime<Utc>>,
    ) = sqlx::query_as(
        "SELECT \
           (SELECT count(*) FROM login_failures WHERE username = $1 AND address = $2 AND at > $3), \
           (SELECT min(at) FROM login_failures WHERE username = $1 AND address = $2 AND at > $3), \
           (SELECT count(*) FROM login_failures WHERE address = $2 AND at > $3), \
           (SELECT min(at) FROM login_failures WHERE address = $2 AND at > $3), \
           (SELECT count(*) FROM login_failures WHERE username = $1 AND at > $3), \
           (SELECT min(at) FROM login_failures WHERE username = $1 AND at > $3)",
    )
    .bind(username)
    .bind(address)
    .bind(since)
    .fetch_one(conn)
    .await?;
    Ok(LoginHistory {
        user_at_address: failures(pair, pair_oldest),
        address: failures(addr, addr_oldest),
        user: failures(user, user_oldest),
    })
}

/// A successful login forgives the user's failures from its address.
pub async fn forgive(
    conn: &mut PgConnection,
    username: &str,
    address: &str,
) -> Result<(), AppError> {
    sqlx::query("DELETE FROM login_failures WHERE username = $1 AND address = $2")
        .bind(username)
        .bind(address)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets failures older than `before`; they no longer count for anything.
pub async fn purge(conn: &mut PgConnection, before: DateTime<Utc>) -> Result<u64, AppError> {
    Ok(sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(before)
        .execute(conn)
        .await?
        .rows_affected())
}
