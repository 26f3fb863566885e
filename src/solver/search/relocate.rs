//! RELOCATE: move one client, or two consecutive clients (possibly
//! reversed), to just after another stop.

use super::super::cost::{load_neg, run_load};
use super::operator::{At, Eval, NodeOperator};
use super::{LocalSearch, Piece};
use crate::model::Cost;

/// Moves the `LEN` (1 or 2) clients starting at U to just after V; with
/// `REVERSED`, the pair goes in reverse order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Relocate<const LEN: usize, const REVERSED: bool>;

impl<const LEN: usize, const REVERSED: bool> NodeOperator for Relocate<LEN, REVERSED> {
    fn name(&self) -> &'static str {
        match (LEN, REVERSED) {
            (1, _) => "relocate",
            (_, false) => "relocate-2",
            _ => "relocate-2-reversed",
        }
    }

    #[inline]
    fn evaluate(&self, ls: &LocalSearch, at: At) -> Eval {
        let At { ru, iu, rv, jv } = at;
        let len = LEN;
        let route_u = &ls.routes[ru];
        if iu == 0
            || iu + len >= route_u.len()
            || (0..len).any(|k| !route_u.stops[iu + k].is_client())
        {
            return Eval::Invalid;
        }
        if jv + 1 >= ls.routes[rv].len() {
            return Eval::Invalid;
        }
        if ru == rv && jv + 1 >= iu && jv < iu + len {
            return Eval::Invalid; // V is U, X, or U's predecessor: nothing moves
        }
        let vt_v = ls.routes[rv].vt;
        let u = route_u.stops[iu];
        let x = route_u.stops[iu + len - 1];
        if route_u.vt != vt_v
            && !(ls.d.can_serve(vt_v, u.id as usize) && ls.d.can_serve(vt_v, x.id as usize))
        {
            return Eval::Invalid;
        }
        let (a, b) = if REVERSED { (x, u) } else { (u, x) };
        if ls.d.simple {
            return simple_delta::<LEN, REVERSED>(ls, at).into();
        }
        if !ls.exact
            && ls.prunable(&[(ru, iu - 1), (ru, iu + len), (rv, jv), (rv, jv + 1)])
            && pruned::<LEN, REVERSED>(ls, at)
        {
            return Eval::Pruned;
        }
        if ru == rv && jv.abs_diff(iu) > super::MAX_INTRA_SPAN {
            return Eval::Pruned;
        }
        let moved = [Piece::One(a), Piece::One(b)];
        let moved = &moved[2 - len..];
        Eval::Delta(if ru != rv {
            let mut p = [Piece::End; 5];
            p[0] = Piece::Pre(rv, jv);
            p[1..1 + len].copy_from_slice(moved);
            p[1 + len] = Piece::Suf(rv, jv + 1);
            ls.delta2(
                ru,
                &[Piece::Pre(ru, iu - 1), Piece::Suf(ru, iu + len), Piece::End],
                rv,
                &p[..3 + len],
            )
        } else {
            let mut p = [Piece::End; 6];
            if jv < iu {
                p[0] = Piece::Pre(ru, jv);
                p[1..1 + len].copy_from_slice(moved);
                p[1 + len] = Piece::Range(ru, jv + 1, iu - 1);
                p[2 + len] = Piece::Suf(ru, iu + len);
            } else {
                p[0] = Piece::Pre(ru, iu - 1);
                p[1] = Piece::Range(ru, iu + len, jv);
                p[2..2 + len].copy_from_slice(moved);
                p[2 + len] = Piece::Suf(ru, jv + 1);
            }
            ls.delta1(ru, &p[..4 + len])
        })
    }

    fn apply(&self, ls: &mut LocalSearch, at: At) {
        let At { ru, iu, rv, jv } = at;
        let mut moved: Vec<_> = ls.routes[ru].stops.drain(iu..iu + LEN).collect();
        if REVERSED {
            moved.reverse();
        }
        let to = if ru == rv && jv > iu {
            jv + 1 - LEN
        } else {
            jv + 1
        };
        ls.routes[rv].stops.splice(to..to, moved);
        ls.commit_pair(ru, rv);
    }
}

/// Bound changes of the two routes (`dv` is 0 for a move inside one
/// route), from the locations around the moved clients.
fn distance_delta<const LEN: usize, const REVERSED: bool>(
    ls: &LocalSearch,
    at: At,
) -> (Cost, Cost) {
    let At { ru, iu, rv, jv } = at;
    let (m_ru, m_rv) = (ls.mat(ru), ls.mat(rv));
    let lu = &ls.routes[ru].locs;
    let (p, n) = (lu[iu - 1], lu[iu + LEN]);
    let (first, last) = (lu[iu], lu[iu + LEN - 1]);
    let (a, b) = if REVERSED {
        (last, first)
    } else {
        (first, last)
    };
    let inner_old = if LEN == 2 { m_ru.at(first, last) } else { 0 };
    let inner_new = if LEN == 2 { m_rv.at(a, b) } else { 0 };
    let du = m_ru.at(p, n) - m_ru.at(p, first) - inner_old - m_ru.at(last, n);
    if ru == rv {
        // V's successor once U (and X) are gone.
        let (v, nv) = (lu[jv], if jv + 1 == iu { n } else { lu[jv + 1] });
        let dd = du + m_ru.at(v, a) + inner_new + m_ru.at(b, nv) - m_ru.at(v, nv);
        return (dd, 0);
    }
    let lv = &ls.routes[rv].locs;
    let (v, nv) = (lv[jv], lv[jv + 1]);
    (
        du,
        m_rv.at(v, a) + inner_new + m_rv.at(b, nv) - m_rv.at(v, nv),
    )
}

/// The fixed-cost change of a relocation between two routes: U's route
/// may empty, V's may open.
fn fixed_change<const LEN: usize>(ls: &LocalSearch, ru: usize, rv: usize) -> Cost {
    if ru == rv {
        return 0;
    }
    let (route_u, route_v) = (&ls.routes[ru], &ls.routes[rv]);
    let ev = ls.eval();
    let opens = route_v.n_clients == 0;
    let empties = route_u.n_clients == LEN;
    let opened = if opens {
        ev.rules(route_v.vt).fixed_cost
    } else {
        0
    };
    opened
        - if empties {
            ev.rules(route_u.vt).fixed_cost
        } else {
            0
        }
}

/// True if the bound changes (with the fixed costs of routes that empty or
/// open) show that the move cannot improve (see `LocalSearch::bound_prunes`).
fn pruned<const LEN: usize, const REVERSED: bool>(ls: &LocalSearch, at: At) -> bool {
    let (du, dv) = distance_delta::<LEN, REVERSED>(ls, at);
    ls.bound_prunes(at.ru, du, at.rv, dv, fixed_change::<LEN>(ls, at.ru, at.rv))
}

/// The exact cost change in simple mode (distance and load only), or `None`
/// when a distance bound already shows the move cannot improve.
fn simple_delta<const LEN: usize, const REVERSED: bool>(ls: &LocalSearch, at: At) -> Option<Cost> {
    let At { ru, iu, rv, .. } = at;
    let (du, dv) = distance_delta::<LEN, REVERSED>(ls, at);
    if ls.bound_prunes(ru, du, rv, dv, fixed_change::<LEN>(ls, ru, rv)) {
        return None;
    }
    let (route_u, route_v) = (&ls.routes[ru], &ls.routes[rv]);
    let ev = ls.eval();
    if ru == rv {
        return Some(ev.simple_change(route_u, du, &Default::default(), 0));
    }
    let q = run_load(ls.d, &route_u.stops[iu..iu + LEN]);
    let k = LEN as i32;
    Some(ev.simple_change(route_u, du, &load_neg(&q), -k) + ev.simple_change(route_v, dv, &q, k))
}
