//! SWAP: exchange `LU` consecutive clients of one place with `LV`
//! consecutive clients of another (1-1, 2-1 and 2-2).

use super::super::cost::{load_sub, run_load};
use super::operator::{At, Eval, NodeOperator};
use super::{LocalSearch, Piece};
use crate::model::Cost;

/// Exchanges the `LU` clients from U with the `LV` clients from V.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Swap<const LU: usize, const LV: usize>;

impl<const LU: usize, const LV: usize> NodeOperator for Swap<LU, LV> {
    fn name(&self) -> &'static str {
        match (LU, LV) {
            (1, 1) => "swap-1-1",
            (2, 1) => "swap-2-1",
            _ => "swap-2-2",
        }
    }

    /// 1-1 and 2-2 exchanges are the same from either end.
    fn symmetric(&self) -> bool {
        LU == LV
    }

    #[inline]
    fn evaluate(&self, ls: &LocalSearch, at: At) -> Eval {
        let At { ru, iu, rv, jv } = at;
        let (lu, lv) = (LU, LV);
        let (route_u, route_v) = (&ls.routes[ru], &ls.routes[rv]);
        if iu + lu >= route_u.len() || jv + lv >= route_v.len() || jv == 0 || iu == 0 {
            return Eval::Invalid;
        }
        if (0..lu).any(|k| !route_u.stops[iu + k].is_client())
            || (0..lv).any(|k| !route_v.stops[jv + k].is_client())
        {
            return Eval::Invalid;
        }
        if ru == rv {
            // The two runs must be disjoint and not adjacent.
            let (a, la, b) = if iu < jv { (iu, lu, jv) } else { (jv, lv, iu) };
            if a + la >= b {
                return Eval::Invalid;
            }
        }
        let (vt_u, vt_v) = (route_u.vt, route_v.vt);
        if vt_u != vt_v
            && ((0..lu).any(|k| !ls.d.can_serve(vt_v, route_u.stops[iu + k].id as usize))
                || (0..lv).any(|k| !ls.d.can_serve(vt_u, route_v.stops[jv + k].id as usize)))
        {
            return Eval::Invalid;
        }
        if ru == rv {
            intra_delta(ls, ru, iu, jv, lu, lv).into()
        } else {
            inter_delta::<LU, LV>(ls, at).into()
        }
    }

    fn apply(&self, ls: &mut LocalSearch, at: At) {
        let At { ru, iu, rv, jv } = at;
        let su: Vec<_> = ls.routes[ru].stops[iu..iu + LU].to_vec();
        let sv: Vec<_> = ls.routes[rv].stops[jv..jv + LV].to_vec();
        if ru == rv && iu > jv {
            ls.routes[ru].stops.splice(iu..iu + LU, sv);
            ls.routes[rv].stops.splice(jv..jv + LV, su);
        } else {
            ls.routes[rv].stops.splice(jv..jv + LV, su);
            ls.routes[ru].stops.splice(iu..iu + LU, sv);
        }
        ls.commit_pair(ru, rv);
    }
}

/// The `l` (1 or 2) stops from stop `i` of route `r` as pieces (the
/// second is `End`, unused, when `l` is 1).
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

/// The bound change of replacing the run `f..=e` between `p` and `n` by
/// the run `f2..=e2` on a route whose bound matrix is `m`: inner arcs count
/// only for runs of two.
#[inline]
fn exchange_bound(
    m: crate::solver::data::Bound,
    p: u32,
    n: u32,
    (f, e, l): (u32, u32, usize),
    (f2, e2, l2): (u32, u32, usize),
) -> Cost {
    let inner = |a: u32, b: u32, l: usize| if l == 2 { m.at(a, b) } else { 0 };
    m.at(p, f2) + inner(f2, e2, l2) + m.at(e2, n) - m.at(p, f) - inner(f, e, l) - m.at(e, n)
}

fn inter_delta<const LU: usize, const LV: usize>(ls: &LocalSearch, at: At) -> Option<Cost> {
    let At { ru, iu, rv, jv } = at;
    let (lu, lv) = (LU, LV);
    let (route_u, route_v) = (&ls.routes[ru], &ls.routes[rv]);
    let boundable = ls.d.simple
        || (!ls.exact && ls.prunable(&[(ru, iu - 1), (ru, iu + lu), (rv, jv - 1), (rv, jv + lv)]));
    if boundable {
        let (lo_u, lo_v) = (&route_u.locs, &route_v.locs);
        let (pu, nu, fu, eu) = (lo_u[iu - 1], lo_u[iu + lu], lo_u[iu], lo_u[iu + lu - 1]);
        let (pv, nv, fv, ev) = (lo_v[jv - 1], lo_v[jv + lv], lo_v[jv], lo_v[jv + lv - 1]);
        let du = exchange_bound(ls.mat(ru), pu, nu, (fu, eu, lu), (fv, ev, lv));
        let dv = exchange_bound(ls.mat(rv), pv, nv, (fv, ev, lv), (fu, eu, lu));
        if ls.bound_prunes(ru, du, rv, dv, 0) {
            return None;
        }
        if !ls.d.simple {
            return Some(exact_inter(ls, ru, iu, rv, jv, lu, lv));
        }
        let qu = run_load(ls.d, &route_u.stops[iu..iu + lu]);
        let qv = run_load(ls.d, &route_v.stops[jv..jv + lv]);
        let k = lv as i32 - lu as i32;
        let ev = ls.eval();
        return Some(
            ev.simple_change(route_u, du, &load_sub(&qv, &qu), k)
                + ev.simple_change(route_v, dv, &load_sub(&qu, &qv), -k),
        );
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
        || (!ls.exact && ls.prunable(&[(r, a - 1), (r, a + la), (r, b - 1), (r, b + lb)]));
    if boundable {
        let lo = &route.locs;
        let (pa, fa, ea, na) = (lo[a - 1], lo[a], lo[a + la - 1], lo[a + la]);
        let (pb, fb, eb, nb) = (lo[b - 1], lo[b], lo[b + lb - 1], lo[b + lb]);
        let dd = m_r.at(pa, fb) + m_r.at(eb, na) + m_r.at(pb, fa) + m_r.at(ea, nb)
            - m_r.at(pa, fa)
            - m_r.at(ea, na)
            - m_r.at(pb, fb)
            - m_r.at(eb, nb);
        if let Some(d) = ls.intra_bound(r, dd) {
            return d;
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
