//! Safety check-ins: the personal signed link each recipient of an alert gets.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

fn mac(key: &[u8], checkin_id: &str) -> Hmac<Sha256> {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(checkin_id.as_bytes());
    mac
}

/// `<checkin id>.<URL-safe base64 HMAC-SHA256 of the id>`: the token of `/crisis/checkin/{token}`.
pub fn sign_token(key: &[u8], checkin_id: &str) -> String {
    let tag = URL_SAFE_NO_PAD.encode(mac(key, checkin_id).finalize().into_bytes());
    format!("{checkin_id}.{tag}")
}

/// The check-in id of a genuine token (constant-time comparison), `None` otherwise.
pub fn verify_token(key: &[u8], token: &str) -> Option<String> {
    let (id, tag) = token.rsplit_once('.')?;
    let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
    mac(key, id).verify_slice(&tag).ok()?;
    Some(id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_resist_tampering() {
        let t = sign_token(b"k", "abc");
        assert_eq!(verify_token(b"k", &t).as_deref(), Some("abc"));
        assert_eq!(verify_token(b"other", &t), None);
        assert_eq!(verify_token(b"k", &t.replace("abc", "abd")), None);
        assert_eq!(verify_token(b"k", "abc"), None);
    }
}
