//! In-app notifications: telling the people an event concerns (in the event's transaction), and
//! each person reading and clearing their own.

use super::Actor;
use crate::domain::AppError;
use crate::domain::notification::{Inbox, NotificationKind};
use crate::domain::user::Role;
use crate::state::AppState;
use crate::store;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// How many notifications the inbox shows.
pub const SHOWN: i64 = 50;

/// Notifies `users` except the actor themselves (nobody needs telling what they just did): in the
/// console, and through each one's channels by way of the outbox, in the caller's transaction.
pub async fn notify(
    conn: &mut PgConnection,
    actor: &Actor,
    users: &[i64],
    kind: NotificationKind,
    title: &str,
    link: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let to: Vec<i64> = users
        .iter()
        .copied()
        .filter(|u| Some(*u) != actor.id())
        .collect();
    store::notifications::insert(conn, &to, kind, title, link, at).await?;
    store::deliveries::enqueue(conn, &to, kind, title, link, at).await?;
    Ok(())
}

fn me(actor: &Actor) -> Result<i64, AppError> {
    actor.require(Role::Viewer, "reading notifications")?;
    actor.id().ok_or(AppError::Unauthenticated)
}

pub async fn inbox(state: &AppState, actor: &Actor) -> Result<Inbox, AppError> {
    let user = me(actor)?;
    let mut conn = state.pool.acquire().await?;
    Ok(Inbox {
        unread: store::notifications::unread(&mut conn, user).await?,
        items: store::notifications::latest(&mut conn, user, SHOWN).await?,
    })
}

pub async fn unread(state: &AppState, actor: &Actor) -> Result<i64, AppError> {
    let user = me(actor)?;
    let mut conn = state.pool.acquire().await?;
    store::notifications::unread(&mut conn, user).await
}

/// The most notifications marked read by id in one request.
pub const MARK_MAX: usize = 200;

/// Marks the caller's notifications read (these ids, or all); returns how many changed. An id
/// that is not one of the caller's notifications is not found, and nothing changes.
pub async fn mark_read(
    state: &AppState,
    actor: &Actor,
    ids: Option<&[i64]>,
) -> Result<u64, AppError> {
    let user = me(actor)?;
    if ids.is_some_and(|ids| ids.len() > MARK_MAX) {
        return Err(AppError::invalid(
            "ids",
            format!("at most {MARK_MAX} at once"),
        ));
    }
    let mut conn = state.pool.acquire().await?;
    if let Some(ids) = ids {
        let mine = store::notifications::owned(&mut conn, user, ids).await?;
        if let Some(other) = ids.iter().find(|id| !mine.contains(id)) {
            return Err(AppError::not_found("Notification", other));
        }
    }
    store::notifications::mark_read(&mut conn, user, ids, state.now()).await
}
