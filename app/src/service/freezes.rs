//! Freeze windows: administrators keep them; every change's submission and page consult them.

use super::Actor;
use super::audit::{Change as Audited, record};
use crate::domain::AppError;
use crate::domain::change::Change;
use crate::domain::freeze::{FreezeDraft, FreezeHit, FreezeWindow};
use crate::domain::user::Role;
use crate::state::AppState;
use crate::store;
use sqlx::PgConnection;

const OBJECT: &str = "freeze_window";
const MANAGE: &str = "managing freeze windows";

pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<FreezeWindow>, AppError> {
    actor.require(Role::Viewer, "reading freeze windows")?;
    let mut conn = state.pool.acquire().await?;
    store::freezes::all(&mut conn).await
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    draft: FreezeDraft,
) -> Result<FreezeWindow, AppError> {
    actor.require(Role::Admin, MANAGE)?;
    let draft = draft.normalized()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    for id in &draft.application_ids {
        if !store::applications::hold(&mut tx, *id).await? {
            return Err(AppError::invalid(
                "application_ids",
                format!("no application has id {id}"),
            ));
        }
    }
    let stored = store::freezes::insert(&mut tx, &draft, now).await?;
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

pub async fn delete(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    actor.require(Role::Admin, MANAGE)?;
    super::audit::remove(
        state,
        actor,
        (OBJECT, "Freeze window", id),
        async |conn| store::freezes::find(conn, id).await,
        async |conn| store::freezes::delete(conn, id).await,
    )
    .await
}

/// The freeze windows that hold `change`'s application, each with the first occurrence its
/// planned window overlaps.
pub(crate) async fn hits(
    conn: &mut PgConnection,
    change: &Change,
) -> Result<Vec<FreezeHit>, AppError> {
    Ok(store::freezes::all(conn)
        .await?
        .iter()
        .filter(|w| w.holds(change.application_id))
        .filter_map(|w| w.overlap(change.planned_start, change.planned_end))
        .collect())
}
