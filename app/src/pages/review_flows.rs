//! Review flows: the stages changes of a type and risk level are approved through. Everyone
//! sees them; administrators add and remove them.

use crate::api::review_flows::{
    CreateFlow, DeleteFlow, FORM_APPROVERS, FORM_STAGES, FlowListing, list_flows,
};
use crate::components::badge::{Badge, Tone};
use crate::components::feedback::{EmptyState, ErrorBox, Loading};
use crate::components::form::{ButtonKind, CheckField, Field, PostForm, SelectField, Submit};
use crate::components::layout::{Card, PageHeader};
use crate::components::live::LiveRegion;
use crate::components::table::{TD, Table, col};
use crate::domain::change::RiskLevel;
use crate::domain::review::{Mode, ReviewFlow};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

const CRUMBS: &[(&str, &str)] = &[("Operations", "/incidents"), ("Changes", "/changes")];

/// The form's field names, per stage: name, mode, then its approvers.
const STAGE_FIELDS: [[&str; 2 + FORM_APPROVERS]; FORM_STAGES] = [
    ["s1_name", "s1_mode", "s1_a1", "s1_a2", "s1_a3"],
    ["s2_name", "s2_mode", "s2_a1", "s2_a2", "s2_a3"],
    ["s3_name", "s3_mode", "s3_a1", "s3_a2", "s3_a3"],
    ["s4_name", "s4_mode", "s4_a1", "s4_a2", "s4_a3"],
    ["s5_name", "s5_mode", "s5_a1", "s5_a2", "s5_a3"],
];
const LEVEL_FIELDS: [&str; 4] = ["level_A", "level_B", "level_C", "level_D"];

/// "1. Team (any of Ann, Bob) → 2. Security (all of Carol)"
fn stages(flow: &ReviewFlow, approvers: &[(String, String)]) -> String {
    let name = |value: String| {
        approvers
            .iter()
            .find(|(v, _)| *v == value)
            .map(|(_, label)| label.clone())
            .unwrap_or(value)
    };
    flow.stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let people: Vec<String> = s.approvers.iter().map(|a| name(a.choice())).collect();
            format!(
                "{}. {} ({} of {})",
                i + 1,
                s.name,
                s.mode,
                people.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

#[component]
pub fn ReviewFlowsPage() -> impl IntoView {
    view! {
        <Title text="Review flows"/>
        <PageHeader title="Review flows" subtitle="Who approves a change, stage by stage, by its type and risk. A change no flow covers is approved by any administrator." crumbs=CRUMBS.to_vec()/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list_flows().await {
                    Ok(FlowListing { flows, approvers, can_manage }) => {
                        let body = if flows.is_empty() {
                            view! { <EmptyState title="No review flows" hint="Every reviewed change waits for any one administrator."/> }.into_any()
                        } else {
                            let rows = flows.into_iter().map(|f| {
                                let levels: Vec<&str> = f.levels.iter().map(|l| l.as_str()).collect();
                                let remove = can_manage.then(|| view! {
                                    <PostForm action=DeleteFlow::PATH key="delete">
                                        <input type="hidden" name="id" value=f.id/>
                                        <Submit label="Remove" kind=ButtonKind::Secondary testid="delete-flow"/>
                                    </PostForm>
                                });
                                view! {
                                    <tr data-testid=format!("flow-row-{}", f.id)>
                                        <td class=format!("{TD} font-medium")>{f.name.clone()}</td>
                                        <td class=TD><Badge text=f.change_type.as_str() tone=Tone::Neutral/></td>
                                        <td class=TD>{levels.join(", ")}</td>
                                        <td class=TD>{stages(&f, &approvers)}</td>
                                        <td class=TD>{remove}</td>
                                    </tr>
                                }
                            }).collect_view();
                            view! { <Table columns=vec![col("Name"), col("Type"), col("Risk"), col("Stages"), col("")] testid="flows-table">{rows}</Table> }.into_any()
                        };
                        let form = can_manage.then(|| flow_form(approvers));
                        view! {
                            <LiveRegion id="review-flows".to_owned() topics="review_flow".to_owned()>{body}</LiveRegion>
                            {form}
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn flow_form(approvers: Vec<(String, String)>) -> impl IntoView {
    let picks: Vec<(String, String)> = std::iter::once((String::new(), "—".to_owned()))
        .chain(approvers)
        .collect();
    let modes = vec![
        ("any".to_owned(), "Any one approves".to_owned()),
        ("all".to_owned(), "All approve".to_owned()),
    ];
    // Built inside the form, so each field knows the form it belongs to.
    let rows = move || {
        STAGE_FIELDS
        .iter()
        .enumerate()
        .map(|(i, names)| {
            let pickers = names[2..]
                .iter()
                .enumerate()
                .map(|(a, name)| view! { <SelectField name=*name label=format!("Approver {}", a + 1) options=picks.clone()/> })
                .collect_view();
            view! {
                <fieldset class="grid gap-3 rounded-lg border border-slate-200 p-3 sm:grid-cols-5">
                    <legend class="px-1 text-xs font-semibold text-slate-600">{format!("Stage {}", i + 1)}</legend>
                    <Field name=names[0] label="Name" maxlength=100 placeholder=if i == 0 { "Team lead" } else { "Leave empty for none" }/>
                    <SelectField name=names[1] label="Approval" options=modes.clone() selected=Mode::Any.as_str()/>
                    {pickers}
                </fieldset>
            }
        })
        .collect_view()
    };
    view! {
        <Card title="Add a review flow" class="mt-4">
            <PostForm action=CreateFlow::PATH nest="flow" class="space-y-4" testid="new-flow-form" success="Added.">
                <div class="grid gap-4 sm:grid-cols-2">
                    <Field name="name" label="Name" required=true maxlength=100/>
                    <SelectField name="change_type" label="For changes of type"
                        options=vec![("normal".into(), "Normal: reviewed before they run".into()), ("emergency".into(), "Emergency: reviewed after they ran".into())]/>
                </div>
                <fieldset class="flex flex-wrap gap-4">
                    <legend class="mb-1 text-sm font-medium text-slate-700">"At risk levels"</legend>
                    {RiskLevel::ALL.iter().zip(LEVEL_FIELDS).map(|(l, name)| view! { <CheckField name label=format!("Risk {l}")/> }).collect_view()}
                </fieldset>
                <p class="text-xs text-slate-500">"Stages run in order; a stage left without a name is left out. An on-call role is whoever is on duty when the change is submitted. Here a stage takes up to three approvers; the API takes up to twenty."</p>
                {rows()}
                <div class="flex justify-end"><Submit label="Add review flow" testid="create-flow"/></div>
            </PostForm>
        </Card>
    }
}
