//! The account settings page through HTTP: password reset and change, signing out, profile
//! and language, personal access tokens and the data download.

use axum::http::StatusCode;
use safir_domain::roles::Role;
use safir_store::accounts::{self, password, tokens};

use crate::accounts::{link_in, sign_in_with};
use crate::harness::{PASSWORD, TestApp, unique_email};

const NEW_PASSWORD: &str = "a completely new passphrase";

#[tokio::test]
async fn password_reset_link_works_once_and_signs_out_everywhere() {
    for app in TestApp::all().await {
        let staff = app
            .staff(&unique_email("reset"), &[(Role::PressOfficer, None)])
            .await;
        let mut signed_in = app.client();
        signed_in.sign_in(&staff).await;
        assert_eq!(signed_in.get("/account").await.status, StatusCode::OK);
        // A token made while the old password was known (by the owner, or by whoever took it).
        let api_token = crate::api::token(&app, &staff, &["read"]).await;
        let mut c = app.client();
        let me = c.api("GET", "/api/v1/me", &api_token, None).await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.body);

        c.lang = Some("en");
        let known = c
            .submit(
                "/password/forgot",
                "/password/forgot",
                &[("email", &staff.email)],
            )
            .await;
        let unknown = c
            .submit(
                "/password/forgot",
                "/password/forgot",
                &[("email", "nobody-here@example.org")],
            )
            .await;
        assert_eq!(known.status, StatusCode::OK);
        assert_eq!(
            known.body, unknown.body,
            "the answer does not reveal accounts"
        );
        assert!(known.body.contains("If an account exists for this address"));
        let bad = c
            .submit("/password/forgot", "/password/forgot", &[("email", "nope")])
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("value=\"nope\""));

        // Asked twice (the first mail seemed lost): two links, of which one sets a password.
        c.submit(
            "/password/forgot",
            "/password/forgot",
            &[("email", &staff.email)],
        )
        .await;
        let mails = app.emails_to(&staff.email).await;
        assert_eq!(mails.len(), 2);
        assert_eq!(mails[0].subject, "Reset your Safir password");
        let link = link_in(&mails[0].text, "/password/reset?token=");
        let token = link.split("token=").nth(1).unwrap().to_owned();
        let other = link_in(&mails[1].text, "/password/reset?token=");
        let other = other.split("token=").nth(1).unwrap().to_owned();
        assert_ne!(token, other);

        let form = c.get(&link).await;
        assert_eq!(form.status, StatusCode::OK);
        let csrf = form.csrf_token().unwrap();
        let mismatch = c
            .post_form_with_token(
                "/password/reset",
                &csrf,
                &[
                    ("token", &token),
                    ("password", NEW_PASSWORD),
                    ("password_confirm", "something else entirely"),
                ],
            )
            .await;
        assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            mismatch
                .body
                .contains("The two passwords are not the same.")
        );
        let fields = [
            ("token", token.as_str()),
            ("password", NEW_PASSWORD),
            ("password_confirm", NEW_PASSWORD),
        ];
        let done = c
            .post_form_with_token("/password/reset", &csrf, &fields)
            .await;
        assert_eq!(done.location(), Some("/sign-in?notice=password-reset"));
        let again = c
            .post_form_with_token("/password/reset", &csrf, &fields)
            .await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST);
        assert!(again.body.contains("This link does not work"));
        // The other link, sent before the reset, sets no second password after it.
        let late = c
            .post_form_with_token(
                "/password/reset",
                &csrf,
                &[
                    ("token", other.as_str()),
                    ("password", "yet another passphrase here"),
                    ("password_confirm", "yet another passphrase here"),
                ],
            )
            .await;
        assert_eq!(late.status, StatusCode::BAD_REQUEST);

        // Every session of the account is gone, and its API tokens (before, they went on
        // working); the new password works, the old one not.
        let res = signed_in.get("/account").await;
        assert!(res.location().unwrap().starts_with("/sign-in"));
        let me = c.api("GET", "/api/v1/me", &api_token, None).await;
        assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{}", me.body);
        let reset = app.audit_summaries("user.password_reset").await;
        assert_eq!(reset[0]["api_tokens_revoked"], 1, "{reset:?}");
        let old = sign_in_with(&mut c, &staff.email, PASSWORD, None).await;
        assert_eq!(old.status, StatusCode::UNPROCESSABLE_ENTITY);
        let new = sign_in_with(&mut c, &staff.email, NEW_PASSWORD, None).await;
        assert_eq!(new.location(), Some("/sign-in/two-factor"));
        assert!(
            app.audit_actions()
                .await
                .contains(&"user.password_reset".to_owned())
        );
        let mails = app.emails_to(&staff.email).await;
        assert_eq!(mails[2].subject, "Your Safir password was changed");
    }
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one() {
    for app in TestApp::all().await {
        let user = app.public_user(&unique_email("change")).await;
        let mut other_device = app.client();
        other_device.sign_in(&user).await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&user).await;
        let wrong = c
            .submit(
                "/account",
                "/account/password",
                &[
                    ("current_password", "not it at all"),
                    ("new_password", "short"),
                    ("new_password_confirm", "short"),
                ],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.body.contains("This is not your current password."));
        assert!(wrong.body.contains("Use at least 10 characters."));
        let ok = c
            .submit(
                "/account",
                "/account/password",
                &[
                    ("current_password", PASSWORD),
                    ("new_password", NEW_PASSWORD),
                    ("new_password_confirm", NEW_PASSWORD),
                ],
            )
            .await;
        assert_eq!(ok.location(), Some("/account?notice=password-changed"));
        assert_eq!(c.get("/account").await.status, StatusCode::OK);
        assert_eq!(
            other_device.get("/account").await.status,
            StatusCode::SEE_OTHER,
            "other sessions are signed out"
        );
        let mails = app.emails_to(&user.email).await;
        assert_eq!(
            mails.last().unwrap().subject,
            "Your Safir password was changed"
        );
    }
}

#[tokio::test]
async fn a_password_change_revokes_the_api_tokens_unless_untied() {
    for app in TestApp::all().await {
        let user = app.public_user(&unique_email("tokened")).await;
        let token = |name: &'static str| {
            let (db, id) = (app.db.clone(), user.id.clone());
            async move {
                let mut tx = db.begin().await.unwrap();
                let (_, secret) = tokens::create_api_token(&mut tx, &id, name, &["read"], None)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                secret
            }
        };
        let made_by_a_thief = token("scraper").await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&user).await;
        let page = c.get("/account").await;
        assert!(
            page.body.contains(
                r#"name="revoke_tokens" value="on" checked> Also revoke my API tokens (1 live)"#
            ),
            "{}",
            page.body
        );
        let change = |current: &'static str, revoke: &'static str| {
            let mut form = vec![
                ("current_password", current),
                ("new_password", NEW_PASSWORD),
                ("new_password_confirm", NEW_PASSWORD),
            ];
            if !revoke.is_empty() {
                form.push(("revoke_tokens", revoke));
            }
            form
        };
        // Untied on a form sent back with an error: still untied.
        let wrong = c
            .submit("/account", "/account/password", &change("not it", ""))
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.body.contains(r#"name="revoke_tokens" value="on">"#));
        let ok = c
            .submit("/account", "/account/password", &change(PASSWORD, "on"))
            .await;
        assert_eq!(
            ok.location(),
            Some("/account?notice=password-changed-tokens")
        );
        let res = c.api("GET", "/api/v1/me", &made_by_a_thief, None).await;
        assert_eq!(
            res.status,
            StatusCode::UNAUTHORIZED,
            "revoked with the change"
        );
        let page = c.get("/account?notice=password-changed-tokens").await;
        assert!(page.body.contains("your API tokens revoked"));
        assert!(!page.body.contains(r#"name="revoke_tokens""#), "none live");

        // Untied, a token in use by the person's own script keeps working.
        let own_script = token("own script").await;
        let kept = c
            .submit(
                "/account",
                "/account/password",
                &[
                    ("current_password", NEW_PASSWORD),
                    ("new_password", "yet another long passphrase"),
                    ("new_password_confirm", "yet another long passphrase"),
                ],
            )
            .await;
        assert_eq!(kept.location(), Some("/account?notice=password-changed"));
        let res = c.api("GET", "/api/v1/me", &own_script, None).await;
        assert_eq!(res.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_session_left_open_is_no_place_to_guess_the_password() {
    for app in TestApp::all().await {
        let user = app.public_user(&unique_email("guessed")).await;
        let max = app.state.config.login_max_failures;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&user).await;
        let change = |current: &'static str| {
            [
                ("current_password", current),
                ("new_password", NEW_PASSWORD),
                ("new_password_confirm", NEW_PASSWORD),
            ]
        };
        for i in 1..max {
            let wrong = c
                .submit("/account", "/account/password", &change("a guess"))
                .await;
            assert!(
                wrong.body.contains("This is not your current password."),
                "guess {i}"
            );
        }
        let last = c
            .submit("/account", "/account/password", &change("a guess"))
            .await;
        assert_eq!(last.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            last.body.contains("Too many wrong passwords"),
            "{}",
            last.body
        );
        // Locked: the right one changes nothing until the lock ends, here as at sign-in.
        let right = c
            .submit("/account", "/account/password", &change(PASSWORD))
            .await;
        assert!(right.body.contains("Too many wrong passwords"));
        let stored = accounts::find_user(&app.db, &user.id).await.unwrap();
        assert!(password::verify(PASSWORD, &stored.password_hash).await);
        let mut elsewhere = app.client();
        elsewhere.lang = Some("en");
        let res = sign_in_with(&mut elsewhere, &user.email, PASSWORD, None).await;
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    }
}

#[tokio::test]
async fn sign_out_and_sign_out_everywhere() {
    for app in TestApp::all().await {
        let user = app.public_user(&unique_email("out")).await;
        let mut a = app.client();
        let mut b = app.client();
        a.sign_in(&user).await;
        b.sign_in(&user).await;
        let page = a.get("/account").await;
        assert_eq!(
            page.body.matches("<tr").count() - 1,
            2,
            "two sessions listed"
        );

        let res = a.submit("/account", "/sign-out", &[]).await;
        assert_eq!(res.location(), Some("/"));
        assert!(!a.cookies.contains_key("safir_session"));
        assert_eq!(b.get("/account").await.status, StatusCode::OK);

        a.sign_in(&user).await;
        let res = a
            .submit("/account", "/account/sessions/sign-out-everywhere", &[])
            .await;
        assert_eq!(
            res.location(),
            Some("/sign-in?notice=signed-out-everywhere")
        );
        for client in [&mut a, &mut b] {
            let res = client.get("/account").await;
            assert!(res.location().unwrap().starts_with("/sign-in"));
        }
    }
}

#[tokio::test]
async fn saving_the_profile_changes_the_name_and_the_language() {
    for app in TestApp::all().await {
        let user = app.public_user(&unique_email("profile")).await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&user).await;
        let bad = c
            .submit(
                "/account",
                "/account/profile",
                &[("display_name", "   "), ("lang", "ar")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("This field is required."));
        // A language the list does not offer is marked on the list itself.
        let odd = c
            .submit(
                "/account",
                "/account/profile",
                &[("display_name", "Leila"), ("lang", "xx")],
            )
            .await;
        assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            odd.body.contains(r#"id="field-lang-error""#),
            "{}",
            odd.body
        );
        let ok = c
            .submit(
                "/account",
                "/account/profile",
                &[("display_name", "ليلى حداد"), ("lang", "ar")],
            )
            .await;
        assert_eq!(ok.location(), Some("/account?notice=profile-saved"));
        // The saved language now wins over the browser's Accept-Language.
        let page = c.get("/account?notice=profile-saved").await;
        assert!(page.body.contains(r#"<html lang="ar" dir="rtl">"#));
        assert!(page.body.contains("تم حفظ ملفك الشخصي."));
        assert!(page.body.contains("<bdi>ليلى حداد</bdi>"));
    }
}

#[tokio::test]
async fn personal_access_tokens_are_shown_once_used_and_revoked() {
    for app in TestApp::all().await {
        let user = app.public_user(&unique_email("tokens")).await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&user).await;

        let bad = c
            .submit(
                "/account",
                "/account/tokens",
                &[("name", "my script"), ("expires", "2001-01-01")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("Choose at least one permission."));
        assert!(bad.body.contains("Choose a date after today."));
        assert!(bad.body.contains("value=\"my script\""));
        assert!(bad.body.contains("value=\"2001-01-01\""));

        let created = c
            .submit(
                "/account",
                "/account/tokens",
                &[("name", "my script"), ("scope_read", "on")],
            )
            .await;
        assert_eq!(created.status, StatusCode::OK, "{}", created.body);
        let secret = created
            .body
            .split("class=\"token-secret\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap()
            .to_owned();
        assert!(secret.starts_with("safir_"));
        let tok = tokens::authenticate_api_token(&app.db, &secret)
            .await
            .unwrap()
            .expect("the token authenticates");
        assert_eq!(tok.scope_list().collect::<Vec<_>>(), ["read"]);
        let page = c.get("/account").await;
        assert!(page.body.contains("<bdi>my script</bdi>"));
        assert!(
            page.body
                .contains(r#">Read <code dir="ltr">read</code></td>"#),
            "the scope by its name, with its code: {}",
            page.body
        );
        let arabic = c.get("/account?lang=ar").await;
        assert!(
            arabic
                .body
                .contains(r#">القراءة <code dir="ltr">read</code></td>"#)
        );
        assert!(
            !page.body.contains(&secret),
            "the secret is shown only once"
        );

        // Account pages are for the browser, not for tokens.
        for path in [
            "/account",
            "/account/two-factor/setup",
            "/sign-in/two-factor",
        ] {
            let res = c.api("GET", path, &secret, None).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{path}");
        }
        let res = c
            .api(
                "POST",
                "/account/sessions/sign-out-everywhere",
                &secret,
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        assert!(
            accounts::find_user(&app.db, &user.id)
                .await
                .unwrap()
                .totp_secret
                .is_none()
        );

        let res = c
            .submit(
                "/account",
                &format!("/account/tokens/{}/revoke", tok.id),
                &[],
            )
            .await;
        assert_eq!(res.location(), Some("/account?notice=token-revoked"));
        assert!(
            tokens::authenticate_api_token(&app.db, &secret)
                .await
                .unwrap()
                .is_none()
        );
        let res = c
            .submit(
                "/account",
                &format!("/account/tokens/{}/revoke", tok.id),
                &[],
            )
            .await;
        // Revoked already (a second click): revoked as asked.
        assert_eq!(res.location(), Some("/account?notice=token-revoked"));
        let actions = app.audit_actions().await;
        assert!(actions.contains(&"token.create".to_owned()));
        assert!(actions.contains(&"token.revoke".to_owned()));
    }
}

fn shown_secret(body: &str) -> String {
    body.split("class=\"token-secret\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("a secret on the page")
        .to_owned()
}

#[tokio::test]
async fn a_token_form_sent_twice_leaves_one_live_token_the_one_shown() {
    for app in TestApp::all().await {
        let user = app.public_user(&unique_email("tokentwice")).await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&user).await;
        let (token, key) = c.form_key("/account").await;
        let sent = [
            ("name", "twice"),
            ("scope_read", "on"),
            ("request_key", key.as_str()),
        ];
        let first = c
            .post_form_with_token("/account/tokens", &token, &sent)
            .await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        assert!(!first.body.contains("sent more than once"));
        let unseen = shown_secret(&first.body);
        // The browser shows the answer to the second sending only.
        let again = c
            .post_form_with_token("/account/tokens", &token, &sent)
            .await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        assert!(
            again.body.contains("This form was sent more than once"),
            "{}",
            again.body
        );
        let shown = shown_secret(&again.body);
        assert_ne!(shown, unseen);
        let kept = tokens::authenticate_api_token(&app.db, &shown)
            .await
            .unwrap()
            .expect("the token shown works");
        assert!(
            tokens::authenticate_api_token(&app.db, &unseen)
                .await
                .unwrap()
                .is_none()
        );
        // The unseen token's revocation is in the trail, naming its replacement.
        assert!(
            app.audit_summaries("token.revoke")
                .await
                .iter()
                .any(|s| s["replaced_by"] == kept.id.as_str()),
        );
        let live = tokens::list_api_tokens(&app.db, &user.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|t| t.revoked_at.is_none())
            .count();
        assert_eq!(live, 1);
        // A new form (a new key) makes a second token beside the first.
        let (token, key) = c.form_key("/account").await;
        let other = c
            .post_form_with_token(
                "/account/tokens",
                &token,
                &[
                    ("name", "twice"),
                    ("scope_read", "on"),
                    ("request_key", key.as_str()),
                ],
            )
            .await;
        assert!(!other.body.contains("sent more than once"));
        let second = shown_secret(&other.body);
        assert!(
            tokens::authenticate_api_token(&app.db, &shown)
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            tokens::authenticate_api_token(&app.db, &second)
                .await
                .unwrap()
                .is_some()
        );
    }
}

#[tokio::test]
async fn the_data_download_holds_the_users_own_data_without_secrets() {
    for app in TestApp::all().await {
        let user = app.public_user(&unique_email("data")).await;
        let mut c = app.client();
        c.sign_in(&user).await;
        let created = c
            .submit(
                "/account",
                "/account/tokens",
                &[("name", "exporter"), ("scope_read", "on")],
            )
            .await;
        let secret = created
            .body
            .split("class=\"token-secret\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap()
            .to_owned();
        // An administrator's action on the account: what was done is the user's to read, who
        // did it from where is not.
        safir_store::audit::record(
            &app.db,
            &safir_store::audit::NewAuditRecord {
                actor_id: None,
                actor_label: "admin-of-record@ministry.test".into(),
                action: safir_domain::audit::AuditAction::new("user.enable"),
                target_type: "user",
                target_id: Some(user.id.clone()),
                mission_id: None,
                client_ip: Some("203.0.113.9".into()),
                summary: serde_json::json!({}),
            },
        )
        .await
        .unwrap();
        let res = c.get("/account/data").await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(
            res.body.contains("user.enable")
                && !res.body.contains("203.0.113.9")
                && !res.body.contains("admin-of-record@"),
            "{}",
            res.body
        );
        assert!(
            res.headers["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
        let data = res.json();
        assert_eq!(data["profile"]["email"], user.email.as_str());
        assert_eq!(data["sessions"].as_array().unwrap().len(), 1);
        assert_eq!(data["api_tokens"][0]["name"], "exporter");
        let records = data["audit_records"].as_array().unwrap();
        let made = records
            .iter()
            .find(|r| r["action"] == "token.create")
            .expect("the user's own record");
        assert!(
            made["summary"].is_object(),
            "a record's summary as JSON: {made}"
        );
        assert_eq!(made["actor_id"], user.id.as_str(), "their own, named");
        for part in ["documents", "appointments", "evisas"] {
            assert_eq!(data[part], serde_json::json!([]), "{part}");
        }
        assert!(data["abroad"].is_object(), "{}", data["abroad"]);
        // Every time in the file in one form: microseconds.
        let exported = data["exported_at"].as_str().unwrap();
        assert_eq!(
            exported.len(),
            "2026-12-01T17:00:00.123456Z".len(),
            "{exported}"
        );
        assert!(!res.body.contains(&secret));
        assert!(!res.body.contains("token_hash") && !res.body.contains("password"));
    }
}

/// Revoke pressed twice (a double click, or twice at once): both answers say the token was
/// revoked, one record is written, and someone else's token stays not found.
#[tokio::test]
async fn revoking_a_token_twice_answers_revoked_both_times() {
    for app in TestApp::all().await {
        let user = app.public_user(&unique_email("revoketwice")).await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&user).await;
        let created = c
            .submit(
                "/account",
                "/account/tokens",
                &[("name", "twice"), ("scope_read", "on")],
            )
            .await;
        assert_eq!(created.status, StatusCode::OK, "{}", created.body);
        let secret = shown_secret(&created.body);
        let tok = tokens::authenticate_api_token(&app.db, &secret)
            .await
            .unwrap()
            .unwrap();
        let path = format!("/account/tokens/{}/revoke", tok.id);
        let token = c.get("/account").await.csrf_token().unwrap();
        let mut second = app.client();
        second.cookies = c.cookies.clone();
        let (a, b) = tokio::join!(
            c.post_form_with_token(&path, &token, &[]),
            second.post_form_with_token(&path, &token, &[]),
        );
        for res in [&a, &b] {
            assert_eq!(
                res.location(),
                Some("/account?notice=token-revoked"),
                "{} {}",
                res.status,
                res.body
            );
        }
        let again = c.post_form_with_token(&path, &token, &[]).await;
        assert_eq!(again.location(), Some("/account?notice=token-revoked"));
        let records: i64 = safir_store::with_pool!(app.db.read(), p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'token.revoke' AND target_id = $1")
                .bind(&tok.id)
                .fetch_one(p)
                .await
        })
        .unwrap();
        assert_eq!(records, 1, "one revocation, one record");
        assert!(
            tokens::authenticate_api_token(&app.db, &secret)
                .await
                .unwrap()
                .is_none()
        );

        // Another account's token, revoked or not, is not theirs to revoke.
        let other = app.public_user(&unique_email("revokeother")).await;
        let mut o = app.client();
        o.sign_in(&other).await;
        let res = o.submit("/account", &path, &[]).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND);
    }
}
