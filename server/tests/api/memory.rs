//! Logins cannot push the server into the out-of-memory killer: password hashing runs on a
//! small pool whose threads reuse their working memory, so 200 logins at once leave the real
//! server binary's resident memory within a fixed bound of where one login left it.

use crate::crash::{ready, start_with};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use std::time::Duration;

/// How far 200 concurrent logins may move resident memory above its level after the first
/// login (when the hashing threads have made their working memory).
const BOUND_MIB: u64 = 48;

fn resident_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[sqlx::test(migrations = "./migrations")]
async fn two_hundred_concurrent_logins_leave_memory_within_a_bound(pool: PgPool) {
    let (database_url, port) = crate::crash::database_and_port(&pool);
    let server = start_with(
        &database_url,
        port,
        &[
            ("OPSROOM_LOGIN_MAX_FAILURES", "100000"),
            ("OPSROOM_LOGIN_MAX_FAILURES_PER_ADDRESS", "100000"),
        ],
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    ready(&client, &base).await;
    let login = |username: String| {
        let client = client.clone();
        let url = format!("{base}/v1/auth/tokens");
        async move {
            client
                .post(url)
                .json(&json!({"username": username, "password": "not-the-password"}))
                .send()
                .await
                .map(|r| r.status())
        }
    };
    // Warm up: every hashing thread makes its working memory once.
    for i in 0..8 {
        login(format!("warm-{i}")).await.unwrap();
    }
    let warm = resident_kib(server.0.id());
    let all = futures::future::join_all((0..200).map(|i| login(format!("nobody-{i}")))).await;
    let statuses: Vec<StatusCode> = all.into_iter().map(Result::unwrap).collect();
    assert!(
        statuses
            .iter()
            .all(|s| [StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS].contains(s)),
        "{statuses:?}"
    );
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert!(
        checked >= 64,
        "the pool checked what it could queue: {checked}"
    );
    let after = resident_kib(server.0.id());
    eprintln!("resident memory: {warm} KiB after warm-up, {after} KiB after 200 logins");
    assert!(
        after <= warm + BOUND_MIB * 1024,
        "resident memory went from {warm} KiB to {after} KiB"
    );
}
