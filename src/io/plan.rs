//! Reading the inputs of a waste-collection plan: pickups (CSV or GeoJSON),
//! facilities (CSV) and the fleet with its coverage targets (TOML), into
//! the types of [`crate::domain`]. The formats are documented in
//! `docs/plan-inputs.md`.
//!
//! Every error names the file, the line (CSV), feature (GeoJSON) or key
//! (TOML), and the field.

use crate::domain::{
    DaySet, FacilityKind, FacilityRecord, Fleet, FleetFile, MAX_FREQUENCY, MAX_KG, MAX_M3,
    MAX_SERVICE_S, Pickup, StopSide, Stream, Visits, Zone, allowed_patterns, parse_time, short,
};
use crate::error::Location;
use crate::{Error, Result};
use std::collections::HashMap;
use std::path::Path;

/// A record of named string fields with the location of the record.
struct Record<'a> {
    fields: HashMap<&'a str, String>,
    loc: Location,
}

impl Record<'_> {
    fn err(&self, field: &str, msg: impl Into<String>) -> Error {
        Error::input(self.loc.clone().with_field(field), msg)
    }

    fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .get(field)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    fn req(&self, field: &str) -> Result<&str> {
        self.get(field)
            .ok_or_else(|| self.err(field, "is missing or empty"))
    }

    /// The required field `field`, one of the names `parse` knows (listed
    /// as `expected` in the error).
    fn one_of<T>(
        &self,
        field: &str,
        parse: impl Fn(&str) -> Option<T>,
        expected: &str,
    ) -> Result<T> {
        let s = self.req(field)?;
        parse(s).ok_or_else(|| {
            let s = s.to_ascii_lowercase();
            self.err(
                field,
                format!("unknown {field} '{s}' (expected {expected})"),
            )
        })
    }

    /// The field `field` as `read` reads it, which must be there.
    fn required<T>(
        &self,
        field: &str,
        read: impl Fn(&Self, &str) -> Result<Option<T>>,
    ) -> Result<T> {
        read(self, field)?.ok_or_else(|| self.err(field, "is missing or empty"))
    }

    fn f64(&self, field: &str) -> Result<Option<f64>> {
        match self.get(field) {
            None => Ok(None),
            Some(s) => match s.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(Some(v)),
                _ => Err(self.err(field, format!("expected a number, found '{s}'"))),
            },
        }
    }

    fn nonneg(&self, field: &str) -> Result<Option<f64>> {
        match self.f64(field)? {
            Some(v) if v < 0.0 => Err(self.err(field, format!("must not be negative, found {v}"))),
            v => Ok(v),
        }
    }

    /// A number in `0..=max`, if given.
    fn at_most(&self, field: &str, max: f64) -> Result<Option<f64>> {
        match self.nonneg(field)? {
            Some(v) if v > max => Err(self.err(
                field,
                format!("{} is above the limit of {}", short(v), short(max)),
            )),
            v => Ok(v),
        }
    }

    fn time(&self, field: &str) -> Result<Option<i64>> {
        match self.get(field) {
            None => Ok(None),
            Some(s) => parse_time(s)
                .map(Some)
                .ok_or_else(|| self.err(field, format!("expected a time as HH:MM, found '{s}'"))),
        }
    }

    fn coords(&self) -> Result<(f64, f64)> {
        let lat = self.required("lat", Record::f64)?;
        let lon = self.required("lon", Record::f64)?;
        if !(-90.0..=90.0).contains(&lat) {
            return Err(self.err("lat", format!("{lat} is not a latitude (-90 to 90)")));
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(self.err("lon", format!("{lon} is not a longitude (-180 to 180)")));
        }
        Ok((lat, lon))
    }
}

/// The columns of a pickups file (and the properties of a GeoJSON pickup,
/// but `lat` and `lon`).
pub const PICKUP_COLUMNS: [&str; 17] = [
    "id",
    "lat",
    "lon",
    "zone",
    "demand_kg",
    "volume_m3",
    "service_s",
    "tw_start",
    "tw_end",
    "stream",
    "required",
    "name",
    "frequency",
    "days",
    "demand_kg_per_day",
    "volume_m3_per_day",
    "side",
];

/// The columns of a facilities file.
pub const FACILITY_COLUMNS: [&str; 10] = [
    "id",
    "lat",
    "lon",
    "kind",
    "open",
    "close",
    "unload_s",
    "accepts",
    "daily_capacity_kg",
    "closed_days",
];

/// Columns (or properties) whose name starts with this are the user's own
/// notes: read past, never an error.
pub const NOTE_PREFIX: char = '_';

/// Checks that `name` is a known column (or a note); the error names the
/// closest known column.
fn check_known(name: &str, known: &[&str], what: &str, loc: &Location) -> Result<()> {
    if known.contains(&name) || name.starts_with(NOTE_PREFIX) {
        return Ok(());
    }
    Err(Error::input(
        loc.clone().with_field(name),
        format!(
            "{}; names starting with '{NOTE_PREFIX}' are read past as notes",
            super::unknown_name(what, name, known)
        ),
    ))
}

fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// Reads CSV bytes record by record (header names lower-cased and
/// trimmed), handing each non-empty one to `each`. Every column must be one
/// of `known` (or a note, see [`NOTE_PREFIX`]); a column without a name is
/// allowed only if it is empty on every line.
fn csv_records(
    path: &Path,
    bytes: &[u8],
    required: &[&str],
    known: &[&str],
    mut each: impl FnMut(&Record) -> Result<()>,
) -> Result<()> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let utf8 = |line: usize, field: Option<&str>| {
        let loc = Location::file(path).at_line(line);
        Error::input(
            match field {
                Some(f) => loc.with_field(f),
                None => loc,
            },
            super::not_utf8_message(),
        )
    };
    let mut headers = Vec::new();
    for h in rdr
        .byte_headers()
        .map_err(|e| {
            Error::input(
                Location::file(path).at_line(1),
                format!("unreadable header: {e}"),
            )
        })?
        .iter()
    {
        let h = std::str::from_utf8(h).map_err(|_| utf8(1, None))?;
        headers.push(h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase());
    }
    let header_loc = Location::file(path).at_line(1);
    for r in required {
        if !headers.iter().any(|h| h == r) {
            return Err(Error::input(
                header_loc.clone().with_field(*r),
                format!(
                    "the header has no '{r}' column (columns: {})",
                    headers.join(", ")
                ),
            ));
        }
    }
    let mut seen = std::collections::HashSet::new();
    for h in &headers {
        if !seen.insert(h) && !h.is_empty() {
            return Err(Error::input(
                header_loc.clone().with_field(h),
                "column appears twice",
            ));
        }
        if !h.is_empty() {
            check_known(h, known, "column", &header_loc)?;
        }
    }
    for rec in rdr.byte_records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
            Error::input(
                Location::file(path).at_line(line),
                format!("malformed CSV record: {e}"),
            )
        })?;
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        let mut fields = HashMap::with_capacity(headers.len());
        for (h, f) in headers.iter().zip(rec.iter()) {
            let name = if h.is_empty() { None } else { Some(h.as_str()) };
            let v = std::str::from_utf8(f).map_err(|_| utf8(line, name))?;
            if h.is_empty() {
                if !v.trim().is_empty() {
                    return Err(Error::input(
                        Location::file(path).at_line(line),
                        format!("a column without a name in the header holds '{v}'"),
                    ));
                }
                continue;
            }
            fields.insert(h.as_str(), v.to_string());
        }
        if fields.values().all(|f| f.trim().is_empty()) {
            continue;
        }
        each(&Record {
            fields,
            loc: Location::file(path).at_line(line),
        })?;
    }
    Ok(())
}

fn parse_bool(r: &Record, field: &str) -> Result<Option<bool>> {
    match r.get(field).map(|s| s.to_ascii_lowercase()) {
        None => Ok(None),
        Some(s) => match s.as_str() {
            "true" | "yes" | "1" => Ok(Some(true)),
            "false" | "no" | "0" => Ok(Some(false)),
            _ => Err(r.err(field, format!("expected true or false, found '{s}'"))),
        },
    }
}

fn pickup_from(r: &Record) -> Result<Pickup> {
    let id = r.req("id")?.to_string();
    let (lat, lon) = r.coords()?;
    let zone = r.one_of("zone", Zone::parse, "urban or rural")?;
    let visits = visits_from(r)?;
    let (demand_kg, volume_m3) = match visits.per_day {
        None => (
            r.required("demand_kg", |r, f| r.at_most(f, MAX_KG))?,
            r.at_most("volume_m3", MAX_M3)?.unwrap_or(0.0),
        ),
        // One evenly spaced visit, unless given.
        Some((kg, m3)) => {
            let visit = 7.0 / visits.frequency as f64;
            (
                r.at_most("demand_kg", MAX_KG)?
                    .unwrap_or((kg * visit).min(MAX_KG)),
                r.at_most("volume_m3", MAX_M3)?
                    .unwrap_or((m3 * visit).min(MAX_M3)),
            )
        }
    };
    let service_s = r
        .at_most("service_s", MAX_SERVICE_S)?
        .map_or(Pickup::DEFAULT_SERVICE_S, |v| v.round() as i64);
    let tw = match (r.time("tw_start")?, r.time("tw_end")?) {
        (None, None) => None,
        (s, e) => {
            let (s, e) = (s.unwrap_or(0), e.unwrap_or(48 * 3600));
            if s > e {
                return Err(r.err("tw_end", "the time window ends before it starts"));
            }
            Some((s, e))
        }
    };
    let mut visits = visits;
    if let Some((kg, m3)) = &mut visits.per_day
        && r.get("volume_m3_per_day").is_none()
        && demand_kg > 0.0
    {
        // The volume of one visit at the density of its weight.
        *m3 = (volume_m3 * *kg / demand_kg).min(MAX_M3);
    }
    let stream = match r.get("stream") {
        None => Stream::Household,
        Some(s) => Stream::parse(s).ok_or_else(|| {
            r.err("stream", format!("unknown stream '{s}' (expected household, recyclable, industrial, hazardous or medical)"))
        })?,
    };
    let required =
        parse_bool(r, "required")?.unwrap_or_else(|| Pickup::required_by_default(zone, stream));
    let name = r.get("name").unwrap_or(&id).to_string();
    let side = match r.get("side") {
        None => None,
        Some(s) => Some(
            StopSide::parse(s)
                .ok_or_else(|| r.err("side", format!("expected curb or either, found '{s}'")))?,
        ),
    };
    Ok(Pickup {
        id,
        lat,
        lon,
        zone,
        demand_kg,
        volume_m3,
        service_s,
        tw,
        stream,
        required,
        name,
        visits,
        side,
        source: r.loc.clone(),
    })
}

/// The weekly columns of a pickup: `frequency` (1 to 7, default 1), `days`
/// (checked against the whole week here; against the fleet's working days
/// by the weekly plan) and the waste per day.
fn visits_from(r: &Record) -> Result<Visits> {
    let frequency = match r.get("frequency") {
        None => 1,
        // `2.0` too: GeoJSON numbers may come that way.
        Some(s) => match s.parse::<f64>() {
            Ok(f) if f.fract() == 0.0 && (1.0..=MAX_FREQUENCY as f64).contains(&f) => f as usize,
            _ => {
                return Err(r.err(
                    "frequency",
                    format!("expected visits per week from 1 to {MAX_FREQUENCY}, found '{s}'"),
                ));
            }
        },
    };
    let days = r.get("days").map(str::to_string);
    if let Some(d) = &days {
        allowed_patterns(DaySet::ALL, frequency, Some(d)).map_err(|e| r.err("days", e))?;
    }
    let kg = r.at_most("demand_kg_per_day", MAX_KG)?;
    let m3 = r.at_most("volume_m3_per_day", MAX_M3)?;
    let per_day = match (kg, m3) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(r.err(
                "volume_m3_per_day",
                "needs demand_kg_per_day (a volume per day goes with a weight per day)",
            ));
        }
        (Some(kg), m3) => Some((kg, m3.unwrap_or(0.0))),
    };
    Ok(Visits {
        frequency,
        days,
        per_day,
    })
}

fn check_unique<'a>(
    path: &Path,
    items: impl Iterator<Item = (&'a str, &'a Location)>,
) -> Result<()> {
    let mut seen: HashMap<&str, &Location> = HashMap::new();
    for (id, loc) in items {
        if let Some(first) = seen.insert(id, loc) {
            let _ = path;
            return Err(Error::input(
                loc.clone().with_field("id"),
                format!(
                    "id '{id}' already used at {}",
                    first
                        .line
                        .map_or("an earlier record".into(), |l| format!("line {l}"))
                ),
            ));
        }
    }
    Ok(())
}

/// Reads pickups from a CSV file, or from GeoJSON when the file name ends
/// in `.geojson` or `.json`.
///
/// # Errors
/// [`Error::Io`] if unreadable; [`Error::Input`] naming the line (or
/// feature) and field of the first bad value.
pub fn read_pickups(path: &Path) -> Result<Vec<Pickup>> {
    read_pickups_bytes(path, &read_bytes(path)?)
}

/// Reads pickups from `text`, the content of the file `path` (which names
/// the file in errors and, by its extension, picks CSV or GeoJSON as
/// [`read_pickups`] does). For tests and fuzzing without a file.
///
/// # Errors
/// As [`read_pickups`], without the I/O errors.
pub fn read_pickups_str(path: &Path, text: &str) -> Result<Vec<Pickup>> {
    read_pickups_bytes(path, text.as_bytes())
}

fn read_pickups_bytes(path: &Path, bytes: &[u8]) -> Result<Vec<Pickup>> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let pickups = if ext == "geojson" || ext == "json" {
        pickups_from_geojson(path, super::text_of(path, bytes)?)?
    } else {
        let mut out = Vec::new();
        csv_records(
            path,
            bytes,
            &["id", "lat", "lon", "zone", "demand_kg"],
            &PICKUP_COLUMNS,
            |r| {
                out.push(pickup_from(r)?);
                Ok(())
            },
        )?;
        out
    };
    check_unique(path, pickups.iter().map(|p| (p.id.as_str(), &p.source)))?;
    Ok(pickups)
}

fn pickups_from_geojson(path: &Path, text: &str) -> Result<Vec<Pickup>> {
    let bad = |msg: String| Error::input(Location::file(path), msg);
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        Error::input(
            Location::file(path).at_line(e.line()),
            format!("not valid JSON: {e}"),
        )
    })?;
    if v.get("type").and_then(|t| t.as_str()) != Some("FeatureCollection") {
        return Err(bad("expected a GeoJSON FeatureCollection".into()));
    }
    let features = v
        .get("features")
        .and_then(|f| f.as_array())
        .ok_or_else(|| bad("no 'features' array".into()))?;
    let mut out = Vec::new();
    for (k, f) in features.iter().enumerate() {
        let loc = Location::file(path).at_line(k + 1);
        let ferr = |field: &str, msg: &str| {
            Error::input(
                loc.clone().with_field(field),
                format!("feature {}: {msg}", k + 1),
            )
        };
        let geom = f
            .get("geometry")
            .ok_or_else(|| ferr("geometry", "has no geometry"))?;
        if geom.get("type").and_then(|t| t.as_str()) != Some("Point") {
            return Err(ferr("geometry", "is not a Point"));
        }
        let c = geom
            .get("coordinates")
            .and_then(|c| c.as_array())
            .filter(|c| c.len() >= 2);
        let c = c.ok_or_else(|| ferr("coordinates", "expected [lon, lat]"))?;
        let (lon, lat) = (c[0].as_f64(), c[1].as_f64());
        let (Some(lon), Some(lat)) = (lon, lat) else {
            return Err(ferr("coordinates", "expected [lon, lat] numbers"));
        };
        let mut fields: HashMap<&str, String> = HashMap::new();
        fields.insert("lat", lat.to_string());
        fields.insert("lon", lon.to_string());
        if let Some(props) = f.get("properties").and_then(|p| p.as_object()) {
            for (key, val) in props {
                let key = key.as_str();
                if key == "lat" || key == "lon" {
                    // Allowed as a copy of the geometry's position, never as another one.
                    let geo = if key == "lat" { lat } else { lon };
                    let v = val
                        .as_f64()
                        .or_else(|| val.as_str().and_then(|s| s.trim().parse().ok()));
                    if v.is_none_or(|v: f64| (v - geo).abs() > 1e-6) {
                        return Err(ferr(
                            key,
                            &format!(
                                "the property '{key}' ({val}) differs from the geometry's position ({geo}); the geometry decides, so remove the property or make them agree"
                            ),
                        ));
                    }
                    continue;
                }
                check_known(key, &PICKUP_COLUMNS, "property", &loc).map_err(|e| match e {
                    Error::Input { location, message } => {
                        Error::input(location, format!("feature {}: {message}", k + 1))
                    }
                    e => e,
                })?;
                if key.starts_with(NOTE_PREFIX) {
                    continue;
                }
                let s = match val {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                };
                fields.insert(key, s);
            }
        }
        if !fields.contains_key("id")
            && let Some(id) = f.get("id")
        {
            fields.insert(
                "id",
                id.as_str().map_or_else(|| id.to_string(), str::to_string),
            );
        }
        let r = Record {
            fields,
            loc: loc.clone(),
        };
        let mut p = pickup_from(&r)?;
        p.source = loc;
        out.push(p);
    }
    Ok(out)
}

fn facility_from(r: &Record) -> Result<FacilityRecord> {
    let id = r.req("id")?.to_string();
    let (lat, lon) = r.coords()?;
    let kind = r.one_of(
        "kind",
        FacilityKind::parse,
        "depot, transfer, landfill or treatment",
    )?;
    let open = r.required("open", Record::time)?;
    let close = r.required("close", Record::time)?;
    if open > close {
        return Err(r.err("close", "closes before it opens"));
    }
    let unload_s = r
        .at_most("unload_s", MAX_SERVICE_S)?
        .map_or(FacilityRecord::DEFAULT_UNLOAD_S, |v| v.round() as i64);
    let accepts = match r.get("accepts") {
        None => kind.default_accepts(),
        Some(list) => {
            let mut m = 0;
            for s in list
                .split([';', '|', ','])
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                let st = Stream::parse(s)
                    .ok_or_else(|| r.err("accepts", format!("unknown stream '{s}'")))?;
                m |= 1 << st.index();
            }
            m
        }
    };
    if kind != FacilityKind::Depot && accepts == 0 {
        return Err(r.err("accepts", "the facility accepts no stream"));
    }
    let daily_capacity_kg = r.at_most("daily_capacity_kg", MAX_KG)?;
    let closed = match r.get("closed_days") {
        None => DaySet::EMPTY,
        Some(s) => DaySet::parse(s).map_err(|e| r.err("closed_days", e))?,
    };

    Ok(FacilityRecord {
        id,
        lat,
        lon,
        kind,
        open,
        close,
        unload_s,
        accepts,
        daily_capacity_kg,
        closed,
        source: r.loc.clone(),
    })
}

/// A facility from named fields (for example a TOML table of a scenario
/// file), with the same rules as a row of the facilities CSV (an unknown
/// field included).
///
/// # Errors
/// [`Error::Input`] at `loc`, naming the field.
pub fn facility_from_fields(fields: &[(String, String)], loc: Location) -> Result<FacilityRecord> {
    for (k, _) in fields {
        check_known(k, &FACILITY_COLUMNS, "field", &loc)?;
    }
    let r = Record {
        fields: fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect(),
        loc,
    };
    facility_from(&r)
}

/// Reads facilities from a CSV file.
///
/// # Errors
/// [`Error::Io`] if unreadable; [`Error::Input`] naming the line and field
/// of the first bad value (unknown kind or stream, a facility that accepts
/// nothing, an opening after the closing).
pub fn read_facilities(path: &Path) -> Result<Vec<FacilityRecord>> {
    read_facilities_bytes(path, &read_bytes(path)?)
}

/// Reads facilities from `text`, the content of the CSV file `path` (which
/// names the file in errors). For tests and fuzzing without a file.
///
/// # Errors
/// As [`read_facilities`], without the I/O errors.
pub fn read_facilities_str(path: &Path, text: &str) -> Result<Vec<FacilityRecord>> {
    read_facilities_bytes(path, text.as_bytes())
}

fn read_facilities_bytes(path: &Path, bytes: &[u8]) -> Result<Vec<FacilityRecord>> {
    let mut out = Vec::new();
    csv_records(
        path,
        bytes,
        &["id", "lat", "lon", "kind", "open", "close"],
        &FACILITY_COLUMNS,
        |r| {
            out.push(facility_from(r)?);
            Ok(())
        },
    )?;
    check_unique(path, out.iter().map(|f| (f.id.as_str(), &f.source)))?;
    Ok(out)
}

/// Reads a fleet file (vehicle types and targets).
///
/// # Errors
/// [`Error::Io`] if unreadable; [`Error::Input`] with the TOML parser's
/// line and key for malformed content, or naming the vehicle type and field
/// of a bad value.
pub fn read_fleet(path: &Path) -> Result<Fleet> {
    read_fleet_str(path, &super::read_text(path)?)
}

/// Reads a fleet from `text`, the content of the TOML file `path` (which
/// names the file in errors; profile paths are relative to its folder). For
/// tests and fuzzing without a file.
///
/// # Errors
/// As [`read_fleet`], without the I/O errors.
pub fn read_fleet_str(path: &Path, text: &str) -> Result<Fleet> {
    let spec: FleetFile =
        toml::from_str(text).map_err(|e| super::toml_error(Location::file(path), text, &e))?;
    let fleet = Fleet {
        spec,
        path: path.to_path_buf(),
    };
    fleet
        .working_days()
        .map_err(|e| with_top_line(text, "days", e))?;
    fleet.validate_with(|k, e| with_vehicle_line(text, k, e))?;
    Ok(fleet)
}

/// `e` with the line of the top-level `key` of a fleet file's `text`
/// (before its first table), when it is written there.
fn with_top_line(text: &str, key: &str, e: Error) -> Error {
    match e {
        Error::Input {
            mut location,
            message,
        } => {
            if location.line.is_none() {
                location.line = text
                    .lines()
                    .take_while(|l| !l.trim_start().starts_with('['))
                    .position(|l| {
                        l.split_once('=')
                            .is_some_and(|(lhs, _)| lhs.trim().trim_matches('"') == key)
                    })
                    .map(|i| i + 1);
            }
            Error::Input { location, message }
        }
        e => e,
    }
}

/// `e`, an error about vehicle type `k` of a fleet file with content
/// `text`, with the line of its field when the field is written there.
fn with_vehicle_line(text: &str, k: usize, e: Error) -> Error {
    match e {
        Error::Input {
            mut location,
            message,
        } => {
            if location.line.is_none()
                && let Some(field) = location.field.as_deref()
            {
                let key = field.rsplit('.').next().unwrap_or(field);
                let key = if field.contains(".break.") {
                    "break"
                } else if field.contains(".count_by_day.") {
                    "count_by_day"
                } else {
                    key
                };
                location.line = vehicle_key_line(text, k, key);
            }
            Error::Input { location, message }
        }
        e => e,
    }
}

/// The line of `key` in the `k`-th `[[vehicle]]` table of a fleet file's
/// text, if it is written there as `key = ...`.
fn vehicle_key_line(text: &str, k: usize, key: &str) -> Option<usize> {
    let mut seen = 0;
    let mut inside = false;
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.starts_with('[') {
            let name = l.trim_matches(|c| c == '[' || c == ']').trim();
            let vehicle = l.starts_with("[[") && (name == "vehicle" || name == "vehicles");
            if vehicle {
                seen += 1;
            }
            inside = vehicle && seen == k + 1;
            continue;
        }
        if inside
            && let Some((lhs, _)) = l.split_once('=')
            && lhs.trim().trim_matches('"') == key
        {
            return Some(i + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_err;
    use std::path::PathBuf;

    fn write(dir: &tempfile::TempDir, name: &str, text: &[u8]) -> PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    const VEHICLE: &str = "[[vehicle]]\nname = \"truck\"\ncount = 1\ndepot = \"D\"\n\
        capacity_kg = 1000\nshift_start = \"06:00\"\nshift_end = \"14:00\"\n";

    fn fleet_error(extra: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let text = format!("# fleet\n{VEHICLE}{extra}");
        let p = write(&dir, "fleet.toml", text.as_bytes());
        read_fleet(&p).unwrap_err().to_string()
    }

    #[test]
    fn fleet_values_that_cannot_work_are_refused_with_line_and_field() {
        let e = fleet_error(
            "break = { earliest = \"18:30\", latest = \"19:00\", duration_s = 1800 }\n",
        );
        assert!(
            e.contains("fleet.toml:9")
                && e.contains("'truck'.break.earliest")
                && e.contains("06:00-14:00"),
            "{e}"
        );
        let e =
            fleet_error("break = { earliest = \"03:00\", latest = \"05:00\", duration_s = 600 }\n");
        assert!(e.contains("break.latest"), "{e}");
        let e = fleet_error(
            "break = { earliest = \"09:00\", latest = \"10:00\", duration_s = 28800 }\n",
        );
        assert!(
            e.contains("break.duration_s") && e.contains("does not fit"),
            "{e}"
        );
        // The break may start late in its window only if it ends by 14:00.
        let e = fleet_error(
            "break = { earliest = \"13:45\", latest = \"13:50\", duration_s = 1800 }\n",
        );
        assert!(e.contains("break.earliest"), "{e}");
        assert!(fleet_error("fixed_cost = inf\n").contains("fixed_cost"));
        assert!(fleet_error("cost_per_km = nan\n").contains("cost_per_km"));
        assert!(fleet_error("capacity_m3 = inf\n").contains("capacity_m3"));
        assert!(fleet_error("max_shift_s = 0\n").contains("max_shift_s"));
        let e = fleet_error(
            "max_shift_s = 600\nbreak = { earliest = \"09:00\", latest = \"10:00\", duration_s = 900 }\n",
        );
        assert!(
            e.contains("break.duration_s") && e.contains("max_shift_s"),
            "{e}"
        );
        assert!(fleet_error("max_shift_s = 9000000000\n").contains("max_shift_s"));
        let dir = tempfile::tempdir().unwrap();
        let inf = VEHICLE.replace("capacity_kg = 1000", "capacity_kg = inf");
        assert_err(
            read_fleet(&write(&dir, "f.toml", inf.as_bytes())),
            &["f.toml:5", "capacity_kg", "inf"],
        );
        let many = VEHICLE.replace("count = 1", "count = 1000000");
        assert_err(
            read_fleet(&write(&dir, "f.toml", many.as_bytes())),
            &["count", "10000"],
        );
        let back = VEHICLE.replace("shift_end = \"14:00\"", "shift_end = \"05:00\"");
        assert_err(
            read_fleet(&write(&dir, "f.toml", back.as_bytes())),
            &["f.toml:7", "shift_end"],
        );
        // A break that fits is fine.
        let ok = format!(
            "{VEHICLE}break = {{ earliest = \"09:00\", latest = \"10:00\", duration_s = 1800 }}\n"
        );
        assert!(read_fleet(&write(&dir, "f.toml", ok.as_bytes())).is_ok());
    }

    const FACILITIES: &str = "id,lat,lon,kind,open,close\nD,47.1,9.5,depot,05:00,20:00\n";

    #[test]
    fn unknown_columns_are_refused_with_the_closest_known_one() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "p.csv",
            b"id,lat,lon,zone,demand_kg,streem\nA,47.1,9.5,urban,10,hazardous\n",
        );
        assert_err(
            read_pickups(&p),
            &["p.csv:1", "'streem'", "did you mean 'stream'"],
        );
        let p = write(
            &dir,
            "p.csv",
            b"id,lat,lon,zone,demand_kg,tw_strat\nA,47.1,9.5,urban,10,08:00\n",
        );
        assert!(
            read_pickups(&p)
                .unwrap_err()
                .to_string()
                .contains("did you mean 'tw_start'")
        );
        let f = write(
            &dir,
            "f.csv",
            b"id,lat,lon,kind,open,close,daily_capacty_kg\nD,47.1,9.5,depot,05:00,20:00,\n",
        );
        assert_err(read_facilities(&f), &["did you mean 'daily_capacity_kg'"]);
        // Notes and an empty unnamed column (a trailing comma) are fine.
        let p = write(
            &dir,
            "p.csv",
            b"id,lat,lon,zone,demand_kg,_note,\nA,47.1,9.5,urban,10,call first,\n",
        );
        assert_eq!(read_pickups(&p).unwrap().len(), 1);
        let p = write(
            &dir,
            "p.csv",
            b"id,lat,lon,zone,demand_kg,\nA,47.1,9.5,urban,10,7\n",
        );
        assert_err(read_pickups(&p), &["p.csv:2", "without a name"]);
        assert!(read_facilities(&write(&dir, "f.csv", FACILITIES.as_bytes())).is_ok());
    }

    #[test]
    fn numbers_that_are_not_finite_or_out_of_range_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for (col, row) in [
            ("demand_kg", "inf,1,60"),
            ("demand_kg", "NaN,1,60"),
            ("volume_m3", "10,-1,60"),
            ("service_s", "10,1,1e300"),
        ] {
            let text =
                format!("id,lat,lon,zone,demand_kg,volume_m3,service_s\nA,47.1,9.5,urban,{row}\n");
            let e = read_pickups(&write(&dir, "p.csv", text.as_bytes()))
                .unwrap_err()
                .to_string();
            assert!(e.contains("p.csv:2") && e.contains(col), "{row}: {e}");
        }
        for v in ["NaN", "-5", "inf", "1e12"] {
            let text = format!(
                "id,lat,lon,kind,open,close,daily_capacity_kg\nT,47.1,9.5,transfer,05:00,20:00,{v}\n"
            );
            let e = read_facilities(&write(&dir, "f.csv", text.as_bytes()))
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("f.csv:2") && e.contains("daily_capacity_kg"),
                "{v}: {e}"
            );
        }
    }

    #[test]
    fn text_that_is_not_utf8_names_the_line_and_the_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "p.csv", b"id,lat,lon,zone,demand_kg,name\nA,47.1,9.5,urban,10,ok\nB,47.1,9.5,urban,10,Caf\xe9\n");
        assert_err(read_pickups(&p), &["p.csv:3", "'name'", "UTF-8"]);
        let f = write(&dir, "fleet.toml", b"[[vehicle]]\nname = \"Gro\xdf\"\n");
        assert_err(read_fleet(&f), &["fleet.toml:2", "UTF-8"]);
    }

    #[test]
    fn geojson_pickups_refuse_unknown_properties_and_other_positions() {
        let dir = tempfile::tempdir().unwrap();
        let doc = |props: &str| {
            format!(
                r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","geometry":{{"type":"Point","coordinates":[9.5,47.1]}},"properties":{{"id":"A","zone":"urban","demand_kg":10{props}}}}}]}}"#
            )
        };
        let read = |props: &str| read_pickups(&write(&dir, "p.geojson", doc(props).as_bytes()));
        assert_eq!(read("").unwrap().len(), 1);
        assert_eq!(
            read(r#","_colour":"red","lat":47.1,"lon":"9.5""#)
                .unwrap()
                .len(),
            1
        );
        assert_err(
            read(r#","steam":"medical""#),
            &["p.geojson:1", "feature 1", "did you mean 'stream'"],
        );
        assert_err(read(r#","lat":48.0"#), &["'lat'", "geometry"]);
    }

    fn pickups(extra_cols: &str, extra: &str) -> Result<Vec<Pickup>> {
        let text = format!("id,lat,lon,zone,demand_kg{extra_cols}\nA,47.1,9.5,rural,{extra}\n");
        read_pickups_str(Path::new("p.csv"), &text)
    }

    #[test]
    fn side_is_left_to_the_road_when_absent_and_refuses_other_values() {
        // No column or an empty cell: the road's default decides later.
        assert_eq!(pickups("", "10").unwrap()[0].side, None);
        assert_eq!(pickups(",side", "10,").unwrap()[0].side, None);
        assert_eq!(
            pickups(",side", "10, Curb").unwrap()[0].side,
            Some(StopSide::Curb)
        );
        assert_eq!(
            pickups(",side", "10,either").unwrap()[0].side,
            Some(StopSide::Either)
        );
        assert_err(
            pickups(",side", "10,left"),
            &["p.csv:2", "'side'", "'left'"],
        );
        let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[9.5,47.1]},"properties":{"id":"A","zone":"urban","demand_kg":3,"side":"curb"}}]}"#;
        let p = &read_pickups_str(Path::new("p.geojson"), text).unwrap()[0];
        assert_eq!(p.side, Some(StopSide::Curb));
    }

    #[test]
    fn weekly_columns_are_read_with_their_defaults() {
        // A one-day file: once a week, per-visit demand.
        let p = &pickups("", "10").unwrap()[0];
        assert_eq!(p.visits, Visits::ONCE);
        assert_eq!(p.visits.demand_rule(), "per_visit");
        let p = &pickups(",frequency,days", "10,3,mon;wed;fri").unwrap()[0];
        assert_eq!(p.visits.frequency, 3);
        assert_eq!(p.visits.days.as_deref(), Some("mon;wed;fri"));
        assert_eq!(p.demand_kg, 10.0);
        let p = &pickups(",frequency,days", "10,2,mon;thu|tue;fri").unwrap()[0];
        assert_eq!(p.visits.patterns(DaySet::MON_TO_SAT).unwrap().len(), 2);
    }

    #[test]
    fn waste_per_day_makes_the_one_visit_demand_when_none_is_given() {
        // 14 kg a day, twice a week: one evenly spaced visit collects 49 kg.
        let p = &pickups(
            ",frequency,demand_kg_per_day,volume_m3_per_day",
            ",2,14,0.2",
        )
        .unwrap()[0];
        assert_eq!(p.visits.per_day, Some((14.0, 0.2)));
        assert_eq!(p.visits.demand_rule(), "accumulated");
        assert_eq!(p.demand_kg, 49.0);
        assert!((p.volume_m3 - 0.7).abs() < 1e-9);
        // A given demand_kg stays; the volume per day follows the density
        // of the one-visit volume when only that is given.
        let p = &pickups(",volume_m3,frequency,demand_kg_per_day", "40,2,2,10").unwrap()[0];
        assert_eq!(p.demand_kg, 40.0);
        assert_eq!(p.volume_m3, 2.0);
        assert_eq!(p.visits.per_day, Some((10.0, 0.5)));
        // Neither weight: demand_kg is missing.
        assert_err(pickups(",frequency", ",2"), &["p.csv:2", "demand_kg"]);
    }

    #[test]
    fn bad_weekly_columns_name_line_and_field() {
        for (cols, row, field, words) in [
            (",frequency", "10,0", "frequency", "1 to 7"),
            (",frequency", "10,8", "frequency", "found '8'"),
            (",frequency", "10,twice", "frequency", "'twice'"),
            (",days", "10,mon;funday", "days", "'funday' is not a day"),
            (",days", "10,mon;mon", "days", "twice"),
            (",frequency,days", "10,3,mon;thu", "days", "has 2 days"),
            (
                ",frequency,days",
                "10,2,mon;thu|tue",
                "days",
                "frequency is 2",
            ),
            (
                ",demand_kg_per_day",
                "10,-1",
                "demand_kg_per_day",
                "negative",
            ),
            (
                ",volume_m3_per_day",
                "10,0.5",
                "volume_m3_per_day",
                "needs demand_kg_per_day",
            ),
        ] {
            let e = pickups(cols, row).unwrap_err().to_string();
            assert!(
                e.contains("p.csv:2") && e.contains(&format!("'{field}'")) && e.contains(words),
                "{row}: {e}"
            );
        }
    }

    #[test]
    fn geojson_pickups_read_the_weekly_properties() {
        let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[9.5,47.1]},"properties":{"id":"A","zone":"urban","frequency":6,"days":"mon;tue;wed;thu;fri;sat","demand_kg_per_day":3}}]}"#;
        let p = &read_pickups_str(Path::new("p.geojson"), text).unwrap()[0];
        assert_eq!(p.visits.frequency, 6);
        assert_eq!(p.visits.per_day, Some((3.0, 0.0)));
        assert_eq!(p.demand_kg, 3.5);
        let bad = text.replace("\"frequency\":6", "\"frequency\":9");
        assert_err(
            read_pickups_str(Path::new("p.geojson"), &bad),
            &["p.geojson:1", "'frequency'"],
        );
    }

    #[test]
    fn facilities_read_their_closed_days() {
        let text = "id,lat,lon,kind,open,close,closed_days\nD,47.1,9.5,depot,05:00,20:00,\nT,47.1,9.5,transfer,05:00,20:00,wed;sun\n";
        let fs = read_facilities_str(Path::new("f.csv"), text).unwrap();
        assert_eq!(fs[0].closed, DaySet::EMPTY);
        assert_eq!(fs[1].closed.to_string(), "wed;sun");
        assert_err(
            read_facilities_str(Path::new("f.csv"), &text.replace("wed;sun", "wed;holiday")),
            &["f.csv:3", "'closed_days'", "'holiday'"],
        );
    }

    #[test]
    fn fleet_working_days_and_counts_by_day() {
        let dir = tempfile::tempdir().unwrap();
        let read = |text: &str| read_fleet(&write(&dir, "fleet.toml", text.as_bytes()));
        let f = read(VEHICLE).unwrap();
        assert_eq!(f.working_days().unwrap(), DaySet::MON_TO_SAT);
        assert_eq!(f.counts_by_day(0).unwrap(), None);
        let text = format!(
            "days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\n{VEHICLE}count_by_day = {{ fri = 3 }}\n"
        );
        let f = read(&text).unwrap();
        assert_eq!(f.working_days().unwrap().to_string(), "mon;tue;wed;thu;fri");
        assert_eq!(f.counts_by_day(0).unwrap(), Some([1, 1, 1, 1, 3, 0, 0]));
        // A count on a day off, an unknown day, a bad working day.
        assert_err(
            read(&text.replace("fri = 3", "sat = 3")),
            &[
                "fleet.toml:9",
                "'truck'.count_by_day.sat",
                "not a working day",
            ],
        );
        assert_err(
            read(&text.replace("fri = 3", "fry = 3")),
            &["count_by_day.fry", "not a day"],
        );
        assert_err(
            read(&text.replace("\"tue\"", "\"tues\"")),
            &["fleet.toml:1", "'days'", "'tues'"],
        );
        assert_err(
            read(&text.replace("\"tue\"", "\"mon\"")),
            &["'days'", "twice"],
        );
        assert_err(
            read(&format!("days = []\n{VEHICLE}")),
            &["fleet.toml:1", "no working day"],
        );
        assert_err(
            read(&format!("{VEHICLE}count_by_day = {{ sat = 99999 }}\n")),
            &["count_by_day.sat", "at most"],
        );
    }

    #[test]
    fn the_documented_weekly_example_reads() {
        let doc = include_str!("../../docs/plan-inputs.md");
        let at = doc.find("### Weekly columns").unwrap();
        let block = &doc[at..];
        let start = block.find("```csv\n").unwrap() + 7;
        let csv = &block[start..start + block[start..].find("```").unwrap()];
        let ps = read_pickups_str(Path::new("doc.csv"), csv).unwrap();
        let six = DaySet::MON_TO_SAT;
        let n: Vec<usize> = ps
            .iter()
            .map(|p| p.visits.patterns(six).unwrap().len())
            .collect();
        assert_eq!(n, [1, 3, 2, 3, 1]);
        assert_eq!(ps[1].demand_kg, 52.5);
        assert_eq!(ps[1].visits.demand_rule(), "accumulated");
    }
}
