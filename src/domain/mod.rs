//! The things a waste-collection plan is about, independent of any file
//! format: pickups with their zone and waste stream, facilities, the fleet
//! and its coverage targets, and times of day. Each type carries its own
//! rules (what a valid value is, defaults, derived quantities); `io::plan`
//! reads the input files into these types and adds the file, line and
//! field to its errors.
//!
//! - [`parse_time`], [`format_time`]: times of day as seconds after midnight;
//! - [`Pickup`], [`Zone`], [`Stream`], [`Visits`], [`StopSide`]: the points to serve,
//!   how often, and on which side of the road;
//! - [`FacilityRecord`], [`FacilityKind`]: depots and places to unload;
//! - [`Fleet`], [`VehicleSpec`], [`BreakSpec`]: the vehicle types;
//! - [`Targets`]: the coverage to reach;
//! - [`Weekday`], [`DaySet`], [`allowed_patterns`]: working days and the
//!   visit patterns of pickups collected several times a week.

mod calendar;
mod facility;
mod fleet;
mod pickup;
mod targets;
mod time;

pub use calendar::{DaySet, WEEK, Weekday, allowed_patterns, even_patterns};
pub use facility::{FacilityKind, FacilityRecord};
pub use fleet::{
    BreakSpec, Fleet, FleetFile, MAX_TRIPS, MAX_VEHICLE_TYPES, MAX_VEHICLES_PER_TYPE, VehicleSpec,
};
pub use pickup::{
    MAX_FREQUENCY, MAX_KG, MAX_M3, MAX_SERVICE_S, Pickup, StopSide, Stream, Streams, Visits, Zone,
    stream_set,
};
pub use targets::Targets;
pub use time::{format_time, parse_time};

/// A number for messages: `1e300`, not three hundred digits.
pub(crate) fn short(x: f64) -> String {
    if x.is_finite() && x.abs() >= 1e9 {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}
