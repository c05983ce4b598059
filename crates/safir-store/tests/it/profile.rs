//! A user's own profile: name and language change together or not at all.

use safir_domain::Lang;
use safir_domain::accounts::{AccountKind, DisplayName, Email};
use safir_store::accounts;
use safir_store::testing::TestDb;

#[tokio::test]
async fn a_profile_update_changes_only_what_it_names_and_rolls_back_whole() {
    for t in TestDb::all().await {
        let db = &t.db;
        let email = Email::parse("profile@example.org").unwrap();
        let name = DisplayName::parse("Layla").unwrap();
        let mut tx = db.begin().await.unwrap();
        let id = accounts::create_user(
            &mut tx,
            &accounts::NewUser {
                email: &email,
                display_name: &name,
                password_hash: "x",
                kind: AccountKind::Public,
                lang: Lang::Ar,
                email_verified: true,
                request_key: None,
            },
        )
        .await
        .unwrap()
        .to_string();
        tx.commit().await.unwrap();

        let renamed = DisplayName::parse("ليلى حداد").unwrap();
        let mut tx = db.begin().await.unwrap();
        assert!(
            accounts::update_profile(&mut tx, &id, Some(&renamed), None)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        let user = accounts::find_user(db, &id).await.unwrap();
        assert_eq!(
            (user.display_name.as_str(), user.lang()),
            ("ليلى حداد", Lang::Ar)
        );

        let mut tx = db.begin().await.unwrap();
        accounts::update_profile(&mut tx, &id, None, Some(Lang::En))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let user = accounts::find_user(db, &id).await.unwrap();
        assert_eq!(
            (user.display_name.as_str(), user.lang()),
            ("ليلى حداد", Lang::En)
        );

        let mut tx = db.begin().await.unwrap();
        accounts::update_profile(&mut tx, &id, Some(&name), Some(Lang::Ar))
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        let user = accounts::find_user(db, &id).await.unwrap();
        assert_eq!(
            (user.display_name.as_str(), user.lang()),
            ("ليلى حداد", Lang::En)
        );

        let mut tx = db.begin().await.unwrap();
        assert!(
            !accounts::update_profile(&mut tx, "no-such-user", Some(&name), None)
                .await
                .unwrap()
        );
        tx.rollback().await.unwrap();
    }
}
