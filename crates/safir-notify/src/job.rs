//! The `email.send` job.
//!
//! Delivery is at least once. SMTP has no way to ask a relay "did you already take this
//! message?", so a worker that crashes after the relay's final 250 and before the queue
//! records the job as done will send it again. The job keeps that window small: it opens
//! one SMTP transaction per attempt and returns as soon as the relay accepts, the runner
//! marks the job done immediately after, and the SMTP timeout stays far below the job lease
//! so two workers never hold the same job at once. A repeated message carries the same
//! Message-ID (built from the job id), which lets mail systems and readers recognise it; the
//! file transport overwrites the same file.

use std::sync::Arc;

use safir_store::jobs::{ClaimedJob, HandlerFuture, JobError, JobHandler};

use crate::{EmailMessage, Mailer, SendError};

/// Sends the message in an `email.send` job's payload.
#[derive(Debug, Clone)]
pub struct EmailJob {
    mailer: Arc<Mailer>,
}

impl EmailJob {
    pub fn new(mailer: Mailer) -> Self {
        Self {
            mailer: Arc::new(mailer),
        }
    }

    pub fn mailer(&self) -> &Mailer {
        &self.mailer
    }

    async fn send(&self, job: &ClaimedJob) -> Result<(), JobError> {
        let email: EmailMessage = job
            .payload_json()
            .map_err(|e| JobError::Permanent(format!("bad email.send payload: {e}")))?;
        self.mailer
            .send(&email, &job.id)
            .await
            .map_err(|e| match e {
                SendError::Invalid(_) | SendError::Rejected(_) => {
                    JobError::Permanent(e.to_string())
                }
                SendError::Transient(_) => JobError::Retry(e.to_string()),
            })
    }
}

impl JobHandler for EmailJob {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> HandlerFuture<'a> {
        Box::pin(self.send(job))
    }
}
