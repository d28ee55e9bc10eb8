//! SQL per aggregate: parameterized queries that read and write domain types.

pub mod alarms;
pub mod applications;
pub mod attachments;
pub mod audit;
pub mod calendar_feeds;
pub mod change_templates;
pub mod changes;
pub mod constraints;
pub mod data_sources;
pub mod deliveries;
pub mod forwarding_rules;
pub mod freezes;
pub mod groups;
pub mod history;
pub mod imports;
pub mod improvements;
pub mod incidents;
pub mod login_failures;
pub mod notifications;
pub mod problems;
pub mod resources;
pub mod review_flows;
pub mod schedules;
pub mod tokens;
pub mod users;
pub mod war_rooms;

use crate::domain::AppError;

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            e if connection_lost(&e) => {
                tracing::error!(error = %e, "database unavailable");
                AppError::unavailable("the database is not reachable")
            }
            // Deadlocks and serialization failures undo the whole transaction: a retry can work.
            sqlx::Error::Database(ref db)
                if matches!(db.code().as_deref(), Some("40P01" | "40001")) =>
            {
                tracing::warn!(error = %e, "transaction aborted by a conflict");
                AppError::unavailable("a concurrent change conflicted; try again")
            }
            sqlx::Error::Database(ref db) => match violation(db.as_ref()) {
                Some(client) => client,
                None => internal(&e),
            },
            other => internal(other),
        }
    }
}

/// The database could not be reached, or ended the session (a restart, an administrator) or
/// lost it: the next connection can work.
fn connection_lost(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("57P") || c.starts_with("08")),
        _ => false,
    }
}

/// A client's error for a violated constraint (the table in [`constraints`]), or for a value
/// the database cannot store; `None` for anything else.
fn violation(db: &dyn sqlx::error::DatabaseError) -> Option<AppError> {
    let pg = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()?;
    match pg.code() {
        "23505" | "23503" | "23514" => {
            constraints::client_error(pg.constraint()?, pg.message(), pg.detail().unwrap_or(""))
        }
        // Text the edge validation should have refused: too long for an index or a notice,
        // or holding a NUL. Answered as bad input, and logged so the missing bound is found.
        "54000" | "22001" | "22021" | "22P05" => {
            tracing::warn!(
                code = pg.code(),
                error = pg.message(),
                "unbounded input reached the database"
            );
            Some(AppError::invalid(
                "body",
                "a value is too long or holds characters that cannot be stored",
            ))
        }
        _ => None,
    }
}

/// Logs an unexpected failure under a short reference the caller can quote.
pub fn internal(e: impl std::fmt::Display) -> AppError {
    let reference = format!("{:08x}", rand::random::<u32>());
    tracing::error!(%reference, error = %e, "internal error");
    AppError::Internal { reference }
}

/// A closed-set value read back from the database; an unknown one is a server fault.
pub fn known<T>(value: Option<T>, what: &str, raw: &str) -> Result<T, AppError> {
    value.ok_or_else(|| internal(format!("unknown {what} '{raw}' in the database")))
}

/// `ORDER BY` text for a checked sort, with `id` as the tie-breaker so pages never overlap.
pub fn order_by(sort: crate::domain::list::Sort) -> String {
    ordered("", sort.field, sort.descending)
}

/// One page of a big table and its total, the way every big list reads. The total is counted
/// exactly up to [`COUNT_CAP`] rows and then stops (`total_capped`), so a broad filter costs no
/// more than a narrow one. The page's ids come first and only then their rows, so skipping to a
/// deep page walks index entries, not the rows it skips; a cursor skips nothing at all: it
/// starts next to its row in the sort order (`(field, id)` compared as a pair, which the
/// `(field, id)` indexes answer). Limits and offsets are written into the statement, not bound:
/// a prepared statement whose limit is a parameter gets a generic plan after five runs, and a
/// generic plan that cannot see the limit expects half the table (a hash join over every row
/// of the page query, a just-in-time compilation, where the real limit reads 21 index entries).
pub async fn page_of<'a, R, T>(
    conn: &mut sqlx::PgConnection,
    listing: Listing<'_>,
    filter: impl Fn(&mut sqlx::QueryBuilder<'a, sqlx::Postgres>),
    window: crate::domain::list::Window,
    id: impl Fn(&T) -> i64,
) -> Result<crate::domain::list::Page<T>, AppError>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
    T: TryFrom<R, Error = AppError>,
{
    use crate::domain::list::{COUNT_CAP, Cursor};
    let Listing {
        table,
        from,
        columns,
    } = listing;
    let mut count: sqlx::QueryBuilder<'a, sqlx::Postgres> =
        sqlx::QueryBuilder::new(format!("SELECT count(*) FROM (SELECT 1 FROM {table}"));
    filter(&mut count);
    count.push(format!(" LIMIT {}) AS capped", COUNT_CAP + 1));
    let counted: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;
    // Rows before a cursor are read backwards from it, then shown in the list's order.
    let backwards = matches!(window.cursor, Some(Cursor::Before(_)));
    let descending = window.sort.descending != backwards;
    let field = window.sort.field;
    let mut q: sqlx::QueryBuilder<'a, sqlx::Postgres> = sqlx::QueryBuilder::new(format!(
        "SELECT {columns} FROM {from} WHERE {table}.id IN (SELECT id FROM {table}"
    ));
    filter(&mut q);
    if let Some(Cursor::After(row) | Cursor::Before(row)) = window.cursor {
        let op = if descending { "<" } else { ">" };
        if field == "id" {
            q.push(format!(" AND id {op} ")).push_bind(row);
        } else {
            q.push(format!(
                " AND ({field}, id) {op} (SELECT {field}, id FROM {table} WHERE id = "
            ))
            .push_bind(row)
            .push(")");
        }
    }
    q.push(format!(
        " {} LIMIT {} OFFSET {}) ",
        ordered("", field, descending),
        i64::from(window.per_page) + 1,
        window.offset()
    ))
    .push(ordered(&format!("{table}."), field, descending));
    let rows: Vec<R> = q.build_query_as().fetch_all(conn).await?;
    let items = rows
        .into_iter()
        .map(T::try_from)
        .collect::<Result<Vec<T>, _>>()?;
    Ok(window.page(items, id, counted.min(COUNT_CAP), counted > COUNT_CAP))
}

/// What a big list reads: the table its filter, order and cursor apply to, and its rows'
/// columns and where they come from (the table, or the table joined to others).
#[derive(Clone, Copy)]
pub struct Listing<'s> {
    pub table: &'static str,
    pub from: &'s str,
    pub columns: &'s str,
}

impl<'s> Listing<'s> {
    /// Rows read from the table alone.
    pub const fn of(table: &'static str, columns: &'s str) -> Listing<'s> {
        Listing {
            table,
            from: table,
            columns,
        }
    }
}

/// `ORDER BY` text for a field of `prefix` (a table and a dot, or nothing), `id` breaking ties.
fn ordered(prefix: &str, field: &str, descending: bool) -> String {
    let dir = if descending { "DESC" } else { "ASC" };
    if field == "id" {
        format!("ORDER BY {prefix}id {dir}")
    } else {
        format!("ORDER BY {prefix}{field} {dir}, {prefix}id {dir}")
    }
}
