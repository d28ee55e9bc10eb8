//! Change tickets (SPEC §7): planned work on the estate, with its window, its scope, who carries
//! it out and how it is undone, reviewed before it runs and recorded as it ran.

pub mod calendar;
mod flow;
mod template;

use super::AppError;
use super::incident::{Assignee, check_len};
use super::numbering::Prefix;
use chrono::{DateTime, Duration, Utc};
pub use flow::*;
use serde::{Deserialize, Serialize};
pub use template::*;

crate::string_enum! {
    /// `standard`: a pre-approved model, no review; `normal`: reviewed before it runs;
    /// `emergency`: may run at once, reviewed afterwards.
    pub enum ChangeType { Standard = "standard", Normal = "normal", Emergency = "emergency" }
}

crate::string_enum! {
    /// Risk: A highest … D lowest.
    pub enum RiskLevel { A = "A", B = "B", C = "C", D = "D" }
}

crate::string_enum! {
    pub enum ChangeStatus {
        Draft = "draft",
        PendingApproval = "pending_approval",
        Approved = "approved",
        Implementing = "implementing",
        Succeeded = "succeeded",
        Failed = "failed",
        RolledBack = "rolled_back",
        Closed = "closed",
        Cancelled = "cancelled",
    }
}

impl ChangeStatus {
    /// Still to run or running.
    pub fn is_open(self) -> bool {
        !matches!(self, ChangeStatus::Closed | ChangeStatus::Cancelled)
    }
}

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 4096;
pub const ROLLBACK_MAX: usize = 4096;
pub const NOTES_MAX: usize = 4096;
/// Groups or resources in one change's scope.
pub const SCOPE_MAX: usize = 200;
/// The longest planned window.
pub const WINDOW_MAX_DAYS: i64 = 14;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Change {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub change_type: ChangeType,
    pub level: RiskLevel,
    pub application_id: Option<i64>,
    /// Groups in scope.
    pub group_ids: Vec<i64>,
    /// Resources in scope.
    pub resource_ids: Vec<i64>,
    /// Who carries it out.
    pub implementer_id: i64,
    /// `None` when the system opened it.
    pub creator_id: Option<i64>,
    pub planned_start: DateTime<Utc>,
    pub planned_end: DateTime<Utc>,
    pub rollback_plan: String,
    /// The problem it fixes.
    pub problem_id: Option<i64>,
    /// The incident it answers.
    pub incident_id: Option<i64>,
    pub status: ChangeStatus,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// How the implementation ended, once recorded.
    pub result: Option<ImplementationResult>,
    /// Why it failed or was rolled back.
    pub result_reason: String,
    /// Whether monitoring saw the failure (rather than a person).
    pub detected_by_monitoring: Option<bool>,
    pub verification_notes: String,
    /// An administrator's reason for starting it outside its window.
    pub override_reason: String,
    /// Its review since it was submitted (none for a standard change).
    pub review: Option<super::review::Review>,
    /// The template a standard change was made from.
    pub template_id: Option<i64>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Change {
    /// "CHG-000123"
    pub fn number(&self) -> String {
        Prefix::Change.number(self.id)
    }

    /// Whether `at` falls in its planned window.
    pub fn in_window(&self, at: DateTime<Utc>) -> bool {
        self.planned_start <= at && at <= self.planned_end
    }

    /// When incidents that open make it their suspect: from its start until `window` after it
    /// finished (or after `now`, while it runs); `None` until it started.
    pub fn followed_span(
        &self,
        window: Duration,
        now: DateTime<Utc>,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let start = self.started_at?;
        Some((start, self.finished_at.unwrap_or(now).max(start) + window))
    }
}

/// What a person writes when they plan a change, or edit its draft.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChangeDraft {
    /// 1–200 characters.
    pub title: String,
    /// At most 4096 characters.
    #[serde(default)]
    pub description: String,
    pub level: RiskLevel,
    #[serde(default)]
    pub application_id: Option<i64>,
    /// At most 200; left out, none (or, when editing, those it has).
    #[serde(default)]
    pub group_ids: Option<Vec<i64>>,
    /// At most 200; left out, none (or, when editing, those it has).
    #[serde(default)]
    pub resource_ids: Option<Vec<i64>>,
    /// Who carries it out: an operator or administrator.
    pub implementer: Assignee,
    #[serde(deserialize_with = "crate::domain::time::utc_or_local")]
    pub planned_start: DateTime<Utc>,
    /// After the start, at most 14 days later.
    #[serde(deserialize_with = "crate::domain::time::utc_or_local")]
    pub planned_end: DateTime<Utc>,
    /// How it is undone: 1–4096 characters.
    pub rollback_plan: String,
    #[serde(default)]
    pub problem_id: Option<i64>,
    #[serde(default)]
    pub incident_id: Option<i64>,
}

impl ChangeDraft {
    /// Trims and checks every field that needs no database.
    pub fn normalized(mut self) -> Result<ChangeDraft, AppError> {
        check_len("title", &mut self.title, 1, TITLE_MAX)?;
        check_len("description", &mut self.description, 0, DESCRIPTION_MAX)?;
        check_len("rollback_plan", &mut self.rollback_plan, 1, ROLLBACK_MAX)?;
        if self.planned_end <= self.planned_start {
            return Err(AppError::invalid(
                "planned_end",
                "must be after planned_start",
            ));
        }
        if self.planned_end - self.planned_start > Duration::days(WINDOW_MAX_DAYS) {
            return Err(AppError::invalid(
                "planned_end",
                format!("a window lasts at most {WINDOW_MAX_DAYS} days"),
            ));
        }
        for (field, ids) in [
            ("group_ids", &mut self.group_ids),
            ("resource_ids", &mut self.resource_ids),
        ] {
            let Some(ids) = ids else { continue };
            ids.sort_unstable();
            ids.dedup();
            if ids.len() > SCOPE_MAX {
                return Err(AppError::invalid(
                    field,
                    format!("at most {SCOPE_MAX} in one change"),
                ));
            }
        }
        Ok(self)
    }
}

/// A new change: its type and its draft.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewChange {
    /// `normal` or `emergency` (standard changes come from a template).
    pub change_type: ChangeType,
    #[serde(flatten)]
    pub draft: ChangeDraft,
}

/// Something a change may clash with: another change on an overlapping scope in an overlapping
/// window, or an open P1/P2 incident on its application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Conflict {
    Change {
        id: i64,
        number: String,
        title: String,
        status: ChangeStatus,
        planned_start: DateTime<Utc>,
        planned_end: DateTime<Utc>,
    },
    Incident {
        id: i64,
        number: String,
        title: String,
        level: super::incident::Level,
    },
    /// A freeze window its planned window falls in.
    Freeze(super::freeze::FreezeHit),
}

impl Conflict {
    /// A sentence for the change's page.
    pub fn sentence(&self) -> String {
        match self {
            Conflict::Change { number, title, .. } => format!(
                "{number} ({title}) touches the same application, groups or resources in an overlapping window."
            ),
            Conflict::Incident {
                number,
                title,
                level,
                ..
            } => format!("{level} incident {number} ({title}) is open on the application."),
            Conflict::Freeze(hit) => format!("Its window falls in {}.", hit.sentence()),
        }
    }

    /// Where it lives in the console.
    pub fn link(&self) -> String {
        match self {
            Conflict::Change { id, .. } => format!("/changes/{id}"),
            Conflict::Incident { id, .. } => format!("/incidents/{id}"),
            Conflict::Freeze(_) => "/freeze-windows".to_owned(),
        }
    }
}

/// Whether a change in this state may still clash with others (it is yet to run, or running).
pub fn may_conflict(status: ChangeStatus) -> bool {
    matches!(
        status,
        ChangeStatus::Draft
            | ChangeStatus::PendingApproval
            | ChangeStatus::Approved
            | ChangeStatus::Implementing
    )
}

/// One application's changes over a period: how many started, and how many failed (a failed
/// or rolled-back result, or an incident that followed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FailureRate {
    pub application_id: i64,
    pub application_name: String,
    pub changes: i64,
    pub failed: i64,
}

impl FailureRate {
    /// "25 %"
    pub fn percent(&self) -> String {
        if self.changes == 0 {
            return "—".to_owned();
        }
        format!(
            "{} %",
            (self.failed * 100 + self.changes / 2) / self.changes
        )
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangeFilter {
    pub status: Option<ChangeStatus>,
    pub change_type: Option<ChangeType>,
    pub level: Option<RiskLevel>,
    pub application_id: Option<i64>,
    pub implementer_id: Option<i64>,
    /// Whose approval it waits on now.
    pub awaiting: Option<i64>,
    /// Title contains (any case).
    pub q: Option<String>,
}

/// A change with the names a page shows, its timeline and what the caller may do now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChangeDetail {
    #[serde(flatten)]
    pub change: Change,
    pub implementer_name: String,
    pub creator_name: Option<String>,
    pub application_name: Option<String>,
    pub history: Vec<super::workflow::HistoryEntry>,
    pub actions: Vec<ChangeAction>,
    /// The names of the people its review names.
    pub reviewers: Vec<super::review::Reviewer>,
    /// What it may clash with, while it is yet to run or running.
    pub conflicts: Vec<Conflict>,
    /// Incidents on its application or resources that opened while it ran or within the
    /// suspect window after it, oldest first.
    pub followed_by: Vec<super::incident::Incident>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_rate_rounds_to_a_whole_percent_and_nothing_ran_is_a_dash() {
        let rate = |changes, failed| FailureRate {
            application_id: 1,
            application_name: "shop".into(),
            changes,
            failed,
        };
        assert_eq!(rate(3, 1).percent(), "33 %");
        assert_eq!(rate(8, 1).percent(), "13 %");
        assert_eq!(rate(0, 0).percent(), "—");
    }

    #[test]
    fn only_changes_yet_to_run_or_running_may_clash() {
        let clashing: Vec<ChangeStatus> = ChangeStatus::ALL
            .iter()
            .copied()
            .filter(|s| may_conflict(*s))
            .collect();
        assert_eq!(
            clashing,
            [
                ChangeStatus::Draft,
                ChangeStatus::PendingApproval,
                ChangeStatus::Approved,
                ChangeStatus::Implementing
            ]
        );
    }
}
