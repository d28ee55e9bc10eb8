//! Forms submitted in place: an island around every `PostForm`. With JavaScript, a submit is
//! sent with `fetch`; a refusal is shown next to its field without reloading (so nothing the
//! user typed is lost), and a success goes where the server says, as a plain post would.
//! Without JavaScript the form simply posts.

use leptos::prelude::*;

#[island]
pub fn SubmitInPlace(children: Children) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    let on_submit = move |ev: leptos::ev::SubmitEvent| browser::intercept(ev);
    #[cfg(not(feature = "hydrate"))]
    let on_submit = move |_: leptos::ev::SubmitEvent| {};
    view! { <div on:submit=on_submit>{children()}</div> }
}

#[cfg(feature = "hydrate")]
mod browser {
    use crate::components::form::{DONE, ERROR_CODE, ERROR_FIELD, ERROR_FORM, ERROR_MSG};
    use crate::domain::AppError;
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{Element, FormData, HtmlFormElement, UrlSearchParams};

    const FIELD_ERROR: &str = "js-field-error";

    pub fn intercept(ev: leptos::ev::SubmitEvent) {
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
        else {
            return;
        };
        // Files go up as a plain post; the server answers with the page to show.
        if form.enctype() == "multipart/form-data" {
            return;
        }
        ev.prevent_default();
        // A named button tells the server which of the form's buttons was pressed.
        let pressed = ev.submitter().and_then(|button| {
            Some((
                button.get_attribute("name")?,
                button.get_attribute("value")?,
            ))
        });
        leptos::task::spawn_local(async move { submit(form, pressed).await });
    }

    async fn submit(form: HtmlFormElement, pressed: Option<(String, String)>) {
        let Some(body) = FormData::new_with_form(&form)
            .ok()
            .and_then(|data| UrlSearchParams::new_with_str_sequence_sequence(&data).ok())
        else {
            return form.submit().unwrap_or_default();
        };
        if let Some((name, value)) = pressed {
            body.append(&name, &value);
        }
        let action = form.get_attribute("action").unwrap_or_default();
        let sent = gloo_net::http::Request::post(&action)
            .header("accept", "application/json")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(String::from(body.to_string()));
        let response = match sent {
            Ok(request) => request.send().await,
            Err(e) => Err(e),
        };
        let response = match response {
            Ok(r) => r,
            Err(_) => {
                let unreachable = AppError::unavailable("the server could not be reached");
                return show(&form, &unreachable);
            }
        };
        if response.ok() {
            let target = response
                .headers()
                .get("location")
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| back_with_success(&action));
            let _ = window().location().set_href(&target);
            return;
        }
        let error = match response.text().await {
            Ok(text) => serde_json::from_str::<AppError>(&text)
                .unwrap_or_else(|_| AppError::malformed(text)),
            Err(_) => AppError::unavailable("the answer could not be read"),
        };
        show(&form, &error);
    }

    /// The current page with `done=<form>` in place of earlier outcomes.
    fn back_with_success(action: &str) -> String {
        let location = window().location();
        let path = location.pathname().unwrap_or_default();
        let search = location.search().unwrap_or_default();
        let Ok(query) = UrlSearchParams::new_with_str(&search) else {
            return path;
        };
        for key in [ERROR_FORM, ERROR_CODE, ERROR_MSG, ERROR_FIELD, DONE] {
            query.delete(key);
        }
        query.append(DONE, action);
        format!("{path}?{}", String::from(query.to_string()))
    }

    /// Shows `error` next to its field, or on top of the form.
    fn show(form: &HtmlFormElement, error: &AppError) {
        if let Ok(old) = form.query_selector_all(&format!(".{FIELD_ERROR}")) {
            for i in 0..old.length() {
                if let Some(node) = old.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                    node.remove();
                }
            }
        }
        let document = document();
        let Ok(note) = document.create_element("p") else {
            return;
        };
        note.set_text_content(Some(&error.to_string()));
        let input = error.field().and_then(|f| {
            form.query_selector(&format!("[name=\"{f}\"]"))
                .ok()
                .flatten()
        });
        match (input, error.field()) {
            (Some(input), Some(field)) => {
                let _ =
                    note.set_attribute("class", &format!("{FIELD_ERROR} text-xs text-rose-700"));
                let _ = note.set_attribute("data-testid", &format!("error-{field}"));
                let _ = input.set_attribute("aria-invalid", "true");
                let anchor = input.parent_element().filter(|p| p.tag_name() != "FORM");
                let _ = match anchor {
                    Some(wrapper) => wrapper.after_with_node_1(&note),
                    None => input.after_with_node_1(&note),
                };
                if let Some(el) = input.dyn_ref::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
            _ => {
                let _ = note.set_attribute(
                    "class",
                    &format!("{FIELD_ERROR} rounded-lg border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800"),
                );
                let _ = note.set_attribute("role", "alert");
                let _ = note.set_attribute("data-testid", "form-error");
                note.set_text_content(Some(&format!("{} {}", error.code(), error)));
                let _ = form.prepend_with_node_1(&note);
            }
        }
    }
}
