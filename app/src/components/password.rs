//! The password input with a generator: an island, hydrated in the browser.

use leptos::prelude::*;

#[island]
pub fn PasswordInput(name: String, id: String, invalid: bool) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    let shown = RwSignal::new(false);
    let generate = move |_| {
        if let (Some(el), Some(password)) = (input.get(), random_password()) {
            el.set_value(&password);
            shown.set(true);
        }
    };
    view! {
        <div class="flex gap-2">
            <input id=id name=name node_ref=input required=true minlength=8
                maxlength=128 autocomplete="new-password"
                type=move || if shown.get() { "text" } else { "password" }
                class=super::form::input_class(invalid)/>
            <button type="button" on:click=generate data-testid="generate-password"
                class="shrink-0 rounded-lg border border-slate-300 bg-white px-3 text-sm font-medium text-slate-700 hover:bg-slate-50">
                "Generate"
            </button>
        </div>
    }
}

/// 20 characters from the browser's cryptographic random source; `None` on the server.
fn random_password() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_";
        let mut bytes = [0u8; 20];
        let crypto = web_sys::window()?.crypto().ok()?;
        crypto.get_random_values_with_u8_array(&mut bytes).ok()?;
        Some(
            bytes
                .iter()
                .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
                .collect(),
        )
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}
