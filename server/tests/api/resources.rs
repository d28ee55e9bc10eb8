//! The inventory's resources over real HTTP.

use crate::common::{TestApp, assert_error, spawn};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

fn host(name: &str) -> Value {
    json!({
        "name": name, "type": "host", "provider": "aws", "region": "eu-west-1", "zone": "eu-west-1a",
        "private_ip": "10.0.0.5", "os": "Debian 12", "cpu_cores": 4, "memory_gib": 16.0,
        "disk_gib": 100, "status": "running", "agent_state": "online", "tags": {"env": "prod"}
    })
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let response = app.send(Method::POST, token, "/v1/resources", body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn names(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let query = if query.contains("per_page") {
        query.to_owned()
    } else {
        format!("per_page=200&{query}")
    };
    let page: Value = app
        .get(token, &format!("/v1/resources?{query}"))
        .await
        .json()
        .await
        .unwrap();
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{query}: {page}"))
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_operator_adds_a_resource_with_defaults(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    app.create_user(&admin, "ops", "operator").await;
    let ops = app.token("ops", "password-123").await;
    let minimal = create(
        &app,
        &ops,
        json!({"name": " cache-1 ", "type": "cache", "provider": "onprem"}),
    )
    .await;
    assert_eq!(minimal["name"], "cache-1");
    assert_eq!(minimal["status"], "unknown");
    assert_eq!(minimal["agent_state"], "not_installed");
    assert_eq!(minimal["tags"], json!({}));
    assert_eq!(minimal["version"], 1);
    let full = create(&app, &ops, host("web-01")).await;
    assert_eq!(full["tags"]["env"], "prod");
    assert_eq!(full["memory_gib"], 16.0);
    let read: Value = app
        .get(&ops, &format!("/v1/resources/{}", full["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read, full);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bad_resources_are_refused_naming_the_field(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let mut too_many = serde_json::Map::new();
    for i in 0..21 {
        too_many.insert(format!("k{i}"), json!("v"));
    }
    let cases = [
        (
            json!({"name": "", "type": "host", "provider": "aws"}),
            "name",
        ),
        (
            json!({"name": "x", "type": "server", "provider": "aws"}),
            "type",
        ),
        (
            json!({"name": "x", "type": "host", "provider": "ibm"}),
            "provider",
        ),
        (
            json!({"name": "x", "type": "host", "provider": "aws", "private_ip": "10.1"}),
            "private_ip",
        ),
        (
            json!({"name": "x", "type": "host", "provider": "aws", "cpu_cores": -2}),
            "cpu_cores",
        ),
        (
            json!({"name": "x", "type": "host", "provider": "aws", "region": "eu west"}),
            "region",
        ),
        (
            json!({"name": "x", "type": "host", "provider": "aws", "tags": too_many}),
            "tags",
        ),
        (
            json!({"name": "x", "type": "host", "provider": "aws", "tags": {"a b": "c"}}),
            "tags",
        ),
    ];
    for (body, field) in cases {
        let msg = assert_error(
            app.send(Method::POST, &admin, "/v1/resources", body).await,
            422,
            "OPS.0422",
        )
        .await;
        assert!(msg.contains(field), "{msg} should name {field}");
    }
    assert!(names(&app, &admin, "").await.is_empty());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn name_provider_and_region_identify_a_resource(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    create(&app, &admin, host("web-01")).await;
    let again = app
        .send(Method::POST, &admin, "/v1/resources", host("web-01"))
        .await;
    let msg = assert_error(again, 409, "OPS.0409").await;
    assert!(msg.contains("web-01"), "{msg}");
    let mut elsewhere = host("web-01");
    elsewhere["region"] = json!("us-east-1");
    create(&app, &admin, elsewhere).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn viewers_read_but_do_not_change(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let web = create(&app, &admin, host("web-01")).await;
    app.create_user(&admin, "val", "viewer").await;
    let val = app.token("val", "password-123").await;
    assert_eq!(names(&app, &val, "").await, ["web-01"]);
    assert_error(
        app.send(Method::POST, &val, "/v1/resources", host("web-02"))
            .await,
        403,
        "OPS.0403",
    )
    .await;
    let path = format!("/v1/resources/{}", web["id"]);
    assert_error(
        app.send(
            Method::PATCH,
            &val,
            &path,
            json!({"status": "fault", "version": 1}),
        )
        .await,
        403,
        "OPS.0403",
    )
    .await;
    let delete = app
        .client
        .delete(app.url(&path))
        .header("X-Auth-Token", &val)
        .send()
        .await
        .unwrap();
    assert_error(delete, 403, "OPS.0403").await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_filter_narrows_the_list(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    create(&app, &admin, host("web-01")).await;
    create(&app, &admin, json!({"name": "db-01", "type": "database", "provider": "gcp", "region": "us-central1",
        "private_ip": "10.9.0.7", "status": "fault", "agent_state": "offline", "tags": {"env": "staging", "team": "data"}})).await;
    create(
        &app,
        &admin,
        json!({"name": "lb-edge", "type": "load_balancer", "provider": "onprem",
        "public_ip": "203.0.113.10", "status": "stopped"}),
    )
    .await;

    assert_eq!(names(&app, &admin, "type=database").await, ["db-01"]);
    assert_eq!(names(&app, &admin, "provider=onprem").await, ["lb-edge"]);
    assert_eq!(names(&app, &admin, "region=eu-west-1").await, ["web-01"]);
    assert_eq!(names(&app, &admin, "status=stopped").await, ["lb-edge"]);
    assert_eq!(names(&app, &admin, "agent_state=offline").await, ["db-01"]);
    assert_eq!(names(&app, &admin, "q=WEB").await, ["web-01"]);
    assert_eq!(names(&app, &admin, "q=10.9.").await, ["db-01"]);
    assert_eq!(names(&app, &admin, "q=203.0.113").await, ["lb-edge"]);
    assert_eq!(names(&app, &admin, "tag=env%3Dprod").await, ["web-01"]);
    assert_eq!(
        names(&app, &admin, "tag=team%3Ddata&type=database").await,
        ["db-01"]
    );
    assert!(
        names(&app, &admin, "tag=env%3Dprod&provider=gcp")
            .await
            .is_empty()
    );
    assert_eq!(
        names(&app, &admin, "sort=name").await,
        ["db-01", "lb-edge", "web-01"]
    );
    assert_eq!(
        names(&app, &admin, "sort=-name&per_page=1&page=2").await,
        ["lb-edge"]
    );
    assert_error(
        app.get(&admin, "/v1/resources?tag=env").await,
        422,
        "OPS.0422",
    )
    .await;
    assert_error(
        app.get(&admin, "/v1/resources?type=server").await,
        400,
        "OPS.0400",
    )
    .await;
    assert_error(
        app.get(&admin, "/v1/resources?sort=tags").await,
        422,
        "OPS.0422",
    )
    .await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn edits_are_version_checked_and_audited(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let web = create(&app, &admin, host("web-01")).await;
    create(&app, &admin, host("web-02")).await;
    let path = format!("/v1/resources/{}", web["id"]);

    let edited = app
        .send(
            Method::PATCH,
            &admin,
            &path,
            json!({"status": "fault", "tags": {"env": "prod", "tier": "1"}, "version": 1}),
        )
        .await;
    assert_eq!(edited.status(), StatusCode::OK);
    let edited: Value = edited.json().await.unwrap();
    assert_eq!(
        (edited["status"].as_str(), edited["version"].as_i64()),
        (Some("fault"), Some(2))
    );
    assert_eq!(edited["tags"], json!({"env": "prod", "tier": "1"}));
    assert_eq!(edited["cpu_cores"], 4, "untouched fields stay");

    let stale = app
        .send(
            Method::PATCH,
            &admin,
            &path,
            json!({"status": "running", "version": 1}),
        )
        .await;
    assert_error(stale, 409, "OPS.0410").await;
    let clash = app
        .send(
            Method::PATCH,
            &admin,
            &path,
            json!({"name": "web-02", "version": 2}),
        )
        .await;
    assert_error(clash, 409, "OPS.0409").await;
    let bad = app
        .send(
            Method::PATCH,
            &admin,
            &path,
            json!({"public_ip": "nope", "version": 2}),
        )
        .await;
    assert_error(bad, 422, "OPS.0422").await;
    let now: Value = app.get(&admin, &path).await.json().await.unwrap();
    assert_eq!(now, edited, "refused edits changed nothing");

    let audit: Value = app
        .get(&admin, "/v1/audit-logs?object_type=resource&action=update")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit["total"], 1);
    assert_eq!(audit["items"][0]["before"]["status"], "running");
    assert_eq!(audit["items"][0]["after"]["status"], "fault");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn deleting_checks_the_version_when_given(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let web = create(&app, &admin, host("web-01")).await;
    let path = format!("/v1/resources/{}", web["id"]);
    let stale = app
        .client
        .delete(app.url(&format!("{path}?version=7")))
        .header("X-Auth-Token", &admin)
        .send()
        .await
        .unwrap();
    assert_error(stale, 409, "OPS.0410").await;
    let done = app
        .client
        .delete(app.url(&format!("{path}?version=1")))
        .header("X-Auth-Token", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
    assert_error(app.get(&admin, &path).await, 404, "OPS.0404").await;
    let gone = app
        .client
        .delete(app.url(&path))
        .header("X-Auth-Token", &admin)
        .send()
        .await
        .unwrap();
    assert_error(gone, 404, "OPS.0404").await;
    let audit: Value = app
        .get(&admin, "/v1/audit-logs?object_type=resource&action=delete")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit["items"][0]["before"]["name"], "web-01");
}
