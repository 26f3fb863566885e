//! `wasteroute pvrpif`: the periodic waste-collection benchmark of Taverna &
//! Tilk (2026), PVRP-IF, solved as one weekly problem
//! ([`wasteroute::week`]): the visit days of each bin are chosen by the
//! search together with the daily routes.

use super::cvrp::InstanceBudget;
use super::progress::SearchProgress;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use wasteroute::io::pvrpif::Instance;
use wasteroute::model::check;
use wasteroute::solver::{Budget, SolveParams, solve};
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
    budget: InstanceBudget,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads (1 to 1024).
    #[arg(long, default_value_t = 1, value_parser = super::values::threads)]
    threads: usize,
    /// Write the solution in the JSON format of tools/pvrpif/pvrpif.py.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs `wasteroute pvrpif`.
pub fn run(args: PvrpifArgs) -> Result<()> {
    match args.command {
        PvrpifCommand::Solve(a) => solve_cmd(a),
    }
}

fn solve_cmd(a: SolveArgs) -> Result<()> {
    let budget = a.budget.budget()?;
    let inst = Instance::read(&a.file)?;
    let conv = convert(&inst)?;
    let week = WeekProblem::build(&conv.day, &conv.spec)?;
    // Problems with pattern groups run the iterated local search.
    let params = SolveParams {
        seed: a.seed,
        threads: a.threads,
        ..SolveParams::default()
    };
    let mut budget = Budget {
        interrupt: super::signal::interrupt(),
        ..budget
    };
    let mut progress = SearchProgress::new(&inst.name, budget.seconds);
    let result = solve(&week.problem, &params, &mut budget, &mut progress)?;
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
    println!("vehicles   {}", by_day.join(" "));
    println!("feasible   {}", report.is_feasible());
    println!("seconds    {:.2}", result.elapsed_s);
    println!("iterations {}", result.iterations);
    for v in report.violations.iter().take(10) {
        println!("violation  {v}");
    }
    if let Some(out) = &a.out {
        let text = serde_json::to_string_pretty(&json)?;
        wasteroute::fsx::write_file(out, text.as_bytes())
            .with_context(|| format!("writing {}", out.display()))?;
    }
    if !report.is_feasible() {
        anyhow::bail!("no feasible solution found in the budget");
    }
    Ok(())
}
