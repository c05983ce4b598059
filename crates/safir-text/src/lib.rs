//! Safir text engine: Arabic-first repair, normalization, tokenization, stemming,
//! language identification and sentiment. Pure functions, no I/O.
//!
//! The pipeline, in the order [`analyze`] runs it:
//! [`decode`] (bytes to text) → [`repair`] (PDF and extraction damage) →
//! [`tokenize`] (offsets into the original text) → [`normalize`] (per token) →
//! [`stopwords`] → [`stem`].

pub mod analyze;
pub mod decode;
pub mod lang;
pub mod normalize;
pub mod repair;
mod script;
pub mod sentiment;
pub mod spreadsheet;
pub mod stem;
pub mod stopwords;
mod swar;
pub mod tokenize;

pub use analyze::{AnalyzeOptions, Analyzed, Analyzer, Term, analyze};
pub use decode::{DecodeError, decode, decode_lossy};
pub use normalize::{NormalizeOptions, normalize, normalize_with};
pub use repair::repair;
pub use tokenize::{Token, TokenKind, tokenize};
