//! OASIS Common Alerting Protocol 1.2: the vocabulary alerts are composed in, the XML every
//! alert is published as, and the import of other authorities' alerts.

mod atom;
mod read;
mod write;

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::geo::{Circle, Polygon};
use crate::ValidationError;

pub use atom::{AtomEntry, atom_feed};
pub use read::{CapError, parse};

/// The CAP 1.2 namespace.
pub const NAMESPACE: &str = "urn:oasis:names:tc:emergency:cap:1.2";
/// The CAP 1.1 namespace, still used by some authorities; accepted on import.
pub const NAMESPACE_1_1: &str = "urn:oasis:names:tc:emergency:cap:1.1";

macro_rules! cap_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The CAP token, exactly as the schema spells it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Accepts the CAP token (exact spelling, surrounding spaces ignored).
            pub fn parse(input: &str) -> Result<Self, ValidationError> {
                match input.trim() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(ValidationError::new(concat!("cap_", stringify!($name), "_unknown"))),
                }
            }
        }

        impl read::Token for $name {
            const TOKENS: &'static [&'static str] = &[$($text),+];
            fn from_token(input: &str) -> Option<Self> {
                Self::parse(input).ok()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

cap_enum!(
    /// `<msgType>`
    MsgType { Alert = "Alert", Update = "Update", Cancel = "Cancel", Ack = "Ack", Error = "Error" }
);
cap_enum!(
    /// `<status>`
    Status { Actual = "Actual", Exercise = "Exercise", System = "System", Test = "Test", Draft = "Draft" }
);
cap_enum!(
    /// `<scope>`
    Scope { Public = "Public", Restricted = "Restricted", Private = "Private" }
);
cap_enum!(
    /// `<category>`
    Category {
        Geo = "Geo", Met = "Met", Safety = "Safety", Security = "Security", Rescue = "Rescue",
        Fire = "Fire", Health = "Health", Env = "Env", Transport = "Transport", Infra = "Infra",
        Cbrne = "CBRNE", Other = "Other",
    }
);
cap_enum!(
    /// `<responseType>`
    ResponseType {
        Shelter = "Shelter", Evacuate = "Evacuate", Prepare = "Prepare", Execute = "Execute",
        Avoid = "Avoid", Monitor = "Monitor", Assess = "Assess", AllClear = "AllClear", None = "None",
    }
);
cap_enum!(
    /// `<urgency>`
    Urgency { Immediate = "Immediate", Expected = "Expected", Future = "Future", Past = "Past", Unknown = "Unknown" }
);
cap_enum!(
    /// `<severity>`
    Severity { Extreme = "Extreme", Severe = "Severe", Moderate = "Moderate", Minor = "Minor", Unknown = "Unknown" }
);
cap_enum!(
    /// `<certainty>`
    Certainty { Observed = "Observed", Likely = "Likely", Possible = "Possible", Unlikely = "Unlikely", Unknown = "Unknown" }
);

/// An `<alert>`: the message and its `<info>` blocks (one per language). Times are kept in
/// UTC; they are written with whole seconds and the offset `-00:00`, as CAP requires for UTC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapAlert {
    pub identifier: String,
    pub sender: String,
    pub sent: DateTime<Utc>,
    pub status: Status,
    pub msg_type: MsgType,
    pub scope: Scope,
    /// Earlier messages this one updates or cancels.
    pub references: Vec<CapReference>,
    pub infos: Vec<CapInfo>,
}

/// One `sender,identifier,sent` triple of `<references>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapReference {
    pub sender: String,
    pub identifier: String,
    pub sent: DateTime<Utc>,
}

/// An `<info>` block in one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapInfo {
    /// An RFC 3066 tag: "ar", "en" for our alerts, anything on import ("en-US" when absent).
    pub language: String,
    pub categories: Vec<Category>,
    pub event: String,
    pub response_types: Vec<ResponseType>,
    pub urgency: Urgency,
    pub severity: Severity,
    pub certainty: Certainty,
    pub onset: Option<DateTime<Utc>>,
    pub expires: Option<DateTime<Utc>>,
    pub sender_name: Option<String>,
    pub headline: Option<String>,
    pub description: Option<String>,
    pub instruction: Option<String>,
    pub web: Option<String>,
    pub areas: Vec<CapArea>,
}

/// An `<area>`: its description and shapes; geocodes are kept as (valueName, value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapArea {
    pub area_desc: String,
    pub polygons: Vec<Polygon>,
    pub circles: Vec<Circle>,
    pub geocodes: Vec<(String, String)>,
}
