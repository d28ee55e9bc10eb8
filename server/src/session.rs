//! The session gate in front of the console's pages: anonymous visitors go to the login page.

use app::api::ssr::cookie_in;
use app::domain::audit::Method;
use app::domain::auth::session_cookie_name;
use app::service::auth::authenticate;
use app::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method as HttpMethod;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

/// Paths anyone may fetch: server functions check the session themselves, and what matched no
/// page (static files, the 404 page) reveals nothing.
fn is_public(request: &Request) -> bool {
    request.uri().path().starts_with("/api/") || request.extensions().get::<MatchedPath>().is_none()
}

pub async fn require_session(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if request.method() != HttpMethod::GET || is_public(&request) {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    let cookie = session_cookie_name(state.settings.secure());
    let actor = match cookie_in(request.headers(), cookie) {
        Some(token) => authenticate(&state, &token, Method::Ui).await.ok(),
        None => None,
    };
    match (actor, path == "/login") {
        (Some(_), true) => Redirect::to("/").into_response(),
        (None, true) => next.run(request).await,
        (Some(actor), false) => {
            // Server functions called while rendering find the caller here instead of
            // looking the session up again.
            request.extensions_mut().insert(actor);
            next.run(request).await
        }
        (None, false) => {
            let target = request
                .uri()
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned();
            let next: String = form_urlencoded::byte_serialize(target.as_bytes()).collect();
            Redirect::to(&format!("/login?next={next}")).into_response()
        }
    }
}
