//! The `freeze_windows` table.

use crate::domain::AppError;
use crate::domain::freeze::{Day, FreezeDraft, FreezeWindow, Repeat};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

const COLUMNS: &str = "id, name, application_ids, repeat, starts_at, ends_at, time_zone, \
                       from_day, from_time, to_day, to_time, version, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    application_ids: Vec<i64>,
    repeat: String,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    time_zone: Option<String>,
    from_day: Option<String>,
    from_time: Option<String>,
    to_day: Option<String>,
    to_time: Option<String>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn day(field: &str, value: Option<String>) -> Result<Option<Day>, AppError> {
    value
        .map(|d| super::known(Day::parse(&d), field, &d))
        .transpose()
}

impl TryFrom<Row> for FreezeWindow {
    type Error = AppError;

    fn try_from(r: Row) -> Result<FreezeWindow, AppError> {
        Ok(FreezeWindow {
            id: r.id,
            spec: FreezeDraft {
                repeat: super::known(Repeat::parse(&r.repeat), "repeat", &r.repeat)?,
                from_day: day("from_day", r.from_day)?,
                to_day: day("to_day", r.to_day)?,
                name: r.name,
                application_ids: r.application_ids,
                starts_at: r.starts_at,
                ends_at: r.ends_at,
                time_zone: r.time_zone,
                from_time: r.from_time,
                to_time: r.to_time,
            },
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// Every freeze window, by name (there are a handful).
pub async fn all(conn: &mut PgConnection) -> Result<Vec<FreezeWindow>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM freeze_windows ORDER BY name"
    ))
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(FreezeWindow::try_from).collect()
}

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<FreezeWindow>, AppError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM freeze_windows WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(FreezeWindow::try_from).transpose()
}

pub async fn insert(
    conn: &mut PgConnection,
    d: &FreezeDraft,
    now: DateTime<Utc>,
) -> Result<FreezeWindow, AppError> {
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO freeze_windows (name, application_ids, repeat, starts_at, ends_at, \
                                     time_zone, from_day, from_time, to_day, to_time, \
                                     created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING {COLUMNS}"
    ))
    .bind(&d.name)
    .bind(&d.application_ids)
    .bind(d.repeat.as_str())
    .bind(d.starts_at)
    .bind(d.ends_at)
    .bind(&d.time_zone)
    .bind(d.from_day.map(Day::as_str))
    .bind(&d.from_time)
    .bind(d.to_day.map(Day::as_str))
    .bind(&d.to_time)
    .bind(now)
    .fetch_one(conn)
    .await?;
    row.try_into()
}

pub async fn delete(conn: &mut PgConnection, id: i64) -> Result<bool, AppError> {
    Ok(sqlx::query("DELETE FROM freeze_windows WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}
