//! An analyst's monitor on an Arabic hashtag, through the real binary: a stored dataset, a
//! subscription, alerts by email in the reader's language, the cool-down, and the
//! `listen.monitors` job run by a worker.

use std::path::Path;

use safir_store::{Db, with_pool};

use crate::support::{TempDir, run};

/// 2026-03-01T12:00:00Z and half an hour later, in epoch seconds.
const T1: i64 = 1_772_366_400;
const T2: i64 = T1 + 1800;

/// A CNT-format archive: four posts with spelling variants of #السلام_الآن just before T1,
/// three more just before T2, a longer hashtag that must not match, and unrelated posts.
fn write_archive(path: &Path) {
    let mut rows =
        vec!["message_id,user_id,username,repost_id,reply_id,message,timestamp,urls".to_owned()];
    let mut add = |id: u32, user: &str, text: &str, ts: i64| {
        rows.push(format!("{id},{user},{user},,,{text},{ts},"));
    };
    add(1, "u1", "نداء عاجل #السلام_الآن", T1 - 600);
    add(2, "u2", "#السَّلام_الآن في كل مكان", T1 - 300);
    add(3, "u3", "معا #الســـلام_الان", T1 - 120);
    add(4, "u4", "#ﺍﻟﺴﻼﻡ_الآن", T1);
    add(5, "u5", "#السلام_الآن_فورا وسم آخر", T1 - 60);
    add(6, "u6", "ceasefire talks today", T1 - 30);
    add(7, "u7", "weather report", T1 + 60);
    add(8, "u1", "مرة أخرى #السلام_الآن", T2 - 600);
    add(9, "u2", "#السلام_الآن الآن", T2 - 300);
    add(10, "u8", "وأيضا #السلام_الان", T2);
    std::fs::write(path, rows.join("\n") + "\n").unwrap();
}

fn ok(out: std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn failed(out: std::process::Output) -> String {
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Serves `body` to every request on a loopback port, for as long as the test runs.
fn serve_bytes(body: Vec<u8>) -> std::net::SocketAddr {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    addr
}

async fn open(dir: &Path) -> Db {
    Db::connect(&format!("sqlite://{}", dir.join("safir.db").display()))
        .await
        .unwrap()
}

async fn count(db: &Db, sql: &'static str) -> i64 {
    with_pool!(db.read(), p => sqlx::query_scalar(sql).fetch_one(p).await).unwrap()
}

const ALERTS: &str = "SELECT COUNT(*) FROM listen_alerts";
const EMAILS: &str =
    "SELECT COUNT(*) FROM jobs WHERE kind = 'email.send' AND idempotency_key LIKE 'listen-alert:%'";

/// Pretends the last alert of every monitor was raised three hours ago.
async fn age_last_alerts(db: &Db) {
    let earlier = safir_store::now() - chrono::Duration::hours(3);
    with_pool!(db.write(), p => {
        sqlx::query("UPDATE listen_monitors SET last_alert_at = $1 WHERE last_alert_at IS NOT NULL")
            .bind(earlier)
            .execute(p)
            .await
            .map(|_| ())
    })
    .unwrap();
}

#[tokio::test]
async fn a_hashtag_monitor_alerts_its_subscriber_once_per_cool_down() {
    let data = TempDir::new("safir-monitors");
    let d = data.path().to_str().unwrap();
    let archive = data.path().join("gulf.csv");
    write_archive(&archive);
    let archive = archive.to_str().unwrap();
    let safir = |args: &[&str]| {
        let mut all = vec!["--data-dir", d];
        all.extend_from_slice(args);
        run(&all, &[])
    };

    ok(safir(&[
        "admin",
        "create-user",
        "--email",
        "layla@example.org",
        "--name",
        "Layla",
        "--role",
        "analyst",
        "--lang",
        "ar",
    ]));
    let added = ok(safir(&[
        "listen",
        "dataset",
        "add",
        "gulf",
        archive,
        "--input-format",
        "cnt-csv",
    ]));
    assert!(added.contains("10 messages"), "{added}");
    let err = failed(safir(&[
        "listen",
        "dataset",
        "add",
        "feed",
        "ftp://example.org/rss",
    ]));
    assert!(err.contains("http:// or https://"), "{err}");
    // A URL is fetched when the dataset is added; nothing listens on port 1.
    let err = failed(safir(&[
        "listen",
        "dataset",
        "add",
        "feed",
        "http://127.0.0.1:1/rss",
    ]));
    assert!(err.contains("http://127.0.0.1:1/rss"), "{err}");
    let archive_bytes = std::fs::read(archive).unwrap();
    let site = serve_bytes(archive_bytes);
    let url = format!("http://{site}/gulf.csv");
    let added = ok(safir(&["listen", "dataset", "add", "gulf-web", &url]));
    assert!(added.contains("10 messages"), "{added}");
    let err = failed(safir(&["listen", "dataset", "add", "gulf", archive]));
    assert!(err.contains("exists already"), "{err}");

    ok(safir(&[
        "listen",
        "monitor",
        "add",
        "peace",
        "--dataset",
        "gulf",
        "--hashtags",
        "#السلام_الآن",
        "--threshold",
        "3",
        "--window",
        "60",
        "--cooldown",
        "120",
    ]));
    ok(safir(&[
        "listen",
        "monitor",
        "add",
        "quiet",
        "--dataset",
        "gulf",
        "--keywords",
        "ceasefire",
        "--threshold",
        "5",
        "--window",
        "60",
        "--cooldown",
        "0",
    ]));
    let err = failed(safir(&[
        "listen",
        "monitor",
        "add",
        "bad",
        "--dataset",
        "gulf",
        "--languages",
        "english",
        "--threshold",
        "1",
        "--window",
        "1",
        "--cooldown",
        "0",
    ]));
    assert!(err.contains("languages"), "{err}");
    let err = failed(safir(&[
        "listen",
        "monitor",
        "add",
        "empty",
        "--dataset",
        "gulf",
        "--threshold",
        "1",
        "--window",
        "1",
        "--cooldown",
        "0",
    ]));
    assert!(
        err.contains("give at least one of --keywords, --hashtags, --accounts or --languages"),
        "{err}"
    );
    let subscribed = ok(safir(&[
        "listen",
        "monitor",
        "subscribe",
        "peace",
        "--email",
        "layla@example.org",
    ]));
    assert!(subscribed.contains("now gets the alerts"), "{subscribed}");

    // The first burst: four variants of the hashtag; the longer hashtag does not count.
    let first = ok(safir(&[
        "listen",
        "monitor",
        "run",
        "--as-of",
        "2026-03-01T12:00:00Z",
    ]));
    assert!(
        first.contains("peace on gulf: 4 match(es)") && first.contains("1 email(s) queued"),
        "{first}"
    );
    assert!(first.contains("quiet on gulf: 1 match(es)") && first.contains("below the threshold"));
    let db = open(data.path()).await;
    assert_eq!(count(&db, ALERTS).await, 1);
    assert_eq!(count(&db, EMAILS).await, 1);
    let payload: String = with_pool!(db.read(), p => {
        sqlx::query_scalar("SELECT payload FROM jobs WHERE kind = 'email.send'").fetch_one(p).await
    })
    .unwrap();
    let email: serde_json::Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(email["to"], "layla@example.org");
    assert_eq!(email["lang"], "ar", "the analyst reads Arabic");
    assert!(
        email["subject"].as_str().unwrap().contains("peace"),
        "{email}"
    );
    assert!(email["text"].as_str().unwrap().contains("@u4"), "{email}");

    // Half an hour later the second burst matches, but the cool-down holds it back.
    let second = ok(safir(&[
        "listen",
        "monitor",
        "run",
        "--as-of",
        "2026-03-01T12:30:00Z",
    ]));
    assert!(
        second.contains("peace on gulf: 3 match(es)") && second.contains("cool-down"),
        "{second}"
    );
    assert_eq!(count(&db, ALERTS).await, 1);
    assert_eq!(count(&db, EMAILS).await, 1);

    // After the cool-down: a new alert, for the messages not reported yet.
    age_last_alerts(&db).await;
    let third = ok(safir(&["listen", "monitor", "run", "--as-of", "newest"]));
    assert!(
        third.contains(
            "peace on gulf: 3 match(es) in (2026-03-01T12:00:00.000Z .. 2026-03-01T12:30:00.000Z]"
        ) && third.contains("1 email(s) queued"),
        "{third}"
    );
    assert_eq!(count(&db, ALERTS).await, 2);
    assert_eq!(count(&db, EMAILS).await, 2);

    let listed = ok(safir(&["listen", "monitor", "alerts", "peace"]));
    assert_eq!(
        listed.lines().filter(|l| l.contains(" peace ")).count(),
        2,
        "{listed}"
    );
    assert!(ok(safir(&["listen", "monitor", "alerts", "quiet"])).contains("no alerts"));
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'listen_%'"
        )
        .await,
        5,
        "two datasets, two monitors, one subscription"
    );

    // The collector's file now holds what the importer cannot read: every check says so
    // rather than report a quiet hour.
    std::fs::write(archive, "not,a,cnt,file\n1,2,3,4\n").unwrap();
    let err = failed(safir(&["listen", "monitor", "run", "--as-of", "newest"]));
    assert!(
        err.contains(
            "dataset gulf: no messages could be imported from these files (first problem:"
        ),
        "{err}"
    );
    assert!(!err.contains("no enabled monitors"), "{err}");
    db.close().await;
    ok(safir(&["admin", "verify-audit"]));
}

#[tokio::test]
async fn the_worker_runs_the_monitor_check_job() {
    let data = TempDir::new("safir-monitor-job");
    let d = data.path().to_str().unwrap();
    let archive = data.path().join("gulf.csv");
    write_archive(&archive);
    let safir = |args: &[&str]| {
        let mut all = vec!["--data-dir", d];
        all.extend_from_slice(args);
        run(&all, &[])
    };
    ok(safir(&[
        "admin",
        "create-user",
        "--email",
        "omar@example.org",
        "--name",
        "Omar",
        "--lang",
        "en",
    ]));
    ok(safir(&[
        "listen",
        "dataset",
        "add",
        "gulf",
        archive.to_str().unwrap(),
    ]));
    ok(safir(&[
        "listen",
        "monitor",
        "add",
        "peace",
        "--dataset",
        "gulf",
        "--hashtags",
        "السلام_الان",
        "--threshold",
        "3",
        "--window",
        "60",
        "--cooldown",
        "60",
    ]));
    ok(safir(&[
        "listen",
        "monitor",
        "subscribe",
        "peace",
        "--email",
        "omar@example.org",
    ]));

    let db = open(data.path()).await;
    let mut tx = db.begin().await.unwrap();
    let job =
        safir_store::jobs::NewJob::new("listen.monitors", serde_json::json!({"as_of": "newest"}));
    safir_store::jobs::enqueue(&mut tx, &job).await.unwrap();
    tx.commit().await.unwrap();
    ok(safir(&["worker", "--drain"]));

    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'listen.monitors' AND state = 'done'"
        )
        .await,
        1
    );
    // Within the hour before the newest message: the seven posts of both bursts.
    let matches: i64 = with_pool!(db.read(), p => {
        sqlx::query_scalar("SELECT matches FROM listen_alerts").fetch_one(p).await
    })
    .unwrap();
    assert_eq!(matches, 7);
    assert_eq!(count(&db, EMAILS).await, 1);
    // The worker also sent the email (to a file, the default transport), in English.
    let mail: Vec<_> = std::fs::read_dir(data.path().join("mail"))
        .unwrap()
        .collect();
    assert_eq!(mail.len(), 1);
    let text = std::fs::read_to_string(mail[0].as_ref().unwrap().path()).unwrap();
    assert!(text.contains("omar@example.org"), "{text}");
    db.close().await;
}

#[tokio::test]
async fn rows_the_import_skips_are_shown_when_a_dataset_is_added_and_checked() {
    let data = TempDir::new("safir-monitors-skipped");
    let d = data.path().to_str().unwrap();
    let archive = data.path().join("gulf.csv");
    // The collector added a ninth column after two rows: every later row is skipped, and
    // a monitor reading the file must not look as if all were quiet.
    let mut rows =
        vec!["message_id,user_id,username,repost_id,reply_id,message,timestamp,urls".to_owned()];
    rows.push(format!("1,u1,u1,,,#السلام_الآن,{},", T1 - 600));
    rows.push(format!("2,u2,u2,,,hello,{},", T1 - 300));
    for id in 3..=5 {
        rows.push(format!("{id},u3,u3,,,#السلام_الآن,{},,ar", T1 - 60));
    }
    std::fs::write(&archive, rows.join("\n") + "\n").unwrap();
    let archive = archive.to_str().unwrap();
    let safir = |args: &[&str]| {
        let mut all = vec!["--data-dir", d];
        all.extend_from_slice(args);
        run(&all, &[])
    };

    let added = ok(safir(&[
        "listen",
        "dataset",
        "add",
        "gulf",
        archive,
        "--input-format",
        "cnt-csv",
    ]));
    assert!(added.contains("2 messages"), "{added}");
    assert!(
        added.contains(&format!(
            "{archive}: 3 record(s) skipped: wrong number of columns"
        )),
        "{added}"
    );
    assert!(
        added.contains(&format!("{archive}:4: wrong number of columns: expected 8")),
        "{added}"
    );

    ok(safir(&[
        "listen",
        "monitor",
        "add",
        "peace",
        "--dataset",
        "gulf",
        "--hashtags",
        "#السلام_الآن",
        "--threshold",
        "5",
        "--window",
        "60",
        "--cooldown",
        "0",
    ]));
    let checked = ok(safir(&["listen", "monitor", "run", "--as-of", "newest"]));
    assert!(
        checked.contains("dataset gulf: records skipped by the import are not counted"),
        "{checked}"
    );
    assert!(
        checked.contains(&format!(
            "{archive}: 3 record(s) skipped: wrong number of columns"
        )),
        "{checked}"
    );
    assert!(checked.contains("peace on gulf: 1 match(es)"), "{checked}");
}
