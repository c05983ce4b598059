//! Crises and CAP alerts on the web: staff declare crises, compose bilingual alerts for an
//! area, count the audience, submit (a second staff member approves large audiences), send
//! Updates and Cancels; alerts from other authorities are imported from CAP; every published
//! alert is public as CAP 1.2 XML and in an Atom feed. The `crisis.fanout` job writes the
//! delivery and check-in rows of an alert being sent.
//!
//! The routes are not under a `{mission}`: staff with `ManageCrises` at any mission reach
//! them, and each handler narrows to the crises and alerts of the missions they hold it for.

mod actions;
mod cap;
mod compose;
mod crises;
pub mod fanout;
mod form;
mod map;

use axum::http::Method;
use axum::routing::{get, post};
use safir_domain::ids::MissionId;
use safir_domain::roles::{Permission, Target as GrantTarget};
use safir_store::StoreError;
use safir_store::crisis::{alerts, crises as crises_store};
use safir_store::missions::{self, Mission};

pub use fanout::{DELIVER_JOB, FANOUT_JOB, FanoutJob, fan_out};

use crate::admin::support::Actor;
use crate::auth::{Access, Routes};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;

/// Who declares crises and composes alerts (the pages list only their missions').
pub const CRISIS_ACCESS: Access = Access::AnyMission(Permission::ManageCrises);

pub fn routes(r: Routes) -> Routes {
    let manage = CRISIS_ACCESS;
    let approve = Access::AnyMission(Permission::ApproveAlerts);
    r.add(
        Method::GET,
        "/staff/crises",
        manage,
        get(crises::list_crises),
    )
    .add(
        Method::POST,
        "/staff/crises",
        manage,
        post(crises::declare_crisis),
    )
    .add(
        Method::GET,
        "/staff/crises/{crisis}",
        manage,
        get(crises::show_crisis),
    )
    .add(
        Method::POST,
        "/staff/crises/{crisis}/close",
        manage,
        post(crises::close_crisis),
    )
    .add(
        Method::POST,
        "/staff/crises/{crisis}/presence",
        manage,
        post(crises::set_presence),
    )
    .add(
        Method::GET,
        "/staff/alerts",
        manage,
        get(compose::list_alerts),
    )
    .add(
        Method::GET,
        "/staff/alerts/new",
        manage,
        get(compose::new_alert_form),
    )
    .add(
        Method::POST,
        "/staff/alerts/new",
        manage,
        post(compose::create_alert),
    )
    .add(
        Method::GET,
        "/staff/alerts/import",
        manage,
        get(cap::import_form),
    )
    .add(
        Method::POST,
        "/staff/alerts/import",
        manage,
        post(cap::import_cap),
    )
    .add(
        Method::GET,
        "/staff/alerts/{alert}",
        manage,
        get(compose::show_alert),
    )
    .add(
        Method::POST,
        "/staff/alerts/{alert}",
        manage,
        post(compose::save_alert),
    )
    .add(
        Method::POST,
        "/staff/alerts/{alert}/preview",
        manage,
        post(actions::preview_audience),
    )
    .add(
        Method::POST,
        "/staff/alerts/{alert}/submit",
        manage,
        post(actions::submit_alert),
    )
    .add(
        Method::POST,
        "/staff/alerts/{alert}/approve",
        approve,
        post(actions::approve_alert),
    )
    .add(
        Method::POST,
        "/staff/alerts/{alert}/reject",
        approve,
        post(actions::reject_alert),
    )
    .add(
        Method::POST,
        "/staff/alerts/{alert}/update",
        manage,
        post(actions::update_alert),
    )
    .add(
        Method::POST,
        "/staff/alerts/{alert}/cancel",
        manage,
        post(actions::cancel_alert),
    )
    .add(
        Method::GET,
        "/cap/feed.atom",
        Access::Public,
        get(cap::atom_feed),
    )
    .add(
        Method::GET,
        "/cap/{alert}",
        Access::Public,
        get(cap::cap_xml),
    )
}

/// Whether the actor holds `permission` at `mission_id`.
fn allowed(actor: &Actor, permission: Permission, mission_id: &str) -> bool {
    let id = MissionId::from_trusted(mission_id.to_owned());
    actor.user.grants.can(permission, GrantTarget::Mission(&id))
}

/// The missions where the actor holds `permission`, by code.
async fn missions_for(
    state: &AppState,
    actor: &Actor,
    permission: Permission,
) -> Result<Vec<Mission>, AppError> {
    let all = missions::list(&state.db)
        .await
        .map_err(AppError::internal)?;
    Ok(all
        .into_iter()
        .filter(|m| allowed(actor, permission, &m.id))
        .collect())
}

/// The missions the actor may see crises of, or `None` for every mission.
fn scope(actor: &Actor) -> Option<Vec<MissionId>> {
    actor.user.grants.missions_for(Permission::ManageCrises)
}

/// An alert of a mission where the actor holds `permission`; anything else is not found.
async fn own_alert(
    state: &AppState,
    actor: &Actor,
    id: &str,
    permission: Permission,
) -> Result<alerts::Alert, AppError> {
    match alerts::find(&state.db, id).await {
        Ok(a) if allowed(actor, permission, &a.mission_id) => Ok(a),
        Ok(_) | Err(StoreError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(AppError::internal(e)),
    }
}

/// A crisis of a mission where the actor may manage crises.
async fn own_crisis(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> Result<crises_store::Crisis, AppError> {
    match crises_store::find(&state.db, id).await {
        Ok(c) if allowed(actor, Permission::ManageCrises, &c.mission_id) => Ok(c),
        Ok(_) | Err(StoreError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(AppError::internal(e)),
    }
}

fn content_lang(lang: Lang) -> safir_domain::Lang {
    crate::staff::labels::content_lang(lang)
}

/// "Draft", "Pending approval" … in the interface language.
fn status_label(lang: Lang, status: &str) -> String {
    crate::i18n::t(
        lang,
        &format!("crisis-alert-status-{}", status.replace('_', "-")),
    )
}

/// The kinds of CAP code the pages name in words: each is the `<element>` its codes fill.
#[derive(Clone, Copy)]
enum CapCode {
    MsgType,
    Category,
    ResponseType,
    Urgency,
    Severity,
    Certainty,
}

impl CapCode {
    fn key(self, token: &str) -> String {
        let kind = match self {
            CapCode::MsgType => "msg-type",
            CapCode::Category => "category",
            CapCode::ResponseType => "response-type",
            CapCode::Urgency => "urgency",
            CapCode::Severity => "severity",
            CapCode::Certainty => "certainty",
        };
        format!("cap-{kind}-{}", token.to_ascii_lowercase())
    }

    /// A CAP code ("Met", "Immediate") in words in the interface language. A code the
    /// catalogs do not name is shown as it is.
    fn label(self, lang: Lang, token: &str) -> String {
        let key = self.key(token);
        if crate::i18n::I18n::global().has(lang, &key) {
            crate::i18n::t(lang, &key)
        } else {
            token.to_owned()
        }
    }
}

/// A time for people, in UTC.
fn shown_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Whether `actor` had a hand in the alert's text or its sending: its author, or someone who
/// imported, edited or submitted it (the trail records each). None of them may approve it:
/// the second pair of eyes is someone who neither wrote nor sent it.
pub(super) async fn wrote_or_sent(
    state: &AppState,
    alert: &alerts::Alert,
    actor: &Actor,
) -> Result<bool, AppError> {
    use safir_domain::audit::actions::{ALERT_CREATE, ALERT_EDIT, ALERT_IMPORT, ALERT_SUBMIT};
    if alert.created_by.as_deref() == Some(actor.id()) {
        return Ok(true);
    }
    safir_store::audit::acted_on(
        &state.db,
        ("crisis_alert", &alert.id),
        actor.id(),
        &[ALERT_CREATE, ALERT_IMPORT, ALERT_EDIT, ALERT_SUBMIT],
    )
    .await
    .map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use safir_domain::crisis::alert::AlertStatus;

    use super::*;
    use crate::i18n::I18n;

    #[test]
    fn every_status_has_a_label_in_both_languages() {
        for lang in Lang::ALL {
            for s in AlertStatus::ALL {
                let key = format!("crisis-alert-status-{}", s.as_str().replace('_', "-"));
                assert!(I18n::global().has(lang, &key), "{key}");
            }
        }
    }

    #[test]
    fn every_cap_code_has_words_in_both_languages() {
        use safir_domain::crisis::cap::{
            Category, Certainty, MsgType, ResponseType, Severity, Urgency,
        };
        let all: [(CapCode, Vec<&str>); 6] = [
            (
                CapCode::MsgType,
                MsgType::ALL.iter().map(|c| c.as_str()).collect(),
            ),
            (
                CapCode::Category,
                Category::ALL.iter().map(|c| c.as_str()).collect(),
            ),
            (
                CapCode::ResponseType,
                ResponseType::ALL.iter().map(|c| c.as_str()).collect(),
            ),
            (
                CapCode::Urgency,
                Urgency::ALL.iter().map(|c| c.as_str()).collect(),
            ),
            (
                CapCode::Severity,
                Severity::ALL.iter().map(|c| c.as_str()).collect(),
            ),
            (
                CapCode::Certainty,
                Certainty::ALL.iter().map(|c| c.as_str()).collect(),
            ),
        ];
        for lang in Lang::ALL {
            for (kind, tokens) in &all {
                for token in tokens {
                    let key = kind.key(token);
                    assert!(I18n::global().has(lang, &key), "{key}");
                }
            }
        }
        assert_eq!(
            CapCode::Category.label(Lang::Ar, "Met"),
            "أرصاد جوية، ومنها الفيضانات"
        );
        assert_eq!(
            CapCode::ResponseType.key("AllClear"),
            "cap-response-type-allclear"
        );
        assert_eq!(CapCode::Category.label(Lang::En, "Volcano"), "Volcano");
    }
}
