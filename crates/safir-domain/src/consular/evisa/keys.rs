//! The Ed25519 keys that sign e-visas, their short ids, and the signed code carried in the QR
//! code: `base64url(payload) "." base64url(signature)`, the signature over the payload bytes
//! exactly (so `openssl pkeyutl -verify -rawin` checks it with no framing).

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::EvisaPayload;

/// Names the key a visa was signed with: the first four bytes of the SHA-256 of the public
/// key, shown as eight hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct KeyId([u8; 4]);

impl KeyId {
    pub fn from_bytes(bytes: [u8; 4]) -> Self {
        Self(bytes)
    }

    pub fn of(key: &VerifyingKey) -> Self {
        let digest = Sha256::digest(key.as_bytes());
        Self([digest[0], digest[1], digest[2], digest[3]])
    }

    pub fn as_bytes(&self) -> &[u8; 4] {
        &self.0
    }

    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({})", self.to_hex())
    }
}

impl From<KeyId> for String {
    fn from(value: KeyId) -> Self {
        value.to_hex()
    }
}

/// The private key that signs e-visas. `Debug` shows only the key id.
#[derive(Clone)]
pub struct EvisaSigningKey {
    key: SigningKey,
    id: KeyId,
}

impl fmt::Debug for EvisaSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EvisaSigningKey({})", self.id)
    }
}

impl EvisaSigningKey {
    /// The key whose 32-byte Ed25519 seed is `seed` (random bytes, kept secret).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        let key = SigningKey::from_bytes(seed);
        let id = KeyId::of(&key.verifying_key());
        Self { key, id }
    }

    pub fn id(&self) -> KeyId {
        self.id
    }

    pub fn verifying_key(&self) -> EvisaVerifyingKey {
        EvisaVerifyingKey {
            key: self.key.verifying_key(),
            id: self.id,
        }
    }

    /// Signs the payload's encoding. The payload must name this key.
    pub fn sign(&self, payload: &EvisaPayload) -> SignedEvisa {
        debug_assert_eq!(payload.key_id, self.id);
        let bytes = payload.encode();
        let signature = self.key.sign(&bytes).to_bytes();
        SignedEvisa {
            payload: bytes,
            signature,
        }
    }
}

/// A public key that checks e-visas, as published at `/verify/keys`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EvisaVerifyingKey {
    key: VerifyingKey,
    id: KeyId,
}

impl fmt::Debug for EvisaVerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EvisaVerifyingKey({})", self.id)
    }
}

/// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): SEQUENCE { SEQUENCE { OID
/// 1.3.101.112 }, BIT STRING (33 bytes, no unused bits) }, followed by the 32 key bytes.
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

impl EvisaVerifyingKey {
    /// The key from its 32 raw bytes; `None` when they are not a valid curve point.
    pub fn from_bytes(bytes: &[u8; 32]) -> Option<Self> {
        let key = VerifyingKey::from_bytes(bytes).ok()?;
        Some(Self {
            key,
            id: KeyId::of(&key),
        })
    }

    pub fn id(&self) -> KeyId {
        self.id
    }

    pub fn to_bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// The raw 32-byte public key in standard base64 (as JWK-less tools expect).
    pub fn public_key_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.key.as_bytes())
    }

    pub fn spki_der(&self) -> Vec<u8> {
        let mut der = SPKI_PREFIX.to_vec();
        der.extend_from_slice(self.key.as_bytes());
        der
    }

    /// The key as a PEM `PUBLIC KEY` (SubjectPublicKeyInfo), readable by OpenSSL and most
    /// crypto libraries.
    pub fn spki_pem(&self) -> String {
        let b64 = base64::engine::general_purpose::STANDARD.encode(self.spki_der());
        format!("-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n")
    }

    /// Whether `signature` is this key's over `message` (strict: no malleable encodings).
    pub fn verifies(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        let signature = Signature::from_bytes(signature);
        self.key.verify_strict(message, &signature).is_ok()
    }
}

/// A payload and its signature: what the QR code carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedEvisa {
    pub payload: Vec<u8>,
    pub signature: [u8; 64],
}

impl SignedEvisa {
    /// `base64url(payload).base64url(signature)`, unpadded: the value of `?v=`.
    pub fn code(&self) -> String {
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&self.payload),
            URL_SAFE_NO_PAD.encode(self.signature)
        )
    }

    /// The two parts of a code, base64url-decoded (padding tolerated). Says nothing about
    /// whether the payload means anything or the signature holds.
    pub fn parse_code(code: &str) -> Option<Self> {
        let (payload, signature) = code.split_once('.')?;
        let decode = |s: &str| URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).ok();
        let payload = decode(payload)?;
        let signature: [u8; 64] = decode(signature)?.try_into().ok()?;
        Some(Self { payload, signature })
    }

    /// The URL a phone opens from the QR code.
    pub fn verify_url(&self, public_url: &str) -> String {
        format!(
            "{}/verify?v={}",
            public_url.trim_end_matches('/'),
            self.code()
        )
    }
}

#[cfg(test)]
impl EvisaSigningKey {
    /// The raw key, for tests that forge signatures.
    pub(super) fn key_for_tests(&self) -> &SigningKey {
        &self.key
    }
}
