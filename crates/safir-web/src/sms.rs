//! Text messages the server sends: one `sms.send` job each, which the gateway's worker
//! (`safir_notify::sms`) delivers, retried under the same key.

use safir_notify::sms::SMS_JOB;
use safir_store::jobs::{self, NewJob};
use safir_store::{StoreError, Tx};

/// The job that sends `body` to `to`; `key` names the message at the gateway across retries and
/// makes it go once.
pub fn job(to: &str, body: &str, key: &str) -> NewJob {
    NewJob::new(
        SMS_JOB,
        serde_json::json!({ "to": to, "body": body, "key": key }),
    )
    .idempotency_key(key)
}

/// Enqueues [`job`] with `tx`.
pub async fn enqueue(tx: &mut Tx, to: &str, body: &str, key: &str) -> Result<(), StoreError> {
    jobs::enqueue(tx, &job(to, body, key)).await.map(|_| ())
}
