//! End-to-end planning on a small real map (Monaco, © OpenStreetMap
//! contributors, ODbL 1.0): every pickup ends in a route or in the unserved
//! list with its reason, input errors name file, line and field, outputs are
//! written atomically, and the same seed gives the same plan.

use std::fs;
use std::path::{Path, PathBuf};
use wasteroute::Error;
use wasteroute::plan::{self, Plan, PlanInput, PlanOptions, UnservedReason};
use wasteroute::solver::{Silent, SolveParams};

pub(crate) fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The fixture's files copied into a temp folder, edited by `edit`.
pub(crate) struct Fixture {
    pub(crate) dir: tempfile::TempDir,
}

impl Fixture {
    pub(crate) fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        for f in ["pickups.csv", "facilities.csv", "fleet.toml"] {
            fs::copy(data("plan").join(f), dir.path().join(f)).unwrap();
        }
        Fixture { dir }
    }
    pub(crate) fn path(&self, f: &str) -> PathBuf {
        self.dir.path().join(f)
    }
    pub(crate) fn append(&self, f: &str, text: &str) {
        let mut s = fs::read_to_string(self.path(f)).unwrap();
        s.push_str(text);
        fs::write(self.path(f), s).unwrap();
    }
    pub(crate) fn replace(&self, f: &str, from: &str, to: &str) {
        let s = fs::read_to_string(self.path(f)).unwrap();
        assert!(s.contains(from), "{from} not in {f}");
        fs::write(self.path(f), s.replacen(from, to, 1)).unwrap();
    }
    pub(crate) fn load(&self, closures: Option<&Path>) -> wasteroute::Result<PlanInput> {
        PlanInput::load(
            &data("monaco-latest.osm.pbf"),
            &self.path("pickups.csv"),
            &self.path("facilities.csv"),
            &self.path("fleet.toml"),
            closures,
        )
    }
    fn plan(&self, closures: Option<&Path>) -> Plan {
        let input = self.load(closures).unwrap();
        plan::run(&input, &opts(1), &mut Silent).unwrap()
    }
}

fn opts(seed: u64) -> PlanOptions {
    PlanOptions {
        params: SolveParams {
            seed,
            ..SolveParams::for_plans()
        },
        iterations: Some(150),
        ..PlanOptions::default()
    }
}

/// Every pickup is served exactly once or listed once as unserved.
fn assert_accounted(p: &Plan, n_pickups: usize) {
    let served: usize = p
        .routes
        .iter()
        .map(|r| {
            r.stops
                .iter()
                .filter(|s| s.id.starts_with('M') || s.id.starts_with('X'))
                .filter(|s| matches!(s.kind, plan::StopKind::Pickup))
                .count()
        })
        .sum();
    assert_eq!(
        served + p.unserved.len(),
        n_pickups,
        "a pickup is lost or counted twice"
    );
    assert!(p.check.is_feasible(), "checker: {:?}", p.check.violations);
}

#[test]
fn the_monaco_fixture_is_served_completely_and_checked() {
    let fx = Fixture::new();
    let p = fx.plan(None);
    assert_accounted(&p, 37);
    assert!(p.unserved.is_empty(), "{:?}", p.unserved);
    assert!(p.summary.targets_met);
    let urban = &p.summary.coverage[&wasteroute::domain::Zone::Urban];
    assert_eq!((urban.points_served, urban.points_total), (27, 27));
    // The medical pickup unloads where medical waste is accepted.
    let r = p
        .routes
        .iter()
        .find(|r| r.stops.iter().any(|s| s.id == "M07"))
        .unwrap();
    let at = r.stops.iter().position(|s| s.id == "M07").unwrap();
    let unload = r.stops[at..]
        .iter()
        .find(|s| s.kind == plan::StopKind::Facility)
        .unwrap();
    assert_eq!(unload.id, "PLANT");
    // Each route ends with an unload and then the depot; times increase.
    for r in &p.routes {
        let n = r.stops.len();
        assert_eq!(r.stops[n - 1].kind, plan::StopKind::Depot);
        assert!(
            r.stops[..n - 1]
                .iter()
                .rev()
                .find(|s| s.kind != plan::StopKind::Break)
                .unwrap()
                .kind
                == plan::StopKind::Facility
        );
        assert!(r.stops.windows(2).all(|w| w[0].departure <= w[1].arrival));
        assert!(!r.trips.is_empty() && r.trips.iter().all(|t| t.geometry.len() >= 2));
    }
}

#[test]
fn unserved_pickups_carry_their_reason() {
    let fx = Fixture::new();
    // In the sea, 2 km off the coast: unreachable, with its distance.
    fx.append(
        "pickups.csv",
        "X-SEA,43.7200,7.4500,urban,50,,,,,household,,Boat\n",
    );
    // Hazardous waste: no facility accepts it.
    fx.replace(
        "fleet.toml",
        "streams = [\"household\", \"recyclable\", \"medical\"]",
        "streams = [\"household\", \"recyclable\", \"medical\", \"hazardous\"]",
    );
    fx.append(
        "pickups.csv",
        "X-HAZ,43.737582,7.420550,urban,20,,,,,hazardous,,Garage\n",
    );
    // More than the tricycle holds, and only tricycles reach... use the stream
    // rule instead: recyclables above every vehicle that carries them.
    fx.replace(
        "fleet.toml",
        "capacity_kg = 3000",
        "capacity_kg = 3000\ncapacity_m3 = 10",
    );
    fx.append(
        "pickups.csv",
        "X-BIG,43.737582,7.420550,urban,100,12,,,,household,,Bulky\n",
    );
    let input = fx.load(None);
    // 12 m3 exceeds every vehicle (10 m3, tricycle unlimited volume? no: it
    // has no volume limit, so it may carry it): the pickup is for the tricycle
    // only, whose 300 kg hold 100 kg: served.
    let p = plan::run(&input.unwrap(), &opts(1), &mut Silent).unwrap();
    let reason = |id: &str| {
        p.unserved
            .iter()
            .find(|u| u.id == id)
            .map(|u| (u.reason, u.detail.clone()))
    };
    let (r, detail) = reason("X-SEA").expect("the sea pickup must be unserved");
    assert_eq!(r, UnservedReason::Unreachable);
    assert!(detail.contains(" m away"), "{detail}");
    assert_eq!(
        reason("X-HAZ").map(|x| x.0),
        Some(UnservedReason::NoFacility)
    );
    assert_accounted(&p, 40);
    // Urban target missed, and the blocker names the reasons.
    assert!(!p.summary.targets_met);
    assert!(
        p.summary
            .blockers
            .iter()
            .any(|b| b.contains("unreachable") && b.contains("X-SEA") && b.contains(" m away")),
        "{:?}",
        p.summary.blockers
    );
}

#[test]
fn a_time_window_nobody_reaches_and_a_short_fleet_are_reported() {
    let fx = Fixture::new();
    // Opens and closes before any vehicle could get there after 06:00.
    fx.append(
        "pickups.csv",
        "X-EARLY,43.748143,7.434759,urban,50,,,06:00,06:00,household,,Dawn\n",
    );
    // One small compactor: not everything fits in its shift and hold.
    fx.replace(
        "fleet.toml",
        "count = 2\ndepot = \"DEPOT\"\nprofile = \"truck\"\ncapacity_kg = 3000",
        "count = 1\ndepot = \"DEPOT\"\nprofile = \"truck\"\ncapacity_kg = 3000\nmax_trips = 1",
    );
    fx.replace(
        "fleet.toml",
        "count = 2\ndepot = \"DEPOT\"\nprofile = \"small\"",
        "count = 1\ndepot = \"DEPOT\"\nprofile = \"small\"",
    );
    let p = fx.plan(None);
    let u = p
        .unserved
        .iter()
        .find(|u| u.id == "X-EARLY")
        .expect("X-EARLY unserved");
    assert_eq!(u.reason, UnservedReason::TimeWindow);
    assert!(
        p.unserved.iter().any(|u| u.reason == UnservedReason::Fleet),
        "{:?}",
        p.unserved
    );
    assert_accounted(&p, 38);
    // Required (urban) pickups weigh more than optional (rural) ones.
    use wasteroute::domain::Zone;
    let (urban, rural) = (
        &p.summary.coverage[&Zone::Urban],
        &p.summary.coverage[&Zone::Rural],
    );
    assert!(
        urban.share_demand > rural.share_demand,
        "urban {urban:?} rural {rural:?}"
    );
    assert!(!p.summary.targets_met);
}

#[test]
fn closures_cut_off_pickups() {
    let fx = Fixture::new();
    // A polygon around pickup M01 closes its streets.
    let geo = fx.path("flood.geojson");
    fs::write(
        &geo,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"factor":0},
        "geometry":{"type":"Polygon","coordinates":[[[7.4335,43.7472],[7.4360,43.7472],[7.4360,43.7490],[7.4335,43.7490],[7.4335,43.7472]]]}}]}"#,
    )
    .unwrap();
    let p = fx.plan(Some(&geo));
    let u = p
        .unserved
        .iter()
        .find(|u| u.id == "M01")
        .expect("M01 is inside the closed area");
    assert_eq!(u.reason, UnservedReason::Closures);
    assert_accounted(&p, 37);
}

fn input_error(edit: impl FnOnce(&Fixture)) -> (String, Error) {
    let fx = Fixture::new();
    edit(&fx);
    let e = match fx.load(None) {
        Err(e) => e,
        Ok(input) => plan::run(&input, &opts(1), &mut Silent).expect_err("expected an error"),
    };
    (e.to_string(), e)
}

#[test]
fn input_errors_name_the_file_the_line_and_the_field() {
    let (m, e) = input_error(|fx| fx.append("pickups.csv", "X1,43.74,7.42,suburban,10,,,,,,,\n"));
    assert!(
        m.contains("pickups.csv:39") && m.contains("zone") && m.contains("suburban"),
        "{m}"
    );
    assert!(e.is_input());
    let (m, _) = input_error(|fx| fx.append("pickups.csv", "X1,143.74,7.42,urban,10,,,,,,,\n"));
    assert!(m.contains("pickups.csv:39") && m.contains("lat"), "{m}");
    let (m, _) = input_error(|fx| fx.append("pickups.csv", "X1,43.74,7.42,urban,9000,,,,,,,\n"));
    assert!(
        m.contains("pickups.csv:39") && m.contains("demand_kg") && m.contains("every vehicle"),
        "{m}"
    );
    let (m, _) =
        input_error(|fx| fx.append("pickups.csv", "X1,43.74,7.42,urban,10,,,20:00,21:00,,,\n"));
    assert!(
        m.contains("pickups.csv:39") && m.contains("outside every shift"),
        "{m}"
    );
    let (m, _) =
        input_error(|fx| fx.replace("fleet.toml", "depot = \"DEPOT\"", "depot = \"GARAGE\""));
    assert!(
        m.contains("fleet.toml") && m.contains("depot") && m.contains("GARAGE"),
        "{m}"
    );
    let (m, _) = input_error(|fx| fx.replace("facilities.csv", "household;recyclable,", ";,"));
    assert!(
        m.contains("facilities.csv:3") && m.contains("accepts"),
        "{m}"
    );
    let (m, _) = input_error(|fx| fx.append("pickups.csv", "M01,43.74,7.42,urban,10,,,,,,,\n"));
    assert!(m.contains("already used"), "{m}");
}

#[test]
fn the_same_seed_gives_the_same_plan_and_outputs_replace_atomically() {
    let fx = Fixture::new();
    let input = fx.load(None).unwrap();
    let out = fx.path("out");
    let mut a = plan::run(&input, &opts(3), &mut Silent).unwrap();
    plan::write(&out, &mut a, &[]).unwrap();
    let csv_a = fs::read_to_string(out.join("routes.csv")).unwrap();
    let mut b = plan::run(&input, &opts(3), &mut Silent).unwrap();
    plan::write(&out, &mut b, &[]).unwrap();
    let csv_b = fs::read_to_string(out.join("routes.csv")).unwrap();
    assert_eq!(csv_a, csv_b);
    assert_eq!(a.solution, b.solution);
    // Only the plan folder and the inputs remain: no partial folders.
    let names: Vec<String> = fs::read_dir(fx.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| !n.contains("partial") && !n.contains(".old")),
        "{names:?}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    for key in [
        "coverage",
        "coverage_by_stream",
        "unserved",
        "vehicles_used",
        "trips",
        "km",
        "hours",
        "cost",
        "seed",
        "threads",
        "runtime_s",
    ] {
        assert!(summary.get(key).is_some(), "summary.json lacks {key}");
    }
    let urban = &summary["coverage"]["urban"];
    for key in [
        "points_total",
        "points_served",
        "demand_total_kg",
        "demand_served_kg",
        "target",
        "met",
    ] {
        assert!(urban.get(key).is_some(), "coverage.urban lacks {key}");
    }
    // Memory per phase is reported. Readings are not compared: the kernel
    // folds per-thread RSS counters into VmHWM lazily, and the test threads
    // share the process, so the order of two readings is not a property of
    // the plan (issue 11, item 11).
    let m = &summary["phases_peak_rss_mb"];
    let mut readings = vec![&summary["peak_rss_mb"]];
    for key in ["graph_mb", "matrix_mb", "solve_mb"] {
        assert!(m.get(key).is_some(), "phases_peak_rss_mb lacks {key}: {m}");
        readings.push(&m[key]);
    }
    for r in readings {
        if cfg!(target_os = "linux") {
            let mb = r.as_f64().unwrap_or(f64::NAN);
            assert!(mb.is_finite() && mb > 0.0, "{r} in {m}");
        } else {
            assert!(r.is_null() || r.as_f64().is_some_and(f64::is_finite), "{r}");
        }
    }
    let geo: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("routes.geojson")).unwrap()).unwrap();
    assert_eq!(geo["type"], "FeatureCollection");
    let rows = csv_a.lines().count() - 1;
    assert_eq!(rows, a.routes.iter().map(|r| r.stops.len()).sum::<usize>());
}

mod fleet_sizing {
    use super::*;
    use wasteroute::fleet::{self, FleetOptions};

    fn fleet_opts() -> FleetOptions {
        FleetOptions {
            plan: opts(1),
            step_iterations: 120,
            curve: true,
            ..FleetOptions::default()
        }
    }

    /// Sizes the fleet of the fixture with `n` compactors on the menu and no
    /// tricycles, without the trade-off curve.
    fn size_with_trucks_only(fx: &Fixture, n: usize) -> fleet::FleetAnswer {
        fx.replace(
            "fleet.toml",
            "count = 2\ndepot = \"DEPOT\"\nprofile = \"truck\"",
            &format!("count = {n}\ndepot = \"DEPOT\"\nprofile = \"truck\""),
        );
        fx.replace(
            "fleet.toml",
            "count = 2\ndepot = \"DEPOT\"\nprofile = \"small\"",
            "count = 0\ndepot = \"DEPOT\"\nprofile = \"small\"",
        );
        let input = fx.load(None).unwrap();
        let opts = FleetOptions {
            curve: false,
            ..fleet_opts()
        };
        fleet::size(&input, &opts, &mut Silent).unwrap()
    }

    #[test]
    fn the_fleet_found_meets_the_targets_and_is_feasible() {
        let fx = Fixture::new();
        let input = fx.load(None).unwrap();
        let a = fleet::size(&input, &fleet_opts(), &mut Silent).unwrap();
        assert!(a.targets_met);
        assert!(a.plan.check.is_feasible(), "{:?}", a.plan.check.violations);
        let n: usize = a.vehicles.values().sum();
        assert!(
            a.lower_bound.vehicles <= n,
            "bound {} above the fleet found {n}",
            a.lower_bound.vehicles
        );
        assert_eq!(a.proven_minimal, a.lower_bound.vehicles == n);
        // The fleet file round-trips through the reader `plan` uses.
        let path = fx.path("found.toml");
        fs::write(&path, &a.fleet_toml).unwrap();
        let again = wasteroute::io::plan::read_fleet(&path).unwrap();
        let counts: usize = again.spec.vehicle.iter().map(|v| v.count).sum();
        assert_eq!(counts, n);
        // The curve ends at the fleet found, and smaller fleets miss a target.
        assert_eq!(a.curve.last().map(|p| p.vehicles), Some(n));
        assert!(
            a.curve
                .iter()
                .filter(|p| p.vehicles < n)
                .all(|p| !p.targets_met)
        );
    }

    #[test]
    fn the_load_bound_is_exact_when_capacity_decides() {
        // Single-trip compactors of 3000 kg and no tricycles: the 8,671 kg of
        // the fixture need ceil(8671 / 3000) = 3 trucks, and 3 are enough.
        let fx = Fixture::new();
        fx.replace(
            "fleet.toml",
            "capacity_kg = 3000",
            "capacity_kg = 3000\nmax_trips = 1",
        );
        let a = size_with_trucks_only(&fx, 5);
        assert_eq!(a.lower_bound.by_load, 3);
        assert_eq!(a.vehicles.get("compactor"), Some(&3), "{:?}", a.vehicles);
        assert!(a.proven_minimal);
    }

    #[test]
    fn the_time_bound_counts_service_and_stays_below_the_fleet_found() {
        // Half an hour at every pickup and six-hour compactors only: the
        // targets need at least 36 of the 37 pickups, so 18 h of service
        // alone, and no fleet of 3 compactors (18 h of shift, a break each)
        // can do it. The bound must see that, and never exceed a fleet that
        // the checker accepts.
        let fx = Fixture::new();
        let csv = fs::read_to_string(fx.path("pickups.csv")).unwrap();
        let slow: String = csv
            .lines()
            .map(|l| l.replacen(",60,", ",1800,", 1) + "\n")
            .collect();
        fs::write(fx.path("pickups.csv"), slow).unwrap();
        let a = size_with_trucks_only(&fx, 8);
        assert!(a.lower_bound.by_time >= 3, "{:?}", a.lower_bound);
        assert!(a.lower_bound.by_time > a.lower_bound.by_load);
        let n: usize = a.vehicles.values().sum();
        assert!(a.targets_met);
        assert!(a.plan.check.is_feasible(), "{:?}", a.plan.check.violations);
        assert!(n >= 4, "{n} compactors cannot hold 18 h of service");
        assert!(a.lower_bound.vehicles <= n, "{:?} above {n}", a.lower_bound);
    }
}

mod scenarios {
    use super::*;
    use wasteroute::scenario::{Row, Scenario};

    fn write_scenario(fx: &Fixture, name: &str, body: &str) -> PathBuf {
        let p = fx.path(name);
        fs::write(
            &p,
            format!(
                "base = \".\"\nosm = \"{}\"\n{body}",
                data("monaco-latest.osm.pbf").display()
            ),
        )
        .unwrap();
        p
    }

    #[test]
    fn scenario_tables_are_deterministic_and_apply_their_overrides() {
        let fx = Fixture::new();
        let base = write_scenario(&fx, "base.toml", "name = \"Base\"\n");
        let grow = write_scenario(
            &fx,
            "grow.toml",
            "name = \"Growth\"\n[demand]\nurban = 2.0\n[fleet]\ncompactor = 1\n",
        );
        let rows = |p: &Path| {
            let sc = Scenario::load(p, fx.dir.path()).unwrap();
            let input = sc.input().unwrap();
            Row::of(
                &sc.name,
                &plan::run(&input, &opts(5), &mut Silent).unwrap().summary,
            )
        };
        let (a, b) = (rows(&base), rows(&grow));
        assert_eq!(a, rows(&base), "same seed, same table");
        assert!(b.vehicles.get("compactor").copied().unwrap_or(0) <= 1);
        assert!(
            b.trips > a.trips,
            "doubled urban waste needs more trips: {} vs {}",
            b.trips,
            a.trips
        );
        // A fleet override naming a missing type is an input error.
        let bad = write_scenario(&fx, "bad.toml", "[fleet]\nbarge = 2\n");
        let e = Scenario::load(&bad, fx.dir.path())
            .unwrap()
            .input()
            .unwrap_err();
        assert!(
            e.to_string().contains("bad.toml") && e.to_string().contains("barge"),
            "{e}"
        );
    }
}

/// The bundled demo's folder.
fn demo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/demo")
}

/// The demo's inputs, with the fleet and facilities files given.
fn demo_input(fleet: &Path, facilities: &Path) -> PlanInput {
    PlanInput::load(
        &demo().join("map.osm.pbf"),
        &demo().join("pickups.csv"),
        facilities,
        fleet,
        None,
    )
    .unwrap()
}

/// A short search for the demo: `iterations`, no recombination.
fn demo_opts(iterations: u64) -> PlanOptions {
    PlanOptions {
        iterations: Some(iterations),
        recombine: false,
        ..opts(1)
    }
}

/// Pickups served by the plan's routes.
fn served(p: &Plan) -> usize {
    p.routes
        .iter()
        .map(|r| {
            r.stops
                .iter()
                .filter(|s| s.kind == plan::StopKind::Pickup)
                .count()
        })
        .sum()
}

#[test]
fn the_bundled_demo_plans_and_meets_its_targets() {
    let input = demo_input(&demo().join("fleet.toml"), &demo().join("facilities.csv"));
    let p = plan::run(&input, &demo_opts(100), &mut Silent).unwrap();
    assert!(p.check.is_feasible(), "{:?}", p.check.violations);
    assert_eq!(served(&p) + p.unserved.len(), input.pickups.len());
    assert!(p.summary.targets_met, "{:?}", p.summary.blockers);
}

/// Stops (ids) of each vehicle, in order.
fn stops_per_vehicle(p: &Plan) -> Vec<(String, Vec<String>)> {
    p.routes
        .iter()
        .map(|r| {
            (
                r.vehicle.clone(),
                r.stops.iter().map(|s| s.id.clone()).collect(),
            )
        })
        .collect()
}

#[test]
fn costs_in_any_power_of_ten_give_the_same_routes() {
    // Every cost figure of the fixture's fleet times 10^k, written as a
    // dispatcher would (`100e-2`, `20e7`): same routes, costs times 10^k.
    let base_fleet = fs::read_to_string(data("plan").join("fleet.toml")).unwrap();
    let o = PlanOptions {
        iterations: Some(80),
        ..opts(2)
    };
    let mut reference: Option<Plan> = None;
    for k in std::iter::once(0).chain((-2..=7).filter(|&k| k != 0)) {
        let fx = Fixture::new();
        let scaled: String = base_fleet
            .lines()
            .map(|l| {
                let cost = ["fixed_cost", "cost_per_km", "cost_per_hour"]
                    .iter()
                    .any(|f| l.starts_with(&format!("{f} =")));
                if cost {
                    format!("{l}e{k}\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        assert_eq!(scaled.matches(&format!("e{k}\n")).count(), 6);
        fs::write(fx.path("fleet.toml"), scaled).unwrap();
        let p = plan::run(&fx.load(None).unwrap(), &o, &mut Silent).unwrap();
        assert!(p.check.is_feasible(), "x 10^{k}: {:?}", p.check.violations);
        let Some(r) = &reference else {
            reference = Some(p);
            continue;
        };
        let f = 10f64.powi(k);
        assert_eq!(stops_per_vehicle(&p), stops_per_vehicle(r), "x 10^{k}");
        assert_eq!(p.solution, r.solution, "x 10^{k}");
        assert_eq!(p.summary.km, r.summary.km);
        // Costs are rounded to cents in each currency.
        let close = |a: f64, b: f64| (a - b).abs() <= 0.006 * (1.0 + f) + 1e-12 * b.abs();
        assert!(
            close(p.summary.cost, r.summary.cost * f),
            "x 10^{k}: cost {} against {} x {f}",
            p.summary.cost,
            r.summary.cost
        );
        for (a, b) in p.routes.iter().zip(&r.routes) {
            assert!(close(a.cost, b.cost * f), "x 10^{k}: {} {}", a.cost, b.cost);
        }
    }
}

#[test]
fn cost_figures_out_of_range_are_refused_naming_the_field() {
    let fx = Fixture::new();
    fx.replace("fleet.toml", "fixed_cost = 100", "fixed_cost = 1e16");
    let e = fx.load(None).unwrap();
    let err = plan::run(&e, &opts(1), &mut Silent).unwrap_err();
    let msg = err.to_string();
    assert!(err.is_input(), "{msg}");
    assert!(
        msg.contains("fleet.toml") && msg.contains("vehicle 'compactor'.fixed_cost"),
        "{msg}"
    );
    // A fixed cost of 10^13 leaves a cost per km of 1 no precision: refused,
    // not planned with an overflowing cost.
    let fx = Fixture::new();
    fx.replace("fleet.toml", "fixed_cost = 100", "fixed_cost = 1e13");
    let err = plan::run(&fx.load(None).unwrap(), &opts(1), &mut Silent).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("vehicle 'compactor'.cost_per_km") && msg.contains("count as 0"),
        "{msg}"
    );
}

#[test]
fn the_demo_fleet_priced_in_dong_serves_every_required_pickup() {
    let input = demo_input(
        &demo().join("fleet-vnd.toml"),
        &demo().join("facilities.csv"),
    );
    let p = plan::run(&input, &demo_opts(100), &mut Silent).unwrap();
    assert!(p.check.is_feasible(), "{:?}", p.check.violations);
    let required_out: Vec<&str> = p
        .unserved
        .iter()
        .filter(|u| u.required)
        .map(|u| u.id.as_str())
        .collect();
    assert!(required_out.is_empty(), "{required_out:?}");
    assert!(p.summary.targets_met, "{:?}", p.summary.blockers);
    // A compactor-day costs millions of dong.
    assert!(p.summary.cost > 3e6, "{}", p.summary.cost);
    assert!(p.routes.iter().any(|r| r.vehicle_type == "hazmat-van"));
}

#[test]
fn the_search_keeps_transfer_stations_within_their_daily_capacity() {
    // Both transfer stations of the demo take at most 100 kg a day: the
    // household and recyclable waste must go to the landfill (or stay out,
    // with a reason), and the checker must accept the plan.
    let dir = tempfile::tempdir().unwrap();
    let facilities = dir.path().join("facilities.csv");
    let text = fs::read_to_string(demo().join("facilities.csv")).unwrap();
    assert_eq!(text.matches("household;recyclable,70000").count(), 2);
    fs::write(
        &facilities,
        text.replace("household;recyclable,70000", "household;recyclable,100"),
    )
    .unwrap();
    let input = demo_input(&demo().join("fleet.toml"), &facilities);
    let p = plan::run(&input, &demo_opts(50), &mut Silent).unwrap();
    assert!(p.check.is_feasible(), "{:?}", p.summary.violations);
    assert!(p.summary.violations.is_empty());
    let mut received: std::collections::BTreeMap<&str, f64> = Default::default();
    for r in &p.routes {
        for t in &r.trips {
            *received.entry(t.facility.as_str()).or_default() += t.load_kg;
        }
    }
    for ts in ["TS-NORTH", "TS-SOUTH"] {
        let got = received.get(ts).copied().unwrap_or(0.0);
        assert!(got <= 100.0, "{ts} receives {got} kg: {received:?}");
    }
    assert!(
        received.get("LANDFILL").copied().unwrap_or(0.0) > 30_000.0,
        "{received:?}"
    );
    assert_eq!(served(&p) + p.unserved.len(), input.pickups.len());
}

#[test]
fn pickups_no_facility_has_room_for_are_left_out_with_that_reason() {
    // Both facilities of the fixture take 1,500 kg a day, of the 8,671 kg
    // to collect: the plan respects the capacities and says why the rest
    // stays out.
    let fx = Fixture::new();
    let text = fs::read_to_string(fx.path("facilities.csv")).unwrap();
    let capped: String = text
        .lines()
        .map(|l| {
            if l.starts_with("TS,") || l.starts_with("PLANT,") {
                format!("{l}1500\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    fs::write(fx.path("facilities.csv"), capped).unwrap();
    let p = fx.plan(None);
    assert_accounted(&p, 37);
    let mut received: std::collections::BTreeMap<&str, f64> = Default::default();
    for r in &p.routes {
        for t in &r.trips {
            *received.entry(t.facility.as_str()).or_default() += t.load_kg;
        }
    }
    assert!(received.values().all(|&kg| kg <= 1500.0), "{received:?}");
    let full: Vec<_> = p
        .unserved
        .iter()
        .filter(|u| u.reason == UnservedReason::FacilityCapacity)
        .collect();
    assert!(full.len() >= 10, "{:?}", p.unserved);
    assert!(
        full[0].detail.contains("TS (") && full[0].detail.contains("of 1500 kg"),
        "{}",
        full[0].detail
    );
    assert!(!p.summary.targets_met);
    assert_eq!(
        p.summary
            .unserved_by_reason
            .get(&UnservedReason::FacilityCapacity),
        Some(&full.len())
    );
}
