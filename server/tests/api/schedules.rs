//! On-call schedules over real HTTP: rotations across a daylight-saving change, overrides,
//! coverage gaps, refusals.

use crate::common::{TestApp, assert_error, spawn};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let response = app.send(Method::POST, token, path, body.clone()).await;
    let status = response.status();
    let answer: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "POST {path} {body}: {answer}");
    answer
}

async fn who(app: &TestApp, token: &str, schedule: &Value, role: &str, at: &str) -> Value {
    let response = app
        .get(
            token,
            &format!(
                "/v1/schedules/{}/on-duty?role={role}&at={at}",
                schedule["id"]
            ),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK, "on-duty at {at}");
    let body: Value = response.json().await.unwrap();
    body
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_rotation_hands_off_at_local_time_across_the_dst_change(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let mut ids = Vec::new();
    for name in ["anna", "ben", "chris"] {
        ids.push(app.create_user(&admin, name, "operator").await["id"].clone());
    }
    let schedule = post(
        &app,
        &admin,
        "/v1/schedules",
        json!({"name": "payments-oncall", "time_zone": "Europe/Berlin"}),
    )
    .await;
    post(
        &app,
        &admin,
        &format!("/v1/schedules/{}/roles", schedule["id"]),
        json!({"name": "primary", "members": ids, "rotation": {"start": "2026-03-27T09:00:00", "every_days": 1}}),
    )
    .await;
    let name_at = |v: Value| v["user"]["username"].as_str().map(ToOwned::to_owned);
    // 09:00 in Berlin is 08:00 UTC before the change on 29 March and 07:00 UTC after it.
    for (at, expected) in [
        ("2026-03-27T07:59:00Z", None),
        ("2026-03-27T08:00:00Z", Some("anna")),
        ("2026-03-28T07:59:00Z", Some("anna")),
        ("2026-03-28T08:00:00Z", Some("ben")),
        ("2026-03-29T06:59:00Z", Some("ben")),
        ("2026-03-29T07:00:00Z", Some("chris")),
        ("2026-03-30T07:00:00Z", Some("anna")),
    ] {
        let duty = who(&app, &admin, &schedule, "primary", at).await;
        assert_eq!(
            name_at(duty.clone()).as_deref(),
            expected,
            "at {at}: {duty}"
        );
    }
    let duty = who(&app, &admin, &schedule, "primary", "2026-03-29T07:00:00Z").await;
    assert_eq!(duty["source"], "rotation");

    assert_error(
        app.get(
            &admin,
            &format!("/v1/schedules/{}/on-duty?role=secondary", schedule["id"]),
        )
        .await,
        422,
        "OPS.0422",
    )
    .await;
    assert_error(
        app.get(&admin, "/v1/schedules/999/on-duty?role=primary")
            .await,
        404,
        "OPS.0404",
    )
    .await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn overrides_take_over_and_gaps_are_reported(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let anna = app.create_user(&admin, "anna", "operator").await;
    let ben = app.create_user(&admin, "ben", "operator").await;
    let dora = app.create_user(&admin, "dora", "operator").await;
    let viewer = app.create_user(&admin, "vince", "viewer").await;
    let schedule = post(
        &app,
        &admin,
        "/v1/schedules",
        json!({"name": "web", "time_zone": "UTC"}),
    )
    .await;
    // The test clock stands at 2026-11-28T09:00:00Z.
    let role = post(
        &app,
        &admin,
        &format!("/v1/schedules/{}/roles", schedule["id"]),
        json!({"name": "primary", "members": [anna["id"], ben["id"]],
               "rotation": {"start": "2026-11-28T08:00:00", "every_days": 1}}),
    )
    .await;

    let ops = app.token("dora", "password-123").await;
    // Anna, of the role, hands her shift to Dora.
    let member = app.token("anna", "password-123").await;
    let o = post(
        &app,
        &member,
        &format!("/v1/schedule-roles/{}/overrides", role["id"]),
        json!({"user_id": dora["id"], "starts_at": "2026-11-28T10:00:00Z",
               "ends_at": "2026-11-28T12:00:00Z", "reason": "anna at the dentist"}),
    )
    .await;
    let duty = who(&app, &ops, &schedule, "primary", "2026-11-28T11:00:00Z").await;
    assert_eq!(
        (duty["user"]["username"].as_str(), duty["source"].as_str()),
        (Some("dora"), Some("override"))
    );
    assert_eq!(
        who(&app, &ops, &schedule, "primary", "2026-11-28T12:00:00Z").await["user"]["username"],
        "anna"
    );

    // Ben leaves: his turns become gaps in the next 14 days, and the page says so.
    let response = app
        .send(
            Method::PATCH,
            &admin,
            &format!("/v1/users/{}", ben["id"]),
            json!({"active": false, "version": 1}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let detail: Value = app
        .get(&admin, &format!("/v1/schedules/{}", schedule["id"]))
        .await
        .json()
        .await
        .unwrap();
    let view = &detail["roles"][0];
    assert_eq!(view["now"]["user"]["username"], "anna");
    assert_eq!(view["next_handoff"], "2026-11-29T08:00:00Z");
    let gaps = view["gaps"].as_array().unwrap();
    assert_eq!(gaps.len(), 7, "every other day of 14: {gaps:?}");
    assert_eq!(
        gaps[0],
        json!({"from": "2026-11-29T08:00:00Z", "to": "2026-11-30T08:00:00Z"})
    );
    assert_eq!(detail["overrides"][0]["user"]["username"], "dora");
    assert_eq!(detail["overrides"][0]["role"], "primary");

    // Refusals change nothing.
    for (token, method, path, body, status, code) in [
        (
            &ops,
            Method::POST,
            "/v1/schedules".to_owned(),
            json!({"name": "mine", "time_zone": "UTC"}),
            403,
            "OPS.0403",
        ),
        (
            &admin,
            Method::POST,
            "/v1/schedules".to_owned(),
            json!({"name": "bad-zone", "time_zone": "Mars/Base"}),
            422,
            "OPS.0422",
        ),
        (
            &admin,
            Method::POST,
            "/v1/schedules".to_owned(),
            json!({"name": "web", "time_zone": "UTC"}),
            409,
            "OPS.0409",
        ),
        (
            &admin,
            Method::POST,
            format!("/v1/schedules/{}/roles", schedule["id"]),
            json!({"name": "secondary", "members": [ben["id"]]}),
            422,
            "OPS.0422",
        ),
        (
            &admin,
            Method::POST,
            format!("/v1/schedules/{}/roles", schedule["id"]),
            json!({"name": "secondary", "members": [424242]}),
            422,
            "OPS.0422",
        ),
        (
            &admin,
            Method::POST,
            format!("/v1/schedules/{}/roles", schedule["id"]),
            json!({"name": "primary", "members": [anna["id"]]}),
            409,
            "OPS.0409",
        ),
        (
            &member,
            Method::POST,
            format!("/v1/schedule-roles/{}/overrides", role["id"]),
            json!({"user_id": dora["id"], "starts_at": "2026-11-28T12:00:00Z", "ends_at": "2026-11-28T10:00:00Z"}),
            422,
            "OPS.0422",
        ),
        // Only the role's people (or an administrator) change its shifts...
        (
            &ops,
            Method::POST,
            format!("/v1/schedule-roles/{}/overrides", role["id"]),
            json!({"user_id": dora["id"], "starts_at": "2026-11-28T13:00:00Z", "ends_at": "2026-11-28T14:00:00Z"}),
            403,
            "OPS.0403",
        ),
        (
            &ops,
            Method::DELETE,
            format!("/v1/schedule-overrides/{}", o["id"]),
            Value::Null,
            403,
            "OPS.0403",
        ),
        // ...and nobody puts a viewer on duty.
        (
            &admin,
            Method::POST,
            format!("/v1/schedule-roles/{}/overrides", role["id"]),
            json!({"user_id": viewer["id"], "starts_at": "2026-11-28T13:00:00Z", "ends_at": "2026-11-28T14:00:00Z"}),
            422,
            "OPS.0422",
        ),
        (
            &admin,
            Method::POST,
            format!("/v1/schedules/{}/roles", schedule["id"]),
            json!({"name": "watchers", "members": [viewer["id"]]}),
            422,
            "OPS.0422",
        ),
        (
            &admin,
            Method::DELETE,
            format!("/v1/schedules/{}", schedule["id"]),
            Value::Null,
            409,
            "OPS.0409",
        ),
        (
            &admin,
            Method::PATCH,
            format!("/v1/schedule-roles/{}", role["id"]),
            json!({"name": "other", "version": 7}),
            409,
            "OPS.0410",
        ),
    ] {
        let msg = assert_error(
            app.send(method, token, &path, body.clone()).await,
            status,
            code,
        )
        .await;
        if status == 409 && code == "OPS.0409" && path.ends_with(&schedule["id"].to_string()) {
            assert!(msg.contains("roles 'primary'"), "{msg}");
        }
    }
    let listed: Value = app.get(&admin, "/v1/schedules").await.json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);

    let response = app
        .send(
            Method::DELETE,
            &member,
            &format!("/v1/schedule-overrides/{}", o["id"]),
            Value::Null,
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        who(&app, &ops, &schedule, "primary", "2026-11-28T11:00:00Z").await["user"]["username"],
        "anna"
    );
    let response = app
        .send(
            Method::DELETE,
            &admin,
            &format!("/v1/schedule-roles/{}", role["id"]),
            Value::Null,
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = app
        .send(
            Method::DELETE,
            &admin,
            &format!("/v1/schedules/{}", schedule["id"]),
            Value::Null,
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let audit: Value = app
        .get(&admin, "/v1/audit-logs?object_type=schedule_override")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit["total"], 2);
}
