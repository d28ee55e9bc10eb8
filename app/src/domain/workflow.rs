//! Ticket workflows: a table of which action may be taken from which states by whom. Incidents,
//! improvements and problems each declare their table; the checks and the timeline line are
//! the same for all of them.

use super::AppError;
use super::user::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt::Display;

/// Who may take an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// The ticket's current owner.
    Owner,
    /// Whoever created the ticket.
    Creator,
    CreatorOrAdmin,
    /// The person named to verify the ticket.
    Verifier,
    /// Any operator or administrator.
    Operator,
    Admin,
}

impl Who {
    fn describe(self) -> &'static str {
        match self {
            Who::Owner => "owner",
            Who::Creator => "creator",
            Who::CreatorOrAdmin => "creator or administrator",
            Who::Verifier => "verifier",
            Who::Operator => "operator",
            Who::Admin => "administrator",
        }
    }
}

/// What a workflow needs to know about the caller and the ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Party {
    pub role: Role,
    pub is_owner: bool,
    pub is_creator: bool,
    pub is_verifier: bool,
}

impl Party {
    /// Viewers take no action at all; everyone else as their part says.
    pub fn is(self, who: Who) -> bool {
        if !self.role.allows(Role::Operator) {
            return false;
        }
        match who {
            Who::Owner => self.is_owner,
            Who::Creator => self.is_creator,
            Who::CreatorOrAdmin => self.is_creator || self.role == Role::Admin,
            Who::Verifier => self.is_verifier,
            Who::Operator => true,
            Who::Admin => self.role == Role::Admin,
        }
    }
}

/// One line of a table: an action, the states it starts from, and who may take it.
pub struct Rule<S: 'static, A> {
    pub action: A,
    pub from: &'static [S],
    pub who: Who,
}

/// The actions `party` may take from `status`, in the table's order.
pub fn allowed<S: PartialEq, A: Copy>(rules: &[Rule<S, A>], status: S, party: Party) -> Vec<A> {
    rules
        .iter()
        .filter(|r| r.from.contains(&status) && party.is(r.who))
        .map(|r| r.action)
        .collect()
}

/// Refuses an action from the wrong state (409, naming the states it needs) or by the wrong
/// person (403). `ticket` names the kind in messages ("An incident").
pub fn check<S, A>(
    rules: &[Rule<S, A>],
    ticket: &str,
    status: S,
    action: A,
    party: Party,
) -> Result<(), AppError>
where
    S: PartialEq + Copy + Display,
    A: PartialEq + Copy + Display,
{
    let Some(rule) = rules.iter().find(|r| r.action == action) else {
        return Err(AppError::conflict(format!(
            "{ticket} cannot take '{action}'."
        )));
    };
    if !rule.from.contains(&status) {
        let from: Vec<String> = rule.from.iter().map(|s| s.to_string()).collect();
        return Err(AppError::conflict(format!(
            "{ticket} that is {status} cannot take '{action}'; it needs one that is {}.",
            from.join(" or ")
        )));
    }
    if !party.is(rule.who) {
        return Err(AppError::forbidden(
            format!("'{action}' on this ticket"),
            rule.who.describe(),
        ));
    }
    Ok(())
}

/// One line of a ticket's timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub status_before: Option<String>,
    pub status_after: String,
    pub comment: String,
    /// Fields that changed: `{field: [before, after]}`.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub changes: serde_json::Value,
}

impl HistoryEntry {
    /// "accepted → resolved", or nothing when the state stayed.
    pub fn moved(&self) -> Option<String> {
        match &self.status_before {
            Some(b) if *b != self.status_after => Some(format!("{b} → {}", self.status_after)),
            _ => None,
        }
    }

    /// "level: P3 → P1" per changed field ("—" for nothing).
    pub fn changed(&self) -> Vec<String> {
        let show = |v: &serde_json::Value| match v {
            serde_json::Value::Null => "—".to_owned(),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        self.changes
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        format!("{}: {} → {}", k.replace('_', " "), show(&v[0]), show(&v[1]))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The fields that differ between two versions of a ticket, as `{field: [before, after]}`,
/// leaving out bookkeeping (`version`, `updated_at`, `status` and anything in `skip`).
pub fn changes(
    before: &impl Serialize,
    after: &impl Serialize,
    skip: &[&str],
) -> serde_json::Value {
    use serde_json::{Value, json};
    let (Ok(Value::Object(b)), Ok(Value::Object(a))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return json!({});
    };
    let diff: serde_json::Map<String, Value> = a
        .into_iter()
        .filter(|(k, v)| {
            !["version", "updated_at", "status"].contains(&k.as_str())
                && !skip.contains(&k.as_str())
                && b.get(k) != Some(v)
        })
        .map(|(k, v)| {
            let was = b.get(&k).cloned().unwrap_or(Value::Null);
            (k, json!([was, v]))
        })
        .collect();
    Value::Object(diff)
}

/// The parameters of an action, read from its JSON (absent means none).
pub fn params<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Result<T, AppError> {
    let value = if value.is_null() {
        serde_json::json!({})
    } else {
        value.clone()
    };
    serde_json::from_value(value).map_err(|e| AppError::invalid("params", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum St {
        A,
        B,
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Act {
        Go,
        Look,
    }

    impl std::fmt::Display for St {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(if *self == St::A { "a" } else { "b" })
        }
    }

    impl std::fmt::Display for Act {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(if *self == Act::Go { "go" } else { "look" })
        }
    }

    const RULES: &[Rule<St, Act>] = &[
        Rule {
            action: Act::Go,
            from: &[St::A],
            who: Who::Verifier,
        },
        Rule {
            action: Act::Look,
            from: &[St::A, St::B],
            who: Who::Operator,
        },
    ];

    #[test]
    fn viewers_never_act_and_each_part_is_its_own() {
        let party = |role, is_verifier| Party {
            role,
            is_owner: false,
            is_creator: false,
            is_verifier,
        };
        let verifier = party(Role::Operator, true);
        assert_eq!(allowed(RULES, St::A, verifier), vec![Act::Go, Act::Look]);
        assert_eq!(allowed(RULES, St::B, verifier), vec![Act::Look]);
        let viewer = party(Role::Viewer, true);
        assert!(allowed(RULES, St::A, viewer).is_empty());
        let e = check(RULES, "A thing", St::B, Act::Go, verifier).unwrap_err();
        assert_eq!(e.http_status(), 409);
        assert_eq!(
            e.to_string(),
            "A thing that is b cannot take 'go'; it needs one that is a."
        );
        let other = party(Role::Admin, false);
        let e = check(RULES, "A thing", St::A, Act::Go, other).unwrap_err();
        assert_eq!(e.http_status(), 403);
        assert!(e.to_string().contains("verifier"), "{e}");
    }

    #[test]
    fn changed_fields_read_as_sentences() {
        let entry = HistoryEntry {
            id: 1,
            at: DateTime::from_timestamp(0, 0).unwrap(),
            actor: "a".into(),
            action: "change_level".into(),
            status_before: Some("accepted".into()),
            status_after: "accepted".into(),
            comment: String::new(),
            changes: serde_json::json!({"level": ["P3", "P1"], "paused_until": [null, "x"], "n": [1, 2]}),
        };
        assert_eq!(entry.moved(), None);
        assert_eq!(
            entry.changed(),
            ["level: P3 → P1", "n: 1 → 2", "paused until: — → x"]
        );
    }

    #[test]
    fn changes_name_only_what_moved() {
        let before = serde_json::json!({"a": 1, "b": "x", "version": 1, "status": "s"});
        let after = serde_json::json!({"a": 2, "b": "x", "version": 2, "status": "t"});
        assert_eq!(
            changes(&before, &after, &[]),
            serde_json::json!({"a": [1, 2]})
        );
        assert_eq!(changes(&before, &after, &["a"]), serde_json::json!({}));
    }
}
