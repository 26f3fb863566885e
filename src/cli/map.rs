//! `wasteroute map DIR`: rebuilds the dispatcher reports of a plan folder.

use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;

/// Write map.html, route_sheets.html and gpx/VEHICLE.gpx for a plan folder.
#[derive(Debug, Args)]
pub struct MapArgs {
    /// A plan output folder (with summary.json, routes.geojson, unserved.geojson, routes.csv).
    dir: PathBuf,
}

/// Runs `wasteroute map`.
pub fn run(a: MapArgs) -> Result<()> {
    let files = wasteroute::report::write_reports(&a.dir)
        .with_context(|| format!("writing the reports of {}", a.dir.display()))?;
    println!("map        {}", files.map.display());
    println!("sheets     {}", files.route_sheets.display());
    println!(
        "gpx        {} files in {}",
        files.gpx.len(),
        a.dir.join("gpx").display()
    );
    for n in &files.notes {
        eprintln!("note: {n}");
    }
    Ok(())
}
