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
    /// Size the fleet for the week: the vehicles to own so that the weekly
    /// plan meets every weekly target at the lowest weekly cost (no input
    /// flags: the bundled weekly demo). Writes a weekly plan folder (as
    /// `week`) with fleet.json and fleet.toml; no trade-off curve.
    #[arg(long)]
    week: bool,
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
    if a.week {
        return run_week(a);
    }
    wasteroute::fsx::check_target(&a.out, a.replace.force)?;
    let started = std::time::Instant::now();
    let input = a.inputs.load()?;
    let plan = options_from(&a, started)?;
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

/// The plan options of the flags, the time limit counted from `started`.
fn options_from(
    a: &FleetArgs,
    started: std::time::Instant,
) -> Result<wasteroute::plan::PlanOptions> {
    let mut plan = a.search.options()?;
    plan.seconds = super::plan::seconds_left(plan.seconds, started);
    Ok(plan)
}

/// Runs `wasteroute fleet --week`.
fn run_week(a: FleetArgs) -> Result<i32> {
    use wasteroute::week::{self, WeekFleetOptions, WeekOutput};
    wasteroute::fsx::check_target(&a.out, a.replace.force)?;
    let started = std::time::Instant::now();
    let input = a.inputs.load_or_demo(
        &super::week::week_demo_dir(),
        &super::plan::demo_dir().join("map.osm.pbf"),
    )?;
    let plan = options_from(&a, started)?;
    let opts = WeekFleetOptions {
        plan,
        max_per_type: a.max_per_type,
        step_iterations: a.step_iterations,
    };
    let mut progress = SearchProgress::new("sizing the weekly fleet", opts.plan.seconds);
    let mut found = week::size_fleet(&input, &opts, &mut progress)?;
    let mut json = serde_json::to_vec_pretty(&found.report)?;
    json.push(b'\n');
    let extra = [
        ("fleet.json".to_string(), json),
        (
            "fleet.toml".to_string(),
            found.fleet_toml.clone().into_bytes(),
        ),
    ];
    week::write(
        &a.out,
        &mut found.week,
        &extra,
        &WeekOutput {
            force: a.replace.force,
            ..Default::default()
        },
    )
    .with_context(|| format!("writing {}", a.out.display()))?;
    let r = &found.report;
    let fleet: Vec<String> = r.vehicles.iter().map(|(k, v)| format!("{k} {v}")).collect();
    println!(
        "fleet      {} vehicles ({}), {:.2} a week; weekly targets {}",
        r.vehicles.values().sum::<usize>(),
        fleet.join(", "),
        r.weekly_cost,
        if r.targets_met {
            "met"
        } else {
            "NOT met by the menu"
        }
    );
    for s in &r.steps {
        let by: Vec<String> = s.offered.iter().map(|(k, v)| format!("{k} {v}")).collect();
        println!(
            "tried      {}: cost {:.2}, targets {}{}",
            by.join(", "),
            s.weekly_cost,
            if s.targets_met { "met" } else { "missed" },
            if s.accepted { ", kept" } else { "" }
        );
    }
    if let Some(c) = &r.cut_by {
        println!("stopped    the descent was cut short ({c})");
    }
    println!(
        "written    {}/{{fleet.json, fleet.toml, week-summary.json, calendar.csv, days/<day>/}} ({} weekly solves, {:.1} s)",
        a.out.display(),
        r.solves,
        r.runtime_s
    );
    Ok(super::plan::exit_code(
        found.week.summary.feasible,
        r.targets_met,
    ))
}
