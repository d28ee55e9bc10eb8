//! Forms: fields that show their own error, the form-level alert, submit buttons.
//!
//! A failed submission shows its error the same way with or without JavaScript: with it, from
//! the action's result; without it, the server redirects the plain form post back to the page
//! with the error in the query string (`error_form`, `error_code`, `error_msg`, `error_field`).

use crate::domain::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

pub const ERROR_FORM: &str = "error_form";
pub const ERROR_CODE: &str = "error_code";
pub const ERROR_MSG: &str = "error_msg";
pub const ERROR_FIELD: &str = "error_field";

/// An error as a form shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

impl From<&AppError> for Shown {
    fn from(e: &AppError) -> Shown {
        Shown {
            code: e.code().to_owned(),
            message: e.to_string(),
            field: e.field().map(ToOwned::to_owned),
        }
    }
}

/// The error to show for `action`'s form: its last result, or the one the server sent back.
pub fn form_error<S>(action: ServerAction<S>) -> Signal<Option<Shown>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let query = use_query_map();
    let value = action.value();
    Signal::derive(move || match value.get() {
        Some(Err(e)) => Some(Shown::from(&e)),
        Some(Ok(_)) => None,
        None => {
            let q = query.read();
            (q.get_str(ERROR_FORM) == Some(S::url())).then(|| Shown {
                code: q.get(ERROR_CODE).unwrap_or_default(),
                message: q.get(ERROR_MSG).unwrap_or_default(),
                field: q.get(ERROR_FIELD).filter(|f| !f.is_empty()),
            })
        }
    })
}

/// True once `action` has succeeded since the page loaded.
pub fn succeeded<S>(action: ServerAction<S>) -> Signal<bool>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let value = action.value();
    Signal::derive(move || matches!(value.get(), Some(Ok(_))))
}

#[derive(Clone, Copy)]
struct FormErrorCtx(Signal<Option<Shown>>);

/// Wraps a form's fields: shows errors that belong to no field on top, and lets each
/// `Field` below show its own.
#[component]
pub fn FormScope(error: Signal<Option<Shown>>, children: Children) -> impl IntoView {
    provide_context(FormErrorCtx(error));
    let general = move || {
        error.get().filter(|e| e.field.is_none()).map(|e| {
            view! {
                <div role="alert" data-testid="form-error"
                    class="rounded-lg border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800">
                    <span class="font-mono text-xs mr-2 text-rose-600">{e.code}</span>
                    {e.message}
                </div>
            }
        })
    };
    view! { {general} {children()} }
}

fn field_error(name: &'static str) -> Signal<Option<String>> {
    let ctx = use_context::<FormErrorCtx>();
    Signal::derive(move || {
        ctx.and_then(|c| c.0.get())
            .filter(|e| e.field.as_deref() == Some(name))
            .map(|e| e.message)
    })
}

const INPUT: &str = "block w-full rounded-lg border bg-white px-3 py-2 text-sm shadow-sm \
                     focus:outline-none focus:ring-2 focus:ring-indigo-500/40";

fn input_class(error: Signal<Option<String>>) -> impl Fn() -> String {
    move || {
        let border = if error.get().is_some() {
            "border-rose-400"
        } else {
            "border-slate-300 focus:border-indigo-500"
        };
        format!("{INPUT} {border}")
    }
}

#[component]
fn FieldFrame(
    name: &'static str,
    #[prop(into)] label: String,
    hint: Option<String>,
    error: Signal<Option<String>>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="space-y-1">
            <label for=format!("f-{name}") class="block text-sm font-medium text-slate-700">{label}</label>
            {children()}
            {move || match error.get() {
                Some(msg) => view! {
                    <p class="text-xs text-rose-700" data-testid=format!("error-{name}")>{msg}</p>
                }.into_any(),
                None => hint.clone().map(|h| view! { <p class="text-xs text-slate-500">{h}</p> }).into_any(),
            }}
        </div>
    }
}

/// A labelled text input.
#[component]
pub fn Field(
    name: &'static str,
    #[prop(into)] label: String,
    #[prop(optional, into)] value: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] placeholder: String,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] maxlength: Option<u32>,
) -> impl IntoView {
    let error = field_error(name);
    view! {
        <FieldFrame name label hint error>
            <input id=format!("f-{name}") name=name type=kind value=value required=required
                placeholder=placeholder autocomplete=autocomplete maxlength=maxlength
                aria-invalid=move || error.get().is_some().to_string()
                class=input_class(error)/>
        </FieldFrame>
    }
}

/// A labelled select; `options` are (value, label) pairs.
#[component]
pub fn SelectField(
    name: &'static str,
    #[prop(into)] label: String,
    options: Vec<(String, String)>,
    #[prop(optional, into)] selected: String,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    let error = field_error(name);
    view! {
        <FieldFrame name label hint error>
            <select id=format!("f-{name}") name=name class=input_class(error)>
                {options.into_iter().map(|(value, text)| {
                    let is_selected = value == selected;
                    view! { <option value=value selected=is_selected>{text}</option> }
                }).collect_view()}
            </select>
        </FieldFrame>
    }
}

/// A new-password input with a "Generate" button that fills in a strong password and shows it.
/// The button needs JavaScript; without it the user types a password.
#[component]
pub fn NewPasswordField(name: &'static str, #[prop(into)] label: String) -> impl IntoView {
    let error = field_error(name);
    let input = NodeRef::<leptos::html::Input>::new();
    let shown = RwSignal::new(false);
    let generate = move |_| {
        if let (Some(el), Some(password)) = (input.get(), random_password()) {
            el.set_value(&password);
            shown.set(true);
        }
    };
    view! {
        <FieldFrame name label hint=Some("8 to 128 characters.".to_owned()) error>
            <div class="flex gap-2">
                <input id=format!("f-{name}") name=name node_ref=input required=true minlength=8
                    maxlength=128 autocomplete="new-password"
                    type=move || if shown.get() { "text" } else { "password" }
                    class=input_class(error)/>
                <button type="button" on:click=generate data-testid="generate-password"
                    class="shrink-0 rounded-lg border border-slate-300 bg-white px-3 text-sm font-medium text-slate-700 hover:bg-slate-50">
                    "Generate"
                </button>
            </div>
        </FieldFrame>
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ButtonKind {
    Primary,
    Secondary,
    Danger,
}

impl ButtonKind {
    pub fn classes(self) -> &'static str {
        match self {
            ButtonKind::Primary => {
                "inline-flex items-center justify-center gap-2 rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 disabled:opacity-60"
            }
            ButtonKind::Secondary => {
                "inline-flex items-center justify-center gap-2 rounded-lg border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50 disabled:opacity-60"
            }
            ButtonKind::Danger => {
                "inline-flex items-center justify-center gap-2 rounded-lg bg-rose-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-rose-500 disabled:opacity-60"
            }
        }
    }
}

/// A submit button that shows when its action is in flight.
#[component]
pub fn Submit(
    #[prop(into)] label: String,
    #[prop(into)] pending: Signal<bool>,
    #[prop(default = ButtonKind::Primary)] kind: ButtonKind,
    #[prop(optional)] testid: &'static str,
    /// Fill the form's width.
    #[prop(optional)]
    wide: bool,
) -> impl IntoView {
    let class = if wide {
        format!("{} w-full", kind.classes())
    } else {
        kind.classes().to_owned()
    };
    view! {
        <button type="submit" class=class disabled=move || pending.get() data-testid=testid>
            {move || pending.get().then(|| view! {
                <span class="h-3 w-3 animate-spin rounded-full border-2 border-white/40 border-t-white"></span>
            })}
            {label}
        </button>
    }
}
