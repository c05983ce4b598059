//! The HTTP layer: axum routes per context, askama templates, Fluent catalogs, static
//! assets, the JSON API, and the middleware every request passes through.

pub mod accounts;
pub mod admin;
pub mod api;
pub mod app;
pub mod assets;
pub mod audit_log;
pub mod auth;
pub mod compress;
pub mod consular;
pub mod crisis;
pub mod csv_cells;
pub mod email;
pub mod error;
pub mod forms;
pub mod health;
pub mod home;
pub mod i18n;
pub mod layers;
pub mod metrics;
pub mod page;
pub mod read_cache;
pub mod security;
pub mod sms;
pub mod staff;
pub mod state;

pub use error::{AppError, FieldError, FieldErrors};
pub use i18n::{I18n, Lang};
pub use page::Page;
