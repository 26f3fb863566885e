//! The Kim et al. (2006) waste-collection VRPTW format: the real 102-stop
//! instance, malformed variants naming the line and field, and the two
//! solution JSON shapes.

use std::path::{Path, PathBuf};

use wasteroute::Error;
use wasteroute::io::kim::{
    CheckerSolution, KimKind, KimMetric, KimRoute, KimSolution, checker_to_json, parse_instance,
    read_instance, read_solution, solution_to_json, write_checker_solution, write_solution,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/kim")
        .join(name)
}

#[test]
fn the_102_stop_instance_has_one_depot_two_landfills_and_99_stops() {
    let inst = read_instance(fixture("102_stop.txt")).unwrap();
    assert_eq!(inst.name(), "102_stop");
    assert_eq!(inst.capacity(), 280.0);
    assert_eq!(inst.daily_capacity(), 400.0);
    assert_eq!(inst.max_stops(), 500);
    assert_eq!(inst.lunch_duration_s(), 3600.0);
    assert_eq!(inst.speed_mph(), 40.0);
    assert_eq!(inst.nodes().len(), 102);
    assert_eq!(inst.depot(), 0);
    assert_eq!(inst.landfills().collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(inst.stops().count(), 99);

    // "0   1215029.00   3461398.00  0400 1500 0  9999.00 0"
    let depot = &inst.nodes()[0];
    assert_eq!(depot.kind, KimKind::Depot);
    assert_eq!((depot.early_s, depot.late_s), (4 * 3600, 15 * 3600));
    assert_eq!(depot.load, 0.0, "the 9999 placeholder is not a load");
    // "1   1229125.00   3460107.00  0000 2400 1600  9999.00 2"
    let landfill = &inst.nodes()[1];
    assert_eq!(landfill.kind, KimKind::Landfill);
    assert_eq!((landfill.early_s, landfill.late_s), (0, 24 * 3600));
    assert_eq!(landfill.service_s, 1600.0);
    // "3   1208344.00   3469904.00  0700 2400 180    12.00 1"
    let stop = &inst.nodes()[3];
    assert_eq!(stop.id, "3");
    assert_eq!((stop.x_ft, stop.y_ft), (1208344.0, 3469904.0));
    assert_eq!(stop.early_s, 7 * 3600);
    assert_eq!(
        (stop.service_s, stop.load, stop.kind),
        (180.0, 12.0, KimKind::Stop)
    );

    // The format page's worked example: stop 0 to stop 1 is 15,387 ft
    // Manhattan = 2.914 mi = 262.3 s at 40 mph.
    let miles = inst.distance_miles(0, 1, KimMetric::Manhattan);
    assert!((miles - 15387.0 / 5280.0).abs() < 1e-12);
    let secs = inst.travel_time_s(0, 1, KimMetric::Manhattan);
    assert!((secs - 262.3).abs() < 0.05, "{secs}");
    // Euclidean: sqrt(14096^2 + 1291^2) = 14155.0 ft.
    let feet = inst.distance_miles(0, 1, KimMetric::Euclidean) * 5280.0;
    assert!((feet - 14096f64.hypot(1291.0)).abs() < 1e-6);
}

/// A small valid instance; line numbers in the comment on the right.
const SMALL: &str = "\
280.0 \t\t// vehicle capacity (yards), real number
400.0\t\t// total yardage allowed for a vehicle per day
500\t\t// total number of regular stops
3600\t\t// lunch time duration in second
40\t\t// speed: MPH
Stop_ID\tX(feet)\tY(feet)\tEarly_St_Time (HHMM)\tLate_St_Time (HHMM)\tSvice_Time(Sec)\tLoad (Yards)\t\"Stop_Type(0: Depot, 1: regular stop, 2: Landfill)\"
0   0   0  0400 1500 0  9999.00 0
1   5280   0  0000 2400 1600  9999.00 2
2   0   5280  0700 2400 180    12.00 1
3   5280   5280  0000 0700 120    6.5 1
";
// lines 1-5 header values, 6 column header, 7 depot, 8 landfill, 9-10 stops

fn small_with(line: usize, with: &str) -> String {
    let mut lines: Vec<&str> = SMALL.lines().collect();
    if with.is_empty() {
        lines.remove(line - 1);
    } else {
        lines[line - 1] = with;
    }
    lines.join("\n") + "\n"
}

#[track_caller]
fn assert_kim_error(text: &str, line: usize, field: &str, needle: &str) {
    match parse_instance(text, "bad_stop.txt") {
        Err(Error::Input { location, message }) => {
            assert_eq!(
                (location.line, location.field.as_deref()),
                (Some(line), Some(field)),
                "message: {message}"
            );
            assert_eq!(location.file.as_deref(), Some(Path::new("bad_stop.txt")));
            assert!(
                message.contains(needle),
                "message {message:?} lacks {needle:?}"
            );
        }
        other => panic!("expected an input error, got {other:?}"),
    }
}

#[test]
fn small_instance_parses_with_tabs_quotes_crlf_and_blank_lines() {
    let inst = parse_instance(SMALL, "small_stop.txt").unwrap();
    assert_eq!(inst.nodes().len(), 4);
    assert_eq!(inst.nodes()[3].load, 6.5);
    let crlf = SMALL
        .replace('\n', "\r\n")
        .replace("Stop_ID", "\r\n\r\nStop_ID");
    assert_eq!(parse_instance(&crlf, "small_stop.txt").unwrap(), inst);
    // 335_stop style: tab separated, empty columns, trailing tabs, times
    // without leading zero.
    let tabs = small_with(9, "2\t0\t5280\t\t700\t2400\t180\t12\t1\t\t\t\t");
    let inst = parse_instance(&tabs, "small_stop.txt").unwrap();
    assert_eq!(inst.nodes()[2].early_s, 7 * 3600);
}

#[test]
fn hhmm_with_minutes_above_59_is_read_literally() {
    // 1675 = 16 h + 75 min = 17:15, as the checker reads it.
    let inst = parse_instance(&small_with(9, "2 0 5280 0775 1675 180 12 1"), "s.txt").unwrap();
    let stop = &inst.nodes()[2];
    assert_eq!(stop.early_s, 7 * 3600 + 75 * 60);
    assert_eq!(stop.late_s, 17 * 3600 + 15 * 60);
}

#[test]
fn header_errors_name_the_header_line() {
    assert_kim_error(
        &small_with(2, "four hundred // yards per day"),
        2,
        "daily_capacity",
        "expected the yards allowed per vehicle per day (a positive number) on header line 2, \
         found 'four'",
    );
    // One header line missing: the column header is read as the speed.
    assert_kim_error(&small_with(4, ""), 5, "speed", "found 'Stop_ID'");
    assert_kim_error(
        &small_with(3, "0 // stops"),
        3,
        "max_stops",
        "positive integer",
    );
    assert_kim_error(
        &small_with(3, "2.5 // stops"),
        3,
        "max_stops",
        "positive integer",
    );
    assert_kim_error(
        &small_with(5, "-40 // speed"),
        5,
        "speed",
        "positive number",
    );
    // No column header: a data row comes right after the 5 header lines.
    assert_kim_error(
        &small_with(6, ""),
        6,
        "header",
        "expected the column header",
    );
}

#[test]
fn truncated_files_say_what_is_missing() {
    let cut: String = SMALL.lines().take(3).map(|l| format!("{l}\n")).collect();
    assert_kim_error(
        &cut,
        3,
        "lunch_duration",
        "the file ends after 3 header line(s)",
    );
    let cut: String = SMALL.lines().take(5).map(|l| format!("{l}\n")).collect();
    assert_kim_error(&cut, 5, "header", "expected the column header");
    let cut: String = SMALL.lines().take(6).map(|l| format!("{l}\n")).collect();
    assert_kim_error(&cut, 6, "Stop_Type", "no depot");
    // A row cut in the middle.
    let cut: String = SMALL
        .lines()
        .take(9)
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        + "3 5280 5280 0000";
    assert_kim_error(&cut, 10, "row", "expected 8 fields");
}

#[test]
fn row_errors_name_the_line_and_column() {
    assert_kim_error(
        &small_with(9, "2 0 5280 0700 2400 180 12"),
        9,
        "row",
        "found 7",
    );
    assert_kim_error(
        &small_with(9, "2 0 5280 0700 2400 180 12 1 9"),
        9,
        "row",
        "found 9",
    );
    assert_kim_error(
        &small_with(9, "2 east 5280 0700 2400 180 12 1"),
        9,
        "X",
        "expected the x coordinate of stop 2 as a number, found 'east'",
    );
    assert_kim_error(
        &small_with(9, "2 0 5280 7:00 2400 180 12 1"),
        9,
        "Early_St_Time",
        "HHMM",
    );
    assert_kim_error(
        &small_with(9, "2 0 5280 0700 -100 180 12 1"),
        9,
        "Late_St_Time",
        "HHMM",
    );
    assert_kim_error(
        &small_with(9, "2 0 5280 1500 0700 180 12 1"),
        9,
        "Late_St_Time",
        "early 1500 is after late 0700",
    );
    assert_kim_error(
        &small_with(9, "2 0 5280 0700 2400 -5 12 1"),
        9,
        "Service_Time",
        "negative",
    );
    assert_kim_error(
        &small_with(9, "2 0 5280 0700 2400 180 -12 1"),
        9,
        "Load",
        "negative",
    );
    assert_kim_error(
        &small_with(9, "2 0 5280 0700 2400 180 12 3"),
        9,
        "Stop_Type",
        "found '3'",
    );
    assert_kim_error(
        &small_with(9, "2 0 5280 0700 2400 180 300 1"),
        9,
        "Load",
        "above the vehicle capacity 280 yd",
    );
}

#[test]
fn structure_errors_depot_landfill_and_ids() {
    assert_kim_error(
        &small_with(9, "2 0 5280 0700 2400 180 12 0"),
        9,
        "Stop_Type",
        "a second depot (stop 2, type 0): the format has exactly one, and line 7 is already",
    );
    assert_kim_error(&small_with(7, ""), 9, "Stop_Type", "no depot");
    assert_kim_error(&small_with(8, ""), 9, "Stop_Type", "no landfill");
    assert_kim_error(
        &small_with(9, "2 0 5280 0700 2400 180 12 2").replace("6.5 1", "6.5 2"),
        10,
        "Stop_Type",
        "no regular stop",
    );
    // "0002" is the id 2 to the checker, so it repeats stop 2.
    assert_kim_error(
        &small_with(10, "0002 5280 5280 0000 0700 120 6.5 1"),
        10,
        "Stop_ID",
        "stop id 0002 appears twice; the first time on line 9",
    );
}

#[test]
fn unreadable_file_is_an_io_error() {
    let err = read_instance("/nonexistent/102_stop.txt").unwrap_err();
    assert!(matches!(err, Error::Io { .. }));
}

// ---------------------------------------------------------------------------
// Solutions
// ---------------------------------------------------------------------------

fn two_routes() -> KimSolution {
    KimSolution {
        routes: vec![
            KimRoute {
                stops: ["0", "2", "3", "1", "0"].map(String::from).to_vec(),
                lunch_start_s: Some(41400.0),
            },
            KimRoute {
                stops: ["0", "5", "1", "0"].map(String::from).to_vec(),
                lunch_start_s: None,
            },
        ],
        vehicles: 2,
        distance_miles: 12.5,
    }
}

#[test]
fn out_json_has_the_issue_4_shape() {
    let json = solution_to_json(&two_routes()).unwrap();
    assert_eq!(
        json,
        "{\"routes\":[{\"stops\":[\"0\",\"2\",\"3\",\"1\",\"0\"],\"lunch_start_s\":41400},\
         {\"stops\":[\"0\",\"5\",\"1\",\"0\"],\"lunch_start_s\":null}],\
         \"vehicles\":2,\"distance_miles\":12.5}\n"
    );
}

#[test]
fn checker_json_has_the_kim_py_shape() {
    let checker = two_routes().to_checker();
    assert_eq!(
        checker_to_json(&checker).unwrap(),
        "{\"routes\":[[\"0\",\"2\",\"3\",\"1\",\"0\"],[\"0\",\"5\",\"1\",\"0\"]],\
         \"lunch\":[41400,null]}\n"
    );
    // Fractional seconds are kept.
    let mut sol = two_routes();
    sol.routes[0].lunch_start_s = Some(41400.5);
    assert!(
        checker_to_json(&sol.to_checker())
            .unwrap()
            .contains("[41400.5,null]")
    );
    // The checker's own examples omit "lunch"; reading that works too.
    let read: CheckerSolution =
        serde_json::from_str("{\"routes\": [[\"0\", \"1\", \"0\"]]}").unwrap();
    assert!(read.lunch.is_empty());
}

#[test]
fn solutions_round_trip_through_files_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sol.json");
    write_solution(&out, &two_routes()).unwrap();
    assert_eq!(read_solution(&out).unwrap(), two_routes());
    let chk = dir.path().join("check.json");
    write_checker_solution(&chk, &two_routes().to_checker()).unwrap();
    let back: CheckerSolution =
        serde_json::from_str(&std::fs::read_to_string(&chk).unwrap()).unwrap();
    assert_eq!(back, two_routes().to_checker());
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, vec!["check.json", "sol.json"]);
}

#[test]
fn non_finite_numbers_are_refused() {
    let mut sol = two_routes();
    sol.distance_miles = f64::INFINITY;
    assert!(matches!(solution_to_json(&sol), Err(Error::Invalid(_))));
    let mut sol = two_routes();
    sol.routes[1].lunch_start_s = Some(f64::NAN);
    assert!(matches!(solution_to_json(&sol), Err(Error::Invalid(_))));
    assert!(matches!(
        checker_to_json(&sol.to_checker()),
        Err(Error::Invalid(_))
    ));
}

#[test]
fn malformed_solution_json_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, "{\"routes\": [],\n \"vehicles\": \"two\"}").unwrap();
    match read_solution(&path) {
        Err(Error::Input { location, .. }) => {
            assert_eq!(location.line, Some(2));
            assert_eq!(location.file.as_deref(), Some(path.as_path()));
        }
        other => panic!("expected an input error, got {other:?}"),
    }
}

/// Writes a trivially feasible solution of 102_stop (one vehicle per stop:
/// depot, stop, nearest landfill, depot) and runs the independent checker
/// `../shared/tools/kim/kim.py` on it, if Python and the checker are there.
#[test]
#[ignore = "needs python3 and ../shared/tools/kim/kim.py"]
fn independent_checker_accepts_the_written_json() {
    let inst = read_instance(fixture("102_stop.txt")).unwrap();
    let landfill = inst.landfills().next().unwrap();
    let id = |i: usize| inst.nodes()[i].id.clone();
    let routes: Vec<KimRoute> = inst
        .stops()
        .map(|s| KimRoute {
            stops: vec![id(inst.depot()), id(s), id(landfill), id(inst.depot())],
            lunch_start_s: None,
        })
        .collect();
    let sol = KimSolution {
        vehicles: routes.len(),
        routes,
        distance_miles: 0.0,
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("check.json");
    write_checker_solution(&path, &sol.to_checker()).unwrap();
    let checker = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/kim/kim.py");
    let out = std::process::Command::new("python3")
        .arg(&checker)
        .arg("check")
        .arg(fixture("102_stop.txt"))
        .arg(&path)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "checker rejected the solution");
}

#[test]
fn mutated_instances_give_errors_not_panics() {
    let text = std::fs::read_to_string(fixture("102_stop.txt")).unwrap();
    for variant in crate::cvrplib::mutations(&text, 600) {
        if let Err(Error::Input { location, .. }) = parse_instance(&variant, "m.txt") {
            assert!(location.line.is_some());
        }
    }
}
