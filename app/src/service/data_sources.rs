//! Data sources (administrators): create one with its integration key, rename, enable or
//! disable, rotate the key, delete one that never raised an alarm.

use super::Actor;
use super::audit::{Change, record};
use crate::domain::AppError;
use crate::domain::data_source::{
    DataSource, DataSourceUpdate, DataSourceWithKey, KEY_LEN, NewDataSource, key_hint, push_path,
};
use crate::domain::user::Role;
use crate::state::AppState;
use crate::store;
use rand::Rng;
use rand::distributions::Alphanumeric;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;

const MANAGE: &str = "managing data sources";
const OBJECT: &str = "data_source";

/// A fresh integration key: 32 letters and digits from the system's secure generator.
pub(crate) fn new_key() -> String {
    rand::rngs::OsRng
        .sample_iter(&Alphanumeric)
        .take(KEY_LEN)
        .map(char::from)
        .collect()
}

/// How a key is stored and looked up.
pub fn key_hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

async fn load(conn: &mut PgConnection, id: i64) -> Result<DataSource, AppError> {
    store::data_sources::find(conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("Data source", id))
}

pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<DataSource>, AppError> {
    actor.require(Role::Viewer, "reading data sources")?;
    let mut conn = state.pool.acquire().await?;
    store::data_sources::list(&mut conn).await
}

/// (id, name) of every source, for pickers and filters.
pub async fn names(state: &AppState, actor: &Actor) -> Result<Vec<(i64, String)>, AppError> {
    actor.require(Role::Viewer, "reading data sources")?;
    let mut conn = state.pool.acquire().await?;
    store::data_sources::names(&mut conn).await
}

pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<DataSource, AppError> {
    actor.require(Role::Viewer, "reading data sources")?;
    let mut conn = state.pool.acquire().await?;
    load(&mut conn, id).await
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    new: NewDataSource,
) -> Result<DataSourceWithKey, AppError> {
    actor.require(Role::Admin, MANAGE)?;
    let new = new.normalized()?;
    let now = state.now();
    let key = new_key();
    let mut tx = state.pool.begin().await?;
    let id = store::data_sources::insert(
        &mut tx,
        &new.name,
        new.kind,
        new.enabled,
        &key_hash(&key),
        key_hint(&key),
        now,
    )
    .await?;
    let source = load(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new(OBJECT, id, "create").after(&source),
    )
    .await?;
    tx.commit().await?;
    state.pipeline.forget();
    Ok(DataSourceWithKey {
        push_path: push_path(source.kind, &key),
        source,
        key,
    })
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: i64,
    update: DataSourceUpdate,
) -> Result<DataSource, AppError> {
    actor.require(Role::Admin, MANAGE)?;
    let update = update.normalized()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = load(&mut tx, id).await?;
    AppError::check_version("Data source", id, before.version, update.version)?;
    store::data_sources::update(&mut tx, id, &update.name, update.enabled, now).await?;
    let after = load(&mut tx, id).await?;
    let action = match (before.enabled, after.enabled) {
        (true, false) => "disable",
        (false, true) => "enable",
        _ => "update",
    };
    record(
        &mut tx,
        actor,
        now,
        Change::new(OBJECT, id, action)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    state.pipeline.forget();
    Ok(after)
}

/// A new key replaces the old one at once: pushes with the old key get 404 from now on.
pub async fn rotate_key(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<DataSourceWithKey, AppError> {
    actor.require(Role::Admin, MANAGE)?;
    let now = state.now();
    let key = new_key();
    let mut tx = state.pool.begin().await?;
    let before = load(&mut tx, id).await?;
    store::data_sources::rotate(&mut tx, id, &key_hash(&key), key_hint(&key), now).await?;
    let source = load(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new(OBJECT, id, "rotate_key")
            .before(&before)
            .after(&source),
    )
    .await?;
    tx.commit().await?;
    state.pipeline.forget();
    Ok(DataSourceWithKey {
        push_path: push_path(source.kind, &key),
        source,
        key,
    })
}

/// Deletes a source that never raised an alarm; one with alarms is disabled instead (409).
pub async fn delete(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    actor.require(Role::Admin, MANAGE)?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = load(&mut tx, id).await?;
    if !store::data_sources::delete(&mut tx, id).await? {
        return Err(AppError::conflict(format!(
            "data source '{}' has alarms: disable it instead, so its history stays",
            before.name
        )));
    }
    record(
        &mut tx,
        actor,
        now,
        Change::new(OBJECT, id, "delete").before(&before),
    )
    .await?;
    tx.commit().await?;
    state.pipeline.forget();
    Ok(())
}
