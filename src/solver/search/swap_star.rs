//! SWAP*: exchange a client of one route with a client of another, each
//! going to its best position in the other route rather than to the place of
//! the other client (Vidal 2022, section 4). Only route pairs whose angular
//! sectors around the depot overlap are examined.
//!
//! For every client and route, the three cheapest insertion places (by
//! distance) are cached and recomputed only when the route changes. The best
//! candidate of a route pair is then checked exactly by re-evaluating both
//! new routes before it is applied.

use super::super::data::Stop;
use super::{LocalSearch, Op};
use crate::model::Cost;

#[derive(Debug, Clone, Copy)]
struct Ins {
    cost: [Cost; 3],
    after: [u32; 3],
}

impl Ins {
    const NONE: Ins = Ins {
        cost: [Cost::MAX; 3],
        after: [u32::MAX; 3],
    };

    fn add(&mut self, cost: Cost, after: u32) {
        if cost >= self.cost[2] {
            return;
        }
        let mut k = 2;
        while k > 0 && cost < self.cost[k - 1] {
            self.cost[k] = self.cost[k - 1];
            self.after[k] = self.after[k - 1];
            k -= 1;
        }
        self.cost[k] = cost;
        self.after[k] = after;
    }
}

/// Cached best insertions, per (route, client), with the stamp of computation.
#[derive(Debug, Default)]
pub(crate) struct Cache {
    n: usize,
    ins: Vec<Ins>,
    stamp: Vec<u64>,
}

impl Cache {
    pub fn reset(&mut self, n_routes: usize, n_clients: usize) {
        self.n = n_clients;
        self.ins.clear();
        self.ins.resize(n_routes * n_clients, Ins::NONE);
        self.stamp.clear();
        self.stamp.resize(n_routes * n_clients, 0);
    }

    pub fn add_route(&mut self, n_clients: usize) {
        self.ins.extend(std::iter::repeat_n(Ins::NONE, n_clients));
        self.stamp.extend(std::iter::repeat_n(0, n_clients));
    }
}

/// Examines every changed pair of routes with overlapping sectors.
pub(super) fn run_pass(ls: &mut LocalSearch, first_loop: bool) -> bool {
    let mut improved = false;
    for a in 0..ls.route_order.len() {
        let ru = ls.route_order[a] as usize;
        let last = ls.tested_star[ru];
        ls.tested_star[ru] = ls.stamp;
        for rv in 0..ls.routes.len() {
            if ru >= rv || ls.routes[ru].n_clients == 0 || ls.routes[rv].n_clients == 0 {
                continue;
            }
            if !first_loop && ls.routes[ru].modified.max(ls.routes[rv].modified) <= last {
                continue;
            }
            if !ls.routes[ru].sector.overlaps(&ls.routes[rv].sector) {
                continue;
            }
            if swap_star(ls, ru, rv) {
                improved = true;
            }
        }
    }
    improved
}

fn refresh(ls: &mut LocalSearch, into: usize, u: usize) {
    let key = into * ls.star_cache.n + u;
    if ls.star_cache.stamp[key] >= ls.routes[into].modified && ls.star_cache.stamp[key] > 0 {
        return;
    }
    let route = &ls.routes[into];
    let loc = ls.d.loc[u];
    let mut best = Ins::NONE;
    for p in 0..route.len() - 1 {
        let (a, b) = (route.locs[p], route.locs[p + 1]);
        if a == super::super::segment::NO_LOC || b == super::super::segment::NO_LOC {
            continue;
        }
        best.add(
            ls.dist(into, a, loc) + ls.dist(into, loc, b) - ls.dist(into, a, b),
            p as u32,
        );
    }
    ls.star_cache.ins[key] = best;
    ls.star_cache.stamp[key] = ls.stamp;
}

/// Removal delta (distance) of the client at stop `i` of route `r`.
fn removal(ls: &LocalSearch, r: usize, i: usize) -> Cost {
    let (p, c, n) = (ls.prev_loc(r, i), ls.routes[r].locs[i], ls.next_loc(r, i));
    ls.dist(r, p, n) - ls.dist(r, p, c) - ls.dist(r, c, n)
}

/// Cheapest insertion of client `u` into route `r` while the client at stop
/// `iv` of `r` is removed: (distance delta, insert after stop index).
fn insert_while_removing(ls: &LocalSearch, u: usize, r: usize, iv: usize) -> (Cost, usize) {
    let ins = &ls.star_cache.ins[r * ls.star_cache.n + u];
    let (p, n) = (ls.prev_loc(r, iv), ls.next_loc(r, iv));
    let loc = ls.d.loc[u];
    // In the place of the removed client.
    let mut best = (
        ls.dist(r, p, loc) + ls.dist(r, loc, n) - ls.dist(r, p, n),
        iv - 1,
    );
    for k in 0..3 {
        let p = ins.after[k] as usize;
        if ins.after[k] == u32::MAX {
            break;
        }
        if p != iv && p + 1 != iv {
            if ins.cost[k] < best.0 {
                best = (ins.cost[k], p);
            }
            break;
        }
    }
    best
}

/// Estimated cost of route `r` after a distance change and a load change
/// (exact in simple mode; distance-only otherwise).
fn estimate(ls: &LocalSearch, r: usize, dd: Cost, dq: &[Cost; 2]) -> Cost {
    let route = &ls.routes[r];
    let rules = &ls.d.rules[route.vt];
    if ls.d.simple {
        let mut s = *route.total();
        s.dist += dd;
        for k in 0..2 {
            s.head[k] += dq[k];
            s.total[k] += dq[k];
        }
        rules.cost(&s, &ls.pen, false) - route.cost
    } else {
        rules.cost_per_distance * dd
    }
}

#[derive(Clone, Copy)]
struct Best {
    cost: Cost,
    /// (client, its stop index, insert-after index in the other route)
    u: Option<(usize, usize, usize)>,
    v: Option<(usize, usize, usize)>,
}

fn swap_star(ls: &mut LocalSearch, r1: usize, r2: usize) -> bool {
    ls.count_eval(Op::SwapStar);
    let clients1: Vec<(usize, usize)> = (1..ls.routes[r1].len() - 1)
        .filter(|&i| ls.routes[r1].stops[i].is_client())
        .map(|i| (ls.routes[r1].stops[i].id as usize, i))
        .collect();
    let clients2: Vec<(usize, usize)> = (1..ls.routes[r2].len() - 1)
        .filter(|&i| ls.routes[r2].stops[i].is_client())
        .map(|i| (ls.routes[r2].stops[i].id as usize, i))
        .collect();
    for &(u, _) in &clients1 {
        refresh(ls, r2, u);
    }
    for &(v, _) in &clients2 {
        refresh(ls, r1, v);
    }
    let (vt1, vt2) = (ls.routes[r1].vt, ls.routes[r2].vt);
    let p = ls.d.problem;
    let demand = |c: usize| p.clients()[c].demand;
    let mut best = Best {
        cost: 0,
        u: None,
        v: None,
    };
    for &(u, iu) in &clients1 {
        if !p.can_serve(vt2, u) {
            continue;
        }
        let rem_u = removal(ls, r1, iu);
        let du = demand(u);
        for &(v, iv) in &clients2 {
            if !p.can_serve(vt1, v) {
                continue;
            }
            let rem_v = removal(ls, r2, iv);
            let dv = demand(v);
            let dq1 = [dv[0] - du[0], dv[1] - du[1]];
            let dq2 = [-dq1[0], -dq1[1]];
            // Penalty change plus removal gains; insertions add (usually) non-negative costs.
            let pen1 = estimate(ls, r1, rem_u, &dq1);
            let pen2 = estimate(ls, r2, rem_v, &dq2);
            if pen1 + pen2 > 0 {
                continue;
            }
            let (ins_u, at_u) = insert_while_removing(ls, u, r2, iv);
            let (ins_v, at_v) = insert_while_removing(ls, v, r1, iu);
            let total =
                estimate(ls, r1, rem_u + ins_v, &dq1) + estimate(ls, r2, rem_v + ins_u, &dq2);
            if total < best.cost {
                best = Best {
                    cost: total,
                    u: Some((u, iu, at_u)),
                    v: Some((v, iv, at_v)),
                };
            }
        }
    }
    // Plain relocations with the cached best places.
    for (&(u, iu), (from, to)) in clients1
        .iter()
        .map(|c| (c, (r1, r2)))
        .chain(clients2.iter().map(|c| (c, (r2, r1))))
    {
        if !p.can_serve(ls.routes[to].vt, u) || ls.routes[from].n_clients <= 1 {
            continue;
        }
        let ins = ls.star_cache.ins[to * ls.star_cache.n + u];
        if ins.after[0] == u32::MAX {
            continue;
        }
        let du = demand(u);
        let c = estimate(ls, from, removal(ls, from, iu), &[-du[0], -du[1]])
            + estimate(ls, to, ins.cost[0], &du);
        if c < best.cost {
            let mv = Some((u, iu, ins.after[0] as usize));
            best = if from == r1 {
                Best {
                    cost: c,
                    u: mv,
                    v: None,
                }
            } else {
                Best {
                    cost: c,
                    u: None,
                    v: mv,
                }
            };
        }
    }
    if best.cost >= 0 {
        return false;
    }
    // Build the two new routes and check them exactly.
    let new1 = rebuild(
        ls,
        r1,
        best.u.map(|x| x.1),
        best.v.map(|(v, _, at)| (v, at)),
    );
    let new2 = rebuild(
        ls,
        r2,
        best.v.map(|x| x.1),
        best.u.map(|(u, _, at)| (u, at)),
    );
    let s1 = ls.d.fold(new1.iter().copied(), vt1);
    let s2 = ls.d.fold(new2.iter().copied(), vt2);
    let exact = ls.d.rules[vt1].cost(&s1, &ls.pen, ls.d.time)
        + ls.d.rules[vt2].cost(&s2, &ls.pen, ls.d.time)
        - ls.routes[r1].cost
        - ls.routes[r2].cost;
    if exact >= 0 {
        return false;
    }
    ls.routes[r1].stops = new1;
    ls.routes[r2].stops = new2;
    ls.commit(&[r1, r2]);
    ls.count_apply(Op::SwapStar);
    true
}

/// The stops of route `r` without the stop at `remove`, with `insert.0`
/// placed after the stop that was at index `insert.1` (indices of the old route).
fn rebuild(
    ls: &LocalSearch,
    r: usize,
    remove: Option<usize>,
    insert: Option<(usize, usize)>,
) -> Vec<Stop> {
    let old = &ls.routes[r].stops;
    let mut out = Vec::with_capacity(old.len() + 1);
    for (i, s) in old.iter().enumerate() {
        if Some(i) != remove {
            out.push(*s);
        }
        if let Some((c, at)) = insert
            && at == i
        {
            out.push(Stop::client(c));
        }
    }
    out
}
