//! The caller's own profile: contact details and password.

use crate::api::users::{ChangePassword, UpdateProfile, my_profile};
use crate::components::badge::RoleBadge;
use crate::components::feedback::{ErrorBox, Loading};
use crate::components::form::{ButtonKind, Field, NewPasswordField, PostForm, Submit};
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
        </div>
    }
}
