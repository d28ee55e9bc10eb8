//! Problems (SPEC §6): the root cause behind incidents, located, fixed (through a change when
//! one is needed) and verified by whoever raised it. A suspension waits for the creator's
//! approval and stops the clock.

mod flow;

use super::AppError;
use super::incident::{Assignee, check_len};
use chrono::{DateTime, Duration, Utc};
pub use flow::*;
use serde::{Deserialize, Serialize};

crate::string_enum! {
    pub enum ProblemStatus {
        Unaccepted = "unaccepted",
        Locating = "locating",
        ToImplement = "to_implement",
        ToVerify = "to_verify",
        Closed = "closed",
        Rejected = "rejected",
        Cancelled = "cancelled",
        Suspended = "suspended",
    }
}

impl ProblemStatus {
    pub fn is_open(self) -> bool {
        !matches!(self, S::Closed | S::Cancelled)
    }
}

crate::string_enum! {
    pub enum ProblemLevel { Critical = "critical", Major = "major", Minor = "minor", Hint = "hint" }
}

impl ProblemLevel {
    /// How long a problem of this level may take to close, not counting suspensions.
    pub fn time_to_resolve(self) -> Duration {
        match self {
            ProblemLevel::Critical => Duration::days(3),
            ProblemLevel::Major => Duration::days(7),
            ProblemLevel::Minor => Duration::days(30),
            ProblemLevel::Hint => Duration::days(90),
        }
    }
}

crate::string_enum! {
    pub enum ProblemSource { Incident = "incident", Alarm = "alarm", WarRoom = "war_room", Proactive = "proactive", Change = "change" }
}

use ProblemStatus as S;

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 2000;
pub const REASON_MAX: usize = 500;
pub const SOLUTION_MAX: usize = 10_000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Problem {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub level: ProblemLevel,
    pub source: ProblemSource,
    pub source_id: Option<i64>,
    pub application_id: Option<i64>,
    pub owner_id: i64,
    pub creator_id: Option<i64>,
    pub status: ProblemStatus,
    /// The owner's reason for a suspension that waits for the creator.
    pub suspension_request: Option<String>,
    /// Since when the clock is stopped.
    pub suspended_at: Option<DateTime<Utc>>,
    /// Time spent suspended before, which the due time already includes.
    pub suspended_seconds: i64,
    pub resolve_due_at: DateTime<Utc>,
    /// When its time to close was found run out.
    pub breached_at: Option<DateTime<Utc>>,
    pub root_cause: String,
    pub solution: String,
    pub change_needed: bool,
    /// The change ticket the solution waits for.
    pub change_ref: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Problem {
    /// "PRB-000003"
    pub fn number(&self) -> String {
        super::numbering::Prefix::Problem.number(self.id)
    }

    /// The due time its level and its suspensions so far give it.
    pub fn due(&self) -> DateTime<Utc> {
        self.created_at + self.level.time_to_resolve() + Duration::seconds(self.suspended_seconds)
    }

    /// Time left on its clock (`None` while it is stopped or once the problem is done).
    pub fn clock(&self, now: DateTime<Utc>) -> Option<(String, bool)> {
        (self.status.is_open() && self.status != S::Suspended && self.status != S::Rejected)
            .then(|| super::sla::remaining(now, self.resolve_due_at))
    }
}

/// A new problem.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewProblem {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub level: ProblemLevel,
    #[serde(default = "proactive")]
    pub source: ProblemSource,
    #[serde(default)]
    pub source_id: Option<i64>,
    #[serde(default)]
    pub application_id: Option<i64>,
    pub owner: Assignee,
}

fn proactive() -> ProblemSource {
    ProblemSource::Proactive
}

impl NewProblem {
    pub fn normalized(mut self) -> Result<NewProblem, AppError> {
        check_len("title", &mut self.title, 1, TITLE_MAX)?;
        check_len("description", &mut self.description, 0, DESCRIPTION_MAX)?;
        if self.source != ProblemSource::Proactive && self.source_id.is_none() {
            return Err(AppError::invalid(
                "source_id",
                format!("say which {} it comes from", self.source),
            ));
        }
        Ok(self)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProblemFilter {
    pub status: Option<ProblemStatus>,
    pub level: Option<ProblemLevel>,
    pub owner_id: Option<i64>,
    pub source: Option<ProblemSource>,
    pub source_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProblemDetail {
    #[serde(flatten)]
    pub problem: Problem,
    pub owner_name: String,
    pub creator_name: Option<String>,
    pub application_name: Option<String>,
    pub history: Vec<super::workflow::HistoryEntry>,
    pub actions: Vec<ProblemAction>,
    /// Whether the caller may attach files now.
    pub can_attach: bool,
    pub attachments: Vec<super::attachment::Attachment>,
}
