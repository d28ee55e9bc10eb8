//! The change calendar: a month, week or day of planned changes coloured by status, narrowed
//! by application, risk, status and implementer, with links from day to day; and the caller's
//! iCalendar feed. Everything here is links and forms: it works without JavaScript.

use crate::api::calendar::{CalendarData, RenewFeed, RevokeFeed, change_calendar};
use crate::components::copy::CopyField;
use crate::components::feedback::{ErrorBox, Loading};
use crate::components::form::{ButtonKind, PostForm, Submit};
use crate::components::layout::{Card, PageHeader};
use crate::components::live::LiveRegion;
use crate::domain::change::calendar::{View, on_day};
use crate::domain::change::{Change, ChangeStatus, RiskLevel};
use crate::pages::resources::{FilterSelect, options};
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const CRUMBS: &[(&str, &str)] = &[("Operations", "/incidents"), ("Changes", "/changes")];
/// The filters a view's links carry along.
const FILTERS: &[&str] = &["status", "level", "application_id", "implementer_id"];

/// A chip's colours for a change's status.
fn chip(status: ChangeStatus) -> &'static str {
    match status {
        ChangeStatus::Draft | ChangeStatus::Cancelled => {
            "border-slate-300 bg-slate-50 text-slate-700"
        }
        ChangeStatus::PendingApproval => "border-amber-300 bg-amber-50 text-amber-900",
        ChangeStatus::Approved => "border-indigo-300 bg-indigo-50 text-indigo-900",
        ChangeStatus::Implementing => "border-sky-300 bg-sky-50 text-sky-900",
        ChangeStatus::Succeeded | ChangeStatus::Closed => {
            "border-emerald-300 bg-emerald-50 text-emerald-900"
        }
        ChangeStatus::Failed | ChangeStatus::RolledBack => {
            "border-rose-300 bg-rose-50 text-rose-900"
        }
    }
}

fn change_chip(c: &Change, with_time: bool) -> impl IntoView + use<> {
    let time = with_time.then(|| {
        format!(
            "{}–{} ",
            c.planned_start.format("%H:%M"),
            c.planned_end.format("%H:%M")
        )
    });
    let label = format!("{} {}", c.number(), c.title);
    let title = format!("{label} ({})", c.status.as_str().replace('_', " "));
    view! {
        <a href=format!("/changes/{}", c.id) title=title
            class=format!("block truncate rounded border px-1.5 py-0.5 text-xs {}", chip(c.status))
            data-testid=format!("calendar-change-{}", c.id)>
            <span class="font-mono">{time}</span>{label}
        </a>
    }
}

#[component]
pub fn CalendarPage() -> impl IntoView {
    let query = use_query_map();
    let load = move || {
        let q = query.read_untracked();
        change_calendar(
            q.get("view"),
            q.get("date"),
            q.get("status"),
            q.get("level"),
            q.get("application_id"),
            q.get("implementer_id"),
        )
    };
    let (view, carried) = {
        let q = query.read_untracked();
        let view = q
            .get("view")
            .and_then(|v| View::parse(&v))
            .unwrap_or(View::Month);
        let carried: Vec<(String, String)> = FILTERS
            .iter()
            .filter_map(|f| {
                q.get(f)
                    .filter(|v| !v.is_empty())
                    .map(|v| ((*f).to_owned(), v))
            })
            .collect();
        (view, carried)
    };
    view! {
        <Title text="Change calendar"/>
        <PageHeader title="Change calendar" subtitle="Planned change windows, coloured by status. Times are UTC." crumbs=CRUMBS.to_vec()>
            <a href="/changes" class=ButtonKind::Secondary.classes()>"List"</a>
        </PageHeader>
        <Suspense fallback=Loading>
            {move || {
                let carried = carried.clone();
                Suspend::new(async move {
                    match load().await {
                        Ok(data) => calendar(data, view, carried).into_any(),
                        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// A link to `view` around `date` that keeps the filters.
fn href(view: View, date: NaiveDate, carried: &[(String, String)]) -> String {
    let mut pairs = vec![
        ("view".to_owned(), view.as_str().to_owned()),
        ("date".to_owned(), date.to_string()),
    ];
    pairs.extend(carried.iter().cloned());
    format!(
        "/changes/calendar?{}",
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    )
}

fn calendar(data: CalendarData, view: View, carried: Vec<(String, String)>) -> impl IntoView {
    let CalendarData {
        days,
        date,
        today,
        changes,
        applications,
        implementers,
        feed_since,
        new_feed_url,
    } = data;
    let tab = |v: View, label: &'static str| {
        let current = v == view;
        let class = if current {
            "rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white"
        } else {
            "rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100"
        };
        view! { <a href=href(v, date, &carried) class=class aria-current=current.then_some("page")>{label}</a> }
    };
    let ids = |list: &[(i64, String)]| {
        list.iter()
            .map(|(id, n)| (id.to_string(), n.clone()))
            .collect::<Vec<_>>()
    };
    let hidden = view! {
        <input type="hidden" name="view" value=view.as_str()/>
        <input type="hidden" name="date" value=date.to_string()/>
    };
    let toolbar = view! {
        <div class="mb-4 flex flex-wrap items-center gap-3">
            <nav class="flex gap-1 rounded-lg border border-slate-200 bg-white p-1" aria-label="View">
                {tab(View::Month, "Month")}{tab(View::Week, "Week")}{tab(View::Day, "Day")}
            </nav>
            <div class="flex items-center gap-1">
                <a href=href(view, view.step(date, false), &carried) class=ButtonKind::Secondary.classes() aria-label="Previous" data-testid="calendar-previous">"‹"</a>
                <a href=href(view, today, &carried) class=ButtonKind::Secondary.classes()>"Today"</a>
                <a href=href(view, view.step(date, true), &carried) class=ButtonKind::Secondary.classes() aria-label="Next" data-testid="calendar-next">"›"</a>
            </div>
            <h2 class="text-lg font-semibold text-slate-900" data-testid="calendar-title">{view.title(date)}</h2>
        </div>
        <form method="get" class="mb-4 flex flex-wrap gap-2" data-testid="calendar-filters">
            {hidden}
            <FilterSelect name="application_id" label="Any application" options=ids(&applications)/>
            <FilterSelect name="level" label="Any risk" options=options(RiskLevel::ALL, RiskLevel::as_str)/>
            <FilterSelect name="status" label="Any status" options=options(ChangeStatus::ALL, ChangeStatus::as_str)/>
            <FilterSelect name="implementer_id" label="Any implementer" options=ids(&implementers)/>
            <button type="submit" class=ButtonKind::Secondary.classes()>"Filter"</button>
        </form>
    };
    let grid = match view {
        View::Day => {
            let day = days[0];
            let todays: Vec<Change> = changes.iter().filter(|c| on_day(c, day)).cloned().collect();
            let body = if todays.is_empty() {
                view! { <p class="text-sm text-slate-500">"No change is planned on this day."</p> }
                    .into_any()
            } else {
                todays
                    .iter()
                    .map(|c| view! { <li>{change_chip(c, true)}</li> })
                    .collect_view()
                    .into_any()
            };
            view! { <Card><ul class="space-y-1" data-testid="calendar-day">{body}</ul></Card> }
                .into_any()
        }
        View::Week | View::Month => {
            let month = (view == View::Month).then_some(date);
            let cells = days
                .iter()
                .map(|day| {
                    let day = *day;
                    let outside = month.is_some_and(|m| chrono::Datelike::month(&day) != chrono::Datelike::month(&m));
                    let chips = changes
                        .iter()
                        .filter(|c| on_day(c, day))
                        .map(|c| change_chip(c, view == View::Week))
                        .collect_view();
                    let number = if day == today {
                        "inline-flex h-6 w-6 items-center justify-center rounded-full bg-indigo-600 text-xs font-semibold text-white"
                    } else {
                        "text-xs font-semibold text-slate-600"
                    };
                    let cell = if outside { "bg-slate-50" } else { "bg-white" };
                    let height = if view == View::Week { "min-h-48" } else { "min-h-24" };
                    view! {
                        <div class=format!("{cell} {height} space-y-1 p-1.5") data-testid=format!("calendar-day-{day}")>
                            <a href=href(View::Day, day, &carried) class=number aria-label=day.format("%A %-d %B").to_string()>{day.format("%-d").to_string()}</a>
                            {chips}
                        </div>
                    }
                })
                .collect_view();
            let heads = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
                .map(|d| view! { <div class="bg-slate-100 px-2 py-1 text-xs font-semibold text-slate-600">{d}</div> });
            view! {
                <div class="overflow-x-auto">
                    <div class="grid min-w-[42rem] grid-cols-7 gap-px overflow-hidden rounded-lg border border-slate-200 bg-slate-200" data-testid="calendar-grid">
                        {heads.into_iter().collect_view()}
                        {cells}
                    </div>
                </div>
            }
            .into_any()
        }
    };
    let feed = feed_card(feed_since.is_some(), new_feed_url);
    let cut = (changes.len() as i64 >= crate::domain::change::calendar::SHOWN_MAX).then(|| view! {
        <p class="mb-2 text-sm text-amber-800" role="status">
            {format!("Showing the first {} changes of this view: narrow it with the filters, or look at a week.", changes.len())}
        </p>
    });
    let legend = [
        (ChangeStatus::Draft, "draft"),
        (ChangeStatus::PendingApproval, "waiting for approval"),
        (ChangeStatus::Approved, "approved"),
        (ChangeStatus::Implementing, "implementing"),
        (ChangeStatus::Succeeded, "succeeded or closed"),
        (ChangeStatus::Failed, "failed or rolled back"),
    ]
    .map(|(status, label)| view! { <li class=format!("rounded border px-1.5 py-0.5 {}", chip(status))>{label}</li> });
    view! {
        {toolbar}
        {cut}
        <LiveRegion id="calendar".to_owned() topics="change".to_owned()>{grid}</LiveRegion>
        <ul class="mt-2 flex flex-wrap gap-2 text-xs" aria-label="Colours">{legend.into_iter().collect_view()}</ul>
        {feed}
    }
}

/// Subscribing from one's own calendar program: a token of one's own, renewed or revoked here.
fn feed_card(has_feed: bool, new_url: Option<String>) -> impl IntoView {
    let shown = new_url.map(|url| {
        view! {
            <div class="mb-3 rounded-lg border border-emerald-200 bg-emerald-50 p-3 text-sm text-emerald-900">
                <p class="mb-2 font-medium">"Copy this address into your calendar program now: it holds your token, which is shown only this once."</p>
                <CopyField value=url label="Feed address".to_owned() testid="feed-url".to_owned()/>
            </div>
        }
    });
    let state = if has_feed {
        "You have a feed token. Renewing it gives a new address and stops the old one."
    } else {
        "You have no feed token."
    };
    view! {
        <Card title="Subscribe from your calendar" class="mt-6 max-w-3xl">
            {shown}
            <p class="mb-3 text-sm text-slate-600">"An iCalendar (.ics) feed of the changes planned from 30 days ago to 180 days ahead, read-only, behind a token of your own. " {state}</p>
            <div class="flex flex-wrap gap-2">
                <PostForm action=RenewFeed::PATH>
                    <Submit label=if has_feed { "Renew the feed address" } else { "Make a feed address" } kind=ButtonKind::Primary testid="renew-feed"/>
                </PostForm>
                {has_feed.then(|| view! {
                    <PostForm action=RevokeFeed::PATH success="Revoked: the feed address no longer works.">
                        <Submit label="Revoke" kind=ButtonKind::Danger testid="revoke-feed"/>
                    </PostForm>
                })}
            </div>
        </Card>
    }
}
