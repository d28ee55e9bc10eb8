//! SQL per aggregate: parameterized queries that read and write domain types.

pub mod applications;
pub mod audit;
pub mod groups;
pub mod imports;
pub mod incidents;
pub mod login_failures;
pub mod notifications;
pub mod resources;
pub mod schedules;
pub mod tokens;
pub mod users;

use crate::domain::AppError;

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                tracing::error!(error = %e, "database unavailable");
                AppError::unavailable("the database is not reachable")
            }
            other => internal(other),
        }
    }
}

/// Logs an unexpected failure under a short reference the caller can quote.
pub fn internal(e: impl std::fmt::Display) -> AppError {
    let reference = format!("{:08x}", rand::random::<u32>());
    tracing::error!(%reference, error = %e, "internal error");
    AppError::Internal { reference }
}

/// The name of the unique constraint a database error violated, if that is what it is.
pub fn unique_violation(e: &sqlx::Error) -> Option<&str> {
    match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => db.constraint(),
        _ => None,
    }
}

/// `ORDER BY` text for a checked sort, with `id` as the tie-breaker so pages never overlap.
pub fn order_by(sort: crate::domain::list::Sort) -> String {
    let dir = if sort.descending { "DESC" } else { "ASC" };
    if sort.field == "id" {
        format!("ORDER BY id {dir}")
    } else {
        format!("ORDER BY {} {dir}, id {dir}", sort.field)
    }
}
