//! HTTP layer.

pub mod i18n;

pub use i18n::{I18n, Lang};
