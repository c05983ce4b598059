//! `safir listen` on URLs: feeds fetched over HTTP, limits that fail clearly, and
//! `--resolve-urls` joining short links that lead to the same page. A small HTTP/1.1
//! site on loopback plays the feeds, the short-link service and the broken servers.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::support::{TempDir, run};

const ATOM: &str = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>News</title><author><name>Desk</name></author>
<entry><id>urn:news:1</id><title>Hello</title><link rel="alternate" href="https://n.example/1"/><published>2024-03-01T12:00:00Z</published><summary>Short</summary></entry>
<entry><id>urn:news:2</id><title>Again</title><link rel="alternate" href="https://n.example/2"/><published>2024-03-01T13:00:00Z</published><summary>More</summary></entry></feed>"#;

const RSS: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Ministry</title><link>https://mofa.example/</link>
<item><title>Travel advice</title><link>https://mofa.example/a</link><guid>a-1</guid><pubDate>Fri, 01 Mar 2024 12:00:00 GMT</pubDate></item>
<item><title>Second</title><link>https://mofa.example/b</link><guid>b-1</guid><pubDate>Fri, 01 Mar 2024 13:00:00 GMT</pubDate></item>
<item><title>Third</title><link>https://mofa.example/c</link><guid>c-1</guid><pubDate>Fri, 01 Mar 2024 14:00:00 GMT</pubDate></item></channel></rss>"#;

/// One request as the site saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    client: String,
}

/// The site; it stops (connections refused) when dropped.
struct Site {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Site {
    fn start() -> Site {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (log, halt) = (Arc::clone(&seen), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if halt.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let log = Arc::clone(&log);
                    std::thread::spawn(move || serve(stream, port, &log));
                }
            }
        });
        Site {
            port,
            seen,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(mut stream: TcpStream, port: u16, log: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut client = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("user-agent:") {
            client = v.trim().to_owned();
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    log.lock().unwrap().push(Seen {
        method: method.clone(),
        path: path.clone(),
        client,
    });
    let here = |p: &str| format!("http://127.0.0.1:{port}{p}");
    let redirect = |code: &str, to: String| (code.to_owned(), vec![("Location", to)], Vec::new());
    let ok = |kind: &str, body: &str| {
        (
            "200 OK".to_owned(),
            vec![("Content-Type", kind.to_owned())],
            body.as_bytes().to_vec(),
        )
    };
    let (status, headers, body) = match (method.as_str(), path.as_str()) {
        (_, "/feed.atom") => ok("application/atom+xml", ATOM),
        (_, "/feed.rss") => ok("application/rss+xml", RSS),
        (_, "/go/feed") => redirect("301 Moved Permanently", "/feed.rss".into()),
        (_, "/big") => ok("text/plain", &"x".repeat(2_000_000)),
        (_, "/big-unannounced") => {
            // No Content-Length: the body runs until the connection closes.
            let _ = write!(stream, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
            for _ in 0..200 {
                if stream.write_all(&[b'y'; 10_000]).is_err() {
                    return;
                }
            }
            return;
        }
        // Short links: two services, two hops, one destination.
        (_, "/s/abc") => redirect("301 Moved Permanently", "/r/abc".into()),
        (_, "/r/abc") => redirect("302 Found", here("/final/story")),
        (_, "/s/def") => redirect("301 Moved Permanently", here("/final/story")),
        ("HEAD", "/s/nohead") => ("405 Method Not Allowed".into(), vec![], vec![]),
        (_, "/s/nohead") => redirect("302 Found", "/final/story".into()),
        (_, "/s/loop1") => redirect("302 Found", "/s/loop2".into()),
        (_, "/s/loop2") => redirect("302 Found", "/s/loop1".into()),
        (_, p) if p.starts_with("/chain/") => {
            let n: u32 = p["/chain/".len()..].parse().unwrap_or(0);
            redirect("302 Found", format!("/chain/{}", n + 1))
        }
        (_, "/final/story") => ok("text/html", "<p>the story</p>"),
        _ => ("404 Not Found".into(), vec![], b"no such page".to_vec()),
    };
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    if method != "HEAD" {
        let _ = stream.write_all(&body);
    }
    let _ = stream.flush();
    // Let the client read everything before the socket closes.
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = stream.read(&mut [0u8; 64]);
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn feeds_are_imported_from_urls_once_and_named_by_their_url() {
    let site = Site::start();
    let (atom, rss) = (site.url("/feed.atom"), site.url("/go/feed"));
    let out = run(&["listen", "import", &atom, &rss, &atom], &[]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    let reports: Vec<&str> = stdout.split("\n\n").collect();
    assert!(
        stdout.contains(&format!(
            "{atom}\n  format      atom\n  records     2\n  added       2\n"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "{rss}\n  format      rss\n  records     3\n  added       3\n"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "{atom}\n  format      atom\n  records     2\n  added       0\n  duplicates  2\n"
        )),
        "importing a feed again adds nothing: {stdout}"
    );
    assert!(stdout.contains("  messages    5\n"), "{reports:?}");
    assert!(
        !stderr.contains('\r'),
        "no progress drawn off a terminal: {stderr:?}"
    );

    let requests = site.requests();
    assert!(
        requests.iter().any(|r| r.path == "/feed.rss"),
        "the redirect was followed"
    );
    assert!(
        requests.iter().all(|r| r.client.starts_with("safir/")),
        "{requests:?}"
    );
}

#[test]
fn http_failures_name_the_url_and_the_reason() {
    let site = Site::start();
    let cases = [
        ("/missing", vec![], "HTTP 404 Not Found"),
        (
            "/big",
            vec!["--max-download", "1"],
            "larger than 1000000 bytes",
        ),
        (
            "/big-unannounced",
            vec!["--max-download", "1"],
            "larger than 1000000 bytes",
        ),
        ("/s/loop1", vec![], "redirect loop"),
        ("/chain/0", vec![], "more than 5 redirects"),
    ];
    for (path, extra, reason) in cases {
        let url = site.url(path);
        let mut args = vec!["listen", "import", url.as_str()];
        args.extend(extra.iter().copied());
        let out = run(&args, &[]);
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{path}");
        assert!(
            stderr.contains(&url) && stderr.contains(reason),
            "{path}: {stderr}"
        );
    }
    // The cap is a limit, not a size: a 2 MB body is fine with the default.
    let out = run(
        &[
            "listen",
            "import",
            "--input-format",
            "jsonl",
            &site.url("/big"),
        ],
        &[],
    );
    assert!(
        text(&out.stderr).contains("no messages were imported"),
        "{}",
        text(&out.stderr)
    );

    drop(site);
    let out = run(&["listen", "import", "http://127.0.0.1:9/feed.xml"], &[]);
    assert!(text(&out.stderr).contains("http://127.0.0.1:9/feed.xml: cannot connect"));
}

/// Five accounts sharing links within a minute: three short links that end on the same
/// page (one through a server that refuses HEAD) and two that loop.
fn short_link_archive(site: &Site, dir: &TempDir) -> String {
    let mut csv =
        String::from("message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n");
    for (i, (user, path)) in [
        ("101", "/s/abc"),
        ("102", "/s/def"),
        ("103", "/s/nohead"),
        ("104", "/s/loop1"),
        ("105", "/s/loop2"),
    ]
    .iter()
    .enumerate()
    {
        csv.push_str(&format!(
            "{i},{user},user{user},,,look at this {i},{},{}\n",
            1_700_000_000 + i as i64 * 5,
            site.url(path)
        ));
    }
    let path = dir.path().join("links.csv");
    std::fs::write(&path, csv).unwrap();
    path.display().to_string()
}

fn edges(out: &std::process::Output) -> Vec<String> {
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut lines: Vec<String> = text(&out.stdout)
        .lines()
        .skip(1)
        .map(str::to_owned)
        .collect();
    lines.sort();
    lines
}

#[test]
fn resolved_short_links_join_co_link_and_the_cache_answers_later_runs() {
    let site = Site::start();
    let dir = TempDir::new("safir-links");
    let archive = short_link_archive(&site, &dir);
    let base = ["listen", "networks", archive.as_str(), "--kind", "co_link"];

    let apart = run(&base, &[]);
    assert_eq!(
        edges(&apart),
        Vec::<String>::new(),
        "as written, every link differs"
    );
    assert_eq!(
        text(&apart.stdout).lines().next(),
        Some("user_1,user_2,weight")
    );

    let cache = dir.path().join("links.tsv");
    let cache_arg = cache.display().to_string();
    let mut args = base.to_vec();
    args.extend(["--resolve-urls", "--url-cache", &cache_arg]);
    let joined = run(&args, &[]);
    let expected: Vec<String> = [
        "101,102,1",
        "101,103,1",
        "102,101,1",
        "102,103,1",
        "103,101,1",
        "103,102,1",
    ]
    .map(String::from)
    .to_vec();
    assert_eq!(edges(&joined), expected, "{}", text(&joined.stderr));
    let stderr = text(&joined.stderr);
    assert!(
        stderr.contains("3 followed, 0 from the cache, 2 could not be followed"),
        "{stderr}"
    );
    assert!(stderr.contains("redirect loop"), "{stderr}");
    let requests = site.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.method == "HEAD" && r.path == "/s/abc")
    );
    assert!(
        requests
            .iter()
            .any(|r| r.method == "GET" && r.path == "/s/nohead"),
        "GET after a refused HEAD"
    );

    let cached = std::fs::read_to_string(&cache).unwrap();
    let final_url = site.url("/final/story");
    for short in ["/s/abc", "/s/def", "/s/nohead"] {
        assert!(
            cached.contains(&format!("{}\t{final_url}\n", site.url(short))),
            "{cached}"
        );
    }
    assert_eq!(
        cached.lines().count(),
        3,
        "failures are not cached: {cached}"
    );

    // With the site gone, the cache alone gives the same network.
    drop(site);
    let again = run(&args, &[]);
    assert_eq!(edges(&again), expected);
    assert!(
        text(&again.stderr).contains("0 followed, 3 from the cache"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(std::fs::read_to_string(&cache).unwrap(), cached);

    // groups takes the same flags.
    let groups = run(
        &[
            "listen",
            "groups",
            archive.as_str(),
            "--kind",
            "co_link",
            "--resolve-urls",
            "--url-cache",
            &cache_arg,
        ],
        &[],
    );
    let out = text(&groups.stdout);
    assert!(
        out.starts_with("1 group(s)") && out.contains("3 accounts"),
        "{out}"
    );
}

#[test]
fn the_resolve_limit_leaves_the_least_shared_links_as_written() {
    let site = Site::start();
    let dir = TempDir::new("safir-links-limit");
    let archive = short_link_archive(&site, &dir);
    let out = run(
        &[
            "listen",
            "networks",
            &archive,
            "--kind",
            "co_link",
            "--resolve-urls",
            "--resolve-limit",
            "0",
        ],
        &[],
    );
    assert_eq!(edges(&out), Vec::<String>::new());
    assert!(
        text(&out.stderr).contains("5 beyond --resolve-limit"),
        "{}",
        text(&out.stderr)
    );
    assert!(site.requests().is_empty(), "nothing was asked");
}

#[test]
fn a_url_cache_edited_without_a_last_line_break_is_appended_to_on_a_new_line() {
    let site = Site::start();
    let dir = TempDir::new("safir-links-edited");
    let archive = short_link_archive(&site, &dir);
    let cache = dir.path().join("links.tsv");
    // Saved by an editor that leaves the last line without its line break.
    let final_url = site.url("/final/story");
    let edited = format!("{}\t{final_url}", site.url("/s/abc"));
    std::fs::write(&cache, &edited).unwrap();
    let cache_arg = cache.display().to_string();
    let args = [
        "listen",
        "networks",
        archive.as_str(),
        "--kind",
        "co_link",
        "--resolve-urls",
        "--url-cache",
        &cache_arg,
    ];
    let first = run(&args, &[]);
    assert!(
        text(&first.stderr).contains("2 followed, 1 from the cache"),
        "{}",
        text(&first.stderr)
    );
    let cached = std::fs::read_to_string(&cache).unwrap();
    assert!(cached.starts_with(&format!("{edited}\n")), "{cached}");
    assert_eq!(cached.lines().count(), 3, "{cached}");
    assert!(
        cached.lines().all(|l| l.matches('\t').count() == 1),
        "{cached}"
    );

    // Every line of the cache is read back: nothing is asked again.
    drop(site);
    let again = run(&args, &[]);
    assert!(
        text(&again.stderr).contains("0 followed, 3 from the cache"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(edges(&again), edges(&first));
}
