//! Writing a plan's output folder: `routes.geojson`, `unserved.geojson`,
//! `summary.json` and `routes.csv`.
//!
//! The files are written into a fresh folder beside the target, which then
//! replaces the target in two renames: a crash leaves either the previous
//! plan or the new one, never half of one.

use super::{Plan, StopKind};
use crate::io::plan::format_time;
use crate::{Error, Result};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A file to place in the output folder: name and content.
pub type OutputFile = (String, Vec<u8>);

/// The GeoJSON of the routes: one line per trip, one point per stop.
pub fn routes_geojson(plan: &Plan) -> Value {
    let mut features = Vec::new();
    for r in &plan.routes {
        for t in &r.trips {
            features.push(json!({
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": t.geometry.iter().map(|&(x, y)| [x, y]).collect::<Vec<_>>()},
                "properties": {
                    "feature": "trip",
                    "vehicle": r.vehicle,
                    "vehicle_type": r.vehicle_type,
                    "trip": t.trip,
                    "km": t.km,
                    "pickups": t.pickups,
                    "load_kg": t.load_kg,
                    "facility": t.facility,
                }
            }));
        }
        for s in &r.stops {
            features.push(json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
                "properties": {
                    "feature": "stop",
                    "vehicle": r.vehicle,
                    "vehicle_type": r.vehicle_type,
                    "kind": s.kind,
                    "id": s.id,
                    "name": s.name,
                    "trip": s.trip,
                    "seq": s.seq,
                    "arrival": format_time(s.arrival),
                    "departure": format_time(s.departure),
                    "load_kg": s.load_kg,
                    "km": s.km,
                }
            }));
        }
    }
    json!({"type": "FeatureCollection", "features": features})
}

/// The GeoJSON of the unserved pickups.
pub fn unserved_geojson(plan: &Plan) -> Value {
    let features: Vec<Value> = plan
        .unserved
        .iter()
        .map(|u| {
            json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [u.lon, u.lat]},
                "properties": {
                    "id": u.id,
                    "name": u.name,
                    "reason": u.reason,
                    "detail": u.detail,
                    "zone": u.zone,
                    "stream": u.stream,
                    "demand_kg": u.demand_kg,
                    "required": u.required,
                }
            })
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

/// The route sheet of every vehicle as CSV, one row per stop.
///
/// # Errors
/// [`Error::Internal`] if the CSV writer fails (it writes to memory).
pub fn routes_csv(plan: &Plan) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let internal = |e: csv::Error| Error::Internal(format!("writing routes.csv: {e}"));
    w.write_record([
        "vehicle",
        "vehicle_type",
        "trip",
        "seq",
        "kind",
        "id",
        "name",
        "lat",
        "lon",
        "arrival",
        "departure",
        "demand_kg",
        "load_kg",
        "load_m3",
        "km",
    ])
    .map_err(internal)?;
    for r in &plan.routes {
        for s in &r.stops {
            let kind = match s.kind {
                StopKind::Depot => "depot",
                StopKind::Pickup => "pickup",
                StopKind::Facility => "facility",
                StopKind::Break => "break",
            };
            w.write_record([
                r.vehicle.clone(),
                r.vehicle_type.clone(),
                s.trip.to_string(),
                s.seq.to_string(),
                kind.to_string(),
                s.id.clone(),
                s.name.clone(),
                format!("{:.6}", s.lat),
                format!("{:.6}", s.lon),
                format_time(s.arrival),
                format_time(s.departure),
                format!("{}", s.demand_kg),
                format!("{}", s.load_kg),
                format!("{}", s.load_m3),
                format!("{:.3}", s.km),
            ])
            .map_err(internal)?;
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

/// Writes the plan's files (and `extra` files, such as a map) into folder
/// `out`, replacing what was there. Records the time spent in the summary.
///
/// # Errors
/// [`Error::Io`] naming the path that could not be written.
pub fn write(out: &Path, plan: &mut Plan, extra: &[OutputFile]) -> Result<()> {
    let started = Instant::now();
    let mut files: Vec<OutputFile> = vec![
        (
            "routes.geojson".into(),
            pretty(&routes_geojson(plan), "routes.geojson")?,
        ),
        (
            "unserved.geojson".into(),
            pretty(&unserved_geojson(plan), "unserved.geojson")?,
        ),
        ("routes.csv".into(), routes_csv(plan)?),
    ];
    files.extend(extra.iter().cloned());
    plan.summary.phases.output_s = started.elapsed().as_secs_f64();
    files.push((
        "summary.json".into(),
        pretty(&plan.summary, "summary.json")?,
    ));
    write_folder(out, &files)
}

/// Writes `files` into `out` atomically (see the module docs).
///
/// # Errors
/// [`Error::Io`] naming the path that failed.
pub fn write_folder(out: &Path, files: &[OutputFile]) -> Result<()> {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "plan".into());
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    let pid = std::process::id();
    let partial = parent.join(format!(".{name}.partial-{pid}"));
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir(&partial).map_err(|e| Error::io(&partial, e))?;
    let result = (|| {
        for (file, bytes) in files {
            let path = partial.join(file);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
            std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
        }
        let old = parent.join(format!(".{name}.old-{pid}"));
        let had_old = out.exists();
        if had_old {
            std::fs::rename(out, &old).map_err(|e| Error::io(out, e))?;
        }
        if let Err(e) = std::fs::rename(&partial, out) {
            if had_old {
                let _ = std::fs::rename(&old, out);
            }
            return Err(Error::io(out, e));
        }
        if had_old {
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&partial);
    }
    result
}
