//! Freeze windows: when normal changes may not run. Everyone sees them; administrators add and
//! remove them.

use crate::api::freezes::{CreateFreeze, DeleteFreeze, FreezeListing, list_freezes};
use crate::components::badge::{Badge, Tone};
use crate::components::feedback::{EmptyState, ErrorBox, Loading};
use crate::components::form::{ButtonKind, Field, PostForm, SelectField, Submit};
use crate::components::layout::{Card, PageHeader};
use crate::components::live::LiveRegion;
use crate::components::table::{TD, Table, col};
use crate::domain::freeze::{Day, FreezeWindow, Repeat};
use crate::pages::resources::options;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

const CRUMBS: &[(&str, &str)] = &[("Operations", "/incidents"), ("Changes", "/changes")];

fn row(w: FreezeWindow, applications: &[(i64, String)], can_manage: bool) -> impl IntoView + use<> {
    let held = if w.spec.application_ids.is_empty() {
        "every application".to_owned()
    } else {
        w.spec
            .application_ids
            .iter()
            .map(|id| {
                applications
                    .iter()
                    .find(|(a, _)| a == id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_else(|| format!("#{id}"))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let remove = can_manage.then(|| {
        view! {
            <PostForm action=DeleteFreeze::PATH key="delete">
                <input type="hidden" name="id" value=w.id/>
                <Submit label="Remove" kind=ButtonKind::Secondary testid="delete-freeze"/>
            </PostForm>
        }
    });
    view! {
        <tr data-testid=format!("freeze-row-{}", w.id)>
            <td class=format!("{TD} font-medium")>{w.spec.name.clone()}</td>
            <td class=TD><Badge text=w.spec.repeat.as_str() tone=Tone::Neutral/></td>
            <td class=TD>{w.when()}</td>
            <td class=TD>{held}</td>
            <td class=TD>{remove}</td>
        </tr>
    }
}

#[component]
pub fn FreezesPage() -> impl IntoView {
    view! {
        <Title text="Freeze windows"/>
        <PageHeader title="Freeze windows" subtitle="When normal changes may not run. An emergency change may, with a warning in its timeline." crumbs=CRUMBS.to_vec()/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list_freezes().await {
                    Ok(FreezeListing { windows, applications, can_manage }) => {
                        let body = if windows.is_empty() {
                            view! { <EmptyState title="No freeze windows" hint="Changes may be planned at any time."/> }.into_any()
                        } else {
                            let rows = windows.into_iter().map(|w| row(w, &applications, can_manage)).collect_view();
                            view! {
                                <Table columns=vec![col("Name"), col("Repeat"), col("When"), col("Holds"), col("")] testid="freezes-table">{rows}</Table>
                            }.into_any()
                        };
                        let apps: Vec<(String, String)> = std::iter::once((String::new(), "Every application".to_owned()))
                            .chain(applications.iter().map(|(id, n)| (id.to_string(), n.clone())))
                            .collect();
                        let days = options(Day::ALL, Day::as_str);
                        let form = can_manage.then(|| view! {
                            <Card title="Add a freeze window" class="mt-4 max-w-3xl">
                                <PostForm action=CreateFreeze::PATH class="space-y-4" testid="new-freeze-form" success="Added.">
                                    <div class="grid gap-4 sm:grid-cols-3">
                                        <Field name="name" label="Name" required=true maxlength=100/>
                                        <SelectField name="application_id" label="Holds" options=apps/>
                                        <SelectField name="repeat" label="Repeat" options=options(Repeat::ALL, Repeat::as_str) selected="weekly"/>
                                    </div>
                                    <p class="text-xs text-slate-500">"Once: from and until (UTC)."</p>
                                    <div class="grid gap-4 sm:grid-cols-2">
                                        <Field name="starts_at" label="From (UTC)" kind="datetime-local"/>
                                        <Field name="ends_at" label="Until (UTC)" kind="datetime-local"/>
                                    </div>
                                    <p class="text-xs text-slate-500">"Weekly: from a day and time to a day and time, in a time zone."</p>
                                    <div class="grid gap-4 sm:grid-cols-5">
                                        <SelectField name="from_day" label="From day" options=days.clone() selected="friday"/>
                                        <Field name="from_time" label="From time" kind="time" value="18:00"/>
                                        <SelectField name="to_day" label="To day" options=days selected="monday"/>
                                        <Field name="to_time" label="To time" kind="time" value="06:00"/>
                                        <Field name="time_zone" label="Time zone" value="UTC" placeholder="Europe/Berlin"/>
                                    </div>
                                    <div class="flex justify-end"><Submit label="Add freeze window" testid="create-freeze"/></div>
                                </PostForm>
                            </Card>
                        });
                        view! {
                            <LiveRegion id="freezes".to_owned() topics="freeze_window".to_owned()>{body}</LiveRegion>
                            {form}
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
