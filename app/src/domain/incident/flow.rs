//! An incident's workflow (SPEC §4): the one table of who may do what from which state, the
//! typed commands, and where each lands. The console asks it which buttons to show; the
//! service asks it whether to act and what comes of it.

use super::{
    Category, Incident, IncidentStatus, Level, REASON_MAX, SOLUTION_MAX, VERIFY_COMMENT_MAX,
    check_len,
};
use crate::domain::AppError;
use crate::domain::improvement::NewImprovement;
use crate::domain::user::Role;
use crate::domain::workflow::{
    ActionRequest, Approve, Command, Comment, Decision, Forward, Found, Party, Reason, Remark,
    Rule, Ticket, Who, retitle, verdict,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use IncidentStatus as S;

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

/// SPEC §4, one line per action. Where an action lands depends on its parameters
/// (see [`target`]); `approve_level` only while a lowering waits, `start_war_room` once.
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

/// What the rules need beyond the incident: the war room opened for it, by its number.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IncidentFacts {
    pub room: Option<String>,
}

/// `resubmit`: what the creator changes before sending a rejected incident back.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IncidentResubmit {
    pub title: Option<String>,
    pub description: Option<String>,
    pub level: Option<Level>,
    pub category: Option<Category>,
    /// At most 500 characters.
    #[serde(default)]
    pub comment: String,
}

/// `change_level`: raising, or lowering by one, is at once; lowering by more waits for an
/// administrator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LevelChange {
    pub level: Level,
    /// 1–500 characters.
    pub reason: String,
}

/// `pause`: until when, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Pause {
    /// In the future.
    #[serde(deserialize_with = "crate::domain::time::utc_or_local")]
    pub until: DateTime<Utc>,
    /// 1–500 characters.
    pub reason: String,
}

/// `submit_solution`: the cause and the fix, and whether and when the service was down.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Solution {
    /// 1–10,000 characters.
    pub cause: String,
    /// 1–10,000 characters.
    pub solution: String,
    #[serde(default)]
    pub service_interrupted: bool,
    /// Required when the service was interrupted.
    #[serde(default, deserialize_with = "crate::domain::time::maybe_utc_or_local")]
    pub fault_started_at: Option<DateTime<Utc>>,
    /// Not before `fault_started_at`.
    #[serde(default, deserialize_with = "crate::domain::time::maybe_utc_or_local")]
    pub recovered_at: Option<DateTime<Utc>>,
}

/// `verify`: whether the creator finds it resolved; a no needs its comment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Resolved {
    pub resolved: bool,
    /// Required when not resolved; at most 300 characters.
    #[serde(default)]
    pub comment: String,
}

/// `start_war_room`: the room's title (the incident's by default).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StartRoom {
    pub title: Option<String>,
}

crate::commands! {
    /// An action on an incident with its parameters.
    pub enum IncidentCommand for Action as "IncidentActionRequest" {
        Accept,
        Reject(Reason),
        Forward(Forward),
        Resubmit(IncidentResubmit),
        Close(Comment),
        ChangeLevel(LevelChange),
        ApproveLevel(Approve),
        Pause(Pause),
        Resume,
        Remark(Remark),
        SubmitSolution(Solution),
        Verify(Resolved),
        StartWarRoom(StartRoom),
        CreateImprovement(NewImprovement),
    }
}

/// `POST /v1/incidents/{id}/actions`.
pub type IncidentActionRequest = ActionRequest<Action>;

impl Ticket for Incident {
    type Status = IncidentStatus;
    type Action = Action;
    type Command = IncidentCommand;
    type Facts = IncidentFacts;
    const KIND: &'static str = "incident";
    const NOUN: &'static str = "Incident";
    const RULES: &'static [Rule<IncidentStatus, Action>] = RULES;
    const REMARK: Action = Action::Remark;

    fn id(&self) -> i64 {
        self.id
    }

    fn version(&self) -> i32 {
        self.version
    }

    fn status(&self) -> IncidentStatus {
        self.status
    }

    fn party(&self, user_id: Option<i64>, role: Role) -> Party {
        Party::of(user_id, role, self.owner_id, self.creator_id, None)
    }

    fn gate(&self, action: Action, facts: &IncidentFacts) -> Result<(), AppError> {
        match action {
            Action::ApproveLevel if self.pending_level.is_none() => Err(AppError::conflict(
                "No level change is waiting for approval on this incident.",
            )),
            Action::StartWarRoom => match &facts.room {
                Some(room) => Err(AppError::conflict(format!(
                    "{} already has war room {room}.",
                    self.number()
                ))),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }

    fn decide(
        &self,
        command: IncidentCommand,
        found: Found,
        now: DateTime<Utc>,
    ) -> Result<Decision<Incident>, AppError> {
        use IncidentCommand as C;
        let action = command.action();
        let mut after = self.clone();
        let mut resolved = false;
        let comment = match command {
            C::Accept | C::Resume => {
                after.paused_until = None;
                String::new()
            }
            C::Reject(p) => p.checked()?,
            C::Forward(p) => {
                let comment;
                (after.owner_id, comment) = p.checked(self.owner_id, &found)?;
                comment
            }
            C::Resubmit(mut p) => {
                retitle(
                    p.title,
                    p.description,
                    &mut after.title,
                    &mut after.description,
                )?;
                after.level = p.level.unwrap_or(after.level);
                after.category = p.category.unwrap_or(after.category);
                check_len("comment", &mut p.comment, 0, REASON_MAX)?;
                p.comment
            }
            C::Close(p) => p.checked()?,
            C::ChangeLevel(mut p) => {
                check_len("reason", &mut p.reason, 1, REASON_MAX)?;
                if p.level == self.level {
                    return Err(AppError::invalid(
                        "level",
                        format!("the incident is {} already", p.level),
                    ));
                }
                if level_change_needs_approval(self.level, p.level) {
                    after.pending_level = Some(p.level);
                    format!(
                        "{} (lowering to {} waits for an administrator)",
                        p.reason, p.level
                    )
                } else {
                    after.level = p.level;
                    after.pending_level = None;
                    p.reason
                }
            }
            C::ApproveLevel(p) => {
                let (approve, comment) = p.checked()?;
                if approve {
                    after.level = self.pending_level.unwrap_or(self.level);
                }
                after.pending_level = None;
                comment
            }
            C::Pause(mut p) => {
                check_len("reason", &mut p.reason, 1, REASON_MAX)?;
                if p.until <= now {
                    return Err(AppError::invalid("until", "must be in the future"));
                }
                after.paused_until = Some(p.until);
                p.reason
            }
            C::Remark(p) => p.checked()?,
            C::SubmitSolution(mut p) => {
                check_len("cause", &mut p.cause, 1, SOLUTION_MAX)?;
                check_len("solution", &mut p.solution, 1, SOLUTION_MAX)?;
                if p.service_interrupted && p.fault_started_at.is_none() {
                    return Err(AppError::invalid(
                        "fault_started_at",
                        "say when the fault started when the service was interrupted",
                    ));
                }
                if let (Some(start), Some(end)) = (p.fault_started_at, p.recovered_at)
                    && end < start
                {
                    return Err(AppError::invalid(
                        "recovered_at",
                        "must not be before fault_started_at",
                    ));
                }
                after.cause = p.cause;
                after.solution = p.solution;
                after.service_interrupted = p.service_interrupted;
                after.fault_started_at = p.fault_started_at;
                after.recovered_at = p.recovered_at;
                String::new()
            }
            C::Verify(p) => {
                let comment;
                (resolved, comment) = verdict(p.resolved, p.comment, VERIFY_COMMENT_MAX)?;
                comment
            }
            C::StartWarRoom(_) | C::CreateImprovement(_) => found.note.unwrap_or_default(),
        };
        after.status = target(self.status, action, resolved);
        Ok(Decision { after, comment })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow::Params;
    use crate::domain::workflow::{allowed, check, check_attach};
    use serde_json::json;

    const FACTS: IncidentFacts = IncidentFacts { room: None };

    /// An incident of owner 1 opened by creator 2, with a lowering waiting for approval.
    fn incident(status: IncidentStatus) -> Incident {
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        Incident {
            id: 8,
            title: "Checkout down".into(),
            description: String::new(),
            level: Level::P2,
            pending_level: Some(Level::P4),
            category: Category::Function,
            source: super::super::IncidentSource::Manual,
            status,
            application_id: None,
            region: String::new(),
            owner_id: 1,
            creator_id: Some(2),
            service_interrupted: false,
            fault_started_at: None,
            recovered_at: None,
            cause: String::new(),
            solution: String::new(),
            paused_until: None,
            accept_due_at: None,
            resolve_due_at: None,
            accept_breached_at: None,
            resolve_breached_at: None,
            version: 3,
            created_at: at,
            updated_at: at,
        }
    }

    fn decide(
        status: IncidentStatus,
        action: &str,
        params: serde_json::Value,
    ) -> Result<Decision<Incident>, AppError> {
        let before = incident(status);
        let command = Incident::command(Action::parse(action).unwrap(), &Params::Json(params))?;
        before.decide(command, Found::default(), before.created_at)
    }

    fn party(role: Role, is_owner: bool, is_creator: bool) -> Party {
        Party {
            role,
            is_owner,
            is_creator,
            is_verifier: false,
            is_approver: false,
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
                        let got = check(&incident(*status), &FACTS, *action, p).is_ok();
                        assert_eq!(
                            got, want,
                            "{status} {action} {role} owner={is_owner} creator={is_creator}"
                        );
                        assert_eq!(
                            allowed(&incident(*status), &FACTS, p).contains(action),
                            want
                        );
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
        let e = check(&incident(S::Rejected), &FACTS, Action::Accept, owner).unwrap_err();
        assert_eq!(e.http_status(), 409);
        assert!(
            e.to_string().contains("needs one that is unaccepted"),
            "{e}"
        );
        let stranger = party(Role::Operator, false, false);
        let e = check(&incident(S::Unaccepted), &FACTS, Action::Accept, stranger).unwrap_err();
        assert_eq!(e.http_status(), 403);
        assert!(e.to_string().contains("needs the owner role"), "{e}");
        let admin = party(Role::Admin, false, false);
        let settled = Incident {
            pending_level: None,
            ..incident(S::Accepted)
        };
        assert_eq!(
            check(&settled, &FACTS, Action::ApproveLevel, admin)
                .unwrap_err()
                .http_status(),
            409
        );
        assert!(!allowed(&settled, &FACTS, admin).contains(&Action::ApproveLevel));
    }

    #[test]
    fn a_room_is_opened_once_and_files_go_where_remarks_do() {
        let owner = party(Role::Operator, true, false);
        let open = IncidentFacts {
            room: Some("WR-000003".into()),
        };
        let accepted = incident(S::Accepted);
        assert!(allowed(&accepted, &FACTS, owner).contains(&Action::StartWarRoom));
        assert!(!allowed(&accepted, &open, owner).contains(&Action::StartWarRoom));
        let e = check(&accepted, &open, Action::StartWarRoom, owner).unwrap_err();
        assert_eq!(e.to_string(), "INC-000008 already has war room WR-000003.");
        let stranger = party(Role::Operator, false, false);
        assert!(check_attach(&accepted, &FACTS, stranger).is_ok());
        let e = check_attach(&incident(S::Closed), &FACTS, stranger).unwrap_err();
        assert_eq!(
            e.to_string(),
            "An incident that is closed takes no more files."
        );
        let viewer = party(Role::Viewer, false, false);
        assert!(check_attach(&accepted, &FACTS, viewer).is_err());
    }

    #[test]
    fn commands_read_their_parameters_and_decide_the_incident() {
        let lowered = decide(
            S::Accepted,
            "change_level",
            json!({"level": "P4", "reason": " calmer "}),
        )
        .unwrap();
        assert_eq!(lowered.after.pending_level, Some(Level::P4));
        assert_eq!(lowered.after.level, Level::P2);
        assert_eq!(
            lowered.comment,
            "calmer (lowering to P4 waits for an administrator)"
        );
        let raised = decide(
            S::Accepted,
            "change_level",
            json!({"level": "P1", "reason": "worse"}),
        )
        .unwrap();
        assert_eq!(
            (raised.after.level, raised.after.pending_level),
            (Level::P1, None)
        );
        let same = decide(
            S::Accepted,
            "change_level",
            json!({"level": "P2", "reason": "x"}),
        )
        .unwrap_err();
        assert_eq!(same.field(), Some("level"));
        let approved = decide(S::Accepted, "approve_level", json!({"approve": true})).unwrap();
        assert_eq!(
            (approved.after.level, approved.after.pending_level),
            (Level::P4, None)
        );
        let past = decide(
            S::Accepted,
            "pause",
            json!({"until": "2000-01-01T00:00:00Z", "reason": "wait"}),
        )
        .unwrap_err();
        assert_eq!(past.field(), Some("until"));
        let missing = decide(S::Unaccepted, "reject", json!(null)).unwrap_err();
        assert_eq!(missing.field(), Some("params"));
        assert!(missing.to_string().contains("`reason`"), "{missing}");
        let accepted = decide(S::Unaccepted, "accept", json!({"ignored": 1})).unwrap();
        assert_eq!(accepted.after.status, S::Accepted);
        let not_yet = decide(S::Resolved, "verify", json!({"resolved": false})).unwrap_err();
        assert_eq!(not_yet.field(), Some("comment"));
        let back = decide(
            S::Resolved,
            "verify",
            json!({"resolved": false, "comment": "still slow"}),
        )
        .unwrap();
        assert_eq!(
            (back.after.status, back.comment.as_str()),
            (S::Accepted, "still slow")
        );
        let down = decide(
            S::Accepted,
            "submit_solution",
            json!({"cause": "c", "solution": "s", "service_interrupted": true}),
        )
        .unwrap_err();
        assert_eq!(down.field(), Some("fault_started_at"));
        let nobody = decide(S::Accepted, "forward", json!({"to": {"user_id": 1}})).unwrap_err();
        assert_eq!(nobody.field(), Some("to"));
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
    fn lowering_by_more_than_one_level_waits_for_an_admin() {
        assert!(!level_change_needs_approval(Level::P3, Level::P1));
        assert!(!level_change_needs_approval(Level::P2, Level::P3));
        assert!(level_change_needs_approval(Level::P1, Level::P3));
        assert!(level_change_needs_approval(Level::P2, Level::P5));
    }
}
