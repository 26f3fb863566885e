//! Granular local search with constant-time move evaluation.
//!
//! The driver follows the local search of HGS-CVRP (Vidal 2022, "Hybrid
//! genetic search for the CVRP: open-source implementation and SWAP*
//! neighborhood", C&OR 140): clients are visited in random order, each one is
//! paired with its granular neighbours, and the first improving move is
//! applied. A pair is re-examined only when one of its routes changed since
//! the client was last examined. Moves are scored by merging cached segments
//! of the routes they touch (see [`super::segment`]); in the "simple" case
//! (no time, no unloads, no breaks) a pure distance bound prunes a move before
//! any segment is merged, as HGS-CVRP does.
//!
//! The operators and the order they run in are listed once, in
//! [`operator`]: node-pair operators (one file each: `relocate` of 1 or 2
//! clients, possibly reversed; `swap` 1-1, 2-1, 2-2; `two_opt`, the
//! intra-route reversal and the two inter-route tail exchanges, 2-opt*)
//! implement [`operator::NodeOperator`]; the route-level passes are
//! `swap_star` (SWAP*) and `route_ops` (unload placement and facility
//! choice, break placement); `optional` serves or drops optional clients.
//! Every move is priced by the one [`CostEvaluator`].
//!
//! Facility daily capacities are a rule between routes: the local search
//! keeps the day's total unloaded at each tracked facility (see
//! [`super::segment::FAC_SLOTS`]) and adds to every move's cost change the
//! change of the excess over the capacities, priced like load excess
//! ([`LocalSearch::fac_delta`]); the distance bounds that prune moves allow
//! for the excess a move could remove ([`LocalSearch::fac_lift`]).

pub(crate) mod operator;
mod optional;
pub(crate) mod pattern;
mod relocate;
mod route_ops;
mod swap;
mod swap_star;
mod two_opt;

use super::cost::{CostEvaluator, Penalties};
use super::data::{Data, Kind, NO_GROUP, Stop};
use super::individual::Individual;
use super::rng::Rng;
use super::route::SRoute;
use super::segment::{FAC_SLOTS, FacLoads, Seg};
use super::stop::Halt;
use crate::model::{Cost, Visit};
use operator::{At, Eval, NODE_OPS, NodeOperator};

/// "Not in any route".
pub(crate) const UNROUTED: u32 = u32::MAX;

/// Moves inside one route that reorder more stops than this are not tried
/// when they need a merge over the stops in between (time windows,
/// unloads): the cost would grow with the route's length.
pub(crate) const MAX_INTRA_SPAN: usize = 24;

/// A piece of a proposed route: moves describe the routes they would create
/// as a short list of pieces, which [`LocalSearch::eval_seg`] merges.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Piece {
    /// Stops `0..=i` of route `r` (its cached prefix).
    Pre(usize, usize),
    /// Stops `i..` of route `r` without its end depot (its cached suffix).
    Suf(usize, usize),
    /// Stops `a..=b` of route `r`, in order.
    Range(usize, usize, usize),
    /// Stops `a..=b` of route `r`, reversed.
    Rev(usize, usize, usize),
    /// One stop.
    One(Stop),
    /// The end depot of the proposed route's vehicle type.
    End,
}

/// Counters of one operator.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct OpStats {
    pub evaluations: u64,
    pub applications: u64,
}

/// The local search state: routes loaded from an individual, improved in
/// place, and exported back.
pub(crate) struct LocalSearch<'d, 'p> {
    pub d: &'d Data<'p>,
    pub routes: Vec<SRoute>,
    /// Per client: (route, stop index), or `UNROUTED`.
    pub pos: Vec<(u32, u32)>,
    pub pen: Penalties,
    /// Move counter, used as a time stamp.
    pub stamp: u64,
    /// Per client: stamp when its neighbourhood was last examined.
    tested: Vec<u64>,
    /// Per route: stamp when SWAP* last examined it.
    tested_star: Vec<u64>,
    /// Per route: stamp when the route-level operators last examined it.
    tested_route_ops: Vec<u64>,
    order: Vec<u32>,
    route_order: Vec<u32>,
    neighbours: Vec<Vec<u32>>,
    /// SWAP* insertion cache (see `swap_star`).
    star_cache: swap_star::Cache,
    /// SWAP* scratch buffers.
    star_buf: (Vec<swap_star::Member>, Vec<swap_star::Member>),
    /// Per operator counters, by slot (see [`operator::operator_names`]).
    pub stats: [OpStats; operator::N_SLOTS],
    /// Per entry of [`operator::NODE_OPS`] (which is also its statistics
    /// slot): whether this problem supports it.
    node_on: [bool; operator::NODE_OPS.len()],
    /// Per entry of [`operator::ROUTE_PASSES`]: whether this problem
    /// supports it.
    passes_on: [bool; operator::ROUTE_PASSES.len()],
    /// Whether the optional-client moves run.
    client_op: bool,
    /// Whether vehicle types `a` and `b` may share cached suffixes.
    compat: Vec<Vec<bool>>,
    /// Evaluate every move exactly, without pruning (for tests).
    pub exact: bool,
    /// Examine only promising clients (an iterated local search step after
    /// [`perturb`](Self::perturb)); otherwise every client.
    pub restrict: bool,
    /// Per client: whether it is promising in a restricted search: removed
    /// by the perturbation, next to a removed client, or touched by a move.
    promising: Vec<bool>,
    /// Scratch list of the perturbation.
    removed: Vec<usize>,
    /// The search's deadline and interrupt: [`run`](Self::run) returns
    /// early, with every move so far applied, once they are reached.
    pub halt: Halt,
    /// Calls of [`run`](Self::run).
    pub runs: u64,
    /// The day's load unloaded at each tracked facility, over all routes.
    fac_total: FacLoads,
    /// The penalty of the excess of `fac_total` over the capacities.
    fac_cost: Cost,
    /// Per pattern group: its active pattern (empty without groups).
    pub active: Vec<u32>,
    /// Whether the pattern move runs (the problem has pattern groups).
    pattern_op: bool,
    /// Buffers of the pattern move.
    pat: pattern::Scratch,
}

impl<'d, 'p> LocalSearch<'d, 'p> {
    pub fn new(d: &'d Data<'p>) -> Self {
        let n = d.problem.n_clients();
        let types = d.problem.vehicle_types();
        let compat = types
            .iter()
            .enumerate()
            .map(|(a, ta)| {
                types
                    .iter()
                    .enumerate()
                    .map(|(b, tb)| {
                        a == b
                            || (ta.profile == tb.profile
                                && ta.capacity == tb.capacity
                                && !d.problem.features().breaks)
                    })
                    .collect()
            })
            .collect();
        LocalSearch {
            d,
            routes: Vec::new(),
            pos: vec![(UNROUTED, 0); n],
            pen: Penalties::uniform(1.0),
            stamp: 1,
            tested: vec![0; n],
            tested_star: Vec::new(),
            tested_route_ops: Vec::new(),
            order: (0..n as u32).collect(),
            route_order: Vec::new(),
            neighbours: d.neighbours.clone(),
            star_cache: swap_star::Cache::default(),
            star_buf: (Vec::new(), Vec::new()),
            stats: [OpStats::default(); operator::N_SLOTS],
            node_on: operator::NODE_OPS.map(|o| o.supports(d)),
            passes_on: operator::ROUTE_PASSES.map(|p| p.supports(d)),
            client_op: operator::client_op_supported(d),
            compat,
            exact: false,
            restrict: false,
            promising: vec![false; n],
            removed: Vec::new(),
            halt: Halt::default(),
            runs: 0,
            fac_total: [0; FAC_SLOTS],
            fac_cost: 0,
            active: vec![0; d.problem.groups().len()],
            pattern_op: operator::pattern_op_supported(d),
            pat: pattern::Scratch::default(),
        }
    }

    /// Whether client `c` is absent: in a pattern group, but not in its
    /// group's active pattern. No move inserts an absent client and it
    /// costs nothing unserved.
    #[inline]
    pub fn absent(&self, c: usize) -> bool {
        if self.active.is_empty() {
            return false;
        }
        let (g, k) = self.d.group_of[c];
        g != NO_GROUP && self.active[g as usize] != k
    }

    /// Loads an individual: its routes, plus empty routes up to the number of
    /// slots of each vehicle type.
    pub fn load(&mut self, ind: &Individual) {
        let d = self.d;
        let n_types = d.problem.vehicle_types().len();
        let mut by_type: Vec<Vec<&Vec<Visit>>> = vec![Vec::new(); n_types];
        for r in &ind.routes {
            by_type[r.vehicle_type].push(&r.visits);
        }
        self.routes.clear();
        for (vt, list) in by_type.iter().enumerate() {
            for visits in list {
                self.routes.push(SRoute::new(
                    d,
                    vt,
                    visits.iter().map(|v| Stop::from_visit(*v)),
                ));
            }
            let wanted = d.slots[vt]
                .max(list.len() + 1)
                .min(d.problem.vehicle_types()[vt].count);
            for _ in list.len()..wanted {
                self.routes.push(self.empty_route(vt));
            }
        }
        for p in self.pos.iter_mut() {
            *p = (UNROUTED, 0);
        }
        if !self.active.is_empty() {
            let n = self.active.len();
            self.active.clear();
            self.active.extend(ind.patterns.iter().copied());
            self.active.resize(n, 0);
        }
        for r in 0..self.routes.len() {
            self.routes[r].update(d, &self.pen);
            self.index_route(r);
        }
        self.refresh_facilities();
        let nr = self.routes.len();
        self.tested.iter_mut().for_each(|t| *t = 0);
        self.tested_star = vec![0; nr];
        self.tested_route_ops = vec![0; nr];
        self.route_order = (0..nr as u32).collect();
        self.star_cache.reset(nr, d.problem.n_clients());
        self.stamp = 1;
        for r in &mut self.routes {
            r.modified = 1;
        }
    }

    /// An empty route of type `vt` with its structural stops: the final
    /// unload (at the facility nearest the end depot that the type may use)
    /// and the break, when the type has them.
    pub fn empty_route(&self, vt: usize) -> SRoute {
        let d = self.d;
        let t = &d.problem.vehicle_types()[vt];
        let mut visits = Vec::new();
        if t.break_.is_some() {
            visits.push(Stop {
                kind: Kind::Break,
                id: 0,
            });
        }
        if t.unload_at_end {
            let end = d.problem.depots()[t.end_depot].location;
            if let Some(f) = d.nearest_unload(vt, end, false) {
                visits.push(Stop::unload(f));
            }
        }
        SRoute::new(d, vt, visits)
    }

    /// Writes the current routes into an individual (empty routes dropped).
    pub fn export(&self, ind: &mut Individual) {
        ind.routes.clear();
        for r in &self.routes {
            if r.n_clients == 0 {
                continue;
            }
            ind.routes.push(crate::model::Route {
                vehicle_type: r.vt,
                visits: r.stops.iter().filter_map(|s| s.visit()).collect(),
            });
        }
        ind.unassigned.clear();
        ind.unassigned
            .extend((0..self.pos.len()).filter(|&c| self.pos[c].0 == UNROUTED && !self.absent(c)));
        ind.patterns.clone_from(&self.active);
    }

    /// Total penalised cost of the current routes and unserved clients,
    /// facility excess included.
    #[cfg(test)]
    pub fn cost(&self) -> Cost {
        let routes: Cost = self.routes.iter().map(|r| r.cost).sum();
        let prizes: Cost = (0..self.pos.len())
            .filter(|&c| self.pos[c].0 == UNROUTED && !self.absent(c))
            .map(|c| self.eval().unserved(c))
            .sum();
        routes + prizes + self.fac_cost
    }

    /// The cost evaluator under the current penalties: every move is
    /// priced through it.
    #[inline]
    pub fn eval(&self) -> CostEvaluator<'_, 'p> {
        CostEvaluator::new(self.d, &self.pen)
    }

    /// Recomputes the facility totals from the routes, and their penalty.
    fn refresh_facilities(&mut self) {
        if !self.d.fac {
            return;
        }
        let mut t = [0; FAC_SLOTS];
        for r in &self.routes {
            for (k, x) in t.iter_mut().enumerate() {
                *x += r.unloads[k];
            }
        }
        self.fac_total = t;
        self.fac_cost = self.fac_penalty(&t);
    }

    /// The penalty of facility totals `t`: the summed excess over the daily
    /// capacities at the load penalty weight (as `Individual` prices it).
    #[inline]
    fn fac_penalty(&self, t: &FacLoads) -> Cost {
        self.eval().facility_totals_penalty(t)
    }

    /// The change of the facility penalty when routes `old` are replaced by
    /// the complete route segments `new` (0 when no facility is tracked).
    #[inline]
    pub fn fac_delta(&self, old: &[usize], new: &[&Seg]) -> Cost {
        if !self.d.fac {
            return 0;
        }
        let mut t = self.fac_total;
        for &r in old {
            let u = &self.routes[r].unloads;
            for k in 0..FAC_SLOTS {
                t[k] -= u[k];
            }
        }
        for s in new {
            let u = s.route_unloads();
            for k in 0..FAC_SLOTS {
                t[k] += u[k];
            }
        }
        self.fac_penalty(&t) - self.fac_cost
    }

    /// What a move on routes `r1` and `r2` (the same for a move inside one
    /// route) can remove of the facility excess: its penalty for the load
    /// the two routes unload at facilities over capacity. Distance bounds
    /// prune against it plus the routes' `SRoute::penalty` (0 when no
    /// facility is over capacity).
    #[inline]
    pub fn fac_lift(&self, r1: usize, r2: usize) -> Cost {
        if self.fac_cost == 0 {
            0
        } else {
            self.fac_lift_over(r1, r2)
        }
    }

    #[inline(never)]
    fn fac_lift_over(&self, r1: usize, r2: usize) -> Cost {
        let (u1, u2) = (&self.routes[r1].unloads, &self.routes[r2].unloads);
        let mut lift = 0;
        for (k, (&total, &cap)) in self.fac_total.iter().zip(&self.d.fac_cap).enumerate() {
            let excess = (total - cap).max(0);
            if excess > 0 {
                let mine = u1[k] + if r2 != r1 { u2[k] } else { 0 };
                lift += excess.min(mine);
            }
        }
        self.eval().facility_bound(lift)
    }

    fn index_route(&mut self, r: usize) {
        for (i, s) in self.routes[r].stops.iter().enumerate() {
            if s.is_client() {
                self.pos[s.id as usize] = (r as u32, i as u32);
            }
        }
    }

    /// Recomputes the caches of routes changed by a move and stamps them.
    pub fn commit(&mut self, changed: &[usize]) {
        self.stamp += 1;
        for &r in changed {
            let before = self.routes[r].unloads;
            self.routes[r].update(self.d, &self.pen);
            self.routes[r].modified = self.stamp;
            self.index_route(r);
            if self.d.fac {
                let after = &self.routes[r].unloads;
                for k in 0..FAC_SLOTS {
                    self.fac_total[k] += after[k] - before[k];
                }
            }
        }
        if self.d.fac {
            self.fac_cost = self.fac_penalty(&self.fac_total);
        }
        // Keep one empty route per type available when the fleet allows.
        for &r in changed {
            let vt = self.routes[r].vt;
            let t = &self.d.problem.vehicle_types()[vt];
            let n_of_type = self.routes.iter().filter(|x| x.vt == vt).count();
            let has_empty = self.routes.iter().any(|x| x.vt == vt && x.n_clients == 0);
            if !has_empty && n_of_type < t.count {
                let mut e = self.empty_route(vt);
                e.update(self.d, &self.pen);
                e.modified = self.stamp;
                self.routes.push(e);
                self.tested_star.push(0);
                self.tested_route_ops.push(0);
                self.route_order.push(self.routes.len() as u32 - 1);
                self.star_cache.add_route(self.d.problem.n_clients());
            }
        }
    }

    /// The cost change of replacing route `r` by the route of `pieces`
    /// (of the same vehicle type), facility excess included.
    #[inline]
    pub fn delta1(&self, r: usize, pieces: &[Piece]) -> Cost {
        let vt = self.routes[r].vt;
        let s = self.eval_seg(vt, pieces);
        let c = self.eval().route(vt, &s) - self.routes[r].cost;
        if self.d.fac {
            c + self.fac_delta(&[r], &[&s])
        } else {
            c
        }
    }

    /// The cost change of replacing routes `ru` and `rv` (distinct) by the
    /// routes of `pu` and `pv` (of the same vehicle types), facility excess
    /// included.
    #[inline]
    pub fn delta2(&self, ru: usize, pu: &[Piece], rv: usize, pv: &[Piece]) -> Cost {
        let (vu, vv) = (self.routes[ru].vt, self.routes[rv].vt);
        let su = self.eval_seg(vu, pu);
        let sv = self.eval_seg(vv, pv);
        let ev = self.eval();
        let c = ev.route(vu, &su) + ev.route(vv, &sv) - self.routes[ru].cost - self.routes[rv].cost;
        if self.d.fac {
            c + self.fac_delta(&[ru, rv], &[&su, &sv])
        } else {
            c
        }
    }

    /// The cost change of replacing the routes `old` by complete route
    /// segments `new` of the same vehicle types, facility excess included.
    pub fn delta_segs(&self, old: &[usize], new: &[&Seg]) -> Cost {
        let mut c = 0;
        for (&r, s) in old.iter().zip(new) {
            c += self.eval().route(self.routes[r].vt, s) - self.routes[r].cost;
        }
        c + self.fac_delta(old, new)
    }

    /// Merges pieces into the segment of the proposed route of type `vt`.
    pub fn eval_seg(&self, vt: usize, pieces: &[Piece]) -> Seg {
        let d = self.d;
        let ctx = d.ctx(vt);
        let mut acc = Seg::EMPTY;
        for &p in pieces {
            match p {
                Piece::Pre(r, i) => {
                    debug_assert_eq!(self.routes[r].vt, vt);
                    acc = self.routes[r].prefix[i];
                }
                Piece::Suf(r, i) => {
                    let route = &self.routes[r];
                    if self.compat[route.vt][vt] {
                        ctx.append(&mut acc, &route.suffix[i]);
                    } else {
                        for s in &route.stops[i..route.len() - 1] {
                            ctx.append(&mut acc, d.single(*s, vt));
                        }
                    }
                }
                Piece::Range(r, a, b) => {
                    for s in &self.routes[r].stops[a..=b] {
                        ctx.append(&mut acc, d.single(*s, vt));
                    }
                }
                Piece::Rev(r, a, b) => {
                    for s in self.routes[r].stops[a..=b].iter().rev() {
                        ctx.append(&mut acc, d.single(*s, vt));
                    }
                }
                Piece::One(s) => ctx.append(&mut acc, d.single(s, vt)),
                Piece::End => ctx.append(&mut acc, &d.end_seg[vt]),
            }
        }
        acc
    }

    /// Whether arc costs bound the cost change of a move touching the stops
    /// `at` (route, index) of routes `r1` and `r2`: the stops around the move
    /// must be physical (not a break, which has no location). The bound
    /// compares the change of arc costs with each route's `penalty`, which
    /// holds its penalties plus the cost of its waiting time: a move can at
    /// best remove both.
    #[inline]
    pub fn prunable(&self, at: &[(usize, usize)]) -> bool {
        at.iter()
            .all(|&(r, i)| self.routes[r].locs[i] != super::segment::NO_LOC)
    }

    /// Whether a move cannot improve by its bound (never when `exact`):
    /// the bound changes `du` of route `ru` and `dv` of route `rv` (`dv`
    /// ignored when they are the same route), in units of each route's
    /// bound matrix, plus `fixed` (the change of fixed costs), reach what
    /// the move could at best remove: the routes' penalties and waiting
    /// ([`SRoute::penalty`]) and their facility excess ([`fac_lift`](Self::fac_lift)).
    #[inline(always)]
    pub fn bound_prunes(&self, ru: usize, du: Cost, rv: usize, dv: Cost, fixed: Cost) -> bool {
        if self.exact {
            return false;
        }
        let ev = self.eval();
        let (a, b) = (&self.routes[ru], &self.routes[rv]);
        let ua = ev.rules(a.vt).unit;
        if ru == rv {
            return ua * du + fixed >= a.penalty + self.fac_lift(ru, ru);
        }
        ua * du + ev.rules(b.vt).unit * dv + fixed >= a.penalty + b.penalty + self.fac_lift(ru, rv)
    }

    /// For a move inside route `r` whose bound changes by `dd`: `Some(None)`
    /// if the bound prunes it, `Some(Some(delta))` in simple mode (exact),
    /// `None` when the move must be priced by merging segments.
    #[inline(always)]
    pub fn intra_bound(&self, r: usize, dd: Cost) -> Option<Option<Cost>> {
        if self.bound_prunes(r, dd, r, 0, 0) {
            return Some(None);
        }
        if self.d.simple {
            let d = self
                .eval()
                .simple_change(&self.routes[r], dd, &Default::default(), 0);
            return Some(Some(d));
        }
        None
    }

    /// The matrix that bounds moves on route `r` (distances, or arc costs
    /// when time costs something; multiply by the type's `unit`).
    #[inline]
    pub fn mat(&self, r: usize) -> super::data::Bound<'p> {
        self.d.bound(self.routes[r].vt)
    }

    /// Prices the routes and the facility excess under penalties `pen`.
    pub fn set_penalties(&mut self, pen: Penalties) {
        self.pen = pen;
        for r in 0..self.routes.len() {
            self.routes[r].refresh_cost(self.d, &self.pen);
        }
        if self.d.fac {
            self.fac_cost = self.fac_penalty(&self.fac_total);
        }
    }

    /// Runs the local search to a local optimum under penalties `pen`, or
    /// until [`halt`](Self::halt) is reached (polled before each client and
    /// each route-level pass; the routes stay consistent).
    pub fn run(&mut self, rng: &mut Rng, pen: Penalties) {
        self.runs += 1;
        self.set_penalties(pen);
        rng.shuffle(&mut self.order);
        rng.shuffle(&mut self.route_order);
        let k = self.d.neighbours.first().map_or(1, |l| l.len().max(1)) as u64;
        for list in self.neighbours.iter_mut() {
            if rng.below(k) == 0 {
                rng.shuffle(list);
            }
        }
        let mut loop_id = 0;
        loop {
            let mut improved = false;
            for oi in 0..self.order.len() {
                let u = self.order[oi] as usize;
                if self.restrict && self.pos[u].0 == UNROUTED && self.insert_required(u) {
                    improved = true;
                }
                if self.restrict && !self.promising[u] {
                    continue;
                }
                if self.halt.poll() {
                    return;
                }
                let last = self.tested[u];
                self.tested[u] = self.stamp;
                if self.client_op && optional::try_moves(self, u) {
                    improved = true;
                }
                if self.pos[u].0 == UNROUTED {
                    continue;
                }
                for ni in 0..self.neighbours[u].len() {
                    let v = self.neighbours[u][ni] as usize;
                    let (ru, rv) = (self.pos[u].0, self.pos[v].0);
                    if rv == UNROUTED || ru == UNROUTED {
                        continue;
                    }
                    let (ru, rv) = (ru as usize, rv as usize);
                    if loop_id > 0 && self.routes[ru].modified.max(self.routes[rv].modified) <= last
                    {
                        continue;
                    }
                    if self.node_moves(u, v) {
                        self.mark_around(u);
                        self.mark_around(v);
                        improved = true;
                        continue;
                    }
                    // Also try placing U right after the start depot of V's route.
                    let (rv, jv) = (self.pos[v].0 as usize, self.pos[v].1 as usize);
                    if self.first_client_index(rv) == Some(jv) && self.depot_moves(u, rv) {
                        self.mark_around(u);
                        improved = true;
                    }
                }
                if loop_id > 0 && self.pos[u].0 != UNROUTED && self.empty_route_moves(u) {
                    self.mark_around(u);
                    improved = true;
                }
            }
            if self.pattern_op && !self.halt.reached() && pattern::run_pass(self) {
                improved = true;
            }
            // A restricted search examines only routes changed since the
            // perturbation (whose stamps are then newer than the tests).
            let first = loop_id == 0 && !self.restrict;
            for (k, pass) in operator::ROUTE_PASSES.into_iter().enumerate() {
                if self.halt.reached() {
                    return;
                }
                if self.passes_on[k] && pass.run(self, first, operator::pass_slot(k)) {
                    improved = true;
                }
            }
            if !improved {
                break;
            }
            loop_id += 1;
        }
    }

    /// Marks client `c`, and the clients just before and after it in its
    /// route, as promising.
    pub fn mark_around(&mut self, c: usize) {
        let (r, i) = self.pos[c];
        self.promising[c] = true;
        if r == UNROUTED {
            return;
        }
        let stops = &self.routes[r as usize].stops;
        let i = i as usize;
        for s in [stops[i - 1], stops[i + 1]] {
            if s.is_client() {
                self.promising[s.id as usize] = true;
            }
        }
    }

    /// Marks every client of route `r` as promising.
    pub fn mark_route(&mut self, r: usize) {
        for s in &self.routes[r].stops {
            if s.is_client() {
                self.promising[s.id as usize] = true;
            }
        }
    }

    /// Removes up to `k` clients (a random client and its granular
    /// neighbours, then another, ...) and makes the clients around them the
    /// promising ones: the perturbation of an iterated local search step
    /// (the "ruin" of PyVRP 0.14's perturbation manager). Call after
    /// [`load`](Self::load) and before a [`run`](Self::run) with `restrict`.
    pub fn perturb(&mut self, rng: &mut Rng, k: usize) {
        self.promising.iter_mut().for_each(|p| *p = false);
        // Route-level passes look only at routes changed from here on.
        self.tested_star.iter_mut().for_each(|t| *t = self.stamp);
        self.tested_route_ops
            .iter_mut()
            .for_each(|t| *t = self.stamp);
        let n = self.pos.len();
        let mut removed = std::mem::take(&mut self.removed);
        removed.clear();
        let mut tries = 0;
        while removed.len() < k && tries < 4 * k.max(1) {
            tries += 1;
            let u = rng.index(n);
            for ni in 0..=self.neighbours[u].len() {
                let v = if ni == 0 {
                    u
                } else {
                    self.neighbours[u][ni - 1] as usize
                };
                if removed.len() >= k {
                    break;
                }
                if self.pos[v].0 != UNROUTED && !removed.contains(&v) {
                    self.mark_around(v);
                    removed.push(v);
                }
            }
        }
        let mut changed: Vec<usize> = removed.iter().map(|&c| self.pos[c].0 as usize).collect();
        changed.sort_unstable();
        changed.dedup();
        for &c in &removed {
            self.pos[c] = (UNROUTED, 0);
        }
        for &r in &changed {
            let pos = &self.pos;
            self.routes[r]
                .stops
                .retain(|s| !s.is_client() || pos[s.id as usize].0 != UNROUTED);
        }
        self.commit(&changed);
        self.removed = removed;
    }

    /// Inserts the unrouted client `u` at its best place if it is required
    /// (a client removed by the perturbation); true if it was inserted.
    fn insert_required(&mut self, u: usize) -> bool {
        if !self.d.problem.clients()[u].required || self.absent(u) {
            return false;
        }
        match optional::best_insertion(self, u) {
            Some((_, r, after)) => {
                optional::insert(self, u, r, after);
                self.mark_around(u);
                true
            }
            None => false,
        }
    }

    /// Index of the first client of route `r`, if any.
    fn first_client_index(&self, r: usize) -> Option<usize> {
        self.routes[r].stops.iter().position(|s| s.is_client())
    }

    /// Tries the node operators in list order at `at`, applying the first
    /// improving move; true if one applied. `pair` is (U, V) when V is a
    /// client at `at` (symmetric operators then run only for U <= V).
    fn try_node_ops(&mut self, at: At, pair: Option<(usize, usize)>) -> bool {
        // Over the constant list, so that each operator's code is known
        // where it is called.
        for (slot, op) in NODE_OPS.into_iter().enumerate() {
            if !self.node_on[slot] || (op.symmetric() && pair.is_some_and(|(u, v)| u > v)) {
                continue;
            }
            match op.evaluate(self, at) {
                Eval::Invalid => {}
                Eval::Pruned => self.stats[slot].evaluations += 1,
                Eval::Delta(d) => {
                    self.stats[slot].evaluations += 1;
                    if d < 0 {
                        op.apply(self, at);
                        self.stats[slot].applications += 1;
                        return true;
                    }
                }
            }
        }
        false
    }

    /// The position of client `u` and stop `jv` of route `rv`.
    #[inline]
    fn at(&self, u: usize, rv: usize, jv: usize) -> At {
        At {
            ru: self.pos[u].0 as usize,
            iu: self.pos[u].1 as usize,
            rv,
            jv,
        }
    }

    /// Every node-pair operator for clients `u` and `v`; true if one applied.
    fn node_moves(&mut self, u: usize, v: usize) -> bool {
        let at = self.at(u, self.pos[v].0 as usize, self.pos[v].1 as usize);
        self.try_node_ops(at, Some((u, v)))
    }

    /// The node operators with V the start depot of route `rv`: the
    /// relocations of U first in `rv` and the 2-opt* moves with an empty
    /// head (the other moves do not exist there and report `Invalid`).
    fn depot_moves(&mut self, u: usize, rv: usize) -> bool {
        self.try_node_ops(self.at(u, rv, 0), None)
    }

    /// Moves of `u` into the first empty route of each vehicle type.
    fn empty_route_moves(&mut self, u: usize) -> bool {
        let n_types = self.d.problem.vehicle_types().len();
        for vt in 0..n_types {
            if !self.d.can_serve(vt, u) {
                continue;
            }
            let Some(rv) = self
                .routes
                .iter()
                .position(|r| r.vt == vt && r.n_clients == 0)
            else {
                continue;
            };
            if self.try_node_ops(self.at(u, rv, 0), None) {
                return true;
            }
        }
        false
    }

    /// Records an evaluation of the operator of statistics slot `slot`.
    #[inline]
    pub fn count_eval(&mut self, slot: usize) {
        self.stats[slot].evaluations += 1;
    }

    /// Records an application of the operator of statistics slot `slot`.
    #[inline]
    pub fn count_apply(&mut self, slot: usize) {
        self.stats[slot].applications += 1;
    }

    /// Recomputes routes `ru` and `rv` after a move (one route if equal).
    pub fn commit_pair(&mut self, ru: usize, rv: usize) {
        if ru == rv {
            self.commit(&[ru]);
        } else {
            self.commit(&[ru, rv]);
        }
    }

    /// Location of the last physical stop before stop `i` of route `r`.
    #[inline]
    pub fn prev_loc(&self, r: usize, i: usize) -> u32 {
        if self.d.simple {
            self.routes[r].locs[i - 1]
        } else {
            self.routes[r].prefix[i - 1].last
        }
    }

    /// Location of the first physical stop after stop `i` of route `r`.
    #[inline]
    pub fn next_loc(&self, r: usize, i: usize) -> u32 {
        let route = &self.routes[r];
        if self.d.simple {
            return route.locs[i + 1];
        }
        let f = route.suffix[i + 1].first;
        if f != super::segment::NO_LOC {
            f
        } else {
            route.locs[route.len() - 1]
        }
    }
}

#[cfg(test)]
mod tests;
