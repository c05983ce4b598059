//! `email.send` jobs delivered over SMTP to the loopback sink, on every database backend.

use std::time::Duration;

use safir_notify::testing::{Fault, SmtpSink, Stage};
use safir_notify::{EmailMessage, MailConfig, PlainMailConfig};
use safir_store::jobs;
use safir_store::testing::TestDb;
use tokio::sync::watch;

use crate::support::{
    arabic_email, email_job, enqueue, enqueue_payload, job, make_due, runner, smtp_config,
    smtp_plain,
};

#[tokio::test]
async fn an_arabic_email_arrives_once_with_its_headers() {
    for t in TestDb::all().await {
        let sink = SmtpSink::start().await.unwrap();
        let email = arabic_email("citizen@example.org");
        let id = enqueue(&t.db, &email).await;
        let runner = runner(&t.db, email_job(smtp_config(&sink)));

        assert_eq!(runner.drain().await.unwrap(), 1);
        assert_eq!(runner.drain().await.unwrap(), 0, "nothing left to send");
        assert_eq!(job(&t.db, &id).await.state, "done");

        let got = sink.messages();
        assert_eq!(got.len(), 1, "sent exactly once");
        let m = &got[0];
        assert_eq!(m.rcpt_to, ["citizen@example.org"]);
        assert_eq!(m.mail_from, "no-reply@safir.test");
        assert_eq!(m.helo, "safir.test");
        let parsed = m.parse().unwrap();
        assert_eq!(
            parsed.subject().unwrap().as_deref(),
            Some(email.subject.as_str())
        );
        assert_eq!(parsed.text().unwrap(), email.text);
        assert_eq!(parsed.header("Content-Language"), Some("ar"));
        assert_eq!(parsed.header("To"), Some("citizen@example.org"));
        let from = parsed.decoded_header("From").unwrap().unwrap();
        assert!(
            from.contains("سفير Safir") && from.contains("<no-reply@safir.test>"),
            "{from}"
        );
        assert_eq!(
            parsed.header("Message-ID"),
            Some(format!("<{id}@safir.test>").as_str())
        );
        assert!(
            parsed
                .header("Content-Type")
                .unwrap()
                .to_ascii_lowercase()
                .starts_with("text/plain; charset=utf-8"),
            "{:?}",
            parsed.header("Content-Type")
        );
        assert!(parsed.header("Date").is_some());
    }
}

#[tokio::test]
async fn a_server_that_is_down_gets_the_message_after_it_comes_back() {
    for t in TestDb::all().await {
        let sink = SmtpSink::start().await.unwrap();
        sink.go_down().await;
        let id = enqueue(&t.db, &arabic_email("traveller@example.org")).await;
        let runner = runner(&t.db, email_job(smtp_config(&sink)));

        let before = safir_store::now();
        assert_eq!(runner.drain().await.unwrap(), 1);
        let row = job(&t.db, &id).await;
        assert_eq!(row.state, "queued", "a refused connection is retried");
        assert_eq!(row.attempts, 1);
        assert!(row.run_at > before, "retried after a backoff, not at once");
        assert!(row.last_error.is_some());
        assert_eq!(runner.drain().await.unwrap(), 0, "not due yet");

        sink.come_up().await.unwrap();
        make_due(&t.db, &id).await;
        assert_eq!(runner.drain().await.unwrap(), 1);
        let row = job(&t.db, &id).await;
        assert_eq!((row.state.as_str(), row.attempts), ("done", 2));
        assert_eq!(sink.messages_to("traveller@example.org").len(), 1);
    }
}

#[tokio::test]
async fn a_temporary_refusal_is_retried_and_pooled_connections_survive_a_restart() {
    for t in TestDb::all().await {
        let sink = SmtpSink::start().await.unwrap();
        let runner = runner(&t.db, email_job(smtp_config(&sink)));
        // A first message opens a pooled connection; the server then restarts, which
        // closes it, and starts answering 451 to the next transaction.
        enqueue(&t.db, &arabic_email("first@example.org")).await;
        runner.drain().await.unwrap();
        sink.go_down().await;
        sink.come_up().await.unwrap();
        sink.add_fault(Fault::new(Stage::Rcpt, 451, "4.3.0 try again later").times(1));

        let id = enqueue(&t.db, &arabic_email("second@example.org")).await;
        runner.drain().await.unwrap();
        let row = job(&t.db, &id).await;
        assert_eq!(row.state, "queued");
        assert!(
            row.last_error.as_deref().unwrap_or("").contains("451"),
            "{:?}",
            row.last_error
        );

        make_due(&t.db, &id).await;
        runner.drain().await.unwrap();
        assert_eq!(job(&t.db, &id).await.state, "done");
        assert_eq!(sink.messages_to("second@example.org").len(), 1);
    }
}

#[tokio::test]
async fn a_relay_refusing_the_session_keeps_the_message_for_later() {
    let t = TestDb::sqlite().await;
    let sink = SmtpSink::start().await.unwrap();
    // The relay refuses this sender's address for a while: a 554 greeting is about the
    // session, which every message would meet, not about this message.
    sink.add_fault(Fault::new(Stage::Connect, 554, "5.7.1 access denied").times(1));
    let id = enqueue(&t.db, &arabic_email("waiting@example.org")).await;
    let runner = runner(&t.db, email_job(smtp_config(&sink)));
    runner.drain().await.unwrap();
    let row = job(&t.db, &id).await;
    assert_eq!(row.state, "queued", "{:?}", row.last_error);
    assert!(
        row.last_error.as_deref().unwrap_or("").contains("554"),
        "{:?}",
        row.last_error
    );
    make_due(&t.db, &id).await;
    runner.drain().await.unwrap();
    assert_eq!(job(&t.db, &id).await.state, "done");
    assert_eq!(sink.messages_to("waiting@example.org").len(), 1);
}

#[tokio::test]
async fn a_rejected_recipient_becomes_a_dead_letter_with_the_reason() {
    for t in TestDb::all().await {
        let sink = SmtpSink::start().await.unwrap();
        sink.add_fault(
            Fault::new(Stage::Rcpt, 550, "5.1.1 no such user").for_recipient("nobody@example.org"),
        );
        let dead = enqueue(&t.db, &arabic_email("nobody@example.org")).await;
        let fine = enqueue(&t.db, &arabic_email("somebody@example.org")).await;
        let runner = runner(&t.db, email_job(smtp_config(&sink)));
        assert_eq!(runner.drain().await.unwrap(), 2);

        let row = job(&t.db, &dead).await;
        assert_eq!(
            (row.state.as_str(), row.attempts),
            ("dead", 1),
            "no retries for a 550"
        );
        let error = row.last_error.unwrap_or_default();
        assert!(
            error.contains("550") && error.contains("no such user"),
            "{error}"
        );
        assert!(
            jobs::list_dead(&t.db, 10)
                .await
                .unwrap()
                .iter()
                .any(|j| j.id == dead)
        );
        assert_eq!(job(&t.db, &fine).await.state, "done");
        assert_eq!(sink.count(), 1);
    }
}

#[tokio::test]
async fn unusable_payloads_become_dead_letters_without_contacting_the_server() {
    let t = TestDb::sqlite().await;
    let sink = SmtpSink::start().await.unwrap();
    let runner = runner(&t.db, email_job(smtp_config(&sink)));
    let wrong_shape = enqueue_payload(&t.db, serde_json::json!({ "to": 5 })).await;
    let bad_address = enqueue(
        &t.db,
        &EmailMessage {
            to: "not an address".to_owned(),
            ..arabic_email("x@example.org")
        },
    )
    .await;
    let bad_lang = enqueue(
        &t.db,
        &EmailMessage {
            lang: "ar\r\nBcc: someone@example.org".to_owned(),
            ..arabic_email("x@example.org")
        },
    )
    .await;
    assert_eq!(runner.drain().await.unwrap(), 3);
    for (id, why) in [
        (wrong_shape, "bad email.send payload"),
        (bad_address, "recipient"),
        (bad_lang, "language tag"),
    ] {
        let row = job(&t.db, &id).await;
        assert_eq!(row.state, "dead");
        assert!(
            row.last_error.as_deref().unwrap_or("").contains(why),
            "{:?}",
            row.last_error
        );
    }
    assert_eq!(sink.connections(), 0);
}

#[tokio::test]
async fn a_subject_cannot_add_headers() {
    let t = TestDb::sqlite().await;
    let sink = SmtpSink::start().await.unwrap();
    let email = EmailMessage {
        subject: "Hello\r\nBcc: spy@example.org".to_owned(),
        ..arabic_email("citizen@example.org")
    };
    enqueue(&t.db, &email).await;
    runner(&t.db, email_job(smtp_config(&sink)))
        .drain()
        .await
        .unwrap();
    let m = &sink.messages()[0];
    assert_eq!(m.rcpt_to, ["citizen@example.org"]);
    assert!(m.parse().unwrap().all("Bcc").is_empty());
}

#[tokio::test]
async fn credentials_from_the_config_are_used_and_a_wrong_password_is_retried() {
    let t = TestDb::sqlite().await;
    let sink = SmtpSink::start().await.unwrap();
    sink.require_auth("safir", "s3cret pass");
    let config = |password: &str| {
        MailConfig::from_plain(&PlainMailConfig {
            smtp_username: "safir",
            smtp_password: password,
            ..smtp_plain(&sink)
        })
        .unwrap()
    };

    let wrong = enqueue(&t.db, &arabic_email("a@example.org")).await;
    runner(&t.db, email_job(config("wrong")))
        .drain()
        .await
        .unwrap();
    let row = job(&t.db, &wrong).await;
    assert_eq!(
        row.state, "queued",
        "a relay login problem is not the message's fault"
    );
    assert!(
        row.last_error.as_deref().unwrap_or("").contains("535"),
        "{:?}",
        row.last_error
    );

    make_due(&t.db, &wrong).await;
    runner(&t.db, email_job(config("s3cret pass")))
        .drain()
        .await
        .unwrap();
    assert_eq!(job(&t.db, &wrong).await.state, "done");
    assert_eq!(sink.messages()[0].auth_user.as_deref(), Some("safir"));
}

#[tokio::test]
async fn tls_modes_do_not_fall_back_to_plain_text() {
    let t = TestDb::sqlite().await;
    let sink = SmtpSink::start().await.unwrap();
    for mode in ["starttls", "tls"] {
        let config = MailConfig::from_plain(&PlainMailConfig {
            smtp_tls: mode,
            ..smtp_plain(&sink)
        })
        .unwrap()
        .with_timeout(Duration::from_secs(5));
        let id = enqueue(&t.db, &arabic_email("a@example.org")).await;
        runner(&t.db, email_job(config)).drain().await.unwrap();
        let row = job(&t.db, &id).await;
        assert_eq!(
            row.state, "queued",
            "{mode}: retried once the relay is fixed"
        );
    }
    assert_eq!(sink.count(), 0, "nothing went out unencrypted");
}

#[tokio::test]
async fn consecutive_messages_reuse_one_connection() {
    let t = TestDb::sqlite().await;
    let sink = SmtpSink::start().await.unwrap();
    for i in 0..5 {
        enqueue(&t.db, &arabic_email(&format!("p{i}@example.org"))).await;
    }
    runner(&t.db, email_job(smtp_config(&sink)))
        .drain()
        .await
        .unwrap();
    assert_eq!(sink.count(), 5);
    assert_eq!(sink.connections(), 1);
}

#[tokio::test]
async fn a_running_worker_delivers_a_burst_to_distinct_recipients() {
    for t in TestDb::all().await {
        let sink = SmtpSink::start().await.unwrap();
        const N: usize = 150;
        let mut batch = Vec::new();
        for i in 0..N {
            let payload = serde_json::to_value(arabic_email(&format!("r{i}@example.org"))).unwrap();
            batch.push(jobs::NewJob::new(safir_notify::JOB_KIND, payload));
        }
        let mut tx = t.db.begin().await.unwrap();
        assert_eq!(
            jobs::enqueue_batch(&mut tx, &batch).await.unwrap(),
            N as u64
        );
        tx.commit().await.unwrap();

        let (stop, stopped) = watch::channel(false);
        let worker = tokio::spawn(runner(&t.db, email_job(smtp_config(&sink))).run(stopped));
        assert!(
            sink.wait_for(N, Duration::from_secs(60)).await,
            "got {}",
            sink.count()
        );
        stop.send(true).unwrap();
        worker.await.unwrap();

        assert_eq!(sink.count(), N, "no message twice");
        let mut to: Vec<String> = sink
            .messages()
            .into_iter()
            .flat_map(|m| m.rcpt_to)
            .collect();
        to.sort();
        to.dedup();
        assert_eq!(to.len(), N, "each recipient exactly once");
        assert_eq!(jobs::stats(&t.db).await.unwrap().done, N as i64);
    }
}

#[tokio::test]
async fn a_hung_server_times_out_and_the_message_is_retried() {
    let t = TestDb::sqlite().await;
    let sink = SmtpSink::start().await.unwrap();
    // No answer after the final dot: the relay may or may not have the message. Retrying
    // risks a duplicate but never a loss.
    sink.add_fault(Fault::stall(Stage::Data).times(1));
    let config = smtp_config(&sink).with_timeout(Duration::from_millis(500));
    let runner = runner(&t.db, email_job(config));
    let id = enqueue(&t.db, &arabic_email("a@example.org")).await;

    runner.drain().await.unwrap();
    let row = job(&t.db, &id).await;
    assert_eq!(row.state, "queued", "{:?}", row.last_error);
    assert_eq!(sink.count(), 0);

    make_due(&t.db, &id).await;
    runner.drain().await.unwrap();
    assert_eq!(job(&t.db, &id).await.state, "done");
    assert_eq!(sink.count(), 1);
}
