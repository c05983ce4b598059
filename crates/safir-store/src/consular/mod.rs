//! Storage for consular services: the catalogue, cases and their history, documents,
//! appointments and travel advice.

pub mod evisas;
