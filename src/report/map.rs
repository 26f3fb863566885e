//! `map.html`: one self-contained page with Leaflet, the road network drawn
//! from the plan's OSM extract, and the plan's data as escaped JSON.

use super::{BBox, PlanExtras, PlanFolder, route_color, simplify};
use crate::error::{Error, Result};
use crate::graph::{Profile, RoadGraph};
use crate::plan::StopKind;
use serde_json::{Value, json};
use std::path::Path;

const LEAFLET_JS: &str = include_str!("assets/leaflet/leaflet.js");
const LEAFLET_CSS: &str = include_str!("assets/leaflet/leaflet.css");
const LAYERS_PNG: &[u8] = include_bytes!("assets/leaflet/layers.png");
const LAYERS_2X_PNG: &[u8] = include_bytes!("assets/leaflet/layers-2x.png");
const MARKER_PNG: &[u8] = include_bytes!("assets/leaflet/marker-icon.png");
const MAP_JS: &str = include_str!("assets/map.js");
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
    /// (the small-vehicle profile plus motorways), simplified; only those
    /// that touch `around` (see [`BaseLayer::from_graph`]) if given.
    ///
    /// # Errors
    /// As [`RoadGraph::from_osm`].
    pub fn from_osm(path: &Path, around: Option<BBox>) -> Result<BaseLayer> {
        let mut profile = Profile::small();
        profile.name = "map".into();
        profile.speeds_kmh.insert("motorway".into(), 80.0);
        profile.speeds_kmh.insert("motorway_link".into(), 45.0);
        profile.max_speed_kmh = 80.0;
        let (graph, _) = RoadGraph::from_osm(path, &profile)?;
        let mut base = BaseLayer::from_graph(&graph, around);
        let file = path.file_name().map_or_else(
            || path.display().to_string(),
            |f| f.to_string_lossy().into_owned(),
        );
        base.note = format!(
            "Roads from {file} (every street a truck or a small vehicle may use{}), {OSM_ATTRIBUTION}.",
            if around.is_some() {
                ", around the plan"
            } else {
                ""
            }
        );
        Ok(base)
    }

    /// The edges of `graph`, simplified within 2 m (coarser if the network
    /// has more than a few hundred thousand points). With `around`, only
    /// the edges that touch that box, grown by a quarter of its size and at
    /// least 2 km on each side, so a city's plan on a country's extract
    /// does not carry the whole country.
    pub fn from_graph(graph: &RoadGraph, around: Option<BBox>) -> BaseLayer {
        let clip = around.map(|b| {
            let lat = ((b[1] + b[3]) / 2.0).to_radians().cos().max(0.01);
            let my = ((b[3] - b[1]) * 0.25).max(2000.0 / M_PER_DEG);
            let mx = ((b[2] - b[0]) * 0.25).max(2000.0 / M_PER_DEG / lat);
            [b[0] - mx, b[1] - my, b[2] + mx, b[3] + my]
        });
        let mut tol_m = 2.0;
        loop {
            let mut lines = Vec::with_capacity(graph.n_edges());
            let mut points = 0;
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
                let line = encode_line(&geom, tol_m);
                if line.len() >= 4 {
                    points += line.len() / 2;
                    lines.push(line);
                }
            }
            if points <= MAX_BASE_POINTS || tol_m > 50.0 {
                return BaseLayer {
                    lines,
                    note: format!("Roads: profile {}.", graph.profile_name()),
                    missing: false,
                };
            }
            tol_m *= 2.5;
        }
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
                        "line": encode_line(&t.coords, TRIP_TOLERANCE_M),
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
            let info = extras.vehicle_types.get(&v.vehicle_type);
            json!({
                "name": v.vehicle, "type": v.vehicle_type, "color": route_color(i),
                "depot": v.depot(), "start": v.start, "end": v.end,
                "km": v.km, "hours": v.hours, "cost": v.cost, "load_kg": v.load_kg,
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
    let mut page = String::with_capacity(data.len() + LEAFLET_JS.len() + 64 * 1024);
    page.push_str(concat!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        // Nothing may be fetched: inline scripts and styles and data: images only.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ",
        "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:\">\n",
        "<meta name=\"referrer\" content=\"no-referrer\">\n<title>",
    ));
    page.push_str(&super::escape_text(&title));
    page.push_str("</title>\n<style>\n");
    page.push_str(&leaflet_css());
    page.push_str("\n</style>\n<style>\n");
    page.push_str(MAP_CSS);
    page.push_str(concat!(
        "\n</style>\n</head>\n<body>\n<div id=\"map\" role=\"application\" aria-label=\"plan map\"></div>\n",
        "<aside id=\"wr-panel\"></aside>\n<pre id=\"wr-status\" hidden></pre>\n",
        "<script type=\"application/json\" id=\"wr-data\">",
    ));
    page.push_str(&data);
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
    page.push_str(MAP_JS);
    page.push_str("\n</script>\n</body>\n</html>\n");
    Ok(page)
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
        for (name, js) in [("leaflet.js", leaflet_js()), ("map.js", MAP_JS)] {
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
