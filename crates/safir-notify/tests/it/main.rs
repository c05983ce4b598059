//! The email channel end to end: jobs in a real queue (SQLite, and PostgreSQL when
//! configured), sent over SMTP to a real server on loopback, into files, or to the log.

mod attachments;
mod channels;
mod config;
mod file_and_console;
mod payload;
mod sink;
mod smtp_job;
mod support;
