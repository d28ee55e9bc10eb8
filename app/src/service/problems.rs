//! Problems: open one, find them, and take the actions of SPEC §6, each checked against the
//! domain's table, in the timeline and the audit log. A suspension stops the resolve clock:
//! the time spent suspended is added to the due time on resume.

use super::Actor;
use super::tickets::{self, Step, application_name, check_application, log, user_name};
use crate::domain::AppError;
use crate::domain::incident::check_len;
use crate::domain::list::{ListParams, Page, Sort};
use crate::domain::notification::NotificationKind;
use crate::domain::problem::{
    NewProblem, Problem, ProblemAction as A, ProblemActionRequest, ProblemDetail, ProblemFilter,
    ProblemLevel, ProblemStatus, REASON_MAX, SOLUTION_MAX, allowed, check, target,
};
use crate::domain::user::Role;
use crate::domain::workflow::params;
use crate::state::AppState;
use crate::store;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::PgConnection;

const READ: &str = "reading problems";
const TICKET: &str = "problem";

async fn tell(
    conn: &mut PgConnection,
    actor: &Actor,
    who: Option<i64>,
    kind: NotificationKind,
    p: &Problem,
    what: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let Some(who) = who else { return Ok(()) };
    let title = format!("{} {what}: {}", p.number(), p.title);
    let link = format!("/problems/{}", p.id);
    super::notifications::notify(conn, actor, &[who], kind, &title, &link, at).await
}

/// Opens a problem inside the caller's transaction.
pub(crate) async fn create_in(
    state: &AppState,
    conn: &mut PgConnection,
    actor: &Actor,
    new: NewProblem,
) -> Result<Problem, AppError> {
    actor.require(Role::Operator, "opening problems")?;
    let new = new.normalized()?;
    let now = state.now();
    check_application(conn, new.application_id).await?;
    let owner_id = super::incidents::resolve(state, conn, "owner", &new.owner).await?;
    let mut draft = Problem {
        id: 0,
        title: new.title,
        description: new.description,
        level: new.level,
        source: new.source,
        source_id: new.source_id,
        application_id: new.application_id,
        owner_id,
        creator_id: actor.id(),
        status: ProblemStatus::Unaccepted,
        suspension_request: None,
        suspended_at: None,
        suspended_seconds: 0,
        resolve_due_at: now,
        breached_at: None,
        root_cause: String::new(),
        solution: String::new(),
        change_needed: false,
        change_ref: String::new(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    draft.resolve_due_at = draft.due();
    let stored = store::problems::insert(conn, &draft).await?;
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
        Some(stored.owner_id),
        NotificationKind::Assigned,
        &stored,
        "assigned to you",
        now,
    )
    .await?;
    Ok(stored)
}

pub async fn create(state: &AppState, actor: &Actor, new: NewProblem) -> Result<Problem, AppError> {
    let mut tx = state.pool.begin().await?;
    let stored = create_in(state, &mut tx, actor, new).await?;
    tx.commit().await?;
    Ok(stored)
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: &ProblemFilter,
    params: &ListParams,
) -> Result<Page<Problem>, AppError> {
    actor.require(Role::Viewer, READ)?;
    let window = params.window(
        store::problems::SORTABLE,
        Sort {
            field: "id",
            descending: true,
        },
    )?;
    let mut conn = state.pool.acquire().await?;
    store::problems::list(&mut conn, filter, window).await
}

fn actions_for(p: &Problem, actor: &Actor) -> Vec<A> {
    allowed(
        p.status,
        p.party(actor.id(), actor.role()),
        p.suspension_request.is_some(),
    )
}

pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<ProblemDetail, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    let problem = store::problems::find(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("Problem", id))?;
    let creator_name = match problem.creator_id {
        Some(c) => Some(user_name(&mut conn, c).await?),
        None => Some("system".to_owned()),
    };
    Ok(ProblemDetail {
        owner_name: user_name(&mut conn, problem.owner_id).await?,
        creator_name,
        application_name: application_name(&mut conn, problem.application_id).await?,
        history: store::history::of(&mut conn, TICKET, id).await?,
        actions: actions_for(&problem, actor),
        attachments: store::attachments::of(&mut conn, TICKET, id).await?,
        problem,
    })
}

pub async fn actions(state: &AppState, actor: &Actor, id: i64) -> Result<Vec<A>, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    let p = store::problems::find(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("Problem", id))?;
    Ok(actions_for(&p, actor))
}

/// Writes a change of a problem with its timeline line and its audit record, inside the
/// caller's transaction; returns the problem as stored.
async fn save(
    conn: &mut PgConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    before: &Problem,
    after: &Problem,
    action: &str,
    comment: &str,
) -> Result<Problem, AppError> {
    let stored = store::problems::update(conn, after, now).await?;
    log(
        conn,
        actor,
        now,
        Step {
            ticket: TICKET,
            id: before.id,
            action,
            comment,
            before: Some((before, before.status.as_str())),
            after: (&stored, stored.status.as_str()),
        },
        // The comment says these already.
        &["suspension_request", "suspended_at", "breached_at"],
    )
    .await?;
    Ok(stored)
}

/// Marks, as the system, every open problem whose time to close has run out (suspended ones
/// are not counted), with a timeline line and a notification to its owner; returns how many.
/// Safe across server processes.
pub async fn mark_breaches(state: &AppState) -> Result<usize, AppError> {
    let actor = Actor::system();
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let due = store::problems::breaching(&mut tx, now, 100).await?;
    for before in &due {
        let mut after = before.clone();
        after.breached_at = Some(now);
        let comment = format!(
            "not closed within {} ({})",
            crate::domain::sla::span(before.level.time_to_resolve()),
            before.level
        );
        let stored = save(&mut tx, &actor, now, before, &after, "sla_breach", &comment).await?;
        tell(
            &mut tx,
            &actor,
            Some(stored.owner_id),
            NotificationKind::SlaBreach,
            &stored,
            "breached its time to close",
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(due.len())
}

#[derive(Deserialize)]
struct Resubmit {
    title: Option<String>,
    description: Option<String>,
    level: Option<ProblemLevel>,
    #[serde(default)]
    comment: String,
}

#[derive(Deserialize)]
struct ChangeLevel {
    level: ProblemLevel,
    reason: String,
}

#[derive(Deserialize)]
struct Approve {
    approve: bool,
    #[serde(default)]
    comment: String,
}

#[derive(Deserialize)]
struct Solution {
    root_cause: String,
    solution: String,
    #[serde(default)]
    change_needed: bool,
    #[serde(default)]
    change_ref: String,
}

pub async fn act(
    state: &AppState,
    actor: &Actor,
    id: i64,
    request: ProblemActionRequest,
) -> Result<Problem, AppError> {
    actor.require(Role::Operator, "working problems")?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = store::problems::find_for_update(&mut tx, id).await?;
    AppError::check_version("Problem", id, before.version, request.version)?;
    check(
        before.status,
        request.action,
        before.party(actor.id(), actor.role()),
        before.suspension_request.is_some(),
    )?;
    let mut after = before.clone();
    let mut yes = false;
    let comment = match request.action {
        A::Accept => String::new(),
        A::Reject | A::Cancel => tickets::reason(&request.params)?,
        A::Suspend => {
            let reason = tickets::reason(&request.params)?;
            after.suspension_request = Some(reason.clone());
            reason
        }
        A::Resubmit => {
            let mut p: Resubmit = params(&request.params)?;
            tickets::retitle(
                p.title,
                p.description,
                &mut after.title,
                &mut after.description,
            )?;
            after.level = p.level.unwrap_or(after.level);
            check_len("comment", &mut p.comment, 0, REASON_MAX)?;
            p.comment
        }
        A::Forward => {
            let comment;
            (after.owner_id, comment) =
                tickets::forward(state, &mut tx, &request.params, before.owner_id).await?;
            comment
        }
        A::ChangeLevel => {
            let mut p: ChangeLevel = params(&request.params)?;
            check_len("reason", &mut p.reason, 1, REASON_MAX)?;
            if p.level == before.level {
                return Err(AppError::invalid(
                    "level",
                    format!("the problem is {} already", p.level),
                ));
            }
            after.level = p.level;
            p.reason
        }
        A::ApproveSuspension => {
            let mut p: Approve = params(&request.params)?;
            check_len("comment", &mut p.comment, 0, REASON_MAX)?;
            yes = p.approve;
            if yes {
                after.suspended_at = Some(now);
            }
            after.suspension_request = None;
            p.comment
        }
        A::Resume => {
            if let Some(since) = before.suspended_at {
                after.suspended_seconds += (now - since).num_seconds().max(0);
            }
            after.suspended_at = None;
            String::new()
        }
        A::SubmitSolution => {
            let mut p: Solution = params(&request.params)?;
            check_len("root_cause", &mut p.root_cause, 1, SOLUTION_MAX)?;
            check_len("solution", &mut p.solution, 1, SOLUTION_MAX)?;
            check_len(
                "change_ref",
                &mut p.change_ref,
                usize::from(p.change_needed),
                100,
            )?;
            after.root_cause = p.root_cause;
            after.solution = p.solution;
            after.change_needed = p.change_needed;
            after.change_ref = p.change_ref;
            yes = p.change_needed;
            String::new()
        }
        A::RecordChange | A::Verify => {
            let key = if request.action == A::Verify {
                "passed"
            } else {
                "succeeded"
            };
            let comment;
            (yes, comment) = tickets::verdict(&request.params, key, REASON_MAX)?;
            comment
        }
        A::Remark => tickets::remark(&request.params)?,
    };
    after.status = target(before.status, request.action, yes);
    after.resolve_due_at = after.due();
    let stored = save(
        &mut tx,
        actor,
        now,
        &before,
        &after,
        request.action.as_str(),
        &comment,
    )
    .await?;
    let (owner, creator) = (Some(stored.owner_id), stored.creator_id);
    let news = match request.action {
        A::Forward => Some((owner, NotificationKind::Forwarded, "forwarded to you")),
        A::Resubmit => Some((owner, NotificationKind::Assigned, "resubmitted to you")),
        A::Reject => Some((creator, NotificationKind::Rejected, "rejected")),
        A::Suspend => Some((
            creator,
            NotificationKind::Approval,
            "suspension waits for your approval",
        )),
        A::ApproveSuspension => Some((
            owner,
            NotificationKind::Approval,
            if yes {
                "suspension approved"
            } else {
                "suspension refused"
            },
        )),
        _ if stored.status == ProblemStatus::ToVerify && before.status != stored.status => {
            Some((creator, NotificationKind::ToVerify, "solved: please verify"))
        }
        _ => None,
    };
    if let Some((who, kind, what)) = news {
        tell(&mut tx, actor, who, kind, &stored, what, now).await?;
    }
    tx.commit().await?;
    Ok(stored)
}
