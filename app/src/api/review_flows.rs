//! The review flows page's data and forms.

use crate::domain::AppError;
use crate::domain::review::ReviewFlow;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[cfg(feature = "ssr")]
use super::ssr::context;

/// The stages the console's form offers, and the approvers each stage's row offers (the API
/// takes up to 20 per stage).
pub const FORM_STAGES: usize = crate::domain::review::STAGES_MAX;
pub const FORM_APPROVERS: usize = 3;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlowListing {
    pub flows: Vec<ReviewFlow>,
    /// Everyone who may approve, and every on-call role, as picker choices.
    pub approvers: Vec<(String, String)>,
    pub can_manage: bool,
}

#[server(endpoint = "review-flows/list")]
pub async fn list_flows() -> Result<FlowListing, AppError> {
    let (state, actor) = context().await?;
    Ok(FlowListing {
        flows: crate::service::review_flows::list(&state, &actor).await?,
        approvers: crate::service::incidents::assignees(&state, &actor).await?,
        can_manage: actor.holds(crate::domain::user::Role::Admin),
    })
}

/// Adds a flow from the page's form: `flow[name]`, `flow[change_type]`, `flow[level_A]`…
/// (ticked levels), and per stage `n` (1–5) `flow[sn_name]`, `flow[sn_mode]` and
/// `flow[sn_a1]`…`flow[sn_a3]` (picker values); a stage left without a name is left out.
#[server(endpoint = "review-flows/create")]
pub async fn create_flow(flow: HashMap<String, String>) -> Result<(), AppError> {
    use crate::domain::change::{ChangeType, RiskLevel};
    use crate::domain::incident::Assignee;
    use crate::domain::review::{Mode, NewReviewFlow, StageDef};
    let (state, actor) = context().await?;
    let field = |k: &str| flow.get(k).map(|v| v.trim()).unwrap_or("");
    let mut stages = Vec::new();
    for n in 1..=FORM_STAGES {
        let name = field(&format!("s{n}_name"));
        if name.is_empty() {
            continue;
        }
        let mut approvers = Vec::new();
        for a in 1..=FORM_APPROVERS {
            let key = format!("s{n}_a{a}");
            let value = field(&key);
            if !value.is_empty() {
                approvers.push(Assignee::parse_choice(&key, value)?);
            }
        }
        stages.push(StageDef {
            name: name.to_owned(),
            mode: Mode::parse_field(&format!("s{n}_mode"), field(&format!("s{n}_mode")))?,
            approvers,
        });
    }
    let new = NewReviewFlow {
        name: field("name").to_owned(),
        change_type: ChangeType::parse_field("change_type", field("change_type"))?,
        levels: RiskLevel::ALL
            .iter()
            .copied()
            .filter(|l| !field(&format!("level_{l}")).is_empty())
            .collect(),
        stages,
    };
    crate::service::review_flows::create(&state, &actor, new).await?;
    Ok(())
}

#[server(endpoint = "review-flows/delete")]
pub async fn delete_flow(id: i64) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    crate::service::review_flows::delete(&state, &actor, id).await
}
