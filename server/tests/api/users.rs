//! User administration and the caller's profile over real HTTP.

use crate::common::{assert_error, spawn};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_admin_creates_a_user_who_can_then_log_in(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let response = app
        .send(
            Method::POST,
            &admin,
            "/v1/users",
            json!({"username": "  nora ", "display_name": "Nora Berg", "email": "nora@example.com",
                   "phone": "+47 555 0199", "role": "operator", "password": "long-enough"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let user: Value = response.json().await.unwrap();
    assert_eq!(user["username"], "nora");
    assert_eq!(user["role"], "operator");
    assert_eq!(user["active"], true);
    assert_eq!(user["version"], 1);
    assert!(user.get("password_hash").is_none() && user.get("password").is_none());
    app.token("nora", "long-enough").await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn invalid_fields_are_422_naming_the_field_and_change_nothing(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    let cases = [
        (
            json!({"username": "ab", "role": "viewer", "password": "password-1"}),
            "username",
        ),
        (
            json!({"username": "Bad Name", "role": "viewer", "password": "password-1"}),
            "username",
        ),
        (
            json!({"username": "okname", "role": "viewer", "password": "short"}),
            "password",
        ),
        (
            json!({"username": "okname", "role": "viewer", "password": "password-1", "email": "x@"}),
            "email",
        ),
        (
            json!({"username": "okname", "role": "root", "password": "password-1"}),
            "role",
        ),
        (
            json!({"username": "okname", "password": "password-1"}),
            "role",
        ),
    ];
    for (body, field) in cases {
        let msg = assert_error(
            app.send(Method::POST, &admin, "/v1/users", body).await,
            422,
            "OPS.0422",
        )
        .await;
        assert!(msg.contains(field), "{msg} should name {field}");
    }
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(users, 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_taken_username_is_409(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    app.create_user(&admin, "dup", "viewer").await;
    let again = app
        .send(
            Method::POST,
            &admin,
            "/v1/users",
            json!({"username": "dup", "role": "viewer", "password": "password-1"}),
        )
        .await;
    let msg = assert_error(again, 409, "OPS.0409").await;
    assert!(msg.contains("dup"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn operators_and_viewers_are_refused_administration(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let target = app.create_user(&admin, "target", "viewer").await;
    for role in ["operator", "viewer"] {
        app.create_user(&admin, role, role).await;
        let token = app.token(role, "password-123").await;
        assert_error(app.get(&token, "/v1/users").await, 403, "OPS.0403").await;
        let create = app
            .send(
                Method::POST,
                &token,
                "/v1/users",
                json!({"username": "x-y-z", "role": "admin", "password": "password-1"}),
            )
            .await;
        assert_error(create, 403, "OPS.0403").await;
        let other = format!("/v1/users/{}", target["id"]);
        // Another person's account is not found (an id reveals nothing).
        assert_error(app.get(&token, &other).await, 404, "OPS.0404").await;
        let patch = app
            .send(
                Method::PATCH,
                &token,
                &other,
                json!({"role": "admin", "version": 1}),
            )
            .await;
        assert_error(patch, 403, "OPS.0403").await;
        assert_error(app.get(&token, "/v1/audit-logs").await, 403, "OPS.0403").await;
        // Reading oneself is allowed.
        let me: Value = app.get(&token, "/v1/profile").await.json().await.unwrap();
        assert_eq!(
            app.get(&token, &format!("/v1/users/{}", me["id"]))
                .await
                .status(),
            StatusCode::OK
        );
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn unknown_ids_are_404(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    assert_error(app.get(&admin, "/v1/users/999999").await, 404, "OPS.0404").await;
    assert_error(app.get(&admin, "/v1/users/abc").await, 404, "OPS.0404").await;
    let patch = app
        .send(
            Method::PATCH,
            &admin,
            "/v1/users/999999",
            json!({"version": 1}),
        )
        .await;
    assert_error(patch, 404, "OPS.0404").await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_stale_version_is_409_and_changes_nothing(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let user = app.create_user(&admin, "vera", "viewer").await;
    let path = format!("/v1/users/{}", user["id"]);
    let first = app
        .send(
            Method::PATCH,
            &admin,
            &path,
            json!({"role": "operator", "version": 1}),
        )
        .await;
    assert_eq!(first.status(), StatusCode::OK);
    let first: Value = first.json().await.unwrap();
    assert_eq!(
        (first["role"].as_str(), first["version"].as_i64()),
        (Some("operator"), Some(2))
    );

    let stale = app
        .send(
            Method::PATCH,
            &admin,
            &path,
            json!({"role": "admin", "version": 1}),
        )
        .await;
    let msg = assert_error(stale, 409, "OPS.0410").await;
    assert!(msg.contains("version 2"), "{msg}");
    let now: Value = app.get(&admin, &path).await.json().await.unwrap();
    assert_eq!(
        (now["role"].as_str(), now["version"].as_i64()),
        (Some("operator"), Some(2))
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_last_active_admin_cannot_be_demoted_or_deactivated(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let me: Value = app.get(&admin, "/v1/profile").await.json().await.unwrap();
    let path = format!("/v1/users/{}", me["id"]);
    for body in [
        json!({"role": "operator", "version": 1}),
        json!({"active": false, "version": 1}),
    ] {
        assert_error(
            app.send(Method::PATCH, &admin, &path, body).await,
            409,
            "OPS.0409",
        )
        .await;
    }
    app.create_user(&admin, "second", "admin").await;
    let demote = app
        .send(
            Method::PATCH,
            &admin,
            &path,
            json!({"role": "operator", "version": 1}),
        )
        .await;
    assert_eq!(demote.status(), StatusCode::OK);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_admin_resets_a_password_and_the_users_sessions_end(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let user = app.create_user(&admin, "rita", "operator").await;
    let rita = app.token("rita", "password-123").await;
    let path = format!("/v1/users/{}/password", user["id"]);
    let short = app
        .send(
            Method::PUT,
            &admin,
            &path,
            json!({"new_password": "x", "version": 1}),
        )
        .await;
    let msg = assert_error(short, 422, "OPS.0422").await;
    assert!(msg.starts_with("new_password"), "{msg}");
    let reset = app
        .send(
            Method::PUT,
            &admin,
            &path,
            json!({"new_password": "fresh-pass-9", "version": 1}),
        )
        .await;
    assert_eq!(reset.status(), StatusCode::OK);
    assert_error(app.get(&rita, "/v1/profile").await, 401, "OPS.0401").await;
    assert_error(app.login("rita", "password-123").await, 401, "OPS.1001").await;
    app.token("rita", "fresh-pass-9").await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn users_edit_their_own_profile_and_password(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    app.create_user(&admin, "paul", "viewer").await;
    let paul = app.token("paul", "password-123").await;
    let other_session = app.token("paul", "password-123").await;

    let saved = app
        .send(
            Method::PATCH,
            &paul,
            "/v1/profile",
            json!({"display_name": "Paul P.", "phone": "+1 555", "version": 1}),
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let saved: Value = saved.json().await.unwrap();
    assert_eq!(
        (saved["display_name"].as_str(), saved["role"].as_str()),
        (Some("Paul P."), Some("viewer"))
    );
    let bad = app
        .send(
            Method::PATCH,
            &paul,
            "/v1/profile",
            json!({"email": "nope", "version": 2}),
        )
        .await;
    assert_error(bad, 422, "OPS.0422").await;

    let wrong = app
        .send(
            Method::PUT,
            &paul,
            "/v1/profile/password",
            json!({"current_password": "guess-guess", "new_password": "new-password-1"}),
        )
        .await;
    let msg = assert_error(wrong, 422, "OPS.0422").await;
    assert!(msg.starts_with("current_password"), "{msg}");
    let changed = app
        .send(
            Method::PUT,
            &paul,
            "/v1/profile/password",
            json!({"current_password": "password-123", "new_password": "new-password-1"}),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get(&paul, "/v1/profile").await.status(), StatusCode::OK);
    assert_error(
        app.get(&other_session, "/v1/profile").await,
        401,
        "OPS.0401",
    )
    .await;
    app.token("paul", "new-password-1").await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn lists_filter_sort_and_page(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    for (name, role) in [
        ("ann", "viewer"),
        ("bob", "operator"),
        ("cat", "operator"),
        ("dan", "viewer"),
    ] {
        app.create_user(&admin, name, role).await;
    }
    let page: Value = app
        .get(&admin, "/v1/users?role=operator")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 2);
    let page: Value = app
        .get(&admin, "/v1/users?sort=-username&per_page=2&page=2")
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<_> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["bob", "ann"]);
    assert_eq!(
        (
            page["total"].as_i64(),
            page["page"].as_i64(),
            page["per_page"].as_i64()
        ),
        (Some(5), Some(2), Some(2))
    );
    let page: Value = app
        .get(&admin, "/v1/users?q=AD")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"][0]["username"], "admin");
    assert_error(
        app.get(&admin, "/v1/users?per_page=500").await,
        422,
        "OPS.0422",
    )
    .await;
    assert_error(
        app.get(&admin, "/v1/users?sort=password_hash").await,
        422,
        "OPS.0422",
    )
    .await;
    assert_error(app.get(&admin, "/v1/users?page=abc").await, 400, "OPS.0400").await;
}
