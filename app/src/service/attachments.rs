//! Files on incidents and problems: at most ten per ticket, each checked by content, each in the
//! ticket's timeline and the audit log.

use super::Actor;
use super::workflow::{self, Kept, Step, log};
use crate::domain::AppError;
use crate::domain::attachment::{Attachment, MAX_FILES, check};
use crate::domain::enums::Named;
use crate::domain::user::Role;
use crate::domain::workflow::check_attach;
use crate::state::AppState;
use crate::store;
use crate::store::attachments::NewAttachment;
use sha2::{Digest, Sha256};

/// Attaches a file to ticket `id` of kind `K`, where its workflow takes remarks from the
/// caller.
pub async fn add<K: Kept>(
    state: &AppState,
    actor: &Actor,
    id: i64,
    filename: &str,
    bytes: &[u8],
) -> Result<Attachment, AppError> {
    actor.require(Role::Operator, "attaching files")?;
    let (name, kind) = check(filename, bytes)?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let ticket = K::lock(&mut tx, id).await?;
    let facts = K::facts(&mut tx, &ticket, now).await?;
    check_attach(&ticket, &facts, ticket.party(actor.id(), actor.role()))?;
    if store::attachments::count(&mut tx, K::KIND, id).await? >= MAX_FILES {
        return Err(AppError::conflict(format!(
            "This {} has {MAX_FILES} files already, the most it may have.",
            K::KIND
        )));
    }
    let sha256 = hex::encode(Sha256::digest(bytes));
    let stored = store::attachments::insert(
        &mut tx,
        NewAttachment {
            ticket: K::KIND,
            ticket_id: id,
            filename: &name,
            content_type: kind.content_type(),
            sha256: &sha256,
            data: bytes,
            uploaded_by: actor.id(),
            uploader: actor.name(),
            at: now,
        },
    )
    .await?;
    log(
        &mut tx,
        actor,
        now,
        Step {
            ticket: K::KIND,
            id,
            action: "attach",
            comment: &name,
            before: None,
            after: (&stored, ticket.status().wire()),
        },
        &[],
    )
    .await?;
    tx.commit().await?;
    Ok(stored)
}

/// The files on ticket `id` of kind `K`.
pub async fn list<K: Kept>(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<Vec<Attachment>, AppError> {
    actor.require(Role::Viewer, "reading attachments")?;
    let mut conn = state.pool.acquire().await?;
    workflow::find::<K>(&mut conn, id).await?;
    store::attachments::of(&mut conn, K::KIND, id).await
}

/// Bytes of a file read from the database at a time while it is sent.
const PIECE: i32 = 256 * 1024;

/// A file's facts and its content as a stream of pieces, so sending a file holds one piece in
/// memory, not the file. A file deleted while it is sent ends the stream with an error.
pub async fn download(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<
    (
        Attachment,
        impl futures::Stream<Item = Result<Vec<u8>, AppError>> + Send + 'static,
    ),
    AppError,
> {
    actor.require(Role::Viewer, "reading attachments")?;
    let mut conn = state.pool.acquire().await?;
    let file = store::attachments::find(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("Attachment", id))?;
    drop(conn);
    let (pool, size) = (state.pool.clone(), file.size_bytes);
    let pieces = futures::stream::try_unfold(0, move |from| {
        let pool = pool.clone();
        async move {
            if from >= size {
                return Ok(None);
            }
            let mut conn = pool.acquire().await?;
            let piece = store::attachments::piece(&mut conn, id, from, PIECE)
                .await?
                .filter(|p| !p.is_empty())
                .ok_or_else(|| AppError::not_found("Attachment", id))?;
            let next = from.saturating_add(i32::try_from(piece.len()).unwrap_or(PIECE));
            Ok(Some((piece, next)))
        }
    });
    Ok((file, pieces))
}
