//! Group commit of check-in answers. During a crisis thousands of people answer at once and
//! SQLite has one writer: one transaction per answer would make them queue for it one by one.
//! Instead every answer goes to one writer task, which takes all the answers waiting (up to
//! [`MAX_BATCH`]), records them in one transaction and only then replies to each request, so
//! an answer is durable before its page says so, as before. Under light load a batch is a
//! single answer and nothing waits for company; under heavy load the batches grow by
//! themselves while the previous commit runs. PostgreSQL takes the same path with
//! [`POSTGRES_WRITERS`] writers side by side, each answer going to the writer its link's id
//! picks, so that one batch's round trips to the server overlap another's; there a batch is
//! two statements whatever its size (the targets of its links, then every target's answer).

use safir_store::crisis::checkins::{self, Answered, NewAnswer};
use safir_store::{Db, StoreError};
use tokio::sync::{mpsc, oneshot};

/// Most answers recorded in one transaction.
pub const MAX_BATCH: usize = 256;

/// Answers waiting for the writer before senders wait in turn.
const QUEUE: usize = 4 * MAX_BATCH;

/// Writer tasks on PostgreSQL. Answers through the same link always meet the same writer, so
/// they are recorded in the order they arrived; two links of one person answered at the same
/// moment may commit in either order (both are that person's answer of that moment). A group
/// costs two statements whatever its size, so fewer writers with larger groups do better (two
/// against four: `bench/crisis/run.sh`, figures in `docs/benchmarks.md`).
pub const POSTGRES_WRITERS: usize = 2;

struct Job {
    answer: NewAnswer,
    reply: oneshot::Sender<Result<Answered, StoreError>>,
}

/// The handle requests send their answers through (cheap to clone).
#[derive(Clone)]
pub struct AnswerWriter {
    writers: Vec<mpsc::Sender<Job>>,
}

impl std::fmt::Debug for AnswerWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnswerWriter").finish_non_exhaustive()
    }
}

/// The writer task has stopped (the runtime is shutting down).
#[derive(Debug, thiserror::Error)]
#[error("the check-in writer has stopped")]
pub struct WriterStopped;

impl AnswerWriter {
    /// Starts the writer task on the current runtime; it ends when every handle is dropped.
    pub fn start(db: Db) -> Self {
        let n = match db.backend() {
            safir_store::Backend::Postgres => POSTGRES_WRITERS,
            // One writer for the whole database: more tasks would only queue for it.
            safir_store::Backend::Sqlite => 1,
        };
        let writers = (0..n)
            .map(|_| {
                let (jobs, rx) = mpsc::channel(QUEUE);
                tokio::spawn(run(db.clone(), rx));
                jobs
            })
            .collect();
        Self { writers }
    }

    /// Records an answer as [`checkins::answer`] does, committed together with the answers
    /// that arrived alongside it.
    pub async fn answer(&self, answer: NewAnswer) -> Result<Answered, AnswerError> {
        let (reply, done) = oneshot::channel();
        let shard = {
            use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
            BuildHasherDefault::<DefaultHasher>::default().hash_one(&answer.id) as usize
                % self.writers.len()
        };
        self.writers[shard]
            .send(Job { answer, reply })
            .await
            .map_err(|_| WriterStopped)?;
        Ok(done.await.map_err(|_| WriterStopped)??)
    }
}

/// Why an answer was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Stopped(#[from] WriterStopped),
}

async fn run(db: Db, mut rx: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let answers: Vec<NewAnswer> = jobs.iter().map(|j| j.answer.clone()).collect();
        match checkins::answer_batch(&db, &answers).await {
            Ok(results) => {
                for (job, result) in jobs.drain(..).zip(results) {
                    // The request may have gone (client closed): its answer stays recorded.
                    let _ = job.reply.send(result);
                }
            }
            Err(e) => {
                // Nothing of the batch was recorded. Each answer again on its own, so one
                // that cannot be written does not take the others down with it.
                tracing::warn!(error = %e, answers = jobs.len(), "check-in batch failed; recording one by one");
                for job in jobs.drain(..) {
                    let result = match checkins::answer_batch(
                        &db,
                        std::slice::from_ref(&job.answer),
                    )
                    .await
                    {
                        Ok(mut r) => r.pop().unwrap_or(Err(StoreError::NotFound)),
                        Err(e) => Err(e),
                    };
                    let _ = job.reply.send(result);
                }
            }
        }
    }
}
