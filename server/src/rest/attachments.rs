//! Files on incidents and problems: `POST /v1/{incidents|problems}/{id}/attachments?filename=`
//! with the file as the body, the list beside it, and `GET /v1/attachments/{id}` for the content.

use super::error::{ApiError, ApiResult};
use super::extract::{ApiQuery, Caller, IdPath};
use app::domain::AppError;
use app::domain::attachment::Attachment;
use app::domain::error::ErrorBody;
use app::domain::incident::Incident;
use app::domain::problem::Problem;
use app::service::attachments;
use app::service::workflow::Kept;
use app::state::AppState;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::TryStreamExt;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct UploadQuery {
    /// The file's name; its extension must agree with its content.
    filename: String,
}

async fn upload<K: Kept>(
    state: AppState,
    actor: app::service::Actor,
    id: i64,
    filename: &str,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    let file = body.map_err(|e| {
        ApiError(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge {
                limit_bytes: crate::limits::ATTACHMENT_LIMIT,
            }
        } else {
            AppError::malformed(e.body_text())
        })
    })?;
    Ok((
        StatusCode::CREATED,
        Json(attachments::add::<K>(&state, &actor, id, filename, &file).await?),
    ))
}

/// Attach a file to an incident (at most 10 files of at most 10 MB: JPG, PNG, PDF, TXT, DOCX,
/// judged by content).
#[utoipa::path(post, path = "/v1/incidents/{id}/attachments", tag = "attachments",
    params(("id" = i64, Path), UploadQuery), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    security(("token" = ["operator"])),
    responses(
        (status = 201, description = "Stored", body = Attachment),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not attach files", body = ErrorBody),
        (status = 404, description = "No such incident", body = ErrorBody),
        (status = 409, description = "Ten files already, or the ticket takes no more remarks", body = ErrorBody),
        (status = 413, description = "Larger than 10 MB", body = ErrorBody),
        (status = 422, description = "Empty, not an accepted kind, or a name that disagrees with the content", body = ErrorBody),
    ))]
pub async fn add_to_incident(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiQuery(q): ApiQuery<UploadQuery>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    upload::<Incident>(state, actor, id, &q.filename, body).await
}

/// An incident's files.
#[utoipa::path(get, path = "/v1/incidents/{id}/attachments", tag = "attachments", params(("id" = i64, Path)),
    security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "Its files", body = Vec<Attachment>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such incident", body = ErrorBody),
    ))]
pub async fn of_incident(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<Vec<Attachment>>> {
    Ok(Json(
        attachments::list::<Incident>(&state, &actor, id).await?,
    ))
}

/// Attach a file to a problem (same limits as incidents).
#[utoipa::path(post, path = "/v1/problems/{id}/attachments", tag = "attachments",
    params(("id" = i64, Path), UploadQuery), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    security(("token" = ["operator"])),
    responses(
        (status = 201, description = "Stored", body = Attachment),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not attach files", body = ErrorBody),
        (status = 404, description = "No such problem", body = ErrorBody),
        (status = 409, description = "Ten files already, or the ticket takes no more remarks", body = ErrorBody),
        (status = 413, description = "Larger than 10 MB", body = ErrorBody),
        (status = 422, description = "Empty, not an accepted kind, or a name that disagrees with the content", body = ErrorBody),
    ))]
pub async fn add_to_problem(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiQuery(q): ApiQuery<UploadQuery>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    upload::<Problem>(state, actor, id, &q.filename, body).await
}

/// A problem's files.
#[utoipa::path(get, path = "/v1/problems/{id}/attachments", tag = "attachments", params(("id" = i64, Path)),
    security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "Its files", body = Vec<Attachment>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such problem", body = ErrorBody),
    ))]
pub async fn of_problem(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<Vec<Attachment>>> {
    Ok(Json(
        attachments::list::<Problem>(&state, &actor, id).await?,
    ))
}

/// Download a file, with the type found in its content.
#[utoipa::path(get, path = "/v1/attachments/{id}", tag = "attachments", params(("id" = i64, Path)),
    security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The file's content, with the type it was judged to be", content_type = "*/*"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such file", body = ErrorBody),
    ))]
pub async fn download(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Response> {
    let (file, pieces) = attachments::download(&state, &actor, id).await?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        file.filename.replace(['"', '\\'], "_")
    );
    Ok((
        [
            (header::CONTENT_TYPE, file.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CONTENT_LENGTH, file.size_bytes.to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        Body::from_stream(pieces.map_ok(Bytes::from)),
    )
        .into_response())
}
