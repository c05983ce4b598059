//! `POST /crisis/sms/inbound?secret=…`: replies people send to the alert number. The gateway
//! posts either Twilio's form fields (`From`, `Body`; we answer with TwiML) or JSON
//! `{"from": "+…", "text": "…"}` (we answer with JSON). SAFE / HELP answer the sender's
//! current check-in (found by the phone number they registered; a number registered for
//! several people names whom after the keyword: a number, ALL or a name), STOP and UNSUBSCRIBE XX end
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
    /// For "need help": the references of the emergency cases it opened (one per person).
    references: Vec<String>,
    /// The message was longer than a note holds: only its start was kept.
    note_cut: bool,
    /// The people of a number registered for several, numbered, when the message named none
    /// of them: "SAFE" recorded nothing and says how to name them, "HELP" was recorded for
    /// each and says how to name one next time.
    people: Vec<String>,
    /// "SAFE ALL": how many people it was recorded for.
    all: Option<usize>,
}

impl SmsAnswer {
    fn plain(action: &'static str, key: &'static str) -> Self {
        SmsAnswer {
            action,
            key,
            mission_phone: None,
            references: Vec::new(),
            note_cut: false,
            people: Vec::new(),
            all: None,
        }
    }

    /// The reply in `lang`. "Need help" gives the case's reference, says, as the check-in page
    /// does, that a life in danger is for the local emergency services first and the mission's
    /// telephone, then how to add details (a reply without the keyword would only get the list
    /// of keywords back).
    fn text(&self, lang: Lang) -> String {
        let i18n = I18n::global();
        let people = || {
            let mut args = fluent_bundle::FluentArgs::new();
            args.set("count", self.people.len());
            args.set("people", self.people.join(list_separator(lang)));
            args
        };
        let mut lines = vec![match (self.action, self.all) {
            ("choose", _) => i18n.t_args(lang, self.key, &people()),
            (_, Some(count)) => {
                let mut args = fluent_bundle::FluentArgs::new();
                args.set("count", count);
                i18n.t_args(lang, self.key, &args)
            }
            _ => i18n.t(lang, self.key),
        }];
        if self.note_cut {
            let mut args = fluent_bundle::FluentArgs::new();
            args.set("max", NOTE_MAX);
            lines.push(i18n.t_args(lang, "checkin-sms-note-cut", &args));
        }
        match self.references.as_slice() {
            [] => {}
            [reference] => {
                let mut args = fluent_bundle::FluentArgs::new();
                args.set("reference", reference.clone());
                lines.push(i18n.t_args(lang, "checkin-sms-help-reference", &args));
            }
            several => {
                let mut args = fluent_bundle::FluentArgs::new();
                args.set("references", several.join(list_separator(lang)));
                lines.push(i18n.t_args(lang, "checkin-sms-help-references", &args));
            }
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
            if !self.people.is_empty() {
                lines.push(i18n.t_args(lang, "checkin-sms-help-everyone", &people()));
            }
        }
        lines.join("\n")
    }
}

fn list_separator(lang: Lang) -> &'static str {
    match lang {
        Lang::Ar => "، ",
        _ => ", ",
    }
}

/// "1 Layla Haddad", "3 Nour": the people at `at` of `names`, each with the number a reply
/// picks them by (their place among everyone registered with the number, which an alert
/// reaching only some of them does not change).
fn numbered(names: &[String], at: &[usize]) -> Vec<String> {
    at.iter()
        .map(|&i| format!("{} {}", i + 1, names[i]))
        .collect()
}

/// Whom a message from a number registered for several people answers for.
#[derive(Debug, PartialEq, Eq)]
enum Pick {
    /// The one at this index of the list.
    One(usize),
    All,
}

/// The words a message names everyone by: ALL, الكل, الجميع.
const ALL_WORDS: [&str; 3] = ["all", "الكل", "الجميع"];

/// A word of the message as names are compared: its punctuation off ("2.", "Sami,"), folded
/// as staff searches fold names (case, Arabic letter variants, Arabic-Indic digits, accents).
fn word_key(word: &str) -> String {
    safir_store::name_key::name_key(word.trim_matches(|c: char| !c.is_alphanumeric()))
}

/// The text after the first `n` words of `text`.
fn after_words(text: &str, n: usize) -> &str {
    match text.split_whitespace().nth(n.saturating_sub(1)) {
        Some(word) if n > 0 => {
            let end = word.as_ptr() as usize - text.as_ptr() as usize + word.len();
            text[end..].trim()
        }
        _ => text.trim(),
    }
}

/// Reads which of the `names` (the people registered with one number) the text after the
/// keyword picks, and the rest of it (the note): a number from 1 (ASCII or Arabic-Indic
/// digits), ALL, or the first words of exactly one person's name ("Sami", "sami haddad"),
/// whole words only, so that a note such as "I am hurt" never picks an "Ibrahim". `None`
/// when it picks nobody, and the whole text stays the note.
fn read_pick(text: &str, names: &[String]) -> Option<(Pick, String)> {
    let words: Vec<String> = text.split_whitespace().map(word_key).collect();
    let first = words.first()?;
    if let Ok(n) = first.parse::<usize>() {
        return (1..=names.len())
            .contains(&n)
            .then(|| (Pick::One(n - 1), after_words(text, 1).to_owned()));
    }
    if ALL_WORDS.iter().any(|w| word_key(w) == *first) {
        return Some((Pick::All, after_words(text, 1).to_owned()));
    }
    let keys: Vec<Vec<String>> = names
        .iter()
        .map(|n| n.split_whitespace().map(word_key).collect())
        .collect();
    let longest = keys.iter().map(Vec::len).max().unwrap_or(0);
    // The most words that name one person: "SAFE Sami Haddad ok" picks Sami Haddad and
    // keeps "ok"; a name two people share picks nobody.
    for n in (1..=words.len().min(longest)).rev() {
        let typed = &words[..n];
        if typed.iter().any(String::is_empty) {
            continue;
        }
        let matching: Vec<usize> = keys
            .iter()
            .enumerate()
            .filter(|(_, key)| key.starts_with(typed))
            .map(|(i, _)| i)
            .collect();
        match matching.as_slice() {
            [] => {}
            [one] => return Some((Pick::One(*one), after_words(text, n).to_owned())),
            _ => return None,
        }
    }
    None
}

/// Cuts a note to what the web form holds; says whether it did.
fn cut_note(note: &mut String) -> bool {
    match note.char_indices().nth(NOTE_MAX) {
        Some((end, _)) => {
            note.truncate(end);
            true
        }
        None => false,
    }
}

/// Answers the sender's current check-in; "need help" opens the emergency case, and a later
/// answer reaches it (`after_answer`). Switches the reply to the person's language.
///
/// A number registered for several people (a parent and a child, a residence and a trip) has
/// a current check-in for each: the message names whom it answers for after the keyword
/// ("SAFE 2", "SAFE Sami", "SAFE ALL"). "SAFE" naming nobody records nothing (a wrong "safe"
/// would stop staff looking for someone) and the reply lists the people to pick from; "HELP"
/// naming nobody is recorded for each of them at once, since a request for help must not
/// wait for a second message.
async fn answer_sms(
    state: &AppState,
    from: &str,
    status: CheckinStatus,
    note: String,
    lang: &mut Lang,
) -> Result<SmsAnswer, AppError> {
    let current = checkins::current_all_for_phone(&state.db, from)
        .await
        .map_err(AppError::internal)?;
    // Whom an answer can reach: the people of the number with a check-in of an open crisis.
    let waiting: Vec<usize> = (0..current.len())
        .filter(|&i| current[i].checkin_id.is_some())
        .collect();
    if waiting.is_empty() {
        return Ok(SmsAnswer::plain("no_checkin", "checkin-sms-no-checkin"));
    }
    let names: Vec<String> = current.iter().map(|c| c.full_name.clone()).collect();
    let choose = || SmsAnswer {
        people: numbered(&names, &waiting),
        ..SmsAnswer::plain("choose", "checkin-sms-choose")
    };
    let (targets, mut note, pick) = if current.len() == 1 {
        (vec![0], note, Some(Pick::One(0)))
    } else {
        match read_pick(&note, &names) {
            Some((Pick::One(i), rest)) if current[i].checkin_id.is_some() => {
                (vec![i], rest, Some(Pick::One(i)))
            }
            // Someone nobody is waiting to hear from (the alert did not reach them): "safe"
            // is asked again with the choice; "help" reaches everyone who is waited for.
            Some((Pick::One(_), _)) if status == CheckinStatus::Safe => return Ok(choose()),
            Some((Pick::One(_), _)) => (waiting.clone(), note, None),
            Some((Pick::All, rest)) => (waiting.clone(), rest, Some(Pick::All)),
            // One person waited for: the message answers the one alert that reached it.
            None if waiting.len() == 1 => (waiting.clone(), note, Some(Pick::One(waiting[0]))),
            None if status == CheckinStatus::Safe => return Ok(choose()),
            None => (waiting.clone(), note, None),
        }
    };
    let answered_for = targets.clone();
    // A message is as long as the sender's phone joins it: the answer is recorded whatever
    // its length, with as much of it as a note holds (the web form's limit), and the reply
    // says so; the person keeps the whole of it on their phone.
    let note_cut = cut_note(&mut note);
    let mut references = Vec::new();
    let mut mission_phone = None;
    let mut answered_any = false;
    for (n, i) in targets.into_iter().enumerate() {
        // Through the same group-committing writer as the web answers: in a crisis the
        // gateway posts replies as fast as people send them.
        let written = state
            .checkin_writer
            .answer(NewAnswer {
                id: current[i].checkin_id.clone().unwrap_or_default(),
                status,
                note: note.clone(),
                point: None,
            })
            .await;
        let answered = match written {
            Ok(a) => a,
            // Removed between the read and the write (the registration was deleted): as if
            // there were no check-in for this one.
            Err(AnswerError::Store(StoreError::NotFound)) => continue,
            Err(e) => return Err(AppError::internal(e)),
        };
        answered_any = true;
        let ctx = checkins::context(&state.db, &answered.checkin)
            .await
            .map_err(AppError::internal)?;
        if n == 0 {
            *lang = person_lang(&ctx);
        }
        let case_id = after_answer(state, &answered.checkin, &ctx).await?;
        if status == CheckinStatus::NeedHelp {
            // The case's reference, to give when calling the mission.
            if let Some(id) = case_id {
                let case = cases::find(&state.db, &id)
                    .await
                    .map_err(AppError::internal)?;
                references.push(case.display_reference());
            }
            if mission_phone.is_none() {
                mission_phone = ctx.mission_phone;
            }
        }
    }
    if !answered_any {
        return Ok(SmsAnswer::plain("no_checkin", "checkin-sms-no-checkin"));
    }
    if status == CheckinStatus::NeedHelp {
        Ok(SmsAnswer {
            mission_phone,
            references,
            note_cut,
            // Recorded for everyone: the reply says for whom, and how to name one.
            people: if pick.is_none() {
                numbered(&names, &answered_for)
            } else {
                Vec::new()
            },
            ..SmsAnswer::plain("need_help", "checkin-sms-help")
        })
    } else if pick == Some(Pick::All) {
        Ok(SmsAnswer {
            note_cut,
            all: Some(answered_for.len()),
            ..SmsAnswer::plain("safe", "checkin-sms-safe-all")
        })
    } else {
        Ok(SmsAnswer {
            note_cut,
            ..SmsAnswer::plain("safe", "checkin-sms-safe")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        vec![
            "Layla Haddad".into(),
            "Sami Haddad".into(),
            "أحمد علي".into(),
        ]
    }

    #[test]
    fn a_pick_is_a_number_all_or_the_start_of_one_name() {
        let n = names();
        assert_eq!(read_pick("2", &n), Some((Pick::One(1), String::new())));
        assert_eq!(
            read_pick("٣  at home", &n),
            Some((Pick::One(2), "at home".into()))
        );
        assert_eq!(read_pick("4", &n), None);
        assert_eq!(read_pick("0 ok", &n), None);
        assert_eq!(read_pick("ALL fine", &n), Some((Pick::All, "fine".into())));
        assert_eq!(read_pick("الجميع", &n), Some((Pick::All, String::new())));
        assert_eq!(read_pick("sami", &n), Some((Pick::One(1), String::new())));
        assert_eq!(
            read_pick("Sami Haddad, at school", &n),
            Some((Pick::One(1), "at school".into()))
        );
        assert_eq!(read_pick("احمد", &n), Some((Pick::One(2), String::new())));
        // A surname (no name's start), a word that only begins a name, a plain note: nobody.
        assert_eq!(read_pick("haddad", &n), None);
        assert_eq!(read_pick("Sam is fine", &n), None);
        assert_eq!(read_pick("I am hurt", &n), None);
        assert_eq!(read_pick("", &n), None);
        // A first name two people share picks neither; their full names do.
        let twins = vec!["Sami Haddad".to_owned(), "Sami Khoury".to_owned()];
        assert_eq!(read_pick("sami", &twins), None);
        assert_eq!(
            read_pick("sami khoury", &twins),
            Some((Pick::One(1), String::new()))
        );
    }
}
