//! Matrices through the public API and the command line.

use std::process::Command;

use wasteroute::graph::{Closures, Profile, RoadGraph, Snap, SnappedPoint};
use wasteroute::matrix::{Router, cut_off_points};

use crate::graph::{monaco, tiny_monaco};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wasteroute"))
}

/// Points along the Monaco harbour and up the hill.
const MONACO_POINTS: &[(f64, f64)] = &[
    (43.7347, 7.4206),
    (43.7384, 7.4244),
    (43.7311, 7.4197),
    (43.7403, 7.4270),
    (43.7282, 7.4158),
    (43.7445, 7.4300),
];

fn snapped(g: &RoadGraph) -> Vec<SnappedPoint> {
    g.snap(MONACO_POINTS, 300.0)
        .unwrap()
        .iter()
        .map(|s| *s.on_road().expect("all Monaco points are near a road"))
        .collect()
}

#[test]
fn monaco_matrix_is_complete_plausible_and_matches_legs() {
    let (g, _) = RoadGraph::from_osm(&monaco(), &Profile::truck()).unwrap();
    let pts = snapped(&g);
    let router = Router::new(&g);
    let m = router.matrix(&pts).unwrap();
    assert_eq!(m.n_unreachable(), 0);
    for i in 0..pts.len() {
        assert_eq!(m.duration(i, i), Some(0));
        for j in 0..pts.len() {
            let (d, x) = (m.duration(i, j).unwrap(), m.distance(i, j).unwrap());
            if i != j {
                // Monaco is 3 km across: legs of 0.1-6 km at 10-80 km/h.
                assert!(x > 50 && x < 6000, "({i},{j}) {x} m");
                let kmh = x as f64 / d as f64 * 3.6;
                assert!(kmh > 5.0 && kmh < 80.0, "({i},{j}) {kmh} km/h");
            }
            let leg = router.route(&pts[i], &pts[j]).unwrap();
            assert_eq!((leg.duration_s, leg.distance_m), (d, x));
        }
    }
}

#[test]
fn closing_the_streets_around_a_point_cuts_it_off() {
    let (g, _) = RoadGraph::from_osm(&monaco(), &Profile::truck()).unwrap();
    let pts = snapped(&g);
    // A 60 m square around point 0 closes every street near it.
    let (lat, lon) = (pts[0].lat, pts[0].lon);
    let (dl, dn) = (0.0003, 0.0004);
    let c = Closures::from_geojson_str(&format!(
        r#"{{"type":"Polygon","coordinates":[[[{a},{b}],[{c},{b}],[{c},{d}],[{a},{d}],[{a},{b}]]]}}"#,
        a = lon - dn,
        b = lat - dl,
        c = lon + dn,
        d = lat + dl
    ))
    .unwrap();
    let (h, report) = g.with_closures(&c);
    assert!(report.edges_closed >= 1);
    let open = Router::new(&g).matrix(&pts).unwrap();
    let closed = Router::new(&h).matrix(&pts).unwrap();
    assert_eq!(cut_off_points(&open, &closed).unwrap(), vec![0]);
    assert_eq!(closed.duration(0, 1), None);
    assert_eq!(closed.duration(1, 0), None);
    assert_eq!(closed.duration(0, 0), Some(0));
    assert!(closed.duration(1, 2).is_some());
}

#[test]
fn cli_builds_a_graph_and_writes_a_matrix_csv() {
    let dir = tempfile::tempdir().unwrap();
    let graph = dir.path().join("tiny.wrg");
    let st = bin()
        .args(["graph", "build", "--osm"])
        .arg(tiny_monaco())
        .arg("--out")
        .arg(&graph)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    assert!(String::from_utf8_lossy(&st.stdout).contains("vertices"));
    let points = dir.path().join("p.csv");
    std::fs::write(
        &points,
        "id,lat,lon\na,43.7385,7.4215\nb,43.7390,7.4230\nsea,43.70,7.45\n",
    )
    .unwrap();
    let out = dir.path().join("m.csv");
    let st = bin()
        .args(["graph", "matrix", "--graph"])
        .arg(&graph)
        .arg("--points")
        .arg(&points)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let stderr = String::from_utf8_lossy(&st.stderr);
    assert!(stderr.contains("'sea'"), "{stderr}");
    let csv = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "from_id,to_id,duration_s,distance_m");
    assert_eq!(lines.len(), 1 + 9);
    assert_eq!(lines[1], "a,a,0,0");
    assert!(lines.contains(&"a,sea,,"));
    let ab: Vec<&str> = lines[2].split(',').collect();
    assert_eq!(&ab[..2], &["a", "b"]);
    assert!(ab[2].parse::<u32>().unwrap() > 0);
}

#[test]
fn cli_refuses_a_corrupt_graph_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let (g, _) = RoadGraph::from_osm(&tiny_monaco(), &Profile::truck()).unwrap();
    let graph = dir.path().join("g.wrg");
    g.save(&graph).unwrap();
    let mut bytes = std::fs::read(&graph).unwrap();
    let k = bytes.len() / 2;
    bytes[k] ^= 1;
    std::fs::write(&graph, bytes).unwrap();
    let points = dir.path().join("p.csv");
    std::fs::write(&points, "id,lat,lon\na,43.7385,7.4215\n").unwrap();
    let st = bin()
        .args(["graph", "matrix", "--graph"])
        .arg(&graph)
        .arg("--points")
        .arg(&points)
        .output()
        .unwrap();
    assert_eq!(st.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&st.stderr).contains("checksum"));
}

#[test]
fn cli_reports_bad_points_with_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let (g, _) = RoadGraph::from_osm(&tiny_monaco(), &Profile::truck()).unwrap();
    let graph = dir.path().join("g.wrg");
    g.save(&graph).unwrap();
    let points = dir.path().join("p.csv");
    std::fs::write(&points, "id,lat,lon\na,43.7385,7.4215\nb,143.0,7.4\n").unwrap();
    let st = bin()
        .args(["graph", "matrix", "--graph"])
        .arg(&graph)
        .arg("--points")
        .arg(&points)
        .output()
        .unwrap();
    assert_eq!(st.status.code(), Some(2));
    let e = String::from_utf8_lossy(&st.stderr);
    assert!(e.contains(":3: field 'lat'"), "{e}");
}

#[test]
fn too_far_points_are_reported_with_their_distance() {
    let (g, _) = RoadGraph::from_osm(&tiny_monaco(), &Profile::truck()).unwrap();
    let s = g
        .snap(&[(43.7385, 7.4215), (43.7385, 7.4600)], 300.0)
        .unwrap();
    assert!(s[0].on_road().is_some());
    // 0.04 degrees of longitude east at 43.7 N: about 3 km from the cut.
    assert!(matches!(s[1], Snap::TooFar { distance_m } if distance_m > 2000.0));
}
