//! The files card of incident and problem pages: download what is there, attach more.

use crate::api::attachments::UploadAttachment;
use crate::components::form::{PostForm, Submit};
use crate::components::layout::Card;
use crate::components::time::Time;
use crate::domain::attachment::{Attachment, MAX_FILES};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

fn size(bytes: i32) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MB", f64::from(b) / 1024.0 / 1024.0),
        b if b >= 1024 => format!("{:.0} kB", f64::from(b) / 1024.0),
        b => format!("{b} B"),
    }
}

#[component]
pub fn Attachments(
    ticket: &'static str,
    id: i64,
    files: Vec<Attachment>,
    can_attach: bool,
    now: DateTime<Utc>,
) -> impl IntoView {
    let room = i64::try_from(files.len()).unwrap_or(MAX_FILES) < MAX_FILES;
    let list = if files.is_empty() {
        view! { <p class="text-sm text-slate-500">"No files yet."</p> }.into_any()
    } else {
        view! {
            <ul class="divide-y divide-slate-100" data-testid="attachments">
                {files.into_iter().map(|f| view! {
                    <li class="flex items-center justify-between gap-3 py-2 text-sm">
                        <a href=f.download_url() class="font-medium text-indigo-700 hover:underline" data-testid="attachment">{f.filename.clone()}</a>
                        <span class="text-xs text-slate-500">{size(f.size_bytes)} " · " {f.uploader.clone()} " · " <Time at=f.at now/></span>
                    </li>
                }).collect_view()}
            </ul>
        }.into_any()
    };
    let form = (can_attach && room).then(|| view! {
        <PostForm action=UploadAttachment::PATH multipart=true class="mt-3 flex flex-wrap items-end gap-3" testid="attach-form" success="Attached.">
            <input type="hidden" name="ticket" value=ticket/>
            <input type="hidden" name="id" value=id/>
            <input type="file" name="file" required=true aria-label="File" accept=".jpg,.jpeg,.png,.pdf,.txt,.log,.docx"
                class="block text-sm text-slate-700 file:mr-3 file:rounded-lg file:border-0 file:bg-slate-100 file:px-3 file:py-2 file:text-sm file:font-medium"/>
            <Submit label="Attach" testid="attach"/>
        </PostForm>
        <p class="mt-1 text-xs text-slate-500">"Up to 10 files of 10 MB: JPG, PNG, PDF, text or Word (DOCX)."</p>
    });
    view! { <Card title="Files">{list}{form}</Card> }
}
