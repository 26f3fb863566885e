//! Test oracle: a plain Dijkstra on the road graph, with the same start and
//! end rules as the router.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::{INF, pack, same_edge, source_entries, target_entries};
use crate::graph::{RoadGraph, SnappedPoint};

/// Packed weights of the fastest paths between every pair, `INF` if none;
/// 0 on the diagonal.
pub(crate) fn matrix(g: &RoadGraph, points: &[SnappedPoint]) -> Vec<u64> {
    let n = g.n_vertices();
    let mut adj: Vec<Vec<(u32, u64)>> = vec![Vec::new(); n];
    for e in g.edges() {
        if e.forward() {
            adj[e.tail as usize].push((e.head, pack(e.forward_ms as u64, e.length_cm as u64)));
        }
        if e.backward() {
            adj[e.head as usize].push((e.tail, pack(e.backward_ms as u64, e.length_cm as u64)));
        }
    }
    let k = points.len();
    let mut out = vec![INF; k * k];
    for (i, s) in points.iter().enumerate() {
        let mut dist = vec![INF; n];
        let mut heap = BinaryHeap::new();
        for (v, w) in source_entries(g, s) {
            if w < dist[v as usize] {
                dist[v as usize] = w;
                heap.push(Reverse((w, v)));
            }
        }
        while let Some(Reverse((d, v))) = heap.pop() {
            if d > dist[v as usize] {
                continue;
            }
            for &(x, w) in &adj[v as usize] {
                let nd = d.saturating_add(w);
                if nd < dist[x as usize] {
                    dist[x as usize] = nd;
                    heap.push(Reverse((nd, x)));
                }
            }
        }
        for (j, t) in points.iter().enumerate() {
            let mut best = same_edge(g, s, t);
            for (v, w) in target_entries(g, t) {
                if w != INF && dist[v as usize] != INF {
                    best = best.min(dist[v as usize].saturating_add(w));
                }
            }
            out[i * k + j] = if i == j { 0 } else { best };
        }
    }
    out
}
