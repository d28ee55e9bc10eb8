//! Pieces every ticket page shares: the page's shell, its actions card, one allowed action as
//! a small form posting to the one ticket door (`api::workflow`), and a yes-or-no answer.

use crate::api::workflow::ActOnTicket;
use crate::components::feedback::{ErrorBox, Loading};
use crate::components::form::{ButtonKind, PostForm, SelectField, Submit, refused};
use crate::components::layout::{Card, PageHeader};
use crate::components::live::LiveRegion;
use crate::domain::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use std::future::Future;

/// What a ticket page says about its ticket before its content.
pub struct Heading {
    /// "INC-000008": the browser tab's title.
    pub number: String,
    /// The live region's id ("incident-8").
    pub live: String,
}

/// The page of one ticket: loads ticket `id` (none: 404), titles the tab with its number, and
/// shows `body` in a live region following `topics`. A refusal shows under the header.
pub fn ticket_page<T, Fut, V>(
    id: Option<i64>,
    noun: &'static str,
    crumbs: Vec<(&'static str, &'static str)>,
    topics: &'static str,
    load: impl Fn(i64) -> Fut + Clone + Send + Sync + 'static,
    heading: impl Fn(&T) -> Heading + Clone + Send + Sync + 'static,
    body: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Send + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=Loading>
            {move || {
                let (load, heading, body, crumbs) = (load.clone(), heading.clone(), body.clone(), crumbs.clone());
                Suspend::new(async move {
                    let loaded = match id {
                        Some(id) => load(id).await,
                        None => Err(AppError::not_found(noun, "?")),
                    };
                    match loaded {
                        Ok(page) => {
                            let Heading { number, live } = heading(&page);
                            view! {
                                <Title text=number/>
                                <LiveRegion id=live topics=topics.to_owned()>{body(page)}</LiveRegion>
                            }.into_any()
                        }
                        Err(e) => view! { <PageHeader title=noun crumbs/><ErrorBox error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The two columns of a ticket page: its story (`main`: timeline, work, files) and what can be
/// done and known about it (`side`: actions, fields).
pub fn ticket_columns(main: impl IntoView, side: impl IntoView) -> impl IntoView {
    view! {
        <div class="grid gap-4 lg:grid-cols-3">
            <div class="space-y-4 lg:col-span-2">{main}</div>
            <div class="space-y-4">{side}</div>
        </div>
    }
}

/// The "Actions" card: the caller's allowed actions as forms, or a sentence saying there is
/// nothing for them to do on this `noun`.
#[component]
pub fn ActionsCard(
    noun: &'static str,
    forms: Vec<AnyView>,
    /// A link below the forms (shown only with them).
    #[prop(optional)]
    more: Option<AnyView>,
) -> impl IntoView {
    let body = if forms.is_empty() {
        view! { <p class="text-sm text-slate-500" data-testid="no-actions">{format!("Nothing for you to do on this {noun} now.")}</p> }.into_any()
    } else {
        view! { <div class="space-y-3" data-testid="actions">{forms}{more}</div> }.into_any()
    };
    view! { <Card title="Actions">{body}</Card> }
}

/// One allowed action of ticket `id` (of kind `ticket`: `incident`) as a form posting the
/// version the page showed; `children` are the action's fields, named as its parameters. A
/// one-click action is its button; one with fields folds them away behind its name until opened
/// (or until the server sent back a refusal).
#[component]
pub fn ActionForm(
    ticket: &'static str,
    id: i64,
    version: i32,
    action: &'static str,
    #[prop(into)] label: String,
    kind: ButtonKind,
    #[prop(optional)] simple: bool,
    children: Children,
) -> impl IntoView {
    let button = label.clone();
    let path = ActOnTicket::PATH;
    let form = view! {
        <PostForm action=path key=action nest="params" class=if simple { "flex items-center justify-between gap-3" } else { "space-y-3" } success="Done.">
            <input type="hidden" name="kind" value=ticket/>
            <input type="hidden" name="id" value=id/>
            <input type="hidden" name="version" value=version/>
            <input type="hidden" name="action" value=action/>
            {children()}
            <div class="flex justify-end"><Submit label=button kind testid=action/></div>
        </PostForm>
    };
    if simple {
        return view! {
            <div class="rounded-lg border border-slate-200 p-3" data-testid=format!("action-{action}")>{form}</div>
        }
        .into_any();
    }
    view! {
        <details class="group rounded-lg border border-slate-200" data-testid=format!("action-{action}") open=refused(path)>
            <summary role="button"
                class="flex cursor-pointer list-none items-center justify-between rounded-lg px-3 py-2.5 text-sm font-medium text-slate-800 hover:bg-slate-50">
                {label}
                <svg viewBox="0 0 20 20" class="h-4 w-4 text-slate-400 transition-transform group-open:rotate-180" aria-hidden="true">
                    <path fill="currentColor" d="M5.3 7.3a1 1 0 0 1 1.4 0L10 10.6l3.3-3.3a1 1 0 1 1 1.4 1.4l-4 4a1 1 0 0 1-1.4 0l-4-4a1 1 0 0 1 0-1.4z"/>
                </svg>
            </summary>
            <div class="border-t border-slate-200 p-3">{form}</div>
        </details>
    }
    .into_any()
}

/// A yes-or-no question posting `true` or `false` as parameter `name`.
#[component]
pub fn YesNo(
    name: &'static str,
    #[prop(into)] label: String,
    yes: &'static str,
    no: &'static str,
) -> impl IntoView {
    view! { <SelectField name label options=vec![("true".into(), yes.into()), ("false".into(), no.into())]/> }
}
