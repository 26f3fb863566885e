//! `wasteroute plan`: tomorrow's routes from a map, pickups, facilities and a fleet.

use super::progress::SearchProgress;
use anyhow::{Context, Result};
use clap::Args;
use std::path::{Path, PathBuf};
use wasteroute::plan::{self, Plan, PlanInput, PlanOptions};
use wasteroute::solver::SolveParams;

/// Exit code when the plan is written but a coverage target is missed.
pub const EXIT_TARGETS_MISSED: i32 = 4;
/// Exit code when a plan is written that breaks a rule (the independent
/// checker found violations; they are listed in `summary.json` and on
/// stderr). It takes precedence over [`EXIT_TARGETS_MISSED`].
pub const EXIT_VIOLATIONS: i32 = 5;

/// The exit code of a written plan: 5 if it breaks a rule (the checker
/// found violations), else 4 if a target is missed, else 0.
pub fn exit_code(feasible: bool, targets_met: bool) -> i32 {
    if !feasible {
        EXIT_VIOLATIONS
    } else if !targets_met {
        EXIT_TARGETS_MISSED
    } else {
        0
    }
}

/// Plan waste collection (with no input flags: the bundled demo).
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    inputs: InputArgs,
    /// Output folder, replaced atomically (with the reports of --map) if
    /// wasteroute wrote it; anything else there is refused unless --force.
    #[arg(long, default_value = "out/plan")]
    out: PathBuf,
    /// Also write map.html, route_sheets.html and gpx/ for dispatchers.
    #[arg(long)]
    map: bool,
    #[command(flatten)]
    replace: ForceArg,
    #[command(flatten)]
    search: SearchArgs,
}

/// The input files of the planning commands (none: the bundled demo).
#[derive(Debug, Args)]
pub struct InputArgs {
    /// OpenStreetMap extract (.osm.pbf).
    #[arg(long)]
    osm: Option<PathBuf>,
    /// Pickups (CSV, or GeoJSON points).
    #[arg(long)]
    pickups: Option<PathBuf>,
    /// Facilities (CSV): depots, transfer stations, landfills, treatment plants.
    #[arg(long)]
    facilities: Option<PathBuf>,
    /// Fleet and coverage targets (TOML); for `fleet`, the menu: each
    /// type's count is the most it may use.
    #[arg(long)]
    fleet: Option<PathBuf>,
    /// Closed or slowed streets (GeoJSON with a `factor` property).
    #[arg(long)]
    closures: Option<PathBuf>,
}

impl InputArgs {
    /// Reads the input files, or those of the demo in `demo` (its pickups,
    /// facilities and fleet, on the extract `osm`) when none is given.
    pub fn load_or_demo(&self, demo: &Path, osm: &Path) -> Result<PlanInput> {
        if (&self.osm, &self.pickups, &self.facilities, &self.fleet) == (&None, &None, &None, &None)
        {
            return Ok(PlanInput::load(
                osm,
                &demo.join("pickups.csv"),
                &demo.join("facilities.csv"),
                &demo.join("fleet.toml"),
                self.closures.as_deref(),
            )?);
        }
        self.load()
    }

    /// Reads the input files, or the bundled demo's when none is given.
    pub fn load(&self) -> Result<PlanInput> {
        let (osm, pickups, facilities, fleet) =
            input_paths(&self.osm, &self.pickups, &self.facilities, &self.fleet)?;
        Ok(PlanInput::load(
            &osm,
            &pickups,
            &facilities,
            &fleet,
            self.closures.as_deref(),
        )?)
    }
}

/// `--force`, of the commands that write an output folder.
#[derive(Debug, Args)]
pub struct ForceArg {
    /// Replace --out even if wasteroute did not write it (a folder of other
    /// files, a file): it is deleted, with everything in it.
    #[arg(long)]
    pub force: bool,
}

/// Search budget and reproducibility flags shared by the planning commands.
#[derive(Debug, Args, Clone)]
pub struct SearchArgs {
    /// Wall-clock limit of the whole command, seconds (compare: of all
    /// scenarios together). The command ends within it plus a small margin
    /// (README, "Reproducibility and exit codes"), writing the best plan
    /// found by then.
    #[arg(long, value_parser = super::values::positive)]
    pub seconds: Option<f64>,
    /// Iteration limit of the search (0: none). The same inputs, seed,
    /// threads and iterations give the same plan on any machine; the default
    /// plans the bundled demo in well under 30 s on two cores.
    #[arg(long, default_value_t = plan::DEFAULT_ITERATIONS)]
    pub iterations: u64,
    /// Stop after this many iterations without improvement.
    #[arg(long, default_value_t = plan::DEFAULT_NO_IMPROVEMENT)]
    pub no_improvement: u64,
    /// Random seed.
    #[arg(long, default_value_t = SolveParams::default().seed)]
    pub seed: u64,
    /// Worker threads, 1 to 1024 (a fixed default, so that plans do not
    /// depend on the machine).
    #[arg(long, default_value_t = plan::DEFAULT_THREADS, value_parser = super::values::threads)]
    pub threads: usize,
    /// Largest distance from a point to a usable road, metres.
    #[arg(long, default_value_t = wasteroute::graph::DEFAULT_MAX_SNAP_M, value_parser = super::values::positive)]
    pub snap_limit_m: f64,
    /// Refuse runs whose matrices and search are estimated to need more
    /// memory than this, GB (default: the memory available now, from
    /// /proc/meminfo, or 8 GB where it cannot be read; also
    /// WASTEROUTE_MAX_MEMORY_GB).
    #[arg(long, value_parser = super::values::positive)]
    pub max_memory_gb: Option<f64>,
    /// Skip the recombination of routes (a set-packing MIP) after the search.
    #[arg(long)]
    pub no_recombine: bool,
    /// Route on the turn-aware road graph: OSM turn restrictions, the
    /// profile's U-turn rule and turn costs, and `side = curb` pickups
    /// reached on the curb side of a two-way street without turning in it
    /// (docs/roads.md, "Turns"; `side = curb` is honoured without the flag
    /// too, but a node-based route may then turn round at a junction).
    /// With the flag, a pickup without a `side` is curb-side on primary
    /// roads and above and on dual carriageways (docs/plan-inputs.md).
    /// Off by default (the node-based graph); results change with it.
    #[arg(long)]
    pub turns: bool,
    /// Solver parameters from a TOML file (fields of `SolveParams`
    /// overriding the plan defaults; seed and threads come from the flags,
    /// and fields the chosen method does not use are refused).
    #[arg(long)]
    pub params: Option<PathBuf>,
}

impl SearchArgs {
    /// The plan options these flags ask for.
    pub fn options(&self) -> Result<PlanOptions> {
        let base = match &self.params {
            Some(p) => super::cvrp::load_params(p, &SolveParams::for_plans())?,
            None => SolveParams::for_plans(),
        };
        Ok(PlanOptions {
            params: SolveParams {
                seed: self.seed,
                threads: self.threads,
                ..base
            },
            seconds: self.seconds,
            iterations: (self.iterations > 0).then_some(self.iterations),
            no_improvement: Some(self.no_improvement),
            snap_limit_m: self.snap_limit_m,
            recombine: !self.no_recombine,
            max_memory_gb: self.max_memory_gb,
            interrupt: super::signal::interrupt(),
            turns: self.turns,
            ..PlanOptions::default()
        })
    }
}

/// The time left of a command's `--seconds` after what it spent since
/// `started` (reading the inputs).
pub fn seconds_left(seconds: Option<f64>, started: std::time::Instant) -> Option<f64> {
    seconds.map(|s| (s - started.elapsed().as_secs_f64()).max(0.0))
}

/// The bundled demo folder: `data/demo` under the current folder, or under
/// the source tree the binary was built from.
pub fn demo_dir() -> PathBuf {
    let here = PathBuf::from("data/demo");
    if here.join("fleet.toml").exists() {
        here
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/demo")
    }
}

/// Input paths, defaulting to the bundled demo when none is given.
pub fn input_paths(
    osm: &Option<PathBuf>,
    pickups: &Option<PathBuf>,
    facilities: &Option<PathBuf>,
    fleet: &Option<PathBuf>,
) -> Result<(PathBuf, PathBuf, PathBuf, PathBuf)> {
    match (osm, pickups, facilities, fleet) {
        (None, None, None, None) => {
            let d = demo_dir();
            Ok((d.join("map.osm.pbf"), d.join("pickups.csv"), d.join("facilities.csv"), d.join("fleet.toml")))
        }
        (Some(o), Some(p), Some(f), Some(v)) => Ok((o.clone(), p.clone(), f.clone(), v.clone())),
        _ => Err(super::InputError(
            "give all of --osm, --pickups, --facilities and --fleet, or none of them for the bundled demo".into(),
        )
        .into()),
    }
}

/// Runs `wasteroute plan`; returns the process exit code.
pub fn run(a: PlanArgs) -> Result<i32> {
    let started = std::time::Instant::now();
    wasteroute::fsx::check_target(&a.out, a.replace.force)?;
    let input = a.inputs.load()?;
    let mut opts = a.search.options()?;
    opts.seconds = seconds_left(opts.seconds, started);
    let mut progress = SearchProgress::new("planning", opts.seconds);
    // The stages of plan::run, keeping the prepared road graphs for the
    // map's base layer.
    let prep = plan::prepare(&input, &opts)?;
    let solved = plan::solve(&prep, &opts, None, prep.search_end(&opts), &mut progress)?;
    let mut p = plan::build(&prep, solved, &opts)?;
    let graphs = prep.road_graphs();
    let written = plan::write_with(
        &a.out,
        &mut p,
        &[],
        &plan::OutputOptions {
            force: a.replace.force,
            reports: a.map,
            roads: Some(&graphs),
            ..Default::default()
        },
    )
    .with_context(|| format!("writing {}", a.out.display()))?;
    print_summary(&p, &a.out);
    if let Some(r) = written {
        print_reports(&r);
    }
    Ok(exit_code(p.summary.feasible, p.summary.targets_met))
}

/// Says where the dispatcher reports of a plan folder were written.
pub fn print_reports(r: &wasteroute::report::ReportFiles) {
    for n in &r.notes {
        eprintln!("warning: {n}");
    }
    println!(
        "written    {}, {} and {} GPX files",
        r.map.display(),
        r.route_sheets.display(),
        r.gpx.len()
    );
}

/// Lists on stderr each rule a written plan breaks.
pub fn print_violations(s: &plan::Summary, out: &Path) {
    if s.violations.is_empty() {
        return;
    }
    eprintln!(
        "error: the plan written to {} breaks {} rule(s) (exit code {EXIT_VIOLATIONS}); see \"violations\" in summary.json:",
        out.display(),
        s.violations.len()
    );
    for v in &s.violations {
        match &v.vehicle {
            Some(name) => eprintln!("violation  {} {name}: {}", v.kind, v.detail),
            None => eprintln!("violation  {}: {}", v.kind, v.detail),
        }
    }
}

/// Prints the short human summary of a plan.
pub fn print_summary(p: &Plan, out: &Path) {
    let s = &p.summary;
    let types: Vec<String> = s
        .vehicles_by_type
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    println!(
        "vehicles   {} ({}), {} trips, {:.1} km, {:.1} h, cost {:.2}",
        s.vehicles_used,
        types.join(", "),
        s.trips,
        s.km,
        s.hours,
        s.cost
    );
    for (z, c) in &s.coverage {
        println!(
            "{:<10} {}/{} points ({:.1}%), {:.0}/{:.0} kg ({:.1}%), target {:.0}%: {}",
            format!("{z:?}").to_lowercase(),
            c.points_served,
            c.points_total,
            c.share_points * 100.0,
            c.demand_served_kg,
            c.demand_total_kg,
            c.share_demand * 100.0,
            c.target * 100.0,
            if c.met { "met" } else { "NOT MET" }
        );
    }
    for (st, c) in &s.coverage_by_stream {
        if c.target > 0.0 && !c.met {
            println!(
                "{:<10} target {:.0}% NOT MET ({:.1}% of demand)",
                format!("{st:?}").to_lowercase(),
                c.target * 100.0,
                c.share_demand * 100.0
            );
        }
    }
    for t in s.turns.iter().flatten() {
        let r = &t.restrictions;
        println!(
            "turns      {}: {}/{} turn restrictions applied, {} U-turns forbidden, {}/{} curb-side pickups held to one direction ({} curb-side by their road's default)",
            t.profile,
            r.applied,
            r.read,
            t.turn_graph.u_turns_forbidden,
            t.curb_directed,
            t.curb_pickups,
            t.curb_by_default,
        );
    }
    if s.unserved.is_empty() {
        println!("unserved   none");
    } else {
        let reasons: Vec<String> = s
            .unserved_by_reason
            .iter()
            .map(|(r, n)| format!("{} {n}", r.name()))
            .collect();
        println!("unserved   {} ({})", s.unserved.len(), reasons.join(", "));
    }
    for b in &s.blockers {
        println!("blocked    {b}");
    }
    print_violations(s, out);
    let first = s.routes.iter().map(|r| &r.start).min();
    let last = s.routes.iter().map(|r| &r.end).max();
    let (first, last) = (
        first.map_or("", String::as_str),
        last.map_or("", String::as_str),
    );
    println!(
        "day        {first} to {last}; search {} iterations ({}), {:.1} s in all",
        s.iterations, s.stopped_by, s.runtime_s
    );
    println!(
        "written    {}/{{summary.json, routes.geojson, unserved.geojson, routes.csv}}",
        out.display()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violations_take_precedence_over_missed_targets() {
        assert_eq!(exit_code(true, true), 0);
        assert_eq!(exit_code(true, false), EXIT_TARGETS_MISSED);
        assert_eq!(exit_code(false, true), EXIT_VIOLATIONS);
        assert_eq!(exit_code(false, false), EXIT_VIOLATIONS);
        assert_eq!((EXIT_TARGETS_MISSED, EXIT_VIOLATIONS), (4, 5));
    }
}
