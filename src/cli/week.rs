//! `wasteroute week`: the weekly plan (visit days chosen with the routes),
//! one plan folder per working day, the calendar and `week-summary.json`.

use super::plan::{ForceArg, InputArgs, SearchArgs, demo_dir, exit_code, seconds_left};
use super::progress::SearchProgress;
use anyhow::{Context, Result};
use clap::Args;
use std::path::{Path, PathBuf};
use wasteroute::week::{self, WeekOutput, WeekSummary};

/// Plan a week of waste collection (with no input flags: the bundled weekly demo).
#[derive(Debug, Args)]
pub struct WeekArgs {
    #[command(flatten)]
    inputs: InputArgs,
    /// Output folder, replaced atomically if wasteroute wrote it; anything
    /// else there is refused unless --force.
    #[arg(long, default_value = "out/week")]
    out: PathBuf,
    /// Also write each day's map.html, route_sheets.html and gpx/, and
    /// week.html: one map of the week with a day selector and the calendar.
    #[arg(long)]
    map: bool,
    #[command(flatten)]
    replace: ForceArg,
    #[command(flatten)]
    search: SearchArgs,
}

/// The bundled weekly demo: `data/demo-week`, on the one-day demo's map.
pub(super) fn week_demo_dir() -> PathBuf {
    demo_dir()
        .parent()
        .map_or_else(|| PathBuf::from("data/demo-week"), |d| d.join("demo-week"))
}

/// Runs `wasteroute week`; returns the process exit code.
pub fn run(a: WeekArgs) -> Result<i32> {
    let started = std::time::Instant::now();
    wasteroute::fsx::check_target(&a.out, a.replace.force)?;
    let input = a
        .inputs
        .load_or_demo(&week_demo_dir(), &demo_dir().join("map.osm.pbf"))?;
    let mut opts = a.search.options()?;
    opts.seconds = seconds_left(opts.seconds, started);
    let mut progress = SearchProgress::new("planning the week", opts.seconds);
    let prep = week::prepare(&input, &opts)?;
    let mut w = week::plan_week(&prep, &opts, &mut progress)?;
    let roads = prep.road_graphs();
    week::write(
        &a.out,
        &mut w,
        &[],
        &WeekOutput {
            force: a.replace.force,
            map: a.map,
            roads: Some(&roads),
        },
    )
    .with_context(|| format!("writing {}", a.out.display()))?;
    print_summary(&w.summary, &a.out, a.map);
    Ok(exit_code(w.summary.feasible, w.summary.targets_met))
}

/// Prints the short human summary of a weekly plan.
fn print_summary(s: &WeekSummary, out: &Path, map: bool) {
    let types: Vec<String> = (s.vehicles_needed_by_type.iter())
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    println!(
        "vehicles   {} needed ({}), {:.1} km, {:.1} h, cost {:.2} ({:.2} fixed, {:.2} running)",
        s.vehicles_needed,
        types.join(", "),
        s.km,
        s.hours,
        s.cost,
        s.fixed_cost,
        s.running_cost
    );
    for d in &s.days {
        println!(
            "{:<10} {} vehicles, {} visits, {} left out, {:.1} km, {:.1} h",
            d.day, d.vehicles, d.visits, d.unserved, d.km, d.hours
        );
    }
    // Every zone, and the streams with a target.
    let zones = s.coverage.iter().map(|(z, c)| (z.name(), c));
    let streams = (s.coverage_by_stream.iter())
        .filter(|(_, c)| c.target > 0.0)
        .map(|(st, c)| (st.name(), c));
    for (name, c) in zones.chain(streams) {
        let verdict = if c.met { "met" } else { "NOT MET" };
        println!(
            "{name:<10} {}/{} visits ({:.1}%), target {:.0}%: {verdict}",
            c.visits_made,
            c.visits_required,
            c.share * 100.0,
            c.target * 100.0,
        );
    }
    println!(
        "consistency {:.1}% of the {} pickups visited twice or more keep one vehicle",
        s.consistency.share * 100.0,
        s.consistency.pickups
    );
    if !s.unserved.is_empty() {
        println!(
            "unserved   {} visits (week-summary.json lists each with its day and reason)",
            s.unserved.len()
        );
    }
    if s.violations > 0 {
        eprintln!(
            "error: the day plans break {} rule(s); see \"violations\" in days/*/summary.json",
            s.violations
        );
    }
    println!(
        "search     {} iterations ({}), {:.1} s in all",
        s.iterations, s.stopped_by, s.runtime_s
    );
    println!(
        "written    {}/{{week-summary.json, calendar.csv, days/<day>/}}{}",
        out.display(),
        if map { " and week.html" } else { "" }
    );
}
