//! RELOCATE: move one client, or two consecutive clients (possibly
//! reversed), to just after another stop.

use super::{LocalSearch, Op, Piece};
use crate::model::Cost;

/// Moves the `len` (1 or 2) clients starting at stop `iu` of route `ru` to
/// just after stop `jv` of route `rv`; with `reversed`, the pair goes in
/// reverse order. Applies the move and returns true if it lowers the cost.
pub(super) fn relocate(
    ls: &mut LocalSearch,
    ru: usize,
    iu: usize,
    rv: usize,
    jv: usize,
    len: usize,
    reversed: bool,
) -> bool {
    match evaluate(ls, ru, iu, rv, jv, len, reversed) {
        Some(delta) if delta < 0 => {
            apply(ls, ru, iu, rv, jv, len, reversed);
            ls.count_apply(Op::Relocate);
            true
        }
        _ => false,
    }
}

/// The cost change of the move, or `None` if it is invalid or (unless
/// `ls.exact`) cannot improve.
pub(super) fn evaluate(
    ls: &mut LocalSearch,
    ru: usize,
    iu: usize,
    rv: usize,
    jv: usize,
    len: usize,
    reversed: bool,
) -> Option<Cost> {
    let route_u = &ls.routes[ru];
    if iu == 0 || iu + len >= route_u.len() || (0..len).any(|k| !route_u.stops[iu + k].is_client())
    {
        return None;
    }
    if jv + 1 >= ls.routes[rv].len() {
        return None;
    }
    if ru == rv && jv + 1 >= iu && jv < iu + len {
        return None; // V is U, X, or U's predecessor: nothing moves
    }
    let (vt_u, vt_v) = (ls.routes[ru].vt, ls.routes[rv].vt);
    let u = route_u.stops[iu];
    let x = route_u.stops[iu + len - 1];
    if vt_u != vt_v && !(ls.d.can_serve(vt_v, u.id as usize) && ls.d.can_serve(vt_v, x.id as usize))
    {
        return None;
    }
    ls.count_eval(Op::Relocate);
    let (a, b) = if reversed { (x, u) } else { (u, x) };
    if ls.d.simple {
        return simple_delta(ls, ru, iu, rv, jv, len, reversed);
    }
    if !ls.exact
        && ls.prunable(
            ru,
            rv,
            &[(ru, iu - 1), (ru, iu + len), (rv, jv), (rv, jv + 1)],
        )
    {
        let (du, dv) = distance_delta(ls, ru, iu, rv, jv, len, reversed);
        if pruned(ls, ru, rv, du, dv, len) {
            return None;
        }
    }
    if ru == rv && jv.abs_diff(iu) > super::MAX_INTRA_SPAN {
        return None;
    }
    Some({
        let moved = [Piece::One(a), Piece::One(b)];
        let moved = &moved[2 - len..];
        if ru != rv {
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
            let n;
            if jv < iu {
                p[0] = Piece::Pre(ru, jv);
                p[1..1 + len].copy_from_slice(moved);
                p[1 + len] = Piece::Range(ru, jv + 1, iu - 1);
                p[2 + len] = Piece::Suf(ru, iu + len);
                n = 4 + len;
            } else {
                p[0] = Piece::Pre(ru, iu - 1);
                p[1] = Piece::Range(ru, iu + len, jv);
                p[2..2 + len].copy_from_slice(moved);
                p[2 + len] = Piece::Suf(ru, jv + 1);
                n = 4 + len;
            }
            ls.delta1(ru, &p[..n])
        }
    })
}

/// Distance changes of the two routes (`dv` is 0 for a move inside one
/// route), from the locations around the moved clients.
fn distance_delta(
    ls: &LocalSearch,
    ru: usize,
    iu: usize,
    rv: usize,
    jv: usize,
    len: usize,
    reversed: bool,
) -> (Cost, Cost) {
    let (m_ru, m_rv) = (ls.mat(ru), ls.mat(rv));
    let lu = &ls.routes[ru].locs;
    let (p, n) = (lu[iu - 1], lu[iu + len]);
    let (first, last) = (lu[iu], lu[iu + len - 1]);
    let (a, b) = if reversed {
        (last, first)
    } else {
        (first, last)
    };
    let inner_old = if len == 2 { m_ru.at(first, last) } else { 0 };
    let inner_new = if len == 2 { m_rv.at(a, b) } else { 0 };
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

/// True if the distance changes `du`, `dv` (with the fixed costs of routes
/// that empty or open) cannot beat the penalties the two routes may lose:
/// the move cannot improve (a valid bound when time costs nothing).
fn pruned(ls: &LocalSearch, ru: usize, rv: usize, du: Cost, dv: Cost, len: usize) -> bool {
    let (route_u, route_v) = (&ls.routes[ru], &ls.routes[rv]);
    let (rules_u, rules_v) = (&ls.d.rules[route_u.vt], &ls.d.rules[route_v.vt]);
    if ru == rv {
        return rules_u.unit * du >= route_u.penalty + ls.fac_lift(ru, ru);
    }
    let bound = rules_u.unit * du + rules_v.unit * dv;
    let empties = route_u.n_clients == len;
    let opens = route_v.n_clients == 0;
    let fixed =
        if opens { rules_v.fixed_cost } else { 0 } - if empties { rules_u.fixed_cost } else { 0 };
    bound + fixed >= route_u.penalty + route_v.penalty + ls.fac_lift(ru, rv)
}

/// The exact cost change in simple mode (distance and load only), or `None`
/// when a distance bound already shows the move cannot improve.
fn simple_delta(
    ls: &LocalSearch,
    ru: usize,
    iu: usize,
    rv: usize,
    jv: usize,
    len: usize,
    reversed: bool,
) -> Option<Cost> {
    let (du, dv) = distance_delta(ls, ru, iu, rv, jv, len, reversed);
    if !ls.exact && pruned(ls, ru, rv, du, dv, len) {
        return None;
    }
    let (route_u, route_v) = (&ls.routes[ru], &ls.routes[rv]);
    let (rules_u, rules_v) = (&ls.d.rules[route_u.vt], &ls.d.rules[route_v.vt]);
    let pen = &ls.pen;
    if ru == rv {
        let t = route_u.cum_total();
        return Some(rules_u.simple_cost(t.dist + du, &t.load, t.stops, pen) - route_u.cost);
    }
    let mut q = ls.d.demand[route_u.stops[iu].id as usize];
    if len == 2 {
        let q2 = ls.d.demand[route_u.stops[iu + 1].id as usize];
        q = [q[0] + q2[0], q[1] + q2[1]];
    }
    let (tu, tv) = (route_u.cum_total(), route_v.cum_total());
    let k = len as i32;
    let new_u = rules_u.simple_cost(
        tu.dist + du,
        &[tu.load[0] - q[0], tu.load[1] - q[1]],
        tu.stops - k,
        pen,
    );
    let new_v = rules_v.simple_cost(
        tv.dist + dv,
        &[tv.load[0] + q[0], tv.load[1] + q[1]],
        tv.stops + k,
        pen,
    );
    Some(new_u + new_v - route_u.cost - route_v.cost)
}

pub(super) fn apply(
    ls: &mut LocalSearch,
    ru: usize,
    iu: usize,
    rv: usize,
    jv: usize,
    len: usize,
    reversed: bool,
) {
    let mut moved: Vec<_> = ls.routes[ru].stops.drain(iu..iu + len).collect();
    if reversed {
        moved.reverse();
    }
    let at = if ru == rv && jv > iu {
        jv + 1 - len
    } else {
        jv + 1
    };
    ls.routes[rv].stops.splice(at..at, moved);
    if ru == rv {
        ls.commit(&[ru]);
    } else {
        ls.commit(&[ru, rv]);
    }
}
