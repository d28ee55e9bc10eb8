//! `/v1/audit-logs`: the audit log and its chain check.

use super::error::ApiResult;
use super::extract::{ApiQuery, Caller};
use app::api::audit::parse_time;
use app::domain::audit::{AuditFilter, AuditRecord, ChainReport};
use app::domain::error::ErrorBody;
use app::domain::list::{ListParams, Page};
use app::service::audit;
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct AuditQuery {
    /// Username of the actor (exact).
    actor: Option<String>,
    /// e.g. `user`, `session`, `api_token`.
    object_type: Option<String>,
    /// e.g. `create`, `update`, `deactivate`, `login_failed`.
    action: Option<String>,
    /// Inclusive lower bound, RFC 3339.
    from: Option<String>,
    /// Exclusive upper bound, RFC 3339.
    to: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
    /// Keyset cursor, instead of `page`: the rows that follow the row with this id in the
    /// sort order (a page's `next`).
    after: Option<i64>,
    /// Keyset cursor: the rows that precede the row with this id in the sort order (a page's
    /// `previous`).
    before: Option<i64>,
    /// `id`, `at`, `actor_name`, `object_type` or `action`; `-` descends (default `-id`).
    sort: Option<String>,
}

/// List audit records, newest first.
#[utoipa::path(get, path = "/v1/audit-logs", tag = "audit", params(AuditQuery), security(("token" = ["admin"])),
    responses(
        (status = 200, description = "A page of records", body = Page<AuditRecord>),
        (status = 400, description = "A query parameter does not parse", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 422, description = "Bad time, page or sort", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Page<AuditRecord>>> {
    let filter = AuditFilter {
        actor: q.actor,
        object_type: q.object_type,
        action: q.action,
        from: parse_time("from", q.from.as_deref())?,
        to: parse_time("to", q.to.as_deref())?,
    };
    let params = ListParams {
        page: q.page,
        per_page: q.per_page,
        sort: q.sort,
        after: q.after,
        before: q.before,
    };
    Ok(Json(audit::list(&state, &actor, &filter, &params).await?))
}

/// Re-compute the hash chain from the first record and report the first break.
#[utoipa::path(get, path = "/v1/audit-logs/verify", tag = "audit", security(("token" = ["admin"])),
    responses(
        (status = 200, description = "`{ok: true, rows}` or the first broken row", body = ChainReport),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
    ))]
pub async fn verify(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<Json<ChainReport>> {
    Ok(Json(audit::verify(&state, &actor).await?))
}
