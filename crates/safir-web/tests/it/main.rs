//! HTTP-level tests of the web foundation, one module per concern.

mod accounts;
mod accounts_settings;
mod accounts_two_factor;
mod admin;
mod admin_audit;
mod admin_support;
mod admin_users;
mod api;
mod api_admin;
mod api_consular;
mod api_consular_access;
mod api_consular_inputs;
mod api_openapi;
mod assets;
mod email_payload;
mod errors;
mod harness;
mod matrix;
mod matrix_tokens;
mod metrics;
mod pages;
mod security;
mod staff;
mod support;
