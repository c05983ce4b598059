//! HTTP layer.

pub mod assets;
pub mod error;
pub mod forms;
pub mod health;
pub mod home;
pub mod i18n;
pub mod layers;
pub mod metrics;
pub mod page;
pub mod security;

pub use error::{AppError, FieldError, FieldErrors};
pub use i18n::{I18n, Lang};
pub use page::Page;
