//! A small WebDriver client for the browser stories (headless Chromium through chromedriver,
//! interface in Arabic) and readers for the `.eml` files the file mail transport writes.

#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{TempDir, free_port, sign_in_demo};

/// How long a page, a condition or an email may take before the test gives up.
pub const PATIENCE: Duration = Duration::from_secs(30);

pub struct Driver {
    child: Child,
    port: u16,
    base: String,
    session: String,
    http: reqwest::Client,
    /// The browser profile, removed once the browser is gone.
    _profile: TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Ending the session closes Chromium too, even when a failed assertion got here
        // first; killing chromedriver alone would leave the browser running.
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
            let _ = write!(
                s,
                "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                self.session
            );
            let _ = std::io::Read::read(&mut s, &mut [0u8; 256]);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find(cmds: &[&str]) -> Option<String> {
    cmds.iter()
        .find(|c| Path::new(c).exists())
        .map(|c| c.to_string())
}

impl Driver {
    /// A browser asking for Arabic pages, or `None` (after saying why) when Chromium or
    /// chromedriver is missing and the environment does not require the browser suite.
    pub async fn start() -> Option<Driver> {
        let required = safir_store::testing::required("browser");
        let (Some(driver), Some(chrome)) = (
            find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]),
            find(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]),
        ) else {
            assert!(
                !required,
                "SAFIR_TEST_REQUIRE includes browser but chromium/chromedriver are not installed"
            );
            eprintln!("skipping the browser test: chromium and chromedriver are not installed");
            return None;
        };
        let port = free_port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let http = crate::support::http();
        let deadline = Instant::now() + PATIENCE;
        while http.get(format!("{base}/status")).send().await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // One profile per browser: stories running side by side must not share one.
        let profile = TempDir::new("safir-chrome");
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chrome,
            "prefs": {"intl.accept_languages": "ar"},
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", "--lang=ar", format!("--user-data-dir={}", profile.path().display())]
        }}}});
        let res: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = res["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {res}"))
            .to_owned();
        Some(Driver {
            child,
            port,
            base,
            session,
            http,
            _profile: profile,
        })
    }

    /// Sends a WebDriver command and returns its value, or the error object when
    /// `tolerate_error` is set.
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        tolerate_error: bool,
    ) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let req = self.http.request(method, url);
        let req = match body {
            Some(b) => req.json(&b),
            None => req,
        };
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        if !tolerate_error && v["value"].get("error").is_some() {
            panic!("webdriver {path}: {v}");
        }
        v["value"].clone()
    }

    pub async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        self.send(method, path, body, false).await
    }

    /// Sends a Chrome DevTools Protocol command (an emulated position, a permission).
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        let body = serde_json::json!({"cmd": cmd, "params": params});
        self.cmd(reqwest::Method::POST, "/goog/cdp/execute", Some(body))
            .await
    }

    /// Forgets this browser's cookies and, given an `email`, signs it in as that demo account
    /// (`accounts` as `seed_demo` wrote them) on the server at `base`.
    pub async fn sign_in_demo(&self, base: &str, accounts: &str, email: Option<&str>) {
        self.cmd(reqwest::Method::DELETE, "/cookie", None).await;
        if let Some(email) = email {
            let cookie = sign_in_demo(base, accounts, email);
            let session =
                json!({"cookie": {"name": "safir_session", "value": cookie, "path": "/"}});
            self.cmd(reqwest::Method::POST, "/cookie", Some(session))
                .await;
        }
    }

    pub async fn go(&self, url: &str) {
        self.cmd(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    /// The element `value` finds with the WebDriver strategy `using`; fails showing the page.
    async fn locate(&self, using: &str, value: &str) -> String {
        let body = json!({"using": using, "value": value});
        let v = self
            .send(reqwest::Method::POST, "/element", Some(body), true)
            .await;
        if v.get("error").is_some() {
            let page = self.source().await;
            let at = self.current_url().await;
            let shown: String = page.chars().take(3000).collect();
            panic!("no element {value} on {at}:\n{shown}");
        }
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap()
            .to_owned()
    }

    pub async fn element(&self, css: &str) -> String {
        self.locate("css selector", css).await
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let el = self.element(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{el}/clear"),
            Some(json!({})),
        )
        .await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{el}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    /// Sets an input's value the way a picker would (input and change events), for inputs
    /// such as dates whose typed form depends on the browser's locale.
    pub async fn set_value(&self, css: &str, value: &str) {
        self.element(css).await;
        self.script(
            "const e = document.querySelector(arguments[0]); e.value = arguments[1];
             e.dispatchEvent(new Event('input', {bubbles: true}));
             e.dispatchEvent(new Event('change', {bubbles: true}));",
            json!([css, value]),
        )
        .await;
    }

    /// The current value of the input `css`.
    pub async fn value(&self, css: &str) -> String {
        self.element(css).await;
        let v = self
            .script(
                "return document.querySelector(arguments[0]).value",
                json!([css]),
            )
            .await;
        v.as_str().unwrap_or_default().to_owned()
    }

    /// The rendered text of the element `css`.
    pub async fn text(&self, css: &str) -> String {
        let el = self.element(css).await;
        self.cmd(reqwest::Method::GET, &format!("/element/{el}/text"), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Runs `script` in the page with `args` (a JSON array) and returns its result.
    pub async fn script(&self, script: &str, args: Value) -> Value {
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    /// Clicks something that changes the page in place (a radio button, a checkbox).
    pub async fn tap(&self, css: &str) {
        let el = self.element(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{el}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// Clicks and, since a click does not wait for the navigation it starts, waits until the
    /// old document is gone and the new one has loaded.
    pub async fn click(&self, css: &str) {
        self.click_and_wait("css selector", css).await;
    }

    /// Like `click`, for an element found by XPath (to pick a link or a button by its text).
    pub async fn click_xpath(&self, xpath: &str) {
        self.click_and_wait("xpath", xpath).await;
    }

    async fn click_and_wait(&self, using: &str, what: &str) {
        let old_root = self.element("html").await;
        let el = self.locate(using, what).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{el}/click"),
            Some(json!({})),
        )
        .await;
        let deadline = Instant::now() + PATIENCE;
        loop {
            let v = self
                .send(
                    reqwest::Method::GET,
                    &format!("/element/{old_root}/name"),
                    None,
                    true,
                )
                .await;
            if v.get("error").is_some() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "clicking {what} did not load a new page"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let deadline = Instant::now() + PATIENCE;
        loop {
            let state = self.script("return document.readyState", json!([])).await;
            if state == "complete" {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "page after {what} did not finish loading"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn source(&self) -> String {
        self.cmd(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn current_url(&self) -> String {
        self.cmd(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The path of the current page, without its query.
    pub async fn path(&self) -> String {
        let url = self.current_url().await;
        let after_host = url.splitn(4, '/').nth(3).unwrap_or("");
        format!("/{}", after_host.split(['?', '#']).next().unwrap_or(""))
    }

    pub async fn html_attr(&self, attr: &str) -> String {
        let v = self
            .script(
                &format!("return document.documentElement.getAttribute('{attr}')"),
                json!([]),
            )
            .await;
        v.as_str().unwrap_or_default().to_owned()
    }
}

/// Polls `check` every 200 ms until it gives a value; fails with `what` after `PATIENCE`.
pub async fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The finished messages (`*.eml`) written for `to`, in no particular order.
pub fn mails_to(mail_dir: &Path, to: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(mail_dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter(|text| text.contains(to))
        .collect()
}

/// The link in the newest `.eml` file written for `to` (the file mail transport).
pub fn link_from_mail(mail_dir: &Path, to: &str, path_prefix: &str) -> Option<String> {
    let mut found = None;
    for text in mails_to(mail_dir, to) {
        let decoded = decode_body(&text);
        if let Some(at) = decoded.find(path_prefix) {
            let start = decoded[..at].rfind("http").unwrap_or(at);
            let end = decoded[at..]
                .find(|c: char| c.is_whitespace())
                .map(|e| at + e)
                .unwrap_or(decoded.len());
            found = Some(decoded[start..end].to_owned());
        }
    }
    found
}

/// The message body as text, whichever transfer encoding the mailer chose.
pub fn decode_body(message: &str) -> String {
    let (headers, body) = split_message(message);
    let lower = headers.to_ascii_lowercase();
    if lower.contains("content-transfer-encoding: base64") {
        use base64::Engine;
        let joined: String = body.split_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(joined)
            .unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    } else if lower.contains("content-transfer-encoding: quoted-printable") {
        String::from_utf8_lossy(&quoted_printable_bytes(body, false)).into_owned()
    } else {
        body.to_owned()
    }
}

fn split_message(message: &str) -> (&str, &str) {
    message
        .split_once("\r\n\r\n")
        .or_else(|| message.split_once("\n\n"))
        .unwrap_or((message, ""))
}

/// The header `name` unfolded, with its RFC 2047 encoded words decoded.
pub fn header(message: &str, name: &str) -> Option<String> {
    let (headers, _) = split_message(message);
    let unfolded = headers
        .replace("\r\n", "\n")
        .replace("\n ", " ")
        .replace("\n\t", " ");
    let prefix = format!("{}:", name.to_ascii_lowercase());
    let raw = unfolded
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with(&prefix))?[prefix.len()..]
        .trim();
    // Adjacent encoded words join without the space between them, and their bytes are
    // decoded together since a character may be split across two words.
    let mut out = String::new();
    let mut pending: Vec<u8> = Vec::new();
    for token in raw.split(' ').filter(|t| !t.is_empty()) {
        match decode_encoded_word(token) {
            Some(bytes) => {
                if pending.is_empty() && !out.is_empty() {
                    out.push(' ');
                }
                pending.extend(bytes);
            }
            None => {
                if !pending.is_empty() {
                    out.push_str(&String::from_utf8_lossy(&pending));
                    pending.clear();
                }
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(token);
            }
        }
    }
    out.push_str(&String::from_utf8_lossy(&pending));
    Some(out)
}

/// The bytes of one `=?charset?B|Q?text?=` word (UTF-8 is all the mailer writes).
fn decode_encoded_word(token: &str) -> Option<Vec<u8>> {
    let inner = token.strip_prefix("=?")?.strip_suffix("?=")?;
    let mut parts = inner.splitn(3, '?');
    let (_charset, encoding, text) = (parts.next()?, parts.next()?, parts.next()?);
    match encoding {
        "B" | "b" => {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.decode(text).ok()
        }
        "Q" | "q" => Some(quoted_printable_bytes(text, true)),
        _ => None,
    }
}

/// Quoted-printable bytes; in an encoded word (`underscore_is_space`), `_` stands for a space.
fn quoted_printable_bytes(s: &str, underscore_is_space: bool) -> Vec<u8> {
    let joined = s.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && let Some(b) = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        if underscore_is_space && bytes[i] == b'_' {
            out.push(b' ');
        } else {
            out.push(bytes[i]);
        }
        i += 1;
    }
    out
}

#[test]
fn headers_decode_encoded_words_and_keep_the_space_before_them() {
    let message = "To: a@example.org\r\n\
        Subject: =?utf-8?b?2KPZg9mR2K8g2KjYsdmK2K/ZgyDYp9mE2KXZhNmD2KrYsdmI2YY=?=\r\n \
        =?utf-8?b?2Yog2YHZiiDYs9mB2YrYsQ==?=\r\n\r\nbody";
    assert_eq!(
        header(message, "subject").unwrap(),
        "أكّد بريدك الإلكتروني في سفير"
    );
    let message = "Subject: PAR-2026-000007: =?utf-8?b?2YXZgtiv2Y7ZkdmF?=\n\nbody";
    assert_eq!(header(message, "Subject").unwrap(), "PAR-2026-000007: مقدَّم");
    let message = "Subject: =?UTF-8?Q?caf=C3=A9_au_lait?= ok\n\n";
    assert_eq!(header(message, "Subject").unwrap(), "café au lait ok");
    assert_eq!(header(message, "From"), None);
}

/// The check-in pages (paths) the demo's text messages link to, oldest first.
pub fn checkin_links(data_dir: &Path) -> Vec<String> {
    let outbox = data_dir.join("sms").join("outbox.jsonl");
    std::fs::read_to_string(outbox)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|m| m["body"].as_str().map(str::to_owned))
        .filter_map(|body| {
            let at = body.find("/crisis/checkin/")?;
            Some(body[at..].split_whitespace().next()?.to_owned())
        })
        .collect()
}

/// The first check-in link of the demo's text messages, once the alert's are written.
pub async fn checkin_link(data_dir: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(link) = checkin_links(data_dir).into_iter().next() {
            return link;
        }
        assert!(
            Instant::now() < deadline,
            "no check-in link in {}",
            data_dir.join("sms").join("outbox.jsonl").display()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
