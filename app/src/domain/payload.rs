//! Reading the bodies monitoring systems push (Alertmanager, Grafana, our generic JSON) into
//! events. A body that is not JSON is a 400; one whose shape is wrong is a 422 naming the path of
//! the offending value (`alerts[2].status`).

use super::AppError;
use super::alarm::{
    AlarmLevel, BATCH_MAX, DEDUP_KEY_MAX, DESCRIPTION_MAX, Event, EventStatus, LABEL_MAX,
    LABELS_MAX, NAME_MAX, URL_MAX,
};
use super::data_source::DataSourceKind;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The labels that name an alert's resource and application, in the order they are tried.
const RESOURCE_LABELS: &[&str] = &["resource", "instance", "host", "hostname"];
const APPLICATION_LABELS: &[&str] = &["application", "app", "service"];

/// Reads a pushed body of the given kind; `now` stands in for a missing event time.
pub fn parse(
    kind: DataSourceKind,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Vec<Event>, AppError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| AppError::malformed(format!("the body is not JSON: {e}")))?;
    let events = match kind {
        DataSourceKind::Generic => generic(&value, now)?,
        DataSourceKind::Alertmanager => alerts(&value, Flavor::Alertmanager, now)?,
        DataSourceKind::Grafana => alerts(&value, Flavor::Grafana, now)?,
    };
    if events.len() > BATCH_MAX {
        return Err(AppError::invalid(
            "",
            format!(
                "at most {BATCH_MAX} events per request (got {})",
                events.len()
            ),
        ));
    }
    Ok(events)
}

/// A path into the body, for error messages.
fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn object<'a>(value: &'a Value, path: &str) -> Result<&'a Map<String, Value>, AppError> {
    value
        .as_object()
        .ok_or_else(|| AppError::invalid(path, "must be an object"))
}

fn optional_str<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a str>, AppError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(AppError::invalid(join(path, key), "must be a string")),
    }
}

fn required_str<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'a str, AppError> {
    optional_str(map, key, path)?.ok_or_else(|| AppError::invalid(join(path, key), "is required"))
}

/// Trimmed text of `min` to `max` characters (the inventory's length rule and wording). NUL
/// characters, which the database cannot store, are dropped rather than refusing the alert.
fn bounded(path: &str, text: &str, min: usize, max: usize) -> Result<String, AppError> {
    let text = text.replace('\0', "");
    let text = text.trim();
    super::resource::check_length(path, text, min, max)?;
    Ok(text.to_owned())
}

/// Cuts free text to `max` characters: a monitoring system's long description is kept, not
/// refused (the alert matters more than its prose).
fn cut(text: &str, max: usize) -> String {
    text.trim()
        .chars()
        .filter(|c| *c != '\0')
        .take(max)
        .collect()
}

/// A label map: string values, numbers and booleans written out.
fn labels(value: Option<&Value>, path: &str) -> Result<BTreeMap<String, String>, AppError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(BTreeMap::new());
    };
    let map = object(value, path)?;
    if map.len() > LABELS_MAX {
        return Err(AppError::invalid(
            path,
            format!("at most {LABELS_MAX} labels (got {})", map.len()),
        ));
    }
    let mut out = BTreeMap::new();
    for (key, value) in map {
        let at = join(path, key);
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return Err(AppError::invalid(at, "must be a string, number or boolean")),
        };
        let key = bounded(&at, key, 1, LABEL_MAX)?;
        out.insert(key, bounded(&at, &text, 0, LABEL_MAX)?);
    }
    Ok(out)
}

/// RFC 3339 text, or milliseconds since the epoch.
fn time(value: Option<&Value>, path: &str) -> Result<Option<DateTime<Utc>>, AppError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => DateTime::parse_from_rfc3339(s.trim())
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| AppError::invalid(path, "must be an RFC 3339 time or epoch milliseconds")),
        Some(Value::Number(n)) => n
            .as_i64()
            .and_then(|ms| Utc.timestamp_millis_opt(ms).single())
            .map(Some)
            .ok_or_else(|| {
                AppError::invalid(path, "must be an RFC 3339 time or epoch milliseconds")
            }),
        Some(_) => Err(AppError::invalid(
            path,
            "must be an RFC 3339 time or epoch milliseconds",
        )),
    }
}

/// A link back to the monitoring system: only `http` and `https` are kept (anything else, such
/// as `javascript:`, is dropped, not followed and not shown).
fn url(text: Option<&str>, path: &str) -> Result<Option<String>, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) if !is_web_link(t) => Ok(None),
        Some(t) => bounded(path, t, 1, URL_MAX).map(Some),
    }
}

fn is_web_link(text: &str) -> bool {
    let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Our documented JSON: one event object or an array of them.
fn generic(value: &Value, now: DateTime<Utc>) -> Result<Vec<Event>, AppError> {
    match value {
        Value::Array(items) => {
            if items.is_empty() || items.len() > BATCH_MAX {
                return Err(AppError::invalid(
                    "",
                    format!("send 1 to {BATCH_MAX} events (got {})", items.len()),
                ));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, item)| generic_event(item, &format!("[{i}]"), now))
                .collect()
        }
        _ => Ok(vec![generic_event(value, "", now)?]),
    }
}

/// A field of a generic event that names something (resource, application): text, or an id.
fn reference(map: &Map<String, Value>, key: &str, path: &str) -> Result<Option<String>, AppError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => bounded(&join(path, key), s, 1, NAME_MAX).map(Some),
        Some(Value::Number(n)) if n.is_i64() => Ok(Some(n.to_string())),
        Some(_) => Err(AppError::invalid(
            join(path, key),
            "must be a name or an id",
        )),
    }
}

fn generic_event(value: &Value, path: &str, now: DateTime<Utc>) -> Result<Event, AppError> {
    let map = object(value, if path.is_empty() { "(body)" } else { path })?;
    let status = match optional_str(map, "status", path)? {
        None => EventStatus::Alarm,
        Some(s) => EventStatus::parse_field(&join(path, "status"), s)?,
    };
    let firing = status == EventStatus::Alarm;
    let dedup_key = bounded(
        &join(path, "dedup_key"),
        required_str(map, "dedup_key", path)?,
        1,
        DEDUP_KEY_MAX,
    )?;
    let name = match optional_str(map, "name", path)? {
        Some(n) => bounded(&join(path, "name"), n, 1, NAME_MAX)?,
        None if firing => return Err(AppError::invalid(join(path, "name"), "is required")),
        None => dedup_key.clone(),
    };
    let level = match optional_str(map, "level", path)? {
        Some(l) => AlarmLevel::parse_field(&join(path, "level"), l)?,
        None if firing => return Err(AppError::invalid(join(path, "level"), "is required")),
        None => AlarmLevel::Info,
    };
    let description = bounded(
        &join(path, "description"),
        optional_str(map, "description", path)?.unwrap_or(""),
        0,
        DESCRIPTION_MAX,
    )?;
    Ok(Event {
        dedup_key,
        name,
        level,
        status,
        time: time(map.get("time"), &join(path, "time"))?.unwrap_or(now),
        description,
        resource: reference(map, "resource", path)?,
        application: reference(map, "application", path)?,
        labels: labels(map.get("labels"), &join(path, "labels"))?,
        url: url(optional_str(map, "url", path)?, &join(path, "url"))?,
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Flavor {
    Alertmanager,
    Grafana,
}

/// Alertmanager's webhook body (version 4) and Grafana's, which extends it: `alerts[]` with
/// `status`, `labels`, `annotations`, `startsAt`, `endsAt`, `fingerprint` and URLs.
fn alerts(value: &Value, flavor: Flavor, now: DateTime<Utc>) -> Result<Vec<Event>, AppError> {
    let body = object(value, "(body)")?;
    let items = match body.get("alerts") {
        Some(Value::Array(items)) => items,
        Some(_) => return Err(AppError::invalid("alerts", "must be an array")),
        None => return Err(AppError::invalid("alerts", "is required")),
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| alert(item, &format!("alerts[{i}]"), flavor, now))
        .collect()
}

fn alert(value: &Value, path: &str, flavor: Flavor, now: DateTime<Utc>) -> Result<Event, AppError> {
    let map = object(value, path)?;
    let status = match required_str(map, "status", path)? {
        "firing" => EventStatus::Alarm,
        "resolved" => EventStatus::Ok,
        _ => {
            return Err(AppError::invalid(
                join(path, "status"),
                "must be one of firing, resolved",
            ));
        }
    };
    let labels = labels(map.get("labels"), &join(path, "labels"))?;
    let annotations = labels_of(map.get("annotations"), &join(path, "annotations"))?;
    let dedup_key = match optional_str(map, "fingerprint", path)?.map(str::trim) {
        Some(f) if !f.is_empty() => bounded(&join(path, "fingerprint"), f, 1, DEDUP_KEY_MAX)?,
        _ => fingerprint(&labels),
    };
    let name = labels
        .get("alertname")
        .or_else(|| annotations.get("title"))
        .map(|n| cut(n, NAME_MAX))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "Unnamed alert".to_owned());
    let description = ["description", "summary", "message"]
        .iter()
        .find_map(|k| annotations.get(*k))
        .cloned()
        .or_else(|| {
            (flavor == Flavor::Grafana)
                .then(|| optional_str(map, "valueString", path).ok().flatten())
                .flatten()
                .map(str::to_owned)
        })
        .unwrap_or_default();
    let starts = time(map.get("startsAt"), &join(path, "startsAt"))?;
    let ends = time(map.get("endsAt"), &join(path, "endsAt"))?;
    let at = match status {
        EventStatus::Alarm => starts,
        EventStatus::Ok => ends.filter(|t| t.timestamp() > 0).or(starts),
    };
    let link = match flavor {
        Flavor::Grafana => ["panelURL", "dashboardURL", "generatorURL"]
            .iter()
            .find_map(|k| {
                optional_str(map, k, path)
                    .ok()
                    .flatten()
                    .filter(|u| !u.is_empty())
            }),
        Flavor::Alertmanager => optional_str(map, "generatorURL", path)?,
    };
    let pick = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| labels.get(*k))
            .map(|v| strip_port(v).to_owned())
    };
    Ok(Event {
        dedup_key,
        name,
        level: AlarmLevel::from_severity(labels.get("severity").map(String::as_str)),
        status,
        time: at.filter(|t| t.timestamp() > 0).unwrap_or(now),
        description: cut(&description, DESCRIPTION_MAX),
        resource: pick(RESOURCE_LABELS),
        application: pick(APPLICATION_LABELS),
        url: url(link, &join(path, "generatorURL"))?,
        labels,
    })
}

/// Annotations are free text: read like labels but without the length limit on values.
fn labels_of(value: Option<&Value>, path: &str) -> Result<BTreeMap<String, String>, AppError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(BTreeMap::new());
    };
    Ok(object(value, path)?
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
        .collect())
}

/// Prometheus' `instance` label is `host:port`; the inventory knows the host.
fn strip_port(value: &str) -> &str {
    match value.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => value,
    }
}

/// A stable key for an alert that came without a fingerprint: the hash of its sorted labels.
fn fingerprint(labels: &BTreeMap<String, String>) -> String {
    let mut hash = Sha256::new();
    for (k, v) in labels {
        hash.update(k.as_bytes());
        hash.update([0]);
        hash.update(v.as_bytes());
        hash.update([0]);
    }
    hex::encode(&hash.finalize()[..8])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn parse_json(kind: DataSourceKind, body: Value) -> Result<Vec<Event>, AppError> {
        parse(kind, body.to_string().as_bytes(), now())
    }

    fn field_of(e: AppError) -> String {
        e.field().unwrap_or("(none)").to_owned()
    }

    /// A body as Alertmanager 0.25 sends it to a webhook receiver.
    fn alertmanager_body() -> Value {
        json!({
            "receiver": "opsroom",
            "status": "firing",
            "alerts": [{
                "status": "firing",
                "labels": {"alertname": "HighLatency", "severity": "critical",
                           "instance": "10.0.0.5:9100", "service": "checkout", "env": "prod"},
                "annotations": {"summary": "p99 above 2 s", "description": "p99 latency is 2.4 s"},
                "startsAt": "2026-11-28T09:58:00.123Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus:9090/graph?g0.expr=latency",
                "fingerprint": "a1b2c3d4e5f60718"
            }, {
                "status": "resolved",
                "labels": {"alertname": "DiskFull", "severity": "warning"},
                "annotations": {},
                "startsAt": "2026-11-28T08:00:00Z",
                "endsAt": "2026-11-28T09:00:00Z",
                "generatorURL": "",
                "fingerprint": "ffee"
            }],
            "groupLabels": {"alertname": "HighLatency"},
            "commonLabels": {},
            "commonAnnotations": {},
            "externalURL": "http://alertmanager:9093",
            "version": "4",
            "groupKey": "{}:{alertname=\"HighLatency\"}",
            "truncatedAlerts": 0
        })
    }

    #[test]
    fn alertmanager_alerts_become_events_field_by_field() {
        let events = parse_json(DataSourceKind::Alertmanager, alertmanager_body()).unwrap();
        assert_eq!(events.len(), 2);
        let e = &events[0];
        assert_eq!(e.dedup_key, "a1b2c3d4e5f60718");
        assert_eq!(e.name, "HighLatency");
        assert_eq!(e.level, AlarmLevel::Critical);
        assert_eq!(e.status, EventStatus::Alarm);
        assert_eq!(e.time.to_rfc3339(), "2026-11-28T09:58:00.123+00:00");
        assert_eq!(e.description, "p99 latency is 2.4 s");
        assert_eq!(e.resource.as_deref(), Some("10.0.0.5"));
        assert_eq!(e.application.as_deref(), Some("checkout"));
        assert_eq!(e.labels.get("env").map(String::as_str), Some("prod"));
        assert_eq!(
            e.url.as_deref(),
            Some("http://prometheus:9090/graph?g0.expr=latency")
        );
        let r = &events[1];
        assert_eq!(r.status, EventStatus::Ok);
        assert_eq!(r.level, AlarmLevel::Minor);
        assert_eq!(r.time.to_rfc3339(), "2026-11-28T09:00:00+00:00");
        assert_eq!(r.url, None);
        assert_eq!(r.resource, None);
    }

    #[test]
    fn alerts_without_fingerprint_get_a_stable_key_from_their_labels() {
        let body = |env: &str| json!({"alerts": [{"status": "firing", "labels": {"alertname": "A", "env": env}}]});
        let a = parse_json(DataSourceKind::Alertmanager, body("prod")).unwrap();
        let b = parse_json(DataSourceKind::Alertmanager, body("prod")).unwrap();
        let c = parse_json(DataSourceKind::Alertmanager, body("dev")).unwrap();
        assert_eq!(a[0].dedup_key, b[0].dedup_key);
        assert_ne!(a[0].dedup_key, c[0].dedup_key);
        assert_eq!(a[0].time, now());
        assert_eq!(a[0].level, AlarmLevel::Major);
    }

    #[test]
    fn grafana_bodies_use_panel_links_and_value_strings() {
        let body = json!({
            "receiver": "opsroom", "status": "firing", "orgId": 1,
            "alerts": [{
                "status": "firing",
                "labels": {"alertname": "CPU high", "grafana_folder": "infra", "host": "web-1"},
                "annotations": {},
                "startsAt": "2026-11-28T09:00:00+01:00",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://grafana/alerting/grafana/abc/view",
                "fingerprint": "0123456789abcdef",
                "silenceURL": "http://grafana/alerting/silence/new",
                "dashboardURL": "http://grafana/d/xyz",
                "panelURL": "http://grafana/d/xyz?viewPanel=2",
                "values": {"B": 97.5},
                "valueString": "[ var='B' labels={host=web-1} value=97.5 ]"
            }],
            "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {},
            "externalURL": "http://grafana/", "version": "1", "groupKey": "{}",
            "truncatedAlerts": 0, "title": "[FIRING:1] CPU high", "state": "alerting",
            "message": "**Firing**"
        });
        let e = &parse_json(DataSourceKind::Grafana, body).unwrap()[0];
        assert_eq!(e.name, "CPU high");
        assert_eq!(e.url.as_deref(), Some("http://grafana/d/xyz?viewPanel=2"));
        assert_eq!(e.description, "[ var='B' labels={host=web-1} value=97.5 ]");
        assert_eq!(e.resource.as_deref(), Some("web-1"));
        assert_eq!(e.time.to_rfc3339(), "2026-11-28T08:00:00+00:00");
    }

    #[test]
    fn links_keep_only_http_and_https_and_nul_characters_are_dropped() {
        for (url, kept) in [
            ("javascript:alert(1)", None),
            ("data:text/html,x", None),
            ("file:///etc/passwd", None),
            (
                "HTTPS://grafana.example/d/1",
                Some("HTTPS://grafana.example/d/1"),
            ),
            (
                "http://prometheus:9090/graph",
                Some("http://prometheus:9090/graph"),
            ),
        ] {
            let body = json!({"dedup_key": "k", "name": "n\0ame", "level": "minor", "url": url,
                              "labels": {"a\0": "b\0"}});
            let e = &parse_json(DataSourceKind::Generic, body).unwrap()[0];
            assert_eq!(e.url.as_deref(), kept, "{url}");
            assert_eq!(e.name, "name");
            assert_eq!(e.labels.get("a").map(String::as_str), Some("b"));
        }
    }

    #[test]
    fn generic_events_read_every_field() {
        let body = json!({
            "dedup_key": "db-1/disk", "name": "Disk 95% full", "level": "major",
            "status": "alarm", "time": 1_796_032_800_000_i64, "description": "on /var",
            "resource": 42, "application": "payments", "labels": {"team": "dba", "shard": 3},
            "url": "https://grafana.example.com/d/1"
        });
        let e = &parse_json(DataSourceKind::Generic, body).unwrap()[0];
        assert_eq!(e.dedup_key, "db-1/disk");
        assert_eq!(e.name, "Disk 95% full");
        assert_eq!(e.level, AlarmLevel::Major);
        assert_eq!(e.status, EventStatus::Alarm);
        assert_eq!(e.time.timestamp_millis(), 1_796_032_800_000);
        assert_eq!(e.description, "on /var");
        assert_eq!(e.resource.as_deref(), Some("42"));
        assert_eq!(e.application.as_deref(), Some("payments"));
        assert_eq!(e.labels.get("shard").map(String::as_str), Some("3"));
        assert_eq!(e.url.as_deref(), Some("https://grafana.example.com/d/1"));
    }

    #[test]
    fn an_ok_event_needs_only_its_key() {
        let e = &parse_json(
            DataSourceKind::Generic,
            json!({"dedup_key": "k", "status": "ok"}),
        )
        .unwrap()[0];
        assert_eq!(e.status, EventStatus::Ok);
        assert_eq!(e.name, "k");
    }

    #[test]
    fn malformed_bodies_name_the_offending_path() {
        let bad = |kind, body: Value| field_of(parse_json(kind, body).unwrap_err());
        let generic = DataSourceKind::Generic;
        assert_eq!(
            bad(generic, json!({"name": "x", "level": "major"})),
            "dedup_key"
        );
        assert_eq!(
            bad(
                generic,
                json!([{"dedup_key": "a", "name": "x", "level": "major"},
                               {"dedup_key": "b", "name": "y", "level": "severe"}])
            ),
            "[1].level"
        );
        assert_eq!(
            bad(
                generic,
                json!({"dedup_key": "a", "name": "x", "level": "info", "time": "yesterday"})
            ),
            "time"
        );
        assert_eq!(
            bad(
                generic,
                json!({"dedup_key": "a", "name": "x", "level": "info", "labels": {"a": [1]}})
            ),
            "labels.a"
        );
        assert_eq!(
            bad(
                generic,
                json!({"dedup_key": "a", "name": "x", "level": "info", "status": "firing"})
            ),
            "status"
        );
        assert_eq!(
            bad(
                generic,
                json!({"dedup_key": "a", "name": "x", "level": "info",
                                "description": "d".repeat(1001)})
            ),
            "description"
        );
        assert_eq!(
            bad(
                generic,
                json!({"dedup_key": "k".repeat(256), "name": "x", "level": "info"})
            ),
            "dedup_key"
        );
        assert_eq!(bad(generic, json!([])), "");
        assert_eq!(bad(generic, json!("text")), "(body)");
        let many: Vec<Value> = (0..1001)
            .map(|i| json!({"dedup_key": i.to_string(), "name": "x", "level": "info"}))
            .collect();
        assert_eq!(bad(generic, Value::Array(many)), "");
        let am = DataSourceKind::Alertmanager;
        assert_eq!(bad(am, json!({"version": "4"})), "alerts");
        assert_eq!(bad(am, json!({"alerts": {}})), "alerts");
        assert_eq!(
            bad(am, json!({"alerts": [{"labels": {}}]})),
            "alerts[0].status"
        );
        assert_eq!(
            bad(
                am,
                json!({"alerts": [{"status": "firing", "startsAt": 3.5}]})
            ),
            "alerts[0].startsAt"
        );
        assert_eq!(
            bad(
                DataSourceKind::Grafana,
                json!({"alerts": [{"status": "firing", "labels": "x"}]})
            ),
            "alerts[0].labels"
        );
    }

    #[test]
    fn text_that_is_not_json_is_malformed() {
        let e = parse(DataSourceKind::Generic, b"{not json", now()).unwrap_err();
        assert_eq!(e.http_status(), 400);
    }

    #[test]
    fn severities_map_onto_the_four_levels() {
        assert_eq!(
            AlarmLevel::from_severity(Some("CRITICAL")),
            AlarmLevel::Critical
        );
        assert_eq!(
            AlarmLevel::from_severity(Some("warning")),
            AlarmLevel::Minor
        );
        assert_eq!(AlarmLevel::from_severity(Some("info")), AlarmLevel::Info);
        assert_eq!(AlarmLevel::from_severity(Some("weird")), AlarmLevel::Major);
        assert_eq!(AlarmLevel::from_severity(None), AlarmLevel::Major);
        assert_eq!(strip_port("10.0.0.5:9100"), "10.0.0.5");
        assert_eq!(strip_port("db-1"), "db-1");
    }
}
