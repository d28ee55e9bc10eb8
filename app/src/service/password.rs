//! Argon2id password hashing, off the async threads.

use crate::domain::AppError;
use crate::store::internal;
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use std::sync::LazyLock;

/// Verified against when the username is unknown, so both paths cost the same.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    Argon2::default()
        .hash_password(
            b"opsroom-timing-equalizer",
            &SaltString::generate(&mut OsRng),
        )
        .map(|h| h.to_string())
        .unwrap_or_default()
});

pub async fn hash(password: &str) -> Result<String, AppError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng))
            .map(|h| h.to_string())
            .map_err(internal)
    })
    .await
    .map_err(internal)?
}

/// True when `password` matches `hash`; with `None`, burns the same time and answers false.
pub async fn verify(password: &str, hash: Option<String>) -> Result<bool, AppError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| DUMMY_HASH.clone());
        let parsed = PasswordHash::new(&hash).map_err(internal)?;
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(known && matches)
    })
    .await
    .map_err(internal)?
}
