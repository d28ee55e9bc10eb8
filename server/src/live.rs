//! Live updates: Postgres LISTEN/NOTIFY fanned out to browsers as server-sent events.
//! Every server process listens, so a change made through any of them reaches all pages.

use crate::rest::error::ApiResult;
use crate::rest::extract::Caller;
use app::domain::AppError;
use app::domain::user::Role;
use app::service::Actor;
use app::state::AppState;
use app::store::audit::LIVE_CHANNEL;
use axum::Extension;
use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

/// One change notice, as written by `store::audit::append`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChangeNotice {
    /// The object type that changed (`user`, `session`, ...).
    pub topic: String,
    pub id: String,
    pub action: String,
    pub audit_id: i64,
}

/// The fan-out point between the one database listener and the many open pages.
#[derive(Clone)]
pub struct Hub {
    sender: broadcast::Sender<ChangeNotice>,
    shutdown: CancellationToken,
    /// Open streams per user.
    open: Arc<Mutex<HashMap<i64, usize>>>,
}

impl Hub {
    pub fn new(shutdown: CancellationToken) -> Hub {
        Hub {
            sender: broadcast::channel(1024).0,
            shutdown,
            open: Arc::default(),
        }
    }

    /// Listens on the database until shutdown, reconnecting after failures.
    pub fn spawn_listener(&self, pool: PgPool) {
        let hub = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = hub.listen(&pool).await {
                    tracing::warn!(error = %e, "live listener lost the database; retrying");
                }
                tokio::select! {
                    () = hub.shutdown.cancelled() => return,
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        });
    }

    async fn listen(&self, pool: &PgPool) -> Result<(), sqlx::Error> {
        let mut listener = PgListener::connect_with(pool).await?;
        listener.listen(LIVE_CHANNEL).await?;
        loop {
            let notification = tokio::select! {
                () = self.shutdown.cancelled() => return Ok(()),
                n = listener.recv() => n?,
            };
            match serde_json::from_str::<ChangeNotice>(notification.payload()) {
                Ok(notice) => {
                    // No subscribers is fine: nobody is looking.
                    let _ = self.sender.send(notice);
                }
                Err(e) => tracing::warn!(error = %e, "unreadable live notice"),
            }
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<ChangeNotice> {
        self.sender.subscribe()
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct LiveQuery {
    /// Comma-separated object types to follow; `audit` follows every change the caller may
    /// see.
    topics: Option<String>,
}

/// How many streams one person may hold open at once (a few tabs and devices).
pub const STREAMS_PER_USER: usize = 8;

/// How often a stream checks that its session still stands (revocations and deactivations are
/// noticed at once through their own notices; this catches expiry).
const RECHECK: Duration = Duration::from_secs(5);

/// What a server-sent event carries: its `event` name and its JSON `data`.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
pub enum LiveEvent {
    /// The stream follows changes from now on. `lagged` says notices were dropped because the
    /// reader was too slow: reload.
    Ready(Ready),
    /// Something of a followed topic changed.
    Change(ChangeNotice),
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Ready {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lagged: Option<bool>,
}

impl LiveEvent {
    fn to_sse(&self) -> Event {
        let (name, data) = match self {
            LiveEvent::Ready(r) => ("ready", serde_json::to_string(r)),
            LiveEvent::Change(n) => ("change", serde_json::to_string(n)),
        };
        Event::default().event(name).data(data.unwrap_or_default())
    }
}

/// Topics only administrators follow: who logs in, and the accounts themselves.
const ADMIN_TOPICS: &[&str] = &["session", "api_token", "user"];

/// Whether `notice` goes to a stream of `actor` following `topics`.
fn wanted(actor: &Actor, topics: &[String], notice: &ChangeNotice) -> bool {
    let followed = topics.iter().any(|t| t == "audit" || *t == notice.topic);
    followed && (actor.holds(Role::Admin) || !ADMIN_TOPICS.contains(&notice.topic.as_str()))
}

/// Notices after which a stream checks its session at once: revocations and account changes.
fn touches_sessions(notice: &ChangeNotice) -> bool {
    matches!(notice.topic.as_str(), "session" | "api_token" | "user")
}

/// One open stream of one person, counted while it lives.
struct Slot {
    hub: Hub,
    user: i64,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.hub.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.user);
            }
        }
    }
}

impl Hub {
    /// A slot for one more stream of `user`; 429 beyond [`STREAMS_PER_USER`].
    fn take_slot(&self, user: i64) -> Result<Slot, AppError> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let n = open.entry(user).or_insert(0);
        if *n >= STREAMS_PER_USER {
            return Err(AppError::Busy {
                retry_after_secs: 5,
            });
        }
        *n += 1;
        Ok(Slot {
            hub: self.clone(),
            user,
        })
    }
}

/// Follow changes as server-sent events.
///
/// Each event's name and JSON data are described together as `LiveEvent`: the stream starts
/// with `ready`, then sends one `change` per change of a followed topic that the caller may see
/// (sessions, tokens and accounts only to administrators). A `ready` on a reconnected stream
/// means notices may have been missed: reload. The stream ends when the session is revoked or
/// expires or the account is deactivated; a person holds at most 8 streams at once.
#[utoipa::path(get, path = "/v1/live", tag = "live", params(LiveQuery), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "text/event-stream of `ready` and `change` events", body = LiveEvent,
            content_type = "text/event-stream"),
        (status = 429, description = "The caller already holds as many streams as allowed", body = app::domain::error::ErrorBody),
    ))]
pub async fn stream(
    State(state): State<AppState>,
    Extension(hub): Extension<Hub>,
    Caller(actor): Caller,
    Query(q): Query<LiveQuery>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let slot = hub.take_slot(actor.id().ok_or(AppError::Unauthenticated)?)?;
    let topics: Vec<String> = q
        .topics
        .unwrap_or_else(|| "audit".to_owned())
        .split(',')
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .take(32)
        .collect();
    let mut receiver = hub.subscribe();
    let shutdown = hub.shutdown.clone();
    let events = async_stream::stream! {
        let _slot = slot;
        let mut actor = actor;
        let mut recheck = tokio::time::interval(RECHECK);
        recheck.tick().await;
        yield Ok(LiveEvent::Ready(Ready::default()).to_sse());
        loop {
            let next = tokio::select! {
                () = shutdown.cancelled() => break,
                _ = recheck.tick() => None,
                next = receiver.recv() => Some(next),
            };
            let check = match &next {
                None | Some(Err(_)) => true,
                Some(Ok(notice)) => touches_sessions(notice),
            };
            if check {
                match app::service::auth::recheck(&state, &actor).await {
                    Ok(Some(now)) => actor = now,
                    Ok(None) => break,
                    // The database is away: keep the stream; the next check decides.
                    Err(_) => {}
                }
            }
            match next {
                Some(Ok(notice)) if wanted(&actor, &topics, &notice) => {
                    yield Ok(LiveEvent::Change(notice).to_sse());
                }
                // Too slow to keep up: tell the page to reload rather than drop changes silently.
                Some(Err(broadcast::error::RecvError::Lagged(_))) => {
                    yield Ok(LiveEvent::Ready(Ready { lagged: Some(true) }).to_sse());
                }
                Some(Err(broadcast::error::RecvError::Closed)) => break,
                _ => {}
            }
        }
    };
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::audit::Method;
    use app::domain::user::UserRef;

    fn actor(role: Role) -> Actor {
        Actor {
            user: Some(UserRef {
                id: 1,
                username: "u".into(),
                display_name: "U".into(),
                role,
            }),
            method: Method::Ui,
            token_id: Some(1),
        }
    }

    fn notice(topic: &str) -> ChangeNotice {
        ChangeNotice {
            topic: topic.into(),
            id: "1".into(),
            action: "create".into(),
            audit_id: 1,
        }
    }

    #[test]
    fn audit_follows_everything_the_caller_may_see_and_topics_filter() {
        let viewer = actor(Role::Viewer);
        let admin = actor(Role::Admin);
        let all = ["audit".to_owned()];
        assert!(wanted(&viewer, &all, &notice("incident")));
        assert!(!wanted(&viewer, &all, &notice("session")));
        assert!(!wanted(&viewer, &["user".into()], &notice("user")));
        assert!(wanted(&admin, &all, &notice("session")));
        assert!(wanted(
            &viewer,
            &["incident".into(), "alarm".into()],
            &notice("alarm")
        ));
        assert!(!wanted(&viewer, &["incident".into()], &notice("alarm")));
    }

    #[test]
    fn events_are_named_and_carry_json() {
        let ready = format!("{:?}", LiveEvent::Ready(Ready::default()).to_sse());
        assert!(ready.contains("ready"), "{ready}");
    }

    #[test]
    fn a_person_holds_a_bounded_number_of_streams() {
        let hub = Hub::new(CancellationToken::new());
        let slots: Vec<Slot> = (0..STREAMS_PER_USER)
            .map(|_| hub.take_slot(7).unwrap())
            .collect();
        assert!(hub.take_slot(7).is_err());
        assert!(hub.take_slot(8).is_ok());
        drop(slots);
        assert!(hub.take_slot(7).is_ok());
    }
}
