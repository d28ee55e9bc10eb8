//! A problem's workflow (SPEC §6): located, fixed (through a change when one is needed) and
//! verified by whoever raised it; a suspension waits for the creator's approval.

use super::{Problem, ProblemLevel, ProblemStatus, REASON_MAX, SOLUTION_MAX, check_len};
use crate::domain::AppError;
use crate::domain::user::Role;
use crate::domain::workflow::{
    ActionRequest, Approve, Command, Decision, Forward, Found, Party, Passed, Reason, Remark, Rule,
    Ticket, Who, retitle, verdict,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use ProblemStatus as S;

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

/// `resubmit`: what the creator changes before sending a rejected problem back.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProblemResubmit {
    pub title: Option<String>,
    pub description: Option<String>,
    pub level: Option<ProblemLevel>,
    /// At most 500 characters.
    #[serde(default)]
    pub comment: String,
}

/// `change_level`: the new level and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProblemLevelChange {
    pub level: ProblemLevel,
    /// 1–500 characters.
    pub reason: String,
}

/// `submit_solution`: the root cause and the fix; a fix that needs a change names it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProblemSolution {
    /// 1–10,000 characters.
    pub root_cause: String,
    /// 1–10,000 characters.
    pub solution: String,
    #[serde(default)]
    pub change_needed: bool,
    /// The change ticket the solution waits for: required when a change is needed, at most
    /// 100 characters.
    #[serde(default)]
    pub change_ref: String,
}

/// `record_change`: whether the change succeeded; a failure needs its comment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChangeOutcome {
    pub succeeded: bool,
    /// Required when it failed; at most 500 characters.
    #[serde(default)]
    pub comment: String,
}

crate::commands! {
    /// An action on a problem with its parameters.
    pub enum ProblemCommand for ProblemAction as "ProblemActionRequest" {
        Accept,
        Reject(Reason),
        Resubmit(ProblemResubmit),
        Cancel(Reason),
        Forward(Forward),
        ChangeLevel(ProblemLevelChange),
        Suspend(Reason),
        ApproveSuspension(Approve),
        Resume,
        SubmitSolution(ProblemSolution),
        RecordChange(ChangeOutcome),
        Verify(Passed),
        Remark(Remark),
    }
}

/// `POST /v1/problems/{id}/actions`.
pub type ProblemActionRequest = ActionRequest<ProblemAction>;

impl Ticket for Problem {
    type Status = ProblemStatus;
    type Action = ProblemAction;
    type Command = ProblemCommand;
    type Facts = ();
    const KIND: &'static str = "problem";
    const NOUN: &'static str = "Problem";
    const RULES: &'static [Rule<ProblemStatus, ProblemAction>] = RULES;
    const REMARK: ProblemAction = A::Remark;

    fn id(&self) -> i64 {
        self.id
    }

    fn version(&self) -> i32 {
        self.version
    }

    fn status(&self) -> ProblemStatus {
        self.status
    }

    fn party(&self, user_id: Option<i64>, role: Role) -> Party {
        Party::of(user_id, role, self.owner_id, self.creator_id, None)
    }

    /// `approve_suspension` only while a suspension waits, and `suspend` only while none does.
    fn gate(&self, action: ProblemAction, _facts: &()) -> Result<(), AppError> {
        match action {
            A::ApproveSuspension if self.suspension_request.is_none() => Err(AppError::conflict(
                "No suspension is waiting for approval on this problem.",
            )),
            A::Suspend if self.suspension_request.is_some() => Err(AppError::conflict(
                "A suspension already waits for the creator's approval.",
            )),
            _ => Ok(()),
        }
    }

    fn decide(
        &self,
        command: ProblemCommand,
        found: Found,
        now: DateTime<Utc>,
    ) -> Result<Decision<Problem>, AppError> {
        use ProblemCommand as C;
        let action = command.action();
        let mut after = self.clone();
        let mut yes = false;
        let comment = match command {
            C::Accept => String::new(),
            C::Reject(p) | C::Cancel(p) => p.checked()?,
            C::Suspend(p) => {
                let reason = p.checked()?;
                after.suspension_request = Some(reason.clone());
                reason
            }
            C::Resubmit(mut p) => {
                retitle(
                    p.title,
                    p.description,
                    &mut after.title,
                    &mut after.description,
                )?;
                after.level = p.level.unwrap_or(after.level);
                check_len("comment", &mut p.comment, 0, REASON_MAX)?;
                p.comment
            }
            C::Forward(p) => {
                let comment;
                (after.owner_id, comment) = p.checked(self.owner_id, &found)?;
                comment
            }
            C::ChangeLevel(mut p) => {
                check_len("reason", &mut p.reason, 1, REASON_MAX)?;
                if p.level == self.level {
                    return Err(AppError::invalid(
                        "level",
                        format!("the problem is {} already", p.level),
                    ));
                }
                after.level = p.level;
                p.reason
            }
            C::ApproveSuspension(p) => {
                let comment;
                (yes, comment) = p.checked()?;
                if yes {
                    after.suspended_at = Some(now);
                }
                after.suspension_request = None;
                comment
            }
            C::Resume => {
                if let Some(since) = self.suspended_at {
                    after.suspended_seconds += (now - since).num_seconds().max(0);
                }
                after.suspended_at = None;
                String::new()
            }
            C::SubmitSolution(mut p) => {
                check_len("root_cause", &mut p.root_cause, 1, SOLUTION_MAX)?;
                check_len("solution", &mut p.solution, 1, SOLUTION_MAX)?;
                check_len(
                    "change_ref",
                    &mut p.change_ref,
                    usize::from(p.change_needed),
                    100,
                )?;
                after.root_cause = p.root_cause;
                after.solution = p.solution;
                after.change_needed = p.change_needed;
                after.change_ref = p.change_ref;
                yes = p.change_needed;
                String::new()
            }
            C::RecordChange(p) => {
                let comment;
                (yes, comment) = verdict(p.succeeded, p.comment, REASON_MAX)?;
                comment
            }
            C::Verify(p) => {
                let comment;
                (yes, comment) = verdict(p.passed, p.comment, REASON_MAX)?;
                comment
            }
            C::Remark(p) => p.checked()?,
        };
        after.status = target(self.status, action, yes);
        after.resolve_due_at = after.due();
        Ok(Decision { after, comment })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow::Params;
    use crate::domain::workflow::{allowed, check};

    /// A problem of owner 1 raised by 2; `waits`: a suspension waits for approval.
    fn problem(status: S, waits: bool) -> Problem {
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        Problem {
            id: 3,
            title: "t".into(),
            description: String::new(),
            level: ProblemLevel::Major,
            source: super::super::ProblemSource::Proactive,
            source_id: None,
            application_id: None,
            owner_id: 1,
            creator_id: Some(2),
            status,
            suspension_request: waits.then(|| "waiting for a vendor".into()),
            suspended_at: None,
            suspended_seconds: 0,
            resolve_due_at: at,
            breached_at: None,
            root_cause: String::new(),
            solution: String::new(),
            change_needed: false,
            change_ref: String::new(),
            version: 1,
            created_at: at,
            updated_at: at,
        }
    }

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
                                is_approver: false,
                            };
                            let want = expected(*action, *status, p, waits);
                            assert_eq!(
                                check(&problem(*status, waits), &(), *action, p).is_ok(),
                                want,
                                "{status} {action} {p:?} waits={waits}"
                            );
                            assert_eq!(
                                allowed(&problem(*status, waits), &(), p).contains(action),
                                want
                            );
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

    #[test]
    fn a_suspension_stops_the_clock_and_the_resume_adds_it_back() {
        let at = |h: i64| DateTime::from_timestamp(1_700_000_000 + h * 3600, 0).unwrap();
        let approve = Problem::command(
            A::ApproveSuspension,
            &Params::Json(serde_json::json!({"approve": true})),
        )
        .unwrap();
        let suspended = problem(S::Locating, true)
            .decide(approve, Found::default(), at(1))
            .unwrap()
            .after;
        assert_eq!(
            (suspended.status, suspended.suspended_at),
            (S::Suspended, Some(at(1)))
        );
        assert_eq!(suspended.suspension_request, None);
        let resumed = suspended
            .decide(ProblemCommand::Resume, Found::default(), at(5))
            .unwrap()
            .after;
        assert_eq!(resumed.suspended_seconds, 4 * 3600);
        assert_eq!(resumed.resolve_due_at, resumed.due());
        assert_eq!(resumed.due() - suspended.due(), chrono::Duration::hours(4));
        let solve = Problem::command(
            A::SubmitSolution,
            &Params::Form(vec![
                ("root_cause".into(), "r".into()),
                ("solution".into(), "s".into()),
                ("change_needed".into(), "true".into()),
                ("change_ref".into(), " ".into()),
            ]),
        )
        .unwrap();
        let e = problem(S::Locating, false)
            .decide(solve, Found::default(), at(1))
            .unwrap_err();
        assert_eq!(e.field(), Some("change_ref"));
    }
}
