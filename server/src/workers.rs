//! Background work on a timer: resuming paused incidents when their pause ends, recording
//! incidents' service-level breaches and problems run past their time to close, and purging
//! cleared alarms past their retention. Every step is safe to run in several server processes
//! at once (rows are taken with SKIP LOCKED).

use app::state::AppState;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often the workers look for due work.
pub const TICK: Duration = Duration::from_secs(15);

/// Runs the workers until `shutdown` is cancelled.
pub fn spawn(state: AppState, shutdown: CancellationToken) {
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
            match app::service::alarms::purge(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(purged = n, "cleared alarms past retention purged"),
                Err(e) => tracing::warn!(error = %e, "purging old alarms failed"),
            }
        }
    });
}
