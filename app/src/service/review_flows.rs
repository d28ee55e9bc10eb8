//! Review flows: administrators define them; a change's submission begins its review from the
//! flow for its type and risk level, with the people resolved then.

use super::Actor;
use super::audit::{Change as Audited, record};
use crate::domain::AppError;
use crate::domain::change::{Change, ChangeType};
use crate::domain::incident::Assignee;
use crate::domain::review::{Mode, NewReviewFlow, Review, ReviewFlow, Stage};
use crate::domain::user::Role;
use crate::state::AppState;
use crate::store;
use sqlx::PgConnection;

const OBJECT: &str = "review_flow";
const MANAGE: &str = "managing review flows";

pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<ReviewFlow>, AppError> {
    actor.require(Role::Viewer, "reading review flows")?;
    let mut conn = state.pool.acquire().await?;
    store::review_flows::all(&mut conn).await
}

/// Adds a flow; no two flows cover the same type and level (409 naming the one that does).
pub async fn create(
    state: &AppState,
    actor: &Actor,
    flow: NewReviewFlow,
) -> Result<ReviewFlow, AppError> {
    actor.require(Role::Admin, MANAGE)?;
    let flow = flow.normalized()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    for (i, stage) in flow.stages.iter().enumerate() {
        for approver in &stage.approvers {
            check_approver(state, &mut tx, &format!("stages[{i}].approvers"), approver).await?;
        }
    }
    store::review_flows::lock(&mut tx).await?;
    let taken =
        store::review_flows::covering(&mut tx, flow.change_type, &flow.levels, None).await?;
    if let Some(other) = taken.first() {
        let levels: Vec<&str> = other.levels.iter().map(|l| l.as_str()).collect();
        return Err(AppError::conflict(format!(
            "Review flow '{}' already covers {} changes at level {}.",
            other.name,
            other.change_type,
            levels.join(", ")
        )));
    }
    let stored = store::review_flows::insert(&mut tx, &flow, now).await?;
    record(
        &mut tx,
        actor,
        now,
        Audited::new(OBJECT, stored.id, "create").after(&stored),
    )
    .await?;
    tx.commit().await?;
    Ok(stored)
}

pub async fn delete(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    actor.require(Role::Admin, MANAGE)?;
    super::audit::remove(
        state,
        actor,
        (OBJECT, "Review flow", id),
        async |conn| store::review_flows::find(conn, id).await,
        async |conn| store::review_flows::delete(conn, id).await,
    )
    .await
}

/// A person who may approve (an active operator or administrator), or a schedule role that
/// exists.
async fn check_approver(
    state: &AppState,
    conn: &mut PgConnection,
    field: &str,
    approver: &Assignee,
) -> Result<(), AppError> {
    match approver {
        Assignee::User { .. } => super::incidents::resolve(state, conn, field, approver)
            .await
            .map(|_| ()),
        Assignee::OnDuty { schedule_id, role } => {
            super::schedules::on_duty_in(conn, *schedule_id, role, state.now())
                .await
                .map(|_| ())
                .map_err(|e| AppError::invalid(field, e.to_string()))
        }
    }
}

/// The review `change`'s submission begins: its flow's stages with the people resolved now
/// (whoever is on duty for a role), or, without a flow, one stage any active administrator
/// finishes. A stage left with nobody is a 409 naming it. A standard change has none.
pub(crate) async fn begin(
    state: &AppState,
    conn: &mut PgConnection,
    change: &Change,
) -> Result<Option<Review>, AppError> {
    if change.change_type == ChangeType::Standard {
        return Ok(None);
    }
    let flow = store::review_flows::covering(conn, change.change_type, &[change.level], None)
        .await?
        .into_iter()
        .next();
    let Some(flow) = flow else {
        let admins = store::users::active_admins(conn).await?;
        return Ok(Some(Review::begin(
            None,
            vec![Stage {
                name: "Administrators".into(),
                mode: Mode::Any,
                approvers: admins,
                approvals: vec![],
            }],
        )));
    };
    let mut stages = Vec::with_capacity(flow.stages.len());
    for def in &flow.stages {
        let mut approvers = Vec::new();
        let mut missing = Vec::new();
        for a in &def.approvers {
            match super::incidents::resolve(state, conn, "approvers", a).await {
                Ok(id) if !approvers.contains(&id) => approvers.push(id),
                Ok(_) => {}
                Err(e) => missing.push(e.to_string()),
            }
        }
        if approvers.is_empty() {
            return Err(AppError::conflict(format!(
                "Stage '{}' of review flow '{}' has nobody to approve now ({}).",
                def.name,
                flow.name,
                missing.join("; ")
            )));
        }
        stages.push(Stage {
            name: def.name.clone(),
            mode: def.mode,
            approvers,
            approvals: vec![],
        });
    }
    Ok(Some(Review::begin(Some(flow.name), stages)))
}
