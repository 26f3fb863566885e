//! Recombining routes met during the search: a set-packing MIP (solved with
//! good_lp's pure-Rust microlp backend, or HiGHS with the `highs` feature)
//! picks, from a pool of feasible
//! routes, the cheapest set in which no pickup is served twice, each
//! vehicle type stays within its count, facilities within their daily
//! capacity, and the coverage rules hold. Route-based recombination of this
//! kind is the "set partitioning" phase of many VRP heuristics (Foster &
//! Ryan 1976; Subramanian, Uchoa & Ochi 2013).
//!
//! The MIP runs on a thread of its own, so that the plan can go on without
//! it at the plan's deadline or on an interrupt: microlp keeps its own time
//! limit only loosely (it overran 5 s by 5.8 s on a 2,000-pickup plan).

use super::costs::CostUnit;
use super::{Prepared, RecombinationStats, seconds_until};
use crate::domain::{Pickup, Stream, Zone};
use crate::model::{Cost, Problem, Route, Solution, check, check_one_route};
use crate::solver::Halt;
use good_lp::{
    Expression, ProblemVariables, Solution as _, SolverModel, Variable, WithTimeLimit, constraint,
    variable,
};

#[cfg(feature = "highs")]
use good_lp::highs as backend;
#[cfg(not(feature = "highs"))]
use good_lp::microlp as backend;
use std::collections::HashMap;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The share of the time left that the recombination MIP may take after
/// the search, at most its own limit.
pub(crate) const SHARE: f64 = 0.05;

/// What the route recombination after a search did, in cost units (see
/// [`RecombinationStats`]).
pub(crate) struct Recombined {
    pool_routes: usize,
    before: Cost,
    after: Cost,
    seconds: f64,
}

impl Recombined {
    /// The figures for the summary, in the currency of `unit`.
    pub(crate) fn stats(&self, unit: CostUnit) -> RecombinationStats {
        RecombinationStats {
            pool_routes: self.pool_routes,
            cost_before: unit.currency(self.before),
            cost_after: unit.currency(self.after),
            seconds: self.seconds,
        }
    }
}

/// After a search: the cheapest set of routes of `routes` (the search's
/// pool and solution) that serves at least the pickups `solution` serves,
/// if it is cheaper; within `limit_s` seconds and by `end`. Nothing is
/// tried when `halt` is reached or `solution` is not feasible.
pub(crate) fn improve(
    problem: &Problem,
    solution: Solution,
    routes: &[Route],
    limit_s: f64,
    end: Option<Instant>,
    halt: &mut Halt,
) -> (Solution, Option<Recombined>) {
    if halt.reached() || !check(problem, &solution).is_feasible() {
        return (solution, None);
    }
    let t = Instant::now();
    let before = check(problem, &solution).cost;
    let pool = pool(problem, routes.iter().cloned(), 3000, halt);
    let served: Vec<usize> = solution.routes.iter().flat_map(|r| r.clients()).collect();
    // Serving an extra pickup is worth more than any route costs.
    let bonus = pool
        .iter()
        .map(|r| r.cost as f64 * SCALE)
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
            pool.iter()
                .position(|p| p.route.vehicle_type == r.vehicle_type && p.clients == cs)
        })
        .collect();
    let mip = Mip {
        problem,
        pool: &pool,
        counts: problem.vehicle_types().iter().map(|t| t.count).collect(),
        must_serve: served,
        reward,
        rules: Vec::new(),
        start,
        seconds: end.map_or(limit_s, |e| limit_s.min(seconds_until(e))),
    };
    let mut after = before;
    let mut solution = solution;
    if let Some(chosen) = mip.solve(halt) {
        let candidate = solution_of(problem, &pool, &chosen);
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
    let stats = Recombined {
        pool_routes: pool.len(),
        before,
        after,
        seconds: t.elapsed().as_secs_f64(),
    };
    (solution, Some(stats))
}

/// The coverage rules of the targets of `prep`'s fleet: for each zone and
/// stream with a target, the share of its pickups and of its demand that
/// the chosen routes must serve (the pickups no route can serve count in
/// the totals).
pub(crate) fn target_rules(prep: &Prepared<'_>) -> Vec<CoverageRule> {
    let input = prep.input;
    let targets = &input.fleet.spec.targets;
    let member = |p: &Pickup, z: Option<Zone>, st: Option<Stream>| {
        z.is_none_or(|z| p.zone == z) && st.is_none_or(|st| p.stream == st)
    };
    // Each target covers the pickups of a zone or of a stream.
    let groups = Zone::ALL
        .into_iter()
        .map(|z| (targets.zone(z), Some(z), None))
        .chain(
            Stream::ALL
                .into_iter()
                .map(|st| (targets.stream(st), None, Some(st))),
        );
    let mut rules = Vec::new();
    for (target, z, st) in groups {
        if target <= 0.0 {
            continue;
        }
        let all: Vec<&Pickup> = input.pickups.iter().filter(|p| member(p, z, st)).collect();
        if all.is_empty() {
            continue;
        }
        let clients: Vec<(usize, &Pickup)> = prep
            .client_pickup
            .iter()
            .enumerate()
            .map(|(c, &pi)| (c, &input.pickups[pi]))
            .filter(|(_, p)| member(p, z, st))
            .collect();
        let n = all.len() as f64;
        let demand: f64 = all.iter().map(|p| p.demand_kg).sum();
        rules.push(CoverageRule {
            weights: clients.iter().map(|&(c, _)| (c, 1.0)).collect(),
            rhs: (target * n - 1e-6).ceil(),
        });
        rules.push(CoverageRule {
            weights: clients.iter().map(|&(c, p)| (c, p.demand_kg)).collect(),
            rhs: target * demand - 1e-6,
        });
    }
    rules
}

/// The cheapest selection of routes from `routes` within `counts` vehicles
/// per type that meets every coverage target of `prep`'s fleet, by the
/// recombination MIP (given up when `halt` is reached): the last stage of
/// fleet sizing. `None` when the MIP finds none, or its solution is not
/// feasible for the prepared problem as it stands.
pub(crate) fn for_targets(
    prep: &Prepared<'_>,
    counts: &[usize],
    routes: impl IntoIterator<Item = Route>,
    seconds: f64,
    halt: &mut Halt,
) -> Option<Solution> {
    let problem = prep.problem();
    let pool = pool(problem, routes, 4000, halt);
    let mip = Mip {
        problem,
        pool: &pool,
        counts: counts.to_vec(),
        must_serve: Vec::new(),
        reward: vec![0.0; problem.n_clients()],
        rules: target_rules(prep),
        start: Vec::new(),
        seconds,
    };
    let chosen = mip.solve(halt)?;
    let sol = solution_of(problem, &pool, &chosen);
    check(problem, &sol).is_feasible().then_some(sol)
}

/// A feasible route of the pool with what the MIP needs.
#[derive(Debug, Clone)]
pub(crate) struct PoolRoute {
    pub route: Route,
    pub clients: Vec<usize>,
    /// Fixed, distance and time cost (model units).
    pub cost: Cost,
    /// Load unloaded at each facility with a daily capacity.
    pub unloads: Vec<(usize, i64)>,
}

/// Feasible, distinct routes from `routes` (the cheapest of each vehicle
/// type and client set), at most `limit` of them, cheapest per client first.
/// Stops reading `routes` once `halt` is reached.
pub(crate) fn pool(
    problem: &Problem,
    routes: impl IntoIterator<Item = Route>,
    limit: usize,
    halt: &mut Halt,
) -> Vec<PoolRoute> {
    let mut best: HashMap<(usize, Vec<usize>), PoolRoute> = HashMap::new();
    for route in routes {
        if halt.poll() {
            break;
        }
        if route.is_empty() {
            continue;
        }
        let (rep, violations, received) = check_one_route(problem, &route);
        if !violations.is_empty() {
            continue;
        }
        let mut clients: Vec<usize> = route.clients().collect();
        clients.sort_unstable();
        let unloads = received
            .iter()
            .enumerate()
            .filter(|&(f, &l)| {
                l > 0 && problem.facilities()[f].daily_capacity < crate::model::UNLIMITED
            })
            .map(|(f, &l)| (f, l))
            .collect();
        let key = (route.vehicle_type, clients.clone());
        let cand = PoolRoute {
            route,
            clients,
            cost: rep.cost,
            unloads,
        };
        match best.get(&key) {
            Some(b) if b.cost <= cand.cost => {}
            _ => {
                best.insert(key, cand);
            }
        }
    }
    let mut all: Vec<PoolRoute> = best.into_values().collect();
    // Deterministic order: by cost per client, then by content.
    all.sort_by(|a, b| {
        let ka = a.cost as f64 / a.clients.len() as f64;
        let kb = b.cost as f64 / b.clients.len() as f64;
        ka.partial_cmp(&kb)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| {
                (a.route.vehicle_type, &a.clients).cmp(&(b.route.vehicle_type, &b.clients))
            })
    });
    all.truncate(limit);
    all
}

/// A linear coverage rule: `sum of weight(c) over served clients >= rhs`.
#[derive(Debug, Clone)]
pub(crate) struct CoverageRule {
    pub weights: Vec<(usize, f64)>,
    pub rhs: f64,
}

/// What the MIP must respect and reward.
pub(crate) struct Mip<'a> {
    pub problem: &'a Problem,
    pub pool: &'a [PoolRoute],
    /// Vehicles available per type.
    pub counts: Vec<usize>,
    /// Clients that must be served.
    pub must_serve: Vec<usize>,
    /// Reward per client served (MIP units, see [`SCALE`]), beyond must_serve.
    pub reward: Vec<f64>,
    /// Coverage rules.
    pub rules: Vec<CoverageRule>,
    /// The routes of a known solution to start from (indices into `pool`).
    pub start: Vec<usize>,
    /// Time limit, seconds.
    pub seconds: f64,
}

/// The MIP's unit of cost, in model cost units: a vehicle-day of a plan is
/// 10^8 to a few 10^9 model units (`plan::costs`), a few hundred to a few
/// thousand MIP units, which keeps the MIP's coefficients small.
pub(crate) const SCALE: f64 = 1e-6;

impl Mip<'_> {
    /// Solves; returns the chosen routes (indices into the pool), or `None`
    /// if the MIP found nothing (no feasible selection within the limit),
    /// or `halt` was reached first (the MIP's thread is then left to end
    /// by its own time limit; nothing waits for it).
    pub fn solve(&self, halt: &mut Halt) -> Option<Vec<usize>> {
        if halt.reached() {
            return None;
        }
        let job = Job {
            n_clients: self.problem.n_clients(),
            capacity: self
                .problem
                .facilities()
                .iter()
                .map(|f| f.daily_capacity)
                .collect(),
            pool: self.pool.to_vec(),
            counts: self.counts.clone(),
            must_serve: self.must_serve.clone(),
            reward: self.reward.clone(),
            rules: self.rules.clone(),
            start: self.start.clone(),
            seconds: self.seconds,
        };
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("recombination".into())
            .spawn(move || {
                let _ = tx.send(job.solve());
            });
        if let Err(e) = spawned {
            tracing::warn!("recombination skipped: no thread for the MIP: {e}");
            return None;
        }
        loop {
            match rx.recv_timeout(Duration::from_millis(20)) {
                Ok(chosen) => return chosen,
                Err(mpsc::RecvTimeoutError::Disconnected) => return None,
                Err(mpsc::RecvTimeoutError::Timeout) if halt.reached() => {
                    tracing::debug!("recombination abandoned at the deadline or interrupt");
                    return None;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
        }
    }
}

/// The MIP's data, owned, for its thread.
struct Job {
    n_clients: usize,
    /// Daily capacity per facility.
    capacity: Vec<i64>,
    pool: Vec<PoolRoute>,
    counts: Vec<usize>,
    must_serve: Vec<usize>,
    reward: Vec<f64>,
    rules: Vec<CoverageRule>,
    start: Vec<usize>,
    seconds: f64,
}

impl Job {
    fn solve(&self) -> Option<Vec<usize>> {
        let n_clients = self.n_clients;
        let mut vars = ProblemVariables::new();
        let x: Vec<Variable> = self
            .pool
            .iter()
            .enumerate()
            .map(|(k, _)| {
                vars.add(variable().binary().initial(if self.start.contains(&k) {
                    1.0
                } else {
                    0.0
                }))
            })
            .collect();
        let mut objective = Expression::from(0.0);
        for (k, r) in self.pool.iter().enumerate() {
            let reward: f64 = r.clients.iter().map(|&c| self.reward[c]).sum();
            objective += (r.cost as f64 * SCALE - reward) * x[k];
        }
        let mut model = vars
            .minimise(objective)
            .using(backend)
            .with_time_limit(self.seconds);
        // Each client at most once; some exactly once.
        let mut covering: Vec<Vec<usize>> = vec![Vec::new(); n_clients];
        for (k, r) in self.pool.iter().enumerate() {
            for &c in &r.clients {
                covering[c].push(k);
            }
        }
        let must: std::collections::HashSet<usize> = self.must_serve.iter().copied().collect();
        for (c, ks) in covering.iter().enumerate() {
            if ks.is_empty() {
                if must.contains(&c) {
                    return None;
                }
                continue;
            }
            let e: Expression = ks.iter().map(|&k| x[k]).sum();
            if must.contains(&c) {
                model.add_constraint(constraint!(e == 1.0));
            } else if ks.len() > 1 {
                model.add_constraint(constraint!(e <= 1.0));
            }
        }
        for (t, &n) in self.counts.iter().enumerate() {
            let ks: Vec<usize> = (0..self.pool.len())
                .filter(|&k| self.pool[k].route.vehicle_type == t)
                .collect();
            if ks.len() > n {
                let e: Expression = ks.iter().map(|&k| x[k]).sum();
                model.add_constraint(constraint!(e <= n as f64));
            }
        }
        let mut per_facility: HashMap<usize, Expression> = HashMap::new();
        for (k, r) in self.pool.iter().enumerate() {
            for &(f, l) in &r.unloads {
                *per_facility
                    .entry(f)
                    .or_insert_with(|| Expression::from(0.0)) += l as f64 * x[k];
            }
        }
        let mut facilities: Vec<_> = per_facility.into_iter().collect();
        facilities.sort_by_key(|(f, _)| *f);
        for (f, e) in facilities {
            let cap = self.capacity[f] as f64;
            model.add_constraint(constraint!(e <= cap));
        }
        for rule in &self.rules {
            let mut e = Expression::from(0.0);
            for &(c, w) in &rule.weights {
                for &k in &covering[c] {
                    e += w * x[k];
                }
            }
            model.add_constraint(constraint!(e >= rule.rhs));
        }
        let sol = model.solve().ok()?;
        Some(
            (0..self.pool.len())
                .filter(|&k| sol.value(x[k]) > 0.5)
                .collect(),
        )
    }
}

/// The solution made of the chosen pool routes; clients in none are unassigned.
pub(crate) fn solution_of(problem: &Problem, pool: &[PoolRoute], chosen: &[usize]) -> Solution {
    let mut served = vec![false; problem.n_clients()];
    let mut routes = Vec::new();
    for &k in chosen {
        for &c in &pool[k].clients {
            served[c] = true;
        }
        routes.push(pool[k].route.clone());
    }
    routes.sort_by(|a, b| (a.vehicle_type, &a.visits).cmp(&(b.vehicle_type, &b.visits)));
    let unassigned = (0..problem.n_clients()).filter(|&c| !served[c]).collect();
    Solution {
        patterns: Vec::new(),
        routes,
        unassigned,
    }
}
