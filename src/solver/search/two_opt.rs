//! 2-OPT inside a route (reverse a stretch) and 2-OPT* between routes
//! (exchange tails, or join heads reversed).

use super::{LocalSearch, Op, Piece};
use crate::model::Cost;

/// Reverses stops `iu+1..=iv` of route `r` (U at `iu`, V at `iv`, U before V).
pub(super) fn intra(ls: &mut LocalSearch, r: usize, iu: usize, iv: usize) -> bool {
    match evaluate_intra(ls, r, iu, iv) {
        Some(d) if d < 0 => {
            apply_intra(ls, r, iu, iv);
            true
        }
        _ => false,
    }
}

/// Cost change of [`intra`], or `None` if invalid or pruned.
pub(super) fn evaluate_intra(ls: &mut LocalSearch, r: usize, iu: usize, iv: usize) -> Option<Cost> {
    let m_r = ls.mat(r);
    if iv <= iu + 1 || iv + 1 >= ls.routes[r].len() {
        return None;
    }
    ls.count_eval(Op::TwoOpt);
    let route = &ls.routes[r];
    let boundable = ls.d.simple
        || (!ls.exact && ls.prunable(r, r, &[(r, iu), (r, iu + 1), (r, iv), (r, iv + 1)]));
    if boundable {
        let lo = &route.locs;
        let (u, x, v, y) = (lo[iu], lo[iu + 1], lo[iv], lo[iv + 1]);
        let inner_fwd = route.dist_upto(iv) - route.dist_upto(iu + 1);
        let inner_rev = route.rev[iv] - route.rev[iu + 1];
        let dd = m_r.at(u, v) + m_r.at(x, y) - m_r.at(u, x) - m_r.at(v, y) + inner_rev - inner_fwd;
        let rules = &ls.d.rules[route.vt];
        if !ls.exact && rules.unit * dd >= route.penalty + ls.fac_lift(r, r) {
            return None;
        }
        if ls.d.simple {
            let t = route.cum_total();
            return Some(rules.simple_cost(t.dist + dd, &t.load, t.stops, &ls.pen) - route.cost);
        }
    }
    if iv - iu > super::MAX_INTRA_SPAN {
        return None;
    }
    Some(ls.delta1(
        r,
        &[
            Piece::Pre(r, iu),
            Piece::Rev(r, iu + 1, iv),
            Piece::Suf(r, iv + 1),
            Piece::End,
        ],
    ))
}

/// Applies [`intra`].
pub(super) fn apply_intra(ls: &mut LocalSearch, r: usize, iu: usize, iv: usize) {
    ls.routes[r].stops[iu + 1..=iv].reverse();
    ls.commit(&[r]);
    ls.count_apply(Op::TwoOpt);
}

/// True if route `r` has its break after stop `i`.
fn break_after(ls: &LocalSearch, r: usize, i: usize) -> bool {
    ls.routes[r].brk.is_some_and(|b| b > i)
}

/// Exchanges the tails after U (stop `iu` of `ru`) and after V (stop `jv` of `rv`).
pub(super) fn star(ls: &mut LocalSearch, ru: usize, iu: usize, rv: usize, jv: usize) -> bool {
    match evaluate_star(ls, ru, iu, rv, jv) {
        Some(d) if d < 0 => {
            apply_star(ls, ru, iu, rv, jv);
            true
        }
        _ => false,
    }
}

/// Cost change of [`star`], or `None` if invalid or pruned.
pub(super) fn evaluate_star(
    ls: &mut LocalSearch,
    ru: usize,
    iu: usize,
    rv: usize,
    jv: usize,
) -> Option<Cost> {
    let m_ru = ls.mat(ru);
    let m_rv = ls.mat(rv);
    if ru == rv
        || iu + 1 >= ls.routes[ru].len()
        || jv + 1 >= ls.routes[rv].len()
        || break_after(ls, ru, iu) != break_after(ls, rv, jv)
    {
        return None;
    }
    ls.count_eval(Op::TwoOptStar);
    let (route_u, route_v) = (&ls.routes[ru], &ls.routes[rv]);
    let boundable = ls.d.simple
        || (!ls.exact && ls.prunable(ru, rv, &[(ru, iu), (ru, iu + 1), (rv, jv), (rv, jv + 1)]));
    if boundable {
        let (u, x) = (route_u.locs[iu], route_u.locs[iu + 1]);
        let (v, y) = (route_v.locs[jv], route_v.locs[jv + 1]);
        let (rules_u, rules_v) = (&ls.d.rules[route_u.vt], &ls.d.rules[route_v.vt]);
        let (su, sv) = (route_u.clients_upto(iu), route_v.clients_upto(jv));
        // Clients of route V after the exchange.
        let sv_new = sv + route_u.n_clients as i32 - su;
        let fixed = rules_v.fixed_cost * (i64::from(sv_new > 0) - i64::from(route_v.n_clients > 0));
        let bound = rules_u.unit * (m_ru.at(u, y) - m_ru.at(u, x))
            + rules_v.unit * (m_rv.at(v, x) - m_rv.at(v, y))
            + fixed;
        if !ls.exact && bound >= route_u.penalty + route_v.penalty + ls.fac_lift(ru, rv) {
            return None;
        }
    }
    if ls.d.simple {
        let (nu, nv) = (route_u.len(), route_v.len());
        let (u, x) = (route_u.locs[iu], route_u.locs[iu + 1]);
        let (v, y) = (route_v.locs[jv], route_v.locs[jv + 1]);
        let (rules_u, rules_v) = (&ls.d.rules[route_u.vt], &ls.d.rules[route_v.vt]);
        let (pu, pv) = (&route_u.cum[iu], &route_v.cum[jv]);
        let (tu, tv) = (route_u.cum_total(), route_v.cum_total());
        let su = pu.stops + tv.stops - pv.stops;
        let sv = pv.stops + tu.stops - pu.stops;
        // Exact from prefix totals: the tails run from X (resp. Y) to the
        // last stop before the end depot, then to the other end depot.
        let tail =
            |r: &super::super::route::SRoute, i: usize| r.cum[r.len() - 2].dist - r.cum[i].dist;
        let new_u_dist = pu.dist
            + if jv + 2 < nv {
                m_ru.at(u, y)
                    + tail(route_v, jv + 1)
                    + m_ru.at(route_v.locs[nv - 2], route_u.locs[nu - 1])
            } else {
                m_ru.at(u, route_u.locs[nu - 1])
            };
        let new_v_dist = pv.dist
            + if iu + 2 < nu {
                m_rv.at(v, x)
                    + tail(route_u, iu + 1)
                    + m_rv.at(route_u.locs[nu - 2], route_v.locs[nv - 1])
            } else {
                m_rv.at(v, route_v.locs[nv - 1])
            };
        let lu = [
            pu.load[0] + tv.load[0] - pv.load[0],
            pu.load[1] + tv.load[1] - pv.load[1],
        ];
        let lv = [
            pv.load[0] + tu.load[0] - pu.load[0],
            pv.load[1] + tu.load[1] - pu.load[1],
        ];
        let new_u = rules_u.simple_cost(new_u_dist, &lu, su, &ls.pen);
        let new_v = rules_v.simple_cost(new_v_dist, &lv, sv, &ls.pen);
        return Some(new_u + new_v - route_u.cost - route_v.cost);
    }
    Some(ls.delta2(
        ru,
        &[Piece::Pre(ru, iu), Piece::Suf(rv, jv + 1), Piece::End],
        rv,
        &[Piece::Pre(rv, jv), Piece::Suf(ru, iu + 1), Piece::End],
    ))
}

/// Applies [`star`].
pub(super) fn apply_star(ls: &mut LocalSearch, ru: usize, iu: usize, rv: usize, jv: usize) {
    let tail_u: Vec<_> = ls.routes[ru].stops.drain(iu + 1..).collect();
    let tail_v: Vec<_> = ls.routes[rv].stops.drain(jv + 1..).collect();
    let (end_u, end_v) = (tail_u[tail_u.len() - 1], tail_v[tail_v.len() - 1]);
    ls.routes[ru]
        .stops
        .extend_from_slice(&tail_v[..tail_v.len() - 1]);
    ls.routes[ru].stops.push(end_u);
    ls.routes[rv]
        .stops
        .extend_from_slice(&tail_u[..tail_u.len() - 1]);
    ls.routes[rv].stops.push(end_v);
    ls.commit(&[ru, rv]);
    ls.count_apply(Op::TwoOptStar);
}

/// Simple mode only: joins U to V and X to Y, reversing V's head and U's tail:
/// route U becomes `head(U) + reverse(head(V))`, route V becomes
/// `reverse(tail(U)) + tail(V)`.
pub(super) fn star_reversed(
    ls: &mut LocalSearch,
    ru: usize,
    iu: usize,
    rv: usize,
    jv: usize,
) -> bool {
    match evaluate_star_reversed(ls, ru, iu, rv, jv) {
        Some(d) if d < 0 => {
            apply_star_reversed(ls, ru, iu, rv, jv);
            true
        }
        _ => false,
    }
}

/// Cost change of [`star_reversed`], or `None` if invalid or pruned.
pub(super) fn evaluate_star_reversed(
    ls: &mut LocalSearch,
    ru: usize,
    iu: usize,
    rv: usize,
    jv: usize,
) -> Option<Cost> {
    let m_ru = ls.mat(ru);
    let m_rv = ls.mat(rv);
    if ru == rv
        || !ls.d.simple
        || ls.routes[rv].n_clients == 0
        || iu + 1 >= ls.routes[ru].len()
        || jv + 1 >= ls.routes[rv].len()
    {
        return None;
    }
    ls.count_eval(Op::TwoOptStar);
    let (route_u, route_v) = (&ls.routes[ru], &ls.routes[rv]);
    let nu = route_u.len();
    let (u, x) = (route_u.locs[iu], route_u.locs[iu + 1]);
    let (v, y) = (route_v.locs[jv], route_v.locs[jv + 1]);
    if jv == 0 && iu == nu - 2 {
        return None;
    }
    // New U: start..U, then t_jv..t_1 reversed, then U's end depot.
    // New V: V's start, then s_last..X reversed, then Y..end.
    let end_u = route_u.locs[nu - 1];
    let new_u_dist = route_u.cum[iu].dist
        + if jv >= 1 {
            let t1 = route_v.locs[1];
            m_ru.at(u, v) + (route_v.rev[jv] - route_v.rev[1]) + m_ru.at(t1, end_u)
        } else {
            m_ru.at(u, end_u)
        };
    let new_v_dist = (route_v.cum_total().dist - route_v.cum[jv + 1].dist)
        + if iu < nu - 2 {
            let (start_v, last_u) = (route_v.locs[0], route_u.locs[nu - 2]);
            m_rv.at(start_v, last_u) + (route_u.rev[nu - 2] - route_u.rev[iu + 1]) + m_rv.at(x, y)
        } else {
            m_rv.at(route_v.locs[0], y)
        };
    let du = new_u_dist - route_u.cum_total().dist;
    let dv = new_v_dist - route_v.cum_total().dist;
    let rules = &ls.d.rules;
    let (ru_rules, rv_rules) = (&rules[route_u.vt], &rules[route_v.vt]);
    if !ls.exact && ru_rules.unit * du + rv_rules.unit * dv >= route_u.penalty + route_v.penalty {
        return None;
    }
    // Exact cost: loads by prefix differences (no unloads in simple mode).
    let (tu, tv) = (route_u.cum_total(), route_v.cum_total());
    let (pu, pv) = (&route_u.cum[iu], &route_v.cum[jv]);
    let lu = [pu.load[0] + pv.load[0], pu.load[1] + pv.load[1]];
    let lv = [
        tu.load[0] - pu.load[0] + tv.load[0] - pv.load[0],
        tu.load[1] - pu.load[1] + tv.load[1] - pv.load[1],
    ];
    let su = pu.stops + pv.stops;
    let sv = tu.stops - pu.stops + tv.stops - pv.stops;
    Some(
        ru_rules.simple_cost(tu.dist + du, &lu, su, &ls.pen)
            + rv_rules.simple_cost(tv.dist + dv, &lv, sv, &ls.pen)
            - route_u.cost
            - route_v.cost,
    )
}

/// Applies [`star_reversed`].
pub(super) fn apply_star_reversed(
    ls: &mut LocalSearch,
    ru: usize,
    iu: usize,
    rv: usize,
    jv: usize,
) {
    let nu = ls.routes[ru].len();
    let mut head_v: Vec<_> = ls.routes[rv].stops[1..=jv].to_vec();
    head_v.reverse();
    let mut tail_u: Vec<_> = ls.routes[ru].stops[iu + 1..nu - 1].to_vec();
    tail_u.reverse();
    ls.routes[ru].stops.splice(iu + 1..nu - 1, head_v);
    ls.routes[rv].stops.splice(1..=jv, tail_u);
    ls.commit(&[ru, rv]);
    ls.count_apply(Op::TwoOptStar);
}
