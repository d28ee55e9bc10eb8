//! Review flows, standard changes and the change calendar through the API: a change goes
//! through its flow's stages (`any` or `all`), a rejection returns it to draft, an emergency
//! change is reviewed after it ran; a standard change from a template skips review; the
//! calendar shows a span of days, and each person's feed answers to their token alone.

use crate::common::{TestApp, spawn, start_time};
use chrono::{DateTime, Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

fn plan(change_type: &str, level: &str, implementer: &Value, start: DateTime<Utc>) -> Value {
    json!({
        "title": "Move the ledger to the new database cluster",
        "change_type": change_type,
        "level": level,
        "implementer": {"user_id": implementer["id"]},
        "planned_start": start,
        "planned_end": start + Duration::hours(2),
        "rollback_plan": "Point the ledger back at the old cluster",
    })
}

struct People {
    admin: String,
    ann: (Value, String),
    bob: (Value, String),
    carol: (Value, String),
    dave: (Value, String),
}

async fn people(app: &TestApp) -> People {
    let admin = app.admin().await;
    let mut made = Vec::new();
    for name in ["ann", "bob", "carol", "dave"] {
        let user = app.create_user(&admin, name, "operator").await;
        made.push((user, app.token(name, "password-123").await));
    }
    let mut made = made.into_iter();
    People {
        admin,
        ann: made.next().unwrap(),
        bob: made.next().unwrap(),
        carol: made.next().unwrap(),
        dave: made.next().unwrap(),
    }
}

/// Normal changes at B and C: first any of Ann or Bob, then all of Carol and Dave.
async fn two_stage_flow(app: &TestApp, p: &People) -> Value {
    app.expect(
        Method::POST,
        &p.admin,
        "/v1/review-flows",
        json!({
            "name": "Database changes",
            "change_type": "normal",
            "levels": ["C", "B"],
            "stages": [
                {"name": "Team", "mode": "any", "approvers": [{"user_id": p.ann.0["id"]}, {"user_id": p.bob.0["id"]}]},
                {"name": "DBAs", "mode": "all", "approvers": [{"user_id": p.carol.0["id"]}, {"user_id": p.dave.0["id"]}]},
            ],
        }),
        StatusCode::CREATED,
    )
    .await
}

async fn inbox(app: &TestApp, token: &str) -> String {
    app.get(token, "/v1/notifications")
        .await
        .text()
        .await
        .unwrap()
}

async fn awaiting(app: &TestApp, token: &str, user: &Value) -> Vec<i64> {
    let page: Value = app
        .get(token, &format!("/v1/changes?awaiting={}", user["id"]))
        .await
        .json()
        .await
        .unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_change_goes_through_its_flows_stages_any_then_all(pool: PgPool) {
    let app = spawn(pool).await;
    let p = people(&app).await;
    let flow = two_stage_flow(&app, &p).await;
    assert_eq!(flow["levels"], json!(["B", "C"]));
    let (ann, bob, carol, dave) = (&p.ann.1, &p.bob.1, &p.carol.1, &p.dave.1);
    let change = app
        .expect(
            Method::POST,
            dave,
            "/v1/changes",
            plan("normal", "B", &p.dave.0, start_time() + Duration::days(1)),
            StatusCode::CREATED,
        )
        .await;
    let base = format!("/v1/changes/{}", change["id"]);
    let id = change["id"].as_i64().unwrap();
    let submitted = app.act(dave, &base, &change, "submit", json!({})).await;
    assert_eq!(submitted["status"], "pending_approval");
    assert_eq!(submitted["review"]["flow"], "Database changes");
    assert!(
        inbox(&app, ann)
            .await
            .contains("waits for your approval (Stage 1 of 2 (Team))")
    );
    assert!(!inbox(&app, carol).await.contains("waits for your approval"));
    assert_eq!(awaiting(&app, carol, &p.ann.0).await, [id]);
    assert!(awaiting(&app, carol, &p.carol.0).await.is_empty());
    assert!(
        app.allowed(bob, &base)
            .await
            .contains(&"approve".to_owned())
    );
    assert!(
        !app.allowed(carol, &base)
            .await
            .contains(&"approve".to_owned())
    );
    let msg = app
        .refuse(
            &p.admin,
            &base,
            &submitted,
            "approve",
            json!({}),
            403,
            "OPS.0403",
        )
        .await;
    assert!(msg.contains("needs the approver role"), "{msg}");

    let team = app
        .act(
            bob,
            &base,
            &submitted,
            "approve",
            json!({"comment": "looks right"}),
        )
        .await;
    assert_eq!(team["status"], "pending_approval");
    assert_eq!(team["review"]["current"], 1);
    assert!(awaiting(&app, carol, &p.ann.0).await.is_empty());
    assert_eq!(awaiting(&app, carol, &p.carol.0).await, [id]);
    assert!(inbox(&app, carol).await.contains("Stage 2 of 2 (DBAs)"));
    app.refuse(ann, &base, &team, "approve", json!({}), 403, "OPS.0403")
        .await;

    let one = app.act(carol, &base, &team, "approve", json!({})).await;
    assert_eq!(
        one["status"], "pending_approval",
        "all of them must approve"
    );
    app.refuse(carol, &base, &one, "approve", json!({}), 403, "OPS.0403")
        .await;
    let approved = app.act(dave, &base, &one, "approve", json!({})).await;
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["review"]["outcome"], "approved");
    assert!(awaiting(&app, carol, &p.dave.0).await.is_empty());

    let detail: Value = app.get(carol, &base).await.json().await.unwrap();
    let timeline = detail["history"].to_string();
    assert!(
        timeline.contains("Stage 1 of 2 (Team): approved; Stage 2 of 2 (DBAs) next — looks right"),
        "{timeline}"
    );
    assert!(timeline.contains("review complete"), "{timeline}");
    let names: Vec<&str> = detail["reviewers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_rejection_returns_the_change_to_draft_and_a_resubmission_starts_again(pool: PgPool) {
    let app = spawn(pool).await;
    let p = people(&app).await;
    two_stage_flow(&app, &p).await;
    let (ann, dave) = (&p.ann.1, &p.dave.1);
    let change = app
        .expect(
            Method::POST,
            dave,
            "/v1/changes",
            plan("normal", "C", &p.dave.0, start_time() + Duration::days(1)),
            StatusCode::CREATED,
        )
        .await;
    let base = format!("/v1/changes/{}", change["id"]);
    let submitted = app.act(dave, &base, &change, "submit", json!({})).await;
    let msg = app
        .refuse(ann, &base, &submitted, "reject", json!({}), 422, "OPS.0422")
        .await;
    assert!(msg.contains("reason"), "{msg}");
    let rejected = app
        .act(
            ann,
            &base,
            &submitted,
            "reject",
            json!({"reason": "Run it after the batch"}),
        )
        .await;
    assert_eq!(rejected["status"], "draft");
    assert_eq!(rejected["review"]["outcome"], "rejected");
    assert_eq!(
        rejected["review"]["rejection"]["comment"],
        "Run it after the batch"
    );
    assert!(inbox(&app, dave).await.contains("rejected: back to draft"));
    assert!(awaiting(&app, ann, &p.ann.0).await.is_empty());
    let again = app.act(dave, &base, &rejected, "submit", json!({})).await;
    assert_eq!(again["review"]["outcome"], "pending");
    assert_eq!(again["review"]["current"], 0);
    assert_eq!(again["review"]["stages"][0]["approvals"], json!([]));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_emergency_change_runs_at_once_and_is_reviewed_afterwards(pool: PgPool) {
    let app = spawn(pool).await;
    let p = people(&app).await;
    let (ann, dave) = (&p.ann.1, &p.dave.1);
    app.expect(
        Method::POST,
        &p.admin,
        "/v1/review-flows",
        json!({"name": "After the fact", "change_type": "emergency", "levels": ["A", "B"],
               "stages": [{"name": "Duty manager", "mode": "any", "approvers": [{"user_id": p.ann.0["id"]}]}]}),
        StatusCode::CREATED,
    )
    .await;
    let change = app
        .expect(
            Method::POST,
            dave,
            "/v1/changes",
            plan(
                "emergency",
                "A",
                &p.dave.0,
                start_time() - Duration::minutes(5),
            ),
            StatusCode::CREATED,
        )
        .await;
    let base = format!("/v1/changes/{}", change["id"]);
    let submitted = app.act(dave, &base, &change, "submit", json!({})).await;
    assert_eq!(submitted["status"], "approved", "it need not wait");
    assert_eq!(submitted["review"]["outcome"], "pending");
    assert!(inbox(&app, ann).await.contains("waits for your approval"));
    let started = app.act(dave, &base, &submitted, "start", json!({})).await;
    let reviewed = app
        .act(
            ann,
            &base,
            &started,
            "approve",
            json!({"comment": "right call"}),
        )
        .await;
    assert_eq!(
        reviewed["status"], "implementing",
        "the review moves nothing"
    );
    assert_eq!(reviewed["review"]["outcome"], "approved");
    app.refuse(
        ann,
        &base,
        &reviewed,
        "reject",
        json!({"reason": "x"}),
        403,
        "OPS.0403",
    )
    .await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bad_flows_are_refused_and_a_stage_with_nobody_stops_the_submission(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let p = people(&app).await;
    two_stage_flow(&app, &p).await;
    let stage = |user: &Value| json!({"name": "One", "mode": "any", "approvers": [{"user_id": user["id"]}]});
    let flow = |change_type: &str, levels: Value, stages: Value| json!({"name": "Another", "change_type": change_type, "levels": levels, "stages": stages});
    let refused = [
        (
            flow("normal", json!(["A", "B"]), json!([stage(&p.ann.0)])),
            409,
            "'Database changes' already covers normal changes at level B, C",
        ),
        (
            flow("standard", json!(["A"]), json!([stage(&p.ann.0)])),
            422,
            "change_type",
        ),
        (
            flow("normal", json!([]), json!([stage(&p.ann.0)])),
            422,
            "levels",
        ),
        (
            flow("normal", json!(["A"]), json!(vec![stage(&p.ann.0); 6])),
            422,
            "1 to 5 stages",
        ),
        (
            flow(
                "normal",
                json!(["A"]),
                json!([{"name": "One", "mode": "any", "approvers": [{"user_id": 9999}]}]),
            ),
            422,
            "stages[0].approvers",
        ),
        (
            flow(
                "normal",
                json!(["A"]),
                json!([{"name": "One", "mode": "some", "approvers": [{"user_id": 1}]}]),
            ),
            422,
            "",
        ),
    ];
    let before = crate::roles::everything(&pool).await;
    for (body, status, words) in refused {
        let response = app
            .send(Method::POST, &p.admin, "/v1/review-flows", body.clone())
            .await;
        assert_eq!(response.status().as_u16(), status, "{body}");
        let text = response.text().await.unwrap();
        assert!(text.contains(words), "{text}");
    }
    let response = app
        .send(
            Method::POST,
            &p.ann.1,
            "/v1/review-flows",
            flow("normal", json!(["A"]), json!([stage(&p.ann.0)])),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        crate::roles::everything(&pool).await,
        before,
        "nothing stored"
    );

    // Ann is the only approver of level A's flow, then leaves.
    app.expect(
        Method::POST,
        &p.admin,
        "/v1/review-flows",
        flow("normal", json!(["A"]), json!([stage(&p.ann.0)])),
        StatusCode::CREATED,
    )
    .await;
    app.send(
        Method::PATCH,
        &p.admin,
        &format!("/v1/users/{}", p.ann.0["id"]),
        json!({"active": false, "version": p.ann.0["version"]}),
    )
    .await;
    let change = app
        .expect(
            Method::POST,
            &p.dave.1,
            "/v1/changes",
            plan("normal", "A", &p.dave.0, start_time() + Duration::days(1)),
            StatusCode::CREATED,
        )
        .await;
    let base = format!("/v1/changes/{}", change["id"]);
    let msg = app
        .refuse(
            &p.dave.1,
            &base,
            &change,
            "submit",
            json!({}),
            409,
            "OPS.0409",
        )
        .await;
    assert!(
        msg.starts_with("Stage 'One' of review flow 'Another' has nobody to approve now"),
        "{msg}"
    );
    let flows: Value = app
        .get(&p.bob.1, "/v1/review-flows")
        .await
        .json()
        .await
        .unwrap();
    let id = flows
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Another")
        .unwrap()["id"]
        .clone();
    let response = app
        .send(
            Method::DELETE,
            &p.admin,
            &format!("/v1/review-flows/{id}"),
            json!(null),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let submitted = app
        .act(&p.dave.1, &base, &change, "submit", json!({}))
        .await;
    assert_eq!(
        submitted["review"]["flow"],
        Value::Null,
        "any administrator approves now"
    );
    assert_eq!(submitted["review"]["stages"][0]["name"], "Administrators");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_standard_change_comes_from_its_template_and_skips_review(pool: PgPool) {
    let app = spawn(pool).await;
    let p = people(&app).await;
    let template = json!({
        "name": "Restart a web node", "title": "Restart one web node", "level": "D",
        "rollback_plan": "Start it again", "duration_minutes": 30,
    });
    let response = app
        .send(
            Method::POST,
            &p.ann.1,
            "/v1/change-templates",
            template.clone(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let mut bad = template.clone();
    bad["duration_minutes"] = json!(0);
    let response = app
        .send(Method::POST, &p.admin, "/v1/change-templates", bad)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let made = app
        .expect(
            Method::POST,
            &p.admin,
            "/v1/change-templates",
            template.clone(),
            StatusCode::CREATED,
        )
        .await;
    let taken = app
        .send(Method::POST, &p.admin, "/v1/change-templates", template)
        .await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);

    let start = start_time() + Duration::hours(3);
    let change = app
        .expect(
            Method::POST,
            &p.ann.1,
            &format!("/v1/change-templates/{}/changes", made["id"]),
            json!({"implementer": {"user_id": p.bob.0["id"]}, "planned_start": start}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(change["change_type"], "standard");
    assert_eq!(change["template_id"], made["id"]);
    assert_eq!(change["title"], "Restart one web node");
    assert_eq!(change["planned_end"], json!(start + Duration::minutes(30)));
    let base = format!("/v1/changes/{}", change["id"]);
    let submitted = app.act(&p.ann.1, &base, &change, "submit", json!({})).await;
    assert_eq!(submitted["status"], "approved");
    assert_eq!(submitted["review"], Value::Null);
    let response = app
        .send(
            Method::DELETE,
            &p.admin,
            &format!("/v1/change-templates/{}", made["id"]),
            json!(null),
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::CONFLICT,
        "its change names it"
    );
    let response = app
        .send(
            Method::POST,
            &p.ann.1,
            "/v1/change-templates/999/changes",
            json!({"implementer": {"user_id": p.bob.0["id"]}, "planned_start": start}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_calendar_shows_a_span_and_the_feed_answers_to_its_token_alone(pool: PgPool) {
    let app = spawn(pool).await;
    let p = people(&app).await;
    // Today's change runs from 23:00 to 01:00 the next day.
    let day = start_time().date_naive();
    let start = day.and_hms_opt(23, 0, 0).unwrap().and_utc();
    let change = app
        .expect(
            Method::POST,
            &p.dave.1,
            "/v1/changes",
            plan("normal", "B", &p.dave.0, start),
            StatusCode::CREATED,
        )
        .await;
    let ids = |v: Value| -> Vec<i64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    };
    let span = |from: chrono::NaiveDate, to: chrono::NaiveDate| {
        format!("/v1/changes/calendar?from={from}&to={to}")
    };
    let next = day + Duration::days(1);
    let got: Value = app
        .get(&p.ann.1, &span(next, next))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        ids(got),
        [change["id"].as_i64().unwrap()],
        "it runs into the next day"
    );
    let got: Value = app
        .get(
            &p.ann.1,
            &span(next + Duration::days(1), next + Duration::days(9)),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(ids(got).is_empty());
    let got: Value = app
        .get(&p.ann.1, &format!("{}&level=A", span(day, day)))
        .await
        .json()
        .await
        .unwrap();
    assert!(ids(got).is_empty(), "filtered out");
    let long = app
        .get(&p.ann.1, &span(day, day + Duration::days(63)))
        .await;
    assert_eq!(long.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let end_of_time = app
        .get(
            &p.ann.1,
            "/v1/changes/calendar?from=%2B262142-12-20&to=%2B262142-12-31",
        )
        .await;
    assert_eq!(end_of_time.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let backwards = app.get(&p.ann.1, &span(next, day)).await;
    assert_eq!(backwards.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let feed = |token: &str| {
        app.client
            .get(app.url(&format!("/v1/changes/calendar.ics?token={token}")))
            .send()
    };
    let first = app
        .expect(
            Method::POST,
            &p.ann.1,
            "/v1/profile/calendar-feed",
            json!(null),
            StatusCode::CREATED,
        )
        .await;
    let token = first["token"].as_str().unwrap().to_owned();
    assert_eq!(
        first["path"],
        format!("/v1/changes/calendar.ics?token={token}")
    );
    let response = feed(&token).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let ics = response.text().await.unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{ics}");
    let number = format!("CHG-{:06}", change["id"].as_i64().unwrap());
    assert!(
        ics.contains(&format!("SUMMARY:{number} Move the ledger")),
        "{ics}"
    );
    assert!(
        ics.contains(&format!("DTSTART:{}", start.format("%Y%m%dT%H%M%SZ"))),
        "{ics}"
    );
    assert!(ics.contains("STATUS:TENTATIVE"), "{ics}");

    let renewed = app
        .expect(
            Method::POST,
            &p.ann.1,
            "/v1/profile/calendar-feed",
            json!(null),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(
        feed(&token).await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "the old token stops"
    );
    let new_token = renewed["token"].as_str().unwrap().to_owned();
    assert_eq!(feed(&new_token).await.unwrap().status(), StatusCode::OK);
    let response = app
        .send(
            Method::DELETE,
            &p.ann.1,
            "/v1/profile/calendar-feed",
            json!(null),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        feed(&new_token).await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "revoked"
    );
    assert_eq!(feed("").await.unwrap().status(), StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn without_javascript_a_flow_is_added_and_the_calendar_shows_the_change_in_its_week(
    pool: PgPool,
) {
    let app = spawn(pool).await;
    let p = people(&app).await;
    let cookie = crate::pages::log_in(&app).await;
    let ann = p.ann.0["id"].as_i64().unwrap();
    let post = |path: &'static str, referer: &'static str, body: String| {
        let cookie = cookie.clone();
        let app = &app;
        async move {
            let response =
                crate::security::form(app, path, referer, Some(&app.base), Some(&cookie), &body)
                    .await;
            assert!(response.status().is_redirection(), "{}", response.status());
            response.headers()["location"].to_str().unwrap().to_owned()
        }
    };
    let location = post(
        "/api/review-flows/create",
        "/review-flows",
        format!(
            "flow%5Bname%5D=Console+flow&flow%5Bchange_type%5D=normal&flow%5Blevel_D%5D=true\
             &flow%5Bs1_name%5D=Lead&flow%5Bs1_mode%5D=any&flow%5Bs1_a1%5D=user%3A{ann}&flow%5Bs1_a2%5D=\
             &flow%5Bs2_name%5D=&flow%5Bs2_mode%5D=any&flow%5Bs2_a1%5D=user%3A{ann}"
        ),
    )
    .await;
    assert!(!location.contains("error"), "{location}");
    let flows: Value = app
        .get(&p.admin, "/v1/review-flows")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(flows[0]["name"], "Console flow");
    assert_eq!(flows[0]["levels"], json!(["D"]));
    assert_eq!(
        flows[0]["stages"].as_array().unwrap().len(),
        1,
        "a stage without a name is left out"
    );
    assert_eq!(
        flows[0]["stages"][0]["approvers"],
        json!([{"user_id": ann}])
    );
    // A stage with nobody in it is refused, naming it.
    let location = post(
        "/api/review-flows/create",
        "/review-flows",
        "flow%5Bname%5D=Empty&flow%5Bchange_type%5D=normal&flow%5Blevel_A%5D=true&flow%5Bs1_name%5D=Lead&flow%5Bs1_mode%5D=all".to_owned(),
    )
    .await;
    assert!(location.contains("error"), "{location}");

    let start = (start_time().date_naive() + Duration::days(9))
        .and_hms_opt(14, 0, 0)
        .unwrap()
        .and_utc();
    let change = app
        .expect(
            Method::POST,
            &p.dave.1,
            "/v1/changes",
            plan("normal", "D", &p.dave.0, start),
            StatusCode::CREATED,
        )
        .await;
    let week = format!("/changes/calendar?view=week&date={}", start.date_naive());
    let html = crate::pages::page(&app, &week, Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    let chip = format!("calendar-change-{}", change["id"]);
    assert!(html.contains(&chip), "the change is in its week");
    assert!(html.contains("14:00–16:00"), "with its time");
    let month = format!(
        "/changes/calendar?view=month&date={}&level=A",
        start.date_naive()
    );
    let html = crate::pages::page(&app, &month, Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains(&chip), "filtered out by risk");
    assert!(html.contains("level=A"), "the view's links keep the filter");

    // The feed address is shown once, on the page the form returns to.
    let location = post(
        "/api/changes/calendar/feed",
        "/changes/calendar",
        String::new(),
    )
    .await;
    assert_eq!(location, "/changes/calendar");
    let response = app
        .client
        .post(app.url("/api/changes/calendar/feed"))
        .header("accept", "text/html")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("referer", app.url("/changes/calendar"))
        .header("origin", &app.base)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let handed = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let cookies = format!("{cookie}; {handed}");
    let html = crate::pages::page(&app, "/changes/calendar", Some(&cookies))
        .await
        .text()
        .await
        .unwrap();
    let token = html
        .split("/v1/changes/calendar.ics?token=")
        .nth(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
        })
        .expect("the feed address");
    assert_eq!(token.len(), 32);
    let ics = app
        .client
        .get(app.url(&format!("/v1/changes/calendar.ics?token={token}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        ics.contains(&format!("UID:change-{}@opsroom", change["id"])),
        "{ics}"
    );
}
