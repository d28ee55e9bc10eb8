//! Escalation of incidents nobody accepts: to the next person of the on-call role, then to the
//! administrators, each once, with the clock moved by hand.

use crate::common::spawn;
use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

async fn inbox(app: &crate::common::TestApp, token: &str) -> Vec<String> {
    let inbox: Value = app
        .get(token, "/v1/notifications")
        .await
        .json()
        .await
        .unwrap();
    inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[sqlx::test(migrations = "./migrations")]
async fn unaccepted_incidents_go_to_the_next_on_call_then_to_admins(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let alice = app.create_user(&admin, "alice", "operator").await["id"]
        .as_i64()
        .unwrap();
    let bob = app.create_user(&admin, "bob", "operator").await["id"]
        .as_i64()
        .unwrap();
    let schedule: Value = app
        .send(
            Method::POST,
            &admin,
            "/v1/schedules",
            json!({"name": "payments", "time_zone": "UTC"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let role = app
        .send(
            Method::POST,
            &admin,
            &format!("/v1/schedules/{}/roles", schedule["id"]),
            json!({"name": "primary", "members": [alice, bob]}),
        )
        .await;
    assert_eq!(role.status(), StatusCode::CREATED);
    let incident: Value = app
        .send(
            Method::POST,
            &admin,
            "/v1/incidents",
            json!({"title": "Card payments fail", "level": "P1", "category": "function",
                   "owner": {"schedule_id": schedule["id"], "role": "primary"}}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(incident["owner_id"].as_i64(), Some(alice));
    let due: DateTime<Utc> = incident["accept_due_at"].as_str().unwrap().parse().unwrap();
    let created: DateTime<Utc> = incident["created_at"].as_str().unwrap().parse().unwrap();
    let window = due - created;

    assert_eq!(
        app::service::escalation::escalate_due(&app.state)
            .await
            .unwrap(),
        0
    );
    app.clock.advance(window);
    assert_eq!(
        app::service::escalation::escalate_due(&app.state)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        app::service::escalation::escalate_due(&app.state)
            .await
            .unwrap(),
        0,
        "once per step"
    );
    assert_eq!(
        app::service::escalation::overdue(&app.state).await.unwrap(),
        1
    );
    let bob_token = app.token("bob", "password-123").await;
    assert_eq!(inbox(&app, &bob_token).await, ["escalated"]);
    let detail: Value = app
        .get(&admin, &format!("/v1/incidents/{}", incident["id"]))
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
    assert_eq!(last["action"], "escalate");
    assert!(
        last["comment"]
            .as_str()
            .unwrap()
            .contains("next on call for 'primary' (bob)"),
        "{last}"
    );

    // Still nobody: after the same time again, every administrator is told.
    app.clock.advance(window);
    assert_eq!(
        app::service::escalation::escalate_due(&app.state)
            .await
            .unwrap(),
        1
    );
    let admin = app.admin().await;
    assert!(inbox(&app, &admin).await.contains(&"escalated".to_owned()));
    assert_eq!(
        app::service::escalation::overdue(&app.state).await.unwrap(),
        0
    );
    app.clock.advance(window);
    assert_eq!(
        app::service::escalation::escalate_due(&app.state)
            .await
            .unwrap(),
        0,
        "the last step"
    );
}

#[sqlx::test(migrations = "./migrations")]
async fn accepted_incidents_and_direct_owners_escalate_as_they_should(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let alice = app.create_user(&admin, "alice", "operator").await["id"]
        .as_i64()
        .unwrap();
    let alice_token = app.token("alice", "password-123").await;
    let open = |title: &'static str| {
        app.send(
            Method::POST,
            &admin,
            "/v1/incidents",
            json!({"title": title, "level": "P2", "category": "function", "owner": {"user_id": alice}}),
        )
    };
    let accepted: Value = open("accepted in time").await.json().await.unwrap();
    let direct: Value = open("owned by a person").await.json().await.unwrap();
    app.act(
        &alice_token,
        &format!("/v1/incidents/{}", accepted["id"]),
        &accepted,
        "accept",
        json!({}),
    )
    .await;
    app.clock.advance(chrono::Duration::hours(23));
    // The accepted one never escalates; one assigned to a person goes straight to the admins.
    assert_eq!(
        app::service::escalation::escalate_due(&app.state)
            .await
            .unwrap(),
        1
    );
    let detail: Value = app
        .get(&admin, &format!("/v1/incidents/{}", direct["id"]))
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
    assert!(
        last["comment"]
            .as_str()
            .unwrap()
            .contains("the administrators"),
        "{last}"
    );
}
