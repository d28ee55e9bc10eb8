//! The one door every ticket page's action forms post through: the kind of ticket, its id, the
//! version the page showed, the action and its fields (`params[…]`), read into the same typed
//! command the REST API takes (`service::workflow`).

use crate::domain::AppError;
use leptos::prelude::*;
use std::collections::HashMap;

/// Takes `action` on ticket `id` of `kind` (`incident`, `improvement`, `problem`, `change`).
#[server(endpoint = "tickets/act")]
pub async fn act_on_ticket(
    kind: String,
    id: i64,
    version: i32,
    action: String,
    params: Option<HashMap<String, String>>,
) -> Result<(), AppError> {
    use crate::domain::change::Change;
    use crate::domain::improvement::Improvement;
    use crate::domain::incident::Incident;
    use crate::domain::problem::Problem;
    let (state, actor) = super::ssr::context().await?;
    let fields: Vec<(String, String)> = params.unwrap_or_default().into_iter().collect();
    match kind.as_str() {
        "incident" => ssr::take::<Incident>(&state, &actor, id, version, &action, fields).await,
        "improvement" => {
            ssr::take::<Improvement>(&state, &actor, id, version, &action, fields).await
        }
        "problem" => ssr::take::<Problem>(&state, &actor, id, version, &action, fields).await,
        "change" => ssr::take::<Change>(&state, &actor, id, version, &action, fields).await,
        other => Err(AppError::invalid(
            "kind",
            format!("'{other}' is not a kind of ticket"),
        )),
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::domain::AppError;
    use crate::domain::workflow::Params;
    use crate::service::Actor;
    use crate::service::workflow::Kept;
    use crate::state::AppState;

    pub async fn take<K: Kept>(
        state: &AppState,
        actor: &Actor,
        id: i64,
        version: i32,
        action: &str,
        fields: Vec<(String, String)>,
    ) -> Result<(), AppError> {
        let action: K::Action =
            serde_json::from_value(serde_json::Value::from(action)).map_err(|_| {
                AppError::invalid("action", format!("'{action}' is not an action here"))
            })?;
        crate::service::workflow::take::<K>(state, actor, id, action, version, Params::Form(fields))
            .await
            .map(|_| ())
    }
}
