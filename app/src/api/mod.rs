//! Server functions: the console's thin doors into `service/`, one module per area.

pub mod alarms;
pub mod applications;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod change_templates;
pub mod changes;
pub mod data_sources;
pub mod deliveries;
pub mod docs;
pub mod forwarding_rules;
pub mod freezes;
pub mod improvements;
pub mod incidents;
pub mod notifications;
pub mod overview;
pub mod problems;
pub mod resources;
pub mod review_flows;
pub mod schedules;
pub mod sla;
pub mod users;
pub mod war_rooms;
pub mod workflow;

use crate::domain::AppError;
use chrono::{DateTime, Utc};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(e: ServerFnErrorErr) -> Self {
        match e {
            ServerFnErrorErr::Args(detail)
            | ServerFnErrorErr::MissingArg(detail)
            | ServerFnErrorErr::Deserialization(detail)
            | ServerFnErrorErr::Serialization(detail) => AppError::malformed(detail),
            ServerFnErrorErr::Request(detail) => {
                AppError::unavailable(format!("the server could not be reached ({detail})"))
            }
            other => AppError::Internal {
                reference: other.to_string(),
            },
        }
    }
}

/// Data together with the server's "now", so relative times render identically on the server
/// and in the browser.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stamped<T> {
    pub data: T,
    pub now: DateTime<Utc>,
}

pub type Listing<T> = Stamped<crate::domain::list::Page<T>>;

#[cfg(feature = "ssr")]
pub mod ssr {
    //! What server functions need from the request: the shared state and the caller.

    use crate::domain::AppError;
    use crate::domain::audit::Method;
    use crate::domain::auth::session_cookie_name;
    use crate::service::{Actor, auth};
    use crate::state::AppState;
    use http::request::Parts;
    use leptos::prelude::*;

    pub fn state() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or_else(|| crate::store::internal("AppState missing"))
    }

    /// The value of a cookie of the current request.
    pub fn cookie(name: &str) -> Option<String> {
        let parts = use_context::<Parts>()?;
        cookie_in(&parts.headers, name)
    }

    pub fn cookie_in(headers: &http::HeaderMap, name: &str) -> Option<String> {
        headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
    }

    /// The state and the logged-in caller, or 401. A page render finds the caller the session
    /// gate already looked up; a server-function call looks its session up itself.
    pub async fn context() -> Result<(AppState, Actor), AppError> {
        let state = state()?;
        if let Some(actor) =
            use_context::<Parts>().and_then(|p| p.extensions.get::<Actor>().cloned())
        {
            return Ok((state, actor));
        }
        let token = cookie(session_cookie_name(state.settings.secure()))
            .ok_or(AppError::Unauthenticated)?;
        let actor = auth::authenticate(&state, &token, Method::Ui).await?;
        Ok((state, actor))
    }

    /// An optional id from a form field: empty is none.
    pub fn optional_id(field: &str, text: &str) -> Result<Option<i64>, AppError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        text.parse()
            .map(Some)
            .map_err(|_| AppError::invalid(field, format!("'{text}' is not an id")))
    }

    pub fn set_cookie(cookie: &str) -> Result<(), AppError> {
        let value = http::HeaderValue::from_str(cookie).map_err(crate::store::internal)?;
        expect_context::<leptos_axum::ResponseOptions>()
            .append_header(http::header::SET_COOKIE, value);
        Ok(())
    }

    /// The address the browser reached this server at (`http://host:port`), for links that
    /// other systems use, such as a data source's push URL.
    pub fn origin() -> String {
        let host = use_context::<Parts>()
            .and_then(|p| {
                p.headers
                    .get(http::header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| "localhost".to_owned());
        let scheme = if state().is_ok_and(|s| s.settings.secure()) {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{host}")
    }

    /// Hands a secret that is shown once (a new key, a webhook's signing secret) from the form
    /// that made it to the next page view, in a five-minute HttpOnly cookie `name` holding
    /// `<id>:<secret>`, so it never appears in a URL.
    pub fn hand_over(name: &str, id: i64, secret: &str) -> Result<(), AppError> {
        let secure = if state()?.settings.secure() {
            "; Secure"
        } else {
            ""
        };
        set_cookie(&format!(
            "{name}={id}:{secret}; Path=/; Max-Age=300; HttpOnly; SameSite=Strict{secure}"
        ))
    }

    /// The secret handed over in cookie `name` if `wanted` accepts its id; taking it clears the
    /// cookie, so it shows once.
    pub fn take_handed(
        name: &str,
        wanted: impl Fn(i64) -> bool,
    ) -> Result<Option<(i64, String)>, AppError> {
        let handed = cookie(name)
            .and_then(|v| {
                v.split_once(':')
                    .and_then(|(i, s)| Some((i.parse().ok()?, s.to_owned())))
            })
            .filter(|(id, _)| wanted(*id));
        if handed.is_some() {
            set_cookie(&format!("{name}=; Path=/; Max-Age=0"))?;
            // The page shows the secret: no cache may keep it.
            expect_context::<leptos_axum::ResponseOptions>().insert_header(
                http::header::CACHE_CONTROL,
                http::HeaderValue::from_static("no-store"),
            );
        }
        Ok(handed)
    }

    /// The client address, as the server's defences worked it out (the peer, or the client a
    /// trusted proxy names).
    pub fn client_address() -> String {
        use_context::<Parts>()
            .and_then(|p| {
                p.extensions
                    .get::<crate::state::ClientAddress>()
                    .map(|c| c.0.to_string())
            })
            .unwrap_or_else(|| "unknown".to_owned())
    }
}
