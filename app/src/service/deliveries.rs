//! Notifications beyond the console: each person's channels, the outbox the delivery worker
//! drains (the transport is the server's), and the dead letters an administrator re-sends.

use super::Actor;
use super::audit::{Change, record};
use crate::domain::AppError;
use crate::domain::delivery::webhook_receiver;
use crate::domain::delivery::{
    Attempt, CHANNELS_MAX, Channel, ChannelKind, ChannelWithSecret, Delivery, DeliveryDetail,
    DeliveryStatus, NewChannel, after_attempt,
};
use crate::domain::list::{ListParams, Page, Sort};
use crate::domain::network::may_reach;
use crate::domain::user::Role;
use crate::state::AppState;
use crate::store;
use crate::store::deliveries::Job;
use chrono::Duration;
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use rand::Rng;
use rand::distributions::Alphanumeric;
use std::collections::HashMap;
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
    if new.kind == ChannelKind::Webhook {
        check_receiver(state, &new.target).await?;
    }
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

/// Refuses a webhook whose host is, or resolves to, an address Opsroom does not send to:
/// loopback, private, link-local (cloud metadata) and other non-public ones, unless the
/// administrator's allow-list (`OPSROOM_WEBHOOK_ALLOW`) names it. Checked again at every send.
async fn check_receiver(state: &AppState, target: &str) -> Result<(), AppError> {
    let (host, port) = webhook_receiver(target)?;
    let addresses: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|_| AppError::invalid("target", format!("the host '{host}' does not resolve")))?
        .collect();
    let allow = &state.settings.webhook_allow;
    if addresses.is_empty() || addresses.iter().any(|a| !may_reach(allow, &host, a.ip())) {
        return Err(AppError::invalid(
            "target",
            "reaches a loopback, private, link-local or otherwise internal address; an \
             administrator can allow internal receivers with OPSROOM_WEBHOOK_ALLOW",
        ));
    }
    Ok(())
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

/// Sends a dead notification again (its owner or an administrator), or a delivered one (an
/// administrator), with a fresh count of attempts.
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
    // Sending again what was delivered reaches a receiver twice: an administrator's call.
    if before.status == DeliveryStatus::Delivered {
        actor.require(Role::Admin, "re-sending a delivered notification")?;
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

/// Deliveries sent at once by one server process.
pub const SENDING_MAX: usize = 16;
/// Deliveries of one person sent at once: their channels cannot take the whole pool.
pub const SENDING_PER_USER: usize = 4;

/// Delivers every due notification, several at once: at most [`SENDING_MAX`] together, at most
/// [`SENDING_PER_USER`] of one person and one per channel, so a channel that never answers
/// holds one slot until its timeout and delays nobody else. Each delivery is leased while it is
/// sent and its attempt committed on its own. Returns how many were tried.
pub async fn deliver_due<F, Fut>(state: &AppState, send: F) -> Result<usize, AppError>
where
    F: Fn(Job) -> Fut,
    Fut: Future<Output = Attempt>,
{
    let mut sending = FuturesUnordered::new();
    let mut channels: Vec<i64> = Vec::new();
    let mut users: HashMap<i64, usize> = HashMap::new();
    let mut tried = 0;
    loop {
        while sending.len() < SENDING_MAX {
            let full: Vec<i64> = users
                .iter()
                .filter(|(_, n)| **n >= SENDING_PER_USER)
                .map(|(u, _)| *u)
                .collect();
            let now = state.now();
            let mut conn = state.pool.acquire().await?;
            let lease_until = now + lease_max();
            let Some(job) =
                store::deliveries::claim(&mut conn, now, lease_until, &channels, &full).await?
            else {
                break;
            };
            drop(conn);
            let (id, channel, user, attempts) = (
                job.delivery.id,
                job.delivery.channel_id,
                job.delivery.user_id,
                job.delivery.attempts,
            );
            channels.push(channel);
            *users.entry(user).or_default() += 1;
            let attempt = send(job);
            sending.push(async move { (id, channel, user, attempts, attempt.await) });
        }
        if sending.is_empty() {
            return Ok(tried);
        }
        // Look for new work now and then even while slow sends go on.
        let finished = tokio::time::timeout(RECHECK, sending.next()).await;
        let Ok(Some((id, channel, user, attempts, attempt))) = finished else {
            continue;
        };
        channels.retain(|c| *c != channel);
        if let Some(n) = users.get_mut(&user) {
            *n -= 1;
        }
        settle(state, id, attempts, &attempt).await?;
        tried += 1;
    }
}

/// How often a busy delivery round looks for new due work.
const RECHECK: std::time::Duration = std::time::Duration::from_secs(1);

/// How long after a send starts its delivery may be taken again (by another process, if this
/// one died while sending): the longest channel timeout and a margin.
fn lease_max() -> Duration {
    Duration::milliseconds(i64::from(crate::domain::delivery::TIMEOUT_MAX_MS))
        + Duration::seconds(60)
}

/// Records an attempt and what its delivery became; a delivery given up on is recorded in the
/// audit log too.
async fn settle(
    state: &AppState,
    id: i64,
    attempts: i32,
    attempt: &Attempt,
) -> Result<(), AppError> {
    let now = state.now();
    let (status, attempts, next) = after_attempt(attempts, attempt.ok, now);
    let mut tx = state.pool.begin().await?;
    store::deliveries::record(&mut tx, id, attempt, status, attempts, next).await?;
    if status == DeliveryStatus::Dead {
        record(
            &mut tx,
            &Actor::system(),
            now,
            Change::new("delivery", id, "dead").after(&serde_json::json!({
                "attempts": attempts,
                "last_error": attempt.error,
            })),
        )
        .await?;
    }
    store::audit::announce(&mut tx, "delivery", &id.to_string(), status.as_str()).await?;
    tx.commit().await?;
    Ok(())
}
