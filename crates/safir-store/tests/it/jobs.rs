use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use safir_store::jobs::{
    self, ClaimedJob, HandlerFuture, JobError, JobHandler, JobRunner, NewJob, RunnerConfig,
};
use safir_store::testing::TestDb;
use safir_store::{Backend, Db};
use serde_json::json;

fn runner(name: &str) -> RunnerConfig {
    RunnerConfig {
        worker_name: name.to_owned(),
        idle_poll: Duration::from_millis(20),
        ..RunnerConfig::default()
    }
}

#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

impl JobHandler for Recorder {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> HandlerFuture<'a> {
        Box::pin(async move {
            let v: serde_json::Value = job
                .payload_json()
                .map_err(|e| JobError::Permanent(e.to_string()))?;
            self.0.lock().unwrap().push(v["n"].to_string());
            Ok(())
        })
    }
}

struct AlwaysFails;

impl JobHandler for AlwaysFails {
    fn run<'a>(&'a self, _job: &'a ClaimedJob) -> HandlerFuture<'a> {
        Box::pin(async { Err(JobError::Retry("smtp down".into())) })
    }
}

#[tokio::test]
async fn enqueued_jobs_run_once_and_idempotency_keys_dedupe() {
    for t in TestDb::all().await {
        let db = &t.db;
        let mut tx = db.begin().await.unwrap();
        let a = jobs::enqueue(
            &mut tx,
            &NewJob::new("record", json!({"n": 1})).idempotency_key("k1"),
        )
        .await
        .unwrap();
        let b = jobs::enqueue(
            &mut tx,
            &NewJob::new("record", json!({"n": 1})).idempotency_key("k1"),
        )
        .await
        .unwrap();
        jobs::enqueue(&mut tx, &NewJob::new("record", json!({"n": 2})))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(a.is_some(), "{:?}", t.backend());
        assert!(b.is_none(), "second enqueue with the same key is a no-op");

        let rec = Recorder::default();
        let r = JobRunner::new(db.clone(), runner("w")).register("record", rec.clone());
        assert_eq!(r.drain().await.unwrap(), 2);
        let mut seen = rec.0.lock().unwrap().clone();
        seen.sort();
        assert_eq!(seen, vec!["1", "2"]);
        assert_eq!(jobs::stats(db).await.unwrap().done, 2);
        assert_eq!(r.drain().await.unwrap(), 0, "nothing runs twice");
    }
}

#[tokio::test]
async fn a_rolled_back_transaction_enqueues_nothing() {
    for t in TestDb::all().await {
        let mut tx = t.db.begin().await.unwrap();
        jobs::enqueue(&mut tx, &NewJob::new("record", json!({"n": 1})))
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(
            jobs::stats(&t.db).await.unwrap(),
            jobs::QueueStats::default()
        );
    }
}

#[tokio::test]
async fn failures_back_off_then_die_and_admins_can_retry() {
    for t in TestDb::all().await {
        let db = &t.db;
        let mut tx = db.begin().await.unwrap();
        jobs::enqueue(&mut tx, &NewJob::new("email", json!({})).max_attempts(2))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let r = JobRunner::new(db.clone(), runner("w")).register("email", AlwaysFails);

        assert_eq!(r.drain().await.unwrap(), 1);
        let s = jobs::stats(db).await.unwrap();
        assert_eq!((s.queued, s.dead), (1, 0), "first failure is retried later");
        assert_eq!(s.failing, 1, "a failure in progress");
        assert_eq!(r.drain().await.unwrap(), 0, "not due yet: backoff");

        // Make it due now and fail it again: the second attempt is the last.
        let dead = force_due_and_run(db, &r).await;
        assert_eq!(dead.len(), 1);
        assert_eq!(
            jobs::stats(db).await.unwrap().failing,
            0,
            "dead, no longer failing"
        );
        assert_eq!(dead[0].last_error.as_deref(), Some("smtp down"));
        assert_eq!(dead[0].attempts, 2);

        let mut tx = db.begin().await.unwrap();
        assert!(jobs::retry_dead(&mut tx, &dead[0].id).await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(jobs::stats(db).await.unwrap().queued, 1);
    }
}

async fn force_due_and_run(db: &Db, r: &JobRunner) -> Vec<jobs::JobRow> {
    let past = safir_store::now() - chrono::Duration::hours(2);
    safir_store::with_pool!(db.write(), p => {
        sqlx::query("UPDATE jobs SET run_at = $1").bind(past).execute(p).await.map(|_| ())
    })
    .unwrap();
    r.drain().await.unwrap();
    jobs::list_dead(db, 10).await.unwrap()
}

#[tokio::test]
async fn unknown_kinds_wait_for_a_worker_that_knows_them() {
    for t in TestDb::all().await {
        let db = &t.db;
        let mut tx = db.begin().await.unwrap();
        jobs::enqueue(
            &mut tx,
            &NewJob::new("added-by-a-newer-release", json!({"n": 3})),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // An older worker, without that kind, leaves it alone (a rolling upgrade).
        let older =
            JobRunner::new(db.clone(), runner("old")).register("record", Recorder::default());
        assert_eq!(older.drain().await.unwrap(), 0);
        assert!(jobs::list_dead(db, 10).await.unwrap().is_empty());
        let (state, attempts): (String, i32) = safir_store::with_pool!(db.read(), p => {
            sqlx::query_as("SELECT state, attempts FROM jobs").fetch_one(p).await
        })
        .unwrap();
        assert_eq!((state.as_str(), attempts), ("queued", 0));
        // A worker that knows it runs it.
        let rec = Recorder::default();
        let newer = JobRunner::new(db.clone(), runner("new"))
            .register("added-by-a-newer-release", rec.clone());
        assert_eq!(newer.drain().await.unwrap(), 1);
        assert_eq!(*rec.0.lock().unwrap(), vec!["3".to_owned()]);
    }
}

struct Panics;

impl JobHandler for Panics {
    fn run<'a>(&'a self, _job: &'a ClaimedJob) -> HandlerFuture<'a> {
        Box::pin(async { panic!("index out of bounds") })
    }
}

#[tokio::test]
async fn a_handler_that_panics_fails_its_job_and_the_worker_goes_on() {
    for t in TestDb::all().await {
        let db = &t.db;
        let mut tx = db.begin().await.unwrap();
        jobs::enqueue(&mut tx, &NewJob::new("panics", json!({})))
            .await
            .unwrap();
        jobs::enqueue(
            &mut tx,
            &NewJob::new("record", json!({"n": 1}))
                .run_at(safir_store::now() + chrono::Duration::milliseconds(1)),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
        let rec = Recorder::default();
        let r = JobRunner::new(db.clone(), runner("w"))
            .register("panics", Panics)
            .register("record", rec.clone());
        assert_eq!(r.drain().await.unwrap(), 2);
        assert_eq!(*rec.0.lock().unwrap(), vec!["1".to_owned()]);
        let dead = jobs::list_dead(db, 10).await.unwrap();
        assert_eq!(dead.len(), 1, "a panic is a dead letter at once");
        assert_eq!(dead[0].kind, "panics");
        let error = dead[0].last_error.as_deref().unwrap();
        assert!(error.contains("panicked: index out of bounds"), "{error}");
        // Kept for an administrator to retry, then deleted with its payload.
        assert_eq!(jobs::purge_dead(db, jobs::DEAD_KEPT).await.unwrap(), 0);
        let long_ago = safir_store::now() - chrono::Duration::days(31);
        safir_store::with_pool!(db.write(), p => {
            sqlx::query("UPDATE jobs SET updated_at = $1").bind(long_ago).execute(p).await.map(|_| ())
        })
        .unwrap();
        assert_eq!(jobs::purge_dead(db, jobs::DEAD_KEPT).await.unwrap(), 1);
        assert!(jobs::list_dead(db, 10).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_job_whose_last_attempt_stopped_its_worker_is_not_run_again() {
    for t in TestDb::all().await {
        let db = &t.db;
        let mut tx = db.begin().await.unwrap();
        jobs::enqueue(
            &mut tx,
            &NewJob::new("record", json!({"n": 9})).max_attempts(2),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // Two processes took it and stopped (killed, out of memory) before it ended.
        for _ in 0..2 {
            jobs::claim(db, "killed", Duration::from_secs(0))
                .await
                .unwrap()
                .unwrap();
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let rec = Recorder::default();
        let r = JobRunner::new(db.clone(), runner("w")).register("record", rec.clone());
        assert_eq!(r.drain().await.unwrap(), 1);
        assert!(rec.0.lock().unwrap().is_empty(), "not run a third time");
        let dead = jobs::list_dead(db, 10).await.unwrap();
        assert_eq!(dead.len(), 1);
        let error = dead[0].last_error.as_deref().unwrap();
        assert!(error.contains("stopped before it ended"), "{error}");
    }
}

#[tokio::test]
async fn an_expired_lease_is_claimed_again() {
    for t in TestDb::all().await {
        let db = &t.db;
        let mut tx = db.begin().await.unwrap();
        jobs::enqueue(&mut tx, &NewJob::new("record", json!({"n": 7})))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // A worker claims with a lease that has already run out (it "crashed").
        let first = jobs::claim(db, "crashed", Duration::from_secs(0))
            .await
            .unwrap()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
        let second = jobs::claim(db, "healthy", Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.id, second.id);
        assert_eq!(second.attempts, 2);
        assert!(
            !jobs::complete(db, &first, "crashed").await.unwrap(),
            "the crashed worker lost its lease"
        );
        assert!(jobs::complete(db, &second, "healthy").await.unwrap());
    }
}

struct Slow(Duration);

impl JobHandler for Slow {
    fn run<'a>(&'a self, _job: &'a ClaimedJob) -> HandlerFuture<'a> {
        Box::pin(async move {
            tokio::time::sleep(self.0).await;
            Ok(())
        })
    }
}

/// A job that runs longer than the lease keeps it: its worker renews it, no second worker
/// claims the job meanwhile, and it ends done at its first attempt. One that runs past
/// `max_runtime` is stopped and queued again.
#[tokio::test]
async fn a_long_job_keeps_its_lease_while_it_runs() {
    for t in TestDb::all().await {
        let db = t.db.clone();
        let mut tx = db.begin().await.unwrap();
        jobs::enqueue(&mut tx, &NewJob::new("slow", json!({})))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let lease = Duration::from_millis(300);
        let r = JobRunner::new(
            db.clone(),
            RunnerConfig {
                lease,
                ..runner("long")
            },
        )
        .register("slow", Slow(Duration::from_millis(1200)));
        let running = tokio::spawn(async move { r.run_once("long/0").await.unwrap() });
        for _ in 0..10 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let other = jobs::claim(&db, "other", lease).await.unwrap();
            assert!(other.is_none(), "claimed while running: {other:?}");
        }
        assert!(running.await.unwrap());
        let s = jobs::stats(&db).await.unwrap();
        assert_eq!((s.done, s.queued, s.failing), (1, 0, 0), "{s:?}");

        let mut tx = db.begin().await.unwrap();
        jobs::enqueue(&mut tx, &NewJob::new("slow", json!({})))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let r = JobRunner::new(
            db.clone(),
            RunnerConfig {
                lease,
                max_runtime: Duration::from_millis(500),
                ..runner("long")
            },
        )
        .register("slow", Slow(Duration::from_secs(30)));
        assert!(r.run_once("long/0").await.unwrap());
        let s = jobs::stats(&db).await.unwrap();
        assert_eq!((s.done, s.queued, s.failing), (1, 1, 1), "{s:?}");
    }
}

/// A fan-out of bulk messages enqueued first does not hold back work enqueued after it: the
/// normal lane is drained before the bulk lane, each in the order it fell due, and a job whose
/// worker died comes before both.
#[tokio::test]
async fn bulk_jobs_wait_behind_the_rest_of_the_queue() {
    for t in TestDb::all().await {
        let db = &t.db;
        let past = chrono::Utc::now() - chrono::Duration::minutes(10);
        let mut tx = db.begin().await.unwrap();
        let bulk: Vec<NewJob> = (0..3)
            .map(|i| {
                NewJob::new("record", json!({"n": format!("bulk-{i}")}))
                    .run_at(past + chrono::Duration::seconds(i))
                    .bulk()
            })
            .collect();
        jobs::enqueue_batch(&mut tx, &bulk).await.unwrap();
        jobs::enqueue(&mut tx, &NewJob::new("record", json!({"n": "escalation"})))
            .await
            .unwrap();
        jobs::enqueue(
            &mut tx,
            &NewJob::new("record", json!({"n": "later"})).run_at(past + chrono::Duration::days(1)),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let lease = Duration::from_secs(60);
        let n = |job: ClaimedJob| job.payload_json::<serde_json::Value>().unwrap()["n"].clone();
        // The first bulk job is claimed by a worker whose lease runs out at once ("crashed")
        // only after the normal lane is empty.
        let first = jobs::claim(db, "w", lease).await.unwrap().unwrap();
        assert_eq!(n(first), "escalation", "{:?}", t.db.backend());
        let crashed = jobs::claim(db, "crashed", Duration::from_secs(0))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(n(crashed.clone()), "bulk-0");
        tokio::time::sleep(Duration::from_millis(5)).await;
        let mut order = Vec::new();
        while let Some(job) = jobs::claim(db, "w", lease).await.unwrap() {
            order.push(n(job));
        }
        assert_eq!(
            order,
            ["bulk-0", "bulk-1", "bulk-2"],
            "{:?}",
            t.db.backend()
        );
    }
}

#[tokio::test]
async fn batch_enqueue_writes_many_rows_and_skips_known_keys() {
    for t in TestDb::all().await {
        let db = &t.db;
        let batch: Vec<NewJob> = (0..1234)
            .map(|i| NewJob::new("record", json!({"n": i})).idempotency_key(format!("alert-1:{i}")))
            .collect();
        let mut tx = db.begin().await.unwrap();
        assert_eq!(jobs::enqueue_batch(&mut tx, &batch).await.unwrap(), 1234);
        tx.commit().await.unwrap();
        let mut tx = db.begin().await.unwrap();
        assert_eq!(
            jobs::enqueue_batch(&mut tx, &batch[..600]).await.unwrap(),
            0,
            "re-enqueue adds nothing"
        );
        tx.commit().await.unwrap();
        assert_eq!(jobs::stats(db).await.unwrap().queued, 1234);
    }
}

/// Two independent connection pools (as two processes would have) drain one queue
/// concurrently: every job runs exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_on_one_database_never_run_the_same_job() {
    for t in TestDb::all().await {
        let n = 300;
        let batch: Vec<NewJob> = (0..n)
            .map(|i| NewJob::new("record", json!({"n": i})))
            .collect();
        let mut tx = t.db.begin().await.unwrap();
        jobs::enqueue_batch(&mut tx, &batch).await.unwrap();
        tx.commit().await.unwrap();

        let other = match t.backend() {
            Backend::Postgres => {
                let Db::Postgres(pool) = &t.db else {
                    unreachable!()
                };
                Db::connect_postgres((*pool.connect_options()).clone())
                    .await
                    .unwrap()
            }
            Backend::Sqlite => Db::connect(&t.url).await.unwrap(),
        };
        let rec = Recorder::default();
        let mut handles = Vec::new();
        for (i, db) in [t.db.clone(), other].into_iter().enumerate() {
            let r = JobRunner::new(db.clone(), runner(&format!("proc-{i}")))
                .register("record", rec.clone());
            handles.push(tokio::spawn(async move { r.drain().await.unwrap() }));
        }
        let mut total = 0;
        for h in handles {
            total += h.await.unwrap();
        }
        let seen = rec.0.lock().unwrap().clone();
        let unique: HashSet<_> = seen.iter().collect();
        assert_eq!(total, n, "{:?}", t.backend());
        assert_eq!(seen.len(), n);
        assert_eq!(unique.len(), n, "a job ran twice on {:?}", t.backend());
    }
}

/// Waits until the queue has a running job (a runner claimed it).
async fn until_running(db: &Db) {
    for _ in 0..200 {
        if jobs::stats(db).await.unwrap().running == 1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the job was never claimed");
}

/// At shutdown a job still running after the grace period is stopped and put back in the
/// queue, due at once and with its attempt given back (had it been its last, the next claim
/// would otherwise make it a dead letter); the process does not wait for it to end.
#[tokio::test]
async fn a_job_running_at_shutdown_is_queued_again_after_the_grace() {
    for t in TestDb::all().await {
        let db = t.db.clone();
        let mut tx = db.begin().await.unwrap();
        jobs::enqueue(&mut tx, &NewJob::new("slow", json!({})).max_attempts(1))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let r = JobRunner::new(
            db.clone(),
            RunnerConfig {
                concurrency: 1,
                shutdown_grace: Duration::from_millis(200),
                ..runner("stopping")
            },
        )
        .register("slow", Slow(Duration::from_secs(30)));
        let (stop, rx) = tokio::sync::watch::channel(false);
        let running = tokio::spawn(r.run(rx));
        until_running(&db).await;
        stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(3), running)
            .await
            .expect("shutdown waited for the job to end")
            .unwrap();
        let job: (String, i32, Option<String>, Option<String>) =
            safir_store::with_pool!(db.read(), p => {
                sqlx::query_as("SELECT state, attempts, last_error, locked_by FROM jobs")
                    .fetch_one(p)
                    .await
            })
            .unwrap();
        assert_eq!(
            job,
            ("queued".into(), 0, Some("stopped at shutdown".into()), None),
            "{:?}",
            t.backend()
        );
        // Due at once: the next process runs it, and it is not taken for a dead letter.
        let next =
            JobRunner::new(db.clone(), runner("next")).register("slow", Slow(Duration::ZERO));
        assert_eq!(next.drain().await.unwrap(), 1);
        let s = jobs::stats(&db).await.unwrap();
        assert_eq!((s.done, s.dead, s.queued), (1, 0, 0), "{s:?}");
    }
}

/// A job that ends within the grace period ends normally at shutdown.
#[tokio::test]
async fn a_job_that_ends_within_the_grace_ends_done_at_shutdown() {
    for t in TestDb::all().await {
        let db = t.db.clone();
        let mut tx = db.begin().await.unwrap();
        jobs::enqueue(&mut tx, &NewJob::new("slow", json!({})))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let r = JobRunner::new(
            db.clone(),
            RunnerConfig {
                concurrency: 1,
                shutdown_grace: Duration::from_secs(10),
                ..runner("stopping")
            },
        )
        .register("slow", Slow(Duration::from_millis(300)));
        let (stop, rx) = tokio::sync::watch::channel(false);
        let running = tokio::spawn(r.run(rx));
        until_running(&db).await;
        stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(3), running)
            .await
            .expect("shutdown waited past the job's end")
            .unwrap();
        let job: (String, i32, Option<String>) = safir_store::with_pool!(db.read(), p => {
            sqlx::query_as("SELECT state, attempts, last_error FROM jobs")
                .fetch_one(p)
                .await
        })
        .unwrap();
        assert_eq!(job, ("done".into(), 1, None), "{:?}", t.backend());
    }
}
