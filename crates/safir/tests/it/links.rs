//! Every link the demo offers leads somewhere its reader may go: as a visitor and as each demo
//! account, a walk over the site's own links (pages, and the files they link to) never ends on
//! an answer of 400 or above, nor, for someone signed in, on the sign-in page. A link to a page
//! the reader may not open ("access denied") is a dead end in the interface even though the
//! server is right to refuse it.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::support::{Server, http, page_shape, serve_demo, sign_in_demo};

/// Pages read on each walk, and pages of each shape (a path with its ids folded, and the
/// names of its query's parameters: a queue filtered by status is not the whole queue).
const PAGES_PER_WALK: usize = 400;
const PAGES_PER_SHAPE: usize = 2;

/// The shape of a link, as [`PAGES_PER_SHAPE`] counts them.
fn link_shape(href: &str) -> String {
    let query = href.split('#').next().unwrap_or("").split_once('?');
    let mut names: Vec<&str> = query
        .map(|(_, q)| {
            q.split('&')
                .map(|pair| pair.split('=').next().unwrap_or(""))
                .collect()
        })
        .unwrap_or_default();
    names.sort_unstable();
    names.dedup();
    format!("{}?{}", page_shape(href), names.join("&"))
}

/// The links a page offers: each `href` of an `<a>` on the site itself, unescaped.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<a ") {
        rest = &rest[at + 3..];
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        if let Some(start) = tag.find("href=\"") {
            let value = &tag[start + 6..];
            let value = &value[..value.find('"').unwrap_or(value.len())];
            let href = value
                .replace("&amp;", "&")
                .replace("&#x2F;", "/")
                .replace("&#x3D;", "=");
            if href.starts_with('/') && !href.starts_with("//") {
                out.push(href);
            }
        }
    }
    out
}

/// Whether `path` is an address of the route `pattern` (`{name}` one segment, `{*name}` the
/// rest).
fn matches(pattern: &str, path: &str) -> bool {
    let mut want = pattern.split('/');
    let mut got = path.split('/');
    loop {
        match (want.next(), got.next()) {
            (None, None) => return true,
            (Some(w), Some(_)) if w.starts_with("{*") => return true,
            (Some(w), Some(g)) if w.starts_with('{') && !g.is_empty() => {}
            (Some(w), Some(g)) if w == g => {}
            _ => return false,
        }
    }
}

/// Pages reached from outside the site's pages: no link on them leads there, and rightly.
const REACHED_FROM_OUTSIDE: &[(&str, &str)] = &[
    ("/healthz", "the load balancer's probe"),
    ("/readyz", "the load balancer's probe"),
    ("/metrics", "the metrics scraper"),
    (
        "/static/{hash}/{*name}",
        "the stylesheet and scripts the pages load",
    ),
    (
        "/sign-in/two-factor",
        "where the sign-in form sends staff for their code",
    ),
    ("/verify-email", "the link in the address-check email"),
    ("/password/reset", "the link in the password-reset email"),
    (
        "/account/password/choose",
        "where the sign-in form sends someone whose password an administrator set",
    ),
    (
        "/subscribe/confirm/{token}",
        "the link in the subscription's confirmation email",
    ),
    (
        "/unsubscribe/{token}",
        "the link in every travel-advice email and text",
    ),
    (
        "/crisis/checkin/{token}",
        "the link in a crisis alert's email or text",
    ),
    (
        "/crisis/presence/verify",
        "where the presence form goes once sent, the code by email",
    ),
    (
        "/staff/crises/{crisis}/board/counts",
        "polled by the safety board's script",
    ),
];

/// Links a walk does not follow: signing out, switching language (a signed-in reader's choice
/// is saved), the API (read with a token, not a session), and what is not part of the pages.
fn followed(href: &str) -> bool {
    let path = href.split(['?', '#']).next().unwrap_or("");
    // A file (a feed in one language) is followed whatever its query says.
    let file = path.rsplit('/').next().unwrap_or("").contains('.');
    (file || !href.contains("lang="))
        && !path.starts_with("/sign-out")
        && !path.starts_with("/static/")
        && !path.starts_with("/api/")
}

/// Walks the site from `start` with `cookie` (none: a visitor); each dead end, with the page
/// that offered the link, and the number of pages read.
async fn walk(
    server: &Server,
    cookie: Option<&str>,
    start: &[&str],
    reached: &mut HashSet<String>,
) -> (Vec<String>, usize) {
    let client = http();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut visited = HashSet::new();
    let mut queue: VecDeque<(String, String)> = start
        .iter()
        .map(|s| (s.to_string(), "the walk's start".to_owned()))
        .collect();
    let mut dead = Vec::new();
    let mut pages = 0;
    while let Some((href, from)) = queue.pop_front() {
        if pages >= PAGES_PER_WALK || !visited.insert(href.clone()) {
            continue;
        }
        let count = seen.entry(link_shape(&href)).or_default();
        if *count >= PAGES_PER_SHAPE {
            continue;
        }
        *count += 1;
        pages += 1;
        // Follow redirects by hand, to see where they end.
        let mut at = href.clone();
        let mut res = None;
        for _ in 0..5 {
            let mut req = client.get(server.url(&at));
            if let Some(c) = cookie {
                req = req.header("cookie", format!("safir_session={c}"));
            }
            let r = req.send().await.expect("the server answers");
            if r.status().is_redirection() {
                let to = r
                    .headers()
                    .get("location")
                    .and_then(|l| l.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                at = to
                    .strip_prefix(&server.base)
                    .map(str::to_owned)
                    .unwrap_or(to);
                continue;
            }
            res = Some(r);
            break;
        }
        let Some(res) = res else {
            dead.push(format!("{href} (from {from}): redirects without end"));
            continue;
        };
        let status = res.status();
        if status.as_u16() >= 400 {
            dead.push(format!("{href} (from {from}): {status}"));
            continue;
        }
        let landed = at.split(['?', '#']).next().unwrap_or("").to_owned();
        reached.insert(href.split(['?', '#']).next().unwrap_or("").to_owned());
        reached.insert(landed.clone());
        if cookie.is_some() && landed.starts_with("/sign-in") {
            dead.push(format!(
                "{href} (from {from}): sends a signed-in reader to {at}"
            ));
            continue;
        }
        let html = res
            .headers()
            .get("content-type")
            .and_then(|c| c.to_str().ok())
            .is_some_and(|c| c.starts_with("text/html"));
        if !html {
            continue;
        }
        let body = res.text().await.unwrap_or_default();
        queue.extend(
            links(&body)
                .into_iter()
                .filter(|h| followed(h) && !visited.contains(h))
                .map(|h| (h, href.clone())),
        );
    }
    (dead, pages)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_link_the_demo_offers_leads_to_an_error_or_a_refusal() {
    // Every sign-in comes from one address.
    let (_dir, accounts, server) = serve_demo(
        "safir-links",
        &[("SAFIR_LOGIN_ATTEMPTS_PER_MINUTE", "1000")],
    );
    let mut dead = Vec::new();
    let mut reached = HashSet::new();
    let (found, pages) = walk(
        &server,
        None,
        &["/", "/sign-in", "/sign-up", "/verify"],
        &mut reached,
    )
    .await;
    assert!(pages > 10, "a visitor's walk read {pages} pages");
    dead.extend(found.into_iter().map(|d| format!("a visitor: {d}")));
    for email in [
        "admin@demo.safir.example",
        "consular.director@demo.safir.example",
        "ambassador.paris@demo.safir.example",
        "consul.paris@demo.safir.example",
        "press.dubai@demo.safir.example",
        "analyst.nairobi@demo.safir.example",
        "consul.dubai@demo.safir.example",
        "duty.nairobi@demo.safir.example",
        "citizen@demo.safir.example",
        "visitor@demo.safir.example",
    ] {
        let cookie = sign_in_demo(&server.base, &accounts, email);
        // From the pages every account has; the header leads on to those of its roles.
        let (found, pages) = walk(&server, Some(&cookie), &["/", "/account"], &mut reached).await;
        assert!(pages > 10, "{email}'s walk read {pages} pages");
        dead.extend(found.into_iter().map(|d| format!("{email}: {d}")));
    }
    assert!(dead.is_empty(), "dead ends:\n{}", dead.join("\n"));

    // And every page of the route table is reached by some link, but for those that are
    // reached from outside the pages (named here with the reason).
    let test_db = safir_store::testing::TestDb::sqlite().await;
    let state = safir_web::state::AppState::new(test_db.db.clone(), Default::default())
        .await
        .expect("app state");
    let (_, routes) = safir_web::app::build(state);
    let orphans: Vec<&str> = routes
        .iter()
        .filter(|r| r.method == reqwest::Method::GET && !r.path.starts_with("/api/"))
        .map(|r| r.path)
        .filter(|path| !REACHED_FROM_OUTSIDE.iter().any(|(p, _)| p == path))
        .filter(|path| !reached.iter().any(|seen| matches(path, seen)))
        .collect();
    assert!(
        orphans.is_empty(),
        "pages no link of the demo leads to:\n{}",
        orphans.join("\n")
    );
}
