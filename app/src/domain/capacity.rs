//! Capacity of a part of the inventory tree: CPU, memory and disk summed by resource type, and
//! the resources that weigh most.

use super::resource::{ResourceStatus, ResourceType};
use serde::{Deserialize, Serialize};

crate::string_enum! {
    /// What the top-N ranking orders by.
    pub enum Metric { Cpu = "cpu", Memory = "memory", Disk = "disk" }
}

crate::string_enum! {
    /// The level of the tree a capacity or topology view is about.
    pub enum Scope { Application = "application", Component = "component", Group = "group" }
}

impl Scope {
    /// The console path of an object at this level.
    pub fn href(self, id: i64) -> String {
        match self {
            Scope::Application => format!("/applications/{id}"),
            Scope::Component => format!("/components/{id}"),
            Scope::Group => format!("/groups/{id}"),
        }
    }
}

pub const TOP_DEFAULT: u32 = 10;
pub const TOP_MAX: u32 = 100;

/// Sums over the resources of one type (or all of them).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Totals {
    pub resources: i64,
    pub cpu_cores: i64,
    pub memory_gib: f64,
    pub disk_gib: f64,
}

impl Totals {
    pub fn value(&self, metric: Metric) -> f64 {
        match metric {
            Metric::Cpu => self.cpu_cores as f64,
            Metric::Memory => self.memory_gib,
            Metric::Disk => self.disk_gib,
        }
    }

    pub fn add(&mut self, other: &Totals) {
        self.resources += other.resources;
        self.cpu_cores += other.cpu_cores;
        self.memory_gib += other.memory_gib;
        self.disk_gib += other.disk_gib;
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TypeTotals {
    #[serde(rename = "type")]
    pub resource_type: ResourceType,
    #[serde(flatten)]
    pub totals: Totals,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RankedResource {
    pub id: i64,
    pub name: String,
    #[serde(rename = "type")]
    pub resource_type: ResourceType,
    pub status: ResourceStatus,
    pub cpu_cores: i32,
    pub memory_gib: f64,
    pub disk_gib: f64,
}

impl RankedResource {
    pub fn value(&self, metric: Metric) -> f64 {
        match metric {
            Metric::Cpu => f64::from(self.cpu_cores),
            Metric::Memory => self.memory_gib,
            Metric::Disk => self.disk_gib,
        }
    }
}

/// The capacity view of one application (with its sub-applications), component or group.
/// Each resource counts once however many of the scope's groups hold it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Capacity {
    pub scope: Scope,
    pub id: i64,
    pub name: String,
    pub total: Totals,
    /// One row per type present, largest CPU first.
    pub by_type: Vec<TypeTotals>,
    pub top_by: Metric,
    /// The scope's largest resources by `top_by`.
    pub top: Vec<RankedResource>,
}

impl Capacity {
    /// Builds the view from per-type sums; the total is their sum.
    pub fn new(
        scope: Scope,
        id: i64,
        name: String,
        mut by_type: Vec<TypeTotals>,
        top_by: Metric,
        top: Vec<RankedResource>,
    ) -> Capacity {
        by_type.sort_by(|a, b| {
            b.totals
                .cpu_cores
                .cmp(&a.totals.cpu_cores)
                .then(a.resource_type.as_str().cmp(b.resource_type.as_str()))
        });
        let mut total = Totals::default();
        for t in &by_type {
            total.add(&t.totals);
        }
        Capacity {
            scope,
            id,
            name,
            total,
            by_type,
            top_by,
            top,
        }
    }
}

/// A bar's share of the largest value, in percent (0 when there is nothing).
pub fn share(value: f64, largest: f64) -> f64 {
    if largest > 0.0 {
        (value / largest * 100.0).clamp(0.0, 100.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(resource_type: ResourceType, n: i64, cpu: i64, mem: f64, disk: f64) -> TypeTotals {
        TypeTotals {
            resource_type,
            totals: Totals {
                resources: n,
                cpu_cores: cpu,
                memory_gib: mem,
                disk_gib: disk,
            },
        }
    }

    #[test]
    fn the_total_sums_the_types_and_the_largest_type_comes_first() {
        let c = Capacity::new(
            Scope::Group,
            1,
            "web".into(),
            vec![
                t(ResourceType::Cache, 1, 2, 8.0, 0.0),
                t(ResourceType::Host, 3, 12, 48.0, 300.0),
            ],
            Metric::Cpu,
            vec![],
        );
        assert_eq!(c.by_type[0].resource_type, ResourceType::Host);
        assert_eq!(
            c.total,
            Totals {
                resources: 4,
                cpu_cores: 14,
                memory_gib: 56.0,
                disk_gib: 300.0
            }
        );
        assert_eq!(c.total.value(Metric::Disk), 300.0);
    }

    #[test]
    fn shares_stay_within_a_bar() {
        assert_eq!(share(5.0, 10.0), 50.0);
        assert_eq!(share(3.0, 0.0), 0.0);
        assert_eq!(share(12.0, 10.0), 100.0);
    }

    #[test]
    fn scopes_link_to_their_pages() {
        assert_eq!(Scope::Component.href(7), "/components/7");
        assert_eq!(Scope::parse("group"), Some(Scope::Group));
    }
}
