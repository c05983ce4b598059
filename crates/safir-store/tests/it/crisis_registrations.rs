use chrono::{Duration, NaiveDate};
use safir_domain::Lang;
use safir_domain::accounts::{AccountKind, DisplayName, Email};
use safir_domain::crisis::registration::{
    self, Channel, CheckedRegistration, PlaceInput, RegistrationInput,
};
use safir_store::crisis::registrations::{
    self, CodeCheck, MAX_CODE_ATTEMPTS, NewRegistration, Stored, Verify, purge_time,
};
use safir_store::crisis::subscriptions;
use safir_store::testing::TestDb;
use safir_store::{Db, StoreError, accounts, now};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn user(db: &Db, email: &str) -> String {
    let email = Email::parse(email).unwrap();
    let name = DisplayName::parse("Layla").unwrap();
    let mut tx = db.begin().await.unwrap();
    let id = accounts::create_user(
        &mut tx,
        &accounts::NewUser {
            email: &email,
            display_name: &name,
            password_hash: "h",
            kind: AccountKind::Public,
            lang: Lang::Ar,
            email_verified: true,
            request_key: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id.as_str().to_owned()
}

fn form(kind: &str, email: &str, ends: &[&str]) -> CheckedRegistration {
    let input = RegistrationInput {
        kind: kind.into(),
        full_name: "Layla Haddad".into(),
        email: email.into(),
        phone: "+971501234567".into(),
        channels: vec!["email".into(), "sms".into()],
        lang: "ar".into(),
        places: ends
            .iter()
            .map(|e| PlaceInput {
                country: "FR".into(),
                city: "Paris".into(),
                starts_on: if e.is_empty() {
                    String::new()
                } else {
                    "2026-01-01".into()
                },
                ends_on: (*e).into(),
                ..Default::default()
            })
            .collect(),
        children: "2".into(),
        elderly: true,
        consent: true,
        ..Default::default()
    };
    registration::check(&input, date(2026, 1, 1), false).unwrap()
}

async fn create(db: &Db, new: NewRegistration) -> registrations::Registration {
    let mut tx = db.begin().await.unwrap();
    let places = new.form.places.clone();
    let r = registrations::create(&mut tx, &new, &places).await.unwrap();
    tx.commit().await.unwrap();
    r
}

fn account(user: &str, form: CheckedRegistration) -> NewRegistration {
    let purge_after = purge_time(form.last_day(), Duration::days(30));
    NewRegistration {
        user_id: Some(user.to_owned()),
        crisis_id: None,
        form,
        verify: Verify::Now,
        purge_after,
        request_key: None,
    }
}

fn presence(email: &str, code: &str) -> NewRegistration {
    NewRegistration {
        user_id: None,
        crisis_id: Some("crisis-1".into()),
        form: form("presence", email, &[""]),
        verify: Verify::Code(code.to_owned(), Channel::Email),
        purge_after: Some(now() + Duration::days(30)),
        request_key: None,
    }
}

#[tokio::test]
async fn a_trip_is_stored_with_its_places_listed_and_deleted_by_its_owner() {
    for t in TestDb::all().await {
        let db = &t.db;
        let layla = user(db, "layla@example.org").await;
        let other = user(db, "other@example.org").await;
        let trip = create(
            db,
            account(
                &layla,
                form("trip", "layla@example.org", &["2026-02-01", "2026-03-01"]),
            ),
        )
        .await;
        assert_eq!(trip.kind, "trip");
        assert!(trip.is_verified(), "account holders are verified at once");
        assert_eq!(trip.children, 2);
        assert!(trip.elderly);
        assert_eq!(trip.channel_list(), vec![Channel::Email, Channel::Sms]);
        assert_eq!(
            trip.purge_after,
            purge_time(Some(date(2026, 3, 1)), Duration::days(30)),
            "purged 30 days after the last place ends"
        );
        let places = registrations::places(db, &trip.id).await.unwrap();
        assert_eq!(places.len(), 2);
        assert_eq!(places[1].ends_on.as_deref(), Some("2026-03-01"));
        let home = create(
            db,
            account(&layla, form("residence", "layla@example.org", &[""])),
        )
        .await;
        assert_eq!(home.purge_after, None, "a residence is kept until deleted");
        let mine = registrations::list_for_user(db, &layla).await.unwrap();
        assert_eq!(mine.len(), 2);
        assert!(
            registrations::list_for_user(db, &other)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            !registrations::delete_for_user(db, &other, &trip.id)
                .await
                .unwrap()
        );
        assert!(
            registrations::delete_for_user(db, &layla, &trip.id)
                .await
                .unwrap()
        );
        assert!(matches!(
            registrations::find(db, &trip.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(
            registrations::places(db, &trip.id)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn a_form_sent_twice_stores_one_registration_per_account_or_crisis() {
    for t in TestDb::all().await {
        let db = &t.db;
        let layla = user(db, "layla@example.org").await;
        let other = user(db, "other@example.org").await;
        let keyed = |user: &str, key: &str| NewRegistration {
            request_key: Some(key.to_owned()),
            ..account(user, form("trip", "layla@example.org", &["2026-02-01"]))
        };
        let once = |new: NewRegistration| async move {
            let mut tx = db.begin().await.unwrap();
            let places = new.form.places.clone();
            let stored = registrations::create_once(&mut tx, &new, &places)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            stored
        };
        let Stored::New(first) = once(keyed(&layla, "k1")).await else {
            panic!(
                "{:?}: the first sending stores the registration",
                t.backend()
            );
        };
        let Stored::Again(again) = once(keyed(&layla, "k1")).await else {
            panic!("{:?}: the same key again stores nothing", t.backend());
        };
        assert_eq!(again.id, first.id, "{:?}", t.backend());
        let Stored::New(second) = once(keyed(&layla, "k2")).await else {
            panic!("{:?}: another form is another registration", t.backend());
        };
        let Stored::New(theirs) = once(keyed(&other, "k1")).await else {
            panic!("{:?}: a key is one account's", t.backend());
        };
        assert_ne!(theirs.id, first.id);
        let mine = registrations::list_for_user(db, &layla).await.unwrap();
        assert_eq!(mine.len(), 2, "{:?}", t.backend());
        assert!(mine.iter().any(|r| r.id == second.id));
        let places = registrations::places(db, &first.id).await.unwrap();
        assert_eq!(places.len(), 1, "{:?}: places written once", t.backend());

        let at_crisis = |key: &str| NewRegistration {
            request_key: Some(key.to_owned()),
            ..presence("guest@example.org", "123456")
        };
        let Stored::New(guest) = once(at_crisis("p1")).await else {
            panic!("{:?}: a presence registration", t.backend());
        };
        let Stored::Again(guest_again) = once(at_crisis("p1")).await else {
            panic!("{:?}: the presence form sent again", t.backend());
        };
        assert_eq!(guest_again.id, guest.id);
        // Keyless registrations are always new.
        let a = create(db, presence("guest@example.org", "123456")).await;
        let b = create(db, presence("guest@example.org", "123456")).await;
        assert_ne!(a.id, b.id);
    }
}

#[tokio::test]
async fn the_purge_removes_registrations_past_their_time_only() {
    for t in TestDb::all().await {
        let db = &t.db;
        let layla = user(db, "layla@example.org").await;
        let old = create(
            db,
            account(&layla, form("trip", "layla@example.org", &["2026-01-10"])),
        )
        .await;
        let home = create(
            db,
            account(&layla, form("residence", "layla@example.org", &[""])),
        )
        .await;
        let at = purge_time(Some(date(2026, 1, 10)), Duration::days(30)).unwrap();
        assert_eq!(
            registrations::purge_expired(db, at - Duration::seconds(1))
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            registrations::purge_expired(db, at + Duration::seconds(1))
                .await
                .unwrap(),
            1
        );
        assert!(registrations::find(db, &old.id).await.is_err());
        assert!(registrations::places(db, &old.id).await.unwrap().is_empty());
        assert!(registrations::find(db, &home.id).await.is_ok());
    }
}

#[tokio::test]
async fn a_presence_code_verifies_once_and_locks_after_five_wrong_tries() {
    for t in TestDb::all().await {
        let db = &t.db;
        let ok = create(db, presence("a@example.org", "123456")).await;
        assert!(!ok.is_verified());
        assert_eq!(ok.verify_channel.as_deref(), Some("email"));
        assert_eq!(
            registrations::verify_code(db, &ok.id, "654321", now())
                .await
                .unwrap(),
            CodeCheck::Wrong {
                attempts_left: MAX_CODE_ATTEMPTS - 1
            }
        );
        assert_eq!(
            registrations::verify_code(db, &ok.id, " 123456 ", now())
                .await
                .unwrap(),
            CodeCheck::Verified
        );
        assert!(registrations::find(db, &ok.id).await.unwrap().is_verified());
        assert_eq!(
            registrations::verify_code(db, &ok.id, "123456", now())
                .await
                .unwrap(),
            CodeCheck::AlreadyVerified
        );

        let locked = create(db, presence("b@example.org", "111111")).await;
        for i in 1..MAX_CODE_ATTEMPTS {
            assert_eq!(
                registrations::verify_code(db, &locked.id, "000000", now())
                    .await
                    .unwrap(),
                CodeCheck::Wrong {
                    attempts_left: MAX_CODE_ATTEMPTS - i
                }
            );
        }
        assert_eq!(
            registrations::verify_code(db, &locked.id, "000000", now())
                .await
                .unwrap(),
            CodeCheck::Locked
        );
        assert_eq!(
            registrations::verify_code(db, &locked.id, "111111", now())
                .await
                .unwrap(),
            CodeCheck::Locked,
            "the right code no longer helps"
        );
        assert!(
            !registrations::find(db, &locked.id)
                .await
                .unwrap()
                .is_verified()
        );

        let late = create(db, presence("c@example.org", "222222")).await;
        assert_eq!(
            registrations::verify_code(db, &late.id, "222222", now() + Duration::minutes(31))
                .await
                .unwrap(),
            CodeCheck::Expired
        );
    }
}

#[tokio::test]
async fn a_person_downloads_and_deletes_everything_held_about_them() {
    for t in TestDb::all().await {
        let db = &t.db;
        let layla = user(db, "layla@example.org").await;
        let trip = create(
            db,
            account(&layla, form("trip", "layla@example.org", &["2026-02-01"])),
        )
        .await;
        let p = create(db, presence("layla@example.org", "123456")).await;
        registrations::verify_code(db, &p.id, "123456", now())
            .await
            .unwrap();
        let stranger = create(db, presence("someone@example.org", "123456")).await;
        let mut tx = db.begin().await.unwrap();
        let fr = safir_domain::CountryCode::parse("FR").unwrap();
        subscriptions::subscribe(&mut tx, fr, Channel::Email, "layla@example.org", "ar")
            .await
            .unwrap();
        subscriptions::subscribe(&mut tx, fr, Channel::Sms, "+971501234567", "ar")
            .await
            .unwrap();
        subscriptions::subscribe(&mut tx, fr, Channel::Email, "someone@example.org", "ar")
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let data = registrations::export_for_user(db, &layla, Some("layla@example.org"))
            .await
            .unwrap();
        let regs = data["registrations"].as_array().unwrap();
        assert_eq!(regs.len(), 2, "{data}");
        assert_eq!(regs[0]["id"], trip.id);
        assert_eq!(regs[0]["places"][0]["city"], "Paris");
        assert!(regs[0]["checkins"].as_array().unwrap().is_empty());
        assert_eq!(regs[1]["kind"], "presence");
        assert!(data.to_string().find("someone@").is_none());
        // The address's subscriptions; not the SMS ones of the phone typed in the trip,
        // which may be anyone's number (they end by replying STOP).
        let subs = data["subscriptions"].as_array().unwrap();
        assert_eq!(subs.len(), 1, "{data}");
        assert_eq!(subs[0]["address"], "layla@example.org");
        assert!(data.to_string().find("verify_code_hash").is_none());

        let (r, s) = registrations::delete_all_for_user(db, &layla, Some("layla@example.org"))
            .await
            .unwrap();
        assert_eq!((r, s), (2, 1));
        let data = registrations::export_for_user(db, &layla, Some("layla@example.org"))
            .await
            .unwrap();
        assert!(data["registrations"].as_array().unwrap().is_empty());
        assert!(data["subscriptions"].as_array().unwrap().is_empty());
        assert!(registrations::find(db, &stranger.id).await.is_ok());
    }
}
