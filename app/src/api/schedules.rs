//! The schedule pages' data and forms.

// A server function's arguments are its form's fields, one each.
#![allow(clippy::too_many_arguments)]

use super::Stamped;
use crate::domain::AppError;
use crate::domain::schedule::{OnDuty, Schedule, ScheduleDetail};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::context;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScheduleListing {
    pub schedules: Vec<Schedule>,
    pub is_admin: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SchedulePage {
    pub detail: Stamped<ScheduleDetail>,
    /// The answer to "who is on duty for role R at T", when the page asked.
    pub asked: Option<OnDuty>,
    pub is_admin: bool,
    pub can_override: bool,
}

#[server(endpoint = "schedules/list")]
pub async fn list_schedules() -> Result<ScheduleListing, AppError> {
    let (state, actor) = context().await?;
    Ok(ScheduleListing {
        schedules: crate::service::schedules::list(&state, &actor).await?,
        is_admin: actor.holds(crate::domain::user::Role::Admin),
    })
}

/// A time typed into a form: RFC 3339, or a wall-clock "YYYY-MM-DDTHH:MM" in zone `tz`.
#[cfg(feature = "ssr")]
fn form_time(
    field: &str,
    text: &str,
    tz: chrono_tz::Tz,
) -> Result<chrono::DateTime<chrono::Utc>, AppError> {
    let text = text.trim();
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&chrono::Utc));
    }
    let local = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| AppError::invalid(field, format!("'{text}' is not a date and time")))?;
    Ok(crate::domain::schedule::instant(tz, local))
}

#[server(endpoint = "schedules/get")]
pub async fn get_schedule(
    id: i64,
    role: Option<String>,
    at: Option<String>,
) -> Result<SchedulePage, AppError> {
    use crate::domain::user::Role;
    let (state, actor) = context().await?;
    let detail = crate::service::schedules::detail(&state, &actor, id).await?;
    let asked = match role.filter(|r| !r.is_empty()) {
        Some(role) => {
            let at = at
                .filter(|a| !a.trim().is_empty())
                .map(|a| form_time("at", &a, detail.schedule.spec.zone()))
                .transpose()?;
            Some(crate::service::schedules::who_is_on_duty(&state, &actor, id, &role, at).await?)
        }
        None => None,
    };
    Ok(SchedulePage {
        detail: Stamped {
            data: detail,
            now: state.now(),
        },
        asked,
        is_admin: actor.holds(Role::Admin),
        can_override: actor.holds(Role::Operator),
    })
}

#[server(endpoint = "schedules/create")]
pub async fn create_schedule(
    name: String,
    description: String,
    time_zone: String,
) -> Result<(), AppError> {
    use crate::domain::schedule::ScheduleDraft;
    let (state, actor) = context().await?;
    let draft = ScheduleDraft {
        name,
        description,
        time_zone,
    };
    let schedule = crate::service::schedules::create(&state, &actor, draft).await?;
    leptos_axum::redirect(&format!("/schedules/{}", schedule.id));
    Ok(())
}

#[server(endpoint = "schedules/delete")]
pub async fn delete_schedule(id: i64, version: i32) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    crate::service::schedules::delete(&state, &actor, id, Some(version)).await?;
    leptos_axum::redirect("/schedules");
    Ok(())
}

/// Adds a role: members as usernames in turn order; a rotation when `every_days` is set.
#[server(endpoint = "schedules/roles/create")]
pub async fn create_role(
    schedule_id: i64,
    name: String,
    members: String,
    rotation_start: String,
    every_days: String,
) -> Result<(), AppError> {
    use crate::domain::schedule::{RoleDraft, Rotation};
    let (state, actor) = context().await?;
    let members = crate::service::schedules::user_ids(&state, &actor, "members", &members).await?;
    let rotation = match every_days.trim() {
        "" => None,
        days => Some(Rotation {
            start: chrono::NaiveDateTime::parse_from_str(rotation_start.trim(), "%Y-%m-%dT%H:%M")
                .map_err(|_| {
                AppError::invalid("rotation_start", "give the first hand-off's date and time")
            })?,
            every_days: days.parse().map_err(|_| {
                AppError::invalid("every_days", format!("'{days}' is not a number of days"))
            })?,
        }),
    };
    let draft = RoleDraft {
        name,
        members,
        rotation,
    };
    crate::service::schedules::create_role(&state, &actor, schedule_id, draft)
        .await
        .map_err(|e| match e {
            AppError::Validation { field, message } if field == "rotation.every_days" => {
                AppError::Validation {
                    field: "every_days".into(),
                    message,
                }
            }
            other => other,
        })?;
    Ok(())
}

#[server(endpoint = "schedules/roles/delete")]
pub async fn delete_role(id: i64, version: i32) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    crate::service::schedules::delete_role(&state, &actor, id, Some(version)).await?;
    Ok(())
}

/// Puts `user` (a username) on duty for a role from `starts_at` to `ends_at`, wall-clock times
/// in the schedule's zone.
#[server(endpoint = "schedules/overrides/create")]
pub async fn create_override(
    schedule_id: i64,
    role_id: i64,
    user: String,
    starts_at: String,
    ends_at: String,
    reason: String,
) -> Result<(), AppError> {
    use crate::domain::schedule::OverrideDraft;
    let (state, actor) = context().await?;
    let detail = crate::service::schedules::detail(&state, &actor, schedule_id).await?;
    let tz = detail.schedule.spec.zone();
    let user_id = crate::service::schedules::user_ids(&state, &actor, "user", &user)
        .await?
        .first()
        .copied()
        .ok_or_else(|| AppError::invalid("user", "name the user who takes over"))?;
    let draft = OverrideDraft {
        user_id,
        starts_at: form_time("starts_at", &starts_at, tz)?,
        ends_at: form_time("ends_at", &ends_at, tz)?,
        reason,
    };
    crate::service::schedules::create_override(&state, &actor, role_id, draft).await?;
    Ok(())
}

#[server(endpoint = "schedules/overrides/delete")]
pub async fn delete_override(id: i64) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    crate::service::schedules::delete_override(&state, &actor, id).await?;
    Ok(())
}
