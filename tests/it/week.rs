//! The weekly plan end to end on the Monaco extract (© OpenStreetMap
//! contributors, ODbL 1.0) with the weekly fixture of tests/data/week:
//! every pickup is visited exactly its frequency on the days of one of its
//! allowed patterns (or each missing visit is listed with its day and
//! reason), accumulated waste follows the days since the previous visit,
//! weekly coverage adds up, the same seed gives the same week, and the
//! command writes its folder atomically with the exit codes of `plan`.

use crate::plan::data;
use crate::report::{chromium, page_status, run_chromium};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use wasteroute::domain::DaySet;
use wasteroute::plan::{PlanInput, PlanOptions, StopKind};
use wasteroute::solver::{Silent, SolveParams};
use wasteroute::week::{self, WeekPlan};

fn week_data(f: &str) -> PathBuf {
    data("week").join(f)
}

fn input_from(pickups: &Path) -> PlanInput {
    PlanInput::load(
        &data("monaco-latest.osm.pbf"),
        pickups,
        &week_data("facilities.csv"),
        &week_data("fleet.toml"),
        None,
    )
    .unwrap()
}

fn opts(seed: u64) -> PlanOptions {
    PlanOptions {
        params: SolveParams {
            seed,
            threads: 1,
            ..SolveParams::for_plans()
        },
        iterations: Some(40),
        ..PlanOptions::default()
    }
}

/// The fixture's week, planned once for the tests that only read it.
fn planned() -> &'static (PlanInput, WeekPlan) {
    static W: OnceLock<(PlanInput, WeekPlan)> = OnceLock::new();
    W.get_or_init(|| {
        let input = input_from(&week_data("pickups.csv"));
        let w = week::run(&input, &opts(1), &mut Silent).unwrap();
        (input, w)
    })
}

#[test]
fn each_pickup_is_visited_its_frequency_on_one_allowed_pattern() {
    let (input, w) = planned();
    let allowed = week::check_calendar(input).unwrap();
    let mut days: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in &w.calendar {
        days.entry(&r.pickup_id).or_default().push(&r.day);
    }
    for u in &w.summary.unserved {
        days.entry(&u.id).or_default().push(&u.day);
    }
    for (p, pats) in input.pickups.iter().zip(&allowed) {
        let got = days.get(p.id.as_str()).cloned().unwrap_or_default();
        let set = DaySet::parse(&got.join(";"))
            .unwrap_or_else(|e| panic!("{}: visits {got:?}: {e}", p.id));
        assert_eq!(got.len(), p.visits.frequency, "{}: {got:?}", p.id);
        assert!(pats.contains(&set), "{}: {set} not in {pats:?}", p.id);
    }
    // The fixture pins M01 to mon;thu or tue;fri and M02 to Wednesday.
    let m01 = &days["M01"];
    assert!(m01 == &["mon", "thu"] || m01 == &["tue", "fri"], "{m01:?}");
    assert_eq!(days["M02"], ["wed"]);
    // Every visit is in its day's plan folder, and nothing else is.
    let in_days: usize = (w.days.iter())
        .map(|(_, p)| {
            p.routes
                .iter()
                .map(|r| {
                    r.stops
                        .iter()
                        .filter(|s| s.kind == StopKind::Pickup)
                        .count()
                })
                .sum::<usize>()
        })
        .sum();
    assert_eq!(in_days, w.calendar.len());
}

#[test]
fn accumulated_waste_is_the_days_since_the_previous_visit() {
    let (input, w) = planned();
    let mut checked = 0;
    for p in input.pickups.iter().filter(|p| p.visits.per_day.is_some()) {
        let (kg, _) = p.visits.per_day.unwrap();
        let mut visits: Vec<(usize, f64)> = Vec::new();
        for (d, plan) in &w.days {
            for s in plan.routes.iter().flat_map(|r| &r.stops) {
                if s.kind == StopKind::Pickup && s.id == p.id {
                    visits.push((d.index(), s.demand_kg));
                }
            }
        }
        assert_eq!(visits.len(), p.visits.frequency, "{}", p.id);
        for (k, &(day, demand)) in visits.iter().enumerate() {
            let prev = visits[(k + visits.len() - 1) % visits.len()].0;
            let gap = match (day + 7 - prev) % 7 {
                0 => 7,
                g => g,
            };
            assert!(
                (demand - kg * gap as f64).abs() < 1e-6,
                "{}: {visits:?}",
                p.id
            );
            checked += 1;
        }
        // Over the week it collects seven days of waste.
        let total: f64 = visits.iter().map(|v| v.1).sum();
        assert!((total - 7.0 * kg).abs() < 1e-6, "{}", p.id);
    }
    assert!(checked >= 8, "{checked}");
    assert_eq!(w.summary.demand_rules.accumulated, 2);
    assert_eq!(w.summary.demand_rules.per_visit, input.pickups.len() - 2);
}

#[test]
fn weekly_coverage_counts_visits_against_the_targets() {
    let (input, w) = planned();
    let s = &w.summary;
    let freq: usize = input.pickups.iter().map(|p| p.visits.frequency).sum();
    assert_eq!(s.visits_required, freq);
    assert_eq!(s.visits_made, w.calendar.len());
    assert_eq!(s.visits_made + s.unserved.len(), s.visits_required);
    let zones: usize = s.coverage.values().map(|c| c.visits_required).sum();
    let made: usize = s.coverage.values().map(|c| c.visits_made).sum();
    let streams: usize = s
        .coverage_by_stream
        .values()
        .map(|c| c.visits_required)
        .sum();
    assert_eq!((zones, made, streams), (freq, s.visits_made, freq));
    for c in s.coverage.values().chain(s.coverage_by_stream.values()) {
        let share = c.visits_made as f64 / c.visits_required.max(1) as f64;
        assert!((c.share - share).abs() < 1e-6);
        assert_eq!(c.met, share + 1e-9 >= c.target);
    }
    assert_eq!(
        s.targets_met,
        s.coverage
            .values()
            .chain(s.coverage_by_stream.values())
            .all(|c| c.met)
    );
    // The week's cost: each vehicle's fixed cost once, plus the days'
    // running costs.
    let running: f64 = s.days.iter().map(|d| d.running_cost).sum();
    assert!((s.running_cost - running).abs() < 0.01);
    assert!((s.cost - s.fixed_cost - s.running_cost).abs() < 0.011);
    let by_day_max: BTreeMap<&str, usize> = s.days.iter().fold(BTreeMap::new(), |mut m, d| {
        for (t, n) in &d.vehicles_by_type {
            let e = m.entry(t.as_str()).or_default();
            *e = (*e).max(*n);
        }
        m
    });
    let needed: BTreeMap<&str, usize> = (s.vehicles_needed_by_type.iter())
        .map(|(t, n)| (t.as_str(), *n))
        .collect();
    assert_eq!(needed, by_day_max);
    assert_eq!(s.vehicles_needed, needed.values().sum::<usize>());
    assert_eq!(s.working_days, ["mon", "tue", "wed", "thu", "fri", "sat"]);
}

#[test]
fn a_visit_no_vehicle_can_make_is_listed_with_its_day_and_reason() {
    // Medical waste goes to the plant only, which is closed on Saturday: a
    // pickup pinned to Saturday cannot be served that day.
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(week_data("pickups.csv")).unwrap();
    let medical = text.lines().find(|l| l.contains(",medical,")).unwrap();
    let id = medical.split(',').next().unwrap().to_string();
    let pinned = text.replace(medical, &medical.replacen(",1,,", ",1,sat,", 1));
    assert_ne!(pinned, text);
    let path = dir.path().join("pickups.csv");
    fs::write(&path, pinned).unwrap();
    let input = input_from(&path);
    let w = week::run(&input, &opts(1), &mut Silent).unwrap();
    let u: Vec<_> = w.summary.unserved.iter().filter(|u| u.id == id).collect();
    assert_eq!(u.len(), 1, "{:?}", w.summary.unserved);
    assert_eq!(
        (u[0].day.as_str(), u[0].reason.name()),
        ("sat", "no_facility")
    );
    assert!(!w.calendar.iter().any(|r| r.pickup_id == id));
    let sat = &w.days.iter().find(|(d, _)| d.name() == "sat").unwrap().1;
    assert!(sat.unserved.iter().any(|x| x.id == id));
    assert!(!w.summary.coverage_by_stream[&wasteroute::domain::Stream::Medical].met);
}

#[test]
fn the_same_seed_gives_the_same_week() {
    let input = input_from(&week_data("pickups.csv"));
    let a = week::run(&input, &opts(7), &mut Silent).unwrap();
    let b = week::run(&input, &opts(7), &mut Silent).unwrap();
    assert_eq!(a.calendar, b.calendar);
    assert_eq!(a.summary.cost, b.summary.cost);
    assert_eq!(a.summary.days, b.summary.days);
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wasteroute"));
    c.env("NO_COLOR", "1");
    c
}

fn week_cmd(out: &Path, pickups: &Path, extra: &[&str]) -> std::process::Output {
    bin()
        .arg("week")
        .arg("--osm")
        .arg(data("monaco-latest.osm.pbf"))
        .arg("--pickups")
        .arg(pickups)
        .arg("--facilities")
        .arg(week_data("facilities.csv"))
        .arg("--fleet")
        .arg(week_data("fleet.toml"))
        .arg("--out")
        .arg(out)
        .args(["--iterations", "30", "--threads", "1"])
        .args(extra)
        .output()
        .unwrap()
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn the_week_command_writes_a_folder_per_day_the_calendar_and_the_map() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("week");
    let o = week_cmd(&out, &week_data("pickups.csv"), &["--map"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let s = read_json(&out.join("week-summary.json"));
    assert_eq!(s["schema_version"], 1);
    for key in [
        "vehicles_needed",
        "vehicles_by_day",
        "km",
        "hours",
        "cost",
        "unserved",
    ] {
        assert!(!s[key].is_null(), "{key}");
    }
    for z in ["urban", "rural"] {
        for k in ["visits_required", "visits_made", "target", "met"] {
            assert!(!s["coverage"][z][k].is_null(), "coverage.{z}.{k}");
        }
    }
    let cal = fs::read_to_string(out.join("calendar.csv")).unwrap();
    let mut lines = cal.lines();
    assert_eq!(lines.next(), Some("pickup_id,day,vehicle,trip,seq"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len() as u64, s["visits_made"].as_u64().unwrap());
    // Each row is a stop of that day's routes.csv, same vehicle, trip, seq.
    let mut stops: BTreeSet<(String, String, String, String, String)> = BTreeSet::new();
    for d in s["working_days"].as_array().unwrap() {
        let d = d.as_str().unwrap();
        let dir = out.join("days").join(d);
        for f in [
            "routes.csv",
            "routes.geojson",
            "summary.json",
            "map.html",
            "route_sheets.html",
        ] {
            assert!(dir.join(f).is_file(), "days/{d}/{f}");
        }
        assert!(dir.join("gpx").is_dir());
        let mut r = csv::Reader::from_path(dir.join("routes.csv")).unwrap();
        let h = r.headers().unwrap().clone();
        let col = |n: &str| h.iter().position(|x| x == n).unwrap();
        let (cv, ct, cs, ck, ci) = (
            col("vehicle"),
            col("trip"),
            col("seq"),
            col("kind"),
            col("id"),
        );
        for rec in r.records() {
            let rec = rec.unwrap();
            if &rec[ck] == "pickup" {
                stops.insert((
                    rec[ci].into(),
                    d.into(),
                    rec[cv].into(),
                    rec[ct].into(),
                    rec[cs].into(),
                ));
            }
        }
    }
    let cal_set: BTreeSet<(String, String, String, String, String)> = (rows.iter())
        .map(|r| {
            (
                r[0].into(),
                r[1].into(),
                r[2].into(),
                r[3].into(),
                r[4].into(),
            )
        })
        .collect();
    assert_eq!(cal_set, stops);
    let page = fs::read_to_string(out.join("week.html")).unwrap();
    assert!(page.contains("id=\"wr-data\"") && !page.contains("src=\"http"));
    // Run again: the folder is replaced whole.
    fs::write(out.join("days/mon/stale.txt"), "x").unwrap();
    let o = week_cmd(&out, &week_data("pickups.csv"), &[]);
    assert_eq!(o.status.code(), Some(0));
    assert!(!out.join("days/mon/stale.txt").exists());
    assert!(!out.join("week.html").exists());
}

#[test]
fn a_weekly_input_error_names_file_line_and_field_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("pickups.csv");
    let text = fs::read_to_string(week_data("pickups.csv")).unwrap();
    // Line 3 (M01): a frequency of 7 with six working days.
    fs::write(&path, text.replacen(",2,mon;thu|tue;fri,", ",7,,", 1)).unwrap();
    let out = tmp.path().join("week");
    let o = week_cmd(&out, &path, &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("pickups.csv:3") && err.contains("frequency"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn week_page_runs_in_headless_chromium() {
    let Some(chrome) = chromium() else {
        eprintln!("SKIPPED week_page_runs_in_headless_chromium: chromium not found");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("week");
    let o = week_cmd(&out, &week_data("pickups.csv"), &["--map"]);
    assert_eq!(o.status.code(), Some(0));
    let dom = run_chromium(&chrome, &out.join("week.html"), "#sat", "--dump-dom");
    let st = page_status(&dom);
    assert_eq!(st["errors"], Value::Array(vec![]), "script errors: {st}");
    assert_eq!(st["ready"], true, "{st}");
    assert_eq!(st["day"], "sat", "{st}");
    let trips = read_json(&out.join("days/sat/routes.geojson"))["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["geometry"]["type"] == "LineString")
        .count();
    assert_eq!(st["routes"].as_u64().unwrap() as usize, trips, "{st}");
    // The calendar lists every pickup visited.
    let cal = fs::read_to_string(out.join("calendar.csv")).unwrap();
    let ids: BTreeSet<&str> = cal
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .collect();
    for id in ids {
        assert!(dom.contains(&format!(">{id}<")), "{id} not in the calendar");
    }
}

#[test]
fn the_weekly_fleet_is_the_busiest_days_and_every_kept_step_is_cheaper() {
    let input = input_from(&week_data("pickups.csv"));
    let opts = week::WeekFleetOptions {
        plan: opts(3),
        max_per_type: Some(3),
        step_iterations: 20,
    };
    let f = week::size_fleet(&input, &opts, &mut Silent).unwrap();
    let r = &f.report;
    assert!(r.targets_met, "{r:?}");
    assert!(f.week.summary.targets_met && f.week.summary.feasible);
    // The fleet found is what the plan's busiest days need.
    for (t, n) in &r.vehicles {
        let needed = f
            .week
            .summary
            .vehicles_needed_by_type
            .get(t)
            .copied()
            .unwrap_or(0);
        assert_eq!(*n, needed, "{t}");
    }
    assert_eq!(r.weekly_cost, f.week.summary.cost);
    // The menu first (three of each type), then one vehicle less at a time;
    // each kept step meets the targets and is cheaper than the last kept.
    assert!(
        r.steps[0].offered.values().all(|&n| n == 3),
        "{:?}",
        r.steps[0]
    );
    let mut last = f64::INFINITY;
    for s in r.steps.iter().filter(|s| s.accepted) {
        assert!(s.targets_met && s.weekly_cost < last, "{s:?}");
        last = s.weekly_cost;
    }
    assert_eq!(r.solves, r.steps.len());
    // The fleet file holds the counts found and plans the same week.
    let dir = tempfile::tempdir().unwrap();
    let fleet = dir.path().join("fleet.toml");
    fs::write(&fleet, &f.fleet_toml).unwrap();
    let again = PlanInput::load(
        &data("monaco-latest.osm.pbf"),
        &week_data("pickups.csv"),
        &week_data("facilities.csv"),
        &fleet,
        None,
    )
    .unwrap();
    let counts: BTreeMap<String, usize> = (again.fleet.spec.vehicle.iter())
        .map(|v| (v.name.clone(), v.count))
        .collect();
    let found: BTreeMap<String, usize> = (r.vehicles.iter())
        .filter(|(_, n)| **n > 0)
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    assert_eq!(counts, found);
    assert_eq!(again.fleet.working_days().unwrap(), DaySet::MON_TO_SAT);
}

#[test]
fn compare_week_prices_a_change_of_frequency() {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("base.toml");
    let more = tmp.path().join("rural-3.toml");
    let files = format!(
        "osm = {:?}\npickups = {:?}\nfacilities = {:?}\nfleet = {:?}\n",
        data("monaco-latest.osm.pbf"),
        week_data("pickups.csv"),
        week_data("facilities.csv"),
        week_data("fleet.toml"),
    );
    fs::write(&base, format!("name = \"base\"\n{files}")).unwrap();
    fs::write(
        &more,
        format!("name = \"rural 3\"\n{files}[frequency]\nrural = 3\n"),
    )
    .unwrap();
    let out = tmp.path().join("cmp");
    let o = bin()
        .args(["compare", "--week"])
        .arg(&base)
        .arg(&more)
        .arg("--out")
        .arg(&out)
        .args(["--iterations", "30", "--threads", "1"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let a = read_json(&out.join("base/week-summary.json"));
    let b = read_json(&out.join("rural-3/week-summary.json"));
    let input = input_from(&week_data("pickups.csv"));
    let rural: Vec<_> = (input.pickups.iter())
        .filter(|p| p.zone == wasteroute::domain::Zone::Rural)
        .collect();
    let extra: u64 = rural.iter().map(|p| 3 - p.visits.frequency as u64).sum();
    assert!(extra > 0);
    assert_eq!(
        b["coverage"]["rural"]["visits_required"].as_u64().unwrap(),
        a["coverage"]["rural"]["visits_required"].as_u64().unwrap() + extra
    );
    assert_eq!(
        b["coverage"]["urban"]["visits_required"],
        a["coverage"]["urban"]["visits_required"]
    );
    let rows = read_json(&out.join("compare.json"));
    assert_eq!(rows[1]["scenario"], "rural 3");
    assert_eq!(rows[1]["cost"], b["cost"]);
    assert_eq!(rows[1]["vehicles_used"], b["vehicles_needed"]);
    assert!(out.join("rural-3/days/mon/routes.csv").is_file());
}
