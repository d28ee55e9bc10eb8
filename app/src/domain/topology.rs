//! The application tree as a diagram: who hangs below whom, how many resources each node
//! holds in which state, and where each box goes.

use super::capacity::Scope;
use super::group::Environment;
use super::resource::ResourceStatus;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

crate::string_enum! {
    /// A node's colour: the worst state among its resources.
    pub enum Health { Empty = "empty", Healthy = "healthy", Degraded = "degraded", Fault = "fault" }
}

/// Distinct resources below a node, by status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StatusCounts {
    pub running: i64,
    pub stopped: i64,
    pub fault: i64,
    pub unknown: i64,
}

impl StatusCounts {
    pub fn total(&self) -> i64 {
        self.running + self.stopped + self.fault + self.unknown
    }

    pub fn health(&self) -> Health {
        if self.total() == 0 {
            Health::Empty
        } else if self.fault > 0 {
            Health::Fault
        } else if self.stopped + self.unknown > 0 {
            Health::Degraded
        } else {
            Health::Healthy
        }
    }

    fn of<'a>(statuses: impl Iterator<Item = &'a ResourceStatus>) -> StatusCounts {
        let mut c = StatusCounts::default();
        for s in statuses {
            match s {
                ResourceStatus::Running => c.running += 1,
                ResourceStatus::Stopped => c.stopped += 1,
                ResourceStatus::Fault => c.fault += 1,
                ResourceStatus::Unknown => c.unknown += 1,
            }
        }
        c
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TopologyNode {
    #[serde(rename = "kind")]
    pub scope: Scope,
    pub id: i64,
    pub name: String,
    /// A group's environment and region; empty for other levels.
    pub detail: String,
    pub counts: StatusCounts,
    /// Sub-applications first, then components; a component's groups.
    #[cfg_attr(feature = "ssr", schema(no_recursion))]
    pub children: Vec<TopologyNode>,
}

/// The rows a tree is built from.
#[derive(Clone, Debug, Default)]
pub struct TreeRows {
    /// (id, name, parent id)
    pub applications: Vec<(i64, String, Option<i64>)>,
    /// (id, name, application id)
    pub components: Vec<(i64, String, i64)>,
    /// (id, name, environment, region, component id)
    pub groups: Vec<(i64, String, Environment, String, i64)>,
    /// (group id, resource id, status)
    pub members: Vec<(i64, i64, ResourceStatus)>,
}

type Members = BTreeMap<i64, ResourceStatus>;

impl TreeRows {
    /// The tree below application `root`; every node counts each resource once.
    pub fn tree(&self, root: i64) -> Option<TopologyNode> {
        let mut by_group: HashMap<i64, Members> = HashMap::new();
        for (group, resource, status) in &self.members {
            by_group
                .entry(*group)
                .or_default()
                .insert(*resource, *status);
        }
        self.application(root, &by_group, 0).map(|(node, _)| node)
    }

    fn application(
        &self,
        id: i64,
        by_group: &HashMap<i64, Members>,
        depth: usize,
    ) -> Option<(TopologyNode, Members)> {
        let (_, name, _) = self.applications.iter().find(|a| a.0 == id)?;
        let mut members = Members::new();
        let mut children = Vec::new();
        // A cycle cannot be stored, but a bound keeps a broken row from recursing forever.
        if depth < 32 {
            for (sub, _, _) in self.applications.iter().filter(|a| a.2 == Some(id)) {
                if let Some((node, m)) = self.application(*sub, by_group, depth + 1) {
                    members.extend(m);
                    children.push(node);
                }
            }
        }
        for (component, component_name, _) in self.components.iter().filter(|c| c.2 == id) {
            let mut component_members = Members::new();
            let mut groups = Vec::new();
            for (group, group_name, env, region, _) in
                self.groups.iter().filter(|g| g.4 == *component)
            {
                let m = by_group.get(group).cloned().unwrap_or_default();
                let detail = if region.is_empty() {
                    env.as_str().to_owned()
                } else {
                    format!("{env} · {region}")
                };
                groups.push(TopologyNode {
                    scope: Scope::Group,
                    id: *group,
                    name: group_name.clone(),
                    detail,
                    counts: StatusCounts::of(m.values()),
                    children: vec![],
                });
                component_members.extend(m);
            }
            children.push(TopologyNode {
                scope: Scope::Component,
                id: *component,
                name: component_name.clone(),
                detail: String::new(),
                counts: StatusCounts::of(component_members.values()),
                children: groups,
            });
            members.extend(component_members);
        }
        let node = TopologyNode {
            scope: Scope::Application,
            id,
            name: name.clone(),
            detail: String::new(),
            counts: StatusCounts::of(members.values()),
            children,
        };
        Some((node, members))
    }
}

/// A node with its place: column `depth`, centred on row `row` (rows are leaf slots).
#[derive(Clone, Debug, PartialEq)]
pub struct Placed<'a> {
    pub node: &'a TopologyNode,
    pub depth: usize,
    pub row: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Layout<'a> {
    pub nodes: Vec<Placed<'a>>,
    /// (parent index, child index) into `nodes`.
    pub edges: Vec<(usize, usize)>,
    pub columns: usize,
    pub rows: usize,
}

/// Lays the tree out left to right: leaves take one row each, in order; a parent sits in the
/// middle of its children.
pub fn layout(root: &TopologyNode) -> Layout<'_> {
    fn place<'a>(
        n: &'a TopologyNode,
        depth: usize,
        next_row: &mut usize,
        out: &mut Layout<'a>,
    ) -> usize {
        let index = out.nodes.len();
        out.nodes.push(Placed {
            node: n,
            depth,
            row: 0.0,
        });
        out.columns = out.columns.max(depth + 1);
        let row = if n.children.is_empty() {
            let row = *next_row as f64;
            *next_row += 1;
            row
        } else {
            let children: Vec<usize> = n
                .children
                .iter()
                .map(|c| place(c, depth + 1, next_row, out))
                .collect();
            for c in &children {
                out.edges.push((index, *c));
            }
            let first = out.nodes[children[0]].row;
            let last = out.nodes[children[children.len() - 1]].row;
            (first + last) / 2.0
        };
        out.nodes[index].row = row;
        index
    }
    let mut out = Layout {
        nodes: vec![],
        edges: vec![],
        columns: 0,
        rows: 0,
    };
    let mut next_row = 0;
    place(root, 0, &mut next_row, &mut out);
    out.rows = next_row;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ResourceStatus::*;

    fn rows() -> TreeRows {
        TreeRows {
            applications: vec![
                (1, "shop".into(), None),
                (2, "shop-web".into(), Some(1)),
                (3, "other".into(), None),
            ],
            components: vec![(10, "api".into(), 1), (11, "frontend".into(), 2)],
            groups: vec![
                (
                    100,
                    "api-prod".into(),
                    Environment::Prod,
                    "eu-west-1".into(),
                    10,
                ),
                (
                    101,
                    "api-staging".into(),
                    Environment::Staging,
                    String::new(),
                    10,
                ),
                (102, "web-prod".into(), Environment::Prod, String::new(), 11),
            ],
            members: vec![
                (100, 1, Running),
                (100, 2, Fault),
                (101, 2, Fault),
                (101, 3, Stopped),
                (102, 4, Running),
                (102, 1, Running),
            ],
        }
    }

    #[test]
    fn each_level_counts_distinct_resources() {
        let tree = rows().tree(1).unwrap();
        assert_eq!(tree.counts.total(), 4);
        assert_eq!(tree.children.len(), 2);
        let (sub, api) = (&tree.children[0], &tree.children[1]);
        assert_eq!(
            (sub.scope, sub.name.as_str()),
            (Scope::Application, "shop-web")
        );
        assert_eq!(
            api.counts,
            StatusCounts {
                running: 1,
                stopped: 1,
                fault: 1,
                unknown: 0
            }
        );
        assert_eq!(api.children[0].detail, "prod · eu-west-1");
        assert_eq!(api.children[1].detail, "staging");
        assert_eq!(sub.counts.total(), 2);
        assert!(rows().tree(99).is_none());
        assert_eq!(rows().tree(3).unwrap().counts.health(), Health::Empty);
    }

    #[test]
    fn health_is_the_worst_state() {
        let c = |running, stopped, fault, unknown| StatusCounts {
            running,
            stopped,
            fault,
            unknown,
        };
        assert_eq!(c(0, 0, 0, 0).health(), Health::Empty);
        assert_eq!(c(3, 0, 0, 0).health(), Health::Healthy);
        assert_eq!(c(3, 0, 0, 1).health(), Health::Degraded);
        assert_eq!(c(3, 1, 1, 0).health(), Health::Fault);
    }

    #[test]
    fn leaves_take_rows_and_parents_centre_on_them() {
        let tree = rows().tree(1).unwrap();
        let l = layout(&tree);
        assert_eq!((l.columns, l.rows), (4, 3));
        assert_eq!(l.nodes.len(), 7);
        assert_eq!(l.edges.len(), 6);
        let at = |name: &str| l.nodes.iter().find(|p| p.node.name == name).unwrap();
        assert_eq!((at("web-prod").depth, at("web-prod").row), (3, 0.0));
        assert_eq!(at("api").row, 1.5);
        assert_eq!(at("shop").row, 0.75);
        let lone = TopologyNode {
            children: vec![],
            ..tree.clone()
        };
        assert_eq!(layout(&lone).rows, 1);
    }
}
