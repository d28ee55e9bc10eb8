//! Live updates across processes: a change made through one server reaches a page open on
//! another, through Postgres LISTEN/NOTIFY.

use crate::common::{TestApp, spawn};
use futures::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::time::Duration;

type Events = dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin;

/// One server-sent event: its name, its id (the stream's point) and its JSON data.
#[derive(Debug)]
struct Frame {
    event: String,
    id: Option<String>,
    data: Value,
}

/// Reads the next server-sent event (keep-alive comments are skipped).
async fn next_frame(stream: &mut Events, buffer: &mut String) -> Frame {
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let field = |name: &str| block.lines().find_map(|l| l.strip_prefix(name));
            if let (Some(event), Some(data)) = (field("event: "), field("data: ")) {
                return Frame {
                    event: event.to_owned(),
                    id: field("id: ").map(str::to_owned),
                    data: serde_json::from_str(data).unwrap(),
                };
            }
        }
        let chunk = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .expect("an event within 10 s")
            .expect("the stream stays open")
            .unwrap();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

/// Reads server-sent events until one of type `event` arrives; returns its data.
async fn next_event(stream: &mut Events, buffer: &mut String, event: &str) -> Value {
    loop {
        let frame = next_frame(stream, buffer).await;
        if frame.event == event {
            return frame.data;
        }
    }
}

/// A page left open on users, to know when the server has heard of a change: a stream that
/// resumes sooner would receive the change live, after its replay, not in it.
struct Witness {
    stream: Box<Events>,
    buffer: String,
}

impl Witness {
    async fn open(app: &TestApp, token: &str) -> Witness {
        let mut witness = Witness {
            stream: Box::new(subscribe(app, token, "user").await.bytes_stream()),
            buffer: String::new(),
        };
        next_event(&mut witness.stream, &mut witness.buffer, "ready").await;
        witness
    }

    /// Returns once the change to this user has reached the stream.
    async fn heard(&mut self, user: &Value) {
        let id = user["id"].to_string();
        while next_event(&mut self.stream, &mut self.buffer, "change").await["id"] != id {}
    }
}

async fn subscribe(app: &TestApp, token: &str, topics: &str) -> reqwest::Response {
    resume(app, token, topics, &[]).await
}

/// Opens a stream with extra headers (`Last-Event-ID`); `topics` may carry `&after=`.
async fn resume(
    app: &TestApp,
    token: &str,
    topics: &str,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = app
        .client
        .get(app.url(&format!("/v1/live?topics={topics}")))
        .header("X-Auth-Token", token);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    response
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_change_through_one_server_reaches_a_page_on_another(pool: PgPool) {
    let a = spawn(pool.clone()).await;
    let b = spawn(pool).await;
    let admin_a = a.admin().await;
    let admin_b = b.admin().await;

    let mut stream = subscribe(&b, &admin_b, "user").await.bytes_stream();
    let mut buffer = String::new();
    next_event(&mut stream, &mut buffer, "ready").await;

    let created = a
        .send(
            Method::POST,
            &admin_a,
            "/v1/users",
            json!({"username": "live-one", "role": "viewer", "password": "password-1"}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let user: Value = created.json().await.unwrap();

    let notice = next_event(&mut stream, &mut buffer, "change").await;
    assert_eq!(notice["topic"], "user");
    assert_eq!(notice["action"], "create");
    assert_eq!(notice["id"], user["id"].to_string());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn topics_filter_and_audit_follows_everything(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let mut users_only = subscribe(&app, &admin, "user").await.bytes_stream();
    let mut everything = subscribe(&app, &admin, "audit").await.bytes_stream();
    let (mut b1, mut b2) = (String::new(), String::new());
    next_event(&mut users_only, &mut b1, "ready").await;
    next_event(&mut everything, &mut b2, "ready").await;

    // A new API token is a change, but not of a user.
    app.admin().await;
    app.create_user(&admin, "after-token", "viewer").await;

    let first_for_users = next_event(&mut users_only, &mut b1, "change").await;
    assert_eq!(first_for_users["topic"], "user");
    let first_overall = next_event(&mut everything, &mut b2, "change").await;
    assert_eq!(first_overall["topic"], "api_token");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_stream_needs_a_login(pool: PgPool) {
    let app = spawn(pool).await;
    let response = app.client.get(app.url("/v1/live")).send().await.unwrap();
    crate::common::assert_error(response, 401, "OPS.0401").await;
}

/// Graceful shutdown waits for open connections; live streams must end for it to finish.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn live_streams_end_when_the_server_shuts_down(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let mut stream = subscribe(&app, &admin, "audit").await.bytes_stream();
    let mut buffer = String::new();
    next_event(&mut stream, &mut buffer, "ready").await;
    app.shut_down();
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(chunk) = stream.next().await {
            if chunk.is_err() {
                break;
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream closed on shutdown");
}

/// Waits for a stream to end (the server closes it); false when it is still open after 10 s.
async fn ends(
    stream: &mut (impl futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin),
) -> bool {
    tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(chunk) = stream.next().await {
            if chunk.is_err() {
                break;
            }
        }
    })
    .await
    .is_ok()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_stream_ends_when_its_session_is_revoked_or_its_user_deactivated(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let carol = app.create_user(&admin, "carol", "operator").await;
    let revoked = app.token("carol", "password-123").await;
    let mut first = subscribe(&app, &revoked, "incident").await.bytes_stream();
    let mut b1 = String::new();
    next_event(&mut first, &mut b1, "ready").await;
    let response = app
        .client
        .delete(app.url("/v1/auth/tokens"))
        .header("X-Auth-Token", &revoked)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(ends(&mut first).await, "the revoked session's stream ended");

    let other = app.token("carol", "password-123").await;
    let mut second = subscribe(&app, &other, "incident").await.bytes_stream();
    let mut b2 = String::new();
    next_event(&mut second, &mut b2, "ready").await;
    let response = app
        .send(
            Method::PATCH,
            &admin,
            &format!("/v1/users/{}", carol["id"]),
            json!({"active": false, "version": carol["version"]}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        ends(&mut second).await,
        "the deactivated user's stream ended"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_stream_ends_when_its_session_expires(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let mut stream = subscribe(&app, &admin, "incident").await.bytes_stream();
    let mut buffer = String::new();
    next_event(&mut stream, &mut buffer, "ready").await;
    app.clock
        .advance(app.state.settings.token_ttl + chrono::Duration::minutes(1));
    assert!(
        ends(&mut stream).await,
        "the expired session's stream ended"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_person_holds_a_handful_of_streams_and_viewers_see_no_sessions(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    app.create_user(&admin, "vera", "viewer").await;
    let vera = app.token("vera", "password-123").await;
    let mut open = Vec::new();
    for _ in 0..server::live::STREAMS_PER_USER {
        open.push(subscribe(&app, &admin, "audit").await);
    }
    let refused = app.get(&admin, "/v1/live?topics=audit").await;
    crate::common::assert_error(refused, 429, "OPS.0430").await;

    let mut viewer = subscribe(&app, &vera, "audit").await.bytes_stream();
    let mut buffer = String::new();
    next_event(&mut viewer, &mut buffer, "ready").await;
    // A failed login, a new session and a new account: none of it is a viewer's business.
    app.login("who-is-this", "wrong-password").await;
    app.admin().await;
    app.create_user(&admin, "new-person", "viewer").await;
    let incident = app
        .send(
            Method::POST,
            &admin,
            "/v1/incidents",
            json!({"title": "Visible", "level": "P3", "category": "other",
                   "owner": {"user_id": 1}}),
        )
        .await;
    assert_eq!(incident.status(), StatusCode::CREATED);
    let first = next_event(&mut viewer, &mut buffer, "change").await;
    assert_eq!(first["topic"], "incident", "{first}");
    assert!(!buffer.contains("who-is-this") && !buffer.contains("new-person"));
}

/// The point a console page was rendered at, as its document carries it.
fn rendered_cursor(html: &str) -> String {
    let start = html
        .find("data-live-cursor=\"")
        .expect("the page carries its live point")
        + 18;
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_change_between_rendering_a_page_and_following_it_reaches_the_page(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let cookie = crate::pages::log_in(&app).await;
    let html = crate::pages::page(&app, "/users", Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    let cursor = rendered_cursor(&html);

    // Someone adds an account while the page's script is still on its way.
    let mut witness = Witness::open(&app, &admin).await;
    let added = app.create_user(&admin, "in-the-gap", "viewer").await;
    witness.heard(&added).await;

    let mut stream = subscribe(&app, &admin, &format!("user&after={cursor}"))
        .await
        .bytes_stream();
    let mut buffer = String::new();
    let first = next_frame(&mut stream, &mut buffer).await;
    assert_eq!(first.event, "change", "{first:?}");
    assert_eq!(first.data["id"], added["id"].to_string());
    let ready = next_frame(&mut stream, &mut buffer).await;
    assert_eq!(ready.event, "ready");
    assert_eq!(ready.data, json!({}), "nothing was missed");
    assert_eq!(ready.id, first.id, "ready stands where the replay ended");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_reconnected_stream_resumes_after_its_last_event_and_sends_nothing_twice(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let mut stream = subscribe(&app, &admin, "user").await.bytes_stream();
    let mut buffer = String::new();
    let greeting = next_frame(&mut stream, &mut buffer).await;
    assert_eq!(greeting.event, "ready");
    app.create_user(&admin, "seen", "viewer").await;
    let seen = next_frame(&mut stream, &mut buffer).await;
    assert_eq!(seen.event, "change");
    drop(stream);

    // Changes while the stream is down, one of a topic the page does not follow.
    let mut witness = Witness::open(&app, &admin).await;
    app.create_user(&admin, "missed-one", "viewer").await;
    app.admin().await;
    let two = app.create_user(&admin, "missed-two", "viewer").await;
    witness.heard(&two).await;

    let last = seen.id.clone().unwrap();
    let mut again = resume(&app, &admin, "user&after=0-0", &[("last-event-id", &last)])
        .await
        .bytes_stream();
    let mut buffer = String::new();
    let mut replayed = Vec::new();
    let ready = loop {
        let frame = next_frame(&mut again, &mut buffer).await;
        if frame.event == "ready" {
            break frame;
        }
        replayed.push(frame.data["id"].as_str().unwrap().to_owned());
    };
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id::text FROM users WHERE username IN ('missed-one', 'missed-two') ORDER BY id",
    )
    .fetch_all(&app.state.pool)
    .await
    .unwrap();
    assert_eq!(replayed, ids, "the two changes, once each, in order");
    assert_eq!(ready.data, json!({}));

    // A point this server does not know (another process, or before a restart): re-read.
    let mut stranger = resume(&app, &admin, "user", &[("last-event-id", "1-5")])
        .await
        .bytes_stream();
    let mut buffer = String::new();
    let frame = next_frame(&mut stranger, &mut buffer).await;
    assert_eq!(
        (frame.event.as_str(), &frame.data),
        ("ready", &json!({"missed": true}))
    );
    assert_ne!(
        frame.id.as_deref(),
        Some("1-5"),
        "the stream gives its own point"
    );

    let refused = app.get(&admin, "/v1/live?after=yesterday").await;
    crate::common::assert_error(refused, 400, "OPS.0400").await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_stream_says_changes_were_missed_when_the_server_lost_its_database_listener(
    pool: PgPool,
) {
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    let mut stream = subscribe(&app, &admin, "user").await.bytes_stream();
    let mut buffer = String::new();
    let greeting = next_frame(&mut stream, &mut buffer).await;

    let cut = crate::common::end_sessions(&pool, "LISTEN").await;
    assert_eq!(cut, [true], "one listener per server");

    let frame = next_frame(&mut stream, &mut buffer).await;
    assert_eq!(
        (frame.event.as_str(), &frame.data),
        ("ready", &json!({"missed": true}))
    );
    assert_ne!(frame.id, greeting.id, "a new run of the listener");
    // And it follows again.
    app.create_user(&admin, "after-the-cut", "viewer").await;
    let change = next_event(&mut stream, &mut buffer, "change").await;
    assert_eq!(change["topic"], "user");
}
