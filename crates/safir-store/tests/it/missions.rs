use safir_domain::ids::MissionId;
use safir_domain::mission::{MissionCode, MissionKind, TimeZoneName};
use safir_domain::{CountryCode, Lang};
use safir_store::missions::{self, MissionInput};
use safir_store::testing::TestDb;
use safir_store::{Db, StoreError};

pub fn paris() -> MissionInput {
    MissionInput {
        code: MissionCode::parse("PAR").unwrap(),
        kind: MissionKind::Embassy,
        name_ar: "السفارة في باريس".into(),
        name_en: "Embassy in Paris".into(),
        country: CountryCode::parse("FR").unwrap(),
        city_ar: "باريس".into(),
        city_en: "Paris".into(),
        languages: vec![Lang::Ar, Lang::Fr, Lang::En],
        time_zone: TimeZoneName::parse("Europe/Paris").unwrap(),
        email: Some("paris@ministry.example".into()),
        phone: None,
        address: None,
    }
}

/// The Paris embassy of [`paris`], created and committed: the mission most tests start from.
pub async fn create_paris(db: &Db) -> MissionId {
    let mut tx = db.begin().await.unwrap();
    let id = missions::create(&mut tx, &paris()).await.unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn missions_are_created_listed_updated_and_codes_are_unique() {
    for t in TestDb::all().await {
        let db = &t.db;
        let mut tx = db.begin().await.unwrap();
        let id = missions::create(&mut tx, &paris()).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = db.begin().await.unwrap();
        assert!(matches!(
            missions::create(&mut tx, &paris()).await,
            Err(StoreError::Conflict("code"))
        ));
        tx.rollback().await.unwrap();

        let mut edited = paris();
        edited.city_en = "Paris (16e)".into();
        let mut tx = db.begin().await.unwrap();
        missions::update(&mut tx, id.as_str(), &edited)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let all = missions::list(db).await.unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].city(Lang::En), "Paris (16e)");
        assert_eq!(all[0].name(Lang::Ar), "السفارة في باريس");
        assert_eq!(all[0].languages, "ar fr en");
        assert_eq!(
            missions::find_by_code(db, "par").await.unwrap().unwrap().id,
            id.as_str()
        );
    }
}
