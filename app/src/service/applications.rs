//! Applications and their components: create, edit, delete (refused while children exist) and
//! find.

use super::Actor;
use super::audit::{Change, record};
use crate::domain::AppError;
use crate::domain::application::{
    Application, ApplicationDraft, ApplicationFilter, ApplicationPatch, ApplicationSummary,
    Component, ComponentDraft, ComponentPatch, ComponentSummary, name_some,
};
use crate::domain::list::{ListParams, Page, Sort};
use crate::domain::user::Role;
use crate::state::AppState;
use crate::store;
use sqlx::PgConnection;

const READ: &str = "reading applications";
const BY_NAME: Sort = Sort {
    field: "name",
    descending: false,
};

pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: &ApplicationFilter,
    params: &ListParams,
) -> Result<Page<ApplicationSummary>, AppError> {
    actor.require(Role::Viewer, READ)?;
    let window = params.window(store::applications::SORTABLE, BY_NAME)?;
    let mut conn = state.pool.acquire().await?;
    store::applications::list(&mut conn, filter, window).await
}

pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<Application, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    store::applications::find(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("Application", id))
}

/// Every application as (id, name), for pickers.
pub async fn names(state: &AppState, actor: &Actor) -> Result<Vec<(i64, String)>, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    store::applications::names(&mut conn).await
}

/// Refuses a parent that does not exist, or that is the application itself or below it.
async fn check_parent(
    conn: &mut PgConnection,
    id: Option<i64>,
    parent: Option<i64>,
) -> Result<(), AppError> {
    let Some(parent) = parent else { return Ok(()) };
    if store::applications::find(conn, parent).await?.is_none() {
        return Err(AppError::invalid(
            "parent_id",
            format!("no application has id {parent}"),
        ));
    }
    if let Some(id) = id
        && store::applications::is_ancestor_or_self(conn, id, parent).await?
    {
        return Err(AppError::invalid(
            "parent_id",
            "an application cannot sit below itself or one of its sub-applications",
        ));
    }
    Ok(())
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    draft: ApplicationDraft,
) -> Result<Application, AppError> {
    actor.require(Role::Operator, "adding applications")?;
    let draft = draft.normalized()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    check_parent(&mut tx, None, draft.parent_id).await?;
    let app = store::applications::insert(&mut tx, &draft, now).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("application", app.id, "create").after(&app),
    )
    .await?;
    tx.commit().await?;
    Ok(app)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: i64,
    patch: ApplicationPatch,
) -> Result<Application, AppError> {
    actor.require(Role::Operator, "editing applications")?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = store::applications::find_for_update(&mut tx, id).await?;
    AppError::check_version("Application", id, before.version, patch.version)?;
    let draft = patch.apply(&before.spec).normalized()?;
    check_parent(&mut tx, Some(id), draft.parent_id).await?;
    let after = store::applications::update(&mut tx, id, &draft, now).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("application", id, "update")
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete(
    state: &AppState,
    actor: &Actor,
    id: i64,
    version: Option<i32>,
) -> Result<(), AppError> {
    actor.require(Role::Operator, "deleting applications")?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = store::applications::find_for_update(&mut tx, id).await?;
    if let Some(seen) = version {
        AppError::check_version("Application", id, before.version, seen)?;
    }
    let (subs, components) = store::applications::children(&mut tx, id).await?;
    if !subs.is_empty() || !components.is_empty() {
        let mut parts = Vec::new();
        if !subs.is_empty() {
            parts.push(format!("sub-applications {}", name_some(&subs)));
        }
        if !components.is_empty() {
            parts.push(format!("components {}", name_some(&components)));
        }
        return Err(AppError::conflict(format!(
            "Application '{}' still has {}; delete them first.",
            before.spec.name,
            parts.join(" and ")
        )));
    }
    // A rule being saved to name it holds its row (key share) until it commits, so this sees it.
    let rules = store::forwarding_rules::naming_application(&mut tx, id).await?;
    if !rules.is_empty() {
        return Err(AppError::conflict(format!(
            "Application '{}' is named by forwarding rules {}; change them first.",
            before.spec.name,
            name_some(&rules)
        )));
    }
    store::applications::delete(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("application", id, "delete").before(&before),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn list_components(
    state: &AppState,
    actor: &Actor,
    application_id: Option<i64>,
    params: &ListParams,
) -> Result<Page<ComponentSummary>, AppError> {
    actor.require(Role::Viewer, READ)?;
    let window = params.window(store::applications::SORTABLE, BY_NAME)?;
    let mut conn = state.pool.acquire().await?;
    store::applications::list_components(&mut conn, application_id, window).await
}

pub async fn get_component(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<Component, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    store::applications::find_component(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("Component", id))
}

pub async fn create_component(
    state: &AppState,
    actor: &Actor,
    draft: ComponentDraft,
) -> Result<Component, AppError> {
    actor.require(Role::Operator, "adding components")?;
    let draft = draft.normalized()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    // Locking the application keeps a concurrent delete from leaving an orphan behind.
    match store::applications::find_for_update(&mut tx, draft.application_id).await {
        Err(AppError::NotFound { .. }) => {
            return Err(AppError::invalid(
                "application_id",
                format!("no application has id {}", draft.application_id),
            ));
        }
        other => other?,
    };
    let component = store::applications::insert_component(&mut tx, &draft, now).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("component", component.id, "create").after(&component),
    )
    .await?;
    tx.commit().await?;
    Ok(component)
}

pub async fn update_component(
    state: &AppState,
    actor: &Actor,
    id: i64,
    patch: ComponentPatch,
) -> Result<Component, AppError> {
    actor.require(Role::Operator, "editing components")?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = store::applications::find_component_for_update(&mut tx, id).await?;
    AppError::check_version("Component", id, before.version, patch.version)?;
    let draft = patch.apply(&before.spec).normalized()?;
    let after = store::applications::update_component(&mut tx, id, &draft, now).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("component", id, "update")
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete_component(
    state: &AppState,
    actor: &Actor,
    id: i64,
    version: Option<i32>,
) -> Result<(), AppError> {
    actor.require(Role::Operator, "deleting components")?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = store::applications::find_component_for_update(&mut tx, id).await?;
    if let Some(seen) = version {
        AppError::check_version("Component", id, before.version, seen)?;
    }
    let groups = store::applications::component_children(&mut tx, id).await?;
    if !groups.is_empty() {
        return Err(AppError::conflict(format!(
            "Component '{}' still has groups {}; delete them first.",
            before.spec.name,
            name_some(&groups)
        )));
    }
    store::applications::delete_component(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("component", id, "delete").before(&before),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
