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
