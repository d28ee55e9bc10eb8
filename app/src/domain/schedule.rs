//! On-call schedules: roles filled by fixed members or by a rotation that hands off at a wall-clock
//! time in the schedule's time zone (so daylight-saving changes never move it), overrides for a
//! time range, who is on duty at an instant, and where coverage has gaps.

use super::AppError;
use super::application::{check_name, normalize_label};
use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

pub const MEMBERS_MAX: usize = 50;
pub const ROTATION_DAYS_MAX: u32 = 365;
pub const REASON_MAX: usize = 200;
/// How far ahead a schedule's page warns about gaps in coverage.
pub const GAP_HORIZON_DAYS: i64 = 14;

/// An IANA time zone name ("Europe/Berlin"), or a 422 naming the field.
pub fn parse_zone(name: &str) -> Result<Tz, AppError> {
    name.trim().parse::<Tz>().map_err(|_| {
        AppError::invalid(
            "time_zone",
            format!("'{name}' is not an IANA time zone name such as Europe/Berlin"),
        )
    })
}

/// The instant a wall-clock time in `tz` stands for: the earlier one when clocks go back, and
/// the first minute after the jump when clocks go forward past it.
pub fn instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut probe = local;
    for _ in 0..4 {
        if let Some(at) = tz.from_local_datetime(&probe).earliest() {
            return at.with_timezone(&Utc);
        }
        probe += Duration::minutes(30);
    }
    Utc.from_utc_datetime(&local)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Schedule {
    pub id: i64,
    #[serde(flatten)]
    pub spec: ScheduleDraft,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScheduleDraft {
    /// 3–50 of letters, digits, `_` and `-`; unique.
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// IANA name; rotations hand off at wall-clock times in this zone.
    pub time_zone: String,
}

impl ScheduleDraft {
    pub fn normalized(mut self) -> Result<ScheduleDraft, AppError> {
        normalize_label(&mut self.name, &mut self.description)?;
        self.time_zone = parse_zone(&self.time_zone)?.name().to_owned();
        Ok(self)
    }

    pub fn zone(&self) -> Tz {
        self.time_zone.parse().unwrap_or(Tz::UTC)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SchedulePatch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub time_zone: Option<String>,
    pub version: i32,
}

impl SchedulePatch {
    pub fn apply(self, c: &ScheduleDraft) -> ScheduleDraft {
        ScheduleDraft {
            name: self.name.unwrap_or_else(|| c.name.clone()),
            description: self.description.unwrap_or_else(|| c.description.clone()),
            time_zone: self.time_zone.unwrap_or_else(|| c.time_zone.clone()),
        }
    }
}

/// Members take turns: the first from `start` (a wall-clock time in the schedule's zone), the
/// next `every_days` days later at the same wall-clock time, and so on round the list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Rotation {
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "2026-12-01T09:00:00"))]
    pub start: NaiveDateTime,
    pub every_days: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScheduleRole {
    pub id: i64,
    pub schedule_id: i64,
    #[serde(flatten)]
    pub spec: RoleDraft,
    pub version: i32,
}

/// A role: its members in order, and a rotation, or none for fixed members (the first on the
/// list is on duty, the others stand behind them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoleDraft {
    /// 3–50 of letters, digits, `_` and `-`; unique in the schedule.
    pub name: String,
    /// User ids, 1 to 50, in turn order.
    pub members: Vec<i64>,
    #[serde(default)]
    pub rotation: Option<Rotation>,
}

impl RoleDraft {
    /// Who an unaccepted assignment escalates to within the role: the member after `current` in
    /// turn order (wrapping round), or the first member when `current` is not one; `None` when
    /// nobody else is in the role.
    pub fn next_in_line(&self, current: i64) -> Option<i64> {
        let start = self
            .members
            .iter()
            .position(|m| *m == current)
            .map_or(0, |p| p + 1);
        self.members
            .iter()
            .cycle()
            .skip(start)
            .take(self.members.len())
            .find(|m| **m != current)
            .copied()
    }

    pub fn normalized(mut self) -> Result<RoleDraft, AppError> {
        self.name = self.name.trim().to_owned();
        check_name(&self.name)?;
        if self.members.is_empty() || self.members.len() > MEMBERS_MAX {
            return Err(AppError::invalid(
                "members",
                format!("name 1 to {MEMBERS_MAX} users (got {})", self.members.len()),
            ));
        }
        let mut seen = HashSet::new();
        if let Some(twice) = self.members.iter().find(|m| !seen.insert(**m)) {
            return Err(AppError::invalid(
                "members",
                format!("user {twice} appears twice"),
            ));
        }
        if let Some(r) = &self.rotation
            && !(1..=ROTATION_DAYS_MAX).contains(&r.every_days)
        {
            return Err(AppError::invalid(
                "rotation.every_days",
                format!("must be between 1 and {ROTATION_DAYS_MAX}"),
            ));
        }
        Ok(self)
    }

    /// Who the rotation (or the fixed list) puts on duty at `at`, before overrides; `None`
    /// before a rotation starts.
    pub fn scheduled(&self, tz: Tz, at: DateTime<Utc>) -> Option<i64> {
        let Some(rotation) = &self.rotation else {
            return self.members.first().copied();
        };
        let local = at.with_timezone(&tz).naive_local();
        if local < rotation.start || self.members.is_empty() {
            return None;
        }
        let mut days = (local.date() - rotation.start.date()).num_days();
        if local.time() < rotation.start.time() {
            days -= 1;
        }
        let turn = days.div_euclid(i64::from(rotation.every_days.max(1)));
        let index = usize::try_from(turn).ok()? % self.members.len();
        Some(self.members[index])
    }

    /// The instants in `[from, to)` at which the rotation hands off.
    pub fn handoffs(&self, tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        let Some(rotation) = &self.rotation else {
            return vec![];
        };
        let every = i64::from(rotation.every_days.max(1));
        let first = from.with_timezone(&tz).date_naive() - Duration::days(1);
        let last = to.with_timezone(&tz).date_naive() + Duration::days(1);
        let mut out = Vec::new();
        let mut day = first;
        while day <= last {
            let since = (day - rotation.start.date()).num_days();
            if since >= 0 && since % every == 0 {
                let at = instant(tz, day.and_time(rotation.start.time()));
                if at >= from && at < to {
                    out.push(at);
                }
            }
            day += Duration::days(1);
        }
        out
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RolePatch {
    pub name: Option<String>,
    pub members: Option<Vec<i64>>,
    #[serde(default, deserialize_with = "super::application::present")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Rotation>))]
    pub rotation: Option<Option<Rotation>>,
    pub version: i32,
}

impl RolePatch {
    pub fn apply(self, c: &RoleDraft) -> RoleDraft {
        RoleDraft {
            name: self.name.unwrap_or_else(|| c.name.clone()),
            members: self.members.unwrap_or_else(|| c.members.clone()),
            rotation: self.rotation.unwrap_or_else(|| c.rotation.clone()),
        }
    }
}

/// Someone else on duty for a role during `[starts_at, ends_at)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Override {
    pub id: i64,
    pub role_id: i64,
    #[serde(flatten)]
    pub spec: OverrideDraft,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OverrideDraft {
    pub user_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[serde(default)]
    pub reason: String,
}

impl OverrideDraft {
    pub fn normalized(mut self) -> Result<OverrideDraft, AppError> {
        self.reason = self.reason.trim().to_owned();
        if self.ends_at <= self.starts_at {
            return Err(AppError::invalid("ends_at", "must be later than starts_at"));
        }
        super::resource::check_text("reason", &self.reason, 0, REASON_MAX)?;
        Ok(self)
    }

    fn covers(&self, at: DateTime<Utc>) -> bool {
        self.starts_at <= at && at < self.ends_at
    }
}

crate::string_enum! {
    /// Why someone is on duty.
    pub enum DutySource { Rotation = "rotation", Fixed = "fixed", Override = "override" }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Duty {
    pub user_id: i64,
    pub source: DutySource,
}

/// Who is on duty for `role` at `at`: the newest override covering it, else the rotation.
pub fn on_duty(
    role: &RoleDraft,
    tz: Tz,
    overrides: &[Override],
    at: DateTime<Utc>,
) -> Option<Duty> {
    if let Some(o) = overrides
        .iter()
        .filter(|o| o.spec.covers(at))
        .max_by_key(|o| (o.created_at, o.id))
    {
        return Some(Duty {
            user_id: o.spec.user_id,
            source: DutySource::Override,
        });
    }
    role.scheduled(tz, at).map(|user_id| Duty {
        user_id,
        source: if role.rotation.is_some() {
            DutySource::Rotation
        } else {
            DutySource::Fixed
        },
    })
}

/// A stretch of time in which nobody able to answer is on duty.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Gap {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// The gaps in `[from, to)`: nobody on duty, or someone whose account is not active.
pub fn gaps(
    role: &RoleDraft,
    tz: Tz,
    overrides: &[Override],
    active: &HashSet<i64>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Gap> {
    let mut bounds = vec![from, to];
    bounds.extend(role.handoffs(tz, from, to));
    if let Some(r) = &role.rotation {
        let start = instant(tz, r.start);
        if start > from && start < to {
            bounds.push(start);
        }
    }
    for o in overrides {
        for b in [o.spec.starts_at, o.spec.ends_at] {
            if b > from && b < to {
                bounds.push(b);
            }
        }
    }
    bounds.sort();
    bounds.dedup();
    let mut out: Vec<Gap> = Vec::new();
    for pair in bounds.windows(2) {
        let covered =
            on_duty(role, tz, overrides, pair[0]).is_some_and(|d| active.contains(&d.user_id));
        if covered {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.to == pair[0] => last.to = pair[1],
            _ => out.push(Gap {
                from: pair[0],
                to: pair[1],
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escalation_goes_to_the_next_member_in_turn_order() {
        let role = |members: Vec<i64>| RoleDraft {
            name: "primary".into(),
            members,
            rotation: None,
        };
        assert_eq!(role(vec![1, 2, 3]).next_in_line(2), Some(3));
        assert_eq!(role(vec![1, 2, 3]).next_in_line(3), Some(1));
        assert_eq!(role(vec![1, 2, 3]).next_in_line(9), Some(1));
        assert_eq!(role(vec![4]).next_in_line(4), None);
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn local(s: &str) -> NaiveDateTime {
        s.parse().unwrap()
    }

    fn rotation(members: &[i64], start: &str, every_days: u32) -> RoleDraft {
        RoleDraft {
            name: "primary".into(),
            members: members.to_vec(),
            rotation: Some(Rotation {
                start: local(start),
                every_days,
            }),
        }
    }

    fn berlin() -> Tz {
        parse_zone("Europe/Berlin").unwrap()
    }

    #[test]
    fn zones_are_checked_by_name() {
        assert_eq!(
            parse_zone(" America/New_York ").unwrap().name(),
            "America/New_York"
        );
        let e = parse_zone("Mars/Olympus").unwrap_err();
        assert_eq!(e.field(), Some("time_zone"));
    }

    #[test]
    fn a_daily_rotation_hands_off_at_the_same_wall_clock_time_across_dst() {
        // Clocks in Berlin go forward on 29 March 2026 and back on 25 October 2026.
        let role = rotation(&[1, 2, 3], "2026-03-27T09:00:00", 1);
        let tz = berlin();
        assert_eq!(role.scheduled(tz, at("2026-03-27T07:59:00Z")), None);
        assert_eq!(role.scheduled(tz, at("2026-03-27T08:00:00Z")), Some(1));
        assert_eq!(role.scheduled(tz, at("2026-03-28T08:00:00Z")), Some(2));
        // After the change 09:00 in Berlin is 07:00 UTC, not 08:00.
        assert_eq!(role.scheduled(tz, at("2026-03-29T06:59:00Z")), Some(2));
        assert_eq!(role.scheduled(tz, at("2026-03-29T07:00:00Z")), Some(3));
        assert_eq!(role.scheduled(tz, at("2026-03-30T07:00:00Z")), Some(1));
        let handoffs = role.handoffs(tz, at("2026-03-28T00:00:00Z"), at("2026-03-30T00:00:00Z"));
        assert_eq!(
            handoffs,
            [at("2026-03-28T08:00:00Z"), at("2026-03-29T07:00:00Z")]
        );
        // And back in autumn: 09:00 is 08:00 UTC again.
        let handoffs = role.handoffs(tz, at("2026-10-25T00:00:00Z"), at("2026-10-26T00:00:00Z"));
        assert_eq!(handoffs, [at("2026-10-25T08:00:00Z")]);
    }

    #[test]
    fn a_handoff_inside_the_spring_gap_happens_when_the_clock_resumes() {
        let role = rotation(&[1, 2], "2026-03-28T02:30:00", 1);
        let tz = berlin();
        // 02:30 does not exist on 29 March; the hand-off is at 03:00 local, 01:00 UTC.
        assert_eq!(
            role.handoffs(tz, at("2026-03-29T00:00:00Z"), at("2026-03-29T12:00:00Z")),
            [at("2026-03-29T01:00:00Z")]
        );
        assert_eq!(role.scheduled(tz, at("2026-03-29T00:59:00Z")), Some(1));
        assert_eq!(role.scheduled(tz, at("2026-03-29T01:00:00Z")), Some(2));
    }

    #[test]
    fn weekly_rotations_wrap_round_the_list_and_fixed_roles_name_the_first() {
        let role = rotation(&[7, 8], "2026-11-02T10:00:00", 7);
        let tz = Tz::UTC;
        assert_eq!(role.scheduled(tz, at("2026-11-08T09:59:00Z")), Some(7));
        assert_eq!(role.scheduled(tz, at("2026-11-09T10:00:00Z")), Some(8));
        assert_eq!(role.scheduled(tz, at("2026-11-16T10:00:00Z")), Some(7));
        let fixed = RoleDraft {
            name: "lead".into(),
            members: vec![4, 5],
            rotation: None,
        };
        assert_eq!(
            on_duty(&fixed, tz, &[], at("2030-01-01T00:00:00Z")).map(|d| (d.user_id, d.source)),
            Some((4, DutySource::Fixed))
        );
    }

    fn override_of(id: i64, user: i64, from: &str, to: &str, created: &str) -> Override {
        Override {
            id,
            role_id: 1,
            spec: OverrideDraft {
                user_id: user,
                starts_at: at(from),
                ends_at: at(to),
                reason: String::new(),
            },
            created_at: at(created),
        }
    }

    #[test]
    fn the_newest_override_wins_for_its_range_only() {
        let role = rotation(&[1, 2], "2026-11-01T00:00:00", 1);
        let overrides = [
            override_of(
                1,
                9,
                "2026-11-01T06:00:00Z",
                "2026-11-01T12:00:00Z",
                "2026-10-01T00:00:00Z",
            ),
            override_of(
                2,
                8,
                "2026-11-01T10:00:00Z",
                "2026-11-01T11:00:00Z",
                "2026-10-02T00:00:00Z",
            ),
        ];
        let who = |t: &str| on_duty(&role, Tz::UTC, &overrides, at(t)).map(|d| d.user_id);
        assert_eq!(who("2026-11-01T05:59:00Z"), Some(1));
        assert_eq!(who("2026-11-01T06:00:00Z"), Some(9));
        assert_eq!(who("2026-11-01T10:30:00Z"), Some(8));
        assert_eq!(who("2026-11-01T11:00:00Z"), Some(9));
        assert_eq!(who("2026-11-01T12:00:00Z"), Some(1));
    }

    #[test]
    fn gaps_are_where_nobody_active_is_on_duty() {
        let role = rotation(&[1, 2], "2026-11-03T09:00:00", 1);
        let active = HashSet::from([1]);
        let overrides = [override_of(
            1,
            1,
            "2026-11-04T12:00:00Z",
            "2026-11-04T14:00:00Z",
            "2026-11-01T00:00:00Z",
        )];
        let found = gaps(
            &role,
            Tz::UTC,
            &overrides,
            &active,
            at("2026-11-02T00:00:00Z"),
            at("2026-11-06T00:00:00Z"),
        );
        assert_eq!(
            found,
            [
                // Before the rotation starts.
                Gap {
                    from: at("2026-11-02T00:00:00Z"),
                    to: at("2026-11-03T09:00:00Z")
                },
                // User 2 is not active, except where the override covers for them.
                Gap {
                    from: at("2026-11-04T09:00:00Z"),
                    to: at("2026-11-04T12:00:00Z")
                },
                Gap {
                    from: at("2026-11-04T14:00:00Z"),
                    to: at("2026-11-05T09:00:00Z")
                },
            ]
        );
        let all = HashSet::from([1, 2]);
        assert!(
            gaps(
                &role,
                Tz::UTC,
                &[],
                &all,
                at("2026-11-04T00:00:00Z"),
                at("2026-11-20T00:00:00Z")
            )
            .is_empty()
        );
    }

    #[test]
    fn roles_and_overrides_are_checked() {
        let mut r = rotation(&[1, 1], "2026-11-01T00:00:00", 1);
        assert_eq!(r.clone().normalized().unwrap_err().field(), Some("members"));
        r.members = vec![];
        assert_eq!(r.clone().normalized().unwrap_err().field(), Some("members"));
        r.members = vec![1];
        r.rotation = Some(Rotation {
            start: local("2026-11-01T00:00:00"),
            every_days: 0,
        });
        assert_eq!(
            r.normalized().unwrap_err().field(),
            Some("rotation.every_days")
        );
        let o = OverrideDraft {
            user_id: 1,
            starts_at: at("2026-11-01T10:00:00Z"),
            ends_at: at("2026-11-01T10:00:00Z"),
            reason: String::new(),
        };
        assert_eq!(o.normalized().unwrap_err().field(), Some("ends_at"));
    }
}

/// A user as a schedule shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Person {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub active: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OnDuty {
    pub role: String,
    pub at: DateTime<Utc>,
    /// Nobody, before a rotation starts.
    pub user: Option<Person>,
    pub source: Option<DutySource>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoleView {
    #[serde(flatten)]
    pub role: ScheduleRole,
    /// The members in turn order.
    pub people: Vec<Person>,
    pub now: OnDuty,
    /// Gaps in the next 14 days.
    pub gaps: Vec<Gap>,
    /// The next hand-off, if the role rotates.
    pub next_handoff: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OverrideView {
    #[serde(flatten)]
    pub entry: Override,
    pub role: String,
    pub user: Person,
}

/// A schedule with its roles, who is on duty now, coverage gaps and current overrides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScheduleDetail {
    #[serde(flatten)]
    pub schedule: Schedule,
    pub roles: Vec<RoleView>,
    pub overrides: Vec<OverrideView>,
}
