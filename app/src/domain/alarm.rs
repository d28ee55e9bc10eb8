//! Alarms: the deduplicated state of one monitoring signal, the events that raise and clear
//! them, and what people do with them (clear, convert to an incident).

use super::AppError;
use super::forwarding_rule::Subject;
use super::incident::{Assignee, Category, Level};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

crate::string_enum! {
    pub enum AlarmLevel { Critical = "critical", Major = "major", Minor = "minor", Info = "info" }
}

crate::string_enum! {
    pub enum AlarmStatus { Active = "active", Cleared = "cleared" }
}

crate::string_enum! {
    /// What an event says about its signal: it is firing, or it is fine again.
    pub enum EventStatus { Alarm = "alarm", Ok = "ok" }
}

impl AlarmLevel {
    /// Reads a monitoring system's severity label; anything unknown or missing is major, so an
    /// unlabelled alert is neither lost in the noise nor paging as critical.
    pub fn from_severity(severity: Option<&str>) -> AlarmLevel {
        match severity.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            Some("critical" | "crit" | "page" | "emergency" | "fatal" | "disaster" | "p1") => {
                AlarmLevel::Critical
            }
            Some("minor" | "warning" | "warn" | "medium" | "average" | "p3") => AlarmLevel::Minor,
            Some("info" | "informational" | "low" | "none" | "ok" | "p4" | "p5") => {
                AlarmLevel::Info
            }
            _ => AlarmLevel::Major,
        }
    }
}

pub const DEDUP_KEY_MAX: usize = 255;
pub const NAME_MAX: usize = 255;
pub const DESCRIPTION_MAX: usize = 1000;
pub const REMARK_MAX: usize = 100;
/// The most events one request may carry.
pub const BATCH_MAX: usize = 1000;
pub const LABELS_MAX: usize = 64;
pub const LABEL_MAX: usize = 255;
pub const URL_MAX: usize = 2000;

/// One event from a monitoring system, whatever format it arrived in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Event {
    pub dedup_key: String,
    pub name: String,
    pub level: AlarmLevel,
    pub status: EventStatus,
    pub time: DateTime<Utc>,
    pub description: String,
    /// A resource's id or name (or address), as the source names it.
    pub resource: Option<String>,
    /// An application's id or name.
    pub application: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub url: Option<String>,
}

/// An alarm as stored: one per active (data source, dedup key), repeats counted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Alarm {
    pub id: i64,
    pub data_source_id: i64,
    pub source_name: String,
    pub dedup_key: String,
    pub name: String,
    pub level: AlarmLevel,
    pub status: AlarmStatus,
    pub description: String,
    pub labels: BTreeMap<String, String>,
    pub url: Option<String>,
    /// What the event called its resource, and the inventory's resource that matched.
    pub resource_ref: Option<String>,
    pub resource_id: Option<i64>,
    pub resource_name: Option<String>,
    pub application_ref: Option<String>,
    pub application_id: Option<i64>,
    pub application_name: Option<String>,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// How many events raised or repeated it.
    pub count: i64,
    /// The forwarding rule that decided what became of it.
    pub rule_id: Option<i64>,
    pub rule_name: Option<String>,
    pub incident_id: Option<i64>,
    pub cleared_at: Option<DateTime<Utc>>,
    /// `source` when the monitoring system said it is fine, else the person who cleared it.
    pub cleared_by: Option<String>,
    pub service_interrupted: bool,
    pub fault_started_at: Option<DateTime<Utc>>,
    pub recovered_at: Option<DateTime<Utc>>,
    pub remark: String,
}

impl Alarm {
    pub fn number(&self) -> String {
        number(self.id)
    }

    /// The alarm as forwarding rules see it (a replay decides as ingestion did).
    pub fn subject(&self) -> Subject<'_> {
        Subject {
            source_id: self.data_source_id,
            source: &self.source_name,
            name: &self.name,
            level: self.level,
            description: &self.description,
            resource: self
                .resource_name
                .as_deref()
                .or(self.resource_ref.as_deref()),
            application: self
                .application_name
                .as_deref()
                .or(self.application_ref.as_deref()),
            labels: &self.labels,
        }
    }
}

pub fn number(id: i64) -> String {
    super::numbering::Prefix::Alarm.number(id)
}

/// An alarm with its timeline, for its page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AlarmDetail {
    #[serde(flatten)]
    pub alarm: Alarm,
    pub incident_title: Option<String>,
    pub history: Vec<super::workflow::HistoryEntry>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AlarmFilter {
    pub status: Option<AlarmStatus>,
    pub level: Option<AlarmLevel>,
    pub data_source_id: Option<i64>,
    pub application_id: Option<i64>,
    pub incident_id: Option<i64>,
    /// Contained in the name or the dedup key (any case).
    pub q: Option<String>,
    /// Last seen at or after.
    pub from: Option<DateTime<Utc>>,
    /// First seen before.
    pub to: Option<DateTime<Utc>>,
}

crate::string_enum! {
    /// What an event did, as the ingestion answer tells it: `nothing_to_clear` is an `ok` for a
    /// key with no active alarm, `dropped` an event a forwarding rule said to drop.
    pub enum EventOutcome {
        Raised = "raised",
        Repeated = "repeated",
        Cleared = "cleared",
        NothingToClear = "nothing_to_clear",
        Dropped = "dropped",
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EventResult {
    pub outcome: EventOutcome,
    pub alarm_id: Option<i64>,
    /// The incident the alarm opened or joined.
    pub incident_id: Option<i64>,
}

/// What pushes did to one data source's alarms over a while, for the audit log.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IngestCounts {
    pub raised: u64,
    /// The alarms raised (new ones only), as ranges of ids.
    pub raised_ids: IdRanges,
    pub repeated: u64,
    pub cleared: u64,
    pub nothing_to_clear: u64,
    pub dropped: u64,
    /// Events whose alarm opened or joined an incident.
    pub with_incident: u64,
}

impl IngestCounts {
    pub fn add(&mut self, result: &EventResult) {
        match result.outcome {
            EventOutcome::Raised => {
                self.raised += 1;
                if let Some(id) = result.alarm_id {
                    self.raised_ids.insert(id);
                }
            }
            EventOutcome::Repeated => self.repeated += 1,
            EventOutcome::Cleared => self.cleared += 1,
            EventOutcome::NothingToClear => self.nothing_to_clear += 1,
            EventOutcome::Dropped => self.dropped += 1,
        }
        if result.incident_id.is_some() {
            self.with_incident += 1;
        }
    }
}

/// A set of ids as sorted, disjoint, inclusive `[first, last]` ranges: the thousands of
/// consecutive ids a storm raises in a while are a handful of pairs, so recording them costs
/// little however many there are.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IdRanges(Vec<[i64; 2]>);

impl IdRanges {
    pub fn insert(&mut self, id: i64) {
        let ranges = &mut self.0;
        // The first range that ends at or after the id just below.
        let i = ranges.partition_point(|r| r[1] < id.saturating_sub(1));
        match ranges.get(i).copied() {
            Some([first, last]) if first <= id && id <= last => {}
            Some([_, last]) if last + 1 == id => {
                ranges[i][1] = id;
                if let Some(&[next_first, next_last]) = ranges.get(i + 1)
                    && next_first == id + 1
                {
                    ranges[i][1] = next_last;
                    ranges.remove(i + 1);
                }
            }
            Some([first, _]) if first == id + 1 => ranges[i][0] = id,
            _ => ranges.insert(i, [id, id]),
        }
    }

    pub fn ranges(&self) -> &[[i64; 2]] {
        &self.0
    }
}

/// The answer to a push: given only once the events are committed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Ingested {
    pub accepted: usize,
    /// The alarm of each event in order (`null` for dropped events and clears of nothing).
    pub alarm_ids: Vec<Option<i64>>,
    pub results: Vec<EventResult>,
}

/// `POST /v1/alarms/{id}/clear`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClearAlarm {
    #[serde(default)]
    pub service_interrupted: bool,
    /// Required when the service was interrupted.
    #[serde(default)]
    pub fault_started_at: Option<DateTime<Utc>>,
    /// Required when the service was interrupted; not before the fault started.
    #[serde(default)]
    pub recovered_at: Option<DateTime<Utc>>,
    /// At most 100 characters.
    #[serde(default)]
    pub remark: String,
}

impl ClearAlarm {
    pub fn normalized(mut self, now: DateTime<Utc>) -> Result<ClearAlarm, AppError> {
        super::incident::check_len("remark", &mut self.remark, 0, REMARK_MAX)?;
        if !self.service_interrupted {
            self.fault_started_at = None;
            self.recovered_at = None;
            return Ok(self);
        }
        let started = self.fault_started_at.ok_or_else(|| {
            AppError::invalid(
                "fault_started_at",
                "is required when the service was interrupted",
            )
        })?;
        let recovered = self.recovered_at.ok_or_else(|| {
            AppError::invalid(
                "recovered_at",
                "is required when the service was interrupted",
            )
        })?;
        if recovered < started {
            return Err(AppError::invalid(
                "recovered_at",
                "must not be before the fault started",
            ));
        }
        if recovered > now {
            return Err(AppError::invalid(
                "recovered_at",
                "must not be in the future",
            ));
        }
        Ok(self)
    }
}

/// `POST /v1/alarms/convert`: one or several alarms become one new incident.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConvertAlarms {
    /// 1–100 alarms, none already linked to an incident.
    pub alarm_ids: Vec<i64>,
    /// The incident's title; the first alarm's name when empty.
    #[serde(default)]
    pub title: String,
    pub level: Level,
    pub category: Category,
    pub owner: Assignee,
    /// The first alarm's application when absent.
    #[serde(default)]
    pub application_id: Option<i64>,
}

pub const CONVERT_MAX: usize = 100;

impl ConvertAlarms {
    pub fn normalized(mut self) -> Result<ConvertAlarms, AppError> {
        self.alarm_ids.sort_unstable();
        self.alarm_ids.dedup();
        if self.alarm_ids.is_empty() || self.alarm_ids.len() > CONVERT_MAX {
            return Err(AppError::invalid(
                "alarm_ids",
                format!("pick between 1 and {CONVERT_MAX} alarms"),
            ));
        }
        super::incident::check_len("title", &mut self.title, 0, super::incident::TITLE_MAX)?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[test]
    fn consecutive_ids_are_one_range_and_gaps_split_them() {
        let mut ids = IdRanges::default();
        for id in [5, 6, 7, 10, 9, 3, 8, 8] {
            ids.insert(id);
        }
        assert_eq!(ids.ranges(), [[3, 3], [5, 10]]);
        assert_eq!(serde_json::to_string(&ids).unwrap(), "[[3,3],[5,10]]");
    }

    proptest! {
        /// Whatever the order, the ranges hold exactly the ids inserted, sorted, neither
        /// overlapping nor touching.
        #[test]
        fn ranges_hold_exactly_the_ids(inserted in prop::collection::vec(0i64..200, 0..300)) {
            let mut ids = IdRanges::default();
            for id in &inserted {
                ids.insert(*id);
            }
            let want: BTreeSet<i64> = inserted.into_iter().collect();
            let got: BTreeSet<i64> = ids.ranges().iter().flat_map(|[a, b]| *a..=*b).collect();
            prop_assert_eq!(got, want);
            prop_assert!(ids.ranges().iter().all(|[a, b]| a <= b));
            prop_assert!(ids.ranges().windows(2).all(|w| w[0][1] + 1 < w[1][0]));
        }
    }
}
