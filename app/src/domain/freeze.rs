//! Freeze (blackout) windows (SPEC §7): times when normal changes may not run, once or every
//! week in a named time zone (DST-correct), for every application or some. An emergency change
//! may still run in one; the warning stays in its timeline.

use super::AppError;
use super::change::ChangeType;
use super::incident::check_len;
use super::schedule::{instant, parse_zone};
use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

crate::string_enum! {
    pub enum Repeat { Once = "once", Weekly = "weekly" }
}

crate::string_enum! {
    pub enum Day {
        Monday = "monday",
        Tuesday = "tuesday",
        Wednesday = "wednesday",
        Thursday = "thursday",
        Friday = "friday",
        Saturday = "saturday",
        Sunday = "sunday",
    }
}

impl Day {
    /// Days after Monday.
    fn index(self) -> i64 {
        match self {
            Day::Monday => 0,
            Day::Tuesday => 1,
            Day::Wednesday => 2,
            Day::Thursday => 3,
            Day::Friday => 4,
            Day::Saturday => 5,
            Day::Sunday => 6,
        }
    }

    fn title(self) -> String {
        let name = self.as_str();
        name[..1].to_uppercase() + &name[1..]
    }
}

pub const NAME_MAX: usize = 100;
/// The longest a one-off freeze may last.
pub const ONCE_MAX_DAYS: i64 = 62;

/// What an administrator writes: a name, the applications it holds (none: all), and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FreezeDraft {
    /// 1–100 characters, unique.
    pub name: String,
    /// The applications it holds; empty for all.
    #[serde(default)]
    pub application_ids: Vec<i64>,
    pub repeat: Repeat,
    /// `once`: from (RFC 3339).
    #[serde(default)]
    pub starts_at: Option<DateTime<Utc>>,
    /// `once`: until, after `starts_at`, at most 62 days later.
    #[serde(default)]
    pub ends_at: Option<DateTime<Utc>>,
    /// `weekly`: the IANA time zone its days and times are in (`Europe/Berlin`).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// `weekly`: the day it begins.
    #[serde(default)]
    pub from_day: Option<Day>,
    /// `weekly`: the time it begins, `HH:MM`.
    #[serde(default)]
    pub from_time: Option<String>,
    /// `weekly`: the day it ends (the same day ends it a week later when `to_time` is not after
    /// `from_time`).
    #[serde(default)]
    pub to_day: Option<Day>,
    /// `weekly`: the time it ends, `HH:MM`.
    #[serde(default)]
    pub to_time: Option<String>,
}

fn required<T>(field: &str, value: Option<T>) -> Result<T, AppError> {
    value.ok_or_else(|| AppError::invalid(field, "is required for this repeat"))
}

fn clock(field: &str, text: &str) -> Result<NaiveTime, AppError> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map_err(|_| AppError::invalid(field, format!("'{text}' is not a time as HH:MM")))
}

impl FreezeDraft {
    /// Checks it and keeps only the fields its repeat uses.
    pub fn normalized(mut self) -> Result<FreezeDraft, AppError> {
        check_len("name", &mut self.name, 1, NAME_MAX)?;
        self.application_ids.sort_unstable();
        self.application_ids.dedup();
        match self.repeat {
            Repeat::Once => {
                let start = required("starts_at", self.starts_at)?;
                let end = required("ends_at", self.ends_at)?;
                if end <= start {
                    return Err(AppError::invalid("ends_at", "must be after starts_at"));
                }
                if end - start > Duration::days(ONCE_MAX_DAYS) {
                    return Err(AppError::invalid(
                        "ends_at",
                        format!("a freeze lasts at most {ONCE_MAX_DAYS} days"),
                    ));
                }
                (
                    self.time_zone,
                    self.from_day,
                    self.from_time,
                    self.to_day,
                    self.to_time,
                ) = (None, None, None, None, None);
            }
            Repeat::Weekly => {
                let zone = parse_zone(&required("time_zone", self.time_zone.clone())?)?;
                self.time_zone = Some(zone.name().to_owned());
                required("from_day", self.from_day)?;
                required("to_day", self.to_day)?;
                let from = clock("from_time", &required("from_time", self.from_time.clone())?)?;
                let to = clock("to_time", &required("to_time", self.to_time.clone())?)?;
                self.from_time = Some(from.format("%H:%M").to_string());
                self.to_time = Some(to.format("%H:%M").to_string());
                (self.starts_at, self.ends_at) = (None, None);
            }
        }
        Ok(self)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FreezeWindow {
    pub id: i64,
    #[serde(flatten)]
    pub spec: FreezeDraft,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One occurrence of a freeze window that a change's window overlaps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FreezeHit {
    pub id: i64,
    pub name: String,
    /// "every Friday 18:00 to Monday 06:00 (Europe/Berlin)"
    pub when: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl FreezeHit {
    /// "freeze window 'Weekend' (every Friday 18:00 to Monday 06:00 (Europe/Berlin)), from
    /// 2026-12-04 17:00 to 2026-12-07 05:00 UTC"
    pub fn sentence(&self) -> String {
        format!(
            "freeze window '{}' ({}), from {} to {} UTC",
            self.name,
            self.when,
            self.starts_at.format("%Y-%m-%d %H:%M"),
            self.ends_at.format("%Y-%m-%d %H:%M")
        )
    }
}

impl FreezeWindow {
    /// Whether it holds changes on `application_id`.
    pub fn holds(&self, application_id: Option<i64>) -> bool {
        self.spec.application_ids.is_empty()
            || application_id.is_some_and(|a| self.spec.application_ids.contains(&a))
    }

    /// When it is, in words.
    pub fn when(&self) -> String {
        let s = &self.spec;
        match s.repeat {
            Repeat::Once => format!(
                "{} to {} UTC",
                s.starts_at
                    .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default(),
                s.ends_at
                    .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default()
            ),
            Repeat::Weekly => format!(
                "every {} {} to {} {} ({})",
                s.from_day.map(Day::title).unwrap_or_default(),
                s.from_time.clone().unwrap_or_default(),
                s.to_day.map(Day::title).unwrap_or_default(),
                s.to_time.clone().unwrap_or_default(),
                s.time_zone.clone().unwrap_or_default()
            ),
        }
    }

    /// The first occurrence that overlaps `from`..`to`, if any.
    pub fn overlap(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<FreezeHit> {
        let (starts_at, ends_at) = self.occurrences(from, to)?;
        Some(FreezeHit {
            id: self.id,
            name: self.spec.name.clone(),
            when: self.when(),
            starts_at,
            ends_at,
        })
    }

    fn occurrences(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let s = &self.spec;
        if s.repeat == Repeat::Once {
            let (start, end) = (s.starts_at?, s.ends_at?);
            return (start < to && end > from).then_some((start, end));
        }
        let tz = parse_zone(s.time_zone.as_deref()?).ok()?;
        let (from_day, to_day) = (s.from_day?, s.to_day?);
        let begin = clock("", s.from_time.as_deref()?).ok()?;
        let finish = clock("", s.to_time.as_deref()?).ok()?;
        let mut span = (to_day.index() - from_day.index()).rem_euclid(7);
        if span == 0 && finish <= begin {
            span = 7;
        }
        // The occurrence that began last before `from` may still run; start a week earlier.
        let mut day = (from - Duration::days(8)).with_timezone(&tz).date_naive();
        while i64::from(day.weekday().num_days_from_monday()) != from_day.index() {
            day = day.succ_opt()?;
        }
        loop {
            let start = instant(tz, day.and_time(begin));
            if start >= to {
                return None;
            }
            let end = instant(tz, (day + Duration::days(span)).and_time(finish));
            if end > from {
                return Some((start, end));
            }
            day += Duration::days(7);
        }
    }
}

/// The rule for a change submitted into a freeze: a normal change is refused, naming the
/// window; an emergency change goes ahead with the warning it returns for its timeline.
pub fn submit_into(
    number: &str,
    change_type: ChangeType,
    hit: Option<&FreezeHit>,
) -> Result<Option<String>, AppError> {
    let Some(hit) = hit else { return Ok(None) };
    if change_type == ChangeType::Normal {
        return Err(AppError::conflict(format!(
            "{number} falls in {}. Move its window, or make it an emergency change.",
            hit.sentence()
        )));
    }
    Ok(Some(format!("Runs inside {}.", hit.sentence())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn weekend() -> FreezeWindow {
        FreezeWindow {
            id: 1,
            spec: FreezeDraft {
                name: "Weekend".into(),
                application_ids: vec![],
                repeat: Repeat::Weekly,
                starts_at: None,
                ends_at: None,
                time_zone: Some("Europe/Berlin".into()),
                from_day: Some(Day::Friday),
                from_time: Some("18:00".into()),
                to_day: Some(Day::Monday),
                to_time: Some("06:00".into()),
            }
            .normalized()
            .unwrap(),
            version: 1,
            created_at: at("2026-01-01T00:00:00Z"),
            updated_at: at("2026-01-01T00:00:00Z"),
        }
    }

    #[test]
    fn a_weekly_freeze_holds_from_its_first_minute_to_before_its_last() {
        let w = weekend();
        // Friday 2026-12-04 18:00 in Berlin (winter, UTC+1) is 17:00 UTC.
        let hit = w
            .overlap(at("2026-12-04T16:00:00Z"), at("2026-12-04T17:01:00Z"))
            .unwrap();
        assert_eq!(hit.starts_at, at("2026-12-04T17:00:00Z"));
        assert_eq!(hit.ends_at, at("2026-12-07T05:00:00Z"));
        assert!(
            w.overlap(at("2026-12-04T15:00:00Z"), at("2026-12-04T17:00:00Z"))
                .is_none()
        );
        assert!(
            w.overlap(at("2026-12-07T05:00:00Z"), at("2026-12-07T07:00:00Z"))
                .is_none()
        );
        assert!(
            w.overlap(at("2026-12-06T10:00:00Z"), at("2026-12-06T11:00:00Z"))
                .is_some()
        );
        assert!(
            w.overlap(at("2026-12-08T10:00:00Z"), at("2026-12-08T11:00:00Z"))
                .is_none()
        );
        assert_eq!(
            hit.when,
            "every Friday 18:00 to Monday 06:00 (Europe/Berlin)"
        );
    }

    #[test]
    fn a_weekly_freeze_keeps_its_local_times_across_the_dst_change() {
        let w = weekend();
        // Clocks go forward on Sunday 2026-03-29: Friday 18:00 is still winter time (17:00 UTC),
        // Monday 06:00 is summer time (04:00 UTC).
        let hit = w
            .overlap(at("2026-03-28T12:00:00Z"), at("2026-03-28T13:00:00Z"))
            .unwrap();
        assert_eq!(hit.starts_at, at("2026-03-27T17:00:00Z"));
        assert_eq!(hit.ends_at, at("2026-03-30T04:00:00Z"));
        // And back on Sunday 2026-10-25.
        let hit = w
            .overlap(at("2026-10-24T12:00:00Z"), at("2026-10-24T13:00:00Z"))
            .unwrap();
        assert_eq!(hit.starts_at, at("2026-10-23T16:00:00Z"));
        assert_eq!(hit.ends_at, at("2026-10-26T05:00:00Z"));
    }

    #[test]
    fn a_one_off_freeze_and_who_it_holds() {
        let mut w = weekend();
        w.spec = FreezeDraft {
            repeat: Repeat::Once,
            starts_at: Some(at("2026-12-24T00:00:00Z")),
            ends_at: Some(at("2026-12-27T00:00:00Z")),
            application_ids: vec![4, 2, 4],
            ..w.spec
        }
        .normalized()
        .unwrap();
        assert_eq!(w.spec.application_ids, vec![2, 4]);
        assert_eq!(w.spec.time_zone, None);
        assert!(w.holds(Some(2)) && !w.holds(Some(3)) && !w.holds(None));
        assert!(
            w.overlap(at("2026-12-26T23:00:00Z"), at("2026-12-27T01:00:00Z"))
                .is_some()
        );
        assert!(
            w.overlap(at("2026-12-27T00:00:00Z"), at("2026-12-27T01:00:00Z"))
                .is_none()
        );
        let backwards = FreezeDraft {
            ends_at: Some(at("2026-12-23T00:00:00Z")),
            ..w.spec.clone()
        };
        assert_eq!(backwards.normalized().unwrap_err().field(), Some("ends_at"));
        let no_zone = FreezeDraft {
            repeat: Repeat::Weekly,
            ..w.spec.clone()
        };
        assert_eq!(no_zone.normalized().unwrap_err().field(), Some("time_zone"));
    }

    #[test]
    fn a_normal_change_is_refused_in_a_freeze_and_an_emergency_one_warned() {
        let hit = weekend()
            .overlap(at("2026-12-05T10:00:00Z"), at("2026-12-05T11:00:00Z"))
            .unwrap();
        let e = submit_into("CHG-000001", ChangeType::Normal, Some(&hit)).unwrap_err();
        assert_eq!(e.http_status(), 409);
        assert!(e.to_string().contains("freeze window 'Weekend'"), "{e}");
        let warning = submit_into("CHG-000001", ChangeType::Emergency, Some(&hit)).unwrap();
        assert!(
            warning
                .unwrap()
                .starts_with("Runs inside freeze window 'Weekend'")
        );
        assert_eq!(
            submit_into("CHG-000001", ChangeType::Normal, None).unwrap(),
            None
        );
    }
}
