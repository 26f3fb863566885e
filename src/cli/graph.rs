//! `wasteroute graph ...`: build road graphs and compute matrices.

use std::path::PathBuf;
use std::time::Instant;

use std::io::Write;

use anyhow::Context;
use clap::{Args, Subcommand};
use wasteroute::graph::{Closures, DEFAULT_MAX_SNAP_M, Profile, RoadGraph, Snap};
use wasteroute::matrix::{Approach, Router, TravelMatrix, cut_off_points};

use super::points::read_points;

/// Road graph commands.
#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(subcommand)]
    command: GraphCommand,
}

#[derive(Debug, Subcommand)]
enum GraphCommand {
    /// Build the road graph of a vehicle profile from an OSM extract.
    Build(BuildArgs),
    /// Travel-time and distance matrix between points on a built graph.
    Matrix(MatrixArgs),
}

#[derive(Debug, Args)]
struct MatrixArgs {
    /// A graph written by `graph build`.
    #[arg(long)]
    graph: PathBuf,
    /// Points CSV with columns id,lat,lon.
    #[arg(long)]
    points: PathBuf,
    /// GeoJSON closures (polygons or lines with a `factor` property).
    #[arg(long)]
    closures: Option<PathBuf>,
    /// Output CSV (from_id,to_id,duration_s,distance_m); stdout if absent.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Points farther than this from any usable road are not routed, metres.
    #[arg(long, default_value_t = DEFAULT_MAX_SNAP_M, value_parser = super::values::positive)]
    max_snap_m: f64,
    /// Route on the turn-expanded graph: turn restrictions, the profile's
    /// U-turn rule and turn costs (default: the node-based graph, no turns).
    #[arg(long)]
    turns: bool,
    /// Reach and leave every point with it on the curb side (the side
    /// traffic keeps to; either direction on one-way streets).
    #[arg(long)]
    curb: bool,
}

#[derive(Debug, Args)]
struct BuildArgs {
    /// The OpenStreetMap extract (.osm.pbf).
    #[arg(long)]
    osm: PathBuf,
    /// `truck`, `small`, or a profile TOML file.
    #[arg(long, default_value = "truck")]
    profile: String,
    /// Where to write the graph (default: the extract's name with `.<profile>.wrg`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the build report as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs a `graph` subcommand.
pub fn run(args: GraphArgs) -> anyhow::Result<()> {
    match args.command {
        GraphCommand::Build(a) => build(a),
        GraphCommand::Matrix(a) => matrix(a),
    }
}

fn build(a: BuildArgs) -> anyhow::Result<()> {
    let t = Instant::now();
    let profile = Profile::from_name_or_file(&a.profile)?;
    let (g, report) = RoadGraph::from_osm(&a.osm, &profile)?;
    let out = a.out.unwrap_or_else(|| {
        let name = a
            .osm
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "graph".into());
        let stem = name.split('.').next().unwrap_or("graph").to_string();
        a.osm.with_file_name(format!("{stem}.{}.wrg", profile.name))
    });
    g.save(&out)
        .with_context(|| format!("writing the graph to {}", out.display()))?;
    let total_s = t.elapsed().as_secs_f64();
    if a.json {
        let mut v = serde_json::to_value(&report)?;
        v["out"] = serde_json::json!(out.display().to_string());
        v["total_s"] = serde_json::json!(total_s);
        println!("{v}");
    } else {
        println!(
            "profile {}: {} vertices, {} edges ({} arcs), {:.1} km of road",
            report.profile, report.vertices, report.edges, report.arcs, report.km
        );
        println!(
            "dropped {} vertices and {:.1} km outside the largest strongly connected component ({} components)",
            report.dropped_vertices, report.dropped_km, report.components
        );
        println!("{}", restriction_line(&report.restrictions));
        println!(
            "read {:.2} s, build {:.2} s, total {:.2} s -> {}",
            report.read_s,
            report.build_s,
            total_s,
            out.display()
        );
    }
    Ok(())
}

/// One line on the turn restrictions of a graph.
pub(crate) fn restriction_line(r: &wasteroute::graph::RestrictionStats) -> String {
    format!(
        "turn restrictions: {} read, {} applied; ignored: {} broken, {} not in this profile's graph, {} conditional (not modelled), {} for other vehicles, {} unknown values",
        r.read,
        r.applied,
        r.ignored_broken,
        r.ignored_not_in_graph,
        r.ignored_conditional,
        r.ignored_not_for_vehicle,
        r.ignored_unknown_value
    )
}

/// One line on the turn-expanded graph of a router.
pub(crate) fn turn_line(t: &wasteroute::graph::TurnStats) -> String {
    format!(
        "turn-expanded graph: {} nodes ({} duplicates for via-way restrictions), {} turns; {} turns banned by restrictions, {} U-turns forbidden, {} allowed",
        t.nodes, t.duplicates, t.turns, t.turns_restricted, t.u_turns_forbidden, t.u_turns_allowed
    )
}

/// How many unreachable pairs are listed one by one on stderr.
const MAX_LISTED_PAIRS: usize = 50;

fn matrix(a: MatrixArgs) -> anyhow::Result<()> {
    let g = RoadGraph::load(&a.graph)?;
    let points = read_points(&a.points)?;
    let closures = match &a.closures {
        Some(p) => Some(Closures::from_geojson(p)?),
        None => None,
    };
    let coords: Vec<(f64, f64)> = points.iter().map(|p| (p.lat, p.lon)).collect();
    let snaps = g.snap(&coords, a.max_snap_m)?;
    // Index of each input point among the snapped ones.
    let mut slot = vec![None; points.len()];
    let mut on_road = Vec::new();
    let mut approaches = Vec::new();
    for (i, s) in snaps.iter().enumerate() {
        match s {
            Snap::OnRoad(p) => {
                slot[i] = Some(on_road.len());
                on_road.push(*p);
                approaches.push(if a.curb {
                    Approach::curb(&g, coords[i], p)
                } else {
                    Approach::Either
                });
            }
            Snap::TooFar { distance_m } => eprintln!(
                "point '{}' is {:.0} m from the nearest usable road (limit {:.0} m): not routed",
                points[i].id, distance_m, a.max_snap_m
            ),
        }
    }
    let router_of = |g| {
        if a.turns {
            Router::turn_aware(g)
        } else {
            Router::new(g)
        }
    };
    eprintln!("{}", restriction_line(&g.turn_data().stats));
    let open_router = router_of(&g);
    if let Some(t) = open_router.turn_stats() {
        eprintln!("{}", turn_line(t));
    }
    let open = open_router.matrix_with(&on_road, &approaches)?;
    let m: TravelMatrix = match &closures {
        Some(c) => {
            let (h, report) = g.with_closures(c);
            eprintln!(
                "closures: {} features, {} edges closed, {} slowed",
                report.features, report.edges_closed, report.edges_slowed
            );
            let closed = router_of(&h).matrix_with(&on_road, &approaches)?;
            let by_slot: Vec<usize> = (0..points.len()).filter(|&i| slot[i].is_some()).collect();
            for k in cut_off_points(&open, &closed)? {
                eprintln!(
                    "point '{}' is cut off by the closures",
                    points[by_slot[k]].id
                );
            }
            closed
        }
        None => open,
    };
    let by_slot: Vec<usize> = (0..points.len()).filter(|&i| slot[i].is_some()).collect();
    let n_unreachable = m.n_unreachable();
    for (k, (i, j)) in m.unreachable_pairs().enumerate() {
        if k == MAX_LISTED_PAIRS {
            eprintln!("... {} unreachable pairs in all", n_unreachable);
            break;
        }
        eprintln!(
            "no road path from '{}' to '{}'",
            points[by_slot[i]].id, points[by_slot[j]].id
        );
    }
    let write = |w: &mut dyn Write| -> std::io::Result<()> {
        writeln!(w, "from_id,to_id,duration_s,distance_m")?;
        for (i, p) in points.iter().enumerate() {
            for (j, q) in points.iter().enumerate() {
                let v = match (slot[i], slot[j]) {
                    (Some(a), Some(b)) => m.duration(a, b).zip(m.distance(a, b)),
                    _ => None,
                };
                match v {
                    Some((d, x)) => {
                        writeln!(w, "{},{},{d},{x}", csv_field(&p.id), csv_field(&q.id))?
                    }
                    None => writeln!(w, "{},{},,", csv_field(&p.id), csv_field(&q.id))?,
                }
            }
        }
        w.flush()
    };
    match &a.out {
        Some(out) => wasteroute::fsx::write_file_with(out, write)
            .with_context(|| format!("writing {}", out.display()))?,
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            write(&mut w)?;
        }
    }
    Ok(())
}

fn csv_field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}
