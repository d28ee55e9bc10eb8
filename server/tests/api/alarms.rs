//! The alarm pipeline over real HTTP: data sources and their keys, pushes in the three formats,
//! dedup (also under concurrent identical pushes), clears, forwarding rules with silence,
//! test and replay, converting and clearing by hand, and the retention purge.

use crate::common::{TestApp, assert_error, spawn};
use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

async fn source(app: &TestApp, admin: &str, kind: &str, name: &str) -> (i64, String) {
    let response = app
        .send(
            Method::POST,
            admin,
            "/v1/data-sources",
            json!({"name": name, "kind": kind}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    let key = body["key"].as_str().unwrap().to_owned();
    assert_eq!(key.len(), 32);
    assert!(key.chars().all(|c| c.is_ascii_alphanumeric()), "{key}");
    assert_eq!(
        body["push_path"].as_str().unwrap(),
        format!("/v1/events/{kind}/{key}")
    );
    assert_eq!(body["key_hint"].as_str().unwrap(), &key[28..]);
    (body["id"].as_i64().unwrap(), key)
}

async fn push_raw(app: &TestApp, kind: &str, key: &str, body: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/v1/events/{kind}/{key}")))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

async fn push(app: &TestApp, kind: &str, key: &str, body: Value) -> Value {
    let response = push_raw(app, kind, key, &body.to_string()).await;
    let status = response.status();
    let answer: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    answer
}

fn event(key: &str, status: &str) -> Value {
    json!({"dedup_key": key, "name": format!("{key} is down"), "level": "critical",
           "status": status, "labels": {"env": "prod", "cluster": "eu-1"}})
}

async fn alarm(app: &TestApp, token: &str, id: i64) -> Value {
    let response = app.get(token, &format!("/v1/alarms/{id}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn active(app: &TestApp, token: &str) -> Vec<Value> {
    let body: Value = app
        .get(token, "/v1/alarms?status=active&per_page=200")
        .await
        .json()
        .await
        .unwrap();
    body["items"].as_array().unwrap().clone()
}

#[sqlx::test(migrations = "./migrations")]
async fn a_generic_push_raises_repeats_and_clears_one_alarm(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let (source_id, key) = source(&app, &admin, "generic", "custom").await;

    let state = &app.state;
    assert!(!app::service::alarms::announce_changes(state).await.unwrap());
    let first = push(&app, "generic", &key, event("web-1", "alarm")).await;
    assert!(
        app::service::alarms::announce_changes(state).await.unwrap(),
        "one notice"
    );
    assert!(
        !app::service::alarms::announce_changes(state).await.unwrap(),
        "and only one"
    );
    assert_eq!(first["accepted"], 1);
    assert_eq!(first["results"][0]["outcome"], "raised");
    let id = first["alarm_ids"][0].as_i64().unwrap();
    let again = push(&app, "generic", &key, event("web-1", "alarm")).await;
    assert_eq!(again["results"][0]["outcome"], "repeated");
    assert_eq!(again["alarm_ids"][0].as_i64(), Some(id));

    let a = alarm(&app, &admin, id).await;
    assert_eq!(a["count"], 2);
    assert_eq!(a["status"], "active");
    assert_eq!(a["level"], "critical");
    assert_eq!(a["data_source_id"].as_i64(), Some(source_id));
    assert_eq!(a["source_name"], "custom");
    assert_eq!(a["labels"]["cluster"], "eu-1");
    assert_eq!(active(&app, &admin).await.len(), 1);

    let cleared = push(
        &app,
        "generic",
        &key,
        json!({"dedup_key": "web-1", "status": "ok"}),
    )
    .await;
    assert_eq!(cleared["results"][0]["outcome"], "cleared");
    assert_eq!(cleared["alarm_ids"][0].as_i64(), Some(id));
    let a = alarm(&app, &admin, id).await;
    assert_eq!(a["status"], "cleared");
    assert_eq!(a["cleared_by"], "source");
    let nothing = push(
        &app,
        "generic",
        &key,
        json!({"dedup_key": "web-1", "status": "ok"}),
    )
    .await;
    assert_eq!(nothing["results"][0]["outcome"], "nothing_to_clear");
    assert_eq!(nothing["alarm_ids"][0], Value::Null);

    // Firing again after the clear is a new alarm.
    let reborn = push(&app, "generic", &key, event("web-1", "alarm")).await;
    assert_ne!(reborn["alarm_ids"][0].as_i64(), Some(id));
    let history: Value = app
        .get(&admin, "/v1/alarms?status=cleared")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history["total"], 1);
}

#[sqlx::test(migrations = "./migrations")]
async fn a_batch_is_applied_in_order_per_key(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let (_, key) = source(&app, &admin, "generic", "batch").await;
    let answer = push(
        &app,
        "generic",
        &key,
        json!([
            event("a", "alarm"), event("b", "alarm"), event("a", "alarm"),
            {"dedup_key": "a", "status": "ok"}, event("a", "alarm"), event("c", "alarm")
        ]),
    )
    .await;
    let outcomes: Vec<&str> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        [
            "raised", "raised", "repeated", "cleared", "raised", "raised"
        ]
    );
    let ids = &answer["alarm_ids"];
    assert_eq!(ids[0], ids[2]);
    assert_eq!(ids[0], ids[3]);
    assert_ne!(ids[0], ids[4]);
    let names: Vec<String> = active(&app, &admin)
        .await
        .iter()
        .map(|a| a["dedup_key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
}

#[sqlx::test(migrations = "./migrations")]
async fn concurrent_identical_events_make_exactly_one_active_alarm(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    let (_, key) = source(&app, &admin, "generic", "storm").await;
    let pushes = (0..24).map(|_| {
        let (client, url) = (
            app.client.clone(),
            app.url(&format!("/v1/events/generic/{key}")),
        );
        tokio::spawn(async move {
            client
                .post(url)
                .json(&json!([event("same", "alarm"), event("other", "alarm")]))
                .send()
                .await
                .unwrap()
                .status()
        })
    });
    for status in futures::future::join_all(pushes).await {
        assert_eq!(status.unwrap(), StatusCode::ACCEPTED);
    }
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT dedup_key, count FROM alarms ORDER BY dedup_key")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(rows, [("other".to_owned(), 24), ("same".to_owned(), 24)]);
}

#[sqlx::test(migrations = "./migrations")]
async fn pushes_still_land_after_the_shared_writers_lose_their_connections(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    let (_, key) = source(&app, &admin, "generic", "restarts").await;
    push(&app, "generic", &key, event("before", "alarm")).await;

    // The writers keep their connection between pushes; end it as a database restart would.
    let cut = crate::common::end_sessions(&pool, "INSERT INTO alarms").await;
    assert!(!cut.is_empty(), "a writer held its connection");

    for n in 0..3 {
        let answer = push(&app, "generic", &key, event(&format!("after-{n}"), "alarm")).await;
        assert_eq!(answer["results"][0]["outcome"], "raised", "{answer}");
    }
    let keys: Vec<String> = sqlx::query_scalar("SELECT dedup_key FROM alarms ORDER BY dedup_key")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(keys, ["after-0", "after-1", "after-2", "before"]);
}

#[sqlx::test(migrations = "./migrations")]
async fn keys_are_checked_before_bodies_and_bad_bodies_change_nothing(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    let (id, key) = source(&app, &admin, "generic", "strict").await;

    assert_error(
        push_raw(&app, "generic", "nope", "{}").await,
        404,
        "OPS.0404",
    )
    .await;
    // The key of a generic source does not open the Alertmanager door.
    assert_error(
        push_raw(&app, "alertmanager", &key, "{}").await,
        404,
        "OPS.0404",
    )
    .await;
    assert_error(
        push_raw(&app, "generic", &key, "{oops").await,
        400,
        "OPS.0400",
    )
    .await;
    let msg = assert_error(
        push_raw(
            &app,
            "generic",
            &key,
            &json!([event("ok-1", "alarm"), {"dedup_key": "x", "name": "y", "level": "loud"}])
                .to_string(),
        )
        .await,
        422,
        "OPS.0422",
    )
    .await;
    assert!(msg.starts_with("[1].level:"), "{msg}");
    let big = format!(
        "[{}]",
        vec![event("k", "alarm").to_string(); 12_000].join(",")
    );
    assert!(big.len() > 1024 * 1024);
    assert_error(push_raw(&app, "generic", &key, &big).await, 413, "OPS.0413").await;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM alarms")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 0, "nothing of a refused push is kept");

    // Disabled: 404. Rotated: the old key is dead, the new one works.
    let current: Value = app
        .get(&admin, &format!("/v1/data-sources/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let off = app
        .send(
            Method::PUT,
            &admin,
            &format!("/v1/data-sources/{id}"),
            json!({"name": "strict", "enabled": false, "version": current["version"]}),
        )
        .await;
    assert_eq!(off.status(), StatusCode::OK);
    assert_error(
        push_raw(&app, "generic", &key, &event("a", "alarm").to_string()).await,
        404,
        "OPS.0404",
    )
    .await;
    let on: Value = off.json().await.unwrap();
    app.send(
        Method::PUT,
        &admin,
        &format!("/v1/data-sources/{id}"),
        json!({"name": "strict", "enabled": true, "version": on["version"]}),
    )
    .await;
    let rotated: Value = app
        .send(
            Method::POST,
            &admin,
            &format!("/v1/data-sources/{id}/rotate-key"),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    let new_key = rotated["key"].as_str().unwrap();
    assert_ne!(new_key, key);
    assert_error(
        push_raw(&app, "generic", &key, &event("a", "alarm").to_string()).await,
        404,
        "OPS.0404",
    )
    .await;
    push(&app, "generic", new_key, event("a", "alarm")).await;
    // Listing never shows a key; a source with alarms cannot be deleted.
    let list: Value = app
        .get(&admin, "/v1/data-sources")
        .await
        .json()
        .await
        .unwrap();
    assert!(list[0].get("key").is_none());
    assert_eq!(list[0]["active_alarms"], 1);
    assert_error(
        app.send(
            Method::DELETE,
            &admin,
            &format!("/v1/data-sources/{id}"),
            json!({}),
        )
        .await,
        409,
        "OPS.0409",
    )
    .await;
    // Operators may not manage sources.
    app.create_user(&admin, "olga", "operator").await;
    let olga = app.token("olga", "password-123").await;
    assert_error(
        app.send(
            Method::POST,
            &olga,
            "/v1/data-sources",
            json!({"name": "x", "kind": "generic"}),
        )
        .await,
        403,
        "OPS.0403",
    )
    .await;
}

#[sqlx::test(migrations = "./migrations")]
async fn alertmanager_and_grafana_bodies_raise_and_resolve(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let (_, am) = source(&app, &admin, "alertmanager", "prometheus").await;
    let (_, gf) = source(&app, &admin, "grafana", "grafana").await;
    let body = |status: &str| {
        json!({"version": "4", "status": status, "receiver": "opsroom", "groupKey": "{}",
               "alerts": [{"status": status, "fingerprint": "f00d",
                           "labels": {"alertname": "HostDown", "severity": "critical", "instance": "10.1.1.1:9100"},
                           "annotations": {"summary": "host unreachable"},
                           "startsAt": "2026-11-28T08:55:00Z", "endsAt": "2026-11-28T09:00:00Z",
                           "generatorURL": "http://prom/graph"}]})
    };
    let raised = push(&app, "alertmanager", &am, body("firing")).await;
    let id = raised["alarm_ids"][0].as_i64().unwrap();
    let a = alarm(&app, &admin, id).await;
    assert_eq!(a["name"], "HostDown");
    assert_eq!(a["dedup_key"], "f00d");
    assert_eq!(a["resource_ref"], "10.1.1.1");
    assert_eq!(a["description"], "host unreachable");
    let resolved = push(&app, "alertmanager", &am, body("resolved")).await;
    assert_eq!(resolved["results"][0]["outcome"], "cleared");
    let g = push(
        &app,
        "grafana",
        &gf,
        json!({"status": "firing", "orgId": 1, "alerts": [{"status": "firing",
               "labels": {"alertname": "CPU"}, "annotations": {}, "fingerprint": "c1",
               "panelURL": "http://grafana/d/1?viewPanel=2"}]}),
    )
    .await;
    let a = alarm(&app, &admin, g["alarm_ids"][0].as_i64().unwrap()).await;
    assert_eq!(a["url"], "http://grafana/d/1?viewPanel=2");
    assert_eq!(a["level"], "major");
}

async fn rule(app: &TestApp, admin: &str, body: Value) -> Value {
    let response = app
        .send(Method::POST, admin, "/v1/forwarding-rules", body)
        .await;
    let status = response.status();
    let rule: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{rule}");
    rule
}

fn incident_rule(name: &str, owner: i64, group_by: Value) -> Value {
    json!({
        "name": name, "enabled": true,
        "groups": [[{"field": "level", "op": "eq", "value": "critical"},
                    {"field": "labels.env", "op": "eq", "value": "prod"}]],
        "action": {"type": "incident", "level": "P2", "category": "reliability",
                   "owner": {"user_id": owner}},
        "group_by": group_by, "silence_window_minutes": 30
    })
}

#[sqlx::test(migrations = "./migrations")]
async fn rules_open_incidents_and_silence_joins_them(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let olga = app.create_user(&admin, "olga", "operator").await["id"]
        .as_i64()
        .unwrap();
    let (_, key) = source(&app, &admin, "generic", "mon").await;
    let r = rule(
        &app,
        &admin,
        incident_rule("prod criticals", olga, json!([])),
    )
    .await;
    assert_eq!(r["position"], 1);

    let first = push(&app, "generic", &key, event("db-1", "alarm")).await;
    let incident = first["results"][0]["incident_id"]
        .as_i64()
        .expect("an incident");
    let inc: Value = app
        .get(&admin, &format!("/v1/incidents/{incident}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inc["owner_id"].as_i64(), Some(olga));
    assert_eq!(inc["source"], "forwarding_rule");
    assert_eq!(inc["level"], "P2");
    assert_eq!(inc["title"], "db-1 is down");
    assert_eq!(inc["alarms"][0]["id"], first["alarm_ids"][0]);
    assert!(
        inc["history"][0]["comment"]
            .as_str()
            .unwrap()
            .contains("prod criticals")
    );

    // A repeat, and a new alarm of the same key after a clear, stay with the open incident.
    let repeat = push(&app, "generic", &key, event("db-1", "alarm")).await;
    assert_eq!(repeat["results"][0]["incident_id"].as_i64(), Some(incident));
    push(
        &app,
        "generic",
        &key,
        json!({"dedup_key": "db-1", "status": "ok"}),
    )
    .await;
    let again = push(&app, "generic", &key, event("db-1", "alarm")).await;
    assert_eq!(again["results"][0]["outcome"], "raised");
    assert_eq!(again["results"][0]["incident_id"].as_i64(), Some(incident));
    // Another key opens its own incident; a non-matching event stays an alarm.
    let other = push(&app, "generic", &key, event("db-2", "alarm")).await;
    assert_ne!(other["results"][0]["incident_id"].as_i64(), Some(incident));
    let quiet = push(
        &app,
        "generic",
        &key,
        json!({"dedup_key": "dev-1", "name": "x", "level": "critical", "labels": {"env": "dev"}}),
    )
    .await;
    assert_eq!(quiet["results"][0]["incident_id"], Value::Null);
    let a = alarm(&app, &admin, quiet["alarm_ids"][0].as_i64().unwrap()).await;
    assert_eq!(a["rule_id"], Value::Null);
    let a = alarm(&app, &admin, first["alarm_ids"][0].as_i64().unwrap()).await;
    assert_eq!(a["rule_name"], "prod criticals");
}

#[sqlx::test(migrations = "./migrations")]
async fn group_by_labels_join_within_the_window_only(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let olga = app.create_user(&admin, "olga", "operator").await["id"]
        .as_i64()
        .unwrap();
    let (_, key) = source(&app, &admin, "generic", "mon").await;
    rule(
        &app,
        &admin,
        incident_rule("by cluster", olga, json!(["cluster"])),
    )
    .await;
    let a = push(&app, "generic", &key, event("a", "alarm")).await;
    let b = push(&app, "generic", &key, event("b", "alarm")).await;
    let opened = a["results"][0]["incident_id"].as_i64().unwrap();
    assert_eq!(b["results"][0]["incident_id"].as_i64(), Some(opened));
    app.clock.advance(Duration::minutes(31));
    let admin = app.admin().await;
    let c = push(&app, "generic", &key, event("c", "alarm")).await;
    assert_ne!(c["results"][0]["incident_id"].as_i64(), Some(opened));
    let inc: Value = app
        .get(&admin, &format!("/v1/incidents/{opened}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inc["alarms"].as_array().unwrap().len(), 2);
}

#[sqlx::test(migrations = "./migrations")]
async fn drop_keeps_nothing_and_alarm_only_relevels(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    let (_, key) = source(&app, &admin, "generic", "noisy").await;
    rule(
        &app,
        &admin,
        json!({"name": "drop tests", "enabled": true,
               "groups": [[{"field": "name", "op": "starts_with", "value": "test"}]],
               "action": {"type": "drop"}}),
    )
    .await;
    rule(
        &app,
        &admin,
        json!({"name": "demote", "enabled": true, "groups": [],
               "action": {"type": "alarm_only", "level": "info"}}),
    )
    .await;
    let answer = push(
        &app,
        "generic",
        &key,
        json!([{"dedup_key": "t", "name": "test probe", "level": "critical"},
               {"dedup_key": "r", "name": "real", "level": "critical"}]),
    )
    .await;
    assert_eq!(answer["results"][0]["outcome"], "dropped");
    assert_eq!(answer["alarm_ids"][0], Value::Null);
    let kept = alarm(&app, &admin, answer["alarm_ids"][1].as_i64().unwrap()).await;
    assert_eq!(kept["level"], "info");
    assert_eq!(kept["rule_name"], "demote");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM alarms")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[sqlx::test(migrations = "./migrations")]
async fn rules_are_checked_at_save_moved_tested_and_replayed(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    let olga = app.create_user(&admin, "olga", "operator").await["id"]
        .as_i64()
        .unwrap();
    let (src, key) = source(&app, &admin, "generic", "mon").await;
    let mut bad = incident_rule("bad", olga, json!([]));
    bad["groups"][0][1]["op"] = json!("regex");
    bad["groups"][0][1]["value"] = json!("(prod");
    let msg = assert_error(
        app.send(Method::POST, &admin, "/v1/forwarding-rules", bad)
            .await,
        422,
        "OPS.0422",
    )
    .await;
    assert!(
        msg.starts_with("groups[0][1].value: is not a valid regex"),
        "{msg}"
    );
    let mut unknown = incident_rule("bad", olga, json!([]));
    unknown["groups"][0][0]["field"] = json!("host");
    assert_error(
        app.send(Method::POST, &admin, "/v1/forwarding-rules", unknown)
            .await,
        422,
        "OPS.0422",
    )
    .await;
    let rules: Value = app
        .get(&admin, "/v1/forwarding-rules")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        rules.as_array().unwrap().len(),
        0,
        "refused rules are not saved"
    );

    // History to replay over: three critical prod keys, one of them twice, one dev alarm.
    for (k, env) in [("a", "prod"), ("b", "prod"), ("a", "prod"), ("c", "dev")] {
        push(
            &app,
            "generic",
            &key,
            json!([{"dedup_key": k, "name": k, "level": "critical", "labels": {"env": env}},
                   {"dedup_key": k, "status": "ok"}]),
        )
        .await;
    }
    let mut draft = incident_rule("prod", olga, json!([]));
    draft["enabled"] = json!(false);
    let saved = rule(&app, &admin, draft).await;
    let id = saved["id"].as_i64().unwrap();
    let replay: Value = app
        .send(
            Method::POST,
            &admin,
            "/v1/forwarding-rules/replay",
            json!({"rule_id": id, "days": 7}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(replay["examined"], 4);
    assert_eq!(replay["matched"], 3);
    assert_eq!(replay["incidents"], 2, "{replay}");
    assert_eq!(replay["joined"], 1);
    assert_eq!(replay["examples"].as_array().unwrap().len(), 2);
    assert_error(
        app.send(
            Method::POST,
            &admin,
            "/v1/forwarding-rules/replay",
            json!({"rule_id": id, "days": 91}),
        )
        .await,
        422,
        "OPS.0422",
    )
    .await;

    let test: Value = app
        .send(
            Method::POST,
            &admin,
            "/v1/forwarding-rules/test",
            json!({"rule_id": id, "data_source_id": src,
                   "event": {"dedup_key": "x", "name": "x", "level": "critical", "labels": {"env": "dev"}}}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(test["matched"], false);
    assert_eq!(test["groups"][0][0]["holds"], true);
    assert_eq!(test["groups"][0][1]["holds"], false);
    assert_eq!(test["groups"][0][1]["actual"], "dev");
    let draft_test: Value = app
        .send(
            Method::POST,
            &admin,
            "/v1/forwarding-rules/test",
            json!({"rule": {"name": "d", "groups": [[{"field": "name", "op": "eq", "value": "nope"}],
                                                    [{"field": "labels.env", "op": "in", "value": "dev,test"}]],
                            "action": {"type": "drop"}},
                   "event": {"dedup_key": "x", "name": "x", "level": "info", "labels": {"env": "dev"}}}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(draft_test["matched"], true);
    assert_eq!(draft_test["group"], 1);
    assert_eq!(draft_test["action"], "drop");

    // A second rule goes last; moving it first changes the order.
    let second = rule(
        &app,
        &admin,
        json!({"name": "catch-all", "action": {"type": "alarm_only"}}),
    )
    .await;
    let moved: Value = app
        .send(
            Method::POST,
            &admin,
            &format!("/v1/forwarding-rules/{}/move", second["id"]),
            json!({"position": 1}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(moved[0]["id"], second["id"]);
    assert_eq!(moved[1]["id"].as_i64(), Some(id));
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE object_type = 'forwarding_rule'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(audited, 3, "two creates and a move");
}

#[sqlx::test(migrations = "./migrations")]
async fn alarms_convert_into_one_incident_and_clear_by_hand(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let olga = app.create_user(&admin, "olga", "operator").await["id"]
        .as_i64()
        .unwrap();
    app.create_user(&admin, "vera", "viewer").await;
    let op = app.token("olga", "password-123").await;
    let viewer = app.token("vera", "password-123").await;
    let (_, key) = source(&app, &admin, "generic", "mon").await;
    let pushed = push(
        &app,
        "generic",
        &key,
        json!([
            event("a", "alarm"),
            event("b", "alarm"),
            event("c", "alarm")
        ]),
    )
    .await;
    let ids: Vec<i64> = (0..3)
        .map(|i| pushed["alarm_ids"][i].as_i64().unwrap())
        .collect();

    let convert = json!({"alarm_ids": [ids[0], ids[1]], "level": "P3", "category": "function",
                         "owner": {"user_id": olga}});
    assert_error(
        app.send(Method::POST, &viewer, "/v1/alarms/convert", convert.clone())
            .await,
        403,
        "OPS.0403",
    )
    .await;
    let response = app
        .send(Method::POST, &op, "/v1/alarms/convert", convert.clone())
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let incident: Value = response.json().await.unwrap();
    assert_eq!(incident["source"], "alarm");
    assert_eq!(incident["title"], "a is down");
    let detail: Value = app
        .get(&op, &format!("/v1/incidents/{}", incident["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["alarms"].as_array().unwrap().len(), 2);
    let a = alarm(&app, &op, ids[0]).await;
    assert_eq!(a["incident_id"], incident["id"]);
    assert_eq!(a["history"][0]["action"], "convert");
    assert_eq!(a["incident_title"], "a is down");
    assert_error(
        app.send(Method::POST, &op, "/v1/alarms/convert", convert)
            .await,
        409,
        "OPS.0409",
    )
    .await;

    let path = format!("/v1/alarms/{}/clear", ids[2]);
    let clear = |body: Value| app.send(Method::POST, &op, &path, body);
    let msg = assert_error(
        clear(json!({"service_interrupted": true})).await,
        422,
        "OPS.0422",
    )
    .await;
    assert!(msg.starts_with("fault_started_at"), "{msg}");
    assert_error(
        clear(json!({"remark": "r".repeat(101)})).await,
        422,
        "OPS.0422",
    )
    .await;
    let ok = clear(
        json!({"service_interrupted": true, "fault_started_at": "2026-11-28T08:00:00Z",
                          "recovered_at": "2026-11-28T08:30:00Z", "remark": "restarted"}),
    )
    .await;
    assert_eq!(ok.status(), StatusCode::OK);
    let a = alarm(&app, &op, ids[2]).await;
    assert_eq!(a["status"], "cleared");
    assert_eq!(a["cleared_by"], "olga");
    assert_eq!(a["service_interrupted"], true);
    assert_eq!(a["history"][0]["action"], "clear");
    assert_eq!(a["history"][0]["comment"], "restarted");
    assert_error(clear(json!({})).await, 409, "OPS.0409").await;
}

#[sqlx::test(migrations = "./migrations")]
async fn cleared_alarms_past_retention_are_purged(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    let (_, key) = source(&app, &admin, "generic", "mon").await;
    let old = push(
        &app,
        "generic",
        &key,
        json!([event("old", "alarm"), event("still", "alarm")]),
    )
    .await;
    push(
        &app,
        "generic",
        &key,
        json!({"dedup_key": "old", "status": "ok", "time": "2026-11-28T09:00:00Z"}),
    )
    .await;
    app.clock.advance(Duration::days(30));
    assert_eq!(app::service::alarms::purge(&app.state).await.unwrap(), 0);
    app.clock.advance(Duration::days(2));
    assert_eq!(app::service::alarms::purge(&app.state).await.unwrap(), 1);
    let left: Vec<i64> = sqlx::query_scalar("SELECT id FROM alarms")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(
        left,
        [old["alarm_ids"][1].as_i64().unwrap()],
        "the active alarm stays"
    );
    // The purge is on the record, with what it removed.
    let purged: Value = sqlx::query_scalar(
        "SELECT before FROM audit_log WHERE object_type = 'alarm' AND action = 'purge'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(purged["count"], 1);
    assert_eq!(purged["ids"], json!([old["alarm_ids"][0]]));
}

#[sqlx::test(migrations = "./migrations")]
async fn what_pushes_did_is_recorded_in_the_audit_log(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    let (source_id, key) = source(&app, &admin, "generic", "mon").await;
    assert!(
        !app::service::alarms::record_ingest(&app.state)
            .await
            .unwrap()
    );
    let raised = push(
        &app,
        "generic",
        &key,
        json!([event("a", "alarm"), event("b", "alarm")]),
    )
    .await;
    // One statement raised both, with consecutive ids: the record holds them as one range.
    let first = raised["alarm_ids"][0].as_i64().unwrap();
    assert_eq!(raised["alarm_ids"], json!([first, first + 1]));
    push(&app, "generic", &key, event("a", "alarm")).await;
    push(
        &app,
        "generic",
        &key,
        json!({"dedup_key": "b", "status": "ok"}),
    )
    .await;
    push(
        &app,
        "generic",
        &key,
        json!({"dedup_key": "never", "status": "ok"}),
    )
    .await;
    assert!(
        app::service::alarms::record_ingest(&app.state)
            .await
            .unwrap()
    );
    let records: Vec<Value> = sqlx::query_scalar(
        "SELECT after FROM audit_log WHERE object_type = 'alarm' AND action = 'ingest'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(records.len(), 1, "one record for all of it");
    let counts = &records[0][source_id.to_string()];
    assert_eq!(
        *counts,
        json!({"raised": 2, "raised_ids": [[first, first + 1]], "repeated": 1, "cleared": 1,
               "nothing_to_clear": 1, "dropped": 0, "with_incident": 0})
    );
    assert!(
        !app::service::alarms::record_ingest(&app.state)
            .await
            .unwrap()
    );
}
