//! One leg between two snapped points, with its road-following geometry.

use rayon::prelude::*;

use super::ch::SHORTCUT;
use super::query::Search;
use super::{Approach, INF, Router, turns, unpack_rounded};
use crate::graph::turns::{arc_edge, arc_forward};
use crate::graph::{EdgeId, SnappedPoint};

/// A position on the roads and the directions it is left and reached in.
pub type DirectedPoint = (SnappedPoint, Approach);

/// A leg: the fastest road path between two points.
#[derive(Debug, Clone, PartialEq)]
pub struct Leg {
    /// Travel time, rounded as in the matrix.
    ///
    /// # Units
    /// Seconds.
    pub duration_s: i64,
    /// Travel distance, rounded as in the matrix.
    ///
    /// # Units
    /// Metres.
    pub distance_m: i64,
    /// The road edges driven, in order, with `true` for tail-to-head.
    /// The first and last may be driven only in part.
    pub edges: Vec<(EdgeId, bool)>,
    /// The path as `(lon, lat)` points from the start position to the end
    /// position.
    ///
    /// # Units
    /// Degrees.
    pub geometry: Vec<(f64, f64)>,
}

impl Router<'_> {
    /// The fastest leg from `from` to `to`, or `None` if no road path joins
    /// them. Its duration and distance equal the matrix entry.
    pub fn route(&self, from: &SnappedPoint, to: &SnappedPoint) -> Option<Leg> {
        self.route_directed(from, Approach::Either, to, Approach::Either)
    }

    /// The fastest leg leaving `from` and reaching `to` in the directions
    /// their approaches allow, as [`Router::matrix_with`] prices it.
    pub fn route_directed(
        &self,
        from: &SnappedPoint,
        from_approach: Approach,
        to: &SnappedPoint,
        to_approach: Approach,
    ) -> Option<Leg> {
        let n = self.ch.n();
        self.route_with(
            &mut Search::new(n),
            &mut Search::new(n),
            (from, from_approach),
            (to, to_approach),
        )
    }

    /// The legs of many `(from, to)` pairs, in parallel with one pair of
    /// search workspaces per thread; `None` where no road path exists.
    pub fn routes(&self, pairs: &[(SnappedPoint, SnappedPoint)]) -> Vec<Option<Leg>> {
        let n = self.ch.n();
        pairs
            .par_iter()
            .map_init(
                || (Search::new(n), Search::new(n)),
                |(f, b), (from, to)| {
                    self.route_with(f, b, (from, Approach::Either), (to, Approach::Either))
                },
            )
            .collect()
    }

    /// The legs of many pairs of directed positions `((from, approach),
    /// (to, approach))`, each as [`Router::route_directed`] finds it, in
    /// parallel; `None` where no road path exists.
    pub fn routes_directed(&self, pairs: &[(DirectedPoint, DirectedPoint)]) -> Vec<Option<Leg>> {
        let n = self.ch.n();
        pairs
            .par_iter()
            .map_init(
                || (Search::new(n), Search::new(n)),
                |(f, b), ((from, fa), (to, ta))| self.route_with(f, b, (from, *fa), (to, *ta)),
            )
            .collect()
    }

    fn route_with(
        &self,
        fwd: &mut Search,
        bwd: &mut Search,
        (from, fa): (&SnappedPoint, Approach),
        (to, ta): (&SnappedPoint, Approach),
    ) -> Option<Leg> {
        let g = self.graph;
        let ch = &self.ch;
        if from.edge as usize >= g.n_edges() || to.edge as usize >= g.n_edges() {
            return None;
        }
        let direct = turns::direct(g, from, fa, to, ta);
        // Driving the shared edge forward when the two points coincide.
        let same_forward = fa.allows(true) && ta.allows(true);
        if from == to && (direct == 0 || (fa, ta) == (Approach::Either, Approach::Either)) {
            return Some(Leg {
                duration_s: 0,
                distance_m: 0,
                edges: vec![(from.edge, same_forward)],
                geometry: vec![(from.lon, from.lat)],
            });
        }
        // Node-based: entry k of the start lists is direction k (0 forward,
        // 1 backward); forbidden ones carry INF and are skipped by the
        // search. Turn-aware: `src_what[k]` / `tgt_what[k]` say what entry
        // k is.
        let (src_r, src_what) = self.sources(from, fa);
        let (tgt_r, tgt_what) = self.targets(to, ta);
        fwd.upward_with(ch, true, &src_r, false);
        bwd.upward_with(ch, false, &tgt_r, false);
        let mut best = (direct, None);
        for &(v, d) in &fwd.settled {
            let db = bwd.get(v);
            if db != INF && d.saturating_add(db) < best.0 {
                best = (d.saturating_add(db), Some(v));
            }
        }
        if best.0 == INF {
            return None;
        }
        let (s, m) = unpack_rounded(best.0);
        let (duration_s, distance_m) = (s as i64, m as i64);
        let mut geometry = Vec::new();
        let mut edges = Vec::new();
        let Some(meet) = best.1 else {
            g.push_edge_polyline(from.edge, from.fraction, to.fraction, &mut geometry);
            let forward = if from.fraction == to.fraction {
                same_forward
            } else {
                from.fraction < to.fraction
            };
            edges.push((from.edge, forward));
            return Some(Leg {
                duration_s,
                distance_m,
                edges,
                geometry,
            });
        };
        // Forward half: walk parents back to the start entry.
        let mut arcs_fwd = Vec::new();
        let mut v = meet;
        let start_dir = loop {
            let (p, data) = fwd.parent(v);
            if p == u32::MAX {
                break data;
            }
            arcs_fwd.push((p, v, data));
            v = p;
        };
        arcs_fwd.reverse();
        // Backward half: parents point towards the target.
        let mut arcs_bwd = Vec::new();
        let mut v = meet;
        let end_dir = loop {
            let (p, data) = bwd.parent(v);
            if p == u32::MAX {
                break data;
            }
            arcs_bwd.push((v, p, data));
            v = p;
        };
        let mut raw = Vec::new();
        for &(a, b, data) in arcs_fwd.iter().chain(arcs_bwd.iter()) {
            self.unpack(a, b, data, &mut raw);
        }
        let (start_forward, end_forward, path): (bool, bool, Vec<(EdgeId, bool)>) =
            match &self.turns {
                None => (
                    start_dir == 0,
                    end_dir == 0,
                    raw.iter()
                        .map(|&(a, data)| (data, g.edge(data).tail == ch.order[a as usize]))
                        .collect(),
                ),
                Some(t) => {
                    // The arcs entered: the start entry's node, then the
                    // head of every turn, the last being the target's arc.
                    let (d_start, first) = src_what[start_dir as usize];
                    let nodes: Vec<u32> = std::iter::once(first)
                        .chain(raw.iter().map(|&(_, data)| data))
                        .collect();
                    let full = nodes[..nodes.len() - 1].iter().map(|&x| {
                        let a = t.base(x);
                        (arc_edge(a), arc_forward(a))
                    });
                    let d_end = tgt_what[end_dir as usize].0;
                    (arc_forward(d_start), arc_forward(d_end), full.collect())
                }
            };
        // Start: along the source edge to its head (forward) or tail.
        edges.push((from.edge, start_forward));
        let start_to = if start_forward { 1.0 } else { 0.0 };
        g.push_edge_polyline(from.edge, from.fraction, start_to, &mut geometry);
        for &(e, forward) in &path {
            edges.push((e, forward));
            let (a, b) = if forward { (0.0, 1.0) } else { (1.0, 0.0) };
            g.push_edge_polyline(e, a, b, &mut geometry);
        }
        // End: from the target edge's tail (forward) or head.
        edges.push((to.edge, end_forward));
        let end_from = if end_forward { 0.0 } else { 1.0 };
        g.push_edge_polyline(to.edge, end_from, to.fraction, &mut geometry);
        Some(Leg {
            duration_s,
            distance_m,
            edges,
            geometry,
        })
    }

    /// Appends the original arcs of hierarchy arc `a -> b` (ranks) to
    /// `out`, in order, as `(tail rank, data)`: data is the road edge
    /// (node-based) or the node entered (turn-aware).
    fn unpack(&self, a: u32, b: u32, data: u32, out: &mut Vec<(u32, u32)>) {
        let ch = &self.ch;
        let mut stack = vec![(a, b, data)];
        while let Some((a, b, data)) = stack.pop() {
            if data & SHORTCUT == 0 {
                out.push((a, data));
                continue;
            }
            let m = data & !SHORTCUT;
            // a -> m is stored at m among the downward arcs, m -> b among
            // the upward ones; the lightest is the one the shortcut used.
            let first = ch
                .down_arcs(m)
                .iter()
                .filter(|x| x.other == a)
                .min_by_key(|x| x.weight)
                .expect("a shortcut's first half exists");
            let second = ch
                .up_arcs(m)
                .iter()
                .filter(|x| x.other == b)
                .min_by_key(|x| x.weight)
                .expect("a shortcut's second half exists");
            // Push the second half first so the first half pops first.
            stack.push((m, b, second.data));
            stack.push((a, m, first.data));
        }
    }
}
