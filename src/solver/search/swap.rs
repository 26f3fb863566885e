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
    if vt_u != vt_v
        && ((0..lu).any(|k| !ls.d.can_serve(vt_v, route_u.stops[iu + k].id as usize))
            || (0..lv).any(|k| !ls.d.can_serve(vt_u, route_v.stops[jv + k].id as usize)))
    {
        return None;
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
    let m_ru = ls.mat(ru);
    let m_rv = ls.mat(rv);
    let (route_u, route_v) = (&ls.routes[ru], &ls.routes[rv]);
    let boundable = ls.d.simple
        || (!ls.exact
            && ls.prunable(
                ru,
                rv,
                &[(ru, iu - 1), (ru, iu + lu), (rv, jv - 1), (rv, jv + lv)],
            ));
    if boundable {
        let (lo_u, lo_v) = (&route_u.locs, &route_v.locs);
        let (pu, nu, fu, eu) = (lo_u[iu - 1], lo_u[iu + lu], lo_u[iu], lo_u[iu + lu - 1]);
        let (pv, nv, fv, ev) = (lo_v[jv - 1], lo_v[jv + lv], lo_v[jv], lo_v[jv + lv - 1]);
        let inner = |m: crate::solver::data::Bound, a: u32, b: u32, l: usize| {
            if l == 2 { m.at(a, b) } else { 0 }
        };
        let du = m_ru.at(pu, fv) + inner(m_ru, fv, ev, lv) + m_ru.at(ev, nu)
            - m_ru.at(pu, fu)
            - inner(m_ru, fu, eu, lu)
            - m_ru.at(eu, nu);
        let dv = m_rv.at(pv, fu) + inner(m_rv, fu, eu, lu) + m_rv.at(eu, nv)
            - m_rv.at(pv, fv)
            - inner(m_rv, fv, ev, lv)
            - m_rv.at(ev, nv);
        let (rules_u, rules_v) = (&ls.d.rules[route_u.vt], &ls.d.rules[route_v.vt]);
        let bound = rules_u.unit * du + rules_v.unit * dv;
        if !ls.exact && bound >= route_u.penalty + route_v.penalty + ls.fac_lift(ru, rv) {
            return None;
        }
        if !ls.d.simple {
            return Some(exact_inter(ls, ru, iu, rv, jv, lu, lv));
        }
        let load = |r: usize, i: usize, l: usize| {
            let s = &ls.routes[r].stops;
            let mut q = ls.d.demand[s[i].id as usize];
            if l == 2 {
                let q2 = ls.d.demand[s[i + 1].id as usize];
                q = [q[0] + q2[0], q[1] + q2[1]];
            }
            q
        };
        let (qu, qv) = (load(ru, iu, lu), load(rv, jv, lv));
        let (tu, tv) = (route_u.cum_total(), route_v.cum_total());
        let k = lv as i32 - lu as i32;
        let new_u = rules_u.simple_cost(
            tu.dist + du,
            &[tu.load[0] - qu[0] + qv[0], tu.load[1] - qu[1] + qv[1]],
            tu.stops + k,
            &ls.pen,
        );
        let new_v = rules_v.simple_cost(
            tv.dist + dv,
            &[tv.load[0] - qv[0] + qu[0], tv.load[1] - qv[1] + qu[1]],
            tv.stops - k,
            &ls.pen,
        );
        return Some(new_u + new_v - route_u.cost - route_v.cost);
    }
    Some(exact_inter(ls, ru, iu, rv, jv, lu, lv))
}

/// The exact change of an exchange between two routes, by segment merges.
fn exact_inter(
    ls: &LocalSearch,
    ru: usize,
    iu: usize,
    rv: usize,
    jv: usize,
    lu: usize,
    lv: usize,
) -> Cost {
    let pv = pieces_of(ls, rv, jv, lv);
    let pu = pieces_of(ls, ru, iu, lu);
    let mut a = [Piece::End; 5];
    a[0] = Piece::Pre(ru, iu - 1);
    a[1..1 + lv].copy_from_slice(&pv[..lv]);
    a[1 + lv] = Piece::Suf(ru, iu + lu);
    let mut b = [Piece::End; 5];
    b[0] = Piece::Pre(rv, jv - 1);
    b[1..1 + lu].copy_from_slice(&pu[..lu]);
    b[1 + lu] = Piece::Suf(rv, jv + lv);
    ls.delta2(ru, &a[..3 + lv], rv, &b[..3 + lu])
}

fn intra_delta(
    ls: &LocalSearch,
    r: usize,
    iu: usize,
    jv: usize,
    lu: usize,
    lv: usize,
) -> Option<Cost> {
    let m_r = ls.mat(r);
    let route = &ls.routes[r];
    let (a, la, b, lb) = if iu < jv {
        (iu, lu, jv, lv)
    } else {
        (jv, lv, iu, lu)
    };
    let boundable = ls.d.simple
        || (!ls.exact && ls.prunable(r, r, &[(r, a - 1), (r, a + la), (r, b - 1), (r, b + lb)]));
    if boundable {
        let lo = &route.locs;
        let (pa, fa, ea, na) = (lo[a - 1], lo[a], lo[a + la - 1], lo[a + la]);
        let (pb, fb, eb, nb) = (lo[b - 1], lo[b], lo[b + lb - 1], lo[b + lb]);
        let dd = m_r.at(pa, fb) + m_r.at(eb, na) + m_r.at(pb, fa) + m_r.at(ea, nb)
            - m_r.at(pa, fa)
            - m_r.at(ea, na)
            - m_r.at(pb, fb)
            - m_r.at(eb, nb);
        let rules = &ls.d.rules[route.vt];
        if !ls.exact && rules.unit * dd >= route.penalty + ls.fac_lift(r, r) {
            return None;
        }
        if ls.d.simple {
            let t = route.cum_total();
            return Some(rules.simple_cost(t.dist + dd, &t.load, t.stops, &ls.pen) - route.cost);
        }
    }
    if b - a > super::MAX_INTRA_SPAN {
        return None;
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
    Some(ls.delta1(r, &p[..n]))
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
