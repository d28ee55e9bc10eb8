//! Service levels: per incident level, how long until an incident must be accepted and
//! resolved, and how the time left reads.

use super::AppError;
use super::incident::Level;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The longest a target may be: 90 days.
pub const MINUTES_MAX: i32 = 90 * 24 * 60;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SlaPolicy {
    pub level: Level,
    /// Minutes from opening until the owner must accept.
    pub accept_minutes: i32,
    /// Minutes from opening until the incident must be resolved.
    pub resolve_minutes: i32,
    pub version: i32,
}

/// An administrator's edit of one level's targets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SlaEdit {
    pub accept_minutes: i32,
    pub resolve_minutes: i32,
    pub version: i32,
}

impl SlaEdit {
    pub fn check(&self) -> Result<(), AppError> {
        for (field, value) in [
            ("accept_minutes", self.accept_minutes),
            ("resolve_minutes", self.resolve_minutes),
        ] {
            if !(1..=MINUTES_MAX).contains(&value) {
                return Err(AppError::invalid(
                    field,
                    format!("must be between 1 and {MINUTES_MAX} minutes"),
                ));
            }
        }
        if self.resolve_minutes < self.accept_minutes {
            return Err(AppError::invalid(
                "resolve_minutes",
                "must not be shorter than the time to accept",
            ));
        }
        Ok(())
    }
}

impl SlaPolicy {
    /// (accept by, resolve by) for an incident opened at `opened`.
    pub fn due(&self, opened: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            opened + Duration::minutes(i64::from(self.accept_minutes)),
            opened + Duration::minutes(i64::from(self.resolve_minutes)),
        )
    }
}

/// "3 h 20 min", "45 min", "2 d 4 h": a span as people read it.
pub fn span(d: Duration) -> String {
    let minutes = d.num_minutes().abs();
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (days, hours) {
        (0, 0) => format!("{mins} min"),
        (0, h) if mins == 0 => format!("{h} h"),
        (0, h) => format!("{h} h {mins} min"),
        (d, 0) => format!("{d} d"),
        (d, h) => format!("{d} d {h} h"),
    }
}

/// "12 min left" or "breached 5 min ago".
pub fn remaining(now: DateTime<Utc>, due: DateTime<Utc>) -> (String, bool) {
    if due > now {
        (format!("{} left", span(due - now)), false)
    } else {
        (format!("breached {} ago", span(now - due)), true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn dues_count_from_opening() {
        let p = SlaPolicy {
            level: Level::P1,
            accept_minutes: 5,
            resolve_minutes: 60,
            version: 1,
        };
        assert_eq!(
            p.due(at("2026-11-28T09:00:00Z")),
            (at("2026-11-28T09:05:00Z"), at("2026-11-28T10:00:00Z"))
        );
    }

    #[test]
    fn time_left_reads_like_a_person_says_it() {
        let now = at("2026-11-28T09:00:00Z");
        assert_eq!(
            remaining(now, at("2026-11-28T09:12:30Z")),
            ("12 min left".into(), false)
        );
        assert_eq!(
            remaining(now, at("2026-11-28T12:20:00Z")),
            ("3 h 20 min left".into(), false)
        );
        assert_eq!(
            remaining(now, at("2026-11-30T13:00:00Z")),
            ("2 d 4 h left".into(), false)
        );
        assert_eq!(
            remaining(now, at("2026-11-28T08:55:00Z")),
            ("breached 5 min ago".into(), true)
        );
        assert_eq!(remaining(now, now), ("breached 0 min ago".into(), true));
    }

    #[test]
    fn edits_are_bounded() {
        let edit = |a, r| SlaEdit {
            accept_minutes: a,
            resolve_minutes: r,
            version: 1,
        };
        assert!(edit(5, 60).check().is_ok());
        assert_eq!(
            edit(0, 60).check().unwrap_err().field(),
            Some("accept_minutes")
        );
        assert_eq!(
            edit(5, MINUTES_MAX + 1).check().unwrap_err().field(),
            Some("resolve_minutes")
        );
        assert_eq!(
            edit(60, 5).check().unwrap_err().field(),
            Some("resolve_minutes")
        );
    }
}
