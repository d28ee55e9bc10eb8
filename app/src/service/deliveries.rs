//! Notifications beyond the console: each person's channels, the outbox the delivery worker
//! drains (the transport is the server's), and the dead letters an administrator re-sends.

use super::Actor;
use super::audit::{Change, record};
use crate::domain::AppError;
use crate::domain::delivery::{
    Attempt, CHANNELS_MAX, Channel, ChannelKind, ChannelWithSecret, Delivery, DeliveryDetail,
    DeliveryStatus, NewChannel, after_attempt,
};
use crate::domain::list::{ListParams, Page, Sort};
use crate::domain::user::Role;
use crate::state::AppState;
use crate::store;
use crate::store::deliveries::Job;
use rand::Rng;
use rand::distributions::Alphanumeric;
use std::future::Future;

const OBJECT: &str = "notification_channel";

fn me(actor: &Actor) -> Result<i64, AppError> {
    actor.require(Role::Viewer, "keeping notification channels")?;
    actor.id().ok_or(AppError::Unauthenticated)
}

pub async fn channels(state: &AppState, actor: &Actor) -> Result<Vec<Channel>, AppError> {
    let user = me(actor)?;
    let mut conn = state.pool.acquire().await?;
    store::deliveries::channels_of(&mut conn, user).await
}

/// Adds a channel for the caller; a webhook gets a new signing secret, shown this once.
pub async fn add_channel(
    state: &AppState,
    actor: &Actor,
    new: NewChannel,
) -> Result<ChannelWithSecret, AppError> {
    let user = me(actor)?;
    let new = new.normalized()?;
    let now = state.now();
    let secret = (new.kind == ChannelKind::Webhook).then(|| {
        rand::rngs::OsRng
            .sample_iter(&Alphanumeric)
            .take(32)
            .map(char::from)
            .collect::<String>()
    });
    let mut tx = state.pool.begin().await?;
    let existing = store::deliveries::channels_of(&mut tx, user).await?;
    if i64::try_from(existing.len()).unwrap_or(i64::MAX) >= CHANNELS_MAX {
        return Err(AppError::invalid(
            "kind",
            format!("at most {CHANNELS_MAX} channels per person"),
        ));
    }
    let id = store::deliveries::insert_channel(
        &mut tx,
        user,
        &new,
        secret.as_deref().unwrap_or(""),
        now,
    )
    .await?;
    let channel = store::deliveries::find_channel(&mut tx, id)
        .await?
        .ok_or_else(|| store::internal("a new channel vanished"))?;
    record(
        &mut tx,
        actor,
        now,
        Change::new(OBJECT, id, "create").after(&channel),
    )
    .await?;
    tx.commit().await?;
    Ok(ChannelWithSecret { channel, secret })
}

pub async fn delete_channel(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    let user = me(actor)?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let channel = store::deliveries::find_channel(&mut tx, id)
        .await?
        .filter(|c| c.user_id == user || actor.holds(Role::Admin))
        .ok_or_else(|| AppError::not_found("Channel", id))?;
    store::deliveries::delete_channel(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new(OBJECT, id, "delete").before(&channel),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deliveries in a state, newest first: everyone's for an administrator, else the caller's.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    status: Option<DeliveryStatus>,
    params: &ListParams,
) -> Result<Page<Delivery>, AppError> {
    let user = me(actor)?;
    let window = params.window(
        &["id"],
        Sort {
            field: "id",
            descending: true,
        },
    )?;
    let whose = (!actor.holds(Role::Admin)).then_some(user);
    let mut conn = state.pool.acquire().await?;
    store::deliveries::list(&mut conn, status, whose, window).await
}

async fn visible(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    id: i64,
) -> Result<Delivery, AppError> {
    let user = me(actor)?;
    store::deliveries::find(conn, id)
        .await?
        .filter(|d| d.user_id == user || actor.holds(Role::Admin))
        .ok_or_else(|| AppError::not_found("Delivery", id))
}

pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<DeliveryDetail, AppError> {
    let mut conn = state.pool.acquire().await?;
    let delivery = visible(&mut conn, actor, id).await?;
    Ok(DeliveryDetail {
        attempts_made: store::deliveries::attempts(&mut conn, id).await?,
        delivery,
    })
}

/// Sends a dead (or delivered) notification again, with a fresh count of attempts.
pub async fn resend(state: &AppState, actor: &Actor, id: i64) -> Result<Delivery, AppError> {
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = visible(&mut tx, actor, id).await?;
    if before.status == DeliveryStatus::Pending {
        return Err(AppError::conflict(format!(
            "delivery {id} is still being tried (attempt {} of {})",
            before.attempts + 1,
            crate::domain::delivery::MAX_ATTEMPTS
        )));
    }
    store::deliveries::resend(&mut tx, id, now).await?;
    let after = visible(&mut tx, actor, id).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("delivery", id, "resend")
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Delivers every due notification, one per transaction: the row stays locked while `send`
/// tries it, so another process skips it, and the attempt commits with its outcome. Returns how
/// many were tried.
pub async fn deliver_due<F, Fut>(state: &AppState, send: F) -> Result<usize, AppError>
where
    F: Fn(Job) -> Fut,
    Fut: Future<Output = Attempt>,
{
    let mut tried = 0;
    loop {
        let mut tx = state.pool.begin().await?;
        let Some(job) = store::deliveries::claim(&mut tx, state.now()).await? else {
            return Ok(tried);
        };
        let (id, attempts) = (job.delivery.id, job.delivery.attempts);
        let attempt = send(job).await;
        let (status, attempts, next) = after_attempt(attempts, attempt.ok, state.now());
        store::deliveries::record(&mut tx, id, &attempt, status, attempts, next).await?;
        store::audit::announce(&mut tx, "delivery", &id.to_string(), status.as_str()).await?;
        tx.commit().await?;
        tried += 1;
    }
}
