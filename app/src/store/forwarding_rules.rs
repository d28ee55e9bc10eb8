//! The `forwarding_rules` table, and the generation every rule change bumps so each server
//! process knows when the rules it compiled are stale.

use crate::domain::AppError;
use crate::domain::forwarding_rule::{Condition, ForwardingRule, NewForwardingRule, RuleAction};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use sqlx::types::Json;

const COLUMNS: &str = "id, name, enabled, position, data_source_ids, groups, action, silence, \
                       group_by, silence_window_minutes, version, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    enabled: bool,
    position: i32,
    data_source_ids: Vec<i64>,
    groups: Json<Vec<Vec<Condition>>>,
    action: Json<RuleAction>,
    silence: bool,
    group_by: Vec<String>,
    silence_window_minutes: i32,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<Row> for ForwardingRule {
    fn from(r: Row) -> ForwardingRule {
        ForwardingRule {
            id: r.id,
            name: r.name,
            enabled: r.enabled,
            position: r.position,
            data_source_ids: r.data_source_ids,
            groups: r.groups.0,
            action: r.action.0,
            silence: r.silence,
            group_by: r.group_by,
            silence_window_minutes: r.silence_window_minutes,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Every rule in the order they are tried.
pub async fn list(conn: &mut PgConnection) -> Result<Vec<ForwardingRule>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM forwarding_rules ORDER BY position, id"
    ))
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(ForwardingRule::from).collect())
}

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<ForwardingRule>, AppError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM forwarding_rules WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(ForwardingRule::from))
}

/// The rules with their generation, read together so the pair is consistent.
pub async fn with_generation(
    conn: &mut PgConnection,
) -> Result<(i64, Vec<ForwardingRule>), AppError> {
    let generation: i64 = sqlx::query_scalar("SELECT generation FROM pipeline_generation")
        .fetch_one(&mut *conn)
        .await?;
    Ok((generation, list(conn).await?))
}

/// Adds a rule after the last one.
pub async fn insert(
    conn: &mut PgConnection,
    rule: &NewForwardingRule,
    at: DateTime<Utc>,
) -> Result<i64, AppError> {
    let id = sqlx::query_scalar(
        "INSERT INTO forwarding_rules (name, enabled, position, data_source_ids, groups, action, \
                                       silence, group_by, silence_window_minutes, created_at, \
                                       updated_at) \
         VALUES ($1, $2, (SELECT COALESCE(max(position), 0) + 1 FROM forwarding_rules), $3, $4, \
                 $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(&rule.name)
    .bind(rule.enabled)
    .bind(&rule.data_source_ids)
    .bind(Json(&rule.groups))
    .bind(Json(&rule.action))
    .bind(rule.silence)
    .bind(&rule.group_by)
    .bind(rule.silence_window_minutes)
    .bind(at)
    .fetch_one(&mut *conn)
    .await?;
    bump(conn).await?;
    Ok(id)
}

pub async fn update(
    conn: &mut PgConnection,
    id: i64,
    rule: &NewForwardingRule,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE forwarding_rules SET name = $2, enabled = $3, data_source_ids = $4, groups = $5, \
                action = $6, silence = $7, group_by = $8, silence_window_minutes = $9, \
                version = version + 1, updated_at = $10 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(&rule.name)
    .bind(rule.enabled)
    .bind(&rule.data_source_ids)
    .bind(Json(&rule.groups))
    .bind(Json(&rule.action))
    .bind(rule.silence)
    .bind(&rule.group_by)
    .bind(rule.silence_window_minutes)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    bump(conn).await
}

/// Writes the order of all rules: `ids[i]` goes to position `i + 1`.
pub async fn reorder(
    conn: &mut PgConnection,
    ids: &[i64],
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE forwarding_rules r SET position = o.pos::int, version = r.version + 1, updated_at = $2 \
         FROM UNNEST($1::bigint[]) WITH ORDINALITY AS o(id, pos) \
         WHERE r.id = o.id AND r.position <> o.pos",
    )
    .bind(ids)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    bump(conn).await
}

pub async fn delete(conn: &mut PgConnection, id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM forwarding_rules WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    bump(conn).await
}

/// Names of the rules whose incident action names application `id` (a reference inside the
/// action's JSON, which no foreign key guards).
pub async fn naming_application(conn: &mut PgConnection, id: i64) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT name FROM forwarding_rules WHERE action->>'application_id' = $1::text ORDER BY name",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// Names of the rules whose incident owner is on duty in schedule `id`.
pub async fn naming_schedule(conn: &mut PgConnection, id: i64) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT name FROM forwarding_rules WHERE action->'owner'->>'schedule_id' = $1::text \
         ORDER BY name",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// Locks the rule table against concurrent edits of the order.
pub async fn lock(conn: &mut PgConnection) -> Result<(), AppError> {
    sqlx::query("SELECT generation FROM pipeline_generation FOR UPDATE")
        .execute(conn)
        .await?;
    Ok(())
}

async fn bump(conn: &mut PgConnection) -> Result<(), AppError> {
    sqlx::query("UPDATE pipeline_generation SET generation = generation + 1")
        .execute(conn)
        .await?;
    Ok(())
}
