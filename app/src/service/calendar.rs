//! The change calendar: the changes a month, week or day shows, and each person's iCalendar
//! feed behind a token of their own that they can replace or revoke.

use super::Actor;
use super::audit::{Change as Audited, record};
use super::data_sources::{key_hash, new_key};
use crate::domain::AppError;
use crate::domain::change::calendar::{ical, start_of};
use crate::domain::change::{Change, ChangeFilter};
use crate::domain::user::Role;
use crate::state::AppState;
use crate::store;
use chrono::{DateTime, Duration, NaiveDate, Utc};

const OBJECT: &str = "calendar_feed";
/// The feed holds the changes planned from this long ago …
const FEED_PAST_DAYS: i64 = 30;
/// … to this far ahead.
const FEED_AHEAD_DAYS: i64 = 180;

/// The changes whose planned window touches `first` to `last` (whole UTC days).
pub async fn changes(
    state: &AppState,
    actor: &Actor,
    filter: &ChangeFilter,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<Change>, AppError> {
    actor.require(Role::Viewer, "reading changes")?;
    let mut conn = state.pool.acquire().await?;
    store::changes::calendar(
        &mut conn,
        filter,
        start_of(first),
        start_of(last) + Duration::days(1),
    )
    .await
}

/// The caller's feed token, new: the one they had stops working. Shown once.
pub async fn renew_feed(state: &AppState, actor: &Actor) -> Result<String, AppError> {
    let user_id = feed_holder(actor)?;
    let token = new_key();
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    store::calendar_feeds::set(&mut tx, user_id, &key_hash(&token), now).await?;
    record(&mut tx, actor, now, Audited::new(OBJECT, user_id, "renew")).await?;
    tx.commit().await?;
    Ok(token)
}

/// Revokes the caller's feed token: subscriptions with it stop getting changes.
pub async fn revoke_feed(state: &AppState, actor: &Actor) -> Result<(), AppError> {
    let user_id = feed_holder(actor)?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    if store::calendar_feeds::revoke(&mut tx, user_id).await? {
        record(&mut tx, actor, now, Audited::new(OBJECT, user_id, "revoke")).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Since when the caller has had a feed token, if they have one.
pub async fn feed_since(
    state: &AppState,
    actor: &Actor,
) -> Result<Option<DateTime<Utc>>, AppError> {
    let user_id = feed_holder(actor)?;
    let mut conn = state.pool.acquire().await?;
    store::calendar_feeds::since(&mut conn, user_id).await
}

fn feed_holder(actor: &Actor) -> Result<i64, AppError> {
    actor.require(Role::Viewer, "subscribing to the change calendar")?;
    actor
        .id()
        .ok_or_else(|| AppError::forbidden("subscribing to the change calendar", "viewer"))
}

/// The iCalendar feed for the holder of `token`: every change planned from 30 days ago to
/// 180 days ahead. An unknown or revoked token, or one of a deactivated person, is a 404.
pub async fn feed(state: &AppState, token: &str) -> Result<String, AppError> {
    let mut conn = state.pool.acquire().await?;
    if store::calendar_feeds::holder(&mut conn, &key_hash(token))
        .await?
        .is_none()
    {
        return Err(AppError::not_found(
            "Calendar feed",
            "with this token (it may have been revoked)",
        ));
    }
    let now = state.now();
    let changes = store::changes::calendar(
        &mut conn,
        &ChangeFilter::default(),
        now - Duration::days(FEED_PAST_DAYS),
        now + Duration::days(FEED_AHEAD_DAYS),
    )
    .await?;
    Ok(ical(&changes, &state.settings.public_url, now))
}
