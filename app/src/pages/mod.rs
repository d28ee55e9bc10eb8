//! One module per console area.

pub mod alarms;
pub mod api_docs;
pub mod application_components;
pub mod applications;
pub mod attachments;
pub mod audit;
pub mod capacity;
pub mod data_sources;
pub mod deliveries;
pub mod forwarding_rules;
pub mod groups;
pub mod imports;
pub mod improvements;
pub mod incidents;
pub mod login;
pub mod not_found;
pub mod notifications;
pub mod overview;
pub mod problems;
pub mod profile;
pub mod resources;
pub mod schedules;
pub mod sla;
pub mod topology;
pub mod users;
pub mod war_rooms;
