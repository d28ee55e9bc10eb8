//! Bulk import of resources over real HTTP: reports, modes, matching, limits, scale.

use crate::common::{TestApp, assert_error, spawn, spawn_with, start_time};
use app::state::{ManualClock, Settings};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::sync::Arc;

const HEADER: &str = "name,type,provider,region,private_ip,cpu_cores,memory_gib,status,tags\n";

async fn post(
    app: &TestApp,
    token: &str,
    query: &str,
    file: impl Into<reqwest::Body>,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/v1/resources/import{query}")))
        .header("X-Auth-Token", token)
        .header("content-type", "text/csv")
        .body(file)
        .send()
        .await
        .unwrap()
}

/// Imports `file` and reads back its whole report (up to 200 rows). The import's own answer
/// is the report's first page of rejected rows.
async fn report(app: &TestApp, token: &str, query: &str, file: String) -> Value {
    let response = post(app, token, query, file).await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = response.json().await.unwrap();
    let read = |query: String| async move {
        let response = app.get(token, &query).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json::<Value>().await.unwrap()
    };
    let id = &answer["id"];
    assert_eq!(
        answer,
        read(format!(
            "/v1/resources/imports/{id}?outcome=rejected&per_page=100"
        ))
        .await,
        "the answer is the report's first page of rejected rows"
    );
    read(format!("/v1/resources/imports/{id}?per_page=200")).await
}

async fn count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM resources")
        .fetch_one(pool)
        .await
        .unwrap()
}

fn outcomes(report: &Value) -> Vec<(u64, String)> {
    report["rows"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn valid_rows_go_in_and_bad_ones_are_reported(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    let file = format!(
        "{HEADER}web-01,host,aws,eu-west-1,10.0.0.1,4,16,running,env=prod;team=web\n\
         web-02,host,aws,eu-west-1,10.0.0.999,4,16,running,\n\
         db-01,database,gcp,us-central1,10.1.0.1,8,32,,env=prod\n"
    );
    let r = report(&app, &admin, "", file).await;
    assert_eq!(
        (r["applied"].as_bool(), r["mode"].as_str()),
        (Some(true), Some("valid_only"))
    );
    assert_eq!(
        (r["created"].as_u64(), r["rejected"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        outcomes(&r),
        [
            (2, "created".into()),
            (3, "rejected".into()),
            (4, "created".into())
        ]
    );
    assert!(
        r["rows"]["items"][1]["reason"]
            .as_str()
            .unwrap()
            .starts_with("private_ip:")
    );
    assert_eq!(r["rows"]["items"][1]["name"], "web-02");
    assert!(r["rows"]["items"][0]["resource_id"].is_i64());
    assert_eq!(count(&pool).await, 2);

    let web: Value = app
        .get(
            &admin,
            &format!("/v1/resources/{}", r["rows"]["items"][0]["resource_id"]),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(web["tags"], json!({"env": "prod", "team": "web"}));
    let stored: Value = app
        .get(&admin, &format!("/v1/resources/imports/{}", r["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            &stored["created"],
            &stored["rows"]["total"],
            &stored["rows"]["per_page"]
        ),
        (&json!(2), &json!(3), &json!(20)),
        "the report is kept, paged by default"
    );
    let audit: Value = app
        .get(&admin, "/v1/audit-logs?object_type=resource&action=create")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit["total"], 2);
    let verify: Value = app
        .get(&admin, "/v1/audit-logs/verify")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(verify["ok"], true);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn all_or_nothing_writes_nothing_when_a_row_is_bad(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    let file = format!("{HEADER}a,host,aws,r1,,1,1,,\nb,host,nope,r1,,1,1,,\n");
    let r = report(&app, &admin, "?mode=all_or_nothing", file.clone()).await;
    assert_eq!(r["applied"], false);
    assert_eq!(
        outcomes(&r),
        [(2, "created".into()), (3, "rejected".into())]
    );
    assert_eq!(count(&pool).await, 0);
    let fixed = file.replace("nope", "gcp");
    let r = report(&app, &admin, "?mode=all_or_nothing", fixed).await;
    assert_eq!(
        (r["applied"].as_bool(), r["created"].as_u64()),
        (Some(true), Some(2))
    );
    assert_eq!(count(&pool).await, 2);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn rows_match_existing_resources_by_identity_or_id(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    let file = format!("{HEADER}a,host,aws,r1,,1,1,running,\nb,host,aws,r1,,1,1,running,\n");
    let first = report(&app, &admin, "", file.clone()).await;
    let a_id = first["rows"]["items"][0]["resource_id"].as_i64().unwrap();
    let b_id = first["rows"]["items"][1]["resource_id"].as_i64().unwrap();

    let again = report(
        &app,
        &admin,
        "",
        file.replace("a,host,aws,r1,,1,1,running", "a,host,aws,r1,,2,1,fault"),
    )
    .await;
    assert_eq!(
        outcomes(&again),
        [(2, "updated".into()), (3, "unchanged".into())]
    );
    assert_eq!(again["rows"]["items"][0]["resource_id"], a_id);
    let a: Value = app
        .get(&admin, &format!("/v1/resources/{a_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            a["cpu_cores"].as_i64(),
            a["status"].as_str(),
            a["version"].as_i64()
        ),
        (Some(2), Some("fault"), Some(2))
    );

    let by_id = format!(
        "id,name,type,provider,region\n{a_id},a-renamed,host,aws,r1\n999999,ghost,host,aws,r1\n{b_id},a-renamed-too,cache,aws,r1\n"
    );
    let r = report(&app, &admin, "", by_id).await;
    assert_eq!(
        outcomes(&r),
        [
            (2, "updated".into()),
            (3, "rejected".into()),
            (4, "updated".into())
        ]
    );
    assert_eq!(r["rows"]["items"][1]["reason"], "no resource has id 999999");
    let clash = format!("id,name,type,provider,region\n{a_id},a-renamed-too,host,aws,r1\n");
    let r = report(&app, &admin, "", clash).await;
    assert!(
        r["rows"]["items"][0]["reason"]
            .as_str()
            .unwrap()
            .contains(&format!("resource {b_id}"))
    );
    assert_eq!(count(&pool).await, 2);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn json_files_import_too(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let file = json!([
        {"name": "j1", "type": "cache", "provider": "aliyun", "tags": {"env": "dev"}},
        {"name": "j2", "type": "host", "provider": "aws", "memory_gib": "lots"}
    ])
    .to_string();
    let response = app
        .client
        .post(app.url("/v1/resources/import"))
        .header("X-Auth-Token", &admin)
        .header("content-type", "application/json")
        .body(file)
        .send()
        .await
        .unwrap();
    let answer: Value = response.json().await.unwrap();
    assert_eq!(outcomes(&answer), [(2, "rejected".into())]);
    let r: Value = app
        .get(&admin, &format!("/v1/resources/imports/{}", answer["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        outcomes(&r),
        [(1, "created".into()), (2, "rejected".into())]
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn unreadable_files_are_422_and_change_nothing(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    let cases: Vec<Vec<u8>> = vec![
        b"name,type,provider,colour\nx,host,aws,red\n".to_vec(),
        b"name,type\nx,host\n".to_vec(),
        b"name,type,provider\n".to_vec(),
        vec![0xff, 0xfe, b'n', b'a', b'm', b'e'],
        b"".to_vec(),
    ];
    for file in cases {
        let msg = assert_error(post(&app, &admin, "", file).await, 422, "OPS.0422").await;
        assert!(msg.starts_with("file:"), "{msg}");
    }
    assert_error(
        post(&app, &admin, "?mode=sometimes", "x").await,
        400,
        "OPS.0400",
    )
    .await;
    assert_eq!(count(&pool).await, 0);
    let imports: i64 = sqlx::query_scalar("SELECT count(*) FROM resource_imports")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(imports, 0);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn viewers_may_not_import(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    app.create_user(&admin, "vic", "viewer").await;
    let vic = app.token("vic", "password-123").await;
    assert_error(
        post(&app, &vic, "", format!("{HEADER}a,host,aws,r1,,,,,\n")).await,
        403,
        "OPS.0403",
    )
    .await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn files_over_the_import_limit_are_413(pool: PgPool) {
    let settings = Settings {
        import_limit_bytes: 2_000,
        ..Settings::default()
    };
    let app = spawn_with(pool, settings, Arc::new(ManualClock::new(start_time()))).await;
    let admin = app.admin().await;
    let big = format!("{HEADER}{}", "a,host,aws,r1,,,,,\n".repeat(200));
    let msg = assert_error(post(&app, &admin, "", big).await, 413, "OPS.0413").await;
    assert!(msg.contains("2000"), "{msg}");
    // Ordinary requests keep the ordinary limit.
    let body = json!({"name": "x".repeat(1_500_000), "type": "host", "provider": "aws"});
    assert_error(
        app.send(Method::POST, &admin, "/v1/resources", body).await,
        413,
        "OPS.0413",
    )
    .await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn ten_thousand_rows_import_in_one_go(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    let mut file = String::from(HEADER);
    for i in 0..10_000 {
        file.push_str(&format!(
            "host-{i:05},host,aws,eu-west-1,10.{}.{}.{},2,4,running,env=load;batch=1\n",
            i / 65_536,
            (i / 256) % 256,
            i % 256
        ));
    }
    let r = report(&app, &admin, "", file).await;
    assert_eq!(
        (r["created"].as_u64(), r["rejected"].as_u64()),
        (Some(10_000), Some(0))
    );
    assert_eq!(count(&pool).await, 10_000);
    let page: Value = app
        .get(&admin, "/v1/resources?tag=batch%3D1&per_page=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 10_000);
    let verify: Value = app
        .get(&admin, "/v1/audit-logs/verify")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(verify["ok"], true, "{verify}");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_large_report_is_read_a_page_at_a_time(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let admin = app.admin().await;
    // 2,500 rows, every 100th with a bad address: 25 rejected, from line 2 of the file.
    let mut file = String::from(HEADER);
    for i in 0..2_500 {
        let address = if i % 100 == 99 {
            "10.0.0.999".to_owned()
        } else {
            format!("10.2.{}.{}", i / 256, i % 256)
        };
        file.push_str(&format!(
            "bulk-{i:04},host,aws,eu-west-1,{address},2,4,running,\n"
        ));
    }
    let answer: Value = post(&app, &admin, "", file).await.json().await.unwrap();
    assert_eq!(
        (&answer["created"], &answer["rejected"], &answer["outcome"]),
        (&json!(2_475), &json!(25), &json!("rejected"))
    );
    let head: Vec<u64> = answer["rows"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(
        head,
        (0..25).map(|k| 101 + 100 * k).collect::<Vec<u64>>(),
        "the answer carries the rejected rows"
    );

    // Walking the whole report by cursor meets every line once, in order.
    let id = &answer["id"];
    let mut lines = Vec::new();
    let mut query = format!("/v1/resources/imports/{id}?per_page=200");
    loop {
        let page: Value = app.get(&admin, &query).await.json().await.unwrap();
        assert_eq!(page["rows"]["total"], 2_500);
        lines.extend(
            page["rows"]["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["line"].as_u64().unwrap()),
        );
        match page["rows"]["next"].as_i64() {
            Some(next) => query = format!("/v1/resources/imports/{id}?per_page=200&after={next}"),
            None => break,
        }
    }
    assert_eq!(lines, (2..=2_501).collect::<Vec<u64>>());

    // Backwards from a line, and by outcome.
    let before: Value = app
        .get(
            &admin,
            &format!("/v1/resources/imports/{id}?per_page=3&before=10"),
        )
        .await
        .json()
        .await
        .unwrap();
    let lines: Vec<&Value> = before["rows"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["line"])
        .collect();
    assert_eq!(lines, [&json!(7), &json!(8), &json!(9)]);
    let created: Value = app
        .get(
            &admin,
            &format!("/v1/resources/imports/{id}?outcome=created&page=2&per_page=100"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(created["rows"]["total"], 2_475);
    assert_eq!(
        created["rows"]["items"][0]["line"], 103,
        "line 101 was rejected"
    );

    assert_error(
        app.get(&admin, &format!("/v1/resources/imports/{id}?per_page=500"))
            .await,
        422,
        "OPS.0422",
    )
    .await;
    assert_error(
        app.get(&admin, &format!("/v1/resources/imports/{id}?outcome=maybe"))
            .await,
        400,
        "OPS.0400",
    )
    .await;
}
