//! `wasteroute bench ...`: timed runs of the road pipeline.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, Subcommand};
use wasteroute::graph::{DEFAULT_MAX_SNAP_M, Profile, RoadGraph, Snap, SnappedPoint};
use wasteroute::matrix::{Router, TravelMatrix};

use super::points::read_points;
use wasteroute::peak_rss_mb;

/// Benchmark commands.
#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    command: BenchCommand,
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Time graph build, contraction, snapping and an N x N matrix.
    Matrix(MatrixArgs),
}

#[derive(Debug, Args)]
struct MatrixArgs {
    /// The OpenStreetMap extract (.osm.pbf).
    #[arg(long)]
    osm: PathBuf,
    /// `truck`, `small`, or a profile TOML file.
    #[arg(long, default_value = "truck")]
    profile: String,
    /// Draw this many random points on the roads.
    #[arg(
        long,
        conflicts_with = "points_file",
        required_unless_present = "points_file",
        value_parser = super::values::at_least_one
    )]
    points: Option<usize>,
    /// Seed for the random points.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Read the points from a CSV with columns id,lat,lon.
    #[arg(long)]
    points_file: Option<PathBuf>,
    /// How often to repeat the matrix (the median is reported).
    #[arg(long, default_value_t = 1, value_parser = super::values::at_least_one)]
    repeat: usize,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// Route on the turn-expanded graph (turn restrictions, U-turn rule,
    /// turn costs) instead of the node-based graph.
    #[arg(long)]
    turns: bool,
    /// Also write the durations of the last matrix to this file, for
    /// comparison with other engines: n x n little-endian `i32` seconds
    /// over the input points in input order (row = from, column = to), -1
    /// where there is no path or a point is too far from the road. Not
    /// included in the timings or in `peak_rss_mb`.
    #[arg(long)]
    durations_out: Option<PathBuf>,
}

/// Runs a `bench` subcommand.
pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    match args.command {
        BenchCommand::Matrix(a) => matrix(a),
    }
}

/// xorshift64*, so the random points depend on the seed only.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `n` points on random edges (chosen by length), at random positions.
fn random_points(g: &RoadGraph, n: usize, seed: u64) -> Vec<(f64, f64)> {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut cum = Vec::with_capacity(g.n_edges());
    let mut acc = 0u64;
    for e in g.edges() {
        acc += e.length_cm as u64;
        cum.push(acc);
    }
    (0..n)
        .map(|_| {
            let x = (rng.unit() * acc as f64) as u64;
            let e = cum.partition_point(|&c| c <= x).min(g.n_edges() - 1);
            let f = rng.unit();
            let (lon, lat) = g.edge_polyline_between(e as u32, f, f)[0];
            (lat, lon)
        })
        .collect()
}

fn matrix(a: MatrixArgs) -> anyhow::Result<()> {
    let profile = Profile::from_name_or_file(&a.profile)?;
    let file_points = match &a.points_file {
        Some(p) => Some(read_points(p)?),
        None => None,
    };
    let (g, report) = RoadGraph::from_osm(&a.osm, &profile)?;
    let t = Instant::now();
    let router = if a.turns {
        Router::turn_aware(&g)
    } else {
        Router::new(&g)
    };
    let prep_s = t.elapsed().as_secs_f64();
    let turn_stats = router.turn_stats().cloned().unwrap_or_default();
    let coords: Vec<(f64, f64)> = match &file_points {
        Some(pts) => pts.iter().map(|p| (p.lat, p.lon)).collect(),
        None => random_points(&g, a.points.unwrap_or(0), a.seed),
    };
    let t = Instant::now();
    let snaps = g.snap(&coords, DEFAULT_MAX_SNAP_M)?;
    let snap_s = t.elapsed().as_secs_f64();
    let on_road: Vec<SnappedPoint> = snaps.iter().filter_map(Snap::on_road).copied().collect();
    // Index of each input point among the snapped ones.
    let mut slot = Vec::with_capacity(snaps.len());
    let mut k = 0;
    for s in &snaps {
        slot.push(s.on_road().map(|_| k));
        k += usize::from(s.on_road().is_some());
    }
    let too_far = snaps.len() - on_road.len();
    let max_snap_m = on_road.iter().map(|p| p.distance_m).fold(0.0, f64::max);
    let mut times = Vec::new();
    let mut m = None;
    for _ in 0..a.repeat.max(1) {
        drop(m.take()); // free the previous matrix before timing the next
        let t = Instant::now();
        m = Some(router.matrix(&on_road)?);
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let matrix_s = times[times.len() / 2];
    let m = m.expect("at least one run");
    let n = on_road.len();
    let (mut sum_s, mut sum_m) = (0i64, 0i64);
    for i in 0..n {
        for j in 0..n {
            sum_s += m.duration(i, j).unwrap_or(0);
            sum_m += m.distance(i, j).unwrap_or(0);
        }
    }
    let peak_rss = peak_rss_mb();
    if let Some(path) = &a.durations_out {
        write_durations(path, &m, &slot).with_context(|| format!("writing {}", path.display()))?;
    }
    let out = serde_json::json!({
        "n": n,
        "profile": profile.name,
        "osm": a.osm.display().to_string(),
        "read_s": round(report.read_s),
        "build_s": round(report.build_s),
        "prep_s": round(prep_s),
        "snap_s": round(snap_s),
        "matrix_s": round(matrix_s),
        "matrix_runs_s": times.iter().map(|x| round(*x)).collect::<Vec<_>>(),
        "peak_rss_mb": peak_rss,
        "unreachable_pairs": m.n_unreachable(),
        "too_far_points": too_far,
        "max_snap_m": (max_snap_m * 100.0).round() / 100.0,
        "vertices": report.vertices,
        "arcs": report.arcs,
        "hierarchy_arcs": router.n_hierarchy_arcs(),
        "sum_duration_s": sum_s,
        "sum_distance_m": sum_m,
        "threads": rayon::current_num_threads(),
        "turns": a.turns,
        "turn_restrictions_read": report.restrictions.read,
        "turn_restrictions_applied": report.restrictions.applied,
        "turn_restrictions_ignored": &report.restrictions,
        "u_turns_forbidden": turn_stats.u_turns_forbidden,
        "turn_graph": &turn_stats,
    });
    if a.json {
        println!("{out}");
    } else {
        println!(
            "{n} x {n} on {} ({} vertices): read {:.3} s, build {:.3} s, prep {:.3} s, snap {:.3} s, matrix {:.3} s, peak RSS {} MB, {} unreachable pairs, {} points too far",
            a.osm.display(),
            report.vertices,
            report.read_s,
            report.build_s,
            prep_s,
            snap_s,
            matrix_s,
            out["peak_rss_mb"],
            m.n_unreachable(),
            too_far
        );
        println!("{}", super::graph::restriction_line(&report.restrictions));
        if let Some(t) = router.turn_stats() {
            println!("{}", super::graph::turn_line(t));
        }
    }
    Ok(())
}

/// Writes `m`'s durations over the input points (`slot[i]`: the row of input
/// point `i` in `m`, `None` when it is too far from the road) as n x n
/// little-endian `i32` seconds, -1 for no value.
fn write_durations(
    path: &std::path::Path,
    m: &TravelMatrix,
    slot: &[Option<usize>],
) -> anyhow::Result<()> {
    let write = |w: &mut dyn Write| -> std::io::Result<()> {
        for a in slot {
            for b in slot {
                let d = match (a, b) {
                    (Some(a), Some(b)) => m.duration(*a, *b),
                    _ => None,
                };
                let v = d.map_or(-1, |d| i32::try_from(d).unwrap_or(i32::MAX));
                w.write_all(&v.to_le_bytes())?;
            }
        }
        w.flush()
    };
    wasteroute::fsx::write_file_with(path, write)?;
    Ok(())
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
