//! Outgoing email, written in the recipient's language when it is enqueued and sent by the
//! `email.send` job (see the notify crate), in the same transaction as the change it reports.

use fluent_bundle::FluentArgs;
use safir_store::jobs::{self, NewJob};
use safir_store::{StoreError, Tx};

use crate::i18n::{I18n, Lang};

/// The job kind the mail sender handles.
pub const JOB_KIND: &str = "email.send";

/// The job payload: a finished message.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub to: String,
    pub lang: String,
    pub subject: String,
    pub text: String,
    /// Files sent with the text; left out of the payload when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// Extra headers the mail sender allows (`List-Unsubscribe`, `List-Unsubscribe-Post`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
}

/// A file attached to an email, in the shape the mail sender reads.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    /// The media type with its parameters.
    pub media_type: String,
    /// Standard base64.
    pub data_base64: String,
}

impl Attachment {
    pub fn new(name: &str, media_type: &str, bytes: &[u8]) -> Attachment {
        use base64::Engine;
        Attachment {
            name: name.to_owned(),
            media_type: media_type.to_owned(),
            data_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        }
    }
}

/// Renders `email-<template>-subject` and `email-<template>-body` from the catalogs.
pub fn render(to: &str, lang: Lang, template: &str, args: &FluentArgs) -> OutgoingEmail {
    let i18n = I18n::global();
    OutgoingEmail {
        to: to.to_owned(),
        lang: lang.code().to_owned(),
        subject: i18n.t_args(lang, &format!("email-{template}-subject"), args),
        text: i18n.t_args(lang, &format!("email-{template}-body"), args),
        attachments: Vec::new(),
        headers: Vec::new(),
    }
}

/// Enqueues the message; with an idempotency key, a retried request sends it once.
pub async fn enqueue(
    tx: &mut Tx,
    email: &OutgoingEmail,
    idempotency_key: Option<String>,
) -> Result<(), StoreError> {
    enqueue_new(tx, email, idempotency_key).await.map(|_| ())
}

/// As [`enqueue`], saying whether the message was queued: `false` when a message with the
/// same idempotency key was queued before.
pub async fn enqueue_new(
    tx: &mut Tx,
    email: &OutgoingEmail,
    idempotency_key: Option<String>,
) -> Result<bool, StoreError> {
    let payload = serde_json::to_value(email).unwrap_or_default();
    let mut job = NewJob::new(JOB_KIND, payload);
    if let Some(k) = idempotency_key {
        job = job.idempotency_key(k);
    }
    Ok(jobs::enqueue(tx, &job).await?.is_some())
}
