//! The `applications` and `components` tables.

use super::order_by;
use super::users::escape_like;
use crate::domain::AppError;
use crate::domain::application::{
    Application, ApplicationDraft, ApplicationFilter, ApplicationSummary, Component,
    ComponentDraft, ComponentSummary,
};
use crate::domain::list::{Page, Window};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, Postgres, QueryBuilder};

pub const SORTABLE: &[&str] = &["id", "name", "created_at", "updated_at"];

const APP_COLUMNS: &str =
    "a.id, a.name, a.description, a.parent_id, a.version, a.created_at, a.updated_at";

#[derive(sqlx::FromRow)]
struct ApplicationRow {
    id: i64,
    name: String,
    description: String,
    parent_id: Option<i64>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<ApplicationRow> for Application {
    fn from(r: ApplicationRow) -> Application {
        Application {
            id: r.id,
            spec: ApplicationDraft {
                name: r.name,
                description: r.description,
                parent_id: r.parent_id,
            },
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    #[sqlx(flatten)]
    application: ApplicationRow,
    parent_name: Option<String>,
    sub_applications: i64,
    components: i64,
    groups: i64,
    resources: i64,
}

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<Application>, AppError> {
    let row: Option<ApplicationRow> = sqlx::query_as(&format!(
        "SELECT {APP_COLUMNS} FROM applications a WHERE a.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Application::from))
}

/// Whether application `id` exists. Its row stays key-share locked until the transaction ends,
/// so it cannot be deleted under a ticket or rule being written to name it.
pub async fn hold(conn: &mut PgConnection, id: i64) -> Result<bool, AppError> {
    let found: Option<i32> =
        sqlx::query_scalar("SELECT 1 FROM applications WHERE id = $1 FOR KEY SHARE")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

pub async fn find_for_update(conn: &mut PgConnection, id: i64) -> Result<Application, AppError> {
    let row: Option<ApplicationRow> = sqlx::query_as(&format!(
        "SELECT {APP_COLUMNS} FROM applications a WHERE a.id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(Application::from)
        .ok_or_else(|| AppError::not_found("Application", id))
}

/// Whether `ancestor` is `id` or above it in the tree.
pub async fn is_ancestor_or_self(
    conn: &mut PgConnection,
    ancestor: i64,
    id: i64,
) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar(
        "WITH RECURSIVE up(id, parent_id) AS ( \
             SELECT id, parent_id FROM applications WHERE id = $2 \
             UNION SELECT a.id, a.parent_id FROM applications a JOIN up ON a.id = up.parent_id) \
         SELECT EXISTS (SELECT 1 FROM up WHERE id = $1)",
    )
    .bind(ancestor)
    .bind(id)
    .fetch_one(conn)
    .await?)
}

pub async fn insert(
    conn: &mut PgConnection,
    d: &ApplicationDraft,
    now: DateTime<Utc>,
) -> Result<Application, AppError> {
    let row: ApplicationRow = sqlx::query_as(&format!(
        "INSERT INTO applications AS a (name, description, parent_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING {APP_COLUMNS}"
    ))
    .bind(&d.name)
    .bind(&d.description)
    .bind(d.parent_id)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(row.into())
}

pub async fn update(
    conn: &mut PgConnection,
    id: i64,
    d: &ApplicationDraft,
    now: DateTime<Utc>,
) -> Result<Application, AppError> {
    let row: ApplicationRow = sqlx::query_as(&format!(
        "UPDATE applications AS a SET name = $2, description = $3, parent_id = $4, \
                version = version + 1, updated_at = $5 \
         WHERE id = $1 RETURNING {APP_COLUMNS}"
    ))
    .bind(id)
    .bind(&d.name)
    .bind(&d.description)
    .bind(d.parent_id)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(row.into())
}

pub async fn delete(conn: &mut PgConnection, id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM applications WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Names of the sub-applications and of the components of application `id`.
pub async fn children(
    conn: &mut PgConnection,
    id: i64,
) -> Result<(Vec<String>, Vec<String>), AppError> {
    let subs =
        sqlx::query_scalar("SELECT name FROM applications WHERE parent_id = $1 ORDER BY name")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let components =
        sqlx::query_scalar("SELECT name FROM components WHERE application_id = $1 ORDER BY name")
            .bind(id)
            .fetch_all(conn)
            .await?;
    Ok((subs, components))
}

fn push_filter<'a>(q: &mut QueryBuilder<'a, Postgres>, f: &'a ApplicationFilter) {
    q.push(" WHERE TRUE");
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q.push(" AND a.name ILIKE ")
            .push_bind(format!("%{}%", escape_like(text)));
    }
    if let Some(parent) = f.parent_id {
        q.push(" AND a.parent_id = ").push_bind(parent);
    }
}

pub async fn list(
    conn: &mut PgConnection,
    filter: &ApplicationFilter,
    window: Window,
) -> Result<Page<ApplicationSummary>, AppError> {
    let mut count = QueryBuilder::new("SELECT count(*) FROM applications a");
    push_filter(&mut count, filter);
    let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;

    let mut q = QueryBuilder::new(format!(
        "SELECT {APP_COLUMNS}, p.name AS parent_name, \
             (SELECT count(*) FROM applications s WHERE s.parent_id = a.id) AS sub_applications, \
             (SELECT count(*) FROM components c WHERE c.application_id = a.id) AS components, \
             (SELECT count(*) FROM groups g JOIN components c ON c.id = g.component_id \
               WHERE c.application_id = a.id) AS groups, \
             (SELECT count(DISTINCT gr.resource_id) FROM group_resources gr \
                JOIN groups g ON g.id = gr.group_id JOIN components c ON c.id = g.component_id \
               WHERE c.application_id = a.id) AS resources \
         FROM applications a LEFT JOIN applications p ON p.id = a.parent_id"
    ));
    push_filter(&mut q, filter);
    q.push(" ")
        .push(order_by(window.sort))
        .push(" LIMIT ")
        .push_bind(i64::from(window.per_page))
        .push(" OFFSET ")
        .push_bind(window.offset());
    let rows: Vec<SummaryRow> = q.build_query_as().fetch_all(conn).await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|r| ApplicationSummary {
                application: r.application.into(),
                parent_name: r.parent_name,
                sub_applications: r.sub_applications,
                components: r.components,
                groups: r.groups,
                resources: r.resources,
            })
            .collect(),
        total,
        total_capped: false,
        page: window.page,
        per_page: window.per_page,
        next: None,
        previous: None,
    })
}

/// Every application as (id, name), by name: for parent pickers.
pub async fn names(conn: &mut PgConnection) -> Result<Vec<(i64, String)>, AppError> {
    Ok(
        sqlx::query_as("SELECT id, name FROM applications ORDER BY name")
            .fetch_all(conn)
            .await?,
    )
}

const COMPONENT_COLUMNS: &str =
    "c.id, c.application_id, c.name, c.description, c.version, c.created_at, c.updated_at";

#[derive(sqlx::FromRow)]
struct ComponentRow {
    id: i64,
    application_id: i64,
    name: String,
    description: String,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<ComponentRow> for Component {
    fn from(r: ComponentRow) -> Component {
        Component {
            id: r.id,
            spec: ComponentDraft {
                application_id: r.application_id,
                name: r.name,
                description: r.description,
            },
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ComponentSummaryRow {
    #[sqlx(flatten)]
    component: ComponentRow,
    application_name: String,
    groups: i64,
    resources: i64,
}

pub async fn find_component(
    conn: &mut PgConnection,
    id: i64,
) -> Result<Option<Component>, AppError> {
    let row: Option<ComponentRow> = sqlx::query_as(&format!(
        "SELECT {COMPONENT_COLUMNS} FROM components c WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Component::from))
}

pub async fn find_component_for_update(
    conn: &mut PgConnection,
    id: i64,
) -> Result<Component, AppError> {
    let row: Option<ComponentRow> = sqlx::query_as(&format!(
        "SELECT {COMPONENT_COLUMNS} FROM components c WHERE c.id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(Component::from)
        .ok_or_else(|| AppError::not_found("Component", id))
}

pub async fn insert_component(
    conn: &mut PgConnection,
    d: &ComponentDraft,
    now: DateTime<Utc>,
) -> Result<Component, AppError> {
    let row: ComponentRow = sqlx::query_as(&format!(
        "INSERT INTO components AS c (application_id, name, description, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING {COMPONENT_COLUMNS}"
    ))
    .bind(d.application_id)
    .bind(&d.name)
    .bind(&d.description)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(row.into())
}

pub async fn update_component(
    conn: &mut PgConnection,
    id: i64,
    d: &ComponentDraft,
    now: DateTime<Utc>,
) -> Result<Component, AppError> {
    let row: ComponentRow = sqlx::query_as(&format!(
        "UPDATE components AS c SET name = $2, description = $3, version = version + 1, \
                updated_at = $4 \
         WHERE id = $1 RETURNING {COMPONENT_COLUMNS}"
    ))
    .bind(id)
    .bind(&d.name)
    .bind(&d.description)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(row.into())
}

pub async fn delete_component(conn: &mut PgConnection, id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM components WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Names of the groups of component `id`.
pub async fn component_children(conn: &mut PgConnection, id: i64) -> Result<Vec<String>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT name FROM groups WHERE component_id = $1 ORDER BY name")
            .bind(id)
            .fetch_all(conn)
            .await?,
    )
}

/// Components, optionally of one application, with their counts.
pub async fn list_components(
    conn: &mut PgConnection,
    application_id: Option<i64>,
    window: Window,
) -> Result<Page<ComponentSummary>, AppError> {
    let total: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM components WHERE $1::bigint IS NULL OR application_id = $1",
    )
    .bind(application_id)
    .fetch_one(&mut *conn)
    .await?;
    let rows: Vec<ComponentSummaryRow> = sqlx::query_as(&format!(
        "SELECT {COMPONENT_COLUMNS}, a.name AS application_name, \
             (SELECT count(*) FROM groups g WHERE g.component_id = c.id) AS groups, \
             (SELECT count(DISTINCT gr.resource_id) FROM group_resources gr \
                JOIN groups g ON g.id = gr.group_id WHERE g.component_id = c.id) AS resources \
         FROM components c JOIN applications a ON a.id = c.application_id \
         WHERE $1::bigint IS NULL OR c.application_id = $1 \
         {} LIMIT $2 OFFSET $3",
        order_by(window.sort)
    ))
    .bind(application_id)
    .bind(i64::from(window.per_page))
    .bind(window.offset())
    .fetch_all(conn)
    .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|r| ComponentSummary {
                component: r.component.into(),
                application_name: r.application_name,
                groups: r.groups,
                resources: r.resources,
            })
            .collect(),
        total,
        total_capped: false,
        page: window.page,
        per_page: window.per_page,
        next: None,
        previous: None,
    })
}
