//! Kim, Kim & Sahoo instances: never a panic; every error names the file and
//! the line; an instance that reads becomes a solver problem (or an error).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasteroute::io::kim::parse_instance;
use wasteroute::kim::{KimOptions, problem};
use wasteroute_fuzz::{check_error, text};

fuzz_target!(|data: &[u8]| {
    match parse_instance(&text(data), "fuzz_stop.txt") {
        Ok(inst) => {
            if inst.nodes().len() <= 2000 {
                let _ = problem(&inst, KimOptions::default());
            }
        }
        Err(e) => check_error(&e, "fuzz_stop.txt", true),
    }
});
