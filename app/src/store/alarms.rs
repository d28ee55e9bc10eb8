//! The `alarms` table: raising, repeating and clearing in set-based statements (one per batch
//! round), finding silence groups, the Active/History lists and the retention purge.

use super::users::escape_like;
use crate::domain::AppError;
use crate::domain::alarm::{Alarm, AlarmFilter, AlarmLevel, AlarmStatus};
use crate::domain::list::{Page, Window};
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use std::collections::BTreeMap;

pub const SORTABLE: &[&str] = &["id", "last_seen", "first_seen", "level", "count", "name"];

const COLUMNS: &str = "id, data_source_id, \
    (SELECT name FROM data_sources d WHERE d.id = alarms.data_source_id) AS source_name, \
    dedup_key, name, level, status, description, labels, url, resource_ref, resource_id, \
    (SELECT name FROM resources r WHERE r.id = alarms.resource_id) AS resource_name, \
    application_ref, application_id, \
    (SELECT name FROM applications p WHERE p.id = alarms.application_id) AS application_name, \
    first_seen, last_seen, count, rule_id, \
    (SELECT name FROM forwarding_rules f WHERE f.id = alarms.rule_id) AS rule_name, \
    incident_id, cleared_at, cleared_by, service_interrupted, fault_started_at, recovered_at, \
    remark";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    data_source_id: i64,
    source_name: Option<String>,
    dedup_key: String,
    name: String,
    level: String,
    status: String,
    description: String,
    labels: Json<BTreeMap<String, String>>,
    url: Option<String>,
    resource_ref: Option<String>,
    resource_id: Option<i64>,
    resource_name: Option<String>,
    application_ref: Option<String>,
    application_id: Option<i64>,
    application_name: Option<String>,
    first_seen: DateTime<Utc>,
    last_seen: DateTime<Utc>,
    count: i64,
    rule_id: Option<i64>,
    rule_name: Option<String>,
    incident_id: Option<i64>,
    cleared_at: Option<DateTime<Utc>>,
    cleared_by: Option<String>,
    service_interrupted: bool,
    fault_started_at: Option<DateTime<Utc>>,
    recovered_at: Option<DateTime<Utc>>,
    remark: String,
}

impl TryFrom<Row> for Alarm {
    type Error = AppError;

    fn try_from(r: Row) -> Result<Alarm, AppError> {
        Ok(Alarm {
            level: super::known(AlarmLevel::parse(&r.level), "alarm level", &r.level)?,
            status: super::known(AlarmStatus::parse(&r.status), "alarm status", &r.status)?,
            id: r.id,
            data_source_id: r.data_source_id,
            source_name: r.source_name.unwrap_or_default(),
            dedup_key: r.dedup_key,
            name: r.name,
            description: r.description,
            labels: r.labels.0,
            url: r.url,
            resource_ref: r.resource_ref,
            resource_id: r.resource_id,
            resource_name: r.resource_name,
            application_ref: r.application_ref,
            application_id: r.application_id,
            application_name: r.application_name,
            first_seen: r.first_seen,
            last_seen: r.last_seen,
            count: r.count,
            rule_id: r.rule_id,
            rule_name: r.rule_name,
            incident_id: r.incident_id,
            cleared_at: r.cleared_at,
            cleared_by: r.cleared_by,
            service_interrupted: r.service_interrupted,
            fault_started_at: r.fault_started_at,
            recovered_at: r.recovered_at,
            remark: r.remark,
        })
    }
}

fn push_filter<'a>(q: &mut QueryBuilder<'a, Postgres>, f: &'a AlarmFilter) {
    q.push(" WHERE TRUE");
    if let Some(s) = f.status {
        q.push(" AND status = ").push_bind(s.as_str());
    }
    if let Some(l) = f.level {
        q.push(" AND level = ").push_bind(l.as_str());
    }
    if let Some(d) = f.data_source_id {
        q.push(" AND data_source_id = ").push_bind(d);
    }
    if let Some(a) = f.application_id {
        q.push(" AND application_id = ").push_bind(a);
    }
    if let Some(i) = f.incident_id {
        q.push(" AND incident_id = ").push_bind(i);
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = format!("%{}%", escape_like(text));
        q.push(" AND (name ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR dedup_key ILIKE ")
            .push_bind(pattern)
            .push(")");
    }
    if let Some(from) = f.from {
        q.push(" AND last_seen >= ").push_bind(from);
    }
    if let Some(to) = f.to {
        q.push(" AND first_seen < ").push_bind(to);
    }
}

pub async fn list(
    conn: &mut PgConnection,
    filter: &AlarmFilter,
    window: Window,
) -> Result<Page<Alarm>, AppError> {
    super::page_of::<Row, _>(
        conn,
        super::Listing::of("alarms", COLUMNS),
        |q| push_filter(q, filter),
        window,
        |a: &Alarm| a.id,
    )
    .await
}

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<Alarm>, AppError> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM alarms WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(Alarm::try_from).transpose()
}

/// The alarms with these ids, locked for the caller's transaction, in id order.
pub async fn lock_many(conn: &mut PgConnection, ids: &[i64]) -> Result<Vec<Alarm>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM alarms WHERE id = ANY($1) ORDER BY id FOR UPDATE"
    ))
    .bind(ids)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Alarm::try_from).collect()
}

/// The alarms linked to an incident, newest first.
pub async fn of_incident(conn: &mut PgConnection, incident: i64) -> Result<Vec<Alarm>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM alarms WHERE incident_id = $1 ORDER BY id DESC LIMIT 100"
    ))
    .bind(incident)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Alarm::try_from).collect()
}

/// A raising event as the raise statement takes it.
#[derive(Clone)]
pub struct Raise {
    pub data_source_id: i64,
    pub dedup_key: String,
    pub name: String,
    pub level: AlarmLevel,
    pub description: String,
    pub labels: serde_json::Value,
    pub url: Option<String>,
    pub resource_ref: Option<String>,
    pub resource_id: Option<i64>,
    pub application_ref: Option<String>,
    pub application_id: Option<i64>,
    pub time: DateTime<Utc>,
    pub rule_id: Option<i64>,
    pub group_key: Option<String>,
}

/// What a raise did to one key: a new alarm, or a repeat of the active one.
#[derive(Clone, sqlx::FromRow)]
pub struct Raised {
    pub id: i64,
    pub data_source_id: i64,
    pub dedup_key: String,
    pub raised: bool,
    pub incident_id: Option<i64>,
}

/// Raises or repeats alarms, at most one event per (source, key) (callers split batches into
/// such rounds). Rows are written in (source, key) order so concurrent statements lock them in
/// the same order.
pub async fn raise(conn: &mut PgConnection, events: &[Raise]) -> Result<Vec<Raised>, AppError> {
    let col = |f: fn(&Raise) -> String| events.iter().map(f).collect::<Vec<_>>();
    let opt = |f: fn(&Raise) -> Option<String>| events.iter().map(f).collect::<Vec<_>>();
    let ids = |f: fn(&Raise) -> Option<i64>| events.iter().map(f).collect::<Vec<_>>();
    Ok(sqlx::query_as(
        "INSERT INTO alarms (data_source_id, dedup_key, name, level, status, description, labels, \
                             url, resource_ref, resource_id, application_ref, application_id, \
                             first_seen, last_seen, rule_id, group_key) \
         SELECT e.s, e.k, e.n, e.l, 'active', e.d, e.lb, e.u, e.rr, e.ri, e.ar, e.ai, e.t, e.t, \
                e.rl, e.g \
         FROM UNNEST($1::int8[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], \
                     $7::text[], $8::text[], $9::int8[], $10::text[], $11::int8[], \
                     $12::timestamptz[], $13::int8[], $14::text[]) \
              AS e(s, k, n, l, d, lb, u, rr, ri, ar, ai, t, rl, g) \
         ORDER BY e.s, e.k \
         ON CONFLICT (data_source_id, dedup_key) WHERE status = 'active' \
         DO UPDATE SET count = alarms.count + 1, \
                       last_seen = GREATEST(alarms.last_seen, EXCLUDED.last_seen) \
         RETURNING id, data_source_id, dedup_key, (xmax = 0) AS raised, incident_id",
    )
    .bind(events.iter().map(|e| e.data_source_id).collect::<Vec<_>>())
    .bind(col(|e| e.dedup_key.clone()))
    .bind(col(|e| e.name.clone()))
    .bind(col(|e| e.level.as_str().to_owned()))
    .bind(col(|e| e.description.clone()))
    .bind(events.iter().map(|e| e.labels.clone()).collect::<Vec<_>>())
    .bind(opt(|e| e.url.clone()))
    .bind(opt(|e| e.resource_ref.clone()))
    .bind(ids(|e| e.resource_id))
    .bind(opt(|e| e.application_ref.clone()))
    .bind(ids(|e| e.application_id))
    .bind(events.iter().map(|e| e.time).collect::<Vec<_>>())
    .bind(ids(|e| e.rule_id))
    .bind(opt(|e| e.group_key.clone()))
    .fetch_all(conn)
    .await?)
}

#[derive(sqlx::FromRow)]
pub struct Cleared {
    pub id: i64,
    pub dedup_key: String,
}

/// Clears the active alarms of these keys (the source said they are fine), one event per key.
pub async fn clear_by_source(
    conn: &mut PgConnection,
    source: i64,
    keys: &[String],
    times: &[DateTime<Utc>],
) -> Result<Vec<Cleared>, AppError> {
    Ok(sqlx::query_as(
        "UPDATE alarms a SET status = 'cleared', cleared_at = c.t, cleared_by = 'source', \
                last_seen = GREATEST(a.last_seen, c.t) \
         FROM UNNEST($2::text[], $3::timestamptz[]) AS c(k, t) \
         WHERE a.data_source_id = $1 AND a.status = 'active' AND a.dedup_key = c.k \
         RETURNING a.id, a.dedup_key",
    )
    .bind(source)
    .bind(keys)
    .bind(times)
    .fetch_all(conn)
    .await?)
}

/// Finds what the events' resource and application references name: an id, a name, or (for
/// resources) a private address. Unknown references map to nothing.
pub async fn resolve_refs(
    conn: &mut PgConnection,
    resources: &[String],
    applications: &[String],
) -> Result<
    (
        BTreeMap<String, (i64, String)>,
        BTreeMap<String, (i64, String)>,
    ),
    AppError,
> {
    let mut found_resources = BTreeMap::new();
    if !resources.is_empty() {
        let rows: Vec<(String, i64, String)> = sqlx::query_as(
            "SELECT u.ref, r.id, r.name FROM UNNEST($1::text[]) AS u(ref) \
             JOIN LATERAL (SELECT id, name FROM resources \
                           WHERE id = CASE WHEN u.ref ~ '^[0-9]{1,18}$' THEN u.ref::bigint END \
                              OR name = u.ref \
                              OR (private_ip = u.ref AND private_ip <> '') \
                           ORDER BY (id::text = u.ref) DESC, (name = u.ref) DESC, id \
                           LIMIT 1) r ON TRUE",
        )
        .bind(resources)
        .fetch_all(&mut *conn)
        .await?;
        found_resources = rows.into_iter().map(|(k, id, n)| (k, (id, n))).collect();
    }
    let mut found_applications = BTreeMap::new();
    if !applications.is_empty() {
        let rows: Vec<(String, i64, String)> = sqlx::query_as(
            "SELECT u.ref, a.id, a.name FROM UNNEST($1::text[]) AS u(ref) \
             JOIN LATERAL (SELECT id, name FROM applications \
                           WHERE id = CASE WHEN u.ref ~ '^[0-9]{1,18}$' THEN u.ref::bigint END \
                              OR name = u.ref \
                           ORDER BY (id::text = u.ref) DESC, id LIMIT 1) a ON TRUE",
        )
        .bind(applications)
        .fetch_all(conn)
        .await?;
        found_applications = rows.into_iter().map(|(k, id, n)| (k, (id, n))).collect();
    }
    Ok((found_resources, found_applications))
}

/// The open incident (not completed or closed) a rule's silence group last opened or joined,
/// if it opened no earlier than `since`.
pub async fn silenced_by(
    conn: &mut PgConnection,
    rule: i64,
    group_key: &str,
    since: Option<DateTime<Utc>>,
) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT a.incident_id FROM alarms a JOIN incidents i ON i.id = a.incident_id \
         WHERE a.rule_id = $1 AND a.group_key = $2 AND a.incident_id IS NOT NULL \
           AND i.status NOT IN ('completed', 'closed') \
           AND ($3::timestamptz IS NULL OR i.created_at >= $3) \
         ORDER BY a.id DESC LIMIT 1",
    )
    .bind(rule)
    .bind(group_key)
    .bind(since)
    .fetch_optional(conn)
    .await?)
}

/// Serializes the decisions of one silence group across transactions and processes.
pub async fn lock_group(
    conn: &mut PgConnection,
    rule: i64,
    group_key: &str,
) -> Result<(), AppError> {
    sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
        .bind(i32::try_from(rule % i64::from(i32::MAX)).unwrap_or_default())
        .bind(group_key)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn link(conn: &mut PgConnection, ids: &[i64], incident: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE alarms SET incident_id = $2 WHERE id = ANY($1)")
        .bind(ids)
        .bind(incident)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn relevel(
    conn: &mut PgConnection,
    ids: &[i64],
    level: AlarmLevel,
) -> Result<(), AppError> {
    sqlx::query("UPDATE alarms SET level = $2 WHERE id = ANY($1)")
        .bind(ids)
        .bind(level.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// Clears an alarm by hand.
pub async fn clear(conn: &mut PgConnection, alarm: &Alarm, by: &str) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE alarms SET status = 'cleared', cleared_at = $2, cleared_by = $3, \
                service_interrupted = $4, fault_started_at = $5, recovered_at = $6, remark = $7 \
         WHERE id = $1",
    )
    .bind(alarm.id)
    .bind(alarm.cleared_at)
    .bind(by)
    .bind(alarm.service_interrupted)
    .bind(alarm.fault_started_at)
    .bind(alarm.recovered_at)
    .bind(&alarm.remark)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes up to `limit` cleared alarms cleared before `before`, with their timelines; rows
/// another process is purging are skipped. Returns how many went.
/// Deletes up to `limit` alarms cleared before `before`, with their history; returns their ids.
pub async fn purge(
    conn: &mut PgConnection,
    before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<i64>, AppError> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM alarms WHERE status = 'cleared' AND cleared_at < $1 \
         ORDER BY cleared_at LIMIT $2 FOR UPDATE SKIP LOCKED",
    )
    .bind(before)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    if ids.is_empty() {
        return Ok(ids);
    }
    sqlx::query("DELETE FROM ticket_history WHERE ticket = 'alarm' AND ticket_id = ANY($1)")
        .bind(&ids)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM alarms WHERE id = ANY($1)")
        .bind(&ids)
        .execute(conn)
        .await?;
    Ok(ids)
}

/// Alarms first seen since `since`, oldest first, at most `limit`, for a replay.
pub async fn since(
    conn: &mut PgConnection,
    since: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Alarm>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM alarms WHERE first_seen >= $1 ORDER BY first_seen, id LIMIT $2"
    ))
    .bind(since)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Alarm::try_from).collect()
}
