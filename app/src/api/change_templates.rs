//! The standard change library's page: its templates, adding and removing them
//! (administrators), and making a standard change from one (operators).

use crate::domain::AppError;
use crate::domain::change::ChangeTemplate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::context;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateListing {
    pub templates: Vec<ChangeTemplate>,
    pub applications: Vec<(i64, String)>,
    /// Who may implement, as picker choices.
    pub implementers: Vec<(String, String)>,
    pub can_manage: bool,
    pub can_plan: bool,
}

#[server(endpoint = "change-templates/list")]
pub async fn list_templates() -> Result<TemplateListing, AppError> {
    use crate::domain::user::Role;
    let (state, actor) = context().await?;
    Ok(TemplateListing {
        templates: crate::service::change_templates::list(&state, &actor).await?,
        applications: crate::service::applications::names(&state, &actor).await?,
        implementers: crate::service::incidents::assignees(&state, &actor).await?,
        can_manage: actor.holds(Role::Admin),
        can_plan: actor.holds(Role::Operator),
    })
}

#[server(endpoint = "change-templates/create")]
#[allow(clippy::too_many_arguments)]
pub async fn create_template(
    name: String,
    title: String,
    description: String,
    level: String,
    application_id: String,
    rollback_plan: String,
    duration_minutes: String,
) -> Result<(), AppError> {
    use crate::domain::change::{NewChangeTemplate, RiskLevel};
    let (state, actor) = context().await?;
    let new = NewChangeTemplate {
        name,
        title,
        description,
        level: RiskLevel::parse_field("level", &level)?,
        application_id: super::ssr::optional_id("application_id", &application_id)?,
        rollback_plan,
        duration_minutes: duration_minutes
            .trim()
            .parse()
            .map_err(|_| AppError::invalid("duration_minutes", "a whole number of minutes"))?,
    };
    crate::service::change_templates::create(&state, &actor, new).await?;
    Ok(())
}

#[server(endpoint = "change-templates/delete")]
pub async fn delete_template(id: i64) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    crate::service::change_templates::delete(&state, &actor, id).await
}

/// Makes a standard change from template `id` and opens its page.
#[server(endpoint = "change-templates/use")]
pub async fn use_template(
    id: i64,
    implementer: String,
    planned_start: String,
) -> Result<(), AppError> {
    use crate::domain::change::FromTemplate;
    use crate::domain::incident::Assignee;
    let (state, actor) = context().await?;
    let from = FromTemplate {
        implementer: Assignee::parse_choice("implementer", &implementer)?,
        planned_start: crate::domain::time::parse_utc(&planned_start)
            .ok_or_else(|| AppError::invalid("planned_start", "pick a date and time"))?,
    };
    let stored = crate::service::changes::from_template(&state, &actor, id, from).await?;
    leptos_axum::redirect(&format!("/changes/{}", stored.id));
    Ok(())
}
