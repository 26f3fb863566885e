//! `wasteroute pvrpif solve` on a benchmark instance of Taverna & Tilk
//! (2026), scored by the independent checker.

use std::path::{Path, PathBuf};
use std::process::Command;

fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(rel)
}

fn solve(out: &Path) -> String {
    let inst = shared("data/periodic/pvrpif/planning horizon 4/Milano_020_4_0.geojson");
    let o = Command::new(env!("CARGO_BIN_EXE_wasteroute"))
        .args(["pvrpif", "solve"])
        .arg(&inst)
        .args(["--iterations", "300", "--seed", "2", "--out"])
        .arg(out)
        .output()
        .expect("wasteroute runs");
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    stdout
}

#[test]
fn a_solved_instance_passes_the_checker_and_repeats() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    let stdout = solve(&a);
    assert!(stdout.contains("feasible   true"), "{stdout}");
    assert!(stdout.contains("vehicles   "), "{stdout}");
    let inst = shared("data/periodic/pvrpif/planning horizon 4/Milano_020_4_0.geojson");
    let o = Command::new("python3")
        .arg(shared("tools/pvrpif/pvrpif.py"))
        .arg("check")
        .arg(&inst)
        .arg(&a)
        .output()
        .expect("python3 runs");
    let rep = String::from_utf8_lossy(&o.stdout);
    assert!(rep.contains("\"feasible\": true"), "{rep}");
    // The cost the command printed is the checker's.
    let v: serde_json::Value = serde_json::from_str(rep.trim()).unwrap();
    let printed = format!("cost       {}", v["cost"].as_f64().unwrap());
    assert!(stdout.contains(&printed), "{stdout} vs {rep}");
    // Same seed and iterations: the same solution.
    solve(&b);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}
