//! Zero loss under a crash: the real server binary takes a steady stream of pushes, is killed
//! with SIGKILL in the middle of it and started again; every event that got a 2xx is stored, and
//! the clients' retries of what failed around the crash made no duplicate alarms.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

const CLIENTS: usize = 8;
const EVENTS_PER_CLIENT: usize = 150;
/// Acknowledged pushes before the kill, so it lands mid-stream.
const KILL_AFTER: usize = 300;
const PASSWORD: &str = "crash-admin-password";

/// The real server binary, killed when dropped.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(database_url: &str, port: u16) -> Server {
    start_with(database_url, port, &[])
}

/// Starts the server binary on `port` against `database_url`, with extra environment.
pub fn start_with(database_url: &str, port: u16, env: &[(&str, &str)]) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .env("DATABASE_URL", database_url)
        .env("OPSROOM_ADDR", format!("127.0.0.1:{port}"))
        .env("OPSROOM_ADMIN_PASSWORD", PASSWORD)
        .env("OPSROOM_DEMO_DATA", "false")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    Server(command.spawn().expect("start the server binary"))
}

/// The URL of the test's own database, and a free port for a server.
pub fn database_and_port(pool: &PgPool) -> (String, u16) {
    let base_url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let database = pool.connect_options().get_database().unwrap().to_owned();
    let database_url = format!("{}/{database}", base_url.rsplit_once('/').unwrap().0);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    (database_url, port)
}

/// Waits until the server answers its health check (it starts in well under a second).
pub async fn ready(client: &reqwest::Client, base: &str) {
    let started = Instant::now();
    while client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .map(|r| !r.status().is_success())
        .unwrap_or(true)
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[sqlx::test(migrations = "./migrations")]
async fn every_acknowledged_event_survives_a_kill_9_and_retries_make_no_duplicates(pool: PgPool) {
    let (database_url, port) = database_and_port(&pool);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let server = Arc::new(Mutex::new(start(&database_url, port)));
    ready(&client, &base).await;

    let login = client
        .post(format!("{base}/v1/auth/tokens"))
        .json(&json!({"username": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let token = login.headers()["x-subject-token"]
        .to_str()
        .unwrap()
        .to_owned();
    let source: Value = client
        .post(format!("{base}/v1/data-sources"))
        .header("X-Auth-Token", &token)
        .json(&json!({"name": "load", "kind": "generic"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let push = format!("{base}{}", source["push_path"].as_str().unwrap());

    let acked = Arc::new(AtomicUsize::new(0));
    let clients = (0..CLIENTS).map(|c| {
        let (client, push, acked) = (client.clone(), push.clone(), acked.clone());
        tokio::spawn(async move {
            let mut keys = Vec::new();
            let mut failures = 0;
            for n in 0..EVENTS_PER_CLIENT {
                let key = format!("client-{c}/event-{n}");
                let event = json!({"dedup_key": key, "name": "load", "level": "minor"});
                // Like any monitoring system: retry what did not get a 2xx, until it does.
                let started = Instant::now();
                loop {
                    match client.post(&push).json(&event).send().await {
                        Ok(r) if r.status() == StatusCode::ACCEPTED => break,
                        _ => {
                            failures += 1;
                            assert!(
                                started.elapsed() < Duration::from_secs(60),
                                "never accepted"
                            );
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    }
                }
                acked.fetch_add(1, Ordering::SeqCst);
                keys.push(key);
            }
            (keys, failures)
        })
    });
    let clients: Vec<_> = clients.collect();

    // Kill -9 mid-stream, then start again on the same port and database.
    while acked.load(Ordering::SeqCst) < KILL_AFTER {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    {
        let mut server = server.lock().await;
        server.0.kill().expect("SIGKILL");
        server.0.wait().unwrap();
        let at_kill = acked.load(Ordering::SeqCst);
        assert!(
            at_kill < CLIENTS * EVENTS_PER_CLIENT,
            "the kill came after the load ended"
        );
        *server = start(&database_url, port);
    }
    ready(&client, &base).await;

    let mut sent = HashSet::new();
    let mut retries = 0;
    for c in clients {
        let (keys, failures) = c.await.unwrap();
        retries += failures;
        sent.extend(keys);
    }
    assert_eq!(sent.len(), CLIENTS * EVENTS_PER_CLIENT);
    assert!(retries > 0, "the crash interrupted some pushes");

    let stored: Vec<(String, i64)> =
        sqlx::query_as("SELECT dedup_key, count(*) FROM alarms GROUP BY dedup_key")
            .fetch_all(&pool)
            .await
            .unwrap();
    let stored_keys: HashSet<String> = stored.iter().map(|(k, _)| k.clone()).collect();
    let lost: Vec<&String> = sent.difference(&stored_keys).collect();
    assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");
    let duplicated: Vec<&(String, i64)> = stored.iter().filter(|(_, n)| *n > 1).collect();
    assert!(
        duplicated.is_empty(),
        "retries made duplicates: {duplicated:?}"
    );
    assert_eq!(stored.len(), sent.len());
}
