//! A change's workflow (SPEC §7): drafted by its creator, reviewed (a normal change) or not
//! (an emergency change runs at once; its review comes afterwards), started by its implementer
//! inside its window, recorded as it ran, and closed once verified.

use super::{Change, ChangeDraft, ChangeStatus, ChangeType, NOTES_MAX, check_len};
use crate::domain::AppError;
use crate::domain::incident::REASON_MAX;
use crate::domain::problem::NewProblem;
use crate::domain::review::{Outcome, Verdict};
use crate::domain::time::utc;
use crate::domain::user::Role;
use crate::domain::workflow::{
    ActionRequest, Command, Comment, Decision, Found, Party, Reason, Remark, Rule, Ticket, Who,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use ChangeStatus as S;

crate::string_enum! {
    pub enum ChangeAction {
        Edit = "edit",
        Submit = "submit",
        Approve = "approve",
        Reject = "reject",
        Start = "start",
        StartOverride = "start_override",
        RecordResult = "record_result",
        Close = "close",
        Cancel = "cancel",
        OpenProblem = "open_problem",
        Remark = "remark",
    }
}

use ChangeAction as A;

/// Where a review is taken: before a normal change runs, and at any time after an emergency
/// change was submitted (its review comes afterwards).
const REVIEWED_FROM: &[ChangeStatus] = &[
    S::PendingApproval,
    S::Approved,
    S::Implementing,
    S::Succeeded,
    S::Failed,
    S::RolledBack,
    S::Closed,
];

/// SPEC §7, one line per action; the implementer is the change's owner, the approvers are
/// those its review waits on.
pub const RULES: &[Rule<ChangeStatus, ChangeAction>] = &[
    Rule {
        action: A::Edit,
        from: &[S::Draft],
        who: Who::Creator,
    },
    Rule {
        action: A::Submit,
        from: &[S::Draft],
        who: Who::Creator,
    },
    Rule {
        action: A::Approve,
        from: REVIEWED_FROM,
        who: Who::Approver,
    },
    Rule {
        action: A::Reject,
        from: REVIEWED_FROM,
        who: Who::Approver,
    },
    Rule {
        action: A::Start,
        from: &[S::Approved],
        who: Who::Owner,
    },
    Rule {
        action: A::StartOverride,
        from: &[S::Approved],
        who: Who::Admin,
    },
    Rule {
        action: A::RecordResult,
        from: &[S::Implementing],
        who: Who::Owner,
    },
    Rule {
        action: A::Close,
        from: &[S::Succeeded, S::Failed, S::RolledBack],
        who: Who::CreatorOrAdmin,
    },
    Rule {
        action: A::Cancel,
        from: &[S::Draft, S::PendingApproval, S::Approved],
        who: Who::CreatorOrAdmin,
    },
    Rule {
        action: A::OpenProblem,
        from: &[S::Failed, S::RolledBack, S::Closed],
        who: Who::Operator,
    },
    Rule {
        action: A::Remark,
        from: &[
            S::Draft,
            S::PendingApproval,
            S::Approved,
            S::Implementing,
            S::Succeeded,
            S::Failed,
            S::RolledBack,
        ],
        who: Who::Operator,
    },
];

crate::string_enum! {
    /// How an implementation ended.
    pub enum ImplementationResult { Succeeded = "succeeded", Failed = "failed", RolledBack = "rolled_back" }
}

/// Where an allowed action lands, given the change as it was and as the action left it: a
/// normal change is approved when its review completes and back in draft when rejected; an
/// emergency change's review, taken afterwards, moves nothing.
pub fn target(before: &Change, after: &Change, action: ChangeAction) -> ChangeStatus {
    let reviewing = before.status == S::PendingApproval;
    let approved = after
        .review
        .as_ref()
        .is_some_and(|r| r.outcome == Outcome::Approved);
    match action {
        A::Edit => S::Draft,
        A::Submit if before.change_type == ChangeType::Normal => S::PendingApproval,
        A::Submit => S::Approved,
        A::Approve if reviewing && approved => S::Approved,
        A::Reject if reviewing => S::Draft,
        A::Start | A::StartOverride => S::Implementing,
        A::RecordResult => match after.result {
            Some(ImplementationResult::Succeeded) => S::Succeeded,
            Some(ImplementationResult::Failed) => S::Failed,
            Some(ImplementationResult::RolledBack) | None => S::RolledBack,
        },
        A::Close => S::Closed,
        A::Cancel => S::Cancelled,
        A::Approve | A::Reject | A::OpenProblem | A::Remark => before.status,
    }
}

impl Change {
    /// Whom its review waits on now: nobody once it is back in draft or cancelled.
    pub fn awaiting(&self) -> Vec<i64> {
        match &self.review {
            Some(review) if REVIEWED_FROM.contains(&self.status) => review.awaiting(),
            _ => Vec::new(),
        }
    }

    /// Records `by`'s approval (or rejection) in `after`'s review; returns the timeline line.
    fn review_with(
        &self,
        after: &mut Change,
        by: Option<i64>,
        comment: String,
        now: DateTime<Utc>,
        approve: bool,
    ) -> Result<String, AppError> {
        let user_id =
            by.ok_or_else(|| AppError::conflict("Only a person takes part in a review."))?;
        let review = after.review.as_mut().ok_or_else(|| {
            AppError::conflict(format!("{} has no review under way.", self.number()))
        })?;
        let verdict = Verdict {
            user_id,
            at: now,
            comment,
        };
        Ok(if approve {
            review.approve(verdict)
        } else {
            review.reject(verdict)
        })
    }

    /// A change that failed or was rolled back opens one problem for its cause.
    fn may_open_problem(&self) -> Result<(), AppError> {
        let failed = matches!(
            self.result,
            Some(ImplementationResult::Failed | ImplementationResult::RolledBack)
        );
        match self.problem_id {
            _ if !failed => Err(AppError::conflict(format!(
                "{} did not fail; only a failed or rolled-back change opens a problem.",
                self.number()
            ))),
            Some(problem) => Err(AppError::conflict(format!(
                "{} is linked to {} already.",
                self.number(),
                crate::domain::numbering::Prefix::Problem.number(problem)
            ))),
            None => Ok(()),
        }
    }
}

/// What the rules need beyond the change: the time now (a change starts inside its window).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChangeFacts {
    pub now: DateTime<Utc>,
}

/// `record_result`: how it ended; a failure or a rollback says why, and whether monitoring saw
/// it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResultRecord {
    pub result: ImplementationResult,
    /// Required unless it succeeded; at most 500 characters.
    #[serde(default)]
    pub reason: String,
    /// Whether monitoring detected the failure.
    #[serde(default)]
    pub detected_by_monitoring: bool,
}

/// `close`: what verifying the change found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Verification {
    /// 1–4096 characters.
    pub verification_notes: String,
}

crate::commands! {
    /// An action on a change with its parameters.
    pub enum ChangeCommand for ChangeAction as "ChangeActionRequest" {
        Edit(ChangeDraft),
        Submit(Comment),
        Approve(Comment),
        Reject(Reason),
        Start,
        StartOverride(Reason),
        RecordResult(ResultRecord),
        Close(Verification),
        Cancel(Reason),
        OpenProblem(NewProblem),
        Remark(Remark),
    }
}

/// `POST /v1/changes/{id}/actions`.
pub type ChangeActionRequest = ActionRequest<ChangeAction>;

impl Ticket for Change {
    type Status = ChangeStatus;
    type Action = ChangeAction;
    type Command = ChangeCommand;
    type Facts = ChangeFacts;
    const KIND: &'static str = "change";
    const NOUN: &'static str = "Change";
    const RULES: &'static [Rule<ChangeStatus, ChangeAction>] = RULES;
    const REMARK: ChangeAction = A::Remark;

    fn id(&self) -> i64 {
        self.id
    }

    fn version(&self) -> i32 {
        self.version
    }

    fn status(&self) -> ChangeStatus {
        self.status
    }

    fn party(&self, user_id: Option<i64>, role: Role) -> Party {
        Party {
            is_approver: user_id.is_some_and(|u| self.awaiting().contains(&u)),
            ..Party::of(user_id, role, self.implementer_id, self.creator_id, None)
        }
    }

    /// The implementer starts it inside its planned window only; outside it, an administrator
    /// may, with a reason.
    fn gate(&self, action: ChangeAction, facts: &ChangeFacts) -> Result<(), AppError> {
        if action == A::OpenProblem {
            return self.may_open_problem();
        }
        if action == A::Start && !self.in_window(facts.now) {
            return Err(AppError::conflict(format!(
                "{} is planned for {} to {}; outside that window only an administrator may start it, with a reason.",
                self.number(),
                utc(self.planned_start),
                utc(self.planned_end)
            )));
        }
        Ok(())
    }

    fn decide(
        &self,
        command: ChangeCommand,
        found: Found,
        now: DateTime<Utc>,
    ) -> Result<Decision<Change>, AppError> {
        use ChangeCommand as C;
        let action = command.action();
        let mut after = self.clone();
        let comment = match command {
            C::Edit(draft) => {
                let d = draft.normalized()?;
                after.title = d.title;
                after.description = d.description;
                after.level = d.level;
                after.application_id = d.application_id;
                after.group_ids = d.group_ids.unwrap_or(after.group_ids);
                after.resource_ids = d.resource_ids.unwrap_or(after.resource_ids);
                after.implementer_id = found.owner()?;
                after.planned_start = d.planned_start;
                after.planned_end = d.planned_end;
                after.rollback_plan = d.rollback_plan;
                after.problem_id = d.problem_id;
                after.incident_id = d.incident_id;
                String::new()
            }
            C::Submit(p) => {
                let comment = p.checked()?;
                after.review = found.review;
                match found.note {
                    Some(warning) if comment.is_empty() => warning,
                    Some(warning) => format!("{comment} ({warning})"),
                    None => comment,
                }
            }
            C::Approve(p) => self.review_with(&mut after, found.by, p.checked()?, now, true)?,
            C::Reject(p) => self.review_with(&mut after, found.by, p.checked()?, now, false)?,
            C::Cancel(p) => p.checked()?,
            C::Start => {
                after.started_at = Some(now);
                String::new()
            }
            C::StartOverride(p) => {
                let reason = p.checked()?;
                after.started_at = Some(now);
                after.override_reason = reason.clone();
                reason
            }
            C::RecordResult(mut p) => {
                let succeeded = p.result == ImplementationResult::Succeeded;
                check_len("reason", &mut p.reason, usize::from(!succeeded), REASON_MAX)?;
                after.finished_at = Some(now);
                after.result = Some(p.result);
                after.result_reason = p.reason.clone();
                after.detected_by_monitoring = Some(p.detected_by_monitoring);
                p.reason
            }
            C::Close(mut p) => {
                check_len(
                    "verification_notes",
                    &mut p.verification_notes,
                    1,
                    NOTES_MAX,
                )?;
                after.verification_notes = p.verification_notes;
                String::new()
            }
            C::OpenProblem(_) => {
                after.problem_id = found.opened;
                found.note.unwrap_or_default()
            }
            C::Remark(p) => p.checked()?,
        };
        after.status = target(self, &after, action);
        Ok(Decision { after, comment })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::change::RiskLevel;
    use crate::domain::workflow::{Params, allowed, check};
    use serde_json::json;

    fn at(hour: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + hour * 3600, 0).unwrap()
    }

    /// A normal change implemented by 1, created by 2, planned from hour 10 to hour 12.
    fn change(status: S, change_type: ChangeType) -> Change {
        Change {
            id: 123,
            title: "Rotate the TLS certificates".into(),
            description: String::new(),
            change_type,
            level: RiskLevel::B,
            application_id: None,
            group_ids: vec![],
            resource_ids: vec![],
            implementer_id: 1,
            creator_id: Some(2),
            planned_start: at(10),
            planned_end: at(12),
            rollback_plan: "Put the old certificates back.".into(),
            problem_id: None,
            incident_id: None,
            status,
            started_at: None,
            finished_at: None,
            result: None,
            result_reason: String::new(),
            detected_by_monitoring: None,
            verification_notes: String::new(),
            override_reason: String::new(),
            review: None,
            template_id: None,
            version: 1,
            created_at: at(0),
            updated_at: at(0),
        }
    }

    /// The expected table, written out independently of RULES.
    fn expected(action: A, status: S, p: Party, in_window: bool, failed: bool) -> bool {
        let op = p.role != Role::Viewer;
        let implementer = op && p.is_owner;
        let creator = op && p.is_creator;
        let admin = p.role == Role::Admin;
        let approver = op && p.is_approver;
        match (action, status) {
            (A::Edit | A::Submit, S::Draft) => creator,
            // Before a normal change runs, or any time after an emergency one was submitted.
            (A::Approve | A::Reject, S::Draft | S::Cancelled) => false,
            (A::Approve | A::Reject, _) => approver,
            (A::Start, S::Approved) => implementer && in_window,
            (A::StartOverride, S::Approved) => admin,
            (A::RecordResult, S::Implementing) => implementer,
            (A::Close, S::Succeeded | S::Failed | S::RolledBack) => creator || admin,
            (A::Cancel, S::Draft | S::PendingApproval | S::Approved) => creator || admin,
            (A::OpenProblem, S::Failed | S::RolledBack | S::Closed) => op && failed,
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
                    for bits in 0..8u8 {
                        for hour in [9, 10, 11, 12, 13] {
                            let p = Party {
                                role: *role,
                                is_owner: bits & 1 != 0,
                                is_creator: bits & 2 != 0,
                                is_verifier: false,
                                is_approver: bits & 4 != 0,
                            };
                            let mut c = change(*status, ChangeType::Normal);
                            // Odd hours: a recorded failure.
                            let failed = hour % 2 == 1;
                            c.result = failed.then_some(ImplementationResult::Failed);
                            let facts = ChangeFacts { now: at(hour) };
                            let want =
                                expected(*action, *status, p, (10..=12).contains(&hour), failed);
                            assert_eq!(
                                check(&c, &facts, *action, p).is_ok(),
                                want,
                                "{status} {action} {p:?} at hour {hour}"
                            );
                            assert_eq!(allowed(&c, &facts, p).contains(action), want);
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 9 * 11 * 3 * 8 * 5);
    }

    #[test]
    fn a_start_outside_the_window_names_it_and_who_may_override() {
        let c = change(S::Approved, ChangeType::Normal);
        let implementer = c.party(Some(1), Role::Operator);
        let e = check(&c, &ChangeFacts { now: at(13) }, A::Start, implementer).unwrap_err();
        assert_eq!(e.http_status(), 409);
        assert!(
            e.to_string().starts_with("CHG-000123 is planned for"),
            "{e}"
        );
        assert!(e.to_string().contains("only an administrator"), "{e}");
    }

    fn decide(
        c: &Change,
        action: A,
        params: serde_json::Value,
        found: Found,
    ) -> Result<Decision<Change>, AppError> {
        let command = Change::command(action, &Params::Json(params))?;
        c.decide(command, found, at(11))
    }

    /// A change whose review waits on user 5 alone.
    fn reviewed(status: S, change_type: ChangeType) -> Change {
        use crate::domain::review::{Mode, Review, Stage};
        Change {
            review: Some(Review::begin(
                None,
                vec![Stage {
                    name: "CAB".into(),
                    mode: Mode::Any,
                    approvers: vec![5],
                    approvals: vec![],
                }],
            )),
            ..change(status, change_type)
        }
    }

    fn by(user: i64) -> Found {
        Found {
            by: Some(user),
            ..Found::default()
        }
    }

    #[test]
    fn a_review_approves_a_normal_change_and_moves_nothing_after_an_emergency_one() {
        let c = reviewed(S::PendingApproval, ChangeType::Normal);
        assert!(c.party(Some(5), Role::Operator).is_approver);
        assert!(!c.party(Some(6), Role::Admin).is_approver);
        let approved = decide(&c, A::Approve, json!({}), by(5)).unwrap().after;
        assert_eq!(approved.status, S::Approved);
        assert!(!approved.party(Some(5), Role::Operator).is_approver);
        let ran = reviewed(S::Implementing, ChangeType::Emergency);
        let after = decide(&ran, A::Approve, json!({"comment": "fine"}), by(5)).unwrap();
        assert_eq!(after.after.status, S::Implementing);
        assert_eq!(
            after.comment,
            "Stage 1 of 1 (CAB): approved; review complete — fine"
        );
        let after = decide(&ran, A::Reject, json!({"reason": "too wide"}), by(5)).unwrap();
        assert_eq!(after.after.status, S::Implementing, "it ran already");
        assert_eq!(reviewed(S::Approved, ChangeType::Emergency).awaiting(), [5]);
        assert!(
            reviewed(S::Cancelled, ChangeType::Emergency)
                .awaiting()
                .is_empty(),
            "a cancelled change waits on nobody"
        );
        let none = decide(
            &change(S::PendingApproval, ChangeType::Normal),
            A::Approve,
            json!({}),
            by(5),
        )
        .unwrap_err();
        assert_eq!(none.http_status(), 409);
    }

    #[test]
    fn each_type_takes_its_road_and_the_implementation_is_recorded() {
        let submitted = |t| {
            decide(&change(S::Draft, t), A::Submit, json!({}), Found::default())
                .unwrap()
                .after
                .status
        };
        assert_eq!(submitted(ChangeType::Normal), S::PendingApproval);
        assert_eq!(submitted(ChangeType::Emergency), S::Approved);
        assert_eq!(submitted(ChangeType::Standard), S::Approved);
        let rejected = decide(
            &reviewed(S::PendingApproval, ChangeType::Normal),
            A::Reject,
            json!({"reason": "no rollback test"}),
            by(5),
        )
        .unwrap();
        assert_eq!(
            (rejected.after.status, rejected.comment.as_str()),
            (S::Draft, "Stage 1 of 1 (CAB): rejected — no rollback test")
        );
        let started = decide(
            &change(S::Approved, ChangeType::Normal),
            A::Start,
            json!({}),
            Found::default(),
        )
        .unwrap()
        .after;
        assert_eq!(
            (started.status, started.started_at),
            (S::Implementing, Some(at(11)))
        );
        let implementing = change(S::Implementing, ChangeType::Normal);
        let no_reason = decide(
            &implementing,
            A::RecordResult,
            json!({"result": "failed"}),
            Found::default(),
        )
        .unwrap_err();
        assert_eq!(no_reason.field(), Some("reason"));
        let failed = decide(&implementing, A::RecordResult, json!({"result": "rolled_back", "reason": "latency doubled", "detected_by_monitoring": true}), Found::default()).unwrap().after;
        assert_eq!(failed.status, S::RolledBack);
        assert_eq!(failed.result, Some(ImplementationResult::RolledBack));
        assert_eq!(
            (failed.finished_at, failed.detected_by_monitoring),
            (Some(at(11)), Some(true))
        );
        let ok = decide(
            &implementing,
            A::RecordResult,
            json!({"result": "succeeded"}),
            Found::default(),
        )
        .unwrap()
        .after;
        assert_eq!(ok.status, S::Succeeded);
        let unverified = decide(
            &change(S::Succeeded, ChangeType::Normal),
            A::Close,
            json!({}),
            Found::default(),
        )
        .unwrap_err();
        assert_eq!(unverified.field(), Some("params"));
    }

    #[test]
    fn a_draft_is_edited_whole_and_checked() {
        let draft = |start: i64, end: i64| {
            json!({
                "title": " Rotate certificates ", "level": "A", "implementer": {"user_id": 5},
                "planned_start": at(start), "planned_end": at(end), "rollback_plan": "Restore",
                "resource_ids": [3, 1, 3]
            })
        };
        let found = Found::to(5);
        let edited = decide(
            &change(S::Draft, ChangeType::Normal),
            A::Edit,
            draft(20, 22),
            found.clone(),
        )
        .unwrap()
        .after;
        assert_eq!(edited.title, "Rotate certificates");
        assert_eq!((edited.level, edited.implementer_id), (RiskLevel::A, 5));
        assert_eq!(edited.resource_ids, vec![1, 3]);
        assert_eq!(edited.status, S::Draft);
        let backwards = decide(
            &change(S::Draft, ChangeType::Normal),
            A::Edit,
            draft(22, 20),
            found.clone(),
        )
        .unwrap_err();
        assert_eq!(backwards.field(), Some("planned_end"));
        let too_long = decide(
            &change(S::Draft, ChangeType::Normal),
            A::Edit,
            draft(0, 24 * 15),
            found,
        )
        .unwrap_err();
        assert_eq!(too_long.field(), Some("planned_end"));
    }

    #[test]
    fn a_failed_change_opens_one_problem() {
        let mut c = change(S::RolledBack, ChangeType::Normal);
        let operator = c.party(Some(9), Role::Operator);
        let facts = ChangeFacts { now: at(0) };
        let e = check(&c, &facts, A::OpenProblem, operator).unwrap_err();
        assert!(e.to_string().contains("did not fail"), "{e}");
        c.result = Some(ImplementationResult::RolledBack);
        assert!(check(&c, &facts, A::OpenProblem, operator).is_ok());
        let found = Found {
            opened: Some(7),
            ..Found::noted("PRB-000007: Handshakes fail".into())
        };
        let params = json!({"title": "Handshakes fail", "level": "major", "owner": {"user_id": 9}});
        let opened = decide(&c, A::OpenProblem, params, found).unwrap();
        assert_eq!(opened.after.problem_id, Some(7));
        assert_eq!(opened.after.status, S::RolledBack);
        assert_eq!(opened.comment, "PRB-000007: Handshakes fail");
        let e = check(&opened.after, &facts, A::OpenProblem, operator).unwrap_err();
        assert!(
            e.to_string().ends_with("is linked to PRB-000007 already."),
            "{e}"
        );
    }
}
