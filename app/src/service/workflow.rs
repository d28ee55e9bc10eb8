//! The ticket kernel's use cases: every action on every kind of ticket runs through [`act`]
//! (lock, version, rules, typed command, decision, save, timeline, audit, news), and every change
//! of a ticket writes a line in its timeline and a record in the audit log, both in the caller's
//! transaction. A kind brings its domain rules ([`Ticket`]) and how it is kept ([`Kept`]).

use super::Actor;
use super::audit::{Change, record};
use crate::domain::AppError;
use crate::domain::enums::Named;
use crate::domain::user::Role;
use crate::domain::workflow::{
    ActionRequest, Found, Params, Party, Ticket, allowed, check, diff, may_attach,
};
use crate::state::AppState;
use crate::store;
use crate::store::history::NewHistory;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use std::future::Future;

/// How a kind of ticket is kept, and what its actions do beyond the ticket itself.
pub trait Kept: Ticket {
    /// What the caller does, for refusals: "working incidents".
    const WORK: &'static str;
    /// What reading does: "reading incidents".
    const READ: &'static str;
    /// Fields whose change the timeline does not spell out.
    const SKIP: &'static [&'static str] = &[];

    fn find(
        conn: &mut PgConnection,
        id: i64,
    ) -> impl Future<Output = Result<Option<Self>, AppError>> + Send;

    /// The ticket with its row locked for a change; 404 when there is none.
    fn lock(
        conn: &mut PgConnection,
        id: i64,
    ) -> impl Future<Output = Result<Self, AppError>> + Send;

    /// What the rules need beyond the ticket, at `now`.
    fn facts(
        conn: &mut PgConnection,
        ticket: &Self,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Self::Facts, AppError>> + Send;

    /// What an allowed command needs from the database before it is decided: the person an
    /// assignment resolves to, or what it opens (a war room, an improvement).
    fn look_up(
        state: &AppState,
        conn: &mut PgConnection,
        actor: &Actor,
        ticket: &Self,
        command: &Self::Command,
    ) -> impl Future<Output = Result<Found, AppError>> + Send;

    /// Writes the decided ticket; returns it as stored.
    fn store(
        conn: &mut PgConnection,
        before: &Self,
        after: &Self,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Self, AppError>> + Send;

    /// Tells whoever `action` concerns.
    fn announce(
        conn: &mut PgConnection,
        actor: &Actor,
        before: &Self,
        after: &Self,
        action: Self::Action,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), AppError>> + Send;
}

fn party<K: Ticket>(ticket: &K, actor: &Actor) -> Party {
    ticket.party(actor.id(), actor.role())
}

/// Ticket `id`, or 404.
pub async fn find<K: Kept>(conn: &mut PgConnection, id: i64) -> Result<K, AppError> {
    K::find(conn, id)
        .await?
        .ok_or_else(|| AppError::not_found(K::NOUN, id))
}

/// What the caller may do with `ticket` now, and whether they may attach files to it.
pub async fn offer<K: Kept>(
    conn: &mut PgConnection,
    actor: &Actor,
    ticket: &K,
    now: DateTime<Utc>,
) -> Result<(Vec<K::Action>, bool), AppError> {
    let facts = K::facts(conn, ticket, now).await?;
    let party = party(ticket, actor);
    Ok((
        allowed(ticket, &facts, party),
        may_attach(ticket, &facts, party),
    ))
}

/// What the caller may do with ticket `id` now.
pub async fn actions<K: Kept>(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<Vec<K::Action>, AppError> {
    actor.require(Role::Viewer, K::READ)?;
    let mut conn = state.pool.acquire().await?;
    let ticket = find::<K>(&mut conn, id).await?;
    Ok(offer(&mut conn, actor, &ticket, state.now()).await?.0)
}

/// Takes one action on ticket `id`: checked against the version the caller saw and the kind's
/// rules, read into its typed command, decided, and written with its timeline line, audit
/// record and news in one transaction.
pub async fn act<K: Kept>(
    state: &AppState,
    actor: &Actor,
    id: i64,
    request: ActionRequest<K::Action>,
) -> Result<K, AppError> {
    let ActionRequest {
        action,
        params,
        version,
    } = request;
    take(state, actor, id, action, version, Params::Json(params)).await
}

/// [`act`], with the parameters as they came (a console form's fields, or JSON).
pub async fn take<K: Kept>(
    state: &AppState,
    actor: &Actor,
    id: i64,
    action: K::Action,
    version: i32,
    params: Params,
) -> Result<K, AppError> {
    actor.require(Role::Operator, K::WORK)?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let before = K::lock(&mut tx, id).await?;
    AppError::check_version(K::NOUN, id, before.version(), version)?;
    let facts = K::facts(&mut tx, &before, now).await?;
    check(&before, &facts, action, party(&before, actor))?;
    let command = K::command(action, &params)?;
    let found = Found {
        by: actor.id(),
        ..K::look_up(state, &mut tx, actor, &before, &command).await?
    };
    let decision = before.decide(command, found, now)?;
    let stored = save(
        &mut tx,
        actor,
        now,
        &before,
        &decision.after,
        action.wire(),
        &decision.comment,
    )
    .await?;
    K::announce(&mut tx, actor, &before, &stored, action, now).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Writes a change of a ticket with its timeline line and its audit record, inside the
/// caller's transaction; returns the ticket as stored.
pub(crate) async fn save<K: Kept>(
    conn: &mut PgConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    before: &K,
    after: &K,
    action: &str,
    comment: &str,
) -> Result<K, AppError> {
    let stored = K::store(conn, before, after, now).await?;
    log(
        conn,
        actor,
        now,
        Step {
            ticket: K::KIND,
            id: before.id(),
            action,
            comment,
            before: Some((before, before.status().wire())),
            after: (&stored, stored.status().wire()),
        },
        K::SKIP,
    )
    .await?;
    Ok(stored)
}

/// Records the first line of a new ticket's timeline (`comment` says where it came from).
pub(crate) async fn opened<K: Kept>(
    conn: &mut PgConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    ticket: &K,
    comment: &str,
) -> Result<(), AppError> {
    log(
        conn,
        actor,
        now,
        Step {
            ticket: K::KIND,
            id: ticket.id(),
            action: "create",
            comment,
            before: None,
            after: (ticket, ticket.status().wire()),
        },
        K::SKIP,
    )
    .await
}

/// One step of a ticket: the ticket as it was (absent when it is new) and as it is now, each
/// with its state.
pub(crate) struct Step<'a, T> {
    /// A ticket kind (`Ticket::KIND`), or `war_room`.
    pub ticket: &'a str,
    pub id: i64,
    pub action: &'a str,
    pub comment: &'a str,
    pub before: Option<(&'a T, &'a str)>,
    pub after: (&'a T, &'a str),
}

/// Records `step`; `skip` names fields whose change is not worth a timeline mention.
pub(crate) async fn log<T: Serialize>(
    conn: &mut PgConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    step: Step<'_, T>,
    skip: &[&str],
) -> Result<(), AppError> {
    let diff = match step.before {
        Some((before, _)) => diff(before, step.after.0, skip),
        None => serde_json::json!({}),
    };
    store::history::add(
        conn,
        NewHistory {
            ticket: step.ticket,
            ticket_id: step.id,
            at: now,
            actor_id: actor.id(),
            actor_name: actor.name(),
            action: step.action,
            status_before: step.before.map(|(_, s)| s),
            status_after: step.after.1,
            comment: step.comment,
            changes: diff,
        },
    )
    .await?;
    let mut change = Change::new(step.ticket, step.id, step.action).after(step.after.0);
    if let Some((before, _)) = step.before {
        change = change.before(before);
    }
    record(conn, actor, now, change).await.map(|_| ())
}

/// Refuses an application id that names no application.
pub(crate) async fn check_application(
    conn: &mut PgConnection,
    id: Option<i64>,
) -> Result<(), AppError> {
    match id {
        Some(app) if !store::applications::hold(conn, app).await? => Err(AppError::invalid(
            "application_id",
            format!("no application has id {app}"),
        )),
        _ => Ok(()),
    }
}

/// The display name of a user, if there is one.
pub(crate) async fn user_name(conn: &mut PgConnection, id: i64) -> Result<String, AppError> {
    Ok(store::users::find(conn, id)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default())
}

/// The name of an application, if the id names one.
pub(crate) async fn application_name(
    conn: &mut PgConnection,
    id: Option<i64>,
) -> Result<Option<String>, AppError> {
    Ok(match id {
        Some(a) => store::applications::find(conn, a)
            .await?
            .map(|a| a.spec.name),
        None => None,
    })
}
