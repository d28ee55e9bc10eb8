//! Improvement tickets: open one (by hand or from an incident), find them, and take the actions
//! of SPEC §6, each checked against the domain's table, in the timeline and the audit log.

use super::Actor;
use super::workflow::{self, Kept, application_name, check_application, user_name};
use crate::domain::AppError;
use crate::domain::improvement::{
    Improvement, ImprovementAction as A, ImprovementCommand, ImprovementDetail, ImprovementFilter,
    ImprovementStatus, NewImprovement,
};
use crate::domain::incident::Assignee;
use crate::domain::list::{ListParams, Page, Sort};
use crate::domain::notification::NotificationKind;
use crate::domain::user::Role;
use crate::domain::workflow::{Found, Ticket};
use crate::state::AppState;
use crate::store;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

impl Kept for Improvement {
    const WORK: &'static str = "working improvements";
    const READ: &'static str = "reading improvements";

    async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<Improvement>, AppError> {
        store::improvements::find(conn, id).await
    }

    async fn lock(conn: &mut PgConnection, id: i64) -> Result<Improvement, AppError> {
        store::improvements::find_for_update(conn, id).await
    }

    async fn facts(
        _conn: &mut PgConnection,
        _improvement: &Improvement,
        _now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        Ok(())
    }

    async fn look_up(
        state: &AppState,
        conn: &mut PgConnection,
        _actor: &Actor,
        _improvement: &Improvement,
        command: &ImprovementCommand,
    ) -> Result<Found, AppError> {
        Ok(match command {
            ImprovementCommand::Forward(p) => {
                Found::to(super::incidents::resolve(state, conn, "to", &p.to).await?)
            }
            _ => Found::default(),
        })
    }

    async fn store(
        conn: &mut PgConnection,
        _before: &Improvement,
        after: &Improvement,
        now: DateTime<Utc>,
    ) -> Result<Improvement, AppError> {
        store::improvements::update(conn, after, now).await
    }

    async fn announce(
        conn: &mut PgConnection,
        actor: &Actor,
        _before: &Improvement,
        after: &Improvement,
        action: A,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let news = match action {
            A::Forward => Some((after.owner_id, "forwarded to you")),
            A::Process => Some((after.verifier_id, "done: please verify")),
            A::Verify if after.status != ImprovementStatus::Closed => {
                Some((after.owner_id, "failed verification"))
            }
            _ => None,
        };
        match news {
            Some((who, what)) => tell(conn, actor, who, after, what, now).await,
            None => Ok(()),
        }
    }
}

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
    workflow::opened(conn, actor, now, &stored, "").await?;
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
    actor.require(Role::Viewer, Improvement::READ)?;
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

pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<ImprovementDetail, AppError> {
    actor.require(Role::Viewer, Improvement::READ)?;
    let mut conn = state.pool.acquire().await?;
    let improvement = workflow::find::<Improvement>(&mut conn, id).await?;
    let (actions, _) = workflow::offer(&mut conn, actor, &improvement, state.now()).await?;
    Ok(ImprovementDetail {
        owner_name: user_name(&mut conn, improvement.owner_id).await?,
        verifier_name: user_name(&mut conn, improvement.verifier_id).await?,
        application_name: application_name(&mut conn, improvement.application_id).await?,
        overdue: improvement.overdue(state.now()),
        history: store::history::of(&mut conn, Improvement::KIND, id).await?,
        actions,
        improvement,
    })
}
