//! `wasteroute batch`: shards running at once on one folder, a shard
//! stopped mid-run and run again, the city report, and the exit codes.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A run that takes longer than this is hung.
const HANG_GUARD: Duration = Duration::from_secs(300);

fn demo(f: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data/demo")
        .join(f)
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wasteroute"));
    for v in [
        "JOB_COMPLETION_INDEX",
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_COUNT",
        "SLURM_ARRAY_TASK_MIN",
    ] {
        c.env_remove(v);
    }
    c
}

/// `wasteroute batch CMD MANIFEST --out OUT`.
fn batch(cmd: &str, m: &Path, out: &Path) -> Command {
    let mut c = bin();
    c.args(["batch", cmd]).arg(m).arg("--out").arg(out);
    c
}

/// Runs `c` to its end; its output.
fn output(mut c: Command) -> Output {
    c.output().unwrap()
}

/// The demo cut into its four districts, with short searches; `vaduz`
/// (third, so the second of shard 0 of 2) searches longer, so that a
/// signal reaches it while it runs.
fn manifest(dir: &Path, extra: &str) -> PathBuf {
    let text = format!(
        "osm = {:?}\nfacilities = {:?}\nfleet = {:?}\n\
         iterations = 30\nno_improvement = 30\nseed = 3\nthreads = 1\nrecombine = false\nmap = false\n\n\
         [[district]]\nname = \"unterland\"\npickups = {:?}\nmap = true\n\n\
         [[district]]\nname = \"schaan\"\npickups = {:?}\n\n\
         [[district]]\nname = \"vaduz\"\npickups = {:?}\niterations = 300\nno_improvement = 300\nseed = 7\n\n\
         [[district]]\nname = \"triesen-balzers\"\npickups = {:?}\n{extra}",
        demo("map.osm.pbf"),
        demo("facilities.csv"),
        demo("fleet.toml"),
        demo("batch/unterland.csv"),
        demo("batch/schaan.csv"),
        demo("batch/vaduz.csv"),
        demo("batch/triesen-balzers.csv"),
    );
    let p = dir.join("nightly.toml");
    std::fs::write(&p, text).unwrap();
    p
}

const DISTRICTS: [&str; 4] = ["unterland", "schaan", "vaduz", "triesen-balzers"];

fn status(out: &Path, d: &str) -> serde_json::Value {
    let p = out.join(d).join("status.json");
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A shard started in the background, its stdout lines as they come.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Running {
    fn start(mut cmd: Command) -> Running {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a line starting with `prefix`.
    fn wait_for(&mut self, prefix: &str) {
        let guard = Instant::now() + HANG_GUARD;
        while !self.seen.iter().any(|l| l.starts_with(prefix)) {
            match self.lines.recv_timeout(Duration::from_millis(50)) {
                Ok(l) => self.seen.push(l),
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    panic!("ended before '{prefix}': {:?}", self.seen)
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
            if Instant::now() > guard {
                let _ = self.child.kill();
                panic!("no '{prefix}': {:?}", self.seen);
            }
        }
    }

    /// Waits for the end; its exit code and every stdout line.
    fn finish(mut self) -> (Option<i32>, Vec<String>) {
        let guard = Instant::now() + HANG_GUARD;
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                self.seen.extend(self.lines.try_iter());
                while let Ok(l) = self.lines.recv_timeout(Duration::from_millis(200)) {
                    self.seen.push(l);
                }
                return (st.code(), self.seen);
            }
            self.seen.extend(self.lines.try_iter());
            if Instant::now() > guard {
                let _ = self.child.kill();
                panic!("hung: {:?}", self.seen);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Hidden entries in the batch folder (staging folders of killed runs).
fn leftovers(out: &Path) -> Vec<String> {
    std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

fn sigterm(child: &Child) {
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

/// Shards at once, one stopped mid-run by SIGTERM and run again through
/// `JOB_COMPLETION_INDEX`: every folder complete, only the stopped
/// district recomputed, the same plans as one process, and the report
/// lists every district.
#[test]
fn concurrent_shards_resume_after_a_kill_and_match_a_single_process() {
    let tmp = tempfile::tempdir().unwrap();
    let m = manifest(tmp.path(), "");
    let (single, out) = (tmp.path().join("single"), tmp.path().join("out"));

    let o = output(batch("run", &m, &single));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    for d in DISTRICTS {
        assert_eq!(status(&single, d)["status"], "ok", "{d}");
    }

    // Shard 0 by flags, shard 1 as a Kubernetes Indexed Job's pod.
    let mut s0 = batch("run", &m, &out);
    s0.args(["--shard-index", "0", "--shard-count", "2"]);
    let mut s1 = batch("run", &m, &out);
    s1.args(["--shard-count", "2"])
        .env("JOB_COMPLETION_INDEX", "1");
    let mut s0 = Running::start(s0);
    let s1 = Running::start(s1);
    s0.wait_for("planning   vaduz");
    sigterm(&s0.child);
    let (code0, lines0) = s0.finish();
    let (code1, lines1) = s1.finish();
    assert_eq!(code0, Some(143), "{lines0:?}");
    assert_eq!(code1, Some(0), "{lines1:?}");
    assert!(
        lines1[0].contains("1 of 2 (JOB_COMPLETION_INDEX): 2 of 4"),
        "{lines1:?}"
    );
    let v = status(&out, "vaduz");
    assert_eq!(
        (v["status"].as_str(), v["exit_code"].as_i64()),
        (Some("interrupted"), Some(143))
    );
    assert!(
        out.join("vaduz/summary.json").is_file(),
        "the best plan so far is written"
    );
    let before: Vec<String> = DISTRICTS
        .iter()
        .map(|d| std::fs::read_to_string(out.join(d).join("status.json")).unwrap())
        .collect();

    // The rerun of shard 0 recomputes vaduz only.
    let mut rerun = batch("run", &m, &out);
    rerun
        .args(["--shard-count", "2"])
        .env("JOB_COMPLETION_INDEX", "0");
    let o = output(rerun);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("skipped    unterland"), "{stdout}");
    assert!(
        stdout.contains("planning   vaduz (the last run ended interrupted)"),
        "{stdout}"
    );
    assert!(stdout.contains("1 planned, 1 skipped"), "{stdout}");
    for (k, d) in DISTRICTS.iter().enumerate() {
        let now = std::fs::read_to_string(out.join(d).join("status.json")).unwrap();
        assert_eq!(
            now == before[k],
            *d != "vaduz",
            "{d}: recomputed only if it was stopped"
        );
        let st = status(&out, d);
        assert_eq!(st["status"], "ok", "{d}");
        assert_eq!(
            st["inputs_sha256"],
            status(&single, d)["inputs_sha256"],
            "{d}"
        );
        for f in [
            "summary.json",
            "routes.csv",
            "routes.geojson",
            ".wasteroute",
        ] {
            assert!(out.join(d).join(f).is_file(), "{d}/{f}");
        }
        let routes = |dir: &Path| std::fs::read_to_string(dir.join(d).join("routes.csv")).unwrap();
        assert_eq!(
            routes(&out),
            routes(&single),
            "{d}: same plan as one process"
        );
    }
    assert!(out.join("unterland/map.html").is_file());
    assert_eq!(leftovers(&out), Vec::<String>::new());

    // A third run keeps everything.
    let o = output(batch("run", &m, &out));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("0 planned, 4 skipped"),
        "{}",
        text(&o)
    );

    // New settings for vaduz make its folder stale; a SIGKILL while it is
    // replanned leaves the previous folder whole, and the rerun replans it.
    let text8 = std::fs::read_to_string(&m)
        .unwrap()
        .replace("seed = 7", "seed = 8");
    std::fs::write(&m, text8).unwrap();
    let old_routes = std::fs::read_to_string(out.join("vaduz/routes.csv")).unwrap();
    let mut k = Running::start(batch("run", &m, &out));
    k.wait_for("planning   vaduz (the settings changed)");
    k.child.kill().unwrap();
    let (code, _) = k.finish();
    assert_eq!(code, None, "killed");
    assert_eq!(status(&out, "vaduz")["settings"]["seed"], 7);
    assert_eq!(
        std::fs::read_to_string(out.join("vaduz/routes.csv")).unwrap(),
        old_routes
    );
    let o = output(batch("run", &m, &out));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("1 planned, 3 skipped"),
        "{}",
        text(&o)
    );
    assert_eq!(status(&out, "vaduz")["settings"]["seed"], 8);
    assert_eq!(leftovers(&out), Vec::<String>::new());

    // The report, with one district more in the manifest that never ran;
    // first with vaduz's old seed, against which its folder is stale.
    let m = manifest(
        tmp.path(),
        &format!(
            "\n[[district]]\nname = \"later\"\npickups = {:?}\n",
            demo("batch/vaduz.csv")
        ),
    );
    let summary = || -> serde_json::Value {
        let o = output(batch("report", &m, &out));
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        serde_json::from_str(&std::fs::read_to_string(out.join("batch-summary.json")).unwrap())
            .unwrap()
    };
    let s = summary();
    assert_eq!(s["districts"][2]["stale"], "the settings changed");
    assert_eq!(s["totals"]["complete"], 3);
    let text8 = std::fs::read_to_string(&m)
        .unwrap()
        .replace("seed = 7", "seed = 8");
    std::fs::write(&m, text8).unwrap();
    let s = summary();
    assert!(s["districts"][2]["stale"].is_null());
    let rows = s["districts"].as_array().unwrap();
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["district"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["unterland", "schaan", "vaduz", "triesen-balzers", "later"]
    );
    assert_eq!(rows[4]["status"], "missing");
    assert_eq!(s["complete"], false);
    assert_eq!(s["totals"]["complete"], 4);
    assert_eq!(s["totals"]["by_status"]["ok"], 4);
    assert_eq!(rows[0]["map"], "unterland/map.html");
    assert!(rows[1]["map"].is_null() && rows[1]["summary"] == "schaan/summary.json");
    let vehicles: u64 = rows[..4]
        .iter()
        .map(|r| r["vehicles"].as_u64().unwrap())
        .sum();
    assert_eq!(s["totals"]["vehicles"].as_u64(), Some(vehicles));
    let urban = &s["totals"]["coverage"]["urban"];
    let total: u64 = rows[..4]
        .iter()
        .map(|r| r["coverage"]["urban"]["points_total"].as_u64().unwrap())
        .sum();
    assert_eq!(urban["points_total"].as_u64(), Some(total));
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    for d in names {
        assert!(html.contains(&format!("<td>{d}</td>")), "{d}");
    }
    assert!(html.contains("<a href=\"unterland/map.html\">") && html.contains(">missing<"));
}

/// Bad input is exit code 2 and a `bad_input` status, not retried by the
/// engine; other districts of the shard still run; weekly plans are refused
/// before anything runs.
#[test]
fn bad_input_districts_give_exit_code_2() {
    let tmp = tempfile::tempdir().unwrap();
    let m = tmp.path().join("m.toml");
    std::fs::write(
        &m,
        format!(
            "osm = {:?}\nfacilities = {:?}\nfleet = {:?}\niterations = 10\nthreads = 1\nrecombine = false\nmap = false\n\n\
             [[district]]\nname = \"nowhere\"\npickups = \"missing.csv\"\n\n\
             [[district]]\nname = \"broken\"\npickups = {:?}\n\n\
             [[district]]\nname = \"unterland\"\npickups = {:?}\n",
            demo("map.osm.pbf"),
            demo("facilities.csv"),
            demo("fleet.toml"),
            demo("fleet.toml"),
            demo("batch/unterland.csv"),
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = output(batch("run", &m, &out));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    for d in ["nowhere", "broken"] {
        let st = status(&out, d);
        assert_eq!(
            (st["status"].as_str(), st["exit_code"].as_i64()),
            (Some("bad_input"), Some(2)),
            "{d}"
        );
        assert!(!out.join(d).join("summary.json").exists());
    }
    assert!(
        status(&out, "nowhere")["error"]
            .as_str()
            .unwrap()
            .contains("missing.csv")
    );
    assert!(status(&out, "nowhere")["inputs_sha256"].is_null());
    assert_eq!(status(&out, "unterland")["status"], "ok");
    let o = output(batch("report", &m, &out));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        html.contains("<td>nowhere</td>") && html.contains("missing.csv"),
        "{html}"
    );
}

/// The weekly Monaco fixture of tests/data/week.
fn week_fixture(f: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(f)
}

#[test]
fn weekly_districts_are_planned_resumed_and_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let m = tmp.path().join("m.toml");
    std::fs::write(
        &m,
        format!(
            "mode = \"week\"\nosm = {:?}\nfacilities = {:?}\nfleet = {:?}\niterations = 20\nthreads = 1\nmap = true\n\n\
             [[district]]\nname = \"east\"\npickups = {:?}\n\n\
             [[district]]\nname = \"west\"\npickups = {:?}\nseed = 9\n\n\
             [[district]]\nname = \"today\"\npickups = {:?}\nmode = \"plan\"\nmap = false\n",
            week_fixture("monaco-latest.osm.pbf"),
            week_fixture("week/facilities.csv"),
            week_fixture("week/fleet.toml"),
            week_fixture("week/pickups.csv"),
            week_fixture("week/pickups.csv"),
            week_fixture("week/pickups.csv"),
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = output(batch("run", &m, &out));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    for d in ["east", "west"] {
        let st = status(&out, d);
        assert_eq!(st["status"], "ok", "{d}: {st}");
        assert_eq!(st["settings"]["mode"], "week", "{d}");
        for f in [
            "week-summary.json",
            "calendar.csv",
            "week.html",
            "days/mon/routes.csv",
            "days/sat/map.html",
        ] {
            assert!(out.join(d).join(f).is_file(), "{d}/{f}");
        }
    }
    assert!(out.join("today/summary.json").is_file());
    assert!(!out.join("today/week-summary.json").exists());
    // Run again: every folder is current, nothing is computed.
    let o = output(batch("run", &m, &out));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let skipped = text(&o)
        .lines()
        .filter(|l| l.starts_with("skipped "))
        .count();
    assert_eq!(skipped, 3, "{}", text(&o));
    let o = output(batch("report", &m, &out));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("batch-summary.json")).unwrap())
            .unwrap();
    let east = &s["districts"][0];
    assert_eq!(
        (east["district"].as_str(), east["mode"].as_str()),
        (Some("east"), Some("week"))
    );
    let ws: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("east/week-summary.json")).unwrap())
            .unwrap();
    assert_eq!(east["vehicles"], ws["vehicles_needed"]);
    assert_eq!(east["cost"], ws["cost"]);
    assert_eq!(
        east["coverage"]["urban"]["points_total"],
        ws["coverage"]["urban"]["visits_required"]
    );
    assert_eq!(east["map"], "east/week.html");
    assert_eq!(east["summary"], "east/week-summary.json");
    assert_eq!(s["districts"][2]["mode"], "plan");
    assert_eq!(s["complete"], true);
}
