//! Sending queued notifications: signed webhooks over HTTP and email over SMTP. What to send and
//! when to retry is `app::service::deliveries`; this module only moves the bytes.

use crate::live::Hub;
use app::domain::delivery::{Attempt, ChannelKind, webhook_receiver};
use app::domain::network::{AddressList, may_reach};
use app::state::AppState;
use app::store::deliveries::Job;
use chrono::Utc;
use hmac::{Hmac, Mac};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use sha2::Sha256;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// How often the queue is looked at.
pub const TICK: Duration = Duration::from_secs(2);

/// Where mail goes out (`OPSROOM_SMTP_*`).
#[derive(Clone, Debug)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// `none`, `starttls` or `tls`.
    pub security: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from: String,
}

/// What sending needs: an HTTP client, the mail relay (if configured) and the console's public
/// address for links.
#[derive(Clone)]
pub struct Transport {
    http: reqwest::Client,
    /// Internal addresses and hosts webhooks may reach (`OPSROOM_WEBHOOK_ALLOW`).
    allow: Arc<AddressList>,
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
    public_url: String,
}

impl Transport {
    pub fn new(
        smtp: Option<&SmtpConfig>,
        public_url: &str,
        allow: AddressList,
    ) -> Result<Transport, String> {
        let smtp = match smtp {
            None => None,
            Some(c) => {
                let builder = match c.security.as_str() {
                    "none" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&c.host),
                    "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&c.host)
                        .map_err(|e| format!("OPSROOM_SMTP_HOST: {e}"))?,
                    "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&c.host)
                        .map_err(|e| format!("OPSROOM_SMTP_HOST: {e}"))?,
                    other => {
                        return Err(format!(
                            "OPSROOM_SMTP_SECURITY={other:?} must be none, starttls or tls"
                        ));
                    }
                };
                let mut builder = builder.port(c.port).timeout(Some(Duration::from_secs(15)));
                if let (Some(user), Some(password)) = (&c.username, &c.password) {
                    builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
                }
                let from: Mailbox = c
                    .from
                    .parse()
                    .map_err(|e| format!("OPSROOM_SMTP_FROM={:?}: {e}", c.from))?;
                Some((builder.build(), from))
            }
        };
        let allow = Arc::new(allow);
        Ok(Transport {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .dns_resolver(Arc::new(Guard(allow.clone())))
                .build()
                .map_err(|e| e.to_string())?,
            allow,
            smtp,
            public_url: public_url.trim_end_matches('/').to_owned(),
        })
    }

    /// Tries one delivery and says how it went.
    pub async fn send(&self, job: Job) -> Attempt {
        let started = Instant::now();
        let at = Utc::now();
        let result = match job.delivery.channel_kind {
            ChannelKind::Webhook => self.webhook(&job).await,
            ChannelKind::Email => self.email(&job).await,
        };
        let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        match result {
            Ok(code) => Attempt {
                at,
                ok: true,
                code,
                error: String::new(),
                duration_ms,
            },
            Err((code, error)) => Attempt {
                at,
                ok: false,
                code,
                error,
                duration_ms,
            },
        }
    }

    async fn webhook(&self, job: &Job) -> Result<Option<i32>, (Option<i32>, String)> {
        let d = &job.delivery;
        let body = serde_json::json!({
            "id": d.id,
            "idempotency_key": d.idempotency_key(),
            "kind": d.kind,
            "title": d.title,
            "link": format!("{}{}", self.public_url, d.link),
            "user": d.username,
            "created_at": d.created_at,
            "attempt": d.attempts + 1,
        })
        .to_string();
        // A host written as an address is never looked up, so the resolver cannot judge it.
        if let Ok((host, _)) = webhook_receiver(&d.target)
            && let Ok(ip) = host.parse::<IpAddr>()
            && !may_reach(&self.allow, &host, ip)
        {
            return Err((None, REFUSED.to_owned()));
        }
        let timestamp = Utc::now().timestamp().to_string();
        let response = self
            .http
            .post(&d.target)
            .timeout(Duration::from_millis(
                u64::try_from(job.timeout_ms).unwrap_or(5000),
            ))
            .header("content-type", "application/json")
            .header("idempotency-key", d.idempotency_key())
            .header("x-opsroom-event", d.kind.as_str())
            .header("x-opsroom-timestamp", &timestamp)
            .header(
                "x-opsroom-signature",
                signature(&job.secret, &timestamp, &body),
            )
            .body(body)
            .send()
            .await
            .map_err(|e| (None, describe(&e)))?;
        let status = i32::from(response.status().as_u16());
        if response.status().is_success() {
            Ok(Some(status))
        } else {
            Err((Some(status), format!("the receiver answered {status}")))
        }
    }

    async fn email(&self, job: &Job) -> Result<Option<i32>, (Option<i32>, String)> {
        let d = &job.delivery;
        let Some((mailer, from)) = &self.smtp else {
            return Err((
                None,
                "email is not configured (set OPSROOM_SMTP_HOST)".to_owned(),
            ));
        };
        let to: Mailbox = d
            .target
            .parse()
            .map_err(|e| (None, format!("bad address {}: {e}", d.target)))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(format!("[Opsroom] {}", d.title))
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(format!(
                "{}\n\nOpen it: {}{}\n\n-- \nOpsroom notification {} ({})\n",
                d.title,
                self.public_url,
                d.link,
                d.idempotency_key(),
                d.kind
            ))
            .map_err(|e| (None, e.to_string()))?;
        match mailer.send(message).await {
            Ok(reply) => Ok(Some(i32::from(u16::from(reply.code())))),
            Err(e) => Err((e.status().map(|c| i32::from(u16::from(c))), e.to_string())),
        }
    }
}

/// `sha256=<hex>`: HMAC-SHA256 of `<timestamp>.<body>` under the channel's secret.
pub fn signature(secret: &str, timestamp: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// What the owner of a channel is told about a failed send: coarse on purpose, so a webhook
/// cannot be used to probe what answers where.
fn describe(e: &reqwest::Error) -> String {
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        if cause.downcast_ref::<NotAllowed>().is_some() {
            return REFUSED.to_owned();
        }
        source = cause.source();
    }
    if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        "the request failed".to_owned()
    }
}

const REFUSED: &str = "refused: the receiver's address is not one Opsroom sends to";

/// A host resolved only to addresses Opsroom may not send to.
#[derive(Debug)]
struct NotAllowed;

impl std::fmt::Display for NotAllowed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REFUSED)
    }
}

impl std::error::Error for NotAllowed {}

/// Resolves webhook hosts and keeps only the addresses Opsroom may reach; the connection uses
/// exactly those, so a name cannot resolve to a public address when checked and an internal
/// one when used.
struct Guard(Arc<AddressList>);

impl Resolve for Guard {
    fn resolve(&self, name: Name) -> Resolving {
        let allow = self.0.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let allowed: Vec<SocketAddr> =
                found.filter(|a| may_reach(&allow, &host, a.ip())).collect();
            if allowed.is_empty() {
                return Err(Box::new(NotAllowed) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// Drains the outbox as soon as the hub hears deliveries were queued, and `every` (the server
/// passes [`TICK`]) for retries that came due, until `shutdown`.
pub fn spawn(
    state: AppState,
    hub: Hub,
    transport: Transport,
    every: Duration,
    shutdown: CancellationToken,
) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tick.tick() => {}
                () = hub.deliveries_queued() => {}
            }
            let send = |job| {
                let transport = transport.clone();
                async move { transport.send(job).await }
            };
            match app::service::deliveries::deliver_due(&state, send).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(tried = n, "notification deliveries tried"),
                Err(e) => tracing::warn!(error = %e, "delivering notifications failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_of_timestamp_and_body() {
        let sig = signature("key", "1700000000", "{}");
        assert!(sig.starts_with("sha256="));
        assert_eq!(sig.len(), "sha256=".len() + 64);
        assert_eq!(sig, signature("key", "1700000000", "{}"));
        assert_ne!(sig, signature("other", "1700000000", "{}"));
        assert_ne!(sig, signature("key", "1700000001", "{}"));
        let mut mac = Hmac::<Sha256>::new_from_slice(b"key").unwrap();
        mac.update(b"1700000000.{}");
        assert_eq!(
            sig,
            format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
        );
    }
}
