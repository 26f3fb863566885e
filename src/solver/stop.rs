//! When to stop, and how progress is reported. The library never prints: a
//! caller passes an [`Observer`] and renders what it wants.
//!
//! A search stops when its [`StopCriterion`] says so between iterations, and
//! also *inside* an iteration when the criterion's wall-clock limit
//! ([`StopCriterion::deadline_s`]) passes or its [`Interrupt`]
//! ([`StopCriterion::interrupt`]) is triggered: the local search, the
//! escalating repair of infeasible solutions and the drivers poll both, so a
//! search ends within a fraction of a second of either and returns the best
//! solution found so far (possibly infeasible, see
//! [`SolveResult::feasible`](super::SolveResult::feasible)).

use crate::model::Cost;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The state of a run, passed to stopping criteria and observers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Iterations (offspring generated) so far.
    pub iterations: u64,
    /// Iterations since the best solution last improved.
    pub since_improvement: u64,
    /// Seconds since the start.
    pub elapsed_s: f64,
    /// Cost of the best feasible solution, if any.
    pub best_cost: Option<Cost>,
}

/// A flag that ends a search early, shared between the search and whoever
/// may end it (another thread, a signal handler installed by the program).
/// Clones share the flag. Once triggered it stays triggered.
///
/// ```
/// use wasteroute::solver::{Budget, Interrupt};
///
/// let stop = Interrupt::new();
/// let budget = Budget::iterations(1_000_000).with_interrupt(stop.clone());
/// // ... from another thread, or a signal handler's thread:
/// stop.trigger();
/// assert!(budget.interrupt.as_ref().is_some_and(Interrupt::is_triggered));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// A flag not yet triggered.
    pub fn new() -> Interrupt {
        Interrupt::default()
    }
    /// Asks every search holding this flag to stop.
    pub fn trigger(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    /// Whether [`trigger`](Self::trigger) was called.
    #[inline]
    pub fn is_triggered(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

impl PartialEq for Interrupt {
    /// The same flag.
    fn eq(&self, other: &Interrupt) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Decides when the search ends. Combine limits with [`Budget`].
pub trait StopCriterion {
    /// True once the search should end (asked between iterations).
    fn should_stop(&mut self, progress: &Progress) -> bool;

    /// The wall-clock limit in seconds from the start of the search, if
    /// there is one. The search polls it inside iterations too (in the
    /// local search and the repair), so it ends shortly after the limit even
    /// when one iteration would take much longer.
    fn deadline_s(&self) -> Option<f64> {
        None
    }

    /// A flag that ends the search as soon as it is triggered (polled as
    /// the deadline is).
    fn interrupt(&self) -> Option<&Interrupt> {
        None
    }
}

/// The usual limits: wall time, iterations, iterations without improvement,
/// and an interrupt flag. The search stops at the first limit reached; with
/// none of the first three it stops after 20,000 iterations without
/// improvement.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Budget {
    /// Wall-clock seconds.
    pub seconds: Option<f64>,
    /// Total iterations.
    pub iterations: Option<u64>,
    /// Iterations without improvement of the best solution.
    pub no_improvement: Option<u64>,
    /// Stop as soon as this flag is triggered.
    pub interrupt: Option<Interrupt>,
}

impl Budget {
    /// A wall-clock limit.
    pub fn seconds(s: f64) -> Budget {
        Budget {
            seconds: Some(s),
            ..Budget::default()
        }
    }
    /// An iteration limit (reproducible on any machine).
    pub fn iterations(n: u64) -> Budget {
        Budget {
            iterations: Some(n),
            ..Budget::default()
        }
    }
    /// The same limits, also ended by `interrupt`.
    pub fn with_interrupt(self, interrupt: Interrupt) -> Budget {
        Budget {
            interrupt: Some(interrupt),
            ..self
        }
    }
}

impl StopCriterion for Budget {
    fn should_stop(&mut self, p: &Progress) -> bool {
        let none =
            self.seconds.is_none() && self.iterations.is_none() && self.no_improvement.is_none();
        self.seconds.is_some_and(|s| p.elapsed_s >= s)
            || self.iterations.is_some_and(|n| p.iterations >= n)
            || self
                .no_improvement
                .is_some_and(|n| p.since_improvement >= n)
            || (none && p.since_improvement >= 20_000)
            || self.interrupt.as_ref().is_some_and(Interrupt::is_triggered)
    }

    fn deadline_s(&self) -> Option<f64> {
        self.seconds
    }

    fn interrupt(&self) -> Option<&Interrupt> {
        self.interrupt.as_ref()
    }
}

/// Why a search ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The criterion's iteration or no-improvement limit (or the criterion's
    /// own rule).
    Criterion,
    /// The wall-clock limit ([`StopCriterion::deadline_s`]) passed.
    Time,
    /// The [`Interrupt`] was triggered.
    Interrupt,
}

/// Receives progress; every method has an empty default.
pub trait Observer {
    /// The search starts.
    fn on_start(&mut self) {}
    /// A better feasible solution was found.
    fn on_best(&mut self, _progress: &Progress) {}
    /// Called regularly (every penalty adaptation, or every round of the
    /// parallel search).
    fn on_iteration(&mut self, _progress: &Progress) {}
    /// The search ended.
    fn on_end(&mut self, _progress: &Progress) {}
}

/// An observer that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Observer for Silent {}

/// Wall clock shared by the search.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock(Instant);

impl Clock {
    pub fn start() -> Clock {
        Clock(Instant::now())
    }
    pub fn elapsed(&self) -> f64 {
        self.0.elapsed().as_secs_f64()
    }
    /// The instant `s` seconds after the start.
    fn after(&self, s: f64) -> Option<Instant> {
        instant_after(self.0, s)
    }
}

/// The instant `seconds` after `from` (`None` if it is beyond what an
/// `Instant` can hold, or not a number: no limit in practice).
pub(crate) fn instant_after(from: Instant, seconds: f64) -> Option<Instant> {
    let d = Duration::try_from_secs_f64(seconds.max(0.0)).ok()?;
    from.checked_add(d)
}

/// Polls between two clock readings in [`Halt::poll`].
const CLOCK_EVERY: u32 = 8;

/// The limits a search polls inside its loops: a deadline and an interrupt
/// flag, taken from the [`StopCriterion`]. Each local search and driver
/// holds its own copy. Cheap to poll: one relaxed atomic load, and the
/// clock every [`CLOCK_EVERY`] polls; once reached it stays reached.
#[derive(Debug, Clone, Default)]
pub(crate) struct Halt {
    deadline: Option<Instant>,
    interrupt: Option<Interrupt>,
    polls: u32,
    hit: bool,
}

impl Halt {
    /// A deadline (none: no limit) and an interrupt.
    pub fn new(deadline: Option<Instant>, interrupt: Option<Interrupt>) -> Halt {
        Halt {
            deadline,
            interrupt,
            polls: 0,
            hit: false,
        }
    }

    /// The deadline and interrupt of `stop`, the deadline counted from `clock`'s start.
    pub fn of(stop: &dyn StopCriterion, clock: &Clock) -> Halt {
        Halt::new(
            stop.deadline_s().and_then(|s| clock.after(s)),
            stop.interrupt().cloned(),
        )
    }

    /// The deadline, if any.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Whether the interrupt was triggered.
    pub fn interrupted(&self) -> bool {
        self.interrupt.as_ref().is_some_and(Interrupt::is_triggered)
    }

    /// For hot loops: true once the deadline passed or the interrupt was
    /// triggered (the clock is read every few calls).
    #[inline]
    pub fn poll(&mut self) -> bool {
        if self.hit {
            return true;
        }
        if self.interrupt.as_ref().is_some_and(Interrupt::is_triggered) {
            self.hit = true;
            return true;
        }
        if let Some(t) = self.deadline {
            if self.polls == 0 && Instant::now() >= t {
                self.hit = true;
            }
            self.polls = (self.polls + 1) % CLOCK_EVERY;
        }
        self.hit
    }

    /// Like [`poll`](Self::poll), reading the clock now.
    pub fn reached(&mut self) -> bool {
        self.polls = 0;
        self.poll()
    }

    /// Why a search with these limits ended, the criterion aside.
    pub fn reason(&mut self) -> StopReason {
        if self.interrupted() {
            StopReason::Interrupt
        } else if self.reached() {
            StopReason::Time
        } else {
            StopReason::Criterion
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halt_polls_the_interrupt_at_once_and_latches() {
        let i = Interrupt::new();
        let budget = Budget::iterations(10).with_interrupt(i.clone());
        let mut h = Halt::of(&budget, &Clock::start());
        assert!(!h.poll());
        assert_eq!(h.reason(), StopReason::Criterion);
        i.trigger();
        assert!(h.poll());
        assert_eq!(h.reason(), StopReason::Interrupt);
        let mut b = budget.clone();
        let p = Progress {
            iterations: 0,
            since_improvement: 0,
            elapsed_s: 0.0,
            best_cost: None,
        };
        assert!(b.should_stop(&p));
    }

    use crate::model::{Problem, Violation, check};
    use crate::solver::data::Data;
    use crate::solver::genetic::Outcome;
    use crate::solver::params::{Method, SolveParams};
    use crate::solver::testutil::{overloaded, random_problem};

    fn run(
        problem: &Problem,
        method: Method,
        threads: usize,
        stop: &mut dyn StopCriterion,
    ) -> Outcome {
        let params = SolveParams {
            method,
            threads,
            ..SolveParams::for_plans()
        };
        let d = Data::new(problem, params.n_granular);
        let run = super::super::genetic::Run::silent(&d, &params, stop);
        match method {
            Method::Hgs => super::super::genetic::run(run),
            Method::Ils => super::super::ils::run(run),
        }
    }

    /// Every client once, in a route or unassigned.
    fn assert_accounted(problem: &Problem, out: &Outcome) {
        let rep = check(problem, &out.best.to_solution());
        let broken: Vec<&Violation> = rep
            .violations
            .iter()
            .filter(|v| {
                matches!(
                    v,
                    Violation::UnknownClient(_) | Violation::Duplicate(_) | Violation::Missing(_)
                )
            })
            .collect();
        assert!(broken.is_empty(), "{broken:?}");
    }

    #[test]
    fn an_interrupted_search_returns_at_once_with_a_valid_best_so_far() {
        let problem = random_problem(7, 60, true);
        for method in [Method::Hgs, Method::Ils] {
            for threads in [1, 2] {
                let i = Interrupt::new();
                i.trigger();
                let mut b = Budget::iterations(1_000_000).with_interrupt(i);
                let out = run(&problem, method, threads, &mut b);
                // One start per worker at most; its local search returns at
                // its first poll, no repair runs.
                assert!(out.iterations <= threads as u64, "{method:?} {threads}");
                assert!(
                    out.ls_runs <= threads as u64,
                    "{method:?} {threads}: {}",
                    out.ls_runs
                );
                assert_eq!(out.stopped_by, StopReason::Interrupt);
                assert_accounted(&problem, &out);
            }
        }
    }

    #[test]
    fn a_past_deadline_runs_no_repair_step() {
        let problem = overloaded(20);
        // Without a deadline the final repair escalates: more local searches
        // than offspring.
        let out = run(&problem, Method::Hgs, 1, &mut Budget::iterations(1));
        assert!(!out.best.feasible);
        assert!(out.ls_runs > 1, "{}", out.ls_runs);
        assert_eq!(out.stopped_by, StopReason::Criterion);
        for method in [Method::Hgs, Method::Ils] {
            let out = run(&problem, method, 1, &mut Budget::seconds(0.0));
            assert!(out.ls_runs <= 1, "{method:?}: {}", out.ls_runs);
            assert_eq!(out.stopped_by, StopReason::Time);
            assert!(!out.best.feasible);
            assert_accounted(&problem, &out);
        }
    }

    /// Triggers its interrupt after `at` iterations but never says stop:
    /// the drivers must see the interrupt by themselves.
    struct TriggerAt {
        at: u64,
        interrupt: Interrupt,
    }

    impl StopCriterion for TriggerAt {
        fn should_stop(&mut self, p: &Progress) -> bool {
            if p.iterations >= self.at {
                self.interrupt.trigger();
            }
            false
        }
        fn interrupt(&self) -> Option<&Interrupt> {
            Some(&self.interrupt)
        }
    }

    #[test]
    fn an_interrupt_during_the_search_ends_it_after_that_iteration() {
        let problem = overloaded(20);
        for method in [Method::Hgs, Method::Ils] {
            let mut stop = TriggerAt {
                at: 5,
                interrupt: Interrupt::new(),
            };
            let out = run(&problem, method, 1, &mut stop);
            assert_eq!(out.iterations, 5, "{method:?}");
            assert_eq!(out.stopped_by, StopReason::Interrupt);
            assert_accounted(&problem, &out);
        }
    }

    #[test]
    fn halt_sees_a_past_deadline_on_the_first_poll() {
        let mut h = Halt::of(&Budget::seconds(0.0), &Clock::start());
        assert!(h.poll());
        assert_eq!(h.reason(), StopReason::Time);
        // No limit at all, or one beyond what an Instant holds.
        let mut none = Halt::of(&Budget::iterations(5), &Clock::start());
        let mut far = Halt::of(&Budget::seconds(1e30), &Clock::start());
        for _ in 0..100 {
            assert!(!none.poll() && !far.poll());
        }
    }
}
