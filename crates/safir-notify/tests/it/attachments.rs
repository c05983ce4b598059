//! Attachments: an `email.send` payload with files arrives over SMTP as multipart/mixed with
//! each file intact; payloads from before attachments existed still send; an unsafe file
//! name is refused without contacting the server.

use base64::Engine;
use safir_notify::testing::SmtpSink;
use safir_notify::{EmailAttachment, EmailMessage};
use safir_store::testing::TestDb;

use crate::support::{arabic_email, email_job, enqueue, enqueue_payload, job, runner, smtp_config};

const CALENDAR: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Safir//EN\r\nBEGIN:VEVENT\r\nSUMMARY:موعد\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

fn with_calendar(to: &str) -> EmailMessage {
    EmailMessage {
        attachments: vec![EmailAttachment {
            name: "appointment.ics".to_owned(),
            media_type: "text/calendar; charset=utf-8; method=PUBLISH".to_owned(),
            data_base64: base64::engine::general_purpose::STANDARD.encode(CALENDAR),
        }],
        ..arabic_email(to)
    }
}

#[tokio::test]
async fn an_attachment_arrives_with_the_text() {
    for t in TestDb::all().await {
        let sink = SmtpSink::start().await.unwrap();
        let email = with_calendar("applicant@example.org");
        enqueue(&t.db, &email).await;
        assert_eq!(
            runner(&t.db, email_job(smtp_config(&sink)))
                .drain()
                .await
                .unwrap(),
            1
        );

        let got = sink.messages();
        assert_eq!(got.len(), 1);
        let parsed = got[0].parse().unwrap();
        assert!(
            parsed
                .header("Content-Type")
                .unwrap()
                .starts_with("multipart/mixed"),
            "{:?}",
            parsed.header("Content-Type")
        );
        assert_eq!(
            parsed.text().unwrap(),
            email.text,
            "the text part comes first"
        );
        let parts = parsed.parts().unwrap();
        assert_eq!(parts.len(), 2);
        let file = &parts[1];
        assert_eq!(file.file_name().as_deref(), Some("appointment.ics"));
        assert!(
            file.header("Content-Type")
                .unwrap()
                .to_ascii_lowercase()
                .starts_with("text/calendar"),
            "{:?}",
            file.header("Content-Type")
        );
        assert_eq!(
            String::from_utf8(file.body_bytes().unwrap()).unwrap(),
            CALENDAR
        );
    }
}

#[tokio::test]
async fn payloads_without_attachments_still_send_as_plain_text() {
    let t = TestDb::sqlite().await;
    let sink = SmtpSink::start().await.unwrap();
    let email = arabic_email("old@example.org");
    let payload = serde_json::json!({
        "to": email.to, "lang": email.lang, "subject": email.subject, "text": email.text,
    });
    let id = enqueue_payload(&t.db, payload).await;
    runner(&t.db, email_job(smtp_config(&sink)))
        .drain()
        .await
        .unwrap();
    assert_eq!(job(&t.db, &id).await.state, "done");
    let parsed = sink.messages()[0].parse().unwrap();
    assert!(
        parsed
            .header("Content-Type")
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(parsed.text().unwrap(), email.text);
    assert!(
        !serde_json::to_string(&email)
            .unwrap()
            .contains("attachments"),
        "no attachments, no member: the payload keeps its old shape"
    );
}

#[tokio::test]
async fn an_unsafe_attachment_name_is_a_dead_letter() {
    let t = TestDb::sqlite().await;
    let sink = SmtpSink::start().await.unwrap();
    let mut email = with_calendar("x@example.org");
    email.attachments[0].name = "../\"evil\r\n.ics".to_owned();
    let id = enqueue(&t.db, &email).await;
    runner(&t.db, email_job(smtp_config(&sink)))
        .drain()
        .await
        .unwrap();
    let row = job(&t.db, &id).await;
    assert_eq!(row.state, "dead");
    assert!(
        row.last_error
            .unwrap_or_default()
            .contains("attachment name")
    );
    assert_eq!(sink.connections(), 0);
}
