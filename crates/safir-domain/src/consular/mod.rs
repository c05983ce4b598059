//! Consular services: the service catalogue, cases and their one state machine, passports
//! and machine-readable zones, visas, appointments and travel advice.

pub mod evisa;
