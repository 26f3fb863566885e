//! The stages of fleet sizing ([`super::size`]), over one prepared problem:
//!
//! ```text
//! menu_input        PlanInput + max_per_type --> PlanInput   (the menu's counts)
//! Sizing::new       Prepared --> Sizing                      (targets, clock, pool)
//! menu_solve        --> Found                                (the whole menu)
//! candidates        fleet + order --> fleets with one vehicle less
//! descent_step      Found --> Some(smaller Found) | None     (first candidate meeting
//!                                                             the targets)
//! descend           Found --> Found                          (steps until none is accepted)
//! recombine         Found --> Found                          (route-pool MIP under the
//!                                                             targets, within the menu)
//! trade_off_curve   Found --> curve points below it
//! final_plan        Found --> Plan                           (plan::build of the fleet found)
//! answer            Found + Plan --> FleetAnswer             (bound, fleet file, blockers)
//! ```
//!
//! Every solve sets the vehicle counts of the one [`Prepared`] problem in
//! place ([`Prepared::set_vehicle_counts`]) instead of copying it.

use super::bounds;
use super::{CurvePoint, FleetAnswer, FleetOptions};
use crate::domain::{Stream, Zone};
use crate::model::{Cost, Problem, Route, Solution, check};
use crate::plan::{self, Plan, PlanInput, PlanOptions, Prepared, Solved};
use crate::solver::{Halt, Observer, Silent};
use crate::{Error, Result};
use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

/// The time limit of a sizing: what ends its solves and MIPs, and whether
/// one was cut short.
pub(super) struct Clock {
    /// When every solve and MIP must be over.
    pub halt: Halt,
    /// `time` or `signal` once a solve was cut or a step skipped.
    pub cut: Option<&'static str>,
}

impl Clock {
    /// The end of a solve that may take `share` of the time left.
    pub fn end(&self, share: f64) -> Option<Instant> {
        self.halt.deadline().map(|e| {
            let now = Instant::now();
            now + e.saturating_duration_since(now).mul_f64(share)
        })
    }

    /// True (and recorded) once no step may start any more.
    pub fn over(&mut self) -> bool {
        let over = self.halt.reached();
        if over {
            self.cut = Some(if self.halt.interrupted() {
                "signal"
            } else {
                "time"
            });
        }
        over
    }

    /// Records how a solve ended.
    pub fn saw(&mut self, s: &Solved) {
        if matches!(s.stopped_by(), "time" | "signal") {
            self.cut = Some(s.stopped_by());
        }
    }
}

/// The inputs with every type's count set to `max_per_type`, if given: the
/// menu the sizing chooses from.
pub(super) fn menu_input(input: &PlanInput, max_per_type: Option<usize>) -> PlanInput {
    let mut menu = input.clone();
    if let Some(m) = max_per_type {
        for v in &mut menu.fleet.spec.vehicle {
            v.count = m;
        }
    }
    menu
}

/// Vehicles per type used by a solution.
pub(super) fn used(problem: &Problem, sol: &Solution) -> Vec<usize> {
    let mut n = vec![0; problem.vehicle_types().len()];
    for r in &sol.routes {
        n[r.vehicle_type] += 1;
    }
    n
}

/// What the routes of `sol` cost, in cost units (the prizes of unserved
/// pickups are not money).
pub(super) fn route_cost(p: &Problem, sol: &Solution) -> Cost {
    check(p, sol)
        .routes
        .iter()
        .fold(0 as Cost, |a, r| a.saturating_add(r.cost))
}

/// The solution without one route of type `t` (its lightest), whose clients
/// become unassigned: a start for re-solving with one vehicle less.
pub(super) fn without_one(sol: &Solution, problem: &Problem, t: usize) -> Solution {
    let mut s = sol.clone();
    let k = s
        .routes
        .iter()
        .enumerate()
        .filter(|(_, r)| r.vehicle_type == t)
        .min_by_key(|(k, r)| {
            (
                r.clients()
                    .map(|c| problem.clients()[c].demand[0])
                    .sum::<i64>(),
                *k,
            )
        })
        .map(|(k, _)| k);
    if let Some(k) = k {
        let r = s.routes.remove(k);
        s.unassigned.extend(r.clients());
        s.unassigned.sort_unstable();
    }
    s
}

/// The order in which the descent takes vehicles away: the types with the
/// highest fixed cost first, ties in file order.
pub(super) fn removal_order(fixed_costs: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..fixed_costs.len()).collect();
    order.sort_by(|&a, &b| {
        fixed_costs[b]
            .partial_cmp(&fixed_costs[a])
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.cmp(&b))
    });
    order
}

/// The fleets with one vehicle less than `fleet`, taking it from each type
/// of `order` that has one: (the type, the fleet).
pub(super) fn candidates(fleet: &[usize], order: &[usize]) -> Vec<(usize, Vec<usize>)> {
    order
        .iter()
        .filter(|&&t| fleet[t] > 0)
        .map(|&t| {
            let mut counts = fleet.to_vec();
            counts[t] -= 1;
            (t, counts)
        })
        .collect()
}

/// Whether curve point `a` is better than `b` of the same size: it meets
/// the targets and `b` does not, or it serves more demand, or as much for
/// less.
pub(super) fn better_point(a: &CurvePoint, b: &CurvePoint) -> bool {
    let key = |p: &CurvePoint| (p.targets_met, p.demand_served.values().sum::<f64>());
    let (ka, kb) = (key(a), key(b));
    (ka.0 && !kb.0)
        || (ka.0 == kb.0
            && (ka.1 > kb.1 + 1e-9 || ((ka.1 - kb.1).abs() <= 1e-9 && a.daily_cost < b.daily_cost)))
}

/// Keeps `point` in `curve` if it is the best of its size so far.
pub(super) fn keep_point(curve: &mut BTreeMap<usize, CurvePoint>, point: CurvePoint) {
    match curve.get(&point.vehicles) {
        Some(old) if !better_point(&point, old) => {}
        _ => {
            curve.insert(point.vehicles, point);
        }
    }
}

/// Coverage of a solution against the targets.
pub(super) struct Eval {
    pub met: bool,
    pub points: BTreeMap<Zone, f64>,
    pub demand: BTreeMap<Zone, f64>,
    pub targets: BTreeMap<String, bool>,
}

/// A fleet and the solution that shows it.
#[derive(Debug, Clone)]
pub(super) struct Found {
    /// Vehicles used per type.
    pub fleet: Vec<usize>,
    pub solution: Solution,
}

/// The state of one sizing: the prepared problem, the targets' view of it,
/// the clock, and what the solves met.
pub(super) struct Sizing<'a, 'o> {
    prep: Prepared<'a>,
    opts: &'o FleetOptions,
    /// Options of the solves after the first.
    step_opts: PlanOptions,
    /// Vehicle type names.
    names: Vec<String>,
    /// The menu: the most vehicles of each type.
    menu: Vec<usize>,
    /// Pickups no route can serve.
    unservable: HashSet<String>,
    pub clock: Clock,
    /// Solves made.
    solves: usize,
    /// Feasible routes met by the menu solve and the descent.
    pool: Vec<Route>,
    /// Per fleet size, the best point seen.
    curve: BTreeMap<usize, CurvePoint>,
}

impl<'a, 'o> Sizing<'a, 'o> {
    /// A sizing of `prep` (whose counts are the menu's) with `opts`; its
    /// clock starts with the preparation.
    pub fn new(prep: Prepared<'a>, opts: &'o FleetOptions) -> Sizing<'a, 'o> {
        let halt = Halt::new(prep.search_end(&opts.plan), opts.plan.interrupt.clone());
        Sizing {
            names: prep
                .input()
                .fleet
                .spec
                .vehicle
                .iter()
                .map(|v| v.name.clone())
                .collect(),
            menu: prep.vehicle_counts(),
            unservable: prep.unserved_ids(),
            step_opts: PlanOptions {
                iterations: Some(opts.step_iterations),
                no_improvement: Some(opts.step_iterations / 2),
                ..opts.plan.clone()
            },
            prep,
            opts,
            clock: Clock { halt, cut: None },
            solves: 0,
            pool: Vec::new(),
            curve: BTreeMap::new(),
        }
    }

    /// The prepared problem with its current counts.
    fn problem(&self) -> &Problem {
        self.prep.problem()
    }

    /// Solves under `counts` from `start`, within `share` of the time
    /// left: with the plan's options for the menu solve, else with the
    /// step's (`step`).
    fn solve_with(
        &mut self,
        counts: &[usize],
        start: Option<&Solution>,
        share: f64,
        step: bool,
        observer: &mut dyn Observer,
    ) -> Result<Solved> {
        self.prep.set_vehicle_counts(counts);
        let opts = if step {
            &self.step_opts
        } else {
            &self.opts.plan
        };
        let s = plan::solve(&self.prep, opts, start, self.clock.end(share), observer)?;
        self.clock.saw(&s);
        self.solves += 1;
        Ok(s)
    }

    /// Whether the plan of `sol` meets the targets, and its shares.
    pub fn evaluate(&self, sol: &Solution) -> Eval {
        let input = self.prep.input();
        let mut unserved = self.unservable.clone();
        for &c in &sol.unassigned {
            unserved.insert(input.pickups[self.prep.client_pickup()[c]].id.clone());
        }
        let (cov, cov_s) = plan::coverage_tables(input, &|id: &str| !unserved.contains(id));
        let mut targets = BTreeMap::new();
        for (z, c) in &cov {
            targets.insert(z.name().to_string(), c.met);
        }
        for (s, c) in &cov_s {
            targets.insert(Stream::name(*s).to_string(), c.met);
        }
        Eval {
            met: targets.values().all(|&m| m),
            points: cov.iter().map(|(z, c)| (*z, c.share_points)).collect(),
            demand: cov.iter().map(|(z, c)| (*z, c.share_demand)).collect(),
            targets,
        }
    }

    /// Whether `sol` is feasible under the current counts and meets every
    /// target.
    pub fn meets(&self, sol: &Solution) -> bool {
        check(self.problem(), sol).is_feasible() && self.evaluate(sol).met
    }

    /// The curve point of `sol` (under the current counts), if it uses a
    /// vehicle and is feasible.
    fn point(&self, sol: &Solution) -> Option<CurvePoint> {
        let p = self.problem();
        let n: usize = used(p, sol).iter().sum();
        if n == 0 || !check(p, sol).is_feasible() {
            return None;
        }
        let Eval {
            met,
            points,
            demand,
            ..
        } = self.evaluate(sol);
        let cost = self.prep.cost_unit().currency(route_cost(p, sol));
        Some(CurvePoint {
            vehicles: n,
            by_type: self
                .names
                .iter()
                .cloned()
                .zip(used(p, sol))
                .filter(|(_, c)| *c > 0)
                .collect(),
            points_served: points,
            demand_served: demand,
            daily_cost: (cost * 100.0).round() / 100.0,
            targets_met: met,
        })
    }

    /// Records `sol` on the curve.
    fn record(&mut self, sol: &Solution) {
        if let Some(point) = self.point(sol) {
            keep_point(&mut self.curve, point);
        }
    }

    /// Stage: the whole menu, with the caller's observer and the first
    /// solve's budget (half of the time left).
    pub fn menu_solve(&mut self, observer: &mut dyn Observer) -> Result<Found> {
        let menu = self.menu.clone();
        let first = self.solve_with(&menu, None, 0.5, false, observer)?;
        self.pool.extend(first.pool.iter().cloned());
        let found = Found {
            fleet: used(self.problem(), first.solution()),
            solution: first.solution,
        };
        self.record(&found.solution);
        Ok(found)
    }

    /// Stage: one step of the descent from `found` (which meets the
    /// targets): re-solves each candidate fleet with one vehicle less, from
    /// `found`'s routes without that vehicle's lightest route, and returns
    /// the first that meets the targets. `None` when none does or the time
    /// is up.
    pub fn descent_step(&mut self, found: &Found) -> Result<Option<Found>> {
        let fixed: Vec<f64> = self
            .prep
            .input()
            .fleet
            .spec
            .vehicle
            .iter()
            .map(|v| v.fixed_cost)
            .collect();
        for (t, counts) in candidates(&found.fleet, &removal_order(&fixed)) {
            if self.clock.over() {
                return Ok(None);
            }
            let start = without_one(&found.solution, self.problem(), t);
            let s = self.solve_with(&counts, Some(&start), 0.25, true, &mut Silent)?;
            self.pool.extend(s.pool.iter().cloned());
            self.record(s.solution());
            if self.meets(s.solution()) {
                return Ok(Some(Found {
                    fleet: used(self.problem(), s.solution()),
                    solution: s.solution,
                }));
            }
        }
        Ok(None)
    }

    /// Stage: descent steps from `found` until none is accepted.
    pub fn descend(&mut self, mut found: Found) -> Result<Found> {
        while let Some(smaller) = self.descent_step(&found)? {
            found = smaller;
        }
        Ok(found)
    }

    /// Stage: the cheapest set of pooled routes within the menu that meets
    /// the targets (the recombination MIP); kept if it needs fewer vehicles
    /// than `found`, or as many at most and costs less.
    pub fn recombine(&mut self, found: Found) -> Found {
        let rs = self.opts.plan.recombine_seconds * 2.0;
        let mip_s = self
            .clock
            .end(0.5)
            .map_or(rs, |e| rs.min(plan::seconds_until(e)));
        if self.clock.over() {
            return found;
        }
        let menu = self.menu.clone();
        self.prep.set_vehicle_counts(&menu);
        let Some(sol) = plan::recombine_for_targets(
            &self.prep,
            &menu,
            self.pool.iter().cloned(),
            mip_s,
            &mut self.clock.halt,
        ) else {
            return found;
        };
        let p = self.problem();
        let n_found: usize = found.fleet.iter().sum();
        let n_sol: usize = used(p, &sol).iter().sum();
        let cheaper = route_cost(p, &sol) < route_cost(p, &found.solution);
        if self.meets(&sol) && (n_sol < n_found || (cheaper && n_sol <= n_found)) {
            let better = Found {
                fleet: used(p, &sol),
                solution: sol,
            };
            self.record(&better.solution);
            better
        } else {
            found
        }
    }

    /// Stage: the trade-off curve below `found`: keeps taking away the
    /// vehicle whose loss costs the least demand served, down to one
    /// vehicle, recording each solve.
    pub fn trade_off_curve(&mut self, found: &Found) -> Result<()> {
        let order: Vec<usize> = (0..self.names.len()).collect();
        let mut counts = found.fleet.clone();
        let mut sol = found.solution.clone();
        while counts.iter().sum::<usize>() > 1 {
            let mut step: Option<(Vec<usize>, Solution, f64)> = None;
            for (t, c) in candidates(&counts, &order) {
                if self.clock.over() {
                    return Ok(());
                }
                let start = without_one(&sol, self.problem(), t);
                let s = self.solve_with(&c, Some(&start), 0.25, true, &mut Silent)?;
                self.record(s.solution());
                let served: f64 = self.evaluate(s.solution()).demand.values().sum();
                if step.as_ref().is_none_or(|x| served > x.2 + 1e-9) {
                    step = Some((c, s.solution, served));
                }
            }
            match step {
                Some((c, s, _)) => {
                    counts = c;
                    sol = s;
                }
                None => break,
            }
        }
        Ok(())
    }

    /// Stage: the plan of the fleet found, with its full report
    /// ([`plan::build`] under the fleet's counts); its `stopped_by` says
    /// whether the time limit or a signal cut the sizing short.
    pub fn final_plan(&mut self, found: &Found) -> Result<Plan> {
        self.prep.set_vehicle_counts(&found.fleet);
        let mut solved = Solved::from_solution(found.solution.clone());
        if let Some(why) = self.clock.cut {
            solved.stopped_by = why;
        }
        plan::build(&self.prep, solved, &self.opts.plan)
    }

    /// Stage: the answer: the fleet found, the lower bound and whether it
    /// proves the fleet minimal, the targets, the fleet file, the blockers
    /// and the curve up to the fleet found.
    pub fn answer(self, found: Found, plan: Plan) -> Result<FleetAnswer> {
        let Eval { met, targets, .. } = self.evaluate(&found.solution);
        let met = met && plan.check.is_feasible();
        let lower_bound = bounds::lower_bound(&self.prep);
        let fleet = &found.fleet;
        let n_found: usize = fleet.iter().sum();
        let vehicles: BTreeMap<String, usize> = self
            .names
            .iter()
            .cloned()
            .zip(fleet.iter().copied())
            .filter(|(_, c)| *c > 0)
            .collect();
        let fleet_toml = fleet_toml(self.prep.input(), fleet)?;
        let curve: Vec<CurvePoint> = self
            .curve
            .into_values()
            .filter(|p| p.vehicles <= n_found.max(1))
            .collect();
        let blockers = if met {
            Vec::new()
        } else {
            blockers(self.menu.iter().sum(), &lower_bound, &plan.summary.blockers)
        };
        Ok(FleetAnswer {
            daily_cost: plan.summary.cost,
            proven_minimal: met && lower_bound.vehicles >= n_found,
            lower_bound,
            targets_met: met,
            targets,
            blockers,
            curve,
            solves: self.solves,
            runtime_s: self.prep.started().elapsed().as_secs_f64(),
            vehicles,
            plan,
            fleet_toml,
        })
    }
}

/// The fleet `fleet` (vehicles per type of `input`'s fleet) as a fleet
/// file `plan` accepts: the types without vehicles left out, each
/// profile written as resolved.
///
/// # Errors
/// [`Error::Internal`] if the TOML cannot be written.
pub(crate) fn fleet_toml(input: &PlanInput, fleet: &[usize]) -> Result<String> {
    let mut file = input.fleet.spec.clone();
    for (k, v) in file.vehicle.iter_mut().enumerate() {
        v.count = fleet[k];
        v.profile = input.fleet.profile_spec(k);
        // A day's count may not exceed the type's.
        for n in v.count_by_day.iter_mut().flat_map(|m| m.values_mut()) {
            *n = (*n).min(v.count);
        }
    }
    file.vehicle.retain(|v| v.count > 0);
    toml::to_string_pretty(&file).map_err(|e| Error::Internal(format!("fleet TOML: {e}")))
}

/// Why no fleet of a menu of `menu_total` vehicles meets the targets: the
/// lower bound when it is above the menu, then the plan's own blockers.
pub(super) fn blockers(
    menu_total: usize,
    bound: &bounds::LowerBound,
    plan_blockers: &[String],
) -> Vec<String> {
    let mut out = Vec::new();
    if bound.vehicles > menu_total {
        out.push(format!(
            "the targets need at least {} vehicles and the menu has {menu_total}: {}",
            bound.vehicles, bound.basis
        ));
    }
    out.extend(plan_blockers.iter().cloned());
    out
}

#[cfg(test)]
mod tests;
