//! Notifications beyond the console: a person's channels (email, signed webhook), the outbox
//! deliveries they produce, each attempt, and the retry schedule.

use super::AppError;
use super::notification::NotificationKind;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

crate::string_enum! {
    pub enum ChannelKind { Email = "email", Webhook = "webhook" }
}

crate::string_enum! {
    pub enum DeliveryStatus { Pending = "pending", Delivered = "delivered", Dead = "dead" }
}

/// Attempts before a delivery goes to the dead letters.
pub const MAX_ATTEMPTS: i32 = 6;
pub const TIMEOUT_MIN_MS: i32 = 500;
pub const TIMEOUT_MAX_MS: i32 = 30_000;
pub const TARGET_MAX: usize = 500;
/// The most channels one person keeps.
pub const CHANNELS_MAX: i64 = 10;

/// When to try again after `attempts` failed attempts: 30 s, doubling, at most an hour.
pub fn retry_after(attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 8) - 1).unwrap_or(0);
    Duration::seconds((30 * 2_i64.pow(exponent)).min(3600))
}

/// A person's way of being told.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Channel {
    pub id: i64,
    pub user_id: i64,
    pub kind: ChannelKind,
    /// An email address, or the webhook's URL.
    pub target: String,
    /// Webhook request timeout.
    pub timeout_ms: i32,
    /// The notification kinds it carries; empty carries every kind.
    pub kinds: Vec<NotificationKind>,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
}

/// A new channel; a webhook's signing secret is made by the server and shown once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewChannel {
    pub kind: ChannelKind,
    pub target: String,
    /// 500–30000 ms (default 5000).
    #[serde(default = "default_timeout")]
    pub timeout_ms: i32,
    #[serde(default)]
    pub kinds: Vec<NotificationKind>,
}

fn default_timeout() -> i32 {
    5000
}

/// A new webhook channel with its secret: the only time the secret is shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChannelWithSecret {
    #[serde(flatten)]
    pub channel: Channel,
    /// The HMAC-SHA256 key of `X-Opsroom-Signature` (webhooks only).
    pub secret: Option<String>,
}

/// The host and port a webhook URL reaches: an `http` or `https` URL with a host, and no
/// credentials in it (`http://user@host` hides where it really goes from a reader).
pub fn webhook_receiver(target: &str) -> Result<(String, u16), AppError> {
    let refuse = |why: &str| AppError::invalid("target", why.to_owned());
    let url = url::Url::parse(target).map_err(|_| refuse("must be an http:// or https:// URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(refuse("must be an http:// or https:// URL"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("must not carry a username or password"));
    }
    let host = url
        .host_str()
        .ok_or_else(|| refuse("must name a host"))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = url
        .port_or_known_default()
        .ok_or_else(|| refuse("must name a port"))?;
    Ok((host, port))
}

impl NewChannel {
    pub fn normalized(mut self) -> Result<NewChannel, AppError> {
        self.target = self.target.trim().to_owned();
        super::resource::check_length("target", &self.target, 3, TARGET_MAX)?;
        match self.kind {
            ChannelKind::Email => {
                let valid = self.target.split_once('@').is_some_and(|(user, domain)| {
                    !user.is_empty() && domain.contains('.') && !self.target.contains(' ')
                });
                if !valid {
                    return Err(AppError::invalid("target", "must be an email address"));
                }
            }
            ChannelKind::Webhook => {
                webhook_receiver(&self.target)?;
            }
        }
        if !(TIMEOUT_MIN_MS..=TIMEOUT_MAX_MS).contains(&self.timeout_ms) {
            return Err(AppError::invalid(
                "timeout_ms",
                format!("must be {TIMEOUT_MIN_MS}–{TIMEOUT_MAX_MS} ms"),
            ));
        }
        self.kinds.sort_by_key(|k| k.as_str());
        self.kinds.dedup();
        Ok(self)
    }
}

/// One notification on its way through one channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Delivery {
    pub id: i64,
    pub channel_id: i64,
    pub channel_kind: ChannelKind,
    pub target: String,
    pub user_id: i64,
    pub username: String,
    pub kind: NotificationKind,
    pub title: String,
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: String,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl Delivery {
    /// The key a receiver uses to ignore a repeat of the same notification.
    pub fn idempotency_key(&self) -> String {
        format!("opsroom-delivery-{}", self.id)
    }
}

/// One try at delivering.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub ok: bool,
    /// The receiver's HTTP status or SMTP reply code, when it answered.
    pub code: Option<i32>,
    pub error: String,
    pub duration_ms: i32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DeliveryDetail {
    #[serde(flatten)]
    pub delivery: Delivery,
    pub attempts_made: Vec<Attempt>,
}

/// What a delivery becomes after an attempt.
pub fn after_attempt(
    attempts_before: i32,
    ok: bool,
    now: DateTime<Utc>,
) -> (DeliveryStatus, i32, DateTime<Utc>) {
    let attempts = attempts_before + 1;
    if ok {
        (DeliveryStatus::Delivered, attempts, now)
    } else if attempts >= MAX_ATTEMPTS {
        (DeliveryStatus::Dead, attempts, now)
    } else {
        (
            DeliveryStatus::Pending,
            attempts,
            now + retry_after(attempts),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_then_give_up() {
        let now = Utc::now();
        assert_eq!(retry_after(1), Duration::seconds(30));
        assert_eq!(retry_after(2), Duration::seconds(60));
        assert_eq!(retry_after(5), Duration::seconds(480));
        assert_eq!(retry_after(20), Duration::seconds(3600));
        assert_eq!(after_attempt(0, true, now).0, DeliveryStatus::Delivered);
        let (status, attempts, next) = after_attempt(0, false, now);
        assert_eq!((status, attempts), (DeliveryStatus::Pending, 1));
        assert_eq!(next, now + Duration::seconds(30));
        assert_eq!(
            after_attempt(MAX_ATTEMPTS - 1, false, now).0,
            DeliveryStatus::Dead
        );
    }

    #[test]
    fn channels_check_their_target_and_timeout() {
        let channel = |kind, target: &str, timeout_ms| NewChannel {
            kind,
            target: target.into(),
            timeout_ms,
            kinds: vec![],
        };
        assert!(
            channel(ChannelKind::Email, "ops@example.com", 5000)
                .normalized()
                .is_ok()
        );
        let field = |c: NewChannel| c.normalized().unwrap_err().field().unwrap().to_owned();
        assert_eq!(
            field(channel(ChannelKind::Email, "not-an-address", 5000)),
            "target"
        );
        assert_eq!(
            field(channel(ChannelKind::Webhook, "ftp://x.example", 5000)),
            "target"
        );
        assert_eq!(
            field(channel(ChannelKind::Webhook, "https://x.example", 100)),
            "timeout_ms"
        );
    }

    #[test]
    fn webhook_receivers_are_read_from_the_url() {
        assert_eq!(
            webhook_receiver("https://hooks.example.com/x?y=1").unwrap(),
            ("hooks.example.com".to_owned(), 443)
        );
        assert_eq!(
            webhook_receiver("http://[::1]:8080/").unwrap(),
            ("::1".to_owned(), 8080)
        );
        assert_eq!(
            webhook_receiver("http://169.254.169.254/latest").unwrap(),
            ("169.254.169.254".to_owned(), 80)
        );
        for bad in [
            "http://user@example.com/",
            "javascript:alert(1)",
            "http://",
            "ftp://x",
        ] {
            assert!(webhook_receiver(bad).is_err(), "{bad}");
        }
    }
}
