//! Storage suite: every story runs on SQLite, and on PostgreSQL when
//! `SAFIR_TEST_DATABASE_URL` is set.

mod accounts;
mod audit;
mod directory;
mod evisas;
mod jobs;
mod missions;
mod profile;
