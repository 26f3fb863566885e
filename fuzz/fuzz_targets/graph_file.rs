//! The binary graph file: never a panic; every error names the file; a graph
//! that loads can be snapped to and walked.
//!
//! When the first byte is odd the rest gets a correct CRC-32 before it is
//! read, so the fuzzer reaches the body's checks instead of the checksum.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use wasteroute::graph::RoadGraph;
use wasteroute_fuzz::check_error;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut bytes = rest.to_vec();
    let n = bytes.len();
    if mode & 1 == 1 && n >= 24 {
        let crc = crc32fast::hash(&bytes[20..n - 4]);
        bytes[n - 4..].copy_from_slice(&crc.to_le_bytes());
    }
    match RoadGraph::load_bytes(Path::new("fuzz.wrg"), &bytes) {
        Ok(g) => {
            let _ = g.total_km();
            let _ = g.snap(&[(43.7385, 7.4215)], 300.0);
            for e in 0..g.n_edges().min(10_000) as u32 {
                let _ = g.edge_polyline_between(e, 0.25, 0.75);
            }
        }
        Err(e) => check_error(&e, "fuzz.wrg", false),
    }
});
