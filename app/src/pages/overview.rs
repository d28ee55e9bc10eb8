//! The overview dashboard: who is here, what changed, and how busy the last day was.

use crate::api::overview::load_overview;
use crate::components::badge::MethodBadge;
use crate::components::feedback::{ErrorBox, Loading};
use crate::components::layout::{Card, PageHeader};
use crate::components::live::LiveRegion;
use crate::components::time::Time;
use crate::domain::overview::{HourCount, Overview};
use crate::domain::time::hour_of_day;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
fn Stat(
    label: &'static str,
    value: i64,
    #[prop(optional, into)] detail: String,
    testid: &'static str,
) -> impl IntoView {
    view! {
        <div class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-testid=testid>
            <p class="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</p>
            <p class="mt-2 text-3xl font-semibold tabular-nums text-slate-900">{value}</p>
            <p class="mt-1 text-xs text-slate-500">{detail}</p>
        </div>
    }
}

/// 24 hourly bars as an SVG, labelled every six hours.
#[component]
fn ActivityChart(hours: Vec<HourCount>) -> impl IntoView {
    let max = hours.iter().map(|h| h.count).max().unwrap_or(0).max(1);
    let width = 24 * 20;
    let bars = hours
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let height = (h.count * 100 / max).max(1);
            let x = i * 20 + 3;
            let label = format!("{} UTC: {} changes", hour_of_day(h.hour), h.count);
            view! {
                <rect x=x y=110 - height width=14 height=height rx=2
                    class={if h.count > 0 { "fill-indigo-500" } else { "fill-slate-200" }}>
                    <title>{label}</title>
                </rect>
            }
        })
        .collect_view();
    let ticks = hours
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 6 == 0)
        .map(|(i, h)| {
            view! {
                <text x=i * 20 + 3 y=126 class="fill-slate-400 text-[10px]">
                    {hour_of_day(h.hour)}
                </text>
            }
        })
        .collect_view();
    view! {
        <svg viewBox=format!("0 0 {width} 130") class="h-56 w-full" role="img"
            aria-label="Changes per hour over the last 24 hours" data-testid="activity-chart">
            <line x1=0 x2=width y1="110.5" y2="110.5" class="stroke-slate-200"/>
            {bars}
            {ticks}
        </svg>
        <p class="mt-2 text-xs text-slate-500">{format!("Busiest hour: {max} changes")}</p>
    }
}

#[component]
fn Dashboard(data: Overview) -> impl IntoView {
    let active: i64 = data.users_by_role.iter().map(|(_, n)| n).sum();
    let roles = data
        .users_by_role
        .iter()
        .map(|(role, n)| format!("{n} {role}"))
        .collect::<Vec<_>>()
        .join(" · ");
    let now = data.now;
    let recent = (!data.recent.is_empty()).then(|| {
        view! {
            <Card title="Latest changes" class="lg:col-span-1">
                <ul class="divide-y divide-slate-100" data-testid="recent-changes">
                    {data.recent.into_iter().map(|r| view! {
                        <li class="flex items-center justify-between gap-3 py-2 text-sm">
                            <span class="min-w-0 truncate">
                                <span class="font-medium text-slate-800">{r.actor_name}</span>
                                " · " {r.action.replace('_', " ")} " "
                                <span class="text-slate-500">{r.object_type.replace('_', " ")} " #" {r.object_id}</span>
                            </span>
                            <span class="flex shrink-0 items-center gap-2 text-xs text-slate-500">
                                <MethodBadge method=r.method/> <Time at=r.at now=now/>
                            </span>
                        </li>
                    }).collect_view()}
                </ul>
                <a href="/audit" class="mt-3 inline-block text-sm font-medium text-indigo-600 hover:text-indigo-500">"Open the audit log →"</a>
            </Card>
        }
    });
    view! {
        <div class="grid grid-cols-2 gap-4 lg:grid-cols-5">
            <Stat label="Active users" value=active detail=roles testid="stat-users"/>
            <Stat label="Deactivated users" value=data.inactive_users testid="stat-inactive"/>
            <Stat label="Live sessions" value=data.live_sessions
                detail=format!("{} API tokens", data.live_api_tokens) testid="stat-sessions"/>
            <Stat label="Sign-ins, 24 h" value=data.logins_24h
                detail=format!("{} failed", data.failed_logins_24h) testid="stat-logins"/>
            <Stat label="Changes, 24 h" value=data.mutations_24h detail="audited mutations" testid="stat-changes"/>
        </div>
        <div class="mt-4 grid gap-4 lg:grid-cols-3">
            <Card title="Activity, last 24 hours" class="lg:col-span-2">
                <ActivityChart hours=data.activity/>
            </Card>
            {recent}
        </div>
    }
}

#[component]
pub fn OverviewPage() -> impl IntoView {
    view! {
        <Title text="Overview"/>
        <PageHeader title="Overview" subtitle="The state of this operations center right now."/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match load_overview().await {
                    Ok(d) => view! {
                        <LiveRegion id="overview".to_owned() topics="audit".to_owned()>
                            <Dashboard data=d/>
                        </LiveRegion>
                    }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
