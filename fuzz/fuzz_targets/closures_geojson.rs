//! Closures GeoJSON: never a panic; closures that read apply to the tiny
//! Monaco graph with every factor within 0..=1.
//!
//! `Closures::from_geojson_str` has no file name (the file reader adds it),
//! so errors are checked for a location only.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasteroute::Error;
use wasteroute::graph::Closures;
use wasteroute_fuzz::{text, tiny_graph};

fuzz_target!(|data: &[u8]| {
    match Closures::from_geojson_str(&text(data)) {
        Ok(c) => {
            let g = tiny_graph();
            let f = g.closure_factors(&c);
            assert!(f.iter().all(|x| (0.0..=1.0).contains(x)), "{f:?}");
            let (_, report) = g.with_closures(&c);
            assert_eq!(report.features, c.len());
        }
        Err(Error::Input { .. }) => {}
        Err(e) => panic!("expected an input error, got: {e}"),
    }
});
