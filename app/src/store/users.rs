//! The `users` table.

use super::order_by;
use crate::domain::AppError;
use crate::domain::list::{Page, Window};
use crate::domain::user::{NewUser, Role, User, UserFilter};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, Postgres, QueryBuilder};

const COLUMNS: &str = "id, username, display_name, email, phone, role, active, version, \
                       created_at, updated_at, last_login_at";

pub const SORTABLE: &[&str] = &[
    "id",
    "username",
    "display_name",
    "role",
    "created_at",
    "last_login_at",
];

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    email: String,
    phone: String,
    role: String,
    active: bool,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    last_login_at: Option<DateTime<Utc>>,
}

impl TryFrom<UserRow> for User {
    type Error = AppError;

    fn try_from(r: UserRow) -> Result<User, AppError> {
        Ok(User {
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            email: r.email,
            phone: r.phone,
            role: Role::parse(&r.role)
                .ok_or_else(|| super::internal(format!("unknown role {}", r.role)))?,
            active: r.active,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
            last_login_at: r.last_login_at,
        })
    }
}

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<User>, AppError> {
    let row: Option<UserRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    row.map(User::try_from).transpose()
}

/// Locks the row for the rest of the transaction.
pub async fn find_for_update(conn: &mut PgConnection, id: i64) -> Result<User, AppError> {
    let row: Option<UserRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM users WHERE id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(User::try_from)
        .transpose()?
        .ok_or_else(|| AppError::not_found("User", id))
}

/// The user and their password hash, for a login.
pub async fn find_credentials(
    conn: &mut PgConnection,
    username: &str,
) -> Result<Option<(User, String)>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        password_hash: String,
    }
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS}, password_hash FROM users WHERE username = $1"
    ))
    .bind(username)
    .fetch_optional(conn)
    .await?;
    row.map(|r| Ok((User::try_from(r.user)?, r.password_hash)))
        .transpose()
}

pub async fn password_hash(conn: &mut PgConnection, id: i64) -> Result<String, AppError> {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| AppError::not_found("User", id))
}

pub async fn count(conn: &mut PgConnection) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(conn)
        .await?)
}

pub async fn count_active_admins(conn: &mut PgConnection) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'admin' AND active")
            .fetch_one(conn)
            .await?,
    )
}

/// The active administrators, oldest account first: who is told when nobody else is.
pub async fn active_admins(conn: &mut PgConnection) -> Result<Vec<i64>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM users WHERE role = 'admin' AND active ORDER BY id")
            .fetch_all(conn)
            .await?,
    )
}

pub async fn username_taken(conn: &mut PgConnection, username: &str) -> Result<bool, AppError> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE username = $1)")
            .bind(username)
            .fetch_one(conn)
            .await?,
    )
}

pub fn taken(username: &str) -> AppError {
    super::constraints::taken("users_username_key", username)
}

pub async fn insert(
    conn: &mut PgConnection,
    user: &NewUser,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<User, AppError> {
    let row: UserRow = sqlx::query_as(&format!(
        "INSERT INTO users (username, display_name, email, phone, role, password_hash, \
                            created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {COLUMNS}"
    ))
    .bind(&user.username)
    .bind(&user.display_name)
    .bind(&user.email)
    .bind(&user.phone)
    .bind(user.role.as_str())
    .bind(password_hash)
    .bind(now)
    .fetch_one(conn)
    .await?;
    row.try_into()
}

/// Writes the editable fields of `user`, bumping the version.
pub async fn update(
    conn: &mut PgConnection,
    user: &User,
    now: DateTime<Utc>,
) -> Result<User, AppError> {
    let row: UserRow = sqlx::query_as(&format!(
        "UPDATE users SET display_name = $2, email = $3, phone = $4, role = $5, active = $6, \
                          version = version + 1, updated_at = $7 \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(user.id)
    .bind(&user.display_name)
    .bind(&user.email)
    .bind(&user.phone)
    .bind(user.role.as_str())
    .bind(user.active)
    .bind(now)
    .fetch_one(conn)
    .await?;
    row.try_into()
}

pub async fn set_password(
    conn: &mut PgConnection,
    id: i64,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<User, AppError> {
    let row: UserRow = sqlx::query_as(&format!(
        "UPDATE users SET password_hash = $2, version = version + 1, updated_at = $3 \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(password_hash)
    .bind(now)
    .fetch_one(conn)
    .await?;
    row.try_into()
}

pub async fn touch_login(
    conn: &mut PgConnection,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET last_login_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

fn push_filter<'a>(q: &mut QueryBuilder<'a, Postgres>, filter: &'a UserFilter) {
    q.push(" WHERE TRUE");
    if let Some(text) = filter.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = format!("%{}%", escape_like(text));
        q.push(" AND (username ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR display_name ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR email ILIKE ")
            .push_bind(pattern)
            .push(")");
    }
    if let Some(role) = filter.role {
        q.push(" AND role = ").push_bind(role.as_str());
    }
    if let Some(active) = filter.active {
        q.push(" AND active = ").push_bind(active);
    }
}

/// Escapes `%`, `_` and `\` so user text matches literally inside a LIKE pattern.
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

pub async fn list(
    conn: &mut PgConnection,
    filter: &UserFilter,
    window: Window,
) -> Result<Page<User>, AppError> {
    let mut count = QueryBuilder::new("SELECT count(*) FROM users");
    push_filter(&mut count, filter);
    let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;

    let mut q = QueryBuilder::new(format!("SELECT {COLUMNS} FROM users"));
    push_filter(&mut q, filter);
    q.push(" ")
        .push(order_by(window.sort))
        .push(" LIMIT ")
        .push_bind(i64::from(window.per_page))
        .push(" OFFSET ")
        .push_bind(window.offset());
    let rows: Vec<UserRow> = q.build_query_as().fetch_all(conn).await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(User::try_from)
            .collect::<Result<_, _>>()?,
        total,
        total_capped: false,
        page: window.page,
        per_page: window.per_page,
        next: None,
        previous: None,
    })
}

/// Active users per role.
pub async fn count_by_role(conn: &mut PgConnection) -> Result<Vec<(Role, i64)>, AppError> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT role, count(*) FROM users WHERE active GROUP BY role")
            .fetch_all(conn)
            .await?;
    Ok(Role::ALL
        .iter()
        .map(|role| {
            let n = rows
                .iter()
                .find(|(r, _)| r == role.as_str())
                .map_or(0, |(_, n)| *n);
            (*role, n)
        })
        .collect())
}

pub async fn count_inactive(conn: &mut PgConnection) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM users WHERE NOT active")
            .fetch_one(conn)
            .await?,
    )
}

/// The users with these ids, in no particular order.
pub async fn many(conn: &mut PgConnection, ids: &[i64]) -> Result<Vec<User>, AppError> {
    let rows: Vec<UserRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE id = ANY($1)"))
            .bind(ids)
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(User::try_from).collect()
}

/// (username, id) of the users with these usernames.
pub async fn ids_by_username(
    conn: &mut PgConnection,
    usernames: &[String],
) -> Result<Vec<(String, i64)>, AppError> {
    Ok(
        sqlx::query_as("SELECT username, id FROM users WHERE username = ANY($1)")
            .bind(usernames)
            .fetch_all(conn)
            .await?,
    )
}

/// Active operators and administrators as (id, display name, username), by name: the people
/// work can be assigned to.
pub async fn assignable(conn: &mut PgConnection) -> Result<Vec<(i64, String, String)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, display_name, username FROM users \
         WHERE active AND role IN ('operator', 'admin') ORDER BY display_name, id",
    )
    .fetch_all(conn)
    .await?)
}
