//! Looking at a part of the inventory tree as a whole: its capacity and its topology.

use super::Actor;
use crate::domain::AppError;
use crate::domain::capacity::{Capacity, Metric, Scope, TOP_DEFAULT, TOP_MAX};
use crate::domain::topology::TopologyNode;
use crate::domain::user::Role;
use crate::state::AppState;
use crate::store;
use sqlx::PgConnection;

const READ: &str = "reading the inventory";

/// The name of the application, component or group `id`, or a 404.
async fn scope_name(conn: &mut PgConnection, scope: Scope, id: i64) -> Result<String, AppError> {
    let name = match scope {
        Scope::Application => store::applications::find(conn, id)
            .await?
            .map(|a| a.spec.name),
        Scope::Component => store::applications::find_component(conn, id)
            .await?
            .map(|c| c.spec.name),
        Scope::Group => store::groups::find(conn, id).await?.map(|g| g.spec.name),
    };
    let object = match scope {
        Scope::Application => "Application",
        Scope::Component => "Component",
        Scope::Group => "Group",
    };
    name.ok_or_else(|| AppError::not_found(object, id))
}

/// CPU, memory and disk of the resources below `id`, by type, and the `top` largest.
pub async fn capacity(
    state: &AppState,
    actor: &Actor,
    scope: Scope,
    id: i64,
    metric: Option<Metric>,
    top: Option<u32>,
) -> Result<Capacity, AppError> {
    actor.require(Role::Viewer, READ)?;
    let top = top.unwrap_or(TOP_DEFAULT);
    if !(1..=TOP_MAX).contains(&top) {
        return Err(AppError::invalid(
            "top",
            format!("must be between 1 and {TOP_MAX}"),
        ));
    }
    let metric = metric.unwrap_or(Metric::Cpu);
    let mut conn = state.pool.acquire().await?;
    let name = scope_name(&mut conn, scope, id).await?;
    let by_type = store::groups::capacity_by_type(&mut conn, scope, id).await?;
    let ranked = store::groups::capacity_top(&mut conn, scope, id, metric, top).await?;
    Ok(Capacity::new(scope, id, name, by_type, metric, ranked))
}

/// The tree below application `id` with distinct resource counts by status at every node.
pub async fn topology(state: &AppState, actor: &Actor, id: i64) -> Result<TopologyNode, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    store::groups::tree_rows(&mut conn, id)
        .await?
        .tree(id)
        .ok_or_else(|| AppError::not_found("Application", id))
}
