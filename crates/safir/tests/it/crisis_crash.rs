//! Alert delivery survives a crash: `safir serve` is killed (SIGKILL) in the middle of a
//! large delivery and started again; every recipient gets the alert once, counted at a real
//! SMTP server and a real HTTP SMS gateway on loopback, by distinct Message-ID / gateway key.
//!
//! Delivery is at least once with a deduplication key: a message the relay accepted just
//! before the kill, whose row was not yet marked sent, goes out again with the same key. The
//! raw repeats are printed and bounded by what can be in flight (the claimed batches).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use safir_notify::testing::{HttpReceiver, SmtpSink};
use safir_store::crisis::audience::Recipient;
use safir_store::crisis::deliveries;
use safir_store::jobs::{self, NewJob};
use safir_store::{Db, now, with_pool, with_tx};

use crate::support::{Server, TempDir};

/// Recipients of the alert (most by email, the rest by SMS): 20,000 by default to keep the
/// debug suite quick; `SAFIR_CRASH_RECIPIENTS=100000` runs the full size (about four
/// and a half minutes in a debug build on two cores).
fn recipients() -> usize {
    std::env::var("SAFIR_CRASH_RECIPIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000)
}
const SMS_SHARE: usize = 5;
/// Rows a sender claims at once (the deliver job's batch): the most that can be accepted by
/// the channel and not yet marked when the process dies, per running job.
const BATCH: usize = 200;

/// A mission and an alert in `sending`, its delivery rows, and the deliver jobs.
pub async fn seed_alert(db: &Db, emails: usize, phones: usize) -> String {
    let t = now();
    let mission = uuid_like("m");
    let alert = uuid_like("a");
    with_pool!(db.write(), p => {
        sqlx::query(
            "INSERT INTO missions (id, code, kind, name_ar, name_en, country, city_ar, city_en, languages, time_zone, email, phone, address, created_at, updated_at) \
             VALUES ($1, 'KRT', 'embassy', 'سفارة', 'Embassy', 'SD', 'الخرطوم', 'Khartoum', 'ar en', 'Africa/Khartoum', 'e@example.org', '+249', 'Street', $2, $2)",
        )
        .bind(&mission)
        .bind(t)
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })
    .expect("mission");
    with_pool!(db.write(), p => {
        sqlx::query(
            "INSERT INTO crisis_alerts (id, identifier, mission_id, msg_type, status, headline_ar, headline_en, description_ar, description_en, \
             instruction_ar, instruction_en, category, event, response_type, urgency, severity, certainty, target, area_desc, audience, source, \
             created_at, updated_at, sent_at, fanout_at) \
             VALUES ($1, $2, $3, 'Alert', 'sending', 'اشتباكات في المدينة', 'Clashes in the city', 'وصف', 'Description', \
             'ابقوا في منازلكم', 'Stay indoors', 'Security', 'Clashes', 'Shelter', 'Immediate', 'Severe', 'Observed', '{}', 'Khartoum', '{}', '', $4, $4, $4, $4)",
        )
        .bind(&alert)
        .bind(format!("urn:safir:{alert}"))
        .bind(&mission)
        .bind(t)
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })
    .expect("alert");
    let mut recipients = Vec::with_capacity(emails + phones);
    for i in 0..emails {
        recipients.push(Recipient {
            id: format!("sub-e{i}"),
            kind: "subscription".into(),
            channel: "email".into(),
            address: format!("person{i}@example.org"),
            lang: if i % 2 == 0 { "ar" } else { "en" }.into(),
            registration_id: None,
        });
    }
    for i in 0..phones {
        recipients.push(Recipient {
            id: format!("sub-s{i}"),
            kind: "subscription".into(),
            channel: "sms".into(),
            address: format!("+9715{i:08}"),
            lang: if i % 2 == 0 { "ar" } else { "en" }.into(),
            registration_id: None,
        });
    }
    let mut tx = db.begin().await.expect("tx");
    // The subscriptions themselves: the sender sends only to those still active.
    for r in &recipients {
        with_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO advice_subscriptions (id, country, channel, address, lang, status, token_hash, created_at) \
                 VALUES ($1, 'SD', $2, $3, $4, 'active', $1, $5)",
            )
            .bind(&r.id)
            .bind(&r.channel)
            .bind(&r.address)
            .bind(&r.lang)
            .bind(t)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })
        .expect("subscription");
    }
    let n = deliveries::insert_batch(&mut tx, &alert, &recipients)
        .await
        .expect("deliveries");
    assert_eq!(n as usize, emails + phones);
    // Writing them twice adds nothing.
    assert_eq!(
        deliveries::insert_batch(&mut tx, &alert, &recipients[..10])
            .await
            .expect("again"),
        0
    );
    for channel in ["email", "sms"] {
        jobs::enqueue(
            &mut tx,
            &NewJob::new(
                "crisis.deliver",
                serde_json::json!({"alert_id": alert, "channel": channel}),
            )
            .idempotency_key(format!("deliver:{alert}:{channel}:0")),
        )
        .await
        .expect("job");
    }
    tx.commit().await.expect("commit");
    alert
}

fn uuid_like(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    format!("{prefix}{nanos:031x}")[..32].to_owned()
}

async fn alert_status(db: &Db, alert: &str) -> String {
    with_pool!(db.read(), p => {
        sqlx::query_scalar("SELECT status FROM crisis_alerts WHERE id = $1")
            .bind(alert)
            .fetch_one(p)
            .await
    })
    .expect("status")
}

/// The Message-ID header of a raw message.
fn message_id(data: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(data);
    text.lines().take_while(|l| !l.is_empty()).find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("message-id")
            .then(|| value.trim().to_owned())
    })
}

fn env<'a>(
    dir: &'a str,
    sink: &'a SmtpSink,
    sms_url: &'a str,
    port: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let _ = sink;
    vec![
        ("SAFIR_DATA_DIR", dir),
        ("SAFIR_MAIL_TRANSPORT", "smtp"),
        ("SAFIR_SMTP_HOST", "127.0.0.1"),
        ("SAFIR_SMTP_PORT", port),
        ("SAFIR_SMTP_TLS", "none"),
        ("SAFIR_SMS_GATEWAY", "generic"),
        ("SAFIR_SMS_GATEWAY_URL", sms_url),
        ("SAFIR_EMAIL_PER_SECOND", "100000"),
        ("SAFIR_SMS_PER_SECOND", "100000"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_resumes_delivery_and_sends_each_alert_once() {
    let started = Instant::now();
    let dir = TempDir::new("safir-crisis-crash");
    let d = dir.path().to_str().expect("utf-8 path").to_owned();
    let total = recipients();
    let phones = total / SMS_SHARE;
    let emails = total - phones;

    let db = Db::connect(&format!("sqlite://{d}/safir.db"))
        .await
        .expect("db");
    db.migrate().await.expect("migrate");
    let alert = seed_alert(&db, emails, phones).await;

    let sink = SmtpSink::start().await.expect("smtp sink");
    let gateway = HttpReceiver::start().await.expect("sms gateway");
    // The gateway is busy at first: backoff, nothing lost.
    gateway.too_many_requests(20, 1);
    gateway.fail_next(20, 503);
    let sms_url = gateway.url("/sms/send");
    let port = sink.port().to_string();
    let vars = env(&d, &sink, &sms_url, &port);

    let mut first = Server::start(&["serve"], &vars);
    // Kill it once a good part of the email has gone out.
    let killed_at = emails / 3;
    assert!(
        sink.wait_for(killed_at, Duration::from_secs(600)).await,
        "only {} messages arrived before the kill",
        sink.count()
    );
    first.child.kill().expect("SIGKILL");
    let _ = first.child.wait();
    let at_kill = (sink.count(), gateway.accepted_count());
    drop(first);

    let second = Server::start(&["serve"], &vars);
    let deadline = Instant::now() + Duration::from_secs(900);
    while alert_status(&db, &alert).await != "completed" {
        assert!(
            Instant::now() < deadline,
            "not completed: {:?}, {} emails and {} SMS received",
            deliveries::counts(&db, &alert).await,
            sink.count(),
            gateway.accepted_count()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    drop(second);

    let counts = deliveries::counts(&db, &alert).await.expect("counts");
    assert_eq!(counts.queued, 0);
    assert_eq!(counts.failed, 0, "{counts:?}");
    assert_eq!(counts.sent as usize, total, "{counts:?}");

    // Email: every delivery row's Message-ID arrived, and nothing else.
    let expected: HashSet<String> = with_pool!(db.read(), p => {
        sqlx::query_scalar::<_, String>("SELECT id FROM crisis_deliveries WHERE alert_id = $1 AND channel = 'email'")
            .bind(&alert)
            .fetch_all(p)
            .await
    })
    .expect("ids")
    .into_iter()
    .map(|id| format!("<{id}@safir.localhost>"))
    .collect();
    let messages = sink.messages();
    let ids: Vec<String> = messages
        .iter()
        .map(|m| message_id(&m.data).expect("Message-ID"))
        .collect();
    let distinct: HashSet<String> = ids.iter().cloned().collect();
    assert_eq!(distinct.len(), emails, "distinct Message-IDs");
    assert_eq!(distinct, expected);
    let email_repeats = ids.len() - distinct.len();

    // SMS: every key once among the accepted requests.
    let accepted = gateway.accepted();
    let keys: Vec<String> = accepted
        .iter()
        .map(|r| {
            r.json().expect("JSON SMS")["reference"]
                .as_str()
                .expect("key")
                .to_owned()
        })
        .collect();
    let distinct_keys: HashSet<&String> = keys.iter().collect();
    assert_eq!(distinct_keys.len(), phones, "distinct SMS keys");
    let sms_repeats = keys.len() - distinct_keys.len();

    eprintln!(
        "crash test: {total} recipients ({emails} email, {phones} SMS), killed after {} emails / {} SMS; \
         raw repeats after the restart: {email_repeats} email, {sms_repeats} SMS; {:?} in all",
        at_kill.0,
        at_kill.1,
        started.elapsed()
    );
    // Only what was in flight at the kill can repeat: the claimed batches of each channel
    // (a time slice and its successor may overlap, so two per channel).
    assert!(email_repeats <= 2 * BATCH, "{email_repeats} email repeats");
    assert!(sms_repeats <= 2 * BATCH, "{sms_repeats} SMS repeats");
    db.close().await;
}

/// A migrated SQLite database in `dir`.
async fn sqlite_in(dir: &TempDir) -> Db {
    let db = Db::connect(&format!("sqlite://{}/safir.db", dir.path().display()))
        .await
        .expect("db");
    db.migrate().await.expect("migrate");
    db
}

/// Runs `job` as the deliver job's handler in-process until the sender says stop.
fn run_deliveries(
    db: &Db,
    job: safir_web::crisis::delivery::DeliverJob,
) -> (
    tokio::sync::watch::Sender<bool>,
    tokio::task::JoinHandle<()>,
) {
    use safir_store::jobs::{JobRunner, RunnerConfig};
    let runner = JobRunner::new(
        db.clone(),
        RunnerConfig {
            idle_poll: Duration::from_millis(100),
            ..RunnerConfig::default()
        },
    )
    .register(safir_web::crisis::delivery::DELIVER_JOB, job);
    let (stop, rx) = tokio::sync::watch::channel(false);
    (stop, tokio::spawn(runner.run(rx)))
}

/// Runs `job` until `alert` is completed (at most `within`), then stops it.
async fn deliver_until_completed(
    db: &Db,
    job: safir_web::crisis::delivery::DeliverJob,
    alert: &str,
    within: Duration,
) {
    let (stop, running) = run_deliveries(db, job);
    wait_completed(db, alert, within).await;
    let _ = stop.send(true);
    let _ = running.await;
}

/// The distinct Message-IDs of what the sink received.
fn message_ids(sink: &SmtpSink) -> HashSet<String> {
    sink.messages()
        .iter()
        .map(|m| message_id(&m.data).expect("Message-ID"))
        .collect()
}

/// Waits for `alert` to be completed, at most `within`.
async fn wait_completed(db: &Db, alert: &str, within: Duration) {
    let deadline = Instant::now() + within;
    while alert_status(db, alert).await != "completed" {
        assert!(
            Instant::now() < deadline,
            "not completed: {:?}",
            deliveries::counts(db, alert).await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The deliver job in-process, mailing through the SMTP server on `smtp_port` at most
/// `email_rate` messages a second (0: no limit).
fn deliver_job(
    db: &Db,
    smtp_port: u16,
    email_rate: u32,
    tuning: safir_web::crisis::delivery::DeliverTuning,
) -> safir_web::crisis::delivery::DeliverJob {
    use std::sync::Arc;

    use safir_notify::ratelimit::TokenBucket;
    use safir_web::crisis::delivery::{Buckets, DeliverJob};

    let mail = safir_notify::MailConfig::from_plain(&safir_notify::PlainMailConfig {
        transport: "smtp",
        from: "Safir <no-reply@safir.localhost>",
        smtp_host: "127.0.0.1",
        smtp_port,
        smtp_tls: "none",
        ..safir_notify::PlainMailConfig::default()
    })
    .expect("mail config");
    DeliverJob {
        db: db.clone(),
        mailer: Arc::new(safir_notify::Mailer::new(&mail).expect("mailer")),
        sms: safir_notify::sms::SmsGateway::new(&safir_notify::sms::SmsConfig {
            gateway: "none".into(),
            ..Default::default()
        })
        .expect("no sms"),
        webhooks: safir_notify::webhook::WebhookSender::new(
            &safir_notify::tls::Trust::public().expect("trust"),
        )
        .expect("webhooks"),
        buckets: Buckets {
            email: Arc::new(TokenBucket::per_second(email_rate)),
            sms: Arc::new(TokenBucket::per_second(0)),
            webhook: Arc::new(TokenBucket::per_second(0)),
        },
        public_url: "http://safir.test".into(),
        tuning,
    }
}

/// The deliver job in-process against a real SMTP server that is down for a while: the
/// rows are retried with backoff and every message arrives once the server is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_down_for_a_while_then_every_alert_arrives() {
    use safir_web::crisis::delivery::DeliverTuning;

    let dir = TempDir::new("safir-crisis-smtp-down");
    let db = sqlite_in(&dir).await;
    let emails = 300;
    let alert = seed_alert(&db, emails, 0).await;

    let sink = SmtpSink::start().await.expect("smtp sink");
    sink.go_down().await;
    let job = deliver_job(
        &db,
        sink.port(),
        0,
        DeliverTuning {
            slice: Duration::from_secs(2),
            row_lease: Duration::from_secs(10),
            ..DeliverTuning::default()
        },
    );
    let (stop, running) = run_deliveries(&db, job);

    // Every row fails at least once while the server is down.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let retried: i64 = with_pool!(db.read(), p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM crisis_deliveries WHERE alert_id = $1 AND attempts > 0")
                .bind(&alert)
                .fetch_one(p)
                .await
        })
        .expect("count");
        if retried as usize == emails {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {retried} rows were retried"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(sink.count(), 0);
    let counts = deliveries::counts(&db, &alert).await.expect("counts");
    assert_eq!(
        (counts.queued, counts.failed),
        (emails as i64, 0),
        "{counts:?}"
    );

    sink.come_up().await.expect("smtp back");
    wait_completed(&db, &alert, Duration::from_secs(180)).await;
    let _ = stop.send(true);
    let _ = running.await;

    assert_eq!(message_ids(&sink).len(), emails);
    assert_eq!(sink.count(), emails, "no message twice");
    let counts = deliveries::counts(&db, &alert).await.expect("counts");
    assert_eq!(counts.sent as usize, emails, "{counts:?}");
    // Each person in their language.
    let arabic = sink
        .messages()
        .iter()
        .filter(|m| {
            m.parse()
                .ok()
                .and_then(|p| p.subject().ok().flatten())
                .is_some_and(|s| s.contains("اشتباكات في المدينة"))
        })
        .count();
    assert_eq!(arabic, emails / 2);
    db.close().await;
}

/// A batch that takes longer to send than one lease (a low rate, a slow relay) keeps its rows:
/// the sender renews their leases, so the successor job does not take and send them again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_slower_than_its_lease_is_sent_once() {
    use safir_web::crisis::delivery::DeliverTuning;

    let dir = TempDir::new("safir-crisis-slow-batch");
    let db = sqlite_in(&dir).await;
    let emails = 40;
    let alert = seed_alert(&db, emails, 0).await;
    let sink = SmtpSink::start().await.expect("smtp sink");
    // Ten a second: the batch of forty takes four seconds, four leases of one second, while
    // successors of one-second slices start every three.
    let job = deliver_job(
        &db,
        sink.port(),
        10,
        DeliverTuning {
            slice: Duration::from_secs(1),
            row_lease: Duration::from_secs(1),
            ..DeliverTuning::default()
        },
    );
    let (stop, running) = run_deliveries(&db, job);
    wait_completed(&db, &alert, Duration::from_secs(120)).await;
    // Successors that started meanwhile find nothing more to send.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let _ = stop.send(true);
    let _ = running.await;
    assert_eq!(sink.count(), emails, "no message twice");
    db.close().await;
}

/// People who end their subscription after the fan-out wrote their row, or whose subscription
/// is gone by then, are not sent the alert; the others are, and the alert completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_skips_subscribers_who_left_after_its_fan_out() {
    use safir_store::crisis::subscriptions;
    use safir_web::crisis::delivery::DeliverTuning;

    let dir = TempDir::new("safir-crisis-left");
    let db = sqlite_in(&dir).await;
    let alert = seed_alert(&db, 12, 0).await;
    // One clicked the unsubscribe link; another's subscription was deleted at the moment the
    // fan-out ran, after the deletion's trigger had looked for rows to take out (its row is
    // put back as that fan-out wrote it).
    assert!(
        subscriptions::unsubscribe(&db, "sub-e0")
            .await
            .expect("end")
    );
    let row: (String, String, String, String) = with_pool!(db.read(), p => {
        sqlx::query_as("SELECT id, recipient_id, address, lang FROM crisis_deliveries WHERE recipient_id = 'sub-e1'")
            .fetch_one(p)
            .await
    })
    .expect("row");
    let mut tx = db.begin().await.expect("tx");
    subscriptions::delete_for_addresses(&mut tx, &["person1@example.org".to_owned()])
        .await
        .expect("delete");
    tx.commit().await.expect("commit");
    let mut tx = db.begin().await.expect("tx");
    deliveries::insert_batch(
        &mut tx,
        &alert,
        &[Recipient {
            id: row.1,
            kind: "subscription".into(),
            channel: "email".into(),
            address: row.2,
            lang: row.3,
            registration_id: None,
        }],
    )
    .await
    .expect("row again");
    tx.commit().await.expect("commit");

    let sink = SmtpSink::start().await.expect("smtp sink");
    let job = deliver_job(&db, sink.port(), 0, DeliverTuning::default());
    deliver_until_completed(&db, job, &alert, Duration::from_secs(60)).await;
    let mut to: Vec<String> = sink
        .messages()
        .into_iter()
        .flat_map(|m| m.rcpt_to)
        .collect();
    to.sort();
    let mut others: Vec<String> = (2..12).map(|i| format!("person{i}@example.org")).collect();
    others.sort();
    assert_eq!(to, others);
    let counts = deliveries::counts(&db, &alert).await.expect("counts");
    assert_eq!((counts.sent, counts.failed, counts.total()), (10, 1, 11));
    let ended: String = with_pool!(db.read(), p => {
        sqlx::query_scalar("SELECT last_error FROM crisis_deliveries WHERE recipient_id = 'sub-e0'")
            .fetch_one(p)
            .await
    })
    .expect("ended");
    assert_eq!(ended, "unsubscribed");
    db.close().await;
}

/// At a rate too low for the queue (an SMS gateway taking a message or two a second), a job
/// stops sending when its slice ends: what went out is marked, the rows it had claimed and not
/// sent go back to the queue, and none stays held, so no job outlives the job queue's lease
/// and has its sent rows taken and sent again. Its successors send the rest, each once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_channel_ends_each_job_with_its_slice() {
    use safir_store::jobs::{JobRunner, RunnerConfig};
    use safir_web::crisis::delivery::{DELIVER_JOB, DeliverTuning};

    let dir = TempDir::new("safir-crisis-slow-rate");
    let db = sqlite_in(&dir).await;
    let emails = 30;
    let alert = seed_alert(&db, emails, 0).await;
    let sink = SmtpSink::start().await.expect("smtp sink");
    let tuning = DeliverTuning {
        slice: Duration::from_secs(1),
        ..DeliverTuning::default()
    };
    // Two a second: the thirty rows the first job claims would take it fifteen seconds.
    let runner = JobRunner::new(db.clone(), RunnerConfig::default()).register(
        DELIVER_JOB,
        deliver_job(&db, sink.port(), 2, tuning.clone()),
    );
    // The first slice's email and SMS jobs (no SMS is due).
    assert!(runner.run_once("w").await.expect("run"));
    assert!(runner.run_once("w").await.expect("run"));
    let counts = deliveries::counts(&db, &alert).await.expect("counts");
    let sending: i64 = with_pool!(db.read(), p => {
        sqlx::query_scalar("SELECT COUNT(*) FROM crisis_deliveries WHERE status = 'sending'")
            .fetch_one(p)
            .await
    })
    .expect("sending");
    assert_eq!(sending, 0, "{counts:?}");
    assert_eq!(sink.count() as i64, counts.sent, "{counts:?}");
    assert!(counts.sent > 0 && counts.sent < emails as i64, "{counts:?}");
    assert_eq!(counts.queued, emails as i64 - counts.sent, "{counts:?}");

    let job = deliver_job(&db, sink.port(), 2, tuning);
    deliver_until_completed(&db, job, &alert, Duration::from_secs(180)).await;
    assert_eq!(
        (message_ids(&sink).len(), sink.count()),
        (emails, emails),
        "each once"
    );
    db.close().await;
}

/// An alert whose expiry passed while its messages were still queued (a gateway that answered
/// 503 for hours): the next slice sends none of them — they fail as `expired` — and the alert
/// completes. Before, people got "stay indoors until 06:00" at noon.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_alert_sends_nothing_more() {
    use safir_store::jobs::{JobRunner, RunnerConfig};
    use safir_web::crisis::delivery::{DELIVER_JOB, DeliverTuning};

    let dir = TempDir::new("safir-crisis-expired");
    let db = sqlite_in(&dir).await;
    let alert = seed_alert(&db, 12, 0).await;
    with_pool!(db.write(), p => {
        sqlx::query("UPDATE crisis_alerts SET expires = $2 WHERE id = $1")
            .bind(&alert)
            .bind(now() - chrono::Duration::minutes(1))
            .execute(p)
            .await
            .map(|r| r.rows_affected())
    })
    .expect("expiry");
    let sink = SmtpSink::start().await.expect("smtp sink");
    let runner = JobRunner::new(db.clone(), RunnerConfig::default()).register(
        DELIVER_JOB,
        deliver_job(&db, sink.port(), 100, DeliverTuning::default()),
    );
    while runner.run_once("w").await.expect("run") {}
    assert_eq!(sink.count(), 0, "nothing sent after the expiry");
    let expired: i64 = with_pool!(db.read(), p => {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM crisis_deliveries WHERE alert_id = $1 AND status = 'failed' AND last_error = 'expired'",
        )
        .bind(&alert)
        .fetch_one(p)
        .await
    })
    .expect("count");
    assert_eq!(expired, 12);
    assert_eq!(alert_status(&db, &alert).await, "completed");
    db.close().await;
}

/// A Cancel sent while a slice is sending stops it within about a second: the rows it has
/// claimed and not yet sent stay unsent and fail as cancelled. Before, the slice sent all it
/// had claimed (a batch of 200 at a time), the cancelled text after "Cancelled".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_stops_a_slice_that_is_sending() {
    use safir_store::jobs::{JobRunner, RunnerConfig};
    use safir_web::crisis::delivery::{DELIVER_JOB, DeliverTuning};

    let dir = TempDir::new("safir-crisis-cancel-mid-slice");
    let db = sqlite_in(&dir).await;
    let emails = 40;
    let alert = seed_alert(&db, emails, 0).await;
    let sink = SmtpSink::start().await.expect("smtp sink");
    // Four a second: the forty rows the job claims at once would take it ten seconds.
    let runner = JobRunner::new(db.clone(), RunnerConfig::default()).register(
        DELIVER_JOB,
        deliver_job(&db, sink.port(), 4, DeliverTuning::default()),
    );
    let running = tokio::spawn(async move { runner.run_once("w").await.expect("run") });
    let deadline = Instant::now() + Duration::from_secs(30);
    while sink.count() < 2 {
        assert!(Instant::now() < deadline, "nothing sent");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // What sending a Cancel does to the alert (`alerts::stop_thread`).
    with_pool!(db.write(), p => {
        sqlx::query("UPDATE crisis_alerts SET status = 'cancelled' WHERE id = $1")
            .bind(&alert)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
    })
    .expect("cancel");
    let at_cancel = sink.count();
    assert!(running.await.expect("job"));
    let sent = sink.count();
    assert!(
        sent <= at_cancel + 8,
        "{sent} sent, {at_cancel} when the Cancel went out"
    );
    let counts = deliveries::counts(&db, &alert).await.expect("counts");
    assert_eq!(counts.sent, sent as i64, "{counts:?}");
    let cancelled: i64 = with_pool!(db.read(), p => {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM crisis_deliveries WHERE alert_id = $1 AND status = 'failed' AND last_error = 'cancelled'",
        )
        .bind(&alert)
        .fetch_one(p)
        .await
    })
    .expect("count");
    assert_eq!(cancelled, emails as i64 - sent as i64, "{counts:?}");
    db.close().await;
}
