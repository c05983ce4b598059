//! Staff accounts over time: the last ministry-wide administrator is protected, disabling
//! ends sessions, a password reset shows a new one-time password once.

use safir_domain::Lang as ContentLang;
use safir_domain::accounts::{AccountKind, DisplayName, Email, Password};
use safir_domain::roles::Role;
use safir_store::accounts::{self, directory, grants, password, tokens};

use crate::admin_support::{admin, shown_password, signed_in};
use crate::harness::{Account, Client, TestApp, unique_email};

#[tokio::test]
async fn the_last_active_admin_can_be_neither_revoked_nor_disabled() {
    for app in TestApp::all().await {
        let (me, mut client) = admin(&app).await;
        let my_page = format!("/admin/users/{}", me.id);
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
        let count =
            |actions: &[String], action: &str| actions.iter().filter(|a| *a == action).count();
        assert_eq!(count(&app.audit_actions().await, "user.disable"), 1);
        let res = client
            .submit(
                &other_page,
                &format!("/admin/users/{}/enable", other.id),
                &[],
            )
            .await;
        assert!(res.status.is_redirection());

        // Two administrators disabling each other at the same moment: each change alone
        // leaves one administrator, the one made second would leave none and is refused (or,
        // its author's session already ended, its form is refused as expired or it is sent
        // to the sign-in page).
        let mut theirs = signed_in(&app, &other).await;
        let mine_token = client.get(&other_page).await.csrf_token().unwrap();
        let their_token = theirs.get(&my_page).await.csrf_token().unwrap();
        let disable_me = format!("/admin/users/{}/disable", me.id);
        let (a, b) = futures_util::future::join(
            client.post_form_with_token(&disable, &mine_token, &[]),
            theirs.post_form_with_token(&disable_me, &their_token, &[]),
        )
        .await;
        let mut enabled = Vec::new();
        for id in [&me.id, &other.id] {
            if accounts::find_user(&app.db, id)
                .await
                .unwrap()
                .disabled_at
                .is_none()
            {
                enabled.push(id.clone());
            }
        }
        assert_eq!(
            enabled.len(),
            1,
            "{} {} / {} {}",
            a.status,
            a.body,
            b.status,
            b.body
        );
        let (kept, lost) = if enabled[0] == me.id { (a, b) } else { (b, a) };
        assert!(
            kept.location()
                .is_some_and(|l| l.ends_with("?done=disabled")),
            "{}",
            kept.status
        );
        assert!(
            (lost.status == 409
                && lost
                    .body
                    .contains("last active ministry-wide administrator"))
                || lost.status == 403
                || lost.location().is_some_and(|l| l.starts_with("/sign-in")),
            "{} {}",
            lost.status,
            lost.body
        );
        assert_eq!(count(&app.audit_actions().await, "user.disable"), 2);

        // The one left enables the other, and the two revoke each other's role at once: one
        // stays an administrator.
        let (mut left, left_id, back_id) = if enabled[0] == me.id {
            (client, me.id.clone(), other.id.clone())
        } else {
            (theirs, other.id.clone(), me.id.clone())
        };
        let back_page = format!("/admin/users/{back_id}");
        let res = left
            .submit(&back_page, &format!("/admin/users/{back_id}/enable"), &[])
            .await;
        assert!(res.status.is_redirection());
        let back = if back_id == me.id { &me } else { &other };
        let mut returned = signed_in(&app, back).await;
        let left_page = format!("/admin/users/{left_id}");
        let left_token = left.get(&back_page).await.csrf_token().unwrap();
        let back_token = returned.get(&left_page).await.csrf_token().unwrap();
        let admin_role = [("role", "admin"), ("scope", "*")];
        let (a, b) = futures_util::future::join(
            left.post_form_with_token(
                &format!("/admin/users/{back_id}/grants/revoke"),
                &left_token,
                &admin_role,
            ),
            returned.post_form_with_token(
                &format!("/admin/users/{left_id}/grants/revoke"),
                &back_token,
                &admin_role,
            ),
        )
        .await;
        let mut tx = app.db.begin().await.unwrap();
        let admins = directory::count_active_ministry_admins(&mut tx)
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(
            admins, 1,
            "{} {} / {} {}",
            a.status, a.body, b.status, b.body
        );
        assert_eq!(count(&app.audit_actions().await, "role.revoke"), 1);
        for res in [a, b] {
            assert!(
                res.status.is_redirection()
                    || res.status == 403
                    || (res.status == 409
                        && res.body.contains("last active ministry-wide administrator")),
                "{} {}",
                res.status,
                res.body
            );
        }
    }
}

#[tokio::test]
async fn an_administrator_neither_disables_themselves_nor_drops_their_own_admin_role() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let me = app
            .staff(
                &unique_email("admin"),
                &[(Role::Admin, None), (Role::Analyst, Some(&paris))],
            )
            .await;
        let mut client = signed_in(&app, &me).await;
        // Another administrator: the refusals below are not the last administrator's.
        app.staff(&unique_email("admin2"), &[(Role::Admin, None)])
            .await;
        let my_page = format!("/admin/users/{}", me.id);

        let res = client
            .submit(&my_page, &format!("/admin/users/{}/disable", me.id), &[])
            .await;
        assert_eq!(res.status, 409, "{}", res.body);
        assert!(
            res.body.contains("You cannot disable your own account."),
            "{}",
            res.body
        );
        let res = client
            .submit(
                &my_page,
                &format!("/admin/users/{}/grants/revoke", me.id),
                &[("role", "admin"), ("scope", "*")],
            )
            .await;
        assert_eq!(res.status, 409, "{}", res.body);
        assert!(
            res.body
                .contains("You cannot revoke your own ministry-wide administrator role.")
        );
        let me_now = accounts::find_user(&app.db, &me.id).await.unwrap();
        assert!(me_now.disabled_at.is_none());
        let mut tx = app.db.begin().await.unwrap();
        assert!(directory::is_ministry_admin(&mut tx, &me.id).await.unwrap());
        tx.rollback().await.unwrap();
        let actions = app.audit_actions().await;
        assert!(
            !actions
                .iter()
                .any(|a| a == "role.revoke" || a == "user.disable")
        );
        // Their session is still there.
        assert_eq!(client.get(&my_page).await.status, 200);

        // Their other roles are theirs to give up.
        let res = client
            .submit(
                &my_page,
                &format!("/admin/users/{}/grants/revoke", me.id),
                &[("role", "analyst"), ("scope", paris.as_str())],
            )
            .await;
        assert!(res.status.is_redirection(), "{} {}", res.status, res.body);

        // In Arabic too.
        let res = client
            .submit(
                &my_page,
                &format!("/admin/users/{}/disable?lang=ar", me.id),
                &[],
            )
            .await;
        assert_eq!(res.status, 409);
        assert!(
            res.body.contains("لا يمكنك تعطيل حسابك بنفسك."),
            "{}",
            res.body
        );
        let res = client
            .submit(
                &my_page,
                &format!("/admin/users/{}/grants/revoke?lang=ar", me.id),
                &[("role", "admin"), ("scope", "*")],
            )
            .await;
        assert_eq!(res.status, 409);
        assert!(
            res.body
                .contains("لا يمكنك سحب دور مسؤول النظام على مستوى الوزارة من نفسك.")
        );
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

/// A live API token of `account`, made as its owner would on the settings page.
async fn api_token(app: &TestApp, account: &Account) -> String {
    let mut tx = app.db.begin().await.unwrap();
    let (_, token) = tokens::create_api_token(&mut tx, &account.id, "cli", &["read"], None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    token
}

#[tokio::test]
async fn disabling_an_account_revokes_its_api_tokens() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let (_, mut client) = admin(&app).await;
        let officer = app
            .staff(
                &unique_email("taken"),
                &[(Role::ConsularOfficer, Some(&paris))],
            )
            .await;
        // A token in the hands of whoever took the account, the reason it is disabled.
        let token = api_token(&app, &officer).await;
        let mut program = app.client();
        assert_eq!(
            program.api("GET", "/api/v1/me", &token, None).await.status,
            200
        );

        let page = format!("/admin/users/{}", officer.id);
        let res = client
            .submit(&page, &format!("/admin/users/{}/disable", officer.id), &[])
            .await;
        assert!(res.status.is_redirection(), "{} {}", res.status, res.body);
        // Enabled again (the owner has their account back): the token stays stopped.
        let res = client
            .submit(&page, &format!("/admin/users/{}/enable", officer.id), &[])
            .await;
        assert!(res.status.is_redirection());
        assert_eq!(
            program.api("GET", "/api/v1/me", &token, None).await.status,
            401
        );
        let listed = tokens::list_api_tokens(&app.db, &officer.id).await.unwrap();
        assert!(listed.iter().all(|t| t.revoked_at.is_some()));
        assert_eq!(
            app.audit_summaries("user.disable").await[0]["api_tokens_revoked"],
            1
        );
        let shown = client.get(&format!("{page}?done=disabled&lang=en")).await;
        assert!(
            shown.body.contains("its API tokens revoked"),
            "{}",
            shown.body
        );
    }
}

#[tokio::test]
async fn a_first_role_revokes_the_tokens_made_without_a_second_factor() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let (_, mut client) = admin(&app).await;
        // A citizen's account, signed in with its password alone, made a token.
        let citizen = app.public_user(&unique_email("citizen")).await;
        let token = api_token(&app, &citizen).await;
        let mut program = app.client();
        assert_eq!(
            program.api("GET", "/api/v1/me", &token, None).await.status,
            200
        );

        let page = format!("/admin/users/{}", citizen.id);
        let res = client
            .submit(
                &page,
                &format!("/admin/users/{}/grants?lang=en", citizen.id),
                &[("role", "admin"), ("scope", "*")],
            )
            .await;
        // The token does not reach what the role opens, nor anything else.
        assert_eq!(
            program
                .api("GET", "/api/v1/admin/jobs", &token, None)
                .await
                .status,
            401
        );
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(
            res.body.contains(
                "The role was granted. The API token this account made before it held any role was revoked"
            ),
            "{}",
            res.body
        );
        assert_eq!(
            program.api("GET", "/api/v1/me", &token, None).await.status,
            401
        );
        assert_eq!(
            app.audit_summaries("role.grant").await[0]["api_tokens_revoked"],
            1
        );

        // A staff account with no role yet: the same, said in Arabic.
        let newcomer = app.staff(&unique_email("newcomer"), &[]).await;
        let theirs = api_token(&app, &newcomer).await;
        let res = client
            .submit(
                &format!("/admin/users/{}", newcomer.id),
                &format!("/admin/users/{}/grants?lang=ar", newcomer.id),
                &[("role", "analyst"), ("scope", paris.as_str())],
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(
            res.body.contains("وأُلغي رمز الواجهة البرمجية"),
            "{}",
            res.body
        );
        assert_eq!(
            program.api("GET", "/api/v1/me", &theirs, None).await.status,
            401
        );

        // An account that already holds a role made its tokens past the second factor: a
        // further role leaves them.
        let officer = app
            .staff(
                &unique_email("officer"),
                &[(Role::ConsularOfficer, Some(&paris))],
            )
            .await;
        let kept = api_token(&app, &officer).await;
        let officer_page = format!("/admin/users/{}", officer.id);
        let res = client
            .submit(
                &officer_page,
                &format!("/admin/users/{}/grants", officer.id),
                &[("role", "analyst"), ("scope", paris.as_str())],
            )
            .await;
        assert_eq!(
            res.location(),
            Some(format!("{officer_page}?done=granted").as_str())
        );
        assert_eq!(
            program.api("GET", "/api/v1/me", &kept, None).await.status,
            200
        );
        let grants = app.audit_summaries("role.grant").await;
        assert!(
            grants[2].get("api_tokens_revoked").is_none(),
            "{}",
            grants[2]
        );
    }
}

#[tokio::test]
async fn an_administrators_password_reset_is_emailed_to_the_owner() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let (_, mut client) = admin(&app).await;
        let officer = app
            .staff(
                &unique_email("reset"),
                &[(Role::PressOfficer, Some(&paris))],
            )
            .await;
        accounts::set_preferred_lang(&app.db, &officer.id, ContentLang::Ar)
            .await
            .unwrap();
        let page = format!("/admin/users/{}", officer.id);
        let res = client
            .submit(
                &page,
                &format!("/admin/users/{}/reset-password", officer.id),
                &[],
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let mails = app.emails_to(&officer.email).await;
        assert_eq!(mails.len(), 1, "{mails:?}");
        assert_eq!(mails[0].lang, "ar");
        assert_eq!(mails[0].subject, "أعاد مسؤول تعيين كلمة مرورك في سفير");
        assert!(mails[0].text.contains("جميع جلساتك"), "{}", mails[0].text);
        // The mail names no password: the new one goes through the administrator only.
        assert!(!mails[0].text.contains(&shown_password(&res.body)));
    }
}

/// An account opened on the public sign-up page and never confirmed: its address may be
/// anyone's.
async fn unconfirmed_account(app: &TestApp, email: &str) -> String {
    let hash = password::hash(&Password::parse(crate::harness::PASSWORD).unwrap()).await;
    let mut tx = app.db.begin().await.unwrap();
    let id = accounts::create_user(
        &mut tx,
        &accounts::NewUser {
            email: &Email::parse(email).unwrap(),
            display_name: &DisplayName::parse("Amal Haddad").unwrap(),
            password_hash: &hash,
            kind: AccountKind::Public,
            lang: ContentLang::En,
            email_verified: false,
            request_key: None,
        },
    )
    .await
    .unwrap()
    .to_string();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn a_role_is_granted_only_once_the_owner_has_confirmed_the_address() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let (_, mut client) = admin(&app).await;
        // Someone signed up with a colleague's address before her staff account existed, and
        // never confirmed it; the administrator finds the account under her address.
        let outsider = unconfirmed_account(&app, &unique_email("amal.haddad")).await;
        let page = format!("/admin/users/{outsider}");
        let shown = client.get(&format!("{page}?lang=en")).await;
        assert!(
            shown.body.contains("Address confirmed")
                && shown
                    .body
                    .contains("No: its owner has not confirmed it yet"),
            "{}",
            shown.body
        );
        let officer = [("role", "consular_officer"), ("scope", paris.as_str())];
        let res = client
            .submit(&page, &format!("{page}/grants?lang=en"), &officer)
            .await;
        assert_eq!(res.status, 409, "{}", res.body);
        assert!(
            res.body
                .contains("Its owner must confirm the address first")
                && res.body.contains("Send a new confirmation link"),
            "{}",
            res.body
        );
        // What the administrator chose is still chosen.
        assert!(
            res.body
                .contains(r#"<option value="consular_officer" selected>"#),
            "{}",
            res.body
        );
        let res = client
            .submit(&page, &format!("{page}/grants?lang=ar"), &officer)
            .await;
        assert_eq!(res.status, 409);
        assert!(
            res.body.contains("على صاحب الحساب أن يؤكد عنوانه أولًا"),
            "{}",
            res.body
        );
        assert!(
            grants::list_for_user(&app.db, &outsider)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(!app.audit_actions().await.iter().any(|a| a == "role.grant"));

        // Once its owner has confirmed it, the role is granted.
        let mut tx = app.db.begin().await.unwrap();
        accounts::mark_email_verified(&mut tx, &outsider)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let res = client
            .submit(&page, &format!("{page}/grants"), &officer)
            .await;
        assert!(res.status.is_success() || res.status.is_redirection());
        assert_eq!(
            grants::list_for_user(&app.db, &outsider)
                .await
                .unwrap()
                .len(),
            1
        );
        let shown = client.get(&format!("{page}?lang=en")).await;
        assert!(
            shown
                .body
                .contains("<dt>Address confirmed</dt><dd>Yes</dd>"),
            "{}",
            shown.body
        );

        // An account an administrator made has the address they chose, confirmed: it takes
        // roles at once.
        let email = unique_email("made");
        let (token, key) = client.form_key("/admin/users/new").await;
        let res = client
            .post_form_with_token(
                "/admin/users/new",
                &token,
                &[
                    ("name", "Made Here"),
                    ("email", email.as_str()),
                    ("language", "en"),
                    ("role", "analyst"),
                    ("scope", "*"),
                    ("request_key", key.as_str()),
                ],
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let made = accounts::find_user_by_email(&app.db, &Email::parse(&email).unwrap())
            .await
            .unwrap()
            .unwrap();
        let made_page = format!("/admin/users/{}", made.id);
        let res = client
            .submit(&made_page, &format!("{made_page}/grants"), &officer)
            .await;
        assert_eq!(
            res.location(),
            Some(format!("{made_page}?done=granted").as_str()),
            "{}",
            res.body
        );
    }
}

#[tokio::test]
async fn a_role_holder_sets_up_two_step_verification_only_with_a_confirmed_address() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        // A role given to an unconfirmed account (before such grants were refused).
        let email = unique_email("stranger");
        let outsider = unconfirmed_account(&app, &email).await;
        let mut tx = app.db.begin().await.unwrap();
        grants::grant(
            &mut tx,
            &outsider,
            Role::ConsularOfficer,
            &safir_domain::roles::Scope::Mission(safir_domain::ids::MissionId::from_trusted(
                paris.to_string(),
            )),
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut theirs = app.client();
        theirs.lang = Some("en");
        theirs
            .submit(
                "/sign-in",
                "/sign-in",
                &[("email", &email), ("password", crate::harness::PASSWORD)],
            )
            .await;
        let setup = theirs.get("/account/two-factor/setup").await;
        assert_eq!(setup.status, 200);
        assert!(
            setup
                .body
                .contains("Confirm your email address before you turn on two-step verification"),
            "{}",
            setup.body
        );
        assert!(!setup.body.contains("otpauth://"), "{}", setup.body);
        let res = theirs
            .submit(
                "/account/two-factor/setup",
                "/account/two-factor/setup",
                &[("code", "123456"), ("password", crate::harness::PASSWORD)],
            )
            .await;
        assert_eq!(res.status, 403, "{}", res.body);
        assert!(
            !accounts::find_user(&app.db, &outsider)
                .await
                .unwrap()
                .totp_enabled()
        );
        // Nor does the stranger reach the mission's cases.
        let cases = theirs.get("/staff").await;
        assert!(cases.status.is_redirection(), "{}", cases.status);
    }
}

/// The keys of the forms on a page, in the page's order.
fn form_keys(body: &str) -> Vec<String> {
    body.split(r#"name="request_key" value=""#)
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect()
}

#[tokio::test]
async fn a_password_reset_sent_twice_makes_one_password() {
    for app in TestApp::all().await {
        let (_, mut client) = admin(&app).await;
        let citizen = app.public_user(&unique_email("twice")).await;
        let page = format!("/admin/users/{}", citizen.id);
        let reset = format!("{page}/reset-password");
        let shown = client.get(&page).await;
        let token = shown.csrf_token().unwrap();
        let key = form_keys(&shown.body)[0].clone();
        let sent = [("request_key", key.as_str())];
        let first = client.post_form_with_token(&reset, &token, &sent).await;
        assert_eq!(first.status, 200, "{}", first.body);
        let one_time = shown_password(&first.body);
        // The second answer says the password was reset, and shows no other.
        let again = client.post_form_with_token(&reset, &token, &sent).await;
        assert_eq!(
            again.location(),
            Some(format!("{page}?done=password-reset-again").as_str()),
            "{} {}",
            again.status,
            again.body
        );
        let told = client
            .get(&format!("{}&lang=en", again.location().unwrap()))
            .await;
        assert!(
            told.body
                .contains("This password was already reset by this same form"),
            "{}",
            told.body
        );
        let stored = accounts::find_user(&app.db, &citizen.id).await.unwrap();
        assert!(password::verify(&one_time, &stored.password_hash).await);
        assert_eq!(app.emails_to(&citizen.email).await.len(), 1);
        assert_eq!(app.audit_summaries("user.password_reset").await.len(), 1);

        // Both sendings at once: one password, and it is the one stored.
        let shown = client.get(&page).await;
        let token = shown.csrf_token().unwrap();
        let key = form_keys(&shown.body)[0].clone();
        let mut twins: Vec<Client> = (0..2)
            .map(|_| Client {
                app: client.app,
                cookies: client.cookies.clone(),
                lang: client.lang,
            })
            .collect();
        let sent = [("request_key", key.as_str())];
        let clicks = twins
            .iter_mut()
            .map(|t| t.post_form_with_token(&reset, &token, &sent));
        let answers = futures_util::future::join_all(clicks).await;
        let passwords: Vec<String> = answers
            .iter()
            .filter(|a| a.status == 200)
            .map(|a| shown_password(&a.body))
            .collect();
        assert_eq!(
            passwords.len(),
            1,
            "{:?}",
            answers.iter().map(|a| a.status).collect::<Vec<_>>()
        );
        assert!(answers.iter().any(|a| {
            a.location()
                .is_some_and(|l| l.ends_with("?done=password-reset-again"))
        }));
        let stored = accounts::find_user(&app.db, &citizen.id).await.unwrap();
        assert!(password::verify(&passwords[0], &stored.password_hash).await);
        assert_eq!(app.emails_to(&citizen.email).await.len(), 2);
        assert_eq!(app.audit_summaries("user.password_reset").await.len(), 2);
    }
}

#[tokio::test]
async fn a_citizens_account_holding_a_role_is_listed_among_the_staff() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let (_, mut client) = admin(&app).await;
        let head = unique_email("head");
        let head_account = app
            .public_with_roles(&head, &[(Role::HeadOfMission, Some(&paris))])
            .await;
        let citizen = unique_email("citizen");
        app.public_user(&citizen).await;

        let res = client.get("/admin/users?kind=staff&lang=en").await;
        assert!(
            res.body.contains(&head) && !res.body.contains(&citizen),
            "{}",
            res.body
        );
        assert!(res.body.contains("Public, holds roles"), "{}", res.body);
        let res = client.get("/admin/users?kind=staff&lang=ar").await;
        assert!(res.body.contains("عام، ويشغل أدوارًا"), "{}", res.body);
        // Among the citizens' accounts too, as it is one.
        let res = client.get("/admin/users?kind=public").await;
        assert!(res.body.contains(&head) && res.body.contains(&citizen));
        let shown = client
            .get(&format!("/admin/users/{}?lang=en", head_account.id))
            .await;
        assert!(shown.body.contains("Public, holds roles"), "{}", shown.body);
    }
}
