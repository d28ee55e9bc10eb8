//! Data sources: the monitoring systems allowed to push events, each with its secret key.

use super::AppError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

crate::string_enum! {
    pub enum DataSourceKind { Alertmanager = "alertmanager", Generic = "generic", Grafana = "grafana" }
}

/// The length of an integration key (letters and digits).
pub const KEY_LEN: usize = 32;
pub const NAME_MAX: usize = 100;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DataSource {
    pub id: i64,
    pub name: String,
    pub kind: DataSourceKind,
    pub enabled: bool,
    /// The key's last four characters, to tell keys apart; the key itself is shown only once.
    pub key_hint: String,
    pub key_rotated_at: DateTime<Utc>,
    /// Alarms of this source that are active now.
    pub active_alarms: i64,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl DataSource {
    /// Where the source pushes, without the key: `/v1/events/<kind>/`.
    pub fn push_path(&self) -> String {
        push_path(self.kind, "")
    }
}

/// A key's last four characters: how pages and errors tell keys apart without showing them.
pub fn key_hint(key: &str) -> &str {
    key.char_indices()
        .rev()
        .nth(3)
        .map_or(key, |(i, _)| &key[i..])
}

pub fn push_path(kind: DataSourceKind, key: &str) -> String {
    format!("/v1/events/{kind}/{key}")
}

/// A source with its new key: the answer to creating one or rotating its key, the only time
/// the key is shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DataSourceWithKey {
    #[serde(flatten)]
    pub source: DataSource,
    pub key: String,
    /// The path to push to, key included (prefix it with the server's address).
    pub push_path: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewDataSource {
    /// 1–100 characters, unique.
    pub name: String,
    pub kind: DataSourceKind,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

impl NewDataSource {
    pub fn normalized(mut self) -> Result<NewDataSource, AppError> {
        super::incident::check_len("name", &mut self.name, 1, NAME_MAX)?;
        Ok(self)
    }
}

/// `PUT /v1/data-sources/{id}`: rename, enable or disable (the type is fixed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DataSourceUpdate {
    pub name: String,
    pub enabled: bool,
    pub version: i32,
}

impl DataSourceUpdate {
    pub fn normalized(mut self) -> Result<DataSourceUpdate, AppError> {
        super::incident::check_len("name", &mut self.name, 1, NAME_MAX)?;
        Ok(self)
    }
}
