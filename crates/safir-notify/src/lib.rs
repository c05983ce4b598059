//! Delivery channels. Email for now: the `email.send` job sends messages the web layer has
//! already written, over SMTP, into `.eml` files, or to the log.

mod config;
mod error;
mod job;
mod mailer;
mod message;
mod smtp;
pub mod testing;

pub use config::{MailConfig, PlainMailConfig, SmtpPassword, SmtpTls, Transport};
pub use error::{NotifyError, SendError};
pub use job::EmailJob;
pub use mailer::Mailer;
pub use message::{EmailAttachment, EmailMessage, JOB_KIND};

/// The handler the binary registers for [`JOB_KIND`].
pub fn email_handler(config: MailConfig) -> Result<EmailJob, NotifyError> {
    Ok(EmailJob::new(Mailer::new(&config)?))
}
