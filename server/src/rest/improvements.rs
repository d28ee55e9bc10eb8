//! `/v1/improvements`: improvement tickets and their workflow, through one action endpoint.

use super::error::ApiResult;
use super::extract::{ApiJson, ApiQuery, Caller, IdPath};
use app::domain::error::ErrorBody;
use app::domain::improvement::{
    Improvement, ImprovementAction, ImprovementActionRequest, ImprovementDetail, ImprovementFilter,
    ImprovementSource, ImprovementStatus, NewImprovement,
};
use app::domain::list::{ListParams, Page};
use app::service::{improvements, workflow};
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct ImprovementQuery {
    status: Option<ImprovementStatus>,
    owner_id: Option<i64>,
    source: Option<ImprovementSource>,
    source_id: Option<i64>,
    /// `true` for only those past their due date and not closed.
    overdue: Option<bool>,
    page: Option<u32>,
    per_page: Option<u32>,
    /// Keyset cursor, instead of `page`: the rows that follow the row with this id in the
    /// sort order (a page's `next`).
    after: Option<i64>,
    /// Keyset cursor: the rows that precede the row with this id in the sort order (a page's
    /// `previous`).
    before: Option<i64>,
    /// `id` (default `-id`), `title`, `status`, `owner_id`, `due_on`, `created_at`.
    sort: Option<String>,
}

/// List improvement tickets.
#[utoipa::path(get, path = "/v1/improvements", tag = "improvements", params(ImprovementQuery), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "A page of improvements", body = Page<Improvement>),
        (status = 400, description = "A query parameter does not parse", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 422, description = "Bad page or sort", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<ImprovementQuery>,
) -> ApiResult<Json<Page<Improvement>>> {
    let filter = ImprovementFilter {
        status: q.status,
        owner_id: q.owner_id,
        source: q.source,
        source_id: q.source_id,
        overdue_on: q.overdue.unwrap_or(false).then(|| state.now().date_naive()),
    };
    let params = ListParams {
        page: q.page,
        per_page: q.per_page,
        sort: q.sort,
        after: q.after,
        before: q.before,
    };
    Ok(Json(
        improvements::list(&state, &actor, &filter, &params).await?,
    ))
}

/// Open an improvement ticket. `owner` is `{"user_id": …}` or `{"schedule_id": …, "role": …}`.
#[utoipa::path(post, path = "/v1/improvements", tag = "improvements", request_body = NewImprovement, security(("token" = ["operator"])),
    responses(
        (status = 201, description = "Opened, pending", body = Improvement),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not open improvements", body = ErrorBody),
        (status = 422, description = "A field breaks its rule", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(new): ApiJson<NewImprovement>,
) -> ApiResult<(StatusCode, Json<Improvement>)> {
    Ok((
        StatusCode::CREATED,
        Json(improvements::create(&state, &actor, new).await?),
    ))
}

/// An improvement with its timeline and the actions the caller may take now.
#[utoipa::path(get, path = "/v1/improvements/{id}", tag = "improvements", params(("id" = i64, Path)), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The improvement", body = ImprovementDetail),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such improvement", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<ImprovementDetail>> {
    Ok(Json(improvements::get(&state, &actor, id).await?))
}

#[derive(Serialize, ToSchema)]
pub struct ImprovementActions {
    actions: Vec<ImprovementAction>,
}

/// The actions the caller may take on the improvement now.
#[utoipa::path(get, path = "/v1/improvements/{id}/actions", tag = "improvements", params(("id" = i64, Path)), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "Allowed actions", body = ImprovementActions),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such improvement", body = ErrorBody),
    ))]
pub async fn allowed(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<ImprovementActions>> {
    Ok(Json(ImprovementActions {
        actions: workflow::actions::<Improvement>(&state, &actor, id).await?,
    }))
}

/// Take an action; any other than the table allows is a 409, as is a stale version.
#[utoipa::path(post, path = "/v1/improvements/{id}/actions", tag = "improvements", params(("id" = i64, Path)),
    request_body = ImprovementActionRequest, security(("token" = ["operator"])),
    responses(
        (status = 200, description = "The improvement after the action", body = Improvement),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not the person this action belongs to", body = ErrorBody),
        (status = 404, description = "No such improvement", body = ErrorBody),
        (status = 409, description = "Not allowed from the current state, or stale version", body = ErrorBody),
        (status = 422, description = "Bad parameters", body = ErrorBody),
    ))]
pub async fn act(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<ImprovementActionRequest>,
) -> ApiResult<Json<Improvement>> {
    Ok(Json(
        workflow::act::<Improvement>(&state, &actor, id, request).await?,
    ))
}
