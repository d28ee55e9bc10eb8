//! Logging in and out of the console, and who is logged in.

use crate::domain::AppError;
use crate::domain::user::UserRef;
use leptos::prelude::*;

/// The longest `next` followed after a login.
pub const NEXT_MAX: usize = 2000;

/// Only paths of this console may be redirected to after a login: a `/` not followed by another
/// `/` or `\\`, and only visible ASCII, so nothing a browser strips or rewrites (a tab, a
/// newline, a backslash) can turn it into another origin or break the answer's headers.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.len() <= NEXT_MAX
                && n.starts_with('/')
                && !n.starts_with("//")
                && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[server(endpoint = "login")]
pub async fn login(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::audit::Method;
    use crate::domain::auth::{Credentials, TokenKind, session_cookie};
    use crate::service::auth::{Origin, login};
    let state = ssr::state()?;
    let address = ssr::client_address();
    let issued = login(
        &state,
        &Credentials { username, password },
        Origin {
            address: &address,
            method: Method::Ui,
        },
        TokenKind::Session,
    )
    .await?;
    ssr::set_cookie(&session_cookie(
        &issued.token,
        state.settings.token_ttl.num_seconds(),
        state.settings.secure(),
    ))?;
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(())
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::domain::auth::session_cookie;
    if let Ok((state, actor)) = ssr::context().await {
        crate::service::auth::logout(&state, &actor).await?;
    }
    let secure = ssr::state()?.settings.secure();
    ssr::set_cookie(&session_cookie("", 0, secure))?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// The logged-in user, or `None` for an anonymous visitor.
#[server(endpoint = "me")]
pub async fn current_user() -> Result<Option<UserRef>, AppError> {
    match ssr::context().await {
        Ok((_, actor)) => Ok(actor.user),
        Err(AppError::Unauthenticated) => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(feature = "ssr")]
use super::ssr;

#[cfg(test)]
mod tests {
    use super::{NEXT_MAX, safe_next};

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/users?page=2")), "/users?page=2");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\n/x")), "/");
        assert_eq!(safe_next(Some("/a\r\nSet-Cookie: x=1")), "/");
        assert_eq!(safe_next(Some("/caf\u{e9}")), "/");
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(NEXT_MAX)))), "/");
        assert_eq!(safe_next(None), "/");
    }
}
