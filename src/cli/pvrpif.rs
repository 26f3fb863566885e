//! `wasteroute pvrpif`: the periodic waste-collection benchmark of Taverna &
//! Tilk (2026), PVRP-IF, solved as one weekly problem
//! ([`wasteroute::week`]): the visit days of each bin are chosen by the
//! search together with the daily routes.

use super::cvrp::{InstanceSearch, print_verdict, require_feasible};
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use wasteroute::io::pvrpif::Instance;
use wasteroute::model::check;
use wasteroute::week::WeekProblem;
use wasteroute::week::pvrpif::{convert, solution_json};

/// Solve PVRP-IF instances (Taverna & Tilk 2026).
#[derive(Debug, Args)]
pub struct PvrpifArgs {
    #[command(subcommand)]
    command: PvrpifCommand,
}

#[derive(Debug, Subcommand)]
enum PvrpifCommand {
    /// Solve one instance; print the cost and the vehicles per day.
    Solve(SolveArgs),
}

#[derive(Debug, Args)]
struct SolveArgs {
    /// The instance (for example Milano_020_4_0.geojson).
    file: PathBuf,
    #[command(flatten)]
    search: InstanceSearch,
    /// Write the solution in the JSON format of tools/pvrpif/pvrpif.py.
    #[arg(long)]
    out: Option<PathBuf>,
    /// A table of best-known values (the benchmark's bks.csv: columns
    /// `instance` and `best_ub`); prints the gap to the instance's value.
    #[arg(long)]
    bks_file: Option<PathBuf>,
}

/// The `best_ub` of `instance` in the table at `path`, if listed.
fn best_known(path: &std::path::Path, instance: &str) -> Result<Option<f64>> {
    let bad = |what: String| super::InputError(format!("{}: {what}", path.display()));
    let mut r = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
    let head = r.headers().map_err(|e| bad(e.to_string()))?.clone();
    let col = |name: &str| {
        head.iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(format!("no column '{name}'")))
    };
    let (ci, cb) = (col("instance")?, col("best_ub")?);
    for (k, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        if rec.get(ci) == Some(instance) {
            let v = rec.get(cb).unwrap_or("");
            let x: f64 = v
                .parse()
                .ok()
                .filter(|x: &f64| x.is_finite())
                .ok_or_else(|| bad(format!("line {}: best_ub '{v}' is not a number", k + 2)))?;
            return Ok(Some(x));
        }
    }
    Ok(None)
}

/// Runs `wasteroute pvrpif`.
pub fn run(args: PvrpifArgs) -> Result<()> {
    let PvrpifCommand::Solve(a) = args.command;
    a.search.budget.budget()?;
    let inst = Instance::read(&a.file)?;
    let bks = match &a.bks_file {
        Some(p) => best_known(p, &inst.name)?,
        None => None,
    };
    let conv = convert(&inst)?;
    let week = WeekProblem::build(&conv.day, &conv.spec)?;
    // Problems with pattern groups run the iterated local search.
    let result = a.search.solve(&week.problem, &inst.name)?;
    let report = check(&week.problem, &result.solution);
    let json = solution_json(&inst, &conv, &week, &result.solution);
    let mut by_day = vec![0usize; inst.horizon as usize];
    for r in result.solution.routes.iter().filter(|r| !r.is_empty()) {
        by_day[week.type_of[r.vehicle_type].1.index()] += 1;
    }
    let by_day: Vec<String> = by_day.iter().map(|n| n.to_string()).collect();
    println!("instance   {}", inst.name);
    println!("customers  {}", conv.client_node.len());
    println!("cost       {}", json["cost"]);
    if let (Some(b), Some(c)) = (bks, json["cost"].as_f64()) {
        println!("bks        {b}");
        println!("gap_pct    {:.2}", 100.0 * (c - b) / b);
    }
    println!("vehicles   {}", by_day.join(" "));
    print_verdict(&report, &result);
    if let Some(out) = &a.out {
        let text = serde_json::to_string_pretty(&json)?;
        wasteroute::fsx::write_file(out, text.as_bytes())
            .with_context(|| format!("writing {}", out.display()))?;
    }
    require_feasible(report.is_feasible())
}
