//! Facilities: depots and the places where vehicles unload.

use super::calendar::DaySet;
use super::pickup::{Stream, Streams, stream_set};
use crate::error::Location;

/// The kind of a facility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FacilityKind {
    /// Where vehicles start and end.
    Depot,
    /// A transfer station.
    Transfer,
    /// A landfill.
    Landfill,
    /// A treatment plant.
    Treatment,
}

impl FacilityKind {
    /// Every kind.
    pub const ALL: [FacilityKind; 4] = [
        FacilityKind::Depot,
        FacilityKind::Transfer,
        FacilityKind::Landfill,
        FacilityKind::Treatment,
    ];

    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            FacilityKind::Depot => "depot",
            FacilityKind::Transfer => "transfer",
            FacilityKind::Landfill => "landfill",
            FacilityKind::Treatment => "treatment",
        }
    }

    /// Parses a kind name (any case, surrounding spaces ignored).
    pub fn parse(s: &str) -> Option<FacilityKind> {
        let s = s.trim().to_ascii_lowercase();
        FacilityKind::ALL.into_iter().find(|k| k.name() == s)
    }

    /// The streams a facility of this kind accepts when its file does not
    /// say: every stream at a treatment plant, household collection
    /// elsewhere.
    pub fn default_accepts(self) -> Streams {
        match self {
            FacilityKind::Treatment => stream_set(&Stream::ALL),
            _ => Stream::household_collection(),
        }
    }
}

/// One facility: a depot or a place to unload.
#[derive(Debug, Clone, PartialEq)]
pub struct FacilityRecord {
    /// Unique id.
    pub id: String,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Depot, transfer station, landfill or treatment plant.
    pub kind: FacilityKind,
    /// Opening and closing time, seconds after midnight.
    pub open: i64,
    /// Closing time.
    pub close: i64,
    /// Time to unload, seconds.
    pub unload_s: i64,
    /// Streams accepted.
    pub accepts: Streams,
    /// Most it accepts per day, kg.
    pub daily_capacity_kg: Option<f64>,
    /// The weekdays it is closed (a weekly plan sends no vehicle there on
    /// those days); empty when open every day.
    pub closed: DaySet,
    /// Where it was read.
    pub source: Location,
}

impl FacilityRecord {
    /// Time to unload when none is given, seconds.
    pub const DEFAULT_UNLOAD_S: i64 = 600;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_back_and_treatment_plants_accept_everything() {
        for k in FacilityKind::ALL {
            assert_eq!(FacilityKind::parse(&k.name().to_uppercase()), Some(k));
        }
        assert_eq!(FacilityKind::parse("quarry"), None);
        assert_eq!(
            FacilityKind::Treatment.default_accepts(),
            stream_set(&Stream::ALL)
        );
        assert_eq!(
            FacilityKind::Landfill.default_accepts(),
            stream_set(&[Stream::Household, Stream::Recyclable])
        );
    }
}
