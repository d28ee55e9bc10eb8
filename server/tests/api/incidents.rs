//! Incidents over real HTTP: every transition of the SPEC §4 table through the one actions
//! endpoint, its refusals, history and owners resolved from schedules.

use crate::common::{TestApp, assert_error, spawn};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

struct Team {
    app: TestApp,
    admin: String,
    alice: (i64, String),
    bob: (i64, String),
}

async fn team(pool: PgPool) -> Team {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let mut people = Vec::new();
    for name in ["alice", "bob"] {
        let id = app.create_user(&admin, name, "operator").await["id"]
            .as_i64()
            .unwrap();
        people.push((id, app.token(name, "password-123").await));
    }
    let bob = people.pop().unwrap();
    let alice = people.pop().unwrap();
    Team {
        app,
        admin,
        alice,
        bob,
    }
}

async fn open(t: &Team, token: &str, owner: Value) -> Value {
    let response = t
        .app
        .send(
            Method::POST,
            token,
            "/v1/incidents",
            json!({"title": "Checkout fails", "level": "P3", "category": "function", "owner": owner}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

fn base(incident: &Value) -> String {
    format!("/v1/incidents/{}", incident["id"])
}

async fn act(t: &Team, token: &str, incident: &Value, action: &str, params: Value) -> Value {
    t.app
        .act(token, &base(incident), incident, action, params)
        .await
}

async fn refused(
    t: &Team,
    token: &str,
    incident: &Value,
    action: &str,
    params: Value,
    status: u16,
    code: &str,
) -> String {
    t.app
        .refuse(
            token,
            &base(incident),
            incident,
            action,
            params,
            status,
            code,
        )
        .await
}

async fn allowed(t: &Team, token: &str, incident: &Value) -> Vec<String> {
    t.app.allowed(token, &base(incident)).await
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_incident_goes_from_open_to_completed(pool: PgPool) {
    let t = team(pool).await;
    let (alice, bob) = (&t.alice.1, &t.bob.1);
    let i = open(&t, alice, json!({"user_id": t.bob.0})).await;
    assert_eq!(
        (
            i["status"].as_str(),
            i["owner_id"].as_i64(),
            i["creator_id"].as_i64()
        ),
        (Some("unaccepted"), Some(t.bob.0), Some(t.alice.0))
    );
    assert_eq!(
        allowed(&t, bob, &i).await,
        ["accept", "reject", "forward", "remark"]
    );
    assert_eq!(allowed(&t, alice, &i).await, ["remark"]);

    let i = act(&t, bob, &i, "accept", json!({})).await;
    assert_eq!(i["status"], "accepted");
    // Raising is immediate; lowering by more than one level waits for an administrator.
    let i = act(
        &t,
        bob,
        &i,
        "change_level",
        json!({"level": "P1", "reason": "all customers"}),
    )
    .await;
    assert_eq!(i["level"], "P1");
    let i = act(
        &t,
        bob,
        &i,
        "change_level",
        json!({"level": "P4", "reason": "workaround"}),
    )
    .await;
    assert_eq!(
        (i["level"].as_str(), i["pending_level"].as_str()),
        (Some("P1"), Some("P4"))
    );
    assert!(
        allowed(&t, &t.admin, &i)
            .await
            .contains(&"approve_level".to_owned())
    );
    let msg = refused(
        &t,
        bob,
        &i,
        "approve_level",
        json!({"approve": true}),
        403,
        "OPS.0403",
    )
    .await;
    assert!(msg.contains("administrator"), "{msg}");
    let i = act(&t, &t.admin, &i, "approve_level", json!({"approve": true})).await;
    assert_eq!(
        (i["level"].as_str(), i["pending_level"].as_str()),
        (Some("P4"), None)
    );

    let i = act(
        &t,
        alice,
        &i,
        "remark",
        json!({"text": "customers confirm"}),
    )
    .await;
    let i = act(
        &t,
        bob,
        &i,
        "pause",
        json!({"until": "2026-11-29T09:00:00Z", "reason": "vendor"}),
    )
    .await;
    assert_eq!(i["status"], "paused");
    let i = act(&t, bob, &i, "resume", json!({})).await;
    assert_eq!(
        (i["status"].as_str(), i["paused_until"].as_str()),
        (Some("accepted"), None)
    );
    refused(
        &t,
        bob,
        &i,
        "submit_solution",
        json!({"cause": "x", "solution": "y", "service_interrupted": true}),
        422,
        "OPS.0422",
    )
    .await;
    let i = act(
        &t,
        bob,
        &i,
        "submit_solution",
        json!({"cause": "expired certificate", "solution": "renewed it", "service_interrupted": true,
               "fault_started_at": "2026-11-28T08:00:00Z", "recovered_at": "2026-11-28T08:40:00Z"}),
    )
    .await;
    assert_eq!(i["status"], "resolved");
    // The creator verifies; "not resolved" sends it back, "resolved" completes it.
    assert_eq!(allowed(&t, bob, &i).await, ["remark", "create_improvement"]);
    refused(
        &t,
        alice,
        &i,
        "verify",
        json!({"resolved": false}),
        422,
        "OPS.0422",
    )
    .await;
    let i = act(
        &t,
        alice,
        &i,
        "verify",
        json!({"resolved": false, "comment": "still failing in EU"}),
    )
    .await;
    assert_eq!(i["status"], "accepted");
    let i = act(
        &t,
        bob,
        &i,
        "submit_solution",
        json!({"cause": "two certificates", "solution": "renewed both"}),
    )
    .await;
    let i = act(
        &t,
        alice,
        &i,
        "verify",
        json!({"resolved": true, "comment": "ok"}),
    )
    .await;
    assert_eq!(i["status"], "completed");
    // Done: only lessons are left to draw.
    assert_eq!(allowed(&t, bob, &i).await, ["create_improvement"]);

    let detail: Value = t
        .app
        .get(alice, &format!("/v1/incidents/{}", i["id"]))
        .await
        .json()
        .await
        .unwrap();
    let steps: Vec<(String, String)> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["action"].as_str().unwrap().to_owned(),
                h["status_after"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("create", "unaccepted"),
        ("accept", "accepted"),
        ("change_level", "accepted"),
        ("change_level", "accepted"),
        ("approve_level", "accepted"),
        ("remark", "accepted"),
        ("pause", "paused"),
        ("resume", "accepted"),
        ("submit_solution", "resolved"),
        ("verify", "accepted"),
        ("submit_solution", "resolved"),
        ("verify", "completed"),
    ];
    assert_eq!(steps, expected.map(|(a, s)| (a.to_owned(), s.to_owned())));
    assert_eq!(
        detail["history"][2]["changes"]["level"],
        json!(["P3", "P1"])
    );
    assert_eq!(detail["history"][5]["comment"], "customers confirm");
    assert_eq!(detail["owner_name"], "bob");
    let audit: Value = t
        .app
        .get(&t.admin, "/v1/audit-logs?object_type=incident")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit["total"], 12);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn refusals_name_the_reason_and_change_nothing(pool: PgPool) {
    let t = team(pool).await;
    let (alice, bob) = (&t.alice.1, &t.bob.1);
    let i = open(&t, alice, json!({"user_id": t.bob.0})).await;
    let msg = refused(&t, alice, &i, "accept", json!({}), 403, "OPS.0403").await;
    assert!(msg.contains("owner"), "{msg}");
    let msg = refused(
        &t,
        bob,
        &i,
        "verify",
        json!({"resolved": true}),
        409,
        "OPS.0409",
    )
    .await;
    assert!(msg.contains("unaccepted cannot take 'verify'"), "{msg}");
    refused(&t, bob, &i, "reject", json!({}), 422, "OPS.0422").await;
    refused(
        &t,
        bob,
        &i,
        "reject",
        json!({"reason": ""}),
        422,
        "OPS.0422",
    )
    .await;
    let accepted = act(&t, bob, &i, "accept", json!({})).await;
    // The old version is stale now.
    refused(
        &t,
        bob,
        &i,
        "remark",
        json!({"text": "late"}),
        409,
        "OPS.0410",
    )
    .await;
    refused(&t, bob, &accepted, "accept", json!({}), 409, "OPS.0409").await;
    refused(
        &t,
        bob,
        &accepted,
        "pause",
        json!({"until": "2020-01-01T00:00:00Z", "reason": "x"}),
        422,
        "OPS.0422",
    )
    .await;
    refused(
        &t,
        bob,
        &accepted,
        "change_level",
        json!({"level": "P3", "reason": "same"}),
        422,
        "OPS.0422",
    )
    .await;
    let response = t
        .app
        .send(
            Method::POST,
            bob,
            &format!("/v1/incidents/{}/actions", i["id"]),
            json!({"action": "teleport", "version": 2}),
        )
        .await;
    assert_error(response, 422, "OPS.0422").await;

    let detail: Value = t
        .app
        .get(bob, &format!("/v1/incidents/{}", i["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (detail["status"].as_str(), detail["version"].as_i64()),
        (Some("accepted"), Some(2))
    );
    assert_eq!(detail["history"].as_array().unwrap().len(), 2);

    // Viewers read but never act; bad input is named.
    t.app.create_user(&t.admin, "vera", "viewer").await;
    let vera = t.app.token("vera", "password-123").await;
    assert_eq!(allowed(&t, &vera, &accepted).await, Vec::<String>::new());
    assert_error(
        t.app.send(Method::POST, &vera, "/v1/incidents", json!({"title": "x", "level": "P1", "category": "other", "owner": {"user_id": t.bob.0}})).await,
        403,
        "OPS.0403",
    )
    .await;
    for (body, field) in [
        (
            json!({"title": "", "level": "P1", "category": "other", "owner": {"user_id": t.bob.0}}),
            "title",
        ),
        (
            json!({"title": "t".repeat(201), "level": "P1", "category": "other", "owner": {"user_id": t.bob.0}}),
            "title",
        ),
        (
            json!({"title": "x", "level": "P1", "category": "other", "owner": {"user_id": 4242}}),
            "owner",
        ),
        (
            json!({"title": "x", "level": "P1", "category": "other", "application_id": 77, "owner": {"user_id": t.bob.0}}),
            "application_id",
        ),
    ] {
        let msg = assert_error(
            t.app.send(Method::POST, alice, "/v1/incidents", body).await,
            422,
            "OPS.0422",
        )
        .await;
        assert!(msg.starts_with(field), "{msg}");
    }
    assert_error(t.app.get(alice, "/v1/incidents/999").await, 404, "OPS.0404").await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn rejection_resubmission_forwarding_and_the_pending_tab(pool: PgPool) {
    let t = team(pool).await;
    let (alice, bob) = (&t.alice.1, &t.bob.1);
    let i = open(&t, alice, json!({"user_id": t.bob.0})).await;
    let i = act(&t, bob, &i, "reject", json!({"reason": "not ours"})).await;
    assert_eq!(i["status"], "rejected");
    assert_eq!(
        allowed(&t, alice, &i).await,
        ["resubmit", "close", "remark"]
    );
    let i = act(
        &t,
        alice,
        &i,
        "resubmit",
        json!({"title": "Checkout fails for card payments", "level": "P2"}),
    )
    .await;
    assert_eq!(
        (i["status"].as_str(), i["level"].as_str()),
        (Some("unaccepted"), Some("P2"))
    );

    // Forward to whoever is on duty for a schedule role: alice, fixed.
    let schedule: Value = t
        .app
        .send(
            Method::POST,
            &t.admin,
            "/v1/schedules",
            json!({"name": "payments", "time_zone": "UTC"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let response = t
        .app
        .send(
            Method::POST,
            &t.admin,
            &format!("/v1/schedules/{}/roles", schedule["id"]),
            json!({"name": "primary", "members": [t.alice.0]}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let mine: Value = t
        .app
        .get(bob, "/v1/incidents?tab=mine")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["total"], 1);
    let i = act(&t, bob, &i, "forward", json!({"to": {"schedule_id": schedule["id"], "role": "primary"}, "comment": "payments team"})).await;
    assert_eq!(
        (i["owner_id"].as_i64(), i["status"].as_str()),
        (Some(t.alice.0), Some("unaccepted"))
    );
    let mine: Value = t
        .app
        .get(alice, "/v1/incidents?tab=mine")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["items"][0]["id"], i["id"]);
    let mine: Value = t
        .app
        .get(bob, "/v1/incidents?tab=mine")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["total"], 0);
    let i = act(&t, alice, &i, "reject", json!({"reason": "a duplicate"})).await;
    let i = act(&t, alice, &i, "close", json!({"comment": "agreed"})).await;
    assert_eq!(i["status"], "closed");
    let closed: Value = t
        .app
        .get(alice, "/v1/incidents?status=closed&level=P2&q=card")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(closed["total"], 1);
    assert_error(
        t.app.get(alice, "/v1/incidents?tab=theirs").await,
        422,
        "OPS.0422",
    )
    .await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_paused_incident_resumes_by_itself_when_the_pause_ends(pool: PgPool) {
    let t = team(pool.clone()).await;
    let bob = &t.bob.1;
    let i = open(&t, &t.alice.1, json!({"user_id": t.bob.0})).await;
    let i = act(&t, bob, &i, "accept", json!({})).await;
    let i = act(
        &t,
        bob,
        &i,
        "pause",
        json!({"until": "2026-11-28T10:00:00Z", "reason": "vendor"}),
    )
    .await;
    // The same database and clock as the server, as the worker sees them.
    let state = server::router::app_state(
        pool,
        t.app.clock.clone(),
        app::state::Settings::default(),
        server::router::leptos_options("target/site", "127.0.0.1:0".parse().unwrap()),
    );
    assert_eq!(
        app::service::incidents::resume_due(&state).await.unwrap(),
        0
    );
    t.app.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(
        app::service::incidents::resume_due(&state).await.unwrap(),
        1
    );
    assert_eq!(
        app::service::incidents::resume_due(&state).await.unwrap(),
        0
    );
    let detail: Value = t
        .app
        .get(bob, &format!("/v1/incidents/{}", i["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (detail["status"].as_str(), detail["paused_until"].as_str()),
        (Some("accepted"), None)
    );
    let last = detail["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["actor"].as_str(), last["action"].as_str()),
        (Some("system"), Some("resume"))
    );
    assert_eq!(last["comment"], "automatically, at the end of the pause");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn service_levels_set_due_times_and_breaches_are_recorded(pool: PgPool) {
    let t = team(pool.clone()).await;
    let state = server::router::app_state(
        pool,
        t.app.clock.clone(),
        app::state::Settings::default(),
        server::router::leptos_options("target/site", "127.0.0.1:0".parse().unwrap()),
    );
    // P3 by default: 30 minutes to accept, a day to resolve.
    let i = open(&t, &t.alice.1, json!({"user_id": t.bob.0})).await;
    assert_eq!(
        (i["accept_due_at"].as_str(), i["resolve_due_at"].as_str()),
        (Some("2026-11-28T09:30:00Z"), Some("2026-11-29T09:00:00Z"))
    );
    let i = act(&t, &t.bob.1, &i, "remark", json!({"text": "looking"})).await;
    assert_eq!(app::service::sla::mark_breaches(&state).await.unwrap(), 0);
    t.app.clock.advance(chrono::Duration::minutes(31));
    assert_eq!(app::service::sla::mark_breaches(&state).await.unwrap(), 1);
    assert_eq!(app::service::sla::mark_breaches(&state).await.unwrap(), 0);
    let detail: Value = t
        .app
        .get(&t.bob.1, &format!("/v1/incidents/{}", i["id"]))
        .await
        .json()
        .await
        .unwrap();
    let last = detail["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["action"].as_str(), last["comment"].as_str()),
        (Some("sla_breach"), Some("not accepted within 30 min"))
    );
    assert!(detail["accept_breached_at"].is_string());

    let i: Value = act(&t, &t.bob.1, &detail, "accept", json!({})).await;
    let i = act(
        &t,
        &t.bob.1,
        &i,
        "change_level",
        json!({"level": "P1", "reason": "spreading"}),
    )
    .await;
    assert_eq!(i["resolve_due_at"], "2026-11-28T10:00:00Z");
    t.app.clock.advance(chrono::Duration::minutes(30));
    assert_eq!(app::service::sla::mark_breaches(&state).await.unwrap(), 1);

    // Administrators change a level's targets; others may not; bad values are named.
    let levels: Value = t.app.get(&t.bob.1, "/v1/sla").await.json().await.unwrap();
    assert_eq!(
        levels[0],
        json!({"level": "P1", "accept_minutes": 5, "resolve_minutes": 60, "version": 1})
    );
    assert_error(
        t.app
            .send(
                Method::PUT,
                &t.bob.1,
                "/v1/sla",
                json!({"level": "P3", "accept_minutes": 10, "resolve_minutes": 100, "version": 1}),
            )
            .await,
        403,
        "OPS.0403",
    )
    .await;
    assert_error(
        t.app
            .send(
                Method::PUT,
                &t.admin,
                "/v1/sla",
                json!({"level": "P3", "accept_minutes": 100, "resolve_minutes": 10, "version": 1}),
            )
            .await,
        422,
        "OPS.0422",
    )
    .await;
    let edited = t
        .app
        .send(
            Method::PUT,
            &t.admin,
            "/v1/sla",
            json!({"level": "P3", "accept_minutes": 10, "resolve_minutes": 100, "version": 1}),
        )
        .await;
    assert_eq!(edited.status(), StatusCode::OK);
    assert_error(
        t.app
            .send(
                Method::PUT,
                &t.admin,
                "/v1/sla",
                json!({"level": "P3", "accept_minutes": 11, "resolve_minutes": 100, "version": 1}),
            )
            .await,
        409,
        "OPS.0410",
    )
    .await;
    let fresh = open(&t, &t.alice.1, json!({"user_id": t.bob.0})).await;
    assert_eq!(fresh["accept_due_at"], "2026-11-28T10:11:00Z");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_people_an_event_concerns_are_notified(pool: PgPool) {
    let t = team(pool).await;
    let (alice, bob) = (&t.alice.1, &t.bob.1);
    let inbox = |token: String| {
        let app = &t.app;
        async move {
            let v: Value = app
                .get(&token, "/v1/notifications")
                .await
                .json()
                .await
                .unwrap();
            v
        }
    };
    let i = open(&t, alice, json!({"user_id": t.bob.0})).await;
    let bobs = inbox(bob.clone()).await;
    assert_eq!(bobs["unread"], 1);
    assert_eq!(bobs["items"][0]["kind"], "assigned");
    assert_eq!(bobs["items"][0]["link"], format!("/incidents/{}", i["id"]));
    assert!(
        bobs["items"][0]["title"]
            .as_str()
            .unwrap()
            .contains("assigned to you: Checkout fails")
    );
    // Nobody is told what they did themselves.
    assert_eq!(inbox(alice.clone()).await["unread"], 0);
    let i = act(&t, bob, &i, "reject", json!({"reason": "not ours"})).await;
    assert_eq!(inbox(alice.clone()).await["items"][0]["kind"], "rejected");
    let i = act(&t, alice, &i, "resubmit", json!({})).await;
    let i = act(&t, bob, &i, "accept", json!({})).await;
    act(
        &t,
        bob,
        &i,
        "submit_solution",
        json!({"cause": "c", "solution": "s"}),
    )
    .await;
    let alices = inbox(alice.clone()).await;
    assert_eq!(alices["unread"], 2);
    assert_eq!(alices["items"][0]["kind"], "to_verify");

    let marked: Value = t
        .app
        .send(
            Method::POST,
            alice,
            "/v1/notifications/read",
            json!({"ids": [alices["items"][0]["id"]]}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(marked["marked"], 1);
    assert_eq!(inbox(alice.clone()).await["unread"], 1);
    let marked: Value = t
        .app
        .send(Method::POST, alice, "/v1/notifications/read", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(marked["marked"], 1);
    assert_eq!(inbox(alice.clone()).await["unread"], 0);
    assert_eq!(inbox(bob.clone()).await["unread"], 2, "bob's are his own");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn big_lists_count_up_to_a_cap_and_page_deep_by_cursor(pool: PgPool) {
    let db = pool.clone();
    let t = team(pool).await;
    sqlx::query(
        "INSERT INTO incidents (title, level, category, source, status, owner_id, created_at, \
                                updated_at) \
         SELECT 'Generated ' || g, 'P3', 'other', 'api', 'accepted', $1, now(), now() \
         FROM generate_series(1, 10005) AS g",
    )
    .bind(t.alice.0)
    .execute(&db)
    .await
    .unwrap();
    let body: Value = t
        .app
        .get(&t.bob.1, "/v1/incidents?per_page=3")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (body["total"].as_i64(), body["total_capped"].as_bool()),
        (Some(10_000), Some(true))
    );
    let narrow: Value = t
        .app
        .get(&t.bob.1, "/v1/incidents?status=rejected")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (narrow["total"].as_i64(), narrow["total_capped"].as_bool()),
        (Some(0), Some(false))
    );

    // Walking by cursor gives the same pages as walking by number, newest first.
    let ids = |page: &Value| -> Vec<i64> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    let first = ids(&body);
    let by_cursor: Value = t
        .app
        .get(
            &t.bob.1,
            &format!("/v1/incidents?per_page=3&after={}", first[2]),
        )
        .await
        .json()
        .await
        .unwrap();
    let second: Value = t
        .app
        .get(&t.bob.1, "/v1/incidents?per_page=3&page=2")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ids(&by_cursor), ids(&second));
    assert!(ids(&by_cursor)[0] < first[2]);
    let ascending: Value = t
        .app
        .get(
            &t.bob.1,
            &format!("/v1/incidents?per_page=2&sort=id&after={}", first[0] - 2),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ids(&ascending), [first[0] - 1, first[0]]);

    // Any sort pages by cursor: `next` and `previous` lead to the neighbouring pages by number,
    // forwards and back, and the first page has no `previous`.
    let by_title = |query: String| {
        let (app, token) = (&t.app, &t.bob.1);
        async move {
            app.get(
                token,
                &format!("/v1/incidents?per_page=3&sort=-title&{query}"),
            )
            .await
            .json::<Value>()
            .await
            .unwrap()
        }
    };
    let mut numbered = vec![];
    for n in 1..=3 {
        numbered.push(ids(&by_title(format!("page={n}")).await));
    }
    let first = by_title(String::new()).await;
    assert_eq!(first["previous"], Value::Null);
    let second = by_title(format!("after={}", first["next"])).await;
    assert_eq!(ids(&second), numbered[1]);
    let third = by_title(format!("after={}", second["next"])).await;
    assert_eq!(ids(&third), numbered[2]);
    let back = by_title(format!("before={}", third["previous"])).await;
    assert_eq!(
        (ids(&back), &back["next"]),
        (numbered[1].clone(), &second["next"])
    );
    let front = by_title(format!("before={}", back["previous"])).await;
    assert_eq!(
        (ids(&front), &front["previous"]),
        (numbered[0].clone(), &Value::Null)
    );

    for (query, field) in [("after=5&before=9", "before"), ("after=5&page=2", "page")] {
        let bad = t.app.get(&t.bob.1, &format!("/v1/incidents?{query}")).await;
        assert!(assert_error(bad, 422, "OPS.0422").await.contains(field));
    }
}
