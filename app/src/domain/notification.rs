//! In-app notifications: what concerns one person, and whether they have seen it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

crate::string_enum! {
    pub enum NotificationKind {
        Assigned = "assigned",
        Forwarded = "forwarded",
        Rejected = "rejected",
        ToVerify = "to_verify",
        SlaBreach = "sla_breach",
        AddedToWarRoom = "added_to_war_room",
        WarRoomNotice = "war_room_notice",
        Approval = "approval",
        Escalated = "escalated",
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Notification {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: NotificationKind,
    pub title: String,
    /// The console page it is about.
    pub link: String,
    pub read: bool,
}

/// The caller's latest notifications and how many are unread.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Inbox {
    pub unread: i64,
    pub items: Vec<Notification>,
}
