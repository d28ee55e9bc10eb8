//! The `review_flows` table.

use crate::domain::AppError;
use crate::domain::change::{ChangeType, RiskLevel};
use crate::domain::review::{NewReviewFlow, ReviewFlow, StageDef};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use sqlx::types::Json;

const COLUMNS: &str = "id, name, change_type, levels, stages, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    change_type: String,
    levels: Vec<String>,
    stages: Json<Vec<StageDef>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<Row> for ReviewFlow {
    type Error = AppError;

    fn try_from(r: Row) -> Result<ReviewFlow, AppError> {
        Ok(ReviewFlow {
            change_type: super::known(
                ChangeType::parse(&r.change_type),
                "change_type",
                &r.change_type,
            )?,
            levels: r
                .levels
                .iter()
                .map(|l| super::known(RiskLevel::parse(l), "levels", l))
                .collect::<Result<_, _>>()?,
            id: r.id,
            name: r.name,
            stages: r.stages.0,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// Every flow, by type and name (there are a handful).
pub async fn all(conn: &mut PgConnection) -> Result<Vec<ReviewFlow>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM review_flows ORDER BY change_type, name"
    ))
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(ReviewFlow::try_from).collect()
}

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<ReviewFlow>, AppError> {
    let row: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM review_flows WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    row.map(ReviewFlow::try_from).transpose()
}

/// The flows (other than `except`) that already cover one of `levels` for `change_type`.
pub async fn covering(
    conn: &mut PgConnection,
    change_type: ChangeType,
    levels: &[RiskLevel],
    except: Option<i64>,
) -> Result<Vec<ReviewFlow>, AppError> {
    let levels: Vec<&str> = levels.iter().map(|l| l.as_str()).collect();
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM review_flows \
         WHERE change_type = $1 AND levels && $2 AND id IS DISTINCT FROM $3 ORDER BY name"
    ))
    .bind(change_type.as_str())
    .bind(&levels)
    .bind(except)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(ReviewFlow::try_from).collect()
}

/// Holds off every other writer of flows until the caller's transaction ends, so two flows
/// never come to cover the same (type, level).
pub async fn lock(conn: &mut PgConnection) -> Result<(), AppError> {
    sqlx::query("LOCK TABLE review_flows IN SHARE ROW EXCLUSIVE MODE")
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert(
    conn: &mut PgConnection,
    flow: &NewReviewFlow,
    now: DateTime<Utc>,
) -> Result<ReviewFlow, AppError> {
    let levels: Vec<&str> = flow.levels.iter().map(|l| l.as_str()).collect();
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO review_flows (name, change_type, levels, stages, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING {COLUMNS}"
    ))
    .bind(&flow.name)
    .bind(flow.change_type.as_str())
    .bind(&levels)
    .bind(Json(&flow.stages))
    .bind(now)
    .fetch_one(conn)
    .await?;
    row.try_into()
}

pub async fn delete(conn: &mut PgConnection, id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM review_flows WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
