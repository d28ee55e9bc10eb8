//! A real Opsroom server on a random port against the test's own fresh database, with every
//! `/v1` exchange checked against the OpenAPI document.

pub mod contract;

use app::domain::network::AddressList;
use app::service::bootstrap::ensure_first_admin;
use app::state::{ManualClock, Settings};
use chrono::{DateTime, SubsecRound, Utc};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use server::live::Hub;
use server::router::{app_state, leptos_options, router};
use sqlx::PgPool;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub const ADMIN_PASSWORD: &str = "admin-password-1";

pub struct TestApp {
    pub base: String,
    /// The server's own state, for calling what workers do.
    pub state: app::state::AppState,
    pub client: Client,
    pub clock: Arc<ManualClock>,
    contract: Arc<contract::Contract>,
    pub(crate) shutdown: CancellationToken,
    /// The live hub the server listens through, for starting its workers.
    pub hub: Hub,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
        let violations = self.contract.violations();
        if !violations.is_empty() && !std::thread::panicking() {
            panic!(
                "{} exchange(s) broke the OpenAPI document:\n{}",
                violations.len(),
                violations.join("\n")
            );
        }
    }
}

pub fn start_time() -> DateTime<Utc> {
    "2026-11-28T09:00:00Z"
        .parse::<DateTime<Utc>>()
        .unwrap()
        .trunc_subsecs(0)
}

/// Serves the whole application (REST, live events, pages) on 127.0.0.1 with a manual clock.
pub async fn spawn(pool: PgPool) -> TestApp {
    spawn_with(pool, settings(), Arc::new(ManualClock::new(start_time()))).await
}

/// The defaults, with this host allowed as a webhook receiver: the tests' receivers run here.
pub fn settings() -> Settings {
    Settings {
        webhook_allow: AddressList::parse("test", "127.0.0.1, localhost").unwrap(),
        ..Settings::default()
    }
}

pub async fn spawn_with(pool: PgPool, settings: Settings, clock: Arc<ManualClock>) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = app_state(
        pool.clone(),
        clock.clone(),
        settings,
        leptos_options("target/site", addr),
    );
    ensure_first_admin(&state, Some(ADMIN_PASSWORD.into()))
        .await
        .unwrap();
    let shutdown = CancellationToken::new();
    let hub = Hub::new(shutdown.clone());
    hub.spawn_listener(pool.clone());
    tokio::time::timeout(Duration::from_secs(10), hub.listening())
        .await
        .expect("the live listener listens");
    let contract = contract::Contract::new(state.openapi.clone());
    let app = router(state.clone(), hub.clone(), Duration::from_secs(10)).layer(
        axum::middleware::from_fn_with_state(contract.clone(), contract::check),
    );
    let stop = shutdown.clone();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move { stop.cancelled().await })
        .await
        .unwrap();
    });
    TestApp {
        base: format!("http://{addr}"),
        state,
        client: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        clock,
        contract,
        shutdown,
        hub,
    }
}

/// Ends the server's database sessions whose last statement starts with `statement`, as a
/// database restart would; one `true` per session ended.
pub async fn end_sessions(pool: &PgPool, statement: &str) -> Vec<bool> {
    sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND starts_with(query, $1)",
    )
    .bind(statement)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// Polls `check` until it returns something or `limit` passes: for what works on its own
/// timers or threads, so a test waits for what it must see rather than for a fixed time.
pub async fn eventually<T, F, Fut>(what: &str, limit: Duration, check: F) -> T
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = std::time::Instant::now();
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(started.elapsed() < limit, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

impl TestApp {
    /// Starts the graceful shutdown, as SIGTERM does.
    pub fn shut_down(&self) {
        self.shutdown.cancel();
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.client
            .post(self.url("/v1/auth/tokens"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap()
    }

    /// A token for `username`, asserting the login succeeds.
    pub async fn token(&self, username: &str, password: &str) -> String {
        let response = self.login(username, password).await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "login of {username}"
        );
        response.headers()["x-subject-token"]
            .to_str()
            .unwrap()
            .to_owned()
    }

    pub async fn admin(&self) -> String {
        self.token("admin", ADMIN_PASSWORD).await
    }

    pub async fn get(&self, token: &str, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .header("X-Auth-Token", token)
            .send()
            .await
            .unwrap()
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: Value,
    ) -> Response {
        self.client
            .request(method, self.url(path))
            .header("X-Auth-Token", token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Creates a user through the API (as admin) and returns its JSON.
    pub async fn create_user(&self, admin: &str, username: &str, role: &str) -> Value {
        let response = self
            .send(
                reqwest::Method::POST,
                admin,
                "/v1/users",
                json!({"username": username, "role": role, "password": "password-123"}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "create {username}");
        response.json().await.unwrap()
    }
}

/// Asserts an error answer: status, code, and that the body is exactly `{error_code, error_msg}`.
pub async fn assert_error(response: Response, status: u16, code: &str) -> String {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let body: Value = response.json().await.unwrap();
    let object = body.as_object().expect("an object");
    assert_eq!(object.len(), 2, "exactly error_code and error_msg: {body}");
    assert_eq!(body["error_code"], code, "{body}");
    let msg = body["error_msg"].as_str().unwrap().to_owned();
    assert!(!msg.is_empty());
    msg
}

impl TestApp {
    /// Takes `action` on the ticket at `base` (`/v1/incidents/3`) at the version `ticket` shows;
    /// asserts it worked and returns the ticket after it.
    pub async fn act(
        &self,
        token: &str,
        base: &str,
        ticket: &Value,
        action: &str,
        params: Value,
    ) -> Value {
        let response = self
            .send(
                reqwest::Method::POST,
                token,
                &format!("{base}/actions"),
                json!({"action": action, "params": params, "version": ticket["version"]}),
            )
            .await;
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
        body
    }

    /// Like [`TestApp::act`], for an action that must be refused with `status` and `code`;
    /// returns the message.
    #[allow(clippy::too_many_arguments)]
    pub async fn refuse(
        &self,
        token: &str,
        base: &str,
        ticket: &Value,
        action: &str,
        params: Value,
        status: u16,
        code: &str,
    ) -> String {
        let response = self
            .send(
                reqwest::Method::POST,
                token,
                &format!("{base}/actions"),
                json!({"action": action, "params": params, "version": ticket["version"]}),
            )
            .await;
        assert_error(response, status, code).await
    }

    /// The actions `token`'s holder may take on the ticket at `base`.
    pub async fn allowed(&self, token: &str, base: &str) -> Vec<String> {
        let body: Value = self
            .get(token, &format!("{base}/actions"))
            .await
            .json()
            .await
            .unwrap();
        body["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_owned())
            .collect()
    }

    /// Sends `body` and asserts `status`; returns the JSON answer.
    pub async fn expect(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: Value,
        status: StatusCode,
    ) -> Value {
        let response = self.send(method.clone(), token, path, body).await;
        let got = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(got, status, "{method} {path}: {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }
}
