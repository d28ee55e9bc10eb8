//! Problems (SPEC §6): the root cause behind incidents, located, fixed (through a change when
//! one is needed) and verified by whoever raised it. A suspension waits for the creator's
//! approval and stops the clock.

use super::AppError;
use super::incident::{Assignee, check_len};
use super::user::Role;
use super::workflow::{Party, Rule, Who};
use chrono::{DateTime, Duration, Utc};
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
    pub enum ProblemSource { Incident = "incident", Alarm = "alarm", WarRoom = "war_room", Proactive = "proactive" }
}

crate::string_enum! {
    pub enum ProblemAction {
        Accept = "accept",
        Reject = "reject",
        Resubmit = "resubmit",
        Cancel = "cancel",
        Forward = "forward",
        ChangeLevel = "change_level",
        Suspend = "suspend",
        ApproveSuspension = "approve_suspension",
        Resume = "resume",
        SubmitSolution = "submit_solution",
        RecordChange = "record_change",
        Verify = "verify",
        Remark = "remark",
    }
}

use ProblemAction as A;
use ProblemStatus as S;

pub const RULES: &[Rule<ProblemStatus, ProblemAction>] = &[
    Rule {
        action: A::Accept,
        from: &[S::Unaccepted],
        who: Who::Owner,
    },
    Rule {
        action: A::Reject,
        from: &[S::Unaccepted],
        who: Who::Owner,
    },
    Rule {
        action: A::Resubmit,
        from: &[S::Rejected],
        who: Who::Creator,
    },
    Rule {
        action: A::Cancel,
        from: &[S::Unaccepted, S::Rejected, S::Locating],
        who: Who::CreatorOrAdmin,
    },
    Rule {
        action: A::Forward,
        from: &[S::Unaccepted, S::Locating],
        who: Who::Owner,
    },
    Rule {
        action: A::ChangeLevel,
        from: &[S::Unaccepted, S::Locating],
        who: Who::Owner,
    },
    Rule {
        action: A::Suspend,
        from: &[S::Locating],
        who: Who::Owner,
    },
    Rule {
        action: A::ApproveSuspension,
        from: &[S::Locating],
        who: Who::CreatorOrAdmin,
    },
    Rule {
        action: A::Resume,
        from: &[S::Suspended],
        who: Who::Owner,
    },
    Rule {
        action: A::SubmitSolution,
        from: &[S::Locating],
        who: Who::Owner,
    },
    Rule {
        action: A::RecordChange,
        from: &[S::ToImplement],
        who: Who::Owner,
    },
    Rule {
        action: A::Verify,
        from: &[S::ToVerify],
        who: Who::CreatorOrAdmin,
    },
    Rule {
        action: A::Remark,
        from: &[
            S::Unaccepted,
            S::Locating,
            S::ToImplement,
            S::ToVerify,
            S::Rejected,
            S::Suspended,
        ],
        who: Who::Operator,
    },
];

/// The actions `party` may take; `approve_suspension` only while a suspension waits, and
/// `suspend` only while none does.
pub fn allowed(status: ProblemStatus, party: Party, suspension_waits: bool) -> Vec<ProblemAction> {
    super::workflow::allowed(RULES, status, party)
        .into_iter()
        .filter(|a| match a {
            A::ApproveSuspension => suspension_waits,
            A::Suspend => !suspension_waits,
            _ => true,
        })
        .collect()
}

pub fn check(
    status: ProblemStatus,
    action: ProblemAction,
    party: Party,
    suspension_waits: bool,
) -> Result<(), AppError> {
    super::workflow::check(RULES, "A problem", status, action, party)?;
    match action {
        A::ApproveSuspension if !suspension_waits => Err(AppError::conflict(
            "No suspension is waiting for approval on this problem.",
        )),
        A::Suspend if suspension_waits => Err(AppError::conflict(
            "A suspension already waits for the creator's approval.",
        )),
        _ => Ok(()),
    }
}

/// Where an allowed action lands. `yes` is the action's verdict: the suspension approved, a
/// change needed for the solution, the change succeeded, the verification passed.
pub fn target(status: ProblemStatus, action: ProblemAction, yes: bool) -> ProblemStatus {
    match action {
        A::Accept | A::Resume => S::Locating,
        A::Reject => S::Rejected,
        A::Resubmit => S::Unaccepted,
        A::Cancel => S::Cancelled,
        A::ApproveSuspension if yes => S::Suspended,
        A::SubmitSolution if yes => S::ToImplement,
        A::SubmitSolution => S::ToVerify,
        A::RecordChange if yes => S::ToVerify,
        A::RecordChange => S::Locating,
        A::Verify if yes => S::Closed,
        A::Verify => S::Locating,
        A::ApproveSuspension | A::Forward | A::ChangeLevel | A::Suspend | A::Remark => status,
    }
}

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
    /// "PRB-3"
    pub fn number(&self) -> String {
        format!("PRB-{}", self.id)
    }

    pub fn party(&self, user_id: Option<i64>, role: Role) -> Party {
        Party {
            role,
            is_owner: user_id == Some(self.owner_id),
            is_creator: user_id.is_some() && user_id == self.creator_id,
            is_verifier: false,
        }
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

/// `POST /v1/problems/{id}/actions`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProblemActionRequest {
    pub action: ProblemAction,
    /// Per action: `accept` {}; `reject` {reason}; `resubmit` {title?, description?, level?,
    /// comment?}; `cancel` {reason}; `forward` {to, comment?}; `change_level` {level, reason};
    /// `suspend` {reason}; `approve_suspension` {approve, comment?}; `resume` {}; `submit_solution`
    /// {root_cause, solution, change_needed, change_ref?}; `record_change` {succeeded, comment?};
    /// `verify` {passed, comment?}; `remark` {text}.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub params: serde_json::Value,
    pub version: i32,
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
    pub attachments: Vec<super::attachment::Attachment>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected(action: A, status: S, p: Party, waits: bool) -> bool {
        let op = p.role != Role::Viewer;
        let owner = op && p.is_owner;
        let creator = op && p.is_creator;
        let creator_or_admin = creator || p.role == Role::Admin;
        match (action, status) {
            (A::Accept | A::Reject, S::Unaccepted) => owner,
            (A::Resubmit, S::Rejected) => creator,
            (A::Cancel, S::Unaccepted | S::Rejected | S::Locating) => creator_or_admin,
            (A::Forward | A::ChangeLevel, S::Unaccepted | S::Locating) => owner,
            (A::Suspend, S::Locating) => owner && !waits,
            (A::ApproveSuspension, S::Locating) => creator_or_admin && waits,
            (A::Resume, S::Suspended) => owner,
            (A::SubmitSolution, S::Locating) => owner,
            (A::RecordChange, S::ToImplement) => owner,
            (A::Verify, S::ToVerify) => creator_or_admin,
            (A::Remark, s) => op && s.is_open(),
            _ => false,
        }
    }

    #[test]
    fn every_state_action_and_party_is_decided_as_the_spec_says() {
        let mut checked = 0;
        for status in S::ALL {
            for action in A::ALL {
                for role in Role::ALL {
                    for bits in 0..4u8 {
                        for waits in [false, true] {
                            let p = Party {
                                role: *role,
                                is_owner: bits & 1 != 0,
                                is_creator: bits & 2 != 0,
                                is_verifier: false,
                            };
                            let want = expected(*action, *status, p, waits);
                            assert_eq!(
                                check(*status, *action, p, waits).is_ok(),
                                want,
                                "{status} {action} {p:?} waits={waits}"
                            );
                            assert_eq!(allowed(*status, p, waits).contains(action), want);
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 8 * 13 * 3 * 4 * 2);
    }

    #[test]
    fn solutions_wait_for_their_change_and_verification_closes() {
        assert_eq!(target(S::Unaccepted, A::Accept, false), S::Locating);
        assert_eq!(target(S::Locating, A::SubmitSolution, true), S::ToImplement);
        assert_eq!(target(S::Locating, A::SubmitSolution, false), S::ToVerify);
        assert_eq!(target(S::ToImplement, A::RecordChange, true), S::ToVerify);
        assert_eq!(target(S::ToImplement, A::RecordChange, false), S::Locating);
        assert_eq!(target(S::ToVerify, A::Verify, true), S::Closed);
        assert_eq!(target(S::ToVerify, A::Verify, false), S::Locating);
        assert_eq!(
            target(S::Locating, A::ApproveSuspension, true),
            S::Suspended
        );
        assert_eq!(
            target(S::Locating, A::ApproveSuspension, false),
            S::Locating
        );
        assert_eq!(target(S::Suspended, A::Resume, false), S::Locating);
    }
}
