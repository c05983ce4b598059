//! Accessibility of the interface in a real headless Chromium: the demo's pages, as a visitor
//! and a citizen on a phone's screen, consular officers and the ministry's admin on a desk's, in
//! Arabic (right to left) and in English, checked by axe-core (the WCAG 2.1 A and AA rules and
//! its best practices), and again after each of their forms is sent empty, where the errors are
//! shown.
//!
//! axe-core is not vendored: `.ci/run` fetches a pinned release from the npm registry and names
//! its `axe.min.js` in `SAFIR_AXE_JS`. The test is skipped without it unless `SAFIR_TEST_REQUIRE`
//! includes `axe`, and without Chromium unless it includes `browser`.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::browser_support::{Driver, PATIENCE, checkin_link, checkin_links};
use crate::support::{page_shape, serve_demo};

/// Distinct kinds of page (a path with its ids blanked out) each walk visits at most.
const PAGES_PER_WALK: usize = 45;
/// Forms sent empty on each kind of page.
const FORMS_PER_PAGE: usize = 2;

/// Links the walk does not follow: signing out, files rather than pages, and the language
/// switch (each walk keeps to one language).
fn followable(href: &str) -> bool {
    let path = href.split(['?', '#']).next().unwrap_or("");
    href.starts_with('/')
        && !href.starts_with("//")
        && !href.contains("lang=")
        && !path.starts_with("/sign-out")
        && !path.starts_with("/static/")
        && !path.starts_with("/api/")
        // A file (`.pdf`, `.csv`, `.ics`, `.geojson`, …), not a page.
        && !path.rsplit('/').next().unwrap_or("").contains('.')
        // Files and documents that are not pages (the e-visa keys are JSON).
        && !path.ends_with("/pdf")
        // An uploaded document: an image or a PDF.
        && !path.starts_with("/documents/")
        && !["export", "download", "feed", "/file", "/photo", "/verify/keys"]
            .iter()
            .any(|part| path.contains(part))
}

/// Forms whose empty submission would change what the walk goes on to see (or end the
/// session) rather than show errors: those are left alone.
const LEAVE_ALONE: &str = "sign-out|delete|revoke|withdraw|cancel|purge|remove|disable|erase|close|archive|retry|discard|end$|/two-factor/off|sessions";

/// One line for a check's findings (a list of strings), none when it found nothing.
fn finding(at: &str, what: &str, found: &Value) -> Option<String> {
    let found: Vec<&str> = found.as_array()?.iter().filter_map(Value::as_str).collect();
    (!found.is_empty()).then(|| format!("{at}: [serious] {what}: {}", found.join("; ")))
}

/// The heading of the error page the browser shows, if it shows one.
const ERROR_HEADING: &str = "const e = document.querySelector('main .error-page h1');
     return e ? e.textContent.trim() : null;";

/// Runs axe on the page the browser shows, and checks that it does not scroll sideways, that
/// no table squeezes a column until its words break, that buttons neither touch nor hide
/// that they destroy, that dates read left to right and that the header keeps its lines; its
/// violations, one line each.
async fn audit(driver: &Driver, axe: &str, at: &str) -> Vec<String> {
    driver
        .script(&format!("{axe}\n;return true;"), json!([]))
        .await;
    let found = driver
        .cmd(
            reqwest::Method::POST,
            "/execute/async",
            Some(
                json!({"script": "const done = arguments[arguments.length - 1];
                axe.run(document, {resultTypes: ['violations']})
                  .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                      nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))
                  .catch(e => done({error: String(e)}));",
                "args": []}),
            ),
        )
        .await;
    let Some(list) = found.as_array() else {
        panic!("axe did not run on {at}: {found}");
    };
    // Reflow (WCAG 2.1, 1.4.10), which axe does not check: the page is read without scrolling
    // sideways; a wide table scrolls inside its own box instead.
    let wider = driver
        .script(
            "const d = document.documentElement;
             if (d.scrollWidth <= d.clientWidth + 1) return null;
             const wide = Array.from(document.querySelectorAll('main *'))
               .filter(e => { const r = e.getBoundingClientRect();
                              return r.width > 0 && (r.right > d.clientWidth + 1 || r.left < -1)
                                && !e.closest('.table-scroll'); })
               .slice(0, 3)
               .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                         (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : ''));
             return {scroll: d.scrollWidth, width: d.clientWidth, wide};",
            json!([]),
        )
        .await;
    let reflow = (!wider.is_null()).then(|| {
        format!(
            "{at}: [serious] reflow (the page scrolls sideways: {} pixels wide in {}) at {}",
            wider["scroll"], wider["width"], wider["wide"]
        )
    });
    // A table that already scrolls sideways has room to widen: none of its columns is
    // squeezed (narrower than twelve letters) so far that a word breaks across lines.
    let squeezed = driver
        .script(
            "const out = [];
             for (const box of document.querySelectorAll('main .table-scroll')) {
               if (box.scrollWidth <= box.clientWidth + 1) continue;
               for (const cell of box.querySelectorAll('td')) {
                 const em = parseFloat(getComputedStyle(cell).fontSize);
                 if (cell.clientWidth >= 12 * em) continue;
                 const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
                 nodes: for (let n; (n = walker.nextNode());) {
                   const words = /\\S+/g;
                   for (let m; (m = words.exec(n.data));) {
                     const r = document.createRange();
                     r.setStart(n, m.index);
                     r.setEnd(n, m.index + m[0].length);
                     const tops = Array.from(r.getClientRects(), q => q.top);
                     if (tops.length > 1 && Math.max(...tops) - Math.min(...tops) > em) {
                       out.push('column ' + (cell.cellIndex + 1) + ', ' + cell.clientWidth +
                                ' pixels wide: ' + m[0].slice(0, 40));
                       if (out.length >= 3) return out;
                       break nodes;
                     }
                   }
                 }
               }
             }
             return out;",
            json!([]),
        )
        .await;
    let squeezed = finding(at, "a column squeezed until its words break", &squeezed);
    // Buttons: two never touch (a tap meant for one lands on the other), and one that
    // destroys (withdraw, erase, close, cancel) is told apart by the error colour.
    let controls = driver
        .script(
            "const out = [];
             const name = e => (e.innerText || e.value || '').trim().slice(0, 40);
             const shown = Array.from(document.querySelectorAll(
                 'main button, main .button, main input[type=submit]'))
               .filter(e => e.getClientRects().length > 0 && !e.matches('button.link'));
             const boxes = shown.map(e => e.getBoundingClientRect());
             const apart = (a, b) => Math.max(Math.max(a.left - b.right, b.left - a.right),
                                              Math.max(a.top - b.bottom, b.top - a.bottom)) >= 4;
             for (let i = 0; i < shown.length; i++) {
               for (let j = i + 1; j < shown.length; j++) {
                 if (!apart(boxes[i], boxes[j])) out.push('touching: ' + name(shown[i]) + ' | ' + name(shown[j]));
               }
             }
             // Nor does a link or a field beside a button (Clear the filters, after Filter).
             for (const l of document.querySelectorAll(
                 'main a[href], main select, main textarea, main input:not([type=hidden]):not([type=submit])')) {
               if (l.matches('.button') || l.getClientRects().length === 0) continue;
               const r = l.getBoundingClientRect();
               const i = boxes.findIndex(b => !apart(b, r));
               if (i >= 0) out.push('touching: ' + name(shown[i]) + ' | ' + (l.matches('a') ? name(l) : 'the field ' + l.name));
             }
             const probe = document.createElement('span');
             probe.style.color = 'var(--error)';
             document.body.append(probe);
             const error = getComputedStyle(probe).color;
             probe.remove();
             for (const e of document.querySelectorAll('main .danger')) {
               if (e.getClientRects().length === 0) continue;
               const st = getComputedStyle(e);
               if (st.color !== error && st.backgroundColor !== error)
                 out.push('a destructive action looks like any other: ' + name(e));
             }
             return out.slice(0, 3);",
            json!([]),
        )
        .await;
    let controls = finding(at, "buttons", &controls);
    // Dates, in one pass over the text. A date with its time ("2026-12-04 07:10 UTC") in
    // right-to-left text is set left to right (an element with `dir="ltr"`, or a left-to-right
    // mark before it): otherwise its parts are laid out from the right, "UTC 07:10
    // 2026-12-04". And a date is read whole: cut at its hyphens ("2026-" above "12-04") it is
    // misread.
    let dates = driver
        .script(
            r"const reversed = [], cut = [];
             const root = document.querySelector('main');
             if (!root) return {reversed, cut};
             const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
             for (let n; (n = walker.nextNode());) {
               const el = n.parentElement;
               if (!el || el.closest('input, textarea, select, option')) continue;
               const m = /(.?)(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}[^\n]{0,4})/.exec(n.data);
               if (m && m[1] !== '\u200e' && m[1] !== '\u2066'
                   && getComputedStyle(el).direction === 'rtl')
                 reversed.push(m[2].trim());
               if (el.closest('pre, code')) continue;
               const days = /\d{4}-\d{2}-\d{2}/g;
               for (let d; (d = days.exec(n.data));) {
                 const r = document.createRange();
                 r.setStart(n, d.index);
                 r.setEnd(n, d.index + d[0].length);
                 const tops = Array.from(r.getClientRects(), q => Math.round(q.top));
                 if (new Set(tops).size > 1) cut.push(d[0]);
               }
             }
             return {reversed: reversed.slice(0, 3), cut: cut.slice(0, 3)};",
            json!([]),
        )
        .await;
    let reversed = finding(
        at,
        "a date and time laid out right to left",
        &dates["reversed"],
    );
    let cut = finding(at, "a date cut across lines", &dates["cut"]);
    // The layout: on a desk's screen the header's navigation is one line (a staff member has
    // the longest list) and every table fits; on a phone every table fits but the case queue
    // and the audit trail; on any screen fields side by side are of one height and the
    // language switch shares its line with the site's name.
    let layout = driver
        .script(
            "const out = [];
             const items = Array.from(document.querySelectorAll('.site-nav li'));
             const tops = new Set(items.map(li => Math.round(li.getBoundingClientRect().top)));
             if (window.innerWidth >= 1024 && tops.size > 1)
               out.push('the navigation takes ' + tops.size + ' lines at ' + window.innerWidth + ' pixels');
             // Staff read their tables at a glance: on a desk's screen every column is in
             // view (the case queue's deadline, the audit trail's summary).
             if (window.innerWidth >= 1024)
               for (const b of document.querySelectorAll('main .table-scroll'))
                 if (b.scrollWidth > b.clientWidth + 1)
                   out.push('a table scrolls sideways at ' + window.innerWidth + ' pixels (' + b.scrollWidth + ' pixels in ' + b.clientWidth + ')');
             // On a phone a table is read without scrolling sideways (a person's applications,
             // a mission's staff, the processing-time board), but for the two work lists of
             // many columns, the case queue and the audit trail, which scroll in their box.
             if (window.innerWidth < 640)
               for (const b of document.querySelectorAll('main .table-scroll'))
                 if (b.scrollWidth > b.clientWidth + 1 && !b.querySelector('table.queue, table.audit'))
                   out.push('a table runs off the screen of a phone (' + b.scrollWidth + ' pixels in ' + b.clientWidth + ')');
             // Fields side by side (a filter bar's) are of one height, so that their labels
             // line up too.
             const boxes = Array.from(document.querySelectorAll(
                 'main input:not([type=hidden], [type=checkbox], [type=radio]), main select'))
               .map(f => f.getBoundingClientRect()).filter(r => r.width > 0);
             const uneven = boxes.find(a => boxes.some(b => a.left < b.left && a.top < b.bottom
               && b.top < a.bottom && Math.abs(a.height - b.height) > 1));
             if (uneven)
               out.push('fields side by side differ in height (one is ' + Math.round(uneven.height) + ' pixels)');
             const name = document.querySelector('.site-name'), sw = document.querySelector('.lang-switch');
             if (name && sw) {
               const a = name.getBoundingClientRect(), b = sw.getBoundingClientRect();
               if (b.top >= a.bottom || a.top >= b.bottom)
                 out.push('the language switch is not on the line of the name of the site');
             }
             return out;",
            json!([]),
        )
        .await;
    let layout = finding(at, "layout", &layout);
    list.iter()
        .map(|v| {
            format!(
                "{at}: [{}] {} ({}) at {}",
                v["impact"].as_str().unwrap_or("?"),
                v["id"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or(""),
                v["nodes"]
            )
        })
        .chain(reflow)
        .chain(squeezed)
        .chain(controls)
        .chain(reversed)
        .chain(cut)
        .chain(layout)
        .collect()
}

/// Waits until the page the form was sent from has been replaced by a loaded one, or htmx
/// has settled the part it swapped in.
async fn wait_for_new_page(driver: &Driver, what: &str) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let v = driver
            .script(
                "return (window.__safirOld === undefined || window.__safirSettled === true)
                   && document.readyState === 'complete'",
                json!([]),
            )
            .await;
        if v == Value::Bool(true) {
            return;
        }
        assert!(Instant::now() < deadline, "{what} did not load a new page");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Walks the site from `start` in `lang`, auditing every kind of page once and each of its
/// forms sent empty, and checking that no link it follows ends on an error page; the
/// violations found, and the number of pages and forms audited.
async fn walk(
    driver: &Driver,
    axe: &str,
    base: &str,
    lang: &str,
    start: &[&str],
) -> (Vec<String>, usize, usize) {
    // `?lang=` saves the choice (in a cookie, and as a signed-in user's preference).
    driver.go(&format!("{base}/?lang={lang}")).await;
    let mut findings = Vec::new();
    let mut shapes = HashSet::new();
    // Each link to follow, with the page that offered it.
    let mut queue: VecDeque<(String, String)> = start
        .iter()
        .map(|s| (s.to_string(), "the walk's start".to_owned()))
        .collect();
    let (mut pages, mut forms) = (0, 0);
    // Links that ended on an error page, with the page that offered them.
    let mut dead_ends = Vec::new();
    while let Some((href, from)) = queue.pop_front() {
        if pages >= PAGES_PER_WALK {
            break;
        }
        if !shapes.insert(page_shape(&href)) {
            continue;
        }
        driver.go(&format!("{base}{href}")).await;
        // A link that redirected (to sign-in, say) lands on a page of another kind.
        let landed = driver.path().await;
        if landed != href.split(['?', '#']).next().unwrap_or("")
            && !shapes.insert(page_shape(&landed))
        {
            continue;
        }
        pages += 1;
        let html_lang = driver.html_attr("lang").await;
        assert_eq!(html_lang, lang, "{href} is not in the walk's language");
        let at = format!("{lang} {href}");
        // A link the page offers leads somewhere the viewer may go: never to "access
        // denied", "not found" or any other error page.
        let error = driver.script(ERROR_HEADING, json!([])).await;
        if error.is_string() {
            dead_ends.push((href.clone(), from.clone()));
        }
        findings.extend(audit(driver, axe, &at).await);
        let links = driver
            .script(
                "return Array.from(document.querySelectorAll('a[href]'), a => a.getAttribute('href'))",
                json!([]),
            )
            .await;
        let links: Vec<String> = links
            .as_array()
            .map(|l| {
                l.iter()
                    .filter_map(|h| h.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();

        // Each form of the page's main part, sent with its text emptied and the browser's own
        // checks off, as a server-side validation error is shown.
        let count = driver
            .script(
                "return document.querySelectorAll('main form[method=post]').length",
                json!([]),
            )
            .await
            .as_u64()
            .unwrap_or(0) as usize;
        let mut sent = 0;
        for k in 0..count {
            if sent >= FORMS_PER_PAGE {
                break;
            }
            driver.go(&format!("{base}{href}")).await;
            let action = driver
                .script(
                    "const f = document.querySelectorAll('main form[method=post]')[arguments[0]];
                     if (!f) return '';
                     const a = f.getAttribute('action') || location.pathname;
                     if (new RegExp(arguments[1]).test(a)) return '';
                     f.noValidate = true;
                     for (const i of f.querySelectorAll('input[type=text], input[type=email], input[type=tel], input[type=date], input[type=number], input:not([type]), textarea'))
                       i.value = '';
                     window.__safirOld = true;
                     // A form htmx sends swaps part of the page in place instead.
                     if (f.hasAttribute('hx-post'))
                       document.addEventListener('htmx:afterSettle', () => window.__safirSettled = true, {once: true});
                     f.requestSubmit();
                     return a;",
                    json!([k, LEAVE_ALONE]),
                )
                .await;
            let action = action.as_str().unwrap_or_default().to_owned();
            if action.is_empty() {
                continue;
            }
            wait_for_new_page(driver, &format!("sending {action} from {href}")).await;
            sent += 1;
            forms += 1;
            let at = format!("{lang} {href}, {action} sent empty");
            findings.extend(audit(driver, axe, &at).await);
        }
        queue.extend(
            links
                .into_iter()
                .filter(|h| followable(h))
                .map(|h| (h, href.clone())),
        );
    }
    // A form the walk sent may have taken away what a link led to (a crisis's presence form
    // closed since the home page was read): a dead end counts if the page that offered the
    // link still does and it still ends on an error page.
    for (href, from) in dead_ends {
        if from.starts_with('/') {
            driver.go(&format!("{base}{from}")).await;
            let offered = driver
                .script(
                    "return Array.from(document.querySelectorAll('a[href]'))
                       .some(a => a.getAttribute('href') === arguments[0]);",
                    json!([href]),
                )
                .await;
            if offered != Value::Bool(true) {
                continue;
            }
        }
        driver.go(&format!("{base}{href}")).await;
        let error = driver.script(ERROR_HEADING, json!([])).await;
        if let Some(error) = error.as_str() {
            findings.push(format!(
                "{lang} {href}: [serious] a link from {from} leads to an error page: {error}"
            ));
        }
    }
    (findings, pages, forms)
}

/// A window's width and height, in CSS pixels.
type Screen = (u32, u32);
/// Where a walk starts.
type Start = &'static [&'static str];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_page_and_its_form_errors_pass_axe_in_arabic_and_english() {
    let axe_path = std::env::var("SAFIR_AXE_JS").unwrap_or_default();
    let axe = match std::fs::read_to_string(&axe_path) {
        Ok(js) => js,
        Err(e) => {
            assert!(
                !safir_store::testing::required("axe"),
                "SAFIR_TEST_REQUIRE includes axe but SAFIR_AXE_JS ({axe_path:?}) cannot be read: {e}"
            );
            eprintln!("skipping the accessibility walk: SAFIR_AXE_JS does not name axe.min.js");
            return;
        }
    };
    let Some(driver) = Driver::start().await else {
        return;
    };
    let (dir, accounts, server) = serve_demo(
        "safir-a11y",
        &[
            // The demo alert's text messages go to a file, where the walk finds a check-in link.
            ("SAFIR_SMS_GATEWAY", "file"),
            // Every sign-in comes from one address.
            ("SAFIR_LOGIN_ATTEMPTS_PER_MINUTE", "1000"),
        ],
    );
    // The page a traveller in the flooded area opens from the alert's text message: one of
    // someone whose "I need help" opened a case, which shows all a check-in page can (the
    // answer, whom to call, the case and its conversation). The walk audits one page of a
    // kind; their text message may still be on its way.
    checkin_link(dir.path()).await;
    let deadline = std::time::Instant::now() + PATIENCE;
    let with_case: &'static str = 'found: loop {
        for link in checkin_links(dir.path()) {
            let page = reqwest::get(server.url(&link)).await.unwrap().text().await;
            if page.is_ok_and(|p| p.contains(r#"class="checkin-case""#)) {
                break 'found Box::leak(link.into_boxed_str());
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no demo check-in link shows a case opened by \"I need help\""
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    };

    // Visitors and citizens on a phone's screen (a citizen abroad in a crisis most likely has
    // nothing else), staff on a desk's.
    const PHONE: Screen = (390, 844);
    const DESK: Screen = (1280, 900);
    let walks: [(Option<&str>, Screen, Start); 7] = [
        (
            None,
            PHONE,
            Box::leak(Box::new([
                "/",
                "/sign-in",
                "/sign-up",
                "/password/forgot",
                with_case,
            ])),
        ),
        (
            Some("citizen@demo.safir.example"),
            PHONE,
            &["/account", "/consular"],
        ),
        (
            Some("consul.paris@demo.safir.example"),
            DESK,
            &["/staff", "/missions/PAR/cases"],
        ),
        // Consular officers work the queues from anywhere, a phone included.
        (
            Some("consul.dubai@demo.safir.example"),
            PHONE,
            &["/missions/DXB/cases"],
        ),
        (
            Some("duty.nairobi@demo.safir.example"),
            DESK,
            &["/staff", "/staff/crises"],
        ),
        // In a crisis the duty officer reads the welfare board from wherever they are.
        (
            Some("duty.nairobi@demo.safir.example"),
            PHONE,
            &["/staff/crises"],
        ),
        (
            Some("admin@demo.safir.example"),
            DESK,
            &["/staff", "/admin"],
        ),
    ];
    let mut findings = Vec::new();
    let mut totals: HashMap<&str, (usize, usize)> = HashMap::new();
    for (email, (width, height), start) in walks {
        driver
            .cmd(
                reqwest::Method::POST,
                "/window/rect",
                Some(json!({"width": width, "height": height})),
            )
            .await;
        driver.go(&server.url("/healthz")).await;
        driver.sign_in_demo(&server.base, &accounts, email).await;
        let who = email.unwrap_or("a visitor");
        let shown = driver.script("return window.innerWidth", json!([])).await;
        let shown = shown.as_u64().unwrap_or(0) as u32;
        assert!(
            shown <= width && shown + 40 >= width,
            "{who}: the window is {shown} pixels wide, not about {width}"
        );
        for lang in ["ar", "en"] {
            let (found, pages, forms) = walk(&driver, &axe, &server.base, lang, start).await;
            eprintln!(
                "{who}, {lang}: {pages} kinds of page, {forms} forms sent empty, {} violations",
                found.len()
            );
            // The walk reached the pages this account works on, not only where it started.
            assert!(
                pages >= 5,
                "{who}, {lang}: only {pages} kinds of page were reached"
            );
            let t = totals.entry(lang).or_default();
            t.0 += pages;
            t.1 += forms;
            findings.extend(found.into_iter().map(|f| format!("{who}, {f}")));
        }
    }
    for (lang, (pages, forms)) in &totals {
        assert!(*pages >= 60, "{lang}: only {pages} pages were audited");
        assert!(*forms >= 10, "{lang}: only {forms} forms were sent");
    }
    assert!(
        findings.is_empty(),
        "{} accessibility violations:\n{}",
        findings.len(),
        findings.join("\n")
    );
}
