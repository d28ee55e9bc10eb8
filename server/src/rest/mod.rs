//! The public REST API under `/v1`, calling the same `app::service` functions as the console.

pub mod alarms;
pub mod applications;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod change_templates;
pub mod changes;
pub mod contract;
pub mod data_sources;
pub mod deliveries;
pub mod error;
pub mod extract;
pub mod forwarding_rules;
pub mod freezes;
pub mod groups;
pub mod history;
pub mod imports;
pub mod improvements;
pub mod incidents;
pub mod ingest;
pub mod notifications;
pub mod problems;
pub mod resources;
pub mod review_flows;
pub mod schedules;
pub mod sla;
pub mod system;
pub mod users;
pub mod war_rooms;

use app::state::AppState;
use axum::Router;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

struct TokenScheme;

impl Modify for TokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Auth-Token",
                "A token from POST /v1/auth/tokens (Authorization: Bearer works too).",
            ))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Opsroom REST API",
        description = "The operations center's REST API. Every non-2xx answer is \
                       `{\"error_code\": \"OPS.xxxx\", \"error_msg\": \"...\"}`; lists take `page`, \
                       `per_page` (1–200) and `sort` (`field` or `-field`) and answer \
                       `{items, total, page, per_page}`."
    ),
    modifiers(&TokenScheme),
    components(schemas(app::domain::error::ErrorBody)),
    tags(
        (name = "auth", description = "API tokens"),
        (name = "resources", description = "The inventory: hosts, databases, caches, clusters..."),
        (name = "applications", description = "Applications, sub-applications and their components"),
        (name = "groups", description = "Groups of resources, by hand or by rule"),
        (name = "schedules", description = "On-call schedules, roles, overrides and who is on duty"),
        (name = "events", description = "Where monitoring systems push (the data source's key authorizes)"),
        (name = "data sources", description = "Monitoring systems allowed to push, and their keys"),
        (name = "alarms", description = "Alarms: deduplicated events, cleared or converted into incidents"),
        (name = "forwarding rules", description = "Ordered rules that turn events into incidents, with test and replay"),
        (name = "incidents", description = "Incidents and their workflow"),
        (name = "war rooms", description = "War rooms of major incidents, and the rules that staff them"),
        (name = "improvements", description = "Improvement tickets and their workflow"),
        (name = "problems", description = "Problems (root causes) and their workflow"),
        (name = "changes", description = "Change tickets and their workflow"),
        (name = "attachments", description = "Files on incidents and problems"),
        (name = "notifications", description = "The caller's in-app notifications"),
        (name = "users", description = "User administration (administrators)"),
        (name = "profile", description = "The caller's own account"),
        (name = "audit", description = "The tamper-evident audit log (administrators)"),
        (name = "live", description = "Server-sent change events"),
        (name = "system", description = "Health and metrics"),
    )
)]
struct ApiDoc;

/// The `/v1` routes with their OpenAPI document, built from the same handler list.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::issue, auth::revoke))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::get, users::update))
        .routes(routes!(users::reset_password))
        .routes(routes!(users::me, users::update_me))
        .routes(routes!(users::change_password))
        .routes(routes!(resources::list, resources::create))
        .routes(routes!(
            resources::get,
            resources::update,
            resources::delete
        ))
        .routes(routes!(groups::of_resource))
        .routes(routes!(history::resource))
        .routes(routes!(history::application))
        .routes(routes!(history::component))
        .routes(routes!(history::group))
        .routes(routes!(imports::import))
        .routes(routes!(applications::list, applications::create))
        .routes(routes!(
            applications::get,
            applications::update,
            applications::delete
        ))
        .routes(routes!(applications::topology))
        .routes(routes!(applications::application_capacity))
        .routes(routes!(
            applications::list_components,
            applications::create_component
        ))
        .routes(routes!(
            applications::get_component,
            applications::update_component,
            applications::delete_component
        ))
        .routes(routes!(applications::component_capacity))
        .routes(routes!(ingest::alertmanager))
        .routes(routes!(ingest::grafana))
        .routes(routes!(ingest::generic))
        .routes(routes!(data_sources::list, data_sources::create))
        .routes(routes!(
            data_sources::get,
            data_sources::update,
            data_sources::delete
        ))
        .routes(routes!(data_sources::rotate_key))
        .routes(routes!(alarms::list))
        .routes(routes!(alarms::get))
        .routes(routes!(alarms::clear))
        .routes(routes!(alarms::convert))
        .routes(routes!(deliveries::channels, deliveries::add_channel))
        .routes(routes!(deliveries::delete_channel))
        .routes(routes!(deliveries::list))
        .routes(routes!(deliveries::get))
        .routes(routes!(deliveries::resend))
        .routes(routes!(forwarding_rules::list, forwarding_rules::create))
        .routes(routes!(
            forwarding_rules::get,
            forwarding_rules::update,
            forwarding_rules::delete
        ))
        .routes(routes!(forwarding_rules::move_to))
        .routes(routes!(forwarding_rules::test))
        .routes(routes!(forwarding_rules::replay))
        .routes(routes!(groups::list, groups::create))
        .routes(routes!(groups::get, groups::update, groups::delete))
        .routes(routes!(groups::associate))
        .routes(routes!(groups::disassociate))
        .routes(routes!(groups::transfer))
        .routes(routes!(groups::sync))
        .routes(routes!(groups::capacity))
        .routes(routes!(imports::report))
        .routes(routes!(schedules::list, schedules::create))
        .routes(routes!(
            schedules::get,
            schedules::update,
            schedules::delete
        ))
        .routes(routes!(schedules::on_duty))
        .routes(routes!(schedules::create_role))
        .routes(routes!(schedules::update_role, schedules::delete_role))
        .routes(routes!(schedules::create_override))
        .routes(routes!(schedules::delete_override))
        .routes(routes!(incidents::list, incidents::create))
        .routes(routes!(incidents::get))
        .routes(routes!(incidents::allowed, incidents::act))
        .routes(routes!(
            attachments::of_incident,
            attachments::add_to_incident
        ))
        .routes(routes!(war_rooms::list))
        .routes(routes!(war_rooms::get))
        .routes(routes!(war_rooms::put_member, war_rooms::remove_member))
        .routes(routes!(war_rooms::add_application))
        .routes(routes!(war_rooms::set_restored))
        .routes(routes!(war_rooms::post_notice))
        .routes(routes!(war_rooms::close))
        .routes(routes!(war_rooms::subscribe, war_rooms::unsubscribe))
        .routes(routes!(war_rooms::rules, war_rooms::create_rule))
        .routes(routes!(war_rooms::delete_rule))
        .routes(routes!(improvements::list, improvements::create))
        .routes(routes!(improvements::get))
        .routes(routes!(improvements::allowed, improvements::act))
        .routes(routes!(problems::list, problems::create))
        .routes(routes!(problems::get))
        .routes(routes!(problems::allowed, problems::act))
        .routes(routes!(
            attachments::of_problem,
            attachments::add_to_problem
        ))
        .routes(routes!(changes::list, changes::create))
        .routes(routes!(changes::failure_rates))
        .routes(routes!(calendar::span))
        .routes(routes!(calendar::feed))
        .routes(routes!(calendar::renew, calendar::revoke))
        .routes(routes!(change_templates::list, change_templates::create))
        .routes(routes!(change_templates::delete))
        .routes(routes!(change_templates::make))
        .routes(routes!(freezes::list, freezes::create))
        .routes(routes!(freezes::delete))
        .routes(routes!(review_flows::list, review_flows::create))
        .routes(routes!(review_flows::delete))
        .routes(routes!(changes::get))
        .routes(routes!(changes::allowed, changes::act))
        .routes(routes!(attachments::download))
        .routes(routes!(sla::list, sla::update))
        .routes(routes!(notifications::inbox))
        .routes(routes!(notifications::mark_read))
        .routes(routes!(audit::list))
        .routes(routes!(audit::verify))
        .routes(routes!(crate::live::stream))
        .routes(routes!(system::openapi))
        .routes(routes!(system::healthz))
        .routes(routes!(system::readyz))
        .routes(routes!(system::metrics))
        .split_for_parts()
}
