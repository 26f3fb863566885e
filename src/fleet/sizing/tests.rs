//! The stages of fleet sizing: the pure ones on small values, the others
//! on the Monaco fixture (37 pickups, a compactor and a tricycle type).

use super::*;
use crate::fleet::LowerBound;
use crate::plan::tests::monaco;

fn options(iterations: u64) -> FleetOptions {
    let mut o = FleetOptions {
        step_iterations: iterations,
        ..FleetOptions::default()
    };
    o.plan.iterations = Some(iterations);
    o.plan.params.threads = 1;
    o
}

fn point(vehicles: usize, met: bool, served: f64, cost: f64) -> CurvePoint {
    CurvePoint {
        vehicles,
        by_type: BTreeMap::new(),
        points_served: BTreeMap::new(),
        demand_served: [(Zone::Urban, served)].into_iter().collect(),
        daily_cost: cost,
        targets_met: met,
    }
}

#[test]
fn the_descent_takes_the_dearest_vehicles_first() {
    assert_eq!(
        removal_order(&[100.0, 250.0, 30.0, 250.0]),
        vec![1, 3, 0, 2]
    );
    assert_eq!(removal_order(&[]), Vec::<usize>::new());
}

#[test]
fn candidate_fleets_have_one_vehicle_less_of_each_type_that_has_one() {
    let c = candidates(&[2, 0, 1], &[2, 1, 0]);
    assert_eq!(c, vec![(2, vec![2, 0, 0]), (0, vec![1, 0, 1])]);
    assert!(candidates(&[0, 0], &[0, 1]).is_empty());
}

#[test]
fn the_curve_keeps_per_size_the_point_that_serves_most_then_costs_least() {
    let mut curve = BTreeMap::new();
    keep_point(&mut curve, point(3, false, 0.9, 100.0));
    // Meeting the targets beats serving more.
    keep_point(&mut curve, point(3, true, 0.8, 500.0));
    assert!(curve[&3].targets_met);
    keep_point(&mut curve, point(3, false, 1.0, 10.0));
    assert!(curve[&3].targets_met);
    // Then more demand served; then, at equal service, the cheaper.
    keep_point(&mut curve, point(3, true, 0.85, 600.0));
    assert_eq!(curve[&3].daily_cost, 600.0);
    keep_point(&mut curve, point(3, true, 0.85, 550.0));
    assert_eq!(curve[&3].daily_cost, 550.0);
    keep_point(&mut curve, point(3, true, 0.85, 560.0));
    assert_eq!(curve[&3].daily_cost, 550.0);
    keep_point(&mut curve, point(2, false, 0.5, 1.0));
    assert_eq!(curve.len(), 2);
}

#[test]
fn blockers_name_a_bound_above_the_menu_before_the_plans_own() {
    let bound = |vehicles| LowerBound {
        vehicles,
        cost: 0.0,
        by_load: vehicles,
        by_time: 1,
        basis: "load".into(),
    };
    let plan = vec!["rural: 3 pickups unreachable".to_string()];
    let b = blockers(4, &bound(6), &plan);
    assert_eq!(b.len(), 2);
    assert!(
        b[0].starts_with("the targets need at least 6 vehicles and the menu has 4"),
        "{}",
        b[0]
    );
    assert_eq!(b[1], plan[0]);
    assert_eq!(blockers(6, &bound(6), &plan), plan);
}

#[test]
fn the_menu_input_sets_every_count_only_when_asked() {
    let input = monaco();
    let same = menu_input(&input, None);
    let counts =
        |i: &PlanInput| -> Vec<usize> { i.fleet.spec.vehicle.iter().map(|v| v.count).collect() };
    assert_eq!(counts(&same), vec![2, 2]);
    assert_eq!(counts(&menu_input(&input, Some(5))), vec![5, 5]);
}

#[test]
fn the_fleet_file_keeps_the_types_in_use_with_their_counts_and_profiles() {
    let input = monaco();
    let text = fleet_toml(&input, &[1, 0]).unwrap();
    let path = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(path.path(), &text).unwrap();
    let back = crate::io::plan::read_fleet(path.path()).unwrap();
    assert_eq!(back.spec.vehicle.len(), 1);
    assert_eq!(back.spec.vehicle[0].name, "compactor");
    assert_eq!(back.spec.vehicle[0].count, 1);
    assert_eq!(back.spec.vehicle[0].profile, "truck");
    assert_eq!(back.spec.targets, input.fleet.spec.targets);
}

#[test]
fn without_one_drops_the_lightest_route_of_the_type() {
    let input = monaco();
    let opts = options(30);
    let prep = plan::prepare(&input, &opts.plan).unwrap();
    let s = plan::solve(&prep, &opts.plan, None, None, &mut Silent).unwrap();
    let sol = s.solution();
    let p = prep.problem();
    let n = used(p, sol);
    assert_eq!(n.iter().sum::<usize>(), sol.routes.len());
    let t = sol.routes[0].vehicle_type;
    let fewer = without_one(sol, p, t);
    assert_eq!(used(p, &fewer)[t], n[t] - 1);
    let load = |r: &Route| -> i64 { r.clients().map(|c| p.clients()[c].demand[0]).sum() };
    let lightest = sol
        .routes
        .iter()
        .filter(|r| r.vehicle_type == t)
        .map(load)
        .min()
        .unwrap();
    let dropped: Vec<&Route> = sol
        .routes
        .iter()
        .filter(|r| !fewer.routes.contains(r))
        .collect();
    assert_eq!(dropped.len(), 1);
    assert_eq!(load(dropped[0]), lightest);
    // Its clients are unassigned now, in order.
    assert!(dropped[0].clients().all(|c| fewer.unassigned.contains(&c)));
    assert!(fewer.unassigned.windows(2).all(|w| w[0] < w[1]));
    // A type without routes leaves the solution as it was.
    let other = 1 - t;
    if n[other] == 0 {
        assert_eq!(without_one(sol, p, other), *sol);
    }
}

/// A sizing of `input` with `opts` after its menu solve.
fn sized<'a, 'o>(input: &'a PlanInput, opts: &'o FleetOptions) -> (Sizing<'a, 'o>, Found) {
    let prep = plan::prepare(input, &opts.plan).unwrap();
    let mut sz = Sizing::new(prep, opts);
    let first = sz.menu_solve(&mut Silent).unwrap();
    (sz, first)
}

#[test]
fn the_stages_descend_to_a_smaller_fleet_that_still_meets_the_targets() {
    let input = monaco();
    let opts = options(60);
    let (mut sz, first) = sized(&input, &opts);
    assert_eq!(sz.solves, 1);
    assert!(
        sz.meets(&first.solution),
        "the whole menu meets the targets"
    );
    assert!(!sz.pool.is_empty());
    let descended = sz.descend(first.clone()).unwrap();
    let n = |f: &Found| f.fleet.iter().sum::<usize>();
    assert!(n(&descended) <= n(&first));
    assert!(sz.solves > 1);
    // Each accepted fleet fits the menu and meets the targets under its
    // own counts.
    assert!(descended.fleet.iter().zip(&sz.menu).all(|(f, m)| f <= m));
    sz.prep.set_vehicle_counts(&descended.fleet);
    assert!(sz.meets(&descended.solution));
    let recombined = sz.recombine(descended.clone());
    assert!(n(&recombined) <= n(&descended));
    assert!(sz.meets(&recombined.solution));
    // The final plan is judged under the fleet found, not the menu.
    let plan = sz.final_plan(&recombined).unwrap();
    assert_eq!(sz.prep.vehicle_counts(), recombined.fleet);
    assert_eq!(plan.summary.stopped_by, "fleet_sizing");
    assert!(plan.check.is_feasible());
    let answer = sz.answer(recombined.clone(), plan).unwrap();
    assert!(answer.targets_met);
    assert_eq!(answer.vehicles.values().sum::<usize>(), n(&recombined));
    assert!(answer.curve.iter().all(|p| p.vehicles <= n(&recombined)));
    assert_eq!(
        answer.proven_minimal,
        answer.lower_bound.vehicles >= n(&recombined)
    );
}

#[test]
fn the_curve_records_each_size_below_the_fleet_found() {
    let input = monaco();
    let opts = options(30);
    let (mut sz, first) = sized(&input, &opts);
    let n: usize = first.fleet.iter().sum();
    sz.trade_off_curve(&first).unwrap();
    // One point per size from one vehicle up (a size with no feasible
    // solve would be missing; the fixture has none).
    let sizes: Vec<usize> = sz.curve.keys().copied().collect();
    assert_eq!(sizes, (1..=n).collect::<Vec<_>>());
    // Fewer vehicles never serve more than the menu solve.
    let served = |p: &CurvePoint| p.demand_served.values().sum::<f64>();
    assert!(served(&sz.curve[&1]) <= served(&sz.curve[&n]) + 1e-9);
}

#[test]
fn a_past_deadline_ends_the_sizing_after_the_menu_solve_as_time() {
    let input = monaco();
    let mut opts = options(30);
    opts.plan.seconds = Some(1e-9);
    let (mut sz, first) = sized(&input, &opts);
    assert!(sz.descent_step(&first).unwrap().is_none());
    assert_eq!(sz.clock.cut, Some("time"));
    let plan = sz.final_plan(&first).unwrap();
    assert_eq!(plan.summary.stopped_by, "time");
}
