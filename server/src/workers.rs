//! Background work on a timer: resuming paused incidents when their pause ends, recording
//! incidents' service-level breaches and problems run past their time to close, escalating
//! incidents nobody accepts, recording what pushes did in the audit log, signing the audit
//! chain's head (with `OPSROOM_AUDIT_KEY`),
//! forgetting login failures past the throttle's window, and purging cleared alarms past their
//! retention; each round
//! reports its heartbeat and the overdue escalations to `/metrics`. Every step is safe to run in several server processes
//! at once (rows are taken with SKIP LOCKED).

use app::state::AppState;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often the workers look for due work.
pub const TICK: Duration = Duration::from_secs(15);

/// How often alarm changes from pushes are announced to open pages.
pub const ANNOUNCE: Duration = Duration::from_millis(250);

/// Runs the workers until `shutdown` is cancelled.
pub fn spawn(state: AppState, shutdown: CancellationToken) {
    let announcer = (state.clone(), shutdown.clone());
    tokio::spawn(async move {
        let (state, shutdown) = announcer;
        let mut tick = tokio::time::interval(ANNOUNCE);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tick.tick() => {}
            }
            if let Err(e) = app::service::alarms::announce_changes(&state).await {
                tracing::warn!(error = %e, "announcing alarm changes failed");
            }
        }
    });
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(TICK);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tick.tick() => {}
            }
            match app::service::incidents::resume_due(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(resumed = n, "paused incidents resumed"),
                Err(e) => tracing::warn!(error = %e, "resuming paused incidents failed"),
            }
            match app::service::sla::mark_breaches(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(breaches = n, "service level breaches recorded"),
                Err(e) => tracing::warn!(error = %e, "checking service levels failed"),
            }
            match app::service::problems::mark_breaches(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(breaches = n, "problem breaches recorded"),
                Err(e) => tracing::warn!(error = %e, "checking problem deadlines failed"),
            }
            match app::service::escalation::escalate_due(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(steps = n, "unaccepted incidents escalated"),
                Err(e) => tracing::warn!(error = %e, "escalating incidents failed"),
            }
            match app::service::escalation::overdue(&state).await {
                Ok(n) => metrics::gauge!("opsroom_escalations_overdue").set(n as f64),
                Err(e) => tracing::warn!(error = %e, "counting overdue escalations failed"),
            }
            metrics::gauge!("opsroom_worker_heartbeat_timestamp_seconds")
                .set(state.now().timestamp() as f64);
            if let Err(e) = app::service::alarms::record_ingest(&state).await {
                tracing::warn!(error = %e, "recording pushes in the audit log failed");
            }
            if let Err(e) = app::service::audit::checkpoint(&state).await {
                tracing::warn!(error = %e, "signing the audit chain failed");
            }
            match app::service::auth::purge_failures(&state).await {
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "forgetting old login failures failed"),
            }
            match app::service::alarms::purge(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(purged = n, "cleared alarms past retention purged"),
                Err(e) => tracing::warn!(error = %e, "purging old alarms failed"),
            }
        }
    });
}
