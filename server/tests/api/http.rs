//! The HTTP surface as a whole: error bodies outside handlers, health, metrics, OpenAPI.

use crate::common::{assert_error, spawn};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn unknown_routes_and_methods_answer_in_json(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    assert_error(app.get(&admin, "/v1/nothing-here").await, 404, "OPS.0406").await;
    let put = app
        .client
        .put(app.url("/v1/users"))
        .header("X-Auth-Token", &admin)
        .send()
        .await
        .unwrap();
    assert_error(put, 405, "OPS.0405").await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn oversized_bodies_are_413(pool: PgPool) {
    let app = spawn(pool).await;
    let big = format!(
        "{{\"username\": \"{}\", \"password\": \"x\"}}",
        "a".repeat(2 * 1024 * 1024)
    );
    let response = app
        .client
        .post(app.url("/v1/auth/tokens"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    let msg = assert_error(response, 413, "OPS.0413").await;
    assert!(msg.contains("1048576"), "{msg}");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn health_and_readiness(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    pool.close().await;
    let down = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_error(down, 503, "OPS.0503").await;
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(
        health.status(),
        StatusCode::OK,
        "the process itself is still alive"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn metrics_count_requests_by_route_and_status(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    for _ in 0..3 {
        app.get(&admin, "/v1/users/424242").await;
    }
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = text
        .lines()
        .find(|l| {
            l.starts_with("http_requests_total{")
                && l.contains("route=\"/v1/users/{id}\"")
                && l.contains("status=\"404\"")
        })
        .unwrap_or_else(|| panic!("no counter for /v1/users/{{id}} 404 in:\n{text}"));
    let count: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 3.0, "{line}");
    assert!(
        text.contains("http_request_duration_seconds_bucket{"),
        "latency histogram"
    );
    assert!(text.contains("db_pool_connections{state=\"idle\"}"));
    assert!(text.contains("db_pool_connections{state=\"in_use\"}"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn openapi_documents_every_route_and_the_error_body(pool: PgPool) {
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
    let paths = doc["paths"].as_object().unwrap();
    let mut documented: Vec<String> = paths
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| format!("{} {path}", m.to_uppercase()))
        })
        .collect();
    documented.sort();
    let expected = [
        "DELETE /v1/applications/{id}",
        "DELETE /v1/auth/tokens",
        "DELETE /v1/change-templates/{id}",
        "DELETE /v1/components/{id}",
        "DELETE /v1/data-sources/{id}",
        "DELETE /v1/forwarding-rules/{id}",
        "DELETE /v1/freeze-windows/{id}",
        "DELETE /v1/groups/{id}",
        "DELETE /v1/profile/calendar-feed",
        "DELETE /v1/profile/channels/{id}",
        "DELETE /v1/resources/{id}",
        "DELETE /v1/review-flows/{id}",
        "DELETE /v1/schedule-overrides/{id}",
        "DELETE /v1/schedule-roles/{id}",
        "DELETE /v1/schedules/{id}",
        "DELETE /v1/war-room-rules/{id}",
        "DELETE /v1/war-rooms/{id}/members/{user_id}",
        "DELETE /v1/war-rooms/{id}/subscription",
        "GET /healthz",
        "GET /metrics",
        "GET /readyz",
        "GET /v1/alarms",
        "GET /v1/alarms/{id}",
        "GET /v1/applications",
        "GET /v1/applications/{id}",
        "GET /v1/applications/{id}/capacity",
        "GET /v1/applications/{id}/history",
        "GET /v1/applications/{id}/topology",
        "GET /v1/attachments/{id}",
        "GET /v1/audit-logs",
        "GET /v1/audit-logs/verify",
        "GET /v1/change-templates",
        "GET /v1/changes",
        "GET /v1/changes/calendar",
        "GET /v1/changes/calendar.ics",
        "GET /v1/changes/failure-rates",
        "GET /v1/changes/{id}",
        "GET /v1/changes/{id}/actions",
        "GET /v1/components",
        "GET /v1/components/{id}",
        "GET /v1/components/{id}/capacity",
        "GET /v1/components/{id}/history",
        "GET /v1/data-sources",
        "GET /v1/data-sources/{id}",
        "GET /v1/deliveries",
        "GET /v1/deliveries/{id}",
        "GET /v1/forwarding-rules",
        "GET /v1/forwarding-rules/{id}",
        "GET /v1/freeze-windows",
        "GET /v1/groups",
        "GET /v1/groups/{id}",
        "GET /v1/groups/{id}/capacity",
        "GET /v1/groups/{id}/history",
        "GET /v1/improvements",
        "GET /v1/improvements/{id}",
        "GET /v1/improvements/{id}/actions",
        "GET /v1/incidents",
        "GET /v1/incidents/{id}",
        "GET /v1/incidents/{id}/actions",
        "GET /v1/incidents/{id}/attachments",
        "GET /v1/live",
        "GET /v1/notifications",
        "GET /v1/openapi.json",
        "GET /v1/problems",
        "GET /v1/problems/{id}",
        "GET /v1/problems/{id}/actions",
        "GET /v1/problems/{id}/attachments",
        "GET /v1/profile",
        "GET /v1/profile/channels",
        "GET /v1/resources",
        "GET /v1/resources/imports/{id}",
        "GET /v1/resources/{id}",
        "GET /v1/resources/{id}/groups",
        "GET /v1/resources/{id}/history",
        "GET /v1/review-flows",
        "GET /v1/schedules",
        "GET /v1/schedules/{id}",
        "GET /v1/schedules/{id}/on-duty",
        "GET /v1/sla",
        "GET /v1/users",
        "GET /v1/users/{id}",
        "GET /v1/war-room-rules",
        "GET /v1/war-rooms",
        "GET /v1/war-rooms/{id}",
        "PATCH /v1/applications/{id}",
        "PATCH /v1/components/{id}",
        "PATCH /v1/groups/{id}",
        "PATCH /v1/profile",
        "PATCH /v1/resources/{id}",
        "PATCH /v1/schedule-roles/{id}",
        "PATCH /v1/schedules/{id}",
        "PATCH /v1/users/{id}",
        "POST /v1/alarms/convert",
        "POST /v1/alarms/{id}/clear",
        "POST /v1/applications",
        "POST /v1/auth/tokens",
        "POST /v1/change-templates",
        "POST /v1/change-templates/{id}/changes",
        "POST /v1/changes",
        "POST /v1/changes/{id}/actions",
        "POST /v1/components",
        "POST /v1/data-sources",
        "POST /v1/data-sources/{id}/rotate-key",
        "POST /v1/deliveries/{id}/resend",
        "POST /v1/events/alertmanager/{key}",
        "POST /v1/events/generic/{key}",
        "POST /v1/events/grafana/{key}",
        "POST /v1/forwarding-rules",
        "POST /v1/forwarding-rules/replay",
        "POST /v1/forwarding-rules/test",
        "POST /v1/forwarding-rules/{id}/move",
        "POST /v1/freeze-windows",
        "POST /v1/groups",
        "POST /v1/groups/{id}/disassociate",
        "POST /v1/groups/{id}/resources",
        "POST /v1/groups/{id}/sync",
        "POST /v1/groups/{id}/transfer",
        "POST /v1/improvements",
        "POST /v1/improvements/{id}/actions",
        "POST /v1/incidents",
        "POST /v1/incidents/{id}/actions",
        "POST /v1/incidents/{id}/attachments",
        "POST /v1/notifications/read",
        "POST /v1/problems",
        "POST /v1/problems/{id}/actions",
        "POST /v1/problems/{id}/attachments",
        "POST /v1/profile/calendar-feed",
        "POST /v1/profile/channels",
        "POST /v1/resources",
        "POST /v1/resources/import",
        "POST /v1/review-flows",
        "POST /v1/schedule-roles/{id}/overrides",
        "POST /v1/schedules",
        "POST /v1/schedules/{id}/roles",
        "POST /v1/users",
        "POST /v1/war-room-rules",
        "POST /v1/war-rooms/{id}/applications",
        "POST /v1/war-rooms/{id}/close",
        "POST /v1/war-rooms/{id}/notices",
        "PUT /v1/data-sources/{id}",
        "PUT /v1/forwarding-rules/{id}",
        "PUT /v1/profile/password",
        "PUT /v1/sla",
        "PUT /v1/users/{id}/password",
        "PUT /v1/war-rooms/{id}/applications/{application_id}",
        "PUT /v1/war-rooms/{id}/members/{user_id}",
        "PUT /v1/war-rooms/{id}/subscription",
    ];
    assert_eq!(documented, expected);
    let error = &doc["components"]["schemas"]["ErrorBody"]["properties"];
    assert!(error.get("error_code").is_some() && error.get("error_msg").is_some());
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let schema = &response["content"]["application/json"]["schema"]["$ref"];
                    assert_eq!(
                        schema, "#/components/schemas/ErrorBody",
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
}
