//! Storage for consular services: the catalogue, cases and their history, documents,
//! appointments and travel advice.

pub mod advice;
pub mod appointments;
pub mod cases;
pub mod documents;
pub mod evisas;
pub mod services;

use std::sync::atomic::{AtomicU64, Ordering};

static CHANGES: AtomicU64 = AtomicU64::new(0);

/// How many writes this process has made to what the case pages show: cases, their history,
/// messages and notes, documents, e-visas, services and appointments. Whoever keeps any of
/// them in memory (the web layer's consular read cache) compares it before and after: a
/// different number means something may have changed. It moves when a write starts, before its transaction
/// commits, so a reader also compares once the writing request is over.
pub fn changes() -> u64 {
    CHANGES.load(Ordering::Acquire)
}

pub(crate) fn changed() {
    CHANGES.fetch_add(1, Ordering::AcqRel);
}
