//! Live pages. The server renders everything; these islands keep it current in the browser by
//! following the server-sent change stream (`/v1/live`) and re-reading the page's HTML. The
//! page carries the point it was rendered at, and the stream resumes from there (and from its
//! last event after a drop), so no change between rendering and following is missed.

use leptos::prelude::*;

/// The live point a page was rendered at, provided by the server for each page request and
/// carried by the document (`body[data-live-cursor]`).
#[derive(Clone, Debug)]
pub struct LiveCursor(pub String);

/// A region of server-rendered content that refreshes itself when something in `topics`
/// (comma-separated object types; `audit` means any change) changes. `id` names the region on
/// its page. If the user is editing a field inside, the region is left alone and offers a
/// reload instead of overwriting their input. While its stream is down it says so, unless
/// `quiet` (a region too small to say anything).
#[island]
pub fn LiveRegion(
    id: String,
    topics: String,
    #[prop(optional)] quiet: Option<bool>,
    children: Children,
) -> impl IntoView {
    let body = NodeRef::<leptos::html::Div>::new();
    let stale = RwSignal::new(false);
    let reconnecting = RwSignal::new(false);
    let quiet = quiet.unwrap_or(false);
    #[cfg(feature = "hydrate")]
    {
        let id = id.clone();
        Effect::new(move |_| browser::follow(&id, &topics, body, stale, reconnecting));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = topics;
    view! {
        <div data-live-id=id>
            <Show when=move || reconnecting.get() && !quiet>
                <div role="status" data-testid="live-reconnecting"
                    class="mb-3 rounded-lg border border-slate-200 bg-slate-100 px-4 py-2 text-sm text-slate-700">
                    "Reconnecting… changes made meanwhile will show when the connection is back."
                </div>
            </Show>
            <Show when=move || stale.get()>
                <div role="status" data-testid="live-stale"
                    class="mb-3 flex items-center justify-between rounded-lg border border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-900">
                    "This changed while you were editing."
                    <a href="" class="font-medium underline">"Reload"</a>
                </div>
            </Show>
            <div data-live-body="" node_ref=body>{children()}</div>
        </div>
    }
}

/// Marks the page as interactive once the islands are hydrated (`body[data-hydrated]`).
#[island]
pub fn HydrationMarker() -> impl IntoView {
    Effect::new(|_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

#[cfg(feature = "hydrate")]
mod browser {
    use crate::domain::live::Ready;
    use futures::channel::mpsc::UnboundedSender;
    use futures::{FutureExt, StreamExt};
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{
        DomParser, Element, EventSource, HtmlInputElement, HtmlTextAreaElement, MessageEvent,
        SupportedType,
    };

    pub fn follow(
        id: &str,
        topics: &str,
        body: NodeRef<leptos::html::Div>,
        stale: RwSignal<bool>,
        reconnecting: RwSignal<bool>,
    ) {
        let (wake, mut woken) = futures::channel::mpsc::unbounded::<()>();
        let rendered_at = document()
            .body()
            .and_then(|b| b.get_attribute("data-live-cursor"))
            .unwrap_or_default();
        leptos::task::spawn_local(listen(
            format!("/v1/live?topics={topics}"),
            rendered_at,
            wake,
            reconnecting,
        ));
        let id = id.to_owned();
        leptos::task::spawn_local(async move {
            while woken.next().await.is_some() {
                // One refresh covers every notice that arrived meanwhile, and refreshes are
                // spaced out so a burst of changes costs the server a few page renders, not one
                // per change per open page.
                while let Some(Some(())) = woken.next().now_or_never() {}
                if let Some(region) = body.get_untracked() {
                    refresh(&id, &region, stale).await;
                }
                pause(REFRESH_SPACING_MS).await;
            }
        });
    }

    /// What the stream says, as the region needs it.
    enum Heard {
        /// An event, at this id; `wake` for a change, or a `ready` that says changes were lost.
        Event { id: String, wake: bool },
        /// The connection failed; the browser may be reconnecting by itself.
        Down,
    }

    /// Follows the stream for good, from `cursor` on: every change, and every `ready` that says
    /// changes were missed, wakes the region. The browser reconnects a dropped stream by itself,
    /// resuming from the last event id; a stream it gave up on (refused while the server was
    /// away) is opened again here, with growing pauses, from the last point seen.
    async fn listen(
        base: String,
        mut cursor: String,
        wake: UnboundedSender<()>,
        reconnecting: RwSignal<bool>,
    ) {
        let mut backoff = RETRY_FIRST_MS;
        loop {
            let url = if cursor.is_empty() {
                base.clone()
            } else {
                format!("{base}&after={cursor}")
            };
            if let Ok(source) = EventSource::new(&url) {
                let (tell, mut heard) = futures::channel::mpsc::unbounded::<Heard>();
                let on_event = |is_ready: bool| {
                    let tell = tell.clone();
                    Closure::<dyn FnMut(MessageEvent)>::new(move |m: MessageEvent| {
                        let _ = tell.unbounded_send(Heard::Event {
                            id: m.last_event_id(),
                            wake: !is_ready || missed(&m),
                        });
                    })
                };
                let (on_change, on_ready) = (on_event(false), on_event(true));
                let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                    let _ = tell.unbounded_send(Heard::Down);
                });
                for (name, callback) in [
                    ("change", on_change.as_ref()),
                    ("ready", on_ready.as_ref()),
                    ("error", on_error.as_ref()),
                ] {
                    let _ = source.add_event_listener_with_callback(name, callback.unchecked_ref());
                }
                while let Some(said) = heard.next().await {
                    match said {
                        Heard::Event { id, wake: changed } => {
                            reconnecting.set(false);
                            backoff = RETRY_FIRST_MS;
                            if !id.is_empty() {
                                cursor = id;
                            }
                            if changed {
                                let _ = wake.unbounded_send(());
                            }
                        }
                        Heard::Down => {
                            reconnecting.set(true);
                            if source.ready_state() == EventSource::CLOSED {
                                break;
                            }
                        }
                    }
                }
                // Closed before its callbacks go, so none is called after.
                source.close();
            }
            pause(backoff).await;
            backoff = (backoff * 2).min(RETRY_MAX_MS);
        }
    }

    /// Whether a `ready` event says changes were missed.
    fn missed(message: &MessageEvent) -> bool {
        message
            .data()
            .as_string()
            .and_then(|data| serde_json::from_str::<Ready>(&data).ok())
            .is_some_and(|ready| ready.missed == Some(true))
    }

    const RETRY_FIRST_MS: i32 = 1_000;
    const RETRY_MAX_MS: i32 = 30_000;

    const REFRESH_SPACING_MS: i32 = 500;

    async fn pause(ms: i32) {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }

    /// True while the user has typed into a field of the region or has one focused.
    fn editing(region: &Element) -> bool {
        let focused = document().active_element().is_some_and(|e| {
            region.contains(Some(&e)) && e.matches("input, textarea, select").unwrap_or(false)
        });
        let Ok(fields) = region.query_selector_all("input, textarea") else {
            return focused;
        };
        let dirty = (0..fields.length())
            .filter_map(|i| fields.item(i))
            .any(|node| {
                if let Some(input) = node.dyn_ref::<HtmlInputElement>() {
                    input.type_() != "hidden" && input.value() != input.default_value()
                } else if let Some(area) = node.dyn_ref::<HtmlTextAreaElement>() {
                    area.default_value().is_ok_and(|d| area.value() != d)
                } else {
                    false
                }
            });
        focused || dirty
    }

    async fn refresh(id: &str, region: &Element, stale: RwSignal<bool>) {
        if editing(region) {
            stale.set(true);
            return;
        }
        let Ok(href) = window().location().href() else {
            return;
        };
        let Ok(response) = gloo_net::http::Request::get(&href)
            .header("accept", "text/html")
            .send()
            .await
        else {
            return;
        };
        if !response.ok() {
            return;
        }
        let Ok(html) = response.text().await else {
            return;
        };
        let fresh = DomParser::new()
            .ok()
            .and_then(|p| p.parse_from_string(&html, SupportedType::TextHtml).ok())
            .and_then(|doc| {
                doc.query_selector(&format!("[data-live-id=\"{id}\"] [data-live-body]"))
                    .ok()
                    .flatten()
            });
        if let Some(fresh) = fresh
            && !editing(region)
        {
            region.set_inner_html(&fresh.inner_html());
        }
    }
}
