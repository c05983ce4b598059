//! Getting into an account and out of it whole: the data download's full trail, a sign-up
//! form sent twice, reset links limited per account, and a reset link that proves the
//! address.

use axum::http::StatusCode;
use safir_domain::accounts::Email;
use safir_store::accounts::{self, totp};
use safir_store::audit::{self, NewAuditRecord};
use safir_store::testing::TestDb;
use safir_web::state::WebConfig;

use crate::accounts::{link_in, set_cookie, sign_in_with};
use crate::harness::{PASSWORD, TestApp, unique_email};

const NEW_PASSWORD: &str = "a completely new passphrase";

fn record(actor: Option<&str>, action: &'static str, target: &str) -> NewAuditRecord {
    NewAuditRecord {
        actor_id: actor.map(|a| safir_domain::ids::UserId::from_trusted(a.to_owned())),
        actor_label: actor.map_or("admin@ministry.test".to_owned(), str::to_owned),
        action: safir_domain::audit::AuditAction::new(action),
        target_type: "user",
        target_id: Some(target.to_owned()),
        mission_id: None,
        client_ip: Some("198.51.100.4".into()),
        summary: serde_json::json!({}),
    }
}

/// The sequence numbers of a file's trail, checked newest first and once each.
fn trail_seqs(data: &serde_json::Value) -> Vec<i64> {
    let seqs: Vec<i64> = data["audit_records"]
        .as_array()
        .expect("a trail")
        .iter()
        .map(|r| r["seq"].as_i64().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] > w[1]), "newest first, once");
    seqs
}

#[tokio::test]
async fn the_data_download_holds_the_whole_trail_however_long() {
    for app in TestApp::all().await {
        let user = app.public_user(&unique_email("trail")).await;
        // Done to the account first, then a long trail of the person's own (an officer opens
        // thousands of cases), then done to it again.
        let first = audit::record(&app.db, &record(None, "user.enable", &user.id))
            .await
            .unwrap();
        let own: Vec<NewAuditRecord> = (0..10_500)
            .map(|_| record(Some(&user.id), "case.read", "somebody-else"))
            .collect();
        let own = audit::record_all(&app.db, &own).await.unwrap();
        let last = audit::record(&app.db, &record(None, "user.disable", &user.id))
            .await
            .unwrap();
        // Someone else's record is not in it.
        let other = app.public_user(&unique_email("other")).await;
        audit::record(&app.db, &record(Some(&other.id), "case.read", "x"))
            .await
            .unwrap();

        let mut c = app.client();
        c.sign_in(&user).await;
        let res = c.get("/account/data").await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(
            res.headers["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
        let data = res.json();
        let seqs = trail_seqs(&data);
        // Every record: the oldest of the person's own, and the one done to the account
        // before them (which a cut list of their own records would leave out of its window).
        assert_eq!(seqs.len(), own.len() + 2);
        assert_eq!(seqs[0], last);
        assert_eq!(*seqs.last().unwrap(), first);
        assert!(seqs.contains(&own[0]) && seqs.contains(&own[own.len() - 1]));
        let records = data["audit_records"].as_array().unwrap();
        assert!(records[0].get("actor_label").is_none(), "{}", records[0]);
        assert_eq!(records[1]["actor_id"], user.id.as_str());
        assert_eq!(data["profile"]["email"], user.email.as_str());
        assert!(data["abroad"].is_object());

        // The API gives the same file.
        let token = crate::api::token(&app, &user, &["read", "cases:read"]).await;
        let api = c.api("GET", "/api/v1/me/data", &token, None).await;
        assert_eq!(api.status, StatusCode::OK);
        assert_eq!(trail_seqs(&api.json()), seqs);

        // A short trail comes whole too, as before.
        let mut o = app.client();
        o.sign_in(&other).await;
        let data = o.get("/account/data").await.json();
        assert_eq!(trail_seqs(&data).len(), 1);
    }
}

#[tokio::test]
async fn a_sign_up_form_sent_twice_signs_in_to_the_account_it_made() {
    for app in TestApp::all().await {
        let mut c = app.client();
        c.lang = Some("en");
        let email = unique_email("twice");
        let (csrf, key) = c.form_key("/sign-up").await;
        let fields = [
            ("display_name", "Rania Aziz"),
            ("email", email.as_str()),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
            ("lang", "en"),
            ("request_key", key.as_str()),
        ];
        // A double click: both requests leave the browser before either answer comes back.
        let first = c.form_request("/sign-up", &csrf, &fields, &[]);
        let second = c.form_request("/sign-up", &csrf, &fields, &[]);
        let res = c.send(first).await;
        assert_eq!(res.location(), Some("/account?notice=welcome"));
        // The browser drops the first answer, and its cookie.
        c.cookies.remove("safir_session");
        let res = c.send(second).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert_eq!(res.location(), Some("/account?notice=welcome"));
        assert!(set_cookie(&res, "safir_session").is_some());
        let page = c.get("/account?notice=welcome").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("<bdi>Rania Aziz</bdi>"), "{}", page.body);
        // One account, one verification mail.
        assert_eq!(app.emails_to(&email).await.len(), 1);

        // Another form with the same address (another person), or the same form with another
        // password: the address is taken.
        let mut other = app.client();
        other.lang = Some("en");
        let res = crate::accounts::sign_up(&mut other, "Someone Else", &email).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.body
                .contains("An account already uses this email address"),
            "{}",
            res.body
        );
        let (csrf, _) = other.form_key("/sign-up").await;
        let res = other
            .post_form_with_token(
                "/sign-up",
                &csrf,
                &[
                    ("display_name", "Rania Aziz"),
                    ("email", email.as_str()),
                    ("password", "another long passphrase"),
                    ("password_confirm", "another long passphrase"),
                    ("lang", "en"),
                    ("request_key", key.as_str()),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.body
                .contains("An account already uses this email address")
        );
        assert!(set_cookie(&res, "safir_session").is_none());
        // A rejected form keeps its key.
        let (csrf, key) = other.form_key("/sign-up").await;
        let res = other
            .post_form_with_token(
                "/sign-up",
                &csrf,
                &[("email", "nope"), ("request_key", key.as_str())],
            )
            .await;
        assert!(
            res.body
                .contains(&format!("name=\"request_key\" value=\"{key}\""))
        );
    }
}

#[tokio::test]
async fn reset_links_to_one_account_are_limited_whoever_asks() {
    for db in TestDb::all().await {
        let config = WebConfig {
            trusted_proxy: true,
            ..WebConfig::default()
        };
        let app = TestApp::with_config(db, config).await;
        let victim = app.public_user(&unique_email("victim")).await;
        let bystander = app.public_user(&unique_email("bystander")).await;
        let mut c = app.client();
        c.lang = Some("en");
        let mut pages = Vec::new();
        // Each from another client address: the limit per address never applies.
        for i in 0..5 {
            let csrf = c.get("/password/forgot").await.csrf_token().unwrap();
            let ip = format!("203.0.113.{}", 10 + i);
            let res = c
                .post_form_with(
                    "/password/forgot",
                    &csrf,
                    &[("email", &victim.email)],
                    &[("x-forwarded-for", &ip)],
                )
                .await;
            assert_eq!(res.status, StatusCode::OK);
            pages.push(res.body);
        }
        // The same page every time, and three mails.
        assert!(pages.iter().all(|p| *p == pages[0]));
        assert!(pages[0].contains("If an account exists for this address"));
        assert_eq!(app.emails_to(&victim.email).await.len(), 3);
        // The limit is the account's: another account still gets its link.
        let csrf = c.get("/password/forgot").await.csrf_token().unwrap();
        c.post_form_with(
            "/password/forgot",
            &csrf,
            &[("email", &bystander.email)],
            &[("x-forwarded-for", "203.0.113.99")],
        )
        .await;
        assert_eq!(app.emails_to(&bystander.email).await.len(), 1);
    }
}

#[tokio::test]
async fn a_reset_link_proves_the_address_and_clears_a_planted_second_factor() {
    for app in TestApp::all().await {
        // A stranger opens an account with someone else's address (never verified) and turns
        // on a second factor of their own.
        let email = unique_email("owner");
        let mut stranger = app.client();
        stranger.lang = Some("en");
        let res = crate::accounts::sign_up(&mut stranger, "Stranger", &email).await;
        assert_eq!(res.location(), Some("/account?notice=welcome"));
        let parsed = Email::parse(&email).unwrap();
        let user = accounts::find_user_by_email(&app.db, &parsed)
            .await
            .unwrap()
            .unwrap();
        assert!(user.email_verified_at.is_none());
        accounts::set_pending_totp(&app.db, &user.id, &totp::generate_secret())
            .await
            .unwrap();
        let mut tx = app.db.begin().await.unwrap();
        accounts::enable_totp(&mut tx, &user.id, &["code-hash-1".to_owned()])
            .await
            .unwrap();
        tx.commit().await.unwrap();

        // The address's owner asks for a reset link, and uses it.
        let mut owner = app.client();
        owner.lang = Some("en");
        owner
            .submit("/password/forgot", "/password/forgot", &[("email", &email)])
            .await;
        let mails = app.emails_to(&email).await;
        let link = link_in(&mails.last().unwrap().text, "/password/reset?token=");
        let token = link.split("token=").nth(1).unwrap().to_owned();
        let res = owner
            .submit(
                &link,
                "/password/reset",
                &[
                    ("token", token.as_str()),
                    ("password", NEW_PASSWORD),
                    ("password_confirm", NEW_PASSWORD),
                ],
            )
            .await;
        assert_eq!(res.location(), Some("/sign-in?notice=password-reset"));

        let after = accounts::find_user(&app.db, &user.id).await.unwrap();
        assert!(after.email_verified_at.is_some(), "the link proved it");
        assert!(!after.totp_enabled() && after.totp_secret.is_none());
        assert_eq!(
            accounts::remaining_recovery_codes(&app.db, &user.id)
                .await
                .unwrap(),
            0
        );
        let resets = app.audit_summaries("user.password_reset").await;
        assert_eq!(resets.len(), 1, "{resets:?}");
        assert_eq!(resets[0]["two_factor_cleared"], true);
        assert_eq!(resets[0]["email_verified"], true);
        let subjects: Vec<String> = app
            .emails_to(&email)
            .await
            .into_iter()
            .map(|m| m.subject)
            .collect();
        assert!(
            subjects.contains(&"Two-step verification is off for your Safir account".into()),
            "{subjects:?}"
        );
        // The owner signs in with the new password alone.
        let res = sign_in_with(&mut owner, &email, NEW_PASSWORD, None).await;
        assert_eq!(res.location(), Some("/account"), "{}", res.body);

        // An account whose address was proved keeps its second factor through a reset.
        let staff = app
            .staff(
                &unique_email("kept"),
                &[(safir_domain::roles::Role::PressOfficer, None)],
            )
            .await;
        let mut c = app.client();
        c.lang = Some("en");
        c.submit(
            "/password/forgot",
            "/password/forgot",
            &[("email", &staff.email)],
        )
        .await;
        let mails = app.emails_to(&staff.email).await;
        let link = link_in(&mails[0].text, "/password/reset?token=");
        let token = link.split("token=").nth(1).unwrap().to_owned();
        c.submit(
            &link,
            "/password/reset",
            &[
                ("token", token.as_str()),
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
        let kept = accounts::find_user(&app.db, &staff.id).await.unwrap();
        assert!(kept.totp_enabled());
        let resets = app.audit_summaries("user.password_reset").await;
        assert!(resets[1].get("two_factor_cleared").is_none(), "{resets:?}");

        // A public account given a role keeps its second factor too, address proved or not:
        // whoever reads its mailbox must not get past it to the mission's data.
        let email = unique_email("officer");
        let mut own = app.client();
        own.lang = Some("en");
        crate::accounts::sign_up(&mut own, "Officer", &email).await;
        let parsed = Email::parse(&email).unwrap();
        let officer = accounts::find_user_by_email(&app.db, &parsed)
            .await
            .unwrap()
            .unwrap();
        assert!(officer.email_verified_at.is_none());
        accounts::set_pending_totp(&app.db, &officer.id, &totp::generate_secret())
            .await
            .unwrap();
        let mut tx = app.db.begin().await.unwrap();
        accounts::enable_totp(&mut tx, &officer.id, &["code-hash-2".to_owned()])
            .await
            .unwrap();
        safir_store::accounts::grants::grant(
            &mut tx,
            &officer.id,
            safir_domain::roles::Role::ConsularOfficer,
            &safir_domain::roles::Scope::Ministry,
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut c = app.client();
        c.lang = Some("en");
        c.submit("/password/forgot", "/password/forgot", &[("email", &email)])
            .await;
        let mails = app.emails_to(&email).await;
        let link = link_in(&mails.last().unwrap().text, "/password/reset?token=");
        let token = link.split("token=").nth(1).unwrap().to_owned();
        let res = c
            .submit(
                &link,
                "/password/reset",
                &[
                    ("token", token.as_str()),
                    ("password", NEW_PASSWORD),
                    ("password_confirm", NEW_PASSWORD),
                ],
            )
            .await;
        assert_eq!(res.location(), Some("/sign-in?notice=password-reset"));
        let kept = accounts::find_user(&app.db, &officer.id).await.unwrap();
        assert!(kept.totp_enabled(), "a role holder's second factor stays");
        assert!(kept.email_verified_at.is_some());
    }
}
