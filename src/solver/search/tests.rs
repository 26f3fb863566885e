//! Move evaluation is exact: for random problems and random moves, the delta
//! an operator predicts equals the change of the total cost recomputed from
//! scratch after the move is applied.

use super::super::cost::Penalties;
use super::super::data::Data;
use super::super::individual::Individual;
use super::super::rng::Rng;
use super::super::split;
use super::super::testutil::{Gen, random_problem, random_problem_capped};
use super::operator::{At, Eval, NodeOperator};
use super::*;
use crate::model::{Load, UNLIMITED};

/// Penalty weights of the tests that run whole searches.
const TEST_PEN: Penalties = Penalties::new([20.0, 10.0], 5.0, 5.0);

/// Total penalised cost of the routes recomputed without any cache, the
/// excess over the facilities' daily capacities included (walking the
/// stops, as the checker does).
fn scratch_cost(ls: &LocalSearch) -> Cost {
    let p = ls.d.problem;
    let mut total = 0;
    let mut got = vec![0 as Load; p.facilities().len()];
    for r in &ls.routes {
        let s = ls.d.fold(r.stops.iter().copied(), r.vt);
        total += ls.eval().route(r.vt, &s);
        let mut trip = 0;
        for st in &r.stops {
            match st.kind {
                Kind::Client => trip += p.clients()[st.id as usize].demand[0],
                Kind::Unload => {
                    got[st.id as usize] += trip;
                    trip = 0;
                }
                _ => {}
            }
        }
    }
    let excess: Load = got
        .iter()
        .zip(p.facilities())
        .map(|(&g, f)| (g - f.daily_capacity).max(0))
        .sum();
    if excess > 0 {
        total += (ls.pen.load[0] * excess as f64 + 0.5) as Cost;
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

fn check_operator_deltas(rich: bool, capacity: Load) {
    let mut excess_seen = 0;
    let mut seen = [0usize; operator::NODE_OPS.len()];
    for seed in 0..6u64 {
        let problem = random_problem_capped(seed, 40, rich, capacity);
        let d = Data::new(&problem, 8);
        let pen = Penalties::new([7.0, 3.0], 2.0, 1.5);
        let ind = random_start(&d, seed, &pen);
        let mut ls = LocalSearch::new(&d);
        ls.exact = true;
        ls.load(&ind);
        ls.set_penalties(pen);
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
            let op = &operator::NODE_OPS[trial % operator::NODE_OPS.len()];
            let at = At { ru, iu, rv, jv };
            let before = scratch_cost(&ls);
            assert_eq!(
                before,
                ls.routes.iter().map(|r| r.cost).sum::<Cost>() + ls.fac_cost
            );
            excess_seen += usize::from(ls.fac_cost > 0);
            let delta = match op.evaluate(&ls, at) {
                Eval::Delta(d) => d,
                // Exact mode prunes nothing; only moves too long to merge
                // inside a route are left unpriced.
                Eval::Pruned => {
                    assert_eq!(ru, rv, "{} pruned in exact mode", op.name());
                    continue;
                }
                Eval::Invalid => continue,
            };
            seen[trial % operator::NODE_OPS.len()] += 1;
            let snapshot: Vec<String> = [ru, rv]
                .iter()
                .map(|&r| {
                    format!(
                        "{r}: vt {} {:?} cost {}",
                        ls.routes[r].vt, ls.routes[r].stops, ls.routes[r].cost
                    )
                })
                .collect();
            op.apply(&mut ls, at);
            let after = scratch_cost(&ls);
            assert_eq!(
                after - before,
                delta,
                "operator {} on seed {seed}, trial {trial}: predicted {delta}, actual {}\nmove ({ru},{iu}) -> ({rv},{jv})\nbefore: {snapshot:#?}\nafter: {:#?}",
                op.name(),
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
    // Every operator the problems support was priced and applied many times.
    for (k, op) in operator::NODE_OPS.iter().enumerate() {
        let supported = op.supports(&Data::new(&random_problem_capped(0, 40, rich, capacity), 8));
        assert_eq!(
            seen[k] > 20,
            supported,
            "{}: {} exact deltas checked",
            op.name(),
            seen[k]
        );
    }
    if capacity < UNLIMITED {
        assert!(
            excess_seen > 1000,
            "the capacity was exceeded in only {excess_seen} states"
        );
    }
}

#[test]
fn every_operator_predicts_its_exact_delta_on_cvrp() {
    check_operator_deltas(false, UNLIMITED);
}

#[test]
fn every_operator_predicts_its_exact_delta_with_time_windows_unloads_breaks_and_mixed_fleet() {
    check_operator_deltas(true, UNLIMITED);
}

#[test]
fn every_operator_predicts_its_exact_delta_with_facility_excess() {
    // The first facility takes 30 a day, a small part of what the routes
    // unload there: most states exceed it, and moves change the excess.
    check_operator_deltas(true, 30);
}

/// Facility totals as the local search keeps them, recomputed.
fn assert_facility_totals(ls: &LocalSearch) {
    let mut t = [0; crate::solver::segment::FAC_SLOTS];
    for r in &ls.routes {
        let s = ls.d.fold(r.stops.iter().copied(), r.vt);
        for (k, x) in s.route_unloads().iter().enumerate() {
            t[k] += x;
        }
        assert_eq!(s.route_unloads(), r.unloads);
    }
    assert_eq!(t, ls.fac_total);
    assert_eq!(ls.fac_penalty(&t), ls.fac_cost);
}

#[test]
fn insertions_removals_and_unload_moves_price_the_facility_excess() {
    for seed in 0..6u64 {
        let problem = random_problem_capped(seed, 40, true, 40);
        let d = Data::new(&problem, 8);
        assert!(d.fac);
        let pen = TEST_PEN;
        let ind = random_start(&d, seed, &pen);
        let mut ls = LocalSearch::new(&d);
        ls.load(&ind);
        ls.set_penalties(pen);
        assert_facility_totals(&ls);
        let prizes = |ls: &LocalSearch| -> Cost {
            (0..ls.pos.len())
                .filter(|&c| ls.pos[c].0 == UNROUTED)
                .map(|c| crate::solver::cost::unserved_cost(&d, c))
                .sum()
        };
        let total = |ls: &LocalSearch| scratch_cost(ls) + prizes(ls);
        // Insert every unassigned client at its best place: the predicted
        // change is exact.
        let out: Vec<usize> = (0..ls.pos.len())
            .filter(|&c| ls.pos[c].0 == UNROUTED)
            .collect();
        assert!(!out.is_empty());
        for u in out {
            let Some((delta, r, after)) = optional::best_insertion(&ls, u) else {
                continue;
            };
            let before = total(&ls);
            optional::insert(&mut ls, u, r, after);
            assert_eq!(
                total(&ls) - before,
                delta - crate::solver::cost::unserved_cost(&d, u),
                "seed {seed}"
            );
            assert_facility_totals(&ls);
        }
        // The route-level operators (unload placement and facility choice)
        // and the optional moves never raise the cost and keep the totals.
        for pass in 0..3 {
            let before = total(&ls);
            route_ops::run_pass(&mut ls, true, operator::pass_slot(1));
            assert!(total(&ls) <= before, "pass {pass}, seed {seed}");
            assert_facility_totals(&ls);
        }
        assert_eq!(ls.cost(), total(&ls));
    }
}

#[test]
fn the_search_moves_waste_away_from_a_full_facility() {
    // The first facility is the only one that takes stream 1; give it room
    // for little more than the stream-1 waste. Under a load penalty far
    // above any detour, the local search must end with no facility excess
    // (the stream-0 waste goes to the other facility) and agree with the
    // individual.
    let mut relieved = 0;
    for seed in 0..4u64 {
        let probe = random_problem(seed, 60, true);
        let cap: Load = probe
            .clients()
            .iter()
            .filter(|c| c.stream == 1)
            .map(|c| c.demand[0])
            .sum::<Load>()
            + 10;
        let problem = random_problem_capped(seed, 60, true, cap);
        let d = Data::new(&problem, 10);
        let pen = Penalties::new([1e4, 1e4], 5.0, 5.0);
        let mut ind = random_start(&d, seed, &pen);
        let mut ls = LocalSearch::new(&d);
        ls.load(&ind);
        let loaded = ls.fac_total[0];
        let mut rng = Rng::new(seed);
        ls.run(&mut rng, pen);
        assert_consistent(&ls);
        assert_facility_totals(&ls);
        ls.export(&mut ind);
        ind.evaluate(&d, &pen);
        assert_eq!(ind.cost, ls.cost(), "individual and search disagree");
        if loaded > cap {
            relieved += 1;
        }
        let rep = crate::model::check(&problem, &ind.to_solution());
        assert!(
            !rep.violations
                .iter()
                .any(|v| matches!(v, crate::model::Violation::FacilityCapacity { .. })),
            "seed {seed}: started at {loaded} for a capacity of {cap}: {:?}",
            rep.violations
        );
    }
    assert!(
        relieved >= 2,
        "only {relieved} starts exceeded the capacity"
    );
}

/// A week of three working days over a random one-day problem: each pickup
/// visited once (three patterns) or, every third pickup, twice (three
/// patterns of two days).
fn random_week(seed: u64, n: usize, rich: bool) -> crate::week::WeekProblem {
    use crate::domain::{DaySet, Weekday::*, even_patterns};
    use crate::week::{Collection, WeekProblem, WeekSpec};
    let day = random_problem(seed, n, rich);
    let working = DaySet::of(&[Mon, Wed, Fri]);
    let spec = WeekSpec {
        working,
        collections: (0..n)
            .map(|c| Collection {
                patterns: even_patterns(working, if c % 3 == 0 { 2 } else { 1 }).unwrap(),
                per_day: None,
            })
            .collect(),
        counts_by_day: vec![None; day.vehicle_types().len()],
        facility_closed: vec![DaySet::default(); day.facilities().len()],
    };
    WeekProblem::build(&day, &spec).unwrap()
}

/// [`scratch_cost`] plus the unserved prices of the wanted clients in no
/// route (absent clients cost nothing).
fn scratch_total(ls: &LocalSearch) -> Cost {
    let unserved: Cost = (0..ls.pos.len())
        .filter(|&c| ls.pos[c].0 == UNROUTED && !ls.absent(c))
        .map(|c| ls.eval().unserved(c))
        .sum();
    scratch_cost(ls) + unserved
}

/// The routed clients are exactly wanted ones: each in its group's active
/// pattern.
fn assert_only_wanted(ls: &LocalSearch) {
    for (c, &(r, _)) in ls.pos.iter().enumerate() {
        if r != UNROUTED {
            assert!(!ls.absent(c), "absent client {c} is routed");
        }
    }
    let groups = ls.d.problem.groups();
    assert_eq!(ls.active.len(), groups.len());
    for (g, pats) in groups.iter().enumerate() {
        assert!((ls.active[g] as usize) < pats.len(), "group {g}");
    }
}

#[test]
fn pattern_moves_predict_the_recomputed_cost() {
    let mut tried = 0;
    let mut improving = 0;
    for seed in 0..4u64 {
        for rich in [false, true] {
            let week = random_week(seed, 18, rich);
            let d = Data::new(&week.problem, 8);
            assert!(d.grouped());
            let mut rng = Rng::new(seed);
            let mut ind = Individual::new(&d, Vec::new(), Vec::new(), &TEST_PEN);
            ind.patterns = (0..week.groups.len())
                .map(|g| rng.index(week.groups[g].patterns.len()) as u32)
                .collect();
            let wanted = week
                .problem
                .wanted(&ind.patterns.iter().map(|&k| k as usize).collect::<Vec<_>>())
                .unwrap();
            ind.unassigned = (0..wanted.len()).filter(|&c| wanted[c]).collect();
            let mut ls = LocalSearch::new(&d);
            ls.exact = true;
            ls.load(&ind);
            // Serve the wanted clients, then change patterns at random.
            for c in 0..ls.pos.len() {
                if !ls.absent(c)
                    && let Some((_, r, after)) = optional::best_insertion(&ls, c)
                {
                    optional::insert(&mut ls, c, r, after);
                }
            }
            ls.set_penalties(TEST_PEN);
            assert_only_wanted(&ls);
            for _ in 0..40 {
                let g = rng.index(week.groups.len());
                let old = ls.active[g] as usize;
                let n = week.groups[g].patterns.len();
                let k = (old + 1 + rng.index(n - 1)) % n;
                let before = scratch_total(&ls);
                assert_eq!(before, ls.cost());
                let delta = pattern::apply(&mut ls, g, k);
                let after = scratch_total(&ls);
                assert_eq!(delta, after - before, "seed {seed} rich {rich} group {g}");
                assert_eq!(after, ls.cost());
                assert_consistent(&ls);
                assert_only_wanted(&ls);
                assert_eq!(ls.active[g] as usize, k);
                tried += 1;
                improving += usize::from(delta < 0);
                if rng.below(2) == 0 {
                    pattern::undo(&mut ls, g, old);
                    assert_consistent(&ls);
                    assert_only_wanted(&ls);
                    assert_eq!(ls.active[g] as usize, old);
                }
            }
        }
    }
    assert_eq!(tried, 320);
    assert!(improving > 0, "no pattern move improved");
}

#[test]
fn a_search_with_pattern_groups_keeps_one_pattern_per_group() {
    for rich in [false, true] {
        let week = random_week(7, 24, rich);
        let d = Data::new(&week.problem, 8);
        let mut rng = Rng::new(3);
        let mut ind = Individual::new(&d, Vec::new(), Vec::new(), &TEST_PEN);
        ind.unassigned = (0..week.problem.n_clients())
            .filter(|&c| week.problem.wanted(&vec![0; week.groups.len()]).unwrap()[c])
            .collect();
        ind.evaluate(&d, &TEST_PEN);
        let mut ls = LocalSearch::new(&d);
        ls.load(&ind);
        for c in 0..ls.pos.len() {
            if !ls.absent(c)
                && let Some((_, r, after)) = optional::best_insertion(&ls, c)
            {
                optional::insert(&mut ls, c, r, after);
            }
        }
        ls.run(&mut rng, TEST_PEN);
        assert_only_wanted(&ls);
        let start = ls.cost();
        // Perturbed (clients and patterns) and searched again.
        for _ in 0..20 {
            ls.perturb(&mut rng, 5);
            pattern::perturb(&mut ls, &mut rng, 2);
            ls.restrict = true;
            ls.run(&mut rng, TEST_PEN);
            ls.restrict = false;
            assert_only_wanted(&ls);
            assert_consistent(&ls);
        }
        ls.export(&mut ind);
        ind.evaluate(&d, &TEST_PEN);
        let sol = ind.to_solution();
        let rep = crate::model::check(&week.problem, &sol);
        assert!(
            !rep.violations.iter().any(|v| matches!(
                v.kind(),
                "not_wanted" | "missing" | "bad_patterns" | "duplicate"
            )),
            "{:?}",
            rep.violations
        );
        assert!(ls.stats[operator::PATTERN_SLOT].evaluations > 0);
        assert!(ls.cost() > 0 && start > 0);
    }
}

#[test]
fn solving_a_week_chooses_one_pattern_per_group_deterministically() {
    use crate::solver::{Budget, Method, Silent, SolveParams, solve};
    let week = random_week(11, 20, true);
    let run = |method: Method| {
        let params = SolveParams {
            method,
            seed: 5,
            ..SolveParams::default()
        };
        solve(
            &week.problem,
            &params,
            &mut Budget::iterations(300),
            &mut Silent,
        )
        .unwrap()
    };
    let a = run(Method::Ils);
    assert_eq!(a.solution.patterns.len(), week.groups.len());
    let rep = crate::model::check(&week.problem, &a.solution);
    assert!(rep.is_feasible(), "{:?}", rep.violations);
    assert_eq!(rep.cost, a.cost);
    // Every pickup visited on the days of its chosen pattern only.
    for (g, group) in week.groups.iter().enumerate() {
        let (days, range) = &group.patterns[a.solution.patterns[g]];
        let mut visited: Vec<_> = a
            .solution
            .routes
            .iter()
            .flat_map(|r| r.clients())
            .filter(|&c| week.visit_of[c].0 == group.pickup)
            .map(|c| {
                assert!(
                    range.contains(&c),
                    "pickup {g}: client {c} not in its pattern"
                );
                week.visit_of[c].1
            })
            .collect();
        // The visits not made (optional pickups may be dropped) are listed.
        visited.extend(
            a.solution
                .unassigned
                .iter()
                .filter(|&&c| range.contains(&c))
                .map(|&c| week.visit_of[c].1),
        );
        visited.sort();
        assert_eq!(visited, days.days().collect::<Vec<_>>(), "pickup {g}");
    }
    // Same seed, same result; HGS falls back to the same iterated local search.
    assert_eq!(run(Method::Ils).solution, a.solution);
    assert_eq!(run(Method::Hgs).solution, a.solution);
}
