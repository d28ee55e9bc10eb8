//! Hydrates the console's islands in the browser; everything else stays server-rendered HTML.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Linking the app crate registers its islands.
    let _ = app::App;
    leptos::mount::hydrate_islands();
}
