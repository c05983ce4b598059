//! `POST /crisis/sms/inbound?secret=…`: replies people send to the alert number. The gateway
//! posts either Twilio's form fields (`From`, `Body`; we answer with TwiML) or JSON
//! `{"from": "+…", "text": "…"}` (we answer with JSON). SAFE / HELP answer the sender's
//! current check-in (found by the phone number they registered), STOP and UNSUBSCRIBE XX end
//! SMS subscriptions, YES confirms a pending one.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use safir_domain::crisis::checkin::{CheckinStatus, Keyword};
use safir_store::StoreError;
use safir_store::consular::cases;
use safir_store::crisis::checkins::NewAnswer;
use safir_store::crisis::{checkins, subscriptions};
use serde::Deserialize;

use super::{AnswerError, NOTE_MAX, after_answer, person_lang};
use crate::error::AppError;
use crate::i18n::{I18n, Lang};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SecretQuery {
    pub secret: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct JsonInbound {
    from: String,
    text: String,
}

/// Constant-time comparison of the shared secret; an unset secret refuses everything.
pub fn secret_ok(expected: &str, given: &str) -> bool {
    let (a, b) = (expected.as_bytes(), given.as_bytes());
    // Every byte is compared, whatever differs first (only the length may show).
    !a.is_empty()
        && a.len() == b.len()
        && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The sender and text of an inbound message, and whether the gateway speaks TwiML.
fn read_message(headers: &HeaderMap, body: &[u8]) -> Option<(String, String, bool)> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("application/json") {
        let m: JsonInbound = serde_json::from_slice(body).ok()?;
        return Some((m.from, m.text, false));
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let mut from = String::new();
        let mut text = String::new();
        for (k, v) in form_urlencoded::parse(body) {
            match k.as_ref() {
                "From" => from = v.into_owned(),
                "Body" => text = v.into_owned(),
                _ => {}
            }
        }
        return Some((from, text, true));
    }
    None
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    safir_domain::crisis::escape_xml(s, &mut out);
    out
}

fn reply(twiml: bool, action: &str, text: &str) -> Response {
    if twiml {
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>{}</Message></Response>",
            xml_escape(text)
        );
        ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response()
    } else {
        axum::Json(serde_json::json!({ "action": action, "reply": text })).into_response()
    }
}

/// The sender's number as subscriptions and registrations store it (`+` and digits): a gateway
/// may post it without the plus (`971501234567`) or with the international prefix
/// (`00971501234567`). A sender that is no number (an alphanumeric sender id) stays as it came.
fn inbound_number(from: &str) -> String {
    let from = from.trim();
    // Separators as `parse_phone` takes them, before the prefix is read (`00 971 50 …`).
    let compact: String = from.chars().filter(|c| !" .-()".contains(*c)).collect();
    let digits = compact.strip_prefix("00").unwrap_or(&compact);
    let candidate = if digits.starts_with('+') {
        digits.to_owned()
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        format!("+{digits}")
    } else {
        from.to_owned()
    };
    safir_domain::crisis::registration::parse_phone(&candidate).unwrap_or_else(|_| from.to_owned())
}

/// The answer to a stop: done, or that the number had nothing to stop (it was said done even
/// when no subscription of the number was found, and messages kept coming).
fn stopped(changed: u64, done: &'static str) -> &'static str {
    if changed > 0 {
        done
    } else {
        "checkin-sms-nothing-to-stop"
    }
}

fn has_arabic(s: &str) -> bool {
    s.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

/// The language of the reply to a message in Latin letters, which an Arabic speaker sends too
/// (the keywords are in Latin letters on any phone, and their messages say so): the one the
/// number's messages are in. For the subscription keywords its latest SMS subscription's
/// first, for the others the registration's (a check-in answered switches to its own
/// person's, in `answer_sms`); English only for a number known to neither.
async fn known_lang(
    state: &AppState,
    from: &str,
    keyword: &Option<Keyword>,
) -> Result<Lang, AppError> {
    let subscription = async {
        subscriptions::sms_lang(&state.db, from)
            .await
            .map_err(AppError::internal)
    };
    let registration = async {
        checkins::lang_for_phone(&state.db, from)
            .await
            .map_err(AppError::internal)
    };
    let found = if matches!(
        keyword,
        Some(Keyword::Yes | Keyword::Stop | Keyword::Unsubscribe(_))
    ) {
        match subscription.await? {
            Some(l) => Some(l),
            None => registration.await?,
        }
    } else {
        match registration.await? {
            Some(l) => Some(l),
            None => subscription.await?,
        }
    };
    Ok(found.as_deref().and_then(Lang::parse).unwrap_or(Lang::En))
}

pub async fn inbound(
    State(state): State<AppState>,
    Query(q): Query<SecretQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    if !secret_ok(&state.config.crisis.sms_inbound_secret, &q.secret) {
        return Ok(StatusCode::FORBIDDEN.into_response());
    }
    let Some((from, text, twiml)) = read_message(&headers, &body) else {
        return Err(AppError::UnsupportedMediaType);
    };
    let from = inbound_number(&from);
    if from.is_empty() {
        return Err(AppError::BadRequest);
    }
    let keyword = Keyword::parse_sms(&text);
    let mut lang = if has_arabic(&text) {
        Lang::Ar
    } else {
        known_lang(&state, &from, &keyword).await?
    };
    let answer = match keyword {
        Some(Keyword::Safe(note)) => {
            answer_sms(&state, &from, CheckinStatus::Safe, note, &mut lang).await?
        }
        Some(Keyword::Help(note)) => {
            answer_sms(&state, &from, CheckinStatus::NeedHelp, note, &mut lang).await?
        }
        Some(Keyword::Stop) => {
            let n = subscriptions::unsubscribe_sms(&state.db, &from, None)
                .await
                .map_err(AppError::internal)?;
            SmsAnswer::plain("stop", stopped(n, "checkin-sms-stopped"))
        }
        Some(Keyword::Unsubscribe(country)) => {
            let n = subscriptions::unsubscribe_sms(&state.db, &from, country)
                .await
                .map_err(AppError::internal)?;
            SmsAnswer::plain("unsubscribe", stopped(n, "checkin-sms-unsubscribed"))
        }
        Some(Keyword::Yes) => {
            let n = subscriptions::confirm_sms(&state.db, &from)
                .await
                .map_err(AppError::internal)?;
            if n > 0 {
                SmsAnswer::plain("confirm", "checkin-sms-confirmed")
            } else {
                SmsAnswer::plain("confirm", "checkin-sms-nothing-to-confirm")
            }
        }
        None => SmsAnswer::plain("unknown", "checkin-sms-keywords"),
    };
    Ok(reply(twiml, answer.action, &answer.text(lang)))
}

/// What answering a check-in by SMS did, and what the reply says.
struct SmsAnswer {
    action: &'static str,
    key: &'static str,
    /// For "need help": the mission's telephone, when it has one.
    mission_phone: Option<String>,
    /// For "need help": the reference of the emergency case it opened.
    reference: Option<String>,
    /// The message was longer than a note holds: only its start was kept.
    note_cut: bool,
}

impl SmsAnswer {
    fn plain(action: &'static str, key: &'static str) -> Self {
        SmsAnswer {
            action,
            key,
            mission_phone: None,
            reference: None,
            note_cut: false,
        }
    }

    /// The reply in `lang`. "Need help" gives the case's reference, says, as the check-in page
    /// does, that a life in danger is for the local emergency services first and the mission's
    /// telephone, then how to add details (a reply without the keyword would only get the list
    /// of keywords back).
    fn text(&self, lang: Lang) -> String {
        let i18n = I18n::global();
        let mut lines = vec![i18n.t(lang, self.key)];
        if self.note_cut {
            let mut args = fluent_bundle::FluentArgs::new();
            args.set("max", NOTE_MAX);
            lines.push(i18n.t_args(lang, "checkin-sms-note-cut", &args));
        }
        if let Some(reference) = &self.reference {
            let mut args = fluent_bundle::FluentArgs::new();
            args.set("reference", reference.clone());
            lines.push(i18n.t_args(lang, "checkin-sms-help-reference", &args));
        }
        if self.action == "need_help" {
            lines.push(i18n.t(lang, "case-emergency-danger"));
            if let Some((phone, _)) = crate::page::phone_to_dial(self.mission_phone.as_deref()) {
                // One left-to-right run: in an Arabic SMS its digit groups would otherwise
                // read in reverse order.
                let phone = crate::i18n::ltr(lang, phone);
                lines.push(format!("{} {phone}", i18n.t(lang, "case-emergency-phone")));
            }
            lines.push(i18n.t(lang, "checkin-sms-help-details"));
        }
        lines.join("\n")
    }
}

/// Answers the sender's current check-in; "need help" opens the emergency case, and a later
/// answer reaches it (`after_answer`). Switches the reply to the person's language.
async fn answer_sms(
    state: &AppState,
    from: &str,
    status: CheckinStatus,
    mut note: String,
    lang: &mut Lang,
) -> Result<SmsAnswer, AppError> {
    // A message is as long as the sender's phone joins it: the answer is recorded whatever
    // its length, with as much of it as a note holds (the web form's limit), and the reply
    // says so; the person keeps the whole of it on their phone.
    let note_cut = match note.char_indices().nth(NOTE_MAX) {
        Some((end, _)) => {
            note.truncate(end);
            true
        }
        None => false,
    };
    let Some(current) = checkins::current_for_phone(&state.db, from)
        .await
        .map_err(AppError::internal)?
    else {
        return Ok(SmsAnswer::plain("no_checkin", "checkin-sms-no-checkin"));
    };
    // Through the same group-committing writer as the web answers: in a crisis the gateway
    // posts replies as fast as people send them.
    let written = state
        .checkin_writer
        .answer(NewAnswer {
            id: current.id.clone(),
            status,
            note,
            point: None,
        })
        .await;
    let answered = match written {
        Ok(a) => a,
        // Removed between the read and the write (the registration was deleted): as if
        // there were no check-in.
        Err(AnswerError::Store(StoreError::NotFound)) => {
            return Ok(SmsAnswer::plain("no_checkin", "checkin-sms-no-checkin"));
        }
        Err(e) => return Err(AppError::internal(e)),
    };
    let ctx = checkins::context(&state.db, &answered.checkin)
        .await
        .map_err(AppError::internal)?;
    *lang = person_lang(&ctx);
    let case_id = after_answer(state, &answered.checkin, &ctx).await?;
    if status == CheckinStatus::NeedHelp {
        // The case's reference, to give when calling the mission.
        let reference = match case_id {
            Some(id) => Some(
                cases::find(&state.db, &id)
                    .await
                    .map_err(AppError::internal)?
                    .display_reference(),
            ),
            None => None,
        };
        Ok(SmsAnswer {
            mission_phone: ctx.mission_phone,
            reference,
            note_cut,
            ..SmsAnswer::plain("need_help", "checkin-sms-help")
        })
    } else {
        Ok(SmsAnswer {
            note_cut,
            ..SmsAnswer::plain("safe", "checkin-sms-safe")
        })
    }
}
