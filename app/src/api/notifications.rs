//! The notification bell and inbox page.

use super::Stamped;
use crate::domain::AppError;
use crate::domain::notification::Inbox;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr::context;

#[server(endpoint = "notifications/inbox")]
pub async fn load_inbox() -> Result<Stamped<Inbox>, AppError> {
    let (state, actor) = context().await?;
    Ok(Stamped {
        data: crate::service::notifications::inbox(&state, &actor).await?,
        now: state.now(),
    })
}

#[server(endpoint = "notifications/unread")]
pub async fn unread_count() -> Result<i64, AppError> {
    let (state, actor) = context().await?;
    crate::service::notifications::unread(&state, &actor).await
}

#[server(endpoint = "notifications/read")]
pub async fn mark_all_read() -> Result<(), AppError> {
    let (state, actor) = context().await?;
    crate::service::notifications::mark_read(&state, &actor, None).await?;
    Ok(())
}
