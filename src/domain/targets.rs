//! Coverage targets: the share of each zone's and stream's pickups to serve.

use super::pickup::{Stream, Zone};

/// Coverage targets: the share of demand and of points to serve.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Targets {
    /// Urban pickups.
    pub urban: f64,
    /// Rural pickups.
    pub rural: f64,
    /// Household stream (all zones); default none (0).
    pub household: f64,
    /// Recyclables; default none (0).
    pub recyclable: f64,
    /// Industrial waste.
    pub industrial: f64,
    /// Hazardous waste.
    pub hazardous: f64,
    /// Medical waste.
    pub medical: f64,
}

impl Default for Targets {
    fn default() -> Self {
        Targets {
            urban: 1.0,
            rural: 0.95,
            household: 0.0,
            recyclable: 0.0,
            industrial: 1.0,
            hazardous: 1.0,
            medical: 1.0,
        }
    }
}

impl Targets {
    /// The target of a zone.
    pub fn zone(&self, z: Zone) -> f64 {
        match z {
            Zone::Urban => self.urban,
            Zone::Rural => self.rural,
        }
    }

    /// The target of a stream.
    pub fn stream(&self, s: Stream) -> f64 {
        match s {
            Stream::Household => self.household,
            Stream::Recyclable => self.recyclable,
            Stream::Industrial => self.industrial,
            Stream::Hazardous => self.hazardous,
            Stream::Medical => self.medical,
        }
    }

    /// The first target that is not a share between 0 and 1, as its name
    /// in files and its value.
    pub fn first_invalid(&self) -> Option<(&'static str, f64)> {
        Zone::ALL
            .into_iter()
            .map(|z| (z.name(), self.zone(z)))
            .chain(Stream::ALL.into_iter().map(|s| (s.name(), self.stream(s))))
            .find(|&(_, x)| !(0.0..=1.0).contains(&x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_outside_zero_to_one_are_found_by_name() {
        assert_eq!(Targets::default().first_invalid(), None);
        let t = Targets {
            hazardous: 1.5,
            ..Targets::default()
        };
        assert_eq!(t.first_invalid(), Some(("hazardous", 1.5)));
        let t = Targets {
            rural: f64::NAN,
            ..Targets::default()
        };
        assert_eq!(t.first_invalid().map(|(n, _)| n), Some("rural"));
        assert_eq!(t.stream(Stream::Medical), 1.0);
        assert_eq!(t.zone(Zone::Urban), 1.0);
    }
}
