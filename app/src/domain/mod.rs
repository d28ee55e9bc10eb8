//! Pure rules shared by server and browser: types, validation, state machines. No I/O.

pub mod alarm;
pub mod application;
pub mod attachment;
pub mod audit;
pub mod auth;
pub mod capacity;
pub mod change;
pub mod data_source;
pub mod delivery;
pub mod enums;
pub mod error;
pub mod forwarding_rule;
pub mod freeze;
pub mod group;
pub mod import;
pub mod improvement;
pub mod incident;
pub mod list;
pub mod live;
pub mod network;
pub mod notification;
pub mod numbering;
pub mod overview;
pub mod payload;
pub mod problem;
pub mod resource;
pub mod review;
pub mod schedule;
pub mod sla;
pub mod time;
pub mod topology;
pub mod user;
pub mod war_room;
pub mod workflow;

pub use error::AppError;
