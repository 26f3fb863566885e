//! Pickup points, their zones and waste streams.

use super::calendar::{DaySet, allowed_patterns};
use crate::error::Location;

/// The longest time on site or to unload, seconds (two days).
pub const MAX_SERVICE_S: f64 = 2.0 * 86_400.0;
/// The largest load, kg: vehicle capacities, demands and facility daily
/// capacities (a million tonnes).
pub const MAX_KG: f64 = 1e9;
/// The largest volume, m3.
pub const MAX_M3: f64 = 1e6;

/// The zone of a pickup, for coverage targets.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Zone {
    /// Towns: served completely by default.
    Urban,
    /// Countryside: a share may be left out when the fleet is short.
    Rural,
}

impl Zone {
    /// Every zone.
    pub const ALL: [Zone; 2] = [Zone::Urban, Zone::Rural];

    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            Zone::Urban => "urban",
            Zone::Rural => "rural",
        }
    }

    /// Parses a zone name (any case, surrounding spaces ignored).
    pub fn parse(s: &str) -> Option<Zone> {
        let s = s.trim().to_ascii_lowercase();
        Zone::ALL.into_iter().find(|z| z.name() == s)
    }
}

/// A waste stream.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    /// Household waste.
    Household,
    /// Sorted recyclables.
    Recyclable,
    /// Industrial waste.
    Industrial,
    /// Hazardous waste.
    Hazardous,
    /// Medical waste.
    Medical,
}

impl Stream {
    /// Every stream, in index order.
    pub const ALL: [Stream; 5] = [
        Stream::Household,
        Stream::Recyclable,
        Stream::Industrial,
        Stream::Hazardous,
        Stream::Medical,
    ];

    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            Stream::Household => "household",
            Stream::Recyclable => "recyclable",
            Stream::Industrial => "industrial",
            Stream::Hazardous => "hazardous",
            Stream::Medical => "medical",
        }
    }

    /// The stream's index (its bit in stream sets).
    pub fn index(self) -> u8 {
        self as u8
    }

    /// Parses a stream name (any case, surrounding spaces ignored).
    pub fn parse(s: &str) -> Option<Stream> {
        let s = s.trim().to_ascii_lowercase();
        Stream::ALL.into_iter().find(|x| x.name() == s)
    }

    /// The streams of household collection: what a vehicle carries and a
    /// transfer station or landfill accepts unless told otherwise.
    pub fn household_collection() -> Streams {
        stream_set(&[Stream::Household, Stream::Recyclable])
    }
}

/// A set of streams as a bit mask (bit = [`Stream::index`]).
pub type Streams = u32;

/// The bit mask of `streams`.
pub fn stream_set(streams: &[Stream]) -> Streams {
    streams.iter().fold(0, |m, s| m | (1 << s.index()))
}

/// Which side of the road a vehicle may stop on to serve a pickup (the
/// `side` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopSide {
    /// Either side: the vehicle may arrive and leave in either direction
    /// of the street.
    #[default]
    Either,
    /// The curb side: the vehicle arrives and leaves driving with the
    /// pickup on the side traffic keeps to (right, or left in left-hand
    /// traffic), like OSRM's and VROOM's `approaches=curb`.
    Curb,
}

impl StopSide {
    /// The name in files: `either` or `curb`.
    pub fn name(self) -> &'static str {
        match self {
            StopSide::Either => "either",
            StopSide::Curb => "curb",
        }
    }

    /// Parses a name (case and surrounding spaces ignored).
    pub fn parse(s: &str) -> Option<StopSide> {
        match s.trim().to_ascii_lowercase().as_str() {
            "either" => Some(StopSide::Either),
            "curb" => Some(StopSide::Curb),
            _ => None,
        }
    }

    /// The side a pickup is served from: its own `side` if the pickups file
    /// gives one, else `curb` where its road asks for it by default
    /// (`curb_by_default`: a plan on the turn-aware graph, and a road that
    /// [`crate::graph::RoadClass::curb_by_default`] names), else `either`.
    pub fn resolve(side: Option<StopSide>, curb_by_default: bool) -> StopSide {
        side.unwrap_or(if curb_by_default {
            StopSide::Curb
        } else {
            StopSide::Either
        })
    }
}

/// One pickup point.
#[derive(Debug, Clone, PartialEq)]
pub struct Pickup {
    /// Unique id.
    pub id: String,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Urban or rural.
    pub zone: Zone,
    /// Waste to collect, kg.
    pub demand_kg: f64,
    /// Waste volume, m3 (0 if not given).
    pub volume_m3: f64,
    /// Time on site, seconds.
    pub service_s: i64,
    /// Service starts inside this window (seconds after midnight), if any.
    pub tw: Option<(i64, i64)>,
    /// The waste stream.
    pub stream: Stream,
    /// Whether the pickup must be served.
    pub required: bool,
    /// A label.
    pub name: String,
    /// How often and on which days it is collected over a week.
    pub visits: Visits,
    /// Which side of the road the vehicle must stop on, if the pickups
    /// file says (`None`: the default of its road, [`StopSide::resolve`]).
    pub side: Option<StopSide>,
    /// Where it was read (file and line or feature number).
    pub source: Location,
}

/// The most visits a week.
pub const MAX_FREQUENCY: usize = 7;

/// How a pickup is collected over a week: the `frequency`, `days`,
/// `demand_kg_per_day` and `volume_m3_per_day` columns.
///
/// Two demand rules (`docs/plan-inputs.md`):
///
/// - *per visit* (no `demand_kg_per_day`): every visit collects the
///   pickup's `demand_kg` and `volume_m3`, the waste of one visit when the
///   visits are evenly spaced;
/// - *accumulated* ([`Visits::per_day`] set): a visit collects what
///   accumulated since the previous visit, `gap` calendar days times the
///   waste per day (a pickup visited Monday and Thursday collects 4 days'
///   waste on Monday and 3 on Thursday). The pickup's `demand_kg` and
///   `volume_m3` are then what one evenly spaced visit collects (given, or
///   the waste per day times `7 / frequency`), which a one-day plan uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Visits {
    /// Visits per week, 1 to [`MAX_FREQUENCY`].
    pub frequency: usize,
    /// The `days` text as written (`mon;wed;fri`, `mon;thu|tue;fri`), if
    /// any; [`Visits::patterns`] reads it against the working days.
    pub days: Option<String>,
    /// Waste per calendar day (kg, m3) under the accumulated rule.
    pub per_day: Option<(f64, f64)>,
}

impl Visits {
    /// Once a week, any working day, per-visit demand: a pickup of a
    /// one-day file.
    pub const ONCE: Visits = Visits {
        frequency: 1,
        days: None,
        per_day: None,
    };

    /// The patterns the pickup may be visited on over `working` days (see
    /// [`allowed_patterns`]).
    ///
    /// # Errors
    /// The calendar's message: a day that is not a working day, a pattern
    /// with another number of days than the frequency, a frequency above
    /// the number of working days.
    pub fn patterns(&self, working: DaySet) -> Result<Vec<DaySet>, String> {
        allowed_patterns(working, self.frequency, self.days.as_deref())
    }

    /// The demand rule's name, as the documentation and the weekly
    /// summary give it: `per_visit` or `accumulated`.
    pub fn demand_rule(&self) -> &'static str {
        if self.per_day.is_some() {
            "accumulated"
        } else {
            "per_visit"
        }
    }
}

impl Default for Visits {
    fn default() -> Visits {
        Visits::ONCE
    }
}

impl Pickup {
    /// Time on site when none is given, seconds.
    pub const DEFAULT_SERVICE_S: i64 = 60;

    /// Whether a pickup of `zone` and `stream` must be served when its file
    /// does not say: urban pickups, and industrial, hazardous and medical
    /// waste everywhere.
    pub fn required_by_default(zone: Zone, stream: Stream) -> bool {
        zone == Zone::Urban
            || matches!(
                stream,
                Stream::Industrial | Stream::Hazardous | Stream::Medical
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_sets_have_one_bit_per_stream() {
        for z in Zone::ALL {
            assert_eq!(
                Zone::parse(&format!(" {} ", z.name().to_uppercase())),
                Some(z)
            );
        }
        assert_eq!(Zone::parse("suburban"), None);
        for s in Stream::ALL {
            assert_eq!(Stream::parse(s.name()), Some(s));
            assert_eq!(stream_set(&[s]), 1 << s.index());
        }
        assert_eq!(Stream::parse("glass"), None);
        assert_eq!(Stream::household_collection(), 0b11);
        assert_eq!(stream_set(&Stream::ALL), 0b1_1111);
    }

    #[test]
    fn urban_and_dangerous_waste_is_required_by_default() {
        assert!(Pickup::required_by_default(Zone::Urban, Stream::Household));
        assert!(Pickup::required_by_default(Zone::Rural, Stream::Medical));
        assert!(Pickup::required_by_default(Zone::Rural, Stream::Industrial));
        assert!(!Pickup::required_by_default(Zone::Rural, Stream::Household));
        assert!(!Pickup::required_by_default(
            Zone::Rural,
            Stream::Recyclable
        ));
    }
}
