//! Differential tests: the hierarchy against a plain Dijkstra.

use std::collections::HashMap;

use super::*;
use crate::graph::{Profile, RoadGraph, Snap};
use crate::io::osm::{OsmRoads, OsmWay};

/// xorshift64*: a tiny deterministic generator for tests.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A random street network on a `k` x `k` grid (~111 m spacing): random
/// walks become ways with random classes, one-way tags, private access and
/// speed limits.
fn random_roads(rng: &mut Rng, k: i64, n_ways: usize) -> OsmRoads {
    let id = |r: i64, c: i64| r * 1000 + c;
    let mut nodes = Vec::new();
    for r in 0..k {
        for c in 0..k {
            // A little jitter so lengths differ.
            let jl = (rng.unit() - 0.5) * 0.0002;
            let jc = (rng.unit() - 0.5) * 0.0002;
            nodes.push((
                id(r, c),
                43.7 + r as f64 * 0.001 + jl,
                7.4 + c as f64 * 0.001 + jc,
            ));
        }
    }
    let mut ways = Vec::new();
    for w in 0..n_ways {
        let (mut r, mut c) = (rng.below(k as u64) as i64, rng.below(k as u64) as i64);
        let mut seq = vec![id(r, c)];
        for _ in 0..1 + rng.below(5) {
            let (dr, dc) = [(0, 1), (1, 0), (0, -1), (-1, 0)][rng.below(4) as usize];
            let (nr, nc) = (r + dr, c + dc);
            if (0..k).contains(&nr) && (0..k).contains(&nc) {
                r = nr;
                c = nc;
                seq.push(id(r, c));
            }
        }
        if seq.len() < 2 {
            continue;
        }
        let class = ["residential", "primary", "service", "tertiary"][rng.below(4) as usize];
        let mut tags = vec![("highway".to_string(), class.to_string())];
        match rng.below(6) {
            0 => tags.push(("oneway".into(), "yes".into())),
            1 => tags.push(("oneway".into(), "-1".into())),
            _ => {}
        }
        if rng.below(10) == 0 {
            tags.push(("access".into(), "private".into()));
        }
        if rng.below(4) == 0 {
            tags.push(("maxspeed".into(), (20 + 10 * rng.below(5)).to_string()));
        }
        ways.push(OsmWay {
            id: w as i64,
            nodes: seq,
            tags,
        });
    }
    OsmRoads::from_parts(ways, nodes, HashMap::new())
}

fn random_points(rng: &mut Rng, g: &RoadGraph, n: usize, bbox: [f64; 4]) -> Vec<SnappedPoint> {
    let mut pts = Vec::new();
    while pts.len() < n {
        let lat = bbox[0] + rng.unit() * (bbox[2] - bbox[0]);
        let lon = bbox[1] + rng.unit() * (bbox[3] - bbox[1]);
        if let Snap::OnRoad(p) = g.snap(&[(lat, lon)], 1e9).unwrap()[0] {
            pts.push(p);
        }
    }
    // Some pairs on the same edge, and a duplicate point.
    let extra: Vec<SnappedPoint> = pts
        .iter()
        .take(n / 4)
        .map(|p| {
            let fraction = rng.unit();
            let (lon, lat) = g.edge_polyline_between(p.edge, fraction, fraction)[0];
            SnappedPoint {
                fraction,
                lat,
                lon,
                ..*p
            }
        })
        .collect();
    pts.extend(extra);
    pts.push(pts[0]);
    pts
}

fn assert_matches_oracle(g: &RoadGraph, pts: &[SnappedPoint], what: &str) -> usize {
    let router = Router::new(g);
    let m = router.matrix(pts).unwrap();
    let oracle = dijkstra::matrix(g, pts);
    let n = pts.len();
    let mut unreachable = 0;
    for i in 0..n {
        for j in 0..n {
            let want = oracle[i * n + j];
            let got = (m.duration(i, j), m.distance(i, j));
            if want == INF {
                unreachable += 1;
                assert_eq!(got, (None, None), "{what}: ({i},{j}) should be unreachable");
            } else {
                let (s, d) = unpack_rounded(want);
                assert_eq!(
                    got,
                    (Some(s as i64), Some(d as i64)),
                    "{what}: pair ({i},{j}) {:?} -> {:?}",
                    pts[i],
                    pts[j]
                );
            }
        }
    }
    assert_eq!(m.n_unreachable(), unreachable);
    unreachable
}

#[test]
fn matrix_matches_dijkstra_on_random_graphs() {
    let mut total_unreachable = 0;
    let mut graphs = 0;
    for seed in 0..40 {
        let mut rng = Rng::new(seed);
        let k = 4 + rng.below(8) as i64;
        let roads = random_roads(&mut rng, k, (k * k) as usize);
        let Ok((g, _)) = RoadGraph::from_roads(&roads, &Profile::truck()) else {
            continue;
        };
        let bbox = [43.7, 7.4, 43.7 + k as f64 * 0.001, 7.4 + k as f64 * 0.001];
        let pts = random_points(&mut rng, &g, 12, bbox);
        total_unreachable += assert_matches_oracle(&g, &pts, &format!("seed {seed}"));
        graphs += 1;
    }
    assert!(graphs >= 30, "only {graphs} random graphs were usable");
    // The graphs are one strongly connected component each, so the only
    // unreachable pairs could come from a bug; none expected.
    assert_eq!(total_unreachable, 0);
}

#[test]
fn matrix_matches_dijkstra_with_closures_that_disconnect() {
    let mut cut = 0;
    for seed in 100..130 {
        let mut rng = Rng::new(seed);
        let k = 6;
        let roads = random_roads(&mut rng, k, 40);
        let Ok((g, _)) = RoadGraph::from_roads(&roads, &Profile::truck()) else {
            continue;
        };
        // Close a band across the middle; slow another.
        let c = crate::graph::Closures::from_geojson_str(
            r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"factor":0},"geometry":{"type":"Polygon","coordinates":
             [[[7.399,43.7024],[7.41,43.7024],[7.41,43.7028],[7.399,43.7028],[7.399,43.7024]]]}},
            {"type":"Feature","properties":{"factor":0.5},"geometry":{"type":"LineString","coordinates":
             [[7.4025,43.699],[7.4025,43.71]]}}]}"#,
        )
        .unwrap();
        let (h, _) = g.with_closures(&c);
        let bbox = [43.7, 7.4, 43.706, 7.406];
        let pts = random_points(&mut rng, &g, 10, bbox);
        cut += assert_matches_oracle(&h, &pts, &format!("closures, seed {seed}"));
        let open = Router::new(&g).matrix(&pts).unwrap();
        let closed = Router::new(&h).matrix(&pts).unwrap();
        for i in cut_off_points(&open, &closed).unwrap() {
            assert!(closed.unreachable_points().iter().any(|p| p.index == i));
        }
    }
    assert!(cut > 0, "the closures should cut some pairs off");
}

#[test]
fn legs_match_the_matrix_and_follow_the_road() {
    for seed in 0..15 {
        let mut rng = Rng::new(seed);
        let k = 8;
        let roads = random_roads(&mut rng, k, 70);
        let Ok((g, _)) = RoadGraph::from_roads(&roads, &Profile::truck()) else {
            continue;
        };
        let pts = random_points(&mut rng, &g, 8, [43.7, 7.4, 43.708, 7.408]);
        let router = Router::new(&g);
        let m = router.matrix(&pts).unwrap();
        let pairs: Vec<_> = pts
            .iter()
            .flat_map(|a| pts.iter().map(|b| (*a, *b)))
            .collect();
        let legs = router.routes(&pairs);
        for i in 0..pts.len() {
            for j in 0..pts.len() {
                let leg = legs[i * pts.len() + j].clone();
                assert_eq!(leg, router.route(&pts[i], &pts[j]));
                let Some(leg) = leg else {
                    assert_eq!(m.duration(i, j), None);
                    continue;
                };
                assert_eq!(
                    Some(leg.duration_s),
                    m.duration(i, j),
                    "seed {seed} ({i},{j})"
                );
                assert_eq!(
                    Some(leg.distance_m),
                    m.distance(i, j),
                    "seed {seed} ({i},{j})"
                );
                let first = leg.geometry[0];
                let last = *leg.geometry.last().unwrap();
                assert!((first.0 - pts[i].lon).abs() < 1e-9 && (first.1 - pts[i].lat).abs() < 1e-9);
                assert!((last.0 - pts[j].lon).abs() < 1e-9 && (last.1 - pts[j].lat).abs() < 1e-9);
                // The geometry is as long as the leg (both sum haversine
                // lengths of the same road pieces).
                let len: f64 = leg
                    .geometry
                    .windows(2)
                    .map(|w| crate::graph::haversine_m([w[0].0, w[0].1], [w[1].0, w[1].1]))
                    .sum();
                assert!(
                    (len - leg.distance_m as f64).abs() <= 1.0 + 1e-6 * len,
                    "seed {seed} ({i},{j}): geometry {len} m vs {} m",
                    leg.distance_m
                );
                // Consecutive edges share a vertex.
                for w in leg.edges.windows(2) {
                    let end = |(e, f): (u32, bool)| {
                        let e = g.edge(e);
                        if f { e.head } else { e.tail }
                    };
                    let start = |(e, f): (u32, bool)| {
                        let e = g.edge(e);
                        if f { e.tail } else { e.head }
                    };
                    assert_eq!(end(w[0]), start(w[1]));
                }
            }
        }
    }
}

/// One-way street 1 -> 5 (~445 m), back via a two-way street 5 - 9 - 1.
fn one_way_loop() -> RoadGraph {
    let mut nodes: Vec<(i64, f64, f64)> = (1..=5).map(|i| (i, 0.0, i as f64 * 0.001)).collect();
    nodes.push((9, 0.001, 0.003));
    let way = |id, n: &[i64], tags: &[(&str, &str)]| OsmWay {
        id,
        nodes: n.to_vec(),
        tags: tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    };
    let roads = OsmRoads::from_parts(
        vec![
            way(
                1,
                &[1, 2, 3, 4, 5],
                &[("highway", "residential"), ("oneway", "yes")],
            ),
            way(2, &[5, 9, 1], &[("highway", "residential")]),
        ],
        nodes,
        HashMap::new(),
    );
    RoadGraph::from_roads(&roads, &Profile::truck()).unwrap().0
}

#[test]
fn points_on_a_one_way_street_are_joined_only_in_its_direction() {
    let g = one_way_loop();
    let e = (0..g.n_edges() as u32)
        .find(|&e| g.edge(e).forward() != g.edge(e).backward())
        .unwrap();
    let edge = *g.edge(e);
    let at = |f: f64| SnappedPoint {
        edge: e,
        fraction: f,
        lat: 0.0,
        lon: 0.0,
        distance_m: 0.0,
    };
    let (a, b) = (at(0.25), at(0.75));
    let m = Router::new(&g).matrix(&[a, b]).unwrap();
    // a -> b: half the street, directly: 0.5 * 64.05 s = 32 s, 222 m.
    let half_s = (edge.forward_ms as f64 * 0.5 / 1000.0).round() as i64;
    let half_m = (edge.length_cm as f64 * 0.5 / 100.0).round() as i64;
    assert_eq!(m.duration(0, 1), Some(half_s));
    assert_eq!(m.distance(0, 1), Some(half_m));
    // b -> a: to the end of the one-way street (1/4), around the loop
    // (the whole other street), then 1/4 in again: longer than the street.
    let back = m.distance(1, 0).unwrap();
    let other = g
        .edges()
        .iter()
        .find(|x| x.forward() && x.backward())
        .unwrap();
    let want = ((edge.length_cm as f64 * 0.25).round() * 2.0 + other.length_cm as f64) / 100.0;
    assert!((back as f64 - want).abs() <= 1.0, "{back} vs {want}");
}

#[test]
fn unreachable_pairs_are_reported_not_numbers() {
    let m = TravelMatrix::from_fn(3, |i, j| (i != 2 || j == 2).then_some((1, 1)));
    assert_eq!(m.duration(2, 0), None);
    assert_eq!(m.n_unreachable(), 2);
    assert_eq!(
        m.unreachable_pairs().collect::<Vec<_>>(),
        vec![(2, 0), (2, 1)]
    );
    let pts = m.unreachable_points();
    assert_eq!(pts[0].index, 0);
    assert_eq!(pts[0].unreachable_from, 1);
    assert_eq!(pts[2].cannot_reach, 2);
}

#[test]
fn points_from_another_graph_are_refused() {
    let g = one_way_loop();
    let p = SnappedPoint {
        edge: 99,
        fraction: 0.5,
        lat: 0.0,
        lon: 0.0,
        distance_m: 0.0,
    };
    assert!(Router::new(&g).matrix(&[p]).is_err());
    assert!(Router::new(&g).route(&p, &p).is_none());
}

fn data(name: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

#[test]
fn matrix_matches_dijkstra_on_tiny_monaco() {
    let (g, _) =
        RoadGraph::from_osm(&data("monaco-roads-tiny.osm.pbf"), &Profile::truck()).unwrap();
    let mut rng = Rng::new(7);
    let pts = random_points(&mut rng, &g, 40, [43.7360, 7.4180, 43.7410, 7.4250]);
    assert_matches_oracle(&g, &pts, "tiny monaco");
}

#[test]
fn matrix_matches_dijkstra_on_monaco_for_both_profiles() {
    for profile in [Profile::truck(), Profile::small()] {
        let (g, _) = RoadGraph::from_osm(&data("monaco-latest.osm.pbf"), &profile).unwrap();
        let mut rng = Rng::new(11);
        let pts = random_points(&mut rng, &g, 60, [43.725, 7.410, 43.750, 7.440]);
        assert_matches_oracle(&g, &pts, &profile.name);
    }
}

/// Malta (116k road nodes): the hierarchy against Dijkstra for 150 points of
/// both profiles. Slow in debug builds; run with
/// `WASTEROUTE_MALTA=/path/to/malta-latest.osm.pbf cargo test --release -- --ignored`.
#[test]
#[ignore]
fn matrix_matches_dijkstra_on_malta() {
    let Ok(path) = std::env::var("WASTEROUTE_MALTA") else {
        panic!("set WASTEROUTE_MALTA to the Malta extract");
    };
    for profile in [Profile::truck(), Profile::small()] {
        let (g, _) = RoadGraph::from_osm(std::path::Path::new(&path), &profile).unwrap();
        let mut rng = Rng::new(3);
        let pts = random_points(&mut rng, &g, 120, [35.80, 14.35, 35.98, 14.56]);
        assert_matches_oracle(&g, &pts, &profile.name);
    }
}

#[test]
fn into_rows_maps_every_entry_in_row_order() {
    // 0 -> 1 has no path; every other pair has (seconds, metres) = (10 i + j, 100 i + j).
    let m = TravelMatrix::from_fn(2, |i, j| {
        (!(i == 0 && j == 1)).then_some(((10 * i + j) as u32, (100 * i + j) as u32))
    });
    let (dur, dist) = m.into_rows(|i, j, v| v.map_or(-(10 * i as i32 + j as i32), |x| x as i32));
    assert_eq!(dur, vec![0, -1, 10, 11]);
    assert_eq!(dist, vec![0, -1, 100, 101]);
    assert!(
        crate::model::Matrix::from_rows(2, dist.clone()).is_err(),
        "negative entry"
    );
    assert!(
        crate::model::Matrix::from_rows(3, vec![0; 4]).is_err(),
        "wrong size"
    );
    let ok = crate::model::Matrix::from_rows(2, vec![0, 1, 100, 101]).unwrap();
    assert_eq!((ok.get(0, 1), ok.get(1, 0)), (1, 100));
}

#[test]
fn a_shared_hierarchy_answers_as_a_fresh_contraction() {
    let mut graphs = Vec::new();
    for seed in [3, 11] {
        let mut rng = Rng::new(seed);
        let roads = random_roads(&mut rng, 6, 36);
        if let Ok((g, _)) = RoadGraph::from_roads(&roads, &Profile::truck()) {
            let pts = random_points(&mut rng, &g, 8, [43.7, 7.4, 43.706, 7.406]);
            graphs.push((g, pts));
        }
    }
    assert!(graphs.len() == 2, "both random graphs should be usable");
    let (g, pts) = &graphs[0];
    let fresh = Router::new(g);
    let shared = Router::with_hierarchy(g, &fresh.hierarchy());
    assert_eq!(shared.matrix(pts).unwrap(), fresh.matrix(pts).unwrap());
    // A hierarchy of another graph is not used for this one.
    let (other, other_pts) = &graphs[1];
    if other.n_vertices() != g.n_vertices() {
        let r = Router::with_hierarchy(other, &fresh.hierarchy());
        assert_eq!(
            r.matrix(other_pts).unwrap(),
            Router::new(other).matrix(other_pts).unwrap()
        );
    }
}
