//! The Twiplomacy-style report on a hand-made archive whose every figure is known.

use std::io::Write;
use std::process::{Command, Stdio};

use safir_listen::report::{
    CSV_COLUMNS, ConnectionBasis, Counted, Follow, Interactions, PostCounts, Ranked, Report,
    ReportError, ReportLang, ReportRequest, build_report, parse_follows, read_json, write_csv,
    write_html, write_json,
};
use safir_listen::table::{MessageRow, MessageTable, RowMeta};

use crate::{msg, table_of};

/// 2024-03-01T00:00:00Z.
const DAY0: i64 = 1_709_251_200;
const H: i64 = 3600;
const D: i64 = 86_400;

fn post(id: &str, user: &str, handle: &str, secs: i64, text: &str, meta: RowMeta) -> MessageRow {
    MessageRow {
        username: handle.into(),
        meta,
        ..msg(id, user, secs, text)
    }
}

fn counts(lang: Option<&str>, likes: u32, reposts: u32, replies: Option<u32>) -> RowMeta {
    RowMeta {
        lang: lang.map(str::to_owned),
        likes: Some(likes),
        reposts: Some(reposts),
        replies,
        ..RowMeta::default()
    }
}

/// Two official accounts (`mofa` 1001, `embassy` 1002) and their public, over
/// four days from 2024-03-01, plus one message just after the period.
fn archive() -> MessageTable {
    let mut m1 = post(
        "m1",
        "1001",
        "mofa",
        DAY0 + H,
        "Visa office opens Sunday #Visa #Travel",
        counts(Some("en"), 10, 4, Some(2)),
    );
    m1.meta.followers = Some(5000);
    let m2 = post(
        "m2",
        "1001",
        "mofa",
        DAY0 + D,
        "زيارة رسمية إلى #عمان مع @embassy",
        counts(None, 20, 6, None),
    );
    let mut m3 = post(
        "m3",
        "1001",
        "mofa",
        DAY0 + 2 * D,
        "@embassy thanks for the #visa update",
        counts(Some("en"), 1, 0, Some(0)),
    );
    m3.reply_id = Some("e1".into());
    m3.meta.followers = Some(5200);
    let mut m4 = post("m4", "1001", "mofa", DAY0 + 3 * D, "", RowMeta::default());
    m4.repost_id = Some("e1".into());
    m4.meta.repost_of_username = Some("embassy".into());
    let mut m5 = post(
        "m5",
        "1001",
        "mofa",
        DAY0 + 4 * D,
        "outside the period",
        counts(Some("en"), 1000, 1000, Some(1000)),
    );
    m5.meta.followers = Some(9999);
    // A thread: mofa answering itself is no reply received.
    let mut m6 = post(
        "m6",
        "1001",
        "mofa",
        DAY0 + D + 2 * H,
        "Update: open from 9am",
        RowMeta {
            lang: Some("en-GB".into()),
            ..RowMeta::default()
        },
    );
    m6.reply_id = Some("m1".into());

    let e1 = post(
        "e1",
        "1002",
        "embassy",
        DAY0 + 2 * H,
        "New #Visa rules from today",
        counts(Some("en"), 5, 1, None),
    );
    let e2 = post(
        "e2",
        "1002",
        "embassy",
        DAY0 + D + H,
        "@mofa welcome to Oman <script>alert(1)</script>",
        RowMeta::default(),
    );
    let mut e3 = post(
        "e3",
        "1002",
        "embassy",
        DAY0 + 2 * D,
        "",
        RowMeta::default(),
    );
    e3.repost_id = Some("m2".into());

    let mut c1 = post(
        "c1",
        "2001",
        "citizen_a",
        DAY0 + D + H,
        "شكرا جزيلا على هذا العمل الرائع، أحسنتم",
        RowMeta {
            followers: Some(12),
            ..RowMeta::default()
        },
    );
    c1.reply_id = Some("m2".into());
    let mut c2 = post(
        "c2",
        "2002",
        "critic",
        DAY0 + D + 3 * H,
        "هذا قرار سيء جدا ومخيب للآمال، فشل ذريع",
        RowMeta::default(),
    );
    c2.reply_id = Some("m2".into());
    // A reply to a message the archive does not hold: known by the handle only.
    let mut c3 = post(
        "c3",
        "2003",
        "fan",
        DAY0 + 3 * D,
        "Great job, thank you so much! Wonderful work",
        RowMeta {
            reply_to_username: Some("MOFA".into()),
            ..RowMeta::default()
        },
    );
    c3.reply_id = Some("999".into());
    table_of(&[m1, e1, m2, e2, c1, m6, c2, m3, e3, m4, c3, m5])
}

fn request() -> ReportRequest {
    let mut req = ReportRequest::new(vec![
        "@MOFA".into(),
        "1002".into(),
        "@Citizen_A".into(),
        "ghost".into(),
    ]);
    req.from_ms = Some(DAY0 * 1000);
    req.to_ms = Some((DAY0 + 4 * D) * 1000);
    req
}

fn counted(items: &[(&str, u32)]) -> Vec<Counted> {
    items
        .iter()
        .map(|&(value, count)| Counted {
            value: value.into(),
            count,
        })
        .collect()
}

fn ranked(items: &[(&str, f64)]) -> Vec<Ranked> {
    items
        .iter()
        .map(|&(handle, value)| Ranked {
            handle: handle.into(),
            value,
        })
        .collect()
}

#[test]
fn every_metric_on_a_known_archive() {
    let r = build_report(&archive(), &request()).unwrap();
    assert_eq!(
        (r.from.as_str(), r.to.as_str()),
        ("2024-03-01T00:00:00.000Z", "2024-03-05T00:00:00.000Z")
    );
    assert_eq!(r.days, 4);
    assert_eq!(r.not_found, vec!["ghost".to_owned()]);
    let handles: Vec<&str> = r.accounts.iter().map(|a| a.handle.as_str()).collect();
    assert_eq!(handles, ["mofa", "embassy", "citizen_a"]);

    let mofa = &r.accounts[0];
    assert_eq!(
        (mofa.user_id.as_str(), mofa.requested.as_str()),
        ("1001", "@MOFA")
    );
    // Latest known in the period (m3), not the later m5.
    assert_eq!(mofa.followers, Some(5200));
    assert_eq!(
        mofa.posts,
        PostCounts {
            original: 2,
            reposts: 1,
            replies: 2,
            total: 5
        }
    );
    assert_eq!(mofa.posts_per_day, 1.25);
    assert_eq!((mofa.avg_reposts, mofa.avg_likes), (Some(5.0), Some(15.0)));
    // m1 10+4+2, m2 20+6+2 replies found in the data, m3 1+0+0, m6 nothing.
    assert_eq!(
        mofa.interactions,
        Interactions {
            likes: 31,
            reposts: 10,
            replies: 4,
            total: 45
        }
    );
    assert_eq!(mofa.reply_share, Some(0.5));
    assert_eq!(mofa.languages, counted(&[("en", 3), ("ar", 1)]));
    assert_eq!(
        mofa.hashtags,
        counted(&[("#Visa", 2), ("#Travel", 1), ("#عمان", 1)])
    );
    let top: Vec<(&str, u64)> = mofa
        .top_posts
        .iter()
        .map(|p| (p.id.as_str(), p.interactions))
        .collect();
    assert_eq!(top, [("m2", 28), ("m1", 16), ("m3", 1)]);
    assert_eq!(mofa.top_posts[0].time, "2024-03-02T00:00:00.000Z");
    // c1 (Arabic, positive), c2 (Arabic, negative), c3 (by handle, positive); not m6.
    let s = mofa.reply_sentiment;
    assert_eq!((s.replies, s.positive, s.neutral, s.negative), (3, 2, 0, 1));
    assert_eq!(mofa.connections, ["embassy"]);
    assert_eq!(mofa.activity, [1, 2, 1, 1]);

    let embassy = &r.accounts[1];
    assert_eq!(embassy.requested, "1002");
    assert_eq!(embassy.followers, None);
    assert_eq!(
        embassy.posts,
        PostCounts {
            original: 2,
            reposts: 1,
            replies: 0,
            total: 3
        }
    );
    assert_eq!(embassy.posts_per_day, 0.75);
    // Only e1 has counts.
    assert_eq!(
        (embassy.avg_reposts, embassy.avg_likes),
        (Some(1.0), Some(5.0))
    );
    // e1: 5 likes, 1 repost, and mofa's reply m3 found in the data.
    assert_eq!(
        embassy.interactions,
        Interactions {
            likes: 5,
            reposts: 1,
            replies: 1,
            total: 7
        }
    );
    assert_eq!(embassy.reply_share, Some(0.0));
    assert_eq!(embassy.languages, counted(&[("en", 2)]));
    assert_eq!(embassy.reply_sentiment.replies, 1);
    // Mutual: mofa mentioned, replied to and reposted embassy; embassy mentioned and reposted mofa.
    assert_eq!(embassy.connections, ["mofa"]);

    let citizen = &r.accounts[2];
    assert_eq!(citizen.followers, Some(12));
    assert_eq!((citizen.posts.replies, citizen.posts.total), (1, 1));
    assert_eq!((citizen.avg_reposts, citizen.avg_likes), (None, None));
    assert_eq!(citizen.reply_share, Some(1.0));
    // citizen_a replied to mofa, mofa never answered: not mutual.
    assert!(citizen.connections.is_empty());

    assert_eq!(r.connections_from, ConnectionBasis::MutualMentionsReposts);
    let k = &r.rankings;
    assert_eq!(
        k.most_followed,
        ranked(&[("mofa", 5200.0), ("citizen_a", 12.0)])
    );
    assert_eq!(k.most_effective, ranked(&[("mofa", 5.0), ("embassy", 1.0)]));
    assert_eq!(
        k.most_interactions,
        ranked(&[("mofa", 45.0), ("embassy", 7.0), ("citizen_a", 0.0)])
    );
    assert_eq!(
        k.most_conversational,
        ranked(&[("citizen_a", 1.0), ("mofa", 0.5), ("embassy", 0.0)])
    );
    assert_eq!(
        k.best_connected,
        ranked(&[("embassy", 1.0), ("mofa", 1.0), ("citizen_a", 0.0)])
    );
}

#[test]
fn the_whole_table_is_the_default_period() {
    let mut req = request();
    (req.from_ms, req.to_ms) = (None, None);
    let r = build_report(&archive(), &req).unwrap();
    // Whole days: m1 on March 1st to m5 at midnight starting March 5th.
    assert_eq!(r.from, "2024-03-01T00:00:00.000Z");
    assert_eq!(r.to, "2024-03-06T00:00:00.000Z");
    assert_eq!(r.days, 5);
    let mofa = &r.accounts[0];
    assert_eq!(mofa.posts.total, 6);
    assert_eq!(mofa.posts_per_day, 1.2);
    assert_eq!(mofa.followers, Some(9999));
    // Activity buckets are calendar days (UTC), the first from midnight.
    assert_eq!(r.buckets.start, "2024-03-01T00:00:00.000Z");
    assert_eq!((r.buckets.days_per_bucket, r.buckets.count), (1, 5));
    assert_eq!(mofa.activity, [1, 2, 1, 1, 1]);
}

#[test]
fn long_periods_are_charted_in_wider_buckets() {
    let t = table_of(&[
        msg("a", "u", DAY0, "first"),
        msg("b", "u", DAY0 + 299 * D, "last"),
    ]);
    let r = build_report(&t, &ReportRequest::new(vec!["u".into()])).unwrap();
    assert_eq!(r.days, 300);
    assert_eq!((r.buckets.days_per_bucket, r.buckets.count), (3, 100));
    assert_eq!(r.accounts[0].activity.iter().sum::<u32>(), 2);
    assert_eq!(r.accounts[0].activity[99], 1);
    assert_eq!(r.accounts[0].posts_per_day, 0.0067);
    let mut html = Vec::new();
    write_html(&mut html, &r).unwrap();
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains("Posts (3 days)"));
    assert!(!html.contains("NaN"));
}

#[test]
fn a_follows_list_decides_the_connections() {
    let follows = parse_follows(
        "follower,followed\nmofa,citizen_a\n@Citizen_A,MOFA\n1002,mofa\n\nghost,mofa\n",
    )
    .unwrap();
    assert_eq!(follows.len(), 4);
    assert_eq!(
        follows[0],
        Follow {
            follower: "mofa".into(),
            followed: "citizen_a".into()
        }
    );
    let mut req = request();
    req.follows = Some(follows);
    let r = build_report(&archive(), &req).unwrap();
    assert_eq!(r.connections_from, ConnectionBasis::MutualFollows);
    assert_eq!(r.accounts[0].connections, ["citizen_a"]);
    assert!(r.accounts[1].connections.is_empty());
    assert_eq!(r.accounts[2].connections, ["mofa"]);

    let err = parse_follows("follower,followed\na,b\na,b,c\n").unwrap_err();
    assert!(matches!(err, ReportError::Follows { line: 3, .. }), "{err}");
    assert!(err.to_string().contains("expected 2 columns"));
}

#[test]
fn a_follows_list_saved_with_a_byte_order_mark_keeps_its_first_follow() {
    // The csv reader skips a leading mark; this holds it to that (a reader that kept it
    // would make the first follower `\u{feff}mofa`, matching no account).
    let without_header = parse_follows("\u{feff}mofa,citizen_a\r\ncitizen_a,mofa\r\n").unwrap();
    assert_eq!(
        without_header[0],
        Follow {
            follower: "mofa".into(),
            followed: "citizen_a".into()
        }
    );
    let mut req = request();
    req.follows = Some(without_header);
    let r = build_report(&archive(), &req).unwrap();
    assert_eq!(r.accounts[0].connections, ["citizen_a"]);

    // The header line after the mark is still a header, not a follow.
    let with_header = parse_follows("\u{feff}follower,followed\nmofa,citizen_a\n").unwrap();
    assert_eq!(with_header.len(), 1);
    assert_eq!(with_header[0].follower, "mofa");
}

#[test]
fn accounts_not_in_the_data_and_empty_periods_are_errors() {
    let t = archive();
    let err = build_report(
        &t,
        &ReportRequest::new(vec!["ghost".into(), "@nobody".into()]),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "none of the accounts is in the data: ghost, @nobody"
    );
    assert!(matches!(
        build_report(&t, &ReportRequest::new(vec![" ".into()])),
        Err(ReportError::NoAccounts)
    ));
    let mut req = request();
    req.to_ms = req.from_ms;
    assert!(matches!(
        build_report(&t, &req),
        Err(ReportError::EmptyPeriod { .. })
    ));
}

fn html_of(lang: ReportLang) -> String {
    let mut req = request();
    req.lang = lang;
    let r = build_report(&archive(), &req).unwrap();
    let mut out = Vec::new();
    write_html(&mut out, &r).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn html_escapes_the_data_and_carries_three_charts() {
    let html = html_of(ReportLang::En);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\">"));
    assert!(!html.contains("<script"), "a post's markup leaked");
    assert!(html.contains("welcome to Oman &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_eq!(html.matches("<svg").count(), 3);
    assert!(html.contains("<polyline"), "no activity lines");
    assert!(html.matches("<rect").count() > 6, "no bars");
    assert!(html.contains("Most conversational"));
    assert!(html.contains("<bdi>ghost</bdi>"));
    // Times are UTC, and say so: the period's end and each top post's time.
    assert!(html.contains(" UTC</bdi> ("), "the period names no zone");
    let post_times = html.matches(" UTC</bdi> · ").count();
    assert!(post_times > 0 && post_times == html.matches("class=\"post\"").count());
    // Nothing is fetched: no external stylesheet, script or image.
    assert!(!html.contains("<link") && !html.contains("src="));
    assert!(!html.contains("NaN"));
}

#[test]
fn arabic_report_is_right_to_left_with_arabic_labels() {
    let html = html_of(ReportLang::Ar);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"ar\" dir=\"rtl\">"));
    for label in [
        "الأكثر متابَعة",
        "الأكثر حوارًا (نسبة الردود)",
        "اتجاه الردود الواردة",
        "المنشورات في اليوم",
    ] {
        assert!(html.contains(label), "{label}");
    }
    assert!(!html.contains("Most followed"));
    assert_eq!(html.matches("<svg").count(), 3);
}

/// Runs `program args` with `input` on stdin; `None` when it cannot be started.
fn run(program: &str, args: &[&str], input: &str) -> Option<(bool, String)> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
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
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

/// Whether `SAFIR_TEST_REQUIRE` (comma-separated tool names) makes `tool` mandatory.
fn required(tool: &str) -> bool {
    std::env::var("SAFIR_TEST_REQUIRE").is_ok_and(|v| v.split(',').any(|t| t.trim() == tool))
}

#[test]
fn the_page_parses_as_xml_and_as_html() {
    let available = Command::new("xmllint")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !available {
        assert!(
            !required("xmllint"),
            "SAFIR_TEST_REQUIRE includes xmllint but it is not installed"
        );
        eprintln!("skipping the xmllint check: it is not installed");
        return;
    }
    for lang in [ReportLang::En, ReportLang::Ar] {
        let html = html_of(lang);
        let (ok, err) = run("xmllint", &["--noout", "-"], &html).unwrap();
        assert!(ok, "not well-formed: {err}");
        // libxml2's HTML parser knows HTML 4 only: it names HTML 5 and SVG
        // elements as unknown tags, and must find nothing else wrong.
        let (_, err) = run("xmllint", &["--html", "--noout", "-"], &html).unwrap();
        let other: Vec<&str> = err
            .lines()
            .filter(|l| l.contains("error") && !(l.contains(": Tag ") && l.ends_with(" invalid")))
            .collect();
        assert!(other.is_empty(), "{other:?}");
    }
}

/// Whether XML 1.0 allows `c` in a document at all, escaped or not.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
}

#[test]
fn control_characters_in_the_data_leave_the_page_well_formed() {
    let rows = [post(
        "p1",
        "7",
        "emb\u{8}assy",
        DAY0 + H,
        "a\u{b}b \u{FFFE}visa",
        counts(Some("en"), 3, 1, Some(0)),
    )];
    let r = build_report(&table_of(&rows), &ReportRequest::new(vec!["7".into()])).unwrap();
    let mut out = Vec::new();
    write_html(&mut out, &r).unwrap();
    let html = String::from_utf8(out).unwrap();
    let forbidden: Vec<char> = html.chars().filter(|&c| !xml_char(c)).collect();
    assert!(forbidden.is_empty(), "{forbidden:?}");
    assert!(html.contains("<p dir=\"auto\">ab visa</p>"));
    assert!(html.contains("<bdi>embassy</bdi>"));
    if let Some((ok, err)) = run("xmllint", &["--noout", "-"], &html) {
        assert!(ok, "not well-formed: {err}");
    }
}

#[test]
fn json_round_trips_and_csv_has_one_row_per_account() {
    let r = build_report(&archive(), &request()).unwrap();
    let mut json = Vec::new();
    write_json(&mut json, &r).unwrap();
    let back: Report = read_json(&mut json.as_slice()).unwrap();
    assert_eq!(back, r);
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(value["accounts"][0]["avg_reposts"], 5.0);
    assert_eq!(value["accounts"][1]["followers"], serde_json::Value::Null);
    assert_eq!(value["connections_from"], "mutual_mentions_reposts");
    assert_eq!(value["lang"], "en");

    let mut csv = Vec::new();
    write_csv(&mut csv, &r).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, CSV_COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let cell = |row: usize, name: &str| {
        let i = CSV_COLUMNS.iter().position(|c| *c == name).unwrap();
        rows[row][i].to_owned()
    };
    assert_eq!(cell(0, "handle"), "mofa");
    assert_eq!(cell(0, "interactions"), "45");
    assert_eq!(cell(0, "languages"), "en:3 ar:1");
    assert_eq!(cell(0, "reply_share"), "0.5");
    assert_eq!(cell(0, "top_post_ids"), "m2 m1 m3");
    assert_eq!(cell(1, "followers"), "");
    assert_eq!(cell(1, "avg_reposts_per_post"), "1");
    assert_eq!(cell(2, "avg_likes_per_post"), "");
}

#[test]
fn csv_opens_in_a_spreadsheet_as_written() {
    let r = build_report(&archive(), &request()).unwrap();
    let mut csv = Vec::new();
    write_csv(&mut csv, &r).unwrap();
    // UTF-8 with a byte-order mark, so that the Arabic hashtag is not garbled.
    assert!(csv.starts_with("\u{feff}handle,".as_bytes()));
    let text = String::from_utf8(csv).unwrap();
    assert!(text.contains("#عمان:1"), "{text}");
    // The requested `@MOFA` is shown as written, not run as a formula.
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let i = CSV_COLUMNS.iter().position(|c| *c == "requested").unwrap();
    let requested: Vec<String> = reader
        .records()
        .map(|row| row.unwrap()[i].to_owned())
        .collect();
    assert_eq!(requested, ["'@MOFA", "1002", "'@Citizen_A"]);
    for line in text.lines() {
        for cell in line.split(',') {
            assert!(!cell.starts_with(['=', '+', '@']), "{line}");
        }
    }
}

#[test]
fn replies_and_mentions_credit_the_fediverse_account_they_name() {
    let reply = |id: &str, user: &str, handle: &str, to: &str, to_handle: &str| MessageRow {
        reply_id: Some(to.into()),
        meta: RowMeta {
            reply_to_username: Some(to_handle.into()),
            ..RowMeta::default()
        },
        ..post(
            id,
            user,
            handle,
            DAY0 + 2 * H,
            "Thank you",
            RowMeta::default(),
        )
    };
    let rows = [
        post(
            "s1",
            "3001",
            "press@embassy.example",
            DAY0,
            "Thanks @citizen_a",
            RowMeta::default(),
        ),
        post(
            "w1",
            "3003",
            "embassy@social.example",
            DAY0,
            "Welcome @citizen_a",
            RowMeta::default(),
        ),
        // A local `press` posts too: `@press` is that account, not the embassy's press office.
        post(
            "p1",
            "3002",
            "press",
            DAY0 + H,
            "Local news",
            RowMeta::default(),
        ),
        post(
            "c1",
            "2001",
            "citizen_a",
            DAY0 + H,
            "@press great article, thanks @embassy",
            RowMeta::default(),
        ),
        // The message replied to is in the table: its author is the one replied to,
        // whatever handle the reply declares.
        reply("c2", "2002", "critic", "p1", "press@embassy.example"),
        // Not in the table: the declared handle says who.
        reply("c3", "2003", "fan", "gone", "press@embassy.example"),
        reply("c4", "2004", "reader", "gone", "press"),
    ];
    let mut req = ReportRequest::new(vec![
        "press@embassy.example".into(),
        "citizen_a".into(),
        "embassy@social.example".into(),
    ]);
    req.from_ms = Some(DAY0 * 1000);
    req.to_ms = Some((DAY0 + D) * 1000);
    let r = build_report(&table_of(&rows), &req).unwrap();
    let account = |handle: &str| r.accounts.iter().find(|a| a.handle == handle).unwrap();
    let press = account("press@embassy.example");
    assert_eq!(
        press.reply_sentiment.replies, 1,
        "only the reply to a message not held"
    );
    assert_eq!(press.connections, Vec::<String>::new());
    // `@embassy`: no local `embassy` posted, so it names embassy@social.example.
    assert_eq!(account("citizen_a").connections, ["embassy@social.example"]);
}

#[test]
fn a_period_not_at_midnight_utc_shows_its_times() {
    let period_of = |from: i64, to: i64| {
        let mut req = request();
        req.from_ms = Some(from * 1000);
        req.to_ms = Some(to * 1000);
        let r = build_report(&archive(), &req).unwrap();
        let mut out = Vec::new();
        write_html(&mut out, &r).unwrap();
        let html = String::from_utf8(out).unwrap();
        let start = html.find("<p>Period: ").unwrap();
        let end = start + html[start..].find("</p>").unwrap();
        html[start + "<p>Period: ".len()..end].to_owned()
    };
    // Whole days: the last day is the one before the exclusive end.
    assert_eq!(
        period_of(DAY0, DAY0 + 4 * D),
        "<bdi>2024-03-01</bdi> – <bdi>2024-03-04 UTC</bdi> (4 days)"
    );
    // --from 2024-03-01T00:00:00+03:00 --to 2024-04-01T00:00:00+03:00.
    assert_eq!(
        period_of(DAY0 - 3 * H, DAY0 + 31 * D - 3 * H),
        "<bdi>2024-02-29 21:00 UTC</bdi> – <bdi>2024-03-31 20:59 UTC</bdi> (31 days)"
    );
    // One end at midnight is not enough to read the period as whole days.
    assert_eq!(
        period_of(DAY0, DAY0 + 3 * D + 12 * H),
        "<bdi>2024-03-01 00:00 UTC</bdi> – <bdi>2024-03-04 11:59 UTC</bdi> (4 days)"
    );
}
