//! The `changes` table.

use super::users::escape_like;
use crate::domain::AppError;
use crate::domain::change::{
    Change, ChangeFilter, ChangeStatus, ChangeType, Conflict, FailureRate, ImplementationResult,
    RiskLevel, WINDOW_MAX_DAYS,
};
use crate::domain::incident::Level;
use crate::domain::list::{Page, Window};
use crate::domain::numbering::Prefix;
use crate::domain::review::Review;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
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
                       result, result_reason, detected_by_monitoring, verification_notes, \
                       override_reason, review, template_id, version, created_at, updated_at";

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
    result: Option<String>,
    result_reason: String,
    detected_by_monitoring: Option<bool>,
    verification_notes: String,
    override_reason: String,
    review: Option<Json<Review>>,
    template_id: Option<i64>,
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
            result: r
                .result
                .as_deref()
                .map(|x| super::known(ImplementationResult::parse(x), "result", x))
                .transpose()?,
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
            review: r.review.map(|j| j.0),
            template_id: r.template_id,
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
                              template_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $17, $16, $16) \
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
    .bind(c.template_id)
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
                result = $22, review = $23, awaiting = $24, version = version + 1, \
                updated_at = $21 \
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
    .bind(c.result.map(ImplementationResult::as_str))
    .bind(c.review.as_ref().map(Json))
    .bind(c.awaiting())
    .fetch_one(conn)
    .await?;
    row.try_into()
}

/// The changes that ran on application `application_id` or on any of `resource_ids` between
/// `from` and `to` (started by `to`, not finished before `from`), newest first: an incident's
/// suspects. The changes that ran then are found first, by when they finished (a handful);
/// left to itself, the planner walked every change that ever started, newest first, for the
/// ordering (27 ms at 100,000 changes, against 0.5 ms).
pub async fn suspects(
    conn: &mut PgConnection,
    application_id: Option<i64>,
    resource_ids: &[i64],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Change>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "WITH running AS MATERIALIZED ( \
             SELECT {COLUMNS} FROM changes \
             WHERE started_at IS NOT NULL AND started_at <= $4 \
               AND COALESCE(finished_at, 'infinity'::timestamptz) >= $3) \
         SELECT * FROM running WHERE application_id = $1 OR resource_ids && $2 \
         ORDER BY started_at DESC, id DESC LIMIT 20"
    ))
    .bind(application_id)
    .bind(resource_ids)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Change::try_from).collect()
}

/// What `change` may clash with: other changes yet to run or running whose window overlaps
/// its own on the same application, groups or resources, and open P1/P2 incidents on its
/// application. No window lasts longer than `WINDOW_MAX_DAYS`, which bounds the index range.
pub async fn conflicts(
    conn: &mut PgConnection,
    change: &Change,
) -> Result<Vec<Conflict>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM changes \
         WHERE id <> $1 AND status IN ('pending_approval', 'approved', 'implementing') \
           AND planned_start < $6 AND planned_end > $5 AND planned_start > $7 \
           AND (application_id = $2 OR group_ids && $3 OR resource_ids && $4) \
         ORDER BY planned_start, id LIMIT 20"
    ))
    .bind(change.id)
    .bind(change.application_id)
    .bind(&change.group_ids)
    .bind(&change.resource_ids)
    .bind(change.planned_start)
    .bind(change.planned_end)
    .bind(change.planned_start - chrono::Duration::days(WINDOW_MAX_DAYS))
    .fetch_all(&mut *conn)
    .await?;
    let mut found = Vec::new();
    for row in rows {
        let other = Change::try_from(row)?;
        found.push(Conflict::Change {
            id: other.id,
            number: other.number(),
            title: other.title,
            status: other.status,
            planned_start: other.planned_start,
            planned_end: other.planned_end,
        });
    }
    let incidents: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, title, level FROM incidents \
         WHERE application_id = $1 AND level IN ('P1', 'P2') \
           AND status NOT IN ('completed', 'closed') \
         ORDER BY id DESC LIMIT 20",
    )
    .bind(change.application_id)
    .fetch_all(conn)
    .await?;
    for (id, title, level) in incidents {
        found.push(Conflict::Incident {
            id,
            number: Prefix::Incident.number(id),
            title,
            level: super::known(Level::parse(&level), "level", &level)?,
        });
    }
    Ok(found)
}

/// Per application, the changes started since `since` and how many of them failed: a failed or
/// rolled-back result, or an incident on the application that opened while it ran or within
/// `window` after it.
pub async fn failure_rates(
    conn: &mut PgConnection,
    since: DateTime<Utc>,
    window: chrono::Duration,
) -> Result<Vec<FailureRate>, AppError> {
    let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
        "SELECT a.id, a.name, count(*), \
                count(*) FILTER (WHERE c.result IN ('failed', 'rolled_back') OR EXISTS ( \
                    SELECT 1 FROM incidents i WHERE i.application_id = c.application_id \
                      AND i.created_at BETWEEN c.started_at \
                          AND COALESCE(c.finished_at, c.started_at) + $2)) \
         FROM changes c JOIN applications a ON a.id = c.application_id \
         WHERE c.started_at >= $1 \
         GROUP BY a.id, a.name ORDER BY a.name",
    )
    .bind(since)
    .bind(window)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(application_id, application_name, changes, failed)| FailureRate {
                application_id,
                application_name,
                changes,
                failed,
            },
        )
        .collect())
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
    if let Some(u) = f.awaiting {
        q.push(" AND awaiting @> ARRAY[")
            .push_bind(u)
            .push("]::bigint[]");
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

/// The changes whose planned window overlaps `from`..`to`, by start, as `filter` narrows them
/// (the first `SHOWN_MAX`): a calendar's view. No window lasts longer than `WINDOW_MAX_DAYS`, which bounds the index
/// range on `planned_start`.
pub async fn calendar(
    conn: &mut PgConnection,
    filter: &ChangeFilter,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Change>, AppError> {
    let mut q = QueryBuilder::new(format!("SELECT {COLUMNS} FROM changes"));
    push_filter(&mut q, filter);
    q.push(" AND planned_start < ")
        .push_bind(to)
        .push(" AND planned_start > ")
        .push_bind(from - chrono::Duration::days(WINDOW_MAX_DAYS))
        .push(" AND planned_end > ")
        .push_bind(from)
        .push(" ORDER BY planned_start, id LIMIT ")
        .push_bind(crate::domain::change::calendar::SHOWN_MAX);
    let rows: Vec<Row> = q.build_query_as().fetch_all(conn).await?;
    rows.into_iter().map(Change::try_from).collect()
}
