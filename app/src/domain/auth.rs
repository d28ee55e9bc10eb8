//! Sessions and API tokens: token format, hashing and the failed-login throttle.

use super::user::UserRef;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The cookie that carries a browser session token.
pub const SESSION_COOKIE: &str = "opsroom_session";

/// The `Set-Cookie` value that stores a session token in the browser (`max_age_secs` 0 clears it).
pub fn session_cookie(token: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    )
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

/// How many failed logins are tolerated, per username and per client address, within a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub max_per_user: i64,
    pub max_per_address: i64,
    pub window: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            max_per_user: 5,
            max_per_address: 20,
            window: Duration::minutes(15),
        }
    }
}

/// Failed logins seen inside the window: how many, and the oldest one's time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Failures {
    pub count: i64,
    pub oldest: Option<DateTime<Utc>>,
}

impl ThrottlePolicy {
    /// `Some(seconds to wait)` while either the user or the address is over its limit.
    pub fn retry_after(
        &self,
        now: DateTime<Utc>,
        user: Failures,
        address: Failures,
    ) -> Option<u64> {
        [(user, self.max_per_user), (address, self.max_per_address)]
            .into_iter()
            .filter(|(f, max)| f.count >= *max)
            .filter_map(|(f, _)| f.oldest)
            .map(|oldest| (oldest + self.window - now).num_seconds().max(1) as u64)
            .max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(min: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap() + Duration::minutes(min)
    }

    #[test]
    fn under_the_limit_nobody_waits() {
        let p = ThrottlePolicy::default();
        let f = Failures {
            count: 4,
            oldest: Some(at(0)),
        };
        assert_eq!(p.retry_after(at(1), f, f), None);
    }

    #[test]
    fn at_the_user_limit_the_wait_ends_when_the_oldest_failure_leaves_the_window() {
        let p = ThrottlePolicy::default();
        let user = Failures {
            count: 5,
            oldest: Some(at(0)),
        };
        assert_eq!(p.retry_after(at(5), user, Failures::default()), Some(600));
    }

    #[test]
    fn the_address_limit_applies_on_its_own() {
        let p = ThrottlePolicy::default();
        let addr = Failures {
            count: 20,
            oldest: Some(at(0)),
        };
        assert_eq!(p.retry_after(at(14), Failures::default(), addr), Some(60));
        let below = Failures {
            count: 19,
            oldest: Some(at(0)),
        };
        assert_eq!(p.retry_after(at(14), Failures::default(), below), None);
    }

    #[test]
    fn the_longer_wait_wins_and_is_never_zero() {
        let p = ThrottlePolicy::default();
        let user = Failures {
            count: 9,
            oldest: Some(at(0)),
        };
        let addr = Failures {
            count: 30,
            oldest: Some(at(10)),
        };
        assert_eq!(p.retry_after(at(12), user, addr), Some(13 * 60));
        assert_eq!(p.retry_after(at(15), user, Failures::default()), Some(1));
    }

    #[test]
    fn session_cookies_are_http_only_and_lax() {
        let c = session_cookie("abc", 60, false);
        assert_eq!(
            c,
            "opsroom_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60"
        );
        assert!(session_cookie("abc", 60, true).ends_with("; Secure"));
    }

    #[test]
    fn digests_are_stable_and_distinct() {
        assert_eq!(token_digest("abc"), token_digest("abc"));
        assert_ne!(token_digest("abc"), token_digest("abd"));
        assert_eq!(token_digest("abc").len(), 64);
    }
}
