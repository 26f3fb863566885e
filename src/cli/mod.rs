//! The command line: parse, run, map errors to exit codes.
//!
//! Exit codes: 0 success, 1 internal failure, 2 bad input (unreadable or
//! malformed file, invalid values, usage error), 3 routing failure (a depot
//! or facility off the road network), 4 plan written but a coverage target
//! missed, 5 plan written with violations (the independent checker found
//! rules it breaks, listed in `summary.json` and on stderr; takes precedence
//! over 4).

mod compare;
mod cvrp;
mod fleet;
mod map;
mod plan;
mod progress;
mod wcvrptw;

use clap::{Parser, Subcommand};

mod bench;
mod graph;
mod points;

/// Plans solid-waste collection routes on real road networks.
#[derive(Debug, Parser)]
#[command(name = "wasteroute", version, about)]
struct Cli {
    /// Log more (-v: debug, -vv: trace). Logs go to stderr.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Solve and benchmark CVRPLIB instances.
    Cvrp(cvrp::CvrpArgs),
    /// Solve the waste-collection benchmark of Kim et al. (2006).
    Wcvrptw(wcvrptw::WcvrptwArgs),
    /// Plan tomorrow's waste collection (no input flags: the bundled demo).
    Plan(plan::PlanArgs),
    /// Find the cheapest fleet that meets the coverage targets.
    Fleet(fleet::FleetArgs),
    /// Compare what-if scenarios side by side.
    Compare(compare::CompareArgs),
    /// Road graphs from OpenStreetMap: build, matrices.
    Graph(graph::GraphArgs),
    /// Benchmarks (road matrices, ...).
    Bench(bench::BenchArgs),
    /// Rebuild a plan folder's map, route sheets and GPX files.
    Map(map::MapArgs),
}

/// Exit code for bad input.
pub const EXIT_INPUT: i32 = 2;
/// Exit code for internal failures.
pub const EXIT_INTERNAL: i32 = 1;
/// Exit code for routing failures.
pub const EXIT_ROUTING: i32 = 3;

/// Runs the command line and returns the process exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_INPUT } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    init_logging(cli.verbose);
    let result: anyhow::Result<i32> = match cli.command {
        Command::Cvrp(a) => cvrp::run(a).map(|()| 0),
        Command::Wcvrptw(a) => wcvrptw::run(a).map(|()| 0),
        Command::Plan(a) => plan::run(a),
        Command::Fleet(a) => fleet::run(a),
        Command::Compare(a) => compare::run(a),
        Command::Graph(a) => graph::run(a).map(|()| 0),
        Command::Bench(a) => bench::run(a).map(|()| 0),
        Command::Map(a) => map::run(a).map(|()| 0),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return 0;
            }
            eprintln!("error: {}", message(&e));
            exit_code(&e)
        }
    }
}

/// The error and its causes, each said once (a library error's message
/// already includes its cause).
fn message(e: &anyhow::Error) -> String {
    let mut msg = e.to_string();
    for cause in e.chain().skip(1) {
        let t = cause.to_string();
        if !msg.contains(&t) {
            msg.push_str(": ");
            msg.push_str(&t);
        }
    }
    msg
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => tracing::Level::WARN,
        1 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

/// Maps an error to the exit code: input errors (including I/O errors on the
/// user's files) give 2, routing errors 3, anything else 1.
fn exit_code(e: &anyhow::Error) -> i32 {
    for cause in e.chain() {
        if let Some(we) = cause.downcast_ref::<wasteroute::Error>() {
            return match we {
                wasteroute::Error::Routing(_) => EXIT_ROUTING,
                we if we.is_input() => EXIT_INPUT,
                _ => EXIT_INTERNAL,
            };
        }
        if cause.downcast_ref::<InputError>().is_some() {
            return EXIT_INPUT;
        }
    }
    EXIT_INTERNAL
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// A CLI-level input error (bad flag combination, unreadable file named on
/// the command line) that maps to exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);
