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

#[tokio::test]
async fn a_save_over_another_version_is_refused() {
    for t in TestDb::all().await {
        let db = &t.db;
        let id = create_paris(db).await;
        let drawn = missions::find(db, id.as_str()).await.unwrap().updated_at;
        let mut tx = db.begin().await.unwrap();
        missions::ensure_unchanged(&mut tx, id.as_str(), drawn)
            .await
            .unwrap();
        let renamed = MissionInput {
            name_en: "The Embassy in Paris".into(),
            ..paris()
        };
        missions::update(&mut tx, id.as_str(), &renamed)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = db.begin().await.unwrap();
        assert!(matches!(
            missions::ensure_unchanged(&mut tx, id.as_str(), drawn).await,
            Err(StoreError::Conflict("changed"))
        ));
        assert!(matches!(
            missions::ensure_unchanged(&mut tx, "nope", drawn).await,
            Err(StoreError::NotFound)
        ));
        let now = missions::find(db, id.as_str()).await.unwrap().updated_at;
        missions::ensure_unchanged(&mut tx, id.as_str(), now)
            .await
            .unwrap();
        tx.rollback().await.unwrap();
    }
}

/// PostgreSQL: two saves of one version at once: the second waits for the first and is
/// refused (both used to read the version before either wrote).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_two_saves_of_one_version_the_second_is_refused() {
    let Some(url) = safir_store::testing::postgres_url() else {
        return;
    };
    let t = TestDb::postgres(&url).await;
    let db = &t.db;
    let id = create_paris(db).await.to_string();
    let drawn = missions::find(db, &id).await.unwrap().updated_at;
    let mut first = db.begin().await.unwrap();
    missions::ensure_unchanged(&mut first, &id, drawn)
        .await
        .unwrap();
    let renamed = MissionInput {
        name_en: "The Embassy in Paris".into(),
        ..paris()
    };
    missions::update(&mut first, &id, &renamed).await.unwrap();
    let second = tokio::spawn({
        let (db, id) = (db.clone(), id.clone());
        async move {
            let mut tx = db.begin().await.unwrap();
            let r = missions::ensure_unchanged(&mut tx, &id, drawn).await;
            tx.rollback().await.unwrap();
            r
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    first.commit().await.unwrap();
    assert!(matches!(
        second.await.unwrap(),
        Err(StoreError::Conflict("changed"))
    ));
}
