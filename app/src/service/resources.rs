//! Keeping the inventory: create, edit, delete and find resources.

use super::Actor;
use super::audit::{Change, record};
use crate::domain::AppError;
use crate::domain::list::{ListParams, Page, Sort};
use crate::domain::resource::{Resource, ResourceDraft, ResourceFilter, ResourcePatch};
use crate::domain::user::Role;
use crate::state::AppState;
use crate::store;

pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: &ResourceFilter,
    params: &ListParams,
) -> Result<Page<Resource>, AppError> {
    actor.require(Role::Viewer, "reading the inventory")?;
    let window = params.window(
        store::resources::SORTABLE,
        Sort {
            field: "id",
            descending: true,
        },
    )?;
    let mut conn = state.pool.acquire().await?;
    store::resources::list(&mut conn, filter, window).await
}

pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<Resource, AppError> {
    actor.require(Role::Viewer, "reading the inventory")?;
    let mut conn = state.pool.acquire().await?;
    store::resources::find(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("Resource", id))
}

/// Regions in use, for filter pickers.
pub async fn regions(state: &AppState, actor: &Actor) -> Result<Vec<String>, AppError> {
    actor.require(Role::Viewer, "reading the inventory")?;
    let mut conn = state.pool.acquire().await?;
    store::resources::regions(&mut conn).await
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    draft: ResourceDraft,
) -> Result<Resource, AppError> {
    actor.require(Role::Operator, "adding resources")?;
    let draft = draft.normalized()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let resource = store::resources::insert(&mut tx, &draft, now).await?;
    super::groups::reevaluate(&mut tx, actor, now, &[&resource]).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("resource", resource.id, "create").after(&resource),
    )
    .await?;
    tx.commit().await?;
    Ok(resource)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: i64,
    patch: ResourcePatch,
) -> Result<Resource, AppError> {
    actor.require(Role::Operator, "editing resources")?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = store::resources::find_for_update(&mut tx, id).await?;
    AppError::check_version("Resource", id, before.version, patch.version)?;
    let draft = patch.apply(&before.spec).normalized()?;
    let after = store::resources::update(&mut tx, id, &draft, now).await?;
    super::groups::reevaluate(&mut tx, actor, now, &[&after]).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("resource", id, "update")
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete(
    state: &AppState,
    actor: &Actor,
    id: i64,
    version: Option<i32>,
) -> Result<(), AppError> {
    actor.require(Role::Operator, "deleting resources")?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = store::resources::find_for_update(&mut tx, id).await?;
    if let Some(seen) = version {
        AppError::check_version("Resource", id, before.version, seen)?;
    }
    super::groups::forget(&mut tx, actor, now, &[id]).await?;
    store::resources::delete(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("resource", id, "delete").before(&before),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
