//! Change tickets through the API: planned in draft, reviewed or not by their type, started by
//! their implementer inside their window (or by an administrator outside it, with a reason),
//! recorded as they ran and closed once verified; every refusal names why and changes nothing.

use crate::common::{TestApp, spawn, start_time};
use chrono::{DateTime, Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

fn plan(change_type: &str, implementer: &Value, start: DateTime<Utc>) -> Value {
    json!({
        "title": "Rotate the payment gateway's TLS certificates",
        "change_type": change_type,
        "level": "B",
        "implementer": {"user_id": implementer["id"]},
        "planned_start": start,
        "planned_end": start + Duration::hours(2),
        "rollback_plan": "Reinstall the previous certificates from the vault",
    })
}

async fn get(app: &TestApp, token: &str, base: &str) -> Value {
    app.get(token, base).await.json().await.unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_normal_change_is_reviewed_started_in_its_window_and_closed(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let implementer = app.create_user(&admin, "implementer", "operator").await;
    let creator = app.create_user(&admin, "planner", "operator").await;
    let planner = app.token("planner", "password-123").await;
    let doer = app.token("implementer", "password-123").await;
    // The window opened an hour ago: the server's clock stands at the test's start time.
    let start = start_time() - Duration::hours(1);
    let change = app
        .expect(
            Method::POST,
            &planner,
            "/v1/changes",
            plan("normal", &implementer, start),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(change["status"], "draft");
    assert_eq!(change["creator_id"], creator["id"]);
    let base = format!("/v1/changes/{}", change["id"]);
    assert_eq!(app.allowed(&doer, &base).await, ["remark"]);
    assert_eq!(
        app.allowed(&planner, &base).await,
        ["edit", "submit", "cancel", "remark"]
    );

    let submitted = app.act(&planner, &base, &change, "submit", json!({})).await;
    assert_eq!(submitted["status"], "pending_approval");
    let inbox = app
        .get(&admin, "/v1/notifications")
        .await
        .text()
        .await
        .unwrap();
    assert!(inbox.contains("waits for your approval"), "{inbox}");
    let msg = app
        .refuse(
            &planner,
            &base,
            &submitted,
            "approve",
            json!({}),
            403,
            "OPS.0403",
        )
        .await;
    assert!(msg.contains("needs the approver role"), "{msg}");
    let rejected = app
        .act(
            &admin,
            &base,
            &submitted,
            "reject",
            json!({"reason": "Say how the rollback was tested"}),
        )
        .await;
    assert_eq!(rejected["status"], "draft");
    let mut edit = plan("normal", &implementer, start);
    edit["rollback_plan"] = json!("Reinstall the previous certificates; tested on staging");
    let edited = app.act(&planner, &base, &rejected, "edit", edit).await;
    assert!(
        edited["rollback_plan"]
            .as_str()
            .unwrap()
            .contains("staging")
    );
    let resubmitted = app.act(&planner, &base, &edited, "submit", json!({})).await;
    let approved = app
        .act(
            &admin,
            &base,
            &resubmitted,
            "approve",
            json!({"comment": "ok"}),
        )
        .await;
    assert_eq!(approved["status"], "approved");

    let started = app.act(&doer, &base, &approved, "start", json!({})).await;
    assert_eq!(started["status"], "implementing");
    assert_eq!(started["started_at"], json!(start_time()));
    let msg = app
        .refuse(
            &doer,
            &base,
            &started,
            "record_result",
            json!({"result": "failed"}),
            422,
            "OPS.0422",
        )
        .await;
    assert!(msg.starts_with("reason"), "{msg}");
    let rolled_back = app
        .act(
            &doer,
            &base,
            &started,
            "record_result",
            json!({"result": "rolled_back", "reason": "Handshakes failed for old clients",
                   "detected_by_monitoring": true}),
        )
        .await;
    assert_eq!(rolled_back["status"], "rolled_back");
    assert_eq!(rolled_back["detected_by_monitoring"], true);
    let closed = app
        .act(
            &planner,
            &base,
            &rolled_back,
            "close",
            json!({"verification_notes": "Old certificates serve again; error rate back to normal"}),
        )
        .await;
    assert_eq!(closed["status"], "closed");
    assert_eq!(app.allowed(&planner, &base).await, ["open_problem"]);

    // Its failure opens a problem for the cause, linked both ways.
    let linked = app
        .act(
            &planner,
            &base,
            &closed,
            "open_problem",
            json!({"title": "Old clients fail the handshake", "level": "major",
                   "owner": {"user_id": implementer["id"]}}),
        )
        .await;
    let problem = get(
        &app,
        &admin,
        &format!("/v1/problems/{}", linked["problem_id"]),
    )
    .await;
    assert_eq!(
        (&problem["source"], &problem["source_id"]),
        (&json!("change"), &change["id"])
    );
    assert!(app.allowed(&planner, &base).await.is_empty());

    let steps: Vec<String> = get(&app, &admin, &base).await["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        steps,
        [
            "create",
            "submit",
            "reject",
            "edit",
            "submit",
            "approve",
            "start",
            "record_result",
            "close",
            "open_problem"
        ]
    );
    let page = get(&app, &admin, "/v1/changes?status=closed&q=payment").await;
    assert_eq!(page["total"], 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn outside_its_window_only_an_administrator_starts_it_and_an_emergency_skips_review(
    pool: PgPool,
) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let implementer = app.create_user(&admin, "implementer", "operator").await;
    let doer = app.token("implementer", "password-123").await;
    let tomorrow = start_time() + Duration::days(1);
    let change = app
        .expect(
            Method::POST,
            &admin,
            "/v1/changes",
            plan("emergency", &implementer, tomorrow),
            StatusCode::CREATED,
        )
        .await;
    let base = format!("/v1/changes/{}", change["id"]);
    let approved = app.act(&admin, &base, &change, "submit", json!({})).await;
    assert_eq!(approved["status"], "approved", "an emergency runs at once");
    assert!(
        !app.allowed(&doer, &base)
            .await
            .contains(&"start".to_owned())
    );
    let msg = app
        .refuse(&doer, &base, &approved, "start", json!({}), 409, "OPS.0409")
        .await;
    assert!(
        msg.contains("outside that window only an administrator"),
        "{msg}"
    );
    assert_eq!(
        get(&app, &admin, &base).await["version"],
        approved["version"]
    );
    let started = app
        .act(
            &admin,
            &base,
            &approved,
            "start_override",
            json!({"reason": "Certificate expires tonight"}),
        )
        .await;
    assert_eq!(started["status"], "implementing");
    assert_eq!(started["override_reason"], "Certificate expires tonight");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bad_plans_are_refused_naming_the_field_and_nothing_is_stored(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let implementer = app.create_user(&admin, "implementer", "operator").await;
    app.create_user(&admin, "watcher", "viewer").await;
    let viewer = app.token("watcher", "password-123").await;
    let start = start_time();
    let cases = [
        ("change_type", json!("standard")),
        ("planned_end", json!(start - Duration::hours(1))),
        ("planned_end", json!(start + Duration::days(15))),
        ("resource_ids", json!([424242])),
        ("group_ids", json!([7])),
        ("rollback_plan", json!("  ")),
        ("problem_id", json!(99)),
        ("title", json!("x".repeat(201))),
    ];
    for (field, value) in cases {
        let mut body = plan("normal", &implementer, start);
        body[field] = value;
        let response = app.send(Method::POST, &admin, "/v1/changes", body).await;
        let msg = crate::common::assert_error(response, 422, "OPS.0422").await;
        assert!(msg.starts_with(field), "{field}: {msg}");
    }
    let mut body = plan("normal", &implementer, start);
    body["implementer"] =
        json!({"user_id": app.create_user(&admin, "onlooker", "viewer").await["id"]});
    let response = app.send(Method::POST, &admin, "/v1/changes", body).await;
    let msg = crate::common::assert_error(response, 422, "OPS.0422").await;
    assert!(msg.starts_with("implementer"), "{msg}");
    let response = app
        .send(
            Method::POST,
            &viewer,
            "/v1/changes",
            plan("normal", &implementer, start),
        )
        .await;
    crate::common::assert_error(response, 403, "OPS.0403").await;
    assert_eq!(get(&app, &admin, "/v1/changes").await["total"], 0);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_change_that_ran_before_an_incident_is_its_suspect_and_the_incident_follows_it(
    pool: PgPool,
) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let me = get(&app, &admin, "/v1/profile").await;
    let shop = app
        .expect(
            Method::POST,
            &admin,
            "/v1/applications",
            json!({"name": "shop"}),
            StatusCode::CREATED,
        )
        .await;
    let ledger = app
        .expect(
            Method::POST,
            &admin,
            "/v1/applications",
            json!({"name": "ledger"}),
            StatusCode::CREATED,
        )
        .await;
    let mut body = plan("emergency", &me, start_time() - Duration::minutes(5));
    body["application_id"] = shop["id"].clone();
    let change = app
        .expect(
            Method::POST,
            &admin,
            "/v1/changes",
            body,
            StatusCode::CREATED,
        )
        .await;
    let base = format!("/v1/changes/{}", change["id"]);
    let approved = app.act(&admin, &base, &change, "submit", json!({})).await;
    let started = app.act(&admin, &base, &approved, "start", json!({})).await;
    app.clock.advance(Duration::minutes(30));
    app.act(
        &admin,
        &base,
        &started,
        "record_result",
        json!({"result": "succeeded"}),
    )
    .await;

    // Twenty-three hours later, an incident on the same application: the change is a suspect.
    // One on another application is not, nor one a day and more after the change finished.
    app.clock.advance(Duration::hours(23));
    let incident = |application: &Value| {
        json!({"title": "Checkout errors", "level": "P2", "category": "function",
               "application_id": application["id"], "owner": {"user_id": me["id"]}})
    };
    let on_shop = app
        .expect(
            Method::POST,
            &admin,
            "/v1/incidents",
            incident(&shop),
            StatusCode::CREATED,
        )
        .await;
    let on_ledger = app
        .expect(
            Method::POST,
            &admin,
            "/v1/incidents",
            incident(&ledger),
            StatusCode::CREATED,
        )
        .await;
    app.clock.advance(Duration::hours(2));
    let admin = app.admin().await;
    let too_late = app
        .expect(
            Method::POST,
            &admin,
            "/v1/incidents",
            incident(&shop),
            StatusCode::CREATED,
        )
        .await;

    let suspects = |detail: Value| {
        detail["suspect_changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].clone())
            .collect::<Vec<_>>()
    };
    let shop_detail = get(&app, &admin, &format!("/v1/incidents/{}", on_shop["id"])).await;
    assert_eq!(suspects(shop_detail), [change["id"].clone()]);
    let ledger_detail = get(&app, &admin, &format!("/v1/incidents/{}", on_ledger["id"])).await;
    assert!(suspects(ledger_detail).is_empty());
    let late_detail = get(&app, &admin, &format!("/v1/incidents/{}", too_late["id"])).await;
    assert!(suspects(late_detail).is_empty());

    let followed: Vec<Value> = get(&app, &admin, &base).await["followed_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    assert_eq!(followed, [on_shop["id"].clone()]);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn clashes_are_warned_on_the_change_and_failures_are_counted_per_application(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let me = get(&app, &admin, "/v1/profile").await;
    let mut apps = Vec::new();
    for name in ["shop", "ledger"] {
        apps.push(
            app.expect(
                Method::POST,
                &admin,
                "/v1/applications",
                json!({"name": name}),
                StatusCode::CREATED,
            )
            .await,
        );
    }
    let planned = |application: &Value, start: DateTime<Utc>, change_type: &str| {
        let mut body = plan(change_type, &me, start);
        body["application_id"] = application["id"].clone();
        body
    };
    let tomorrow = start_time() + Duration::days(1);
    let first = app
        .expect(
            Method::POST,
            &admin,
            "/v1/changes",
            planned(&apps[0], tomorrow, "normal"),
            StatusCode::CREATED,
        )
        .await;
    let first_base = format!("/v1/changes/{}", first["id"]);
    app.act(&admin, &first_base, &first, "submit", json!({}))
        .await;
    let second = app
        .expect(
            Method::POST,
            &admin,
            "/v1/changes",
            planned(&apps[0], tomorrow + Duration::hours(1), "normal"),
            StatusCode::CREATED,
        )
        .await;
    let elsewhere = app
        .expect(
            Method::POST,
            &admin,
            "/v1/changes",
            planned(&apps[1], tomorrow, "normal"),
            StatusCode::CREATED,
        )
        .await;
    let conflicts = |detail: Value| detail["conflicts"].as_array().unwrap().clone();
    let found = conflicts(get(&app, &admin, &format!("/v1/changes/{}", second["id"])).await);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["kind"], "change");
    assert_eq!(found[0]["id"], first["id"]);
    assert!(
        conflicts(get(&app, &admin, &format!("/v1/changes/{}", elsewhere["id"])).await).is_empty()
    );

    app.expect(
        Method::POST,
        &admin,
        "/v1/incidents",
        json!({"title": "Checkout down", "level": "P1", "category": "function",
               "application_id": apps[0]["id"], "owner": {"user_id": me["id"]}}),
        StatusCode::CREATED,
    )
    .await;
    let found = conflicts(get(&app, &admin, &format!("/v1/changes/{}", second["id"])).await);
    assert_eq!(
        found.iter().map(|c| c["kind"].clone()).collect::<Vec<_>>(),
        [json!("change"), json!("incident")]
    );

    // One change ran on the ledger and was rolled back: one of one failed there.
    let now = start_time() - Duration::minutes(10);
    let ran = app
        .expect(
            Method::POST,
            &admin,
            "/v1/changes",
            planned(&apps[1], now, "emergency"),
            StatusCode::CREATED,
        )
        .await;
    let base = format!("/v1/changes/{}", ran["id"]);
    let ran = app.act(&admin, &base, &ran, "submit", json!({})).await;
    let ran = app.act(&admin, &base, &ran, "start", json!({})).await;
    app.act(
        &admin,
        &base,
        &ran,
        "record_result",
        json!({"result": "rolled_back", "reason": "Slow queries"}),
    )
    .await;
    let rates = get(&app, &admin, "/v1/changes/failure-rates").await;
    assert_eq!(
        rates,
        json!([{"application_id": apps[1]["id"], "application_name": "ledger", "changes": 1, "failed": 1}])
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_freeze_refuses_a_normal_change_and_warns_an_emergency_one(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let me = get(&app, &admin, "/v1/profile").await;
    let operator = app.create_user(&admin, "operator", "operator").await;
    let op = app.token("operator", "password-123").await;
    let tomorrow = start_time() + Duration::days(1);
    let holidays = json!({"name": "Holidays", "repeat": "once",
                          "starts_at": tomorrow, "ends_at": tomorrow + Duration::days(1)});
    let response = app
        .send(Method::POST, &op, "/v1/freeze-windows", holidays.clone())
        .await;
    crate::common::assert_error(response, 403, "OPS.0403").await;
    let bad = json!({"name": "Weekend", "repeat": "weekly", "time_zone": "Mars/Olympus",
                     "from_day": "friday", "from_time": "18:00", "to_day": "monday", "to_time": "06:00"});
    let response = app
        .send(Method::POST, &admin, "/v1/freeze-windows", bad)
        .await;
    let msg = crate::common::assert_error(response, 422, "OPS.0422").await;
    assert!(msg.starts_with("time_zone"), "{msg}");
    let freeze = app
        .expect(
            Method::POST,
            &admin,
            "/v1/freeze-windows",
            holidays.clone(),
            StatusCode::CREATED,
        )
        .await;
    let response = app
        .send(Method::POST, &admin, "/v1/freeze-windows", holidays)
        .await;
    crate::common::assert_error(response, 409, "OPS.0409").await;

    let inside = tomorrow + Duration::hours(2);
    let normal = app
        .expect(
            Method::POST,
            &op,
            "/v1/changes",
            plan("normal", &operator, inside),
            StatusCode::CREATED,
        )
        .await;
    let base = format!("/v1/changes/{}", normal["id"]);
    let kinds: Vec<Value> = get(&app, &op, &base).await["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].clone())
        .collect();
    assert_eq!(kinds, [json!("freeze")]);
    let msg = app
        .refuse(&op, &base, &normal, "submit", json!({}), 409, "OPS.0409")
        .await;
    assert!(msg.contains("falls in freeze window 'Holidays'"), "{msg}");
    assert_eq!(get(&app, &op, &base).await["status"], "draft");

    let emergency = app
        .expect(
            Method::POST,
            &op,
            "/v1/changes",
            plan("emergency", &me, inside),
            StatusCode::CREATED,
        )
        .await;
    let emergency_base = format!("/v1/changes/{}", emergency["id"]);
    let approved = app
        .act(
            &op,
            &emergency_base,
            &emergency,
            "submit",
            json!({"comment": "the fix cannot wait"}),
        )
        .await;
    assert_eq!(approved["status"], "approved");
    let history = get(&app, &op, &emergency_base).await["history"].clone();
    let comment = history.as_array().unwrap().last().unwrap()["comment"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        comment.starts_with("the fix cannot wait (Runs inside freeze window 'Holidays'"),
        "{comment}"
    );

    app.expect(
        Method::DELETE,
        &admin,
        &format!("/v1/freeze-windows/{}", freeze["id"]),
        Value::Null,
        StatusCode::NO_CONTENT,
    )
    .await;
    let submitted = app.act(&op, &base, &normal, "submit", json!({})).await;
    assert_eq!(submitted["status"], "pending_approval");
}
