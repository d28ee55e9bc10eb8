//! Files on incidents and problems: at most ten per ticket, each checked by content, each in the
//! ticket's timeline and the audit log.

use super::Actor;
use super::tickets::{Step, log};
use crate::domain::AppError;
use crate::domain::attachment::{Attachment, MAX_FILES, check};
use crate::domain::user::Role;
use crate::state::AppState;
use crate::store;
use crate::store::attachments::NewAttachment;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;

/// The kinds of ticket that take files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ticket {
    Incident,
    Problem,
}

impl Ticket {
    pub fn as_str(self) -> &'static str {
        match self {
            Ticket::Incident => "incident",
            Ticket::Problem => "problem",
        }
    }

    /// The ticket's state (locking its row when `lock`), or 404.
    async fn status(
        self,
        conn: &mut PgConnection,
        id: i64,
        lock: bool,
    ) -> Result<String, AppError> {
        let status = match self {
            Ticket::Incident if lock => Some(
                store::incidents::find_for_update(conn, id)
                    .await?
                    .status
                    .to_string(),
            ),
            Ticket::Incident => store::incidents::find(conn, id)
                .await?
                .map(|i| i.status.to_string()),
            Ticket::Problem if lock => Some(
                store::problems::find_for_update(conn, id)
                    .await?
                    .status
                    .to_string(),
            ),
            Ticket::Problem => store::problems::find(conn, id)
                .await?
                .map(|p| p.status.to_string()),
        };
        let noun = if self == Ticket::Incident {
            "Incident"
        } else {
            "Problem"
        };
        status.ok_or_else(|| AppError::not_found(noun, id))
    }
}

/// Attaches a file to a ticket.
pub async fn add(
    state: &AppState,
    actor: &Actor,
    ticket: Ticket,
    id: i64,
    filename: &str,
    bytes: &[u8],
) -> Result<Attachment, AppError> {
    actor.require(Role::Operator, "attaching files")?;
    let (name, kind) = check(filename, bytes)?;
    let now = state.now();
    let mut tx = state.pool.begin().await?;
    let status = ticket.status(&mut tx, id, true).await?;
    if store::attachments::count(&mut tx, ticket.as_str(), id).await? >= MAX_FILES {
        return Err(AppError::conflict(format!(
            "This {} has {MAX_FILES} files already, the most it may have.",
            ticket.as_str()
        )));
    }
    let sha256 = hex::encode(Sha256::digest(bytes));
    let stored = store::attachments::insert(
        &mut tx,
        NewAttachment {
            ticket: ticket.as_str(),
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
            ticket: ticket.as_str(),
            id,
            action: "attach",
            comment: &name,
            before: None,
            after: (&stored, &status),
        },
        &[],
    )
    .await?;
    tx.commit().await?;
    Ok(stored)
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    ticket: Ticket,
    id: i64,
) -> Result<Vec<Attachment>, AppError> {
    actor.require(Role::Viewer, "reading attachments")?;
    let mut conn = state.pool.acquire().await?;
    ticket.status(&mut conn, id, false).await?;
    store::attachments::of(&mut conn, ticket.as_str(), id).await
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
