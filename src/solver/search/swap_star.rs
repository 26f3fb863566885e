//! SWAP*: exchange a client of one route with a client of another, each
//! going to its best position in the other route rather than to the place of
//! the other client (Vidal 2022, section 4). Only route pairs whose angular
//! sectors around the depot overlap are examined.
//!
//! For every client and route, the three cheapest insertion places (by
//! distance) are cached and recomputed only when the route changes. The best
//! candidate of a route pair is then checked exactly by re-evaluating both
//! new routes before it is applied.

use super::super::cost::{load_add, load_neg, load_sub};
use super::super::data::Stop;
use super::LocalSearch;
use crate::model::{Cost, LoadVec};

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
pub(super) fn run_pass(ls: &mut LocalSearch, first_loop: bool, slot: usize) -> bool {
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
            if !ls.routes[ru].sector.overlaps(&ls.routes[rv].sector)
                || ls.d.shares_clients[ls.routes[ru].vt] & (1 << ls.routes[rv].vt) == 0
            {
                continue;
            }
            if swap_star(ls, ru, rv, slot) {
                improved = true;
            }
        }
    }
    improved
}

fn refresh(ls: &mut LocalSearch, into: usize, u: usize) {
    let m_into = ls.mat(into);
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
            m_into.at(a, loc) + m_into.at(loc, b) - m_into.at(a, b),
            p as u32,
        );
    }
    ls.star_cache.ins[key] = best;
    ls.star_cache.stamp[key] = ls.stamp;
}

/// Removal delta (distance) of the client at stop `i` of route `r`.
fn removal(ls: &LocalSearch, r: usize, i: usize) -> Cost {
    let m_r = ls.mat(r);
    let (p, c, n) = (ls.prev_loc(r, i), ls.routes[r].locs[i], ls.next_loc(r, i));
    m_r.at(p, n) - m_r.at(p, c) - m_r.at(c, n)
}

/// Cheapest insertion of client `u` into route `r` while the client at stop
/// `iv` of `r` is removed: (distance delta, insert after stop index).
fn insert_while_removing(ls: &LocalSearch, u: usize, r: usize, iv: usize) -> (Cost, usize) {
    let m_r = ls.mat(r);
    let ins = &ls.star_cache.ins[r * ls.star_cache.n + u];
    let (p, n) = (ls.prev_loc(r, iv), ls.next_loc(r, iv));
    let loc = ls.d.loc[u];
    // In the place of the removed client.
    let mut best = (m_r.at(p, loc) + m_r.at(loc, n) - m_r.at(p, n), iv - 1);
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

/// Penalty change of route `r` when its load changes by `dq`: exact for the
/// load penalty in simple mode, zero otherwise (the best candidate is checked
/// exactly before it is applied).
#[inline]
fn load_penalty_delta(ls: &LocalSearch, r: usize, dq: &LoadVec) -> Cost {
    if !ls.d.simple {
        return 0;
    }
    let route = &ls.routes[r];
    let ev = ls.eval();
    let l = route.cum_total().load;
    ev.load_penalty(route.vt, &load_add(&l, dq)) - ev.load_penalty(route.vt, &l)
}

/// One client of a route pair: (client, stop index, removal delta in cost, demand).
pub(super) type Member = (usize, usize, Cost, LoadVec);

#[derive(Clone, Copy)]
struct Best {
    cost: Cost,
    /// (client, its stop index, insert-after index in the other route)
    u: Option<(usize, usize, usize)>,
    v: Option<(usize, usize, usize)>,
}

fn members(ls: &LocalSearch, r: usize, out: &mut Vec<Member>) {
    out.clear();
    let route = &ls.routes[r];
    let cpd = ls.eval().rules(route.vt).unit;
    for i in 1..route.len() - 1 {
        let s = route.stops[i];
        if s.is_client() {
            let c = s.id as usize;
            out.push((c, i, cpd * removal(ls, r, i), ls.d.demand[c]));
        }
    }
}

fn swap_star(ls: &mut LocalSearch, r1: usize, r2: usize, slot: usize) -> bool {
    ls.count_eval(slot);
    let mut m1 = std::mem::take(&mut ls.star_buf.0);
    let mut m2 = std::mem::take(&mut ls.star_buf.1);
    members(ls, r1, &mut m1);
    members(ls, r2, &mut m2);
    for &(u, ..) in &m1 {
        refresh(ls, r2, u);
    }
    for &(v, ..) in &m2 {
        refresh(ls, r1, v);
    }
    let best = best_move(ls, r1, r2, &m1, &m2);
    ls.star_buf = (m1, m2);
    if best.cost >= 0 {
        return false;
    }
    // Build the two new routes and check them exactly.
    let (vt1, vt2) = (ls.routes[r1].vt, ls.routes[r2].vt);
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
    let exact = ls.delta_segs(&[r1, r2], &[&s1, &s2]);
    if exact >= 0 {
        return false;
    }
    ls.routes[r1].stops = new1;
    ls.routes[r2].stops = new2;
    ls.commit(&[r1, r2]);
    for (c, ..) in best.u.into_iter().chain(best.v) {
        ls.mark_around(c);
    }
    ls.count_apply(slot);
    true
}

/// The best estimated exchange (or relocation) between routes `r1` and `r2`.
fn best_move(ls: &LocalSearch, r1: usize, r2: usize, m1: &[Member], m2: &[Member]) -> Best {
    let (vt1, vt2) = (ls.routes[r1].vt, ls.routes[r2].vt);
    let (cpd1, cpd2) = (ls.eval().rules(vt1).unit, ls.eval().rules(vt2).unit);
    let mut best = Best {
        cost: 0,
        u: None,
        v: None,
    };
    for &(u, iu, rem_u, qu) in m1 {
        if !ls.d.can_serve(vt2, u) {
            continue;
        }
        for &(v, iv, rem_v, qv) in m2 {
            if !ls.d.can_serve(vt1, v) {
                continue;
            }
            let dq = load_sub(&qv, &qu);
            let pen1 = load_penalty_delta(ls, r1, &dq);
            let pen2 = load_penalty_delta(ls, r2, &load_neg(&dq));
            // Insertions add (usually) non-negative costs: prune on the rest.
            if pen1 + pen2 + rem_u + rem_v > 0 {
                continue;
            }
            let (ins_u, at_u) = insert_while_removing(ls, u, r2, iv);
            let (ins_v, at_v) = insert_while_removing(ls, v, r1, iu);
            let total = pen1 + pen2 + rem_u + rem_v + cpd2 * ins_u + cpd1 * ins_v;
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
    for (&(u, iu, rem, q), from, to) in m1
        .iter()
        .map(|c| (c, r1, r2))
        .chain(m2.iter().map(|c| (c, r2, r1)))
    {
        if !ls.d.can_serve(ls.routes[to].vt, u) || ls.routes[from].n_clients <= 1 {
            continue;
        }
        let ins = ls.star_cache.ins[to * ls.star_cache.n + u];
        if ins.after[0] == u32::MAX {
            continue;
        }
        let cpd_to = ls.eval().rules(ls.routes[to].vt).unit;
        let c = rem
            + load_penalty_delta(ls, from, &load_neg(&q))
            + cpd_to * ins.cost[0]
            + load_penalty_delta(ls, to, &q);
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
    best
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
