//! Resources (the inventory): what one is, and what a valid one looks like.

use super::AppError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::IpAddr;

crate::string_enum! {
    pub enum ResourceType {
        Host = "host",
        Database = "database",
        Cache = "cache",
        LoadBalancer = "load_balancer",
        ContainerCluster = "container_cluster",
        Middleware = "middleware",
        Other = "other",
    }
}

crate::string_enum! {
    pub enum Provider {
        Onprem = "onprem",
        Aws = "aws",
        Azure = "azure",
        Gcp = "gcp",
        Huawei = "huawei",
        Aliyun = "aliyun",
        Other = "other",
    }
}

crate::string_enum! {
    pub enum ResourceStatus { Running = "running", Stopped = "stopped", Fault = "fault", Unknown = "unknown" }
}

crate::string_enum! {
    pub enum AgentState { Online = "online", Offline = "offline", NotInstalled = "not_installed" }
}

/// Tags as `key → value`, sorted by key.
pub type Tags = BTreeMap<String, String>;

pub const NAME_MAX: usize = 128;
pub const LOCATION_MAX: usize = 64;
pub const OS_MAX: usize = 128;
pub const TAGS_MAX: usize = 20;
pub const TAG_KEY_MAX: usize = 64;
pub const TAG_VALUE_MAX: usize = 256;
pub const CPU_MAX: i32 = 4096;
pub const MEMORY_GIB_MAX: f64 = 65_536.0;
pub const DISK_GIB_MAX: f64 = 10_485_760.0;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Resource {
    pub id: i64,
    #[serde(flatten)]
    pub spec: ResourceDraft,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Everything about a resource that its owner sets: the body of a create, and the shape a
/// patch or an import row is turned into before it is checked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResourceDraft {
    pub name: String,
    #[serde(rename = "type")]
    pub resource_type: ResourceType,
    pub provider: Provider,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub zone: String,
    /// Empty when none.
    #[serde(default)]
    pub private_ip: String,
    #[serde(default)]
    pub public_ip: String,
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub cpu_cores: i32,
    #[serde(default)]
    pub memory_gib: f64,
    #[serde(default)]
    pub disk_gib: f64,
    #[serde(default = "default_status")]
    pub status: ResourceStatus,
    #[serde(default = "default_agent")]
    pub agent_state: AgentState,
    #[serde(default)]
    pub tags: Tags,
}

fn default_status() -> ResourceStatus {
    ResourceStatus::Unknown
}

fn default_agent() -> AgentState {
    AgentState::NotInstalled
}

/// An edit: absent fields stay as they are; `tags`, when present, replaces all tags.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResourcePatch {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub resource_type: Option<ResourceType>,
    pub provider: Option<Provider>,
    pub region: Option<String>,
    pub zone: Option<String>,
    pub private_ip: Option<String>,
    pub public_ip: Option<String>,
    pub os: Option<String>,
    pub cpu_cores: Option<i32>,
    pub memory_gib: Option<f64>,
    pub disk_gib: Option<f64>,
    pub status: Option<ResourceStatus>,
    pub agent_state: Option<AgentState>,
    pub tags: Option<Tags>,
    /// The version the editor saw; a stale one is refused with 409.
    pub version: i32,
}

impl ResourcePatch {
    /// A patch that sets every field, as a full edit form does.
    pub fn whole(d: ResourceDraft, version: i32) -> ResourcePatch {
        ResourcePatch {
            name: Some(d.name),
            resource_type: Some(d.resource_type),
            provider: Some(d.provider),
            region: Some(d.region),
            zone: Some(d.zone),
            private_ip: Some(d.private_ip),
            public_ip: Some(d.public_ip),
            os: Some(d.os),
            cpu_cores: Some(d.cpu_cores),
            memory_gib: Some(d.memory_gib),
            disk_gib: Some(d.disk_gib),
            status: Some(d.status),
            agent_state: Some(d.agent_state),
            tags: Some(d.tags),
            version,
        }
    }

    pub fn apply(self, current: &ResourceDraft) -> ResourceDraft {
        let c = current.clone();
        ResourceDraft {
            name: self.name.unwrap_or(c.name),
            resource_type: self.resource_type.unwrap_or(c.resource_type),
            provider: self.provider.unwrap_or(c.provider),
            region: self.region.unwrap_or(c.region),
            zone: self.zone.unwrap_or(c.zone),
            private_ip: self.private_ip.unwrap_or(c.private_ip),
            public_ip: self.public_ip.unwrap_or(c.public_ip),
            os: self.os.unwrap_or(c.os),
            cpu_cores: self.cpu_cores.unwrap_or(c.cpu_cores),
            memory_gib: self.memory_gib.unwrap_or(c.memory_gib),
            disk_gib: self.disk_gib.unwrap_or(c.disk_gib),
            status: self.status.unwrap_or(c.status),
            agent_state: self.agent_state.unwrap_or(c.agent_state),
            tags: self.tags.unwrap_or(c.tags),
        }
    }
}

/// `min` to `max` characters, or a 422 naming the field and the limit.
pub(crate) fn check_length(
    field: &str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), AppError> {
    let len = value.chars().count();
    if len < min || len > max {
        let rule = if min == 0 {
            format!("must be at most {max} characters (got {len})")
        } else {
            format!("must be {min} to {max} characters (got {len})")
        };
        return Err(AppError::invalid(field, rule));
    }
    // PostgreSQL text cannot hold NUL.
    if value.contains('\0') {
        return Err(AppError::invalid(field, "must not contain NUL characters"));
    }
    Ok(())
}

/// One line of text: `min` to `max` characters, no control characters.
pub(crate) fn check_text(field: &str, value: &str, min: usize, max: usize) -> Result<(), AppError> {
    check_length(field, value, min, max)?;
    if value.chars().any(char::is_control) {
        return Err(AppError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(())
}

pub(crate) fn check_location(field: &str, value: &str) -> Result<(), AppError> {
    check_text(field, value, 0, LOCATION_MAX)?;
    if let Some(bad) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-_.".contains(*c)))
    {
        return Err(AppError::invalid(
            field,
            format!("may only contain letters, digits, '-', '_' and '.' (found '{bad}')"),
        ));
    }
    Ok(())
}

fn check_ip(field: &str, value: &str) -> Result<(), AppError> {
    if value.is_empty() || value.parse::<IpAddr>().is_ok() {
        Ok(())
    } else {
        Err(AppError::invalid(
            field,
            format!("'{value}' is not an IPv4 or IPv6 address"),
        ))
    }
}

fn check_amount(field: &str, value: f64, max: f64) -> Result<(), AppError> {
    if value.is_finite() && (0.0..=max).contains(&value) {
        Ok(())
    } else {
        Err(AppError::invalid(
            field,
            format!("must be between 0 and {max}"),
        ))
    }
}

/// A tag key: 1–64 of letters, digits and `_ . : / -`.
pub fn check_tag_key(key: &str) -> Result<(), AppError> {
    let len = key.chars().count();
    if len == 0 || len > TAG_KEY_MAX {
        return Err(AppError::invalid(
            "tags",
            format!("a key must be 1 to {TAG_KEY_MAX} characters (got '{key}')"),
        ));
    }
    if let Some(bad) = key
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "_.:/-".contains(*c)))
    {
        return Err(AppError::invalid(
            "tags",
            format!(
                "key '{key}' may only contain letters, digits and '_', '.', ':', '/', '-' (found '{bad}')"
            ),
        ));
    }
    Ok(())
}

pub fn check_tags(tags: &Tags) -> Result<(), AppError> {
    if tags.len() > TAGS_MAX {
        return Err(AppError::invalid(
            "tags",
            format!("at most {TAGS_MAX} tags (got {})", tags.len()),
        ));
    }
    for (key, value) in tags {
        check_tag_key(key)?;
        if value.chars().count() > TAG_VALUE_MAX || value.chars().any(char::is_control) {
            return Err(AppError::invalid(
                "tags",
                format!(
                    "the value of '{key}' must be at most {TAG_VALUE_MAX} characters without control characters"
                ),
            ));
        }
    }
    Ok(())
}

/// `k=v` into a tag; the filter and the form both write tags this way.
pub fn parse_tag(text: &str) -> Result<(String, String), AppError> {
    let (key, value) = text.split_once('=').ok_or_else(|| {
        AppError::invalid("tags", format!("'{text}' is not of the form key=value"))
    })?;
    let key = key.trim().to_owned();
    check_tag_key(&key)?;
    Ok((key, value.trim().to_owned()))
}

/// Tags written one `k=v` per line or separated by commas.
pub fn parse_tags(text: &str) -> Result<Tags, AppError> {
    let mut tags = Tags::new();
    for part in text
        .split([',', '\n', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (key, value) = parse_tag(part)?;
        if tags.insert(key.clone(), value).is_some() {
            return Err(AppError::invalid(
                "tags",
                format!("key '{key}' appears twice"),
            ));
        }
    }
    check_tags(&tags)?;
    Ok(tags)
}

pub fn format_tags(tags: &Tags) -> String {
    tags.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl ResourceDraft {
    /// Trims the text fields and checks every one; the first broken rule is the error.
    pub fn normalized(mut self) -> Result<ResourceDraft, AppError> {
        for text in [
            &mut self.name,
            &mut self.region,
            &mut self.zone,
            &mut self.private_ip,
            &mut self.public_ip,
            &mut self.os,
        ] {
            *text = text.trim().to_owned();
        }
        self.tags = std::mem::take(&mut self.tags)
            .into_iter()
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        check_text("name", &self.name, 1, NAME_MAX)?;
        check_location("region", &self.region)?;
        check_location("zone", &self.zone)?;
        check_ip("private_ip", &self.private_ip)?;
        check_ip("public_ip", &self.public_ip)?;
        check_text("os", &self.os, 0, OS_MAX)?;
        if !(0..=CPU_MAX).contains(&self.cpu_cores) {
            return Err(AppError::invalid(
                "cpu_cores",
                format!("must be between 0 and {CPU_MAX}"),
            ));
        }
        check_amount("memory_gib", self.memory_gib, MEMORY_GIB_MAX)?;
        check_amount("disk_gib", self.disk_gib, DISK_GIB_MAX)?;
        check_tags(&self.tags)?;
        Ok(self)
    }
}

/// Filters of the resource list; all optional, combined with AND.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ResourceFilter {
    pub resource_type: Option<ResourceType>,
    pub provider: Option<Provider>,
    pub region: Option<String>,
    pub status: Option<ResourceStatus>,
    pub agent_state: Option<AgentState>,
    /// Contained in the name, private IP or public IP (case-insensitive).
    pub q: Option<String>,
    /// `key=value`: only resources with this tag.
    pub tag: Option<(String, String)>,
    /// Only resources of this group.
    pub group_id: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    pub fn draft(name: &str) -> ResourceDraft {
        ResourceDraft {
            name: name.into(),
            resource_type: ResourceType::Host,
            provider: Provider::Aws,
            region: "eu-west-1".into(),
            zone: "eu-west-1a".into(),
            private_ip: "10.0.0.5".into(),
            public_ip: String::new(),
            os: "Debian 12".into(),
            cpu_cores: 4,
            memory_gib: 16.0,
            disk_gib: 100.0,
            status: ResourceStatus::Running,
            agent_state: AgentState::Online,
            tags: Tags::from([("env".into(), "prod".into())]),
        }
    }

    fn field_of(d: ResourceDraft) -> Option<String> {
        d.normalized()
            .err()
            .and_then(|e| e.field().map(ToOwned::to_owned))
    }

    #[test]
    fn a_good_draft_is_trimmed_and_kept() {
        let mut d = draft("  web-01 ");
        d.tags.insert(" team ".into(), " sre ".into());
        let d = d.normalized().unwrap();
        assert_eq!(d.name, "web-01");
        assert_eq!(d.tags.get("team").map(String::as_str), Some("sre"));
    }

    #[test]
    fn each_rule_names_its_field() {
        type Breaker = fn(&mut ResourceDraft);
        let cases: Vec<(Breaker, &str)> = vec![
            (|d| d.name = String::new(), "name"),
            (|d| d.name = "x".repeat(129), "name"),
            (|d| d.region = "eu west".into(), "region"),
            (|d| d.zone = "z".repeat(65), "zone"),
            (|d| d.private_ip = "10.0.0.256".into(), "private_ip"),
            (|d| d.public_ip = "example.com".into(), "public_ip"),
            (|d| d.os = "o".repeat(129), "os"),
            (|d| d.cpu_cores = -1, "cpu_cores"),
            (|d| d.memory_gib = f64::NAN, "memory_gib"),
            (|d| d.disk_gib = -0.5, "disk_gib"),
            (
                |d| {
                    for i in 0..21 {
                        d.tags.insert(format!("k{i}"), "v".into());
                    }
                },
                "tags",
            ),
            (
                |d| {
                    d.tags.insert("bad key".into(), "v".into());
                },
                "tags",
            ),
        ];
        for (breaker, field) in cases {
            let mut d = draft("web");
            breaker(&mut d);
            assert_eq!(field_of(d).as_deref(), Some(field));
        }
    }

    #[test]
    fn ipv6_and_empty_addresses_are_fine() {
        let mut d = draft("db");
        d.private_ip = "fd00::1".into();
        d.public_ip = String::new();
        assert!(d.normalized().is_ok());
    }

    #[test]
    fn tags_parse_from_text() {
        let tags = parse_tags("env=prod, team = sre\napp=shop").unwrap();
        assert_eq!(format_tags(&tags), "app=shop, env=prod, team=sre");
        assert_eq!(parse_tags("").unwrap(), Tags::new());
        assert!(parse_tags("env").is_err());
        assert!(
            parse_tags("env=a,env=b")
                .unwrap_err()
                .to_string()
                .contains("twice")
        );
        assert_eq!(parse_tag("role=").unwrap(), ("role".into(), String::new()));
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let current = draft("web");
        let patch = ResourcePatch {
            status: Some(ResourceStatus::Fault),
            version: 1,
            ..Default::default()
        };
        let after = patch.apply(&current);
        assert_eq!(after.status, ResourceStatus::Fault);
        assert_eq!(after.name, "web");
        assert_eq!(after.tags, current.tags);
    }

    #[test]
    fn json_uses_type_and_defaults() {
        let d: ResourceDraft =
            serde_json::from_str(r#"{"name": "n", "type": "cache", "provider": "gcp"}"#).unwrap();
        assert_eq!(d.resource_type, ResourceType::Cache);
        assert_eq!(d.status, ResourceStatus::Unknown);
        assert_eq!(d.agent_state, AgentState::NotInstalled);
        assert!(d.tags.is_empty());
    }

    proptest! {
        #[test]
        fn accepted_drafts_stay_within_the_limits(name in "\\PC{0,140}", cpu in -5i32..5000, mem in -1.0f64..70000.0) {
            let mut d = draft("x");
            d.name = name;
            d.cpu_cores = cpu;
            d.memory_gib = mem;
            if let Ok(ok) = d.normalized() {
                prop_assert!((1..=NAME_MAX).contains(&ok.name.chars().count()));
                prop_assert!((0..=CPU_MAX).contains(&ok.cpu_cores));
                prop_assert!((0.0..=MEMORY_GIB_MAX).contains(&ok.memory_gib));
            }
        }
    }
}
