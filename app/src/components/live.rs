//! Live pages. The server renders everything; these islands keep it current in the browser by
//! following the server-sent change stream (`/v1/live`) and re-reading the page's HTML.

use leptos::prelude::*;

/// A region of server-rendered content that refreshes itself when something in `topics`
/// (comma-separated object types; `audit` means any change) changes. `id` names the region on
/// its page. If the user is editing a field inside, the region is left alone and offers a
/// reload instead of overwriting their input.
#[island]
pub fn LiveRegion(id: String, topics: String, children: Children) -> impl IntoView {
    let body = NodeRef::<leptos::html::Div>::new();
    let stale = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        let id = id.clone();
        Effect::new(move |_| browser::follow(&id, &topics, body, stale));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = topics;
    view! {
        <div data-live-id=id>
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
    use futures::{FutureExt, StreamExt};
    use gloo_net::eventsource::futures::EventSource;
    use leptos::__reexports::send_wrapper::SendWrapper;
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{DomParser, Element, HtmlInputElement, HtmlTextAreaElement, SupportedType};

    pub fn follow(id: &str, topics: &str, body: NodeRef<leptos::html::Div>, stale: RwSignal<bool>) {
        let Ok(mut source) = EventSource::new(&format!("/v1/live?topics={topics}")) else {
            return;
        };
        let (Ok(mut changes), Ok(mut readies)) =
            (source.subscribe("change"), source.subscribe("ready"))
        else {
            return;
        };
        let (wake, mut woken) = futures::channel::mpsc::unbounded::<()>();
        let on_change = wake.clone();
        leptos::task::spawn_local(async move {
            while let Some(Ok(_)) = changes.next().await {
                let _ = on_change.unbounded_send(());
            }
        });
        // The server greets every connection with `ready`; a later greeting means the stream
        // reconnected (or fell behind) and notices may have been missed.
        leptos::task::spawn_local(async move {
            let mut first = true;
            while let Some(Ok(_)) = readies.next().await {
                if !first {
                    let _ = wake.unbounded_send(());
                }
                first = false;
            }
        });
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
        let source = SendWrapper::new(source);
        on_cleanup(move || drop(source));
    }

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
