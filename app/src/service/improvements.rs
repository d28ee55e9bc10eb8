//! Improvement tickets: open one (by hand or from an incident), find them, and take the actions
//! of SPEC §6, each checked against the domain's table, in the timeline and the audit log.

use super::Actor;
use super::tickets::{self, Step, application_name, check_application, log, user_name};
use crate::domain::AppError;
use crate::domain::improvement::{
    COMMENT_MAX, Improvement, ImprovementAction as A, ImprovementActionRequest, ImprovementDetail,
    ImprovementFilter, ImprovementStatus, NewImprovement, PROCESS_MAX, RULES, target,
};
use crate::domain::incident::{Assignee, check_len};
use crate::domain::list::{ListParams, Page, Sort};
use crate::domain::notification::NotificationKind;
use crate::domain::user::Role;
use crate::domain::workflow::{allowed, check, params};
use crate::state::AppState;
use crate::store;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::PgConnection;

const READ: &str = "reading improvements";
const TICKET: &str = "improvement";

async fn tell(
    conn: &mut PgConnection,
    actor: &Actor,
    who: i64,
    i: &Improvement,
    what: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let kind = match i.status {
        ImprovementStatus::ToVerify => NotificationKind::ToVerify,
        _ => NotificationKind::Assigned,
    };
    let title = format!("{} {what}: {}", i.number(), i.title);
    let link = format!("/improvements/{}", i.id);
    super::notifications::notify(conn, actor, &[who], kind, &title, &link, at).await
}

/// Opens an improvement inside the caller's transaction (an incident's action uses it too).
pub(crate) async fn create_in(
    state: &AppState,
    conn: &mut PgConnection,
    actor: &Actor,
    new: NewImprovement,
) -> Result<Improvement, AppError> {
    actor.require(Role::Operator, "opening improvements")?;
    let new = new.normalized()?;
    let now = state.now();
    check_application(conn, new.application_id).await?;
    let owner_id = super::incidents::resolve(state, conn, "owner", &new.owner).await?;
    let verifier_id = super::incidents::resolve(
        state,
        conn,
        "verifier_id",
        &Assignee::User {
            user_id: new.verifier_id,
        },
    )
    .await?;
    if verifier_id == owner_id {
        return Err(AppError::invalid(
            "verifier_id",
            "the verifier checks the owner's work; pick someone else",
        ));
    }
    let draft = Improvement {
        id: 0,
        title: new.title,
        description: new.description,
        source: new.source,
        source_id: new.source_id,
        application_id: new.application_id,
        owner_id,
        verifier_id,
        creator_id: actor.id(),
        due_on: new.due_on,
        status: ImprovementStatus::Pending,
        cause: String::new(),
        measures: String::new(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let stored = store::improvements::insert(conn, &draft).await?;
    log(
        conn,
        actor,
        now,
        Step {
            ticket: TICKET,
            id: stored.id,
            action: "create",
            comment: "",
            before: None,
            after: (&stored, stored.status.as_str()),
        },
        &[],
    )
    .await?;
    tell(
        conn,
        actor,
        stored.owner_id,
        &stored,
        "assigned to you",
        now,
    )
    .await?;
    Ok(stored)
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    new: NewImprovement,
) -> Result<Improvement, AppError> {
    let mut tx = state.pool.begin().await?;
    let stored = create_in(state, &mut tx, actor, new).await?;
    tx.commit().await?;
    Ok(stored)
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: &ImprovementFilter,
    params: &ListParams,
) -> Result<Page<Improvement>, AppError> {
    actor.require(Role::Viewer, READ)?;
    let window = params.window(
        store::improvements::SORTABLE,
        Sort {
            field: "id",
            descending: true,
        },
    )?;
    let mut conn = state.pool.acquire().await?;
    store::improvements::list(&mut conn, filter, window).await
}

fn actions_for(i: &Improvement, actor: &Actor) -> Vec<A> {
    allowed(RULES, i.status, i.party(actor.id(), actor.role()))
}

pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<ImprovementDetail, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    let improvement = store::improvements::find(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("Improvement", id))?;
    Ok(ImprovementDetail {
        owner_name: user_name(&mut conn, improvement.owner_id).await?,
        verifier_name: user_name(&mut conn, improvement.verifier_id).await?,
        application_name: application_name(&mut conn, improvement.application_id).await?,
        overdue: improvement.overdue(state.now()),
        history: store::history::of(&mut conn, TICKET, id).await?,
        actions: actions_for(&improvement, actor),
        improvement,
    })
}

pub async fn actions(state: &AppState, actor: &Actor, id: i64) -> Result<Vec<A>, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    let i = store::improvements::find(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("Improvement", id))?;
    Ok(actions_for(&i, actor))
}

#[derive(Deserialize)]
struct Process {
    cause: String,
    measures: String,
}

pub async fn act(
    state: &AppState,
    actor: &Actor,
    id: i64,
    request: ImprovementActionRequest,
) -> Result<Improvement, AppError> {
    actor.require(Role::Operator, "working improvements")?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = store::improvements::find_for_update(&mut tx, id).await?;
    AppError::check_version("Improvement", id, before.version, request.version)?;
    check(
        RULES,
        "An improvement",
        before.status,
        request.action,
        before.party(actor.id(), actor.role()),
    )?;
    let mut after = before.clone();
    let mut passed = false;
    let comment = match request.action {
        A::Accept => String::new(),
        A::Process => {
            let mut p: Process = params(&request.params)?;
            check_len("cause", &mut p.cause, 1, PROCESS_MAX)?;
            check_len("measures", &mut p.measures, 1, PROCESS_MAX)?;
            after.cause = p.cause;
            after.measures = p.measures;
            String::new()
        }
        A::Forward => {
            let comment;
            (after.owner_id, comment) =
                tickets::forward(state, &mut tx, &request.params, before.owner_id).await?;
            if after.owner_id == before.verifier_id {
                return Err(AppError::invalid(
                    "to",
                    "that is the verifier; the owner must be someone else",
                ));
            }
            comment
        }
        A::Verify => {
            let comment;
            (passed, comment) = tickets::verdict(&request.params, "passed", COMMENT_MAX)?;
            comment
        }
        A::Remark => tickets::remark(&request.params)?,
    };
    after.status = target(before.status, request.action, passed);
    let stored = store::improvements::update(&mut tx, &after, now).await?;
    log(
        &mut tx,
        actor,
        now,
        Step {
            ticket: TICKET,
            id,
            action: request.action.as_str(),
            comment: &comment,
            before: Some((&before, before.status.as_str())),
            after: (&stored, stored.status.as_str()),
        },
        &[],
    )
    .await?;
    let news = match request.action {
        A::Forward => Some((stored.owner_id, "forwarded to you")),
        A::Process => Some((stored.verifier_id, "done: please verify")),
        A::Verify if !passed => Some((stored.owner_id, "failed verification")),
        _ => None,
    };
    if let Some((who, what)) = news {
        tell(&mut tx, actor, who, &stored, what, now).await?;
    }
    tx.commit().await?;
    Ok(stored)
}
