//! Delivery rows: batch insert without duplicates, claims with a lease, marks, requeue with
//! backoff, counts, receipts and completing the alert.

use std::time::Duration;

use safir_domain::CountryCode;
use safir_domain::crisis::registration::Channel;
use safir_store::crisis::audience::Recipient;
use safir_store::crisis::deliveries::{self, Failed, Remaining, Sent};
use safir_store::crisis::{alerts, subscriptions};
use safir_store::testing::TestDb;
use safir_store::{Db, now, with_pool};

async fn seed(db: &Db) -> String {
    let t = now();
    let mission = uuid::Uuid::now_v7().as_simple().to_string();
    let alert = uuid::Uuid::now_v7().as_simple().to_string();
    with_pool!(db.write(), p => {
        sqlx::query(
            "INSERT INTO missions (id, code, kind, name_ar, name_en, country, city_ar, city_en, languages, time_zone, email, phone, address, created_at, updated_at) \
             VALUES ($1, $3, 'embassy', 'سفارة', 'Embassy', 'SD', 'الخرطوم', 'Khartoum', 'ar en', 'Africa/Khartoum', 'e@example.org', '+249', 'Street', $2, $2)",
        )
        .bind(&mission)
        .bind(t)
        .bind(format!("K{}", &mission[mission.len() - 6..]))
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })
    .expect("mission");
    with_pool!(db.write(), p => {
        sqlx::query(
            "INSERT INTO crisis_alerts (id, identifier, mission_id, msg_type, status, headline_ar, headline_en, description_ar, description_en, \
             instruction_ar, instruction_en, category, event, response_type, urgency, severity, certainty, target, area_desc, audience, source, \
             created_at, updated_at, fanout_at) \
             VALUES ($1, $1, $2, 'Alert', 'sending', 'ع', 'h', 'و', 'd', 'ت', 'i', 'Safety', 'e', 'Shelter', 'Immediate', 'Severe', 'Observed', '{}', 'a', '{}', '', $3, $3, $3)",
        )
        .bind(&alert)
        .bind(&mission)
        .bind(t)
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })
    .expect("alert");
    alert
}

fn recipients(n: usize, channel: &str) -> Vec<Recipient> {
    (0..n)
        .map(|i| Recipient {
            id: format!("r{i}"),
            kind: "subscription".into(),
            channel: channel.into(),
            address: format!("p{i}@example.org"),
            lang: "en".into(),
            registration_id: None,
        })
        .collect()
}

#[tokio::test]
async fn deliveries_are_claimed_marked_retried_and_completed() {
    for t in TestDb::all().await {
        let db = &t.db;
        let alert = seed(db).await;
        let mut tx = db.begin().await.expect("tx");
        assert_eq!(
            deliveries::insert_batch(&mut tx, &alert, &recipients(1203, "email"))
                .await
                .expect("insert"),
            1203
        );
        // Again, with three more: only the new ones are written.
        assert_eq!(
            deliveries::insert_batch(&mut tx, &alert, &recipients(1206, "email"))
                .await
                .expect("insert again"),
            3
        );
        tx.commit().await.expect("commit");
        let c = deliveries::counts(db, &alert).await.expect("counts");
        assert_eq!((c.queued, c.sent, c.total()), (1206, 0, 1206));

        let lease = Duration::from_secs(60);
        let a = deliveries::claim_batch(db, &alert, "email", 500, lease)
            .await
            .expect("claim");
        let b = deliveries::claim_batch(db, &alert, "email", 1000, lease)
            .await
            .expect("claim");
        assert_eq!((a.len(), b.len()), (500, 706));
        assert!(
            a.iter().all(|x| !b.iter().any(|y| y.id == x.id)),
            "no row claimed twice"
        );
        assert!(
            deliveries::claim_batch(db, &alert, "email", 10, lease)
                .await
                .expect("claim")
                .is_empty()
        );
        assert!(
            deliveries::claim_batch(db, &alert, "sms", 10, lease)
                .await
                .expect("claim")
                .is_empty()
        );

        let sent: Vec<Sent> = a
            .iter()
            .map(|r| Sent {
                id: r.id.clone(),
                provider_id: None,
            })
            .chain(b[..700].iter().enumerate().map(|(i, r)| Sent {
                id: r.id.clone(),
                provider_id: (i == 0).then(|| "SM-1".to_owned()),
            }))
            .collect();
        assert_eq!(deliveries::mark_sent(db, &sent).await.expect("sent"), 1200);
        // Marking again changes nothing.
        assert_eq!(
            deliveries::mark_sent(db, &sent[..5]).await.expect("again"),
            0
        );
        let later = now() + chrono::Duration::hours(1);
        let failed = vec![
            Failed {
                id: b[700].id.clone(),
                error: "550 no such user".into(),
                retry_at: None,
            },
            Failed {
                id: b[701].id.clone(),
                error: "429".into(),
                retry_at: Some(later),
            },
            Failed {
                id: b[702].id.clone(),
                error: "503".into(),
                retry_at: Some(now()),
            },
        ];
        assert_eq!(
            deliveries::mark_failed(db, &failed).await.expect("failed"),
            3
        );
        let c = deliveries::counts(db, &alert).await.expect("counts");
        assert_eq!((c.queued, c.sent, c.failed), (5, 1200, 1), "{c:?}");

        // The row due now comes back with one attempt; the one waiting an hour does not.
        let again = deliveries::claim_batch(db, &alert, "email", 10, lease)
            .await
            .expect("claim");
        assert_eq!(again.len(), 1);
        assert_eq!(
            (again[0].id.as_str(), again[0].attempts),
            (b[702].id.as_str(), 1)
        );
        assert!(matches!(
            deliveries::remaining(db, &alert, "email")
                .await
                .expect("remaining"),
            Remaining::At(_)
        ));

        // A sender that died holding b[703..706]: the rows come back once its lease is over.
        assert!(
            deliveries::claim_batch(db, &alert, "email", 10, lease)
                .await
                .expect("claim")
                .is_empty()
        );
        let past = now() - chrono::Duration::seconds(1);
        with_pool!(db.write(), p => {
            sqlx::query("UPDATE crisis_deliveries SET lease_until = $1 WHERE status = 'sending' AND id <> $2")
                .bind(past)
                .bind(b[702].id.as_str())
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        })
        .expect("lease over");
        let retaken = deliveries::claim_batch(db, &alert, "email", 10, lease)
            .await
            .expect("claim");
        let mut ids: Vec<&str> = retaken.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        let mut want: Vec<&str> = b[703..].iter().map(|r| r.id.as_str()).collect();
        want.sort_unstable();
        assert_eq!(ids, want);

        // Receipts by the gateway's id.
        assert!(
            deliveries::provider_id_exists(db, "SM-1")
                .await
                .expect("exists")
        );
        assert!(
            !deliveries::provider_id_exists(db, "SM-2")
                .await
                .expect("exists")
        );
        assert_eq!(
            deliveries::mark_receipt(db, "SM-1", true, "delivered")
                .await
                .expect("receipt"),
            1
        );
        assert_eq!(
            deliveries::counts(db, &alert)
                .await
                .expect("counts")
                .delivered,
            1
        );

        assert!(
            !alerts::complete_if_delivered(db, &alert)
                .await
                .expect("not yet")
        );
        let rest: Vec<Sent> = again
            .iter()
            .chain(retaken.iter())
            .map(|r| Sent {
                id: r.id.clone(),
                provider_id: None,
            })
            .collect();
        deliveries::mark_sent(db, &rest).await.expect("sent");
        // The row waiting for its backoff still holds the alert open.
        assert!(deliveries::any_pending(db, &alert).await.expect("pending"));
        with_pool!(db.write(), p => {
            sqlx::query("UPDATE crisis_deliveries SET status = 'failed' WHERE status = 'queued'")
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        })
        .expect("give up");
        assert_eq!(
            deliveries::remaining(db, &alert, "email")
                .await
                .expect("remaining"),
            Remaining::Done
        );
        assert!(
            alerts::complete_if_delivered(db, &alert)
                .await
                .expect("complete")
        );
        assert!(
            !alerts::complete_if_delivered(db, &alert)
                .await
                .expect("once")
        );
    }
}

#[tokio::test]
async fn a_receipt_before_its_batch_is_marked_applies_when_it_is() {
    for t in TestDb::all().await {
        let db = &t.db;
        let alert = seed(db).await;
        let mut tx = db.begin().await.expect("begin");
        deliveries::insert_batch(&mut tx, &alert, &recipients(3, "sms"))
            .await
            .expect("insert");
        tx.commit().await.expect("commit");
        let rows = deliveries::claim_batch(db, &alert, "sms", 10, Duration::from_secs(60))
            .await
            .expect("claim");
        assert_eq!(rows.len(), 3);
        // The gateway reports on two messages while the batch is still going out.
        deliveries::keep_early_receipt(db, "SM-A", true, "delivered")
            .await
            .expect("early");
        deliveries::keep_early_receipt(db, "SM-B", false, "undelivered")
            .await
            .expect("early");
        deliveries::keep_early_receipt(db, "SM-NEVER", true, "delivered")
            .await
            .expect("early");
        let sent: Vec<Sent> = rows
            .iter()
            .zip(["SM-A", "SM-B", "SM-C"])
            .map(|(r, id)| Sent {
                id: r.id.clone(),
                provider_id: Some(id.to_owned()),
            })
            .collect();
        deliveries::mark_sent(db, &sent).await.expect("sent");
        let c = deliveries::counts(db, &alert).await.expect("counts");
        assert_eq!((c.sent, c.delivered, c.failed), (1, 1, 1), "{c:?}");
        // Applied receipts are gone; one no message claimed goes with the daily purge.
        let kept = || async {
            with_pool!(db.read(), p => sqlx::query_scalar::<_, String>("SELECT provider_id FROM crisis_early_receipts").fetch_all(p).await)
                .expect("kept")
        };
        assert_eq!(kept().await, ["SM-NEVER"]);
        deliveries::purge_early_receipts(db, now() + chrono::Duration::seconds(1))
            .await
            .expect("purge");
        assert!(kept().await.is_empty());
    }
}

/// An active email subscription to Sudan's travel advice; returns its id.
async fn subscriber(db: &Db, address: &str) -> String {
    let mut tx = db.begin().await.expect("begin");
    let s = subscriptions::subscribe(
        &mut tx,
        CountryCode::parse("SD").expect("country"),
        Channel::Email,
        address,
        "en",
    )
    .await
    .expect("subscribe");
    tx.commit().await.expect("commit");
    subscriptions::confirm(db, &s.confirm_token.expect("token"))
        .await
        .expect("confirm")
        .expect("active")
        .id
}

fn recipient(id: &str, kind: &str, address: &str) -> Recipient {
    Recipient {
        id: id.to_owned(),
        kind: kind.to_owned(),
        channel: "email".into(),
        address: address.to_owned(),
        lang: "en".into(),
        registration_id: (kind == "registration").then(|| id.to_owned()),
    }
}

async fn insert(db: &Db, alert: &str, recipients: &[Recipient]) {
    let mut tx = db.begin().await.expect("begin");
    deliveries::insert_batch(&mut tx, alert, recipients)
        .await
        .expect("insert");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn claimed_rows_of_recipients_gone_or_ended_since_the_fan_out_are_not_sent() {
    for t in TestDb::all().await {
        let db = &t.db;
        let alert = seed(db).await;
        let staying = subscriber(db, "staying@example.org").await;
        let leaving = subscriber(db, "leaving@example.org").await;
        let deleted = subscriber(db, "deleted@example.org").await;
        // Deleted before the fan-out wrote its row: what a fan-out running at the moment the
        // person deleted their data leaves (the deletion's trigger saw no row to take out).
        let mut tx = db.begin().await.expect("begin");
        subscriptions::delete_for_addresses(&mut tx, &["deleted@example.org".to_owned()])
            .await
            .expect("delete");
        tx.commit().await.expect("commit");
        insert(
            db,
            &alert,
            &[
                recipient(&staying, "subscription", "staying@example.org"),
                recipient(&leaving, "subscription", "leaving@example.org"),
                recipient(&deleted, "subscription", "deleted@example.org"),
                recipient("no-such-registration", "registration", "gone@example.org"),
                recipient("hook", "webhook", "https://partner.example.org/alerts"),
            ],
        )
        .await;
        // Unsubscribed by the link after the fan-out.
        assert!(subscriptions::unsubscribe(db, &leaving).await.expect("end"));
        let rows = deliveries::claim_batch(db, &alert, "email", 10, Duration::from_secs(60))
            .await
            .expect("claim");
        assert_eq!(rows.len(), 5);
        let sorted = deliveries::sort_recipients(db, rows).await.expect("sort");
        let ids = |rows: &[deliveries::ClaimedDelivery]| {
            let mut ids: Vec<String> = rows.iter().map(|r| r.recipient_id.clone()).collect();
            ids.sort();
            ids
        };
        // Webhooks are checked when their secret is read.
        let mut wanted = vec!["hook".to_owned(), staying];
        wanted.sort();
        assert_eq!(ids(&sorted.wanted), wanted);
        assert_eq!(ids(&sorted.ended), [leaving]);
        assert_eq!(sorted.forgotten, 2);
        let addresses: Vec<String> = with_pool!(db.read(), p => {
            sqlx::query_scalar("SELECT address FROM crisis_deliveries WHERE alert_id = $1 ORDER BY address")
                .bind(&alert)
                .fetch_all(p)
                .await
        })
        .expect("rows");
        assert_eq!(
            addresses,
            [
                "https://partner.example.org/alerts",
                "leaving@example.org",
                "staying@example.org"
            ]
        );
    }
}

#[tokio::test]
async fn a_deleted_subscription_takes_its_address_out_of_the_deliveries() {
    for t in TestDb::all().await {
        let db = &t.db;
        let (sent_alert, queued_alert) = (seed(db).await, seed(db).await);
        let id = subscriber(db, "someone@example.org").await;
        let me = [recipient(&id, "subscription", "someone@example.org")];
        insert(db, &sent_alert, &me).await;
        insert(db, &queued_alert, &me).await;
        let rows = deliveries::claim_batch(db, &sent_alert, "email", 10, Duration::from_secs(60))
            .await
            .expect("claim");
        let sent: Vec<Sent> = rows
            .iter()
            .map(|r| Sent {
                id: r.id.clone(),
                provider_id: None,
            })
            .collect();
        assert_eq!(deliveries::mark_sent(db, &sent).await.expect("sent"), 1);
        let mut tx = db.begin().await.expect("begin");
        subscriptions::delete_for_addresses(&mut tx, &["someone@example.org".to_owned()])
            .await
            .expect("delete");
        tx.commit().await.expect("commit");
        let rows: Vec<(String, String, String)> = with_pool!(db.read(), p => {
            sqlx::query_as("SELECT alert_id, status, address FROM crisis_deliveries WHERE recipient_id = $1")
                .bind(&id)
                .fetch_all(p)
                .await
        })
        .expect("rows");
        // The message sent is still counted, without the address; the one not sent is gone.
        assert_eq!(rows, [(sent_alert, "sent".to_owned(), String::new())]);
    }
}
