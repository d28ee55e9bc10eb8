//! Recording every mutation, reading the log and checking its chain.

use super::Actor;
use crate::domain::AppError;
use crate::domain::audit::{
    AuditFilter, AuditRecord, ChainAnchor, ChainReport, Checkpoint, GENESIS_HASH,
    check_checkpoints, checkpoint_mac, verify_batch,
};
use crate::domain::list::{ListParams, Page, Sort};
use crate::domain::user::Role;
use crate::state::AppState;
use crate::store;
use crate::store::audit::NewAuditRecord;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use std::collections::HashMap;

/// One mutation to record: the object it touched and its state before and after.
pub struct Change<'a> {
    pub object_type: &'a str,
    pub object_id: String,
    pub action: &'a str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl<'a> Change<'a> {
    pub fn new(object_type: &'a str, object_id: impl ToString, action: &'a str) -> Self {
        Change {
            object_type,
            object_id: object_id.to_string(),
            action,
            before: None,
            after: None,
        }
    }

    pub fn before(mut self, value: &impl Serialize) -> Self {
        self.before = serde_json::to_value(value).ok();
        self
    }

    pub fn after(mut self, value: &impl Serialize) -> Self {
        self.after = serde_json::to_value(value).ok();
        self
    }
}

fn new_record(actor: &Actor, at: DateTime<Utc>, change: Change<'_>) -> NewAuditRecord {
    NewAuditRecord {
        at,
        actor_id: actor.id(),
        actor_name: actor.name().to_owned(),
        method: actor.method,
        object_type: change.object_type.to_owned(),
        object_id: change.object_id,
        action: change.action.to_owned(),
        before: change.before,
        after: change.after,
    }
}

/// Appends many changes to the audit chain, in order, inside the caller's transaction.
pub async fn record_many(
    conn: &mut PgConnection,
    actor: &Actor,
    at: DateTime<Utc>,
    changes: Vec<Change<'_>>,
) -> Result<Vec<AuditRecord>, AppError> {
    let records = changes
        .into_iter()
        .map(|c| new_record(actor, at, c))
        .collect();
    store::audit::append_many(conn, records).await
}

/// Appends the change to the audit chain inside the caller's transaction.
pub async fn record(
    conn: &mut PgConnection,
    actor: &Actor,
    at: DateTime<Utc>,
    change: Change<'_>,
) -> Result<AuditRecord, AppError> {
    store::audit::append(conn, new_record(actor, at, change)).await
}

/// Removes one thing of kind `object` (`noun` in messages) in a transaction of its own: read
/// (a 404 when absent), deleted, and recorded in the audit log with what it was.
pub(crate) async fn remove<T: Serialize, R>(
    state: &AppState,
    actor: &Actor,
    (object, noun, id): (&str, &str, i64),
    find: impl AsyncFnOnce(&mut PgConnection) -> Result<Option<T>, AppError>,
    delete: impl AsyncFnOnce(&mut PgConnection) -> Result<R, AppError>,
) -> Result<(), AppError> {
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = find(&mut tx)
        .await?
        .ok_or_else(|| AppError::not_found(noun, id))?;
    delete(&mut tx).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new(object, id, "delete").before(&before),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: &AuditFilter,
    params: &ListParams,
) -> Result<Page<AuditRecord>, AppError> {
    actor.require(Role::Admin, "reading the audit log")?;
    let window = params.window(
        store::audit::SORTABLE,
        Sort {
            field: "id",
            descending: true,
        },
    )?;
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && from >= to
    {
        return Err(AppError::invalid("to", "must be later than from"));
    }
    let mut conn = state.pool.acquire().await?;
    store::audit::list(&mut conn, filter, window).await
}

/// Distinct object types and actions, for the audit page's filter pickers.
pub async fn vocabulary(
    state: &AppState,
    actor: &Actor,
) -> Result<(Vec<String>, Vec<String>), AppError> {
    actor.require(Role::Admin, "reading the audit log")?;
    let mut conn = state.pool.acquire().await?;
    store::audit::vocabulary(&mut conn).await
}

const VERIFY_BATCH: i64 = 5_000;

/// Re-computes every hash from the first record on and reports the first mismatch; with an
/// audit key, also checks the signed checkpoints and that every row they cover is unchanged.
pub async fn verify(state: &AppState, actor: &Actor) -> Result<ChainReport, AppError> {
    actor.require(Role::Admin, "verifying the audit log")?;
    let mut conn = state.pool.acquire().await?;
    let checkpoints = match &state.settings.audit_key {
        Some(key) => {
            let all = store::audit::checkpoints(&mut conn).await?;
            if let Err((id, why)) = check_checkpoints(&key.0, &all) {
                let at = all.iter().find(|c| c.id == id).map_or(0, |c| c.last_id);
                return Ok(anchored(
                    ChainReport::broken(0, at, format!("signed checkpoint {id}: {why}")),
                    Some(&[]),
                ));
            }
            Some(all)
        }
        None => None,
    };
    let signed: HashMap<i64, &str> = checkpoints
        .iter()
        .flatten()
        .map(|c| (c.last_id, c.last_hash.as_str()))
        .collect();
    let (head_id, head_hash) = store::audit::head(&mut conn).await?;
    let mut prev = GENESIS_HASH.to_owned();
    let mut checked = 0;
    let mut last_id = 0;
    loop {
        let batch = store::audit::batch_after(&mut conn, last_id, VERIFY_BATCH).await?;
        let Some(last) = batch.last() else { break };
        last_id = last.id;
        let report = match verify_batch(&mut prev, checked, &batch) {
            Ok(n) => {
                let resigned = batch
                    .iter()
                    .find(|r| signed.get(&r.id).is_some_and(|h| *h != r.hash));
                checked = n;
                resigned.map(|r| {
                    ChainReport::broken(
                        checked,
                        r.id,
                        "rows up to here were rewritten after a signed checkpoint covered them",
                    )
                })
            }
            Err(report) => Some(report),
        };
        if let Some(report) = report {
            return Ok(anchored(report, checkpoints.as_deref()));
        }
        if last_id >= head_id {
            break;
        }
    }
    let beyond = checkpoints.iter().flatten().find(|c| c.last_id > last_id);
    // Rows deleted from the end of the log leave the head (or a checkpoint) pointing past them.
    let report = if last_id < head_id
        || (last_id == head_id && head_id > 0 && prev != head_hash)
        || beyond.is_some()
    {
        ChainReport::broken(
            checked,
            last_id + 1,
            "the log ends before the recorded head of the chain",
        )
    } else {
        ChainReport {
            ok: true,
            rows: checked,
            broken_at: None,
            reason: None,
            anchor: ChainAnchor::Unanchored,
            anchored_through: None,
            anchored_at: None,
        }
    };
    Ok(anchored(report, checkpoints.as_deref()))
}

/// Adds to a report how the chain is anchored: with a key (`checkpoints` are then the valid
/// ones, possibly none yet), by the newest checkpoint; without one, by nothing.
fn anchored(mut report: ChainReport, checkpoints: Option<&[Checkpoint]>) -> ChainReport {
    let Some(checkpoints) = checkpoints else {
        return report;
    };
    report.anchor = ChainAnchor::Hmac;
    if let Some(last) = checkpoints.last() {
        report.anchored_through = Some(last.last_id);
        report.anchored_at = Some(last.at);
    }
    report
}

/// How often the head is signed, at most.
const CHECKPOINT_EVERY: chrono::Duration = chrono::Duration::minutes(1);

/// Signs the chain's head when it moved since the last checkpoint (and that one is at least
/// [`CHECKPOINT_EVERY`] old), if an audit key is configured. Returns whether it signed.
pub async fn checkpoint(state: &AppState) -> Result<bool, AppError> {
    let Some(key) = &state.settings.audit_key else {
        return Ok(false);
    };
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let latest = store::audit::latest_checkpoint_for_update(&mut tx).await?;
    let (head_id, head_hash) = store::audit::head(&mut tx).await?;
    let (prev_mac, signed_id, signed_at) = latest
        .map(|c| (c.mac, c.last_id, Some(c.at)))
        .unwrap_or_default();
    if head_id == signed_id || signed_at.is_some_and(|at| now - at < CHECKPOINT_EVERY) {
        return Ok(false);
    }
    let mac = checkpoint_mac(&key.0, head_id, &head_hash, now, &prev_mac);
    store::audit::insert_checkpoint(&mut tx, head_id, &head_hash, now, &prev_mac, &mac).await?;
    tx.commit().await?;
    Ok(true)
}

/// How many history entries an inventory object's page shows.
pub const HISTORY_SHOWN: i64 = 50;

/// The history of an inventory object (application, component, group or resource), newest
/// first: what the audit log holds about it. Anyone who may read the inventory may read it.
pub async fn history(
    state: &AppState,
    actor: &Actor,
    object_type: &str,
    id: i64,
) -> Result<Vec<AuditRecord>, AppError> {
    actor.require(Role::Viewer, "reading the inventory")?;
    if !["application", "component", "group", "resource"].contains(&object_type) {
        return Err(AppError::invalid(
            "object_type",
            "must be application, component, group or resource",
        ));
    }
    let mut conn = state.pool.acquire().await?;
    store::audit::of_object(&mut conn, object_type, &id.to_string(), HISTORY_SHOWN).await
}
