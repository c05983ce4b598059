//! The transports that need no mail server: `.eml` files (the demo) and the log.

use std::io::Write;
use std::sync::{Arc, Mutex};

use safir_notify::testing::ParsedMessage;
use safir_notify::{EmailMessage, MailConfig, Mailer, PlainMailConfig};
use safir_store::testing::TestDb;

use crate::support::{FROM, TempDir, arabic_email, email_job, enqueue, file_config, job, runner};

fn eml_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[tokio::test]
async fn the_file_transport_writes_one_parseable_eml_per_job() {
    for t in TestDb::all().await {
        let dir = TempDir::new("safir-mail");
        let email = arabic_email("citizen@example.org");
        let id = enqueue(&t.db, &email).await;
        runner(&t.db, email_job(file_config(dir.0.join("mail"))))
            .drain()
            .await
            .unwrap();
        assert_eq!(job(&t.db, &id).await.state, "done");

        let files = eml_files(&dir.0.join("mail"));
        assert_eq!(files, [dir.0.join("mail").join(format!("{id}.eml"))]);
        let bytes = std::fs::read(&files[0]).unwrap();
        let parsed = ParsedMessage::parse(&bytes).unwrap();
        assert_eq!(
            parsed.subject().unwrap().as_deref(),
            Some(email.subject.as_str())
        );
        assert_eq!(parsed.text().unwrap(), email.text);
        assert_eq!(parsed.header("To"), Some("citizen@example.org"));
        assert_eq!(parsed.header("Content-Language"), Some("ar"));
        assert_eq!(parsed.header("MIME-Version"), Some("1.0"));
    }
}

#[tokio::test]
async fn sending_the_same_job_again_replaces_its_file() {
    let dir = TempDir::new("safir-mail");
    let mailer = Mailer::new(&file_config(dir.0.clone())).unwrap();
    let english = EmailMessage {
        lang: "en".to_owned(),
        subject: "Confirm your address".to_owned(),
        text: "Hello".to_owned(),
        attachments: Vec::new(),
        headers: Vec::new(),
        to: "a@example.org".to_owned(),
    };
    mailer.send(&english, "job-1").await.unwrap();
    mailer.send(&english, "job-1").await.unwrap();
    mailer.send(&english, "job-2").await.unwrap();
    let names: Vec<String> = eml_files(&dir.0)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["job-1.eml", "job-2.eml"]);
    assert!(mailer.send(&english, "../escape").await.is_err());
}

/// Collects formatted log output.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_console_transport_logs_the_message_and_completes_the_job() {
    let t = TestDb::sqlite().await;
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let config = MailConfig::from_plain(&PlainMailConfig {
        transport: "console",
        from: FROM,
        ..PlainMailConfig::default()
    })
    .unwrap();
    let email = arabic_email("citizen@example.org");
    let id = enqueue(&t.db, &email).await;
    runner(&t.db, email_job(config)).drain().await.unwrap();
    assert_eq!(job(&t.db, &id).await.state, "done");

    let out = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(out.contains("citizen@example.org"), "{out}");
    assert!(out.contains(&email.subject), "{out}");
}
