//! War rooms: opened from an accepted incident, worked by their members, closed with the fault's
//! cause and impact. Every change bumps the room's version, is a line in its timeline and a
//! record in the audit log, so every member's page follows it live.

use super::Actor;
use super::workflow::{Step, log};
use crate::domain::AppError;
use crate::domain::incident::{Incident, check_len};
use crate::domain::notification::NotificationKind;
use crate::domain::user::Role;
use crate::domain::war_room::{
    CloseRoom, Member, MemberRole, NewNotice, NewWarRoomRule, Powers, TITLE_MAX, WarRoom,
    WarRoomDetail, WarRoomRule, WarRoomStatus, WarRoomSummary, merge, powers, status_for,
};
use crate::state::AppState;
use crate::store;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

const READ: &str = "reading war rooms";
const TICKET: &str = "war_room";
/// How many rooms the list shows.
pub const SHOWN: i64 = 200;

/// Writes a change of a room with its timeline line and audit record.
async fn save(
    conn: &mut PgConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    before: &WarRoom,
    after: &WarRoom,
    action: &str,
    comment: &str,
) -> Result<WarRoom, AppError> {
    let stored = store::war_rooms::update(conn, after, now).await?;
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
        &[],
    )
    .await?;
    Ok(stored)
}

async fn tell(
    conn: &mut PgConnection,
    actor: &Actor,
    users: &[i64],
    kind: NotificationKind,
    room: &WarRoom,
    what: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let title = format!("{} {what}: {}", room.number(), room.title);
    let link = format!("/war-rooms/{}", room.id);
    super::notifications::notify(conn, actor, users, kind, &title, &link, at).await
}

/// Opens the war room of an accepted incident inside the caller's transaction, at the incident
/// action's time: the opener is its admin, and every war-room rule that applies brings in
/// whoever is on duty for its role. The incident's workflow has made sure it has none yet.
pub(crate) async fn open_in(
    state: &AppState,
    conn: &mut PgConnection,
    actor: &Actor,
    incident: &Incident,
    title: Option<String>,
    now: DateTime<Utc>,
) -> Result<WarRoom, AppError> {
    let mut title = title
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| incident.title.clone());
    check_len("title", &mut title, 1, TITLE_MAX)?;
    let admin_id = actor.id().unwrap_or(incident.owner_id);
    let draft = WarRoom {
        id: 0,
        incident_id: incident.id,
        title,
        admin_id,
        status: WarRoomStatus::Started,
        occurred_at: incident.fault_started_at.unwrap_or(incident.created_at),
        recovered_at: None,
        cause: String::new(),
        impact: String::new(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let room = store::war_rooms::insert(conn, &draft).await?;
    log(
        conn,
        actor,
        now,
        Step {
            ticket: TICKET,
            id: room.id,
            action: "open",
            comment: &format!("for {}", incident.number()),
            before: None,
            after: (&room, room.status.as_str()),
        },
        &[],
    )
    .await?;
    store::war_rooms::put_member(conn, room.id, admin_id, MemberRole::Admin, now).await?;
    let mut added = vec![];
    for rule in store::war_rooms::rules(conn).await? {
        if !rule.applies(incident.level, incident.application_id) {
            continue;
        }
        let duty = super::schedules::who_is_on_duty(
            state,
            &Actor::system(),
            rule.schedule_id,
            &rule.schedule_role,
            Some(now),
        )
        .await;
        let Some(user) = duty.ok().and_then(|d| d.user) else {
            continue;
        };
        if user.id == admin_id || added.contains(&user.id) {
            continue;
        }
        store::war_rooms::put_member(conn, room.id, user.id, rule.member_role, now).await?;
        log(
            conn,
            actor,
            now,
            Step {
                ticket: TICKET,
                id: room.id,
                action: "add_member",
                comment: &format!(
                    "{} as {} (on duty for {}, rule '{}')",
                    user.display_name, rule.member_role, rule.schedule_role, rule.name
                ),
                before: Some((&room, room.status.as_str())),
                after: (&room, room.status.as_str()),
            },
            &[],
        )
        .await?;
        added.push(user.id);
    }
    tell(
        conn,
        actor,
        &added,
        NotificationKind::AddedToWarRoom,
        &room,
        "you were added to a war room",
        now,
    )
    .await?;
    Ok(room)
}

pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<WarRoomSummary>, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    store::war_rooms::list(&mut conn, SHOWN).await
}

/// The caller's powers in `room`, whose members are `members`.
fn powers_among(actor: &Actor, room: &WarRoom, members: &[Member]) -> Powers {
    let member = members
        .iter()
        .find(|m| Some(m.user_id) == actor.id())
        .map(|m| m.role);
    powers(room.status, actor.role(), member)
}

/// The caller's powers in `room`.
async fn powers_of(
    conn: &mut PgConnection,
    actor: &Actor,
    room: &WarRoom,
) -> Result<Powers, AppError> {
    let members = store::war_rooms::members(conn, room.id).await?;
    Ok(powers_among(actor, room, &members))
}

pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<WarRoomDetail, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    let room = store::war_rooms::find(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("War room", id))?;
    let incident = store::incidents::find(&mut conn, room.incident_id)
        .await?
        .ok_or_else(|| AppError::not_found("Incident", room.incident_id))?;
    let timeline = merge(
        store::history::of(&mut conn, TICKET, id).await?,
        store::history::of(&mut conn, "incident", incident.id).await?,
    );
    let subscribed = match actor.id() {
        Some(me) => store::war_rooms::subscribers(&mut conn, id)
            .await?
            .contains(&me),
        None => false,
    };
    let members = store::war_rooms::members(&mut conn, id).await?;
    Ok(WarRoomDetail {
        powers: powers_among(actor, &room, &members),
        incident_title: incident.title,
        incident_level: incident.level,
        members,
        applications: store::war_rooms::applications(&mut conn, id).await?,
        notices: store::war_rooms::notices(&mut conn, id).await?,
        timeline,
        subscribed,
        room,
    })
}

/// The war room of an incident, if it has one.
pub async fn of_incident(
    state: &AppState,
    actor: &Actor,
    incident_id: i64,
) -> Result<Option<WarRoom>, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    store::war_rooms::for_incident(&mut conn, incident_id).await
}

/// Locks a room and checks the caller may manage it (or post, with `post_only`).
async fn begin(
    conn: &mut PgConnection,
    actor: &Actor,
    id: i64,
    post_only: bool,
) -> Result<WarRoom, AppError> {
    actor.require(Role::Operator, "working war rooms")?;
    let room = store::war_rooms::find_for_update(conn, id).await?;
    let p = powers_of(conn, actor, &room).await?;
    if post_only {
        p.require_post()?;
    } else {
        p.require_manage()?;
    }
    Ok(room)
}

/// Adds a member or changes their role.
pub async fn put_member(
    state: &AppState,
    actor: &Actor,
    id: i64,
    user_id: i64,
    role: MemberRole,
) -> Result<WarRoom, AppError> {
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let room = begin(&mut tx, actor, id, false).await?;
    let user = store::users::find(&mut tx, user_id)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| AppError::invalid("user_id", format!("no active user has id {user_id}")))?;
    if user_id == room.admin_id && role != MemberRole::Admin {
        return Err(AppError::invalid(
            "role",
            "the person who opened the room stays its admin",
        ));
    }
    let was = store::war_rooms::put_member(&mut tx, id, user_id, role, now).await?;
    let (action, comment) = match was {
        None => ("add_member", format!("{} as {role}", user.display_name)),
        Some(old) if old == role => {
            return Err(AppError::invalid(
                "role",
                format!("{} is {role} already", user.display_name),
            ));
        }
        Some(old) => ("set_role", format!("{}: {old} → {role}", user.display_name)),
    };
    let stored = save(&mut tx, actor, now, &room, &room, action, &comment).await?;
    if was.is_none() {
        tell(
            &mut tx,
            actor,
            &[user_id],
            NotificationKind::AddedToWarRoom,
            &stored,
            "you were added to a war room",
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(stored)
}

pub async fn remove_member(
    state: &AppState,
    actor: &Actor,
    id: i64,
    user_id: i64,
) -> Result<WarRoom, AppError> {
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let room = begin(&mut tx, actor, id, false).await?;
    if user_id == room.admin_id {
        return Err(AppError::conflict(
            "The person who opened the room stays in it as its admin.",
        ));
    }
    let name = super::workflow::user_name(&mut tx, user_id).await?;
    if !store::war_rooms::remove_member(&mut tx, id, user_id).await? {
        return Err(AppError::not_found("War-room member", user_id));
    }
    let stored = save(&mut tx, actor, now, &room, &room, "remove_member", &name).await?;
    tx.commit().await?;
    Ok(stored)
}

pub async fn add_application(
    state: &AppState,
    actor: &Actor,
    id: i64,
    application_id: i64,
) -> Result<WarRoom, AppError> {
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let room = begin(&mut tx, actor, id, false).await?;
    let app = store::applications::find(&mut tx, application_id)
        .await?
        .ok_or_else(|| {
            AppError::invalid(
                "application_id",
                format!("no application has id {application_id}"),
            )
        })?;
    if !store::war_rooms::add_application(&mut tx, id, application_id).await? {
        return Err(AppError::conflict(format!(
            "Application '{}' is already affected in this room.",
            app.spec.name
        )));
    }
    let stored = follow_applications(
        &mut tx,
        actor,
        now,
        &room,
        "add_application",
        &app.spec.name,
    )
    .await?;
    tx.commit().await?;
    Ok(stored)
}

pub async fn set_restored(
    state: &AppState,
    actor: &Actor,
    id: i64,
    application_id: i64,
    restored: bool,
) -> Result<WarRoom, AppError> {
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let room = begin(&mut tx, actor, id, false).await?;
    let current = store::war_rooms::applications(&mut tx, id).await?;
    let Some(app) = current.iter().find(|a| a.application_id == application_id) else {
        return Err(AppError::not_found("Affected application", application_id));
    };
    if app.restored_at.is_some() == restored {
        return Err(AppError::invalid(
            "restored",
            format!(
                "'{}' is {} already",
                app.name,
                if restored { "restored" } else { "not restored" }
            ),
        ));
    }
    store::war_rooms::set_restored(&mut tx, id, application_id, restored.then_some(now)).await?;
    let action = if restored {
        "restore_application"
    } else {
        "unrestore_application"
    };
    let stored = follow_applications(&mut tx, actor, now, &room, action, &app.name).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Saves an application change, moving the room to the state its applications give it.
async fn follow_applications(
    conn: &mut PgConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    room: &WarRoom,
    action: &str,
    comment: &str,
) -> Result<WarRoom, AppError> {
    let restored: Vec<bool> = store::war_rooms::applications(conn, room.id)
        .await?
        .iter()
        .map(|a| a.restored_at.is_some())
        .collect();
    let mut after = room.clone();
    after.status = status_for(&restored);
    after.recovered_at = match after.status {
        WarRoomStatus::Recovered => room.recovered_at.or(Some(now)),
        _ => None,
    };
    save(conn, actor, now, room, &after, action, comment).await
}

pub async fn post_notice(
    state: &AppState,
    actor: &Actor,
    id: i64,
    notice: NewNotice,
) -> Result<WarRoom, AppError> {
    let notice = notice.normalized()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let room = begin(&mut tx, actor, id, true).await?;
    store::war_rooms::add_notice(
        &mut tx,
        id,
        notice.kind,
        &notice.body,
        (actor.id(), actor.name()),
        now,
    )
    .await?;
    let action = format!("notice_{}", notice.kind);
    let stored = save(&mut tx, actor, now, &room, &room, &action, &notice.body).await?;
    let mut audience: Vec<i64> = store::war_rooms::members(&mut tx, id)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    audience.extend(store::war_rooms::subscribers(&mut tx, id).await?);
    tell(
        &mut tx,
        actor,
        &audience,
        NotificationKind::WarRoomNotice,
        &stored,
        &format!("{} notice", notice.kind),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(stored)
}

/// Closes a room with the fault's cause and impact; every affected application must be
/// restored first.
pub async fn close(
    state: &AppState,
    actor: &Actor,
    id: i64,
    request: CloseRoom,
) -> Result<WarRoom, AppError> {
    let request = request.normalized()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let room = begin(&mut tx, actor, id, false).await?;
    AppError::check_version("War room", id, room.version, request.version)?;
    let waiting: Vec<String> = store::war_rooms::applications(&mut tx, id)
        .await?
        .into_iter()
        .filter(|a| a.restored_at.is_none())
        .map(|a| a.name)
        .collect();
    if !waiting.is_empty() {
        return Err(AppError::conflict(format!(
            "Restore {} before closing the room.",
            crate::domain::application::name_some(&waiting)
        )));
    }
    let mut after = room.clone();
    after.status = WarRoomStatus::Closed;
    after.cause = request.cause;
    after.impact = request.impact;
    after.recovered_at = room.recovered_at.or(Some(now));
    let stored = save(&mut tx, actor, now, &room, &after, "close", "").await?;
    tx.commit().await?;
    Ok(stored)
}

/// Follows (or stops following) a room's notices without being a member.
pub async fn subscribe(state: &AppState, actor: &Actor, id: i64, on: bool) -> Result<(), AppError> {
    actor.require(Role::Viewer, READ)?;
    let me = actor.id().ok_or(AppError::Unauthenticated)?;
    let mut tx = state.pool.begin().await?;
    let room = store::war_rooms::find_for_update(&mut tx, id).await?;
    if on && !powers_of(&mut tx, actor, &room).await?.subscribe {
        return Err(AppError::conflict(
            "Members already receive the room's notices, and a closed room posts none.",
        ));
    }
    store::war_rooms::set_subscribed(&mut tx, id, me, on).await?;
    super::audit::record(
        &mut tx,
        actor,
        state.now(),
        super::audit::Change::new(TICKET, id, if on { "subscribe" } else { "unsubscribe" }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn rules(state: &AppState, actor: &Actor) -> Result<Vec<WarRoomRule>, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    store::war_rooms::rules(&mut conn).await
}

pub async fn create_rule(
    state: &AppState,
    actor: &Actor,
    new: NewWarRoomRule,
) -> Result<WarRoomRule, AppError> {
    actor.require(Role::Admin, "managing war-room rules")?;
    let new = new.normalized()?;
    // The schedule and its role must exist: asking who is on duty checks both.
    super::schedules::who_is_on_duty(state, actor, new.schedule_id, &new.schedule_role, None)
        .await?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    for app in &new.application_ids {
        super::workflow::check_application(&mut tx, Some(*app)).await?;
    }
    let mut rule = WarRoomRule {
        id: 0,
        name: new.name,
        levels: new.levels,
        application_ids: new.application_ids,
        schedule_id: new.schedule_id,
        schedule_role: new.schedule_role,
        member_role: new.member_role,
    };
    rule.id = store::war_rooms::insert_rule(&mut tx, &rule, now).await?;
    super::audit::record(
        &mut tx,
        actor,
        now,
        super::audit::Change::new("war_room_rule", rule.id, "create").after(&rule),
    )
    .await?;
    tx.commit().await?;
    Ok(rule)
}

pub async fn delete_rule(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    actor.require(Role::Admin, "managing war-room rules")?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = store::war_rooms::rules(&mut tx)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| AppError::not_found("War-room rule", id))?;
    store::war_rooms::delete_rule(&mut tx, id).await?;
    super::audit::record(
        &mut tx,
        actor,
        now,
        super::audit::Change::new("war_room_rule", id, "delete").before(&before),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
