//! Reading the inputs of a waste-collection plan: pickups (CSV or GeoJSON),
//! facilities (CSV) and the fleet with its coverage targets (TOML). The
//! formats are documented in `docs/plan-inputs.md`.
//!
//! Every error names the file, the line (CSV), feature (GeoJSON) or key
//! (TOML), and the field.

use crate::error::Location;
use crate::{Error, Result};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The zone of a pickup, for coverage targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
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
}

/// A waste stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
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

    /// Parses a stream name.
    pub fn parse(s: &str) -> Option<Stream> {
        Stream::ALL
            .into_iter()
            .find(|x| x.name() == s.trim().to_ascii_lowercase())
    }
}

/// A set of streams as a bit mask (bit = [`Stream::index`]).
pub type Streams = u32;

/// The bit mask of `streams`.
pub fn stream_set(streams: &[Stream]) -> Streams {
    streams.iter().fold(0, |m, s| m | (1 << s.index()))
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
    /// Where it was read (file and line or feature number).
    pub source: Location,
}

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
    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            FacilityKind::Depot => "depot",
            FacilityKind::Transfer => "transfer",
            FacilityKind::Landfill => "landfill",
            FacilityKind::Treatment => "treatment",
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
    /// Where it was read.
    pub source: Location,
}

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
}

fn default_profile() -> String {
    "truck".into()
}

/// Coverage targets: the share of demand and of points to serve.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
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
}

/// A fleet file with its path (profile paths are relative to it).
#[derive(Debug, Clone, PartialEq)]
pub struct Fleet {
    /// The file's content.
    pub spec: FleetFile,
    /// The file.
    pub path: PathBuf,
}

/// Parses `HH:MM` (or `HH:MM:SS`) into seconds after midnight.
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    let mut it = s.split(':');
    let h: i64 = it.next()?.parse().ok()?;
    let m: i64 = it.next()?.parse().ok()?;
    let sec: i64 = match it.next() {
        Some(x) => x.parse().ok()?,
        None => 0,
    };
    if it.next().is_some()
        || !(0..48).contains(&h)
        || !(0..60).contains(&m)
        || !(0..60).contains(&sec)
    {
        return None;
    }
    Some(h * 3600 + m * 60 + sec)
}

/// Formats seconds after midnight as `HH:MM`.
pub fn format_time(s: i64) -> String {
    let m = (s + 30).div_euclid(60);
    format!("{:02}:{:02}", m / 60, m % 60)
}

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

    fn time(&self, field: &str) -> Result<Option<i64>> {
        match self.get(field) {
            None => Ok(None),
            Some(s) => parse_time(s)
                .map(Some)
                .ok_or_else(|| self.err(field, format!("expected a time as HH:MM, found '{s}'"))),
        }
    }

    fn coords(&self) -> Result<(f64, f64)> {
        let lat = self
            .f64("lat")?
            .ok_or_else(|| self.err("lat", "is missing or empty"))?;
        let lon = self
            .f64("lon")?
            .ok_or_else(|| self.err("lon", "is missing or empty"))?;
        if !(-90.0..=90.0).contains(&lat) {
            return Err(self.err("lat", format!("{lat} is not a latitude (-90 to 90)")));
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(self.err("lon", format!("{lon} is not a longitude (-180 to 180)")));
        }
        Ok((lat, lon))
    }
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::io(path, e))
}

/// A CSV record: its line and (column, value) pairs.
type CsvRow = (usize, Vec<(String, String)>);

/// Reads a CSV file into records (header names lower-cased and trimmed).
fn csv_records(path: &Path, text: &str, required: &[&str]) -> Result<Vec<CsvRow>> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| {
            Error::input(
                Location::file(path).at_line(1),
                format!("unreadable header: {e}"),
            )
        })?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    for r in required {
        if !headers.iter().any(|h| h == r) {
            return Err(Error::input(
                Location::file(path).at_line(1).with_field(*r),
                format!(
                    "the header has no '{r}' column (columns: {})",
                    headers.join(", ")
                ),
            ));
        }
    }
    let mut seen = std::collections::HashSet::new();
    for h in &headers {
        if !seen.insert(h) {
            return Err(Error::input(
                Location::file(path).at_line(1).with_field(h),
                "column appears twice",
            ));
        }
    }
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
            Error::input(
                Location::file(path).at_line(line),
                format!("malformed CSV record: {e}"),
            )
        })?;
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        out.push((
            line,
            headers
                .iter()
                .cloned()
                .zip(rec.iter().map(|s| s.to_string()))
                .collect(),
        ));
    }
    Ok(out)
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
    let zone = match r.req("zone")?.to_ascii_lowercase().as_str() {
        "urban" => Zone::Urban,
        "rural" => Zone::Rural,
        z => {
            return Err(r.err(
                "zone",
                format!("unknown zone '{z}' (expected urban or rural)"),
            ));
        }
    };
    let demand_kg = r
        .nonneg("demand_kg")?
        .ok_or_else(|| r.err("demand_kg", "is missing or empty"))?;
    let volume_m3 = r.nonneg("volume_m3")?.unwrap_or(0.0);
    let service_s = r.nonneg("service_s")?.map_or(60, |v| v.round() as i64);
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
    let stream = match r.get("stream") {
        None => Stream::Household,
        Some(s) => Stream::parse(s).ok_or_else(|| {
            r.err("stream", format!("unknown stream '{s}' (expected household, recyclable, industrial, hazardous or medical)"))
        })?,
    };
    let default_required = zone == Zone::Urban
        || matches!(
            stream,
            Stream::Industrial | Stream::Hazardous | Stream::Medical
        );
    let required = parse_bool(r, "required")?.unwrap_or(default_required);
    let name = r.get("name").unwrap_or(&id).to_string();
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
        source: r.loc.clone(),
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
    read_pickups_str(path, &read_text(path)?)
}

/// Reads pickups from `text`, the content of the file `path` (which names
/// the file in errors and, by its extension, picks CSV or GeoJSON as
/// [`read_pickups`] does). For tests and fuzzing without a file.
///
/// # Errors
/// As [`read_pickups`], without the I/O errors.
pub fn read_pickups_str(path: &Path, text: &str) -> Result<Vec<Pickup>> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let pickups = if ext == "geojson" || ext == "json" {
        pickups_from_geojson(path, text)?
    } else {
        let recs = csv_records(path, text, &["id", "lat", "lon", "zone", "demand_kg"])?;
        let mut out = Vec::with_capacity(recs.len());
        for (line, fields) in &recs {
            let r = Record {
                fields: fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.clone()))
                    .collect(),
                loc: Location::file(path).at_line(*line),
            };
            out.push(pickup_from(&r)?);
        }
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
            for key in [
                "id",
                "zone",
                "demand_kg",
                "volume_m3",
                "service_s",
                "tw_start",
                "tw_end",
                "stream",
                "required",
                "name",
            ] {
                if let Some(val) = props.get(key) {
                    let s = match val {
                        serde_json::Value::String(s) => s.clone(),
                        serde_json::Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    fields.insert(key, s);
                }
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
    let kind = match r.req("kind")?.to_ascii_lowercase().as_str() {
        "depot" => FacilityKind::Depot,
        "transfer" => FacilityKind::Transfer,
        "landfill" => FacilityKind::Landfill,
        "treatment" => FacilityKind::Treatment,
        k => {
            return Err(r.err(
                "kind",
                format!("unknown kind '{k}' (expected depot, transfer, landfill or treatment)"),
            ));
        }
    };
    let open = r
        .time("open")?
        .ok_or_else(|| r.err("open", "is missing or empty"))?;
    let close = r
        .time("close")?
        .ok_or_else(|| r.err("close", "is missing or empty"))?;
    if open > close {
        return Err(r.err("close", "closes before it opens"));
    }
    let unload_s = r.nonneg("unload_s")?.map_or(600, |v| v.round() as i64);
    let accepts = match r.get("accepts") {
        None => match kind {
            FacilityKind::Treatment => stream_set(&Stream::ALL),
            _ => stream_set(&[Stream::Household, Stream::Recyclable]),
        },
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
    let daily_capacity_kg = r.nonneg("daily_capacity_kg")?;

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
        source: r.loc.clone(),
    })
}

/// A facility from named fields (for example a TOML table of a scenario
/// file), with the same rules as a row of the facilities CSV.
///
/// # Errors
/// [`Error::Input`] at `loc`, naming the field.
pub fn facility_from_fields(fields: &[(String, String)], loc: Location) -> Result<FacilityRecord> {
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
    read_facilities_str(path, &read_text(path)?)
}

/// Reads facilities from `text`, the content of the CSV file `path` (which
/// names the file in errors). For tests and fuzzing without a file.
///
/// # Errors
/// As [`read_facilities`], without the I/O errors.
pub fn read_facilities_str(path: &Path, text: &str) -> Result<Vec<FacilityRecord>> {
    let recs = csv_records(path, text, &["id", "lat", "lon", "kind", "open", "close"])?;
    let mut out = Vec::with_capacity(recs.len());
    for (line, fields) in &recs {
        let r = Record {
            fields: fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect(),
            loc: Location::file(path).at_line(*line),
        };
        out.push(facility_from(&r)?);
    }
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
    read_fleet_str(path, &read_text(path)?)
}

/// Reads a fleet from `text`, the content of the TOML file `path` (which
/// names the file in errors; profile paths are relative to its folder). For
/// tests and fuzzing without a file.
///
/// # Errors
/// As [`read_fleet`], without the I/O errors.
pub fn read_fleet_str(path: &Path, text: &str) -> Result<Fleet> {
    let spec: FleetFile = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
        let mut loc = Location::file(path);
        if let Some(l) = line {
            loc = loc.at_line(l);
        }
        Error::input(loc, e.message().to_string())
    })?;
    let fleet = Fleet {
        spec,
        path: path.to_path_buf(),
    };
    fleet.validate()?;
    Ok(fleet)
}

impl Fleet {
    fn err(&self, k: usize, field: &str, msg: impl Into<String>) -> Error {
        let name = &self.spec.vehicle[k].name;
        Error::input(
            Location::file(&self.path).with_field(format!("vehicle '{name}'.{field}")),
            msg,
        )
    }

    /// Checks values that do not depend on other files.
    fn validate(&self) -> Result<()> {
        if self.spec.vehicle.is_empty() {
            return Err(Error::input(
                Location::file(&self.path).with_field("vehicle"),
                "no vehicle type is defined",
            ));
        }
        let mut names = std::collections::HashSet::new();
        for (k, v) in self.spec.vehicle.iter().enumerate() {
            if !names.insert(v.name.as_str()) {
                return Err(self.err(k, "name", "two vehicle types have this name"));
            }
            if v.capacity_kg.is_nan() || v.capacity_kg <= 0.0 {
                return Err(self.err(k, "capacity_kg", "must be positive"));
            }
            if v.capacity_m3.is_some_and(|c| c.is_nan() || c <= 0.0) {
                return Err(self.err(k, "capacity_m3", "must be positive"));
            }
            let (s, e) = self.shift(k)?;
            if s >= e {
                return Err(self.err(k, "shift_end", "the shift ends before it starts"));
            }
            if v.max_shift_s.is_some_and(|m| m <= 0) {
                return Err(self.err(k, "max_shift_s", "must be positive"));
            }
            if let Some(b) = &v.break_ {
                let (bs, be) = (
                    parse_time(&b.earliest)
                        .ok_or_else(|| self.err(k, "break.earliest", "expected HH:MM"))?,
                    parse_time(&b.latest)
                        .ok_or_else(|| self.err(k, "break.latest", "expected HH:MM"))?,
                );
                if bs > be {
                    return Err(self.err(
                        k,
                        "break.latest",
                        "the break window ends before it starts",
                    ));
                }
                if b.duration_s < 0 {
                    return Err(self.err(k, "break.duration_s", "must not be negative"));
                }
            }
            for (f, x) in [
                ("fixed_cost", v.fixed_cost),
                ("cost_per_km", v.cost_per_km),
                ("cost_per_hour", v.cost_per_hour),
            ] {
                if x.is_nan() || x < 0.0 || !x.is_finite() {
                    return Err(self.err(k, f, "must be a non-negative number"));
                }
            }
            self.streams(k)?;
            if v.max_trips == Some(0) {
                return Err(self.err(k, "max_trips", "must be at least 1"));
            }
        }
        let t = &self.spec.targets;
        for (f, x) in [
            ("urban", t.urban),
            ("rural", t.rural),
            ("household", t.household),
            ("recyclable", t.recyclable),
            ("industrial", t.industrial),
            ("hazardous", t.hazardous),
            ("medical", t.medical),
        ] {
            if !(0.0..=1.0).contains(&x) {
                return Err(Error::input(
                    Location::file(&self.path).with_field(format!("targets.{f}")),
                    format!("{x} is not a share between 0 and 1"),
                ));
            }
        }
        Ok(())
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
            None => Ok(stream_set(&[Stream::Household, Stream::Recyclable])),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_and_format() {
        assert_eq!(parse_time("06:30"), Some(6 * 3600 + 30 * 60));
        assert_eq!(parse_time("6:05:30"), Some(6 * 3600 + 5 * 60 + 30));
        assert_eq!(parse_time("25:00"), Some(25 * 3600));
        assert_eq!(parse_time("06:60"), None);
        assert_eq!(parse_time("six"), None);
        assert_eq!(format_time(6 * 3600 + 29 * 60 + 40), "06:30");
    }
}
