//! Every input format on small, realistic files, and bad input.

use safir_listen::import::{ImportError, ImportOptions, InputFormat, ProblemKind, import_bytes};
use safir_listen::table::{MessageTable, RowMeta};
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
    let page = r#"{"data":[{"id":"1460323737035677698","author_id":"7","lang":"en","public_metrics":{"like_count":12,"retweet_count":3,"reply_count":2,"quote_count":0},"text":"hi https://t.co/x","entities":{"urls":[{"url":"https://t.co/x","expanded_url":"https://example.org/a"}]}},{"id":"1460323737035677699","author_id":"8","lang":"en","public_metrics":{"like_count":0,"retweet_count":3,"reply_count":0},"text":"RT @seven: hi","referenced_tweets":[{"type":"retweeted","id":"1460323737035677698"}]},{"id":"1460323737035677701","author_id":"8","lang":"qme","text":"@seven 👍","in_reply_to_user_id":"7","referenced_tweets":[{"type":"replied_to","id":"1460323737035670000"}]}],"includes":{"users":[{"id":"7","username":"seven","public_metrics":{"followers_count":5000}},{"id":"8","username":"eight"}],"tweets":[{"id":"1460323737035677698","author_id":"7","text":"hi"}]},"meta":{}}"#;
    let flat = r#"{"id":"1460323737035677700","author_id":"9","author":{"id":"9","username":"nine","public_metrics":{"followers_count":77}},"lang":"ar","public_metrics":{"like_count":1,"retweet_count":0,"reply_count":0},"text":"@seven yes","referenced_tweets":[{"type":"replied_to","id":"1460323737035677698","author_id":"7","author":{"id":"7","username":"seven"}}],"created_at":"2021-11-15T19:08:05.000Z"}"#;
    let (t, r) = import(&format!("{page}\n{flat}\n"));
    assert_eq!((r.format, r.added), (InputFormat::TwitterV2, 4));
    assert_eq!(t.usernames.resolve(t.username[0]), "seven");
    assert_eq!(t.urls.resolve(t.url_ids(0)[0]), "https://example.org/a");
    assert!(t.is_repost(1) && t.url_ids(1).is_empty());
    assert_eq!(t.row(3).reply_id.as_deref(), Some("1460323737035677698"));
    assert_eq!(t.usernames.resolve(t.username[3]), "nine");
    assert_eq!(t.timestamp_ms[0], snowflake_ms(1_460_323_737_035_677_698));

    // Counts, language and followers of an original tweet from a raw page.
    assert_eq!(
        t.meta(0),
        RowMeta {
            lang: Some("en".into()),
            likes: Some(12),
            reposts: Some(3),
            replies: Some(2),
            followers: Some(5000),
            ..RowMeta::default()
        }
    );
    // A retweet: its author through `includes.tweets`; the counts the API gives it
    // are the original's, so they stay unknown.
    let m = t.meta(1);
    assert_eq!(m.repost_of_username.as_deref(), Some("seven"));
    assert_eq!((m.likes, m.reposts, m.followers), (None, None, None));
    // A reply to a tweet not in the page: the handle through `in_reply_to_user_id`;
    // a hashtag/emoji-only language tag means nothing.
    let m = t.meta(2);
    assert_eq!(m.reply_to_username.as_deref(), Some("seven"));
    assert_eq!(m.lang, None);
    // A flattened line: the author's followers and the expanded replied-to author.
    assert_eq!(
        t.meta(3),
        RowMeta {
            lang: Some("ar".into()),
            likes: Some(1),
            reposts: Some(0),
            replies: Some(0),
            followers: Some(77),
            reply_to_username: Some("seven".into()),
            ..RowMeta::default()
        }
    );
}

#[test]
fn twitter_v1_extended_tweets_and_retweets() {
    let a = r#"{"id":1460323737035677698,"id_str":"1460323737035677698","lang":"en","favorite_count":40,"retweet_count":9,"user":{"id_str":"7","screen_name":"seven","followers_count":123456},"text":"short…","extended_tweet":{"full_text":"the long text","entities":{"urls":[{"expanded_url":"https://example.org/long"}]}},"entities":{"urls":[]}}"#;
    let b = r#"{"id_str":"1460323737035677699","lang":"en","favorite_count":0,"retweet_count":9,"user":{"id_str":"8","screen_name":"eight","followers_count":3},"text":"RT @seven: the long","retweeted_status":{"id_str":"1460323737035677698","user":{"id_str":"7","screen_name":"seven"}},"entities":{"urls":[]}}"#;
    let c = r#"{"id_str":"1460323737035677700","lang":"und","favorite_count":1,"retweet_count":0,"reply_count":0,"in_reply_to_status_id_str":"1460323737035677698","in_reply_to_screen_name":"seven","user":{"id_str":"8","screen_name":"eight","followers_count":4},"text":"@seven 👍","entities":{"urls":[]}}"#;
    let (t, r) = import(&format!("{a}\n{b}\n{c}\n"));
    assert_eq!((r.format, r.added), (InputFormat::TwitterV1, 3));
    assert_eq!(t.text(0), "the long text");
    assert_eq!(t.url_ids(0).len(), 1);
    assert_eq!(t.row(1).repost_id.as_deref(), Some("1460323737035677698"));

    assert_eq!(
        t.meta(0),
        RowMeta {
            lang: Some("en".into()),
            likes: Some(40),
            reposts: Some(9),
            followers: Some(123_456),
            ..RowMeta::default()
        }
    );
    assert_eq!(
        t.meta(1),
        RowMeta {
            lang: Some("en".into()),
            followers: Some(3),
            repost_of_username: Some("seven".into()),
            ..RowMeta::default()
        }
    );
    assert_eq!(
        t.meta(2),
        RowMeta {
            likes: Some(1),
            reposts: Some(0),
            replies: Some(0),
            followers: Some(4),
            reply_to_username: Some("seven".into()),
            ..RowMeta::default()
        }
    );
}

#[test]
fn mastodon_statuses_and_boosts() {
    let json = r#"[{"id":"111","created_at":"2024-03-01T12:00:00.000Z","in_reply_to_id":null,"language":"en","favourites_count":5,"reblogs_count":2,"replies_count":1,"account":{"id":"42","acct":"embassy@social.example","followers_count":900},"content":"<p>Visa office closed <a href=\"https://gov.example/notice\">gov.example/notice</a></p>","reblog":null},
{"id":"112","created_at":"2024-03-01T12:00:05.000Z","language":null,"account":{"id":"43","acct":"fan","followers_count":10},"content":"","reblog":{"id":"111","language":"en","content":"<p>Visa office closed</p>","account":{"id":"42","acct":"embassy@social.example"}}},
{"id":"113","created_at":"2024-03-01T12:01:00.000Z","in_reply_to_id":"111","in_reply_to_account_id":"42","language":"ar","favourites_count":0,"reblogs_count":0,"replies_count":0,"account":{"id":"44","acct":"citizen@other.example"},"mentions":[{"id":"45","acct":"someone"},{"id":"42","acct":"embassy@social.example"}],"content":"<p>شكرا</p>"},
{"id":"114","created_at":"2024-03-01T12:02:00.000Z","in_reply_to_id":"111","in_reply_to_account_id":"42","account":{"id":"42","acct":"embassy@social.example"},"mentions":[],"content":"<p>Update: open Monday</p>"}]"#;
    let (t, r) = import(json);
    assert_eq!((r.format, r.added), (InputFormat::Mastodon, 4));
    assert_eq!(t.text(0), "Visa office closed gov.example/notice");
    assert_eq!(
        t.urls.resolve(t.url_ids(0)[0]),
        "https://gov.example/notice"
    );
    assert_eq!(t.row(1).repost_id.as_deref(), Some("111"));
    assert_eq!(t.usernames.resolve(t.username[0]), "embassy@social.example");

    assert_eq!(
        t.meta(0),
        RowMeta {
            lang: Some("en".into()),
            likes: Some(5),
            reposts: Some(2),
            replies: Some(1),
            followers: Some(900),
            ..RowMeta::default()
        }
    );
    let boost = t.meta(1);
    assert_eq!(
        boost.repost_of_username.as_deref(),
        Some("embassy@social.example")
    );
    assert_eq!(
        (boost.lang.as_deref(), boost.followers),
        (Some("en"), Some(10))
    );
    let reply = t.meta(2);
    assert_eq!(
        reply.reply_to_username.as_deref(),
        Some("embassy@social.example")
    );
    assert_eq!((reply.lang.as_deref(), reply.followers), (Some("ar"), None));
    // A thread: the replied-to account is the author, who is not among the mentions.
    assert_eq!(
        t.meta(3).reply_to_username.as_deref(),
        Some("embassy@social.example")
    );
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
    assert_eq!(t.meta(0).lang, None);
    assert_eq!(t.meta(1), RowMeta::default());

    let note = r#"{"@context":["https://www.w3.org/ns/activitystreams",{"@language":"fr"}],"type":"Note","id":"https://m.example/n/3","attributedTo":"https://m.example/users/a","content":"<p>مرحبا</p>","contentMap":{"ar":"<p>مرحبا</p>","en":"<p>Hello</p>"},"published":"2024-03-01T12:00:00Z"}"#;
    let (t, _) = import(note);
    assert_eq!(t.meta(0).lang.as_deref(), Some("ar"));
    let note = r#"{"@context":["https://www.w3.org/ns/activitystreams",{"@language":"fr"}],"type":"Note","id":"https://m.example/n/4","attributedTo":"https://m.example/users/a","content":"<p>Bonjour</p>","published":"2024-03-01T12:00:00Z"}"#;
    let (t, _) = import(note);
    assert_eq!(t.meta(0).lang.as_deref(), Some("fr"));
}

#[test]
fn rss_and_atom_feeds() {
    let rss = r#"<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Ministry</title><link>https://mofa.example/</link><language>ar</language>
<item><title>Travel advice &amp; alerts</title><link>https://mofa.example/a</link><guid>a-1</guid><description><![CDATA[<p>Updated <b>today</b></p>]]></description><pubDate>Fri, 01 Mar 2024 12:00:00 GMT</pubDate><dc:creator>Press office</dc:creator><dc:language>en</dc:language></item>
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
    assert_eq!(t.meta(0).lang.as_deref(), Some("en"));
    assert_eq!(
        t.meta(1),
        RowMeta {
            lang: Some("ar".into()),
            ..RowMeta::default()
        }
    );

    let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr"><title>News</title><author><name>Desk</name></author>
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
    assert_eq!(t.meta(0).lang.as_deref(), Some("fr"));
}

#[test]
fn a_feed_in_a_legacy_arabic_encoding_is_decoded() {
    // "مرحبا بالعالم" in windows-1256, and "وزارة" in ISO-8859-6, as Arabic news sites
    // still serve them.
    let mut rss = br#"<?xml version="1.0" encoding="windows-1256"?><rss version="2.0"><channel><title>t</title><link>https://n.example/</link><item><title>"#.to_vec();
    rss.extend_from_slice(&[
        0xE3, 0xD1, 0xCD, 0xC8, 0xC7, 0x20, 0xC8, 0xC7, 0xE1, 0xDA, 0xC7, 0xE1, 0xE3,
    ]);
    rss.extend_from_slice(br#"</title><link>https://n.example/1</link><pubDate>Fri, 01 Mar 2024 12:00:00 GMT</pubDate></item></channel></rss>"#);
    let mut table = MessageTable::new();
    let report = import_bytes(&mut table, "in", &rss, &ImportOptions::default()).unwrap();
    assert_eq!(
        (report.added, report.problems.len()),
        (1, 0),
        "{:?}",
        report.problems
    );
    assert_eq!(table.text(0), "مرحبا بالعالم");

    let mut atom = br#"<?xml version='1.0' encoding='ISO-8859-6'?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><author><name>Desk</name></author><entry><id>urn:1</id><title>"#.to_vec();
    atom.extend_from_slice(&[0xE8, 0xD2, 0xC7, 0xD1, 0xC9]);
    atom.extend_from_slice(
        br#"</title><published>2024-03-01T12:00:00Z</published></entry></feed>"#,
    );
    let mut table = MessageTable::new();
    let report = import_bytes(&mut table, "in", &atom, &ImportOptions::default()).unwrap();
    assert_eq!(report.added, 1, "{:?}", report.problems);
    assert_eq!(table.text(0), "وزارة");

    // A byte-order mark says UTF-8, whatever a stale declaration says.
    let mut marked = b"\xEF\xBB\xBF".to_vec();
    marked.extend_from_slice(
        r#"<?xml version="1.0" encoding="windows-1256"?><rss version="2.0"><channel><title>t</title><link>https://n.example/</link><item><title>مرحبا</title><link>https://n.example/3</link><pubDate>Fri, 01 Mar 2024 12:00:00 GMT</pubDate></item></channel></rss>"#.as_bytes(),
    );
    let mut table = MessageTable::new();
    let report = import_bytes(&mut table, "in", &marked, &ImportOptions::default()).unwrap();
    assert_eq!(report.added, 1, "{:?}", report.problems);
    assert_eq!(table.text(0), "مرحبا");

    // An encoding no one knows is said, and the text read as UTF-8.
    let odd = r#"<?xml version="1.0" encoding="x-unknown"?><rss version="2.0"><channel><title>t</title><link>https://n.example/</link><item><title>سلام</title><link>https://n.example/2</link><pubDate>Fri, 01 Mar 2024 12:00:00 GMT</pubDate></item></channel></rss>"#;
    let (t, r) = import(odd);
    assert_eq!(r.added, 1);
    assert_eq!(t.text(0), "سلام");
    assert!(
        r.problems.iter().any(|p| p.message.contains("x-unknown")),
        "{:?}",
        r.problems
    );
}

#[test]
fn generic_csv_and_jsonl_with_named_fields() {
    let csv = "text,id,user_id,created_at,urls\nhello,1,u,2024-03-01T12:00:00Z,https://x.example\n";
    let (t, r) = import(csv);
    assert_eq!((r.format, r.added), (InputFormat::GenericCsv, 1));
    assert_eq!((t.text(0), t.timestamp_ms[0]), ("hello", 1_709_294_400_000));
    assert_eq!(t.meta(0), RowMeta::default());
    let jsonl = "{\"id\":1,\"user_id\":\"u\",\"text\":\"x\",\"timestamp\":1709294400123,\"urls\":[\"https://y.example\"]}\n";
    let (t, r) = import(jsonl);
    assert_eq!((r.format, r.added), (InputFormat::GenericJsonl, 1));
    assert_eq!(
        (t.message_id(0), t.timestamp_ms[0]),
        ("1", 1_709_294_400_123)
    );
}

#[test]
fn generic_csv_and_jsonl_optional_facts() {
    let csv = "id,user_id,username,text,timestamp,lang,likes,reposts,replies,followers,repost_of_username,reply_to_username\n\
               1,u,mofa,hello,1709294400,ar,10,4,2,50000,,\n\
               2,v,fan,,1709294401,,,,,12,mofa,\n\
               3,w,critic,no,1709294402,en,many,1,,,,mofa\n";
    let (t, r) = import(csv);
    assert_eq!(
        (r.format, r.added, r.records),
        (InputFormat::GenericCsv, 3, 3)
    );
    assert_eq!(
        t.meta(0),
        RowMeta {
            lang: Some("ar".into()),
            likes: Some(10),
            reposts: Some(4),
            replies: Some(2),
            followers: Some(50_000),
            ..RowMeta::default()
        }
    );
    assert_eq!(
        t.meta(1),
        RowMeta {
            followers: Some(12),
            repost_of_username: Some("mofa".into()),
            ..RowMeta::default()
        }
    );
    // A bad count is a problem for that line; the row is kept without it.
    assert_eq!(
        t.meta(2),
        RowMeta {
            lang: Some("en".into()),
            reposts: Some(1),
            reply_to_username: Some("mofa".into()),
            ..RowMeta::default()
        }
    );
    assert_eq!(r.problems.len(), 1);
    let p = &r.problems[0];
    assert_eq!(
        (p.line, p.field.as_deref(), p.kind),
        (4, Some("likes"), ProblemKind::BadCount)
    );
    assert!(p.to_string().contains("in:4: field `likes`"), "{p}");

    let jsonl = "{\"id\":\"1\",\"user_id\":\"u\",\"text\":\"x\",\"timestamp\":5,\"lang\":\"fr\",\"likes\":3,\"reposts\":\"4\",\"replies\":0,\"followers\":7,\"reply_to_username\":\"mofa\"}\n\
                 {\"id\":\"2\",\"user_id\":\"u\",\"text\":\"y\",\"timestamp\":6,\"likes\":-1,\"followers\":1.5,\"repost_of_username\":\"mofa\"}\n";
    let (t, r) = import(jsonl);
    assert_eq!(r.added, 2);
    assert_eq!(
        t.meta(0),
        RowMeta {
            lang: Some("fr".into()),
            likes: Some(3),
            reposts: Some(4),
            replies: Some(0),
            followers: Some(7),
            reply_to_username: Some("mofa".into()),
            ..RowMeta::default()
        }
    );
    assert_eq!(
        t.meta(1),
        RowMeta {
            repost_of_username: Some("mofa".into()),
            ..RowMeta::default()
        }
    );
    let found: Vec<(u64, Option<&str>)> = r
        .problems
        .iter()
        .map(|p| (p.line, p.field.as_deref()))
        .collect();
    assert_eq!(found, vec![(2, Some("likes")), (2, Some("followers"))]);

    let strict = ImportOptions {
        strict: true,
        ..ImportOptions::default()
    };
    let err = import_bytes(&mut MessageTable::new(), "s.csv", csv.as_bytes(), &strict).unwrap_err();
    assert!(matches!(err, ImportError::Strict(p) if p.kind == ProblemKind::BadCount));
}

#[test]
fn cnt_csv_carries_no_optional_facts() {
    let csv = "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n1,10,alice,,,hi,1700000000,\n";
    let (t, r) = import(csv);
    assert!(r.problems.is_empty());
    assert_eq!(t.meta(0), RowMeta::default());
}

#[test]
fn cnt_csv_given_explicitly_checks_its_header() {
    let cnt = ImportOptions {
        format: Some(InputFormat::CntCsv),
        ..ImportOptions::default()
    };
    let import_cnt = |content: &str| {
        let mut table = MessageTable::new();
        let report = import_bytes(&mut table, "in.csv", content.as_bytes(), &cnt).unwrap();
        (table, report)
    };

    // The header as detection reads it: any case, spaces around the names, quotes.
    let (t, r) = import_cnt(
        " Message_ID ,USER_ID,username,repost_id,reply_id,\"message\",timestamp,urls\r\n\
         1,10,alice,,,hi,1700000000,\r\n",
    );
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!((t.len(), t.user_id(0)), (1, "10"));

    // Without a header, the first message is not taken for one.
    let (t, r) = import_cnt("1,10,alice,,,hi,1700000000,\n2,11,bob,,,yo,1700000005,\n");
    assert!(t.is_empty());
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    let p = &r.problems[0];
    assert_eq!((p.line, p.kind), (1, ProblemKind::WrongHeader));
    assert!(
        p.message.contains(
            "expected the header message_id,user_id,username,repost_id,reply_id,message,timestamp,urls"
        ),
        "{p}"
    );
    assert!(p.to_string().starts_with("in.csv:1: wrong header: "), "{p}");

    // Columns in another order are not read by position.
    let (t, r) = import_cnt(
        "user_id,message_id,username,repost_id,reply_id,message,timestamp,urls\n\
         10,1,alice,,,hi,1700000000,\n",
    );
    assert!(t.is_empty());
    assert_eq!(r.problems[0].kind, ProblemKind::WrongHeader);
    assert!(
        r.problems[0].message.ends_with(
            "found user_id,message_id,username,repost_id,reply_id,message,timestamp,urls"
        ),
        "{}",
        r.problems[0]
    );

    // --strict stops there.
    let strict = ImportOptions {
        strict: true,
        ..cnt.clone()
    };
    let err = import_bytes(
        &mut MessageTable::new(),
        "in.csv",
        b"1,10,alice,,,hi,1700000000,\n",
        &strict,
    )
    .unwrap_err();
    assert!(
        matches!(err, ImportError::Strict(p) if p.line == 1 && p.kind == ProblemKind::WrongHeader)
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

#[test]
fn a_byte_order_mark_does_not_cost_the_first_record() {
    let (t, r) = import("\u{feff}{\"id\":\"1\",\"user_id\":\"u\",\"timestamp\":5}\n");
    assert_eq!((r.format, r.added), (InputFormat::GenericJsonl, 1));
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(t.message_id(0), "1");

    let array = "\u{feff}[\n  {\n    \"id\": \"1\",\n    \"user_id\": \"u\",\n    \"timestamp\": 5\n  },\n  {\n    \"id\": \"2\",\n    \"user_id\": \"v\",\n    \"timestamp\": 6\n  }\n]\n";
    let (t, r) = import(array);
    assert_eq!(r.added, 2, "{:?}", r.problems);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(t.user_id(1), "v");

    // A file that holds nothing but the mark is empty.
    let (_, r) = import("\u{feff}\n");
    assert_eq!(r.problems[0].kind, ProblemKind::EmptyFile);
}

#[test]
fn generic_jsonl_with_an_author_id_is_not_taken_for_tweets() {
    let line = r#"{"id":"1","author_id":"u","username":"alice","text":"x","timestamp":"2024-03-01T12:00:00Z","repost_id":"9"}"#;
    let (t, r) = import(&format!("{line}\n"));
    assert_eq!((r.format, r.added), (InputFormat::GenericJsonl, 1));
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(t.user_id(0), "u");
    assert_eq!(t.usernames.resolve(t.username[0]), "alice");
    assert_eq!(t.row(0).repost_id.as_deref(), Some("9"));
    assert_eq!(t.timestamp_ms[0], 1_709_294_400_000);

    // A tweet of the API with no more than an author is still one.
    let tweet = r#"{"id":"1460323737035677698","author_id":"7","text":"hi"}"#;
    let (t, r) = import(tweet);
    assert_eq!((r.format, r.added), (InputFormat::TwitterV2, 1));
    assert_eq!(t.timestamp_ms[0], snowflake_ms(1_460_323_737_035_677_698));
}

#[test]
fn every_bad_tweet_of_a_page_is_reported_and_named() {
    let first = 1_460_323_737_035_677_698u64;
    let bad = [7, 40, 99];
    let tweets: Vec<String> = (0..100u64)
        .map(|i| {
            let author = if bad.contains(&i) {
                String::new()
            } else {
                format!(",\"author_id\":\"{}\"", i % 9)
            };
            format!(
                "{{\"id\":\"{}\"{author},\"text\":\"tweet {i}\"}}",
                first + i
            )
        })
        .collect();
    let page = format!(
        "{{\"data\":[{}],\"includes\":{{}},\"meta\":{{}}}}\n",
        tweets.join(",")
    );
    let (t, r) = import(&page);
    assert_eq!((r.records, r.added, t.len()), (100, 97, 97));
    assert_eq!(r.problems.len(), 3, "{:?}", r.problems);
    for (p, i) in r.problems.iter().zip(bad) {
        assert_eq!(
            (p.line, p.field.as_deref(), p.kind),
            (1, Some("author_id"), ProblemKind::MissingField)
        );
        let named = format!("data[{i}] (id {})", first + i);
        assert!(p.message.contains(&named), "{p}");
    }

    // A document written over several lines: its items have no line of their
    // own, so a problem names the item instead of a line it is not on.
    let export = r#"[
  {"id": "111", "created_at": "2024-03-01T12:00:00Z", "account": {"id": "42", "acct": "a"}, "content": "<p>one</p>"},
  {"id": "112", "account": {"id": "42", "acct": "a"}, "content": "<p>two</p>"},
  {"id": "113", "created_at": "2024-03-01T12:02:00Z", "account": {"id": "42", "acct": "a"}, "content": "<p>three</p>"},
  {"id": "114", "created_at": "later", "account": {"id": "43", "acct": "b"}, "content": "<p>four</p>"}
]"#;
    let (t, r) = import(export);
    assert_eq!(
        (r.format, r.records, t.len()),
        (InputFormat::Mastodon, 4, 2)
    );
    let found: Vec<(u64, ProblemKind)> = r.problems.iter().map(|p| (p.line, p.kind)).collect();
    assert_eq!(
        found,
        vec![
            (0, ProblemKind::MissingField),
            (0, ProblemKind::BadTimestamp)
        ]
    );
    assert!(
        r.problems[0].message.contains("[1] (id 112)"),
        "{}",
        r.problems[0]
    );
    assert!(
        r.problems[1].message.contains("[3] (id 114)"),
        "{}",
        r.problems[1]
    );
    assert!(
        !r.problems[0].to_string().contains("in:1"),
        "{}",
        r.problems[0]
    );
}

#[test]
fn atom_xhtml_content_and_inline_markup_keep_their_text() {
    let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>News</title><author><name>Desk</name></author>
<entry><id>urn:1</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Visa <em>rules</em></div></title><link href="https://n.example/1"/><updated>2024-03-01T12:00:00Z</updated>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hello <b>world</b></p><p>See <a href="https://gov.example/visa">the notice</a> &amp; more</p></div></content></entry></feed>"#;
    let (t, r) = import(atom);
    assert_eq!(
        (r.format, r.added),
        (InputFormat::Atom, 1),
        "{:?}",
        r.problems
    );
    assert_eq!(t.user_id(0), "Desk");
    assert_eq!(t.text(0), "Visa rules\nHello world\nSee the notice & more");
    let urls: Vec<&str> = t.url_ids(0).iter().map(|&u| t.urls.resolve(u)).collect();
    assert_eq!(urls, ["https://n.example/1", "https://gov.example/visa"]);

    // RSS with markup the feed did not escape.
    let rss = r#"<rss version="2.0"><channel><title>Ministry</title><link>https://mofa.example/</link>
<item><guid>a-1</guid><title>Notice</title><description>Offices <b>closed</b> on <i>Friday</i></description><pubDate>Fri, 01 Mar 2024 12:00:00 GMT</pubDate></item></channel></rss>"#;
    let (t, r) = import(rss);
    assert_eq!(r.added, 1, "{:?}", r.problems);
    assert_eq!(t.text(0), "Notice\nOffices closed on Friday");
}

#[test]
fn html_a_feed_did_not_escape_loses_no_item() {
    // A CMS pasting HTML into items: `<br>` and `<img ...>` that HTML never closes, a
    // `</br>` nothing opened in every item, and a bare `&`, before later items.
    let rss = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Embassy</title><link>https://embassy.example/</link>
<item><guid>1</guid><title>Q&A on visas</title><description>First line<br>second line<img src="https://embassy.example/a.jpg" alt="flag"></br></description><pubDate>Fri, 01 Mar 2024 12:00:00 GMT</pubDate></item>
<item><guid>2</guid><title>Consular hours</title><description><p>Open Sunday & Monday<br/>closed <b>Friday</b><hr></p></br></description><pubDate>Fri, 01 Mar 2024 13:00:00 GMT</pubDate></item>
<item><guid>3</guid><title>Later news</title><description>Still <p>read</br></description><pubDate>Fri, 01 Mar 2024 14:00:00 GMT</pubDate></item>
<item><guid>4</guid><title>Last</title><description>The end</br></description><pubDate>Fri, 01 Mar 2024 15:00:00 GMT</pubDate></item>
<item><guid>5</guid><title>Fifth</title><description>a</br>b</p></description><pubDate>Fri, 01 Mar 2024 16:00:00 GMT</pubDate></item>
<item><guid>6</guid><title>Sixth</title><description>c</br>d</p></description><pubDate>Fri, 01 Mar 2024 17:00:00 GMT</pubDate></item>
</channel></rss>"#;
    let (t, r) = import(rss);
    assert_eq!(
        (r.format, r.added),
        (InputFormat::Rss, 6),
        "{:?}",
        r.problems
    );
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(t.text(0), "Q&A on visas\nFirst line\nsecond line");
    assert!(
        t.text(1)
            .starts_with("Consular hours\nOpen Sunday & Monday"),
        "{}",
        t.text(1)
    );
    assert!(t.text(1).contains("Friday"), "{}", t.text(1));
    assert_eq!(t.message_id(2), "3");
    assert!(t.text(2).contains("read"), "{}", t.text(2));
    assert_eq!((t.message_id(3), t.text(3)), ("4", "Last\nThe end"));
    assert_eq!(t.message_id(5), "6");
}

#[test]
fn a_feed_the_reader_must_stop_in_says_what_was_not_read() {
    // An unclosed comment: nothing after it can be read as XML.
    let rss = "<rss version=\"2.0\"><channel><title>Ministry</title>\n\
               <item><guid>1</guid><title>Kept</title><pubDate>Fri, 01 Mar 2024 12:00:00 GMT</pubDate></item>\n\
               <!-- a comment never closed\n\
               <item><guid>2</guid><title>Lost</title><pubDate>Fri, 01 Mar 2024 13:00:00 GMT</pubDate></item>\n\
               </channel></rss>\n";
    let (t, r) = import(rss);
    assert_eq!(t.len(), 1);
    assert_eq!(t.message_id(0), "1");
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    let p = &r.problems[0];
    assert_eq!(p.kind, ProblemKind::MalformedXml);
    assert!(
        p.message.contains("the rest of the feed from line"),
        "{}",
        p.message
    );
    // No item was being read when the reader stopped: the one read is the only record.
    assert_eq!(r.records, 1);
}

/// A pretty-printed Mastodon status, as an outbox download writes it.
fn pretty_status(id: u32) -> String {
    format!(
        "  {{\n    \"id\": \"{id}\",\n    \"created_at\": \"2024-03-01T12:00:0{}Z\",\n    \
         \"content\": \"<p>post {id}</p>\",\n    \"account\": {{\n      \"id\": \"7\",\n      \
         \"acct\": \"embassy\"\n    }}\n  }}",
        id % 10
    )
}

#[test]
fn a_pretty_printed_export_cut_off_keeps_its_items_and_is_one_problem() {
    let items: Vec<String> = (1..=3).map(pretty_status).collect();
    let whole = format!("[\n{}\n]\n", items.join(",\n"));
    // The download stopped in the middle of the third status.
    let cut = &whole[..whole.find("post 3").unwrap() + 4];
    let mut table = MessageTable::new();
    let r = import_bytes(
        &mut table,
        "outbox.json",
        cut.as_bytes(),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(
        (r.format, r.added),
        (InputFormat::Mastodon, 2),
        "{:?}",
        r.problems
    );
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    let p = &r.problems[0];
    assert_eq!(p.kind, ProblemKind::MalformedJson);
    let last_line = cut.lines().count() as u64;
    assert_eq!(p.line, last_line, "{p}");
    assert!(
        p.message.contains(&format!("line {last_line} column")),
        "{p}"
    );
    assert!(p.message.contains("first 2 item(s) were read"), "{p}");
    assert_eq!(r.records, 3);
    assert_eq!((table.message_id(0), table.message_id(1)), ("1", "2"));

    // An object cut off (an ActivityPub collection): one problem, not one per line.
    let collection = "{\n  \"@context\": \"https://www.w3.org/ns/activitystreams\",\n  \
                      \"type\": \"OrderedCollection\",\n  \"orderedItems\": [\n    {\n      \"type\": \"Note\",\n";
    let mut table = MessageTable::new();
    let options = ImportOptions {
        format: Some(InputFormat::ActivityPub),
        ..ImportOptions::default()
    };
    let r = import_bytes(&mut table, "outbox.json", collection.as_bytes(), &options).unwrap();
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    assert_eq!(r.problems[0].line, 7, "{}", r.problems[0]);
    assert!(r.problems[0].message.contains("none of it was read"));

    // One document per line whose first line was cut off still loses only that line.
    let good = r#"{"id":"1","user_id":"u","text":"x","timestamp":5}"#;
    let (t, r) = import(&format!("{{\"id\":\"0\",\"user_\n{good}\n"));
    assert_eq!((t.len(), r.problems.len()), (1, 1));
    assert_eq!(r.problems[0].line, 1);
}

#[test]
fn a_stream_capture_starting_with_notices_is_read_as_tweets() {
    let tweet = |id: u64, text: &str| {
        format!(
            r#"{{"id_str":"{id}","created_at":"Fri Mar 01 12:00:00 +0000 2024","text":"{text}","user":{{"id_str":"7","screen_name":"mofa"}}}}"#
        )
    };
    let capture = [
        r#"{"limit":{"track":12,"timestamp_ms":"1709294400000"}}"#.to_owned(),
        r#"{"delete":{"status":{"id":1,"id_str":"1","user_id":7,"user_id_str":"7"},"timestamp_ms":"1709294400001"}}"#.to_owned(),
        tweet(1_460_323_737_035_677_698, "first"),
        r#"{"limit":{"track":13,"timestamp_ms":"1709294400002"}}"#.to_owned(),
        tweet(1_460_323_737_035_677_699, "second"),
        r#"{"scrub_geo":{"user_id":7,"up_to_status_id":1}}"#.to_owned(),
    ]
    .join("\n");
    let (t, r) = import(&capture);
    assert_eq!(
        (r.format, r.added),
        (InputFormat::TwitterV1, 2),
        "{:?}",
        r.problems
    );
    // Notices are no records and nothing wrong.
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.records, 2);
    assert_eq!(t.text(1), "second");
}

#[test]
fn lines_of_several_formats_are_read_in_the_most_common_and_said() {
    let generic = r#"{"id":"g1","user_id":"u","text":"x","timestamp":5}"#;
    let tweet = |id: u64| {
        format!(r#"{{"id_str":"{id}","text":"t","user":{{"id_str":"7","screen_name":"mofa"}}}}"#)
    };
    let file = [
        generic.to_owned(),
        tweet(1_460_323_737_035_677_698),
        tweet(1_460_323_737_035_677_699),
    ]
    .join("\n");
    let (t, r) = import(&file);
    assert_eq!(
        (r.format, t.len()),
        (InputFormat::TwitterV1, 2),
        "{:?}",
        r.problems
    );
    let mixed: Vec<_> = r
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::MixedFormats)
        .collect();
    assert_eq!(mixed.len(), 1, "{:?}", r.problems);
    assert!(
        mixed[0].message.contains("read as twitter-v1"),
        "{}",
        mixed[0]
    );
    assert!(mixed[0].message.contains("jsonl 1"), "{}", mixed[0]);
    assert!(!ProblemKind::MixedFormats.skips_record());
}

#[test]
fn a_record_per_line_file_whose_first_lines_are_bad_keeps_its_good_lines() {
    // Six broken records at the top (a bad batch), then good ones: not a cut-off document.
    let mut lines: Vec<String> = (0..6).map(|i| format!("{{\"id\": \"bad{i}\", ")).collect();
    for i in 0..3 {
        lines.push(format!(
            "{{\"id\": \"m{i}\", \"user_id\": \"u\", \"text\": \"hello {i}\", \"timestamp\": 5}}"
        ));
    }
    let (t, r) = import(&lines.join("\n"));
    assert_eq!(t.len(), 3, "{:?}", r.problems);
    assert_eq!(r.problems.len(), 6, "{:?}", r.problems);
}
