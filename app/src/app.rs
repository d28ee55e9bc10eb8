//! The document shell and the route table.

use crate::components::layout::Shell;
use crate::pages::{
    api_docs::ApiDocsPage,
    audit::AuditPage,
    login::LoginPage,
    not_found::NotFound,
    overview::OverviewPage,
    profile::ProfilePage,
    users::{NewUserPage, UserPage, UsersPage},
};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en" class="h-full">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body class="h-full bg-slate-50 antialiased">
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects run only in the browser, after hydration: mark the page as interactive.
    Effect::new(|_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/opsroom.css"/>
        <Title formatter=|page: String| if page.is_empty() { "Opsroom".to_owned() } else { format!("{page} · Opsroom") }/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage/>
                <ParentRoute path=path!("") view=Shell>
                    <Route path=path!("/") view=OverviewPage/>
                    <Route path=path!("/users") view=UsersPage/>
                    <Route path=path!("/users/new") view=NewUserPage/>
                    <Route path=path!("/users/:id") view=UserPage/>
                    <Route path=path!("/profile") view=ProfilePage/>
                    <Route path=path!("/audit") view=AuditPage/>
                    <Route path=path!("/api-docs") view=ApiDocsPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
