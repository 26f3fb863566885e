//! Route-level operators for the structural stops of a route: where to
//! unload and at which facility, whether to add or drop an unload, and where
//! to take the break. Each re-places one stop optimally in O(route length x
//! facilities) by merging prefix and suffix segments of the route without it.
//! Costs include the change of the excess over the facilities' daily
//! capacities, so unloads move to facilities with room.

use super::super::data::{Kind, Stop};
use super::super::segment::Seg;
use super::LocalSearch;
use crate::model::Cost;

/// Examines every route changed since the last pass.
pub(super) fn run_pass(ls: &mut LocalSearch, first_loop: bool, slot: usize) -> bool {
    let mut improved = false;
    for r in 0..ls.routes.len() {
        let last = ls.tested_route_ops[r];
        if !first_loop && ls.routes[r].modified <= last {
            continue;
        }
        ls.tested_route_ops[r] = ls.stamp;
        if ls.routes[r].n_clients == 0 {
            continue;
        }
        // Repeat while something improves on this route (bounded).
        for _ in 0..8 {
            ls.count_eval(slot);
            if improve_route(ls, r) {
                ls.count_apply(slot);
                improved = true;
            } else {
                break;
            }
        }
    }
    improved
}

/// Facilities a vehicle type may unload at.
fn facilities_for(ls: &LocalSearch, vt: usize) -> Vec<Stop> {
    ls.d.unload_sites[vt]
        .iter()
        .map(|&f| Stop::unload(f))
        .collect()
}

/// Applies the best re-placement of one structural stop, if it lowers the
/// cost; candidates are priced as the route's new cost plus the change of
/// the facility excess (see [`LocalSearch::fac_delta`]).
fn improve_route(ls: &mut LocalSearch, r: usize) -> bool {
    let vt = ls.routes[r].vt;
    let t = &ls.d.problem.vehicle_types()[vt];
    let current = ls.routes[r].cost;
    let mut best: Option<(Cost, Vec<Stop>)> = None;
    let offer = |cost: Cost, stops: Vec<Stop>, best: &mut Option<(Cost, Vec<Stop>)>| {
        if cost < current && best.as_ref().is_none_or(|b| cost < b.0) {
            *best = Some((cost, stops));
        }
    };
    let stops = ls.routes[r].stops.clone();
    let unloads: Vec<usize> = (0..stops.len())
        .filter(|&i| stops[i].kind == Kind::Unload)
        .collect();
    let final_unload = if t.unload_at_end {
        unloads.last().copied()
    } else {
        None
    };
    let facilities = if t.max_reloads > 0 || t.unload_at_end {
        facilities_for(ls, vt)
    } else {
        Vec::new()
    };

    // Move the break.
    if let Some(b) = ls.routes[r].brk {
        let (c, s) = best_reinsert(
            ls,
            r,
            &stops,
            Some(b),
            &[Stop {
                kind: Kind::Break,
                id: 0,
            }],
        );
        offer(c, s, &mut best);
    }
    // Drop an intermediate unload.
    for &i in &unloads {
        if Some(i) == final_unload {
            continue;
        }
        let mut s = stops.clone();
        s.remove(i);
        let c = cost_of(ls, r, &s);
        offer(c, s, &mut best);
    }
    // Re-place each unload, at any facility.
    for &i in &unloads {
        let (c, s) = best_reinsert(ls, r, &stops, Some(i), &facilities);
        offer(c, s, &mut best);
    }
    // Add an unload when a trip overflows and the type allows more.
    let n_reloads = unloads.len() - usize::from(final_unload.is_some());
    let total = *ls.routes[r].total();
    let overflows = ls.eval().excess(vt, &total).load.iter().any(|&x| x > 0);
    if overflows && n_reloads < t.max_reloads && !facilities.is_empty() {
        let (c, s) = best_reinsert(ls, r, &stops, None, &facilities);
        offer(c, s, &mut best);
    }
    match best {
        Some((_, s)) => {
            ls.routes[r].stops = s;
            ls.commit(&[r]);
            ls.mark_route(r);
            true
        }
        None => false,
    }
}

/// The cost of `stops` as route `r`, plus the change of the facility excess.
fn cost_of(ls: &LocalSearch, r: usize, stops: &[Stop]) -> Cost {
    let vt = ls.routes[r].vt;
    let s = ls.d.fold(stops.iter().copied(), vt);
    ls.eval().route(vt, &s) + ls.fac_delta(&[r], &[&s])
}

/// Removes stop `skip` (if any) from route `r` and inserts the best of
/// `cands` at the best place between the depots. Returns the cost (as
/// [`cost_of`]) and the new stops.
fn best_reinsert(
    ls: &LocalSearch,
    r: usize,
    stops: &[Stop],
    skip: Option<usize>,
    cands: &[Stop],
) -> (Cost, Vec<Stop>) {
    let base: Vec<Stop> = stops
        .iter()
        .enumerate()
        .filter(|&(i, _)| Some(i) != skip)
        .map(|(_, s)| *s)
        .collect();
    let d = ls.d;
    let vt = ls.routes[r].vt;
    let ctx = d.ctx(vt);
    let n = base.len();
    let mut pre = Vec::with_capacity(n);
    let mut acc = Seg::EMPTY;
    for s in &base {
        ctx.append(&mut acc, d.single(*s, vt));
        pre.push(acc);
    }
    // suf[i] = stops i..n-1 including the end depot.
    let mut suf = vec![Seg::EMPTY; n + 1];
    let mut acc = Seg::EMPTY;
    for i in (0..n).rev() {
        acc = ctx.merge(d.single(base[i], vt), &acc);
        suf[i] = acc;
    }
    let ev = ls.eval();
    let mut best = (Cost::MAX, 0, cands.first().copied());
    for k in 0..n - 1 {
        for &c in cands {
            let mut s = pre[k];
            ctx.append(&mut s, d.single(c, vt));
            ctx.append(&mut s, &suf[k + 1]);
            let cost = ev.route(vt, &s) + ls.fac_delta(&[r], &[&s]);
            if cost < best.0 {
                best = (cost, k, Some(c));
            }
        }
    }
    let mut out = base;
    if let Some(c) = best.2 {
        out.insert(best.1 + 1, c);
    }
    (best.0, out)
}
