//! Who may do what, as a matrix generated from the route list (the OpenAPI document is built
//! from it): every operation carries a role decision; each one below its role is refused and
//! changes nothing; and what every logged-in person may change is only their own (someone
//! else's is not found). A new route without a decision fails here.

use crate::common::{TestApp, assert_error, spawn};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

/// Operations anyone may call: logging in, monitoring's pushes (their key authorizes), a
/// calendar feed (its token authorizes), health and the document itself.
const PUBLIC: &[(&str, &str)] = &[
    ("GET", "/v1/changes/calendar.ics"),
    ("POST", "/v1/auth/tokens"),
    ("POST", "/v1/events/alertmanager/{key}"),
    ("POST", "/v1/events/generic/{key}"),
    ("POST", "/v1/events/grafana/{key}"),
    ("GET", "/v1/openapi.json"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
];

/// Changes any logged-in person may make: all to what is their own, checked per object.
const OWN: &[(&str, &str)] = &[
    ("DELETE", "/v1/auth/tokens"),
    ("PATCH", "/v1/profile"),
    ("PUT", "/v1/profile/password"),
    ("POST", "/v1/profile/channels"),
    ("DELETE", "/v1/profile/channels/{id}"),
    ("POST", "/v1/profile/calendar-feed"),
    ("DELETE", "/v1/profile/calendar-feed"),
    ("POST", "/v1/deliveries/{id}/resend"),
    ("POST", "/v1/notifications/read"),
    ("PUT", "/v1/war-rooms/{id}/subscription"),
    ("DELETE", "/v1/war-rooms/{id}/subscription"),
];

struct Operation {
    method: Method,
    template: String,
    role: Option<String>,
}

fn operations(doc: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let scopes: Vec<String> = op["security"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r["token"].as_array())
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect();
            assert!(
                scopes.len() <= 1,
                "{method} {template}: one role decision, not {scopes:?}"
            );
            out.push(Operation {
                method: method.to_uppercase().parse().unwrap(),
                template: template.clone(),
                role: scopes.into_iter().next(),
            });
        }
    }
    out
}

/// A concrete path for a template: every parameter is 1 (the role is decided before the
/// object is looked up).
fn path_of(template: &str) -> String {
    template
        .split('/')
        .map(|s| if s.starts_with('{') { "1" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

async fn call(app: &TestApp, token: Option<&str>, op: &Operation) -> reqwest::Response {
    let mut request = app
        .client
        .request(op.method.clone(), app.url(&path_of(&op.template)));
    if let Some(token) = token {
        request = request.header("X-Auth-Token", token);
    }
    if op.method != Method::GET {
        request = request.json(&json!({}));
    }
    request.send().await.unwrap()
}

/// Everything the database holds, as one text: equal before and after means nothing changed.
pub async fn everything(pool: &PgPool) -> String {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' \
         AND tablename <> '_sqlx_migrations' ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut all = String::new();
    for table in tables {
        let rows: Option<String> = sqlx::query_scalar(&format!(
            "SELECT string_agg(t::text, E'\\n' ORDER BY t::text) FROM {table} t"
        ))
        .fetch_one(pool)
        .await
        .unwrap();
        all.push_str(&format!("{table}:\n{}\n", rows.unwrap_or_default()));
    }
    all
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_route_has_a_role_and_callers_below_it_are_refused(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    app.create_user(&admin, "olga", "operator").await;
    app.create_user(&admin, "vic", "viewer").await;
    let operator = app.token("olga", "password-123").await;
    let viewer = app.token("vic", "password-123").await;
    let ops = operations(&app.state.openapi);
    assert!(ops.len() > 100, "the whole route list: {}", ops.len());

    let before = everything(&pool).await;
    let mut viewer_changes = Vec::new();
    for op in &ops {
        let name = format!("{} {}", op.method, op.template);
        let Some(role) = op.role.as_deref() else {
            assert!(
                PUBLIC.contains(&(op.method.as_str(), op.template.as_str())),
                "{name} has no role decision: give it a token scope, or list it as public"
            );
            continue;
        };
        let anonymous = call(&app, None, op).await;
        assert_error(anonymous, 401, "OPS.0401").await;
        let refused: &[&str] = match role {
            "viewer" => &[],
            "operator" => &[viewer.as_str()],
            "admin" => &[viewer.as_str(), operator.as_str()],
            other => panic!("{name}: unknown role {other}"),
        };
        for token in refused {
            let response = call(&app, Some(token), op).await;
            let status = response.status();
            let msg = assert_error(response, 403, "OPS.0403").await;
            assert!(msg.contains(role), "{name} ({status}): {msg}");
        }
        if role == "viewer" && op.method != Method::GET {
            viewer_changes.push((op.method.to_string(), op.template.clone()));
        }
    }
    assert_eq!(
        everything(&pool).await,
        before,
        "a refused call changed something"
    );
    let mut own: Vec<(String, String)> = OWN
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    own.sort();
    viewer_changes.sort();
    assert_eq!(
        viewer_changes, own,
        "changes every logged-in person may make must be checked per object (OWN)"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn what_is_someone_elses_is_not_found(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    let alice = app.create_user(&admin, "alice", "operator").await["id"]
        .as_i64()
        .unwrap();
    app.create_user(&admin, "bob", "operator").await;
    let alice_token = app.token("alice", "password-123").await;
    let bob = app.token("bob", "password-123").await;
    // Alice has a channel, a delivery through it, and a notification.
    let (closed, url) = {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", l.local_addr().unwrap());
        (l, url)
    };
    drop(closed);
    let channel: Value = app
        .send(
            Method::POST,
            &alice_token,
            "/v1/profile/channels",
            json!({"kind": "webhook", "target": url}),
        )
        .await
        .json()
        .await
        .unwrap();
    let incident = app
        .send(
            Method::POST,
            &admin,
            "/v1/incidents",
            json!({"title": "Hers", "level": "P3", "category": "other",
                   "owner": {"user_id": alice}}),
        )
        .await;
    assert_eq!(incident.status(), StatusCode::CREATED);
    let delivery: i64 = sqlx::query_scalar("SELECT id FROM outbox WHERE user_id = $1")
        .bind(alice)
        .fetch_one(&pool)
        .await
        .unwrap();
    let notification: i64 = sqlx::query_scalar("SELECT id FROM notifications WHERE user_id = $1")
        .bind(alice)
        .fetch_one(&pool)
        .await
        .unwrap();

    let before = everything(&pool).await;
    for (method, path, body) in [
        (
            Method::DELETE,
            format!("/v1/profile/channels/{}", channel["id"]),
            Value::Null,
        ),
        (
            Method::GET,
            format!("/v1/deliveries/{delivery}"),
            Value::Null,
        ),
        (
            Method::POST,
            format!("/v1/deliveries/{delivery}/resend"),
            json!({}),
        ),
        (
            Method::POST,
            "/v1/notifications/read".to_owned(),
            json!({"ids": [notification]}),
        ),
        (Method::GET, format!("/v1/users/{alice}"), Value::Null),
    ] {
        let response = app.send(method.clone(), &bob, &path, body).await;
        assert_error(response, 404, "OPS.0404").await;
    }
    assert_eq!(everything(&pool).await, before);
    // Lists show only one's own.
    let listed: Value = app.get(&bob, "/v1/deliveries").await.json().await.unwrap();
    assert_eq!(listed["total"], 0);
    let inbox: Value = app
        .get(&bob, "/v1/notifications")
        .await
        .json()
        .await
        .unwrap();
    assert!(!inbox.to_string().contains("Hers"), "{inbox}");
}
