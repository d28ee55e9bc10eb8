//! The alarm pages' data and forms: the Active/History lists, one alarm, clearing, and
//! converting picked alarms into an incident.

// A server function's arguments are its form's fields, one each.
#![allow(clippy::too_many_arguments)]

use super::{Listing, Stamped};
use crate::domain::AppError;
use crate::domain::alarm::{Alarm, AlarmDetail};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::context;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlarmListing {
    pub listing: Listing<Alarm>,
    /// (id, name) of every data source, for the filter.
    pub sources: Vec<(i64, String)>,
    pub applications: Vec<(i64, String)>,
    /// The caller may clear and convert alarms.
    pub can_work: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlarmPage {
    pub detail: Stamped<AlarmDetail>,
    pub can_work: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConvertChoices {
    pub alarms: Vec<Alarm>,
    /// (form value, label) of everyone the incident can go to.
    pub assignees: Vec<(String, String)>,
    pub applications: Vec<(i64, String)>,
}

#[server(endpoint = "alarms/list")]
pub async fn list_alarms(
    tab: Option<String>,
    level: Option<String>,
    source: Option<String>,
    application: Option<String>,
    q: Option<String>,
    from: Option<String>,
    to: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
    sort: Option<String>,
) -> Result<AlarmListing, AppError> {
    use crate::domain::alarm::{AlarmFilter, AlarmLevel, AlarmStatus};
    use crate::domain::list::ListParams;
    let (state, actor) = context().await?;
    let given = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let filter = AlarmFilter {
        status: Some(match given(tab).as_deref() {
            Some("history") => AlarmStatus::Cleared,
            _ => AlarmStatus::Active,
        }),
        level: given(level)
            .map(|l| AlarmLevel::parse_field("level", &l))
            .transpose()?,
        data_source_id: super::ssr::optional_id("source", &given(source).unwrap_or_default())?,
        application_id: super::ssr::optional_id(
            "application",
            &given(application).unwrap_or_default(),
        )?,
        q: given(q),
        from: super::audit::parse_time("from", from.as_deref())?,
        to: super::audit::parse_time("to", to.as_deref())?,
        ..Default::default()
    };
    let params = ListParams {
        after,
        before,
        per_page: None,
        sort: given(sort),
        ..Default::default()
    };
    let data = crate::service::alarms::list(&state, &actor, &filter, &params).await?;
    let sources = crate::service::data_sources::names(&state, &actor).await?;
    Ok(AlarmListing {
        listing: Stamped {
            data,
            now: state.now(),
        },
        sources,
        applications: crate::service::applications::names(&state, &actor).await?,
        can_work: actor.holds(crate::domain::user::Role::Operator),
    })
}

#[server(endpoint = "alarms/get")]
pub async fn get_alarm(id: i64) -> Result<AlarmPage, AppError> {
    let (state, actor) = context().await?;
    Ok(AlarmPage {
        detail: Stamped {
            data: crate::service::alarms::get(&state, &actor, id).await?,
            now: state.now(),
        },
        can_work: actor.holds(crate::domain::user::Role::Operator),
    })
}

#[server(endpoint = "alarms/clear")]
pub async fn clear_alarm(
    id: i64,
    service_interrupted: Option<String>,
    fault_started_at: Option<String>,
    recovered_at: Option<String>,
    remark: String,
) -> Result<(), AppError> {
    use crate::domain::alarm::ClearAlarm;
    let (state, actor) = context().await?;
    let request = ClearAlarm {
        service_interrupted: service_interrupted.is_some(),
        fault_started_at: super::audit::parse_time(
            "fault_started_at",
            fault_started_at.as_deref(),
        )?,
        recovered_at: super::audit::parse_time("recovered_at", recovered_at.as_deref())?,
        remark,
    };
    crate::service::alarms::clear(&state, &actor, id, request).await?;
    Ok(())
}

/// Reads `1,2,3` (the picked alarms).
#[cfg(feature = "ssr")]
fn ids(text: &str) -> Result<Vec<i64>, AppError> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse()
                .map_err(|_| AppError::invalid("alarm_ids", format!("'{t}' is not an id")))
        })
        .collect()
}

#[server(endpoint = "alarms/convert-choices")]
pub async fn load_convert_choices(ids: String) -> Result<ConvertChoices, AppError> {
    let (state, actor) = context().await?;
    let mut alarms = Vec::new();
    for id in self::ids(&ids)?
        .into_iter()
        .take(crate::domain::alarm::CONVERT_MAX)
    {
        alarms.push(crate::service::alarms::get(&state, &actor, id).await?.alarm);
    }
    Ok(ConvertChoices {
        alarms,
        assignees: crate::service::incidents::assignees(&state, &actor).await?,
        applications: crate::service::applications::names(&state, &actor).await?,
    })
}

#[server(endpoint = "alarms/convert")]
pub async fn convert_alarms(
    alarm_ids: String,
    title: String,
    level: String,
    category: String,
    owner: String,
    application_id: String,
) -> Result<(), AppError> {
    use crate::domain::alarm::ConvertAlarms;
    use crate::domain::incident::{Assignee, Category, Level};
    let (state, actor) = context().await?;
    let request = ConvertAlarms {
        alarm_ids: ids(&alarm_ids)?,
        title,
        level: Level::parse_field("level", &level)?,
        category: Category::parse_field("category", &category)?,
        owner: Assignee::parse_choice("owner", &owner)?,
        application_id: super::ssr::optional_id("application_id", &application_id)?,
    };
    let incident = crate::service::alarms::convert(&state, &actor, request).await?;
    leptos_axum::redirect(&format!("/incidents/{}", incident.id));
    Ok(())
}
