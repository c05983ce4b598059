//! A draft's expiry moved on by what keeps it in use besides saving its form (documents filed
//! under it): never shortened, only for a draft, and the purge then leaves it alone.

use std::collections::BTreeMap;

use chrono::Duration;
use safir_domain::accounts::AccountKind;
use safir_domain::consular::case::{CaseKind, Priority};
use safir_store::consular::cases::{self, NewDraft};
use safir_store::consular::services;
use safir_store::testing::TestDb;
use safir_store::{missions, now, with_pool};

use crate::consular_cases::passport_service;
use crate::directory::user;
use crate::missions::paris;

#[tokio::test]
async fn a_draft_kept_longer_is_not_purged_and_is_never_shortened() {
    for t in TestDb::all().await {
        let db = &t.db;
        let mut tx = db.begin().await.unwrap();
        let mission = missions::create(&mut tx, &paris()).await.unwrap();
        let service = services::create(&mut tx, mission.as_str(), &passport_service())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let applicant = user(db, "amal@example.org", "أمل", AccountKind::Public).await;
        let form = BTreeMap::new();
        let soon = now() + Duration::hours(1);
        let mut tx = db.begin().await.unwrap();
        let case = cases::create_draft(
            &mut tx,
            &NewDraft {
                mission_id: mission.as_str(),
                service_id: service.as_str(),
                kind: CaseKind::PassportRenewal,
                applicant_id: &applicant,
                form: &form,
                applicant_name: "أمل",
                lang: "ar",
                priority: Priority::Normal,
                idempotency_key: None,
                idempotency_fingerprint: None,
                expires_at: soon,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let later = now() + Duration::days(30);
        assert!(cases::extend_draft(db, &case.id, later).await.unwrap());
        let kept = cases::find(db, &case.id).await.unwrap().expires_at.unwrap();
        assert!(kept > now() + Duration::days(29), "{kept}");
        // A shorter date leaves it as it is.
        assert!(cases::extend_draft(db, &case.id, soon).await.unwrap());
        let still = cases::find(db, &case.id).await.unwrap().expires_at.unwrap();
        assert_eq!(still, kept);
        // The purge at the first expiry leaves it alone.
        let purged = cases::purge_expired_drafts(db, soon + Duration::minutes(1))
            .await
            .unwrap();
        assert_eq!(purged, 0);
        assert!(cases::find(db, &case.id).await.is_ok());

        // Only a draft: a submitted case keeps having no expiry, a missing one is told.
        with_pool!(db.write(), p => {
            sqlx::query("UPDATE cases SET state = 'submitted', expires_at = NULL WHERE id = $1")
                .bind(&case.id)
                .execute(p)
                .await
                .map(drop)
        })
        .unwrap();
        assert!(!cases::extend_draft(db, &case.id, later).await.unwrap());
        assert!(
            cases::find(db, &case.id)
                .await
                .unwrap()
                .expires_at
                .is_none()
        );
        assert!(
            !cases::extend_draft(db, "no-such-case", later)
                .await
                .unwrap()
        );
    }
}
