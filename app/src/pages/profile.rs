//! The caller's own profile: contact details and password.

use crate::api::users::{ChangePassword, UpdateProfile, my_profile};
use crate::components::badge::RoleBadge;
use crate::components::feedback::{ErrorBox, Loading, Notice};
use crate::components::form::{
    ButtonKind, Field, FormScope, NewPasswordField, Submit, form_error, succeeded,
};
use crate::components::layout::{Card, PageHeader};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let update = ServerAction::<UpdateProfile>::new();
    let change = ServerAction::<ChangePassword>::new();
    let data = Resource::new(move || update.version().get(), |_| my_profile());
    view! {
        <Title text="Your profile"/>
        <PageHeader title="Your profile" subtitle="How colleagues and notifications reach you."/>
        <div class="grid gap-4 lg:grid-cols-2">
            <Card title="Contact details">
                <Transition fallback=Loading>
                    {move || Suspend::new(async move {
                        match data.await {
                            Ok(stamped) => {
                                let me = stamped.data;
                                view! {
                                    <div class="mb-4 flex items-center gap-2 text-sm text-slate-600">
                                        <span class="font-mono">{format!("@{}", me.username)}</span>
                                        <RoleBadge role=me.role/>
                                    </div>
                                    <ActionForm action=update attr:class="space-y-4" attr:data-testid="profile-form">
                                        <FormScope error=form_error(update)>
                                            {move || succeeded(update).get().then(|| view! { <Notice text="Saved."/> })}
                                            <input type="hidden" name="version" value=me.version/>
                                            <Field name="display_name" label="Display name" value=me.display_name required=true maxlength=64/>
                                            <Field name="email" label="Email" kind="email" value=me.email/>
                                            <Field name="phone" label="Phone" kind="tel" value=me.phone/>
                                            <div class="flex justify-end">
                                                <Submit label="Save" pending=update.pending() testid="save-profile"/>
                                            </div>
                                        </FormScope>
                                    </ActionForm>
                                }.into_any()
                            }
                            Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                        }
                    })}
                </Transition>
            </Card>
            <Card title="Password">
                <ActionForm action=change attr:class="space-y-4" attr:data-testid="password-form">
                    <FormScope error=form_error(change)>
                        {move || succeeded(change).get().then(|| view! {
                            <Notice text="Password changed; your other sessions were ended."/>
                        })}
                        <Field name="current_password" label="Current password" kind="password" required=true autocomplete="current-password"/>
                        <NewPasswordField name="new_password" label="New password"/>
                        <div class="flex justify-end">
                            <Submit label="Change password" pending=change.pending() kind=ButtonKind::Secondary testid="change-password"/>
                        </div>
                    </FormScope>
                </ActionForm>
            </Card>
        </div>
    }
}
