//! Demo data, loaded idempotently by `make run`: a small team in every role and an estate of
//! resources across providers, regions and environments.

use app::domain::AppError;
use app::domain::application::{ApplicationDraft, ComponentDraft};
use app::domain::audit::Method;
use app::domain::change::{
    Change, ChangeAction, ChangeDraft, ChangeFilter, ChangeType, FromTemplate, NewChange,
    NewChangeTemplate, RiskLevel,
};
use app::domain::data_source::{DataSourceKind, NewDataSource};
use app::domain::forwarding_rule::{Condition, NewForwardingRule, Op, RuleAction};
use app::domain::group::{AssociationRule, Environment, GroupDraft};
use app::domain::incident::{
    Action, Assignee, Category, Incident, IncidentFilter, IncidentSource, Level, NewIncident,
};
use app::domain::list::ListParams;
use app::domain::problem::{NewProblem, Problem, ProblemAction, ProblemLevel, ProblemSource};
use app::domain::resource::ResourceFilter;
use app::domain::resource::{
    AgentState, Provider, ResourceDraft, ResourceStatus, ResourceType, Tags,
};
use app::domain::review::{Mode, NewReviewFlow, StageDef};
use app::domain::schedule::{RoleDraft, Rotation, ScheduleDraft};
use app::domain::user::{NewUser, Role};
use app::domain::war_room::{MemberRole, NewNotice, NewWarRoomRule, NoticeKind};
use app::domain::workflow::ActionRequest;
use app::service::{
    Actor, alarms, applications, change_templates, changes, data_sources, forwarding_rules, groups,
    incidents, problems, resources, review_flows, schedules, users, war_rooms, workflow,
};
use app::state::AppState;
use serde_json::{Value, json};

/// Everyone in the demo data logs in with this password unless `OPSROOM_DEMO_PASSWORD` is set.
pub const DEFAULT_DEMO_PASSWORD: &str = "opsroom-demo";

const TEAM: &[(&str, &str, &str, Role)] = &[
    ("mchen", "Mei Chen", "+1 415 555 0101", Role::Admin),
    ("rkapoor", "Ravi Kapoor", "+44 20 7946 0102", Role::Admin),
    ("asmith", "Alex Smith", "+1 206 555 0103", Role::Operator),
    (
        "jmuller",
        "Jonas Müller",
        "+49 30 5550 0104",
        Role::Operator,
    ),
    ("sokafor", "Sade Okafor", "+234 1 555 0105", Role::Operator),
    ("lgarcia", "Lucía García", "+34 91 555 0106", Role::Operator),
    ("tnguyen", "Thu Nguyen", "+84 28 5550 0107", Role::Viewer),
    (
        "pkowalski",
        "Piotr Kowalski",
        "+48 22 555 0108",
        Role::Viewer,
    ),
];

/// Creates the demo users that do not exist yet; returns how many were created.
pub async fn load(state: &AppState, password: &str) -> Result<usize, AppError> {
    let mut created = 0;
    for (username, name, phone, role) in TEAM {
        let user = NewUser {
            username: (*username).to_owned(),
            display_name: (*name).to_owned(),
            email: format!("{username}@example.com"),
            phone: (*phone).to_owned(),
            role: *role,
            password: password.to_owned(),
        };
        match users::create(state, &Actor::system(), user).await {
            Ok(_) => created += 1,
            Err(AppError::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(created)
}

/// (application, environment, provider, region, zone prefix)
const ESTATE: &[(&str, &str, Provider, &str)] = &[
    ("shop", "prod", Provider::Aws, "eu-west-1"),
    ("shop", "staging", Provider::Aws, "eu-west-1"),
    ("payments", "prod", Provider::Aws, "us-east-1"),
    ("payments", "staging", Provider::Gcp, "us-central1"),
    ("search", "prod", Provider::Gcp, "europe-west4"),
    ("identity", "prod", Provider::Azure, "westeurope"),
    ("ledger", "prod", Provider::Onprem, "dc-fra"),
];

/// (role, type, cpu, memory GiB, disk GiB, count in prod)
const TIERS: &[(&str, ResourceType, i32, f64, f64, usize)] = &[
    ("web", ResourceType::Host, 4, 16.0, 80.0, 3),
    ("api", ResourceType::Host, 8, 32.0, 120.0, 2),
    ("db", ResourceType::Database, 16, 64.0, 1000.0, 1),
    ("cache", ResourceType::Cache, 2, 13.0, 0.0, 1),
    ("lb", ResourceType::LoadBalancer, 0, 0.0, 0.0, 1),
];

fn estate() -> Vec<ResourceDraft> {
    let mut drafts = Vec::new();
    for (env_index, (app, env, provider, region)) in ESTATE.iter().enumerate() {
        for (tier, kind, cpu, memory, disk, prod_count) in TIERS {
            let count = if *env == "prod" { *prod_count } else { 1 };
            for n in 1..=count {
                let host = u8::try_from(drafts.len() % 250 + 2).unwrap_or(2);
                // A few resources in trouble, spread over the applications.
                let status = match drafts.len() % 9 {
                    4 => ResourceStatus::Fault,
                    7 => ResourceStatus::Stopped,
                    _ => ResourceStatus::Running,
                };
                let agent_state = match kind {
                    ResourceType::Host | ResourceType::Database => {
                        if status == ResourceStatus::Running {
                            AgentState::Online
                        } else {
                            AgentState::Offline
                        }
                    }
                    _ => AgentState::NotInstalled,
                };
                drafts.push(ResourceDraft {
                    name: format!("{app}-{env}-{tier}-{n:02}"),
                    resource_type: *kind,
                    provider: *provider,
                    region: (*region).to_owned(),
                    zone: format!("{region}-{}", ["a", "b", "c"][n % 3]),
                    private_ip: format!(
                        "10.{}.{}.{host}",
                        10 + env_index,
                        if *env == "prod" { 1 } else { 2 }
                    ),
                    public_ip: if *kind == ResourceType::LoadBalancer {
                        format!("203.0.113.{}", 10 + drafts.len() % 200)
                    } else {
                        String::new()
                    },
                    os: match kind {
                        ResourceType::Host => "Ubuntu 24.04".to_owned(),
                        ResourceType::Database => "PostgreSQL 16".to_owned(),
                        ResourceType::Cache => "Redis 7".to_owned(),
                        _ => String::new(),
                    },
                    cpu_cores: *cpu,
                    memory_gib: *memory,
                    disk_gib: *disk,
                    status,
                    agent_state,
                    tags: Tags::from([
                        ("app".to_owned(), (*app).to_owned()),
                        ("env".to_owned(), (*env).to_owned()),
                        ("tier".to_owned(), (*tier).to_owned()),
                    ]),
                });
            }
        }
    }
    drafts
}

/// Adds the demo estate's resources that do not exist yet; returns how many were added.
pub async fn load_estate(state: &AppState) -> Result<usize, AppError> {
    let mut created = 0;
    for draft in estate() {
        match resources::create(state, &Actor::system(), draft).await {
            Ok(_) => created += 1,
            Err(AppError::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(created)
}

/// (application, description, its environments)
const APPLICATIONS: &[(&str, &str)] = &[
    ("shop", "The customer-facing web shop"),
    ("payments", "Card and wallet payments"),
    ("search", "Product search"),
    ("identity", "Sign-in and accounts"),
    ("ledger", "Financial ledger in the Frankfurt data centre"),
];

/// (component, description, the tiers it runs)
const COMPONENTS: &[(&str, &str, &[&str])] = &[
    ("frontend", "Web servers and load balancers", &["web", "lb"]),
    ("backend", "APIs and their caches", &["api", "cache"]),
    ("data", "Databases", &["db"]),
];

/// Adds the demo applications, their components and one automatic group per tier and
/// environment (plus a sub-application with a hand-picked group), unless applications exist.
/// Returns how many applications were added.
pub async fn load_applications(state: &AppState) -> Result<usize, AppError> {
    let system = Actor::system();
    let existing =
        applications::list(state, &system, &Default::default(), &ListParams::default()).await?;
    if existing.total > 0 {
        return Ok(0);
    }
    let mut added = 0;
    for (app, description) in APPLICATIONS {
        let application = applications::create(
            state,
            &system,
            ApplicationDraft {
                name: (*app).to_owned(),
                description: (*description).to_owned(),
                parent_id: None,
            },
        )
        .await?;
        added += 1;
        for (component, description, tiers) in COMPONENTS {
            let c = applications::create_component(
                state,
                &system,
                ComponentDraft {
                    application_id: application.id,
                    name: (*component).to_owned(),
                    description: (*description).to_owned(),
                },
            )
            .await?;
            for (_, env, _, region) in ESTATE.iter().filter(|e| e.0 == *app) {
                for tier in *tiers {
                    let rule = AssociationRule {
                        tags: Tags::from([
                            ("app".to_owned(), (*app).to_owned()),
                            ("env".to_owned(), (*env).to_owned()),
                            ("tier".to_owned(), (*tier).to_owned()),
                        ]),
                        name_prefix: String::new(),
                        resource_type: None,
                    };
                    groups::create(
                        state,
                        &system,
                        GroupDraft {
                            component_id: c.id,
                            name: format!("{tier}-{env}"),
                            description: String::new(),
                            environment: Environment::parse(env).unwrap_or(Environment::Prod),
                            region: (*region).to_owned(),
                            rule: Some(rule),
                        },
                    )
                    .await?;
                }
            }
        }
        if *app == "shop" {
            added += checkout(state, &system, application.id).await?;
        }
    }
    Ok(added)
}

/// The shop's checkout sub-application: one component whose group is picked by hand.
async fn checkout(state: &AppState, system: &Actor, shop: i64) -> Result<usize, AppError> {
    let sub = applications::create(
        state,
        system,
        ApplicationDraft {
            name: "shop-checkout".to_owned(),
            description: "Basket and checkout, run by the shop team".to_owned(),
            parent_id: Some(shop),
        },
    )
    .await?;
    let component = applications::create_component(
        state,
        system,
        ComponentDraft {
            application_id: sub.id,
            name: "checkout-api".to_owned(),
            description: "The checkout API hosts".to_owned(),
        },
    )
    .await?;
    let group = groups::create(
        state,
        system,
        GroupDraft {
            component_id: component.id,
            name: "checkout-prod".to_owned(),
            description: "Picked by hand: the API hosts that serve checkout".to_owned(),
            environment: Environment::Prod,
            region: "eu-west-1".to_owned(),
            rule: None,
        },
    )
    .await?;
    let picked = resources::list(
        state,
        system,
        &ResourceFilter {
            q: Some("shop-prod-api".to_owned()),
            ..Default::default()
        },
        &ListParams::default(),
    )
    .await?;
    let ids: Vec<i64> = picked.items.iter().map(|r| r.id).collect();
    if !ids.is_empty() {
        groups::associate(state, system, group.id, &ids).await?;
    }
    Ok(1)
}

/// Adds the operations team's on-call schedule unless a schedule exists: a weekly rotation of
/// the operators handing off on Mondays at 09:00 Berlin time, an escalation lead, and a war-room
/// rule that brings the lead into major rooms.
/// Returns how many schedules were added.
pub async fn load_schedules(state: &AppState) -> Result<usize, AppError> {
    let system = Actor::system();
    if !schedules::list(state, &system).await?.is_empty() {
        return Ok(0);
    }
    let schedule = schedules::create(
        state,
        &system,
        ScheduleDraft {
            name: "ops-oncall".to_owned(),
            description: "The operations team".to_owned(),
            time_zone: "Europe/Berlin".to_owned(),
        },
    )
    .await?;
    let operators = schedules::user_ids(
        state,
        &system,
        "members",
        "asmith, jmuller, sokafor, lgarcia",
    )
    .await?;
    schedules::create_role(
        state,
        &system,
        schedule.id,
        RoleDraft {
            name: "primary".to_owned(),
            members: operators,
            rotation: Some(Rotation {
                start: "2026-01-05T09:00:00"
                    .parse()
                    .map_err(app::store::internal)?,
                every_days: 7,
            }),
        },
    )
    .await?;
    let lead = schedules::user_ids(state, &system, "members", "mchen, rkapoor").await?;
    schedules::create_role(
        state,
        &system,
        schedule.id,
        RoleDraft {
            name: "incident-lead".to_owned(),
            members: lead,
            rotation: None,
        },
    )
    .await?;
    // The incident lead joins every P1 and P2 war room.
    war_rooms::create_rule(
        state,
        &system,
        NewWarRoomRule {
            name: "Incident lead for P1/P2".to_owned(),
            levels: vec![Level::P1, Level::P2],
            application_ids: vec![],
            schedule_id: schedule.id,
            schedule_role: "incident-lead".to_owned(),
            member_role: MemberRole::RecoveryLead,
        },
    )
    .await?;
    Ok(1)
}

/// A demo user acting in the console.
async fn acting(state: &AppState, username: &str) -> Result<Actor, AppError> {
    let system = Actor::system();
    let id = schedules::user_ids(state, &system, "user", username).await?[0];
    let user = users::get(state, &system, id).await?;
    Ok(Actor {
        user: Some(user.as_ref()),
        method: Method::Ui,
        token_id: None,
    })
}

/// One demo action: by the owner (`true`) or the creator, with its parameters.
type Step = (bool, Action, Value);

/// Takes `action` on `incident` as `who`, returning the incident after it.
async fn step(
    state: &AppState,
    who: &Actor,
    incident: Incident,
    action: Action,
    params: Value,
) -> Result<Incident, AppError> {
    let request = ActionRequest {
        action,
        params,
        version: incident.version,
    };
    workflow::act::<Incident>(state, who, incident.id, request).await
}

/// Adds incidents in every state unless incidents exist: Alex Smith opens them, Jonas Müller
/// owns them. Returns how many were added.
pub async fn load_incidents(state: &AppState) -> Result<usize, AppError> {
    let system = Actor::system();
    let page = incidents::list(
        state,
        &system,
        &IncidentFilter::default(),
        &ListParams::default(),
    )
    .await?;
    if page.total > 0 {
        return Ok(0);
    }
    let creator = acting(state, "asmith").await?;
    let owner = acting(state, "jmuller").await?;
    let owner_id = owner.id().unwrap_or_default();
    let apps = applications::names(state, &system).await?;
    let app = |name: &str| apps.iter().find(|(_, n)| n == name).map(|(id, _)| *id);
    let open = |title: &str, level: Level, category: Category, application: &str| NewIncident {
        title: title.to_owned(),
        description: String::new(),
        level,
        category,
        application_id: app(application),
        region: String::new(),
        owner: Assignee::User { user_id: owner_id },
    };
    let now = state.now();
    let mut added = 0;
    let cases: Vec<(NewIncident, Vec<Step>)> = vec![
        (
            open(
                "Checkout latency above 2 s",
                Level::P2,
                Category::Reliability,
                "shop",
            ),
            vec![],
        ),
        (
            open(
                "Payment provider timeouts",
                Level::P1,
                Category::Function,
                "payments",
            ),
            vec![
                (true, Action::Accept, json!({})),
                (
                    false,
                    Action::Remark,
                    json!({"text": "Card payments fail for about 8 % of customers."}),
                ),
                (
                    true,
                    Action::StartWarRoom,
                    json!({"title": "Payments outage"}),
                ),
            ],
        ),
        (
            open(
                "Search index rebuild failing",
                Level::P3,
                Category::Middleware,
                "search",
            ),
            vec![(
                true,
                Action::Reject,
                json!({"reason": "Planned maintenance, see the change calendar."}),
            )],
        ),
        (
            open(
                "Ledger nightly batch delayed",
                Level::P3,
                Category::Reliability,
                "ledger",
            ),
            vec![
                (true, Action::Accept, json!({})),
                (
                    true,
                    Action::Pause,
                    json!({"until": now + chrono::Duration::hours(6), "reason": "Waiting for the bank's file."}),
                ),
            ],
        ),
        (
            open(
                "Login errors for EU users",
                Level::P2,
                Category::Function,
                "identity",
            ),
            vec![
                (true, Action::Accept, json!({})),
                (
                    true,
                    Action::SubmitSolution,
                    json!({"cause": "An expired signing certificate.", "solution": "Rotated the certificate and added an expiry alarm.", "service_interrupted": true, "fault_started_at": now - chrono::Duration::hours(3), "recovered_at": now - chrono::Duration::hours(2)}),
                ),
            ],
        ),
        (
            open(
                "Disk full on shop-prod-db-01",
                Level::P2,
                Category::Configuration,
                "shop",
            ),
            vec![
                (true, Action::Accept, json!({})),
                (
                    true,
                    Action::SubmitSolution,
                    json!({"cause": "WAL archiving stopped.", "solution": "Restarted archiving and freed 200 GiB."}),
                ),
                (
                    false,
                    Action::Verify,
                    json!({"resolved": true, "comment": "Disk at 41 %."}),
                ),
                (
                    false,
                    Action::CreateImprovement,
                    json!({"title": "Alert when WAL archiving stops", "owner": {"user_id": owner_id},
                           "verifier_id": creator.id(), "due_on": (now + chrono::Duration::days(7)).date_naive()}),
                ),
            ],
        ),
        (
            open("Duplicate cache alert", Level::P5, Category::Other, "shop"),
            vec![
                (
                    true,
                    Action::Reject,
                    json!({"reason": "Same as the checkout latency incident."}),
                ),
                (false, Action::Close, json!({"comment": "Agreed."})),
            ],
        ),
    ];
    for (new, steps) in cases {
        let mut incident = incidents::create(state, &creator, new, IncidentSource::Manual).await?;
        for (by_owner, action, params) in steps {
            let who = if by_owner { &owner } else { &creator };
            incident = step(state, who, incident, action, params).await?;
        }
        if let Some(room) = war_rooms::of_incident(state, &system, incident.id).await? {
            work_the_room(state, &owner, room.id, app("payments")).await?;
        }
        added += 1;
    }
    load_problems(state, &creator, &owner, app("payments")).await?;
    Ok(added)
}

/// The demo war room: an engineer invited, the affected application named, two notices.
async fn work_the_room(
    state: &AppState,
    admin: &Actor,
    room: i64,
    application: Option<i64>,
) -> Result<(), AppError> {
    let engineer = acting(state, "sokafor").await?;
    war_rooms::put_member(
        state,
        admin,
        room,
        engineer.id().unwrap_or_default(),
        MemberRole::Engineer,
    )
    .await?;
    if let Some(app) = application {
        war_rooms::add_application(state, admin, room, app).await?;
    }
    for (kind, body) in [
        (
            NoticeKind::First,
            "Card payments time out at the provider for about 8 % of customers since 08:40.",
        ),
        (
            NoticeKind::Progress,
            "Traffic moved to the secondary provider; error rate falling.",
        ),
    ] {
        let notice = NewNotice {
            kind,
            body: body.to_owned(),
        };
        war_rooms::post_notice(state, &engineer, room, notice).await?;
    }
    Ok(())
}

/// Two demo problems: one being located with a suspension waiting for its creator, one waiting
/// for verification.
async fn load_problems(
    state: &AppState,
    creator: &Actor,
    owner: &Actor,
    application: Option<i64>,
) -> Result<(), AppError> {
    let owner_id = owner.id().unwrap_or_default();
    let new = |title: &str, level: ProblemLevel| NewProblem {
        title: title.to_owned(),
        description: String::new(),
        level,
        source: ProblemSource::Proactive,
        source_id: None,
        application_id: application,
        owner: Assignee::User { user_id: owner_id },
    };
    let cases = [
        (
            new(
                "Payment provider timeouts recur weekly",
                ProblemLevel::Major,
            ),
            vec![
                (ProblemAction::Accept, json!({})),
                (
                    ProblemAction::Suspend,
                    json!({"reason": "Waiting for the provider's root-cause report."}),
                ),
            ],
        ),
        (
            new("Certificates expire unnoticed", ProblemLevel::Critical),
            vec![
                (ProblemAction::Accept, json!({})),
                (
                    ProblemAction::SubmitSolution,
                    json!({"root_cause": "No inventory of certificates.", "solution": "Certificates are now tracked with expiry alarms 30 days ahead."}),
                ),
            ],
        ),
    ];
    for (new, steps) in cases {
        let mut problem = problems::create(state, creator, new).await?;
        for (action, params) in steps {
            let request = ActionRequest {
                action,
                params,
                version: problem.version,
            };
            problem = workflow::act::<Problem>(state, owner, problem.id, request).await?;
        }
    }
    Ok(())
}

/// Adds changes unless changes exist: a review flow for risky normal changes, a standard change
/// in the library, and changes waiting for review, approved, and run, in the coming days.
/// Returns how many changes were added.
pub async fn load_changes(state: &AppState) -> Result<usize, AppError> {
    let system = Actor::system();
    let page = changes::list(
        state,
        &system,
        &ChangeFilter::default(),
        &ListParams::default(),
    )
    .await?;
    if page.total > 0 {
        return Ok(0);
    }
    let person = |id: Option<i64>| Assignee::User {
        user_id: id.unwrap_or_default(),
    };
    let (lead, admin) = (
        acting(state, "asmith").await?,
        acting(state, "mchen").await?,
    );
    let (planner, doer) = (
        acting(state, "sokafor").await?,
        acting(state, "jmuller").await?,
    );
    review_flows::create(
        state,
        &system,
        NewReviewFlow {
            name: "Risky production changes".into(),
            change_type: ChangeType::Normal,
            levels: vec![RiskLevel::A, RiskLevel::B],
            stages: vec![
                StageDef {
                    name: "Team lead".into(),
                    approvers: vec![person(lead.id())],
                    mode: Mode::Any,
                },
                StageDef {
                    name: "Change board".into(),
                    approvers: vec![
                        person(admin.id()),
                        person(acting(state, "rkapoor").await?.id()),
                    ],
                    mode: Mode::Any,
                },
            ],
        },
    )
    .await?;
    let apps = applications::names(state, &system).await?;
    let app = |name: &str| apps.iter().find(|(_, n)| n == name).map(|(id, _)| *id);
    let restart = change_templates::create(
        state,
        &system,
        NewChangeTemplate {
            name: "Restart a web node".into(),
            title: "Restart one shop web node".into(),
            description: "Drain it from the load balancer, restart, and put it back.".into(),
            level: RiskLevel::D,
            application_id: app("shop"),
            rollback_plan: "Put the node back behind the load balancer.".into(),
            duration_minutes: 30,
        },
    )
    .await?;
    let day = |days: i64, hour: u32| {
        (state.now().date_naive() + chrono::Duration::days(days))
            .and_hms_opt(hour, 0, 0)
            .unwrap_or_default()
            .and_utc()
    };
    let now = state.now();
    let plan =
        |title: &str, change_type: ChangeType, level: RiskLevel, application: &str, start| {
            NewChange {
                change_type,
                draft: ChangeDraft {
                    title: title.to_owned(),
                    description: String::new(),
                    level,
                    application_id: app(application),
                    group_ids: None,
                    resource_ids: None,
                    implementer: person(doer.id()),
                    planned_start: start,
                    planned_end: start + chrono::Duration::hours(2),
                    rollback_plan: "Deploy the previous release again.".into(),
                    problem_id: None,
                    incident_id: None,
                },
            }
        };
    type Steps<'a> = Vec<(&'a Actor, ChangeAction, Value)>;
    let cases: Vec<(NewChange, Steps)> = vec![
        (
            plan(
                "Upgrade the checkout service to 4.2",
                ChangeType::Normal,
                RiskLevel::B,
                "shop",
                day(1, 20),
            ),
            vec![(&planner, ChangeAction::Submit, json!({}))],
        ),
        (
            plan(
                "Rotate the payment gateway certificates",
                ChangeType::Normal,
                RiskLevel::C,
                "payments",
                day(3, 9),
            ),
            vec![
                (&planner, ChangeAction::Submit, json!({})),
                (
                    &admin,
                    ChangeAction::Approve,
                    json!({"comment": "Rollback rehearsed on staging."}),
                ),
            ],
        ),
        (
            plan(
                "Add an index to ledger entries",
                ChangeType::Emergency,
                RiskLevel::A,
                "ledger",
                now - chrono::Duration::hours(1),
            ),
            vec![
                (
                    &planner,
                    ChangeAction::Submit,
                    json!({"comment": "Month-end close is timing out."}),
                ),
                (&doer, ChangeAction::Start, json!({})),
                (
                    &doer,
                    ChangeAction::RecordResult,
                    json!({"result": "succeeded"}),
                ),
            ],
        ),
    ];
    let mut added = 0;
    for (new, steps) in cases {
        let mut change = changes::create(state, &planner, new).await?;
        for (who, action, params) in steps {
            let request = ActionRequest {
                action,
                params,
                version: change.version,
            };
            change = workflow::act::<Change>(state, who, change.id, request).await?;
        }
        added += 1;
    }
    let from = FromTemplate {
        implementer: person(doer.id()),
        planned_start: day(7, 6),
    };
    changes::from_template(state, &planner, restart.id, from).await?;
    Ok(added + 1)
}

/// Adds two data sources (Prometheus' Alertmanager and a generic one), forwarding rules that open
/// incidents for critical production alarms and drop synthetic probes, and a few pushes through
/// the real ingestion path, unless a data source exists. Returns how many sources were added.
pub async fn load_alarms(state: &AppState) -> Result<usize, AppError> {
    let system = Actor::system();
    if !data_sources::list(state, &system).await?.is_empty() {
        return Ok(0);
    }
    let source = |name: &str, kind| NewDataSource {
        name: name.to_owned(),
        kind,
        enabled: true,
    };
    let prometheus = data_sources::create(
        state,
        &system,
        source("prometheus-prod", DataSourceKind::Alertmanager),
    )
    .await?;
    let checks = data_sources::create(
        state,
        &system,
        source("custom-checks", DataSourceKind::Generic),
    )
    .await?;
    let schedule = schedules::list(state, &system).await?;
    let primary = Assignee::OnDuty {
        schedule_id: schedule.first().map(|s| s.id).unwrap_or_default(),
        role: "primary".to_owned(),
    };
    let condition = |field: &str, op, value: &str| Condition {
        field: field.to_owned(),
        op,
        value: value.to_owned(),
    };
    forwarding_rules::create(
        state,
        &system,
        NewForwardingRule {
            name: "Drop synthetic probes".to_owned(),
            enabled: true,
            data_source_ids: vec![],
            groups: vec![vec![condition("name", Op::StartsWith, "synthetic")]],
            action: RuleAction::Drop,
            silence: true,
            group_by: vec![],
            silence_window_minutes: 60,
        },
    )
    .await?;
    forwarding_rules::create(
        state,
        &system,
        NewForwardingRule {
            name: "Critical production alarms page the on-call".to_owned(),
            enabled: true,
            data_source_ids: vec![],
            groups: vec![vec![
                condition("level", Op::Eq, "critical"),
                condition("labels.env", Op::Eq, "prod"),
            ]],
            action: RuleAction::Incident {
                level: Level::P2,
                category: Category::Reliability,
                owner: primary,
                application_id: None,
            },
            silence: true,
            group_by: vec!["alertname".to_owned()],
            silence_window_minutes: 60,
        },
    )
    .await?;
    let alert = |name: &str, severity: &str, instance: &str, status: &str| {
        json!({"status": status, "fingerprint": format!("{name}-{instance}"),
               "labels": {"alertname": name, "severity": severity, "env": "prod",
                          "instance": format!("{instance}:9100"), "service": "shop"},
               "annotations": {"summary": format!("{name} on {instance}")},
               "generatorURL": "http://prometheus.example.com/graph"})
    };
    let am = json!({"version": "4", "status": "firing", "receiver": "opsroom", "alerts": [
        alert("HighLatency", "critical", "shop-prod-web-01", "firing"),
        alert("HighLatency", "critical", "shop-prod-web-02", "firing"),
        alert("DiskWillFillIn4Hours", "warning", "shop-prod-db-01", "firing"),
        alert("NodeClockSkew", "warning", "shop-prod-api-01", "firing"),
    ]});
    alarms::ingest(
        state,
        DataSourceKind::Alertmanager,
        &prometheus.key,
        am.to_string().as_bytes(),
    )
    .await?;
    let generic = json!([
        {"dedup_key": "backup/ledger", "name": "Nightly ledger backup late", "level": "major",
         "resource": "ledger-prod-db-01", "application": "ledger", "labels": {"env": "prod", "team": "dba"}},
        {"dedup_key": "cert/shop", "name": "TLS certificate expires in 9 days", "level": "minor",
         "application": "shop", "labels": {"env": "prod"}},
        {"dedup_key": "synthetic/login", "name": "synthetic login probe failed", "level": "critical",
         "labels": {"env": "prod"}},
        {"dedup_key": "queue/payments", "name": "Payment queue backlog", "level": "major",
         "application": "payments", "labels": {"env": "prod"}},
        {"dedup_key": "queue/payments", "status": "ok"}
    ]);
    alarms::ingest(
        state,
        DataSourceKind::Generic,
        &checks.key,
        generic.to_string().as_bytes(),
    )
    .await?;
    Ok(2)
}

#[cfg(test)]
mod tests {
    use super::estate;

    #[test]
    fn the_estate_is_valid_and_unique() {
        let drafts = estate();
        assert!(drafts.len() >= 40, "{} resources", drafts.len());
        let mut keys = std::collections::HashSet::new();
        for d in drafts {
            let d = d.normalized().expect("valid demo resource");
            assert!(keys.insert((d.name, d.provider, d.region)));
        }
    }
}
