//! Road closures and slow-downs from GeoJSON (flooded or closed streets).
//!
//! Each feature is a `Polygon`, `MultiPolygon`, `LineString` or
//! `MultiLineString` with an optional numeric `factor` property: `0` (the
//! default) closes every road it touches, `0.5` halves their speed, `1`
//! changes nothing. A polygon touches an edge when any segment of the edge's
//! geometry intersects it; a line touches an edge that passes within
//! [`Closures::line_buffer_m`] of it. Where features overlap, the smallest
//! factor wins.
//!
//! [`RoadGraph::with_closures`] returns a graph with the same vertices, edges
//! and geometry and changed travel times, so points snapped on the open
//! graph stay valid on the closed one.

use std::path::Path;

use geo::{Coord, Intersects, Line, LineString, MultiPolygon, Polygon};
use serde_json::Value;

use super::{FORBIDDEN, RoadGraph};
use crate::error::{Error, Location, Result};

/// The default distance within which a closure line touches an edge.
///
/// # Units
/// Metres.
pub const DEFAULT_LINE_BUFFER_M: f64 = 5.0;

#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Area(MultiPolygon<f64>),
    Lines(Vec<LineString<f64>>),
}

#[derive(Debug, Clone, PartialEq)]
struct Closure {
    shape: Shape,
    factor: f64,
}

/// A set of closures and slow-downs.
#[derive(Debug, Clone, PartialEq)]
pub struct Closures {
    items: Vec<Closure>,
    /// How close a closure line must pass to an edge to touch it.
    ///
    /// # Units
    /// Metres.
    pub line_buffer_m: f64,
}

/// What [`RoadGraph::with_closures`] changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct ClosureReport {
    /// Closure features applied.
    pub features: usize,
    /// Edges closed in both directions (factor 0).
    pub edges_closed: usize,
    /// Edges slowed down (0 < factor < 1).
    pub edges_slowed: usize,
}

impl Closures {
    /// No closures.
    pub fn none() -> Closures {
        Closures {
            items: Vec::new(),
            line_buffer_m: DEFAULT_LINE_BUFFER_M,
        }
    }

    /// The number of closure features.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True if there are no closures.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Reads a GeoJSON `FeatureCollection`, `Feature` or bare geometry.
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be read; [`Error::Input`] naming the
    /// feature (1-based, as the record) and field for malformed GeoJSON, an
    /// unsupported geometry type, or a `factor` outside `0..=1`.
    pub fn from_geojson(path: &Path) -> Result<Closures> {
        let text = crate::io::read_text(path)?;
        Closures::from_geojson_str(&text).map_err(|e| e.in_file(path))
    }

    /// Parses GeoJSON text; see [`Closures::from_geojson`].
    ///
    /// # Errors
    /// As [`Closures::from_geojson`].
    pub fn from_geojson_str(text: &str) -> Result<Closures> {
        let v: Value = serde_json::from_str(text).map_err(|e| {
            Error::input(
                Location::default().at_line(e.line()),
                format!("not valid JSON: {e}"),
            )
        })?;
        let features: Vec<&Value> = match v.get("type").and_then(Value::as_str) {
            Some("FeatureCollection") => v
                .get("features")
                .and_then(Value::as_array)
                .ok_or_else(|| {
                    Error::input(
                        Location::default().with_field("features"),
                        "a FeatureCollection needs a 'features' array",
                    )
                })?
                .iter()
                .collect(),
            _ => vec![&v],
        };
        let mut items = Vec::new();
        for (i, f) in features.iter().enumerate() {
            // The record is the feature (1-based), said in the message too.
            let bad = |field: &str, msg: String| {
                Error::input(
                    Location::default().at_line(i + 1).with_field(field),
                    format!("feature {}: {msg}", i + 1),
                )
            };
            let (geometry, factor) = if f.get("type").and_then(Value::as_str) == Some("Feature") {
                let factor = match f.get("properties").and_then(|p| p.get("factor")) {
                    None | Some(Value::Null) => 0.0,
                    Some(x) => x
                        .as_f64()
                        .ok_or_else(|| bad("factor", format!("expected a number, found {x}")))?,
                };
                let g = f
                    .get("geometry")
                    .filter(|g| !g.is_null())
                    .ok_or_else(|| bad("geometry", "the feature has no geometry".into()))?;
                (g, factor)
            } else {
                (*f, 0.0)
            };
            if !(0.0..=1.0).contains(&factor) {
                return Err(bad(
                    "factor",
                    format!("factor must be between 0 (closed) and 1 (unchanged), found {factor}"),
                ));
            }
            let shape = parse_geometry(geometry).map_err(|m| bad("geometry", m))?;
            items.push(Closure { shape, factor });
        }
        Ok(Closures {
            items,
            line_buffer_m: DEFAULT_LINE_BUFFER_M,
        })
    }
}

fn coord(v: &Value) -> std::result::Result<Coord<f64>, String> {
    let a = v.as_array().ok_or("a position must be an array")?;
    match (
        a.first().and_then(Value::as_f64),
        a.get(1).and_then(Value::as_f64),
    ) {
        (Some(x), Some(y)) if x.is_finite() && y.is_finite() => Ok(Coord { x, y }),
        _ => Err(format!("bad position {v}")),
    }
}

fn line(v: &Value) -> std::result::Result<LineString<f64>, String> {
    let a = v.as_array().ok_or("a line must be an array of positions")?;
    if a.len() < 2 {
        return Err("a line needs at least two positions".into());
    }
    Ok(LineString(a.iter().map(coord).collect::<Result<_, _>>()?))
}

fn polygon(v: &Value) -> std::result::Result<Polygon<f64>, String> {
    let rings = v.as_array().ok_or("a polygon must be an array of rings")?;
    let mut rings = rings.iter().map(line);
    let outer = rings.next().ok_or("a polygon needs an outer ring")??;
    if outer.0.len() < 4 {
        return Err("a polygon ring needs at least four positions".into());
    }
    Ok(Polygon::new(outer, rings.collect::<Result<_, _>>()?))
}

fn parse_geometry(g: &Value) -> std::result::Result<Shape, String> {
    let kind = g.get("type").and_then(Value::as_str).unwrap_or("");
    let c = g
        .get("coordinates")
        .ok_or("the geometry has no coordinates")?;
    let arr = || {
        c.as_array()
            .ok_or_else(|| "coordinates must be an array".to_string())
    };
    match kind {
        "Polygon" => Ok(Shape::Area(MultiPolygon(vec![polygon(c)?]))),
        "MultiPolygon" => Ok(Shape::Area(MultiPolygon(
            arr()?.iter().map(polygon).collect::<Result<_, _>>()?,
        ))),
        "LineString" => Ok(Shape::Lines(vec![line(c)?])),
        "MultiLineString" => Ok(Shape::Lines(
            arr()?.iter().map(line).collect::<Result<_, _>>()?,
        )),
        other => Err(format!(
            "unsupported geometry type '{other}' (expected Polygon, MultiPolygon, LineString or MultiLineString)"
        )),
    }
}

/// Distance between two segments in the plane.
pub(crate) fn segment_distance(a: [f64; 2], b: [f64; 2], c: [f64; 2], d: [f64; 2]) -> f64 {
    let l1 = Line::new(Coord { x: a[0], y: a[1] }, Coord { x: b[0], y: b[1] });
    let l2 = Line::new(Coord { x: c[0], y: c[1] }, Coord { x: d[0], y: d[1] });
    if l1.intersects(&l2) {
        return 0.0;
    }
    point_segment(a, c, d)
        .min(point_segment(b, c, d))
        .min(point_segment(c, a, b))
        .min(point_segment(d, a, b))
}

fn point_segment(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (x, y) = (a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
    (x * x + y * y).sqrt()
}

impl RoadGraph {
    /// The per-edge speed factor under `closures` (1 for untouched edges).
    pub fn closure_factors(&self, closures: &Closures) -> Vec<f64> {
        let mut factor = vec![1.0f64; self.n_edges()];
        let index = self.snap_index();
        for c in &closures.items {
            match &c.shape {
                Shape::Area(mp) => {
                    use geo::BoundingRect;
                    let Some(r) = mp.bounding_rect() else {
                        continue;
                    };
                    let lo = index.project(r.min().x, r.min().y);
                    let hi = index.project(r.max().x, r.max().y);
                    for (e, s) in index.segments_near(lo, hi, 0.0) {
                        let g = self.edge_geometry(e);
                        let (a, b) = (g[s as usize], g[s as usize + 1]);
                        let seg = Line::new(Coord { x: a[0], y: a[1] }, Coord { x: b[0], y: b[1] });
                        if seg.intersects(mp) {
                            let f = &mut factor[e as usize];
                            *f = f.min(c.factor);
                        }
                    }
                }
                Shape::Lines(lines) => {
                    for ls in lines {
                        for w in ls.0.windows(2) {
                            let p = index.project(w[0].x, w[0].y);
                            let q = index.project(w[1].x, w[1].y);
                            let lo = [p[0].min(q[0]), p[1].min(q[1])];
                            let hi = [p[0].max(q[0]), p[1].max(q[1])];
                            for (e, s) in index.segments_near(lo, hi, closures.line_buffer_m) {
                                let g = self.edge_geometry(e);
                                let a = index.project(g[s as usize][0], g[s as usize][1]);
                                let b = index.project(g[s as usize + 1][0], g[s as usize + 1][1]);
                                if segment_distance(a, b, p, q) <= closures.line_buffer_m {
                                    let f = &mut factor[e as usize];
                                    *f = f.min(c.factor);
                                }
                            }
                        }
                    }
                }
            }
        }
        factor
    }

    /// A copy of the graph with `closures` applied: closed edges may not be
    /// used in either direction, slowed edges take `1 / factor` times as
    /// long. Vertices, edges and geometry are unchanged.
    pub fn with_closures(&self, closures: &Closures) -> (RoadGraph, ClosureReport) {
        let factor = self.closure_factors(closures);
        let mut g = self.clone();
        let mut report = ClosureReport {
            features: closures.len(),
            ..ClosureReport::default()
        };
        for (e, &f) in g.edges.iter_mut().zip(&factor) {
            if f >= 1.0 {
                continue;
            }
            if f <= 0.0 {
                e.forward_ms = FORBIDDEN;
                e.backward_ms = FORBIDDEN;
                report.edges_closed += 1;
            } else {
                let slow = |ms: u32| {
                    if ms == FORBIDDEN {
                        FORBIDDEN
                    } else {
                        (ms as f64 / f).round().min(super::MAX_EDGE_MS as f64) as u32
                    }
                };
                e.forward_ms = slow(e.forward_ms);
                e.backward_ms = slow(e.backward_ms);
                report.edges_slowed += 1;
            }
        }
        (g, report)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::graph::Profile;
    use crate::graph::build::tests::{line_nodes, way};
    use crate::io::osm::OsmRoads;

    /// Two parallel streets: 1-2-3-4-5 at lat 0 and 11-...-15 at lat 0.002
    /// (~222 m north), joined at both ends.
    fn ladder() -> RoadGraph {
        let mut nodes = line_nodes();
        nodes.extend((1..=5).map(|i| (10 + i, 0.002, i as f64 * 0.001)));
        let roads = OsmRoads::from_parts(
            vec![
                way(1, &[1, 2, 3, 4, 5], &[("highway", "residential")]),
                way(2, &[11, 12, 13, 14, 15], &[("highway", "residential")]),
                way(3, &[1, 11], &[("highway", "residential")]),
                way(4, &[5, 15], &[("highway", "residential")]),
            ],
            nodes,
            HashMap::new(),
        );
        RoadGraph::from_roads(&roads, &Profile::truck()).unwrap().0
    }

    fn south_edge(g: &RoadGraph) -> usize {
        (0..g.n_edges())
            .find(|&e| g.edge_geometry(e as u32).iter().all(|p| p[1] == 0.0))
            .unwrap()
    }

    #[test]
    fn a_polygon_closes_the_street_it_covers_and_nothing_else() {
        let g = ladder();
        let c = Closures::from_geojson_str(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},
            "geometry":{"type":"Polygon","coordinates":[[[0.0025,-0.0005],[0.0035,-0.0005],
            [0.0035,0.0005],[0.0025,0.0005],[0.0025,-0.0005]]]}}]}"#,
        )
        .unwrap();
        let (h, r) = g.with_closures(&c);
        assert_eq!(r.edges_closed, 1);
        let s = south_edge(&g);
        assert!(!h.edges[s].forward() && !h.edges[s].backward());
        let open = (0..g.n_edges()).filter(|&e| e != s);
        for e in open {
            assert_eq!(h.edges[e], g.edges[e]);
        }
    }

    #[test]
    fn a_line_within_the_buffer_slows_the_street_by_its_factor() {
        let g = ladder();
        // A line 3 m north of the south street (0.000027 degrees ~ 3.0 m).
        let c = Closures::from_geojson_str(
            r#"{"type":"Feature","properties":{"factor":0.5},
            "geometry":{"type":"LineString","coordinates":[[0.002,0.000027],[0.003,0.000027]]}}"#,
        )
        .unwrap();
        let (h, r) = g.with_closures(&c);
        assert_eq!((r.edges_closed, r.edges_slowed), (0, 1));
        let s = south_edge(&g);
        let (a, b) = (g.edges[s].forward_ms as i64, h.edges[s].forward_ms as i64);
        assert!((b - 2 * a).abs() <= 1, "{a} -> {b}");
        // 30 m away: outside the 5 m buffer, nothing changes.
        let far = Closures::from_geojson_str(
            r#"{"type":"LineString","coordinates":[[0.002,0.00027],[0.003,0.00027]]}"#,
        )
        .unwrap();
        assert_eq!(g.with_closures(&far).1.edges_closed, 0);
    }

    #[test]
    fn bad_factors_and_geometries_name_the_feature() {
        let e = Closures::from_geojson_str(
            r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"factor":0},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}},
            {"type":"Feature","properties":{"factor":2},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}]}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("2: field 'factor'"), "{e}");
        let e = Closures::from_geojson_str(r#"{"type":"Point","coordinates":[0,0]}"#).unwrap_err();
        assert!(e.to_string().contains("Point"), "{e}");
        let e = Closures::from_geojson_str("{\n\"type\": oops}").unwrap_err();
        assert!(e.to_string().starts_with("2: "), "{e}");
    }
}
