//! Every input format on small, realistic files, and bad input.

use safir_listen::import::{ImportError, ImportOptions, InputFormat, ProblemKind, import_bytes};
use safir_listen::table::MessageTable;
use safir_listen::time::snowflake_ms;

fn import(content: &str) -> (MessageTable, safir_listen::ImportReport) {
    let mut table = MessageTable::new();
    let report = import_bytes(
        &mut table,
        "in",
        content.as_bytes(),
        &ImportOptions::default(),
    )
    .unwrap();
    (table, report)
}

#[test]
fn cnt_csv_with_quoted_text_and_space_separated_urls() {
    let csv = "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n\
               1,10,alice,,,\"hello, world\",1700000000,https://a.example https://b.example\n\
               2,11,bob,1,,RT hello,1700000005,\n\
               3,12,carol,,1,\"multi\nline\",1700000009,\n";
    let (t, r) = import(csv);
    assert_eq!((r.format, r.added), (InputFormat::CntCsv, 3));
    assert_eq!(t.text(0), "hello, world");
    assert_eq!(t.url_ids(0).len(), 2);
    assert!(t.url_ids(1).is_empty());
    assert_eq!(t.row(1).repost_id.as_deref(), Some("1"));
    assert_eq!(t.row(2).reply_id.as_deref(), Some("1"));
    assert_eq!(t.timestamp_ms[2], 1_700_000_009_000);
}

#[test]
fn twarc2_pages_and_flattened_lines() {
    let page = r#"{"data":[{"id":"1460323737035677698","author_id":"7","text":"hi https://t.co/x","entities":{"urls":[{"url":"https://t.co/x","expanded_url":"https://example.org/a"}]}},{"id":"1460323737035677699","author_id":"8","text":"RT @u: hi","referenced_tweets":[{"type":"retweeted","id":"1460323737035677698"}]}],"includes":{"users":[{"id":"7","username":"seven"},{"id":"8","username":"eight"}]},"meta":{}}"#;
    let flat = r#"{"id":"1460323737035677700","author_id":"9","author":{"id":"9","username":"nine"},"text":"@seven yes","referenced_tweets":[{"type":"replied_to","id":"1460323737035677698"}],"created_at":"2021-11-15T19:08:05.000Z"}"#;
    let (t, r) = import(&format!("{page}\n{flat}\n"));
    assert_eq!((r.format, r.added), (InputFormat::TwitterV2, 3));
    assert_eq!(t.usernames.resolve(t.username[0]), "seven");
    assert_eq!(t.urls.resolve(t.url_ids(0)[0]), "https://example.org/a");
    assert!(t.is_repost(1) && t.url_ids(1).is_empty());
    assert_eq!(t.row(2).reply_id.as_deref(), Some("1460323737035677698"));
    assert_eq!(t.usernames.resolve(t.username[2]), "nine");
    assert_eq!(t.timestamp_ms[0], snowflake_ms(1_460_323_737_035_677_698));
}

#[test]
fn twitter_v1_extended_tweets_and_retweets() {
    let a = r#"{"id":1460323737035677698,"id_str":"1460323737035677698","user":{"id_str":"7","screen_name":"seven"},"text":"short…","extended_tweet":{"full_text":"the long text","entities":{"urls":[{"expanded_url":"https://example.org/long"}]}},"entities":{"urls":[]}}"#;
    let b = r#"{"id_str":"1460323737035677699","user":{"id_str":"8","screen_name":"eight"},"text":"RT @seven: the long","retweeted_status":{"id_str":"1460323737035677698"},"entities":{"urls":[]}}"#;
    let (t, r) = import(&format!("{a}\n{b}\n"));
    assert_eq!((r.format, r.added), (InputFormat::TwitterV1, 2));
    assert_eq!(t.text(0), "the long text");
    assert_eq!(t.url_ids(0).len(), 1);
    assert_eq!(t.row(1).repost_id.as_deref(), Some("1460323737035677698"));
}

#[test]
fn mastodon_statuses_and_boosts() {
    let json = r#"[{"id":"111","created_at":"2024-03-01T12:00:00.000Z","in_reply_to_id":null,"account":{"id":"42","acct":"embassy@social.example"},"content":"<p>Visa office closed <a href=\"https://gov.example/notice\">gov.example/notice</a></p>","reblog":null},
{"id":"112","created_at":"2024-03-01T12:00:05.000Z","account":{"id":"43","acct":"fan"},"content":"","reblog":{"id":"111","content":"<p>Visa office closed</p>"}}]"#;
    let (t, r) = import(json);
    assert_eq!((r.format, r.added), (InputFormat::Mastodon, 2));
    assert_eq!(t.text(0), "Visa office closed gov.example/notice");
    assert_eq!(
        t.urls.resolve(t.url_ids(0)[0]),
        "https://gov.example/notice"
    );
    assert_eq!(t.row(1).repost_id.as_deref(), Some("111"));
    assert_eq!(t.usernames.resolve(t.username[0]), "embassy@social.example");
}

#[test]
fn activitypub_outbox_with_create_and_announce() {
    let json = r#"{"@context":"https://www.w3.org/ns/activitystreams","type":"OrderedCollection","orderedItems":[
{"type":"Create","actor":"https://m.example/users/a","object":{"type":"Note","id":"https://m.example/n/1","attributedTo":"https://m.example/users/a","content":"<p>مرحبا</p>","published":"2024-03-01T12:00:00Z","inReplyTo":"https://o.example/n/9"}},
{"type":"Announce","id":"https://m.example/a/2","actor":"https://m.example/users/a","object":"https://o.example/n/9","published":"2024-03-01T12:01:00Z"}]}"#;
    let (t, r) = import(json);
    assert_eq!((r.format, r.added), (InputFormat::ActivityPub, 2));
    assert_eq!(t.text(0), "مرحبا");
    assert_eq!(t.row(0).reply_id.as_deref(), Some("https://o.example/n/9"));
    assert_eq!(t.row(1).repost_id.as_deref(), Some("https://o.example/n/9"));
}

#[test]
fn rss_and_atom_feeds() {
    let rss = r#"<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Ministry</title><link>https://mofa.example/</link>
<item><title>Travel advice &amp; alerts</title><link>https://mofa.example/a</link><guid>a-1</guid><description><![CDATA[<p>Updated <b>today</b></p>]]></description><pubDate>Fri, 01 Mar 2024 12:00:00 GMT</pubDate><dc:creator>Press office</dc:creator></item>
<item><title>Second</title><link>https://mofa.example/b</link><pubDate>Fri, 01 Mar 2024 13:00:00 GMT</pubDate></item></channel></rss>"#;
    let (t, r) = import(rss);
    assert_eq!(
        (r.format, r.added),
        (InputFormat::Rss, 2),
        "{:?}",
        r.problems
    );
    assert_eq!(t.text(0), "Travel advice & alerts\nUpdated today");
    assert_eq!(t.user_id(0), "Press office");
    assert_eq!(t.user_id(1), "https://mofa.example/");
    assert_eq!(t.message_id(1), "https://mofa.example/b");
    assert_eq!(t.timestamp_ms[0], 1_709_294_400_000);

    let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>News</title><author><name>Desk</name></author>
<entry><id>urn:1</id><title>Hello</title><link rel="alternate" href="https://n.example/1"/><link rel="edit" href="https://n.example/edit/1"/><published>2024-03-01T12:00:00Z</published><summary>Short</summary></entry></feed>"#;
    let (t, r) = import(atom);
    assert_eq!(
        (r.format, r.added),
        (InputFormat::Atom, 1),
        "{:?}",
        r.problems
    );
    assert_eq!(
        (t.message_id(0), t.user_id(0), t.text(0)),
        ("urn:1", "Desk", "Hello\nShort")
    );
    assert_eq!(t.urls.resolve(t.url_ids(0)[0]), "https://n.example/1");
}

#[test]
fn generic_csv_and_jsonl_with_named_fields() {
    let csv = "text,id,user_id,created_at,urls\nhello,1,u,2024-03-01T12:00:00Z,https://x.example\n";
    let (t, r) = import(csv);
    assert_eq!((r.format, r.added), (InputFormat::GenericCsv, 1));
    assert_eq!((t.text(0), t.timestamp_ms[0]), ("hello", 1_709_294_400_000));
    let jsonl = "{\"id\":1,\"user_id\":\"u\",\"text\":\"x\",\"timestamp\":1709294400123,\"urls\":[\"https://y.example\"]}\n";
    let (t, r) = import(jsonl);
    assert_eq!((r.format, r.added), (InputFormat::GenericJsonl, 1));
    assert_eq!(
        (t.message_id(0), t.timestamp_ms[0]),
        ("1", 1_709_294_400_123)
    );
}

#[test]
fn reimporting_adds_nothing() {
    let csv = "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n1,u,u,,,x,5,\n1,v,v,,,y,6,\n";
    let mut table = MessageTable::new();
    let opts = ImportOptions::default();
    let first = import_bytes(&mut table, "a", csv.as_bytes(), &opts).unwrap();
    assert_eq!((first.added, first.duplicates), (1, 1));
    let again = import_bytes(&mut table, "a", csv.as_bytes(), &opts).unwrap();
    assert_eq!((again.added, again.duplicates, table.len()), (0, 2, 1));
    assert_eq!(table.user_id(0), "u");
}

#[test]
fn bad_records_are_counted_and_located_and_good_ones_kept() {
    let mut bytes = b"message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n\
                      1,u,u,,,ok,5,\n\
                      2,u,u,,,short row\n\
                      3,u,u,,,when?,next tuesday,\n\
                      4,,u,,,no user,5,\n\
                      5,u,u,,,"
        .to_vec();
    bytes.extend_from_slice(b"\xff\xfe,7,\n6,u,u,,,fine,8,\n");
    let mut table = MessageTable::new();
    let r = import_bytes(&mut table, "bad.csv", &bytes, &ImportOptions::default()).unwrap();
    assert_eq!(r.added, 2);
    let found: Vec<(u64, ProblemKind)> = r.problems.iter().map(|p| (p.line, p.kind)).collect();
    assert_eq!(
        found,
        vec![
            (3, ProblemKind::WrongColumnCount),
            (4, ProblemKind::BadTimestamp),
            (5, ProblemKind::MissingField),
            (6, ProblemKind::InvalidUtf8),
        ]
    );
    assert!(r.problems[0].to_string().contains("bad.csv:3"));
    assert!(r.problems[0].message.contains("expected 8 columns"));
    assert_eq!(r.problems[1].field.as_deref(), Some("timestamp"));

    let strict = ImportOptions {
        strict: true,
        ..ImportOptions::default()
    };
    let err = import_bytes(&mut MessageTable::new(), "bad.csv", &bytes, &strict).unwrap_err();
    assert!(matches!(err, ImportError::Strict(p) if p.line == 3));
}

#[test]
fn truncated_json_lines_and_empty_files() {
    let good = r#"{"id":"1","user_id":"u","text":"x","timestamp":5}"#;
    let (t, r) = import(&format!("{good}\n{{\"id\":\"2\",\"user_id\n{good}\n"));
    assert_eq!(t.len(), 1);
    assert_eq!(
        (r.duplicates, r.problem_counts()),
        (1, vec![(ProblemKind::MalformedJson, 1)])
    );
    assert_eq!(r.problems[0].line, 2);

    let (t, r) = import("  \n");
    assert!(t.is_empty());
    assert_eq!(r.problems[0].kind, ProblemKind::EmptyFile);

    let mut table = MessageTable::new();
    let unknown = import_bytes(
        &mut table,
        "x.txt",
        b"just words\n",
        &ImportOptions::default(),
    );
    assert!(matches!(unknown, Err(ImportError::UnknownFormat { .. })));
}
