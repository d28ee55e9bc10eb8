//! Bulk import of resources: reading a CSV or JSON file into checked rows, and the report.

use super::AppError;
use super::list::Page;
use super::resource::{
    AgentState, Provider, ResourceDraft, ResourceStatus, ResourceType, Tags, parse_tags,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub const ROWS_MAX: usize = 50_000;

crate::string_enum! {
    /// What happens to a file with rejected rows: the valid rows go in, or nothing does.
    pub enum ImportMode { ValidOnly = "valid_only", AllOrNothing = "all_or_nothing" }
}

crate::string_enum! {
    pub enum RowOutcome { Created = "created", Updated = "updated", Unchanged = "unchanged", Rejected = "rejected" }
}

/// A row that read and checked well, with where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportRow {
    /// Line in a CSV file (the header is line 1), or position in a JSON array (from 1).
    pub line: usize,
    /// When given, the row updates this resource.
    pub id: Option<i64>,
    pub draft: ResourceDraft,
}

/// What one row of the file came to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RowReport {
    pub line: usize,
    pub name: String,
    pub outcome: RowOutcome,
    pub resource_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What an import did, in counts: how it is listed, and the head of its report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportSummary {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub mode: ImportMode,
    /// False when nothing was written (all-or-nothing with rejected rows).
    pub applied: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
}

impl ImportSummary {
    /// Counts these rows in by their outcome.
    pub fn tally(&mut self, rows: &[RowReport]) {
        for row in rows {
            match row.outcome {
                RowOutcome::Created => self.created += 1,
                RowOutcome::Updated => self.updated += 1,
                RowOutcome::Unchanged => self.unchanged += 1,
                RowOutcome::Rejected => self.rejected += 1,
            }
        }
    }

    /// Rows of the file with this outcome (all of them for `None`).
    pub fn rows_with(&self, outcome: Option<RowOutcome>) -> usize {
        match outcome {
            None => self.created + self.updated + self.unchanged + self.rejected,
            Some(RowOutcome::Created) => self.created,
            Some(RowOutcome::Updated) => self.updated,
            Some(RowOutcome::Unchanged) => self.unchanged,
            Some(RowOutcome::Rejected) => self.rejected,
        }
    }
}

/// An import's counts and one page of its per-row report, in file order (`next` and
/// `previous` are line numbers).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportReport {
    #[serde(flatten)]
    pub summary: ImportSummary,
    /// Only rows with this outcome are paged, when given.
    pub outcome: Option<RowOutcome>,
    pub rows: Page<RowReport>,
}

/// Rows of a report read at once when an import answers: the first rejected ones.
pub const FIRST_REJECTED: u32 = 100;

/// A row that could not be read or broke a rule.
pub fn rejected(line: usize, name: &str, reason: impl Into<String>) -> RowReport {
    RowReport {
        line,
        name: name.to_owned(),
        outcome: RowOutcome::Rejected,
        resource_id: None,
        reason: Some(reason.into()),
    }
}

pub const COLUMNS: &[&str] = &[
    "id",
    "name",
    "type",
    "provider",
    "region",
    "zone",
    "private_ip",
    "public_ip",
    "os",
    "cpu_cores",
    "memory_gib",
    "disk_gib",
    "status",
    "agent_state",
    "tags",
];
const REQUIRED: &[&str] = &["name", "type", "provider"];

/// Reads a whole file: JSON when it starts with `[`, CSV otherwise. A file that cannot be read
/// at all is an error; a row that cannot is a rejected row.
pub fn read(file: &[u8]) -> Result<Vec<Result<ImportRow, RowReport>>, AppError> {
    let text = std::str::from_utf8(file).map_err(|e| {
        AppError::invalid(
            "file",
            format!(
                "is not UTF-8 text (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rows = if text.trim_start().starts_with('[') {
        read_json(text)?
    } else {
        read_csv(text)?
    };
    if rows.is_empty() {
        return Err(AppError::invalid("file", "has no rows"));
    }
    if rows.len() > ROWS_MAX {
        return Err(AppError::invalid(
            "file",
            format!("has {} rows; at most {ROWS_MAX} per import", rows.len()),
        ));
    }
    Ok(mark_repeats(rows))
}

fn read_csv(text: &str) -> Result<Vec<Result<ImportRow, RowReport>>, AppError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| AppError::invalid("file", format!("the header line does not read: {e}")))?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    for (i, h) in headers.iter().enumerate() {
        if !COLUMNS.contains(&h.as_str()) {
            return Err(AppError::invalid(
                "file",
                format!(
                    "unknown column '{h}'; the columns are {}",
                    COLUMNS.join(", ")
                ),
            ));
        }
        if headers[..i].contains(h) {
            return Err(AppError::invalid(
                "file",
                format!("column '{h}' appears twice"),
            ));
        }
    }
    if let Some(missing) = REQUIRED.iter().find(|c| !headers.iter().any(|h| h == *c)) {
        return Err(AppError::invalid(
            "file",
            format!("the header has no '{missing}' column"),
        ));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let row = match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line() as usize);
                let cells = Cells {
                    headers: &headers,
                    record: &record,
                };
                if record.len() != headers.len() {
                    Err(rejected(
                        line,
                        cells.get("name"),
                        format!(
                            "has {} fields; the header has {}",
                            record.len(),
                            headers.len()
                        ),
                    ))
                } else {
                    csv_row(line, &cells)
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                Err(rejected(line, "", format!("does not read as CSV: {e}")))
            }
        };
        rows.push(row);
    }
    Ok(rows)
}

fn number<T: std::str::FromStr + Default>(field: &str, text: &str) -> Result<T, AppError> {
    if text.is_empty() {
        return Ok(T::default());
    }
    text.parse()
        .map_err(|_| AppError::invalid(field, format!("'{text}' is not a number")))
}

fn or_default<T>(
    text: &str,
    default: T,
    parse: impl Fn(&str) -> Result<T, AppError>,
) -> Result<T, AppError> {
    if text.is_empty() {
        Ok(default)
    } else {
        parse(text)
    }
}

/// One CSV record, read by column name.
struct Cells<'a> {
    headers: &'a [String],
    record: &'a csv::StringRecord,
}

impl<'a> Cells<'a> {
    fn get(&self, column: &str) -> &'a str {
        self.headers
            .iter()
            .position(|h| h == column)
            .and_then(|i| self.record.get(i))
            .unwrap_or("")
    }
}

fn csv_row(line: usize, cells: &Cells<'_>) -> Result<ImportRow, RowReport> {
    let get = |column: &str| cells.get(column);
    let name = get("name");
    let build = || -> Result<ImportRow, AppError> {
        let id =
            match get("id") {
                "" => None,
                text => Some(text.parse::<i64>().map_err(|_| {
                    AppError::invalid("id", format!("'{text}' is not a resource id"))
                })?),
            };
        let draft = ResourceDraft {
            name: name.to_owned(),
            resource_type: ResourceType::parse_field("type", get("type"))?,
            provider: Provider::parse_field("provider", get("provider"))?,
            region: get("region").to_owned(),
            zone: get("zone").to_owned(),
            private_ip: get("private_ip").to_owned(),
            public_ip: get("public_ip").to_owned(),
            os: get("os").to_owned(),
            cpu_cores: number("cpu_cores", get("cpu_cores"))?,
            memory_gib: number("memory_gib", get("memory_gib"))?,
            disk_gib: number("disk_gib", get("disk_gib"))?,
            status: or_default(get("status"), ResourceStatus::Unknown, |s| {
                ResourceStatus::parse_field("status", s)
            })?,
            agent_state: or_default(get("agent_state"), AgentState::NotInstalled, |s| {
                AgentState::parse_field("agent_state", s)
            })?,
            tags: or_default(get("tags"), Tags::new(), parse_tags)?,
        }
        .normalized()?;
        Ok(ImportRow { line, id, draft })
    };
    build().map_err(|e| rejected(line, name, e.to_string()))
}

#[derive(Deserialize)]
struct JsonRow {
    id: Option<i64>,
    #[serde(flatten)]
    draft: ResourceDraft,
}

fn read_json(text: &str) -> Result<Vec<Result<ImportRow, RowReport>>, AppError> {
    let items: Vec<serde_json::Value> = serde_json::from_str(text)
        .map_err(|e| AppError::invalid("file", format!("is not a JSON array: {e}")))?;
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let line = i + 1;
            let name = item
                .get("name")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("")
                .to_owned();
            serde_json::from_value::<JsonRow>(item)
                .map_err(|e| e.to_string())
                .and_then(|row| {
                    row.draft
                        .normalized()
                        .map(|draft| ImportRow {
                            line,
                            id: row.id,
                            draft,
                        })
                        .map_err(|e| e.to_string())
                })
                .map_err(|reason| rejected(line, &name, reason))
        })
        .collect())
}

/// A resource named twice in one file: the later row is rejected, pointing at the first.
fn mark_repeats(rows: Vec<Result<ImportRow, RowReport>>) -> Vec<Result<ImportRow, RowReport>> {
    let mut by_identity: HashMap<(String, Provider, String), usize> = HashMap::new();
    let mut by_id: HashMap<i64, usize> = HashMap::new();
    rows.into_iter()
        .map(|row| {
            let row = row?;
            let d = &row.draft;
            let key = (d.name.clone(), d.provider, d.region.clone());
            if let Some(first) = by_identity.get(&key) {
                return Err(rejected(
                    row.line,
                    &d.name,
                    format!("repeats the resource of line {first}"),
                ));
            }
            if let Some(first) = row.id.and_then(|id| by_id.get(&id)) {
                return Err(rejected(
                    row.line,
                    &d.name,
                    format!("repeats the id of line {first}"),
                ));
            }
            by_identity.insert(key, row.line);
            if let Some(id) = row.id {
                by_id.insert(id, row.line);
            }
            Ok(row)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "name,type,provider,region,private_ip,cpu_cores,memory_gib,tags\n";

    #[test]
    fn a_summary_counts_rows_by_outcome() {
        let row = |line, outcome| RowReport {
            line,
            name: format!("r{line}"),
            outcome,
            resource_id: None,
            reason: None,
        };
        let mut summary = ImportSummary {
            id: 1,
            at: DateTime::<Utc>::UNIX_EPOCH,
            actor: "a".into(),
            mode: ImportMode::ValidOnly,
            applied: true,
            created: 0,
            updated: 0,
            unchanged: 0,
            rejected: 0,
        };
        summary.tally(&[row(2, RowOutcome::Created), row(3, RowOutcome::Rejected)]);
        summary.tally(&[row(4, RowOutcome::Created), row(5, RowOutcome::Unchanged)]);
        assert_eq!(
            (
                summary.created,
                summary.updated,
                summary.unchanged,
                summary.rejected
            ),
            (2, 0, 1, 1)
        );
        assert_eq!(summary.rows_with(None), 4);
        assert_eq!(summary.rows_with(Some(RowOutcome::Created)), 2);
    }

    fn reasons(rows: &[Result<ImportRow, RowReport>]) -> Vec<(usize, String)> {
        rows.iter()
            .filter_map(|r| r.as_ref().err())
            .map(|r| (r.line, r.reason.clone().unwrap_or_default()))
            .collect()
    }

    #[test]
    fn a_good_csv_reads_every_column() {
        let file =
            format!("{HEADER}web-01,host,aws,eu-west-1,10.0.0.1,4,16,\"env=prod;team=web\"\n");
        let rows = read(file.as_bytes()).unwrap();
        let row = rows[0].as_ref().unwrap();
        assert_eq!(row.line, 2);
        assert_eq!(row.draft.name, "web-01");
        assert_eq!(row.draft.cpu_cores, 4);
        assert_eq!(row.draft.tags.len(), 2);
        assert_eq!(row.draft.status, ResourceStatus::Unknown);
    }

    #[test]
    fn columns_may_come_in_any_order_and_case_with_an_id() {
        let file = "Provider,NAME,Type,id\ngcp,db-01,database,42\n";
        let row = read(file.as_bytes()).unwrap().remove(0).unwrap();
        assert_eq!((row.id, row.draft.provider), (Some(42), Provider::Gcp));
    }

    #[test]
    fn bad_rows_are_rejected_one_by_one_with_their_line() {
        let file = format!(
            "{HEADER}ok-1,host,aws,r1,10.0.0.1,1,1,\n\
             bad-ip,host,aws,r1,10.0.0.999,1,1,\n\
             bad-cpu,host,aws,r1,,four,1,\n\
             bad-type,server,aws,r1,,1,1,\n\
             short,host\n\
             ok-2,cache,gcp,r2,,,,\n"
        );
        let rows = read(file.as_bytes()).unwrap();
        assert_eq!(rows.len(), 6);
        let bad = reasons(&rows);
        assert_eq!(
            bad.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            [3, 4, 5, 6]
        );
        assert!(bad[0].1.starts_with("private_ip:"), "{}", bad[0].1);
        assert!(bad[1].1.contains("'four' is not a number"), "{}", bad[1].1);
        assert!(
            bad[2].1.starts_with("type: must be one of host"),
            "{}",
            bad[2].1
        );
        assert!(
            bad[3].1.contains("has 2 fields; the header has 8"),
            "{}",
            bad[3].1
        );
    }

    #[test]
    fn repeated_resources_in_one_file_are_caught() {
        let file = format!(
            "{HEADER}a,host,aws,r1,,,,\nb,host,aws,r1,,,,\na,host,aws,r1,,,,\na,host,aws,r2,,,,\n"
        );
        let rows = read(file.as_bytes()).unwrap();
        assert_eq!(
            reasons(&rows),
            [(4, "repeats the resource of line 2".to_owned())]
        );
    }

    #[test]
    fn whole_file_problems_are_errors_naming_the_file() {
        let cases: [&[u8]; 6] = [
            b"name,type,provider,colour\nx,host,aws,red\n",
            b"name,type\nx,host\n",
            b"name,type,provider,name\n",
            b"name,type,provider\n",
            b"\xff\xfename,type\n",
            b"[{\"name\": 1",
        ];
        for file in cases {
            let e = read(file).unwrap_err();
            assert_eq!(e.field(), Some("file"), "{e}");
        }
        let e = read(b"name,type,provider\nx,host,aws\n\xc3\x28\n").unwrap_err();
        assert!(e.to_string().contains("not UTF-8"), "{e}");
    }

    #[test]
    fn json_rows_are_read_and_rejected_individually() {
        let file = r#"[
            {"name": "web-01", "type": "host", "provider": "aws", "tags": {"env": "prod"}},
            {"name": "db", "type": "nope", "provider": "aws"},
            {"id": 7, "name": "cache", "type": "cache", "provider": "gcp", "cpu_cores": -1}
        ]"#;
        let rows = read(file.as_bytes()).unwrap();
        assert_eq!(rows[0].as_ref().unwrap().draft.tags["env"], "prod");
        let bad = reasons(&rows);
        assert_eq!(bad.len(), 2);
        assert_eq!(bad[0].0, 2);
        assert!(bad[1].1.starts_with("cpu_cores"), "{}", bad[1].1);
    }

    #[test]
    fn a_byte_order_mark_is_ignored() {
        let file = "\u{feff}name,type,provider\nx,host,aws\n";
        assert!(read(file.as_bytes()).unwrap()[0].is_ok());
    }
}
