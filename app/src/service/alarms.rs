//! Alarms: ingesting pushed events (dedup, clear, forwarding rules, silence), the Active and
//! History lists, clearing by hand, converting alarms into an incident, and the retention purge.

use super::Actor;
use super::audit::{Change, record};
use super::workflow::{Step, log};
use crate::domain::AppError;
use crate::domain::alarm::{
    Alarm, AlarmDetail, AlarmFilter, AlarmStatus, ClearAlarm, ConvertAlarms, Event, EventOutcome,
    EventResult, EventStatus, Ingested, number,
};
use crate::domain::data_source::DataSourceKind;
use crate::domain::forwarding_rule::{CompiledRule, RuleAction, Subject, first_match};
use crate::domain::incident::{DESCRIPTION_MAX, Incident, IncidentSource, NewIncident, TITLE_MAX};
use crate::domain::list::{ListParams, Page, Sort};
use crate::domain::numbering::Prefix;
use crate::domain::user::Role;
use crate::state::AppState;
use crate::store;
use crate::store::alarms::Raise;
use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;

const READ: &str = "reading alarms";
const TICKET: &str = "alarm";
/// How many times a push retries its transaction after a deadlock with a concurrent push.
const ATTEMPTS: usize = 3;
/// Pushes of at most this many events share the writer's statements; bigger ones are a batch
/// already and write on their own connection, in parallel with the others.
const SHARED_EVENTS: usize = 10;
/// Rows the retention purge deletes per statement.
const PURGE_BATCH: i64 = 5_000;

/// What the rules decided for one event before anything is written.
#[derive(Clone, Copy)]
enum Decision {
    /// Clear the key's active alarm.
    Clear,
    Drop,
    /// Raise or repeat; `rule` is the matching rule's index, if any.
    Raise {
        rule: Option<usize>,
    },
}

/// Accepts a push of `kind` for the source whose key is `key`: every event is committed (or
/// none is) before this returns, and the answer names each event's alarm.
pub async fn ingest(
    state: &AppState,
    kind: DataSourceKind,
    key: &str,
    body: &[u8],
) -> Result<Ingested, AppError> {
    let now = state.now();
    let (source, rules) = state
        .pipeline
        .lookup(&state.pool, &super::data_sources::key_hash(key))
        .await?;
    let (source_id, source_name) = match source {
        Some(s) if s.enabled && s.kind == kind.as_str() => (s.id, s.name),
        _ => {
            return Err(AppError::not_found(
                format!("An enabled {kind} data source with key"),
                format!("…{}", crate::domain::data_source::key_hint(key)),
            ));
        }
    };
    let events = crate::domain::payload::parse(kind, body, now)?;
    let resource_refs = distinct(events.iter().filter_map(|e| e.resource.clone()));
    let application_refs = distinct(events.iter().filter_map(|e| e.application.clone()));
    let (resources, applications) = if resource_refs.is_empty() && application_refs.is_empty() {
        Default::default()
    } else {
        let mut conn = state.pool.acquire().await?;
        store::alarms::resolve_refs(&mut conn, &resource_refs, &application_refs).await?
    };
    let matched = |map: &BTreeMap<String, (i64, String)>, r: &Option<String>| {
        r.as_ref().and_then(|r| map.get(r).cloned())
    };
    let mut raises: Vec<Option<Raise>> = Vec::with_capacity(events.len());
    let mut decisions = Vec::with_capacity(events.len());
    for e in &events {
        let resource = matched(&resources, &e.resource);
        let application = matched(&applications, &e.application);
        let decision = if e.status == EventStatus::Ok {
            Decision::Clear
        } else {
            let subject = Subject {
                source_id,
                source: &source_name,
                name: &e.name,
                level: e.level,
                description: &e.description,
                resource: resource
                    .as_ref()
                    .map(|r| r.1.as_str())
                    .or(e.resource.as_deref()),
                application: application
                    .as_ref()
                    .map(|a| a.1.as_str())
                    .or(e.application.as_deref()),
                labels: &e.labels,
            };
            match first_match(&rules, &subject) {
                Some((rule, _)) if rule.rule.action == RuleAction::Drop => Decision::Drop,
                Some((rule, _)) => Decision::Raise {
                    rule: rules.iter().position(|r| std::ptr::eq(r, rule)),
                },
                None => Decision::Raise { rule: None },
            }
        };
        raises.push(match decision {
            Decision::Raise { rule } => Some(raise_of(
                source_id,
                e,
                rule.map(|i| &rules[i]),
                resource,
                application,
            )),
            _ => None,
        });
        decisions.push(decision);
    }
    // A deadlock with a concurrent push (or a lost connection) fails the whole transaction,
    // so nothing was written: try again before answering.
    let mut attempt = 1;
    loop {
        match write(state, source_id, &events, &decisions, &raises, &rules, now).await {
            Err(AppError::Unavailable { .. }) if attempt < ATTEMPTS => attempt += 1,
            Ok(ingested) => {
                state.ingest_tally.add(source_id, &ingested.results);
                return Ok(ingested);
            }
            result => return result,
        }
    }
}

fn distinct(refs: impl Iterator<Item = String>) -> Vec<String> {
    let mut refs: Vec<String> = refs.collect();
    refs.sort_unstable();
    refs.dedup();
    refs
}

fn raise_of(
    source: i64,
    e: &Event,
    rule: Option<&CompiledRule>,
    resource: Option<(i64, String)>,
    application: Option<(i64, String)>,
) -> Raise {
    let (level, group_key) = match rule.map(|r| (&r.rule.action, r)) {
        Some((RuleAction::AlarmOnly { level: Some(l) }, _)) => (*l, None),
        Some((RuleAction::Incident { .. }, r)) => {
            (e.level, Some(r.group_key(&e.dedup_key, &e.labels)))
        }
        _ => (e.level, None),
    };
    Raise {
        data_source_id: source,
        dedup_key: e.dedup_key.clone(),
        name: e.name.clone(),
        level,
        description: e.description.clone(),
        labels: serde_json::to_value(&e.labels).unwrap_or_default(),
        url: e.url.clone(),
        resource_ref: e.resource.clone(),
        resource_id: resource.map(|r| r.0),
        application_ref: e.application.clone(),
        application_id: application.map(|a| a.0),
        time: e.time,
        rule_id: rule.map(|r| r.rule.id),
        group_key,
    }
}

/// Writes one push in one transaction. Events are applied in rounds holding at most one event
/// per key (the n-th event of every key goes into round n), so a batch that raises, repeats and
/// clears the same key ends as if its events had come one by one.
async fn write(
    state: &AppState,
    source: i64,
    events: &[Event],
    decisions: &[Decision],
    raises: &[Option<Raise>],
    rules: &[CompiledRule],
    now: DateTime<Utc>,
) -> Result<Ingested, AppError> {
    let mut results: Vec<EventResult> = decisions
        .iter()
        .map(|d| EventResult {
            outcome: match d {
                Decision::Drop => EventOutcome::Dropped,
                Decision::Clear => EventOutcome::NothingToClear,
                Decision::Raise { .. } => EventOutcome::Raised,
            },
            alarm_id: None,
            incident_id: None,
        })
        .collect();
    let mut rounds: Vec<Vec<usize>> = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, d) in decisions.iter().enumerate() {
        if matches!(d, Decision::Drop) {
            continue;
        }
        let n = seen.entry(events[i].dedup_key.as_str()).or_insert(0);
        if rounds.len() <= *n {
            rounds.push(Vec::new());
        }
        rounds[*n].push(i);
        *n += 1;
    }
    // One statement needs no transaction of its own: raises go to the shared writer, which
    // batches them with other pushes; clears run alone. More (rounds, a mix, or incidents to
    // open) share one transaction, so a push is all or nothing.
    let opens_incidents = decisions.iter().any(|d| match d {
        Decision::Raise { rule: Some(r) } => {
            matches!(rules[*r].rule.action, RuleAction::Incident { .. })
        }
        _ => false,
    });
    let is_clear = |i: &usize| matches!(decisions[*i], Decision::Clear);
    let mut tx = match rounds.as_slice() {
        [only] if !opens_incidents && !only.iter().any(is_clear) && only.len() <= SHARED_EVENTS => {
            Work::Shared
        }
        [only] if !opens_incidents && (only.iter().all(is_clear) || !only.iter().any(is_clear)) => {
            Work::Single(state.pool.acquire().await?)
        }
        _ => Work::Transaction(state.pool.begin().await?),
    };
    let mut new_alarms: Vec<(usize, i64)> = Vec::new();
    for round in &rounds {
        let (clears, raised): (Vec<usize>, Vec<usize>) = round
            .iter()
            .partition(|i| matches!(decisions[**i], Decision::Clear));
        if !raised.is_empty() {
            let batch: Vec<Raise> = raised.iter().filter_map(|i| raises[*i].clone()).collect();
            let by_key: HashMap<String, usize> = raised
                .iter()
                .map(|i| (events[*i].dedup_key.clone(), *i))
                .collect();
            let rows = match &mut tx {
                Work::Shared => state.pipeline.raise_shared(&state.pool, batch).await?,
                Work::Single(conn) => store::alarms::raise(conn, &batch).await?,
                Work::Transaction(t) => store::alarms::raise(t, &batch).await?,
            };
            for row in rows {
                let Some(&i) = by_key.get(&row.dedup_key) else {
                    continue;
                };
                results[i].alarm_id = Some(row.id);
                results[i].incident_id = row.incident_id;
                if row.raised {
                    new_alarms.push((i, row.id));
                } else {
                    results[i].outcome = EventOutcome::Repeated;
                }
            }
        }
        if !clears.is_empty() {
            let keys: Vec<String> = clears
                .iter()
                .map(|i| events[*i].dedup_key.clone())
                .collect();
            let times: Vec<DateTime<Utc>> = clears.iter().map(|i| events[*i].time).collect();
            let by_key: HashMap<&str, usize> = clears
                .iter()
                .map(|i| (events[*i].dedup_key.as_str(), *i))
                .collect();
            let conn: &mut PgConnection = match &mut tx {
                Work::Single(conn) => conn,
                Work::Transaction(t) => t,
                Work::Shared => return Err(store::internal("a clear in a raise-only push")),
            };
            for row in store::alarms::clear_by_source(conn, source, &keys, &times).await? {
                if let Some(&i) = by_key.get(row.dedup_key.as_str()) {
                    results[i].alarm_id = Some(row.id);
                    results[i].outcome = EventOutcome::Cleared;
                }
            }
        }
    }
    for (i, alarm_id) in new_alarms {
        let Decision::Raise { rule: Some(r) } = decisions[i] else {
            continue;
        };
        let rule = &rules[r];
        if let RuleAction::Incident { .. } = rule.rule.action {
            let Work::Transaction(t) = &mut tx else {
                return Err(store::internal("an incident outside a transaction"));
            };
            let incident = open_or_join(state, t, rule, &events[i], alarm_id, now).await?;
            results[i].incident_id = incident;
        }
    }
    if let Work::Transaction(tx) = tx {
        tx.commit().await?;
    }
    if !rounds.is_empty() {
        state.alarms_changed.store(true, Ordering::Relaxed);
    }
    Ok(Ingested {
        accepted: events.len(),
        alarm_ids: results.iter().map(|r| r.alarm_id).collect(),
        results,
    })
}

/// Where a push writes: the shared writer (one statement of raises, batched with other
/// pushes), one statement on its own connection, or several in a transaction.
enum Work {
    Shared,
    Single(sqlx::pool::PoolConnection<sqlx::Postgres>),
    Transaction(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Records in the audit log what pushes did since the last call (per data source: alarms
/// raised, with their ids, repeated, cleared, dropped, and joined to or opening incidents), as
/// one record: per-event records would serialize every push on the audit chain. Called by the
/// workers; returns whether there was anything to record.
pub async fn record_ingest(state: &AppState) -> Result<bool, AppError> {
    let tally = state.ingest_tally.take();
    if tally.is_empty() {
        return Ok(false);
    }
    let mut tx = state.pool.begin().await?;
    record(
        &mut tx,
        &Actor::system(),
        state.now(),
        Change::new(TICKET, "", "ingest").after(&tally),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Sends one live notice for the alarms pushes changed since the last call, if any: called on a
/// short timer by the server, so open alarm pages follow within a second.
pub async fn announce_changes(state: &AppState) -> Result<bool, AppError> {
    if !state.alarms_changed.swap(false, Ordering::Relaxed) {
        return Ok(false);
    }
    let mut conn = state.pool.acquire().await?;
    store::audit::announce(&mut conn, TICKET, "", "ingest").await?;
    Ok(true)
}

/// A rule's incident for a new alarm: the open one of its silence group, else a new one for the
/// rule's owner (an administrator when the owner cannot take it now, so nothing is dropped).
async fn open_or_join(
    state: &AppState,
    tx: &mut PgConnection,
    rule: &CompiledRule,
    event: &Event,
    alarm_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<i64>, AppError> {
    let RuleAction::Incident {
        level,
        category,
        owner,
        application_id,
    } = &rule.rule.action
    else {
        return Ok(None);
    };
    let group_key = rule.group_key(&event.dedup_key, &event.labels);
    store::alarms::lock_group(tx, rule.rule.id, &group_key).await?;
    if rule.rule.silence
        && let Some(open) =
            store::alarms::silenced_by(tx, rule.rule.id, &group_key, rule.silence_since(now))
                .await?
    {
        store::alarms::link(tx, &[alarm_id], open).await?;
        return Ok(Some(open));
    }
    let system = Actor::system();
    let (owner_id, note) = match super::incidents::resolve(state, tx, "owner", owner).await {
        Ok(id) => (id, String::new()),
        Err(e) => match store::users::active_admins(tx).await?.first() {
            Some(admin) => (
                *admin,
                format!(" The rule's owner could not take it ({e}); assigned to an administrator."),
            ),
            None => {
                tracing::warn!(rule = rule.rule.id, error = %e, "no owner for a rule's incident");
                return Ok(None);
            }
        },
    };
    let alarm_application = store::alarms::find(tx, alarm_id)
        .await?
        .and_then(|a| a.application_id);
    let new = NewIncident {
        title: event.name.chars().take(TITLE_MAX).collect(),
        description: event.description.chars().take(DESCRIPTION_MAX).collect(),
        level: *level,
        category: *category,
        application_id: application_id.or(alarm_application),
        region: String::new(),
        owner: owner.clone(),
    };
    let comment = format!(
        "Opened by forwarding rule '{}' for alarm {}.{note}",
        rule.rule.name,
        number(alarm_id)
    );
    let incident = super::incidents::open(
        state,
        &system,
        tx,
        new,
        IncidentSource::ForwardingRule,
        owner_id,
        &comment,
    )
    .await?;
    store::alarms::link(tx, &[alarm_id], incident.id).await?;
    Ok(Some(incident.id))
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: &AlarmFilter,
    params: &ListParams,
) -> Result<Page<Alarm>, AppError> {
    actor.require(Role::Viewer, READ)?;
    // The newest raised first, as peers list alerts. By last seen would lift a repeating alarm
    // to the top, but then every repeat moves an indexed column and loses its HOT update, the
    // cheapest write ingestion makes; `sort=-last_seen` still asks for it.
    let window = params.window(
        store::alarms::SORTABLE,
        Sort {
            field: "id",
            descending: true,
        },
    )?;
    let mut conn = state.pool.acquire().await?;
    store::alarms::list(&mut conn, filter, window).await
}

async fn load(conn: &mut PgConnection, id: i64) -> Result<Alarm, AppError> {
    store::alarms::find(conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("Alarm", id))
}

pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<AlarmDetail, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    let alarm = load(&mut conn, id).await?;
    let incident_title = match alarm.incident_id {
        Some(i) => store::incidents::find(&mut conn, i).await?.map(|i| i.title),
        None => None,
    };
    Ok(AlarmDetail {
        history: store::history::of(&mut conn, TICKET, id).await?,
        alarm,
        incident_title,
    })
}

/// Clears an active alarm by hand, saying whether the service was interrupted.
pub async fn clear(
    state: &AppState,
    actor: &Actor,
    id: i64,
    request: ClearAlarm,
) -> Result<Alarm, AppError> {
    actor.require(Role::Operator, "clearing alarms")?;
    let now = state.now();
    let request = request.normalized(now)?;
    let mut tx = state.pool.begin().await?;
    let before = store::alarms::lock_many(&mut tx, &[id])
        .await?
        .pop()
        .ok_or_else(|| AppError::not_found("Alarm", id))?;
    if before.status == AlarmStatus::Cleared {
        return Err(AppError::conflict(format!(
            "alarm {} is cleared already",
            before.number()
        )));
    }
    let after = Alarm {
        status: AlarmStatus::Cleared,
        cleared_at: Some(now),
        cleared_by: Some(actor.name().to_owned()),
        service_interrupted: request.service_interrupted,
        fault_started_at: request.fault_started_at,
        recovered_at: request.recovered_at,
        remark: request.remark.clone(),
        ..before.clone()
    };
    store::alarms::clear(&mut tx, &after, actor.name()).await?;
    log(
        &mut tx,
        actor,
        now,
        Step {
            ticket: TICKET,
            id,
            action: "clear",
            comment: &request.remark,
            before: Some((&before, before.status.as_str())),
            after: (&after, after.status.as_str()),
        },
        &[],
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Turns one or several alarms into one new incident, linked both ways.
pub async fn convert(
    state: &AppState,
    actor: &Actor,
    request: ConvertAlarms,
) -> Result<Incident, AppError> {
    actor.require(Role::Operator, "converting alarms into incidents")?;
    let request = request.normalized()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let alarms = store::alarms::lock_many(&mut tx, &request.alarm_ids).await?;
    if let Some(missing) = request
        .alarm_ids
        .iter()
        .find(|id| !alarms.iter().any(|a| a.id == **id))
    {
        return Err(AppError::invalid(
            "alarm_ids",
            format!("no alarm has id {missing}"),
        ));
    }
    if let Some(linked) = alarms.iter().find(|a| a.incident_id.is_some()) {
        return Err(AppError::conflict(format!(
            "alarm {} belongs to incident {} already",
            linked.number(),
            Prefix::Incident.number(linked.incident_id.unwrap_or_default())
        )));
    }
    let first = &alarms[0];
    let title = if request.title.is_empty() {
        first.name.chars().take(TITLE_MAX).collect()
    } else {
        request.title.clone()
    };
    let numbers: Vec<String> = alarms.iter().map(Alarm::number).collect();
    let description: String = alarms
        .iter()
        .map(|a| format!("{} {} ({}, {}×)", a.number(), a.name, a.level, a.count))
        .collect::<Vec<_>>()
        .join("\n")
        .chars()
        .take(DESCRIPTION_MAX)
        .collect();
    let application_id = request.application_id.or(first.application_id);
    super::workflow::check_application(&mut tx, application_id).await?;
    let owner_id = super::incidents::resolve(state, &mut tx, "owner", &request.owner).await?;
    let new = NewIncident {
        title,
        description,
        level: request.level,
        category: request.category,
        application_id,
        region: String::new(),
        owner: request.owner.clone(),
    }
    .normalized()?;
    let comment = format!("Converted from {}.", numbers.join(", "));
    let incident = super::incidents::open(
        state,
        actor,
        &mut tx,
        new,
        IncidentSource::Alarm,
        owner_id,
        &comment,
    )
    .await?;
    store::alarms::link(&mut tx, &request.alarm_ids, incident.id).await?;
    for before in &alarms {
        let after = Alarm {
            incident_id: Some(incident.id),
            ..before.clone()
        };
        log(
            &mut tx,
            actor,
            now,
            Step {
                ticket: TICKET,
                id: before.id,
                action: "convert",
                comment: &incident.number(),
                before: Some((before, before.status.as_str())),
                after: (&after, after.status.as_str()),
            },
            &[],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(incident)
}

/// Deletes cleared alarms older than the retention period; returns how many went.
pub async fn purge(state: &AppState) -> Result<u64, AppError> {
    let before = state.now() - Duration::days(state.settings.alarm_retention_days);
    let mut total = 0;
    loop {
        let mut tx = state.pool.begin().await?;
        let ids = store::alarms::purge(&mut tx, before, PURGE_BATCH).await?;
        let n = ids.len();
        if n > 0 {
            record(
                &mut tx,
                &Actor::system(),
                state.now(),
                Change::new(TICKET, "", "purge").before(&serde_json::json!({
                    "cleared_before": before,
                    "count": n,
                    "ids": ids,
                })),
            )
            .await?;
        }
        tx.commit().await?;
        total += u64::try_from(n).unwrap_or(u64::MAX);
        if n < usize::try_from(PURGE_BATCH).unwrap_or(usize::MAX) {
            return Ok(total);
        }
    }
}
