//! The `war_rooms` tables: rooms, their members, subscribers, affected applications, notices
//! and the rules that add people to new rooms.

use crate::domain::AppError;
use crate::domain::incident::Level;
use crate::domain::war_room::{
    AffectedApplication, Member, MemberRole, Notice, NoticeKind, WarRoom, WarRoomRule,
    WarRoomStatus, WarRoomSummary,
};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

const COLUMNS: &str = "id, incident_id, title, admin_id, status, occurred_at, recovered_at, \
                       cause, impact, version, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    incident_id: i64,
    title: String,
    admin_id: i64,
    status: String,
    occurred_at: DateTime<Utc>,
    recovered_at: Option<DateTime<Utc>>,
    cause: String,
    impact: String,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<Row> for WarRoom {
    type Error = AppError;

    fn try_from(r: Row) -> Result<WarRoom, AppError> {
        Ok(WarRoom {
            status: super::known(WarRoomStatus::parse(&r.status), "status", &r.status)?,
            id: r.id,
            incident_id: r.incident_id,
            title: r.title,
            admin_id: r.admin_id,
            occurred_at: r.occurred_at,
            recovered_at: r.recovered_at,
            cause: r.cause,
            impact: r.impact,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<WarRoom>, AppError> {
    let row: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM war_rooms WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    row.map(WarRoom::try_from).transpose()
}

pub async fn for_incident(
    conn: &mut PgConnection,
    incident_id: i64,
) -> Result<Option<WarRoom>, AppError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM war_rooms WHERE incident_id = $1"
    ))
    .bind(incident_id)
    .fetch_optional(conn)
    .await?;
    row.map(WarRoom::try_from).transpose()
}

pub async fn find_for_update(conn: &mut PgConnection, id: i64) -> Result<WarRoom, AppError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM war_rooms WHERE id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(WarRoom::try_from)
        .transpose()?
        .ok_or_else(|| AppError::not_found("War room", id))
}

/// Rooms with their incident's title, open ones first, newest first; at most `limit`.
pub async fn list(conn: &mut PgConnection, limit: i64) -> Result<Vec<WarRoomSummary>, AppError> {
    #[derive(sqlx::FromRow)]
    struct SummaryRow {
        #[sqlx(flatten)]
        room: Row,
        incident_title: String,
    }
    let rows: Vec<SummaryRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS}, \
                (SELECT title FROM incidents WHERE incidents.id = war_rooms.incident_id) \
                    AS incident_title \
         FROM war_rooms ORDER BY status = 'closed', id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(WarRoomSummary {
                room: r.room.try_into()?,
                incident_title: r.incident_title,
            })
        })
        .collect()
}

pub async fn insert(conn: &mut PgConnection, r: &WarRoom) -> Result<WarRoom, AppError> {
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO war_rooms (incident_id, title, admin_id, status, occurred_at, created_at, \
                                updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {COLUMNS}"
    ))
    .bind(r.incident_id)
    .bind(&r.title)
    .bind(r.admin_id)
    .bind(r.status.as_str())
    .bind(r.occurred_at)
    .bind(r.created_at)
    .fetch_one(conn)
    .await?;
    row.try_into()
}

pub async fn update(
    conn: &mut PgConnection,
    r: &WarRoom,
    now: DateTime<Utc>,
) -> Result<WarRoom, AppError> {
    let row: Row = sqlx::query_as(&format!(
        "UPDATE war_rooms SET status = $2, recovered_at = $3, cause = $4, impact = $5, \
                version = version + 1, updated_at = $6 \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(r.id)
    .bind(r.status.as_str())
    .bind(r.recovered_at)
    .bind(&r.cause)
    .bind(&r.impact)
    .bind(now)
    .fetch_one(conn)
    .await?;
    row.try_into()
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    user_id: i64,
    display_name: String,
    role: String,
    added_at: DateTime<Utc>,
}

pub async fn members(conn: &mut PgConnection, room: i64) -> Result<Vec<Member>, AppError> {
    let rows: Vec<MemberRow> = sqlx::query_as(
        "SELECT m.user_id, u.display_name, m.role, m.added_at \
         FROM war_room_members m JOIN users u ON u.id = m.user_id \
         WHERE m.room_id = $1 ORDER BY m.added_at, u.display_name",
    )
    .bind(room)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Member {
                role: super::known(MemberRole::parse(&r.role), "member role", &r.role)?,
                user_id: r.user_id,
                name: r.display_name,
                added_at: r.added_at,
            })
        })
        .collect()
}

/// Adds or re-roles a member; returns their role before (`None` if they are new).
pub async fn put_member(
    conn: &mut PgConnection,
    room: i64,
    user: i64,
    role: MemberRole,
    at: DateTime<Utc>,
) -> Result<Option<MemberRole>, AppError> {
    let before: Option<String> =
        sqlx::query_scalar("SELECT role FROM war_room_members WHERE room_id = $1 AND user_id = $2")
            .bind(room)
            .bind(user)
            .fetch_optional(&mut *conn)
            .await?;
    sqlx::query(
        "INSERT INTO war_room_members (room_id, user_id, role, added_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (room_id, user_id) DO UPDATE SET role = EXCLUDED.role",
    )
    .bind(room)
    .bind(user)
    .bind(role.as_str())
    .bind(at)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM war_room_subscribers WHERE room_id = $1 AND user_id = $2")
        .bind(room)
        .bind(user)
        .execute(conn)
        .await?;
    Ok(before.as_deref().and_then(MemberRole::parse))
}

/// Removes a member; whether they were one.
pub async fn remove_member(
    conn: &mut PgConnection,
    room: i64,
    user: i64,
) -> Result<bool, AppError> {
    let done = sqlx::query("DELETE FROM war_room_members WHERE room_id = $1 AND user_id = $2")
        .bind(room)
        .bind(user)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn subscribers(conn: &mut PgConnection, room: i64) -> Result<Vec<i64>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT user_id FROM war_room_subscribers WHERE room_id = $1")
            .bind(room)
            .fetch_all(conn)
            .await?,
    )
}

pub async fn set_subscribed(
    conn: &mut PgConnection,
    room: i64,
    user: i64,
    on: bool,
) -> Result<(), AppError> {
    let sql = if on {
        "INSERT INTO war_room_subscribers (room_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM war_room_subscribers WHERE room_id = $1 AND user_id = $2"
    };
    sqlx::query(sql).bind(room).bind(user).execute(conn).await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct AppRow {
    application_id: i64,
    name: String,
    restored_at: Option<DateTime<Utc>>,
}

pub async fn applications(
    conn: &mut PgConnection,
    room: i64,
) -> Result<Vec<AffectedApplication>, AppError> {
    let rows: Vec<AppRow> = sqlx::query_as(
        "SELECT w.application_id, a.name, w.restored_at \
         FROM war_room_applications w JOIN applications a ON a.id = w.application_id \
         WHERE w.room_id = $1 ORDER BY a.name",
    )
    .bind(room)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AffectedApplication {
            application_id: r.application_id,
            name: r.name,
            restored_at: r.restored_at,
        })
        .collect())
}

/// Adds an affected application; whether it was new to the room.
pub async fn add_application(
    conn: &mut PgConnection,
    room: i64,
    application: i64,
) -> Result<bool, AppError> {
    let done = sqlx::query(
        "INSERT INTO war_room_applications (room_id, application_id) VALUES ($1, $2) \
         ON CONFLICT DO NOTHING",
    )
    .bind(room)
    .bind(application)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Marks an affected application restored (or not); whether the room has it.
pub async fn set_restored(
    conn: &mut PgConnection,
    room: i64,
    application: i64,
    at: Option<DateTime<Utc>>,
) -> Result<bool, AppError> {
    let done = sqlx::query(
        "UPDATE war_room_applications SET restored_at = $3 WHERE room_id = $1 AND application_id = $2",
    )
    .bind(room)
    .bind(application)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

#[derive(sqlx::FromRow)]
struct NoticeRow {
    id: i64,
    kind: String,
    body: String,
    author: String,
    at: DateTime<Utc>,
}

pub async fn notices(conn: &mut PgConnection, room: i64) -> Result<Vec<Notice>, AppError> {
    let rows: Vec<NoticeRow> = sqlx::query_as(
        "SELECT id, kind, body, author, at FROM war_room_notices WHERE room_id = $1 ORDER BY id",
    )
    .bind(room)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Notice {
                kind: super::known(NoticeKind::parse(&r.kind), "notice kind", &r.kind)?,
                id: r.id,
                body: r.body,
                author: r.author,
                at: r.at,
            })
        })
        .collect()
}

pub async fn add_notice(
    conn: &mut PgConnection,
    room: i64,
    kind: NoticeKind,
    body: &str,
    author: (Option<i64>, &str),
    at: DateTime<Utc>,
) -> Result<Notice, AppError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO war_room_notices (room_id, kind, body, author_id, author, at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(room)
    .bind(kind.as_str())
    .bind(body)
    .bind(author.0)
    .bind(author.1)
    .bind(at)
    .fetch_one(conn)
    .await?;
    Ok(Notice {
        id,
        kind,
        body: body.to_owned(),
        author: author.1.to_owned(),
        at,
    })
}

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: i64,
    name: String,
    levels: Vec<String>,
    application_ids: Vec<i64>,
    schedule_id: i64,
    schedule_role: String,
    member_role: String,
}

pub async fn rules(conn: &mut PgConnection) -> Result<Vec<WarRoomRule>, AppError> {
    let rows: Vec<RuleRow> = sqlx::query_as(
        "SELECT id, name, levels, application_ids, schedule_id, schedule_role, member_role \
         FROM war_room_rules ORDER BY name",
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(WarRoomRule {
                levels: r
                    .levels
                    .iter()
                    .map(|l| super::known(Level::parse(l), "level", l))
                    .collect::<Result<_, _>>()?,
                member_role: super::known(
                    MemberRole::parse(&r.member_role),
                    "member role",
                    &r.member_role,
                )?,
                id: r.id,
                name: r.name,
                application_ids: r.application_ids,
                schedule_id: r.schedule_id,
                schedule_role: r.schedule_role,
            })
        })
        .collect()
}

pub async fn insert_rule(
    conn: &mut PgConnection,
    r: &WarRoomRule,
    at: DateTime<Utc>,
) -> Result<i64, AppError> {
    let levels: Vec<&str> = r.levels.iter().map(|l| l.as_str()).collect();
    sqlx::query_scalar(
        "INSERT INTO war_room_rules (name, levels, application_ids, schedule_id, schedule_role, \
                                     member_role, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&r.name)
    .bind(&levels)
    .bind(&r.application_ids)
    .bind(r.schedule_id)
    .bind(&r.schedule_role)
    .bind(r.member_role.as_str())
    .bind(at)
    .fetch_one(conn)
    .await
    .map_err(AppError::from)
}

pub async fn delete_rule(conn: &mut PgConnection, id: i64) -> Result<bool, AppError> {
    let done = sqlx::query("DELETE FROM war_room_rules WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}
