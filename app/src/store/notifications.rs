//! The `notifications` table.

use crate::domain::AppError;
use crate::domain::notification::{Notification, NotificationKind};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// Adds one notification for each user and tells their open pages.
pub async fn insert(
    conn: &mut PgConnection,
    users: &[i64],
    kind: NotificationKind,
    title: &str,
    link: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    if users.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO notifications (user_id, at, kind, title, link) \
         SELECT u, $2, $3, $4, $5 FROM UNNEST($1::bigint[]) AS u",
    )
    .bind(users)
    .bind(at)
    .bind(kind.as_str())
    .bind(title)
    .bind(link)
    .execute(&mut *conn)
    .await?;
    super::audit::announce(conn, "notification", "", kind.as_str()).await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: DateTime<Utc>,
    kind: String,
    title: String,
    link: String,
    read: bool,
}

pub async fn latest(
    conn: &mut PgConnection,
    user: i64,
    limit: i64,
) -> Result<Vec<Notification>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, at, kind, title, link, read_at IS NOT NULL AS read FROM notifications \
         WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(user)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Notification {
                kind: NotificationKind::parse(&r.kind)?,
                id: r.id,
                at: r.at,
                title: r.title,
                link: r.link,
                read: r.read,
            })
        })
        .collect())
}

pub async fn unread(conn: &mut PgConnection, user: i64) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
    )
    .bind(user)
    .fetch_one(conn)
    .await?)
}

/// Marks the user's notifications read: these ids, or all of them.
/// Which of `ids` are notifications of `user`.
pub async fn owned(conn: &mut PgConnection, user: i64, ids: &[i64]) -> Result<Vec<i64>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM notifications WHERE user_id = $1 AND id = ANY($2)")
            .bind(user)
            .bind(ids)
            .fetch_all(conn)
            .await?,
    )
}

pub async fn mark_read(
    conn: &mut PgConnection,
    user: i64,
    ids: Option<&[i64]>,
    at: DateTime<Utc>,
) -> Result<u64, AppError> {
    let done = sqlx::query(
        "UPDATE notifications SET read_at = $3 \
         WHERE user_id = $1 AND read_at IS NULL AND ($2::bigint[] IS NULL OR id = ANY($2))",
    )
    .bind(user)
    .bind(ids)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
