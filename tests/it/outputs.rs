//! Output folders and files through the command line (issue 11, items 6
//! and 7): only what wasteroute wrote is replaced, everything appears at
//! once (the reports of `--map` included) or not at all, the published name
//! never vanishes, and no hidden leftovers survive an error or a kill at
//! any file operation. Faults and kills are injected at the k-th file
//! operation with the test-only hook of `wasteroute::fsx`
//! (`WASTEROUTE_FAULT_AT`, `WASTEROUTE_FAULT_MODE=kill`), so nothing here
//! depends on timing. Plans are on the Monaco fixture (© OpenStreetMap
//! contributors, ODbL 1.0) with few iterations.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wasteroute"));
    c.env_remove("WASTEROUTE_FAULT_AT")
        .env_remove("WASTEROUTE_FAULT_MODE");
    c
}

/// `wasteroute plan` on the Monaco fixture into `out`.
fn plan(out: &Path, seed: u64, extra: &[&str]) -> Command {
    let mut c = bin();
    c.arg("plan")
        .arg("--osm")
        .arg(data("monaco-latest.osm.pbf"))
        .arg("--pickups")
        .arg(data("plan/pickups.csv"))
        .arg("--facilities")
        .arg(data("plan/facilities.csv"))
        .arg("--fleet")
        .arg(data("plan/fleet.toml"))
        .args(["--iterations", "30", "--no-recombine", "--seed"])
        .arg(seed.to_string())
        .arg("--out")
        .arg(out)
        .args(extra);
    c
}

fn run(c: &mut Command) -> Output {
    c.output().expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: &Output) {
    assert!(o.status.success(), "{:?}: {}", o.status, stderr(o));
}

/// Every file under `dir` by relative path, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, into: &mut BTreeMap<String, Vec<u8>>) {
        for e in fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                walk(root, &p, into);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                into.insert(rel, fs::read(&p).unwrap());
            }
        }
    }
    let mut m = BTreeMap::new();
    walk(dir, dir, &mut m);
    m
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The files of a complete plan folder written with `--map`.
fn assert_complete_with_map(dir: &Path) {
    let files = snapshot(dir);
    for f in [
        ".wasteroute",
        "summary.json",
        "routes.csv",
        "routes.geojson",
        "unserved.geojson",
        "map.html",
        "route_sheets.html",
    ] {
        assert!(files.contains_key(f), "{f} missing in {}", dir.display());
    }
    assert!(
        files
            .keys()
            .any(|k| k.starts_with("gpx/") && k.ends_with(".gpx")),
        "no GPX file in {}",
        dir.display()
    );
    let summary: serde_json::Value = serde_json::from_slice(&files["summary.json"]).unwrap();
    assert!(summary.get("routes").is_some());
}

/// The folder `plan` written with seed 2 and `--map`: the "previous plan"
/// of the fault tests, which the runs with seed 1 replace.
fn previous_plan(parent: &Path) -> (PathBuf, BTreeMap<String, Vec<u8>>) {
    let out = parent.join("plan");
    ok(&run(&mut plan(&out, 2, &["--map"])));
    assert_complete_with_map(&out);
    assert_eq!(names(parent), ["plan"]);
    let snap = snapshot(&out);
    (out, snap)
}

#[test]
fn a_folder_of_user_files_or_a_file_is_refused_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    // A folder with a user's file: refused, untouched, and the message says
    // why and names --force.
    let mine = tmp.path().join("mine");
    fs::create_dir(&mine).unwrap();
    fs::write(mine.join("notes.txt"), "my notes").unwrap();
    let o = run(&mut plan(&mine, 1, &[]));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("mine") && e.contains("notes.txt") && e.contains("--force"),
        "{e}"
    );
    assert_eq!(names(&mine), ["notes.txt"]);
    // A file: refused, not turned into a folder, no hidden copy of it.
    let file = tmp.path().join("report.txt");
    fs::write(&file, "keep me").unwrap();
    let o = run(&mut plan(&file, 1, &[]));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is a file") && stderr(&o).contains("--force"),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), "keep me");
    for cmd in ["fleet", "compare"] {
        let mut c = bin();
        c.arg(cmd);
        if cmd == "compare" {
            c.arg(tmp.path().join("no-such-scenario.toml"));
        }
        let o = run(c.arg("--out").arg(&mine));
        assert_eq!(o.status.code(), Some(2), "{cmd}: {}", stderr(&o));
        assert!(stderr(&o).contains("notes.txt"), "{cmd}: {}", stderr(&o));
    }
    assert_eq!(names(tmp.path()), ["mine", "report.txt"]);
    assert_eq!(names(&mine), ["notes.txt"]);

    // --force replaces both; the marker says what wrote them.
    ok(&run(&mut plan(&mine, 1, &["--force"])));
    ok(&run(&mut plan(&file, 1, &["--force"])));
    assert!(!mine.join("notes.txt").exists());
    assert!(file.join("summary.json").is_file());
    let marker = fs::read_to_string(mine.join(".wasteroute")).unwrap();
    assert!(
        marker.contains("wasteroute = \"") && marker.contains("kind = \"plan\""),
        "{marker}"
    );
    // A folder wasteroute wrote, and an empty one, need no --force.
    ok(&run(&mut plan(&mine, 2, &[])));
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    ok(&run(&mut plan(&empty, 1, &[])));
    assert_eq!(names(tmp.path()), ["empty", "mine", "report.txt"]);
}

#[test]
fn single_file_outputs_overwrite_a_file_but_never_a_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let vrp = data("cvrplib/E-n13-k4.vrp");
    let sol = tmp.path().join("a.sol");
    fs::write(&sol, "old").unwrap();
    let solve = |out: &Path| {
        run(bin()
            .args(["cvrp", "solve", "--iterations", "50"])
            .arg(&vrp)
            .arg("--out")
            .arg(out))
    };
    ok(&solve(&sol));
    assert!(fs::read_to_string(&sol).unwrap().contains("Route #1"));
    let dir = tmp.path().join("folder");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("x"), "x").unwrap();
    let o = solve(&dir);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is a folder"), "{}", stderr(&o));
    assert_eq!(names(&dir), ["x"]);
    assert_eq!(names(tmp.path()), ["a.sol", "folder"]);
}

/// A failure at each file operation of `plan --map` in turn, over a
/// previous plan folder: after each failure the previous folder is there,
/// byte for byte, with nothing beside it, and the error names the path;
/// when the fault comes after the new folder is in place, the run succeeds
/// with a warning and the next run removes what it left.
#[test]
fn a_failure_at_any_file_operation_leaves_the_previous_plan_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, mut before) = previous_plan(tmp.path());
    let mut failures = 0;
    for k in 1.. {
        let o = run(plan(&out, 1, &["--map"]).env("WASTEROUTE_FAULT_AT", k.to_string()));
        let e = stderr(&o);
        if !e.contains("fault injected") {
            ok(&o);
            assert_complete_with_map(&out);
            assert_ne!(snapshot(&out), before, "the new plan differs (seed)");
            assert_eq!(names(tmp.path()), ["plan"]);
            assert!(failures >= 25, "only {failures} operations failed");
            return;
        }
        if o.status.success() {
            // After the exchange: flushing the parent or removing the
            // replaced folder failed. The new plan is whole; a leftover
            // is named in the warning and goes with the next run.
            assert_complete_with_map(&out);
            assert!(e.contains("WARN"), "{e}");
            let left: Vec<String> = names(tmp.path())
                .into_iter()
                .filter(|n| n != "plan")
                .collect();
            for l in &left {
                // `.old-` where the system has no atomic exchange.
                assert!(
                    (l.starts_with(".plan.partial-") || l.starts_with(".plan.old-"))
                        && e.contains(l.as_str()),
                    "{e}"
                );
            }
            let (_, again) = previous_plan(tmp.path());
            before = again;
            continue;
        }
        failures += 1;
        assert!(
            matches!(o.status.code(), Some(1 | 2)),
            "operation {k}: {:?}: {e}",
            o.status
        );
        assert!(
            e.contains(&*tmp.path().to_string_lossy()),
            "operation {k}: {e}"
        );
        assert_eq!(names(tmp.path()), ["plan"], "operation {k}: {e}");
        assert!(
            snapshot(&out) == before,
            "operation {k} changed the plan: {e}"
        );
    }
}

/// A kill at each file operation of `plan --map` in turn: the published
/// name always holds a complete plan (the previous one, or the new one once
/// exchanged), the only other entry is the hidden staging folder of the
/// killed run, and the next run removes it (so there is never more than
/// one). Only where the system has an atomic exchange: with two renames the
/// name is briefly missing (which this test catches when the exchange is
/// switched off).
#[test]
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn a_kill_at_any_file_operation_leaves_a_whole_plan_and_the_next_run_cleans_up() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, mut before) = previous_plan(tmp.path());
    for k in 1.. {
        let o = run(plan(&out, 1, &["--map"])
            .env("WASTEROUTE_FAULT_AT", k.to_string())
            .env("WASTEROUTE_FAULT_MODE", "kill"));
        if o.status.success() {
            assert_complete_with_map(&out);
            assert_eq!(names(tmp.path()), ["plan"]);
            assert!(k > 25, "only {k} operations");
            return;
        }
        assert_complete_with_map(&out);
        let now = snapshot(&out);
        let exchanged = now != before;
        if exchanged {
            // The new plan is whole (the seed differs, so every file but the
            // marker does).
            assert_eq!(
                now.keys().collect::<Vec<_>>(),
                before.keys().collect::<Vec<_>>(),
                "operation {k}"
            );
        }
        let left = names(tmp.path());
        assert!(left.len() <= 2, "operation {k}: {left:?}");
        for n in left {
            assert!(
                n == "plan" || n.starts_with(".plan.partial-"),
                "operation {k} left {n}"
            );
        }
        if exchanged {
            // The next run (the previous plan again) removes the leftover.
            let (_, again) = previous_plan(tmp.path());
            before = again;
        }
    }
}

/// `compare` publishes its folder (the table and a plan folder per
/// scenario) at once: a failure at any operation leaves the previous
/// comparison as it was.
#[test]
fn compare_writes_its_folder_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = tmp.path().join("base.toml");
    fs::write(
        &sc,
        format!(
            "name = \"Base case\"\nbase = \"{}\"\nosm = \"{}\"\n",
            data("plan").display(),
            data("monaco-latest.osm.pbf").display()
        ),
    )
    .unwrap();
    let parent = tmp.path().join("runs");
    fs::create_dir(&parent).unwrap();
    let out = parent.join("cmp");
    let compare = |seed: &str| {
        let mut c = bin();
        c.arg("compare")
            .arg(&sc)
            .args(["--iterations", "20", "--no-recombine", "--seed", seed])
            .arg("--out")
            .arg(&out);
        c
    };
    ok(&run(&mut compare("2")));
    let mut before = snapshot(&out);
    for f in [
        ".wasteroute",
        "compare.csv",
        "compare.json",
        "base-case/.wasteroute",
        "base-case/summary.json",
        "base-case/routes.csv",
    ] {
        assert!(before.contains_key(f), "{f}: {:?}", before.keys());
    }
    for k in 1.. {
        let o = run(compare("1").env("WASTEROUTE_FAULT_AT", k.to_string()));
        let e = stderr(&o);
        if o.status.success() {
            assert_eq!(
                snapshot(&out).keys().collect::<Vec<_>>(),
                before.keys().collect::<Vec<_>>()
            );
            if !e.contains("fault injected") {
                assert_eq!(names(&parent), ["cmp"]);
                assert!(k > 15, "only {k} operations");
                return;
            }
            // A fault after the exchange (a warning): the next run removes
            // what it left, and writes the previous state again.
            ok(&run(&mut compare("2")));
            assert_eq!(names(&parent), ["cmp"]);
            before = snapshot(&out);
            continue;
        }
        assert_eq!(o.status.code(), Some(2), "operation {k}: {e}");
        assert!(e.contains("fault injected"), "operation {k}: {e}");
        assert_eq!(names(&parent), ["cmp"], "operation {k}");
        assert!(snapshot(&out) == before, "operation {k} changed it: {e}");
    }
}

/// `wasteroute map DIR` rebuilds the reports one file at a time, each
/// atomically: after a failure at any operation every report is absent or
/// complete, nothing hidden is left, and the rebuilt reports equal those
/// that `plan --map` staged with the plan.
#[test]
fn map_rebuilds_each_report_atomically() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, with_map) = previous_plan(tmp.path());
    let reports = |snap: &BTreeMap<String, Vec<u8>>| -> BTreeMap<String, Vec<u8>> {
        snap.iter()
            .filter(|(k, _)| k.ends_with(".html") || k.starts_with("gpx/"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let want = reports(&with_map);
    for k in 1.. {
        let _ = fs::remove_dir_all(out.join("gpx"));
        let _ = fs::remove_file(out.join("map.html"));
        let _ = fs::remove_file(out.join("route_sheets.html"));
        let o = run(bin()
            .arg("map")
            .arg(&out)
            .env("WASTEROUTE_FAULT_AT", k.to_string()));
        let e = stderr(&o);
        let now = snapshot(&out);
        for (name, bytes) in reports(&now) {
            assert_eq!(Some(&bytes), want.get(&name), "operation {k}: {name}");
        }
        assert!(
            names(&out)
                .iter()
                .all(|n| !n.starts_with(".map.html.") && !n.starts_with(".route_sheets.html.")),
            "operation {k}: {:?}",
            names(&out)
        );
        if out.join("gpx").is_dir() {
            assert!(names(&out.join("gpx")).iter().all(|n| !n.starts_with('.')));
        }
        if !e.contains("fault injected") {
            ok(&o);
            assert_eq!(reports(&now), want);
            assert!(k > 5, "only {k} operations");
            return;
        }
        if !o.status.success() {
            assert_eq!(o.status.code(), Some(2), "operation {k}: {e}");
            assert!(e.contains(&*out.to_string_lossy()), "operation {k}: {e}");
        }
    }
}

/// Leftovers of killed runs (hidden staging, replaced and temporary entries
/// of the same target whose process is gone) are removed by the next run;
/// hidden entries of the user's, or of other targets, are not.
#[test]
fn only_the_leftovers_of_killed_runs_of_the_same_target_are_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // 4194304 is above every process id Linux hands out.
    for n in [
        ".plan.partial-4194304-0badcafe-0",
        ".plan.old-4194304",
        ".plan.partial-4194304",
    ] {
        fs::create_dir(d.join(n)).unwrap();
        fs::write(d.join(n).join(".wasteroute"), "wasteroute = \"0\"\n").unwrap();
    }
    fs::write(d.join(".plan.tmp-4194304-1-2"), "x").unwrap();
    let keep = [
        ".plan.keep",
        ".planning.partial-4194304",
        ".other.old-4194304",
    ];
    for n in keep {
        fs::write(d.join(n), "mine").unwrap();
    }
    ok(&run(&mut plan(&d.join("plan"), 1, &[])));
    let mut want: Vec<String> = keep.iter().map(|s| s.to_string()).collect();
    want.push("plan".into());
    want.sort();
    assert_eq!(names(d), want);
}

#[test]
fn plan_with_turns_reports_the_turn_statistics_and_the_side_of_each_pickup() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let o = run(&mut plan(&b, 1, &["--turns"]));
    ok(&o);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("turns      truck:") && stdout.contains("U-turns forbidden"),
        "{stdout}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(b.join("summary.json")).unwrap()).unwrap();
    let turns = summary["turns"].as_array().expect("turns per profile");
    assert_eq!(turns.len(), 2, "{turns:?}");
    assert!(turns[0]["restrictions"]["applied"].as_u64().unwrap() > 30);
    let routes: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(b.join("routes.geojson")).unwrap()).unwrap();
    let stops: Vec<&serde_json::Value> = (routes["features"].as_array().unwrap().iter())
        .map(|f| &f["properties"])
        .filter(|p| p["feature"] == "stop")
        .collect();
    for s in &stops {
        let side = s["side"].as_str();
        if s["kind"] == "pickup" {
            assert!(matches!(side, Some("right" | "left" | "on")), "{s}");
        } else {
            assert!(side.is_none(), "{s}");
        }
    }
    // Without the flag: no turn statistics, and no turn line.
    let o = run(&mut plan(&a, 1, &[]));
    ok(&o);
    assert!(!String::from_utf8_lossy(&o.stdout).contains("turns "));
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(a.join("summary.json")).unwrap()).unwrap();
    assert!(summary["turns"].is_null());
}
