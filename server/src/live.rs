//! Live updates: Postgres LISTEN/NOTIFY fanned out to browsers as server-sent events.
//! Every server process listens, so a change made through any of them reaches all pages.

use crate::rest::error::ApiResult;
use crate::rest::extract::Caller;
use app::store::audit::LIVE_CHANNEL;
use axum::Extension;
use axum::extract::Query;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

/// One change notice, as written by `store::audit::append`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Notice {
    /// The object type that changed (`user`, `session`, ...).
    pub topic: String,
    pub id: String,
    pub action: String,
    pub audit_id: i64,
}

/// The fan-out point between the one database listener and the many open pages.
#[derive(Clone)]
pub struct Hub {
    sender: broadcast::Sender<Notice>,
    shutdown: CancellationToken,
}

impl Hub {
    pub fn new(shutdown: CancellationToken) -> Hub {
        Hub {
            sender: broadcast::channel(1024).0,
            shutdown,
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
            match serde_json::from_str::<Notice>(notification.payload()) {
                Ok(notice) => {
                    // No subscribers is fine: nobody is looking.
                    let _ = self.sender.send(notice);
                }
                Err(e) => tracing::warn!(error = %e, "unreadable live notice"),
            }
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.sender.subscribe()
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct LiveQuery {
    /// Comma-separated object types to follow; `audit` follows every change.
    topics: Option<String>,
}

fn wanted(topics: &[String], notice: &Notice) -> bool {
    topics.iter().any(|t| t == "audit" || *t == notice.topic)
}

/// Follow changes as server-sent events.
///
/// The stream starts with a `ready` event, then sends one `change` event (data: a `Notice`)
/// per change of a followed topic. A `ready` on a reconnected stream means notices may have
/// been missed: reload.
#[utoipa::path(get, path = "/v1/live", tag = "live", params(LiveQuery), security(("token" = [])),
    responses(
        (status = 200, description = "text/event-stream of `ready` and `change` events", body = Notice,
            content_type = "text/event-stream"),
        (status = 401, description = "No valid token or session", body = app::domain::error::ErrorBody),
    ))]
pub async fn stream(
    Extension(hub): Extension<Hub>,
    Caller(_actor): Caller,
    Query(q): Query<LiveQuery>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let topics: Vec<String> = q
        .topics
        .unwrap_or_else(|| "audit".to_owned())
        .split(',')
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    let mut receiver = hub.subscribe();
    let shutdown = hub.shutdown.clone();
    let events = async_stream::stream! {
        yield Ok(Event::default().event("ready").data("{}"));
        loop {
            let next = tokio::select! {
                () = shutdown.cancelled() => break,
                next = receiver.recv() => next,
            };
            match next {
                Ok(notice) if wanted(&topics, &notice) => {
                    let data = serde_json::to_string(&notice).unwrap_or_default();
                    yield Ok(Event::default().event("change").data(data));
                }
                Ok(_) => {}
                // Too slow to keep up: tell the page to reload rather than drop changes silently.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    yield Ok(Event::default().event("ready").data("{\"lagged\":true}"));
                }
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
    };
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_follows_everything_and_topics_filter() {
        let notice = Notice {
            topic: "user".into(),
            id: "1".into(),
            action: "create".into(),
            audit_id: 1,
        };
        assert!(wanted(&["audit".into()], &notice));
        assert!(wanted(&["session".into(), "user".into()], &notice));
        assert!(!wanted(&["session".into()], &notice));
    }
}
