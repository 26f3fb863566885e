//! The waste-collection VRPTW benchmark of Kim, Kim & Sahoo (2006) and the
//! JSON solutions written for it.
//!
//! Kim, B.-I., Kim, S., Sahoo, S. (2006). Waste collection vehicle routing
//! problem with time windows. *Computers & Operations Research* 33(12):
//! 3624–3642. Files `NNN_stop.txt`, format page `benchmark.html`.
//!
//! # The instance format
//!
//! Five header lines, each a number followed by a `//` comment:
//!
//! 1. vehicle capacity per trip, in cubic yards;
//! 2. yards a vehicle may collect per day (over all its trips);
//! 3. regular stops a vehicle may serve per day;
//! 4. lunch duration in seconds (the lunch starts between 11:00 and 12:00);
//! 5. speed in miles per hour.
//!
//! Then a column header (`Stop_ID X(feet) Y(feet) Early_St_Time (HHMM) ...`)
//! and one row per node:
//!
//! ```text
//! id  x(ft)  y(ft)  early(HHMM)  late(HHMM)  service(s)  load(yd)  type
//! ```
//!
//! `type` is 0 for the depot (exactly one), 1 for a regular stop and 2 for a
//! landfill or transfer station (at least one). `early` and `late` bound the
//! *start* of service. `HHMM` is read as `HH·3600 + MM·60` seconds after
//! midnight, literally even when `MM ≥ 60` (`1675` is 17:15), as the
//! independent checker `tools/kim/kim.py` does. The loads of the depot and
//! landfills are placeholders (9999) and are stored as 0. Blank lines are
//! skipped, fields are separated by any whitespace, and double quotes are
//! ignored.
//!
//! The format page leaves the distance metric open: it recommends the
//! Manhattan distance at the given speed, the checker defaults to Euclidean.
//! [`KimInstance::distance_miles`] takes either as a [`KimMetric`].
//!
//! # The solution formats
//!
//! [`KimSolution`] is what `wasteroute wcvrptw solve --out` writes:
//!
//! ```json
//! {"routes": [{"stops": ["0", "33", "86", "1", "0"], "lunch_start_s": 41400}],
//!  "vehicles": 1, "distance_miles": 123.4}
//! ```
//!
//! [`CheckerSolution`] is the input of the independent checker
//! (`kim.py check INSTANCE SOLUTION.json`):
//!
//! ```json
//! {"routes": [["0", "33", "86", "1", "0"]], "lunch": [41400]}
//! ```
//!
//! In both, a route lists `Stop_ID`s: the depot, the stops and landfill
//! visits in order, the final landfill, the depot. Lunch starts are seconds
//! after midnight; `null` lets the checker place the lunch.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize, Serializer};

use super::{Src, show};
use crate::error::Location;
use crate::{Error, Result};

/// Feet in a mile: coordinates are in feet, distances are reported in miles.
pub const FEET_PER_MILE: f64 = 5280.0;

/// The kind of a node (the `type` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KimKind {
    /// Type 0: the depot, where every route starts and ends.
    Depot,
    /// Type 1: a regular stop to collect.
    Stop,
    /// Type 2: a landfill or transfer station, where a truck unloads.
    Landfill,
}

/// One row of the instance file.
#[derive(Debug, Clone, PartialEq)]
pub struct KimNode {
    /// `Stop_ID` exactly as written in the file.
    pub id: String,
    /// X coordinate, feet.
    pub x_ft: f64,
    /// Y coordinate, feet.
    pub y_ft: f64,
    /// Earliest start of service, seconds after midnight.
    pub early_s: i64,
    /// Latest start of service, seconds after midnight.
    pub late_s: i64,
    /// Service time, seconds.
    pub service_s: f64,
    /// Load to collect, cubic yards (0 for the depot and landfills).
    pub load: f64,
    /// Depot, stop or landfill.
    pub kind: KimKind,
}

/// A validated Kim et al. instance: exactly one depot, at least one landfill
/// and one stop, every stop's load within the vehicle's capacity.
#[derive(Debug, Clone, PartialEq)]
pub struct KimInstance {
    name: String,
    capacity: f64,
    daily_capacity: f64,
    max_stops: usize,
    lunch_duration_s: f64,
    speed_mph: f64,
    nodes: Vec<KimNode>,
    depot: usize,
}

/// How distances are computed from the coordinates in feet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KimMetric {
    /// Straight-line distance: the default of the independent checker.
    #[default]
    Euclidean,
    /// `|dx| + |dy|`: the metric the format page recommends and the one its
    /// worked example uses (node 0 to node 1 of `102_stop`: 15,387 ft,
    /// 2.914 mi, 262.3 s at 40 mph).
    Manhattan,
}

impl KimInstance {
    /// The instance name: the file stem, for example `102_stop`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Vehicle capacity per trip, cubic yards (header line 1).
    pub fn capacity(&self) -> f64 {
        self.capacity
    }

    /// Yards a vehicle may collect per day, over all its trips (header line 2).
    pub fn daily_capacity(&self) -> f64 {
        self.daily_capacity
    }

    /// Regular stops a vehicle may serve per day (header line 3).
    pub fn max_stops(&self) -> usize {
        self.max_stops
    }

    /// Lunch duration, seconds (header line 4).
    pub fn lunch_duration_s(&self) -> f64 {
        self.lunch_duration_s
    }

    /// Speed, miles per hour (header line 5).
    pub fn speed_mph(&self) -> f64 {
        self.speed_mph
    }

    /// Every node, in file order.
    pub fn nodes(&self) -> &[KimNode] {
        &self.nodes
    }

    /// Index of the depot in [`nodes`](Self::nodes).
    pub fn depot(&self) -> usize {
        self.depot
    }

    /// Indices of the landfills, in file order.
    pub fn landfills(&self) -> impl Iterator<Item = usize> + '_ {
        self.indices_of(KimKind::Landfill)
    }

    /// Indices of the regular stops, in file order.
    pub fn stops(&self) -> impl Iterator<Item = usize> + '_ {
        self.indices_of(KimKind::Stop)
    }

    fn indices_of(&self, kind: KimKind) -> impl Iterator<Item = usize> + '_ {
        self.nodes
            .iter()
            .enumerate()
            .filter(move |(_, n)| n.kind == kind)
            .map(|(i, _)| i)
    }

    /// Distance from node `i` to node `j`, in miles.
    ///
    /// # Panics
    /// If `i` or `j` is not an index of [`nodes`](Self::nodes).
    pub fn distance_miles(&self, i: usize, j: usize, metric: KimMetric) -> f64 {
        let (a, b) = (&self.nodes[i], &self.nodes[j]);
        let (dx, dy) = (a.x_ft - b.x_ft, a.y_ft - b.y_ft);
        let feet = match metric {
            KimMetric::Euclidean => dx.hypot(dy),
            KimMetric::Manhattan => dx.abs() + dy.abs(),
        };
        feet / FEET_PER_MILE
    }

    /// Travel time from node `i` to node `j` at [`speed_mph`](Self::speed_mph),
    /// in seconds.
    ///
    /// # Panics
    /// If `i` or `j` is not an index of [`nodes`](Self::nodes).
    pub fn travel_time_s(&self, i: usize, j: usize, metric: KimMetric) -> f64 {
        self.distance_miles(i, j, metric) / self.speed_mph * 3600.0
    }
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

const COLUMNS: [&str; 8] = [
    "Stop_ID",
    "X",
    "Y",
    "Early_St_Time",
    "Late_St_Time",
    "Service_Time",
    "Load",
    "Stop_Type",
];

const HEADER: [(&str, &str); 5] = [
    (
        "capacity",
        "the vehicle capacity per trip in yards (a positive number)",
    ),
    (
        "daily_capacity",
        "the yards allowed per vehicle per day (a positive number)",
    ),
    (
        "max_stops",
        "the regular stops allowed per vehicle per day (a positive integer)",
    ),
    (
        "lunch_duration",
        "the lunch duration in seconds (a non-negative number)",
    ),
    ("speed", "the speed in miles per hour (a positive number)"),
];

fn parse_finite(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// `HHMM` as seconds after midnight, minutes read literally (`1675` → 17:15).
fn parse_hhmm(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = s.parse().ok()?;
    Some(v / 100 * 3600 + v % 100 * 60)
}

/// The key under which the checker identifies a stop id: integers lose
/// leading zeros and a `.0` (`"0075"`, `"75.0"` → `"75"`).
fn id_key(id: &str) -> String {
    if let Ok(v) = id.parse::<i64>() {
        return v.to_string();
    }
    if let Some(f) = parse_finite(id)
        && f.fract() == 0.0
        && f.abs() < 9.0e15
    {
        return format!("{f:.0}");
    }
    id.to_string()
}

/// Reads a Kim et al. instance file (`NNN_stop.txt`).
///
/// # Errors
/// [`Error::Io`] if the file cannot be read; [`Error::Input`] naming the
/// file, line and field for a missing or non-numeric header value, a missing
/// column header, a row without exactly 8 fields, a non-numeric value, a
/// time that is not `HHMM`, `early > late`, a negative service time or load,
/// an unknown type, a repeated id, a stop whose load exceeds the vehicle or
/// daily capacity, and no depot, several depots, no landfill or no stop.
pub fn read_instance(path: impl AsRef<Path>) -> Result<KimInstance> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse_instance(&String::from_utf8_lossy(&bytes), path)
}

/// Parses the text of an instance file; `name` is the file name used in
/// error messages, and its stem is the instance name.
///
/// # Errors
/// As [`read_instance`], without the I/O errors.
pub fn parse_instance(text: &str, name: impl AsRef<Path>) -> Result<KimInstance> {
    let file = name.as_ref();
    let src = Src { file };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty());
    let mut last_line = 1;

    // Header values.
    let mut header = [0.0; 5];
    for (k, (field, what)) in HEADER.iter().enumerate() {
        let Some((no, line)) = lines.next() else {
            return Err(src.err(
                last_line,
                field,
                format!(
                    "the file ends after {k} header line(s): expected header line {} with {what}",
                    k + 1
                ),
            ));
        };
        last_line = no;
        let first = line.replace('"', " ");
        let tok = first.split_whitespace().next().unwrap_or("");
        let in_range = |value: &f64| match k {
            2 => *value >= 1.0 && value.fract() == 0.0 && *value <= 1.0e9,
            3 => *value >= 0.0,
            _ => *value > 0.0,
        };
        let value = parse_finite(tok).filter(in_range).ok_or_else(|| {
            src.err(
                no,
                field,
                format!(
                    "expected {what} on header line {}, found '{}'",
                    k + 1,
                    show(tok)
                ),
            )
        })?;
        header[k] = value;
    }
    let [
        capacity,
        daily_capacity,
        max_stops,
        lunch_duration_s,
        speed_mph,
    ] = header;
    let max_stops = max_stops as usize;

    // Column header.
    let Some((col_no, col_line)) = lines.next() else {
        return Err(src.err(
            last_line,
            "header",
            "the file ends after the 5 header lines: expected the column header \
             (Stop_ID X(feet) Y(feet) ...) and one row per node",
        ));
    };
    let first = col_line.replace('"', " ");
    let first = first.split_whitespace().next().unwrap_or("");
    if parse_finite(first).is_some() {
        return Err(src.err(
            col_no,
            "header",
            format!(
                "expected the column header (Stop_ID X(feet) Y(feet) ...) after the 5 header \
                 lines, found a data row '{}'",
                show(col_line)
            ),
        ));
    }
    last_line = col_no;

    // Rows.
    let mut nodes: Vec<KimNode> = Vec::new();
    let mut node_lines: Vec<usize> = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut depot: Option<usize> = None;
    for (no, line) in lines {
        last_line = no;
        let clean = line.replace('"', " ");
        let tokens: Vec<&str> = clean.split_whitespace().collect();
        let [id, x, y, early, late, service, load, kind] = tokens[..] else {
            return Err(src.err(
                no,
                "row",
                format!(
                    "expected 8 fields ({}), found {}: '{}'",
                    COLUMNS.join(" "),
                    tokens.len(),
                    show(line)
                ),
            ));
        };
        let number = |tok: &str, col: usize, what: &str| {
            parse_finite(tok).ok_or_else(|| {
                src.err(
                    no,
                    COLUMNS[col],
                    format!(
                        "expected {what} of stop {id} as a number, found '{}'",
                        show(tok)
                    ),
                )
            })
        };
        let time = |tok: &str, col: usize| {
            parse_hhmm(tok).ok_or_else(|| {
                src.err(
                    no,
                    COLUMNS[col],
                    format!(
                        "expected a time HHMM (up to 4 digits, e.g. 0700) for stop {id}, found '{}'",
                        show(tok)
                    ),
                )
            })
        };
        let x_ft = number(x, 1, "the x coordinate")?;
        let y_ft = number(y, 2, "the y coordinate")?;
        let early_s = time(early, 3)?;
        let late_s = time(late, 4)?;
        let service_s = number(service, 5, "the service time")?;
        let load = number(load, 6, "the load")?;
        let kind = match kind {
            "0" => KimKind::Depot,
            "1" => KimKind::Stop,
            "2" => KimKind::Landfill,
            _ => {
                return Err(src.err(
                    no,
                    COLUMNS[7],
                    format!(
                        "expected the type of stop {id}: 0 (depot), 1 (stop) or 2 (landfill), \
                         found '{}'",
                        show(kind)
                    ),
                ));
            }
        };
        if early_s > late_s {
            return Err(src.err(
                no,
                COLUMNS[4],
                format!(
                    "the time window of stop {id} is empty: early {early} is after late {late}"
                ),
            ));
        }
        if service_s < 0.0 {
            return Err(src.err(
                no,
                COLUMNS[5],
                format!("the service time of stop {id} is negative ({service})"),
            ));
        }
        if load < 0.0 {
            return Err(src.err(
                no,
                COLUMNS[6],
                format!("the load of stop {id} is negative ({load})"),
            ));
        }
        if kind == KimKind::Stop {
            if load > capacity {
                return Err(src.err(
                    no,
                    COLUMNS[6],
                    format!(
                        "the load of stop {id} is {load} yd, above the vehicle capacity \
                         {capacity} yd (header line 1): no vehicle can collect it"
                    ),
                ));
            }
            if load > daily_capacity {
                return Err(src.err(
                    no,
                    COLUMNS[6],
                    format!(
                        "the load of stop {id} is {load} yd, above the {daily_capacity} yd a \
                         vehicle may collect per day (header line 2)"
                    ),
                ));
            }
        }
        if let Some(first) = ids.insert(id_key(id), no) {
            return Err(src.err(
                no,
                COLUMNS[0],
                format!("stop id {id} appears twice; the first time on line {first}"),
            ));
        }
        if kind == KimKind::Depot {
            if let Some(d) = depot {
                let first = node_lines.get(d).copied().unwrap_or(0);
                return Err(src.err(
                    no,
                    COLUMNS[7],
                    format!(
                        "a second depot (stop {id}, type 0): the format has exactly one, and \
                         line {first} is already the depot"
                    ),
                ));
            }
            depot = Some(nodes.len());
        }
        nodes.push(KimNode {
            id: id.to_string(),
            x_ft,
            y_ft,
            early_s,
            late_s,
            service_s,
            load: if kind == KimKind::Stop { load } else { 0.0 },
            kind,
        });
        node_lines.push(no);
    }

    let Some(depot) = depot else {
        return Err(src.err(
            last_line,
            COLUMNS[7],
            format!(
                "no depot: expected exactly one row of type 0 among the {} rows",
                nodes.len()
            ),
        ));
    };
    for (kind, what) in [
        (
            KimKind::Landfill,
            "no landfill: expected at least one row of type 2",
        ),
        (
            KimKind::Stop,
            "no regular stop: expected at least one row of type 1",
        ),
    ] {
        if !nodes.iter().any(|n| n.kind == kind) {
            return Err(src.err(last_line, COLUMNS[7], what));
        }
    }

    Ok(KimInstance {
        name: file
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
        capacity,
        daily_capacity,
        max_stops,
        lunch_duration_s,
        speed_mph,
        nodes,
        depot,
    })
}

// ---------------------------------------------------------------------------
// Solutions
// ---------------------------------------------------------------------------

/// Serializes a number without a fraction as an integer (`41400`, not
/// `41400.0`), as the example files write lunch starts.
fn serialize_opt_seconds<S: Serializer>(
    v: &Option<f64>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match v {
        Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => s.serialize_some(&(*x as i64)),
        Some(x) => s.serialize_some(x),
        None => s.serialize_none(),
    }
}

fn serialize_seconds_list<S: Serializer>(
    v: &[Option<f64>],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    struct Item<'a>(&'a Option<f64>);
    impl Serialize for Item<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            serialize_opt_seconds(self.0, s)
        }
    }
    let mut seq = s.serialize_seq(Some(v.len()))?;
    for x in v {
        seq.serialize_element(&Item(x))?;
    }
    seq.end()
}

/// One vehicle's day in a [`KimSolution`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KimRoute {
    /// `Stop_ID`s in visiting order: the depot first and last, landfill
    /// visits included (the last one just before the depot).
    pub stops: Vec<String>,
    /// Start of the lunch break, seconds after midnight; `None` (`null`)
    /// when the route needs no lunch or leaves its placement to the checker.
    #[serde(serialize_with = "serialize_opt_seconds")]
    pub lunch_start_s: Option<f64>,
}

/// A solution in the shape `wasteroute wcvrptw solve --out` writes
/// (issue 4, section 5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KimSolution {
    /// The routes, one per vehicle.
    pub routes: Vec<KimRoute>,
    /// Number of vehicles used (routes with at least one regular stop).
    pub vehicles: usize,
    /// Total distance, miles.
    pub distance_miles: f64,
}

/// A solution in the input format of the independent checker
/// `tools/kim/kim.py check`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckerSolution {
    /// One list of `Stop_ID`s per route: depot, stops and landfills, final
    /// landfill, depot.
    pub routes: Vec<Vec<String>>,
    /// One lunch start per route, seconds after midnight, or `null` to let
    /// the checker place it.
    #[serde(serialize_with = "serialize_seconds_list", default)]
    pub lunch: Vec<Option<f64>>,
}

impl From<&KimSolution> for CheckerSolution {
    fn from(sol: &KimSolution) -> Self {
        CheckerSolution {
            routes: sol.routes.iter().map(|r| r.stops.clone()).collect(),
            lunch: sol.routes.iter().map(|r| r.lunch_start_s).collect(),
        }
    }
}

impl KimSolution {
    /// The same routes in the checker's input format.
    pub fn to_checker(&self) -> CheckerSolution {
        CheckerSolution::from(self)
    }

    fn validate(&self) -> Result<()> {
        if !self.distance_miles.is_finite() {
            return Err(Error::Invalid(format!(
                "solution distance {} miles is not a finite number",
                self.distance_miles
            )));
        }
        check_lunches(self.routes.iter().map(|r| r.lunch_start_s))
    }
}

fn check_lunches(lunches: impl Iterator<Item = Option<f64>>) -> Result<()> {
    for (k, l) in lunches.enumerate() {
        if let Some(x) = l
            && !x.is_finite()
        {
            return Err(Error::Invalid(format!(
                "route {}: lunch start {x} is not a finite number of seconds",
                k + 1
            )));
        }
    }
    Ok(())
}

fn to_json_line<T: Serialize>(value: &T) -> Result<String> {
    let mut text =
        serde_json::to_string(value).map_err(|e| Error::Internal(format!("JSON encoding: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// The JSON text of `solution` (one line, then a newline).
///
/// # Errors
/// [`Error::Invalid`] if the distance or a lunch start is not finite.
pub fn solution_to_json(solution: &KimSolution) -> Result<String> {
    solution.validate()?;
    to_json_line(solution)
}

/// The JSON text of `solution` for the checker (one line, then a newline).
///
/// # Errors
/// [`Error::Invalid`] if a lunch start is not finite.
pub fn checker_to_json(solution: &CheckerSolution) -> Result<String> {
    check_lunches(solution.lunch.iter().copied())?;
    to_json_line(solution)
}

/// Writes `solution` to `path` as JSON ([`solution_to_json`]), atomically.
///
/// # Errors
/// As [`solution_to_json`], and [`Error::Io`] if the file cannot be written.
pub fn write_solution(path: impl AsRef<Path>, solution: &KimSolution) -> Result<()> {
    crate::fsx::write_file(path.as_ref(), solution_to_json(solution)?.as_bytes())
}

/// Writes `solution` to `path` in the checker's input format
/// ([`checker_to_json`]), atomically.
///
/// # Errors
/// As [`checker_to_json`], and [`Error::Io`] if the file cannot be written.
pub fn write_checker_solution(path: impl AsRef<Path>, solution: &CheckerSolution) -> Result<()> {
    crate::fsx::write_file(path.as_ref(), checker_to_json(solution)?.as_bytes())
}

/// Reads a solution written by [`write_solution`].
///
/// # Errors
/// [`Error::Io`] if the file cannot be read; [`Error::Input`] naming the file
/// and line if it is not a [`KimSolution`] in JSON.
pub fn read_solution(path: impl AsRef<Path>) -> Result<KimSolution> {
    let path = path.as_ref();
    let text = super::read_text(path)?;
    parse_solution(&text, path)
}

/// Parses the text of a solution written by [`write_solution`]; `name` is
/// the file name used in error messages.
///
/// # Errors
/// As [`read_solution`], without the I/O errors.
pub fn parse_solution(text: &str, name: impl AsRef<Path>) -> Result<KimSolution> {
    let path = name.as_ref();
    serde_json::from_str(text).map_err(|e| {
        Error::input(
            Location::file(path).at_line(e.line()),
            format!("expected a wcvrptw solution (routes, vehicles, distance_miles): {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hhmm_reads_minutes_literally() {
        assert_eq!(parse_hhmm("0700"), Some(7 * 3600));
        assert_eq!(parse_hhmm("600"), Some(6 * 3600));
        assert_eq!(parse_hhmm("0"), Some(0));
        assert_eq!(parse_hhmm("2400"), Some(24 * 3600));
        // 1675 = 16 h + 75 min = 17:15, as the checker reads it.
        assert_eq!(parse_hhmm("1675"), Some(17 * 3600 + 15 * 60));
        assert_eq!(parse_hhmm("7:00"), None);
        assert_eq!(parse_hhmm("-100"), None);
        assert_eq!(parse_hhmm("12345"), None);
    }

    #[test]
    fn ids_are_keyed_like_the_checker() {
        assert_eq!(id_key("0075632"), "75632");
        assert_eq!(id_key("75632.0"), "75632");
        assert_eq!(id_key("A7"), "A7");
    }
}
