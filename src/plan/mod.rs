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

mod output;
mod prepare;
mod report;

pub use output::write;
pub use report::{Coverage, PhaseTimes, PlannedRoute, PlannedStop, StopKind, Summary, Trip};

use crate::graph::Closures;
use crate::io::plan::{self, FacilityRecord, Fleet, Pickup, Stream, Zone};
use crate::model::{CheckReport, Problem, Solution, check};
use crate::solver::{Budget, Observer, SolveParams, solve_from};
use crate::{Error, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

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
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
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

/// How to plan.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Solver parameters (seed and threads included).
    pub params: SolveParams,
    /// Wall-clock limit of the search, seconds.
    pub seconds: Option<f64>,
    /// Iteration limit of the search (reproducible on any machine).
    pub iterations: Option<u64>,
    /// Stop after this many iterations without improvement.
    pub no_improvement: Option<u64>,
    /// A point farther than this from any usable road is unreachable, metres.
    pub snap_limit_m: f64,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            params: SolveParams::default(),
            seconds: None,
            iterations: None,
            no_improvement: Some(3000),
            snap_limit_m: crate::graph::DEFAULT_MAX_SNAP_M,
        }
    }
}

/// Why a pickup is not served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
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
        }
    }
}

/// A pickup left out of the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
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

/// Plans the collection.
///
/// # Errors
/// Input errors that need the road network to be found (a depot far from any
/// road: [`Error::Routing`]), and solver or internal failures.
pub fn run(input: &PlanInput, opts: &PlanOptions, observer: &mut dyn Observer) -> Result<Plan> {
    let started = Instant::now();
    let prep = prepare::prepare(input, opts)?;
    let t_solve = Instant::now();
    let mut budget = Budget {
        seconds: opts.seconds,
        iterations: opts.iterations,
        no_improvement: opts.no_improvement,
    };
    let result = if prep.problem.n_clients() == 0 {
        None
    } else {
        Some(solve_from(
            &prep.problem,
            &opts.params,
            None,
            &mut budget,
            observer,
        )?)
    };
    let solve_s = t_solve.elapsed().as_secs_f64();
    let solution = result
        .as_ref()
        .map(|r| r.solution.clone())
        .unwrap_or_default();
    let checked = check(&prep.problem, &solution);
    let stopped_by = match (&result, opts.seconds) {
        (Some(r), Some(s)) if r.elapsed_s >= s => "time",
        (Some(r), _) if opts.iterations.is_some_and(|n| r.iterations >= n) => "iterations",
        (Some(_), _) => "no_improvement",
        (None, _) => "nothing_to_route",
    };
    let t_geo = Instant::now();
    let mut plan = report::build(input, &prep, solution, checked)?;
    let geometry_s = t_geo.elapsed().as_secs_f64();
    plan.summary.seed = opts.params.seed;
    plan.summary.threads = opts.params.threads;
    plan.summary.iterations = result.as_ref().map_or(0, |r| r.iterations);
    plan.summary.stopped_by = stopped_by.to_string();
    plan.summary.phases = PhaseTimes {
        graph_s: prep.graph_s,
        snap_s: prep.snap_s,
        matrix_s: prep.matrix_s,
        solve_s,
        geometry_s,
        output_s: 0.0,
    };
    plan.summary.runtime_s = started.elapsed().as_secs_f64();
    plan.summary.inputs = input.files.clone();
    Ok(plan)
}
