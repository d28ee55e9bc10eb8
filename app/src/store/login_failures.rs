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
    let row: HistoryRow = sqlx::query_as(
        "SELECT \
           (SELECT count(*) FROM login_failures WHERE username = $1 AND address = $2 AND at > $3) \
             AS pair, \
           (SELECT min(at) FROM login_failures WHERE username = $1 AND address = $2 AND at > $3) \
             AS pair_oldest, \
           (SELECT count(*) FROM login_failures WHERE address = $2 AND at > $3) AS address, \
           (SELECT min(at) FROM login_failures WHERE address = $2 AND at > $3) AS address_oldest, \
           (SELECT count(*) FROM login_failures WHERE username = $1 AND at > $3) AS username, \
           (SELECT min(at) FROM login_failures WHERE username = $1 AND at > $3) AS username_oldest",
    )
    .bind(username)
    .bind(address)
    .bind(since)
    .fetch_one(conn)
    .await?;
    let failures = |count, oldest| Failures { count, oldest };
    Ok(LoginHistory {
        user_at_address: failures(row.pair, row.pair_oldest),
        address: failures(row.address, row.address_oldest),
        user: failures(row.username, row.username_oldest),
    })
}

#[derive(sqlx::FromRow)]
struct HistoryRow {
    pair: i64,
    pair_oldest: Option<DateTime<Utc>>,
    address: i64,
    address_oldest: Option<DateTime<Utc>>,
    username: i64,
    username_oldest: Option<DateTime<Utc>>,
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
