//! The `groups` table and `group_resources`, the associations of resources with groups.

use super::order_by;
use super::users::escape_like;
use crate::domain::AppError;
use crate::domain::group::{
    AssociationRule, Environment, Group, GroupDraft, GroupFilter, GroupPath, GroupSummary,
};
use crate::domain::list::{Page, Window};
use crate::domain::resource::{ResourceStatus, ResourceType, Tags};
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{PgConnection, Postgres, QueryBuilder};

pub const SORTABLE: &[&str] = &[
    "id",
    "name",
    "environment",
    "region",
    "created_at",
    "updated_at",
];

const COLUMNS: &str = "g.id, g.component_id, g.name, g.description, g.environment, g.region, \
                       g.rule, g.synced_at, g.version, g.created_at, g.updated_at";

#[derive(sqlx::FromRow)]
struct GroupRow {
    id: i64,
    component_id: i64,
    name: String,
    description: String,
    environment: String,
    region: String,
    rule: Option<Json<AssociationRule>>,
    synced_at: Option<DateTime<Utc>>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<GroupRow> for Group {
    type Error = AppError;

    fn try_from(r: GroupRow) -> Result<Group, AppError> {
        let environment = super::known(
            Environment::parse(&r.environment),
            "environment",
            &r.environment,
        )?;
        Ok(Group {
            id: r.id,
            spec: GroupDraft {
                component_id: r.component_id,
                name: r.name,
                description: r.description,
                environment,
                region: r.region,
                rule: r.rule.map(|j| j.0),
            },
            synced_at: r.synced_at,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<Group>, AppError> {
    let row: Option<GroupRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM groups g WHERE g.id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    row.map(Group::try_from).transpose()
}

pub async fn find_for_update(conn: &mut PgConnection, id: i64) -> Result<Group, AppError> {
    let row: Option<GroupRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM groups g WHERE g.id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(Group::try_from)
        .transpose()?
        .ok_or_else(|| AppError::not_found("Group", id))
}

pub async fn insert(
    conn: &mut PgConnection,
    d: &GroupDraft,
    now: DateTime<Utc>,
) -> Result<Group, AppError> {
    let row: GroupRow = sqlx::query_as(&format!(
        "INSERT INTO groups AS g (component_id, name, description, environment, region, rule, \
                                  created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {COLUMNS}"
    ))
    .bind(d.component_id)
    .bind(&d.name)
    .bind(&d.description)
    .bind(d.environment.as_str())
    .bind(&d.region)
    .bind(d.rule.as_ref().map(Json))
    .bind(now)
    .fetch_one(conn)
    .await?;
    row.try_into()
}

pub async fn update(
    conn: &mut PgConnection,
    id: i64,
    d: &GroupDraft,
    now: DateTime<Utc>,
) -> Result<Group, AppError> {
    let row: GroupRow = sqlx::query_as(&format!(
        "UPDATE groups AS g SET name = $2, description = $3, environment = $4, region = $5, \
                rule = $6, version = version + 1, updated_at = $7 \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(&d.name)
    .bind(&d.description)
    .bind(d.environment.as_str())
    .bind(&d.region)
    .bind(d.rule.as_ref().map(Json))
    .bind(now)
    .fetch_one(conn)
    .await?;
    row.try_into()
}

pub async fn mark_synced(
    conn: &mut PgConnection,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query("UPDATE groups SET synced_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut PgConnection, id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM groups WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    #[sqlx(flatten)]
    group: GroupRow,
    component_name: String,
    application_id: i64,
    application_name: String,
    resources: i64,
}

fn push_filter<'a>(q: &mut QueryBuilder<'a, Postgres>, f: &'a GroupFilter) {
    q.push(" WHERE TRUE");
    if let Some(c) = f.component_id {
        q.push(" AND g.component_id = ").push_bind(c);
    }
    if let Some(a) = f.application_id {
        q.push(" AND c.application_id = ").push_bind(a);
    }
    if let Some(e) = f.environment {
        q.push(" AND g.environment = ").push_bind(e.as_str());
    }
    match f.automatic {
        Some(true) => {
            q.push(" AND g.rule IS NOT NULL");
        }
        Some(false) => {
            q.push(" AND g.rule IS NULL");
        }
        None => {}
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q.push(" AND g.name ILIKE ")
            .push_bind(format!("%{}%", escape_like(text)));
    }
}

const FROM: &str = " FROM groups g JOIN components c ON c.id = g.component_id \
                     JOIN applications a ON a.id = c.application_id";

pub async fn list(
    conn: &mut PgConnection,
    filter: &GroupFilter,
    window: Window,
) -> Result<Page<GroupSummary>, AppError> {
    let mut count = QueryBuilder::new(format!("SELECT count(*){FROM}"));
    push_filter(&mut count, filter);
    let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;
    let mut q = QueryBuilder::new(format!(
        "SELECT {COLUMNS}, c.name AS component_name, a.id AS application_id, \
                a.name AS application_name, \
                (SELECT count(*) FROM group_resources gr WHERE gr.group_id = g.id) AS resources \
         {FROM}"
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
            .map(|r| {
                Ok(GroupSummary {
                    group: r.group.try_into()?,
                    component_name: r.component_name,
                    application_id: r.application_id,
                    application_name: r.application_name,
                    resources: r.resources,
                })
            })
            .collect::<Result<_, AppError>>()?,
        total,
        total_capped: false,
        page: window.page,
        per_page: window.per_page,
        next: None,
        previous: None,
    })
}

/// Every automatic group with its rule, for re-evaluating changed resources. The share lock
/// keeps a concurrent rule change or sync of a group from deciding on stale memberships.
pub async fn automatic(conn: &mut PgConnection) -> Result<Vec<Group>, AppError> {
    let rows: Vec<GroupRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM groups g WHERE g.rule IS NOT NULL ORDER BY g.id FOR SHARE"
    ))
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Group::try_from).collect()
}

/// Every group as "application / component / group" with its id, for transfer pickers.
pub async fn paths(conn: &mut PgConnection) -> Result<Vec<GroupPath>, AppError> {
    path_rows(conn, None).await
}

/// The groups resource `id` belongs to.
pub async fn of_resource(conn: &mut PgConnection, id: i64) -> Result<Vec<GroupPath>, AppError> {
    path_rows(conn, Some(id)).await
}

#[derive(sqlx::FromRow)]
struct PathRow {
    group_id: i64,
    group_name: String,
    environment: String,
    automatic: bool,
    component_id: i64,
    component_name: String,
    application_id: i64,
    application_name: String,
}

async fn path_rows(
    conn: &mut PgConnection,
    resource: Option<i64>,
) -> Result<Vec<GroupPath>, AppError> {
    let rows: Vec<PathRow> = sqlx::query_as(&format!(
        "SELECT g.id AS group_id, g.name AS group_name, g.environment, \
                g.rule IS NOT NULL AS automatic, c.id AS component_id, \
                c.name AS component_name, a.id AS application_id, a.name AS application_name \
         {FROM} \
         WHERE $1::bigint IS NULL \
            OR g.id IN (SELECT group_id FROM group_resources WHERE resource_id = $1) \
         ORDER BY a.name, c.name, g.name"
    ))
    .bind(resource)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(GroupPath {
                environment: super::known(
                    Environment::parse(&r.environment),
                    "environment",
                    &r.environment,
                )?,
                group_id: r.group_id,
                group_name: r.group_name,
                automatic: r.automatic,
                component_id: r.component_id,
                component_name: r.component_name,
                application_id: r.application_id,
                application_name: r.application_name,
            })
        })
        .collect()
}

/// The ids among `resource_ids` that group `group` holds.
pub async fn held(
    conn: &mut PgConnection,
    group: i64,
    resource_ids: &[i64],
) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT resource_id FROM group_resources WHERE group_id = $1 AND resource_id = ANY($2)",
    )
    .bind(group)
    .bind(resource_ids)
    .fetch_all(conn)
    .await?)
}

/// Every resource id group `group` holds.
pub async fn members(conn: &mut PgConnection, group: i64) -> Result<Vec<i64>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT resource_id FROM group_resources WHERE group_id = $1")
            .bind(group)
            .fetch_all(conn)
            .await?,
    )
}

/// Names of the first `limit` resources of group `group`, and how many it holds.
pub async fn member_names(
    conn: &mut PgConnection,
    group: i64,
    limit: i64,
) -> Result<(Vec<String>, i64), AppError> {
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM group_resources WHERE group_id = $1")
        .bind(group)
        .fetch_one(&mut *conn)
        .await?;
    let names = sqlx::query_scalar(
        "SELECT r.name FROM group_resources gr JOIN resources r ON r.id = gr.resource_id \
         WHERE gr.group_id = $1 ORDER BY r.name LIMIT $2",
    )
    .bind(group)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok((names, total))
}

/// (group, resource) pairs of automatic groups for these resources.
pub async fn automatic_memberships(
    conn: &mut PgConnection,
    resource_ids: &[i64],
) -> Result<Vec<(i64, i64)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT gr.group_id, gr.resource_id FROM group_resources gr \
         JOIN groups g ON g.id = gr.group_id \
         WHERE g.rule IS NOT NULL AND gr.resource_id = ANY($1)",
    )
    .bind(resource_ids)
    .fetch_all(conn)
    .await?)
}

/// Every group that holds any of these resources, with the ones it holds.
pub async fn memberships(
    conn: &mut PgConnection,
    resource_ids: &[i64],
) -> Result<Vec<(i64, i64)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT group_id, resource_id FROM group_resources WHERE resource_id = ANY($1) \
         ORDER BY group_id, resource_id",
    )
    .bind(resource_ids)
    .fetch_all(conn)
    .await?)
}

/// Adds (group, resource) pairs; existing ones stay as they are.
pub async fn associate(
    conn: &mut PgConnection,
    pairs: &[(i64, i64)],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if pairs.is_empty() {
        return Ok(());
    }
    let groups: Vec<i64> = pairs.iter().map(|p| p.0).collect();
    let resources: Vec<i64> = pairs.iter().map(|p| p.1).collect();
    sqlx::query(
        "INSERT INTO group_resources (group_id, resource_id, associated_at) \
         SELECT g, r, $3 FROM UNNEST($1::bigint[], $2::bigint[]) AS u(g, r) \
         ON CONFLICT DO NOTHING",
    )
    .bind(groups)
    .bind(resources)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn disassociate(conn: &mut PgConnection, pairs: &[(i64, i64)]) -> Result<(), AppError> {
    if pairs.is_empty() {
        return Ok(());
    }
    let groups: Vec<i64> = pairs.iter().map(|p| p.0).collect();
    let resources: Vec<i64> = pairs.iter().map(|p| p.1).collect();
    sqlx::query(
        "DELETE FROM group_resources WHERE (group_id, resource_id) IN \
         (SELECT * FROM UNNEST($1::bigint[], $2::bigint[]))",
    )
    .bind(groups)
    .bind(resources)
    .execute(conn)
    .await?;
    Ok(())
}

/// What an automatic rule needs to know about a resource.
#[derive(sqlx::FromRow)]
pub struct Candidate {
    pub id: i64,
    pub name: String,
    #[sqlx(rename = "type")]
    pub resource_type: String,
    pub tags: Json<Tags>,
}

/// Resources carrying all `tags` (the index narrows; the rule matcher decides).
pub async fn candidates(conn: &mut PgConnection, tags: &Tags) -> Result<Vec<Candidate>, AppError> {
    Ok(
        sqlx::query_as("SELECT id, name, type, tags FROM resources WHERE tags @> $1 ORDER BY id")
            .bind(Json(tags))
            .fetch_all(conn)
            .await?,
    )
}

/// Which of `ids` name existing groups.
pub async fn existing(conn: &mut PgConnection, ids: &[i64]) -> Result<Vec<i64>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM groups WHERE id = ANY($1)")
            .bind(ids)
            .fetch_all(conn)
            .await?,
    )
}

/// Which of `ids` name existing resources.
pub async fn existing_resources(
    conn: &mut PgConnection,
    ids: &[i64],
) -> Result<Vec<i64>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM resources WHERE id = ANY($1)")
            .bind(ids)
            .fetch_all(conn)
            .await?,
    )
}

/// The rows of the tree below application `root` (itself, sub-applications, their components,
/// groups and group members).
pub async fn tree_rows(
    conn: &mut PgConnection,
    root: i64,
) -> Result<crate::domain::topology::TreeRows, AppError> {
    const APPS: &str = "WITH RECURSIVE down(id) AS ( \
                            SELECT id FROM applications WHERE id = $1 \
                            UNION SELECT a.id FROM applications a JOIN down ON a.parent_id = down.id)";
    let applications: Vec<(i64, String, Option<i64>)> = sqlx::query_as(&format!(
        "{APPS} SELECT a.id, a.name, a.parent_id FROM applications a JOIN down USING (id) \
         ORDER BY a.name"
    ))
    .bind(root)
    .fetch_all(&mut *conn)
    .await?;
    let components: Vec<(i64, String, i64)> = sqlx::query_as(&format!(
        "{APPS} SELECT c.id, c.name, c.application_id FROM components c \
         JOIN down ON down.id = c.application_id ORDER BY c.name"
    ))
    .bind(root)
    .fetch_all(&mut *conn)
    .await?;
    let groups: Vec<(i64, String, String, String, i64)> = sqlx::query_as(&format!(
        "{APPS} SELECT g.id, g.name, g.environment, g.region, g.component_id FROM groups g \
         JOIN components c ON c.id = g.component_id JOIN down ON down.id = c.application_id \
         ORDER BY g.name"
    ))
    .bind(root)
    .fetch_all(&mut *conn)
    .await?;
    let members: Vec<(i64, i64, String)> = sqlx::query_as(&format!(
        "{APPS} SELECT gr.group_id, gr.resource_id, r.status FROM group_resources gr \
         JOIN resources r ON r.id = gr.resource_id JOIN groups g ON g.id = gr.group_id \
         JOIN components c ON c.id = g.component_id JOIN down ON down.id = c.application_id"
    ))
    .bind(root)
    .fetch_all(conn)
    .await?;
    Ok(crate::domain::topology::TreeRows {
        applications,
        components,
        groups: groups
            .into_iter()
            .filter_map(|(id, name, env, region, c)| {
                Environment::parse(&env).map(|e| (id, name, e, region, c))
            })
            .collect(),
        members: members
            .into_iter()
            .filter_map(|(g, r, s)| ResourceStatus::parse(&s).map(|s| (g, r, s)))
            .collect(),
    })
}

/// The SQL of the ids of the resources below an application (with its sub-applications),
/// a component or a group with id `$1`.
pub fn scope_resources(scope: crate::domain::capacity::Scope) -> &'static str {
    use crate::domain::capacity::Scope;
    match scope {
        Scope::Group => "SELECT resource_id FROM group_resources WHERE group_id = $1",
        Scope::Component => {
            "SELECT gr.resource_id FROM group_resources gr JOIN groups g ON g.id = gr.group_id \
             WHERE g.component_id = $1"
        }
        Scope::Application => {
            "SELECT gr.resource_id FROM group_resources gr JOIN groups g ON g.id = gr.group_id \
             JOIN components c ON c.id = g.component_id \
             WHERE c.application_id IN ( \
                 WITH RECURSIVE down(id) AS ( \
                     SELECT id FROM applications WHERE id = $1 \
                     UNION SELECT a.id FROM applications a JOIN down ON a.parent_id = down.id) \
                 SELECT id FROM down)"
        }
    }
}

/// Per-type sums over the resources of a scope.
pub async fn capacity_by_type(
    conn: &mut PgConnection,
    scope: crate::domain::capacity::Scope,
    id: i64,
) -> Result<Vec<crate::domain::capacity::TypeTotals>, AppError> {
    use crate::domain::capacity::{Totals, TypeTotals};
    let rows: Vec<(String, i64, i64, f64, f64)> = sqlx::query_as(&format!(
        "SELECT type, count(*), COALESCE(sum(cpu_cores), 0)::bigint, \
                COALESCE(sum(memory_gib), 0), COALESCE(sum(disk_gib), 0) \
         FROM resources WHERE id IN ({}) GROUP BY type",
        scope_resources(scope)
    ))
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(t, resources, cpu_cores, memory_gib, disk_gib)| {
            ResourceType::parse(&t).map(|resource_type| TypeTotals {
                resource_type,
                totals: Totals {
                    resources,
                    cpu_cores,
                    memory_gib,
                    disk_gib,
                },
            })
        })
        .collect())
}

/// The `limit` largest resources of a scope by `metric`.
pub async fn capacity_top(
    conn: &mut PgConnection,
    scope: crate::domain::capacity::Scope,
    id: i64,
    metric: crate::domain::capacity::Metric,
    limit: u32,
) -> Result<Vec<crate::domain::capacity::RankedResource>, AppError> {
    use crate::domain::capacity::{Metric, RankedResource};
    let column = match metric {
        Metric::Cpu => "cpu_cores",
        Metric::Memory => "memory_gib",
        Metric::Disk => "disk_gib",
    };
    let rows: Vec<(i64, String, String, String, i32, f64, f64)> = sqlx::query_as(&format!(
        "SELECT id, name, type, status, cpu_cores, memory_gib, disk_gib FROM resources \
         WHERE id IN ({}) ORDER BY {column} DESC, name, id LIMIT $2",
        scope_resources(scope)
    ))
    .bind(id)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, name, t, s, cpu_cores, memory_gib, disk_gib)| {
            Some(RankedResource {
                id,
                name,
                resource_type: ResourceType::parse(&t)?,
                status: ResourceStatus::parse(&s)?,
                cpu_cores,
                memory_gib,
                disk_gib,
            })
        })
        .collect())
}
