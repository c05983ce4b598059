//! Sessions, grants and missions are kept in memory for a moment (`security.auth_cache_seconds`):
//! a change made through this process applies on the very next request; one made behind its
//! back (another process, or a statement outside the accounts store) within the cache time.

use std::time::Duration;

use safir_domain::ids::MissionId;
use safir_domain::roles::{Role, Scope};
use safir_store::accounts::grants;
use safir_store::testing::TestDb;
use safir_store::with_pool;
use safir_web::state::WebConfig;

use crate::admin_support::signed_in;
use crate::harness::{Account, TestApp, unique_email};

async fn app_with_cache(ttl: Duration) -> TestApp {
    TestApp::with_config(
        TestDb::sqlite().await,
        WebConfig {
            auth_cache_ttl: ttl,
            ..WebConfig::default()
        },
    )
    .await
}

/// The Paris mission's id and a consular officer there.
async fn paris_officer(app: &TestApp) -> (String, Account) {
    let paris = app.mission("PAR", "FR").await;
    let officer = app
        .staff(
            &unique_email("officer"),
            &[(Role::ConsularOfficer, Some(&paris))],
        )
        .await;
    (paris, officer)
}

/// Removes every grant of `user_id` the way another process would: straight in the
/// database, without this process's accounts store knowing.
async fn revoke_behind_its_back(app: &TestApp, user_id: &str) {
    with_pool!(app.db.write(), p => {
        sqlx::query("DELETE FROM role_grants WHERE user_id = $1")
            .bind(user_id)
            .execute(p)
            .await
            .map(|_| ())
    })
    .unwrap();
}

#[tokio::test]
async fn a_grant_revoked_through_this_process_applies_on_the_next_request() {
    let app = app_with_cache(Duration::from_secs(60)).await;
    let (paris, officer) = paris_officer(&app).await;
    let mut client = signed_in(&app, &officer).await;
    assert_eq!(client.get("/missions/PAR/dashboard").await.status, 200);
    assert_eq!(client.get("/missions/PAR/dashboard").await.status, 200);

    let mut tx = app.db.begin().await.unwrap();
    let scope = Scope::Mission(MissionId::from_trusted(paris.clone()));
    assert!(
        grants::revoke(&mut tx, &officer.id, Role::ConsularOfficer, &scope)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    assert_eq!(client.get("/missions/PAR/dashboard").await.status, 403);
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session_at_once() {
    let app = app_with_cache(Duration::from_secs(60)).await;
    let (_, officer) = paris_officer(&app).await;
    let mut laptop = signed_in(&app, &officer).await;
    let mut phone = signed_in(&app, &officer).await;
    assert_eq!(phone.get("/missions/PAR/dashboard").await.status, 200);
    let res = laptop
        .submit("/account", "/account/sessions/sign-out-everywhere", &[])
        .await;
    assert!(res.status.is_redirection(), "{}", res.status);
    let after = phone.get("/missions/PAR/dashboard").await;
    assert!(after.status.is_redirection(), "{}", after.status);
    assert!(
        after.headers["location"]
            .to_str()
            .unwrap()
            .starts_with("/sign-in"),
        "signed out"
    );
}

#[tokio::test]
async fn a_change_made_elsewhere_applies_once_the_cache_time_is_over() {
    let app = app_with_cache(Duration::from_millis(200)).await;
    let (_, officer) = paris_officer(&app).await;
    let mut client = signed_in(&app, &officer).await;
    assert_eq!(client.get("/missions/PAR/dashboard").await.status, 200);
    revoke_behind_its_back(&app, &officer.id).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(client.get("/missions/PAR/dashboard").await.status, 403);
}

#[tokio::test]
async fn with_no_cache_time_every_request_reads_the_database() {
    let app = app_with_cache(Duration::ZERO).await;
    let (_, officer) = paris_officer(&app).await;
    let mut client = signed_in(&app, &officer).await;
    assert_eq!(client.get("/missions/PAR/dashboard").await.status, 200);
    revoke_behind_its_back(&app, &officer.id).await;
    assert_eq!(client.get("/missions/PAR/dashboard").await.status, 403);
}
