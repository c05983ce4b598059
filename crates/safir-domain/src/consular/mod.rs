//! Consular services: the service catalogue, cases and their one state machine, passports
//! and machine-readable zones, visas, appointments and travel advice.

pub mod advice;
pub mod appointments;
pub mod case;
pub mod documents;
pub mod evisa;
pub mod forms;
pub mod mrz;
pub mod passport;
pub mod service;
