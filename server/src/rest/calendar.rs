//! The change calendar over REST: the changes of a span of days, and each person's iCalendar
//! feed (`.ics`) behind a token they can renew or revoke.

use super::error::ApiResult;
use super::extract::{ApiQuery, Caller};
use app::domain::AppError;
use app::domain::change::calendar::check_day;
use app::domain::change::{Change, ChangeFilter, ChangeStatus, RiskLevel};
use app::domain::error::ErrorBody;
use app::service::calendar;
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The longest span one request covers.
const SPAN_MAX_DAYS: i64 = 62;

#[derive(Deserialize, IntoParams)]
pub struct CalendarQuery {
    /// First day (UTC), `YYYY-MM-DD`.
    from: NaiveDate,
    /// Last day (UTC), included; at most 62 days after `from`.
    to: NaiveDate,
    status: Option<ChangeStatus>,
    level: Option<RiskLevel>,
    application_id: Option<i64>,
    implementer_id: Option<i64>,
}

/// The changes whose planned window touches the days `from` to `to`, by planned start (at most
/// 1,000).
#[utoipa::path(get, path = "/v1/changes/calendar", tag = "changes", params(CalendarQuery), security(("token" = ["viewer"])),
    responses(
        (status = 200, description = "The changes in the span", body = Vec<Change>),
        (status = 400, description = "A query parameter does not parse", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 422, description = "The span is backwards, longer than 62 days, or outside the years 1 to 9999", body = ErrorBody),
    ))]
pub async fn span(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<CalendarQuery>,
) -> ApiResult<Json<Vec<Change>>> {
    let from = check_day("from", q.from)?;
    let to = check_day("to", q.to)?;
    let days = (to - from).num_days();
    if !(0..=SPAN_MAX_DAYS).contains(&days) {
        return Err(AppError::invalid(
            "to",
            format!("must be on or after from, at most {SPAN_MAX_DAYS} days later"),
        )
        .into());
    }
    let filter = ChangeFilter {
        status: q.status,
        level: q.level,
        application_id: q.application_id,
        implementer_id: q.implementer_id,
        ..Default::default()
    };
    Ok(Json(
        calendar::changes(&state, &actor, &filter, from, to).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct FeedQuery {
    /// The feed token from `POST /v1/profile/calendar-feed`.
    token: String,
}

/// The change calendar as iCalendar, for a calendar program to subscribe to: every change
/// planned from 30 days ago to 180 days ahead. Authenticated by its token alone.
#[utoipa::path(get, path = "/v1/changes/calendar.ics", tag = "changes", params(FeedQuery),
    responses(
        (status = 200, description = "The feed", content_type = "text/calendar", body = String),
        (status = 400, description = "No token", body = ErrorBody),
        (status = 404, description = "No feed has this token (revoked, or never given)", body = ErrorBody),
    ))]
pub async fn feed(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<FeedQuery>,
) -> ApiResult<Response> {
    let body = calendar::feed(&state, &q.token).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        body,
    )
        .into_response())
}

/// A feed token, shown once.
#[derive(Serialize, ToSchema)]
pub struct FeedToken {
    pub token: String,
    /// The feed's address with the token, relative to the server.
    pub path: String,
}

/// Give the caller a new calendar feed token; the one they had stops working.
#[utoipa::path(post, path = "/v1/profile/calendar-feed", tag = "profile", security(("token" = ["viewer"])),
    responses(
        (status = 201, description = "The new token, shown once", body = FeedToken),
        (status = 401, description = "No valid token", body = ErrorBody),
    ))]
pub async fn renew(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<(StatusCode, Json<FeedToken>)> {
    let token = calendar::renew_feed(&state, &actor).await?;
    Ok((
        StatusCode::CREATED,
        Json(FeedToken {
            path: format!("/v1/changes/calendar.ics?token={token}"),
            token,
        }),
    ))
}

/// Revoke the caller's calendar feed token.
#[utoipa::path(delete, path = "/v1/profile/calendar-feed", tag = "profile", security(("token" = ["viewer"])),
    responses(
        (status = 204, description = "Revoked (or there was none)"),
        (status = 401, description = "No valid token", body = ErrorBody),
    ))]
pub async fn revoke(State(state): State<AppState>, Caller(actor): Caller) -> ApiResult<StatusCode> {
    calendar::revoke_feed(&state, &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}
