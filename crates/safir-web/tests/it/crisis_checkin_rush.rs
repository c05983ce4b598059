//! Many people answering at the same moment, as after an alert (their answers are committed
//! together): every answer is recorded by the time its page says so, a link naming no
//! check-in is still not found, and two "need help" at once open one emergency case. The
//! same for replies by SMS, which go through the same writer.

use axum::http::StatusCode;
use futures_util::future::join_all;
use safir_domain::consular::case::CaseKind;
use safir_domain::crisis::checkin::sign_token;

use crate::consular_applicant::service;
use crate::crisis_checkin::{
    Person, SMS_SECRET, all_apps, crisis, person, scalar, send_alert, sms,
};
use crate::harness::TestApp;

const PEOPLE: usize = 40;

/// What person `i` answers.
fn answer_of(i: usize) -> &'static str {
    match i % 4 {
        0 => "need_help",
        1 => "not_in_area",
        _ => "safe",
    }
}

/// One person's visit: the page, then the answer; the answer's status code.
async fn answer(app: &TestApp, token: &str, answer: &str) -> StatusCode {
    let path = format!("/crisis/checkin/{token}");
    let mut client = app.client();
    let page = client.get(&path).await;
    let form_token = page.csrf_token().unwrap_or_default();
    client
        .post_form_with_token(&path, &form_token, &[("answer", answer)])
        .await
        .status
}

/// A mission with an emergency service and a crisis, [`PEOPLE`] people registered (ids
/// `<id_prefix><n>`, phones `<phone_prefix><nn>`) and alert `alert` sent to them: their ids,
/// phones and check-in link tokens.
async fn people_alerted(
    app: &TestApp,
    id_prefix: &str,
    phone_prefix: &str,
    alert: &str,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let mission = app.mission("PAR", "FR").await;
    service(app, &mission, CaseKind::Emergency).await;
    crisis(app, &mission).await;
    let ids: Vec<String> = (0..PEOPLE).map(|i| format!("{id_prefix}{i}")).collect();
    let phones: Vec<String> = (0..PEOPLE)
        .map(|i| format!("{phone_prefix}{i:02}"))
        .collect();
    for (id, phone) in ids.iter().zip(&phones) {
        person(app, Person::new(id, "Sami Nour", phone)).await;
    }
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let tokens = send_alert(app, alert, &refs).await;
    (ids, phones, tokens)
}

#[tokio::test]
async fn a_rush_of_answers_is_recorded_in_full() {
    for app in all_apps().await {
        let (ids, _, tokens) = people_alerted(&app, "r", "+336000001", "al1").await;
        let unknown = sign_token(&app.state.checkin_key, "no-such-check-in");

        let mut visits: Vec<_> = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| answer(&app, t, answer_of(i)))
            .collect();
        // The first person presses "need help" twice at once.
        visits.push(answer(&app, &tokens[0], "need_help"));
        visits.push(answer(&app, &unknown, "safe"));
        let mut codes = join_all(visits).await;

        assert_eq!(codes.pop(), Some(StatusCode::NOT_FOUND));
        assert!(
            codes.iter().all(|c| *c == StatusCode::SEE_OTHER),
            "{codes:?}"
        );
        for (i, id) in ids.iter().enumerate() {
            let c = safir_store::crisis::checkins::for_delivery(&app.db, "al1", id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(c.status, answer_of(i), "{id}");
            assert!(c.answered_at.is_some());
            assert_eq!(c.case_id.is_some(), answer_of(i) == "need_help", "{id}");
        }
        assert_eq!(
            scalar(
                &app.db,
                "SELECT COUNT(*) FROM cases WHERE kind = $1",
                "emergency"
            )
            .await,
            PEOPLE.div_ceil(4) as i64,
            "one case per person who needs help"
        );
    }
}

#[tokio::test]
async fn a_rush_of_sms_replies_is_recorded_in_full() {
    for app in all_apps().await {
        let (ids, phones, _) = people_alerted(&app, "s", "+336000002", "al2").await;

        let word = |i: usize| if i.is_multiple_of(4) { "HELP" } else { "SAFE" };
        let mut replies: Vec<_> = phones
            .iter()
            .enumerate()
            .map(|(i, phone)| sms(&app, SMS_SECRET, i % 2 == 0, phone, word(i)))
            .collect();
        // Someone with no check-in writes too.
        replies.push(sms(&app, SMS_SECRET, false, "+33699999999", "SAFE"));
        let answers = join_all(replies).await;
        assert!(
            answers.iter().all(|r| r.status == 200),
            "every reply is answered"
        );
        for (i, id) in ids.iter().enumerate() {
            let c = safir_store::crisis::checkins::for_delivery(&app.db, "al2", id)
                .await
                .unwrap()
                .unwrap();
            let expected = if word(i) == "HELP" {
                "need_help"
            } else {
                "safe"
            };
            assert_eq!(c.status, expected, "{id}");
            assert_eq!(c.case_id.is_some(), expected == "need_help", "{id}");
        }
        assert_eq!(
            scalar(
                &app.db,
                "SELECT COUNT(*) FROM cases WHERE kind = $1",
                "emergency"
            )
            .await,
            PEOPLE.div_ceil(4) as i64
        );
    }
}
