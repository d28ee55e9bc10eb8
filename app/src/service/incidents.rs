//! Incidents: open one, find them, and take the actions of SPEC §4, each checked against the
//! domain's table, recorded in the incident's history and in the audit log.

use super::Actor;
use super::audit::{Change, record};
use crate::domain::AppError;
use crate::domain::incident::{
    Action, ActionRequest, Assignee, Category, Incident, IncidentDetail, IncidentFilter,
    IncidentSource, IncidentStatus, Level, NewIncident, REASON_MAX, REMARK_MAX, SOLUTION_MAX,
    TITLE_MAX, VERIFY_COMMENT_MAX, allowed, check, check_len, level_change_needs_approval, target,
};
use crate::domain::list::{ListParams, Page, Sort};
use crate::domain::notification::NotificationKind;
use crate::domain::user::Role;
use crate::state::AppState;
use crate::store;
use crate::store::incidents::NewHistory;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use sqlx::PgConnection;

const READ: &str = "reading incidents";

/// The person an assignment goes to, now: a user, or whoever is on duty for a schedule role.
/// They must be an active operator or administrator.
async fn resolve(
    state: &AppState,
    actor: &Actor,
    conn: &mut PgConnection,
    field: &str,
    to: &Assignee,
) -> Result<i64, AppError> {
    let user_id = match to {
        Assignee::User { user_id } => *user_id,
        Assignee::OnDuty { schedule_id, role } => {
            let duty =
                super::schedules::who_is_on_duty(state, actor, *schedule_id, role, None).await?;
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

fn params<T: DeserializeOwned>(value: &Value) -> Result<T, AppError> {
    let value = if value.is_null() {
        json!({})
    } else {
        value.clone()
    };
    serde_json::from_value(value).map_err(|e| AppError::invalid("params", e.to_string()))
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
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    if let Some(app) = new.application_id
        && store::applications::find(&mut tx, app).await?.is_none()
    {
        return Err(AppError::invalid(
            "application_id",
            format!("no application has id {app}"),
        ));
    }
    let owner_id = resolve(state, actor, &mut tx, "owner", &new.owner).await?;
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
    super::sla::set_dues(&mut tx, &mut draft).await?;
    let incident = store::incidents::insert(&mut tx, &draft).await?;
    store::incidents::add_history(
        &mut tx,
        NewHistory {
            incident_id: incident.id,
            at: now,
            actor_id: actor.id(),
            actor_name: actor.name(),
            action: "create",
            status_before: None,
            status_after: incident.status,
            comment: "",
            changes: json!({}),
        },
    )
    .await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("incident", incident.id, "create").after(&incident),
    )
    .await?;
    tell(&mut tx, actor, &incident, NotificationKind::Assigned, now).await?;
    tx.commit().await?;
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

fn actions_for(incident: &Incident, actor: &Actor) -> Vec<Action> {
    let role = actor.user.as_ref().map_or(Role::Viewer, |u| u.role);
    allowed(
        incident.status,
        incident.party(actor.id(), role),
        incident.pending_level.is_some(),
    )
}

pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<IncidentDetail, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    let incident = store::incidents::find(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("Incident", id))?;
    let name = |u: Option<crate::domain::user::User>| u.map(|u| u.display_name);
    let owner_name =
        name(store::users::find(&mut conn, incident.owner_id).await?).unwrap_or_default();
    let creator_name = match incident.creator_id {
        Some(c) => name(store::users::find(&mut conn, c).await?),
        None => Some("system".to_owned()),
    };
    let application_name = match incident.application_id {
        Some(a) => store::applications::find(&mut conn, a)
            .await?
            .map(|a| a.spec.name),
        None => None,
    };
    let history = store::incidents::history(&mut conn, id).await?;
    Ok(IncidentDetail {
        actions: actions_for(&incident, actor),
        incident,
        owner_name,
        creator_name,
        application_name,
        history,
    })
}

/// What the caller may do with incident `id` now.
pub async fn actions(state: &AppState, actor: &Actor, id: i64) -> Result<Vec<Action>, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    let incident = store::incidents::find(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("Incident", id))?;
    Ok(actions_for(&incident, actor))
}

#[derive(Deserialize)]
struct Reason {
    reason: String,
}

#[derive(Deserialize)]
struct Forward {
    to: Assignee,
    #[serde(default)]
    comment: String,
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
struct Remark {
    text: String,
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
struct Verify {
    resolved: bool,
    #[serde(default)]
    comment: String,
}

/// The fields that differ between two versions of an incident, as `{field: [before, after]}`.
fn changes(before: &Incident, after: &Incident) -> Value {
    let (Ok(Value::Object(b)), Ok(Value::Object(a))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return json!({});
    };
    let diff: serde_json::Map<String, Value> = a
        .into_iter()
        .filter(|(k, v)| {
            ![
                "version",
                "updated_at",
                "status",
                "accept_breached_at",
                "resolve_breached_at",
            ]
            .contains(&k.as_str())
                && b.get(k) != Some(v)
        })
        .map(|(k, v)| {
            let was = b.get(&k).cloned().unwrap_or(Value::Null);
            (k, json!([was, v]))
        })
        .collect();
    Value::Object(diff)
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
    store::incidents::add_history(
        conn,
        NewHistory {
            incident_id: before.id,
            at: now,
            actor_id: actor.id(),
            actor_name: actor.name(),
            action,
            status_before: Some(before.status),
            status_after: stored.status,
            comment,
            changes: changes(before, &stored),
        },
    )
    .await?;
    record(
        conn,
        actor,
        now,
        Change::new("incident", before.id, action)
            .before(before)
            .after(&stored),
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
    let role = actor.user.as_ref().map_or(Role::Admin, |u| u.role);
    check(
        before.status,
        request.action,
        before.party(actor.id(), role),
        before.pending_level.is_some(),
    )?;
    let mut after = before.clone();
    let mut verdict = false;
    let comment = match request.action {
        Action::Accept | Action::Resume => {
            after.paused_until = None;
            String::new()
        }
        Action::Reject => {
            let mut p: Reason = params(&request.params)?;
            check_len("reason", &mut p.reason, 1, REASON_MAX)?;
            p.reason
        }
        Action::Forward => {
            let mut p: Forward = params(&request.params)?;
            check_len("comment", &mut p.comment, 0, REASON_MAX)?;
            after.owner_id = resolve(state, actor, &mut tx, "to", &p.to).await?;
            if after.owner_id == before.owner_id {
                return Err(AppError::invalid("to", "the incident is already theirs"));
            }
            p.comment
        }
        Action::Resubmit => {
            let mut p: Resubmit = params(&request.params)?;
            if let Some(mut title) = p.title {
                check_len("title", &mut title, 1, TITLE_MAX)?;
                after.title = title;
            }
            if let Some(mut description) = p.description {
                check_len(
                    "description",
                    &mut description,
                    0,
                    crate::domain::incident::DESCRIPTION_MAX,
                )?;
                after.description = description;
            }
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
        Action::Remark => {
            let mut p: Remark = params(&request.params)?;
            check_len("text", &mut p.text, 1, REMARK_MAX)?;
            p.text
        }
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
            let mut p: Verify = params(&request.params)?;
            check_len(
                "comment",
                &mut p.comment,
                usize::from(!p.resolved),
                VERIFY_COMMENT_MAX,
            )?;
            verdict = p.resolved;
            p.comment
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
