//! The `resources` table.

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

impl TryFrom<ResourceRow> for Resource {
    type Error = AppError;

    fn try_from(r: ResourceRow) -> Result<Resource, AppError> {
        Ok(Resource {
            id: r.id,
            spec: ResourceDraft {
                resource_type: super::known(
                    ResourceType::parse(&r.resource_type),
                    "type",
                    &r.resource_type,
                )?,
                provider: super::known(Provider::parse(&r.provider), "provider", &r.provider)?,
                status: super::known(ResourceStatus::parse(&r.status), "status", &r.status)?,
                agent_state: super::known(
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
    .await?;
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
    .await?;
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
    if let Some(group) = f.group_id {
        q.push(" AND id IN (SELECT resource_id FROM group_resources WHERE group_id = ")
            .push_bind(group)
            .push(")");
    }
}

pub async fn list(
    conn: &mut PgConnection,
    filter: &ResourceFilter,
    window: Window,
) -> Result<Page<Resource>, AppError> {
    super::page_of::<ResourceRow, _>(
        conn,
        super::Listing::of("resources", COLUMNS),
        |q| push_filter(q, filter),
        window,
        |x: &Resource| x.id,
    )
    .await
}

/// Distinct regions in use, for the filter picker.
pub async fn regions(conn: &mut PgConnection) -> Result<Vec<String>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT DISTINCT region FROM resources WHERE region <> '' ORDER BY 1")
            .fetch_all(conn)
            .await?,
    )
}

/// Existing resources that rows of an import point at, by id or by identity, locked.
pub async fn find_matching(
    conn: &mut PgConnection,
    ids: &[i64],
    identities: &[(String, Provider, String)],
) -> Result<Vec<Resource>, AppError> {
    let names: Vec<&str> = identities.iter().map(|i| i.0.as_str()).collect();
    let providers: Vec<&str> = identities.iter().map(|i| i.1.as_str()).collect();
    let regions: Vec<&str> = identities.iter().map(|i| i.2.as_str()).collect();
    let rows: Vec<ResourceRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM resources \
         WHERE id = ANY($1) \
            OR (name, provider, region) IN \
               (SELECT * FROM UNNEST($2::text[], $3::text[], $4::text[])) \
         FOR UPDATE"
    ))
    .bind(ids)
    .bind(&names)
    .bind(&providers)
    .bind(&regions)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Resource::try_from).collect()
}

/// The columns of many drafts, as arrays for `UNNEST`.
struct Columns {
    name: Vec<String>,
    resource_type: Vec<&'static str>,
    provider: Vec<&'static str>,
    region: Vec<String>,
    zone: Vec<String>,
    private_ip: Vec<String>,
    public_ip: Vec<String>,
    os: Vec<String>,
    cpu_cores: Vec<i32>,
    memory_gib: Vec<f64>,
    disk_gib: Vec<f64>,
    status: Vec<&'static str>,
    agent_state: Vec<&'static str>,
    tags: Vec<serde_json::Value>,
}

impl Columns {
    fn of<'a>(drafts: impl Iterator<Item = &'a ResourceDraft>) -> Columns {
        let mut c = Columns {
            name: vec![],
            resource_type: vec![],
            provider: vec![],
            region: vec![],
            zone: vec![],
            private_ip: vec![],
            public_ip: vec![],
            os: vec![],
            cpu_cores: vec![],
            memory_gib: vec![],
            disk_gib: vec![],
            status: vec![],
            agent_state: vec![],
            tags: vec![],
        };
        for d in drafts {
            c.name.push(d.name.clone());
            c.resource_type.push(d.resource_type.as_str());
            c.provider.push(d.provider.as_str());
            c.region.push(d.region.clone());
            c.zone.push(d.zone.clone());
            c.private_ip.push(d.private_ip.clone());
            c.public_ip.push(d.public_ip.clone());
            c.os.push(d.os.clone());
            c.cpu_cores.push(d.cpu_cores);
            c.memory_gib.push(d.memory_gib);
            c.disk_gib.push(d.disk_gib);
            c.status.push(d.status.as_str());
            c.agent_state.push(d.agent_state.as_str());
            c.tags
                .push(serde_json::to_value(&d.tags).unwrap_or_default());
        }
        c
    }

    fn bind<'q>(
        self,
        q: sqlx::query::QueryAs<'q, Postgres, ResourceRow, sqlx::postgres::PgArguments>,
    ) -> sqlx::query::QueryAs<'q, Postgres, ResourceRow, sqlx::postgres::PgArguments> {
        q.bind(self.name)
            .bind(self.resource_type)
            .bind(self.provider)
            .bind(self.region)
            .bind(self.zone)
            .bind(self.private_ip)
            .bind(self.public_ip)
            .bind(self.os)
            .bind(self.cpu_cores)
            .bind(self.memory_gib)
            .bind(self.disk_gib)
            .bind(self.status)
            .bind(self.agent_state)
            .bind(self.tags)
    }
}

const UNNEST_COLUMNS: &str = "UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], \
                              $6::text[], $7::text[], $8::text[], $9::int[], \
                              $10::float8[], $11::float8[], $12::text[], $13::text[], $14::jsonb[])";

/// Inserts many resources in one statement; returns them in no particular order.
pub async fn insert_many(
    conn: &mut PgConnection,
    drafts: &[ResourceDraft],
    now: DateTime<Utc>,
) -> Result<Vec<Resource>, AppError> {
    if drafts.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "INSERT INTO resources (name, type, provider, region, zone, private_ip, public_ip, os, \
                                cpu_cores, memory_gib, disk_gib, status, agent_state, tags, \
                                created_at, updated_at) \
         SELECT u.*, $15, $15 FROM {UNNEST_COLUMNS} AS u \
         RETURNING {COLUMNS}"
    );
    let rows: Vec<ResourceRow> = Columns::of(drafts.iter())
        .bind(sqlx::query_as(&sql))
        .bind(now)
        .fetch_all(conn)
        .await?;
    rows.into_iter().map(Resource::try_from).collect()
}

/// Rewrites many resources in one statement; returns them in no particular order.
pub async fn update_many(
    conn: &mut PgConnection,
    changes: &[(i64, ResourceDraft)],
    now: DateTime<Utc>,
) -> Result<Vec<Resource>, AppError> {
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = changes.iter().map(|(id, _)| *id).collect();
    let sql = format!(
        "UPDATE resources r SET name = u.name, type = u.type, provider = u.provider, \
                region = u.region, zone = u.zone, private_ip = u.private_ip, \
                public_ip = u.public_ip, os = u.os, cpu_cores = u.cpu_cores, \
                memory_gib = u.memory_gib, disk_gib = u.disk_gib, status = u.status, \
                agent_state = u.agent_state, tags = u.tags, version = r.version + 1, \
                updated_at = $15 \
         FROM (SELECT * FROM {UNNEST_COLUMNS} WITH ORDINALITY) \
              AS u(name, type, provider, region, zone, private_ip, public_ip, os, cpu_cores, \
                   memory_gib, disk_gib, status, agent_state, tags, n) \
         JOIN UNNEST($16::bigint[]) WITH ORDINALITY AS k(id, n) USING (n) \
         WHERE r.id = k.id \
         RETURNING {}",
        COLUMNS
            .split(", ")
            .map(|c| format!("r.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let rows: Vec<ResourceRow> = Columns::of(changes.iter().map(|(_, d)| d))
        .bind(sqlx::query_as(&sql))
        .bind(now)
        .bind(ids)
        .fetch_all(conn)
        .await?;
    rows.into_iter().map(Resource::try_from).collect()
}
