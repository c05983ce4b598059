//! The SMS gateway's delivery receipts: the shared secret, unknown ids, Twilio and JSON
//! bodies, no form token (the gateway is not a browser). A subscriber's alert email and its
//! one-click unsubscribe.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use safir_store::crisis::audience::Recipient;
use safir_store::crisis::deliveries::{self, Sent};
use safir_store::testing::TestDb;
use safir_store::{Db, now, with_pool};
use safir_web::app;
use safir_web::state::{AppState, CrisisConfig, WebConfig};
use tower::ServiceExt;

async fn seed(db: &Db) -> String {
    let t = now();
    let mission = uuid::Uuid::now_v7().as_simple().to_string();
    let alert = uuid::Uuid::now_v7().as_simple().to_string();
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
    let people: Vec<Recipient> = (0..2)
        .map(|i| Recipient {
            id: format!("r{i}"),
            kind: "subscription".into(),
            channel: "sms".into(),
            address: format!("+97150000000{i}"),
            lang: "ar".into(),
            registration_id: None,
        })
        .collect();
    let mut tx = db.begin().await.expect("tx");
    deliveries::insert_batch(&mut tx, &alert, &people)
        .await
        .expect("rows");
    tx.commit().await.expect("commit");
    let rows = deliveries::claim_batch(db, &alert, "sms", 10, std::time::Duration::from_secs(60))
        .await
        .expect("claim");
    let sent: Vec<Sent> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| Sent {
            id: r.id.clone(),
            provider_id: Some(format!("SM{i}")),
        })
        .collect();
    deliveries::mark_sent(db, &sent).await.expect("sent");
    alert
}

async fn post(router: &axum::Router, uri: &str, content_type: &str, body: &str) -> StatusCode {
    let req = Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::HOST, "safir.test")
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body.to_owned()))
        .expect("request");
    router.clone().oneshot(req).await.expect("answer").status()
}

#[tokio::test]
async fn receipts_update_deliveries_with_the_shared_secret_only() {
    for t in TestDb::all().await {
        let db = t.db.clone();
        let config = WebConfig {
            public_url: "http://safir.test".into(),
            crisis: CrisisConfig {
                sms_inbound_secret: "gw-s3cret".into(),
                ..CrisisConfig::default()
            },
            ..WebConfig::default()
        };
        let state = AppState::new(db.clone(), config).await.expect("state");
        let (router, _) = app::build(state);
        let alert = seed(&db).await;
        let form = "application/x-www-form-urlencoded";

        assert_eq!(
            post(
                &router,
                "/crisis/receipts/sms?secret=wrong",
                form,
                "MessageSid=SM0&MessageStatus=delivered"
            )
            .await,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            post(
                &router,
                "/crisis/receipts/sms",
                form,
                "MessageSid=SM0&MessageStatus=delivered"
            )
            .await,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            post(
                &router,
                "/crisis/receipts/sms?secret=gw-s3cret",
                form,
                "MessageSid=SM404&MessageStatus=delivered"
            )
            .await,
            StatusCode::NO_CONTENT,
            "a receipt for a message not yet marked sent is kept for it"
        );
        assert_eq!(
            deliveries::counts(&db, &alert)
                .await
                .expect("counts")
                .delivered,
            0
        );

        // Twilio's status callback, then a generic JSON one.
        assert_eq!(
            post(
                &router,
                "/crisis/receipts/sms?secret=gw-s3cret",
                form,
                "MessageSid=SM0&MessageStatus=sent"
            )
            .await,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            deliveries::counts(&db, &alert).await.expect("counts").sent,
            2
        );
        assert_eq!(
            post(
                &router,
                "/crisis/receipts/sms?secret=gw-s3cret",
                form,
                "MessageSid=SM0&MessageStatus=delivered"
            )
            .await,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            post(
                &router,
                "/crisis/receipts/sms?secret=gw-s3cret",
                "application/json",
                r#"{"id":"SM1","status":"undelivered"}"#
            )
            .await,
            StatusCode::NO_CONTENT
        );
        let c = deliveries::counts(&db, &alert).await.expect("counts");
        assert_eq!((c.sent, c.delivered, c.failed), (0, 1, 1), "{c:?}");
    }
}

#[tokio::test]
async fn admins_add_and_disable_webhooks_with_a_secret_shown_once() {
    use safir_domain::roles::Role;

    use crate::harness::{TestApp, unique_email};

    let app = TestApp::sqlite().await;
    let admin = app
        .staff(&unique_email("hooks-admin"), &[(Role::Admin, None)])
        .await;
    let mut client = app.client();
    client.sign_in(&admin).await;

    let bad = client
        .submit(
            "/admin/crisis/webhooks",
            "/admin/crisis/webhooks",
            &[
                ("name", "Red Crescent"),
                ("url", "ftp://x"),
                ("countries", "SDN"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Red Crescent"), "keeps what was typed");
    assert!(
        bad.body.contains("must start with https:// or http://"),
        "names the schemes"
    );
    // Addresses the sender cannot read: before, with private networks allowed (or a name
    // the resolver does not know), they were kept and every alert retried on them.
    for url in ["http://[::1/hooks", "http://partner.example:99999/hooks"] {
        let unreadable = client
            .submit(
                "/admin/crisis/webhooks",
                "/admin/crisis/webhooks",
                &[("name", "Red Crescent"), ("url", url), ("countries", "")],
            )
            .await;
        assert_eq!(unreadable.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        assert!(
            unreadable
                .body
                .contains("must start with https:// or http://"),
            "{url}: {}",
            unreadable.body
        );
    }
    // An address of a private network (here the cloud's metadata service, and loopback
    // written as IPv4 inside IPv6) is refused: alerts would be posted inside the ministry.
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]:5432/",
    ] {
        let private = client
            .submit(
                "/admin/crisis/webhooks",
                "/admin/crisis/webhooks",
                &[("name", "Red Crescent"), ("url", url), ("countries", "")],
            )
            .await;
        assert_eq!(private.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        assert!(private.body.contains("inside a private network"), "{url}");
    }
    assert!(webhooks_in(&app.db).await.is_empty());

    let ok = client
        .submit(
            "/admin/crisis/webhooks",
            "/admin/crisis/webhooks",
            &[
                ("name", "Red Crescent"),
                ("url", "http://partner.example/hooks"),
                ("countries", "sd ae"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let list = webhooks_in(&app.db).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].countries, "SD AE");
    let secret: String = with_pool!(app.db.read(), p => {
        sqlx::query_scalar("SELECT secret FROM crisis_webhooks WHERE id = $1")
            .bind(&list[0].id)
            .fetch_one(p)
            .await
    })
    .expect("secret");
    assert_eq!(secret.len(), 64);
    assert!(ok.body.contains(&secret), "shown right after adding");
    let again = client.get("/admin/crisis/webhooks").await;
    assert!(!again.body.contains(&secret), "and never again");

    let token = again.csrf_token().expect("token");
    let off = client
        .post_form_with_token(
            &format!("/admin/crisis/webhooks/{}/disable", list[0].id),
            &token,
            &[],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    assert!(!webhooks_in(&app.db).await[0].enabled);
    let actions = app.audit_actions().await;
    assert!(
        actions.contains(&"crisis_webhook.create".to_owned()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"crisis_webhook.disable".to_owned()),
        "{actions:?}"
    );
}

/// The add form sent twice (a double click, the result page refreshed) adds one webhook, and
/// the second answer does not show its secret again: it says the form already added it.
/// Before, each sending added another webhook with the same address and a secret of its own,
/// and the partner received every alert twice, one copy failing its signature check.
#[tokio::test]
async fn the_webhook_form_sent_twice_adds_one_webhook_and_shows_its_secret_once() {
    use safir_domain::roles::Role;

    use crate::harness::{TestApp, unique_email};

    for app in TestApp::all().await {
        let admin = app
            .staff(&unique_email("hooks-twice"), &[(Role::Admin, None)])
            .await;
        let mut client = app.client();
        client.sign_in(&admin).await;
        let (csrf, key) = client.form_key("/admin/crisis/webhooks").await;
        let form = [
            ("name", "Red Crescent"),
            ("url", "http://partner.example/hooks"),
            ("countries", "SD"),
            ("request_key", key.as_str()),
        ];
        let first = client
            .post_form_with_token("/admin/crisis/webhooks", &csrf, &form)
            .await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        let list = webhooks_in(&app.db).await;
        assert_eq!(list.len(), 1);
        let secret: String = with_pool!(app.db.read(), p => {
            sqlx::query_scalar("SELECT secret FROM crisis_webhooks WHERE id = $1")
                .bind(&list[0].id)
                .fetch_one(p)
                .await
        })
        .expect("secret");
        assert!(first.body.contains(&secret), "shown right after adding");

        let again = client
            .post_form_with_token("/admin/crisis/webhooks", &csrf, &form)
            .await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        let now_listed = webhooks_in(&app.db).await;
        assert_eq!(now_listed.len(), 1, "one webhook");
        assert_eq!(now_listed[0].id, list[0].id);
        assert!(!again.body.contains(&secret), "the secret is shown once");
        assert!(
            !again.body.contains("shown only this once"),
            "nor another secret"
        );
        assert!(
            again.body.contains("This form was already sent")
                && again.body.contains("Red Crescent"),
            "{}",
            again.body
        );
        // The form under the notice is a new one: sent, it adds a webhook of its own.
        assert!(!again.body.contains(&format!("value=\"{key}\"")));
        let creates = app
            .audit_actions()
            .await
            .into_iter()
            .filter(|a| a == "crisis_webhook.create")
            .count();
        assert_eq!(creates, 1);
        let (csrf, other) = client.form_key("/admin/crisis/webhooks").await;
        assert_ne!(other, key);
        let second = client
            .post_form_with_token(
                "/admin/crisis/webhooks",
                &csrf,
                &[
                    ("name", "Civil protection"),
                    ("url", "http://civil.example/hooks"),
                    ("countries", ""),
                    ("request_key", other.as_str()),
                ],
            )
            .await;
        assert_eq!(second.status, StatusCode::OK, "{}", second.body);
        assert!(second.body.contains("shown only this once"));
        assert_eq!(webhooks_in(&app.db).await.len(), 2);
    }
}

async fn webhooks_in(db: &Db) -> Vec<safir_store::crisis::webhooks::Webhook> {
    safir_store::crisis::webhooks::list(db).await.expect("list")
}

/// The deliver job in-process, writing its emails as files into `dir`.
pub(crate) fn deliver_job(
    db: &Db,
    dir: &std::path::Path,
) -> safir_web::crisis::delivery::DeliverJob {
    use std::sync::Arc;

    use safir_notify::ratelimit::TokenBucket;
    use safir_web::crisis::delivery::{Buckets, DeliverJob, DeliverTuning};

    let mail = safir_notify::MailConfig::from_plain(&safir_notify::PlainMailConfig {
        transport: "file",
        from: "Safir <no-reply@safir.test>",
        file_dir: dir.to_owned(),
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
            email: Arc::new(TokenBucket::per_second(0)),
            sms: Arc::new(TokenBucket::per_second(0)),
            webhook: Arc::new(TokenBucket::per_second(0)),
        },
        public_url: crate::harness::ORIGIN.into(),
        tuning: DeliverTuning {
            slice: std::time::Duration::from_secs(2),
            ..DeliverTuning::default()
        },
    }
}

/// An alert emailed to a travel-advice subscriber carries the subscription's signed
/// unsubscribe link, in the text and in the List-Unsubscribe headers a mail client offers as
/// one click; that one click ends the subscription.
#[tokio::test]
async fn a_subscribers_alert_email_can_be_unsubscribed_from_in_one_click() {
    use safir_domain::CountryCode;
    use safir_domain::crisis::registration::Channel;
    use safir_store::crisis::subscriptions;
    use safir_store::jobs::{ClaimedJob, JobHandler};

    let app = crate::harness::TestApp::sqlite().await;
    let db = app.db.clone();
    let sd = CountryCode::parse("SD").unwrap();
    let mut tx = db.begin().await.unwrap();
    let s = subscriptions::subscribe(&mut tx, sd, Channel::Email, "sub@example.org", "en")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    subscriptions::confirm(&db, s.confirm_token.as_deref().unwrap())
        .await
        .unwrap();
    let id = s.subscription.id;
    // An alert in `sending` (the seed's SMS rows are already sent) with an email row for the
    // subscriber.
    let alert = seed(&db).await;
    let mut tx = db.begin().await.unwrap();
    deliveries::insert_batch(
        &mut tx,
        &alert,
        &[Recipient {
            id: id.clone(),
            kind: "subscription".into(),
            channel: "email".into(),
            address: "sub@example.org".into(),
            lang: "en".into(),
            registration_id: None,
        }],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let dir = std::env::temp_dir().join(format!(
        "safir-alert-unsubscribe-{}",
        uuid::Uuid::now_v7().as_simple()
    ));
    let job = deliver_job(&db, &dir);
    job.run(&ClaimedJob {
        id: "j1".into(),
        kind: safir_web::crisis::delivery::DELIVER_JOB.into(),
        payload: serde_json::json!({"alert_id": alert, "channel": "email"}).to_string(),
        attempts: 0,
        max_attempts: 5,
    })
    .await
    .expect("delivered");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .collect();
    assert_eq!(files.len(), 1);
    let eml = std::fs::read_to_string(files[0].path()).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    let key = subscriptions::unsubscribe_key(&db).await.unwrap();
    let token = subscriptions::unsubscribe_token(&key, &id);
    let link = format!("{}/unsubscribe/{token}", crate::harness::ORIGIN);
    let unfolded = eml.replace("\r\n ", " ").replace("\r\n\t", " ");
    assert!(
        unfolded.contains(&format!("List-Unsubscribe: <{link}>")),
        "{eml}"
    );
    assert!(
        unfolded.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{eml}"
    );
    assert!(
        unfolded.replace("=\r\n", "").contains(&token),
        "the link is in the text: {eml}"
    );

    let res = post(
        &app.router,
        &format!("/unsubscribe/{token}"),
        "application/x-www-form-urlencoded",
        "List-Unsubscribe=One-Click",
    )
    .await;
    assert_eq!(res, StatusCode::OK);
    assert_eq!(
        subscriptions::find(&db, &id).await.unwrap().status,
        "unsubscribed"
    );
}
