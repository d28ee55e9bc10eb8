//! The OpenAPI document as a contract: every `/v1` exchange the integration suite makes is
//! checked against it by a layer in front of the test server. An answer whose status the
//! operation does not document, a JSON body (or server-sent event) its schema refuses, or an
//! accepted request body the document would refuse, is a violation; the test fails when its
//! server is dropped.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use futures::StreamExt;
use http_body_util::BodyExt;
use jsonschema::Validator;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The document, its operations, compiled schemas and what was found wrong.
pub struct Contract {
    document: Value,
    operations: Vec<Operation>,
    validators: Mutex<HashMap<String, Arc<Validator>>>,
    violations: Mutex<Vec<String>>,
}

struct Operation {
    method: Method,
    template: String,
    segments: Vec<Segment>,
}

enum Segment {
    Literal(String),
    Parameter,
}

/// JSON pointer escaping of one reference token.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn media_type(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or("")
        .trim()
        .to_owned()
}

impl Contract {
    pub fn new(document: Value) -> Arc<Contract> {
        let mut operations = Vec::new();
        for (template, item) in document["paths"].as_object().into_iter().flatten() {
            for method in ["get", "put", "post", "delete", "patch"] {
                if item.get(method).is_none() {
                    continue;
                }
                operations.push(Operation {
                    method: method.to_uppercase().parse().unwrap(),
                    template: template.clone(),
                    segments: template
                        .split('/')
                        .map(|s| {
                            if s.starts_with('{') {
                                Segment::Parameter
                            } else {
                                Segment::Literal(s.to_owned())
                            }
                        })
                        .collect(),
                });
            }
        }
        Arc::new(Contract {
            document,
            operations,
            validators: Mutex::default(),
            violations: Mutex::default(),
        })
    }

    /// The documented operation a request is for: the one whose template matches with the most
    /// literal segments (`/v1/resources/import` before `/v1/resources/{id}`).
    fn operation(&self, method: &Method, path: &str) -> Option<&Operation> {
        let parts: Vec<&str> = path.split('/').collect();
        self.operations
            .iter()
            .filter(|o| o.method == method && o.segments.len() == parts.len())
            .filter(|o| {
                o.segments.iter().zip(&parts).all(|(s, p)| match s {
                    Segment::Literal(l) => l == p,
                    Segment::Parameter => !p.is_empty(),
                })
            })
            .max_by_key(|o| {
                o.segments
                    .iter()
                    .filter(|s| matches!(s, Segment::Literal(_)))
                    .count()
            })
    }

    fn pointer(operation: &Operation) -> String {
        format!(
            "/paths/{}/{}",
            escape(&operation.template),
            operation.method.as_str().to_lowercase()
        )
    }

    /// A validator for the schema at `pointer`, compiled against the whole document so its
    /// `$ref`s into `components` resolve.
    fn validator(&self, pointer: &str) -> Arc<Validator> {
        let mut cache = self.validators.lock().unwrap_or_else(|p| p.into_inner());
        cache
            .entry(pointer.to_owned())
            .or_insert_with(|| {
                let mut root = self.document.clone();
                // A pointer in a URI fragment: braces must be percent-encoded.
                let fragment = pointer.replace('{', "%7B").replace('}', "%7D");
                root["$ref"] = json!(format!("#{fragment}"));
                Arc::new(
                    jsonschema::draft202012::options()
                        .should_validate_formats(true)
                        .should_ignore_unknown_formats(true)
                        .build(&root)
                        .unwrap_or_else(|e| {
                            panic!("the schema at {pointer} does not compile: {e}")
                        }),
                )
            })
            .clone()
    }

    fn check(&self, pointer: &str, instance: &Value, what: &str) {
        let errors: Vec<String> = self
            .validator(pointer)
            .iter_errors(instance)
            .map(|e| format!("{} at '{}'", e, e.instance_path()))
            .collect();
        if !errors.is_empty() {
            self.violate(format!(
                "{what}: {} — body: {}",
                errors.join("; "),
                shorten(&instance.to_string())
            ));
        }
    }

    fn violate(&self, violation: String) {
        self.violations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(violation);
    }

    pub fn violations(&self) -> Vec<String> {
        self.violations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

fn shorten(text: &str) -> String {
    if text.len() > 600 {
        let cut = (0..=600)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        format!("{}…", &text[..cut])
    } else {
        text.to_owned()
    }
}

/// The layer: passes every exchange through and records what breaks the document.
pub async fn check(
    State(contract): State<Arc<Contract>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let Some(operation) = contract.operation(&method, &path) else {
        return next.run(request).await;
    };
    let what = format!("{method} {path} (documented as {})", operation.template);
    let op_pointer = Contract::pointer(operation);
    let request_type = media_type(request.headers());
    let (parts, body) = request.into_parts();
    let request_body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let response = next
        .run(Request::from_parts(parts, Body::from(request_body.clone())))
        .await;
    let status = response.status();
    let op = contract
        .document
        .pointer(&op_pointer)
        .cloned()
        .unwrap_or(Value::Null);
    if status.is_success()
        && request_type == "application/json"
        && op
            .pointer("/requestBody/content/application~1json")
            .is_some()
        && let Ok(sent) = serde_json::from_slice::<Value>(&request_body)
    {
        contract.check(
            &format!("{op_pointer}/requestBody/content/application~1json/schema"),
            &sent,
            &format!("{what}: request body accepted with {status}"),
        );
    }
    let code = status.as_str().to_owned();
    let Some(documented) = op.pointer(&format!("/responses/{code}")) else {
        contract.violate(format!("{what}: status {status} is not documented"));
        return response;
    };
    let answered_type = media_type(response.headers());
    let content = documented.get("content").and_then(Value::as_object);
    let family = format!("{}/*", answered_type.split('/').next().unwrap_or(""));
    let declared = content.is_some_and(|c| {
        [answered_type.as_str(), family.as_str(), "*/*"]
            .iter()
            .any(|t| c.contains_key(*t))
    });
    let has_body = !answered_type.is_empty();
    if has_body && !declared {
        contract.violate(format!(
            "{what}: {status} answered {answered_type}, documented {:?}",
            content.map(|c| c.keys().collect::<Vec<_>>())
        ));
        return response;
    }
    if !has_body && content.is_some_and(|c| !c.is_empty()) && status.as_u16() != 304 {
        contract.violate(format!(
            "{what}: {status} answered no body, but one is documented"
        ));
    }
    let schema = format!(
        "{op_pointer}/responses/{code}/content/{}/schema",
        escape(&answered_type)
    );
    match answered_type.as_str() {
        "application/json" => {
            let (parts, body) = response.into_parts();
            let bytes = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(value) => contract.check(&schema, &value, &format!("{what}: {status}")),
                Err(e) => contract.violate(format!("{what}: {status} is not JSON: {e}")),
            }
            Response::from_parts(parts, Body::from(bytes))
        }
        "text/event-stream" => {
            let (parts, body) = response.into_parts();
            Response::from_parts(
                parts,
                Body::from_stream(events(body, contract, schema, what)),
            )
        }
        _ => response,
    }
}

/// Passes an event stream through, checking each event as `{"event": name, "data": json}`.
fn events(
    body: Body,
    contract: Arc<Contract>,
    schema: String,
    what: String,
) -> impl futures::Stream<Item = Result<Bytes, axum::Error>> {
    let mut pending = String::new();
    body.into_data_stream().map(move |chunk| {
        if let Ok(bytes) = &chunk {
            pending.push_str(&String::from_utf8_lossy(bytes));
            while let Some(end) = pending.find("\n\n") {
                let frame: String = pending.drain(..end + 2).collect();
                let mut event = None;
                let mut data = String::new();
                for line in frame.lines() {
                    if let Some(name) = line.strip_prefix("event:") {
                        event = Some(name.trim().to_owned());
                    } else if let Some(d) = line.strip_prefix("data:") {
                        data.push_str(d.trim_start());
                    }
                }
                let Some(event) = event else { continue };
                match serde_json::from_str::<Value>(&data) {
                    Ok(data) => contract.check(
                        &schema,
                        &json!({"event": event, "data": data}),
                        &format!("{what}: event"),
                    ),
                    Err(e) => contract.violate(format!("{what}: event data is not JSON: {e}")),
                }
            }
        }
        chunk
    })
}
