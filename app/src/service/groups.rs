//! Groups and their resources: create, edit, delete, associate by hand or by rule, transfer,
//! disassociate, and keep automatic groups in step with the inventory.

use super::Actor;
use super::audit::{Change, record, record_many};
use crate::domain::AppError;
use crate::domain::application::{NAMES_SHOWN, name_some_of};
use crate::domain::group::{
    ASSOCIATE_MAX, AssociationResult, Group, GroupDraft, GroupFilter, GroupPatch, GroupPath,
    GroupSummary, TRANSFER_MAX, resource_ids,
};
use crate::domain::list::{ListParams, Page, Sort};
use crate::domain::resource::{Resource, ResourceType};
use crate::domain::user::Role;
use crate::state::AppState;
use crate::store;
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgConnection;
use std::collections::{BTreeMap, HashSet};

const READ: &str = "reading groups";
const WRITE: &str = "changing groups";

pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: &GroupFilter,
    params: &ListParams,
) -> Result<Page<GroupSummary>, AppError> {
    actor.require(Role::Viewer, READ)?;
    let window = params.window(
        store::groups::SORTABLE,
        Sort {
            field: "name",
            descending: false,
        },
    )?;
    let mut conn = state.pool.acquire().await?;
    store::groups::list(&mut conn, filter, window).await
}

pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<Group, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    store::groups::find(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("Group", id))
}

/// Every group with its place in the tree, for pickers.
pub async fn paths(state: &AppState, actor: &Actor) -> Result<Vec<GroupPath>, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    store::groups::paths(&mut conn).await
}

/// Which of `ids` group `id` holds already.
pub async fn held(
    state: &AppState,
    actor: &Actor,
    id: i64,
    ids: &[i64],
) -> Result<Vec<i64>, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    store::groups::held(&mut conn, id, ids).await
}

/// The groups a resource belongs to.
pub async fn of_resource(
    state: &AppState,
    actor: &Actor,
    resource_id: i64,
) -> Result<Vec<GroupPath>, AppError> {
    actor.require(Role::Viewer, READ)?;
    let mut conn = state.pool.acquire().await?;
    if store::resources::find(&mut conn, resource_id)
        .await?
        .is_none()
    {
        return Err(AppError::not_found("Resource", resource_id));
    }
    store::groups::of_resource(&mut conn, resource_id).await
}

pub async fn create(state: &AppState, actor: &Actor, draft: GroupDraft) -> Result<Group, AppError> {
    actor.require(Role::Operator, WRITE)?;
    let draft = draft.normalized()?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    match store::applications::find_component_for_update(&mut tx, draft.component_id).await {
        Err(AppError::NotFound { .. }) => {
            return Err(AppError::invalid(
                "component_id",
                format!("no component has id {}", draft.component_id),
            ));
        }
        other => other?,
    };
    let mut group = store::groups::insert(&mut tx, &draft, now).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("group", group.id, "create").after(&group),
    )
    .await?;
    if group.is_automatic() {
        sync_in(&mut tx, actor, now, &group).await?;
        group.synced_at = Some(now);
    }
    tx.commit().await?;
    Ok(group)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: i64,
    patch: GroupPatch,
) -> Result<Group, AppError> {
    actor.require(Role::Operator, WRITE)?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = store::groups::find_for_update(&mut tx, id).await?;
    AppError::check_version("Group", id, before.version, patch.version)?;
    let draft = patch.apply(&before.spec).normalized()?;
    let mut after = store::groups::update(&mut tx, id, &draft, now).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("group", id, "update")
            .before(&before)
            .after(&after),
    )
    .await?;
    if after.is_automatic() && after.spec.rule != before.spec.rule {
        sync_in(&mut tx, actor, now, &after).await?;
        after.synced_at = Some(now);
    }
    tx.commit().await?;
    Ok(after)
}

/// Deletes a group. A manual group must be emptied first; an automatic group's resources
/// follow from its rule, so they are let go with it.
pub async fn delete(
    state: &AppState,
    actor: &Actor,
    id: i64,
    version: Option<i32>,
) -> Result<(), AppError> {
    actor.require(Role::Operator, WRITE)?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = store::groups::find_for_update(&mut tx, id).await?;
    if let Some(seen) = version {
        AppError::check_version("Group", id, before.version, seen)?;
    }
    let (names, total) = store::groups::member_names(&mut tx, id, NAMES_SHOWN as i64).await?;
    if total > 0 && !before.is_automatic() {
        let shown = name_some_of(&names, usize::try_from(total).unwrap_or(usize::MAX));
        return Err(AppError::conflict(format!(
            "Group '{}' still has {total} resource{} ({shown}); disassociate or transfer them first.",
            before.spec.name,
            if total == 1 { "" } else { "s" },
        )));
    }
    // An automatic group lets its resources go with it: each leaves on the record.
    let members: Vec<(i64, i64)> = store::groups::members(&mut tx, id)
        .await?
        .into_iter()
        .map(|resource| (id, resource))
        .collect();
    record_moves(&mut tx, actor, now, &[], &members, "group deleted").await?;
    store::groups::delete(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("group", id, "delete").before(&before),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records, per group, which resources joined and which left it, and why.
async fn record_moves(
    conn: &mut PgConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    added: &[(i64, i64)],
    removed: &[(i64, i64)],
    by: &str,
) -> Result<(), AppError> {
    let mut per_group: BTreeMap<i64, (Vec<i64>, Vec<i64>)> = BTreeMap::new();
    for (g, r) in added {
        per_group.entry(*g).or_default().0.push(*r);
    }
    for (g, r) in removed {
        per_group.entry(*g).or_default().1.push(*r);
    }
    let mut changes = Vec::new();
    for (group, (mut added, mut removed)) in per_group {
        added.sort_unstable();
        removed.sort_unstable();
        if !added.is_empty() {
            changes.push(
                Change::new("group", group, "associate")
                    .after(&json!({"resource_ids": added, "by": by})),
            );
        }
        if !removed.is_empty() {
            changes.push(
                Change::new("group", group, "disassociate")
                    .after(&json!({"resource_ids": removed, "by": by})),
            );
        }
    }
    if !changes.is_empty() {
        record_many(conn, actor, now, changes).await?;
    }
    Ok(())
}

/// Makes an automatic group hold exactly the resources its rule matches.
async fn sync_in(
    conn: &mut PgConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    group: &Group,
) -> Result<AssociationResult, AppError> {
    let Some(rule) = &group.spec.rule else {
        return Err(AppError::conflict(format!(
            "Group '{}' is manual: it has no rule to sync.",
            group.spec.name
        )));
    };
    let wanted: HashSet<i64> = store::groups::candidates(conn, &rule.tags)
        .await?
        .into_iter()
        .filter(|c| {
            ResourceType::parse(&c.resource_type)
                .is_some_and(|t| rule.matches_parts(&c.name, t, &c.tags.0))
        })
        .map(|c| c.id)
        .collect();
    let current: HashSet<i64> = store::groups::members(conn, group.id)
        .await?
        .into_iter()
        .collect();
    let added: Vec<(i64, i64)> = wanted
        .difference(&current)
        .map(|r| (group.id, *r))
        .collect();
    let removed: Vec<(i64, i64)> = current
        .difference(&wanted)
        .map(|r| (group.id, *r))
        .collect();
    store::groups::associate(conn, &added, now).await?;
    store::groups::disassociate(conn, &removed).await?;
    store::groups::mark_synced(conn, group.id, now).await?;
    record_moves(conn, actor, now, &added, &removed, "rule").await?;
    let mut changed: Vec<i64> = added.iter().chain(&removed).map(|p| p.1).collect();
    changed.sort_unstable();
    let mut unchanged: Vec<i64> = wanted.intersection(&current).copied().collect();
    unchanged.sort_unstable();
    Ok(AssociationResult { changed, unchanged })
}

/// "Sync now": re-evaluates an automatic group's rule over the whole inventory.
pub async fn sync(state: &AppState, actor: &Actor, id: i64) -> Result<AssociationResult, AppError> {
    actor.require(Role::Operator, WRITE)?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let group = store::groups::find_for_update(&mut tx, id).await?;
    let result = sync_in(&mut tx, actor, now, &group).await?;
    if result.changed.is_empty() {
        // Nothing moved, but the sync itself is worth a line in the history.
        record(
            &mut tx,
            actor,
            now,
            Change::new("group", id, "sync").after(&json!({"resources": result.unchanged.len()})),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(result)
}

/// Brings every automatic group in step with resources that were just created or changed,
/// inside the caller's transaction.
pub async fn reevaluate(
    conn: &mut PgConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    changed: &[&Resource],
) -> Result<(), AppError> {
    if changed.is_empty() {
        return Ok(());
    }
    let groups = store::groups::automatic(conn).await?;
    if groups.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = changed.iter().map(|r| r.id).collect();
    let current: HashSet<(i64, i64)> = store::groups::automatic_memberships(conn, &ids)
        .await?
        .into_iter()
        .collect();
    let mut wanted = HashSet::new();
    for resource in changed {
        for group in &groups {
            if group
                .spec
                .rule
                .as_ref()
                .is_some_and(|rule| rule.matches(&resource.spec))
            {
                wanted.insert((group.id, resource.id));
            }
        }
    }
    let added: Vec<(i64, i64)> = wanted.difference(&current).copied().collect();
    let removed: Vec<(i64, i64)> = current.difference(&wanted).copied().collect();
    store::groups::associate(conn, &added, now).await?;
    store::groups::disassociate(conn, &removed).await?;
    record_moves(conn, actor, now, &added, &removed, "rule").await
}

/// Records that resources about to be deleted leave their groups (the rows go with them).
pub async fn forget(
    conn: &mut PgConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    resource_ids: &[i64],
) -> Result<(), AppError> {
    let pairs = store::groups::memberships(conn, resource_ids).await?;
    record_moves(conn, actor, now, &[], &pairs, "resource deleted").await
}

/// Refuses ids that name no resource.
async fn check_exist(conn: &mut PgConnection, ids: &[i64]) -> Result<(), AppError> {
    let found = store::groups::existing_resources(conn, ids).await?;
    AppError::check_known("resource_ids", "resource", ids, &found)
}

/// Puts resources into a manual group by hand.
pub async fn associate(
    state: &AppState,
    actor: &Actor,
    id: i64,
    ids: &[i64],
) -> Result<AssociationResult, AppError> {
    actor.require(Role::Operator, WRITE)?;
    let ids = resource_ids(ids, ASSOCIATE_MAX)?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let group = store::groups::find_for_update(&mut tx, id).await?;
    group.require_manual()?;
    check_exist(&mut tx, &ids).await?;
    let held = held_set(&mut tx, id, &ids).await?;
    let (unchanged, changed): (Vec<i64>, Vec<i64>) = ids.iter().partition(|r| held.contains(r));
    let pairs: Vec<(i64, i64)> = changed.iter().map(|r| (id, *r)).collect();
    store::groups::associate(&mut tx, &pairs, now).await?;
    record_moves(&mut tx, actor, now, &pairs, &[], "hand").await?;
    tx.commit().await?;
    Ok(AssociationResult { changed, unchanged })
}

/// Takes resources out of a manual group.
pub async fn disassociate(
    state: &AppState,
    actor: &Actor,
    id: i64,
    ids: &[i64],
) -> Result<AssociationResult, AppError> {
    actor.require(Role::Operator, WRITE)?;
    let ids = resource_ids(ids, ASSOCIATE_MAX)?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let group = store::groups::find_for_update(&mut tx, id).await?;
    group.require_manual()?;
    let held = held_set(&mut tx, id, &ids).await?;
    let (changed, unchanged): (Vec<i64>, Vec<i64>) = ids.iter().partition(|r| held.contains(r));
    let pairs: Vec<(i64, i64)> = changed.iter().map(|r| (id, *r)).collect();
    store::groups::disassociate(&mut tx, &pairs).await?;
    record_moves(&mut tx, actor, now, &[], &pairs, "hand").await?;
    tx.commit().await?;
    Ok(AssociationResult { changed, unchanged })
}

/// Moves up to 100 associations from one manual group to another in one step.
pub async fn transfer(
    state: &AppState,
    actor: &Actor,
    id: i64,
    target_id: i64,
    ids: &[i64],
) -> Result<AssociationResult, AppError> {
    actor.require(Role::Operator, WRITE)?;
    let ids = resource_ids(ids, TRANSFER_MAX)?;
    if target_id == id {
        return Err(AppError::invalid(
            "target_group_id",
            "must be another group than the source",
        ));
    }
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    // Lock in id order so two opposite transfers cannot deadlock.
    let (source, target) = if id < target_id {
        let s = store::groups::find_for_update(&mut tx, id).await?;
        (s, lock_target(&mut tx, target_id).await?)
    } else {
        let t = lock_target(&mut tx, target_id).await?;
        (store::groups::find_for_update(&mut tx, id).await?, t)
    };
    source.require_manual()?;
    target.require_manual()?;
    let held = held_set(&mut tx, id, &ids).await?;
    let missing: Vec<String> = ids
        .iter()
        .filter(|r| !held.contains(r))
        .map(ToString::to_string)
        .collect();
    if !missing.is_empty() {
        return Err(AppError::invalid(
            "resource_ids",
            format!(
                "resource {} {} not in group '{}'",
                missing.join(", "),
                if missing.len() == 1 { "is" } else { "are" },
                source.spec.name
            ),
        ));
    }
    let out: Vec<(i64, i64)> = ids.iter().map(|r| (id, *r)).collect();
    let into: Vec<(i64, i64)> = ids.iter().map(|r| (target_id, *r)).collect();
    store::groups::disassociate(&mut tx, &out).await?;
    store::groups::associate(&mut tx, &into, now).await?;
    let detail = json!({
        "resource_ids": ids,
        "from_group_id": id,
        "to_group_id": target_id,
    });
    record_many(
        &mut tx,
        actor,
        now,
        vec![
            Change::new("group", id, "transfer_out").after(&detail),
            Change::new("group", target_id, "transfer_in").after(&detail),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(AssociationResult {
        changed: ids,
        unchanged: vec![],
    })
}

async fn held_set(
    conn: &mut PgConnection,
    group: i64,
    ids: &[i64],
) -> Result<HashSet<i64>, AppError> {
    Ok(store::groups::held(conn, group, ids)
        .await?
        .into_iter()
        .collect())
}

async fn lock_target(conn: &mut PgConnection, id: i64) -> Result<Group, AppError> {
    match store::groups::find_for_update(conn, id).await {
        Err(AppError::NotFound { .. }) => Err(AppError::invalid(
            "target_group_id",
            format!("no group has id {id}"),
        )),
        other => other,
    }
}
