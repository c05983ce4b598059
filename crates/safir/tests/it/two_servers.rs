//! Two `safir serve` processes on one PostgreSQL database: a session made on one is valid on
//! the other, and their job workers share the queue without running a job twice.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use chrono::Duration as ChronoDuration;
use safir_domain::Lang;
use safir_domain::accounts::{AccountKind, DisplayName, Email};
use safir_store::accounts::{self, sessions};
use safir_store::jobs::{self, NewJob};
use safir_store::testing::{TestDb, postgres_url};
use serde_json::json;

use crate::support::{Server, TempDir, http};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_share_sessions_and_jobs() {
    let Some(admin_url) = postgres_url() else {
        return;
    };
    let t = TestDb::postgres(&admin_url).await;
    let db = &t.db;

    // A signed-in user, made directly in the database.
    let email = Email::parse("traveller@example.org").unwrap();
    let name = DisplayName::parse("Traveller").unwrap();
    let mut tx = db.begin().await.unwrap();
    let uid = accounts::create_user(
        &mut tx,
        &accounts::NewUser {
            email: &email,
            display_name: &name,
            password_hash: "x",
            kind: AccountKind::Public,
            lang: Lang::En,
            email_verified: true,
            request_key: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let dir_a = TempDir::new("safir-a");
    let dir_b = TempDir::new("safir-b");
    let env = |dir: &TempDir| {
        vec![
            ("SAFIR_DATABASE_URL".to_owned(), t.url.clone()),
            (
                "SAFIR_DATA_DIR".to_owned(),
                dir.path().display().to_string(),
            ),
            ("SAFIR_MAIL_TRANSPORT".to_owned(), "file".to_owned()),
        ]
    };
    let env_a = env(&dir_a);
    let env_b = env(&dir_b);
    let a = Server::start(&["serve"], &as_refs(&env_a));
    let b = Server::start(&["serve"], &as_refs(&env_b));

    let cookie = sessions::create(
        db,
        uid.as_str(),
        false,
        None,
        None,
        ChronoDuration::hours(1),
    )
    .await
    .unwrap();
    let client = http();
    for server in [&a, &b] {
        let res = client
            .get(server.url("/account"))
            .header("cookie", format!("safir_session={cookie}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "the session is valid on {}", server.base);
        let anonymous = client.get(server.url("/account")).send().await.unwrap();
        assert!(anonymous.status().is_redirection(), "and required there");
    }

    // 200 emails enqueued at once; both processes' workers drain them.
    let n = 200;
    let batch: Vec<NewJob> = (0..n)
        .map(|i| {
            NewJob::new(
                "email.send",
                json!({"to": format!("r{i}@example.org"), "lang": "en", "subject": format!("message {i}"), "text": "hello"}),
            )
        })
        .collect();
    let mut tx = db.begin().await.unwrap();
    jobs::enqueue_batch(&mut tx, &batch).await.unwrap();
    tx.commit().await.unwrap();

    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let s = jobs::stats(db).await.unwrap();
        // The servers' own upkeep adds the day's purge job; count only the emails.
        let emails_done: i64 = safir_store::with_pool!(db.read(), p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'email.send' AND state = 'done'")
                .fetch_one(p)
                .await
        })
        .unwrap();
        if emails_done == n as i64 {
            break;
        }
        assert!(s.dead == 0, "no job may fail: {s:?}");
        assert!(Instant::now() < deadline, "jobs not drained in time: {s:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut subjects = Vec::new();
    let mut per_server = Vec::new();
    for dir in [&dir_a, &dir_b] {
        let mail = dir.path().join("mail");
        let mut count = 0;
        if let Ok(entries) = std::fs::read_dir(&mail) {
            for e in entries {
                let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
                let subject = text
                    .lines()
                    .find(|l| l.starts_with("Subject:"))
                    .unwrap_or("")
                    .to_owned();
                subjects.push(subject);
                count += 1;
            }
        }
        per_server.push(count);
    }
    let unique: HashSet<_> = subjects.iter().collect();
    assert_eq!(
        subjects.len(),
        n,
        "every job ran exactly once across both servers: {per_server:?}"
    );
    assert_eq!(unique.len(), n);
    drop(a);
    drop(b);
}

fn as_refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}
