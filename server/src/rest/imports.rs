//! `/v1/resources/import`: bulk import of resources from CSV or JSON, and its reports.

use super::error::{ApiError, ApiResult};
use super::extract::{ApiQuery, Caller, IdPath};
use app::domain::AppError;
use app::domain::error::ErrorBody;
use app::domain::import::{ImportMode, ImportReport, RowOutcome};
use app::domain::list::ListParams;
use app::service::imports;
use app::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct ImportQuery {
    /// `valid_only` (default): write the valid rows and report the others;
    /// `all_or_nothing`: write nothing if any row is rejected.
    mode: Option<ImportMode>,
}

/// Import resources from a file.
///
/// The body is the file itself: CSV with a header line (columns `id`, `name`, `type`,
/// `provider`, `region`, `zone`, `private_ip`, `public_ip`, `os`, `cpu_cores`, `memory_gib`,
/// `disk_gib`, `status`, `agent_state`, `tags` as `k=v;k=v`; `name`, `type` and `provider`
/// required), or a JSON array of resources as `POST /v1/resources` takes them (with an optional
/// `id`). A row updates the resource with its `id`, or the one with the same name, provider and
/// region, and creates one otherwise. The answer carries the counts and the first 100 rejected
/// rows (as `GET /v1/resources/imports/{id}?outcome=rejected&per_page=100` pages them); the
/// whole per-row report is paged from there. A file that cannot be read at all is a 422 and
/// changes nothing.
#[utoipa::path(post, path = "/v1/resources/import", tag = "resources", params(ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "A CSV or JSON file"),
    security(("token" = ["operator"])),
    responses(
        (status = 200, description = "The counts and the first rejected rows; `applied` is false when nothing was written", body = ImportReport),
        (status = 400, description = "A query parameter does not parse", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not import", body = ErrorBody),
        (status = 409, description = "Someone else took one of the names meanwhile", body = ErrorBody),
        (status = 413, description = "The file is larger than the import limit", body = ErrorBody),
        (status = 422, description = "The file cannot be read (encoding, header, no rows)", body = ErrorBody),
    ))]
pub async fn import(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<ImportReport>> {
    let file = body.map_err(|e| {
        ApiError(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge {
                limit_bytes: state.settings.import_limit_bytes,
            }
        } else {
            AppError::malformed(e.body_text())
        })
    })?;
    let mode = q.mode.unwrap_or(ImportMode::ValidOnly);
    Ok(Json(imports::import(&state, &actor, &file, mode).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct ReportQuery {
    /// Only the rows with this outcome.
    outcome: Option<RowOutcome>,
    page: Option<u32>,
    /// 1–200 (default 20).
    per_page: Option<u32>,
    /// Keyset cursor, instead of `page`: the rows after this line (a page's `next`).
    after: Option<i64>,
    /// Keyset cursor: the rows before this line (a page's `previous`).
    before: Option<i64>,
}

/// Read an earlier import: its counts and one page of its per-row report, in file order.
#[utoipa::path(get, path = "/v1/resources/imports/{id}", tag = "resources",
    params(("id" = i64, Path), ReportQuery),
    security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The counts and a page of rows", body = ImportReport),
        (status = 400, description = "A query parameter does not parse", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such import", body = ErrorBody),
        (status = 422, description = "Bad page or per_page", body = ErrorBody),
    ))]
pub async fn report(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Json<ImportReport>> {
    let params = ListParams {
        page: q.page,
        per_page: q.per_page,
        sort: None,
        after: q.after,
        before: q.before,
    };
    Ok(Json(
        imports::get(&state, &actor, id, q.outcome, &params).await?,
    ))
}
