//! Errors: `NotifyError` for setting up a channel (the process should not start), `SendError`
//! for one delivery (the job decides whether to retry).

/// A channel cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// A configuration value is wrong; `key` is its name in the configuration.
    #[error("{key}: {problem}")]
    Config { key: &'static str, problem: String },
    #[error("the SMTP transport must be set up inside a Tokio runtime")]
    NoRuntime,
    #[error("mail directory {path}: {source}")]
    MailDir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

impl NotifyError {
    pub(crate) fn config(key: &'static str, problem: impl Into<String>) -> Self {
        Self::Config {
            key,
            problem: problem.into(),
        }
    }
}

/// One message could not be delivered.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The message itself is unusable (bad address, bad language tag): retrying cannot help.
    #[error("invalid message: {0}")]
    Invalid(String),
    /// The server refused it for good (5xx, e.g. 550 no such user).
    #[error("rejected: {0}")]
    Rejected(String),
    /// Worth trying again later: connection refused or lost, timeout, 4xx, a full disk.
    #[error("temporarily failed: {0}")]
    Transient(String),
}

impl SendError {
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Invalid(_) | Self::Rejected(_))
    }
}
