//! Groups: the level of the inventory tree that holds resources, by hand or by a rule, and the
//! rule matcher that decides which resources an automatic group holds.

use super::AppError;
use super::application::{normalize_label, present};
use super::resource::{ResourceDraft, ResourceType, Tags, check_location, check_tags};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

crate::string_enum! {
    pub enum Environment { Prod = "prod", Staging = "staging", Test = "test", Dev = "dev" }
}

/// At most this many associations move in one transfer.
pub const TRANSFER_MAX: usize = 100;
/// At most this many resources are associated or disassociated in one request.
pub const ASSOCIATE_MAX: usize = 200;
pub const NAME_PREFIX_MAX: usize = 128;

/// Which resources an automatic group holds: those carrying every tag, whose name starts with
/// the prefix (when set) and of the type (when set).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AssociationRule {
    /// Every one of these `key: value` tags must be on the resource (1–20).
    pub tags: Tags,
    /// Empty for any name.
    #[serde(default)]
    pub name_prefix: String,
    #[serde(default, rename = "type")]
    pub resource_type: Option<ResourceType>,
}

impl AssociationRule {
    pub fn matches(&self, resource: &ResourceDraft) -> bool {
        self.matches_parts(&resource.name, resource.resource_type, &resource.tags)
    }

    /// The same decision from only the parts a rule looks at.
    pub fn matches_parts(&self, name: &str, resource_type: ResourceType, tags: &Tags) -> bool {
        self.resource_type.is_none_or(|t| t == resource_type)
            && name.starts_with(&self.name_prefix)
            && self.tags.iter().all(|(k, v)| tags.get(k) == Some(v))
    }

    pub fn normalized(mut self) -> Result<AssociationRule, AppError> {
        self.name_prefix = self.name_prefix.trim().to_owned();
        self.tags = std::mem::take(&mut self.tags)
            .into_iter()
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        if self.tags.is_empty() {
            return Err(AppError::invalid(
                "rule.tags",
                "an automatic group needs at least one tag key=value to match",
            ));
        }
        check_tags(&self.tags).map_err(|e| match e {
            AppError::Validation { message, .. } => AppError::invalid("rule.tags", message),
            other => other,
        })?;
        if self.name_prefix.chars().count() > NAME_PREFIX_MAX
            || self.name_prefix.chars().any(char::is_control)
        {
            return Err(AppError::invalid(
                "rule.name_prefix",
                format!("must be at most {NAME_PREFIX_MAX} characters without control characters"),
            ));
        }
        Ok(self)
    }

    /// "env=prod, app=shop · name starts with web- · type host".
    pub fn describe(&self) -> String {
        let mut parts = vec![super::resource::format_tags(&self.tags)];
        if !self.name_prefix.is_empty() {
            parts.push(format!("name starts with {}", self.name_prefix));
        }
        if let Some(t) = self.resource_type {
            parts.push(format!("type {}", t.as_str().replace('_', " ")));
        }
        parts.join(" · ")
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Group {
    pub id: i64,
    #[serde(flatten)]
    pub spec: GroupDraft,
    /// When an automatic group's rule was last evaluated over the whole inventory.
    pub synced_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Group {
    pub fn is_automatic(&self) -> bool {
        self.spec.rule.is_some()
    }

    /// The 409 for picking, removing or moving resources of an automatic group by hand.
    pub fn require_manual(&self) -> Result<(), AppError> {
        if self.is_automatic() {
            return Err(AppError::conflict(format!(
                "Group '{}' is automatic: its resources follow its rule. Edit the rule, or make \
                 the group manual first.",
                self.spec.name
            )));
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct GroupDraft {
    pub component_id: i64,
    /// 3–50 of letters, digits, `_` and `-`; unique within the component.
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub environment: Environment,
    #[serde(default)]
    pub region: String,
    /// `null` for a manual group; the rule of an automatic one.
    #[serde(default)]
    pub rule: Option<AssociationRule>,
}

impl GroupDraft {
    pub fn normalized(mut self) -> Result<GroupDraft, AppError> {
        normalize_label(&mut self.name, &mut self.description)?;
        self.region = self.region.trim().to_owned();
        check_location("region", &self.region)?;
        self.rule = self.rule.map(AssociationRule::normalized).transpose()?;
        Ok(self)
    }
}

/// An edit: absent fields stay; `rule: null` makes the group manual (it keeps its resources).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct GroupPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub environment: Option<Environment>,
    pub region: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<AssociationRule>))]
    pub rule: Option<Option<AssociationRule>>,
    pub version: i32,
}

impl GroupPatch {
    pub fn apply(self, current: &GroupDraft) -> GroupDraft {
        let c = current.clone();
        GroupDraft {
            component_id: c.component_id,
            name: self.name.unwrap_or(c.name),
            description: self.description.unwrap_or(c.description),
            environment: self.environment.unwrap_or(c.environment),
            region: self.region.unwrap_or(c.region),
            rule: self.rule.unwrap_or(c.rule),
        }
    }
}

/// A group with where it sits and how many resources it holds, for lists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct GroupSummary {
    #[serde(flatten)]
    pub group: Group,
    pub component_name: String,
    pub application_id: i64,
    pub application_name: String,
    pub resources: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupFilter {
    pub component_id: Option<i64>,
    pub application_id: Option<i64>,
    pub environment: Option<Environment>,
    /// `Some(true)` automatic groups only, `Some(false)` manual ones.
    pub automatic: Option<bool>,
    pub q: Option<String>,
}

/// Resource ids a request names: 1 to `max`, duplicates dropped, order kept.
pub fn resource_ids(ids: &[i64], max: usize) -> Result<Vec<i64>, AppError> {
    let mut seen = std::collections::HashSet::new();
    let unique: Vec<i64> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
    if unique.is_empty() || unique.len() > max {
        return Err(AppError::invalid(
            "resource_ids",
            format!("name 1 to {max} resources (got {})", unique.len()),
        ));
    }
    Ok(unique)
}

/// Body of associate and disassociate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResourceIds {
    pub resource_ids: Vec<i64>,
}

/// Body of a transfer: move these associations of the group to `target_group_id`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Transfer {
    pub target_group_id: i64,
    /// 1 to 100 resources of the source group.
    pub resource_ids: Vec<i64>,
}

/// What an association request changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AssociationResult {
    /// Resources whose association changed.
    pub changed: Vec<i64>,
    /// Resources named that were already as asked.
    pub unchanged: Vec<i64>,
}

/// Where a group sits: a resource's detail page lists these.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct GroupPath {
    pub group_id: i64,
    pub group_name: String,
    pub environment: Environment,
    pub automatic: bool,
    pub component_id: i64,
    pub component_name: String,
    pub application_id: i64,
    pub application_name: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::resource::{AgentState, Provider, ResourceStatus};
    use proptest::prelude::*;

    fn resource(name: &str, resource_type: ResourceType, tags: &[(&str, &str)]) -> ResourceDraft {
        ResourceDraft {
            name: name.into(),
            resource_type,
            provider: Provider::Aws,
            region: String::new(),
            zone: String::new(),
            private_ip: String::new(),
            public_ip: String::new(),
            os: String::new(),
            cpu_cores: 0,
            memory_gib: 0.0,
            disk_gib: 0.0,
            status: ResourceStatus::Running,
            agent_state: AgentState::Online,
            tags: tags
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
        }
    }

    fn rule(tags: &[(&str, &str)], prefix: &str, t: Option<ResourceType>) -> AssociationRule {
        AssociationRule {
            tags: tags
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
            name_prefix: prefix.into(),
            resource_type: t,
        }
    }

    #[test]
    fn every_tag_must_match_exactly() {
        let r = rule(&[("env", "prod"), ("app", "shop")], "", None);
        let host = |tags: &[(&str, &str)]| resource("web-1", ResourceType::Host, tags);
        assert!(r.matches(&host(&[("env", "prod"), ("app", "shop"), ("team", "x")])));
        assert!(!r.matches(&host(&[("env", "prod")])));
        assert!(!r.matches(&host(&[("env", "prod"), ("app", "Shop")])));
        assert!(!r.matches(&host(&[("env", "staging"), ("app", "shop")])));
        assert!(!r.matches(&host(&[])));
    }

    #[test]
    fn prefix_and_type_narrow_the_match() {
        let tags = [("env", "prod")];
        let r = rule(&tags, "web-", Some(ResourceType::Host));
        assert!(r.matches(&resource("web-01", ResourceType::Host, &tags)));
        assert!(!r.matches(&resource("db-01", ResourceType::Host, &tags)));
        assert!(!r.matches(&resource("Web-01", ResourceType::Host, &tags)));
        assert!(!r.matches(&resource("web-01", ResourceType::Database, &tags)));
        let any_type = rule(&tags, "web-", None);
        assert!(any_type.matches(&resource("web-01", ResourceType::Cache, &tags)));
    }

    #[test]
    fn an_empty_tag_value_matches_only_an_empty_value() {
        let r = rule(&[("canary", "")], "", None);
        assert!(r.matches(&resource("a", ResourceType::Host, &[("canary", "")])));
        assert!(!r.matches(&resource("a", ResourceType::Host, &[("canary", "yes")])));
        assert!(!r.matches(&resource("a", ResourceType::Host, &[])));
    }

    #[test]
    fn a_rule_needs_a_tag_and_checks_its_parts() {
        let e = rule(&[], "web", None).normalized().unwrap_err();
        assert_eq!(e.field(), Some("rule.tags"));
        let e = rule(&[("bad key", "v")], "", None)
            .normalized()
            .unwrap_err();
        assert_eq!(e.field(), Some("rule.tags"));
        let e = rule(&[("env", "prod")], &"p".repeat(129), None)
            .normalized()
            .unwrap_err();
        assert_eq!(e.field(), Some("rule.name_prefix"));
        let ok = rule(&[(" env ", " prod ")], " web- ", None)
            .normalized()
            .unwrap();
        assert_eq!(ok.name_prefix, "web-");
        assert_eq!(ok.tags.get("env").map(String::as_str), Some("prod"));
    }

    #[test]
    fn a_rule_reads_from_json_and_describes_itself() {
        let r: AssociationRule = serde_json::from_str(
            r#"{"tags": {"env": "prod", "app": "shop"}, "name_prefix": "web-", "type": "host"}"#,
        )
        .unwrap();
        assert_eq!(r.resource_type, Some(ResourceType::Host));
        assert_eq!(
            r.describe(),
            "app=shop, env=prod · name starts with web- · type host"
        );
    }

    #[test]
    fn a_group_patch_can_turn_a_group_manual() {
        let current = GroupDraft {
            component_id: 1,
            name: "web".into(),
            description: String::new(),
            environment: Environment::Prod,
            region: "eu-west-1".into(),
            rule: Some(rule(&[("env", "prod")], "", None)),
        };
        let manual: GroupPatch = serde_json::from_str(r#"{"rule": null, "version": 2}"#).unwrap();
        assert_eq!(manual.apply(&current).rule, None);
        let keep: GroupPatch = serde_json::from_str(r#"{"name": "www", "version": 2}"#).unwrap();
        let after = keep.apply(&current);
        assert_eq!((after.name.as_str(), after.rule.is_some()), ("www", true));
        let bad_region = GroupDraft {
            region: "eu west".into(),
            ..current
        };
        assert_eq!(bad_region.normalized().unwrap_err().field(), Some("region"));
    }

    #[test]
    fn resource_id_lists_are_bounded_and_deduplicated() {
        assert_eq!(resource_ids(&[3, 1, 3], 100).unwrap(), vec![3, 1]);
        assert!(resource_ids(&[], 100).is_err());
        let many: Vec<i64> = (1..=101).collect();
        let e = resource_ids(&many, TRANSFER_MAX).unwrap_err();
        assert_eq!(e.field(), Some("resource_ids"));
        assert!(e.to_string().contains("1 to 100"));
    }

    proptest! {
        /// Adding tags to a resource never makes a matching rule stop matching, and a rule
        /// always matches a resource built from its own criteria.
        #[test]
        fn matching_is_monotonic_in_tags(
            rule_tags in proptest::collection::btree_map("[a-z]{1,3}", "[a-z]{0,2}", 1..4),
            extra in proptest::collection::btree_map("[a-z]{4,5}", "[a-z]{0,2}", 0..4),
            prefix in "[a-z]{0,2}",
            suffix in "[a-z0-9-]{0,6}",
        ) {
            let r = AssociationRule { tags: rule_tags.clone(), name_prefix: prefix.clone(), resource_type: None };
            let mut res = resource(&format!("{prefix}{suffix}"), ResourceType::Host, &[]);
            res.tags = rule_tags.clone();
            prop_assert!(r.matches(&res));
            res.tags.extend(extra);
            prop_assert!(r.matches(&res));
            let (k, _) = rule_tags.iter().next().unwrap();
            res.tags.remove(k);
            prop_assert!(!r.matches(&res));
        }
    }
}
