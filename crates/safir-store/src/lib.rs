//! Storage for every context, over SQLite (embedded default) or PostgreSQL (scale-out).
//!
//! SQL is written once in the portable subset (`$1` placeholders work on both) and run on
//! whichever pool the [`Db`] holds through [`with_pool!`]/[`with_tx!`]; statements that must
//! differ sit side by side. One module per context.

pub mod accounts;
pub mod audit;
pub mod consular;
pub mod crisis;
mod db;
mod error;
pub mod jobs;
pub mod listen;
pub mod missions;
pub mod name_key;
pub mod settings;
pub mod testing;
pub mod wal;

pub use db::{Backend, Db, Pool, Snapshot, Tx, now, sqlite_file};
pub use error::{StoreError, refused_characters};
