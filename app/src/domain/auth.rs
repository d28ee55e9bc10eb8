//! Sessions and API tokens: token format, hashing and the failed-login throttle.

use super::user::UserRef;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The cookie that carries a browser session token. Behind HTTPS it takes the `__Host-`
/// prefix, which browsers only accept from a secure origin, for the whole host and no domain,
/// so no sibling subdomain can plant or overwrite it.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-opsroom_session"
    } else {
        "opsroom_session"
    }
}

/// The `Set-Cookie` value that stores a session token in the browser (`max_age_secs` 0 clears it).
pub fn session_cookie(token: &str, max_age_secs: i64, secure: bool) -> String {
    let name = session_cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}")
}

crate::string_enum! {
    /// Where a token was issued: the login form or `POST /v1/auth/tokens`.
    pub enum TokenKind { Session = "session", Api = "api" }
}

/// `POST /v1/auth/tokens` input.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

/// What a successful login returns next to the secret token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TokenInfo {
    pub expires_at: DateTime<Utc>,
    pub user: UserRef,
}

/// The body of `POST /v1/auth/tokens`: `{token: {expires_at, user}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    pub token: TokenInfo,
}

/// Tokens are stored as the hex SHA-256 of the secret: a database leak reveals no usable token.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// How failed logins are answered. Guesses are refused (429) per client address and per user
/// at one address, so a stranger elsewhere can never lock a person out; failures for a user
/// from everywhere only slow that user's logins down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures for one username from one address before that pair waits.
    pub max_per_user: i64,
    /// Failures from one address (any usernames) before it waits.
    pub max_per_address: i64,
    pub window: Duration,
    /// Failures for one username from all addresses before its logins are slowed.
    pub slow_after: i64,
    /// How much slower each failure beyond `slow_after` makes the next login, up to `slow_max`.
    pub slow_step: Duration,
    pub slow_max: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            max_per_user: 5,
            max_per_address: 20,
            window: Duration::minutes(15),
            slow_after: 10,
            slow_step: Duration::seconds(1),
            slow_max: Duration::seconds(10),
        }
    }
}

/// Failed logins seen inside the window: how many, and the oldest one's time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Failures {
    pub count: i64,
    pub oldest: Option<DateTime<Utc>>,
}

/// The failures that bear on one login attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct LoginHistory {
    /// This username from this address.
    pub user_at_address: Failures,
    /// Any username from this address.
    pub address: Failures,
    /// This username from any address.
    pub user: Failures,
}

impl ThrottlePolicy {
    /// `Some(seconds to wait)` while the address, or the user at this address, is over its limit.
    pub fn retry_after(&self, now: DateTime<Utc>, seen: &LoginHistory) -> Option<u64> {
        [
            (seen.user_at_address, self.max_per_user),
            (seen.address, self.max_per_address),
        ]
        .into_iter()
        .filter(|(f, max)| f.count >= *max)
        .filter_map(|(f, _)| f.oldest)
        .map(|oldest| (oldest + self.window - now).num_seconds().max(1) as u64)
        .max()
    }

    /// How long this attempt waits before its password is checked: nothing until the user has
    /// `slow_after` failures from anywhere, then one more step per failure, at most `slow_max`.
    pub fn slowdown(&self, seen: &LoginHistory) -> Duration {
        let beyond = seen.user.count - self.slow_after + 1;
        if beyond <= 0 {
            return Duration::zero();
        }
        let steps = i32::try_from(beyond).unwrap_or(i32::MAX);
        (self.slow_step * steps).min(self.slow_max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(min: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap() + Duration::minutes(min)
    }

    fn failures(count: i64, oldest: i64) -> Failures {
        Failures {
            count,
            oldest: Some(at(oldest)),
        }
    }

    fn seen(user_at_address: Failures, address: Failures, user: Failures) -> LoginHistory {
        LoginHistory {
            user_at_address,
            address,
            user,
        }
    }

    #[test]
    fn under_the_limit_nobody_waits() {
        let p = ThrottlePolicy::default();
        let f = failures(4, 0);
        assert_eq!(p.retry_after(at(1), &seen(f, f, f)), None);
    }

    #[test]
    fn at_the_user_limit_the_wait_ends_when_the_oldest_failure_leaves_the_window() {
        let p = ThrottlePolicy::default();
        let none = Failures::default();
        let pair = failures(5, 0);
        assert_eq!(p.retry_after(at(5), &seen(pair, pair, pair)), Some(600));
        // The same failures from other addresses refuse nothing here.
        assert_eq!(
            p.retry_after(at(5), &seen(none, none, failures(500, 0))),
            None
        );
    }

    #[test]
    fn the_address_limit_applies_on_its_own() {
        let p = ThrottlePolicy::default();
        let none = Failures::default();
        assert_eq!(
            p.retry_after(at(14), &seen(none, failures(20, 0), none)),
            Some(60)
        );
        assert_eq!(
            p.retry_after(at(14), &seen(none, failures(19, 0), none)),
            None
        );
    }

    #[test]
    fn the_longer_wait_wins_and_is_never_zero() {
        let p = ThrottlePolicy::default();
        let none = Failures::default();
        let pair = failures(9, 0);
        let addr = failures(30, 10);
        assert_eq!(
            p.retry_after(at(12), &seen(pair, addr, none)),
            Some(13 * 60)
        );
        assert_eq!(p.retry_after(at(15), &seen(pair, none, none)), Some(1));
    }

    #[test]
    fn failures_from_everywhere_only_slow_a_user_down_up_to_a_cap() {
        let p = ThrottlePolicy::default();
        let none = Failures::default();
        let slow = |n| p.slowdown(&seen(none, none, failures(n, 0)));
        assert_eq!(slow(9), Duration::zero());
        assert_eq!(slow(10), Duration::seconds(1));
        assert_eq!(slow(13), Duration::seconds(4));
        assert_eq!(slow(10_000), Duration::seconds(10));
    }

    #[test]
    fn session_cookies_are_http_only_and_lax() {
        let c = session_cookie("abc", 60, false);
        assert_eq!(
            c,
            "opsroom_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60"
        );
        assert_eq!(
            session_cookie("abc", 60, true),
            "__Host-opsroom_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
    }

    #[test]
    fn digests_are_stable_and_distinct() {
        assert_eq!(token_digest("abc"), token_digest("abc"));
        assert_ne!(token_digest("abc"), token_digest("abd"));
        assert_eq!(token_digest("abc").len(), 64);
    }
}
