//! Notification channels on the profile page (a new webhook's secret travels to the page that
//! shows it in a short-lived cookie) and the deliveries page with its dead letters.

use super::Listing;
use crate::domain::AppError;
use crate::domain::delivery::{Channel, Delivery};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::context;

#[cfg(feature = "ssr")]
const NEW_SECRET_COOKIE: &str = "opsroom_new_secret";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelsView {
    pub channels: Vec<Channel>,
    /// A webhook added just now and its signing secret, shown this once.
    pub new_secret: Option<(i64, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryListing {
    pub listing: Listing<Delivery>,
    pub is_admin: bool,
}

#[server(endpoint = "channels/mine")]
pub async fn my_channels() -> Result<ChannelsView, AppError> {
    let (state, actor) = context().await?;
    let new_secret = super::ssr::take_handed(NEW_SECRET_COOKIE, |_| true)?;
    Ok(ChannelsView {
        channels: crate::service::deliveries::channels(&state, &actor).await?,
        new_secret,
    })
}

#[server(endpoint = "channels/add")]
pub async fn add_channel(kind: String, target: String, timeout_ms: String) -> Result<(), AppError> {
    use crate::domain::delivery::{ChannelKind, NewChannel};
    let (state, actor) = context().await?;
    let new = NewChannel {
        kind: ChannelKind::parse_field("kind", &kind)?,
        target,
        timeout_ms: match timeout_ms.trim() {
            "" => 5000,
            t => t
                .parse()
                .map_err(|_| AppError::invalid("timeout_ms", "must be a number of milliseconds"))?,
        },
        kinds: vec![],
    };
    let added = crate::service::deliveries::add_channel(&state, &actor, new).await?;
    if let Some(secret) = added.secret {
        super::ssr::hand_over(NEW_SECRET_COOKIE, added.channel.id, &secret)?;
        leptos_axum::redirect("/profile");
    }
    Ok(())
}

#[server(endpoint = "channels/delete")]
pub async fn delete_channel(id: i64) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    crate::service::deliveries::delete_channel(&state, &actor, id).await
}

#[server(endpoint = "deliveries/list")]
pub async fn list_deliveries(
    tab: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
) -> Result<DeliveryListing, AppError> {
    use crate::domain::delivery::DeliveryStatus;
    use crate::domain::list::ListParams;
    let (state, actor) = context().await?;
    let status = match tab.as_deref().unwrap_or("dead") {
        "all" => None,
        t => Some(DeliveryStatus::parse_field("tab", t)?),
    };
    let params = ListParams {
        after,
        before,
        ..Default::default()
    };
    Ok(DeliveryListing {
        listing: super::Stamped {
            data: crate::service::deliveries::list(&state, &actor, status, &params).await?,
            now: state.now(),
        },
        is_admin: actor.holds(crate::domain::user::Role::Admin),
    })
}

#[server(endpoint = "deliveries/resend")]
pub async fn resend_delivery(id: i64) -> Result<(), AppError> {
    let (state, actor) = context().await?;
    crate::service::deliveries::resend(&state, &actor, id).await?;
    Ok(())
}
