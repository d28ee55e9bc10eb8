//! The `problems` table.

use crate::domain::AppError;
use crate::domain::list::{Page, Window};
use crate::domain::problem::{Problem, ProblemFilter, ProblemLevel, ProblemSource, ProblemStatus};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, Postgres, QueryBuilder};

pub const SORTABLE: &[&str] = &[
    "id",
    "title",
    "level",
    "status",
    "owner_id",
    "resolve_due_at",
    "created_at",
];

const COLUMNS: &str = "id, title, description, level, source, source_id, application_id, \
                       owner_id, creator_id, status, suspension_request, suspended_at, \
                       suspended_seconds, resolve_due_at, breached_at, root_cause, solution, change_needed, \
                       change_ref, version, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    title: String,
    description: String,
    level: String,
    source: String,
    source_id: Option<i64>,
    application_id: Option<i64>,
    owner_id: i64,
    creator_id: Option<i64>,
    status: String,
    suspension_request: Option<String>,
    suspended_at: Option<DateTime<Utc>>,
    suspended_seconds: i64,
    resolve_due_at: DateTime<Utc>,
    breached_at: Option<DateTime<Utc>>,
    root_cause: String,
    solution: String,
    change_needed: bool,
    change_ref: String,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<Row> for Problem {
    type Error = AppError;

    fn try_from(r: Row) -> Result<Problem, AppError> {
        Ok(Problem {
            level: super::known(ProblemLevel::parse(&r.level), "level", &r.level)?,
            source: super::known(ProblemSource::parse(&r.source), "source", &r.source)?,
            status: super::known(ProblemStatus::parse(&r.status), "status", &r.status)?,
            id: r.id,
            title: r.title,
            description: r.description,
            source_id: r.source_id,
            application_id: r.application_id,
            owner_id: r.owner_id,
            creator_id: r.creator_id,
            suspension_request: r.suspension_request,
            suspended_at: r.suspended_at,
            suspended_seconds: r.suspended_seconds,
            resolve_due_at: r.resolve_due_at,
            breached_at: r.breached_at,
            root_cause: r.root_cause,
            solution: r.solution,
            change_needed: r.change_needed,
            change_ref: r.change_ref,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<Problem>, AppError> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM problems WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(Problem::try_from).transpose()
}

pub async fn find_for_update(conn: &mut PgConnection, id: i64) -> Result<Problem, AppError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM problems WHERE id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(Problem::try_from)
        .transpose()?
        .ok_or_else(|| AppError::not_found("Problem", id))
}

pub async fn insert(conn: &mut PgConnection, p: &Problem) -> Result<Problem, AppError> {
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO problems (title, description, level, source, source_id, application_id, \
                               owner_id, creator_id, status, resolve_due_at, created_at, \
                               updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING {COLUMNS}"
    ))
    .bind(&p.title)
    .bind(&p.description)
    .bind(p.level.as_str())
    .bind(p.source.as_str())
    .bind(p.source_id)
    .bind(p.application_id)
    .bind(p.owner_id)
    .bind(p.creator_id)
    .bind(p.status.as_str())
    .bind(p.resolve_due_at)
    .bind(p.created_at)
    .fetch_one(conn)
    .await?;
    row.try_into()
}

/// Writes every field an action may change, bumping the version.
pub async fn update(
    conn: &mut PgConnection,
    p: &Problem,
    now: DateTime<Utc>,
) -> Result<Problem, AppError> {
    let row: Row = sqlx::query_as(&format!(
        "UPDATE problems SET title = $2, description = $3, level = $4, owner_id = $5, \
                status = $6, suspension_request = $7, suspended_at = $8, \
                suspended_seconds = $9, resolve_due_at = $10, root_cause = $11, solution = $12, \
                change_needed = $13, change_ref = $14, breached_at = $16, version = version + 1, \
                updated_at = $15 \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(p.id)
    .bind(&p.title)
    .bind(&p.description)
    .bind(p.level.as_str())
    .bind(p.owner_id)
    .bind(p.status.as_str())
    .bind(&p.suspension_request)
    .bind(p.suspended_at)
    .bind(p.suspended_seconds)
    .bind(p.resolve_due_at)
    .bind(&p.root_cause)
    .bind(&p.solution)
    .bind(p.change_needed)
    .bind(&p.change_ref)
    .bind(now)
    .bind(p.breached_at)
    .fetch_one(conn)
    .await?;
    row.try_into()
}

/// Open problems whose time to close has run out, not yet marked, locked (rows another
/// process holds are skipped). A suspended problem's clock is stopped, so it never is.
pub async fn breaching(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Problem>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM problems \
         WHERE status IN ('unaccepted', 'locating', 'to_implement', 'to_verify') \
           AND breached_at IS NULL AND resolve_due_at <= $1 \
         ORDER BY resolve_due_at LIMIT $2 FOR UPDATE SKIP LOCKED"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Problem::try_from).collect()
}

fn push_filter<'a>(q: &mut QueryBuilder<'a, Postgres>, f: &'a ProblemFilter) {
    q.push(" WHERE TRUE");
    if let Some(s) = f.status {
        q.push(" AND status = ").push_bind(s.as_str());
    }
    if let Some(l) = f.level {
        q.push(" AND level = ").push_bind(l.as_str());
    }
    if let Some(o) = f.owner_id {
        q.push(" AND owner_id = ").push_bind(o);
    }
    if let Some(s) = f.source {
        q.push(" AND source = ").push_bind(s.as_str());
    }
    if let Some(s) = f.source_id {
        q.push(" AND source_id = ").push_bind(s);
    }
}

pub async fn list(
    conn: &mut PgConnection,
    filter: &ProblemFilter,
    window: Window,
) -> Result<Page<Problem>, AppError> {
    super::page_of::<Row, _>(
        conn,
        super::Listing::of("problems", COLUMNS),
        |q| push_filter(q, filter),
        window,
        |x: &Problem| x.id,
    )
    .await
}
