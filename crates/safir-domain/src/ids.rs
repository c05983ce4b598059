//! Opaque identifiers: UUIDv7 rendered as text (time-ordered, safe to show, unguessable enough
//! for ids but never used as secrets).

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new() -> Self {
                Self(uuid::Uuid::now_v7().as_simple().to_string())
            }

            /// Wraps an id read back from storage or a URL; ids are opaque, only the length and
            /// alphabet are checked so a malformed one fails as "not found", not as a crash.
            pub fn parse(raw: &str) -> Option<Self> {
                let ok = raw.len() == 32 && raw.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
                ok.then(|| Self(raw.to_owned()))
            }

            pub fn from_trusted(raw: String) -> Self {
                Self(raw)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}

id_type!(
    UserId,
    MissionId,
    JobId,
    TokenId,
    GrantId,
    CaseId,
    ServiceId,
    AdviceVersionId,
    DocumentId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_time_ordered_and_round_trip() {
        let a = UserId::new();
        let b = UserId::new();
        assert_ne!(a, b);
        assert!(a < b);
        assert_eq!(UserId::parse(a.as_str()), Some(a));
        assert_eq!(UserId::parse("../etc/passwd"), None);
    }
}
