//! Snapping points onto the nearest usable road segment.
//!
//! An R-tree (rstar) holds every segment of every edge's geometry in a local
//! equirectangular projection (metres around the graph's mean latitude). A
//! point is projected onto its nearest segment, not moved to the nearest
//! vertex, and travel starts and ends at that projected position along the
//! edge, as routing engines do.

use rstar::primitives::{GeomWithData, Line};
use rstar::{AABB, RTree};

use super::{EdgeId, RoadGraph, cumulative_m, haversine_m};
use crate::error::{Error, Location, Result};

/// The default largest snap distance.
///
/// # Units
/// Metres.
pub const DEFAULT_MAX_SNAP_M: f64 = 300.0;

const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A point placed on a road edge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SnappedPoint {
    /// The edge the point lies on.
    pub edge: EdgeId,
    /// Position along the edge from its tail, as a fraction of its length.
    ///
    /// # Units
    /// `0.0` (tail) to `1.0` (head).
    pub fraction: f64,
    /// Latitude of the projected position.
    ///
    /// # Units
    /// Degrees.
    pub lat: f64,
    /// Longitude of the projected position.
    ///
    /// # Units
    /// Degrees.
    pub lon: f64,
    /// Distance from the input point to the projected position.
    ///
    /// # Units
    /// Metres.
    pub distance_m: f64,
}

/// The result of snapping one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Snap {
    /// The point is on (or near enough to) a usable road.
    OnRoad(SnappedPoint),
    /// The nearest usable road is farther than the limit.
    TooFar {
        /// Distance to the nearest usable road (infinite if the graph has
        /// no road at all).
        ///
        /// # Units
        /// Metres.
        distance_m: f64,
    },
}

impl Snap {
    /// The snapped point, if the point is on a road.
    pub fn on_road(&self) -> Option<&SnappedPoint> {
        match self {
            Snap::OnRoad(p) => Some(p),
            Snap::TooFar { .. } => None,
        }
    }

    /// The distance from the input point to the nearest usable road.
    ///
    /// # Units
    /// Metres.
    pub fn distance_m(&self) -> f64 {
        match self {
            Snap::OnRoad(p) => p.distance_m,
            Snap::TooFar { distance_m } => *distance_m,
        }
    }
}

type Segment = GeomWithData<Line<[f64; 2]>, (u32, u32)>;

/// The R-tree over edge segments.
#[derive(Debug)]
pub(crate) struct SnapIndex {
    tree: RTree<Segment>,
    /// Metres per degree of longitude at the reference latitude.
    mx: f64,
    /// Metres per degree of latitude.
    my: f64,
}

impl SnapIndex {
    fn build(g: &RoadGraph) -> SnapIndex {
        let n = g.vertices.len().max(1) as f64;
        let lat0 = g.vertices.iter().map(|p| p[1]).sum::<f64>() / n;
        let my = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
        let mx = my * lat0.to_radians().cos();
        let mut segs = Vec::with_capacity(g.geometry.len());
        for e in 0..g.n_edges() {
            let geom = g.edge_geometry(e as u32);
            for (s, w) in geom.windows(2).enumerate() {
                let a = [w[0][0] * mx, w[0][1] * my];
                let b = [w[1][0] * mx, w[1][1] * my];
                segs.push(Segment::new(Line::new(a, b), (e as u32, s as u32)));
            }
        }
        SnapIndex {
            tree: RTree::bulk_load(segs),
            mx,
            my,
        }
    }

    pub(crate) fn project(&self, lon: f64, lat: f64) -> [f64; 2] {
        [lon * self.mx, lat * self.my]
    }

    /// Edge segments whose boxes come within `radius_m` of the projected box
    /// `[lo, hi]`.
    pub(crate) fn segments_near(
        &self,
        lo: [f64; 2],
        hi: [f64; 2],
        radius_m: f64,
    ) -> impl Iterator<Item = (u32, u32)> + '_ {
        let env = AABB::from_corners(
            [lo[0] - radius_m, lo[1] - radius_m],
            [hi[0] + radius_m, hi[1] + radius_m],
        );
        self.tree
            .locate_in_envelope_intersecting(&env)
            .map(|s| s.data)
            .collect::<Vec<_>>()
            .into_iter()
    }
}

impl RoadGraph {
    pub(crate) fn snap_index(&self) -> &SnapIndex {
        self.snap_index.get_or_init(|| SnapIndex::build(self))
    }

    /// Snaps each `(lat, lon)` onto the nearest usable road segment. Points
    /// farther than `max_distance_m` are [`Snap::TooFar`]. Ties between
    /// equally near segments go to the smallest edge id, so the result is
    /// deterministic.
    ///
    /// # Units
    /// Degrees in; `max_distance_m` in metres.
    ///
    /// # Errors
    /// [`Error::Input`] naming the record (1-based) of a coordinate that is
    /// not a number or outside -90..=90 / -180..=180.
    pub fn snap(&self, points: &[(f64, f64)], max_distance_m: f64) -> Result<Vec<Snap>> {
        for (i, &(lat, lon)) in points.iter().enumerate() {
            if !(lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0) {
                return Err(Error::input(
                    Location::default().at_line(i + 1),
                    format!("({lat}, {lon}) is not a valid latitude, longitude"),
                ));
            }
        }
        let index = self.snap_index();
        Ok(points
            .iter()
            .map(|&(lat, lon)| self.snap_one(index, lat, lon, max_distance_m))
            .collect())
    }

    fn snap_one(&self, index: &SnapIndex, lat: f64, lon: f64, max_m: f64) -> Snap {
        let q = index.project(lon, lat);
        let mut best: Option<(f64, (u32, u32))> = None;
        for (seg, d2) in index.tree.nearest_neighbor_iter_with_distance_2(&q) {
            match best {
                None => best = Some((d2, seg.data)),
                Some((bd, bid)) => {
                    if d2 > bd {
                        break;
                    }
                    if seg.data < bid {
                        best = Some((d2, seg.data));
                    }
                }
            }
        }
        let Some((_, (e, s))) = best else {
            return Snap::TooFar {
                distance_m: f64::INFINITY,
            };
        };
        let geom = self.edge_geometry(e);
        let (a, b) = (geom[s as usize], geom[s as usize + 1]);
        let pa = index.project(a[0], a[1]);
        let pb = index.project(b[0], b[1]);
        let (dx, dy) = (pb[0] - pa[0], pb[1] - pa[1]);
        let len2 = dx * dx + dy * dy;
        let t = if len2 > 0.0 {
            (((q[0] - pa[0]) * dx + (q[1] - pa[1]) * dy) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let p = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
        let distance_m = haversine_m([lon, lat], p);
        if distance_m > max_m {
            return Snap::TooFar { distance_m };
        }
        let cum = cumulative_m(geom);
        let total = *cum.last().unwrap_or(&0.0);
        let along = cum[s as usize] + t * (cum[s as usize + 1] - cum[s as usize]);
        let fraction = if total > 0.0 {
            (along / total).clamp(0.0, 1.0)
        } else {
            0.0
        };
        Snap::OnRoad(SnappedPoint {
            edge: e,
            fraction,
            lat: p[1],
            lon: p[0],
            distance_m,
        })
    }
}

/// The side of an edge a point lies on, seen driving from the edge's tail
/// to its head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// To the left of the road.
    Left,
    /// To the right of the road.
    Right,
    /// On the road's centre line (within a centimetre).
    On,
}

impl Side {
    /// The side seen driving the other way.
    pub fn mirrored(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
            Side::On => Side::On,
        }
    }
}

impl RoadGraph {
    /// Which side of `p`'s edge the input point `(lat, lon)` it was snapped
    /// from lies on, seen driving the edge from tail to head (OSRM's
    /// `CheckApproach` does the same test, `include/engine/geospatial_query.hpp`).
    ///
    /// # Units
    /// Degrees.
    pub fn side_of(&self, (lat, lon): (f64, f64), p: &SnappedPoint) -> Side {
        let index = self.snap_index();
        let geom = self.edge_geometry(p.edge);
        let q = index.project(lon, lat);
        let at = index.project(p.lon, p.lat);
        // The segment the snapped position lies on: the nearest to it.
        let mut best = (f64::INFINITY, 0usize);
        for (s, w) in geom.windows(2).enumerate() {
            let a = index.project(w[0][0], w[0][1]);
            let b = index.project(w[1][0], w[1][1]);
            let d = super::closures::segment_distance(a, b, at, at);
            if d < best.0 {
                best = (d, s);
            }
        }
        let a = index.project(geom[best.1][0], geom[best.1][1]);
        let b = index.project(geom[best.1 + 1][0], geom[best.1 + 1][1]);
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len = (dx * dx + dy * dy).sqrt();
        if len == 0.0 {
            return Side::On;
        }
        // Signed distance of q from the line a -> b (positive: left).
        let cross = (dx * (q[1] - a[1]) - dy * (q[0] - a[0])) / len;
        if cross > 0.01 {
            Side::Left
        } else if cross < -0.01 {
            Side::Right
        } else {
            Side::On
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::graph::Profile;
    use crate::graph::build::tests::{line_nodes, way};
    use crate::io::osm::OsmRoads;

    fn line_graph() -> RoadGraph {
        // 1-2-3-4-5 along the equator, ~111 m apart: one edge of ~445 m.
        let roads = OsmRoads::from_parts(
            vec![way(10, &[1, 2, 3, 4, 5], &[("highway", "residential")])],
            line_nodes(),
            HashMap::new(),
        );
        RoadGraph::from_roads(&roads, &Profile::truck()).unwrap().0
    }

    #[test]
    fn a_point_beside_the_road_projects_onto_the_segment() {
        let g = line_graph();
        // 0.0005 degrees north of the midpoint of nodes 2 and 3 (lon 0.0025).
        let s = g.snap(&[(0.0005, 0.0025)], 300.0).unwrap();
        let p = s[0].on_road().unwrap();
        assert_eq!(p.edge, 0);
        assert!(p.lat.abs() < 1e-12);
        assert!((p.lon - 0.0025).abs() < 1e-9);
        // 0.0005 degrees of latitude = 55.6 m.
        assert!((p.distance_m - 55.6).abs() < 0.1, "{}", p.distance_m);
        // lon 0.0025 is 1.5 of the 4 node gaps from node 1: fraction 0.375.
        assert!((p.fraction - 0.375).abs() < 1e-6, "{}", p.fraction);
    }

    #[test]
    fn a_point_too_far_reports_its_distance() {
        let g = line_graph();
        let s = g.snap(&[(0.01, 0.003)], 300.0).unwrap();
        match s[0] {
            // 0.01 degrees of latitude = 1112 m.
            Snap::TooFar { distance_m } => assert!((distance_m - 1111.9).abs() < 1.0),
            other => panic!("expected TooFar, got {other:?}"),
        }
    }

    #[test]
    fn invalid_coordinates_are_input_errors() {
        let g = line_graph();
        let e = g.snap(&[(0.0, 0.0), (f64::NAN, 0.0)], 300.0).unwrap_err();
        assert!(
            e.to_string().contains(":2") || e.to_string().starts_with('2'),
            "{e}"
        );
        assert!(g.snap(&[(91.0, 0.0)], 300.0).is_err());
    }

    #[test]
    fn snapping_is_deterministic() {
        let g = line_graph();
        let pts: Vec<(f64, f64)> = (0..50)
            .map(|i| (0.0001 * (i % 7) as f64, 0.0001 * i as f64))
            .collect();
        assert_eq!(
            g.snap(&pts, 300.0).unwrap(),
            g.clone().snap(&pts, 300.0).unwrap()
        );
    }
}
