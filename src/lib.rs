//! # wasteroute
//!
//! Plans solid-waste collection routes on real road networks: from an
//! OpenStreetMap extract, pickup points, transfer stations and a fleet to
//! daily routes that meet coverage targets with the fewest vehicles,
//! kilometres and hours.
//!
//! The library is organised as a pipeline (see `docs/DESIGN.md`):
//!
//! - [`model`]: the validated, immutable problem and its solutions, plus an
//!   independent feasibility checker;
//! - [`solver`]: one local search for every problem variant, driven by an
//!   iterated local search or a hybrid genetic search;
//! - [`graph`]: road networks from OpenStreetMap per vehicle profile,
//!   snapping and closures;
//! - [`matrix`]: travel-time and distance matrices and legs over a road
//!   graph (contraction hierarchies);
//! - [`domain`]: what a waste plan is about, apart from any format:
//!   pickups, streams and zones, facilities, the fleet, coverage targets,
//!   times of day;
//! - [`io`]: readers and writers for external formats (CVRPLIB, OSM, the
//!   plan inputs, ...);
//! - [`plan`]: end-to-end waste collection planning and its output folder;
//! - [`report`]: what dispatchers and crews see: an offline map, printable
//!   route sheets and GPX files, built from a plan folder;
//! - [`fsx`]: atomic writes of files and output folders, the one place
//!   outputs reach the disk;
//! - [`batch`]: nightly batches over many districts as shards of a
//!   Kubernetes Indexed Job or a Slurm array.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod batch;
pub mod cvrp;
pub mod domain;
pub mod error;
pub mod fleet;
pub mod fsx;
pub mod graph;
pub mod io;
pub mod kim;
pub mod matrix;
pub mod model;
pub mod plan;
pub mod report;
pub mod scenario;
pub mod solver;
#[cfg(test)]
mod testutil;
pub mod week;

pub use error::{Error, Result};

/// Peak resident memory of this process so far (`VmHWM`), in MB rounded to
/// 0.1; `None` where `/proc/self/status` does not exist (not Linux).
pub fn peak_rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some((kb / 1024.0 * 10.0).round() / 10.0)
}
