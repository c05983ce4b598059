//! Shared set-up: a mail config per transport, enqueueing, running and inspecting jobs.

use std::path::PathBuf;
use std::time::Duration;

use safir_notify::testing::SmtpSink;
use safir_notify::{EmailJob, EmailMessage, JOB_KIND, MailConfig, PlainMailConfig};
use safir_store::jobs::{self, JobRow, JobRunner, NewJob, RunnerConfig};
use safir_store::{Db, with_pool};

pub const FROM: &str = "سفير Safir <no-reply@safir.test>";

pub fn arabic_email(to: &str) -> EmailMessage {
    EmailMessage {
        to: to.to_owned(),
        lang: "ar".to_owned(),
        subject: "تأكيد عنوان بريدك الإلكتروني في سفير".to_owned(),
        text: "مرحبا،\n\nلتأكيد عنوانك افتح الرابط التالي:\nhttps://safir.test/verify?t=abc\n.سطر يبدأ بنقطة\n\nمع التحية، فريق سفير".to_owned(),
        attachments: Vec::new(),
        headers: Vec::new(),
    }
}

pub fn smtp_plain(sink: &SmtpSink) -> PlainMailConfig<'static> {
    PlainMailConfig {
        transport: "smtp",
        from: FROM,
        smtp_host: "127.0.0.1",
        smtp_port: sink.port(),
        smtp_tls: "none",
        ..PlainMailConfig::default()
    }
}

pub fn smtp_config(sink: &SmtpSink) -> MailConfig {
    MailConfig::from_plain(&smtp_plain(sink))
        .expect("valid config")
        .with_timeout(Duration::from_secs(5))
}

pub fn file_config(dir: PathBuf) -> MailConfig {
    MailConfig::from_plain(&PlainMailConfig {
        transport: "file",
        from: FROM,
        file_dir: dir,
        ..PlainMailConfig::default()
    })
    .expect("valid config")
}

pub fn email_job(config: MailConfig) -> EmailJob {
    safir_notify::email_handler(config).expect("mailer")
}

pub fn runner(db: &Db, job: EmailJob) -> JobRunner {
    JobRunner::new(
        db.clone(),
        RunnerConfig {
            idle_poll: Duration::from_millis(20),
            ..RunnerConfig::default()
        },
    )
    .register(JOB_KIND, job)
}

pub async fn enqueue_payload(db: &Db, payload: serde_json::Value) -> String {
    let mut tx = db.begin().await.expect("begin");
    let id = jobs::enqueue(&mut tx, &NewJob::new(JOB_KIND, payload))
        .await
        .expect("enqueue")
        .expect("new job");
    tx.commit().await.expect("commit");
    id.as_str().to_owned()
}

pub async fn enqueue(db: &Db, email: &EmailMessage) -> String {
    enqueue_payload(db, serde_json::to_value(email).expect("json")).await
}

pub async fn job(db: &Db, id: &str) -> JobRow {
    jobs::find(db, id).await.expect("job")
}

/// Makes a backed-off job due now instead of sleeping through its backoff.
pub async fn make_due(db: &Db, id: &str) {
    let now = safir_store::now();
    let n = with_pool!(db.write(), p => {
        sqlx::query("UPDATE jobs SET run_at = $1 WHERE id = $2 AND state = 'queued'")
            .bind(now)
            .bind(id)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
    })
    .expect("update run_at");
    assert_eq!(n, 1, "job {id} was not waiting in the queue");
}

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let path = std::env::temp_dir().join(format!("{prefix}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).expect("temp dir");
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
