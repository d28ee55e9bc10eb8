//! The figures of the overview dashboard.

use super::audit::AuditRecord;
use super::user::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub now: DateTime<Utc>,
    /// Active users per role, in `Role::ALL` order.
    pub users_by_role: Vec<(Role, i64)>,
    pub inactive_users: i64,
    /// Unexpired, unrevoked browser sessions and API tokens.
    pub live_sessions: i64,
    pub live_api_tokens: i64,
    pub logins_24h: i64,
    pub failed_logins_24h: i64,
    pub mutations_24h: i64,
    /// Audit records per hour over the last 24 hours, oldest first, 24 buckets.
    pub activity: Vec<HourCount>,
    pub recent: Vec<AuditRecord>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HourCount {
    pub hour: DateTime<Utc>,
    pub count: i64,
}

/// Spreads sparse `(hour, count)` rows over the 24 hours that end with `now`'s hour.
pub fn hourly_buckets(now: DateTime<Utc>, rows: &[HourCount]) -> Vec<HourCount> {
    use chrono::{Duration, DurationRound};
    let current = now.duration_trunc(Duration::hours(1)).unwrap_or(now);
    (0..24)
        .rev()
        .map(|back| {
            let hour = current - Duration::hours(back);
            let count = rows
                .iter()
                .filter(|r| r.hour == hour)
                .map(|r| r.count)
                .sum();
            HourCount { hour, count }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn buckets_cover_24_hours_ending_now_and_keep_counts() {
        let now: DateTime<Utc> = "2026-11-28T10:42:00Z".parse().unwrap();
        let ten: DateTime<Utc> = "2026-11-28T10:00:00Z".parse().unwrap();
        let rows = vec![
            HourCount {
                hour: ten,
                count: 3,
            },
            HourCount {
                hour: ten - Duration::hours(23),
                count: 2,
            },
            HourCount {
                hour: ten - Duration::hours(24),
                count: 99,
            },
        ];
        let b = hourly_buckets(now, &rows);
        assert_eq!(b.len(), 24);
        assert_eq!(
            b[23],
            HourCount {
                hour: ten,
                count: 3
            }
        );
        assert_eq!(b[0].count, 2);
        assert_eq!(b.iter().map(|h| h.count).sum::<i64>(), 5);
    }
}
