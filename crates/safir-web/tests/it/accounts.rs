//! Public accounts through HTTP: sign-up with email verification, sign-in with throttling,
//! lockout, safe redirects and session rotation, and bilingual form errors.

use axum::http::StatusCode;
use safir_store::accounts;
use safir_store::testing::TestDb;
use safir_store::with_pool;
use safir_web::state::WebConfig;

use crate::harness::{
    Client, ORIGIN, PASSWORD, TestApp, TestResponse, fresh_totp_code, unique_email,
};

/// The site-relative part of the first link in an email that starts with `prefix`.
pub fn link_in(text: &str, prefix: &str) -> String {
    let full = format!("http://safir.test{prefix}");
    let at = text
        .find(&full)
        .unwrap_or_else(|| panic!("no {prefix} link in: {text}"));
    let rest = &text[at + "http://safir.test".len()..];
    rest.split_whitespace().next().unwrap().to_owned()
}

pub fn set_cookie(res: &TestResponse, name: &str) -> Option<String> {
    res.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

pub async fn sign_up(client: &mut Client<'_>, name: &str, email: &str) -> TestResponse {
    client
        .submit(
            "/sign-up",
            "/sign-up",
            &[
                ("display_name", name),
                ("email", email),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("lang", "en"),
            ],
        )
        .await
}

pub async fn sign_in_with(
    client: &mut Client<'_>,
    email: &str,
    password: &str,
    next: Option<&str>,
) -> TestResponse {
    let mut fields = vec![("email", email), ("password", password)];
    if let Some(n) = next {
        fields.push(("next", n));
    }
    client.submit("/sign-in", "/sign-in", &fields).await
}

#[tokio::test]
async fn sign_up_then_verify_the_email_from_the_link() {
    for app in TestApp::all().await {
        let mut c = app.client();
        c.lang = Some("en");
        let email = unique_email("layla");
        let res = sign_up(&mut c, "Layla Haddad", &email).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert_eq!(res.location(), Some("/account?notice=welcome"));
        let cookie = set_cookie(&res, "safir_session").expect("session cookie");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
        assert!(!cookie.contains("Secure"), "no TLS in tests: {cookie}");

        let page = c.get("/account?notice=welcome").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Welcome! Your account is ready."));
        assert!(page.body.contains("not confirmed yet"));
        assert!(page.body.contains("<bdi>Layla Haddad</bdi>"));

        let mails = app.emails_to(&email).await;
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].subject, "Confirm your email address for Safir");
        assert!(mails[0].text.contains("Hello Layla Haddad"));
        let link = link_in(&mails[0].text, "/verify-email?token=");

        // Opening the link confirms nothing (a mail scanner fetches it too): signed out, it
        // asks to sign in to the account, and leads back here after.
        let mut other = app.client();
        other.lang = Some("en");
        let res = other.get(&link).await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(
            res.body.contains("Sign in to confirm your address"),
            "{}",
            res.body
        );
        assert!(
            res.body
                .contains("href=\"/sign-in?next=/verify-email%3Ftoken%3D"),
            "{}",
            res.body
        );
        assert!(!res.body.contains(r#"action="/verify-email""#));
        // Signed in to another account, it refuses, and the token stays usable.
        let stranger = app.public_user(&unique_email("stranger")).await;
        other.sign_in(&stranger).await;
        let res = other.get(&link).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        assert!(res.body.contains("This link is for another account"));
        let token = link.split("token=").nth(1).unwrap();
        let res = other
            .submit(&link, "/verify-email", &[("token", token)])
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
        assert!(c.get("/account").await.body.contains("not confirmed yet"));
        // The account's own session: a page with a button, which confirms, once.
        let res = c.get(&link).await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(res.body.contains("Confirm your email address"));
        let res = c.submit(&link, "/verify-email", &[("token", token)]).await;
        assert_eq!(res.location(), Some("/account?notice=verified"));
        let res = c.get(&link).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST);
        assert!(res.body.contains("This link does not work"));

        let page = c.get("/account?notice=verified").await;
        assert!(page.body.contains("Your email address is confirmed."));
        assert!(!page.body.contains("not confirmed yet"), "{}", page.body);
        assert!(page.body.contains("confirmed"));
        assert!(!page.body.contains("/account/verify-email/resend"));
        let user = accounts::find_user_by_email(
            &app.db,
            &safir_domain::accounts::Email::parse(&email).unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
        assert!(user.email_verified_at.is_some());
        assert_eq!(user.kind, "public");
    }
}

#[tokio::test]
async fn resending_the_verification_link_sends_a_new_one() {
    for app in TestApp::all().await {
        let mut c = app.client();
        let email = unique_email("resend");
        sign_up(&mut c, "Omar", &email).await;
        let res = c
            .submit("/account", "/account/verify-email/resend", &[])
            .await;
        assert_eq!(res.location(), Some("/account?notice=verification-sent"));
        let mails = app.emails_to(&email).await;
        assert_eq!(mails.len(), 2);
        let link = link_in(&mails[1].text, "/verify-email?token=");
        let token = link.split("token=").nth(1).unwrap();
        let res = c.submit(&link, "/verify-email", &[("token", token)]).await;
        assert_eq!(res.location(), Some("/account?notice=verified"));
        // The button pressed again: the address is confirmed all the same.
        let res = c
            .submit("/account", "/verify-email", &[("token", token)])
            .await;
        assert_eq!(res.location(), Some("/account?notice=already-verified"));
    }
}

#[tokio::test]
async fn rejected_sign_up_keeps_the_input_and_explains_each_field_in_the_users_language() {
    for app in TestApp::all().await {
        let taken = app.public_user(&unique_email("taken")).await;
        for (lang, email_msg, mismatch_msg, taken_msg, name_msg) in [
            (
                "en",
                "Enter a valid email address",
                "The two passwords are not the same.",
                "An account already uses this email address.",
                "Write the name in letters",
            ),
            (
                "ar",
                "field-error-invalid-email",
                "كلمتا المرور غير متطابقتين.",
                "هذا البريد الإلكتروني مستخدم في حساب آخر.",
                "اكتب الاسم بالحروف",
            ),
        ] {
            let mut c = app.client();
            c.lang = Some(lang);
            let res = c
                .submit(
                    "/sign-up",
                    "/sign-up",
                    &[
                        ("display_name", "سلمى <Salma>"),
                        ("email", "not-an-email"),
                        ("password", "short"),
                        ("password_confirm", "other"),
                        ("lang", "fr"),
                    ],
                )
                .await;
            assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(
                res.body.contains("value=\"سلمى &#60;Salma&#62;\""),
                "{}",
                res.body
            );
            assert!(res.body.contains("value=\"not-an-email\""));
            assert!(
                !res.body.contains("value=\"short\""),
                "passwords are not echoed"
            );
            if lang == "en" {
                assert!(res.body.contains(email_msg));
                assert!(res.body.contains("Use at least 10 characters."));
            } else {
                assert!(res.body.contains("dir=\"rtl\""));
                assert!(!res.body.contains(email_msg), "missing translation");
                assert!(res.body.contains("استخدم عشرة أحرف على الأقل."));
            }
            let res = c
                .submit(
                    "/sign-up",
                    "/sign-up",
                    &[
                        // Tatweel alone, as a stretched empty name pasted from a PDF.
                        ("display_name", "ـــ"),
                        ("email", &taken.email),
                        ("password", PASSWORD),
                        ("password_confirm", "correct horse battery stapler"),
                        ("lang", "ar"),
                    ],
                )
                .await;
            assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(res.body.contains(name_msg), "{}", res.body);
            assert!(res.body.contains("value=\"ـــ\""), "{}", res.body);
            assert!(res.body.contains(mismatch_msg), "{}", res.body);
            assert!(res.body.contains(taken_msg));
            assert!(res.body.contains(&format!("value=\"{}\"", taken.email)));
        }
    }
}

#[tokio::test]
async fn wrong_password_keeps_the_email_and_unknown_emails_look_the_same() {
    for app in TestApp::all().await {
        let user = app.public_user(&unique_email("sami")).await;
        let mut c = app.client();
        c.lang = Some("en");
        let wrong = sign_in_with(&mut c, &user.email, "not the password", None).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.body.contains(&format!("value=\"{}\"", user.email)));
        assert!(
            wrong
                .body
                .contains("The email address or the password is not right.")
        );
        let unknown = sign_in_with(&mut c, "nobody@example.org", "not the password", None).await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            unknown
                .body
                .contains("The email address or the password is not right.")
        );
        let empty = sign_in_with(&mut c, "", "", None).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.body.contains("This field is required."));
        assert!(!c.cookies.contains_key("safir_session"));
    }
}

#[tokio::test]
async fn repeated_failures_lock_the_account_with_a_time_to_retry() {
    for app in TestApp::all().await {
        let user = app.public_user(&unique_email("lock")).await;
        let max = app.state.config.login_max_failures;
        let mut c = app.client();
        c.lang = Some("en");
        for i in 1..max {
            let res = sign_in_with(&mut c, &user.email, "wrong password!", None).await;
            assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "attempt {i}");
        }
        let res = sign_in_with(&mut c, &user.email, "wrong password!", None).await;
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            res.body.contains("This account is locked") && res.body.contains("15 minutes"),
            "{}",
            res.body
        );
        // Even the right password is refused until the lock ends.
        let res = sign_in_with(&mut c, &user.email, PASSWORD, None).await;
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(res.headers.get("retry-after").is_some());
        assert!(!c.cookies.contains_key("safir_session"));
    }
}

#[tokio::test]
async fn too_many_attempts_from_one_address_are_throttled() {
    for app in TestApp::all().await {
        let per_minute = app.state.config.login_attempts_per_minute;
        let mut c = app.client();
        c.lang = Some("en");
        for _ in 0..per_minute {
            let res = sign_in_with(&mut c, &unique_email("x"), "whatever it is", None).await;
            assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let res = sign_in_with(&mut c, &unique_email("x"), "whatever it is", None).await;
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(res.body.contains("Too many attempts from your connection"));
        let retry: u64 = res.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry));
    }
}

#[tokio::test]
async fn next_only_leads_to_pages_of_this_site() {
    for app in TestApp::all().await {
        let user = app.public_user(&unique_email("next")).await;
        let page = app.client().get("/sign-in?next=//evil.example/x").await;
        assert!(!page.body.contains("name=\"next\""), "{}", page.body);
        for (next, expected) in [
            ("//evil.example/x", "/account"),
            ("https://evil.example/", "/account"),
            ("/\\evil.example", "/account"),
            ("/account?tab=tokens", "/account?tab=tokens"),
        ] {
            let mut c = app.client();
            let res = sign_in_with(&mut c, &user.email, PASSWORD, Some(next)).await;
            assert_eq!(res.status, StatusCode::SEE_OTHER);
            assert_eq!(res.location(), Some(expected), "next={next}");
        }
        // A protected page sends an anonymous visitor to sign in, and back afterwards.
        let mut c = app.client();
        let res = c.get("/account").await;
        assert_eq!(res.location(), Some("/sign-in?next=/account"));
        let form = c.get("/sign-in?next=/account").await;
        assert!(form.body.contains("name=\"next\" value=\"/account\""));
    }
}

#[tokio::test]
async fn signing_in_rotates_the_session_id() {
    for app in TestApp::all().await {
        let user = app.public_user(&unique_email("rotate")).await;
        let mut c = app.client();
        c.sign_in(&user).await;
        let first = c.cookies["safir_session"].clone();
        assert_eq!(c.get("/account").await.status, StatusCode::OK);
        c.sign_in(&user).await;
        let second = c.cookies["safir_session"].clone();
        assert_ne!(first, second);
        assert_eq!(c.get("/account").await.status, StatusCode::OK);

        let mut stale = app.client();
        stale.cookies.insert("safir_session".into(), first);
        let res = stale.get("/account").await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "old session must be gone"
        );
        assert!(res.location().unwrap().starts_with("/sign-in"));
    }
}

#[tokio::test]
async fn disabled_accounts_cannot_sign_in() {
    for app in TestApp::all().await {
        let user = app.public_user(&unique_email("off")).await;
        let mut tx = app.db.begin().await.unwrap();
        accounts::set_disabled(&mut tx, &user.id, true)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut c = app.client();
        c.lang = Some("en");
        let res = sign_in_with(&mut c, &user.email, PASSWORD, None).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        assert!(res.body.contains("This account has been disabled."));
        assert!(!c.cookies.contains_key("safir_session"));
    }
}

#[tokio::test]
async fn arabic_account_pages_are_right_to_left() {
    for app in TestApp::all().await {
        let mut c = app.client();
        c.lang = Some("ar");
        for (path, heading) in [
            ("/sign-up", "أنشئ حسابك"),
            ("/sign-in", "تسجيل الدخول إلى سفير"),
            ("/password/forgot", "إعادة تعيين كلمة المرور"),
        ] {
            let res = c.get(path).await;
            assert_eq!(res.status, StatusCode::OK);
            assert!(res.body.contains(r#"<html lang="ar" dir="rtl">"#), "{path}");
            assert!(res.body.contains(heading), "{path}");
        }
        let user = app.public_user(&unique_email("rtl")).await;
        c.sign_in(&user).await;
        let res = c.get("/account?lang=ar").await;
        assert!(res.body.contains(r#"dir="rtl""#));
        assert!(res.body.contains("تسجيل الخروج من كل الأجهزة"));
    }
}

/// The switcher's choice outlives the page it was made on: a signed-in user's saved language
/// wins over the switcher's cookie, so choosing with `?lang=` saves it.
#[tokio::test]
async fn a_signed_in_users_language_switch_is_kept_on_the_next_pages() {
    for app in TestApp::all().await {
        let mut c = app.client();
        let user = app.public_user(&unique_email("switch")).await;
        c.sign_in(&user).await;
        for (lang, html) in [
            ("ar", r#"<html lang="ar" dir="rtl">"#),
            ("en", r#"<html lang="en" dir="ltr">"#),
            ("ar", r#"<html lang="ar" dir="rtl">"#),
        ] {
            // The browser asks for the other language.
            c.lang = Some(if lang == "ar" { "en" } else { "ar" });
            let switched = c.get(&format!("/account?lang={lang}")).await;
            assert!(switched.body.contains(html), "{lang}: the switch");
            // The next pages, without the cookie the switcher set: the saved language alone.
            c.cookies.remove("lang");
            let next = c.get("/consular").await;
            assert!(next.body.contains(html), "{lang}: the switch did not last");
            let saved = accounts::find_user(&app.db, &user.id).await.unwrap();
            assert_eq!(saved.preferred_lang, lang);
            // The account page's form shows the language now saved.
            let account = c.get("/account").await;
            let option = format!(r#"<option value="{lang}" lang="{lang}" selected>"#);
            assert!(account.body.contains(&option), "{lang}: the account form");
        }
    }
}

/// The language chosen on this device before signing in (the sign-in page's own switch) is the
/// one the person goes on in: the code page after the password follows it, and once signed in
/// it is their saved language (a staff member's change audited, `via: sign-in`). A device that
/// never chose leaves the saved language as it is.
#[tokio::test]
async fn a_language_chosen_before_signing_in_is_kept_after_it() {
    const AR: &str = r#"<html lang="ar" dir="rtl">"#;
    for app in TestApp::all().await {
        let saved = |id: String| {
            let db = app.db.clone();
            async move { accounts::find_user(&db, &id).await.unwrap().preferred_lang }
        };
        // A citizen saved in English chooses Arabic on the sign-in page.
        let citizen = app.public_user(&unique_email("sign-in-lang")).await;
        let mut c = app.client();
        assert!(c.get("/sign-in?lang=ar").await.body.contains(AR));
        c.sign_in(&citizen).await;
        let account = c.get("/account").await;
        assert!(account.body.contains(AR), "the choice was undone");
        assert_eq!(saved(citizen.id.clone()).await, "ar");

        // A staff member: the page asking for the code follows the choice as well, and the
        // language is saved once the code is right.
        let officer = app.staff(&unique_email("sign-in-lang-staff"), &[]).await;
        let mut c = app.client();
        c.get("/sign-in?lang=ar").await;
        let res = c
            .submit(
                "/sign-in",
                "/sign-in",
                &[("email", &officer.email), ("password", PASSWORD)],
            )
            .await;
        assert!(res.status.is_redirection(), "{}", res.body);
        let code_page = c.get("/sign-in/two-factor").await;
        assert!(code_page.body.contains(AR), "{}", code_page.body);
        assert_eq!(saved(officer.id.clone()).await, "en");
        let secret = officer.totp_secret.as_deref().unwrap();
        let code = fresh_totp_code(&officer.id, secret);
        let res = c
            .submit(
                "/sign-in/two-factor",
                "/sign-in/two-factor",
                &[("code", &code)],
            )
            .await;
        assert!(res.status.is_redirection(), "{}", res.body);
        assert!(c.get("/account").await.body.contains(AR));
        assert_eq!(saved(officer.id.clone()).await, "ar");
        assert_eq!(
            app.audit_summaries("user.profile_update").await.last(),
            Some(&serde_json::json!({"language": {"from": "en", "to": "ar"}, "via": "sign-in"}))
        );

        // A device that never chose (its browser asks for English): the saved language rules.
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&citizen).await;
        assert!(c.get("/account").await.body.contains(AR));
        assert_eq!(saved(citizen.id.clone()).await, "ar");
    }
}

/// A form sent after its session ended (signed out in another tab, or the session expired while
/// the page stayed open) is refused and nothing is saved; what the person wrote comes back on
/// the refusal, to be copied, with a link to the page the form was on. No secret comes back.
#[tokio::test]
async fn a_form_sent_after_its_session_ended_shows_back_what_was_typed() {
    for app in TestApp::all().await {
        let user = app.public_user(&unique_email("expired-form")).await;
        let mut c = app.client();
        c.sign_in(&user).await;
        let token = c.get("/account?lang=en").await.csrf_token().unwrap();
        // Signed out elsewhere: the session is gone, the page with its form is still open.
        c.cookies.remove("safir_session");
        let referer = format!("{ORIGIN}/account?lang=en");
        let res = c
            .post_form_with(
                "/account/profile",
                &token,
                &[
                    ("display_name", "Nour Al Haddad"),
                    ("lang", "en"),
                    ("current_password", "my secret words"),
                ],
                &[("referer", &referer)],
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
        assert!(
            res.body
                .contains(r#"<pre class="typed" dir="auto">Nour Al Haddad</pre>"#),
            "{}",
            res.body
        );
        assert!(!res.body.contains("my secret words"), "{}", res.body);
        assert_eq!(
            res.headers.get("cache-control").unwrap(),
            "no-store",
            "kept by no cache"
        );
        assert!(
            res.body.contains(r#"<a href="/account?lang=en">"#),
            "{}",
            res.body
        );
        let saved = accounts::find_user(&app.db, &user.id).await.unwrap();
        assert_ne!(
            saved.display_name, "Nour Al Haddad",
            "saved without a session"
        );
    }
}

/// A link on another site that carries `?lang=` shows its page in that language, but only the
/// user's own choice on this site (or a typed address) changes their saved language: a GET
/// from elsewhere must not change what is stored.
#[tokio::test]
async fn a_language_link_from_another_site_does_not_change_the_saved_language() {
    for app in TestApp::all().await {
        let mut c = app.client();
        let user = app.public_user(&unique_email("switch-xsite")).await;
        c.sign_in(&user).await;
        let saved = || async {
            accounts::find_user(&app.db, &user.id)
                .await
                .unwrap()
                .preferred_lang
        };
        assert_eq!(saved().await, "en");
        let elsewhere: [&[(&str, &str)]; 3] = [
            &[("sec-fetch-site", "cross-site")],
            &[("sec-fetch-site", "same-site")],
            &[("referer", "https://elsewhere.example/safir.test/")],
        ];
        for headers in elsewhere {
            let res = c.get_with("/account?lang=ar", headers).await;
            assert!(
                res.body.contains(r#"<html lang="ar" dir="rtl">"#),
                "{headers:?}: the page is shown in the language of the link"
            );
            assert_eq!(
                saved().await,
                "en",
                "{headers:?}: the saved language changed"
            );
        }
        // The same link followed on this site's own pages, or typed, is the user's choice.
        let referer = format!("{ORIGIN}/consular");
        let own: [&[(&str, &str)]; 3] = [
            &[("sec-fetch-site", "same-origin")],
            &[("sec-fetch-site", "none")],
            &[("referer", &referer)],
        ];
        for (headers, lang) in own.into_iter().zip(["ar", "en", "ar"]) {
            c.get_with(&format!("/account?lang={lang}"), headers).await;
            assert_eq!(saved().await, lang, "{headers:?}");
        }
    }
}

/// A staff member's own language and name are staff changes like any other: the switcher
/// and the account form leave a record of what changed, as the API does; saving the same
/// values again leaves none.
#[tokio::test]
async fn a_staff_members_language_and_name_changes_are_audited() {
    let analyst = [(safir_domain::roles::Role::Analyst, None)];
    for app in TestApp::all().await {
        for public in [false, true] {
            let mut c = app.client();
            // A staff account, and a public one granted a staff role (before, its changes were
            // not recorded).
            let staff = if public {
                app.public_with_roles(&unique_email("switch-granted"), &analyst)
                    .await
            } else {
                app.staff(&unique_email("switch-staff"), &analyst).await
            };
            c.sign_in(&staff).await;
            let newest = || async {
                let trail = safir_store::audit::list(&app.db, &Default::default(), 1)
                    .await
                    .unwrap();
                trail.into_iter().next().unwrap()
            };

            c.get("/account?lang=ar").await;
            let record = newest().await;
            assert_eq!(record.action, "user.profile_update");
            assert_eq!(record.actor_id.as_deref(), Some(staff.id.as_str()));
            let summary: serde_json::Value = serde_json::from_str(&record.summary).unwrap();
            assert_eq!(
                summary,
                serde_json::json!({"language": {"from": "en", "to": "ar"}, "via": "switcher"})
            );
            // The same language again is no change.
            c.get("/consular?lang=ar").await;
            assert_eq!(newest().await.seq, record.seq);

            let res = c
                .submit(
                    "/account",
                    "/account/profile",
                    &[("display_name", "Nour Haddad"), ("lang", "ar")],
                )
                .await;
            assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
            let record = newest().await;
            let summary: serde_json::Value = serde_json::from_str(&record.summary).unwrap();
            assert_eq!(
                summary,
                serde_json::json!({
                    "display_name": {"from": "Test User", "to": "Nour Haddad"},
                    "via": "form"
                })
            );
            // Saved again unchanged: no record.
            c.submit(
                "/account",
                "/account/profile",
                &[("display_name", "Nour Haddad"), ("lang", "ar")],
            )
            .await;
            assert_eq!(newest().await.seq, record.seq);
        }
    }
}

/// A page shown after a form's errors is at the address the form posted to, which only takes
/// POST: its language switcher, a reload from the address bar or a bookmark open the form's
/// page instead of a "method not allowed" page. The API keeps its 405.
#[tokio::test]
async fn opening_a_form_address_leads_to_the_forms_page() {
    for app in TestApp::all().await {
        let mut c = app.client();
        let user = app.public_user(&unique_email("form-address")).await;
        c.sign_in(&user).await;
        // A token without a permission: the form comes back with its error, at
        // `/account/tokens`.
        let res = c
            .submit("/account", "/account/tokens", &[("name", "my script")])
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
        let switcher = res
            .body
            .split(r#"<p class="lang-switch">"#)
            .nth(1)
            .and_then(|rest| rest.split(r#"href=""#).nth(1))
            .and_then(|rest| rest.split('"').next())
            .expect("the page has a language switcher")
            .replace("&amp;", "&");
        let other = switcher
            .strip_prefix("/account/tokens?lang=")
            .expect("the switcher links to the address the page was posted to");
        let opened = c.get(&switcher).await;
        assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
        let form_page = format!("/account?lang={other}");
        assert_eq!(opened.location(), Some(form_page.as_str()));
        let page = c.get(&form_page).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(&format!(r#"<html lang="{other}""#)));

        // Without a language asked for, the form's page as it is; deeper addresses lead to the
        // nearest page above them.
        let opened = c.get("/account/sessions/sign-out-everywhere").await;
        assert_eq!(opened.status, StatusCode::SEE_OTHER);
        assert_eq!(opened.location(), Some("/account"));
        let opened = c.get("/sign-out").await;
        assert_eq!(opened.location(), Some("/"));
        // Still signed in: opening the address did not send the form.
        assert_eq!(c.get("/account").await.status, StatusCode::OK);

        // The API answers a wrong method as before.
        let res = c.get("/api/v1/admin/jobs/x/retry").await;
        assert_eq!(res.status, StatusCode::METHOD_NOT_ALLOWED, "{}", res.body);
    }
}

#[tokio::test]
async fn sign_ups_and_reset_requests_are_limited_per_address() {
    for app in TestApp::all().await {
        let mut c = app.client();
        c.lang = Some("en");
        for _ in 0..10 {
            let res = c
                .submit("/sign-up", "/sign-up", &[("email", "not-an-email")])
                .await;
            assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let res = sign_up(&mut c, "Late", &unique_email("late")).await;
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(res.body.contains("Too many attempts"), "{}", res.body);

        for _ in 0..5 {
            let res = c
                .submit(
                    "/password/forgot",
                    "/password/forgot",
                    &[("email", "someone@example.org")],
                )
                .await;
            assert_eq!(res.status, StatusCode::OK);
        }
        let res = c
            .submit(
                "/password/forgot",
                "/password/forgot",
                &[("email", "someone@example.org")],
            )
            .await;
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(res.headers.get("retry-after").is_some());

        // Setting a password with a link is limited too: each try would hash a password.
        let junk = [
            ("token", "not-a-link-we-sent"),
            ("password", "a long enough passphrase"),
            ("password_confirm", "a long enough passphrase"),
        ];
        for _ in 0..5 {
            let res = c
                .submit("/password/reset?token=x", "/password/reset", &junk)
                .await;
            assert_eq!(res.status, StatusCode::BAD_REQUEST);
        }
        let res = c
            .submit("/password/reset?token=x", "/password/reset", &junk)
            .await;
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    }
}

#[tokio::test]
async fn without_a_public_url_forms_are_checked_against_the_host_the_browser_used() {
    // `safir serve` with no `public_url` guesses it from the bind address; the browser
    // reached the server by another name (here `safir.test`, as `localhost` would be).
    for origin_from_host in [true, false] {
        let config = WebConfig {
            public_url: "http://0.0.0.0:8080".to_owned(),
            origin_from_host,
            ..WebConfig::default()
        };
        let app = TestApp::exactly(TestDb::sqlite().await, config).await;
        let user = app.public_user(&unique_email("host")).await;
        let mut c = app.client();
        let res = sign_in_with(&mut c, &user.email, PASSWORD, None).await;
        if origin_from_host {
            assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        } else {
            // A configured public URL is held to: the same form from another name is refused.
            assert_eq!(res.status, StatusCode::FORBIDDEN);
        }
    }
}

#[tokio::test]
async fn behind_tls_the_session_cookie_is_secure() {
    for test_db in TestDb::all().await {
        let config = WebConfig {
            behind_tls: true,
            ..WebConfig::default()
        };
        let app = TestApp::with_config(test_db, config).await;
        let user = app.public_user(&unique_email("tls")).await;
        let mut c = app.client();
        let res = sign_in_with(&mut c, &user.email, PASSWORD, None).await;
        let cookie = set_cookie(&res, "safir_session").expect("session cookie");
        assert!(
            cookie.contains("; Secure")
                && cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        let res = c.submit("/account", "/sign-out", &[]).await;
        let cleared = set_cookie(&res, "safir_session").expect("cleared cookie");
        assert!(cleared.contains("Max-Age=0") && cleared.contains("; Secure"));
    }
}

#[tokio::test]
async fn rejected_account_forms_answer_in_arabic_and_keep_what_was_typed() {
    for app in TestApp::all().await {
        let user = app.public_user(&unique_email("arabic")).await;
        let mut c = app.client();
        c.lang = Some("ar");
        let res = sign_in_with(&mut c, &user.email, "كلمة خاطئة تمامًا", None).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.body
                .contains("البريد الإلكتروني أو كلمة المرور غير صحيحين.")
        );
        assert!(res.body.contains(&format!("value=\"{}\"", user.email)));
        assert!(!res.body.contains("كلمة خاطئة تمامًا"));

        let res = c
            .submit(
                "/password/forgot",
                "/password/forgot",
                &[("email", "بريد@")],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("value=\"بريد@\""));
        assert!(res.body.contains(r#"<html lang="ar" dir="rtl">"#));

        c.sign_in(&user).await;
        let res = c
            .submit(
                "/account?lang=ar",
                "/account/tokens?lang=ar",
                &[("name", "سكربت التقارير"), ("expires", "غدًا")],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("اختر صلاحية واحدة على الأقل."));
        assert!(
            res.body
                .contains("أدخل تاريخًا بالشكل \u{200E}2027-01-31\u{200E}.")
        );
        assert!(res.body.contains("value=\"سكربت التقارير\""));
        assert!(res.body.contains("يرجى تصحيح"), "summary above the form");
    }
}

#[tokio::test]
async fn an_expired_verification_link_gets_a_friendly_page() {
    for app in TestApp::all().await {
        let mut c = app.client();
        c.lang = Some("en");
        let email = unique_email("expired");
        sign_up(&mut c, "Nadia", &email).await;
        let link = link_in(&app.emails_to(&email).await[0].text, "/verify-email?token=");
        let past = chrono::Utc::now() - chrono::Duration::hours(1);
        with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE email_tokens SET expires_at = $1").bind(past).execute(p).await.map(|r| r.rows_affected())
        })
        .unwrap();
        let res = c.get(&link).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST);
        assert!(res.body.contains("has expired"));
        assert!(
            res.body
                .contains("You can ask for a new one from your account page.")
        );
        assert!(res.body.contains("href=\"/account\""));
        assert!(c.get("/account").await.body.contains("not confirmed yet"));
        let res = c.get("/verify-email?token=").await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST);
    }
}

/// An error page seen signed in keeps the account's header (their name, their pages, signing
/// out), as every other page does, whatever the error and however the answer is encoded.
#[tokio::test]
async fn error_pages_keep_the_signed_in_header() {
    let app = TestApp::sqlite().await;
    let user = app.public_user(&unique_email("lost")).await;
    let mut client = app.client();
    client.sign_in(&user).await;
    for (path, status) in [("/no-such-page?lang=en", 404), ("/staff?lang=en", 403)] {
        let page = client.get(path).await;
        assert_eq!(page.status.as_u16(), status, "{path}: {}", page.body);
        assert!(
            page.body.contains(r#"action="/sign-out""#),
            "{path}: {}",
            page.body
        );
        assert!(
            !page.body.contains(r#"href="/sign-in""#),
            "{path}: {}",
            page.body
        );
        assert!(page.body.contains("<h1>"), "{path}");
        assert_eq!(page.headers["cache-control"], "no-store");
    }
    // Asked for compressed by the person's own browser: gzipped, as the page it stands for
    // would have been, and still the page with the account's header.
    let (status, headers, body) = client
        .get_raw(
            "/no-such-page",
            &[
                ("accept-encoding", "gzip"),
                ("sec-fetch-site", "same-origin"),
            ],
        )
        .await;
    assert_eq!(status.as_u16(), 404);
    assert_eq!(headers["content-encoding"], "gzip");
    assert_eq!(headers["vary"], "Accept-Language, Cookie, Accept-Encoding");
    assert_eq!(headers["cache-control"], "no-store");
    let mut html = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&body[..]), &mut html).unwrap();
    assert!(html.contains(r#"action="/sign-out""#), "{html}");
    assert!(crate::html_checks::problems(&html).is_empty());
    // Made by another site with the person's cookies: as it is (see `compress`).
    let (status, headers, body) = client
        .get_raw(
            "/no-such-page",
            &[
                ("accept-encoding", "gzip"),
                ("sec-fetch-site", "cross-site"),
            ],
        )
        .await;
    assert_eq!(status.as_u16(), 404);
    assert!(headers.get("content-encoding").is_none());
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains(r#"action="/sign-out""#)
    );
    // Signed out, the page offers to sign in.
    let page = app.client().get("/no-such-page?lang=en").await;
    assert!(page.body.contains(r#"href="/sign-in""#));
}

/// "It was done" notices come from the site's own redirect after the action: an address with
/// one, opened from another site, an e-mail or the address bar, shows no notice.
#[tokio::test]
async fn a_notice_shows_only_after_the_sites_own_redirect() {
    let app = TestApp::sqlite().await;
    let user = app.public_user(&unique_email("noticed")).await;
    let mut client = app.client();
    client.sign_in(&user).await;
    let saved = "Your profile was saved.";
    // The parameter's name as written, and percent-encoded (which the page reads the same).
    for notice in ["notice", "%6Eotice"] {
        let address = format!("/account?{notice}=profile-saved&lang=en");
        let open = async |client: &mut Client<'_>, site: Option<&str>| {
            let headers: Vec<(&str, &str)> =
                site.map(|s| ("sec-fetch-site", s)).into_iter().collect();
            let (status, _, body) = client.get_raw(&address, &headers).await;
            assert_eq!(status, StatusCode::OK);
            String::from_utf8(body).unwrap()
        };
        assert!(open(&mut client, Some("same-origin")).await.contains(saved));
        // A browser that does not say where it came from still shows it.
        assert!(open(&mut client, None).await.contains(saved));
        for elsewhere in ["cross-site", "same-site", "none"] {
            let page = open(&mut client, Some(elsewhere)).await;
            assert!(!page.contains(saved), "{notice} {elsewhere}");
            assert!(
                page.contains(r#"lang="en""#),
                "the rest of the address stays: {elsewhere}"
            );
        }
    }
}

#[tokio::test]
async fn a_session_in_use_keeps_its_cookie_alive() {
    for app in TestApp::all().await {
        let user = app.public_user(&unique_email("busy")).await;
        let mut c = app.client();
        c.sign_in(&user).await;
        let session_cookie = |res: &crate::harness::TestResponse| {
            res.headers
                .get_all(axum::http::header::SET_COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find(|v| v.starts_with("safir_session="))
                .map(str::to_owned)
        };
        // Used within the minute: nothing to slide, no cookie sent.
        assert_eq!(session_cookie(&c.get("/account").await), None);
        // Last used two minutes ago: the session is given its full lifetime again, and the
        // browser's cookie with it (the cookie set at sign-in would end it 12 hours after
        // signing in, however busy the day).
        let last_used_earlier = || async {
            let earlier = safir_store::now() - chrono::Duration::minutes(2);
            with_pool!(app.db.write(), p => {
                sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE user_id = $1")
                    .bind(&user.id)
                    .bind(earlier)
                    .execute(p)
                    .await
                    .map(|r| r.rows_affected())
            })
            .unwrap();
            app.state.auth_cache.clear();
        };
        last_used_earlier().await;
        let res = c.get("/account").await;
        assert_eq!(res.status, StatusCode::OK);
        let cookie = session_cookie(&res).expect("the session cookie is sent again");
        let ttl = app.state.config.session_ttl.num_seconds();
        assert!(cookie.contains(&format!("Max-Age={ttl}")), "{cookie}");
        assert!(cookie.starts_with(&format!("safir_session={};", c.cookies["safir_session"])));
        // A file any cache may keep for everyone carries no cookie, even when the session
        // slides on it (a shared cache would give this session to the next one asking).
        let page = c.get("/account").await;
        let css = page
            .body
            .split('"')
            .find(|p| p.starts_with("/static/") && p.ends_with(".css"))
            .expect("the stylesheet's address")
            .to_owned();
        last_used_earlier().await;
        let asset = c.get(&css).await;
        assert_eq!(asset.status, StatusCode::OK);
        assert!(
            asset.headers["cache-control"]
                .to_str()
                .unwrap()
                .contains("public")
        );
        assert!(
            asset.headers.get(axum::http::header::SET_COOKIE).is_none(),
            "{:?}",
            asset.headers
        );
        let first_visit = app.client().get(&css).await;
        assert!(
            first_visit
                .headers
                .get(axum::http::header::SET_COOKIE)
                .is_none()
        );
        // Signing out clears it, with no second cookie beside the clearing one.
        let token = c.get("/account").await.csrf_token().unwrap();
        last_used_earlier().await;
        let out = c.post_form_with_token("/sign-out", &token, &[]).await;
        assert!(out.status.is_redirection());
        assert_eq!(
            out.headers
                .get_all(axum::http::header::SET_COOKIE)
                .iter()
                .filter(|v| v.to_str().unwrap().starts_with("safir_session="))
                .count(),
            1
        );
    }
}
