//! `map.html`: one self-contained page with Leaflet, the road network drawn
//! from the plan's OSM extract, and the plan's data as escaped JSON.

use super::{
    BBox, PlanExtras, PlanFolder, Reports, gpx_document, gpx_file_names, route_color,
    route_sheets_html, simplify,
};
use crate::error::{Error, Location, Result};
use crate::graph::{Profile, RoadGraph};
use crate::plan::StopKind;
use serde_json::{Value, json};
use std::path::Path;

const LEAFLET_JS: &str = include_str!("../../vendor/leaflet/leaflet.js");
const LEAFLET_CSS: &str = include_str!("../../vendor/leaflet/leaflet.css");
const LAYERS_PNG: &[u8] = include_bytes!("../../vendor/leaflet/layers.png");
const LAYERS_2X_PNG: &[u8] = include_bytes!("../../vendor/leaflet/layers-2x.png");
const MARKER_PNG: &[u8] = include_bytes!("../../vendor/leaflet/marker-icon.png");
const MAP_JS: &str = include_str!("assets/map.js");
/// Helpers shared by map.html and week.html (`window.wrCommon`).
const COMMON_JS: &str = include_str!("assets/common.js");
const MAP_CSS: &str = include_str!("assets/map.css");

/// The attribution the page shows for the OpenStreetMap data.
pub const OSM_ATTRIBUTION: &str = "© OpenStreetMap contributors, ODbL 1.0";

/// Coordinates travel as integers in units of 10^-5 degree (about 1 m).
const Q: f64 = 1e5;
/// Metres per degree of latitude.
const M_PER_DEG: f64 = 111_320.0;
/// Simplification tolerance of trip geometry.
///
/// # Units
/// Metres.
const TRIP_TOLERANCE_M: f64 = 1.0;
/// The base layer is simplified until it has at most this many points,
/// which keeps `map.html` around a few MB for a country-sized extract.
const MAX_BASE_POINTS: usize = 400_000;

/// The road network drawn under the routes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BaseLayer {
    /// One polyline per road edge, quantized and delta-encoded:
    /// `[x0, y0, dx1, dy1, ...]` in 10^-5 degrees (`x` = longitude).
    pub lines: Vec<Vec<i64>>,
    /// Where it came from, or why there is none (shown on the page).
    pub note: String,
    /// True if there is no road network to draw.
    pub missing: bool,
}

impl BaseLayer {
    /// No base layer, for the reason given (a sentence shown on the page).
    pub fn none(reason: impl Into<String>) -> BaseLayer {
        BaseLayer {
            lines: Vec::new(),
            note: reason.into(),
            missing: true,
        }
    }

    /// The reason there is no base layer, if there is none.
    pub fn missing_note(&self) -> Option<&str> {
        self.missing.then_some(self.note.as_str())
    }

    /// The roads of an OSM extract that a truck or a small vehicle may use
    /// (the graphs of the built-in `truck` and `small` profiles, from one
    /// read of the extract, drawn as [`BaseLayer::from_graphs`] draws
    /// them: the same layer as `plan --map` draws for a fleet of those
    /// profiles); only those that touch `around` if given. For a plan
    /// folder, which keeps no graph.
    ///
    /// # Errors
    /// As [`RoadGraph::from_osm`]; a profile that can use no road of the
    /// extract is left out, and the error is that of the last one when
    /// neither can.
    pub fn from_osm(path: &Path, around: Option<BBox>) -> Result<BaseLayer> {
        let roads = crate::io::osm::read_roads(path)?;
        let mut graphs = Vec::new();
        let mut refused = None;
        for profile in [Profile::truck(), Profile::small()] {
            match RoadGraph::from_roads(&roads, &profile) {
                Ok((g, _)) => graphs.push(g),
                Err(Error::Input { message, .. }) => {
                    refused = Some(Error::input(Location::file(path), message));
                }
                Err(e) => return Err(e),
            }
        }
        if graphs.is_empty()
            && let Some(e) = refused
        {
            return Err(e);
        }
        let graphs: Vec<&RoadGraph> = graphs.iter().collect();
        Ok(BaseLayer::from_graphs(
            &graphs,
            around,
            &path.display().to_string(),
        ))
    }

    /// The roads of the graphs a plan was made on (one per road profile,
    /// built once by the plan's preparation), drawn once each where the
    /// profiles share a street; only those that touch `around` (see
    /// [`BaseLayer::from_graph`]) if given. `osm` names the extract in the
    /// note. This is the base layer of `plan --map`, which neither reads
    /// the extract again nor builds another graph.
    pub fn from_graphs(graphs: &[&RoadGraph], around: Option<BBox>, osm: &str) -> BaseLayer {
        let mut base = BaseLayer::of_polylines(&road_polylines(graphs, around));
        let file = Path::new(osm)
            .file_name()
            .map_or_else(|| osm.to_string(), |f| f.to_string_lossy().into_owned());
        let names: Vec<&str> = graphs.iter().map(|g| g.profile_name()).collect();
        let names = match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => names.join(""),
        };
        base.note = format!(
            "Roads from {file} (every street a vehicle of profile {names} may use{}), {OSM_ATTRIBUTION}.",
            if around.is_some() {
                ", around the plan"
            } else {
                ""
            }
        );
        base
    }

    /// The edges of `graph`, simplified within 2 m (coarser if the network
    /// has more than a few hundred thousand points). With `around`, only
    /// the edges that touch that box, grown by a quarter of its size and at
    /// least 2 km on each side, so a city's plan on a country's extract
    /// does not carry the whole country.
    pub fn from_graph(graph: &RoadGraph, around: Option<BBox>) -> BaseLayer {
        let mut base = BaseLayer::of_polylines(&road_polylines(&[graph], around));
        base.note = format!("Roads: profile {}.", graph.profile_name());
        base
    }

    /// `lines`, simplified within 2 m, or coarser (x2.5 at a time, up to
    /// about 80 m) until they have at most [`MAX_BASE_POINTS`] points.
    fn of_polylines(lines: &[Vec<(f64, f64)>]) -> BaseLayer {
        let mut tol_m = 2.0;
        loop {
            let mut out = Vec::with_capacity(lines.len());
            let mut points = 0;
            for geom in lines {
                let line = encode_line(geom, tol_m);
                if line.len() >= 4 {
                    points += line.len() / 2;
                    out.push(line);
                }
            }
            if points <= MAX_BASE_POINTS || tol_m > 50.0 {
                return BaseLayer {
                    lines: out,
                    note: String::new(),
                    missing: false,
                };
            }
            tol_m *= 2.5;
        }
    }
}

/// The box `b` grown by a quarter of its size and at least 2 km on each
/// side.
fn grow(b: BBox) -> BBox {
    let lat = ((b[1] + b[3]) / 2.0).to_radians().cos().max(0.01);
    let my = ((b[3] - b[1]) * 0.25).max(2000.0 / M_PER_DEG);
    let mx = ((b[2] - b[0]) * 0.25).max(2000.0 / M_PER_DEG / lat);
    [b[0] - mx, b[1] - my, b[2] + mx, b[3] + my]
}

/// The `(lon, lat)` polylines of the edges of `graphs` that touch `around`
/// (grown, see [`grow`]), in graph and edge order. A stretch of road that
/// an earlier graph has already given (the same segment between the same
/// two points, to 10^-5 degree, in either direction) is left out, so that
/// a street several profiles use is drawn once; within one graph every
/// edge is kept.
fn road_polylines(graphs: &[&RoadGraph], around: Option<BBox>) -> Vec<Vec<(f64, f64)>> {
    type Key = ((i64, i64), (i64, i64));
    let clip = around.map(grow);
    let q = |p: (f64, f64)| ((p.0 * Q).round() as i64, (p.1 * Q).round() as i64);
    let key = |a: (f64, f64), b: (f64, f64)| -> Key {
        let (a, b) = (q(a), q(b));
        if a <= b { (a, b) } else { (b, a) }
    };
    let mut drawn: std::collections::HashSet<Key> = std::collections::HashSet::new();
    let mut lines = Vec::new();
    for (k, graph) in graphs.iter().enumerate() {
        let mut added: Vec<Key> = Vec::new();
        for e in 0..graph.n_edges() {
            let geom: Vec<(f64, f64)> = graph
                .edge_geometry(e as crate::graph::EdgeId)
                .iter()
                .map(|p| (p[0], p[1]))
                .collect();
            if let Some(c) = clip {
                let outside = geom.iter().all(|p| p.0 < c[0])
                    || geom.iter().all(|p| p.0 > c[2])
                    || geom.iter().all(|p| p.1 < c[1])
                    || geom.iter().all(|p| p.1 > c[3]);
                if outside {
                    continue;
                }
            }
            if k + 1 < graphs.len() {
                added.extend(geom.windows(2).map(|w| key(w[0], w[1])));
            }
            if k == 0 {
                lines.push(geom);
                continue;
            }
            // The runs of segments no earlier graph has drawn.
            let mut run: Vec<(f64, f64)> = Vec::new();
            for w in geom.windows(2) {
                if drawn.contains(&key(w[0], w[1])) {
                    if run.len() >= 2 {
                        lines.push(std::mem::take(&mut run));
                    }
                    run.clear();
                } else {
                    if run.is_empty() {
                        run.push(w[0]);
                    }
                    run.push(w[1]);
                }
            }
            if run.len() >= 2 {
                lines.push(run);
            }
        }
        drawn.extend(added);
    }
    lines
}

impl Reports {
    /// The reports of the plan folder `dir` as
    /// [`super::build_reports`] builds them, with the road base layer drawn
    /// on `graphs`, the graphs the plan was made on
    /// ([`BaseLayer::from_graphs`]) instead of a graph built again from
    /// the extract: what `plan --map` writes.
    ///
    /// # Errors
    /// As [`super::build_reports`].
    pub fn on_roads(dir: &Path, graphs: &[&RoadGraph]) -> Result<Reports> {
        let plan = PlanFolder::read(dir)?;
        let osm = plan.summary.inputs.osm.as_str();
        let base = BaseLayer::from_graphs(graphs, plan.bbox(), osm);
        Reports::of_folder(&plan, &base, Vec::new())
    }

    /// The reports of `plan` on the base layer `base`; `notes` says what
    /// is missing so far, and the extras' own notes are added.
    ///
    /// # Errors
    /// [`Error::Internal`] if the map data cannot be encoded.
    pub(crate) fn of_folder(
        plan: &PlanFolder,
        base: &BaseLayer,
        mut notes: Vec<String>,
    ) -> Result<Reports> {
        let extras = plan.extras(&mut notes);
        let gpx = gpx_file_names(&plan.vehicles);
        let mut files: Vec<(String, Vec<u8>)> = plan
            .vehicles
            .iter()
            .zip(&gpx)
            .map(|(v, name)| (format!("gpx/{name}"), gpx_document(v).into_bytes()))
            .collect();
        files.push((
            "route_sheets.html".into(),
            route_sheets_html(plan, &extras).into_bytes(),
        ));
        files.push((
            "map.html".into(),
            map_html(plan, base, &extras)?.into_bytes(),
        ));
        Ok(Reports { files, gpx, notes })
    }
}

/// A `(lon, lat)` polyline simplified within `tol_m` metres, quantized to
/// 10^-5 degrees and delta-encoded as `[x0, y0, dx1, dy1, ...]`; repeated
/// points are dropped.
pub(crate) fn encode_line(coords: &[(f64, f64)], tol_m: f64) -> Vec<i64> {
    if coords.is_empty() {
        return Vec::new();
    }
    let x_scale = coords[0].1.to_radians().cos().max(0.01);
    let keep = simplify(coords, x_scale, tol_m / M_PER_DEG);
    let mut out = Vec::with_capacity(keep.len() * 2);
    let (mut px, mut py) = (0i64, 0i64);
    for (n, &k) in keep.iter().enumerate() {
        let x = (coords[k].0 * Q).round() as i64;
        let y = (coords[k].1 * Q).round() as i64;
        if n > 0 && x == px && y == py {
            continue;
        }
        out.push(x - px);
        out.push(y - py);
        px = x;
        py = y;
    }
    out
}

/// JSON text that is safe inside `<script type="application/json">`: `<`,
/// `>` and `&` (which only occur inside strings) become `\u003c`, `\u003e`
/// and `\u0026`, so no input can close the element or open a comment; the
/// line separators U+2028/U+2029 are escaped too.
pub(crate) fn script_json(v: &Value) -> Result<String> {
    let s = serde_json::to_string(v)
        .map_err(|e| Error::Internal(format!("encoding the map data: {e}")))?;
    let mut out = String::with_capacity(s.len() + s.len() / 50);
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    Ok(out)
}

fn r(x: f64, k: i32) -> f64 {
    let f = 10f64.powi(k);
    (x * f).round() / f
}

/// The data the page draws, as JSON (see `assets/map.js` for its use).
pub(crate) fn map_data(plan: &PlanFolder, base: &BaseLayer, extras: &PlanExtras) -> Value {
    let s = &plan.summary;
    let vehicles: Vec<Value> = plan
        .vehicles
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let trips: Vec<Value> = v
                .trips
                .iter()
                .map(|t| {
                    json!({
                        "n": t.trip, "km": t.km, "pickups": t.pickups, "load_kg": t.load_kg,
                        "facility": t.facility,
                        "line": encode_line(&t.geometry, TRIP_TOLERANCE_M),
                    })
                })
                .collect();
            let stops: Vec<Value> = v
                .stops
                .iter()
                .map(|st| {
                    json!({
                        "k": st.kind.name(), "s": st.seq, "t": st.trip, "id": st.id, "n": st.name,
                        "y": r(st.lat, 6), "x": r(st.lon, 6), "a": st.arrival, "d": st.departure,
                        "l": st.load_kg, "q": st.demand_kg,
                    })
                })
                .collect();
            let info = extras.vehicle_types.get(&v.summary.vehicle_type);
            json!({
                "name": v.summary.vehicle, "type": v.summary.vehicle_type, "color": route_color(i),
                "depot": v.depot(), "start": v.summary.start, "end": v.summary.end,
                "km": v.summary.km, "hours": v.summary.hours, "cost": v.summary.cost, "load_kg": v.summary.load_kg,
                "pickups": v.n_pickups(),
                "unloads": v.stops.iter().filter(|s| s.kind == StopKind::Facility).count(),
                "capacity_kg": info.map(|t| t.capacity_kg),
                "trips": trips, "stops": stops,
            })
        })
        .collect();
    let unserved: Vec<Value> = plan
        .unserved
        .iter()
        .map(|u| {
            json!({
                "id": u.id, "n": u.name, "r": u.reason, "dt": u.detail, "z": u.zone,
                "st": u.stream, "q": u.demand_kg, "req": u.required,
                "y": r(u.lat, 6), "x": r(u.lon, 6),
            })
        })
        .collect();
    let mut coverage = Vec::new();
    for (group, name, c) in plan.coverage_rows() {
        {
            coverage.push(json!({
                "group": group, "name": name, "points_total": c.points_total,
                "points_served": c.points_served, "demand_total_kg": c.demand_total_kg,
                "demand_served_kg": c.demand_served_kg, "share_points": c.share_points,
                "share_demand": c.share_demand, "target": c.target, "met": c.met,
            }));
        }
    }
    let served: usize = plan.vehicles.iter().map(|v| v.n_pickups()).sum();
    let mut notes: Vec<String> = Vec::new();
    if base.missing {
        notes.push(base.note.clone());
    }
    notes.extend(extras.notes.iter().cloned());
    json!({
        "attribution": OSM_ATTRIBUTION,
        "totals": {
            "vehicles": plan.vehicles.len(), "trips": s.trips, "km": s.km, "hours": s.hours,
            "cost": s.cost, "feasible": s.feasible, "targets_met": s.targets_met,
            "served": served, "unserved": plan.unserved.len(),
        },
        "base": {"lines": base.lines, "note": base.note, "missing": base.missing},
        "vehicles": vehicles,
        "facilities": extras.facility_kinds,
        "unserved": unserved,
        "closures": extras.closures,
        "coverage": coverage,
        "blockers": s.blockers,
        "notes": notes,
    })
}

/// Standard base64 (RFC 4648, with padding).
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for ch in bytes.chunks(3) {
        let b = [ch[0], *ch.get(1).unwrap_or(&0), *ch.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= ch.len() {
                out.push(A[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Leaflet's CSS with its three image references replaced by data URIs,
/// so the page loads nothing.
fn leaflet_css() -> String {
    let uri = |png: &[u8]| format!("url(data:image/png;base64,{})", base64(png));
    LEAFLET_CSS
        .replace("url(images/layers.png)", &uri(LAYERS_PNG))
        .replace("url(images/layers-2x.png)", &uri(LAYERS_2X_PNG))
        .replace("url(images/marker-icon.png)", &uri(MARKER_PNG))
}

/// Leaflet without its source-map comment (which would point at a file
/// that is not shipped).
fn leaflet_js() -> &'static str {
    match LEAFLET_JS.rfind("//# sourceMappingURL=") {
        Some(k) => &LEAFLET_JS[..k],
        None => LEAFLET_JS,
    }
}

/// The whole `map.html` page for `plan`.
///
/// # Errors
/// [`Error::Internal`] if the data cannot be encoded as JSON.
pub fn map_html(plan: &PlanFolder, base: &BaseLayer, extras: &PlanExtras) -> Result<String> {
    let data = script_json(&map_data(plan, base, extras))?;
    let title = format!(
        "wasteroute plan: {} vehicles, {} unserved",
        plan.vehicles.len(),
        plan.unserved.len()
    );
    Ok(offline_page(
        &title,
        MAP_CSS,
        "<div id=\"map\" role=\"application\" aria-label=\"plan map\"></div>\n<aside id=\"wr-panel\"></aside>\n",
        &data,
        MAP_JS,
    ))
}

/// An offline Leaflet page: `title`, Leaflet's CSS and `css`, the `body`
/// elements, then `data` (from [`script_json`]) in
/// `<script type="application/json" id="wr-data">`, the error recorder
/// (`#wr-status`, which tests read), Leaflet, the shared helpers
/// (`assets/common.js`) and `script`. The page's
/// policy lets it fetch nothing.
pub(crate) fn offline_page(title: &str, css: &str, body: &str, data: &str, script: &str) -> String {
    let mut page = String::with_capacity(data.len() + LEAFLET_JS.len() + 64 * 1024);
    page.push_str(concat!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        // Nothing may be fetched: inline scripts and styles and data: images only.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ",
        "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:\">\n",
        "<meta name=\"referrer\" content=\"no-referrer\">\n<title>",
    ));
    page.push_str(&super::escape_text(title));
    page.push_str("</title>\n<style>\n");
    page.push_str(&leaflet_css());
    page.push_str("\n</style>\n<style>\n");
    page.push_str(css);
    page.push_str("\n</style>\n</head>\n<body>\n");
    page.push_str(body);
    page.push_str(concat!(
        "<pre id=\"wr-status\" hidden></pre>\n",
        "<script type=\"application/json\" id=\"wr-data\">",
    ));
    page.push_str(data);
    page.push_str(concat!(
        "</script>\n<script>\n",
        // Runs first: records script errors, failed loads and blocked
        // requests in #wr-status, where tests read them.
        "window.wrStatus = {errors: []};\n",
        "window.wrReport = function () { var s = document.getElementById('wr-status'); if (s) s.textContent = JSON.stringify(window.wrStatus); };\n",
        "window.addEventListener('error', function (e) { var t = e.target; ",
        "if (t && t !== window && (t.src || t.href)) { wrStatus.errors.push('failed to load ' + (t.src || t.href)); } ",
        "else { wrStatus.errors.push(String(e.message) + ' (' + e.filename + ':' + e.lineno + ')'); } wrReport(); }, true);\n",
        "window.addEventListener('unhandledrejection', function (e) { wrStatus.errors.push('unhandled rejection: ' + String(e.reason)); wrReport(); });\n",
        "document.addEventListener('securitypolicyviolation', function (e) { wrStatus.errors.push('blocked by the page policy: ' + e.blockedURI); wrReport(); });\n",
        "</script>\n<script>\n",
    ));
    page.push_str(leaflet_js());
    page.push_str("\n</script>\n<script>\n");
    page.push_str(COMMON_JS);
    page.push_str("\n</script>\n<script>\n");
    page.push_str(script);
    page.push_str("\n</script>\n</body>\n</html>\n");
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_script_element() {
        let v = json!({"n": "</script><script>alert(1)</script><!-- & \u{2028}"});
        let s = script_json(&v).unwrap();
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn embedded_scripts_hold_no_closing_tag() {
        for (name, js) in [
            ("leaflet.js", leaflet_js()),
            ("map.js", MAP_JS),
            ("common.js", COMMON_JS),
        ] {
            let lower = js.to_ascii_lowercase();
            assert!(!lower.contains("</script"), "{name}");
            assert!(!lower.contains("<!--"), "{name}");
        }
        assert!(!leaflet_css().contains("url(images/"));
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        // RFC 4648 section 10.
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (a, b) in cases {
            assert_eq!(base64(a.as_bytes()), b);
        }
    }

    /// The truck's and the small vehicle's graphs of a small extract:
    /// they share most streets, and the small vehicle has others.
    fn two_profiles() -> (RoadGraph, RoadGraph) {
        let pbf = crate::plan::tests::data("monaco-roads-tiny.osm.pbf");
        let truck = RoadGraph::from_osm(&pbf, &Profile::truck()).unwrap().0;
        let small = RoadGraph::from_osm(&pbf, &Profile::small()).unwrap().0;
        (truck, small)
    }

    fn segments(lines: &[Vec<(f64, f64)>]) -> Vec<((i64, i64), (i64, i64))> {
        let q = |p: (f64, f64)| ((p.0 * Q).round() as i64, (p.1 * Q).round() as i64);
        let mut s: Vec<_> = lines
            .iter()
            .flat_map(|l| {
                l.windows(2)
                    .map(|w| (q(w[0]).min(q(w[1])), q(w[0]).max(q(w[1]))))
            })
            .collect();
        s.sort_unstable();
        s
    }

    #[test]
    fn roads_several_profiles_share_are_drawn_once() {
        let (truck, small) = two_profiles();
        let t = road_polylines(&[&truck], None);
        let both = road_polylines(&[&truck, &small], None);
        // The truck's edges first and whole, then only what the small
        // vehicle has beyond them.
        assert_eq!(both[..t.len()], t[..]);
        let extra = segments(&both[t.len()..]);
        assert!(!extra.is_empty());
        let truck_segments = segments(&t);
        assert!(
            extra
                .iter()
                .all(|s| truck_segments.binary_search(s).is_err())
        );
        // Every segment once, whatever the order of the graphs.
        let all = segments(&both);
        let mut once = all.clone();
        once.dedup();
        assert_eq!(all, once);
        assert_eq!(segments(&road_polylines(&[&small, &truck], None)), all);
        // A graph drawn twice adds nothing.
        assert_eq!(road_polylines(&[&truck, &truck], None), t);
    }

    #[test]
    fn one_graph_draws_as_from_graph_and_the_note_names_the_extract_and_profiles() {
        let (truck, small) = two_profiles();
        let one = BaseLayer::from_graphs(&[&truck], None, "data/demo/map.osm.pbf");
        assert_eq!(one.lines, BaseLayer::from_graph(&truck, None).lines);
        assert!(!one.missing);
        assert!(
            one.note.starts_with(
                "Roads from map.osm.pbf (every street a vehicle of profile truck may use)"
            ),
            "{}",
            one.note
        );
        let monaco = Some([7.41, 43.72, 7.44, 43.75]);
        let both = BaseLayer::from_graphs(&[&truck, &small], monaco, "x");
        assert!(
            both.note
                .contains("of profile truck or small may use, around the plan"),
            "{}",
            both.note
        );
        assert!(both.note.ends_with(&format!("{OSM_ATTRIBUTION}.")));
        assert!(both.lines.len() > one.lines.len());
    }

    #[test]
    fn a_plan_folders_layer_is_the_one_plan_draws_for_truck_and_small() {
        let (truck, small) = two_profiles();
        let pbf = crate::plan::tests::data("monaco-roads-tiny.osm.pbf");
        let around = Some([7.41, 43.72, 7.44, 43.75]);
        let folder = BaseLayer::from_osm(&pbf, around).unwrap();
        let plan = BaseLayer::from_graphs(&[&truck, &small], around, &pbf.display().to_string());
        assert_eq!(folder, plan);
        let e = BaseLayer::from_osm(&pbf.with_file_name("none.osm.pbf"), None).unwrap_err();
        assert!(e.to_string().contains("none.osm.pbf"), "{e}");
    }

    #[test]
    fn edges_far_outside_the_plan_are_left_out() {
        let (truck, _) = two_profiles();
        // A box 100 km north: grown by 2 km it still misses every street.
        let far = Some([7.42, 44.63, 7.43, 44.64]);
        assert!(road_polylines(&[&truck], far).is_empty());
        // A box in the middle of Monaco keeps what touches it, and no more
        // than the whole.
        let all = road_polylines(&[&truck], None);
        let near = road_polylines(&[&truck], Some([7.42, 43.735, 7.421, 43.736]));
        assert!(!near.is_empty() && near.len() <= all.len());
        assert!(near.iter().all(|l| all.contains(l)));
    }

    #[test]
    fn encode_line_is_delta_encoded_and_drops_repeats() {
        // Three points 1e-5 degree apart in longitude on a straight line:
        // the middle one is within the tolerance and goes.
        let line = encode_line(
            &[
                (7.0, 43.0),
                (7.00001, 43.0),
                (7.00002, 43.0),
                (7.00002, 43.0),
            ],
            1.0,
        );
        assert_eq!(line, vec![700_000, 4_300_000, 2, 0]);
    }
}
