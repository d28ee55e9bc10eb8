//! War rooms (SPEC §5): where a major incident is worked together. Who may do what in a room,
//! how its state follows its affected applications, and its rules for adding people.

use super::AppError;
use super::incident::{Level, check_len};
use super::user::Role;
use super::workflow::HistoryEntry;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

crate::string_enum! {
    pub enum WarRoomStatus {
        Started = "started",
        Delimited = "delimited",
        Recovered = "recovered",
        Closed = "closed",
    }
}

crate::string_enum! {
    pub enum MemberRole {
        Admin = "admin",
        RecoveryLead = "recovery_lead",
        Engineer = "engineer",
        Observer = "observer",
    }
}

crate::string_enum! {
    pub enum NoticeKind { First = "first", Progress = "progress", Recovery = "recovery" }
}

pub const TITLE_MAX: usize = 200;
pub const NOTICE_MAX: usize = 1000;
pub const CAUSE_MAX: usize = 10_000;
pub const IMPACT_MAX: usize = 10_000;

/// What a person may do in a room.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Powers {
    /// Invite and remove members, set roles, add applications, mark them restored, close.
    pub manage: bool,
    /// Post progress notices.
    pub post: bool,
    /// Follow the room's notices without being a member.
    pub subscribe: bool,
}

/// The powers of someone with account role `role` and room role `member` (if a member) in a
/// room in `status`. A closed room is read-only.
pub fn powers(status: WarRoomStatus, role: Role, member: Option<MemberRole>) -> Powers {
    let open = status != WarRoomStatus::Closed;
    let operator = role.allows(Role::Operator);
    let manage = open
        && operator
        && (role == Role::Admin
            || matches!(member, Some(MemberRole::Admin | MemberRole::RecoveryLead)));
    let post = manage || (open && operator && matches!(member, Some(MemberRole::Engineer)));
    Powers {
        manage,
        post,
        subscribe: open && member.is_none(),
    }
}

impl Powers {
    pub fn require_manage(self) -> Result<(), AppError> {
        if self.manage {
            Ok(())
        } else {
            Err(AppError::forbidden(
                "managing this war room",
                "room admin or recovery lead",
            ))
        }
    }

    pub fn require_post(self) -> Result<(), AppError> {
        if self.post {
            Ok(())
        } else {
            Err(AppError::forbidden(
                "posting notices in this war room",
                "room engineer",
            ))
        }
    }
}

/// A room's state from its affected applications: started while the scope is unknown,
/// delimited once applications are named, recovered when every one is restored.
pub fn status_for(restored: &[bool]) -> WarRoomStatus {
    if restored.is_empty() {
        WarRoomStatus::Started
    } else if restored.iter().all(|r| *r) {
        WarRoomStatus::Recovered
    } else {
        WarRoomStatus::Delimited
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WarRoom {
    pub id: i64,
    pub incident_id: i64,
    pub title: String,
    /// Who opened it.
    pub admin_id: i64,
    pub status: WarRoomStatus,
    pub occurred_at: DateTime<Utc>,
    pub recovered_at: Option<DateTime<Utc>>,
    pub cause: String,
    pub impact: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl WarRoom {
    /// "WR-000002"
    pub fn number(&self) -> String {
        super::numbering::Prefix::WarRoom.number(self.id)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Member {
    pub user_id: i64,
    pub name: String,
    pub role: MemberRole,
    pub added_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AffectedApplication {
    pub application_id: i64,
    pub name: String,
    pub restored_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Notice {
    pub id: i64,
    pub kind: NoticeKind,
    pub body: String,
    pub author: String,
    pub at: DateTime<Utc>,
}

/// A progress notice to post.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewNotice {
    pub kind: NoticeKind,
    /// 1–1000 characters.
    pub body: String,
}

impl NewNotice {
    pub fn normalized(mut self) -> Result<NewNotice, AppError> {
        check_len("body", &mut self.body, 1, NOTICE_MAX)?;
        Ok(self)
    }
}

/// Closing a room: what caused the fault and what it did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CloseRoom {
    pub cause: String,
    pub impact: String,
    pub version: i32,
}

impl CloseRoom {
    pub fn normalized(mut self) -> Result<CloseRoom, AppError> {
        check_len("cause", &mut self.cause, 1, CAUSE_MAX)?;
        check_len("impact", &mut self.impact, 1, IMPACT_MAX)?;
        Ok(self)
    }
}

/// One line of a room's live timeline: its own events and its incident's, merged by time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TimelineItem {
    /// `room`, `notice` or `incident`.
    pub origin: String,
    #[serde(flatten)]
    pub entry: HistoryEntry,
}

/// Merges the room's history and its incident's into one timeline, oldest first.
pub fn merge(room: Vec<HistoryEntry>, incident: Vec<HistoryEntry>) -> Vec<TimelineItem> {
    let tag = |origin: &str, e: HistoryEntry| TimelineItem {
        origin: if origin == "room" && e.action.starts_with("notice") {
            "notice".to_owned()
        } else {
            origin.to_owned()
        },
        entry: e,
    };
    let mut all: Vec<TimelineItem> = room
        .into_iter()
        .map(|e| tag("room", e))
        .chain(incident.into_iter().map(|e| tag("incident", e)))
        .collect();
    all.sort_by_key(|t| (t.entry.at, t.entry.id));
    all
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WarRoomDetail {
    #[serde(flatten)]
    pub room: WarRoom,
    pub incident_title: String,
    pub incident_level: Level,
    pub members: Vec<Member>,
    pub applications: Vec<AffectedApplication>,
    pub notices: Vec<Notice>,
    pub timeline: Vec<TimelineItem>,
    pub subscribed: bool,
    /// What the caller may do.
    pub powers: Powers,
}

/// A room in a list, with its incident's title.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WarRoomSummary {
    #[serde(flatten)]
    pub room: WarRoom,
    pub incident_title: String,
}

/// A rule that brings whoever is on duty for a schedule role into new rooms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WarRoomRule {
    pub id: i64,
    pub name: String,
    /// Incident levels it applies to; empty means any.
    pub levels: Vec<Level>,
    /// Applications it applies to; empty means any.
    pub application_ids: Vec<i64>,
    pub schedule_id: i64,
    pub schedule_role: String,
    pub member_role: MemberRole,
}

impl WarRoomRule {
    pub fn applies(&self, level: Level, application_id: Option<i64>) -> bool {
        (self.levels.is_empty() || self.levels.contains(&level))
            && (self.application_ids.is_empty()
                || application_id.is_some_and(|a| self.application_ids.contains(&a)))
    }
}

/// A new war-room rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewWarRoomRule {
    /// 3–50 characters, unique.
    pub name: String,
    #[serde(default)]
    pub levels: Vec<Level>,
    #[serde(default)]
    pub application_ids: Vec<i64>,
    pub schedule_id: i64,
    pub schedule_role: String,
    /// `recovery_lead`, `engineer` (default) or `observer`.
    #[serde(default = "engineer")]
    pub member_role: MemberRole,
}

fn engineer() -> MemberRole {
    MemberRole::Engineer
}

impl NewWarRoomRule {
    pub fn normalized(mut self) -> Result<NewWarRoomRule, AppError> {
        check_len("name", &mut self.name, 3, 50)?;
        self.schedule_role = self.schedule_role.trim().to_owned();
        if self.member_role == MemberRole::Admin {
            return Err(AppError::invalid(
                "member_role",
                "a rule adds recovery leads, engineers or observers; the room's admin opens it",
            ));
        }
        self.levels.sort_by_key(|l| l.rank());
        self.levels.dedup();
        self.application_ids.sort_unstable();
        self.application_ids.dedup();
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_room_follows_its_applications() {
        assert_eq!(status_for(&[]), WarRoomStatus::Started);
        assert_eq!(status_for(&[false, true]), WarRoomStatus::Delimited);
        assert_eq!(status_for(&[true, true]), WarRoomStatus::Recovered);
    }

    #[test]
    fn powers_follow_room_role_and_a_closed_room_is_read_only() {
        use MemberRole as M;
        use WarRoomStatus as S;
        for status in S::ALL {
            for role in Role::ALL {
                for member in [
                    None,
                    Some(M::Admin),
                    Some(M::RecoveryLead),
                    Some(M::Engineer),
                    Some(M::Observer),
                ] {
                    let p = powers(*status, *role, member);
                    let open = *status != S::Closed;
                    let op = *role != Role::Viewer;
                    let leads = matches!(member, Some(M::Admin | M::RecoveryLead));
                    assert_eq!(
                        p.manage,
                        open && op && (*role == Role::Admin || leads),
                        "{status} {role} {member:?}"
                    );
                    assert_eq!(
                        p.post,
                        p.manage || (open && op && member == Some(M::Engineer))
                    );
                    assert_eq!(p.subscribe, open && member.is_none());
                }
            }
        }
    }

    #[test]
    fn rules_match_levels_and_applications_with_empty_meaning_any() {
        let rule = WarRoomRule {
            id: 1,
            name: "dba".into(),
            levels: vec![Level::P1, Level::P2],
            application_ids: vec![],
            schedule_id: 1,
            schedule_role: "primary".into(),
            member_role: MemberRole::Engineer,
        };
        assert!(rule.applies(Level::P1, None));
        assert!(!rule.applies(Level::P3, Some(4)));
        let narrow = WarRoomRule {
            application_ids: vec![4],
            ..rule
        };
        assert!(narrow.applies(Level::P2, Some(4)));
        assert!(!narrow.applies(Level::P2, Some(5)));
        assert!(!narrow.applies(Level::P2, None));
    }

    #[test]
    fn notices_and_incident_steps_interleave_by_time() {
        let at = |s: i64| DateTime::from_timestamp(s, 0).unwrap();
        let entry = |id, s, action: &str| HistoryEntry {
            id,
            at: at(s),
            actor: "a".into(),
            action: action.into(),
            status_before: None,
            status_after: "x".into(),
            comment: String::new(),
            changes: serde_json::json!({}),
        };
        let merged = merge(
            vec![entry(1, 10, "open"), entry(2, 30, "notice_first")],
            vec![entry(7, 20, "change_level")],
        );
        let origins: Vec<&str> = merged.iter().map(|t| t.origin.as_str()).collect();
        assert_eq!(origins, ["room", "incident", "notice"]);
    }
}
