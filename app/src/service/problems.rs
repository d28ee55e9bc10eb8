//! Problems: open one, find them, and take the actions of SPEC §6, each checked against the
//! domain's table, in the timeline and the audit log. A suspension stops the resolve clock:
//! the time spent suspended is added to the due time on resume.

use super::Actor;
use super::workflow::{self, Kept, application_name, check_application, user_name};
use crate::domain::AppError;
use crate::domain::list::{ListParams, Page, Sort};
use crate::domain::notification::NotificationKind;
use crate::domain::problem::{
    NewProblem, Problem, ProblemAction as A, ProblemCommand, ProblemDetail, ProblemFilter,
    ProblemStatus,
};
use crate::domain::user::Role;
use crate::domain::workflow::{Found, Ticket};
use crate::state::AppState;
use crate::store;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

impl Kept for Problem {
    const WORK: &'static str = "working problems";
    const READ: &'static str = "reading problems";
    /// The comment says these already.
    const SKIP: &'static [&'static str] = &["suspension_request", "suspended_at", "breached_at"];

    async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<Problem>, AppError> {
        store::problems::find(conn, id).await
    }

    async fn lock(conn: &mut PgConnection, id: i64) -> Result<Problem, AppError> {
        store::problems::find_for_update(conn, id).await
    }

    async fn facts(
        _conn: &mut PgConnection,
        _problem: &Problem,
        _now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        Ok(())
    }

    async fn look_up(
        state: &AppState,
        conn: &mut PgConnection,
        _actor: &Actor,
        _problem: &Problem,
        command: &ProblemCommand,
    ) -> Result<Found, AppError> {
        Ok(match command {
            ProblemCommand::Forward(p) => {
                Found::to(super::incidents::resolve(state, conn, "to", &p.to).await?)
            }
            _ => Found::default(),
        })
    }

    async fn store(
        conn: &mut PgConnection,
        _before: &Problem,
        after: &Problem,
        now: DateTime<Utc>,
    ) -> Result<Problem, AppError> {
        store::problems::update(conn, after, now).await
    }

    async fn announce(
        conn: &mut PgConnection,
        actor: &Actor,
        before: &Problem,
        after: &Problem,
        action: A,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let (owner, creator) = (Some(after.owner_id), after.creator_id);
        let news = match action {
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
                if after.status == ProblemStatus::Suspended {
                    "suspension approved"
                } else {
                    "suspension refused"
                },
            )),
            _ if after.status == ProblemStatus::ToVerify && before.status != after.status => {
                Some((creator, NotificationKind::ToVerify, "solved: please verify"))
            }
            _ => None,
        };
        match news {
            Some((who, kind, what)) => tell(conn, actor, who, kind, after, what, now).await,
            None => Ok(()),
        }
    }
}

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
    workflow::opened(conn, actor, now, &stored, "").await?;
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
    actor.require(Role::Viewer, Problem::READ)?;
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

pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<ProblemDetail, AppError> {
    actor.require(Role::Viewer, Problem::READ)?;
    let mut conn = state.pool.acquire().await?;
    let problem = workflow::find::<Problem>(&mut conn, id).await?;
    let (actions, can_attach) = workflow::offer(&mut conn, actor, &problem, state.now()).await?;
    let creator_name = match problem.creator_id {
        Some(c) => Some(user_name(&mut conn, c).await?),
        None => Some("system".to_owned()),
    };
    Ok(ProblemDetail {
        owner_name: user_name(&mut conn, problem.owner_id).await?,
        creator_name,
        application_name: application_name(&mut conn, problem.application_id).await?,
        history: store::history::of(&mut conn, Problem::KIND, id).await?,
        actions,
        can_attach,
        attachments: store::attachments::of(&mut conn, Problem::KIND, id).await?,
        problem,
    })
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
        let stored =
            workflow::save(&mut tx, &actor, now, before, &after, "sla_breach", &comment).await?;
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
