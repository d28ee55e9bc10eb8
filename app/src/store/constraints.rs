//! What each database constraint means to a client: the one table that turns a violated
//! unique key, foreign key or check into a 409 or 422 naming what holds it. Every constraint
//! of the schema is listed (a test compares this table with the live catalogue); the ones no
//! client can reach say why, and violating them stays a server fault.

use crate::domain::AppError;

/// What a violation of one constraint means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Meaning {
    /// A unique key: 409 with `what` and the clashing value, e.g. "An application named 'shop'".
    Taken { what: &'static str },
    /// A foreign key from `children` (plural noun) to one `parent` (singular noun). Deleting a
    /// parent still referenced is a 409 naming the children; writing a child that names a
    /// missing parent is a 422 on the referencing column.
    Refers {
        parent: &'static str,
        children: &'static str,
    },
    /// A check on a value the domain also validates: 422 on `field`.
    Rule {
        field: &'static str,
        message: &'static str,
    },
    /// No client request can break it (closed sets written from enums, random keys, rows only
    /// the system writes, checks done under a lock); a violation is a fault of the server.
    Guarded { why: &'static str },
}

use Meaning::{Guarded, Refers, Rule, Taken};

const ENUM: Meaning = Guarded {
    why: "written from a closed set of names",
};
const USERS_STAY: Meaning = Guarded {
    why: "users are deactivated, never deleted, and ids written are checked first",
};
const SYSTEM: Meaning = Guarded {
    why: "only the server writes these rows",
};

/// Every constraint of the schema, by name.
pub const CONSTRAINTS: &[(&str, Meaning)] = &[
    (
        "alarms_active_key",
        Guarded {
            why: "raises upsert on exactly this index",
        },
    ),
    (
        "alarms_application_id_fkey",
        Refers {
            parent: "Application",
            children: "alarms",
        },
    ),
    (
        "alarms_data_source_id_fkey",
        Refers {
            parent: "Data source",
            children: "alarms",
        },
    ),
    (
        "alarms_incident_id_fkey",
        Guarded {
            why: "incidents are never deleted",
        },
    ),
    ("alarms_level_check", ENUM),
    (
        "alarms_resource_id_fkey",
        Refers {
            parent: "Resource",
            children: "alarms",
        },
    ),
    (
        "alarms_rule_id_fkey",
        Refers {
            parent: "Forwarding rule",
            children: "alarms",
        },
    ),
    ("alarms_status_check", ENUM),
    (
        "applications_name",
        Taken {
            what: "An application named",
        },
    ),
    (
        "applications_not_own_parent",
        Rule {
            field: "parent_id",
            message: "an application cannot be its own parent",
        },
    ),
    (
        "applications_parent_id_fkey",
        Refers {
            parent: "Application",
            children: "sub-applications",
        },
    ),
    ("attachments_ticket_check", ENUM),
    ("attachments_uploaded_by_fkey", USERS_STAY),
    ("audit_chain_head_singleton_check", SYSTEM),
    ("audit_log_actor_id_fkey", USERS_STAY),
    ("audit_log_method_check", ENUM),
    (
        "auth_tokens_digest_key",
        Guarded {
            why: "token digests come from 32 random bytes",
        },
    ),
    ("auth_tokens_kind_check", ENUM),
    ("auth_tokens_user_id_fkey", USERS_STAY),
    (
        "calendar_feeds_digest",
        Guarded {
            why: "feed tokens come from 32 random bytes",
        },
    ),
    ("calendar_feeds_user_id_fkey", USERS_STAY),
    (
        "change_templates_application_id_fkey",
        Refers {
            parent: "Application",
            children: "change templates",
        },
    ),
    (
        "change_templates_duration_minutes_check",
        Rule {
            field: "duration_minutes",
            message: "must be 1 to 20160 minutes (14 days)",
        },
    ),
    ("change_templates_level_check", ENUM),
    (
        "change_templates_name",
        Taken {
            what: "A change template named",
        },
    ),
    (
        "changes_application_id_fkey",
        Refers {
            parent: "Application",
            children: "changes",
        },
    ),
    ("changes_change_type_check", ENUM),
    ("changes_creator_id_fkey", USERS_STAY),
    ("changes_implementer_id_fkey", USERS_STAY),
    (
        "changes_incident_id_fkey",
        Refers {
            parent: "Incident",
            children: "changes",
        },
    ),
    ("changes_level_check", ENUM),
    (
        "changes_problem_id_fkey",
        Refers {
            parent: "Problem",
            children: "changes",
        },
    ),
    ("changes_result_check", ENUM),
    ("changes_status_check", ENUM),
    (
        "changes_template_id_fkey",
        Refers {
            parent: "Change template",
            children: "changes",
        },
    ),
    (
        "changes_window_check",
        Rule {
            field: "planned_end",
            message: "must be after planned_start",
        },
    ),
    (
        "components_application_id_fkey",
        Refers {
            parent: "Application",
            children: "components",
        },
    ),
    (
        "components_name",
        Taken {
            what: "A component of this application named",
        },
    ),
    (
        "data_sources_key_hash_key",
        Guarded {
            why: "keys come from the OS random source",
        },
    ),
    ("data_sources_kind_check", ENUM),
    (
        "data_sources_name_key",
        Taken {
            what: "A data source named",
        },
    ),
    ("delivery_attempts_outbox_id_fkey", SYSTEM),
    (
        "forwarding_rules_name_key",
        Taken {
            what: "A forwarding rule named",
        },
    ),
    (
        "freeze_windows_name",
        Taken {
            what: "A freeze window named",
        },
    ),
    ("freeze_windows_repeat_check", ENUM),
    (
        "freeze_windows_shape_check",
        Guarded {
            why: "each repeat's fields are checked before they are written",
        },
    ),
    (
        "group_resources_group_id_fkey",
        Refers {
            parent: "Group",
            children: "resource associations",
        },
    ),
    (
        "group_resources_resource_id_fkey",
        Refers {
            parent: "Resource",
            children: "group associations",
        },
    ),
    (
        "groups_component_id_fkey",
        Refers {
            parent: "Component",
            children: "groups",
        },
    ),
    ("groups_environment_check", ENUM),
    (
        "groups_name",
        Taken {
            what: "A group of this component named",
        },
    ),
    (
        "improvements_application_id_fkey",
        Refers {
            parent: "Application",
            children: "improvement tickets",
        },
    ),
    ("improvements_creator_id_fkey", USERS_STAY),
    ("improvements_owner_id_fkey", USERS_STAY),
    ("improvements_source_check", ENUM),
    ("improvements_status_check", ENUM),
    ("improvements_verifier_id_fkey", USERS_STAY),
    (
        "incidents_application_id_fkey",
        Refers {
            parent: "Application",
            children: "incidents",
        },
    ),
    ("incidents_category_check", ENUM),
    ("incidents_creator_id_fkey", USERS_STAY),
    (
        "incidents_duty_schedule_id_fkey",
        Refers {
            parent: "Schedule",
            children: "incidents",
        },
    ),
    ("incidents_level_check", ENUM),
    ("incidents_owner_id_fkey", USERS_STAY),
    ("incidents_pending_level_check", ENUM),
    ("incidents_source_check", ENUM),
    ("incidents_status_check", ENUM),
    ("notification_channels_kind_check", ENUM),
    ("notification_channels_user_id_fkey", USERS_STAY),
    ("notifications_user_id_fkey", USERS_STAY),
    (
        "outbox_channel_id_fkey",
        Refers {
            parent: "Channel",
            children: "deliveries",
        },
    ),
    ("outbox_status_check", ENUM),
    ("outbox_user_id_fkey", USERS_STAY),
    ("pipeline_generation_singleton_check", SYSTEM),
    (
        "problems_application_id_fkey",
        Refers {
            parent: "Application",
            children: "problems",
        },
    ),
    ("problems_creator_id_fkey", USERS_STAY),
    ("problems_level_check", ENUM),
    ("problems_owner_id_fkey", USERS_STAY),
    ("problems_source_check", ENUM),
    ("problems_status_check", ENUM),
    (
        "resource_import_rows_import_id_fkey",
        Guarded {
            why: "imports are never deleted, and their rows are written with them",
        },
    ),
    ("resource_import_rows_outcome_check", ENUM),
    ("resource_imports_actor_id_fkey", USERS_STAY),
    ("resource_imports_mode_check", ENUM),
    ("resources_agent_state_check", ENUM),
    (
        "resources_cpu_cores_check",
        Rule {
            field: "cpu_cores",
            message: "must not be negative",
        },
    ),
    (
        "resources_disk_gib_check",
        Rule {
            field: "disk_gib",
            message: "must not be negative",
        },
    ),
    (
        "resources_identity",
        Taken {
            what: "A resource with name, provider and region",
        },
    ),
    (
        "resources_memory_gib_check",
        Rule {
            field: "memory_gib",
            message: "must not be negative",
        },
    ),
    ("resources_provider_check", ENUM),
    ("resources_status_check", ENUM),
    ("resources_type_check", ENUM),
    ("review_flows_change_type_check", ENUM),
    (
        "review_flows_name",
        Taken {
            what: "A review flow named",
        },
    ),
    (
        "schedule_overrides_range",
        Rule {
            field: "ends_at",
            message: "must be after starts_at",
        },
    ),
    (
        "schedule_overrides_role_id_fkey",
        Refers {
            parent: "Role",
            children: "overrides",
        },
    ),
    ("schedule_overrides_user_id_fkey", USERS_STAY),
    (
        "schedule_roles_name",
        Taken {
            what: "A role of this schedule named",
        },
    ),
    (
        "schedule_roles_rotation",
        Rule {
            field: "rotation",
            message: "a rotation needs both its start and its length",
        },
    ),
    (
        "schedule_roles_rotation_days_check",
        Rule {
            field: "rotation.every_days",
            message: "must be 1 to 365",
        },
    ),
    (
        "schedule_roles_schedule_id_fkey",
        Refers {
            parent: "Schedule",
            children: "roles",
        },
    ),
    (
        "schedules_name",
        Taken {
            what: "A schedule named",
        },
    ),
    (
        "sla_policies_accept_minutes_check",
        Rule {
            field: "accept_minutes",
            message: "must be positive",
        },
    ),
    ("sla_policies_level_check", ENUM),
    (
        "sla_policies_resolve_minutes_check",
        Rule {
            field: "resolve_minutes",
            message: "must be positive",
        },
    ),
    ("ticket_history_actor_id_fkey", USERS_STAY),
    ("ticket_history_ticket_check", ENUM),
    ("users_role_check", ENUM),
    (
        "users_username_check",
        Rule {
            field: "username",
            message: "must be 3 to 32 of a-z, 0-9, _, . and -",
        },
    ),
    (
        "users_username_key",
        Taken {
            what: "A user named",
        },
    ),
    (
        "war_room_applications_application_id_fkey",
        Refers {
            parent: "Application",
            children: "war rooms",
        },
    ),
    (
        "war_room_applications_room_id_fkey",
        Guarded {
            why: "war rooms are never deleted",
        },
    ),
    ("war_room_members_role_check", ENUM),
    (
        "war_room_members_room_id_fkey",
        Guarded {
            why: "war rooms are never deleted",
        },
    ),
    ("war_room_members_user_id_fkey", USERS_STAY),
    ("war_room_notices_author_id_fkey", USERS_STAY),
    ("war_room_notices_kind_check", ENUM),
    (
        "war_room_notices_room_id_fkey",
        Guarded {
            why: "war rooms are never deleted",
        },
    ),
    ("war_room_rules_member_role_check", ENUM),
    (
        "war_room_rules_name_key",
        Taken {
            what: "A war-room rule named",
        },
    ),
    (
        "war_room_rules_schedule_id_fkey",
        Refers {
            parent: "Schedule",
            children: "war-room rules",
        },
    ),
    (
        "war_room_subscribers_room_id_fkey",
        Guarded {
            why: "war rooms are never deleted",
        },
    ),
    ("war_room_subscribers_user_id_fkey", USERS_STAY),
    ("war_rooms_admin_id_fkey", USERS_STAY),
    (
        "war_rooms_incident_id_fkey",
        Guarded {
            why: "incidents are never deleted",
        },
    ),
    (
        "war_rooms_incident_id_key",
        Taken {
            what: "A war room for incident",
        },
    ),
    ("war_rooms_status_check", ENUM),
];

pub fn meaning(constraint: &str) -> Option<Meaning> {
    CONSTRAINTS
        .iter()
        .find(|(name, _)| *name == constraint)
        .map(|(_, m)| *m)
}

/// The columns and values of a Postgres key detail: `Key (a, b)=(1, x) already exists.`
fn key_of(detail: &str) -> Option<(&str, &str)> {
    let rest = detail.strip_prefix("Key (")?;
    let (columns, rest) = rest.split_once(")=(")?;
    let end = rest.rfind(')')?;
    Some((columns, &rest[..end]))
}

/// The values of a key a person chose: all but the `_id` columns (`(application_id, name)=(3,
/// web)` → `web`), or the whole key when it is made of ids only.
fn chosen(columns: &str, values: &str) -> String {
    let columns: Vec<&str> = columns.split(", ").collect();
    let values: Vec<&str> = values.splitn(columns.len(), ", ").collect();
    let picked: Vec<&str> = columns
        .iter()
        .zip(&values)
        .filter(|(c, _)| !c.ends_with("_id"))
        .map(|(_, v)| *v)
        .collect();
    if picked.is_empty() {
        values.join(", ")
    } else {
        picked.join(", ")
    }
}

/// The 409 for `value` clashing with unique key `constraint` (also for services that look
/// before they write).
pub fn taken(constraint: &str, value: &str) -> AppError {
    let what = match meaning(constraint) {
        Some(Taken { what }) => what,
        _ => "A record with",
    };
    AppError::conflict(format!("{what} '{value}' exists already."))
}

/// The client's error for a violation of `constraint`, from Postgres' `message` and `detail`;
/// `None` when the constraint is unknown or guarded (a server fault).
pub fn client_error(constraint: &str, message: &str, detail: &str) -> Option<AppError> {
    match meaning(constraint)? {
        Taken { .. } => {
            let value = key_of(detail).map_or_else(String::new, |(c, v)| chosen(c, v));
            Some(taken(constraint, &value))
        }
        Refers { parent, children } => {
            let (column, value) = key_of(detail)?;
            if message.starts_with("update or delete") {
                Some(AppError::conflict(format!(
                    "{parent} {value} is still used by {children}; it cannot be deleted."
                )))
            } else {
                Some(AppError::invalid(
                    column,
                    format!("{parent} {value} does not exist (any more)"),
                ))
            }
        }
        Rule { field, message } => Some(AppError::invalid(field, message)),
        Guarded { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn each_constraint_is_listed_once() {
        let names: HashSet<_> = CONSTRAINTS.iter().map(|(n, _)| n).collect();
        assert_eq!(names.len(), CONSTRAINTS.len());
    }

    #[test]
    fn a_taken_key_names_the_value_chosen() {
        let e = client_error(
            "components_name",
            "duplicate key value violates unique constraint \"components_name\"",
            "Key (application_id, name)=(3, web) already exists.",
        )
        .unwrap();
        assert_eq!(e.http_status(), 409);
        assert_eq!(
            e.to_string(),
            "A component of this application named 'web' exists already."
        );
    }

    #[test]
    fn a_parent_still_referenced_names_its_children() {
        let e = client_error(
            "war_room_applications_application_id_fkey",
            "update or delete on table \"applications\" violates foreign key constraint",
            "Key (id)=(5) is still referenced from table \"war_room_applications\".",
        )
        .unwrap();
        assert_eq!(e.http_status(), 409);
        assert_eq!(
            e.to_string(),
            "Application 5 is still used by war rooms; it cannot be deleted."
        );
    }

    #[test]
    fn a_missing_parent_is_a_422_on_the_referencing_column() {
        let e = client_error(
            "incidents_application_id_fkey",
            "insert or update on table \"incidents\" violates foreign key constraint",
            "Key (application_id)=(9) is not present in table \"applications\".",
        )
        .unwrap();
        assert_eq!(e.http_status(), 422);
        assert_eq!(e.field(), Some("application_id"));
    }

    #[test]
    fn guarded_and_unknown_constraints_stay_server_faults() {
        assert_eq!(client_error("users_role_check", "", ""), None);
        assert_eq!(client_error("no_such_constraint", "", ""), None);
    }
}
