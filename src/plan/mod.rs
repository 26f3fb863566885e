//! Planning waste collection end to end: from an OpenStreetMap extract,
//! pickups, facilities and a fleet to tomorrow's routes, with every pickup
//! either in a route or listed as unserved with a reason, and coverage
//! measured against the targets.
//!
//! A plan is a pipeline of stages, each a function with a typed input and
//! output; [`run`] is their composition, and fleet sizing, scenario
//! comparison and batch runs call the same stages:
//!
//! ```text
//! PlanInput::load   files --> PlanInput          (each file read and checked)
//! prepare           &PlanInput --> Prepared      (cross-file checks, road graph per
//!                                                 profile, snapping and closures,
//!                                                 unservable pickups with reasons,
//!                                                 matrices per profile, Problem;
//!                                                 its own stages are in prepare.rs)
//! solve             &Prepared --> Solved         (search, then route recombination)
//! build             &Prepared + Solved --> Plan  (checker, timetables, road geometry,
//!                                                 coverage, summary)
//! write / write_with  Plan --> output folder     (routes.geojson, unserved.geojson,
//!                                                 summary.json, routes.csv; with
//!                                                 reports, map.html drawn on the
//!                                                 prepared road graphs)
//! ```
//!
//! [`Prepared`] is built once and borrowed by every later stage: fleet
//! sizing solves it under many fleets ([`Prepared`]'s vehicle counts are
//! changed in place, the problem is not copied).

mod costs;
mod folder;
mod memory;
mod output;
mod prepare;
mod recombine;
mod report;

pub use folder::{
    Coverage, PhasePeaks, PhaseTimes, PlanViolation, ProfileTurns, RouteFeature, RouteSummary,
    SCHEMA_VERSION, StopKind, StopProperties, StopRow, Summary, TripProperties, unserved_from,
    unserved_properties,
};
pub use output::{OutputOptions, files as output_files, write, write_with};
pub use prepare::Prepared;
pub(crate) use recombine::for_targets as recombine_for_targets;
pub(crate) use report::coverage_tables;
pub use report::{PlannedRoute, PlannedStop, Trip};

use crate::domain::{FacilityRecord, Fleet, Pickup, Stream, Zone};
use crate::graph::Closures;
use crate::io::plan;
use crate::model::{CheckReport, Problem, Solution, check};
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
    /// Route on the turn-aware graph ([`crate::matrix::Router::turn_aware`]):
    /// the matrices, the legs of routes.geojson, the map and the GPX obey
    /// the OSM turn restrictions and the profile's turn model (U-turn rule,
    /// turn costs, signals). Off by default: the node-based graph.
    pub turns: bool,
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
            turns: false,
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

/// The output of the search stage ([`solve`]): the best solution found,
/// how the search ended, and the feasible routes it met.
pub struct Solved {
    pub(crate) solution: Solution,
    pub(crate) iterations: u64,
    pub(crate) stopped_by: &'static str,
    /// Feasible routes met during the search (for fleet sizing).
    pub(crate) pool: Vec<crate::model::Route>,
    pub(crate) recombination: Option<recombine::Recombined>,
    /// Seconds in the search and the recombination.
    pub(crate) seconds: f64,
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
            seconds: 0.0,
        }
    }

    /// The best solution found.
    pub fn solution(&self) -> &Solution {
        &self.solution
    }

    /// Iterations of the search.
    pub fn iterations(&self) -> u64 {
        self.iterations
    }

    /// Why the search ended, as `summary.json`'s `stopped_by` says it:
    /// `iterations`, `no_improvement`, `time`, `signal` or
    /// `nothing_to_route`.
    pub fn stopped_by(&self) -> &'static str {
        self.stopped_by
    }
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

impl Prepared<'_> {
    /// When the search and recombination of a plan with `opts` must be
    /// over: [`PlanOptions::seconds`] after the start of the preparation,
    /// less a reserve for the phases after them (timetables, geometry,
    /// outputs: 0.3 s plus 0.5 ms per pickup, at most a quarter of the
    /// limit), and not before now (`None`: no time limit).
    pub fn search_end(&self, opts: &PlanOptions) -> Option<Instant> {
        self.search_end_for(opts, self.problem.n_clients())
    }

    /// [`Prepared::search_end`] with the reserve counted for `n_visits`
    /// stops to timetable (a week's visits, not one day's clients).
    pub(crate) fn search_end_for(&self, opts: &PlanOptions, n_visits: usize) -> Option<Instant> {
        let deadline = opts.seconds.and_then(|s| instant_after(self.started, s))?;
        let reserve = finish_reserve(opts.seconds.unwrap_or(0.0), n_visits);
        Some(
            deadline
                .checked_sub(reserve)
                .unwrap_or(deadline)
                .max(Instant::now()),
        )
    }
}

/// Stage 1, preparation: the inputs checked across files, the road graph
/// of every profile (built once from one read of the extract, closures
/// applied), every point snapped, the pickups no route can serve explained,
/// the travel matrices (once per profile) and the solver's problem. The
/// stages inside are in `prepare.rs`.
///
/// The time limit of [`PlanOptions::seconds`] counts from this call.
///
/// # Errors
/// Input errors that need more than one file or the road network to be
/// found (a depot far from any road: [`Error::Routing`]), a run estimated
/// above the memory limit, and routing failures.
pub fn prepare<'a>(input: &'a PlanInput, opts: &PlanOptions) -> Result<Prepared<'a>> {
    prepare::prepare(input, opts)
}

/// Stage 2, search: solves the prepared problem (with the vehicle counts
/// it offers now) from `initial` if given, then tries to recombine the
/// routes met into a cheaper plan serving at least the same pickups. With
/// `end` (see [`Prepared::search_end`]) both are over by then: the
/// recombination keeps a twentieth of the time left (at most
/// [`PlanOptions::recombine_seconds`]), the search gets the rest and the
/// MIP is abandoned at `end`. When the search is interrupted, or ends after
/// `end`, there is no recombination.
///
/// # Errors
/// Solver failures (an initial solution that does not fit the problem).
pub fn solve(
    prep: &Prepared<'_>,
    opts: &PlanOptions,
    initial: Option<&Solution>,
    end: Option<Instant>,
    observer: &mut dyn Observer,
) -> Result<Solved> {
    solve_problem(&prep.problem, opts, initial, end, observer)
}

/// [`solve`] on any problem (the weekly problem of a week).
pub(crate) fn solve_problem(
    problem: &Problem,
    opts: &PlanOptions,
    initial: Option<&Solution>,
    end: Option<Instant>,
    observer: &mut dyn Observer,
) -> Result<Solved> {
    let started = Instant::now();
    if problem.n_clients() == 0 {
        return Ok(Solved {
            solution: Solution::default(),
            iterations: 0,
            stopped_by: "nothing_to_route",
            pool: Vec::new(),
            recombination: None,
            seconds: 0.0,
        });
    }
    let window = end.map(seconds_until);
    let recombine_s = match window {
        Some(w) if opts.recombine => opts.recombine_seconds.min(recombine::SHARE * w),
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
    let mut pool = r.route_pool;
    pool.extend(r.solution.routes.iter().cloned());
    let (solution, recombination) = if opts.recombine {
        recombine::improve(
            problem,
            r.solution,
            &pool,
            opts.recombine_seconds,
            end,
            &mut halt,
        )
    } else {
        (r.solution, None)
    };
    Ok(Solved {
        solution,
        iterations: r.iterations,
        stopped_by,
        pool,
        recombination,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Stage 3, the plan: the solution checked by the independent checker,
/// each route's timetable and road geometry (from the routers the
/// preparation built), coverage against the targets, unserved pickups with
/// their reasons, and the summary (with the time and memory of every
/// phase, counted from [`prepare`]).
///
/// # Errors
/// Routing failures of the road geometry, and internal failures.
pub fn build(prep: &Prepared<'_>, solved: Solved, opts: &PlanOptions) -> Result<Plan> {
    build_judged(prep, prep.input, &prep.problem, solved, opts)
}

/// [`build`], with the solution judged against `problem` and reported on
/// the pickups of `input` (those of the preparation, or of one day of a
/// week: [`Prepared::for_day`]).
pub(crate) fn build_judged(
    prep: &Prepared<'_>,
    input: &PlanInput,
    problem: &Problem,
    solved: Solved,
    opts: &PlanOptions,
) -> Result<Plan> {
    let solve_rss_mb = crate::peak_rss_mb();
    let checked = check(problem, &solved.solution);
    let t_geo = Instant::now();
    let mut plan = report::build(input, prep, problem, solved.solution, checked)?;
    let geometry_s = t_geo.elapsed().as_secs_f64();
    let s = &mut plan.summary;
    s.seed = opts.params.seed;
    s.threads = opts.params.threads;
    s.iterations = solved.iterations;
    s.stopped_by = solved.stopped_by.to_string();
    s.recombination = solved.recombination.map(|r| r.stats(prep.cost_unit));
    s.phases = PhaseTimes {
        graph_s: prep.graph_s,
        snap_s: prep.snap_s,
        matrix_s: prep.matrix_s,
        solve_s: solved.seconds,
        geometry_s,
        output_s: 0.0,
    };
    s.phases_peak_rss_mb = PhasePeaks {
        graph_mb: prep.graph_rss_mb,
        matrix_mb: prep.matrix_rss_mb,
        solve_mb: solve_rss_mb,
    };
    s.runtime_s = prep.started.elapsed().as_secs_f64();
    s.inputs = input.files.clone();
    Ok(plan)
}

/// Plans the collection: [`prepare`], [`solve`] until
/// [`Prepared::search_end`], then [`build`].
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
/// As [`prepare`], [`solve`] and [`build`].
pub fn run(input: &PlanInput, opts: &PlanOptions, observer: &mut dyn Observer) -> Result<Plan> {
    let prep = prepare(input, opts)?;
    let solved = solve(&prep, opts, None, prep.search_end(opts), observer)?;
    build(&prep, solved, opts)
}

/// The stages under the names the tests of `report.rs` use.
#[cfg(test)]
fn prepare_input<'a>(input: &'a PlanInput, opts: &PlanOptions) -> Result<Prepared<'a>> {
    prepare(input, opts)
}

/// [`build`] judged against `problem` (the tests of `report.rs`).
#[cfg(test)]
fn finish(
    _input: &PlanInput,
    prep: &Prepared<'_>,
    problem: &Problem,
    solved: Solved,
    opts: &PlanOptions,
    _started: Instant,
    _solve_s: f64,
) -> Result<Plan> {
    build_judged(prep, prep.input, problem, solved, opts)
}

#[cfg(test)]
pub(crate) mod tests;
