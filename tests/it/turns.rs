//! Turn-aware routing: restrictions, U-turn rules and turn costs.
//!
//! - hand-drawn junctions with their expected routes;
//! - the turn-aware router against a plain Dijkstra over arcs with the
//!   driven history as state (independent of the router's automaton), on
//!   random grids (proptest, fixed seed) and on the Monaco extract, for every
//!   pair and random curb-side approaches;
//! - every leg on Monaco checked against the restrictions as a small reader
//!   in this file reads them from the PBF (osmpbfreader directly).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use proptest::prelude::*;
use wasteroute::graph::turns::{arc_edge, arc_forward, arc_of};
use wasteroute::graph::{Profile, RoadGraph, SnappedPoint};
use wasteroute::io::osm::{OsmRestriction, OsmRoads, OsmWay};
use wasteroute::matrix::{Approach, Router};

use crate::graph::monaco;

fn tags(xs: &[(&str, &str)]) -> Vec<(String, String)> {
    xs.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn way(id: i64, nodes: &[i64], t: &[(&str, &str)]) -> OsmWay {
    OsmWay {
        id,
        nodes: nodes.to_vec(),
        tags: tags(t),
    }
}

fn restriction(
    id: i64,
    value: &str,
    from: i64,
    via: &[i64],
    via_node: bool,
    to: i64,
) -> OsmRestriction {
    OsmRestriction {
        id,
        tags: tags(&[("type", "restriction"), ("restriction", value)]),
        from: vec![from],
        via_nodes: if via_node { via.to_vec() } else { vec![] },
        via_ways: if via_node { vec![] } else { via.to_vec() },
        to: vec![to],
        other_members: 0,
    }
}

/// `(seconds, metres)` rounded as the matrix rounds.
fn rounded(ms: u64, cm: u64) -> (i64, i64) {
    (((ms + 500) / 1000) as i64, ((cm + 50) / 100) as i64)
}

fn partial(ms: u32, cm: u32, f: f64) -> (u64, u64) {
    let f = f.clamp(0.0, 1.0);
    (
        (ms as f64 * f).round() as u64,
        (cm as f64 * f).round() as u64,
    )
}

fn arc_cost(g: &RoadGraph, a: u32) -> (u32, u32) {
    let e = g.edge(arc_edge(a));
    (
        if arc_forward(a) {
            e.forward_ms
        } else {
            e.backward_ms
        },
        e.length_cm,
    )
}

/// The arcs of a point's edge its approach allows, with the fraction of
/// the arc behind the point.
fn point_arcs(g: &RoadGraph, p: &SnappedPoint, a: Approach) -> Vec<(u32, f64)> {
    let mut out = Vec::new();
    let e = g.edge(p.edge);
    if e.forward() && a.allows(true) {
        out.push((arc_of(p.edge, true), p.fraction));
    }
    if e.backward() && a.allows(false) {
        out.push((arc_of(p.edge, false), 1.0 - p.fraction));
    }
    out
}

/// Everything the oracle needs about turns, computed once.
struct Turns {
    /// `(x, y) -> cost ms` for the turns the model allows.
    cost: HashMap<(u32, u32), u32>,
    /// Arcs leaving each vertex.
    out: Vec<Vec<u32>>,
    /// `(path, only, to)` of each restriction.
    rules: Vec<(Vec<u32>, bool, Vec<u32>)>,
    /// The longest restriction path.
    k: usize,
}

impl Turns {
    fn new(g: &RoadGraph) -> Turns {
        let mut out = vec![Vec::new(); g.n_vertices()];
        for a in 0..2 * g.n_edges() as u32 {
            if g.arc_exists(a) {
                out[g.arc_tail(a) as usize].push(a);
            }
        }
        let mut cost = HashMap::new();
        for x in 0..2 * g.n_edges() as u32 {
            if !g.arc_exists(x) {
                continue;
            }
            for &y in &out[g.arc_head(x) as usize] {
                if let Some(c) = g.turn_cost_ms(x, y) {
                    cost.insert((x, y), c);
                }
            }
        }
        let rules: Vec<_> = g
            .turn_data()
            .restrictions
            .iter()
            .map(|r| (r.path.clone(), r.only, r.to.clone()))
            .collect();
        let k = rules.iter().map(|r| r.0.len()).max().unwrap_or(1);
        Turns {
            cost,
            out,
            rules,
            k,
        }
    }

    /// True if a restriction bans `y` after the arcs `history`.
    fn banned(&self, history: &[u32], y: u32) -> bool {
        self.rules.iter().any(|(path, only, to)| {
            history.ends_with(path)
                && if *only {
                    !to.contains(&y)
                } else {
                    to.contains(&y)
                }
        })
    }
}

/// The oracle: for every pair, a Dijkstra whose state is the last `k`
/// arcs driven; `None` where no legal path exists.
fn oracle(
    g: &RoadGraph,
    t: &Turns,
    pts: &[SnappedPoint],
    app: &[Approach],
) -> Vec<Option<(i64, i64)>> {
    let n = pts.len();
    let mut out = vec![None; n * n];
    for (i, s) in pts.iter().enumerate() {
        let mut dist: HashMap<Vec<u32>, (u64, u64)> = HashMap::new();
        let mut heap = BinaryHeap::new();
        // Best cost of entering each arc (the turn into it paid).
        let mut enter: HashMap<u32, (u64, u64)> = HashMap::new();
        for (d, behind) in point_arcs(g, s, app[i]) {
            let (ms, cm) = arc_cost(g, d);
            let c = partial(ms, cm, 1.0 - behind);
            let st = vec![d];
            if dist.get(&st).is_none_or(|&x| c < x) {
                dist.insert(st.clone(), c);
                heap.push(Reverse((c, st)));
            }
        }
        while let Some(Reverse((c, st))) = heap.pop() {
            if dist.get(&st).is_some_and(|&x| x < c) {
                continue;
            }
            let x = *st.last().unwrap();
            for &y in &t.out[g.arc_head(x) as usize] {
                let Some(&tc) = t.cost.get(&(x, y)) else {
                    continue;
                };
                if t.banned(&st, y) {
                    continue;
                }
                let at = (c.0 + tc as u64, c.1);
                let e = enter.entry(y).or_insert((u64::MAX, u64::MAX));
                if at < *e {
                    *e = at;
                }
                let (ms, cm) = arc_cost(g, y);
                let nc = (at.0 + ms as u64, at.1 + cm as u64);
                let mut ns = st.clone();
                ns.push(y);
                if ns.len() > t.k {
                    ns.remove(0);
                }
                if dist.get(&ns).is_none_or(|&x| nc < x) {
                    dist.insert(ns.clone(), nc);
                    heap.push(Reverse((nc, ns)));
                }
            }
        }
        for (j, q) in pts.iter().enumerate() {
            if i == j {
                out[i * n + j] = Some((0, 0));
                continue;
            }
            let mut best = (u64::MAX, u64::MAX);
            for (d, behind) in point_arcs(g, q, app[j]) {
                if let Some(&e) = enter.get(&d) {
                    let (ms, cm) = arc_cost(g, d);
                    let p = partial(ms, cm, behind);
                    best = best.min((e.0 + p.0, e.1 + p.1));
                }
            }
            if s.edge == q.edge {
                let e = g.edge(s.edge);
                if s.fraction <= q.fraction
                    && e.forward()
                    && app[i].allows(true)
                    && app[j].allows(true)
                {
                    best = best.min(partial(e.forward_ms, e.length_cm, q.fraction - s.fraction));
                }
                if s.fraction >= q.fraction
                    && e.backward()
                    && app[i].allows(false)
                    && app[j].allows(false)
                {
                    best = best.min(partial(e.backward_ms, e.length_cm, s.fraction - q.fraction));
                }
            }
            if best.0 != u64::MAX {
                out[i * n + j] = Some(rounded(best.0, best.1));
            }
        }
    }
    out
}

/// The arcs of a leg, and a description of its first illegal turn.
fn illegal_turn(g: &RoadGraph, t: &Turns, edges: &[(u32, bool)]) -> Option<String> {
    let arcs: Vec<u32> = edges.iter().map(|&(e, f)| arc_of(e, f)).collect();
    for k in 1..arcs.len() {
        let (x, y) = (arcs[k - 1], arcs[k]);
        if !t.cost.contains_key(&(x, y)) {
            return Some(format!("turn {x} -> {y} is not allowed by the model"));
        }
        if t.banned(&arcs[..k], y) {
            return Some(format!("turn {x} -> {y} is banned by a restriction"));
        }
    }
    let _ = g;
    None
}

fn check_router(g: &RoadGraph, pts: &[SnappedPoint], app: &[Approach]) {
    let t = Turns::new(g);
    let router = Router::turn_aware(g);
    let m = router.matrix_with(pts, app).unwrap();
    let want = oracle(g, &t, pts, app);
    let n = pts.len();
    for i in 0..n {
        for j in 0..n {
            let got = m.duration(i, j).zip(m.distance(i, j));
            assert_eq!(
                got,
                want[i * n + j],
                "pair ({i}, {j}): {:?} {:?} -> {:?} {:?}",
                pts[i],
                app[i],
                pts[j],
                app[j]
            );
            if i == j {
                continue;
            }
            let leg = router.route_directed(&pts[i], app[i], &pts[j], app[j]);
            assert_eq!(leg.is_some(), got.is_some(), "pair ({i}, {j})");
            if let Some(leg) = leg {
                assert_eq!(
                    Some((leg.duration_s, leg.distance_m)),
                    got,
                    "pair ({i}, {j})"
                );
                if let Some(why) = illegal_turn(g, &t, &leg.edges) {
                    panic!("pair ({i}, {j}): {why}: {:?}", leg.edges);
                }
                let (e0, f0) = leg.edges[0];
                assert_eq!(e0, pts[i].edge);
                assert!(
                    app[i].allows(f0),
                    "pair ({i}, {j}) leaves against {:?}",
                    app[i]
                );
                let (e1, f1) = *leg.edges.last().unwrap();
                assert_eq!(e1, pts[j].edge);
                assert!(
                    app[j].allows(f1),
                    "pair ({i}, {j}) arrives against {:?}",
                    app[j]
                );
            }
        }
    }
}

fn point(edge: u32, fraction: f64) -> SnappedPoint {
    SnappedPoint {
        edge,
        fraction,
        lat: 0.0,
        lon: 0.0,
        distance_m: 0.0,
    }
}

/// A plus-shaped junction at node 5 (north 2, east 6, south 8, west 4),
/// each arm a two-way way 1 km long ending at a node joined to the next
/// arm by a ring road (1-3-9-7), so every turn has a detour.
///
/// ```text
///   1 --- 2 --- 3
///   |     |     |
///   4 --- 5 --- 6
///   |     |     |
///   7 --- 8 --- 9
/// ```
fn plus(restrictions: Vec<OsmRestriction>, turn_nodes: HashMap<i64, String>) -> OsmRoads {
    let d = 0.009; // ~1 km
    let nodes: Vec<(i64, f64, f64)> = (0..9)
        .map(|k| ((k + 1) as i64, (1 - k / 3) as f64 * d, (k % 3) as f64 * d))
        .collect();
    let r = [("highway", "residential")];
    let ways = vec![
        way(52, &[5, 2], &r),
        way(56, &[5, 6], &r),
        way(58, &[5, 8], &r),
        way(54, &[5, 4], &r),
        way(12, &[1, 2], &r),
        way(23, &[2, 3], &r),
        way(36, &[3, 6], &r),
        way(69, &[6, 9], &r),
        way(98, &[9, 8], &r),
        way(87, &[8, 7], &r),
        way(74, &[7, 4], &r),
        way(41, &[4, 1], &r),
    ];
    OsmRoads::from_parts(ways, nodes, HashMap::new()).with_turns(restrictions, turn_nodes)
}

/// The edge of `g` whose geometry joins the nodes at `a` and `b`
/// (`(lat, lon)`), and whether it runs from `a` to `b`.
fn edge_between(g: &RoadGraph, a: (f64, f64), b: (f64, f64)) -> (u32, bool) {
    let near = |p: [f64; 2], q: (f64, f64)| (p[0] - q.1).abs() < 1e-9 && (p[1] - q.0).abs() < 1e-9;
    for e in 0..g.n_edges() as u32 {
        let geo = g.edge_geometry(e);
        let (s, t) = (geo[0], geo[geo.len() - 1]);
        if near(s, a) && near(t, b) {
            return (e, true);
        }
        if near(s, b) && near(t, a) {
            return (e, false);
        }
    }
    panic!("no edge between {a:?} and {b:?}");
}

fn node_at(k: i64) -> (f64, f64) {
    let d = 0.009;
    let k = k - 1;
    ((1 - k / 3) as f64 * d, (k % 3) as f64 * d)
}

/// A point in the middle of the arm from node `a` to node `b`.
fn mid(g: &RoadGraph, a: i64, b: i64) -> SnappedPoint {
    let (e, _) = edge_between(g, node_at(a), node_at(b));
    point(e, 0.5)
}

fn seconds(g: &RoadGraph, from: SnappedPoint, to: SnappedPoint, app: [Approach; 2]) -> i64 {
    let m = Router::turn_aware(g)
        .matrix_with(&[from, to], &app)
        .unwrap();
    m.duration(0, 1).expect("connected")
}

#[test]
fn a_no_left_turn_sends_the_truck_round_and_only_straight_on_bans_the_rest() {
    // From the south arm (8 -> 5), turning left means west (5 -> 4).
    let from_south = |g: &RoadGraph| {
        let (e, fwd) = edge_between(g, node_at(8), node_at(5));
        (
            point(e, 0.5),
            if fwd {
                Approach::Forward
            } else {
                Approach::Backward
            },
        )
    };
    let free = plus(vec![], HashMap::new());
    let (g, _) = RoadGraph::from_roads(&free, &Profile::truck()).unwrap();
    let (s, sa) = from_south(&g);
    let west = mid(&g, 5, 4);
    let base = seconds(&g, s, west, [sa, Approach::Either]);
    let banned = plus(
        vec![restriction(1, "no_left_turn", 58, &[5], true, 54)],
        HashMap::new(),
    );
    let (h, r) = RoadGraph::from_roads(&banned, &Profile::truck()).unwrap();
    assert_eq!((r.restrictions.read, r.restrictions.applied), (1, 1));
    let (s, sa) = from_south(&h);
    let west_h = mid(&h, 5, 4);
    let detour = seconds(&h, s, west_h, [sa, Approach::Either]);
    // The way round: 5 -> 2 or 6, then two ring sides and back in: at
    // least 2 km more than turning left at 25 km/h (288 s).
    assert!(detour >= base + 250, "{base} -> {detour}");
    // The node-based graph knows nothing of it.
    let nb = Router::new(&h).matrix(&[s, west_h]).unwrap();
    assert!(nb.duration(0, 1).unwrap() < detour);
    // only_straight_on from the south: east is banned too, north is not.
    let only = plus(
        vec![restriction(2, "only_straight_on", 58, &[5], true, 52)],
        HashMap::new(),
    );
    let (o, _) = RoadGraph::from_roads(&only, &Profile::truck()).unwrap();
    let (s, sa) = from_south(&o);
    let east = seconds(&o, s, mid(&o, 5, 6), [sa, Approach::Either]);
    let north = seconds(&o, s, mid(&o, 5, 2), [sa, Approach::Either]);
    assert!(east >= north + 250, "north {north}, east {east}");
    // except=hgv: the truck ignores it, the small vehicle does not.
    let mut ex = restriction(3, "no_left_turn", 58, &[5], true, 54);
    ex.tags.push(("except".into(), "hgv".into()));
    let (x, r) = RoadGraph::from_roads(&plus(vec![ex], HashMap::new()), &Profile::truck()).unwrap();
    assert_eq!(r.restrictions.ignored_not_for_vehicle, 1);
    assert!(x.turn_data().restrictions.is_empty());
}

#[test]
fn a_via_way_restriction_bans_the_sequence_not_its_parts() {
    // no_u_turn-like manoeuvre 8 -> 5 -> 6 -> 9? Use a via way: from the
    // south arm, via the east arm, onto the ring 6 -> 3: banned.
    let rel = restriction(4, "no_left_turn", 58, &[56], false, 36);
    let (g, r) =
        RoadGraph::from_roads(&plus(vec![rel], HashMap::new()), &Profile::truck()).unwrap();
    assert_eq!(r.restrictions.applied, 1);
    assert_eq!(g.turn_data().restrictions[0].path.len(), 2);
    let (e, fwd) = edge_between(&g, node_at(8), node_at(5));
    let s = point(e, 0.5);
    let sa = if fwd {
        Approach::Forward
    } else {
        Approach::Backward
    };
    let ring = mid(&g, 6, 3);
    let east = mid(&g, 5, 6);
    let router = Router::turn_aware(&g);
    let leg = router
        .route_directed(&s, sa, &ring, Approach::Either)
        .unwrap();
    let (e56, _) = edge_between(&g, node_at(5), node_at(6));
    let (e63, _) = edge_between(&g, node_at(6), node_at(3));
    let arcs: Vec<u32> = leg.edges.iter().map(|&(e, _)| e).collect();
    assert!(
        !arcs.windows(2).any(|w| w == [e56, e63]),
        "the leg drives 5 -> 6 -> 3: {:?}",
        leg.edges
    );
    // Each part on its own is fine: south to east, and east arm to the ring.
    let to_east = router
        .route_directed(&s, sa, &east, Approach::Either)
        .unwrap();
    assert!(to_east.edges.len() <= 3, "{:?}", to_east.edges);
    let east_pt = point(e56, 0.5);
    let part = router
        .route_directed(&east_pt, Approach::Either, &ring, Approach::Either)
        .unwrap();
    assert!(part.edges.len() <= 2, "{:?}", part.edges);
}

/// Nodes 1, 2, 3 on an east-west line 1 km apart, 4 1 km north of 2.
fn four_nodes() -> Vec<(i64, f64, f64)> {
    vec![
        (1, 0.0, 0.0),
        (2, 0.0, 0.009),
        (3, 0.0, 0.018),
        (4, 0.009, 0.009),
    ]
}

#[test]
fn trucks_turn_round_only_at_dead_ends_and_turning_circles_small_vehicles_anywhere() {
    // A straight road 1 - 2 - 3 with a side road 2 - 4 that ends at 4.
    let nodes = four_nodes();
    let r = [("highway", "residential")];
    let ways = vec![
        way(1, &[1, 2], &r),
        way(2, &[2, 3], &r),
        way(3, &[2, 4], &r),
    ];
    let roads = OsmRoads::from_parts(ways.clone(), nodes.clone(), HashMap::new());
    let (g, _) = RoadGraph::from_roads(&roads, &Profile::truck()).unwrap();
    let (e12, f12) = edge_between(&g, (0.0, 0.0), (0.0, 0.009));
    // Leave the point on 1-2 heading towards 2, come back to a point behind.
    let a = point(e12, 0.5);
    let b = point(e12, 0.25);
    let (fa, fb) = if f12 {
        (Approach::Forward, Approach::Backward)
    } else {
        (Approach::Backward, Approach::Forward)
    };
    let truck = Router::turn_aware(&g);
    let leg = truck.route_directed(&a, fa, &b, fb).unwrap();
    // The truck cannot turn at junction 2: it drives to a dead end (3 or
    // 4, 1 km away) and back.
    assert!(leg.distance_m > 2000, "{}", leg.distance_m);
    let stats = truck.turn_stats().unwrap();
    assert!(stats.u_turns_forbidden >= 3, "{stats:?}");
    // The small vehicle turns round at 2 (paying the U-turn cost).
    let (s, _) = RoadGraph::from_roads(&roads, &Profile::small()).unwrap();
    let small = Router::turn_aware(&s);
    let leg = small.route_directed(&a, fa, &b, fb).unwrap();
    assert!(leg.distance_m < 1500, "{}", leg.distance_m);
    // A turning circle at 2 lets the truck turn there too.
    let mut tn = HashMap::new();
    tn.insert(2, "turning_circle".to_string());
    let circ = OsmRoads::from_parts(ways, nodes, HashMap::new()).with_turns(vec![], tn);
    let (c, _) = RoadGraph::from_roads(&circ, &Profile::truck()).unwrap();
    let leg = Router::turn_aware(&c)
        .route_directed(&a, fa, &b, fb)
        .unwrap();
    assert!(leg.distance_m < 1500, "{}", leg.distance_m);
}

#[test]
fn left_turns_cost_more_than_right_turns_and_left_hand_traffic_swaps_them() {
    let (g, _) = RoadGraph::from_roads(&plus(vec![], HashMap::new()), &Profile::truck()).unwrap();
    let (e, fwd) = edge_between(&g, node_at(8), node_at(5));
    let x = arc_of(e, fwd);
    let arc_to = |b: i64| {
        let (e, f) = edge_between(&g, node_at(5), node_at(b));
        arc_of(e, f)
    };
    let (left, right, straight) = (arc_to(4), arc_to(6), arc_to(2));
    let c = |g: &RoadGraph, y| g.turn_cost_ms(x, y).unwrap();
    assert_eq!(c(&g, straight), 0);
    assert_eq!(c(&g, right), 5_000);
    assert_eq!(c(&g, left), 10_000);
    assert_eq!(g.turn_cost_ms(x, x ^ 1), None, "no U-turn at a junction");
    let mut p = Profile::truck();
    p.turns.left_hand_traffic = true;
    let (h, _) = RoadGraph::from_roads(&plus(vec![], HashMap::new()), &p).unwrap();
    assert_eq!(c(&h, right), 10_000);
    assert_eq!(c(&h, left), 5_000);
    // A signal at the junction adds its delay to every turn through it.
    let mut tn = HashMap::new();
    tn.insert(5, "traffic_signals".to_string());
    let (s, _) = RoadGraph::from_roads(&plus(vec![], tn), &Profile::truck()).unwrap();
    assert_eq!(c(&s, straight), 4_000);
}

/// A random grid road network with random one-ways, restrictions,
/// signals and turning circles.
#[derive(Debug, Clone)]
struct Grid {
    rows: usize,
    cols: usize,
    /// Per grid edge: 0 absent, 1 two-way, 2 one-way forward, 3 backward.
    kinds: Vec<u8>,
    /// `(via node index, from edge pick, to edge pick, kind, via way?)`
    rules: Vec<(usize, usize, usize, u8, bool)>,
    specials: Vec<(usize, u8)>,
    small: bool,
    left: bool,
    points: Vec<(usize, f64, u8)>,
}

fn grid() -> impl Strategy<Value = Grid> {
    (2usize..5, 2usize..5).prop_flat_map(|(rows, cols)| {
        let n_edges = rows * (cols - 1) + cols * (rows - 1);
        (
            Just(rows),
            Just(cols),
            prop::collection::vec(
                prop_oneof![1 => Just(0u8), 6 => Just(1u8), 1 => Just(2u8), 1 => Just(3u8)],
                n_edges,
            ),
            prop::collection::vec(
                (0..rows * cols, 0usize..4, 0usize..4, 0u8..4, any::<bool>()),
                0..6,
            ),
            prop::collection::vec((0..rows * cols, 0u8..2), 0..3),
            any::<bool>(),
            any::<bool>(),
            prop::collection::vec((0usize..64, 0.0f64..=1.0, 0u8..3), 2..9),
        )
            .prop_map(
                |(rows, cols, kinds, rules, specials, small, left, points)| Grid {
                    rows,
                    cols,
                    kinds,
                    rules,
                    specials,
                    small,
                    left,
                    points,
                },
            )
    })
}

impl Grid {
    /// Grid edges as `(a, b)` node indices.
    fn pairs(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for r in 0..self.rows {
            for c in 0..self.cols - 1 {
                out.push((r * self.cols + c, r * self.cols + c + 1));
            }
        }
        for r in 0..self.rows - 1 {
            for c in 0..self.cols {
                out.push((r * self.cols + c, (r + 1) * self.cols + c));
            }
        }
        out
    }

    fn roads(&self) -> OsmRoads {
        let d = 0.002;
        let nodes: Vec<(i64, f64, f64)> = (0..self.rows * self.cols)
            // Slightly irregular, so that turn angles vary.
            .map(|k| {
                let (r, c) = (k / self.cols, k % self.cols);
                let jitter = ((k * 7919) % 13) as f64 * 1e-5;
                (k as i64 + 1, r as f64 * d + jitter, c as f64 * d - jitter)
            })
            .collect();
        let pairs = self.pairs();
        let mut ways = Vec::new();
        // Ways at each node, for the restrictions.
        let mut at: Vec<Vec<(i64, usize)>> = vec![Vec::new(); self.rows * self.cols];
        for (k, &(a, b)) in pairs.iter().enumerate() {
            let mut t = vec![("highway", "residential")];
            match self.kinds[k] {
                0 => continue,
                2 => t.push(("oneway", "yes")),
                3 => t.push(("oneway", "-1")),
                _ => {}
            }
            let id = 100 + k as i64;
            ways.push(way(id, &[a as i64 + 1, b as i64 + 1], &t));
            at[a].push((id, b));
            at[b].push((id, a));
        }
        let values = [
            "no_left_turn",
            "only_straight_on",
            "no_u_turn",
            "only_right_turn",
        ];
        let mut rels = Vec::new();
        for (k, &(v, f, t, kind, via_way)) in self.rules.iter().enumerate() {
            if at[v].is_empty() {
                continue;
            }
            let (from, _) = at[v][f % at[v].len()];
            let value = values[kind as usize];
            if via_way {
                // from -> (v, w) -> to, with `to` at the far end w.
                let (via, w) = at[v][t % at[v].len()];
                if via == from || at[w].len() < 2 {
                    continue;
                }
                let (to, _) = at[w][(f + t) % at[w].len()];
                if to == via {
                    continue;
                }
                rels.push(restriction(k as i64 + 1, value, from, &[via], false, to));
            } else {
                let to = if kind == 2 {
                    from
                } else {
                    at[v][t % at[v].len()].0
                };
                rels.push(restriction(
                    k as i64 + 1,
                    value,
                    from,
                    &[v as i64 + 1],
                    true,
                    to,
                ));
            }
        }
        let mut tn = HashMap::new();
        for &(v, s) in &self.specials {
            let value = if s == 0 {
                "traffic_signals"
            } else {
                "turning_circle"
            };
            tn.insert(v as i64 + 1, value.to_string());
        }
        OsmRoads::from_parts(ways, nodes, HashMap::new()).with_turns(rels, tn)
    }
}

proptest! {
    #![proptest_config(crate::props::config(64))]

    #[test]
    fn turn_aware_matrices_equal_a_plain_dijkstra_over_arcs_on_random_grids(grid in grid()) {
        let mut profile = if grid.small { Profile::small() } else { Profile::truck() };
        profile.turns.left_hand_traffic = grid.left;
        let Ok((g, _)) = RoadGraph::from_roads(&grid.roads(), &profile) else {
            return Ok(()); // every road absent
        };
        let approaches = [Approach::Either, Approach::Forward, Approach::Backward];
        let pts: Vec<SnappedPoint> = grid
            .points
            .iter()
            .map(|&(e, f, _)| point((e % g.n_edges()) as u32, f))
            .collect();
        let app: Vec<Approach> = grid.points.iter().map(|p| approaches[p.2 as usize]).collect();
        check_router(&g, &pts, &app);
    }
}

/// `n` points on random edges of `g` (xorshift, fixed seed), with random
/// approaches.
fn random_points(g: &RoadGraph, n: usize, seed: u64) -> (Vec<SnappedPoint>, Vec<Approach>) {
    let mut s = seed | 1;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let mut pts = Vec::new();
    let mut app = Vec::new();
    for _ in 0..n {
        let e = (next() % g.n_edges() as u64) as u32;
        let f = (next() % 1001) as f64 / 1000.0;
        pts.push(point(e, f));
        app.push([Approach::Either, Approach::Forward, Approach::Backward][(next() % 3) as usize]);
    }
    (pts, app)
}

#[test]
fn monaco_turn_aware_matrices_equal_the_dijkstra_for_every_pair() {
    for profile in [Profile::truck(), Profile::small()] {
        let (g, r) = RoadGraph::from_osm(&monaco(), &profile).unwrap();
        assert!(r.restrictions.applied > 30, "{:?}", r.restrictions);
        let (pts, app) = random_points(&g, 30, 0x7u64 + profile.name.len() as u64);
        check_router(&g, &pts, &app);
    }
}

/// Restrictions as read by hand from the PBF: `(from way, via node, to
/// way, only)`, via-node restrictions that apply to trucks.
struct PbfRules {
    rules: Vec<(i64, i64, i64, bool)>,
    /// OSM node id by coordinates (1e-7 degrees).
    node_at: HashMap<(i64, i64), i64>,
    /// Ways containing each consecutive node pair (both orders).
    way_of_pair: HashMap<(i64, i64), Vec<i64>>,
    /// Nodes tagged as turning places.
    turning: HashSet<i64>,
}

fn read_pbf_rules(path: &std::path::Path) -> PbfRules {
    let file = std::fs::File::open(path).unwrap();
    let mut reader = osmpbfreader::OsmPbfReader::new(file);
    let mut out = PbfRules {
        rules: Vec::new(),
        node_at: HashMap::new(),
        way_of_pair: HashMap::new(),
        turning: HashSet::new(),
    };
    for obj in reader.iter() {
        match obj.unwrap() {
            osmpbfreader::OsmObj::Node(n) => {
                out.node_at
                    .insert((n.decimicro_lat as i64, n.decimicro_lon as i64), n.id.0);
                if n.tags.get("highway").is_some_and(|v| {
                    ["turning_circle", "turning_loop", "mini_roundabout"].contains(&v.as_str())
                }) {
                    out.turning.insert(n.id.0);
                }
            }
            osmpbfreader::OsmObj::Way(w) => {
                if !w.tags.contains_key("highway") {
                    continue;
                }
                for p in w.nodes.windows(2) {
                    out.way_of_pair
                        .entry((p[0].0, p[1].0))
                        .or_default()
                        .push(w.id.0);
                    out.way_of_pair
                        .entry((p[1].0, p[0].0))
                        .or_default()
                        .push(w.id.0);
                }
            }
            osmpbfreader::OsmObj::Relation(r) => {
                if r.tags.get("type").map(|s| s.as_str()) != Some("restriction") {
                    continue;
                }
                if r.tags.get("except").is_some_and(|e| e.contains("hgv")) {
                    continue;
                }
                let value = r
                    .tags
                    .get("restriction:hgv")
                    .or_else(|| r.tags.get("restriction"));
                let Some(value) = value else { continue };
                let only = value.starts_with("only_");
                if !only && !value.starts_with("no_") {
                    continue;
                }
                let role = |role: &str| -> Vec<osmpbfreader::OsmId> {
                    r.refs
                        .iter()
                        .filter(|m| m.role == role)
                        .map(|m| m.member)
                        .collect()
                };
                let (from, via, to) = (role("from"), role("via"), role("to"));
                if let ([f], [osmpbfreader::OsmId::Node(v)], [t]) = (&from[..], &via[..], &to[..])
                    && let (Some(f), Some(t)) = (f.way(), t.way())
                {
                    out.rules.push((f.0, v.0, t.0, only));
                }
            }
        }
    }
    out
}

#[test]
fn no_monaco_leg_takes_a_forbidden_turn_or_a_mid_street_u_turn() {
    let pbf = read_pbf_rules(&monaco());
    assert!(pbf.rules.len() > 20, "{} via-node rules", pbf.rules.len());
    let (g, _) = RoadGraph::from_osm(&monaco(), &Profile::truck()).unwrap();
    let e7 = |p: [f64; 2]| ((p[1] * 1e7).round() as i64, (p[0] * 1e7).round() as i64);
    let node = |p: [f64; 2]| pbf.node_at.get(&e7(p)).copied();
    // The OSM nodes of an arc's first and last segment.
    let seg = |e: u32, fwd: bool, last: bool| -> Option<(i64, i64)> {
        let geo = g.edge_geometry(e);
        let pts: Vec<[f64; 2]> = if fwd {
            geo.to_vec()
        } else {
            geo.iter().rev().copied().collect()
        };
        let (a, b) = if last {
            (pts[pts.len() - 2], pts[pts.len() - 1])
        } else {
            (pts[0], pts[1])
        };
        Some((node(a)?, node(b)?))
    };
    let ways = |p: (i64, i64)| pbf.way_of_pair.get(&p).cloned().unwrap_or_default();
    // OSM ways the truck graph holds: rules naming others do not apply to
    // the truck (an `only_*` onto a way it may not use is ignored).
    let graph_ways: HashSet<i64> = (0..g.n_edges() as u32)
        .filter_map(|e| seg(e, true, false))
        .flat_map(ways)
        .collect();
    let mut degree = vec![0usize; g.n_vertices()];
    for e in g.edges() {
        degree[e.tail as usize] += 1;
        degree[e.head as usize] += 1;
    }
    // Points on every from way of a restriction, just before the via node,
    // and random points: legs between them pass the restricted junctions.
    let (mut pts, _) = random_points(&g, 40, 99);
    for e in 0..g.n_edges() as u32 {
        let geo = g.edge_geometry(e);
        for (fwd, end) in [(true, geo[geo.len() - 1]), (false, geo[0])] {
            let Some(v) = node(end) else { continue };
            if pbf.rules.iter().any(|r| r.1 == v) && pts.len() < 120 {
                pts.push(point(e, if fwd { 0.9 } else { 0.1 }));
            }
        }
    }
    let check = |router: &Router| -> usize {
        let mut bad = 0;
        let pairs: Vec<(SnappedPoint, SnappedPoint)> = pts
            .iter()
            .flat_map(|a| pts.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a != b)
            .collect();
        for leg in router.routes(&pairs).into_iter().flatten() {
            for w in leg.edges.windows(2) {
                let ((e1, f1), (e2, f2)) = (w[0], w[1]);
                let (Some(s1), Some(s2)) = (seg(e1, f1, true), seg(e2, f2, false)) else {
                    continue;
                };
                let v = s1.1;
                let (w1, w2) = (ways(s1), ways(s2));
                for &(f, via, t, only) in &pbf.rules {
                    if via != v
                        || !w1.contains(&f)
                        || !graph_ways.contains(&f)
                        || !graph_ways.contains(&t)
                    {
                        continue;
                    }
                    if (!only && w2.contains(&t)) || (only && !w2.contains(&t)) {
                        bad += 1;
                    }
                }
                let vertex = if f1 { g.edge(e1).head } else { g.edge(e1).tail };
                if e1 == e2 && f1 != f2 && degree[vertex as usize] >= 2 && !pbf.turning.contains(&v)
                {
                    let exits = g
                        .edges()
                        .iter()
                        .filter(|e| {
                            (e.tail == vertex && e.forward()) || (e.head == vertex && e.backward())
                        })
                        .count();
                    if exits > 1 {
                        bad += 1;
                    }
                }
            }
        }
        bad
    };
    assert_eq!(check(&Router::turn_aware(&g)), 0);
    // The check can fail: the node-based router breaks rules on the same
    // legs.
    assert!(check(&Router::new(&g)) > 0);
}

#[test]
fn curb_side_stops_are_reached_with_the_stop_on_the_right() {
    // An east-west street 1 - 2 - 3 (two-way) with a loop back 3 - 4 - 1.
    let nodes = four_nodes();
    let r = [("highway", "residential")];
    let ways = vec![way(1, &[1, 2, 3], &r), way(2, &[3, 4, 1], &r)];
    let roads = OsmRoads::from_parts(ways, nodes, HashMap::new());
    let (g, _) = RoadGraph::from_roads(&roads, &Profile::small()).unwrap();
    // A bin 10 m north of the street, and one 10 m south.
    let north = (0.00009, 0.006);
    let south = (-0.00009, 0.012);
    let snaps = g.snap(&[north, south], 50.0).unwrap();
    let (pn, ps) = (*snaps[0].on_road().unwrap(), *snaps[1].on_road().unwrap());
    let e = g.edge(pn.edge);
    let eastward = g.vertex_lon_lat(e.head).0 > g.vertex_lon_lat(e.tail).0;
    let (an, as_) = (
        Approach::curb(&g, north, &pn),
        Approach::curb(&g, south, &ps),
    );
    // Right-hand traffic: the north side is the curb driving west.
    assert_eq!(an.allows(true), !eastward, "{an:?}");
    assert_eq!(as_.allows(true), eastward, "{as_:?}");
    assert_eq!(
        g.side_of(north, &pn),
        if eastward {
            wasteroute::graph::Side::Left
        } else {
            wasteroute::graph::Side::Right
        }
    );
    // From the north bin to the south bin: the vehicle leaves westward and
    // must arrive eastward, so it goes round the loop.
    let router = Router::turn_aware(&g);
    let curb = router.route_directed(&pn, an, &ps, as_).unwrap();
    let either = router
        .route_directed(&pn, Approach::Either, &ps, Approach::Either)
        .unwrap();
    assert!(either.distance_m < 700, "{}", either.distance_m);
    assert!(curb.distance_m > 1500, "{}", curb.distance_m);
    let mut lht = Profile::small();
    lht.turns.left_hand_traffic = true;
    let (t, _) = RoadGraph::from_roads(&roads, &lht).unwrap();
    let pt = *t.snap(&[north], 50.0).unwrap()[0].on_road().unwrap();
    assert_eq!(Approach::curb(&t, north, &pt).allows(true), eastward);
}

#[test]
fn the_graph_file_keeps_the_restrictions_and_the_turn_model() {
    let mut p = Profile::truck();
    p.turns.left_hand_traffic = true;
    p.turns.turn_s = 7.5;
    let (g, _) = RoadGraph::from_osm(&monaco(), &p).unwrap();
    assert!(!g.turn_data().restrictions.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("monaco.wrg");
    g.save(&file).unwrap();
    let h = RoadGraph::load(&file).unwrap();
    assert_eq!(h.turn_data(), g.turn_data());
    // The same turn-aware matrix from the loaded graph.
    let (pts, app) = random_points(&g, 12, 5);
    let a = Router::turn_aware(&g).matrix_with(&pts, &app).unwrap();
    let b = Router::turn_aware(&h).matrix_with(&pts, &app).unwrap();
    assert_eq!(a, b);
}

/// The `wasteroute` binary, as a command to run.
fn wasteroute_bin() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_wasteroute"))
}

/// `graph build` of Monaco into `dir/monaco.wrg`; returns the file and what
/// the command printed.
fn build_monaco_graph(dir: &std::path::Path) -> (std::path::PathBuf, String) {
    let graph = dir.join("monaco.wrg");
    let out = wasteroute_bin()
        .args(["graph", "build", "--osm"])
        .arg(monaco())
        .arg("--out")
        .arg(&graph)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    (graph, String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `graph matrix --graph graph --points points EXTRA`: the durations column
/// (`None` where empty) and what the command wrote to stderr.
fn graph_matrix_durations(
    graph: &std::path::Path,
    points: &std::path::Path,
    extra: &[&str],
) -> (Vec<Option<i64>>, String) {
    let out = wasteroute_bin()
        .args(["graph", "matrix", "--graph"])
        .arg(graph)
        .arg("--points")
        .arg(points)
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let durations = String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap().parse().ok())
        .collect();
    (durations, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn graph_matrix_with_turns_and_curb_sides_is_never_faster() {
    let dir = tempfile::tempdir().unwrap();
    let (graph, text) = build_monaco_graph(dir.path());
    assert!(
        text.contains("turn restrictions: 46 read, 38 applied"),
        "{text}"
    );
    let points = dir.path().join("points.csv");
    std::fs::write(
        &points,
        "id,lat,lon\na,43.7347,7.4206\nb,43.7384,7.4244\nc,43.7311,7.4197\nd,43.7403,7.4270\ne,43.7282,7.4158\n",
    )
    .unwrap();
    let run = |extra: &[&str]| -> Vec<i64> {
        let (durations, err) = graph_matrix_durations(&graph, &points, extra);
        assert!(err.contains("turn restrictions: 46 read"), "{err}");
        if extra.contains(&"--turns") {
            assert!(err.contains("U-turns forbidden"), "{err}");
        }
        durations.into_iter().map(Option::unwrap).collect()
    };
    let plain = run(&[]);
    let turns = run(&["--turns"]);
    let curb = run(&["--turns", "--curb"]);
    assert_eq!(plain.len(), 25);
    assert!(
        plain.iter().zip(&turns).all(|(a, b)| a <= b),
        "{plain:?} {turns:?}"
    );
    assert!(
        turns.iter().zip(&curb).all(|(a, b)| a <= b),
        "{turns:?} {curb:?}"
    );
    assert!(plain.iter().sum::<i64>() < turns.iter().sum::<i64>());
}

/// The Monaco plan fixture with every pickup `side = curb`, planned with
/// `turns` on or off (150 iterations).
fn monaco_plan(turns: bool) -> wasteroute::plan::Plan {
    let fx = crate::plan::Fixture::new();
    let text = std::fs::read_to_string(fx.path("pickups.csv")).unwrap();
    let mut lines = text.lines();
    let mut out = format!("{},side\n", lines.next().unwrap());
    for l in lines.filter(|l| !l.trim().is_empty()) {
        out.push_str(&format!("{l},curb\n"));
    }
    std::fs::write(fx.path("pickups.csv"), out).unwrap();
    let input = fx.load(None).unwrap();
    let opts = wasteroute::plan::PlanOptions {
        iterations: Some(150),
        turns,
        ..Default::default()
    };
    wasteroute::plan::run(&input, &opts, &mut wasteroute::solver::Silent).unwrap()
}

/// Faults of the compactors' trips of `plan`, read from their geometry
/// (rounded to 1e-6 degrees) against the PBF as `read_pbf_rules` reads it:
/// turns a via-node restriction forbids, and U-turns at a node that is
/// neither a turning place nor a vertex with one exit. Geometry points that
/// are not OSM nodes (the stops' positions on their streets) are skipped,
/// so the check covers what is driven between stops.
fn plan_faults(plan: &wasteroute::plan::Plan) -> Vec<String> {
    let pbf = read_pbf_rules(&monaco());
    let (g, _) = RoadGraph::from_osm(&monaco(), &Profile::truck()).unwrap();
    let e6 = |lon: f64, lat: f64| ((lat * 1e6).round() as i64, (lon * 1e6).round() as i64);
    // Node ids by 1e-6 coordinates; ambiguous keys dropped.
    let mut by_e6: HashMap<(i64, i64), Option<i64>> = HashMap::new();
    for (&(la, lo), &id) in &pbf.node_at {
        let k = (
            (la as f64 / 10.0).round() as i64,
            (lo as f64 / 10.0).round() as i64,
        );
        by_e6
            .entry(k)
            .and_modify(|v| {
                if *v != Some(id) {
                    *v = None
                }
            })
            .or_insert(Some(id));
    }
    // Drivable exits of each graph vertex, by its node id.
    let mut exits: HashMap<i64, usize> = HashMap::new();
    for v in 0..g.n_vertices() as u32 {
        let (lon, lat) = g.vertex_lon_lat(v);
        if let Some(Some(id)) = by_e6.get(&e6(lon, lat)) {
            let n = g
                .edges()
                .iter()
                .filter(|e| (e.tail == v && e.forward()) || (e.head == v && e.backward()))
                .count();
            exits.insert(*id, n);
        }
    }
    let ways = |a: i64, b: i64| pbf.way_of_pair.get(&(a, b)).cloned().unwrap_or_default();
    // OSM ways the truck graph holds.
    let graph_ways: HashSet<i64> = (0..g.n_edges() as u32)
        .flat_map(|e| g.edge_geometry(e).windows(2).map(|w| (w[0], w[1])))
        .filter_map(|(p, q)| {
            let id = |p: [f64; 2]| by_e6.get(&e6(p[0], p[1])).copied().flatten();
            Some(ways(id(p)?, id(q)?))
        })
        .flatten()
        .collect();
    let mut faults = Vec::new();
    for r in plan.routes.iter().filter(|r| r.profile == "truck") {
        // Nodes where a stop lies: a stop reached and left either way
        // (`Approach::Either`) may be left in the direction it came from.
        let at_stops: HashSet<i64> = (r.stops.iter())
            .filter_map(|s| {
                let snap = g.snap(&[(s.lat, s.lon)], 1000.0).ok()?;
                let p = snap[0].on_road()?;
                by_e6.get(&e6(p.lon, p.lat)).copied().flatten()
            })
            .collect();
        for t in &r.trips {
            let mut nodes: Vec<Option<i64>> = Vec::new();
            for &(lon, lat) in &t.geometry {
                let id = by_e6.get(&e6(lon, lat)).copied().flatten();
                if id.is_none() || nodes.last() != Some(&id) {
                    nodes.push(id);
                }
            }
            for w in nodes.windows(3) {
                let [Some(a), Some(v), Some(b)] = [w[0], w[1], w[2]] else {
                    continue;
                };
                let (w1, w2) = (ways(a, v), ways(v, b));
                for &(f, via, to, only) in &pbf.rules {
                    // Rules naming a way the truck may not use do not apply.
                    let applies = graph_ways.contains(&f) && graph_ways.contains(&to);
                    if via == v && applies && w1.contains(&f) && (only != w2.contains(&to)) {
                        faults.push(format!(
                            "{} trip {}: {a} -> {v} -> {b} breaks {}_{f}_{to}",
                            r.vehicle,
                            t.trip,
                            if only { "only" } else { "no" }
                        ));
                    }
                }
                if a == b
                    && !pbf.turning.contains(&v)
                    && !at_stops.contains(&v)
                    && exits.get(&v).is_none_or(|&n| n > 1)
                {
                    faults.push(format!("{} trip {}: U-turn at node {v}", r.vehicle, t.trip));
                }
            }
        }
    }
    faults
}

#[test]
fn a_monaco_plan_with_turns_takes_no_forbidden_turn_and_stops_on_the_curb() {
    use wasteroute::graph::Side;
    use wasteroute::plan::StopKind;
    let plan = monaco_plan(true);
    let faults = plan_faults(&plan);
    assert!(faults.is_empty(), "{faults:#?}");
    let served: usize = plan.routes.iter().map(|r| r.stops.len()).sum();
    assert!(served > 10, "{served} stops");
    // The turn statistics are reported per profile.
    let turns = plan.summary.turns.as_ref().expect("turn statistics");
    let truck = turns.iter().find(|t| t.profile == "truck").unwrap();
    assert!(truck.restrictions.applied > 30, "{truck:?}");
    assert!(truck.turn_graph.u_turns_forbidden > 0, "{truck:?}");
    assert!(truck.curb_directed > 0 && truck.curb_directed <= truck.curb_pickups);
    // Every curb-side pickup on a two-way street, off its centre line, is
    // reached with the pickup on the right (checked on a graph snapped here).
    let graphs = [
        (
            "truck",
            RoadGraph::from_osm(&monaco(), &Profile::truck()).unwrap().0,
        ),
        (
            "small",
            RoadGraph::from_osm(&monaco(), &Profile::small()).unwrap().0,
        ),
    ];
    let mut checked = 0;
    for r in &plan.routes {
        let g = &graphs.iter().find(|(n, _)| *n == r.profile).unwrap().1;
        for s in r.stops.iter().filter(|s| s.kind == StopKind::Pickup) {
            let snap = g.snap(&[(s.lat, s.lon)], 1000.0).unwrap();
            let p = snap[0].on_road().unwrap();
            let e = g.edge(p.edge);
            if e.forward() && e.backward() && g.side_of((s.lat, s.lon), p) != Side::On {
                assert_eq!(s.side, Some(Side::Right), "{} on {}", s.id, r.vehicle);
                checked += 1;
            }
        }
    }
    assert!(checked > 5, "{checked} curb-side stops checked");
}

#[test]
fn the_check_of_planned_legs_finds_the_faults_of_a_node_based_plan() {
    // Without turns the same plan breaks the rules: the check can fail.
    let plan = monaco_plan(false);
    assert!(plan.summary.turns.is_none());
    assert!(!plan_faults(&plan).is_empty());
}

/// A point `metres` to the right of the middle of the first segment of
/// the first two-way edge of `g` on a primary road or above that is longer
/// than 50 m, as `(lat, lon)`, with the edge.
fn beside_a_primary_road(g: &RoadGraph, metres: f64) -> ((f64, f64), u32) {
    let e = (0..g.n_edges() as u32)
        .find(|&e| {
            let ed = g.edge(e);
            let c = g.edge_class(e);
            c.primary_or_above() && ed.forward() && ed.backward() && ed.length_cm > 5000
        })
        .expect("a two-way primary road in Monaco");
    let geo = g.edge_geometry(e);
    let (a, b) = (geo[0], geo[1]);
    let k = (a[1].to_radians()).cos();
    let (dx, dy) = ((b[0] - a[0]) * k * 111_320.0, (b[1] - a[1]) * 110_540.0);
    let n = (dx * dx + dy * dy).sqrt();
    // Right of the direction (dx, dy) is (dy, -dx).
    let (rx, ry) = (dy / n * metres, -dx / n * metres);
    let mid = ((a[1] + b[1]) / 2.0, (a[0] + b[0]) / 2.0);
    ((mid.0 + ry / 110_540.0, mid.1 + rx / (k * 111_320.0)), e)
}

/// The Monaco fixture without a `side` column, with pickup `PRIMARY`
/// added beside a two-way primary road, planned with or without turns.
fn monaco_plan_without_sides(turns: bool) -> wasteroute::plan::Plan {
    let fx = crate::plan::Fixture::new();
    let (g, _) = RoadGraph::from_osm(&monaco(), &Profile::truck()).unwrap();
    let ((lat, lon), _) = beside_a_primary_road(&g, 6.0);
    fx.append(
        "pickups.csv",
        &format!("PRIMARY,{lat:.7},{lon:.7},urban,100,,60,,,household,,Primary road\n"),
    );
    let input = fx.load(None).unwrap();
    assert!(input.pickups.iter().all(|p| p.side.is_none()));
    let opts = wasteroute::plan::PlanOptions {
        iterations: Some(150),
        turns,
        ..Default::default()
    };
    wasteroute::plan::run(&input, &opts, &mut wasteroute::solver::Silent).unwrap()
}

#[test]
fn a_pickup_on_a_primary_road_without_a_side_is_planned_curb_side_with_turns() {
    use wasteroute::domain::StopSide;
    use wasteroute::graph::Side;
    use wasteroute::plan::StopKind;
    let graphs = [
        (
            "truck",
            RoadGraph::from_osm(&monaco(), &Profile::truck()).unwrap().0,
        ),
        (
            "small",
            RoadGraph::from_osm(&monaco(), &Profile::small()).unwrap().0,
        ),
    ];
    // The added pickup lies right of its primary road's edge.
    let ((lat, lon), e) = beside_a_primary_road(&graphs[0].1, 6.0);
    let snap = graphs[0].1.snap(&[(lat, lon)], 100.0).unwrap();
    let p = snap[0].on_road().unwrap();
    assert_eq!(p.edge, e);
    assert_eq!(graphs[0].1.side_of((lat, lon), p), Side::Right);

    let plan = monaco_plan_without_sides(true);
    let mut on_primary = 0;
    let mut found = false;
    for r in &plan.routes {
        let g = &graphs.iter().find(|(n, _)| *n == r.profile).unwrap().1;
        for s in r.stops.iter().filter(|s| s.kind == StopKind::Pickup) {
            let snap = g.snap(&[(s.lat, s.lon)], 1000.0).unwrap();
            let p = snap[0].on_road().unwrap();
            let by_road = g.edge_class(p.edge).curb_by_default();
            let expected = if by_road {
                StopSide::Curb
            } else {
                StopSide::Either
            };
            assert_eq!(s.required_side, Some(expected), "{} on {}", s.id, r.vehicle);
            let ed = g.edge(p.edge);
            if by_road && ed.forward() && ed.backward() && g.side_of((s.lat, s.lon), p) != Side::On
            {
                // Reached with the pickup on the curb side (right).
                assert_eq!(s.side, Some(Side::Right), "{} on {}", s.id, r.vehicle);
                on_primary += 1;
            }
            found |= s.id == "PRIMARY";
        }
    }
    assert!(found, "PRIMARY is served");
    assert!(
        on_primary >= 2,
        "{on_primary} curb-side stops on primary roads"
    );
    let turns = plan.summary.turns.as_ref().expect("turn statistics");
    for t in turns {
        // No pickup has a side of its own: every curb one is by default.
        assert_eq!(t.curb_by_default, t.curb_pickups, "{t:?}");
    }
    assert!(turns.iter().any(|t| t.curb_directed >= 2), "{turns:?}");

    // Without turns the road's default does not apply.
    let plain = monaco_plan_without_sides(false);
    assert!(plain.summary.turns.is_none());
    let pickups: Vec<_> = (plain.routes.iter())
        .flat_map(|r| &r.stops)
        .filter(|s| s.kind == StopKind::Pickup)
        .collect();
    assert!(pickups.len() > 10);
    for s in pickups {
        assert_eq!(s.required_side, Some(StopSide::Either), "{}", s.id);
    }
}

/// `bench matrix --durations-out` writes the same durations as
/// `graph matrix`, over the input points in order, -1 for a point too far
/// from the road; with and without `--turns`.
#[test]
fn bench_matrix_durations_out_matches_graph_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let (graph, _) = build_monaco_graph(dir.path());
    let points = dir.path().join("points.csv");
    std::fs::write(
        &points,
        "id,lat,lon\na,43.7347,7.4206\nfar,43.5,7.0\nb,43.7384,7.4244\nc,43.7311,7.4197\nd,43.7403,7.4270\n",
    )
    .unwrap();
    for turns in [false, true] {
        let extra: &[&str] = if turns { &["--turns"] } else { &[] };
        let want: Vec<i32> = graph_matrix_durations(&graph, &points, extra)
            .0
            .into_iter()
            .map(|d| d.map_or(-1, |d| i32::try_from(d).unwrap()))
            .collect();
        let file = dir.path().join(format!("durations-{turns}.bin"));
        let out = wasteroute_bin()
            .args(["bench", "matrix", "--json", "--osm"])
            .arg(monaco())
            .arg("--points-file")
            .arg(&points)
            .arg("--durations-out")
            .arg(&file)
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["n"], 4, "{v}");
        assert_eq!(v["too_far_points"], 1, "{v}");
        let got: Vec<i32> = std::fs::read(&file)
            .unwrap()
            .chunks_exact(4)
            .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        assert_eq!(got.len(), 25);
        assert_eq!(got, want, "turns {turns}");
        // The far point's row and column are -1, the others are not.
        for i in 0..5 {
            for j in 0..5 {
                assert_eq!(got[i * 5 + j] == -1, i == 1 || j == 1, "{i} {j}");
            }
        }
    }
}
