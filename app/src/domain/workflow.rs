//! The ticket kernel: what every kind of ticket (incident, improvement, problem, and the kinds
//! to come) is made of. A kind declares its states and actions, a table of which action may be
//! taken from which states by whom ([`Rule`]), a typed command per action ([`commands!`]) and
//! one pure decision ([`Ticket::decide`]); the checks, the wire format of an action and the
//! timeline line are the same for all of them, and `service::workflow` runs every action of
//! every kind through one use case.

use super::AppError;
use super::enums::Named;
use super::incident::{Assignee, DESCRIPTION_MAX, REASON_MAX, REMARK_MAX, TITLE_MAX, check_len};
use super::user::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt::Display;

/// A kind of ticket.
pub trait Ticket: Clone + Serialize + Send + Sync + 'static {
    type Status: Named;
    type Action: Named + Serialize + serde::de::DeserializeOwned;
    /// The action with its typed parameters.
    type Command: Command<Action = Self::Action>;
    /// What the rules need to know beyond the ticket itself (an incident: whether it has a war
    /// room), read by the service.
    type Facts: Send + Sync;
    /// The kind's name in timelines, the audit log and attachments: `incident`.
    const KIND: &'static str;
    /// The kind in messages: `Incident`.
    const NOUN: &'static str;
    const RULES: &'static [Rule<Self::Status, Self::Action>];
    /// The action that adds a remark: files are attached by those who may remark, where they
    /// may.
    const REMARK: Self::Action;

    fn id(&self) -> i64;
    fn version(&self) -> i32;
    fn status(&self) -> Self::Status;
    /// The caller's part in this ticket.
    fn party(&self, user_id: Option<i64>, role: Role) -> Party;

    /// Refuses (409) an action the table allows that the ticket's situation does not (a level
    /// change waiting for approval, a war room already open).
    fn gate(&self, _action: Self::Action, _facts: &Self::Facts) -> Result<(), AppError> {
        Ok(())
    }

    /// Reads an allowed action's parameters.
    fn command(action: Self::Action, params: &Params) -> Result<Self::Command, AppError> {
        Self::Command::parse(action, params)
    }

    /// The ticket after `command`, and the timeline's comment; `found` is what the service
    /// looked up for it. Pure: every check of the parameters against the ticket is here.
    fn decide(
        &self,
        command: Self::Command,
        found: Found,
        now: DateTime<Utc>,
    ) -> Result<Decision<Self>, AppError>;
}

/// An action with its typed parameters (declared with [`commands!`]).
pub trait Command: Sized + Send {
    type Action;
    fn action(&self) -> Self::Action;
    /// Reads `action`'s parameters; a 422 naming the field when they do not read.
    fn parse(action: Self::Action, params: &Params) -> Result<Self, AppError>;
}

/// What the service looked up for a command, where the decision needs the database: the
/// person a `forward` goes to, or a line naming what an action opened.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Found {
    /// Who takes the action (`None`: the system); set by the kernel.
    pub by: Option<i64>,
    pub owner: Option<i64>,
    /// What the command opened (a problem from a failed change).
    pub opened: Option<i64>,
    pub note: Option<String>,
    /// The review a submission begins, its people resolved.
    pub review: Option<super::review::Review>,
}

impl Found {
    /// The person an assignment resolved to.
    pub fn to(owner: i64) -> Found {
        Found {
            owner: Some(owner),
            ..Found::default()
        }
    }

    /// A line naming what the command opened, for the timeline.
    pub fn noted(note: String) -> Found {
        Found {
            note: Some(note),
            ..Found::default()
        }
    }

    /// The person an assignment resolved to.
    pub fn owner(&self) -> Result<i64, AppError> {
        self.owner
            .ok_or_else(|| AppError::invalid("to", "nobody to hand it to"))
    }
}

/// What an action decided.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision<T> {
    pub after: T,
    pub comment: String,
}

/// `POST /v1/{kind}/{id}/actions`, the same for every kind: what to do, its parameters, and the
/// version the caller saw. The parameters are read into the kind's typed command once the
/// action is known to be allowed (so a refusal names the state or the person first).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionRequest<A> {
    pub action: A,
    #[serde(default)]
    pub params: serde_json::Value,
    pub version: i32,
}

/// An action's parameters as they came: the JSON of an API request (absent means none), or the
/// fields of a console form. Both are read into the same typed command.
#[derive(Clone, Debug, PartialEq)]
pub enum Params {
    Json(serde_json::Value),
    /// Name and value of each field; an empty field counts as absent.
    Form(Vec<(String, String)>),
}

impl Params {
    /// The parameters of one action, typed.
    pub fn read<T: serde::de::DeserializeOwned>(&self) -> Result<T, AppError> {
        match self {
            Params::Json(value) => params(value),
            Params::Form(fields) => form_params(fields),
        }
    }
}

/// A form's fields read into `T`, as a query string is: an empty field is absent, a missing
/// one is refused naming it, and numbers, dates and `true`/`false` are read from their text.
fn form_params<T: serde::de::DeserializeOwned>(fields: &[(String, String)]) -> Result<T, AppError> {
    let given: Vec<&(String, String)> = fields
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
    let query =
        serde_urlencoded::to_string(given).map_err(|e| AppError::malformed(e.to_string()))?;
    serde_urlencoded::from_str(&query).map_err(|e| {
        let detail = e.to_string();
        match detail
            .split("missing field `")
            .nth(1)
            .and_then(|r| r.split('`').next())
        {
            Some(field) => AppError::invalid(field, "is required"),
            None => AppError::invalid("params", detail),
        }
    })
}

/// "An incident", "A problem".
fn a_noun<T: Ticket>() -> String {
    let noun = T::NOUN.to_lowercase();
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "An"
    } else {
        "A"
    };
    format!("{article} {noun}")
}

/// The actions `party` may take on `ticket` now, in the table's order.
pub fn allowed<T: Ticket>(ticket: &T, facts: &T::Facts, party: Party) -> Vec<T::Action> {
    allowed_by(T::RULES, ticket.status(), party)
        .into_iter()
        .filter(|a| ticket.gate(*a, facts).is_ok())
        .collect()
}

/// Refuses an action from the wrong state or situation (409) or by the wrong person (403).
pub fn check<T: Ticket>(
    ticket: &T,
    facts: &T::Facts,
    action: T::Action,
    party: Party,
) -> Result<(), AppError> {
    check_by(T::RULES, &a_noun::<T>(), ticket.status(), action, party)?;
    ticket.gate(action, facts)
}

/// Whether `party` may attach files to `ticket` now: where and by whom remarks are taken.
pub fn may_attach<T: Ticket>(ticket: &T, facts: &T::Facts, party: Party) -> bool {
    check(ticket, facts, T::REMARK, party).is_ok()
}

/// Refuses a file where no remark may be added.
pub fn check_attach<T: Ticket>(ticket: &T, facts: &T::Facts, party: Party) -> Result<(), AppError> {
    if may_attach(ticket, facts, party) {
        return Ok(());
    }
    Err(AppError::conflict(format!(
        "{} that is {} takes no more files.",
        a_noun::<T>(),
        ticket.status()
    )))
}

/// Who may take an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// The ticket's current owner.
    Owner,
    /// Whoever created the ticket.
    Creator,
    CreatorOrAdmin,
    /// The person named to verify the ticket.
    Verifier,
    /// Someone the ticket's review waits on now.
    Approver,
    /// Any operator or administrator.
    Operator,
    Admin,
}

impl Who {
    fn describe(self) -> &'static str {
        match self {
            Who::Owner => "owner",
            Who::Creator => "creator",
            Who::CreatorOrAdmin => "creator or administrator",
            Who::Verifier => "verifier",
            Who::Approver => "approver",
            Who::Operator => "operator",
            Who::Admin => "administrator",
        }
    }
}

/// What a workflow needs to know about the caller and the ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Party {
    pub role: Role,
    pub is_owner: bool,
    pub is_creator: bool,
    pub is_verifier: bool,
    pub is_approver: bool,
}

impl Party {
    /// The part of user `user_id` (`None`: the system) with `role` in a ticket with these
    /// people.
    pub fn of(
        user_id: Option<i64>,
        role: Role,
        owner_id: i64,
        creator_id: Option<i64>,
        verifier_id: Option<i64>,
    ) -> Party {
        let is = |id: Option<i64>| user_id.is_some() && user_id == id;
        Party {
            role,
            is_owner: is(Some(owner_id)),
            is_creator: is(creator_id),
            is_verifier: is(verifier_id),
            is_approver: false,
        }
    }

    /// Viewers take no action at all; everyone else as their part says.
    pub fn is(self, who: Who) -> bool {
        if !self.role.allows(Role::Operator) {
            return false;
        }
        match who {
            Who::Owner => self.is_owner,
            Who::Creator => self.is_creator,
            Who::CreatorOrAdmin => self.is_creator || self.role == Role::Admin,
            Who::Verifier => self.is_verifier,
            Who::Approver => self.is_approver,
            Who::Operator => true,
            Who::Admin => self.role == Role::Admin,
        }
    }
}

/// One line of a table: an action, the states it starts from, and who may take it.
pub struct Rule<S: 'static, A> {
    pub action: A,
    pub from: &'static [S],
    pub who: Who,
}

/// The actions `party` may take from `status`, in the table's order.
pub fn allowed_by<S: PartialEq, A: Copy>(rules: &[Rule<S, A>], status: S, party: Party) -> Vec<A> {
    rules
        .iter()
        .filter(|r| r.from.contains(&status) && party.is(r.who))
        .map(|r| r.action)
        .collect()
}

/// Refuses an action from the wrong state (409, naming the states it needs) or by the wrong
/// person (403). `ticket` names the kind in messages ("An incident").
pub fn check_by<S, A>(
    rules: &[Rule<S, A>],
    ticket: &str,
    status: S,
    action: A,
    party: Party,
) -> Result<(), AppError>
where
    S: PartialEq + Copy + Display,
    A: PartialEq + Copy + Display,
{
    let Some(rule) = rules.iter().find(|r| r.action == action) else {
        return Err(AppError::conflict(format!(
            "{ticket} cannot take '{action}'."
        )));
    };
    if !rule.from.contains(&status) {
        let from: Vec<String> = rule.from.iter().map(|s| s.to_string()).collect();
        return Err(AppError::conflict(format!(
            "{ticket} that is {status} cannot take '{action}'; it needs one that is {}.",
            from.join(" or ")
        )));
    }
    if !party.is(rule.who) {
        return Err(AppError::forbidden(
            format!("'{action}' on this ticket"),
            rule.who.describe(),
        ));
    }
    Ok(())
}

/// One line of a ticket's timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub status_before: Option<String>,
    pub status_after: String,
    pub comment: String,
    /// Fields that changed: `{field: [before, after]}`.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub changes: serde_json::Value,
}

impl HistoryEntry {
    /// "accepted → resolved", or nothing when the state stayed.
    pub fn moved(&self) -> Option<String> {
        match &self.status_before {
            Some(b) if *b != self.status_after => Some(format!("{b} → {}", self.status_after)),
            _ => None,
        }
    }

    /// "level: P3 → P1" per changed field ("—" for nothing).
    pub fn changed(&self) -> Vec<String> {
        let show = |v: &serde_json::Value| match v {
            serde_json::Value::Null => "—".to_owned(),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        self.changes
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        format!("{}: {} → {}", k.replace('_', " "), show(&v[0]), show(&v[1]))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The fields that differ between two versions of a ticket, as `{field: [before, after]}`,
/// leaving out bookkeeping (`version`, `updated_at`, `status` and anything in `skip`).
pub fn diff(before: &impl Serialize, after: &impl Serialize, skip: &[&str]) -> serde_json::Value {
    use serde_json::{Value, json};
    let (Ok(Value::Object(b)), Ok(Value::Object(a))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return json!({});
    };
    let diff: serde_json::Map<String, Value> = a
        .into_iter()
        .filter(|(k, v)| {
            !["version", "updated_at", "status"].contains(&k.as_str())
                && !skip.contains(&k.as_str())
                && b.get(k) != Some(v)
        })
        .map(|(k, v)| {
            let was = b.get(&k).cloned().unwrap_or(Value::Null);
            (k, json!([was, v]))
        })
        .collect();
    Value::Object(diff)
}

/// The parameters of an action, read from its JSON (absent means none).
pub fn params<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Result<T, AppError> {
    let value = if value.is_null() {
        serde_json::json!({})
    } else {
        value.clone()
    };
    serde_json::from_value(value).map_err(|e| AppError::invalid("params", e.to_string()))
}

/// Declares a kind's typed commands, one variant per action (named as the action's variant),
/// with its parameters or none:
/// `commands! { pub enum IncidentCommand for Action as "IncidentActionRequest" { Accept, Reject(Reason) } }`
/// gives the enum, its [`Command`] (`action()`, `parse(action, params)`), and, on the server, the OpenAPI schema of `ActionRequest<Action>` under that name:
/// one object per action with its own parameters.
#[macro_export]
macro_rules! commands {
    ($(#[$meta:meta])* pub enum $name:ident for $action:ident as $schema:literal {
        $($(#[$vmeta:meta])* $variant:ident $(($params:ty))?),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        pub enum $name {
            $($(#[$vmeta])* $variant $(($params))?),+
        }

        impl $crate::domain::workflow::Command for $name {
            type Action = $action;

            fn action(&self) -> $action {
                match self {
                    $($name::$variant { .. } => $action::$variant),+
                }
            }

            fn parse(
                action: $action,
                params: &$crate::domain::workflow::Params,
            ) -> Result<$name, $crate::domain::AppError> {
                Ok(match action {
                    $($action::$variant => $crate::commands!(@read $name $variant params $($params)?)),+
                })
            }
        }

        #[cfg(feature = "ssr")]
        impl utoipa::PartialSchema for $crate::domain::workflow::ActionRequest<$action> {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let mut one_of = utoipa::openapi::schema::OneOfBuilder::new();
                $(
                    one_of = one_of.item($crate::domain::workflow::action_schema(
                        $action::$variant.as_str(),
                        $crate::commands!(@schema $($params)?),
                    ));
                )+
                one_of.into()
            }
        }

        #[cfg(feature = "ssr")]
        impl utoipa::ToSchema for $crate::domain::workflow::ActionRequest<$action> {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed($schema)
            }

            fn schemas(
                schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>,
            ) {
                $($crate::commands!(@deps schemas $($params)?);)+
            }
        }
    };
    (@read $name:ident $variant:ident $value:ident) => { $name::$variant };
    (@read $name:ident $variant:ident $value:ident $params:ty) => {
        $name::$variant($value.read::<$params>()?)
    };
    (@schema) => { None };
    (@schema $params:ty) => { Some(<$params as utoipa::PartialSchema>::schema()) };
    (@deps $out:ident) => {};
    (@deps $out:ident $params:ty) => { <$params as utoipa::ToSchema>::schemas($out) };
}

/// One action's request in the OpenAPI document: `{action: "<name>", params, version}`.
/// `params` may be left out where an action takes none or only optional ones.
#[cfg(feature = "ssr")]
pub fn action_schema(
    action: &str,
    params: Option<utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>>,
) -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    let mut object = ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::Object))
        .property(
            "action",
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::String))
                .enum_values(Some([action])),
        )
        .required("action")
        .property(
            "version",
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::Integer))
                .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
                    utoipa::openapi::schema::KnownFormat::Int32,
                ))),
        )
        .required("version");
    if let Some(params) = params {
        object = object.property("params", params);
    }
    object.build()
}

/// `{reason}`: required, at most 500 characters (a rejection, a cancellation, a suspension).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Reason {
    /// 1–500 characters.
    pub reason: String,
}

impl Reason {
    pub fn checked(mut self) -> Result<String, AppError> {
        check_len("reason", &mut self.reason, 1, REASON_MAX)?;
        Ok(self.reason)
    }
}

/// `{comment?}`: at most 500 characters.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Comment {
    /// At most 500 characters.
    #[serde(default)]
    pub comment: String,
}

impl Comment {
    pub fn checked(mut self) -> Result<String, AppError> {
        check_len("comment", &mut self.comment, 0, REASON_MAX)?;
        Ok(self.comment)
    }
}

/// `{text}`: a remark of 1–1000 characters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Remark {
    /// 1–1000 characters.
    pub text: String,
}

impl Remark {
    pub fn checked(mut self) -> Result<String, AppError> {
        check_len("text", &mut self.text, 1, REMARK_MAX)?;
        Ok(self.text)
    }
}

/// `{to, comment?}`: hands a ticket to someone else, a person or whoever is on duty.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Forward {
    pub to: Assignee,
    /// At most 500 characters.
    #[serde(default)]
    pub comment: String,
}

impl Forward {
    /// The comment, once the new owner (`found`) is known not to be the current one.
    pub fn checked(mut self, owner: i64, found: &Found) -> Result<(i64, String), AppError> {
        check_len("comment", &mut self.comment, 0, REASON_MAX)?;
        let to = found.owner()?;
        if to == owner {
            return Err(AppError::invalid("to", "it is theirs already"));
        }
        Ok((to, self.comment))
    }
}

/// `{approve, comment?}`: an administrator's or creator's answer to what waits for them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Approve {
    pub approve: bool,
    /// At most 500 characters.
    #[serde(default)]
    pub comment: String,
}

impl Approve {
    pub fn checked(mut self) -> Result<(bool, String), AppError> {
        check_len("comment", &mut self.comment, 0, REASON_MAX)?;
        Ok((self.approve, self.comment))
    }
}

/// A resubmission's new title and description, where given, checked and put in place.
pub fn retitle(
    title: Option<String>,
    description: Option<String>,
    into_title: &mut String,
    into_description: &mut String,
) -> Result<(), AppError> {
    if let Some(mut title) = title {
        check_len("title", &mut title, 1, TITLE_MAX)?;
        *into_title = title;
    }
    if let Some(mut description) = description {
        check_len("description", &mut description, 0, DESCRIPTION_MAX)?;
        *into_description = description;
    }
    Ok(())
}

/// `verify` {passed, comment?}: whether the work holds; a no needs its comment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Passed {
    pub passed: bool,
    /// Required when it did not pass; at most 500 characters.
    #[serde(default)]
    pub comment: String,
}

/// A yes-or-no answer's comment: required when the answer is no, at most `max` characters.
pub fn verdict(yes: bool, mut comment: String, max: usize) -> Result<(bool, String), AppError> {
    check_len("comment", &mut comment, usize::from(!yes), max)?;
    Ok((yes, comment))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum St {
        A,
        B,
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Act {
        Go,
        Look,
    }

    impl std::fmt::Display for St {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(if *self == St::A { "a" } else { "b" })
        }
    }

    impl std::fmt::Display for Act {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(if *self == Act::Go { "go" } else { "look" })
        }
    }

    const RULES: &[Rule<St, Act>] = &[
        Rule {
            action: Act::Go,
            from: &[St::A],
            who: Who::Verifier,
        },
        Rule {
            action: Act::Look,
            from: &[St::A, St::B],
            who: Who::Operator,
        },
    ];

    #[test]
    fn viewers_never_act_and_each_part_is_its_own() {
        let party = |role, is_verifier| Party {
            role,
            is_owner: false,
            is_creator: false,
            is_verifier,
            is_approver: false,
        };
        let verifier = party(Role::Operator, true);
        assert_eq!(allowed_by(RULES, St::A, verifier), vec![Act::Go, Act::Look]);
        assert_eq!(allowed_by(RULES, St::B, verifier), vec![Act::Look]);
        let viewer = party(Role::Viewer, true);
        assert!(allowed_by(RULES, St::A, viewer).is_empty());
        let e = check_by(RULES, "A thing", St::B, Act::Go, verifier).unwrap_err();
        assert_eq!(e.http_status(), 409);
        assert_eq!(
            e.to_string(),
            "A thing that is b cannot take 'go'; it needs one that is a."
        );
        let other = party(Role::Admin, false);
        let e = check_by(RULES, "A thing", St::A, Act::Go, other).unwrap_err();
        assert_eq!(e.http_status(), 403);
        assert!(e.to_string().contains("verifier"), "{e}");
    }

    #[test]
    fn a_part_is_by_person_and_the_system_is_nobody() {
        let p = Party::of(Some(1), Role::Operator, 1, Some(2), Some(3));
        assert!(p.is_owner && !p.is_creator && !p.is_verifier);
        let system = Party::of(None, Role::Admin, 1, None, None);
        assert!(!system.is_owner && !system.is_creator && !system.is_verifier);
        assert!(Party::of(Some(3), Role::Viewer, 1, Some(2), Some(3)).is_verifier);
    }

    #[test]
    fn changed_fields_read_as_sentences() {
        let entry = HistoryEntry {
            id: 1,
            at: DateTime::from_timestamp(0, 0).unwrap(),
            actor: "a".into(),
            action: "change_level".into(),
            status_before: Some("accepted".into()),
            status_after: "accepted".into(),
            comment: String::new(),
            changes: serde_json::json!({"level": ["P3", "P1"], "paused_until": [null, "x"], "n": [1, 2]}),
        };
        assert_eq!(entry.moved(), None);
        assert_eq!(
            entry.changed(),
            ["level: P3 → P1", "n: 1 → 2", "paused until: — → x"]
        );
    }

    #[test]
    fn changes_name_only_what_moved() {
        let before = serde_json::json!({"a": 1, "b": "x", "version": 1, "status": "s"});
        let after = serde_json::json!({"a": 2, "b": "x", "version": 2, "status": "t"});
        assert_eq!(diff(&before, &after, &[]), serde_json::json!({"a": [1, 2]}));
        assert_eq!(diff(&before, &after, &["a"]), serde_json::json!({}));
    }
}
