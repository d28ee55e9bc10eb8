//! Every constraint of the schema means something to a client: the table in
//! `app::store::constraints` lists each one (checked against the live catalogue), and every one
//! a client can reach answers a 409 naming what holds it, through the API, changing nothing.

use crate::common::{TestApp, assert_error, spawn};
use app::store::constraints::{CONSTRAINTS, Meaning};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::BTreeSet;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_constraint_of_the_schema_has_a_meaning(pool: PgPool) {
    let live: BTreeSet<String> = sqlx::query_scalar(
        "SELECT conname::text FROM pg_constraint \
          WHERE connamespace = 'public'::regnamespace AND contype IN ('f', 'u', 'c', 'x') \
         UNION \
         SELECT indexrelid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid \
          WHERE i.indisunique AND NOT i.indisprimary AND c.relnamespace = 'public'::regnamespace \
            AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = i.indexrelid)",
    )
    .fetch_all(&pool)
    .await
    .unwrap()
    .into_iter()
    .collect();
    let listed: BTreeSet<String> = CONSTRAINTS.iter().map(|(n, _)| (*n).to_owned()).collect();
    assert_eq!(
        live.difference(&listed).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "constraints without a meaning in app::store::constraints"
    );
    assert_eq!(
        listed.difference(&live).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "meanings of constraints the schema no longer has"
    );
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    app.expect(Method::POST, token, path, body, StatusCode::CREATED)
        .await
}

/// Sends what a constraint refuses; asserts the 409, that its message names `words`, and that
/// the database is unchanged.
async fn refused(
    app: &TestApp,
    pool: &PgPool,
    token: &str,
    (method, path, body): (Method, String, Value),
    words: &[&str],
) {
    let before = crate::roles::everything(pool).await;
    let msg = assert_error(app.send(method, token, &path, body).await, 409, "OPS.0409").await;
    for word in words {
        assert!(msg.contains(word), "{path}: '{word}' in {msg}");
    }
    assert_eq!(
        crate::roles::everything(pool).await,
        before,
        "{path} changed something"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_second_of_anything_unique_is_a_409_naming_it(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    let shop = post(&app, &admin, "/v1/applications", json!({"name": "shop"})).await;
    let api = post(
        &app,
        &admin,
        "/v1/components",
        json!({"application_id": shop["id"], "name": "api"}),
    )
    .await;
    let schedule = post(
        &app,
        &admin,
        "/v1/schedules",
        json!({"name": "web", "time_zone": "UTC"}),
    )
    .await;
    let first = [
        (
            "users_username_key",
            "/v1/users".to_owned(),
            json!({"username": "alice", "role": "operator", "password": "password-123"}),
            "alice",
        ),
        (
            "resources_identity",
            "/v1/resources".to_owned(),
            json!({"name": "web-1", "type": "host", "provider": "aws", "region": "eu-1"}),
            "web-1, aws, eu-1",
        ),
        (
            "applications_name",
            "/v1/applications".to_owned(),
            json!({"name": "billing"}),
            "billing",
        ),
        (
            "components_name",
            "/v1/components".to_owned(),
            json!({"application_id": shop["id"], "name": "web"}),
            "web",
        ),
        (
            "groups_name",
            "/v1/groups".to_owned(),
            json!({"component_id": api["id"], "name": "prod-eu", "environment": "prod"}),
            "prod-eu",
        ),
        (
            "schedules_name",
            "/v1/schedules".to_owned(),
            json!({"name": "databases", "time_zone": "UTC"}),
            "databases",
        ),
        (
            "schedule_roles_name",
            format!("/v1/schedules/{}/roles", schedule["id"]),
            json!({"name": "primary", "members": [1]}),
            "primary",
        ),
        (
            "war_room_rules_name_key",
            "/v1/war-room-rules".to_owned(),
            json!({"name": "payments on-call", "levels": ["P1"], "schedule_id": schedule["id"],
                   "schedule_role": "primary"}),
            "payments on-call",
        ),
        (
            "data_sources_name_key",
            "/v1/data-sources".to_owned(),
            json!({"name": "prometheus", "kind": "alertmanager"}),
            "prometheus",
        ),
        (
            "forwarding_rules_name_key",
            "/v1/forwarding-rules".to_owned(),
            json!({"name": "drop probes", "enabled": true, "groups": [], "action": {"type": "drop"}}),
            "drop probes",
        ),
    ];
    for (constraint, path, body, value) in first {
        assert!(
            matches!(
                app::store::constraints::meaning(constraint),
                Some(Meaning::Taken { .. })
            ),
            "{constraint}"
        );
        post(&app, &admin, &path, body.clone()).await;
        refused(&app, &pool, &admin, (Method::POST, path, body), &[value]).await;
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn what_is_still_used_cannot_be_deleted_and_says_by_what(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    let olga = app.create_user(&admin, "olga", "operator").await["id"].clone();
    let vera = app.create_user(&admin, "vera", "operator").await["id"].clone();
    let olga_token = app.token("olga", "password-123").await;
    let app_named = |name: &str| json!({"name": name});
    // One application for each thing that can hold it.
    let by_incident = post(
        &app,
        &admin,
        "/v1/applications",
        app_named("held-by-incident"),
    )
    .await;
    let by_room = post(&app, &admin, "/v1/applications", app_named("held-by-room")).await;
    let by_improvement = post(
        &app,
        &admin,
        "/v1/applications",
        app_named("held-by-improvement"),
    )
    .await;
    let by_problem = post(
        &app,
        &admin,
        "/v1/applications",
        app_named("held-by-problem"),
    )
    .await;
    let by_rule = post(&app, &admin, "/v1/applications", app_named("held-by-rule")).await;
    let by_component = post(
        &app,
        &admin,
        "/v1/applications",
        app_named("held-by-component"),
    )
    .await;

    post(
        &app,
        &olga_token,
        "/v1/incidents",
        json!({"title": "Down", "level": "P2", "category": "function",
               "application_id": by_incident["id"], "owner": {"user_id": olga}}),
    )
    .await;
    // A room names its affected applications.
    let incident = post(
        &app,
        &olga_token,
        "/v1/incidents",
        json!({"title": "Outage", "level": "P1", "category": "function",
               "owner": {"user_id": olga}}),
    )
    .await;
    let base = format!("/v1/incidents/{}", incident["id"]);
    let incident = app
        .act(&olga_token, &base, &incident, "accept", json!({}))
        .await;
    app.act(&olga_token, &base, &incident, "start_war_room", json!({}))
        .await;
    let room: i64 = sqlx::query_scalar("SELECT id FROM war_rooms")
        .fetch_one(&pool)
        .await
        .unwrap();
    app.expect(
        Method::POST,
        &olga_token,
        &format!("/v1/war-rooms/{room}/applications"),
        json!({"application_id": by_room["id"]}),
        StatusCode::OK,
    )
    .await;
    post(
        &app,
        &olga_token,
        "/v1/improvements",
        json!({"title": "Add a cache", "application_id": by_improvement["id"],
               "owner": {"user_id": olga}, "verifier_id": vera, "due_on": "2026-12-31"}),
    )
    .await;
    post(
        &app,
        &olga_token,
        "/v1/problems",
        json!({"title": "Pool exhaustion", "level": "major", "application_id": by_problem["id"],
               "owner": {"user_id": olga}}),
    )
    .await;
    post(
        &app,
        &admin,
        "/v1/forwarding-rules",
        json!({"name": "shop criticals", "enabled": true, "groups": [],
               "action": {"type": "incident", "level": "P2", "category": "reliability",
                          "owner": {"user_id": olga}, "application_id": by_rule["id"]}}),
    )
    .await;
    let web = post(
        &app,
        &admin,
        "/v1/components",
        json!({"application_id": by_component["id"], "name": "web"}),
    )
    .await;
    post(
        &app,
        &admin,
        "/v1/groups",
        json!({"component_id": web["id"], "name": "prod", "environment": "prod"}),
    )
    .await;

    let delete = |path: String| (Method::DELETE, path, Value::Null);
    for (application, holder) in [
        (&by_incident, "incidents"),
        (&by_room, "war rooms"),
        (&by_improvement, "improvement tickets"),
        (&by_problem, "problems"),
        (&by_rule, "forwarding rules"),
        (&by_component, "components"),
    ] {
        refused(
            &app,
            &pool,
            &admin,
            delete(format!("/v1/applications/{}", application["id"])),
            &[holder],
        )
        .await;
    }
    refused(
        &app,
        &pool,
        &admin,
        delete(format!("/v1/components/{}", web["id"])),
        &["groups"],
    )
    .await;

    // A schedule named by a war-room rule, or by a forwarding rule's owner.
    for (name, holder) in [("rooms", "war-room rules"), ("rules", "forwarding rules")] {
        let schedule = post(
            &app,
            &admin,
            "/v1/schedules",
            json!({"name": name, "time_zone": "UTC"}),
        )
        .await;
        let role = post(
            &app,
            &admin,
            &format!("/v1/schedules/{}/roles", schedule["id"]),
            json!({"name": "primary", "members": [olga]}),
        )
        .await;
        if name == "rooms" {
            post(
                &app,
                &admin,
                "/v1/war-room-rules",
                json!({"name": "staff rooms", "levels": ["P1"], "schedule_id": schedule["id"],
                       "schedule_role": "primary"}),
            )
            .await;
        } else {
            post(
                &app,
                &admin,
                "/v1/forwarding-rules",
                json!({"name": "page on-call", "enabled": true, "groups": [],
                       "action": {"type": "incident", "level": "P2", "category": "reliability",
                                  "owner": {"schedule_id": schedule["id"], "role": "primary"}}}),
            )
            .await;
        }
        let removed = app
            .send(
                Method::DELETE,
                &admin,
                &format!("/v1/schedule-roles/{}", role["id"]),
                Value::Null,
            )
            .await;
        assert_eq!(removed.status(), StatusCode::NO_CONTENT);
        refused(
            &app,
            &pool,
            &admin,
            delete(format!("/v1/schedules/{}", schedule["id"])),
            &[holder],
        )
        .await;
    }

    // A data source whose alarms are kept.
    let source = post(
        &app,
        &admin,
        "/v1/data-sources",
        json!({"name": "checks", "kind": "generic"}),
    )
    .await;
    let key = source["key"].as_str().unwrap();
    let pushed = app
        .client
        .post(app.url(&format!("/v1/events/generic/{key}")))
        .json(&json!({"dedup_key": "k", "name": "Disk full", "level": "minor"}))
        .send()
        .await
        .unwrap();
    assert_eq!(pushed.status(), StatusCode::ACCEPTED);
    refused(
        &app,
        &pool,
        &admin,
        delete(format!("/v1/data-sources/{}", source["id"])),
        &["alarms"],
    )
    .await;
}
