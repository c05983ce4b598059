//! Citizens abroad on the web: a signed-in citizen's residences and trips (`/abroad`), the
//! download and deletion of everything held about them, and the crisis presence form
//! (`presence`), open to anyone while staff keep it open.

pub mod form;
mod presence;

use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{Method, Uri, header};
use axum::middleware;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use axum::{Extension, Form};
use safir_domain::audit::AuditAction;
use safir_domain::crisis::registration::{self, MAX_PLACES};
use safir_domain::ids::UserId;
use safir_store::audit::NewAuditRecord;
use safir_store::crisis::registrations::{
    self, NewRegistration, Place, Registration, Stored, Verify,
};
use safir_store::{StoreError, now};

use self::form::{COMPANION_ROWS, FormView, field_errors};
use crate::admin::support::{FormData, rejected};
use crate::auth::{Access, CurrentUser, Routes, SignedIn, Viewer};
use crate::error::{AppError, FieldErrors};
use crate::i18n::Lang;
use crate::page::{FlashKind, Page, render};
use crate::security::{IpRateLimit, RateLimiter, limit_by_ip};
use crate::state::AppState;

pub const EXPORT_ACTION: AuditAction = AuditAction::new("crisis.my_data.export");
pub const ERASE_ACTION: AuditAction = AuditAction::new("crisis.my_data.delete");

/// At most `burst` submissions per client address, then one every `every`.
pub(crate) fn per_ip(
    state: &AppState,
    handler: MethodRouter<AppState>,
    burst: u32,
    every: Duration,
) -> MethodRouter<AppState> {
    let limit = IpRateLimit {
        limiter: Arc::new(RateLimiter::new(burst, every)),
        trusted_proxy: state.config.trusted_proxy,
    };
    handler.route_layer(middleware::from_fn_with_state(limit, limit_by_ip))
}

/// A presence route's ceiling per client address: `burst`, then one every `every`.
fn ceiling(burst: u32, every: Duration) -> presence::IpCeiling {
    presence::IpCeiling(Arc::new(RateLimiter::new(burst, every)))
}

/// The presence routes are open to anyone in a crisis, when whole towns reach the site through
/// one carrier-grade NAT address: a client address gets ten times the usual limit of a public
/// form, and the limits that matter are per contact (the codes the form sends) and per
/// registration (the guesses and new codes, counted by the store). Their handlers check them,
/// so that a refusal shows the page again with what was typed.
pub fn routes(r: Routes) -> Routes {
    let minute = Duration::from_secs(60);
    // One count per contact for the form and "send a new code": both send codes to it.
    let contacts = presence::ContactLimit::new();
    r.add(Method::GET, "/abroad", Access::SignedIn, get(list))
        .add(Method::GET, "/abroad/new", Access::SignedIn, get(new_form))
        .add(Method::POST, "/abroad/new", Access::SignedIn, post(create))
        .add(
            Method::GET,
            "/abroad/my-data.json",
            Access::SignedIn,
            get(my_data),
        )
        .add(
            Method::POST,
            "/abroad/my-data/delete",
            Access::SignedIn,
            post(erase_my_data),
        )
        .add(
            Method::GET,
            "/abroad/{registration}",
            Access::SignedIn,
            get(show),
        )
        .add(
            Method::GET,
            "/abroad/{registration}/edit",
            Access::SignedIn,
            get(edit_form),
        )
        .add(
            Method::POST,
            "/abroad/{registration}/edit",
            Access::SignedIn,
            post(update),
        )
        .add(
            Method::POST,
            "/abroad/{registration}/delete",
            Access::SignedIn,
            post(delete),
        )
        .add(
            Method::GET,
            "/crisis/{crisis}/presence",
            Access::Public,
            get(presence::form_page),
        )
        .add(
            Method::POST,
            "/crisis/{crisis}/presence",
            Access::Public,
            post(presence::submit)
                .route_layer(Extension(ceiling(100, minute / 10)))
                .route_layer(Extension(contacts.clone())),
        )
        .add(
            Method::GET,
            "/crisis/presence/verify",
            Access::Public,
            get(presence::verify_page),
        )
        .add(
            Method::POST,
            "/crisis/presence/verify",
            Access::Public,
            post(presence::verify).route_layer(Extension(ceiling(200, minute / 20))),
        )
        .add(
            Method::POST,
            "/crisis/presence/resend",
            Access::Public,
            post(presence::resend)
                .route_layer(Extension(ceiling(100, minute / 10)))
                .route_layer(Extension(contacts)),
        )
}

/// One registration as the list and the page show it.
pub(crate) struct RegistrationView {
    pub href: String,
    pub kind: String,
    pub places: Vec<PlaceView>,
    pub created: String,
    pub channels: String,
    pub full_name: String,
    pub children: i32,
    pub elderly: bool,
    pub medical: bool,
    pub vulnerability_note: String,
    pub emergency: String,
    pub purge: String,
    /// Made by an account whose address is not confirmed yet: in no alert's audience until
    /// it is ([`Verify::WithAccount`]).
    pub awaits_email: bool,
}

pub(crate) struct PlaceView {
    pub country: String,
    pub area: String,
    pub dates: String,
    pub point: String,
}

fn place_view(lang: Lang, p: &Place) -> PlaceView {
    let country = safir_domain::CountryCode::parse(&p.country)
        .map(|c| c.name(crate::staff::labels::content_lang(lang)).to_owned())
        .unwrap_or_else(|_| p.country.clone());
    let area = [p.city.as_str(), p.region.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let dates = match (&p.starts_on, &p.ends_on) {
        (None, None) => String::new(),
        (s, e) => format!(
            "{} – {}",
            s.as_deref().unwrap_or("…"),
            e.as_deref().unwrap_or("…")
        ),
    };
    let point = match (p.lat, p.lon) {
        (Some(a), Some(b)) => format!("{a:.4}, {b:.4}"),
        _ => String::new(),
    };
    PlaceView {
        country,
        area,
        dates,
        point,
    }
}

pub(crate) fn registration_view(
    page: &Page,
    r: &Registration,
    places: &[Place],
) -> RegistrationView {
    let lang = page.lang;
    RegistrationView {
        href: format!("/abroad/{}", r.id),
        kind: page.t(&format!("crisis-registration-kind-{}", r.kind)),
        places: places.iter().map(|p| place_view(lang, p)).collect(),
        created: r.created_at.format("%Y-%m-%d").to_string(),
        channels: r
            .channel_list()
            .iter()
            .map(|c| page.t(&format!("crisis-registration-channel-{}", c.as_str())))
            .collect::<Vec<_>>()
            .join(", "),
        full_name: r.full_name.clone(),
        children: r.children,
        elderly: r.elderly,
        medical: r.medical,
        vulnerability_note: r.vulnerability_note.clone(),
        emergency: [
            r.emergency_name.as_str(),
            r.emergency_phone.as_str(),
            r.emergency_email.as_str(),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · "),
        purge: r
            .purge_after
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        awaits_email: r.verified_at.is_none() && r.kind != "presence",
    }
}

#[derive(Template)]
#[template(path = "crisis/registrations/list.html")]
struct ListPage {
    page: Page,
    csrf_token: String,
    registrations: Vec<RegistrationView>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct Done {
    #[serde(default)]
    done: String,
    #[serde(default)]
    kind: String,
}

pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    SignedIn(me): SignedIn,
    Query(q): Query<Done>,
) -> Result<Html<String>, AppError> {
    let mut page = state.page(lang, &uri, "crisis-registration-list-title", &viewer);
    if matches!(q.done.as_str(), "deleted" | "erased") {
        let message = page.t(&format!("crisis-registration-done-{}", q.done));
        page = page.with_flash(FlashKind::Success, message);
    }
    let mine = registrations::list_for_user(&state.db, me.id())
        .await
        .map_err(AppError::internal)?;
    let mut views = Vec::with_capacity(mine.len());
    for r in &mine {
        let places = registrations::places(&state.db, &r.id)
            .await
            .map_err(AppError::internal)?;
        views.push(registration_view(&page, r, &places));
    }
    render(&ListPage {
        csrf_token: state.csrf_token(&viewer),
        registrations: views,
        page,
    })
}

#[derive(Template)]
#[template(path = "crisis/registrations/new.html")]
struct NewPage {
    page: Page,
    csrf_token: String,
    kind: String,
    /// Where the form posts: `/abroad/new`, or the registration's edit address.
    action: String,
    submit_key: &'static str,
    form: FormView,
    places: Vec<usize>,
    companions: Vec<usize>,
    /// Code and name in the page's language, sorted by name.
    countries: Vec<(String, String)>,
}

/// The registration form, new (`editing` is `None`) or for changing a registration.
fn new_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    kind: &str,
    form: FormView,
    editing: Option<&str>,
) -> Result<Html<String>, AppError> {
    let title = match (editing, kind) {
        (Some(_), _) => "crisis-registration-edit-title",
        (None, "trip") => "crisis-registration-new-trip-title",
        (None, _) => "crisis-registration-new-residence-title",
    };
    let countries: Vec<(String, String)> = crate::staff::labels::countries_by_name(lang)
        .into_iter()
        .map(|(code, name)| (code.as_str().to_owned(), name.to_owned()))
        .collect();
    render(&NewPage {
        page: state.page(lang, uri, title, viewer),
        csrf_token: state.csrf_token(viewer),
        kind: kind.to_owned(),
        action: editing.map_or_else(
            || "/abroad/new".to_owned(),
            |id| format!("/abroad/{id}/edit"),
        ),
        submit_key: if editing.is_some() {
            "crisis-registration-save"
        } else {
            "crisis-registration-submit"
        },
        form,
        places: (0..MAX_PLACES).collect(),
        companions: (0..COMPANION_ROWS).collect(),
        countries,
    })
}

fn account_kind(kind: &str) -> &'static str {
    if kind == "trip" { "trip" } else { "residence" }
}

pub async fn new_form(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    SignedIn(me): SignedIn,
    Query(q): Query<Done>,
) -> Result<Html<String>, AppError> {
    let kind = account_kind(&q.kind);
    let data = FormData(vec![
        ("full_name".into(), me.user.display_name.clone()),
        ("email".into(), me.user.email.clone()),
        ("channels".into(), "email".into()),
        ("lang".into(), lang.code().to_owned()),
        form::new_request_key(),
    ]);
    new_page(
        &state,
        lang,
        &uri,
        &viewer,
        kind,
        FormView::new(lang, data, FieldErrors::new()),
        None,
    )
}

pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    SignedIn(me): SignedIn,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let kind = account_kind(data.get("kind"));
    let input = form::input(&data, kind);
    let checked = match registration::check(&input, registration::days_somewhere(now()).0, true) {
        Ok(c) => c,
        Err(e) => {
            let errors = field_errors(&e, &data);
            let view = FormView::new(lang, data, errors);
            return Ok(rejected(new_page(
                &state, lang, &uri, &viewer, kind, view, None,
            )?));
        }
    };
    let purge_after = registrations::purge_time(
        checked.last_day(),
        state.config.crisis.registration_retention,
    );
    let places = checked.places.clone();
    let new = NewRegistration {
        user_id: Some(me.id().to_owned()),
        crisis_id: None,
        form: checked,
        // Counted once the account's address is confirmed: until then anyone could have
        // opened it, with any address, and typed anyone's contacts into the form.
        verify: if me.user.email_verified_at.is_some() {
            Verify::Now
        } else {
            Verify::WithAccount
        },
        purge_after,
        request_key: data.request_key(),
    };
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let r = match registrations::create_once(&mut tx, &new, &places)
        .await
        .map_err(AppError::internal)?
    {
        Stored::New(r) => r,
        // The same form sent again (a double click, a retried request): the registration
        // the first made, holding what this one says, since it is the later word.
        Stored::Again(r) => registrations::update_for_user(
            &mut tx,
            me.id(),
            &r.id,
            &new.form,
            &places,
            new.purge_after,
        )
        .await
        .map_err(AppError::internal)?,
    };
    if matches!(new.verify, Verify::WithAccount) {
        // The account as this request saw it may be a moment old (confirmed since, in
        // another tab or on another server): the database's word decides.
        registrations::confirm_for_account(&mut tx, me.id())
            .await
            .map_err(AppError::internal)?;
    }
    tx.commit().await.map_err(AppError::internal)?;
    Ok(Redirect::to(&format!("/abroad/{}", r.id)).into_response())
}

/// A stored registration as the form's fields, so the edit page starts from what is held.
fn form_data(r: &Registration, places: &[Place]) -> FormData {
    use safir_domain::crisis::registration::{Companion, companion_field, place_field};
    let mut data = vec![
        ("full_name".to_owned(), r.full_name.clone()),
        ("email".to_owned(), r.email.clone().unwrap_or_default()),
        ("phone".to_owned(), r.phone.clone().unwrap_or_default()),
        ("lang".to_owned(), r.lang.clone()),
        ("children".to_owned(), r.children.to_string()),
        ("medical_note".to_owned(), r.vulnerability_note.clone()),
        ("emergency_name".to_owned(), r.emergency_name.clone()),
        ("emergency_phone".to_owned(), r.emergency_phone.clone()),
        ("emergency_email".to_owned(), r.emergency_email.clone()),
        // Given when the registration was made; the box stays ticked and can be unticked.
        ("consent".to_owned(), "on".to_owned()),
    ];
    data.extend(
        r.channel_list()
            .into_iter()
            .map(|c| ("channels".to_owned(), c.as_str().to_owned())),
    );
    for (flag, on) in [("elderly", r.elderly), ("medical", r.medical)] {
        if on {
            data.push((flag.to_owned(), "on".to_owned()));
        }
    }
    for (row, p) in places.iter().take(MAX_PLACES).enumerate() {
        let coordinate = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        for (part, value) in [
            ("country", p.country.clone()),
            ("region", p.region.clone()),
            ("city", p.city.clone()),
            ("lat", coordinate(p.lat)),
            ("lon", coordinate(p.lon)),
            ("starts_on", p.starts_on.clone().unwrap_or_default()),
            ("ends_on", p.ends_on.clone().unwrap_or_default()),
        ] {
            data.push((place_field(row, part), value));
        }
    }
    // Companions were written by this store from checked rows; an unreadable list shows
    // empty rows rather than failing the page.
    let companions: Vec<Companion> = serde_json::from_str(&r.companions).unwrap_or_default();
    for (row, c) in companions.iter().take(COMPANION_ROWS).enumerate() {
        data.push((companion_field(row, "name"), c.name.clone()));
        data.push((companion_field(row, "relation"), c.relation.clone()));
        let age = c.age.map(|a| a.to_string()).unwrap_or_default();
        data.push((companion_field(row, "age"), age));
    }
    FormData(data)
}

/// The form of one of the signed-in person's registrations, filled with what is held.
pub async fn edit_form(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    SignedIn(me): SignedIn,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let r = own_editable(&state, &me, &id).await?;
    let places = registrations::places(&state.db, &r.id)
        .await
        .map_err(AppError::internal)?;
    let view = FormView::new(lang, form_data(&r, &places), FieldErrors::new());
    new_page(&state, lang, &uri, &viewer, &r.kind, view, Some(&r.id))
}

/// Saves the changed form: checked like a new one, except that a trip already over may be
/// kept; the places are replaced and the purge time follows the new last day.
pub async fn update(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    SignedIn(me): SignedIn,
    Path(id): Path<String>,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let r = own_editable(&state, &me, &id).await?;
    let input = form::input(&data, &r.kind);
    let checked = match registration::check(&input, registration::days_somewhere(now()).0, false) {
        Ok(c) => c,
        Err(e) => {
            let errors = field_errors(&e, &data);
            let view = FormView::new(lang, data, errors);
            return Ok(rejected(new_page(
                &state,
                lang,
                &uri,
                &viewer,
                &r.kind,
                view,
                Some(&r.id),
            )?));
        }
    };
    let purge_after = registrations::purge_time(
        checked.last_day(),
        state.config.crisis.registration_retention,
    );
    let places = checked.places.clone();
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    match registrations::update_for_user(&mut tx, me.id(), &r.id, &checked, &places, purge_after)
        .await
    {
        Ok(_) => tx.commit().await.map_err(AppError::internal)?,
        Err(e) => {
            // End the transaction now, not when its connection is next used.
            tx.rollback().await.map_err(AppError::internal)?;
            return Err(match e {
                StoreError::NotFound => AppError::NotFound,
                e => AppError::internal(e),
            });
        }
    }
    Ok(Redirect::to(&format!("/abroad/{}?done=updated", r.id)).into_response())
}

/// One of the person's residences or trips; presence registrations (made on the crisis
/// form) are not changed here.
async fn own_editable(
    state: &AppState,
    me: &CurrentUser,
    id: &str,
) -> Result<Registration, AppError> {
    let r = own(state, me, id).await?;
    if r.kind == "presence" {
        return Err(AppError::NotFound);
    }
    Ok(r)
}

async fn own(state: &AppState, me: &CurrentUser, id: &str) -> Result<Registration, AppError> {
    match registrations::find(&state.db, id).await {
        Ok(r) if r.user_id.as_deref() == Some(me.id()) => Ok(r),
        Ok(_) | Err(StoreError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(AppError::internal(e)),
    }
}

#[derive(Template)]
#[template(path = "crisis/registrations/show.html")]
struct ShowPage {
    page: Page,
    csrf_token: String,
    r: RegistrationView,
    /// Empty for presence registrations (made on the crisis form, not editable here).
    edit_href: String,
    delete_href: String,
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    SignedIn(me): SignedIn,
    Path(id): Path<String>,
    Query(q): Query<Done>,
) -> Result<Html<String>, AppError> {
    let r = own(&state, &me, &id).await?;
    let places = registrations::places(&state.db, &r.id)
        .await
        .map_err(AppError::internal)?;
    let mut page = state.page(lang, &uri, "crisis-registration-show-title", &viewer);
    if q.done == "updated" {
        let message = page.t("crisis-registration-done-updated");
        page = page.with_flash(FlashKind::Success, message);
    }
    render(&ShowPage {
        csrf_token: state.csrf_token(&viewer),
        r: registration_view(&page, &r, &places),
        edit_href: if r.kind == "presence" {
            String::new()
        } else {
            format!("/abroad/{}/edit", r.id)
        },
        delete_href: format!("/abroad/{}/delete", r.id),
        page,
    })
}

pub async fn delete(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let r = own(&state, &me, &id).await?;
    registrations::delete_for_user(&state.db, me.id(), &r.id)
        .await
        .map_err(AppError::internal)?;
    Ok(Redirect::to("/abroad?done=deleted").into_response())
}

fn self_audit(me: &CurrentUser, action: AuditAction, summary: serde_json::Value) -> NewAuditRecord {
    NewAuditRecord {
        actor_id: Some(UserId::from_trusted(me.id().to_owned())),
        actor_label: me.user.email.clone(),
        action,
        target_type: "user",
        target_id: Some(me.id().to_owned()),
        mission_id: None,
        client_ip: None,
        summary,
    }
}

/// Everything held about the signed-in person, as a JSON download.
pub async fn my_data(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
) -> Result<Response, AppError> {
    let data = registrations::export_for_user(&state.db, me.id(), me.user.verified_email())
        .await
        .map_err(AppError::internal)?;
    state
        .audit
        .record(self_audit(&me, EXPORT_ACTION, serde_json::json!({})))
        .await?;
    let body = serde_json::to_string_pretty(&data).map_err(AppError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"my-data.json\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// Deletes every registration and subscription of the signed-in person.
pub async fn erase_my_data(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
) -> Result<Response, AppError> {
    let (regs, subs) =
        registrations::delete_all_for_user(&state.db, me.id(), me.user.verified_email())
            .await
            .map_err(AppError::internal)?;
    state
        .audit
        .record(self_audit(
            &me,
            ERASE_ACTION,
            serde_json::json!({ "registrations": regs, "subscriptions": subs }),
        ))
        .await?;
    Ok(Redirect::to("/abroad?done=erased").into_response())
}

/// The daily job that deletes registrations past their purge time.
pub const PURGE_JOB: &str = "crisis.purge";

pub struct Purge {
    pub db: safir_store::Db,
    /// `crisis.registration_retention_days`: how long after its last day a registration stays.
    pub retention: chrono::Duration,
}

impl safir_store::jobs::JobHandler for Purge {
    fn run<'a>(
        &'a self,
        _job: &'a safir_store::jobs::ClaimedJob,
    ) -> safir_store::jobs::HandlerFuture<'a> {
        Box::pin(async move {
            registrations::date_undated_imports(&self.db, self.retention)
                .await
                .map_err(|e| safir_store::jobs::JobError::Retry(e.to_string()))?;
            let n = registrations::purge_expired(&self.db, now())
                .await
                .map_err(|e| safir_store::jobs::JobError::Retry(e.to_string()))?;
            if n > 0 {
                tracing::info!(registrations = n, "purged expired registrations abroad");
            }
            safir_store::crisis::deliveries::purge_early_receipts(
                &self.db,
                now() - chrono::Duration::days(1),
            )
            .await
            .map_err(|e| safir_store::jobs::JobError::Retry(e.to_string()))?;
            Ok(())
        })
    }
}

/// Enqueues today's registration purge once, whichever process asks first.
pub async fn enqueue_daily_purge(db: &safir_store::Db) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let job = safir_store::jobs::NewJob::new(PURGE_JOB, serde_json::json!({}))
        .idempotency_key(format!("crisis-purge:{}", now().format("%Y-%m-%d")));
    safir_store::jobs::enqueue(&mut tx, &job).await?;
    tx.commit().await
}
