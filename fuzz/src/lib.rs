//! Helpers shared by the fuzz targets: the checks every reader error must
//! pass, and fixtures from the main crate's `tests/data`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use wasteroute::Error;
use wasteroute::graph::{Profile, RoadGraph};

/// A file of the main crate's test data.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data")
        .join(name)
}

/// The fuzz input as the lossy text readers see it.
pub fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// Checks a reader error: an input error whose message names `file` and,
/// when `with_line`, gives a line or record of 1 or more.
///
/// # Panics
/// When the error breaks the rule, so that libFuzzer records the input.
pub fn check_error(e: &Error, file: &str, with_line: bool) {
    let msg = e.to_string();
    assert!(msg.contains(file), "the error does not name {file}: {msg}");
    let Error::Input { location, .. } = e else {
        panic!("expected an input error, got: {msg}");
    };
    if with_line {
        assert!(location.line.is_some(), "no line: {msg}");
    }
    assert!(location.line.is_none_or(|l| l >= 1), "line 0: {msg}");
}

/// The truck graph of the tiny Monaco extract, built once.
pub fn tiny_graph() -> &'static RoadGraph {
    static G: OnceLock<RoadGraph> = OnceLock::new();
    G.get_or_init(|| {
        RoadGraph::from_osm(&data("monaco-roads-tiny.osm.pbf"), &Profile::truck())
            .expect("the tiny Monaco extract builds")
            .0
    })
}
