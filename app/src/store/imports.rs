//! The `resource_imports` table (every import with its counts) and `resource_import_rows` (its
//! per-row report, read a page at a time).

use crate::domain::AppError;
use crate::domain::import::{ImportMode, ImportSummary, RowOutcome, RowReport};
use crate::domain::list::Cursor;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    at: DateTime<Utc>,
    actor_name: String,
    mode: String,
    applied: bool,
    created: i32,
    updated: i32,
    unchanged: i32,
    rejected: i32,
}

fn count(n: i32) -> usize {
    usize::try_from(n).unwrap_or_default()
}

impl TryFrom<SummaryRow> for ImportSummary {
    type Error = AppError;

    fn try_from(r: SummaryRow) -> Result<ImportSummary, AppError> {
        Ok(ImportSummary {
            id: r.id,
            at: r.at,
            actor: r.actor_name,
            mode: ImportMode::parse(&r.mode)
                .ok_or_else(|| super::internal(format!("unknown import mode {}", r.mode)))?,
            applied: r.applied,
            created: count(r.created),
            updated: count(r.updated),
            unchanged: count(r.unchanged),
            rejected: count(r.rejected),
        })
    }
}

fn stored(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

const SUMMARY: &str = "id, at, actor_name, mode, applied, created, updated, unchanged, rejected FROM resource_imports";

/// Opens the record of an import (nothing counted yet) and returns its id.
pub async fn insert(
    conn: &mut PgConnection,
    summary: &ImportSummary,
    actor_id: Option<i64>,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO resource_imports (at, actor_id, actor_name, mode, applied, created, updated, \
                                       unchanged, rejected) \
         VALUES ($1, $2, $3, $4, false, 0, 0, 0, 0) RETURNING id",
    )
    .bind(summary.at)
    .bind(actor_id)
    .bind(&summary.actor)
    .bind(summary.mode.as_str())
    .fetch_one(conn)
    .await?)
}

/// Writes an import's outcome once its rows are done.
pub async fn update_counts(
    conn: &mut PgConnection,
    summary: &ImportSummary,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE resource_imports SET applied = $2, created = $3, updated = $4, unchanged = $5, \
                rejected = $6 WHERE id = $1",
    )
    .bind(summary.id)
    .bind(summary.applied)
    .bind(stored(summary.created))
    .bind(stored(summary.updated))
    .bind(stored(summary.unchanged))
    .bind(stored(summary.rejected))
    .execute(conn)
    .await?;
    Ok(())
}

/// Stores rows of an import's report.
pub async fn insert_rows(
    conn: &mut PgConnection,
    import: i64,
    rows: &[RowReport],
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO resource_import_rows (import_id, line, name, outcome, resource_id, reason) \
         SELECT $1, r.line, r.name, r.outcome, r.resource_id, r.reason \
         FROM UNNEST($2::int4[], $3::text[], $4::text[], $5::int8[], $6::text[]) \
              AS r(line, name, outcome, resource_id, reason)",
    )
    .bind(import)
    .bind(rows.iter().map(|r| stored(r.line)).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.outcome.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.resource_id).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.reason.as_deref()).collect::<Vec<_>>())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<ImportSummary>, AppError> {
    let row: Option<SummaryRow> = sqlx::query_as(&format!("SELECT {SUMMARY} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(ImportSummary::try_from).transpose()
}

#[derive(sqlx::FromRow)]
struct ReportRow {
    line: i32,
    name: String,
    outcome: String,
    resource_id: Option<i64>,
    reason: Option<String>,
}

impl TryFrom<ReportRow> for RowReport {
    type Error = AppError;

    fn try_from(r: ReportRow) -> Result<RowReport, AppError> {
        Ok(RowReport {
            line: count(r.line),
            name: r.name,
            outcome: RowOutcome::parse(&r.outcome)
                .ok_or_else(|| super::internal(format!("unknown row outcome {}", r.outcome)))?,
            resource_id: r.resource_id,
            reason: r.reason,
        })
    }
}

/// Up to `limit` rows of an import's report in file order (with this outcome, when given):
/// from `offset`, or next to a line when `cursor` says so (read backwards before it).
pub async fn rows(
    conn: &mut PgConnection,
    import: i64,
    outcome: Option<RowOutcome>,
    cursor: Option<Cursor>,
    offset: i64,
    limit: i64,
) -> Result<Vec<RowReport>, AppError> {
    // Lines count from 1, so "after line 0" is the start.
    let (op, order, line) = match cursor {
        None => (">", "ASC", 0),
        Some(Cursor::After(line)) => (">", "ASC", line),
        Some(Cursor::Before(line)) => ("<", "DESC", line),
    };
    let only = match outcome {
        Some(_) => "outcome = $2",
        None => "$2::text IS NULL",
    };
    let rows: Vec<ReportRow> = sqlx::query_as(&format!(
        "SELECT line, name, outcome, resource_id, reason FROM resource_import_rows \
         WHERE import_id = $1 AND {only} AND line {op} $3::int8 \
         ORDER BY line {order} LIMIT {limit} OFFSET {offset}"
    ))
    .bind(import)
    .bind(outcome.map(RowOutcome::as_str))
    .bind(line)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(RowReport::try_from).collect()
}

/// The latest imports' counts.
pub async fn recent(conn: &mut PgConnection, limit: i64) -> Result<Vec<ImportSummary>, AppError> {
    let rows: Vec<SummaryRow> =
        sqlx::query_as(&format!("SELECT {SUMMARY} ORDER BY id DESC LIMIT $1"))
            .bind(limit)
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(ImportSummary::try_from).collect()
}
