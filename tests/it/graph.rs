//! Road graphs built from the tiny Monaco extract.

use std::path::PathBuf;

use wasteroute::graph::{Profile, RoadGraph, Snap};

/// The 16 KB cut of central Monaco.
pub fn tiny_monaco() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/monaco-roads-tiny.osm.pbf")
}

/// The whole Monaco extract (0.56 MB).
pub fn monaco() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/monaco-latest.osm.pbf")
}

#[test]
fn monaco_truck_graph_keeps_most_roads_and_small_keeps_more() {
    let (t, rt) = RoadGraph::from_osm(&monaco(), &Profile::truck()).unwrap();
    let (s, rs) = RoadGraph::from_osm(&monaco(), &Profile::small()).unwrap();
    // Truck: about 740 vertices and 53 km kept, 10 km dropped.
    assert!(t.n_vertices() > 600 && rt.km > 45.0, "{rt:?}");
    assert!(rt.dropped_km < rt.km / 3.0, "{rt:?}");
    // The small vehicle also uses living streets and pedestrian streets.
    assert!(rs.km > rt.km, "{rs:?} vs {rt:?}");
    assert!(s.n_edges() > t.n_edges());
}

#[test]
fn tiny_monaco_builds_a_connected_truck_graph() {
    let (g, r) = RoadGraph::from_osm(&tiny_monaco(), &Profile::truck()).unwrap();
    assert_eq!(r.vertices, g.n_vertices());
    // The cut keeps whole ways but not the streets they lead to, so many
    // one-way ends are not strongly connected and are dropped: about 40
    // vertices and 2.5 km stay (of about 12 km of usable road).
    assert!(g.n_vertices() > 30, "{r:?}");
    assert!(r.km > 2.0 && r.km < 5.0, "{r:?}");
    assert!(r.dropped_km > 5.0, "{r:?}");
    assert!(r.components > 1);
    // Every edge is usable in at least one direction.
    assert!(g.edges().iter().all(|e| e.forward() || e.backward()));
    // One-way streets exist in Monaco.
    assert!(g.edges().iter().any(|e| e.forward() != e.backward()));
}

#[test]
fn tiny_monaco_round_trips_through_the_graph_file() {
    let (g, _) = RoadGraph::from_osm(&tiny_monaco(), &Profile::truck()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("monaco.wrg");
    g.save(&p).unwrap();
    let h = RoadGraph::load(&p).unwrap();
    assert_eq!(h.edges(), g.edges());
    assert_eq!(h.profile_name(), "truck");
}

#[test]
fn points_in_central_monaco_snap_and_points_at_sea_do_not() {
    let (g, _) = RoadGraph::from_osm(&tiny_monaco(), &Profile::truck()).unwrap();
    // Near the Boulevard des Moulins, and 5 km out at sea.
    let s = g.snap(&[(43.7385, 7.4215), (43.70, 7.45)], 300.0).unwrap();
    let p = s[0].on_road().expect("on road");
    assert!(p.distance_m < 100.0, "{p:?}");
    assert!(matches!(s[1], Snap::TooFar { distance_m } if distance_m > 3000.0));
}

#[test]
fn shipped_profile_files_equal_the_built_ins() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/profiles");
    for (file, builtin) in [
        ("truck.toml", Profile::truck()),
        ("small.toml", Profile::small()),
    ] {
        let p = Profile::from_toml_file(&dir.join(file)).unwrap();
        assert_eq!(p, builtin, "{file}");
    }
}

#[test]
fn a_bad_profile_file_names_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.toml");
    std::fs::write(&p, "base = \"truck\"\nheight_m = \"tall\"\n").unwrap();
    let e = Profile::from_toml_file(&p).unwrap_err();
    assert!(e.is_input());
    assert!(e.to_string().contains("p.toml"), "{e}");
    assert!(e.to_string().contains("height_m"), "{e}");
}
