//! The `improvements` table.

use crate::domain::AppError;
use crate::domain::improvement::{
    Improvement, ImprovementFilter, ImprovementSource, ImprovementStatus,
};
use crate::domain::list::{Page, Window};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, Postgres, QueryBuilder};

pub const SORTABLE: &[&str] = &["id", "title", "status", "owner_id", "due_on", "created_at"];

const COLUMNS: &str = "id, title, description, source, source_id, application_id, owner_id, \
                       verifier_id, creator_id, due_on, status, cause, measures, version, \
                       created_at, updated_at";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    title: String,
    description: String,
    source: String,
    source_id: Option<i64>,
    application_id: Option<i64>,
    owner_id: i64,
    verifier_id: i64,
    creator_id: Option<i64>,
    due_on: NaiveDate,
    status: String,
    cause: String,
    measures: String,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<Row> for Improvement {
    type Error = AppError;

    fn try_from(r: Row) -> Result<Improvement, AppError> {
        Ok(Improvement {
            source: super::known(ImprovementSource::parse(&r.source), "source", &r.source)?,
            status: super::known(ImprovementStatus::parse(&r.status), "status", &r.status)?,
            id: r.id,
            title: r.title,
            description: r.description,
            source_id: r.source_id,
            application_id: r.application_id,
            owner_id: r.owner_id,
            verifier_id: r.verifier_id,
            creator_id: r.creator_id,
            due_on: r.due_on,
            cause: r.cause,
            measures: r.measures,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<Improvement>, AppError> {
    let row: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM improvements WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    row.map(Improvement::try_from).transpose()
}

pub async fn find_for_update(conn: &mut PgConnection, id: i64) -> Result<Improvement, AppError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM improvements WHERE id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(Improvement::try_from)
        .transpose()?
        .ok_or_else(|| AppError::not_found("Improvement", id))
}

pub async fn insert(conn: &mut PgConnection, i: &Improvement) -> Result<Improvement, AppError> {
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO improvements (title, description, source, source_id, application_id, \
                                   owner_id, verifier_id, creator_id, due_on, status, \
                                   created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING {COLUMNS}"
    ))
    .bind(&i.title)
    .bind(&i.description)
    .bind(i.source.as_str())
    .bind(i.source_id)
    .bind(i.application_id)
    .bind(i.owner_id)
    .bind(i.verifier_id)
    .bind(i.creator_id)
    .bind(i.due_on)
    .bind(i.status.as_str())
    .bind(i.created_at)
    .fetch_one(conn)
    .await?;
    row.try_into()
}

/// Writes the fields an action may change, bumping the version.
pub async fn update(
    conn: &mut PgConnection,
    i: &Improvement,
    now: DateTime<Utc>,
) -> Result<Improvement, AppError> {
    let row: Row = sqlx::query_as(&format!(
        "UPDATE improvements SET status = $2, owner_id = $3, cause = $4, measures = $5, \
                version = version + 1, updated_at = $6 \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(i.id)
    .bind(i.status.as_str())
    .bind(i.owner_id)
    .bind(&i.cause)
    .bind(&i.measures)
    .bind(now)
    .fetch_one(conn)
    .await?;
    row.try_into()
}

fn push_filter<'a>(q: &mut QueryBuilder<'a, Postgres>, f: &'a ImprovementFilter) {
    q.push(" WHERE TRUE");
    if let Some(s) = f.status {
        q.push(" AND status = ").push_bind(s.as_str());
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
    if let Some(day) = f.overdue_on {
        q.push(" AND status <> 'closed' AND due_on < ")
            .push_bind(day);
    }
}

pub async fn list(
    conn: &mut PgConnection,
    filter: &ImprovementFilter,
    window: Window,
) -> Result<Page<Improvement>, AppError> {
    super::page_of::<Row, _>(
        conn,
        super::Listing::of("improvements", COLUMNS),
        |q| push_filter(q, filter),
        window,
        |x: &Improvement| x.id,
    )
    .await
}
