//! The hybrid genetic search (Vidal et al. 2012; Vidal 2022): parents chosen
//! by binary tournament, ordered crossover on giant tours, Split, local
//! search, and a population managed for quality and diversity, with penalty
//! weights adapted toward a target share of feasible offspring.
//!
//! With several threads, each generation makes one offspring per worker in
//! parallel; the parents are drawn by the coordinator beforehand and the
//! offspring are added in worker order, so the result depends on the number
//! of threads and the seed, never on timing.

use super::cost::Penalties;
use super::crossover;
use super::data::Data;
use super::individual::Individual;
use super::params::SolveParams;
use super::penalty::{PenaltyManager, Rule};
use super::population::Population;
use super::rng::Rng;
use super::search::operator::operator_names;
use super::search::{LocalSearch, OpStats};
use super::split;
use super::stop::{Clock, Halt, Observer, Progress, StopCriterion, StopReason};
use crate::model::{Route, Solution};
use rayon::prelude::*;

/// What a worker returns for one offspring.
struct Offspring {
    ind: Individual,
    repaired: Option<Individual>,
}

struct Worker<'d, 'p> {
    ls: LocalSearch<'d, 'p>,
    rng: Rng,
    tour: Vec<usize>,
}

impl<'d, 'p> Worker<'d, 'p> {
    /// Builds routes from a giant tour and improves them.
    fn make(
        &mut self,
        d: &Data,
        parents: Option<&(Vec<usize>, Vec<usize>)>,
        pen: &Penalties,
        repair: f64,
    ) -> Offspring {
        let n = d.problem.n_clients();
        match parents {
            Some((a, b)) => crossover::ordered(a, b, n, &mut self.rng, &mut self.tour),
            None if d.simple => {
                self.tour.clear();
                self.tour.extend(0..n);
                self.rng.shuffle(&mut self.tour);
            }
            None => nearest_neighbour_tour(d, &mut self.rng, &mut self.tour),
        }
        let (routes, unassigned) = assign_routes(d, &self.tour, pen);
        let mut ind = Individual::new(d, routes, unassigned, pen);
        self.ls.load(&ind);
        self.ls.run(&mut self.rng, *pen);
        self.ls.export(&mut ind);
        ind.evaluate(d, pen);
        let mut repaired = None;
        if !ind.feasible && self.rng.unit() < repair {
            // Ten and a hundred times the penalties (HGS-CVRP); more when
            // dropping optional clients may be the way to feasibility.
            let steps = if d.problem.features().optional { 5 } else { 2 };
            repaired = self.repair(d, &ind, pen, steps);
        }
        Offspring { ind, repaired }
    }

    /// Repairs an infeasible individual: local search under penalties ten
    /// times higher (HGS-CVRP), then a hundred, ... up to 10^`steps` times,
    /// until it is feasible. Escalating matters when leaving clients out is
    /// the only way to feasibility and their prizes dwarf the penalties.
    /// Stops at the search's deadline or interrupt (see [`search_escalating`]).
    fn repair(
        &mut self,
        d: &Data,
        ind: &Individual,
        pen: &Penalties,
        steps: i32,
    ) -> Option<Individual> {
        let mut r = ind.clone();
        search_escalating(&mut self.ls, &mut self.rng, d, &mut r, pen, 1..=steps).then_some(r)
    }
}

/// Local search on `ind` under the penalties `pen` times 10^k, for each k
/// of `powers` in turn, until the result is feasible (it is then evaluated
/// under `pen`); true if it is. No step starts once the local search's
/// deadline or interrupt is reached, and a step under way ends there: `ind`
/// is then what the steps made left, as it is.
pub(super) fn search_escalating(
    ls: &mut LocalSearch,
    rng: &mut Rng,
    d: &Data,
    ind: &mut Individual,
    pen: &Penalties,
    powers: std::ops::RangeInclusive<i32>,
) -> bool {
    ls.load(ind);
    for k in powers {
        if ls.halt.reached() {
            break;
        }
        ls.run(rng, pen.scaled(10f64.powi(k)));
        ls.export(ind);
        ind.evaluate(d, pen);
        if ind.feasible {
            return true;
        }
    }
    ind.feasible
}

/// A randomised nearest-neighbour giant tour: from a random client, go to
/// one of the three nearest unvisited granular neighbours (or any unvisited
/// client when none is left). Rich problems (long multi-trip routes, time
/// windows) start from these rather than from random tours, whose local
/// search would take most of a short budget; the randomisation keeps the
/// initial population diverse.
pub(super) fn nearest_neighbour_tour(d: &Data, rng: &mut Rng, tour: &mut Vec<usize>) {
    let n = d.problem.n_clients();
    tour.clear();
    if n == 0 {
        return;
    }
    let mut seen = vec![false; n];
    let mut rest: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut rest);
    let mut cur = rest[0];
    loop {
        seen[cur] = true;
        tour.push(cur);
        if tour.len() == n {
            break;
        }
        let near: Vec<usize> = d.neighbours[cur]
            .iter()
            .map(|&v| v as usize)
            .filter(|&v| !seen[v])
            .take(3)
            .collect();
        cur = if near.is_empty() {
            while seen[rest[rest.len() - 1]] {
                rest.pop();
            }
            rest[rest.len() - 1]
        } else {
            near[rng.index(near.len())]
        };
    }
}

/// Splits a giant tour with the dominant vehicle type and gives the routes to
/// vehicles; clients of routes beyond the fleet are left unassigned (the
/// local search inserts them where it can).
pub(super) fn assign_routes(d: &Data, tour: &[usize], pen: &Penalties) -> (Vec<Route>, Vec<usize>) {
    let types = d.problem.vehicle_types();
    let vt = (0..types.len())
        .max_by_key(|&t| {
            (
                types[t].count.min(1 << 20) as i64 * types[t].capacity[0],
                -(t as i64),
            )
        })
        .unwrap_or(0);
    let mut left = vec![0usize; types.len()];
    for (t, l) in left.iter_mut().enumerate() {
        *l = types[t].count;
    }
    // Clients the dominant type may not serve go to the first type that
    // may; each group is split in giant-tour order with its own type.
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); types.len()];
    let mut unassigned = Vec::new();
    for &c in tour {
        match std::iter::once(vt)
            .chain(0..types.len())
            .find(|&t| d.problem.can_serve(t, c))
        {
            Some(t) => groups[t].push(c),
            None => unassigned.push(c),
        }
    }
    let mut routes = Vec::new();
    for (t0, group) in groups.iter().enumerate() {
        for mut r in split::split(d, t0, group, pen) {
            let clients: Vec<usize> = r.clients().collect();
            let target = std::iter::once(t0)
                .chain(0..types.len())
                .find(|&t| left[t] > 0 && clients.iter().all(|&c| d.problem.can_serve(t, c)));
            match target {
                Some(t) => {
                    left[t] -= 1;
                    if t != r.vehicle_type {
                        r = Route {
                            vehicle_type: t,
                            visits: split::route_visits(d, t, &clients),
                        };
                    }
                    routes.push(r);
                }
                None => unassigned.extend(clients),
            }
        }
    }
    (routes, unassigned)
}

/// Initial penalty weights: the cost of the longest arc per unit of the
/// largest demand, duration and distance (HGS-CVRP uses max distance / max
/// demand for capacity).
pub(super) fn initial_penalties(d: &Data) -> Penalties {
    let p = d.problem;
    let mut max_cost = 1.0f64;
    let mut max_dist = 1.0f64;
    let mut max_dur = 1.0f64;
    for t in p.vehicle_types() {
        let prof = &p.profiles()[t.profile];
        let n = prof.distance.size();
        let (mut md, mut mt) = (0i64, 0i64);
        let step = (n / 200).max(1);
        for i in (0..n).step_by(step) {
            for j in 0..n {
                md = md.max(prof.distance.get(i, j));
                mt = mt.max(prof.duration.get(i, j));
            }
        }
        max_dist = max_dist.max(md as f64);
        max_dur = max_dur.max(mt as f64);
        max_cost = max_cost.max((t.cost_per_distance * md + t.cost_per_time * mt) as f64);
    }
    let mut load = [1.0; 2];
    for (k, l) in load.iter_mut().enumerate() {
        let max_q = p
            .clients()
            .iter()
            .map(|c| c.demand[k])
            .max()
            .unwrap_or(1)
            .max(1) as f64;
        *l = (max_cost / max_q).clamp(0.1, 1e12);
    }
    Penalties {
        load,
        time: (max_cost / max_dur).max(0.1),
        dist: (max_cost / max_dist).max(0.1),
    }
}

/// The outcome of a run.
pub(crate) struct Outcome {
    pub best: Individual,
    pub iterations: u64,
    pub elapsed_s: f64,
    pub stopped_by: StopReason,
    pub stats: Vec<(&'static str, OpStats)>,
    /// Local-search runs, over every worker.
    pub ls_runs: u64,
    pub pool: Vec<Route>,
}

impl Outcome {
    /// The outcome of a run: `best`, with the operator counters summed over
    /// the local searches that ran; reports the end to `observer`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn finish<'a, 'd: 'a, 'p: 'd>(
        best: Individual,
        iterations: u64,
        since_improvement: u64,
        clock: &Clock,
        halt: &mut Halt,
        searches: impl Iterator<Item = &'a LocalSearch<'d, 'p>>,
        pool: Vec<Route>,
        observer: &mut dyn Observer,
    ) -> Outcome {
        let mut stats: Vec<(&'static str, OpStats)> =
            operator_names().map(|n| (n, OpStats::default())).collect();
        let mut ls_runs = 0;
        for ls in searches {
            ls_runs += ls.runs;
            for (k, s) in ls.stats.iter().enumerate() {
                stats[k].1.evaluations += s.evaluations;
                stats[k].1.applications += s.applications;
            }
        }
        let outcome = Outcome {
            best,
            iterations,
            elapsed_s: clock.elapsed(),
            stopped_by: halt.reason(),
            stats,
            ls_runs,
            pool,
        };
        observer.on_end(&Progress {
            iterations,
            since_improvement,
            elapsed_s: outcome.elapsed_s,
            best_cost: outcome.best.feasible.then_some(outcome.best.plain_cost),
        });
        outcome
    }
}

/// The worker threads of a run on `threads` threads (none for one thread,
/// or if the pool cannot be built: the work then runs on this thread).
pub(super) fn thread_pool(threads: usize) -> Option<rayon::ThreadPool> {
    if threads > 1 {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .ok()
    } else {
        None
    }
}

/// What [`solve_from`](super::solve_from) hands a search (genetic or
/// iterated local search): the data, the parameters, a start, the stop
/// criterion, the observer and the clock started with the call.
pub(crate) struct Run<'a, 'p> {
    pub d: &'a Data<'p>,
    pub params: &'a SolveParams,
    pub initial: Option<&'a Solution>,
    pub stop: &'a mut dyn StopCriterion,
    pub observer: &'a mut dyn Observer,
    pub clock: Clock,
}

impl<'a, 'p> Run<'a, 'p> {
    /// For tests: a run from no initial solution that reports to no one,
    /// its clock started now.
    #[cfg(test)]
    pub(super) fn silent(
        d: &'a Data<'p>,
        params: &'a SolveParams,
        stop: &'a mut dyn StopCriterion,
    ) -> Self {
        Run {
            d,
            params,
            initial: None,
            stop,
            // A zero-sized observer: leaking it allocates nothing.
            observer: Box::leak(Box::new(super::stop::Silent)),
            clock: Clock::start(),
        }
    }

    /// What every search sets up first: its limits, its random stream (from
    /// the seed) and its thread count (at least one).
    pub(super) fn start(&self) -> (Halt, Rng, usize) {
        (
            Halt::of(&*self.stop, &self.clock),
            Rng::new(self.params.seed),
            self.params.threads.max(1),
        )
    }
}

/// The progress figures after `iterations`, `since` of them without
/// improvement, with `best` the best solution so far.
pub(super) fn progress(
    clock: &Clock,
    iterations: u64,
    since: u64,
    best: Option<&Individual>,
) -> Progress {
    Progress {
        iterations,
        since_improvement: since,
        elapsed_s: clock.elapsed(),
        best_cost: best.map(|b| b.plain_cost),
    }
}

/// Runs the genetic search.
pub(crate) fn run(run: Run) -> Outcome {
    let (mut halt, mut rng, threads) = run.start();
    let Run {
        d,
        params,
        initial,
        stop,
        observer,
        clock,
    } = run;
    let mut workers: Vec<Worker> = (0..threads)
        .map(|_| {
            let mut ls = LocalSearch::new(d);
            ls.halt = halt.clone();
            Worker {
                ls,
                rng: rng.fork(),
                tour: Vec::new(),
            }
        })
        .collect();
    let pool = thread_pool(threads);
    let base_pen = initial_penalties(d);
    let mut pm = PenaltyManager::new(
        base_pen,
        base_pen.scaled(1e-3),
        base_pen.scaled(1e5),
        Rule {
            window: params.penalty_window,
            target: params.target_feasible,
            up: 1.2,
            down: 0.85,
            // See `SolveParams::penalty_window`.
            double_when_none: params.penalty_window < super::params::HGS_PENALTY_WINDOW,
        },
    );
    let mut pop = Population::new(params);
    let mut iterations = 0u64;
    let mut since_improvement = 0u64;
    let mut route_pool: Vec<Route> = Vec::new();
    observer.on_start();

    let progress =
        |it: u64, since: u64, pop: &Population| progress(&clock, it, since, pop.best.as_ref());

    if let Some(sol) = initial {
        let mut ind = Individual::new(d, sol.routes.clone(), sol.unassigned.clone(), &pm.pen);
        let w = &mut workers[0];
        w.ls.load(&ind);
        w.ls.run(&mut w.rng, pm.pen);
        w.ls.export(&mut ind);
        ind.evaluate(d, &pm.pen);
        pop.add(ind);
    }

    let generate = |workers: &mut Vec<Worker>,
                    jobs: Vec<Option<(Vec<usize>, Vec<usize>)>>,
                    pen: Penalties|
     -> Vec<Offspring> {
        let repair = params.repair_probability;
        match &pool {
            Some(tp) => tp.install(|| {
                workers
                    .par_iter_mut()
                    .zip(jobs.par_iter())
                    .map(|(w, j)| w.make(d, j.as_ref(), &pen, repair))
                    .collect()
            }),
            None => workers
                .iter_mut()
                .zip(jobs.iter())
                .map(|(w, j)| w.make(d, j.as_ref(), &pen, repair))
                .collect(),
        }
    };

    let mut initial_left = params.initial_population;
    let mut stopped = false;
    while !stopped {
        // Draw the parents of this generation (or random starts while the
        // initial population is built).
        let jobs: Vec<Option<(Vec<usize>, Vec<usize>)>> = (0..threads)
            .map(|_| {
                if initial_left > 0 || pop.len() < 2 {
                    initial_left = initial_left.saturating_sub(1);
                    None
                } else {
                    let a = full_tour(d, pop.select(&mut rng));
                    let b = full_tour(d, pop.select(&mut rng));
                    Some((a, b))
                }
            })
            .collect();
        let out = generate(&mut workers, jobs, pm.pen);
        for o in out {
            iterations += 1;
            since_improvement += 1;
            let shares = pm.register(o.ind.excess_flags());
            if o.ind.feasible {
                route_pool.extend(o.ind.routes.iter().cloned());
            }
            let mut improved = pop.add(o.ind);
            if let Some(r) = o.repaired {
                improved |= pop.add(r);
            }
            if improved {
                since_improvement = 0;
                observer.on_best(&progress(iterations, since_improvement, &pop));
            }
            if let Some([sl, st, sd]) = shares {
                tracing::debug!(
                    iterations,
                    elapsed = clock.elapsed(),
                    best = pop.best.as_ref().map(|b| b.plain_cost),
                    load_feasible = sl,
                    time_feasible = st,
                    distance_feasible = sd,
                    load_penalty = pm.pen.load[0],
                    population = pop.len(),
                    "penalties adapted"
                );
                pop.reprice(d, &pm.pen);
                observer.on_iteration(&progress(iterations, since_improvement, &pop));
            }
            if stop.should_stop(&progress(iterations, since_improvement, &pop)) || halt.reached() {
                stopped = true;
                break;
            }
        }
        if !stopped && since_improvement >= params.restart_after && initial_left == 0 {
            let best = pop.best.clone();
            pop.clear();
            if let Some(b) = best {
                pop.add(b);
            }
            initial_left = params.initial_population;
            since_improvement = 0;
        }
        if route_pool.len() > 200_000 {
            route_pool.clear();
        }
    }
    let best = match pop.best.clone() {
        Some(b) => b,
        None => {
            // No feasible solution yet: repair the best one with ever higher
            // penalties (a plan with fewer pickups served beats no plan),
            // until the deadline: then the best steps made, infeasible.
            let any = pop.best_any().cloned().unwrap_or_else(|| {
                let (routes, unassigned) =
                    assign_routes(d, &(0..d.problem.n_clients()).collect::<Vec<_>>(), &pm.pen);
                Individual::new(d, routes, unassigned, &pm.pen)
            });
            workers[0].repair(d, &any, &pm.pen, 12).unwrap_or(any)
        }
    };
    Outcome::finish(
        best,
        iterations,
        since_improvement,
        &clock,
        &mut halt,
        workers.iter().map(|w| &w.ls),
        route_pool,
        observer,
    )
}

/// The giant tour of an individual: routed clients in order, then the
/// unassigned ones, so that every tour is a permutation of all clients.
fn full_tour(_d: &Data, ind: &Individual) -> Vec<usize> {
    let mut t = ind.giant_tour();
    t.extend(ind.unassigned.iter().copied());
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::testutil::random_problem;

    /// Every client exactly once, in a route or unassigned.
    fn assert_partition(n: usize, routes: &[Route], unassigned: &[usize]) {
        let mut all: Vec<usize> = routes.iter().flat_map(|r| r.clients()).collect();
        all.extend_from_slice(unassigned);
        all.sort_unstable();
        assert_eq!(all, (0..n).collect::<Vec<_>>());
    }

    fn sorted(mut t: Vec<usize>) -> Vec<usize> {
        t.sort_unstable();
        t
    }

    #[test]
    fn starts_and_giant_tours_are_permutations_of_the_clients() {
        for (seed, rich) in [(1, false), (2, true)] {
            let problem = random_problem(seed, 30, rich);
            let d = Data::new(&problem, 6);
            let mut rng = Rng::new(seed);
            let mut tour = Vec::new();
            nearest_neighbour_tour(&d, &mut rng, &mut tour);
            assert_eq!(sorted(tour.clone()), (0..30).collect::<Vec<_>>());
            let pen = initial_penalties(&d);
            let (routes, unassigned) = assign_routes(&d, &tour, &pen);
            assert_partition(30, &routes, &unassigned);
            // No vehicle type is used more often than it has vehicles.
            for (vt, t) in problem.vehicle_types().iter().enumerate() {
                assert!(routes.iter().filter(|r| r.vehicle_type == vt).count() <= t.count);
            }
            let ind = Individual::new(&d, routes, unassigned, &pen);
            assert_eq!(sorted(full_tour(&d, &ind)), (0..30).collect::<Vec<_>>());
        }
    }

    #[test]
    fn offspring_of_a_crossover_serve_every_client_once() {
        for (seed, rich) in [(3, false), (4, true)] {
            let problem = random_problem(seed, 30, rich);
            let d = Data::new(&problem, 6);
            let pen = initial_penalties(&d);
            let mut w = Worker {
                ls: LocalSearch::new(&d),
                rng: Rng::new(seed),
                tour: Vec::new(),
            };
            let a = full_tour(&d, &w.make(&d, None, &pen, 0.0).ind);
            let b = full_tour(&d, &w.make(&d, None, &pen, 0.0).ind);
            for _ in 0..5 {
                let child = w.make(&d, Some(&(a.clone(), b.clone())), &pen, 1.0);
                // The crossover's tour is a permutation of the clients ...
                assert_eq!(sorted(w.tour.clone()), (0..30).collect::<Vec<_>>());
                // ... and the improved (and repaired) offspring serve each once.
                assert_partition(30, &child.ind.routes, &child.ind.unassigned);
                if let Some(r) = &child.repaired {
                    assert!(r.feasible);
                    assert_partition(30, &r.routes, &r.unassigned);
                }
            }
        }
    }

    #[test]
    fn penalty_escalation_makes_an_overloaded_cvrp_start_feasible() {
        // A random CVRP start is usually overloaded; ten to a million times
        // the penalties make the local search find a feasible solution.
        let problem = random_problem(5, 30, false);
        let d = Data::new(&problem, 6);
        let pen = initial_penalties(&d);
        let mut ls = LocalSearch::new(&d);
        let mut rng = Rng::new(5);
        let tour: Vec<usize> = (0..30).rev().collect();
        let (routes, unassigned) = assign_routes(&d, &tour, &pen);
        let mut ind = Individual::new(&d, routes, unassigned, &pen.scaled(1e-6));
        assert!(search_escalating(
            &mut ls,
            &mut rng,
            &d,
            &mut ind,
            &pen,
            0..=6
        ));
        assert!(ind.feasible);
        assert_partition(30, &ind.routes, &ind.unassigned);
    }
}
