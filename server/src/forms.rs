//! Server-function answers as the console needs them: real HTTP statuses for failures, and
//! for plain form posts a redirect back to the form with the outcome in the query string.

use app::components::form::{DONE, ERROR_CODE, ERROR_FIELD, ERROR_FORM, ERROR_MSG};
use app::domain::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::Response;
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

const MAX_ERROR_BODY: usize = 64 * 1024;

fn is_plain_form_post(request: &Request) -> bool {
    let header_has = |name: header::HeaderName, needle: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains(needle))
    };
    header_has(header::ACCEPT, "text/html")
        && (header_has(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            || header_has(header::CONTENT_TYPE, "multipart/form-data"))
}

/// The referring page's path and query, with `outcome` in place of an earlier one.
fn back_with(referer: &str, outcome: &[(&str, &str)]) -> String {
    let uri: Uri = referer.parse().unwrap_or_else(|_| Uri::from_static("/"));
    let path = uri.path();
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        if !k.starts_with("error_") && k != DONE {
            query.append_pair(&k, &v);
        }
    }
    for (k, v) in outcome {
        query.append_pair(k, v);
    }
    format!("{path}?{}", query.finish())
}

fn without_query(url: &str) -> &str {
    url.split_once('?').map_or(url, |(path, _)| path)
}

pub fn back_with_error(referer: &str, form: &str, error: &AppError) -> String {
    back_with(
        referer,
        &[
            (ERROR_FORM, form),
            (ERROR_CODE, error.code()),
            (ERROR_MSG, &error.to_string()),
            (ERROR_FIELD, error.field().unwrap_or("")),
        ],
    )
}

pub fn back_with_success(referer: &str, form: &str) -> String {
    back_with(referer, &[(DONE, form)])
}

pub async fn server_fn_errors(request: Request, next: Next) -> Response {
    let plain_form = is_plain_form_post(&request);
    let referer = request
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .map(ToOwned::to_owned);
    let form = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    if !response.headers().contains_key(SERVER_FN_ERROR_HEADER) {
        // A plain post that worked is sent back to its page (unless the function chose
        // another destination); say so, so the form can confirm it.
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok());
        let sent_back = match (location, referer.as_deref()) {
            (Some(location), Some(referer)) => without_query(location) == without_query(referer),
            _ => false,
        };
        if let (true, true, Some(referer)) = (plain_form, sent_back, &referer)
            && let Ok(location) = HeaderValue::from_str(&back_with_success(referer, &form))
        {
            response.headers_mut().insert(header::LOCATION, location);
        }
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_ERROR_BODY)
        .await
        .unwrap_or_default();
    let error: AppError = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| app::store::internal(format!("unreadable server function error: {e}")));
    if let (true, Some(referer)) = (plain_form, referer) {
        let location = back_with_error(&referer, &form, &error);
        if let Ok(location) = HeaderValue::from_str(&location) {
            parts.status = StatusCode::SEE_OTHER;
            parts.headers.insert(header::LOCATION, location);
            return Response::from_parts(parts, Body::empty());
        }
    }
    parts.status =
        StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    parts.headers.remove(header::LOCATION);
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_replace_earlier_ones_and_keep_the_page_query() {
        let error = AppError::invalid("username", "must be 3 to 32 characters");
        let back = back_with_error(
            "http://127.0.0.1:3000/users/new?x=1&error_msg=old",
            "/api/users/create",
            &error,
        );
        assert_eq!(
            back,
            "/users/new?x=1&error_form=%2Fapi%2Fusers%2Fcreate&error_code=OPS.0422\
             &error_msg=username%3A+must+be+3+to+32+characters&error_field=username"
        );
    }

    #[test]
    fn a_success_replaces_an_earlier_error() {
        let back = back_with_success(
            "http://h/users/3?error_msg=x&done=y&tab=a",
            "/api/users/update",
        );
        assert_eq!(back, "/users/3?tab=a&done=%2Fapi%2Fusers%2Fupdate");
    }

    #[test]
    fn a_foreign_referer_cannot_send_the_browser_elsewhere() {
        let back = back_with_error(
            "https://evil.example/x",
            "/api/login",
            &AppError::InvalidCredentials,
        );
        assert!(back.starts_with("/x?"), "{back}");
    }
}
