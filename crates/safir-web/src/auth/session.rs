//! Sessions: the `safir_session` cookie resolved once per request into a [`Viewer`].

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use safir_domain::roles::Grants;
use safir_store::accounts::{self, grants, secrets, sessions, tokens};

use super::cache::CachedViewer;
use crate::error::AppError;
use crate::error::{DrawnErrorPage, DrawsErrorPages};
use crate::i18n::{Lang, PreferredLang};
use crate::page::Page;
use crate::security::client_ip;
use crate::security::csrf::sent_from_this_site;
use crate::staff::labels::content_lang;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "safir_session";
/// Binds CSRF tokens for visitors without a session (sign-up, sign-in forms).
pub const ANON_COOKIE: &str = "safir_anon";

/// A signed-in user as the handlers see them.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: accounts::User,
    pub grants: Grants,
    /// The session's stored id hash (absent for API tokens).
    pub session_id_hash: Option<String>,
    /// The session passed the second factor (or the account needs none).
    pub mfa_passed: bool,
    /// Scopes of the API token used, when the request came with one.
    pub api_scopes: Option<Vec<String>>,
}

impl CurrentUser {
    pub fn id(&self) -> &str {
        &self.user.id
    }

    /// Staff, and anyone who turned two-factor on, need the second factor before they reach
    /// anything but the 2FA pages (`mfa_passed` is already true for accounts that need none).
    pub fn needs_second_factor(&self) -> bool {
        !self.mfa_passed
    }

    /// A session (not an API token) of an account whose password an administrator set: past
    /// any second factor, it reaches only the page to choose a password of one's own (see
    /// `access::enforce`). Such an account holds no API token: an administrator's reset
    /// revokes them, a new account has none, and the page that makes them is out of reach.
    pub fn must_change_password(&self) -> bool {
        self.api_scopes.is_none() && self.user.must_change_password()
    }

    /// A staff account, or one granted a staff role: keeps its second factor, and its own
    /// account's changes go to the audit trail.
    pub fn is_staff(&self) -> bool {
        self.user.is_staff() || self.grants.is_staff()
    }
}

/// The request's viewer, put into the request extensions by [`load_viewer`].
#[derive(Debug, Clone)]
pub enum Viewer {
    /// Shared: every extractor of the request takes the same user, no copy of it.
    User(Arc<CurrentUser>),
    /// No session; the value of the anonymous cookie (new or existing).
    Anonymous(Anonymous),
}

#[derive(Debug, Clone)]
pub struct Anonymous {
    pub anon_id: String,
    /// Set when this request created the cookie, so the response must send it.
    pub is_new: bool,
}

impl Viewer {
    pub fn user(&self) -> Option<&CurrentUser> {
        match self {
            Viewer::User(u) => Some(u),
            Viewer::Anonymous(_) => None,
        }
    }

    /// What CSRF tokens are bound to: the session, else the anonymous cookie.
    pub fn csrf_binding(&self) -> &str {
        match self {
            Viewer::User(u) => u.session_id_hash.as_deref().unwrap_or(&u.user.id),
            Viewer::Anonymous(a) => &a.anon_id,
        }
    }
}

pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Builds a `Set-Cookie` value: HttpOnly, SameSite=Lax, Secure behind TLS.
pub fn cookie_header(name: &str, value: &str, max_age_secs: Option<i64>, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age_secs {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// The viewer a request's bearer token or session cookie stands for, and whether this request
/// slid the session's expiry forward (see `sessions::touch`).
async fn resolve(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(Arc<CurrentUser>, bool)>, AppError> {
    let cache = &state.auth_cache;
    let now = safir_store::now();
    if let Some(secret) = bearer(headers) {
        let key = secrets::hash_secret(secret);
        if let Some(hit) = cache.token(&key, now) {
            return Ok(Some((hit.user, false)));
        }
        let _reading = cache.token_reader(&key).await;
        if let Some(hit) = cache.token(&key, now) {
            return Ok(Some((hit.user, false)));
        }
        let ticket = cache.token_ticket();
        let Some(tok) = tokens::authenticate_api_token(&state.db, secret)
            .await
            .map_err(AppError::internal)?
        else {
            return Err(AppError::Unauthenticated);
        };
        let user = accounts::find_user(&state.db, &tok.user_id)
            .await
            .map_err(AppError::internal)?;
        if user.disabled_at.is_some() {
            return Err(AppError::Unauthenticated);
        }
        let grants = grants::grants_for_user(&state.db, &user.id)
            .await
            .map_err(AppError::internal)?;
        let scopes = tok.scope_list().map(str::to_owned).collect();
        let current = Arc::new(CurrentUser {
            user,
            grants,
            session_id_hash: None,
            mfa_passed: true,
            api_scopes: Some(scopes),
        });
        let cached = CachedViewer {
            user: Arc::clone(&current),
            expires_at: tok.expires_at,
        };
        cache.put_token(ticket, key, cached);
        return Ok(Some((current, false)));
    }
    let Some(secret) = cookie_value(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let key = secrets::hash_secret(secret);
    if let Some(hit) = cache.session(&key, now) {
        return Ok(Some((hit.user, false)));
    }
    let _reading = cache.session_reader(&key).await;
    if let Some(hit) = cache.session(&key, now) {
        return Ok(Some((hit.user, false)));
    }
    let ticket = cache.session_ticket();
    let Some((session, user)) = sessions::find_with_user(&state.db, secret)
        .await
        .map_err(AppError::internal)?
    else {
        return Ok(None);
    };
    if user.disabled_at.is_some() {
        return Ok(None);
    }
    let slid = sessions::touch(&state.db, &session, state.config.session_ttl)
        .await
        .map_err(AppError::internal)?;
    let grants = grants::grants_for_user(&state.db, &user.id)
        .await
        .map_err(AppError::internal)?;
    let mfa_passed = session.mfa_passed || !grants.requires_two_factor() && !user.totp_enabled();
    let current = Arc::new(CurrentUser {
        user,
        grants,
        session_id_hash: Some(session.id_hash),
        mfa_passed,
        api_scopes: None,
    });
    cache.put_session(
        ticket,
        key,
        CachedViewer {
            user: Arc::clone(&current),
            expires_at: Some(session.expires_at),
        },
    );
    Ok(Some((current, slid)))
}

/// A signed-in user who picks a language with the switcher (`?lang=` on a page) keeps it on the
/// pages after: it becomes their saved language, which otherwise wins over the cookie the
/// switcher sets. Only for a session past its second factor (not an API token), and only when
/// the link was followed on this site (or typed): a link on another site that carries `?lang=`
/// shows its page in that language without changing what is saved.
async fn keep_chosen_language(
    state: &AppState,
    user: &mut Arc<CurrentUser>,
    lang: Lang,
    client_ip: Option<String>,
) {
    if user.api_scopes.is_some() || user.needs_second_factor() {
        return;
    }
    let staff = user.is_staff();
    if save_chosen_language(state, (&user.user, staff), lang, "switcher", client_ip).await {
        // This request's copy; the cached one goes with the write (see `auth::cache`).
        Arc::make_mut(user).user.preferred_lang = lang.code().to_owned();
    }
}

/// Saves `lang`, chosen with the switcher (`via`: `switcher` on a signed-in page, `sign-in` for
/// the choice made on this device before signing in), as the user's language when it is not
/// already. A staff member's change is audited like one made on the account page or through
/// the API. A failure to save is logged, and the page is still shown in the chosen language.
/// Whether it was saved.
pub(crate) async fn save_chosen_language(
    state: &AppState,
    (user, staff): (&accounts::User, bool),
    lang: Lang,
    via: &str,
    client_ip: Option<String>,
) -> bool {
    if Lang::parse(&user.preferred_lang) == Some(lang) {
        return false;
    }
    let saved = async {
        let mut tx = state.db.begin().await?;
        accounts::update_profile(&mut tx, &user.id, None, Some(content_lang(lang))).await?;
        crate::api::me::record_profile_update(
            &mut tx,
            (user, staff),
            None,
            Some(lang),
            via,
            client_ip,
        )
        .await?;
        tx.commit().await
    };
    match saved.await {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, "could not save the language chosen with the switcher");
            false
        }
    }
}

/// Middleware: resolves the viewer once and, for signed-in users, their saved language.
pub async fn load_viewer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let mut slid = false;
    let viewer = match resolve(&state, req.headers()).await {
        Ok(Some((mut user, session_slid))) => {
            slid = session_slid;
            if let Some(lang) = crate::i18n::query_lang(req.uri())
                && req.method() == Method::GET
                && sent_from_this_site(req.headers(), &state.security())
            {
                let peer = req
                    .extensions()
                    .get::<ConnectInfo<SocketAddr>>()
                    .map(|c| c.0);
                let ip = client_ip(req.headers(), peer, state.config.trusted_proxy);
                keep_chosen_language(&state, &mut user, lang, ip.map(|ip| ip.to_string())).await;
            }
            // Half signed in (the code still to come), the person is not yet known to be the
            // account's owner: their pages follow this device's choice, as the sign-in page did.
            if let Some(lang) = Lang::parse(&user.user.preferred_lang)
                && !user.needs_second_factor()
            {
                req.extensions_mut().insert(PreferredLang(lang));
            }
            Viewer::User(user)
        }
        Ok(None) => match cookie_value(req.headers(), ANON_COOKIE) {
            Some(v) if v.len() >= 32 && v.len() <= 64 => Viewer::Anonymous(Anonymous {
                anon_id: v.to_owned(),
                is_new: false,
            }),
            _ => Viewer::Anonymous(Anonymous {
                anon_id: safir_store::accounts::secrets::new_secret(),
                is_new: true,
            }),
        },
        Err(e) => {
            // This layer runs outside the error pages: render the refusal (a revoked or
            // unknown bearer token) here, as problem+json for the API like every other error.
            let info = e.into_info();
            let lang = crate::i18n::negotiate(req.uri(), req.headers(), req.extensions());
            let json = crate::error::wants_json(req.uri(), req.headers());
            let mut res = crate::error::render_error(&info, lang, req.uri(), json);
            if res.status() == StatusCode::UNAUTHORIZED {
                res.headers_mut().insert(
                    axum::http::header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(crate::error::INVALID_TOKEN_CHALLENGE),
                );
            }
            res.extensions_mut().insert(info);
            return res;
        }
    };
    let new_anon = match &viewer {
        Viewer::Anonymous(a) if a.is_new => Some(a.anon_id.clone()),
        _ => None,
    };
    // A signed-in user's state-changing request may change what the cache holds in ways the
    // accounts store does not count; anonymous ones (check-in answers during a crisis, by the
    // thousand) only change accounts through the store, which is counted below.
    let changes_state = viewer.user().is_some()
        && !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // Kept to draw an error page with the user's account in its header (below), the only
    // drawing of it, compressed as the page it stands for would have been.
    let user = viewer.user().map(|_| viewer.clone());
    let gzip = crate::compress::wants_gzip(&req);
    req.extensions_mut().insert(DrawsErrorPages);
    req.extensions_mut().insert(viewer);
    let account_writes = accounts::changes();
    let consular_writes = crate::consular::read_cache::writes();
    let cookie_secret = if slid {
        cookie_value(req.headers(), SESSION_COOKIE).map(str::to_owned)
    } else {
        None
    };
    let mut res = next.run(req).await;
    if changes_state || accounts::changes() != account_writes {
        // Whatever this request changed (a sign-out, a second factor, a grant, a mission), the
        // next request reads it from the database, now that it is committed (see `auth::cache`).
        state.auth_cache.clear();
    }
    if crate::consular::read_cache::writes() != consular_writes {
        // The same for a case, its messages or documents (see `consular::read_cache`): what a
        // read took between this request's write and its commit is dropped.
        state.consular_reads.clear();
        state.case_counts.clear();
    }
    // A response any cache may keep and give to others (the static files: public, a year)
    // carries no cookie: a shared cache in front of the site would hand this visitor's session
    // to whoever asks for that address next. Their next page sets it.
    let shared = res
        .headers()
        .get(axum::http::header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|d| d.trim().eq_ignore_ascii_case("public"))
        });
    if slid && !shared {
        refresh_session_cookie(&state, &cookie_secret, &mut res);
    }
    if let Some(id) = new_anon.filter(|_| !shared) {
        let value = cookie_header(ANON_COOKIE, &id, None, state.config.behind_tls);
        if let Ok(v) = value.parse() {
            res.headers_mut().append(axum::http::header::SET_COOKIE, v);
        }
    }
    if res.extensions().get::<DrawnErrorPage>().is_some() {
        let page = with_account_header(&state, user.as_ref(), res);
        return crate::compress::encode(gzip, page).await;
    }
    res
}

/// The session cookie sent again with the lifetime its session was just given: a session
/// lasts `session_ttl` after its last use, and a cookie left with the lifetime of its sign-in
/// would end it that long after signing in, however busy. Not when the response sets the
/// cookie itself (signing out, signing in anew).
fn refresh_session_cookie(state: &AppState, secret: &Option<String>, res: &mut Response) {
    let Some(secret) = secret else { return };
    let prefix = format!("{SESSION_COOKIE}=");
    let sets_it = res
        .headers()
        .get_all(axum::http::header::SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(prefix.as_bytes()));
    if sets_it {
        return;
    }
    let max_age = state.config.session_ttl.num_seconds();
    let value = cookie_header(
        SESSION_COOKIE,
        secret,
        Some(max_age),
        state.config.behind_tls,
    );
    if let Ok(v) = value.parse() {
        res.headers_mut().append(axum::http::header::SET_COOKIE, v);
    }
}

/// The HTML page of an error the error layer marked (see `error::DrawsErrorPages`), drawn with
/// the header every other page has: a signed-in user's account (their pages, their name,
/// signing out; without it a 404 looked signed out), or for a visitor the links to sign in and
/// sign up. The response keeps its status and headers.
fn with_account_header(state: &AppState, user: Option<&Viewer>, res: Response) -> Response {
    let (Some(drawn), Some(info)) = (
        res.extensions().get::<DrawnErrorPage>().cloned(),
        res.extensions().get::<crate::error::ErrorInfo>().cloned(),
    ) else {
        return res;
    };
    let page = match user {
        Some(viewer) => state.page(drawn.lang, &drawn.uri, "site-name", viewer),
        // A visitor's header has no form: no form token to draw.
        None => {
            let visitor = Viewer::Anonymous(Anonymous {
                anon_id: String::new(),
                is_new: false,
            });
            Page::for_viewer(drawn.lang, &drawn.uri, "site-name", &visitor, String::new())
        }
    };
    let (old, _) = res.into_parts();
    let mut fresh = crate::error::html_page_for(&info, drawn.lang, page);
    crate::error::keep_headers(&old.headers, &mut fresh);
    fresh.extensions_mut().insert(info);
    if old.extensions.get::<crate::error::OwnErrorPage>().is_some() {
        fresh.extensions_mut().insert(crate::error::OwnErrorPage);
    }
    fresh
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .ok_or(AppError::Unauthenticated)
    }
}

/// A signed-in user who has passed any second factor their account requires.
#[derive(Debug, Clone)]
pub struct SignedIn(pub Arc<CurrentUser>);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Viewer>() {
            Some(Viewer::User(u)) if !u.needs_second_factor() => Ok(SignedIn(Arc::clone(u))),
            _ => Err(AppError::Unauthenticated),
        }
    }
}
