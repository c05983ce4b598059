//! "I need help" opens a consular emergency-assistance case at the alert's mission, with the
//! person's note and location, once per check-in (a second "need help" finds the first case;
//! later answers reach it as the person's messages). The case passes to the person's check-ins
//! of later alerts in the crisis, so their answers there reach it too; a "need help" once it
//! is finished opens a new one.
//!
//! The case needs an applicant account. A citizen who registered with their account is the
//! applicant. Someone who only filled the crisis presence form has none: they get one
//! placeholder account per registration (`presence-<registration>@crisis.invalid`, no usable
//! password, never verified) that only holds their cases, so staff work them like any other
//! and the person's real address never becomes a sign-in name without their consent.

use std::collections::BTreeMap;

use safir_domain::Lang as ContentLang;
use safir_domain::accounts::{AccountKind, DisplayName, Email};
use safir_domain::audit::actions;
use safir_domain::consular::case::{Actor, CaseAction, CaseKind, CaseState, Priority};
use safir_domain::crisis::checkin::CheckinStatus;
use safir_domain::ids::{MissionId, UserId};
use safir_store::accounts;
use safir_store::audit::NewAuditRecord;
use safir_store::consular::cases::{self, NewDraft, Transition};
use safir_store::consular::services;
use safir_store::crisis::checkins::{self, Checkin, CheckinContext};
use safir_store::{StoreError, missions, now};

use crate::auth::CurrentUser;
use crate::consular::workflow::{self, By, Command, schedule_escalation};
use crate::error::AppError;
use crate::state::AppState;

/// The `n`th placeholder sign-in name a presence registration's account may have: the
/// first, or, should an account that is not a placeholder hold it (made before such addresses
/// were refused at sign-up), the next.
fn placeholder_email(registration_id: &str, n: u8) -> String {
    match n {
        0 => format!("presence-{registration_id}@crisis.invalid"),
        n => format!("presence-{registration_id}.{n}@crisis.invalid"),
    }
}

/// How many addresses [`applicant`] tries before giving up.
const PLACEHOLDER_TRIES: u8 = 4;

/// The presence registration whose placeholder account `user` is, if it is one: its
/// sign-in name, and no password (an account someone made with such a name has one).
pub fn placeholder_registration(user: &accounts::User) -> Option<&str> {
    if user.password_hash != NO_PASSWORD {
        return None;
    }
    let local = user
        .email
        .strip_prefix("presence-")?
        .strip_suffix("@crisis.invalid")?;
    // A later address (`<id>.<n>`) names the same registration.
    let id = match local.split_once('.') {
        Some((id, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => id,
        _ => local,
    };
    (!id.is_empty() && !id.contains('.')).then_some(id)
}

/// Takes the registrant's name off the placeholder accounts whose cases are all gone (the
/// consular purge's last step for them; the registration went with the crisis purge).
pub async fn forget_placeholder_names(db: &safir_store::Db) -> Result<u64, StoreError> {
    let name = DisplayName::parse(PLACEHOLDER_NAME)
        .map_err(|e| StoreError::Corrupt(format!("placeholder name: {}", e.code)))?;
    accounts::forget_caseless_names(db, NO_PASSWORD, &name).await
}

/// The name of a placeholder account whose registrant's name is not (or no longer) known.
const PLACEHOLDER_NAME: &str = "Crisis registrant";

/// Something no password hashes to: the account cannot sign in.
const NO_PASSWORD: &str = "!crisis-presence";

async fn applicant(state: &AppState, ctx: &CheckinContext) -> Result<(String, String), AppError> {
    if let Some(user_id) = &ctx.user_id {
        let user = accounts::find_user(&state.db, user_id)
            .await
            .map_err(AppError::internal)?;
        return Ok((user.id, user.email));
    }
    for n in 0..PLACEHOLDER_TRIES {
        let raw = placeholder_email(&ctx.registration_id, n);
        let email = Email::undeliverable(&raw).map_err(|e| AppError::internal(e.code))?;
        match accounts::find_user_by_email(&state.db, &email)
            .await
            .map_err(AppError::internal)?
        {
            // Only Safir's own placeholder: an account someone made with the address (it
            // has a password) would otherwise be handed this person's case.
            Some(user) if placeholder_registration(&user) == Some(ctx.registration_id.as_str()) => {
                return Ok((user.id, user.email));
            }
            Some(user) => {
                tracing::warn!(user = %user.id, "a placeholder address is held by an account with a password; trying the next");
            }
            None => return placeholder_account(state, ctx, email, raw).await,
        }
    }
    Err(AppError::internal("no free placeholder address"))
}

/// Makes the placeholder account `email` for the registration of `ctx`.
async fn placeholder_account(
    state: &AppState,
    ctx: &CheckinContext,
    email: Email,
    raw: String,
) -> Result<(String, String), AppError> {
    let name = DisplayName::parse(&ctx.full_name)
        .or_else(|_| DisplayName::parse(PLACEHOLDER_NAME))
        .map_err(|e| AppError::internal(e.code))?;
    let lang = ContentLang::parse(&ctx.lang).unwrap_or_default();
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let created = accounts::create_user(
        &mut tx,
        &accounts::NewUser {
            email: &email,
            display_name: &name,
            password_hash: NO_PASSWORD,
            kind: AccountKind::Public,
            lang,
            email_verified: false,
            request_key: None,
        },
    )
    .await;
    match created {
        Ok(id) => {
            tx.commit().await.map_err(AppError::internal)?;
            Ok((id.to_string(), raw))
        }
        // Two answers at once: the other one made it.
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            let user = accounts::find_user_by_email(&state.db, &email)
                .await
                .map_err(AppError::internal)?
                .filter(|u| placeholder_registration(u) == Some(ctx.registration_id.as_str()))
                .ok_or(AppError::Conflict)?;
            Ok((user.id, user.email))
        }
        Err(e) => Err(AppError::internal(e)),
    }
}

/// What an answer says on the case, in the person's language as the rest of the case is: the
/// answer ("Safety check-in: needs help."), their own words after it. The case's description
/// is the first "need help".
fn said(ctx: &CheckinContext, status: CheckinStatus, note: &str) -> String {
    let key = match status {
        CheckinStatus::Safe => "checkin-case-safe",
        CheckinStatus::NotInArea => "checkin-case-not-in-area",
        // No answer yet, or superseded: never passed here (only answers reach a case).
        CheckinStatus::NeedHelp | CheckinStatus::Waiting | CheckinStatus::Superseded => {
            "checkin-case-description"
        }
    };
    let said = crate::i18n::I18n::global().t(super::person_lang(ctx), key);
    match note.trim() {
        "" => said,
        note => format!("{said} {note}"),
    }
}

/// A later answer on a check-in whose "need help" opened a case reaches that case as a message
/// from the person, where the officer working it reads: more details (an SMS "HELP" and
/// words, the page answered again), or that they are safe now. The same as their last word on
/// the case (a form sent twice, a repeated SMS) adds nothing, nor does anything reach a case
/// already closed (the answer is still on the welfare board). A case waiting for the person's
/// information takes it as their answer and goes back to the officers. A case purged after it
/// was closed is no longer there and takes nothing either.
async fn add_details(
    state: &AppState,
    case_id: &str,
    checkin: &Checkin,
    ctx: &CheckinContext,
) -> Result<(), AppError> {
    let Ok(status) = checkin.status() else {
        return Ok(());
    };
    let body = said(ctx, status, &checkin.note);
    let case = match cases::find(&state.db, case_id).await {
        Ok(case) => case,
        // Closed and purged since: as for a closed case, the answer stays on the board.
        Err(StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(AppError::internal(e)),
    };
    let state_now = CaseState::parse(&case.state).map_err(AppError::internal)?;
    if matches!(state_now, CaseState::Draft | CaseState::Closed) {
        return Ok(());
    }
    let last_said = cases::list_messages(&state.db, case_id, false)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .rev()
        .find(|m| !m.from_staff)
        .map(|m| m.body)
        .or_else(|| case.form().get("description").cloned());
    if last_said.as_deref() == Some(body.as_str()) {
        return Ok(());
    }
    if state_now == CaseState::NeedsInfo {
        let user = accounts::find_user(&state.db, &case.applicant_id)
            .await
            .map_err(AppError::internal)?;
        let applicant = CurrentUser {
            user,
            grants: Default::default(),
            session_id_hash: None,
            mfa_passed: false,
            api_scopes: None,
        };
        let cmd = Command {
            action: CaseAction::ProvideInfo,
            actor: Actor::Applicant,
            reason: None,
            message: Some(&body),
        };
        match workflow::act(state, &case, &By::web(&applicant, None), &cmd).await {
            Ok(_) => return Ok(()),
            // Answered a moment ago (the same SMS twice at once), or the form the check-in
            // opened no longer passes the service's rules (changed since): the words still
            // reach the case, as a message.
            Err(AppError::Conflict | AppError::Validation(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    crate::consular::applicant_wrote::add(state, &mut tx, case_id, &case.applicant_id, &body)
        .await?;
    tx.commit().await.map_err(AppError::internal)?;
    Ok(())
}

/// What an answer does beyond the check-in: "need help" opens the emergency case (or finds
/// it); any other answer on a check-in that opened one reaches that case (`add_details`).
/// Returns the case's id, if there is one.
pub async fn after_answer(
    state: &AppState,
    checkin: &Checkin,
    ctx: &CheckinContext,
) -> Result<Option<String>, AppError> {
    if checkin.status().ok() == Some(CheckinStatus::NeedHelp) {
        return open_emergency_case(state, checkin, ctx).await;
    }
    if let Some(case_id) = &checkin.case_id {
        add_details(state, case_id, checkin, ctx).await?;
    }
    Ok(checkin.case_id.clone())
}

/// Opens (or finds) the emergency case of this check-in and returns its id; `None` when the
/// mission offers no emergency service (the answer is still on the board).
///
/// The check-in's case (opened by it, or by the person's "need help" on an earlier alert) takes
/// the answer while it is open. Once it is finished (closed, or withdrawn, refused) a new "need
/// help" is a new emergency and opens a new case in its place: nobody would read it on the old
/// one.
pub async fn open_emergency_case(
    state: &AppState,
    checkin: &Checkin,
    ctx: &CheckinContext,
) -> Result<Option<String>, AppError> {
    let previous = match &checkin.case_id {
        Some(case_id) => match cases::find(&state.db, case_id).await {
            Ok(case) if CaseState::parse(&case.state).is_ok_and(CaseState::is_open) => {
                add_details(state, case_id, checkin, ctx).await?;
                return Ok(Some(case_id.clone()));
            }
            Ok(_) | Err(StoreError::NotFound) => Some(case_id.clone()),
            Err(e) => return Err(AppError::internal(e)),
        },
        None => None,
    };
    let Some(mission_id) = &ctx.mission_id else {
        return Ok(None);
    };
    // The mission's emergency service, offered online or not: taking emergency requests out
    // of the public catalogue does not stop a crisis's calls for help from reaching the duty
    // queue.
    let Some(service) =
        services::find_by_kind_offered_or_not(&state.db, mission_id, CaseKind::Emergency)
            .await
            .map_err(AppError::internal)?
    else {
        tracing::warn!(
            mission = %mission_id,
            checkin = %checkin.id,
            "need help answered but the mission has no emergency service"
        );
        return Ok(None);
    };
    let mission = missions::find(&state.db, mission_id)
        .await
        .map_err(AppError::internal)?;
    let (applicant_id, applicant_label) = applicant(state, ctx).await?;

    let mut form = BTreeMap::new();
    form.insert("category".to_owned(), "other".to_owned());
    form.insert(
        "description".to_owned(),
        said(ctx, CheckinStatus::NeedHelp, &checkin.note),
    );
    let location = match (checkin.lat, checkin.lon) {
        (Some(lat), Some(lon)) => {
            form.insert("latitude".to_owned(), lat.to_string());
            form.insert("longitude".to_owned(), lon.to_string());
            format!("{lat}, {lon}")
        }
        _ => checkin.region.clone(),
    };
    form.insert("location".to_owned(), location);
    form.insert("phone".to_owned(), ctx.phone.clone().unwrap_or_default());
    form.insert("given_names".to_owned(), ctx.full_name.clone());

    // Once per check-in, and once more after each case it held was finished: the same answer
    // sent twice at once finds the case the first one opened.
    let key = match &previous {
        None => format!("crisis-checkin:{}", checkin.id),
        Some(finished) => format!("crisis-checkin:{}:after:{finished}", checkin.id),
    };
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let draft = cases::create_draft(
        &mut tx,
        &NewDraft {
            mission_id,
            service_id: &service.id,
            kind: CaseKind::Emergency,
            applicant_id: &applicant_id,
            form: &form,
            applicant_name: &ctx.full_name,
            lang: &ctx.lang,
            priority: Priority::Critical,
            idempotency_key: Some(&key),
            idempotency_fingerprint: None,
            expires_at: now() + chrono::Duration::days(30),
        },
    )
    .await
    .map_err(AppError::internal)?;
    let case = if draft.state == "draft" {
        let submitted = cases::transition_offered_or_not(
            &mut tx,
            &draft.id,
            &Transition {
                action: CaseAction::Submit,
                actor: Actor::Applicant,
                actor_id: Some(&applicant_id),
                reason: None,
                mission_code: &mission.code,
                due_in: Some(state.config.consular.emergency_ack),
            },
        )
        .await;
        let (case, _) = submitted.map_err(|e| AppError::internal(e.to_string()))?;
        schedule_escalation(&mut tx, &case, 1).await?;
        crate::audit_log::append(
            &mut tx,
            &NewAuditRecord {
                actor_id: Some(UserId::from_trusted(applicant_id.clone())),
                actor_label: applicant_label,
                action: actions::CRISIS_CHECKIN_HELP,
                target_type: "case",
                target_id: Some(case.id.clone()),
                mission_id: Some(MissionId::from_trusted(mission_id.clone())),
                client_ip: None,
                summary: serde_json::json!({
                    "checkin": checkin.id,
                    "reference": case.reference,
                    "located": checkin.lat.is_some(),
                }),
            },
        )
        .await?;
        case
    } else {
        draft
    };
    checkins::set_case(&mut tx, &checkin.id, previous.as_deref(), &case.id)
        .await
        .map_err(AppError::internal)?;
    tx.commit().await.map_err(AppError::internal)?;
    state.case_counts.invalidate(mission_id);
    Ok(Some(case.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(email: &str, password_hash: &str) -> accounts::User {
        accounts::User {
            id: "u1".into(),
            email: email.into(),
            display_name: "Layla".into(),
            password_hash: password_hash.into(),
            kind: "public".into(),
            preferred_lang: "ar".into(),
            email_verified_at: None,
            totp_secret: None,
            totp_enabled_at: None,
            totp_last_step: None,
            failed_logins: 0,
            locked_until: None,
            disabled_at: None,
            created_at: now(),
            updated_at: now(),
            password_set_by_admin_at: None,
        }
    }

    #[test]
    fn only_a_placeholder_account_names_its_registration() {
        let email = placeholder_email("01J9REG", 0);
        assert_eq!(
            placeholder_registration(&user(&email, NO_PASSWORD)),
            Some("01J9REG")
        );
        // Someone who signed up with such a name has a password: theirs is an account.
        assert_eq!(
            placeholder_registration(&user(&email, "$argon2id$v=19$…")),
            None
        );
        // A later address names the same registration.
        assert_eq!(
            placeholder_registration(&user(&placeholder_email("01J9REG", 2), NO_PASSWORD)),
            Some("01J9REG")
        );
        for other in [
            "layla@example.org",
            "presence-@crisis.invalid",
            "presence-.1@crisis.invalid",
            "presence-a.b@crisis.invalid",
            "presence-a.1.2@crisis.invalid",
            "presence-x@example.org",
        ] {
            assert_eq!(
                placeholder_registration(&user(other, NO_PASSWORD)),
                None,
                "{other}"
            );
        }
    }
}
