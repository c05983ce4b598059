//! Ministry administration: missions and staff accounts, grants, the last-admin guard,
//! disabling and password resets — each change recorded in the audit trail.

use safir_domain::roles::Role;
use safir_store::accounts::{self, password};
use safir_store::missions;

use crate::admin_support::{admin, last_summary, shown_password, signed_in};
use crate::harness::{TestApp, borrowed, unique_email, value_after};

fn paris_form<'a>(code: &'a str, name_ar: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("code", code),
        ("kind", "embassy"),
        ("name_ar", name_ar),
        ("name_en", "Embassy in Paris"),
        ("country", "FR"),
        ("city_ar", "باريس"),
        ("city_en", "Paris"),
        ("languages", "ar"),
        ("languages", "fr"),
        ("time_zone", "Europe/Paris"),
        ("email", "paris@ministry.example"),
        ("phone", "+33 1 00 00 00 00"),
        ("address", ""),
    ]
}

#[tokio::test]
async fn an_admin_sets_up_a_mission_and_a_colleague_who_sees_only_that_mission() {
    for app in TestApp::all().await {
        let _dubai = app.mission("DXB", "AE").await;
        let (_, mut client) = admin(&app).await;

        let home = client.get("/admin").await;
        assert_eq!(home.status, 200);
        for section in [
            "/admin/missions",
            "/admin/users",
            "/admin/audit",
            "/admin/jobs",
        ] {
            assert!(home.body.contains(section), "{section}");
        }

        let res = client
            .submit(
                "/admin/missions/new",
                "/admin/missions/new",
                &paris_form("par", "السفارة في باريس"),
            )
            .await;
        assert_eq!(
            res.location(),
            Some("/admin/missions?created=1"),
            "{}",
            res.body
        );
        // The same form sent again (a double click): the mission it made, not "code taken".
        let again = client
            .submit(
                "/admin/missions/new",
                "/admin/missions/new",
                &paris_form("par", "السفارة في باريس"),
            )
            .await;
        assert_eq!(
            again.location(),
            Some("/admin/missions?created=1"),
            "{}",
            again.body
        );
        let made = app
            .audit_actions()
            .await
            .iter()
            .filter(|a| *a == "mission.create")
            .count();
        assert_eq!(made, 1);
        let paris = missions::find_by_code(&app.db, "PAR")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(paris.languages, "ar fr");
        assert_eq!(paris.time_zone, "Europe/Paris");
        let list = client.get("/admin/missions?created=1").await;
        assert!(list.body.contains("السفارة في باريس") || list.body.contains("Embassy in Paris"));

        let email = unique_email("amal");
        let created = client
            .submit(
                "/admin/users/new",
                "/admin/users/new",
                &[
                    ("name", "Amal Haddad"),
                    ("email", &email),
                    ("language", "ar"),
                    ("role", "consular_officer"),
                    ("scope", &paris.id),
                ],
            )
            .await;
        assert_eq!(created.status, 200, "{}", created.body);
        assert_eq!(created.headers.get("cache-control").unwrap(), "no-store");
        let one_time = shown_password(&created.body);
        let user = accounts::find_user_by_email(
            &app.db,
            &safir_domain::accounts::Email::parse(&email).unwrap(),
        )
        .await
        .unwrap()
        .expect("user created");
        assert!(user.is_staff());
        assert!(!user.totp_enabled(), "TOTP is set up at first sign-in");
        assert!(password::verify(&one_time, &user.password_hash).await);

        let page = client.get(&format!("/admin/users/{}", user.id)).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Amal Haddad"));
        assert!(!page.body.contains(&one_time), "shown once only");
        let res = client
            .submit(
                &format!("/admin/users/{}", user.id),
                &format!("/admin/users/{}/grants", user.id),
                &[("role", "press_officer"), ("scope", &paris.id)],
            )
            .await;
        assert!(res.status.is_redirection(), "{}", res.body);

        // The colleague signs in with the one-time password and is sent to set up an
        // authenticator before anything else.
        let mut first = app.client();
        let res = first
            .submit(
                "/sign-in",
                "/sign-in",
                &[("email", &email), ("password", &one_time)],
            )
            .await;
        assert_eq!(res.location(), Some("/sign-in/two-factor"), "{}", res.body);
        assert_eq!(
            first.get("/sign-in/two-factor").await.location(),
            Some("/account/two-factor/setup")
        );
        assert_eq!(
            first.get("/staff").await.location(),
            Some("/sign-in/two-factor")
        );

        // Past that step (the accounts tests walk it), they see their mission only.
        let colleague = crate::harness::Account {
            id: user.id.clone(),
            email: email.clone(),
            totp_secret: None,
        };
        let mut theirs = signed_in(&app, &colleague).await;
        // The one-time password is the administrator's: every page leads to choosing their own.
        assert_eq!(
            theirs.get("/staff").await.location(),
            Some("/account/password/choose")
        );
        let own = [
            ("new_password", "a password of her very own"),
            ("new_password_confirm", "a password of her very own"),
        ];
        let res = theirs
            .submit("/account/password/choose", "/account/password/choose", &own)
            .await;
        assert_eq!(res.location(), Some("/account?notice=password-changed"));
        let staff = theirs.get("/staff").await;
        assert!(staff.body.contains("/missions/PAR/dashboard"));
        assert!(!staff.body.contains("/missions/DXB/dashboard"));
        let dash = theirs.get("/missions/PAR/dashboard?lang=en").await;
        assert_eq!(dash.status, 200);
        assert!(dash.body.contains("Consular officer") && dash.body.contains("Press officer"));
        assert_eq!(theirs.get("/missions/DXB/dashboard").await.status, 403);
        assert_eq!(theirs.get("/admin/users").await.status, 403);

        let actions = app.audit_actions().await;
        for action in ["mission.create", "user.create", "role.grant", "user.read"] {
            assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
        }
        assert_eq!(actions.iter().filter(|a| *a == "role.grant").count(), 2);
        let grant = last_summary(&app, "role.grant").await;
        assert_eq!(grant["role"], "press_officer");
        assert_eq!(grant["scope"], paris.id.as_str());

        // The administrator's export holds every one of those records, and the chain holds.
        let csv = client.get("/admin/audit/export.csv").await;
        assert_eq!(csv.status, 200);
        assert!(
            csv.body
                .starts_with("\u{feff}seq,at,actor_id,actor,action,")
        );
        for action in ["mission.create", "user.create", "role.grant", "user.read"] {
            assert!(
                csv.body.contains(&format!(",{action},")),
                "{action} in the export"
            );
        }
        let check = client
            .submit("/admin/audit", "/admin/audit/verify?lang=en", &[])
            .await;
        assert!(check.body.contains("The chain is intact"), "{}", check.body);
    }
}

#[tokio::test]
async fn editing_a_mission_records_only_what_changed() {
    for app in TestApp::all().await {
        app.mission("NBO", "KE").await;
        let (_, mut client) = admin(&app).await;
        let form = client.get("/admin/missions/NBO/edit").await;
        assert_eq!(form.status, 200);
        assert!(form.body.contains(r#"value="Mission NBO""#));
        let res = client
            .submit(
                "/admin/missions/NBO/edit",
                "/admin/missions/NBO/edit",
                &[
                    ("code", "NBO"),
                    ("kind", "embassy"),
                    ("name_ar", "بعثة NBO"),
                    ("name_en", "Mission NBO"),
                    ("country", "KE"),
                    ("city_ar", "نيروبي"),
                    ("city_en", "Nairobi"),
                    ("languages", "ar"),
                    ("languages", "en"),
                    ("time_zone", "Africa/Nairobi"),
                ],
            )
            .await;
        assert_eq!(
            res.location(),
            Some("/admin/missions?saved=1"),
            "{}",
            res.body
        );
        let changed = last_summary(&app, "mission.update").await;
        let fields: Vec<&String> = changed["changed"].as_object().unwrap().keys().collect();
        assert_eq!(fields, ["city_ar", "city_en", "time_zone"]);
        assert_eq!(changed["changed"]["city_en"]["from"], "City");
        assert_eq!(changed["changed"]["city_en"]["to"], "Nairobi");
        assert_eq!(client.get("/admin/missions/NOPE/edit").await.status, 404);
    }
}

/// One administrator changes a mission's code while another edits it: the second save is
/// refused with what was typed, beside the mission as it now is (it used to be a bare 404,
/// everything typed lost; and with the old code taken by a new mission, the form was set
/// against that other mission).
#[tokio::test]
async fn a_mission_renamed_meanwhile_keeps_the_other_editors_form() {
    for app in TestApp::all().await {
        let nairobi = app.mission("NBO", "KE").await;
        let (_, mut first) = admin(&app).await;
        let (_, mut second) = admin(&app).await;
        const EDIT: &str = "/admin/missions/NBO/edit";
        let page = second.get(EDIT).await.body;
        let seen = value_after(&page, r#"name="seen" value=""#).to_owned();
        let id = value_after(&page, r#"name="mission" value=""#).to_owned();
        assert_eq!(id, nairobi);
        let fields = |code: &'static str, city_en: &'static str| {
            vec![
                ("code", code.to_owned()),
                ("kind", "embassy".to_owned()),
                ("name_ar", "بعثة NBO".to_owned()),
                ("name_en", "Mission NBO".to_owned()),
                ("country", "KE".to_owned()),
                ("city_ar", "نيروبي".to_owned()),
                ("city_en", city_en.to_owned()),
                ("languages", "ar".to_owned()),
                ("languages", "en".to_owned()),
                ("time_zone", "Africa/Nairobi".to_owned()),
                ("seen", seen.clone()),
                ("mission", id.clone()),
            ]
        };
        let res = first
            .submit(EDIT, EDIT, &borrowed(&fields("NRB", "Nairobi")))
            .await;
        assert_eq!(
            res.location(),
            Some("/admin/missions?saved=1"),
            "{}",
            res.body
        );
        // A new mission takes the old code.
        app.mission("NBO", "KE").await;
        let res = second
            .submit(
                "/admin/missions/NRB/edit",
                EDIT,
                &borrowed(&fields("NBO", "Nairobi West")),
            )
            .await;
        assert_eq!(res.status, 409, "{}", res.body);
        assert!(res.body.contains(r#"value="Nairobi West""#), "typed kept");
        assert!(
            res.body.contains(r#"action="/admin/missions/NRB/edit""#),
            "set against the mission it edits: {}",
            res.body
        );
        let stored = missions::find(&app.db, &nairobi).await.unwrap();
        assert_eq!(
            (stored.code.as_str(), stored.city_en.as_str()),
            ("NRB", "Nairobi")
        );
    }
}

/// Two administrators edit one mission: the second save, from a form drawn before the first,
/// is refused with what was typed (it used to undo the first save without a word).
#[tokio::test]
async fn a_mission_saved_meanwhile_is_not_saved_over() {
    for app in TestApp::all().await {
        app.mission("NBO", "KE").await;
        let (_, mut first) = admin(&app).await;
        let (_, mut second) = admin(&app).await;
        const EDIT: &str = "/admin/missions/NBO/edit";
        let seen = |body: &str| value_after(body, r#"name="seen" value=""#).to_owned();
        let drawn = seen(&first.get(EDIT).await.body);
        assert_eq!(seen(&second.get(EDIT).await.body), drawn);
        let fields = |city_en: &'static str, seen: &str| {
            vec![
                ("code", "NBO".to_owned()),
                ("kind", "embassy".to_owned()),
                ("name_ar", "بعثة NBO".to_owned()),
                ("name_en", "Mission NBO".to_owned()),
                ("country", "KE".to_owned()),
                ("city_ar", "نيروبي".to_owned()),
                ("city_en", city_en.to_owned()),
                ("languages", "ar".to_owned()),
                ("languages", "en".to_owned()),
                ("time_zone", "Africa/Nairobi".to_owned()),
                ("seen", seen.to_owned()),
            ]
        };
        let a = fields("Nairobi", &drawn);
        let res = first.submit(EDIT, EDIT, &borrowed(&a)).await;
        assert_eq!(
            res.location(),
            Some("/admin/missions?saved=1"),
            "{}",
            res.body
        );

        let b = fields("Nairobi West", &drawn);
        let res = second.submit(EDIT, EDIT, &borrowed(&b)).await;
        assert_eq!(res.status, 409, "{}", res.body);
        assert!(
            res.body
                .contains("saved this mission while you were editing"),
            "{}",
            res.body
        );
        assert!(res.body.contains(r#"value="Nairobi West""#), "typed kept");
        let stored = missions::find_by_code(&app.db, "NBO")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.city_en, "Nairobi", "the first save stands");
        assert_eq!(app.audit_summaries("mission.update").await.len(), 1);
        // The page shown moves on to the version now stored: saved from it, the change goes in.
        let now_seen = seen(&res.body);
        assert_ne!(now_seen, drawn);
        let b = fields("Nairobi West", &now_seen);
        let res = second.submit(EDIT, EDIT, &borrowed(&b)).await;
        assert_eq!(
            res.location(),
            Some("/admin/missions?saved=1"),
            "{}",
            res.body
        );
        let stored = missions::find_by_code(&app.db, "NBO")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.city_en, "Nairobi West");
    }
}

#[tokio::test]
async fn bad_mission_input_comes_back_typed_with_arabic_messages() {
    for app in TestApp::all().await {
        app.mission("PAR", "FR").await;
        let (me, mut client) = admin(&app).await;
        // An Arabic-speaking administrator (saved preference and browser agree).
        accounts::set_preferred_lang(&app.db, &me.id, safir_domain::Lang::Ar)
            .await
            .unwrap();
        client.lang = Some("ar");
        let mut fields = paris_form("P1", "سفارتنا <b>الجديدة</b>");
        fields.retain(|(k, _)| *k != "languages");
        fields.push(("time_zone", "paris"));
        fields.retain(|(k, v)| !(*k == "time_zone" && *v == "Europe/Paris"));
        let res = client
            .submit("/admin/missions/new", "/admin/missions/new", &fields)
            .await;
        assert_eq!(res.status, 422, "{}", res.body);
        assert!(res.body.contains(r#"dir="rtl""#));
        assert!(
            res.body.contains("سفارتنا &#60;b&#62;الجديدة&#60;/b&#62;"),
            "typed value kept, escaped"
        );
        assert!(res.body.contains(r#"value="paris""#));
        assert!(
            res.body
                .contains("أدخل من حرفين إلى ستة أحرف لاتينية، مثل PAR."),
            "{}",
            res.body
        );
        assert!(res.body.contains("اختر لغة عمل واحدة على الأقل."));
        assert!(
            res.body
                .contains("أدخل منطقة زمنية مثل Europe/Paris أو UTC.")
        );
        assert!(
            res.body
                .contains(r#"<option value="FR" selected>فرنسا</option>"#)
        );

        let dup = client
            .submit(
                "/admin/missions/new",
                "/admin/missions/new",
                &paris_form("PAR", "سفارة أخرى"),
            )
            .await;
        assert_eq!(dup.status, 422);
        assert!(dup.body.contains("هذا الرمز مستخدم لبعثة أخرى."));
        assert!(dup.body.contains(r#"value="سفارة أخرى""#));
        assert_eq!(missions::list(&app.db).await.unwrap().len(), 1);
        assert!(
            !app.audit_actions()
                .await
                .contains(&"mission.create".to_owned())
        );
    }
}

#[tokio::test]
async fn the_administration_leads_each_ministry_wide_role_to_its_own_sections() {
    for app in TestApp::all().await {
        // Headquarters' consular director: a head of mission granted for the whole ministry,
        // who edits the travel advice but neither missions nor users.
        let director = app
            .staff(&unique_email("hq-consular"), &[(Role::HeadOfMission, None)])
            .await;
        let mut client = signed_in(&app, &director).await;
        let home = client.get("/").await;
        assert!(
            home.body.contains(r#"href="/admin""#),
            "no link to the administration: {}",
            home.body
        );
        let admin_home = client.get("/admin").await;
        assert_eq!(admin_home.status, 200, "{}", admin_home.body);
        assert!(admin_home.body.contains(r#"href="/admin/travel-advice""#));
        for section in [
            "/admin/missions",
            "/admin/users",
            "/admin/audit",
            "/admin/jobs",
        ] {
            assert!(
                !admin_home.body.contains(&format!(r#"href="{section}""#)),
                "{section} offered to whom it refuses"
            );
        }
        assert_eq!(client.get("/admin/travel-advice").await.status, 200);

        // An analyst for the whole ministry has no section: no link, and the page refuses.
        let analyst = app
            .staff(&unique_email("hq-analyst"), &[(Role::Analyst, None)])
            .await;
        let mut client = signed_in(&app, &analyst).await;
        assert!(!client.get("/").await.body.contains(r#"href="/admin""#));
        assert_eq!(client.get("/admin").await.status, 403);
    }
}
