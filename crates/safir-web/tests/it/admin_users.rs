//! Staff accounts over time: the last ministry-wide administrator is protected, disabling
//! ends sessions, a password reset shows a new one-time password once.

use safir_domain::Lang as ContentLang;
use safir_domain::accounts::{AccountKind, DisplayName, Email, Password};
use safir_domain::roles::Role;
use safir_store::accounts::{self, password, tokens};

use crate::admin_support::{admin, shown_password, signed_in};
use crate::harness::{Client, TestApp, unique_email};

#[tokio::test]
async fn the_last_active_admin_can_be_neither_revoked_nor_disabled() {
    for app in TestApp::all().await {
        let (me, mut client) = admin(&app).await;
        let my_page = format!("/admin/users/{}", me.id);

        let res = client
            .submit(
                &my_page,
                &format!("/admin/users/{}/grants/revoke", me.id),
                &[("role", "admin"), ("scope", "*")],
            )
            .await;
        assert_eq!(res.status, 409, "{}", res.body);
        assert!(res.body.contains("last active ministry-wide administrator"));
        let res = client
            .submit(&my_page, &format!("/admin/users/{}/disable", me.id), &[])
            .await;
        assert_eq!(res.status, 409);
        let me_now = accounts::find_user(&app.db, &me.id).await.unwrap();
        assert!(me_now.disabled_at.is_none());
        let actions = app.audit_actions().await;
        assert!(
            !actions
                .iter()
                .any(|a| a == "role.revoke" || a == "user.disable")
        );

        // A second admin who is disabled does not count: still refused.
        let other = app
            .staff(&unique_email("admin2"), &[(Role::Admin, None)])
            .await;
        let other_page = format!("/admin/users/{}", other.id);
        // Disabled with a double click: both clicks land on the page, one is recorded.
        let token = client.get(&other_page).await.csrf_token().unwrap();
        let mut twins: Vec<Client> = (0..2)
            .map(|_| Client {
                app: client.app,
                cookies: client.cookies.clone(),
                lang: client.lang,
            })
            .collect();
        let disable = format!("/admin/users/{}/disable", other.id);
        let clicks = twins
            .iter_mut()
            .map(|t| t.post_form_with_token(&disable, &token, &[]));
        for res in futures_util::future::join_all(clicks).await {
            assert!(res.status.is_redirection(), "{} {}", res.status, res.body);
        }
        let disables = app
            .audit_actions()
            .await
            .into_iter()
            .filter(|a| a == "user.disable")
            .count();
        assert_eq!(disables, 1);
        let res = client
            .submit(
                &my_page,
                &format!("/admin/users/{}/grants/revoke", me.id),
                &[("role", "admin"), ("scope", "*")],
            )
            .await;
        assert_eq!(res.status, 409);

        // Once the other admin is enabled again, one of the two may step down.
        let res = client
            .submit(
                &other_page,
                &format!("/admin/users/{}/enable", other.id),
                &[],
            )
            .await;
        assert!(res.status.is_redirection());
        let res = client
            .submit(
                &other_page,
                &format!("/admin/users/{}/grants/revoke", other.id),
                &[("role", "admin"), ("scope", "*")],
            )
            .await;
        assert!(res.status.is_redirection(), "{}", res.body);
        let actions = app.audit_actions().await;
        for action in ["user.disable", "user.enable", "role.revoke"] {
            assert!(actions.iter().any(|a| a == action), "{action}");
        }
    }
}

#[tokio::test]
async fn disabling_a_colleague_signs_them_out_everywhere() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let (_, mut client) = admin(&app).await;
        let analyst = app
            .staff(&unique_email("analyst"), &[(Role::Analyst, Some(&paris))])
            .await;
        let mut theirs = signed_in(&app, &analyst).await;
        assert_eq!(theirs.get("/staff").await.status, 200);

        let page = format!("/admin/users/{}", analyst.id);
        let res = client
            .submit(&page, &format!("/admin/users/{}/disable", analyst.id), &[])
            .await;
        assert_eq!(
            res.location(),
            Some(format!("{page}?done=disabled").as_str())
        );
        let after = theirs.get("/staff").await;
        assert!(
            after.status.is_redirection(),
            "session ended: {}",
            after.status
        );
        assert!(after.location().unwrap().starts_with("/sign-in"));
        let shown = client.get(&format!("{page}?done=disabled&lang=en")).await;
        assert!(shown.body.contains("The account was disabled"));
        assert!(shown.body.contains("/enable"));
    }
}

#[tokio::test]
async fn a_password_reset_shows_a_new_password_once() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let (_, mut client) = admin(&app).await;
        let officer = app
            .staff(
                &unique_email("press"),
                &[(Role::PressOfficer, Some(&paris))],
            )
            .await;
        let mut theirs = signed_in(&app, &officer).await;
        // A token made with the password being reset (by its owner, or by whoever took it).
        let mut tx = app.db.begin().await.unwrap();
        let (_, token) = tokens::create_api_token(&mut tx, &officer.id, "cli", &["read"], None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            theirs.api("GET", "/api/v1/me", &token, None).await.status,
            200
        );
        let page = format!("/admin/users/{}", officer.id);
        let res = client
            .submit(
                &page,
                &format!("/admin/users/{}/reset-password", officer.id),
                &[],
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let fresh = shown_password(&res.body);
        let stored = accounts::find_user(&app.db, &officer.id).await.unwrap();
        assert!(password::verify(&fresh, &stored.password_hash).await);
        assert!(!password::verify(crate::harness::PASSWORD, &stored.password_hash).await);
        assert!(theirs.get("/staff").await.status.is_redirection());
        assert_eq!(
            theirs.api("GET", "/api/v1/me", &token, None).await.status,
            401
        );
        assert_eq!(
            app.audit_summaries("user.password_reset").await[0]["api_tokens_revoked"],
            1
        );
    }
}

#[tokio::test]
async fn users_are_searched_by_text_kind_and_role() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let (_, mut client) = admin(&app).await;
        let officer = unique_email("zaynab");
        app.staff(&officer, &[(Role::ConsularOfficer, Some(&paris))])
            .await;
        let citizen = unique_email("citizen");
        app.public_user(&citizen).await;

        let res = client.get("/admin/users?q=zaynab&lang=en").await;
        assert!(res.body.contains(&officer) && !res.body.contains(&citizen));
        assert!(res.body.contains("Consular officer — Mission PAR"));
        let res = client.get("/admin/users?kind=public").await;
        assert!(res.body.contains(&citizen) && !res.body.contains(&officer));
        let res = client.get("/admin/users?role=consular_officer").await;
        assert!(res.body.contains(&officer) && !res.body.contains(&citizen));

        let bad = client
            .submit(
                "/admin/users/new",
                "/admin/users/new",
                &[
                    ("name", ""),
                    ("email", &officer),
                    ("language", "ar"),
                    ("role", "emperor"),
                    ("scope", "nowhere"),
                ],
            )
            .await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains(&format!(r#"value="{officer}""#)));
        let dup = client
            .submit(
                "/admin/users/new",
                "/admin/users/new",
                &[
                    ("name", "Zaynab"),
                    ("email", &officer),
                    ("language", "en"),
                    ("role", "analyst"),
                    ("scope", "*"),
                ],
            )
            .await;
        assert_eq!(dup.status, 422);
        assert!(dup.body.contains("field-email-error"));
    }
}

#[tokio::test]
async fn a_list_longer_than_the_page_says_so() {
    for app in TestApp::all().await {
        let (_, mut client) = admin(&app).await;
        let hash = password::hash(&Password::parse(crate::harness::PASSWORD).unwrap()).await;
        let mut tx = app.db.begin().await.unwrap();
        for i in 0..200 {
            accounts::create_user(
                &mut tx,
                &accounts::NewUser {
                    email: &Email::parse(&format!("many{i}@example.org")).unwrap(),
                    display_name: &DisplayName::parse("Many").unwrap(),
                    password_hash: &hash,
                    kind: AccountKind::Public,
                    lang: ContentLang::En,
                    email_verified: true,
                    request_key: None,
                },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        // 201 accounts with the administrator: the newest 200 shown, and a word on the rest.
        let all = client.get("/admin/users?lang=en").await;
        assert!(
            all.body
                .contains("More accounts match than are listed here")
        );
        let some = client.get("/admin/users?q=many1&lang=en").await;
        assert!(some.body.contains("many1@example.org"));
        assert!(!some.body.contains("More accounts match"));
    }
}

#[tokio::test]
async fn a_staff_account_form_sent_twice_leads_to_the_account_it_made() {
    for app in TestApp::all().await {
        let (_, mut client) = admin(&app).await;
        let email = unique_email("double");
        let (token, key) = client.form_key("/admin/users/new?lang=en").await;
        let sent = [
            ("name", "Rana Double"),
            ("email", email.as_str()),
            ("language", "en"),
            ("role", "analyst"),
            ("scope", "*"),
            ("request_key", key.as_str()),
        ];
        let first = client
            .post_form_with_token("/admin/users/new", &token, &sent)
            .await;
        assert_eq!(first.status, 200, "{}", first.body);
        let one_time = shown_password(&first.body);
        // The browser shows the answer to the second sending: not "address taken", but the
        // account the first one made, with the way to a new one-time password.
        let again = client
            .post_form_with_token("/admin/users/new", &token, &sent)
            .await;
        let user = accounts::find_user_by_email(&app.db, &Email::parse(&email).unwrap())
            .await
            .unwrap()
            .expect("created once");
        assert_eq!(
            again.location(),
            Some(format!("/admin/users/{}?done=created", user.id).as_str()),
            "{}",
            again.body
        );
        let page = client
            .get(&format!("{}&lang=en", again.location().unwrap()))
            .await;
        assert!(
            page.body.contains("already created by this same form"),
            "{}",
            page.body
        );
        assert!(page.body.contains("/reset-password"));
        assert!(!page.body.contains(&one_time), "shown once only");
        assert!(
            password::verify(&one_time, &user.password_hash).await,
            "unchanged"
        );

        // Another form naming the same address is refused as before.
        let (token, key) = client.form_key("/admin/users/new").await;
        let mut other = sent;
        other[5] = ("request_key", key.as_str());
        let taken = client
            .post_form_with_token("/admin/users/new", &token, &other)
            .await;
        assert_eq!(taken.status, 422);
        assert!(taken.body.contains("field-email-error"));
    }
}
