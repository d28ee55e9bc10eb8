//! Use cases: authorize, load, apply the domain rule, write in one transaction, audit.
//! The only place where business rules meet the database; the UI and the REST API both call it.

pub mod alarms;
pub mod applications;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod calendar;
pub mod capacity;
pub mod change_templates;
pub mod changes;
pub mod data_sources;
pub mod deliveries;
pub mod escalation;
pub mod forwarding_rules;
pub mod freezes;
pub mod groups;
pub mod imports;
pub mod improvements;
pub mod incidents;
pub mod notifications;
pub mod overview;
mod password;
pub mod pipeline;
pub mod problems;
pub mod resources;
pub mod review_flows;
pub mod schedules;
pub mod sla;
pub mod users;
pub mod war_rooms;
pub mod workflow;

use crate::domain::AppError;
use crate::domain::audit::Method;
use crate::domain::user::{Role, UserRef};

/// Who is asking, and through which door.
#[derive(Clone, Debug, PartialEq)]
pub struct Actor {
    /// `None` for the system itself (start-up, workers).
    pub user: Option<UserRef>,
    pub method: Method,
    /// The session or API token the request came with.
    pub token_id: Option<i64>,
}

impl Actor {
    pub fn system() -> Actor {
        Actor {
            user: None,
            method: Method::System,
            token_id: None,
        }
    }

    pub fn id(&self) -> Option<i64> {
        self.user.as_ref().map(|u| u.id)
    }

    pub fn name(&self) -> &str {
        match (&self.user, self.method) {
            (Some(user), _) => &user.username,
            (None, Method::System) => "system",
            (None, _) => "anonymous",
        }
    }

    /// Whether the actor holds `role`: the system holds every role, an anonymous caller none.
    pub fn holds(&self, role: Role) -> bool {
        match &self.user {
            Some(user) => user.role.allows(role),
            None => self.method == Method::System,
        }
    }

    /// The role the actor acts with: their account's, or an administrator's for the system.
    pub fn role(&self) -> Role {
        match &self.user {
            Some(user) => user.role,
            None if self.method == Method::System => Role::Admin,
            None => Role::Viewer,
        }
    }

    /// Refuses with 403 unless the actor holds `role`.
    pub fn require(&self, role: Role, action: &str) -> Result<(), AppError> {
        if self.holds(role) {
            Ok(())
        } else {
            Err(AppError::forbidden(action, role.as_str()))
        }
    }
}
