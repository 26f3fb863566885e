//! The solver: one local search for every problem variant, driven by a
//! hybrid genetic search ([`Method::Hgs`], Vidal 2022) or an iterated local
//! search ([`Method::Ils`], the scheme of PyVRP 0.14); both share the
//! problem model, segments, moves, penalties and checker.
//!
//! ```
//! use wasteroute::model::{Client, Depot, Matrix, Profile, ProblemBuilder, TimeWindow, VehicleType};
//! use wasteroute::solver::{Budget, Silent, SolveParams, solve};
//!
//! // A depot at 0 and four clients on a line; trucks carry 2 units.
//! let xs = [0i64, 10, 20, 30, 40];
//! let m = Matrix::from_fn(5, |i, j| (xs[i] - xs[j]).abs())?;
//! let mut b = ProblemBuilder::new();
//! b.add_profile(Profile { name: "line".into(), distance: m.clone(), duration: m });
//! b.add_depot(Depot { name: "depot".into(), location: 0, tw: TimeWindow::ALWAYS });
//! for i in 1..5 {
//!     b.add_client(Client {
//!         name: format!("c{i}"),
//!         location: i,
//!         demand: [1, 0],
//!         service: 0,
//!         tw: TimeWindow::ALWAYS,
//!         stream: 0,
//!         required: true,
//!         prize: 0,
//!         vehicles: wasteroute::model::ALL_VEHICLES,
//!     });
//! }
//! b.add_vehicle_type(VehicleType::new("truck", 4, 2));
//! let problem = b.build()?;
//! let result = solve(&problem, &SolveParams::default(), &mut Budget::iterations(200), &mut Silent)?;
//! assert!(result.feasible);
//! assert_eq!(result.cost, 2 * 20 + 2 * 40); // {1,2} and {3,4}
//! # Ok::<(), wasteroute::Error>(())
//! ```

mod cost;
mod crossover;
mod data;
mod genetic;
mod ils;
mod individual;
mod params;
mod penalty;
mod population;
mod rng;
mod route;
mod search;
mod segment;
mod split;
mod stop;
#[cfg(test)]
mod testutil;

pub use params::{COMMON_FIELDS, HGS_FIELDS, Method, SolveParams};
pub use stop::{Budget, Interrupt, Observer, Progress, Silent, StopCriterion, StopReason};
pub(crate) use stop::{Halt, instant_after};

use crate::model::{Cost, Problem, Route, Solution, check};

/// Counters of one local-search operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorStats {
    /// The operator's name.
    pub name: &'static str,
    /// Moves evaluated.
    pub evaluations: u64,
    /// Moves applied.
    pub applications: u64,
}

/// What [`solve`] returns.
#[derive(Debug, Clone)]
pub struct SolveResult {
    /// The best solution found (feasible if `feasible`).
    pub solution: Solution,
    /// Its cost, recomputed by the independent checker.
    pub cost: Cost,
    /// Whether the independent checker found no violation.
    pub feasible: bool,
    /// Iterations (offspring) generated.
    pub iterations: u64,
    /// Wall-clock seconds.
    pub elapsed_s: f64,
    /// Why the search ended: its criterion, the wall-clock limit (which may
    /// have cut the last iteration or the final repair short) or the
    /// interrupt.
    pub stopped_by: StopReason,
    /// Per-operator counters.
    pub operator_stats: Vec<OperatorStats>,
    /// Feasible routes met during the search (for route-based recombination).
    pub route_pool: Vec<Route>,
}

/// Solves `problem` until `stop` says so, reporting to `observer`.
///
/// The wall-clock limit counts from this call. When it passes, or the
/// criterion's [`Interrupt`] is triggered, the search ends within a fraction
/// of a second (inside a local search or the final repair if need be) and
/// returns the best solution found so far: feasible if any was, else the
/// best infeasible one, with every client in a route or unassigned.
///
/// # Errors
/// [`crate::Error::Invalid`] if `params` are invalid.
pub fn solve(
    problem: &Problem,
    params: &SolveParams,
    stop: &mut dyn StopCriterion,
    observer: &mut dyn Observer,
) -> crate::Result<SolveResult> {
    solve_from(problem, params, None, stop, observer)
}

/// Like [`solve`], starting from `initial` (which joins the first population).
///
/// # Errors
/// [`crate::Error::Invalid`] if `params` are invalid or `initial` names
/// clients or vehicle types the problem does not have.
pub fn solve_from(
    problem: &Problem,
    params: &SolveParams,
    initial: Option<&Solution>,
    stop: &mut dyn StopCriterion,
    observer: &mut dyn Observer,
) -> crate::Result<SolveResult> {
    let clock = stop::Clock::start();
    params.validate()?;
    if let Some(sol) = initial {
        let rep = check(problem, sol);
        if let Some(v) = rep.violations.iter().find(|v| {
            matches!(
                v,
                crate::model::Violation::UnknownClient(_)
                    | crate::model::Violation::BadReference(_)
                    | crate::model::Violation::Duplicate(_)
                    | crate::model::Violation::Missing(_)
                    | crate::model::Violation::BadPatterns
                    | crate::model::Violation::NotWanted(_)
            )
        }) {
            return Err(crate::Error::Invalid(format!("initial solution: {v}")));
        }
    }
    let d = data::Data::new(problem, params.n_granular);
    let run = genetic::Run {
        d: &d,
        params,
        initial,
        stop,
        observer,
        clock,
    };
    let out = match params.method {
        Method::Hgs if d.grouped() => {
            // The genetic search's giant tours and Split know nothing of
            // patterns (they would mix the days): problems with pattern
            // groups run the iterated local search.
            tracing::info!("pattern groups: the iterated local search runs instead of HGS");
            ils::run(run)
        }
        Method::Ils => ils::run(run),
        Method::Hgs => genetic::run(run),
    };
    tracing::debug!(
        iterations = out.iterations,
        local_searches = out.ls_runs,
        stopped_by = ?out.stopped_by,
        "search ended"
    );
    let solution = out.best.to_solution();
    let report = check(problem, &solution);
    Ok(SolveResult {
        cost: report.cost,
        feasible: report.is_feasible(),
        solution,
        iterations: out.iterations,
        elapsed_s: out.elapsed_s,
        stopped_by: out.stopped_by,
        operator_stats: out
            .stats
            .into_iter()
            .map(|(name, s)| OperatorStats {
                name,
                evaluations: s.evaluations,
                applications: s.applications,
            })
            .collect(),
        route_pool: out.pool,
    })
}
