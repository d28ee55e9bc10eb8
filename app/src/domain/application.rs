//! Applications and their components: the upper levels of the inventory tree, and the naming
//! rule every level of it shares.

use super::AppError;
use super::resource::check_text;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

pub const NAME_MIN: usize = 3;
pub const NAME_MAX: usize = 50;
pub const DESCRIPTION_MAX: usize = 256;

/// Names of applications, components and groups: 3–50 of letters, digits, `_` and `-`.
pub fn check_name(name: &str) -> Result<(), AppError> {
    let len = name.chars().count();
    if !(NAME_MIN..=NAME_MAX).contains(&len) {
        return Err(AppError::invalid(
            "name",
            format!("must be {NAME_MIN} to {NAME_MAX} characters (got {len})"),
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
    {
        return Err(AppError::invalid(
            "name",
            format!("may only contain letters, digits, '_' and '-' (found '{bad}')"),
        ));
    }
    Ok(())
}

/// Trims a name and description and checks both.
pub fn normalize_label(name: &mut String, description: &mut String) -> Result<(), AppError> {
    *name = name.trim().to_owned();
    *description = description.trim().to_owned();
    check_name(name)?;
    check_text("description", description, 0, DESCRIPTION_MAX)
}

/// Reads a field that may be absent (keep), `null` (clear) or a value (set).
pub fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Application {
    pub id: i64,
    #[serde(flatten)]
    pub spec: ApplicationDraft,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApplicationDraft {
    /// 3–50 of letters, digits, `_` and `-`; unique.
    pub name: String,
    /// At most 256 characters.
    #[serde(default)]
    pub description: String,
    /// The parent of a sub-application.
    #[serde(default)]
    pub parent_id: Option<i64>,
}

impl ApplicationDraft {
    pub fn normalized(mut self) -> Result<ApplicationDraft, AppError> {
        normalize_label(&mut self.name, &mut self.description)?;
        Ok(self)
    }
}

/// An edit: absent fields stay; `parent_id: null` makes a sub-application top-level.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApplicationPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<i64>))]
    pub parent_id: Option<Option<i64>>,
    /// The version the editor saw; a stale one is refused with 409.
    pub version: i32,
}

impl ApplicationPatch {
    pub fn apply(self, current: &ApplicationDraft) -> ApplicationDraft {
        ApplicationDraft {
            name: self.name.unwrap_or_else(|| current.name.clone()),
            description: self
                .description
                .unwrap_or_else(|| current.description.clone()),
            parent_id: self.parent_id.unwrap_or(current.parent_id),
        }
    }
}

/// An application with what hangs below it, for lists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApplicationSummary {
    #[serde(flatten)]
    pub application: Application,
    pub parent_name: Option<String>,
    pub sub_applications: i64,
    pub components: i64,
    pub groups: i64,
    /// Distinct resources in the application's own groups.
    pub resources: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ApplicationFilter {
    /// Contained in the name (any case).
    pub q: Option<String>,
    pub parent_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Component {
    pub id: i64,
    #[serde(flatten)]
    pub spec: ComponentDraft,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ComponentDraft {
    pub application_id: i64,
    /// 3–50 of letters, digits, `_` and `-`; unique within the application.
    pub name: String,
    #[serde(default)]
    pub description: String,
}

impl ComponentDraft {
    pub fn normalized(mut self) -> Result<ComponentDraft, AppError> {
        normalize_label(&mut self.name, &mut self.description)?;
        Ok(self)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ComponentPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub version: i32,
}

impl ComponentPatch {
    pub fn apply(self, current: &ComponentDraft) -> ComponentDraft {
        ComponentDraft {
            application_id: current.application_id,
            name: self.name.unwrap_or_else(|| current.name.clone()),
            description: self
                .description
                .unwrap_or_else(|| current.description.clone()),
        }
    }
}

/// A component with its application's name and its counts, for lists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ComponentSummary {
    #[serde(flatten)]
    pub component: Component,
    pub application_name: String,
    pub groups: i64,
    pub resources: i64,
}

/// How many names a refusal lists before "and N more".
pub const NAMES_SHOWN: usize = 5;

/// "a, b, c and 4 more": the names in a refusal to delete.
pub fn name_some(names: &[String]) -> String {
    name_some_of(names, names.len())
}

/// The same, when only the first few of `total` names were read.
pub fn name_some_of(names: &[String], total: usize) -> String {
    let quoted: Vec<String> = names
        .iter()
        .take(NAMES_SHOWN)
        .map(|n| format!("'{n}'"))
        .collect();
    match total {
        0 => String::new(),
        n if n > quoted.len() => format!("{} and {} more", quoted.join(", "), n - quoted.len()),
        1 => quoted[0].clone(),
        _ => {
            let (last, rest) = quoted.split_last().unwrap_or((&quoted[0], &[]));
            format!("{} and {last}", rest.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_rule() {
        for good in ["web", "shop-api", "Pay_2", &"a".repeat(50)] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for (bad, says) in [
            ("ab", "3 to 50"),
            (&"a".repeat(51) as &str, "3 to 50"),
            ("shop api", "found ' '"),
            ("café", "found 'é'"),
            ("a.b.c", "found '.'"),
        ] {
            let e = check_name(bad).unwrap_err();
            assert_eq!(e.field(), Some("name"));
            assert!(e.to_string().contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn drafts_trim_and_limit_the_description() {
        let d = ApplicationDraft {
            name: "  shop ".into(),
            description: " Online shop ".into(),
            parent_id: None,
        }
        .normalized()
        .unwrap();
        assert_eq!(
            (d.name.as_str(), d.description.as_str()),
            ("shop", "Online shop")
        );
        let long = ComponentDraft {
            application_id: 1,
            name: "api".into(),
            description: "x".repeat(257),
        };
        assert_eq!(long.normalized().unwrap_err().field(), Some("description"));
    }

    #[test]
    fn a_patch_can_clear_the_parent_or_leave_it() {
        let current = ApplicationDraft {
            name: "shop-web".into(),
            description: String::new(),
            parent_id: Some(4),
        };
        let keep: ApplicationPatch = serde_json::from_str(r#"{"version": 1}"#).unwrap();
        assert_eq!(keep.apply(&current).parent_id, Some(4));
        let clear: ApplicationPatch =
            serde_json::from_str(r#"{"parent_id": null, "version": 1}"#).unwrap();
        assert_eq!(clear.apply(&current).parent_id, None);
        let set: ApplicationPatch =
            serde_json::from_str(r#"{"parent_id": 9, "version": 1}"#).unwrap();
        assert_eq!(set.apply(&current).parent_id, Some(9));
    }

    #[test]
    fn refusals_name_a_few_children() {
        let names = |n: usize| (1..=n).map(|i| format!("c{i}")).collect::<Vec<_>>();
        assert_eq!(name_some(&names(1)), "'c1'");
        assert_eq!(name_some(&names(3)), "'c1', 'c2' and 'c3'");
        assert_eq!(
            name_some(&names(7)),
            "'c1', 'c2', 'c3', 'c4', 'c5' and 2 more"
        );
    }
}
