//! First start: the first administrator on an empty database.

use super::Actor;
use crate::domain::AppError;
use crate::domain::user::{NewUser, Role};
use crate::state::AppState;
use crate::store;
use rand::Rng;
use rand::distributions::Alphanumeric;

/// What happened to the first administrator.
#[derive(Debug, PartialEq, Eq)]
pub enum FirstAdmin {
    /// Users exist already; nothing was done.
    Exists,
    /// Created with the password from the environment.
    Created,
    /// Created with this generated password, to be shown once.
    Generated(String),
}

/// Creates user `admin` when there are no users at all.
pub async fn ensure_first_admin(
    state: &AppState,
    password: Option<String>,
) -> Result<FirstAdmin, AppError> {
    let mut conn = state.pool.acquire().await?;
    if store::users::count(&mut conn).await? > 0 {
        return Ok(FirstAdmin::Exists);
    }
    drop(conn);
    let (password, outcome) = match password.filter(|p| !p.is_empty()) {
        Some(p) => (p, FirstAdmin::Created),
        None => {
            let p: String = rand::thread_rng()
                .sample_iter(&Alphanumeric)
                .take(20)
                .map(char::from)
                .collect();
            (p.clone(), FirstAdmin::Generated(p))
        }
    };
    let admin = NewUser {
        username: "admin".into(),
        display_name: "Administrator".into(),
        email: String::new(),
        phone: String::new(),
        role: Role::Admin,
        password,
    };
    match super::users::create(state, &Actor::system(), admin).await {
        Ok(_) => Ok(outcome),
        // Another server process won the race to create it.
        Err(AppError::Conflict { .. }) => Ok(FirstAdmin::Exists),
        Err(e) => Err(e),
    }
}
