//! The API docs page's data: the server's OpenAPI document, grouped for reading.

use crate::domain::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiDoc {
    pub title: String,
    pub version: String,
    pub groups: Vec<ApiGroup>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiGroup {
    pub tag: String,
    pub endpoints: Vec<Endpoint>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Endpoint {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    pub needs_token: bool,
    /// (status, description), in status order.
    pub responses: Vec<(String, String)>,
}

#[server(endpoint = "docs")]
pub async fn load_api_doc() -> Result<ApiDoc, AppError> {
    let (state, _) = super::ssr::context().await?;
    Ok(from_openapi(&state.openapi))
}

#[cfg(feature = "ssr")]
pub fn from_openapi(doc: &serde_json::Value) -> ApiDoc {
    use serde_json::Value;
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or("").to_owned();
    let mut groups: Vec<ApiGroup> = Vec::new();
    let paths = doc.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        let Some(ops) = item.as_object() else {
            continue;
        };
        for (method, op) in ops {
            let tag = op
                .get("tags")
                .and_then(|t| t.get(0))
                .and_then(Value::as_str)
                .unwrap_or("other")
                .to_owned();
            let mut responses: Vec<(String, String)> = op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(status, r)| (status.clone(), text(r, "description")))
                .collect();
            responses.sort();
            let endpoint = Endpoint {
                method: method.to_uppercase(),
                path: path.clone(),
                summary: text(op, "summary"),
                description: text(op, "description"),
                needs_token: op
                    .get("security")
                    .and_then(Value::as_array)
                    .is_some_and(|s| !s.is_empty()),
                responses,
            };
            match groups.iter_mut().find(|g| g.tag == tag) {
                Some(group) => group.endpoints.push(endpoint),
                None => groups.push(ApiGroup {
                    tag,
                    endpoints: vec![endpoint],
                }),
            }
        }
    }
    groups.sort_by(|a, b| a.tag.cmp(&b.tag));
    for g in &mut groups {
        g.endpoints
            .sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    }
    let info = doc.get("info").cloned().unwrap_or_default();
    ApiDoc {
        title: text(&info, "title"),
        version: text(&info, "version"),
        groups,
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn groups_endpoints_by_tag_and_sorts_them() {
        let doc = json!({
            "info": {"title": "Opsroom", "version": "1"},
            "paths": {
                "/v1/users": {
                    "post": {"tags": ["users"], "summary": "Create", "security": [{"token": []}],
                             "responses": {"422": {"description": "bad"}, "201": {"description": "made"}}},
                    "get": {"tags": ["users"], "summary": "List", "responses": {}}
                },
                "/v1/auth/tokens": {"post": {"tags": ["auth"], "summary": "Log in", "responses": {}}}
            }
        });
        let api = from_openapi(&doc);
        assert_eq!(api.title, "Opsroom");
        let tags: Vec<_> = api.groups.iter().map(|g| g.tag.as_str()).collect();
        assert_eq!(tags, ["auth", "users"]);
        let users = &api.groups[1].endpoints;
        assert_eq!(
            (users[0].method.as_str(), users[1].method.as_str()),
            ("GET", "POST")
        );
        assert!(users[1].needs_token && !users[0].needs_token);
        assert_eq!(users[1].responses[0].0, "201");
    }
}
