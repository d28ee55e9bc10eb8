//! The `audit_log` table and its chain head; appends also announce the change to live pages.

use crate::domain::AppError;
use crate::domain::audit::{
    AuditFilter, AuditRecord, Checkpoint, Method, chain_hash, storable_time,
};
use crate::domain::list::{Page, Window};
use crate::domain::live::ChangeNotice;
use crate::domain::overview::HourCount;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgConnection, Postgres, QueryBuilder};

/// The Postgres channel that carries live-update notices.
pub const LIVE_CHANNEL: &str = "opsroom_live";

pub const SORTABLE: &[&str] = &["id", "at", "actor_name", "object_type", "action"];

const COLUMNS: &str = "id, at, actor_id, actor_name, method, object_type, object_id, action, \
                       before, after, prev_hash, hash";

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at: DateTime<Utc>,
    actor_id: Option<i64>,
    actor_name: String,
    method: String,
    object_type: String,
    object_id: String,
    action: String,
    before: Option<Value>,
    after: Option<Value>,
    prev_hash: String,
    hash: String,
}

impl TryFrom<AuditRow> for AuditRecord {
    type Error = AppError;

    fn try_from(r: AuditRow) -> Result<AuditRecord, AppError> {
        Ok(AuditRecord {
            id: r.id,
            at: r.at,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            method: Method::parse(&r.method)
                .ok_or_else(|| super::internal(format!("unknown audit method {}", r.method)))?,
            object_type: r.object_type,
            object_id: r.object_id,
            action: r.action,
            before: r.before,
            after: r.after,
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
    }
}

/// What a caller fills in; id, hashes and chain position are assigned here.
pub struct NewAuditRecord {
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub method: Method,
    pub object_type: String,
    pub object_id: String,
    pub action: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Appends a record at the head of the chain.
pub async fn append(conn: &mut PgConnection, new: NewAuditRecord) -> Result<AuditRecord, AppError> {
    let mut appended = append_many(conn, vec![new]).await?;
    appended
        .pop()
        .ok_or_else(|| super::internal("an append returned no record"))
}

/// Appends records at the head of the chain, in order, in one statement. The head row stays
/// locked until the caller's transaction ends, so concurrent appends chain one after the other
/// in id order. One live notice goes out per object type and action.
pub async fn append_many(
    conn: &mut PgConnection,
    new: Vec<NewAuditRecord>,
) -> Result<Vec<AuditRecord>, AppError> {
    if new.is_empty() {
        return Ok(Vec::new());
    }
    let (mut prev_hash,): (String,) =
        sqlx::query_as("SELECT last_hash FROM audit_chain_head FOR UPDATE")
            .fetch_one(&mut *conn)
            .await?;
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT nextval('audit_log_id_seq') FROM generate_series(1, $1)")
            .bind(i64::try_from(new.len()).unwrap_or(i64::MAX))
            .fetch_all(&mut *conn)
            .await?;
    let mut records = Vec::with_capacity(new.len());
    for (id, new) in ids.into_iter().zip(new) {
        let mut record = AuditRecord {
            id,
            at: storable_time(new.at),
            actor_id: new.actor_id,
            actor_name: new.actor_name,
            method: new.method,
            object_type: new.object_type,
            object_id: new.object_id,
            action: new.action,
            before: new.before,
            after: new.after,
            prev_hash: prev_hash.clone(),
            hash: String::new(),
        };
        record.hash = chain_hash(&record.prev_hash, &record);
        prev_hash.clone_from(&record.hash);
        records.push(record);
    }
    let column = |f: fn(&AuditRecord) -> String| records.iter().map(f).collect::<Vec<_>>();
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_id, actor_name, method, object_type, object_id, \
                                action, before, after, prev_hash, hash) \
         SELECT * FROM UNNEST($1::bigint[], $2::timestamptz[], $3::bigint[], $4::text[], \
                              $5::text[], $6::text[], $7::text[], $8::text[], $9::jsonb[], \
                              $10::jsonb[], $11::text[], $12::text[])",
    )
    .bind(records.iter().map(|r| r.id).collect::<Vec<_>>())
    .bind(records.iter().map(|r| r.at).collect::<Vec<_>>())
    .bind(records.iter().map(|r| r.actor_id).collect::<Vec<_>>())
    .bind(column(|r| r.actor_name.clone()))
    .bind(column(|r| r.method.as_str().to_owned()))
    .bind(column(|r| r.object_type.clone()))
    .bind(column(|r| r.object_id.clone()))
    .bind(column(|r| r.action.clone()))
    .bind(records.iter().map(|r| r.before.clone()).collect::<Vec<_>>())
    .bind(records.iter().map(|r| r.after.clone()).collect::<Vec<_>>())
    .bind(column(|r| r.prev_hash.clone()))
    .bind(column(|r| r.hash.clone()))
    .execute(&mut *conn)
    .await?;
    let last = records.last().map(|r| (r.id, r.hash.clone()));
    if let Some((last_id, last_hash)) = last {
        sqlx::query("UPDATE audit_chain_head SET last_id = $1, last_hash = $2")
            .bind(last_id)
            .bind(last_hash)
            .execute(&mut *conn)
            .await?;
    }
    let mut announced: Vec<(&str, &str)> = Vec::new();
    for r in &records {
        if announced.contains(&(r.object_type.as_str(), r.action.as_str())) {
            continue;
        }
        announced.push((&r.object_type, &r.action));
        notify(
            &mut *conn,
            &ChangeNotice {
                topic: r.object_type.clone(),
                id: r.object_id.clone(),
                action: r.action.clone(),
                audit_id: r.id,
            },
        )
        .await?;
    }
    Ok(records)
}

/// Tells open pages that something without an audit record of its own changed (a
/// notification, alarms raised by a push): a notice with `audit_id` 0, sent at commit.
pub async fn announce(
    conn: &mut PgConnection,
    topic: &str,
    id: &str,
    action: &str,
) -> Result<(), AppError> {
    let notice = ChangeNotice {
        topic: topic.to_owned(),
        id: id.to_owned(),
        action: action.to_owned(),
        audit_id: 0,
    };
    notify(conn, &notice).await
}

/// Sends a notice on the live channel; Postgres delivers it to the listeners at commit.
async fn notify(conn: &mut PgConnection, notice: &ChangeNotice) -> Result<(), AppError> {
    let payload = serde_json::to_string(notice)
        .map_err(|e| super::internal(format!("a live notice: {e}")))?;
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(LIVE_CHANNEL)
        .bind(payload)
        .execute(conn)
        .await?;
    Ok(())
}

fn push_filter<'a>(q: &mut QueryBuilder<'a, Postgres>, f: &'a AuditFilter) {
    q.push(" WHERE TRUE");
    if let Some(actor) = f.actor.as_deref().filter(|s| !s.is_empty()) {
        q.push(" AND actor_name = ").push_bind(actor);
    }
    if let Some(t) = f.object_type.as_deref().filter(|s| !s.is_empty()) {
        q.push(" AND object_type = ").push_bind(t);
    }
    if let Some(a) = f.action.as_deref().filter(|s| !s.is_empty()) {
        q.push(" AND action = ").push_bind(a);
    }
    if let Some(from) = f.from {
        q.push(" AND at >= ").push_bind(from);
    }
    if let Some(to) = f.to {
        q.push(" AND at < ").push_bind(to);
    }
}

pub async fn list(
    conn: &mut PgConnection,
    filter: &AuditFilter,
    window: Window,
) -> Result<Page<AuditRecord>, AppError> {
    super::page_of::<AuditRow, _>(
        conn,
        super::Listing::of("audit_log", COLUMNS),
        |q| push_filter(q, filter),
        window,
        |r: &AuditRecord| r.id,
    )
    .await
}

/// Up to `limit` records with an id above `after`, in id order.
pub async fn batch_after(
    conn: &mut PgConnection,
    after: i64,
    limit: i64,
) -> Result<Vec<AuditRecord>, AppError> {
    let rows: Vec<AuditRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2"
    ))
    .bind(after)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(AuditRecord::try_from).collect()
}

/// The head as recorded: (last id, last hash).
pub async fn head(conn: &mut PgConnection) -> Result<(i64, String), AppError> {
    Ok(
        sqlx::query_as("SELECT last_id, last_hash FROM audit_chain_head")
            .fetch_one(conn)
            .await?,
    )
}

#[derive(sqlx::FromRow)]
struct CheckpointRow {
    id: i64,
    last_id: i64,
    last_hash: String,
    at: DateTime<Utc>,
    prev_mac: String,
    mac: String,
}

impl From<CheckpointRow> for Checkpoint {
    fn from(r: CheckpointRow) -> Checkpoint {
        Checkpoint {
            id: r.id,
            last_id: r.last_id,
            last_hash: r.last_hash,
            at: r.at,
            prev_mac: r.prev_mac,
            mac: r.mac,
        }
    }
}

/// Every signed checkpoint, oldest first.
pub async fn checkpoints(conn: &mut PgConnection) -> Result<Vec<Checkpoint>, AppError> {
    let rows: Vec<CheckpointRow> = sqlx::query_as(
        "SELECT id, last_id, last_hash, at, prev_mac, mac FROM audit_checkpoints ORDER BY id",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Checkpoint::from).collect())
}

/// The newest checkpoint; the table stays locked against other signers until the transaction
/// ends, so two processes never sign the same head twice.
pub async fn latest_checkpoint_for_update(
    conn: &mut PgConnection,
) -> Result<Option<Checkpoint>, AppError> {
    sqlx::query("LOCK TABLE audit_checkpoints IN SHARE ROW EXCLUSIVE MODE")
        .execute(&mut *conn)
        .await?;
    let row: Option<CheckpointRow> = sqlx::query_as(
        "SELECT id, last_id, last_hash, at, prev_mac, mac FROM audit_checkpoints \
         ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Checkpoint::from))
}

pub async fn insert_checkpoint(
    conn: &mut PgConnection,
    last_id: i64,
    last_hash: &str,
    at: DateTime<Utc>,
    prev_mac: &str,
    mac: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO audit_checkpoints (last_id, last_hash, at, prev_mac, mac) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(last_id)
    .bind(last_hash)
    .bind(at)
    .bind(prev_mac)
    .bind(mac)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn hourly_counts(
    conn: &mut PgConnection,
    since: DateTime<Utc>,
) -> Result<Vec<HourCount>, AppError> {
    let rows: Vec<(DateTime<Utc>, i64)> = sqlx::query_as(
        "SELECT date_trunc('hour', at, 'UTC'), count(*) FROM audit_log WHERE at >= $1 GROUP BY 1",
    )
    .bind(since)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(hour, count)| HourCount { hour, count })
        .collect())
}

/// Records since `since`, optionally only of one object type and action.
pub async fn count_since(
    conn: &mut PgConnection,
    since: DateTime<Utc>,
    object_type: Option<&str>,
    action: Option<&str>,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE at >= $1 \
           AND ($2::text IS NULL OR object_type = $2) AND ($3::text IS NULL OR action = $3)",
    )
    .bind(since)
    .bind(object_type)
    .bind(action)
    .fetch_one(conn)
    .await?)
}

/// Distinct object types and actions seen, for the filter pickers.
pub async fn vocabulary(conn: &mut PgConnection) -> Result<(Vec<String>, Vec<String>), AppError> {
    let types: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT object_type FROM audit_log ORDER BY 1")
            .fetch_all(&mut *conn)
            .await?;
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT action FROM audit_log ORDER BY 1")
            .fetch_all(conn)
            .await?;
    Ok((types, actions))
}

/// The latest `limit` records about one object, newest first.
pub async fn of_object(
    conn: &mut PgConnection,
    object_type: &str,
    object_id: &str,
    limit: i64,
) -> Result<Vec<AuditRecord>, AppError> {
    let rows: Vec<AuditRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM audit_log WHERE object_type = $1 AND object_id = $2 \
         ORDER BY id DESC LIMIT $3"
    ))
    .bind(object_type)
    .bind(object_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(AuditRecord::try_from).collect()
}
