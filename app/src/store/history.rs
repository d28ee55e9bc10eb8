//! The `ticket_history` table: every ticket's timeline.

use crate::domain::AppError;
use crate::domain::workflow::HistoryEntry;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// A line to add to a ticket's timeline.
pub struct NewHistory<'a> {
    /// `incident`, `war_room`, `improvement` or `problem`.
    pub ticket: &'a str,
    pub ticket_id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub action: &'a str,
    pub status_before: Option<&'a str>,
    pub status_after: &'a str,
    pub comment: &'a str,
    pub changes: serde_json::Value,
}

pub async fn add(conn: &mut PgConnection, h: NewHistory<'_>) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO ticket_history (ticket, ticket_id, at, actor_id, actor_name, action, \
                                     status_before, status_after, comment, changes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(h.ticket)
    .bind(h.ticket_id)
    .bind(h.at)
    .bind(h.actor_id)
    .bind(h.actor_name)
    .bind(h.action)
    .bind(h.status_before)
    .bind(h.status_after)
    .bind(h.comment)
    .bind(h.changes)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct HistoryRow {
    id: i64,
    at: DateTime<Utc>,
    actor_name: String,
    action: String,
    status_before: Option<String>,
    status_after: String,
    comment: String,
    changes: serde_json::Value,
}

/// A ticket's timeline, oldest first.
pub async fn of(
    conn: &mut PgConnection,
    ticket: &str,
    id: i64,
) -> Result<Vec<HistoryEntry>, AppError> {
    let rows: Vec<HistoryRow> = sqlx::query_as(
        "SELECT id, at, actor_name, action, status_before, status_after, comment, changes \
         FROM ticket_history WHERE ticket = $1 AND ticket_id = $2 ORDER BY id",
    )
    .bind(ticket)
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| HistoryEntry {
            id: r.id,
            at: r.at,
            actor: r.actor_name,
            action: r.action,
            status_before: r.status_before,
            status_after: r.status_after,
            comment: r.comment,
            changes: r.changes,
        })
        .collect())
}
