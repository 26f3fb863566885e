//! The cheapest fleet for the week (`wasteroute fleet --week`): the vehicles
//! to own, per type, so that the weekly plan meets every weekly target at
//! the lowest weekly cost (each vehicle's fixed cost once a week, plus the
//! days' running costs).
//!
//! ```text
//! menu          the fleet file's counts (or --max-per-type), solved as a week
//! needed        per type, the most any day uses: the menu's answer
//! descent       take one vehicle of a type away (highest fixed cost first),
//!               re-solve from the last week's routes without that day's
//!               lightest route; keep it if every target is still met and the
//!               week is cheaper; until no type gives one up
//! ```
//!
//! Every solve sets the vehicle counts of the one prepared problem in place
//! ([`Prepared::set_vehicle_counts`]); a type's per-day counts of the fleet
//! file are capped at its count.

use super::expand::WeekProblem;
use super::plan::{WeekPlan, finish_week, prepare, solve_week, week_problem};
use crate::Result;
use crate::model::{Route, Solution};
use crate::plan::{PlanInput, PlanOptions, Prepared};
use crate::solver::{Observer, Silent};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Instant;

/// How to size the weekly fleet.
#[derive(Debug, Clone)]
pub struct WeekFleetOptions {
    /// The options of each weekly plan; its iterations are those of the
    /// menu's solve, its time limit that of the whole sizing.
    pub plan: PlanOptions,
    /// The most vehicles of each type (overrides the fleet file's counts).
    pub max_per_type: Option<usize>,
    /// Iterations of each re-solve after the first.
    pub step_iterations: u64,
}

/// One fleet tried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekFleetStep {
    /// Vehicles offered per type.
    pub offered: BTreeMap<String, usize>,
    /// Vehicles the week needs per type (its busiest day).
    pub needed: BTreeMap<String, usize>,
    /// The week's cost.
    pub weekly_cost: f64,
    /// Every weekly target met, and no rule broken.
    pub targets_met: bool,
    /// Kept as the best so far.
    pub accepted: bool,
}

/// The weekly fleet found (`fleet.json` of `fleet --week`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekFleetReport {
    /// Vehicles to own per type.
    pub vehicles: BTreeMap<String, usize>,
    /// The week's cost with them.
    pub weekly_cost: f64,
    /// Every weekly target met (false: no fleet of the menu meets them;
    /// the plan is the menu's).
    pub targets_met: bool,
    /// Every fleet tried, in order.
    pub steps: Vec<WeekFleetStep>,
    /// Weekly solves.
    pub solves: usize,
    /// What cut the descent short, if anything (`time` or `signal`).
    pub cut_by: Option<String>,
    /// Seconds in all.
    pub runtime_s: f64,
}

/// The answer of [`size_fleet`].
#[derive(Debug, Clone)]
pub struct WeekFleet {
    /// The weekly plan with the fleet found.
    pub week: WeekPlan,
    /// What was found and tried.
    pub report: WeekFleetReport,
    /// The fleet file with the counts found (accepted by `week` unchanged).
    pub fleet_toml: String,
}

/// Vehicles per type of `prep`'s fleet, by name, from per-type counts.
fn by_name(prep: &Prepared<'_>, counts: &[usize]) -> BTreeMap<String, usize> {
    (prep.problem().vehicle_types().iter())
        .zip(counts)
        .map(|(t, &n)| (t.name.clone(), n))
        .collect()
}

/// Per type (in the problem's order), the vehicles `week` needs.
fn needed(prep: &Prepared<'_>, week: &WeekPlan) -> Vec<usize> {
    (prep.problem().vehicle_types().iter())
        .map(|t| {
            (week.summary.vehicles_needed_by_type.get(&t.name))
                .copied()
                .unwrap_or(0)
        })
        .collect()
}

/// `sol` (of the previous weekly problem `from`) as a start for `to`, the
/// same problem with fewer vehicles: on each day-type, the routes above its
/// count lose their lightest ones, whose clients become unassigned. `None`
/// when the two problems do not have the same clients and types.
fn start_for(from: &WeekProblem, to: &WeekProblem, sol: &Solution) -> Option<Solution> {
    if from.visit_of != to.visit_of || from.type_of != to.type_of || from.groups != to.groups {
        return None;
    }
    let p = &to.problem;
    let mut routes: Vec<Vec<Route>> = vec![Vec::new(); p.vehicle_types().len()];
    for r in &sol.routes {
        routes[r.vehicle_type].push(r.clone());
    }
    let mut out = Solution {
        routes: Vec::new(),
        unassigned: sol.unassigned.clone(),
        patterns: sol.patterns.clone(),
    };
    for (t, mut rs) in routes.into_iter().enumerate() {
        let weight = |r: &Route| -> i64 { r.clients().map(|c| p.clients()[c].demand[0]).sum() };
        while rs.len() > p.vehicle_types()[t].count {
            let k = (0..rs.len()).min_by_key(|&k| (weight(&rs[k]), k))?;
            let r = rs.remove(k);
            out.unassigned.extend(r.clients());
        }
        out.routes.extend(rs);
    }
    out.unassigned.sort_unstable();
    Some(out)
}

/// Sizes the weekly fleet (see the module docs).
///
/// # Errors
/// As [`super::plan_week`].
pub fn size_fleet(
    input: &PlanInput,
    opts: &WeekFleetOptions,
    observer: &mut dyn Observer,
) -> Result<WeekFleet> {
    let mut menu = input.clone();
    if let Some(m) = opts.max_per_type {
        menu.fleet.spec.vehicle.iter_mut().for_each(|v| v.count = m);
    }
    let mut prep = prepare(&menu, &opts.plan)?;
    let started = prep.started();
    let visits: usize = menu.pickups.iter().map(|p| p.visits.frequency).sum();
    // The menu's solve may take half the time; each step a share of what
    // is left.
    let search_over = prep.search_end_for(&opts.plan, visits);
    let share_end = |share: f64| -> Option<Instant> {
        let now = Instant::now();
        search_over.map(|end| now + end.saturating_duration_since(now).mul_f64(share))
    };
    let mut week = week_problem(&prep)?;
    let solved = solve_week(&week, &opts.plan, None, share_end(0.5), observer)?;
    let mut solution = solved.solution.clone();
    let mut best = finish_week(&prep, &week, solved, &opts.plan)?;
    let mut solves = 1;
    let menu_counts = prep.vehicle_counts();
    let mut steps = vec![WeekFleetStep {
        offered: by_name(&prep, &menu_counts),
        needed: best.summary.vehicles_needed_by_type.clone(),
        weekly_cost: best.summary.cost,
        targets_met: best.summary.targets_met && best.summary.feasible,
        accepted: true,
    }];
    let met = |w: &WeekPlan| w.summary.targets_met && w.summary.feasible;
    let mut cut_by = None;
    if met(&best) {
        let fixed: Vec<f64> = (menu.fleet.spec.vehicle.iter())
            .map(|v| v.fixed_cost)
            .collect();
        let mut order: Vec<usize> = (0..fixed.len()).collect();
        order.sort_by(|&a, &b| fixed[b].total_cmp(&fixed[a]).then(a.cmp(&b)));
        let step_opts = PlanOptions {
            iterations: Some(opts.step_iterations),
            ..opts.plan.clone()
        };
        let mut current = needed(&prep, &best);
        'descent: loop {
            for &t in &order {
                if current[t] == 0 {
                    continue;
                }
                let over = search_over.is_some_and(|d| Instant::now() >= d);
                let stopped = (opts.plan.interrupt.as_ref()).is_some_and(|i| i.is_triggered());
                if over || stopped {
                    cut_by = Some(if stopped { "signal" } else { "time" }.to_string());
                    break 'descent;
                }
                let mut cand = current.clone();
                cand[t] -= 1;
                prep.set_vehicle_counts(&cand);
                let next = week_problem(&prep)?;
                let start = start_for(&week, &next, &solution);
                let solved = solve_week(
                    &next,
                    &step_opts,
                    start.as_ref(),
                    share_end(0.25),
                    &mut Silent,
                )?;
                solves += 1;
                let sol = solved.solution.clone();
                let plan = finish_week(&prep, &next, solved, &step_opts)?;
                let accepted = met(&plan) && plan.summary.cost < best.summary.cost;
                steps.push(WeekFleetStep {
                    offered: by_name(&prep, &cand),
                    needed: plan.summary.vehicles_needed_by_type.clone(),
                    weekly_cost: plan.summary.cost,
                    targets_met: met(&plan),
                    accepted,
                });
                if accepted {
                    current = needed(&prep, &plan);
                    best = plan;
                    week = next;
                    solution = sol;
                    continue 'descent;
                }
            }
            break;
        }
    }
    let found = if met(&best) {
        needed(&prep, &best)
    } else {
        menu_counts.clone()
    };
    prep.set_vehicle_counts(&menu_counts);
    let fleet_toml = crate::fleet::fleet_toml(&menu, &found)?;
    let report = WeekFleetReport {
        vehicles: by_name(&prep, &found),
        weekly_cost: best.summary.cost,
        targets_met: met(&best),
        steps,
        solves,
        cut_by,
        runtime_s: started.elapsed().as_secs_f64(),
    };
    Ok(WeekFleet {
        week: best,
        report,
        fleet_toml,
    })
}
