//! Split: cut a giant tour (all clients in one sequence) into routes
//! optimally, by a shortest path over the tour positions (Beasley 1983;
//! Prins 2004). Route costs come from segment merges, so every route-local
//! rule of a vehicle type is priced. Routes are bounded in load (1.5 x
//! capacity) to keep the search near-linear, as in HGS-CVRP.
//!
//! When the fleet of the type is smaller than the routes found, a second
//! pass limits the number of routes (a Bellman recursion over route counts,
//! Vidal 2016, "Split algorithm in O(n) for the capacitated vehicle routing
//! problem", C&OR 69, section 5).

use super::cost::{CostEvaluator, Penalties};
use super::data::Data;
use super::segment::Seg;
use crate::model::{Cost, LOAD_DIMS, LoadVec, Route, Visit};

/// Builds one route client by client, placing the structural stops
/// greedily: an unload at the facility nearest the last client when the next
/// client would overflow the trip, the break as soon as its window opens,
/// and the final unload before the end depot.
pub(crate) struct RouteBuilder<'a, 'p> {
    d: &'a Data<'p>,
    vt: usize,
    acc: Seg,
    trip: LoadVec,
    reloads: usize,
    break_placed: bool,
    last_loc: usize,
    /// The visits so far, if recorded.
    pub visits: Option<Vec<Visit>>,
}

impl<'a, 'p> RouteBuilder<'a, 'p> {
    pub fn new(d: &'a Data<'p>, vt: usize, record: bool) -> Self {
        let t = &d.problem.vehicle_types()[vt];
        RouteBuilder {
            d,
            vt,
            acc: d.start_seg[vt],
            trip: [0; LOAD_DIMS],
            reloads: 0,
            break_placed: t.break_.is_none(),
            last_loc: d.problem.depots()[t.start_depot].location,
            visits: record.then(Vec::new),
        }
    }

    fn push(&mut self, s: Seg, v: Visit) {
        self.d.ctx(self.vt).append(&mut self.acc, &s);
        if let Some(vs) = &mut self.visits {
            vs.push(v);
        }
    }

    fn nearest_facility(&self, to_end: bool) -> Option<usize> {
        self.d.nearest_unload(self.vt, self.last_loc, to_end)
    }

    fn place_break_if_due(&mut self) {
        if !self.break_placed {
            let w = self.d.problem.vehicle_types()[self.vt]
                .break_
                .map_or(0, |b| b.window.start);
            let t = self.acc.time();
            if t.early + t.dur >= w {
                self.push(self.d.break_seg[self.vt], Visit::Break);
                self.break_placed = true;
            }
        }
    }

    /// Appends client `c`.
    pub fn client(&mut self, c: usize) {
        let d = self.d;
        let t = &d.problem.vehicle_types()[self.vt];
        let q = d.problem.clients()[c].demand;
        let overflow = (0..LOAD_DIMS).any(|k| self.trip[k] + q[k] > t.capacity[k]);
        if overflow
            && self.trip != [0; LOAD_DIMS]
            && self.reloads < t.max_reloads
            && let Some(f) = self.nearest_facility(false)
        {
            self.last_loc = d.problem.facilities()[f].location;
            self.push(d.unload_seg[f], Visit::Unload(f));
            self.reloads += 1;
            self.trip = [0; LOAD_DIMS];
        }
        self.place_break_if_due();
        self.trip[0] += q[0];
        self.trip[1] += q[1];
        self.last_loc = d.problem.clients()[c].location;
        self.push(d.client_seg[c], Visit::Client(c));
    }

    /// The complete route's segment (final unload, break and end depot added).
    pub fn finish(&mut self) -> Seg {
        let t = &self.d.problem.vehicle_types()[self.vt];
        if !self.break_placed {
            self.push(self.d.break_seg[self.vt], Visit::Break);
            self.break_placed = true;
        }
        if t.unload_at_end
            && let Some(f) = self.nearest_facility(true)
        {
            self.push(self.d.unload_seg[f], Visit::Unload(f));
        }
        self.d
            .ctx(self.vt)
            .merge(&self.acc, &self.d.end_seg[self.vt])
    }
}

/// Calls `f(j, cost)` for every route `tour[i..j]` worth considering.
fn routes_from(
    d: &Data,
    vt: usize,
    tour: &[usize],
    i: usize,
    pen: &Penalties,
    mut f: impl FnMut(usize, Cost),
) {
    let ev = CostEvaluator::new(d, pen);
    let t = &d.problem.vehicle_types()[vt];
    let trips = (t.max_reloads + 1) as f64;
    let limit = (1.5 * trips * t.capacity[0].max(1) as f64).min(1.5 * t.daily_capacity[0] as f64);
    let max_dur = t
        .max_duration
        .min(t.shift.end - t.shift.start)
        .saturating_mul(3)
        / 2;
    let mut b = RouteBuilder::new(d, vt, false);
    let mut load = 0.0;
    for (j, &c) in tour.iter().enumerate().skip(i) {
        b.client(c);
        load += d.problem.clients()[c].demand[0] as f64;
        if d.simple {
            let full = d.ctx(vt).merge(&b.acc, &d.end_seg[vt]);
            f(j + 1, ev.route(vt, &full));
        } else {
            let mut done = RouteBuilder {
                visits: None,
                ..b.clone_state()
            };
            f(j + 1, ev.route(vt, &done.finish()));
        }
        // Routes far over capacity or duration are never worth extending.
        if load > limit || (d.time && b.acc.time().dur > max_dur) {
            break;
        }
    }
}

impl RouteBuilder<'_, '_> {
    fn clone_state(&self) -> Self {
        RouteBuilder {
            d: self.d,
            vt: self.vt,
            acc: self.acc,
            trip: self.trip,
            reloads: self.reloads,
            break_placed: self.break_placed,
            last_loc: self.last_loc,
            visits: None,
        }
    }
}

/// Splits `tour` into routes of vehicle type `vt`.
pub(crate) fn split(d: &Data, vt: usize, tour: &[usize], pen: &Penalties) -> Vec<Route> {
    let n = tour.len();
    if n == 0 {
        return Vec::new();
    }
    // Unlimited fleet: one label per position.
    let mut best = vec![Cost::MAX; n + 1];
    let mut pred = vec![0usize; n + 1];
    best[0] = 0;
    for i in 0..n {
        let base = best[i];
        if base == Cost::MAX {
            continue;
        }
        routes_from(d, vt, tour, i, pen, |j, c| {
            let v = base.saturating_add(c);
            if v < best[j] {
                best[j] = v;
                pred[j] = i;
            }
        });
    }
    let mut cuts = Vec::new();
    let mut j = n;
    while j > 0 {
        cuts.push((pred[j], j));
        j = pred[j];
    }
    let count = d.problem.vehicle_types()[vt].count;
    if cuts.len() > count
        && let Some(limited) = split_limited(d, vt, tour, pen, count)
    {
        cuts = limited;
    }
    cuts.reverse();
    cuts.into_iter()
        .map(|(i, j)| Route {
            vehicle_type: vt,
            visits: route_visits(d, vt, &tour[i..j]),
        })
        .collect()
}

/// Split with at most `k` routes; `None` if the tour cannot be covered.
fn split_limited(
    d: &Data,
    vt: usize,
    tour: &[usize],
    pen: &Penalties,
    k: usize,
) -> Option<Vec<(usize, usize)>> {
    let n = tour.len();
    // best[r][j]: cheapest way to cover tour[..j] with r routes.
    let mut best = vec![vec![Cost::MAX; n + 1]; k + 1];
    let mut pred = vec![vec![0usize; n + 1]; k + 1];
    best[0][0] = 0;
    for r in 0..k {
        for i in 0..n {
            let base = best[r][i];
            if base == Cost::MAX {
                continue;
            }
            let (next, next_pred) = (&mut best[r + 1], &mut pred[r + 1]);
            routes_from(d, vt, tour, i, pen, |j, c| {
                let v = base.saturating_add(c);
                if v < next[j] {
                    next[j] = v;
                    next_pred[j] = i;
                }
            });
        }
    }
    let r = (1..=k)
        .filter(|&r| best[r][n] < Cost::MAX)
        .min_by_key(|&r| best[r][n])?;
    let mut cuts = Vec::new();
    let (mut r, mut j) = (r, n);
    while j > 0 {
        let i = pred[r][j];
        cuts.push((i, j));
        j = i;
        r -= 1;
    }
    Some(cuts)
}

/// The visits of a route serving `clients` in order, with the structural
/// stops placed by [`RouteBuilder`]; the local search improves them.
pub(crate) fn route_visits(d: &Data, vt: usize, clients: &[usize]) -> Vec<Visit> {
    let mut b = RouteBuilder::new(d, vt, true);
    for &c in clients {
        b.client(c);
    }
    b.finish();
    b.visits.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::testutil::line;

    /// Weights under which one unit over capacity costs far more than any
    /// detour of the line problems.
    const HEAVY: Penalties = Penalties::uniform(1000.0);

    fn clients(routes: &[Route]) -> Vec<Vec<usize>> {
        routes.iter().map(|r| r.clients().collect()).collect()
    }

    #[test]
    fn split_finds_the_optimal_partition_of_a_small_tour() {
        // Clients c1..c4 at 10, 20, 30, 40 (indices 0..4), demand 1, trucks
        // of 2. Tour c1 c3 c2 c4: the partitions into consecutive runs of at
        // most two cost {c1 c3}{c2 c4} 60 + 80 = 140, {c1}{c3 c2}{c4} 160,
        // {c1}{c3}{c2 c4} 160, {c1 c3}{c2}{c4} 180, singletons 200.
        let p = line(4, 1, 4, 2);
        let d = Data::new(&p, 3);
        let routes = split(&d, 0, &[0, 2, 1, 3], &HEAVY);
        assert_eq!(clients(&routes), vec![vec![0, 2], vec![1, 3]]);
        let cost: Cost = routes
            .iter()
            .map(|r| {
                crate::model::check(
                    &p,
                    &crate::model::Solution {
                        patterns: Vec::new(),
                        routes: vec![r.clone()],
                        unassigned: Vec::new(),
                    },
                )
            })
            .map(|rep| rep.cost)
            .sum();
        assert_eq!(cost, 140);
        // In tour order c1 c2 c3 c4 the best is {c1 c2}{c3 c4}: 40 + 80.
        let routes = split(&d, 0, &[0, 1, 2, 3], &HEAVY);
        assert_eq!(clients(&routes), vec![vec![0, 1], vec![2, 3]]);
    }

    #[test]
    fn split_respects_the_fleet_size_and_prices_the_overload() {
        // Two trucks for three pairs' worth of clients: the best split into
        // at most two routes overloads one of them by one unit rather than
        // both, {c1 c2}{c3 c4 c5} (40 + 100 + 1000) being the cheapest.
        let p = line(5, 1, 2, 2);
        let d = Data::new(&p, 3);
        let routes = split(&d, 0, &[0, 1, 2, 3, 4], &HEAVY);
        assert_eq!(routes.len(), 2);
        assert_eq!(clients(&routes), vec![vec![0, 1], vec![2, 3, 4]]);
        // One truck: no route beyond 1.5 times the capacity is considered,
        // so the tour cannot be covered by one route and the unlimited
        // split stands (the routes beyond the fleet are left to
        // `assign_routes`).
        let p = line(5, 1, 1, 2);
        let d = Data::new(&p, 3);
        let routes = split(&d, 0, &[4, 3, 2, 1, 0], &HEAVY);
        assert_eq!(clients(&routes), vec![vec![4, 3], vec![2, 1], vec![0]]);
    }

    #[test]
    fn an_empty_tour_gives_no_route() {
        let p = line(3, 1, 2, 2);
        let d = Data::new(&p, 2);
        assert!(split(&d, 0, &[], &HEAVY).is_empty());
    }
}
