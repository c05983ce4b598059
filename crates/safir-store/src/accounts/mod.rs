//! Accounts: users, their passwords and second factors, sessions, one-time email tokens,
//! role grants and personal access tokens.

pub mod directory;
pub mod grants;
pub mod password;
pub mod secrets;
pub mod sessions;
pub mod tokens;
pub mod totp;
mod users;

pub use users::*;

use std::sync::atomic::{AtomicU64, Ordering};

static CHANGES: AtomicU64 = AtomicU64::new(0);

/// How many writes this process has made to users, sessions, role grants, API tokens and
/// missions. Whoever keeps any of them in memory (the web layer's cache of signed-in viewers)
/// compares it before and after: a different number means something may have changed. It moves
/// when a write starts, before its transaction commits, so a reader also compares once the
/// writing request is over.
pub fn changes() -> u64 {
    CHANGES.load(Ordering::Acquire)
}

pub(crate) fn changed() {
    CHANGES.fetch_add(1, Ordering::AcqRel);
}
