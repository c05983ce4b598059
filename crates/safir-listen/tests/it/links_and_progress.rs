//! Resolved links feed co_link through `MessageTable::map_urls`, and imports report
//! their progress to the caller.

use std::sync::{Arc, Mutex};

use safir_listen::import::{ImportOptions, ImportProgress, import_path};
use safir_listen::network::{NetworkKind, NetworkParams, compute};
use safir_listen::table::MessageTable;

use crate::{msg, table_of};

fn co_link_pairs(t: &MessageTable) -> Vec<(String, String, u32)> {
    let net = compute(t, NetworkKind::CoLink, &NetworkParams::default()).unwrap();
    net.edges
        .iter()
        .map(|e| {
            (
                t.users.resolve(e.user_1).to_owned(),
                t.users.resolve(e.user_2).to_owned(),
                e.weight,
            )
        })
        .collect()
}

#[test]
fn short_links_to_one_destination_join_co_link_once_resolved() {
    let mut a = msg("1", "a", 0, "read this");
    a.urls = vec!["https://t.example/x1".into()];
    let mut b = msg("2", "b", 10, "and this");
    b.urls = vec!["https://bit.example/y2".into()];
    let mut c = msg("3", "c", 20, "elsewhere");
    c.urls = vec!["https://other.example/".into()];
    let mut t = table_of(&[a, b, c]);
    assert!(
        co_link_pairs(&t).is_empty(),
        "different short links stay apart"
    );

    let changed = t.map_urls(|u| {
        (u.starts_with("https://t.example/") || u.starts_with("https://bit.example/"))
            .then(|| "https://news.example/story".to_owned())
    });
    assert_eq!(changed, 2);
    assert_eq!(
        co_link_pairs(&t),
        [("a".into(), "b".into(), 1), ("b".into(), "a".into(), 1)]
    );
}

#[test]
fn a_link_mapped_to_empty_makes_no_edge() {
    let mut a = msg("1", "a", 0, "x");
    a.urls = vec!["https://t.example/x1".into()];
    let mut b = msg("2", "b", 0, "y");
    b.urls = vec!["https://t.example/x2".into()];
    let mut t = table_of(&[a, b]);
    t.map_urls(|_| Some(String::new()));
    assert!(co_link_pairs(&t).is_empty());
}

#[test]
fn importing_a_file_reports_bytes_then_records_then_done() {
    let dir = std::env::temp_dir().join(format!("safir-listen-progress-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.csv");
    let mut csv =
        String::from("message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n");
    let n = 40_000;
    for i in 0..n {
        csv.push_str(&format!(
            "{i},u{},user{},,,hello number {i},{},\n",
            i % 97,
            i % 97,
            1_600_000_000 + i
        ));
    }
    std::fs::write(&path, &csv).unwrap();

    let seen: Arc<Mutex<Vec<ImportProgress>>> = Arc::default();
    let sink = Arc::clone(&seen);
    let options = ImportOptions {
        progress: Some(Arc::new(move |p: &ImportProgress| {
            sink.lock().unwrap().push(p.clone())
        })),
        ..ImportOptions::default()
    };
    let mut table = MessageTable::new();
    let report = import_path(&mut table, &path, &options).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(report.added, n);

    let seen = seen.lock().unwrap();
    let total = csv.len() as u64;
    let file = path.display().to_string();
    assert!(seen.iter().all(|p| p.file == file));
    let read = seen
        .iter()
        .find(|p| p.records == 0)
        .expect("an update while reading");
    assert_eq!(read.total_bytes, Some(total));
    assert!(
        seen.iter()
            .any(|p| !p.done && p.records > 0 && p.records < n),
        "updates while parsing: {seen:?}"
    );
    assert!(
        seen.windows(2)
            .all(|w| w[0].records <= w[1].records && w[0].bytes <= w[1].bytes)
    );
    let last = seen.last().unwrap();
    assert!(last.done);
    assert_eq!((last.records, last.bytes), (n, total));
    assert_eq!(seen.iter().filter(|p| p.done).count(), 1);
}

#[test]
fn without_a_callback_nothing_changes() {
    let options = ImportOptions::default();
    assert!(options.progress.is_none());
    assert!(format!("{options:?}").contains("progress: false"));
}
