//! The Opsroom server: configuration, database, REST API, live events, and the console pages.

pub mod allocator;
pub mod config;
pub mod db;
pub mod defences;
pub mod delivery;
pub mod demo;
mod forms;
pub mod limits;
pub mod live;
pub mod metrics;
pub mod rest;
pub mod router;
mod session;
pub mod workers;

use app::service::bootstrap::{FirstAdmin, ensure_first_admin};
use app::state::SystemClock;
use config::Config;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Starts everything and serves until `shutdown` is cancelled; in-flight requests finish.
pub async fn serve(config: Config, shutdown: CancellationToken) -> Result<(), String> {
    db::ensure_database(&config.database_url)
        .await
        .map_err(|e| format!("cannot reach or create the database: {e}"))?;
    let pool = db::connect(&config.database_url, config.db_max_connections)
        .await
        .map_err(|e| format!("cannot connect to the database: {e}"))?;
    db::MIGRATOR
        .run(&pool)
        .await
        .map_err(|e| format!("migrations failed: {e}"))?;
    let state = router::app_state(
        pool.clone(),
        Arc::new(SystemClock),
        config.settings.clone(),
        router::leptos_options(&config.site_root, config.addr),
    );
    match ensure_first_admin(&state, config.admin_password.clone()).await {
        Ok(FirstAdmin::Generated(password)) => {
            println!(
                "Created the first administrator: user 'admin', password '{password}' (shown once)."
            );
        }
        Ok(FirstAdmin::Created) => println!("Created the first administrator 'admin'."),
        Ok(FirstAdmin::Exists) => {}
        Err(e) => return Err(format!("cannot create the first administrator: {e}")),
    }
    if config.demo_data {
        let password = std::env::var("OPSROOM_DEMO_PASSWORD")
            .unwrap_or_else(|_| demo::DEFAULT_DEMO_PASSWORD.to_owned());
        let created = demo::load(&state, &password)
            .await
            .map_err(|e| format!("cannot load demo data: {e}"))?;
        let resources = demo::load_estate(&state)
            .await
            .map_err(|e| format!("cannot load demo resources: {e}"))?;
        let applications = demo::load_applications(&state)
            .await
            .map_err(|e| format!("cannot load demo applications: {e}"))?;
        demo::load_schedules(&state)
            .await
            .map_err(|e| format!("cannot load demo schedules: {e}"))?;
        demo::load_incidents(&state)
            .await
            .map_err(|e| format!("cannot load demo incidents: {e}"))?;
        demo::load_alarms(&state)
            .await
            .map_err(|e| format!("cannot load demo alarms: {e}"))?;
        demo::load_changes(&state)
            .await
            .map_err(|e| format!("cannot load demo changes: {e}"))?;
        if created + resources + applications > 0 {
            println!(
                "Loaded demo data: {created} users (password '{password}'), {resources} resources, \
                 {applications} applications."
            );
        }
    }
    let hub = live::Hub::new(shutdown.clone());
    hub.spawn_listener(pool.clone());
    // Pages served before the listener listens would only re-read themselves once it does.
    if tokio::time::timeout(std::time::Duration::from_secs(10), hub.listening())
        .await
        .is_err()
    {
        tracing::warn!("live updates are not listening yet; serving anyway");
    }
    workers::spawn(state.clone(), shutdown.clone());
    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let public_url = if config.settings.public_url.is_empty() {
        format!("http://{addr}")
    } else {
        config.settings.public_url.clone()
    };
    let transport = delivery::Transport::new(
        config.smtp.as_ref(),
        &public_url,
        config.settings.webhook_allow.clone(),
    )?;
    delivery::spawn(
        state.clone(),
        hub.clone(),
        transport,
        delivery::TICK,
        shutdown.clone(),
    );
    let app = router::router(state, hub, config.request_timeout);
    println!("Opsroom is listening on http://{addr}");
    tracing::info!(%addr, "listening");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move { shutdown.cancelled().await })
    .await
    .map_err(|e| e.to_string())?;
    pool.close().await;
    Ok(())
}
