//! Upward searches in the hierarchy and the bucket many-to-many algorithm.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use super::INF;
use super::ch::Ch;

/// A per-thread search workspace: distances with generation stamps (O(1)
/// reset), a heap, the settled vertices and their parents.
pub(crate) struct Search {
    dist: Vec<u64>,
    stamp: Vec<u32>,
    /// `(previous rank, arc data)`; `prev == u32::MAX` for a start entry,
    /// whose index is in `data`.
    parent: Vec<(u32, u32)>,
    generation: u32,
    heap: BinaryHeap<Reverse<(u64, u32)>>,
    /// Settled, not stalled vertices with their distance, in settling order.
    pub settled: Vec<(u32, u64)>,
}

impl Search {
    pub(crate) fn new(n: usize) -> Search {
        Search {
            dist: vec![0; n],
            stamp: vec![0; n],
            parent: vec![(0, 0); n],
            generation: 0,
            heap: BinaryHeap::new(),
            settled: Vec::new(),
        }
    }

    #[inline]
    pub(crate) fn get(&self, v: u32) -> u64 {
        if self.stamp[v as usize] == self.generation {
            self.dist[v as usize]
        } else {
            INF
        }
    }

    #[inline]
    pub(crate) fn parent(&self, v: u32) -> (u32, u32) {
        self.parent[v as usize]
    }

    fn reset(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.fill(0);
            self.generation = 1;
        }
        self.heap.clear();
        self.settled.clear();
    }

    /// Searches upward from `entries` (rank, start cost): forward over `up`
    /// arcs when `forward`, else backward over `down` arcs. Vertices are
    /// stalled on demand (a vertex reached more cheaply from above through
    /// an arc of the other direction is neither expanded nor reported).
    pub(crate) fn upward(&mut self, ch: &Ch, forward: bool, entries: &[(u32, u64)]) {
        self.upward_with(ch, forward, entries, true);
    }

    /// [`Search::upward`] with stalling optional (paths need every parent).
    pub(crate) fn upward_with(
        &mut self,
        ch: &Ch,
        forward: bool,
        entries: &[(u32, u64)],
        stall: bool,
    ) {
        self.reset();
        for (k, &(v, d)) in entries.iter().enumerate() {
            if d < self.get(v) {
                self.dist[v as usize] = d;
                self.stamp[v as usize] = self.generation;
                self.parent[v as usize] = (u32::MAX, k as u32);
                self.heap.push(Reverse((d, v)));
            }
        }
        while let Some(Reverse((d, v))) = self.heap.pop() {
            if d > self.get(v) {
                continue;
            }
            let (relax, other) = if forward {
                (ch.up_arcs(v), ch.down_arcs(v))
            } else {
                (ch.down_arcs(v), ch.up_arcs(v))
            };
            if stall
                && other
                    .iter()
                    .any(|a| self.get(a.other).saturating_add(a.weight) < d)
            {
                continue;
            }
            self.settled.push((v, d));
            for a in relax {
                let nd = d.saturating_add(a.weight);
                if nd < self.get(a.other) {
                    self.dist[a.other as usize] = nd;
                    self.stamp[a.other as usize] = self.generation;
                    self.parent[a.other as usize] = (v, a.data);
                    self.heap.push(Reverse((nd, a.other)));
                }
            }
        }
    }
}

/// Buckets of the backward searches: for each rank, the targets whose
/// backward search settled it, with the distance to the target.
pub(crate) struct Buckets {
    first: Vec<u32>,
    entries: Vec<(u32, u64)>,
}

impl Buckets {
    /// Runs the backward search of each of `n` targets from `entries(j)`
    /// (rank, cost) and files what it settled.
    pub(crate) fn build(
        ch: &Ch,
        n: usize,
        entries: impl Fn(usize) -> Vec<(u32, u64)> + Sync,
    ) -> Buckets {
        let spaces: Vec<Vec<(u32, u64)>> = (0..n)
            .into_par_iter()
            .map_init(
                || Search::new(ch.n()),
                |search, j| {
                    search.upward(ch, false, &entries(j));
                    search.settled.clone()
                },
            )
            .collect();
        let mut first = vec![0u32; ch.n() + 1];
        for s in &spaces {
            for &(v, _) in s {
                first[v as usize + 1] += 1;
            }
        }
        for i in 0..ch.n() {
            first[i + 1] += first[i];
        }
        let mut fill = first.clone();
        let mut entries = vec![(0u32, 0u64); first[ch.n()] as usize];
        for (j, s) in spaces.iter().enumerate() {
            for &(v, d) in s {
                let k = &mut fill[v as usize];
                entries[*k as usize] = (j as u32, d);
                *k += 1;
            }
        }
        Buckets { first, entries }
    }

    /// Lowers `row[j]` to the best meeting over the settled vertices of a
    /// forward search.
    #[inline]
    pub(crate) fn scan(&self, search: &Search, row: &mut [u64]) {
        for &(v, d) in &search.settled {
            let b =
                &self.entries[self.first[v as usize] as usize..self.first[v as usize + 1] as usize];
            for &(j, d2) in b {
                let c = d.saturating_add(d2);
                let r = &mut row[j as usize];
                if c < *r {
                    *r = c;
                }
            }
        }
    }
}
