//! Profile TOML: never a panic; a profile that reads gives way rules with a
//! finite positive speed up to its maximum, and builds the tiny Monaco graph.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasteroute::Error;
use wasteroute::graph::{Profile, RoadGraph};
use wasteroute::io::osm::OsmRoads;
use wasteroute_fuzz::{data, text};

fn tiny_roads() -> &'static OsmRoads {
    static R: std::sync::OnceLock<OsmRoads> = std::sync::OnceLock::new();
    R.get_or_init(|| {
        wasteroute::io::osm::read_roads(&data("monaco-roads-tiny.osm.pbf")).expect("tiny extract")
    })
}

fuzz_target!(|data: &[u8]| {
    match Profile::from_toml_str(&text(data)) {
        Ok(p) => {
            for way in &tiny_roads().ways {
                if let Some(r) = p.way_rule(&way.tags) {
                    assert!(
                        r.speed_kmh.is_finite()
                            && r.speed_kmh > 0.0
                            && r.speed_kmh <= p.max_speed_kmh,
                        "{r:?}"
                    );
                }
            }
            let _ = RoadGraph::from_roads(tiny_roads(), &p);
        }
        Err(Error::Input { .. }) => {}
        Err(e) => panic!("expected an input error, got: {e}"),
    }
});
