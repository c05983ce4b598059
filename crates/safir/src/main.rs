//! The `safir` binary: command-line parsing and wiring only.

mod admin_cmd;
mod backup;
mod config;
mod demo;
mod demo_consular;
mod demo_crisis;
mod listen_cmd;
mod listen_monitors;
mod logging;
mod serve;
mod text_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, Overrides};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The heading of the flags every command accepts.
const SETTINGS: &str = "Settings (for the commands that serve or use the database)";

#[derive(Debug, Parser)]
#[command(
    name = "safir",
    version,
    about = "Safir (سفير): the digital diplomacy platform"
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

/// Flags every command accepts; they override `safir.toml` and `SAFIR_*` variables. The
/// commands that work on files alone (`text`, `listen` without a database) read no
/// configuration, and their help says so under the flags' heading.
#[derive(Debug, Args)]
struct GlobalArgs {
    /// Configuration file (default: ./safir.toml when it exists).
    #[arg(long, global = true, value_name = "FILE", help_heading = SETTINGS)]
    config: Option<PathBuf>,
    /// Address to listen on, e.g. 127.0.0.1:8080.
    #[arg(long, global = true, value_name = "ADDR", help_heading = SETTINGS)]
    bind: Option<String>,
    /// Directory for the SQLite database, uploads and indexes.
    #[arg(long, global = true, value_name = "DIR", help_heading = SETTINGS)]
    data_dir: Option<PathBuf>,
    /// sqlite://… or postgres://… (default: SQLite in the data directory).
    #[arg(long, global = true, value_name = "URL", help_heading = SETTINGS)]
    database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server (and, by default, the job workers in the same process).
    Serve(serve::ServeArgs),
    /// Run job workers only (scale them apart from the web servers).
    Worker(serve::WorkerArgs),
    /// Apply database migrations (PostgreSQL; SQLite migrates at start).
    Migrate,
    /// Seed a demo ministry with three missions and one account per role, then serve it.
    Demo(demo::DemoArgs),
    /// Administration from the command line.
    Admin(admin_cmd::AdminArgs),
    /// Configuration helpers.
    Config(ConfigArgs),
    /// Write a consistent snapshot of the data (SQLite database and uploads) to a directory.
    Backup(backup::BackupArgs),
    /// Bring a snapshot made by `safir backup` back (the server must be stopped).
    Restore(backup::RestoreArgs),
    /// The Arabic-first text engine (repair, normalize, analyze, lang, sentiment).
    Text(text_cmd::TextArgs),
    /// The listening engine on archives (import, coordination networks, groups, monitors).
    Listen(listen_cmd::ListenArgs),
}

#[derive(Debug, Args)]
struct ConfigArgs {
    #[command(subcommand)]
    command: ConfigCommand,
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Print the default configuration as a commented safir.toml.
    PrintDefault,
    /// Print the effective configuration (secrets hidden) after files, environment and flags.
    Show,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Commands that work on files alone need no configuration.
    match cli.command {
        Command::Text(args) => return report(text_cmd::run(args)),
        Command::Listen(args) if !args.command.uses_database() => {
            return report(listen_cmd::run(args));
        }
        Command::Config(ConfigArgs {
            command: ConfigCommand::PrintDefault,
        }) => {
            print!("{}", Config::default_toml());
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let overrides = Overrides {
        config_file: cli.global.config,
        bind: cli.global.bind,
        data_dir: cli.global.data_dir,
        database_url: cli.global.database_url,
    };
    // `vars()` would panic on any variable that is not Unicode, Safir's or not.
    let mut env: Vec<(String, String)> = Vec::new();
    for (k, v) in std::env::vars_os() {
        let Some(k) = k.to_str().filter(|k| k.starts_with("SAFIR_")) else {
            continue;
        };
        match v.into_string() {
            Ok(v) => env.push((k.to_owned(), v)),
            Err(_) => {
                eprintln!("safir: invalid configuration: {k}: the value is not valid UTF-8");
                return ExitCode::from(2);
            }
        }
    }
    let config = match Config::load(&overrides, &env) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("safir: invalid configuration: {e}");
            return ExitCode::from(2);
        }
    };
    logging::init(&config);
    for (name, closest) in config::unknown_env(&env) {
        match closest {
            Some(setting) => {
                tracing::warn!("{name} is not a setting and is ignored; did you mean {setting}?")
            }
            None => tracing::warn!("{name} is not a setting and is ignored"),
        }
    }
    // The commands that start workers read the mail and SMS settings first, as the workers
    // will: a setting that cannot work is a configuration error like any other.
    if matches!(
        cli.command,
        Command::Serve(_) | Command::Worker(_) | Command::Demo(_)
    ) && let Err(e) = serve::check_channels(&config)
    {
        eprintln!("safir: invalid configuration: {e:#}");
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return report(Err(e.into())),
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => serve::serve(&config, args).await,
            Command::Worker(args) => serve::worker(&config, args).await,
            Command::Migrate => serve::migrate(&config).await,
            Command::Demo(args) => demo::run(&config, args).await,
            Command::Admin(args) => admin_cmd::run(&config, args).await,
            Command::Backup(args) => backup::backup(&config, args).await,
            Command::Restore(args) => backup::restore(&config, args).await,
            Command::Listen(args) => text_cmd::quiet_when_reader_leaves(
                listen_cmd::monitor::run(&config, args.command).await,
            ),
            Command::Config(ConfigArgs {
                command: ConfigCommand::Show,
            }) => {
                println!("{config:#?}");
                Ok(())
            }
            Command::Config(ConfigArgs {
                command: ConfigCommand::PrintDefault,
            })
            | Command::Text(_) => Ok(()),
        }
    });
    report(result)
}

fn report(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("safir: {err:#}");
            ExitCode::FAILURE
        }
    }
}
