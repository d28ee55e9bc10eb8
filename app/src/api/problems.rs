//! The problem pages' data and forms.

// A server function's arguments are its form's fields, one each.
#![allow(clippy::too_many_arguments)]

use super::{Listing, Stamped};
use crate::domain::AppError;
use crate::domain::problem::{Problem, ProblemDetail};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::context;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProblemListing {
    pub listing: Listing<Problem>,
    pub owners: Vec<(i64, String)>,
    pub can_open: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProblemPage {
    pub detail: Stamped<ProblemDetail>,
    pub assignees: Vec<(String, String)>,
}

#[server(endpoint = "problems/list")]
pub async fn list_problems(
    tab: Option<String>,
    status: Option<String>,
    level: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
    sort: Option<String>,
) -> Result<ProblemListing, AppError> {
    use crate::domain::list::ListParams;
    use crate::domain::problem::{ProblemFilter, ProblemLevel, ProblemStatus};
    let (state, actor) = context().await?;
    let given = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let filter = ProblemFilter {
        status: given(status)
            .map(|s| ProblemStatus::parse_field("status", &s))
            .transpose()?,
        level: given(level)
            .map(|s| ProblemLevel::parse_field("level", &s))
            .transpose()?,
        owner_id: (given(tab).as_deref() == Some("mine"))
            .then(|| actor.id())
            .flatten(),
        ..Default::default()
    };
    let params = ListParams {
        after,
        before,
        per_page: None,
        sort: given(sort),
        ..Default::default()
    };
    let data = crate::service::problems::list(&state, &actor, &filter, &params).await?;
    let ids: Vec<i64> = data.items.iter().map(|i| i.owner_id).collect();
    let owners = crate::service::incidents::names(&state, &actor, &ids).await?;
    Ok(ProblemListing {
        listing: Stamped {
            data,
            now: state.now(),
        },
        owners,
        can_open: actor.holds(crate::domain::user::Role::Operator),
    })
}

#[server(endpoint = "problems/create")]
pub async fn create_problem(
    title: String,
    description: String,
    level: String,
    source: String,
    source_id: String,
    application_id: String,
    owner: String,
) -> Result<(), AppError> {
    use crate::domain::incident::Assignee;
    use crate::domain::problem::{NewProblem, ProblemLevel, ProblemSource};
    let (state, actor) = context().await?;
    let new = NewProblem {
        title,
        description,
        level: ProblemLevel::parse_field("level", &level)?,
        source: ProblemSource::parse_field("source", &source)?,
        source_id: super::ssr::optional_id("source_id", &source_id)?,
        application_id: super::ssr::optional_id("application_id", &application_id)?,
        owner: Assignee::parse_choice("owner", &owner)?,
    };
    let stored = crate::service::problems::create(&state, &actor, new).await?;
    leptos_axum::redirect(&format!("/problems/{}", stored.id));
    Ok(())
}

#[server(endpoint = "problems/get")]
pub async fn get_problem(id: i64) -> Result<ProblemPage, AppError> {
    let (state, actor) = context().await?;
    let detail = crate::service::problems::get(&state, &actor, id).await?;
    let assignees = if detail.actions.is_empty() {
        vec![]
    } else {
        crate::service::incidents::assignees(&state, &actor).await?
    };
    Ok(ProblemPage {
        detail: Stamped {
            data: detail,
            now: state.now(),
        },
        assignees,
    })
}
