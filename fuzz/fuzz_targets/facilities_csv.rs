//! Facilities CSV: never a panic; every error names the file and the line.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use wasteroute::io::plan::read_facilities_str;
use wasteroute_fuzz::{check_error, text};

fuzz_target!(|data: &[u8]| {
    if let Err(e) = read_facilities_str(Path::new("fuzz-facilities.csv"), &text(data)) {
        check_error(&e, "fuzz-facilities.csv", true);
    }
});
