//! The road network of one vehicle profile, built from OpenStreetMap.
//!
//! A [`RoadGraph`] is a compact graph of road *vertices* (intersections, way
//! ends, dead ends at barriers) joined by road *edges* (the chains of OSM
//! way segments between them). Every edge keeps its full geometry, so
//! points snap onto the road itself and legs unpack to road-following lines.
//!
//! ```text
//!   v0 ----e0----> v1 <---e1---> v2      e0: one-way, e1: two-way
//!                   \
//!                    e2 (geometry: 4 OSM nodes, one edge)
//!                     \
//!                      v3
//! ```
//!
//! Pipeline: [`RoadGraph::from_osm`] (read, filter by [`Profile`], compress,
//! keep the largest strongly connected component) → [`RoadGraph::snap`] →
//! [`crate::matrix::Router`] for matrices and legs. [`Closures`] derive a
//! graph with changed travel times and the same edges. The graph also keeps
//! the OSM turn restrictions resolved onto its arcs and the profile's turn
//! model ([`turns`]); [`crate::matrix::Router::turn_aware`] routes with them.

mod build;
mod class;
mod closures;
mod components;
mod format;
pub mod profile;
mod snap;
pub mod turns;

use std::sync::OnceLock;

pub use build::BuildReport;
pub use class::RoadClass;
pub use closures::{ClosureReport, Closures};
pub use profile::{Profile, TurnModel, WayRule, parse_length_m, parse_maxspeed, parse_weight_t};
pub use snap::{DEFAULT_MAX_SNAP_M, Side, Snap, SnappedPoint};
pub use turns::{Restriction, RestrictionStats, TurnData, TurnStats};

/// Index of a vertex of a [`RoadGraph`].
pub type VertexId = u32;
/// Index of an edge of a [`RoadGraph`].
pub type EdgeId = u32;

/// The travel time of a direction that may not be used.
pub const FORBIDDEN: u32 = u32::MAX;

/// The largest travel time of one edge (about 12 days): longer times are
/// capped, so that path sums stay far from overflowing.
///
/// # Units
/// Milliseconds.
pub const MAX_EDGE_MS: u32 = 1 << 30;

/// One road edge: a chain of OSM way segments between two vertices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// The vertex at the start of the geometry.
    pub tail: VertexId,
    /// The vertex at the end of the geometry.
    pub head: VertexId,
    /// Length along the geometry.
    ///
    /// # Units
    /// Centimetres.
    pub length_cm: u32,
    /// Travel time from `tail` to `head`, or [`FORBIDDEN`].
    ///
    /// # Units
    /// Milliseconds.
    pub forward_ms: u32,
    /// Travel time from `head` to `tail`, or [`FORBIDDEN`].
    ///
    /// # Units
    /// Milliseconds.
    pub backward_ms: u32,
}

impl Edge {
    /// True if the edge may be driven from tail to head.
    pub fn forward(&self) -> bool {
        self.forward_ms != FORBIDDEN
    }

    /// True if the edge may be driven from head to tail.
    pub fn backward(&self) -> bool {
        self.backward_ms != FORBIDDEN
    }
}

/// A road graph for one vehicle profile.
#[derive(Debug)]
pub struct RoadGraph {
    profile: String,
    /// `[lon, lat]` per vertex, degrees.
    vertices: Vec<[f64; 2]>,
    edges: Vec<Edge>,
    /// Geometry of edge `e`: `geometry[geometry_first[e]..geometry_first[e + 1]]`,
    /// `[lon, lat]` in degrees, both end vertices included.
    geometry_first: Vec<u32>,
    geometry: Vec<[f64; 2]>,
    /// The road class of each edge's OSM way.
    classes: Vec<RoadClass>,
    /// Restrictions, signals, turning circles and the turn model.
    turns: TurnData,
    snap_index: OnceLock<snap::SnapIndex>,
}

impl Clone for RoadGraph {
    fn clone(&self) -> Self {
        RoadGraph {
            profile: self.profile.clone(),
            vertices: self.vertices.clone(),
            edges: self.edges.clone(),
            geometry_first: self.geometry_first.clone(),
            geometry: self.geometry.clone(),
            classes: self.classes.clone(),
            turns: self.turns.clone(),
            snap_index: OnceLock::new(),
        }
    }
}

impl RoadGraph {
    /// Assembles a graph from its parts, checking that they fit together.
    fn from_parts(
        profile: String,
        vertices: Vec<[f64; 2]>,
        edges: Vec<Edge>,
        geometry_first: Vec<u32>,
        geometry: Vec<[f64; 2]>,
        classes: Vec<RoadClass>,
    ) -> std::result::Result<RoadGraph, String> {
        let n = vertices.len();
        if n > (u32::MAX / 2) as usize || edges.len() > (u32::MAX / 2) as usize {
            return Err("graph too large".into());
        }
        if classes.len() != edges.len() {
            return Err("the road classes do not match the edges".into());
        }
        if geometry_first.len() != edges.len() + 1 {
            return Err("geometry index does not match the edges".into());
        }
        if geometry_first.last().copied() != Some(geometry.len() as u32) || geometry_first[0] != 0 {
            return Err("geometry index does not match the geometry".into());
        }
        for (e, edge) in edges.iter().enumerate() {
            if edge.tail as usize >= n || edge.head as usize >= n {
                return Err(format!("edge {e} names a vertex that does not exist"));
            }
            let ok = |ms: u32| ms == FORBIDDEN || ms <= MAX_EDGE_MS;
            if !ok(edge.forward_ms) || !ok(edge.backward_ms) {
                return Err(format!("edge {e} has a travel time above the limit"));
            }
            if geometry_first[e + 1] < geometry_first[e].saturating_add(2) {
                return Err(format!("edge {e} has fewer than two geometry points"));
            }
        }
        if vertices
            .iter()
            .chain(geometry.iter())
            .any(|p| !(p[0].is_finite() && p[1].is_finite()))
        {
            return Err("a coordinate is not a finite number".into());
        }
        let model = Profile::builtin(&profile)
            .map(|p| p.turns)
            .unwrap_or_else(TurnModel::truck);
        Ok(RoadGraph {
            profile,
            vertices,
            edges,
            geometry_first,
            geometry,
            classes,
            turns: TurnData::empty(model),
            snap_index: OnceLock::new(),
        })
    }

    /// The name of the profile the graph was built for.
    pub fn profile_name(&self) -> &str {
        &self.profile
    }

    /// The number of vertices.
    pub fn n_vertices(&self) -> usize {
        self.vertices.len()
    }

    /// The number of edges.
    pub fn n_edges(&self) -> usize {
        self.edges.len()
    }

    /// Edge `e`.
    pub fn edge(&self, e: EdgeId) -> &Edge {
        &self.edges[e as usize]
    }

    /// Every edge.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// The road class of edge `e` (of its OSM way).
    pub fn edge_class(&self, e: EdgeId) -> RoadClass {
        self.classes[e as usize]
    }

    /// `(lon, lat)` of vertex `v`.
    ///
    /// # Units
    /// Degrees.
    pub fn vertex_lon_lat(&self, v: VertexId) -> (f64, f64) {
        let p = self.vertices[v as usize];
        (p[0], p[1])
    }

    /// The geometry of edge `e` as `[lon, lat]` points from tail to head.
    ///
    /// # Units
    /// Degrees.
    pub fn edge_geometry(&self, e: EdgeId) -> &[[f64; 2]] {
        let e = e as usize;
        &self.geometry[self.geometry_first[e] as usize..self.geometry_first[e + 1] as usize]
    }

    /// Total length of all edges.
    ///
    /// # Units
    /// Kilometres.
    pub fn total_km(&self) -> f64 {
        self.edges.iter().map(|e| e.length_cm as f64).sum::<f64>() / 100_000.0
    }

    /// The points of edge `e` between fractions `from` and `to` of its
    /// length (`from > to` walks the edge backwards), as `(lon, lat)`.
    ///
    /// # Units
    /// Fractions in `0..=1`; output in degrees.
    pub fn edge_polyline_between(&self, e: EdgeId, from: f64, to: f64) -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        self.push_edge_polyline(e, from, to, &mut out);
        out
    }

    /// Appends the polyline of [`RoadGraph::edge_polyline_between`] to `out`,
    /// skipping its first point if it equals the last point of `out`.
    pub(crate) fn push_edge_polyline(
        &self,
        e: EdgeId,
        from: f64,
        to: f64,
        out: &mut Vec<(f64, f64)>,
    ) {
        let g = self.edge_geometry(e);
        let cum = cumulative_m(g);
        let total = *cum.last().unwrap_or(&0.0);
        let at = |f: f64| -> (f64, f64) {
            let target = f.clamp(0.0, 1.0) * total;
            if total <= 0.0 {
                return (g[0][0], g[0][1]);
            }
            let i = cum.partition_point(|&c| c < target).clamp(1, g.len() - 1);
            let seg = cum[i] - cum[i - 1];
            let t = if seg > 0.0 {
                ((target - cum[i - 1]) / seg).clamp(0.0, 1.0)
            } else {
                0.0
            };
            (
                g[i - 1][0] + t * (g[i][0] - g[i - 1][0]),
                g[i - 1][1] + t * (g[i][1] - g[i - 1][1]),
            )
        };
        let mut push = |p: (f64, f64)| {
            if out.last() != Some(&p) {
                out.push(p);
            }
        };
        let (lo, hi) = (from.min(to) * total, from.max(to) * total);
        let inner: Vec<usize> = (0..g.len())
            .filter(|&i| cum[i] > lo && cum[i] < hi)
            .collect();
        push(at(from));
        if from <= to {
            for &i in &inner {
                push((g[i][0], g[i][1]));
            }
        } else {
            for &i in inner.iter().rev() {
                push((g[i][0], g[i][1]));
            }
        }
        push(at(to));
    }
}

/// Great-circle distance between two `[lon, lat]` points (geo's haversine).
///
/// # Units
/// Degrees in, metres out.
pub fn haversine_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    use geo::{Distance, Haversine, Point};
    Haversine.distance(Point::new(a[0], a[1]), Point::new(b[0], b[1]))
}

/// Cumulative haversine length at each point of a polyline, metres.
pub(crate) fn cumulative_m(g: &[[f64; 2]]) -> Vec<f64> {
    let mut cum = Vec::with_capacity(g.len());
    let mut acc = 0.0;
    cum.push(0.0);
    for w in g.windows(2) {
        acc += haversine_m(w[0], w[1]);
        cum.push(acc);
    }
    cum
}
