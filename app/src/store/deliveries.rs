//! The `notification_channels`, `outbox` and `delivery_attempts` tables.

use crate::domain::AppError;
use crate::domain::delivery::{
    Attempt, Channel, ChannelKind, Delivery, DeliveryStatus, NewChannel,
};
use crate::domain::list::{Page, Window};
use crate::domain::notification::NotificationKind;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// The database channel that says deliveries were queued.
pub const OUTBOX_CHANNEL: &str = "opsroom_outbox";

#[derive(sqlx::FromRow)]
struct ChannelRow {
    id: i64,
    user_id: i64,
    kind: String,
    target: String,
    timeout_ms: i32,
    kinds: Vec<String>,
    enabled: bool,
    created_at: DateTime<Utc>,
}

impl TryFrom<ChannelRow> for Channel {
    type Error = AppError;

    fn try_from(r: ChannelRow) -> Result<Channel, AppError> {
        Ok(Channel {
            kind: super::known(ChannelKind::parse(&r.kind), "channel kind", &r.kind)?,
            kinds: r
                .kinds
                .iter()
                .filter_map(|k| NotificationKind::parse(k))
                .collect(),
            id: r.id,
            user_id: r.user_id,
            target: r.target,
            timeout_ms: r.timeout_ms,
            enabled: r.enabled,
            created_at: r.created_at,
        })
    }
}

const CHANNEL_COLUMNS: &str = "id, user_id, kind, target, timeout_ms, kinds, enabled, created_at";

pub async fn channels_of(conn: &mut PgConnection, user: i64) -> Result<Vec<Channel>, AppError> {
    let rows: Vec<ChannelRow> = sqlx::query_as(&format!(
        "SELECT {CHANNEL_COLUMNS} FROM notification_channels WHERE user_id = $1 ORDER BY id"
    ))
    .bind(user)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Channel::try_from).collect()
}

pub async fn find_channel(conn: &mut PgConnection, id: i64) -> Result<Option<Channel>, AppError> {
    let row: Option<ChannelRow> = sqlx::query_as(&format!(
        "SELECT {CHANNEL_COLUMNS} FROM notification_channels WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(Channel::try_from).transpose()
}

pub async fn insert_channel(
    conn: &mut PgConnection,
    user: i64,
    new: &NewChannel,
    secret: &str,
    at: DateTime<Utc>,
) -> Result<i64, AppError> {
    let kinds: Vec<&str> = new.kinds.iter().map(|k| k.as_str()).collect();
    Ok(sqlx::query_scalar(
        "INSERT INTO notification_channels (user_id, kind, target, secret, timeout_ms, kinds, \
                                            created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(user)
    .bind(new.kind.as_str())
    .bind(&new.target)
    .bind(secret)
    .bind(new.timeout_ms)
    .bind(&kinds)
    .bind(at)
    .fetch_one(conn)
    .await?)
}

pub async fn delete_channel(conn: &mut PgConnection, id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM notification_channels WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Queues one delivery per enabled channel of these users that carries `kind`, in the caller's
/// transaction (so a notification and its deliveries commit together or not at all).
pub async fn enqueue(
    conn: &mut PgConnection,
    users: &[i64],
    kind: NotificationKind,
    title: &str,
    link: &str,
    at: DateTime<Utc>,
) -> Result<u64, AppError> {
    let done = sqlx::query(
        "INSERT INTO outbox (channel_id, user_id, kind, title, link, created_at, status, \
                             next_attempt_at) \
         SELECT c.id, c.user_id, $2, $3, $4, $5, 'pending', $5 FROM notification_channels c \
         WHERE c.user_id = ANY($1) AND c.enabled \
           AND (cardinality(c.kinds) = 0 OR $2 = ANY(c.kinds))",
    )
    .bind(users)
    .bind(kind.as_str())
    .bind(title)
    .bind(link)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() > 0 {
        // Heard at commit by every server's delivery worker, which then sends at once.
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(OUTBOX_CHANNEL)
            .execute(conn)
            .await?;
    }
    Ok(done.rows_affected())
}

const DELIVERY_COLUMNS: &str = "outbox.id, outbox.channel_id, c.kind AS channel_kind, c.target, \
    outbox.user_id, u.username, outbox.kind, outbox.title, outbox.link, outbox.created_at, \
    outbox.status, outbox.attempts, outbox.next_attempt_at, outbox.last_error, \
    outbox.delivered_at";
const DELIVERY_FROM: &str = "outbox JOIN notification_channels c ON c.id = outbox.channel_id \
                             JOIN users u ON u.id = outbox.user_id";

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: i64,
    channel_id: i64,
    channel_kind: String,
    target: String,
    user_id: i64,
    username: String,
    kind: String,
    title: String,
    link: String,
    created_at: DateTime<Utc>,
    status: String,
    attempts: i32,
    next_attempt_at: DateTime<Utc>,
    last_error: String,
    delivered_at: Option<DateTime<Utc>>,
}

impl TryFrom<DeliveryRow> for Delivery {
    type Error = AppError;

    fn try_from(r: DeliveryRow) -> Result<Delivery, AppError> {
        Ok(Delivery {
            channel_kind: super::known(
                ChannelKind::parse(&r.channel_kind),
                "channel kind",
                &r.channel_kind,
            )?,
            kind: super::known(
                NotificationKind::parse(&r.kind),
                "notification kind",
                &r.kind,
            )?,
            status: super::known(
                DeliveryStatus::parse(&r.status),
                "delivery status",
                &r.status,
            )?,
            id: r.id,
            channel_id: r.channel_id,
            target: r.target,
            user_id: r.user_id,
            username: r.username,
            title: r.title,
            link: r.link,
            created_at: r.created_at,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            last_error: r.last_error,
            delivered_at: r.delivered_at,
        })
    }
}

/// A delivery taken for an attempt, with what its channel needs to send it.
pub struct Job {
    pub delivery: Delivery,
    pub secret: String,
    pub timeout_ms: i32,
}

#[derive(sqlx::FromRow)]
struct JobRow {
    #[sqlx(flatten)]
    delivery: DeliveryRow,
    secret: String,
    timeout_ms: i32,
}

/// Takes the oldest due delivery whose channel and person are not in `busy_channels` and
/// `busy_users`, leasing it until `lease_until` (its next attempt time moves there, so no other
/// process takes it meanwhile, and it comes due again if this one dies while sending).
pub async fn claim(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    busy_channels: &[i64],
    busy_users: &[i64],
) -> Result<Option<Job>, AppError> {
    let id: Option<i64> = sqlx::query_scalar(
        "UPDATE outbox SET next_attempt_at = $2 WHERE id = ( \
           SELECT id FROM outbox \
            WHERE status = 'pending' AND next_attempt_at <= $1 \
              AND NOT (channel_id = ANY($3)) AND NOT (user_id = ANY($4)) \
            ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
         RETURNING id",
    )
    .bind(now)
    .bind(lease_until)
    .bind(busy_channels)
    .bind(busy_users)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = id else { return Ok(None) };
    let row: JobRow = sqlx::query_as(&format!(
        "SELECT {DELIVERY_COLUMNS}, c.secret, c.timeout_ms FROM {DELIVERY_FROM} WHERE outbox.id = $1"
    ))
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok(Some(Job {
        delivery: Delivery::try_from(row.delivery)?,
        secret: row.secret,
        timeout_ms: row.timeout_ms,
    }))
}

/// Records an attempt and what the delivery became.
pub async fn record(
    conn: &mut PgConnection,
    delivery: i64,
    attempt: &Attempt,
    status: DeliveryStatus,
    attempts: i32,
    next_attempt_at: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO delivery_attempts (outbox_id, at, ok, code, error, duration_ms) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(delivery)
    .bind(attempt.at)
    .bind(attempt.ok)
    .bind(attempt.code)
    .bind(&attempt.error)
    .bind(attempt.duration_ms)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE outbox SET status = $2, attempts = $3, next_attempt_at = $4, last_error = $5, \
                delivered_at = CASE WHEN $2 = 'delivered' THEN $6 ELSE delivered_at END \
         WHERE id = $1",
    )
    .bind(delivery)
    .bind(status.as_str())
    .bind(attempts)
    .bind(next_attempt_at)
    .bind(&attempt.error)
    .bind(attempt.at)
    .execute(conn)
    .await?;
    Ok(())
}

/// A page of deliveries in this state (for one user, or everyone's).
pub async fn list(
    conn: &mut PgConnection,
    status: Option<DeliveryStatus>,
    user: Option<i64>,
    window: Window,
) -> Result<Page<Delivery>, AppError> {
    let status = status.map(|s| s.as_str());
    super::page_of::<DeliveryRow, _>(
        conn,
        super::Listing {
            table: "outbox",
            from: DELIVERY_FROM,
            columns: DELIVERY_COLUMNS,
        },
        |q| {
            q.push(" WHERE TRUE");
            if let Some(s) = status {
                q.push(" AND status = ").push_bind(s);
            }
            if let Some(u) = user {
                q.push(" AND user_id = ").push_bind(u);
            }
        },
        window,
        |d: &Delivery| d.id,
    )
    .await
}

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<Delivery>, AppError> {
    let row: Option<DeliveryRow> = sqlx::query_as(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM {DELIVERY_FROM} WHERE outbox.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(Delivery::try_from).transpose()
}

#[derive(sqlx::FromRow)]
struct AttemptRow {
    at: DateTime<Utc>,
    ok: bool,
    code: Option<i32>,
    error: String,
    duration_ms: i32,
}

pub async fn attempts(conn: &mut PgConnection, id: i64) -> Result<Vec<Attempt>, AppError> {
    let rows: Vec<AttemptRow> = sqlx::query_as(
        "SELECT at, ok, code, error, duration_ms FROM delivery_attempts \
         WHERE outbox_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Attempt {
            at: r.at,
            ok: r.ok,
            code: r.code,
            error: r.error,
            duration_ms: r.duration_ms,
        })
        .collect())
}

/// Puts a delivery back in the queue for an attempt now, its count started over.
pub async fn resend(conn: &mut PgConnection, id: i64, now: DateTime<Utc>) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
