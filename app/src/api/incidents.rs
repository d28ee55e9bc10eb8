//! The incident pages' data and forms.

// A server function's arguments are its form's fields, one each.
#![allow(clippy::too_many_arguments)]

use super::{Listing, Stamped};
use crate::domain::AppError;
use crate::domain::incident::{Incident, IncidentDetail};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::context;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentListing {
    pub listing: Listing<Incident>,
    /// Owner names by id, for the rows.
    pub owners: Vec<(i64, String)>,
    pub can_open: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentPage {
    pub detail: Stamped<IncidentDetail>,
    /// (form value, label) of everyone work can go to.
    pub assignees: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentChoices {
    pub assignees: Vec<(String, String)>,
    pub applications: Vec<(i64, String)>,
}

#[server(endpoint = "incidents/list")]
pub async fn list_incidents(
    tab: Option<String>,
    status: Option<String>,
    level: Option<String>,
    q: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
    sort: Option<String>,
) -> Result<IncidentListing, AppError> {
    use crate::domain::incident::{IncidentFilter, IncidentStatus, Level};
    use crate::domain::list::ListParams;
    let (state, actor) = context().await?;
    let given = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let filter = IncidentFilter {
        mine_pending_for: (given(tab).as_deref() == Some("mine"))
            .then(|| actor.id())
            .flatten(),
        status: given(status)
            .map(|s| IncidentStatus::parse_field("status", &s))
            .transpose()?,
        level: given(level)
            .map(|l| Level::parse_field("level", &l))
            .transpose()?,
        q: given(q),
        ..Default::default()
    };
    let params = ListParams {
        after,
        before,
        per_page: None,
        sort: given(sort),
        ..Default::default()
    };
    let data = crate::service::incidents::list(&state, &actor, &filter, &params).await?;
    let ids: Vec<i64> = data.items.iter().map(|i| i.owner_id).collect();
    let owners = crate::service::incidents::names(&state, &actor, &ids).await?;
    Ok(IncidentListing {
        listing: Stamped {
            data,
            now: state.now(),
        },
        owners,
        can_open: actor.holds(crate::domain::user::Role::Operator),
    })
}

#[server(endpoint = "incidents/choices")]
pub async fn new_incident_choices() -> Result<IncidentChoices, AppError> {
    let (state, actor) = context().await?;
    Ok(IncidentChoices {
        assignees: crate::service::incidents::assignees(&state, &actor).await?,
        applications: crate::service::applications::names(&state, &actor).await?,
    })
}

#[server(endpoint = "incidents/create")]
pub async fn create_incident(
    title: String,
    description: String,
    level: String,
    category: String,
    application_id: String,
    owner: String,
) -> Result<(), AppError> {
    use crate::domain::incident::{Assignee, Category, IncidentSource, Level, NewIncident};
    let (state, actor) = context().await?;
    let application_id = super::ssr::optional_id("application_id", &application_id)?;
    let new = NewIncident {
        title,
        description,
        level: Level::parse_field("level", &level)?,
        category: Category::parse_field("category", &category)?,
        application_id,
        region: String::new(),
        owner: Assignee::parse_choice("owner", &owner)?,
    };
    let incident =
        crate::service::incidents::create(&state, &actor, new, IncidentSource::Manual).await?;
    leptos_axum::redirect(&format!("/incidents/{}", incident.id));
    Ok(())
}

#[server(endpoint = "incidents/get")]
pub async fn get_incident(id: i64) -> Result<IncidentPage, AppError> {
    let (state, actor) = context().await?;
    let detail = crate::service::incidents::get(&state, &actor, id).await?;
    let assignees = if detail.actions.is_empty() {
        vec![]
    } else {
        crate::service::incidents::assignees(&state, &actor).await?
    };
    Ok(IncidentPage {
        detail: Stamped {
            data: detail,
            now: state.now(),
        },
        assignees,
    })
}

/// A time from a `datetime-local` field, read as UTC.
#[cfg(feature = "ssr")]
fn utc_field(field: &str, text: &str) -> Result<Option<serde_json::Value>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let local = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .map_err(|_| AppError::invalid(field, format!("'{text}' is not a date and time")))?;
    Ok(Some(serde_json::json!(local.and_utc())))
}

/// Every action form posts here: `action`, the version the page showed, and the fields that
/// action takes (the others are absent).
#[server(endpoint = "incidents/act")]
pub async fn incident_action(
    id: i64,
    version: i32,
    action: String,
    reason: Option<String>,
    comment: Option<String>,
    to: Option<String>,
    title: Option<String>,
    level: Option<String>,
    approve: Option<String>,
    until: Option<String>,
    text: Option<String>,
    cause: Option<String>,
    solution: Option<String>,
    service_interrupted: Option<String>,
    fault_started_at: Option<String>,
    recovered_at: Option<String>,
    resolved: Option<String>,
    description: Option<String>,
    owner: Option<String>,
    verifier_id: Option<String>,
    due_on: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::incident::{Action, ActionRequest};
    use serde_json::{Map, Value, json};
    let (state, actor) = context().await?;
    let action = Action::parse_field("action", &action)?;
    let mut p = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            p.insert(k.to_owned(), v);
        }
    };
    put("reason", reason.map(Value::from));
    put("comment", comment.map(Value::from));
    put(
        "title",
        title
            .clone()
            .filter(|t| !t.trim().is_empty())
            .map(Value::from),
    );
    put("level", level.filter(|l| !l.is_empty()).map(Value::from));
    put("text", text.map(Value::from));
    put("cause", cause.map(Value::from));
    put("solution", solution.map(Value::from));
    put("to", super::ssr::assignee_param(to)?);
    put("approve", approve.map(|a| json!(a == "yes")));
    put("resolved", resolved.map(|r| json!(r == "yes")));
    if action == Action::SubmitSolution {
        put(
            "service_interrupted",
            Some(json!(service_interrupted.is_some())),
        );
    }
    put(
        "until",
        until
            .as_deref()
            .map(|u| utc_field("until", u))
            .transpose()?
            .flatten(),
    );
    put(
        "fault_started_at",
        fault_started_at
            .as_deref()
            .map(|u| utc_field("fault_started_at", u))
            .transpose()?
            .flatten(),
    );
    put(
        "recovered_at",
        recovered_at
            .as_deref()
            .map(|u| utc_field("recovered_at", u))
            .transpose()?
            .flatten(),
    );
    if action == Action::CreateImprovement {
        let new = super::improvements::new_improvement(
            title.unwrap_or_default(),
            description.unwrap_or_default(),
            owner.as_deref().unwrap_or_default(),
            verifier_id.as_deref().unwrap_or_default(),
            due_on.as_deref().unwrap_or_default(),
        )?;
        p = serde_json::to_value(new)
            .ok()
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default();
    }
    let request = ActionRequest {
        action,
        params: Value::Object(p),
        version,
    };
    crate::service::incidents::act(&state, &actor, id, request).await?;
    Ok(())
}
