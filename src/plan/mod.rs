//! Planning waste collection end to end: from an OpenStreetMap extract,
//! pickups, facilities and a fleet to tomorrow's routes, with every pickup
//! either in a route or listed as unserved with a reason, and coverage
//! measured against the targets.
//!
//! ```text
//! PlanInput --prepare--> Problem (+ pickups that cannot be served, with reasons)
//!           --solve----> Solution --report--> Plan (routes, timetables, coverage, geometry)
//!           --output::write--> routes.geojson, unserved.geojson, summary.json, routes.csv
//! ```

mod costs;
mod folder;
mod memory;
mod output;
mod prepare;
mod recombine;
mod report;

pub use folder::{
    Coverage, PhasePeaks, PhaseTimes, PlanViolation, RouteFeature, RouteSummary, SCHEMA_VERSION,
    StopKind, StopProperties, StopRow, Summary, TripProperties, unserved_from, unserved_properties,
};
pub use output::{OutputOptions, files as output_files, write, write_with};
pub(crate) use prepare::Prepared;
pub(crate) use report::coverage_tables;
pub use report::{PlannedRoute, PlannedStop, Trip};

use crate::domain::{FacilityRecord, Fleet, Pickup, Stream, Zone};
use crate::graph::Closures;
use crate::io::plan;
use crate::model::{CheckReport, Cost, Problem, Solution, check};
use crate::solver::{
    Budget, Halt, Interrupt, Observer, SolveParams, StopReason, instant_after, solve_from,
};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The inputs of a plan, read and checked file by file.
#[derive(Debug, Clone)]
pub struct PlanInput {
    /// The OpenStreetMap extract.
    pub osm: PathBuf,
    /// Pickups.
    pub pickups: Vec<Pickup>,
    /// Depots, transfer stations, landfills and treatment plants.
    pub facilities: Vec<FacilityRecord>,
    /// Vehicle types and coverage targets.
    pub fleet: Fleet,
    /// Closed or slowed streets, with the file they came from.
    pub closures: Option<(PathBuf, Closures)>,
    /// The files, for the summary.
    pub files: InputFiles,
}

/// Where the inputs came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InputFiles {
    /// OSM extract.
    pub osm: String,
    /// Pickups file.
    pub pickups: String,
    /// Facilities file.
    pub facilities: String,
    /// Fleet file.
    pub fleet: String,
    /// Closures file, if any.
    pub closures: Option<String>,
}

impl PlanInput {
    /// Reads every input file.
    ///
    /// # Errors
    /// The first unreadable or malformed file, naming the file, the line or
    /// record, and the field.
    pub fn load(
        osm: &Path,
        pickups: &Path,
        facilities: &Path,
        fleet: &Path,
        closures: Option<&Path>,
    ) -> Result<PlanInput> {
        if !osm.exists() {
            return Err(Error::io(
                osm,
                std::io::Error::new(std::io::ErrorKind::NotFound, "file not found"),
            ));
        }
        let closures = match closures {
            Some(p) => Some((p.to_path_buf(), Closures::from_geojson(p)?)),
            None => None,
        };
        let files = InputFiles {
            osm: osm.display().to_string(),
            pickups: pickups.display().to_string(),
            facilities: facilities.display().to_string(),
            fleet: fleet.display().to_string(),
            closures: closures.as_ref().map(|(p, _)| p.display().to_string()),
        };
        Ok(PlanInput {
            osm: osm.to_path_buf(),
            pickups: plan::read_pickups(pickups)?,
            facilities: plan::read_facilities(facilities)?,
            fleet: plan::read_fleet(fleet)?,
            closures,
            files,
        })
    }
}

/// Search iterations of a plan by default: the same inputs, seed, threads
/// and iterations give the same plan on any machine, and this plans the
/// bundled demo in well under 30 s on two cores.
pub const DEFAULT_ITERATIONS: u64 = 600;
/// Iterations without improvement after which a plan's search stops, by
/// default.
pub const DEFAULT_NO_IMPROVEMENT: u64 = 300;
/// Worker threads of a plan by default: a fixed number, so that plans do
/// not depend on the machine.
pub const DEFAULT_THREADS: usize = 2;

/// How to plan. The defaults are those of the command line
/// ([`DEFAULT_ITERATIONS`], [`DEFAULT_NO_IMPROVEMENT`], [`DEFAULT_THREADS`]).
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Solver parameters (seed and threads included).
    pub params: SolveParams,
    /// Wall-clock limit of the whole plan, seconds, counted from the start
    /// of [`run`] (or [`crate::fleet::size`]): road graphs, matrices,
    /// search, repair, recombination, timetables and geometry. The search
    /// gets what the graphs and matrices leave, less a reserve for the
    /// phases after it (see [`run`]).
    pub seconds: Option<f64>,
    /// Iteration limit of the search (reproducible on any machine).
    pub iterations: Option<u64>,
    /// Stop after this many iterations without improvement.
    pub no_improvement: Option<u64>,
    /// A point farther than this from any usable road is unreachable, metres.
    pub snap_limit_m: f64,
    /// Recombine the routes met during the search with a set-packing MIP.
    pub recombine: bool,
    /// Time limit of the recombination MIP, seconds.
    pub recombine_seconds: f64,
    /// Refuse a run estimated to need more memory than this, GB; `None`:
    /// the `WASTEROUTE_MAX_MEMORY_GB` environment variable, else the memory
    /// available now (`MemAvailable` in `/proc/meminfo`, else 8 GB).
    pub max_memory_gb: Option<f64>,
    /// Ends the search as soon as it is triggered (the command line does on
    /// SIGINT and SIGTERM): the plan is then finished at once from the best
    /// solution found so far, without recombination, and its `stopped_by`
    /// is `signal`.
    pub interrupt: Option<Interrupt>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            params: SolveParams {
                threads: DEFAULT_THREADS,
                ..SolveParams::for_plans()
            },
            seconds: None,
            iterations: Some(DEFAULT_ITERATIONS),
            no_improvement: Some(DEFAULT_NO_IMPROVEMENT),
            snap_limit_m: crate::graph::DEFAULT_MAX_SNAP_M,
            recombine: true,
            recombine_seconds: 5.0,
            max_memory_gb: None,
            interrupt: None,
        }
    }
}

/// Why a pickup is not served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnservedReason {
    /// No road its vehicles may use is near enough.
    Unreachable,
    /// The closures cut it off from the depot.
    Closures,
    /// Its waste does not fit any vehicle that may carry its stream.
    Capacity,
    /// No vehicle reaches it inside its time window and gets back within its shift.
    TimeWindow,
    /// No facility accepts its stream.
    NoFacility,
    /// No vehicle type may carry its stream.
    NoVehicle,
    /// The fleet's capacity or shift time ran out (a coverage trade-off).
    Fleet,
    /// Every facility that may take its waste is full (daily capacity).
    FacilityCapacity,
}

impl UnservedReason {
    /// A short phrase for messages.
    pub fn label(self) -> &'static str {
        match self {
            UnservedReason::Unreachable => "unreachable on the road network",
            UnservedReason::Closures => "cut off by closures",
            UnservedReason::Capacity => "too big for any vehicle that may carry them",
            UnservedReason::TimeWindow => "with a time window no vehicle reaches within its shift",
            UnservedReason::NoFacility => "with no facility accepting their stream",
            UnservedReason::NoVehicle => "with no vehicle type carrying their stream",
            UnservedReason::Fleet => "left out for lack of fleet capacity or shift time",
            UnservedReason::FacilityCapacity => {
                "left out because the facilities that take their waste are full"
            }
        }
    }

    /// The name used in outputs.
    pub fn name(self) -> &'static str {
        match self {
            UnservedReason::Unreachable => "unreachable",
            UnservedReason::Closures => "closures",
            UnservedReason::Capacity => "capacity",
            UnservedReason::TimeWindow => "time_window",
            UnservedReason::NoFacility => "no_facility",
            UnservedReason::NoVehicle => "no_vehicle",
            UnservedReason::Fleet => "fleet",
            UnservedReason::FacilityCapacity => "facility_capacity",
        }
    }
}

/// A pickup left out of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unserved {
    /// Pickup id.
    pub id: String,
    /// Its label.
    #[serde(skip)]
    pub name: String,
    /// Why.
    pub reason: UnservedReason,
    /// The evidence, in one sentence.
    pub detail: String,
    /// Zone.
    pub zone: Zone,
    /// Stream.
    pub stream: Stream,
    /// Waste left, kg.
    pub demand_kg: f64,
    /// Whether the pickup was required.
    pub required: bool,
    /// Position, degrees.
    pub lat: f64,
    /// Position, degrees.
    pub lon: f64,
}

impl Unserved {
    fn new(input: &PlanInput, pickup: usize, reason: UnservedReason, detail: String) -> Unserved {
        let p = &input.pickups[pickup];
        Unserved {
            id: p.id.clone(),
            name: p.name.clone(),
            reason,
            detail,
            zone: p.zone,
            stream: p.stream,
            demand_kg: p.demand_kg,
            required: p.required,
            lat: p.lat,
            lon: p.lon,
        }
    }
}

/// A finished plan.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Figures for `summary.json`.
    pub summary: Summary,
    /// Each used vehicle's day.
    pub routes: Vec<PlannedRoute>,
    /// Pickups left out, with reasons.
    pub unserved: Vec<Unserved>,
    /// The solver's problem (for checks).
    pub problem: Problem,
    /// The solver's solution.
    pub solution: Solution,
    /// The independent checker's verdict on the solution.
    pub check: CheckReport,
}

/// What a search gave.
pub(crate) struct Solved {
    pub solution: Solution,
    pub iterations: u64,
    pub stopped_by: &'static str,
    /// Feasible routes met during the search (for fleet sizing).
    #[allow(dead_code)]
    pub pool: Vec<crate::model::Route>,
    pub recombination: Option<Recombined>,
}

/// What the route recombination did, in cost units (see [`RecombinationStats`]).
pub(crate) struct Recombined {
    pool_routes: usize,
    before: Cost,
    after: Cost,
    seconds: f64,
}

/// What the route recombination did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecombinationStats {
    /// Distinct feasible routes offered to the MIP.
    pub pool_routes: usize,
    /// Cost of the search's plan.
    pub cost_before: f64,
    /// Cost after recombination (equal if nothing better was found).
    pub cost_after: f64,
    /// Seconds spent.
    pub seconds: f64,
}

/// Seconds from now until `t` (0 once it passed).
pub(crate) fn seconds_until(t: Instant) -> f64 {
    t.saturating_duration_since(Instant::now()).as_secs_f64()
}

/// The time kept, under a plan's limit of `limit_s` seconds, for the
/// phases after the search and recombination of `n_clients` clients:
/// timetables, road geometry and writing the folder (measured: 0.25 s for
/// the 400 pickups of the demo, 0.9 s for 2,000 on Malta), at most a
/// quarter of the limit.
pub(crate) fn finish_reserve(limit_s: f64, n_clients: usize) -> Duration {
    let s = (0.3 + 0.0005 * n_clients as f64).min(0.25 * limit_s.max(0.0));
    Duration::try_from_secs_f64(s).unwrap_or_default()
}

/// The share of the time left that the recombination MIP may take after
/// the search, at most its own limit.
const RECOMBINE_SHARE: f64 = 0.05;

/// Runs the search on `problem`, then tries to recombine the routes it met
/// into a cheaper plan serving at least the same pickups. With `end`, both
/// are over by then: the recombination keeps a twentieth of the time left (at
/// most `opts.recombine_seconds`), the search gets the rest and the MIP is
/// abandoned at `end`. When the search is interrupted, or ends after `end`,
/// there is no recombination.
pub(crate) fn solve_problem(
    problem: &Problem,
    opts: &PlanOptions,
    initial: Option<&Solution>,
    end: Option<Instant>,
    observer: &mut dyn Observer,
) -> Result<Solved> {
    if problem.n_clients() == 0 {
        return Ok(Solved {
            solution: Solution::default(),
            iterations: 0,
            stopped_by: "nothing_to_route",
            pool: Vec::new(),
            recombination: None,
        });
    }
    let window = end.map(seconds_until);
    let recombine_s = match window {
        Some(w) if opts.recombine => opts.recombine_seconds.min(RECOMBINE_SHARE * w),
        _ => 0.0,
    };
    let mut budget = Budget {
        seconds: window.map(|w| w - recombine_s),
        iterations: opts.iterations,
        no_improvement: opts.no_improvement,
        interrupt: opts.interrupt.clone(),
    };
    let r = solve_from(problem, &opts.params, initial, &mut budget, observer)?;
    for s in &r.operator_stats {
        tracing::debug!(
            operator = s.name,
            evaluations = s.evaluations,
            applications = s.applications,
            "search"
        );
    }
    let stopped_by = match r.stopped_by {
        StopReason::Interrupt => "signal",
        StopReason::Time => "time",
        StopReason::Criterion if opts.iterations.is_some_and(|n| r.iterations >= n) => "iterations",
        StopReason::Criterion => "no_improvement",
    };
    let mut halt = Halt::new(end, opts.interrupt.clone());
    let mut solution = r.solution;
    let mut pool = r.route_pool;
    pool.extend(solution.routes.iter().cloned());
    let mut recombination = None;
    if opts.recombine && !halt.reached() && check(problem, &solution).is_feasible() {
        let t = Instant::now();
        let before = check(problem, &solution).cost;
        let routes = recombine::pool(problem, pool.iter().cloned(), 3000, &mut halt);
        let served: Vec<usize> = solution.routes.iter().flat_map(|r| r.clients()).collect();
        // Serving an extra pickup is worth more than any route costs.
        let bonus = routes
            .iter()
            .map(|r| r.cost as f64 * recombine::SCALE)
            .fold(1.0, f64::max)
            * 2.0;
        let reward = (0..problem.n_clients())
            .map(|c| if served.contains(&c) { 0.0 } else { bonus })
            .collect();
        let start = solution
            .routes
            .iter()
            .filter_map(|r| {
                let mut cs: Vec<usize> = r.clients().collect();
                cs.sort_unstable();
                routes
                    .iter()
                    .position(|p| p.route.vehicle_type == r.vehicle_type && p.clients == cs)
            })
            .collect();
        let mip = recombine::Mip {
            problem,
            pool: &routes,
            counts: problem.vehicle_types().iter().map(|t| t.count).collect(),
            must_serve: served,
            reward,
            rules: Vec::new(),
            start,
            seconds: end.map_or(opts.recombine_seconds, |e| {
                opts.recombine_seconds.min(seconds_until(e))
            }),
        };
        let mut after = before;
        if let Some(chosen) = mip.solve(&mut halt) {
            let candidate = recombine::solution_of(problem, &routes, &chosen);
            let rep = check(problem, &candidate);
            // Better means: at least as many pickups, and cheaper in all.
            if rep.is_feasible()
                && candidate.unassigned.len() <= solution.unassigned.len()
                && rep.cost < before
            {
                after = rep.cost;
                solution = candidate;
            }
        }
        recombination = Some(Recombined {
            pool_routes: routes.len(),
            before,
            after,
            seconds: t.elapsed().as_secs_f64(),
        });
    }
    Ok(Solved {
        solution,
        iterations: r.iterations,
        stopped_by,
        pool,
        recombination,
    })
}

impl Solved {
    /// A solution found elsewhere (fleet sizing), as if the search gave it.
    pub(crate) fn from_solution(solution: Solution) -> Solved {
        Solved {
            solution,
            iterations: 0,
            stopped_by: "fleet_sizing",
            pool: Vec::new(),
            recombination: None,
        }
    }
}

/// Prepares the problem of `input` (graphs, matrices, unservable pickups).
pub(crate) fn prepare_input(input: &PlanInput, opts: &PlanOptions) -> Result<Prepared> {
    prepare::prepare(input, opts)
}

/// Like [`finish`], timing from `started`.
pub(crate) fn finish_prepared(
    input: &PlanInput,
    prep: &Prepared,
    problem: &Problem,
    solved: Solved,
    opts: &PlanOptions,
    started: Instant,
) -> Result<Plan> {
    finish(input, prep, problem, solved, opts, started, 0.0)
}

/// The cheapest selection of pooled routes (within the menu's counts) that
/// meets every coverage target, by the recombination MIP (given up when
/// `halt` is reached).
pub(crate) fn recombine_for_targets(
    input: &PlanInput,
    prep: &Prepared,
    problem: &Problem,
    menu: &[usize],
    routes: impl IntoIterator<Item = crate::model::Route>,
    seconds: f64,
    halt: &mut Halt,
) -> Option<Solution> {
    let pool = recombine::pool(problem, routes, 4000, halt);
    let targets = &input.fleet.spec.targets;
    let mut rules = Vec::new();
    // Each target covers the pickups of a zone or of a stream.
    let groups = Zone::ALL
        .into_iter()
        .map(|z| (targets.zone(z), Some(z), None))
        .chain(
            Stream::ALL
                .into_iter()
                .map(|st| (targets.stream(st), None, Some(st))),
        );
    let groups: Vec<(f64, Option<Zone>, Option<Stream>)> = groups.collect();
    let member = |p: &Pickup, z: Option<Zone>, st: Option<Stream>| {
        z.is_none_or(|z| p.zone == z) && st.is_none_or(|st| p.stream == st)
    };
    for &(target, z, st) in &groups {
        if target <= 0.0 {
            continue;
        }
        let all: Vec<&Pickup> = input.pickups.iter().filter(|p| member(p, z, st)).collect();
        if all.is_empty() {
            continue;
        }
        let clients: Vec<usize> = (0..prep.client_pickup.len())
            .filter(|&c| member(&input.pickups[prep.client_pickup[c]], z, st))
            .collect();
        let n = all.len() as f64;
        let demand: f64 = all.iter().map(|p| p.demand_kg).sum();
        rules.push(recombine::CoverageRule {
            weights: clients.iter().map(|&c| (c, 1.0)).collect(),
            rhs: (target * n - 1e-6).ceil(),
        });
        rules.push(recombine::CoverageRule {
            weights: clients
                .iter()
                .map(|&c| (c, input.pickups[prep.client_pickup[c]].demand_kg))
                .collect(),
            rhs: target * demand - 1e-6,
        });
    }
    let mip = recombine::Mip {
        problem,
        pool: &pool,
        counts: menu.to_vec(),
        must_serve: Vec::new(),
        reward: vec![0.0; problem.n_clients()],
        rules,
        start: Vec::new(),
        seconds,
    };
    let chosen = mip.solve(halt)?;
    let sol = recombine::solution_of(problem, &pool, &chosen);
    check(problem, &sol).is_feasible().then_some(sol)
}

/// Plans the collection.
///
/// With [`PlanOptions::seconds`], the plan is ready within that limit from
/// this call plus a small margin: the graphs and matrices are built first
/// (they cannot be cut short), a reserve is kept for the timetables and
/// geometry after the search (0.3 s plus 0.5 ms per pickup, at most a
/// quarter of the limit), the recombination MIP gets a twentieth of what is
/// left and the search the rest. The search ends inside its last local
/// search or repair when the time is up, and the plan is made from the best
/// solution so far, with the violations the checker finds if it is not
/// feasible (then `summary.feasible` is false). The same holds when
/// [`PlanOptions::interrupt`] is triggered.
///
/// # Errors
/// Input errors that need the road network to be found (a depot far from any
/// road: [`Error::Routing`]), and solver or internal failures.
pub fn run(input: &PlanInput, opts: &PlanOptions, observer: &mut dyn Observer) -> Result<Plan> {
    let started = Instant::now();
    let deadline = opts.seconds.and_then(|s| instant_after(started, s));
    let prep = prepare::prepare(input, opts)?;
    let t_solve = Instant::now();
    let end = deadline.map(|d| {
        let reserve = finish_reserve(opts.seconds.unwrap_or(0.0), prep.problem.n_clients());
        d.checked_sub(reserve).unwrap_or(d).max(t_solve)
    });
    let solved = solve_problem(&prep.problem, opts, None, end, observer)?;
    let solve_s = t_solve.elapsed().as_secs_f64();
    finish(input, &prep, &prep.problem, solved, opts, started, solve_s)
}

/// Timetables, geometry, coverage and summary of a solved problem.
pub(crate) fn finish(
    input: &PlanInput,
    prep: &prepare::Prepared,
    problem: &Problem,
    solved: Solved,
    opts: &PlanOptions,
    started: Instant,
    solve_s: f64,
) -> Result<Plan> {
    let solve_rss_mb = crate::peak_rss_mb();
    let checked = check(problem, &solved.solution);
    let t_geo = Instant::now();
    let mut plan = report::build(input, prep, problem, solved.solution, checked)?;
    let geometry_s = t_geo.elapsed().as_secs_f64();
    plan.summary.seed = opts.params.seed;
    plan.summary.threads = opts.params.threads;
    plan.summary.iterations = solved.iterations;
    plan.summary.stopped_by = solved.stopped_by.to_string();
    plan.summary.recombination = solved.recombination.map(|r| RecombinationStats {
        pool_routes: r.pool_routes,
        cost_before: prep.cost_unit.currency(r.before),
        cost_after: prep.cost_unit.currency(r.after),
        seconds: r.seconds,
    });
    plan.summary.phases = PhaseTimes {
        graph_s: prep.graph_s,
        snap_s: prep.snap_s,
        matrix_s: prep.matrix_s,
        solve_s,
        geometry_s,
        output_s: 0.0,
    };
    plan.summary.phases_peak_rss_mb = PhasePeaks {
        graph_mb: prep.graph_rss_mb,
        matrix_mb: prep.matrix_rss_mb,
        solve_mb: solve_rss_mb,
    };
    plan.summary.runtime_s = started.elapsed().as_secs_f64();
    plan.summary.inputs = input.files.clone();
    Ok(plan)
}
