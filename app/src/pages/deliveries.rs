//! Deliveries: notifications on their way through email and webhooks, the dead letters that ran
//! out of attempts (with a re-send button), and each one's attempts.

use crate::api::deliveries::{DeliveryListing, ResendDelivery, list_deliveries};
use crate::components::badge::{Badge, Tone};
use crate::components::feedback::{EmptyState, ErrorBox, Loading};
use crate::components::form::{ButtonKind, PostForm, Submit};
use crate::components::layout::PageHeader;
use crate::components::live::LiveRegion;
use crate::components::table::{CursorPagination, TD, Table, col, cursor_of};
use crate::components::tabs::Tabs;
use crate::components::time::Time;
use crate::domain::delivery::{Delivery, DeliveryStatus};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const CRUMBS: &[(&str, &str)] = &[("Administration", "/deliveries")];

fn status_badge(status: DeliveryStatus) -> impl IntoView {
    let tone = match status {
        DeliveryStatus::Pending => Tone::Warn,
        DeliveryStatus::Delivered => Tone::Good,
        DeliveryStatus::Dead => Tone::Bad,
    };
    view! { <Badge text=status.as_str() tone/> }
}

fn rows(items: Vec<Delivery>, now: DateTime<Utc>) -> impl IntoView + use<> {
    items
        .into_iter()
        .map(|d| {
            let resend = (d.status != DeliveryStatus::Pending).then(|| view! {
                <PostForm action=ResendDelivery::PATH key="resend">
                    <input type="hidden" name="id" value=d.id/>
                    <Submit label="Re-send" kind=ButtonKind::Secondary testid="resend"/>
                </PostForm>
            });
            let next = (d.status == DeliveryStatus::Pending).then(|| view! {
                <div class="text-xs text-slate-500">"next try " <Time at=d.next_attempt_at now/></div>
            });
            view! {
                <tr class="align-top hover:bg-slate-50" data-testid=format!("delivery-row-{}", d.id)>
                    <td class=TD><Time at=d.created_at now/></td>
                    <td class=TD>
                        <a href=d.link.clone() class="font-medium text-indigo-700 hover:underline">{d.title.clone()}</a>
                        <div class="text-xs text-slate-500">{format!("{} · to {}", d.kind.as_str().replace('_', " "), d.username)}</div>
                    </td>
                    <td class=TD>
                        <span class="font-medium">{d.channel_kind.as_str()}</span>
                        <div class="max-w-xs truncate font-mono text-xs text-slate-500">{d.target.clone()}</div>
                    </td>
                    <td class=TD>{status_badge(d.status)}{next}</td>
                    <td class=format!("{TD} tabular-nums")>{d.attempts}</td>
                    <td class=format!("{TD} text-xs text-rose-700")>{d.last_error.clone()}</td>
                    <td class=TD>{resend}</td>
                </tr>
            }
        })
        .collect_view()
}

#[component]
pub fn DeliveriesPage() -> impl IntoView {
    let query = use_query_map();
    let tab = query
        .read_untracked()
        .get("tab")
        .unwrap_or_else(|| "dead".to_owned());
    let load = move || {
        let q = query.read_untracked();
        {
            let (after, before) = cursor_of(&q);
            list_deliveries(q.get("tab"), after, before)
        }
    };
    view! {
        <Title text="Deliveries"/>
        <PageHeader title="Deliveries" subtitle="Email and webhook notifications: each is tried with back-off; those that ran out of attempts wait here to be re-sent." crumbs=CRUMBS.to_vec()/>
        <Tabs base="/deliveries" current=tab tabs=&[("dead", "Dead letters"), ("pending", "Pending"), ("delivered", "Delivered"), ("all", "All")]/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match load().await {
                    Ok(DeliveryListing { listing, .. }) => {
                        let page = listing.data;
                        let body = if page.items.is_empty() {
                            view! { <EmptyState title="Nothing here" hint="Deliveries appear when someone with an email or webhook channel is notified."/> }.into_any()
                        } else {
                            let columns = vec![col("Queued"), col("Notification"), col("Channel"), col("Status"), col("Attempts"), col("Last error"), col("")];
                            let around = page.neighbours();
                            view! {
                                <Table columns testid="deliveries-table">{rows(page.items, listing.now)}</Table>
                                <CursorPagination around/>
                            }.into_any()
                        };
                        view! { <LiveRegion id="deliveries".to_owned() topics="delivery".to_owned()>{body}</LiveRegion> }.into_any()
                    }
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
