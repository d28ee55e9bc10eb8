//! The caller's notifications: what concerns them, newest first.

use crate::api::notifications::{MarkAllRead, load_inbox};
use crate::components::feedback::{EmptyState, ErrorBox, Loading};
use crate::components::form::{ButtonKind, PostForm, Submit};
use crate::components::layout::PageHeader;
use crate::components::live::LiveRegion;
use crate::components::time::Time;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

#[component]
pub fn NotificationsPage() -> impl IntoView {
    view! {
        <Title text="Notifications"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match load_inbox().await {
                    Ok(stamped) => {
                        let now = stamped.now;
                        let inbox = stamped.data;
                        let body = if inbox.items.is_empty() {
                            view! { <EmptyState title="Nothing yet" hint="Incidents assigned or forwarded to you, rejections and breaches show up here."/> }.into_any()
                        } else {
                            view! {
                                <ul class="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="notifications">
                                    {inbox.items.into_iter().map(|n| {
                                        let weight = if n.read { "text-slate-600" } else { "font-semibold text-slate-900" };
                                        view! {
                                            <li class="flex items-center justify-between gap-4 px-5 py-3" data-testid="notification">
                                                <a href=n.link.clone() class=format!("text-sm hover:underline {weight}")>{n.title.clone()}</a>
                                                <span class="shrink-0 text-xs text-slate-500"><Time at=n.at now/></span>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        };
                        view! {
                            <PageHeader title="Notifications" subtitle=format!("{} unread", inbox.unread)>
                                <PostForm action=MarkAllRead::PATH>
                                    <Submit label="Mark all read" kind=ButtonKind::Secondary testid="mark-all-read"/>
                                </PostForm>
                            </PageHeader>
                            <LiveRegion id="inbox".to_owned() topics="notification".to_owned()>{body}</LiveRegion>
                        }.into_any()
                    }
                    Err(e) => view! { <PageHeader title="Notifications"/><ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
