//! The worker loop: claims jobs, dispatches them to handlers by kind, records the outcome.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::ClaimedJob;
use crate::Db;

/// The `last_error` of a job stopped at shutdown and queued again.
const STOPPED_AT_SHUTDOWN: &str = "stopped at shutdown";

/// Why a job failed; `Permanent` skips the remaining retries.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("{0}")]
    Retry(String),
    #[error("{0}")]
    Permanent(String),
}

pub type HandlerFuture<'a> = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send + 'a>>;

/// Runs one kind of job. Handlers must be idempotent: a job whose worker died is run again.
pub trait JobHandler: Send + Sync + 'static {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> HandlerFuture<'a>;
}

#[derive(Debug, Clone)]
pub struct RunnerConfig {
    /// Concurrent jobs per process.
    pub concurrency: usize,
    /// How long to wait when the queue is empty.
    pub idle_poll: Duration,
    /// How long a claim holds before another worker may take the job. The worker running it
    /// renews the lease every third of it, so only a worker that stopped loses its jobs.
    pub lease: Duration,
    /// The longest a handler may run; past it the job is stopped and tried again later.
    pub max_runtime: Duration,
    /// How long a job still running at shutdown may take to finish. Past it the job is stopped
    /// and put back in the queue, due at once and without using up an attempt, so that the
    /// process exits well within a service manager's stop timeout and another process (or
    /// this one, restarted) runs the job again.
    pub shutdown_grace: Duration,
    /// A name for this process in `locked_by` (host and pid by default).
    pub worker_name: String,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        Self {
            concurrency: 4,
            idle_poll: Duration::from_millis(500),
            lease: Duration::from_secs(300),
            max_runtime: Duration::from_secs(30 * 60),
            shutdown_grace: Duration::from_secs(20),
            worker_name: format!("worker-{}", std::process::id()),
        }
    }
}

#[derive(Clone)]
pub struct JobRunner {
    db: Db,
    handlers: Arc<HashMap<String, Arc<dyn JobHandler>>>,
    /// The kinds `handlers` runs, the only ones this runner claims.
    kinds: Arc<Vec<String>>,
    config: RunnerConfig,
}

impl JobRunner {
    pub fn new(db: Db, config: RunnerConfig) -> Self {
        Self {
            db,
            handlers: Arc::new(HashMap::new()),
            kinds: Arc::new(Vec::new()),
            config,
        }
    }

    /// Registers the handler for `kind` (before `run`).
    pub fn register(mut self, kind: &str, handler: impl JobHandler) -> Self {
        Arc::make_mut(&mut self.handlers).insert(kind.to_owned(), Arc::new(handler));
        let mut kinds: Vec<String> = self.handlers.keys().cloned().collect();
        kinds.sort();
        self.kinds = Arc::new(kinds);
        self
    }

    /// Runs until `shutdown` turns true, then gives in-flight jobs `shutdown_grace` to finish;
    /// those still running then are stopped and queued again (see [`RunnerConfig`]).
    pub async fn run(self, shutdown: watch::Receiver<bool>) {
        let mut tasks = Vec::new();
        for slot in 0..self.config.concurrency.max(1) {
            let me = self.clone();
            let rx = shutdown.clone();
            let name = format!("{}/{slot}", self.config.worker_name);
            tasks.push(tokio::spawn(async move { me.run_slot(name, rx).await }));
        }
        for t in tasks {
            let _ = t.await;
        }
    }

    async fn run_slot(&self, name: String, mut shutdown: watch::Receiver<bool>) {
        while !*shutdown.borrow() {
            match self.run_next(&name, Some(&shutdown)).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "job queue unavailable"),
            }
            tokio::select! {
                _ = tokio::time::sleep(self.config.idle_poll) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    /// Claims and runs at most one job as `worker`, of a kind it has a handler for (a job of
    /// another kind waits for a worker that knows it). Returns whether a job was run.
    pub async fn run_once(&self, worker: &str) -> Result<bool, crate::StoreError> {
        self.run_next(worker, None).await
    }

    /// [`Self::run_once`], stopping the job `shutdown_grace` after `shutdown` turns true.
    async fn run_next(
        &self,
        worker: &str,
        shutdown: Option<&watch::Receiver<bool>>,
    ) -> Result<bool, crate::StoreError> {
        let Some(job) =
            super::claim_of(&self.db, worker, self.config.lease, Some(&self.kinds)).await?
        else {
            return Ok(false);
        };
        let outcome = if job.attempts > job.max_attempts {
            // Its last try never ended: the process running it stopped (killed, out of memory)
            // and the lease ran out. Running it again could stop the next process too.
            Err(JobError::Permanent(format!(
                "the worker running its last attempt ({} of {}) stopped before it ended",
                job.max_attempts, job.max_attempts
            )))
        } else {
            match self.handlers.get(&job.kind) {
                None => Err(JobError::Permanent(format!(
                    "no handler for job kind {:?}",
                    job.kind
                ))),
                Some(h) => match self.run_handler(h, &job, worker, shutdown).await {
                    Some(outcome) => outcome,
                    None => {
                        let requeued =
                            super::release(&self.db, &job, worker, STOPPED_AT_SHUTDOWN).await?;
                        tracing::info!(job = %job.id, kind = %job.kind, requeued, "job stopped at shutdown");
                        return Ok(true);
                    }
                },
            }
        };
        match outcome {
            Ok(()) => {
                if !super::complete(&self.db, &job, worker).await? {
                    tracing::warn!(job = %job.id, "job finished after its lease was taken over");
                }
            }
            Err(e) => {
                let permanent = matches!(e, JobError::Permanent(_));
                tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, error = %e, permanent, "job failed");
                super::fail(&self.db, &job, worker, &e.to_string(), permanent).await?;
            }
        }
        Ok(true)
    }

    /// Runs `job` on its own task, so that a handler that panics fails its job (a dead letter:
    /// the same payload would panic again) instead of ending this worker slot with the job
    /// still marked running. While it runs, the lease is renewed every third of its length: a
    /// long job (a purge clearing a backlog, a monitor importing a large source) is never
    /// claimed by a second worker while its first still runs it. It is stopped at
    /// `max_runtime`, or as soon as a renewal finds the lease gone (the job was retried by an
    /// administrator, or this worker was stalled past its lease and another took it over).
    /// Once `shutdown` turns true it has `shutdown_grace` left; past that it is stopped and
    /// `None` returned: the job is to go back to the queue without using up an attempt.
    async fn run_handler(
        &self,
        h: &Arc<dyn JobHandler>,
        job: &ClaimedJob,
        worker: &str,
        shutdown: Option<&watch::Receiver<bool>>,
    ) -> Option<Result<(), JobError>> {
        let (h, owned) = (Arc::clone(h), job.clone());
        let mut task = tokio::spawn(async move { h.run(&owned).await });
        let deadline = tokio::time::Instant::now() + self.config.max_runtime;
        let grace = self.config.shutdown_grace;
        let shutdown = shutdown.cloned();
        let grace_over = async move {
            let signalled = match shutdown {
                Some(mut rx) => rx.wait_for(|stop| *stop).await.is_ok(),
                None => false,
            };
            // A closed channel (its sender dropped without a shutdown) never stops a job.
            if !signalled {
                std::future::pending::<()>().await;
            }
            tokio::time::sleep(grace).await
        };
        tokio::pin!(grace_over);
        let every = (self.config.lease / 3).max(Duration::from_millis(10));
        let mut renew = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let stopped = loop {
            tokio::select! {
                done = &mut task => break Ok(done),
                _ = tokio::time::sleep_until(deadline) => break Err("timed out"),
                _ = &mut grace_over => {
                    task.abort();
                    return None;
                }
                _ = renew.tick() => {
                    match super::renew(&self.db, job, worker, self.config.lease).await {
                        Ok(true) => {}
                        Ok(false) => break Err("its lease was taken over"),
                        // The database is unreachable for a moment: the lease still has two
                        // thirds of its length to run; the next renewal tries again.
                        Err(e) => tracing::warn!(job = %job.id, error = %e, "could not renew a job's lease"),
                    }
                }
            }
        };
        Some(match stopped {
            Ok(Ok(r)) => r,
            Ok(Err(e)) if e.is_panic() => {
                let payload = e.into_panic();
                let why = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Err(JobError::Permanent(format!("the handler panicked: {why}")))
            }
            Ok(Err(_)) => Err(JobError::Retry("cancelled".to_owned())),
            Err(why) => {
                task.abort();
                Err(JobError::Retry(why.to_owned()))
            }
        })
    }

    /// Runs jobs until none is due (tests and `safir worker --drain`).
    pub async fn drain(&self) -> Result<usize, crate::StoreError> {
        let mut n = 0;
        while self.run_once(&self.config.worker_name).await? {
            n += 1;
        }
        Ok(n)
    }
}
