//! Standard changes: pre-approved models an administrator keeps, with their fields filled. A
//! change made from one is approved as it is submitted; it has no review.

use super::{ChangeDraft, DESCRIPTION_MAX, ROLLBACK_MAX, RiskLevel, TITLE_MAX, WINDOW_MAX_DAYS};
use crate::domain::AppError;
use crate::domain::incident::{Assignee, check_len};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

pub const NAME_MAX: usize = 100;

/// What an administrator writes to add a template.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewChangeTemplate {
    /// 1–100 characters: how the library lists it.
    pub name: String,
    /// The changes' title: 1–200 characters.
    pub title: String,
    /// At most 4096 characters.
    #[serde(default)]
    pub description: String,
    pub level: RiskLevel,
    #[serde(default)]
    pub application_id: Option<i64>,
    /// 1–4096 characters.
    pub rollback_plan: String,
    /// How long its window lasts: 1 minute to 14 days.
    pub duration_minutes: i32,
}

impl NewChangeTemplate {
    pub fn normalized(mut self) -> Result<NewChangeTemplate, AppError> {
        check_len("name", &mut self.name, 1, NAME_MAX)?;
        check_len("title", &mut self.title, 1, TITLE_MAX)?;
        check_len("description", &mut self.description, 0, DESCRIPTION_MAX)?;
        check_len("rollback_plan", &mut self.rollback_plan, 1, ROLLBACK_MAX)?;
        let max = WINDOW_MAX_DAYS * 24 * 60;
        if !(1..=max).contains(&i64::from(self.duration_minutes)) {
            return Err(AppError::invalid(
                "duration_minutes",
                format!("must be 1 to {max} minutes ({WINDOW_MAX_DAYS} days)"),
            ));
        }
        Ok(self)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChangeTemplate {
    pub id: i64,
    #[serde(flatten)]
    pub spec: NewChangeTemplate,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A standard change from a template: who carries it out and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FromTemplate {
    /// An operator or administrator, or an on-call role.
    pub implementer: Assignee,
    #[serde(deserialize_with = "crate::domain::time::utc_or_local")]
    pub planned_start: DateTime<Utc>,
}

impl ChangeTemplate {
    /// The draft of a change made from this template.
    pub fn draft(&self, from: FromTemplate) -> ChangeDraft {
        let spec = &self.spec;
        ChangeDraft {
            title: spec.title.clone(),
            description: spec.description.clone(),
            level: spec.level,
            application_id: spec.application_id,
            group_ids: None,
            resource_ids: None,
            implementer: from.implementer,
            planned_start: from.planned_start,
            planned_end: from.planned_start + Duration::minutes(i64::from(spec.duration_minutes)),
            rollback_plan: spec.rollback_plan.clone(),
            problem_id: None,
            incident_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(minutes: i32) -> NewChangeTemplate {
        NewChangeTemplate {
            name: " Restart a web node ".into(),
            title: "Restart web node".into(),
            description: String::new(),
            level: RiskLevel::D,
            application_id: None,
            rollback_plan: "Start it again.".into(),
            duration_minutes: minutes,
        }
    }

    #[test]
    fn a_template_lasts_a_minute_to_fourteen_days_and_sets_the_window() {
        assert_eq!(template(1).normalized().unwrap().name, "Restart a web node");
        assert!(template(20160).normalized().is_ok());
        for bad in [0, 20161, -5] {
            assert_eq!(
                template(bad).normalized().unwrap_err().field(),
                Some("duration_minutes")
            );
        }
        let t = ChangeTemplate {
            id: 1,
            spec: template(90),
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
        };
        let start = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let draft = t.draft(FromTemplate {
            implementer: Assignee::User { user_id: 3 },
            planned_start: start,
        });
        assert_eq!(
            draft.planned_end - draft.planned_start,
            Duration::minutes(90)
        );
        assert_eq!(draft.title, "Restart web node");
    }
}
