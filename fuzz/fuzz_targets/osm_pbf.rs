//! OSM PBF: never a panic; every error names the file; roads that read build
//! a truck graph (or a clear error).
//!
//! Seed it with the uncompressed rewrite of the tiny extract
//! (`seeds/osm_pbf/`): byte changes then reach the block decoder rather
//! than failing zlib.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use wasteroute::graph::{Profile, RoadGraph};
use wasteroute::io::osm::read_roads_from;
use wasteroute_fuzz::check_error;

fuzz_target!(|data: &[u8]| {
    match read_roads_from(Path::new("fuzz.osm.pbf"), data) {
        Ok(roads) => {
            let _ = RoadGraph::from_roads(&roads, &Profile::truck());
        }
        Err(e) => check_error(&e, "fuzz.osm.pbf", false),
    }
});
