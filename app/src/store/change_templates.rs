//! The `change_templates` table.

use crate::domain::AppError;
use crate::domain::change::{ChangeTemplate, NewChangeTemplate, RiskLevel};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

const COLUMNS: &str = "id, name, title, description, level, application_id, rollback_plan, \
                       duration_minutes, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    title: String,
    description: String,
    level: String,
    application_id: Option<i64>,
    rollback_plan: String,
    duration_minutes: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<Row> for ChangeTemplate {
    type Error = AppError;

    fn try_from(r: Row) -> Result<ChangeTemplate, AppError> {
        Ok(ChangeTemplate {
            id: r.id,
            spec: NewChangeTemplate {
                level: super::known(RiskLevel::parse(&r.level), "level", &r.level)?,
                name: r.name,
                title: r.title,
                description: r.description,
                application_id: r.application_id,
                rollback_plan: r.rollback_plan,
                duration_minutes: r.duration_minutes,
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// The whole library, by name.
pub async fn all(conn: &mut PgConnection) -> Result<Vec<ChangeTemplate>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM change_templates ORDER BY name"
    ))
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(ChangeTemplate::try_from).collect()
}

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<ChangeTemplate>, AppError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM change_templates WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(ChangeTemplate::try_from).transpose()
}

pub async fn insert(
    conn: &mut PgConnection,
    t: &NewChangeTemplate,
    now: DateTime<Utc>,
) -> Result<ChangeTemplate, AppError> {
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO change_templates (name, title, description, level, application_id, \
                                       rollback_plan, duration_minutes, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING {COLUMNS}"
    ))
    .bind(&t.name)
    .bind(&t.title)
    .bind(&t.description)
    .bind(t.level.as_str())
    .bind(t.application_id)
    .bind(&t.rollback_plan)
    .bind(t.duration_minutes)
    .bind(now)
    .fetch_one(conn)
    .await?;
    row.try_into()
}

pub async fn delete(conn: &mut PgConnection, id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM change_templates WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
