//! An object's history: the audit records about it, newest first, in words.

use crate::components::time::Time;
use crate::domain::audit::AuditRecord;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde_json::Value;

/// The fields whose value differs between `before` and `after`, in order.
fn changed_fields(before: &Value, after: &Value) -> Vec<String> {
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else {
        return vec![];
    };
    a.iter()
        .filter(|(k, v)| {
            !["version", "updated_at", "synced_at"].contains(&k.as_str()) && b.get(*k) != Some(*v)
        })
        .map(|(k, _)| k.replace('_', " "))
        .collect()
}

fn count_of(value: Option<&Value>, key: &str) -> usize {
    value
        .and_then(|v| v.get(key))
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// One line for one record: "renamed name, description", "associated 3 resources by rule".
pub fn describe(r: &AuditRecord) -> String {
    let after = r.after.as_ref();
    let by = after
        .and_then(|a| a.get("by"))
        .and_then(Value::as_str)
        .map(|b| format!(" ({b})"))
        .unwrap_or_default();
    let resources = plural(count_of(after, "resource_ids"), "resource");
    match r.action.as_str() {
        "create" => "created".to_owned(),
        "delete" => "deleted".to_owned(),
        "update" => match (&r.before, &r.after) {
            (Some(b), Some(a)) => {
                let fields = changed_fields(b, a);
                if fields.is_empty() {
                    "saved without changes".to_owned()
                } else {
                    format!("changed {}", fields.join(", "))
                }
            }
            _ => "changed".to_owned(),
        },
        "associate" => format!("associated {resources}{by}"),
        "disassociate" => format!("disassociated {resources}{by}"),
        "transfer_out" => format!(
            "transferred {resources} to group {}",
            after
                .and_then(|a| a.get("to_group_id"))
                .unwrap_or(&Value::Null)
        ),
        "transfer_in" => format!(
            "received {resources} from group {}",
            after
                .and_then(|a| a.get("from_group_id"))
                .unwrap_or(&Value::Null)
        ),
        "sync" => "synced; nothing to change".to_owned(),
        other => other.replace('_', " "),
    }
}

#[component]
pub fn HistoryCard(records: Vec<AuditRecord>, now: DateTime<Utc>) -> impl IntoView {
    let body = if records.is_empty() {
        view! { <p class="text-sm text-slate-500">"Nothing recorded yet."</p> }.into_any()
    } else {
        view! {
            <ol class="space-y-2" data-testid="history">
                {records.into_iter().map(|r| {
                    let text = describe(&r);
                    view! {
                        <li class="flex gap-3 text-sm" data-testid="history-entry">
                            <span class="mt-1.5 h-2 w-2 shrink-0 rounded-full bg-indigo-400"></span>
                            <span class="min-w-0 flex-1">
                                <span class="font-medium text-slate-800">{r.actor_name.clone()}</span>
                                " " {text}
                                <span class="block text-xs text-slate-500"><Time at=r.at now/> " · " {r.method.as_str().to_uppercase()}</span>
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ol>
        }.into_any()
    };
    view! {
        <section class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
            <h2 class="mb-4 text-sm font-semibold text-slate-800">"History"</h2>
            {body}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::Method;
    use serde_json::json;

    fn record(action: &str, before: Option<Value>, after: Option<Value>) -> AuditRecord {
        AuditRecord {
            id: 1,
            at: Utc::now(),
            actor_id: None,
            actor_name: "ops".into(),
            method: Method::Ui,
            object_type: "group".into(),
            object_id: "1".into(),
            action: action.into(),
            before,
            after,
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    #[test]
    fn records_read_as_sentences() {
        let upd = record(
            "update",
            Some(json!({"name": "a", "region": "x", "version": 1})),
            Some(json!({"name": "b", "region": "x", "version": 2})),
        );
        assert_eq!(describe(&upd), "changed name");
        let assoc = record(
            "associate",
            None,
            Some(json!({"resource_ids": [1, 2], "by": "rule"})),
        );
        assert_eq!(describe(&assoc), "associated 2 resources (rule)");
        let out = record(
            "transfer_out",
            None,
            Some(json!({"resource_ids": [4], "to_group_id": 9})),
        );
        assert_eq!(describe(&out), "transferred 1 resource to group 9");
    }
}
