//! On-call schedules: keeping them (administrators), overriding a shift (operators), and
//! answering "who is on duty for role R at time T".

use super::Actor;
use super::audit::{Change, record};
use crate::domain::AppError;
use crate::domain::application::name_some;
use crate::domain::schedule::{
    GAP_HORIZON_DAYS, OnDuty, Override, OverrideDraft, OverrideView, Person, RoleDraft, RolePatch,
    RoleView, Schedule, ScheduleDetail, ScheduleDraft, SchedulePatch, ScheduleRole, gaps, on_duty,
};
use crate::domain::user::{Role, User};
use crate::state::AppState;
use crate::store;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sqlx::PgConnection;
use std::collections::{HashMap, HashSet};

const READ: &str = "reading schedules";
const KEEP: &str = "changing schedules";

fn person(u: &User) -> Person {
    Person {
        id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        active: u.active,
    }
}

pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<Schedule>, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    store::schedules::list(&mut conn).await
}

/// Loads the people a schedule names, by id.
async fn people(
    conn: &mut PgConnection,
    roles: &[ScheduleRole],
    overrides: &[Override],
) -> Result<HashMap<i64, User>, AppError> {
    let ids: Vec<i64> = roles
        .iter()
        .flat_map(|r| r.spec.members.iter().copied())
        .chain(overrides.iter().map(|o| o.spec.user_id))
        .collect();
    Ok(store::users::many(conn, &ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

/// The overrides that belong to one role.
fn of_role(overrides: &[Override], role: &ScheduleRole) -> Vec<Override> {
    overrides
        .iter()
        .filter(|o| o.role_id == role.id)
        .cloned()
        .collect()
}

/// Who is on duty for `role` at `at`, given the role's own overrides.
fn duty_at(
    role: &ScheduleRole,
    schedule: &Schedule,
    mine: &[Override],
    users: &HashMap<i64, User>,
    at: DateTime<Utc>,
) -> OnDuty {
    let duty = on_duty(&role.spec, schedule.spec.zone(), mine, at);
    OnDuty {
        role: role.spec.name.clone(),
        at,
        user: duty
            .as_ref()
            .and_then(|d| users.get(&d.user_id))
            .map(person),
        source: duty.map(|d| d.source),
    }
}

/// A schedule with who is on duty now, gaps in the next 14 days and current overrides.
pub async fn detail(state: &AppState, actor: &Actor, id: i64) -> Result<ScheduleDetail, AppError> {
    actor.require(Role::Viewer, READ)?;
    let now = state.now();
    let mut conn = state.pool.acquire().await?;
    let schedule = store::schedules::find(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("Schedule", id))?;
    let roles = store::schedules::roles(&mut conn, id).await?;
    let overrides = store::schedules::overrides(&mut conn, id, now).await?;
    let users = people(&mut conn, &roles, &overrides).await?;
    let active: HashSet<i64> = users.values().filter(|u| u.active).map(|u| u.id).collect();
    let tz = schedule.spec.zone();
    let horizon = now + Duration::days(GAP_HORIZON_DAYS);
    let role_views = roles
        .iter()
        .map(|role| {
            let mine = of_role(&overrides, role);
            RoleView {
                people: role
                    .spec
                    .members
                    .iter()
                    .filter_map(|m| users.get(m))
                    .map(person)
                    .collect(),
                now: duty_at(role, &schedule, &mine, &users, now),
                gaps: gaps(&role.spec, tz, &mine, &active, now, horizon),
                next_handoff: role
                    .spec
                    .handoffs(tz, now + Duration::seconds(1), horizon)
                    .first()
                    .copied(),
                role: role.clone(),
            }
        })
        .collect();
    let names: HashMap<i64, &str> = roles.iter().map(|r| (r.id, r.spec.name.as_str())).collect();
    let override_views = overrides
        .iter()
        .filter_map(|o| {
            Some(OverrideView {
                role: names.get(&o.role_id)?.to_string(),
                user: users.get(&o.spec.user_id).map(person)?,
                entry: o.clone(),
            })
        })
        .collect();
    Ok(ScheduleDetail {
        schedule,
        roles: role_views,
        overrides: override_views,
    })
}

/// Who is on duty for role `role` (by name) of schedule `id` at `at` (default now).
pub async fn who_is_on_duty(
    state: &AppState,
    actor: &Actor,
    id: i64,
    role: &str,
    at: Option<DateTime<Utc>>,
) -> Result<OnDuty, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    on_duty_in(&mut conn, id, role, at.unwrap_or_else(|| state.now())).await
}

/// Who is on duty for `role` of schedule `id` at `at`, read on the caller's connection (so an
/// assignment inside a transaction needs no second connection).
pub(crate) async fn on_duty_in(
    conn: &mut PgConnection,
    id: i64,
    role: &str,
    at: DateTime<Utc>,
) -> Result<OnDuty, AppError> {
    let schedule = store::schedules::find(conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("Schedule", id))?;
    let roles = store::schedules::roles(conn, id).await?;
    let Some(found) = roles.iter().find(|r| r.spec.name == role.trim()) else {
        let known: Vec<String> = roles.iter().map(|r| r.spec.name.clone()).collect();
        return Err(AppError::invalid(
            "role",
            format!(
                "schedule '{}' has no role '{role}' (its roles: {})",
                schedule.spec.name,
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    name_some(&known)
                }
            ),
        ));
    };
    // Overrides that end after `at` are the only ones that can cover it.
    let overrides = store::schedules::overrides(conn, id, at).await?;
    let users = people(conn, std::slice::from_ref(found), &overrides).await?;
    Ok(duty_at(
        found,
        &schedule,
        &of_role(&overrides, found),
        &users,
        at,
    ))
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    draft: ScheduleDraft,
) -> Result<Schedule, AppError> {
    actor.require(Role::Admin, KEEP)?;
    let draft = draft.normalized()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let schedule = store::schedules::insert(&mut tx, &draft, now).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("schedule", schedule.id, "create").after(&schedule),
    )
    .await?;
    tx.commit().await?;
    Ok(schedule)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: i64,
    patch: SchedulePatch,
) -> Result<Schedule, AppError> {
    actor.require(Role::Admin, KEEP)?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = store::schedules::find_for_update(&mut tx, id).await?;
    AppError::check_version("Schedule", id, before.version, patch.version)?;
    let draft = patch.apply(&before.spec).normalized()?;
    let after = store::schedules::update(&mut tx, id, &draft, now).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("schedule", id, "update")
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes a schedule; refused while it has roles.
pub async fn delete(
    state: &AppState,
    actor: &Actor,
    id: i64,
    version: Option<i32>,
) -> Result<(), AppError> {
    actor.require(Role::Admin, KEEP)?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = store::schedules::find_for_update(&mut tx, id).await?;
    if let Some(seen) = version {
        AppError::check_version("Schedule", id, before.version, seen)?;
    }
    let roles: Vec<String> = store::schedules::roles(&mut tx, id)
        .await?
        .into_iter()
        .map(|r| r.spec.name)
        .collect();
    if !roles.is_empty() {
        return Err(AppError::conflict(format!(
            "Schedule '{}' still has roles {}; delete them first.",
            before.spec.name,
            name_some(&roles)
        )));
    }
    let rules = store::forwarding_rules::naming_schedule(&mut tx, id).await?;
    if !rules.is_empty() {
        return Err(AppError::conflict(format!(
            "Schedule '{}' is named by forwarding rules {}; change them first.",
            before.spec.name,
            name_some(&rules)
        )));
    }
    store::schedules::delete(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("schedule", id, "delete").before(&before),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Refuses user ids that name nobody, a deactivated account, or a viewer: whoever is on duty
/// is handed incidents to work, which viewers may not.
async fn check_people(conn: &mut PgConnection, field: &str, ids: &[i64]) -> Result<(), AppError> {
    let found: HashMap<i64, User> = store::users::many(conn, ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    for id in ids {
        match found.get(id) {
            None => return Err(AppError::invalid(field, format!("no user has id {id}"))),
            Some(u) if !u.active => {
                return Err(AppError::invalid(
                    field,
                    format!("user '{}' is deactivated", u.username),
                ));
            }
            Some(u) if !u.role.allows(Role::Operator) => {
                return Err(AppError::invalid(
                    field,
                    format!("user '{}' is a viewer and cannot be on duty", u.username),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

pub async fn create_role(
    state: &AppState,
    actor: &Actor,
    schedule: i64,
    draft: RoleDraft,
) -> Result<ScheduleRole, AppError> {
    actor.require(Role::Admin, KEEP)?;
    let draft = draft.normalized()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    store::schedules::find_for_update(&mut tx, schedule).await?;
    check_people(&mut tx, "members", &draft.members).await?;
    let role = store::schedules::insert_role(&mut tx, schedule, &draft, now).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("schedule_role", role.id, "create").after(&role),
    )
    .await?;
    tx.commit().await?;
    Ok(role)
}

pub async fn update_role(
    state: &AppState,
    actor: &Actor,
    id: i64,
    patch: RolePatch,
) -> Result<ScheduleRole, AppError> {
    actor.require(Role::Admin, KEEP)?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = store::schedules::find_role_for_update(&mut tx, id).await?;
    AppError::check_version("Schedule role", id, before.version, patch.version)?;
    let draft = patch.apply(&before.spec).normalized()?;
    check_people(&mut tx, "members", &draft.members).await?;
    let after = store::schedules::update_role(&mut tx, id, &draft, now).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("schedule_role", id, "update")
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete_role(
    state: &AppState,
    actor: &Actor,
    id: i64,
    version: Option<i32>,
) -> Result<(), AppError> {
    actor.require(Role::Admin, KEEP)?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = store::schedules::find_role_for_update(&mut tx, id).await?;
    if let Some(seen) = version {
        AppError::check_version("Schedule role", id, before.version, seen)?;
    }
    // Its overrides go with it; the record keeps them.
    let overrides = store::schedules::overrides_of_role(&mut tx, id).await?;
    store::schedules::delete_role(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("schedule_role", id, "delete")
            .before(&json!({"role": before, "overrides": overrides})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Who may change a role's shifts: administrators, and the role's own members (they swap
/// shifts among themselves).
fn may_override(actor: &Actor, role: &ScheduleRole) -> Result<(), AppError> {
    let member = actor.id().is_some_and(|id| role.spec.members.contains(&id));
    if member || actor.holds(Role::Admin) {
        Ok(())
    } else {
        Err(AppError::forbidden(
            format!("changing the shifts of role '{}'", role.spec.name),
            "admin role, or membership of that",
        ))
    }
}

/// Puts someone else on duty for a role over a time range (the role's members swap shifts).
pub async fn create_override(
    state: &AppState,
    actor: &Actor,
    role: i64,
    draft: OverrideDraft,
) -> Result<Override, AppError> {
    actor.require(Role::Operator, "overriding a shift")?;
    let draft = draft.normalized()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let on = store::schedules::find_role_for_update(&mut tx, role).await?;
    may_override(actor, &on)?;
    check_people(&mut tx, "user_id", &[draft.user_id]).await?;
    let created = store::schedules::insert_override(&mut tx, role, &draft, now).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("schedule_override", created.id, "create").after(&created),
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

pub async fn delete_override(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    actor.require(Role::Operator, "removing an override")?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let removed = store::schedules::delete_override(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("Override", id))?;
    let on = store::schedules::find_role_for_update(&mut tx, removed.role_id).await?;
    may_override(actor, &on)?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("schedule_override", id, "delete").before(&removed),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// User ids for usernames written as "anna, ben" (in that order), or a 422 naming `field`.
pub async fn user_ids(
    state: &AppState,
    actor: &Actor,
    field: &str,
    text: &str,
) -> Result<Vec<i64>, AppError> {
    actor.require(Role::Viewer, READ)?;
    let names: Vec<String> = text
        .split([',', '\n', ' '])
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(ToOwned::to_owned)
        .collect();
    let mut conn = state.pool.acquire().await?;
    let found: HashMap<String, i64> = store::users::ids_by_username(&mut conn, &names)
        .await?
        .into_iter()
        .collect();
    names
        .iter()
        .map(|n| {
            found
                .get(n)
                .copied()
                .ok_or_else(|| AppError::invalid(field, format!("no user is called '{n}'")))
        })
        .collect()
}
