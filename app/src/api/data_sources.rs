//! The data-source pages' data and forms. A new key travels from the form to the page that
//! shows it in a short-lived cookie, so it never appears in a URL.

use crate::domain::AppError;
use crate::domain::data_source::DataSource;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::context;

#[cfg(feature = "ssr")]
const NEW_KEY_COOKIE: &str = "opsroom_new_key";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataSourceList {
    pub sources: Vec<DataSource>,
    pub origin: String,
    pub is_admin: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataSourcePage {
    pub source: DataSource,
    /// The whole push URL with the key: only right after the key was made.
    pub new_push_url: Option<String>,
    /// The push URL without the key.
    pub push_url: String,
    pub is_admin: bool,
    pub now: chrono::DateTime<chrono::Utc>,
}

#[server(endpoint = "data-sources/list")]
pub async fn list_data_sources() -> Result<DataSourceList, AppError> {
    let (state, actor) = context().await?;
    Ok(DataSourceList {
        sources: crate::service::data_sources::list(&state, &actor).await?,
        origin: super::ssr::origin(),
        is_admin: actor.holds(crate::domain::user::Role::Admin),
    })
}

/// Hands a new key to the next page view of source `id`, once.
#[cfg(feature = "ssr")]
fn hand_over(id: i64, key: &str) -> Result<(), AppError> {
    super::ssr::hand_over(NEW_KEY_COOKIE, id, key)?;
    leptos_axum::redirect(&format!("/data-sources/{id}"));
    Ok(())
}

#[server(endpoint = "data-sources/get")]
pub async fn get_data_source(id: i64) -> Result<DataSourcePage, AppError> {
    use crate::domain::data_source::push_path;
    let (state, actor) = context().await?;
    let source = crate::service::data_sources::get(&state, &actor, id).await?;
    let origin = super::ssr::origin();
    let new_key = super::ssr::take_handed(NEW_KEY_COOKIE, |i| i == id)?.map(|(_, k)| k);
    Ok(DataSourcePage {
        new_push_url: new_key.map(|k| format!("{origin}{}", push_path(source.kind, &k))),
        push_url: format!("{origin}{}", source.push_path()),
        is_admin: actor.holds(crate::domain::user::Role::Admin),
        now: state.now(),
        source,
    })
}

#[server(endpoint = "data-sources/create")]
pub async fn create_data_source(name: String, kind: String) -> Result<(), AppError> {
    use crate::domain::data_source::{DataSourceKind, NewDataSource};
    let (state, actor) = context().await?;
    let new = NewDataSource {
        name,
        kind: DataSourceKind::parse_field("kind", &kind)?,
        enabled: true,
    };
    let made = crate::service::data_sources::create(&state, &actor, new).await?;
    hand_over(made.source.id, &made.key)
}

#[server(endpoint = "data-sources/update")]
pub async fn update_data_source(
    id: i64,
    version: i32,
    name: String,
    enabled: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::data_source::DataSourceUpdate;
    let (state, actor) = context().await?;
    let update = DataSourceUpdate {
        name,
        enabled: enabled.is_some(),
        version,
    };
    crate::service::data_sources::update(&state, &actor, id, update).await?;
    Ok(())
}

#[server(endpoint = "data-sources/rotate")]
pub async fn rotate_data_source_key(id: i64) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    let made = crate::service::data_sources::rotate_key(&state, &actor, id).await?;
    hand_over(id, &made.key)
}

#[server(endpoint = "data-sources/delete")]
pub async fn delete_data_source(id: i64, version: i32) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    let source = crate::service::data_sources::get(&state, &actor, id).await?;
    AppError::check_version("Data source", id, source.version, version)?;
    crate::service::data_sources::delete(&state, &actor, id).await?;
    leptos_axum::redirect("/data-sources");
    Ok(())
}
