//! Delivery channels: email (the `email.send` job sends messages the web layer has already
//! written, over SMTP, into `.eml` files, or to the log), SMS through an HTTP gateway, signed
//! webhooks, and the per-channel rate limit.

pub mod address;
mod channel;
mod config;
mod error;
mod job;
mod mailer;
mod message;
pub mod ratelimit;
pub mod sms;
mod smtp;
pub mod testing;
pub mod tls;
pub mod webhook;

pub use channel::{Accepted, ChannelError};
pub use config::{MailConfig, PlainMailConfig, SmtpPassword, SmtpTls, Transport};
pub use error::{NotifyError, SendError};
pub use job::EmailJob;
pub use mailer::Mailer;
pub use message::{EmailAttachment, EmailMessage, JOB_KIND};

/// Whether `url` is `https://` or `http://` followed by a host, and a URL the HTTP client
/// can read (`http://[::1/`, a port over 65535 or a space in the host are not): what the SMS
/// gateway and the webhook sender can reach (configuration and forms check URLs with this
/// too).
pub fn is_http_url(url: &str) -> bool {
    http_host(url).is_some_and(|h| !h.is_empty())
        && reqwest::Url::parse(url).is_ok_and(|u| u.host_str().is_some_and(|h| !h.is_empty()))
}

/// The part of an `https://` or `http://` URL before its path, query or fragment.
pub fn http_host(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    rest.split(['/', '?', '#']).next()
}

/// The handler the binary registers for [`JOB_KIND`].
pub fn email_handler(config: MailConfig) -> Result<EmailJob, NotifyError> {
    Ok(EmailJob::new(Mailer::new(&config)?))
}
