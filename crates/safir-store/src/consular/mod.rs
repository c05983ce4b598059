//! Storage for consular services: the catalogue, cases and their history, documents,
//! appointments and travel advice.

pub mod advice;
pub mod appointments;
pub mod cases;
pub mod documents;
pub mod evisas;
pub mod services;
