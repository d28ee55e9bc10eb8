//! The change pages' data and forms.

// A server function's arguments are its form's fields, one each.
#![allow(clippy::too_many_arguments)]

use super::{Listing, Stamped};
use crate::domain::AppError;
use crate::domain::change::{Change, ChangeDetail, FailureRate};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::context;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangeListing {
    pub listing: Listing<Change>,
    pub failure_rates: Vec<FailureRate>,
    pub implementers: Vec<(i64, String)>,
    pub can_plan: bool,
}

/// Who can carry a change out, and the applications it may touch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangeOptions {
    pub implementers: Vec<(String, String)>,
    pub applications: Vec<(i64, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangePage {
    pub detail: Stamped<ChangeDetail>,
    /// Filled when the caller may edit the draft.
    pub choices: Option<ChangeOptions>,
}

#[server(endpoint = "changes/list")]
pub async fn list_changes(
    tab: Option<String>,
    status: Option<String>,
    level: Option<String>,
    q: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
    sort: Option<String>,
) -> Result<ChangeListing, AppError> {
    use crate::domain::change::{ChangeFilter, ChangeStatus, RiskLevel};
    use crate::domain::list::ListParams;
    let (state, actor) = context().await?;
    let given = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let tab = given(tab);
    let filter = ChangeFilter {
        status: ChangeStatus::parse_given("status", status)?,
        level: RiskLevel::parse_given("level", level)?,
        implementer_id: (tab.as_deref() == Some("mine"))
            .then(|| actor.id())
            .flatten(),
        awaiting: (tab.as_deref() == Some("approve"))
            .then(|| actor.id())
            .flatten(),
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
    let data = crate::service::changes::list(&state, &actor, &filter, &params).await?;
    let ids: Vec<i64> = data.items.iter().map(|c| c.implementer_id).collect();
    let implementers = crate::service::incidents::names(&state, &actor, &ids).await?;
    Ok(ChangeListing {
        listing: Stamped {
            data,
            now: state.now(),
        },
        implementers,
        failure_rates: crate::service::changes::failure_rates(&state, &actor).await?,
        can_plan: actor.holds(crate::domain::user::Role::Operator),
    })
}

#[cfg(feature = "ssr")]
async fn choices(
    state: &crate::state::AppState,
    actor: &crate::service::Actor,
) -> Result<ChangeOptions, AppError> {
    Ok(ChangeOptions {
        implementers: crate::service::incidents::assignees(state, actor).await?,
        applications: crate::service::applications::names(state, actor).await?,
    })
}

#[server(endpoint = "changes/choices")]
pub async fn change_choices() -> Result<ChangeOptions, AppError> {
    let (state, actor) = context().await?;
    choices(&state, &actor).await
}

/// Plans a change from the console's form (scope by groups and resources is set through the
/// API) and opens its page.
#[server(endpoint = "changes/create")]
pub async fn create_change(
    title: String,
    description: String,
    change_type: String,
    level: String,
    application_id: String,
    implementer: String,
    planned_start: String,
    planned_end: String,
    rollback_plan: String,
) -> Result<(), AppError> {
    use crate::domain::change::{ChangeDraft, ChangeType, NewChange, RiskLevel};
    use crate::domain::incident::Assignee;
    let (state, actor) = context().await?;
    let time = |field: &str, text: &str| {
        crate::domain::time::parse_utc(text)
            .ok_or_else(|| AppError::invalid(field, "pick a date and time"))
    };
    let new = NewChange {
        change_type: ChangeType::parse_field("change_type", &change_type)?,
        draft: ChangeDraft {
            title,
            description,
            level: RiskLevel::parse_field("level", &level)?,
            application_id: super::ssr::optional_id("application_id", &application_id)?,
            group_ids: None,
            resource_ids: None,
            implementer: Assignee::parse_choice("implementer", &implementer)?,
            planned_start: time("planned_start", &planned_start)?,
            planned_end: time("planned_end", &planned_end)?,
            rollback_plan,
            problem_id: None,
            incident_id: None,
        },
    };
    let stored = crate::service::changes::create(&state, &actor, new).await?;
    leptos_axum::redirect(&format!("/changes/{}", stored.id));
    Ok(())
}

#[server(endpoint = "changes/get")]
pub async fn get_change(id: i64) -> Result<ChangePage, AppError> {
    use crate::domain::change::ChangeAction;
    let (state, actor) = context().await?;
    let detail = crate::service::changes::get(&state, &actor, id).await?;
    let choices = if detail
        .actions
        .iter()
        .any(|a| matches!(a, ChangeAction::Edit | ChangeAction::OpenProblem))
    {
        Some(choices(&state, &actor).await?)
    } else {
        None
    };
    Ok(ChangePage {
        detail: Stamped {
            data: detail,
            now: state.now(),
        },
        choices,
    })
}
