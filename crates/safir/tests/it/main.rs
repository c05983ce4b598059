//! The `safir` binary as operators and users meet it: real processes, real HTTP.

mod browser;
mod browser_a11y;
mod browser_consular;
mod browser_print;
mod browser_support;
mod cli;
mod crisis_crash;
mod http_head;
mod in_use;
mod links;
mod listen_fetch;
mod listen_influence;
mod listen_monitors;
mod listen_report;
mod listen_trends;
mod probes;
mod support;
mod two_servers;
