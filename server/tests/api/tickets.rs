//! Improvements, problems and attachments over real HTTP: their workflows through the one
//! actions endpoint, their refusals, the problem clock that stops while suspended, and files
//! checked by content.

use crate::common::{TestApp, assert_error, spawn};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

struct People {
    app: TestApp,
    admin: String,
    ann: (i64, String),
    ben: (i64, String),
    cid: (i64, String),
    viewer: String,
}

async fn people(pool: PgPool) -> People {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let mut ids = vec![];
    for (name, role) in [
        ("ann", "operator"),
        ("ben", "operator"),
        ("cid", "operator"),
        ("val", "viewer"),
    ] {
        let id = app.create_user(&admin, name, role).await["id"]
            .as_i64()
            .unwrap();
        ids.push((id, app.token(name, "password-123").await));
    }
    let viewer = ids.pop().unwrap().1;
    let cid = ids.pop().unwrap();
    let ben = ids.pop().unwrap();
    let ann = ids.pop().unwrap();
    People {
        app,
        admin,
        ann,
        ben,
        cid,
        viewer,
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_improvement_from_an_incident_goes_through_verification(pool: PgPool) {
    let p = people(pool).await;
    let incident = p
        .app
        .expect(Method::POST, &p.ann.1, "/v1/incidents",
            json!({"title": "Disk full on db-1", "level": "P2", "category": "reliability", "owner": {"user_id": p.ann.0}}),
            StatusCode::CREATED)
        .await;
    let ibase = format!("/v1/incidents/{}", incident["id"]);
    let new = json!({"title": "Alert on disk at 80%", "owner": {"user_id": p.ben.0}, "verifier_id": p.cid.0, "due_on": "2026-12-05"});
    // Not from an unaccepted incident.
    p.app
        .refuse(
            &p.ann.1,
            &ibase,
            &incident,
            "create_improvement",
            new.clone(),
            409,
            "OPS.0409",
        )
        .await;
    let incident = p
        .app
        .act(&p.ann.1, &ibase, &incident, "accept", json!({}))
        .await;
    let bad = json!({"title": "x", "owner": {"user_id": p.ben.0}, "verifier_id": p.ben.0, "due_on": "2026-12-05"});
    let msg = p
        .app
        .refuse(
            &p.ann.1,
            &ibase,
            &incident,
            "create_improvement",
            bad,
            422,
            "OPS.0422",
        )
        .await;
    assert!(msg.contains("verifier_id"), "{msg}");
    let after = p
        .app
        .act(&p.ben.1, &ibase, &incident, "create_improvement", new)
        .await;
    assert_eq!(after["status"], "accepted");
    let detail: Value = p.app.get(&p.viewer, &ibase).await.json().await.unwrap();
    let imp = &detail["improvements"][0];
    assert_eq!(
        (
            imp["source"].as_str(),
            imp["source_id"].as_i64(),
            imp["status"].as_str()
        ),
        (Some("incident"), incident["id"].as_i64(), Some("pending"))
    );
    assert!(
        detail["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["action"] == "create_improvement"
                && h["comment"].as_str().unwrap().starts_with("IMP-"))
    );

    let base = format!("/v1/improvements/{}", imp["id"]);
    let imp: Value = p.app.get(&p.ben.1, &base).await.json().await.unwrap();
    assert_eq!(
        p.app.allowed(&p.ben.1, &base).await,
        ["accept", "forward", "remark"]
    );
    assert_eq!(p.app.allowed(&p.cid.1, &base).await, ["remark"]);
    assert!(p.app.allowed(&p.viewer, &base).await.is_empty());
    p.app
        .refuse(&p.cid.1, &base, &imp, "accept", json!({}), 403, "OPS.0403")
        .await;
    p.app
        .refuse(
            &p.ben.1,
            &base,
            &imp,
            "verify",
            json!({"passed": true}),
            409,
            "OPS.0409",
        )
        .await;
    let imp = p.app.act(&p.ben.1, &base, &imp, "accept", json!({})).await;
    assert_eq!(imp["status"], "in_progress");
    p.app
        .refuse(
            &p.ben.1,
            &base,
            &imp,
            "process",
            json!({"cause": "", "measures": "m"}),
            422,
            "OPS.0422",
        )
        .await;
    let imp = p
        .app
        .act(
            &p.ben.1,
            &base,
            &imp,
            "process",
            json!({"cause": "No disk alert", "measures": "Alert at 80% added"}),
        )
        .await;
    assert_eq!(imp["status"], "to_verify");
    let inbox: Value = p
        .app
        .get(&p.cid.1, "/v1/notifications")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inbox["items"][0]["kind"], "to_verify");
    // Failing needs a reason and sends it back; passing closes it.
    p.app
        .refuse(
            &p.cid.1,
            &base,
            &imp,
            "verify",
            json!({"passed": false}),
            422,
            "OPS.0422",
        )
        .await;
    let imp = p
        .app
        .act(
            &p.cid.1,
            &base,
            &imp,
            "verify",
            json!({"passed": false, "comment": "Alert never fired in the drill"}),
        )
        .await;
    assert_eq!(imp["status"], "in_progress");
    let imp = p
        .app
        .act(
            &p.ben.1,
            &base,
            &imp,
            "process",
            json!({"cause": "No disk alert", "measures": "Alert fixed and drilled"}),
        )
        .await;
    let stale = json!({"action": "verify", "params": {"passed": true}, "version": 1});
    assert_error(
        p.app
            .send(Method::POST, &p.cid.1, &format!("{base}/actions"), stale)
            .await,
        409,
        "OPS.0410",
    )
    .await;
    let imp = p
        .app
        .act(&p.cid.1, &base, &imp, "verify", json!({"passed": true}))
        .await;
    assert_eq!(imp["status"], "closed");
    let detail: Value = p.app.get(&p.viewer, &base).await.json().await.unwrap();
    let moves: Vec<&str> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status_after"].as_str().unwrap())
        .collect();
    assert_eq!(
        moves,
        [
            "pending",
            "in_progress",
            "to_verify",
            "in_progress",
            "to_verify",
            "closed"
        ]
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn overdue_improvements_are_flagged_and_listed(pool: PgPool) {
    let p = people(pool).await;
    for (title, due) in [("late", "2026-11-20"), ("soon", "2026-12-20")] {
        p.app
            .expect(Method::POST, &p.ann.1, "/v1/improvements",
                json!({"title": title, "owner": {"user_id": p.ben.0}, "verifier_id": p.cid.0, "due_on": due}),
                StatusCode::CREATED)
            .await;
    }
    let overdue: Value = p
        .app
        .get(&p.viewer, "/v1/improvements?overdue=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(overdue["total"], 1);
    assert_eq!(overdue["items"][0]["title"], "late");
    let detail: Value = p
        .app
        .get(
            &p.viewer,
            &format!("/v1/improvements/{}", overdue["items"][0]["id"]),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["overdue"], true);
    let refused = p.app.send(Method::POST, &p.viewer, "/v1/improvements", json!({"title": "t", "owner": {"user_id": p.ben.0}, "verifier_id": p.cid.0, "due_on": "2026-12-01"})).await;
    assert_error(refused, 403, "OPS.0403").await;
    let bad_source = p.app.send(Method::POST, &p.ann.1, "/v1/improvements", json!({"title": "t", "source": "incident", "owner": {"user_id": p.ben.0}, "verifier_id": p.cid.0, "due_on": "2026-12-01"})).await;
    assert!(
        assert_error(bad_source, 422, "OPS.0422")
            .await
            .contains("source_id")
    );
    let all: Value = p
        .app
        .get(&p.viewer, "/v1/improvements")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["total"], 2);
}

async fn problem(p: &People, level: &str) -> (String, Value) {
    let created = p
        .app
        .expect(Method::POST, &p.ann.1, "/v1/problems",
            json!({"title": "Connection pool exhaustion", "level": level, "owner": {"user_id": p.ben.0}}),
            StatusCode::CREATED)
        .await;
    (format!("/v1/problems/{}", created["id"]), created)
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_suspension_waits_for_the_creator_and_stops_the_clock(pool: PgPool) {
    let p = people(pool).await;
    let (base, pr) = problem(&p, "major").await;
    assert_eq!(pr["status"], "unaccepted");
    let due: chrono::DateTime<chrono::Utc> =
        pr["resolve_due_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(due, crate::common::start_time() + chrono::Duration::days(7));
    let pr = p.app.act(&p.ben.1, &base, &pr, "accept", json!({})).await;
    assert_eq!(pr["status"], "locating");
    p.app
        .refuse(
            &p.ann.1,
            &base,
            &pr,
            "suspend",
            json!({"reason": "x"}),
            403,
            "OPS.0403",
        )
        .await;
    p.app
        .refuse(
            &p.ann.1,
            &base,
            &pr,
            "approve_suspension",
            json!({"approve": true}),
            409,
            "OPS.0409",
        )
        .await;
    let pr = p
        .app
        .act(
            &p.ben.1,
            &base,
            &pr,
            "suspend",
            json!({"reason": "Waiting for the vendor's patch"}),
        )
        .await;
    assert_eq!(
        (pr["status"].as_str(), pr["suspension_request"].as_str()),
        (Some("locating"), Some("Waiting for the vendor's patch"))
    );
    p.app
        .refuse(
            &p.ben.1,
            &base,
            &pr,
            "suspend",
            json!({"reason": "again"}),
            409,
            "OPS.0409",
        )
        .await;
    // Only the creator (or an administrator) decides; the owner cannot approve their own ask.
    p.app
        .refuse(
            &p.ben.1,
            &base,
            &pr,
            "approve_suspension",
            json!({"approve": true}),
            403,
            "OPS.0403",
        )
        .await;
    let inbox: Value = p
        .app
        .get(&p.ann.1, "/v1/notifications")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inbox["items"][0]["kind"], "approval");
    assert_eq!(
        p.app.allowed(&p.ann.1, &base).await,
        ["cancel", "approve_suspension", "remark"]
    );
    let pr = p
        .app
        .act(
            &p.ann.1,
            &base,
            &pr,
            "approve_suspension",
            json!({"approve": true, "comment": "ok"}),
        )
        .await;
    assert_eq!(pr["status"], "suspended");

    // Three hours suspended: the due time moves by three hours on resume.
    p.app.clock.advance(chrono::Duration::hours(3));
    let listed: Value = p
        .app
        .get(&p.viewer, "/v1/problems?status=suspended")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["total"], 1);
    let pr = p.app.act(&p.ben.1, &base, &pr, "resume", json!({})).await;
    assert_eq!(pr["status"], "locating");
    let due_after: chrono::DateTime<chrono::Utc> =
        pr["resolve_due_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(due_after - due, chrono::Duration::hours(3));
    assert_eq!(pr["suspended_seconds"], 3 * 3600);

    // A refused suspension leaves it locating.
    let pr = p
        .app
        .act(&p.ben.1, &base, &pr, "suspend", json!({"reason": "again"}))
        .await;
    let pr = p
        .app
        .act(
            &p.ann.1,
            &base,
            &pr,
            "approve_suspension",
            json!({"approve": false, "comment": "no"}),
        )
        .await;
    assert_eq!(
        (pr["status"].as_str(), pr["suspension_request"].is_null()),
        (Some("locating"), true)
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_problem_is_solved_through_a_change_and_verified(pool: PgPool) {
    let p = people(pool).await;
    let (base, pr) = problem(&p, "critical").await;
    let pr = p
        .app
        .act(
            &p.ben.1,
            &base,
            &pr,
            "reject",
            json!({"reason": "Not a problem, a request"}),
        )
        .await;
    assert_eq!(pr["status"], "rejected");
    p.app
        .refuse(&p.ben.1, &base, &pr, "resubmit", json!({}), 403, "OPS.0403")
        .await;
    let pr = p
        .app
        .act(
            &p.ann.1,
            &base,
            &pr,
            "resubmit",
            json!({"level": "major", "comment": "It recurs weekly"}),
        )
        .await;
    assert_eq!(
        (pr["status"].as_str(), pr["level"].as_str()),
        (Some("unaccepted"), Some("major"))
    );
    let to_self = p
        .app
        .refuse(
            &p.ben.1,
            &base,
            &pr,
            "forward",
            json!({"to": {"user_id": p.ben.0}}),
            422,
            "OPS.0422",
        )
        .await;
    assert!(to_self.contains("theirs already"), "{to_self}");
    let pr = p
        .app
        .act(
            &p.ben.1,
            &base,
            &pr,
            "forward",
            json!({"to": {"user_id": p.cid.0}}),
        )
        .await;
    assert_eq!(pr["owner_id"].as_i64(), Some(p.cid.0));
    let pr = p.app.act(&p.cid.1, &base, &pr, "accept", json!({})).await;
    let no_ref =
        json!({"root_cause": "Pool of 10", "solution": "Raise to 50", "change_needed": true});
    p.app
        .refuse(
            &p.cid.1,
            &base,
            &pr,
            "submit_solution",
            no_ref,
            422,
            "OPS.0422",
        )
        .await;
    let pr = p.app.act(&p.cid.1, &base, &pr, "submit_solution", json!({"root_cause": "Pool of 10", "solution": "Raise to 50", "change_needed": true, "change_ref": "CHG-12"})).await;
    assert_eq!(pr["status"], "to_implement");
    let pr = p
        .app
        .act(
            &p.cid.1,
            &base,
            &pr,
            "record_change",
            json!({"succeeded": false, "comment": "Rolled back"}),
        )
        .await;
    assert_eq!(pr["status"], "locating");
    let pr = p.app.act(&p.cid.1, &base, &pr, "submit_solution", json!({"root_cause": "Pool of 10", "solution": "Raise to 50 in two steps", "change_needed": false})).await;
    assert_eq!(pr["status"], "to_verify");
    p.app
        .refuse(
            &p.cid.1,
            &base,
            &pr,
            "verify",
            json!({"passed": true}),
            403,
            "OPS.0403",
        )
        .await;
    let pr = p
        .app
        .act(&p.ann.1, &base, &pr, "verify", json!({"passed": true}))
        .await;
    assert_eq!(pr["status"], "closed");
    p.app
        .refuse(
            &p.ann.1,
            &base,
            &pr,
            "cancel",
            json!({"reason": "x"}),
            409,
            "OPS.0409",
        )
        .await;
    let (base2, pr2) = problem(&p, "hint").await;
    let pr2 = p
        .app
        .act(
            &p.admin,
            &base2,
            &pr2,
            "cancel",
            json!({"reason": "Duplicate of PRB-1"}),
        )
        .await;
    assert_eq!(pr2["status"], "cancelled");
    // The list pages by cursor too: after the newest comes the first.
    let next: Value = p
        .app
        .get(
            &p.viewer,
            &format!("/v1/problems?per_page=1&after={}", pr2["id"]),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(next["items"][0]["id"], pr["id"]);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn files_are_judged_by_content_counted_and_served_back(pool: PgPool) {
    let p = people(pool).await;
    let (pbase, _) = problem(&p, "minor").await;
    let upload = |token: &str, path: &str, name: &str, body: Vec<u8>| {
        p.app
            .client
            .post(p.app.url(&format!("{path}/attachments?filename={name}")))
            .header("X-Auth-Token", token.to_owned())
            .body(body)
            .send()
    };
    let png = b"\x89PNG\r\n\x1a\nrest-of-image".to_vec();
    let response = upload(&p.ann.1, &pbase, "graph.png", png.clone())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let file: Value = response.json().await.unwrap();
    assert_eq!(
        (file["content_type"].as_str(), file["size_bytes"].as_i64()),
        (Some("image/png"), Some(png.len() as i64))
    );

    let back = p
        .app
        .get(&p.viewer, &format!("/v1/attachments/{}", file["id"]))
        .await;
    assert_eq!(back.headers()["content-type"], "image/png");
    assert!(
        back.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("graph.png")
    );
    assert_eq!(back.bytes().await.unwrap().to_vec(), png);

    // A file larger than the pieces it is sent in (256 KiB) comes back whole and in order.
    let log: Vec<u8> = (0..600_001u32)
        .map(|i| b"abcdefghijklmnopqrstuvwxyz\n"[(i % 27) as usize])
        .collect();
    let stored: Value = upload(&p.ann.1, &pbase, "server.log.txt", log.clone())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let back = p
        .app
        .get(&p.viewer, &format!("/v1/attachments/{}", stored["id"]))
        .await;
    assert_eq!(back.headers()["content-length"], "600001");
    assert!(
        back.bytes().await.unwrap().to_vec() == log,
        "the pieces join into the file"
    );

    let exe = upload(&p.ann.1, &pbase, "report.pdf", b"MZ\x90\x00\x03".to_vec())
        .await
        .unwrap();
    assert!(
        assert_error(exe, 422, "OPS.0422")
            .await
            .contains("not a JPG")
    );
    let renamed = upload(&p.ann.1, &pbase, "notes.png", b"plain words".to_vec())
        .await
        .unwrap();
    assert!(
        assert_error(renamed, 422, "OPS.0422")
            .await
            .contains("name it .txt")
    );
    let viewer = upload(&p.viewer, &pbase, "a.txt", b"x".to_vec())
        .await
        .unwrap();
    assert_error(viewer, 403, "OPS.0403").await;
    let big = upload(
        &p.ann.1,
        &pbase,
        "big.txt",
        vec![b'a'; 10 * 1024 * 1024 + 1],
    )
    .await
    .unwrap();
    assert_eq!(big.status().as_u16(), 422);
    let huge = upload(&p.ann.1, &pbase, "huge.txt", vec![b'a'; 11 * 1024 * 1024])
        .await
        .unwrap();
    assert_error(huge, 413, "OPS.0413").await;
    let nowhere = upload(&p.ann.1, "/v1/problems/999", "a.txt", b"x".to_vec())
        .await
        .unwrap();
    assert_error(nowhere, 404, "OPS.0404").await;

    for n in 3..=10 {
        let ok = upload(
            &p.ann.1,
            &pbase,
            &format!("log-{n}.txt"),
            format!("line {n}\n").into_bytes(),
        )
        .await
        .unwrap();
        assert_eq!(ok.status(), StatusCode::CREATED);
    }
    let eleventh = upload(&p.ann.1, &pbase, "one-more.txt", b"x".to_vec())
        .await
        .unwrap();
    assert!(
        assert_error(eleventh, 409, "OPS.0409")
            .await
            .contains("10 files")
    );
    let listed: Value = p
        .app
        .get(&p.viewer, &format!("{pbase}/attachments"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 10);
    let detail: Value = p.app.get(&p.viewer, &pbase).await.json().await.unwrap();
    assert_eq!(detail["attachments"].as_array().unwrap().len(), 10);
    assert_eq!(
        detail["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["action"] == "attach")
            .count(),
        10
    );

    // Incidents take files the same way.
    let incident = p.app.expect(Method::POST, &p.ann.1, "/v1/incidents",
        json!({"title": "t", "level": "P4", "category": "other", "owner": {"user_id": p.ann.0}}), StatusCode::CREATED).await;
    let ok = upload(
        &p.ben.1,
        &format!("/v1/incidents/{}", incident["id"]),
        "trace.txt",
        b"stack".to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(ok.status(), StatusCode::CREATED);
    let detail: Value = p
        .app
        .get(&p.viewer, &format!("/v1/incidents/{}", incident["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["attachments"][0]["filename"], "trace.txt");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_problem_past_its_time_to_close_is_recorded_once_and_its_owner_told(pool: PgPool) {
    let p = people(pool.clone()).await;
    let (base, pr) = problem(&p, "critical").await;
    p.app.act(&p.ben.1, &base, &pr, "accept", json!({})).await;
    // A suspended problem's clock is stopped: it never breaches while suspended.
    let (held_base, held) = problem(&p, "critical").await;
    let held = p
        .app
        .act(&p.ben.1, &held_base, &held, "accept", json!({}))
        .await;
    let held = p
        .app
        .act(
            &p.ben.1,
            &held_base,
            &held,
            "suspend",
            json!({"reason": "vendor"}),
        )
        .await;
    p.app
        .act(
            &p.ann.1,
            &held_base,
            &held,
            "approve_suspension",
            json!({"approve": true}),
        )
        .await;

    // The same database and clock as the server, as the worker sees them.
    let state = server::router::app_state(
        pool,
        p.app.clock.clone(),
        app::state::Settings::default(),
        server::router::leptos_options("target/site", "127.0.0.1:0".parse().unwrap()),
    );
    let mark = || app::service::problems::mark_breaches(&state);
    assert_eq!(mark().await.unwrap(), 0);
    p.app
        .clock
        .advance(chrono::Duration::days(3) + chrono::Duration::minutes(1));
    assert_eq!(mark().await.unwrap(), 1);
    assert_eq!(mark().await.unwrap(), 0);

    // Three days on, the morning's tokens have expired: log in again.
    let ben = p.app.token("ben", "password-123").await;
    let detail: Value = p.app.get(&ben, &base).await.json().await.unwrap();
    assert!(detail["breached_at"].is_string());
    let last = detail["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (
            last["actor"].as_str(),
            last["action"].as_str(),
            last["comment"].as_str()
        ),
        (
            Some("system"),
            Some("sla_breach"),
            Some("not closed within 3 d (critical)")
        )
    );
    let inbox: Value = p
        .app
        .get(&ben, "/v1/notifications")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inbox["items"][0]["kind"], "sla_breach");
    let held: Value = p.app.get(&ben, &held_base).await.json().await.unwrap();
    assert!(held["breached_at"].is_null());
}
