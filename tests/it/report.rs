//! Dispatcher reports (issue 6) on a real plan folder: a small plan on
//! Monaco (© OpenStreetMap contributors, ODbL 1.0) with a closure and
//! pickups whose names are HTML, written by the library like `plan` does.
//!
//! The browser test drives the real `map.html` in headless Chromium and the
//! GPX test validates against the official GPX 1.1 schema with `xmllint`.
//! Both skip with a message when the tool is absent; `.ci/run` installs
//! them, so CI runs them.

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use wasteroute::plan::{self, PlanInput, PlanOptions};
use wasteroute::report::{self, PlanFolder};
use wasteroute::solver::{Silent, SolveParams};

const XSS: &str = "<script>alert(1)</script>";
const XSS2: &str = "<img src=x onerror=alert(2)>";

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The plan folder all tests read, built once per run under the target
/// folder (so it can be opened after the tests); tests copy it before
/// changing anything.
fn plan_dir() -> &'static Path {
    &written().0
}

/// The plan folder of [`plan_dir`] and the plan's summary, unserved
/// pickups and routes as they were written.
fn written() -> &'static (
    PathBuf,
    plan::Summary,
    Vec<plan::Unserved>,
    Vec<plan::PlannedRoute>,
) {
    static DIR: OnceLock<(
        PathBuf,
        plan::Summary,
        Vec<plan::Unserved>,
        Vec<plan::PlannedRoute>,
    )> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-plan");
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        let d = root.as_path();
        for f in ["facilities.csv", "fleet.toml"] {
            fs::copy(data("plan").join(f), d.join(f)).unwrap();
        }
        // M01 (inside the closure, so unserved) and M02 (served) carry
        // markup in their names; X90 is in the sea (unreachable).
        let pickups = fs::read_to_string(data("plan/pickups.csv"))
            .unwrap()
            .replace(",Stop 1\n", &format!(",{XSS}\n"))
            .replace(",Stop 2\n", &format!(",{XSS2}\n"))
            + "X90,43.700000,7.500000,rural,50,,60,,,household,,\"Quote \"\"&\"\" <b>bold</b>\"\n";
        fs::write(d.join("pickups.csv"), pickups).unwrap();
        fs::write(
            d.join("flood.geojson"),
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"factor":0},
            "geometry":{"type":"Polygon","coordinates":[[[7.4335,43.7472],[7.4360,43.7472],[7.4360,43.7490],[7.4335,43.7490],[7.4335,43.7472]]]}}]}"#,
        )
        .unwrap();
        let input = PlanInput::load(
            &data("monaco-latest.osm.pbf"),
            &d.join("pickups.csv"),
            &d.join("facilities.csv"),
            &d.join("fleet.toml"),
            Some(&d.join("flood.geojson")),
        )
        .unwrap();
        let opts = PlanOptions {
            params: SolveParams {
                seed: 1,
                ..SolveParams::for_plans()
            },
            iterations: Some(80),
            recombine: false,
            ..PlanOptions::default()
        };
        let mut p = plan::run(&input, &opts, &mut Silent).unwrap();
        plan::write(&d.join("out"), &mut p, &[]).unwrap();
        report::write_reports(&d.join("out")).unwrap();
        (d.join("out"), p.summary, p.unserved, p.routes)
    })
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(p).unwrap()).unwrap()
}

fn trip_features(dir: &Path) -> usize {
    read_json(&dir.join("routes.geojson"))["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["feature"] == "trip")
        .count()
}

/// A copy of the plan folder to change.
fn copy_plan() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for e in fs::read_dir(plan_dir()).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            fs::copy(e.path(), tmp.path().join(e.file_name())).unwrap();
        }
    }
    tmp
}

#[test]
fn reports_cover_every_vehicle_and_unserved_pickup() {
    let dir = plan_dir();
    let summary = read_json(&dir.join("summary.json"));
    let plan = PlanFolder::read(dir).unwrap();
    let n_routes = summary["routes"].as_array().unwrap().len();
    assert!(n_routes >= 1);
    assert_eq!(plan.vehicles.len(), n_routes);
    let reasons: Vec<&str> = plan.unserved.iter().map(|u| u.reason.name()).collect();
    assert!(reasons.contains(&"closures"), "{reasons:?}");
    assert!(reasons.contains(&"unreachable"), "{reasons:?}");
    assert_eq!(
        plan.unserved.len(),
        summary["unserved"].as_array().unwrap().len()
    );
    let trips: usize = plan.vehicles.iter().map(|v| v.trips.len()).sum();
    assert_eq!(trips, trip_features(dir));
    for v in &plan.vehicles {
        let gpx = dir.join("gpx").join(format!("{}.gpx", v.summary.vehicle));
        assert!(gpx.is_file(), "{}", gpx.display());
    }
    let sheets = fs::read_to_string(dir.join("route_sheets.html")).unwrap();
    assert_eq!(
        sheets.matches("<section class=\"sheet\">").count(),
        n_routes
    );
    assert!(sheets.contains("break-after: page"));
    assert_eq!(sheets.matches("<svg class=\"overview\"").count(), n_routes);
}

#[test]
fn input_strings_are_escaped_in_every_report() {
    let dir = plan_dir();
    let map = fs::read_to_string(dir.join("map.html")).unwrap();
    let sheets = fs::read_to_string(dir.join("route_sheets.html")).unwrap();
    for raw in [XSS, XSS2, "<b>bold</b>"] {
        assert!(!map.contains(raw), "map.html holds raw {raw}");
        assert!(!sheets.contains(raw), "route_sheets.html holds raw {raw}");
    }
    // The unserved M01's name is in the map's data, escaped for a script block.
    assert!(map.contains(r"\u003cscript\u003ealert(1)\u003c/script\u003e"));
    // The served M02 is on a sheet and in a GPX file, escaped as text.
    assert!(sheets.contains("&lt;img src=x onerror=alert(2)&gt;"));
    let gpx: String = fs::read_dir(dir.join("gpx"))
        .unwrap()
        .map(|e| fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(gpx.contains("<cmt>&lt;img src=x onerror=alert(2)&gt;</cmt>"));
    assert!(!gpx.contains(XSS2));
}

#[test]
fn a_written_plan_reads_back_equal() {
    let (dir, summary, unserved, routes) = written();
    let folder = PlanFolder::read(dir).unwrap();
    // summary.json leaves out the names of unserved pickups
    // (unserved.geojson has them).
    let mut expected = summary.clone();
    for u in &mut expected.unserved {
        u.name.clear();
    }
    assert_eq!(folder.summary, expected);
    assert_eq!(&folder.unserved, unserved);
    assert_eq!(folder.vehicles.len(), routes.len());
    for (v, r) in folder.vehicles.iter().zip(routes) {
        assert_eq!(v.summary.vehicle, r.vehicle);
        assert_eq!(v.stops.len(), r.stops.len());
        for (row, s) in v.stops.iter().zip(&r.stops) {
            let mut want = plan::StopRow::new(r, s);
            // routes.csv holds positions to 6 decimals and km to 3.
            assert!((row.lat - want.lat).abs() < 5e-7 && (row.lon - want.lon).abs() < 5e-7);
            assert!((row.km - want.km).abs() < 5e-4);
            (want.lat, want.lon, want.km) = (row.lat, row.lon, row.km);
            assert_eq!(row, &want);
        }
        // The trips read back are the trips written, field by field.
        assert_eq!(v.trips, r.trips);
    }
    // Rows read back write the same routes.csv.
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(plan::StopRow::COLUMNS).unwrap();
    for v in &folder.vehicles {
        for s in &v.stops {
            w.serialize(s).unwrap();
        }
    }
    let again = String::from_utf8(w.into_inner().unwrap()).unwrap();
    assert_eq!(again, fs::read_to_string(dir.join("routes.csv")).unwrap());
}

#[test]
fn a_renamed_or_missing_field_fails_naming_the_file_and_the_field() {
    let tmp = copy_plan();
    let path = tmp.path().join("summary.json");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(
        &path,
        text.replace("\"vehicles_used\"", "\"vehicles_in_use\""),
    )
    .unwrap();
    let e = PlanFolder::read(tmp.path()).unwrap_err().to_string();
    assert!(
        e.contains("summary.json") && e.contains("vehicles_used"),
        "{e}"
    );

    let tmp = copy_plan();
    let path = tmp.path().join("routes.csv");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replacen("load_m3", "volume_m3", 1)).unwrap();
    let e = PlanFolder::read(tmp.path()).unwrap_err().to_string();
    assert!(e.contains("routes.csv") && e.contains("load_m3"), "{e}");

    let tmp = copy_plan();
    let path = tmp.path().join("routes.geojson");
    let mut gj = read_json(&path);
    let trip = gj["features"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|f| f["properties"]["feature"] == "trip")
        .unwrap();
    let props = trip["properties"].as_object_mut().unwrap();
    let km = props.remove("km").unwrap();
    props.insert("kilometres".into(), km);
    fs::write(&path, gj.to_string()).unwrap();
    let e = PlanFolder::read(tmp.path()).unwrap_err().to_string();
    assert!(e.contains("routes.geojson") && e.contains("`km`"), "{e}");

    let tmp = copy_plan();
    let path = tmp.path().join("unserved.geojson");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("\"reason\"", "\"why\"")).unwrap();
    let e = PlanFolder::read(tmp.path()).unwrap_err().to_string();
    assert!(
        e.contains("unserved.geojson") && e.contains("reason"),
        "{e}"
    );
}

#[test]
fn a_summary_of_schema_version_1_still_reads() {
    // Version 1 wrote violations as sentences and, before
    // phases_peak_rss_mb existed, did not write it.
    let tmp = copy_plan();
    let path = tmp.path().join("summary.json");
    let mut s = read_json(&path);
    s["schema_version"] = Value::from(1);
    s["violations"] = serde_json::json!(["truck-1 is 5 min late at TS"]);
    s.as_object_mut().unwrap().remove("phases_peak_rss_mb");
    fs::write(&path, s.to_string()).unwrap();
    let folder = PlanFolder::read(tmp.path()).unwrap();
    assert_eq!(folder.summary.schema_version, 1);
    assert_eq!(folder.summary.violations.len(), 1);
    assert_eq!(folder.summary.violations[0].kind, "");
    assert_eq!(
        folder.summary.violations[0].detail,
        "truck-1 is 5 min late at TS"
    );
    assert_eq!(
        folder.summary.phases_peak_rss_mb,
        plan::PhasePeaks::default()
    );
    // A hand-written folder of version 1, as the map's load test builds.
    let tmp = tempfile::tempdir().unwrap();
    synthetic_plan(tmp.path(), 40, 3, 5);
    let folder = PlanFolder::read(tmp.path()).unwrap();
    assert_eq!(folder.vehicles.len(), 3);
    assert_eq!(folder.unserved.len(), 5);
}

#[test]
fn map_without_the_osm_extract_says_so_and_still_draws_the_plan() {
    let tmp = copy_plan();
    let mut s = read_json(&tmp.path().join("summary.json"));
    s["inputs"]["osm"] = Value::from("/nonexistent/gone.osm.pbf");
    s["inputs"]["closures"] = Value::from("/nonexistent/flood.geojson");
    fs::write(tmp.path().join("summary.json"), s.to_string()).unwrap();
    let files = report::write_reports(tmp.path()).unwrap();
    assert_eq!(files.notes.len(), 2, "{:?}", files.notes);
    assert!(files.notes[0].contains("gone.osm.pbf"), "{:?}", files.notes);
    let map = fs::read_to_string(&files.map).unwrap();
    assert!(map.contains("No road base layer"));
    assert!(map.contains("\"lines\":[]"));
    // No temporary files are left behind.
    let leftovers: Vec<String> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn malformed_plan_files_name_the_file() {
    let tmp = copy_plan();
    fs::write(tmp.path().join("summary.json"), "{\"routes\": [}").unwrap();
    let e = report::write_reports(tmp.path()).unwrap_err();
    assert!(
        e.is_input() && e.to_string().contains("summary.json:1"),
        "{e}"
    );

    let tmp = copy_plan();
    let csv = fs::read_to_string(tmp.path().join("routes.csv")).unwrap();
    let mut lines: Vec<String> = csv.lines().map(String::from).collect();
    lines[2] = lines[2].replacen(",pickup,", ",parcel,", 1);
    fs::write(tmp.path().join("routes.csv"), lines.join("\n")).unwrap();
    let e = report::write_reports(tmp.path()).unwrap_err();
    assert!(e.to_string().contains("routes.csv:3"), "{e}");

    let tmp = copy_plan();
    fs::remove_file(tmp.path().join("routes.geojson")).unwrap();
    let e = report::write_reports(tmp.path()).unwrap_err();
    assert!(
        matches!(e, wasteroute::Error::Io { .. }) && e.to_string().contains("routes.geojson"),
        "{e}"
    );
}

#[test]
fn base_layer_keeps_only_the_roads_around_the_plan() {
    let osm = data("monaco-latest.osm.pbf");
    let all = report::BaseLayer::from_osm(&osm, None).unwrap();
    assert!(!all.missing && all.lines.len() > 500, "{}", all.lines.len());
    assert!(all.note.contains("OpenStreetMap contributors, ODbL 1.0"));
    // A box around Monaco's port keeps part of the network (2 km margin:
    // most of it, Monaco is small); a box 50 km away keeps nothing.
    let port = report::BaseLayer::from_osm(&osm, Some([7.4200, 43.7340, 7.4220, 43.7360])).unwrap();
    assert!(!port.lines.is_empty() && port.lines.len() <= all.lines.len());
    let far = report::BaseLayer::from_osm(&osm, Some([8.0, 43.7, 8.01, 43.71])).unwrap();
    assert!(far.lines.is_empty());
    // Delta-decoded, every line stays near Monaco (7.40..7.45 E, 43.72..43.76 N).
    for l in &all.lines {
        let (mut x, mut y) = (0i64, 0i64);
        for p in l.chunks(2) {
            x += p[0];
            y += p[1];
            assert!(
                (739_000..=745_500).contains(&x) && (4_371_000..=4_376_500).contains(&y),
                "{x} {y}"
            );
        }
    }
}

#[test]
fn map_command_rebuilds_the_reports_and_exits_2_on_a_missing_folder() {
    let tmp = copy_plan();
    let out = Command::new(env!("CARGO_BIN_EXE_wasteroute"))
        .arg("map")
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(tmp.path().join("map.html").is_file());
    assert!(tmp.path().join("route_sheets.html").is_file());
    assert!(fs::read_dir(tmp.path().join("gpx")).unwrap().count() >= 1);
    let out = Command::new(env!("CARGO_BIN_EXE_wasteroute"))
        .args(["map", "/nonexistent/plan"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("summary.json"));
}

/// A plan folder in which no vehicle is used and every pickup is unserved.
fn empty_plan() -> tempfile::TempDir {
    let tmp = copy_plan();
    let d = tmp.path();
    let header = fs::read_to_string(d.join("routes.csv")).unwrap();
    fs::write(
        d.join("routes.csv"),
        header.lines().next().unwrap().to_string() + "\n",
    )
    .unwrap();
    fs::write(
        d.join("routes.geojson"),
        r#"{"type":"FeatureCollection","features":[]}"#,
    )
    .unwrap();
    let mut s = read_json(&d.join("summary.json"));
    s["routes"] = Value::Array(vec![]);
    s["trips"] = Value::from(0);
    fs::write(d.join("summary.json"), s.to_string()).unwrap();
    let _ = fs::remove_dir_all(d.join("gpx"));
    tmp
}

#[test]
fn a_plan_without_routes_still_gets_its_reports() {
    let tmp = empty_plan();
    let files = report::write_reports(tmp.path()).unwrap();
    assert!(files.gpx.is_empty());
    let sheets = fs::read_to_string(&files.route_sheets).unwrap();
    assert!(sheets.contains("No routes"));
}

#[test]
fn gpx_files_are_valid_gpx_1_1() {
    let dir = plan_dir();
    if Command::new("xmllint").arg("--version").output().is_err() {
        eprintln!(
            "SKIPPED gpx_files_are_valid_gpx_1_1: xmllint not found (Debian package libxml2-utils; .ci/run installs it)"
        );
        return;
    }
    let files: Vec<PathBuf> = fs::read_dir(dir.join("gpx"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(!files.is_empty());
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(data("gpx/gpx.xsd"))
        .args(&files)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(err.matches(" validates").count(), files.len(), "{err}");
}

/// Headless Chromium, if installed.
pub(crate) fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("WASTEROUTE_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// Runs Chromium headless on `page` (with `#fragment` if not empty) with
/// `action` (`--dump-dom` or `--screenshot=FILE`) and returns its stdout,
/// killing it if it hangs (ten minutes).
pub(crate) fn run_chromium(bin: &Path, page: &Path, fragment: &str, action: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            "--hide-scrollbars",
            "--window-size=1400,900",
            "--virtual-time-budget=20000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(action)
        .arg(format!(
            "file://{}{fragment}",
            page.canonicalize().unwrap().display()
        ))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).unwrap();
        s
    });
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        // A guard against a hung browser, not a speed check: the page runs
        // on virtual time and finishes in seconds, and a loaded machine
        // must not fail the test (issue 11, item 11).
        if started.elapsed() > Duration::from_secs(600) {
            let _ = child.kill();
            panic!("chromium hung: no exit in 600 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().unwrap()
}

/// The page's `#wr-status` JSON from a `--dump-dom` of it.
pub(crate) fn page_status(dom: &str) -> Value {
    let start = dom.find("id=\"wr-status\"").expect("#wr-status in the DOM");
    let open = start + dom[start..].find('>').unwrap() + 1;
    let close = open + dom[open..].find("</pre>").unwrap();
    let text = dom[open..close]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("status {text:?}: {e}"))
}

#[test]
fn map_page_runs_in_headless_chromium() {
    let dir = plan_dir();
    let Some(bin) = chromium() else {
        eprintln!(
            "SKIPPED map_page_runs_in_headless_chromium: chromium not found (Debian package chromium; .ci/run installs it)"
        );
        return;
    };
    let summary = read_json(&dir.join("summary.json"));
    let dom = run_chromium(&bin, &dir.join("map.html"), "", "--dump-dom");
    let st = page_status(&dom);
    assert_eq!(st["errors"], Value::Array(vec![]), "script errors: {st}");
    assert_eq!(st["done"], true, "{st}");
    assert_eq!(st["routes"], trip_features(dir), "{st}");
    assert_eq!(
        st["unserved"],
        summary["unserved"].as_array().unwrap().len(),
        "{st}"
    );
    assert!(st["unserved"].as_u64().unwrap() >= 2);
    assert!(st["base_lines"].as_u64().unwrap() > 100, "{st}");
    // The names are in the page as text, never as markup.
    assert!(!dom.contains(XSS) && !dom.contains(XSS2));
    assert!(dom.contains("leaflet-container"));

    // A plan with no route draws its unserved pickups without errors.
    let empty = empty_plan();
    report::write_reports(empty.path()).unwrap();
    let st = page_status(&run_chromium(
        &bin,
        &empty.path().join("map.html"),
        "",
        "--dump-dom",
    ));
    assert_eq!(st["errors"], Value::Array(vec![]), "script errors: {st}");
    assert_eq!(st["routes"], 0, "{st}");
    assert_eq!(
        st["unserved"],
        summary["unserved"].as_array().unwrap().len(),
        "{st}"
    );

    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-map.png");
    let _ = fs::remove_file(&shot);
    run_chromium(
        &bin,
        &dir.join("map.html"),
        "",
        &format!("--screenshot={}", shot.display()),
    );
    let png = fs::read(&shot).expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000);
    eprintln!("map screenshot: {}", shot.display());
}

/// Deterministic pseudo-random numbers in `0..1` (SplitMix64).
fn rng(seed: &mut u64) -> f64 {
    *seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *seed;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
}

/// A synthetic plan folder with `n_routes` routes sharing `n_pickups`
/// pickups on Malta (the largest extract in `../shared/data/osm/`, used as
/// the base layer), each trip's geometry a wiggly line through its stops
/// with 12 points per leg, like road geometry.
fn synthetic_plan(dir: &Path, n_pickups: usize, n_routes: usize, n_unserved: usize) {
    let osm =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/osm/malta-latest.osm.pbf");
    let mut seed = 7u64;
    let (lat0, lon0) = (35.84, 14.36);
    let mut csv = String::from(
        "vehicle,vehicle_type,trip,seq,kind,id,name,lat,lon,arrival,departure,demand_kg,load_kg,load_m3,km\n",
    );
    let mut features = Vec::new();
    let mut routes = Vec::new();
    let depot = (35.88, 14.45);
    for r in 0..n_routes {
        let per = n_pickups / n_routes + usize::from(r < n_pickups % n_routes);
        let vehicle = format!("truck-{}", r + 1);
        let (clat, clon) = (lat0 + 0.1 * rng(&mut seed), lon0 + 0.2 * rng(&mut seed));
        let mut seq = 0;
        let mut t = 6 * 60;
        let mut row = |kind: &str,
                       id: &str,
                       trip: usize,
                       lat: f64,
                       lon: f64,
                       load: f64,
                       seq: usize,
                       t: i32| {
            csv.push_str(&format!(
                "{vehicle},truck,{trip},{seq},{kind},{id},{id} name,{lat:.6},{lon:.6},{:02}:{:02},{:02}:{:02},10,{load},0,{:.3}\n",
                t / 60, t % 60, (t + 1) / 60, (t + 1) % 60, seq as f64 * 0.3
            ));
        };
        row("depot", "DEPOT", 1, depot.0, depot.1, 0.0, seq, t);
        let mut prev = depot;
        let mut line: Vec<[f64; 2]> = vec![[depot.1, depot.0]];
        let trips = 3;
        for k in 0..per {
            let trip = k * trips / per + 1;
            seq += 1;
            t += 3;
            let p = (clat + 0.02 * rng(&mut seed), clon + 0.02 * rng(&mut seed));
            for s in 1..=12 {
                let f = s as f64 / 12.0;
                let w = 0.0002 * (rng(&mut seed) - 0.5);
                line.push([
                    prev.1 + (p.1 - prev.1) * f + w,
                    prev.0 + (p.0 - prev.0) * f + w,
                ]);
            }
            prev = p;
            row(
                "pickup",
                &format!("P{r}-{k}"),
                trip,
                p.0,
                p.1,
                10.0 * k as f64,
                seq,
                t,
            );
            let last_of_trip = (k + 1) * trips / per + 1 != trip || k + 1 == per;
            if last_of_trip {
                seq += 1;
                row("facility", "TS", trip, 35.87, 14.50, 0.0, seq, t);
                line.push([14.50, 35.87]);
                if k + 1 == per {
                    line.push([depot.1, depot.0]);
                }
                features.push(serde_json::json!({"type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": line},
                    "properties": {"feature": "trip", "vehicle": vehicle, "vehicle_type": "truck",
                        "trip": trip, "km": 10.0, "pickups": per / trips, "load_kg": 1000.0, "facility": "TS"}}));
                line = vec![[14.50, 35.87]];
                prev = (35.87, 14.50);
            }
        }
        seq += 1;
        row("depot", "DEPOT", trips, depot.0, depot.1, 0.0, seq, t + 10);
        routes.push(serde_json::json!({"vehicle": vehicle, "vehicle_type": "truck", "start": "06:00",
            "end": "14:00", "trips": trips, "pickups": per, "load_kg": 5000.0, "km": 60.0, "hours": 8.0, "cost": 300.0}));
    }
    let unserved: Vec<Value> = (0..n_unserved)
        .map(|k| {
            serde_json::json!({"type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon0 + 0.2 * rng(&mut seed), lat0 + 0.1 * rng(&mut seed)]},
                "properties": {"id": format!("U{k}"), "name": XSS, "reason": "fleet", "detail": "out of shift time",
                    "zone": "rural", "stream": "household", "demand_kg": 50.0, "required": false}})
        })
        .collect();
    let summary = serde_json::json!({
        "schema_version": 1,
        "coverage": {"urban": {"points_total": n_pickups, "points_served": n_pickups, "demand_total_kg": 1.0,
            "demand_served_kg": 1.0, "share_points": 1.0, "share_demand": 1.0, "target": 1.0, "met": true},
            "rural": {"points_total": n_unserved + 10, "points_served": 10, "demand_total_kg": 1.0,
            "demand_served_kg": 0.5, "share_points": 0.5, "share_demand": 0.5, "target": 0.95, "met": false}},
        "coverage_by_stream": {},
        "targets_met": false, "blockers": ["rural target 95% not met"],
        "unserved": unserved.iter().map(|f| {
            let p = &f["properties"];
            let c = &f["geometry"]["coordinates"];
            serde_json::json!({"id": p["id"], "reason": "fleet", "detail": "out of shift time",
                "zone": "rural", "stream": "household", "demand_kg": 50.0, "required": false,
                "lat": c[1], "lon": c[0]})
        }).collect::<Vec<_>>(),
        "unserved_by_reason": {"fleet": n_unserved},
        "vehicles_used": n_routes, "vehicles_by_type": {"truck": n_routes}, "trips": n_routes * 3,
        "km": 60.0 * n_routes as f64, "hours": 8.0 * n_routes as f64, "cost": 300.0 * n_routes as f64,
        "routes": routes, "feasible": true, "violations": [], "seed": 1, "threads": 1,
        "iterations": 0, "stopped_by": "iterations", "runtime_s": 0.0,
        "phases": {"graph_s": 0.0, "snap_s": 0.0, "matrix_s": 0.0, "solve_s": 0.0, "geometry_s": 0.0,
            "output_s": 0.0},
        "peak_rss_mb": null,
        "inputs": {"osm": osm.display().to_string(), "pickups": "", "facilities": "", "fleet": "", "closures": null},
    });
    fs::write(dir.join("summary.json"), summary.to_string()).unwrap();
    fs::write(dir.join("routes.csv"), csv).unwrap();
    fs::write(
        dir.join("routes.geojson"),
        serde_json::json!({"type": "FeatureCollection", "features": features}).to_string(),
    )
    .unwrap();
    fs::write(
        dir.join("unserved.geojson"),
        serde_json::json!({"type": "FeatureCollection", "features": unserved}).to_string(),
    )
    .unwrap();
}

/// The quality bar of issue 6: 5,000 pickups and 60 routes over Malta's
/// road network. Prints the page's own timings (ms since navigation start:
/// script start, data drawn, first paint; a zoom step's redraw) and the
/// wall time of the whole headless run.
///
/// `cargo test --test it map_stays_responsive -- --ignored --nocapture`
#[test]
#[ignore = "performance measurement; needs Chromium and ../shared/data/osm"]
fn map_stays_responsive_with_5000_pickups_and_60_routes() {
    let Some(bin) = chromium() else {
        eprintln!("SKIPPED: chromium not found");
        return;
    };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-5000");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    synthetic_plan(&dir, 5000, 60, 200);
    let t = Instant::now();
    let files = report::write_reports(&dir).unwrap();
    let write_s = t.elapsed().as_secs_f64();
    assert!(files.notes.is_empty(), "{:?}", files.notes);
    let size_mb = fs::metadata(&files.map).unwrap().len() as f64 / 1e6;
    let mut runs = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let dom = run_chromium(&bin, &files.map, "#wr-bench", "--dump-dom");
        let wall = t.elapsed().as_secs_f64();
        let st = page_status(&dom);
        assert_eq!(st["errors"], Value::Array(vec![]), "{st}");
        assert_eq!(st["routes"], 180, "{st}");
        assert_eq!(st["unserved"], 200, "{st}");
        runs.push((st, wall));
    }
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-map-5000.png");
    run_chromium(
        &bin,
        &files.map,
        "",
        &format!("--screenshot={}", shot.display()),
    );
    eprintln!(
        "map.html {size_mb:.1} MB written in {write_s:.2} s (base layer + page); screenshot {}",
        shot.display()
    );
    for (st, wall) in &runs {
        let ms = |k: &str| st[k].as_f64().unwrap_or(f64::NAN);
        eprintln!(
            "script start {:.0} ms, layers built {:.0} ms (build {:.0} ms), first draw {:.0} ms, \
             zoom in {:.0} ms, zoom out {:.0} ms, {} base lines, {} stops; chromium run {wall:.2} s",
            ms("script_start_ms"),
            ms("ready_ms"),
            ms("build_ms"),
            ms("first_draw_ms"),
            ms("zoom_in_ms"),
            ms("zoom_out_ms"),
            st["base_lines"],
            st["stops"],
        );
    }
}
