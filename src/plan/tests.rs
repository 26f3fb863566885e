//! The stages of a plan on the Monaco fixture (37 pickups, two road
//! profiles, two vehicle types).

use super::*;
use crate::solver::Silent;

/// A file of `tests/data`.
pub(crate) fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The Monaco fixture's inputs (the other modules' tests use it too).
pub(crate) fn monaco() -> PlanInput {
    PlanInput::load(
        &data("monaco-latest.osm.pbf"),
        &data("plan/pickups.csv"),
        &data("plan/facilities.csv"),
        &data("plan/fleet.toml"),
        None,
    )
    .unwrap()
}

fn opts(iterations: u64) -> PlanOptions {
    PlanOptions {
        params: SolveParams {
            threads: 1,
            ..SolveParams::for_plans()
        },
        iterations: Some(iterations),
        ..PlanOptions::default()
    }
}

#[test]
fn prepare_gives_the_problem_its_graphs_and_the_unservable_pickups() {
    let input = monaco();
    let prep = prepare(&input, &opts(10)).unwrap();
    assert!(std::ptr::eq(prep.input(), &input));
    // Two profiles (truck, small), one graph each, in the fleet's order.
    let graphs = prep.road_graphs();
    assert_eq!(graphs.len(), 2);
    assert_eq!(graphs[0].profile_name(), "truck");
    assert_eq!(graphs[1].profile_name(), "small");
    assert_eq!(prep.problem().vehicle_types().len(), 2);
    assert_eq!(prep.vehicle_counts(), vec![2, 2]);
    // Every pickup is a client or unservable, never both.
    let clients: Vec<&str> = prep
        .client_pickup()
        .iter()
        .map(|&p| input.pickups[p].id.as_str())
        .collect();
    assert_eq!(
        clients.len() + prep.unserved().len(),
        input.pickups.len(),
        "{:?}",
        prep.unserved()
    );
    for u in prep.unserved() {
        assert!(!clients.contains(&u.id.as_str()), "{}", u.id);
    }
}

#[test]
fn vehicle_counts_change_in_place_and_the_matrices_stay_shared() {
    let input = monaco();
    let mut prep = prepare(&input, &opts(10)).unwrap();
    let matrices = prep.problem().profiles().as_ptr();
    prep.set_vehicle_counts(&[1, 0]);
    assert_eq!(prep.vehicle_counts(), vec![1, 0]);
    assert_eq!(prep.problem().n_vehicles(), 1);
    assert!(std::ptr::eq(prep.problem().profiles().as_ptr(), matrices));
    // A solve sees the counts: no route of the type without vehicles.
    let s = solve(&prep, &opts(20), None, None, &mut Silent).unwrap();
    assert!(s.solution().routes.iter().all(|r| r.vehicle_type == 0));
    assert!(s.solution().routes.len() <= 1);
}

#[test]
fn run_is_the_composition_of_the_stages() {
    let input = monaco();
    let o = opts(40);
    let whole = run(&input, &o, &mut Silent).unwrap();
    let prep = prepare(&input, &o).unwrap();
    let solved = solve(&prep, &o, None, prep.search_end(&o), &mut Silent).unwrap();
    assert_eq!(solved.stopped_by(), "iterations");
    assert_eq!(solved.iterations(), 40);
    let staged = build(&prep, solved, &o).unwrap();
    assert_eq!(staged.solution, whole.solution);
    assert_eq!(staged.summary.cost, whole.summary.cost);
    assert_eq!(staged.summary.stopped_by, "iterations");
    assert_eq!(staged.summary.iterations, 40);
    assert_eq!(staged.routes.len(), whole.routes.len());
}

#[test]
fn solve_starts_from_a_given_solution_and_pools_feasible_routes() {
    let input = monaco();
    let o = PlanOptions {
        recombine: false,
        ..opts(20)
    };
    let prep = prepare(&input, &o).unwrap();
    let first = solve(&prep, &o, None, None, &mut Silent).unwrap();
    assert!(first.recombination.is_none());
    // The pool holds the solution's routes, and only feasible ones.
    for r in &first.solution().routes {
        assert!(first.pool.contains(r));
    }
    for r in &first.pool {
        assert!(
            crate::model::check_one_route(prep.problem(), r)
                .1
                .is_empty()
        );
    }
    let again = solve(&prep, &o, Some(first.solution()), None, &mut Silent).unwrap();
    let cost = |s: &Solved| check(prep.problem(), s.solution()).cost;
    assert!(cost(&again) <= cost(&first));
}

#[test]
fn build_reports_a_solution_found_elsewhere_as_fleet_sizing() {
    let input = monaco();
    let o = opts(20);
    let prep = prepare(&input, &o).unwrap();
    let s = solve(&prep, &o, None, None, &mut Silent).unwrap();
    let p = build(&prep, Solved::from_solution(s.solution), &o).unwrap();
    assert_eq!(p.summary.stopped_by, "fleet_sizing");
    assert_eq!(p.summary.iterations, 0);
    assert_eq!(p.summary.phases.solve_s, 0.0);
    assert_eq!(p.summary.inputs, input.files);
    assert!(p.summary.recombination.is_none());
}

#[test]
fn the_search_ends_before_the_limit_by_the_finish_reserve() {
    let input = monaco();
    let prep = prepare(&input, &opts(10)).unwrap();
    assert_eq!(prep.search_end(&opts(10)), None);
    let limited = PlanOptions {
        seconds: Some(1000.0),
        ..opts(10)
    };
    let end = prep.search_end(&limited).unwrap();
    let reserve = finish_reserve(1000.0, prep.problem().n_clients());
    assert_eq!(end, prep.started() + Duration::from_secs(1000) - reserve);
    // A limit already past ends the search now, not before.
    let past = PlanOptions {
        seconds: Some(1e-9),
        ..opts(10)
    };
    assert!(prep.search_end(&past).unwrap() >= prep.started());
}

#[test]
fn the_finish_reserve_grows_with_the_pickups_up_to_a_quarter_of_the_limit() {
    assert_eq!(finish_reserve(100.0, 0), Duration::from_millis(300));
    assert_eq!(finish_reserve(100.0, 2000), Duration::from_millis(1300));
    assert_eq!(finish_reserve(2.0, 2000), Duration::from_millis(500));
    assert_eq!(finish_reserve(-1.0, 10), Duration::ZERO);
}
