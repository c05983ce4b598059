use chrono::{Datelike, NaiveDate, Utc};
use safir_domain::CountryCode;
use safir_domain::Lang;
use safir_domain::accounts::{AccountKind, DisplayName, Email};
use safir_domain::consular::evisa::{
    Entries, EvisaHolder, EvisaTerms, HolderName, PassportNo, Verification, VisaTypeCode,
    verify_code,
};
use safir_domain::ids::{MissionId, UserId};
use safir_domain::mission::MissionCode;
use safir_store::consular::evisas::{self, IssueEvisa};
use safir_store::missions;
use safir_store::testing::TestDb;
use safir_store::{Db, StoreError, accounts};

use crate::missions::create_paris;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn user(db: &Db, email: &str) -> UserId {
    let email = Email::parse(email).unwrap();
    let name = DisplayName::parse("Anna").unwrap();
    let mut tx = db.begin().await.unwrap();
    let id = accounts::create_user(
        &mut tx,
        &accounts::NewUser {
            email: &email,
            display_name: &name,
            password_hash: "h",
            kind: AccountKind::Public,
            lang: Lang::En,
            email_verified: true,
            request_key: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

fn request(mission: &MissionId, holder: &UserId) -> IssueEvisa {
    IssueEvisa {
        case_id: Some("case-1".into()),
        mission_id: mission.clone(),
        holder_id: holder.clone(),
        holder: EvisaHolder {
            name: HolderName::parse("ERIKSSON ANNA MARIA").unwrap(),
            passport_number: PassportNo::parse("L898902C3").unwrap(),
            nationality: CountryCode::parse("SE").unwrap(),
            birth_date: date(1974, 8, 12),
        },
        terms: EvisaTerms::new(
            VisaTypeCode::parse("TOUR").unwrap(),
            Entries::Single,
            date(2026, 3, 1),
            date(2026, 8, 31),
            30,
        )
        .unwrap(),
        issued_by: None,
    }
}

#[tokio::test]
async fn issued_visas_are_numbered_signed_found_and_revoked() {
    for t in TestDb::all().await {
        let db = &t.db;
        let key = evisas::signing_key(db).await.unwrap();
        assert_eq!(
            evisas::signing_key(db).await.unwrap().id(),
            key.id(),
            "the key is made once and kept"
        );
        let mission = create_paris(db).await;
        let holder = user(db, "anna@example.org").await;
        let mut tx = db.begin().await.unwrap();
        let first = evisas::issue(&mut tx, request(&mission, &holder), &key)
            .await
            .unwrap();
        let second = evisas::issue(&mut tx, request(&mission, &holder), &key)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let year = Utc::now().year();
        assert_eq!(first.visa_number, format!("PAR-V-{year}-000001"));
        assert_eq!(second.visa_number, format!("PAR-V-{year}-000002"));
        assert_eq!(first.key_id, key.id().to_hex());

        // What is stored is what was signed, and it checks out against the public key.
        let found = evisas::find(db, &first.id).await.unwrap();
        assert_eq!(found.code(), first.code());
        assert_eq!(found.issued_at, first.issued_at);
        assert_eq!(found.valid_until, date(2026, 8, 31));
        let payload = found.signed_payload().unwrap();
        assert_eq!(payload.visa_number.as_str(), found.visa_number);
        assert_eq!(payload.issued_at(), found.issued_at);
        let checked = verify_code(&found.code(), &[key.verifying_key()], date(2026, 4, 1));
        assert_eq!(checked, Verification::Valid(payload));

        let by_number = evisas::find_by_number(db, &second.visa_number)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(by_number.id, second.id);
        assert!(
            evisas::find_by_number(db, "PAR-V-1999-000001")
                .await
                .unwrap()
                .is_none()
        );
        assert!(matches!(
            evisas::find(db, "nope").await,
            Err(StoreError::NotFound)
        ));

        let listed: Vec<String> = evisas::list_for_holder(db, holder.as_str())
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(listed, vec![second.id.clone(), first.id.clone()]);
        let other = user(db, "other@example.org").await;
        assert!(
            evisas::list_for_holder(db, other.as_str())
                .await
                .unwrap()
                .is_empty()
        );

        let officer = user(db, "officer@example.org").await;
        let mut tx = db.begin().await.unwrap();
        let revoked = evisas::revoke(&mut tx, &first.id, &officer, "passport reported stolen")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(revoked.is_revoked());
        assert_eq!(revoked.revoked_by.as_deref(), Some(officer.as_str()));

        let mut tx = db.begin().await.unwrap();
        assert!(matches!(
            evisas::revoke(&mut tx, &first.id, &officer, "again").await,
            Err(StoreError::Conflict("revoked"))
        ));
        assert!(matches!(
            evisas::revoke(&mut tx, "nope", &officer, "x").await,
            Err(StoreError::NotFound)
        ));
        tx.rollback().await.unwrap();
        let kept = evisas::find(db, &first.id).await.unwrap();
        assert_eq!(
            kept.revoke_reason.as_deref(),
            Some("passport reported stolen")
        );
        assert!(!evisas::find(db, &second.id).await.unwrap().is_revoked());
    }
}

#[tokio::test]
async fn concurrent_issues_get_distinct_numbers() {
    for t in TestDb::all().await {
        let db = t.db.clone();
        let key = evisas::signing_key(&db).await.unwrap();
        let mission = create_paris(&db).await;
        let holder = user(&db, "anna@example.org").await;
        let mut tasks = Vec::new();
        for _ in 0..6 {
            let (db, key, req) = (db.clone(), key.clone(), request(&mission, &holder));
            tasks.push(tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                let visa = evisas::issue(&mut tx, req, &key).await.unwrap();
                tx.commit().await.unwrap();
                visa.visa_number
            }));
        }
        let mut numbers = Vec::new();
        for task in tasks {
            numbers.push(task.await.unwrap());
        }
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), 6, "{numbers:?}");
    }
}

#[tokio::test]
async fn issuing_for_an_unknown_mission_fails_cleanly() {
    for t in TestDb::all().await {
        let db = &t.db;
        let key = evisas::signing_key(db).await.unwrap();
        let holder = user(db, "anna@example.org").await;
        let mut tx = db.begin().await.unwrap();
        let result = evisas::issue(&mut tx, request(&MissionId::new(), &holder), &key).await;
        assert!(matches!(result, Err(StoreError::NotFound)));
        tx.rollback().await.unwrap();
    }
}

/// A code that another mission's e-visa numbers carry is not given out again: the new holder
/// would number its visas from 1 under the same prefix and every approval would collide.
#[tokio::test]
async fn a_code_carried_by_another_missions_visas_is_not_given_out_again() {
    for t in TestDb::all().await {
        let db = &t.db;
        let key = evisas::signing_key(db).await.unwrap();
        let paris = create_paris(db).await;
        let holder = user(db, "anna@example.org").await;
        let mut tx = db.begin().await.unwrap();
        evisas::issue(&mut tx, request(&paris, &holder), &key)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut renamed = crate::missions::paris();
        renamed.code = MissionCode::parse("PRS").unwrap();
        let mut tx = db.begin().await.unwrap();
        missions::update(&mut tx, paris.as_str(), &renamed)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        // A new mission under the freed code: refused, beside the code.
        let mut tx = db.begin().await.unwrap();
        assert!(matches!(
            missions::create(&mut tx, &crate::missions::paris()).await,
            Err(StoreError::Conflict("code_used"))
        ));
        tx.rollback().await.unwrap();

        // Paris itself may take its old code back: its counters are its own.
        let mut tx = db.begin().await.unwrap();
        missions::update(&mut tx, paris.as_str(), &crate::missions::paris())
            .await
            .unwrap();
        let second = evisas::issue(&mut tx, request(&paris, &holder), &key)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(
            second.visa_number.ends_with("-000002"),
            "{}",
            second.visa_number
        );
    }
}
