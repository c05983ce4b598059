//! The core account story in a real headless Chromium, through chromedriver: sign up, verify
//! the email from the captured message, sign in with two-factor, switch Arabic/English and
//! check the direction, sign out.
//!
//! Needs Debian's `chromium` and `chromium-driver`; skipped without them unless
//! `SAFIR_TEST_REQUIRE` includes `browser`.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{Server, TempDir, free_port};

struct Driver {
    child: Child,
    base: String,
    session: String,
    http: reqwest::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find(cmds: &[&str]) -> Option<String> {
    cmds.iter()
        .find(|c| std::path::Path::new(c).exists())
        .map(|c| c.to_string())
}

impl Driver {
    async fn start() -> Option<Driver> {
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
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while http.get(format!("{base}/status")).send().await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = std::env::temp_dir().join(format!("safir-chrome-{}", std::process::id()));
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chrome,
            "prefs": {"intl.accept_languages": "ar"},
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", "--lang=ar", format!("--user-data-dir={}", profile.display())]
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
            base,
            session,
            http,
        })
    }

    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let req = self.http.request(method, url);
        let req = match body {
            Some(b) => req.json(&b),
            None => req,
        };
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        if v["value"].get("error").is_some() {
            panic!("webdriver {path}: {v}");
        }
        v["value"].clone()
    }

    async fn go(&self, url: &str) {
        self.cmd(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    async fn element(&self, css: &str) -> String {
        let url = format!("{}/session/{}/element", self.base, self.session);
        let body = json!({"using": "css selector", "value": css});
        let v: Value = self
            .http
            .post(url)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if v["value"].get("error").is_some() {
            let page = self.source().await;
            let at = self.current_url().await;
            panic!(
                "no element {css} on {at}:\n{}",
                &page[..page.len().min(3000)]
            );
        }
        v["value"]
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap()
            .to_owned()
    }

    async fn fill(&self, css: &str, text: &str) {
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

    /// Clicks and, since a click does not wait for the navigation it starts, waits until the
    /// old document is gone and the new one has loaded.
    async fn click(&self, css: &str) {
        let old_root = self.element("html").await;
        let el = self.element(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{el}/click"),
            Some(json!({})),
        )
        .await;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let url = format!(
                "{}/session/{}/element/{old_root}/name",
                self.base, self.session
            );
            let v: Value = self
                .http
                .get(url)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if v["value"].get("error").is_some() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "clicking {css} did not load a new page"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let state = self
                .cmd(
                    reqwest::Method::POST,
                    "/execute/sync",
                    Some(json!({"script": "return document.readyState", "args": []})),
                )
                .await;
            if state == "complete" {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "page after {css} did not finish loading"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn source(&self) -> String {
        self.cmd(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    async fn current_url(&self) -> String {
        self.cmd(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The path of the current page, without its query.
    async fn path(&self) -> String {
        let url = self.current_url().await;
        let after_host = url.splitn(4, '/').nth(3).unwrap_or("");
        format!("/{}", after_host.split(['?', '#']).next().unwrap_or(""))
    }

    async fn html_attr(&self, attr: &str) -> String {
        let v = self
            .cmd(reqwest::Method::POST, "/execute/sync", Some(json!({"script": format!("return document.documentElement.getAttribute('{attr}')"), "args": []})))
            .await;
        v.as_str().unwrap_or_default().to_owned()
    }
}

/// The link in the newest `.eml` file written for `to` (the file mail transport).
fn link_from_mail(mail_dir: &std::path::Path, to: &str, path_prefix: &str) -> Option<String> {
    let mut found = None;
    for e in std::fs::read_dir(mail_dir).ok()? {
        let text = std::fs::read_to_string(e.ok()?.path()).ok()?;
        if !text.contains(to) {
            continue;
        }
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
fn decode_body(message: &str) -> String {
    let (headers, body) = message
        .split_once("\r\n\r\n")
        .or_else(|| message.split_once("\n\n"))
        .unwrap_or((message, ""));
    let lower = headers.to_ascii_lowercase();
    if lower.contains("content-transfer-encoding: base64") {
        use base64::Engine;
        let joined: String = body.split_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(joined)
            .unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    } else if lower.contains("content-transfer-encoding: quoted-printable") {
        decode_quoted_printable(body)
    } else {
        body.to_owned()
    }
}

fn decode_quoted_printable(s: &str) -> String {
    let joined = s.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_verify_two_factor_languages_and_sign_out_in_chromium() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let data = TempDir::new("safir-browser");
    let d = data.path().display().to_string();
    let server = Server::start(
        &["serve"],
        &[("SAFIR_DATA_DIR", &d), ("SAFIR_MAIL_TRANSPORT", "file")],
    );

    // Sign up (the interface starts in Arabic, right to left).
    driver.go(&server.url("/sign-up")).await;
    assert_eq!(driver.html_attr("dir").await, "rtl");
    let email = "browser.user@example.org";
    driver
        .fill("input[name=display_name]", "مستخدم المتصفح")
        .await;
    driver.fill("input[name=email]", email).await;
    driver
        .fill("input[name=password]", "a long browser passphrase")
        .await;
    driver
        .fill("input[name=password_confirm]", "a long browser passphrase")
        .await;
    driver
        .click("form[action='/sign-up'] button[type=submit]")
        .await;
    assert_eq!(driver.path().await, "/account");

    // Verify the email from the captured message.
    let mail_dir = data.path().join("mail");
    let deadline = Instant::now() + Duration::from_secs(30);
    let link = loop {
        if let Some(l) = link_from_mail(&mail_dir, email, "/verify-email?token=") {
            break l;
        }
        assert!(Instant::now() < deadline, "no verification email arrived");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    driver.go(&link).await;
    let page = driver.source().await;
    assert!(!page.contains("invalid"), "verification failed: {page}");

    // Turn on two-factor, read the secret from the page, confirm with a code.
    driver.go(&server.url("/account/two-factor/setup")).await;
    let page = driver.source().await;
    let secret = page
        .split("secret=")
        .nth(1)
        .and_then(|s| s.split(['&', '"', '<']).next())
        .expect("the setup page shows the otpauth secret")
        .to_owned();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let code = safir_store::accounts::totp::code_at(&secret, now).unwrap();
    driver.fill("input[name=code]", &code).await;
    driver
        .click("form[action='/account/two-factor/setup'] button[type=submit]")
        .await;

    // Sign out, then sign in again with the password and the next code.
    driver.go(&server.url("/account")).await;
    driver
        .click("form[action='/sign-out'] button[type=submit]")
        .await;
    driver.go(&server.url("/sign-in")).await;
    driver.fill("input[name=email]", email).await;
    driver
        .fill("input[name=password]", "a long browser passphrase")
        .await;
    driver
        .click("form[action='/sign-in'] button[type=submit]")
        .await;
    assert_eq!(driver.path().await, "/sign-in/two-factor");
    let code = safir_store::accounts::totp::code_at(&secret, now + 30).unwrap();
    driver.fill("input[name=code]", &code).await;
    driver
        .click("form[action='/sign-in/two-factor'] button[type=submit]")
        .await;
    assert_eq!(driver.path().await, "/account");

    // Switch languages with the switcher link.
    assert_eq!(driver.html_attr("lang").await, "ar");
    driver.click(".lang-switch a").await;
    assert_eq!(driver.html_attr("lang").await, "en");
    assert_eq!(driver.html_attr("dir").await, "ltr");
    driver.click(".lang-switch a").await;
    assert_eq!(driver.html_attr("dir").await, "rtl");

    // Sign out: the account page now asks to sign in.
    driver
        .click("form[action='/sign-out'] button[type=submit]")
        .await;
    driver.go(&server.url("/account")).await;
    assert_eq!(driver.path().await, "/sign-in");
    let _ = driver.cmd(reqwest::Method::DELETE, "", None).await;
}
