//! Forwarding rules: which events become incidents, stay alarms or are dropped. The matcher, its
//! explanation (rule test) and the replay over stored alarms all go through `CompiledRule`, so
//! a rule decides the same way whichever asks.

use super::AppError;
use super::alarm::{AlarmLevel, LABEL_MAX};
use super::incident::{Assignee, Category, Level};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

crate::string_enum! {
    pub enum Op {
        Eq = "eq",
        Ne = "ne",
        Contains = "contains",
        NotContains = "not_contains",
        StartsWith = "starts_with",
        Regex = "regex",
        In = "in",
        Exists = "exists",
    }
}

pub const NAME_MAX: usize = 100;
pub const GROUPS_MAX: usize = 5;
pub const CONDITIONS_MAX: usize = 5;
pub const VALUE_MAX: usize = 500;
pub const GROUP_BY_MAX: usize = 5;
/// The longest group key stored as it is; longer ones are stored as their digest.
const GROUP_KEY_MAX_BYTES: usize = 512;
/// The longest silence window: a week.
pub const WINDOW_MAX_MINUTES: i32 = 7 * 24 * 60;
/// The most days a replay looks back.
pub const REPLAY_DAYS_MAX: i64 = 90;
/// How many would-be incidents a replay shows.
pub const REPLAY_EXAMPLES: usize = 10;

/// The event fields a condition can test; labels are `labels.<key>`.
pub const FIELDS: &[&str] = &[
    "name",
    "level",
    "description",
    "source",
    "resource",
    "application",
];

/// One test of an event field: `{field, op, value}`. `in` takes a comma-separated list;
/// `exists` ignores the value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Condition {
    pub field: String,
    pub op: Op,
    #[serde(default)]
    pub value: String,
}

/// What becomes of an event a rule matches.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RuleAction {
    /// Open an incident (or, with silence, join the one already open).
    Incident {
        level: Level,
        category: Category,
        owner: Assignee,
        /// The alarm's own application when absent.
        #[serde(default)]
        application_id: Option<i64>,
    },
    /// Keep it as an alarm, optionally at another level.
    AlarmOnly {
        #[serde(default)]
        level: Option<AlarmLevel>,
    },
    /// Keep nothing.
    Drop,
}

impl RuleAction {
    pub fn kind(&self) -> &'static str {
        match self {
            RuleAction::Incident { .. } => "incident",
            RuleAction::AlarmOnly { .. } => "alarm_only",
            RuleAction::Drop => "drop",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ForwardingRule {
    pub id: i64,
    pub name: String,
    pub enabled: bool,
    /// Rules are tried in position order; the first enabled match decides.
    pub position: i32,
    /// The sources it applies to; empty means any.
    pub data_source_ids: Vec<i64>,
    /// An OR of AND-groups; no groups matches every event.
    pub groups: Vec<Vec<Condition>>,
    pub action: RuleAction,
    /// While the incident it opened is not completed, further matches join it.
    pub silence: bool,
    /// Labels whose values group alarms into one incident (empty: the same dedup key).
    pub group_by: Vec<String>,
    /// With `group_by`: how long after the incident opened matches still join it.
    pub silence_window_minutes: i32,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A rule as an administrator writes it (create, update, test and replay of a draft).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewForwardingRule {
    /// 1–100 characters, unique.
    pub name: String,
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub data_source_ids: Vec<i64>,
    /// At most 5 groups of 1–5 conditions.
    #[serde(default)]
    pub groups: Vec<Vec<Condition>>,
    pub action: RuleAction,
    #[serde(default = "yes")]
    pub silence: bool,
    /// At most 5 label keys.
    #[serde(default)]
    pub group_by: Vec<String>,
    /// 1–10080 when `group_by` is set.
    #[serde(default = "hour")]
    pub silence_window_minutes: i32,
}

fn yes() -> bool {
    true
}

fn hour() -> i32 {
    60
}

/// `PUT /v1/forwarding-rules/{id}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RuleUpdate {
    #[serde(flatten)]
    pub rule: NewForwardingRule,
    pub version: i32,
}

/// Conditions as the console writes them: one group per line, conditions joined by ` AND `,
/// each `field op value` (the value is the rest of the condition; `exists` takes none).
pub fn conditions_text(groups: &[Vec<Condition>]) -> String {
    groups
        .iter()
        .map(|g| {
            g.iter()
                .map(|c| {
                    format!("{} {} {}", c.field, c.op, c.value)
                        .trim_end()
                        .to_owned()
                })
                .collect::<Vec<_>>()
                .join(" AND ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads [`conditions_text`]; a condition that does not read is a 422 on `conditions` naming
/// its line.
pub fn parse_conditions(text: &str) -> Result<Vec<Vec<Condition>>, AppError> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(line, l)| {
            l.split(" AND ")
                .map(|c| {
                    let mut parts = c.trim().splitn(3, ' ');
                    let field = parts.next().unwrap_or_default().to_owned();
                    let op = parts.next().unwrap_or_default();
                    let op = Op::parse(op).ok_or_else(|| {
                        let ops: Vec<&str> = Op::ALL.iter().map(|o| o.as_str()).collect();
                        AppError::invalid(
                            "conditions",
                            format!(
                                "line {}: '{}' needs field, operator ({}) and value",
                                line + 1,
                                c.trim(),
                                ops.join(", ")
                            ),
                        )
                    })?;
                    Ok(Condition {
                        field,
                        op,
                        value: parts.next().unwrap_or_default().trim().to_owned(),
                    })
                })
                .collect()
        })
        .collect()
}

/// Says which line of the console's conditions text a `groups[g][c]...` error is about.
pub fn on_conditions_text(e: AppError) -> AppError {
    match e {
        AppError::Validation { field, message } if field.starts_with("groups") => {
            let numbers: Vec<usize> = field
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse().ok())
                .collect();
            let place = match numbers.as_slice() {
                [g, c, ..] => format!("line {}, condition {}", g + 1, c + 1),
                [g] => format!("line {}", g + 1),
                _ => "the conditions".to_owned(),
            };
            let what = field
                .rsplit('.')
                .next()
                .filter(|w| *w != field)
                .unwrap_or("");
            AppError::invalid(
                "conditions",
                format!("{place}: {what} {message}").replace("  ", " "),
            )
        }
        other => other,
    }
}

/// A field a condition reads.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Field {
    Name,
    Level,
    Description,
    Source,
    Resource,
    Application,
    Label(String),
}

impl Field {
    fn parse(path: &str, text: &str) -> Result<Field, AppError> {
        Ok(match text {
            "name" => Field::Name,
            "level" => Field::Level,
            "description" => Field::Description,
            "source" => Field::Source,
            "resource" => Field::Resource,
            "application" => Field::Application,
            _ => match text.strip_prefix("labels.") {
                Some(key) if !key.is_empty() && key.len() <= 255 => Field::Label(key.to_owned()),
                _ => {
                    return Err(AppError::invalid(
                        path,
                        format!(
                            "unknown field '{text}': use one of {} or labels.<key>",
                            FIELDS.join(", ")
                        ),
                    ));
                }
            },
        })
    }
}

/// What a rule looks at: an incoming event, or a stored alarm when replaying.
#[derive(Clone, Debug)]
pub struct Subject<'a> {
    pub source_id: i64,
    pub source: &'a str,
    pub name: &'a str,
    pub level: AlarmLevel,
    pub description: &'a str,
    /// The matched resource's name, else the reference the event sent.
    pub resource: Option<&'a str>,
    pub application: Option<&'a str>,
    pub labels: &'a BTreeMap<String, String>,
}

impl Subject<'_> {
    fn read(&self, field: &Field) -> Option<&str> {
        match field {
            Field::Name => Some(self.name),
            Field::Level => Some(self.level.as_str()),
            Field::Description => Some(self.description),
            Field::Source => Some(self.source),
            Field::Resource => self.resource,
            Field::Application => self.application,
            Field::Label(key) => self.labels.get(key).map(String::as_str),
        }
    }
}

enum Test {
    Text(String),
    List(Vec<String>),
    Pattern(regex::Regex),
    Any,
}

struct Compiled {
    field: Field,
    op: Op,
    test: Test,
}

impl Compiled {
    fn new(path: &str, c: &Condition) -> Result<Compiled, AppError> {
        let field = Field::parse(&format!("{path}.field"), c.field.trim())?;
        let at = format!("{path}.value");
        let value = c.value.trim();
        if value.chars().count() > VALUE_MAX {
            return Err(AppError::invalid(
                at,
                format!("must be at most {VALUE_MAX} characters"),
            ));
        }
        if c.op != Op::Exists && value.is_empty() {
            return Err(AppError::invalid(at, format!("is required for '{}'", c.op)));
        }
        let test = match c.op {
            Op::Exists => Test::Any,
            Op::Regex => Test::Pattern(
                regex::RegexBuilder::new(value)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| AppError::invalid(at, format!("is not a valid regex: {e}")))?,
            ),
            Op::In => Test::List(
                value
                    .split(',')
                    .map(|v| v.trim().to_owned())
                    .filter(|v| !v.is_empty())
                    .collect(),
            ),
            _ => Test::Text(value.to_owned()),
        };
        if field == Field::Level {
            let values: Vec<&str> = match &test {
                Test::Text(v) => vec![v.as_str()],
                Test::List(vs) => vs.iter().map(String::as_str).collect(),
                _ => Vec::new(),
            };
            for v in values {
                AlarmLevel::parse_field(&format!("{path}.value"), v)?;
            }
        }
        Ok(Compiled {
            field,
            op: c.op,
            test,
        })
    }

    fn holds(&self, subject: &Subject) -> bool {
        let actual = subject.read(&self.field);
        match (&self.test, actual) {
            (Test::Any, actual) => actual.is_some_and(|a| !a.is_empty()),
            (Test::Text(v), Some(a)) => match self.op {
                Op::Eq => a == v,
                Op::Ne => a != v,
                Op::Contains => a.contains(v.as_str()),
                Op::NotContains => !a.contains(v.as_str()),
                Op::StartsWith => a.starts_with(v.as_str()),
                _ => false,
            },
            (Test::List(vs), Some(a)) => vs.iter().any(|v| v == a),
            (Test::Pattern(p), Some(a)) => p.is_match(a),
            // A missing field equals nothing and so differs from everything.
            (_, None) => matches!(self.op, Op::Ne | Op::NotContains),
        }
    }
}

/// A rule ready to match: its conditions parsed and its patterns compiled once.
pub struct CompiledRule {
    pub rule: ForwardingRule,
    groups: Vec<Vec<Compiled>>,
}

/// How one condition fared against a sample event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConditionVerdict {
    #[serde(flatten)]
    pub condition: Condition,
    /// The event's value of the field (`null` when it has none).
    pub actual: Option<String>,
    pub holds: bool,
}

impl CompiledRule {
    pub fn compile(rule: ForwardingRule) -> Result<CompiledRule, AppError> {
        let groups = rule
            .groups
            .iter()
            .enumerate()
            .map(|(g, conditions)| {
                conditions
                    .iter()
                    .enumerate()
                    .map(|(c, condition)| Compiled::new(&format!("groups[{g}][{c}]"), condition))
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CompiledRule { rule, groups })
    }

    fn covers(&self, source_id: i64) -> bool {
        self.rule.data_source_ids.is_empty() || self.rule.data_source_ids.contains(&source_id)
    }

    /// The first condition group the subject meets (0 for a rule without conditions), or `None`
    /// when the rule does not apply to it. Enabled or not: the caller decides whether that
    /// matters.
    pub fn matched_group(&self, subject: &Subject) -> Option<usize> {
        if !self.covers(subject.source_id) {
            return None;
        }
        if self.groups.is_empty() {
            return Some(0);
        }
        self.groups
            .iter()
            .position(|group| group.iter().all(|c| c.holds(subject)))
    }

    /// Every condition of every group, with the subject's value and whether it held.
    pub fn explain(&self, subject: &Subject) -> Vec<Vec<ConditionVerdict>> {
        self.groups
            .iter()
            .zip(&self.rule.groups)
            .map(|(compiled, written)| {
                compiled
                    .iter()
                    .zip(written)
                    .map(|(c, w)| ConditionVerdict {
                        condition: w.clone(),
                        actual: subject.read(&c.field).map(str::to_owned),
                        holds: c.holds(subject),
                    })
                    .collect()
            })
            .collect()
    }

    /// The key that groups matches into one incident: the dedup key, or the group-by labels.
    pub fn group_key(&self, dedup_key: &str, labels: &BTreeMap<String, String>) -> String {
        if self.rule.group_by.is_empty() {
            return format!("key:{dedup_key}");
        }
        let parts: Vec<String> = self
            .rule
            .group_by
            .iter()
            .map(|k| format!("{k}={}", labels.get(k).map(String::as_str).unwrap_or("")))
            .collect();
        let key = format!("labels:{}", parts.join(","));
        // Long label values would outgrow the index that finds the incident to join: a digest
        // groups them just as well.
        if key.len() > GROUP_KEY_MAX_BYTES {
            use sha2::{Digest, Sha256};
            return format!(
                "labels-sha256:{}",
                hex::encode(Sha256::digest(key.as_bytes()))
            );
        }
        key
    }

    /// How far back an open incident may have been opened for a new match to join it.
    pub fn silence_since(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        (!self.rule.group_by.is_empty())
            .then(|| now - Duration::minutes(i64::from(self.rule.silence_window_minutes)))
    }

    /// Whether a match at `at` joins the group's open incident opened at `opened` (silence).
    pub fn joins(&self, opened: Option<DateTime<Utc>>, at: DateTime<Utc>) -> bool {
        self.rule.silence
            && opened.is_some_and(|o| self.silence_since(at).is_none_or(|since| o >= since))
    }
}

/// The enabled rule that decides for a subject: the first in position order that matches.
pub fn first_match<'a>(
    rules: &'a [CompiledRule],
    subject: &Subject,
) -> Option<(&'a CompiledRule, usize)> {
    rules
        .iter()
        .filter(|r| r.rule.enabled)
        .find_map(|r| r.matched_group(subject).map(|g| (r, g)))
}

impl NewForwardingRule {
    /// Checks every limit and compiles every condition: a rule that saves can always match.
    pub fn normalized(mut self) -> Result<NewForwardingRule, AppError> {
        super::incident::check_len("name", &mut self.name, 1, NAME_MAX)?;
        if self.groups.len() > GROUPS_MAX {
            return Err(AppError::invalid(
                "groups",
                format!(
                    "at most {GROUPS_MAX} condition groups (got {})",
                    self.groups.len()
                ),
            ));
        }
        for (g, group) in self.groups.iter().enumerate() {
            if group.is_empty() || group.len() > CONDITIONS_MAX {
                return Err(AppError::invalid(
                    format!("groups[{g}]"),
                    format!(
                        "a group holds 1 to {CONDITIONS_MAX} conditions (got {})",
                        group.len()
                    ),
                ));
            }
        }
        for group in &mut self.groups {
            for c in group.iter_mut() {
                c.field = c.field.trim().to_owned();
                c.value = c.value.trim().to_owned();
            }
        }
        self.data_source_ids.sort_unstable();
        self.data_source_ids.dedup();
        self.group_by = self
            .group_by
            .iter()
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty())
            .collect();
        self.group_by.dedup();
        for (i, key) in self.group_by.iter().enumerate() {
            super::resource::check_text(&format!("group_by[{i}]"), key, 1, LABEL_MAX)?;
        }
        if self.group_by.len() > GROUP_BY_MAX {
            return Err(AppError::invalid(
                "group_by",
                format!("at most {GROUP_BY_MAX} labels"),
            ));
        }
        if !self.group_by.is_empty()
            && !(1..=WINDOW_MAX_MINUTES).contains(&self.silence_window_minutes)
        {
            return Err(AppError::invalid(
                "silence_window_minutes",
                format!("must be 1–{WINDOW_MAX_MINUTES} minutes"),
            ));
        }
        CompiledRule::compile(self.draft(0, 0, Utc::now()))?;
        Ok(self)
    }

    /// The rule as it would be stored, for matching a draft.
    pub fn draft(&self, id: i64, position: i32, at: DateTime<Utc>) -> ForwardingRule {
        ForwardingRule {
            id,
            name: self.name.clone(),
            enabled: self.enabled,
            position,
            data_source_ids: self.data_source_ids.clone(),
            groups: self.groups.clone(),
            action: self.action.clone(),
            silence: self.silence,
            group_by: self.group_by.clone(),
            silence_window_minutes: self.silence_window_minutes,
            version: 1,
            created_at: at,
            updated_at: at,
        }
    }
}

/// `POST /v1/forwarding-rules/test`: a rule (saved or draft) against a sample event in the
/// generic format.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RuleTest {
    /// A saved rule, or `rule` for a draft.
    #[serde(default)]
    pub rule_id: Option<i64>,
    #[serde(default)]
    pub rule: Option<NewForwardingRule>,
    /// The data source the event is taken to come from (any source when absent).
    #[serde(default)]
    pub data_source_id: Option<i64>,
    /// One event in the generic format.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub event: serde_json::Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RuleTestResult {
    pub matched: bool,
    /// The first group that matched (from 0).
    pub group: Option<usize>,
    pub groups: Vec<Vec<ConditionVerdict>>,
    /// `false` when the rule's sources do not include the event's.
    pub source_applies: bool,
    /// What would be done: incident, alarm_only or drop (when it matched).
    pub action: Option<String>,
}

/// `POST /v1/forwarding-rules/replay`: a rule over the stored alarms of the last `days`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReplayRequest {
    #[serde(default)]
    pub rule_id: Option<i64>,
    #[serde(default)]
    pub rule: Option<NewForwardingRule>,
    /// 1–90 (default 7).
    #[serde(default)]
    pub days: Option<i64>,
}

/// An alarm a replay would have turned into an incident.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReplayExample {
    pub alarm_id: i64,
    pub name: String,
    pub first_seen: DateTime<Utc>,
    pub group: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Replay {
    pub days: i64,
    /// Alarms looked at.
    pub examined: usize,
    /// Alarms the rule matches.
    pub matched: usize,
    /// Of those, alarms an earlier enabled rule takes first.
    pub shadowed: usize,
    /// Incidents it would have opened (with its silence).
    pub incidents: usize,
    /// Matches that would have joined one of those incidents.
    pub joined: usize,
    /// Matches it would have kept as alarms or dropped.
    pub kept: usize,
    pub dropped: usize,
    pub examples: Vec<ReplayExample>,
}

/// One stored alarm as a replay sees it: the rule's subject and what the examples show.
pub struct Replayed<'a> {
    pub subject: Subject<'a>,
    pub alarm_id: i64,
    pub dedup_key: &'a str,
    pub first_seen: DateTime<Utc>,
}

/// Replays `rule` (at its position among `earlier`, the enabled rules before it) over alarms
/// in the order they were first seen, opening and silencing incidents as ingestion would,
/// taking each incident to stay open for the silence window.
pub fn replay<'a>(
    rule: &CompiledRule,
    earlier: &[CompiledRule],
    alarms: impl IntoIterator<Item = Replayed<'a>>,
    days: i64,
) -> Replay {
    let mut out = Replay {
        days,
        ..Replay::default()
    };
    let mut opened: HashMap<String, DateTime<Utc>> = HashMap::new();
    for alarm in alarms {
        out.examined += 1;
        let Some(group) = rule.matched_group(&alarm.subject) else {
            continue;
        };
        out.matched += 1;
        if first_match(earlier, &alarm.subject).is_some() {
            out.shadowed += 1;
            continue;
        }
        match rule.rule.action {
            RuleAction::Drop => out.dropped += 1,
            RuleAction::AlarmOnly { .. } => out.kept += 1,
            RuleAction::Incident { .. } => {
                let key = rule.group_key(alarm.dedup_key, alarm.subject.labels);
                if rule.joins(opened.get(&key).copied(), alarm.first_seen) {
                    out.joined += 1;
                } else {
                    out.incidents += 1;
                    opened.insert(key, alarm.first_seen);
                    if out.examples.len() < REPLAY_EXAMPLES {
                        out.examples.push(ReplayExample {
                            alarm_id: alarm.alarm_id,
                            name: alarm.subject.name.to_owned(),
                            first_seen: alarm.first_seen,
                            group,
                        });
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cond(field: &str, op: Op, value: &str) -> Condition {
        Condition {
            field: field.into(),
            op,
            value: value.into(),
        }
    }

    fn new_rule(groups: Vec<Vec<Condition>>) -> NewForwardingRule {
        NewForwardingRule {
            name: "r".into(),
            enabled: true,
            data_source_ids: vec![],
            groups,
            action: RuleAction::AlarmOnly { level: None },
            silence: true,
            group_by: vec![],
            silence_window_minutes: 60,
        }
    }

    fn compiled(groups: Vec<Vec<Condition>>) -> CompiledRule {
        CompiledRule::compile(
            new_rule(groups)
                .normalized()
                .unwrap()
                .draft(1, 1, Utc::now()),
        )
        .unwrap()
    }

    fn subject<'a>(labels: &'a BTreeMap<String, String>) -> Subject<'a> {
        Subject {
            source_id: 1,
            source: "prometheus",
            name: "HighLatency",
            level: AlarmLevel::Critical,
            description: "p99 is 2.4 s",
            resource: Some("db-1"),
            application: None,
            labels,
        }
    }

    #[test]
    fn every_operator_decides_as_documented() {
        let labels = BTreeMap::from([("env".to_owned(), "prod".to_owned())]);
        let s = subject(&labels);
        let holds = |c: Condition| compiled(vec![vec![c]]).matched_group(&s).is_some();
        assert!(holds(cond("name", Op::Eq, "HighLatency")));
        assert!(!holds(cond("name", Op::Eq, "highlatency")));
        assert!(holds(cond("name", Op::Ne, "Other")));
        assert!(holds(cond("description", Op::Contains, "2.4")));
        assert!(holds(cond("description", Op::NotContains, "disk")));
        assert!(holds(cond("name", Op::StartsWith, "High")));
        assert!(holds(cond("name", Op::Regex, "^High.*y$")));
        assert!(holds(cond("level", Op::In, "major, critical")));
        assert!(!holds(cond("level", Op::In, "minor,info")));
        assert!(holds(cond("labels.env", Op::Exists, "")));
        assert!(!holds(cond("labels.team", Op::Exists, "")));
        assert!(holds(cond("source", Op::Eq, "prometheus")));
        assert!(holds(cond("resource", Op::Eq, "db-1")));
        // A missing field: equal to nothing, different from everything.
        assert!(!holds(cond("application", Op::Eq, "x")));
        assert!(holds(cond("application", Op::Ne, "x")));
        assert!(holds(cond("labels.team", Op::NotContains, "x")));
        assert!(!holds(cond("labels.team", Op::Regex, ".*")));
    }

    #[test]
    fn groups_are_ored_and_conditions_anded() {
        let labels = BTreeMap::from([("env".to_owned(), "prod".to_owned())]);
        let s = subject(&labels);
        let rule = compiled(vec![
            vec![
                cond("level", Op::Eq, "critical"),
                cond("labels.env", Op::Eq, "dev"),
            ],
            vec![
                cond("level", Op::Eq, "critical"),
                cond("labels.env", Op::Eq, "prod"),
            ],
        ]);
        assert_eq!(rule.matched_group(&s), Some(1));
        let explained = rule.explain(&s);
        assert_eq!(explained[0][1].actual.as_deref(), Some("prod"));
        assert!(!explained[0][1].holds);
        assert!(explained[1].iter().all(|v| v.holds));
        assert_eq!(compiled(vec![]).matched_group(&s), Some(0));
    }

    #[test]
    fn sources_narrow_a_rule_and_disabled_rules_never_decide() {
        let labels = BTreeMap::new();
        let s = subject(&labels);
        let mut narrow = new_rule(vec![]);
        narrow.data_source_ids = vec![2];
        let narrow = CompiledRule::compile(narrow.draft(1, 1, Utc::now())).unwrap();
        assert_eq!(narrow.matched_group(&s), None);
        let mut off = new_rule(vec![]);
        off.enabled = false;
        let rules = vec![
            CompiledRule::compile(off.draft(2, 1, Utc::now())).unwrap(),
            compiled(vec![]),
        ];
        assert_eq!(first_match(&rules, &s).map(|(r, _)| r.rule.id), Some(1));
    }

    #[test]
    fn bad_rules_are_refused_at_save_naming_the_condition() {
        let field = |groups| {
            new_rule(groups)
                .normalized()
                .unwrap_err()
                .field()
                .unwrap()
                .to_owned()
        };
        assert_eq!(
            field(vec![vec![cond("name", Op::Regex, "(unclosed")]]),
            "groups[0][0].value"
        );
        assert_eq!(
            field(vec![vec![cond("host", Op::Eq, "x")]]),
            "groups[0][0].field"
        );
        assert_eq!(field(vec![vec![],]), "groups[0]");
        assert_eq!(
            field(vec![
                vec![cond("name", Op::Eq, "a")],
                vec![cond("level", Op::Eq, "severe")]
            ]),
            "groups[1][0].value"
        );
        assert_eq!(
            field(vec![vec![cond("name", Op::Eq, " ")]]),
            "groups[0][0].value"
        );
        assert_eq!(field(vec![vec![cond("name", Op::Eq, "a")]; 6]), "groups");
        assert_eq!(field(vec![vec![cond("name", Op::Eq, "a"); 6]]), "groups[0]");
        let mut windowless = new_rule(vec![]);
        windowless.group_by = vec!["cluster".into()];
        windowless.silence_window_minutes = 0;
        assert_eq!(
            windowless.normalized().unwrap_err().field(),
            Some("silence_window_minutes")
        );
    }

    #[test]
    fn the_console_text_round_trips_and_names_bad_lines() {
        let groups = vec![
            vec![
                cond("level", Op::In, "critical,major"),
                cond("labels.env", Op::Eq, "prod eu"),
            ],
            vec![cond("labels.team", Op::Exists, "")],
        ];
        let text = conditions_text(&groups);
        assert_eq!(
            text,
            "level in critical,major AND labels.env eq prod eu\nlabels.team exists"
        );
        assert_eq!(parse_conditions(&text).unwrap(), groups);
        let bad = parse_conditions("name eq a\nlevel is critical").unwrap_err();
        assert_eq!(bad.field(), Some("conditions"));
        assert!(bad.to_string().contains("line 2"), "{bad}");
        let mut rule = new_rule(parse_conditions("name eq a\nname regex (x").unwrap());
        rule.name = "x".into();
        let e = on_conditions_text(rule.normalized().unwrap_err());
        assert_eq!(e.field(), Some("conditions"));
        assert!(
            e.to_string()
                .starts_with("conditions: line 2, condition 1: value is not a valid regex"),
            "{e}"
        );
    }

    #[test]
    fn group_keys_follow_the_dedup_key_or_the_group_by_labels() {
        let labels = BTreeMap::from([("cluster".to_owned(), "eu-1".to_owned())]);
        let by_key = compiled(vec![]);
        assert_eq!(by_key.group_key("k1", &labels), "key:k1");
        let mut grouped = new_rule(vec![]);
        grouped.group_by = vec!["cluster".into(), "zone".into()];
        let grouped = CompiledRule::compile(grouped.draft(1, 1, Utc::now())).unwrap();
        assert_eq!(
            grouped.group_key("k1", &labels),
            "labels:cluster=eu-1,zone="
        );
    }

    #[test]
    fn long_group_keys_become_digests_and_keys_are_bounded() {
        let long = "é".repeat(255);
        let labels: BTreeMap<String, String> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|k| ((*k).to_owned(), long.clone()))
            .collect();
        let mut grouped = new_rule(vec![]);
        grouped.group_by = labels.keys().cloned().collect();
        let grouped = CompiledRule::compile(grouped.draft(1, 1, Utc::now())).unwrap();
        let key = grouped.group_key("k1", &labels);
        assert!(
            key.starts_with("labels-sha256:") && key.len() < 100,
            "{key}"
        );
        assert_eq!(key, grouped.group_key("k2", &labels));
        let mut bad = new_rule(vec![]);
        bad.group_by = vec!["x".repeat(LABEL_MAX + 1)];
        assert_eq!(bad.normalized().unwrap_err().field(), Some("group_by[0]"));
    }

    fn incident_rule(group_by: Vec<String>, silence: bool) -> CompiledRule {
        let mut r = new_rule(vec![vec![cond("level", Op::Eq, "critical")]]);
        r.action = RuleAction::Incident {
            level: Level::P2,
            category: Category::Reliability,
            owner: Assignee::User { user_id: 1 },
            application_id: None,
        };
        r.group_by = group_by;
        r.silence = silence;
        r.silence_window_minutes = 30;
        CompiledRule::compile(r.draft(9, 1, Utc::now())).unwrap()
    }

    #[test]
    fn replay_counts_incidents_with_silence_and_windows() {
        let t0 = Utc::now();
        let labels = BTreeMap::from([("cluster".to_owned(), "eu-1".to_owned())]);
        let alarms = |keys: &[(&'static str, i64)]| -> Vec<(String, DateTime<Utc>)> {
            keys.iter()
                .map(|(k, m)| ((*k).to_owned(), t0 + Duration::minutes(*m)))
                .collect()
        };
        let run = |rule: &CompiledRule, list: &[(String, DateTime<Utc>)]| {
            replay(
                rule,
                &[],
                list.iter().enumerate().map(|(i, (k, at))| Replayed {
                    subject: subject(&labels),
                    alarm_id: i as i64 + 1,
                    dedup_key: k,
                    first_seen: *at,
                }),
                7,
            )
        };
        let list = alarms(&[("a", 0), ("a", 5), ("b", 10), ("a", 100)]);
        let by_key = run(&incident_rule(vec![], true), &list);
        assert_eq!((by_key.incidents, by_key.joined), (2, 2));
        let loud = run(&incident_rule(vec![], false), &list);
        assert_eq!(loud.incidents, 4);
        let grouped = run(&incident_rule(vec!["cluster".into()], true), &list);
        // a@0 opens; a@5 and b@10 join within 30 minutes; a@100 is past the window.
        assert_eq!((grouped.incidents, grouped.joined), (2, 2));
        assert_eq!(grouped.examples[1].alarm_id, 4);
        let shadow = run(&incident_rule(vec![], true), &list);
        assert_eq!(shadow.shadowed, 0);
        let earlier = vec![compiled(vec![])];
        let shadowed = replay(
            &incident_rule(vec![], true),
            &earlier,
            list.iter().map(|(k, at)| Replayed {
                subject: subject(&labels),
                alarm_id: 1,
                dedup_key: k,
                first_seen: *at,
            }),
            7,
        );
        assert_eq!((shadowed.shadowed, shadowed.incidents), (4, 0));
    }

    fn arb_condition() -> impl Strategy<Value = Condition> {
        let fields = prop::sample::select(vec![
            "name",
            "level",
            "description",
            "source",
            "resource",
            "application",
            "labels.env",
            "labels.team",
        ]);
        let ops = prop::sample::select(Op::ALL.to_vec());
        let values = prop::sample::select(vec!["a", "ab", "critical", "prod", "major,minor", "^a"]);
        (fields, ops, values).prop_map(|(f, op, v)| Condition {
            field: f.into(),
            op,
            value: if f == "level" && op != Op::Regex && op != Op::Exists {
                "critical".into()
            } else {
                v.into()
            },
        })
    }

    #[derive(Debug, Clone)]
    struct Ev {
        key: String,
        name: String,
        level: AlarmLevel,
        resource: Option<String>,
        labels: BTreeMap<String, String>,
        minute: i64,
    }

    fn arb_event() -> impl Strategy<Value = Ev> {
        let text = prop::sample::select(vec!["a", "ab", "b", "prod", "critical"]);
        (
            prop::sample::select(vec!["k1", "k2", "k3"]),
            text.clone(),
            prop::sample::select(AlarmLevel::ALL.to_vec()),
            prop::option::of(text.clone()),
            prop::collection::btree_map(
                prop::sample::select(vec!["env".to_owned(), "team".to_owned()]),
                text.prop_map(str::to_owned),
                0..2,
            ),
            0i64..200,
        )
            .prop_map(|(k, n, level, r, labels, minute)| Ev {
                key: k.into(),
                name: n.into(),
                level,
                resource: r.map(str::to_owned),
                labels,
                minute,
            })
    }

    fn subject_of(e: &Ev, t0: DateTime<Utc>) -> (Subject<'_>, DateTime<Utc>) {
        (
            Subject {
                source_id: 1,
                source: "src",
                name: &e.name,
                level: e.level,
                description: "",
                resource: e.resource.as_deref(),
                application: None,
                labels: &e.labels,
            },
            t0 + Duration::minutes(e.minute),
        )
    }

    proptest! {
        /// Ingestion decides each event with `first_match` and silences by group key; a replay
        /// of the same rule over the alarms those events left must count the same incidents.
        #[test]
        fn a_rule_and_its_replay_agree(
            groups in prop::collection::vec(prop::collection::vec(arb_condition(), 1..3), 0..3),
            mut events in prop::collection::vec(arb_event(), 0..30),
            group_by in prop::bool::ANY,
            silence in prop::bool::ANY,
        ) {
            events.sort_by_key(|e| e.minute);
            let mut r = new_rule(groups);
            r.action = RuleAction::Incident {
                level: Level::P3,
                category: Category::Other,
                owner: Assignee::User { user_id: 1 },
                application_id: None,
            };
            r.silence = silence;
            r.group_by = if group_by { vec!["env".into()] } else { vec![] };
            r.silence_window_minutes = 30;
            let rule = CompiledRule::compile(r.normalized().unwrap().draft(1, 1, Utc::now())).unwrap();
            let rules = [rule];
            let t0 = Utc::now();
            // Ingestion, as the alarm service does it.
            let mut live_incidents = 0;
            let mut open: HashMap<String, DateTime<Utc>> = HashMap::new();
            for e in &events {
                let (s, at) = subject_of(e, t0);
                if let Some((r, _)) = first_match(&rules, &s) {
                    let key = r.group_key(&e.key, &e.labels);
                    if !r.joins(open.get(&key).copied(), at) {
                        live_incidents += 1;
                        open.insert(key, at);
                    }
                }
            }
            let replayed = replay(
                &rules[0],
                &[],
                events.iter().enumerate().map(|(i, e)| {
                    let (subject, first_seen) = subject_of(e, t0);
                    Replayed { subject, alarm_id: i as i64, dedup_key: &e.key, first_seen }
                }),
                7,
            );
            prop_assert_eq!(replayed.incidents, live_incidents);
            prop_assert_eq!(replayed.matched, events.iter().filter(|e| {
                first_match(&rules, &subject_of(e, t0).0).is_some()
            }).count());
        }
    }
}
