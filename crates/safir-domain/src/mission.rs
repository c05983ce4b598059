//! The ministry and its missions abroad.

use serde::{Deserialize, Serialize};

use crate::ValidationError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissionKind {
    Headquarters,
    Embassy,
    Consulate,
    PermanentMission,
}

impl MissionKind {
    pub const ALL: [MissionKind; 4] = [
        MissionKind::Headquarters,
        MissionKind::Embassy,
        MissionKind::Consulate,
        MissionKind::PermanentMission,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MissionKind::Headquarters => "headquarters",
            MissionKind::Embassy => "embassy",
            MissionKind::Consulate => "consulate",
            MissionKind::PermanentMission => "permanent_mission",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or(ValidationError::new("mission_kind_unknown"))
    }
}

/// A mission's short code used in human references (`PAR` in `PAR-2026-000123`): 2–6 ASCII
/// capital letters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MissionCode(String);

impl MissionCode {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = input.trim().to_ascii_uppercase();
        if s.is_empty() {
            return Err(ValidationError::new("required"));
        }
        if !(2..=6).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ValidationError::new("mission_code_invalid"));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for MissionCode {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<MissionCode> for String {
    fn from(value: MissionCode) -> Self {
        value.0
    }
}

/// An IANA time-zone name such as `Europe/Paris` or `UTC`, one of the zone database's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = input.trim();
        if s == "UTC" {
            return Ok(Self(s.to_owned()));
        }
        let parts: Vec<&str> = s.split('/').collect();
        let ok = parts.len() >= 2
            && s.len() <= 64
            && parts.iter().all(|p| {
                !p.is_empty()
                    && p.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                    && p.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_-+".contains(c))
            });
        // And a zone of the time zone database: a mistyped one (`Asia/Riyad`) would leave the
        // mission without bookable appointments and its calendar in UTC.
        if ok && s.parse::<chrono_tz::Tz>().is_ok() {
            Ok(Self(s.to_owned()))
        } else {
            Err(ValidationError::new("time_zone_invalid"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TimeZoneName {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TimeZoneName> for String {
    fn from(value: TimeZoneName) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_zones() {
        assert_eq!(MissionCode::parse("par").unwrap().as_str(), "PAR");
        assert!(MissionCode::parse("P").is_err());
        assert!(MissionCode::parse("PA1").is_err());
        assert!(TimeZoneName::parse("Europe/Paris").is_ok());
        assert!(TimeZoneName::parse("America/Argentina/Buenos_Aires").is_ok());
        assert!(TimeZoneName::parse("paris").is_err());
        assert!(
            TimeZoneName::parse("Asia/Riyad").is_err(),
            "not in the zone database"
        );
        assert!(TimeZoneName::parse("Europe/Pariss").is_err());
        assert_eq!(
            MissionKind::parse("permanent_mission").unwrap(),
            MissionKind::PermanentMission
        );
    }
}
