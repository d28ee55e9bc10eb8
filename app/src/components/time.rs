//! A time shown relative to the data's "now", with the absolute UTC time on hover.

use crate::domain::time::{iso, relative, utc};
use chrono::{DateTime, Utc};
use leptos::prelude::*;

#[component]
pub fn Time(at: DateTime<Utc>, now: DateTime<Utc>) -> impl IntoView {
    view! {
        <time datetime=iso(at) title=utc(at) class="whitespace-nowrap">
            {relative(now, at)}
        </time>
    }
}

/// Both forms side by side, for detail pages.
#[component]
pub fn TimeFull(at: DateTime<Utc>, now: DateTime<Utc>) -> impl IntoView {
    view! {
        <time datetime=iso(at) class="whitespace-nowrap">
            {utc(at)} <span class="text-slate-500">" (" {relative(now, at)} ")"</span>
        </time>
    }
}
