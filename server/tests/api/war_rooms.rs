//! War rooms over real HTTP: opened by an incident's owner, staffed by rules from on-call
//! schedules, worked by their members, recovered when every affected application is restored,
//! closed with cause and impact, and refused to everyone the room does not give the power.

use crate::common::{TestApp, assert_error, spawn};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

struct Room {
    app: TestApp,
    admin: String,
    /// The incident's owner, who opens the room.
    owner: (i64, String),
    /// On duty for "payments/primary".
    oncall: (i64, String),
    /// An operator outside the room.
    outsider: (i64, String),
    viewer: String,
    incident: Value,
    application: i64,
}

async fn room_world(pool: PgPool) -> Room {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let mut people = vec![];
    for (name, role) in [
        ("olga", "operator"),
        ("oscar", "operator"),
        ("otto", "operator"),
        ("vera", "viewer"),
    ] {
        let id = app.create_user(&admin, name, role).await["id"]
            .as_i64()
            .unwrap();
        people.push((id, app.token(name, "password-123").await));
    }
    let application = app
        .expect(
            Method::POST,
            &admin,
            "/v1/applications",
            json!({"name": "shop"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let schedule = app
        .expect(
            Method::POST,
            &admin,
            "/v1/schedules",
            json!({"name": "payments", "time_zone": "UTC"}),
            StatusCode::CREATED,
        )
        .await;
    app.expect(
        Method::POST,
        &admin,
        &format!("/v1/schedules/{}/roles", schedule["id"]),
        json!({"name": "primary", "members": [people[1].0]}),
        StatusCode::CREATED,
    )
    .await;
    let rule = app
        .expect(
            Method::POST,
            &admin,
            "/v1/war-room-rules",
            json!({"name": "payments on-call", "levels": ["P1", "P2"], "application_ids": [application],
                   "schedule_id": schedule["id"], "schedule_role": "primary", "member_role": "recovery_lead"}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(rule["levels"], json!(["P1", "P2"]));
    let incident = app
        .expect(
            Method::POST,
            &people[0].1,
            "/v1/incidents",
            json!({"title": "Payments down", "level": "P1", "category": "function",
                   "application_id": application, "owner": {"user_id": people[0].0}}),
            StatusCode::CREATED,
        )
        .await;
    let base = format!("/v1/incidents/{}", incident["id"]);
    let incident = app
        .act(&people[0].1, &base, &incident, "accept", json!({}))
        .await;
    let viewer = people.pop().unwrap().1;
    let outsider = people.pop().unwrap();
    let oncall = people.pop().unwrap();
    let owner = people.pop().unwrap();
    Room {
        app,
        admin,
        owner,
        oncall,
        outsider,
        viewer,
        incident,
        application,
    }
}

async fn open_room(w: &Room) -> Value {
    let base = format!("/v1/incidents/{}", w.incident["id"]);
    assert!(
        w.app
            .allowed(&w.owner.1, &base)
            .await
            .contains(&"start_war_room".to_owned())
    );
    let after = w
        .app
        .act(
            &w.owner.1,
            &base,
            &w.incident,
            "start_war_room",
            json!({"title": "Payments outage"}),
        )
        .await;
    assert_eq!(after["status"], "accepted");
    let detail: Value = w.app.get(&w.owner.1, &base).await.json().await.unwrap();
    assert!(
        !detail["actions"]
            .as_array()
            .unwrap()
            .contains(&json!("start_war_room"))
    );
    let room_id = detail["war_room"]["id"]
        .as_i64()
        .expect("the incident links its room");
    w.app
        .get(&w.owner.1, &format!("/v1/war-rooms/{room_id}"))
        .await
        .json()
        .await
        .unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_room_runs_from_open_to_closed_with_its_rule_staffing_it(pool: PgPool) {
    let w = room_world(pool).await;
    let room = open_room(&w).await;
    let id = room["id"].as_i64().unwrap();
    let path = |p: &str| format!("/v1/war-rooms/{id}{p}");
    assert_eq!(
        (room["status"].as_str(), room["title"].as_str()),
        (Some("started"), Some("Payments outage"))
    );
    let members: Vec<(i64, String)> = room["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["user_id"].as_i64().unwrap(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        members,
        [
            (w.owner.0, "admin".to_owned()),
            (w.oncall.0, "recovery_lead".to_owned())
        ]
    );

    // The on-call person was told, in the same transaction.
    let inbox: Value = w
        .app
        .get(&w.oncall.1, "/v1/notifications")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inbox["items"][0]["kind"], "added_to_war_room");

    // Naming an affected application delimits the room; restoring it recovers it.
    let r = w
        .app
        .expect(
            Method::POST,
            &w.oncall.1,
            &path("/applications"),
            json!({"application_id": w.application}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(r["status"], "delimited");
    let again = w
        .app
        .send(
            Method::POST,
            &w.oncall.1,
            &path("/applications"),
            json!({"application_id": w.application}),
        )
        .await;
    assert_error(again, 409, "OPS.0409").await;

    // Notices go to members and subscribers; an outsider may subscribe, not post.
    let refused = w
        .app
        .send(
            Method::POST,
            &w.outsider.1,
            &path("/notices"),
            json!({"kind": "progress", "body": "hi"}),
        )
        .await;
    assert_error(refused, 403, "OPS.0403").await;
    let subscribed = w
        .app
        .send(
            Method::PUT,
            &w.outsider.1,
            &path("/subscription"),
            json!({}),
        )
        .await;
    assert_eq!(subscribed.status(), StatusCode::NO_CONTENT);
    w.app
        .expect(
            Method::POST,
            &w.owner.1,
            &path("/notices"),
            json!({"kind": "first", "body": "Card payments fail since 09:00."}),
            StatusCode::OK,
        )
        .await;
    let inbox: Value = w
        .app
        .get(&w.outsider.1, "/v1/notifications")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inbox["items"][0]["kind"], "war_room_notice");
    let long = w
        .app
        .send(
            Method::POST,
            &w.owner.1,
            &path("/notices"),
            json!({"kind": "progress", "body": "x".repeat(1001)}),
        )
        .await;
    assert!(assert_error(long, 422, "OPS.0422").await.contains("body"));

    // Closing needs every application restored, then cause and impact.
    let room: Value = w.app.get(&w.owner.1, &path("")).await.json().await.unwrap();
    let early = w
        .app
        .send(
            Method::POST,
            &w.owner.1,
            &path("/close"),
            json!({"cause": "c", "impact": "i", "version": room["version"]}),
        )
        .await;
    assert!(
        assert_error(early, 409, "OPS.0409")
            .await
            .contains("'shop'")
    );
    let r = w
        .app
        .expect(
            Method::PUT,
            &w.oncall.1,
            &path(&format!("/applications/{}", w.application)),
            json!({"restored": true}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(r["status"], "recovered");
    assert!(r["recovered_at"].is_string());
    let missing = w
        .app
        .send(
            Method::POST,
            &w.owner.1,
            &path("/close"),
            json!({"cause": " ", "impact": "i", "version": r["version"]}),
        )
        .await;
    assert!(
        assert_error(missing, 422, "OPS.0422")
            .await
            .contains("cause")
    );
    let stale = w
        .app
        .send(
            Method::POST,
            &w.owner.1,
            &path("/close"),
            json!({"cause": "c", "impact": "i", "version": 1}),
        )
        .await;
    assert_error(stale, 409, "OPS.0410").await;
    let closed = w.app.expect(Method::POST, &w.owner.1, &path("/close"), json!({"cause": "Expired TLS certificate", "impact": "No card payments for 40 minutes", "version": r["version"]}), StatusCode::OK).await;
    assert_eq!(closed["status"], "closed");

    // A closed room is read-only, even for its admin.
    let late = w
        .app
        .send(
            Method::POST,
            &w.owner.1,
            &path("/notices"),
            json!({"kind": "progress", "body": "late"}),
        )
        .await;
    assert_error(late, 403, "OPS.0403").await;

    // The timeline merges the room's steps, its notices and the incident's actions, in order.
    let room: Value = w.app.get(&w.viewer, &path("")).await.json().await.unwrap();
    let steps: Vec<(String, String)> = room["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["origin"].as_str().unwrap().to_owned(),
                t["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("incident", "create"),
        ("incident", "accept"),
        ("room", "open"),
        ("room", "add_member"),
        ("incident", "start_war_room"),
        ("room", "add_application"),
        ("notice", "notice_first"),
        ("room", "restore_application"),
        ("room", "close"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(steps, expected);
    assert_eq!(
        room["powers"],
        json!({"manage": false, "post": false, "subscribe": false})
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn only_the_owner_opens_a_room_once_and_only_leads_manage_it(pool: PgPool) {
    let w = room_world(pool).await;
    let base = format!("/v1/incidents/{}", w.incident["id"]);
    w.app
        .refuse(
            &w.outsider.1,
            &base,
            &w.incident,
            "start_war_room",
            json!({}),
            403,
            "OPS.0403",
        )
        .await;
    let room = open_room(&w).await;
    let id = room["id"].as_i64().unwrap();
    let incident: Value = w.app.get(&w.owner.1, &base).await.json().await.unwrap();
    let twice = w
        .app
        .refuse(
            &w.owner.1,
            &base,
            &incident,
            "start_war_room",
            json!({}),
            409,
            "OPS.0409",
        )
        .await;
    assert!(twice.contains("already has war room"), "{twice}");

    // Members: invite, re-role, remove; the opener stays admin; outsiders and viewers cannot.
    let path = format!("/v1/war-rooms/{id}/members/{}", w.outsider.0);
    let refused = w
        .app
        .send(
            Method::PUT,
            &w.outsider.1,
            &path,
            json!({"role": "engineer"}),
        )
        .await;
    assert_error(refused, 403, "OPS.0403").await;
    let refused = w
        .app
        .send(Method::PUT, &w.viewer, &path, json!({"role": "engineer"}))
        .await;
    assert_error(refused, 403, "OPS.0403").await;
    w.app
        .expect(
            Method::PUT,
            &w.owner.1,
            &path,
            json!({"role": "observer"}),
            StatusCode::OK,
        )
        .await;
    let same = w
        .app
        .send(Method::PUT, &w.owner.1, &path, json!({"role": "observer"}))
        .await;
    assert_error(same, 422, "OPS.0422").await;
    let observer_posts = w
        .app
        .send(
            Method::POST,
            &w.outsider.1,
            &format!("/v1/war-rooms/{id}/notices"),
            json!({"kind": "progress", "body": "me too"}),
        )
        .await;
    assert_error(observer_posts, 403, "OPS.0403").await;
    w.app
        .expect(
            Method::PUT,
            &w.owner.1,
            &path,
            json!({"role": "engineer"}),
            StatusCode::OK,
        )
        .await;
    w.app
        .expect(
            Method::POST,
            &w.outsider.1,
            &format!("/v1/war-rooms/{id}/notices"),
            json!({"kind": "progress", "body": "Rolled back the gateway."}),
            StatusCode::OK,
        )
        .await;
    let demote = w
        .app
        .send(
            Method::PUT,
            &w.owner.1,
            &format!("/v1/war-rooms/{id}/members/{}", w.owner.0),
            json!({"role": "engineer"}),
        )
        .await;
    assert_error(demote, 422, "OPS.0422").await;
    let remove_admin = w
        .app
        .send(
            Method::DELETE,
            &w.oncall.1,
            &format!("/v1/war-rooms/{id}/members/{}", w.owner.0),
            json!({}),
        )
        .await;
    assert_error(remove_admin, 409, "OPS.0409").await;
    w.app
        .expect(
            Method::DELETE,
            &w.oncall.1,
            &path,
            json!({}),
            StatusCode::OK,
        )
        .await;
    let room: Value = w
        .app
        .get(&w.owner.1, &format!("/v1/war-rooms/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(room["members"].as_array().unwrap().len(), 2);

    // Bad input changes nothing.
    let unknown_app = w
        .app
        .send(
            Method::POST,
            &w.owner.1,
            &format!("/v1/war-rooms/{id}/applications"),
            json!({"application_id": 999}),
        )
        .await;
    assert_error(unknown_app, 422, "OPS.0422").await;
    let missing = w.app.get(&w.owner.1, "/v1/war-rooms/999").await;
    assert_error(missing, 404, "OPS.0404").await;
    let after: Value = w
        .app
        .get(&w.owner.1, &format!("/v1/war-rooms/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["applications"], json!([]));
    assert_eq!(after["status"], "started");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn rules_are_validated_and_only_admins_keep_them(pool: PgPool) {
    let w = room_world(pool).await;
    let new = json!({"name": "dba", "schedule_id": 999, "schedule_role": "primary"});
    let refused = w
        .app
        .send(Method::POST, &w.owner.1, "/v1/war-room-rules", new.clone())
        .await;
    assert_error(refused, 403, "OPS.0403").await;
    let unknown = w
        .app
        .send(Method::POST, &w.admin, "/v1/war-room-rules", new)
        .await;
    assert_error(unknown, 404, "OPS.0404").await;
    let rules: Value = w
        .app
        .get(&w.viewer, "/v1/war-room-rules")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rules.as_array().unwrap().len(), 1);
    let duplicate = w.app.send(Method::POST, &w.admin, "/v1/war-room-rules", json!({"name": "payments on-call", "schedule_id": rules[0]["schedule_id"], "schedule_role": "primary"})).await;
    assert_error(duplicate, 409, "OPS.0409").await;
    let gone = w
        .app
        .send(
            Method::DELETE,
            &w.admin,
            &format!("/v1/war-room-rules/{}", rules[0]["id"]),
            json!({}),
        )
        .await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);

    // Without the rule, a room starts with its opener alone.
    let room = open_room(&w).await;
    assert_eq!(room["members"].as_array().unwrap().len(), 1);
}
