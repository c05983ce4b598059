//! Listening storage: datasets, monitors, subscribers and alerts with their cool-down.

use safir_domain::Lang;
use safir_domain::accounts::{AccountKind, DisplayName, Email};
use safir_store::listen::{self, NewAlert, NewDataset, NewMonitor, alerts, datasets, monitors};
use safir_store::testing::TestDb;
use safir_store::{Db, StoreError, with_pool};
use serde_json::json;

async fn analyst(db: &Db, email: &str, lang: Lang) -> String {
    let email = Email::parse(email).unwrap();
    let name = DisplayName::parse("Analyst").unwrap();
    let mut tx = db.begin().await.unwrap();
    let id = safir_store::accounts::create_user(
        &mut tx,
        &safir_store::accounts::NewUser {
            email: &email,
            display_name: &name,
            password_hash: "x",
            kind: AccountKind::Staff,
            lang,
            email_verified: true,
            request_key: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id.to_string()
}

async fn dataset(db: &Db, name: &str) -> listen::Dataset {
    let sources = vec!["/data/a.jsonl".to_owned(), "/data/b.csv".to_owned()];
    let mut tx = db.begin().await.unwrap();
    let d = listen::create_dataset(
        &mut tx,
        &NewDataset {
            name,
            sources: &sources,
            input_format: None,
            created_by: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    d
}

async fn monitor(db: &Db, dataset_id: &str, name: &str, cooldown: i32) -> listen::Monitor {
    let query = json!({"hashtags": ["سلام"], "keywords": [], "accounts": [], "languages": []});
    let mut tx = db.begin().await.unwrap();
    let m = listen::create_monitor(
        &mut tx,
        &NewMonitor {
            dataset_id,
            name,
            query: &query,
            threshold: 3,
            window_minutes: 60,
            cooldown_minutes: cooldown,
            created_by: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    m
}

async fn raise(db: &Db, monitor_id: &str, end_ms: i64) -> Option<listen::Alert> {
    let sample = json!([{"id": "1", "text": "#سلام"}]);
    let mut tx = db.begin().await.unwrap();
    let a = listen::raise_alert(
        &mut tx,
        &NewAlert {
            monitor_id,
            matches: 4,
            window_start_ms: end_ms - 3_600_000,
            window_end_ms: end_ms,
            sample: &sample,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    a
}

#[tokio::test]
async fn datasets_keep_their_sources_and_names_are_unique() {
    for t in TestDb::all().await {
        let db = &t.db;
        let d = dataset(db, "gulf-2026").await;
        assert_eq!(d.sources().unwrap(), vec!["/data/a.jsonl", "/data/b.csv"]);
        let sources = vec!["/x".to_owned()];
        let mut tx = db.begin().await.unwrap();
        let dup = listen::create_dataset(
            &mut tx,
            &NewDataset {
                name: "gulf-2026",
                sources: &sources,
                input_format: Some("cnt-csv"),
                created_by: None,
            },
        )
        .await;
        assert!(matches!(dup, Err(StoreError::Conflict("dataset name"))));
        tx.rollback().await.unwrap();

        datasets::record_import(db, &d.id, 1234).await.unwrap();
        let back = listen::find_dataset(db, &d.id).await.unwrap();
        assert_eq!(back.message_count, 1234);
        assert!(back.last_imported_at.is_some());
        let by_name = datasets::find_dataset_by_name(db, "gulf-2026")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(by_name.id, d.id);
        assert_eq!(listen::list_datasets(db).await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn monitors_have_subscribers_and_can_be_turned_off() {
    for t in TestDb::all().await {
        let db = &t.db;
        let d = dataset(db, "d").await;
        let m = monitor(db, &d.id, "peace-tag", 30).await;
        assert!(m.enabled);
        assert_eq!(
            hashtags_and_keywords(&m),
            (vec!["سلام".to_owned()], Vec::<String>::new())
        );
        let layla = analyst(db, "layla@example.org", Lang::Ar).await;
        let omar = analyst(db, "omar@example.org", Lang::En).await;
        let mut tx = db.begin().await.unwrap();
        assert!(monitors::subscribe(&mut tx, &m.id, &layla).await.unwrap());
        assert!(!monitors::subscribe(&mut tx, &m.id, &layla).await.unwrap());
        assert!(monitors::subscribe(&mut tx, &m.id, &omar).await.unwrap());
        tx.commit().await.unwrap();
        let subs = monitors::subscribers(db, &m.id).await.unwrap();
        let emails: Vec<&str> = subs.iter().map(|s| s.email.as_str()).collect();
        assert_eq!(emails, vec!["layla@example.org", "omar@example.org"]);
        assert_eq!(subs[0].preferred_lang, "ar");

        let mut tx = db.begin().await.unwrap();
        assert!(monitors::unsubscribe(&mut tx, &m.id, &omar).await.unwrap());
        assert_eq!(
            monitors::subscribers_in(&mut tx, &m.id)
                .await
                .unwrap()
                .len(),
            1
        );
        tx.commit().await.unwrap();

        let mut tx = db.begin().await.unwrap();
        let dup = listen::create_monitor(
            &mut tx,
            &NewMonitor {
                dataset_id: &d.id,
                name: "peace-tag",
                query: &json!({}),
                threshold: 1,
                window_minutes: 1,
                cooldown_minutes: 0,
                created_by: None,
            },
        )
        .await;
        assert!(matches!(dup, Err(StoreError::Conflict("monitor name"))));
        tx.rollback().await.unwrap();

        assert_eq!(monitors::list_enabled(db).await.unwrap().len(), 1);
        let mut tx = db.begin().await.unwrap();
        assert!(monitors::set_enabled(&mut tx, &m.id, false).await.unwrap());
        assert!(!monitors::set_enabled(&mut tx, &m.id, false).await.unwrap());
        tx.commit().await.unwrap();
        assert!(monitors::list_enabled(db).await.unwrap().is_empty());
        assert_eq!(listen::list_monitors(db).await.unwrap().len(), 1);
    }
}

/// The hashtags and keywords of a stored monitor's query.
fn hashtags_and_keywords(m: &listen::Monitor) -> (Vec<String>, Vec<String>) {
    let q = m.query_json().unwrap();
    let list = |f: &str| -> Vec<String> {
        q[f].as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    (list("hashtags"), list("keywords"))
}

#[tokio::test]
async fn an_alert_waits_for_the_cool_down_and_reports_each_window_once() {
    for t in TestDb::all().await {
        let db = &t.db;
        let d = dataset(db, "d").await;
        let m = monitor(db, &d.id, "m", 30).await;
        let other = monitor(db, &d.id, "quiet", 0).await;

        let first = raise(db, &m.id, 10_000_000).await.expect("first alert");
        assert_eq!(first.matches, 4);
        let after = monitors::find_monitor(db, &m.id).await.unwrap();
        assert_eq!(after.last_checked_ms, Some(10_000_000));
        assert_eq!(after.last_alert_at, Some(first.raised_at));
        assert!(!after.cooled_down(first.raised_at));

        // Inside the cool-down: nothing, whatever the window.
        assert!(raise(db, &m.id, 20_000_000).await.is_none());
        let unchanged = monitors::find_monitor(db, &m.id).await.unwrap();
        assert_eq!(unchanged.last_checked_ms, Some(10_000_000));

        // Forty minutes later, as far as the monitor knows.
        let earlier = first.raised_at - chrono::Duration::minutes(40);
        with_pool!(db.write(), p => {
            sqlx::query("UPDATE listen_monitors SET last_alert_at = $1 WHERE id = $2")
                .bind(earlier)
                .bind(&m.id)
                .execute(p)
                .await
                .map(|_| ())
        })
        .unwrap();
        assert!(
            raise(db, &m.id, 10_000_000).await.is_none(),
            "a window already reported is not reported again"
        );
        let second = raise(db, &m.id, 20_000_000)
            .await
            .expect("after the cool-down");

        // A cool-down of zero lets every new window through.
        assert!(raise(db, &other.id, 5).await.is_some());
        assert!(raise(db, &other.id, 6).await.is_some());

        let mine = alerts::list_alerts(db, Some(&m.id), 10).await.unwrap();
        let ids: Vec<&str> = mine.iter().map(|a| a.alert.id.as_str()).collect();
        assert_eq!(ids, vec![second.id.as_str(), first.id.as_str()]);
        assert!(mine.iter().all(|a| a.monitor_name == "m"));
        assert_eq!(alerts::list_alerts(db, None, 10).await.unwrap().len(), 4);
        assert_eq!(alerts::list_alerts(db, None, 1).await.unwrap().len(), 1);
    }
}
