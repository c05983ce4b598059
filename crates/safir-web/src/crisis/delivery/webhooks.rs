//! `/admin/crisis/webhooks`: partner systems that receive every alert as signed JSON.
//! Administrators list them, add one (its signing secret is generated and shown once) and
//! disable one. Adding and disabling are audited.
//!
//! The add form carries its own key: sent twice (a double click, a refreshed result page),
//! it adds one webhook. The second answer does not show the secret again, so that it stays
//! shown once: it says the webhook was added by this form already, and how to get a secret
//! that nobody copied (disable the webhook and add it again).

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{Method, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rand::RngCore;
use safir_domain::audit::actions;
use safir_domain::roles::Permission;
use safir_store::crisis::webhooks::{self, Webhook};

use crate::admin::support::{Actor, new_request_key, rejected, request_key};
use crate::auth::{Access, Routes, Viewer};
use crate::error::AppError;
use crate::forms::{Field, InputKind};
use crate::i18n::Lang;
use crate::page::{Page, render};
use crate::state::AppState;

pub const WEBHOOKS_ACCESS: Access = Access::Ministry(Permission::ManageMissions);

pub fn routes(r: Routes) -> Routes {
    r.add(
        Method::GET,
        "/admin/crisis/webhooks",
        WEBHOOKS_ACCESS,
        get(list_webhooks),
    )
    .add(
        Method::POST,
        "/admin/crisis/webhooks",
        WEBHOOKS_ACCESS,
        post(add_webhook),
    )
    .add(
        Method::POST,
        "/admin/crisis/webhooks/{webhook}/disable",
        WEBHOOKS_ACCESS,
        post(disable_webhook),
    )
}

#[derive(Template)]
#[template(path = "crisis/delivery/webhooks.html")]
struct WebhooksPage {
    page: Page,
    csrf_token: String,
    webhooks: Vec<Webhook>,
    fields: Vec<Field>,
    /// The add form's own key (see the module's documentation).
    request_key: String,
    /// (sentence naming the webhook, secret) right after adding one.
    new_secret: Option<(String, String)>,
    /// The add form was sent again: the sentence naming the webhook it added the first time.
    already_added: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct AddForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    countries: String,
    #[serde(default)]
    request_key: String,
}

fn fields(lang: Lang, form: &AddForm) -> Vec<Field> {
    let mut name = Field::new(lang, "name", "crisis-delivery-webhooks-name");
    name.value = form.name.clone();
    let mut url = Field::new(lang, "url", "crisis-delivery-webhooks-url");
    url.kind = InputKind::Url;
    url.value = form.url.clone();
    let mut countries = Field::new(lang, "countries", "crisis-delivery-webhooks-countries");
    countries.value = form.countries.clone();
    countries.required = false;
    vec![name, url, countries]
}

/// A URL the webhook sender can reach: `https://` or `http://`, then `host[:port]/path`, no
/// spaces or credentials.
pub fn valid_url(url: &str) -> bool {
    let Some(host) = safir_notify::http_host(url) else {
        return false;
    };
    url.len() <= 500
        && safir_notify::is_http_url(url)
        && !host.contains('@')
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Space-separated alpha-2 codes, upper-cased; `None` when one is not two letters.
fn normalise_countries(raw: &str) -> Option<String> {
    let codes: Vec<String> = raw
        .split_whitespace()
        .map(|c| c.to_ascii_uppercase())
        .collect();
    codes
        .iter()
        .all(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()))
        .then(|| codes.join(" "))
}

/// What the page says above the list: nothing, the secret of the webhook just added, or that
/// the form had already added its webhook.
enum Outcome {
    Nothing,
    Added(String, String),
    AlreadyAdded(String),
}

/// The page, with the add form showing `fields` under `key` (a form sent again with errors
/// keeps its key; a new form gets a new one).
async fn page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    fields: Vec<Field>,
    key: String,
    outcome: Outcome,
) -> Result<Html<String>, AppError> {
    let list = webhooks::list(&state.db)
        .await
        .map_err(AppError::internal)?;
    let (new_secret, already_added) = match outcome {
        Outcome::Nothing => (None, None),
        Outcome::Added(sentence, secret) => (Some((sentence, secret)), None),
        Outcome::AlreadyAdded(sentence) => (None, Some(sentence)),
    };
    render(&WebhooksPage {
        page: state.page(lang, uri, "crisis-delivery-webhooks-title", viewer),
        csrf_token: state.csrf_token(viewer),
        webhooks: list,
        fields,
        request_key: key,
        new_secret,
        already_added,
    })
}

pub async fn list_webhooks(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
) -> Result<Html<String>, AppError> {
    page(
        &state,
        lang,
        &uri,
        &viewer,
        fields(lang, &AddForm::default()),
        new_request_key(),
        Outcome::Nothing,
    )
    .await
}

pub async fn add_webhook(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    Form(form): Form<AddForm>,
) -> Result<Response, AppError> {
    let name = form.name.trim();
    let url = form.url.trim();
    let countries = normalise_countries(&form.countries);
    let key = request_key(&form.request_key);
    let mut shown = fields(lang, &form);
    let t = |k: &str| crate::i18n::t(lang, k);
    let mut bad = false;
    if name.is_empty() || name.chars().count() > 100 {
        shown[0].error = Some(t("crisis-delivery-webhooks-bad-name"));
        bad = true;
    }
    if !valid_url(url) {
        shown[1].error = Some(t("crisis-delivery-webhooks-bad-url"));
        bad = true;
    } else if !state.config.crisis.webhook_private_networks
        && safir_notify::address::refusal(url).await.is_some()
    {
        // The sender would refuse it at every alert: said now, to the one who typed it.
        shown[1].error = Some(t("crisis-delivery-webhooks-private-url"));
        bad = true;
    }
    if countries.is_none() {
        shown[2].error = Some(t("crisis-delivery-webhooks-bad-countries"));
        bad = true;
    }
    if bad {
        let key = key.unwrap_or_else(new_request_key);
        return Ok(rejected(
            page(&state, lang, &uri, &viewer, shown, key, Outcome::Nothing).await?,
        ));
    }
    let countries = countries.unwrap_or_default();
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let created = match &key {
        Some(key) => webhooks::create_keyed(&mut tx, name, url, &countries, &secret, key).await,
        // A form drawn before forms carried a key.
        None => webhooks::create(&mut tx, name, url, &countries, &secret)
            .await
            .map(Some),
    }
    .map_err(AppError::internal)?;
    let Some(id) = created else {
        // The same form sent again: its webhook is in, once. Its secret was shown in the
        // answer to the first sending and is not shown again (nor a new one made).
        let first = match &key {
            Some(key) => webhooks::by_key(&mut tx, key)
                .await
                .map_err(AppError::internal)?,
            None => None,
        };
        tx.rollback().await.map_err(AppError::internal)?;
        let mut args = fluent_bundle::FluentArgs::new();
        args.set("name", first.map_or_else(|| name.to_owned(), |w| w.name));
        let sentence = crate::i18n::t_args(lang, "crisis-delivery-webhooks-already-added", &args);
        let html = page(
            &state,
            lang,
            &uri,
            &viewer,
            fields(lang, &AddForm::default()),
            new_request_key(),
            Outcome::AlreadyAdded(sentence),
        )
        .await?;
        return Ok(html.into_response());
    };
    let record = actor.audit(
        actions::CRISIS_WEBHOOK_CREATE,
        "crisis_webhook",
        Some(&id),
        None,
        serde_json::json!({"name": name, "url": url, "countries": countries}),
    );
    crate::audit_log::commit_with(tx, &record).await?;
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("name", name);
    let sentence = crate::i18n::t_args(lang, "crisis-delivery-webhooks-secret-once", &args);
    let html = page(
        &state,
        lang,
        &uri,
        &viewer,
        fields(lang, &AddForm::default()),
        new_request_key(),
        Outcome::Added(sentence, secret),
    )
    .await?;
    Ok(html.into_response())
}

pub async fn disable_webhook(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    if !webhooks::disable(&mut tx, &id)
        .await
        .map_err(AppError::internal)?
    {
        tx.rollback().await.map_err(AppError::internal)?;
        return Err(AppError::NotFound);
    }
    let record = actor.audit(
        actions::CRISIS_WEBHOOK_DISABLE,
        "crisis_webhook",
        Some(&id),
        None,
        serde_json::json!({}),
    );
    crate::audit_log::commit_with(tx, &record).await?;
    Ok(Redirect::to("/admin/crisis/webhooks").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_countries_are_checked() {
        assert!(valid_url("http://partner.example:8080/hooks/safir"));
        assert!(valid_url("https://partner.example/hooks/safir"));
        for bad in [
            "https://",
            "http://",
            "http://u:p@x/",
            "http://x/a b",
            "ftp://x",
        ] {
            assert!(!valid_url(bad), "{bad}");
        }
        assert_eq!(normalise_countries(" sd  ae ").as_deref(), Some("SD AE"));
        assert_eq!(normalise_countries("").as_deref(), Some(""));
        assert_eq!(normalise_countries("SDN"), None);
    }
}
