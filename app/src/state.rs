//! What every server function, SSR route and REST handler shares: pool, clock and settings.

use crate::domain::alarm::{EventResult, IngestCounts};
use crate::domain::auth::ThrottlePolicy;
use crate::domain::network::AddressList;
use axum::extract::FromRef;
use chrono::{DateTime, Duration, Utc};
use leptos::config::LeptosOptions;
use sqlx::PgPool;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The source of "now". Tests move a `ManualClock`; the server runs on `SystemClock`.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to.
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> ManualClock {
        ManualClock(Mutex::new(start))
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Behaviour the operator may tune through the environment (see README "Configuration").
#[derive(Clone, Debug)]
pub struct Settings {
    /// Lifetime of browser sessions and API tokens.
    pub token_ttl: Duration,
    pub throttle: ThrottlePolicy,
    /// Adds `Secure` to the session cookie (set it when serving over HTTPS).
    pub secure_cookies: bool,
    /// The largest request body accepted.
    pub body_limit_bytes: usize,
    /// The largest file a bulk import accepts.
    pub import_limit_bytes: usize,
    /// Cleared alarms older than this many days are purged.
    pub alarm_retention_days: i64,
    /// How long before an incident started a change on its application or resources makes it
    /// a suspect (`OPSROOM_SUSPECT_WINDOW_HOURS`).
    pub suspect_window: Duration,
    /// The console's address as people reach it (`https://ops.example.com`), for links and for
    /// telling the console's own requests from other sites'; empty when not configured.
    pub public_url: String,
    /// Proxies whose `X-Forwarded-For` names the client (`OPSROOM_TRUSTED_PROXIES`).
    pub trusted_proxies: AddressList,
    /// Internal addresses and hosts webhooks may go to (`OPSROOM_WEBHOOK_ALLOW`); public ones
    /// always may.
    pub webhook_allow: AddressList,
    /// Signs checkpoints of the audit chain (`OPSROOM_AUDIT_KEY`), so that someone with the
    /// database alone cannot rewrite history unnoticed.
    pub audit_key: Option<AuditKey>,
}

/// A secret key that never shows in logs or debug output.
#[derive(Clone)]
pub struct AuditKey(pub Vec<u8>);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(..)")
    }
}

/// The address a request came from: the peer, or the client a trusted proxy names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub std::net::IpAddr);

impl Settings {
    /// Whether the console is served over HTTPS: secure cookies, HSTS, `__Host-` names.
    pub fn secure(&self) -> bool {
        self.secure_cookies || self.public_url.starts_with("https://")
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            token_ttl: Duration::hours(24),
            throttle: ThrottlePolicy::default(),
            secure_cookies: false,
            body_limit_bytes: 1024 * 1024,
            import_limit_bytes: 32 * 1024 * 1024,
            alarm_retention_days: 31,
            suspect_window: Duration::hours(24),
            public_url: String::new(),
            trusted_proxies: AddressList::default(),
            webhook_allow: AddressList::default(),
            audit_key: None,
        }
    }
}

/// What every request, server function and worker shares: one allocation behind a cheap
/// handle, since the middleware and extractors of each request clone it several times (as
/// separate fields, those clones and drops were a fifth of a push's CPU).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub pool: PgPool,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
    pub leptos_options: LeptosOptions,
    /// The OpenAPI document of the REST API, rendered by the API docs page.
    pub openapi: serde_json::Value,
    /// The sources and compiled forwarding rules pushes need, kept briefly in memory.
    pub pipeline: crate::service::pipeline::PipelineCache,
    /// Set when pushes changed alarms; a timer turns it into one live notice (see
    /// `service::alarms::announce_changes`), so a storm of pushes does not serialize its commits
    /// on Postgres' notification queue.
    pub alarms_changed: std::sync::atomic::AtomicBool,
    /// What pushes did since the workers last recorded it in the audit log.
    pub ingest_tally: IngestTally,
}

/// Counts of pushes' outcomes per data source, kept in memory between audit records.
#[derive(Default)]
pub struct IngestTally(Mutex<BTreeMap<i64, IngestCounts>>);

impl IngestTally {
    pub fn add(&self, source: i64, results: &[EventResult]) {
        let mut tally = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let counts = tally.entry(source).or_default();
        for result in results {
            counts.add(result);
        }
    }

    /// Everything counted so far, leaving the tally empty.
    pub fn take(&self) -> BTreeMap<i64, IngestCounts> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl AppState {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
