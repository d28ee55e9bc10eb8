//! Forwarding rules (administrators): keep the ordered list, test a rule against a sample
//! event and replay it over stored alarms; and hand ingestion the compiled rules, recompiled
//! only when some process changed them.

use super::Actor;
use super::audit::{Change, record};
use crate::domain::AppError;
use crate::domain::data_source::DataSourceKind;
use crate::domain::forwarding_rule::{
    CompiledRule, ForwardingRule, NewForwardingRule, REPLAY_DAYS_MAX, Replay, ReplayRequest,
    Replayed, RuleAction, RuleTest, RuleTestResult, RuleUpdate, Subject, replay,
};
use crate::domain::user::Role;
use crate::state::AppState;
use crate::store;
use chrono::Duration;
use sqlx::PgConnection;

const MANAGE: &str = "managing forwarding rules";
const READ: &str = "reading forwarding rules";
const OBJECT: &str = "forwarding_rule";
/// The most alarms one replay reads.
pub const REPLAY_LIMIT: i64 = 200_000;

async fn load(conn: &mut PgConnection, id: i64) -> Result<ForwardingRule, AppError> {
    store::forwarding_rules::find(conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("Forwarding rule", id))
}

pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<ForwardingRule>, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    store::forwarding_rules::list(&mut conn).await
}

pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<ForwardingRule, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    load(&mut conn, id).await
}

/// Checks what a rule names outside itself: its sources and its incident's application and
/// owner.
async fn check_refs(
    state: &AppState,
    actor: &Actor,
    conn: &mut PgConnection,
    rule: &NewForwardingRule,
) -> Result<(), AppError> {
    for id in &rule.data_source_ids {
        if store::data_sources::find(conn, *id).await?.is_none() {
            return Err(AppError::invalid(
                "data_source_ids",
                format!("no data source has id {id}"),
            ));
        }
    }
    if let RuleAction::Incident {
        owner,
        application_id,
        ..
    } = &rule.action
    {
        super::workflow::check_application(conn, *application_id).await?;
        // An on-call owner is resolved when the incident opens; the role must exist now.
        match owner {
            crate::domain::incident::Assignee::OnDuty { schedule_id, role } => {
                super::schedules::who_is_on_duty(state, actor, *schedule_id, role, None).await?;
                if !store::schedules::hold(conn, *schedule_id).await? {
                    return Err(AppError::not_found("Schedule", schedule_id));
                }
            }
            user => {
                super::incidents::resolve(state, conn, "action.owner", user).await?;
            }
        }
    }
    Ok(())
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    new: NewForwardingRule,
) -> Result<ForwardingRule, AppError> {
    actor.require(Role::Admin, MANAGE)?;
    let new = new.normalized()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    check_refs(state, actor, &mut tx, &new).await?;
    store::forwarding_rules::lock(&mut tx).await?;
    let id = store::forwarding_rules::insert(&mut tx, &new, now).await?;
    let rule = load(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new(OBJECT, id, "create").after(&rule),
    )
    .await?;
    tx.commit().await?;
    state.pipeline.forget();
    Ok(rule)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: i64,
    update: RuleUpdate,
) -> Result<ForwardingRule, AppError> {
    actor.require(Role::Admin, MANAGE)?;
    let new = update.rule.normalized()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    store::forwarding_rules::lock(&mut tx).await?;
    let before = load(&mut tx, id).await?;
    AppError::check_version("Forwarding rule", id, before.version, update.version)?;
    check_refs(state, actor, &mut tx, &new).await?;
    store::forwarding_rules::update(&mut tx, id, &new, now).await?;
    let after = load(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new(OBJECT, id, "update")
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    state.pipeline.forget();
    Ok(after)
}

/// Moves a rule to `position` (from 1) in the order; the others close up around it.
pub async fn move_to(
    state: &AppState,
    actor: &Actor,
    id: i64,
    position: i32,
) -> Result<Vec<ForwardingRule>, AppError> {
    actor.require(Role::Admin, MANAGE)?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    store::forwarding_rules::lock(&mut tx).await?;
    let rules = store::forwarding_rules::list(&mut tx).await?;
    let before = load(&mut tx, id).await?;
    let count = i32::try_from(rules.len()).unwrap_or(i32::MAX);
    if !(1..=count).contains(&position) {
        return Err(AppError::invalid("position", format!("must be 1–{count}")));
    }
    let mut ids: Vec<i64> = rules.iter().map(|r| r.id).filter(|r| *r != id).collect();
    ids.insert(usize::try_from(position - 1).unwrap_or_default(), id);
    store::forwarding_rules::reorder(&mut tx, &ids, now).await?;
    let after = load(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new(OBJECT, id, "move")
            .before(&before)
            .after(&after),
    )
    .await?;
    let rules = store::forwarding_rules::list(&mut tx).await?;
    tx.commit().await?;
    state.pipeline.forget();
    Ok(rules)
}

pub async fn delete(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    actor.require(Role::Admin, MANAGE)?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    store::forwarding_rules::lock(&mut tx).await?;
    let before = load(&mut tx, id).await?;
    store::forwarding_rules::delete(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new(OBJECT, id, "delete").before(&before),
    )
    .await?;
    tx.commit().await?;
    state.pipeline.forget();
    Ok(())
}

/// The rule a test or replay asks about: a saved one, or a draft (checked as a save would).
async fn subject_rule(
    conn: &mut PgConnection,
    rule_id: Option<i64>,
    draft: Option<NewForwardingRule>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<ForwardingRule, AppError> {
    match (rule_id, draft) {
        (Some(id), None) => load(conn, id).await,
        (None, Some(draft)) => {
            let position = store::forwarding_rules::list(conn)
                .await?
                .iter()
                .map(|r| r.position)
                .max()
                .unwrap_or(0)
                + 1;
            Ok(draft.normalized()?.draft(0, position, now))
        }
        _ => Err(AppError::invalid("rule_id", "give either rule_id or rule")),
    }
}

/// Tries a rule against one sample event in the generic format: which group matched, and
/// each condition's verdict against the event's value.
pub async fn test(
    state: &AppState,
    actor: &Actor,
    test: RuleTest,
) -> Result<RuleTestResult, AppError> {
    actor.require(Role::Admin, MANAGE)?;
    let now = state.now();
    let mut conn = state.pool.acquire().await?;
    let rule = CompiledRule::compile(subject_rule(&mut conn, test.rule_id, test.rule, now).await?)?;
    let body = serde_json::to_vec(&test.event).map_err(store::internal)?;
    let event = crate::domain::payload::parse(DataSourceKind::Generic, &body, now)
        .map_err(|e| match e {
            AppError::Validation { field, message } => {
                AppError::invalid(format!("event.{field}").trim_end_matches('.'), message)
            }
            other => other,
        })?
        .remove(0);
    let source = match test.data_source_id {
        Some(id) => Some(
            store::data_sources::find(&mut conn, id)
                .await?
                .ok_or_else(|| {
                    AppError::invalid("data_source_id", format!("no data source has id {id}"))
                })?,
        ),
        None => None,
    };
    let (resources, applications) = store::alarms::resolve_refs(
        &mut conn,
        event.resource.as_slice(),
        event.application.as_slice(),
    )
    .await?;
    let found = |map: &std::collections::BTreeMap<String, (i64, String)>, r: &Option<String>| {
        r.as_ref().map(|r| {
            map.get(r)
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| r.clone())
        })
    };
    let resource = found(&resources, &event.resource);
    let application = found(&applications, &event.application);
    let source_id = source.as_ref().map(|s| s.id);
    let subject = Subject {
        // Without a named source the rule's own first source (or none) stands in.
        source_id: source_id
            .or_else(|| rule.rule.data_source_ids.first().copied())
            .unwrap_or(0),
        source: source.as_ref().map(|s| s.name.as_str()).unwrap_or(""),
        name: &event.name,
        level: event.level,
        description: &event.description,
        resource: resource.as_deref(),
        application: application.as_deref(),
        labels: &event.labels,
    };
    let group = rule.matched_group(&subject);
    Ok(RuleTestResult {
        matched: group.is_some(),
        group,
        groups: rule.explain(&subject),
        source_applies: source_id.is_none_or(|id| {
            rule.rule.data_source_ids.is_empty() || rule.rule.data_source_ids.contains(&id)
        }),
        action: group.map(|_| rule.rule.action.kind().to_owned()),
    })
}

/// Replays a rule over the alarms first seen in the last `days` days, at its position among
/// the enabled rules (a draft goes last), counting the incidents it would have opened.
pub async fn replay_rule(
    state: &AppState,
    actor: &Actor,
    request: ReplayRequest,
) -> Result<Replay, AppError> {
    actor.require(Role::Admin, MANAGE)?;
    let days = request.days.unwrap_or(7);
    if !(1..=REPLAY_DAYS_MAX).contains(&days) {
        return Err(AppError::invalid(
            "days",
            format!("must be 1–{REPLAY_DAYS_MAX}"),
        ));
    }
    let now = state.now();
    let mut conn = state.pool.acquire().await?;
    let rule = subject_rule(&mut conn, request.rule_id, request.rule, now).await?;
    let earlier = super::pipeline::compile_all(
        store::forwarding_rules::list(&mut conn)
            .await?
            .into_iter()
            .filter(|r| {
                r.enabled
                    && r.id != rule.id
                    && (r.position, r.id)
                        < (rule.position, if rule.id == 0 { i64::MAX } else { rule.id })
            })
            .collect(),
    )?;
    let rule = CompiledRule::compile(rule)?;
    let alarms = store::alarms::since(&mut conn, now - Duration::days(days), REPLAY_LIMIT).await?;
    Ok(replay(
        &rule,
        &earlier,
        alarms.iter().map(|a| Replayed {
            subject: a.subject(),
            alarm_id: a.id,
            dedup_key: &a.dedup_key,
            first_seen: a.first_seen,
        }),
        days,
    ))
}
