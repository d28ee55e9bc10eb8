//! Users and roles: who may do what, and what a valid user looks like.

use super::AppError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

crate::string_enum! {
    /// Roles in increasing order of privilege: each may do everything the ones before it may.
    #[derive(PartialOrd, Ord)]
    pub enum Role { Viewer = "viewer", Operator = "operator", Admin = "admin" }
}

impl Role {
    /// Whether a holder of this role may do what `needed` may do.
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Operator => "Operator",
            Role::Viewer => "Viewer",
        }
    }
}

/// A user as every reader sees it; the password hash never leaves the store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub phone: String,
    pub role: Role,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}

/// The person behind a session, as the console header shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserRef {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

/// Input to create a user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewUser {
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    pub role: Role,
    pub password: String,
}

/// An administrator's edit of a user. Absent fields stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserPatch {
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// The version the editor saw; a stale one is refused with 409.
    pub version: i32,
}

/// A user's edit of their own contact details.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProfilePatch {
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub version: i32,
}

/// Filters of the user list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserFilter {
    /// Contained in the username, display name or email (case-insensitive).
    pub q: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 32;
pub const DISPLAY_NAME_MAX: usize = 64;
pub const EMAIL_MAX: usize = 254;
pub const PHONE_MAX: usize = 32;
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;

pub fn validate_username(username: &str) -> Result<(), AppError> {
    let len = username.chars().count();
    if !(USERNAME_MIN..=USERNAME_MAX).contains(&len) {
        return Err(AppError::invalid(
            "username",
            format!("must be {USERNAME_MIN} to {USERNAME_MAX} characters (got {len})"),
        ));
    }
    if let Some(bad) = username
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(*c)))
    {
        return Err(AppError::invalid(
            "username",
            format!("may only contain a-z, 0-9, '_', '.' and '-' (found '{bad}')"),
        ));
    }
    Ok(())
}

pub fn validate_display_name(name: &str) -> Result<(), AppError> {
    let len = name.chars().count();
    if len > DISPLAY_NAME_MAX {
        return Err(AppError::invalid(
            "display_name",
            format!("must be at most {DISPLAY_NAME_MAX} characters (got {len})"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "display_name",
            "must not contain control characters",
        ));
    }
    Ok(())
}

/// Empty means "no email"; otherwise one `@` with something on both sides and a dot in the domain.
pub fn validate_email(email: &str) -> Result<(), AppError> {
    if email.is_empty() {
        return Ok(());
    }
    if email.len() > EMAIL_MAX {
        return Err(AppError::invalid(
            "email",
            format!("must be at most {EMAIL_MAX} characters"),
        ));
    }
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if valid {
        Ok(())
    } else {
        Err(AppError::invalid(
            "email",
            "must look like name@example.com",
        ))
    }
}

/// Empty means "no phone"; otherwise digits with optional `+`, spaces, dashes and parentheses.
pub fn validate_phone(phone: &str) -> Result<(), AppError> {
    if phone.chars().count() > PHONE_MAX {
        return Err(AppError::invalid(
            "phone",
            format!("must be at most {PHONE_MAX} characters"),
        ));
    }
    if phone
        .chars()
        .any(|c| !(c.is_ascii_digit() || " +-()".contains(c)))
    {
        return Err(AppError::invalid(
            "phone",
            "may only contain digits, spaces, '+', '-', '(' and ')'",
        ));
    }
    Ok(())
}

pub fn validate_password(field: &str, password: &str) -> Result<(), AppError> {
    let len = password.chars().count();
    if !(PASSWORD_MIN..=PASSWORD_MAX).contains(&len) {
        return Err(AppError::invalid(
            field,
            format!("must be {PASSWORD_MIN} to {PASSWORD_MAX} characters (got {len})"),
        ));
    }
    Ok(())
}

impl NewUser {
    /// Trims what may be trimmed and checks every field; the display name defaults to the username.
    pub fn normalized(mut self) -> Result<NewUser, AppError> {
        self.username = self.username.trim().to_owned();
        self.display_name = self.display_name.trim().to_owned();
        self.email = self.email.trim().to_owned();
        self.phone = self.phone.trim().to_owned();
        validate_username(&self.username)?;
        if self.display_name.is_empty() {
            self.display_name = self.username.clone();
        }
        validate_display_name(&self.display_name)?;
        validate_email(&self.email)?;
        validate_phone(&self.phone)?;
        validate_password("password", &self.password)?;
        Ok(self)
    }
}

/// Trims and checks, in place, the contact fields shared by an admin's and a user's own edit.
/// `None` leaves a field unchanged.
fn normalize_contacts(
    display_name: &mut Option<String>,
    email: &mut Option<String>,
    phone: &mut Option<String>,
) -> Result<(), AppError> {
    for value in [&mut *display_name, &mut *email, &mut *phone]
        .into_iter()
        .flatten()
    {
        *value = value.trim().to_owned();
    }
    if let Some(name) = display_name {
        if name.is_empty() {
            return Err(AppError::invalid("display_name", "must not be empty"));
        }
        validate_display_name(name)?;
    }
    if let Some(email) = email {
        validate_email(email)?;
    }
    if let Some(phone) = phone {
        validate_phone(phone)?;
    }
    Ok(())
}

impl UserPatch {
    pub fn normalized(mut self) -> Result<UserPatch, AppError> {
        normalize_contacts(&mut self.display_name, &mut self.email, &mut self.phone)?;
        Ok(self)
    }

    /// Applies the patch to a copy of `user` (the store writes the result).
    pub fn apply(&self, user: &User) -> User {
        User {
            display_name: self
                .display_name
                .clone()
                .unwrap_or_else(|| user.display_name.clone()),
            email: self.email.clone().unwrap_or_else(|| user.email.clone()),
            phone: self.phone.clone().unwrap_or_else(|| user.phone.clone()),
            role: self.role.unwrap_or(user.role),
            active: self.active.unwrap_or(user.active),
            ..user.clone()
        }
    }
}

impl ProfilePatch {
    pub fn normalized(mut self) -> Result<ProfilePatch, AppError> {
        normalize_contacts(&mut self.display_name, &mut self.email, &mut self.phone)?;
        Ok(self)
    }

    pub fn as_user_patch(&self) -> UserPatch {
        UserPatch {
            display_name: self.display_name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            role: None,
            active: None,
            version: self.version,
        }
    }
}

impl User {
    pub fn as_ref(&self) -> UserRef {
        UserRef {
            id: self.id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn new_user(username: &str) -> NewUser {
        NewUser {
            username: username.into(),
            display_name: String::new(),
            email: String::new(),
            phone: String::new(),
            role: Role::Operator,
            password: "correct horse".into(),
        }
    }

    #[test]
    fn roles_are_ordered_by_privilege() {
        assert!(Role::Admin.allows(Role::Operator));
        assert!(Role::Admin.allows(Role::Viewer));
        assert!(Role::Operator.allows(Role::Viewer));
        assert!(Role::Operator.allows(Role::Operator));
        assert!(!Role::Operator.allows(Role::Admin));
        assert!(!Role::Viewer.allows(Role::Operator));
    }

    #[test]
    fn roles_parse_their_own_names_only() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(*role));
        }
        assert_eq!(
            Role::parse_field("role", "root").unwrap_err().field(),
            Some("role")
        );
        assert!(Role::parse("Admin").is_none());
    }

    #[test]
    fn username_limits() {
        assert!(validate_username("abc").is_ok());
        assert!(validate_username(&"a".repeat(32)).is_ok());
        assert!(validate_username("ab").is_err());
        assert!(validate_username(&"a".repeat(33)).is_err());
        assert!(validate_username("ops_bot.2-a").is_ok());
        let err = validate_username("Alice").unwrap_err();
        assert_eq!(err.field(), Some("username"));
        assert!(err.to_string().contains("'A'"), "{err}");
        assert!(validate_username("al ice").is_err());
        assert!(validate_username("élan").is_err());
    }

    #[test]
    fn new_user_is_trimmed_and_defaults_display_name() {
        let user = new_user("  alice ").normalized().unwrap();
        assert_eq!(user.username, "alice");
        assert_eq!(user.display_name, "alice");
    }

    #[test]
    fn new_user_rejects_each_bad_field_by_name() {
        let mut u = new_user("alice");
        u.password = "short".into();
        assert_eq!(u.normalized().unwrap_err().field(), Some("password"));
        let mut u = new_user("alice");
        u.email = "not-an-email".into();
        assert_eq!(u.normalized().unwrap_err().field(), Some("email"));
        let mut u = new_user("alice");
        u.phone = "call me".into();
        assert_eq!(u.normalized().unwrap_err().field(), Some("phone"));
        let mut u = new_user("alice");
        u.display_name = "x".repeat(65);
        assert_eq!(u.normalized().unwrap_err().field(), Some("display_name"));
    }

    #[test]
    fn emails() {
        for ok in ["", "a@b.co", "first.last+ops@example.com"] {
            assert!(validate_email(ok).is_ok(), "{ok}");
        }
        for bad in ["a", "@b.co", "a@b", "a@.b", "a@b.", "a b@c.d", "a@b@c.d"] {
            assert!(validate_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn password_limits() {
        assert!(validate_password("password", &"x".repeat(8)).is_ok());
        assert!(validate_password("password", &"x".repeat(128)).is_ok());
        assert!(validate_password("password", &"x".repeat(7)).is_err());
        assert!(validate_password("new_password", &"x".repeat(129)).is_err());
    }

    #[test]
    fn patch_keeps_absent_fields_and_refuses_empty_names() {
        let user = User {
            id: 1,
            username: "alice".into(),
            display_name: "Alice".into(),
            email: "a@x.io".into(),
            phone: String::new(),
            role: Role::Viewer,
            active: true,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            last_login_at: None,
        };
        let patch = UserPatch {
            role: Some(Role::Operator),
            version: 1,
            ..Default::default()
        };
        let after = patch.apply(&user);
        assert_eq!(after.role, Role::Operator);
        assert_eq!(after.display_name, "Alice");
        assert_eq!(after.email, "a@x.io");
        let empty = UserPatch {
            display_name: Some("  ".into()),
            ..Default::default()
        };
        assert_eq!(
            empty.normalized().unwrap_err().field(),
            Some("display_name")
        );
    }

    proptest! {
        #[test]
        fn accepted_usernames_match_the_documented_alphabet(s in "\\PC{0,40}") {
            if validate_username(&s).is_ok() {
                prop_assert!((3..=32).contains(&s.len()));
                prop_assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b)));
            }
        }

        #[test]
        fn documented_usernames_are_accepted(s in "[a-z0-9_.-]{3,32}") {
            prop_assert!(validate_username(&s).is_ok());
        }
    }
}
