//! Where the mission's word on a case reaches its applicant: the address of their account, with
//! the case's page under "My applications". Someone who asked for help from a crisis check-in
//! without an account holds their case through a placeholder account that can neither sign in
//! nor receive mail (`crisis::checkin`'s help); the mission's word reaches them as their crisis
//! registration asked to be reached (its email, its phone by SMS), with their check-in page,
//! which shows the case and how to answer.

use fluent_bundle::FluentArgs;
use safir_domain::crisis::registration::Channel;
use safir_store::consular::cases::Case;
use safir_store::crisis::{checkins, registrations};
use safir_store::{StoreError, Tx, accounts};

use crate::email;
use crate::error::AppError;
use crate::i18n::{I18n, Lang};
use crate::state::AppState;

/// Whom to write about a case, where, and the page they follow it on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    pub name: String,
    pub email: Option<String>,
    /// A number for an SMS: a crisis registrant who chose SMS, or who gave no email.
    pub sms: Option<String>,
    pub link: String,
    /// Through a crisis registration (the applicant has no account of their own).
    pub via_crisis: bool,
}

/// Where `case`'s applicant is reached.
pub async fn reach(state: &AppState, case: &Case) -> Result<Reach, AppError> {
    let applicant = accounts::find_user(&state.db, &case.applicant_id)
        .await
        .map_err(AppError::internal)?;
    let public_url = state.config.public_url.trim_end_matches('/');
    let Some(registration_id) = crate::crisis::checkin::placeholder_registration(&applicant) else {
        return Ok(Reach {
            link: format!("{public_url}/account/cases/{}", case.id),
            name: applicant.display_name,
            email: Some(applicant.email),
            sms: None,
            via_crisis: false,
        });
    };
    let registration = match registrations::find(&state.db, registration_id).await {
        Ok(r) => r,
        // Deleted since (the person asked, or the crisis's data was purged): nobody to write to.
        Err(StoreError::NotFound) => {
            return Ok(Reach {
                name: applicant.display_name,
                email: None,
                sms: None,
                link: String::new(),
                via_crisis: true,
            });
        }
        Err(e) => return Err(AppError::internal(e)),
    };
    let checkin = checkins::cases_of_registration(&state.db, registration_id)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .find_map(|(checkin, case_id)| (case_id == case.id).then_some(checkin));
    let channels = registration.channel_list();
    let given = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let email = given(registration.email).filter(|_| channels.contains(&Channel::Email));
    let sms =
        given(registration.phone).filter(|_| channels.contains(&Channel::Sms) || email.is_none());
    Ok(Reach {
        name: registration.full_name,
        email,
        sms,
        link: checkin.map_or_else(
            || public_url.to_owned(),
            |id| crate::crisis::checkin::link(state, &id),
        ),
        via_crisis: true,
    })
}

impl Reach {
    /// Enqueues the mail `template` (`email-{template}-subject` / `-body`) and, to a number, the
    /// SMS `sms-{template}`, with `args` plus `name` and `link`; `key` makes each go once.
    pub async fn send(
        &self,
        tx: &mut Tx,
        lang: Lang,
        template: &str,
        mut args: FluentArgs<'_>,
        key: &str,
    ) -> Result<(), AppError> {
        args.set("name", self.name.clone());
        args.set("link", self.link.clone());
        if let Some(address) = &self.email {
            let mut message = email::render(address, lang, template, &args);
            // Without a note its paragraph leaves a gap of three empty lines: one is enough.
            while message.text.contains("\n\n\n") {
                message.text = message.text.replace("\n\n\n", "\n\n");
            }
            email::enqueue(tx, &message, Some(key.to_owned()))
                .await
                .map_err(AppError::internal)?;
        }
        if let Some(phone) = &self.sms {
            let text = I18n::global().t_args(lang, &format!("sms-{template}"), &args);
            // One paragraph: the note's line breaks and the gap an empty note leaves.
            let body = text.split_whitespace().collect::<Vec<_>>().join(" ");
            crate::sms::enqueue(tx, phone, &body, &format!("sms:{key}"))
                .await
                .map_err(AppError::internal)?;
        }
        Ok(())
    }
}
