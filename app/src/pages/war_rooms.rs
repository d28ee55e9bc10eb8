//! War rooms: the list with the rules that staff new rooms, and one room's page where its
//! members post notices, name and restore affected applications, and close it; everything on
//! it follows live.

use crate::api::war_rooms::{
    CloseWarRoom, CreateWarRoomRule, DeleteWarRoomRule, WarRoomApplication, WarRoomList,
    WarRoomMember, WarRoomNotice, WarRoomPage as Page, WarRoomRemoveMember, WarRoomRestore,
    WarRoomSubscribe, get_war_room, list_war_rooms,
};
use crate::components::badge::{Badge, Tone};
use crate::components::feedback::{EmptyState, ErrorBox, Loading};
use crate::components::form::{ButtonKind, Field, PostForm, SelectField, Submit};
use crate::components::layout::{Card, PageHeader};
use crate::components::live::LiveRegion;
use crate::components::table::{TD, Table, col};
use crate::components::time::{Time, TimeFull};
use crate::components::timeline::Timeline;
use crate::domain::incident::Level;
use crate::domain::numbering::Prefix;
use crate::domain::war_room::{MemberRole, NoticeKind, WarRoomStatus};
use crate::pages::applications::route_id;
use crate::pages::incidents::LevelBadge;
use crate::pages::resources::{Property, options};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

const CRUMBS: &[(&str, &str)] = &[("Operations", "/incidents"), ("War rooms", "/war-rooms")];
const LINK: &str = "font-medium text-indigo-700 hover:underline";

#[component]
pub fn WarRoomStatusBadge(status: WarRoomStatus) -> impl IntoView {
    let tone = match status {
        WarRoomStatus::Started => Tone::Bad,
        WarRoomStatus::Delimited => Tone::Warn,
        WarRoomStatus::Recovered => Tone::Info,
        WarRoomStatus::Closed => Tone::Good,
    };
    view! { <Badge text=status.as_str() tone/> }
}

#[component]
pub fn WarRoomsPage() -> impl IntoView {
    view! {
        <Title text="War rooms"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list_war_rooms().await {
                    Ok(list) => view! {
                        <PageHeader title="War rooms" subtitle="Major incidents worked together. Open one from an accepted incident." crumbs=CRUMBS[..1].to_vec()/>
                        <LiveRegion id="war-rooms".to_owned() topics="war_room,war_room_rule".to_owned()><RoomList list/></LiveRegion>
                    }.into_any(),
                    Err(e) => view! { <PageHeader title="War rooms" crumbs=CRUMBS[..1].to_vec()/><ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RoomList(list: WarRoomList) -> impl IntoView {
    let now = list.rooms.now;
    let rooms = if list.rooms.data.is_empty() {
        view! { <EmptyState title="No war rooms yet" hint="The owner of an accepted incident opens one from its page."/> }.into_any()
    } else {
        let columns = vec![
            col("Room"),
            col("Title"),
            col("Status"),
            col("Incident"),
            col("Opened"),
        ];
        let rows = list.rooms.data.into_iter().map(|s| {
            let r = s.room;
            view! {
                <tr class="hover:bg-slate-50" data-testid=format!("war-room-row-{}", r.id)>
                    <td class=format!("{TD} whitespace-nowrap font-mono text-xs")>{r.number()}</td>
                    <td class=TD><a href=format!("/war-rooms/{}", r.id) class=LINK>{r.title.clone()}</a></td>
                    <td class=TD><WarRoomStatusBadge status=r.status/></td>
                    <td class=TD><a href=format!("/incidents/{}", r.incident_id) class=LINK>{Prefix::Incident.number(r.incident_id)}</a> " " {s.incident_title}</td>
                    <td class=TD><Time at=r.created_at now/></td>
                </tr>
            }
        }).collect_view();
        view! { <Table columns testid="war-rooms-table">{rows}</Table> }.into_any()
    };
    let schedule_roles = list.roles.clone();
    let rules = view! {
        <Card title="War-room rules" class="mt-6">
            <p class="mb-3 text-sm text-slate-600">"When a room opens for an incident of these levels and applications, whoever is on duty for the role joins it."</p>
            {if list.rules.is_empty() {
                view! { <p class="text-sm text-slate-500">"No rules: rooms start with their opener only."</p> }.into_any()
            } else {
                view! {
                    <ul class="divide-y divide-slate-100 text-sm" data-testid="war-room-rules">
                        {list.rules.into_iter().map(|r| {
                            let levels = if r.levels.is_empty() { "any level".to_owned() } else { r.levels.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(", ") };
                            let apps = if r.application_ids.is_empty() { "any application".to_owned() } else { format!("{} application(s)", r.application_ids.len()) };
                            view! {
                                <li class="flex items-center justify-between gap-3 py-2">
                                    <span><span class="font-medium text-slate-800">{r.name.clone()}</span>
                                        <span class="text-slate-600">{format!(": {levels}, {apps} → on duty for {} joins as {}", r.schedule_role, r.member_role.as_str().replace('_', " "))}</span></span>
                                    {list.is_admin.then(|| view! {
                                        <PostForm action=DeleteWarRoomRule::PATH key="rule">
                                            <input type="hidden" name="id" value=r.id/>
                                            <Submit label="Delete" kind=ButtonKind::Secondary/>
                                        </PostForm>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {list.is_admin.then(|| {
                let apps = std::iter::once((String::new(), "Any application".to_owned()))
                    .chain(list.applications.into_iter().map(|(id, n)| (id.to_string(), n)))
                    .collect();
                let member_roles = options(&[MemberRole::Engineer, MemberRole::RecoveryLead, MemberRole::Observer], MemberRole::as_str);
                view! {
                    <PostForm action=CreateWarRoomRule::PATH class="mt-4 space-y-3 border-t border-slate-100 pt-4" testid="war-room-rule-form" success="Rule added.">
                        <div class="grid gap-3 sm:grid-cols-2">
                            <Field name="name" label="Rule name" required=true maxlength=50/>
                            <SelectField name="role" label="Who joins" options=schedule_roles/>
                            <SelectField name="application_id" label="Application" options=apps/>
                            <SelectField name="member_role" label="Joins as" options=member_roles/>
                        </div>
                        <fieldset class="flex flex-wrap gap-3 text-sm text-slate-700">
                            <legend class="mb-1 text-sm font-medium text-slate-700">"Levels (none: any)"</legend>
                            {Level::ALL.iter().map(|l| view! {
                                <label class="flex items-center gap-1"><input type="checkbox" name=format!("level_{}", l.as_str().to_lowercase()) value="on"/>{l.as_str()}</label>
                            }).collect_view()}
                        </fieldset>
                        <div class="flex justify-end"><Submit label="Add rule" testid="add-war-room-rule"/></div>
                    </PostForm>
                }
            })}
        </Card>
    };
    view! { {rooms} {rules} }
}

#[component]
fn RoomView(page: Page) -> impl IntoView {
    let now = page.detail.now;
    let d = page.detail.data;
    let r = d.room.clone();
    let powers = d.powers;
    let first = if d.notices.is_empty() {
        "first"
    } else {
        "progress"
    };
    let notice_form = powers.post.then(|| view! {
        <PostForm action=WarRoomNotice::PATH class="mb-4 space-y-3" testid="notice-form" success="Posted.">
            <input type="hidden" name="id" value=r.id/>
            <SelectField name="kind" label="Kind" options=options(NoticeKind::ALL, NoticeKind::as_str)
                selected=first/>
            <Field name="body" label="Notice" required=true maxlength=1000 hint="What is known, what is being done, what is next."/>
            <div class="flex justify-end"><Submit label="Post notice" testid="post-notice"/></div>
        </PostForm>
    });
    let notices = if d.notices.is_empty() {
        view! { <p class="text-sm text-slate-500">"No notices yet."</p> }.into_any()
    } else {
        view! {
            <ol class="space-y-3" data-testid="notices">
                {d.notices.iter().rev().map(|n| {
                    let tone = match n.kind { NoticeKind::First => Tone::Bad, NoticeKind::Progress => Tone::Info, NoticeKind::Recovery => Tone::Good };
                    view! {
                        <li class="rounded-lg border border-slate-200 p-3 text-sm" data-testid="room-notice">
                            <div class="mb-1 flex items-center gap-2"><Badge text=n.kind.as_str() tone/>
                                <span class="text-xs text-slate-500">{n.author.clone()} " · " <Time at=n.at now/></span></div>
                            <p class="whitespace-pre-line text-slate-800">{n.body.clone()}</p>
                        </li>
                    }
                }).collect_view()}
            </ol>
        }.into_any()
    };
    let origins: Vec<String> = d.timeline.iter().map(|t| t.origin.clone()).collect();
    let entries = d.timeline.iter().map(|t| t.entry.clone()).collect();
    let room_id = r.id;
    let app_rows = d.applications.clone().into_iter().map(|a| {
                let restored = a.restored_at.is_some();
                let app_id = a.application_id;
                view! {
                    <li class="flex items-center justify-between gap-2 py-2" data-testid=format!("affected-{}", a.name)>
                        <span class="font-medium text-slate-800">{a.name.clone()}</span>
                        <span class="flex items-center gap-2">
                            {if restored { view! { <Badge text="restored" tone=Tone::Good/> } } else { view! { <Badge text="impaired" tone=Tone::Bad/> } }}
                            {powers.manage.then(move || view! {
                                <PostForm action=WarRoomRestore::PATH key="restore">
                                    <input type="hidden" name="id" value=room_id/>
                                    <input type="hidden" name="application_id" value=app_id/>
                                    <input type="hidden" name="restored" value=if restored { "no" } else { "yes" }/>
                                    <Submit label=if restored { "Undo" } else { "Mark restored" } kind=ButtonKind::Secondary testid="restore"/>
                                </PostForm>
                            })}
                        </span>
                    </li>
                }
            }).collect_view();
    let apps = view! {
        <ul class="divide-y divide-slate-100 text-sm" data-testid="affected-applications">{app_rows}</ul>
        {d.applications.is_empty().then(|| view! { <p class="text-sm text-slate-500">"No affected applications named yet."</p> })}
        {powers.manage.then(|| {
            let choices = std::iter::once((String::new(), "— pick —".to_owned()))
                .chain(page.applications.iter().map(|(id, n)| (id.to_string(), n.clone())))
                .collect();
            view! {
                <PostForm action=WarRoomApplication::PATH class="mt-3 flex items-end gap-2" testid="add-application-form">
                    <input type="hidden" name="id" value=r.id/>
                    <div class="flex-1"><SelectField name="application_id" label="Affected application" options=choices/></div>
                    <Submit label="Add" kind=ButtonKind::Secondary testid="add-application"/>
                </PostForm>
            }
        })}
    };
    let admin_id = r.admin_id;
    let member_rows = d.members.clone().into_iter().map(|m| {
        let user_id = m.user_id;
        view! {
                <li class="flex items-center justify-between gap-2 py-2" data-testid="member">
                    <span><span class="font-medium text-slate-800">{m.name.clone()}</span>
                        <span class="ml-2 text-xs text-slate-500">{m.role.as_str().replace('_', " ")}</span></span>
                    {(powers.manage && user_id != admin_id).then(move || view! {
                        <PostForm action=WarRoomRemoveMember::PATH key="remove">
                            <input type="hidden" name="id" value=room_id/>
                            <input type="hidden" name="user_id" value=user_id/>
                            <Submit label="Remove" kind=ButtonKind::Secondary/>
                        </PostForm>
                    })}
                </li>
        }
    }).collect_view();
    let members = view! {
        <ul class="divide-y divide-slate-100 text-sm" data-testid="members">{member_rows}</ul>
        {powers.manage.then(|| {
            let people = page.people.iter().map(|(id, n)| (id.to_string(), n.clone())).collect();
            let roles = options(&[MemberRole::Engineer, MemberRole::RecoveryLead, MemberRole::Observer, MemberRole::Admin], MemberRole::as_str);
            view! {
                <PostForm action=WarRoomMember::PATH class="mt-3 space-y-2" testid="invite-form" success="Done.">
                    <input type="hidden" name="id" value=r.id/>
                    <SelectField name="user_id" label="Person" options=people/>
                    <SelectField name="role" label="Role in the room" options=roles hint="Inviting someone already here changes their role."/>
                    <div class="flex justify-end"><Submit label="Invite or set role" kind=ButtonKind::Secondary testid="invite"/></div>
                </PostForm>
            }
        })}
    };
    let follow = (powers.subscribe || d.subscribed).then(|| view! {
        <PostForm action=WarRoomSubscribe::PATH class="flex items-center justify-between gap-2" testid="subscribe-form">
            <input type="hidden" name="id" value=r.id/>
            <input type="hidden" name="on" value=if d.subscribed { "no" } else { "yes" }/>
            <span class="text-sm text-slate-600">{if d.subscribed { "You receive this room's notices." } else { "Receive this room's notices." }}</span>
            <Submit label=if d.subscribed { "Unsubscribe" } else { "Subscribe" } kind=ButtonKind::Secondary testid="subscribe"/>
        </PostForm>
    });
    let close = (powers.manage).then(|| view! {
        <Card title="Close the room">
            <PostForm action=CloseWarRoom::PATH class="space-y-3" testid="close-form">
                <input type="hidden" name="id" value=r.id/>
                <input type="hidden" name="version" value=r.version/>
                <Field name="cause" label="Fault cause" required=true maxlength=10000/>
                <Field name="impact" label="Fault impact" required=true maxlength=10000/>
                <div class="flex justify-end"><Submit label="Close room" kind=ButtonKind::Danger testid="close-room"/></div>
            </PostForm>
        </Card>
    });
    let (cause, impact) = (r.cause.clone(), r.impact.clone());
    let outcome = (r.status == WarRoomStatus::Closed).then(move || {
        view! {
            <Card title="Outcome">
                <dl class="divide-y divide-slate-100" data-testid="outcome">
                    <Property label="Fault cause">{cause}</Property>
                    <Property label="Fault impact">{impact}</Property>
                </dl>
            </Card>
        }
    });
    view! {
        <PageHeader title=format!("{} · {}", r.number(), r.title.clone()) subtitle=format!("For {}: {}", Prefix::Incident.number(r.incident_id), d.incident_title) crumbs=CRUMBS.to_vec()>
            <LevelBadge level=d.incident_level/>
            <span data-testid="war-room-status"><WarRoomStatusBadge status=r.status/></span>
            <a href=format!("/incidents/{}", r.incident_id) class=ButtonKind::Secondary.classes()>"Incident"</a>
            {page.can_follow_up.then(|| view! {
                <a href=format!("/improvements/new?source=war_room&source_id={}", r.id) class=ButtonKind::Secondary.classes() data-testid="room-improvement">"Open improvement"</a>
                <a href=format!("/problems/new?source=war_room&source_id={}", r.id) class=ButtonKind::Secondary.classes()>"Open problem"</a>
            })}
        </PageHeader>
        <div class="grid gap-4 lg:grid-cols-3">
            <div class="space-y-4 lg:col-span-2">
                {outcome}
                <Card title="Progress notices">{notice_form}{notices}</Card>
                <Card title="Timeline"><Timeline entries now origins/></Card>
            </div>
            <div class="space-y-4">
                <Card title="Affected applications">{apps}</Card>
                <Card title="Members">{members}</Card>
                {follow.map(|f| view! { <Card>{f}</Card> })}
                {close}
                <Card title="Times">
                    <dl class="divide-y divide-slate-100">
                        <Property label="Occurred"><TimeFull at=r.occurred_at now/></Property>
                        <Property label="Opened"><TimeFull at=r.created_at now/></Property>
                        {r.recovered_at.map(|at| view! { <Property label="Recovered"><TimeFull at now/></Property> })}
                    </dl>
                </Card>
            </div>
        </div>
    }
}

#[component]
pub fn WarRoomPage() -> impl IntoView {
    let id = route_id();
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let loaded = match id {
                    Some(id) => get_war_room(id).await,
                    None => Err(crate::domain::AppError::not_found("War room", "?")),
                };
                match loaded {
                    Ok(page) => {
                        let title = page.detail.data.room.number();
                        let live = format!("war-room-{}", page.detail.data.room.id);
                        view! {
                            <Title text=title/>
                            <LiveRegion id=live topics="war_room,incident".to_owned()><RoomView page/></LiveRegion>
                        }.into_any()
                    }
                    Err(e) => view! { <PageHeader title="War room" crumbs=CRUMBS.to_vec()/><ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
