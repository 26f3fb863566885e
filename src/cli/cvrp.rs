//! `wasteroute cvrp`: solve and benchmark CVRPLIB instances.

use super::InputError;
use super::progress::SearchProgress;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use wasteroute::cvrp;
use wasteroute::io::cvrplib::{self, Bks, Rounding};
use wasteroute::model::{CheckReport, check};
use wasteroute::solver::{Budget, Silent, SolveParams, SolveResult, solve};

/// Solve and benchmark CVRPLIB instances.
#[derive(Debug, Args)]
pub struct CvrpArgs {
    #[command(subcommand)]
    command: CvrpCommand,
}

#[derive(Debug, Subcommand)]
enum CvrpCommand {
    /// Solve one instance and print cost, routes, time and gap.
    Solve(SolveArgs),
    /// Solve several instances with a budget per 100 customers; print a table.
    Bench(BenchArgs),
}

#[derive(Debug, Args)]
struct Common {
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads (1 to 1024).
    #[arg(long, default_value_t = 1, value_parser = super::values::threads)]
    threads: usize,
    /// File of best-known values (CSV with columns instance,...,bks,...).
    #[arg(long)]
    bks_file: Option<PathBuf>,
    /// Keep this many decimals of real distances instead of TSPLIB rounding
    /// (for CMT and Golden); costs are then printed unscaled. At most 9.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=9))]
    decimals: u32,
    /// Solver parameters from a TOML file (fields of `SolveParams`; seed and
    /// threads come from the flags; fields the chosen method does not use
    /// are refused).
    #[arg(long)]
    params: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct SolveArgs {
    /// The instance (.vrp).
    file: PathBuf,
    #[command(flatten)]
    budget: InstanceBudget,
    /// Write the solution as a CVRPLIB .sol file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Best-known cost, for the gap.
    #[arg(long)]
    bks: Option<f64>,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, Args)]
struct BenchArgs {
    /// The instances (.vrp).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Seconds per 100 customers.
    #[arg(long, value_parser = super::values::positive)]
    seconds_per_100: f64,
    /// Write the table as CSV.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Write each solution as NAME.sol into this folder.
    #[arg(long)]
    sol_dir: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
}

/// The budget of one instance's search (`cvrp solve`, `wcvrptw solve`, `pvrpif solve`).
#[derive(Debug, Args)]
pub struct InstanceBudget {
    /// Wall-clock limit in seconds.
    #[arg(long, value_parser = super::values::positive)]
    pub seconds: Option<f64>,
    /// Iteration limit: the same seed, threads and iterations give the same
    /// solution on any machine.
    #[arg(long)]
    pub iterations: Option<u64>,
}

impl InstanceBudget {
    /// The search's budget; at least one of the limits must be given.
    pub fn budget(&self) -> Result<Budget> {
        if self.seconds.is_none() && self.iterations.is_none() {
            return Err(InputError("give --seconds or --iterations (or both)".into()).into());
        }
        Ok(Budget {
            seconds: self.seconds,
            iterations: self.iterations,
            ..Budget::default()
        })
    }
}

/// The flags of a benchmark instance's search with the default method
/// (`wcvrptw solve`, `pvrpif solve`): budget, seed, threads.
#[derive(Debug, Args)]
pub struct InstanceSearch {
    #[command(flatten)]
    pub budget: InstanceBudget,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (1 to 1024).
    #[arg(long, default_value_t = 1, value_parser = super::values::threads)]
    pub threads: usize,
}

impl InstanceSearch {
    /// Solves `problem` (named `name` in the progress line) with the
    /// default method, stopped by the budget or a signal.
    pub fn solve(&self, problem: &wasteroute::model::Problem, name: &str) -> Result<SolveResult> {
        let params = SolveParams {
            seed: self.seed,
            threads: self.threads,
            ..SolveParams::default()
        };
        let mut budget = Budget {
            interrupt: super::signal::interrupt(),
            ..self.budget.budget()?
        };
        let mut progress = SearchProgress::new(name, budget.seconds);
        Ok(solve(problem, &params, &mut budget, &mut progress)?)
    }
}

/// The lines an instance command (`wcvrptw solve`, `pvrpif solve`) ends its
/// report with: the checker's verdict, the search's time and iterations
/// and the first violations.
pub fn print_verdict(report: &CheckReport, result: &SolveResult) {
    println!("feasible   {}", report.is_feasible());
    println!("seconds    {:.2}", result.elapsed_s);
    println!("iterations {}", result.iterations);
    for v in report.violations.iter().take(10) {
        println!("violation  {v}");
    }
}

/// An instance command's exit: an error unless the solution is feasible.
pub fn require_feasible(feasible: bool) -> Result<()> {
    if !feasible {
        anyhow::bail!("no feasible solution found in the budget");
    }
    Ok(())
}

/// Runs `wasteroute cvrp`.
pub fn run(args: CvrpArgs) -> Result<()> {
    match args.command {
        CvrpCommand::Solve(a) => solve_cmd(a),
        CvrpCommand::Bench(a) => bench_cmd(a),
    }
}

/// Reads solver parameters from a TOML file over the command's defaults
/// `base`.
pub fn load_params(path: &Path, base: &SolveParams) -> Result<SolveParams> {
    Ok(wasteroute::io::params::read_solve_params(
        path,
        base,
        &[
            ("seed", "give it with --seed"),
            ("threads", "give it with --threads"),
        ],
    )?)
}

fn rounding(decimals: u32) -> Rounding {
    if decimals == 0 {
        Rounding::Nint
    } else {
        Rounding::Scaled(decimals)
    }
}

fn load_bks(path: &Option<PathBuf>) -> Result<HashMap<String, Bks>> {
    match path {
        Some(p) => Ok(cvrplib::read_bks(p)?),
        None => Ok(HashMap::new()),
    }
}

struct Row {
    instance: String,
    n: usize,
    cost: f64,
    routes: usize,
    bks: Option<f64>,
    seconds: f64,
    iterations: u64,
    feasible: bool,
}

impl Row {
    fn gap(&self) -> Option<f64> {
        self.bks.map(|b| 100.0 * (self.cost - b) / b)
    }
}

fn solve_one(
    file: &Path,
    common: &Common,
    budget: Budget,
    bks: Option<f64>,
    progress: bool,
) -> Result<(Row, wasteroute::model::Solution, cvrplib::CvrpInstance)> {
    let inst = cvrplib::read_vrp(file)?;
    let scale = 10f64.powi(common.decimals as i32);
    let problem = cvrp::problem(&inst, rounding(common.decimals))?;
    let base = match &common.params {
        Some(path) => load_params(path, &SolveParams::default())?,
        None => SolveParams::default(),
    };
    let params = SolveParams {
        seed: common.seed,
        threads: common.threads,
        ..base
    };
    let limit_s = budget.seconds;
    let mut stop = match super::signal::interrupt() {
        Some(i) => budget.with_interrupt(i),
        None => budget,
    };
    let result = if progress {
        let mut obs = SearchProgress::new(inst.name(), limit_s);
        solve(&problem, &params, &mut stop, &mut obs)?
    } else {
        solve(&problem, &params, &mut stop, &mut Silent)?
    };
    for s in &result.operator_stats {
        tracing::debug!(
            operator = s.name,
            evaluations = s.evaluations,
            applications = s.applications
        );
    }
    let report = check(&problem, &result.solution);
    let row = Row {
        instance: inst.name().to_string(),
        n: inst.n_customers(),
        cost: report.cost as f64 / scale,
        routes: result.solution.routes.len(),
        bks,
        seconds: result.elapsed_s,
        iterations: result.iterations,
        feasible: report.is_feasible(),
    };
    Ok((row, result.solution, inst))
}

fn solve_cmd(a: SolveArgs) -> Result<()> {
    let budget = a.budget.budget()?;
    let table = load_bks(&a.common.bks_file)?;
    let stem = a
        .file
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let bks = a.bks.or_else(|| table.get(&stem).map(|b| b.bks));
    let (row, solution, inst) = solve_one(&a.file, &a.common, budget, bks, true)?;
    println!("instance   {}", row.instance);
    println!("customers  {}", row.n);
    println!("cost       {}", fmt_cost(row.cost));
    println!("routes     {}", row.routes);
    println!("feasible   {}", row.feasible);
    println!("seconds    {:.2}", row.seconds);
    println!("iterations {}", row.iterations);
    match (row.bks, row.gap()) {
        (Some(b), Some(g)) => println!("bks        {}  gap {:.2}%", fmt_cost(b), g),
        _ => println!("bks        unknown"),
    }
    if let Some(out) = &a.out {
        cvrplib::write_sol(out, &cvrp::to_cvrplib(&inst, &solution, Some(row.cost)))
            .with_context(|| format!("writing {}", out.display()))?;
    }
    require_feasible(row.feasible)
}

fn fmt_cost(c: f64) -> String {
    if c.fract() == 0.0 {
        format!("{c:.0}")
    } else {
        format!("{c:.2}")
    }
}

fn bench_cmd(a: BenchArgs) -> Result<()> {
    let table = load_bks(&a.common.bks_file)?;
    if let Some(dir) = &a.sol_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut rows = Vec::new();
    println!(
        "{:<16} {:>5} {:>10} {:>10} {:>7} {:>8} {:>9} {:>8}",
        "instance", "n", "cost", "bks", "gap %", "seconds", "iters", "feasible"
    );
    for (k, file) in a.files.iter().enumerate() {
        if super::signal::interrupt().is_some_and(|i| i.is_triggered()) {
            eprintln!("skipped {} instance(s) after the signal", a.files.len() - k);
            break;
        }
        // Budget from the customer count, read before solving.
        let inst = cvrplib::read_vrp(file)?;
        let seconds = a.seconds_per_100 * inst.n_customers() as f64 / 100.0;
        let bks = table.get(inst.name()).map(|b| b.bks);
        let (row, solution, inst) =
            solve_one(file, &a.common, Budget::seconds(seconds), bks, false)?;
        println!(
            "{:<16} {:>5} {:>10} {:>10} {:>7} {:>8.1} {:>9} {:>8}",
            row.instance,
            row.n,
            fmt_cost(row.cost),
            row.bks.map_or("-".into(), fmt_cost),
            row.gap().map_or("-".into(), |g| format!("{g:.2}")),
            row.seconds,
            row.iterations,
            row.feasible
        );
        if let Some(dir) = &a.sol_dir {
            let path = dir.join(format!("{}.sol", row.instance));
            cvrplib::write_sol(&path, &cvrp::to_cvrplib(&inst, &solution, Some(row.cost)))?;
        }
        rows.push(row);
    }
    let gaps: Vec<f64> = rows.iter().filter_map(Row::gap).collect();
    if !gaps.is_empty() {
        println!(
            "mean gap {:.3}% over {} instances",
            gaps.iter().sum::<f64>() / gaps.len() as f64,
            gaps.len()
        );
    }
    if let Some(path) = &a.csv {
        let mut w =
            csv::Writer::from_path(path).with_context(|| format!("writing {}", path.display()))?;
        w.write_record([
            "instance",
            "n",
            "cost",
            "routes",
            "bks",
            "gap_pct",
            "seconds",
            "iterations",
            "feasible",
            "threads",
            "seed",
        ])?;
        for r in &rows {
            w.write_record([
                r.instance.clone(),
                r.n.to_string(),
                fmt_cost(r.cost),
                r.routes.to_string(),
                r.bks.map_or(String::new(), fmt_cost),
                r.gap().map_or(String::new(), |g| format!("{g:.4}")),
                format!("{:.2}", r.seconds),
                r.iterations.to_string(),
                r.feasible.to_string(),
                a.common.threads.to_string(),
                a.common.seed.to_string(),
            ])?;
        }
        w.flush()?;
    }
    Ok(())
}
