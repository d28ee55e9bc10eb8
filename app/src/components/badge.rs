//! Small coloured labels for roles, states and methods.

use crate::domain::audit::Method;
use crate::domain::resource::{AgentState, ResourceStatus};
use crate::domain::user::Role;
use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Neutral,
    Info,
    Good,
    Warn,
    Bad,
    Accent,
}

impl Tone {
    fn classes(self) -> &'static str {
        match self {
            Tone::Neutral => "bg-slate-100 text-slate-700 ring-slate-200",
            Tone::Info => "bg-sky-50 text-sky-700 ring-sky-200",
            Tone::Good => "bg-emerald-50 text-emerald-700 ring-emerald-200",
            Tone::Warn => "bg-amber-50 text-amber-800 ring-amber-200",
            Tone::Bad => "bg-rose-50 text-rose-700 ring-rose-200",
            Tone::Accent => "bg-indigo-50 text-indigo-700 ring-indigo-200",
        }
    }
}

#[component]
pub fn Badge(#[prop(into)] text: String, tone: Tone) -> impl IntoView {
    let class = format!(
        "inline-flex items-center rounded-md px-2 py-0.5 text-xs font-medium ring-1 ring-inset {}",
        tone.classes()
    );
    view! { <span class=class>{text}</span> }
}

#[component]
pub fn RoleBadge(role: Role) -> impl IntoView {
    let tone = match role {
        Role::Admin => Tone::Accent,
        Role::Operator => Tone::Info,
        Role::Viewer => Tone::Neutral,
    };
    view! { <Badge text=role.as_str() tone=tone/> }
}

#[component]
pub fn ActiveBadge(active: bool) -> impl IntoView {
    if active {
        view! { <Badge text="active" tone=Tone::Good/> }
    } else {
        view! { <Badge text="deactivated" tone=Tone::Bad/> }
    }
}

#[component]
pub fn MethodBadge(method: Method) -> impl IntoView {
    let tone = match method {
        Method::Ui => Tone::Info,
        Method::Api => Tone::Accent,
        Method::System => Tone::Neutral,
    };
    view! { <Badge text=method.as_str().to_uppercase() tone=tone/> }
}

#[component]
pub fn ResourceStatusBadge(status: ResourceStatus) -> impl IntoView {
    let tone = match status {
        ResourceStatus::Running => Tone::Good,
        ResourceStatus::Stopped => Tone::Neutral,
        ResourceStatus::Fault => Tone::Bad,
        ResourceStatus::Unknown => Tone::Warn,
    };
    view! { <Badge text=status.as_str() tone=tone/> }
}

#[component]
pub fn AgentBadge(state: AgentState) -> impl IntoView {
    let tone = match state {
        AgentState::Online => Tone::Good,
        AgentState::Offline => Tone::Warn,
        AgentState::NotInstalled => Tone::Neutral,
    };
    view! { <Badge text=state.as_str().replace('_', " ") tone=tone/> }
}

#[component]
pub fn HealthBadge(health: crate::domain::topology::Health) -> impl IntoView {
    use crate::domain::topology::Health;
    let (tone, text) = match health {
        Health::Empty => (Tone::Neutral, "no resources"),
        Health::Healthy => (Tone::Good, "healthy"),
        Health::Degraded => (Tone::Warn, "degraded"),
        Health::Fault => (Tone::Bad, "fault"),
    };
    view! { <Badge text=text tone=tone/> }
}
