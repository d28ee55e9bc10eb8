//! Improvement tickets (SPEC §6): what an incident, a war room or a drill taught, owned until
//! someone else verifies it is done.

mod flow;

use super::AppError;
use super::incident::{Assignee, check_len};
use super::numbering::Prefix;
use chrono::{DateTime, NaiveDate, Utc};
pub use flow::*;
use serde::{Deserialize, Serialize};

crate::string_enum! {
    pub enum ImprovementStatus {
        Pending = "pending",
        InProgress = "in_progress",
        ToVerify = "to_verify",
        Closed = "closed",
    }
}

crate::string_enum! {
    pub enum ImprovementSource { Incident = "incident", WarRoom = "war_room", Drill = "drill", Manual = "manual" }
}

use ImprovementStatus as S;

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 2000;
/// Cause and measures, each.
pub const PROCESS_MAX: usize = 1000;
pub const COMMENT_MAX: usize = 500;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Improvement {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub source: ImprovementSource,
    /// The incident or war room it came from.
    pub source_id: Option<i64>,
    pub application_id: Option<i64>,
    pub owner_id: i64,
    pub verifier_id: i64,
    pub creator_id: Option<i64>,
    pub due_on: NaiveDate,
    pub status: ImprovementStatus,
    pub cause: String,
    pub measures: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Improvement {
    /// "IMP-000007"
    pub fn number(&self) -> String {
        super::numbering::Prefix::Improvement.number(self.id)
    }

    /// Past its due date and not closed.
    pub fn overdue(&self, now: DateTime<Utc>) -> bool {
        self.status != S::Closed && now.date_naive() > self.due_on
    }

    /// "INC-000004", "WR-000002", or the kind of source without a number.
    pub fn source_label(&self) -> String {
        match (self.source, self.source_id) {
            (ImprovementSource::Incident, Some(id)) => Prefix::Incident.number(id),
            (ImprovementSource::WarRoom, Some(id)) => Prefix::WarRoom.number(id),
            (source, _) => source.as_str().replace('_', " "),
        }
    }

    /// Where its source lives in the console.
    pub fn source_link(&self) -> Option<String> {
        let id = self.source_id?;
        match self.source {
            ImprovementSource::Incident => Some(format!("/incidents/{id}")),
            ImprovementSource::WarRoom => Some(format!("/war-rooms/{id}")),
            ImprovementSource::Drill | ImprovementSource::Manual => None,
        }
    }
}

/// A new improvement ticket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewImprovement {
    /// 1–200 characters.
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// `manual` unless it comes from somewhere.
    #[serde(default = "manual")]
    pub source: ImprovementSource,
    #[serde(default)]
    pub source_id: Option<i64>,
    #[serde(default)]
    pub application_id: Option<i64>,
    pub owner: Assignee,
    /// Who checks the result; not the owner.
    pub verifier_id: i64,
    pub due_on: NaiveDate,
}

fn manual() -> ImprovementSource {
    ImprovementSource::Manual
}

impl NewImprovement {
    pub fn normalized(mut self) -> Result<NewImprovement, AppError> {
        check_len("title", &mut self.title, 1, TITLE_MAX)?;
        check_len("description", &mut self.description, 0, DESCRIPTION_MAX)?;
        let needs_source = matches!(
            self.source,
            ImprovementSource::Incident | ImprovementSource::WarRoom
        );
        if needs_source && self.source_id.is_none() {
            return Err(AppError::invalid(
                "source_id",
                format!("say which {} it comes from", self.source),
            ));
        }
        Ok(self)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ImprovementFilter {
    pub status: Option<ImprovementStatus>,
    pub owner_id: Option<i64>,
    pub source: Option<ImprovementSource>,
    pub source_id: Option<i64>,
    /// Only those past their due date and not closed, as of this day.
    pub overdue_on: Option<NaiveDate>,
}

/// An improvement with the names a page shows, its timeline and what the caller may do now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImprovementDetail {
    #[serde(flatten)]
    pub improvement: Improvement,
    pub owner_name: String,
    pub verifier_name: String,
    pub application_name: Option<String>,
    pub overdue: bool,
    pub history: Vec<super::workflow::HistoryEntry>,
    pub actions: Vec<ImprovementAction>,
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn overdue_is_after_the_due_day_and_never_once_closed() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let at = |d: u32, h: u32| {
            NaiveDate::from_ymd_opt(2026, 3, d)
                .unwrap()
                .and_hms_opt(h, 0, 0)
                .unwrap()
                .and_utc()
        };
        let mut i = Improvement {
            id: 1,
            title: "t".into(),
            description: String::new(),
            source: ImprovementSource::Manual,
            source_id: None,
            application_id: None,
            owner_id: 1,
            verifier_id: 2,
            creator_id: Some(1),
            due_on: day,
            status: S::InProgress,
            cause: String::new(),
            measures: String::new(),
            version: 1,
            created_at: at(1, 0),
            updated_at: at(1, 0),
        };
        assert!(!i.overdue(at(1, 23)));
        assert!(i.overdue(at(2, 0)));
        i.status = S::Closed;
        assert!(!i.overdue(at(9, 0)));
    }
}
