//! Assembles the whole HTTP surface: REST API, live events, console pages, static files.

use crate::forms::server_fn_errors;
use crate::live::Hub;
use crate::rest::contract::{RoleTable, role_gate};
use crate::rest::error::{ApiError, json_errors};
use crate::session::require_session;
use app::components::live::LiveCursor;
use app::domain::AppError;
use app::state::{AppState, Clock, Settings, Shared};
use app::{App, shell};
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::any;
use axum::{Extension, Router};
use leptos::config::LeptosOptions;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{LeptosRoutes, generate_route_list};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub fn leptos_options(site_root: &str, addr: std::net::SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("opsroom")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build()
}

pub fn app_state(
    pool: PgPool,
    clock: Arc<dyn Clock>,
    settings: Settings,
    leptos_options: LeptosOptions,
) -> AppState {
    let openapi = crate::rest::contract::document(crate::rest::routes().1);
    AppState::new(Shared {
        pool,
        clock,
        settings,
        leptos_options,
        openapi,
        pipeline: Default::default(),
        alarms_changed: Default::default(),
        ingest_tally: Default::default(),
    })
}

async fn no_route(request: Request) -> ApiError {
    ApiError(AppError::NoRoute {
        path: request.uri().path().to_owned(),
    })
}

pub fn router(state: AppState, hub: Hub, request_timeout: Duration) -> Router {
    crate::metrics::handle();
    let roles = RoleTable::from_document(&state.openapi);
    let api = crate::rest::routes()
        .0
        .route("/v1/{*rest}", any(no_route))
        .route_layer(from_fn_with_state((state.clone(), roles), role_gate))
        .layer(Extension(hub.clone()))
        .with_state(state.clone());

    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            // Taken before the page reads anything, so its live regions resume from a point no
            // later than what they show.
            provide_context(LiveCursor(hub.position().to_string()));
            // The page's bootstrap script carries the nonce the security headers announced.
            if let Some(nonce) = use_context::<http::request::Parts>()
                .and_then(|p| p.extensions.get::<leptos::nonce::Nonce>().cloned())
            {
                provide_context(nonce);
            }
        }
    };
    let pages = Router::new()
        .leptos_routes_with_context(&state, generate_route_list(App), context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(from_fn_with_state(state.clone(), require_session))
        .layer(from_fn(server_fn_errors))
        .with_state(state.clone());

    let routed = Router::new()
        .merge(api)
        .merge(pages)
        .layer(from_fn(crate::metrics::track))
        // The limits layer below chooses the limit per path; extractors must not add their own.
        .layer(DefaultBodyLimit::disable());
    // The defences wrap the routed whole once. `Router::layer` would wrap every route on its
    // own, and each of those wrappers clones its route for every request.
    let defended = ServiceBuilder::new()
        .layer(TraceLayer::new_for_http())
        .layer(from_fn_with_state(
            state.clone(),
            crate::defences::security_headers,
        ))
        .layer(from_fn_with_state(
            state.clone(),
            crate::defences::client_address,
        ))
        .layer(from_fn_with_state(
            state.clone(),
            crate::defences::same_origin,
        ))
        .layer(from_fn_with_state(state.clone(), json_errors))
        .layer(TimeoutLayer::with_status_code(
            http::StatusCode::SERVICE_UNAVAILABLE,
            request_timeout,
        ))
        .layer(from_fn_with_state(state, crate::limits::limit_body))
        .service(routed);
    Router::new().fallback_service(defended)
}
