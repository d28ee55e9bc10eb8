//! The change calendar page's data, and the caller's calendar feed.

use crate::domain::AppError;
use crate::domain::change::Change;
use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::context;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarData {
    /// The view's days, in order.
    pub days: Vec<NaiveDate>,
    /// The day the view is around.
    pub date: NaiveDate,
    pub today: NaiveDate,
    pub changes: Vec<Change>,
    pub applications: Vec<(i64, String)>,
    pub implementers: Vec<(i64, String)>,
    /// Since when the caller has had a feed token.
    pub feed_since: Option<DateTime<Utc>>,
    /// The feed's address with a token just made, shown this once.
    pub new_feed_url: Option<String>,
}

#[cfg(feature = "ssr")]
const NEW_FEED_COOKIE: &str = "opsroom_new_feed";

/// The changes of the `view` (month, week, day) around `date` (today if empty), as the
/// filters narrow them.
#[server(endpoint = "changes/calendar")]
pub async fn change_calendar(
    view: Option<String>,
    date: Option<String>,
    status: Option<String>,
    level: Option<String>,
    application_id: Option<String>,
    implementer_id: Option<String>,
) -> Result<CalendarData, AppError> {
    use crate::domain::change::calendar::View;
    use crate::domain::change::{ChangeFilter, ChangeStatus, RiskLevel};
    use crate::domain::incident::Assignee;
    let (state, actor) = context().await?;
    let given = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let view = View::parse_given("view", view)?.unwrap_or(View::Month);
    let today = state.now().date_naive();
    let date = given(date)
        .map(|d| {
            NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .map_err(|_| AppError::invalid("date", "a date as YYYY-MM-DD"))
                .and_then(|d| crate::domain::change::calendar::check_day("date", d))
        })
        .transpose()?
        .unwrap_or(today);
    let filter = ChangeFilter {
        status: ChangeStatus::parse_given("status", status)?,
        level: RiskLevel::parse_given("level", level)?,
        application_id: super::ssr::optional_id(
            "application_id",
            &application_id.unwrap_or_default(),
        )?,
        implementer_id: super::ssr::optional_id(
            "implementer_id",
            &implementer_id.unwrap_or_default(),
        )?,
        ..Default::default()
    };
    let days = view.days(date);
    let (first, last) = (days[0], days[days.len() - 1]);
    let changes = crate::service::calendar::changes(&state, &actor, &filter, first, last).await?;
    let choices = crate::service::incidents::assignees(&state, &actor).await?;
    Ok(CalendarData {
        days,
        date,
        today,
        changes,
        applications: crate::service::applications::names(&state, &actor).await?,
        implementers: Assignee::people(&choices),
        feed_since: crate::service::calendar::feed_since(&state, &actor).await?,
        new_feed_url: super::ssr::take_handed(NEW_FEED_COOKIE, |i| Some(i) == actor.id())?.map(
            |(_, token)| {
                format!(
                    "{}/v1/changes/calendar.ics?token={token}",
                    super::ssr::origin()
                )
            },
        ),
    })
}

/// A new feed token for the caller, shown once on the calendar page it returns to.
#[server(endpoint = "changes/calendar/feed")]
pub async fn renew_feed() -> Result<(), AppError> {
    let (state, actor) = context().await?;
    let token = crate::service::calendar::renew_feed(&state, &actor).await?;
    super::ssr::hand_over(NEW_FEED_COOKIE, actor.id().unwrap_or_default(), &token)?;
    leptos_axum::redirect("/changes/calendar");
    Ok(())
}

#[server(endpoint = "changes/calendar/revoke")]
pub async fn revoke_feed() -> Result<(), AppError> {
    let (state, actor) = context().await?;
    crate::service::calendar::revoke_feed(&state, &actor).await
}
