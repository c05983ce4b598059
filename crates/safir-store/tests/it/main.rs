//! Storage suite: every story runs on SQLite, and on PostgreSQL when
//! `SAFIR_TEST_DATABASE_URL` is set.

mod accounts;
mod advice;
mod appointments;
mod audit;
mod consular_cases;
mod consular_draft_expiry;
mod consular_overdue;
mod consular_queue_plan;
mod crisis_alerts;
mod crisis_checkin_answers;
mod crisis_checkins;
mod crisis_deliveries;
mod crisis_registrations;
mod crisis_subscriptions;
mod directory;
mod documents;
mod evisas;
mod jobs;
mod listen;
mod missions;
mod pool;
mod profile;
mod wal;
