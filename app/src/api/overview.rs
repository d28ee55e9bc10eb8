//! The overview dashboard's data.

use crate::domain::AppError;
use crate::domain::overview::Overview;
use leptos::prelude::*;

#[server(endpoint = "overview")]
pub async fn load_overview() -> Result<Overview, AppError> {
    let (state, actor) = super::ssr::context().await?;
    crate::service::overview::overview(&state, &actor).await
}
