//! The e-visa itself: the printable page and the PDF, for the holder and for staff who may
//! read personal data at the issuing mission (each staff opening is audited; anyone else gets
//! "not found"), and its revocation by the mission's consular staff.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use safir_domain::audit::actions;
use safir_domain::roles::{Permission, Target};
use safir_store::StoreError;
use safir_store::audit::NewAuditRecord;
use safir_store::consular::evisas::{self, Evisa};
use serde::Deserialize;

use super::pdf::render_pdf;
use super::view::{self, Audience, Both, FieldRow};
use crate::api::ClientIp;
use crate::auth::{CurrentUser, MissionParam, SignedIn, Viewer};
use crate::error::{AppError, FieldError, FieldErrors};
use crate::forms::Field;
use crate::i18n::Lang;
use crate::page::{FlashKind, Page, render};
use crate::state::AppState;

/// Longest revocation reason kept.
const REASON_MAX: usize = 500;

/// How the viewer is entitled to the visa.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    Holder,
    Staff { can_revoke: bool },
}

/// The visa `id` if `user` may open it; "not found" otherwise, so ids reveal nothing.
async fn open(state: &AppState, user: &CurrentUser, id: &str) -> Result<(Evisa, Reader), AppError> {
    let evisa = match evisas::find(&state.db, id).await {
        Ok(e) => e,
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(AppError::internal(e)),
    };
    let mission = evisa.mission();
    let target = Target::Mission(&mission);
    if evisa.holder_id == user.id() {
        return Ok((evisa, Reader::Holder));
    }
    if user.grants.can(Permission::ViewPersonalData, target) {
        let can_revoke = user.grants.can(Permission::ManageConsularCases, target);
        return Ok((evisa, Reader::Staff { can_revoke }));
    }
    Err(AppError::NotFound)
}

/// A staff opening of a visa is a read of personal data.
pub(crate) async fn record_read(
    state: &AppState,
    user: &CurrentUser,
    client_ip: Option<String>,
    evisa: &Evisa,
    what: &str,
    via: &str,
) -> Result<(), AppError> {
    state
        .audit
        .record(NewAuditRecord {
            actor_id: Some(user.user.user_id()),
            actor_label: user.user.email.clone(),
            action: actions::EVISA_READ,
            target_type: "evisa",
            target_id: Some(evisa.id.clone()),
            mission_id: Some(evisa.mission()),
            client_ip,
            summary: serde_json::json!({ "visa_number": evisa.visa_number, "view": what, "via": via }),
        })
        .await
        .map(|_| ())
}

struct RevokedView {
    at: String,
    /// Shown to staff only.
    reason: Option<String>,
}

/// The document's fixed wording, in both languages.
struct DocTexts {
    doc_title: Both,
    revoked_banner: Both,
    qr_caption: Both,
}

struct RevokeFormView {
    action: String,
    reason: Field,
}

#[derive(Template)]
#[template(path = "consular/evisa/show.html")]
struct EvisaPage {
    page: Page,
    csrf_token: String,
    id: String,
    number: String,
    texts: DocTexts,
    rows: Vec<FieldRow>,
    qr_svg: String,
    verify_url: String,
    revoked: Option<RevokedView>,
    revoke_form: Option<RevokeFormView>,
}

/// What a page answering a revocation shows besides the visa.
#[derive(Default)]
struct PageExtra {
    flash: Option<(FlashKind, String)>,
    reason: String,
    errors: FieldErrors,
}

#[allow(clippy::too_many_arguments)]
async fn evisa_page(
    state: &AppState,
    lang: Lang,
    viewer: &Viewer,
    user: &CurrentUser,
    client_ip: Option<String>,
    id: &str,
    extra: PageExtra,
) -> Result<Html<String>, AppError> {
    let (evisa, reader) = open(state, user, id).await?;
    if let Reader::Staff { .. } = reader {
        record_read(state, user, client_ip, &evisa, "page", "web").await?;
    }
    let payload = evisa.signed_payload().map_err(AppError::internal)?;
    let mission = view::mission_of(state, Some(&evisa.mission_id), &payload).await;
    let uri: Uri = format!("/evisas/{}", evisa.id)
        .parse()
        .unwrap_or_else(|_| Uri::from_static("/"));
    let mut page = state.page(lang, &uri, "evisa-title", viewer);
    page.title = format!("{} — {}", page.title, evisa.visa_number);
    if let Some((kind, message)) = extra.flash {
        page = page.with_flash(kind, message);
    }
    let is_staff = matches!(reader, Reader::Staff { .. });
    let revoked = evisa.revoked_at.map(|at| RevokedView {
        at: at.format("%Y-%m-%d %H:%M UTC").to_string(),
        reason: if is_staff {
            evisa.revoke_reason.clone()
        } else {
            None
        },
    });
    let revoke_form =
        (reader == Reader::Staff { can_revoke: true } && revoked.is_none()).then(|| {
            RevokeFormView {
                // The mission's code today: the one the visa was issued under may have
                // changed since.
                action: format!(
                    "/missions/{}/evisas/{}/revoke",
                    mission
                        .as_ref()
                        .map_or(evisa.mission_code.as_str(), |m| m.code.as_str()),
                    evisa.id
                ),
                reason: Field::new(lang, "reason", "evisa-revoke-reason")
                    .hint(lang, "evisa-revoke-reason-hint")
                    .value(extra.reason.clone())
                    .required()
                    .errors_from(lang, &extra.errors),
            }
        });
    let verify_url = evisa.verify_url(&state.config.public_url);
    render(&EvisaPage {
        csrf_token: state.csrf_token(viewer),
        number: evisa.visa_number.clone(),
        texts: DocTexts {
            doc_title: Both::of("evisa-doc-title"),
            revoked_banner: Both::of("evisa-revoked-banner"),
            qr_caption: Both::of("evisa-qr-caption"),
        },
        rows: view::rows(
            &payload,
            mission.as_ref(),
            state.config.consular.evisa_zone,
            Audience::Document,
        ),
        qr_svg: view::qr_svg(&verify_url),
        verify_url,
        revoked,
        revoke_form,
        id: evisa.id,
        page,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShowParams {
    done: String,
}

pub async fn show_evisa(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    SignedIn(user): SignedIn,
    ClientIp(client_ip): ClientIp,
    Path(id): Path<String>,
    Query(params): Query<ShowParams>,
) -> Result<Response, AppError> {
    let flash = (params.done == "revoked").then(|| {
        (
            FlashKind::Success,
            crate::i18n::t(lang, "evisa-revoked-done"),
        )
    });
    let extra = PageExtra {
        flash,
        ..PageExtra::default()
    };
    let html = evisa_page(&state, lang, &viewer, &user, client_ip, &id, extra).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], html).into_response())
}

pub async fn evisa_pdf(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    ClientIp(client_ip): ClientIp,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (evisa, reader) = open(&state, &user, &id).await?;
    if let Reader::Staff { .. } = reader {
        record_read(&state, &user, client_ip, &evisa, "pdf", "web").await?;
    }
    pdf_response(&state, &evisa).await
}

/// The e-visa as a PDF download (the caller has checked who may read it and audited a
/// staff read).
pub(crate) async fn pdf_response(state: &AppState, evisa: &Evisa) -> Result<Response, AppError> {
    let payload = evisa.signed_payload().map_err(AppError::internal)?;
    let mission = view::mission_of(state, Some(&evisa.mission_id), &payload).await;
    let rows = view::rows(
        &payload,
        mission.as_ref(),
        state.config.consular.evisa_zone,
        Audience::Document,
    );
    let verify_url = evisa.verify_url(&state.config.public_url);
    let bytes = render_pdf(&rows, &verify_url, evisa.is_revoked()).map_err(AppError::internal)?;
    let disposition = format!("inline; filename=\"{}.pdf\"", evisa.visa_number);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RevokeForm {
    reason: String,
}

#[allow(clippy::too_many_arguments)]
pub async fn revoke_evisa(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    SignedIn(user): SignedIn,
    ClientIp(client_ip): ClientIp,
    MissionParam(mission): MissionParam,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<RevokeForm>,
) -> Result<Response, AppError> {
    let evisa = mission_evisa(&state, &mission, &id).await?;
    let (reason, errors) = revocation_reason(&form.reason);
    if !errors.is_empty() {
        let extra = PageExtra {
            reason: form.reason.clone(),
            errors,
            ..PageExtra::default()
        };
        return again(
            &state,
            lang,
            &viewer,
            &user,
            client_ip,
            &id,
            StatusCode::UNPROCESSABLE_ENTITY,
            extra,
        )
        .await;
    }
    if !revoke(&state, &user, client_ip.clone(), &evisa, reason, None).await? {
        let extra = PageExtra {
            flash: Some((
                FlashKind::Error,
                crate::i18n::t(lang, "evisa-already-revoked"),
            )),
            ..PageExtra::default()
        };
        return again(
            &state,
            lang,
            &viewer,
            &user,
            client_ip,
            &id,
            StatusCode::CONFLICT,
            extra,
        )
        .await;
    }
    Ok(Redirect::to(&format!("/evisas/{}?done=revoked", evisa.id)).into_response())
}

/// An e-visa issued by `mission`; any other id is `NotFound`.
pub(crate) async fn mission_evisa(
    state: &AppState,
    mission: &safir_store::missions::Mission,
    id: &str,
) -> Result<Evisa, AppError> {
    if crate::api::consular::has_control(id, false) {
        return Err(AppError::NotFound);
    }
    match evisas::find(&state.db, id).await {
        Ok(e) if e.mission_id == mission.id => Ok(e),
        Ok(_) | Err(StoreError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(AppError::internal(e)),
    }
}

/// The reason given for a revocation, trimmed, with what is wrong with it (required, at
/// most [`REASON_MAX`] characters).
pub(crate) fn revocation_reason(raw: &str) -> (&str, FieldErrors) {
    let reason = raw.trim();
    let mut errors = FieldErrors::new();
    if reason.is_empty() {
        errors.push("reason", "required");
    } else if crate::api::consular::has_control(reason, true) {
        errors.push("reason", "invalid_characters");
    } else if reason.chars().count() > REASON_MAX {
        errors.add(FieldError::new("reason", "too_long").with_arg("max", REASON_MAX));
    }
    (reason, errors)
}

/// Revokes `evisa` as `user`: the holder is emailed and the revocation audited
/// (`evisa.revoke`, with `"via"` when given), all in one transaction. `false` when it was
/// already revoked, and nothing is done.
pub(crate) async fn revoke(
    state: &AppState,
    user: &CurrentUser,
    client_ip: Option<String>,
    evisa: &Evisa,
    reason: &str,
    via: Option<&str>,
) -> Result<bool, AppError> {
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    match evisas::revoke(&mut tx, &evisa.id, &user.user.user_id(), reason).await {
        Ok(_) => {}
        Err(StoreError::Conflict(_)) => {
            tx.rollback().await.map_err(AppError::internal)?;
            return Ok(false);
        }
        Err(e) => return Err(AppError::internal(e)),
    }
    notify_holder_of_revocation(state, &mut tx, evisa).await?;
    let mut summary = serde_json::json!({ "visa_number": evisa.visa_number, "reason": reason });
    if let Some(via) = via {
        summary["via"] = via.into();
    }
    crate::audit_log::commit_with(
        tx,
        &NewAuditRecord {
            actor_id: Some(user.user.user_id()),
            actor_label: user.user.email.clone(),
            action: actions::EVISA_REVOKE,
            target_type: "evisa",
            target_id: Some(evisa.id.clone()),
            mission_id: Some(evisa.mission()),
            client_ip,
            summary,
        },
    )
    .await?;
    Ok(true)
}

/// The visa's page again after a refused revocation, with `status`.
#[allow(clippy::too_many_arguments)]
async fn again(
    state: &AppState,
    lang: Lang,
    viewer: &Viewer,
    user: &CurrentUser,
    client_ip: Option<String>,
    id: &str,
    status: StatusCode,
    extra: PageExtra,
) -> Result<Response, AppError> {
    let html = evisa_page(state, lang, viewer, user, client_ip, id, extra).await?;
    Ok((status, axum::Extension(crate::error::OwnErrorPage), html).into_response())
}

/// Emails the holder, in their language, that their e-visa is revoked, in the
/// revocation's transaction: the reason is the register's, not theirs, and is left out.
async fn notify_holder_of_revocation(
    state: &AppState,
    tx: &mut safir_store::Tx,
    evisa: &Evisa,
) -> Result<(), AppError> {
    let holder = safir_store::accounts::find_user(&state.db, &evisa.holder_id)
        .await
        .map_err(AppError::internal)?;
    let lang = crate::accounts::user_lang(&holder);
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("name", holder.display_name.clone());
    args.set("visa", evisa.visa_number.clone());
    // The visa's own page, which says it is revoked: the application it was issued for may
    // be purged while the visa runs, its page gone.
    let link = format!("{}/evisas/{}", state.config.public_url, evisa.id);
    args.set("link", link);
    let message = crate::email::render(&holder.email, lang, "evisa-revoked", &args);
    crate::email::enqueue(tx, &message, Some(format!("evisa-revoked:{}", evisa.id)))
        .await
        .map_err(AppError::internal)
}
