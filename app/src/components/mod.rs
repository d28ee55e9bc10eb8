//! Shared widgets: layout, badges, tables, forms, feedback, times and live updates.

pub mod badge;
pub mod copy;
pub mod feedback;
pub mod form;
pub mod history;
pub mod layout;
pub mod live;
pub mod password;
pub mod submit;
pub mod table;
pub mod tabs;
pub mod time;
pub mod timeline;
pub mod workflow;
