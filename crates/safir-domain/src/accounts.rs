//! Account values: email addresses, passwords, display names, and the kinds of account.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// A syntactically valid email address, stored lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// An address a person can give: well formed, and not under the `invalid` top-level
    /// domain (RFC 2606), which no mail reaches and which Safir keeps for the placeholder
    /// accounts it makes itself ([`Email::undeliverable`]): an account made with such an
    /// address would be taken for one of them.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let email = Self::well_formed(input)?;
        if email.is_undeliverable() {
            return Err(ValidationError::new("email_invalid"));
        }
        Ok(email)
    }

    /// One of Safir's own placeholder addresses, under the `invalid` top-level domain: never
    /// given by a person (see [`Email::parse`]), never mailed.
    pub fn undeliverable(input: &str) -> Result<Self, ValidationError> {
        let email = Self::well_formed(input)?;
        if !email.is_undeliverable() {
            return Err(ValidationError::new("email_invalid"));
        }
        Ok(email)
    }

    /// Whether the address is under the `invalid` top-level domain.
    pub fn is_undeliverable(&self) -> bool {
        self.0.rsplit('.').next() == Some("invalid")
    }

    fn well_formed(input: &str) -> Result<Self, ValidationError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ValidationError::new("required"));
        }
        if s.len() > 254 {
            return Err(ValidationError::new("email_too_long"));
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err(ValidationError::new("email_invalid"));
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if !local_ok || !domain_ok {
            return Err(ValidationError::new("email_invalid"));
        }
        Ok(Self(s.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

/// A password that meets the policy: 10 to 256 characters, not all one character.
/// Deliberately no composition rules (NIST SP 800-63B); `Debug` never shows it.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 256;

    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let n = input.chars().count();
        if n == 0 {
            return Err(ValidationError::new("required"));
        }
        if n < Self::MIN_CHARS {
            return Err(ValidationError::new("password_too_short"));
        }
        if n > Self::MAX_CHARS {
            return Err(ValidationError::new("password_too_long"));
        }
        let mut chars = input.chars();
        let first = chars.next();
        if chars.all(|c| Some(c) == first) {
            return Err(ValidationError::new("password_too_simple"));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A person's name as shown in the interface: 1 to 120 characters, no control characters,
/// at least one letter other than tatweel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ValidationError::new("required"));
        }
        if s.chars().count() > 120 {
            return Err(ValidationError::new("too_long"));
        }
        if s.chars().any(char::is_control) {
            return Err(ValidationError::new("invalid_characters"));
        }
        crate::validation::check_letters(s)?;
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DisplayName {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DisplayName> for String {
    fn from(value: DisplayName) -> Self {
        value.0
    }
}

/// Public accounts (citizens, foreign applicants) sign up themselves; staff accounts are
/// created by admins and must use two-factor authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    Public,
    Staff,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Public => "public",
            AccountKind::Staff => "staff",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        match s {
            "public" => Ok(AccountKind::Public),
            "staff" => Ok(AccountKind::Staff),
            _ => Err(ValidationError::new("account_kind_unknown")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Layla@Example.ORG ").unwrap().as_str(),
            "layla@example.org"
        );
        assert_eq!(Email::parse("").unwrap_err().code, "required");
        for bad in [
            "no-at", "a@b", "a@@b.c", ".a@b.co", "a@-b.co", "a b@c.de", "a@b..c",
        ] {
            assert_eq!(
                Email::parse(bad).unwrap_err().code,
                "email_invalid",
                "{bad}"
            );
        }
        assert!(Email::parse("سارة@مثال.امارات").is_ok());
        // Placeholder addresses are Safir's alone.
        for reserved in ["presence-r1@crisis.invalid", "x@Example.INVALID"] {
            assert_eq!(
                Email::parse(reserved).unwrap_err().code,
                "email_invalid",
                "{reserved}"
            );
            assert!(Email::undeliverable(reserved).unwrap().is_undeliverable());
        }
        assert!(Email::undeliverable("layla@example.org").is_err());
        assert!(Email::parse("me@invalid.example.org").is_ok());
    }

    #[test]
    fn passwords() {
        assert_eq!(
            Password::parse("short").unwrap_err().code,
            "password_too_short"
        );
        assert_eq!(
            Password::parse("aaaaaaaaaaaa").unwrap_err().code,
            "password_too_simple"
        );
        assert!(Password::parse("كلمة سر طويلة").is_ok());
        assert_eq!(
            format!("{:?}", Password::parse("correct horse").unwrap()),
            "Password(<redacted>)"
        );
    }

    proptest! {
        #[test]
        fn email_parse_is_idempotent_and_never_panics(s in ".{0,80}") {
            if let Ok(e) = Email::parse(&s) {
                let again = Email::parse(e.as_str()).unwrap();
                prop_assert_eq!(again, e);
            }
        }

        #[test]
        fn display_names_never_hold_control_chars(s in ".{0,200}") {
            if let Ok(n) = DisplayName::parse(&s) {
                prop_assert!(!n.as_str().chars().any(char::is_control));
                prop_assert!(n.as_str().chars().count() <= 120);
                prop_assert!(crate::validation::has_letters(n.as_str()));
            }
        }

        #[test]
        fn password_policy_is_length_based(s in "[a-z]{10,40}") {
            let all_same = s.chars().all(|c| s.starts_with(c));
            prop_assert_eq!(Password::parse(&s).is_ok(), !all_same);
        }
    }
}
