//! Reviews: who must approve a ticket before (or, for an emergency change, after) it runs.
//! An administrator defines review flows — for a change type and some risk levels, up to five
//! stages, each a list of people or on-call roles of which `any` one or `all` must approve.
//! When a ticket is submitted its flow is copied onto it as a [`Review`], with the people
//! resolved then, so editing a flow never changes a review under way.

use super::AppError;
use super::change::{ChangeType, RiskLevel};
use super::incident::{Assignee, check_len};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

crate::string_enum! {
    /// `any`: one approval finishes the stage; `all`: every approver's.
    pub enum Mode { Any = "any", All = "all" }
}

crate::string_enum! {
    pub enum Outcome { Pending = "pending", Approved = "approved", Rejected = "rejected" }
}

pub const STAGES_MAX: usize = 5;
pub const APPROVERS_MAX: usize = 20;
pub const NAME_MAX: usize = 100;

/// A stage as an administrator defines it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StageDef {
    /// 1–100 characters: "Security", "CAB".
    pub name: String,
    /// 1–20 people or on-call roles (whoever is on duty when the review begins).
    pub approvers: Vec<Assignee>,
    pub mode: Mode,
}

/// A review flow: the stages a change of `change_type` at one of `levels` goes through.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReviewFlow {
    pub id: i64,
    pub name: String,
    pub change_type: ChangeType,
    pub levels: Vec<RiskLevel>,
    pub stages: Vec<StageDef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What an administrator writes to define (or redefine) a flow.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewReviewFlow {
    /// 1–100 characters.
    pub name: String,
    /// `normal` or `emergency` (standard changes are approved in advance).
    pub change_type: ChangeType,
    /// One or more; no two flows share a (type, level).
    pub levels: Vec<RiskLevel>,
    /// 1–5 stages, in order.
    pub stages: Vec<StageDef>,
}

impl NewReviewFlow {
    /// Trims and checks everything that needs no database.
    pub fn normalized(mut self) -> Result<NewReviewFlow, AppError> {
        check_len("name", &mut self.name, 1, NAME_MAX)?;
        if self.change_type == ChangeType::Standard {
            return Err(AppError::invalid(
                "change_type",
                "a standard change is approved in advance by its template; it has no review",
            ));
        }
        self.levels.sort_by_key(|l| l.as_str());
        self.levels.dedup();
        if self.levels.is_empty() {
            return Err(AppError::invalid("levels", "pick at least one risk level"));
        }
        if self.stages.is_empty() || self.stages.len() > STAGES_MAX {
            return Err(AppError::invalid(
                "stages",
                format!("a flow has 1 to {STAGES_MAX} stages"),
            ));
        }
        for (i, stage) in self.stages.iter_mut().enumerate() {
            check_len(&format!("stages[{i}].name"), &mut stage.name, 1, NAME_MAX)?;
            stage.approvers.dedup();
            if stage.approvers.is_empty() || stage.approvers.len() > APPROVERS_MAX {
                return Err(AppError::invalid(
                    format!("stages[{i}].approvers"),
                    format!("a stage has 1 to {APPROVERS_MAX} approvers"),
                ));
            }
        }
        Ok(self)
    }
}

/// One approval (or the rejection) with who gave it and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Verdict {
    pub user_id: i64,
    pub at: DateTime<Utc>,
    pub comment: String,
}

/// A person a review names, with the name a page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Reviewer {
    pub user_id: i64,
    pub name: String,
}

/// A stage of a review under way, with its people resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Stage {
    pub name: String,
    pub mode: Mode,
    pub approvers: Vec<i64>,
    pub approvals: Vec<Verdict>,
}

impl Stage {
    fn approved_by(&self, user_id: i64) -> bool {
        self.approvals.iter().any(|v| v.user_id == user_id)
    }

    fn is_done(&self) -> bool {
        match self.mode {
            Mode::Any => !self.approvals.is_empty(),
            Mode::All => self.approvers.iter().all(|a| self.approved_by(*a)),
        }
    }
}

/// A ticket's review: its stages, the one it waits on, and how it ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Review {
    /// The flow it came from (`None`: the default, any administrator).
    pub flow: Option<String>,
    pub stages: Vec<Stage>,
    /// The stage it waits on (index into `stages`).
    pub current: usize,
    pub outcome: Outcome,
    pub rejection: Option<Verdict>,
}

impl Review {
    /// A review beginning with these stages.
    pub fn begin(flow: Option<String>, stages: Vec<Stage>) -> Review {
        Review {
            flow,
            stages,
            current: 0,
            outcome: Outcome::Pending,
            rejection: None,
        }
    }

    pub fn is_pending(&self) -> bool {
        self.outcome == Outcome::Pending
    }

    /// Who it waits on now: the current stage's approvers who have not approved yet.
    pub fn awaiting(&self) -> Vec<i64> {
        match self.stages.get(self.current) {
            Some(stage) if self.is_pending() => stage
                .approvers
                .iter()
                .copied()
                .filter(|a| !stage.approved_by(*a))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// "Stage 1 of 2 (Security)"
    pub fn stage_label(&self) -> String {
        let name = self
            .stages
            .get(self.current)
            .map(|s| s.name.as_str())
            .unwrap_or("");
        format!(
            "Stage {} of {} ({name})",
            self.current + 1,
            self.stages.len()
        )
    }

    /// Records `verdict` as an approval of the current stage; the stage finishes as its mode
    /// says and the review moves on, or is approved after its last stage. Returns the
    /// timeline's line.
    pub fn approve(&mut self, verdict: Verdict) -> String {
        let label = self.stage_label();
        let comment = verdict.comment.clone();
        let Some(stage) = self.stages.get_mut(self.current) else {
            return comment;
        };
        stage.approvals.push(verdict);
        let line = if !stage.is_done() {
            format!("{label}: approved, waiting for the others")
        } else if self.current + 1 < self.stages.len() {
            self.current += 1;
            format!("{label}: approved; {} next", self.stage_label())
        } else {
            self.outcome = Outcome::Approved;
            format!("{label}: approved; review complete")
        };
        with_comment(line, &comment)
    }

    /// Everyone it names, once each.
    pub fn people(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .stages
            .iter()
            .flat_map(|s| s.approvers.iter().copied())
            .chain(self.rejection.iter().map(|v| v.user_id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Records `verdict` as the review's rejection. Returns the timeline's line.
    pub fn reject(&mut self, verdict: Verdict) -> String {
        let line = with_comment(
            format!("{}: rejected", self.stage_label()),
            &verdict.comment,
        );
        self.outcome = Outcome::Rejected;
        self.rejection = Some(verdict);
        line
    }
}

fn with_comment(line: String, comment: &str) -> String {
    if comment.is_empty() {
        line
    } else {
        format!("{line} — {comment}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + minute * 60, 0).unwrap()
    }

    fn by(user_id: i64) -> Verdict {
        Verdict {
            user_id,
            at: at(user_id),
            comment: String::new(),
        }
    }

    fn stage(name: &str, mode: Mode, approvers: &[i64]) -> Stage {
        Stage {
            name: name.into(),
            mode,
            approvers: approvers.to_vec(),
            approvals: vec![],
        }
    }

    #[test]
    fn any_needs_one_all_needs_everyone_and_stages_run_in_order() {
        let mut r = Review::begin(
            Some("CAB".into()),
            vec![
                stage("Team", Mode::Any, &[1, 2]),
                stage("Security", Mode::All, &[3, 4]),
            ],
        );
        assert_eq!(r.awaiting(), vec![1, 2]);
        assert!(!r.awaiting().contains(&3));
        assert_eq!(
            r.approve(by(2)),
            "Stage 1 of 2 (Team): approved; Stage 2 of 2 (Security) next"
        );
        assert_eq!(r.awaiting(), vec![3, 4]);
        assert_eq!(
            r.approve(by(4)),
            "Stage 2 of 2 (Security): approved, waiting for the others"
        );
        assert_eq!(r.awaiting(), vec![3]);
        assert!(!r.awaiting().contains(&4), "nobody approves twice");
        assert!(r.is_pending());
        assert_eq!(
            r.approve(Verdict {
                comment: "ok".into(),
                ..by(3)
            }),
            "Stage 2 of 2 (Security): approved; review complete — ok"
        );
        assert_eq!(r.outcome, Outcome::Approved);
        assert!(r.awaiting().is_empty());
    }

    #[test]
    fn a_rejection_ends_the_review_and_says_where() {
        let mut r = Review::begin(None, vec![stage("Administrators", Mode::Any, &[1])]);
        let line = r.reject(Verdict {
            comment: "no rollback test".into(),
            ..by(1)
        });
        assert_eq!(
            line,
            "Stage 1 of 1 (Administrators): rejected — no rollback test"
        );
        assert_eq!(r.outcome, Outcome::Rejected);
        assert_eq!(r.rejection.as_ref().map(|v| v.user_id), Some(1));
        assert!(r.awaiting().is_empty());
    }

    #[test]
    fn a_flow_is_checked_whole() {
        let flow = |stages: usize, approvers: usize| NewReviewFlow {
            name: " CAB ".into(),
            change_type: ChangeType::Normal,
            levels: vec![RiskLevel::B, RiskLevel::A, RiskLevel::B],
            stages: (0..stages)
                .map(|i| StageDef {
                    name: format!("Stage {i}"),
                    approvers: (0..approvers)
                        .map(|u| Assignee::User { user_id: u as i64 })
                        .collect(),
                    mode: Mode::Any,
                })
                .collect(),
        };
        let ok = flow(5, 20).normalized().unwrap();
        assert_eq!(ok.name, "CAB");
        assert_eq!(ok.levels, vec![RiskLevel::A, RiskLevel::B]);
        assert_eq!(flow(6, 1).normalized().unwrap_err().field(), Some("stages"));
        assert_eq!(flow(0, 1).normalized().unwrap_err().field(), Some("stages"));
        assert_eq!(
            flow(2, 21).normalized().unwrap_err().field(),
            Some("stages[0].approvers")
        );
        assert_eq!(
            flow(1, 0).normalized().unwrap_err().field(),
            Some("stages[0].approvers")
        );
        let standard = NewReviewFlow {
            change_type: ChangeType::Standard,
            ..flow(1, 1)
        };
        assert_eq!(
            standard.normalized().unwrap_err().field(),
            Some("change_type")
        );
        let none = NewReviewFlow {
            levels: vec![],
            ..flow(1, 1)
        };
        assert_eq!(none.normalized().unwrap_err().field(), Some("levels"));
    }
}
