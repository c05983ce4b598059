//! The `safir` binary: command-line parsing and wiring only.

mod text_cmd;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "safir", version, about = "Safir: the digital diplomacy platform")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The Arabic-first text engine (repair, normalize, analyze, lang, sentiment).
    Text(text_cmd::TextArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Text(args) => text_cmd::run(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("safir: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
