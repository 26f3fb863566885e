//! What dispatchers and crews see: an interactive map, printable route
//! sheets and GPX files, built from a plan's output folder.
//!
//! The reports read only the files that `wasteroute plan` writes
//! (`summary.json`, `routes.geojson`, `unserved.geojson`, `routes.csv`; the
//! schema is in `docs/summary-schema.md`), so they can be rebuilt for any
//! existing plan folder (`wasteroute map DIR`) and never depend on the
//! planner's in-memory types. [`write_reports`] adds to the folder:
//!
//! | file | content |
//! |---|---|
//! | `map.html` | one self-contained page (Leaflet embedded, no network access): the road network drawn from the plan's OSM extract as the base layer, each vehicle's trips in its own colour with numbered stops, depot and facility visits, the break, per-route totals, a legend that switches vehicles on and off, unserved pickups with their reason, closures, and coverage per zone and stream against the targets |
//! | `route_sheets.html` | printable, one page per vehicle: header (vehicle, type, depot, shift, crew line, totals), an overview map of the route (inline SVG), and every stop in order with id, name, coordinates, planned arrival and departure, load after the stop, expected unload time at facilities and the break |
//! | `gpx/VEHICLE.gpx` | GPX 1.1 per vehicle: the stops as waypoints in visiting order (time of day in `desc`), the same stops as a route, and the road geometry as a track with one segment per trip |
//!
//! Every file is written atomically ([`crate::fsx`]), so a crash never
//! leaves half a report; `plan --map` writes them with the plan folder,
//! which appears whole or not at all. Every string that comes from the
//! inputs (ids, names, reasons) is escaped: in the map it travels as JSON in
//! a `<script type="application/json">` block with `<`, `>` and `&` written
//! as `\u003c`, `\u003e`, `\u0026`, and the page inserts it with
//! `textContent` only; the route sheets and GPX files escape it as HTML and
//! XML text.
//!
//! The map draws trips and unserved markers with Leaflet's SVG renderer so
//! that each one is a DOM element of class `wr-route` or `wr-unserved`
//! (tests and scripts count them); the road network, stops and labels use
//! the canvas renderer, which keeps the page responsive with thousands of
//! stops. After loading, the page writes a JSON status (element counts,
//! script errors, load times) into `<pre id="wr-status">`.

mod gpx;
mod map;
mod sheets;

pub use gpx::{gpx_document, gpx_file_names};
pub use map::{BaseLayer, map_html};
pub(crate) use map::{OSM_ATTRIBUTION, encode_line, offline_page, script_json};
pub use sheets::route_sheets_html;

use crate::error::{Error, Location, Result};
use crate::plan::{
    Coverage, RouteFeature, RouteSummary, StopKind, StopRow, Summary, Trip, Unserved,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A box `[min_lon, min_lat, max_lon, max_lat]`.
///
/// # Units
/// Degrees.
pub type BBox = [f64; 4];

/// The files [`write_reports`] wrote, and what it could not draw.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportFiles {
    /// `map.html`.
    pub map: PathBuf,
    /// `route_sheets.html`.
    pub route_sheets: PathBuf,
    /// One GPX file per vehicle, in the order of the routes.
    pub gpx: Vec<PathBuf>,
    /// What is missing from the reports and why (for example no road base
    /// layer because the OSM extract is gone), one sentence each.
    pub notes: Vec<String>,
}

/// The reports of a plan folder, built in memory: the files to write
/// (paths relative to the folder: `map.html`, `route_sheets.html`,
/// `gpx/VEHICLE.gpx`) and what could not be drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Reports {
    /// Relative path and content of each file, GPX files first, the map last.
    pub files: Vec<(String, Vec<u8>)>,
    /// The GPX file names, in the order of the routes.
    pub gpx: Vec<String>,
    /// As [`ReportFiles::notes`].
    pub notes: Vec<String>,
}

impl Reports {
    /// Where the files are once written into the folder `dir`.
    pub fn paths(&self, dir: &Path) -> ReportFiles {
        ReportFiles {
            map: dir.join("map.html"),
            route_sheets: dir.join("route_sheets.html"),
            gpx: self.gpx.iter().map(|g| dir.join("gpx").join(g)).collect(),
            notes: self.notes.clone(),
        }
    }
}

/// Reads the plan files in `dir` and builds `map.html`, `route_sheets.html`
/// and `gpx/VEHICLE.gpx` in memory, for [`write_reports`] or for a plan
/// folder being staged (`plan --map`, where the reports are written before
/// the folder is published).
///
/// The road base layer is built from the OSM extract named in
/// `summary.json` (`inputs.osm`, with the built-in truck and small
/// profiles, as [`BaseLayer::from_osm`]); closures from
/// `inputs.closures`. When either file is missing or unreadable the map is
/// still built without it, says so on the page, and the reason is in
/// [`Reports::notes`].
///
/// # Errors
/// [`Error::Io`] if a plan file cannot be read; [`Error::Input`] naming the
/// file, line or feature and field of a malformed plan file.
pub fn build_reports(dir: &Path) -> Result<Reports> {
    let plan = PlanFolder::read(dir)?;
    let mut notes = Vec::new();
    let base = match plan.resolve_input(Some(&plan.summary.inputs.osm)) {
        Some(osm) => BaseLayer::from_osm(&osm, plan.bbox()).unwrap_or_else(|e| {
            BaseLayer::none(format!(
                "No road base layer: reading {} failed: {e}.",
                osm.display()
            ))
        }),
        None => BaseLayer::none(match plan.summary.inputs.osm.as_str() {
            "" => "No road base layer: summary.json names no OSM extract.".to_string(),
            p => {
                format!(
                    "No road base layer: the OSM extract {p} named in summary.json was not found."
                )
            }
        }),
    };
    if let Some(n) = base.missing_note() {
        notes.push(n.to_string());
    }
    Reports::of_folder(&plan, &base, notes)
}

/// Reads the plan files in `dir` and writes `map.html`, `route_sheets.html`
/// and `gpx/VEHICLE.gpx` into it ([`build_reports`]), each file atomically
/// ([`crate::fsx::write_file`]): every file is the previous one or the new
/// one, never a part. The files are written one after the other (GPX files,
/// route sheets, map), so a run stopped in the middle may leave some
/// reports rebuilt and others as they were; running it again finishes the
/// job. `wasteroute plan --map` does not go through here: it stages the
/// reports with the plan and publishes the folder at once.
///
/// # Errors
/// As [`build_reports`], and [`Error::Io`] if a report cannot be written.
pub fn write_reports(dir: &Path) -> Result<ReportFiles> {
    let reports = build_reports(dir)?;
    crate::fsx::ensure_dir(&dir.join("gpx"))?;
    for (rel, bytes) in &reports.files {
        crate::fsx::write_file(&dir.join(rel), bytes)?;
    }
    Ok(reports.paths(dir))
}

/// A plan output folder, read back from its files.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanFolder {
    /// The folder.
    pub dir: PathBuf,
    /// `summary.json`.
    pub summary: Summary,
    /// Each vehicle's day, in the order of `summary.json`'s routes.
    pub vehicles: Vec<VehicleRoute>,
    /// The unserved pickups (from `unserved.geojson`, which also has their
    /// names; from `summary.json` if that file is absent).
    pub unserved: Vec<Unserved>,
}

/// One vehicle's day.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VehicleRoute {
    /// Its figures in `summary.json`; for a vehicle that `summary.json`
    /// does not list, vehicle and type, start, end, kilometres and load
    /// taken from its stops.
    pub summary: RouteSummary,
    /// Stops in visiting order, depot to depot.
    pub stops: Vec<StopRow>,
    /// Road geometry per trip (the `trip` features of `routes.geojson`).
    pub trips: Vec<Trip>,
}

impl VehicleRoute {
    /// A vehicle of type `vehicle_type` with no figures, stops or trips yet.
    pub(crate) fn named(vehicle: &str, vehicle_type: &str) -> VehicleRoute {
        VehicleRoute {
            summary: RouteSummary {
                vehicle: vehicle.to_string(),
                vehicle_type: vehicle_type.to_string(),
                ..RouteSummary::default()
            },
            ..VehicleRoute::default()
        }
    }

    /// Pickups served.
    pub fn n_pickups(&self) -> usize {
        self.stops
            .iter()
            .filter(|s| s.kind == StopKind::Pickup)
            .count()
    }

    /// The depot id (the first stop's).
    pub fn depot(&self) -> &str {
        self.stops
            .iter()
            .find(|s| s.kind == StopKind::Depot)
            .map_or("", |s| s.id.as_str())
    }
}

/// What the reports read from the plan's other input files, when they are
/// still there: vehicle types (shift, capacity, break), facility kinds and
/// closures. None of it is required.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlanExtras {
    /// Vehicle type name -> its shift, capacity and break, as written in
    /// the fleet file.
    pub vehicle_types: BTreeMap<String, VehicleTypeInfo>,
    /// Facility id -> kind (`depot`, `transfer`, `landfill`, `treatment`).
    pub facility_kinds: BTreeMap<String, String>,
    /// The closures GeoJSON, if the plan had closures and the file is readable.
    pub closures: Option<serde_json::Value>,
    /// Notes for the page about what could not be read.
    pub notes: Vec<String>,
}

/// A vehicle type as the fleet file describes it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VehicleTypeInfo {
    /// Shift start, `HH:MM`.
    pub shift_start: String,
    /// Shift end, `HH:MM`.
    pub shift_end: String,
    /// Capacity, kg.
    pub capacity_kg: f64,
    /// Break window and length: `(earliest, latest, minutes)`.
    pub break_: Option<(String, String, i64)>,
}

fn json_err(path: &Path, e: &serde_json::Error) -> Error {
    Error::input(
        Location::file(path).at_line(e.line()),
        format!("not a valid plan file: {e}"),
    )
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::io(path, e))
}

fn finite(x: f64) -> bool {
    x.is_finite()
}

impl PlanFolder {
    /// Reads `summary.json`, `routes.csv`, `routes.geojson` and
    /// `unserved.geojson` (if present) from `dir`.
    ///
    /// # Errors
    /// [`Error::Io`] if a required file is missing or unreadable;
    /// [`Error::Input`] naming the file, line or feature, and field of a
    /// malformed one (bad JSON, a CSV row that does not parse, a coordinate
    /// that is not a finite number, a trip or stop of an unknown vehicle).
    pub fn read(dir: &Path) -> Result<PlanFolder> {
        let summary_path = dir.join("summary.json");
        let summary: Summary = serde_json::from_str(&read_text(&summary_path)?)
            .map_err(|e| json_err(&summary_path, &e))?;

        // Stops, from routes.csv, grouped by vehicle in first-seen order.
        let csv_path = dir.join("routes.csv");
        let text = read_text(&csv_path)?;
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let mut vehicles: Vec<VehicleRoute> = Vec::new();
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        for (row, rec) in rdr.deserialize::<StopRow>().enumerate() {
            let line = row + 2;
            let stop = rec.map_err(|e| {
                let line = e.position().map_or(line, |p| p.line() as usize);
                Error::input(
                    Location::file(&csv_path).at_line(line),
                    format!("not a valid routes.csv row: {e}"),
                )
            })?;
            if !(finite(stop.lat) && finite(stop.lon)) {
                return Err(Error::input(
                    Location::file(&csv_path).at_line(line).with_field("lat"),
                    "the coordinates must be finite numbers",
                ));
            }
            let k = *index.entry(stop.vehicle.clone()).or_insert_with(|| {
                vehicles.push(VehicleRoute::named(&stop.vehicle, &stop.vehicle_type));
                vehicles.len() - 1
            });
            vehicles[k].stops.push(stop);
        }
        // Figures from the summary; vehicles it lists without stops are kept.
        for r in &summary.routes {
            let k = *index.entry(r.vehicle.clone()).or_insert_with(|| {
                vehicles.push(VehicleRoute::named(&r.vehicle, &r.vehicle_type));
                vehicles.len() - 1
            });
            vehicles[k].summary = r.clone();
        }
        for v in &mut vehicles {
            v.stops.sort_by_key(|s| s.seq);
            let (stops, r) = (&v.stops, &mut v.summary);
            if r.start.is_empty() {
                r.start = stops
                    .first()
                    .map(|s| s.departure.clone())
                    .unwrap_or_default();
                r.end = stops.last().map(|s| s.arrival.clone()).unwrap_or_default();
                r.km = stops.last().map_or(0.0, |s| s.km);
                r.load_kg = stops.iter().map(|s| s.demand_kg).sum();
            }
        }

        // Trip geometry, from routes.geojson.
        let gj_path = dir.join("routes.geojson");
        let gj: serde_json::Value =
            serde_json::from_str(&read_text(&gj_path)?).map_err(|e| json_err(&gj_path, &e))?;
        for (i, f) in features(&gj, &gj_path)?.iter().enumerate() {
            let at = |field: &str| Location::file(&gj_path).at_line(i + 1).with_field(field);
            let RouteFeature::Trip(props) = properties(f, i, &gj_path)? else {
                continue;
            };
            let Some(&k) = index.get(&props.vehicle) else {
                return Err(Error::input(
                    at("vehicle"),
                    format!(
                        "trip of vehicle '{}', which has no stops in routes.csv",
                        props.vehicle
                    ),
                ));
            };
            let geometry = line_coords(f.get("geometry")).ok_or_else(|| {
                Error::input(
                    at("geometry"),
                    "a trip needs a LineString of finite [lon, lat] pairs",
                )
            })?;
            vehicles[k].trips.push(Trip {
                trip: props.trip,
                km: props.km,
                pickups: props.pickups,
                load_kg: props.load_kg,
                facility: props.facility,
                geometry,
            });
        }

        // Unserved pickups: unserved.geojson has their names.
        let un_path = dir.join("unserved.geojson");
        let unserved = if un_path.exists() {
            let v: serde_json::Value =
                serde_json::from_str(&read_text(&un_path)?).map_err(|e| json_err(&un_path, &e))?;
            let mut out = Vec::new();
            for (i, f) in features(&v, &un_path)?.iter().enumerate() {
                let props = f.get("properties").cloned().unwrap_or_default();
                let (lon, lat) = point_coords(f.get("geometry")).ok_or_else(|| {
                    Error::input(
                        Location::file(&un_path)
                            .at_line(i + 1)
                            .with_field("geometry"),
                        "an unserved pickup needs a Point of finite [lon, lat]",
                    )
                })?;
                out.push(
                    crate::plan::unserved_from(props, lon, lat)
                        .map_err(|e| feature_error(&un_path, i, &e))?,
                );
            }
            out
        } else {
            summary.unserved.clone()
        };
        Ok(PlanFolder {
            dir: dir.to_path_buf(),
            summary,
            vehicles,
            unserved,
        })
    }

    /// Coverage per zone, then per stream, as `(group, name, coverage)`
    /// with `group` `zone` or `stream`, by name within each group.
    pub fn coverage_rows(&self) -> Vec<(&'static str, &'static str, &Coverage)> {
        let s = &self.summary;
        let mut zones: Vec<_> = s.coverage.iter().map(|(z, c)| (z.name(), c)).collect();
        let mut streams: Vec<_> = (s.coverage_by_stream.iter())
            .map(|(st, c)| (st.name(), c))
            .collect();
        zones.sort_by_key(|&(name, _)| name);
        streams.sort_by_key(|&(name, _)| name);
        let zones = zones.into_iter().map(|(n, c)| ("zone", n, c));
        zones
            .chain(streams.into_iter().map(|(n, c)| ("stream", n, c)))
            .collect()
    }

    /// The box around every stop, trip and unserved pickup, if there is any.
    pub fn bbox(&self) -> Option<BBox> {
        let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        let mut add = |x: f64, y: f64| {
            b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
        };
        for v in &self.vehicles {
            v.stops.iter().for_each(|s| add(s.lon, s.lat));
            v.trips
                .iter()
                .flat_map(|t| t.geometry.iter())
                .for_each(|&(x, y)| add(x, y));
        }
        self.unserved.iter().for_each(|u| add(u.lon, u.lat));
        (b[0] <= b[2]).then_some(b)
    }

    /// An input path from `summary.json`, if that file exists: as written
    /// (absolute, or relative to the working directory), else relative to
    /// the plan folder and its parent.
    pub fn resolve_input(&self, path: Option<&str>) -> Option<PathBuf> {
        let p = Path::new(path.filter(|p| !p.is_empty())?);
        if p.is_file() {
            return Some(p.to_path_buf());
        }
        if p.is_relative() {
            for base in [Some(self.dir.as_path()), self.dir.parent()]
                .into_iter()
                .flatten()
            {
                let q = base.join(p);
                if q.is_file() {
                    return Some(q);
                }
            }
        }
        None
    }

    /// Reads what the reports can use from the other input files; whatever
    /// is missing is described in `notes` and in the returned extras.
    pub fn extras(&self, notes: &mut Vec<String>) -> PlanExtras {
        let mut x = PlanExtras::default();
        let inputs = &self.summary.inputs;
        if let Some(path) = self.resolve_input(Some(&inputs.fleet))
            && let Ok(fleet) = crate::io::plan::read_fleet(&path)
        {
            for t in &fleet.spec.vehicle {
                x.vehicle_types.insert(
                    t.name.clone(),
                    VehicleTypeInfo {
                        shift_start: t.shift_start.clone(),
                        shift_end: t.shift_end.clone(),
                        capacity_kg: t.capacity_kg,
                        break_: t
                            .break_
                            .as_ref()
                            .map(|b| (b.earliest.clone(), b.latest.clone(), b.duration_s / 60)),
                    },
                );
            }
        }
        if let Some(path) = self.resolve_input(Some(&inputs.facilities))
            && let Ok(fs) = crate::io::plan::read_facilities(&path)
        {
            for f in fs {
                x.facility_kinds.insert(f.id, f.kind.name().to_string());
            }
        }
        if let Some(c) = inputs.closures.as_deref().filter(|c| !c.is_empty()) {
            let read = self.resolve_input(Some(c)).and_then(|p| {
                let v: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(p).ok()?).ok()?;
                Some(v)
            });
            match read {
                Some(v) => x.closures = Some(v),
                None => {
                    let n = format!(
                        "Closures not drawn: the closures file {c} named in summary.json was not found or is not valid GeoJSON."
                    );
                    notes.push(n.clone());
                    x.notes.push(n);
                }
            }
        }
        x
    }
}

fn features<'a>(v: &'a serde_json::Value, path: &Path) -> Result<&'a Vec<serde_json::Value>> {
    v.get("features").and_then(|f| f.as_array()).ok_or_else(|| {
        Error::input(
            Location::file(path).with_field("features"),
            "expected a GeoJSON FeatureCollection",
        )
    })
}

/// The properties of feature `i` (from 0) of the GeoJSON file `path`; an
/// error names the file, the feature and the field.
fn properties<T: serde::de::DeserializeOwned>(
    f: &serde_json::Value,
    i: usize,
    path: &Path,
) -> Result<T> {
    let props = f.get("properties").cloned().unwrap_or_default();
    T::deserialize(props).map_err(|e| feature_error(path, i, &e))
}

/// A plan feature `i` (from 0) of `path` that does not decode.
fn feature_error(path: &Path, i: usize, e: &serde_json::Error) -> Error {
    Error::input(
        Location::file(path).at_line(i + 1),
        format!("feature {}: not a valid plan feature: {e}", i + 1),
    )
}

fn pair(v: &serde_json::Value) -> Option<(f64, f64)> {
    let a = v.as_array()?;
    let (x, y) = (a.first()?.as_f64()?, a.get(1)?.as_f64()?);
    (finite(x) && finite(y)).then_some((x, y))
}

fn line_coords(g: Option<&serde_json::Value>) -> Option<Vec<(f64, f64)>> {
    let g = g?;
    if g.get("type")?.as_str()? != "LineString" {
        return None;
    }
    g.get("coordinates")?.as_array()?.iter().map(pair).collect()
}

fn point_coords(g: Option<&serde_json::Value>) -> Option<(f64, f64)> {
    let g = g?;
    if g.get("type")?.as_str()? != "Point" {
        return None;
    }
    pair(g.get("coordinates")?)
}

/// Text with the five HTML/XML special characters escaped, and the control
/// characters XML 1.0 forbids dropped.
pub(crate) fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Colour of route `i`: twelve distinct colours, then hues spread by the
/// golden angle.
pub(crate) fn route_color(i: usize) -> String {
    const PALETTE: [&str; 12] = [
        "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
        "#bcbd22", "#393b79", "#637939", "#843c39",
    ];
    if i < PALETTE.len() {
        return PALETTE[i].to_string();
    }
    let h = ((i - PALETTE.len()) as f64 * 137.508 + 20.0) % 360.0;
    let l = if i.is_multiple_of(2) { 0.38 } else { 0.48 };
    hsl_hex(h, 0.7, l)
}

fn hsl_hex(h: f64, s: f64, l: f64) -> String {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = h / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let to = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    format!("#{:02x}{:02x}{:02x}", to(r), to(g), to(b))
}

/// Minutes between two `HH:MM` times, if both parse.
pub(crate) fn minutes_between(a: &str, b: &str) -> Option<i64> {
    let a = crate::domain::parse_time(a)?;
    let b = crate::domain::parse_time(b)?;
    Some((b - a) / 60)
}

/// Douglas-Peucker simplification of a `(x, y)` polyline in a local plane
/// (`x` scaled by `x_scale`), keeping points farther than `tol` from the
/// simplified line. Returns the indices kept, first and last included.
pub(crate) fn simplify(points: &[(f64, f64)], x_scale: f64, tol: f64) -> Vec<usize> {
    let n = points.len();
    if n <= 2 {
        return (0..n).collect();
    }
    let mut keep = vec![false; n];
    keep[0] = true;
    keep[n - 1] = true;
    let mut stack = vec![(0usize, n - 1)];
    let tol2 = tol * tol;
    while let Some((a, b)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let (ax, ay) = (points[a].0 * x_scale, points[a].1);
        let (bx, by) = (points[b].0 * x_scale, points[b].1);
        let (dx, dy) = (bx - ax, by - ay);
        let len2 = dx * dx + dy * dy;
        let (mut best, mut best_d) = (0, -1.0);
        for (k, p) in points.iter().enumerate().take(b).skip(a + 1) {
            let (px, py) = (p.0 * x_scale, p.1);
            let d2 = if len2 == 0.0 {
                (px - ax).powi(2) + (py - ay).powi(2)
            } else {
                let t = (((px - ax) * dx + (py - ay) * dy) / len2).clamp(0.0, 1.0);
                (px - ax - t * dx).powi(2) + (py - ay - t * dy).powi(2)
            };
            if d2 > best_d {
                best_d = d2;
                best = k;
            }
        }
        if best_d > tol2 {
            keep[best] = true;
            stack.push((a, best));
            stack.push((best, b));
        }
    }
    (0..n).filter(|&k| keep[k]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_text_escapes_markup_and_drops_forbidden_controls() {
        assert_eq!(
            escape_text("<script>alert('x') & \"y\"</script>\u{1}"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn simplify_keeps_the_ends_and_the_corner() {
        // An L: (0,0) -> (1,0) -> (1,1) with points along each leg; only
        // the ends and the corner (index 2) are farther than 0.01 from the
        // simplified line.
        let pts = [(0.0, 0.0), (0.5, 0.0), (1.0, 0.0), (1.0, 0.5), (1.0, 1.0)];
        assert_eq!(simplify(&pts, 1.0, 0.01), vec![0, 2, 4]);
    }

    #[test]
    fn route_colors_are_distinct_for_sixty_routes() {
        let c: std::collections::BTreeSet<String> = (0..60).map(route_color).collect();
        assert_eq!(c.len(), 60);
    }
}
