//! Demo data: a small team in every role, loaded idempotently by `make run`.

use app::domain::AppError;
use app::domain::user::{NewUser, Role};
use app::service::{Actor, users};
use app::state::AppState;

/// Everyone in the demo data logs in with this password unless `OPSROOM_DEMO_PASSWORD` is set.
pub const DEFAULT_DEMO_PASSWORD: &str = "opsroom-demo";

const TEAM: &[(&str, &str, &str, Role)] = &[
    ("mchen", "Mei Chen", "+1 415 555 0101", Role::Admin),
    ("rkapoor", "Ravi Kapoor", "+44 20 7946 0102", Role::Admin),
    ("asmith", "Alex Smith", "+1 206 555 0103", Role::Operator),
    (
        "jmuller",
        "Jonas Müller",
        "+49 30 5550 0104",
        Role::Operator,
    ),
    ("sokafor", "Sade Okafor", "+234 1 555 0105", Role::Operator),
    ("lgarcia", "Lucía García", "+34 91 555 0106", Role::Operator),
    ("tnguyen", "Thu Nguyen", "+84 28 5550 0107", Role::Viewer),
    (
        "pkowalski",
        "Piotr Kowalski",
        "+48 22 555 0108",
        Role::Viewer,
    ),
];

/// Creates the demo users that do not exist yet; returns how many were created.
pub async fn load(state: &AppState, password: &str) -> Result<usize, AppError> {
    let mut created = 0;
    for (username, name, phone, role) in TEAM {
        let user = NewUser {
            username: (*username).to_owned(),
            display_name: (*name).to_owned(),
            email: format!("{username}@example.com"),
            phone: (*phone).to_owned(),
            role: *role,
            password: password.to_owned(),
        };
        match users::create(state, &Actor::system(), user).await {
            Ok(_) => created += 1,
            Err(AppError::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(created)
}
