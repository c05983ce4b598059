use safir_domain::CountryCode;
use safir_domain::crisis::registration::Channel;
use safir_store::crisis::subscriptions;
use safir_store::testing::TestDb;
use safir_store::{Db, Tx};

fn cc(c: &str) -> CountryCode {
    CountryCode::parse(c).unwrap()
}

async fn subscribe(
    db: &Db,
    country: &str,
    channel: Channel,
    address: &str,
) -> subscriptions::Subscribed {
    let mut tx: Tx = db.begin().await.unwrap();
    let s = subscriptions::subscribe(&mut tx, cc(country), channel, address, "en")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    s
}

#[tokio::test]
async fn email_subscriptions_need_confirmation_and_end_by_their_link() {
    for t in TestDb::all().await {
        let db = &t.db;
        let s = subscribe(db, "SD", Channel::Email, "a@example.org").await;
        assert_eq!(s.subscription.status, "pending");
        let token = s.confirm_token.unwrap();
        assert!(
            subscriptions::active_for_country(db, cc("SD"))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(subscriptions::confirm(db, "wrong").await.unwrap().is_none());
        let active = subscriptions::confirm(db, &token).await.unwrap().unwrap();
        assert_eq!(active.status, "active");
        assert!(active.confirmed_at.is_some());
        assert!(
            subscriptions::confirm(db, &token).await.unwrap().is_some(),
            "a second click is fine"
        );
        let again = subscribe(db, "SD", Channel::Email, "a@example.org").await;
        assert!(
            again.confirm_token.is_none(),
            "already active: nothing to confirm"
        );
        let list = subscriptions::active_for_country(db, cc("SD"))
            .await
            .unwrap();
        assert_eq!(list.len(), 1);
        assert!(
            subscriptions::active_for_country(db, cc("FR"))
                .await
                .unwrap()
                .is_empty()
        );

        let key = subscriptions::unsubscribe_key(db).await.unwrap();
        assert_eq!(subscriptions::unsubscribe_key(db).await.unwrap(), key);
        let link = subscriptions::unsubscribe_token(&key, &active.id);
        let id = subscriptions::verify_unsubscribe_token(&key, &link).unwrap();
        assert!(subscriptions::unsubscribe(db, &id).await.unwrap());
        assert!(!subscriptions::unsubscribe(db, &id).await.unwrap());
        assert!(
            subscriptions::active_for_country(db, cc("SD"))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            subscriptions::find(db, &id).await.unwrap().status,
            "unsubscribed"
        );

        let back = subscribe(db, "SD", Channel::Email, "a@example.org").await;
        assert_eq!(back.subscription.id, id, "subscribing again reuses the row");
        assert_eq!(back.subscription.status, "pending");
        assert!(
            subscriptions::confirm(db, &token).await.unwrap().is_none(),
            "old links die"
        );
    }
}

#[tokio::test]
async fn sms_subscriptions_confirm_by_reply_and_stop_per_country_or_all() {
    for t in TestDb::all().await {
        let db = &t.db;
        let phone = "+971501234567";
        subscribe(db, "SD", Channel::Sms, phone).await;
        subscribe(db, "LB", Channel::Sms, phone).await;
        subscribe(db, "YE", Channel::Sms, phone).await;
        subscribe(db, "SD", Channel::Sms, "+971509999999").await;
        assert_eq!(subscriptions::confirm_sms(db, phone).await.unwrap(), 3);
        assert_eq!(subscriptions::confirm_sms(db, phone).await.unwrap(), 0);
        assert_eq!(
            subscriptions::active_for_country(db, cc("SD"))
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            subscriptions::unsubscribe_sms(db, phone, Some(cc("LB")))
                .await
                .unwrap(),
            1
        );
        assert!(
            subscriptions::active_for_country(db, cc("LB"))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            subscriptions::active_for_country(db, cc("YE"))
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            subscriptions::unsubscribe_sms(db, phone, None)
                .await
                .unwrap(),
            2
        );
        assert!(
            subscriptions::active_for_country(db, cc("SD"))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            subscriptions::active_for_country(db, cc("YE"))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            subscriptions::unsubscribe_sms(db, "+971509999999", None)
                .await
                .unwrap(),
            1,
            "STOP also ends a pending subscription"
        );
    }
}

/// Two subscriptions of one new address at once (a double click): one row, each request
/// answered with it, neither refused by the unique key, and one confirmation to send, whose
/// link works.
#[tokio::test]
async fn the_same_address_subscribed_twice_at_once_is_one_subscription() {
    for t in TestDb::all().await {
        let db = &t.db;
        let (a, b) = tokio::join!(
            subscribe(db, "LB", Channel::Email, "twice@example.org"),
            subscribe(db, "LB", Channel::Email, "twice@example.org"),
        );
        assert_eq!(a.subscription.id, b.subscription.id);
        assert_eq!(a.subscription.status, "pending");
        let tokens: Vec<String> = [a.confirm_token, b.confirm_token]
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(tokens.len(), 1, "one confirmation to send");
        assert!(
            subscriptions::confirm(db, &tokens[0])
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(
            subscriptions::active_for_country(db, cc("LB"))
                .await
                .unwrap()
                .len(),
            1
        );
    }
}

/// YES confirms what the phone asked for lately: a request typed weeks ago (by anyone) stays
/// pending. A request repeated within a minute (a double click) sends nothing new, so the
/// first message's link or YES still works; later, a request makes a new confirmation.
#[tokio::test]
async fn a_yes_confirms_recent_requests_and_a_double_click_sends_one() {
    for t in TestDb::all().await {
        let db = &t.db;
        let phone = "+971501112222";
        let old = subscribe(db, "LB", Channel::Sms, phone).await;
        let weeks_ago = safir_store::now() - chrono::Duration::days(20);
        safir_store::with_pool!(db.write(), p => {
            sqlx::query("UPDATE advice_subscriptions SET requested_at = $1 WHERE id = $2")
                .bind(weeks_ago)
                .bind(&old.subscription.id)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        })
        .unwrap();
        let first = subscribe(db, "SD", Channel::Sms, phone).await;
        assert!(first.confirm_token.is_some());
        let again = subscribe(db, "SD", Channel::Sms, phone).await;
        assert!(again.confirm_token.is_none(), "nothing new within a minute");
        assert_eq!(again.subscription.id, first.subscription.id);
        assert_eq!(subscriptions::confirm_sms(db, phone).await.unwrap(), 1);
        assert_eq!(
            subscriptions::find(db, &old.subscription.id)
                .await
                .unwrap()
                .status,
            "pending"
        );
        // The old request asked for again: a new confirmation, which YES answers.
        assert!(
            subscribe(db, "LB", Channel::Sms, phone)
                .await
                .confirm_token
                .is_some()
        );
        assert_eq!(subscriptions::confirm_sms(db, phone).await.unwrap(), 1);

        // An email link clicked after a double click still works.
        let mail = subscribe(db, "SD", Channel::Email, "twice@example.org").await;
        let token = mail.confirm_token.unwrap();
        assert!(
            subscribe(db, "SD", Channel::Email, "twice@example.org")
                .await
                .confirm_token
                .is_none()
        );
        assert!(subscriptions::confirm(db, &token).await.unwrap().is_some());
    }
}
