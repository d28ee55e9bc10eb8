//! The console's defences, each shown refusing its attack: cross-site requests (login
//! included), the security headers and the script nonce, open redirects after login, unbounded
//! login input, parallel password guessing, strangers locking a person out, and forged client
//! addresses.

use crate::common::{
    ADMIN_PASSWORD, TestApp, assert_error, settings, spawn, spawn_with, start_time,
};
use app::domain::network::AddressList;
use app::state::{ManualClock, Settings};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE, COOKIE, LOCATION, ORIGIN, REFERER, SET_COOKIE};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::sync::Arc;

const HTML: &str = "text/html,application/xhtml+xml";

/// A plain form post to the console, as a browser without JavaScript sends it from page
/// `referer` of site `origin`.
pub async fn form(
    app: &TestApp,
    path: &str,
    referer: &str,
    origin: Option<&str>,
    cookie: Option<&str>,
    body: &str,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url(path))
        .header(ACCEPT, HTML)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(REFERER, app.url(referer))
        .body(body.to_owned());
    if let Some(origin) = origin {
        request = request.header(ORIGIN, origin);
    }
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.send().await.unwrap()
}

fn session_of(response: &reqwest::Response) -> String {
    response.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

async fn console_login(app: &TestApp) -> String {
    let body = format!("username=admin&password={ADMIN_PASSWORD}");
    let response = form(app, "/api/login", "/login", Some(&app.base), None, &body).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    session_of(&response)
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn changes_sent_from_another_site_are_refused_and_change_nothing(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let cookie = console_login(&app).await;
    let users = count(&pool, "SELECT count(*) FROM users").await;
    let create = "username=mallory&display_name=&email=&phone=&role=admin&password=password-123";
    for origin in [Some("http://evil.example"), Some("null"), None] {
        let response = form(
            &app,
            "/api/users/create",
            "/login",
            origin,
            Some(&cookie),
            create,
        )
        .await;
        assert_error(response, 403, "OPS.1003").await;
    }
    // A browser that says where the request comes from is believed over the Origin.
    let response = app
        .client
        .post(app.url("/api/users/create"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ORIGIN, &app.base)
        .header("sec-fetch-site", "cross-site")
        .header(COOKIE, &cookie)
        .body(create)
        .send()
        .await
        .unwrap();
    assert_error(response, 403, "OPS.1003").await;
    // The REST API with the session cookie is held to the same rule...
    let response = app
        .client
        .post(app.url("/v1/users"))
        .header(ORIGIN, "http://evil.example")
        .header(COOKIE, &cookie)
        .json(&json!({"username": "mallory", "role": "admin", "password": "password-123"}))
        .send()
        .await
        .unwrap();
    assert_error(response, 403, "OPS.1003").await;
    assert_eq!(count(&pool, "SELECT count(*) FROM users").await, users);
    // ...while a token in a header, which no other site can make a browser send, is not.
    let admin = app.admin().await;
    let response = app
        .client
        .post(app.url("/v1/users"))
        .header(ORIGIN, "http://evil.example")
        .header("X-Auth-Token", &admin)
        .json(&json!({"username": "trent", "role": "viewer", "password": "password-123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    // And the console's own form still works.
    let response = form(
        &app,
        "/api/users/create",
        "/users/new",
        Some(&app.base),
        Some(&cookie),
        create,
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(count(&pool, "SELECT count(*) FROM users").await, users + 2);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn another_site_cannot_log_a_browser_in(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let body = format!("username=admin&password={ADMIN_PASSWORD}");
    let response = form(
        &app,
        "/api/login",
        "/login",
        Some("http://evil.example"),
        None,
        &body,
    )
    .await;
    assert!(response.headers().get(SET_COOKIE).is_none());
    assert_error(response, 403, "OPS.1003").await;
    let sessions = count(&pool, "SELECT count(*) FROM auth_tokens").await;
    assert_eq!(sessions, 0);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn pages_carry_the_security_headers_and_the_bootstrap_its_nonce(pool: PgPool) {
    let app = spawn(pool).await;
    let cookie = console_login(&app).await;
    let response = app
        .client
        .get(app.url("/incidents"))
        .header(ACCEPT, HTML)
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    let policy = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    for part in [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "'wasm-unsafe-eval'",
    ] {
        assert!(policy.contains(part), "{part} in {policy}");
    }
    let script_src = policy
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap();
    assert!(!script_src.contains("unsafe-inline"), "{script_src}");
    let nonce = script_src
        .split("'nonce-")
        .nth(1)
        .and_then(|n| n.split('\'').next())
        .unwrap()
        .to_owned();
    assert!(nonce.len() >= 16, "{nonce}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(headers.get("strict-transport-security").is_none());
    let html = response.text().await.unwrap();
    let scripts = html.matches("<script").count();
    assert!(scripts > 0);
    assert_eq!(
        html.matches(&format!("nonce=\"{nonce}\"")).count(),
        html.matches("<script").count(),
        "every inline script carries the nonce: {html}"
    );
    // A second page gets a nonce of its own.
    let again = app
        .client
        .get(app.url("/incidents"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert!(
        !again.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains(&nonce)
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn behind_https_cookies_are_host_bound_and_transport_is_strict(pool: PgPool) {
    let secure = Settings {
        public_url: "https://ops.example.com".into(),
        ..settings()
    };
    let app = spawn_with(pool, secure, Arc::new(ManualClock::new(start_time()))).await;
    let body = format!("username=admin&password={ADMIN_PASSWORD}");
    let response = form(
        &app,
        "/api/login",
        "/login",
        Some("https://ops.example.com"),
        None,
        &body,
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("__Host-opsroom_session="), "{cookie}");
    assert!(
        cookie.contains("; Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Domain"), "{cookie}");
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=63072000"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn after_login_only_paths_of_this_console_are_followed(pool: PgPool) {
    let app = spawn(pool).await;
    for (next, expected) in [
        ("%2Fusers%3Fpage%3D2", "/users?page=2"),
        ("%2F%09%2Fevil.example", "/"),
        ("%2F%2Fevil.example", "/"),
        ("https%3A%2F%2Fevil.example", "/"),
        ("%2F%5Cevil.example", "/"),
        ("%2Fa%0D%0ASet-Cookie%3A%20x%3D1", "/"),
    ] {
        let body = format!("username=admin&password={ADMIN_PASSWORD}&next={next}");
        let response = form(&app, "/api/login", "/login", Some(&app.base), None, &body).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{next}");
        assert_eq!(response.headers()[LOCATION], expected, "{next}");
        assert_eq!(response.headers().get_all(SET_COOKIE).iter().count(), 1);
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn login_input_is_bounded_before_any_work(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let audit = count(&pool, "SELECT count(*) FROM audit_log").await;
    for (username, password, field) in [
        ("a".repeat(5000), "x".to_owned(), "username"),
        ("admin\0".to_owned(), "x".to_owned(), "username"),
        ("admin".to_owned(), "p".repeat(10_000), "password"),
    ] {
        let response = app.login(&username, &password).await;
        let message = assert_error(response, 422, "OPS.0422").await;
        assert!(message.starts_with(field), "{message}");
        let body = format!(
            "username={}&password={}",
            form_urlencoded::byte_serialize(username.as_bytes()).collect::<String>(),
            password
        );
        let response = form(&app, "/api/login", "/login", Some(&app.base), None, &body).await;
        assert_ne!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
    assert_eq!(count(&pool, "SELECT count(*) FROM audit_log").await, audit);
    assert_eq!(count(&pool, "SELECT count(*) FROM login_failures").await, 0);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn parallel_guesses_cannot_pass_the_limit(pool: PgPool) {
    let app = Arc::new(spawn(pool.clone()).await);
    let admin = app.admin().await;
    app.create_user(&admin, "alice", "operator").await;
    let guesses = (0..16).map(|i| {
        let app = app.clone();
        tokio::spawn(async move { app.login("alice", &format!("guess-{i}")).await.status() })
    });
    let statuses: Vec<StatusCode> = futures::future::join_all(guesses)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    let limit = usize::try_from(app.state.settings.throttle.max_per_user).unwrap();
    assert_eq!((checked, refused), (limit, 16 - limit), "{statuses:?}");
    let recorded = count(
        &pool,
        "SELECT count(*) FROM audit_log WHERE action = 'login_failed'",
    )
    .await;
    assert_eq!(recorded, i64::try_from(limit).unwrap());
    // Even the right password waits now, from this address.
    let response = app.login("alice", "password-123").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
}

/// Logs in from `client`, as a trusted proxy at 127.0.0.1 reports it.
async fn login_from(app: &TestApp, client: &str, username: &str, password: &str) -> StatusCode {
    app.client
        .post(app.url("/v1/auth/tokens"))
        .header("x-forwarded-for", client)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_stranger_cannot_lock_a_person_out(pool: PgPool) {
    let behind_proxy = Settings {
        trusted_proxies: AddressList::parse("test", "127.0.0.1").unwrap(),
        ..settings()
    };
    let app = spawn_with(
        pool.clone(),
        behind_proxy,
        Arc::new(ManualClock::new(start_time())),
    )
    .await;
    let admin = app.admin().await;
    app.create_user(&admin, "alice", "operator").await;
    for _ in 0..8 {
        login_from(&app, "203.0.113.66", "alice", "guess").await;
    }
    assert_eq!(
        login_from(&app, "203.0.113.66", "alice", "password-123").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Alice, from her own address, is not locked out by the stranger's guesses.
    assert_eq!(
        login_from(&app, "198.51.100.10", "alice", "password-123").await,
        StatusCode::CREATED
    );
    let addresses: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT after->>'address' FROM audit_log WHERE action = 'login_failed'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(addresses, vec!["203.0.113.66".to_owned()]);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_forwarded_address_counts_only_from_a_trusted_proxy(pool: PgPool) {
    let strict = Settings {
        throttle: app::domain::auth::ThrottlePolicy {
            max_per_address: 3,
            ..Default::default()
        },
        ..settings()
    };
    let app = spawn_with(
        pool.clone(),
        strict,
        Arc::new(ManualClock::new(start_time())),
    )
    .await;
    // Without a trusted proxy, each guess claiming another address still counts for the peer.
    for i in 0..3 {
        login_from(
            &app,
            &format!("203.0.113.{i}"),
            &format!("user{i}"),
            "guess",
        )
        .await;
    }
    assert_eq!(
        login_from(&app, "203.0.113.99", "admin", ADMIN_PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    let addresses: Vec<String> = sqlx::query_scalar("SELECT DISTINCT address FROM login_failures")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(addresses, vec!["127.0.0.1".to_owned()]);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_failed_login_names_its_user_to_administrators_only(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    app.login("someone-secret", "wrong-password").await;
    let (object_id, after): (String, Value) =
        sqlx::query_as("SELECT object_id, after FROM audit_log WHERE action = 'login_failed'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(!object_id.contains("someone-secret"), "{object_id}");
    assert_eq!(after["username"], "someone-secret");
}
