//! The service catalogue editor: a head of mission creates and edits the mission's services;
//! a refused form answers in the user's language with what they typed; consular officers
//! and other missions' staff are kept out.

use safir_domain::consular::case::CaseKind;
use safir_domain::roles::Role;
use safir_store::consular::services;

use crate::admin_support::{last_summary, signed_in};
use crate::consular_officer::service;
use crate::harness::{TestApp, borrowed, unique_email, value_after};

#[tokio::test]
async fn a_head_of_mission_edits_the_catalogue() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let dubai = app.mission("DXB", "AE").await;
        let theirs = service(&app, &dubai, "visa", CaseKind::Visa).await;
        let head = app
            .staff(
                &unique_email("head"),
                &[(Role::HeadOfMission, Some(&paris))],
            )
            .await;
        let mut client = signed_in(&app, &head).await;
        let new = "/missions/PAR/services/new";

        let empty = client.get("/missions/PAR/services?lang=en").await;
        assert_eq!(empty.status, 200, "{}", empty.body);
        assert!(empty.body.contains("This mission offers no service yet."));

        // Every mistake at once, in Arabic, with what was typed kept.
        let typed = [
            ("kind", "visa"),
            ("code", "Bad Code!"),
            ("name_ar", "تأشيرة سياحية"),
            ("name_en", ""),
            ("documents", "صورة | Photo\nبدون ترجمة"),
            ("fee", "12.345"),
            ("currency", "EUR"),
            ("processing_days", "0"),
        ];
        let r = client.submit(new, &format!("{new}?lang=ar"), &typed).await;
        assert_eq!(r.status, 422, "{}", r.body);
        for message in [
            "استخدم من 2 إلى 40 حرفًا",
            "هذا الحقل مطلوب.",
            "تُكتب مبالغ EUR بخانتين عشريتين على الأكثر.",
            "أدخل عددًا من الأيام بين 1 و365.",
            "حدّد نوع تأشيرة واحدًا على الأقل.",
            "السطر 2: اكتب الوثيقة بالعربية وبالإنجليزية",
        ] {
            assert!(r.body.contains(message), "{message}: {}", r.body);
        }
        for kept in [
            "value=\"Bad Code!\"",
            "value=\"تأشيرة سياحية\"",
            "value=\"12.345\"",
            "بدون ترجمة",
        ] {
            assert!(r.body.contains(kept), "{kept}");
        }
        assert!(r.body.contains(r#"<option value="visa" selected>"#));
        // The days are typed as text with a numeric keypad: a number field would drop
        // Arabic-Indic digits before they reach the server, which reads them.
        assert!(
            r.body.contains(
                r#"name="processing_days" type="text" inputmode="numeric" dir="auto" value="0""#
            ),
            "{}",
            r.body
        );

        let good = [
            ("kind", "visa"),
            ("code", "tourist-visa"),
            ("name_ar", "تأشيرة سياحية"),
            ("name_en", "Tourist visa"),
            ("instructions_ar", "قدّم الطلب قبل السفر بشهر."),
            ("instructions_en", "Apply a month before travelling."),
            ("documents", "صورة | Photo\nجواز السفر | Passport"),
            ("fee", "80"),
            ("currency", "EUR"),
            ("processing_days", "١٥"),
            ("visa_types", "tourist"),
            ("visa_types", "transit"),
            ("enabled", "1"),
        ];
        let r = client.submit(new, new, &good).await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(r.location(), Some("/missions/PAR/services?created=1"));
        let list = services::list_for_mission(&app.db, &paris).await.unwrap();
        assert_eq!(list.len(), 1);
        let s = &list[0];
        assert_eq!(
            (s.kind.as_str(), s.fee_minor, s.visa_types.as_str()),
            ("visa", 8000, "tourist transit")
        );
        assert_eq!(s.processing_days, 15, "Arabic-Indic digits read");
        let created = last_summary(&app, "service.create").await;
        assert_eq!(created["created"]["code"], "tourist-visa");

        // The same code for another service is the editor's to fix, beside the code.
        let mut other = good.to_vec();
        other[3] = ("name_en", "Transit visa");
        let r = client.submit(new, &format!("{new}?lang=en"), &other).await;
        assert_eq!(r.status, 422);
        assert!(
            r.body
                .contains("Another service of this mission already uses this code.")
        );

        // Editing: the kind stays, the rest changes and is audited field by field.
        let edit = format!("/missions/PAR/services/{}/edit", s.id);
        let form = client.get(&format!("{edit}?lang=en")).await;
        assert_eq!(form.status, 200);
        assert!(form.body.contains("The kind cannot change"));
        assert!(form.body.contains(r#"value="80.00""#), "{}", form.body);
        let mut changed = good.to_vec();
        changed[0] = ("kind", "passport_renewal");
        changed[7] = ("fee", "95.5");
        changed.pop();
        let r = client.submit(&edit, &edit, &changed).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let s = services::find(&app.db, &s.id).await.unwrap();
        assert_eq!(
            (s.kind.as_str(), s.fee_minor, s.enabled),
            ("visa", 9550, false)
        );
        // Opening hours name the service by its code: the code stays while they do.
        let rule = safir_domain::consular::appointments::OpeningRule::new(
            chrono::Weekday::Mon,
            "09:00".parse().unwrap(),
            "12:00".parse().unwrap(),
            30,
            1,
            chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(),
            None,
            Some(safir_domain::consular::appointments::ServiceCode::parse("tourist-visa").unwrap()),
        )
        .unwrap();
        let mut tx = app.db.begin().await.unwrap();
        safir_store::consular::appointments::schedule::add_rule(&mut tx, &paris, &rule)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut renamed = changed.clone();
        renamed[1] = ("code", "visa-tourist");
        let r = client
            .submit(&edit, &format!("{edit}?lang=en"), &renamed)
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("name this service by its code"),
            "{}",
            r.body
        );
        assert!(
            r.body.contains(r#"value="visa-tourist""#),
            "typed value kept"
        );
        assert_eq!(
            services::find(&app.db, &s.id).await.unwrap().code,
            "tourist-visa"
        );
        let summary = last_summary(&app, "service.update").await;
        assert_eq!(summary["changed"]["fee_minor"]["to"], 9550);
        assert_eq!(summary["changed"]["enabled"]["to"], false);
        assert!(summary["changed"].get("name_en").is_none());

        let list = client.get("/missions/PAR/services?saved=1&lang=en").await;
        assert!(list.body.contains("Tourist visa") && list.body.contains("95.50 EUR"));
        assert!(list.body.contains("Not offered"));

        // Another mission's service is not reachable through this one.
        assert_eq!(
            client.get("/missions/PAR/services/nope/edit").await.status,
            404
        );
        let r = client
            .get(&format!("/missions/PAR/services/{theirs}/edit"))
            .await;
        assert_eq!(r.status, 404);
        assert_eq!(client.get("/missions/DXB/services").await.status, 403);

        let officer = app
            .staff(
                &unique_email("officer"),
                &[(Role::ConsularOfficer, Some(&paris))],
            )
            .await;
        let mut officer = signed_in(&app, &officer).await;
        assert_eq!(officer.get("/missions/PAR/services").await.status, 403);
        assert_eq!(officer.get(&edit).await.status, 403);
    }
}

/// Two editors of one service: the save from a form drawn before the other's is refused with
/// what was typed, and the other's change stands (it used to be undone without a word).
#[tokio::test]
async fn a_service_saved_meanwhile_is_not_saved_over() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let id = service(&app, &paris, "passport", CaseKind::PassportRenewal).await;
        let head = |name: &'static str| {
            let (app, paris) = (&app, paris.clone());
            async move {
                let who = app
                    .staff(&unique_email(name), &[(Role::HeadOfMission, Some(&paris))])
                    .await;
                signed_in(app, &who).await
            }
        };
        let (mut first, mut second) = (head("first").await, head("second").await);
        let edit = format!("/missions/PAR/services/{id}/edit");
        let seen = |body: &str| value_after(body, r#"name="seen" value=""#).to_owned();
        let drawn = seen(&first.get(&edit).await.body);
        let fields = |fee: &'static str, seen: &str| {
            vec![
                ("code", "passport".to_owned()),
                ("name_ar", "تجديد جواز السفر".to_owned()),
                ("name_en", "Passport renewal".to_owned()),
                ("documents", "صورة | Photo".to_owned()),
                ("fee", fee.to_owned()),
                ("currency", "EUR".to_owned()),
                ("processing_days", "10".to_owned()),
                ("enabled", "1".to_owned()),
                ("seen", seen.to_owned()),
            ]
        };
        let r = first
            .submit(&edit, &edit, &borrowed(&fields("80", &drawn)))
            .await;
        assert_eq!(r.status, 303, "{}", r.body);

        let b = fields("95", &drawn);
        let r = second
            .submit(&edit, &format!("{edit}?lang=en"), &borrowed(&b))
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert!(
            r.body.contains("saved this service while you were editing"),
            "{}",
            r.body
        );
        assert!(r.body.contains(r#"value="95""#), "typed kept");
        assert_eq!(services::find(&app.db, &id).await.unwrap().fee_minor, 8000);
        assert_ne!(
            seen(&r.body),
            drawn,
            "the page moves on to the stored version"
        );
    }
}

/// The form of the service to create in the double-click tests.
fn new_service_fields() -> Vec<(&'static str, &'static str)> {
    vec![
        ("kind", "passport_renewal"),
        ("code", "passport"),
        ("name_ar", "تجديد جواز السفر"),
        ("name_en", "Passport renewal"),
        ("documents", "صورة | Photo"),
        ("fee", "80"),
        ("currency", "EUR"),
        ("processing_days", "10"),
        ("enabled", "1"),
    ]
}

/// A double click on "Save" of a new service: the second sending finds the service the first
/// made and answers as the first did, rather than "code already in use"; another head of
/// mission sending the same service is told the code is taken.
#[tokio::test]
async fn a_new_service_sent_twice_is_created_once() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let head = |name: &'static str| {
            let (app, paris) = (&app, paris.clone());
            async move {
                let who = app
                    .staff(&unique_email(name), &[(Role::HeadOfMission, Some(&paris))])
                    .await;
                signed_in(app, &who).await
            }
        };
        let mut client = head("head").await;
        let new = "/missions/PAR/services/new";
        let fields = new_service_fields();
        for _ in 0..2 {
            let r = client.submit(new, &format!("{new}?lang=en"), &fields).await;
            assert_eq!(r.status, 303, "{}", r.body);
            assert_eq!(r.location(), Some("/missions/PAR/services?created=1"));
        }
        let list = services::list_for_mission(&app.db, &paris).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(app.audit_summaries("service.create").await.len(), 1);

        let mut other = head("other").await;
        let r = other.submit(new, &format!("{new}?lang=en"), &fields).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body
                .contains("Another service of this mission already uses this code.")
        );
    }
}

/// A double click on "Save" of an edit: the second sending carries the version the form was
/// drawn from, now older than the first sending's save, yet asks for what is stored already.
#[tokio::test]
async fn an_edit_sent_twice_is_saved_once() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let id = service(&app, &paris, "passport", CaseKind::PassportRenewal).await;
        let head = app
            .staff(
                &unique_email("head"),
                &[(Role::HeadOfMission, Some(&paris))],
            )
            .await;
        let mut client = signed_in(&app, &head).await;
        let edit = format!("/missions/PAR/services/{id}/edit");
        let drawn = value_after(&client.get(&edit).await.body, r#"name="seen" value=""#).to_owned();
        let mut fields: Vec<(&str, &str)> = new_service_fields();
        fields[5] = ("fee", "65");
        fields.push(("seen", &drawn));
        for _ in 0..2 {
            let r = client
                .submit(&edit, &format!("{edit}?lang=en"), &fields)
                .await;
            assert_eq!(r.status, 303, "{}", r.body);
            assert_eq!(r.location(), Some("/missions/PAR/services?saved=1"));
        }
        assert_eq!(services::find(&app.db, &id).await.unwrap().fee_minor, 6500);
        assert_eq!(app.audit_summaries("service.update").await.len(), 1);

        // A different change from the same old form is still refused.
        fields[5] = ("fee", "70");
        let r = client
            .submit(&edit, &format!("{edit}?lang=en"), &fields)
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert_eq!(services::find(&app.db, &id).await.unwrap().fee_minor, 6500);
    }
}

/// Instructions written on several lines are read on several lines on the public page: the
/// text keeps its line breaks and the stylesheet shows them.
#[tokio::test]
async fn a_services_instructions_keep_their_lines() {
    let app = TestApp::sqlite().await;
    let paris = app.mission("PAR", "FR").await;
    let mut input = crate::consular_officer::service_input("renewal", CaseKind::PassportRenewal);
    input.instructions_en = "Book an appointment.\nBring your old passport.".into();
    let mut tx = app.db.begin().await.unwrap();
    let id = services::create(&mut tx, &paris, &input).await.unwrap();
    tx.commit().await.unwrap();

    let mut client = app.client();
    let page = client
        .get(&format!("/consular/services/{id}?lang=en"))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains(
            "<div class=\"instructions\" dir=\"auto\">Book an appointment.\nBring your old passport.</div>"
        ),
        "{}",
        page.body
    );
    let css = client.get(&safir_web::assets::url("app.css")).await;
    assert_eq!(css.status, 200);
    let rule = css
        .body
        .split("\n.instructions {")
        .nth(1)
        .and_then(|r| r.split('}').next())
        .unwrap_or_default();
    assert!(rule.contains("white-space: pre-line;"), "{rule:?}");
}
