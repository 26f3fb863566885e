//! The command line: parse, run, map errors to exit codes.

use clap::Parser;

/// Plans solid-waste collection routes on real road networks.
#[derive(Debug, Parser)]
#[command(name = "wasteroute", version, about)]
struct Cli {}

/// Runs the command line and returns the process exit code.
pub fn run() -> i32 {
    let _cli = Cli::parse();
    0
}
