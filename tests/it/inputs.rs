//! Careless and hostile inputs through the command line: each is refused
//! with its exit code and a message naming the file, the line or record and
//! the field, before any large allocation, and nothing panics.

use crate::plan::{Fixture, data};
use std::fs;
use std::path::Path;
use std::process::Command;

/// Runs the binary; returns the exit code and stderr.
fn run(args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wasteroute"))
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// `plan` on the fixture (with `osm` as the extract), a few iterations.
fn plan(fx: &Fixture, osm: &Path, extra: &[&str]) -> (i32, String) {
    plan_with(fx, osm, "pickups.csv", extra, &[])
}

fn plan_with(
    fx: &Fixture,
    osm: &Path,
    pickups: &str,
    extra: &[&str],
    env: &[(&str, &str)],
) -> (i32, String) {
    let (p, f, v, o) = (
        s(&fx.path(pickups)),
        s(&fx.path("facilities.csv")),
        s(&fx.path("fleet.toml")),
        s(&fx.path("out")),
    );
    let mut args = vec![
        "plan",
        "--osm",
        osm.to_str().unwrap(),
        "--pickups",
        &p,
        "--facilities",
        &f,
        "--fleet",
        &v,
        "--out",
        &o,
        "--iterations",
        "5",
    ];
    args.extend_from_slice(extra);
    run(&args, env)
}

fn monaco() -> std::path::PathBuf {
    data("monaco-latest.osm.pbf")
}

/// One line on stderr, the expected code, and every needle in it.
fn assert_refused((code, err): (i32, String), expected: i32, needles: &[&str]) {
    assert_eq!(code, expected, "{err}");
    for n in needles {
        assert!(err.contains(n), "'{n}' not in: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_break_outside_the_shift_is_refused_at_input() {
    let fx = Fixture::new();
    fx.replace(
        "fleet.toml",
        "break = { earliest = \"09:00\", latest = \"10:00\", duration_s = 900 }",
        "break = { earliest = \"18:30\", latest = \"19:00\", duration_s = 900 }",
    );
    assert_refused(
        plan(&fx, &monaco(), &[]),
        2,
        &[
            "fleet.toml:10",
            "vehicle 'compactor'.break.earliest",
            "06:00-12:00",
        ],
    );
}

#[test]
fn misspelled_columns_are_refused_with_the_closest_known_one() {
    let fx = Fixture::new();
    fx.replace("pickups.csv", ",stream,", ",streem,");
    assert_refused(
        plan(&fx, &monaco(), &[]),
        2,
        &["pickups.csv:1", "'streem'", "did you mean 'stream'"],
    );
    let fx = Fixture::new();
    fx.replace("pickups.csv", ",tw_start,", ",tw_strat,");
    assert_refused(plan(&fx, &monaco(), &[]), 2, &["did you mean 'tw_start'"]);
}

#[test]
fn a_facility_off_the_map_is_a_routing_error_naming_it() {
    let fx = Fixture::new();
    // The transfer station moved 5,000 km south, to the Gulf of Guinea.
    fx.replace("facilities.csv", "TS,43.727396,7.413247", "TS,1.0,7.413247");
    assert_refused(
        plan(&fx, &monaco(), &[]),
        3,
        &["transfer 'TS'", "facilities.csv: line 3", "nearest road"],
    );
}

#[test]
fn numeric_flags_that_make_no_sense_are_usage_errors() {
    let fx = Fixture::new();
    for bad in [
        &["--seconds", "nan"][..],
        &["--seconds=-1"],
        &["--seconds", "inf"],
        &["--snap-limit-m=-5"],
        &["--threads", "0"],
    ] {
        let (code, err) = plan(&fx, &monaco(), bad);
        assert_eq!(code, 2, "{bad:?}: {err}");
        assert!(err.contains("invalid value"), "{bad:?}: {err}");
    }
}

#[test]
fn params_the_method_does_not_use_are_refused_by_name() {
    let fx = Fixture::new();
    let params = fx.path("params.toml");
    fs::write(&params, "method = \"ils\"\nmu = 30\n").unwrap();
    assert_refused(
        plan(&fx, &monaco(), &["--params", params.to_str().unwrap()]),
        2,
        &["params.toml:2", "'mu'", "method = \"ils\" does not use it"],
    );
    let cvrp = data("cvrplib/X-n101-k25.vrp");
    fs::write(&params, "restart_after = 10\n").unwrap();
    assert_refused(
        run(
            &[
                "cvrp",
                "solve",
                cvrp.to_str().unwrap(),
                "--iterations",
                "1",
                "--params",
                params.to_str().unwrap(),
            ],
            &[],
        ),
        2,
        &["params.toml:1", "'restart_after'"],
    );
}

#[test]
fn damaged_extracts_are_input_errors_naming_the_file_in_plan_and_graph_build() {
    let fx = Fixture::new();
    let good = fs::read(monaco()).unwrap();
    let cut = fx.path("cut.osm.pbf");
    fs::write(&cut, &good[..good.len() / 2]).unwrap();
    let empty = fx.path("empty.osm.pbf");
    fs::write(&empty, b"").unwrap();
    for (pbf, what) in [(&cut, "truncated"), (&empty, "empty")] {
        let name = pbf.file_name().unwrap().to_str().unwrap();
        assert_refused(plan(&fx, pbf, &[]), 2, &[name, what]);
        let out = s(&fx.path("g.wrg"));
        assert_refused(
            run(
                &[
                    "graph",
                    "build",
                    "--osm",
                    pbf.to_str().unwrap(),
                    "--out",
                    &out,
                ],
                &[],
            ),
            2,
            &[name, what],
        );
    }
}

#[test]
fn text_that_is_not_utf8_names_the_line_and_the_field() {
    let fx = Fixture::new();
    let mut csv = fs::read(fx.path("pickups.csv")).unwrap();
    csv.extend_from_slice(b"X1,43.74,7.42,urban,10,,,,,household,,Caf\xe9\n");
    fs::write(fx.path("pickups.csv"), csv).unwrap();
    assert_refused(
        plan(&fx, &monaco(), &[]),
        2,
        &["pickups.csv:39", "'name'", "UTF-8"],
    );
}

#[test]
fn geojson_pickups_with_unknown_properties_are_refused() {
    let fx = Fixture::new();
    let geo = fx.path("pickups.geojson");
    fs::write(
        &geo,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[7.4128,43.7308]},"properties":{"id":"G1","zone":"urban","demand_kg":10,"tw_strat":"07:00"}}]}"#,
    )
    .unwrap();
    assert_refused(
        plan_with(&fx, &monaco(), "pickups.geojson", &[], &[]),
        2,
        &["pickups.geojson:1", "feature 1", "did you mean 'tw_start'"],
    );
}

#[test]
fn a_hundred_thousand_pickups_are_refused_before_the_matrices() {
    let fx = Fixture::new();
    let mut csv = String::from("id,lat,lon,zone,demand_kg\n");
    for i in 0..100_000 {
        let (a, b) = (i % 300, i / 300);
        csv.push_str(&format!(
            "B{i},{:.6},{:.6},urban,10\n",
            43.727 + a as f64 * 0.00007,
            7.410 + b as f64 * 0.00007
        ));
    }
    fs::write(fx.path("big.csv"), csv).unwrap();
    for (flags, env) in [
        (&["--max-memory-gb", "16"][..], &[][..]),
        (&[][..], &[("WASTEROUTE_MAX_MEMORY_GB", "16")][..]),
    ] {
        let (code, err) = plan_with(&fx, &monaco(), "big.csv", flags, env);
        assert_refused(
            (code, err.clone()),
            2,
            &[
                "big.csv",
                "100003 locations",
                "16.0 GB",
                "split the district",
            ],
        );
        assert!(!err.contains("memory allocation"), "{err}");
    }
    let (code, err) = plan_with(
        &fx,
        &monaco(),
        "big.csv",
        &[],
        &[("WASTEROUTE_MAX_MEMORY_GB", "lots")],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("WASTEROUTE_MAX_MEMORY_GB"), "{err}");
}
