//! The console's HTTP defences, in front of every route: the client's real address, refusing
//! state-changing requests that a browser sends on another site's behalf (CSRF), and the
//! security headers of every answer (a Content-Security-Policy with a per-request nonce for the
//! island bootstrap, no framing, no sniffing, no caching of personal data, HSTS behind HTTPS).

use crate::rest::error::ApiError;
use app::api::ssr::cookie_in;
use app::domain::AppError;
use app::domain::auth::session_cookie_name;
use app::state::{AppState, ClientAddress, Settings};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leptos::nonce::Nonce;
use std::net::{IpAddr, SocketAddr};

/// The client of a request: the peer, unless the peer is a trusted proxy, in which case the
/// nearest address in `X-Forwarded-For` that is not one of the trusted proxies.
pub fn client_of(settings: &Settings, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
    if !settings.trusted_proxies.contains(peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|a| !settings.trusted_proxies.contains(**a))
        .or(forwarded.first())
        .copied()
        .unwrap_or(peer)
}

/// Puts the [`ClientAddress`] on every request, for the login throttle and the records.
pub async fn client_address(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
    let client = client_of(&state.settings, peer, request.headers());
    request.extensions_mut().insert(ClientAddress(client));
    next.run(request).await
}

/// The origins the console is served from: the public URL's, and the host the browser asked.
fn own_origins(settings: &Settings, headers: &HeaderMap) -> Vec<String> {
    let mut origins = Vec::new();
    if let Some(origin) = origin_of(&settings.public_url) {
        origins.push(origin);
    }
    if let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
        origins.push(format!("http://{host}"));
        origins.push(format!("https://{host}"));
    }
    origins
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split('/').next()?;
    (!authority.is_empty()).then(|| format!("{scheme}://{authority}").to_ascii_lowercase())
}

/// Whether a browser sent this request from the console's own pages: `Sec-Fetch-Site:
/// same-origin`, or else an `Origin` that is the console's. `Err` says what it came from.
fn from_own_pages(settings: &Settings, headers: &HeaderMap) -> Result<(), String> {
    let header_text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header_text("sec-fetch-site") {
        return if site == "same-origin" {
            Ok(())
        } else {
            Err(format!("a {site} page"))
        };
    }
    match header_text(header::ORIGIN.as_str()) {
        Some(origin) if own_origins(settings, headers).contains(&origin.to_ascii_lowercase()) => {
            Ok(())
        }
        Some(origin) => Err(origin.to_owned()),
        None => Err("a client that sent no Origin header".to_owned()),
    }
}

/// Whether a request changes state on the strength of the browser's session: a form or server
/// function of the console (login included), or a `/v1` call carrying the session cookie and
/// no token of its own. Pushes from monitoring carry their key in the path, never a session.
fn rides_on_the_browser(settings: &Settings, request: &Request) -> bool {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return false;
    }
    let path = request.uri().path();
    if !path.starts_with("/v1/") {
        return true;
    }
    let headers = request.headers();
    let token = headers.contains_key("x-auth-token") || headers.contains_key(header::AUTHORIZATION);
    !path.starts_with("/v1/events/")
        && !token
        && cookie_in(headers, session_cookie_name(settings.secure())).is_some()
}

/// Refuses a state-changing request that rides on the browser but did not come from the
/// console's own pages (cross-site request forgery, login CSRF included).
pub async fn same_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if rides_on_the_browser(&state.settings, &request)
        && let Err(from) = from_own_pages(&state.settings, request.headers())
    {
        return ApiError(AppError::CrossSite { from }).into_response();
    }
    next.run(request).await
}

/// The Content-Security-Policy of every answer: scripts from this origin and the one inline
/// bootstrap carrying `nonce`, WebAssembly, styles from this origin, nothing framed, embedded or
/// posted elsewhere. `cargo leptos watch` adds its reload socket.
fn policy(nonce: &str) -> String {
    let reload = std::env::var("LEPTOS_WATCH")
        .ok()
        .and_then(|_| std::env::var("LEPTOS_RELOAD_PORT").ok())
        .map(|port| format!(" ws://127.0.0.1:{port} ws://localhost:{port}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'{reload}; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Whether an answer is made for one person (a page, an API answer, an event stream) rather
/// than a static asset, and so must not be kept by any cache.
fn is_personal(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            t.starts_with("text/html")
                || t.starts_with("application/json")
                || t.starts_with("text/event-stream")
                || t.starts_with("text/plain")
        })
}

/// Gives the request its CSP nonce (the pages' bootstrap script carries it) and every answer
/// its security headers.
pub async fn security_headers(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = Nonce::new();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: header::HeaderName, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.entry(name).or_insert(value);
        }
    };
    set(header::CONTENT_SECURITY_POLICY, &policy(&nonce));
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    // Same-origin pages still send the referrer the console's forms rely on; nothing leaves.
    set(header::REFERRER_POLICY, "same-origin");
    set(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if state.settings.secure() {
        set(header::STRICT_TRANSPORT_SECURITY, "max-age=63072000");
    }
    if is_personal(&response) {
        response
            .headers_mut()
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::network::AddressList;

    fn settings(proxies: &str) -> Settings {
        Settings {
            trusted_proxies: AddressList::parse("P", proxies).unwrap(),
            ..Settings::default()
        }
    }

    fn forwarded(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let h = forwarded("203.0.113.9, 10.0.0.2");
        assert_eq!(client_of(&settings(""), ip("10.0.0.1"), &h), ip("10.0.0.1"));
        assert_eq!(
            client_of(&settings("10.0.0.0/24"), ip("10.0.0.1"), &h),
            ip("203.0.113.9")
        );
        // A client cannot hide behind an address it writes itself in front of the proxy's.
        let spoofed = forwarded("1.2.3.4, 198.51.100.7");
        assert_eq!(
            client_of(&settings("10.0.0.1"), ip("10.0.0.1"), &spoofed),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_of(&settings("10.0.0.1"), ip("10.0.0.1"), &HeaderMap::new()),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn only_the_consoles_own_origin_passes() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("ops.example:3000"));
        assert!(from_own_pages(&Settings::default(), &h).is_err());
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://ops.example:3000"),
        );
        assert!(from_own_pages(&Settings::default(), &h).is_ok());
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://evil.example"),
        );
        assert!(from_own_pages(&Settings::default(), &h).is_err());
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(from_own_pages(&Settings::default(), &h).is_err());
        h.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        assert!(from_own_pages(&Settings::default(), &h).is_ok());
    }

    #[test]
    fn the_public_url_is_an_own_origin() {
        let s = Settings {
            public_url: "https://ops.example.com".into(),
            ..Settings::default()
        };
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("10.0.0.5:3000"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://ops.example.com"),
        );
        assert!(from_own_pages(&s, &h).is_ok());
    }
}
