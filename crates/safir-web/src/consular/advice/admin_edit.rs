//! `/admin/travel-advice/{country}`: the editing form, prefilled with the version in force,
//! and publishing it as the next version, audited in the same transaction.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{Html, IntoResponse, Redirect, Response};
use safir_domain::CountryCode;
use safir_domain::consular::advice::{ADVICE_PUBLISH, TravelAdvice};
use safir_domain::ids::UserId;
use safir_store::StoreError;
use safir_store::consular::advice;

use super::form::{AdviceForm, AdviceFormView};
use super::{content_lang, country_param, field_errors};
use crate::admin::support::{Actor, FormData, rejected};
use crate::auth::Viewer;
use crate::error::{AppError, FieldErrors};
use crate::i18n::Lang;
use crate::page::{FlashKind, Page, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "consular/advice/admin_edit.html")]
struct AdviceEditPage {
    page: Page,
    code: String,
    /// "Version in force: 3", if the country has advice.
    current: Option<String>,
    csrf_token: String,
    form: AdviceFormView,
}

/// What every rendering of the form needs about the request.
struct Editing<'a> {
    state: &'a AppState,
    lang: Lang,
    uri: &'a Uri,
    viewer: &'a Viewer,
    country: CountryCode,
}

impl Editing<'_> {
    /// The form with `form`'s values, `errors` beside their fields, and an error message
    /// above it when `problem_key` is given.
    fn render(
        &self,
        current: Option<i32>,
        form: &AdviceForm,
        errors: &FieldErrors,
        problem_key: Option<&str>,
    ) -> Result<Html<String>, AppError> {
        let mut page = self.state.page(
            self.lang,
            self.uri,
            "admin-travel-advice-title",
            self.viewer,
        );
        page.title = format!(
            "{} — {}",
            page.title,
            self.country.name(content_lang(self.lang))
        );
        if let Some(key) = problem_key {
            let message = page.t(key);
            page = page.with_flash(FlashKind::Error, message);
        }
        let current = current.map(|v| page.t_count("advice-admin-current", i64::from(v)));
        render(&AdviceEditPage {
            page,
            code: self.country.as_str().to_owned(),
            current,
            csrf_token: self.state.csrf_token(self.viewer),
            form: AdviceFormView::new(self.lang, form, errors),
        })
    }

    async fn current_version(&self) -> Result<Option<i32>, AppError> {
        advice::find_current(&self.state.db, &self.country)
            .await
            .map(|v| v.map(|v| v.version))
            .map_err(AppError::internal)
    }
}

pub async fn edit_advice_form(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    let country = country_param(&raw)?;
    if raw != country.as_str() {
        // One address per country for the editing form, so its links and posts agree.
        return Ok(Redirect::to(&format!("/admin/travel-advice/{country}")).into_response());
    }
    let current = advice::find_current(&state.db, &country)
        .await
        .map_err(AppError::internal)?;
    let editing = Editing {
        state: &state,
        lang,
        uri: &uri,
        viewer: &viewer,
        country,
    };
    let form = AdviceForm::from_version(current.as_ref());
    let html = editing.render(
        current.as_ref().map(|v| v.version),
        &form,
        &FieldErrors::new(),
        None,
    )?;
    Ok(html.into_response())
}

pub async fn publish_advice(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    Path(raw): Path<String>,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let country = country_param(&raw)?;
    let editing = Editing {
        state: &state,
        lang,
        uri: &uri,
        viewer: &viewer,
        country,
    };
    let mut form = AdviceForm::from_data(&data);
    let input = match TravelAdvice::parse(country, &form.raw) {
        Ok(input) => input,
        Err(errors) => {
            let current = editing.current_version().await?;
            let html = editing.render(current, &form, &field_errors(&errors, false), None)?;
            return Ok(rejected(html));
        }
    };
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let by = UserId::from_trusted(actor.id().to_owned());
    let published = match advice::publish(&mut tx, &input, Some(&by), Some(form.base_version)).await
    {
        Ok(p) => p,
        Err(StoreError::Conflict(_)) => {
            tx.rollback().await.map_err(AppError::internal)?;
            let now_in_force = advice::find_current(&state.db, &country)
                .await
                .map_err(AppError::internal)?;
            // The same form sent again (a double click, a retried request): published, not a
            // conflict.
            if now_in_force
                .as_ref()
                .is_some_and(|v| v.published_from(form.base_version, actor.id(), &input))
            {
                return Ok(
                    Redirect::to(&format!("/admin/travel-advice?published={country}"))
                        .into_response(),
                );
            }
            // Keep what was typed; the next publish is based on the version now in force,
            // which the editor is asked to read first.
            let current = now_in_force.map(|v| v.version);
            form.base_version = current.unwrap_or(0);
            let html = editing.render(
                current,
                &form,
                &FieldErrors::new(),
                Some("advice-admin-conflict"),
            )?;
            return Ok(crate::admin::support::conflicted(html));
        }
        Err(e) => return Err(AppError::internal(e)),
    };
    let record = actor.audit(
        ADVICE_PUBLISH,
        "travel_advice",
        Some(&published.version_id),
        None,
        serde_json::json!({
            "country": country.as_str(),
            "version": published.version,
            "level": {
                "from": published.old_level.map(|l| l.number()),
                "to": input.level.number(),
            },
            "via": "web",
        }),
    );
    crate::audit_log::commit_with(tx, &record).await?;
    let level_changed = if published.level_change_enqueued {
        "&level_changed=1"
    } else {
        ""
    };
    Ok(Redirect::to(&format!(
        "/admin/travel-advice?published={country}{level_changed}"
    ))
    .into_response())
}
