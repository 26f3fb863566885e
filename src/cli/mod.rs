//! The command line: parse, run, map errors to exit codes.
//!
//! Exit codes: 0 success, 1 internal failure (a bug, a panic included: one
//! line `internal error: ... please report it` on stderr), 2 bad input
//! (unreadable or malformed file, invalid values, usage error, a run too
//! large for the memory, an `--out` folder that wasteroute did not write, or
//! a file there, unless `--force` is given; see `wasteroute::fsx`), 3 routing
//! failure (a depot or facility off the road network), 4 plan written but a
//! coverage target missed, 5 plan written with violations (the independent
//! checker found rules it breaks, listed in `summary.json` and on stderr;
//! takes precedence over 4), 130 and 143 stopped by SIGINT and SIGTERM.
//!
//! `batch run` gives per shard 0, 2 or 1 (see [`batch`]).
//!
//! Signals (plan, week, fleet, compare, cvrp, wcvrptw, pvrpif, batch; see [`signal`]): the first
//! SIGINT or SIGTERM stops the search, the command writes the best result
//! found so far as usual (`stopped_by: "signal"` in a plan's summary.json)
//! and exits with 128 + the signal's number, 130 or 143, in place of 0, 4 or
//! 5 (an error keeps its own code). A second signal exits at once with 128 +
//! its number and writes nothing more. Other commands keep the default
//! action of the signals.

mod batch;
mod compare;
mod cvrp;
mod fleet;
mod map;
mod plan;
mod progress;
mod pvrpif;
mod signal;
mod wcvrptw;
mod week;

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
    /// Solve the periodic waste-collection benchmark PVRP-IF (Taverna & Tilk 2026).
    Pvrpif(pvrpif::PvrpifArgs),
    /// Plan tomorrow's waste collection (no input flags: the bundled demo).
    Plan(plan::PlanArgs),
    /// Plan a week: visit days chosen with the routes (no input flags: the bundled weekly demo).
    Week(week::WeekArgs),
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
    /// Nightly batches over many districts (Kubernetes Indexed Jobs, Slurm arrays).
    Batch(batch::BatchArgs),
}

/// Exit code for bad input.
pub const EXIT_INPUT: i32 = 2;
/// Exit code for internal failures.
pub const EXIT_INTERNAL: i32 = 1;
/// Exit code for routing failures.
pub const EXIT_ROUTING: i32 = 3;

/// Runs the command line and returns the process exit code; a panic
/// anywhere becomes exit code 1 with a one-line message.
pub fn run() -> i32 {
    install_panic_hook();
    guarded(run_cli)
}

/// Where and why the last panic happened, recorded by the panic hook (which
/// prints nothing: a panic the library catches, such as one inside the PBF
/// decoder, is reported as the library's error, and an uncaught one by
/// [`guarded`], once).
static LAST_PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = wasteroute::error::panic_message(info.payload());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(format!("{msg}{at}"));
        }
    }));
}

/// Runs `f`; a panic becomes exit code 1 and one line on stderr.
fn guarded(f: impl FnOnce() -> i32) -> i32 {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(code) => code,
        Err(payload) => {
            let recorded = LAST_PANIC.lock().ok().and_then(|mut l| l.take());
            let what =
                recorded.unwrap_or_else(|| wasteroute::error::panic_message(payload.as_ref()));
            eprintln!("{}", internal_error_line(&what));
            EXIT_INTERNAL
        }
    }
}

fn internal_error_line(what: &str) -> String {
    format!(
        "internal error: {}; this is a bug in wasteroute {}, please report it with the command and inputs",
        what.replace('\n', " "),
        env!("CARGO_PKG_VERSION")
    )
}

fn run_cli() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_INPUT } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    init_logging(cli.verbose);
    if matches!(
        cli.command,
        Command::Cvrp(_)
            | Command::Wcvrptw(_)
            | Command::Pvrpif(_)
            | Command::Plan(_)
            | Command::Week(_)
            | Command::Fleet(_)
            | Command::Compare(_)
            | Command::Batch(_)
    ) {
        signal::install();
    }
    let result: anyhow::Result<i32> = match cli.command {
        Command::Cvrp(a) => cvrp::run(a).map(|()| 0),
        Command::Wcvrptw(a) => wcvrptw::run(a).map(|()| 0),
        Command::Pvrpif(a) => pvrpif::run(a).map(|()| 0),
        Command::Plan(a) => plan::run(a),
        Command::Week(a) => week::run(a),
        Command::Fleet(a) => fleet::run(a),
        Command::Compare(a) => compare::run(a),
        Command::Graph(a) => graph::run(a).map(|()| 0),
        Command::Bench(a) => bench::run(a).map(|()| 0),
        Command::Map(a) => map::run(a).map(|()| 0),
        Command::Batch(a) => batch::run(a),
    };
    match result {
        Ok(code) => signal::exit_code().unwrap_or(code),
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
        // Colour codes only on a terminal, not in a batch job's log.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
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

/// The most worker threads a command accepts.
pub const MAX_THREADS: usize = 1024;

/// Value parsers for numeric flags: NaN, infinite, negative or zero values
/// are usage errors (exit 2) where they make no sense.
pub mod values {
    /// A finite number above zero (`--seconds`, `--snap-limit-m`, ...).
    pub fn positive(s: &str) -> Result<f64, String> {
        match s.trim().parse::<f64>() {
            Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
            Ok(x) => Err(format!("must be a finite number above 0, found {x}")),
            Err(_) => Err(format!("expected a number, found '{s}'")),
        }
    }

    /// A whole number of at least 1.
    pub fn at_least_one(s: &str) -> Result<usize, String> {
        match s.trim().parse::<usize>() {
            Ok(0) => Err("must be at least 1".into()),
            Ok(n) => Ok(n),
            Err(_) => Err(format!(
                "expected a whole number of at least 1, found '{s}'"
            )),
        }
    }

    /// A worker thread count: 1 to [`super::MAX_THREADS`].
    pub fn threads(s: &str) -> Result<usize, String> {
        let n = at_least_one(s)?;
        if n > super::MAX_THREADS {
            return Err(format!("at most {} threads, found {n}", super::MAX_THREADS));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_exit_code_1() {
        assert_eq!(guarded(|| 3), 3);
        let code = guarded(|| std::panic::panic_any("boom".to_string()));
        assert_eq!(code, EXIT_INTERNAL);
        let line = internal_error_line("index out of bounds\nat x.rs:1");
        assert!(
            line.starts_with("internal error: index out of bounds at x.rs:1"),
            "{line}"
        );
        assert!(line.contains("please report") && !line.contains('\n'));
    }

    #[test]
    fn numeric_flags_refuse_nan_infinite_negative_and_zero() {
        for bad in ["nan", "NaN", "inf", "-inf", "-1", "0", "x", ""] {
            assert!(values::positive(bad).is_err(), "{bad}");
        }
        assert_eq!(values::positive("2.5"), Ok(2.5));
        assert!(values::threads("0").is_err());
        assert!(values::threads("100000").is_err());
        assert_eq!(values::threads("2"), Ok(2));
        assert!(values::at_least_one("-3").is_err());
    }

    #[test]
    fn the_command_line_refuses_bad_numbers_as_usage_errors() {
        for line in [
            "plan --seconds nan",
            "plan --seconds=-1",
            "plan --snap-limit-m inf",
            "plan --threads 0",
            "plan --max-memory-gb 0",
            "fleet --step-iterations 0",
            "fleet --max-per-type 20000",
            "compare a.toml --seconds inf",
            "cvrp solve x.vrp --seconds nan",
            "cvrp solve x.vrp --threads 0",
            "cvrp solve x.vrp --decimals 40",
            "cvrp bench x.vrp --seconds-per-100=-2",
            "wcvrptw solve x.txt --seconds inf",
            "graph matrix --graph g --points p --max-snap-m nan",
            "bench matrix --osm x --points 0",
            "bench matrix --osm x --points 3 --repeat 0",
        ] {
            let args = std::iter::once("wasteroute").chain(line.split(' '));
            let e = Cli::try_parse_from(args).expect_err(line);
            assert!(e.use_stderr(), "{line}");
            assert_eq!(e.kind(), clap::error::ErrorKind::ValueValidation, "{line}");
        }
        let ok = "wasteroute plan --seconds 1.5 --threads 3";
        assert!(Cli::try_parse_from(ok.split(' ')).is_ok());
    }
}
