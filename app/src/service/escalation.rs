//! Escalation of incidents nobody accepts in time: first to the next person in the on-call role
//! the incident was assigned through, then, one more time to accept later, to every
//! administrator. Each step is a timeline line, an audit record and a notification (in the
//! console and through each person's channels).

use super::Actor;
use super::workflow::{Step, log};
use crate::domain::AppError;
use crate::domain::notification::NotificationKind;
use crate::state::AppState;
use crate::store;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// The last step: everyone who administers Opsroom has been told.
pub const FINAL_STEP: i32 = 2;
const TICKET: &str = "incident";

/// Escalates every incident whose time to accept ran out at its current step; returns how many
/// steps were taken. Safe in several processes at once (rows are taken with SKIP LOCKED).
pub async fn escalate_due(state: &AppState) -> Result<usize, AppError> {
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let due = store::incidents::escalation_due(&mut tx, now, FINAL_STEP).await?;
    let mut taken = 0;
    for (incident_id, step) in due {
        escalate(&mut tx, incident_id, step, now).await?;
        taken += 1;
    }
    tx.commit().await?;
    Ok(taken)
}

async fn escalate(
    tx: &mut PgConnection,
    id: i64,
    step: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let incident = store::incidents::find_for_update(tx, id).await?;
    let duty = store::incidents::duty_of(tx, id).await?;
    let next = match (step, duty) {
        (0, Some((schedule, role))) => store::schedules::roles(tx, schedule)
            .await?
            .into_iter()
            .find(|r| r.spec.name == role)
            .and_then(|r| r.spec.next_in_line(incident.owner_id))
            .map(|user| (user, format!("the next on call for '{role}'"))),
        _ => None,
    };
    let (targets, whom, new_step) = match next {
        Some((user, whom)) => (vec![user], whom, 1),
        None => (
            store::users::active_admins(tx).await?,
            "the administrators".to_owned(),
            FINAL_STEP,
        ),
    };
    let names = {
        let mut names = Vec::new();
        for t in &targets {
            names.push(super::workflow::user_name(tx, *t).await?);
        }
        names.join(", ")
    };
    store::incidents::mark_escalated(tx, id, new_step, now).await?;
    let system = Actor::system();
    let waited = incident
        .accept_due_at
        .map(|due| crate::domain::sla::span(due - incident.created_at))
        .unwrap_or_default();
    let comment = format!("Not accepted within {waited}: escalated to {whom} ({names}).");
    log(
        tx,
        &system,
        now,
        Step {
            ticket: TICKET,
            id,
            action: "escalate",
            comment: &comment,
            before: Some((&incident, incident.status.as_str())),
            after: (&incident, incident.status.as_str()),
        },
        &[],
    )
    .await?;
    let title = format!(
        "{} not accepted in time: {}",
        incident.number(),
        incident.title
    );
    super::notifications::notify(
        tx,
        &system,
        &targets,
        NotificationKind::Escalated,
        &title,
        &format!("/incidents/{id}"),
        now,
    )
    .await
}

/// Incidents past their time to accept that have not reached the last step: what `/metrics`
/// shows as overdue escalations.
pub async fn overdue(state: &AppState) -> Result<i64, AppError> {
    let mut conn = state.pool.acquire().await?;
    store::incidents::escalations_overdue(&mut conn, state.now(), FINAL_STEP).await
}
