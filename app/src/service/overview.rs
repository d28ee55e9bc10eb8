//! The overview dashboard's figures.

use super::Actor;
use crate::domain::AppError;
use crate::domain::audit::AuditFilter;
use crate::domain::list::{Sort, Window};
use crate::domain::overview::{Overview, hourly_buckets};
use crate::domain::user::Role;
use crate::state::AppState;
use crate::store;
use chrono::Duration;

pub async fn overview(state: &AppState, actor: &Actor) -> Result<Overview, AppError> {
    actor.require(Role::Viewer, "reading the overview")?;
    let now = state.now();
    let day_ago = now - Duration::hours(24);
    let mut conn = state.pool.acquire().await?;
    let users_by_role = store::users::count_by_role(&mut conn).await?;
    let inactive_users = store::users::count_inactive(&mut conn).await?;
    let (live_sessions, live_api_tokens) = store::tokens::count_live(&mut conn, now).await?;
    let mut logins_24h = 0;
    for object_type in ["session", "api_token"] {
        logins_24h +=
            store::audit::count_since(&mut conn, day_ago, Some(object_type), Some("create"))
                .await?;
    }
    // From the audit log, which keeps every failure; the throttle's own rows are forgotten
    // once they stop counting.
    let failed_logins_24h =
        store::audit::count_since(&mut conn, day_ago, Some("session"), Some("login_failed"))
            .await?;
    let mutations_24h = store::audit::count_since(&mut conn, day_ago, None, None).await?;
    let hourly = store::audit::hourly_counts(&mut conn, day_ago - Duration::hours(1)).await?;
    let recent = if actor.holds(Role::Admin) {
        let window = Window {
            page: 1,
            per_page: 8,
            sort: Sort {
                field: "id",
                descending: true,
            },
            cursor: None,
        };
        store::audit::list(&mut conn, &AuditFilter::default(), window)
            .await?
            .items
    } else {
        Vec::new()
    };
    Ok(Overview {
        now,
        users_by_role,
        inactive_users,
        live_sessions,
        live_api_tokens,
        logins_24h,
        failed_logins_24h,
        mutations_24h,
        activity: hourly_buckets(now, &hourly),
        recent,
    })
}
