//! The `data_sources` table.

use crate::domain::AppError;
use crate::domain::data_source::{DataSource, DataSourceKind};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

const COLUMNS: &str = "id, name, kind, enabled, key_hint, key_rotated_at, version, created_at, \
                       updated_at, (SELECT count(*) FROM alarms a \
                                    WHERE a.data_source_id = data_sources.id \
                                      AND a.status = 'active') AS active_alarms";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    kind: String,
    enabled: bool,
    key_hint: String,
    key_rotated_at: DateTime<Utc>,
    active_alarms: i64,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<Row> for DataSource {
    type Error = AppError;

    fn try_from(r: Row) -> Result<DataSource, AppError> {
        Ok(DataSource {
            kind: super::known(DataSourceKind::parse(&r.kind), "data source kind", &r.kind)?,
            id: r.id,
            name: r.name,
            enabled: r.enabled,
            key_hint: r.key_hint,
            key_rotated_at: r.key_rotated_at,
            active_alarms: r.active_alarms,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

pub async fn list(conn: &mut PgConnection) -> Result<Vec<DataSource>, AppError> {
    let rows: Vec<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM data_sources ORDER BY name"))
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(DataSource::try_from).collect()
}

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<DataSource>, AppError> {
    let row: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM data_sources WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    row.map(DataSource::try_from).transpose()
}

/// (id, name) of every source, by name.
pub async fn names(conn: &mut PgConnection) -> Result<Vec<(i64, String)>, AppError> {
    Ok(
        sqlx::query_as("SELECT id, name FROM data_sources ORDER BY name")
            .fetch_all(conn)
            .await?,
    )
}

/// What a push needs to know about its key: the source it opens (if any) and the rules'
/// generation, in one round trip.
#[derive(sqlx::FromRow)]
pub struct KeyLookup {
    pub source: Option<i64>,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub enabled: Option<bool>,
    pub generation: i64,
}

pub async fn by_key(conn: &mut PgConnection, key_hash: &str) -> Result<KeyLookup, AppError> {
    Ok(sqlx::query_as(
        "SELECT d.id AS source, d.name, d.kind, d.enabled, g.generation \
         FROM pipeline_generation g LEFT JOIN data_sources d ON d.key_hash = $1",
    )
    .bind(key_hash)
    .fetch_one(conn)
    .await?)
}

pub async fn insert(
    conn: &mut PgConnection,
    name: &str,
    kind: DataSourceKind,
    enabled: bool,
    key_hash: &str,
    key_hint: &str,
    at: DateTime<Utc>,
) -> Result<i64, AppError> {
    let id = sqlx::query_scalar(
        "INSERT INTO data_sources (name, kind, enabled, key_hash, key_hint, key_rotated_at, \
                                   created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $6) RETURNING id",
    )
    .bind(name)
    .bind(kind.as_str())
    .bind(enabled)
    .bind(key_hash)
    .bind(key_hint)
    .bind(at)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn update(
    conn: &mut PgConnection,
    id: i64,
    name: &str,
    enabled: bool,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE data_sources SET name = $2, enabled = $3, version = version + 1, updated_at = $4 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(name)
    .bind(enabled)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn rotate(
    conn: &mut PgConnection,
    id: i64,
    key_hash: &str,
    key_hint: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE data_sources SET key_hash = $2, key_hint = $3, key_rotated_at = $4, \
                version = version + 1, updated_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(key_hash)
    .bind(key_hint)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes a source that never raised an alarm; `false` when it has some.
pub async fn delete(conn: &mut PgConnection, id: i64) -> Result<bool, AppError> {
    let has_alarms: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM alarms WHERE data_source_id = $1)")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    if has_alarms {
        return Ok(false);
    }
    sqlx::query("DELETE FROM data_sources WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(true)
}
