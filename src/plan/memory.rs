//! How much memory a plan needs, estimated before anything large is
//! allocated, and the limit it is held to.
//!
//! The plan keeps dense matrices (every location to every location): their
//! size grows with the square of the number of points and dominates
//! everything else well before a city's worth of pickups. A run that cannot
//! fit is refused up front with the estimate, the limit and what to do,
//! instead of dying in an allocation (SIGABRT) or being killed by the
//! kernel minutes later.

use crate::{Error, Result};

/// The environment variable that sets the memory limit, in GB.
pub const MEMORY_LIMIT_ENV: &str = "WASTEROUTE_MAX_MEMORY_GB";

/// The limit where the available memory cannot be read (no
/// `/proc/meminfo`): 8 GB.
pub const DEFAULT_MEMORY_LIMIT_BYTES: u64 = 8 << 30;

/// Bytes of road data (the decoded extract, the graphs and their routers)
/// per byte of `.osm.pbf`: measured about 15 to 20 on the demo and on Malta.
const ROAD_BYTES_PER_PBF_BYTE: u64 = 20;

const GB: f64 = (1u64 << 30) as f64;

/// What a run of a given size needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemoryEstimate {
    /// Bytes per pair of locations at the peak (see [`estimate`]).
    pub bytes_per_pair: u64,
    /// Bytes of road data.
    pub road_bytes: u64,
    /// Locations (facilities and pickups).
    pub locations: usize,
}

impl MemoryEstimate {
    /// The whole estimate, bytes.
    pub fn total(&self) -> u64 {
        let n = self.locations as u64;
        n.saturating_mul(n)
            .saturating_mul(self.bytes_per_pair)
            .saturating_add(self.road_bytes)
    }

    /// The most locations that fit in `limit` bytes.
    pub fn max_locations(&self, limit: u64) -> usize {
        let room = limit.saturating_sub(self.road_bytes) as f64;
        (room / self.bytes_per_pair.max(1) as f64).sqrt().floor() as usize
    }
}

/// The peak memory of a plan over `locations` points with `profiles` road
/// profiles, `timed_types` vehicle types whose time costs something, and
/// closures or not; `pbf_bytes` is the size of the extract.
///
/// Per pair of locations: each profile's distance and duration matrices
/// (4 + 4 bytes); while a profile's matrix is computed, the router's result
/// (another 8 bytes; 16 with closures, which compare an open and a closed
/// matrix); in the search, an arc-cost matrix (4 bytes) per vehicle type
/// whose time costs something; and the finished plan's copy of the problem
/// (8 bytes per profile again). The peak is the largest of the three
/// phases.
pub fn estimate(
    locations: usize,
    profiles: usize,
    timed_types: usize,
    closures: bool,
    pbf_bytes: u64,
) -> MemoryEstimate {
    let (p, t) = (profiles as u64, timed_types as u64);
    let matrices = 8 * p;
    let building = matrices + if closures { 16 } else { 8 };
    let searching = matrices + 4 * t;
    let finishing = 2 * matrices;
    MemoryEstimate {
        bytes_per_pair: building.max(searching).max(finishing),
        road_bytes: pbf_bytes.saturating_mul(ROAD_BYTES_PER_PBF_BYTE),
        locations,
    }
}

/// The memory limit in bytes and where it came from: `max_memory_gb` if
/// given, else [`MEMORY_LIMIT_ENV`], else `MemAvailable` of
/// `/proc/meminfo`, else [`DEFAULT_MEMORY_LIMIT_BYTES`].
///
/// # Errors
/// [`crate::Error::Input`] if the environment variable is not a positive
/// number.
pub fn memory_limit(max_memory_gb: Option<f64>) -> Result<(u64, String)> {
    if let Some(gb) = max_memory_gb {
        return Ok(((gb * GB) as u64, "--max-memory-gb".into()));
    }
    if let Ok(v) = std::env::var(MEMORY_LIMIT_ENV) {
        return match v.trim().parse::<f64>() {
            Ok(gb) if gb.is_finite() && gb > 0.0 => {
                Ok(((gb * GB) as u64, format!("{MEMORY_LIMIT_ENV}={}", v.trim())))
            }
            _ => Err(Error::input(
                crate::error::Location::default().with_field(MEMORY_LIMIT_ENV),
                format!("expected a positive number of GB, found '{v}'"),
            )),
        };
    }
    if let Some(kb) = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| mem_available_kb(&s))
    {
        return Ok((
            kb.saturating_mul(1024),
            "the memory available now (MemAvailable in /proc/meminfo)".into(),
        ));
    }
    Ok((
        DEFAULT_MEMORY_LIMIT_BYTES,
        "the default limit (the available memory is unknown here)".into(),
    ))
}

fn mem_available_kb(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Refuses a run whose estimate is above the limit; `at` is where the
/// points came from (the pickups file).
///
/// # Errors
/// [`crate::Error::Input`] naming the estimate, the limit and the ways out.
pub fn check(
    e: &MemoryEstimate,
    limit: u64,
    source: &str,
    at: crate::error::Location,
) -> Result<()> {
    let need = e.total();
    if need <= limit {
        return Ok(());
    }
    Err(Error::input(
        at,
        format!(
            "this plan needs an estimated {:.1} GB of memory ({} locations in dense travel matrices), \
             more than the {:.1} GB allowed by {source}; split the district into smaller plans or \
             plan fewer points (about {} locations fit), or raise the limit with --max-memory-gb \
             or {MEMORY_LIMIT_ENV}",
            need as f64 / GB,
            e.locations,
            limit as f64 / GB,
            e.max_locations(limit)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_grows_with_the_square_of_the_points() {
        let small = estimate(1000, 2, 3, false, 1 << 20);
        let big = estimate(100_000, 2, 3, false, 1 << 20);
        // The finished plan's copy: 2 profiles x 8 bytes, twice.
        assert_eq!(small.bytes_per_pair, 32);
        assert_eq!(
            big.total() - big.road_bytes,
            100 * 100 * (small.total() - small.road_bytes)
        );
        // 100,000 pickups need hundreds of GB.
        assert!(big.total() > 250 << 30);
        assert!(estimate(10, 1, 0, true, 0).bytes_per_pair == 24);
    }

    #[test]
    fn a_run_above_the_limit_is_refused_with_the_size_and_the_way_out() {
        let e = estimate(100_005, 2, 3, false, 750_000);
        let limit = 16u64 << 30;
        let m = check(&e, limit, "--max-memory-gb", Default::default())
            .unwrap_err()
            .to_string();
        assert!(
            m.contains("GB") && m.contains("16.0 GB") && m.contains("split the district"),
            "{m}"
        );
        let fit = e.max_locations(limit);
        assert!(fit > 1000 && fit < 100_005, "{fit}");
        let ok = MemoryEstimate {
            locations: fit,
            ..e
        };
        assert!(check(&ok, limit, "x", Default::default()).is_ok());
        assert!(
            check(
                &MemoryEstimate {
                    locations: fit + 1,
                    ..e
                },
                limit,
                "x",
                Default::default()
            )
            .is_err()
        );
    }

    #[test]
    fn the_limit_comes_from_the_flag_then_meminfo() {
        assert_eq!(memory_limit(Some(2.0)).unwrap().0, 2 << 30);
        assert_eq!(
            mem_available_kb("MemTotal: 10 kB\nMemAvailable:   2048 kB\n"),
            Some(2048)
        );
        assert_eq!(mem_available_kb("MemTotal: 10 kB\n"), None);
    }
}
