use chrono::Duration;
use safir_domain::Lang;
use safir_domain::accounts::{AccountKind, DisplayName, Email, Password};
use safir_domain::ids::MissionId;
use safir_domain::roles::{Permission, Role, Scope, Target};
use safir_store::accounts::tokens::{self, EmailPurpose};
use safir_store::accounts::{self, grants, password, sessions};
use safir_store::testing::TestDb;
use safir_store::{Db, StoreError};

async fn new_user(db: &Db, email: &str) -> String {
    let email = Email::parse(email).unwrap();
    let name = DisplayName::parse("ليلى").unwrap();
    let hash = password::hash(&Password::parse("correct horse battery").unwrap()).await;
    let mut tx = db.begin().await.unwrap();
    let id = accounts::create_user(
        &mut tx,
        &accounts::NewUser {
            email: &email,
            display_name: &name,
            password_hash: &hash,
            kind: AccountKind::Public,
            lang: Lang::Ar,
            email_verified: false,
            request_key: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id.to_string()
}

#[tokio::test]
async fn users_are_unique_by_email_whatever_its_case() {
    for t in TestDb::all().await {
        let db = &t.db;
        let id = new_user(db, "Layla@Example.org").await;
        let found = accounts::find_user_by_email(db, &Email::parse("layla@example.org").unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.id, id);
        assert!(password::verify("correct horse battery", &found.password_hash).await);

        let email = Email::parse("LAYLA@example.org").unwrap();
        let name = DisplayName::parse("x").unwrap();
        let mut tx = db.begin().await.unwrap();
        let dup = accounts::create_user(
            &mut tx,
            &accounts::NewUser {
                email: &email,
                display_name: &name,
                password_hash: "h",
                kind: AccountKind::Public,
                lang: Lang::En,
                email_verified: false,
                request_key: None,
            },
        )
        .await;
        assert!(matches!(dup, Err(StoreError::Conflict("email"))));
    }
}

#[tokio::test]
async fn sessions_are_found_by_secret_only_and_signed_out_everywhere() {
    for t in TestDb::all().await {
        let db = &t.db;
        let uid = new_user(db, "omar@example.org").await;
        let a = sessions::create(
            db,
            &uid,
            false,
            Some("203.0.113.9"),
            Some("test"),
            Duration::hours(1),
        )
        .await
        .unwrap();
        let b = sessions::create(db, &uid, true, None, None, Duration::hours(1))
            .await
            .unwrap();
        assert_ne!(a, b);
        let s = sessions::find(db, &a).await.unwrap().unwrap();
        assert_eq!(s.user_id, uid);
        assert!(!s.mfa_passed);
        assert!(sessions::find(db, "not-a-session").await.unwrap().is_none());
        sessions::mark_mfa_passed(db, &s.id_hash).await.unwrap();
        assert!(sessions::find(db, &a).await.unwrap().unwrap().mfa_passed);

        assert_eq!(sessions::delete_all_for_user(db, &uid).await.unwrap(), 2);
        assert!(sessions::find(db, &b).await.unwrap().is_none());

        let expired = sessions::create(db, &uid, false, None, None, Duration::seconds(-1))
            .await
            .unwrap();
        assert!(sessions::find(db, &expired).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn email_tokens_work_once_for_their_purpose() {
    for t in TestDb::all().await {
        let db = &t.db;
        let uid = new_user(db, "sara@example.org").await;
        let mut tx = db.begin().await.unwrap();
        let secret = tokens::issue_email_token(
            &mut tx,
            &uid,
            EmailPurpose::VerifyEmail,
            Duration::hours(24),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let mut tx = db.begin().await.unwrap();
        assert_eq!(
            tokens::consume_email_token(&mut tx, &secret, EmailPurpose::ResetPassword)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            tokens::consume_email_token(&mut tx, &secret, EmailPurpose::VerifyEmail)
                .await
                .unwrap(),
            Some(uid.clone())
        );
        assert_eq!(
            tokens::consume_email_token(&mut tx, &secret, EmailPurpose::VerifyEmail)
                .await
                .unwrap(),
            None
        );
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn api_tokens_authenticate_until_revoked() {
    for t in TestDb::all().await {
        let db = &t.db;
        let uid = new_user(db, "api@example.org").await;
        let mut tx = db.begin().await.unwrap();
        let (id, secret) = tokens::create_api_token(&mut tx, &uid, "ci", &["read"], None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(secret.starts_with(tokens::API_TOKEN_PREFIX));
        let tok = tokens::authenticate_api_token(db, &secret)
            .await
            .unwrap()
            .unwrap();
        assert!(tok.has_scope("read"));
        assert!(!tok.has_scope("write"));
        let mut tx = db.begin().await.unwrap();
        assert!(
            tokens::revoke_api_token(&mut tx, &uid, id.as_str())
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        assert!(
            tokens::authenticate_api_token(db, &secret)
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn grants_round_trip_into_permissions() {
    for t in TestDb::all().await {
        let db = &t.db;
        let uid = new_user(db, "officer@example.org").await;
        let paris = MissionId::new();
        let mut tx = db.begin().await.unwrap();
        assert!(
            grants::grant(
                &mut tx,
                &uid,
                Role::ConsularOfficer,
                &Scope::Mission(paris.clone()),
                None
            )
            .await
            .unwrap()
        );
        assert!(
            !grants::grant(
                &mut tx,
                &uid,
                Role::ConsularOfficer,
                &Scope::Mission(paris.clone()),
                None
            )
            .await
            .unwrap()
        );
        tx.commit().await.unwrap();
        let g = grants::grants_for_user(db, &uid).await.unwrap();
        assert!(g.can(Permission::ManageConsularCases, Target::Mission(&paris)));
        assert!(!g.can(
            Permission::ManageConsularCases,
            Target::Mission(&MissionId::new())
        ));
        let mut tx = db.begin().await.unwrap();
        assert!(
            grants::revoke(
                &mut tx,
                &uid,
                Role::ConsularOfficer,
                &Scope::Mission(paris.clone())
            )
            .await
            .unwrap()
        );
        tx.commit().await.unwrap();
        assert!(!grants::grants_for_user(db, &uid).await.unwrap().is_staff());
    }
}

#[tokio::test]
async fn repeated_failed_logins_lock_the_account() {
    for t in TestDb::all().await {
        let db = &t.db;
        let uid = new_user(db, "locked@example.org").await;
        for _ in 0..4 {
            assert!(
                accounts::record_failed_login(db, &uid, 5, Duration::minutes(15))
                    .await
                    .unwrap()
                    .is_none()
            );
        }
        assert!(
            accounts::record_failed_login(db, &uid, 5, Duration::minutes(15))
                .await
                .unwrap()
                .is_some()
        );
        accounts::reset_failed_logins(db, &uid).await.unwrap();
        let u = accounts::find_user(db, &uid).await.unwrap();
        assert_eq!(u.failed_logins, 0);
        assert!(u.locked_until.is_none());

        // Once a lock has ended, one slip is the first failure of a new count, not a new lock.
        for _ in 0..5 {
            accounts::record_failed_login(db, &uid, 5, Duration::milliseconds(50))
                .await
                .unwrap();
        }
        assert!(
            accounts::find_user(db, &uid)
                .await
                .unwrap()
                .locked_until
                .is_some()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let after = accounts::record_failed_login(db, &uid, 5, Duration::minutes(15))
            .await
            .unwrap();
        assert!(after.is_none(), "locked again by one slip: {after:?}");
        let u = accounts::find_user(db, &uid).await.unwrap();
        assert_eq!(u.failed_logins, 1);
        assert!(u.locked_until.is_none());
    }
}
