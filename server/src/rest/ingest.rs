//! `POST /v1/events/{kind}/{key}`: where monitoring systems push. The key alone authorizes;
//! the answer (202) comes only after the events are committed.

use super::error::{ApiError, ApiResult};
use app::domain::AppError;
use app::domain::alarm::{
    AlarmLevel, BATCH_MAX, EventStatus, Ingested, LABEL_MAX, LABELS_MAX, NAME_MAX, URL_MAX,
};
use app::domain::data_source::DataSourceKind;
use app::domain::error::ErrorBody;
use app::service::alarms;
use app::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::json;

/// The generic format, as `app::domain::payload` reads it: one event, or an array of up to
/// 1000. Unknown fields are ignored.
pub struct GenericBody;

impl utoipa::PartialSchema for GenericBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let event = json!({
            "type": "object",
            "description": "One event. A `status: ok` needs only its `dedup_key`.",
            "required": ["dedup_key"],
            "properties": {
                "dedup_key": {"type": "string", "minLength": 1, "maxLength": LABEL_MAX},
                "name": {"type": "string", "minLength": 1, "maxLength": NAME_MAX,
                         "description": "Required unless `status` is `ok`"},
                "level": {"type": "string", "enum": AlarmLevel::ALL.iter().map(|l| l.as_str()).collect::<Vec<_>>()},
                "status": {"type": "string", "enum": EventStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                           "default": "alarm"},
                "time": {"description": "RFC 3339 or epoch milliseconds; default now",
                         "oneOf": [{"type": "string", "format": "date-time"}, {"type": "integer"}]},
                "description": {"type": "string", "description": "Cut to 1000 characters"},
                "resource": {"description": "A resource's id, name or private address",
                             "oneOf": [{"type": "string"}, {"type": "integer"}]},
                "application": {"description": "An application's id or name",
                                "oneOf": [{"type": "string"}, {"type": "integer"}]},
                "labels": {"type": "object", "maxProperties": LABELS_MAX,
                           "additionalProperties": {"type": ["string", "number", "boolean"]}},
                "url": {"type": "string", "maxLength": URL_MAX,
                        "description": "Kept only when it is an http or https link"},
            },
        });
        let body = json!({
            "oneOf": [event.clone(), {"type": "array", "items": event, "maxItems": BATCH_MAX}],
        });
        serde_json::from_value(body)
            .unwrap_or_else(|_| utoipa::openapi::schema::Object::new().into())
    }
}

impl utoipa::ToSchema for GenericBody {}

async fn push(
    state: AppState,
    kind: DataSourceKind,
    key: &str,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<Ingested>)> {
    let body = body.map_err(|e| {
        ApiError(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge {
                limit_bytes: state.settings.body_limit_bytes,
            }
        } else {
            AppError::malformed(e.body_text())
        })
    })?;
    Ok((
        StatusCode::ACCEPTED,
        Json(alarms::ingest(&state, kind, key, &body).await?),
    ))
}

/// Prometheus Alertmanager's webhook body (version 4), as Alertmanager sends it: each alert is
/// an event; `firing` raises, `resolved` clears. The key is the data source's integration key.
#[utoipa::path(post, path = "/v1/events/alertmanager/{key}", tag = "events",
    params(("key" = String, Path, description = "The data source's integration key")),
    request_body(content = Object, description = "Alertmanager webhook body"),
    responses(
        (status = 202, description = "Committed: each event's alarm", body = Ingested),
        (status = 400, description = "Not JSON", body = ErrorBody),
        (status = 404, description = "No enabled Alertmanager source has this key", body = ErrorBody),
        (status = 413, description = "Larger than 1 MiB", body = ErrorBody),
        (status = 422, description = "A value breaks the format (the path names it)", body = ErrorBody),
    ))]
pub async fn alertmanager(
    State(state): State<AppState>,
    Path(key): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<Ingested>)> {
    push(state, DataSourceKind::Alertmanager, &key, body).await
}

/// Grafana's unified-alerting webhook body.
#[utoipa::path(post, path = "/v1/events/grafana/{key}", tag = "events",
    params(("key" = String, Path, description = "The data source's integration key")),
    request_body(content = Object, description = "Grafana webhook body"),
    responses(
        (status = 202, description = "Committed: each event's alarm", body = Ingested),
        (status = 400, description = "Not JSON", body = ErrorBody),
        (status = 404, description = "No enabled Grafana source has this key", body = ErrorBody),
        (status = 413, description = "Larger than 1 MiB", body = ErrorBody),
        (status = 422, description = "A value breaks the format (the path names it)", body = ErrorBody),
    ))]
pub async fn grafana(
    State(state): State<AppState>,
    Path(key): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<Ingested>)> {
    push(state, DataSourceKind::Grafana, &key, body).await
}

/// Our generic JSON: one event or an array of up to 1000, each `{dedup_key (1–255), name
/// (1–255), level (critical|major|minor|info), status (alarm|ok, default alarm), time (RFC 3339
/// or epoch ms, default now), description (≤1000), resource (id or name), application (id or
/// name), labels (object), url}`. `name` and `level` may be left out of an `ok`.
#[utoipa::path(post, path = "/v1/events/generic/{key}", tag = "events",
    params(("key" = String, Path, description = "The data source's integration key")),
    request_body(content = GenericBody, description = "One event or an array of up to 1000"),
    responses(
        (status = 202, description = "Committed: each event's alarm", body = Ingested),
        (status = 400, description = "Not JSON", body = ErrorBody),
        (status = 404, description = "No enabled generic source has this key", body = ErrorBody),
        (status = 413, description = "Larger than 1 MiB", body = ErrorBody),
        (status = 422, description = "A value breaks the format (the path names it)", body = ErrorBody),
    ))]
pub async fn generic(
    State(state): State<AppState>,
    Path(key): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<Ingested>)> {
    push(state, DataSourceKind::Generic, &key, body).await
}
