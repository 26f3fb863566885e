//! Serving or dropping optional clients, and inserting clients that are not
//! yet in any route.

use super::super::data::Stop;
use super::operator::CLIENT_SLOT;
use super::{LocalSearch, Piece, UNROUTED};
use crate::model::Cost;

/// Best place to insert client `u` next to its neighbours or into an empty
/// route: (cost delta, route, insert-after index).
pub(crate) fn best_insertion(ls: &LocalSearch, u: usize) -> Option<(Cost, usize, usize)> {
    let p = ls.d.problem;
    let mut best: Option<(Cost, usize, usize)> = None;
    let consider =
        |ls: &LocalSearch, r: usize, after: usize, best: &mut Option<(Cost, usize, usize)>| {
            let route = &ls.routes[r];
            if after + 1 >= route.len() || !ls.d.can_serve(route.vt, u) {
                return;
            }
            let c = if ls.d.simple {
                // Distance and load only: from the route's totals.
                let m = ls.d.dist_of[route.vt];
                let (a, b, x) = (route.locs[after], route.locs[after + 1], ls.d.loc[u]);
                ls.eval().simple_change(
                    route,
                    m.at(a, x) + m.at(x, b) - m.at(a, b),
                    &ls.d.demand[u],
                    1,
                )
            } else {
                ls.delta1(
                    r,
                    &[
                        Piece::Pre(r, after),
                        Piece::One(Stop::client(u)),
                        Piece::Suf(r, after + 1),
                        Piece::End,
                    ],
                )
            };
            if best.is_none_or(|b| c < b.0) {
                *best = Some((c, r, after));
            }
        };
    for &v in &ls.neighbours[u] {
        let (rv, iv) = ls.pos[v as usize];
        if rv == UNROUTED {
            continue;
        }
        consider(ls, rv as usize, iv as usize - 1, &mut best);
        consider(ls, rv as usize, iv as usize, &mut best);
    }
    for vt in 0..p.vehicle_types().len() {
        if let Some(r) = ls
            .routes
            .iter()
            .position(|r| r.vt == vt && r.n_clients == 0)
        {
            // Before the structural stops (break, final unload) of the empty route.
            consider(ls, r, 0, &mut best);
        }
    }
    best
}

/// Inserts client `u` after stop `after` of route `r`.
pub(crate) fn insert(ls: &mut LocalSearch, u: usize, r: usize, after: usize) {
    ls.routes[r].stops.insert(after + 1, Stop::client(u));
    ls.commit(&[r]);
}

/// Tries to serve an unserved client or to drop an optional one.
pub(super) fn try_moves(ls: &mut LocalSearch, u: usize) -> bool {
    let (ru, iu) = ls.pos[u];
    if ru == UNROUTED && ls.absent(u) {
        return false;
    }
    ls.count_eval(CLIENT_SLOT);
    if ru == UNROUTED {
        if let Some((c, r, after)) = best_insertion(ls, u)
            && c < ls.eval().unserved(u)
        {
            insert(ls, u, r, after);
            ls.count_apply(CLIENT_SLOT);
            return true;
        }
        return false;
    }
    if ls.d.problem.clients()[u].required {
        return false;
    }
    let (ru, iu) = (ru as usize, iu as usize);
    let without = ls.delta1(
        ru,
        &[Piece::Pre(ru, iu - 1), Piece::Suf(ru, iu + 1), Piece::End],
    );
    if without + ls.eval().unserved(u) < 0 {
        ls.routes[ru].stops.remove(iu);
        ls.pos[u] = (UNROUTED, 0);
        ls.commit(&[ru]);
        ls.count_apply(CLIENT_SLOT);
        return true;
    }
    false
}
