//! The audit log over real HTTP: every mutation recorded, filters, and the hash chain.

use crate::common::{assert_error, spawn};
use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

async fn records(app: &crate::common::TestApp, token: &str, query: &str) -> Vec<Value> {
    let page: Value = app
        .get(token, &format!("/v1/audit-logs?per_page=200&{query}"))
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().clone()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_user_mutation_is_recorded_with_before_and_after(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let user = app.create_user(&admin, "ivy", "viewer").await;
    let path = format!("/v1/users/{}", user["id"]);
    app.send(
        Method::PATCH,
        &admin,
        &path,
        json!({"role": "operator", "version": 1}),
    )
    .await;
    app.send(
        Method::PATCH,
        &admin,
        &path,
        json!({"active": false, "version": 2}),
    )
    .await;
    app.send(
        Method::PUT,
        &admin,
        &format!("{path}/password"),
        json!({"new_password": "another-1", "version": 3}),
    )
    .await;

    let rows = records(&app, &admin, "object_type=user&sort=id").await;
    let actions: Vec<_> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        ["create", "create", "update", "deactivate", "reset_password"]
    );
    let update = &rows[2];
    assert_eq!(update["actor_name"], "admin");
    assert_eq!(update["method"], "api");
    assert_eq!(update["object_id"], user["id"].to_string());
    assert_eq!(update["before"]["role"], "viewer");
    assert_eq!(update["after"]["role"], "operator");
    assert!(
        !rows.iter().any(|r| r.to_string().contains("argon2")),
        "no password hash leaks"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn filters_by_actor_type_action_and_time(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    app.create_user(&admin, "early", "viewer").await;
    app.clock.advance(Duration::hours(2));
    app.create_user(&admin, "late", "viewer").await;

    let by_action = records(&app, &admin, "action=create&object_type=user&actor=admin").await;
    assert_eq!(by_action.len(), 2);
    let late = records(&app, &admin, "object_type=user&from=2026-11-28T10:00:00Z").await;
    assert_eq!(late.len(), 1);
    assert_eq!(late[0]["after"]["username"], "late");
    let early = records(
        &app,
        &admin,
        "object_type=user&actor=admin&to=2026-11-28T10:00:00Z",
    )
    .await;
    assert_eq!(early[0]["after"]["username"], "early");
    assert!(records(&app, &admin, "actor=nobody").await.is_empty());
    assert_error(
        app.get(&admin, "/v1/audit-logs?from=yesterday").await,
        422,
        "OPS.0422",
    )
    .await;
    let backwards = app
        .get(
            &admin,
            "/v1/audit-logs?from=2026-11-29T00:00:00Z&to=2026-11-28T00:00:00Z",
        )
        .await;
    assert_error(backwards, 422, "OPS.0422").await;
}

async fn verify(app: &crate::common::TestApp, token: &str) -> Value {
    let response = app.get(token, "/v1/audit-logs/verify").await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_intact_chain_verifies(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    for i in 0..5 {
        app.create_user(&admin, &format!("user-{i}"), "viewer")
            .await;
    }
    // first admin + token + 5 users
    assert_eq!(
        verify(&app, &admin).await,
        json!({"ok": true, "rows": 7, "anchor": "none"})
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn concurrent_mutations_still_form_one_chain(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let creations = (0..16).map(|i| {
        let app = &app;
        let admin = admin.clone();
        async move {
            app.send(
                Method::POST,
                &admin,
                "/v1/users",
                json!({"username": format!("c-{i}"), "role": "viewer", "password": "password-1"}),
            )
            .await
            .status()
        }
    });
    let statuses = futures::future::join_all(creations).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::CREATED),
        "{statuses:?}"
    );
    assert_eq!(
        verify(&app, &admin).await,
        json!({"ok": true, "rows": 18, "anchor": "none"})
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_log_refuses_updates_and_deletes(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    app.admin().await;
    let update = sqlx::query("UPDATE audit_log SET actor_name = 'mallory'")
        .execute(&pool)
        .await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = sqlx::query("DELETE FROM audit_log").execute(&pool).await;
    assert!(delete.is_err());
    let truncate = sqlx::query("TRUNCATE audit_log").execute(&pool).await;
    assert!(truncate.is_err());
}

/// What an attacker with superuser access does first: switch off the append-only trigger.
async fn turn_off_the_guard(pool: &PgPool) {
    sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
        .execute(pool)
        .await
        .unwrap();
}

/// Someone with superuser access turns the guard off and edits history; the chain notices.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn tampering_is_detected_at_the_first_broken_row(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    for i in 0..3 {
        app.create_user(&admin, &format!("t-{i}"), "viewer").await;
    }
    turn_off_the_guard(&pool).await;
    sqlx::query(
        "UPDATE audit_log SET after = jsonb_set(after, '{role}', '\"admin\"') WHERE id = 3",
    )
    .execute(&pool)
    .await
    .unwrap();
    let report = verify(&app, &admin).await;
    assert_eq!(report["ok"], false);
    assert_eq!(report["broken_at"], 3);
    assert_eq!(report["rows"], 2);
    assert!(report["reason"].as_str().unwrap().contains("contents"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_deleted_row_is_detected(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    for i in 0..3 {
        app.create_user(&admin, &format!("d-{i}"), "viewer").await;
    }
    turn_off_the_guard(&pool).await;
    sqlx::query("DELETE FROM audit_log WHERE id = 4")
        .execute(&pool)
        .await
        .unwrap();
    let report = verify(&app, &admin).await;
    assert_eq!(
        (report["ok"].as_bool(), report["broken_at"].as_i64()),
        (Some(false), Some(5))
    );

    sqlx::query("DELETE FROM audit_log WHERE id >= 4")
        .execute(&pool)
        .await
        .unwrap();
    let report = verify(&app, &admin).await;
    assert_eq!(report["ok"], false, "a truncated tail is noticed: {report}");
}

/// Rewrites a row's `after` and every hash from it on, as someone with the database alone
/// could, head included: the chain itself then verifies again.
async fn rewrite_history(pool: &PgPool, id: i64) {
    turn_off_the_guard(pool).await;
    sqlx::query("UPDATE audit_log SET after = '{\"rewritten\": true}' WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    let mut conn = pool.acquire().await.unwrap();
    let rows = app::store::audit::batch_after(&mut conn, 0, 10_000)
        .await
        .unwrap();
    let mut prev = app::domain::audit::GENESIS_HASH.to_owned();
    for mut row in rows {
        row.prev_hash = prev.clone();
        row.hash = app::domain::audit::chain_hash(&prev, &row);
        sqlx::query("UPDATE audit_log SET prev_hash = $2, hash = $3 WHERE id = $1")
            .bind(row.id)
            .bind(&row.prev_hash)
            .bind(&row.hash)
            .execute(&mut *conn)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_chain_head SET last_id = $1, last_hash = $2")
            .bind(row.id)
            .bind(&row.hash)
            .execute(&mut *conn)
            .await
            .unwrap();
        prev = row.hash;
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_rewrite_of_the_whole_chain_is_caught_by_its_signed_checkpoint(pool: PgPool) {
    let keyed = app::state::Settings {
        audit_key: Some(app::state::AuditKey(b"k".repeat(32))),
        ..crate::common::settings()
    };
    let app = crate::common::spawn_with(
        pool.clone(),
        keyed,
        std::sync::Arc::new(app::state::ManualClock::new(crate::common::start_time())),
    )
    .await;
    let admin = app.admin().await;
    for i in 0..3 {
        app.create_user(&admin, &format!("user-{i}"), "viewer")
            .await;
    }
    let before = verify(&app, &admin).await;
    assert_eq!(
        (before["ok"].as_bool(), before["anchor"].as_str()),
        (Some(true), Some("hmac"))
    );
    assert!(
        before.get("anchored_through").is_none(),
        "nothing signed yet: {before}"
    );
    assert!(app::service::audit::checkpoint(&app.state).await.unwrap());
    // Once a minute at most, and only when the head moved.
    assert!(!app::service::audit::checkpoint(&app.state).await.unwrap());
    let head: i64 = sqlx::query_scalar("SELECT last_id FROM audit_chain_head")
        .fetch_one(&pool)
        .await
        .unwrap();
    let signed = verify(&app, &admin).await;
    assert_eq!(signed["ok"], true);
    assert_eq!(signed["anchored_through"], head);

    rewrite_history(&pool, 2).await;
    let report = verify(&app, &admin).await;
    assert_eq!(report["ok"], false, "{report}");
    // The checkpoint covers the rows up to the head it signed: the rewrite shows there.
    assert_eq!(report["broken_at"], head, "{report}");
    assert!(
        report["reason"]
            .as_str()
            .unwrap()
            .contains("after a signed checkpoint"),
        "{report}"
    );
    // Without the key the same rewrite goes unseen: that is what the key is for.
    let unkeyed = spawn(pool).await;
    let admin = unkeyed.admin().await;
    let plain = verify(&unkeyed, &admin).await;
    assert_eq!(
        (plain["ok"].as_bool(), plain["anchor"].as_str()),
        (Some(true), Some("none"))
    );
}
