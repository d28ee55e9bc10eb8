//! Bulk import of resources: one transaction per file, planned and written a chunk at a time,
//! a report per row kept in its own table and read a page at a time.

use super::Actor;
use super::audit::{Change, record, record_many};
use crate::domain::AppError;
use crate::domain::import::{
    FIRST_REJECTED, ImportMode, ImportReport, ImportRow, ImportSummary, RowOutcome, RowReport, read,
};
use crate::domain::list::{ListParams, Sort};
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

/// Rows planned and written together. Each chunk's resources, audit records and group
/// changes are dropped before the next is read, so an import's memory grows with its chunk,
/// not its file; the per-row report is written to its own table as it goes.
const CHUNK: usize = 1_000;

/// Plans one chunk of rows against what exists (earlier chunks included) and, when `write`,
/// creates and updates what it plans, with their audit records and group changes.
async fn apply_chunk(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    now: chrono::DateTime<chrono::Utc>,
    rows: &[Result<ImportRow, RowReport>],
    write: bool,
) -> Result<Vec<RowReport>, AppError> {
    let valid: Vec<&ImportRow> = rows.iter().filter_map(|r| r.as_ref().ok()).collect();
    let ids: Vec<i64> = valid.iter().filter_map(|r| r.id).collect();
    let identities: Vec<_> = valid.iter().map(|r| identity(&r.draft)).collect();
    let existing = store::resources::find_matching(conn, &ids, &identities).await?;
    let by_id: HashMap<i64, &Resource> = existing.iter().map(|r| (r.id, r)).collect();
    let by_identity: HashMap<_, &Resource> =
        existing.iter().map(|r| (identity(&r.spec), r)).collect();

    let mut reports = Vec::with_capacity(rows.len());
    let mut plans = Vec::new();
    for row in rows {
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
    if !write {
        return Ok(reports);
    }
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
    let created = store::resources::insert_many(conn, &creates, now).await?;
    let by_identity: HashMap<_, &Resource> =
        created.iter().map(|r| (identity(&r.spec), r)).collect();
    for (index, draft) in create_rows.into_iter().zip(&creates) {
        reports[index].resource_id = by_identity.get(&identity(draft)).map(|r| r.id);
    }
    let updated = store::resources::update_many(conn, &updates, now).await?;
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
    record_many(conn, actor, now, changes).await?;
    let touched: Vec<&Resource> = created.iter().chain(&updated).collect();
    super::groups::reevaluate(conn, actor, now, &touched).await?;
    Ok(reports)
}

/// Reads `file` (CSV or JSON), creates or updates what its valid rows describe, and stores the
/// report. In `AllOrNothing` mode one rejected row means nothing is written. The answer
/// carries the counts and the first rejected rows; the whole report is paged by [`get`].
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
    let mut summary = ImportSummary {
        id: 0,
        at: now,
        actor: actor.name().to_owned(),
        mode,
        applied: false,
        created: 0,
        updated: 0,
        unchanged: 0,
        rejected: 0,
    };
    summary.id = store::imports::insert(&mut tx, &summary, actor.id()).await?;
    // All or nothing: a first pass that writes nothing finds whether any row is rejected.
    summary.applied = match mode {
        ImportMode::ValidOnly => true,
        ImportMode::AllOrNothing => {
            let mut dry = summary.clone();
            for chunk in rows.chunks(CHUNK) {
                dry.tally(&apply_chunk(&mut tx, actor, now, chunk, false).await?);
            }
            dry.rejected == 0
        }
    };
    for chunk in rows.chunks(CHUNK) {
        let reports = apply_chunk(&mut tx, actor, now, chunk, summary.applied).await?;
        summary.tally(&reports);
        if mode == ImportMode::AllOrNothing && summary.applied && summary.rejected > 0 {
            return Err(AppError::conflict(
                "a row clashes with one written earlier in the same file; nothing was written",
            ));
        }
        store::imports::insert_rows(&mut tx, summary.id, &reports).await?;
    }
    drop(rows);
    store::imports::update_counts(&mut tx, &summary).await?;
    record(
        &mut tx,
        actor,
        now,
        Change::new("resource_import", summary.id, "create").after(&serde_json::json!({
            "mode": mode,
            "applied": summary.applied,
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "rejected": summary.rejected,
        })),
    )
    .await?;
    let head = report_page(
        &mut tx,
        summary,
        Some(RowOutcome::Rejected),
        &ListParams {
            per_page: Some(FIRST_REJECTED),
            ..ListParams::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(head)
}

/// One page of an import's report, in file order.
async fn report_page(
    conn: &mut sqlx::PgConnection,
    summary: ImportSummary,
    outcome: Option<RowOutcome>,
    params: &ListParams,
) -> Result<ImportReport, AppError> {
    let window = params.window(
        &["line"],
        Sort {
            field: "line",
            descending: false,
        },
    )?;
    let rows = store::imports::rows(
        conn,
        summary.id,
        outcome,
        window.cursor,
        window.offset(),
        i64::from(window.per_page) + 1,
    )
    .await?;
    let total = i64::try_from(summary.rows_with(outcome)).unwrap_or(i64::MAX);
    Ok(ImportReport {
        rows: window.page(
            rows,
            |r| i64::try_from(r.line).unwrap_or(i64::MAX),
            total,
            false,
        ),
        outcome,
        summary,
    })
}

/// An import's counts and one page of its report (only rows with `outcome`, when given).
pub async fn get(
    state: &AppState,
    actor: &Actor,
    id: i64,
    outcome: Option<RowOutcome>,
    params: &ListParams,
) -> Result<ImportReport, AppError> {
    actor.require(Role::Viewer, "reading imports")?;
    let mut conn = state.pool.acquire().await?;
    let summary = store::imports::find(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("Import", id))?;
    report_page(&mut conn, summary, outcome, params).await
}

pub async fn recent(state: &AppState, actor: &Actor) -> Result<Vec<ImportSummary>, AppError> {
    actor.require(Role::Viewer, "reading imports")?;
    let mut conn = state.pool.acquire().await?;
    store::imports::recent(&mut conn, 10).await
}
