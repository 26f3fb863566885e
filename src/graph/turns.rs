//! Turns: restrictions read from OSM, the turn model of a profile, and the
//! turn-expanded (edge-based) graph the turn-aware router contracts.
//!
//! A directed *arc* is one direction of a road edge: arc `2e` drives edge
//! `e` from tail to head, arc `2e + 1` from head to tail. The turn-expanded
//! graph has one node per arc (ids equal to the arc ids, so an arc whose
//! direction is forbidden is an isolated node) plus *duplicates* for the
//! via-way restrictions, and one arc per allowed turn `x -> y` (the head of
//! `x` is the tail of `y`) weighted with the whole of `x` plus the turn's
//! cost, as OSRM's edge-based graph does
//! (`Project-OSRM/osrm-backend src/extractor/edge_based_graph_factory.cpp`).
//!
//! Restrictions are *patterns*: a path of arcs (the `from` arc, then the arcs
//! of the `via` ways, if any) and the exits banned at its end (`no_*`: the
//! `to` arc; `only_*`: every arc but the `to` arc). A via-node restriction
//! only removes turns. A via-way restriction needs memory of the path
//! driven: every proper prefix of length two or more of a pattern's path
//! becomes a state (a duplicate of its last arc), and a turn leads to the
//! state of the longest suffix of the path so far that is such a prefix,
//! like the goto/failure function of Aho & Corasick (1975, "Efficient string
//! matching", CACM 18(6)); at a state every pattern ending in a suffix of its
//! path bans its exits. OSRM reaches the same with prefix trees and transfer
//! arcs (`include/extractor/restriction_graph.hpp`).

use std::collections::HashMap;

use super::{EdgeId, RoadGraph, VertexId, profile::TurnModel};
use crate::io::osm::{OsmRestriction, OsmRoads, tag};

/// A turn restriction resolved onto the graph's arcs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restriction {
    /// The OSM relation id.
    pub relation: i64,
    /// The arcs driven before the restricted exit: the `from` arc, then
    /// the arcs of the via ways (none for a via node).
    pub path: Vec<u32>,
    /// `only_*`: every exit but `to` is banned; `no_*`: the exits in `to`
    /// are banned.
    pub only: bool,
    /// The exits the restriction names (arcs leaving the end of `path`).
    pub to: Vec<u32>,
}

/// How many turn restrictions were read, applied and ignored (and why).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RestrictionStats {
    /// Relations with `type=restriction` in the extract.
    pub read: usize,
    /// Restrictions resolved onto the graph (each may ban several turns).
    pub applied: usize,
    /// Ignored: members missing, of the wrong kind, not joined, or
    /// ambiguous (a `from` or `to` way passing through the via node).
    pub ignored_broken: usize,
    /// Ignored: a member way or via node is not in this profile's graph.
    pub ignored_not_in_graph: usize,
    /// Ignored: conditional (`restriction:conditional`, `*_on_red`), not
    /// modelled.
    pub ignored_conditional: usize,
    /// Ignored: for other vehicles (only `restriction:<other class>`, or
    /// `except` names this vehicle's class).
    pub ignored_not_for_vehicle: usize,
    /// Ignored: a restriction value that is neither `no_*` nor `only_*`.
    pub ignored_unknown_value: usize,
}

/// The turn data of a graph: restrictions, and the nodes that change turns.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnData {
    /// The profile's turn model (restriction classes, U-turn rule, costs).
    pub model: TurnModel,
    /// Resolved restrictions, by relation id.
    pub restrictions: Vec<Restriction>,
    /// What happened to the OSM restrictions.
    pub stats: RestrictionStats,
    /// Vertices tagged `highway=traffic_signals`, sorted.
    pub signal_vertices: Vec<VertexId>,
    /// Vertices where a U-turn is always allowed (`turning_circle`,
    /// `turning_loop`, `mini_roundabout`), sorted.
    pub turning_vertices: Vec<VertexId>,
    /// `(edge, count)` of `traffic_signals` nodes inside an edge's
    /// geometry, sorted by edge.
    pub edge_signals: Vec<(EdgeId, u32)>,
}

impl TurnData {
    /// Turn data with no restrictions and no special nodes.
    pub fn empty(model: TurnModel) -> TurnData {
        TurnData {
            model,
            restrictions: Vec::new(),
            stats: RestrictionStats::default(),
            signal_vertices: Vec::new(),
            turning_vertices: Vec::new(),
            edge_signals: Vec::new(),
        }
    }
}

/// Arc `a`'s edge.
#[inline]
pub fn arc_edge(a: u32) -> EdgeId {
    a >> 1
}

/// True if arc `a` drives its edge from tail to head.
#[inline]
pub fn arc_forward(a: u32) -> bool {
    a & 1 == 0
}

/// The arc driving edge `e` forward or backward.
#[inline]
pub fn arc_of(e: EdgeId, forward: bool) -> u32 {
    2 * e + u32::from(!forward)
}

impl RoadGraph {
    /// The vertex arc `a` leaves.
    pub fn arc_tail(&self, a: u32) -> VertexId {
        let e = self.edge(arc_edge(a));
        if arc_forward(a) { e.tail } else { e.head }
    }

    /// The vertex arc `a` reaches.
    pub fn arc_head(&self, a: u32) -> VertexId {
        let e = self.edge(arc_edge(a));
        if arc_forward(a) { e.head } else { e.tail }
    }

    /// True if arc `a` may be driven.
    pub fn arc_exists(&self, a: u32) -> bool {
        let e = self.edge(arc_edge(a));
        if arc_forward(a) {
            e.forward()
        } else {
            e.backward()
        }
    }

    /// The turn data (restrictions, signals, turning circles) of this graph.
    pub fn turn_data(&self) -> &TurnData {
        &self.turns
    }

    /// The cost of turning from arc `x` into arc `y` under the graph's
    /// turn model (signals passed on `x` and at the junction included), or
    /// `None` if `y` does not leave where `x` ends, either arc may not be
    /// driven, or the U-turn rule forbids it. Restrictions are not
    /// consulted: they depend on the arcs driven before `x`.
    ///
    /// # Units
    /// Milliseconds.
    pub fn turn_cost_ms(&self, x: u32, y: u32) -> Option<u32> {
        let n = 2 * self.n_edges() as u32;
        if x >= n || y >= n || !self.arc_exists(x) || !self.arc_exists(y) {
            return None;
        }
        let v = self.arc_head(x);
        if self.arc_tail(y) != v {
            return None;
        }
        let mut degree = 0;
        let mut exits = 0;
        for e in 0..self.n_edges() as u32 {
            let ed = self.edge(e);
            if ed.tail == v || ed.head == v {
                degree += 1;
            }
            exits += usize::from(ed.tail == v && ed.forward());
            exits += usize::from(ed.head == v && ed.backward());
        }
        turn_cost_ms(self, &self.turns, x, y, degree, exits)
    }
}

/// Which rule decides a relation, or why none does.
enum Verdict {
    Apply { only: bool },
    Ignore(fn(&mut RestrictionStats)),
}

fn verdict(r: &OsmRestriction, model: &TurnModel) -> Verdict {
    let keys: Vec<String> = model
        .restriction_classes
        .iter()
        .map(|c| format!("restriction:{c}"))
        .chain(std::iter::once("restriction".to_string()))
        .collect();
    let value = keys.iter().find_map(|k| tag(&r.tags, k));
    if let Some(except) = tag(&r.tags, "except")
        && except
            .split(';')
            .any(|x| model.restriction_classes.iter().any(|c| c == x.trim()))
    {
        return Verdict::Ignore(|s| s.ignored_not_for_vehicle += 1);
    }
    let Some(value) = value else {
        let conditional = keys
            .iter()
            .any(|k| tag(&r.tags, &format!("{k}:conditional")).is_some());
        if conditional {
            return Verdict::Ignore(|s| s.ignored_conditional += 1);
        }
        if r.tags.iter().any(|(k, _)| k.starts_with("restriction:")) {
            return Verdict::Ignore(|s| s.ignored_not_for_vehicle += 1);
        }
        return Verdict::Ignore(|s| s.ignored_broken += 1);
    };
    let value = value.trim();
    if value.ends_with("_on_red") {
        return Verdict::Ignore(|s| s.ignored_conditional += 1);
    }
    if value.starts_with("no_") {
        Verdict::Apply { only: false }
    } else if value.starts_with("only_") {
        Verdict::Apply { only: true }
    } else {
        Verdict::Ignore(|s| s.ignored_unknown_value += 1)
    }
}

/// What the graph builder knows about where OSM objects went.
pub(crate) struct OsmIndex<'a> {
    /// Graph edges of each OSM way.
    pub way_edges: HashMap<i64, Vec<EdgeId>>,
    /// The vertex of each OSM node that is a vertex (barrier copies
    /// excluded).
    pub vertex_of: &'a HashMap<i64, VertexId>,
}

/// Resolves the restrictions of `roads` onto graph `g`.
pub(crate) fn resolve(
    g: &RoadGraph,
    roads: &OsmRoads,
    index: &OsmIndex<'_>,
    model: &TurnModel,
) -> (Vec<Restriction>, RestrictionStats) {
    let mut stats = RestrictionStats::default();
    let mut out = Vec::new();
    for r in &roads.restrictions {
        stats.read += 1;
        let only = match verdict(r, model) {
            Verdict::Apply { only } => only,
            Verdict::Ignore(count) => {
                count(&mut stats);
                continue;
            }
        };
        let shape_ok = !r.from.is_empty()
            && !r.to.is_empty()
            && r.other_members == 0
            && ((r.via_nodes.len() == 1 && r.via_ways.is_empty())
                || (r.via_nodes.is_empty() && !r.via_ways.is_empty()));
        if !shape_ok {
            stats.ignored_broken += 1;
            continue;
        }
        let all_ways = r.from.iter().chain(&r.via_ways).chain(&r.to);
        let ways_in_graph = all_ways.clone().all(|w| index.way_edges.contains_key(w));
        let via_vertex = r.via_nodes.first().map(|n| index.vertex_of.get(n).copied());
        if !ways_in_graph || via_vertex == Some(None) {
            // A via node that lies on usable ways but is no vertex of them
            // cannot be a junction of two of them.
            let known_node = r
                .via_nodes
                .first()
                .is_none_or(|n| roads.coord(*n).is_some());
            if ways_in_graph && known_node {
                stats.ignored_broken += 1;
            } else {
                stats.ignored_not_in_graph += 1;
            }
            continue;
        }
        let mut patterns = Vec::new();
        let mut ok = true;
        'pairs: for &wf in &r.from {
            for &wt in &r.to {
                let p = match via_vertex {
                    Some(Some(v)) => via_node(g, index, wf, v, wt),
                    _ => via_ways(g, index, wf, &r.via_ways, wt),
                };
                match p {
                    Some((path, to)) => patterns.push(Restriction {
                        relation: r.id,
                        path,
                        only,
                        to,
                    }),
                    None => {
                        ok = false;
                        break 'pairs;
                    }
                }
            }
        }
        if !ok || patterns.is_empty() {
            stats.ignored_broken += 1;
            continue;
        }
        // `only_*` with several `to` ways (not a valid tagging) would ban
        // everything: one pattern per from arc with the union of exits.
        if only && patterns.len() > 1 {
            let mut merged: Vec<Restriction> = Vec::new();
            for p in patterns {
                match merged.iter_mut().find(|m| m.path == p.path) {
                    Some(m) => m.to.extend(p.to),
                    None => merged.push(p),
                }
            }
            patterns = merged;
        }
        stats.applied += 1;
        out.extend(patterns);
    }
    (out, stats)
}

/// Arcs of way `w`'s edges (skipping `skip`) that exist and satisfy `f`.
fn way_arcs(
    g: &RoadGraph,
    index: &OsmIndex<'_>,
    w: i64,
    skip: &[EdgeId],
    f: impl Fn(u32) -> bool,
) -> Vec<u32> {
    let mut out = Vec::new();
    for &e in index.way_edges.get(&w).map(Vec::as_slice).unwrap_or(&[]) {
        if skip.contains(&e) {
            continue;
        }
        for a in [arc_of(e, true), arc_of(e, false)] {
            if g.arc_exists(a) && f(a) {
                out.push(a);
            }
        }
    }
    out
}

/// The pattern of a via-node restriction, or `None` if it is broken.
fn via_node(
    g: &RoadGraph,
    index: &OsmIndex<'_>,
    wf: i64,
    v: VertexId,
    wt: i64,
) -> Option<(Vec<u32>, Vec<u32>)> {
    let from = way_arcs(g, index, wf, &[], |a| g.arc_head(a) == v);
    if from.len() != 1 {
        return None;
    }
    let f = from[0];
    let to = if wf == wt {
        // A U-turn restriction onto the same way: the reverse arc.
        vec![f ^ 1]
    } else {
        way_arcs(g, index, wt, &[], |a| g.arc_tail(a) == v)
    };
    if to.len() != 1 {
        return None;
    }
    Some((vec![f], to))
}

/// The pattern of a via-way restriction, or `None` if it is broken: the via
/// ways' edges must form one simple chain, the `from` way must reach one end
/// of it and the `to` way leave the other, in exactly one orientation.
fn via_ways(
    g: &RoadGraph,
    index: &OsmIndex<'_>,
    wf: i64,
    vias: &[i64],
    wt: i64,
) -> Option<(Vec<u32>, Vec<u32>)> {
    let mut chain: Vec<EdgeId> = vias
        .iter()
        .flat_map(|w| index.way_edges.get(w).cloned().unwrap_or_default())
        .collect();
    chain.sort_unstable();
    chain.dedup();
    let mut degree: HashMap<VertexId, usize> = HashMap::new();
    for &e in &chain {
        let ed = g.edge(e);
        if ed.tail == ed.head {
            return None;
        }
        *degree.entry(ed.tail).or_default() += 1;
        *degree.entry(ed.head).or_default() += 1;
    }
    if degree.values().any(|&d| d > 2) {
        return None;
    }
    let mut ends: Vec<VertexId> = degree
        .iter()
        .filter(|(_, d)| **d == 1)
        .map(|(v, _)| *v)
        .collect();
    ends.sort_unstable();
    if ends.len() != 2 {
        return None;
    }
    let mut found = None;
    for (start, end) in [(ends[0], ends[1]), (ends[1], ends[0])] {
        // Walk the chain from `start`.
        let mut arcs = Vec::with_capacity(chain.len());
        let mut at = start;
        let mut used = vec![false; chain.len()];
        let mut drivable = true;
        for _ in 0..chain.len() {
            let Some(k) = (0..chain.len()).find(|&k| {
                !used[k] && (g.edge(chain[k]).tail == at || g.edge(chain[k]).head == at)
            }) else {
                drivable = false;
                break;
            };
            used[k] = true;
            let a = arc_of(chain[k], g.edge(chain[k]).tail == at);
            if !g.arc_exists(a) {
                drivable = false;
                break;
            }
            at = g.arc_head(a);
            arcs.push(a);
        }
        if !drivable || at != end {
            continue;
        }
        let from = way_arcs(g, index, wf, &chain, |a| g.arc_head(a) == start);
        let to = way_arcs(g, index, wt, &chain, |a| g.arc_tail(a) == end);
        if from.is_empty() || to.is_empty() {
            continue;
        }
        if from.len() != 1 || to.len() != 1 || found.is_some() {
            return None;
        }
        let mut path = vec![from[0]];
        path.extend(arcs);
        found = Some((path, to));
    }
    found
}

/// The turn-expanded graph of a road graph under its turn model.
#[derive(Debug, Clone)]
pub(crate) struct TurnGraph {
    /// Nodes: `2 * edges` arc nodes, then the duplicates.
    pub n_nodes: usize,
    /// The arc each duplicate copies (node `2 * edges + k` copies
    /// `dup_base[k]`).
    pub dup_base: Vec<u32>,
    /// Turns `(from node, to node, turn cost in ms)`, sorted by from node;
    /// the cost excludes the from arc's own travel time.
    pub turns: Vec<(u32, u32, u32)>,
    /// What the model forbade and allowed.
    pub stats: TurnStats,
}

/// Counts of the turn-expanded graph.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TurnStats {
    /// Nodes of the turn-expanded graph (directed arcs plus duplicates).
    pub nodes: usize,
    /// Duplicated arcs (states of via-way restrictions).
    pub duplicates: usize,
    /// Allowed turns (arcs of the turn-expanded graph).
    pub turns: usize,
    /// Turns banned by restrictions.
    pub turns_restricted: usize,
    /// U-turns the model forbids (at junctions and mid-street vertices).
    pub u_turns_forbidden: usize,
    /// U-turns allowed (dead ends, turning circles, no other exit, or a
    /// profile that allows them).
    pub u_turns_allowed: usize,
}

/// Driving direction of an arc at its tail (`at_head = false`) or head, as
/// an angle in radians (counter-clockwise from east, local projection).
fn bearing(g: &RoadGraph, a: u32, at_head: bool) -> f64 {
    let geo = g.edge_geometry(arc_edge(a));
    let pts: Vec<[f64; 2]> = if arc_forward(a) {
        geo.to_vec()
    } else {
        geo.iter().rev().copied().collect()
    };
    let (p, q) = if at_head {
        // The last segment of non-zero length.
        let mut i = pts.len() - 1;
        while i > 1 && pts[i - 1] == pts[i] {
            i -= 1;
        }
        (pts[i - 1], pts[i])
    } else {
        let mut i = 0;
        while i + 2 < pts.len() && pts[i + 1] == pts[i] {
            i += 1;
        }
        (pts[i], pts[i + 1])
    };
    let c = p[1].to_radians().cos();
    (q[1] - p[1]).atan2((q[0] - p[0]) * c)
}

/// The cost of turning from arc `x` into arc `y` at their shared vertex
/// `v`, in ms, or `None` if the model forbids it (U-turns only; the
/// restrictions are applied separately). `degree` is the number of edges at
/// `v`, `exits` the number of drivable arcs leaving it.
pub(crate) fn turn_cost_ms(
    g: &RoadGraph,
    t: &TurnData,
    x: u32,
    y: u32,
    degree: usize,
    exits: usize,
) -> Option<u32> {
    let m = &t.model;
    let v = g.arc_head(x);
    let mut s = 0.0;
    if t.signal_vertices.binary_search(&v).is_ok() {
        s += m.traffic_signal_s;
    }
    if let Ok(k) = t.edge_signals.binary_search_by_key(&arc_edge(x), |p| p.0) {
        s += m.traffic_signal_s * t.edge_signals[k].1 as f64;
    }
    if y == x ^ 1 {
        let free = degree <= 1 || exits <= 1 || t.turning_vertices.binary_search(&v).is_ok();
        if !(free || m.u_turns) {
            return None;
        }
        s += m.u_turn_s;
    } else if degree >= 3 {
        let mut d = bearing(g, y, false) - bearing(g, x, true);
        while d > std::f64::consts::PI {
            d -= 2.0 * std::f64::consts::PI;
        }
        while d <= -std::f64::consts::PI {
            d += 2.0 * std::f64::consts::PI;
        }
        // d > 0: a left turn (counter-clockwise).
        let across = if m.left_hand_traffic {
            d < 0.0
        } else {
            d > 0.0
        };
        let f = if across { m.across_traffic_factor } else { 1.0 };
        s += m.turn_s * d.abs().to_degrees() / 90.0 * f;
    }
    Some((s * 1000.0).round().min(super::MAX_EDGE_MS as f64) as u32)
}

/// The number of edges at each vertex, and of drivable arcs leaving it.
pub(crate) fn vertex_degrees(g: &RoadGraph) -> (Vec<u32>, Vec<u32>) {
    let mut degree = vec![0u32; g.n_vertices()];
    let mut exits = vec![0u32; g.n_vertices()];
    for e in g.edges() {
        degree[e.tail as usize] += 1;
        if e.head != e.tail {
            degree[e.head as usize] += 1;
        }
        if e.forward() {
            exits[e.tail as usize] += 1;
        }
        if e.backward() {
            exits[e.head as usize] += 1;
        }
    }
    (degree, exits)
}

/// Arcs leaving each vertex, as CSR `(first, arcs)`.
pub(crate) fn out_arcs(g: &RoadGraph) -> (Vec<u32>, Vec<u32>) {
    let n = g.n_vertices();
    let mut first = vec![0u32; n + 1];
    for a in 0..2 * g.n_edges() as u32 {
        if g.arc_exists(a) {
            first[g.arc_tail(a) as usize + 1] += 1;
        }
    }
    for v in 0..n {
        first[v + 1] += first[v];
    }
    let mut fill = first.clone();
    let mut arcs = vec![0u32; first[n] as usize];
    for a in 0..2 * g.n_edges() as u32 {
        if g.arc_exists(a) {
            let v = g.arc_tail(a) as usize;
            arcs[fill[v] as usize] = a;
            fill[v] += 1;
        }
    }
    (first, arcs)
}

impl TurnGraph {
    /// Expands `g` with its turn data.
    pub(crate) fn build(g: &RoadGraph) -> TurnGraph {
        let t = g.turn_data();
        let n_arcs = 2 * g.n_edges() as u32;
        // Patterns by path; states for every proper prefix of length >= 2.
        let mut ends: HashMap<&[u32], Vec<&Restriction>> = HashMap::new();
        let mut state_of: HashMap<Vec<u32>, u32> = HashMap::new();
        let mut dup_base = Vec::new();
        let mut dup_path: Vec<Vec<u32>> = Vec::new();
        for r in &t.restrictions {
            ends.entry(r.path.as_slice()).or_default().push(r);
            for k in 2..=r.path.len() {
                let prefix = r.path[..k].to_vec();
                if !state_of.contains_key(&prefix) {
                    state_of.insert(prefix.clone(), n_arcs + dup_base.len() as u32);
                    dup_base.push(prefix[k - 1]);
                    dup_path.push(prefix);
                }
            }
        }
        let (degree, exits) = vertex_degrees(g);
        let (first, out) = out_arcs(g);
        let mut stats = TurnStats {
            nodes: n_arcs as usize + dup_base.len(),
            duplicates: dup_base.len(),
            ..TurnStats::default()
        };
        let mut turns = Vec::new();
        let mut seq: Vec<u32> = Vec::new();
        let n_states = n_arcs as usize + dup_base.len();
        for node in 0..n_states as u32 {
            seq.clear();
            if node < n_arcs {
                if !g.arc_exists(node) {
                    continue;
                }
                seq.push(node);
            } else {
                seq.extend_from_slice(&dup_path[(node - n_arcs) as usize]);
            }
            let x = *seq.last().expect("a state has a path");
            let v = g.arc_head(x) as usize;
            for &y in &out[first[v] as usize..first[v + 1] as usize] {
                let Some(cost) = turn_cost_ms(g, t, x, y, degree[v] as usize, exits[v] as usize)
                else {
                    if node < n_arcs {
                        stats.u_turns_forbidden += 1;
                    }
                    continue;
                };
                let banned = (1..=seq.len()).any(|k| {
                    ends.get(&seq[seq.len() - k..]).is_some_and(|rs| {
                        rs.iter().any(|r| {
                            if r.only {
                                !r.to.contains(&y)
                            } else {
                                r.to.contains(&y)
                            }
                        })
                    })
                });
                if banned {
                    if node < n_arcs {
                        stats.turns_restricted += 1;
                    }
                    continue;
                }
                if node < n_arcs && y == x ^ 1 {
                    stats.u_turns_allowed += 1;
                }
                seq.push(y);
                let to = (2..=seq.len())
                    .rev()
                    .find_map(|k| state_of.get(&seq[seq.len() - k..]).copied())
                    .unwrap_or(y);
                seq.pop();
                turns.push((node, to, cost));
            }
        }
        stats.turns = turns.len();
        TurnGraph {
            n_nodes: n_states,
            dup_base,
            turns,
            stats,
        }
    }

    /// The arc a node drives.
    #[inline]
    pub(crate) fn base(&self, node: u32) -> u32 {
        let n_arcs = (self.n_nodes - self.dup_base.len()) as u32;
        if node < n_arcs {
            node
        } else {
            self.dup_base[(node - n_arcs) as usize]
        }
    }
}
