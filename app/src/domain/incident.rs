//! Incidents: their levels, states and the one table of who may do what from which state
//! (SPEC §4). The console asks it which buttons to show; the service asks it whether to act.

use super::AppError;
use super::user::Role;
use super::workflow::Rule;
pub use super::workflow::{HistoryEntry, Party, Who};
use chrono::{DateTime, Utc};
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

crate::string_enum! {
    pub enum Action {
        Accept = "accept",
        Reject = "reject",
        Forward = "forward",
        Resubmit = "resubmit",
        Close = "close",
        ChangeLevel = "change_level",
        ApproveLevel = "approve_level",
        Pause = "pause",
        Resume = "resume",
        Remark = "remark",
        SubmitSolution = "submit_solution",
        Verify = "verify",
        StartWarRoom = "start_war_room",
        CreateImprovement = "create_improvement",
    }
}

use IncidentStatus as S;

/// SPEC §4, one line per action. Where an action lands depends on its parameters
/// (see [`target`]).
pub const RULES: &[Rule<IncidentStatus, Action>] = &[
    Rule {
        action: Action::Accept,
        from: &[S::Unaccepted],
        who: Who::Owner,
    },
    Rule {
        action: Action::Reject,
        from: &[S::Unaccepted],
        who: Who::Owner,
    },
    Rule {
        action: Action::Forward,
        from: &[S::Unaccepted, S::Accepted],
        who: Who::Owner,
    },
    Rule {
        action: Action::Resubmit,
        from: &[S::Rejected],
        who: Who::Creator,
    },
    Rule {
        action: Action::Close,
        from: &[S::Rejected],
        who: Who::Creator,
    },
    Rule {
        action: Action::ChangeLevel,
        from: &[S::Accepted],
        who: Who::Owner,
    },
    Rule {
        action: Action::ApproveLevel,
        from: &[S::Accepted],
        who: Who::Admin,
    },
    Rule {
        action: Action::Pause,
        from: &[S::Accepted],
        who: Who::Owner,
    },
    Rule {
        action: Action::Resume,
        from: &[S::Paused],
        who: Who::Owner,
    },
    Rule {
        action: Action::Remark,
        from: &[
            S::Unaccepted,
            S::Accepted,
            S::Rejected,
            S::Paused,
            S::Resolved,
        ],
        who: Who::Operator,
    },
    Rule {
        action: Action::SubmitSolution,
        from: &[S::Accepted],
        who: Who::Owner,
    },
    Rule {
        action: Action::Verify,
        from: &[S::Resolved],
        who: Who::CreatorOrAdmin,
    },
    Rule {
        action: Action::StartWarRoom,
        from: &[S::Accepted],
        who: Who::Owner,
    },
    Rule {
        action: Action::CreateImprovement,
        from: &[S::Accepted, S::Resolved, S::Completed],
        who: Who::Operator,
    },
];

/// The actions `party` may take on an incident in `status`; `approve_level` only while a
/// lowering waits for approval.
pub fn allowed(status: IncidentStatus, party: Party, level_pending: bool) -> Vec<Action> {
    super::workflow::allowed(RULES, status, party)
        .into_iter()
        .filter(|a| *a != Action::ApproveLevel || level_pending)
        .collect()
}

/// Refuses an action from the wrong state (409, naming what is possible) or by the wrong
/// person (403).
pub fn check(
    status: IncidentStatus,
    action: Action,
    party: Party,
    level_pending: bool,
) -> Result<(), AppError> {
    super::workflow::check(RULES, "An incident", status, action, party)?;
    if action == Action::ApproveLevel && !level_pending {
        return Err(AppError::conflict(
            "No level change is waiting for approval on this incident.",
        ));
    }
    Ok(())
}

/// How a level change is carried out: raising and lowering by one level at once; lowering by
/// more waits for an administrator.
pub fn level_change_needs_approval(from: Level, to: Level) -> bool {
    to.rank() > from.rank() + 1
}

/// Where an allowed action lands. `verdict` is the verify result (resolved or not).
pub fn target(status: IncidentStatus, action: Action, verdict: bool) -> IncidentStatus {
    match action {
        Action::Accept | Action::Resume => S::Accepted,
        Action::Reject => S::Rejected,
        Action::Resubmit => S::Unaccepted,
        Action::Close => S::Closed,
        Action::Pause => S::Paused,
        Action::SubmitSolution => S::Resolved,
        Action::Verify if verdict => S::Completed,
        Action::Verify => S::Accepted,
        Action::Forward
        | Action::ChangeLevel
        | Action::ApproveLevel
        | Action::Remark
        | Action::StartWarRoom
        | Action::CreateImprovement => status,
    }
}

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 2000;
pub const REASON_MAX: usize = 500;
pub const REMARK_MAX: usize = 1000;
pub const SOLUTION_MAX: usize = 10_000;
pub const VERIFY_COMMENT_MAX: usize = 300;

/// Who an incident goes to: a person, or whoever is on duty for a schedule's role at the moment
/// of assignment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Assignee {
    User { user_id: i64 },
    OnDuty { schedule_id: i64, role: String },
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

    pub fn party(&self, user_id: Option<i64>, role: Role) -> Party {
        Party {
            role,
            is_owner: user_id == Some(self.owner_id),
            is_creator: user_id.is_some() && user_id == self.creator_id,
            is_verifier: false,
        }
    }

    /// "INC-42"
    pub fn number(&self) -> String {
        format!("INC-{}", self.id)
    }
}

impl Assignee {
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

/// `POST /v1/incidents/{id}/actions`: what to do, its parameters, and the version seen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ActionRequest {
    pub action: Action,
    /// Per action: `reject` {reason}; `forward` {to: {user_id} | {schedule_id, role}, comment};
    /// `resubmit` {title?, description?, level?, category?, comment?}; `close` {comment?};
    /// `change_level` {level, reason}; `approve_level` {approve, comment?}; `pause` {until,
    /// reason}; `resume` {}; `remark` {text}; `submit_solution` {cause, solution,
    /// service_interrupted, fault_started_at?, recovered_at?}; `verify` {resolved, comment};
    /// `start_war_room` {title?}; `create_improvement` {title, description?, owner, verifier_id,
    /// due_on}.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub params: serde_json::Value,
    pub version: i32,
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
    /// The incident's war room, if one was opened.
    pub war_room: Option<super::war_room::WarRoom>,
    /// Improvement tickets opened from it.
    pub improvements: Vec<super::improvement::Improvement>,
    /// Problems opened from it.
    pub problems: Vec<super::problem::Problem>,
    pub attachments: Vec<super::attachment::Attachment>,
    /// The alarms that opened or joined it, newest first.
    pub alarms: Vec<super::alarm::Alarm>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn party(role: Role, is_owner: bool, is_creator: bool) -> Party {
        Party {
            role,
            is_owner,
            is_creator,
            is_verifier: false,
        }
    }

    /// The expected table, written out independently of RULES: (action, states, who).
    fn expected(action: Action, status: IncidentStatus, p: Party) -> bool {
        let operator = p.role != Role::Viewer;
        let admin = p.role == Role::Admin;
        let owner = operator && p.is_owner;
        let creator = operator && p.is_creator;
        match (action, status) {
            (Action::Accept | Action::Reject, S::Unaccepted) => owner,
            (Action::Forward, S::Unaccepted | S::Accepted) => owner,
            (Action::Resubmit | Action::Close, S::Rejected) => creator,
            (Action::ChangeLevel | Action::Pause | Action::SubmitSolution, S::Accepted) => owner,
            (Action::ApproveLevel, S::Accepted) => admin,
            (Action::Resume, S::Paused) => owner,
            (Action::Remark, s) => operator && s.is_open(),
            (Action::Verify, S::Resolved) => creator || admin,
            (Action::StartWarRoom, S::Accepted) => owner,
            (Action::CreateImprovement, S::Accepted | S::Resolved | S::Completed) => operator,
            _ => false,
        }
    }

    #[test]
    fn every_state_action_and_party_is_decided_as_the_spec_says() {
        let mut checked = 0;
        for status in IncidentStatus::ALL {
            for action in Action::ALL {
                for role in Role::ALL {
                    for (is_owner, is_creator) in
                        [(false, false), (true, false), (false, true), (true, true)]
                    {
                        let p = party(*role, is_owner, is_creator);
                        let want = expected(*action, *status, p);
                        let got = check(*status, *action, p, true).is_ok();
                        assert_eq!(
                            got, want,
                            "{status} {action} {role} owner={is_owner} creator={is_creator}"
                        );
                        assert_eq!(allowed(*status, p, true).contains(action), want);
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 7 * 14 * 3 * 4);
    }

    #[test]
    fn a_wrong_state_is_a_conflict_and_a_wrong_person_is_forbidden() {
        let owner = party(Role::Operator, true, false);
        let e = check(S::Rejected, Action::Accept, owner, false).unwrap_err();
        assert_eq!(e.http_status(), 409);
        assert!(
            e.to_string().contains("needs one that is unaccepted"),
            "{e}"
        );
        let stranger = party(Role::Operator, false, false);
        let e = check(S::Unaccepted, Action::Accept, stranger, false).unwrap_err();
        assert_eq!(e.http_status(), 403);
        assert!(e.to_string().contains("needs the owner role"), "{e}");
        let admin = party(Role::Admin, false, false);
        assert_eq!(
            check(S::Accepted, Action::ApproveLevel, admin, false)
                .unwrap_err()
                .http_status(),
            409
        );
        assert!(!allowed(S::Accepted, admin, false).contains(&Action::ApproveLevel));
    }

    #[test]
    fn transitions_land_where_the_table_says() {
        assert_eq!(target(S::Unaccepted, Action::Accept, false), S::Accepted);
        assert_eq!(target(S::Unaccepted, Action::Reject, false), S::Rejected);
        assert_eq!(target(S::Rejected, Action::Resubmit, false), S::Unaccepted);
        assert_eq!(target(S::Rejected, Action::Close, false), S::Closed);
        assert_eq!(target(S::Accepted, Action::Forward, false), S::Accepted);
        assert_eq!(target(S::Accepted, Action::Pause, false), S::Paused);
        assert_eq!(target(S::Paused, Action::Resume, false), S::Accepted);
        assert_eq!(
            target(S::Accepted, Action::SubmitSolution, false),
            S::Resolved
        );
        assert_eq!(target(S::Resolved, Action::Verify, true), S::Completed);
        assert_eq!(target(S::Resolved, Action::Verify, false), S::Accepted);
    }

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

    #[test]
    fn lowering_by_more_than_one_level_waits_for_an_admin() {
        assert!(!level_change_needs_approval(Level::P3, Level::P1));
        assert!(!level_change_needs_approval(Level::P2, Level::P3));
        assert!(level_change_needs_approval(Level::P1, Level::P3));
        assert!(level_change_needs_approval(Level::P2, Level::P5));
    }
}
