//! Tokens and sessions over real HTTP: issue, use, expire, revoke, throttle.

use crate::common::{ADMIN_PASSWORD, assert_error, spawn};
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_token_is_issued_in_the_header_and_works_both_ways(pool: PgPool) {
    let app = spawn(pool).await;
    let response = app.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let token = response.headers()["x-subject-token"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(token.len(), 64);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token"]["user"]["username"], "admin");
    assert_eq!(body["token"]["user"]["role"], "admin");
    assert_eq!(body["token"]["expires_at"], "2026-11-29T09:00:00Z");
    assert!(
        !body.to_string().contains(&token),
        "the secret is only in the header"
    );

    let by_header = app.get(&token, "/v1/profile").await;
    assert_eq!(by_header.status(), StatusCode::OK);
    let by_bearer = app
        .client
        .get(app.url("/v1/profile"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(by_bearer.status(), StatusCode::OK);
    let me: Value = by_bearer.json().await.unwrap();
    assert_eq!(me["username"], "admin");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn tokens_are_stored_as_digests(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let token = app.admin().await;
    let stored: Vec<String> = sqlx::query_scalar("SELECT digest FROM auth_tokens")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], token);
    assert_eq!(stored[0], app::domain::auth::token_digest(&token));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn missing_bad_and_expired_tokens_are_401(pool: PgPool) {
    let app = spawn(pool).await;
    let none = app.client.get(app.url("/v1/users")).send().await.unwrap();
    assert_error(none, 401, "OPS.0401").await;
    assert_error(app.get("not-a-token", "/v1/users").await, 401, "OPS.0401").await;

    let token = app.admin().await;
    app.clock.advance(Duration::hours(23));
    assert_eq!(app.get(&token, "/v1/users").await.status(), StatusCode::OK);
    app.clock.advance(Duration::hours(1));
    assert_error(app.get(&token, "/v1/users").await, 401, "OPS.0401").await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn delete_revokes_only_the_callers_token(pool: PgPool) {
    let app = spawn(pool).await;
    let first = app.admin().await;
    let second = app.admin().await;
    let response = app
        .client
        .delete(app.url("/v1/auth/tokens"))
        .header("X-Auth-Token", &first)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_error(app.get(&first, "/v1/profile").await, 401, "OPS.0401").await;
    assert_eq!(
        app.get(&second, "/v1/profile").await.status(),
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn wrong_passwords_and_unknown_users_look_the_same(pool: PgPool) {
    let app = spawn(pool).await;
    let wrong = assert_error(app.login("admin", "nope-nope").await, 401, "OPS.1001").await;
    let unknown = assert_error(app.login("ghost", "nope-nope").await, 401, "OPS.1001").await;
    assert_eq!(wrong, unknown);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bad_login_bodies_are_400_and_422(pool: PgPool) {
    let app = spawn(pool).await;
    let malformed = app
        .client
        .post(app.url("/v1/auth/tokens"))
        .header("content-type", "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .unwrap();
    assert_error(malformed, 400, "OPS.0400").await;
    let missing = app
        .client
        .post(app.url("/v1/auth/tokens"))
        .json(&json!({"username": "admin"}))
        .send()
        .await
        .unwrap();
    let msg = assert_error(missing, 422, "OPS.0422").await;
    assert!(msg.contains("password"), "{msg}");
    let not_json = app
        .client
        .post(app.url("/v1/auth/tokens"))
        .body("username=admin")
        .send()
        .await
        .unwrap();
    assert_error(not_json, 400, "OPS.0400").await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn repeated_failures_are_throttled_until_the_window_passes(pool: PgPool) {
    let app = spawn(pool).await;
    for _ in 0..5 {
        assert_error(app.login("admin", "wrong-password").await, 401, "OPS.1001").await;
    }
    let throttled = app.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.headers()["retry-after"], "900");
    assert_error(throttled, 429, "OPS.0429").await;

    app.clock.advance(Duration::minutes(15));
    assert_eq!(
        app.login("admin", ADMIN_PASSWORD).await.status(),
        StatusCode::CREATED
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn one_address_is_throttled_across_usernames(pool: PgPool) {
    let app = spawn(pool).await;
    for i in 0..20 {
        assert_error(
            app.login(&format!("user{i}"), "wrong-password").await,
            401,
            "OPS.1001",
        )
        .await;
    }
    assert_error(app.login("admin", ADMIN_PASSWORD).await, 429, "OPS.0429").await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_success_forgives_earlier_failures(pool: PgPool) {
    let app = spawn(pool).await;
    for _ in 0..4 {
        app.login("admin", "wrong-password").await;
    }
    app.admin().await;
    for _ in 0..4 {
        assert_error(app.login("admin", "wrong-password").await, 401, "OPS.1001").await;
    }
    assert_eq!(
        app.login("admin", ADMIN_PASSWORD).await.status(),
        StatusCode::CREATED
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn deactivated_users_cannot_log_in_and_lose_their_tokens(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    let user = app.create_user(&admin, "oscar", "operator").await;
    let oscar = app.token("oscar", "password-123").await;
    let patch = app
        .send(
            reqwest::Method::PATCH,
            &admin,
            &format!("/v1/users/{}", user["id"]),
            json!({"active": false, "version": user["version"]}),
        )
        .await;
    assert_eq!(patch.status(), StatusCode::OK);
    assert_error(app.get(&oscar, "/v1/profile").await, 401, "OPS.0401").await;
    assert_error(app.login("oscar", "password-123").await, 401, "OPS.1002").await;
    // The attempt is on the record, with why it was refused.
    let refused: Value = sqlx::query_scalar(
        "SELECT after FROM audit_log WHERE action = 'login_failed' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (refused["username"].as_str(), refused["reason"].as_str()),
        (Some("oscar"), Some("deactivated"))
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn logins_and_failures_are_audited(pool: PgPool) {
    let app = spawn(pool).await;
    app.login("admin", "wrong-password").await;
    let token = app.admin().await;
    let page: Value = app
        .get(&token, "/v1/audit-logs?sort=id")
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<(&str, &str)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["object_type"].as_str().unwrap(),
                r["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("user", "create"),
            ("session", "login_failed"),
            ("api_token", "create")
        ]
    );
    let failed = &page["items"][1];
    assert_eq!(failed["actor_name"], "anonymous");
    assert_eq!(failed["after"]["username"], "admin");
    assert_eq!(page["items"][2]["method"], "api");
}
