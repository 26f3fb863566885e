//! Property test of planning (issue 11, item 10): random valid inputs on the
//! Monaco fixture (pickups anywhere in and around Monaco, some at sea, with
//! random demands, zones, streams, windows and service times; random fleet
//! counts, shifts, breaks, streams and targets; sometimes a closure) put
//! every pickup exactly once in a route or in the unserved list with a
//! reason, and the plan passes the independent checker.
//!
//! The normal suite runs 16 cases with small iteration budgets (a few
//! seconds); `PROPTEST_CASES` runs more, and the ignored
//! `many_random_plans_account_for_every_pickup` runs 64:
//!
//! ```text
//! cargo test --test it props_plan -- --ignored
//! PROPTEST_CASES=200 PROPTEST_RNG_SEED=3 cargo test --test it props_plan
//! ```

use std::collections::HashMap;
use std::path::PathBuf;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use wasteroute::graph::Closures;
use wasteroute::io::plan;
use wasteroute::plan::{InputFiles, PlanInput, PlanOptions, StopKind, run};
use wasteroute::solver::{Silent, SolveParams};

use crate::props::{TARGET_KEYS, config, data, hhmm};

/// One random pickup row: lat, lon, zone, demand, volume, service, window,
/// stream, required.
fn pickup() -> impl Strategy<Value = String> {
    (
        (43.722f64..43.753, 7.403f64..7.442, any::<bool>()),
        // Above the largest vehicle (3000 kg) is an input error, not a plan.
        prop_oneof![8 => 0u32..400, 2 => 400u32..=3000],
        (prop::option::of(0u32..3), 0u32..600),
        // Windows open after 06:00, when every shift starts, and before the
        // earliest shift end (a window outside every shift is an input error).
        prop::option::of((360u32..600, prop_oneof![0u32..30, 30u32..300])),
        prop_oneof![
            6 => Just("household"),
            2 => Just("recyclable"),
            1 => Just("medical"),
            1 => Just("hazardous"),
            1 => Just("industrial"),
        ],
        prop::sample::select(&["", "true", "false"][..]),
    )
        .prop_map(
            |((lat, lon, urban), demand, (vol, service), tw, stream, req)| {
                let hhmm = |m: u32| hhmm(i64::from(m));
                let (s, e) = tw.map_or((String::new(), String::new()), |(s, d)| {
                    (hhmm(s), hhmm(s + d))
                });
                let vol = vol.map_or(String::new(), |v| format!("{v}.5"));
                let zone = if urban { "urban" } else { "rural" };
                format!("{lat:.6},{lon:.6},{zone},{demand},{vol},{service},{s},{e},{stream},{req}")
            },
        )
}

/// A fleet of compactors and tricycles (each count 0 to 3, at least one
/// vehicle), shift ends, an optional break, streams and targets.
fn fleet() -> impl Strategy<Value = String> {
    (
        (0u32..4, 0u32..4),
        (660u32..840, 600u32..780),
        prop::option::of((480u32..600, 0u32..60, 300u32..1800)),
        (any::<bool>(), any::<bool>()),
        prop::collection::vec(prop_oneof![Just(0.0), Just(1.0), 0.0f64..1.0], 7),
    )
        .prop_map(
            |((big, small), (end_big, end_small), brk, (medical, hazardous), targets)| {
                let hhmm = |m: u32| hhmm(i64::from(m));
                let big = if big + small == 0 { 1 } else { big };
                let mut streams = vec!["\"household\"", "\"recyclable\""];
                if medical {
                    streams.push("\"medical\"");
                }
                if hazardous {
                    streams.push("\"hazardous\"");
                }
                let brk = brk.map_or(String::new(), |(at, w, d)| {
                    format!(
                        "break = {{ earliest = \"{}\", latest = \"{}\", duration_s = {d} }}\n",
                        hhmm(at),
                        hhmm(at + w)
                    )
                });

                let targets: Vec<String> = TARGET_KEYS
                    .iter()
                    .zip(&targets)
                    .map(|(k, x)| format!("{k} = {x:?}"))
                    .collect();
                format!(
                    "[[vehicle]]\nname = \"compactor\"\ncount = {big}\ndepot = \"DEPOT\"\n\
                 profile = \"truck\"\ncapacity_kg = 3000\nshift_start = \"06:00\"\n\
                 shift_end = \"{}\"\n{brk}fixed_cost = 100\ncost_per_km = 1.0\n\
                 cost_per_hour = 20\nstreams = [{}]\n\n\
                 [[vehicle]]\nname = \"tricycle\"\ncount = {small}\ndepot = \"DEPOT\"\n\
                 profile = \"small\"\ncapacity_kg = 300\nshift_start = \"06:00\"\n\
                 shift_end = \"{}\"\nfixed_cost = 20\ncost_per_km = 0.2\ncost_per_hour = 8\n\n\
                 [targets]\n{}\n",
                    hhmm(end_big),
                    streams.join(", "),
                    hhmm(end_small),
                    targets.join("\n")
                )
            },
        )
}

/// The fixture's facilities (lat, lon): a closure over one of them cuts it
/// off, which is a routing error (exit 3), not a plan.
const FACILITIES: [(f64, f64); 3] = [
    (43.742403, 7.426351),
    (43.727396, 7.413247),
    (43.732429, 7.418869),
];

/// Sometimes a closure: a small square somewhere in Monaco, away from the
/// facilities, closed or slowed.
fn closure() -> impl Strategy<Value = Option<String>> {
    prop::option::weighted(
        0.3,
        (
            43.728f64..43.748,
            7.410f64..7.435,
            0.0005f64..0.003,
            prop_oneof![1 => Just(0.0), 2 => 0.1f64..0.9],
        )
            .prop_filter("away from the facilities", |&(lat, lon, d, _)| {
                FACILITIES.iter().all(|&(y, x)| {
                    (y - (lat + d / 2.0)).abs() > d / 2.0 + 0.003
                        || (x - (lon + d / 2.0)).abs() > d / 2.0 + 0.003
                })
            })
            .prop_map(|(lat, lon, d, factor)| {
                let ring = [
                    [lon, lat],
                    [lon + d, lat],
                    [lon + d, lat + d],
                    [lon, lat + d],
                    [lon, lat],
                ];
                serde_json::json!({
                    "type": "Feature",
                    "properties": {"factor": factor},
                    "geometry": {"type": "Polygon", "coordinates": [ring]}
                })
                .to_string()
            }),
    )
}

/// Everything random about one plan.
#[derive(Debug, Clone)]
struct Case {
    pickups: Vec<String>,
    fleet: String,
    closure: Option<String>,
    seed: u64,
    iterations: u64,
    recombine: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(pickup(), 1..30),
        fleet(),
        closure(),
        any::<u64>(),
        10u64..60,
        any::<bool>(),
    )
        .prop_map(
            |(pickups, fleet, closure, seed, iterations, recombine)| Case {
                pickups,
                fleet,
                closure,
                seed,
                iterations,
                recombine,
            },
        )
}

/// Plans `c` and checks that every pickup is routed once or listed once as
/// unserved with a reason, and that the plan passes the checker.
fn plan_accounts_for_every_pickup(c: &Case) -> Result<(), TestCaseError> {
    let fixture = |f: &str| data("plan").join(f);
    let mut csv = String::from(
        "id,lat,lon,zone,demand_kg,volume_m3,service_s,tw_start,tw_end,stream,required\n",
    );
    for (i, row) in c.pickups.iter().enumerate() {
        csv.push_str(&format!("R{i},{row}\n"));
    }
    let pickups = plan::read_pickups_str(&fixture("pickups.csv"), &csv)
        .unwrap_or_else(|e| panic!("generated pickups are valid: {e}\n{csv}"));
    let fleet = plan::read_fleet_str(&fixture("fleet.toml"), &c.fleet)
        .unwrap_or_else(|e| panic!("generated fleet is valid: {e}\n{}", c.fleet));
    let closures = c.closure.as_ref().map(|g| {
        let cl = Closures::from_geojson_str(g).expect("generated closure is valid");
        (PathBuf::from("closure.geojson"), cl)
    });
    let input = PlanInput {
        osm: data("monaco-latest.osm.pbf"),
        pickups,
        facilities: plan::read_facilities(&fixture("facilities.csv")).expect("the fixture"),
        fleet,
        closures,
        files: InputFiles::default(),
    };
    let opts = PlanOptions {
        params: SolveParams {
            seed: c.seed,
            threads: 1,
            ..SolveParams::for_plans()
        },
        iterations: Some(c.iterations),
        recombine: c.recombine,
        recombine_seconds: 2.0,
        ..PlanOptions::default()
    };
    let p = match run(&input, &opts, &mut Silent) {
        Ok(p) => p,
        // A closure in Monaco's one-way streets can cut a facility off: the
        // documented routing error (exit 3) naming it.
        Err(wasteroute::Error::Routing(m)) if c.closure.is_some() => {
            prop_assert!(m.contains("cut off by the closures"), "{}", m);
            return Ok(());
        }
        Err(e) => panic!("planning failed: {e}\n{csv}\n{}", c.fleet),
    };

    let mut seen: HashMap<&str, usize> = HashMap::new();
    for r in &p.routes {
        for s in r.stops.iter().filter(|s| s.kind == StopKind::Pickup) {
            *seen.entry(s.id.as_str()).or_default() += 1;
        }
    }
    for u in &p.unserved {
        prop_assert!(!u.detail.is_empty(), "{} unserved without detail", u.id);
        *seen.entry(u.id.as_str()).or_default() += 1;
    }
    for pk in &input.pickups {
        prop_assert_eq!(
            seen.get(pk.id.as_str()).copied().unwrap_or(0),
            1,
            "pickup {} is not accounted for exactly once\n{}\n{}",
            &pk.id,
            &csv,
            &c.fleet
        );
    }
    prop_assert_eq!(seen.len(), input.pickups.len(), "unknown ids in the plan");
    let total: usize = p.summary.coverage.values().map(|c| c.points_total).sum();
    prop_assert_eq!(total, input.pickups.len());
    prop_assert!(
        p.check.is_feasible(),
        "checker: {:?}\n{}\n{}",
        p.check.violations,
        csv,
        c.fleet
    );
    Ok(())
}

proptest! {
    #![proptest_config(Config { max_shrink_iters: 32, ..config(16) })]

    #[test]
    fn random_plans_account_for_every_pickup(c in case()) {
        plan_accounts_for_every_pickup(&c)?;
    }
}

#[test]
#[ignore = "64 random plans, about a minute; run before touching plan preparation or reporting"]
fn many_random_plans_account_for_every_pickup() {
    let mut runner = TestRunner::new(Config {
        max_shrink_iters: 32,
        ..config(64)
    });
    if let Err(e) = runner.run(&case(), |c| plan_accounts_for_every_pickup(&c)) {
        panic!("{e}");
    }
}

/// Where an extreme value goes: a label, the file, the text to replace,
/// and the replacement with `{}` for the value.
const EXTREME_FIELDS: &[(&str, &str, &str, &str)] = &[
    (
        "service_s",
        "pickups.csv",
        "M00,43.730811,7.412812,rural,271,,60,",
        "M00,43.730811,7.412812,rural,271,,{},",
    ),
    (
        "demand_kg",
        "pickups.csv",
        "M01,43.748143,7.434759,urban,326,,",
        "M01,43.748143,7.434759,urban,{},,",
    ),
    (
        "volume_m3",
        "pickups.csv",
        "M02,43.727290,7.413573,urban,278,,",
        "M02,43.727290,7.413573,urban,278,{},",
    ),
    (
        "unload_s",
        "facilities.csv",
        "300,household;recyclable,",
        "{},household;recyclable,",
    ),
    (
        "daily_capacity_kg",
        "facilities.csv",
        "household;recyclable,\n",
        "household;recyclable,{}\n",
    ),
    (
        "capacity_kg",
        "fleet.toml",
        "capacity_kg = 3000",
        "capacity_kg = {}",
    ),
    (
        "capacity_m3",
        "fleet.toml",
        "capacity_kg = 3000",
        "capacity_kg = 3000\ncapacity_m3 = {}",
    ),
    (
        "max_shift_s",
        "fleet.toml",
        "capacity_kg = 3000",
        "capacity_kg = 3000\nmax_shift_s = {}",
    ),
    (
        "max_trips",
        "fleet.toml",
        "capacity_kg = 3000",
        "capacity_kg = 3000\nmax_trips = {}",
    ),
    ("count", "fleet.toml", "count = 2", "count = {}"),
    (
        "break.duration_s",
        "fleet.toml",
        "duration_s = 900",
        "duration_s = {}",
    ),
    (
        "fixed_cost",
        "fleet.toml",
        "fixed_cost = 100",
        "fixed_cost = {}",
    ),
    (
        "cost_per_km",
        "fleet.toml",
        "cost_per_km = 1.0",
        "cost_per_km = {}",
    ),
    (
        "cost_per_hour",
        "fleet.toml",
        "cost_per_hour = 20",
        "cost_per_hour = {}",
    ),
];

/// Values at the edges of what the readers accept.
const EXTREME_VALUES: &[&str] = &["0", "1e-300", "1e300", "9223372036854775807"];

/// Every file of the fixture with one field at an extreme value: the
/// readers refuse it naming the file, or the plan runs (to a plan or an
/// error) without a panic. Each combination runs; the failures are listed.
#[test]
fn extreme_accepted_values_never_panic_the_plan() {
    let fixture = |f: &str| data("plan").join(f);
    let read = |f: &str| std::fs::read_to_string(fixture(f)).expect("the fixture");
    let mut failures = Vec::new();
    for &(label, file, from, to) in EXTREME_FIELDS {
        for &value in EXTREME_VALUES {
            let mut texts: HashMap<&str, String> = ["pickups.csv", "facilities.csv", "fleet.toml"]
                .into_iter()
                .map(|f| (f, read(f)))
                .collect();
            let t = texts.get_mut(file).expect("a fixture file");
            assert!(t.contains(from), "{from} not in {file}");
            *t = t.replacen(from, &to.replace("{}", value), 1);
            let what = format!("{file}: {label} = {value}");
            let outcome = std::panic::catch_unwind(|| -> Result<(), String> {
                let path = fixture(file);
                let name = path.display().to_string();
                let named = |e: wasteroute::Error| {
                    let m = e.to_string();
                    if m.contains(&name) {
                        Ok(())
                    } else {
                        Err(format!("error names no file: {m}"))
                    }
                };
                let pickups =
                    match plan::read_pickups_str(&fixture("pickups.csv"), &texts["pickups.csv"]) {
                        Ok(p) => p,
                        Err(e) => return named(e),
                    };
                let facilities = match plan::read_facilities_str(
                    &fixture("facilities.csv"),
                    &texts["facilities.csv"],
                ) {
                    Ok(f) => f,
                    Err(e) => return named(e),
                };
                let fleet = match plan::read_fleet_str(&fixture("fleet.toml"), &texts["fleet.toml"])
                {
                    Ok(f) => f,
                    Err(e) => return named(e),
                };
                let input = PlanInput {
                    osm: data("monaco-latest.osm.pbf"),
                    pickups,
                    facilities,
                    fleet,
                    closures: None,
                    files: InputFiles::default(),
                };
                let opts = PlanOptions {
                    params: SolveParams {
                        seed: 1,
                        threads: 1,
                        ..SolveParams::for_plans()
                    },
                    iterations: Some(20),
                    recombine: false,
                    ..PlanOptions::default()
                };
                let _ = run(&input, &opts, &mut Silent);
                Ok(())
            });
            match outcome {
                Ok(Ok(())) => {}
                Ok(Err(m)) => failures.push(format!("{what}: {m}")),
                Err(p) => {
                    let m = p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    failures.push(format!("{what}: panicked: {m} (location above)"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
