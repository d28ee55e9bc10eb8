//! Live updates in the browser: a server-sent event stream of change notices.

use leptos::prelude::*;

/// Counts change notices for `topics` (comma-separated; `audit` means every change). Pages put
/// the count into a resource's source so they reload what they show. Inert on the server.
pub fn use_live(topics: &'static str) -> ReadSignal<u64> {
    let (count, set_count) = signal(0u64);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        use futures::StreamExt;
        use gloo_net::eventsource::futures::EventSource;
        use leptos::__reexports::send_wrapper::SendWrapper;
        let Ok(mut source) = EventSource::new(&format!("/v1/live?topics={topics}")) else {
            return;
        };
        let (Ok(mut changes), Ok(mut readies)) =
            (source.subscribe("change"), source.subscribe("ready"))
        else {
            return;
        };
        leptos::task::spawn_local(async move {
            while let Some(Ok(_)) = changes.next().await {
                set_count.update(|n| *n += 1);
            }
        });
        // The server greets every connection with `ready`; a second greeting means the stream
        // reconnected and notices may have been missed, so reload once.
        leptos::task::spawn_local(async move {
            let mut first = true;
            while let Some(Ok(_)) = readies.next().await {
                if !first {
                    set_count.update(|n| *n += 1);
                }
                first = false;
            }
        });
        let source = SendWrapper::new(source);
        on_cleanup(move || drop(source));
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (topics, set_count);
    count
}
