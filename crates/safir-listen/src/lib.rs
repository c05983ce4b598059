//! Safir's listening engine: imports social-media and news archives into an
//! in-memory columnar message table and computes coordination networks on it.
//!
//! The library never prints and never exits; every failure is a value.

pub mod escape;
pub mod import;
pub mod influence;
pub mod intern;
pub mod monitor;
pub mod network;
pub mod report;
pub mod synth;
pub mod table;
pub mod text;
pub mod time;
pub mod trends;

pub use import::{ImportOptions, ImportReport, InputFormat, Problem, ProblemKind};
pub use network::{Edge, Network, NetworkKind, NetworkParams};
pub use table::{MessageRow, MessageTable, NONE, RowMeta};
