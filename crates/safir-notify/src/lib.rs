//! Delivery channels: email (the `email.send` job sends messages the web layer has already
//! written, over SMTP, into `.eml` files, or to the log), SMS through an HTTP gateway, signed
//! webhooks, and the per-channel rate limit.

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

/// The handler the binary registers for [`JOB_KIND`].
pub fn email_handler(config: MailConfig) -> Result<EmailJob, NotifyError> {
    Ok(EmailJob::new(Mailer::new(&config)?))
}
