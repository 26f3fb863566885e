//! The fleet: vehicle types as the fleet file gives them, with the rules a
//! usable vehicle type follows and the quantities derived from it (shift,
//! streams carried, break, road profile).

use super::calendar::{DaySet, Weekday};
use super::pickup::{MAX_KG, MAX_M3, MAX_SERVICE_S, Stream, Streams};
use super::short;
use super::targets::Targets;
use super::time::parse_time;
use crate::error::Location;
use crate::{Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The most vehicles of one type.
pub const MAX_VEHICLES_PER_TYPE: usize = 10_000;
/// The most trips (unloads) one vehicle may make in a day.
pub const MAX_TRIPS: usize = 1_000;
/// The most vehicle types in a fleet.
pub const MAX_VEHICLE_TYPES: usize = 64;

/// A break in a vehicle's shift.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct BreakSpec {
    /// Earliest start (`HH:MM`).
    pub earliest: String,
    /// Latest start (`HH:MM`).
    pub latest: String,
    /// Length, seconds.
    pub duration_s: i64,
}

/// One vehicle type of the fleet file, as written.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct VehicleSpec {
    /// Type name.
    pub name: String,
    /// Vehicles available.
    pub count: usize,
    /// Depot facility id.
    pub depot: String,
    /// `truck`, `small`, or a path to a profile TOML (relative to the fleet file).
    #[serde(default = "default_profile")]
    pub profile: String,
    /// Capacity per trip, kg.
    pub capacity_kg: f64,
    /// Capacity per trip, m3.
    #[serde(default)]
    pub capacity_m3: Option<f64>,
    /// Shift start (`HH:MM`).
    pub shift_start: String,
    /// Shift end (`HH:MM`).
    pub shift_end: String,
    /// Longest shift, seconds (default: end - start).
    #[serde(default)]
    pub max_shift_s: Option<i64>,
    /// An optional break.
    #[serde(default, rename = "break")]
    pub break_: Option<BreakSpec>,
    /// Cost per vehicle and day.
    #[serde(default)]
    pub fixed_cost: f64,
    /// Cost per km.
    #[serde(default)]
    pub cost_per_km: f64,
    /// Cost per hour.
    #[serde(default)]
    pub cost_per_hour: f64,
    /// Streams it may carry (default household and recyclable).
    #[serde(default)]
    pub streams: Option<Vec<String>>,
    /// Most trips per day (default 8).
    #[serde(default)]
    pub max_trips: Option<usize>,
    /// Vehicles available on some working days instead of `count`
    /// (`count_by_day = { sat = 2 }`), for weekly plans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count_by_day: Option<BTreeMap<String, usize>>,
}

fn default_profile() -> String {
    "truck".into()
}

/// The fleet file.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct FleetFile {
    /// Vehicle types.
    #[serde(alias = "vehicles")]
    pub vehicle: Vec<VehicleSpec>,
    /// Coverage targets.
    #[serde(default)]
    pub targets: Targets,
    /// The working days of a weekly plan (`days = ["mon", ..., "sat"]`);
    /// Monday to Saturday when not given ([`DaySet::MON_TO_SAT`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<Vec<String>>,
}

/// A fleet file with its path (profile paths are relative to it).
#[derive(Debug, Clone, PartialEq)]
pub struct Fleet {
    /// The file's content.
    pub spec: FleetFile,
    /// The file.
    pub path: PathBuf,
}

impl Fleet {
    fn err(&self, k: usize, field: &str, msg: impl Into<String>) -> Error {
        let name = &self.spec.vehicle[k].name;
        Error::input(
            Location::file(&self.path).with_field(format!("vehicle '{name}'.{field}")),
            msg,
        )
    }

    /// Checks the values that do not depend on other files: at least one
    /// and at most [`MAX_VEHICLE_TYPES`] vehicle types with distinct names,
    /// positive capacities, shifts that end after they start, breaks that
    /// fit in the shift, non-negative costs, known streams, targets between
    /// 0 and 1.
    ///
    /// # Errors
    /// [`Error::Input`] naming the file and the field of the first bad
    /// value (`vehicle 'name'.field`, `targets.zone`).
    pub fn validate(&self) -> Result<()> {
        self.validate_with(|_, e| e)
    }

    /// As [`Fleet::validate`], with `locate(k, error)` called on each error
    /// about vehicle type `k` (a reader adds the line there).
    pub(crate) fn validate_with(&self, locate: impl Fn(usize, Error) -> Error) -> Result<()> {
        if self.spec.vehicle.is_empty() {
            return Err(Error::input(
                Location::file(&self.path).with_field("vehicle"),
                "no vehicle type is defined",
            ));
        }
        if self.spec.vehicle.len() > MAX_VEHICLE_TYPES {
            return Err(Error::input(
                Location::file(&self.path).with_field("vehicle"),
                format!(
                    "{} vehicle types; at most {MAX_VEHICLE_TYPES} are supported",
                    self.spec.vehicle.len()
                ),
            ));
        }
        self.working_days()?;
        let mut names = std::collections::HashSet::new();
        for k in 0..self.spec.vehicle.len() {
            self.validate_vehicle(k, &mut names)
                .map_err(|e| locate(k, e))?;
        }
        if let Some((f, x)) = self.spec.targets.first_invalid() {
            return Err(Error::input(
                Location::file(&self.path).with_field(format!("targets.{f}")),
                format!("{x} is not a share between 0 and 1"),
            ));
        }
        Ok(())
    }

    /// Checks vehicle type `k` on its own.
    fn validate_vehicle<'a>(
        &'a self,
        k: usize,
        names: &mut std::collections::HashSet<&'a str>,
    ) -> Result<()> {
        let v = &self.spec.vehicle[k];
        if !names.insert(v.name.as_str()) {
            return Err(self.err(k, "name", "two vehicle types have this name"));
        }
        if v.count > MAX_VEHICLES_PER_TYPE {
            return Err(self.err(
                k,
                "count",
                format!(
                    "{} vehicles of one type; at most {MAX_VEHICLES_PER_TYPE} are supported",
                    v.count
                ),
            ));
        }
        let positive = |field: &str, x: f64, max: f64| {
            if !(x.is_finite() && x > 0.0) {
                Err(self.err(
                    k,
                    field,
                    format!("must be a positive number, found {}", short(x)),
                ))
            } else if x > max {
                Err(self.err(
                    k,
                    field,
                    format!("{} is above the limit of {}", short(x), short(max)),
                ))
            } else {
                Ok(())
            }
        };
        positive("capacity_kg", v.capacity_kg, MAX_KG)?;
        if let Some(c) = v.capacity_m3 {
            positive("capacity_m3", c, MAX_M3)?;
        }
        let (s, e) = self.shift(k)?;
        if s >= e {
            return Err(self.err(
                k,
                "shift_end",
                format!(
                    "the shift ends ({}) before it starts ({})",
                    v.shift_end, v.shift_start
                ),
            ));
        }
        if let Some(m) = v.max_shift_s
            && !(1..=MAX_SERVICE_S as i64).contains(&m)
        {
            return Err(self.err(
                k,
                "max_shift_s",
                format!("must be between 1 and {MAX_SERVICE_S} seconds, found {m}"),
            ));
        }
        if let Some(b) = &v.break_ {
            let (bs, be) = (
                parse_time(&b.earliest).ok_or_else(|| {
                    self.err(
                        k,
                        "break.earliest",
                        format!("expected HH:MM, found '{}'", b.earliest),
                    )
                })?,
                parse_time(&b.latest).ok_or_else(|| {
                    self.err(
                        k,
                        "break.latest",
                        format!("expected HH:MM, found '{}'", b.latest),
                    )
                })?,
            );
            if bs > be {
                return Err(self.err(k, "break.latest", "the break window ends before it starts"));
            }
            if b.duration_s < 0 {
                return Err(self.err(k, "break.duration_s", "must not be negative"));
            }
            let shift = format!("{}-{}", v.shift_start.trim(), v.shift_end.trim());
            if b.duration_s >= e - s {
                return Err(self.err(
                    k,
                    "break.duration_s",
                    format!(
                        "a break of {} s does not fit in the {shift} shift ({} s)",
                        b.duration_s,
                        e - s
                    ),
                ));
            }
            if let Some(m) = v.max_shift_s
                && b.duration_s >= m
            {
                return Err(self.err(
                    k,
                    "break.duration_s",
                    format!(
                        "a break of {} s does not fit in a shift of at most {m} s (max_shift_s)",
                        b.duration_s
                    ),
                ));
            }
            // The break must be able to start inside its window and end
            // by the end of the shift.
            let first = bs.max(s);
            let last = be.min(e - b.duration_s);
            if first > last {
                let field = if be < s {
                    "break.latest"
                } else {
                    "break.earliest"
                };
                return Err(self.err(
                    k,
                    field,
                    format!(
                        "the break window {}-{} (then {} s of break) does not fit in the {shift} shift",
                        b.earliest.trim(),
                        b.latest.trim(),
                        b.duration_s
                    ),
                ));
            }
        }
        for (f, x) in [
            ("fixed_cost", v.fixed_cost),
            ("cost_per_km", v.cost_per_km),
            ("cost_per_hour", v.cost_per_hour),
        ] {
            if !(x.is_finite() && x >= 0.0) {
                return Err(self.err(
                    k,
                    f,
                    format!("must be a non-negative number, found {}", short(x)),
                ));
            }
        }
        self.streams(k)?;
        match v.max_trips {
            Some(0) => return Err(self.err(k, "max_trips", "must be at least 1")),
            Some(n) if n > MAX_TRIPS => {
                return Err(self.err(
                    k,
                    "max_trips",
                    format!("{n} trips a day; at most {MAX_TRIPS} are supported"),
                ));
            }
            _ => {}
        }
        self.counts_by_day(k)?;
        Ok(())
    }

    /// The working days of a weekly plan: the `days` list, Monday to
    /// Saturday when there is none.
    ///
    /// # Errors
    /// [`Error::Input`] (field `days`) for an unknown or repeated day or an
    /// empty list.
    pub fn working_days(&self) -> Result<DaySet> {
        let Some(list) = &self.spec.days else {
            return Ok(DaySet::MON_TO_SAT);
        };
        let err = |msg: String| Error::input(Location::file(&self.path).with_field("days"), msg);
        if list.is_empty() {
            return Err(err(
                "no working day is listed (remove the key for Monday to Saturday)".into(),
            ));
        }
        DaySet::parse(&list.join(";")).map_err(err)
    }

    /// The vehicles of type `k` available on each weekday (Monday first)
    /// when its `count_by_day` changes some working days' count, `None`
    /// when it is `count` every working day. Days that are not working days
    /// count 0.
    ///
    /// # Errors
    /// [`Error::Input`] (field `vehicle 'name'.count_by_day.day`) for an
    /// unknown day, a day that is not a working day or a count above
    /// [`MAX_VEHICLES_PER_TYPE`].
    pub fn counts_by_day(&self, k: usize) -> Result<Option<[usize; 7]>> {
        let v = &self.spec.vehicle[k];
        let Some(map) = &v.count_by_day else {
            return Ok(None);
        };
        let working = self.working_days()?;
        let mut counts = [0; 7];
        for d in working.days() {
            counts[d.index()] = v.count;
        }
        let mut seen = DaySet::EMPTY;
        for (name, &n) in map {
            let field = format!("count_by_day.{name}");
            let day = Weekday::parse(name).ok_or_else(|| {
                self.err(
                    k,
                    &field,
                    format!("'{name}' is not a day (use mon, tue, wed, thu, fri, sat, sun)"),
                )
            })?;
            if seen.contains(day) {
                return Err(self.err(k, &field, format!("{day} is given twice")));
            }
            seen = seen.with(day);
            if !working.contains(day) {
                return Err(self.err(
                    k,
                    &field,
                    format!("{day} is not a working day (the working days are {working})"),
                ));
            }
            if n > MAX_VEHICLES_PER_TYPE {
                return Err(self.err(
                    k,
                    &field,
                    format!(
                        "{n} vehicles of one type; at most {MAX_VEHICLES_PER_TYPE} are supported"
                    ),
                ));
            }
            counts[day.index()] = n;
        }
        Ok(Some(counts))
    }

    /// Shift start and end of vehicle type `k`, seconds after midnight.
    ///
    /// # Errors
    /// [`Error::Input`] if a time is malformed.
    pub fn shift(&self, k: usize) -> Result<(i64, i64)> {
        let v = &self.spec.vehicle[k];
        let s = parse_time(&v.shift_start).ok_or_else(|| {
            self.err(
                k,
                "shift_start",
                format!("expected HH:MM, found '{}'", v.shift_start),
            )
        })?;
        let e = parse_time(&v.shift_end).ok_or_else(|| {
            self.err(
                k,
                "shift_end",
                format!("expected HH:MM, found '{}'", v.shift_end),
            )
        })?;
        Ok((s, e))
    }

    /// Streams vehicle type `k` may carry.
    ///
    /// # Errors
    /// [`Error::Input`] naming an unknown stream.
    pub fn streams(&self, k: usize) -> Result<Streams> {
        match &self.spec.vehicle[k].streams {
            None => Ok(Stream::household_collection()),
            Some(list) => {
                let mut m = 0;
                for s in list {
                    let st = Stream::parse(s)
                        .ok_or_else(|| self.err(k, "streams", format!("unknown stream '{s}'")))?;
                    m |= 1 << st.index();
                }
                if m == 0 {
                    return Err(self.err(k, "streams", "the vehicle may carry no stream"));
                }
                Ok(m)
            }
        }
    }

    /// The break window and length of vehicle type `k`, if any.
    pub fn break_of(&self, k: usize) -> Option<(i64, i64, i64)> {
        let b = self.spec.vehicle[k].break_.as_ref()?;
        Some((
            parse_time(&b.earliest)?,
            parse_time(&b.latest)?,
            b.duration_s,
        ))
    }

    /// The profile path or name of vehicle type `k`, resolved against the
    /// fleet file's folder when it names a file.
    pub fn profile_spec(&self, k: usize) -> String {
        let p = &self.spec.vehicle[k].profile;
        if p == "truck" || p == "small" {
            return p.clone();
        }
        let base = self.path.parent().unwrap_or(Path::new("."));
        base.join(p).to_string_lossy().into_owned()
    }
}
