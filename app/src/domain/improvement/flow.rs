//! An improvement's workflow (SPEC §6): owned until someone else verifies it is done.

use super::{COMMENT_MAX, Improvement, ImprovementStatus, PROCESS_MAX, check_len};
use crate::domain::AppError;
use crate::domain::user::Role;
use crate::domain::workflow::{
    ActionRequest, Command, Decision, Forward, Found, Party, Passed, Remark, Rule, Ticket, Who,
    verdict,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use ImprovementStatus as S;

crate::string_enum! {
    pub enum ImprovementAction {
        Accept = "accept",
        Process = "process",
        Forward = "forward",
        Verify = "verify",
        Remark = "remark",
    }
}

use ImprovementAction as A;

pub const RULES: &[Rule<ImprovementStatus, ImprovementAction>] = &[
    Rule {
        action: A::Accept,
        from: &[S::Pending],
        who: Who::Owner,
    },
    Rule {
        action: A::Process,
        from: &[S::InProgress],
        who: Who::Owner,
    },
    Rule {
        action: A::Forward,
        from: &[S::Pending, S::InProgress],
        who: Who::Owner,
    },
    Rule {
        action: A::Verify,
        from: &[S::ToVerify],
        who: Who::Verifier,
    },
    Rule {
        action: A::Remark,
        from: &[S::Pending, S::InProgress, S::ToVerify],
        who: Who::Operator,
    },
];

/// Where an allowed action lands; `passed` is the verification's verdict.
pub fn target(
    status: ImprovementStatus,
    action: ImprovementAction,
    passed: bool,
) -> ImprovementStatus {
    match action {
        A::Accept => S::InProgress,
        A::Process => S::ToVerify,
        A::Verify if passed => S::Closed,
        A::Verify => S::InProgress,
        A::Forward | A::Remark => status,
    }
}

/// `process`: what caused it and what was done.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Process {
    /// 1–1000 characters.
    pub cause: String,
    /// 1–1000 characters.
    pub measures: String,
}

crate::commands! {
    /// An action on an improvement with its parameters.
    pub enum ImprovementCommand for ImprovementAction as "ImprovementActionRequest" {
        Accept,
        Process(Process),
        Forward(Forward),
        Verify(Passed),
        Remark(Remark),
    }
}

/// `POST /v1/improvements/{id}/actions`.
pub type ImprovementActionRequest = ActionRequest<ImprovementAction>;

impl Ticket for Improvement {
    type Status = ImprovementStatus;
    type Action = ImprovementAction;
    type Command = ImprovementCommand;
    type Facts = ();
    const KIND: &'static str = "improvement";
    const NOUN: &'static str = "Improvement";
    const RULES: &'static [Rule<ImprovementStatus, ImprovementAction>] = RULES;
    const REMARK: ImprovementAction = A::Remark;

    fn id(&self) -> i64 {
        self.id
    }

    fn version(&self) -> i32 {
        self.version
    }

    fn status(&self) -> ImprovementStatus {
        self.status
    }

    fn party(&self, user_id: Option<i64>, role: Role) -> Party {
        Party::of(
            user_id,
            role,
            self.owner_id,
            self.creator_id,
            Some(self.verifier_id),
        )
    }

    fn decide(
        &self,
        command: ImprovementCommand,
        found: Found,
        _now: DateTime<Utc>,
    ) -> Result<Decision<Improvement>, AppError> {
        use ImprovementCommand as C;
        let action = command.action();
        let mut after = self.clone();
        let mut passed = false;
        let comment = match command {
            C::Accept => String::new(),
            C::Process(mut p) => {
                check_len("cause", &mut p.cause, 1, PROCESS_MAX)?;
                check_len("measures", &mut p.measures, 1, PROCESS_MAX)?;
                after.cause = p.cause;
                after.measures = p.measures;
                String::new()
            }
            C::Forward(p) => {
                let comment;
                (after.owner_id, comment) = p.checked(self.owner_id, &found)?;
                if after.owner_id == self.verifier_id {
                    return Err(AppError::invalid(
                        "to",
                        "that is the verifier; the owner must be someone else",
                    ));
                }
                comment
            }
            C::Verify(p) => {
                let comment;
                (passed, comment) = verdict(p.passed, p.comment, COMMENT_MAX)?;
                comment
            }
            C::Remark(p) => p.checked()?,
        };
        after.status = target(self.status, action, passed);
        Ok(Decision { after, comment })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow::Params;
    use crate::domain::workflow::{allowed, check};
    use chrono::NaiveDate;

    fn improvement(status: S) -> Improvement {
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        Improvement {
            id: 1,
            title: "t".into(),
            description: String::new(),
            source: super::super::ImprovementSource::Manual,
            source_id: None,
            application_id: None,
            owner_id: 1,
            verifier_id: 2,
            creator_id: Some(1),
            due_on: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            status,
            cause: String::new(),
            measures: String::new(),
            version: 1,
            created_at: at,
            updated_at: at,
        }
    }

    fn expected(action: A, status: S, p: Party) -> bool {
        let operator = p.role != Role::Viewer;
        match (action, status) {
            (A::Accept, S::Pending) => operator && p.is_owner,
            (A::Process, S::InProgress) => operator && p.is_owner,
            (A::Forward, S::Pending | S::InProgress) => operator && p.is_owner,
            (A::Verify, S::ToVerify) => operator && p.is_verifier,
            (A::Remark, s) => operator && s != S::Closed,
            _ => false,
        }
    }

    #[test]
    fn every_state_action_and_party_is_decided_as_the_spec_says() {
        let mut checked = 0;
        for status in S::ALL {
            for action in A::ALL {
                for role in Role::ALL {
                    for bits in 0..8u8 {
                        let p = Party {
                            role: *role,
                            is_owner: bits & 1 != 0,
                            is_creator: bits & 2 != 0,
                            is_verifier: bits & 4 != 0,
                            is_approver: false,
                        };
                        let want = expected(*action, *status, p);
                        assert_eq!(
                            check(&improvement(*status), &(), *action, p).is_ok(),
                            want,
                            "{status} {action} {p:?}"
                        );
                        assert_eq!(
                            allowed(&improvement(*status), &(), p).contains(action),
                            want
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 4 * 5 * 3 * 8);
    }

    #[test]
    fn verification_closes_or_sends_back() {
        assert_eq!(target(S::Pending, A::Accept, false), S::InProgress);
        assert_eq!(target(S::InProgress, A::Process, false), S::ToVerify);
        assert_eq!(target(S::ToVerify, A::Verify, true), S::Closed);
        assert_eq!(target(S::ToVerify, A::Verify, false), S::InProgress);
        assert_eq!(target(S::InProgress, A::Forward, false), S::InProgress);
    }

    #[test]
    fn the_owner_cannot_become_the_verifier() {
        let i = improvement(S::InProgress);
        let to_verifier = Found::to(2);
        let command = Improvement::command(
            A::Forward,
            &Params::Json(serde_json::json!({"to": {"user_id": 2}})),
        )
        .unwrap();
        let e = i.decide(command, to_verifier, i.created_at).unwrap_err();
        assert_eq!(e.field(), Some("to"));
        let command = Improvement::command(
            A::Verify,
            &Params::Json(serde_json::json!({"passed": false, "comment": "no"})),
        )
        .unwrap();
        let back = improvement(S::ToVerify)
            .decide(command, Found::default(), i.created_at)
            .unwrap();
        assert_eq!(back.after.status, S::InProgress);
    }
}
