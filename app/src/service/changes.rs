//! Change tickets: plan one, find them, and take the actions of SPEC §7 through the ticket
//! kernel, each checked against the domain's table, in the timeline and the audit log.

use super::Actor;
use super::workflow::{self, Kept, application_name, check_application, user_name};
use crate::domain::AppError;
use crate::domain::change::{
    Change, ChangeAction as A, ChangeCommand, ChangeDetail, ChangeDraft, ChangeFacts, ChangeFilter,
    ChangeStatus, ChangeType, Conflict, FailureRate, FromTemplate, NewChange, may_conflict,
};
use crate::domain::freeze::submit_into;
use crate::domain::list::{ListParams, Page, Sort};
use crate::domain::notification::NotificationKind;
use crate::domain::problem::ProblemSource;
use crate::domain::review::Reviewer;
use crate::domain::user::Role;
use crate::domain::workflow::{Found, Ticket};
use crate::state::AppState;
use crate::store;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

impl Kept for Change {
    const WORK: &'static str = "working changes";
    const READ: &'static str = "reading changes";
    /// Its review is told in the timeline's comment, stage by stage.
    const SKIP: &'static [&'static str] = &["review"];

    async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<Change>, AppError> {
        store::changes::find(conn, id).await
    }

    async fn lock(conn: &mut PgConnection, id: i64) -> Result<Change, AppError> {
        store::changes::find_for_update(conn, id).await
    }

    async fn facts(
        _conn: &mut PgConnection,
        _change: &Change,
        now: DateTime<Utc>,
    ) -> Result<ChangeFacts, AppError> {
        Ok(ChangeFacts { now })
    }

    async fn look_up(
        state: &AppState,
        conn: &mut PgConnection,
        actor: &Actor,
        change: &Change,
        command: &ChangeCommand,
    ) -> Result<Found, AppError> {
        Ok(match command {
            ChangeCommand::Edit(draft) => Found::to(check_draft(state, conn, draft).await?),
            ChangeCommand::OpenProblem(p) => {
                let mut new = p.clone();
                new.source = ProblemSource::Change;
                new.source_id = Some(change.id);
                new.application_id = new.application_id.or(change.application_id);
                let problem = super::problems::create_in(state, conn, actor, new).await?;
                Found {
                    opened: Some(problem.id),
                    ..Found::noted(format!("{}: {}", problem.number(), problem.title))
                }
            }
            ChangeCommand::Submit(_) => {
                let hits = super::freezes::hits(conn, change).await?;
                Found {
                    note: submit_into(&change.number(), change.change_type, hits.first())?,
                    review: super::review_flows::begin(state, conn, change).await?,
                    ..Found::default()
                }
            }
            _ => Found::default(),
        })
    }

    async fn store(
        conn: &mut PgConnection,
        _before: &Change,
        after: &Change,
        now: DateTime<Utc>,
    ) -> Result<Change, AppError> {
        store::changes::update(conn, after, now).await
    }

    async fn announce(
        conn: &mut PgConnection,
        actor: &Actor,
        before: &Change,
        after: &Change,
        action: A,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        if let Some(review) = after.review.as_ref().filter(|r| r.is_pending()) {
            let moved = before
                .review
                .as_ref()
                .is_none_or(|r| r.current != review.current)
                || action == A::Submit;
            if moved {
                let title = format!(
                    "{} waits for your approval ({}): {}",
                    after.number(),
                    review.stage_label(),
                    after.title
                );
                let link = format!("/changes/{}", after.id);
                super::notifications::notify(
                    conn,
                    actor,
                    &review.awaiting(),
                    NotificationKind::Approval,
                    &title,
                    &link,
                    now,
                )
                .await?;
            }
        }
        let news = match action {
            A::Reject if after.status == ChangeStatus::Draft => Some((
                after.creator_id,
                NotificationKind::Rejected,
                "rejected: back to draft",
            )),
            A::Reject => Some((
                after.creator_id,
                NotificationKind::Rejected,
                "rejected in its review after the fact",
            )),
            A::Edit if after.implementer_id != before.implementer_id => Some((
                Some(after.implementer_id),
                NotificationKind::Assigned,
                "to implement",
            )),
            _ if after.status == ChangeStatus::Approved && before.status != after.status => Some((
                Some(after.implementer_id),
                NotificationKind::Approval,
                "approved: ready to implement in its window",
            )),
            _ => None,
        };
        match news {
            Some((Some(who), kind, what)) => tell(conn, actor, who, kind, after, what, now).await,
            _ => Ok(()),
        }
    }
}

async fn tell(
    conn: &mut PgConnection,
    actor: &Actor,
    who: i64,
    kind: NotificationKind,
    c: &Change,
    what: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let title = format!("{} {what}: {}", c.number(), c.title);
    let link = format!("/changes/{}", c.id);
    super::notifications::notify(conn, actor, &[who], kind, &title, &link, at).await
}

/// Checks what a draft names in the database (its application, groups and resources) and
/// resolves its implementer, who must be an active operator or administrator.
async fn check_draft(
    state: &AppState,
    conn: &mut PgConnection,
    draft: &ChangeDraft,
) -> Result<i64, AppError> {
    check_application(conn, draft.application_id).await?;
    let groups = draft.group_ids.clone().unwrap_or_default();
    let resources = draft.resource_ids.clone().unwrap_or_default();
    let found = store::groups::existing(conn, &groups).await?;
    AppError::check_known("group_ids", "group", &groups, &found)?;
    let found = store::groups::existing_resources(conn, &resources).await?;
    AppError::check_known("resource_ids", "resource", &resources, &found)?;
    super::incidents::resolve(state, conn, "implementer", &draft.implementer).await
}

/// Plans a change, in draft, for its creator to submit.
pub async fn create(state: &AppState, actor: &Actor, new: NewChange) -> Result<Change, AppError> {
    actor.require(Role::Operator, "planning changes")?;
    if new.change_type == ChangeType::Standard {
        return Err(AppError::invalid(
            "change_type",
            "a standard change is made from a pre-approved template, not planned by hand",
        ));
    }
    plan(state, actor, new.change_type, new.draft, None).await
}

/// Makes a standard change from template `id`, in draft: its creator submits it, and it is
/// approved as it is, without review.
pub async fn from_template(
    state: &AppState,
    actor: &Actor,
    id: i64,
    from: FromTemplate,
) -> Result<Change, AppError> {
    actor.require(Role::Operator, "planning changes")?;
    let mut conn = state.pool.acquire().await?;
    let template = store::change_templates::find(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("Change template", id))?;
    drop(conn);
    plan(
        state,
        actor,
        ChangeType::Standard,
        template.draft(from),
        Some(id),
    )
    .await
}

async fn plan(
    state: &AppState,
    actor: &Actor,
    change_type: ChangeType,
    draft: ChangeDraft,
    template_id: Option<i64>,
) -> Result<Change, AppError> {
    let draft = draft.normalized()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let implementer_id = check_draft(state, &mut tx, &draft).await?;
    let stored = store::changes::insert(
        &mut tx,
        &Change {
            id: 0,
            title: draft.title,
            description: draft.description,
            change_type,
            level: draft.level,
            application_id: draft.application_id,
            group_ids: draft.group_ids.unwrap_or_default(),
            resource_ids: draft.resource_ids.unwrap_or_default(),
            implementer_id,
            creator_id: actor.id(),
            planned_start: draft.planned_start,
            planned_end: draft.planned_end,
            rollback_plan: draft.rollback_plan,
            problem_id: draft.problem_id,
            incident_id: draft.incident_id,
            status: ChangeStatus::Draft,
            started_at: None,
            finished_at: None,
            result: None,
            result_reason: String::new(),
            detected_by_monitoring: None,
            verification_notes: String::new(),
            override_reason: String::new(),
            review: None,
            template_id,
            version: 1,
            created_at: now,
            updated_at: now,
        },
    )
    .await?;
    workflow::opened(&mut tx, actor, now, &stored, "").await?;
    if Some(implementer_id) != actor.id() {
        tell(
            &mut tx,
            actor,
            implementer_id,
            NotificationKind::Assigned,
            &stored,
            "to implement",
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(stored)
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: &ChangeFilter,
    params: &ListParams,
) -> Result<Page<Change>, AppError> {
    actor.require(Role::Viewer, Change::READ)?;
    let window = params.window(
        store::changes::SORTABLE,
        Sort {
            field: "id",
            descending: true,
        },
    )?;
    let mut conn = state.pool.acquire().await?;
    store::changes::list(&mut conn, filter, window).await
}

pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<ChangeDetail, AppError> {
    actor.require(Role::Viewer, Change::READ)?;
    let mut conn = state.pool.acquire().await?;
    let change = workflow::find::<Change>(&mut conn, id).await?;
    let (actions, _) = workflow::offer(&mut conn, actor, &change, state.now()).await?;
    let creator_name = match change.creator_id {
        Some(c) => Some(user_name(&mut conn, c).await?),
        None => Some("system".to_owned()),
    };
    let followed_by = match change.followed_span(state.settings.suspect_window, state.now()) {
        Some((from, to)) => {
            store::incidents::following(
                &mut conn,
                change.application_id,
                &change.resource_ids,
                from,
                to,
            )
            .await?
        }
        None => Vec::new(),
    };
    let conflicts = if may_conflict(change.status) {
        let mut found = store::changes::conflicts(&mut conn, &change).await?;
        found.extend(
            super::freezes::hits(&mut conn, &change)
                .await?
                .into_iter()
                .map(Conflict::Freeze),
        );
        found
    } else {
        Vec::new()
    };
    let people = change
        .review
        .as_ref()
        .map(|r| r.people())
        .unwrap_or_default();
    let reviewers = store::users::many(&mut conn, &people)
        .await?
        .into_iter()
        .map(|u| Reviewer {
            user_id: u.id,
            name: u.display_name,
        })
        .collect();
    Ok(ChangeDetail {
        reviewers,
        conflicts,
        followed_by,
        implementer_name: user_name(&mut conn, change.implementer_id).await?,
        creator_name,
        application_name: application_name(&mut conn, change.application_id).await?,
        history: store::history::of(&mut conn, Change::KIND, id).await?,
        actions,
        change,
    })
}

/// How many days the change failure rate looks back.
pub const FAILURE_RATE_DAYS: i64 = 30;

/// Per application, the changes started in the last 30 days and how many failed (a failed or
/// rolled-back result, or an incident that followed within the suspect window).
pub async fn failure_rates(state: &AppState, actor: &Actor) -> Result<Vec<FailureRate>, AppError> {
    actor.require(Role::Viewer, Change::READ)?;
    let mut conn = state.pool.acquire().await?;
    store::changes::failure_rates(
        &mut conn,
        state.now() - chrono::Duration::days(FAILURE_RATE_DAYS),
        state.settings.suspect_window,
    )
    .await
}
