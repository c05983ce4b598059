//! The travel advice feeds, read by real parsers: `xmllint` checks the XML is well-formed and
//! Python's `feedparser` reads them as Atom 1.0, the way feed readers do.
//!
//! Both tools are optional on a developer machine (the test says it skipped them);
//! `SAFIR_TEST_REQUIRE` naming `xmllint` or `feedparser` makes a missing one a failure.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::advice_pages::publish;
use crate::harness::TestApp;

/// Runs `program args` with `input` on stdin; `None` when the program cannot be started.
fn run(program: &str, args: &[&str], input: &str) -> Option<(bool, String, String)> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Some((
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

/// Whether `tool` can be used; fails when the environment requires it.
fn available(tool: &str, probe: &[&str]) -> bool {
    let ok = Command::new(probe[0])
        .args(&probe[1..])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            !safir_store::testing::required(tool),
            "SAFIR_TEST_REQUIRE includes {tool} but it is not installed"
        );
        eprintln!("skipping the {tool} check: it is not installed");
    }
    ok
}

fn well_formed(xml: &str) {
    if !available("xmllint", &["xmllint", "--version"]) {
        return;
    }
    let (ok, _, err) = run("xmllint", &["--noout", "-"], xml).unwrap();
    assert!(ok, "xmllint refused the feed: {err}\n{xml}");
}

/// What feedparser makes of the feed, as JSON.
const READ_FEED: &str = r#"
import json, sys, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
print(json.dumps({
    "bozo": bool(d.bozo),
    "bozo_exception": str(d.get("bozo_exception", "")),
    "version": d.version,
    "id": d.feed.get("id"),
    "title": d.feed.get("title"),
    "updated": d.feed.get("updated"),
    "language": d.feed.get("language"),
    "author": d.feed.get("author"),
    "links": [{"rel": l.get("rel"), "type": l.get("type"), "href": l.get("href")} for l in d.feed.get("links", [])],
    "entries": [{
        "id": e.get("id"),
        "title": e.get("title"),
        "updated": e.get("updated"),
        "published": e.get("published"),
        "summary": e.get("summary"),
        "link": e.get("link"),
        "content_type": e["content"][0]["type"] if e.get("content") else None,
        "content": e["content"][0]["value"] if e.get("content") else None,
    } for e in d.entries],
}))
"#;

fn parsed(xml: &str) -> Option<Value> {
    if !available("feedparser", &["python3", "-c", "import feedparser"]) {
        return None;
    }
    let (ok, out, err) = run("python3", &["-c", READ_FEED], xml).unwrap();
    assert!(ok, "feedparser failed: {err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["bozo"], false, "{}\n{xml}", v["bozo_exception"]);
    assert_eq!(v["version"], "atom10");
    Some(v)
}

#[tokio::test]
async fn a_countrys_feed_is_valid_atom_with_one_entry_per_version() {
    let app = TestApp::sqlite().await;
    publish(&app, "LB", 2, "توخَّ الحذر.", "Exercise caution & care.").await;
    publish(
        &app,
        "LB",
        3,
        "أعد النظر <في> السفر.",
        // A noncharacter pasted with the text: XML cannot carry it, the feed drops it.
        "Reconsider travel <now>.\u{FFFF}",
    )
    .await;
    let mut c = app.client();

    let res = c.get("/travel-advice/lb/feed.atom?lang=en").await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        res.headers.get("content-type").unwrap(),
        "application/atom+xml; charset=utf-8"
    );
    assert!(
        res.body
            .starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>")
    );
    // Text reaches the XML escaped, and the HTML content escaped once more.
    assert!(
        res.body.contains("Reconsider travel &amp;lt;now&amp;gt;."),
        "{}",
        res.body
    );
    assert!(!res.body.contains('\u{FFFF}'));
    well_formed(&res.body);

    if let Some(feed) = parsed(&res.body) {
        let self_href = "http://safir.test/travel-advice/LB/feed.atom?lang=en";
        assert_eq!(feed["id"], self_href);
        assert_eq!(feed["title"], "Lebanon — Travel advice");
        assert_eq!(feed["language"], "en");
        assert_eq!(feed["author"], "Consular services");
        let links = feed["links"].as_array().unwrap();
        assert!(
            links
                .iter()
                .any(|l| l["rel"] == "self" && l["href"] == self_href)
        );
        assert!(links.iter().any(|l| l["rel"] == "alternate"
            && l["href"] == "http://safir.test/travel-advice/LB?lang=en"));
        let entries = feed["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 2);
        let newest = &entries[0];
        assert_eq!(newest["title"], "Lebanon — Level 3: Reconsider travel");
        assert_eq!(newest["summary"], "Now level 3");
        assert_eq!(newest["content_type"], "text/html");
        let content = newest["content"].as_str().unwrap();
        assert!(
            content.contains("<h2>Safety and security</h2>"),
            "{content}"
        );
        assert!(
            content.contains("<p>Reconsider travel &lt;now&gt;.</p>"),
            "{content}"
        );
        assert_eq!(newest["link"], "http://safir.test/travel-advice/LB?lang=en");
        assert!(newest["updated"].as_str().unwrap().ends_with('Z'));
        assert_eq!(feed["updated"], newest["updated"]);
        assert_eq!(
            entries[1]["title"],
            "Lebanon — Level 2: Exercise increased caution"
        );
        assert_ne!(entries[0]["id"], entries[1]["id"]);
        assert!(
            newest["id"]
                .as_str()
                .unwrap()
                .starts_with("tag:safir.test,")
        );
    }

    let ar = c.get("/travel-advice/LB/feed.atom?lang=ar").await;
    assert_eq!(ar.status, 200);
    well_formed(&ar.body);
    if let Some(feed) = parsed(&ar.body) {
        assert_eq!(feed["language"], "ar");
        assert_eq!(feed["title"], "لبنان — نصائح السفر");
        let entries = feed["entries"].as_array().unwrap();
        assert_eq!(entries[0]["title"], "لبنان — المستوى 3: أعد النظر في السفر");
        let content = entries[0]["content"].as_str().unwrap();
        assert!(content.starts_with(r#"<div dir="rtl">"#), "{content}");
        assert!(content.contains("أعد النظر &lt;في&gt; السفر."), "{content}");
    }

    for missing in ["/travel-advice/FR/feed.atom", "/travel-advice/XX/feed.atom"] {
        assert_eq!(c.get(missing).await.status, 404, "{missing}");
    }
}

#[tokio::test]
async fn the_all_countries_feed_is_valid_atom_even_when_empty() {
    let app = TestApp::sqlite().await;
    let mut c = app.client();
    let empty = c.get("/travel-advice/feed.atom?lang=en").await;
    assert_eq!(empty.status, 200);
    well_formed(&empty.body);
    if let Some(feed) = parsed(&empty.body) {
        assert_eq!(feed["entries"].as_array().unwrap().len(), 0);
        assert!(feed["updated"].is_string());
    }

    publish(&app, "KE", 1, "احتياطات عادية.", "Normal precautions.").await;
    publish(&app, "SD", 3, "أعد النظر.", "Reconsider.").await;
    publish(&app, "SD", 4, "لا تسافر.", "Do not travel.").await;
    let res = c.get("/travel-advice/feed.atom?lang=en").await;
    assert_eq!(res.status, 200);
    well_formed(&res.body);
    if let Some(feed) = parsed(&res.body) {
        assert_eq!(feed["title"], "Travel advice: all countries");
        let titles: Vec<&str> = feed["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["title"].as_str().unwrap())
            .collect();
        assert_eq!(
            titles,
            [
                "Sudan — Level 4: Do not travel",
                "Sudan — Level 3: Reconsider travel",
                "Kenya — Level 1: Exercise normal precautions",
            ]
        );
        // The same version has the same id in both feeds.
        let sudan = c.get("/travel-advice/SD/feed.atom?lang=en").await;
        let sudan = parsed(&sudan.body).unwrap();
        assert_eq!(sudan["entries"][0]["id"], feed["entries"][0]["id"]);
    }
}
