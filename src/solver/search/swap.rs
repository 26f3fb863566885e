//! SWAP: exchange `lu` consecutive clients of one place with `lv`
//! consecutive clients of another (1-1, 2-1 and 2-2).

use super::{LocalSearch, Op, Piece};
use crate::model::Cost;

/// Exchanges stops `iu..iu+lu` of route `ru` with stops `jv..jv+lv` of
/// route `rv`. Applies the move and returns true if it lowers the cost.
pub(super) fn swap(
    ls: &mut LocalSearch,
    ru: usize,
    iu: usize,
    rv: usize,
    jv: usize,
    lu: usize,
    lv: usize,
) -> bool {
    match evaluate(ls, ru, iu, rv, jv, lu, lv) {
        Some(d) if d < 0 => {
            apply(ls, ru, iu, rv, jv, lu, lv);
            ls.count_apply(Op::Swap);
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
    lu: usize,
    lv: usize,
) -> Option<Cost> {
    let (route_u, route_v) = (&ls.routes[ru], &ls.routes[rv]);
    if iu + lu >= route_u.len() || jv + lv >= route_v.len() || jv == 0 || iu == 0 {
        return None;
    }
    if (0..lu).any(|k| !route_u.stops[iu + k].is_client())
        || (0..lv).any(|k| !route_v.stops[jv + k].is_client())
    {
        return None;
    }
    if ru == rv {
        // The two runs must be disjoint and not adjacent.
        let (a, la, b) = if iu < jv { (iu, lu, jv) } else { (jv, lv, iu) };
        if a + la >= b {
            return None;
        }
    }
    let (vt_u, vt_v) = (route_u.vt, route_v.vt);
    if vt_u != vt_v {
        let p = ls.d.problem;
        if (0..lu).any(|k| !p.can_serve(vt_v, route_u.stops[iu + k].id as usize))
            || (0..lv).any(|k| !p.can_serve(vt_u, route_v.stops[jv + k].id as usize))
        {
            return None;
        }
    }
    ls.count_eval(Op::Swap);
    if ru == rv {
        intra_delta(ls, ru, iu, jv, lu, lv)
    } else {
        inter_delta(ls, ru, iu, rv, jv, lu, lv)
    }
}

fn pieces_of(ls: &LocalSearch, r: usize, i: usize, l: usize) -> [Piece; 2] {
    let s = &ls.routes[r].stops;
    [
        Piece::One(s[i]),
        if l == 2 {
            Piece::One(s[i + 1])
        } else {
            Piece::End
        },
    ]
}

fn inter_delta(
    ls: &LocalSearch,
    ru: usize,
    iu: usize,
    rv: usize,
    jv: usize,
    lu: usize,
    lv: usize,
) -> Option<Cost> {
    let (route_u, route_v) = (&ls.routes[ru], &ls.routes[rv]);
    if ls.d.simple {
        let (lo_u, lo_v) = (&route_u.locs, &route_v.locs);
        let (pu, nu, fu, eu) = (lo_u[iu - 1], lo_u[iu + lu], lo_u[iu], lo_u[iu + lu - 1]);
        let (pv, nv, fv, ev) = (lo_v[jv - 1], lo_v[jv + lv], lo_v[jv], lo_v[jv + lv - 1]);
        let inner = |r: usize, a: u32, b: u32, l: usize| if l == 2 { ls.dist(r, a, b) } else { 0 };
        let du = ls.dist(ru, pu, fv) + inner(ru, fv, ev, lv) + ls.dist(ru, ev, nu)
            - ls.dist(ru, pu, fu)
            - inner(ru, fu, eu, lu)
            - ls.dist(ru, eu, nu);
        let dv = ls.dist(rv, pv, fu) + inner(rv, fu, eu, lu) + ls.dist(rv, eu, nv)
            - ls.dist(rv, pv, fv)
            - inner(rv, fv, ev, lv)
            - ls.dist(rv, ev, nv);
        let rules = &ls.d.rules;
        let bound =
            rules[route_u.vt].cost_per_distance * du + rules[route_v.vt].cost_per_distance * dv;
        if !ls.exact && bound >= route_u.penalty + route_v.penalty {
            return None;
        }
    }
    let pv = pieces_of(ls, rv, jv, lv);
    let pu = pieces_of(ls, ru, iu, lu);
    let mut a = [Piece::End; 5];
    a[0] = Piece::Pre(ru, iu - 1);
    a[1..1 + lv].copy_from_slice(&pv[..lv]);
    a[1 + lv] = Piece::Suf(ru, iu + lu);
    let new_u = ls.eval(route_u.vt, &a[..3 + lv]);
    let mut b = [Piece::End; 5];
    b[0] = Piece::Pre(rv, jv - 1);
    b[1..1 + lu].copy_from_slice(&pu[..lu]);
    b[1 + lu] = Piece::Suf(rv, jv + lv);
    let new_v = ls.eval(route_v.vt, &b[..3 + lu]);
    Some(new_u + new_v - route_u.cost - route_v.cost)
}

fn intra_delta(
    ls: &LocalSearch,
    r: usize,
    iu: usize,
    jv: usize,
    lu: usize,
    lv: usize,
) -> Option<Cost> {
    let route = &ls.routes[r];
    let (a, la, b, lb) = if iu < jv {
        (iu, lu, jv, lv)
    } else {
        (jv, lv, iu, lu)
    };
    if ls.d.simple {
        let lo = &route.locs;
        let (pa, fa, ea, na) = (lo[a - 1], lo[a], lo[a + la - 1], lo[a + la]);
        let (pb, fb, eb, nb) = (lo[b - 1], lo[b], lo[b + lb - 1], lo[b + lb]);
        let dd = ls.dist(r, pa, fb) + ls.dist(r, eb, na) + ls.dist(r, pb, fa) + ls.dist(r, ea, nb)
            - ls.dist(r, pa, fa)
            - ls.dist(r, ea, na)
            - ls.dist(r, pb, fb)
            - ls.dist(r, eb, nb);
        let rules = &ls.d.rules[route.vt];
        if !ls.exact && rules.cost_per_distance * dd >= route.penalty {
            return None;
        }
        let mut s = *route.total();
        s.dist += dd;
        return Some(rules.cost(&s, &ls.pen, false) - route.cost);
    }
    let pa = pieces_of(ls, r, a, la);
    let pb = pieces_of(ls, r, b, lb);
    let mut p = [Piece::End; 8];
    let mut n = 0;
    p[n] = Piece::Pre(r, a - 1);
    n += 1;
    p[n..n + lb].copy_from_slice(&pb[..lb]);
    n += lb;
    p[n] = Piece::Range(r, a + la, b - 1);
    n += 1;
    p[n..n + la].copy_from_slice(&pa[..la]);
    n += la;
    p[n] = Piece::Suf(r, b + lb);
    n += 1;
    p[n] = Piece::End;
    n += 1;
    Some(ls.eval(route.vt, &p[..n]) - route.cost)
}

pub(super) fn apply(
    ls: &mut LocalSearch,
    ru: usize,
    iu: usize,
    rv: usize,
    jv: usize,
    lu: usize,
    lv: usize,
) {
    let su: Vec<_> = ls.routes[ru].stops[iu..iu + lu].to_vec();
    let sv: Vec<_> = ls.routes[rv].stops[jv..jv + lv].to_vec();
    if ru == rv && iu > jv {
        ls.routes[ru].stops.splice(iu..iu + lu, sv);
        ls.routes[rv].stops.splice(jv..jv + lv, su);
    } else {
        ls.routes[rv].stops.splice(jv..jv + lv, su);
        ls.routes[ru].stops.splice(iu..iu + lu, sv);
    }
    if ru == rv {
        ls.commit(&[ru]);
    } else {
        ls.commit(&[ru, rv]);
    }
}
