//! Incidents: open one, find them, and take the actions of SPEC §4, each checked against the
//! domain's table, recorded in the incident's history and in the audit log.

use super::Actor;
use super::workflow::{self, Kept, application_name, user_name};
use crate::domain::AppError;
use crate::domain::improvement::{ImprovementFilter, ImprovementSource};
use crate::domain::incident::{
    Action, Assignee, Incident, IncidentCommand, IncidentDetail, IncidentFacts, IncidentFilter,
    IncidentSource, IncidentStatus, NewIncident, target,
};
use crate::domain::list::{ListParams, Page, Sort, Window};
use crate::domain::notification::NotificationKind;
use crate::domain::problem::{ProblemFilter, ProblemSource};
use crate::domain::user::Role;
use crate::domain::workflow::{Found, Ticket};
use crate::state::AppState;
use crate::store;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

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

impl Kept for Incident {
    const WORK: &'static str = "working incidents";
    const READ: &'static str = "reading incidents";
    /// The breach lines say these already.
    const SKIP: &'static [&'static str] = &["accept_breached_at", "resolve_breached_at"];

    async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<Incident>, AppError> {
        store::incidents::find(conn, id).await
    }

    async fn lock(conn: &mut PgConnection, id: i64) -> Result<Incident, AppError> {
        store::incidents::find_for_update(conn, id).await
    }

    async fn facts(
        conn: &mut PgConnection,
        incident: &Incident,
        _now: DateTime<Utc>,
    ) -> Result<IncidentFacts, AppError> {
        Ok(IncidentFacts {
            room: store::war_rooms::for_incident(conn, incident.id)
                .await?
                .map(|r| r.number()),
        })
    }

    async fn look_up(
        state: &AppState,
        conn: &mut PgConnection,
        actor: &Actor,
        incident: &Incident,
        command: &IncidentCommand,
    ) -> Result<Found, AppError> {
        Ok(match command {
            IncidentCommand::Forward(p) => Found::to(resolve(state, conn, "to", &p.to).await?),
            IncidentCommand::StartWarRoom(p) => {
                let now = state.now();
                let room =
                    super::war_rooms::open_in(state, conn, actor, incident, p.title.clone(), now)
                        .await?;
                Found::noted(format!("{}: {}", room.number(), room.title))
            }
            IncidentCommand::CreateImprovement(p) => {
                let mut new = p.clone();
                new.source = ImprovementSource::Incident;
                new.source_id = Some(incident.id);
                new.application_id = new.application_id.or(incident.application_id);
                let improvement = super::improvements::create_in(state, conn, actor, new).await?;
                Found::noted(format!("{}: {}", improvement.number(), improvement.title))
            }
            _ => Found::default(),
        })
    }

    async fn store(
        conn: &mut PgConnection,
        before: &Incident,
        after: &Incident,
        now: DateTime<Utc>,
    ) -> Result<Incident, AppError> {
        let mut after = after.clone();
        if after.level != before.level {
            super::sla::set_dues(conn, &mut after).await?;
        }
        store::incidents::update(conn, &after, now).await
    }

    async fn announce(
        conn: &mut PgConnection,
        actor: &Actor,
        _before: &Incident,
        after: &Incident,
        action: Action,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let news = match action {
            Action::Forward => NotificationKind::Forwarded,
            Action::Resubmit => NotificationKind::Assigned,
            Action::Reject => NotificationKind::Rejected,
            Action::SubmitSolution => NotificationKind::ToVerify,
            _ => return Ok(()),
        };
        tell(conn, actor, after, news, now).await
    }
}

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
    super::workflow::check_application(&mut tx, new.application_id).await?;
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
    workflow::opened(tx, actor, now, &incident, comment).await?;
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
    actor.require(Role::Viewer, Incident::READ)?;
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

pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<IncidentDetail, AppError> {
    actor.require(Role::Viewer, Incident::READ)?;
    let mut conn = state.pool.acquire().await?;
    let incident = workflow::find::<Incident>(&mut conn, id).await?;
    let (actions, can_attach) = workflow::offer(&mut conn, actor, &incident, state.now()).await?;
    let owner_name = user_name(&mut conn, incident.owner_id).await?;
    let creator_name = match incident.creator_id {
        Some(c) => Some(user_name(&mut conn, c).await?),
        None => Some("system".to_owned()),
    };
    let application_name = application_name(&mut conn, incident.application_id).await?;
    let history = store::history::of(&mut conn, Incident::KIND, id).await?;
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
    let alarms = store::alarms::of_incident(&mut conn, id).await?;
    let resources: Vec<i64> = alarms.iter().filter_map(|a| a.resource_id).collect();
    let started = incident.started_at();
    let suspect_changes = store::changes::suspects(
        &mut conn,
        incident.application_id,
        &resources,
        started - state.settings.suspect_window,
        started,
    )
    .await?;
    Ok(IncidentDetail {
        actions,
        can_attach,
        alarms,
        suspect_changes,
        attachments: store::attachments::of(&mut conn, Incident::KIND, id).await?,
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
        workflow::save(
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

/// Display names of these users, for lists that show owners.
pub async fn names(
    state: &AppState,
    actor: &Actor,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, AppError> {
    actor.require(Role::Viewer, Incident::READ)?;
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
    actor.require(Role::Viewer, Incident::READ)?;
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
