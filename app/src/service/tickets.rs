//! What every ticket change writes besides the ticket itself: a line in its timeline and a
//! record in the audit log, both in the caller's transaction.

use super::Actor;
use super::audit::{Change, record};
use crate::domain::AppError;
use crate::domain::incident::{
    Assignee, DESCRIPTION_MAX, REASON_MAX, REMARK_MAX, TITLE_MAX, check_len,
};
use crate::domain::workflow::{changes, params};
use crate::state::AppState;
use crate::store;
use crate::store::history::NewHistory;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::PgConnection;

/// One step of a ticket: the ticket as it was (absent when it is new) and as it is now, each
/// with its state.
pub(crate) struct Step<'a, T> {
    /// `incident`, `war_room`, `improvement` or `problem`.
    pub ticket: &'a str,
    pub id: i64,
    pub action: &'a str,
    pub comment: &'a str,
    pub before: Option<(&'a T, &'a str)>,
    pub after: (&'a T, &'a str),
}

/// Records `step`; `skip` names fields whose change is not worth a timeline mention.
pub(crate) async fn log<T: Serialize>(
    conn: &mut PgConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    step: Step<'_, T>,
    skip: &[&str],
) -> Result<(), AppError> {
    let diff = match step.before {
        Some((before, _)) => changes(before, step.after.0, skip),
        None => serde_json::json!({}),
    };
    store::history::add(
        conn,
        NewHistory {
            ticket: step.ticket,
            ticket_id: step.id,
            at: now,
            actor_id: actor.id(),
            actor_name: actor.name(),
            action: step.action,
            status_before: step.before.map(|(_, s)| s),
            status_after: step.after.1,
            comment: step.comment,
            changes: diff,
        },
    )
    .await?;
    let mut change = Change::new(step.ticket, step.id, step.action).after(step.after.0);
    if let Some((before, _)) = step.before {
        change = change.before(before);
    }
    record(conn, actor, now, change).await.map(|_| ())
}

/// Refuses an application id that names no application.
pub(crate) async fn check_application(
    conn: &mut PgConnection,
    id: Option<i64>,
) -> Result<(), AppError> {
    match id {
        Some(app) if !store::applications::hold(conn, app).await? => Err(AppError::invalid(
            "application_id",
            format!("no application has id {app}"),
        )),
        _ => Ok(()),
    }
}

/// The display name of a user, if there is one.
pub(crate) async fn user_name(conn: &mut PgConnection, id: i64) -> Result<String, AppError> {
    Ok(store::users::find(conn, id)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default())
}

/// The name of an application, if the id names one.
pub(crate) async fn application_name(
    conn: &mut PgConnection,
    id: Option<i64>,
) -> Result<Option<String>, AppError> {
    Ok(match id {
        Some(a) => store::applications::find(conn, a)
            .await?
            .map(|a| a.spec.name),
        None => None,
    })
}

#[derive(Deserialize)]
struct Forward {
    to: Assignee,
    #[serde(default)]
    comment: String,
}

/// `forward` {to, comment?}: the new owner, resolved now (a user, or whoever is on duty), who
/// must not be the current one `owner`; and the comment.
pub(crate) async fn forward(
    state: &AppState,
    conn: &mut PgConnection,
    value: &Value,
    owner: i64,
) -> Result<(i64, String), AppError> {
    let mut p: Forward = params(value)?;
    check_len("comment", &mut p.comment, 0, REASON_MAX)?;
    let to = super::incidents::resolve(state, conn, "to", &p.to).await?;
    if to == owner {
        return Err(AppError::invalid("to", "it is theirs already"));
    }
    Ok((to, p.comment))
}

#[derive(Deserialize)]
struct Remark {
    text: String,
}

/// `remark` {text}: 1–1000 characters.
pub(crate) fn remark(value: &Value) -> Result<String, AppError> {
    let mut p: Remark = params(value)?;
    check_len("text", &mut p.text, 1, REMARK_MAX)?;
    Ok(p.text)
}

#[derive(Deserialize)]
struct Reason {
    reason: String,
}

/// {reason}: required, at most 500 characters.
pub(crate) fn reason(value: &Value) -> Result<String, AppError> {
    let mut p: Reason = params(value)?;
    check_len("reason", &mut p.reason, 1, REASON_MAX)?;
    Ok(p.reason)
}

/// A resubmission's new title and description, where given, checked and put in place.
pub(crate) fn retitle(
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

#[derive(Deserialize)]
struct Verdict {
    #[serde(default)]
    comment: String,
}

/// A yes-or-no answer {`key`: true|false, comment?} (verifications, a change's result): the
/// comment, at most `max` characters, is required when the answer is no.
pub(crate) fn verdict(value: &Value, key: &str, max: usize) -> Result<(bool, String), AppError> {
    let yes = match value.get(key) {
        Some(Value::Bool(yes)) => *yes,
        Some(_) => {
            return Err(AppError::invalid(
                "params",
                format!("`{key}` must be true or false"),
            ));
        }
        None => {
            return Err(AppError::invalid(
                "params",
                format!("missing field `{key}`"),
            ));
        }
    };
    let mut p: Verdict = params(value)?;
    check_len("comment", &mut p.comment, usize::from(!yes), max)?;
    Ok((yes, p.comment))
}

#[cfg(test)]
mod tests {
    use super::verdict;
    use serde_json::json;

    #[test]
    fn a_no_needs_its_reason_and_the_answer_must_be_given() {
        assert_eq!(
            verdict(&json!({"passed": true}), "passed", 10).unwrap(),
            (true, String::new())
        );
        assert_eq!(
            verdict(
                &json!({"passed": false, "comment": " flaky "}),
                "passed",
                10
            )
            .unwrap(),
            (false, "flaky".to_owned())
        );
        let no_reason = verdict(&json!({"passed": false}), "passed", 10).unwrap_err();
        assert_eq!(no_reason.field(), Some("comment"));
        let missing = verdict(&json!({}), "resolved", 10).unwrap_err();
        assert!(missing.to_string().contains("`resolved`"), "{missing}");
        assert!(verdict(&json!({"passed": "yes"}), "passed", 10).is_err());
        assert!(
            verdict(
                &json!({"passed": true, "comment": "x".repeat(11)}),
                "passed",
                10
            )
            .is_err()
        );
    }
}
