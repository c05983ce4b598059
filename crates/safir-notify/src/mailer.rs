//! The mail sender: one of three transports, chosen by configuration.

use std::path::{Path, PathBuf};

use lettre::message::Mailbox;

use crate::config::{MailConfig, Transport};
use crate::message::EmailMessage;
use crate::smtp::SmtpChannel;
use crate::{NotifyError, SendError};

/// Sends finished messages. Cheap to share behind an `Arc`; the SMTP transport keeps a pool
/// of open connections, so consecutive messages reuse one session.
pub struct Mailer {
    from: Mailbox,
    channel: Channel,
}

enum Channel {
    Smtp(Box<SmtpChannel>),
    File(PathBuf),
    Console,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let channel = match &self.channel {
            Channel::Smtp(_) => "smtp".to_owned(),
            Channel::File(dir) => format!("file:{}", dir.display()),
            Channel::Console => "console".to_owned(),
        };
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("channel", &channel)
            .finish()
    }
}

impl Mailer {
    /// Sets up the configured transport. Nothing is contacted yet: an SMTP relay that is down
    /// at start-up only delays the queue, it does not stop the process. The SMTP connection
    /// pool lives on the Tokio runtime, so this must be called inside one.
    pub fn new(config: &MailConfig) -> Result<Self, NotifyError> {
        let channel = match config.transport() {
            Transport::Smtp => Channel::Smtp(Box::new(SmtpChannel::new(config)?)),
            Transport::File => {
                let dir = config.file_dir().to_owned();
                std::fs::create_dir_all(&dir).map_err(|source| NotifyError::MailDir {
                    path: dir.clone(),
                    source,
                })?;
                Channel::File(dir)
            }
            Transport::Console => Channel::Console,
        };
        Ok(Self {
            from: config.from().clone(),
            channel,
        })
    }

    /// Sends one message. `key` identifies it across retries (the job id): it becomes the
    /// Message-ID and, for the file transport, the file name.
    pub async fn send(&self, email: &EmailMessage, key: &str) -> Result<(), SendError> {
        let message = email.to_lettre(&self.from, key)?;
        match &self.channel {
            Channel::Smtp(smtp) => {
                smtp.send(message).await?;
                tracing::info!(key, lang = %email.lang, "email sent over SMTP");
                Ok(())
            }
            Channel::File(dir) => write_eml(dir, key, &message.formatted()).await,
            Channel::Console => {
                tracing::info!(
                    key,
                    to = %email.to,
                    lang = %email.lang,
                    subject = %email.subject,
                    text = %email.text,
                    "email (console transport, not sent)"
                );
                Ok(())
            }
        }
    }
}

/// Writes `<key>.eml` through a temporary file and a rename, so a reader never sees half a
/// message and a second run of the same job replaces the file instead of adding one.
async fn write_eml(dir: &Path, key: &str, bytes: &[u8]) -> Result<(), SendError> {
    let path = dir.join(format!("{key}.eml"));
    let tmp = dir.join(format!(".{key}.eml.tmp"));
    let io = |e: std::io::Error| SendError::Transient(format!("{}: {e}", path.display()));
    tokio::fs::write(&tmp, bytes).await.map_err(io)?;
    tokio::fs::rename(&tmp, &path).await.map_err(io)?;
    tracing::info!(key, path = %path.display(), "email written to file");
    Ok(())
}
