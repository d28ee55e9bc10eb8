//! `/v1/problems`: problems (root causes) and their workflow, through one action endpoint.

use super::error::ApiResult;
use super::extract::{ApiJson, ApiQuery, Caller, IdPath};
use app::domain::error::ErrorBody;
use app::domain::list::{ListParams, Page};
use app::domain::problem::{
    NewProblem, Problem, ProblemAction, ProblemActionRequest, ProblemDetail, ProblemFilter,
    ProblemLevel, ProblemSource, ProblemStatus,
};
use app::service::{problems, workflow};
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct ProblemQuery {
    status: Option<ProblemStatus>,
    owner_id: Option<i64>,
    source: Option<ProblemSource>,
    source_id: Option<i64>,
    level: Option<ProblemLevel>,
    page: Option<u32>,
    per_page: Option<u32>,
    /// Keyset cursor, instead of `page`: the rows that follow the row with this id in the
    /// sort order (a page's `next`).
    after: Option<i64>,
    /// Keyset cursor: the rows that precede the row with this id in the sort order (a page's
    /// `previous`).
    before: Option<i64>,
    /// `id` (default `-id`), `title`, `level`, `status`, `owner_id`, `resolve_due_at`,
    /// `created_at`.
    sort: Option<String>,
}

/// List problem tickets.
#[utoipa::path(get, path = "/v1/problems", tag = "problems", params(ProblemQuery), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "A page of problems", body = Page<Problem>),
        (status = 400, description = "A query parameter does not parse", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 422, description = "Bad page or sort", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<ProblemQuery>,
) -> ApiResult<Json<Page<Problem>>> {
    let filter = ProblemFilter {
        status: q.status,
        owner_id: q.owner_id,
        source: q.source,
        source_id: q.source_id,
        level: q.level,
    };
    let params = ListParams {
        page: q.page,
        per_page: q.per_page,
        sort: q.sort,
        after: q.after,
        before: q.before,
    };
    Ok(Json(
        problems::list(&state, &actor, &filter, &params).await?,
    ))
}

/// Open a problem ticket. `owner` is `{"user_id": …}` or `{"schedule_id": …, "role": …}`.
#[utoipa::path(post, path = "/v1/problems", tag = "problems", request_body = NewProblem, security(("token" = ["operator"])),
    responses(
        (status = 201, description = "Opened, unaccepted", body = Problem),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not open problems", body = ErrorBody),
        (status = 422, description = "A field breaks its rule", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(new): ApiJson<NewProblem>,
) -> ApiResult<(StatusCode, Json<Problem>)> {
    Ok((
        StatusCode::CREATED,
        Json(problems::create(&state, &actor, new).await?),
    ))
}

/// An problem with its timeline and the actions the caller may take now.
#[utoipa::path(get, path = "/v1/problems/{id}", tag = "problems", params(("id" = i64, Path)), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The problem", body = ProblemDetail),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such problem", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<ProblemDetail>> {
    Ok(Json(problems::get(&state, &actor, id).await?))
}

#[derive(Serialize, ToSchema)]
pub struct ProblemActions {
    actions: Vec<ProblemAction>,
}

/// The actions the caller may take on the problem now.
#[utoipa::path(get, path = "/v1/problems/{id}/actions", tag = "problems", params(("id" = i64, Path)), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "Allowed actions", body = ProblemActions),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such problem", body = ErrorBody),
    ))]
pub async fn allowed(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<ProblemActions>> {
    Ok(Json(ProblemActions {
        actions: workflow::actions::<Problem>(&state, &actor, id).await?,
    }))
}

/// Take an action; any other than the table allows is a 409, as is a stale version.
#[utoipa::path(post, path = "/v1/problems/{id}/actions", tag = "problems", params(("id" = i64, Path)),
    request_body = ProblemActionRequest, security(("token" = ["operator"])),
    responses(
        (status = 200, description = "The problem after the action", body = Problem),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not the person this action belongs to", body = ErrorBody),
        (status = 404, description = "No such problem", body = ErrorBody),
        (status = 409, description = "Not allowed from the current state, or stale version", body = ErrorBody),
        (status = 422, description = "Bad parameters", body = ErrorBody),
    ))]
pub async fn act(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<ProblemActionRequest>,
) -> ApiResult<Json<Problem>> {
    Ok(Json(
        workflow::act::<Problem>(&state, &actor, id, request).await?,
    ))
}
