//! Forwarding rules: the ordered list (first enabled match decides), and one rule's editor with
//! its test against a sample event and its replay over stored alarms.

use crate::api::forwarding_rules::{
    DeleteRule, MoveRule, RuleEditor, RuleList, SaveRule, list_rules, load_rule_editor,
};
use crate::components::badge::{Badge, Tone};
use crate::components::feedback::{EmptyState, ErrorBox, Loading};
use crate::components::form::{ButtonKind, DeleteCard, Field, PostForm, SelectField, Submit};
use crate::components::layout::{Card, PageHeader};
use crate::components::live::LiveRegion;
use crate::components::table::{TD, Table, col};
use crate::domain::alarm::AlarmLevel;
use crate::domain::forwarding_rule::{
    ForwardingRule, Replay, RuleAction, RuleTestResult, conditions_text,
};
use crate::domain::incident::{Assignee, Category, Level};
use crate::pages::applications::route_id;
use crate::pages::resources::options;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const CRUMBS: &[(&str, &str)] = &[
    ("Administration", "/forwarding-rules"),
    ("Forwarding rules", "/forwarding-rules"),
];
const LINK: &str = "font-medium text-indigo-700 hover:underline";
const SAMPLE: &str = r#"{"dedup_key": "db-1/disk", "name": "Disk almost full", "level": "critical", "resource": "db-1", "labels": {"env": "prod"}}"#;

/// What a rule does, in a few words.
fn action_summary(action: &RuleAction, people: &[(String, String)]) -> String {
    match action {
        RuleAction::Incident { level, owner, .. } => {
            let value = match owner {
                Assignee::User { user_id } => format!("user:{user_id}"),
                Assignee::OnDuty { schedule_id, role } => format!("duty:{schedule_id}:{role}"),
            };
            let who = people
                .iter()
                .find(|(v, _)| *v == value)
                .map(|(_, l)| l.clone())
                .unwrap_or(value);
            format!("{level} incident for {who}")
        }
        RuleAction::AlarmOnly { level: Some(l) } => format!("alarm only, as {l}"),
        RuleAction::AlarmOnly { level: None } => "alarm only".to_owned(),
        RuleAction::Drop => "drop".to_owned(),
    }
}

fn sources_summary(rule: &ForwardingRule, sources: &[(i64, String)]) -> String {
    if rule.data_source_ids.is_empty() {
        return "any source".to_owned();
    }
    rule.data_source_ids
        .iter()
        .map(|id| {
            sources
                .iter()
                .find(|(i, _)| i == id)
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| format!("source {id}"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
pub fn ForwardingRulesPage() -> impl IntoView {
    view! {
        <Title text="Forwarding rules"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list_rules().await {
                    Ok(list) => view! {
                        <PageHeader title="Forwarding rules" subtitle="Tried in order on every new alarm: the first enabled rule that matches decides. No match: it stays an alarm." crumbs=CRUMBS[..1].to_vec()>
                            {list.is_admin.then(|| view! { <a href="/forwarding-rules/new" class=ButtonKind::Primary.classes() data-testid="new-rule">"New rule"</a> })}
                        </PageHeader>
                        <LiveRegion id="forwarding-rules".to_owned() topics="forwarding_rule".to_owned()><Rules list/></LiveRegion>
                    }.into_any(),
                    Err(e) => view! { <PageHeader title="Forwarding rules" crumbs=CRUMBS[..1].to_vec()/><ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Rules(list: RuleList) -> impl IntoView {
    if list.rules.is_empty() {
        return view! { <EmptyState title="No forwarding rules" hint="Every alarm stays an alarm. Add a rule to open incidents from the alarms that need people."/> }.into_any();
    }
    let count = list.rules.len();
    let mut columns = vec![
        col("#"),
        col("Rule"),
        col("State"),
        col("When"),
        col("Then"),
    ];
    if list.is_admin {
        columns.push(col("Order"));
    }
    let rows = list
        .rules
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let when = if r.groups.is_empty() {
                "every event".to_owned()
            } else {
                conditions_text(&r.groups).replace('\n', "  OR  ")
            };
            let then = action_summary(&r.action, &list.people);
            let state = if r.enabled {
                view! { <Badge text="enabled" tone=Tone::Good/> }
            } else {
                view! { <Badge text="disabled" tone=Tone::Neutral/> }
            };
            let mover = |label: &'static str, to: usize, testid: String| {
                view! {
                    <PostForm action=MoveRule::PATH key="move">
                        <input type="hidden" name="id" value=r.id/>
                        <input type="hidden" name="position" value=to/>
                        <button type="submit" aria-label=format!("Move {label}") data-testid=testid
                            class="rounded border border-slate-300 bg-white px-2 py-0.5 text-sm text-slate-700 hover:bg-slate-50">{label}</button>
                    </PostForm>
                }
            };
            let order = list.is_admin.then(|| view! {
                <td class=TD>
                    <div class="flex gap-1">
                        {(i > 0).then(|| mover("↑", i, format!("move-up-{}", r.id)))}
                        {(i + 1 < count).then(|| mover("↓", i + 2, format!("move-down-{}", r.id)))}
                    </div>
                </td>
            });
            view! {
                <tr class="hover:bg-slate-50" data-testid=format!("rule-row-{}", r.id)>
                    <td class=format!("{TD} tabular-nums text-slate-500")>{i + 1}</td>
                    <td class=TD>
                        <a href=format!("/forwarding-rules/{}", r.id) class=LINK>{r.name.clone()}</a>
                        <div class="text-xs text-slate-500">{sources_summary(&r, &list.sources)}</div>
                    </td>
                    <td class=TD>{state}</td>
                    <td class=format!("{TD} font-mono text-xs text-slate-700")>{when}</td>
                    <td class=TD>{then}</td>
                    {order}
                </tr>
            }
        })
        .collect_view();
    view! { <Table columns testid="rules-table">{rows}</Table> }.into_any()
}

#[component]
pub fn NewRulePage() -> impl IntoView {
    view! {
        <Title text="New forwarding rule"/>
        <PageHeader title="New forwarding rule" subtitle="Save it disabled, test it and replay it over past alarms, then enable it." crumbs=CRUMBS.to_vec()/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match load_rule_editor(None, None, None, None).await {
                    Ok(editor) => view! { <Editor editor/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn RulePage() -> impl IntoView {
    let Some(id) = route_id() else {
        return view! { <ErrorBox error=crate::domain::AppError::not_found("Forwarding rule", "?")/> }
            .into_any();
    };
    let query = use_query_map();
    let load = move || {
        let q = query.read_untracked();
        load_rule_editor(Some(id), q.get("event"), q.get("source"), q.get("days"))
    };
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match load().await {
                    Ok(editor) => {
                        let title = editor.rule.as_ref().map(|r| r.name.clone()).unwrap_or_default();
                        view! {
                            <Title text=title.clone()/>
                            <PageHeader title=title subtitle="A forwarding rule" crumbs=CRUMBS.to_vec()/>
                            <div class="grid gap-6 xl:grid-cols-5">
                                <div class="xl:col-span-3"><Editor editor=editor.clone()/></div>
                                <div class="space-y-6 xl:col-span-2"><TestCard editor=editor.clone()/><ReplayCard editor/></div>
                            </div>
                        }.into_any()
                    }
                    Err(e) => view! { <PageHeader title="Forwarding rule" crumbs=CRUMBS.to_vec()/><ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Editor(editor: RuleEditor) -> impl IntoView {
    let rule = editor.rule.clone();
    let value = |f: fn(&ForwardingRule) -> String, default: &str| {
        rule.as_ref().map(f).unwrap_or_else(|| default.to_owned())
    };
    let name = value(|r| r.name.clone(), "");
    let group_by = value(|r| r.group_by.join(", "), "");
    let window = value(|r| r.silence_window_minutes.to_string(), "60");
    let conditions = value(|r| conditions_text(&r.groups), "");
    let (action, level, category, owner, application, alarm_level) =
        match rule.as_ref().map(|r| &r.action) {
            Some(RuleAction::Incident {
                level,
                category,
                owner,
                application_id,
            }) => (
                "incident",
                level.as_str(),
                category.as_str(),
                match owner {
                    Assignee::User { user_id } => format!("user:{user_id}"),
                    Assignee::OnDuty { schedule_id, role } => format!("duty:{schedule_id}:{role}"),
                },
                application_id.map(|a| a.to_string()).unwrap_or_default(),
                "",
            ),
            Some(RuleAction::AlarmOnly { level }) => (
                "alarm_only",
                "P3",
                "reliability",
                String::new(),
                String::new(),
                level.map(|l| l.as_str()).unwrap_or(""),
            ),
            Some(RuleAction::Drop) => (
                "drop",
                "P3",
                "reliability",
                String::new(),
                String::new(),
                "",
            ),
            None => (
                "incident",
                "P3",
                "reliability",
                String::new(),
                String::new(),
                "",
            ),
        };
    let sources = std::iter::once((String::new(), "Any source".to_owned()))
        .chain(
            editor
                .sources
                .iter()
                .map(|(id, n)| (id.to_string(), n.clone())),
        )
        .collect::<Vec<_>>();
    let source = rule
        .as_ref()
        .and_then(|r| r.data_source_ids.first())
        .map(|s| s.to_string())
        .unwrap_or_default();
    let apps = std::iter::once((String::new(), "The alarm's own".to_owned()))
        .chain(
            editor
                .applications
                .iter()
                .map(|(id, n)| (id.to_string(), n.clone())),
        )
        .collect::<Vec<_>>();
    let alarm_levels = std::iter::once((String::new(), "Keep its level".to_owned()))
        .chain(options(AlarmLevel::ALL, AlarmLevel::as_str))
        .collect::<Vec<_>>();
    let actions = vec![
        ("incident".to_owned(), "Open an incident".to_owned()),
        ("alarm_only".to_owned(), "Keep as an alarm".to_owned()),
        ("drop".to_owned(), "Drop it".to_owned()),
    ];
    let enabled = rule.as_ref().is_some_and(|r| r.enabled);
    let silence = rule.as_ref().is_none_or(|r| r.silence);
    let delete = rule.as_ref().filter(|_| editor.is_admin).map(|r| view! {
        <div class="mt-6">
            <DeleteCard action=DeleteRule::PATH id=r.id version=r.version
                note="Alarms it decided keep their history." label="Delete rule" testid="delete-rule"/>
        </div>
    });
    let ids = rule.as_ref().map(|r| {
        view! {
            <input type="hidden" name="id" value=r.id/>
            <input type="hidden" name="version" value=r.version/>
        }
    });
    view! {
        <Card title="Rule">
            <PostForm action=SaveRule::PATH class="space-y-4" testid="rule-form" success="Saved.">
                {ids}
                <div class="grid gap-4 sm:grid-cols-2">
                    <Field name="name" label="Name" value=name required=true maxlength=100/>
                    <SelectField name="source" label="Data source" options=sources selected=source/>
                </div>
                <label class="flex items-center gap-2 text-sm text-slate-700">
                    <input type="checkbox" name="enabled" value="on" checked=enabled data-testid="rule-enabled"/>
                    "Enabled"
                </label>
                <div>
                    <label for="conditions" class="mb-1 block text-sm font-medium text-slate-700">"Conditions"</label>
                    <textarea id="conditions" name="conditions" rows="4" data-testid="rule-conditions"
                        placeholder="level in critical,major AND labels.env eq prod"
                        class="w-full rounded-lg border border-slate-300 px-3 py-2 font-mono text-sm">{conditions}</textarea>
                    <p class="mt-1 text-xs text-slate-500">
                        "One group per line, matched if any line matches; within a line, conditions joined by AND must all hold (at most 5 lines of 5). "
                        "Each is field op value: fields name, level, description, source, resource, application, labels.<key>; "
                        "ops eq, ne, contains, not_contains, starts_with, regex, in (comma-separated), exists. Empty: every event."
                    </p>
                </div>
                <SelectField name="action" label="Then" options=actions selected=action/>
                <fieldset class="space-y-3 rounded-lg border border-slate-200 p-3">
                    <legend class="px-1 text-sm font-medium text-slate-700">"Incident (when opening one)"</legend>
                    <div class="grid gap-4 sm:grid-cols-3">
                        <SelectField name="level" label="Incident level" options=options(Level::ALL, Level::as_str) selected=level/>
                        <SelectField name="category" label="Category" options=options(Category::ALL, Category::as_str) selected=category/>
                        <SelectField name="application_id" label="Application" options=apps selected=application/>
                    </div>
                    <SelectField name="owner" label="Owner" options=editor.assignees.clone() selected=owner
                        hint="A person, or whoever is on duty for a role when the incident opens."/>
                    <label class="flex items-center gap-2 text-sm text-slate-700">
                        <input type="checkbox" name="silence" value="on" checked=silence data-testid="rule-silence"/>
                        "Silence: while its incident is not completed, further matches join it instead of opening another"
                    </label>
                    <div class="grid gap-4 sm:grid-cols-2">
                        <Field name="group_by" label="Group by labels" value=group_by
                            hint="Comma-separated; empty groups by the alarm's dedup key."/>
                        <Field name="silence_window_minutes" label="Group window (minutes)" kind="number"
                            value=window/>
                    </div>
                </fieldset>
                <fieldset class="rounded-lg border border-slate-200 p-3">
                    <legend class="px-1 text-sm font-medium text-slate-700">"Alarm (when keeping it as an alarm)"</legend>
                    <SelectField name="alarm_level" label="Alarm level" options=alarm_levels selected=alarm_level/>
                </fieldset>
                {editor.is_admin.then(|| view! { <div class="flex justify-end"><Submit label="Save rule" testid="save-rule"/></div> })}
            </PostForm>
        </Card>
        {delete}
    }
}

fn verdict_view(result: RuleTestResult) -> impl IntoView {
    let headline = match (result.matched, result.group, result.source_applies) {
        (true, Some(g), _) => format!(
            "Matched by line {} → {}",
            g + 1,
            result.action.clone().unwrap_or_default()
        ),
        (false, _, false) => "Not matched: the rule does not take this data source".to_owned(),
        _ => "Not matched: no line holds".to_owned(),
    };
    let tone = if result.matched {
        "border-emerald-300 bg-emerald-50 text-emerald-900"
    } else {
        "border-amber-300 bg-amber-50 text-amber-900"
    };
    let lines = result.groups.into_iter().enumerate().map(|(g, conditions)| {
        let items = conditions.into_iter().map(|v| {
            let mark = if v.holds { "✓" } else { "✗" };
            let class = if v.holds { "text-emerald-700" } else { "text-rose-700" };
            let actual = v.actual.map(|a| format!("\"{a}\"")).unwrap_or_else(|| "none".to_owned());
            view! {
                <li class="font-mono text-xs">
                    <span class=class>{mark}</span>" "{format!("{} {} {}", v.condition.field, v.condition.op, v.condition.value)}
                    <span class="text-slate-500">{format!("  (event: {actual})")}</span>
                </li>
            }
        }).collect_view();
        view! { <div><p class="text-xs font-semibold text-slate-600">{format!("Line {}", g + 1)}</p><ul class="ml-2">{items}</ul></div> }
    }).collect_view();
    view! {
        <div class=format!("rounded-lg border p-3 text-sm {tone}") data-testid="test-verdict">{headline}</div>
        <div class="mt-3 space-y-2">{lines}</div>
    }
}

#[component]
fn TestCard(editor: RuleEditor) -> impl IntoView {
    if !editor.is_admin {
        return ().into_any();
    }
    let (event, verdict) = match editor.test {
        Some((event, verdict)) => (event, Some(verdict)),
        None => (SAMPLE.to_owned(), None),
    };
    let sources = std::iter::once((String::new(), "Any source".to_owned()))
        .chain(
            editor
                .sources
                .iter()
                .map(|(id, n)| (id.to_string(), n.clone())),
        )
        .collect::<Vec<_>>();
    let verdict = verdict.map(|v| match v {
        Ok(result) => verdict_view(result).into_any(),
        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
    });
    view! {
        <Card title="Test against an event">
            <form method="get" class="space-y-3" data-testid="rule-test-form">
                <label for="event" class="block text-sm font-medium text-slate-700">"Sample event (generic JSON)"</label>
                <textarea id="event" name="event" rows="5" class="w-full rounded-lg border border-slate-300 px-3 py-2 font-mono text-xs" data-testid="rule-test-event">{event}</textarea>
                <SelectField name="source" label="From data source" options=sources/>
                <div class="flex justify-end"><button type="submit" class=ButtonKind::Secondary.classes() data-testid="rule-test">"Test"</button></div>
            </form>
            <div class="mt-3">{verdict}</div>
        </Card>
    }
    .into_any()
}

fn replay_view(r: Replay) -> impl IntoView {
    let examples = r.examples.into_iter().map(|e| view! {
        <li class="flex justify-between gap-2 py-1 text-sm">
            <a href=format!("/alarms/{}", e.alarm_id) class=LINK>{e.name}</a>
            <span class="whitespace-nowrap text-xs text-slate-500">{e.first_seen.format("%Y-%m-%d %H:%M").to_string()}</span>
        </li>
    }).collect_view();
    view! {
        <p class="text-sm text-slate-800" data-testid="replay-summary">
            {format!("Over the last {} days this rule would have opened {} incident(s)", r.days, r.incidents)}
            {format!(" ({} alarm(s) joining them), kept {} and dropped {}; it matches {} of {} alarms", r.joined, r.kept, r.dropped, r.matched, r.examined)}
            {(r.shadowed > 0).then(|| format!(", {} of them taken first by an earlier rule", r.shadowed))}
            "."
        </p>
        <ul class="mt-2 divide-y divide-slate-100">{examples}</ul>
    }
}

#[component]
fn ReplayCard(editor: RuleEditor) -> impl IntoView {
    if !editor.is_admin {
        return ().into_any();
    }
    let days = match &editor.replay {
        Some(Ok(r)) => r.days.to_string(),
        _ => "7".to_owned(),
    };
    let result = editor.replay.map(|r| match r {
        Ok(r) => replay_view(r).into_any(),
        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
    });
    view! {
        <Card title="Replay over past alarms">
            <form method="get" class="flex items-end gap-2" data-testid="rule-replay-form">
                <div class="w-32"><Field name="days" label="Days (1–90)" kind="number" value=days/></div>
                <button type="submit" class=ButtonKind::Secondary.classes() data-testid="rule-replay">"Replay"</button>
            </form>
            <div class="mt-3">{result}</div>
        </Card>
    }
    .into_any()
}
