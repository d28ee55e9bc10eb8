//! A real Prometheus Alertmanager (Debian's `prometheus-alertmanager`, installed by
//! `scripts/tools.sh --test`) whose webhook receiver points at an Opsroom data source: an alert
//! posted to Alertmanager's own API opens the alarm and the rule's incident, and its resolution
//! clears the alarm.

use crate::common::{eventually, spawn};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BINARY: &str = "/usr/bin/prometheus-alertmanager";

/// The Alertmanager process, stopped when the test ends however it ends.
struct Alertmanager(Child);

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[sqlx::test(migrations = "./migrations")]
async fn a_real_alertmanager_raises_and_resolves_through_its_webhook(pool: PgPool) {
    assert!(
        std::path::Path::new(BINARY).exists(),
        "{BINARY} is missing: run scripts/tools.sh --test"
    );
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    let olga = app.create_user(&admin, "olga", "operator").await["id"]
        .as_i64()
        .unwrap();
    let source: Value = app
        .send(
            Method::POST,
            &admin,
            "/v1/data-sources",
            json!({"name": "prometheus", "kind": "alertmanager"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let rule = app
        .send(
            Method::POST,
            &admin,
            "/v1/forwarding-rules",
            json!({"name": "page on prod criticals", "enabled": true,
                   "groups": [[{"field": "level", "op": "eq", "value": "critical"},
                               {"field": "labels.env", "op": "eq", "value": "prod"}]],
                   "action": {"type": "incident", "level": "P1", "category": "reliability",
                              "owner": {"user_id": olga}}}),
        )
        .await;
    assert_eq!(rule.status(), StatusCode::CREATED);

    let dir = std::env::temp_dir().join(format!("opsroom-am-{}", free_port()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = format!(
        "route:\n  receiver: opsroom\n  group_by: ['alertname']\n  group_wait: 1s\n  \
         group_interval: 1s\n  repeat_interval: 1h\nreceivers:\n  - name: opsroom\n    \
         webhook_configs:\n      - url: '{}{}'\n        send_resolved: true\n",
        app.base,
        source["push_path"].as_str().unwrap()
    );
    std::fs::write(dir.join("alertmanager.yml"), config).unwrap();
    let port = free_port();
    let _alertmanager = Alertmanager(
        Command::new(BINARY)
            .arg(format!(
                "--config.file={}",
                dir.join("alertmanager.yml").display()
            ))
            .arg(format!("--storage.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--cluster.listen-address=")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Alertmanager"),
    );
    let am = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    eventually(
        "Alertmanager to be ready",
        Duration::from_secs(30),
        || async {
            let ready = client.get(format!("{am}/-/ready")).send().await.ok()?;
            ready.status().is_success().then_some(())
        },
    )
    .await;

    let alert = |ends: Option<String>| {
        let mut alert = json!({
            "labels": {"alertname": "DiskFull", "severity": "critical", "env": "prod",
                       "instance": "db-1:9100"},
            "annotations": {"summary": "/var is 97% full"},
            "generatorURL": "http://prometheus.example/graph"
        });
        if let Some(ends) = ends {
            alert["endsAt"] = json!(ends);
        }
        json!([alert])
    };
    let posted = client
        .post(format!("{am}/api/v2/alerts"))
        .json(&alert(None))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), StatusCode::OK);

    let alarm: Value = eventually(
        "the alarm from Alertmanager",
        Duration::from_secs(30),
        || async {
            let list: Value = app
                .get(&admin, "/v1/alarms?status=active")
                .await
                .json()
                .await
                .ok()?;
            list["items"].as_array()?.first().cloned()
        },
    )
    .await;
    assert_eq!(alarm["name"], "DiskFull");
    assert_eq!(alarm["level"], "critical");
    assert_eq!(alarm["description"], "/var is 97% full");
    assert_eq!(alarm["resource_ref"], "db-1");
    assert_eq!(alarm["source_name"], "prometheus");
    let incident = alarm["incident_id"]
        .as_i64()
        .expect("the rule opened an incident");
    let detail: Value = app
        .get(&admin, &format!("/v1/incidents/{incident}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["level"], "P1");
    assert_eq!(detail["owner_id"].as_i64(), Some(olga));

    let resolved = client
        .post(format!("{am}/api/v2/alerts"))
        .json(&alert(Some(chrono::Utc::now().to_rfc3339())))
        .send()
        .await
        .unwrap();
    assert_eq!(resolved.status(), StatusCode::OK);
    let id = alarm["id"].as_i64().unwrap();
    eventually(
        "Alertmanager's resolution",
        Duration::from_secs(30),
        || async {
            let a: Value = app
                .get(&admin, &format!("/v1/alarms/{id}"))
                .await
                .json()
                .await
                .ok()?;
            (a["status"] == "cleared").then_some(())
        },
    )
    .await;
    let alarms: i64 = sqlx::query_scalar("SELECT count(*) FROM alarms")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(alarms, 1, "one alert, one alarm");
    let _ = std::fs::remove_dir_all(&dir);
}
