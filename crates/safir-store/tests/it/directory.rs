//! The staff directory: searching users by text, kind and role; a mission's staff; the count
//! of enabled ministry-wide admins that guards the last one.

use safir_domain::Lang;
use safir_domain::accounts::{AccountKind, DisplayName, Email};
use safir_domain::ids::MissionId;
use safir_domain::roles::{Role, Scope};
use safir_store::Db;
use safir_store::accounts::directory::{self, UserSearch};
use safir_store::accounts::{self, grants};
use safir_store::testing::TestDb;

use crate::missions::create_paris;

pub async fn user(db: &Db, email: &str, name: &str, kind: AccountKind) -> String {
    let mut tx = db.begin().await.unwrap();
    let id = accounts::create_user(
        &mut tx,
        &accounts::NewUser {
            email: &Email::parse(email).unwrap(),
            display_name: &DisplayName::parse(name).unwrap(),
            password_hash: "x",
            kind,
            lang: Lang::Ar,
            email_verified: true,
            request_key: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id.to_string()
}

async fn grant(db: &Db, user: &str, role: Role, scope: Scope) {
    let mut tx = db.begin().await.unwrap();
    grants::grant(&mut tx, user, role, &scope, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn users_are_found_by_text_kind_and_role_with_their_grants() {
    for t in TestDb::all().await {
        let db = &t.db;
        let paris_id = create_paris(db).await;
        let layla = user(db, "layla@example.org", "Layla Haddad", AccountKind::Staff).await;
        let omar = user(db, "omar@example.org", "عمر", AccountKind::Staff).await;
        let citizen = user(db, "c_1@example.org", "Citizen", AccountKind::Public).await;
        grant(db, &layla, Role::Admin, Scope::Ministry).await;
        grant(
            db,
            &omar,
            Role::ConsularOfficer,
            Scope::Mission(paris_id.clone()),
        )
        .await;

        let all = directory::search_users(db, &UserSearch::default(), 50)
            .await
            .unwrap();
        assert_eq!(all.len(), 3);

        let by_name = UserSearch {
            text: Some("HADDAD".into()),
            ..UserSearch::default()
        };
        let found = directory::search_users(db, &by_name, 50).await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, layla);
        assert_eq!(found[0].grants, vec![("admin".into(), "*".into())]);

        let arabic = UserSearch {
            text: Some("عمر".into()),
            ..UserSearch::default()
        };
        let found = directory::search_users(db, &arabic, 50).await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].grants,
            vec![("consular_officer".into(), paris_id.as_str().to_owned())]
        );

        // Names are compared on their search key: Unicode case on SQLite too, Arabic letter
        // variants folded; a renamed user is found by the new name only.
        let mut tx = db.begin().await.unwrap();
        accounts::update_profile(
            &mut tx,
            &omar,
            Some(&DisplayName::parse("أُسامة ÉLOI").unwrap()),
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // A name is found by each of its words, in any order; an email by the whole text.
        for (text, want) in [
            ("اسامه", 1),
            ("éloi", 1),
            ("عمر", 0),
            ("eloi أسامة", 1),
            ("haddad  LAYLA", 1),
            ("haddad omar", 0),
            ("layla@example", 1),
            ("layla example", 0),
        ] {
            let search = UserSearch {
                text: Some(text.into()),
                ..UserSearch::default()
            };
            let found = directory::search_users(db, &search, 50).await.unwrap();
            assert_eq!(found.len(), want, "{:?}: {text}", t.backend());
        }

        // `_` is a literal underscore, not "any character".
        let underscore = UserSearch {
            text: Some("c_".into()),
            ..UserSearch::default()
        };
        let found = directory::search_users(db, &underscore, 50).await.unwrap();
        assert_eq!(
            found.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(),
            [citizen.as_str()]
        );

        let public = UserSearch {
            kind: Some(AccountKind::Public),
            ..UserSearch::default()
        };
        let found = directory::search_users(db, &public, 50).await.unwrap();
        assert_eq!(found.len(), 1);
        assert!(found[0].grants.is_empty());

        let officers = UserSearch {
            role: Some(Role::ConsularOfficer),
            ..UserSearch::default()
        };
        let found = directory::search_users(db, &officers, 50).await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, omar);

        let limited = directory::search_users(db, &UserSearch::default(), 2)
            .await
            .unwrap();
        assert_eq!(limited.len(), 2);
    }
}

#[tokio::test]
async fn a_missions_staff_lists_only_its_own_grants() {
    for t in TestDb::all().await {
        let db = &t.db;
        let paris_id = create_paris(db).await;
        let elsewhere = MissionId::new();
        let a = user(db, "a@example.org", "Amal", AccountKind::Staff).await;
        let b = user(db, "b@example.org", "Bassam", AccountKind::Staff).await;
        grant(
            db,
            &a,
            Role::HeadOfMission,
            Scope::Mission(paris_id.clone()),
        )
        .await;
        grant(db, &a, Role::PressOfficer, Scope::Mission(paris_id.clone())).await;
        grant(db, &b, Role::Analyst, Scope::Mission(elsewhere)).await;
        grant(db, &b, Role::Admin, Scope::Ministry).await;

        let staff = directory::mission_staff(db, paris_id.as_str())
            .await
            .unwrap();
        let rows: Vec<(&str, &str)> = staff
            .iter()
            .map(|s| (s.display_name.as_str(), s.role.as_str()))
            .collect();
        assert_eq!(
            rows,
            [("Amal", "head_of_mission"), ("Amal", "press_officer")]
        );
        assert!(!staff[0].disabled);
    }
}

/// Arabic names in a mission's staff list as a dictionary has them: any form of alef is read
/// as ا (the order of the code points would put آمنة first and ابتسام last).
#[tokio::test]
async fn a_missions_staff_is_listed_in_dictionary_order() {
    for t in TestDb::all().await {
        let db = &t.db;
        let paris_id = create_paris(db).await;
        for (email, name) in [
            ("amina@example.org", "آمنة"),
            ("ahmad@example.org", "أحمد"),
            ("ibtisam@example.org", "ابتسام"),
        ] {
            let id = user(db, email, name, AccountKind::Staff).await;
            grant(db, &id, Role::Analyst, Scope::Mission(paris_id.clone())).await;
        }
        let staff = directory::mission_staff(db, paris_id.as_str())
            .await
            .unwrap();
        let names: Vec<&str> = staff.iter().map(|s| s.display_name.as_str()).collect();
        assert_eq!(names, ["ابتسام", "أحمد", "آمنة"]);
    }
}

#[tokio::test]
async fn disabled_admins_do_not_count_as_active_admins() {
    for t in TestDb::all().await {
        let db = &t.db;
        let a = user(db, "a@example.org", "Amal", AccountKind::Staff).await;
        let b = user(db, "b@example.org", "Bassam", AccountKind::Staff).await;
        grant(db, &a, Role::Admin, Scope::Ministry).await;
        grant(db, &b, Role::Admin, Scope::Ministry).await;
        grant(db, &b, Role::Analyst, Scope::Ministry).await;

        let mut tx = db.begin().await.unwrap();
        assert_eq!(
            directory::count_active_ministry_admins(&mut tx)
                .await
                .unwrap(),
            2
        );
        assert!(directory::is_ministry_admin(&mut tx, &a).await.unwrap());
        assert!(accounts::set_disabled(&mut tx, &b, true).await.unwrap());
        assert!(
            !accounts::set_disabled(&mut tx, &b, true).await.unwrap(),
            "a second disable changes nothing"
        );
        assert_eq!(
            directory::count_active_ministry_admins(&mut tx)
                .await
                .unwrap(),
            1
        );
        tx.commit().await.unwrap();
    }
}

/// The kind "staff" finds staff accounts and the citizens' accounts given a role: one granted
/// head_of_mission is staff in all it may do. "Public" still finds every citizen's account.
#[tokio::test]
async fn the_staff_kind_finds_citizens_accounts_that_hold_a_role() {
    for t in TestDb::all().await {
        let db = &t.db;
        let paris_id = create_paris(db).await;
        let staff = user(db, "rana@example.org", "Rana", AccountKind::Staff).await;
        let head = user(db, "amal@example.org", "Amal", AccountKind::Public).await;
        let citizen = user(db, "sami@example.org", "Sami", AccountKind::Public).await;
        grant(db, &head, Role::HeadOfMission, Scope::Mission(paris_id)).await;

        let ids = |search: UserSearch| async move {
            let mut ids: Vec<String> = directory::search_users(db, &search, 50)
                .await
                .unwrap()
                .into_iter()
                .map(|u| u.id)
                .collect();
            ids.sort();
            ids
        };
        let sorted = |mut v: Vec<&String>| {
            v.sort();
            v.into_iter().cloned().collect::<Vec<_>>()
        };
        let staff_kind = UserSearch {
            kind: Some(AccountKind::Staff),
            ..UserSearch::default()
        };
        assert_eq!(
            ids(staff_kind).await,
            sorted(vec![&staff, &head]),
            "{:?}",
            t.backend()
        );
        let public_kind = UserSearch {
            kind: Some(AccountKind::Public),
            ..UserSearch::default()
        };
        assert_eq!(
            ids(public_kind).await,
            sorted(vec![&head, &citizen]),
            "{:?}",
            t.backend()
        );
        // With text: the kind narrows the text's finds, no more.
        let by_text = UserSearch {
            text: Some("sami".into()),
            kind: Some(AccountKind::Staff),
            ..UserSearch::default()
        };
        assert!(ids(by_text).await.is_empty(), "{:?}", t.backend());
    }
}
