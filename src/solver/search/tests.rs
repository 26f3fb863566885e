//! Move evaluation is exact: for random problems and random moves, the delta
//! an operator predicts equals the change of the total cost recomputed from
//! scratch after the move is applied.

use super::super::data::Data;
use super::super::individual::Individual;
use super::super::rng::Rng;
use super::super::segment::Penalties;
use super::super::split;
use super::super::testutil::{Gen, random_problem};
use super::*;

/// Penalty weights of the tests that run whole searches.
const TEST_PEN: Penalties = Penalties {
    load: [20.0, 10.0],
    time: 5.0,
    dist: 5.0,
};

/// Total penalised cost recomputed without any cache.
fn scratch_cost(ls: &LocalSearch) -> Cost {
    let mut total = 0;
    for r in &ls.routes {
        let s = ls.d.fold(r.stops.iter().copied(), r.vt);
        total += ls.d.rules[r.vt].cost(&s, &ls.pen, ls.d.time);
    }
    total
}

/// Caches agree with a fresh fold, and positions with the stops.
fn assert_consistent(ls: &LocalSearch) {
    for (ri, r) in ls.routes.iter().enumerate() {
        let s = ls.d.fold(r.stops.iter().copied(), r.vt);
        if ls.d.simple {
            let t = r.cum_total();
            assert_eq!(
                (s.dist, s.head, s.stops),
                (t.dist, t.load, t.stops),
                "route {ri} cache is stale"
            );
        } else {
            assert_eq!(&s, r.total(), "route {ri} prefix cache is stale");
        }
        for (i, st) in r.stops.iter().enumerate() {
            if st.is_client() {
                assert_eq!(ls.pos[st.id as usize], (ri as u32, i as u32));
            }
        }
    }
}

fn random_start(d: &Data, seed: u64, pen: &Penalties) -> Individual {
    let mut rng = Rng::new(seed);
    let mut tour: Vec<usize> = (0..d.problem.n_clients()).collect();
    rng.shuffle(&mut tour);
    // Small routes so that many moves are between routes.
    let mut routes = split::split(d, 0, &tour, pen);
    let mut unassigned = Vec::new();
    // Leave a few optional clients out, and spread routes over types.
    for (k, r) in routes.iter_mut().enumerate() {
        let mut clients: Vec<usize> = r.clients().collect();
        clients.retain(|&c| {
            let keep = d.problem.clients()[c].required || (c % 3 != 0);
            if !keep {
                unassigned.push(c);
            }
            keep
        });
        let vt = if k % 3 == 1 && d.problem.vehicle_types().len() > 1 {
            1
        } else {
            0
        };
        let vt = if clients.iter().all(|&c| d.problem.can_serve(vt, c)) {
            vt
        } else {
            0
        };
        *r = crate::model::Route {
            vehicle_type: vt,
            visits: split::route_visits(d, vt, &clients),
        };
    }
    // Respect fleet sizes: spill extra routes of type 1 back to type 0.
    let mut n1 = 0;
    for r in routes.iter_mut() {
        if r.vehicle_type == 1 {
            n1 += 1;
            if n1 > d.problem.vehicle_types()[1].count {
                let clients: Vec<usize> = r.clients().collect();
                *r = crate::model::Route {
                    vehicle_type: 0,
                    visits: split::route_visits(d, 0, &clients),
                };
            }
        }
    }
    Individual::new(d, routes, unassigned, pen)
}

fn check_operator_deltas(rich: bool) {
    for seed in 0..6u64 {
        let problem = random_problem(seed, 40, rich);
        let d = Data::new(&problem, 8);
        let pen = Penalties {
            load: [7.0, 3.0],
            time: 2.0,
            dist: 1.5,
        };
        let ind = random_start(&d, seed, &pen);
        let mut ls = LocalSearch::new(&d);
        ls.exact = true;
        ls.load(&ind);
        ls.pen = pen;
        for r in 0..ls.routes.len() {
            ls.routes[r].refresh_cost(&d, &pen);
        }
        let mut g = Gen::new(seed + 100);
        let mut checked = 0;
        for trial in 0..6000 {
            let nr = ls.routes.len();
            let ru = g.below(nr as u64) as usize;
            let rv = if g.below(4) == 0 {
                ru
            } else {
                g.below(nr as u64) as usize
            };
            let (lu, lv) = (ls.routes[ru].len(), ls.routes[rv].len());
            let iu = 1 + g.below((lu - 1).max(1) as u64) as usize;
            let jv = g.below((lv - 1).max(1) as u64) as usize;
            let op = trial % 9;
            let before = scratch_cost(&ls);
            assert_eq!(before, ls.routes.iter().map(|r| r.cost).sum::<Cost>());
            let delta = match op {
                0 => relocate::evaluate(&mut ls, ru, iu, rv, jv, 1, false),
                1 => relocate::evaluate(&mut ls, ru, iu, rv, jv, 2, false),
                2 => relocate::evaluate(&mut ls, ru, iu, rv, jv, 2, true),
                3 => swap::evaluate(&mut ls, ru, iu, rv, jv, 1, 1),
                4 => swap::evaluate(&mut ls, ru, iu, rv, jv, 2, 1),
                5 => swap::evaluate(&mut ls, ru, iu, rv, jv, 2, 2),
                6 if ru == rv && iu < jv => two_opt::evaluate_intra(&mut ls, ru, iu, jv),
                7 => two_opt::evaluate_star(&mut ls, ru, iu, rv, jv),
                8 => two_opt::evaluate_star_reversed(&mut ls, ru, iu, rv, jv),
                _ => None,
            };
            let Some(delta) = delta else { continue };
            let snapshot: Vec<String> = [ru, rv]
                .iter()
                .map(|&r| {
                    format!(
                        "{r}: vt {} {:?} cost {}",
                        ls.routes[r].vt, ls.routes[r].stops, ls.routes[r].cost
                    )
                })
                .collect();
            match op {
                0 => relocate::apply(&mut ls, ru, iu, rv, jv, 1, false),
                1 => relocate::apply(&mut ls, ru, iu, rv, jv, 2, false),
                2 => relocate::apply(&mut ls, ru, iu, rv, jv, 2, true),
                3 => swap::apply(&mut ls, ru, iu, rv, jv, 1, 1),
                4 => swap::apply(&mut ls, ru, iu, rv, jv, 2, 1),
                5 => swap::apply(&mut ls, ru, iu, rv, jv, 2, 2),
                6 => two_opt::apply_intra(&mut ls, ru, iu, jv),
                7 => two_opt::apply_star(&mut ls, ru, iu, rv, jv),
                _ => two_opt::apply_star_reversed(&mut ls, ru, iu, rv, jv),
            }
            let after = scratch_cost(&ls);
            assert_eq!(
                after - before,
                delta,
                "operator {op} on seed {seed}, trial {trial}: predicted {delta}, actual {}\nmove ({ru},{iu}) -> ({rv},{jv})\nbefore: {snapshot:#?}\nafter: {:#?}",
                after - before,
                [ru, rv]
                    .iter()
                    .map(|&r| format!(
                        "{r}: vt {} {:?} cost {}",
                        ls.routes[r].vt, ls.routes[r].stops, ls.routes[r].cost
                    ))
                    .collect::<Vec<_>>()
            );
            assert_consistent(&ls);
            checked += 1;
        }
        assert!(
            checked > 300,
            "only {checked} moves were valid; the test would prove little"
        );
    }
}

#[test]
fn every_operator_predicts_its_exact_delta_on_cvrp() {
    check_operator_deltas(false);
}

#[test]
fn every_operator_predicts_its_exact_delta_with_time_windows_unloads_breaks_and_mixed_fleet() {
    check_operator_deltas(true);
}

#[test]
fn local_search_never_worsens_and_matches_a_fresh_evaluation() {
    for rich in [false, true] {
        for seed in 0..4u64 {
            let problem = random_problem(seed, 60, rich);
            let d = Data::new(&problem, 10);
            let pen = TEST_PEN;
            let mut ind = random_start(&d, seed, &pen);
            let start = ind.cost;
            let mut ls = LocalSearch::new(&d);
            ls.load(&ind);
            let loaded = ls.cost();
            let mut rng = Rng::new(seed);
            ls.run(&mut rng, pen);
            assert_consistent(&ls);
            let end = ls.cost();
            assert!(
                end <= loaded,
                "local search made it worse: {loaded} -> {end}"
            );
            ls.export(&mut ind);
            ind.evaluate(&d, &pen);
            assert_eq!(ind.cost, end, "individual and search disagree");
            assert!(
                end < start,
                "local search found nothing on a random start (rich = {rich})"
            );
            // Every client is either routed once or unassigned.
            let sol = ind.to_solution();
            let rep = crate::model::check(&problem, &sol);
            assert!(!rep.violations.iter().any(|v| matches!(
                v,
                crate::model::Violation::Duplicate(_) | crate::model::Violation::Missing(_)
            )));
        }
    }
}

#[test]
fn perturbation_removes_a_cluster_and_the_restricted_search_puts_every_client_back() {
    for rich in [false, true] {
        for seed in 0..4u64 {
            let problem = random_problem(seed, 60, rich);
            let d = Data::new(&problem, 10);
            let pen = TEST_PEN;
            let mut ind = random_start(&d, seed, &pen);
            let mut ls = LocalSearch::new(&d);
            let mut rng = Rng::new(seed);
            ls.load(&ind);
            ls.run(&mut rng, pen);
            ls.export(&mut ind);
            ind.evaluate(&d, &pen);
            let routed = |ls: &LocalSearch| {
                (0..ls.pos.len())
                    .filter(|&c| ls.pos[c].0 != UNROUTED)
                    .collect::<Vec<_>>()
            };
            ls.load(&ind);
            let before = routed(&ls);
            ls.perturb(&mut rng, 12);
            assert_consistent(&ls);
            let after = routed(&ls);
            let gone: Vec<usize> = before
                .iter()
                .copied()
                .filter(|c| !after.contains(c))
                .collect();
            assert_eq!(gone.len(), 12.min(before.len()), "rich = {rich}");
            // The removed clients and their old route neighbours are the
            // only promising ones.
            assert!(gone.iter().all(|&c| ls.promising[c]));
            let marked = ls.promising.iter().filter(|&&p| p).count();
            assert!(
                marked <= 3 * gone.len(),
                "{marked} marked for {}",
                gone.len()
            );
            ls.restrict = true;
            ls.run(&mut rng, pen);
            ls.restrict = false;
            assert_consistent(&ls);
            // Required clients are all back; optional ones may stay out.
            for c in gone {
                assert!(
                    ls.pos[c].0 != UNROUTED || !problem.clients()[c].required,
                    "required client {c} left out (rich = {rich})"
                );
            }
            assert_eq!(
                ls.cost(),
                scratch_cost(&ls) + {
                    (0..ls.pos.len())
                        .filter(|&c| ls.pos[c].0 == UNROUTED)
                        .map(|c| unserved_cost_of(&d, c))
                        .sum::<Cost>()
                }
            );
        }
    }
}
