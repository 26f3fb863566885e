//! Time limits and signals. A plan cut short by its time limit or by an
//! interrupt is still written from the best solution so far, every pickup in
//! a route or listed as unserved; the command line stops on the first
//! SIGTERM or SIGINT, writes the plan and exits with 143 or 130, and exits
//! at once on a second signal. No test here measures time: the limits are
//! set so that they are already reached (a deadline in the past, a flag
//! already triggered), and the signal tests wait for the process to say
//! that its handler is installed, then for it to end.

use std::collections::HashSet;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use wasteroute::plan::{self, Plan, PlanInput, PlanOptions, StopKind};
use wasteroute::solver::{Interrupt, SolveParams};

fn demo(f: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data/demo")
        .join(f)
}

/// The ids of the demo's pickups.
fn demo_pickups() -> HashSet<String> {
    let mut r = csv::Reader::from_path(demo("pickups.csv")).unwrap();
    r.records().map(|x| x.unwrap()[0].to_string()).collect()
}

/// The demo's inputs in a temp folder, with `edit` applied to one file.
struct Inputs {
    dir: tempfile::TempDir,
}

impl Inputs {
    fn new(file: &str, edit: impl Fn(&str) -> String) -> Inputs {
        let dir = tempfile::tempdir().unwrap();
        for f in ["pickups.csv", "facilities.csv", "fleet.toml"] {
            let text = fs::read_to_string(demo(f)).unwrap();
            let text = if f == file { edit(&text) } else { text };
            fs::write(dir.path().join(f), text).unwrap();
        }
        Inputs { dir }
    }
    fn path(&self, f: &str) -> PathBuf {
        self.dir.path().join(f)
    }
    fn load(&self) -> wasteroute::Result<PlanInput> {
        PlanInput::load(
            &demo("map.osm.pbf"),
            &self.path("pickups.csv"),
            &self.path("facilities.csv"),
            &self.path("fleet.toml"),
            None,
        )
    }
}

/// Two of the inputs that kept `plan --iterations 50 --seconds 15` running
/// for minutes (issue 11): facilities far too small for the waste that
/// reaches them, a break window after the shift. The third, a cost per hour
/// of 1e13, is [`huge_costs_end_too`].
fn slow_inputs() -> Vec<(&'static str, Inputs)> {
    vec![
        (
            "daily capacity 100 kg",
            Inputs::new("facilities.csv", |t| {
                t.replace(",70000", ",100")
                    .replace("industrial,\n", "industrial,100\n")
            }),
        ),
        (
            "break after the shift",
            Inputs::new("fleet.toml", |t| {
                t.replace(
                    "earliest = \"09:30\", latest = \"11:30\"",
                    "earliest = \"18:30\", latest = \"19:00\"",
                )
            }),
        ),
    ]
}

/// Every pickup of the demo is in exactly one route or listed once as unserved.
fn assert_accounted(p: &Plan) {
    let mut seen = HashSet::new();
    for r in &p.routes {
        for s in r.stops.iter().filter(|s| s.kind == StopKind::Pickup) {
            assert!(seen.insert(s.id.clone()), "{} twice", s.id);
        }
    }
    for u in &p.unserved {
        assert!(seen.insert(u.id.clone()), "{} twice", u.id);
    }
    assert_eq!(seen, demo_pickups());
}

fn options(interrupt: Option<Interrupt>, seconds: Option<f64>) -> PlanOptions {
    PlanOptions {
        params: SolveParams::for_plans(),
        iterations: Some(50),
        seconds,
        interrupt,
        ..PlanOptions::default()
    }
}

#[test]
fn slow_inputs_end_at_an_interrupt_or_a_past_deadline_with_every_pickup_accounted_for() {
    end_at_an_interrupt_or_a_past_deadline(slow_inputs());
}

/// A cost per hour of 1e13 next to ordinary figures kept the search busy
/// for minutes and overflowed (issue 11). Such a fleet is now refused,
/// naming the figure that would count as nothing next to it; a fleet whose
/// every figure is that large is planned, and ends like the others.
#[test]
fn huge_costs_end_too() {
    let lone = Inputs::new("fleet.toml", |t| {
        t.replacen("cost_per_hour = 100.0", "cost_per_hour = 1e13", 1)
    })
    .load()
    .unwrap();
    let e = plan::run(&lone, &options(None, None), &mut wasteroute::solver::Silent).unwrap_err();
    let m = e.to_string();
    assert!(
        e.is_input() && m.contains("fleet.toml") && m.contains("compactor"),
        "{m}"
    );
    let scaled = |t: &str| {
        t.lines()
            .map(|l| {
                let cost = ["fixed_cost", "cost_per_km", "cost_per_hour"]
                    .iter()
                    .any(|k| l.trim_start().starts_with(k));
                match l.split_once('=') {
                    Some((k, v)) if cost => {
                        let x: f64 = v.trim().parse().unwrap();
                        format!("{k}= {:e}", x * 1e11)
                    }
                    _ => l.to_string(),
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    end_at_an_interrupt_or_a_past_deadline(vec![(
        "every cost x 1e11",
        Inputs::new("fleet.toml", scaled),
    )]);
}

/// Each input is refused as input, or planned from its first solution when
/// the interrupt is already triggered, or the deadline already passed.
fn end_at_an_interrupt_or_a_past_deadline(inputs: Vec<(&str, Inputs)>) {
    for (what, inputs) in inputs {
        let input = match inputs.load() {
            Ok(input) => input,
            // Refused as input: nothing to bound.
            Err(e) if e.is_input() => continue,
            Err(e) => panic!("{what}: {e}"),
        };
        let stop = Interrupt::new();
        stop.trigger();
        let p = plan::run(
            &input,
            &options(Some(stop), None),
            &mut wasteroute::solver::Silent,
        )
        .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(p.summary.stopped_by, "signal", "{what}");
        assert!(p.summary.recombination.is_none(), "{what}");
        assert_accounted(&p);
        // What the checker finds is reported, not hidden.
        assert_eq!(
            p.summary.feasible,
            p.summary.violations.is_empty(),
            "{what}"
        );

        let p = plan::run(
            &input,
            &options(None, Some(0.0)),
            &mut wasteroute::solver::Silent,
        )
        .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(p.summary.stopped_by, "time", "{what}");
        assert_accounted(&p);
    }
}

/// A running `wasteroute plan -v` on the demo with a long limit, and its
/// stderr lines as they come.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Running {
    /// Starts the plan into `out` and waits until its signal handler is
    /// installed (a signal before would end it the default way).
    fn start(out: &Path) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wasteroute"))
            .args(["-v", "plan", "--osm"])
            .arg(demo("map.osm.pbf"))
            .arg("--pickups")
            .arg(demo("pickups.csv"))
            .arg("--facilities")
            .arg(demo("facilities.csv"))
            .arg("--fleet")
            .arg(demo("fleet.toml"))
            .args(["--seconds", "120", "--iterations", "0"])
            .args(["--no-improvement", "100000000", "--out"])
            .arg(out)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut r = Running {
            child,
            lines,
            seen: Vec::new(),
        };
        let guard = Instant::now() + HANG_GUARD;
        while !r
            .seen
            .iter()
            .any(|l| l.contains("signal handler installed"))
        {
            match r.lines.recv_timeout(Duration::from_millis(100)) {
                Ok(l) => r.seen.push(l),
                Err(mpsc::RecvTimeoutError::Disconnected) => panic!("ended: {:?}", r.seen),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
            if Instant::now() > guard {
                let _ = r.child.kill();
                panic!("no signal handler: {:?}", r.seen);
            }
        }
        // Let the search start (a signal earlier is handled the same way,
        // as soon as the search starts).
        std::thread::sleep(Duration::from_secs(2));
        r
    }

    fn kill(&self, signal: &str) {
        let ok = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill {signal}");
    }

    /// Waits for the process and returns its status and stderr; kills it
    /// and fails after a generous guard against hangs (not a timing
    /// assertion: the plan needs a small part of it).
    fn wait(mut self) -> (ExitStatus, String) {
        let guard = Instant::now() + HANG_GUARD;
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if Instant::now() > guard {
                let _ = self.child.kill();
                panic!("the plan did not end after the signal");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        // The reader ends at the end of stderr.
        self.seen.extend(self.lines.iter());
        (status, self.seen.join("\n"))
    }
}

/// Against hangs only.
const HANG_GUARD: Duration = Duration::from_secs(90);

#[test]
fn sigterm_writes_the_best_plan_so_far_and_exits_143() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("plan");
    let run = Running::start(&out);
    run.kill("-TERM");
    let (status, err) = run.wait();
    assert_eq!(status.code(), Some(143), "{err}");
    assert!(err.contains("SIGTERM"), "{err}");
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["stopped_by"], "signal");
    // Every pickup in a route or unserved, once.
    let mut seen = HashSet::new();
    let mut rows = csv::Reader::from_path(out.join("routes.csv")).unwrap();
    let headers = rows.headers().unwrap().clone();
    let kind = headers.iter().position(|h| h == "kind").unwrap();
    let id = headers.iter().position(|h| h == "id").unwrap();
    for row in rows.records() {
        let row = row.unwrap();
        if &row[kind] == "pickup" {
            assert!(seen.insert(row[id].to_string()), "{} twice", &row[id]);
        }
    }
    for u in summary["unserved"].as_array().unwrap() {
        let u = u["id"].as_str().unwrap().to_string();
        assert!(seen.insert(u.clone()), "{u} twice");
    }
    assert_eq!(seen, demo_pickups());
}

#[test]
fn a_second_signal_exits_at_once_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("plan");
    let run = Running::start(&out);
    // Two different signals, so that the kernel cannot merge them into one.
    run.kill("-INT");
    run.kill("-TERM");
    let (status, err) = run.wait();
    assert_eq!(status.code(), Some(143), "{err}");
    assert!(err.contains("exiting at once"), "{err}");
    assert!(!out.exists(), "a plan folder was written");
    // Nothing else was left beside it either.
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn fleet_sizing_stops_after_its_first_solve_at_an_interrupt_or_a_past_deadline() {
    let input = Inputs::new("fleet.toml", str::to_string).load().unwrap();
    let stop = Interrupt::new();
    stop.trigger();
    for (plan, why) in [
        (options(Some(stop), None), "signal"),
        (options(None, Some(0.0)), "time"),
    ] {
        let opts = wasteroute::fleet::FleetOptions {
            plan,
            ..wasteroute::fleet::FleetOptions::default()
        };
        let a = wasteroute::fleet::size(&input, &opts, &mut wasteroute::solver::Silent).unwrap();
        // No descent, no curve: the first solve's plan, written as it is.
        assert_eq!(a.solves, 1, "{why}");
        assert_eq!(a.plan.summary.stopped_by, why);
        assert_accounted(&a.plan);
    }
}
