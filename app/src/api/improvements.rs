//! The improvement pages' data and forms.

// A server function's arguments are its form's fields, one each.
#![allow(clippy::too_many_arguments)]

use super::{Listing, Stamped};
use crate::domain::AppError;
use crate::domain::improvement::{Improvement, ImprovementDetail};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::context;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImprovementListing {
    pub listing: Listing<Improvement>,
    pub owners: Vec<(i64, String)>,
    pub can_open: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImprovementPage {
    pub detail: Stamped<ImprovementDetail>,
    pub assignees: Vec<(String, String)>,
}

/// Who an improvement can go to and who can verify it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImprovementOptions {
    pub assignees: Vec<(String, String)>,
    pub verifiers: Vec<(String, String)>,
    pub applications: Vec<(i64, String)>,
}

#[server(endpoint = "improvements/list")]
pub async fn list_improvements(
    tab: Option<String>,
    status: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
    sort: Option<String>,
) -> Result<ImprovementListing, AppError> {
    use crate::domain::improvement::{ImprovementFilter, ImprovementStatus};
    use crate::domain::list::ListParams;
    let (state, actor) = context().await?;
    let given = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let tab = given(tab);
    let filter = ImprovementFilter {
        status: given(status)
            .map(|s| ImprovementStatus::parse_field("status", &s))
            .transpose()?,
        owner_id: (tab.as_deref() == Some("mine"))
            .then(|| actor.id())
            .flatten(),
        overdue_on: (tab.as_deref() == Some("overdue")).then(|| state.now().date_naive()),
        ..Default::default()
    };
    let params = ListParams {
        after,
        before,
        per_page: None,
        sort: given(sort),
        ..Default::default()
    };
    let data = crate::service::improvements::list(&state, &actor, &filter, &params).await?;
    let ids: Vec<i64> = data.items.iter().map(|i| i.owner_id).collect();
    let owners = crate::service::incidents::names(&state, &actor, &ids).await?;
    Ok(ImprovementListing {
        listing: Stamped {
            data,
            now: state.now(),
        },
        owners,
        can_open: actor.holds(crate::domain::user::Role::Operator),
    })
}

#[server(endpoint = "improvements/choices")]
pub async fn improvement_choices() -> Result<ImprovementOptions, AppError> {
    let (state, actor) = context().await?;
    let assignees = crate::service::incidents::assignees(&state, &actor).await?;
    let verifiers = crate::domain::incident::Assignee::people(&assignees)
        .into_iter()
        .map(|(id, label)| (id.to_string(), label))
        .collect();
    Ok(ImprovementOptions {
        assignees,
        verifiers,
        applications: crate::service::applications::names(&state, &actor).await?,
    })
}

/// Reads the fields every "new improvement" form has.
#[cfg(feature = "ssr")]
fn new_improvement(
    title: String,
    description: String,
    owner: &str,
    verifier_id: &str,
    due_on: &str,
) -> Result<crate::domain::improvement::NewImprovement, AppError> {
    use crate::domain::improvement::{ImprovementSource, NewImprovement};
    use crate::domain::incident::Assignee;
    Ok(NewImprovement {
        title,
        description,
        source: ImprovementSource::Manual,
        source_id: None,
        application_id: None,
        owner: Assignee::parse_choice("owner", owner)?,
        verifier_id: verifier_id
            .trim()
            .parse()
            .map_err(|_| AppError::invalid("verifier_id", "pick who verifies it"))?,
        due_on: chrono::NaiveDate::parse_from_str(due_on.trim(), "%Y-%m-%d")
            .map_err(|_| AppError::invalid("due_on", "pick a due date"))?,
    })
}

#[server(endpoint = "improvements/create")]
pub async fn create_improvement(
    title: String,
    description: String,
    application_id: String,
    owner: String,
    verifier_id: String,
    due_on: String,
    source: Option<String>,
    source_id: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::improvement::ImprovementSource;
    let (state, actor) = context().await?;
    let mut new = new_improvement(title, description, &owner, &verifier_id, &due_on)?;
    new.application_id = super::ssr::optional_id("application_id", &application_id)?;
    if let Some(source) = source.filter(|s| !s.is_empty()) {
        new.source = ImprovementSource::parse_field("source", &source)?;
        new.source_id = super::ssr::optional_id("source_id", source_id.as_deref().unwrap_or(""))?;
    }
    let stored = crate::service::improvements::create(&state, &actor, new).await?;
    leptos_axum::redirect(&format!("/improvements/{}", stored.id));
    Ok(())
}

#[server(endpoint = "improvements/get")]
pub async fn get_improvement(id: i64) -> Result<ImprovementPage, AppError> {
    let (state, actor) = context().await?;
    let detail = crate::service::improvements::get(&state, &actor, id).await?;
    let assignees = if detail.actions.is_empty() {
        vec![]
    } else {
        crate::service::incidents::assignees(&state, &actor).await?
    };
    Ok(ImprovementPage {
        detail: Stamped {
            data: detail,
            now: state.now(),
        },
        assignees,
    })
}
