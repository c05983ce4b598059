//! `safir listen trends` through the binary: a quiet background of three days and an Arabic
//! hashtag campaign in several spellings on the last afternoon; the campaign is the top
//! emerging hashtag in text, CSV and JSON, and bad options name themselves.

use std::fmt::Write as _;

use crate::support::{TempDir, run};

/// 2023-11-14T00:00:00Z.
const START: i64 = 1_699_920_000;

fn archive() -> String {
    let mut csv =
        "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n".to_owned();
    let mut id = 0;
    // Background: every hour of three days, the same few everyday posts.
    for hour in 0..72 {
        for (i, text) in [
            "weather report today",
            "traffic news update",
            "سوق الخضار اليوم",
        ]
        .iter()
        .enumerate()
        {
            for k in 0..4 {
                id += 1;
                let ts = START + hour * 3600 + (i as i64) * 600 + k * 60;
                writeln!(csv, "b{id},u{},user{},,,{text},{ts},", id % 30, id % 30).unwrap();
            }
        }
    }
    // The campaign: 2, 6, 20, 45 and 30 posts in five hours of the third afternoon.
    let spellings = ["#اعلان_الامل", "#إعلان_الأمل", "#اعـــلان_الامل"];
    for (h, n) in [2, 6, 20, 45, 30].into_iter().enumerate() {
        for i in 0..n {
            id += 1;
            let ts = START + (60 + h as i64) * 3600 + i * (3600 / n);
            let tag = spellings[(id as usize) % spellings.len()];
            writeln!(
                csv,
                "c{id},c{},camp{},,,{tag} نطالب,{ts},",
                id % 40,
                id % 40
            )
            .unwrap();
        }
    }
    csv
}

fn ok(out: std::process::Output) -> String {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_hashtag_campaign_is_the_top_emerging_topic() {
    let dir = TempDir::new("safir-trends");
    let input = dir.path().join("archive.csv");
    std::fs::write(&input, archive()).unwrap();
    let input = input.to_str().unwrap();

    let text = ok(run(
        &[
            "listen", "trends", input, "--kinds", "hashtag", "--top", "3",
        ],
        &[],
    ));
    let first = text
        .lines()
        .find(|l| l.trim_start().starts_with("1. "))
        .unwrap_or_else(|| panic!("no ranked topic in:\n{text}"));
    assert!(first.contains("hashtag #اعلان_الامل"), "{text}");
    assert!(!text.contains("2. "), "one campaign, one hashtag:\n{text}");

    let csv = ok(run(
        &["listen", "trends", input, "--format", "csv", "--top", "5"],
        &[],
    ));
    assert!(csv.starts_with("rank,kind,term,score,"), "{csv}");
    assert!(
        csv.lines().any(|l| l.starts_with("1,hashtag,#اعلان_الامل,")),
        "{csv}"
    );
    // Nothing of the steady background is emerging.
    assert!(!csv.contains("weather") && !csv.contains("الخضار"), "{csv}");

    let json = ok(run(&["listen", "trends", input, "--format", "json"], &[]));
    let value: serde_json::Value = serde_json::from_str(&json).expect("JSON output");
    let emerging = value["emerging"].as_array().expect("emerging list");
    assert!(
        emerging
            .iter()
            .any(|t| t["term"] == "#اعلان_الامل" && t["kind"] == "hashtag"),
        "{json}"
    );

    let bad = run(&["listen", "trends", input, "--bucket", "7m"], &[]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("bucket"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}
