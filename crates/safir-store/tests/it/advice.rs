//! Travel advice: each publication is a new version, the latest is in force, a level change
//! (or the first level a country is given) enqueues exactly one job in the same transaction, and editors cannot overwrite a version
//! they have not seen.

use std::time::Duration;

use safir_domain::CountryCode;
use safir_domain::Lang;
use safir_domain::consular::advice::{
    AdviceLevel, AdviceSection, RawAdvice, RawAdviceText, TravelAdvice,
};
use safir_store::consular::advice::{self, LEVEL_CHANGED_JOB, LevelChanged};
use safir_store::jobs::{
    self, ClaimedJob, HandlerFuture, JobError, JobHandler, JobRunner, NewJob, RunnerConfig,
};
use safir_store::testing::TestDb;
use safir_store::{Db, StoreError, with_pool};

/// Stands in for the crisis module's subscriber notice (a web-layer handler): reads the
/// payload as the real one does and completes.
struct ReadLevelChange;

impl JobHandler for ReadLevelChange {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> HandlerFuture<'a> {
        Box::pin(async move {
            let _: LevelChanged = job
                .payload_json()
                .map_err(|e| JobError::Permanent(format!("bad payload: {e}")))?;
            Ok(())
        })
    }
}

fn advice(country: &str, level: u8, summary_en: &str) -> TravelAdvice {
    let text = |summary: &str| RawAdviceText {
        summary: summary.to_owned(),
        sections: [
            "Avoid large gatherings.".into(),
            "A visa is required.".into(),
            String::new(),
            "Respect local customs.".into(),
        ],
    };
    let raw = RawAdvice {
        level: level.to_string(),
        ar: text("ملخص النصيحة"),
        en: text(summary_en),
        change_ar: "تحديث".into(),
        change_en: format!("Update: {summary_en}"),
    };
    TravelAdvice::parse(CountryCode::parse(country).unwrap(), &raw).unwrap()
}

async fn publish(
    db: &Db,
    a: &TravelAdvice,
    base: Option<i32>,
) -> Result<advice::Published, StoreError> {
    let mut tx = db.begin().await.unwrap();
    let out = advice::publish(&mut tx, a, None, base).await;
    if out.is_ok() {
        tx.commit().await.unwrap();
    } else {
        tx.rollback().await.unwrap();
    }
    out
}

async fn level_jobs(db: &Db) -> Vec<(String, Option<String>, String)> {
    with_pool!(db.read(), p => {
        sqlx::query_as("SELECT payload, idempotency_key, state FROM jobs WHERE kind = $1 ORDER BY created_at, id")
            .bind(LEVEL_CHANGED_JOB)
            .fetch_all(p)
            .await
    })
    .unwrap()
}

#[tokio::test]
async fn each_publication_is_a_version_and_only_a_new_level_enqueues_a_job() {
    for t in TestDb::all().await {
        let db = &t.db;
        let fr = CountryCode::parse("FR").unwrap();
        assert_eq!(advice::find_current(db, &fr).await.unwrap(), None);

        let first = publish(db, &advice("FR", 1, "Normal precautions."), Some(0))
            .await
            .unwrap();
        assert_eq!((first.version, first.old_level), (1, None));
        // The first publication gives the country a level: its subscribers hear of it.
        assert!(first.level_change_enqueued);
        let jobs = level_jobs(db).await;
        assert_eq!(jobs.len(), 1, "{jobs:?}");
        let payload: LevelChanged = serde_json::from_str(&jobs[0].0).unwrap();
        assert_eq!(
            payload,
            LevelChanged {
                country: "FR".into(),
                old_level: None,
                new_level: 1,
                version_id: first.version_id.clone(),
            }
        );
        let same_level = publish(db, &advice("FR", 1, "Still normal."), Some(1))
            .await
            .unwrap();
        assert_eq!(same_level.version, 2);
        assert!(!same_level.level_change_enqueued);
        assert_eq!(level_jobs(db).await.len(), 1);

        let raised = publish(db, &advice("FR", 3, "Reconsider travel."), Some(2))
            .await
            .unwrap();
        assert_eq!(raised.version, 3);
        assert_eq!(
            raised.old_level,
            Some(AdviceLevel::ExerciseNormalPrecautions)
        );
        assert!(raised.level_change_enqueued);

        let jobs = level_jobs(db).await;
        assert_eq!(jobs.len(), 2, "{jobs:?}");
        let payload: LevelChanged = serde_json::from_str(&jobs[1].0).unwrap();
        assert_eq!(
            payload,
            LevelChanged {
                country: "FR".into(),
                old_level: Some(1),
                new_level: 3,
                version_id: raised.version_id.clone(),
            }
        );
        assert_eq!(
            jobs[1].1.as_deref(),
            Some(format!("{LEVEL_CHANGED_JOB}:{}", raised.version_id).as_str())
        );

        let current = advice::find_current(db, &fr).await.unwrap().unwrap();
        assert_eq!(current.id, raised.version_id);
        assert_eq!(current.version, 3);
        assert_eq!(current.level, AdviceLevel::ReconsiderTravel);
        assert_eq!(current.text(Lang::En).summary(), "Reconsider travel.");
        assert_eq!(
            current
                .text(Lang::Ar)
                .section(AdviceSection::EntryRequirements),
            "A visa is required."
        );
        assert_eq!(current.text(Lang::En).section(AdviceSection::Health), "");
        assert_eq!(current.change.en, "Update: Reconsider travel.");

        let history = advice::history(db, &fr, 10).await.unwrap();
        let seen: Vec<(i32, u8)> = history
            .iter()
            .map(|v| (v.version, v.level.number()))
            .collect();
        assert_eq!(seen, [(3, 3), (2, 1), (1, 1)]);
        assert!(history[0].published_at >= history[2].published_at);
        assert_eq!(advice::history(db, &fr, 1).await.unwrap().len(), 1);

        // Lowering it again is another change, with its own job.
        let lowered = publish(db, &advice("FR", 2, "Increased caution."), None)
            .await
            .unwrap();
        assert!(lowered.level_change_enqueued);
        assert_eq!(level_jobs(db).await.len(), 3);
    }
}

#[tokio::test]
async fn the_level_change_job_is_enqueued_once_and_its_handler_completes_it() {
    for t in TestDb::all().await {
        let db = &t.db;
        publish(db, &advice("SD", 3, "Reconsider travel."), None)
            .await
            .unwrap();
        let raised = publish(db, &advice("SD", 4, "Do not travel."), None)
            .await
            .unwrap();
        // A second enqueue for the same version (a retried request) is a no-op.
        let key = format!("{LEVEL_CHANGED_JOB}:{}", raised.version_id);
        let mut tx = db.begin().await.unwrap();
        let again = jobs::enqueue(
            &mut tx,
            &NewJob::new(LEVEL_CHANGED_JOB, serde_json::json!({})).idempotency_key(key),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(again, None);
        assert_eq!(
            level_jobs(db).await.len(),
            2,
            "the first level, then the raise"
        );

        let runner = JobRunner::new(
            db.clone(),
            RunnerConfig {
                idle_poll: Duration::from_millis(20),
                ..RunnerConfig::default()
            },
        )
        .register(LEVEL_CHANGED_JOB, ReadLevelChange);
        assert_eq!(runner.drain().await.unwrap(), 2);
        let jobs = level_jobs(db).await;
        assert!(jobs.iter().all(|j| j.2 == "done"), "{jobs:?}");
    }
}

#[tokio::test]
async fn a_publication_based_on_an_old_version_is_refused_and_writes_nothing() {
    for t in TestDb::all().await {
        let db = &t.db;
        let ke = CountryCode::parse("KE").unwrap();
        publish(db, &advice("KE", 1, "First."), Some(0))
            .await
            .unwrap();
        publish(db, &advice("KE", 2, "Second."), Some(1))
            .await
            .unwrap();
        // An editor who opened the form at version 1 publishes after version 2 appeared.
        let stale = publish(db, &advice("KE", 4, "Stale edit."), Some(1)).await;
        assert!(
            matches!(stale, Err(StoreError::Conflict("version"))),
            "{stale:?}"
        );
        // A first publication when one exists is stale too.
        let stale = publish(db, &advice("KE", 4, "Stale edit."), Some(0)).await;
        assert!(matches!(stale, Err(StoreError::Conflict("version"))));
        let current = advice::find_current(db, &ke).await.unwrap().unwrap();
        assert_eq!(
            (current.version, current.level),
            (2, AdviceLevel::ExerciseIncreasedCaution)
        );
        assert_eq!(advice::history(db, &ke, 10).await.unwrap().len(), 2);
        assert_eq!(
            level_jobs(db).await.len(),
            2,
            "the first level and the 1 → 2 change"
        );
    }
}

#[tokio::test]
async fn a_rolled_back_publication_leaves_no_version_and_no_job() {
    for t in TestDb::all().await {
        let db = &t.db;
        publish(db, &advice("LB", 2, "Caution."), None)
            .await
            .unwrap();
        let mut tx = db.begin().await.unwrap();
        let out = advice::publish(&mut tx, &advice("LB", 3, "Reconsider."), None, None)
            .await
            .unwrap();
        assert!(out.level_change_enqueued);
        tx.rollback().await.unwrap();
        let lb = CountryCode::parse("LB").unwrap();
        assert_eq!(advice::history(db, &lb, 10).await.unwrap().len(), 1);
        assert_eq!(level_jobs(db).await.len(), 1, "the first level's only");
    }
}

#[tokio::test]
async fn lists_and_recent_versions_span_every_country() {
    for t in TestDb::all().await {
        let db = &t.db;
        assert!(advice::list_current(db).await.unwrap().is_empty());
        publish(db, &advice("KE", 1, "Kenya one."), None)
            .await
            .unwrap();
        publish(db, &advice("AE", 1, "Emirates one."), None)
            .await
            .unwrap();
        publish(db, &advice("KE", 2, "Kenya two."), None)
            .await
            .unwrap();
        let list = advice::list_current(db).await.unwrap();
        let seen: Vec<(&str, i32, u8, &str)> = list
            .iter()
            .map(|a| {
                (
                    a.country.as_str(),
                    a.version,
                    a.level.number(),
                    a.summary_en.as_str(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [("AE", 1, 1, "Emirates one."), ("KE", 2, 2, "Kenya two.")]
        );
        let recent = advice::recent(db, 10).await.unwrap();
        let seen: Vec<(&str, i32)> = recent
            .iter()
            .map(|v| (v.country.as_str(), v.version))
            .collect();
        assert_eq!(seen, [("KE", 2), ("AE", 1), ("KE", 1)]);
        assert_eq!(advice::recent(db, 2).await.unwrap().len(), 2);
    }
}
