//! Applications, components and groups over real HTTP: the tree, association by hand and by
//! rule, transfers, refusals, history, topology and capacity.

use crate::common::{TestApp, assert_error, spawn};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let response = app.send(Method::POST, token, path, body.clone()).await;
    let status = response.status();
    let answer: Value = response.json().await.unwrap();
    assert!(status.is_success(), "POST {path} {body}: {status} {answer}");
    answer
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let response = app.get(token, path).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.json().await.unwrap()
}

fn resource(name: &str, tags: Value, cpu: i32, memory: f64, disk: f64, status: &str) -> Value {
    json!({"name": name, "type": if name.starts_with("db") { "database" } else { "host" },
           "provider": "aws", "region": "eu-west-1", "cpu_cores": cpu, "memory_gib": memory,
           "disk_gib": disk, "status": status, "tags": tags})
}

/// An application with one component; returns (application id, component id).
async fn tree(app: &TestApp, token: &str, name: &str) -> (i64, i64) {
    let a = post(
        app,
        token,
        "/v1/applications",
        json!({"name": name, "description": "d"}),
    )
    .await;
    let c = post(
        app,
        token,
        "/v1/components",
        json!({"application_id": a["id"], "name": "api"}),
    )
    .await;
    (a["id"].as_i64().unwrap(), c["id"].as_i64().unwrap())
}

async fn group(app: &TestApp, token: &str, component: i64, name: &str, rule: Value) -> Value {
    post(
        app,
        token,
        "/v1/groups",
        json!({"component_id": component, "name": name, "environment": "prod",
               "region": "eu-west-1", "rule": rule}),
    )
    .await
}

/// Names of the resources group `id` holds.
async fn members(app: &TestApp, token: &str, id: &Value) -> Vec<String> {
    let page = get(
        app,
        token,
        &format!("/v1/resources?group_id={id}&sort=name&per_page=200"),
    )
    .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn audit_actions(app: &TestApp, admin: &str, object_type: &str) -> Vec<(String, String)> {
    let page = get(
        app,
        admin,
        &format!("/v1/audit-logs?object_type={object_type}&per_page=200&sort=id"),
    )
    .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["object_id"].as_str().unwrap().to_owned(),
                r["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_tree_is_built_level_by_level_with_checked_names(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let (shop, api) = tree(&app, &admin, "shop").await;
    let sub = post(
        &app,
        &admin,
        "/v1/applications",
        json!({"name": "shop-checkout", "parent_id": shop}),
    )
    .await;
    assert_eq!(sub["parent_id"], shop);
    let g = group(&app, &admin, api, "api-prod", Value::Null).await;
    assert_eq!(g["rule"], Value::Null);
    assert_eq!(g["environment"], "prod");

    for (body, field) in [
        (json!({"name": "ab"}), "name"),
        (json!({"name": "has space"}), "name"),
        (json!({"name": "x".repeat(51)}), "name"),
        (
            json!({"name": "okay", "description": "d".repeat(257)}),
            "description",
        ),
        (json!({"name": "okay", "parent_id": 999}), "parent_id"),
    ] {
        let msg = assert_error(
            app.send(Method::POST, &admin, "/v1/applications", body.clone())
                .await,
            422,
            "OPS.0422",
        )
        .await;
        assert!(msg.starts_with(field), "{body}: {msg}");
    }
    let msg = assert_error(
        app.send(
            Method::POST,
            &admin,
            "/v1/applications",
            json!({"name": "shop"}),
        )
        .await,
        409,
        "OPS.0409",
    )
    .await;
    assert!(msg.contains("'shop'"), "{msg}");
    assert_error(
        app.send(
            Method::POST,
            &admin,
            "/v1/components",
            json!({"application_id": shop, "name": "api"}),
        )
        .await,
        409,
        "OPS.0409",
    )
    .await;
    let msg = assert_error(
        app.send(
            Method::POST,
            &admin,
            "/v1/groups",
            json!({"component_id": api, "name": "g-auto", "environment": "prod", "rule": {"tags": {}}}),
        )
        .await,
        422,
        "OPS.0422",
    )
    .await;
    assert!(msg.starts_with("rule.tags"), "{msg}");
    assert_error(
        app.send(
            Method::POST,
            &admin,
            "/v1/groups",
            json!({"component_id": api, "name": "g", "environment": "qa"}),
        )
        .await,
        422,
        "OPS.0422",
    )
    .await;

    // A parent cannot move below its own sub-application.
    let msg = assert_error(
        app.send(
            Method::PATCH,
            &admin,
            &format!("/v1/applications/{shop}"),
            json!({"parent_id": sub["id"], "version": 1}),
        )
        .await,
        422,
        "OPS.0422",
    )
    .await;
    assert!(msg.starts_with("parent_id"), "{msg}");
    // A stale version changes nothing.
    let renamed = app
        .send(
            Method::PATCH,
            &admin,
            &format!("/v1/applications/{shop}"),
            json!({"name": "webshop", "version": 1}),
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    assert_error(
        app.send(
            Method::PATCH,
            &admin,
            &format!("/v1/applications/{shop}"),
            json!({"name": "other", "version": 1}),
        )
        .await,
        409,
        "OPS.0410",
    )
    .await;
    let listed = get(&app, &admin, "/v1/applications").await;
    let names: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["shop-checkout", "webshop"]);
    assert_eq!(listed["items"][1]["components"], 1);
    assert_eq!(listed["items"][1]["groups"], 1);
    assert_eq!(listed["items"][0]["parent_name"], "webshop");

    // Viewers read but never write.
    app.create_user(&admin, "vic", "viewer").await;
    let viewer = app.token("vic", "password-123").await;
    assert_eq!(get(&app, &viewer, "/v1/groups").await["total"], 1);
    assert_error(
        app.send(
            Method::POST,
            &viewer,
            "/v1/applications",
            json!({"name": "nope"}),
        )
        .await,
        403,
        "OPS.0403",
    )
    .await;
    assert_error(app.get(&admin, "/v1/components/999").await, 404, "OPS.0404").await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn deleting_a_level_is_refused_while_children_exist_naming_them(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let (shop, api) = tree(&app, &admin, "shop").await;
    post(
        &app,
        &admin,
        "/v1/applications",
        json!({"name": "shop-web", "parent_id": shop}),
    )
    .await;
    let g = group(&app, &admin, api, "api-prod", Value::Null).await;
    let r = post(
        &app,
        &admin,
        "/v1/resources",
        resource("web-1", json!({}), 2, 4.0, 10.0, "running"),
    )
    .await;
    post(
        &app,
        &admin,
        &format!("/v1/groups/{}/resources", g["id"]),
        json!({"resource_ids": [r["id"]]}),
    )
    .await;

    let msg = assert_error(
        app.send(
            Method::DELETE,
            &admin,
            &format!("/v1/applications/{shop}"),
            Value::Null,
        )
        .await,
        409,
        "OPS.0409",
    )
    .await;
    assert!(
        msg.contains("sub-applications 'shop-web'") && msg.contains("components 'api'"),
        "{msg}"
    );
    let msg = assert_error(
        app.send(
            Method::DELETE,
            &admin,
            &format!("/v1/components/{api}"),
            Value::Null,
        )
        .await,
        409,
        "OPS.0409",
    )
    .await;
    assert!(msg.contains("groups 'api-prod'"), "{msg}");
    let msg = assert_error(
        app.send(
            Method::DELETE,
            &admin,
            &format!("/v1/groups/{}", g["id"]),
            Value::Null,
        )
        .await,
        409,
        "OPS.0409",
    )
    .await;
    assert!(msg.contains("1 resource ('web-1')"), "{msg}");

    // Emptied from the bottom up, each level goes.
    post(
        &app,
        &admin,
        &format!("/v1/groups/{}/disassociate", g["id"]),
        json!({"resource_ids": [r["id"]]}),
    )
    .await;
    for path in [
        format!("/v1/groups/{}?version=1", g["id"]),
        format!("/v1/components/{api}"),
    ] {
        let response = app.send(Method::DELETE, &admin, &path, Value::Null).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{path}");
    }
    let sub = get(&app, &admin, &format!("/v1/applications?parent_id={shop}")).await;
    let sub_id = sub["items"][0]["id"].clone();
    for path in [
        format!("/v1/applications/{sub_id}"),
        format!("/v1/applications/{shop}"),
    ] {
        let response = app.send(Method::DELETE, &admin, &path, Value::Null).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{path}");
    }
    assert_eq!(get(&app, &admin, "/v1/applications").await["total"], 0);
    // The resource itself stays in the inventory.
    assert_eq!(get(&app, &admin, "/v1/resources").await["total"], 1);
    let deletes: Vec<_> = audit_actions(&app, &admin, "application")
        .await
        .into_iter()
        .filter(|(_, a)| a == "delete")
        .collect();
    assert_eq!(deletes.len(), 2);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_automatic_group_follows_its_rule_as_resources_change(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let (_, api) = tree(&app, &admin, "shop").await;
    let web1 = post(
        &app,
        &admin,
        "/v1/resources",
        resource(
            "web-1",
            json!({"app": "shop", "env": "prod"}),
            4,
            16.0,
            80.0,
            "running",
        ),
    )
    .await;
    post(
        &app,
        &admin,
        "/v1/resources",
        resource(
            "web-2",
            json!({"app": "shop", "env": "staging"}),
            4,
            16.0,
            80.0,
            "running",
        ),
    )
    .await;
    post(
        &app,
        &admin,
        "/v1/resources",
        resource(
            "db-1",
            json!({"app": "shop", "env": "prod"}),
            8,
            64.0,
            500.0,
            "running",
        ),
    )
    .await;

    // Created with a rule, the group picks up what already matches.
    let g = group(
        &app,
        &admin,
        api,
        "web-prod",
        json!({"tags": {"app": "shop", "env": "prod"}, "name_prefix": "web-", "type": "host"}),
    )
    .await;
    assert!(g["synced_at"].is_string());
    assert_eq!(members(&app, &admin, &g["id"]).await, ["web-1"]);

    // A newly created, a re-tagged and an imported resource join; one that stops matching leaves.
    post(
        &app,
        &admin,
        "/v1/resources",
        resource(
            "web-3",
            json!({"app": "shop", "env": "prod", "team": "x"}),
            2,
            8.0,
            40.0,
            "fault",
        ),
    )
    .await;
    let web2: Value = get(&app, &admin, "/v1/resources?q=web-2").await["items"][0].clone();
    let response = app
        .send(
            Method::PATCH,
            &admin,
            &format!("/v1/resources/{}", web2["id"]),
            json!({"tags": {"app": "shop", "env": "prod"}, "version": web2["version"]}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let csv = "name,type,provider,region,tags\nweb-4,host,aws,eu-west-1,app=shop;env=prod\n";
    let imported = app
        .client
        .post(app.url("/v1/resources/import"))
        .header("X-Auth-Token", &admin)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), StatusCode::OK);
    let response = app
        .send(
            Method::PATCH,
            &admin,
            &format!("/v1/resources/{}", web1["id"]),
            json!({"tags": {"app": "shop", "env": "staging"}, "version": 1}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        members(&app, &admin, &g["id"]).await,
        ["web-2", "web-3", "web-4"]
    );

    // A deleted resource leaves; its group's history says so.
    let web3: Value = get(&app, &admin, "/v1/resources?q=web-3").await["items"][0].clone();
    let response = app
        .send(
            Method::DELETE,
            &admin,
            &format!("/v1/resources/{}", web3["id"]),
            Value::Null,
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(members(&app, &admin, &g["id"]).await, ["web-2", "web-4"]);
    let group_id = g["id"].to_string();
    let history: Vec<String> = audit_actions(&app, &admin, "group")
        .await
        .into_iter()
        .filter(|(id, _)| *id == group_id)
        .map(|(_, a)| a)
        .collect();
    assert_eq!(
        history,
        [
            "create",
            "associate",
            "associate",
            "associate",
            "associate",
            "disassociate",
            "disassociate"
        ]
    );

    // Hand-picking in an automatic group is refused; "sync now" answers what stayed.
    let msg = assert_error(
        app.send(
            Method::POST,
            &admin,
            &format!("/v1/groups/{}/resources", g["id"]),
            json!({"resource_ids": [web1["id"]]}),
        )
        .await,
        409,
        "OPS.0409",
    )
    .await;
    assert!(msg.contains("automatic"), "{msg}");
    let synced = post(
        &app,
        &admin,
        &format!("/v1/groups/{}/sync", g["id"]),
        Value::Null,
    )
    .await;
    assert_eq!(synced["changed"], json!([]));
    assert_eq!(synced["unchanged"].as_array().unwrap().len(), 2);

    // Changing the rule re-syncs at once; a manual group has nothing to sync.
    let edited = app
        .send(
            Method::PATCH,
            &admin,
            &format!("/v1/groups/{}", g["id"]),
            json!({"rule": {"tags": {"env": "staging"}}, "version": g["version"]}),
        )
        .await;
    assert_eq!(edited.status(), StatusCode::OK);
    assert_eq!(members(&app, &admin, &g["id"]).await, ["web-1"]);
    let manual = group(&app, &admin, api, "by-hand", Value::Null).await;
    assert_error(
        app.send(
            Method::POST,
            &admin,
            &format!("/v1/groups/{}/sync", manual["id"]),
            Value::Null,
        )
        .await,
        409,
        "OPS.0409",
    )
    .await;
    // Anyone who reads the inventory reads a group's history, newest first.
    app.create_user(&admin, "vic", "viewer").await;
    let viewer = app.token("vic", "password-123").await;
    let history = get(&app, &viewer, &format!("/v1/groups/{}/history", g["id"])).await;
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        &actions[..4],
        ["disassociate", "associate", "update", "sync"]
    );
    assert_eq!(history[0]["after"]["by"], "rule");
    assert_error(
        app.get(&viewer, "/v1/groups/4242/history").await,
        404,
        "OPS.0404",
    )
    .await;
    // The resource page lists the groups a resource is in.
    let groups = get(
        &app,
        &admin,
        &format!("/v1/resources/{}/groups", web1["id"]),
    )
    .await;
    assert_eq!(groups[0]["group_name"], "web-prod");
    assert_eq!(groups[0]["application_name"], "shop");
    assert_eq!(groups[0]["automatic"], true);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn resources_are_picked_transferred_and_removed_by_hand(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let (_, api) = tree(&app, &admin, "shop").await;
    let from = group(&app, &admin, api, "blue", Value::Null).await;
    let to = group(&app, &admin, api, "green", Value::Null).await;
    let auto = group(&app, &admin, api, "auto", json!({"tags": {"k": "v"}})).await;
    let mut ids = Vec::new();
    for i in 0..102 {
        let r = post(
            &app,
            &admin,
            "/v1/resources",
            json!({"name": format!("h-{i:03}"), "type": "host", "provider": "onprem"}),
        )
        .await;
        ids.push(r["id"].as_i64().unwrap());
    }
    let path = |g: &Value, what: &str| format!("/v1/groups/{}/{what}", g["id"]);
    let added = post(
        &app,
        &admin,
        &path(&from, "resources"),
        json!({"resource_ids": &ids[..101]}),
    )
    .await;
    assert_eq!(added["changed"].as_array().unwrap().len(), 101);
    let again = post(
        &app,
        &admin,
        &path(&from, "resources"),
        json!({"resource_ids": [ids[0], ids[0]]}),
    )
    .await;
    assert_eq!(
        (again["changed"].clone(), again["unchanged"].clone()),
        (json!([]), json!([ids[0]]))
    );
    let msg = assert_error(
        app.send(
            Method::POST,
            &admin,
            &path(&from, "resources"),
            json!({"resource_ids": [ids[0], 99999]}),
        )
        .await,
        422,
        "OPS.0422",
    )
    .await;
    assert!(msg.contains("99999"), "{msg}");

    // At most 100 move at once; all of them must be in the source; targets must be manual.
    let msg = assert_error(
        app.send(
            Method::POST,
            &admin,
            &path(&from, "transfer"),
            json!({"target_group_id": to["id"], "resource_ids": &ids[..101]}),
        )
        .await,
        422,
        "OPS.0422",
    )
    .await;
    assert!(msg.contains("1 to 100"), "{msg}");
    let msg = assert_error(
        app.send(
            Method::POST,
            &admin,
            &path(&from, "transfer"),
            json!({"target_group_id": to["id"], "resource_ids": [ids[0], ids[101]]}),
        )
        .await,
        422,
        "OPS.0422",
    )
    .await;
    assert!(
        msg.contains(&format!("resource {} is not in group 'blue'", ids[101])),
        "{msg}"
    );
    assert_error(
        app.send(
            Method::POST,
            &admin,
            &path(&from, "transfer"),
            json!({"target_group_id": auto["id"], "resource_ids": [ids[0]]}),
        )
        .await,
        409,
        "OPS.0409",
    )
    .await;
    assert_error(
        app.send(
            Method::POST,
            &admin,
            &path(&from, "transfer"),
            json!({"target_group_id": 424242, "resource_ids": [ids[0]]}),
        )
        .await,
        422,
        "OPS.0422",
    )
    .await;
    let moved = post(
        &app,
        &admin,
        &path(&from, "transfer"),
        json!({"target_group_id": to["id"], "resource_ids": &ids[..100]}),
    )
    .await;
    assert_eq!(moved["changed"].as_array().unwrap().len(), 100);
    assert_eq!(members(&app, &admin, &from["id"]).await, ["h-100"]);
    assert_eq!(members(&app, &admin, &to["id"]).await.len(), 100);

    let removed = post(
        &app,
        &admin,
        &path(&to, "disassociate"),
        json!({"resource_ids": [ids[0], ids[100]]}),
    )
    .await;
    assert_eq!(
        (removed["changed"].clone(), removed["unchanged"].clone()),
        (json!([ids[0]]), json!([ids[100]]))
    );
    assert_eq!(members(&app, &admin, &to["id"]).await.len(), 99);

    let actions: Vec<String> = audit_actions(&app, &admin, "group")
        .await
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    for expected in ["associate", "transfer_out", "transfer_in", "disassociate"] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} in {actions:?}"
        );
    }
    // Refused requests wrote nothing.
    assert_eq!(actions.iter().filter(|a| *a == "transfer_out").count(), 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn topology_and_capacity_count_each_resource_once(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let (shop, api) = tree(&app, &admin, "shop").await;
    let sub = post(
        &app,
        &admin,
        "/v1/applications",
        json!({"name": "shop-web", "parent_id": shop}),
    )
    .await;
    let web = post(
        &app,
        &admin,
        "/v1/components",
        json!({"application_id": sub["id"], "name": "web"}),
    )
    .await;
    for (name, cpu, mem, disk, status) in [
        ("web-1", 4, 16.0, 80.0, "running"),
        ("web-2", 8, 32.0, 80.0, "fault"),
        ("db-1", 16, 64.0, 1000.0, "stopped"),
    ] {
        post(
            &app,
            &admin,
            "/v1/resources",
            resource(name, json!({"app": "shop"}), cpu, mem, disk, status),
        )
        .await;
    }
    let all = group(&app, &admin, api, "all", json!({"tags": {"app": "shop"}})).await;
    let hosts = group(
        &app,
        &admin,
        web["id"].as_i64().unwrap(),
        "hosts",
        json!({"tags": {"app": "shop"}, "type": "host"}),
    )
    .await;

    let t = get(&app, &admin, &format!("/v1/applications/{shop}/topology")).await;
    assert_eq!(t["kind"], "application");
    assert_eq!(
        t["counts"],
        json!({"running": 1, "stopped": 1, "fault": 1, "unknown": 0})
    );
    assert_eq!(t["children"][0]["name"], "shop-web");
    assert_eq!(
        t["children"][0]["children"][0]["children"][0]["counts"]["fault"],
        1
    );
    assert_eq!(t["children"][1]["name"], "api");
    assert_eq!(
        t["children"][1]["children"][0]["detail"],
        "prod · eu-west-1"
    );

    let c = get(
        &app,
        &admin,
        &format!("/v1/applications/{shop}/capacity?top=2&by=memory"),
    )
    .await;
    assert_eq!(
        c["total"],
        json!({"resources": 3, "cpu_cores": 28, "memory_gib": 112.0, "disk_gib": 1160.0})
    );
    assert_eq!(c["by_type"][0]["type"], "database");
    assert_eq!(
        c["by_type"][1],
        json!({"type": "host", "resources": 2, "cpu_cores": 12, "memory_gib": 48.0, "disk_gib": 160.0})
    );
    let top: Vec<&str> = c["top"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(top, ["db-1", "web-2"]);
    let g = get(
        &app,
        &admin,
        &format!("/v1/groups/{}/capacity", hosts["id"]),
    )
    .await;
    assert_eq!(g["total"]["cpu_cores"], 12);
    let comp = get(&app, &admin, &format!("/v1/components/{api}/capacity")).await;
    assert_eq!(comp["total"]["resources"], 3);
    assert_eq!(comp["name"], "api");
    assert_error(
        app.get(&admin, &format!("/v1/groups/{}/capacity?top=0", all["id"]))
            .await,
        422,
        "OPS.0422",
    )
    .await;
    assert_error(
        app.get(&admin, "/v1/applications/999/topology").await,
        404,
        "OPS.0404",
    )
    .await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn component_and_group_edits_check_versions_and_roles(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.admin().await;
    let (_, api) = tree(&app, &admin, "shop").await;
    let g = group(&app, &admin, api, "api-prod", Value::Null).await;
    let r = post(
        &app,
        &admin,
        "/v1/resources",
        resource("web-1", json!({}), 1, 1.0, 1.0, "running"),
    )
    .await;

    let renamed = app
        .send(
            Method::PATCH,
            &admin,
            &format!("/v1/components/{api}"),
            json!({"name": "api-v2", "version": 1}),
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    assert_error(
        app.send(
            Method::PATCH,
            &admin,
            &format!("/v1/components/{api}"),
            json!({"name": "api-v3", "version": 1}),
        )
        .await,
        409,
        "OPS.0410",
    )
    .await;
    assert_error(
        app.send(
            Method::DELETE,
            &admin,
            &format!("/v1/components/{api}?version=1"),
            Value::Null,
        )
        .await,
        409,
        "OPS.0410",
    )
    .await;
    let edited = app
        .send(
            Method::PATCH,
            &admin,
            &format!("/v1/groups/{}", g["id"]),
            json!({"environment": "staging", "region": "us-east-1", "version": 1}),
        )
        .await;
    assert_eq!(edited.status(), StatusCode::OK);
    let edited: Value = edited.json().await.unwrap();
    assert_eq!(
        (edited["environment"].as_str(), edited["version"].as_i64()),
        (Some("staging"), Some(2))
    );
    assert_error(
        app.send(
            Method::PATCH,
            &admin,
            &format!("/v1/groups/{}", g["id"]),
            json!({"name": "x-y-z", "version": 1}),
        )
        .await,
        409,
        "OPS.0410",
    )
    .await;
    assert_error(
        app.send(
            Method::PATCH,
            &admin,
            &format!("/v1/groups/{}", g["id"]),
            json!({"region": "eu west", "version": 2}),
        )
        .await,
        422,
        "OPS.0422",
    )
    .await;

    app.create_user(&admin, "vic", "viewer").await;
    let viewer = app.token("vic", "password-123").await;
    for (method, path, body) in [
        (
            Method::POST,
            format!("/v1/groups/{}/resources", g["id"]),
            json!({"resource_ids": [r["id"]]}),
        ),
        (
            Method::POST,
            format!("/v1/groups/{}/sync", g["id"]),
            Value::Null,
        ),
        (
            Method::PATCH,
            format!("/v1/groups/{}", g["id"]),
            json!({"name": "mine", "version": 2}),
        ),
        (Method::DELETE, format!("/v1/components/{api}"), Value::Null),
        (
            Method::POST,
            "/v1/components".to_owned(),
            json!({"application_id": 1, "name": "nope"}),
        ),
    ] {
        assert_error(
            app.send(method, &viewer, &path, body).await,
            403,
            "OPS.0403",
        )
        .await;
    }
    // Nothing the refusals touched changed.
    let after = get(&app, &admin, &format!("/v1/groups/{}", g["id"])).await;
    assert_eq!(
        (after["name"].as_str(), after["version"].as_i64()),
        (Some("api-prod"), Some(2))
    );
    assert_eq!(members(&app, &admin, &g["id"]).await, Vec::<String>::new());
}
