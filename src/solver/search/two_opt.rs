//! 2-OPT inside a route (reverse a stretch) and 2-OPT* between routes
//! (exchange tails, or join heads reversed).

use super::super::cost::{load_add, load_sub};
use super::super::data::Data;
use super::super::route::SRoute;
use super::operator::{At, Eval, NodeOperator};
use super::{LocalSearch, Piece};
use crate::model::Cost;

/// 2-OPT inside a route: reverses the stops after U up to V (U before V).
#[derive(Debug, Clone, Copy)]
pub(crate) struct TwoOpt;

impl NodeOperator for TwoOpt {
    fn name(&self) -> &'static str {
        "2-opt"
    }

    #[inline]
    fn evaluate(&self, ls: &LocalSearch, at: At) -> Eval {
        let At {
            ru: r,
            iu,
            rv,
            jv: iv,
        } = at;
        if r != rv || iv <= iu + 1 || iv + 1 >= ls.routes[r].len() {
            return Eval::Invalid;
        }
        let m_r = ls.mat(r);
        let route = &ls.routes[r];
        let boundable = ls.d.simple
            || (!ls.exact && ls.prunable(&[(r, iu), (r, iu + 1), (r, iv), (r, iv + 1)]));
        if boundable {
            let lo = &route.locs;
            let (u, x, v, y) = (lo[iu], lo[iu + 1], lo[iv], lo[iv + 1]);
            let inner_fwd = route.dist_upto(iv) - route.dist_upto(iu + 1);
            let inner_rev = route.rev[iv] - route.rev[iu + 1];
            let dd =
                m_r.at(u, v) + m_r.at(x, y) - m_r.at(u, x) - m_r.at(v, y) + inner_rev - inner_fwd;
            if let Some(d) = ls.intra_bound(r, dd) {
                return d.into();
            }
        }
        if iv - iu > super::MAX_INTRA_SPAN {
            return Eval::Pruned;
        }
        Eval::Delta(ls.delta1(
            r,
            &[
                Piece::Pre(r, iu),
                Piece::Rev(r, iu + 1, iv),
                Piece::Suf(r, iv + 1),
                Piece::End,
            ],
        ))
    }

    fn apply(&self, ls: &mut LocalSearch, at: At) {
        let At {
            ru: r, iu, jv: iv, ..
        } = at;
        ls.routes[r].stops[iu + 1..=iv].reverse();
        ls.commit(&[r]);
    }
}

/// True if route `r` has its break after stop `i`.
fn break_after(ls: &LocalSearch, r: usize, i: usize) -> bool {
    ls.routes[r].brk.is_some_and(|b| b > i)
}

/// 2-OPT* between routes: exchanges the tails after U and after V.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TwoOptStar;

impl NodeOperator for TwoOptStar {
    fn name(&self) -> &'static str {
        "2-opt*"
    }

    #[inline]
    fn evaluate(&self, ls: &LocalSearch, at: At) -> Eval {
        let At { ru, iu, rv, jv } = at;
        if ru == rv
            || iu + 1 >= ls.routes[ru].len()
            || jv + 1 >= ls.routes[rv].len()
            || break_after(ls, ru, iu) != break_after(ls, rv, jv)
        {
            return Eval::Invalid;
        }
        star_delta(ls, at).into()
    }

    fn apply(&self, ls: &mut LocalSearch, at: At) {
        let At { ru, iu, rv, jv } = at;
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
    }
}

/// The cost change of [`TwoOptStar`] at a valid `at`, or `None` if pruned.
fn star_delta(ls: &LocalSearch, at: At) -> Option<Cost> {
    let At { ru, iu, rv, jv } = at;
    let (m_ru, m_rv) = (ls.mat(ru), ls.mat(rv));
    let (route_u, route_v) = (&ls.routes[ru], &ls.routes[rv]);
    let (u, x) = (route_u.locs[iu], route_u.locs[iu + 1]);
    let (v, y) = (route_v.locs[jv], route_v.locs[jv + 1]);
    let ev = ls.eval();
    let boundable = ls.d.simple
        || (!ls.exact && ls.prunable(&[(ru, iu), (ru, iu + 1), (rv, jv), (rv, jv + 1)]));
    if boundable {
        let (su, sv) = (route_u.clients_upto(iu), route_v.clients_upto(jv));
        // Clients of route V after the exchange.
        let sv_new = sv + route_u.n_clients as i32 - su;
        let fixed = ev.rules(route_v.vt).fixed_cost
            * (i64::from(sv_new > 0) - i64::from(route_v.n_clients > 0));
        if ls.bound_prunes(
            ru,
            m_ru.at(u, y) - m_ru.at(u, x),
            rv,
            m_rv.at(v, x) - m_rv.at(v, y),
            fixed,
        ) {
            return None;
        }
    }
    if !ls.d.simple {
        return Some(ls.delta2(
            ru,
            &[Piece::Pre(ru, iu), Piece::Suf(rv, jv + 1), Piece::End],
            rv,
            &[Piece::Pre(rv, jv), Piece::Suf(ru, iu + 1), Piece::End],
        ));
    }
    let (nu, nv) = (route_u.len(), route_v.len());
    let (pu, pv) = (&route_u.cum[iu], &route_v.cum[jv]);
    let (tu, tv) = (route_u.cum_total(), route_v.cum_total());
    // Exact from prefix totals: the tails run from X (resp. Y) to the
    // last stop before the end depot, then to the other end depot.
    let tail = |r: &SRoute, i: usize| r.cum[r.len() - 2].dist - r.cum[i].dist;
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
    // Head of one route, tail of the other.
    let lu = load_add(&pu.load, &load_sub(&tv.load, &pv.load));
    let lv = load_add(&pv.load, &load_sub(&tu.load, &pu.load));
    let su = pu.stops + tv.stops - pv.stops;
    let sv = pv.stops + tu.stops - pu.stops;
    Some(
        ev.simple_route(route_u.vt, new_u_dist, &lu, su)
            + ev.simple_route(route_v.vt, new_v_dist, &lv, sv)
            - route_u.cost
            - route_v.cost,
    )
}

/// 2-OPT* joining heads reversed (simple problems only): joins U to V and
/// X to Y, reversing V's head and U's tail: route U becomes
/// `head(U) + reverse(head(V))`, route V becomes `reverse(tail(U)) + tail(V)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TwoOptStarReversed;

impl NodeOperator for TwoOptStarReversed {
    fn name(&self) -> &'static str {
        "2-opt*-reversed"
    }

    /// Reversing stretches is free only without time windows, unloads and
    /// breaks, and its delta is computed from distance and load alone.
    fn supports(&self, d: &Data) -> bool {
        d.simple
    }

    #[inline]
    fn evaluate(&self, ls: &LocalSearch, at: At) -> Eval {
        let At { ru, iu, rv, jv } = at;
        if ru == rv
            || !ls.d.simple
            || ls.routes[rv].n_clients == 0
            || iu + 1 >= ls.routes[ru].len()
            || jv + 1 >= ls.routes[rv].len()
            || (jv == 0 && iu + 2 == ls.routes[ru].len())
        {
            return Eval::Invalid; // nothing would move
        }
        star_reversed_delta(ls, at).into()
    }

    fn apply(&self, ls: &mut LocalSearch, at: At) {
        let At { ru, iu, rv, jv } = at;
        let nu = ls.routes[ru].len();
        let mut head_v: Vec<_> = ls.routes[rv].stops[1..=jv].to_vec();
        head_v.reverse();
        let mut tail_u: Vec<_> = ls.routes[ru].stops[iu + 1..nu - 1].to_vec();
        tail_u.reverse();
        ls.routes[ru].stops.splice(iu + 1..nu - 1, head_v);
        ls.routes[rv].stops.splice(1..=jv, tail_u);
        ls.commit(&[ru, rv]);
    }
}

/// The cost change of [`TwoOptStarReversed`] at a valid `at`, or `None`
/// if pruned.
fn star_reversed_delta(ls: &LocalSearch, at: At) -> Option<Cost> {
    let At { ru, iu, rv, jv } = at;
    let (m_ru, m_rv) = (ls.mat(ru), ls.mat(rv));
    let (route_u, route_v) = (&ls.routes[ru], &ls.routes[rv]);
    let nu = route_u.len();
    let (u, x) = (route_u.locs[iu], route_u.locs[iu + 1]);
    let (v, y) = (route_v.locs[jv], route_v.locs[jv + 1]);
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
    // No facility is tracked in simple mode: the facility term is 0.
    if ls.bound_prunes(ru, du, rv, dv, 0) {
        return None;
    }
    // Exact cost: loads by prefix differences (no unloads in simple mode).
    let (tu, tv) = (route_u.cum_total(), route_v.cum_total());
    let (pu, pv) = (&route_u.cum[iu], &route_v.cum[jv]);
    let lu = load_add(&pu.load, &pv.load);
    let lv = load_add(&load_sub(&tu.load, &pu.load), &load_sub(&tv.load, &pv.load));
    let su = pu.stops + pv.stops;
    let sv = tu.stops - pu.stops + tv.stops - pv.stops;
    let ev = ls.eval();
    Some(
        ev.simple_route(route_u.vt, tu.dist + du, &lu, su)
            + ev.simple_route(route_v.vt, tv.dist + dv, &lv, sv)
            - route_u.cost
            - route_v.cost,
    )
}
