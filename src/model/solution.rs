//! Solutions: routes of visits, and the clients left unserved.

use super::{Cost, Load, Problem};

/// One stop of a route between its start and end depot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Visit {
    /// Serve client `c`.
    Client(usize),
    /// Unload at facility `f`; this closes the current trip.
    Unload(usize),
    /// Take the vehicle type's break here (after the previous visit).
    Break,
}

/// One vehicle's day: it leaves its type's start depot, makes the visits in
/// order and returns to its type's end depot.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Route {
    /// Index of the vehicle type.
    pub vehicle_type: usize,
    /// The visits, depots excluded.
    pub visits: Vec<Visit>,
}

impl Route {
    /// The clients of the route in visiting order.
    pub fn clients(&self) -> impl Iterator<Item = usize> + '_ {
        self.visits.iter().filter_map(|v| match v {
            Visit::Client(c) => Some(*c),
            _ => None,
        })
    }

    /// True if the route serves no client (such a route is not used).
    pub fn is_empty(&self) -> bool {
        self.clients().next().is_none()
    }
}

/// A solution: the used routes and the clients left unserved.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Solution {
    /// Routes with at least one client.
    pub routes: Vec<Route>,
    /// Clients in no route, in increasing order (wanted clients only when
    /// the problem has pattern groups).
    pub unassigned: Vec<usize>,
    /// The chosen pattern of each group of [`Problem::groups`] (an index
    /// into the group's patterns); empty when the problem has none.
    pub patterns: Vec<usize>,
}

impl Solution {
    /// The cost of this solution as the independent checker computes it.
    pub fn cost(&self, problem: &Problem) -> Cost {
        super::check(problem, self).cost
    }
}

/// The load (first dimension) that `routes` unload at each facility of
/// `problem`: each trip's clients, at the unload that closes it.
pub(crate) fn unloaded_per_facility(problem: &Problem, routes: &[Route]) -> Vec<Load> {
    let mut got = vec![0 as Load; problem.facilities().len()];
    for r in routes {
        let mut trip: Load = 0;
        for v in &r.visits {
            match *v {
                Visit::Client(c) => trip += problem.clients()[c].demand[0],
                Visit::Unload(f) => {
                    got[f] += trip;
                    trip = 0;
                }
                Visit::Break => {}
            }
        }
    }
    got
}
