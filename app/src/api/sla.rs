//! The service-level page's data and form.

use crate::domain::AppError;
use crate::domain::sla::SlaPolicy;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr::context;

#[server(endpoint = "sla/list")]
pub async fn list_sla() -> Result<(Vec<SlaPolicy>, bool), AppError> {
    let (state, actor) = context().await?;
    Ok((
        crate::service::sla::policies(&state, &actor).await?,
        actor.holds(crate::domain::user::Role::Admin),
    ))
}

#[server(endpoint = "sla/update")]
pub async fn update_sla(
    level: String,
    accept_minutes: String,
    resolve_minutes: String,
    version: i32,
) -> Result<(), AppError> {
    use crate::domain::incident::Level;
    use crate::domain::sla::SlaEdit;
    let (state, actor) = context().await?;
    let minutes = |field: &str, text: &str| -> Result<i32, AppError> {
        text.trim()
            .parse()
            .map_err(|_| AppError::invalid(field, format!("'{text}' is not a number of minutes")))
    };
    let edit = SlaEdit {
        accept_minutes: minutes("accept_minutes", &accept_minutes)?,
        resolve_minutes: minutes("resolve_minutes", &resolve_minutes)?,
        version,
    };
    crate::service::sla::update(&state, &actor, Level::parse_field("level", &level)?, edit).await?;
    Ok(())
}
