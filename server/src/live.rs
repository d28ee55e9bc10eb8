//! Live updates: Postgres LISTEN/NOTIFY fanned out to browsers as server-sent events.
//! Every server process listens, so a change made through any of them reaches all pages. Each
//! process numbers what it hears ([`Journal`]), so a page rendered at one point, or a stream
//! that dropped, resumes from where it stood instead of missing what came in between.

use crate::rest::error::ApiResult;
use crate::rest::extract::Caller;
use app::domain::AppError;
use app::domain::live::{ChangeNotice, Cursor, Journal, LiveEvent, Ready, Resume};
use app::domain::user::Role;
use app::service::Actor;
use app::state::AppState;
use app::store::audit::LIVE_CHANNEL;
use app::store::deliveries::OUTBOX_CHANNEL;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use serde::Deserialize;
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{Notify, broadcast, watch};
use tokio_util::sync::CancellationToken;

/// How many notices a process keeps for streams to resume from: a few seconds of an alarm
/// storm. A page that stood further back re-reads itself once.
const JOURNAL_CAPACITY: usize = 4096;

/// What the listener passes to the open streams.
#[derive(Clone, Debug)]
enum Heard {
    Change(Cursor, ChangeNotice),
    /// The listener (re)started: whatever happened before is unknown from here.
    Gap(Cursor),
}

/// The fan-out point between the one database listener and the many open pages: a cheap
/// handle, cloned into every request's extensions.
#[derive(Clone)]
pub struct Hub(Arc<Shared>);

pub struct Shared {
    sender: broadcast::Sender<Heard>,
    /// Taken while a notice is numbered and sent, and while a stream subscribes and reads
    /// where it resumes, so a stream sees each notice exactly once: replayed or received.
    journal: Mutex<Journal>,
    listening: watch::Sender<bool>,
    shutdown: CancellationToken,
    /// Open streams per user.
    open: Mutex<HashMap<i64, usize>>,
    /// Woken when deliveries were queued (by any server), or when the listener restarted and
    /// may have missed that.
    queued: Notify,
}

impl std::ops::Deref for Hub {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl Hub {
    pub fn new(shutdown: CancellationToken) -> Hub {
        Hub(Arc::new(Shared {
            sender: broadcast::channel(1024).0,
            journal: Mutex::new(Journal::new(JOURNAL_CAPACITY)),
            listening: watch::channel(false).0,
            shutdown,
            open: Mutex::default(),
            queued: Notify::new(),
        }))
    }

    fn journal(&self) -> MutexGuard<'_, Journal> {
        self.journal.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Where this process stands: a page rendered now carries it, and its stream resumes
    /// from it.
    pub fn position(&self) -> Cursor {
        self.journal().position()
    }

    /// Resolves once the listener has started listening.
    pub async fn listening(&self) {
        let mut ready = self.listening.subscribe();
        let _ = ready.wait_for(|listening| *listening).await;
    }

    /// Resolves when deliveries were queued since the last call (or the listener restarted).
    pub async fn deliveries_queued(&self) {
        self.queued.notified().await;
    }

    /// Listens on the database until shutdown, reconnecting after failures.
    pub fn spawn_listener(&self, pool: PgPool) {
        let hub = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = hub.listen(&pool).await {
                    tracing::warn!(error = %e, "live listener lost the database; retrying");
                }
                hub.journal().stop();
                hub.listening.send_replace(false);
                tokio::select! {
                    () = hub.shutdown.cancelled() => return,
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        });
    }

    /// Returns when the connection is lost (or on shutdown).
    async fn listen(&self, pool: &PgPool) -> Result<(), sqlx::Error> {
        let mut listener = PgListener::connect_with(pool).await?;
        listener.listen_all([LIVE_CHANNEL, OUTBOX_CHANNEL]).await?;
        self.queued.notify_one();
        {
            let mut journal = self.journal();
            let at = journal.restart(rand::random::<u64>().max(1));
            // No subscribers is fine: nobody is looking.
            let _ = self.sender.send(Heard::Gap(at));
        }
        self.listening.send_replace(true);
        loop {
            let notification = tokio::select! {
                () = self.shutdown.cancelled() => return Ok(()),
                n = listener.try_recv() => n?,
            };
            // `None`: the connection dropped, and with it whatever was sent meanwhile.
            let Some(notification) = notification else {
                return Ok(());
            };
            if notification.channel() == OUTBOX_CHANNEL {
                self.queued.notify_one();
                continue;
            }
            match serde_json::from_str::<ChangeNotice>(notification.payload()) {
                Ok(notice) => {
                    let mut journal = self.journal();
                    let at = journal.record(notice.clone());
                    let _ = self.sender.send(Heard::Change(at, notice));
                }
                Err(e) => tracing::warn!(error = %e, "unreadable live notice"),
            }
        }
    }

    /// Subscribes a stream, with what it must send first: the changes after `from` (none for a
    /// stream that starts fresh), whether some could not be replayed, and where that leaves it.
    fn follow(
        &self,
        from: Option<Cursor>,
    ) -> (
        broadcast::Receiver<Heard>,
        Vec<(Cursor, ChangeNotice)>,
        bool,
        Cursor,
    ) {
        let journal = self.journal();
        let receiver = self.sender.subscribe();
        let (replay, missed) = match from.map(|f| journal.since(f)) {
            None => (Vec::new(), false),
            Some(Resume::Replay(r)) => (r, false),
            Some(Resume::Missed) => (Vec::new(), true),
        };
        (receiver, replay, missed, journal.position())
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct LiveQuery {
    /// Comma-separated object types to follow; `audit` follows every change the caller may
    /// see.
    topics: Option<String>,
    /// Resume after this point: a page's rendered cursor or an event id the stream sent.
    /// `Last-Event-ID`, which browsers send when they reconnect, takes precedence.
    after: Option<String>,
}

/// How many streams one person may hold open at once (a few tabs and devices).
pub const STREAMS_PER_USER: usize = 8;

/// How often a stream checks that its session still stands (revocations and deactivations are
/// noticed at once through their own notices; this catches expiry).
const RECHECK: Duration = Duration::from_secs(5);

/// How soon a browser reconnects a dropped stream.
const RECONNECT: Duration = Duration::from_secs(1);

fn sse(event: &LiveEvent, id: Option<Cursor>) -> Event {
    let (name, data) = match event {
        LiveEvent::Ready(r) => ("ready", serde_json::to_string(r)),
        LiveEvent::Change(n) => ("change", serde_json::to_string(n)),
    };
    let event = Event::default().event(name).data(data.unwrap_or_default());
    match id {
        Some(id) => event.id(id.to_string()),
        None => event,
    }
}

fn ready(missed: bool, at: Cursor) -> Event {
    let ready = Ready {
        missed: missed.then_some(true),
    };
    sse(&LiveEvent::Ready(ready), Some(at)).retry(RECONNECT)
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

/// Where a stream resumes: the browser's `Last-Event-ID` on a reconnect, else `after`.
fn resume_point(headers: &HeaderMap, after: Option<&str>) -> Result<Option<Cursor>, AppError> {
    let header = headers
        .get("last-event-id")
        .map(|v| v.to_str().unwrap_or("\u{fffd}"));
    header
        .or(after)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|detail| AppError::Malformed { detail }))
        .transpose()
}

/// Follow changes as server-sent events.
///
/// Each event's name and JSON data are described together as `LiveEvent`, and each carries
/// its point in the stream as the event id. A stream opened with a point to resume from
/// (`after`, or `Last-Event-ID` on a reconnect) first replays the changes since that point,
/// then says `ready`; if they cannot be replayed, `ready` says `missed`: re-read what you show.
/// A stream without one starts with `ready`. Then comes one `change` per change of a followed
/// topic that the caller may see (sessions, tokens and accounts only to administrators); a
/// later `ready` with `missed` means changes were lost on the way. The stream ends when the
/// session is revoked or expires or the account is deactivated; a person holds at most 8
/// streams at once.
#[utoipa::path(get, path = "/v1/live", tag = "live",
    params(LiveQuery,
        ("Last-Event-ID" = Option<String>, Header, description = "The id of the last event received, sent by browsers when they reconnect")),
    security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "text/event-stream of `ready` and `change` events", body = LiveEvent,
            content_type = "text/event-stream"),
        (status = 400, description = "`after` or `Last-Event-ID` is not a point a stream sent", body = app::domain::error::ErrorBody),
        (status = 429, description = "The caller already holds as many streams as allowed", body = app::domain::error::ErrorBody),
    ))]
pub async fn stream(
    State(state): State<AppState>,
    Extension(hub): Extension<Hub>,
    Caller(actor): Caller,
    Query(q): Query<LiveQuery>,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let from = resume_point(&headers, q.after.as_deref())?;
    let slot = hub.take_slot(actor.id().ok_or(AppError::Unauthenticated)?)?;
    let topics: Vec<String> = q
        .topics
        .unwrap_or_else(|| "audit".to_owned())
        .split(',')
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .take(32)
        .collect();
    let (mut receiver, replay, missed, position) = hub.follow(from);
    let shutdown = hub.shutdown.clone();
    let events = async_stream::stream! {
        let _slot = slot;
        let mut actor = actor;
        let mut recheck = tokio::time::interval(RECHECK);
        recheck.tick().await;
        for (at, notice) in replay {
            if wanted(&actor, &topics, &notice) {
                yield Ok(sse(&LiveEvent::Change(notice), Some(at)));
            }
        }
        yield Ok(ready(missed, position));
        loop {
            let next = tokio::select! {
                () = shutdown.cancelled() => break,
                _ = recheck.tick() => None,
                next = receiver.recv() => Some(next),
            };
            let check = match &next {
                None | Some(Err(_)) => true,
                Some(Ok(Heard::Change(_, notice))) => touches_sessions(notice),
                Some(Ok(Heard::Gap(_))) => false,
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
                Some(Ok(Heard::Change(at, notice))) if wanted(&actor, &topics, &notice) => {
                    yield Ok(sse(&LiveEvent::Change(notice), Some(at)));
                }
                Some(Ok(Heard::Gap(at))) => yield Ok(ready(true, at)),
                // Too slow to keep up: say so rather than drop changes silently. The event id
                // stays where it was, so a reconnect resumes from the last change delivered.
                Some(Err(broadcast::error::RecvError::Lagged(_))) => {
                    let missed = Ready { missed: Some(true) };
                    yield Ok(sse(&LiveEvent::Ready(missed), None));
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
    fn events_are_named_carry_json_and_their_point() {
        let at = Cursor { epoch: 10, seq: 3 };
        let ready = format!("{:?}", ready(true, at));
        assert!(ready.contains("ready") && ready.contains("a-3") && ready.contains("missed"));
    }

    #[test]
    fn the_resume_point_is_the_browsers_last_event_id_else_the_pages_cursor() {
        let mut headers = HeaderMap::new();
        assert_eq!(resume_point(&headers, None), Ok(None));
        assert_eq!(
            resume_point(&headers, Some("a-1")),
            Ok(Some(Cursor { epoch: 10, seq: 1 }))
        );
        headers.insert("last-event-id", "b-7".parse().unwrap());
        assert_eq!(
            resume_point(&headers, Some("a-1")),
            Ok(Some(Cursor { epoch: 11, seq: 7 }))
        );
        assert!(resume_point(&HeaderMap::new(), Some("yesterday")).is_err());
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
