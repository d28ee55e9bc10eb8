//! The `changes` table.

use super::users::escape_like;
use crate::domain::AppError;
use crate::domain::change::{Change, ChangeFilter, ChangeStatus, ChangeType, RiskLevel};
use crate::domain::list::{Page, Window};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, Postgres, QueryBuilder};

pub const SORTABLE: &[&str] = &[
    "id",
    "title",
    "level",
    "status",
    "planned_start",
    "implementer_id",
    "created_at",
];

const COLUMNS: &str = "id, title, description, change_type, level, application_id, group_ids, \
                       resource_ids, implementer_id, creator_id, planned_start, planned_end, \
                       rollback_plan, problem_id, incident_id, status, started_at, finished_at, \
                       result_reason, detected_by_monitoring, verification_notes, \
                       override_reason, version, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    title: String,
    description: String,
    change_type: String,
    level: String,
    application_id: Option<i64>,
    group_ids: Vec<i64>,
    resource_ids: Vec<i64>,
    implementer_id: i64,
    creator_id: Option<i64>,
    planned_start: DateTime<Utc>,
    planned_end: DateTime<Utc>,
    rollback_plan: String,
    problem_id: Option<i64>,
    incident_id: Option<i64>,
    status: String,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    result_reason: String,
    detected_by_monitoring: Option<bool>,
    verification_notes: String,
    override_reason: String,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<Row> for Change {
    type Error = AppError;

    fn try_from(r: Row) -> Result<Change, AppError> {
        Ok(Change {
            change_type: super::known(
                ChangeType::parse(&r.change_type),
                "change_type",
                &r.change_type,
            )?,
            level: super::known(RiskLevel::parse(&r.level), "level", &r.level)?,
            status: super::known(ChangeStatus::parse(&r.status), "status", &r.status)?,
            id: r.id,
            title: r.title,
            description: r.description,
            application_id: r.application_id,
            group_ids: r.group_ids,
            resource_ids: r.resource_ids,
            implementer_id: r.implementer_id,
            creator_id: r.creator_id,
            planned_start: r.planned_start,
            planned_end: r.planned_end,
            rollback_plan: r.rollback_plan,
            problem_id: r.problem_id,
            incident_id: r.incident_id,
            started_at: r.started_at,
            finished_at: r.finished_at,
            result_reason: r.result_reason,
            detected_by_monitoring: r.detected_by_monitoring,
            verification_notes: r.verification_notes,
            override_reason: r.override_reason,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<Change>, AppError> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM changes WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(Change::try_from).transpose()
}

pub async fn find_for_update(conn: &mut PgConnection, id: i64) -> Result<Change, AppError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM changes WHERE id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(Change::try_from)
        .transpose()?
        .ok_or_else(|| AppError::not_found("Change", id))
}

pub async fn insert(conn: &mut PgConnection, c: &Change) -> Result<Change, AppError> {
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO changes (title, description, change_type, level, application_id, group_ids, \
                              resource_ids, implementer_id, creator_id, planned_start, \
                              planned_end, rollback_plan, problem_id, incident_id, status, \
                              created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) \
         RETURNING {COLUMNS}"
    ))
    .bind(&c.title)
    .bind(&c.description)
    .bind(c.change_type.as_str())
    .bind(c.level.as_str())
    .bind(c.application_id)
    .bind(&c.group_ids)
    .bind(&c.resource_ids)
    .bind(c.implementer_id)
    .bind(c.creator_id)
    .bind(c.planned_start)
    .bind(c.planned_end)
    .bind(&c.rollback_plan)
    .bind(c.problem_id)
    .bind(c.incident_id)
    .bind(c.status.as_str())
    .bind(c.created_at)
    .fetch_one(conn)
    .await?;
    row.try_into()
}

/// Writes every field an action may change, bumping the version.
pub async fn update(
    conn: &mut PgConnection,
    c: &Change,
    now: DateTime<Utc>,
) -> Result<Change, AppError> {
    let row: Row = sqlx::query_as(&format!(
        "UPDATE changes SET title = $2, description = $3, level = $4, application_id = $5, \
                group_ids = $6, resource_ids = $7, implementer_id = $8, planned_start = $9, \
                planned_end = $10, rollback_plan = $11, problem_id = $12, incident_id = $13, \
                status = $14, started_at = $15, finished_at = $16, result_reason = $17, \
                detected_by_monitoring = $18, verification_notes = $19, override_reason = $20, \
                version = version + 1, updated_at = $21 \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(c.id)
    .bind(&c.title)
    .bind(&c.description)
    .bind(c.level.as_str())
    .bind(c.application_id)
    .bind(&c.group_ids)
    .bind(&c.resource_ids)
    .bind(c.implementer_id)
    .bind(c.planned_start)
    .bind(c.planned_end)
    .bind(&c.rollback_plan)
    .bind(c.problem_id)
    .bind(c.incident_id)
    .bind(c.status.as_str())
    .bind(c.started_at)
    .bind(c.finished_at)
    .bind(&c.result_reason)
    .bind(c.detected_by_monitoring)
    .bind(&c.verification_notes)
    .bind(&c.override_reason)
    .bind(now)
    .fetch_one(conn)
    .await?;
    row.try_into()
}

/// The changes that ran on application `application_id` or on any of `resource_ids` between
/// `from` and `to` (started by `to`, not finished before `from`), newest first: an incident's
/// suspects.
pub async fn suspects(
    conn: &mut PgConnection,
    application_id: Option<i64>,
    resource_ids: &[i64],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Change>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM changes          WHERE started_at IS NOT NULL AND started_at <= $4            AND COALESCE(finished_at, $4) >= $3            AND (application_id = $1 OR resource_ids && $2)          ORDER BY started_at DESC, id DESC LIMIT 20"
    ))
    .bind(application_id)
    .bind(resource_ids)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Change::try_from).collect()
}

fn push_filter<'a>(q: &mut QueryBuilder<'a, Postgres>, f: &'a ChangeFilter) {
    q.push(" WHERE TRUE");
    if let Some(s) = f.status {
        q.push(" AND status = ").push_bind(s.as_str());
    }
    if let Some(t) = f.change_type {
        q.push(" AND change_type = ").push_bind(t.as_str());
    }
    if let Some(l) = f.level {
        q.push(" AND level = ").push_bind(l.as_str());
    }
    if let Some(a) = f.application_id {
        q.push(" AND application_id = ").push_bind(a);
    }
    if let Some(i) = f.implementer_id {
        q.push(" AND implementer_id = ").push_bind(i);
    }
    if let Some(text) = &f.q {
        q.push(" AND title ILIKE ")
            .push_bind(format!("%{}%", escape_like(text)));
    }
}

pub async fn list(
    conn: &mut PgConnection,
    filter: &ChangeFilter,
    window: Window,
) -> Result<Page<Change>, AppError> {
    super::page_of::<Row, _>(
        conn,
        super::Listing::of("changes", COLUMNS),
        |q| push_filter(q, filter),
        window,
        |x: &Change| x.id,
    )
    .await
}
