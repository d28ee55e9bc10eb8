//! The document shell and the route table.

use crate::components::layout::Shell;
use crate::components::live::{HydrationMarker, LiveCursor};
use crate::domain::capacity::Scope;
use crate::pages::{
    alarms::{AlarmPage, AlarmsPage, ConvertAlarmsPage},
    api_docs::ApiDocsPage,
    application_components::ComponentPage,
    applications::{ApplicationPage, ApplicationsPage, NewApplicationPage},
    audit::AuditPage,
    calendar::CalendarPage,
    capacity::CapacityPage,
    change_templates::ChangeTemplatesPage,
    changes::{ChangePage, ChangesPage, NewChangePage},
    data_sources::{DataSourcePage, DataSourcesPage},
    deliveries::DeliveriesPage,
    forwarding_rules::{ForwardingRulesPage, NewRulePage, RulePage},
    freezes::FreezesPage,
    groups::GroupPage,
    imports::{ImportPage, ImportReportPage},
    improvements::{ImprovementPage, ImprovementsPage, NewImprovementPage},
    incidents::{IncidentPage, IncidentsPage, NewIncidentPage},
    login::LoginPage,
    not_found::NotFound,
    notifications::NotificationsPage,
    overview::OverviewPage,
    problems::{NewProblemPage, ProblemPage, ProblemsPage},
    profile::ProfilePage,
    resources::{NewResourcePage, ResourcePage, ResourcesPage},
    review_flows::ReviewFlowsPage,
    schedules::{SchedulePage, SchedulesPage},
    sla::SlaPage,
    topology::TopologyPage,
    users::{NewUserPage, UserPage, UsersPage},
    war_rooms::{WarRoomPage, WarRoomsPage},
};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    let cursor = use_context::<LiveCursor>().map(|c| c.0);
    view! {
        <!DOCTYPE html>
        <html lang="en" class="h-full">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body class="h-full bg-slate-50 antialiased"
                data-live-cursor=cursor>
                <App/>
                <HydrationMarker/>
            </body>
        </html>
    }
}

#[component]
/// Pages render completely on the server before they are sent (`SsrMode::Async`): they work
/// without JavaScript, and live regions can re-read them as plain HTML.
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/opsroom.css"/>
        <Title formatter=|page: String| if page.is_empty() { "Opsroom".to_owned() } else { format!("{page} · Opsroom") }/>
        <Router>
            <Routes fallback=NotFound>
                <Route ssr=SsrMode::Async path=path!("/login") view=LoginPage/>
                <ParentRoute ssr=SsrMode::Async path=path!("") view=Shell>
                    <Route ssr=SsrMode::Async path=path!("/") view=OverviewPage/>
                    <Route ssr=SsrMode::Async path=path!("/resources") view=ResourcesPage/>
                    <Route ssr=SsrMode::Async path=path!("/resources/new") view=NewResourcePage/>
                    <Route ssr=SsrMode::Async path=path!("/resources/import") view=ImportPage/>
                    <Route ssr=SsrMode::Async path=path!("/resources/imports/:id") view=ImportReportPage/>
                    <Route ssr=SsrMode::Async path=path!("/resources/:id") view=ResourcePage/>
                    <Route ssr=SsrMode::Async path=path!("/applications") view=ApplicationsPage/>
                    <Route ssr=SsrMode::Async path=path!("/applications/new") view=NewApplicationPage/>
                    <Route ssr=SsrMode::Async path=path!("/applications/:id") view=ApplicationPage/>
                    <Route ssr=SsrMode::Async path=path!("/applications/:id/capacity")
                        view=|| view! { <CapacityPage scope=Scope::Application/> }/>
                    <Route ssr=SsrMode::Async path=path!("/components/:id") view=ComponentPage/>
                    <Route ssr=SsrMode::Async path=path!("/components/:id/capacity")
                        view=|| view! { <CapacityPage scope=Scope::Component/> }/>
                    <Route ssr=SsrMode::Async path=path!("/groups/:id") view=GroupPage/>
                    <Route ssr=SsrMode::Async path=path!("/groups/:id/capacity")
                        view=|| view! { <CapacityPage scope=Scope::Group/> }/>
                    <Route ssr=SsrMode::Async path=path!("/topology") view=TopologyPage/>
                    <Route ssr=SsrMode::Async path=path!("/alarms") view=AlarmsPage/>
                    <Route ssr=SsrMode::Async path=path!("/alarms/convert") view=ConvertAlarmsPage/>
                    <Route ssr=SsrMode::Async path=path!("/alarms/:id") view=AlarmPage/>
                    <Route ssr=SsrMode::Async path=path!("/data-sources") view=DataSourcesPage/>
                    <Route ssr=SsrMode::Async path=path!("/data-sources/:id") view=DataSourcePage/>
                    <Route ssr=SsrMode::Async path=path!("/deliveries") view=DeliveriesPage/>
                    <Route ssr=SsrMode::Async path=path!("/forwarding-rules") view=ForwardingRulesPage/>
                    <Route ssr=SsrMode::Async path=path!("/forwarding-rules/new") view=NewRulePage/>
                    <Route ssr=SsrMode::Async path=path!("/forwarding-rules/:id") view=RulePage/>
                    <Route ssr=SsrMode::Async path=path!("/incidents") view=IncidentsPage/>
                    <Route ssr=SsrMode::Async path=path!("/incidents/new") view=NewIncidentPage/>
                    <Route ssr=SsrMode::Async path=path!("/incidents/:id") view=IncidentPage/>
                    <Route ssr=SsrMode::Async path=path!("/war-rooms") view=WarRoomsPage/>
                    <Route ssr=SsrMode::Async path=path!("/war-rooms/:id") view=WarRoomPage/>
                    <Route ssr=SsrMode::Async path=path!("/changes") view=ChangesPage/>
                    <Route ssr=SsrMode::Async path=path!("/freeze-windows") view=FreezesPage/>
                    <Route ssr=SsrMode::Async path=path!("/review-flows") view=ReviewFlowsPage/>
                    <Route ssr=SsrMode::Async path=path!("/standard-changes") view=ChangeTemplatesPage/>
                    <Route ssr=SsrMode::Async path=path!("/changes/calendar") view=CalendarPage/>
                    <Route ssr=SsrMode::Async path=path!("/changes/new") view=NewChangePage/>
                    <Route ssr=SsrMode::Async path=path!("/changes/:id") view=ChangePage/>
                    <Route ssr=SsrMode::Async path=path!("/improvements") view=ImprovementsPage/>
                    <Route ssr=SsrMode::Async path=path!("/improvements/new") view=NewImprovementPage/>
                    <Route ssr=SsrMode::Async path=path!("/improvements/:id") view=ImprovementPage/>
                    <Route ssr=SsrMode::Async path=path!("/problems") view=ProblemsPage/>
                    <Route ssr=SsrMode::Async path=path!("/problems/new") view=NewProblemPage/>
                    <Route ssr=SsrMode::Async path=path!("/problems/:id") view=ProblemPage/>
                    <Route ssr=SsrMode::Async path=path!("/schedules") view=SchedulesPage/>
                    <Route ssr=SsrMode::Async path=path!("/schedules/:id") view=SchedulePage/>
                    <Route ssr=SsrMode::Async path=path!("/sla") view=SlaPage/>
                    <Route ssr=SsrMode::Async path=path!("/users") view=UsersPage/>
                    <Route ssr=SsrMode::Async path=path!("/users/new") view=NewUserPage/>
                    <Route ssr=SsrMode::Async path=path!("/users/:id") view=UserPage/>
                    <Route ssr=SsrMode::Async path=path!("/profile") view=ProfilePage/>
                    <Route ssr=SsrMode::Async path=path!("/notifications") view=NotificationsPage/>
                    <Route ssr=SsrMode::Async path=path!("/audit") view=AuditPage/>
                    <Route ssr=SsrMode::Async path=path!("/api-docs") view=ApiDocsPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
