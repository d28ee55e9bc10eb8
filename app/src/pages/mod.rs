//! One module per console area.

pub mod api_docs;
pub mod audit;
pub mod imports;
pub mod login;
pub mod not_found;
pub mod overview;
pub mod profile;
pub mod resources;
pub mod users;
