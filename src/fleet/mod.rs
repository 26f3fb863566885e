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

mod bounds;
mod chart;

pub use bounds::LowerBound;

use crate::domain::{Stream, Zone};
use crate::model::{Cost, Problem, Route, Solution, check};
use crate::plan::{self, Plan, PlanInput, PlanOptions};
use crate::solver::{Halt, Observer, Silent};
use crate::{Error, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Instant;

/// The time limit of a sizing: what ends its solves and MIPs, and whether
/// one was cut short.
struct Clock {
    /// When every solve and MIP must be over.
    halt: Halt,
    /// `time` or `signal` once a solve was cut or a step skipped.
    cut: Option<&'static str>,
}

impl Clock {
    /// The end of a solve that may take `share` of the time left.
    fn end(&self, share: f64) -> Option<Instant> {
        self.halt.deadline().map(|e| {
            let now = Instant::now();
            now + e.saturating_duration_since(now).mul_f64(share)
        })
    }

    /// True (and recorded) once no step may start any more.
    fn over(&mut self) -> bool {
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
    fn saw(&mut self, s: &plan::Solved) {
        if matches!(s.stopped_by, "time" | "signal") {
            self.cut = Some(s.stopped_by);
        }
    }
}

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

/// Vehicles per type used by a solution.
fn used(problem: &Problem, sol: &Solution) -> Vec<usize> {
    let mut n = vec![0; problem.vehicle_types().len()];
    for r in &sol.routes {
        n[r.vehicle_type] += 1;
    }
    n
}

/// Coverage of a solution against the targets.
struct Eval {
    met: bool,
    points: BTreeMap<Zone, f64>,
    demand: BTreeMap<Zone, f64>,
    targets: BTreeMap<String, bool>,
}

/// Whether the plan of `sol` meets the targets, and its shares.
fn evaluate(
    input: &PlanInput,
    prep_unserved: &std::collections::HashSet<String>,
    client_pickup: &[usize],
    sol: &Solution,
) -> Eval {
    let mut unserved = prep_unserved.clone();
    for &c in &sol.unassigned {
        unserved.insert(input.pickups[client_pickup[c]].id.clone());
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

/// The solution without one route of type `t` (its lightest), whose clients
/// become unassigned: a start for re-solving with one vehicle less.
fn without_one(sol: &Solution, problem: &Problem, t: usize) -> Solution {
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

/// Sizes the fleet.
///
/// # Errors
/// As [`plan::run`].
pub fn size(
    input: &PlanInput,
    opts: &FleetOptions,
    observer: &mut dyn Observer,
) -> Result<FleetAnswer> {
    let started = Instant::now();
    let mut menu_input = input.clone();
    if let Some(m) = opts.max_per_type {
        for v in &mut menu_input.fleet.spec.vehicle {
            v.count = m;
        }
    }
    let input = &menu_input;
    let prep = plan::prepare_input(input, &opts.plan)?;
    let menu: Vec<usize> = input.fleet.spec.vehicle.iter().map(|v| v.count).collect();
    let names: Vec<String> = input
        .fleet
        .spec
        .vehicle
        .iter()
        .map(|v| v.name.clone())
        .collect();
    let pre_unserved: std::collections::HashSet<String> = prep.unserved_ids();
    let client_pickup = prep.client_pickup().to_vec();
    let base = prep.problem().clone();
    let deadline = opts
        .plan
        .seconds
        .and_then(|s| crate::solver::instant_after(started, s));
    let mut clock = Clock {
        halt: Halt::new(
            deadline.map(|d| {
                let reserve =
                    plan::finish_reserve(opts.plan.seconds.unwrap_or(0.0), base.n_clients());
                d.checked_sub(reserve).unwrap_or(d).max(Instant::now())
            }),
            opts.plan.interrupt.clone(),
        ),
        cut: None,
    };
    let mut solves = 0;
    let mut pool: Vec<Route> = Vec::new();
    // What the routes cost, in cost units (the prizes of unserved pickups
    // are not money).
    let cost_of = |p: &Problem, s: &Solution| {
        check(p, s)
            .routes
            .iter()
            .fold(0 as Cost, |a, r| a.saturating_add(r.cost))
    };
    let unit = prep.cost_unit;

    // 1. The whole menu.
    let first = plan::solve_problem(&base, &opts.plan, None, clock.end(0.5), observer)?;
    clock.saw(&first);
    solves += 1;
    pool.extend(first.pool.iter().cloned());
    let mut best = first.solution.clone();
    let mut fleet = used(&base, &best);
    let met0 = check(&base, &best).is_feasible()
        && evaluate(input, &pre_unserved, &client_pickup, &best).met;
    let mut curve: BTreeMap<usize, CurvePoint> = BTreeMap::new();
    let record = |counts: &[usize],
                  sol: &Solution,
                  problem: &Problem,
                  curve: &mut BTreeMap<usize, CurvePoint>| {
        let Eval {
            met,
            points: pts,
            demand: dem,
            ..
        } = evaluate(input, &pre_unserved, &client_pickup, sol);
        let n: usize = used(problem, sol).iter().sum();
        if n == 0 || !check(problem, sol).is_feasible() {
            return;
        }
        let point = CurvePoint {
            vehicles: n,
            by_type: names
                .iter()
                .cloned()
                .zip(used(problem, sol))
                .filter(|(_, c)| *c > 0)
                .collect(),
            points_served: pts,
            demand_served: dem,
            daily_cost: (unit.currency(cost_of(problem, sol)) * 100.0).round() / 100.0,
            targets_met: met,
        };
        let _ = counts;
        // Keep, per size, the point that serves the most (then the cheapest).
        let better = |a: &CurvePoint, b: &CurvePoint| {
            let key = |p: &CurvePoint| (p.targets_met, p.demand_served.values().sum::<f64>());
            let (ka, kb) = (key(a), key(b));
            (ka.0 && !kb.0)
                || (ka.0 == kb.0
                    && (ka.1 > kb.1 + 1e-9
                        || ((ka.1 - kb.1).abs() <= 1e-9 && a.daily_cost < b.daily_cost)))
        };
        match curve.get(&n) {
            Some(old) if !better(&point, old) => {}
            _ => {
                curve.insert(n, point);
            }
        }
    };
    record(&fleet, &best, &base, &mut curve);
    let step_opts = PlanOptions {
        iterations: Some(opts.step_iterations),
        no_improvement: Some(opts.step_iterations / 2),
        ..opts.plan.clone()
    };

    // 2. Descent while the targets hold.
    if met0 {
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_by(|&a, &b| {
            let (fa, fb) = (
                input.fleet.spec.vehicle[a].fixed_cost,
                input.fleet.spec.vehicle[b].fixed_cost,
            );
            fb.partial_cmp(&fa)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.cmp(&b))
        });
        'descent: loop {
            let mut accepted = false;
            for &t in &order {
                if clock.over() {
                    break 'descent;
                }
                if fleet[t] == 0 {
                    continue;
                }
                let mut counts = fleet.clone();
                counts[t] -= 1;
                let p = base.with_vehicle_counts(&counts);
                let start = without_one(&best, &base, t);
                let s = plan::solve_problem(
                    &p,
                    &step_opts,
                    Some(&start),
                    clock.end(0.25),
                    &mut Silent,
                )?;
                clock.saw(&s);
                solves += 1;
                pool.extend(s.pool.iter().cloned());
                record(&counts, &s.solution, &p, &mut curve);
                if check(&p, &s.solution).is_feasible()
                    && evaluate(input, &pre_unserved, &client_pickup, &s.solution).met
                {
                    best = s.solution;
                    fleet = used(&p, &best);
                    accepted = true;
                    break;
                }
            }
            if !accepted {
                break;
            }
        }

        // 3. Recombination: the cheapest set of pooled routes meeting the targets.
        let mip_s = clock
            .end(0.5)
            .map_or(opts.plan.recombine_seconds * 2.0, |e| {
                (opts.plan.recombine_seconds * 2.0).min(plan::seconds_until(e))
            });
        if !clock.over()
            && let Some(sol) = plan::recombine_for_targets(
                input,
                &prep,
                &base,
                &menu,
                pool.iter().cloned(),
                mip_s,
                &mut clock.halt,
            )
        {
            let met = check(&base, &sol).is_feasible()
                && evaluate(input, &pre_unserved, &client_pickup, &sol).met;
            let fewer = used(&base, &sol).iter().sum::<usize>() < fleet.iter().sum::<usize>();
            let cheaper = cost_of(&base, &sol) < cost_of(&base, &best);
            if met
                && (fewer
                    || (cheaper
                        && used(&base, &sol).iter().sum::<usize>() <= fleet.iter().sum::<usize>()))
            {
                best = sol;
                fleet = used(&base, &best);
                record(&fleet, &best, &base, &mut curve);
            }
        }
    }

    // 4. The curve below the fleet found: keep removing the vehicle whose
    // loss costs the least coverage.
    if opts.curve {
        let mut counts = fleet.clone();
        let mut sol = best.clone();
        'curve: while counts.iter().sum::<usize>() > 1 {
            let mut step: Option<(Vec<usize>, Solution, f64)> = None;
            for t in 0..names.len() {
                if clock.over() {
                    break 'curve;
                }
                if counts[t] == 0 {
                    continue;
                }
                let mut c = counts.clone();
                c[t] -= 1;
                let p = base.with_vehicle_counts(&c);
                let s = plan::solve_problem(
                    &p,
                    &step_opts,
                    Some(&without_one(&sol, &base, t)),
                    clock.end(0.25),
                    &mut Silent,
                )?;
                clock.saw(&s);
                solves += 1;
                record(&c, &s.solution, &p, &mut curve);
                let served: f64 = evaluate(input, &pre_unserved, &client_pickup, &s.solution)
                    .demand
                    .values()
                    .sum();
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
    }

    // The plan of the fleet found, with its full report.
    let fleet_problem = base.with_vehicle_counts(&fleet);
    let mut solved = plan::Solved::from_solution(best.clone());
    if let Some(why) = clock.cut {
        solved.stopped_by = why;
    }
    let final_plan =
        plan::finish_prepared(input, &prep, &fleet_problem, solved, &opts.plan, started)?;
    let Eval { met, targets, .. } = evaluate(input, &pre_unserved, &client_pickup, &best);
    let met = met && final_plan.check.is_feasible();
    let lower_bound = bounds::lower_bound(input, &prep, &base);
    let n_found: usize = fleet.iter().sum();
    let vehicles: BTreeMap<String, usize> = names
        .iter()
        .cloned()
        .zip(fleet.iter().copied())
        .filter(|(_, c)| *c > 0)
        .collect();
    let mut fleet_file = input.fleet.spec.clone();
    for (k, v) in fleet_file.vehicle.iter_mut().enumerate() {
        v.count = fleet[k];
        v.profile = input.fleet.profile_spec(k);
    }
    fleet_file.vehicle.retain(|v| v.count > 0);
    let fleet_toml = toml::to_string_pretty(&fleet_file)
        .map_err(|e| Error::Internal(format!("fleet TOML: {e}")))?;
    let curve: Vec<CurvePoint> = curve
        .into_values()
        .filter(|p| p.vehicles <= n_found.max(1))
        .collect();
    let mut blockers = Vec::new();
    if !met {
        let menu_total: usize = menu.iter().sum();
        if lower_bound.vehicles > menu_total {
            blockers.push(format!(
                "the targets need at least {} vehicles and the menu has {menu_total}: {}",
                lower_bound.vehicles, lower_bound.basis
            ));
        }
        blockers.extend(final_plan.summary.blockers.iter().cloned());
    }
    Ok(FleetAnswer {
        daily_cost: final_plan.summary.cost,
        proven_minimal: met && lower_bound.vehicles >= n_found,
        lower_bound,
        targets_met: met,
        targets,
        blockers,
        curve,
        solves,
        runtime_s: started.elapsed().as_secs_f64(),
        vehicles,
        plan: final_plan,
        fleet_toml,
    })
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
    opts: &plan::OutputOptions,
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
