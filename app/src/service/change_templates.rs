//! The library of standard changes: administrators keep it; operators make changes from it
//! (`service::changes::from_template`).

use super::Actor;
use super::audit::{Change as Audited, record};
use super::workflow::check_application;
use crate::domain::AppError;
use crate::domain::change::{ChangeTemplate, NewChangeTemplate};
use crate::domain::user::Role;
use crate::state::AppState;
use crate::store;

const OBJECT: &str = "change_template";
const MANAGE: &str = "managing change templates";

pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<ChangeTemplate>, AppError> {
    actor.require(Role::Viewer, "reading change templates")?;
    let mut conn = state.pool.acquire().await?;
    store::change_templates::all(&mut conn).await
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    new: NewChangeTemplate,
) -> Result<ChangeTemplate, AppError> {
    actor.require(Role::Admin, MANAGE)?;
    let new = new.normalized()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    check_application(&mut tx, new.application_id).await?;
    let stored = store::change_templates::insert(&mut tx, &new, now).await?;
    record(
        &mut tx,
        actor,
        now,
        Audited::new(OBJECT, stored.id, "create").after(&stored),
    )
    .await?;
    tx.commit().await?;
    Ok(stored)
}

/// Removes a template no change was made from (409 otherwise: its changes keep naming it).
pub async fn delete(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    actor.require(Role::Admin, MANAGE)?;
    super::audit::remove(
        state,
        actor,
        (OBJECT, "Change template", id),
        async |conn| store::change_templates::find(conn, id).await,
        async |conn| store::change_templates::delete(conn, id).await,
    )
    .await
}
