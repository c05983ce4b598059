//! Travel-advice subscriptions through HTTP: bad input named and kept, email double opt-in,
//! the one-click unsubscribe POST a mail client sends, and a level change (or a country's
//! first advice) notifying each subscriber still active when its message goes, exactly once.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, header};
use safir_domain::CountryCode;
use safir_domain::consular::advice::{RawAdvice, RawAdviceText, TravelAdvice};
use safir_domain::crisis::registration::Channel;
use safir_store::consular::advice::{self, LEVEL_CHANGED_JOB, LevelChanged};
use safir_store::crisis::subscriptions;
use safir_store::jobs::{ClaimedJob, HandlerFuture, JobError, JobHandler, JobRunner, RunnerConfig};
use safir_store::with_pool;
use safir_web::crisis::subscriptions::{
    AdviceLevelChanged, NOTICE_JOB, NoticeJob, notify_level_change,
};

use crate::harness::{TestApp, unique_email};

fn fr() -> CountryCode {
    CountryCode::parse("FR").unwrap()
}

#[tokio::test]
async fn bad_subscriptions_name_each_field_and_keep_the_input() {
    let app = TestApp::sqlite().await;
    let mut c = app.client();
    c.lang = Some("en");
    let res = c
        .submit(
            "/subscribe",
            "/subscribe",
            &[
                ("country", "QQ"),
                ("channel", "sms"),
                ("address", "12345"),
                ("lang", "en"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    for field in ["country", "address", "consent"] {
        assert!(
            res.body.contains(&format!("id=\"f-{field}-error\"")),
            "{field}"
        );
    }
    assert!(res.body.contains("value=\"12345\""), "the input is kept");
    assert!(res.body.contains("international format"));
}

/// The country is chosen by name from a list: left at "—", it is asked for in the reader's
/// language, not said to be a badly typed code.
#[tokio::test]
async fn an_unchosen_country_is_asked_for() {
    for app in TestApp::all().await {
        for (lang, says) in [("en", "Choose a country."), ("ar", "اختر بلدًا.")] {
            let mut c = app.client();
            c.lang = Some(lang);
            let res = c
                .submit(
                    "/subscribe",
                    "/subscribe",
                    &[
                        ("country", ""),
                        ("channel", "email"),
                        ("address", "typed@example.org"),
                        ("lang", lang),
                        ("consent", "on"),
                    ],
                )
                .await;
            assert_eq!(res.status, 422, "{}", res.body);
            let error = crate::harness::value_after(&res.body, "id=\"f-country-error\">");
            assert!(error.starts_with(says), "{lang}: {error}");
            assert!(!res.body.contains("FR."), "no code asked for");
            assert!(res.body.contains("value=\"typed@example.org\""), "kept");
        }
    }
}

#[tokio::test]
async fn an_email_subscription_is_confirmed_by_its_link() {
    for app in TestApp::all().await {
        let email = unique_email("sub");
        let mut c = app.client();
        let res = c
            .submit(
                "/subscribe",
                "/subscribe",
                &[
                    ("country", "FR"),
                    ("channel", "email"),
                    ("address", &email),
                    ("lang", "en"),
                    ("consent", "on"),
                ],
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(
            subscriptions::active_for_country(&app.db, fr())
                .await
                .unwrap()
                .is_empty()
        );
        let mail = app
            .emails_to(&email)
            .await
            .pop()
            .expect("confirmation sent");
        let link = mail
            .text
            .split_whitespace()
            .find(|w| w.contains("/subscribe/confirm/"))
            .unwrap()
            .to_owned();
        let path = &link[link.find("/subscribe/").unwrap()..];
        assert_eq!(c.get("/subscribe/confirm/not-a-token").await.status, 404);
        // Opening the link (a mail scanner, a preview) asks and changes nothing; the button
        // confirms.
        let page = c.get(path).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("France"), "{}", page.body);
        assert!(
            page.body.contains(&format!("action=\"{path}\"")),
            "{}",
            page.body
        );
        assert!(
            subscriptions::active_for_country(&app.db, fr())
                .await
                .unwrap()
                .is_empty(),
            "opening the link confirmed it"
        );
        let res = c.submit(path, path, &[]).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(res.body.contains("confirmed"), "{}", res.body);
        assert_eq!(c.get(path).await.status, 200, "the link still answers");
        let active = subscriptions::active_for_country(&app.db, fr())
            .await
            .unwrap();
        assert_eq!(active.len(), 1);
        assert_eq!(active[0].address, email);

        // Subscribing again answers the same and sends nothing new.
        c.submit(
            "/subscribe",
            "/subscribe",
            &[
                ("country", "FR"),
                ("channel", "email"),
                ("address", &email),
                ("lang", "en"),
                ("consent", "on"),
            ],
        )
        .await;
        assert_eq!(app.emails_to(&email).await.len(), 1);
    }
}

#[tokio::test]
async fn nobody_floods_an_address_with_confirmations() {
    for app in TestApp::all().await {
        let phone = "+971501234599";
        let mut c = app.client();
        // Six countries for one number, as a stranger could ask: three messages go out.
        for country in ["FR", "DE", "ES", "IT", "EG", "JO"] {
            let res = c
                .submit(
                    "/subscribe",
                    "/subscribe",
                    &[
                        ("country", country),
                        ("channel", "sms"),
                        ("address", phone),
                        ("lang", "en"),
                        ("consent", "on"),
                    ],
                )
                .await;
            assert_eq!(res.status, 200, "{country}: {}", res.body);
        }
        let sent: i64 = with_pool!(app.db.read(), p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'sms.send' AND payload LIKE '%' || $1 || '%'")
                .bind(phone)
                .fetch_one(p)
                .await
        })
        .unwrap();
        assert_eq!(sent, 3);
        // Those held back changed nothing: no pending row beyond the three told.
        let pending: i64 = with_pool!(app.db.read(), p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM advice_subscriptions WHERE address = $1")
                .bind(phone)
                .fetch_one(p)
                .await
        })
        .unwrap();
        assert_eq!(pending, 3);
    }
}

async fn active(app: &TestApp, country: CountryCode, channel: Channel, address: &str) -> String {
    let mut tx = app.db.begin().await.unwrap();
    let s = subscriptions::subscribe(&mut tx, country, channel, address, "en")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    match channel {
        Channel::Email => {
            subscriptions::confirm(&app.db, s.confirm_token.as_deref().unwrap())
                .await
                .unwrap();
        }
        Channel::Sms => {
            subscriptions::confirm_sms(&app.db, address).await.unwrap();
        }
    }
    s.subscription.id
}

#[tokio::test]
async fn a_mail_client_unsubscribes_with_one_post() {
    let app = TestApp::sqlite().await;
    let id = active(&app, fr(), Channel::Email, "one@example.org").await;
    let key = subscriptions::unsubscribe_key(&app.db).await.unwrap();
    let token = subscriptions::unsubscribe_token(&key, &id);
    let mut c = app.client();
    let page = c.get(&format!("/unsubscribe/{token}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains(&format!("action=\"/unsubscribe/{token}\""))
    );
    // In the subscription's language (English), unless the reader chooses another.
    assert!(page.body.contains("<html lang=\"en\""), "{}", page.body);
    let arabic = c.get(&format!("/unsubscribe/{token}?lang=ar")).await;
    assert!(arabic.body.contains("<html lang=\"ar\""), "{}", arabic.body);
    let mut c = app.client();
    assert_eq!(c.get("/unsubscribe/forged.00").await.status, 404);
    // RFC 8058: no cookie, no form token, no Origin.
    let req = Request::builder()
        .method("POST")
        .uri(format!("/unsubscribe/{token}"))
        .header(header::HOST, "safir.test")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("List-Unsubscribe=One-Click"))
        .unwrap();
    let res = app.client().send(req).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        subscriptions::find(&app.db, &id).await.unwrap().status,
        "unsubscribed"
    );
    let forged = Request::builder()
        .method("POST")
        .uri(format!("/unsubscribe/{id}.00ff"))
        .header(header::HOST, "safir.test")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("List-Unsubscribe=One-Click"))
        .unwrap();
    assert_eq!(app.client().send(forged).await.status, 404);
}

/// Stands in for the mail and SMS senders: keeps each message it is given, with its job kind.
#[derive(Clone, Default)]
struct Outbox(Arc<Mutex<Vec<(String, serde_json::Value)>>>);

impl Outbox {
    fn sent(&self) -> Vec<(String, serde_json::Value)> {
        self.0.lock().unwrap().clone()
    }
}

impl JobHandler for Outbox {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> HandlerFuture<'a> {
        Box::pin(async move {
            let payload = serde_json::from_str(&job.payload)
                .map_err(|e| JobError::Permanent(e.to_string()))?;
            self.0.lock().unwrap().push((job.kind.clone(), payload));
            Ok(())
        })
    }
}

/// The workers as the server registers them for travel advice, with `outbox` as the senders.
fn runner(app: &TestApp, outbox: &Outbox) -> JobRunner {
    JobRunner::new(app.db.clone(), RunnerConfig::default())
        .register(LEVEL_CHANGED_JOB, AdviceLevelChanged { db: app.db.clone() })
        .register(
            NOTICE_JOB,
            NoticeJob::new(
                app.db.clone(),
                app.state.config.clone(),
                outbox.clone(),
                outbox.clone(),
            ),
        )
}

/// Publishes advice for `country` at `level` as the editors' form does.
async fn publish(app: &TestApp, country: &str, level: u8) -> advice::Published {
    let text = |summary: &str, section: &str| RawAdviceText {
        summary: summary.to_owned(),
        sections: [
            section.to_owned(),
            String::new(),
            String::new(),
            String::new(),
        ],
    };
    let raw = RawAdvice {
        level: level.to_string(),
        ar: text("ملخص النصيحة", "تجنب التجمعات الكبيرة."),
        en: text("Summary.", "Avoid large gatherings."),
        change_ar: "تحديث".into(),
        change_en: "Update".into(),
    };
    let a = TravelAdvice::parse(CountryCode::parse(country).unwrap(), &raw).unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let out = advice::publish(&mut tx, &a, None, None).await.unwrap();
    tx.commit().await.unwrap();
    out
}

#[tokio::test]
async fn a_level_change_notifies_each_active_subscriber_once() {
    for app in TestApp::all().await {
        let mail = active(&app, fr(), Channel::Email, "mail@example.org").await;
        let sms = active(&app, fr(), Channel::Sms, "+33612345678").await;
        // Pending, another country, unsubscribed: nobody of these hears of it.
        let mut tx = app.db.begin().await.unwrap();
        subscriptions::subscribe(&mut tx, fr(), Channel::Email, "pending@example.org", "en")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        active(
            &app,
            CountryCode::parse("BE").unwrap(),
            Channel::Email,
            "be@example.org",
        )
        .await;
        let gone = active(&app, fr(), Channel::Email, "gone@example.org").await;
        subscriptions::unsubscribe(&app.db, &gone).await.unwrap();

        let change = LevelChanged {
            country: "FR".into(),
            old_level: Some(1),
            new_level: 3,
            version_id: "v42".into(),
        };
        assert_eq!(notify_level_change(&app.db, &change).await.unwrap(), 2);
        assert_eq!(
            notify_level_change(&app.db, &change).await.unwrap(),
            0,
            "a rerun sends nothing twice"
        );
        // One notice each, in the bulk lane, naming the subscription and not its address.
        let jobs: Vec<(String, String, Option<String>, i16)> = with_pool!(app.db.read(), p => {
            sqlx::query_as("SELECT kind, payload, idempotency_key, lane FROM jobs WHERE idempotency_key LIKE 'advice:%' ORDER BY idempotency_key")
                .fetch_all(p)
                .await
        })
        .unwrap();
        assert_eq!(jobs.len(), 2, "{jobs:?}");
        let mut keys: Vec<String> = [&mail, &sms]
            .iter()
            .map(|id| format!("advice:v42:{id}"))
            .collect();
        keys.sort();
        for ((kind, payload, key, lane), expected) in jobs.iter().zip(&keys) {
            assert_eq!(kind, NOTICE_JOB);
            assert_eq!(key.as_deref(), Some(expected.as_str()));
            assert_eq!(*lane, 1, "bulk");
            assert!(!payload.contains("example.org") && !payload.contains("+336"));
        }

        let outbox = Outbox::default();
        assert_eq!(runner(&app, &outbox).drain().await.unwrap(), 2);
        let mut sent = outbox.sent();
        sent.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(sent.len(), 2, "{sent:?}");
        let (kind, email) = &sent[0];
        assert_eq!(kind, "email.send");
        assert_eq!(email["to"], "mail@example.org");
        let headers = email["headers"].to_string();
        assert!(headers.contains("List-Unsubscribe-Post"), "{headers}");
        assert!(headers.contains("/unsubscribe/"), "{headers}");
        assert!(email["text"].as_str().unwrap().contains("/unsubscribe/"));
        let (kind, text) = &sent[1];
        assert_eq!(kind, "sms.send");
        assert_eq!(text["to"], "+33612345678");
        assert_eq!(text["key"], format!("advice:v42:{sms}"));
        // Every message says how to stop them.
        assert!(
            text["body"]
                .as_str()
                .unwrap()
                .ends_with("Reply STOP to stop."),
            "{text}"
        );
    }
}

#[tokio::test]
async fn a_notice_goes_only_to_a_subscription_still_active_when_it_is_sent() {
    for app in TestApp::all().await {
        let link = active(&app, fr(), Channel::Email, "link@example.org").await;
        active(&app, fr(), Channel::Sms, "+33611111111").await;
        active(&app, fr(), Channel::Email, "erased@example.org").await;
        active(&app, fr(), Channel::Email, "stays@example.org").await;
        publish(&app, "FR", 1).await;
        let raised = publish(&app, "FR", 3).await;
        assert!(raised.level_change_enqueued);
        // The first publication's and the change's notices are queued ...
        let fan_out = JobRunner::new(app.db.clone(), RunnerConfig::default())
            .register(LEVEL_CHANGED_JOB, AdviceLevelChanged { db: app.db.clone() });
        assert_eq!(fan_out.drain().await.unwrap(), 2);
        // ... then three of the four end before their turn: the unsubscribe link, STOP, and
        // the person's data deleted.
        assert!(subscriptions::unsubscribe(&app.db, &link).await.unwrap());
        assert_eq!(
            subscriptions::unsubscribe_sms(&app.db, "+33611111111", None)
                .await
                .unwrap(),
            1
        );
        let mut tx = app.db.begin().await.unwrap();
        subscriptions::delete_for_addresses(&mut tx, &["erased@example.org".to_owned()])
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let outbox = Outbox::default();
        assert_eq!(runner(&app, &outbox).drain().await.unwrap(), 8);
        let sent = outbox.sent();
        let to: Vec<&str> = sent
            .iter()
            .map(|(_, m)| m["to"].as_str().unwrap())
            .collect();
        assert_eq!(to, ["stays@example.org", "stays@example.org"], "{sent:?}");
        let states: Vec<String> = with_pool!(app.db.read(), p => {
            sqlx::query_scalar("SELECT DISTINCT state FROM jobs WHERE kind = $1")
                .bind(NOTICE_JOB)
                .fetch_all(p)
                .await
        })
        .unwrap();
        assert_eq!(states, ["done"], "nothing left to retry");
    }
}

#[tokio::test]
async fn a_countrys_first_advice_is_announced_with_a_link_in_the_subscribers_language() {
    for app in TestApp::all().await {
        active(&app, fr(), Channel::Email, "en@example.org").await;
        let mut tx = app.db.begin().await.unwrap();
        let arabic =
            subscriptions::subscribe(&mut tx, fr(), Channel::Email, "ar@example.org", "ar")
                .await
                .unwrap();
        tx.commit().await.unwrap();
        subscriptions::confirm(&app.db, arabic.confirm_token.as_deref().unwrap())
            .await
            .unwrap();

        let first = publish(&app, "FR", 2).await;
        assert_eq!(first.old_level, None);
        assert!(first.level_change_enqueued);
        let outbox = Outbox::default();
        assert_eq!(runner(&app, &outbox).drain().await.unwrap(), 3);
        let sent = outbox.sent();
        let mail = |to: &str| {
            sent.iter()
                .map(|(_, m)| m)
                .find(|m| m["to"] == to)
                .unwrap_or_else(|| panic!("nothing to {to}: {sent:?}"))
                .clone()
        };
        let base = app.state.config.public_url.trim_end_matches('/').to_owned();
        let en = mail("en@example.org");
        let text = en["text"].as_str().unwrap();
        assert!(
            text.contains("The travel advice level for France is now: Exercise increased caution."),
            "{text}"
        );
        assert!(
            text.contains(&format!("{base}/travel-advice/FR?lang=en")),
            "{text}"
        );
        let ar = mail("ar@example.org");
        let text = ar["text"].as_str().unwrap();
        assert!(
            text.contains(&format!("{base}/travel-advice/FR?lang=ar")),
            "{text}"
        );
        assert_eq!(ar["lang"], "ar");
    }
}
