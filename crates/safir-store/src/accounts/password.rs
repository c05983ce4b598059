//! Password hashing with argon2id, run off the async runtime (it is deliberately slow).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use safir_domain::accounts::Password;

fn hasher() -> Argon2<'static> {
    // OWASP's first argon2id recommendation: 19 MiB, 2 iterations, 1 lane.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn salt() -> Option<SaltString> {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    SaltString::encode_b64(&bytes).ok()
}

/// Hashes on the blocking pool.
pub async fn hash(password: &Password) -> String {
    let pw = password.expose().to_owned();
    tokio::task::spawn_blocking(move || hash_blocking(&pw))
        .await
        .unwrap_or_default()
}

/// An empty string (which never verifies) in the impossible case that hashing fails.
pub fn hash_blocking(password: &str) -> String {
    let Some(salt) = salt() else {
        return String::new();
    };
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
}

/// Verifies on the blocking pool. A malformed stored hash never matches.
pub async fn verify(password: &str, stored: &str) -> bool {
    let pw = password.to_owned();
    let stored = stored.to_owned();
    tokio::task::spawn_blocking(move || verify_blocking(&pw, &stored))
        .await
        .unwrap_or(false)
}

pub fn verify_blocking(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash of a random password, verified against when the account does not exist, so the
/// response time does not reveal which emails are registered.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking(&crate::accounts::secrets::new_secret()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_salted() {
        let a = hash_blocking("correct horse battery");
        let b = hash_blocking("correct horse battery");
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_blocking("correct horse battery", &a));
        assert!(!verify_blocking("wrong horse battery", &a));
        assert!(!verify_blocking("anything", "not a hash"));
    }
}
