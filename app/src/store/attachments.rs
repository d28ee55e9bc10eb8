//! The `attachments` table: files kept with incidents and problems.

use crate::domain::AppError;
use crate::domain::attachment::Attachment;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

const COLUMNS: &str =
    "id, ticket, ticket_id, filename, content_type, size_bytes, sha256, uploader, at";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    ticket: String,
    ticket_id: i64,
    filename: String,
    content_type: String,
    size_bytes: i32,
    sha256: String,
    uploader: String,
    at: DateTime<Utc>,
}

impl From<Row> for Attachment {
    fn from(r: Row) -> Attachment {
        Attachment {
            id: r.id,
            ticket: r.ticket,
            ticket_id: r.ticket_id,
            filename: r.filename,
            content_type: r.content_type,
            size_bytes: r.size_bytes,
            sha256: r.sha256,
            uploader: r.uploader,
            at: r.at,
        }
    }
}

pub async fn of(
    conn: &mut PgConnection,
    ticket: &str,
    ticket_id: i64,
) -> Result<Vec<Attachment>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM attachments WHERE ticket = $1 AND ticket_id = $2 ORDER BY id"
    ))
    .bind(ticket)
    .bind(ticket_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Attachment::from).collect())
}

pub async fn count(conn: &mut PgConnection, ticket: &str, ticket_id: i64) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM attachments WHERE ticket = $1 AND ticket_id = $2")
            .bind(ticket)
            .bind(ticket_id)
            .fetch_one(conn)
            .await?,
    )
}

/// A new file's facts; its id is the database's.
pub struct NewAttachment<'a> {
    pub ticket: &'a str,
    pub ticket_id: i64,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub sha256: &'a str,
    pub data: &'a [u8],
    pub uploaded_by: Option<i64>,
    pub uploader: &'a str,
    pub at: DateTime<Utc>,
}

pub async fn insert(conn: &mut PgConnection, a: NewAttachment<'_>) -> Result<Attachment, AppError> {
    let size = i32::try_from(a.data.len()).map_err(super::internal)?;
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO attachments (ticket, ticket_id, filename, content_type, size_bytes, sha256, \
                                  data, uploaded_by, uploader, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {COLUMNS}"
    ))
    .bind(a.ticket)
    .bind(a.ticket_id)
    .bind(a.filename)
    .bind(a.content_type)
    .bind(size)
    .bind(a.sha256)
    .bind(a.data)
    .bind(a.uploaded_by)
    .bind(a.uploader)
    .bind(a.at)
    .fetch_one(conn)
    .await?;
    Ok(row.into())
}

/// A file's facts, without its content.
pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<Attachment>, AppError> {
    let found: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM attachments WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(found.map(Row::into))
}

/// `len` bytes of a file's content from byte `from` (counted from 0); `None` when the file is
/// gone. The content is stored uncompressed, so a piece reads only its own pages.
pub async fn piece(
    conn: &mut PgConnection,
    id: i64,
    from: i32,
    len: i32,
) -> Result<Option<Vec<u8>>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT substring(data FROM $2 FOR $3) FROM attachments WHERE id = $1")
            .bind(id)
            .bind(from.saturating_add(1))
            .bind(len)
            .fetch_optional(conn)
            .await?,
    )
}
