//! The one error type of Opsroom, with its stable `OPS.xxxx` codes and HTTP statuses.

use serde::{Deserialize, Serialize};

/// Every failure a caller can see. The code and status of each variant are part of the API
/// contract (README "Error codes"); add variants, never renumber them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    #[error("Malformed request: {detail}")]
    Malformed { detail: String },
    #[error("Authentication required: log in or send a valid X-Auth-Token header.")]
    Unauthenticated,
    #[error("Invalid username or password.")]
    InvalidCredentials,
    #[error("This account is deactivated; ask an administrator to reactivate it.")]
    AccountDisabled,
    #[error("Forbidden: {action} needs the {required} role.")]
    Forbidden { action: String, required: String },
    #[error(
        "Refused: this change was sent from {from}, not from the console's own pages \
         (cross-site request forgery protection)."
    )]
    CrossSite { from: String },
    #[error("{object} {id} does not exist.")]
    NotFound { object: String, id: String },
    #[error("Route {path} does not exist.")]
    NoRoute { path: String },
    #[error("Method {method} is not allowed on {path}.")]
    MethodNotAllowed { method: String, path: String },
    #[error("{message}")]
    Conflict { message: String },
    #[error(
        "{object} was changed by someone else (now at version {current}); reload and try again."
    )]
    StaleVersion { object: String, current: i32 },
    #[error("Request body is larger than the limit of {limit_bytes} bytes.")]
    PayloadTooLarge { limit_bytes: usize },
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    #[error("Too many failed logins; try again in {retry_after_secs} s.")]
    Throttled { retry_after_secs: u64 },
    #[error("The server is busy with this kind of work; try again in {retry_after_secs} s.")]
    Busy { retry_after_secs: u64 },
    #[error("Service unavailable: {detail}")]
    Unavailable { detail: String },
    #[error("Internal error (reference {reference}); the details are in the server log.")]
    Internal { reference: String },
}

/// The wire body of every non-2xx REST answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Stable code, `OPS.` and four digits.
    pub error_code: String,
    /// A sentence for humans; names the field and the limit for validation errors.
    pub error_msg: String,
}

impl AppError {
    /// The stable code, listed in the README and the OpenAPI document.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Malformed { .. } => "OPS.0400",
            AppError::Unauthenticated => "OPS.0401",
            AppError::Forbidden { .. } => "OPS.0403",
            AppError::NotFound { .. } => "OPS.0404",
            AppError::NoRoute { .. } => "OPS.0406",
            AppError::MethodNotAllowed { .. } => "OPS.0405",
            AppError::Conflict { .. } => "OPS.0409",
            AppError::StaleVersion { .. } => "OPS.0410",
            AppError::PayloadTooLarge { .. } => "OPS.0413",
            AppError::Validation { .. } => "OPS.0422",
            AppError::Throttled { .. } => "OPS.0429",
            AppError::Busy { .. } => "OPS.0430",
            AppError::Internal { .. } => "OPS.0500",
            AppError::Unavailable { .. } => "OPS.0503",
            AppError::InvalidCredentials => "OPS.1001",
            AppError::AccountDisabled => "OPS.1002",
            AppError::CrossSite { .. } => "OPS.1003",
        }
    }

    /// The HTTP status this error is answered with.
    pub fn http_status(&self) -> u16 {
        match self {
            AppError::Malformed { .. } => 400,
            AppError::Unauthenticated
            | AppError::InvalidCredentials
            | AppError::AccountDisabled => 401,
            AppError::Forbidden { .. } | AppError::CrossSite { .. } => 403,
            AppError::NotFound { .. } | AppError::NoRoute { .. } => 404,
            AppError::MethodNotAllowed { .. } => 405,
            AppError::Conflict { .. } | AppError::StaleVersion { .. } => 409,
            AppError::PayloadTooLarge { .. } => 413,
            AppError::Validation { .. } => 422,
            AppError::Throttled { .. } | AppError::Busy { .. } => 429,
            AppError::Internal { .. } => 500,
            AppError::Unavailable { .. } => 503,
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error_code: self.code().to_owned(),
            error_msg: self.to_string(),
        }
    }

    /// How long the caller should wait before trying again, for the `Retry-After` header.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::Throttled { retry_after_secs } | AppError::Busy { retry_after_secs } => {
                Some(*retry_after_secs)
            }
            _ => None,
        }
    }

    /// The form field this error belongs to, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Validation { field, .. } => Some(field),
            _ => None,
        }
    }

    /// Optimistic concurrency: an edit made from version `seen` of `object` `id` goes ahead
    /// only if the object is still at that version.
    pub fn check_version(object: &str, id: i64, current: i32, seen: i32) -> Result<(), AppError> {
        if current == seen {
            Ok(())
        } else {
            Err(AppError::StaleVersion {
                object: format!("{object} {id}"),
                current,
            })
        }
    }

    /// Refuses (422 on `field`) the ids among `asked` that are not among `found`: "no
    /// resource has id 4, 9".
    pub fn check_known(
        field: &str,
        noun: &str,
        asked: &[i64],
        found: &[i64],
    ) -> Result<(), AppError> {
        let missing: Vec<String> = asked
            .iter()
            .filter(|id| !found.contains(id))
            .map(ToString::to_string)
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(AppError::invalid(
            field,
            format!("no {noun} has id {}", missing.join(", ")),
        ))
    }

    pub fn malformed(detail: impl Into<String>) -> Self {
        AppError::Malformed {
            detail: detail.into(),
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn not_found(object: impl Into<String>, id: impl ToString) -> Self {
        AppError::NotFound {
            object: object.into(),
            id: id.to_string(),
        }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        AppError::Conflict {
            message: message.into(),
        }
    }

    pub fn forbidden(action: impl Into<String>, required: impl Into<String>) -> Self {
        AppError::Forbidden {
            action: action.into(),
            required: required.into(),
        }
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        AppError::Unavailable {
            detail: detail.into(),
        }
    }

    /// Every variant with an example, for the error-code table and its tests.
    pub fn catalogue() -> Vec<AppError> {
        vec![
            AppError::malformed("expected value at line 1 column 1"),
            AppError::Unauthenticated,
            AppError::forbidden("creating users", "admin"),
            AppError::not_found("User", 42),
            AppError::MethodNotAllowed {
                method: "PUT".into(),
                path: "/v1/users".into(),
            },
            AppError::NoRoute {
                path: "/v1/nothing".into(),
            },
            AppError::conflict("Username 'alice' is already taken."),
            AppError::StaleVersion {
                object: "User 42".into(),
                current: 3,
            },
            AppError::PayloadTooLarge {
                limit_bytes: 1_048_576,
            },
            AppError::invalid("username", "must be 3 to 32 characters"),
            AppError::Throttled {
                retry_after_secs: 900,
            },
            AppError::Busy {
                retry_after_secs: 1,
            },
            AppError::Internal {
                reference: "a1b2c3d4".into(),
            },
            AppError::unavailable("the database is not reachable"),
            AppError::InvalidCredentials,
            AppError::AccountDisabled,
            AppError::CrossSite {
                from: "https://evil.example".into(),
            },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let all = AppError::catalogue();
        let codes: HashSet<_> = all.iter().map(AppError::code).collect();
        assert_eq!(codes.len(), all.len(), "two variants share a code");
        for code in codes {
            assert!(code.starts_with("OPS.") && code.len() == 8, "{code}");
            assert!(code[4..].chars().all(|c| c.is_ascii_digit()), "{code}");
        }
    }

    #[test]
    fn client_errors_are_never_500() {
        for e in AppError::catalogue() {
            let internal = matches!(e, AppError::Internal { .. });
            assert_eq!(e.http_status() == 500, internal, "{e:?}");
        }
    }

    #[test]
    fn validation_names_the_field() {
        let e = AppError::invalid("email", "must be at most 254 characters");
        assert_eq!(e.field(), Some("email"));
        assert_eq!(e.body().error_msg, "email: must be at most 254 characters");
        assert_eq!(e.http_status(), 422);
    }

    #[test]
    fn unknown_ids_are_named_on_their_field() {
        assert!(AppError::check_known("group_ids", "group", &[1, 2], &[2, 1]).is_ok());
        let e = AppError::check_known("resource_ids", "resource", &[4, 5, 9], &[5]).unwrap_err();
        assert_eq!(e.field(), Some("resource_ids"));
        assert_eq!(e.to_string(), "resource_ids: no resource has id 4, 9");
    }

    #[test]
    fn round_trips_through_json() {
        for e in AppError::catalogue() {
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), e);
        }
    }
}
