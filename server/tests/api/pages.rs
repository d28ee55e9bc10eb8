//! The console over plain HTTP, as a browser without JavaScript sees it: the session gate,
//! form posts with their errors, server-rendered pages and the 404 page.

use crate::common::{ADMIN_PASSWORD, spawn};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};

const HTML: &str = "text/html,application/xhtml+xml";

/// Posts a form the way a browser does without JavaScript, from the console's own page.
async fn post_form(
    app: &crate::common::TestApp,
    path: &str,
    referer: &str,
    cookie: Option<&str>,
    body: &str,
) -> reqwest::Response {
    crate::security::form(app, path, referer, Some(&app.base), cookie, body).await
}

pub async fn log_in(app: &crate::common::TestApp) -> String {
    let body = format!("username=admin&password={ADMIN_PASSWORD}&next=%2Fusers");
    let response = post_form(app, "/api/login", "/login?next=%2Fusers", None, &body).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()[LOCATION], "/users");
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    cookie.split(';').next().unwrap().to_owned()
}

pub async fn page(
    app: &crate::common::TestApp,
    path: &str,
    cookie: Option<&str>,
) -> reqwest::Response {
    let mut request = app.client.get(app.url(path)).header(ACCEPT, HTML);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.send().await.unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn anonymous_visitors_are_sent_to_the_login_page(pool: sqlx::PgPool) {
    let app = spawn(pool).await;
    let response = page(&app, "/users?role=admin", None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()[LOCATION],
        "/login?next=%2Fusers%3Frole%3Dadmin"
    );
    let login = page(&app, "/login", None).await;
    assert_eq!(login.status(), StatusCode::OK);
    let html = login.text().await.unwrap();
    assert!(html.contains("data-testid=\"login-form\""));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_failed_login_without_javascript_comes_back_with_the_error(pool: sqlx::PgPool) {
    let app = spawn(pool).await;
    let response = post_form(
        &app,
        "/api/login",
        "/login",
        None,
        "username=admin&password=wrong-one",
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/login?error_form=%2Fapi%2Flogin&error_code=OPS.1001"),
        "{location}"
    );
    let html = page(&app, &location, None).await.text().await.unwrap();
    assert!(
        html.contains("Invalid username or password."),
        "the form shows the error"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_logged_in_admin_sees_server_rendered_pages(pool: sqlx::PgPool) {
    let app = spawn(pool).await;
    let cookie = log_in(&app).await;
    let users = page(&app, "/users", Some(&cookie)).await;
    assert_eq!(users.status(), StatusCode::OK);
    let html = users.text().await.unwrap();
    assert!(
        html.contains("data-testid=\"user-row-admin\""),
        "the list is rendered on the server"
    );
    let overview = page(&app, "/", Some(&cookie)).await.text().await.unwrap();
    assert!(overview.contains("data-testid=\"stat-users\""));
    let login = page(&app, "/login", Some(&cookie)).await;
    assert_eq!(
        login.status(),
        StatusCode::SEE_OTHER,
        "logged in users skip the login page"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn form_validation_errors_name_the_field_without_javascript(pool: sqlx::PgPool) {
    let app = spawn(pool).await;
    let cookie = log_in(&app).await;
    let body = "username=AB&display_name=&email=&phone=&role=viewer&password=long-enough";
    let response = post_form(&app, "/api/users/create", "/users/new", Some(&cookie), body).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(location.contains("error_field=username"), "{location}");
    let html = page(&app, &location, Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("data-testid=\"error-username\""),
        "the message sits next to the field"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn server_function_errors_carry_their_real_status(pool: sqlx::PgPool) {
    let app = spawn(pool).await;
    let cookie = log_in(&app).await;
    let response = app
        .client
        .post(app.url("/api/users/create"))
        .header("sec-fetch-site", "same-origin")
        .header(ACCEPT, "application/json")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(COOKIE, &cookie)
        .body("username=ok-name&display_name=&email=&phone=&role=viewer&password=short")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let anonymous = app
        .client
        .post(app.url("/api/users/list"))
        .header("sec-fetch-site", "same-origin")
        .header(ACCEPT, "application/json")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_viewer_is_refused_the_users_page(pool: sqlx::PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    app.create_user(&admin, "vic", "viewer").await;
    let body = "username=vic&password=password-123";
    let response = post_form(&app, "/api/login", "/login", None, body).await;
    let cookie = response.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = page(&app, "/users", Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("OPS.0403"), "the page shows the refusal");
    assert!(!html.contains("data-testid=\"user-row-admin\""));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn unknown_pages_are_404(pool: sqlx::PgPool) {
    let app = spawn(pool).await;
    let response = page(&app, "/no/such/page", None).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.text().await.unwrap().contains("Page not found"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_successful_form_post_comes_back_confirmed(pool: sqlx::PgPool) {
    let app = spawn(pool).await;
    let cookie = log_in(&app).await;
    let body = "version=1&display_name=The+Admin&email=&phone=";
    let response = post_form(
        &app,
        "/api/profile/update",
        "/profile?error_msg=old",
        Some(&cookie),
        body,
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
    assert_eq!(location, "/profile?done=%2Fapi%2Fprofile%2Fupdate");
    let html = page(&app, &location, Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("data-testid=\"notice\""),
        "the form confirms the save"
    );
    assert!(html.contains("value=\"The Admin\""));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_application_tree_works_without_javascript(pool: sqlx::PgPool) {
    use reqwest::Method;
    use serde_json::{Value, json};
    let app = spawn(pool).await;
    let cookie = log_in(&app).await;
    let token = app.admin().await;

    let response = post_form(
        &app,
        "/api/applications/create",
        "/applications/new",
        Some(&cookie),
        "name=shop&description=Web+shop&parent_id=",
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let shop_page = response.headers()[LOCATION].to_str().unwrap().to_owned();
    let shop = shop_page.trim_start_matches("/applications/").to_owned();
    let response = post_form(
        &app,
        "/api/components/create",
        &shop_page,
        Some(&cookie),
        &format!("application_id={shop}&name=api&description="),
    )
    .await;
    let component_page = response.headers()[LOCATION].to_str().unwrap().to_owned();
    let component = component_page.trim_start_matches("/components/").to_owned();
    let response = post_form(
        &app,
        "/api/groups/create",
        &component_page,
        Some(&cookie),
        &format!(
            "component_id={component}&name=api-prod&description=&environment=prod&region=eu-west-1\
                  &rule_tags=&rule_name_prefix=&rule_type="
        ),
    )
    .await;
    let group_page = response.headers()[LOCATION].to_str().unwrap().to_owned();
    let group = group_page.trim_start_matches("/groups/").to_owned();

    // A bad rule comes back naming its field.
    let response = post_form(
        &app,
        "/api/groups/create",
        &component_page,
        Some(&cookie),
        &format!(
            "component_id={component}&name=auto&description=&environment=prod&region=\
                  &automatic=on&rule_tags=&rule_name_prefix=&rule_type="
        ),
    )
    .await;
    let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(location.contains("error_field=rule_tags"), "{location}");

    let mut ids = Vec::new();
    for name in ["api-1", "api-2"] {
        let r: Value = app
            .send(
                Method::POST,
                &token,
                "/v1/resources",
                json!({"name": name, "type": "host", "provider": "aws", "cpu_cores": 2}),
            )
            .await
            .json()
            .await
            .unwrap();
        ids.push(r["id"].as_i64().unwrap());
    }
    // Checked boxes arrive as `resource_ids[]`, brackets encoded as browsers send them.
    let body = format!(
        "id={group}&resource_ids%5B%5D={}&resource_ids%5B%5D={}",
        ids[0], ids[1]
    );
    let response = post_form(
        &app,
        "/api/groups/associate",
        &group_page,
        Some(&cookie),
        &body,
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let html = page(&app, &group_page, Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Resources (2)"),
        "both resources are in the group"
    );
    assert!(html.contains("data-testid=\"member-api-1\""));

    // The two buttons of one form: disassociate sends `act`.
    let body = format!(
        "id={group}&act=disassociate&target_group_id=&resource_ids%5B%5D={}",
        ids[1]
    );
    let response = post_form(&app, "/api/groups/move", &group_page, Some(&cookie), &body).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let html = page(&app, &group_page, Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Resources (1)"));
    assert!(
        html.contains("disassociated 1 resource (hand)"),
        "the history says so"
    );

    for (path, expected) in [
        ("/applications".to_owned(), "application-row-shop"),
        (shop_page.clone(), "component-row-api"),
        (component_page.clone(), "group-row-api-prod"),
        (
            format!("/topology?application={shop}"),
            "topology-group-api-prod",
        ),
        (format!("{shop_page}/capacity"), "total-cpu"),
        (format!("/groups/{group}/capacity"), "rank-1"),
        (format!("/resources/{}", ids[0]), "resource-groups"),
    ] {
        let response = page(&app, &path, Some(&cookie)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let html = response.text().await.unwrap();
        assert!(html.contains(expected), "{path} shows {expected}");
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn war_room_forms_work_without_javascript(pool: sqlx::PgPool) {
    use reqwest::Method;
    use serde_json::{Value, json};
    let app = spawn(pool).await;
    let cookie = log_in(&app).await;
    let token = app.admin().await;
    let me = app
        .get(&token, "/v1/profile")
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .clone();
    let schedule = app
        .expect(
            Method::POST,
            &token,
            "/v1/schedules",
            json!({"name": "leads", "time_zone": "UTC"}),
            StatusCode::CREATED,
        )
        .await;
    app.expect(
        Method::POST,
        &token,
        &format!("/v1/schedules/{}/roles", schedule["id"]),
        json!({"name": "lead", "members": [me]}),
        StatusCode::CREATED,
    )
    .await;

    // A rule from the console: the ticked levels only, joining as a recovery lead.
    let body = format!(
        "name=leads+for+P1&level_p1=on&level_p3=on&application_id=&role=duty%3A{}%3Alead&member_role=recovery_lead",
        schedule["id"]
    );
    let response = post_form(
        &app,
        "/api/war-rooms/rules/create",
        "/war-rooms",
        Some(&cookie),
        &body,
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let rules: Value = app
        .get(&token, "/v1/war-room-rules")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rules[0]["levels"], json!(["P1", "P3"]));
    assert_eq!(rules[0]["member_role"], "recovery_lead");
    let bad = post_form(
        &app,
        "/api/war-rooms/rules/create",
        "/war-rooms",
        Some(&cookie),
        "name=x&application_id=&role=&member_role=engineer",
    )
    .await;
    let back = bad.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(
        back.starts_with("/war-rooms?") && back.contains("error_field=role"),
        "{back}"
    );

    // A room, a notice and its close, each a plain post that comes back to the room.
    let incident = app
        .expect(Method::POST, &token, "/v1/incidents",
            json!({"title": "Down", "level": "P1", "category": "function", "owner": {"user_id": me}}), StatusCode::CREATED)
        .await;
    let base = format!("/v1/incidents/{}", incident["id"]);
    let incident = app.act(&token, &base, &incident, "accept", json!({})).await;
    app.act(&token, &base, &incident, "start_war_room", json!({}))
        .await;
    let room: Value = app.get(&token, "/v1/war-rooms").await.json().await.unwrap();
    let id = room[0]["id"].as_i64().unwrap();
    assert_eq!(room[0]["incident_title"], "Down");
    let room_page = format!("/war-rooms/{id}");
    let response = post_form(
        &app,
        "/api/war-rooms/notice",
        &room_page,
        Some(&cookie),
        &format!("id={id}&kind=first&body=Checkout+is+down"),
    )
    .await;
    assert!(
        response.headers()[LOCATION]
            .to_str()
            .unwrap()
            .contains("done=")
    );
    let html = page(&app, &room_page, Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Checkout is down"));
    let response = post_form(
        &app,
        "/api/war-rooms/close",
        &room_page,
        Some(&cookie),
        &format!("id={id}&version=1&cause=c&impact=i"),
    )
    .await;
    let back = response.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(
        back.contains("error_code=OPS.0410"),
        "a stale version comes back: {back}"
    );
    let room: Value = app
        .get(&token, &format!("/v1/war-rooms/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(room["status"], "started");
    assert_eq!(room["members"][0]["role"], "admin");
}
