//! The pattern move of problems with pattern groups (the week,
//! [`crate::model::Problem::groups`]): the visits of a group's active
//! pattern leave their routes, and the visits of another pattern are
//! inserted one by one at their best places (`optional::best_insertion`) in
//! the routes of their days. The move is priced exactly across every day it
//! touches by applying it and summing the changes of the routes it touched,
//! of the facility excess and of the unserved prices; a move that does not
//! improve is undone (the routes it touched are restored from copies kept
//! in reused buffers: no allocation once they have grown).
//!
//! Clients of the patterns not active are *absent*: no operator inserts
//! them ([`LocalSearch::absent`]) and they are priced as nothing.

use super::super::data::Stop;
use super::operator::PATTERN_SLOT;
use super::{LocalSearch, UNROUTED, optional};
use crate::model::Cost;

/// Reused buffers of the move.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    /// Routes touched by the move and their cost before it.
    saved: Vec<(usize, Cost)>,
    /// Their stops before the move, by entry of `saved`.
    stops: Vec<Vec<Stop>>,
    /// Routes to recompute.
    changed: Vec<usize>,
    /// Number of routes before the move (the search may add empty routes).
    n_before: usize,
}

/// Keeps a copy of route `r` before the move touches it (once).
fn save(ls: &mut LocalSearch, r: usize) {
    let sc = &mut ls.pat;
    if r >= sc.n_before || sc.saved.iter().any(|&(x, _)| x == r) {
        return;
    }
    let i = sc.saved.len();
    sc.saved.push((r, ls.routes[r].cost));
    if sc.stops.len() <= i {
        sc.stops.push(Vec::new());
    }
    sc.stops[i].clone_from(&ls.routes[r].stops);
}

/// Takes the clients of group `g`'s active pattern out of their routes,
/// saving the routes first; returns minus the unserved price of those that
/// were in no route.
fn remove_active(ls: &mut LocalSearch, g: usize) -> Cost {
    let range = ls.d.patterns(g)[ls.active[g] as usize].clone();
    let mut delta = 0;
    let mut changed = std::mem::take(&mut ls.pat.changed);
    changed.clear();
    for c in range.clone() {
        let (r, _) = ls.pos[c];
        if r == UNROUTED {
            delta -= ls.eval().unserved(c);
        } else {
            save(ls, r as usize);
            if !changed.contains(&(r as usize)) {
                changed.push(r as usize);
            }
        }
    }
    for &r in &changed {
        ls.routes[r]
            .stops
            .retain(|s| !s.is_client() || !range.contains(&(s.id as usize)));
    }
    for c in range {
        ls.pos[c] = (UNROUTED, 0);
    }
    ls.commit(&changed);
    ls.pat.changed = changed;
    delta
}

/// Switches group `g` to pattern `k` (not its active one) and inserts the
/// new visits at their best places; returns the exact change of the
/// search's cost ([`LocalSearch::cost`]).
pub(crate) fn apply(ls: &mut LocalSearch, g: usize, k: usize) -> Cost {
    ls.pat.saved.clear();
    ls.pat.n_before = ls.routes.len();
    let fac_before = ls.fac_cost;
    let mut delta = remove_active(ls, g);
    ls.active[g] = k as u32;
    for c in ls.d.patterns(g)[k].clone() {
        let unserved = ls.eval().unserved(c);
        match optional::best_insertion(ls, c) {
            Some((cost, r, after)) if cost < unserved => {
                save(ls, r);
                optional::insert(ls, c, r, after);
            }
            _ => delta += unserved,
        }
    }
    for &(r, before) in &ls.pat.saved {
        delta += ls.routes[r].cost - before;
    }
    for r in &ls.routes[ls.pat.n_before..] {
        delta += r.cost;
    }
    delta + ls.fac_cost - fac_before
}

/// Undoes the last [`apply`] on group `g`, back to pattern `old`.
pub(crate) fn undo(ls: &mut LocalSearch, g: usize, old: usize) {
    for c in ls.d.patterns(g)[ls.active[g] as usize].clone() {
        ls.pos[c] = (UNROUTED, 0);
    }
    let mut changed = std::mem::take(&mut ls.pat.changed);
    changed.clear();
    for i in 0..ls.pat.saved.len() {
        let r = ls.pat.saved[i].0;
        std::mem::swap(&mut ls.routes[r].stops, &mut ls.pat.stops[i]);
        changed.push(r);
    }
    for r in ls.pat.n_before..ls.routes.len() {
        ls.routes[r].stops.retain(|s| !s.is_client());
        changed.push(r);
    }
    ls.active[g] = old as u32;
    ls.commit(&changed);
    ls.pat.changed = changed;
}

/// Whether a restricted search should try group `g`: some client of its
/// active pattern is promising.
fn promising(ls: &LocalSearch, g: usize) -> bool {
    ls.d.patterns(g)[ls.active[g] as usize]
        .clone()
        .any(|c| ls.promising[c])
}

/// For each group (the promising ones in a restricted search), tries the
/// other patterns in order and keeps the first that improves; true if one
/// did.
pub(super) fn run_pass(ls: &mut LocalSearch) -> bool {
    let mut improved = false;
    for g in 0..ls.d.problem.groups().len() {
        if ls.halt.reached() {
            break;
        }
        if ls.restrict && !promising(ls, g) {
            continue;
        }
        let old = ls.active[g] as usize;
        for k in 0..ls.d.patterns(g).len() {
            if k == old {
                continue;
            }
            ls.count_eval(PATTERN_SLOT);
            if apply(ls, g, k) < 0 {
                ls.count_apply(PATTERN_SLOT);
                for c in ls.d.patterns(g)[k].clone() {
                    ls.mark_around(c);
                }
                improved = true;
                break;
            }
            undo(ls, g, old);
        }
    }
    improved
}

/// Switches `m` random groups to another random pattern, leaving the new
/// visits unrouted and promising (the perturbation of an iterated local
/// search step; the restricted search then inserts them).
pub(crate) fn perturb(ls: &mut LocalSearch, rng: &mut super::super::rng::Rng, m: usize) {
    let n_groups = ls.d.problem.groups().len();
    for _ in 0..m {
        let g = rng.index(n_groups);
        let n = ls.d.patterns(g).len();
        if n < 2 {
            continue;
        }
        let old = ls.active[g] as usize;
        for c in ls.d.patterns(g)[old].clone() {
            if ls.pos[c].0 != UNROUTED {
                ls.mark_around(c);
            }
        }
        ls.pat.saved.clear();
        ls.pat.n_before = ls.routes.len();
        remove_active(ls, g);
        let k = (old + 1 + rng.index(n - 1)) % n;
        ls.active[g] = k as u32;
        for c in ls.d.patterns(g)[k].clone() {
            ls.promising[c] = true;
        }
    }
}
