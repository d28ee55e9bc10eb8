//! `/v1/changes`: change tickets and their workflow, through one action endpoint.

use super::error::ApiResult;
use super::extract::{ApiJson, ApiQuery, Caller, IdPath};
use app::domain::change::{
    Change, ChangeAction, ChangeActionRequest, ChangeDetail, ChangeFilter, ChangeStatus,
    ChangeType, FailureRate, NewChange, RiskLevel,
};
use app::domain::error::ErrorBody;
use app::domain::list::{ListParams, Page};
use app::service::{changes, workflow};
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct ChangeQuery {
    status: Option<ChangeStatus>,
    change_type: Option<ChangeType>,
    level: Option<RiskLevel>,
    application_id: Option<i64>,
    implementer_id: Option<i64>,
    /// Changes whose review waits on this user's approval now.
    awaiting: Option<i64>,
    /// Title contains (any case).
    q: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
    /// Keyset cursor, instead of `page`: the rows that follow the row with this id in the
    /// sort order (a page's `next`).
    after: Option<i64>,
    /// Keyset cursor: the rows that precede the row with this id in the sort order (a page's
    /// `previous`).
    before: Option<i64>,
    /// `id` (default `-id`), `title`, `level`, `status`, `planned_start`, `implementer_id`,
    /// `created_at`.
    sort: Option<String>,
}

/// List change tickets.
#[utoipa::path(get, path = "/v1/changes", tag = "changes", params(ChangeQuery), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "A page of changes", body = Page<Change>),
        (status = 400, description = "A query parameter does not parse", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 422, description = "Bad page or sort", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<ChangeQuery>,
) -> ApiResult<Json<Page<Change>>> {
    let filter = ChangeFilter {
        status: q.status,
        change_type: q.change_type,
        level: q.level,
        application_id: q.application_id,
        implementer_id: q.implementer_id,
        awaiting: q.awaiting,
        q: q.q.filter(|t| !t.trim().is_empty()),
    };
    let params = ListParams {
        page: q.page,
        per_page: q.per_page,
        sort: q.sort,
        after: q.after,
        before: q.before,
    };
    Ok(Json(changes::list(&state, &actor, &filter, &params).await?))
}

/// Plan a change, in draft. `implementer` is `{"user_id": …}` or `{"schedule_id": …, "role": …}`
/// (whoever is on duty now); times are RFC 3339.
#[utoipa::path(post, path = "/v1/changes", tag = "changes", request_body = NewChange, security(("token" = ["operator"])),
    responses(
        (status = 201, description = "Planned, in draft", body = Change),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not plan changes", body = ErrorBody),
        (status = 422, description = "A field breaks its rule, or names nothing", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(new): ApiJson<NewChange>,
) -> ApiResult<(StatusCode, Json<Change>)> {
    Ok((
        StatusCode::CREATED,
        Json(changes::create(&state, &actor, new).await?),
    ))
}

/// A change with its timeline and the actions the caller may take now.
#[utoipa::path(get, path = "/v1/changes/{id}", tag = "changes", params(("id" = i64, Path)), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The change", body = ChangeDetail),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such change", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<ChangeDetail>> {
    Ok(Json(changes::get(&state, &actor, id).await?))
}

/// Per application, the changes started in the last 30 days and how many failed: a failed or
/// rolled-back result, or an incident on the application that opened while it ran or within
/// the suspect window after it.
#[utoipa::path(get, path = "/v1/changes/failure-rates", tag = "changes", security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "One row per application with changes", body = Vec<FailureRate>),
        (status = 401, description = "No valid token", body = ErrorBody),
    ))]
pub async fn failure_rates(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<Json<Vec<FailureRate>>> {
    Ok(Json(changes::failure_rates(&state, &actor).await?))
}

#[derive(Serialize, ToSchema)]
pub struct ChangeActions {
    actions: Vec<ChangeAction>,
}

/// The actions the caller may take on the change now.
#[utoipa::path(get, path = "/v1/changes/{id}/actions", tag = "changes", params(("id" = i64, Path)), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "Allowed actions", body = ChangeActions),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such change", body = ErrorBody),
    ))]
pub async fn allowed(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<ChangeActions>> {
    Ok(Json(ChangeActions {
        actions: workflow::actions::<Change>(&state, &actor, id).await?,
    }))
}

/// Take an action; any other than the table allows is a 409 naming why (the state, or a start
/// outside the window), a 403 naming who may, as is a stale version a 409.
#[utoipa::path(post, path = "/v1/changes/{id}/actions", tag = "changes", params(("id" = i64, Path)),
    request_body = ChangeActionRequest, security(("token" = ["operator"])),
    responses(
        (status = 200, description = "The change after the action", body = Change),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not the person this action belongs to", body = ErrorBody),
        (status = 404, description = "No such change", body = ErrorBody),
        (status = 409, description = "Not allowed from the current state or time, or stale version", body = ErrorBody),
        (status = 422, description = "Bad parameters", body = ErrorBody),
    ))]
pub async fn act(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<ChangeActionRequest>,
) -> ApiResult<Json<Change>> {
    Ok(Json(
        workflow::act::<Change>(&state, &actor, id, request).await?,
    ))
}
