//! Each stage of the preparation on a small synthetic network: a street
//! along the equator (nodes 1 to 9, about 111 m apart) with a side street
//! going north from node 5, so that node 5 is a junction.

use super::*;
use crate::domain::Stream;
use crate::graph::Closures;
use crate::io::osm::OsmWay;
use crate::io::plan::{read_facilities, read_fleet, read_pickups};
use crate::plan::InputFiles;
use crate::testutil::{assert_err, assert_mentions};
use std::collections::HashMap;
use std::path::Path;

const FLEET: &str = r#"
[[vehicle]]
name = "compactor"
count = 2
depot = "DEPOT"
capacity_kg = 1000
shift_start = "06:00"
shift_end = "14:00"
fixed_cost = 100
cost_per_km = 1
cost_per_hour = 20
streams = ["household", "medical"]

[[vehicle]]
name = "van"
count = 1
depot = "DEPOT"
capacity_kg = 200
shift_start = "06:00"
shift_end = "14:00"
streams = ["hazardous"]
"#;

const FACILITIES: &str = "id,lat,lon,kind,open,close,unload_s,accepts\n\
DEPOT,0.0,0.0015,depot,05:00,20:00,,\n\
TS,0.0009,0.005,transfer,05:00,20:00,300,household;recyclable\n\
PLANT,0.0,0.002,treatment,05:00,20:00,300,hazardous\n";

/// Pickups, one per outcome: served (P1, P2), unreachable (FAR), cut off by
/// the closures of `closures()` (CUT), no vehicle (REC), too big for the
/// only carrier (HAZ), no facility (MED), a window nobody reaches (DAWN).
const PICKUPS: &str = "id,lat,lon,zone,demand_kg,tw_start,tw_end,stream\n\
P1,0.0001,0.003,urban,100,,,household\n\
P2,0.0,0.004,rural,50,,,household\n\
FAR,0.02,0.005,urban,10,,,household\n\
CUT,0.0,0.008,urban,10,,,household\n\
REC,0.0,0.003,urban,10,,,recyclable\n\
HAZ,0.0,0.003,urban,500,,,hazardous\n\
MED,0.0,0.003,urban,10,,,medical\n\
DAWN,0.0,0.0035,urban,10,06:00,06:00,household\n";

struct Case {
    dir: tempfile::TempDir,
    input: PlanInput,
}

fn case(fleet: &str, facilities: &str, pickups: &str) -> Case {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let (fl, fa, pi) = (
        write("fleet.toml", fleet),
        write("facilities.csv", facilities),
        write("pickups.csv", pickups),
    );
    let input = PlanInput {
        osm: dir.path().join("none.osm.pbf"),
        pickups: read_pickups(&pi).unwrap(),
        facilities: read_facilities(&fa).unwrap(),
        fleet: read_fleet(&fl).unwrap(),
        closures: None,
        files: InputFiles {
            pickups: pi.display().to_string(),
            ..InputFiles::default()
        },
    };
    Case { dir, input }
}

fn standard() -> Case {
    case(FLEET, FACILITIES, PICKUPS)
}

/// The standard case with the first `from` of the fleet file replaced by `to`.
fn fleet_edited(from: &str, to: &str) -> Case {
    case(&FLEET.replacen(from, to, 1), FACILITIES, PICKUPS)
}

fn way(id: i64, nodes: &[i64]) -> OsmWay {
    OsmWay {
        id,
        nodes: nodes.to_vec(),
        tags: vec![("highway".into(), "residential".into())],
    }
}

fn roads() -> OsmRoads {
    let mut nodes: Vec<(i64, f64, f64)> = (1..=9).map(|i| (i, 0.0, i as f64 * 0.001)).collect();
    nodes.push((10, 0.002, 0.005));
    OsmRoads::from_parts(
        vec![
            way(1, &[1, 2, 3, 4, 5]),
            way(2, &[5, 6, 7, 8, 9]),
            way(3, &[5, 10]),
        ],
        nodes,
        HashMap::new(),
    )
}

/// A polygon over nodes 7 and 8: closes the street east of the junction.
fn closures() -> Closures {
    Closures::from_geojson_str(
        r#"{"type":"Polygon","coordinates":[[[0.0065,-0.001],[0.0085,-0.001],[0.0085,0.001],[0.0065,0.001],[0.0065,-0.001]]]}"#,
    )
    .unwrap()
}

fn opts() -> PlanOptions {
    PlanOptions::default()
}

fn locate_all(input: &PlanInput) -> (Checked, Located) {
    let checked = check_inputs(input, &opts()).unwrap();
    let profiles = load_profiles(input, &checked).unwrap();
    let graphs = build_graphs(input, &profiles, &roads()).unwrap();
    let located = locate(input, &opts(), &checked.profile_specs, graphs).unwrap();
    (checked, located)
}

/// The stages up to the matrices.
fn through_matrices(input: &PlanInput) -> (Checked, Located, Screened, Matrices) {
    let (checked, mut located) = locate_all(input);
    let s = explain_unservable(input, &opts(), &checked, &located.profiles);
    let m = matrices(input.facilities.len(), &s.candidates, &mut located.profiles).unwrap();
    (checked, located, s, m)
}

fn id_of(input: &PlanInput, pi: usize) -> &str {
    &input.pickups[pi].id
}

#[test]
fn check_inputs_resolves_depots_shifts_and_shared_profiles() {
    let c = standard();
    let checked = check_inputs(&c.input, &opts()).unwrap();
    assert_eq!(checked.type_depot, vec![0, 0]);
    assert_eq!(checked.shifts, vec![(6 * 3600, 14 * 3600); 2]);
    // Both types drive the default truck profile: one graph for both.
    assert_eq!(checked.profile_specs, vec!["truck".to_string()]);
    assert_eq!(checked.type_profile, vec![0, 0]);
    assert_eq!(
        checked.type_streams[1],
        crate::domain::stream_set(&[Stream::Hazardous])
    );
}

#[test]
fn check_inputs_refuses_cross_file_mistakes_naming_file_and_field() {
    let c = fleet_edited("depot = \"DEPOT\"", "depot = \"TS\"");
    assert_err(
        check_inputs(&c.input, &opts()),
        &["fleet.toml", "compactor", "not a depot"],
    );
    let c = case(
        FLEET,
        FACILITIES,
        &format!("{PICKUPS}BIG,0.0,0.003,urban,5000,,,household\n"),
    );
    assert_err(
        check_inputs(&c.input, &opts()),
        &["pickups.csv:10", "demand_kg"],
    );
}

#[test]
fn check_inputs_refuses_a_run_above_the_memory_limit_before_any_matrix() {
    let c = standard();
    let tiny = PlanOptions {
        max_memory_gb: Some(1e-7),
        ..opts()
    };
    let e = check_inputs(&c.input, &tiny).unwrap_err();
    assert!(e.is_input());
    assert_mentions(
        &e,
        &["pickups.csv", "split the district", "--max-memory-gb"],
    );
    assert!(
        check_inputs(
            &c.input,
            &PlanOptions {
                max_memory_gb: Some(1.0),
                ..opts()
            }
        )
        .is_ok()
    );
}

#[test]
fn road_networks_read_the_extract_once_and_name_bad_profiles_and_files() {
    let mut c = standard();
    c.input.osm =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/monaco-roads-tiny.osm.pbf");
    let checked = check_inputs(&c.input, &opts()).unwrap();
    let n = road_networks(&c.input, &checked).unwrap();
    assert_eq!(n.graphs.len(), 1);
    assert!(n.graphs[0].n_edges() > 0);
    // A profile file that is not there names the vehicle type using it.
    let c2 = fleet_edited(
        "name = \"van\"",
        "name = \"van\"\nprofile = \"no-such.toml\"",
    );
    let checked = check_inputs(&c2.input, &opts()).unwrap();
    assert_err(road_networks(&c2.input, &checked), &["no-such.toml"]);
    // An empty extract names its file.
    let empty = c.dir.path().join("empty.osm.pbf");
    std::fs::write(&empty, b"").unwrap();
    c.input.osm = empty;
    let checked = check_inputs(&c.input, &opts()).unwrap();
    assert_err(
        road_networks(&c.input, &checked),
        &["empty.osm.pbf", "empty"],
    );
}

#[test]
fn locate_snaps_every_point_and_finds_what_closures_cut_off() {
    let mut c = standard();
    let (_, open) = locate_all(&c.input);
    let nf = c.input.facilities.len();
    let far = nf + 2;
    let cut = nf + 3;
    assert_eq!(open.coords.len(), nf + c.input.pickups.len());
    let pd = &open.profiles[0];
    assert_eq!(pd.name, "truck");
    assert!(!pd.usable[far] && pd.snaps[far].distance_m() > 1000.0);
    assert!(pd.usable[cut] && !pd.cut_off.iter().any(|&x| x));
    c.input.closures = Some((c.dir.path().join("c.geojson"), closures()));
    let (_, closed) = locate_all(&c.input);
    let pd = &closed.profiles[0];
    assert!(pd.cut_off[cut] && !pd.usable[cut]);
    // The depot and the pickups west of the junction are not cut off.
    assert!(pd.usable[0] && pd.usable[nf] && pd.usable[nf + 1]);
}

#[test]
fn require_on_roads_names_a_facility_no_profile_reaches() {
    let c = standard();
    let (checked, mut located) = locate_all(&c.input);
    assert!(require_on_roads(&c.input, &opts(), &checked, &located.profiles).is_ok());
    // 5,000 km away: nothing reaches the transfer station.
    let far = case(
        FLEET,
        &FACILITIES.replace("TS,0.0009,0.005", "TS,45.0,0.005"),
        PICKUPS,
    );
    let (checked_far, located_far) = locate_all(&far.input);
    let e = require_on_roads(&far.input, &opts(), &checked_far, &located_far.profiles).unwrap_err();
    assert!(matches!(e, Error::Routing(_)), "{e}");
    assert_mentions(
        &e,
        &["transfer 'TS'", "facilities.csv: line 3", "limit 300 m"],
    );
    // A transfer station the closures cut off.
    let (usable, cut) = (
        located.profiles[0].usable[1],
        located.profiles[0].cut_off[1],
    );
    located.profiles[0].usable[1] = false;
    located.profiles[0].cut_off[1] = true;
    let e = require_on_roads(&c.input, &opts(), &checked, &located.profiles).unwrap_err();
    assert!(e.to_string().contains("cut off by the closures"), "{e}");
    located.profiles[0].usable[1] = usable;
    located.profiles[0].cut_off[1] = cut;
    // A depot off the roads of its vehicles.
    located.profiles[0].usable[0] = false;
    let e = require_on_roads(&c.input, &opts(), &checked, &located.profiles).unwrap_err();
    assert!(e.to_string().contains("depot 'DEPOT'"), "{e}");
}

#[test]
fn a_facility_some_profiles_reach_is_kept_for_their_vehicles_only() {
    let c = fleet_edited("name = \"van\"", "name = \"van\"\nprofile = \"small\"");
    let (checked, mut located) = locate_all(&c.input);
    assert_eq!(checked.profile_specs.len(), 2);
    // The plant (record 2) off the small profile's roads only: fine.
    located.profiles[1].usable[2] = false;
    require_on_roads(&c.input, &opts(), &checked, &located.profiles).unwrap();
    let s = explain_unservable(&c.input, &opts(), &checked, &located.profiles);
    let plant = s.unload_recs.iter().position(|&f| f == 2).unwrap();
    assert_eq!(s.facility_types[plant], 0, "the van may not unload there");
    // Off every profile: refused.
    located.profiles[0].usable[2] = false;
    assert!(require_on_roads(&c.input, &opts(), &checked, &located.profiles).is_err());
}

#[test]
fn explain_unservable_gives_each_pickup_its_reason() {
    let mut c = standard();
    c.input.closures = Some((c.dir.path().join("c.geojson"), closures()));
    let (checked, located) = locate_all(&c.input);
    let s = explain_unservable(&c.input, &opts(), &checked, &located.profiles);
    let reasons: HashMap<&str, UnservedReason> = s
        .unserved
        .iter()
        .map(|u| (u.id.as_str(), u.reason))
        .collect();
    assert_eq!(reasons["FAR"], UnservedReason::Unreachable);
    assert_eq!(reasons["CUT"], UnservedReason::Closures);
    assert_eq!(reasons["REC"], UnservedReason::NoVehicle);
    assert_eq!(reasons["HAZ"], UnservedReason::Capacity);
    assert_eq!(reasons["MED"], UnservedReason::NoFacility);
    assert_eq!(s.unserved.len(), 5);
    let ids: Vec<&str> = s
        .candidates
        .iter()
        .map(|&(pi, _)| id_of(&c.input, pi))
        .collect();
    assert_eq!(ids, ["P1", "P2", "DAWN"]);
    // Household pickups: the compactor (type 0) only.
    assert!(s.candidates.iter().all(|&(_, t)| t == 1));
    // The transfer station takes the compactor, the plant the van.
    assert_eq!(s.unload_recs, vec![1, 2]);
    assert_eq!(s.facility_types, vec![1, 2]);
}

#[test]
fn matrices_cover_facilities_then_candidates_with_unreachable_pairs_marked() {
    let c = standard();
    let (checked, mut located) = locate_all(&c.input);
    let s = explain_unservable(&c.input, &opts(), &checked, &located.profiles);
    let nf = c.input.facilities.len();
    let m = matrices(nf, &s.candidates, &mut located.profiles).unwrap();
    let n = nf + s.candidates.len();
    assert_eq!(m.loc_point.len(), n);
    assert_eq!(&m.loc_point[..nf], &[0, 1, 2]);
    let d = &m.profiles[0].distance;
    assert_eq!(d.size(), n);
    for i in 0..n {
        assert_eq!(d.get(i, i), 0);
        for j in 0..n {
            assert!(
                i == j || (0 < d.get(i, j) && d.get(i, j) < DISCONNECTED),
                "{i} {j}"
            );
        }
    }
    // Depot (lon 0.0015) to P1 (lon 0.003): about 167 m of street.
    assert!((150..200).contains(&d.get(0, nf)), "{}", d.get(0, nf));
    // A location the profile cannot use is unreachable from everywhere else.
    located.profiles[0].usable[nf] = false;
    let m = matrices(nf, &s.candidates, &mut located.profiles).unwrap();
    assert_eq!(m.profiles[0].duration.get(0, nf), DISCONNECTED);
    assert_eq!(m.profiles[0].duration.get(nf, nf), 0);
}

#[test]
fn screen_time_windows_drops_a_window_no_vehicle_reaches_in_its_shift() {
    let c = standard();
    let (checked, _, mut s, m) = through_matrices(&c.input);
    let before = s.unserved.len();
    screen_time_windows(&c.input, &checked, &mut s, &m.profiles);
    assert_eq!(s.unserved.len(), before + 1);
    let u = s.unserved.last().unwrap();
    assert_eq!(
        (u.id.as_str(), u.reason),
        ("DAWN", UnservedReason::TimeWindow)
    );
    assert!(u.detail.contains("06:00-06:00"), "{}", u.detail);
    let types: Vec<VehicleSet> = s.candidates.iter().map(|&(_, t)| t).collect();
    // P1, P2, CUT (no closures here) keep the compactor; DAWN has no vehicle.
    assert_eq!(types, [1, 1, 1, 0]);
}

#[test]
fn build_problem_keeps_the_servable_pickups_as_clients_with_prizes() {
    let c = standard();
    let (checked, located, mut s, m) = through_matrices(&c.input);
    screen_time_windows(&c.input, &checked, &mut s, &m.profiles);
    let b = build_problem(
        &c.input,
        &checked,
        &s,
        m.profiles,
        &m.loc_point,
        &located.coords,
    )
    .unwrap();
    let p = &b.problem;
    assert_eq!(b.client_pickup, vec![0, 1, 3]);
    assert_eq!(p.n_clients(), 3);
    assert_eq!(b.depot_recs, vec![0]);
    assert_eq!(p.facilities().len(), 2);
    assert_eq!(p.vehicle_types().len(), 2);
    let (urban, rural) = (&p.clients()[0], &p.clients()[1]);
    assert_eq!(urban.demand[0], 100);
    // Required (urban) pickups weigh more than optional (rural) ones.
    assert!(urban.prize > rural.prize, "{} {}", urban.prize, rural.prize);
    let t = &p.vehicle_types()[0];
    // The fixed cost of 100 in the fleet's cost unit.
    assert_eq!(t.fixed_cost, checked.costs.types[0].fixed);
    assert!((checked.costs.unit.currency(t.fixed_cost) - 100.0).abs() < 1e-9);
    assert_eq!((t.shift.start, t.shift.end), (6 * 3600, 14 * 3600));
}
