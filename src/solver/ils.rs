//! Iterated local search: perturb the current solution (remove a cluster of
//! up to 25 clients), repair and improve it with a local search restricted
//! to the clients around the change, and accept the result by late
//! acceptance hill climbing (Burke & Bykov 2017, "The late acceptance
//! hill-climbing heuristic", EJOR 258(1), with both enhancements of their
//! section 4.2). This is the scheme of PyVRP 0.14 (Wouda, Lan & Kool 2024,
//! "PyVRP: a high-performance VRP solver package", INFORMS J. Computing),
//! whose parameters it takes: perturbations of 1 to 25 clients, a history
//! of 300, an exhaustive search on every new best solution, and penalty
//! weights updated every 500 candidates toward 65 % feasible (x1.5, x0.9).
//!
//! Each step touches a few dozen clients instead of all of them, so large
//! instances get thousands of steps per second where the genetic search
//! gets tens of offspring. It uses the same local search, penalties and
//! individuals as [`super::genetic`].
//!
//! With several threads, each runs its own chain from its own seed, in
//! rounds of a fixed number of steps, and the best of all chains wins. The
//! first chain is the one a single thread runs, so more threads can only
//! add candidates; the outcome depends on the seed and the number of
//! threads, never on timing. (Measured: letting a stagnating chain restart
//! from the best of the others was no better, 12 X instances at 6 s/100.)

use super::cost::Penalties;
use super::data::{Data, NO_GROUP};
use super::genetic::{
    Outcome, Run, assign_routes, initial_penalties, nearest_neighbour_tour, progress,
    search_escalating, thread_pool,
};
use super::individual::Individual;
use super::penalty::{PenaltyManager, Rule};
use super::rng::Rng;
use super::search::{LocalSearch, pattern};
use super::stop::Halt;
use crate::model::{Cost, Route, Solution};
use rayon::prelude::*;

/// Clients removed by a perturbation: uniform in `1..=MAX_PERTURB`.
const MAX_PERTURB: usize = 25;
/// At most this many pattern groups change pattern in a perturbation.
const MAX_PATTERN_PERTURB: usize = 3;
/// Length of the late acceptance history.
const HISTORY: usize = 300;
/// Candidates between two penalty updates.
const PENALTY_WINDOW: usize = 500;
/// Target share of feasible candidates.
const TARGET_FEASIBLE: f64 = 0.65;
/// Bounds of the adapted penalty weights.
const MIN_PENALTY: f64 = 1e-3;
const MAX_PENALTY_WEIGHT: f64 = 1e9;
/// Escalations of the penalties (x10 each) to make the start feasible.
const START_REPAIRS: i32 = 6;
/// Steps without a new best before a chain restarts from the best.
const RESTART_AFTER: u64 = 150_000;
/// Steps per chain between two synchronisations (several threads only).
const ROUND: u64 = 200;

/// One search chain: its local search, random stream and state.
struct Chain<'d, 'p> {
    ls: LocalSearch<'d, 'p>,
    rng: Rng,
    pm: PenaltyManager,
    curr: Individual,
    /// A solution buffer for the next candidate.
    spare: Option<Individual>,
    best: Option<Individual>,
    /// Late acceptance history: `HISTORY` slots, `at` is the oldest.
    history: Vec<Option<Individual>>,
    at: usize,
    since_improvement: u64,
    /// Feasible routes seen (for plans' recombination).
    pool: Vec<Route>,
}

impl<'d, 'p> Chain<'d, 'p> {
    fn new(
        d: &'d Data<'p>,
        mut rng: Rng,
        pen: Penalties,
        initial: Option<&Solution>,
        halt: Halt,
    ) -> Self {
        let mut ls = LocalSearch::new(d);
        ls.halt = halt;
        let n = d.problem.n_clients();
        let start = match initial {
            Some(sol) => {
                let mut ind = Individual::new(d, sol.routes.clone(), sol.unassigned.clone(), &pen);
                if d.grouped() {
                    ind.patterns = sol.patterns.iter().map(|&k| k as u32).collect();
                }
                ind
            }
            None => {
                // With pattern groups: a random pattern per group (drawn
                // only then), and a tour of the wanted clients.
                let patterns: Vec<u32> = (0..d.problem.groups().len())
                    .map(|g| rng.index(d.patterns(g).len()) as u32)
                    .collect();
                let mut tour = Vec::with_capacity(n);
                if d.simple {
                    tour.extend(0..n);
                    rng.shuffle(&mut tour);
                } else {
                    nearest_neighbour_tour(d, &mut rng, &mut tour);
                }
                if d.grouped() {
                    tour.retain(|&c| {
                        let (g, k) = d.group_of[c];
                        g == NO_GROUP || patterns[g as usize] == k
                    });
                }
                let (routes, unassigned) = assign_routes(d, &tour, &pen);
                let mut ind = Individual::new(d, routes, unassigned, &pen);
                ind.patterns = patterns;
                ind
            }
        };
        // Improve the start, with ever higher penalties (x10 each time, as
        // the repair of the genetic search) until it is feasible: PyVRP
        // starts from a search under its largest penalties for the same reason.
        let mut curr = start;
        search_escalating(&mut ls, &mut rng, d, &mut curr, &pen, 0..=START_REPAIRS);
        let best = curr.feasible.then(|| curr.clone());
        Chain {
            ls,
            rng,
            pm: PenaltyManager::new(
                pen,
                Penalties::uniform(MIN_PENALTY),
                Penalties::uniform(MAX_PENALTY_WEIGHT),
                Rule {
                    window: PENALTY_WINDOW,
                    target: TARGET_FEASIBLE,
                    up: 1.5,
                    down: 0.9,
                    double_when_none: false,
                },
            ),
            curr,
            spare: None,
            best,
            history: vec![None; HISTORY],
            at: 0,
            since_improvement: 0,
            pool: Vec::new(),
        }
    }

    /// One perturbation, restricted search and acceptance; true if the best
    /// solution improved.
    fn step(&mut self, d: &Data) -> bool {
        if self.since_improvement >= RESTART_AFTER {
            if let Some(b) = &self.best {
                self.curr = b.clone();
            }
            self.history.iter_mut().for_each(|h| *h = None);
            self.since_improvement = 0;
        }
        let k = 1 + self.rng.index(MAX_PERTURB);
        self.ls.load(&self.curr);
        self.ls.perturb(&mut self.rng, k);
        if d.grouped() && self.rng.below(2) == 0 {
            // Half the steps also move 1 to 3 groups to other patterns.
            let m = 1 + self.rng.index(MAX_PATTERN_PERTURB);
            pattern::perturb(&mut self.ls, &mut self.rng, m);
        }
        self.ls.restrict = true;
        self.ls.run(&mut self.rng, self.pm.pen);
        self.ls.restrict = false;
        // Export into the spare buffer (every field is recomputed).
        let mut cand = self.spare.take().unwrap_or_else(|| self.curr.clone());
        self.ls.export(&mut cand);
        cand.evaluate(d, &self.pm.pen);
        self.register(d, &cand);
        self.since_improvement += 1;
        let mut improved = false;
        if cand.feasible && self.best.as_ref().is_none_or(|b| cand.cost < b.cost) {
            // A new best: search it exhaustively before keeping it.
            self.ls.load(&cand);
            self.ls.run(&mut self.rng, self.pm.pen);
            self.ls.export(&mut cand);
            cand.evaluate(d, &self.pm.pen);
            if cand.feasible {
                self.best = Some(cand.clone());
                self.pool.extend(cand.routes.iter().cloned());
                self.since_improvement = 0;
                improved = true;
            }
        }
        let late = self.history[self.at].as_ref().map(|h| h.cost);
        if accepts(cand.cost, self.curr.cost, late) {
            cand = std::mem::replace(&mut self.curr, cand);
        }
        self.spare = Some(cand);
        if replaces_late(self.curr.cost, late) {
            self.history[self.at] = Some(self.curr.clone());
        }
        self.at = (self.at + 1) % HISTORY;
        improved
    }

    /// `ROUND` steps, or fewer if the search's deadline passes or its
    /// interrupt is triggered; returns the number of steps made.
    fn round(&mut self, d: &Data) -> u64 {
        for k in 0..ROUND {
            if self.ls.halt.reached() {
                return k;
            }
            self.step(d);
        }
        ROUND
    }

    /// Counts the candidate's feasibility; when the weights change,
    /// re-prices the solutions the acceptance compares against.
    fn register(&mut self, d: &Data, cand: &Individual) {
        let Some(shares) = self.pm.register(cand.excess_flags()) else {
            return;
        };
        let pen = self.pm.pen;
        self.curr.reprice(d, &pen);
        for h in self.history.iter_mut().flatten() {
            h.reprice(d, &pen);
        }
        tracing::debug!(
            load_feasible = shares[0],
            time_feasible = shares[1],
            load_penalty = pen.load[0],
            best = self.best.as_ref().map(|b| b.plain_cost),
            "ils penalties adapted"
        );
    }
}

/// Late acceptance: a candidate of cost `cand` replaces the current
/// solution (cost `curr`) if it beats the solution `HISTORY` steps back
/// (`late`, none while the history fills) or the current one (Burke &
/// Bykov's first enhancement: never refuse an improvement).
fn accepts(cand: Cost, curr: Cost, late: Option<Cost>) -> bool {
    cand < late.unwrap_or(Cost::MAX) || cand < curr
}

/// Whether the current solution (after acceptance, cost `curr`) takes the
/// history slot of `late`: when the slot is empty or worse (the second
/// enhancement: the history only improves).
fn replaces_late(curr: Cost, late: Option<Cost>) -> bool {
    late.is_none_or(|l| curr < l)
}

/// Runs the iterated local search.
pub(crate) fn run(run: Run) -> Outcome {
    let (mut halt, mut rng, threads) = run.start();
    let d = run.d;
    let pen = initial_penalties(d);
    run.observer.on_start();
    let forks: Vec<Rng> = (0..threads).map(|_| rng.fork()).collect();
    let pool = thread_pool(threads);
    let mut chains: Vec<Chain> = match &pool {
        Some(tp) => tp.install(|| {
            forks
                .into_par_iter()
                .map(|r| Chain::new(d, r, pen, run.initial, halt.clone()))
                .collect()
        }),
        None => forks
            .into_iter()
            .map(|r| Chain::new(d, r, pen, run.initial, halt.clone()))
            .collect(),
    };
    let mut best: Option<Individual> = None;
    let mut iterations = 0u64;
    let mut since_improvement = 0u64;
    let better =
        |a: &Individual, b: &Option<Individual>| b.as_ref().is_none_or(|b| a.cost < b.cost);
    for c in &chains {
        if let Some(b) = &c.best
            && better(b, &best)
        {
            best = Some(b.clone());
        }
    }
    let progress = |it: u64, since: u64, best: &Option<Individual>| {
        progress(&run.clock, it, since, best.as_ref())
    };
    if best.is_some() {
        run.observer
            .on_best(&progress(iterations, since_improvement, &best));
    }
    let mut stopped = run
        .stop
        .should_stop(&progress(iterations, since_improvement, &best))
        || halt.reached();
    while !stopped {
        let improved = if threads == 1 {
            // One chain: check the stop criterion after every step.
            let c = &mut chains[0];
            iterations += 1;
            since_improvement += 1;
            let improved = c.step(d);
            if improved {
                best = c.best.clone();
            }
            improved
        } else {
            // Several chains: a round each in parallel, then the best of all.
            let done: Vec<u64> = match &pool {
                Some(tp) => tp.install(|| chains.par_iter_mut().map(|c| c.round(d)).collect()),
                None => chains.iter_mut().map(|c| c.round(d)).collect(),
            };
            let steps: u64 = done.iter().sum();
            iterations += steps;
            since_improvement += steps;
            let mut improved = false;
            for c in &chains {
                if let Some(b) = &c.best
                    && better(b, &best)
                {
                    best = Some(b.clone());
                    improved = true;
                }
            }
            improved
        };
        if improved {
            since_improvement = 0;
            run.observer
                .on_best(&progress(iterations, since_improvement, &best));
        }
        // One chain reports every penalty window, several every round.
        if threads > 1 || iterations.is_multiple_of(PENALTY_WINDOW as u64) {
            run.observer
                .on_iteration(&progress(iterations, since_improvement, &best));
        }
        stopped = run
            .stop
            .should_stop(&progress(iterations, since_improvement, &best))
            || halt.reached();
    }
    let best = match best {
        Some(b) => b,
        None => chains
            .iter()
            .map(|c| &c.curr)
            .min_by_key(|i| i.cost)
            .cloned()
            .expect("at least one chain"),
    };
    let pool = chains.iter().flat_map(|c| c.pool.iter().cloned()).collect();
    Outcome::finish(
        best,
        iterations,
        since_improvement,
        &run.clock,
        &mut halt,
        chains.iter().map(|c| &c.ls),
        pool,
        run.observer,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::params::SolveParams;
    use crate::solver::stop::{Budget, Interrupt, StopCriterion, StopReason};
    use crate::solver::testutil::random_problem;

    #[test]
    fn late_acceptance_takes_what_beats_the_late_or_the_current_solution() {
        // While the history fills, everything is accepted.
        assert!(accepts(120, 100, None));
        // Better than the solution HISTORY steps back, though worse than
        // the current one: accepted (the late acceptance proper).
        assert!(accepts(110, 100, Some(115)));
        // Worse than both: refused; equal to both: refused.
        assert!(!accepts(120, 100, Some(115)));
        assert!(!accepts(100, 100, Some(100)));
        // Better than the current one, though the late one was better
        // still: accepted (an improvement is never refused).
        assert!(accepts(99, 100, Some(90)));
        // The history slot only improves.
        assert!(replaces_late(100, None));
        assert!(replaces_late(100, Some(101)));
        assert!(!replaces_late(100, Some(100)));
        assert!(!replaces_late(100, Some(90)));
    }

    fn solve_ils(seed: u64, threads: usize, stop: &mut dyn StopCriterion) -> Outcome {
        let problem = random_problem(seed, 40, true);
        let d = Data::new(&problem, 8);
        let params = SolveParams {
            method: crate::solver::Method::Ils,
            seed,
            threads,
            ..SolveParams::default()
        };
        run(Run::silent(&d, &params, stop))
    }

    #[test]
    fn a_fixed_number_of_steps_gives_the_same_result_twice() {
        for threads in [1, 2] {
            let a = solve_ils(3, threads, &mut Budget::iterations(300));
            let b = solve_ils(3, threads, &mut Budget::iterations(300));
            assert_eq!(a.stopped_by, StopReason::Criterion);
            // One chain stops at the limit; two stop after a round of
            // ROUND steps each (400 >= 300).
            let expected = if threads == 1 { 300 } else { 2 * ROUND };
            assert_eq!(a.iterations, expected);
            assert_eq!(a.best.routes, b.best.routes, "{threads} threads");
            assert_eq!(a.best.cost, b.best.cost);
            assert!(a.best.feasible);
        }
    }

    #[test]
    fn a_past_deadline_or_a_triggered_interrupt_stops_before_the_first_step() {
        let out = solve_ils(5, 1, &mut Budget::seconds(0.0));
        assert_eq!(out.stopped_by, StopReason::Time);
        assert_eq!(out.iterations, 0);
        let i = Interrupt::new();
        i.trigger();
        let out = solve_ils(5, 1, &mut Budget::iterations(1000).with_interrupt(i));
        assert_eq!(out.stopped_by, StopReason::Interrupt);
        assert_eq!(out.iterations, 0);
        // What is returned is still a solution of every client.
        let n: usize = out.best.routes.iter().map(|r| r.clients().count()).sum();
        assert_eq!(n + out.best.unassigned.len(), 40);
    }
}
