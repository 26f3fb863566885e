//! The turn-aware router's side of the turn-expanded graph: the arcs given
//! to the contraction, and where a snapped point enters and leaves it.
//!
//! A node of the turn-expanded graph is a driving direction of a road edge
//! (an *arc*) or a duplicate of one (see [`crate::graph::turns`]); a search
//! label at a node is the cost of *entering* that arc at its tail, the turn
//! into it paid. A turn `x -> y` weighs all of `x` plus the turn cost. So a
//! point on arc `d` at distance fraction `p` along it is a source with
//! entries at the arcs its turns lead to (`(1 - p)` of `d` plus the turn),
//! and a target at `d` and each duplicate of `d` (`p` of `d`): every entry
//! is non-negative, and a target behind the source on the same arc is
//! reached only by driving round (OSRM seeds with negative offsets and
//! keeps self-loops in the hierarchy for that case,
//! `Project-OSRM/osrm-backend src/contractor/graph_contractor.cpp`).

use super::ch::Ch;
use super::{INF, pack, partial};
use crate::graph::turns::{TurnGraph, arc_edge, arc_forward, arc_of};
use crate::graph::{RoadGraph, Side, SnappedPoint, TurnStats};

/// The directions in which a point may be left and reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Approach {
    /// Either direction of the point's edge, chosen per trip (the arrival
    /// and the departure are independent).
    #[default]
    Either,
    /// Only driving the edge from its tail to its head.
    Forward,
    /// Only driving the edge from its head to its tail.
    Backward,
}

impl Approach {
    /// The approach that has a stop on the curb side: the input point
    /// `(lat, lon)` that `p` was snapped from must lie on the side traffic
    /// keeps to (right, or left under the graph's `left_hand_traffic`).
    /// `Either` on a one-way edge (one direction only anyway) and for a
    /// point on the centre line.
    ///
    /// # Units
    /// Degrees.
    pub fn curb(g: &RoadGraph, input: (f64, f64), p: &SnappedPoint) -> Approach {
        let e = g.edge(p.edge);
        if !(e.forward() && e.backward()) {
            return Approach::Either;
        }
        let keep_left = g.turn_data().model.left_hand_traffic;
        match (g.side_of(input, p), keep_left) {
            (Side::On, _) => Approach::Either,
            (Side::Right, false) | (Side::Left, true) => Approach::Forward,
            (Side::Left, false) | (Side::Right, true) => Approach::Backward,
        }
    }

    /// True if driving the point's edge forward (`true`) or backward is
    /// allowed.
    #[inline]
    pub fn allows(self, forward: bool) -> bool {
        match self {
            Approach::Either => true,
            Approach::Forward => forward,
            Approach::Backward => !forward,
        }
    }
}

/// Search entries `(rank, cost)` and, for a turn-aware router, what each
/// entry stands for: `(arc of the point, node entered)`.
pub(crate) type Entries = (Vec<(u32, u64)>, Vec<(u32, u32)>);

/// Disables the node-based entries (`[forward, backward]`) an approach
/// forbids.
pub(crate) fn filter_node_entries(e: &mut [(u32, u64); 2], a: Approach) {
    if !a.allows(true) {
        e[0].1 = INF;
    }
    if !a.allows(false) {
        e[1].1 = INF;
    }
}

/// The cost of driving from `s` to `t` along their shared edge without
/// turning, in a direction both approaches allow, or [`INF`].
pub(crate) fn direct(
    g: &RoadGraph,
    s: &SnappedPoint,
    sa: Approach,
    t: &SnappedPoint,
    ta: Approach,
) -> u64 {
    if s.edge != t.edge {
        return INF;
    }
    let e = g.edge(s.edge);
    let mut best = INF;
    if s.fraction <= t.fraction && e.forward() && sa.allows(true) && ta.allows(true) {
        best = best.min(partial(e.forward_ms, e.length_cm, t.fraction - s.fraction));
    }
    if s.fraction >= t.fraction && e.backward() && sa.allows(false) && ta.allows(false) {
        best = best.min(partial(e.backward_ms, e.length_cm, s.fraction - t.fraction));
    }
    best
}

/// Travel time and length of arc `a`.
#[inline]
pub(crate) fn arc_cost(g: &RoadGraph, a: u32) -> (u32, u32) {
    let e = g.edge(arc_edge(a));
    let ms = if arc_forward(a) {
        e.forward_ms
    } else {
        e.backward_ms
    };
    (ms, e.length_cm)
}

/// Where points enter and leave the turn-expanded graph.
#[derive(Debug)]
pub(crate) struct TurnIndex {
    /// Arc nodes (`2 * edges`); duplicates follow.
    pub n_arcs: u32,
    /// The arc each duplicate copies.
    pub dup_base: Vec<u32>,
    /// Duplicates of each arc, CSR.
    dup_first: Vec<u32>,
    dups: Vec<u32>,
    /// Turns out of each arc node `(to node, turn cost ms)`, CSR.
    succ_first: Vec<u32>,
    succ: Vec<(u32, u32)>,
    /// The counts of the expanded graph.
    pub stats: TurnStats,
}

impl TurnIndex {
    /// The index and the arcs `(from, to, packed weight, to node)` to
    /// contract.
    pub(crate) fn new(g: &RoadGraph, tg: &TurnGraph) -> (TurnIndex, Vec<(u32, u32, u64, u32)>) {
        let n_arcs = 2 * g.n_edges() as u32;
        let mut dup_first = vec![0u32; n_arcs as usize + 1];
        for &b in &tg.dup_base {
            dup_first[b as usize + 1] += 1;
        }
        for a in 0..n_arcs as usize {
            dup_first[a + 1] += dup_first[a];
        }
        let mut fill = dup_first.clone();
        let mut dups = vec![0u32; tg.dup_base.len()];
        for (k, &b) in tg.dup_base.iter().enumerate() {
            dups[fill[b as usize] as usize] = n_arcs + k as u32;
            fill[b as usize] += 1;
        }
        let mut succ_first = vec![0u32; n_arcs as usize + 1];
        let mut succ = Vec::new();
        let mut arcs = Vec::with_capacity(tg.turns.len());
        let mut at = 0usize;
        for x in 0..n_arcs {
            while at < tg.turns.len() && tg.turns[at].0 == x {
                succ.push((tg.turns[at].1, tg.turns[at].2));
                at += 1;
            }
            succ_first[x as usize + 1] = succ.len() as u32;
        }
        for &(x, y, cost) in &tg.turns {
            let (ms, cm) = arc_cost(g, tg.base(x));
            arcs.push((x, y, pack(ms as u64 + cost as u64, cm as u64), y));
        }
        (
            TurnIndex {
                n_arcs,
                dup_base: tg.dup_base.clone(),
                dup_first,
                dups,
                succ_first,
                succ,
                stats: tg.stats.clone(),
            },
            arcs,
        )
    }

    /// The arc a node drives.
    #[inline]
    pub(crate) fn base(&self, node: u32) -> u32 {
        if node < self.n_arcs {
            node
        } else {
            self.dup_base[(node - self.n_arcs) as usize]
        }
    }

    /// The arcs of the point's edge the approach allows and the edge's
    /// directions permit, with the fraction of each still ahead of the
    /// point and the fraction behind it.
    fn arcs_of(g: &RoadGraph, p: &SnappedPoint, a: Approach) -> impl Iterator<Item = (u32, f64)> {
        let e = g.edge(p.edge);
        let f = (e.forward() && a.allows(true)).then_some((arc_of(p.edge, true), p.fraction));
        let b =
            (e.backward() && a.allows(false)).then_some((arc_of(p.edge, false), 1.0 - p.fraction));
        f.into_iter().chain(b)
    }

    /// Forward search entries: the nodes the point's arcs turn into.
    pub(crate) fn sources(&self, g: &RoadGraph, ch: &Ch, p: &SnappedPoint, a: Approach) -> Entries {
        let mut e = Vec::new();
        let mut what = Vec::new();
        for (d, behind) in Self::arcs_of(g, p, a) {
            let (ms, cm) = arc_cost(g, d);
            let rest = partial(ms, cm, 1.0 - behind);
            let (lo, hi) = (self.succ_first[d as usize], self.succ_first[d as usize + 1]);
            for &(y, cost) in &self.succ[lo as usize..hi as usize] {
                e.push((
                    ch.rank[y as usize],
                    rest.saturating_add(pack(cost as u64, 0)),
                ));
                what.push((d, y));
            }
        }
        (e, what)
    }

    /// Backward search entries: the point's arcs and their duplicates.
    pub(crate) fn targets(&self, g: &RoadGraph, ch: &Ch, p: &SnappedPoint, a: Approach) -> Entries {
        let mut e = Vec::new();
        let mut what = Vec::new();
        for (d, behind) in Self::arcs_of(g, p, a) {
            let (ms, cm) = arc_cost(g, d);
            let w = partial(ms, cm, behind);
            let (lo, hi) = (self.dup_first[d as usize], self.dup_first[d as usize + 1]);
            for node in
                std::iter::once(d).chain(self.dups[lo as usize..hi as usize].iter().copied())
            {
                e.push((ch.rank[node as usize], w));
                what.push((d, node));
            }
        }
        (e, what)
    }
}
