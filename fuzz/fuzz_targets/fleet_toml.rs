//! Fleet TOML: never a panic; every error names the file; a fleet that reads
//! answers its per-vehicle questions without a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use wasteroute::io::plan::read_fleet_str;
use wasteroute_fuzz::{check_error, text};

fuzz_target!(|data: &[u8]| {
    match read_fleet_str(Path::new("fuzz-fleet.toml"), &text(data)) {
        Ok(f) => {
            for k in 0..f.spec.vehicle.len() {
                let _ = f.shift(k);
                let _ = f.streams(k);
                let _ = f.break_of(k);
                let _ = f.profile_spec(k);
            }
        }
        Err(e) => check_error(&e, "fuzz-fleet.toml", false),
    }
});
