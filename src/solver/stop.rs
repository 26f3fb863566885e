//! When to stop, and how progress is reported. The library never prints: a
//! caller passes an [`Observer`] and renders what it wants.

use crate::model::Cost;
use std::time::Instant;

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

/// Decides when the search ends. Combine limits with [`Budget`].
pub trait StopCriterion {
    /// True once the search should end.
    fn should_stop(&mut self, progress: &Progress) -> bool;

    /// The wall-clock limit in seconds, if there is one: parallel workers
    /// that check the criterion only between rounds stop their round there.
    fn deadline_s(&self) -> Option<f64> {
        None
    }
}

/// The usual limits: wall time, iterations, iterations without improvement.
/// The search stops at the first limit reached; with none it stops after
/// 20,000 iterations without improvement.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Budget {
    /// Wall-clock seconds.
    pub seconds: Option<f64>,
    /// Total iterations.
    pub iterations: Option<u64>,
    /// Iterations without improvement of the best solution.
    pub no_improvement: Option<u64>,
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
    }

    fn deadline_s(&self) -> Option<f64> {
        self.seconds
    }
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
}
