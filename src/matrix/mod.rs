//! Travel-time and distance matrices, and road-following legs.
//!
//! A [`Router`] contracts a [`RoadGraph`] into a contraction hierarchy
//! (module `ch`, Geisberger et al. 2008) once, then answers:
//!
//! - [`Router::matrix`]: the many-to-many matrix between snapped points with
//!   the bucket algorithm of Knopp, Sanders, Schultes, Schulz & Wagner
//!   (2007, "Computing Many-to-Many Shortest Paths Using Highway
//!   Hierarchies", ALENEX): one backward upward search per target fills
//!   buckets, one forward upward search per source scans them. Both phases
//!   run in parallel with rayon, one search workspace per thread.
//! - [`Router::route`]: one leg with its geometry, by unpacking shortcuts.
//!
//! Travel starts and ends at the snapped position along the edge and
//! respects its directions: a point on a one-way street is left and reached
//! only in the street's direction, and two points on the same edge are
//! joined directly when the direction allows it.
//!
//! ```
//! use wasteroute::graph::{Profile, RoadGraph, DEFAULT_MAX_SNAP_M};
//! use wasteroute::matrix::Router;
//!
//! let osm = std::path::Path::new("tests/data/monaco-roads-tiny.osm.pbf");
//! let (graph, report) = RoadGraph::from_osm(osm, &Profile::truck())?;
//! let snaps = graph.snap(&[(43.7385, 7.4215), (43.7390, 7.4230)], DEFAULT_MAX_SNAP_M)?;
//! let points: Vec<_> = snaps.iter().filter_map(|s| s.on_road()).copied().collect();
//! let router = Router::new(&graph);
//! let m = router.matrix(&points)?;
//! assert_eq!(m.duration(0, 0), Some(0));
//! let seconds = m.duration(0, 1).expect("connected");
//! let leg = router.route(&points[0], &points[1]).expect("connected");
//! assert_eq!(leg.duration_s, seconds);
//! assert!(leg.geometry.len() >= 2); // (lon, lat) along the streets
//! # Ok::<(), wasteroute::Error>(())
//! ```
//!
//! Internally a path weight is one `u64`: milliseconds in the high 32 bits,
//! centimetres in the low 32 bits. Comparing packed weights orders paths by
//! time, then by distance, so the distance reported is that of the fastest
//! path (the shortest of the fastest, when times tie), exactly as a plain
//! Dijkstra on the same weights would give. Path lengths must stay below
//! 42,949 km, which any city or country network does.

mod ch;
#[cfg(test)]
mod dijkstra;
mod path;
mod query;
mod turns;

use std::time::Instant;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::graph::{RoadGraph, SnappedPoint};

pub use path::{DirectedPoint, Leg};
pub use turns::Approach;

const UNREACHABLE: u32 = u32::MAX;
pub(crate) const INF: u64 = u64::MAX;

/// Packs a time and a distance into one weight.
#[inline]
pub(crate) fn pack(ms: u64, cm: u64) -> u64 {
    (ms << 32) | cm
}

/// The part `fraction` of a directed edge traversal.
#[inline]
pub(crate) fn partial(ms: u32, cm: u32, fraction: f64) -> u64 {
    let f = fraction.clamp(0.0, 1.0);
    pack(
        (ms as f64 * f).round() as u64,
        (cm as f64 * f).round() as u64,
    )
}

/// `(seconds, metres)` of a packed weight, rounded to the nearest unit.
#[inline]
pub(crate) fn unpack_rounded(w: u64) -> (u32, u32) {
    let ms = w >> 32;
    let cm = w & 0xffff_ffff;
    (
        ((ms + 500) / 1000).min(u32::MAX as u64 - 1) as u32,
        ((cm + 50) / 100) as u32,
    )
}

/// The vertices a point leaves by, with the cost of getting there:
/// forward along its edge to the head, backward to the tail.
pub(crate) fn source_entries(g: &RoadGraph, p: &SnappedPoint) -> [(u32, u64); 2] {
    let e = g.edge(p.edge);
    let f = if e.forward() {
        (e.head, partial(e.forward_ms, e.length_cm, 1.0 - p.fraction))
    } else {
        (e.head, INF)
    };
    let b = if e.backward() {
        (e.tail, partial(e.backward_ms, e.length_cm, p.fraction))
    } else {
        (e.tail, INF)
    };
    [f, b]
}

/// The vertices a point is reached from, with the cost from there: from
/// the tail driving forward, from the head driving backward.
pub(crate) fn target_entries(g: &RoadGraph, p: &SnappedPoint) -> [(u32, u64); 2] {
    let e = g.edge(p.edge);
    let f = if e.forward() {
        (e.tail, partial(e.forward_ms, e.length_cm, p.fraction))
    } else {
        (e.tail, INF)
    };
    let b = if e.backward() {
        (
            e.head,
            partial(e.backward_ms, e.length_cm, 1.0 - p.fraction),
        )
    } else {
        (e.head, INF)
    };
    [f, b]
}

/// The cost of driving directly from `s` to `t` along their shared edge,
/// or [`INF`].
#[cfg(test)]
pub(crate) fn same_edge(g: &RoadGraph, s: &SnappedPoint, t: &SnappedPoint) -> u64 {
    if s.edge != t.edge {
        return INF;
    }
    let e = g.edge(s.edge);
    let mut best = INF;
    if s.fraction <= t.fraction && e.forward() {
        best = best.min(partial(e.forward_ms, e.length_cm, t.fraction - s.fraction));
    }
    if s.fraction >= t.fraction && e.backward() {
        best = best.min(partial(e.backward_ms, e.length_cm, s.fraction - t.fraction));
    }
    best
}

/// A dense travel matrix between points: durations in whole seconds,
/// distances in whole metres, row-major (`from * n + to`). Pairs with no
/// road path have no value: the accessors return `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TravelMatrix {
    n: usize,
    durations: Vec<u32>,
    distances: Vec<u32>,
}

/// A point with pairs it cannot reach or be reached from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct UnreachablePoint {
    /// The point's index.
    pub index: usize,
    /// How many points it cannot reach.
    pub cannot_reach: usize,
    /// How many points cannot reach it.
    pub unreachable_from: usize,
}

impl TravelMatrix {
    /// Builds a matrix from per-pair `(seconds, metres)` values (`None` for
    /// no path). For tests and other matrix sources.
    pub fn from_fn(
        n: usize,
        mut f: impl FnMut(usize, usize) -> Option<(u32, u32)>,
    ) -> TravelMatrix {
        let mut durations = Vec::with_capacity(n * n);
        let mut distances = Vec::with_capacity(n * n);
        for i in 0..n {
            for j in 0..n {
                match f(i, j) {
                    Some((s, m)) => {
                        durations.push(s.min(UNREACHABLE - 1));
                        distances.push(m.min(UNREACHABLE - 1));
                    }
                    None => {
                        durations.push(UNREACHABLE);
                        distances.push(UNREACHABLE);
                    }
                }
            }
        }
        TravelMatrix {
            n,
            durations,
            distances,
        }
    }

    /// The number of points (rows and columns).
    pub fn len(&self) -> usize {
        self.n
    }

    /// True for a matrix over no points.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Travel time from point `i` to point `j`, or `None` if no road path
    /// joins them.
    ///
    /// # Units
    /// Seconds.
    #[inline]
    pub fn duration(&self, i: usize, j: usize) -> Option<i64> {
        let v = self.durations[i * self.n + j];
        (v != UNREACHABLE).then_some(v as i64)
    }

    /// Travel distance (of the fastest path) from point `i` to point `j`,
    /// or `None` if no road path joins them.
    ///
    /// # Units
    /// Metres.
    #[inline]
    pub fn distance(&self, i: usize, j: usize) -> Option<i64> {
        let v = self.distances[i * self.n + j];
        (v != UNREACHABLE).then_some(v as i64)
    }

    /// Converts both matrices entry by entry, reusing their storage (no
    /// second copy of an n x n matrix is ever alive): `f(i, j, value)` maps
    /// the entry of pair `(i, j)`, `None` where no road path joins them.
    /// Returns `(durations, distances)`, row by row.
    ///
    /// # Units
    /// `value`: seconds for durations, metres for distances.
    pub fn into_rows(
        self,
        mut f: impl FnMut(usize, usize, Option<u32>) -> i32,
    ) -> (Vec<i32>, Vec<i32>) {
        let n = self.n.max(1);
        let mut convert = |v: Vec<u32>| -> Vec<i32> {
            v.into_iter()
                .enumerate()
                .map(|(k, x)| f(k / n, k % n, (x != UNREACHABLE).then_some(x)))
                .collect()
        };
        let durations = convert(self.durations);
        (durations, convert(self.distances))
    }

    /// The number of ordered pairs with no path.
    pub fn n_unreachable(&self) -> usize {
        self.durations.iter().filter(|&&d| d == UNREACHABLE).count()
    }

    /// Every ordered pair `(from, to)` with no path, row by row.
    pub fn unreachable_pairs(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let n = self.n;
        self.durations
            .iter()
            .enumerate()
            .filter(|(_, d)| **d == UNREACHABLE)
            .map(move |(k, _)| (k / n, k % n))
    }

    /// Every point involved in an unreachable pair, with its counts, in
    /// index order.
    pub fn unreachable_points(&self) -> Vec<UnreachablePoint> {
        let mut out: Vec<UnreachablePoint> = (0..self.n)
            .map(|index| UnreachablePoint {
                index,
                cannot_reach: 0,
                unreachable_from: 0,
            })
            .collect();
        for (i, j) in self.unreachable_pairs() {
            out[i].cannot_reach += 1;
            out[j].unreachable_from += 1;
        }
        out.retain(|p| p.cannot_reach + p.unreachable_from > 0);
        out
    }
}

/// The points the closures cut off: points in the main group of `open`
/// (the matrix without closures) that are not in the main group of
/// `closed` (the same points under closures), in index order. The main
/// group is the largest set of points that can all reach each other (ties go
/// to the group with the smallest index).
///
/// # Errors
/// [`Error::Invalid`] if the matrices have different sizes.
pub fn cut_off_points(open: &TravelMatrix, closed: &TravelMatrix) -> Result<Vec<usize>> {
    if open.len() != closed.len() {
        return Err(Error::Invalid(format!(
            "cannot compare matrices over {} and {} points",
            open.len(),
            closed.len()
        )));
    }
    let (a, b) = (open.main_group(), closed.main_group());
    Ok((0..open.len()).filter(|&i| a[i] && !b[i]).collect())
}

impl TravelMatrix {
    /// Marks the largest set of mutually reachable points.
    pub fn main_group(&self) -> Vec<bool> {
        let n = self.n;
        let mut group = vec![usize::MAX; n];
        let mut best = (0, usize::MAX);
        for i in 0..n {
            if group[i] != usize::MAX {
                continue;
            }
            let mut size = 0;
            for (j, g) in group.iter_mut().enumerate().skip(i) {
                // Mutual reachability is an equivalence relation, so the
                // group of i holds exactly the j that i reaches both ways.
                if *g == usize::MAX
                    && self.duration(i, j).is_some()
                    && self.duration(j, i).is_some()
                {
                    *g = i;
                    size += 1;
                }
            }
            if size > best.0 {
                best = (size, i);
            }
        }
        group.iter().map(|&g| g == best.1).collect()
    }
}

/// A road graph prepared for fast queries (a contraction hierarchy over it).
#[derive(Debug)]
pub struct Router<'g> {
    graph: &'g RoadGraph,
    ch: std::sync::Arc<ch::Ch>,
    /// The turn-expanded graph's index when the router is turn-aware.
    turns: Option<std::sync::Arc<turns::TurnIndex>>,
    prep_s: f64,
}

/// The contraction hierarchy of one road graph, shared: contract a graph
/// once with [`Router::new`], keep [`Router::hierarchy`], and build later
/// routers of the same graph with [`Router::with_hierarchy`] (cloning it
/// copies a pointer).
#[derive(Debug, Clone)]
pub struct Hierarchy {
    ch: std::sync::Arc<ch::Ch>,
    turns: Option<std::sync::Arc<turns::TurnIndex>>,
    /// Vertices of the graph it was built from.
    n: usize,
}

impl<'g> Router<'g> {
    /// Contracts `graph`. Takes about a second for a country the size of
    /// Malta; a graph with [`crate::graph::Closures`] applied needs its own
    /// router.
    pub fn new(graph: &'g RoadGraph) -> Router<'g> {
        let t = Instant::now();
        let arcs = graph.edges().iter().enumerate().flat_map(|(i, e)| {
            let f = e.forward().then(|| {
                (
                    e.tail,
                    e.head,
                    pack(e.forward_ms as u64, e.length_cm as u64),
                    i as u32,
                )
            });
            let b = e.backward().then(|| {
                (
                    e.head,
                    e.tail,
                    pack(e.backward_ms as u64, e.length_cm as u64),
                    i as u32,
                )
            });
            f.into_iter().chain(b)
        });
        let ch = ch::contract(graph.n_vertices(), arcs, ch::NODE_LIMITS);
        Router {
            graph,
            ch: std::sync::Arc::new(ch),
            turns: None,
            prep_s: t.elapsed().as_secs_f64(),
        }
    }

    /// A turn-aware router: contracts the turn-expanded graph of `graph`
    /// (one node per driving direction of a road edge, one arc per allowed
    /// turn, with the graph's restrictions and its turn model; see
    /// [`crate::graph::turns`]). Paths never take a forbidden turn or a
    /// U-turn the model forbids, and pay the turn costs.
    pub fn turn_aware(graph: &'g RoadGraph) -> Router<'g> {
        let t = Instant::now();
        let tg = crate::graph::turns::TurnGraph::build(graph);
        let (index, arcs) = turns::TurnIndex::new(graph, &tg);
        let ch = ch::contract(tg.n_nodes, arcs.into_iter(), ch::TURN_LIMITS);
        tracing::debug!(
            nodes = tg.stats.nodes,
            duplicates = tg.stats.duplicates,
            turns = tg.stats.turns,
            "turn-expanded graph contracted"
        );
        Router {
            graph,
            ch: std::sync::Arc::new(ch),
            turns: Some(std::sync::Arc::new(index)),
            prep_s: t.elapsed().as_secs_f64(),
        }
    }

    /// True for a router built by [`Router::turn_aware`].
    pub fn is_turn_aware(&self) -> bool {
        self.turns.is_some()
    }

    /// The counts of the turn-expanded graph, for a turn-aware router.
    pub fn turn_stats(&self) -> Option<&crate::graph::TurnStats> {
        self.turns.as_ref().map(|t| &t.stats)
    }

    /// A router over `graph` from the hierarchy another router built for
    /// the same graph, without contracting again (the graph with closures
    /// applied is another graph: it needs its own). A hierarchy of a graph
    /// of another size is not used: the graph is contracted anew.
    pub fn with_hierarchy(graph: &'g RoadGraph, h: &Hierarchy) -> Router<'g> {
        if h.n != graph.n_vertices() {
            return if h.turns.is_some() {
                Router::turn_aware(graph)
            } else {
                Router::new(graph)
            };
        }
        Router {
            graph,
            ch: h.ch.clone(),
            turns: h.turns.clone(),
            prep_s: 0.0,
        }
    }

    /// This router's hierarchy, to build more routers of the same graph.
    pub fn hierarchy(&self) -> Hierarchy {
        Hierarchy {
            ch: self.ch.clone(),
            turns: self.turns.clone(),
            n: self.graph.n_vertices(),
        }
    }

    /// The graph this router answers for.
    pub fn graph(&self) -> &'g RoadGraph {
        self.graph
    }

    /// How long the contraction took.
    ///
    /// # Units
    /// Seconds.
    pub fn prep_seconds(&self) -> f64 {
        self.prep_s
    }

    /// The number of arcs in the hierarchy (original arcs plus shortcuts).
    pub fn n_hierarchy_arcs(&self) -> usize {
        self.ch.up.len() + self.ch.down.len()
    }

    fn check_points(&self, points: &[SnappedPoint]) -> Result<()> {
        for (i, p) in points.iter().enumerate() {
            if p.edge as usize >= self.graph.n_edges() || !(0.0..=1.0).contains(&p.fraction) {
                return Err(Error::Invalid(format!(
                    "point {i} was not snapped on this graph (edge {}, fraction {})",
                    p.edge, p.fraction
                )));
            }
        }
        Ok(())
    }

    /// The travel matrix between `points` (snapped on this router's graph,
    /// or on the graph it was derived from with closures).
    ///
    /// # Errors
    /// [`Error::Invalid`] if a point names an edge the graph does not have.
    pub fn matrix(&self, points: &[SnappedPoint]) -> Result<TravelMatrix> {
        self.matrix_with(points, &vec![Approach::Either; points.len()])
    }

    /// The travel matrix between directed positions: point `i` is left and
    /// reached only in the directions `approaches[i]` allows (for a curb
    /// side stop, the direction that has the stop on the curb side).
    ///
    /// # Errors
    /// [`Error::Invalid`] if a point names an edge the graph does not have
    /// or the lists differ in length.
    pub fn matrix_with(
        &self,
        points: &[SnappedPoint],
        approaches: &[Approach],
    ) -> Result<TravelMatrix> {
        self.check_points(points)?;
        if approaches.len() != points.len() {
            return Err(Error::Invalid(format!(
                "{} approaches for {} points",
                approaches.len(),
                points.len()
            )));
        }
        let n = points.len();
        let mut durations = crate::model::filled_square(n, UNREACHABLE)?;
        let mut distances = crate::model::filled_square(n, UNREACHABLE)?;
        if n == 0 {
            return Ok(TravelMatrix {
                n,
                durations,
                distances,
            });
        }
        let buckets =
            query::Buckets::build(&self.ch, n, |j| self.targets(&points[j], approaches[j]).0);
        let mut same: std::collections::HashMap<u32, Vec<usize>> = Default::default();
        for (j, p) in points.iter().enumerate() {
            same.entry(p.edge).or_default().push(j);
        }
        durations
            .par_chunks_mut(n)
            .zip(distances.par_chunks_mut(n))
            .enumerate()
            .for_each_init(
                || (query::Search::new(self.ch.n()), vec![INF; n]),
                |(search, row), (i, (drow, mrow))| {
                    row.fill(INF);
                    let (entries, _) = self.sources(&points[i], approaches[i]);
                    search.upward(&self.ch, true, &entries);
                    buckets.scan(search, row);
                    for &j in &same[&points[i].edge] {
                        row[j] = row[j].min(turns::direct(
                            self.graph,
                            &points[i],
                            approaches[i],
                            &points[j],
                            approaches[j],
                        ));
                    }
                    row[i] = 0;
                    for j in 0..n {
                        if row[j] != INF {
                            let (s, m) = unpack_rounded(row[j]);
                            drow[j] = s;
                            mrow[j] = m;
                        }
                    }
                },
            );
        Ok(TravelMatrix {
            n,
            durations,
            distances,
        })
    }

    /// The forward search entries of a point, in rank ids, with what each
    /// stands for: the direction index (node-based; forbidden directions
    /// keep [`INF`], which the searches skip) or `(start arc, entered
    /// node)` (turn-aware).
    pub(crate) fn sources(&self, p: &SnappedPoint, a: Approach) -> turns::Entries {
        match &self.turns {
            None => self.node_entries(source_entries(self.graph, p), a),
            Some(t) => t.sources(self.graph, &self.ch, p, a),
        }
    }

    /// Node-based entries `[forward, backward]` in rank ids, the directions
    /// the approach forbids disabled.
    fn node_entries(&self, mut e: [(u32, u64); 2], a: Approach) -> turns::Entries {
        turns::filter_node_entries(&mut e, a);
        let ranked = e.iter().map(|&(v, w)| (self.ch.rank[v as usize], w));
        (ranked.collect(), Vec::new())
    }

    /// The backward search entries of a point, as [`Router::sources`].
    pub(crate) fn targets(&self, p: &SnappedPoint, a: Approach) -> turns::Entries {
        match &self.turns {
            None => self.node_entries(target_entries(self.graph, p), a),
            Some(t) => t.targets(self.graph, &self.ch, p, a),
        }
    }
}

#[cfg(test)]
mod tests;
