//! The real application in process, driven through `tower::ServiceExt::oneshot`: a fresh
//! database per test (SQLite, and PostgreSQL when configured), a client with a cookie jar,
//! form tokens read from the page like a browser would, and fixtures for each role.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use safir_domain::CountryCode;
use safir_domain::Lang as ContentLang;
use safir_domain::accounts::{AccountKind, DisplayName, Email, Password};
use safir_domain::mission::{MissionCode, MissionKind, TimeZoneName};
use safir_domain::roles::{Role, Scope};
use safir_store::accounts::{self, grants, password, totp};
use safir_store::missions::{self, MissionInput};
use safir_store::testing::TestDb;
use safir_store::{Db, with_pool};
use safir_web::app;
use safir_web::auth::RouteInfo;
use safir_web::state::{AppState, WebConfig};
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery staple";
pub const ORIGIN: &str = "http://safir.test";

pub struct TestApp {
    pub router: Router,
    pub routes: Vec<RouteInfo>,
    pub state: AppState,
    pub db: Db,
    pub test_db: TestDb,
}

/// A staff or public account made by a fixture.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub email: String,
    pub totp_secret: Option<String>,
}

impl TestApp {
    pub async fn new(test_db: TestDb) -> TestApp {
        Self::with_config(test_db, WebConfig::default()).await
    }

    /// An app with `config` (its public URL set to the tests' origin).
    pub async fn with_config(test_db: TestDb, config: WebConfig) -> TestApp {
        let config = WebConfig {
            public_url: ORIGIN.to_owned(),
            ..config
        };
        TestApp::exactly(test_db, config).await
    }

    /// An app with `config` as it is.
    pub async fn exactly(test_db: TestDb, config: WebConfig) -> TestApp {
        let db = test_db.db.clone();
        let state = AppState::new(db.clone(), config).await.expect("app state");
        let (router, routes) = app::build(state.clone());
        TestApp {
            router,
            routes,
            state,
            db,
            test_db,
        }
    }

    pub async fn sqlite() -> TestApp {
        TestApp::new(TestDb::sqlite().await).await
    }

    /// SQLite, plus PostgreSQL when `SAFIR_TEST_DATABASE_URL` is set.
    pub async fn all() -> Vec<TestApp> {
        let mut out = Vec::new();
        for db in TestDb::all().await {
            out.push(TestApp::new(db).await);
        }
        out
    }

    pub fn backend(&self) -> safir_store::Backend {
        self.db.backend()
    }

    pub fn client(&self) -> Client<'_> {
        Client {
            app: self,
            cookies: HashMap::new(),
            lang: None,
        }
    }

    pub async fn mission(&self, code: &str, country: &str) -> String {
        self.mission_in_zone(code, country, "UTC").await
    }

    /// A mission as [`TestApp::mission`] makes them, in time zone `zone`.
    pub async fn mission_in_zone(&self, code: &str, country: &str, zone: &str) -> String {
        let mut input = Self::mission_input(code, country);
        input.time_zone = TimeZoneName::parse(zone).unwrap();
        let mut tx = self.db.begin().await.unwrap();
        let id = missions::create(&mut tx, &input).await.unwrap();
        tx.commit().await.unwrap();
        id.to_string()
    }

    /// Gives mission `id` (made by [`TestApp::mission`]) another code, as an admin may.
    pub async fn rename_mission(&self, id: &str, code: &str, country: &str) {
        let mut tx = self.db.begin().await.unwrap();
        missions::update(&mut tx, id, &Self::mission_input(code, country))
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }

    fn mission_input(code: &str, country: &str) -> MissionInput {
        MissionInput {
            code: MissionCode::parse(code).unwrap(),
            kind: MissionKind::Embassy,
            name_ar: format!("بعثة {code}"),
            name_en: format!("Mission {code}"),
            country: CountryCode::parse(country).unwrap(),
            city_ar: "مدينة".into(),
            city_en: "City".into(),
            languages: vec![ContentLang::Ar, ContentLang::En],
            time_zone: TimeZoneName::parse("UTC").unwrap(),
            email: None,
            phone: None,
            address: None,
        }
    }

    /// A verified public account.
    pub async fn public_user(&self, email: &str) -> Account {
        self.user(email, AccountKind::Public, &[]).await
    }

    /// A public account later granted `roles` (an administrator may grant roles to any
    /// account), its TOTP enabled as the roles require.
    pub async fn public_with_roles(&self, email: &str, roles: &[(Role, Option<&str>)]) -> Account {
        self.user(email, AccountKind::Public, roles).await
    }

    /// A staff account with TOTP enabled and the given grants (`None` scope = ministry-wide).
    pub async fn staff(&self, email: &str, roles: &[(Role, Option<&str>)]) -> Account {
        self.user(email, AccountKind::Staff, roles).await
    }

    async fn user(
        &self,
        email: &str,
        kind: AccountKind,
        roles: &[(Role, Option<&str>)],
    ) -> Account {
        let e = Email::parse(email).unwrap();
        let name = DisplayName::parse("Test User").unwrap();
        let hash = password::hash(&Password::parse(PASSWORD).unwrap()).await;
        let mut tx = self.db.begin().await.unwrap();
        let id = accounts::create_user(
            &mut tx,
            &accounts::NewUser {
                email: &e,
                display_name: &name,
                password_hash: &hash,
                kind,
                lang: ContentLang::En,
                email_verified: true,
                request_key: None,
            },
        )
        .await
        .unwrap()
        .to_string();
        for (role, mission) in roles {
            let scope = match mission {
                None => Scope::Ministry,
                Some(m) => {
                    Scope::Mission(safir_domain::ids::MissionId::from_trusted(m.to_string()))
                }
            };
            grants::grant(&mut tx, &id, *role, &scope, None)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        let totp_secret = if kind == AccountKind::Staff || !roles.is_empty() {
            let secret = totp::generate_secret();
            accounts::set_pending_totp(&self.db, &id, &secret)
                .await
                .unwrap();
            let mut tx = self.db.begin().await.unwrap();
            accounts::enable_totp(&mut tx, &id, &[]).await.unwrap();
            tx.commit().await.unwrap();
            Some(secret)
        } else {
            None
        };
        Account {
            id,
            email: email.to_owned(),
            totp_secret,
        }
    }

    /// Payloads of `email.send` jobs to `to`, oldest first.
    pub async fn emails_to(&self, to: &str) -> Vec<safir_web::email::OutgoingEmail> {
        let rows: Vec<String> = with_pool!(self.db.read(), p => {
            sqlx::query_scalar("SELECT payload FROM jobs WHERE kind = 'email.send' ORDER BY created_at, id").fetch_all(p).await
        })
        .unwrap();
        rows.iter()
            .filter_map(|r| serde_json::from_str::<safir_web::email::OutgoingEmail>(r).ok())
            .filter(|e| e.to == to)
            .collect()
    }

    pub async fn audit_actions(&self) -> Vec<String> {
        with_pool!(self.db.read(), p => {
            sqlx::query_scalar("SELECT action FROM audit_log ORDER BY seq").fetch_all(p).await
        })
        .unwrap()
    }

    /// The summaries of the trail's records of `action`, oldest first.
    pub async fn audit_summaries(&self, action: &str) -> Vec<serde_json::Value> {
        let rows: Vec<String> = with_pool!(self.db.read(), p => {
            sqlx::query_scalar("SELECT summary FROM audit_log WHERE action = $1 ORDER BY seq")
                .bind(action)
                .fetch_all(p)
                .await
        })
        .unwrap();
        rows.iter()
            .map(|s| serde_json::from_str(s).unwrap())
            .collect()
    }
}

/// A browser: keeps cookies, sends the same-origin headers a browser sends.
pub struct Client<'a> {
    pub app: &'a TestApp,
    pub cookies: HashMap<String, String>,
    pub lang: Option<&'static str>,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    /// The value of the first form token in the page.
    pub fn csrf_token(&self) -> Option<String> {
        let at = self.body.find("name=\"csrf_token\"")?;
        let rest = &self.body[at..];
        let v = rest.find("value=\"")? + 7;
        let end = rest[v..].find('"')?;
        Some(rest[v..v + end].to_owned())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A unique email address for a test.
pub fn unique_email(prefix: &str) -> String {
    format!(
        "{prefix}{}@example.org",
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl Client<'_> {
    /// Sends `req`; an HTML answer must pass `html_checks` (unique ids, field errors linked
    /// to their fields), whatever the test asks of it.
    pub async fn send(&mut self, req: Request<Body>) -> TestResponse {
        let target = format!("{} {}", req.method(), req.uri());
        let res = self.app.router.clone().oneshot(req).await.unwrap();
        for v in res.headers().get_all(header::SET_COOKIE) {
            if let Ok(s) = v.to_str()
                && let Some((pair, attrs)) = s.split_once(';').or(Some((s, "")))
                && let Some((k, val)) = pair.split_once('=')
            {
                if attrs.contains("Max-Age=0") || val.is_empty() {
                    self.cookies.remove(k.trim());
                } else {
                    self.cookies
                        .insert(k.trim().to_owned(), val.trim().to_owned());
                }
            }
        }
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        let res = TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        };
        let is_html = res
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        if is_html {
            let problems = crate::html_checks::problems(&res.body);
            assert!(
                problems.is_empty(),
                "{target} ({}): {problems:#?}",
                res.status
            );
        }
        res
    }

    fn request(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "safir.test");
        if !self.cookies.is_empty() {
            let c: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            b = b.header(header::COOKIE, c.join("; "));
        }
        if let Some(l) = self.lang {
            b = b.header(header::ACCEPT_LANGUAGE, l);
        }
        b
    }

    /// A GET whose body is kept as bytes (PDFs, images).
    pub async fn get_bytes(&mut self, path: &str) -> Vec<u8> {
        let req = self.request("GET", path).body(Body::empty()).unwrap();
        let res = self.app.router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec()
    }

    /// A GET with extra headers whose answer is kept as it came: status, headers and the
    /// bytes of the body, still encoded (gzip) if it was.
    pub async fn get_raw(
        &mut self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let mut req = self.request("GET", path);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let res = self
            .app
            .router
            .clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let (parts, body) = res.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        (parts.status, parts.headers, bytes.to_vec())
    }

    pub async fn get(&mut self, path: &str) -> TestResponse {
        self.get_with(path, &[]).await
    }

    /// A GET with extra headers (where the browser says the request came from, say).
    pub async fn get_with(&mut self, path: &str, headers: &[(&str, &str)]) -> TestResponse {
        let mut req = self.request("GET", path);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// Posts a form as a browser would from a page of this site (Origin set), with `token`.
    pub async fn post_form_with_token(
        &mut self,
        path: &str,
        token: &str,
        fields: &[(&str, &str)],
    ) -> TestResponse {
        self.post_form_with(path, token, fields, &[]).await
    }

    /// [`Self::post_form_with_token`] with extra headers (the page it was sent from, say).
    pub async fn post_form_with(
        &mut self,
        path: &str,
        token: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let req = self.form_request(path, token, fields, headers);
        self.send(req).await
    }

    /// The request [`Self::post_form_with`] sends, to send later (requests sent at once).
    pub fn form_request(
        &self,
        path: &str,
        token: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Request<Body> {
        let mut body: Vec<(String, String)> = vec![("csrf_token".into(), token.into())];
        body.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let encoded: String = body
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut req = self
            .request("POST", path)
            .header(header::ORIGIN, ORIGIN)
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        req.body(Body::from(encoded)).unwrap()
    }

    /// Loads `form_page`, takes its form token, and posts `fields` to `path`.
    pub async fn submit(
        &mut self,
        form_page: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> TestResponse {
        let page = self.get(form_page).await;
        let token = page
            .csrf_token()
            .unwrap_or_else(|| panic!("no form token on {form_page}: {}", page.status));
        self.post_form_with_token(path, &token, fields).await
    }

    /// The form token and the form's own key (`request_key`) on the page at `path`.
    pub async fn form_key(&mut self, path: &str) -> (String, String) {
        let page = self.get(path).await;
        let key = value_after(&page.body, r#"name="request_key" value=""#).to_owned();
        assert_eq!(key.len(), 32, "a form key on {path}");
        (page.csrf_token().unwrap(), key)
    }

    /// Writes `text` on the case whose page is `case_page`, as whoever is signed in: the
    /// applicant from their account's case page, staff from the mission's.
    pub async fn write_on_case(&mut self, case_page: &str, text: &str) -> TestResponse {
        self.submit(
            case_page,
            &format!("{case_page}/messages"),
            &[("message", text)],
        )
        .await
    }

    /// Signs in with email and password, and the TOTP code when the account has one.
    pub async fn sign_in(&mut self, account: &Account) {
        let res = self
            .submit(
                "/sign-in",
                "/sign-in",
                &[("email", &account.email), ("password", PASSWORD)],
            )
            .await;
        assert!(
            res.status.is_redirection(),
            "sign-in failed: {} {}",
            res.status,
            res.body
        );
        if let Some(secret) = &account.totp_secret {
            let code = fresh_totp_code(&account.id, secret);
            let res = self
                .submit(
                    "/sign-in/two-factor",
                    "/sign-in/two-factor",
                    &[("code", &code)],
                )
                .await;
            assert!(
                res.status.is_redirection(),
                "two-factor failed: {} {}",
                res.status,
                res.body
            );
        }
    }

    /// Sends JSON with a bearer token (the API).
    pub async fn api(
        &mut self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> TestResponse {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "safir.test")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::ACCEPT, "application/json");
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string()))
                .unwrap(),
            None => req.body(Body::empty()).unwrap(),
        };
        self.send(req).await
    }
}

impl Client<'_> {
    /// An API request as a program would send it: an optional bearer token, a raw body with
    /// its content type, `Accept-Language` from `lang`, no cookies.
    pub async fn api_raw(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: &str,
    ) -> TestResponse {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "safir.test")
            .header(header::ACCEPT, "application/json");
        if let Some(token) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        if let Some(l) = self.lang {
            req = req.header(header::ACCEPT_LANGUAGE, l);
        }
        let req = req.body(Body::from(body.to_owned())).unwrap();
        self.send(req).await
    }
}

/// A TOTP code the server has not accepted for this account yet. The replay guard refuses a
/// time step used before, so a second sign-in within one 30-second step uses the next step's
/// code (the server accepts one step of clock drift either way).
pub fn fresh_totp_code(account_id: &str, secret: &str) -> String {
    static USED: std::sync::Mutex<Option<HashMap<String, u64>>> = std::sync::Mutex::new(None);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let step = now / 30;
    let mut guard = USED.lock().unwrap_or_else(|e| e.into_inner());
    let used = guard.get_or_insert_with(HashMap::new);
    let pick = match used.get(account_id).copied() {
        Some(last) if last > step => panic!("{account_id}: more than two TOTP sign-ins in 30 s"),
        Some(last) if last == step => step + 1,
        _ => step,
    };
    used.insert(account_id.to_owned(), pick);
    totp::code_at(secret, pick * 30).unwrap()
}

pub fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The text of a PDF as poppler's `pdftotext` extracts it; `None` when it is not installed
/// and the environment does not demand it.
pub fn pdftotext(pdf: &[u8]) -> Option<String> {
    let path = std::env::temp_dir().join(format!(
        "safir-decision-{}.pdf",
        uuid::Uuid::now_v7().as_simple()
    ));
    std::fs::write(&path, pdf).ok()?;
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output();
    let _ = std::fs::remove_file(&path);
    match out {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        _ => {
            assert!(
                !safir_store::testing::required("pdftotext"),
                "SAFIR_TEST_REQUIRE includes pdftotext but it is not installed"
            );
            eprintln!("skipping a PDF text check: pdftotext is not installed");
            None
        }
    }
}

/// A time zone whose calendar is on another day than UTC's right now, and that day: fourteen
/// hours ahead (Kiritimati) or, when that is still today in UTC, twelve hours behind. A test
/// of "the mission's day, not UTC's" then tells the two apart whatever the hour it runs.
pub fn zone_on_another_day() -> (&'static str, chrono::NaiveDate) {
    let now = chrono::Utc::now();
    let ahead = (now + chrono::Duration::hours(14)).date_naive();
    let picked = if ahead != now.date_naive() {
        ("Pacific/Kiritimati", ahead)
    } else {
        (
            "Etc/GMT+12",
            (now - chrono::Duration::hours(12)).date_naive(),
        )
    };
    assert_ne!(picked.1, now.date_naive());
    picked
}

/// The attribute value that follows `marker` in `body`, up to its closing quote.
pub fn value_after<'a>(body: &'a str, marker: &str) -> &'a str {
    let start = body
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not in page"))
        + marker.len();
    let rest = &body[start..];
    &rest[..rest.find('"').unwrap()]
}

/// Owned form fields as [`Client::submit`] takes them.
pub fn borrowed<'a, 'k>(fields: &'a [(&'k str, String)]) -> Vec<(&'k str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}
