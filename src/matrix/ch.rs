//! Contraction hierarchies (Geisberger, Sanders, Schultes & Delling, 2008,
//! "Contraction Hierarchies: Faster and Simpler Hierarchical Routing in Road
//! Networks", WEA 2008).
//!
//! Vertices are contracted one by one in the order of a lazily updated
//! priority (edge difference, contracted neighbours, hierarchy depth). When
//! a vertex `v` is removed, a shortcut `u -> w` replaces `u -> v -> w` unless
//! a bounded witness search finds a path from `u` to `w` avoiding `v` that is
//! no longer. The result is two upward graphs, indexed by rank: `up` holds
//! the arcs `r -> s` with `s` above `r`, `down` the arcs `s -> r` with `s`
//! above `r` (stored at `r`). Shortcuts remember their middle vertex, so
//! paths unpack to original arcs.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Marks `data` as a shortcut (the rest is the middle vertex's rank);
/// otherwise `data` is the road edge id.
pub(crate) const SHORTCUT: u32 = 1 << 31;

/// How far witness searches go.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Witness searches stop after settling this many vertices.
    pub witness: usize,
    /// The same limit while only estimating a priority.
    pub simulate: usize,
}

/// The limits of the turn-expanded graph: its witness searches rarely find
/// a witness (a turn leads to few alternatives), so long searches mostly
/// waste time; on Malta these limits contract in half the time for 1 %
/// more shortcuts, with the same query times.
pub(crate) const TURN_LIMITS: Limits = Limits {
    witness: 100,
    simulate: 10,
};

/// The limits of the node-based road graph.
pub(crate) const NODE_LIMITS: Limits = Limits {
    witness: 400,
    simulate: 60,
};

/// An arc of the hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChArc {
    /// The other end, as a rank.
    pub other: u32,
    /// Packed weight (see [`super::pack`]).
    pub weight: u64,
    /// Road edge id, or [`SHORTCUT`] | middle rank.
    pub data: u32,
}

/// A contracted graph, vertices renumbered by rank.
#[derive(Debug, Clone)]
pub(crate) struct Ch {
    /// Rank of each graph vertex.
    pub rank: Vec<u32>,
    /// Graph vertex of each rank.
    pub order: Vec<u32>,
    pub up_first: Vec<u32>,
    pub up: Vec<ChArc>,
    pub down_first: Vec<u32>,
    pub down: Vec<ChArc>,
}

impl Ch {
    pub(crate) fn n(&self) -> usize {
        self.rank.len()
    }

    #[inline]
    pub(crate) fn up_arcs(&self, r: u32) -> &[ChArc] {
        &self.up[self.up_first[r as usize] as usize..self.up_first[r as usize + 1] as usize]
    }

    #[inline]
    pub(crate) fn down_arcs(&self, r: u32) -> &[ChArc] {
        &self.down[self.down_first[r as usize] as usize..self.down_first[r as usize + 1] as usize]
    }
}

#[derive(Debug, Clone, Copy)]
struct PArc {
    other: u32,
    w: u64,
    data: u32,
}

/// Bounded Dijkstra for witness searches, with O(1) reset.
struct Witness {
    dist: Vec<u64>,
    stamp: Vec<u32>,
    /// `generation` on the vertices the current search must settle.
    target: Vec<u32>,
    generation: u32,
    heap: BinaryHeap<Reverse<(u64, u32)>>,
}

impl Witness {
    fn new(n: usize) -> Witness {
        Witness {
            dist: vec![0; n],
            stamp: vec![0; n],
            target: vec![0; n],
            generation: 0,
            heap: BinaryHeap::new(),
        }
    }

    #[inline]
    fn get(&self, v: u32) -> u64 {
        if self.stamp[v as usize] == self.generation {
            self.dist[v as usize]
        } else {
            u64::MAX
        }
    }

    /// A bounded search from `src` avoiding `avoid`; it ends early once
    /// every vertex in `targets` is settled (their distances are final
    /// then, so the shortcuts decided from them are the same).
    fn run(
        &mut self,
        out: &[Vec<PArc>],
        src: u32,
        avoid: u32,
        targets: impl Iterator<Item = u32>,
        limit: u64,
        max_settled: usize,
    ) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.fill(0);
            self.target.fill(0);
            self.generation = 1;
        }
        let mut remaining = 0usize;
        for t in targets {
            if self.target[t as usize] != self.generation {
                self.target[t as usize] = self.generation;
                remaining += 1;
            }
        }
        self.heap.clear();
        self.dist[src as usize] = 0;
        self.stamp[src as usize] = self.generation;
        self.heap.push(Reverse((0, src)));
        let mut settled = 0;
        while let Some(Reverse((d, v))) = self.heap.pop() {
            if d > self.get(v) {
                continue;
            }
            if d > limit || settled >= max_settled {
                break;
            }
            settled += 1;
            if self.target[v as usize] == self.generation {
                remaining -= 1;
                if remaining == 0 {
                    break;
                }
            }
            for a in &out[v as usize] {
                if a.other == avoid {
                    continue;
                }
                let nd = d.saturating_add(a.w);
                if nd < self.get(a.other) {
                    self.dist[a.other as usize] = nd;
                    self.stamp[a.other as usize] = self.generation;
                    self.heap.push(Reverse((nd, a.other)));
                }
            }
        }
    }
}

struct Contractor {
    limits: Limits,
    out: Vec<Vec<PArc>>,
    inc: Vec<Vec<PArc>>,
    witness: Witness,
    shortcuts: Vec<(u32, u32, u64)>,
}

impl Contractor {
    /// Adds `u -> x` or lowers its weight.
    fn add_arc(&mut self, u: u32, x: u32, w: u64, data: u32) {
        if let Some(a) = self.out[u as usize].iter_mut().find(|a| a.other == x) {
            if w < a.w {
                a.w = w;
                a.data = data;
                let b = self.inc[x as usize]
                    .iter_mut()
                    .find(|b| b.other == u)
                    .expect("in and out lists agree");
                b.w = w;
                b.data = data;
            }
            return;
        }
        self.out[u as usize].push(PArc { other: x, w, data });
        self.inc[x as usize].push(PArc { other: u, w, data });
    }

    /// Fills `self.shortcuts` with the shortcuts contracting `v` needs.
    fn find_shortcuts(&mut self, v: u32, max_settled: usize) {
        self.shortcuts.clear();
        let v_out = &self.out[v as usize];
        for a in &self.inc[v as usize] {
            let u = a.other;
            let max_out = v_out.iter().filter(|b| b.other != u).map(|b| b.w).max();
            let Some(max_out) = max_out else { continue };
            let targets = v_out.iter().filter(|b| b.other != u).map(|b| b.other);
            self.witness.run(
                &self.out,
                u,
                v,
                targets,
                a.w.saturating_add(max_out),
                max_settled,
            );
            for b in v_out {
                if b.other == u {
                    continue;
                }
                let via = a.w.saturating_add(b.w);
                if self.witness.get(b.other) > via {
                    self.shortcuts.push((u, b.other, via));
                }
            }
        }
    }

    fn priority(&mut self, v: u32, deleted: u32, level: u32) -> i64 {
        self.find_shortcuts(v, self.limits.simulate);
        let degree = (self.out[v as usize].len() + self.inc[v as usize].len()) as i64;
        2 * (self.shortcuts.len() as i64 - degree) + deleted as i64 + level as i64
    }
}

/// Contracts the graph on `n` vertices with `arcs` `(tail, head, packed
/// weight, edge id)`. Parallel arcs keep the lightest; loops are ignored.
pub(crate) fn contract(
    n: usize,
    arcs: impl Iterator<Item = (u32, u32, u64, u32)>,
    limits: Limits,
) -> Ch {
    let mut c = Contractor {
        limits,
        out: vec![Vec::new(); n],
        inc: vec![Vec::new(); n],
        witness: Witness::new(n),
        shortcuts: Vec::new(),
    };
    for (t, h, w, e) in arcs {
        if t != h {
            c.add_arc(t, h, w, e);
        }
    }
    let mut deleted = vec![0u32; n];
    let mut level = vec![0u32; n];
    let mut prio = vec![0i64; n];
    let mut contracted = vec![false; n];
    let mut heap = BinaryHeap::with_capacity(n);
    for v in 0..n as u32 {
        prio[v as usize] = c.priority(v, 0, 0);
        heap.push(Reverse((prio[v as usize], v)));
    }
    let mut order = Vec::with_capacity(n);
    // Arcs recorded at contraction time, in graph vertex ids.
    let mut up_rec: Vec<Vec<PArc>> = vec![Vec::new(); n];
    let mut down_rec: Vec<Vec<PArc>> = vec![Vec::new(); n];
    let mut neighbours = Vec::new();
    while let Some(Reverse((p, v))) = heap.pop() {
        let vi = v as usize;
        if contracted[vi] || p != prio[vi] {
            continue;
        }
        let np = c.priority(v, deleted[vi], level[vi]);
        if let Some(Reverse((top, _))) = heap.peek()
            && np > *top
        {
            prio[vi] = np;
            heap.push(Reverse((np, v)));
            continue;
        }
        // Contract v.
        c.find_shortcuts(v, c.limits.witness);
        let shortcuts = std::mem::take(&mut c.shortcuts);
        for &(u, x, w) in &shortcuts {
            c.add_arc(u, x, w, SHORTCUT | v);
        }
        c.shortcuts = shortcuts;
        let out_v = std::mem::take(&mut c.out[vi]);
        let inc_v = std::mem::take(&mut c.inc[vi]);
        neighbours.clear();
        for a in &out_v {
            c.inc[a.other as usize].retain(|b| b.other != v);
            neighbours.push(a.other);
        }
        for a in &inc_v {
            c.out[a.other as usize].retain(|b| b.other != v);
            neighbours.push(a.other);
        }
        up_rec[vi] = out_v;
        down_rec[vi] = inc_v;
        contracted[vi] = true;
        order.push(v);
        neighbours.sort_unstable();
        neighbours.dedup();
        for &u in &neighbours {
            let ui = u as usize;
            deleted[ui] += 1;
            level[ui] = level[ui].max(level[vi] + 1);
            prio[ui] = c.priority(u, deleted[ui], level[ui]);
            heap.push(Reverse((prio[ui], u)));
        }
    }
    let mut rank = vec![0u32; n];
    for (r, &v) in order.iter().enumerate() {
        rank[v as usize] = r as u32;
    }
    let to_ch = |a: &PArc| ChArc {
        other: rank[a.other as usize],
        weight: a.w,
        data: if a.data & SHORTCUT != 0 {
            SHORTCUT | rank[(a.data & !SHORTCUT) as usize]
        } else {
            a.data
        },
    };
    let csr = |rec: &[Vec<PArc>]| {
        let mut first = Vec::with_capacity(n + 1);
        let mut arcs = Vec::new();
        first.push(0u32);
        for &v in &order {
            arcs.extend(rec[v as usize].iter().map(to_ch));
            first.push(arcs.len() as u32);
        }
        (first, arcs)
    };
    let (up_first, up) = csr(&up_rec);
    let (down_first, down) = csr(&down_rec);
    Ch {
        rank,
        order,
        up_first,
        up,
        down_first,
        down,
    }
}
