//! The `email.send` payload the web layer enqueues is the one the mail sender reads.

use std::time::Duration;

use safir_notify::EmailMessage;
use safir_store::jobs;
use safir_store::testing::TestDb;
use safir_web::email::{self, OutgoingEmail};

/// The document both sides agree on (the notify crate reads and writes the same one).
const DOCUMENT: &str =
    r#"{"to":"citizen@example.org","lang":"ar","subject":"تأكيد البريد","text":"مرحبا\nسطر ثان"}"#;

fn outgoing() -> OutgoingEmail {
    OutgoingEmail {
        to: "citizen@example.org".to_owned(),
        lang: "ar".to_owned(),
        subject: "تأكيد البريد".to_owned(),
        text: "مرحبا\nسطر ثان".to_owned(),
        attachments: Vec::new(),
        headers: Vec::new(),
    }
}

#[test]
fn outgoing_email_serializes_to_the_shared_document() {
    let document: serde_json::Value = serde_json::from_str(DOCUMENT).unwrap();
    assert_eq!(serde_json::to_value(outgoing()).unwrap(), document);
    let read: OutgoingEmail = serde_json::from_str(DOCUMENT).unwrap();
    assert_eq!(read, outgoing());
}

#[tokio::test]
async fn an_enqueued_email_is_read_by_the_sender_as_written() {
    for t in TestDb::all().await {
        let mut tx = t.db.begin().await.unwrap();
        email::enqueue(&mut tx, &outgoing(), None).await.unwrap();
        tx.commit().await.unwrap();

        let job = jobs::claim(&t.db, "test", Duration::from_secs(60))
            .await
            .unwrap()
            .expect("a queued job");
        assert_eq!(job.kind, safir_notify::JOB_KIND);
        assert_eq!(job.kind, email::JOB_KIND);
        let message: EmailMessage = job.payload_json().unwrap();
        let o = outgoing();
        assert_eq!(
            message,
            EmailMessage {
                to: o.to,
                lang: o.lang,
                subject: o.subject,
                text: o.text,
                attachments: Vec::new(),
                headers: Vec::new(),
            }
        );
    }
}
