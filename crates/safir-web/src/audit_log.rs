//! The audit trail as handlers write to it.
//!
//! A staff action appends its record inside the transaction of the change it records
//! ([`append`], [`commit_with`]), so that the two stand or fall together.
//!
//! Reads go through group commit. Every page or API call that shows personal data to staff
//! leaves a record first; one transaction per record would make busy officers' pages queue
//! behind each other for SQLite's single writer (and for the chain's lock on PostgreSQL).
//! Instead the records go to one writer task ([`AuditWriter`]), which takes all the records
//! waiting (up to [`MAX_BATCH`]), appends them to the chain at once (one statement while the
//! writer knows the chain's end, one transaction otherwise) and only then replies to each
//! request: the data is still shown only after its read is on record. Under light load a batch
//! is one record; under heavy load batches grow while the previous commit runs.

use safir_store::audit::{self, NewAuditRecord};
use safir_store::{Db, StoreError, Tx};
use tokio::sync::{mpsc, oneshot};

use crate::error::AppError;

/// Most records appended in one transaction.
pub const MAX_BATCH: usize = 256;

/// Records waiting for the writer before senders wait in turn.
const QUEUE: usize = 4 * MAX_BATCH;

struct Job {
    record: NewAuditRecord,
    reply: oneshot::Sender<Result<i64, StoreError>>,
}

/// The handle requests send their records through (cheap to clone).
#[derive(Clone)]
pub struct AuditWriter {
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for AuditWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditWriter").finish_non_exhaustive()
    }
}

impl AuditWriter {
    /// Starts the writer task on the current runtime; it ends when every handle is dropped.
    pub fn start(db: Db) -> Self {
        let (jobs, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(db, rx));
        Self { jobs }
    }

    /// Appends `record` as [`audit::record`] does, committed together with the records that
    /// arrived alongside it; returns its sequence number once it is committed.
    pub async fn record(&self, record: NewAuditRecord) -> Result<i64, AppError> {
        let stopped = || AppError::internal("the audit writer has stopped");
        let (reply, done) = oneshot::channel();
        self.jobs
            .send(Job { record, reply })
            .await
            .map_err(|_| stopped())?;
        done.await
            .map_err(|_| stopped())?
            .map_err(AppError::internal)
    }
}

/// Appends `record` to the trail inside `tx`, the transaction of the change it records, so
/// that the change and its record stand or fall together.
pub async fn append(tx: &mut Tx, record: &NewAuditRecord) -> Result<(), AppError> {
    audit::append(tx, record)
        .await
        .map_err(AppError::internal)?;
    Ok(())
}

/// [`append`], then commits `tx`: the last step of a staff action.
pub async fn commit_with(mut tx: Tx, record: &NewAuditRecord) -> Result<(), AppError> {
    append(&mut tx, record).await?;
    tx.commit().await.map_err(AppError::internal)
}

async fn run(db: Db, mut rx: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    // Each batch's records and the requests waiting on them, moved out of the jobs.
    let mut records = Vec::with_capacity(MAX_BATCH);
    let mut replies = Vec::with_capacity(MAX_BATCH);
    // The chain's end as the last batch left it: while no other appender writes in between,
    // a batch is one statement (see `audit::record_all_after`).
    let mut end = None;
    while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        for Job { record, reply } in jobs.drain(..) {
            records.push(record);
            replies.push(reply);
        }
        match audit::record_all_after(&db, &mut end, &records).await {
            Ok(seqs) => {
                for (reply, seq) in replies.drain(..).zip(seqs) {
                    // The request may have gone (client closed): its record stays.
                    let _ = reply.send(Ok(seq));
                }
                records.clear();
            }
            Err(e) => {
                // Nothing of the batch was written. Each record again on its own, so one that
                // cannot be written does not take the others down with it.
                tracing::warn!(error = %e, records = records.len(), "audit batch failed; appending one by one");
                for (record, reply) in records.drain(..).zip(replies.drain(..)) {
                    let _ = reply.send(audit::record(&db, &record).await);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use safir_domain::audit::actions;
    use safir_store::audit::ChainCheck;
    use safir_store::testing::TestDb;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_records_are_all_committed_in_one_chain() {
        let t = TestDb::sqlite().await;
        let writer = AuditWriter::start(t.db.clone());
        let mut handles = Vec::new();
        for i in 0..200 {
            let writer = writer.clone();
            handles.push(tokio::spawn(async move {
                writer
                    .record(NewAuditRecord {
                        actor_id: None,
                        actor_label: "officer@example.org".into(),
                        action: actions::USER_CREATE,
                        target_type: "case",
                        target_id: Some(format!("c{i}")),
                        mission_id: None,
                        client_ip: None,
                        summary: serde_json::json!({ "rows": i }),
                    })
                    .await
                    .unwrap()
            }));
        }
        let mut seqs = Vec::new();
        for h in handles {
            seqs.push(h.await.unwrap());
        }
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=200).collect::<Vec<i64>>());
        assert_eq!(
            audit::verify(&t.db).await.unwrap(),
            ChainCheck::Intact { records: 200 }
        );
    }
}
