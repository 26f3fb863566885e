//! Individuals of the population: complete solutions with their evaluation
//! and the neighbour structure used by the diversity measure.

use super::cost::{CostEvaluator, Excess, Penalties};
use super::data::{Data, Stop};
use super::segment::Seg;
use crate::model::{Cost, Route, Solution};

/// A solution as the genetic search stores it.
#[derive(Debug, Clone)]
pub(crate) struct Individual {
    /// Non-empty routes.
    pub routes: Vec<Route>,
    /// Clients in no route.
    pub unassigned: Vec<usize>,
    /// Segment of each route, for re-pricing under new penalties.
    segs: Vec<Seg>,
    /// Penalised cost under the penalties of the last `evaluate`/`reprice`.
    pub cost: Cost,
    /// Cost with no penalty: what the user pays (meaningful when feasible).
    pub plain_cost: Cost,
    /// True if every rule holds (all penalised terms are zero).
    pub feasible: bool,
    /// Summed violations over the routes.
    excess: Excess,
    /// Load delivered beyond the facilities' daily capacities.
    facility_excess: i64,
    /// Successor and predecessor of each client (`n` = a depot).
    pub succ: Vec<u32>,
    pub pred: Vec<u32>,
    /// The active pattern of each group of `Problem::groups` (empty without
    /// groups): `unassigned` then lists wanted clients only.
    pub patterns: Vec<u32>,
}

impl Individual {
    pub fn new(
        d: &Data,
        routes: Vec<Route>,
        unassigned: Vec<usize>,
        pen: &Penalties,
    ) -> Individual {
        let n = d.problem.n_clients();
        let mut ind = Individual {
            routes,
            unassigned,
            segs: Vec::new(),
            cost: 0,
            plain_cost: 0,
            feasible: false,
            excess: Excess::default(),
            facility_excess: 0,
            succ: vec![n as u32; n],
            pred: vec![n as u32; n],
            patterns: vec![0; d.problem.groups().len()],
        };
        ind.evaluate(d, pen);
        ind
    }

    /// Recomputes segments, links and costs from the routes.
    pub fn evaluate(&mut self, d: &Data, pen: &Penalties) {
        let n = d.problem.n_clients();
        self.routes.retain(|r| !r.is_empty());
        self.segs.clear();
        for r in &self.routes {
            let stops = std::iter::once(Stop {
                kind: super::data::Kind::Start,
                id: 0,
            })
            .chain(r.visits.iter().map(|v| Stop::from_visit(*v)))
            .chain(std::iter::once(Stop {
                kind: super::data::Kind::End,
                id: 0,
            }));
            self.segs.push(d.fold(stops, r.vehicle_type));
        }
        self.succ.iter_mut().for_each(|x| *x = n as u32);
        self.pred.iter_mut().for_each(|x| *x = n as u32);
        for r in &self.routes {
            let mut prev = n as u32;
            for c in r.clients() {
                if prev != n as u32 {
                    self.succ[prev as usize] = c as u32;
                }
                self.pred[c] = prev;
                prev = c as u32;
            }
        }
        self.unassigned.sort_unstable();
        self.facility_excess = if d.problem.features().facility_capacity {
            facility_excess(d, &self.routes)
        } else {
            0
        };
        self.reprice(d, pen);
    }

    /// Recomputes the penalised cost under new penalty weights.
    pub fn reprice(&mut self, d: &Data, pen: &Penalties) {
        let ev = CostEvaluator::new(d, pen);
        let prizes: Cost = self
            .unassigned
            .iter()
            .fold(0, |a: Cost, &c| a.saturating_add(ev.unserved(c)));
        let mut cost = prizes;
        let mut plain = prizes;
        let mut feasible = !self
            .unassigned
            .iter()
            .any(|&c| d.problem.clients()[c].required);
        let mut total = Excess::default();
        for (r, s) in self.routes.iter().zip(&self.segs) {
            let vt = r.vehicle_type;
            cost = cost.saturating_add(ev.route(vt, s));
            let p = ev.plain_route(vt, s);
            plain = plain.saturating_add(p);
            let e = ev.excess(vt, s);
            for (t, x) in total.load.iter_mut().zip(e.load) {
                *t += x;
            }
            total.time += e.time;
            total.dist += e.dist;
            feasible &= ev.route_feasible(vt, s, p, &e);
        }
        if self.facility_excess > 0 {
            cost = cost.saturating_add(ev.facility_penalty(self.facility_excess));
            feasible = false;
        }
        self.cost = cost;
        self.plain_cost = plain;
        self.feasible = feasible;
        self.excess = total;
    }

    /// Whether the load, time and distance rules hold (for penalty adaptation).
    pub fn excess_flags(&self) -> (bool, bool, bool) {
        let e = &self.excess;
        (
            e.load.iter().all(|&x| x == 0) && self.facility_excess == 0,
            e.time == 0,
            e.dist == 0,
        )
    }

    /// Clients in route order (the giant tour).
    pub fn giant_tour(&self) -> Vec<usize> {
        self.routes.iter().flat_map(|r| r.clients()).collect()
    }

    /// Broken-pairs distance in [0, 1] (Prins 2009 as used by Vidal et al.
    /// 2012): the share of clients whose neighbours differ.
    pub fn distance(&self, other: &Individual) -> f64 {
        let n = self.succ.len();
        if n == 0 {
            return 0.0;
        }
        let mut diff = 0usize;
        for j in 0..n {
            let (s, p) = (self.succ[j], self.pred[j]);
            if s != other.succ[j] && s != other.pred[j] {
                diff += 1;
            }
            if p == n as u32 && other.pred[j] != n as u32 && other.succ[j] != n as u32 {
                diff += 1;
            }
        }
        diff as f64 / n as f64
    }

    /// The model solution.
    pub fn to_solution(&self) -> Solution {
        Solution {
            patterns: self.patterns.iter().map(|&k| k as usize).collect(),
            routes: self.routes.clone(),
            unassigned: self.unassigned.clone(),
        }
    }
}

/// Load unloaded beyond each facility's daily capacity, summed (first load
/// dimension). A rule between routes: the local search tracks the totals of
/// the tightest facilities (`segment::FAC_SLOTS`) and prices the same excess
/// in its moves; this recomputes it over every facility.
fn facility_excess(d: &Data, routes: &[Route]) -> i64 {
    let p = d.problem;
    crate::model::unloaded_per_facility(p, routes)
        .iter()
        .zip(p.facilities())
        .map(|(&g, f)| (g - f.daily_capacity).max(0))
        .sum()
}
