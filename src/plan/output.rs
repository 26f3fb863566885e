//! Writing a plan's output folder: `routes.geojson`, `unserved.geojson`,
//! `summary.json` and `routes.csv`.
//!
//! The files are staged in a hidden folder beside the target, which then
//! takes the target's place in one step ([`crate::fsx::OutputFolder`]): a
//! crash, a full disk or a kill at any moment leaves either the previous
//! plan or the new one, never half of one, and with `--map` the reports
//! come with the plan.

use super::{Plan, RouteFeature, StopProperties, StopRow, TripProperties, unserved_properties};
use crate::domain::format_time;
use crate::fsx::{FolderKind, OutputFolder};
use crate::graph::RoadGraph;
use crate::report::{ReportFiles, Reports};
use crate::{Error, Result};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Instant;

/// A file to place in the output folder: name and content.
pub type OutputFile = (String, Vec<u8>);

/// The GeoJSON of the routes: one line per trip, one point per stop.
///
/// # Errors
/// [`Error::Internal`] if a feature cannot be encoded.
pub fn routes_geojson(plan: &Plan) -> Result<Value> {
    let mut features = Vec::new();
    for r in &plan.routes {
        for t in &r.trips {
            let properties = RouteFeature::Trip(TripProperties {
                vehicle: r.vehicle.clone(),
                vehicle_type: r.vehicle_type.clone(),
                trip: t.trip,
                km: t.km,
                pickups: t.pickups,
                load_kg: t.load_kg,
                facility: t.facility.clone(),
            });
            features.push(json!({
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": t.geometry.iter().map(|&(x, y)| [x, y]).collect::<Vec<_>>()},
                "properties": value(&properties, "routes.geojson")?,
            }));
        }
        for s in &r.stops {
            let properties = RouteFeature::Stop(StopProperties {
                vehicle: r.vehicle.clone(),
                vehicle_type: r.vehicle_type.clone(),
                kind: s.kind,
                id: s.id.clone(),
                name: s.name.clone(),
                trip: s.trip,
                seq: s.seq,
                arrival: format_time(s.arrival),
                departure: format_time(s.departure),
                load_kg: s.load_kg,
                km: s.km,
                side: s.side,
                required_side: s.required_side,
            });
            features.push(json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
                "properties": value(&properties, "routes.geojson")?,
            }));
        }
    }
    Ok(json!({"type": "FeatureCollection", "features": features}))
}

/// The GeoJSON of the unserved pickups.
///
/// # Errors
/// [`Error::Internal`] if a feature cannot be encoded.
pub fn unserved_geojson(plan: &Plan) -> Result<Value> {
    let mut features = Vec::new();
    for u in &plan.unserved {
        features.push(json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [u.lon, u.lat]},
            "properties": unserved_properties(u)
                .map_err(|e| Error::Internal(format!("encoding unserved.geojson: {e}")))?,
        }));
    }
    Ok(json!({"type": "FeatureCollection", "features": features}))
}

fn value(v: &impl serde::Serialize, what: &str) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::Internal(format!("encoding {what}: {e}")))
}

/// The route sheet of every vehicle as CSV, one row per stop
/// ([`StopRow`]).
///
/// # Errors
/// [`Error::Internal`] if the CSV writer fails (it writes to memory).
pub fn routes_csv(plan: &Plan) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    let internal = |e: csv::Error| Error::Internal(format!("writing routes.csv: {e}"));
    w.write_record(StopRow::COLUMNS).map_err(internal)?;
    for r in &plan.routes {
        for s in &r.stops {
            w.serialize(StopRow::new(r, s)).map_err(internal)?;
        }
    }
    w.into_inner()
        .map_err(|e| Error::Internal(format!("writing routes.csv: {e}")))
}

fn pretty(v: &impl serde::Serialize, what: &str) -> Result<Vec<u8>> {
    let mut s = serde_json::to_vec_pretty(v)
        .map_err(|e| Error::Internal(format!("encoding {what}: {e}")))?;
    s.push(b'\n');
    Ok(s)
}

/// How [`write_with`] writes a plan folder.
#[derive(Debug, Clone, Copy)]
pub struct OutputOptions<'a> {
    /// Replace the target even if wasteroute did not write it (a folder of
    /// other files, a file): `--force`. See [`crate::fsx`].
    pub force: bool,
    /// Also write the dispatcher reports (`map.html`, `route_sheets.html`,
    /// `gpx/`; [`crate::report::build_reports`]) into the folder before it
    /// is published: `--map`.
    pub reports: bool,
    /// The kind of folder recorded in its marker.
    pub kind: FolderKind,
    /// The road graphs the plan was made on ([`super::Prepared::road_graphs`]):
    /// with [`OutputOptions::reports`], the map's base layer is drawn on
    /// them ([`crate::report::Reports::on_roads`]); without, it is built
    /// from the extract named in the plan's inputs, as `wasteroute map`
    /// does for an existing folder.
    pub roads: Option<&'a [&'a RoadGraph]>,
}

impl Default for OutputOptions<'_> {
    fn default() -> Self {
        OutputOptions {
            force: false,
            reports: false,
            kind: FolderKind::Plan,
            roads: None,
        }
    }
}

/// The plan's files (and `extra` files, such as a fleet's) by name, as
/// [`write()`] puts them in the folder; for callers that stage several plans
/// in one folder (`compare`). Records the time spent in the summary.
///
/// # Errors
/// [`Error::Internal`] if a file cannot be encoded.
pub fn files(plan: &mut Plan, extra: &[OutputFile]) -> Result<Vec<OutputFile>> {
    let started = Instant::now();
    let mut files: Vec<OutputFile> = vec![
        (
            "routes.geojson".into(),
            pretty(&routes_geojson(plan)?, "routes.geojson")?,
        ),
        (
            "unserved.geojson".into(),
            pretty(&unserved_geojson(plan)?, "unserved.geojson")?,
        ),
        ("routes.csv".into(), routes_csv(plan)?),
    ];
    files.extend(extra.iter().cloned());
    plan.summary.phases.output_s = started.elapsed().as_secs_f64();
    files.push((
        "summary.json".into(),
        pretty(&plan.summary, "summary.json")?,
    ));
    Ok(files)
}

/// Writes the plan's files (and `extra` files) into the folder `out`,
/// replacing it if wasteroute wrote it: [`write_with`] with the default
/// options.
///
/// # Errors
/// As [`write_with`].
pub fn write(out: &Path, plan: &mut Plan, extra: &[OutputFile]) -> Result<()> {
    write_with(out, plan, extra, &OutputOptions::default()).map(|_| ())
}

/// Writes the plan's files (and `extra` files, and with
/// [`OutputOptions::reports`] the dispatcher reports) into the folder `out`
/// atomically (see the module docs): the whole folder appears at once or
/// not at all, and replaces `out` only if wasteroute wrote it or
/// [`OutputOptions::force`] is set. Returns where the reports are, if
/// asked for.
///
/// # Errors
/// [`Error::Input`] if `out` may not be replaced; [`Error::Io`] naming the
/// path that could not be written; report errors as
/// [`crate::report::build_reports`].
pub fn write_with(
    out: &Path,
    plan: &mut Plan,
    extra: &[OutputFile],
    opts: &OutputOptions<'_>,
) -> Result<Option<ReportFiles>> {
    let files = files(plan, extra)?;
    let mut folder = OutputFolder::create(out, opts.kind, opts.force)?;
    folder.write_all("", None, &files)?;
    let reports = if opts.reports {
        let r = match opts.roads {
            Some(graphs) => Reports::on_roads(folder.path(), graphs)?,
            None => crate::report::build_reports(folder.path())?,
        };
        folder.write_all("", None, &r.files)?;
        Some(r.paths(out))
    } else {
        None
    };
    folder.publish()?;
    Ok(reports)
}
