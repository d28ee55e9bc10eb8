//! The audit log: what a record holds and how records are chained by SHA-256.

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

crate::string_enum! {
    /// How a mutation reached the system.
    pub enum Method { Ui = "ui", Api = "api", System = "system" }
}

/// The hash the first record of the chain points back to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One row of the audit log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub method: Method,
    pub object_type: String,
    pub object_id: String,
    pub action: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub prev_hash: String,
    pub hash: String,
}

/// Filters of the audit log list; all optional, combined with AND.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// Exact username of the actor.
    pub actor: Option<String>,
    pub object_type: Option<String>,
    pub action: Option<String>,
    /// Inclusive lower bound of `at`.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive upper bound of `at`.
    pub to: Option<DateTime<Utc>>,
}

crate::string_enum! {
    /// How the chain is anchored outside the database: `hmac`, by checkpoints signed with
    /// `OPSROOM_AUDIT_KEY`; `none`, by nothing (someone with the database alone could rewrite
    /// rows and every hash after them).
    pub enum ChainAnchor { Hmac = "hmac", Unanchored = "none" }
}

/// The answer of a chain verification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChainReport {
    pub ok: bool,
    /// Rows checked (all of them when `ok`).
    pub rows: i64,
    /// The first row whose hash or link does not match, or that a checkpoint no longer covers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broken_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub anchor: ChainAnchor,
    /// The last row covered by a valid signed checkpoint (`hmac` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anchored_through: Option<i64>,
    /// When that checkpoint was signed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anchored_at: Option<DateTime<Utc>>,
}

impl ChainReport {
    pub fn broken(rows: i64, at: i64, reason: impl Into<String>) -> ChainReport {
        ChainReport {
            ok: false,
            rows,
            broken_at: Some(at),
            reason: Some(reason.into()),
            anchor: ChainAnchor::Unanchored,
            anchored_through: None,
            anchored_at: None,
        }
    }
}

/// A signature of the chain's head at one moment: row `last_id` had hash `last_hash`. Each
/// covers the one before it (`prev_mac`), so none can be dropped from the middle unnoticed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub id: i64,
    pub last_id: i64,
    pub last_hash: String,
    pub at: DateTime<Utc>,
    pub prev_mac: String,
    pub mac: String,
}

/// HMAC-SHA256, under the audit key, of a checkpoint's fields and the previous signature.
pub fn checkpoint_mac(
    key: &[u8],
    last_id: i64,
    last_hash: &str,
    at: DateTime<Utc>,
    prev_mac: &str,
) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<Sha256>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    let at = storable_time(at)
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string();
    mac.update(format!("{last_id}\n{last_hash}\n{at}\n{prev_mac}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Checks every checkpoint's signature and its link to the one before; `Err` names the first
/// that fails and why.
pub fn check_checkpoints(key: &[u8], checkpoints: &[Checkpoint]) -> Result<(), (i64, String)> {
    let mut prev = String::new();
    let mut last_id = 0;
    for c in checkpoints {
        if c.prev_mac != prev {
            return Err((
                c.id,
                "a signed checkpoint before it is missing or was altered".into(),
            ));
        }
        if checkpoint_mac(key, c.last_id, &c.last_hash, c.at, &c.prev_mac) != c.mac {
            return Err((c.id, "its signature does not match the audit key".into()));
        }
        if c.last_id < last_id {
            return Err((c.id, "it goes back in the chain".into()));
        }
        last_id = c.last_id;
        prev.clone_from(&c.mac);
    }
    Ok(())
}

/// Postgres keeps microseconds; the chain must hash exactly what is stored.
pub fn storable_time(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

/// The hash of a record: SHA-256 over the previous hash and a canonical JSON of every field.
pub fn chain_hash(prev_hash: &str, record: &AuditRecord) -> String {
    let fields = Value::Array(vec![
        Value::from(record.id),
        Value::from(
            storable_time(record.at)
                .format("%Y-%m-%dT%H:%M:%S%.6fZ")
                .to_string(),
        ),
        record.actor_id.map_or(Value::Null, Value::from),
        Value::from(record.actor_name.as_str()),
        Value::from(record.method.as_str()),
        Value::from(record.object_type.as_str()),
        Value::from(record.object_id.as_str()),
        Value::from(record.action.as_str()),
        record.before.clone().unwrap_or(Value::Null),
        record.after.clone().unwrap_or(Value::Null),
    ]);
    let mut canonical = String::new();
    write_canonical(&fields, &mut canonical);
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical.as_bytes());
    hex::encode(hasher.finalize())
}

/// JSON with object keys sorted at every depth, so key order in storage cannot change a hash.
fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::from(key.as_str()).to_string());
                out.push(':');
                write_canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// Walks records in id order and reports the first one that does not chain.
/// `checked_before` and `prev_hash` let a caller verify in batches.
pub fn verify_batch(
    prev_hash: &mut String,
    checked_before: i64,
    records: &[AuditRecord],
) -> Result<i64, ChainReport> {
    let mut checked = checked_before;
    for record in records {
        let reason = if record.prev_hash != *prev_hash {
            Some("prev_hash does not match the hash of the row before it")
        } else if chain_hash(prev_hash, record) != record.hash {
            Some("hash does not match the row's contents")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(ChainReport::broken(checked, record.id, reason));
        }
        checked += 1;
        prev_hash.clone_from(&record.hash);
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(id: i64, prev: &str) -> AuditRecord {
        let mut r = AuditRecord {
            id,
            at: "2026-11-28T10:00:00.123456789Z".parse().unwrap(),
            actor_id: Some(1),
            actor_name: "admin".into(),
            method: Method::Api,
            object_type: "user".into(),
            object_id: id.to_string(),
            action: "create".into(),
            before: None,
            after: Some(
                json!({"username": "alice", "role": "operator", "nested": {"b": 1, "a": [1, 2]}}),
            ),
            prev_hash: prev.into(),
            hash: String::new(),
        };
        r.hash = chain_hash(prev, &r);
        r
    }

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|id| {
                let r = record(id, &prev);
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        let records = chain(5);
        let mut prev = GENESIS_HASH.to_owned();
        assert_eq!(verify_batch(&mut prev, 0, &records), Ok(5));
        assert_eq!(prev, records[4].hash);
    }

    #[test]
    fn batches_continue_where_the_last_one_stopped() {
        let records = chain(6);
        let mut prev = GENESIS_HASH.to_owned();
        let n = verify_batch(&mut prev, 0, &records[..2]).unwrap();
        assert_eq!(verify_batch(&mut prev, n, &records[2..]), Ok(6));
    }

    #[test]
    fn an_edited_row_is_found() {
        let mut records = chain(4);
        records[2].after = Some(json!({"username": "mallory"}));
        let mut prev = GENESIS_HASH.to_owned();
        let report = verify_batch(&mut prev, 0, &records).unwrap_err();
        assert_eq!(report.broken_at, Some(3));
        assert_eq!(report.rows, 2);
        assert!(!report.ok);
    }

    #[test]
    fn a_deleted_row_is_found() {
        let mut records = chain(4);
        records.remove(1);
        let mut prev = GENESIS_HASH.to_owned();
        let report = verify_batch(&mut prev, 0, &records).unwrap_err();
        assert_eq!(report.broken_at, Some(3));
    }

    #[test]
    fn key_order_and_sub_microseconds_do_not_change_the_hash() {
        let a = record(1, GENESIS_HASH);
        let mut b = a.clone();
        b.after =
            Some(json!({"nested": {"a": [1, 2], "b": 1}, "role": "operator", "username": "alice"}));
        b.at = storable_time(b.at);
        assert_eq!(chain_hash(GENESIS_HASH, &a), chain_hash(GENESIS_HASH, &b));
    }

    #[test]
    fn every_field_is_covered_by_the_hash() {
        let base = record(1, GENESIS_HASH);
        let h = |r: &AuditRecord| chain_hash(GENESIS_HASH, r);
        let variants: [fn(&mut AuditRecord); 10] = [
            |r| r.id = 2,
            |r| r.at += chrono::Duration::microseconds(1),
            |r| r.actor_id = None,
            |r| r.actor_name = "root".into(),
            |r| r.method = Method::Ui,
            |r| r.object_type = "token".into(),
            |r| r.object_id = "9".into(),
            |r| r.action = "delete".into(),
            |r| r.before = Some(json!({})),
            |r| r.after = None,
        ];
        for change in variants {
            let mut r = base.clone();
            change(&mut r);
            assert_ne!(h(&r), h(&base));
        }
        assert_ne!(chain_hash("ff", &base), h(&base));
    }

    fn signed(key: &[u8], id: i64, last_id: i64, prev: &str) -> Checkpoint {
        let at: DateTime<Utc> = "2026-11-28T10:00:00Z".parse().unwrap();
        Checkpoint {
            id,
            last_id,
            last_hash: format!("h{last_id}"),
            at,
            prev_mac: prev.to_owned(),
            mac: checkpoint_mac(key, last_id, &format!("h{last_id}"), at, prev),
        }
    }

    #[test]
    fn checkpoints_hold_under_their_key_only_and_in_an_unbroken_line() {
        let key = b"k".repeat(32);
        let first = signed(&key, 1, 10, "");
        let second = signed(&key, 2, 20, &first.mac);
        assert_eq!(
            check_checkpoints(&key, &[first.clone(), second.clone()]),
            Ok(())
        );
        // Another key cannot have signed them.
        assert_eq!(
            check_checkpoints(b"other", std::slice::from_ref(&first))
                .unwrap_err()
                .0,
            1
        );
        // A rewritten head re-signed without the key.
        let mut forged = second.clone();
        forged.last_hash = "rewritten".into();
        assert_eq!(
            check_checkpoints(&key, &[first.clone(), forged])
                .unwrap_err()
                .0,
            2
        );
        // One dropped from the middle.
        let third = signed(&key, 3, 30, &second.mac);
        assert_eq!(check_checkpoints(&key, &[first, third]).unwrap_err().0, 3);
    }
}
