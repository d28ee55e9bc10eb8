//! The caller's own profile: contact details, password and notification channels.

use crate::api::deliveries::{AddChannel, DeleteChannel, my_channels};
use crate::api::users::{ChangePassword, UpdateProfile, my_profile};
use crate::components::badge::RoleBadge;
use crate::components::copy::CopyField;
use crate::components::feedback::{ErrorBox, Loading};
use crate::components::form::{ButtonKind, Field, NewPasswordField, PostForm, SelectField, Submit};
use crate::components::layout::{Card, PageHeader};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

#[component]
pub fn ProfilePage() -> impl IntoView {
    view! {
        <Title text="Your profile"/>
        <PageHeader title="Your profile" subtitle="How colleagues and notifications reach you."/>
        <div class="grid gap-4 lg:grid-cols-2">
            <Card title="Contact details">
                <Suspense fallback=Loading>
                    {move || Suspend::new(async move {
                        match my_profile().await {
                            Ok(stamped) => {
                                let me = stamped.data;
                                view! {
                                    <div class="mb-4 flex items-center gap-2 text-sm text-slate-600">
                                        <span class="font-mono">{format!("@{}", me.username)}</span>
                                        <RoleBadge role=me.role/>
                                    </div>
                                    <PostForm action=UpdateProfile::PATH class="space-y-4" testid="profile-form" success="Saved.">
                                        <input type="hidden" name="version" value=me.version/>
                                        <Field name="display_name" label="Display name" value=me.display_name required=true maxlength=64/>
                                        <Field name="email" label="Email" kind="email" value=me.email/>
                                        <Field name="phone" label="Phone" kind="tel" value=me.phone/>
                                        <div class="flex justify-end">
                                            <Submit label="Save" testid="save-profile"/>
                                        </div>
                                    </PostForm>
                                }.into_any()
                            }
                            Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                        }
                    })}
                </Suspense>
            </Card>
            <Card title="Password">
                <PostForm action=ChangePassword::PATH class="space-y-4" testid="password-form"
                    success="Password changed; your other sessions were ended.">
                    <Field name="current_password" label="Current password" kind="password" required=true autocomplete="current-password"/>
                    <NewPasswordField name="new_password" label="New password"/>
                    <div class="flex justify-end">
                        <Submit label="Change password" kind=ButtonKind::Secondary testid="change-password"/>
                    </div>
                </PostForm>
            </Card>
            <Card title="Notification channels" class="lg:col-span-2">
                <Channels/>
            </Card>
        </div>
    }
}

/// Email addresses and webhooks that receive the caller's notifications besides the console.
#[component]
fn Channels() -> impl IntoView {
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match my_channels().await {
                    Ok(view) => {
                        let secret = view.new_secret.map(|(_, secret)| view! {
                            <div class="mb-4 rounded-lg border border-emerald-300 bg-emerald-50 p-4 text-sm text-emerald-900" data-testid="new-secret">
                                <p class="mb-2 font-medium">"Copy the webhook's signing secret now: it is shown only this once."</p>
                                <CopyField value=secret label="Signing secret".to_owned() testid="webhook-secret".to_owned()/>
                                <p class="mt-2 text-xs">"Each request carries X-Opsroom-Signature: sha256=HMAC-SHA256(secret, \"<X-Opsroom-Timestamp>.<body>\") and an Idempotency-Key that stays the same across retries."</p>
                            </div>
                        });
                        let list = if view.channels.is_empty() {
                            view! { <p class="text-sm text-slate-500">"Only the console's bell tells you things. Add an email address or a webhook to be reached elsewhere."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="divide-y divide-slate-100 text-sm" data-testid="channels">
                                    {view.channels.into_iter().map(|c| view! {
                                        <li class="flex items-center justify-between gap-3 py-2">
                                            <span><span class="font-medium text-slate-800">{c.kind.as_str()}</span>" "
                                                <span class="font-mono text-xs text-slate-600">{c.target.clone()}</span></span>
                                            <PostForm action=DeleteChannel::PATH key="channel">
                                                <input type="hidden" name="id" value=c.id/>
                                                <Submit label="Remove" kind=ButtonKind::Secondary/>
                                            </PostForm>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        };
                        let kinds = vec![
                            ("email".to_owned(), "Email".to_owned()),
                            ("webhook".to_owned(), "Webhook (signed JSON POST)".to_owned()),
                        ];
                        view! {
                            {secret}
                            {list}
                            <PostForm action=AddChannel::PATH class="mt-4 space-y-3 border-t border-slate-100 pt-4" testid="add-channel-form" success="Channel added.">
                                <div class="grid gap-3 sm:grid-cols-3">
                                    <SelectField name="kind" label="Kind" options=kinds/>
                                    <Field name="target" label="Address or URL" required=true maxlength=500 placeholder="you@example.com"/>
                                    <Field name="timeout_ms" label="Webhook timeout (ms)" kind="number" value="5000"/>
                                </div>
                                <div class="flex justify-end"><Submit label="Add channel" testid="add-channel"/></div>
                            </PostForm>
                            <p class="mt-3 text-xs text-slate-500">
                                "Failed deliveries are retried with back-off; see them under "
                                <a href="/deliveries" class="text-indigo-700 hover:underline">"Deliveries"</a>"."
                            </p>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
