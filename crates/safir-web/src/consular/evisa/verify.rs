//! The public check: `/verify` (a form, and the verdict for `?v=…` in the reader's language)
//! and `/verify/keys` (the public keys, for checking offline).

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Html;
use chrono::NaiveDate;
use safir_domain::consular::evisa::{EvisaVerifyingKey, InvalidReason, Verification, verify_code};
use safir_store::consular::evisas;
use safir_store::missions::Mission;
use serde::{Deserialize, Serialize};

use super::view::{self, Audience};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::page::{Page, render};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VerifyParams {
    pub v: Option<String>,
}

/// The keys this site accepts: the one it signs with, then those it signed with before
/// (`safir admin rotate-evisa-key`).
pub fn accepted_keys(state: &AppState) -> Vec<EvisaVerifyingKey> {
    std::iter::once(state.evisa_key.verifying_key())
        .chain(state.evisa_retired.iter().map(|k| k.key))
        .collect()
}

/// Checks a pasted code or URL: the signature and dates, then the register for revocation.
/// Also returns the issuing mission, for its name. `today`: the day the dates are judged on
/// (`evisa_today`), read once by the caller that also states it.
pub async fn check(
    state: &AppState,
    input: &str,
    today: NaiveDate,
) -> Result<(Verification, Option<Mission>), AppError> {
    let verdict = verify_code(input, &accepted_keys(state), today);
    let Some(payload) = verdict.payload() else {
        return Ok((verdict, None));
    };
    let registered = evisas::find_by_number(&state.db, payload.visa_number.as_str())
        .await
        .map_err(AppError::internal)?;
    // A key is retired when it may have leaked: what it signed counts only as far as the
    // register holds it, the same fields, whatever its dates (a forgery dated in the past
    // would otherwise be shown, expired, with a name and passport as the ministry's). A
    // genuine visa of a retired key that expired and left the register reads so too.
    let retired = payload.key_id != state.evisa_key.id();
    let in_register = registered
        .as_ref()
        .and_then(|e| e.signed_payload().ok())
        .is_some_and(|p| p == *payload);
    if retired && !in_register {
        return Ok((Verification::Invalid(InvalidReason::NotRegistered), None));
    }
    let revoked = registered.as_ref().is_some_and(|e| e.is_revoked());
    let mission_id = registered.as_ref().map(|e| e.mission_id.as_str());
    let mission = view::mission_of(state, mission_id, payload).await;
    Ok((verdict.with_revocation(revoked), mission))
}

struct Verdict {
    /// `valid`, `expired`, `not_yet_valid`, `revoked` or `invalid`.
    status: &'static str,
    /// The same with dashes, for the CSS class.
    class_name: String,
    title: String,
    detail: String,
    rows: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "consular/evisa/verify.html")]
struct VerifyPage {
    page: Page,
    code: String,
    verdict: Option<Verdict>,
}

pub async fn verify_page(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    Query(params): Query<VerifyParams>,
) -> Result<Html<String>, AppError> {
    let page = state.page(lang, &uri, "verify-title", &viewer);
    let input = params.v.unwrap_or_default();
    let verdict = if input.trim().is_empty() {
        None
    } else {
        let (verification, mission) =
            check(&state, &input, state.config.consular.evisa_today()).await?;
        let key = verification.code().replace('_', "-");
        let rows = verification
            .payload()
            .map(|p| {
                view::rows(
                    p,
                    mission.as_ref(),
                    state.config.consular.evisa_zone,
                    Audience::Public,
                )
                .into_iter()
                .map(|r| (r.label(lang).to_owned(), r.value(lang).to_owned()))
                .collect()
            })
            .unwrap_or_default();
        Some(Verdict {
            status: verification.code(),
            class_name: key.clone(),
            title: page.t(&format!("verify-{key}-title")),
            detail: page.t(&format!("verify-{key}-detail")),
            rows,
        })
    };
    render(&VerifyPage {
        page,
        code: input.chars().take(4096).collect(),
        verdict,
    })
}

/// One published key.
#[derive(Debug, Serialize)]
pub struct PublishedKey {
    /// Eight hex digits; the payload's bytes 1–4 name the key that signed it.
    pub key_id: String,
    pub algorithm: &'static str,
    /// The raw 32-byte Ed25519 public key, base64.
    pub public_key: String,
    /// The same key as a PEM SubjectPublicKeyInfo (`openssl pkey -pubin`).
    pub public_key_pem: String,
    /// `current` (signs new visas) or `retired` (signed earlier ones: check those online,
    /// since a retired key may have been replaced because it leaked).
    pub status: &'static str,
    /// When a retired key stopped signing (RFC 3339).
    pub retired_at: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct PublishedKeys {
    pub keys: Vec<PublishedKey>,
}

pub async fn published_keys(State(state): State<AppState>) -> Json<PublishedKeys> {
    let published = |k: EvisaVerifyingKey, retired_at: Option<String>| PublishedKey {
        key_id: k.id().to_hex(),
        algorithm: "Ed25519",
        public_key: k.public_key_base64(),
        public_key_pem: k.spki_pem(),
        status: if retired_at.is_some() {
            "retired"
        } else {
            "current"
        },
        retired_at,
    };
    let keys = std::iter::once(published(state.evisa_key.verifying_key(), None))
        .chain(state.evisa_retired.iter().rev().map(|k| {
            let at = k
                .retired_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            published(k.key, Some(at))
        }))
        .collect();
    Json(PublishedKeys { keys })
}
