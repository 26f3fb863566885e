//! `wasteroute fleet`: the cheapest fleet that meets the coverage targets.

use super::plan::{ForceArg, InputArgs, SearchArgs, print_summary};
use super::progress::SearchProgress;
use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;
use wasteroute::fleet::{self, FleetOptions};

/// Size the fleet (with no input flags: the bundled demo).
#[derive(Debug, Args)]
pub struct FleetArgs {
    #[command(flatten)]
    inputs: InputArgs,
    /// The most vehicles of each type, up to 10,000 (overrides the counts of the menu).
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=10_000))]
    max_per_type: Option<usize>,
    /// Iterations of each re-solve after the first (at least 1).
    #[arg(long, default_value_t = wasteroute::fleet::DEFAULT_STEP_ITERATIONS, value_parser = clap::value_parser!(u64).range(1..))]
    step_iterations: u64,
    /// Skip the trade-off curve below the fleet found.
    #[arg(long)]
    no_curve: bool,
    /// Output folder, replaced atomically if wasteroute wrote it; anything
    /// else there is refused unless --force.
    #[arg(long, default_value = "out/fleet")]
    out: PathBuf,
    #[command(flatten)]
    replace: ForceArg,
    #[command(flatten)]
    search: SearchArgs,
}

/// Runs `wasteroute fleet`; returns the exit code (5 if the plan written
/// breaks a rule, 4 if no fleet of the menu meets the targets).
pub fn run(a: FleetArgs) -> Result<i32> {
    wasteroute::fsx::check_target(&a.out, a.replace.force)?;
    let started = std::time::Instant::now();
    let input = a.inputs.load()?;
    let mut plan = a.search.options()?;
    plan.seconds = super::plan::seconds_left(plan.seconds, started);
    let opts = FleetOptions {
        plan,
        max_per_type: a.max_per_type,
        step_iterations: a.step_iterations,
        curve: !a.no_curve,
    };
    let mut progress = SearchProgress::new("sizing the fleet", opts.plan.seconds);
    let mut answer = fleet::size(&input, &opts, &mut progress)?;
    fleet::write_with(
        &a.out,
        &mut answer,
        &wasteroute::plan::OutputOptions {
            force: a.replace.force,
            ..Default::default()
        },
    )
    .with_context(|| format!("writing {}", a.out.display()))?;
    let fleet: Vec<String> = answer
        .vehicles
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    let n: usize = answer.vehicles.values().sum();
    println!(
        "fleet      {n} vehicles ({}), {:.2} a day; targets {}",
        fleet.join(", "),
        answer.daily_cost,
        if answer.targets_met {
            "met"
        } else {
            "NOT met by any fleet of the menu"
        }
    );
    println!(
        "bound      at least {} vehicles ({} by load, {} by time), cost at least {:.2}: {}",
        answer.lower_bound.vehicles,
        answer.lower_bound.by_load,
        answer.lower_bound.by_time,
        answer.lower_bound.cost,
        if answer.proven_minimal {
            "the fleet size is proven minimal"
        } else {
            "the fleet size is the best found, not proven minimal"
        }
    );
    for b in &answer.blockers {
        println!("why        {b}");
    }
    for p in &answer.curve {
        let by: Vec<String> = p.by_type.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let cov: Vec<String> = p
            .demand_served
            .iter()
            .map(|(z, s)| format!("{} {:.1}%", z.name(), s * 100.0))
            .collect();
        println!(
            "curve      {:>2} vehicles ({}): {}, cost {:.2}{}",
            p.vehicles,
            by.join(", "),
            cov.join(", "),
            p.daily_cost,
            if p.targets_met { ", targets met" } else { "" }
        );
    }
    print_summary(&answer.plan, &a.out);
    println!(
        "           and fleet.json, fleet.toml, tradeoff.csv, tradeoff.svg ({} solves, {:.1} s)",
        answer.solves, answer.runtime_s
    );
    Ok(super::plan::exit_code(
        answer.plan.summary.feasible,
        answer.targets_met,
    ))
}
