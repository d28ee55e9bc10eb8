//! Service levels: the targets per incident level (administrators edit them), the due times
//! of each incident, and finding breaches.

use super::Actor;
use super::audit::{Change, record};
use crate::domain::AppError;
use crate::domain::incident::{Incident, IncidentStatus, Level};
use crate::domain::notification::NotificationKind;
use crate::domain::sla::{SlaEdit, SlaPolicy, span};
use crate::domain::user::Role;
use crate::state::AppState;
use crate::store;
use sqlx::PgConnection;

pub async fn policies(state: &AppState, actor: &Actor) -> Result<Vec<SlaPolicy>, AppError> {
    actor.require(Role::Viewer, "reading service levels")?;
    let mut conn = state.pool.acquire().await?;
    store::incidents::policies(&mut conn).await
}

/// Sets an incident's due times from its level's targets, counted from when it was opened.
pub async fn set_dues(conn: &mut PgConnection, incident: &mut Incident) -> Result<(), AppError> {
    let policy = store::incidents::policies(conn)
        .await?
        .into_iter()
        .find(|p| p.level == incident.level)
        .ok_or_else(|| store::internal(format!("no service level for {}", incident.level)))?;
    let (accept, resolve) = policy.due(incident.created_at);
    incident.accept_due_at = Some(accept);
    incident.resolve_due_at = Some(resolve);
    Ok(())
}

/// Changes one level's targets; incidents opened from now on use them.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    level: Level,
    edit: SlaEdit,
) -> Result<SlaPolicy, AppError> {
    actor.require(Role::Admin, "changing service levels")?;
    edit.check()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = store::incidents::policy_for_update(&mut tx, level).await?;
    if before.version != edit.version {
        return Err(AppError::StaleVersion {
            object: format!("The service level of {level}"),
            current: before.version,
        });
    }
    let after = store::incidents::update_policy(
        &mut tx,
        level,
        edit.accept_minutes,
        edit.resolve_minutes,
        now,
    )
    .await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("sla_policy", level, "update")
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Marks, as the system, every incident whose time to accept or to resolve has run out, with a
/// line in its history; returns how many breaches were found. Safe across server processes.
pub async fn mark_breaches(state: &AppState) -> Result<usize, AppError> {
    let actor = Actor::system();
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let due = store::incidents::breaching(&mut tx, now, 100).await?;
    let mut found = 0;
    for before in &due {
        let mut after = before.clone();
        let mut what = Vec::new();
        if before.status == IncidentStatus::Unaccepted
            && before.accept_breached_at.is_none()
            && let Some(at) = before.accept_due_at.filter(|at| *at <= now)
        {
            after.accept_breached_at = Some(now);
            what.push(format!(
                "not accepted within {}",
                span(at - before.created_at)
            ));
        }
        if before.resolve_breached_at.is_none()
            && let Some(at) = before.resolve_due_at.filter(|at| *at <= now)
        {
            after.resolve_breached_at = Some(now);
            what.push(format!(
                "not resolved within {}",
                span(at - before.created_at)
            ));
        }
        if what.is_empty() {
            continue;
        }
        found += what.len();
        let comment = what.join("; ");
        let stored =
            super::workflow::save(&mut tx, &actor, now, before, &after, "sla_breach", &comment)
                .await?;
        super::incidents::tell(&mut tx, &actor, &stored, NotificationKind::SlaBreach, now).await?;
    }
    tx.commit().await?;
    Ok(found)
}
