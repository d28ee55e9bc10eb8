//! The `resources` table.

use super::order_by;
use super::users::escape_like;
use crate::domain::AppError;
use crate::domain::list::{Page, Window};
use crate::domain::resource::{
    AgentState, Provider, Resource, ResourceDraft, ResourceFilter, ResourceStatus, ResourceType,
    Tags,
};
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{PgConnection, Postgres, QueryBuilder};

const COLUMNS: &str = "id, name, type, provider, region, zone, private_ip, public_ip, os, \
                       cpu_cores, memory_gib, disk_gib, status, agent_state, tags, version, \
                       created_at, updated_at";

pub const SORTABLE: &[&str] = &[
    "id",
    "name",
    "type",
    "provider",
    "region",
    "status",
    "cpu_cores",
    "memory_gib",
    "disk_gib",
    "created_at",
    "updated_at",
];

#[derive(sqlx::FromRow)]
struct ResourceRow {
    id: i64,
    name: String,
    #[sqlx(rename = "type")]
    resource_type: String,
    provider: String,
    region: String,
    zone: String,
    private_ip: String,
    public_ip: String,
    os: String,
    cpu_cores: i32,
    memory_gib: f64,
    disk_gib: f64,
    status: String,
    agent_state: String,
    tags: Json<Tags>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn known<T>(value: Option<T>, what: &str, raw: &str) -> Result<T, AppError> {
    value.ok_or_else(|| super::internal(format!("unknown {what} '{raw}' in the database")))
}

impl TryFrom<ResourceRow> for Resource {
    type Error = AppError;

    fn try_from(r: ResourceRow) -> Result<Resource, AppError> {
        Ok(Resource {
            id: r.id,
            spec: ResourceDraft {
                resource_type: known(
                    ResourceType::parse(&r.resource_type),
                    "type",
                    &r.resource_type,
                )?,
                provider: known(Provider::parse(&r.provider), "provider", &r.provider)?,
                status: known(ResourceStatus::parse(&r.status), "status", &r.status)?,
                agent_state: known(
                    AgentState::parse(&r.agent_state),
                    "agent state",
                    &r.agent_state,
                )?,
                name: r.name,
                region: r.region,
                zone: r.zone,
                private_ip: r.private_ip,
                public_ip: r.public_ip,
                os: r.os,
                cpu_cores: r.cpu_cores,
                memory_gib: r.memory_gib,
                disk_gib: r.disk_gib,
                tags: r.tags.0,
            },
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// The 409 for a second resource with the same name, provider and region.
pub fn duplicate(d: &ResourceDraft) -> AppError {
    AppError::conflict(format!(
        "A resource named '{}' from {} in region '{}' already exists.",
        d.name, d.provider, d.region
    ))
}

fn map_unique(e: sqlx::Error, d: &ResourceDraft) -> AppError {
    match super::unique_violation(&e) {
        Some(_) => duplicate(d),
        None => e.into(),
    }
}

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<Resource>, AppError> {
    let row: Option<ResourceRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM resources WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    row.map(Resource::try_from).transpose()
}

pub async fn find_for_update(conn: &mut PgConnection, id: i64) -> Result<Resource, AppError> {
    let row: Option<ResourceRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM resources WHERE id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(Resource::try_from)
        .transpose()?
        .ok_or_else(|| AppError::not_found("Resource", id))
}

pub async fn insert(
    conn: &mut PgConnection,
    d: &ResourceDraft,
    now: DateTime<Utc>,
) -> Result<Resource, AppError> {
    let row: ResourceRow = sqlx::query_as(&format!(
        "INSERT INTO resources (name, type, provider, region, zone, private_ip, public_ip, os, \
                                cpu_cores, memory_gib, disk_gib, status, agent_state, tags, \
                                created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) \
         RETURNING {COLUMNS}"
    ))
    .bind(&d.name)
    .bind(d.resource_type.as_str())
    .bind(d.provider.as_str())
    .bind(&d.region)
    .bind(&d.zone)
    .bind(&d.private_ip)
    .bind(&d.public_ip)
    .bind(&d.os)
    .bind(d.cpu_cores)
    .bind(d.memory_gib)
    .bind(d.disk_gib)
    .bind(d.status.as_str())
    .bind(d.agent_state.as_str())
    .bind(Json(&d.tags))
    .bind(now)
    .fetch_one(conn)
    .await
    .map_err(|e| map_unique(e, d))?;
    row.try_into()
}

/// Writes every owner-set field of resource `id`, bumping its version.
pub async fn update(
    conn: &mut PgConnection,
    id: i64,
    d: &ResourceDraft,
    now: DateTime<Utc>,
) -> Result<Resource, AppError> {
    let row: ResourceRow = sqlx::query_as(&format!(
        "UPDATE resources SET name = $2, type = $3, provider = $4, region = $5, zone = $6, \
                private_ip = $7, public_ip = $8, os = $9, cpu_cores = $10, memory_gib = $11, \
                disk_gib = $12, status = $13, agent_state = $14, tags = $15, \
                version = version + 1, updated_at = $16 \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(&d.name)
    .bind(d.resource_type.as_str())
    .bind(d.provider.as_str())
    .bind(&d.region)
    .bind(&d.zone)
    .bind(&d.private_ip)
    .bind(&d.public_ip)
    .bind(&d.os)
    .bind(d.cpu_cores)
    .bind(d.memory_gib)
    .bind(d.disk_gib)
    .bind(d.status.as_str())
    .bind(d.agent_state.as_str())
    .bind(Json(&d.tags))
    .bind(now)
    .fetch_one(conn)
    .await
    .map_err(|e| map_unique(e, d))?;
    row.try_into()
}

pub async fn delete(conn: &mut PgConnection, id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM resources WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

fn push_filter<'a>(q: &mut QueryBuilder<'a, Postgres>, f: &'a ResourceFilter) {
    q.push(" WHERE TRUE");
    if let Some(t) = f.resource_type {
        q.push(" AND type = ").push_bind(t.as_str());
    }
    if let Some(p) = f.provider {
        q.push(" AND provider = ").push_bind(p.as_str());
    }
    if let Some(region) = f.region.as_deref().filter(|r| !r.is_empty()) {
        q.push(" AND region = ").push_bind(region);
    }
    if let Some(s) = f.status {
        q.push(" AND status = ").push_bind(s.as_str());
    }
    if let Some(a) = f.agent_state {
        q.push(" AND agent_state = ").push_bind(a.as_str());
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = format!("%{}%", escape_like(text));
        q.push(" AND (name ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR private_ip LIKE ")
            .push_bind(pattern.clone())
            .push(" OR public_ip LIKE ")
            .push_bind(pattern)
            .push(")");
    }
    if let Some((key, value)) = &f.tag {
        let mut one = Tags::new();
        one.insert(key.clone(), value.clone());
        q.push(" AND tags @> ").push_bind(Json(one));
    }
}

pub async fn list(
    conn: &mut PgConnection,
    filter: &ResourceFilter,
    window: Window,
) -> Result<Page<Resource>, AppError> {
    let mut count = QueryBuilder::new("SELECT count(*) FROM resources");
    push_filter(&mut count, filter);
    let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;

    let mut q = QueryBuilder::new(format!("SELECT {COLUMNS} FROM resources"));
    push_filter(&mut q, filter);
    q.push(" ")
        .push(order_by(window.sort))
        .push(" LIMIT ")
        .push_bind(i64::from(window.per_page))
        .push(" OFFSET ")
        .push_bind(window.offset());
    let rows: Vec<ResourceRow> = q.build_query_as().fetch_all(conn).await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(Resource::try_from)
            .collect::<Result<_, _>>()?,
        total,
        page: window.page,
        per_page: window.per_page,
    })
}

/// Distinct regions in use, for the filter picker.
pub async fn regions(conn: &mut PgConnection) -> Result<Vec<String>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT DISTINCT region FROM resources WHERE region <> '' ORDER BY 1")
            .fetch_all(conn)
            .await?,
    )
}
