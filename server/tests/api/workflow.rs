//! The ticket kernel, once for every kind: every action of incidents, improvements and problems
//! runs through one use case, which refuses the same way, changes nothing when it refuses, and
//! records every step; the API document gives each action its own parameters; and the
//! console's forms post the same typed parameters the API takes.

use crate::common::{TestApp, spawn};
use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

/// One ticket of each kind, owned by the admin (`admin_id`), as (API base, ticket).
async fn one_of_each(app: &TestApp, admin: &str, admin_id: &Value) -> Vec<(String, Value)> {
    let start = crate::common::start_time() + chrono::Duration::days(1);
    let verifier = app.create_user(admin, "verifier", "operator").await;
    let opened = [
        (
            "/v1/incidents",
            json!({"title": "Checkout down", "level": "P3", "category": "function",
                   "owner": {"user_id": admin_id}}),
        ),
        (
            "/v1/improvements",
            json!({"title": "Alert on certificate expiry", "owner": {"user_id": admin_id},
                   "verifier_id": verifier["id"], "due_on": "2030-01-01"}),
        ),
        (
            "/v1/problems",
            json!({"title": "Certificates expire unnoticed", "level": "minor",
                   "owner": {"user_id": admin_id}}),
        ),
        (
            "/v1/changes",
            json!({"title": "Rotate the certificates", "change_type": "normal", "level": "B",
                   "implementer": {"user_id": admin_id}, "planned_start": start,
                   "planned_end": start + chrono::Duration::hours(2),
                   "rollback_plan": "Put the old ones back"}),
        ),
    ];
    let mut tickets = Vec::new();
    for (path, body) in opened {
        let ticket = app
            .expect(Method::POST, admin, path, body, StatusCode::CREATED)
            .await;
        tickets.push((format!("{path}/{}", ticket["id"]), ticket));
    }
    tickets
}

async fn detail(app: &TestApp, token: &str, base: &str) -> Value {
    app.get(token, base).await.json().await.unwrap()
}

async fn audit_count(app: &TestApp, token: &str, object_type: &str) -> u64 {
    let page: Value = app
        .get(
            token,
            &format!("/v1/audit-logs?object_type={object_type}&action=remark"),
        )
        .await
        .json()
        .await
        .unwrap();
    page["total"].as_u64().unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_kind_refuses_alike_changes_nothing_when_it_refuses_and_records_each_step(
    pool: PgPool,
) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let admin_id = detail(&app, &admin, "/v1/profile").await["id"].clone();
    app.create_user(&admin, "watcher", "viewer").await;
    let viewer = app.token("watcher", "password-123").await;
    for (base, ticket) in one_of_each(&app, &admin, &admin_id).await {
        let kind = base
            .split('/')
            .nth(2)
            .unwrap()
            .trim_end_matches('s')
            .to_owned();
        let before = detail(&app, &admin, &base).await;
        let remark = json!({"text": "looking into it"});

        let msg = app
            .refuse(
                &viewer,
                &base,
                &ticket,
                "remark",
                remark.clone(),
                403,
                "OPS.0403",
            )
            .await;
        assert!(msg.contains("operator"), "{base}: {msg}");
        let response = app
            .send(
                Method::POST,
                &admin,
                &format!("{base}/actions"),
                json!({"action": "remark", "params": remark, "version": ticket["version"].as_i64().unwrap() + 5}),
            )
            .await;
        crate::common::assert_error(response, 409, "OPS.0410").await;
        let wrong = if kind == "change" { "close" } else { "verify" };
        let msg = app
            .refuse(&admin, &base, &ticket, wrong, json!({}), 409, "OPS.0409")
            .await;
        assert!(msg.contains("it needs one that is"), "{base}: {msg}");
        let response = app
            .send(
                Method::POST,
                &admin,
                &format!("{base}/actions"),
                json!({"action": "remark", "params": {"text": "  "}, "version": ticket["version"]}),
            )
            .await;
        let body: Value = response.json().await.unwrap();
        assert!(
            body["error_msg"].as_str().unwrap().starts_with("text"),
            "{base}: {body}"
        );
        assert_eq!(
            detail(&app, &admin, &base).await,
            before,
            "{base}: refusals change nothing"
        );
        assert_eq!(audit_count(&app, &admin, &kind).await, 0);

        let after = app.act(&admin, &base, &ticket, "remark", remark).await;
        assert_eq!(after["version"], ticket["version"].as_i64().unwrap() + 1);
        let history = detail(&app, &admin, &base).await["history"].clone();
        let last = history.as_array().unwrap().last().unwrap().clone();
        assert_eq!(
            (last["action"].as_str(), last["comment"].as_str()),
            (Some("remark"), Some("looking into it")),
            "{base}"
        );
        assert_eq!(audit_count(&app, &admin, &kind).await, 1, "{base}");
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_document_gives_each_action_its_own_parameters(pool: PgPool) {
    let app = spawn(pool).await;
    let doc: Value = app
        .client
        .get(app.url("/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schemas = &doc["components"]["schemas"];
    for (request, actions) in [
        ("IncidentActionRequest", "Action"),
        ("ImprovementActionRequest", "ImprovementAction"),
        ("ProblemActionRequest", "ProblemAction"),
        ("ChangeActionRequest", "ChangeAction"),
    ] {
        let one_of = schemas[request]["oneOf"].as_array().unwrap();
        let named: Vec<&str> = one_of
            .iter()
            .map(|o| o["properties"]["action"]["enum"][0].as_str().unwrap())
            .collect();
        let every: Vec<&str> = schemas[actions]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert_eq!(named, every, "{request}: one entry per action, in order");
        let remark = &one_of[every.iter().position(|a| *a == "remark").unwrap()];
        assert_eq!(remark["required"], json!(["action", "version"]));
        assert_eq!(
            remark["properties"]["params"]["required"],
            json!(["text"]),
            "{request}"
        );
    }
}

/// Posts an action form as a browser without JavaScript does.
async fn post_action(app: &TestApp, cookie: &str, page: &str, body: &str) -> String {
    let response = crate::security::form(
        app,
        "/api/tickets/act",
        page,
        Some(&app.base),
        Some(cookie),
        body,
    )
    .await;
    assert!(response.status().is_redirection(), "{}", response.status());
    response.headers()[LOCATION].to_str().unwrap().to_owned()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn console_forms_post_the_parameters_the_api_takes(pool: PgPool) {
    let app = spawn(pool).await;
    let cookie = crate::pages::log_in(&app).await;
    let admin = app.admin().await;
    let admin_id = detail(&app, &admin, "/v1/profile").await["id"].clone();
    let (base, incident) = one_of_each(&app, &admin, &admin_id).await.remove(0);
    let id = incident["id"].clone();
    let page = format!("/incidents/{id}");
    let accepted = app.act(&admin, &base, &incident, "accept", json!({})).await;

    // A time from a datetime-local field, a reason, nested as the action's parameters.
    let location = post_action(
        &app,
        &cookie,
        &page,
        &format!(
            "kind=incident&id={id}&version={}&action=pause&params%5Buntil%5D=2030-01-01T10%3A00&params%5Breason%5D=waiting+for+the+vendor",
            accepted["version"]
        ),
    )
    .await;
    assert!(!location.contains("error"), "{location}");
    let paused = detail(&app, &admin, &base).await;
    assert_eq!(paused["status"], "paused");
    assert_eq!(paused["paused_until"], "2030-01-01T10:00:00Z");

    // A refusal names the field of the parameters, which the form shows beside it.
    let resumed = app.act(&admin, &base, &paused, "resume", json!({})).await;
    let location = post_action(
        &app,
        &cookie,
        &page,
        &format!(
            "kind=incident&id={id}&version={}&action=submit_solution&params%5Bcause%5D=cert&params%5Bsolution%5D=renewed&params%5Bservice_interrupted%5D=true&params%5Bfault_started_at%5D=",
            resumed["version"]
        ),
    )
    .await;
    assert!(
        location.contains("error_field=fault_started_at"),
        "{location}"
    );
    assert_eq!(detail(&app, &admin, &base).await["status"], "accepted");

    // A picker's value stands for the person, as `{user_id}` does in the API.
    let other = app.create_user(&admin, "second", "operator").await;
    let location = post_action(
        &app,
        &cookie,
        &page,
        &format!(
            "kind=incident&id={id}&version={}&action=forward&params%5Bto%5D=user%3A{}&params%5Bcomment%5D=",
            resumed["version"], other["id"]
        ),
    )
    .await;
    assert!(!location.contains("error"), "{location}");
    assert_eq!(detail(&app, &admin, &base).await["owner_id"], other["id"]);

    let location = post_action(
        &app,
        &cookie,
        &page,
        &format!("kind=drill&id={id}&version=1&action=accept"),
    )
    .await;
    assert!(location.contains("error_field=kind"), "{location}");
}
