//! The forwarding-rule pages' data and forms: the ordered list, one rule's editor, and its test
//! against a sample event and replay over stored alarms (both read from the page's URL, so a
//! link shows the same verdict).

// A server function's arguments are its form's fields, one each.
#![allow(clippy::too_many_arguments)]

use crate::domain::AppError;
use crate::domain::forwarding_rule::{ForwardingRule, Replay, RuleTestResult};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::context;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleList {
    pub rules: Vec<ForwardingRule>,
    pub sources: Vec<(i64, String)>,
    /// (picker value, label) of owners, to name a rule's owner.
    pub people: Vec<(String, String)>,
    pub is_admin: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleEditor {
    /// `None` for a new rule.
    pub rule: Option<ForwardingRule>,
    pub sources: Vec<(i64, String)>,
    pub assignees: Vec<(String, String)>,
    pub applications: Vec<(i64, String)>,
    /// The sample event of the page's URL and its verdict (or why it could not be tried).
    pub test: Option<(String, Result<RuleTestResult, AppError>)>,
    pub replay: Option<Result<Replay, AppError>>,
    pub is_admin: bool,
}

#[server(endpoint = "forwarding-rules/list")]
pub async fn list_rules() -> Result<RuleList, AppError> {
    let (state, actor) = context().await?;
    Ok(RuleList {
        rules: crate::service::forwarding_rules::list(&state, &actor).await?,
        sources: crate::service::data_sources::names(&state, &actor).await?,
        people: crate::service::incidents::assignees(&state, &actor).await?,
        is_admin: actor.holds(crate::domain::user::Role::Admin),
    })
}

/// The editor of rule `id` (or a new one), with the test and replay the URL asks for.
#[server(endpoint = "forwarding-rules/editor")]
pub async fn load_rule_editor(
    id: Option<i64>,
    event: Option<String>,
    source: Option<String>,
    days: Option<String>,
) -> Result<RuleEditor, AppError> {
    use crate::domain::forwarding_rule::{ReplayRequest, RuleTest};
    let (state, actor) = context().await?;
    let rule = match id {
        Some(id) => Some(crate::service::forwarding_rules::get(&state, &actor, id).await?),
        None => None,
    };
    let is_admin = actor.holds(crate::domain::user::Role::Admin);
    let test = match (id, event.filter(|e| !e.trim().is_empty())) {
        (Some(rule_id), Some(text)) if is_admin => {
            let verdict = async {
                let event = serde_json::from_str(&text)
                    .map_err(|e| AppError::invalid("event", format!("is not JSON: {e}")))?;
                let data_source_id =
                    super::ssr::optional_id("source", source.as_deref().unwrap_or(""))?;
                crate::service::forwarding_rules::test(
                    &state,
                    &actor,
                    RuleTest {
                        rule_id: Some(rule_id),
                        rule: None,
                        data_source_id,
                        event,
                    },
                )
                .await
            }
            .await;
            Some((text, verdict))
        }
        _ => None,
    };
    let replay = match (id, days.filter(|d| !d.trim().is_empty())) {
        (Some(rule_id), Some(days)) if is_admin => Some(match days.trim().parse::<i64>() {
            Ok(days) => {
                crate::service::forwarding_rules::replay_rule(
                    &state,
                    &actor,
                    ReplayRequest {
                        rule_id: Some(rule_id),
                        rule: None,
                        days: Some(days),
                    },
                )
                .await
            }
            Err(_) => Err(AppError::invalid("days", "must be a number of days")),
        }),
        _ => None,
    };
    Ok(RuleEditor {
        rule,
        sources: crate::service::data_sources::names(&state, &actor).await?,
        assignees: crate::service::incidents::assignees(&state, &actor).await?,
        applications: crate::service::applications::names(&state, &actor).await?,
        test,
        replay,
        is_admin,
    })
}

/// Creates (no id) or updates a rule from the editor and goes to its page.
#[server(endpoint = "forwarding-rules/save")]
pub async fn save_rule(
    id: Option<i64>,
    version: Option<i32>,
    name: String,
    enabled: Option<String>,
    source: String,
    conditions: String,
    action: String,
    level: String,
    category: String,
    owner: Option<String>,
    application_id: String,
    alarm_level: String,
    silence: Option<String>,
    group_by: String,
    silence_window_minutes: String,
) -> Result<(), AppError> {
    use crate::domain::alarm::AlarmLevel;
    use crate::domain::forwarding_rule::{
        NewForwardingRule, RuleAction, RuleUpdate, on_conditions_text, parse_conditions,
    };
    use crate::domain::incident::{Assignee, Category, Level};
    let (state, actor) = context().await?;
    let action = match action.as_str() {
        "incident" => RuleAction::Incident {
            level: Level::parse_field("level", &level)?,
            category: Category::parse_field("category", &category)?,
            owner: Assignee::parse_choice("owner", owner.as_deref().unwrap_or(""))?,
            application_id: super::ssr::optional_id("application_id", &application_id)?,
        },
        "alarm_only" => RuleAction::AlarmOnly {
            level: match alarm_level.trim() {
                "" => None,
                l => Some(AlarmLevel::parse_field("alarm_level", l)?),
            },
        },
        "drop" => RuleAction::Drop,
        _ => {
            return Err(AppError::invalid(
                "action",
                "must be one of incident, alarm_only, drop",
            ));
        }
    };
    let rule = NewForwardingRule {
        name,
        enabled: enabled.is_some(),
        data_source_ids: super::ssr::optional_id("source", &source)?
            .into_iter()
            .collect(),
        groups: parse_conditions(&conditions)?,
        action,
        silence: silence.is_some(),
        group_by: group_by.split(',').map(|l| l.trim().to_owned()).collect(),
        silence_window_minutes: silence_window_minutes.trim().parse().map_err(|_| {
            AppError::invalid("silence_window_minutes", "must be a number of minutes")
        })?,
    };
    let saved = match (id, version) {
        (Some(id), Some(version)) => {
            crate::service::forwarding_rules::update(
                &state,
                &actor,
                id,
                RuleUpdate { rule, version },
            )
            .await
        }
        _ => crate::service::forwarding_rules::create(&state, &actor, rule).await,
    }
    .map_err(on_conditions_text)?;
    leptos_axum::redirect(&format!("/forwarding-rules/{}", saved.id));
    Ok(())
}

#[server(endpoint = "forwarding-rules/move")]
pub async fn move_rule(id: i64, position: i32) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    crate::service::forwarding_rules::move_to(&state, &actor, id, position).await?;
    Ok(())
}

#[server(endpoint = "forwarding-rules/delete")]
pub async fn delete_rule(id: i64, version: i32) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    let rule = crate::service::forwarding_rules::get(&state, &actor, id).await?;
    AppError::check_version("Forwarding rule", id, rule.version, version)?;
    crate::service::forwarding_rules::delete(&state, &actor, id).await?;
    leptos_axum::redirect("/forwarding-rules");
    Ok(())
}
