//! The OpenAPI document as served, and the role decisions it carries. Each operation's token
//! scope is the least role that may call it (`viewer`, `operator`, `admin`); the role gate
//! enforces exactly that before any body is read, so the document and the server cannot
//! disagree about who may do what. Answers every operation can give (401, 403, 400, 413, 503)
//! are added here once instead of on every handler.

use super::error::ApiError;
use super::extract::Caller;
use app::domain::AppError;
use app::domain::user::Role;
use app::state::AppState;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// The document's version: the server's, so a diff between releases names both.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch"];

fn error_answer(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    })
}

/// The least role an operation needs, from its `token` security scope; `None` when it needs no
/// token at all.
pub fn required_role(operation: &Value) -> Option<Role> {
    operation["security"]
        .as_array()?
        .iter()
        .filter_map(|r| r["token"].as_array())
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(Role::parse)
        .next()
}

fn add(responses: &mut serde_json::Map<String, Value>, status: &str, description: &str) {
    responses
        .entry(status.to_owned())
        .or_insert_with(|| error_answer(description));
}

/// Completes one operation with the answers any operation of its kind can give.
fn complete(method: &str, operation: &mut Value) {
    let role = required_role(operation);
    let takes_body = operation.get("requestBody").is_some();
    let Some(responses) = operation["responses"].as_object_mut() else {
        return;
    };
    if role.is_some() {
        add(responses, "401", "No valid token or session");
    }
    if matches!(role, Some(Role::Operator | Role::Admin)) {
        add(responses, "403", "The caller's role may not do this");
    }
    if role.is_some() && method != "get" {
        add(
            responses,
            "403",
            "Refused: a change sent with the session cookie from another site",
        );
    }
    if takes_body {
        add(responses, "400", "The body is malformed");
        add(responses, "413", "The body is larger than the limit");
    }
    add(
        responses,
        "503",
        "The database is unreachable, or the request ran out of time",
    );
}

/// The document as served at `/v1/openapi.json`: generated from the handlers, completed, and
/// versioned. Maps are ordered, so it is byte-for-byte the same on every start.
pub fn document(openapi: utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(openapi).unwrap_or_default();
    doc["info"]["version"] = json!(VERSION);
    if let Some(paths) = doc["paths"].as_object_mut() {
        for item in paths.values_mut() {
            for method in METHODS {
                if let Some(operation) = item.get_mut(*method) {
                    complete(method, operation);
                }
            }
        }
    }
    doc
}

/// Who may call each route: (method, path template) → least role.
#[derive(Clone, Default)]
pub struct RoleTable(Arc<HashMap<(Method, String), Role>>);

impl RoleTable {
    pub fn from_document(doc: &Value) -> RoleTable {
        let mut table = HashMap::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for method in METHODS {
                if let Some(role) = item.get(*method).and_then(required_role)
                    && let Ok(m) = method.to_uppercase().parse::<Method>()
                {
                    table.insert((m, path.clone()), role);
                }
            }
        }
        RoleTable(Arc::new(table))
    }

    fn role_for(&self, method: &Method, path: &str) -> Option<Role> {
        self.0.get(&(method.clone(), path.to_owned())).copied()
    }
}

/// The role gate: a route that needs a role is answered 401 without a valid token and 403 when
/// the caller's role is below the document's scope, before its body is read. The caller found
/// is handed on, so handlers do not look the token up again.
pub async fn role_gate(
    State((state, table)): State<(AppState, RoleTable)>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(path) = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
    else {
        return next.run(request).await;
    };
    let Some(needed) = table.role_for(request.method(), &path) else {
        return next.run(request).await;
    };
    let (mut parts, body) = request.into_parts();
    let actor = match Caller::from_request_parts(&mut parts, &state).await {
        Ok(Caller(actor)) => actor,
        Err(refused) => return refused.into_response(),
    };
    if !actor.holds(needed) {
        let action = format!("{} {path}", parts.method);
        return ApiError(AppError::forbidden(action, needed.as_str())).into_response();
    }
    parts.extensions.insert(actor);
    request = Request::from_parts(parts, body);
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_versioned_stable_and_complete() {
        let first = document(super::super::routes().1);
        let second = document(super::super::routes().1);
        assert_eq!(
            serde_json::to_string(&first).unwrap(),
            serde_json::to_string(&second).unwrap()
        );
        assert_eq!(first["info"]["version"], VERSION);
        let create = &first["paths"]["/v1/incidents"]["post"];
        assert_eq!(required_role(create), Some(Role::Operator));
        for status in ["400", "401", "403", "413", "503"] {
            assert!(create["responses"][status].is_object(), "{status}");
        }
    }
}
