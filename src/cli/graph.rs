//! `wasteroute graph ...`: build road graphs and compute matrices.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, Subcommand};
use wasteroute::graph::{Profile, RoadGraph};

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
