//! Forms: plain HTML posts to server functions, with fields that show their own error.
//!
//! Pages render on the server and their forms work without JavaScript: a form posts to its
//! server function and the server sends the browser back to the page. A failure comes back in
//! the query string (`error_form`, `error_code`, `error_msg`, `error_field`), a success as
//! `done=<form>`; the form reads them from there.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

pub const ERROR_FORM: &str = "error_form";
pub const ERROR_CODE: &str = "error_code";
pub const ERROR_MSG: &str = "error_msg";
pub const ERROR_FIELD: &str = "error_field";
pub const DONE: &str = "done";

/// An error as a form shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

/// The error the server sent back for the form posting to `action`, if any.
fn sent_back_error(action: &str) -> Option<Shown> {
    let query = use_query_map();
    let q = query.read_untracked();
    (q.get_str(ERROR_FORM) == Some(action)).then(|| Shown {
        code: q.get(ERROR_CODE).unwrap_or_default(),
        message: q.get(ERROR_MSG).unwrap_or_default(),
        field: q.get(ERROR_FIELD).filter(|f| !f.is_empty()),
    })
}

/// Whether the server sent back a refusal of the form posting to `action`.
pub fn refused(action: &str) -> bool {
    sent_back_error(action).is_some()
}

fn sent_back_success(action: &str) -> bool {
    let query = use_query_map();
    query.read_untracked().get_str(DONE) == Some(action)
}

/// The error a form got back, and the fields inside it that show their own.
#[derive(Clone)]
struct FormErrorCtx {
    error: Option<Shown>,
    claimed: std::sync::Arc<std::sync::Mutex<Vec<&'static str>>>,
    /// Makes field ids unique when a page holds several forms with a field of the same name.
    id_prefix: String,
    /// Where the fields go in the posted form: `params` sends field `reason` as
    /// `params[reason]`; empty sends it as it is.
    nest: &'static str,
}

/// A form posting to the server function at `action` (its `ServerFn::PATH`). Each `Field`
/// inside shows its own error; any other error shows on top; `success` shows after it worked.
#[component]
pub fn PostForm(
    action: &'static str,
    #[prop(optional, into)] class: String,
    #[prop(optional)] testid: &'static str,
    #[prop(optional, into)] success: Option<String>,
    /// Sends files (`multipart/form-data`); such forms always post plainly.
    #[prop(optional)]
    multipart: bool,
    /// Tells apart several forms on one page that post to the same server function (their
    /// fields' ids must differ).
    #[prop(optional, into)]
    key: String,
    /// Posts the fields under this name (`params[reason]`), where the server function takes
    /// them as one map.
    #[prop(optional)]
    nest: &'static str,
    children: Children,
) -> impl IntoView {
    let error = sent_back_error(action);
    let ctx = FormErrorCtx {
        error: error.clone(),
        claimed: Default::default(),
        nest,
        id_prefix: match key.as_str() {
            "" => action.trim_start_matches("/api/").replace('/', "-"),
            key => format!(
                "{}-{key}",
                action.trim_start_matches("/api/").replace('/', "-")
            ),
        },
    };
    provide_context(ctx.clone());
    // Rendering the fields first tells which errors they show themselves.
    let body = children();
    let claimed = ctx.claimed.lock().map(|c| c.clone()).unwrap_or_default();
    let unclaimed = |e: &Shown| e.field.as_deref().is_none_or(|f| !claimed.contains(&f));
    let general = error.clone().filter(unclaimed).map(|e| {
        view! {
            <div role="alert" data-testid="form-error"
                class="rounded-lg border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800">
                <span class="mr-2 font-mono text-xs text-rose-600">{e.code}</span>
                {e.message}
            </div>
        }
    });
    let notice = success
        .filter(|_| error.is_none() && sent_back_success(action))
        .map(|text| view! { <super::feedback::Notice text/> });
    view! {
        <super::submit::SubmitInPlace>
            <form method="post" action=action class=class data-testid=testid
                enctype=multipart.then_some("multipart/form-data")>
                {general}
                {notice}
                {body}
            </form>
        </super::submit::SubmitInPlace>
    }
}

/// The element id of field `name` in the form around it.
fn field_id(name: &str) -> String {
    match use_context::<FormErrorCtx>() {
        Some(ctx) => format!("f-{}-{name}", ctx.id_prefix),
        None => format!("f-{name}"),
    }
}

/// The name field `name` is posted under in the form around it.
fn wire_name(name: &str) -> String {
    match use_context::<FormErrorCtx>() {
        Some(ctx) if !ctx.nest.is_empty() => format!("{}[{name}]", ctx.nest),
        _ => name.to_owned(),
    }
}

/// The message for field `name`, which from now on shows it itself.
fn field_error(name: &'static str) -> Option<String> {
    let ctx = use_context::<FormErrorCtx>()?;
    if let Ok(mut claimed) = ctx.claimed.lock() {
        claimed.push(name);
    }
    ctx.error
        .filter(|e| e.field.as_deref() == Some(name))
        .map(|e| e.message)
}

const INPUT: &str = "block w-full rounded-lg border bg-white px-3 py-2 text-sm shadow-sm \
                     focus:outline-none focus:ring-2 focus:ring-indigo-500/40";

pub fn input_class(invalid: bool) -> String {
    let border = if invalid {
        "border-rose-400"
    } else {
        "border-slate-300 focus:border-indigo-500"
    };
    format!("{INPUT} {border}")
}

#[component]
fn FieldFrame(
    name: &'static str,
    id: String,
    #[prop(into)] label: String,
    hint: Option<String>,
    error: Option<String>,
    children: Children,
) -> impl IntoView {
    let below = match error {
        Some(msg) => view! {
            <p class="text-xs text-rose-700" data-testid=format!("error-{name}")>{msg}</p>
        }
        .into_any(),
        None => hint
            .map(|h| view! { <p class="text-xs text-slate-500">{h}</p> })
            .into_any(),
    };
    view! {
        <div class="space-y-1">
            <label for=id class="block text-sm font-medium text-slate-700">{label}</label>
            {children()}
            {below}
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
    let invalid = error.is_some();
    let id = field_id(name);
    view! {
        <FieldFrame name id=id.clone() label hint error>
            <input id=id name=wire_name(name) type=kind value=value required=required
                placeholder=placeholder autocomplete=autocomplete maxlength=maxlength
                aria-invalid=invalid.to_string() class=input_class(invalid)/>
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
    let invalid = error.is_some();
    let id = field_id(name);
    view! {
        <FieldFrame name id=id.clone() label hint error>
            <select id=id name=wire_name(name) class=input_class(invalid)>
                {options.into_iter().map(|(value, text)| {
                    let is_selected = value == selected;
                    view! { <option value=value selected=is_selected>{text}</option> }
                }).collect_view()}
            </select>
        </FieldFrame>
    }
}

/// A checkbox posting `true` when ticked (and nothing otherwise).
#[component]
pub fn CheckField(name: &'static str, #[prop(into)] label: String) -> impl IntoView {
    let error = field_error(name);
    view! {
        <div class="space-y-1">
            <label class="flex items-center gap-2 text-sm text-slate-700">
                <input type="checkbox" id=field_id(name) name=wire_name(name) value="true"
                    class="h-4 w-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500"/>
                {label}
            </label>
            {error.map(|msg| view! { <p class="text-xs text-rose-700" data-testid=format!("error-{name}")>{msg}</p> })}
        </div>
    }
}

/// A new-password input with a "Generate" button (an island: it needs JavaScript; without it
/// the user types a password).
#[component]
pub fn NewPasswordField(name: &'static str, #[prop(into)] label: String) -> impl IntoView {
    let error = field_error(name);
    let invalid = error.is_some();
    view! {
        <FieldFrame name id=field_id(name) label hint=Some("8 to 128 characters.".to_owned()) error>
            <super::password::PasswordInput name=name.to_owned() id=field_id(name) invalid/>
        </FieldFrame>
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
                "inline-flex items-center justify-center gap-2 rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500"
            }
            ButtonKind::Secondary => {
                "inline-flex items-center justify-center gap-2 rounded-lg border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50"
            }
            ButtonKind::Danger => {
                "inline-flex items-center justify-center gap-2 rounded-lg bg-rose-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-rose-500"
            }
        }
    }
}

#[component]
pub fn Submit(
    #[prop(into)] label: String,
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
    view! { <button type="submit" class=class data-testid=testid>{label}</button> }
}

/// The "Delete" card of a detail page: one button posting the object's id and the version the
/// page shows, with a sentence saying what deleting needs or does.
#[component]
pub fn DeleteCard(
    action: &'static str,
    id: i64,
    version: i32,
    #[prop(into)] note: String,
    #[prop(into)] label: String,
    testid: &'static str,
) -> impl IntoView {
    view! {
        <super::layout::Card title="Delete">
            <PostForm action class="space-y-3">
                <p class="text-sm text-slate-600">{note}</p>
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="version" value=version/>
                <Submit label kind=ButtonKind::Danger testid/>
            </PostForm>
        </super::layout::Card>
    }
}
