//! Runs a batch manifest as 1 shard, then as 2 shards at once, with the
//! built `wasteroute` binary, and prints the wall time of each, every
//! district's run time (from its `status.json`) and the speed-up.
//!
//! ```text
//! cargo build --release
//! cargo run --release --example batch_bench -- [--manifest data/demo/batch/nightly.toml]
//!     [--bin target/release/wasteroute] [--threads T] [--out DIR]
//! ```
//!
//! `--threads` overrides the manifest's threads per district (a copy of the
//! manifest with absolute paths is written into `--out`); on 2 cores,
//! `--threads 1` lets each of the 2 shards have a core of its own, while
//! the manifest's `threads = 2` makes 2 shards share both cores. The plans
//! do not depend on the number of shards, only on the seeds and threads.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut manifest = PathBuf::from("data/demo/batch/nightly.toml");
    let mut bin = PathBuf::from("target/release/wasteroute");
    let mut out =
        std::env::temp_dir().join(format!("wasteroute-batch-bench-{}", std::process::id()));
    let mut threads: Option<i64> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--manifest" => manifest = value()?.into(),
            "--bin" => bin = value()?.into(),
            "--out" => out = value()?.into(),
            "--threads" => threads = Some(value()?.parse()?),
            _ => return Err(format!("unknown argument {a}").into()),
        }
    }
    std::fs::create_dir_all(&out)?;
    if let Some(t) = threads {
        manifest = with_threads(&manifest, &out, t)?;
    }
    let names: Vec<String> = wasteroute::batch::Manifest::read(&manifest)?
        .districts
        .into_iter()
        .map(|d| d.name)
        .collect();
    println!(
        "manifest {} ({} districts), {} cores",
        manifest.display(),
        names.len(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let mut walls = Vec::new();
    for shards in [1usize, 2] {
        let dir = out.join(format!("shards-{shards}"));
        let _ = std::fs::remove_dir_all(&dir);
        let t = Instant::now();
        let children: Vec<_> = (0..shards)
            .map(|i| {
                Command::new(&bin)
                    .args(["batch", "run"])
                    .arg(&manifest)
                    .arg("--out")
                    .arg(&dir)
                    .args([
                        "--shard-index",
                        &i.to_string(),
                        "--shard-count",
                        &shards.to_string(),
                    ])
                    .stdout(std::process::Stdio::null())
                    .spawn()
            })
            .collect::<Result<_, _>>()?;
        for mut c in children {
            let st = c.wait()?;
            if !st.success() {
                return Err(format!("a shard ended with {st}").into());
            }
        }
        let wall = t.elapsed().as_secs_f64();
        walls.push(wall);
        println!("\n{shards} shard(s): wall {wall:.2} s");
        let mut sum = 0.0;
        for n in &names {
            let st: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(dir.join(n).join("status.json"))?)?;
            let s = st["runtime_s"].as_f64().unwrap_or(0.0);
            sum += s;
            println!(
                "  {n:<20} {:>7.2} s  {}",
                s,
                st["status"].as_str().unwrap_or("?")
            );
        }
        println!("  {:<20} {sum:>7.2} s", "sum of districts");
    }
    println!("\nspeed-up 2 shards vs 1: {:.2}x", walls[0] / walls[1]);
    let same = names.iter().all(|n| {
        let r = |k: usize| {
            std::fs::read(out.join(format!("shards-{k}")).join(n).join("routes.csv")).ok()
        };
        r(1).is_some() && r(1) == r(2)
    });
    println!("same routes.csv with 1 and 2 shards: {same}");
    Ok(())
}

/// A copy of the manifest in `dir` with `threads = t` everywhere and its
/// paths made absolute.
fn with_threads(
    manifest: &Path,
    dir: &Path,
    t: i64,
) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let base = std::fs::canonicalize(manifest)?
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut table: toml::Table = toml::from_str(&std::fs::read_to_string(manifest)?)?;
    let fix = |t: &mut toml::Table, threads: i64| {
        for key in ["osm", "facilities", "fleet", "closures", "pickups"] {
            if let Some(toml::Value::String(p)) = t.get(key) {
                let abs = base.join(p).display().to_string();
                t.insert(key.into(), toml::Value::String(abs));
            }
        }
        t.insert("threads".into(), toml::Value::Integer(threads));
    };
    fix(&mut table, t);
    if let Some(toml::Value::Array(ds)) = table.get_mut("district") {
        for d in ds.iter_mut() {
            if let toml::Value::Table(d) = d {
                fix(d, t);
                d.remove("threads");
            }
        }
    }
    let p = dir.join(format!("manifest-threads-{t}.toml"));
    std::fs::write(&p, toml::to_string(&table)?)?;
    Ok(p)
}
