//! Bulk import of resources: one transaction per file, a report per row.

use super::Actor;
use super::audit::{Change, record, record_many};
use crate::domain::AppError;
use crate::domain::import::{ImportMode, ImportReport, ImportRow, RowOutcome, RowReport, read};
use crate::domain::resource::{Provider, Resource, ResourceDraft};
use crate::domain::user::Role;
use crate::state::AppState;
use crate::store;
use std::collections::HashMap;

/// What an import row will do to the inventory.
enum Plan<'a> {
    Create(ResourceDraft),
    Update(&'a Resource, ResourceDraft),
    Keep(i64),
}

fn identity(d: &ResourceDraft) -> (String, Provider, String) {
    (d.name.clone(), d.provider, d.region.clone())
}

/// Decides, for one checked row, between create, update and keep, against what exists.
fn plan<'a>(
    row: &ImportRow,
    by_id: &HashMap<i64, &'a Resource>,
    by_identity: &HashMap<(String, Provider, String), &'a Resource>,
) -> Result<Plan<'a>, String> {
    let named = by_identity.get(&identity(&row.draft)).copied();
    let target = match row.id {
        Some(id) => {
            let target = by_id
                .get(&id)
                .copied()
                .ok_or_else(|| format!("no resource has id {id}"))?;
            if let Some(other) = named.filter(|o| o.id != id) {
                return Err(format!(
                    "name, provider and region belong to resource {} already",
                    other.id
                ));
            }
            Some(target)
        }
        None => named,
    };
    Ok(match target {
        None => Plan::Create(row.draft.clone()),
        Some(existing) if existing.spec == row.draft => Plan::Keep(existing.id),
        Some(existing) => Plan::Update(existing, row.draft.clone()),
    })
}

/// Reads `file` (CSV or JSON), creates or updates what its valid rows describe, and stores the
/// report. In `AllOrNothing` mode one rejected row means nothing is written.
pub async fn import(
    state: &AppState,
    actor: &Actor,
    file: &[u8],
    mode: ImportMode,
) -> Result<ImportReport, AppError> {
    actor.require(Role::Operator, "importing resources")?;
    let rows = read(file)?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;

    let valid: Vec<&ImportRow> = rows.iter().filter_map(|r| r.as_ref().ok()).collect();
    let ids: Vec<i64> = valid.iter().filter_map(|r| r.id).collect();
    let identities: Vec<_> = valid.iter().map(|r| identity(&r.draft)).collect();
    let existing = store::resources::find_matching(&mut tx, &ids, &identities).await?;
    let by_id: HashMap<i64, &Resource> = existing.iter().map(|r| (r.id, r)).collect();
    let by_identity: HashMap<_, &Resource> =
        existing.iter().map(|r| (identity(&r.spec), r)).collect();

    let mut reports = Vec::with_capacity(rows.len());
    let mut plans = Vec::new();
    for row in &rows {
        match row {
            Err(report) => reports.push(report.clone()),
            Ok(row) => match plan(row, &by_id, &by_identity) {
                Err(reason) => reports.push(crate::domain::import::rejected(
                    row.line,
                    &row.draft.name,
                    reason,
                )),
                Ok(plan) => {
                    let (outcome, resource_id) = match &plan {
                        Plan::Create(_) => (RowOutcome::Created, None),
                        Plan::Update(before, _) => (RowOutcome::Updated, Some(before.id)),
                        Plan::Keep(id) => (RowOutcome::Unchanged, Some(*id)),
                    };
                    reports.push(RowReport {
                        line: row.line,
                        name: row.draft.name.clone(),
                        outcome,
                        resource_id,
                        reason: None,
                    });
                    plans.push((reports.len() - 1, plan));
                }
            },
        }
    }
    let rejected = ImportReport::count(&reports, RowOutcome::Rejected);
    let applied = !(mode == ImportMode::AllOrNothing && rejected > 0);

    if applied {
        let mut creates = Vec::new();
        let mut create_rows = Vec::new();
        let mut updates = Vec::new();
        let mut befores = HashMap::new();
        for (index, plan) in plans {
            match plan {
                Plan::Create(draft) => {
                    create_rows.push(index);
                    creates.push(draft);
                }
                Plan::Update(before, draft) => {
                    updates.push((before.id, draft));
                    befores.insert(before.id, before);
                }
                Plan::Keep(_) => {}
            }
        }
        let created = store::resources::insert_many(&mut tx, &creates, now).await?;
        let by_identity: HashMap<_, &Resource> =
            created.iter().map(|r| (identity(&r.spec), r)).collect();
        for (index, draft) in create_rows.into_iter().zip(&creates) {
            reports[index].resource_id = by_identity.get(&identity(draft)).map(|r| r.id);
        }
        let updated = store::resources::update_many(&mut tx, &updates, now).await?;
        let changes = created
            .iter()
            .map(|r| Change::new("resource", r.id, "create").after(r))
            .chain(updated.iter().map(|r| {
                let change = Change::new("resource", r.id, "update").after(r);
                match befores.get(&r.id) {
                    Some(before) => change.before(before),
                    None => change,
                }
            }))
            .collect();
        record_many(&mut tx, actor, now, changes).await?;
        let touched: Vec<&Resource> = created.iter().chain(&updated).collect();
        super::groups::reevaluate(&mut tx, actor, now, &touched).await?;
    }

    let mut report = ImportReport {
        id: 0,
        at: now,
        actor: actor.name().to_owned(),
        mode,
        applied,
        created: ImportReport::count(&reports, RowOutcome::Created),
        updated: ImportReport::count(&reports, RowOutcome::Updated),
        unchanged: ImportReport::count(&reports, RowOutcome::Unchanged),
        rejected,
        rows: reports,
    };
    report.id = store::imports::insert(&mut tx, &report, actor.id()).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("resource_import", report.id, "create").after(&serde_json::json!({
            "mode": mode,
            "applied": applied,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": report.rejected,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<ImportReport, AppError> {
    actor.require(Role::Viewer, "reading imports")?;
    let mut conn = state.pool.acquire().await?;
    store::imports::find(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("Import", id))
}

pub async fn recent(state: &AppState, actor: &Actor) -> Result<Vec<ImportReport>, AppError> {
    actor.require(Role::Viewer, "reading imports")?;
    let mut conn = state.pool.acquire().await?;
    store::imports::recent(&mut conn, 10).await
}
