//! The war-room pages' data and forms.

// A server function's arguments are its form's fields, one each.
#![allow(clippy::too_many_arguments)]

use super::Stamped;
use crate::domain::AppError;
use crate::domain::war_room::{WarRoomDetail, WarRoomRule, WarRoomSummary};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::context;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WarRoomList {
    pub rooms: Stamped<Vec<WarRoomSummary>>,
    pub rules: Vec<WarRoomRule>,
    /// (picker value, label) of every on-call role, for the rule form.
    pub roles: Vec<(String, String)>,
    pub applications: Vec<(i64, String)>,
    pub is_admin: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WarRoomPage {
    pub detail: Stamped<WarRoomDetail>,
    /// People who can be invited: (id, label).
    pub people: Vec<(i64, String)>,
    pub applications: Vec<(i64, String)>,
    /// The caller may open follow-up tickets (improvements, problems) from the room.
    pub can_follow_up: bool,
}

#[server(endpoint = "war-rooms/list")]
pub async fn list_war_rooms() -> Result<WarRoomList, AppError> {
    let (state, actor) = context().await?;
    let rooms = crate::service::war_rooms::list(&state, &actor).await?;
    let roles = crate::domain::incident::Assignee::roles(
        &crate::service::incidents::assignees(&state, &actor).await?,
    );
    Ok(WarRoomList {
        rooms: Stamped {
            data: rooms,
            now: state.now(),
        },
        rules: crate::service::war_rooms::rules(&state, &actor).await?,
        roles,
        applications: crate::service::applications::names(&state, &actor).await?,
        is_admin: actor.holds(crate::domain::user::Role::Admin),
    })
}

#[server(endpoint = "war-rooms/get")]
pub async fn get_war_room(id: i64) -> Result<WarRoomPage, AppError> {
    let (state, actor) = context().await?;
    let detail = crate::service::war_rooms::get(&state, &actor, id).await?;
    let (people, applications) = if detail.powers.manage {
        let people = crate::domain::incident::Assignee::people(
            &crate::service::incidents::assignees(&state, &actor).await?,
        );
        (
            people,
            crate::service::applications::names(&state, &actor).await?,
        )
    } else {
        (vec![], vec![])
    };
    Ok(WarRoomPage {
        detail: Stamped {
            data: detail,
            now: state.now(),
        },
        people,
        applications,
        can_follow_up: actor.holds(crate::domain::user::Role::Operator),
    })
}

/// Invites someone, or changes their role.
#[server(endpoint = "war-rooms/member")]
pub async fn war_room_member(id: i64, user_id: i64, role: String) -> Result<(), AppError> {
    use crate::domain::war_room::MemberRole;
    let (state, actor) = context().await?;
    let role = MemberRole::parse_field("role", &role)?;
    crate::service::war_rooms::put_member(&state, &actor, id, user_id, role).await?;
    Ok(())
}

#[server(endpoint = "war-rooms/remove-member")]
pub async fn war_room_remove_member(id: i64, user_id: i64) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    crate::service::war_rooms::remove_member(&state, &actor, id, user_id).await?;
    Ok(())
}

#[server(endpoint = "war-rooms/application")]
pub async fn war_room_application(id: i64, application_id: String) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    let app = super::ssr::optional_id("application_id", &application_id)?
        .ok_or_else(|| AppError::invalid("application_id", "pick an application"))?;
    crate::service::war_rooms::add_application(&state, &actor, id, app).await?;
    Ok(())
}

#[server(endpoint = "war-rooms/restore")]
pub async fn war_room_restore(
    id: i64,
    application_id: i64,
    restored: String,
) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    crate::service::war_rooms::set_restored(&state, &actor, id, application_id, restored == "yes")
        .await?;
    Ok(())
}

#[server(endpoint = "war-rooms/notice")]
pub async fn war_room_notice(id: i64, kind: String, body: String) -> Result<(), AppError> {
    use crate::domain::war_room::{NewNotice, NoticeKind};
    let (state, actor) = context().await?;
    let notice = NewNotice {
        kind: NoticeKind::parse_field("kind", &kind)?,
        body,
    };
    crate::service::war_rooms::post_notice(&state, &actor, id, notice).await?;
    Ok(())
}

#[server(endpoint = "war-rooms/close")]
pub async fn close_war_room(
    id: i64,
    version: i32,
    cause: String,
    impact: String,
) -> Result<(), AppError> {
    use crate::domain::war_room::CloseRoom;
    let (state, actor) = context().await?;
    let request = CloseRoom {
        cause,
        impact,
        version,
    };
    crate::service::war_rooms::close(&state, &actor, id, request).await?;
    Ok(())
}

#[server(endpoint = "war-rooms/subscribe")]
pub async fn war_room_subscribe(id: i64, on: String) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    crate::service::war_rooms::subscribe(&state, &actor, id, on == "yes").await?;
    Ok(())
}

#[server(endpoint = "war-rooms/rules/create")]
pub async fn create_war_room_rule(
    name: String,
    level_p1: Option<String>,
    level_p2: Option<String>,
    level_p3: Option<String>,
    level_p4: Option<String>,
    level_p5: Option<String>,
    application_id: String,
    role: String,
    member_role: String,
) -> Result<(), AppError> {
    use crate::domain::incident::{Assignee, Level};
    use crate::domain::war_room::{MemberRole, NewWarRoomRule};
    // One checkbox per level, named after it.
    let (state, actor) = context().await?;
    let Assignee::OnDuty {
        schedule_id,
        role: schedule_role,
    } = Assignee::parse_choice("role", &role)?
    else {
        return Err(AppError::invalid("role", "pick an on-call role"));
    };
    let new = NewWarRoomRule {
        name,
        levels: [level_p1, level_p2, level_p3, level_p4, level_p5]
            .into_iter()
            .zip(Level::ALL)
            .filter_map(|(ticked, level)| ticked.map(|_| *level))
            .collect(),
        application_ids: super::ssr::optional_id("application_id", &application_id)?
            .into_iter()
            .collect(),
        schedule_id,
        schedule_role,
        member_role: MemberRole::parse_field("member_role", &member_role)?,
    };
    crate::service::war_rooms::create_rule(&state, &actor, new).await?;
    Ok(())
}

#[server(endpoint = "war-rooms/rules/delete")]
pub async fn delete_war_room_rule(id: i64) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    crate::service::war_rooms::delete_rule(&state, &actor, id).await
}
