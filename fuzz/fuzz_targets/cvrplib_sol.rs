//! CVRPLIB `.sol` (against X-n101-k25 and without an instance): never a
//! panic; every error names the file and the line.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use wasteroute::io::cvrplib::{CvrpInstance, parse_sol, read_vrp};
use wasteroute_fuzz::{check_error, data, text};

fn instance() -> &'static CvrpInstance {
    static I: OnceLock<CvrpInstance> = OnceLock::new();
    I.get_or_init(|| read_vrp(data("cvrplib/X-n101-k25.vrp")).expect("the fixture"))
}

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    for inst in [None, Some(instance())] {
        match parse_sol(&text, "fuzz.sol", inst) {
            Ok(sol) => {
                if let Some(inst) = inst {
                    let _ = wasteroute::cvrp::from_cvrplib(inst, &sol);
                }
            }
            Err(e) => check_error(&e, "fuzz.sol", true),
        }
    }
});
