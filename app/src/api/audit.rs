//! The audit log page's data and the chain check.

use super::Listing;
#[cfg(feature = "ssr")]
use super::Stamped;
use crate::domain::AppError;
use crate::domain::audit::{AuditRecord, ChainReport};
use chrono::{DateTime, NaiveDateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::context;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditListing {
    pub listing: Listing<AuditRecord>,
    pub object_types: Vec<String>,
    pub actions: Vec<String>,
}

/// Reads a time filter as typed into the page: RFC 3339, or `datetime-local` in UTC.
pub fn parse_time(field: &str, value: Option<&str>) -> Result<Option<DateTime<Utc>>, AppError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(value, f).ok())
        .map(|t| Some(t.and_utc()))
        .ok_or_else(|| {
            AppError::invalid(
                field,
                "must be a time like 2026-11-28T10:00 (UTC) or RFC 3339",
            )
        })
}

#[server(endpoint = "audit/list")]
pub async fn list_audit(
    actor: Option<String>,
    object_type: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
) -> Result<AuditListing, AppError> {
    use crate::domain::audit::AuditFilter;
    use crate::domain::list::ListParams;
    let (state, caller) = context().await?;
    let nonblank = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let filter = AuditFilter {
        actor: nonblank(actor),
        object_type: nonblank(object_type),
        action: nonblank(action),
        from: parse_time("from", from.as_deref())?,
        to: parse_time("to", to.as_deref())?,
    };
    let params = ListParams {
        after,
        before,
        per_page: Some(50),
        sort: None,
        ..Default::default()
    };
    let data = crate::service::audit::list(&state, &caller, &filter, &params).await?;
    let (object_types, actions) = crate::service::audit::vocabulary(&state, &caller).await?;
    Ok(AuditListing {
        listing: Stamped {
            data,
            now: state.now(),
        },
        object_types,
        actions,
    })
}

#[server(endpoint = "audit/verify")]
pub async fn verify_audit() -> Result<ChainReport, AppError> {
    let (state, caller) = context().await?;
    crate::service::audit::verify(&state, &caller).await
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn time_filters() {
        assert_eq!(parse_time("from", Some("")).unwrap(), None);
        let t = parse_time("from", Some("2026-11-28T10:00"))
            .unwrap()
            .unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-28T10:00:00+00:00");
        let t = parse_time("to", Some("2026-11-28T12:00:00+02:00"))
            .unwrap()
            .unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-28T10:00:00+00:00");
        assert_eq!(
            parse_time("to", Some("yesterday")).unwrap_err().field(),
            Some("to")
        );
    }
}
