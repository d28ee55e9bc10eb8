//! Notifications through the outbox to real receivers: a webhook receiver on a local port that
//! checks signatures and fails before it recovers, a dead letter re-sent, and email to a local
//! SMTP sink.

use crate::common::{TestApp, assert_error, eventually, spawn};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as Status};
use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use server::delivery::{SmtpConfig, Transport, signature};
use sqlx::PgPool;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// What the receiver saw: each request's idempotency key, whether its signature held, and the
/// status it answered.
#[derive(Default)]
struct Received {
    requests: Vec<(String, bool, u16)>,
    failures_left: usize,
    secret: String,
}

async fn receive(
    State(seen): State<Arc<Mutex<Received>>>,
    headers: HeaderMap,
    body: String,
) -> Status {
    let mut seen = seen.lock().unwrap();
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let valid = header("x-opsroom-signature")
        == signature(&seen.secret, &header("x-opsroom-timestamp"), &body);
    let key = header("idempotency-key");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["idempotency_key"], key.as_str());
    let status = if seen.failures_left > 0 {
        seen.failures_left -= 1;
        500
    } else {
        200
    };
    seen.requests.push((key, valid, status));
    Status::from_u16(status).unwrap()
}

/// A webhook receiver on a free local port that fails `failures` times first.
async fn receiver(failures: usize) -> (String, Arc<Mutex<Received>>) {
    let seen = Arc::new(Mutex::new(Received {
        failures_left: failures,
        ..Default::default()
    }));
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

/// Adds a webhook channel to `url` for the holder of `token`, and gives the receiver its secret
/// (returned too).
async fn webhook(app: &TestApp, token: &str, url: &str, seen: &Arc<Mutex<Received>>) -> String {
    let added: Value = app
        .send(
            Method::POST,
            token,
            "/v1/profile/channels",
            json!({"kind": "webhook", "target": url, "timeout_ms": 2000}),
        )
        .await
        .json()
        .await
        .unwrap();
    let secret = added["secret"].as_str().unwrap().to_owned();
    seen.lock().unwrap().secret = secret.clone();
    secret
}

/// The server's transport, reaching what the test server's settings allow.
fn transport(app: &TestApp) -> Transport {
    Transport::new(
        None,
        "http://opsroom.example",
        app.state.settings.webhook_allow.clone(),
    )
    .unwrap()
}

/// An operator called `name`: their id and a token.
async fn operator(app: &TestApp, admin: &str, name: &str) -> (i64, String) {
    let id = app.create_user(admin, name, "operator").await["id"]
        .as_i64()
        .unwrap();
    (id, app.token(name, "password-123").await)
}

async fn drain(app: &TestApp, transport: &Transport) -> usize {
    app::service::deliveries::deliver_due(&app.state, |job| {
        let transport = transport.clone();
        async move { transport.send(job).await }
    })
    .await
    .unwrap()
}

/// Opens an incident owned by `owner`: its "assigned" notification goes through the outbox.
async fn assign(app: &TestApp, admin: &str, owner: i64) -> Value {
    let response = app
        .send(
            Method::POST,
            admin,
            "/v1/incidents",
            json!({"title": "Checkout fails", "level": "P2", "category": "function",
                   "owner": {"user_id": owner}}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn deliveries(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let page: Value = app
        .get(token, &format!("/v1/deliveries{query}"))
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().clone()
}

#[sqlx::test(migrations = "./migrations")]
async fn a_webhook_is_signed_retried_with_back_off_and_delivered_once(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let (alice, token) = operator(&app, &admin, "alice").await;
    let (url, seen) = receiver(2).await;
    assert_eq!(webhook(&app, &token, &url, &seen).await.len(), 32);
    let listed: Value = app
        .get(&token, "/v1/profile/channels")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        listed[0].get("secret").is_none(),
        "the secret is shown once"
    );

    assign(&app, &admin, alice).await;
    let transport = transport(&app);
    assert_eq!(drain(&app, &transport).await, 1);
    assert_eq!(
        drain(&app, &transport).await,
        0,
        "not due again before its back-off"
    );
    app.clock.advance(Duration::seconds(30));
    assert_eq!(drain(&app, &transport).await, 1);
    app.clock.advance(Duration::seconds(59));
    assert_eq!(drain(&app, &transport).await, 0);
    app.clock.advance(Duration::seconds(1));
    assert_eq!(drain(&app, &transport).await, 1);
    assert_eq!(drain(&app, &transport).await, 0);

    let requests = seen.lock().unwrap().requests.clone();
    assert_eq!(requests.len(), 3);
    assert!(
        requests.iter().all(|(_, valid, _)| *valid),
        "every request is signed"
    );
    assert!(
        requests.iter().all(|(key, _, _)| *key == requests[0].0),
        "one key across retries"
    );
    let delivered: Vec<_> = requests.iter().filter(|r| r.2 == 200).collect();
    assert_eq!(delivered.len(), 1, "exactly one delivery per notification");

    let mine = deliveries(&app, &token, "").await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["status"], "delivered");
    assert_eq!(mine[0]["kind"], "assigned");
    let detail: Value = app
        .get(&token, &format!("/v1/deliveries/{}", mine[0]["id"]))
        .await
        .json()
        .await
        .unwrap();
    let codes: Vec<i64> = detail["attempts_made"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [500, 500, 200]);
}

#[sqlx::test(migrations = "./migrations")]
async fn failures_past_the_limit_are_dead_letters_that_can_be_resent(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let (alice, token) = operator(&app, &admin, "alice").await;
    // Nothing listens on this port: every attempt fails to connect.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead_url = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    app.send(
        Method::POST,
        &token,
        "/v1/profile/channels",
        json!({"kind": "webhook", "target": dead_url, "kinds": ["assigned"]}),
    )
    .await;
    assert_error(
        app.send(
            Method::POST,
            &token,
            "/v1/profile/channels",
            json!({"kind": "email", "target": "nope"}),
        )
        .await,
        422,
        "OPS.0422",
    )
    .await;
    assign(&app, &admin, alice).await;
    let transport = transport(&app);
    for _ in 0..app::domain::delivery::MAX_ATTEMPTS {
        assert_eq!(drain(&app, &transport).await, 1);
        app.clock.advance(Duration::hours(1));
    }
    assert_eq!(
        drain(&app, &transport).await,
        0,
        "a dead letter is not tried again"
    );
    let admin = app.admin().await;
    let dead = deliveries(&app, &admin, "?status=dead").await;
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0]["last_error"], "could not connect");
    // Giving up is the system's act, on the record.
    let given_up: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE object_type = 'delivery' AND action = 'dead' \
         AND actor_name = 'system'",
    )
    .fetch_one(&app.state.pool)
    .await
    .unwrap();
    assert_eq!(given_up, 1);
    assert_eq!(dead[0]["attempts"], app::domain::delivery::MAX_ATTEMPTS);
    let id = dead[0]["id"].as_i64().unwrap();
    let resent = app
        .send(
            Method::POST,
            &admin,
            &format!("/v1/deliveries/{id}/resend"),
            json!({}),
        )
        .await;
    assert_eq!(resent.status(), StatusCode::OK);
    let resent: Value = resent.json().await.unwrap();
    assert_eq!(
        (resent["status"].as_str(), resent["attempts"].as_i64()),
        (Some("pending"), Some(0))
    );
    assert_error(
        app.send(
            Method::POST,
            &admin,
            &format!("/v1/deliveries/{id}/resend"),
            json!({}),
        )
        .await,
        409,
        "OPS.0409",
    )
    .await;
    assert_eq!(
        drain(&app, &transport).await,
        1,
        "re-sent: tried again at once"
    );
    // Someone else's deliveries are not theirs to see.
    app.create_user(&admin, "bob", "operator").await;
    let bob = app.token("bob", "password-123").await;
    assert!(deliveries(&app, &bob, "").await.is_empty());
    assert_error(
        app.get(&bob, &format!("/v1/deliveries/{id}")).await,
        404,
        "OPS.0404",
    )
    .await;
}

/// A minimal SMTP server that keeps every message it is given.
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<String>>>) {
    let mails = Arc::new(Mutex::new(Vec::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let kept = mails.clone();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let kept = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ready\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            kept.lock().unwrap().push(data.take().unwrap());
                            write.write_all(b"250 kept\r\n").await.unwrap();
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 sink\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go on\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, mails)
}

#[sqlx::test(migrations = "./migrations")]
async fn email_goes_to_the_smtp_relay(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let (alice, token) = operator(&app, &admin, "alice").await;
    app.send(
        Method::POST,
        &token,
        "/v1/profile/channels",
        json!({"kind": "email", "target": "alice@example.com"}),
    )
    .await;
    let incident = assign(&app, &admin, alice).await;
    let (port, mails) = smtp_sink().await;
    let smtp = SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        security: "none".into(),
        username: None,
        password: None,
        from: "Opsroom <opsroom@example.com>".into(),
    };
    let transport = Transport::new(
        Some(&smtp),
        "http://opsroom.example",
        app.state.settings.webhook_allow.clone(),
    )
    .unwrap();
    assert_eq!(drain(&app, &transport).await, 1);
    let mails = mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert!(mail.contains("To: alice@example.com"), "{mail}");
    assert!(mail.contains("Subject: [Opsroom] INC-"), "{mail}");
    assert!(
        mail.contains(&format!(
            "http://opsroom.example/incidents/{}",
            incident["id"]
        )),
        "{mail}"
    );
    let mine = deliveries(&app, &token, "").await;
    assert_eq!(mine[0]["status"], "delivered");
}

#[sqlx::test(migrations = "./migrations")]
async fn webhooks_to_internal_addresses_are_refused_at_save(pool: PgPool) {
    // The defaults: no internal receiver allowed.
    let app = crate::common::spawn_with(
        pool.clone(),
        app::state::Settings::default(),
        Arc::new(app::state::ManualClock::new(crate::common::start_time())),
    )
    .await;
    let admin = app.admin().await;
    app.create_user(&admin, "vic", "viewer").await;
    let viewer = app.token("vic", "password-123").await;
    for target in [
        "http://127.0.0.1:5432/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/hook",
        "http://localhost:9/hook",
        "http://10.1.2.3/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://user@hooks.example.com/hook",
    ] {
        let response = app
            .send(
                Method::POST,
                &viewer,
                "/v1/profile/channels",
                json!({"kind": "webhook", "target": target}),
            )
            .await;
        let message = assert_error(response, 422, "OPS.0422").await;
        assert!(message.starts_with("target"), "{target}: {message}");
    }
    let channels: i64 = sqlx::query_scalar("SELECT count(*) FROM notification_channels")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(channels, 0);
}

#[sqlx::test(migrations = "./migrations")]
async fn a_webhook_to_an_address_not_allowed_is_refused_at_send(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let (alice, token) = operator(&app, &admin, "alice").await;
    let (url, seen) = receiver(0).await;
    // By address, and by a name that resolves to it.
    for target in [url.clone(), url.replace("127.0.0.1", "localhost")] {
        let added = app
            .send(
                Method::POST,
                &token,
                "/v1/profile/channels",
                json!({"kind": "webhook", "target": target}),
            )
            .await;
        assert_eq!(
            added.status(),
            StatusCode::CREATED,
            "allowed when it was saved"
        );
    }
    assign(&app, &admin, alice).await;
    // The allow-list no longer names this host.
    let strict = Transport::new(None, "http://opsroom.example", Default::default()).unwrap();
    assert_eq!(drain(&app, &strict).await, 2);
    assert!(seen.lock().unwrap().requests.is_empty(), "nothing was sent");
    for delivery in deliveries(&app, &token, "").await {
        assert_eq!(
            delivery["last_error"],
            "refused: the receiver's address is not one Opsroom sends to"
        );
    }
}

#[sqlx::test(migrations = "./migrations")]
async fn sending_a_delivered_notification_again_is_an_administrators_act(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let (alice, token) = operator(&app, &admin, "alice").await;
    let (url, seen) = receiver(0).await;
    webhook(&app, &token, &url, &seen).await;
    assign(&app, &admin, alice).await;
    let transport = transport(&app);
    assert_eq!(drain(&app, &transport).await, 1);
    let id = deliveries(&app, &token, "?status=delivered").await[0]["id"].clone();
    let path = format!("/v1/deliveries/{id}/resend");
    assert_error(
        app.send(Method::POST, &token, &path, json!({})).await,
        403,
        "OPS.0403",
    )
    .await;
    let resent = app.send(Method::POST, &admin, &path, json!({})).await;
    assert_eq!(resent.status(), StatusCode::OK);
}

/// A receiver that accepts connections and never answers; it holds them while it lives.
async fn black_hole() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (url, task)
}

#[sqlx::test(migrations = "./migrations")]
async fn ten_black_holed_channels_delay_nobody_else(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    let (alice, alice_token) = operator(&app, &admin, "alice").await;
    let (bob, bob_token) = operator(&app, &admin, "bob").await;
    let (hole, _hole) = black_hole().await;
    for i in 0..10 {
        let added = app
            .send(
                Method::POST,
                &alice_token,
                "/v1/profile/channels",
                json!({"kind": "webhook", "target": format!("{hole}?{i}"), "timeout_ms": 500}),
            )
            .await;
        assert_eq!(added.status(), StatusCode::CREATED);
    }
    // Bob's receiver tells the test the moment it is reached.
    let (reached, mut arrived) = tokio::sync::mpsc::unbounded_channel::<()>();
    let receiver = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let reached = reached.clone();
            async move {
                let _ = reached.send(());
                Status::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let bob_url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, receiver).await.unwrap() });
    app.send(
        Method::POST,
        &bob_token,
        "/v1/profile/channels",
        json!({"kind": "webhook", "target": bob_url}),
    )
    .await;
    // Alice's ten notifications are older than Bob's one.
    assign(&app, &admin, alice).await;
    assign(&app, &admin, bob).await;
    let transport = transport(&app);
    let app = Arc::new(app);
    let draining = {
        let (app, transport) = (app.clone(), transport.clone());
        tokio::spawn(async move { drain(&app, &transport).await })
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), arrived.recv())
        .await
        .expect("Bob's notification arrives")
        .unwrap();
    let alice_attempts: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM delivery_attempts a JOIN outbox o ON o.id = a.outbox_id \
         WHERE o.user_id = $1",
    )
    .bind(alice)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        alice_attempts, 0,
        "Bob's notification went out while Alice's black holes were still being waited for"
    );
    assert_eq!(draining.await.unwrap(), 11);
    let errors: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT last_error FROM outbox WHERE user_id = $1")
            .bind(alice)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(errors, vec!["timed out".to_owned()]);
}

/// The worker sends a delivery when the database says one was queued, by any server, not at
/// its next round: with rounds an hour apart the notification still arrives.
#[sqlx::test(migrations = "./migrations")]
async fn the_worker_sends_as_soon_as_a_delivery_is_queued(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let (alice, token) = operator(&app, &admin, "alice").await;
    let (url, seen) = receiver(0).await;
    webhook(&app, &token, &url, &seen).await;
    server::delivery::spawn(
        app.state.clone(),
        app.hub.clone(),
        transport(&app),
        std::time::Duration::from_secs(3600),
        app.shutdown.clone(),
    );
    assign(&app, &admin, alice).await;
    let requests = eventually("the webhook", std::time::Duration::from_secs(30), || {
        let seen = seen.clone();
        async move {
            let requests = seen.lock().unwrap().requests.clone();
            (!requests.is_empty()).then_some(requests)
        }
    })
    .await;
    assert_eq!(requests.len(), 1);
    assert!(requests[0].1, "signed");
    let app = &app;
    let token = token.as_str();
    eventually("the delivery marked delivered", std::time::Duration::from_secs(30), || async move {
        (deliveries(app, token, "?status=delivered").await.len() == 1).then_some(())
    })
    .await;
}
