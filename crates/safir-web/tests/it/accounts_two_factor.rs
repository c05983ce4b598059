//! Two-factor authentication through HTTP: staff must pass it, codes are not accepted twice,
//! recovery codes work once, and setting it up works end to end without JavaScript.

use axum::http::StatusCode;
use safir_domain::Lang as ContentLang;
use safir_domain::accounts::{AccountKind, DisplayName, Email, Password};
use safir_domain::roles::{Role, Scope};
use safir_store::accounts::{self, grants, password};

use crate::accounts::sign_in_with;
use crate::harness::{Account, Client, PASSWORD, TestApp, fresh_totp_code, unique_email};

fn between<'a>(body: &'a str, start: &str, end: &str) -> Vec<&'a str> {
    body.split(start)
        .skip(1)
        .filter_map(|rest| rest.split(end).next())
        .collect()
}

/// Sends a code (from the authenticator, or a recovery code) on the second-factor page.
async fn second_step(c: &mut Client<'_>, code: &str) -> crate::harness::TestResponse {
    c.submit(
        "/sign-in/two-factor",
        "/sign-in/two-factor",
        &[("code", code)],
    )
    .await
}

/// Seconds since the epoch, for a code of now.
fn two_factor_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Walks the setup page: scans the secret, confirms with a code, returns the recovery codes.
async fn set_up_totp(c: &mut Client<'_>, account_id: &str) -> (String, Vec<String>) {
    let page = c.get("/account/two-factor/setup").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<svg"), "QR code inline");
    assert!(page.body.contains("otpauth://totp/Safir:"));
    let secret = between(&page.body, "class=\"totp-secret\">", "<")[0].to_owned();
    assert!(page.body.contains(&format!("secret={secret}")));

    let wrong = c
        .submit(
            "/account/two-factor/setup",
            "/account/two-factor/setup",
            &[("code", "000000x"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.body.contains(&secret),
        "the same secret is shown again"
    );

    let code = fresh_totp_code(account_id, &secret);
    let done = c
        .submit(
            "/account/two-factor/setup",
            "/account/two-factor/setup",
            &[("code", &code), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let codes: Vec<String> = between(&done.body, "<li><code>", "</code>")
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

#[tokio::test]
async fn staff_need_the_second_factor_and_a_code_is_accepted_once() {
    for app in TestApp::all().await {
        let staff = app
            .staff(&unique_email("consul"), &[(Role::Admin, None)])
            .await;
        let secret = staff.totp_secret.clone().unwrap();
        let mut c = app.client();
        c.lang = Some("en");
        let res = sign_in_with(&mut c, &staff.email, PASSWORD, Some("/account")).await;
        assert_eq!(
            res.location(),
            Some("/sign-in/two-factor?next=/account"),
            "{}",
            res.body
        );
        // Only the second-factor page is reachable with the password alone, and its header
        // offers no link that would only lead back to it: the way out is signing out.
        let res = c.get("/account").await;
        assert_eq!(res.location(), Some("/sign-in/two-factor"));
        let halfway = c.get("/sign-in/two-factor").await;
        assert_eq!(halfway.status, StatusCode::OK);
        let workspace = ["/account", "/account/cases", "/staff", "/admin"];
        for href in workspace {
            let link = format!("href=\"{href}\"");
            assert!(!halfway.body.contains(&link), "{link} before the code");
        }
        assert!(halfway.body.contains("action=\"/sign-out\""));

        let bad = second_step(&mut c, "123456").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("This code is not right."));

        let code = fresh_totp_code(&staff.id, &secret);
        let form = c.get("/sign-in/two-factor?next=/account").await;
        let ok = c
            .post_form_with_token(
                "/sign-in/two-factor",
                &form.csrf_token().unwrap(),
                &[("code", &code), ("next", "/account")],
            )
            .await;
        assert_eq!(ok.location(), Some("/account"));
        let account = c.get("/account").await;
        assert_eq!(account.status, StatusCode::OK);
        for href in workspace {
            let link = format!("href=\"{href}\"");
            assert!(account.body.contains(&link), "{link} once signed in");
        }

        // Someone who saw that code cannot use it again.
        let mut thief = app.client();
        thief.lang = Some("en");
        sign_in_with(&mut thief, &staff.email, PASSWORD, None).await;
        let replay = second_step(&mut thief, &code).await;
        assert_eq!(replay.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(replay.body.contains("This code was already used."));
        assert_eq!(
            thief.get("/account").await.location(),
            Some("/sign-in/two-factor")
        );
    }
}

#[tokio::test]
async fn setting_up_two_factor_then_signing_in_with_a_recovery_code_once() {
    for app in TestApp::all().await {
        let user = app.public_user(&unique_email("totp")).await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&user).await;
        let (secret, codes) = set_up_totp(&mut c, &user.id).await;
        let page = c.get("/account").await;
        assert!(page.body.contains("Two-step verification is on."));
        assert!(page.body.contains("10 recovery codes are left."));
        let mails = app.emails_to(&user.email).await;
        assert!(
            mails
                .iter()
                .any(|m| m.subject == "Two-step verification is on for your Safir account")
        );

        // From now on the password alone is not enough.
        let mut other = app.client();
        other.lang = Some("en");
        let res = sign_in_with(&mut other, &user.email, PASSWORD, None).await;
        assert_eq!(res.location(), Some("/sign-in/two-factor"));
        assert_eq!(
            other.get("/account").await.location(),
            Some("/sign-in/two-factor")
        );
        let recovery = codes[3].to_lowercase();
        let res = second_step(&mut other, &recovery).await;
        assert_eq!(res.location(), Some("/account"), "{}", res.body);
        let page = other.get("/account").await;
        assert!(page.body.contains("9 recovery codes are left."));

        let mut again = app.client();
        again.lang = Some("en");
        sign_in_with(&mut again, &user.email, PASSWORD, None).await;
        let res = second_step(&mut again, &codes[3]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("This code is not right."));

        // A public user may turn it off again, with the password.
        let res = other
            .submit(
                "/account",
                "/account/two-factor/disable",
                &[("disable_password", "not my password")],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("This is not your current password."));
        let res = other
            .submit(
                "/account",
                "/account/two-factor/disable",
                &[("disable_password", PASSWORD)],
            )
            .await;
        assert_eq!(res.location(), Some("/account?notice=two-factor-off"));
        let stored = accounts::find_user(&app.db, &user.id).await.unwrap();
        assert!(!stored.totp_enabled() && stored.totp_secret.is_none());
        assert!(!secret.is_empty());
    }
}

#[tokio::test]
async fn staff_without_an_authenticator_must_set_one_up_first() {
    for app in TestApp::all().await {
        let email = unique_email("newstaff");
        let hash = password::hash(&Password::parse(PASSWORD).unwrap()).await;
        let mut tx = app.db.begin().await.unwrap();
        let id = accounts::create_user(
            &mut tx,
            &accounts::NewUser {
                email: &Email::parse(&email).unwrap(),
                display_name: &DisplayName::parse("New Officer").unwrap(),
                password_hash: &hash,
                kind: AccountKind::Staff,
                lang: ContentLang::En,
                email_verified: true,
                request_key: None,
            },
        )
        .await
        .unwrap()
        .to_string();
        grants::grant(&mut tx, &id, Role::Analyst, &Scope::Ministry, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut c = app.client();
        c.lang = Some("en");
        // The newcomer chooses Arabic on the sign-in page (the browser asks for English), and
        // mistypes the one-time password given to them a few times.
        c.get("/sign-in?lang=ar").await;
        for _ in 1..app.state.config.login_max_failures {
            let res = sign_in_with(&mut c, &email, "not the password", None).await;
            assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
        }
        let res = sign_in_with(&mut c, &email, PASSWORD, None).await;
        assert_eq!(res.location(), Some("/sign-in/two-factor"));
        let res = c.get("/sign-in/two-factor").await;
        assert_eq!(res.location(), Some("/account/two-factor/setup"));
        assert_eq!(
            c.get("/account").await.location(),
            Some("/sign-in/two-factor")
        );
        // The password is asked here too: the setup page of a first sign-in may be left open
        // on a shared computer, and an authenticator tied there would complete the sign-in.
        let page = c.get("/account/two-factor/setup").await;
        let secret = between(&page.body, "class=\"totp-secret\">", "<")[0].to_owned();
        // A code of now, not taken from the harness's count: the refusal spends none.
        let code = safir_store::accounts::totp::code_at(&secret, two_factor_now()).unwrap();
        let refused = c
            .submit(
                "/account/two-factor/setup",
                "/account/two-factor/setup",
                &[("code", &code)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.body.contains("field-password-error"),
            "{}",
            refused.body
        );
        set_up_totp(&mut c, &id).await;
        // The factor set up, the sign-in is complete: the mistakes before it no longer count
        // against the next wrong code.
        assert_eq!(
            accounts::find_user(&app.db, &id)
                .await
                .unwrap()
                .failed_logins,
            0
        );
        let account = c.get("/account").await;
        assert_eq!(account.status, StatusCode::OK);
        // Signed in at last, in the language chosen on the sign-in page, now theirs.
        assert!(
            account.body.contains(r#"<html lang="ar" dir="rtl">"#),
            "the choice was undone"
        );
        assert_eq!(
            accounts::find_user(&app.db, &id)
                .await
                .unwrap()
                .preferred_lang,
            "ar"
        );
        assert!(
            app.audit_actions()
                .await
                .contains(&"user.two_factor_enable".to_owned())
        );
        // Its email too: before, it went in the language saved before (English).
        let mails = app.emails_to(&email).await;
        let on = mails.last().unwrap();
        assert!(
            on.subject
                .chars()
                .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
            "{}",
            on.subject
        );

        // Staff cannot turn it off.
        let res = c
            .submit(
                "/account",
                "/account/two-factor/disable",
                &[("disable_password", PASSWORD)],
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        let account = Account {
            id: id.clone(),
            email: email.clone(),
            totp_secret: accounts::find_user(&app.db, &id).await.unwrap().totp_secret,
        };
        let mut later = app.client();
        later.sign_in(&account).await;
        assert_eq!(later.get("/account").await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_right_password_does_not_wipe_the_wrong_codes_before_it() {
    for app in TestApp::all().await {
        let staff = app
            .staff(&unique_email("guess"), &[(Role::Admin, None)])
            .await;
        let max = app.state.config.login_max_failures;
        let mut c = app.client();
        c.lang = Some("en");
        sign_in_with(&mut c, &staff.email, PASSWORD, None).await;
        for i in 1..max {
            let res = second_step(&mut c, "000000").await;
            assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "code {i}");
        }
        // Signing in again with the password starts no new count of codes.
        let res = sign_in_with(&mut c, &staff.email, PASSWORD, None).await;
        assert_eq!(res.location(), Some("/sign-in/two-factor"));
        let res = second_step(&mut c, "000000").await;
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.body);
        assert!(res.body.contains("This account is locked"), "{}", res.body);
    }
}

#[tokio::test]
async fn a_session_asks_for_the_code_once_a_role_needs_it_or_the_authenticator_is_on() {
    for app in TestApp::all().await {
        // Signed in as a member of the public, then given a staff role.
        let user = app.public_user(&unique_email("promoted")).await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&user).await;
        assert_eq!(c.get("/account").await.status, StatusCode::OK);
        let mut tx = app.db.begin().await.unwrap();
        grants::grant(&mut tx, &user.id, Role::Analyst, &Scope::Ministry, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            c.get("/account").await.location(),
            Some("/sign-in/two-factor")
        );

        // A member of the public who turns the authenticator on: the session that did it
        // goes on, another one open elsewhere (a forgotten laptop) asks for a code.
        let user = app.public_user(&unique_email("careful")).await;
        let mut here = app.client();
        here.lang = Some("en");
        here.sign_in(&user).await;
        let mut laptop = app.client();
        laptop.lang = Some("en");
        laptop.sign_in(&user).await;
        assert_eq!(laptop.get("/account").await.status, StatusCode::OK);
        set_up_totp(&mut here, &user.id).await;
        assert_eq!(here.get("/account").await.status, StatusCode::OK);
        assert_eq!(
            laptop.get("/account").await.location(),
            Some("/sign-in/two-factor")
        );
    }
}

#[tokio::test]
async fn a_setup_sent_twice_leads_to_new_recovery_codes() {
    for app in TestApp::all().await {
        let user = app.public_user(&unique_email("twice")).await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&user).await;
        let page = c.get("/account/two-factor/setup").await;
        let token = page.csrf_token().unwrap();
        let secret = between(&page.body, "class=\"totp-secret\">", "<")[0].to_owned();
        let code = fresh_totp_code(&user.id, &secret);

        // A double click: the same code twice at once, from the same browser.
        let mut second = app.client();
        second.lang = Some("en");
        second.cookies = c.cookies.clone();
        let form = [("code", code.as_str()), ("password", PASSWORD)];
        let (a, b) = tokio::join!(
            c.post_form_with_token("/account/two-factor/setup", &token, &form),
            second.post_form_with_token("/account/two-factor/setup", &token, &form),
        );
        let mut answers = [a, b];
        answers.sort_by_key(|r| r.status);
        let [shown, replaced] = answers;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
        assert!(shown.body.contains("<li><code>"));
        // The browser shows the answer to the last request: it points to new codes.
        assert_eq!(
            replaced.location(),
            Some("/account?notice=two-factor-already-on"),
            "{}",
            replaced.body
        );
        // Sent again later (a reload of the answer), the same.
        let again = c
            .post_form_with_token("/account/two-factor/setup", &token, &form)
            .await;
        assert_eq!(
            again.location(),
            Some("/account?notice=two-factor-already-on")
        );
        let page = c.get("/account?notice=two-factor-already-on").await;
        assert!(
            page.body
                .contains("If you did not save your recovery codes, make new ones below."),
            "{}",
            page.body
        );
        let old: Vec<String> = between(&shown.body, "<li><code>", "</code>")
            .into_iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(old.len(), 10);

        // New codes need the password; a wrong one changes nothing.
        let res = c
            .submit(
                "/account",
                "/account/two-factor/recovery-codes",
                &[("codes_password", "not my password")],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("This is not your current password."));
        assert!(res.body.contains(r#"id="field-codes_password""#));
        let res = c
            .submit(
                "/account",
                "/account/two-factor/recovery-codes",
                &[("codes_password", PASSWORD)],
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert_eq!(res.headers["cache-control"], "no-store");
        let new: Vec<String> = between(&res.body, "<li><code>", "</code>")
            .into_iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(new.len(), 10);
        assert!(new.iter().all(|code| !old.contains(code)));
        assert!(
            app.emails_to(&user.email)
                .await
                .iter()
                .any(|m| m.subject == "New recovery codes for your Safir account")
        );

        // The old codes no longer sign in; a new one does, once.
        let mut later = app.client();
        later.lang = Some("en");
        sign_in_with(&mut later, &user.email, PASSWORD, None).await;
        let res = second_step(&mut later, &old[0]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        let res = second_step(&mut later, &new[0]).await;
        assert_eq!(res.location(), Some("/account"), "{}", res.body);
        assert!(
            later
                .get("/account")
                .await
                .body
                .contains("9 recovery codes are left.")
        );
    }
}

/// Two requests for new codes at once (a double click, two tabs): the second replaces the
/// first's codes; before, on PostgreSQL both sets stood, ten codes nobody saw among them.
#[tokio::test]
async fn new_recovery_codes_asked_twice_at_once_leave_ten() {
    for app in TestApp::all().await {
        let staff = app
            .staff(&unique_email("codes-twice"), &[(Role::Admin, None)])
            .await;
        let (mut a, mut b) = (app.client(), app.client());
        a.sign_in(&staff).await;
        b.sign_in(&staff).await;
        // Two rounds: each password checked (sign-ins included) counts against the limit of
        // attempts from one address.
        for round in 0..2 {
            let fields = [("codes_password", PASSWORD)];
            let path = "/account/two-factor/recovery-codes";
            let ta = a.get("/account").await.csrf_token().unwrap();
            let tb = b.get("/account").await.csrf_token().unwrap();
            let (ra, rb) = (
                a.form_request(path, &ta, &fields, &[]),
                b.form_request(path, &tb, &fields, &[]),
            );
            let (ra, rb) = tokio::join!(a.send(ra), b.send(rb));
            assert_eq!(
                (ra.status, rb.status),
                (StatusCode::OK, StatusCode::OK),
                "{}",
                ra.body
            );
            let left = accounts::remaining_recovery_codes(&app.db, &staff.id)
                .await
                .unwrap();
            assert_eq!(left, 10, "round {round}");
        }
    }
}

#[tokio::test]
async fn staff_making_new_recovery_codes_is_recorded() {
    for app in TestApp::all().await {
        let staff = app
            .staff(&unique_email("codes"), &[(Role::Admin, None)])
            .await;
        let mut c = app.client();
        c.sign_in(&staff).await;
        let account = c.get("/account?lang=ar").await;
        assert!(account.body.contains("أنشئ رموز استرداد جديدة"));
        let res = c
            .submit(
                "/account",
                "/account/two-factor/recovery-codes",
                &[("codes_password", PASSWORD)],
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert!(
            app.audit_actions()
                .await
                .contains(&"user.recovery_codes_replace".to_owned())
        );
    }
}

#[tokio::test]
async fn turning_the_factor_on_asks_for_the_password() {
    for app in TestApp::all().await {
        let user = app.public_user(&unique_email("borrowed")).await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&user).await;
        let page = c.get("/account/two-factor/setup").await;
        assert!(page.body.contains(r#"name="password""#), "{}", page.body);
        let token = page.csrf_token().unwrap();
        let secret = between(&page.body, "class=\"totp-secret\">", "<")[0].to_owned();
        let code = fresh_totp_code(&user.id, &secret);

        // Someone at a session left open, with their own authenticator but not the password.
        for typed in ["", "not the password"] {
            let refused = c
                .post_form_with_token(
                    "/account/two-factor/setup",
                    &token,
                    &[("code", code.as_str()), ("password", typed)],
                )
                .await;
            assert_eq!(
                refused.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{typed:?}"
            );
            assert!(
                refused.body.contains("field-password-error"),
                "{}",
                refused.body
            );
            assert!(
                refused.body.contains(&format!(r#"value="{code}""#)),
                "the code is kept"
            );
            assert!(!refused.body.contains(r#"value="not the password""#));
        }
        let stored = accounts::find_user(&app.db, &user.id).await.unwrap();
        assert!(!stored.totp_enabled());
        assert_eq!(
            stored.failed_logins, 1,
            "a wrong password counts as a failed sign-in"
        );

        // With the password, the same code (not spent by the refusals) turns it on.
        let done = c
            .post_form_with_token(
                "/account/two-factor/setup",
                &token,
                &[("code", code.as_str()), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert!(done.body.contains("<li><code>"));
        assert!(
            accounts::find_user(&app.db, &user.id)
                .await
                .unwrap()
                .totp_enabled()
        );
    }
}

/// How many audit records of `action` name the account `user_id`.
async fn audit_count(app: &TestApp, action: &str, user_id: &str) -> i64 {
    safir_store::with_pool!(app.db.read(), p => {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1 AND target_id = $2")
            .bind(action)
            .bind(user_id)
            .fetch_one(p)
            .await
    })
    .unwrap()
}

/// The secret a setup page shows.
fn shown_totp_secret(body: &str) -> String {
    between(body, "class=\"totp-secret\">", "<")
        .first()
        .unwrap_or_else(|| panic!("a secret on the page: {body}"))
        .to_string()
}

/// Whoever once opened the setup page in another session (an administrator signed in with a
/// one-time password, a shared computer) does not know the secret the owner turns on: each
/// session gets its own, only the last one shown can be turned on, and a new password
/// forgets it.
#[tokio::test]
async fn a_pending_secret_belongs_to_the_session_that_was_shown_it() {
    for app in TestApp::all().await {
        let user = app.public_user(&unique_email("pending")).await;
        let mut shared = app.client();
        shared.lang = Some("en");
        shared.sign_in(&user).await;
        let page = shared.get("/account/two-factor/setup").await;
        let seen = shown_totp_secret(&page.body);
        let shared_token = page.csrf_token().unwrap();

        let mut owner = app.client();
        owner.lang = Some("en");
        owner.sign_in(&user).await;
        let page = owner.get("/account/two-factor/setup").await;
        let mine = shown_totp_secret(&page.body);
        assert_ne!(mine, seen, "another session gets a new secret");
        // A reload keeps it, so an app that scanned it stays valid.
        let again = owner.get("/account/two-factor/setup").await;
        assert_eq!(shown_totp_secret(&again.body), mine);

        // The secret seen elsewhere can no longer be turned on.
        let code = safir_store::accounts::totp::code_at(&seen, two_factor_now()).unwrap();
        let res = shared
            .post_form_with_token(
                "/account/two-factor/setup",
                &shared_token,
                &[("code", code.as_str()), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(
            res.location(),
            Some("/account/two-factor/setup"),
            "{}",
            res.body
        );
        assert!(
            !accounts::find_user(&app.db, &user.id)
                .await
                .unwrap()
                .totp_enabled()
        );

        // A new password forgets a pending secret; a factor already on stays.
        let hash = password::hash(&Password::parse("another long passphrase").unwrap()).await;
        let mut tx = app.db.begin().await.unwrap();
        accounts::reset_password(&mut tx, &user.id, &hash)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(
            accounts::find_user(&app.db, &user.id)
                .await
                .unwrap()
                .totp_secret
                .is_none(),
            "the pending secret outlived the password reset"
        );
        let staff = app
            .staff(&unique_email("pending-staff"), &[(Role::Admin, None)])
            .await;
        let mut tx = app.db.begin().await.unwrap();
        accounts::reset_password(&mut tx, &staff.id, &hash)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            accounts::find_user(&app.db, &staff.id)
                .await
                .unwrap()
                .totp_secret,
            staff.totp_secret
        );

        // The owner, at their own session, turns on the secret shown to it.
        let user = app.public_user(&unique_email("pending-owner")).await;
        let mut elsewhere = app.client();
        elsewhere.sign_in(&user).await;
        elsewhere.get("/account/two-factor/setup").await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&user).await;
        let (secret, _) = set_up_totp(&mut c, &user.id).await;
        let stored = accounts::find_user(&app.db, &user.id).await.unwrap();
        assert!(stored.totp_enabled());
        assert_eq!(stored.totp_secret.as_deref(), Some(secret.as_str()));
    }
}

/// An account opened with someone else's address cannot lock it with a second factor: until
/// the address is confirmed, the setup page says so and offers a new confirmation link. An
/// unconfirmed account given a staff role still sets it up at its first sign-in.
#[tokio::test]
async fn two_factor_waits_for_a_confirmed_email_address() {
    for app in TestApp::all().await {
        let email = unique_email("unconfirmed");
        let hash = password::hash(&Password::parse(PASSWORD).unwrap()).await;
        let mut tx = app.db.begin().await.unwrap();
        let id = accounts::create_user(
            &mut tx,
            &accounts::NewUser {
                email: &Email::parse(&email).unwrap(),
                display_name: &DisplayName::parse("Not Yet").unwrap(),
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
        let account = Account {
            id: id.clone(),
            email: email.clone(),
            totp_secret: None,
        };
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&account).await;
        let page = c.get("/account/two-factor/setup").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body
                .contains("Confirm your email address before you turn on two-step verification"),
            "{}",
            page.body
        );
        assert!(
            page.body
                .contains(r#"action="/account/verify-email/resend""#)
        );
        assert!(!page.body.contains("totp-secret"));
        let arabic = c.get("/account/two-factor/setup?lang=ar").await;
        assert!(arabic.body.contains("أكِّد عنوان بريدك الإلكتروني"));
        let stored = accounts::find_user(&app.db, &id).await.unwrap();
        assert!(stored.totp_secret.is_none());

        let res = c
            .submit(
                "/account/two-factor/setup",
                "/account/two-factor/setup",
                &[("code", "123456"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
        assert!(
            !accounts::find_user(&app.db, &id)
                .await
                .unwrap()
                .totp_enabled()
        );

        // The button sends a new link; once the address is confirmed, the page offers a secret.
        let res = c
            .submit(
                "/account/two-factor/setup",
                "/account/verify-email/resend",
                &[],
            )
            .await;
        assert_eq!(res.location(), Some("/account?notice=verification-sent"));
        let mut tx = app.db.begin().await.unwrap();
        accounts::mark_email_verified(&mut tx, &id).await.unwrap();
        tx.commit().await.unwrap();
        set_up_totp(&mut c, &id).await;

        // Unconfirmed, but given a staff role: the role does not let it through, as the
        // account may be a stranger's opened with a colleague's address. A staff account
        // (made by an administrator, with the address they chose) sets it up at its first
        // sign-in.
        for (kind, let_through) in [(AccountKind::Public, false), (AccountKind::Staff, true)] {
            let email = unique_email("unconfirmed-staff");
            let mut tx = app.db.begin().await.unwrap();
            let id = accounts::create_user(
                &mut tx,
                &accounts::NewUser {
                    email: &Email::parse(&email).unwrap(),
                    display_name: &DisplayName::parse("Given A Role").unwrap(),
                    password_hash: &hash,
                    kind,
                    lang: ContentLang::En,
                    email_verified: false,
                    request_key: None,
                },
            )
            .await
            .unwrap()
            .to_string();
            grants::grant(&mut tx, &id, Role::Analyst, &Scope::Ministry, None)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            let mut s = app.client();
            s.lang = Some("en");
            let res = sign_in_with(&mut s, &email, PASSWORD, None).await;
            assert_eq!(res.location(), Some("/sign-in/two-factor"));
            if let_through {
                set_up_totp(&mut s, &id).await;
            } else {
                let page = s.get("/account/two-factor/setup").await;
                assert!(
                    page.body.contains(
                        "Confirm your email address before you turn on two-step verification"
                    ),
                    "{}",
                    page.body
                );
            }
            assert_eq!(
                accounts::find_user(&app.db, &id)
                    .await
                    .unwrap()
                    .totp_enabled(),
                let_through,
                "{kind:?}"
            );
        }
    }
}

/// The second-factor page sent twice at once (a double click): the first request passes, the
/// second, finding the code used, leads where the first did and counts no failed sign-in.
#[tokio::test]
async fn a_code_sent_twice_at_once_passes_once_and_counts_no_failure() {
    for app in TestApp::all().await {
        let staff = app
            .staff(&unique_email("doubleclick"), &[(Role::Admin, None)])
            .await;
        let secret = staff.totp_secret.clone().unwrap();
        let mut c = app.client();
        c.lang = Some("en");
        sign_in_with(&mut c, &staff.email, PASSWORD, None).await;
        let token = c
            .get("/sign-in/two-factor?next=/account")
            .await
            .csrf_token()
            .unwrap();
        let code = fresh_totp_code(&staff.id, &secret);
        let mut second = app.client();
        second.lang = Some("en");
        second.cookies = c.cookies.clone();
        let form = [("code", code.as_str()), ("next", "/account")];
        let (a, b) = tokio::join!(
            c.post_form_with_token("/sign-in/two-factor", &token, &form),
            second.post_form_with_token("/sign-in/two-factor", &token, &form),
        );
        for res in [&a, &b] {
            assert_eq!(
                res.location(),
                Some("/account"),
                "{} {}",
                res.status,
                res.body
            );
        }
        assert_eq!(
            accounts::find_user(&app.db, &staff.id)
                .await
                .unwrap()
                .failed_logins,
            0
        );
        assert_eq!(c.get("/account").await.status, StatusCode::OK);
    }
}

/// A sign-in with a recovery code is told to the owner, in their language, with how many codes
/// are left, and recorded; the same code sent twice at once passes once and counts no failure.
#[tokio::test]
async fn a_recovery_code_sign_in_is_emailed_and_recorded() {
    for app in TestApp::all().await {
        let user = app.public_user(&unique_email("recovered")).await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&user).await;
        let (_, codes) = set_up_totp(&mut c, &user.id).await;
        let mut tx = app.db.begin().await.unwrap();
        accounts::update_profile(&mut tx, &user.id, None, Some(ContentLang::Ar))
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut other = app.client();
        other.lang = Some("ar");
        sign_in_with(&mut other, &user.email, PASSWORD, None).await;
        let token = other.get("/sign-in/two-factor").await.csrf_token().unwrap();
        let mut twin = app.client();
        twin.lang = Some("ar");
        twin.cookies = other.cookies.clone();
        let form = [("code", codes[0].as_str())];
        let (a, b) = tokio::join!(
            other.post_form_with_token("/sign-in/two-factor", &token, &form),
            twin.post_form_with_token("/sign-in/two-factor", &token, &form),
        );
        for res in [&a, &b] {
            assert_eq!(
                res.location(),
                Some("/account"),
                "{} {}",
                res.status,
                res.body
            );
        }
        let stored = accounts::find_user(&app.db, &user.id).await.unwrap();
        assert_eq!(stored.failed_logins, 0);

        let mails = app.emails_to(&user.email).await;
        let told: Vec<_> = mails
            .iter()
            .filter(|m| m.subject == "استُخدم رمز استرداد لتسجيل الدخول إلى حسابك على سفير")
            .collect();
        assert_eq!(told.len(), 1, "one email for one code");
        assert!(
            told[0].text.contains("بقيت 9 رموز استرداد."),
            "{}",
            told[0].text
        );
        assert_eq!(
            audit_count(&app, "user.recovery_code_used", &user.id).await,
            1
        );
        let summaries = app.audit_summaries("user.recovery_code_used").await;
        assert!(summaries.iter().any(|s| s["recovery_codes_left"] == 9));

        // The last one says none is left, in English for an English account.
        let mut tx = app.db.begin().await.unwrap();
        accounts::update_profile(&mut tx, &user.id, None, Some(ContentLang::En))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // Down to the last code.
        for code in &codes[1..9] {
            let hash = safir_store::accounts::secrets::hash_secret(&code.replace('-', ""));
            assert!(
                accounts::use_recovery_code(&app.db, &user.id, &hash)
                    .await
                    .unwrap()
            );
        }
        let mut d = app.client();
        d.lang = Some("en");
        sign_in_with(&mut d, &user.email, PASSWORD, None).await;
        let res = second_step(&mut d, &codes[9]).await;
        assert_eq!(res.location(), Some("/account"), "{}", res.body);
        let last = app.emails_to(&user.email).await.pop().unwrap();
        assert_eq!(
            last.subject,
            "A recovery code was used to sign in to your Safir account"
        );
        assert!(
            last.text.contains("No recovery codes are left"),
            "{}",
            last.text
        );
        assert_eq!(
            audit_count(&app, "user.recovery_code_used", &user.id).await,
            2
        );
    }
}
