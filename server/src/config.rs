//! Configuration from environment variables, each with a documented default (README).

use app::domain::auth::ThrottlePolicy;
use app::domain::network::AddressList;
use app::state::{AuditKey, Settings};
use chrono::Duration;
use std::net::SocketAddr;
use std::str::FromStr;

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub addr: SocketAddr,
    pub admin_password: Option<String>,
    pub demo_data: bool,
    pub json_logs: bool,
    pub site_root: String,
    pub request_timeout: std::time::Duration,
    pub db_max_connections: u32,
    pub settings: Settings,
    /// The mail relay for email notifications; none when `OPSROOM_SMTP_HOST` is unset.
    pub smtp: Option<crate::delivery::SmtpConfig>,
}

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/opsroom";

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parsed<T: FromStr>(name: &str, default: T) -> Result<T, String> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| format!("{name}={v:?} is not a valid value")),
    }
}

fn flag(name: &str, default: bool) -> Result<bool, String> {
    match var(name).as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(format!("{name}={other:?} must be true or false")),
    }
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let defaults = ThrottlePolicy::default();
        let throttle = ThrottlePolicy {
            max_per_user: parsed("OPSROOM_LOGIN_MAX_FAILURES", defaults.max_per_user)?,
            max_per_address: parsed(
                "OPSROOM_LOGIN_MAX_FAILURES_PER_ADDRESS",
                defaults.max_per_address,
            )?,
            window: Duration::minutes(parsed(
                "OPSROOM_LOGIN_WINDOW_MINUTES",
                defaults.window.num_minutes(),
            )?),
            ..defaults
        };
        let public_url = var("OPSROOM_PUBLIC_URL")
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_owned();
        let is_web = public_url.starts_with("http://") || public_url.starts_with("https://");
        if !(public_url.is_empty() || is_web) {
            return Err(format!(
                "OPSROOM_PUBLIC_URL={public_url:?} must start with http:// or https://"
            ));
        }
        let audit_key = match var("OPSROOM_AUDIT_KEY") {
            None => None,
            Some(key) if key.len() >= 32 => Some(AuditKey(key.into_bytes())),
            Some(_) => return Err("OPSROOM_AUDIT_KEY must be at least 32 characters".to_owned()),
        };
        Ok(Config {
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            addr: parsed("OPSROOM_ADDR", SocketAddr::from(([127, 0, 0, 1], 3000)))?,
            admin_password: var("OPSROOM_ADMIN_PASSWORD"),
            demo_data: flag("OPSROOM_DEMO_DATA", false)?,
            json_logs: match var("OPSROOM_LOG_FORMAT").as_deref() {
                None | Some("text") => false,
                Some("json") => true,
                Some(other) => {
                    return Err(format!("OPSROOM_LOG_FORMAT={other:?} must be text or json"));
                }
            },
            site_root: var("OPSROOM_SITE_ROOT")
                .or_else(|| var("LEPTOS_SITE_ROOT"))
                .unwrap_or_else(|| "target/site".to_owned()),
            request_timeout: std::time::Duration::from_secs(parsed(
                "OPSROOM_REQUEST_TIMEOUT_SECS",
                30,
            )?),
            db_max_connections: parsed("OPSROOM_DB_MAX_CONNECTIONS", 20)?,
            smtp: match var("OPSROOM_SMTP_HOST") {
                None => None,
                Some(host) => Some(crate::delivery::SmtpConfig {
                    host,
                    port: parsed("OPSROOM_SMTP_PORT", 587)?,
                    security: var("OPSROOM_SMTP_SECURITY").unwrap_or_else(|| "starttls".to_owned()),
                    username: var("OPSROOM_SMTP_USERNAME"),
                    password: var("OPSROOM_SMTP_PASSWORD"),
                    from: var("OPSROOM_SMTP_FROM")
                        .unwrap_or_else(|| "Opsroom <opsroom@localhost>".to_owned()),
                }),
            },
            settings: Settings {
                token_ttl: Duration::hours(parsed("OPSROOM_TOKEN_TTL_HOURS", 24)?),
                throttle,
                secure_cookies: flag("OPSROOM_SECURE_COOKIES", false)?,
                body_limit_bytes: parsed("OPSROOM_BODY_LIMIT_BYTES", 1024 * 1024)?,
                import_limit_bytes: parsed("OPSROOM_IMPORT_LIMIT_BYTES", 32 * 1024 * 1024)?,
                alarm_retention_days: parsed("OPSROOM_ALARM_RETENTION_DAYS", 31)?,
                suspect_window: Duration::hours(parsed("OPSROOM_SUSPECT_WINDOW_HOURS", 24)?),
                public_url,
                trusted_proxies: AddressList::parse(
                    "OPSROOM_TRUSTED_PROXIES",
                    &var("OPSROOM_TRUSTED_PROXIES").unwrap_or_default(),
                )?,
                webhook_allow: AddressList::parse(
                    "OPSROOM_WEBHOOK_ALLOW",
                    &var("OPSROOM_WEBHOOK_ALLOW").unwrap_or_default(),
                )?,
                audit_key,
            },
        })
    }
}
