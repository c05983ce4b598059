//! `safir text …`: the text engine on the command line (line-oriented, stdin or files).

use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct TextArgs {
    #[command(subcommand)]
    pub command: TextCommand,
}

#[derive(Debug, Subcommand)]
pub enum TextCommand {}

pub fn run(args: TextArgs) -> anyhow::Result<()> {
    match args.command {}
}
