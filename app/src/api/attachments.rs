//! Uploading a file to an incident or a problem from its page.

use crate::domain::AppError;
use leptos::prelude::*;

/// Receives a file with `ticket` (`incident` or `problem`) and `id`, and sends the browser back
/// to the ticket's page.
#[server(input = leptos::server_fn::codec::MultipartFormData, endpoint = "attachments/upload")]
pub async fn upload_attachment(
    data: leptos::server_fn::codec::MultipartData,
) -> Result<(), AppError> {
    use crate::domain::incident::Incident;
    use crate::domain::problem::Problem;
    use crate::service::attachments::add;
    fn bad(e: impl std::fmt::Display) -> AppError {
        AppError::malformed(e.to_string())
    }
    let (state, actor) = super::ssr::context().await?;
    let mut form = data
        .into_inner()
        .ok_or_else(|| AppError::malformed("expected a multipart form"))?;
    let (mut ticket, mut id, mut file) = (None, None, None);
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name() {
            Some("ticket") => {
                ticket = Some(field.text().await.map_err(bad)?);
            }
            Some("id") => id = field.text().await.map_err(bad)?.parse::<i64>().ok(),
            Some("file") => {
                let name = field.file_name().unwrap_or_default().to_owned();
                file = Some((name, field.bytes().await.map_err(bad)?.to_vec()));
            }
            _ => {}
        }
    }
    let (Some(ticket), Some(id)) = (ticket, id) else {
        return Err(AppError::malformed("the form names no ticket"));
    };
    let (name, bytes) = file.ok_or_else(|| AppError::invalid("file", "choose a file"))?;
    match ticket.as_str() {
        "incident" => add::<Incident>(&state, &actor, id, &name, &bytes).await?,
        "problem" => add::<Problem>(&state, &actor, id, &name, &bytes).await?,
        other => {
            return Err(AppError::invalid(
                "ticket",
                format!("'{other}' takes no files"),
            ));
        }
    };
    Ok(())
}
