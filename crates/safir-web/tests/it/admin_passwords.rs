//! Passwords and second factors an administrator resets: a password an administrator set is
//! replaced by its owner at the first sign-in (every page leads there until then) and stops
//! signing in after seven days; an administrator turns off someone's lost second factor.

use axum::http::StatusCode;
use safir_domain::Lang as ContentLang;
use safir_domain::roles::Role;
use safir_store::accounts;
use safir_store::with_pool;

use crate::admin_support::{admin, shown_password, signed_in};
use crate::harness::{Account, Client, TestApp, fresh_totp_code, unique_email};

const CHOOSE: &str = "/account/password/choose";
const OWN_PASSWORD: &str = "a password of my very own";

/// Resets `account`'s password on the admin pages; the one-time password shown.
async fn reset_by_admin(admin: &mut Client<'_>, account: &Account) -> String {
    let page = format!("/admin/users/{}", account.id);
    let res = admin
        .submit(
            &page,
            &format!("/admin/users/{}/reset-password", account.id),
            &[],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    shown_password(&res.body)
}

async fn sign_in_with(
    client: &mut Client<'_>,
    email: &str,
    password: &str,
) -> (StatusCode, String, String) {
    let res = client
        .submit(
            "/sign-in",
            "/sign-in",
            &[("email", email), ("password", password)],
        )
        .await;
    (
        res.status,
        res.location().unwrap_or("").to_owned(),
        res.body,
    )
}

#[tokio::test]
async fn a_password_an_administrator_set_is_replaced_before_anything_else() {
    for app in TestApp::all().await {
        let (_, mut admin_client) = admin(&app).await;
        let citizen = app.public_user(&unique_email("otp-citizen")).await;
        let one_time = reset_by_admin(&mut admin_client, &citizen).await;

        let mut theirs = app.client();
        theirs.lang = Some("en");
        let (_, location, body) = sign_in_with(&mut theirs, &citizen.email, &one_time).await;
        assert_eq!(location, CHOOSE, "{body}");
        // Every page of the account leads there; signing out still works. The public pages
        // do not: a crisis check-in's link, "I need help" or an address confirmation opened
        // from an email must not be lost behind it.
        for page in ["/account", "/account/cases", "/account/data", "/staff"] {
            let res = theirs.get(page).await;
            assert_eq!(res.location(), Some(CHOOSE), "{page}: {}", res.status);
        }
        for page in ["/", "/travel-advice", "/crisis/checkin/not-a-token"] {
            let res = theirs.get(page).await;
            assert_ne!(res.location(), Some(CHOOSE), "{page}: {}", res.status);
        }
        let csrf = theirs.get(CHOOSE).await.csrf_token().unwrap();
        let res = theirs
            .post_form_with_token(
                "/account/profile",
                &csrf,
                &[("display_name", "X"), ("lang", "en")],
            )
            .await;
        assert_eq!(res.location(), Some(CHOOSE));
        let res = theirs.get("/api/v1/me").await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);

        let form = theirs.get(CHOOSE).await;
        assert_eq!(form.status, 200);
        assert!(
            form.body.contains("Choose your own password"),
            "{}",
            form.body
        );
        // Not the administrator's again.
        let res = theirs
            .submit(
                CHOOSE,
                CHOOSE,
                &[
                    ("new_password", &one_time),
                    ("new_password_confirm", &one_time),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.body
                .contains("other than the one the administrator gave you")
        );
        let res = theirs
            .submit(
                CHOOSE,
                CHOOSE,
                &[
                    ("new_password", OWN_PASSWORD),
                    ("new_password_confirm", OWN_PASSWORD),
                ],
            )
            .await;
        assert_eq!(
            res.location(),
            Some("/account?notice=password-changed"),
            "{}",
            res.body
        );
        assert_eq!(theirs.get("/account").await.status, 200);
        assert_eq!(theirs.get(CHOOSE).await.location(), Some("/account"));
        let user = accounts::find_user(&app.db, &citizen.id).await.unwrap();
        assert!(!user.must_change_password());

        // Their own password signs in straight to their account.
        let mut again = app.client();
        let (_, location, _) = sign_in_with(&mut again, &citizen.email, OWN_PASSWORD).await;
        assert_eq!(location, "/account");
    }
}

#[tokio::test]
async fn with_a_second_factor_the_code_comes_first_then_the_new_password() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let (_, mut admin_client) = admin(&app).await;
        let officer = app
            .staff(
                &unique_email("otp-officer"),
                &[(Role::Analyst, Some(&paris))],
            )
            .await;
        let one_time = reset_by_admin(&mut admin_client, &officer).await;
        let mut theirs = app.client();
        let (_, location, _) = sign_in_with(&mut theirs, &officer.email, &one_time).await;
        assert_eq!(location, "/sign-in/two-factor");
        assert_eq!(
            theirs.get("/staff").await.location(),
            Some("/sign-in/two-factor")
        );
        let code = fresh_totp_code(&officer.id, officer.totp_secret.as_ref().unwrap());
        let res = theirs
            .submit(
                "/sign-in/two-factor",
                "/sign-in/two-factor",
                &[("code", &code)],
            )
            .await;
        assert!(res.status.is_redirection(), "{}", res.body);
        assert_eq!(theirs.get("/staff").await.location(), Some(CHOOSE));
        let res = theirs
            .submit(
                CHOOSE,
                CHOOSE,
                &[
                    ("new_password", OWN_PASSWORD),
                    ("new_password_confirm", OWN_PASSWORD),
                ],
            )
            .await;
        assert_eq!(res.location(), Some("/account?notice=password-changed"));
        assert_eq!(theirs.get("/staff").await.status, 200);
        assert!(
            app.audit_summaries("user.password_reset")
                .await
                .iter()
                .any(|s| s["via"] == "replaced_admin_password")
        );
    }
}

#[tokio::test]
async fn an_administrators_password_stops_signing_in_after_seven_days() {
    for app in TestApp::all().await {
        let (_, mut admin_client) = admin(&app).await;
        let citizen = app.public_user(&unique_email("otp-old")).await;
        let one_time = reset_by_admin(&mut admin_client, &citizen).await;
        let long_ago = chrono::Utc::now() - chrono::Duration::days(8);
        with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE users SET password_set_by_admin_at = $1 WHERE id = $2")
                .bind(long_ago)
                .bind(&citizen.id)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        })
        .unwrap();
        let mut theirs = app.client();
        theirs.lang = Some("en");
        let (status, location, body) = sign_in_with(&mut theirs, &citizen.email, &one_time).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{location}");
        assert!(body.contains("more than seven days ago"), "{body}");
        assert!(body.contains("Forgot your password?"));
        // A wrong password is told as any other: only the right one learns of the expiry.
        let (status, _, body) = sign_in_with(&mut theirs, &citizen.email, "not the password").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!body.contains("seven days"));

        // A password the owner sets (the emailed link's reset among them) takes the mark off.
        let hash = safir_store::accounts::password::hash(
            &safir_domain::accounts::Password::parse(OWN_PASSWORD).unwrap(),
        )
        .await;
        let mut tx = app.db.begin().await.unwrap();
        accounts::reset_password(&mut tx, &citizen.id, &hash)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let (_, location, _) = sign_in_with(&mut theirs, &citizen.email, OWN_PASSWORD).await;
        assert_eq!(location, "/account");
    }
}

#[tokio::test]
async fn an_administrator_resets_someones_two_step_sign_in() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let (me, mut admin_client) = admin(&app).await;
        let officer = app
            .staff(
                &unique_email("lost-phone"),
                &[(Role::PressOfficer, Some(&paris))],
            )
            .await;
        accounts::set_preferred_lang(&app.db, &officer.id, ContentLang::Ar)
            .await
            .unwrap();
        let mut tx = app.db.begin().await.unwrap();
        accounts::replace_recovery_codes(&mut tx, &officer.id, &["h1".into(), "h2".into()])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut theirs = signed_in(&app, &officer).await;
        assert_eq!(theirs.get("/staff").await.status, 200);

        let page = format!("/admin/users/{}", officer.id);
        let shown = admin_client.get(&format!("{page}?lang=en")).await;
        assert!(shown.body.contains("/reset-two-factor"), "{}", shown.body);
        let res = admin_client
            .submit(
                &page,
                &format!("/admin/users/{}/reset-two-factor", officer.id),
                &[],
            )
            .await;
        assert_eq!(
            res.location(),
            Some(format!("{page}?done=two-factor-reset").as_str()),
            "{}",
            res.body
        );
        let user = accounts::find_user(&app.db, &officer.id).await.unwrap();
        assert!(!user.totp_enabled());
        assert!(user.totp_secret.is_none());
        assert_eq!(
            accounts::remaining_recovery_codes(&app.db, &officer.id)
                .await
                .unwrap(),
            0
        );
        // Signed out everywhere.
        let after = theirs.get("/staff").await;
        assert!(
            after.location().unwrap_or("").starts_with("/sign-in"),
            "{}",
            after.status
        );
        // Told in their language.
        let mails = app.emails_to(&officer.email).await;
        assert_eq!(mails.len(), 1, "{mails:?}");
        assert_eq!(mails[0].lang, "ar");
        assert_eq!(
            mails[0].subject,
            "أُعيد تعيين التحقق بخطوتين في حسابك على سفير"
        );
        let summaries = app.audit_summaries("user.two_factor_reset").await;
        assert_eq!(summaries.len(), 1);
        assert_eq!(summaries[0]["sessions_ended"], 1);
        let done = admin_client
            .get(&format!("{page}?done=two-factor-reset&lang=en"))
            .await;
        assert!(done.body.contains("Two-step verification was turned off"));
        assert!(
            !done.body.contains("/reset-two-factor"),
            "nothing left to reset"
        );

        // Next sign-in: a staff account sets its authenticator up again.
        let mut again = app.client();
        let (_, location, _) =
            sign_in_with(&mut again, &officer.email, crate::harness::PASSWORD).await;
        assert_eq!(location, "/sign-in/two-factor");
        assert_eq!(
            again.get("/sign-in/two-factor").await.location(),
            Some("/account/two-factor/setup")
        );

        // Never on one's own account.
        let mine = format!("/admin/users/{}", me.id);
        let res = admin_client
            .submit(
                &mine,
                &format!("/admin/users/{}/reset-two-factor", me.id),
                &[],
            )
            .await;
        assert_eq!(res.status, StatusCode::CONFLICT);
        assert!(
            accounts::find_user(&app.db, &me.id)
                .await
                .unwrap()
                .totp_enabled()
        );
        assert_eq!(app.audit_summaries("user.two_factor_reset").await.len(), 1);
    }
}

/// The key of the two-step reset form on an account's admin page (the second form with one).
fn two_factor_reset_key(body: &str) -> String {
    let marker = r#"name="request_key" value=""#;
    let rest = body.split(marker).nth(2).expect("the two-step reset form");
    rest[..rest.find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn a_two_step_reset_sent_twice_resets_and_tells_once() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let (_, admin_client) = admin(&app).await;
        let officer = app
            .staff(
                &unique_email("twice-2fa"),
                &[(Role::PressOfficer, Some(&paris))],
            )
            .await;
        let page = format!("/admin/users/{}", officer.id);
        let reset = format!("{page}/reset-two-factor");
        // The page open in two tabs, each sent at the same moment: one reset, one mail, one
        // record; both answers say it is done.
        let mut tabs: Vec<Client> = (0..2)
            .map(|_| Client {
                app: admin_client.app,
                cookies: admin_client.cookies.clone(),
                lang: admin_client.lang,
            })
            .collect();
        let mut forms = Vec::new();
        for tab in &mut tabs {
            let shown = tab.get(&page).await;
            forms.push((
                shown.csrf_token().unwrap(),
                two_factor_reset_key(&shown.body),
            ));
        }
        assert_ne!(forms[0].1, forms[1].1);
        let sent: Vec<[(&str, &str); 1]> = forms
            .iter()
            .map(|(_, key)| [("request_key", key.as_str())])
            .collect();
        let clicks = tabs
            .iter_mut()
            .zip(forms.iter().zip(&sent))
            .map(|(tab, ((token, _), fields))| tab.post_form_with_token(&reset, token, fields));
        for res in futures_util::future::join_all(clicks).await {
            assert_eq!(
                res.location(),
                Some(format!("{page}?done=two-factor-reset").as_str()),
                "{} {}",
                res.status,
                res.body
            );
        }
        assert!(
            !accounts::find_user(&app.db, &officer.id)
                .await
                .unwrap()
                .totp_enabled()
        );
        assert_eq!(app.emails_to(&officer.email).await.len(), 1);
        assert_eq!(app.audit_summaries("user.two_factor_reset").await.len(), 1);

        // The owner sets up a new authenticator; the form that reset it sent again (a retried
        // request) leaves it on. Which of the two tabs reset it is the race's to decide: the
        // record names its form.
        accounts::set_pending_totp(&app.db, &officer.id, "JBSWY3DPEHPK3PXP")
            .await
            .unwrap();
        let mut tx = app.db.begin().await.unwrap();
        accounts::enable_totp(&mut tx, &officer.id, &[])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let recorded = app.audit_summaries("user.two_factor_reset").await[0]["request_key"]
            .as_str()
            .unwrap()
            .to_owned();
        let winner = forms.iter().position(|(_, key)| *key == recorded).unwrap();
        let (token, key) = &forms[winner];
        let res = tabs[winner]
            .post_form_with_token(&reset, token, &[("request_key", key.as_str())])
            .await;
        assert_eq!(
            res.location(),
            Some(format!("{page}?done=two-factor-reset").as_str())
        );
        assert!(
            accounts::find_user(&app.db, &officer.id)
                .await
                .unwrap()
                .totp_enabled()
        );
        assert_eq!(app.emails_to(&officer.email).await.len(), 1);
        assert_eq!(app.audit_summaries("user.two_factor_reset").await.len(), 1);
    }
}
