//! `/v1/incidents`: open incidents, find them, and act on them through one endpoint.

use super::error::ApiResult;
use super::extract::{ApiJson, ApiQuery, Caller, IdPath};
use app::domain::AppError;
use app::domain::error::ErrorBody;
use app::domain::incident::{
    Action, Incident, IncidentActionRequest, IncidentDetail, IncidentFilter, IncidentSource,
    IncidentStatus, Level, NewIncident,
};
use app::domain::list::{ListParams, Page};
use app::service::{incidents, workflow};
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct IncidentQuery {
    /// `mine` for incidents the caller owns that wait for them; `all` (default).
    tab: Option<String>,
    status: Option<IncidentStatus>,
    level: Option<Level>,
    application_id: Option<i64>,
    owner_id: Option<i64>,
    source: Option<IncidentSource>,
    /// Contained in the title (any case).
    q: Option<String>,
    /// Created at or after (RFC 3339).
    from: Option<DateTime<Utc>>,
    /// Created before (RFC 3339).
    to: Option<DateTime<Utc>>,
    page: Option<u32>,
    per_page: Option<u32>,
    /// Keyset cursor, instead of `page`: the rows that follow the row with this id in the
    /// sort order (a page's `next`).
    after: Option<i64>,
    /// Keyset cursor: the rows that precede the row with this id in the sort order (a page's
    /// `previous`).
    before: Option<i64>,
    /// `id` (default `-id`), `title`, `level`, `status`, `category`, `source`, `owner_id`,
    /// `created_at`, `updated_at`; `-` descends.
    sort: Option<String>,
}

/// List incidents.
#[utoipa::path(get, path = "/v1/incidents", tag = "incidents", params(IncidentQuery), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "A page of incidents", body = Page<Incident>),
        (status = 400, description = "A query parameter does not parse", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 422, description = "Bad tab, page or sort", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<IncidentQuery>,
) -> ApiResult<Json<Page<Incident>>> {
    let mine_pending_for = match q.tab.as_deref() {
        None | Some("all") => None,
        Some("mine") => Some(actor.id().ok_or(AppError::Unauthenticated)?),
        Some(other) => {
            return Err(
                AppError::invalid("tab", format!("'{other}' is neither mine nor all")).into(),
            );
        }
    };
    let filter = IncidentFilter {
        mine_pending_for,
        status: q.status,
        level: q.level,
        application_id: q.application_id,
        owner_id: q.owner_id,
        source: q.source,
        q: q.q,
        from: q.from,
        to: q.to,
    };
    let params = ListParams {
        page: q.page,
        per_page: q.per_page,
        sort: q.sort,
        after: q.after,
        before: q.before,
    };
    Ok(Json(
        incidents::list(&state, &actor, &filter, &params).await?,
    ))
}

/// Open an incident. `owner` is `{"user_id": …}` or `{"schedule_id": …, "role": "primary"}`
/// (whoever is on duty now).
#[utoipa::path(post, path = "/v1/incidents", tag = "incidents", request_body = NewIncident, security(("token" = ["operator"])),
    responses(
        (status = 201, description = "Opened, unaccepted", body = Incident),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not open incidents", body = ErrorBody),
        (status = 404, description = "No such schedule", body = ErrorBody),
        (status = 422, description = "A field breaks its rule, or nobody can own it", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(new): ApiJson<NewIncident>,
) -> ApiResult<(StatusCode, Json<Incident>)> {
    Ok((
        StatusCode::CREATED,
        Json(incidents::create(&state, &actor, new, IncidentSource::Api).await?),
    ))
}

/// An incident with its timeline and the actions the caller may take now.
#[utoipa::path(get, path = "/v1/incidents/{id}", tag = "incidents", params(("id" = i64, Path)), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The incident", body = IncidentDetail),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such incident", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<IncidentDetail>> {
    Ok(Json(incidents::get(&state, &actor, id).await?))
}

#[derive(Serialize, ToSchema)]
pub struct IncidentActions {
    /// What the caller may do now, in the order the console shows them.
    actions: Vec<Action>,
}

/// The actions the caller may take on the incident now.
#[utoipa::path(get, path = "/v1/incidents/{id}/actions", tag = "incidents", params(("id" = i64, Path)), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "Allowed actions", body = IncidentActions),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such incident", body = ErrorBody),
    ))]
pub async fn allowed(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<IncidentActions>> {
    Ok(Json(IncidentActions {
        actions: workflow::actions::<Incident>(&state, &actor, id).await?,
    }))
}

/// Take an action: `{"action": "accept", "params": {}, "version": 1}`. Any action the table
/// does not allow from the current state is a 409, as is a stale version (nothing changes).
#[utoipa::path(post, path = "/v1/incidents/{id}/actions", tag = "incidents", params(("id" = i64, Path)),
    request_body = IncidentActionRequest, security(("token" = ["operator"])),
    responses(
        (status = 200, description = "The incident after the action", body = Incident),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not the person this action belongs to", body = ErrorBody),
        (status = 404, description = "No such incident", body = ErrorBody),
        (status = 409, description = "Not allowed from the current state, or stale version", body = ErrorBody),
        (status = 422, description = "Bad parameters", body = ErrorBody),
    ))]
pub async fn act(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<IncidentActionRequest>,
) -> ApiResult<Json<Incident>> {
    Ok(Json(
        workflow::act::<Incident>(&state, &actor, id, request).await?,
    ))
}
