//! The `resource_imports` table: every import with its per-row report.

use crate::domain::AppError;
use crate::domain::import::{ImportMode, ImportReport, RowReport};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use sqlx::types::Json;

#[derive(sqlx::FromRow)]
struct ImportRow {
    id: i64,
    at: DateTime<Utc>,
    actor_name: String,
    mode: String,
    applied: bool,
    created: i32,
    updated: i32,
    unchanged: i32,
    rejected: i32,
    rows: Json<Vec<RowReport>>,
}

fn count(n: i32) -> usize {
    usize::try_from(n).unwrap_or_default()
}

impl TryFrom<ImportRow> for ImportReport {
    type Error = AppError;

    fn try_from(r: ImportRow) -> Result<ImportReport, AppError> {
        Ok(ImportReport {
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
            rows: r.rows.0,
        })
    }
}

fn stored(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Stores a report (its `id` is ignored) and returns its id.
pub async fn insert(
    conn: &mut PgConnection,
    report: &ImportReport,
    actor_id: Option<i64>,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO resource_imports (at, actor_id, actor_name, mode, applied, created, updated, \
                                       unchanged, rejected, rows) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(report.at)
    .bind(actor_id)
    .bind(&report.actor)
    .bind(report.mode.as_str())
    .bind(report.applied)
    .bind(stored(report.created))
    .bind(stored(report.updated))
    .bind(stored(report.unchanged))
    .bind(stored(report.rejected))
    .bind(Json(&report.rows))
    .fetch_one(conn)
    .await?)
}

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<ImportReport>, AppError> {
    let row: Option<ImportRow> = sqlx::query_as(
        "SELECT id, at, actor_name, mode, applied, created, updated, unchanged, rejected, rows \
         FROM resource_imports WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(ImportReport::try_from).transpose()
}

/// The latest imports, without their rows.
pub async fn recent(conn: &mut PgConnection, limit: i64) -> Result<Vec<ImportReport>, AppError> {
    let rows: Vec<ImportRow> = sqlx::query_as(
        "SELECT id, at, actor_name, mode, applied, created, updated, unchanged, rejected, \
                '[]'::jsonb AS rows \
         FROM resource_imports ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(ImportReport::try_from).collect()
}
