//! Pure rules shared by server and browser: types, validation, state machines. No I/O.

pub mod application;
pub mod audit;
pub mod auth;
pub mod capacity;
pub mod enums;
pub mod error;
pub mod group;
pub mod import;
pub mod incident;
pub mod list;
pub mod notification;
pub mod overview;
pub mod resource;
pub mod schedule;
pub mod sla;
pub mod time;
pub mod topology;
pub mod user;

pub use error::AppError;
