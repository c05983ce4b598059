//! `/crisis/{crisis}/presence`: the short "register your presence" form, open to anyone
//! without an account while the crisis is open and staff keep the form open; the person
//! proves their contact with a six-digit code sent by email or SMS
//! (`/crisis/presence/verify`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use fluent_bundle::FluentArgs;
use safir_domain::crisis::registration::{self, Channel, place_field};
use safir_store::crisis::registrations::{
    self, CODE_VALIDITY_MINUTES, CodeCheck, NewRegistration, PresenceCrisis, Resend, Stored, Verify,
};
use safir_store::{StoreError, now};

use super::form::{self, COMPANION_ROWS, FormView, field_errors, input};
use crate::admin::support::{FormData, rejected};
use crate::auth::Viewer;
use crate::email;
use crate::error::{AppError, FieldError, FieldErrors};
use crate::i18n::{I18n, Lang};
use crate::page::{FlashKind, Page, render};
use crate::security::{RateLimiter, RetryAfter, client_ip, limit_key};
use crate::state::AppState;

/// The ceiling of a presence route per client address. The handler checks it itself (not
/// `limit_by_ip`) so that a refusal shows the page again with what was typed; it is high on
/// purpose: in a crisis whole towns reach the site through one carrier-grade NAT address.
#[derive(Clone)]
pub struct IpCeiling(pub Arc<RateLimiter>);

/// How many codes the presence form sends to one email address or phone number, whoever
/// sends the form: the limit that matters, since a person is a contact and not an address.
#[derive(Clone)]
pub struct ContactLimit(pub Arc<RateLimiter>);

impl ContactLimit {
    /// Five codes to one contact in a row (a person correcting their details sends the form
    /// again), then one every ten minutes: nobody's phone or mailbox is flooded with codes,
    /// nor the SMS bill run up.
    pub fn new() -> ContactLimit {
        ContactLimit(Arc::new(
            RateLimiter::new(5, Duration::from_secs(10 * 60)).max_keys(100_000),
        ))
    }
}

/// The route's [`IpCeiling`] with the client address of the request.
pub struct ClientCeiling {
    ceiling: IpCeiling,
    key: String,
}

impl ClientCeiling {
    /// Takes one attempt from the client address's bucket.
    fn check(&self) -> Result<(), RetryAfter> {
        self.ceiling.0.check(&self.key)
    }
}

impl FromRequestParts<AppState> for ClientCeiling {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let ceiling = parts
            .extensions
            .get::<IpCeiling>()
            .cloned()
            .ok_or_else(|| AppError::internal("presence route without its address ceiling"))?;
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| *addr);
        // Requests without a known address share one bucket, as `limit_by_ip` counts them.
        let key = client_ip(&parts.headers, peer, state.config.trusted_proxy)
            .map(|ip| limit_key(ip).to_string())
            .unwrap_or_else(|| "unknown".to_owned());
        Ok(ClientCeiling { ceiling, key })
    }
}

/// Whole seconds to wait, rounded up: retrying a fraction early would be refused again.
fn wait_seconds(RetryAfter(wait): RetryAfter) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

/// A page shown again after a limit refused it: 429 with `Retry-After`, the page as it is.
fn too_many(html: Html<String>, retry: RetryAfter) -> Response {
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        axum::Extension(crate::error::OwnErrorPage),
        html,
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(wait_seconds(retry)));
    response
}

/// The line above a page refused by its address ceiling: many people behind one address, and
/// when to send again (nothing typed is lost).
fn busy_notice(lang: Lang, retry: RetryAfter) -> (FlashKind, String) {
    let mut args = FluentArgs::new();
    args.set("seconds", wait_seconds(retry));
    let text = I18n::global().t_args(lang, "crisis-presence-busy-network", &args);
    (FlashKind::Error, text)
}

/// The crisis, if its presence form is open; 404 otherwise.
async fn open_crisis(state: &AppState, id: &str) -> Result<PresenceCrisis, AppError> {
    match registrations::presence_crisis(&state.db, id).await {
        Ok(Some(c)) if c.accepts_presence() => Ok(c),
        Ok(_) => Err(AppError::NotFound),
        Err(e) => Err(AppError::internal(e)),
    }
}

#[derive(Template)]
#[template(path = "crisis/registrations/presence.html")]
struct PresencePage {
    page: Page,
    csrf_token: String,
    action: String,
    country: String,
    form: FormView,
    companions: Vec<usize>,
    places: Vec<usize>,
}

fn presence_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    crisis: &PresenceCrisis,
    form: FormView,
    notice: Option<(FlashKind, String)>,
) -> Result<Html<String>, AppError> {
    let mut page = state.page(lang, uri, "crisis-presence-title", viewer);
    let title = if lang == Lang::Ar {
        &crisis.title_ar
    } else {
        &crisis.title_en
    };
    page.title = format!("{} — {title}", page.title);
    if let Some((kind, message)) = notice {
        page = page.with_flash(kind, message);
    }
    render(&PresencePage {
        csrf_token: state.csrf_token(viewer),
        action: format!("/crisis/{}/presence", crisis.id),
        country: safir_domain::CountryCode::parse(&crisis.country)
            .map(|c| c.name(crate::staff::labels::content_lang(lang)).to_owned())
            .unwrap_or_else(|_| crisis.country.clone()),
        form,
        companions: (0..COMPANION_ROWS).collect(),
        places: vec![0],
        page,
    })
}

pub async fn form_page(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let crisis = open_crisis(&state, &id).await?;
    let data = FormData(vec![
        ("channels".into(), "email".into()),
        ("lang".into(), lang.code().to_owned()),
        form::new_request_key(),
    ]);
    presence_page(
        &state,
        lang,
        &uri,
        &viewer,
        &crisis,
        FormView::new(lang, data, FieldErrors::new()),
        None,
    )
}

#[allow(clippy::too_many_arguments)]
pub async fn submit(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    client: ClientCeiling,
    axum::Extension(per_contact): axum::Extension<ContactLimit>,
    Path(id): Path<String>,
    Form(mut data): Form<FormData>,
) -> Result<Response, AppError> {
    let crisis = open_crisis(&state, &id).await?;
    // The place is in the crisis country; the person says where in it.
    let country_field = place_field(0, "country");
    data.0.retain(|(k, _)| *k != country_field);
    data.0.push((country_field, crisis.country.clone()));
    if let Err(retry) = client.check() {
        tracing::info!(
            crisis = %crisis.id,
            "presence form held back: too many from one client address"
        );
        let view = FormView::new(lang, data, FieldErrors::new());
        let notice = busy_notice(lang, retry);
        let html = presence_page(&state, lang, &uri, &viewer, &crisis, view, Some(notice))?;
        return Ok(too_many(html, retry));
    }
    let raw = input(&data, "presence");
    let checked = match registration::check(&raw, registration::days_somewhere(now()).0, true) {
        Ok(c) => c,
        Err(e) => {
            let errors = field_errors(&e, &data);
            let view = FormView::new(lang, data, errors);
            return Ok(rejected(presence_page(
                &state, lang, &uri, &viewer, &crisis, view, None,
            )?));
        }
    };
    // The code goes by email when the person gave an address and chose email, else by SMS.
    let by_email = checked.email.is_some() && checked.channels.contains(&Channel::Email);
    let channel = if by_email {
        Channel::Email
    } else {
        Channel::Sms
    };
    let code = registrations::new_code();
    let last_day = checked.last_day().unwrap_or(now().date_naive());
    let purge_after =
        registrations::purge_time(Some(last_day), state.config.crisis.registration_retention);
    let places = checked.places.clone();
    let person_lang = if checked.lang == safir_domain::Lang::En {
        Lang::En
    } else {
        Lang::Ar
    };
    let new = NewRegistration {
        user_id: None,
        crisis_id: Some(crisis.id.clone()),
        verify: Verify::Code(code.clone(), channel),
        purge_after,
        form: checked,
        request_key: form::presence_request_key(&data),
    };
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let r = match registrations::create_once(&mut tx, &new, &places)
        .await
        .map_err(AppError::internal)?
    {
        Stored::New(r) => r,
        // The same form, unchanged, sent again: its code went out already (or is on its way);
        // the person is sent to enter it, and nothing new is sent.
        Stored::Again(r) => {
            tx.commit().await.map_err(AppError::internal)?;
            return Ok(Redirect::to(&format!("/crisis/presence/verify?r={}", r.id)).into_response());
        }
    };
    // A new code to send: counted against the contact it goes to, whoever sends the form (a
    // form sent again unchanged, above, sends nothing and is never refused).
    let (contact_field, to) = if channel == Channel::Email {
        (
            "email",
            new.form.email.as_ref().map(|e| e.as_str().to_owned()),
        )
    } else {
        ("phone", new.form.phone.clone())
    };
    let contact_key = format!("{}:{}", channel.as_str(), to.unwrap_or_default());
    if let Err(retry) = per_contact.0.check(&contact_key) {
        // Nothing is kept or sent: the registration goes with the transaction, and the form
        // comes back as typed, the contact named, to send again once the wait is over.
        tx.rollback().await.map_err(AppError::internal)?;
        tracing::info!(
            channel = channel.as_str(),
            "presence code held back: too many to one contact"
        );
        let minutes = wait_seconds(retry).div_ceil(60);
        let mut errors = FieldErrors::new();
        errors.add(
            FieldError::new(contact_field, "crisis_contact_busy").with_arg("minutes", minutes),
        );
        let view = FormView::new(lang, data, errors);
        let html = presence_page(&state, lang, &uri, &viewer, &crisis, view, None)?;
        return Ok(too_many(html, retry));
    }
    let contact = Contact {
        by_email: channel == Channel::Email,
        email: new.form.email.as_ref().map(|e| e.as_str()),
        phone: new.form.phone.as_deref(),
        lang: person_lang,
    };
    send_code(&mut tx, &contact, &code, format!("presence-code:{}", r.id)).await?;
    tx.commit().await.map_err(AppError::internal)?;
    Ok(Redirect::to(&format!("/crisis/presence/verify?r={}", r.id)).into_response())
}

/// Where a presence code goes.
struct Contact<'a> {
    by_email: bool,
    email: Option<&'a str>,
    phone: Option<&'a str>,
    lang: Lang,
}

/// Queues the code's email or SMS in the transaction that stored the code; `key` makes a
/// repeated request queue it once.
async fn send_code(
    tx: &mut safir_store::Tx,
    contact: &Contact<'_>,
    code: &str,
    key: String,
) -> Result<(), AppError> {
    let mut args = FluentArgs::new();
    args.set("code", code.to_owned());
    args.set("minutes", CODE_VALIDITY_MINUTES);
    match (contact.by_email, contact.email, contact.phone) {
        (true, Some(to), _) => {
            let message = email::render(to, contact.lang, "crisis-presence-code", &args);
            email::enqueue(tx, &message, Some(key))
                .await
                .map_err(AppError::internal)?;
        }
        (_, _, Some(to)) => {
            let body = I18n::global().t_args(contact.lang, "crisis-presence-code-sms", &args);
            crate::sms::enqueue(tx, to, &body, &key)
                .await
                .map_err(AppError::internal)?;
        }
        _ => {
            return Err(AppError::internal(
                "presence registration without a contact",
            ));
        }
    }
    Ok(())
}

/// A new code for a presence registration whose code did not arrive, expired or was
/// mistyped too often; bounded in number and spacing by the store.
pub async fn resend(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    client: ClientCeiling,
    axum::Extension(per_contact): axum::Extension<ContactLimit>,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let r = presence_registration(&state, data.get("r")).await?;
    if let Err(retry) = client.check() {
        let view = FormView::new(lang, FormData::default(), FieldErrors::new());
        let notice = Some(busy_notice(lang, retry));
        let html = verify_page_html(&state, lang, &uri, &viewer, &r, view, notice).await?;
        return Ok(too_many(html, retry));
    }
    // Once the crisis is closed no new code goes out (a registration it no longer needs, and
    // a message paid for): the form switched off still lets someone already registering
    // finish. The page says so; a code already received still works.
    if !crisis_open(&state, &r).await? {
        if r.is_verified() {
            return Ok(Redirect::to(&format!("/crisis/presence/verify?r={}", r.id)).into_response());
        }
        let notice = (
            FlashKind::Error,
            I18n::global().t(lang, "crisis-presence-closed"),
        );
        let view = FormView::new(lang, FormData::default(), FieldErrors::new());
        let html = verify_page_html(&state, lang, &uri, &viewer, &r, view, Some(notice)).await?;
        return Ok(crate::admin::support::conflicted(html));
    }
    let code = registrations::new_code();
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let outcome = match registrations::resend_code(&mut tx, &r.id, &code, now()).await {
        Ok(Resend::Sent(updated)) => {
            // Counted against the contact as the form's codes are: each registration's own
            // limit on new codes would otherwise multiply by the forms sent to one contact.
            let by_sms = updated.verify_channel.as_deref() == Some("sms");
            let to = if by_sms {
                updated.phone.clone()
            } else {
                updated.email.clone()
            };
            let channel = if by_sms { Channel::Sms } else { Channel::Email };
            let contact_key = format!("{}:{}", channel.as_str(), to.unwrap_or_default());
            if let Err(retry) = per_contact.0.check(&contact_key) {
                tx.rollback().await.map_err(AppError::internal)?;
                let mut args = FluentArgs::new();
                args.set("minutes", wait_seconds(retry).div_ceil(60));
                let text =
                    I18n::global().t_args(lang, "crisis-presence-resend-contact-busy", &args);
                let view = FormView::new(lang, FormData::default(), FieldErrors::new());
                let notice = Some((FlashKind::Error, text));
                let html = verify_page_html(&state, lang, &uri, &viewer, &r, view, notice).await?;
                return Ok(too_many(html, retry));
            }
            let contact = Contact {
                by_email: updated.verify_channel.as_deref() != Some("sms"),
                email: updated.email.as_deref(),
                phone: updated.phone.as_deref(),
                lang: if updated.lang == "en" {
                    Lang::En
                } else {
                    Lang::Ar
                },
            };
            // The send count is part of the key: each new code is its own message.
            let key = format!("presence-code:{}:{}", updated.id, updated.verify_sends);
            send_code(&mut tx, &contact, &code, key).await?;
            tx.commit().await.map_err(AppError::internal)?;
            return Ok(Redirect::to(&format!(
                "/crisis/presence/verify?r={}&resent=1",
                updated.id
            ))
            .into_response());
        }
        other => other,
    };
    // Nothing to write: end the transaction now rather than when its connection is next
    // taken from the pool (until then it would keep its locks).
    tx.rollback().await.map_err(AppError::internal)?;
    let (kind, message) = match outcome {
        Ok(Resend::Sent(_) | Resend::AlreadyVerified) => {
            return Ok(Redirect::to(&format!("/crisis/presence/verify?r={}", r.id)).into_response());
        }
        Ok(Resend::TooSoon { wait_seconds }) => {
            let mut args = FluentArgs::new();
            args.set("seconds", wait_seconds);
            let text = I18n::global().t_args(lang, "crisis-presence-resend-too-soon", &args);
            (FlashKind::Error, text)
        }
        Ok(Resend::TooMany) => (
            FlashKind::Error,
            I18n::global().t(lang, "crisis-presence-resend-too-many"),
        ),
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(AppError::internal(e)),
    };
    let view = FormView::new(lang, FormData::default(), FieldErrors::new());
    let html =
        verify_page_html(&state, lang, &uri, &viewer, &r, view, Some((kind, message))).await?;
    Ok((
        StatusCode::TOO_MANY_REQUESTS,
        axum::Extension(crate::error::OwnErrorPage),
        html,
    )
        .into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct VerifyQuery {
    #[serde(default)]
    r: String,
    /// Set after a new code was sent.
    #[serde(default)]
    resent: String,
}

#[derive(Template)]
#[template(path = "crisis/registrations/verify.html")]
struct VerifyPage {
    page: Page,
    csrf_token: String,
    registration: String,
    sent_to: String,
    form: FormView,
    verified: bool,
    /// The crisis is open: a new code may be asked for.
    resend_open: bool,
}

fn masked(r: &registrations::Registration) -> String {
    let contact = if r.verify_channel.as_deref() == Some("sms") {
        r.phone.clone().unwrap_or_default()
    } else {
        r.email.clone().unwrap_or_default()
    };
    let n = contact.chars().count();
    contact
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i < 2 || i + 3 >= n || c == '@' {
                c
            } else {
                '•'
            }
        })
        .collect()
}

async fn presence_registration(
    state: &AppState,
    id: &str,
) -> Result<registrations::Registration, AppError> {
    match registrations::find(&state.db, id).await {
        Ok(r) if r.kind == "presence" => Ok(r),
        Ok(_) | Err(StoreError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(AppError::internal(e)),
    }
}

/// Whether the crisis of presence registration `r` is still open (a new code may be sent).
async fn crisis_open(state: &AppState, r: &registrations::Registration) -> Result<bool, AppError> {
    let Some(id) = &r.crisis_id else {
        return Ok(false);
    };
    let crisis = registrations::presence_crisis(&state.db, id)
        .await
        .map_err(AppError::internal)?;
    Ok(crisis.is_some_and(|c| c.status == "open"))
}

/// The verify page of `r`; it offers a new code while the crisis is open.
async fn verify_page_html(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    r: &registrations::Registration,
    form: FormView,
    flash: Option<(FlashKind, String)>,
) -> Result<Html<String>, AppError> {
    let resend_open = crisis_open(state, r).await?;
    let mut page = state.page(lang, uri, "crisis-presence-verify-title", viewer);
    let verified = r.is_verified();
    let flash = match flash {
        Some(f) => Some(f),
        None if verified => Some((FlashKind::Success, page.t("crisis-presence-verified"))),
        None => None,
    };
    if let Some((kind, message)) = flash {
        page = page.with_flash(kind, message);
    }
    render(&VerifyPage {
        csrf_token: state.csrf_token(viewer),
        registration: r.id.clone(),
        sent_to: masked(r),
        form,
        verified,
        resend_open,
        page,
    })
}

pub async fn verify_page(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    Query(q): Query<VerifyQuery>,
) -> Result<Html<String>, AppError> {
    let r = presence_registration(&state, &q.r).await?;
    let flash = (q.resent == "1" && !r.is_verified()).then(|| {
        (
            FlashKind::Success,
            I18n::global().t(lang, "crisis-presence-resent"),
        )
    });
    verify_page_html(
        &state,
        lang,
        &uri,
        &viewer,
        &r,
        FormView::new(lang, FormData::default(), FieldErrors::new()),
        flash,
    )
    .await
}

pub async fn verify(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    client: ClientCeiling,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let r = presence_registration(&state, data.get("r")).await?;
    // Guesses are bounded per registration by the store (five a code, four codes); the
    // address ceiling only stops a script, and the code typed stays in its field.
    if let Err(retry) = client.check() {
        let view = FormView::new(lang, data, FieldErrors::new());
        let notice = Some(busy_notice(lang, retry));
        let html = verify_page_html(&state, lang, &uri, &viewer, &r, view, notice).await?;
        return Ok(too_many(html, retry));
    }
    // The code as typed on an Arabic keyboard reads the same.
    let code = safir_domain::ascii_number(data.get("code").trim()).into_owned();
    let error = if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        Some(FieldError::new("code", "crisis_code_format"))
    } else {
        match registrations::verify_code(&state.db, &r.id, &code, now()).await {
            Ok(CodeCheck::Verified | CodeCheck::AlreadyVerified) => None,
            Ok(CodeCheck::Wrong { attempts_left }) => {
                Some(FieldError::new("code", "crisis_code_wrong").with_arg("left", attempts_left))
            }
            Ok(CodeCheck::Locked) => Some(FieldError::new("code", "crisis_code_locked")),
            Ok(CodeCheck::Expired) => Some(FieldError::new("code", "crisis_code_expired")),
            Err(StoreError::NotFound) => return Err(AppError::NotFound),
            Err(e) => return Err(AppError::internal(e)),
        }
    };
    match error {
        None => {
            let r = presence_registration(&state, &r.id).await?;
            let view = FormView::new(lang, FormData::default(), FieldErrors::new());
            let html = verify_page_html(&state, lang, &uri, &viewer, &r, view, None).await?;
            Ok(html.into_response())
        }
        Some(e) => {
            let mut errors = FieldErrors::new();
            errors.add(e);
            let view = FormView::new(lang, data, errors);
            let html = verify_page_html(&state, lang, &uri, &viewer, &r, view, None).await?;
            Ok(rejected(html))
        }
    }
}
