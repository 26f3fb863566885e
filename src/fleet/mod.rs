//! Fleet sizing for district planners: the cheapest fleet from a menu of
//! vehicle types that meets every coverage target, the routes that prove
//! it, a lower bound that says how far from minimal it may be, and the
//! trade-off between fleet size, coverage and cost.
//!
//! Method:
//! 1. solve with the whole menu (each type's `count`, or `max_per_type`);
//! 2. descend: take one vehicle away (most expensive types first), re-solve
//!    from the previous routes, keep the smaller fleet while the targets
//!    still hold;
//! 3. recombine: a MIP over every feasible route met so far chooses the
//!    cheapest set of routes (and so the fleet mix) that meets the targets;
//! 4. for the trade-off curve, keep taking vehicles away down to one,
//!    recording the best coverage and cost at each size;
//! 5. bound: load and time lower bounds on the number of vehicles and the
//!    cost (see [`LowerBound`]).
//!
//! With a time limit ([`PlanOptions::seconds`], for the whole sizing), the
//! first solve gets half of the time the graphs and matrices leave, each
//! later solve a quarter of what is left and the MIP at most half of it;
//! steps that find no time left are skipped, and the answer is the best
//! fleet found by then (its plan's `stopped_by` is `time`). An interrupt
//! ([`PlanOptions::interrupt`]) ends the sizing the same way (`signal`).
//!
//! The steps are the stages of `sizing.rs` (menu solve, candidate fleets,
//! descent step, recombination, curve, final plan, answer), over one
//! [`crate::plan::Prepared`] problem whose vehicle counts each solve sets
//! in place: the problem and its matrices are never copied.

mod bounds;
mod chart;
mod sizing;

pub use bounds::LowerBound;
pub(crate) use sizing::fleet_toml;

use crate::domain::Zone;
use crate::plan::{self, Plan, PlanInput, PlanOptions};
use crate::solver::Observer;
use crate::{Error, Result};
use serde::Serialize;
use std::collections::BTreeMap;

/// How to size the fleet.
#[derive(Debug, Clone)]
pub struct FleetOptions {
    /// Options of each plan (seed, threads, budget of the first solve).
    pub plan: PlanOptions,
    /// The most vehicles of each type (overrides the fleet file's counts).
    pub max_per_type: Option<usize>,
    /// Iterations of each re-solve after the first.
    pub step_iterations: u64,
    /// Compute the trade-off curve below the fleet found.
    pub curve: bool,
}

/// Iterations of each re-solve of fleet sizing after the first, by default.
pub const DEFAULT_STEP_ITERATIONS: u64 = 250;

impl Default for FleetOptions {
    fn default() -> Self {
        FleetOptions {
            plan: PlanOptions::default(),
            max_per_type: None,
            step_iterations: DEFAULT_STEP_ITERATIONS,
            curve: true,
        }
    }
}

/// One point of the trade-off curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurvePoint {
    /// Vehicles in the fleet.
    pub vehicles: usize,
    /// Vehicles per type.
    pub by_type: BTreeMap<String, usize>,
    /// Share of points served, per zone.
    pub points_served: BTreeMap<Zone, f64>,
    /// Share of demand served, per zone.
    pub demand_served: BTreeMap<Zone, f64>,
    /// Daily cost (fixed and running) of the routes.
    pub daily_cost: f64,
    /// Every target met.
    pub targets_met: bool,
}

/// The answer of fleet sizing (the content of `fleet.json`, with the plan).
#[derive(Debug, Clone, Serialize)]
pub struct FleetAnswer {
    /// Vehicles per type of the fleet found.
    pub vehicles: BTreeMap<String, usize>,
    /// Its daily cost: fixed cost per vehicle plus running cost.
    pub daily_cost: f64,
    /// True when a lower bound proves no fleet with fewer vehicles meets the targets.
    pub proven_minimal: bool,
    /// The lower bound.
    pub lower_bound: LowerBound,
    /// Every target met by the fleet found.
    pub targets_met: bool,
    /// Per target: met or not.
    pub targets: BTreeMap<String, bool>,
    /// When the menu cannot meet the targets: why.
    pub blockers: Vec<String>,
    /// Fleet size, coverage and cost, from one vehicle up to the fleet found.
    pub curve: Vec<CurvePoint>,
    /// Solves made and seconds spent.
    pub solves: usize,
    /// Seconds.
    pub runtime_s: f64,
    /// The plan of the fleet found.
    #[serde(skip)]
    pub plan: Plan,
    /// The fleet found as a fleet file `plan` accepts.
    #[serde(skip)]
    pub fleet_toml: String,
}

/// Sizes the fleet.
///
/// # Errors
/// As [`plan::run`].
pub fn size(
    input: &PlanInput,
    opts: &FleetOptions,
    observer: &mut dyn Observer,
) -> Result<FleetAnswer> {
    let menu_input = sizing::menu_input(input, opts.max_per_type);
    let prep = plan::prepare(&menu_input, &opts.plan)?;
    let mut sz = sizing::Sizing::new(prep, opts);
    let mut found = sz.menu_solve(observer)?;
    if sz.meets(&found.solution) {
        found = sz.descend(found)?;
        found = sz.recombine(found);
    }
    if opts.curve {
        sz.trade_off_curve(&found)?;
    }
    let plan = sz.final_plan(&found)?;
    sz.answer(found, plan)
}

/// Writes the fleet answer's folder: the plan files, `fleet.json`,
/// `fleet.toml`, `tradeoff.csv` and `tradeoff.svg`, atomically, replacing
/// `out` only if wasteroute wrote it ([`write_with`] with the default
/// options).
///
/// # Errors
/// As [`plan::write_with`].
pub fn write(out: &std::path::Path, answer: &mut FleetAnswer) -> Result<()> {
    write_with(out, answer, &plan::OutputOptions::default()).map(|_| ())
}

/// Writes the fleet answer's folder as [`write()`] does, with `opts` (the
/// folder is marked as a fleet folder whatever `opts.kind` says).
///
/// # Errors
/// As [`plan::write_with`].
pub fn write_with(
    out: &std::path::Path,
    answer: &mut FleetAnswer,
    opts: &plan::OutputOptions<'_>,
) -> Result<Option<crate::report::ReportFiles>> {
    let mut json = serde_json::to_vec_pretty(answer)
        .map_err(|e| Error::Internal(format!("fleet.json: {e}")))?;
    json.push(b'\n');
    let mut csv = String::from(
        "vehicles,by_type,urban_points,urban_demand,rural_points,rural_demand,daily_cost,targets_met\n",
    );
    for p in &answer.curve {
        let by: Vec<String> = p.by_type.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let g = |m: &BTreeMap<Zone, f64>, z: Zone| m.get(&z).copied().unwrap_or(1.0);
        csv.push_str(&format!(
            "{},{},{:.4},{:.4},{:.4},{:.4},{:.2},{}\n",
            p.vehicles,
            by.join(";"),
            g(&p.points_served, Zone::Urban),
            g(&p.demand_served, Zone::Urban),
            g(&p.points_served, Zone::Rural),
            g(&p.demand_served, Zone::Rural),
            p.daily_cost,
            p.targets_met
        ));
    }
    let extra = vec![
        ("fleet.json".to_string(), json),
        (
            "fleet.toml".to_string(),
            answer.fleet_toml.clone().into_bytes(),
        ),
        ("tradeoff.csv".to_string(), csv.into_bytes()),
        (
            "tradeoff.svg".to_string(),
            chart::tradeoff_svg(&answer.curve).into_bytes(),
        ),
    ];
    let opts = plan::OutputOptions {
        kind: crate::fsx::FolderKind::Fleet,
        ..*opts
    };
    plan::write_with(out, &mut answer.plan, &extra, &opts)
}
