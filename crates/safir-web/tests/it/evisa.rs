//! E-visas through HTTP: the public check in both languages for every status, the holder's
//! and officers' pages and PDF (and nobody else's), revocation, and garbage input.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use safir_domain::CountryCode;
use safir_domain::consular::evisa::{
    Entries, EvisaHolder, EvisaPayload, EvisaTerms, HolderName, PassportNo, VisaNumber,
    VisaTypeCode,
};
use safir_domain::ids::{MissionId, UserId};
use safir_domain::mission::MissionCode;
use safir_domain::roles::Role;
use safir_store::consular::evisas::{self, Evisa, IssueEvisa};
use safir_web::app;
use safir_web::state::{AppState, WebConfig};

use crate::harness::{ORIGIN, TestApp, enc, unique_email};

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// Issues a visa valid from `today + from` to `today + until` days, as an approval would.
pub async fn issue(app: &TestApp, mission: &str, holder: &str, from: i64, until: i64) -> Evisa {
    let request = IssueEvisa {
        case_id: None,
        mission_id: MissionId::from_trusted(mission.to_owned()),
        holder_id: UserId::from_trusted(holder.to_owned()),
        holder: EvisaHolder {
            name: HolderName::parse("ERIKSSON ANNA MARIA").unwrap(),
            passport_number: PassportNo::parse("L898902C3").unwrap(),
            nationality: CountryCode::parse("SE").unwrap(),
            birth_date: NaiveDate::from_ymd_opt(1974, 8, 12).unwrap(),
        },
        terms: EvisaTerms::new(
            VisaTypeCode::parse("TOUR").unwrap(),
            Entries::Multiple,
            today() + Duration::days(from),
            today() + Duration::days(until),
            90,
        )
        .unwrap(),
        issued_by: None,
    };
    let mut tx = app.db.begin().await.unwrap();
    let visa = evisas::issue(&mut tx, request, &app.state.evisa_key)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    visa
}

async fn revoke_in_store(app: &TestApp, visa: &Evisa, by: &str) {
    let mut tx = app.db.begin().await.unwrap();
    evisas::revoke(
        &mut tx,
        &visa.id,
        &UserId::from_trusted(by.to_owned()),
        "test",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_verify_page_gives_each_verdict_in_both_languages() {
    for app in TestApp::all().await {
        let mission = app.mission("PAR", "FR").await;
        let holder = app.public_user(&unique_email("holder")).await;
        let valid = issue(&app, &mission, &holder.id, -1, 30).await;
        let expired = issue(&app, &mission, &holder.id, -60, -1).await;
        let future = issue(&app, &mission, &holder.id, 5, 40).await;
        let revoked = issue(&app, &mission, &holder.id, -1, 30).await;
        revoke_in_store(&app, &revoked, &holder.id).await;
        // The same fields under another signature: a forgery.
        let forged = format!("{}.{}", valid.payload, expired.signature);

        let cases = [
            (valid.code(), "valid", "Valid visa", "تأشيرة صالحة"),
            (
                expired.code(),
                "expired",
                "Expired visa",
                "تأشيرة منتهية الصلاحية",
            ),
            (
                future.code(),
                "not_yet_valid",
                "Visa not yet valid",
                "تأشيرة لم تبدأ صلاحيتها بعد",
            ),
            (revoked.code(), "revoked", "Revoked visa", "تأشيرة ملغاة"),
            (forged, "invalid", "Not a valid visa", "ليست تأشيرة صالحة"),
        ];
        for (code, status, en, ar) in cases {
            for (lang, title) in [("en", en), ("ar", ar)] {
                let mut client = app.client();
                client.lang = Some(lang);
                let res = client.get(&format!("/verify?v={}", enc(&code))).await;
                assert_eq!(res.status, 200, "{status} {lang}: {}", res.body);
                // The verdict changes (a revocation) and names the holder: no cache keeps it,
                // though a border phone has no session.
                assert_eq!(res.headers["cache-control"], "private, no-store");
                let api = client
                    .get(&format!("/api/v1/verify?v={}", enc(&code)))
                    .await;
                assert_eq!(api.headers["cache-control"], "private, no-store");
                assert!(
                    res.body.contains(&format!("data-status=\"{status}\"")),
                    "{status} {lang}"
                );
                assert!(res.body.contains(title), "{status} {lang}: no {title:?}");
                assert!(res.body.contains(&format!("lang=\"{lang}\"")));
                // Whoever holds the code sees the passport number masked and no birth date.
                assert!(!res.body.contains("L898902C3"));
                assert!(!res.body.contains("1974-08-12"));
                if status != "invalid" {
                    assert!(res.body.contains("L89****C3"), "{status} {lang}");
                    assert!(res.body.contains("ERIKSSON ANNA MARIA"));
                    assert!(res.body.contains(if lang == "ar" {
                        "بعثة PAR"
                    } else {
                        "Mission PAR"
                    }));
                } else {
                    assert!(!res.body.contains("ERIKSSON"));
                }
            }
        }

        // The QR code's whole address pasted into the form works like the bare code.
        let url = valid.verify_url(ORIGIN);
        let res = app.client().get(&format!("/verify?v={}", enc(&url))).await;
        assert!(res.body.contains("data-status=\"valid\""));
        // The empty form.
        let res = app.client().get("/verify").await;
        assert_eq!(res.status, 200);
        assert!(res.body.contains("name=\"v\"") && !res.body.contains("data-status"));

        // The API says the same.
        let res = app
            .client()
            .api_raw(
                "GET",
                &format!("/api/v1/verify?v={}", enc(&revoked.code())),
                None,
                None,
                "",
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let json = res.json();
        assert_eq!(json["status"], "revoked");
        assert_eq!(json["visa"]["visa_number"], revoked.visa_number);
        assert_eq!(json["visa"]["passport_number_masked"], "L89****C3");
        assert_eq!(json["visa"]["mission_name_en"], "Mission PAR");
        let res = app
            .client()
            .api_raw("GET", "/api/v1/verify?v=xyz", None, None, "")
            .await;
        assert_eq!(res.json()["status"], "invalid");
        assert_eq!(res.json()["reason"], "malformed");
        assert!(res.json()["visa"].is_null());
        let res = app
            .client()
            .api_raw("GET", "/api/v1/verify", None, None, "")
            .await;
        assert_eq!(res.status, 422);
        assert_eq!(res.json()["errors"][0]["field"], "v");
    }
}

#[tokio::test]
async fn checks_are_limited_per_address() {
    let app = TestApp::sqlite().await;
    for _ in 0..30 {
        assert_eq!(app.client().get("/verify?v=abc.def").await.status, 200);
    }
    let res = app.client().get("/verify?v=abc.def").await;
    assert_eq!(res.status, 429);
    assert!(res.headers.contains_key("retry-after"));
    // The parameter's name written another way is the same check, and counted the same.
    for spelled in ["/verify?%76=abc.def", "/verify?lang=en&%76=abc.def"] {
        assert_eq!(app.client().get(spelled).await.status, 429, "{spelled}");
    }
    assert_eq!(
        app.client().get("/verify").await.status,
        200,
        "the form stays open"
    );
}

/// A deterministic stream of pseudo-random bytes (xorshift), so a failure reproduces.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let len = (self.next() as usize) % max;
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// An app on SQLite with `config`.
async fn app_with(config: WebConfig) -> TestApp {
    let test_db = safir_store::testing::TestDb::sqlite().await;
    let db = test_db.db.clone();
    let state = AppState::new(db.clone(), config).await.unwrap();
    let (router, routes) = app::build(state.clone());
    TestApp {
        router,
        routes,
        state,
        db,
        test_db,
    }
}

/// The dates are days of the configured time zone's calendar: on the first day of a visa in
/// the easternmost zone, the westernmost has not reached it yet.
#[tokio::test]
async fn validity_is_judged_on_the_configured_zones_calendar() {
    let east: chrono_tz::Tz = "Etc/GMT-14".parse().unwrap();
    let west: chrono_tz::Tz = "Etc/GMT+12".parse().unwrap();
    let first_day = Utc::now().with_timezone(&east).date_naive();
    let from = (first_day - today()).num_days();
    for (zone, status) in [(east, "valid"), (west, "not_yet_valid")] {
        let app = app_with(WebConfig {
            public_url: ORIGIN.to_owned(),
            consular: safir_web::state::ConsularConfig {
                evisa_zone: zone,
                ..Default::default()
            },
            ..WebConfig::default()
        })
        .await;
        let mission = app.mission("PAR", "FR").await;
        let holder = app.public_user(&unique_email("holder")).await;
        let visa = issue(&app, &mission, &holder.id, from, from + 10).await;
        let res = app
            .client()
            .get(&format!("/api/v1/verify?v={}", enc(&visa.code())))
            .await;
        let body = res.json();
        assert_eq!(body["status"], status, "{zone}: {body}");
        let checked_on = Utc::now().with_timezone(&zone).date_naive().to_string();
        assert_eq!(body["checked_on"], checked_on.as_str(), "{zone}");
    }
}

/// The code of a visa of mission `code` issued at `issued_at` (numbered in Tokyo's year),
/// signed with `app`'s key: the store issues at the present instant, and the check reads
/// only the code.
fn code_issued_at(app: &TestApp, code: &str, issued_at: chrono::DateTime<Utc>) -> String {
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let mission = MissionCode::parse(code).unwrap();
    let year = issued_at.with_timezone(&chrono_tz::Asia::Tokyo).year();
    let payload = EvisaPayload::new(
        VisaNumber::new(&mission, year, 1).unwrap(),
        EvisaHolder {
            name: HolderName::parse("ERIKSSON ANNA MARIA").unwrap(),
            passport_number: PassportNo::parse("L898902C3").unwrap(),
            nationality: CountryCode::parse("SE").unwrap(),
            birth_date: date(1974, 8, 12),
        },
        EvisaTerms::new(
            VisaTypeCode::parse("TOUR").unwrap(),
            Entries::Single,
            date(2027, 1, 10),
            date(2027, 2, 10),
            30,
        )
        .unwrap(),
        mission,
        issued_at,
        app.state.evisa_key.id(),
    );
    app.state.evisa_key.sign(&payload).code()
}

/// The "issued on" value the check shows in `lang`.
async fn issued_on_shown(app: &TestApp, code: &str, lang: &'static str) -> String {
    let mut client = app.client();
    client.lang = Some(lang);
    let res = client.get(&format!("/verify?v={}", enc(code))).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let label = match lang {
        "ar" => "تاريخ الإصدار",
        _ => "Issued on",
    };
    let after = res
        .body
        .split(&format!("<dt>{label}</dt><dd><bdi>"))
        .nth(1)
        .unwrap_or_else(|| panic!("{label} in {}", res.body));
    after.split('<').next().unwrap().to_owned()
}

/// The issue date is a day of the issuing mission's calendar, the one the visa's number takes
/// its year from: in Tokyo a visa approved at 02:00 on 1 January is numbered in the new year
/// and issued on 1 January, though it is still 31 December in UTC (the date shown used to be
/// UTC's). Without the mission (a code this site does not know), the day is that of the
/// configured e-visa zone.
#[tokio::test]
async fn the_issue_date_is_the_issuing_missions_day() {
    let new_year_in_tokyo = Utc.with_ymd_and_hms(2026, 12, 31, 17, 0, 0).unwrap();
    for app in TestApp::all().await {
        app.mission_in_zone("TYO", "JP", "Asia/Tokyo").await;
        let code = code_issued_at(&app, "TYO", new_year_in_tokyo);
        for lang in ["en", "ar"] {
            assert_eq!(
                issued_on_shown(&app, &code, lang).await,
                "2027-01-01",
                "{lang}"
            );
        }
        // Another ministry's mission: the configured zone's day, UTC unless set.
        let unknown = code_issued_at(&app, "ZZZ", new_year_in_tokyo);
        assert_eq!(issued_on_shown(&app, &unknown, "en").await, "2026-12-31");
    }
    let app = app_with(WebConfig {
        public_url: ORIGIN.to_owned(),
        consular: safir_web::state::ConsularConfig {
            evisa_zone: chrono_tz::Asia::Tokyo,
            ..Default::default()
        },
        ..WebConfig::default()
    })
    .await;
    let unknown = code_issued_at(&app, "ZZZ", new_year_in_tokyo);
    assert_eq!(issued_on_shown(&app, &unknown, "en").await, "2027-01-01");
}

#[tokio::test]
async fn garbage_never_breaks_the_check() {
    let app = app_with(WebConfig {
        public_url: ORIGIN.to_owned(),
        verify_lookups_per_minute: 1_000_000,
        ..WebConfig::default()
    })
    .await;
    let mission = app.mission("PAR", "FR").await;
    let holder = app.public_user(&unique_email("holder")).await;
    let visa = issue(&app, &mission, &holder.id, -1, 30).await;
    let code = visa.code();
    let mut noise = Noise(0x5AF1_2026);
    let mut inputs: Vec<String> = vec![
        "%".into(),
        "%FF%FE%00".into(),
        ".".repeat(5000),
        format!("{code}{code}"),
        code.replace('.', ".."),
        format!("{}.", visa.payload),
        format!("x?v={code}&v=zz"),
    ];
    // The inputs that are the code, as typed or with white space added.
    let mut untouched = Vec::new();
    for _ in 0..150 {
        // Random bytes, percent-encoded as a browser would send them.
        let raw = noise.bytes(300);
        inputs.push(raw.iter().map(|b| format!("%{b:02X}")).collect());
        // The real code with a few characters changed, removed or added.
        let mut chars: Vec<char> = code.chars().collect();
        for _ in 0..=(noise.next() % 3) {
            let at = (noise.next() as usize) % chars.len();
            let alphabet = b"ABCXYZabcxyz019_-.=+/ ";
            match noise.next() % 3 {
                0 => chars[at] = alphabet[(noise.next() as usize) % alphabet.len()] as char,
                1 => {
                    chars.remove(at);
                }
                _ => chars.insert(
                    at,
                    alphabet[(noise.next() as usize) % alphabet.len()] as char,
                ),
            }
        }
        let changed: String = chars.into_iter().collect();
        // White space is dropped as copying adds it: a code changed only by spaces is the code.
        let same = changed.replace(' ', "") == code;
        inputs.push(enc(&changed));
        if same {
            untouched.push(inputs.len() - 1);
        }
    }
    for (i, input) in inputs.iter().enumerate() {
        for path in ["/verify", "/api/v1/verify"] {
            let res = app.client().get(&format!("{path}?v={input}")).await;
            assert!(
                res.status == 200 || res.status == 400 || res.status == 422,
                "input {i} {input:?} on {path}: {} {}",
                res.status,
                res.body
            );
            if res.status == 200 && path == "/verify" {
                let lit = res.body.contains("data-status=\"valid\"");
                // Only the untouched code may pass; every change is caught.
                assert!(
                    !lit || input.contains(&code)
                        || input.contains(&enc(&code))
                        || untouched.contains(&i),
                    "{input:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn the_holder_and_the_missions_officers_see_the_visa_and_nobody_else() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let dubai = app.mission("DXB", "AE").await;
        let holder = app.public_user(&unique_email("holder")).await;
        let visa = issue(&app, &paris, &holder.id, -1, 30).await;
        let page = format!("/evisas/{}", visa.id);
        let pdf = format!("/evisas/{}/pdf", visa.id);

        let mut client = app.client();
        client.sign_in(&holder).await;
        let res = client.get(&page).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(res.body.contains("L898902C3") && res.body.contains("1974-08-12"));
        assert!(res.body.contains("<svg"), "the QR code is inline SVG");
        assert!(res.body.contains(&visa.verify_url(ORIGIN)));
        assert!(res.body.contains("تأشيرة إلكترونية") && res.body.contains("Electronic visa"));
        assert!(!res.body.contains("/revoke"), "holders cannot revoke");
        let res = client.get(&pdf).await;
        assert_eq!(res.status, 200);
        assert_eq!(res.headers["content-type"], "application/pdf");
        assert!(res.body.starts_with("%PDF-"));
        assert!(!app.audit_actions().await.contains(&"evisa.read".to_owned()));
        // The holder's data download holds the visa, with its code.
        let data = client.get("/account/data").await.json();
        assert_eq!(data["evisas"][0]["visa_number"], visa.visa_number.as_str());
        assert_eq!(data["evisas"][0]["code"], visa.code().as_str());

        let officer = app
            .staff(
                &unique_email("consul"),
                &[(Role::ConsularOfficer, Some(&paris))],
            )
            .await;
        let mut client = app.client();
        client.sign_in(&officer).await;
        assert_eq!(client.get(&page).await.status, 200);
        assert_eq!(client.get(&pdf).await.status, 200);
        let reads = app
            .audit_actions()
            .await
            .into_iter()
            .filter(|a| a == "evisa.read")
            .count();
        assert_eq!(reads, 2, "each staff opening is audited");

        let elsewhere = app
            .staff(
                &unique_email("dubai"),
                &[(Role::ConsularOfficer, Some(&dubai))],
            )
            .await;
        let press = app
            .staff(
                &unique_email("press"),
                &[(Role::PressOfficer, Some(&paris))],
            )
            .await;
        let stranger = app.public_user(&unique_email("stranger")).await;
        for account in [&elsewhere, &press, &stranger] {
            let mut client = app.client();
            client.sign_in(account).await;
            assert_eq!(client.get(&page).await.status, 404, "{}", account.email);
            assert_eq!(client.get(&pdf).await.status, 404, "{}", account.email);
        }
        let res = app.client().get(&page).await;
        assert!(res.location().unwrap_or("").starts_with("/sign-in"));
    }
}

#[tokio::test]
async fn an_officer_revokes_and_the_check_says_so() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let holder = app.public_user(&unique_email("holder")).await;
        let visa = issue(&app, &paris, &holder.id, -1, 30).await;
        let page = format!("/evisas/{}", visa.id);
        let action = format!("/missions/PAR/evisas/{}/revoke", visa.id);
        let officer = app
            .staff(
                &unique_email("consul"),
                &[(Role::ConsularOfficer, Some(&paris))],
            )
            .await;
        let mut client = app.client();
        client.sign_in(&officer).await;
        let res = client.get(&page).await;
        assert!(res.body.contains(&action), "the revoke form is offered");

        // No reason: the page again, with the error in the officer's language.
        let res = client.submit(&page, &action, &[("reason", "   ")]).await;
        assert_eq!(res.status, 422);
        assert!(res.body.contains("This field is required."), "{}", res.body);
        assert!(res.body.contains("aria-invalid=\"true\""));

        let res = client
            .submit(&page, &action, &[("reason", "جواز مبلغ عن سرقته")])
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let res = client.get(res.location().unwrap()).await;
        assert!(
            res.body.contains("جواز مبلغ عن سرقته"),
            "staff see the reason"
        );
        assert!(
            app.audit_actions()
                .await
                .contains(&"evisa.revoke".to_owned())
        );

        let res = app
            .client()
            .get(&format!("/verify?v={}", enc(&visa.code())))
            .await;
        assert!(res.body.contains("data-status=\"revoked\""));

        let res = client.submit(&page, &action, &[("reason", "again")]).await;
        assert_eq!(res.status, 409);

        // The holder is told once, in their language, without the reason.
        let mails = app.emails_to(&holder.email).await;
        assert_eq!(mails.len(), 1, "one email for the revocation: {mails:?}");
        assert_eq!(mails[0].lang, "en");
        assert!(
            mails[0].subject.contains(&visa.visa_number),
            "{}",
            mails[0].subject
        );
        assert!(
            mails[0].text.contains("revoked your e-visa"),
            "{}",
            mails[0].text
        );
        assert!(mails[0].text.contains(&page), "{}", mails[0].text);
        assert!(!mails[0].text.contains("جواز مبلغ عن سرقته"));

        // The holder sees the revocation but not the reason.
        let mut client = app.client();
        client.sign_in(&holder).await;
        let res = client.get(&page).await;
        assert!(res.body.contains("evisa-revoked"));
        assert!(!res.body.contains("جواز مبلغ عن سرقته"));
    }
}

/// The same revocation through the API: the reason checked, once only, audited as the API's,
/// the holder told; another mission's officer and a read-only token cannot.
/// After the mission's code changes, its visas still name it and can still be revoked from
/// their page (the form posted to the code the visa was issued under: 404).
#[tokio::test]
async fn a_visa_of_a_mission_whose_code_changed_names_it_and_can_be_revoked() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let holder = app.public_user(&unique_email("holder")).await;
        let visa = issue(&app, &paris, &holder.id, -1, 30).await;
        app.rename_mission(&paris, "PRS", "FR").await;
        let officer = app
            .staff(
                &unique_email("consul"),
                &[(Role::ConsularOfficer, Some(&paris))],
            )
            .await;
        let check = format!("/verify?v={}", enc(&visa.code()));
        let res = app.client().get(&check).await;
        assert!(res.body.contains("data-status=\"valid\""));
        assert!(
            res.body.contains("بعثة PRS (PAR)"),
            "the check names the issuer"
        );
        let mut client = app.client();
        client.sign_in(&officer).await;
        let page = format!("/evisas/{}", visa.id);
        let res = client.get(&page).await;
        assert_eq!(res.status, 200);
        assert!(
            res.body.contains("Mission PRS"),
            "the issuing mission is named"
        );
        let action = format!("/missions/PRS/evisas/{}/revoke", visa.id);
        assert!(res.body.contains(&action), "{}", res.body);
        let res = client.submit(&page, &action, &[("reason", "stolen")]).await;
        assert_eq!(res.status, 303, "{}", res.body);

        let res = app.client().get(&check).await;
        assert!(res.body.contains("data-status=\"revoked\""));
    }
}

#[tokio::test]
async fn an_officer_revokes_through_the_api() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let dubai = app.mission("DXB", "AE").await;
        let holder = app.public_user(&unique_email("holder")).await;
        let visa = issue(&app, &paris, &holder.id, -1, 30).await;
        let officer = app
            .staff(
                &unique_email("consul"),
                &[(Role::ConsularOfficer, Some(&paris))],
            )
            .await;
        let elsewhere = app
            .staff(
                &unique_email("dubai"),
                &[(Role::ConsularOfficer, Some(&dubai))],
            )
            .await;
        let desk = crate::api::token(&app, &officer, &["consular:read", "consular:write"]).await;
        let reader = crate::api::token(&app, &officer, &["consular:read"]).await;
        let dubai_desk =
            crate::api::token(&app, &elsewhere, &["consular:read", "consular:write"]).await;
        let path = format!("/api/v1/missions/PAR/evisas/{}/revoke", visa.id);
        let reason = |r: &str| Some(serde_json::json!({ "reason": r }));
        let mut c = app.client();

        let res = c.api("POST", &path, &desk, reason("  ")).await;
        assert_eq!(
            crate::api::field_codes(&crate::api::problem(&res, 422, "validation")),
            [("reason".to_owned(), "required".to_owned())]
        );
        let res = c.api("POST", &path, &desk, reason(&"x".repeat(501))).await;
        assert_eq!(
            crate::api::field_codes(&crate::api::problem(&res, 422, "validation")),
            [("reason".to_owned(), "too_long".to_owned())]
        );
        crate::api::problem(
            &c.api("POST", &path, &reader, reason("stolen")).await,
            403,
            "forbidden",
        );
        crate::api::problem(
            &c.api("POST", &path, &dubai_desk, reason("stolen")).await,
            403,
            "forbidden",
        );
        let in_dubai = format!("/api/v1/missions/DXB/evisas/{}/revoke", visa.id);
        crate::api::problem(
            &c.api("POST", &in_dubai, &dubai_desk, reason("stolen"))
                .await,
            404,
            "not_found",
        );
        assert!(
            app.emails_to(&holder.email).await.is_empty(),
            "nothing done yet"
        );

        let res = c
            .api("POST", &path, &desk, reason("Passport reported stolen."))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let body = res.json();
        assert_eq!(body["revoked"], true, "{body}");
        assert_eq!(body["visa_number"], visa.visa_number.as_str());
        let check = c
            .api_raw(
                "GET",
                &format!("/api/v1/verify?v={}", enc(&visa.code())),
                None,
                None,
                "",
            )
            .await;
        assert_eq!(check.json()["status"], "revoked", "{}", check.body);
        let records = app.audit_summaries("evisa.revoke").await;
        assert_eq!(records.len(), 1, "{records:?}");
        assert_eq!(records[0]["via"], "api");
        assert_eq!(records[0]["reason"], "Passport reported stolen.");
        assert_eq!(app.emails_to(&holder.email).await.len(), 1);

        let res = c.api("POST", &path, &desk, reason("again")).await;
        crate::api::problem(&res, 409, "evisa_already_revoked");
        assert_eq!(app.emails_to(&holder.email).await.len(), 1, "told once");
    }
}

/// A rotation (`safir admin rotate-evisa-key`, a key that may have leaked): once the
/// processes restart, new visas are signed with the new key; a visa the old key signed still
/// verifies while the register holds it, and what else the old key signs does not; both keys
/// are published, the old one marked retired.
#[tokio::test]
async fn after_a_rotation_the_old_key_counts_only_for_the_visas_in_the_register() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let holder = app.public_user(&unique_email("holder")).await;
        let before = issue(&app, &paris, &holder.id, -1, 30).await;
        // What someone holding the old key would sign: a visa never issued.
        let old_key = app.state.evisa_key.clone();
        let forged = code_issued_at(&app, "PAR", Utc::now());
        let rotation =
            evisas::rotate_signing_key(&app.db, |r| safir_store::audit::NewAuditRecord {
                actor_id: None,
                actor_label: "cli".to_owned(),
                action: safir_domain::audit::actions::EVISA_KEY_ROTATE,
                target_type: "evisa_key",
                target_id: Some(r.current.to_hex()),
                mission_id: None,
                client_ip: None,
                summary: serde_json::json!({"retired": r.retired.to_hex()}),
            })
            .await
            .unwrap();
        assert_eq!(rotation.retired, old_key.id());
        assert_ne!(rotation.current, old_key.id());
        assert!(
            app.audit_actions()
                .await
                .contains(&"evisa.key_rotate".to_owned())
        );
        // The processes restarted.
        let config = (*app.state.config).clone();
        let app = TestApp::exactly(app.test_db, config).await;
        assert_eq!(app.state.evisa_key.id(), rotation.current);
        let verdict = |code: String| {
            let app = &app;
            async move {
                app.client()
                    .get(&format!("/api/v1/verify?v={}", enc(&code)))
                    .await
                    .json()
            }
        };
        let body = verdict(before.code()).await;
        assert_eq!(body["status"], "valid", "{body}");
        assert_eq!(body["visa"]["key_id"], old_key.id().to_hex());
        let body = verdict(forged.clone()).await;
        assert_eq!(body["status"], "invalid", "{body}");
        assert_eq!(body["reason"], "not_registered", "{body}");
        // Dated in the past, a forgery is not shown as an expired visa of the ministry.
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let mission = MissionCode::parse("PAR").unwrap();
        let past = EvisaPayload::new(
            VisaNumber::new(&mission, 2025, 7).unwrap(),
            EvisaHolder {
                name: HolderName::parse("FORGED NAME").unwrap(),
                passport_number: PassportNo::parse("X1234567").unwrap(),
                nationality: CountryCode::parse("SE").unwrap(),
                birth_date: date(1980, 1, 1),
            },
            EvisaTerms::new(
                VisaTypeCode::parse("TOUR").unwrap(),
                Entries::Single,
                date(2025, 1, 10),
                date(2025, 2, 10),
                30,
            )
            .unwrap(),
            mission,
            Utc::now() - Duration::days(700),
            old_key.id(),
        );
        let body = verdict(old_key.sign(&past).code()).await;
        assert_eq!(body["status"], "invalid", "{body}");
        assert_eq!(body["reason"], "not_registered", "{body}");
        assert!(body["visa"].is_null(), "{body}");
        let page = app
            .client()
            .get(&format!("/verify?v={}", enc(&forged)))
            .await;
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("data-status=\"invalid\""),
            "{}",
            page.body
        );
        let after = issue(&app, &paris, &holder.id, -1, 30).await;
        assert_eq!(after.key_id, rotation.current.to_hex());
        assert_eq!(verdict(after.code()).await["status"], "valid");
        // Revoking still works on a visa of the retired key.
        revoke_in_store(&app, &before, &holder.id).await;
        assert_eq!(verdict(before.code()).await["status"], "revoked");
        let keys = app.client().get("/verify/keys").await.json();
        let keys = keys["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 2, "{keys:?}");
        assert_eq!(keys[0]["key_id"], rotation.current.to_hex());
        assert_eq!(keys[0]["status"], "current");
        assert!(keys[0]["retired_at"].is_null());
        assert_eq!(keys[1]["key_id"], old_key.id().to_hex());
        assert_eq!(keys[1]["status"], "retired");
        assert!(keys[1]["retired_at"].is_string());
    }
}
