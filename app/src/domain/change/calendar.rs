//! The change calendar: which days a month, week or day view covers, which changes fall on a
//! day, and the iCalendar feed people subscribe to (RFC 5545). Days are UTC days.

use super::{Change, ChangeStatus};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};

/// The most changes one view shows.
pub const SHOWN_MAX: i64 = 1000;

crate::string_enum! {
    pub enum View { Month = "month", Week = "week", Day = "day" }
}

impl View {
    /// The days it shows around `date`: whole weeks (Monday first) covering the month, the
    /// week, or the day.
    pub fn days(self, date: NaiveDate) -> Vec<NaiveDate> {
        let monday =
            |d: NaiveDate| d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
        let (first, count) = match self {
            View::Day => (date, 1),
            View::Week => (monday(date), 7),
            View::Month => {
                let start = date.with_day(1).unwrap_or(date);
                let end = next_month(start) - Duration::days(1);
                let first = monday(start);
                let weeks = ((end - first).num_days() / 7) + 1;
                (first, weeks * 7)
            }
        };
        (0..count).map(|i| first + Duration::days(i)).collect()
    }

    /// The date the previous and next buttons go to.
    pub fn step(self, date: NaiveDate, forward: bool) -> NaiveDate {
        let sign = if forward { 1 } else { -1 };
        match self {
            View::Day => date + Duration::days(sign),
            View::Week => date + Duration::days(7 * sign),
            View::Month => {
                let first = date.with_day(1).unwrap_or(date);
                if forward {
                    next_month(first)
                } else {
                    (first - Duration::days(1)).with_day(1).unwrap_or(first)
                }
            }
        }
    }

    /// "December 2026", "Week of 30 Nov 2026", "Tue 1 Dec 2026".
    pub fn title(self, date: NaiveDate) -> String {
        match self {
            View::Month => date.format("%B %Y").to_string(),
            View::Week => format!("Week of {}", self.days(date)[0].format("%-d %b %Y")),
            View::Day => date.format("%a %-d %b %Y").to_string(),
        }
    }
}

fn next_month(first: NaiveDate) -> NaiveDate {
    let (y, m) = if first.month() == 12 {
        (first.year() + 1, 1)
    } else {
        (first.year(), first.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(first)
}

/// The years a calendar is asked about; dates outside them (which a date field can name, up to
/// year 262,143) are a 422, not arithmetic past the end of time.
const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// Refuses a day outside years 1 to 9999, naming `field`.
pub fn check_day(field: &str, day: NaiveDate) -> Result<NaiveDate, crate::domain::AppError> {
    if YEARS.contains(&day.year()) {
        Ok(day)
    } else {
        Err(crate::domain::AppError::invalid(
            field,
            "must be a date in the years 1 to 9999",
        ))
    }
}

/// Midnight UTC at the start of `day`.
pub fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

/// Whether `change`'s planned window touches `day`.
pub fn on_day(change: &Change, day: NaiveDate) -> bool {
    let from = start_of(day);
    change.planned_start < from + Duration::days(1) && change.planned_end > from
}

/// The iCalendar document of `changes`, one event per change, linking to `base_url`.
pub fn ical(changes: &[Change], base_url: &str, now: DateTime<Utc>) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Opsroom//Change calendar//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "X-WR-CALNAME:Opsroom changes".to_owned(),
    ];
    let stamp = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    for c in changes {
        let status = match c.status {
            ChangeStatus::Cancelled => "CANCELLED",
            ChangeStatus::Draft | ChangeStatus::PendingApproval => "TENTATIVE",
            _ => "CONFIRMED",
        };
        let url = format!("{}/changes/{}", base_url.trim_end_matches('/'), c.id);
        lines.extend([
            "BEGIN:VEVENT".to_owned(),
            format!("UID:change-{}@opsroom", c.id),
            format!("DTSTAMP:{}", stamp(now)),
            format!("LAST-MODIFIED:{}", stamp(c.updated_at)),
            format!("SEQUENCE:{}", c.version),
            format!("DTSTART:{}", stamp(c.planned_start)),
            format!("DTEND:{}", stamp(c.planned_end)),
            format!("SUMMARY:{}", text(&format!("{} {}", c.number(), c.title))),
            format!(
                "DESCRIPTION:{}",
                text(&format!(
                    "{} change, risk {}, {}.\n{}",
                    c.change_type, c.level, c.status, c.description
                ))
            ),
            format!("STATUS:{status}"),
            format!("URL:{url}"),
            "END:VEVENT".to_owned(),
        ]);
    }
    lines.push("END:VCALENDAR".to_owned());
    lines.iter().map(|l| fold(l)).collect::<String>()
}

/// A TEXT value escaped as RFC 5545 §3.3.11 says.
fn text(s: &str) -> String {
    s.trim()
        .replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace(['\n', '\r'], "\\n")
}

/// A content line folded at 75 octets (never inside a character), ended by CRLF.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for ch in line.chars() {
        if width + ch.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += ch.len_utf8();
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_month_is_whole_weeks_from_monday_and_steps_across_years() {
        let days = View::Month.days(d(2026, 12, 15));
        assert_eq!(days.first(), Some(&d(2026, 11, 30)));
        assert_eq!(days.last(), Some(&d(2027, 1, 3)));
        assert_eq!(days.len(), 35);
        // February 2027 starts on a Monday and ends on a Sunday: exactly four weeks.
        assert_eq!(View::Month.days(d(2027, 2, 10)).len(), 28);
        assert_eq!(View::Week.days(d(2026, 12, 3))[0], d(2026, 11, 30));
        assert_eq!(View::Month.step(d(2026, 12, 31), true), d(2027, 1, 1));
        assert_eq!(View::Month.step(d(2026, 1, 31), false), d(2025, 12, 1));
        assert_eq!(View::Week.step(d(2026, 12, 3), false), d(2026, 11, 26));
        assert_eq!(View::Month.title(d(2026, 12, 3)), "December 2026");
        assert_eq!(View::Week.title(d(2026, 12, 3)), "Week of 30 Nov 2026");
    }

    #[test]
    fn days_at_the_ends_of_time_are_refused() {
        assert!(check_day("date", d(9999, 12, 31)).is_ok());
        assert_eq!(
            check_day("date", NaiveDate::MAX).unwrap_err().field(),
            Some("date")
        );
        assert!(check_day("from", NaiveDate::MIN).is_err());
    }

    #[test]
    fn text_is_escaped_and_long_lines_fold_between_characters() {
        assert_eq!(text("a;b,c\\d\nnext"), "a\\;b\\,c\\\\d\\nnext");
        let long = format!("SUMMARY:{}", "é".repeat(60));
        let folded = fold(&long);
        for line in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{line}");
        }
        let unfolded = folded.replace("\r\n ", "");
        assert_eq!(unfolded.trim_end(), long);
    }
}
