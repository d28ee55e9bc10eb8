//! The `schedules`, `schedule_roles` and `schedule_overrides` tables.

use crate::domain::AppError;
use crate::domain::schedule::{
    Override, OverrideDraft, RoleDraft, Rotation, Schedule, ScheduleDraft, ScheduleRole,
};
use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::PgConnection;

const COLUMNS: &str = "id, name, description, time_zone, version, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct ScheduleRow {
    id: i64,
    name: String,
    description: String,
    time_zone: String,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<ScheduleRow> for Schedule {
    fn from(r: ScheduleRow) -> Schedule {
        Schedule {
            id: r.id,
            spec: ScheduleDraft {
                name: r.name,
                description: r.description,
                time_zone: r.time_zone,
            },
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Whether schedule `id` exists. Its row stays key-share locked until the transaction ends, so
/// it cannot be deleted under a rule being written to name it.
pub async fn hold(conn: &mut PgConnection, id: i64) -> Result<bool, AppError> {
    let found: Option<i32> =
        sqlx::query_scalar("SELECT 1 FROM schedules WHERE id = $1 FOR KEY SHARE")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

pub async fn list(conn: &mut PgConnection) -> Result<Vec<Schedule>, AppError> {
    let rows: Vec<ScheduleRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM schedules ORDER BY name"))
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(Schedule::from).collect())
}

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<Schedule>, AppError> {
    let row: Option<ScheduleRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM schedules WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(Schedule::from))
}

pub async fn find_for_update(conn: &mut PgConnection, id: i64) -> Result<Schedule, AppError> {
    let row: Option<ScheduleRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM schedules WHERE id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(Schedule::from)
        .ok_or_else(|| AppError::not_found("Schedule", id))
}

pub async fn insert(
    conn: &mut PgConnection,
    d: &ScheduleDraft,
    now: DateTime<Utc>,
) -> Result<Schedule, AppError> {
    let row: ScheduleRow = sqlx::query_as(&format!(
        "INSERT INTO schedules (name, description, time_zone, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING {COLUMNS}"
    ))
    .bind(&d.name)
    .bind(&d.description)
    .bind(&d.time_zone)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(row.into())
}

pub async fn update(
    conn: &mut PgConnection,
    id: i64,
    d: &ScheduleDraft,
    now: DateTime<Utc>,
) -> Result<Schedule, AppError> {
    let row: ScheduleRow = sqlx::query_as(&format!(
        "UPDATE schedules SET name = $2, description = $3, time_zone = $4, \
                version = version + 1, updated_at = $5 WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(&d.name)
    .bind(&d.description)
    .bind(&d.time_zone)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(row.into())
}

pub async fn delete(conn: &mut PgConnection, id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM schedules WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

const ROLE_COLUMNS: &str = "id, schedule_id, name, members, rotation_start, rotation_days, version";

#[derive(sqlx::FromRow)]
struct RoleRow {
    id: i64,
    schedule_id: i64,
    name: String,
    members: Vec<i64>,
    rotation_start: Option<NaiveDateTime>,
    rotation_days: Option<i32>,
    version: i32,
}

impl From<RoleRow> for ScheduleRole {
    fn from(r: RoleRow) -> ScheduleRole {
        let rotation = match (r.rotation_start, r.rotation_days) {
            (Some(start), Some(days)) => Some(Rotation {
                start,
                every_days: u32::try_from(days).unwrap_or(1),
            }),
            _ => None,
        };
        ScheduleRole {
            id: r.id,
            schedule_id: r.schedule_id,
            spec: RoleDraft {
                name: r.name,
                members: r.members,
                rotation,
            },
            version: r.version,
        }
    }
}

/// Every role of every schedule as (schedule id, schedule name, role name), by name.
pub async fn role_names(conn: &mut PgConnection) -> Result<Vec<(i64, String, String)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.name, r.name FROM schedules s \
         JOIN schedule_roles r ON r.schedule_id = s.id ORDER BY s.name, r.name",
    )
    .fetch_all(conn)
    .await?)
}

pub async fn roles(conn: &mut PgConnection, schedule: i64) -> Result<Vec<ScheduleRole>, AppError> {
    let rows: Vec<RoleRow> = sqlx::query_as(&format!(
        "SELECT {ROLE_COLUMNS} FROM schedule_roles WHERE schedule_id = $1 ORDER BY name"
    ))
    .bind(schedule)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(ScheduleRole::from).collect())
}

pub async fn find_role_for_update(
    conn: &mut PgConnection,
    id: i64,
) -> Result<ScheduleRole, AppError> {
    let row: Option<RoleRow> = sqlx::query_as(&format!(
        "SELECT {ROLE_COLUMNS} FROM schedule_roles WHERE id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(ScheduleRole::from)
        .ok_or_else(|| AppError::not_found("Schedule role", id))
}

fn rotation_columns(d: &RoleDraft) -> (Option<NaiveDateTime>, Option<i32>) {
    match &d.rotation {
        Some(r) => (Some(r.start), i32::try_from(r.every_days).ok()),
        None => (None, None),
    }
}

pub async fn insert_role(
    conn: &mut PgConnection,
    schedule: i64,
    d: &RoleDraft,
    now: DateTime<Utc>,
) -> Result<ScheduleRole, AppError> {
    let (start, days) = rotation_columns(d);
    let row: RoleRow = sqlx::query_as(&format!(
        "INSERT INTO schedule_roles (schedule_id, name, members, rotation_start, rotation_days, \
                                     created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {ROLE_COLUMNS}"
    ))
    .bind(schedule)
    .bind(&d.name)
    .bind(&d.members)
    .bind(start)
    .bind(days)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(row.into())
}

pub async fn update_role(
    conn: &mut PgConnection,
    id: i64,
    d: &RoleDraft,
    now: DateTime<Utc>,
) -> Result<ScheduleRole, AppError> {
    let (start, days) = rotation_columns(d);
    let row: RoleRow = sqlx::query_as(&format!(
        "UPDATE schedule_roles SET name = $2, members = $3, rotation_start = $4, \
                rotation_days = $5, version = version + 1, updated_at = $6 \
         WHERE id = $1 RETURNING {ROLE_COLUMNS}"
    ))
    .bind(id)
    .bind(&d.name)
    .bind(&d.members)
    .bind(start)
    .bind(days)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(row.into())
}

pub async fn delete_role(conn: &mut PgConnection, id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM schedule_roles WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

const OVERRIDE_COLUMNS: &str = "id, role_id, user_id, starts_at, ends_at, reason, created_at";

#[derive(sqlx::FromRow)]
struct OverrideRow {
    id: i64,
    role_id: i64,
    user_id: i64,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    reason: String,
    created_at: DateTime<Utc>,
}

impl From<OverrideRow> for Override {
    fn from(r: OverrideRow) -> Override {
        Override {
            id: r.id,
            role_id: r.role_id,
            spec: OverrideDraft {
                user_id: r.user_id,
                starts_at: r.starts_at,
                ends_at: r.ends_at,
                reason: r.reason,
            },
            created_at: r.created_at,
        }
    }
}

/// The overrides of a schedule's roles that have not ended by `after`.
/// Every override of one role, past ones included.
pub async fn overrides_of_role(
    conn: &mut PgConnection,
    role: i64,
) -> Result<Vec<Override>, AppError> {
    let rows: Vec<OverrideRow> = sqlx::query_as(&format!(
        "SELECT {OVERRIDE_COLUMNS} FROM schedule_overrides WHERE role_id = $1 \
         ORDER BY starts_at, id"
    ))
    .bind(role)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Override::from).collect())
}

pub async fn overrides(
    conn: &mut PgConnection,
    schedule: i64,
    after: DateTime<Utc>,
) -> Result<Vec<Override>, AppError> {
    let rows: Vec<OverrideRow> = sqlx::query_as(&format!(
        "SELECT {OVERRIDE_COLUMNS} FROM schedule_overrides \
         WHERE role_id IN (SELECT id FROM schedule_roles WHERE schedule_id = $1) AND ends_at > $2 \
         ORDER BY starts_at, id"
    ))
    .bind(schedule)
    .bind(after)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Override::from).collect())
}

pub async fn insert_override(
    conn: &mut PgConnection,
    role: i64,
    d: &OverrideDraft,
    now: DateTime<Utc>,
) -> Result<Override, AppError> {
    let row: OverrideRow = sqlx::query_as(&format!(
        "INSERT INTO schedule_overrides (role_id, user_id, starts_at, ends_at, reason, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {OVERRIDE_COLUMNS}"
    ))
    .bind(role)
    .bind(d.user_id)
    .bind(d.starts_at)
    .bind(d.ends_at)
    .bind(&d.reason)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(row.into())
}

/// Deletes override `id`; returns it, or `None` when there was none.
pub async fn delete_override(
    conn: &mut PgConnection,
    id: i64,
) -> Result<Option<Override>, AppError> {
    let row: Option<OverrideRow> = sqlx::query_as(&format!(
        "DELETE FROM schedule_overrides WHERE id = $1 RETURNING {OVERRIDE_COLUMNS}"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Override::from))
}
