//! The freeze windows page's data and forms.

// A server function's arguments are its form's fields, one each.
#![allow(clippy::too_many_arguments)]

use crate::domain::AppError;
use crate::domain::freeze::FreezeWindow;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::context;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FreezeListing {
    pub windows: Vec<FreezeWindow>,
    pub applications: Vec<(i64, String)>,
    pub can_manage: bool,
}

#[server(endpoint = "freeze-windows/list")]
pub async fn list_freezes() -> Result<FreezeListing, AppError> {
    let (state, actor) = context().await?;
    Ok(FreezeListing {
        windows: crate::service::freezes::list(&state, &actor).await?,
        applications: crate::service::applications::names(&state, &actor).await?,
        can_manage: actor.holds(crate::domain::user::Role::Admin),
    })
}

/// Adds a freeze window from the page's form: for one application or all.
#[server(endpoint = "freeze-windows/create")]
pub async fn create_freeze(
    name: String,
    application_id: String,
    repeat: String,
    starts_at: String,
    ends_at: String,
    time_zone: String,
    from_day: String,
    from_time: String,
    to_day: String,
    to_time: String,
) -> Result<(), AppError> {
    use crate::domain::freeze::{Day, FreezeDraft, Repeat};
    let (state, actor) = context().await?;
    let given = |v: String| Some(v).filter(|s| !s.trim().is_empty());
    let time = |field: &str, text: String| {
        given(text)
            .map(|t| {
                crate::domain::time::parse_utc(&t)
                    .ok_or_else(|| AppError::invalid(field, "pick a date and time"))
            })
            .transpose()
    };
    let day =
        |field: &str, text: String| given(text).map(|d| Day::parse_field(field, &d)).transpose();
    let draft = FreezeDraft {
        name,
        application_ids: super::ssr::optional_id("application_id", &application_id)?
            .into_iter()
            .collect(),
        repeat: Repeat::parse_field("repeat", &repeat)?,
        starts_at: time("starts_at", starts_at)?,
        ends_at: time("ends_at", ends_at)?,
        time_zone: given(time_zone),
        from_day: day("from_day", from_day)?,
        from_time: given(from_time),
        to_day: day("to_day", to_day)?,
        to_time: given(to_time),
    };
    crate::service::freezes::create(&state, &actor, draft).await?;
    Ok(())
}

#[server(endpoint = "freeze-windows/delete")]
pub async fn delete_freeze(id: i64) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    crate::service::freezes::delete(&state, &actor, id).await
}
