//! Travel-advice subscriptions on the web: `/subscribe` (email with double opt-in, or SMS
//! confirmed by replying YES), the confirmation link, the unsubscribe page with its
//! one-click POST (RFC 8058), and the jobs that tell subscribers when a country's advice
//! level changes: one per change, which queues one notice per active subscriber, each sent
//! only if its subscription is still active when its turn comes.

use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use fluent_bundle::FluentArgs;
use safir_domain::CountryCode;
use safir_domain::accounts::Email;
use safir_domain::crisis::registration::{Channel, parse_phone};
use safir_store::consular::advice::LevelChanged;
use safir_store::crisis::subscriptions::{self, Subscription};
use safir_store::jobs::{self, ClaimedJob, HandlerFuture, JobError, JobHandler, NewJob};
use safir_store::{Db, StoreError};

use super::registrations::form::FormView;
use crate::admin::support::{FormData, SelectOption, rejected};
use crate::auth::{Access, Routes, Viewer};
use crate::email;
use crate::error::{AppError, FieldError, FieldErrors};
use crate::i18n::{I18n, Lang, chosen_lang, t_args};
use crate::page::{Page, render};
use crate::security::RateLimiter;
use crate::state::{AppState, WebConfig};

pub fn routes(r: Routes) -> Routes {
    let state = r.state().clone();
    r.add(
        Method::GET,
        "/subscribe",
        Access::Public,
        get(subscribe_form),
    )
    .add(
        Method::POST,
        "/subscribe",
        Access::Public,
        super::registrations::per_ip(&state, post(subscribe), 10, Duration::from_secs(60)),
    )
    .add(
        Method::GET,
        "/subscribe/confirm/{token}",
        Access::Public,
        get(confirm_page),
    )
    .add(
        Method::POST,
        "/subscribe/confirm/{token}",
        Access::Public,
        post(confirm),
    )
    .add(
        Method::GET,
        "/unsubscribe/{token}",
        Access::Public,
        get(unsubscribe_page),
    )
    .add(
        Method::POST,
        "/unsubscribe/{token}",
        Access::Public,
        post(unsubscribe),
    )
}

fn person_lang(code: &str) -> Lang {
    if code == "en" { Lang::En } else { Lang::Ar }
}

/// The language of a page a subscription's message links to: the one the reader chose on
/// this device, else the one the subscription's messages are in (a phone set to English
/// opening an Arabic message's link gets the page in Arabic, as the message).
fn subscriber_lang(uri: &Uri, headers: &HeaderMap, s: &Subscription) -> Lang {
    chosen_lang(uri, headers).unwrap_or_else(|| person_lang(&s.lang))
}

#[derive(Template)]
#[template(path = "crisis/subscriptions/form.html")]
struct SubscribePage {
    page: Page,
    csrf_token: String,
    countries: Vec<SelectOption>,
    form: FormView,
}

fn form_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    form: FormView,
) -> Result<Html<String>, AppError> {
    let chosen = form.v("country").to_owned();
    let countries: Vec<SelectOption> = crate::staff::labels::countries_by_name(lang)
        .into_iter()
        .map(|(code, name)| SelectOption {
            value: code.as_str().to_owned(),
            label: name.to_owned(),
            selected: code.as_str() == chosen,
        })
        .collect();
    render(&SubscribePage {
        page: state.page(lang, uri, "crisis-subscribe-title", viewer),
        csrf_token: state.csrf_token(viewer),
        countries,
        form,
    })
}

pub async fn subscribe_form(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
) -> Result<Html<String>, AppError> {
    let data = FormData(vec![
        ("channel".into(), "email".into()),
        ("lang".into(), lang.code().to_owned()),
    ]);
    form_page(
        &state,
        lang,
        &uri,
        &viewer,
        FormView::new(lang, data, FieldErrors::new()),
    )
}

#[derive(Template)]
#[template(path = "crisis/subscriptions/message.html")]
struct MessagePage {
    page: Page,
    message: String,
    /// A form to post (the unsubscribe button), if any.
    action: Option<String>,
    button: String,
    csrf_token: String,
}

fn message_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    title: &str,
    message: &str,
    action: Option<String>,
) -> Result<Html<String>, AppError> {
    let page = state.page(lang, uri, title, viewer);
    let message = page.t(message);
    button_page(
        state,
        page,
        viewer,
        message,
        action,
        "crisis-unsubscribe-submit",
    )
}

/// A page of one sentence and, with an action, one button that posts to it.
fn button_page(
    state: &AppState,
    page: Page,
    viewer: &Viewer,
    message: String,
    action: Option<String>,
    button: &str,
) -> Result<Html<String>, AppError> {
    render(&MessagePage {
        message,
        button: page.t(button),
        csrf_token: state.csrf_token(viewer),
        action,
        page,
    })
}

fn subscription_errors(data: &FormData) -> (FieldErrors, Option<(CountryCode, Channel, String)>) {
    let mut e = FieldErrors::new();
    let country = match CountryCode::parse(data.get("country")) {
        Ok(c) => Some(c),
        // Chosen by name from a list: left at "—", it is asked for, not its code's format.
        Err(_) if data.get("country").trim().is_empty() => {
            e.push("country", "crisis_country_required");
            None
        }
        Err(err) => {
            e.add(FieldError::new("country", format!("crisis_{}", err.code)));
            None
        }
    };
    let channel = match Channel::parse(data.get("channel")) {
        Ok(c) => Some(c),
        Err(_) => {
            e.push("channel", "crisis_choice_required");
            None
        }
    };
    let address = match channel {
        Some(Channel::Email) => match Email::parse(data.get("address")) {
            Ok(a) => Some(a.as_str().to_owned()),
            Err(err) if err.code == "required" => {
                e.push("address", "required");
                None
            }
            Err(_) => {
                e.push("address", "invalid_email");
                None
            }
        },
        Some(Channel::Sms) => match parse_phone(data.get("address")) {
            Ok(p) => Some(p),
            Err(err) => {
                e.add(FieldError::new(
                    "address",
                    if err.code == "required" {
                        "required".to_owned()
                    } else {
                        format!("crisis_{}", err.code)
                    },
                ));
                None
            }
        },
        None => None,
    };
    if !matches!(data.get("lang"), "ar" | "en") {
        e.push("lang", "crisis_choice_required");
    }
    if data.get("consent") != "on" {
        e.push("consent", "crisis_consent_required");
    }
    let ok = match (country, channel, address) {
        (Some(c), Some(ch), Some(a)) if e.is_empty() => Some((c, ch, a)),
        _ => None,
    };
    (e, ok)
}

/// At most three confirmations to one address in a row, then one every 20 minutes: a person
/// who mistyped or lost the message asks again, while requests from anywhere (the form is
/// open to all, limited per client address only) cannot flood someone's phone or mailbox with
/// messages, nor run up the SMS bill.
pub fn confirmation_limiter() -> RateLimiter {
    RateLimiter::new(3, Duration::from_secs(20 * 60)).max_keys(100_000)
}

pub async fn subscribe(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let (errors, ok) = subscription_errors(&data);
    let Some((country, channel, address)) = ok else {
        let view = FormView::new(lang, data, errors);
        return Ok(rejected(form_page(&state, lang, &uri, &viewer, view)?));
    };
    let to_lang = person_lang(data.get("lang"));
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let done = subscriptions::subscribe(&mut tx, country, channel, &address, to_lang.code())
        .await
        .map_err(AppError::internal)?;
    // A confirmation to send, over the address's limit: nothing changes (rolled back, so the
    // one sent last keeps its working link), and the answer is the same as for any request.
    let key = format!("{}:{address}", channel.as_str());
    if done.confirm_token.is_some() && state.confirmation_limiter.check(&key).is_err() {
        drop(tx);
        tracing::info!(
            channel = channel.as_str(),
            "subscription confirmation held back: too many to one address"
        );
        return checked_page(&state, lang, &uri, &viewer, channel);
    }
    if let Some(token) = &done.confirm_token {
        let mut args = FluentArgs::new();
        args.set(
            "country",
            country.name(crate::staff::labels::content_lang(to_lang)),
        );
        let key = format!(
            "subscribe-confirm:{}",
            &safir_store::accounts::secrets::hash_secret(token)[..32]
        );
        match channel {
            Channel::Email => {
                args.set(
                    "link",
                    format!("{}/subscribe/confirm/{token}", state.config.public_url),
                );
                let message = email::render(&address, to_lang, "crisis-subscribe-confirm", &args);
                email::enqueue(&mut tx, &message, Some(key))
                    .await
                    .map_err(AppError::internal)?;
            }
            Channel::Sms => {
                let body = I18n::global().t_args(to_lang, "crisis-subscribe-confirm-sms", &args);
                crate::sms::enqueue(&mut tx, &address, &body, &key)
                    .await
                    .map_err(AppError::internal)?;
            }
        }
    }
    tx.commit().await.map_err(AppError::internal)?;
    checked_page(&state, lang, &uri, &viewer, channel)
}

/// "Check your email" (or phone): the same answer whether or not the address was already
/// subscribed, or had been sent enough confirmations for now.
fn checked_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    channel: Channel,
) -> Result<Response, AppError> {
    let message = match channel {
        Channel::Email => "crisis-subscribe-check-email",
        Channel::Sms => "crisis-subscribe-check-sms",
    };
    Ok(message_page(
        state,
        lang,
        uri,
        viewer,
        "crisis-subscribe-title",
        message,
        None,
    )?
    .into_response())
}

/// The confirmation link's page: it asks, and the button confirms. A link opened is not
/// consent: mail scanners and previews open the links of incoming mail, and a stranger who
/// typed someone's address would otherwise have it confirmed by their mail server.
pub async fn confirm_page(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Html<String>, AppError> {
    let s = subscriptions::find_by_confirm_token(&state.db, &token)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound)?;
    let lang = subscriber_lang(&uri, &headers, &s);
    if s.status == "active" {
        return message_page(
            &state,
            lang,
            &uri,
            &viewer,
            "crisis-subscribe-title",
            "crisis-subscribe-confirmed",
            None,
        );
    }
    let page = state.page(lang, &uri, "crisis-subscribe-title", &viewer);
    let country = CountryCode::parse(&s.country)
        .map(|c| c.name(crate::staff::labels::content_lang(lang)).to_owned())
        .unwrap_or_else(|_| s.country.clone());
    let mut args = FluentArgs::new();
    args.set("country", country);
    let message = t_args(lang, "crisis-subscribe-confirm-question", &args);
    button_page(
        &state,
        page,
        &viewer,
        message,
        Some(format!("/subscribe/confirm/{token}")),
        "crisis-subscribe-confirm-submit",
    )
}

/// The page's button.
pub async fn confirm(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Html<String>, AppError> {
    match subscriptions::confirm(&state.db, &token).await {
        Ok(Some(s)) => message_page(
            &state,
            subscriber_lang(&uri, &headers, &s),
            &uri,
            &viewer,
            "crisis-subscribe-title",
            "crisis-subscribe-confirmed",
            None,
        ),
        Ok(None) => Err(AppError::NotFound),
        Err(e) => Err(AppError::internal(e)),
    }
}

async fn subscription_of(state: &AppState, token: &str) -> Result<Subscription, AppError> {
    let key = subscriptions::unsubscribe_key(&state.db)
        .await
        .map_err(AppError::internal)?;
    let id = subscriptions::verify_unsubscribe_token(&key, token).ok_or(AppError::NotFound)?;
    match subscriptions::find(&state.db, &id).await {
        Ok(s) => Ok(s),
        Err(StoreError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(AppError::internal(e)),
    }
}

pub async fn unsubscribe_page(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Html<String>, AppError> {
    let s = subscription_of(&state, &token).await?;
    let lang = subscriber_lang(&uri, &headers, &s);
    if s.status == "unsubscribed" {
        return message_page(
            &state,
            lang,
            &uri,
            &viewer,
            "crisis-unsubscribe-title",
            "crisis-unsubscribe-done",
            None,
        );
    }
    message_page(
        &state,
        lang,
        &uri,
        &viewer,
        "crisis-unsubscribe-title",
        "crisis-unsubscribe-confirm",
        Some(format!("/unsubscribe/{token}")),
    )
}

/// The button on the page, and mail clients' one-click POST (`List-Unsubscribe=One-Click`,
/// no cookie, no form token: the signed link is the authority).
pub async fn unsubscribe(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Html<String>, AppError> {
    let s = subscription_of(&state, &token).await?;
    let lang = subscriber_lang(&uri, &headers, &s);
    subscriptions::unsubscribe(&state.db, &s.id)
        .await
        .map_err(AppError::internal)?;
    message_page(
        &state,
        lang,
        &uri,
        &viewer,
        "crisis-unsubscribe-title",
        "crisis-unsubscribe-done",
        None,
    )
}

/// Replaces the logging handler of `consular.advice_level_changed`: one [`NOTICE_JOB`] per
/// active subscriber of the country, keyed `advice:<version>:<subscription>` so a rerun
/// sends nothing twice.
pub struct AdviceLevelChanged {
    pub db: Db,
}

impl JobHandler for AdviceLevelChanged {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> HandlerFuture<'a> {
        Box::pin(async move {
            let change: LevelChanged = job
                .payload_json()
                .map_err(|e| JobError::Permanent(format!("bad payload: {e}")))?;
            notify_level_change(&self.db, &change)
                .await
                .map(drop)
                .map_err(|e| JobError::Retry(e.to_string()))
        })
    }
}

/// The job that tells one subscriber of one level change, by email or SMS.
pub const NOTICE_JOB: &str = "crisis.advice_notice";

/// The payload of [`NOTICE_JOB`]: the subscription by its id, never its address, so that the
/// message goes to the subscription as it is when it is sent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Notice {
    pub subscription: String,
    pub change: LevelChanged,
}

/// Enqueues the notices of one level change (in the bulk lane); returns how many were new.
/// The message itself is written when it is sent, by [`NoticeJob`].
pub async fn notify_level_change(db: &Db, change: &LevelChanged) -> Result<u64, StoreError> {
    let Ok(country) = CountryCode::parse(&change.country) else {
        return Ok(0);
    };
    let subscribers = subscriptions::active_for_country(db, country).await?;
    let mut batch = Vec::with_capacity(subscribers.len());
    for s in &subscribers {
        let notice = Notice {
            subscription: s.id.clone(),
            change: change.clone(),
        };
        let payload = serde_json::to_value(&notice)
            .map_err(|e| StoreError::Corrupt(format!("advice notice payload: {e}")))?;
        // Bulk: a message per subscriber must not hold back the queue's other work.
        batch.push(
            NewJob::new(NOTICE_JOB, payload)
                .idempotency_key(notice_key(change, &s.id))
                .bulk(),
        );
    }
    let mut tx = db.begin().await?;
    let n = jobs::enqueue_batch(&mut tx, &batch).await?;
    tx.commit().await?;
    Ok(n)
}

/// The key of a subscriber's notice of one version, which also names its SMS at the gateway.
fn notice_key(change: &LevelChanged, subscription: &str) -> String {
    format!("advice:{}:{subscription}", change.version_id)
}

/// Sends a [`NOTICE_JOB`]: reads the subscription when the message is due and sends only while
/// it is active, so that one ended (the unsubscribe link, STOP, its person's data deleted)
/// after the change was announced hears nothing more. The message goes through the mail
/// sender (`email`, which reads an `email.send` payload) or the SMS sender (`sms`, which reads
/// an `sms.send` payload), in the subscription's language.
pub struct NoticeJob<E, S> {
    db: Db,
    config: Arc<WebConfig>,
    email: E,
    sms: S,
    /// The key of the unsubscribe links, read once: a change announced to thousands of
    /// subscribers would otherwise read (and on SQLite queue a write for) it per notice.
    unsubscribe_key: std::sync::OnceLock<Vec<u8>>,
}

impl<E, S> NoticeJob<E, S> {
    pub fn new(db: Db, config: Arc<WebConfig>, email: E, sms: S) -> Self {
        Self {
            db,
            config,
            email,
            sms,
            unsubscribe_key: std::sync::OnceLock::new(),
        }
    }

    async fn unsubscribe_key(&self) -> Result<&[u8], StoreError> {
        if let Some(key) = self.unsubscribe_key.get() {
            return Ok(key);
        }
        let key = subscriptions::unsubscribe_key(&self.db).await?;
        Ok(self.unsubscribe_key.get_or_init(|| key))
    }
}

impl<E: JobHandler, S: JobHandler> NoticeJob<E, S> {
    async fn send(&self, job: &ClaimedJob) -> Result<(), JobError> {
        let notice: Notice = job
            .payload_json()
            .map_err(|e| JobError::Permanent(format!("bad {NOTICE_JOB} payload: {e}")))?;
        let s = match subscriptions::find(&self.db, &notice.subscription).await {
            Ok(s) => s,
            Err(StoreError::NotFound) => {
                tracing::info!(job = %job.id, "advice notice not sent: subscription deleted");
                return Ok(());
            }
            Err(e) => return Err(JobError::Retry(e.to_string())),
        };
        if s.status != "active" || s.country != notice.change.country {
            tracing::info!(job = %job.id, status = %s.status, "advice notice not sent: subscription ended");
            return Ok(());
        }
        let key = self
            .unsubscribe_key()
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        let message = notice_message(&self.config, key, &s, &notice.change)
            .map_err(|e| JobError::Retry(e.to_string()))?;
        let sender: &dyn JobHandler = if message.kind == email::JOB_KIND {
            &self.email
        } else {
            &self.sms
        };
        // The sender sees the message as its own job's, under this job's id and attempts: a
        // retry resends the same message (the same Message-ID, the same key at the gateway).
        let send = ClaimedJob {
            id: job.id.clone(),
            kind: message.kind,
            payload: message.payload.to_string(),
            attempts: job.attempts,
            max_attempts: job.max_attempts,
        };
        sender.run(&send).await
    }
}

impl<E: JobHandler, S: JobHandler> JobHandler for NoticeJob<E, S> {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> HandlerFuture<'a> {
        Box::pin(self.send(job))
    }
}

/// The notice of `change` to `s` as an `email.send` or `sms.send` job would carry it, in the
/// subscription's language, with its unsubscribe link (an email's text and headers) or
/// keyword (an SMS).
fn notice_message(
    config: &WebConfig,
    key: &[u8],
    s: &Subscription,
    change: &LevelChanged,
) -> Result<NewJob, StoreError> {
    let country = CountryCode::parse(&s.country)
        .map_err(|_| StoreError::Corrupt(format!("subscription country {:?}", s.country)))?;
    let base = config.public_url.trim_end_matches('/');
    let lang = person_lang(&s.lang);
    let unsubscribe = format!(
        "{base}/unsubscribe/{}",
        subscriptions::unsubscribe_token(key, &s.id)
    );
    let mut args = FluentArgs::new();
    args.set(
        "country",
        country.name(crate::staff::labels::content_lang(lang)),
    );
    args.set(
        "level",
        I18n::global().t(lang, &format!("advice-level-{}", change.new_level)),
    );
    // The advice in the language of the message, whatever the reader's device prefers.
    args.set(
        "link",
        format!(
            "{base}/travel-advice/{}?lang={}",
            country.as_str(),
            lang.code()
        ),
    );
    args.set("unsubscribe", unsubscribe.clone());
    if s.channel == "sms" {
        let body = I18n::global().t_args(lang, "crisis-advice-changed-sms", &args);
        return Ok(crate::sms::job(
            &s.address,
            &body,
            &notice_key(change, &s.id),
        ));
    }
    let mut message = email::render(&s.address, lang, "crisis-advice-changed", &args);
    message.headers = vec![
        ("List-Unsubscribe".into(), format!("<{unsubscribe}>")),
        (
            "List-Unsubscribe-Post".into(),
            "List-Unsubscribe=One-Click".into(),
        ),
    ];
    let payload = serde_json::to_value(&message)
        .map_err(|e| StoreError::Corrupt(format!("email payload: {e}")))?;
    Ok(NewJob::new(email::JOB_KIND, payload))
}
