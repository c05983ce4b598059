//! The people and systems an alert reaches.

/// One addressee of an alert on one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// Registration, subscription or webhook id.
    pub id: String,
    /// `registration`, `subscription` or `webhook`.
    pub kind: String,
    /// `email`, `sms` or `webhook`.
    pub channel: String,
    /// Email address, E.164 phone number or webhook URL.
    pub address: String,
    pub lang: String,
    pub registration_id: Option<String>,
}
