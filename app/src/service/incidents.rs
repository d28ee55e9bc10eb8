//! Incidents: open one, find them, and take the actions of SPEC §4, each checked against the
//! domain's table, recorded in the incident's history and in the audit log.

use super::Actor;
use super::tickets::{self, Step, application_name, log, user_name};
use crate::domain::AppError;
use crate::domain::improvement::{ImprovementFilter, ImprovementSource, NewImprovement};
use crate::domain::incident::{
    Action, ActionRequest, Assignee, Category, Incident, IncidentDetail, IncidentFilter,
    IncidentSource, IncidentStatus, Level, NewIncident, REASON_MAX, SOLUTION_MAX,
    VERIFY_COMMENT_MAX, allowed, check, check_len, level_change_needs_approval, target,
};
use crate::domain::list::{ListParams, Page, Sort, Window};
use crate::domain::notification::NotificationKind;
use crate::domain::problem::{ProblemFilter, ProblemSource};
use crate::domain::user::Role;
use crate::domain::workflow::params;
use crate::state::AppState;
use crate::store;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::PgConnection;

const READ: &str = "reading incidents";
/// The tickets opened from an incident that its page lists, newest first.
const LINKED: Window = Window {
    page: 1,
    per_page: 50,
    sort: Sort {
        field: "id",
        descending: true,
    },
    cursor: None,
};
const TICKET: &str = "incident";
/// Fields whose change the timeline does not spell out (the breach lines say it already).
const SKIP: &[&str] = &["accept_breached_at", "resolve_breached_at"];

/// The person an assignment goes to, now: a user, or whoever is on duty for a schedule role.
/// They must be an active operator or administrator.
pub(crate) async fn resolve(
    state: &AppState,
    conn: &mut PgConnection,
    field: &str,
    to: &Assignee,
) -> Result<i64, AppError> {
    let user_id = match to {
        Assignee::User { user_id } => *user_id,
        Assignee::OnDuty { schedule_id, role } => {
            let duty = super::schedules::on_duty_in(conn, *schedule_id, role, state.now()).await?;
            duty.user.map(|u| u.id).ok_or_else(|| {
                AppError::invalid(field, format!("nobody is on duty for role '{role}' now"))
            })?
        }
    };
    match store::users::find(conn, user_id).await? {
        None => Err(AppError::invalid(
            field,
            format!("no user has id {user_id}"),
        )),
        Some(u) if !u.active => Err(AppError::invalid(
            field,
            format!("user '{}' is deactivated", u.username),
        )),
        Some(u) if !u.role.allows(Role::Operator) => Err(AppError::invalid(
            field,
            format!(
                "user '{}' is a viewer and cannot work incidents",
                u.username
            ),
        )),
        Some(u) => Ok(u.id),
    }
}

/// Tells the person an incident event concerns: its owner, or (rejected, to verify) its
/// creator.
pub(crate) async fn tell(
    conn: &mut PgConnection,
    actor: &Actor,
    incident: &Incident,
    kind: NotificationKind,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let (who, what) = match kind {
        NotificationKind::Assigned => (Some(incident.owner_id), "assigned to you"),
        NotificationKind::Forwarded => (Some(incident.owner_id), "forwarded to you"),
        NotificationKind::Rejected => (incident.creator_id, "rejected"),
        NotificationKind::ToVerify => (incident.creator_id, "resolved: please verify"),
        NotificationKind::SlaBreach => (Some(incident.owner_id), "breached its service level"),
        NotificationKind::AddedToWarRoom
        | NotificationKind::WarRoomNotice
        | NotificationKind::Approval
        | NotificationKind::Escalated => return Ok(()),
    };
    let Some(who) = who else { return Ok(()) };
    let title = format!("{} {what}: {}", incident.number(), incident.title);
    let link = format!("/incidents/{}", incident.id);
    super::notifications::notify(conn, actor, &[who], kind, &title, &link, at).await
}

/// Opens an incident by hand or through the API.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    new: NewIncident,
    source: IncidentSource,
) -> Result<Incident, AppError> {
    actor.require(Role::Operator, "opening incidents")?;
    let new = new.normalized()?;
    let mut tx = state.pool.begin().await?;
    super::tickets::check_application(&mut tx, new.application_id).await?;
    let owner_id = resolve(state, &mut tx, "owner", &new.owner).await?;
    let incident = open(state, actor, &mut tx, new, source, owner_id, "").await?;
    tx.commit().await?;
    Ok(incident)
}

/// Opens a checked incident for `owner_id` in the caller's transaction: service-level due
/// times, the first timeline line (with `comment`), the audit record and the owner's
/// notification.
pub(crate) async fn open(
    state: &AppState,
    actor: &Actor,
    tx: &mut PgConnection,
    new: NewIncident,
    source: IncidentSource,
    owner_id: i64,
    comment: &str,
) -> Result<Incident, AppError> {
    let now = state.now();
    let new_owner = new.owner.clone();
    let draft = Incident {
        id: 0,
        title: new.title,
        description: new.description,
        level: new.level,
        pending_level: None,
        category: new.category,
        source,
        status: IncidentStatus::Unaccepted,
        application_id: new.application_id,
        region: new.region,
        owner_id,
        creator_id: actor.id(),
        service_interrupted: false,
        fault_started_at: None,
        recovered_at: None,
        cause: String::new(),
        solution: String::new(),
        paused_until: None,
        accept_due_at: None,
        resolve_due_at: None,
        accept_breached_at: None,
        resolve_breached_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let mut draft = draft;
    super::sla::set_dues(tx, &mut draft).await?;
    let incident = store::incidents::insert(tx, &draft).await?;
    log(
        tx,
        actor,
        now,
        Step {
            ticket: TICKET,
            id: incident.id,
            action: "create",
            comment,
            before: None,
            after: (&incident, incident.status.as_str()),
        },
        SKIP,
    )
    .await?;
    if let Assignee::OnDuty { schedule_id, role } = &new_owner {
        store::incidents::set_duty(tx, incident.id, *schedule_id, role).await?;
    }
    tell(tx, actor, &incident, NotificationKind::Assigned, now).await?;
    Ok(incident)
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: &IncidentFilter,
    params: &ListParams,
) -> Result<Page<Incident>, AppError> {
    actor.require(Role::Viewer, READ)?;
    let window = params.window(
        store::incidents::SORTABLE,
        Sort {
            field: "id",
            descending: true,
        },
    )?;
    let mut conn = state.pool.acquire().await?;
    store::incidents::list(&mut conn, filter, window).await
}

/// What the caller may do; a room is opened once.
fn actions_for(incident: &Incident, actor: &Actor, has_room: bool) -> Vec<Action> {
    allowed(
        incident.status,
        incident.party(actor.id(), actor.role()),
        incident.pending_level.is_some(),
    )
    .into_iter()
    .filter(|a| *a != Action::StartWarRoom || !has_room)
    .collect()
}

pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<IncidentDetail, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    let incident = store::incidents::find(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("Incident", id))?;
    let owner_name = user_name(&mut conn, incident.owner_id).await?;
    let creator_name = match incident.creator_id {
        Some(c) => Some(user_name(&mut conn, c).await?),
        None => Some("system".to_owned()),
    };
    let application_name = application_name(&mut conn, incident.application_id).await?;
    let history = store::history::of(&mut conn, TICKET, id).await?;
    let war_room = store::war_rooms::for_incident(&mut conn, id).await?;
    let improvements = store::improvements::list(
        &mut conn,
        &ImprovementFilter {
            source: Some(ImprovementSource::Incident),
            source_id: Some(id),
            ..Default::default()
        },
        LINKED,
    )
    .await?
    .items;
    let problems = store::problems::list(
        &mut conn,
        &ProblemFilter {
            source: Some(ProblemSource::Incident),
            source_id: Some(id),
            ..Default::default()
        },
        LINKED,
    )
    .await?
    .items;
    Ok(IncidentDetail {
        actions: actions_for(&incident, actor, war_room.is_some()),
        alarms: store::alarms::of_incident(&mut conn, id).await?,
        attachments: store::attachments::of(&mut conn, TICKET, id).await?,
        incident,
        owner_name,
        creator_name,
        application_name,
        history,
        war_room,
        improvements,
        problems,
    })
}

/// What the caller may do with incident `id` now.
pub async fn actions(state: &AppState, actor: &Actor, id: i64) -> Result<Vec<Action>, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    let incident = store::incidents::find(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("Incident", id))?;
    let has_room = store::war_rooms::for_incident(&mut conn, id)
        .await?
        .is_some();
    Ok(actions_for(&incident, actor, has_room))
}

#[derive(Deserialize)]
struct Resubmit {
    title: Option<String>,
    description: Option<String>,
    level: Option<Level>,
    category: Option<Category>,
    #[serde(default)]
    comment: String,
}

#[derive(Deserialize)]
struct Comment {
    #[serde(default)]
    comment: String,
}

#[derive(Deserialize)]
struct ChangeLevel {
    level: Level,
    reason: String,
}

#[derive(Deserialize)]
struct Approve {
    approve: bool,
    #[serde(default)]
    comment: String,
}

#[derive(Deserialize)]
struct Pause {
    until: DateTime<Utc>,
    reason: String,
}

#[derive(Deserialize)]
struct Solution {
    cause: String,
    solution: String,
    #[serde(default)]
    service_interrupted: bool,
    fault_started_at: Option<DateTime<Utc>>,
    recovered_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct StartRoom {
    title: Option<String>,
}

/// Writes a change of an incident with its timeline line and its audit record, inside the
/// caller's transaction; returns the incident as stored.
pub(crate) async fn save(
    conn: &mut PgConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    before: &Incident,
    after: &Incident,
    action: &str,
    comment: &str,
) -> Result<Incident, AppError> {
    let stored = store::incidents::update(conn, after, now).await?;
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
        SKIP,
    )
    .await?;
    Ok(stored)
}

/// Resumes, as the system, every paused incident whose pause has ended; returns how many.
/// A batch at a time, each row taken by one server process only.
pub async fn resume_due(state: &AppState) -> Result<usize, AppError> {
    let actor = Actor::system();
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let due = store::incidents::paused_due(&mut tx, now, 100).await?;
    for before in &due {
        let mut after = before.clone();
        after.status = target(before.status, Action::Resume, false);
        after.paused_until = None;
        save(
            &mut tx,
            &actor,
            now,
            before,
            &after,
            Action::Resume.as_str(),
            "automatically, at the end of the pause",
        )
        .await?;
    }
    tx.commit().await?;
    Ok(due.len())
}

/// Takes one action on incident `id`: checked against the table and the version the caller saw,
/// written with its history line and audit record in one transaction.
pub async fn act(
    state: &AppState,
    actor: &Actor,
    id: i64,
    request: ActionRequest,
) -> Result<Incident, AppError> {
    actor.require(Role::Operator, "working incidents")?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = store::incidents::find_for_update(&mut tx, id).await?;
    AppError::check_version("Incident", id, before.version, request.version)?;
    check(
        before.status,
        request.action,
        before.party(actor.id(), actor.role()),
        before.pending_level.is_some(),
    )?;
    let mut after = before.clone();
    let mut verdict = false;
    let comment = match request.action {
        Action::Accept | Action::Resume => {
            after.paused_until = None;
            String::new()
        }
        Action::Reject => tickets::reason(&request.params)?,
        Action::Forward => {
            let comment;
            (after.owner_id, comment) =
                tickets::forward(state, &mut tx, &request.params, before.owner_id).await?;
            comment
        }
        Action::Resubmit => {
            let mut p: Resubmit = params(&request.params)?;
            tickets::retitle(
                p.title,
                p.description,
                &mut after.title,
                &mut after.description,
            )?;
            after.level = p.level.unwrap_or(after.level);
            after.category = p.category.unwrap_or(after.category);
            check_len("comment", &mut p.comment, 0, REASON_MAX)?;
            p.comment
        }
        Action::Close => {
            let mut p: Comment = params(&request.params)?;
            check_len("comment", &mut p.comment, 0, REASON_MAX)?;
            p.comment
        }
        Action::ChangeLevel => {
            let mut p: ChangeLevel = params(&request.params)?;
            check_len("reason", &mut p.reason, 1, REASON_MAX)?;
            if p.level == before.level {
                return Err(AppError::invalid(
                    "level",
                    format!("the incident is {} already", p.level),
                ));
            }
            if level_change_needs_approval(before.level, p.level) {
                after.pending_level = Some(p.level);
                format!(
                    "{} (lowering to {} waits for an administrator)",
                    p.reason, p.level
                )
            } else {
                after.level = p.level;
                after.pending_level = None;
                p.reason
            }
        }
        Action::ApproveLevel => {
            let mut p: Approve = params(&request.params)?;
            check_len("comment", &mut p.comment, 0, REASON_MAX)?;
            if p.approve {
                after.level = before.pending_level.unwrap_or(before.level);
            }
            after.pending_level = None;
            p.comment
        }
        Action::Pause => {
            let mut p: Pause = params(&request.params)?;
            check_len("reason", &mut p.reason, 1, REASON_MAX)?;
            if p.until <= now {
                return Err(AppError::invalid("until", "must be in the future"));
            }
            after.paused_until = Some(p.until);
            p.reason
        }
        Action::Remark => tickets::remark(&request.params)?,
        Action::SubmitSolution => {
            let mut p: Solution = params(&request.params)?;
            check_len("cause", &mut p.cause, 1, SOLUTION_MAX)?;
            check_len("solution", &mut p.solution, 1, SOLUTION_MAX)?;
            if p.service_interrupted && p.fault_started_at.is_none() {
                return Err(AppError::invalid(
                    "fault_started_at",
                    "say when the fault started when the service was interrupted",
                ));
            }
            if let (Some(start), Some(end)) = (p.fault_started_at, p.recovered_at)
                && end < start
            {
                return Err(AppError::invalid(
                    "recovered_at",
                    "must not be before fault_started_at",
                ));
            }
            after.cause = p.cause;
            after.solution = p.solution;
            after.service_interrupted = p.service_interrupted;
            after.fault_started_at = p.fault_started_at;
            after.recovered_at = p.recovered_at;
            String::new()
        }
        Action::Verify => {
            let comment;
            (verdict, comment) = tickets::verdict(&request.params, "resolved", VERIFY_COMMENT_MAX)?;
            comment
        }
        Action::StartWarRoom => {
            let p: StartRoom = params(&request.params)?;
            let room =
                super::war_rooms::open_in(state, &mut tx, actor, &before, p.title, now).await?;
            format!("{}: {}", room.number(), room.title)
        }
        Action::CreateImprovement => {
            let mut p: NewImprovement = params(&request.params)?;
            p.source = ImprovementSource::Incident;
            p.source_id = Some(id);
            p.application_id = p.application_id.or(before.application_id);
            let improvement = super::improvements::create_in(state, &mut tx, actor, p).await?;
            format!("{}: {}", improvement.number(), improvement.title)
        }
    };
    after.status = target(before.status, request.action, verdict);
    if after.level != before.level {
        super::sla::set_dues(&mut tx, &mut after).await?;
    }
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
    let news = match request.action {
        Action::Forward => Some(NotificationKind::Forwarded),
        Action::Resubmit => Some(NotificationKind::Assigned),
        Action::Reject => Some(NotificationKind::Rejected),
        Action::SubmitSolution => Some(NotificationKind::ToVerify),
        _ => None,
    };
    if let Some(kind) = news {
        tell(&mut tx, actor, &stored, kind, now).await?;
    }
    tx.commit().await?;
    Ok(stored)
}

/// Display names of these users, for lists that show owners.
pub async fn names(
    state: &AppState,
    actor: &Actor,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    Ok(store::users::many(&mut conn, ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

/// Who work can go to, as (form value, label): every active operator or administrator
/// (`user:<id>`), and every schedule role (`duty:<schedule id>:<role>`), resolved when used.
pub async fn assignees(state: &AppState, actor: &Actor) -> Result<Vec<(String, String)>, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    let mut out: Vec<(String, String)> = store::users::assignable(&mut conn)
        .await?
        .into_iter()
        .map(|(id, name, username)| (format!("user:{id}"), format!("{name} ({username})")))
        .collect();
    out.extend(
        store::schedules::role_names(&mut conn)
            .await?
            .into_iter()
            .map(|(id, schedule, role)| {
                (
                    format!("duty:{id}:{role}"),
                    format!("On duty: {schedule} / {role}"),
                )
            }),
    );
    Ok(out)
}
