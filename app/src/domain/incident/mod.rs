//! Incidents: their levels, states and the one table of who may do what from which state
//! (SPEC §4). The console asks it which buttons to show; the service asks it whether to act.

mod flow;

use super::AppError;
pub use super::workflow::HistoryEntry;
use chrono::{DateTime, Utc};
pub use flow::*;
use serde::{Deserialize, Serialize};

crate::string_enum! {
    pub enum IncidentStatus {
        Unaccepted = "unaccepted",
        Accepted = "accepted",
        Rejected = "rejected",
        Paused = "paused",
        Resolved = "resolved",
        Completed = "completed",
        Closed = "closed",
    }
}

impl IncidentStatus {
    /// Whether work on the incident is still going on (remarks are welcome).
    pub fn is_open(self) -> bool {
        !matches!(self, IncidentStatus::Completed | IncidentStatus::Closed)
    }
}

crate::string_enum! {
    /// P1: core functions down for all customers … P5: a consultation or request.
    pub enum Level { P1 = "P1", P2 = "P2", P3 = "P3", P4 = "P4", P5 = "P5" }
}

impl Level {
    /// 1 for P1 … 5 for P5.
    pub fn rank(self) -> u8 {
        match self {
            Level::P1 => 1,
            Level::P2 => 2,
            Level::P3 => 3,
            Level::P4 => 4,
            Level::P5 => 5,
        }
    }
}

crate::string_enum! {
    pub enum Category {
        Security = "security",
        Function = "function",
        Reliability = "reliability",
        Configuration = "configuration",
        Middleware = "middleware",
        Change = "change",
        Other = "other",
    }
}

crate::string_enum! {
    pub enum IncidentSource { Manual = "manual", ForwardingRule = "forwarding_rule", Alarm = "alarm", Api = "api" }
}

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 2000;
pub const REASON_MAX: usize = 500;
pub const REMARK_MAX: usize = 1000;
pub const SOLUTION_MAX: usize = 10_000;
pub const VERIFY_COMMENT_MAX: usize = 300;

/// Who an incident goes to: a person, or whoever is on duty for a schedule's role at the moment
/// of assignment. Read from `{user_id}` or `{schedule_id, role}`, or from a console picker's
/// value (`user:<id>`, `duty:<schedule id>:<role>`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Assignee {
    User { user_id: i64 },
    OnDuty { schedule_id: i64, role: String },
}

impl<'de> Deserialize<'de> for Assignee {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Wire {
            User { user_id: i64 },
            OnDuty { schedule_id: i64, role: String },
            Choice(String),
        }
        match Wire::deserialize(deserializer)? {
            Wire::User { user_id } => Ok(Assignee::User { user_id }),
            Wire::OnDuty { schedule_id, role } => Ok(Assignee::OnDuty { schedule_id, role }),
            Wire::Choice(text) => Assignee::parse_choice("", &text).map_err(|_| {
                serde::de::Error::custom(
                    "pick a person ({\"user_id\"}) or an on-call role ({\"schedule_id\", \"role\"})",
                )
            }),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Incident {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub level: Level,
    /// A lowering waiting for an administrator's approval.
    pub pending_level: Option<Level>,
    pub category: Category,
    pub source: IncidentSource,
    pub status: IncidentStatus,
    pub application_id: Option<i64>,
    pub region: String,
    pub owner_id: i64,
    /// `None` when the system opened it.
    pub creator_id: Option<i64>,
    pub service_interrupted: bool,
    pub fault_started_at: Option<DateTime<Utc>>,
    pub recovered_at: Option<DateTime<Utc>>,
    pub cause: String,
    pub solution: String,
    pub paused_until: Option<DateTime<Utc>>,
    /// When the owner must have accepted it (SLA).
    pub accept_due_at: Option<DateTime<Utc>>,
    /// When it must be resolved (SLA).
    pub resolve_due_at: Option<DateTime<Utc>>,
    /// When the time to accept was found breached.
    pub accept_breached_at: Option<DateTime<Utc>>,
    /// When the time to resolve was found breached.
    pub resolve_breached_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Incident {
    /// The SLA target that matters now: accepting while unaccepted, resolving until resolved.
    pub fn sla_due(&self) -> Option<DateTime<Utc>> {
        match self.status {
            IncidentStatus::Unaccepted => self.accept_due_at,
            IncidentStatus::Accepted | IncidentStatus::Paused => self.resolve_due_at,
            _ => None,
        }
    }

    /// When the fault began, as far as anyone said; else when the incident was opened.
    pub fn started_at(&self) -> DateTime<Utc> {
        self.fault_started_at.unwrap_or(self.created_at)
    }

    /// "INC-000042"
    pub fn number(&self) -> String {
        super::numbering::Prefix::Incident.number(self.id)
    }
}

impl Assignee {
    /// Its picker value: `user:<id>` or `duty:<schedule id>:<role>`.
    pub fn choice(&self) -> String {
        match self {
            Assignee::User { user_id } => format!("user:{user_id}"),
            Assignee::OnDuty { schedule_id, role } => format!("duty:{schedule_id}:{role}"),
        }
    }

    /// Reads a picker's value: `user:<id>` or `duty:<schedule id>:<role>`.
    pub fn parse_choice(field: &str, text: &str) -> Result<Assignee, AppError> {
        let bad = || AppError::invalid(field, "pick a person or an on-call role");
        match text.trim().split_once(':') {
            Some(("user", id)) => Ok(Assignee::User {
                user_id: id.parse().map_err(|_| bad())?,
            }),
            Some(("duty", rest)) => {
                let (schedule, role) = rest.split_once(':').ok_or_else(bad)?;
                Ok(Assignee::OnDuty {
                    schedule_id: schedule.parse().map_err(|_| bad())?,
                    role: role.to_owned(),
                })
            }
            _ => Err(bad()),
        }
    }

    /// The people among picker choices (`user:<id>`, label), as (id, label).
    pub fn people(choices: &[(String, String)]) -> Vec<(i64, String)> {
        choices
            .iter()
            .filter_map(|(value, label)| match Self::parse_choice("", value) {
                Ok(Assignee::User { user_id }) => Some((user_id, label.clone())),
                _ => None,
            })
            .collect()
    }

    /// The on-call roles among picker choices (`duty:<schedule id>:<role>`, label), as they are.
    pub fn roles(choices: &[(String, String)]) -> Vec<(String, String)> {
        choices
            .iter()
            .filter(|(value, _)| {
                matches!(Self::parse_choice("", value), Ok(Assignee::OnDuty { .. }))
            })
            .cloned()
            .collect()
    }
}

/// A new incident, as a person or the API opens it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewIncident {
    /// 1–200 characters.
    pub title: String,
    /// At most 2000 characters.
    #[serde(default)]
    pub description: String,
    pub level: Level,
    pub category: Category,
    #[serde(default)]
    pub application_id: Option<i64>,
    #[serde(default)]
    pub region: String,
    pub owner: Assignee,
}

/// Trims free text (which may span lines) and checks its length.
pub(crate) fn check_len(
    field: &str,
    text: &mut String,
    min: usize,
    max: usize,
) -> Result<(), AppError> {
    *text = text.trim().to_owned();
    super::resource::check_length(field, text, min, max)
}

impl NewIncident {
    pub fn normalized(mut self) -> Result<NewIncident, AppError> {
        check_len("title", &mut self.title, 1, TITLE_MAX)?;
        check_len("description", &mut self.description, 0, DESCRIPTION_MAX)?;
        self.region = self.region.trim().to_owned();
        super::resource::check_location("region", &self.region)?;
        Ok(self)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IncidentFilter {
    /// Only incidents the caller owns that wait for them (unaccepted, accepted, paused).
    pub mine_pending_for: Option<i64>,
    pub status: Option<IncidentStatus>,
    pub level: Option<Level>,
    pub application_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub source: Option<IncidentSource>,
    /// Contained in the title (any case).
    pub q: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// An incident with the names a page shows, its timeline and what the caller may do now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IncidentDetail {
    #[serde(flatten)]
    pub incident: Incident,
    pub owner_name: String,
    pub creator_name: Option<String>,
    pub application_name: Option<String>,
    pub history: Vec<HistoryEntry>,
    pub actions: Vec<Action>,
    /// Whether the caller may attach files now.
    pub can_attach: bool,
    /// The incident's war room, if one was opened.
    pub war_room: Option<super::war_room::WarRoom>,
    /// Improvement tickets opened from it.
    pub improvements: Vec<super::improvement::Improvement>,
    /// Problems opened from it.
    pub problems: Vec<super::problem::Problem>,
    pub attachments: Vec<super::attachment::Attachment>,
    /// The alarms that opened or joined it, newest first.
    pub alarms: Vec<super::alarm::Alarm>,
    /// Changes on its application or its alarms' resources that ran in the suspect window
    /// before it started, newest first.
    pub suspect_changes: Vec<super::change::Change>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignee_choices_read_back() {
        assert_eq!(
            Assignee::parse_choice("owner", "user:7").unwrap(),
            Assignee::User { user_id: 7 }
        );
        assert_eq!(
            Assignee::parse_choice("owner", "duty:3:primary").unwrap(),
            Assignee::OnDuty {
                schedule_id: 3,
                role: "primary".into()
            }
        );
        assert_eq!(
            Assignee::parse_choice("owner", "").unwrap_err().field(),
            Some("owner")
        );
        assert!(Assignee::parse_choice("to", "user:x").is_err());
        let choices = vec![
            ("user:7".to_owned(), "Ann".to_owned()),
            (
                "duty:3:primary".to_owned(),
                "On duty: ops / primary".to_owned(),
            ),
        ];
        assert_eq!(Assignee::people(&choices), vec![(7, "Ann".to_owned())]);
        assert_eq!(Assignee::roles(&choices), choices[1..].to_vec());
    }
}
