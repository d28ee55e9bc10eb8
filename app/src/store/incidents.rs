//! The `incidents` table.

use super::users::escape_like;
use crate::domain::AppError;
use crate::domain::incident::{
    Category, Incident, IncidentFilter, IncidentSource, IncidentStatus, Level,
};
use crate::domain::list::{Page, Window};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, Postgres, QueryBuilder};

pub const SORTABLE: &[&str] = &[
    "id",
    "title",
    "level",
    "status",
    "category",
    "source",
    "owner_id",
    "created_at",
    "updated_at",
];

const COLUMNS: &str = "id, title, description, level, pending_level, category, source, status, \
                       application_id, region, owner_id, creator_id, service_interrupted, \
                       fault_started_at, recovered_at, cause, solution, paused_until, \
                       accept_due_at, resolve_due_at, accept_breached_at, resolve_breached_at, \
                       version, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct IncidentRow {
    id: i64,
    title: String,
    description: String,
    level: String,
    pending_level: Option<String>,
    category: String,
    source: String,
    status: String,
    application_id: Option<i64>,
    region: String,
    owner_id: i64,
    creator_id: Option<i64>,
    service_interrupted: bool,
    fault_started_at: Option<DateTime<Utc>>,
    recovered_at: Option<DateTime<Utc>>,
    cause: String,
    solution: String,
    paused_until: Option<DateTime<Utc>>,
    accept_due_at: Option<DateTime<Utc>>,
    resolve_due_at: Option<DateTime<Utc>>,
    accept_breached_at: Option<DateTime<Utc>>,
    resolve_breached_at: Option<DateTime<Utc>>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<IncidentRow> for Incident {
    type Error = AppError;

    fn try_from(r: IncidentRow) -> Result<Incident, AppError> {
        Ok(Incident {
            level: super::known(Level::parse(&r.level), "level", &r.level)?,
            pending_level: r.pending_level.as_deref().and_then(Level::parse),
            category: super::known(Category::parse(&r.category), "category", &r.category)?,
            source: super::known(IncidentSource::parse(&r.source), "source", &r.source)?,
            status: super::known(IncidentStatus::parse(&r.status), "status", &r.status)?,
            id: r.id,
            title: r.title,
            description: r.description,
            application_id: r.application_id,
            region: r.region,
            owner_id: r.owner_id,
            creator_id: r.creator_id,
            service_interrupted: r.service_interrupted,
            fault_started_at: r.fault_started_at,
            recovered_at: r.recovered_at,
            cause: r.cause,
            solution: r.solution,
            paused_until: r.paused_until,
            accept_due_at: r.accept_due_at,
            resolve_due_at: r.resolve_due_at,
            accept_breached_at: r.accept_breached_at,
            resolve_breached_at: r.resolve_breached_at,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<Incident>, AppError> {
    let row: Option<IncidentRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM incidents WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    row.map(Incident::try_from).transpose()
}

/// The incidents opened between `from` and `to` on application `application_id`, or with an
/// alarm on any of `resource_ids`, oldest first: what followed a change.
pub async fn following(
    conn: &mut PgConnection,
    application_id: Option<i64>,
    resource_ids: &[i64],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Incident>, AppError> {
    let rows: Vec<IncidentRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM incidents i          WHERE i.created_at BETWEEN $3 AND $4            AND (i.application_id = $1 OR EXISTS (                 SELECT 1 FROM alarms a WHERE a.incident_id = i.id AND a.resource_id = ANY($2)))          ORDER BY i.created_at, i.id LIMIT 20"
    ))
    .bind(application_id)
    .bind(resource_ids)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Incident::try_from).collect()
}

pub async fn find_for_update(conn: &mut PgConnection, id: i64) -> Result<Incident, AppError> {
    let row: Option<IncidentRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM incidents WHERE id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(Incident::try_from)
        .transpose()?
        .ok_or_else(|| AppError::not_found("Incident", id))
}

/// Paused incidents whose pause has ended by `now`, locked; rows another process holds are
/// skipped, so several servers can share the work.
pub async fn paused_due(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Incident>, AppError> {
    let rows: Vec<IncidentRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM incidents WHERE status = 'paused' AND paused_until <= $1 \
         ORDER BY paused_until LIMIT $2 FOR UPDATE SKIP LOCKED"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Incident::try_from).collect()
}

/// Inserts `i` (its id, version and times are the database's) and returns it as stored.
pub async fn insert(conn: &mut PgConnection, i: &Incident) -> Result<Incident, AppError> {
    let row: IncidentRow = sqlx::query_as(&format!(
        "INSERT INTO incidents (title, description, level, category, source, status, \
                                application_id, region, owner_id, creator_id, created_at, \
                                updated_at, accept_due_at, resolve_due_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13) RETURNING {COLUMNS}"
    ))
    .bind(&i.title)
    .bind(&i.description)
    .bind(i.level.as_str())
    .bind(i.category.as_str())
    .bind(i.source.as_str())
    .bind(i.status.as_str())
    .bind(i.application_id)
    .bind(&i.region)
    .bind(i.owner_id)
    .bind(i.creator_id)
    .bind(i.created_at)
    .bind(i.accept_due_at)
    .bind(i.resolve_due_at)
    .fetch_one(conn)
    .await?;
    row.try_into()
}

/// Writes every mutable field of `i`, bumping its version.
pub async fn update(
    conn: &mut PgConnection,
    i: &Incident,
    now: DateTime<Utc>,
) -> Result<Incident, AppError> {
    let row: IncidentRow = sqlx::query_as(&format!(
        "UPDATE incidents SET title = $2, description = $3, level = $4, pending_level = $5, \
                category = $6, status = $7, owner_id = $8, service_interrupted = $9, \
                fault_started_at = $10, recovered_at = $11, cause = $12, solution = $13, \
                paused_until = $14, accept_due_at = $16, resolve_due_at = $17, \
                accept_breached_at = $18, resolve_breached_at = $19, \
                version = version + 1, updated_at = $15 \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(i.id)
    .bind(&i.title)
    .bind(&i.description)
    .bind(i.level.as_str())
    .bind(i.pending_level.map(Level::as_str))
    .bind(i.category.as_str())
    .bind(i.status.as_str())
    .bind(i.owner_id)
    .bind(i.service_interrupted)
    .bind(i.fault_started_at)
    .bind(i.recovered_at)
    .bind(&i.cause)
    .bind(&i.solution)
    .bind(i.paused_until)
    .bind(now)
    .bind(i.accept_due_at)
    .bind(i.resolve_due_at)
    .bind(i.accept_breached_at)
    .bind(i.resolve_breached_at)
    .fetch_one(conn)
    .await?;
    row.try_into()
}

fn push_filter<'a>(q: &mut QueryBuilder<'a, Postgres>, f: &'a IncidentFilter) {
    q.push(" WHERE TRUE");
    if let Some(me) = f.mine_pending_for {
        q.push(" AND owner_id = ")
            .push_bind(me)
            .push(" AND status IN ('unaccepted', 'accepted', 'paused')");
    }
    if let Some(s) = f.status {
        q.push(" AND status = ").push_bind(s.as_str());
    }
    if let Some(l) = f.level {
        q.push(" AND level = ").push_bind(l.as_str());
    }
    if let Some(a) = f.application_id {
        q.push(" AND application_id = ").push_bind(a);
    }
    if let Some(o) = f.owner_id {
        q.push(" AND owner_id = ").push_bind(o);
    }
    if let Some(s) = f.source {
        q.push(" AND source = ").push_bind(s.as_str());
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q.push(" AND title ILIKE ")
            .push_bind(format!("%{}%", escape_like(text)));
    }
    if let Some(from) = f.from {
        q.push(" AND created_at >= ").push_bind(from);
    }
    if let Some(to) = f.to {
        q.push(" AND created_at < ").push_bind(to);
    }
}

pub async fn list(
    conn: &mut PgConnection,
    filter: &IncidentFilter,
    window: Window,
) -> Result<Page<Incident>, AppError> {
    super::page_of::<IncidentRow, _>(
        conn,
        super::Listing::of("incidents", COLUMNS),
        |q| push_filter(q, filter),
        window,
        |x: &Incident| x.id,
    )
    .await
}

/// Incidents whose time to accept or to resolve has just run out, not yet marked, locked
/// (rows another process holds are skipped).
pub async fn breaching(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Incident>, AppError> {
    let rows: Vec<IncidentRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM incidents \
         WHERE (status = 'unaccepted' AND accept_breached_at IS NULL AND accept_due_at <= $1) \
            OR (status IN ('unaccepted', 'accepted', 'paused') AND resolve_breached_at IS NULL \
                AND resolve_due_at <= $1) \
         ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Incident::try_from).collect()
}

#[derive(sqlx::FromRow)]
struct PolicyRow {
    level: String,
    accept_minutes: i32,
    resolve_minutes: i32,
    version: i32,
}

fn policy(r: PolicyRow) -> Result<crate::domain::sla::SlaPolicy, AppError> {
    Ok(crate::domain::sla::SlaPolicy {
        level: super::known(Level::parse(&r.level), "level", &r.level)?,
        accept_minutes: r.accept_minutes,
        resolve_minutes: r.resolve_minutes,
        version: r.version,
    })
}

pub async fn policies(
    conn: &mut PgConnection,
) -> Result<Vec<crate::domain::sla::SlaPolicy>, AppError> {
    let rows: Vec<PolicyRow> = sqlx::query_as(
        "SELECT level, accept_minutes, resolve_minutes, version FROM sla_policies ORDER BY level",
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(policy).collect()
}

pub async fn policy_for_update(
    conn: &mut PgConnection,
    level: Level,
) -> Result<crate::domain::sla::SlaPolicy, AppError> {
    let row: PolicyRow = sqlx::query_as(
        "SELECT level, accept_minutes, resolve_minutes, version FROM sla_policies \
         WHERE level = $1 FOR UPDATE",
    )
    .bind(level.as_str())
    .fetch_one(conn)
    .await?;
    policy(row)
}

pub async fn update_policy(
    conn: &mut PgConnection,
    level: Level,
    accept_minutes: i32,
    resolve_minutes: i32,
    now: DateTime<Utc>,
) -> Result<crate::domain::sla::SlaPolicy, AppError> {
    let row: PolicyRow = sqlx::query_as(
        "UPDATE sla_policies SET accept_minutes = $2, resolve_minutes = $3, \
                version = version + 1, updated_at = $4 \
         WHERE level = $1 RETURNING level, accept_minutes, resolve_minutes, version",
    )
    .bind(level.as_str())
    .bind(accept_minutes)
    .bind(resolve_minutes)
    .bind(now)
    .fetch_one(conn)
    .await?;
    policy(row)
}

/// Records the on-call role an incident was assigned through, for escalation.
pub async fn set_duty(
    conn: &mut PgConnection,
    id: i64,
    schedule: i64,
    role: &str,
) -> Result<(), AppError> {
    sqlx::query("UPDATE incidents SET duty_schedule_id = $2, duty_role = $3 WHERE id = $1")
        .bind(id)
        .bind(schedule)
        .bind(role)
        .execute(conn)
        .await?;
    Ok(())
}

/// The on-call role an incident was assigned through, if any.
pub async fn duty_of(conn: &mut PgConnection, id: i64) -> Result<Option<(i64, String)>, AppError> {
    let row: Option<(Option<i64>, Option<String>)> =
        sqlx::query_as("SELECT duty_schedule_id, duty_role FROM incidents WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(row.and_then(|(s, r)| s.zip(r)))
}

/// Unaccepted incidents due for their next escalation step, with the step they are at, locked
/// (rows another process holds are skipped). The first step is due when the time to accept runs
/// out; each later one when the same time has passed again since the last.
pub async fn escalation_due(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    final_step: i32,
) -> Result<Vec<(i64, i32)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, escalation_step FROM incidents \
         WHERE status = 'unaccepted' AND accept_due_at <= $1 AND escalation_step < $2 \
           AND (escalation_step = 0 OR escalated_at + (accept_due_at - created_at) <= $1) \
         ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED",
    )
    .bind(now)
    .bind(final_step)
    .fetch_all(conn)
    .await?)
}

pub async fn mark_escalated(
    conn: &mut PgConnection,
    id: i64,
    step: i32,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query("UPDATE incidents SET escalation_step = $2, escalated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(step)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Unaccepted incidents past their time to accept that have not reached the last step.
pub async fn escalations_overdue(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    final_step: i32,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM incidents \
         WHERE status = 'unaccepted' AND accept_due_at <= $1 AND escalation_step < $2",
    )
    .bind(now)
    .bind(final_step)
    .fetch_one(conn)
    .await?)
}
