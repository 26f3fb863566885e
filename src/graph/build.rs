//! Building a [`RoadGraph`] from OSM ways and a [`Profile`].

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use super::components::largest_scc;
use super::{Edge, FORBIDDEN, Profile, RoadClass, RoadGraph, haversine_m};
use crate::error::{Error, Location, Result};
use crate::io::osm::{OsmRoads, read_roads};

/// What [`RoadGraph::from_osm`] built and dropped, and how long it took.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BuildReport {
    /// The profile name.
    pub profile: String,
    /// OSM ways the profile may use.
    pub usable_ways: usize,
    /// Vertices (intersections, ends) kept.
    pub vertices: usize,
    /// Road edges kept.
    pub edges: usize,
    /// Directed arcs kept (two-way edges count twice).
    pub arcs: usize,
    /// Road length kept.
    ///
    /// # Units
    /// Kilometres.
    pub km: f64,
    /// Vertices dropped because they lie outside the largest strongly
    /// connected component.
    pub dropped_vertices: usize,
    /// Road length dropped with them.
    ///
    /// # Units
    /// Kilometres.
    pub dropped_km: f64,
    /// Strongly connected components found (the largest is kept).
    pub components: usize,
    /// Reading the PBF file.
    ///
    /// # Units
    /// Seconds.
    pub read_s: f64,
    /// Filtering, compressing and the component filter.
    ///
    /// # Units
    /// Seconds.
    pub build_s: f64,
    /// The turn restrictions read, applied and ignored.
    pub restrictions: super::RestrictionStats,
}

impl RoadGraph {
    /// Reads an `.osm.pbf` extract and builds the graph `profile` may use.
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::Input`] if the file cannot be read as OSM
    /// PBF; [`Error::Input`] if no way in it is usable by the profile.
    pub fn from_osm(path: &Path, profile: &Profile) -> Result<(RoadGraph, BuildReport)> {
        let t = Instant::now();
        let roads = read_roads(path)?;
        let read_s = t.elapsed().as_secs_f64();
        let (g, mut report) = RoadGraph::from_roads(&roads, profile).map_err(|e| match e {
            Error::Input { message, .. } => Error::input(Location::file(path), message),
            e => e,
        })?;
        report.read_s = read_s;
        Ok((g, report))
    }

    /// Builds the graph from ways already read (see [`crate::io::osm`]).
    ///
    /// # Errors
    /// [`Error::Input`] if no way is usable by the profile.
    pub fn from_roads(roads: &OsmRoads, profile: &Profile) -> Result<(RoadGraph, BuildReport)> {
        let t = Instant::now();
        let raw = compress(roads, profile);
        if raw.edges.is_empty() {
            return Err(Error::input(
                Location::default(),
                format!(
                    "no road in the extract is usable by the '{}' profile",
                    profile.name
                ),
            ));
        }
        let n = raw.vertices.len();
        let arcs = raw.edges.iter().flat_map(|e| {
            let f = e.forward().then_some((e.tail, e.head));
            let b = e.backward().then_some((e.head, e.tail));
            f.into_iter().chain(b)
        });
        let (keep, components) = largest_scc(n, arcs);
        // Renumber the kept vertices, keep edges with both ends kept.
        let mut new_id = vec![u32::MAX; n];
        let mut vertices = Vec::new();
        for v in 0..n {
            if keep[v] {
                new_id[v] = vertices.len() as u32;
                vertices.push(raw.vertices[v]);
            }
        }
        let mut edges = Vec::new();
        let mut geometry_first = vec![0u32];
        let mut geometry = Vec::new();
        let mut classes = Vec::new();
        let mut dropped_cm = 0u64;
        let mut way_edges: HashMap<i64, Vec<u32>> = HashMap::new();
        let mut edge_signals = Vec::new();
        for (i, e) in raw.edges.iter().enumerate() {
            if keep[e.tail as usize] && keep[e.head as usize] {
                let id = edges.len() as u32;
                way_edges.entry(raw.edge_way[i]).or_default().push(id);
                if raw.edge_signals[i] > 0 {
                    edge_signals.push((id, raw.edge_signals[i]));
                }
                edges.push(Edge {
                    tail: new_id[e.tail as usize],
                    head: new_id[e.head as usize],
                    ..*e
                });
                classes.push(raw.edge_class[i]);
                geometry.extend_from_slice(
                    &raw.geometry
                        [raw.geometry_first[i] as usize..raw.geometry_first[i + 1] as usize],
                );
                geometry_first.push(geometry.len() as u32);
            } else {
                dropped_cm += e.length_cm as u64;
            }
        }
        let mut g = RoadGraph::from_parts(
            profile.name.clone(),
            vertices,
            edges,
            geometry_first,
            geometry,
            classes,
        )
        .map_err(Error::Internal)?;
        let vertex_of: HashMap<i64, u32> = raw
            .vertex_of
            .iter()
            .filter(|(_, v)| keep[**v as usize])
            .map(|(id, v)| (*id, new_id[*v as usize]))
            .collect();
        let with_value = |value: &[&str]| -> Vec<u32> {
            let mut vs: Vec<u32> = roads
                .turn_nodes
                .iter()
                .filter(|(_, v)| value.contains(&v.as_str()))
                .filter_map(|(id, _)| vertex_of.get(id).copied())
                .collect();
            vs.sort_unstable();
            vs.dedup();
            vs
        };
        let index = super::turns::OsmIndex {
            way_edges,
            vertex_of: &vertex_of,
        };
        let (restrictions, stats) = super::turns::resolve(&g, roads, &index, &profile.turns);
        g.turns = super::TurnData {
            model: profile.turns.clone(),
            restrictions,
            stats,
            signal_vertices: with_value(&["traffic_signals"]),
            turning_vertices: with_value(&["turning_circle", "turning_loop", "mini_roundabout"]),
            edge_signals,
        };
        let report = BuildReport {
            profile: profile.name.clone(),
            usable_ways: raw.usable_ways,
            vertices: g.n_vertices(),
            edges: g.n_edges(),
            arcs: g
                .edges
                .iter()
                .map(|e| e.forward() as usize + e.backward() as usize)
                .sum(),
            km: g.total_km(),
            dropped_vertices: n - g.n_vertices(),
            dropped_km: dropped_cm as f64 / 100_000.0,
            components,
            read_s: 0.0,
            build_s: t.elapsed().as_secs_f64(),
            restrictions: g.turns.stats.clone(),
        };
        Ok((g, report))
    }
}

/// The compressed graph before the component filter.
struct RawGraph {
    vertices: Vec<[f64; 2]>,
    edges: Vec<Edge>,
    geometry_first: Vec<u32>,
    geometry: Vec<[f64; 2]>,
    usable_ways: usize,
    /// The OSM way of each edge.
    edge_way: Vec<i64>,
    /// The road class of each edge's way.
    edge_class: Vec<RoadClass>,
    /// `traffic_signals` nodes inside each edge's geometry.
    edge_signals: Vec<u32>,
    /// The vertex of each OSM node that is one (barrier copies excluded).
    vertex_of: HashMap<i64, u32>,
}

/// Travel time of `length_m` at `speed_kmh`, in milliseconds.
fn travel_ms(length_m: f64, speed_kmh: f64) -> u32 {
    let ms = (length_m * 3600.0 / speed_kmh).round();
    ms.min(super::MAX_EDGE_MS as f64) as u32
}

/// Splits usable ways into edges between vertices: way ends, nodes shared by
/// two or more usable way segments, and blocking barriers (which become a
/// separate dead-end vertex on each side, so nothing passes them).
fn compress(roads: &OsmRoads, profile: &Profile) -> RawGraph {
    // Usable ways, cut into runs of nodes that have coordinates.
    // A run of (OSM node id, [lon, lat]) with the way's rule.
    type Run = (Vec<(i64, [f64; 2])>, super::WayRule, i64, RoadClass);
    let mut runs: Vec<Run> = Vec::new();
    let mut usable_ways = 0;
    for way in &roads.ways {
        let Some(rule) = profile.way_rule(&way.tags) else {
            continue;
        };
        usable_ways += 1;
        let class = RoadClass::from_tags(&way.tags);
        let mut run: Vec<(i64, [f64; 2])> = Vec::new();
        for &id in &way.nodes {
            match roads.coord(id) {
                Some((lat, lon)) => {
                    if run.last().map(|p| p.0) != Some(id) {
                        run.push((id, [lon, lat]));
                    }
                }
                None => {
                    if run.len() >= 2 {
                        runs.push((std::mem::take(&mut run), rule, way.id, class));
                    }
                    run.clear();
                }
            }
        }
        if run.len() >= 2 {
            runs.push((run, rule, way.id, class));
        }
    }
    let blocking: HashSet<i64> = roads
        .barriers
        .iter()
        .filter(|(_, tags)| profile.barrier_blocks(tags))
        .map(|(id, _)| *id)
        .collect();
    // Use counts: a node used twice (by two ways, or twice by one) is a vertex.
    let mut uses: HashMap<i64, u32> = HashMap::new();
    for (run, ..) in &runs {
        for (i, (id, _)) in run.iter().enumerate() {
            let end = i == 0 || i + 1 == run.len();
            *uses.entry(*id).or_insert(0) += if end { 2 } else { 1 };
        }
    }
    let mut vertex_of: HashMap<i64, u32> = HashMap::new();
    let mut g = RawGraph {
        vertices: Vec::new(),
        edges: Vec::new(),
        geometry_first: vec![0],
        geometry: Vec::new(),
        usable_ways,
        edge_way: Vec::new(),
        edge_class: Vec::new(),
        edge_signals: Vec::new(),
        vertex_of: HashMap::new(),
    };
    let mut vertex = |id: i64, p: [f64; 2], g: &mut RawGraph| -> u32 {
        if blocking.contains(&id) {
            // A fresh dead end on this side of the barrier.
            g.vertices.push(p);
            return (g.vertices.len() - 1) as u32;
        }
        *vertex_of.entry(id).or_insert_with(|| {
            g.vertices.push(p);
            (g.vertices.len() - 1) as u32
        })
    };
    for (run, rule, way_id, class) in &runs {
        let mut start = 0;
        let mut tail = vertex(run[0].0, run[0].1, &mut g);
        let mut length_m = 0.0;
        for k in 1..run.len() {
            length_m += haversine_m(run[k - 1].1, run[k].1);
            let (id, p) = run[k];
            let is_vertex = k + 1 == run.len() || uses[&id] >= 2 || blocking.contains(&id);
            if !is_vertex {
                continue;
            }
            let head = vertex(id, p, &mut g);
            g.geometry.extend(run[start..=k].iter().map(|x| x.1));
            g.geometry_first.push(g.geometry.len() as u32);
            let length_cm = (length_m * 100.0).round().min((u32::MAX - 1) as f64) as u32;
            let ms = travel_ms(length_m, rule.speed_kmh);
            g.edges.push(Edge {
                tail,
                head,
                length_cm,
                forward_ms: if rule.forward { ms } else { FORBIDDEN },
                backward_ms: if rule.backward { ms } else { FORBIDDEN },
            });
            g.edge_way.push(*way_id);
            g.edge_class.push(*class);
            g.edge_signals.push(
                run[start + 1..k]
                    .iter()
                    .filter(|(id, _)| {
                        roads.turn_nodes.get(id).map(String::as_str) == Some("traffic_signals")
                    })
                    .count() as u32,
            );
            start = k;
            length_m = 0.0;
            tail = if blocking.contains(&id) {
                vertex(id, p, &mut g)
            } else {
                head
            };
        }
    }
    g.vertex_of = vertex_of;
    g
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::io::osm::OsmWay;

    pub(crate) fn way(id: i64, nodes: &[i64], tags: &[(&str, &str)]) -> OsmWay {
        OsmWay {
            id,
            nodes: nodes.to_vec(),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    /// Nodes 1..=9 on a line of longitude 0, 0.001 degrees (~111 m) apart.
    pub(crate) fn line_nodes() -> Vec<(i64, f64, f64)> {
        (1..=9).map(|i| (i, 0.0, i as f64 * 0.001)).collect()
    }

    /// The roads `ways` over [`line_nodes`], without barriers.
    pub(crate) fn line_roads(ways: Vec<OsmWay>) -> OsmRoads {
        OsmRoads::from_parts(ways, line_nodes(), HashMap::new())
    }

    /// The truck profile's graph of `roads` and its build report.
    pub(crate) fn truck(roads: &OsmRoads) -> (RoadGraph, BuildReport) {
        RoadGraph::from_roads(roads, &Profile::truck()).unwrap()
    }

    #[test]
    fn degree_two_chains_are_compressed_but_keep_geometry() {
        //  1 - 2 - 3 - 4 - 5   (one way, two-way traffic): one edge, 5 points
        let roads = line_roads(vec![way(
            10,
            &[1, 2, 3, 4, 5],
            &[("highway", "residential")],
        )]);
        let (g, r) = truck(&roads);
        assert_eq!((g.n_vertices(), g.n_edges(), r.arcs), (2, 1, 2));
        assert_eq!(g.edge_geometry(0).len(), 5);
        // 4 x 0.001 degrees of longitude at the equator: 444.8 m.
        let e = g.edge(0);
        assert!(
            (e.length_cm as f64 - 44_478.0).abs() < 30.0,
            "{}",
            e.length_cm
        );
        // 444.78 m at 25 km/h = 64.05 s.
        assert!(
            (e.forward_ms as f64 - 64_048.0).abs() < 10.0,
            "{}",
            e.forward_ms
        );
    }

    #[test]
    fn shared_nodes_become_vertices() {
        // 1-2-3-4-5 and 3-6 (6 far away in latitude): vertex at 3.
        let mut nodes = line_nodes();
        nodes.push((60, 0.001, 0.003));
        let roads = OsmRoads::from_parts(
            vec![
                way(10, &[1, 2, 3, 4, 5], &[("highway", "residential")]),
                way(11, &[3, 60], &[("highway", "residential")]),
            ],
            nodes,
            HashMap::new(),
        );
        let (g, _) = truck(&roads);
        assert_eq!((g.n_vertices(), g.n_edges()), (4, 3));
    }

    #[test]
    fn largest_strongly_connected_component_is_kept() {
        // 1-2-3 two-way; 3 -> 4 -> 5 one-way dead end: 4 and 5 are dropped.
        let roads = line_roads(vec![
            way(10, &[1, 2, 3], &[("highway", "residential")]),
            way(
                11,
                &[3, 4, 5],
                &[("highway", "residential"), ("oneway", "yes")],
            ),
        ]);
        let (g, r) = truck(&roads);
        assert_eq!((g.n_vertices(), g.n_edges()), (2, 1));
        assert_eq!(r.dropped_vertices, 1);
        assert!((r.dropped_km - 0.222).abs() < 0.001, "{}", r.dropped_km);
    }

    #[test]
    fn a_bollard_cuts_the_way() {
        // 1-2-3-4-5 with a bollard at 3; 1 and 5 joined by another road via 9.
        let mut barriers = HashMap::new();
        barriers.insert(3, vec![("barrier".to_string(), "bollard".to_string())]);
        let roads = OsmRoads::from_parts(
            vec![
                way(10, &[1, 2, 3, 4, 5], &[("highway", "residential")]),
                way(11, &[5, 9, 1], &[("highway", "primary")]),
            ],
            line_nodes(),
            barriers.clone(),
        );
        let (g, _) = truck(&roads);
        // Vertices 1, 5 and two dead ends at the bollard (one per side);
        // edges 1-3a, 3b-5, 5-9-1: nothing joins the two copies of node 3.
        assert_eq!(g.n_vertices(), 4);
        assert_eq!(g.n_edges(), 3);
        // The small profile passes bollards: node 3 is no vertex at all.
        let (s, _) = RoadGraph::from_roads(&roads, &Profile::small()).unwrap();
        assert_eq!(s.n_vertices(), 2);
        assert_eq!(s.n_edges(), 2);
    }

    #[test]
    fn private_roads_and_missing_nodes_are_skipped() {
        let roads = line_roads(vec![
            way(10, &[1, 2, 3], &[("highway", "residential")]),
            way(
                11,
                &[3, 4, 5],
                &[("highway", "service"), ("access", "private")],
            ),
            way(12, &[1, 99, 3], &[("highway", "residential")]),
        ]);
        let (g, r) = truck(&roads);
        assert_eq!(r.usable_ways, 2);
        assert_eq!((g.n_vertices(), g.n_edges()), (2, 1));
    }

    #[test]
    fn every_edge_keeps_its_ways_road_class() {
        // 1-2-3 primary (two-way), 3-4-5 residential, 5-9-1 one-way
        // secondary: a dual carriageway by the one-way rule.
        let roads = OsmRoads::from_parts(
            vec![
                way(10, &[1, 2, 3], &[("highway", "primary")]),
                way(11, &[3, 4, 5], &[("highway", "residential")]),
                way(
                    12,
                    &[5, 9, 1],
                    &[("highway", "secondary"), ("oneway", "yes")],
                ),
            ],
            line_nodes(),
            HashMap::new(),
        );
        let (g, _) = RoadGraph::from_roads(&roads, &Profile::truck()).unwrap();
        assert_eq!(g.n_edges(), 3);
        let mut curb = Vec::new();
        for e in 0..g.n_edges() as u32 {
            let c = g.edge_class(e);
            let starts_at = g.edge_geometry(e)[0][0];
            curb.push((
                (starts_at * 1000.0).round() as i64,
                c.primary_or_above(),
                c.dual_carriageway(),
            ));
        }
        curb.sort_unstable();
        assert_eq!(
            curb,
            [(1, true, false), (3, false, false), (5, false, true)]
        );
    }

    #[test]
    fn absurd_travel_times_are_capped() {
        // 10^12 m at 1 km/h would be 3.6e15 ms: capped at about 12 days.
        assert_eq!(travel_ms(1e12, 1.0), crate::graph::MAX_EDGE_MS);
        assert_eq!(travel_ms(1000.0, 36.0), 100_000);
    }

    #[test]
    fn no_usable_road_is_an_input_error() {
        let roads = line_roads(vec![way(10, &[1, 2, 3], &[("highway", "footway")])]);
        let e = RoadGraph::from_roads(&roads, &Profile::truck()).unwrap_err();
        assert!(e.is_input(), "{e}");
    }
}
