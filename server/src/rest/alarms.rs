//! `/v1/alarms`: the Active and History lists, one alarm with its timeline, clearing by hand
//! and converting alarms into an incident.

use super::error::ApiResult;
use super::extract::{ApiJson, ApiQuery, Caller, IdPath};
use app::domain::alarm::{
    Alarm, AlarmDetail, AlarmFilter, AlarmLevel, AlarmStatus, ClearAlarm, ConvertAlarms,
};
use app::domain::error::ErrorBody;
use app::domain::incident::Incident;
use app::domain::list::{ListParams, Page};
use app::service::alarms;
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct AlarmQuery {
    /// `active` (the Active tab) or `cleared` (History); both when absent.
    status: Option<AlarmStatus>,
    level: Option<AlarmLevel>,
    data_source_id: Option<i64>,
    application_id: Option<i64>,
    incident_id: Option<i64>,
    /// Contained in the name or the dedup key (any case).
    q: Option<String>,
    /// Last seen at or after (RFC 3339).
    from: Option<DateTime<Utc>>,
    /// First seen before (RFC 3339).
    to: Option<DateTime<Utc>>,
    page: Option<u32>,
    per_page: Option<u32>,
    /// Keyset cursor, instead of `page`: the rows that follow the row with this id in the
    /// sort order (a page's `next`).
    after: Option<i64>,
    /// Keyset cursor: the rows that precede the row with this id in the sort order (a page's
    /// `previous`).
    before: Option<i64>,
    /// `id` (default `-id`, the newest raised first), `last_seen`, `first_seen`,
    /// `level`, `count`, `name`; `-` descends.
    sort: Option<String>,
}

/// List alarms.
#[utoipa::path(get, path = "/v1/alarms", tag = "alarms", params(AlarmQuery), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "A page of alarms", body = Page<Alarm>),
        (status = 400, description = "A query parameter does not parse", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 422, description = "Bad page or sort", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<AlarmQuery>,
) -> ApiResult<Json<Page<Alarm>>> {
    let filter = AlarmFilter {
        status: q.status,
        level: q.level,
        data_source_id: q.data_source_id,
        application_id: q.application_id,
        incident_id: q.incident_id,
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
    Ok(Json(alarms::list(&state, &actor, &filter, &params).await?))
}

/// An alarm with its timeline.
#[utoipa::path(get, path = "/v1/alarms/{id}", tag = "alarms", params(("id" = i64, Path)), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The alarm", body = AlarmDetail),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such alarm", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<AlarmDetail>> {
    Ok(Json(alarms::get(&state, &actor, id).await?))
}

/// Clear an active alarm by hand (operators), saying whether the service was interrupted.
#[utoipa::path(post, path = "/v1/alarms/{id}/clear", tag = "alarms", params(("id" = i64, Path)),
    request_body = ClearAlarm, security(("token" = ["operator"])),
    responses(
        (status = 200, description = "Cleared", body = Alarm),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not clear alarms", body = ErrorBody),
        (status = 404, description = "No such alarm", body = ErrorBody),
        (status = 409, description = "Cleared already", body = ErrorBody),
        (status = 422, description = "Missing fault times or a remark over 100 characters", body = ErrorBody),
    ))]
pub async fn clear(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(id): IdPath,
    ApiJson(body): ApiJson<ClearAlarm>,
) -> ApiResult<Json<Alarm>> {
    Ok(Json(alarms::clear(&state, &actor, id, body).await?))
}

/// Turn one or several alarms into one new incident (operators); the alarms link to it.
#[utoipa::path(post, path = "/v1/alarms/convert", tag = "alarms", request_body = ConvertAlarms, security(("token" = ["operator"])),
    responses(
        (status = 201, description = "The new incident", body = Incident),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Viewers may not convert alarms", body = ErrorBody),
        (status = 409, description = "An alarm belongs to an incident already", body = ErrorBody),
        (status = 422, description = "No such alarm, owner or application", body = ErrorBody),
    ))]
pub async fn convert(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(body): ApiJson<ConvertAlarms>,
) -> ApiResult<(StatusCode, Json<Incident>)> {
    Ok((
        StatusCode::CREATED,
        Json(alarms::convert(&state, &actor, body).await?),
    ))
}
