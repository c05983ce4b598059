//! `safir listen report` on a small twarc2 archive of a ministry and two embassies.

use std::path::PathBuf;

use serde_json::Value;

use crate::support::{TempDir, run};

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../safir-listen/tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn report_writes_html_json_and_csv() {
    let dir = TempDir::new("safir-listen-report");
    let out_dir = dir.path().join("out");
    let out = run(
        &[
            "listen",
            "report",
            &fixture("twiplomacy.jsonl"),
            "--accounts-file",
            &fixture("twiplomacy-accounts.txt"),
            "--from",
            "2024-03-01",
            "--to",
            "2024-03-08",
            "--lang",
            "ar",
            "--out",
            out_dir.to_str().unwrap(),
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    assert!(printed.contains("3 account(s)"), "{printed}");
    assert!(printed.contains("report.html"), "{printed}");

    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"));
    assert_eq!(html.matches("<svg").count(), 3);
    assert!(html.contains("&lt;today&gt;") && !html.contains("<today>"));

    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("report.json")).unwrap())
            .unwrap();
    assert_eq!(json["days"], 7);
    let accounts = json["accounts"].as_array().unwrap();
    let handles: Vec<&str> = accounts
        .iter()
        .map(|a| a["handle"].as_str().unwrap())
        .collect();
    assert_eq!(handles, ["mofa_example", "EmbassyParis", "EmbassyLondon"]);
    // The ministry: followers from its latest tweet, four originals (T1, T6, T16,
    // T22), one reply (T13), one retweet (T9).
    let mofa = &accounts[0];
    assert_eq!(mofa["followers"], 1_251_300);
    assert_eq!(mofa["posts"]["original"], 4);
    assert_eq!(mofa["posts"]["replies"], 1);
    assert_eq!(mofa["posts"]["reposts"], 1);
    assert_eq!(mofa["avg_reposts"], 128.75);
    assert_eq!(
        json["rankings"]["most_followed"][0]["handle"],
        "mofa_example"
    );
    assert_eq!(
        json["rankings"]["best_connected"][0]["handle"],
        "mofa_example"
    );

    let csv = std::fs::read_to_string(out_dir.join("report.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");
    // UTF-8 with a byte-order mark, for spreadsheet programs.
    assert!(csv.starts_with("\u{feff}handle,user_id,requested,followers,"));

    // Each file is written beside itself and renamed: no temporary file is left.
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["report.csv", "report.html", "report.json"]);
}

#[test]
fn unknown_accounts_are_named() {
    let dir = TempDir::new("safir-listen-report");
    let out_dir = dir.path().join("out");
    let args = |accounts: &'static str| {
        vec![
            "listen".to_owned(),
            "report".into(),
            fixture("twiplomacy.jsonl"),
            "--accounts".into(),
            accounts.into(),
            "--out".into(),
            out_dir.display().to_string(),
        ]
    };
    let none = args("@ghost,nobody");
    let out = run(&none.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("none of the accounts is in the data: @ghost, nobody"),
        "{err}"
    );
    assert!(!out_dir.join("report.html").exists());

    let some = args("mofa_example,@ghost");
    let out = run(&some.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("not in the data, left out: @ghost"));
    assert!(out_dir.join("report.html").exists());
}
