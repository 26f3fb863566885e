//! CVRPLIB `.vrp`: never a panic; every error names the file and the line;
//! an instance that reads gives its distance matrix and a solver problem.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasteroute::io::cvrplib::{Rounding, parse_vrp};
use wasteroute_fuzz::{check_error, text};

fuzz_target!(|data: &[u8]| {
    match parse_vrp(&text(data), "fuzz.vrp") {
        Ok(inst) => {
            // Keep huge dimensions (a matrix of n^2) out of the loop.
            if inst.dimension() <= 2000 {
                let n = inst.dimension();
                assert_eq!(inst.distance_matrix(Rounding::Nint).len(), n * n);
                let _ = wasteroute::cvrp::problem(&inst, Rounding::Nint);
                let _ = wasteroute::cvrp::problem(&inst, Rounding::Scaled(3));
            }
        }
        Err(e) => check_error(&e, "fuzz.vrp", true),
    }
});
