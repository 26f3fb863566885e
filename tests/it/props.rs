//! Property tests of every reader (issue 11, item 10): random garbage and
//! near-valid files (a valid file with one field, token, line or byte
//! changed, since garbage rarely gets past the first line) never panic, a
//! valid file reads back what was written, and every error is an input
//! error whose message names the file and, where the format has one, the
//! line or record.
//!
//! The normal suite runs the case counts given to [`config`] (2,200 cases
//! of 35 properties, under 2 s), always with the same seed, so CI sees the
//! same inputs on every run. For a longer search with other inputs:
//!
//! ```text
//! PROPTEST_CASES=5000 PROPTEST_RNG_SEED=$RANDOM cargo test --test it props::
//! ```
//!
//! The cargo-fuzz targets in `fuzz/` drive the same readers for longer;
//! inputs that once failed are kept as plain tests at the end of this file.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngSeed};
use serde_json::{Value, json};
use wasteroute::Error;
use wasteroute::graph::{Closures, Profile, RoadGraph};
use wasteroute::io::{cvrplib, kim, osm, plan};

/// `cases` cases (or `PROPTEST_CASES`), from a fixed seed (or
/// `PROPTEST_RNG_SEED`); failures are reported, not written to files.
pub(crate) fn config(cases: u32) -> Config {
    let env = |k: &str| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    Config {
        cases: env("PROPTEST_CASES").map_or(cases, |c| c as u32),
        rng_seed: RngSeed::Fixed(env("PROPTEST_RNG_SEED").unwrap_or(0x11_f022)),
        failure_persistence: None,
        ..Config::default()
    }
}

pub(crate) fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The line (or record) and field of an input error, after checking that its
/// message names `file` and that a line, if given, is 1 or more.
fn located(e: &Error, file: &str) -> (Option<usize>, Option<String>) {
    let msg = e.to_string();
    assert!(msg.contains(file), "the error does not name {file}: {msg}");
    match e {
        Error::Input { location, .. } => {
            assert!(location.line.is_none_or(|l| l >= 1), "line 0: {msg}");
            (location.line, location.field.clone())
        }
        other => panic!("expected an input error, got: {other}"),
    }
}

// ---------------------------------------------------------------------------
// Damage
// ---------------------------------------------------------------------------

/// Values meant to break a field: empty, signs, huge and tiny numbers, NaN
/// and infinity spellings, times out of range, other fields' words, and
/// characters that are not ASCII.
const ODD: &[&str] = &[
    "",
    " ",
    "x",
    "-1",
    "-0",
    "0",
    "1",
    "3.5",
    "1e400",
    "1e308",
    "-1e308",
    "1e-320",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "infinity",
    "99999999999999999999",
    "9223372036854775807",
    "-9223372036854775808",
    "0x10",
    "+5",
    "1_000",
    "24:00",
    "47:59",
    "48:00",
    "23:60",
    "12:00:60",
    "-1:00",
    "99999999999:00",
    "12:5",
    "1200",
    "12:00:00:00",
    ":",
    "true",
    "no",
    "urban",
    "rural",
    "depot",
    "transfer",
    "landfill",
    "household",
    "hazardous",
    "medical;industrial",
    ";",
    "|",
    "\u{feff}",
    "é",
    "٣",
    "\u{0}",
];

/// A value meant to break one field, without CSV delimiters, quotes or line
/// breaks (so the record keeps its line and column).
fn odd_field() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(ODD).prop_map(str::to_string),
        1 => "[0-9:.eE+-]{0,10}",
        1 => "\\PC{0,10}",
    ]
    .prop_map(|s| s.replace([',', '"', '\n', '\r'], ""))
}

/// Text that breaks structure: delimiters, quotes, line breaks, brackets.
fn garbage() -> impl Strategy<Value = String> {
    prop_oneof![
        "[,;:\"'\\n\\r\\[\\]{}=# .a-z0-9_-]{0,16}",
        "\\PC{0,6}",
        prop::sample::select(ODD).prop_map(str::to_string),
    ]
}

/// One way to damage a text file.
#[derive(Debug, Clone)]
enum Damage {
    /// Cut the file at a byte.
    Cut(Index),
    /// Insert text at a byte.
    Insert(Index, String),
    /// Replace up to 8 bytes from a byte by text.
    Replace(Index, usize, String),
    /// XOR a byte.
    Flip(Index, u8),
    /// Drop a line.
    DropLine(Index),
    /// Repeat a line.
    RepeatLine(Index),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        any::<Index>().prop_map(Damage::Cut),
        (any::<Index>(), garbage()).prop_map(|(i, s)| Damage::Insert(i, s)),
        (any::<Index>(), 1usize..8, garbage()).prop_map(|(i, n, s)| Damage::Replace(i, n, s)),
        (any::<Index>(), 1u8..=255).prop_map(|(i, x)| Damage::Flip(i, x)),
        any::<Index>().prop_map(Damage::DropLine),
        any::<Index>().prop_map(Damage::RepeatLine),
    ]
}

/// `text` with `d` applied (bytes that are no longer UTF-8 become U+FFFD, as
/// the lossy readers see them).
fn damaged(text: &str, d: &Damage) -> String {
    let mut b = text.as_bytes().to_vec();
    let lines =
        |b: &[u8]| -> Vec<Vec<u8>> { b.split(|&c| c == b'\n').map(<[u8]>::to_vec).collect() };
    match d {
        Damage::Cut(i) => b.truncate(i.index(b.len() + 1)),
        Damage::Insert(i, s) => {
            let k = i.index(b.len() + 1);
            b.splice(k..k, s.bytes());
        }
        Damage::Replace(i, n, s) => {
            let k = i.index(b.len() + 1);
            let end = (k + n).min(b.len());
            b.splice(k..end, s.bytes());
        }
        Damage::Flip(i, x) => {
            if !b.is_empty() {
                let k = i.index(b.len());
                b[k] ^= x;
            }
        }
        Damage::DropLine(i) => {
            let mut ls = lines(&b);
            ls.remove(i.index(ls.len()));
            b = ls.join(&b'\n');
        }
        Damage::RepeatLine(i) => {
            let mut ls = lines(&b);
            let k = i.index(ls.len());
            let l = ls[k].clone();
            ls.insert(k, l);
            b = ls.join(&b'\n');
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

/// Random bytes as the lossy readers see them, optionally after `prefix`
/// (a valid first line gets garbage past the header checks).
fn noise(prefix: &'static str) -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..200)
                .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
            prop::collection::vec(garbage(), 0..20).prop_map(|v| v.concat()),
        ],
    )
        .prop_map(move |(with_prefix, s)| {
            if with_prefix {
                format!("{prefix}{s}")
            } else {
                s
            }
        })
}

// ---------------------------------------------------------------------------
// CSV tables (pickups, facilities)
// ---------------------------------------------------------------------------

/// A CSV file: some of `columns` (all required ones) in a random order, with
/// random header case and an optional byte-order mark; `rows[r][c]` is the
/// value of `columns[c]`.
#[derive(Debug, Clone)]
struct Table {
    columns: &'static [&'static str],
    order: Vec<usize>,
    rows: Vec<Vec<String>>,
    bom: bool,
    upper: bool,
}

impl Table {
    fn text(&self) -> String {
        let mut s = String::new();
        if self.bom {
            s.push('\u{feff}');
        }
        let head: Vec<String> = self
            .order
            .iter()
            .map(|&c| {
                let h = self.columns[c];
                if self.upper {
                    h.to_uppercase()
                } else {
                    h.to_string()
                }
            })
            .collect();
        s.push_str(&head.join(","));
        s.push('\n');
        for r in &self.rows {
            let cells: Vec<&str> = self.order.iter().map(|&c| r[c].as_str()).collect();
            s.push_str(&cells.join(","));
            s.push('\n');
        }
        s
    }
}

/// Tables of 1 to 7 rows from `row`, ids `{prefix}{row}` in column 0.
fn table<S>(
    columns: &'static [&'static str],
    n_required: usize,
    row: S,
    prefix: &'static str,
) -> impl Strategy<Value = Table>
where
    S: Strategy<Value = Vec<String>> + Clone,
{
    (
        prop::collection::vec(any::<bool>(), columns.len()),
        1usize..8,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_flat_map(move |(keep, n, bom, upper)| {
            let order: Vec<usize> = (0..columns.len())
                .filter(|&c| c < n_required || keep[c])
                .collect();
            (
                Just(order).prop_shuffle(),
                prop::collection::vec(row.clone(), n),
                Just(bom),
                Just(upper),
            )
        })
        .prop_map(move |(order, mut rows, bom, upper)| {
            for (i, r) in rows.iter_mut().enumerate() {
                r[0] = format!("{prefix}{i}");
            }
            Table {
                columns,
                order,
                rows,
                bom,
                upper,
            }
        })
}

/// A table with one field of one row replaced by an odd value: the table,
/// the row and the column changed.
fn mutated_table(t: impl Strategy<Value = Table>) -> impl Strategy<Value = (Table, usize, usize)> {
    (t, any::<Index>(), any::<Index>(), odd_field()).prop_map(|(mut t, r, c, v)| {
        let r = r.index(t.rows.len());
        let c = t.order[c.index(t.order.len())];
        t.rows[r][c] = v;
        (t, r, c)
    })
}

/// Checks the error of a table with field `c` of row `r` mutated: it names
/// the file, the row's line, and the field or a field checked with it
/// (`related`); a duplicate id names the later row.
fn assert_points_at_field(
    e: &Error,
    file: &str,
    t: &Table,
    r: usize,
    c: usize,
    related: &[&[&str]],
) {
    let (line, field) = located(e, file);
    let field = field.unwrap_or_default();
    if field == "id" && line.is_some_and(|l| l > r + 2) {
        return; // the mutated id repeats a later row's id
    }
    assert_eq!(line, Some(r + 2), "{e}\n{}", t.text());
    let col = t.columns[c];
    let ok = field == col
        || related
            .iter()
            .any(|group| group.contains(&col) && group.contains(&field.as_str()));
    assert!(
        ok,
        "mutated '{col}', error names '{field}': {e}\n{}",
        t.text()
    );
}

const STREAMS: [&str; 5] = [
    "household",
    "recyclable",
    "industrial",
    "hazardous",
    "medical",
];

/// The keys of a fleet's `[targets]` table.
pub(crate) const TARGET_KEYS: [&str; 7] = [
    "urban",
    "rural",
    "household",
    "recyclable",
    "industrial",
    "hazardous",
    "medical",
];

/// Minutes after midnight as `HH:MM`.
pub(crate) fn hhmm(minutes: i64) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The columns of a pickups file, as the reader knows them.
const PICKUP_COLUMNS: &[&str] = &wasteroute::io::plan::PICKUP_COLUMNS;

/// A valid pickup row (id filled in by [`table`]) in the Monaco area.
fn pickup_row() -> impl Strategy<Value = Vec<String>> + Clone {
    (
        (
            43.725f64..43.750,
            7.405f64..7.440,
            any::<bool>(),
            0u32..2000,
        ),
        (
            prop::option::of(0u32..30),
            prop::option::of(0u32..900),
            prop::option::of((300i64..840, 0i64..300)),
        ),
        (
            0usize..5,
            prop::sample::select(&["", "true", "false", "yes", "no", "1", "0"][..]),
            "[A-Za-z ]{0,12}",
        ),
        (
            prop::option::of(1usize..=3),
            // Three or more days: valid with or without the frequency.
            prop::sample::select(&["", "mon;wed;fri", "Mon; Tue; Thu; Fri", "tue;thu;sat;sun"][..]),
            prop::option::of(0u32..50),
            prop::sample::select(&["", "curb", "either", "Curb"][..]),
        ),
    )
        .prop_map(
            |(
                (lat, lon, urban, demand),
                (vol, service, tw),
                (stream, req, name),
                (freq, days, per_day, side),
            )| {
                let (s, e) = tw.map_or((String::new(), String::new()), |(s, d)| {
                    (hhmm(s), hhmm(s + d))
                });
                vec![
                    String::new(),
                    format!("{lat:.6}"),
                    format!("{lon:.6}"),
                    if urban { "urban" } else { "rural" }.into(),
                    demand.to_string(),
                    vol.map_or(String::new(), |v| v.to_string()),
                    service.map_or(String::new(), |v| v.to_string()),
                    s,
                    e,
                    STREAMS[stream].into(),
                    req.into(),
                    name,
                    freq.map_or(String::new(), |f| f.to_string()),
                    days.into(),
                    per_day.map_or(String::new(), |v| v.to_string()),
                    // Only with a weight per day, which may be left out.
                    String::new(),
                    side.into(),
                ]
            },
        )
}

fn pickups_table() -> impl Strategy<Value = Table> {
    table(PICKUP_COLUMNS, 5, pickup_row(), "P")
}

const PICKUP_RELATED: &[&[&str]] = &[
    &["tw_start", "tw_end"],
    &["frequency", "days"],
    &["demand_kg", "demand_kg_per_day"],
];

const FACILITY_COLUMNS: &[&str] = &wasteroute::io::plan::FACILITY_COLUMNS;

fn facility_row() -> impl Strategy<Value = Vec<String>> + Clone {
    (
        43.725f64..43.750,
        7.405f64..7.440,
        0usize..4,
        (0i64..720, 0i64..720),
        prop::option::of(0u32..3600),
        prop::collection::vec(0usize..5, 1..4),
        prop::option::of(0u32..100_000),
        prop::sample::select(&["", "sun", "wed;sun", "Sat"][..]),
    )
        .prop_map(
            |(lat, lon, kind, (open, len), unload, accepts, cap, closed)| {
                let accepts: Vec<&str> = accepts.iter().map(|&s| STREAMS[s]).collect();
                vec![
                    String::new(),
                    format!("{lat:.6}"),
                    format!("{lon:.6}"),
                    ["depot", "transfer", "landfill", "treatment"][kind].into(),
                    hhmm(open),
                    hhmm(open + len),
                    unload.map_or(String::new(), |v| v.to_string()),
                    accepts.join(";"),
                    cap.map_or(String::new(), |v| v.to_string()),
                    closed.into(),
                ]
            },
        )
}

fn facilities_table() -> impl Strategy<Value = Table> {
    table(FACILITY_COLUMNS, 6, facility_row(), "F")
}

const FACILITY_RELATED: &[&[&str]] = &[&["open", "close"], &["kind", "accepts"]];

const PICKUPS_CSV: &str = "props-pickups.csv";
const FACILITIES_CSV: &str = "props-facilities.csv";

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn valid_pickup_tables_read_back(t in pickups_table()) {
        let text = t.text();
        let ps = plan::read_pickups_str(Path::new(PICKUPS_CSV), &text)
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        prop_assert_eq!(ps.len(), t.rows.len());
        for (i, (p, r)) in ps.iter().zip(&t.rows).enumerate() {
            prop_assert_eq!(&p.id, &r[0]);
            prop_assert_eq!(p.demand_kg, r[4].parse::<f64>().unwrap());
            prop_assert_eq!(p.lat, r[1].parse::<f64>().unwrap());
            prop_assert_eq!(p.source.line, Some(i + 2));
        }
    }

    #[test]
    fn a_bad_pickup_field_names_its_line_and_column((t, r, c) in mutated_table(pickups_table())) {
        let text = t.text();
        match plan::read_pickups_str(Path::new(PICKUPS_CSV), &text) {
            Ok(ps) => prop_assert_eq!(ps.len(), t.rows.len()),
            Err(e) => assert_points_at_field(&e, PICKUPS_CSV, &t, r, c, PICKUP_RELATED),
        }
    }

    #[test]
    fn damaged_pickup_files_give_located_errors(t in pickups_table(), d in damage()) {
        let text = damaged(&t.text(), &d);
        if let Err(e) = plan::read_pickups_str(Path::new(PICKUPS_CSV), &text) {
            let (line, _) = located(&e, PICKUPS_CSV);
            prop_assert!(line.is_some(), "no line: {}", e);
        }
    }

    #[test]
    fn pickup_noise_gives_located_errors(text in noise("id,lat,lon,zone,demand_kg\n")) {
        if let Err(e) = plan::read_pickups_str(Path::new(PICKUPS_CSV), &text) {
            let (line, _) = located(&e, PICKUPS_CSV);
            prop_assert!(line.is_some(), "no line: {}", e);
        }
    }

    #[test]
    fn valid_facility_tables_read_back(t in facilities_table()) {
        let text = t.text();
        let fs = plan::read_facilities_str(Path::new(FACILITIES_CSV), &text)
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        prop_assert_eq!(fs.len(), t.rows.len());
        for (f, r) in fs.iter().zip(&t.rows) {
            prop_assert_eq!(&f.id, &r[0]);
            prop_assert_eq!(Some(f.open), wasteroute::domain::parse_time(&r[4]));
        }
    }

    #[test]
    fn a_bad_facility_field_names_its_line_and_column(
        (t, r, c) in mutated_table(facilities_table())
    ) {
        let text = t.text();
        match plan::read_facilities_str(Path::new(FACILITIES_CSV), &text) {
            Ok(fs) => prop_assert_eq!(fs.len(), t.rows.len()),
            Err(e) => assert_points_at_field(&e, FACILITIES_CSV, &t, r, c, FACILITY_RELATED),
        }
    }

    #[test]
    fn damaged_facility_files_give_located_errors(t in facilities_table(), d in damage()) {
        let text = damaged(&t.text(), &d);
        if let Err(e) = plan::read_facilities_str(Path::new(FACILITIES_CSV), &text) {
            let (line, _) = located(&e, FACILITIES_CSV);
            prop_assert!(line.is_some(), "no line: {}", e);
        }
    }

    #[test]
    fn facility_noise_gives_located_errors(text in noise("id,lat,lon,kind,open,close\n")) {
        if let Err(e) = plan::read_facilities_str(Path::new(FACILITIES_CSV), &text) {
            let (line, _) = located(&e, FACILITIES_CSV);
            prop_assert!(line.is_some(), "no line: {}", e);
        }
    }
}

// ---------------------------------------------------------------------------
// JSON (pickups GeoJSON, closures, Kim solutions)
// ---------------------------------------------------------------------------

/// Any JSON value, nested up to two levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |x| serde_json::Number::from_f64(x)
            .map(Value::Number)),
        (-200.0f64..200.0).prop_map(Value::from),
        odd_field().prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Sets the member `path` of `v`: keys separated by '/', a number indexes an
/// array; missing objects are created.
fn set_path(v: &mut Value, path: &str, new: Value) {
    let mut at = v;
    let keys: Vec<&str> = path.split('/').collect();
    for (i, k) in keys.iter().enumerate() {
        let last = i + 1 == keys.len();
        let index = k
            .parse::<usize>()
            .ok()
            .filter(|&n| at.as_array().is_some_and(|a| n < a.len()));
        if let Some(n) = index {
            if last {
                at[n] = new;
                return;
            }
            at = &mut at[n];
            continue;
        }
        if !at.is_object() {
            *at = json!({});
        }
        let obj = at.as_object_mut().expect("an object");
        if last {
            obj.insert(k.to_string(), new);
            return;
        }
        at = obj.entry(k.to_string()).or_insert(json!({}));
    }
}

/// A pickup as a GeoJSON feature, from a CSV row of [`pickup_row`].
fn pickup_feature(r: &[String]) -> Value {
    let mut props = serde_json::Map::new();
    for (c, col) in PICKUP_COLUMNS.iter().enumerate().skip(3) {
        if !r[c].is_empty() {
            let v = match r[c].parse::<f64>() {
                Ok(x) if *col != "name" && *col != "required" => json!(x),
                _ => json!(r[c]),
            };
            props.insert(col.to_string(), v);
        }
    }
    props.insert("id".into(), json!(r[0]));
    json!({
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [
            r[2].parse::<f64>().unwrap(), r[1].parse::<f64>().unwrap()
        ]},
        "properties": props,
    })
}

fn pickup_collection() -> impl Strategy<Value = Value> {
    prop::collection::vec(pickup_row(), 1..6).prop_map(|rows| {
        let features: Vec<Value> = rows
            .into_iter()
            .enumerate()
            .map(|(i, mut r)| {
                r[0] = format!("P{i}");
                pickup_feature(&r)
            })
            .collect();
        json!({"type": "FeatureCollection", "features": features})
    })
}

/// Members of a pickup feature worth breaking.
const PICKUP_PATHS: &[&str] = &[
    "type",
    "id",
    "geometry",
    "geometry/type",
    "geometry/coordinates",
    "properties",
    "properties/id",
    "properties/zone",
    "properties/demand_kg",
    "properties/volume_m3",
    "properties/service_s",
    "properties/tw_start",
    "properties/tw_end",
    "properties/stream",
    "properties/required",
    "properties/name",
];

/// Closures: polygons and lines around Monaco, with or without a factor.
fn closure_feature() -> impl Strategy<Value = Value> {
    let pos = || (7.40f64..7.45, 43.72f64..43.76).prop_map(|(x, y)| json!([x, y]));
    (
        0usize..4,
        prop::collection::vec(pos(), 2..6),
        prop::option::of(0.0f64..=1.0),
    )
        .prop_map(|(kind, pts, factor)| {
            let mut ring = pts.clone();
            while ring.len() < 3 {
                ring.push(ring[0].clone());
            }
            ring.push(ring[0].clone());
            let (t, c) = match kind {
                0 => ("Polygon", json!([ring])),
                1 => ("MultiPolygon", json!([[ring]])),
                2 => ("LineString", json!(pts)),
                _ => ("MultiLineString", json!([pts])),
            };
            let mut f = json!({"type": "Feature", "geometry": {"type": t, "coordinates": c}});
            if let Some(x) = factor {
                f["properties"] = json!({"factor": x});
            }
            f
        })
}

fn closure_collection() -> impl Strategy<Value = Value> {
    prop::collection::vec(closure_feature(), 1..5)
        .prop_map(|fs| json!({"type": "FeatureCollection", "features": fs}))
}

const CLOSURE_PATHS: &[&str] = &[
    "type",
    "geometry",
    "geometry/type",
    "geometry/coordinates",
    "geometry/coordinates/0",
    "geometry/coordinates/0/0",
    "geometry/coordinates/0/0/0",
    "properties",
    "properties/factor",
];

/// A collection with one member of one feature replaced by any JSON value:
/// the collection and the feature changed.
fn mutated_collection(
    c: impl Strategy<Value = Value>,
    paths: &'static [&'static str],
) -> impl Strategy<Value = (Value, usize)> {
    (c, any::<Index>(), prop::sample::select(paths), json_value()).prop_map(
        |(mut c, k, path, v)| {
            let fs = c["features"].as_array_mut().expect("features");
            let k = k.index(fs.len());
            set_path(&mut fs[k], path, v);
            (c, k)
        },
    )
}

/// The tiny Monaco truck graph, for closures and graph files.
static TINY_GRAPH: LazyLock<RoadGraph> = LazyLock::new(|| {
    RoadGraph::from_osm(&data("monaco-roads-tiny.osm.pbf"), &Profile::truck())
        .expect("the tiny Monaco extract builds")
        .0
});

/// A scratch folder for readers that only take files.
static SCRATCH: LazyLock<tempfile::TempDir> =
    LazyLock::new(|| tempfile::tempdir().expect("a temporary folder"));

/// Writes `text` to a fresh file named `name` (made unique) in [`SCRATCH`].
fn scratch_file(name: &str, text: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = SCRATCH
        .path()
        .join(N.fetch_add(1, Ordering::Relaxed).to_string());
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let p = dir.join(name);
    std::fs::write(&p, text).expect("a scratch file");
    p
}

/// Reads closures through the file reader (which adds the file name) and
/// applies them to the tiny graph: every factor stays within 0..=1.
fn read_closures(text: &str) -> wasteroute::Result<Closures> {
    let p = scratch_file(CLOSURES, text);
    let c = Closures::from_geojson(&p)?;
    let factors = TINY_GRAPH.closure_factors(&c);
    assert!(
        factors.iter().all(|f| (0.0..=1.0).contains(f)),
        "{factors:?}"
    );
    let (_, report) = TINY_GRAPH.with_closures(&c);
    assert_eq!(report.features, c.len());
    Ok(c)
}

const PICKUPS_GEOJSON: &str = "props-pickups.geojson";
const CLOSURES: &str = "props-closures.geojson";

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn valid_pickup_geojson_reads_back(c in pickup_collection()) {
        let text = c.to_string();
        let ps = plan::read_pickups_str(Path::new(PICKUPS_GEOJSON), &text)
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        let fs = c["features"].as_array().unwrap();
        prop_assert_eq!(ps.len(), fs.len());
        for (p, f) in ps.iter().zip(fs) {
            prop_assert_eq!(p.id.as_str(), f["properties"]["id"].as_str().unwrap());
            prop_assert_eq!(p.lon, f["geometry"]["coordinates"][0].as_f64().unwrap());
        }
    }

    #[test]
    fn a_bad_pickup_feature_names_its_record(
        (c, k) in mutated_collection(pickup_collection(), PICKUP_PATHS)
    ) {
        let text = c.to_string();
        match plan::read_pickups_str(Path::new(PICKUPS_GEOJSON), &text) {
            Ok(ps) => prop_assert_eq!(ps.len(), c["features"].as_array().unwrap().len()),
            Err(e) => {
                let (line, field) = located(&e, PICKUPS_GEOJSON);
                // A duplicate id is reported at the later feature.
                if field.as_deref() != Some("id") || line < Some(k + 1) {
                    prop_assert_eq!(line, Some(k + 1), "{}\n{}", e, text);
                }
            }
        }
    }

    #[test]
    fn damaged_pickup_geojson_gives_located_errors(c in pickup_collection(), d in damage()) {
        let text = damaged(&c.to_string(), &d);
        if let Err(e) = plan::read_pickups_str(Path::new(PICKUPS_GEOJSON), &text) {
            located(&e, PICKUPS_GEOJSON);
        }
    }

    #[test]
    fn valid_closures_read_back(c in closure_collection()) {
        let text = c.to_string();
        let cl = read_closures(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        prop_assert_eq!(cl.len(), c["features"].as_array().unwrap().len());
    }

    #[test]
    fn a_bad_closure_feature_names_its_record(
        (c, k) in mutated_collection(closure_collection(), CLOSURE_PATHS)
    ) {
        let text = c.to_string();
        if let Err(e) = read_closures(&text) {
            let (line, _) = located(&e, CLOSURES);
            prop_assert_eq!(line, Some(k + 1), "{}\n{}", e, text);
        }
    }

    #[test]
    fn damaged_closures_give_errors_naming_the_file(
        c in closure_collection(), d in damage()
    ) {
        let text = damaged(&c.to_string(), &d);
        if let Err(e) = read_closures(&text) {
            let (line, field) = located(&e, CLOSURES);
            // A feature's error names it; a document's names the member;
            // syntax errors carry serde's line in the message.
            prop_assert!(
                line.is_some() || field.is_some() || e.to_string().contains("line "),
                "{}", e
            );
        }
    }

    #[test]
    fn any_json_is_refused_or_read_as_closures(v in json_value()) {
        if let Err(e) = read_closures(&v.to_string()) {
            located(&e, CLOSURES);
        }
        if let Err(e) = plan::read_pickups_str(Path::new(PICKUPS_GEOJSON), &v.to_string()) {
            located(&e, PICKUPS_GEOJSON);
        }
    }

    #[test]
    fn kim_solutions_parse_or_name_the_file(v in json_value(), d in damage()) {
        let good = json!({"routes": [], "vehicles": 0, "distance_miles": 0.0});
        for text in [v.to_string(), damaged(&good.to_string(), &d)] {
            if let Err(e) = kim::parse_solution(&text, "props-solution.json") {
                let (line, _) = located(&e, "props-solution.json");
                prop_assert!(line.is_some());
            }
        }
    }
}

// ---------------------------------------------------------------------------
// TOML (fleet, profile)
// ---------------------------------------------------------------------------

/// A TOML file as tables of `key = value` lines (values already in TOML).
#[derive(Debug, Clone)]
struct TomlDoc {
    /// `(header, entries)`; an empty header is the root table.
    tables: Vec<(String, Vec<(String, String)>)>,
}

impl TomlDoc {
    fn text(&self) -> String {
        let mut s = String::from("# generated by props.rs\n");
        for (head, entries) in &self.tables {
            if !head.is_empty() {
                s.push_str(head);
                s.push('\n');
            }
            for (k, v) in entries {
                s.push_str(&format!("{k} = {v}\n"));
            }
        }
        s
    }
}

fn toml_str(s: &str) -> String {
    serde_json::to_string(s).expect("a JSON string is a TOML basic string")
}

/// Values meant to break a TOML field: every type, out-of-range numbers,
/// special floats, malformed times and strings, dates, bad inline tables.
const ODD_TOML: &[&str] = &[
    "\"\"",
    "\"x\"",
    "-1",
    "0",
    "1",
    "3.5",
    "-0.0",
    "1e308",
    "5e-324",
    "nan",
    "+inf",
    "-inf",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "true",
    "[]",
    "[\"household\"]",
    "[\"x\", 1]",
    "[\"medical\", \"hazardous\", \"industrial\"]",
    "{}",
    "{ earliest = \"25:00\", latest = \"10:00\", duration_s = 60 }",
    "{ earliest = \"09:00\", latest = \"08:00\", duration_s = 60 }",
    "{ earliest = \"09:00\", latest = \"10:00\", duration_s = -5 }",
    "{ earliest = \"09:00\", latest = \"10:00\", duration_s = 9223372036854775807 }",
    "\"25:00\"",
    "\"06:00\"",
    "\"23:59:59\"",
    "\"47:59\"",
    "\"06:00:60\"",
    "\"truck\"",
    "\"small\"",
    "\"medical\"",
    "1979-05-27T07:32:00Z",
    "'literal'",
    "0x10",
    "1_000",
    "\"\\u00e9\"",
    "\"\"\"\nmulti\n\"\"\"",
    "",
    "=",
    "[",
];

fn odd_toml() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(ODD_TOML).prop_map(str::to_string),
        1 => odd_field().prop_map(|s| toml_str(&s)),
        1 => garbage(),
    ]
}

fn vehicle(i: usize) -> impl Strategy<Value = (String, Vec<(String, String)>)> {
    (
        (
            0usize..4,
            any::<bool>(),
            1u32..5000,
            prop::option::of(1u32..30),
        ),
        (300i64..600, 60i64..600, prop::option::of(60i64..36000)),
        prop::option::of((0i64..120, 0i64..120, 0i64..3600)),
        (0u32..500, 0u32..50, 0u32..100),
        prop::option::of(prop::collection::vec(0usize..5, 1..5)),
        prop::option::of(1usize..10),
    )
        .prop_map(
            move |(
                (count, small, cap, m3),
                (start, len, max_shift),
                brk,
                costs,
                streams,
                trips,
            )| {
                let mut e: Vec<(String, String)> = vec![
                    ("name".into(), toml_str(&format!("v{i}"))),
                    ("count".into(), count.to_string()),
                    ("depot".into(), toml_str("DEPOT")),
                    (
                        "profile".into(),
                        toml_str(if small { "small" } else { "truck" }),
                    ),
                    ("capacity_kg".into(), cap.to_string()),
                    ("shift_start".into(), toml_str(&hhmm(start))),
                    ("shift_end".into(), toml_str(&hhmm(start + len))),
                    ("fixed_cost".into(), costs.0.to_string()),
                    ("cost_per_km".into(), format!("{}.5", costs.1)),
                    ("cost_per_hour".into(), costs.2.to_string()),
                ];
                if let Some(m3) = m3 {
                    e.push(("capacity_m3".into(), format!("{m3}.0")));
                }
                if let Some(m) = max_shift {
                    e.push(("max_shift_s".into(), m.to_string()));
                }
                if let Some((a, w, d)) = brk {
                    // A break that fits in the shift and in max_shift_s, as
                    // the reader requires (times in minutes, d in seconds).
                    let d = d.min(len * 30).min(max_shift.unwrap_or(i64::MAX) / 2);
                    let room = len - (d + 59) / 60;
                    let a = a.min(room / 2);
                    let w = w.min(room - a);
                    e.push((
                        "break".into(),
                        format!(
                            "{{ earliest = {}, latest = {}, duration_s = {d} }}",
                            toml_str(&hhmm(start + a)),
                            toml_str(&hhmm(start + a + w))
                        ),
                    ));
                }
                if let Some(s) = streams {
                    let s: Vec<String> = s.iter().map(|&k| toml_str(STREAMS[k])).collect();
                    e.push(("streams".into(), format!("[{}]", s.join(", "))));
                }
                if let Some(t) = trips {
                    e.push(("max_trips".into(), t.to_string()));
                }
                (format!("v{i}"), e)
            },
        )
}

fn fleet_doc() -> impl Strategy<Value = TomlDoc> {
    (1usize..4)
        .prop_flat_map(|n| {
            (
                (0..n).map(vehicle).collect::<Vec<_>>(),
                prop::option::of(prop::collection::vec(0.0f64..=1.0, 7)),
            )
        })
        .prop_map(|(vehicles, targets)| {
            let mut tables: Vec<(String, Vec<(String, String)>)> = vehicles
                .into_iter()
                .map(|(_, e)| ("[[vehicle]]".to_string(), e))
                .collect();
            if let Some(t) = targets {
                tables.push((
                    "[targets]".into(),
                    TARGET_KEYS
                        .iter()
                        .zip(t)
                        .map(|(k, x)| (k.to_string(), format!("{x:?}")))
                        .collect(),
                ));
            }
            TomlDoc { tables }
        })
}

/// One way to break a TOML document at a chosen table.
#[derive(Debug, Clone)]
enum TomlEdit {
    /// Give an entry an odd value.
    Value(Index, String),
    /// Remove an entry.
    Remove(Index),
    /// Add an entry with an unknown or known key.
    Add(String, String),
}

fn toml_edit(keys: &'static [&'static str]) -> impl Strategy<Value = TomlEdit> {
    prop_oneof![
        3 => (any::<Index>(), odd_toml()).prop_map(|(i, v)| TomlEdit::Value(i, v)),
        1 => any::<Index>().prop_map(TomlEdit::Remove),
        1 => (
            prop_oneof![prop::sample::select(keys).prop_map(str::to_string), "[a-z_]{1,10}"],
            odd_toml()
        )
            .prop_map(|(k, v)| TomlEdit::Add(k, v)),
    ]
}

fn edit_doc(doc: &mut TomlDoc, table: usize, edit: &TomlEdit) {
    let entries = &mut doc.tables[table].1;
    match edit {
        TomlEdit::Value(i, v) if !entries.is_empty() => {
            let k = i.index(entries.len());
            entries[k].1 = v.clone();
        }
        TomlEdit::Remove(i) if !entries.is_empty() => {
            entries.remove(i.index(entries.len()));
        }
        TomlEdit::Add(k, v) => entries.push((k.clone(), v.clone())),
        _ => {}
    }
}

const VEHICLE_KEYS: &[&str] = &[
    "name",
    "count",
    "depot",
    "profile",
    "capacity_kg",
    "capacity_m3",
    "shift_start",
    "shift_end",
    "max_shift_s",
    "break",
    "fixed_cost",
    "cost_per_km",
    "cost_per_hour",
    "streams",
    "max_trips",
];

const FLEET: &str = "props-fleet.toml";

/// Profile files: some fields of the TOML form, with plausible values.
fn profile_doc() -> impl Strategy<Value = TomlDoc> {
    let words = |xs: &'static [&'static str]| {
        prop::collection::vec(prop::sample::select(xs), 0..4).prop_map(|v| {
            let q: Vec<String> = v.iter().map(|s| toml_str(s)).collect();
            format!("[{}]", q.join(", "))
        })
    };
    let access = &["access", "vehicle", "motor_vehicle", "hgv", "motorcycle"][..];
    let entries = (
        prop::option::of("[a-z-]{1,12}".prop_map(|s| toml_str(&s))),
        prop::option::of(
            prop::sample::select(&["\"truck\"", "\"small\""][..]).prop_map(str::to_string),
        ),
        prop::option::of((5.0f64..130.0).prop_map(|x| format!("{x:?}"))),
        prop::option::of((0.3f64..1.5).prop_map(|x| format!("{x:?}"))),
        prop::option::of(words(access)),
        prop::option::of(any::<bool>().prop_map(|b| b.to_string())),
        prop::option::of(words(&["bollard", "gate", "block", "kerb", "chain"][..])),
        prop::option::of(words(&["grade1", "grade2", "grade3"][..])),
        (
            prop::option::of((0.0f64..40.0).prop_map(|x| format!("{x:?}"))),
            prop::option::of((0.0f64..4.0).prop_map(|x| format!("{x:?}"))),
            prop::option::of((0.0f64..5.0).prop_map(|x| format!("{x:?}"))),
            prop::option::of((0.0f64..20.0).prop_map(|x| format!("{x:?}"))),
        ),
    );
    let speeds = prop::option::of(prop::collection::vec(
        (
            prop::sample::select(
                &[
                    "residential",
                    "service",
                    "living_street",
                    "primary",
                    "footway",
                    "track",
                    "unclassified",
                ][..],
            ),
            0.0f64..90.0,
        ),
        0..4,
    ));
    (entries, speeds).prop_map(
        |((name, base, max, factor, access, dest, barriers, grades, dims), speeds)| {
            let mut root = Vec::new();
            let mut put = |k: &str, v: Option<String>| {
                if let Some(v) = v {
                    root.push((k.to_string(), v));
                }
            };
            put("name", name);
            put("base", base);
            put("max_speed_kmh", max);
            put("maxspeed_factor", factor);
            put("access_keys", access);
            put("allow_destination", dest);
            put("blocking_barriers", barriers);
            put("track_grades", grades);
            put("weight_t", dims.0);
            put("width_m", dims.1);
            put("height_m", dims.2);
            put("length_m", dims.3);
            let mut tables = vec![(String::new(), root)];
            if let Some(s) = speeds {
                let mut m = std::collections::BTreeMap::new();
                for (k, v) in s {
                    m.insert(k.to_string(), format!("{v:?}"));
                }
                tables.push(("[speeds_kmh]".into(), m.into_iter().collect()));
            }
            TomlDoc { tables }
        },
    )
}

const PROFILE_KEYS: &[&str] = &[
    "name",
    "base",
    "speeds_kmh",
    "max_speed_kmh",
    "maxspeed_factor",
    "access_keys",
    "allow_destination",
    "allow_delivery",
    "track_grades",
    "excluded_service",
    "motor_access_classes",
    "motor_access_keys",
    "blocking_barriers",
    "weight_t",
    "width_m",
    "height_m",
    "length_m",
];

const PROFILE: &str = "props-profile.toml";

/// OSM tags as a way or node may carry them, values often odd.
fn osm_tags() -> impl Strategy<Value = Vec<(String, String)>> {
    let keys = prop::sample::select(
        &[
            "highway",
            "maxspeed",
            "oneway",
            "junction",
            "access",
            "vehicle",
            "motor_vehicle",
            "hgv",
            "motorcycle",
            "maxweight",
            "maxwidth",
            "maxheight",
            "maxlength",
            "service",
            "tracktype",
            "area",
            "impassable",
            "barrier",
            "kerb",
        ][..],
    );
    let values = prop_oneof![
        prop::sample::select(
            &[
                "residential",
                "primary",
                "service",
                "track",
                "footway",
                "motorway",
                "living_street",
                "yes",
                "no",
                "-1",
                "reversible",
                "roundabout",
                "destination",
                "delivery",
                "private",
                "designated",
                "grade1",
                "bollard",
                "kerb",
                "raised",
                "30 mph",
                "50 km/h",
                "walk",
                "none",
                "DE:urban",
                "FR:zone30",
                "RU:zone:inf",
                "12'6\"",
                "nan'",
                "-5'",
                "inf'",
                "3.5 st",
                "7500 kg",
                "12 lbs",
                "2.5m",
                "8 ft",
            ][..]
        )
        .prop_map(str::to_string),
        odd_field(),
    ];
    prop::collection::vec((keys.prop_map(str::to_string), values), 0..6)
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn valid_fleets_read_back(doc in fleet_doc()) {
        let text = doc.text();
        let f = plan::read_fleet_str(Path::new(FLEET), &text)
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        let n = doc.tables.iter().filter(|t| t.0 == "[[vehicle]]").count();
        prop_assert_eq!(f.spec.vehicle.len(), n);
        for (k, v) in f.spec.vehicle.iter().enumerate() {
            prop_assert_eq!(&v.name, &format!("v{k}"));
            prop_assert!(f.shift(k).is_ok() && f.streams(k).is_ok());
        }
    }

    #[test]
    fn a_bad_fleet_entry_names_the_file_and_the_line_or_vehicle(
        mut doc in fleet_doc(), t in any::<Index>(), edit in toml_edit(VEHICLE_KEYS)
    ) {
        let t = t.index(doc.tables.len());
        edit_doc(&mut doc, t, &edit);
        let text = doc.text();
        if let Err(e) = plan::read_fleet_str(Path::new(FLEET), &text) {
            let (line, field) = located(&e, FLEET);
            let name = (String::from("name"), toml_str(&format!("v{t}")));
            match (line, field) {
                (Some(_), _) => {}
                // Checked after parsing: the field of the changed vehicle
                // (when its name is still the one it had).
                (None, Some(field)) if doc.tables[t].0 == "[[vehicle]]" => {
                    prop_assert!(
                        field.contains(&format!("'v{t}'")) || !doc.tables[t].1.contains(&name),
                        "{} (changed vehicle {})\n{}", e, t, text
                    );
                }
                (None, Some(field)) => prop_assert!(field.starts_with("targets"), "{}", e),
                (None, None) => prop_assert!(false, "neither line nor field: {}", e),
            }
        }
    }

    #[test]
    fn damaged_fleets_name_the_file(doc in fleet_doc(), d in damage()) {
        let text = damaged(&doc.text(), &d);
        if let Err(e) = plan::read_fleet_str(Path::new(FLEET), &text) {
            located(&e, FLEET);
        }
    }

    #[test]
    fn valid_profiles_give_sane_way_rules(
        doc in profile_doc(), ways in prop::collection::vec(osm_tags(), 8)
    ) {
        let text = doc.text();
        match Profile::from_toml_file(&scratch_file(PROFILE, &text)) {
            Ok(p) => {
                for tags in &ways {
                    if let Some(r) = p.way_rule(tags) {
                        prop_assert!(
                            r.speed_kmh.is_finite() && r.speed_kmh > 0.0
                                && r.speed_kmh <= p.max_speed_kmh,
                            "{:?} for {:?}", r, tags
                        );
                        prop_assert!(r.forward || r.backward);
                    }
                    let _ = p.barrier_blocks(tags);
                }
            }
            // Speeds of 0 may remove every class the base had.
            Err(e) => {
                let (_, field) = located(&e, PROFILE);
                prop_assert_eq!(field.as_deref(), Some("speeds_kmh"), "{}\n{}", e, text);
            }
        }
    }

    #[test]
    fn a_bad_profile_entry_names_the_file(
        mut doc in profile_doc(), t in any::<Index>(), edit in toml_edit(PROFILE_KEYS)
    ) {
        let t = t.index(doc.tables.len());
        edit_doc(&mut doc, t, &edit);
        let text = doc.text();
        if let Err(e) = Profile::from_toml_file(&scratch_file(PROFILE, &text)) {
            let (line, field) = located(&e, PROFILE);
            prop_assert!(
                line.is_some() || field.is_some() || e.to_string().contains("line "),
                "neither line nor field: {}", e
            );
        }
    }

    #[test]
    fn damaged_profiles_name_the_file(doc in profile_doc(), d in damage()) {
        let text = damaged(&doc.text(), &d);
        if let Err(e) = Profile::from_toml_file(&scratch_file(PROFILE, &text)) {
            located(&e, PROFILE);
        }
    }

    #[test]
    fn tag_values_parse_to_positive_numbers_or_nothing(v in prop_oneof![
        odd_field(),
        "[0-9.]{1,5} ?(mph|km/h|ft|m|t|st|lbs|kg)?",
        "[0-9]{1,2}'( ?[0-9]{1,2}\")?",
        "[A-Z]{2}:(urban|rural|zone[0-9]{1,2}|zone:[0-9a-z]{1,4})",
    ]) {
        for (what, x) in [
            ("maxspeed", wasteroute::graph::parse_maxspeed(&v)),
            ("length", wasteroute::graph::parse_length_m(&v)),
            ("weight", wasteroute::graph::parse_weight_t(&v)),
        ] {
            // Only `maxspeed=none` means no limit (infinity).
            if let Some(x) = x {
                prop_assert!(
                    x > 0.0 && (x.is_finite() || what == "maxspeed"),
                    "{} '{}' parses to {}", what, v, x
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Token files (CVRPLIB .vrp/.sol, Kim instances)
// ---------------------------------------------------------------------------

/// A small valid `.vrp` file: `EUC_2D` with coordinates, or `EXPLICIT`
/// with a full or lower-row matrix; and its dimension.
fn vrp_file() -> impl Strategy<Value = (String, usize)> {
    (2usize..9)
        .prop_flat_map(|n| {
            (
                Just(n),
                100i64..1000,
                prop::collection::vec((0i64..1000, 0i64..1000), n),
                prop::collection::vec(0i64..100, n),
                0usize..3,
                any::<bool>(),
            )
        })
        .prop_map(|(n, cap, xy, dem, kind, distance)| {
            let mut s = format!("NAME : props\nTYPE : CVRP\nDIMENSION : {n}\nCAPACITY : {cap}\n");
            if distance {
                s.push_str("DISTANCE : 5000\nSERVICE_TIME : 10\n");
            }
            let d = |i: usize, j: usize| {
                let (a, b) = (xy[i], xy[j]);
                (((a.0 - b.0).pow(2) + (a.1 - b.1).pow(2)) as f64).sqrt().round() as i64
            };
            match kind {
                0 => {
                    s.push_str("EDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n");
                    for (i, (x, y)) in xy.iter().enumerate() {
                        s.push_str(&format!("{} {x} {y}\n", i + 1));
                    }
                }
                1 => {
                    s.push_str("EDGE_WEIGHT_TYPE : EXPLICIT\nEDGE_WEIGHT_FORMAT : FULL_MATRIX\nEDGE_WEIGHT_SECTION\n");
                    for i in 0..n {
                        let row: Vec<String> = (0..n).map(|j| d(i, j).to_string()).collect();
                        s.push_str(&row.join(" "));
                        s.push('\n');
                    }
                }
                _ => {
                    s.push_str("EDGE_WEIGHT_TYPE : EXPLICIT\nEDGE_WEIGHT_FORMAT : LOWER_ROW\nEDGE_WEIGHT_SECTION\n");
                    for i in 1..n {
                        let row: Vec<String> = (0..i).map(|j| d(i, j).to_string()).collect();
                        s.push_str(&row.join(" "));
                        s.push('\n');
                    }
                }
            }
            s.push_str("DEMAND_SECTION\n");
            for (i, q) in dem.iter().enumerate() {
                let q = if i == 0 { 0 } else { *q };
                s.push_str(&format!("{} {q}\n", i + 1));
            }
            s.push_str("DEPOT_SECTION\n1\n-1\nEOF\n");
            (s, n)
        })
}

/// `text` with one whitespace-separated token of one line replaced.
fn token_mutation(text: String) -> impl Strategy<Value = String> {
    (Just(text), any::<Index>(), any::<Index>(), odd_field()).prop_map(|(text, l, t, odd)| {
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let l = l.index(lines.len());
        let mut toks: Vec<String> = lines[l].split_whitespace().map(str::to_string).collect();
        if toks.is_empty() {
            toks.push(odd);
        } else {
            let t = t.index(toks.len());
            toks[t] = odd;
        }
        lines[l] = toks.join(" ");
        lines.join("\n")
    })
}

/// A `.sol` file for customers `1..n` split into routes, and its routes.
fn sol_file(n: usize) -> impl Strategy<Value = String> {
    (
        Just((1..n).collect::<Vec<usize>>()).prop_shuffle(),
        prop::collection::vec(any::<bool>(), n),
        prop::option::of(0u32..100_000),
    )
        .prop_map(|(order, cuts, cost)| {
            let mut routes: Vec<Vec<usize>> = vec![Vec::new()];
            for (i, c) in order.into_iter().enumerate() {
                if cuts[i] && !routes.last().unwrap().is_empty() {
                    routes.push(Vec::new());
                }
                routes.last_mut().unwrap().push(c);
            }
            let mut s = String::new();
            for (k, r) in routes.iter().enumerate().filter(|(_, r)| !r.is_empty()) {
                let r: Vec<String> = r.iter().map(usize::to_string).collect();
                s.push_str(&format!("Route #{}: {}\n", k + 1, r.join(" ")));
            }
            if let Some(c) = cost {
                s.push_str(&format!("Cost {c}\n"));
            }
            s
        })
}

const VRP: &str = "props.vrp";
const SOL: &str = "props.sol";

fn check_vrp(text: &str) -> Option<cvrplib::CvrpInstance> {
    match cvrplib::parse_vrp(text, VRP) {
        Ok(inst) => {
            let n = inst.dimension();
            assert_eq!(inst.distance_matrix(cvrplib::Rounding::Nint).len(), n * n);
            let _ = wasteroute::cvrp::problem(&inst, cvrplib::Rounding::Nint);
            Some(inst)
        }
        Err(e) => {
            let (line, _) = located(&e, VRP);
            assert!(line.is_some(), "no line: {e}");
            None
        }
    }
}

fn check_sol(text: &str, inst: Option<&cvrplib::CvrpInstance>) {
    match cvrplib::parse_sol(text, SOL, inst) {
        Ok(sol) => {
            if let Some(inst) = inst {
                let _ = wasteroute::cvrp::from_cvrplib(inst, &sol);
            }
        }
        Err(e) => {
            let (line, _) = located(&e, SOL);
            assert!(line.is_some(), "no line: {e}");
        }
    }
}

/// The Kim fixture cut to its header and first `rows` rows (depot and both
/// landfills come first).
fn kim_cut(rows: usize) -> String {
    static TEXT: LazyLock<String> = LazyLock::new(|| {
        std::fs::read_to_string(data("kim/102_stop.txt")).expect("the Kim fixture")
    });
    TEXT.lines().take(6 + rows).collect::<Vec<_>>().join("\n")
}

const KIM: &str = "props_stop.txt";

fn check_kim(text: &str) {
    match kim::parse_instance(text, KIM) {
        Ok(inst) => {
            let _ = wasteroute::kim::problem(&inst, wasteroute::kim::KimOptions::default());
        }
        Err(e) => {
            let (line, _) = located(&e, KIM);
            assert!(line.is_some(), "no line: {e}");
        }
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn valid_vrp_files_read_back((text, n) in vrp_file()) {
        let inst = cvrplib::parse_vrp(&text, VRP).unwrap_or_else(|e| panic!("{e}\n{text}"));
        prop_assert_eq!(inst.dimension(), n);
        prop_assert!(wasteroute::cvrp::problem(&inst, cvrplib::Rounding::Nint).is_ok());
    }

    #[test]
    fn a_bad_vrp_token_names_its_line(
        text in vrp_file().prop_flat_map(|(t, _)| token_mutation(t))
    ) {
        check_vrp(&text);
    }

    #[test]
    fn damaged_vrp_files_name_their_line((text, _) in vrp_file(), d in damage()) {
        check_vrp(&damaged(&text, &d));
    }

    #[test]
    fn vrp_noise_names_its_line(text in noise("NAME : x\nDIMENSION : 3\n")) {
        check_vrp(&text);
    }

    #[test]
    fn sol_files_read_or_name_their_line(
        (vrp, sol) in vrp_file().prop_flat_map(|(t, n)| (Just(t), sol_file(n))),
        d in damage(),
    ) {
        let inst = cvrplib::parse_vrp(&vrp, VRP).unwrap();
        let read = cvrplib::parse_sol(&sol, SOL, Some(&inst))
            .unwrap_or_else(|e| panic!("{e}\n{sol}"));
        prop_assert!(wasteroute::cvrp::from_cvrplib(&inst, &read).is_ok());
        check_sol(&damaged(&sol, &d), Some(&inst));
        check_sol(&damaged(&sol, &d), None);
    }

    #[test]
    fn kim_cuts_read_and_bad_tokens_name_their_line(
        text in (4usize..40).prop_flat_map(|k| token_mutation(kim_cut(k)))
    ) {
        check_kim(&text);
    }

    #[test]
    fn damaged_kim_files_name_their_line(k in 4usize..40, d in damage()) {
        let text = kim_cut(k);
        prop_assert!(kim::parse_instance(&text, KIM).is_ok());
        check_kim(&damaged(&text, &d));
    }
}

// ---------------------------------------------------------------------------
// Binary files (graph file, OSM PBF)
// ---------------------------------------------------------------------------

/// The tiny Monaco truck graph as written by `RoadGraph::save`.
static GRAPH_FILE: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let p = dir.path().join("tiny.wrg");
    TINY_GRAPH.save(&p).expect("the graph saves");
    std::fs::read(&p).expect("the graph file reads")
});

const GRAPH: &str = "props.wrg";

/// Offsets of the u32 counts in the graph file (profile name length, vertex,
/// edge and geometry counts).
fn graph_count_offsets() -> Vec<usize> {
    let g = &*TINY_GRAPH;
    let body = 20;
    let name = body + 4 + g.profile_name().len();
    let edges = name + 4 + 16 * g.n_vertices();
    let index = edges + 4 + 20 * g.n_edges();
    let geometry = index + 4 * (g.n_edges() + 1);
    vec![body, name, edges, geometry]
}

/// `bytes` with its CRC recomputed, so the reader gets past the checksum.
fn with_crc(mut bytes: Vec<u8>) -> Vec<u8> {
    let n = bytes.len();
    let crc = crc32fast::hash(&bytes[20..n - 4]);
    bytes[n - 4..].copy_from_slice(&crc.to_le_bytes());
    bytes
}

/// Loads a graph from bytes; a graph that loads is used (snapped to, measured).
fn check_graph(bytes: &[u8]) -> wasteroute::Result<()> {
    let g = RoadGraph::load_bytes(Path::new(GRAPH), bytes)?;
    let _ = g.total_km();
    let _ = g.snap(&[(43.7385, 7.4215), (0.0, 0.0)], 300.0);
    for e in 0..g.n_edges() as u32 {
        let _ = g.edge_polyline_between(e, 0.25, 0.75);
    }
    Ok(())
}

/// A Monaco extract rewritten with uncompressed (`raw`) blobs, so that byte
/// changes reach the protobuf decoder and the block decoding rather than
/// failing in zlib.
pub(crate) fn raw_pbf(pbf: &[u8]) -> Vec<u8> {
    use osmpbfreader::fileformat::{Blob, BlobHeader};
    use protobuf::Message;
    use std::io::Read;
    let mut out = Vec::new();
    let mut at = 0;
    while at < pbf.len() {
        let n = u32::from_be_bytes(pbf[at..at + 4].try_into().unwrap()) as usize;
        at += 4;
        let mut header = BlobHeader::parse_from_bytes(&pbf[at..at + n]).unwrap();
        at += n;
        let size = header.datasize() as usize;
        let blob = Blob::parse_from_bytes(&pbf[at..at + size]).unwrap();
        at += size;
        let data = if blob.has_zlib_data() {
            let mut d = Vec::new();
            flate2::read::ZlibDecoder::new(blob.zlib_data())
                .read_to_end(&mut d)
                .unwrap();
            d
        } else {
            blob.raw().to_vec()
        };
        let mut raw = Blob::new();
        raw.set_raw_size(data.len() as i32);
        raw.set_raw(data);
        let body = raw.write_to_bytes().unwrap();
        header.set_datasize(body.len() as i32);
        let head = header.write_to_bytes().unwrap();
        out.extend_from_slice(&(head.len() as u32).to_be_bytes());
        out.extend_from_slice(&head);
        out.extend_from_slice(&body);
    }
    out
}

static MONACO_PBF: LazyLock<Vec<u8>> =
    LazyLock::new(|| std::fs::read(data("monaco-latest.osm.pbf")).expect("the Monaco extract"));
static TINY_PBF: LazyLock<Vec<u8>> =
    LazyLock::new(|| std::fs::read(data("monaco-roads-tiny.osm.pbf")).expect("the tiny extract"));
static TINY_RAW_PBF: LazyLock<Vec<u8>> = LazyLock::new(|| raw_pbf(&TINY_PBF));

const PBF: &str = "props.osm.pbf";

/// Reads PBF bytes; roads that read are built into a graph.
fn check_pbf(bytes: &[u8]) -> wasteroute::Result<()> {
    let roads = osm::read_roads_from(Path::new(PBF), bytes)?;
    let _ = RoadGraph::from_roads(&roads, &Profile::truck());
    Ok(())
}

/// XORs `flips` bytes of `bytes` at the given positions.
fn flipped(bytes: &[u8], flips: &[(Index, u8)]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    for (i, x) in flips {
        let k = i.index(b.len());
        b[k] ^= x;
    }
    b
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn any_bit_flip_in_a_graph_file_is_refused(i in any::<Index>(), bit in 0u8..8) {
        let b = flipped(&GRAPH_FILE, &[(i, 1 << bit)]);
        let e = check_graph(&b).expect_err("a flipped bit must be caught");
        located(&e, GRAPH);
    }

    #[test]
    fn a_truncated_graph_file_is_refused(i in any::<Index>()) {
        let b = &GRAPH_FILE[..i.index(GRAPH_FILE.len())];
        let e = check_graph(b).expect_err("a truncated file must be refused");
        located(&e, GRAPH);
    }

    #[test]
    fn a_graph_file_with_changed_content_and_a_good_checksum_never_panics(
        flips in prop::collection::vec((any::<Index>(), 1u8..=255), 1..4),
        count in prop::option::of((any::<Index>(), any::<u32>())),
    ) {
        let n = GRAPH_FILE.len();
        let mut b = GRAPH_FILE.clone();
        for (i, x) in &flips {
            b[20 + i.index(n - 24)] ^= x;
        }
        if let Some((k, v)) = count {
            let offs = graph_count_offsets();
            let at = offs[k.index(offs.len())];
            b[at..at + 4].copy_from_slice(&v.to_le_bytes());
        }
        if let Err(e) = check_graph(&with_crc(b)) {
            located(&e, GRAPH);
        }
    }

    #[test]
    fn graph_file_noise_is_refused(
        body in prop::collection::vec(any::<u8>(), 0..300), header in any::<bool>()
    ) {
        let mut b = Vec::new();
        if header {
            b.extend_from_slice(&GRAPH_FILE[..12]);
            b.extend_from_slice(&(body.len() as u64).to_le_bytes());
            b.extend_from_slice(&body);
            b.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
        } else {
            b = body;
        }
        if let Err(e) = check_graph(&b) {
            located(&e, GRAPH);
        }
    }
}

#[test]
fn the_raw_rewrite_of_the_tiny_extract_reads_the_same() {
    let a = osm::read_roads_from(Path::new(PBF), &TINY_PBF[..]).unwrap();
    let b = osm::read_roads_from(Path::new(PBF), &TINY_RAW_PBF[..]).unwrap();
    assert_eq!(a.ways, b.ways);
    assert_eq!(a.n_nodes(), b.n_nodes());
    assert_ne!(&TINY_PBF[..], &TINY_RAW_PBF[..]);
}

proptest! {
    #![proptest_config(config(24))]

    #[test]
    fn a_truncated_extract_is_refused_naming_the_file(i in any::<Index>()) {
        let cut = &MONACO_PBF[..i.index(MONACO_PBF.len())];
        if let Err(e) = check_pbf(cut) {
            located(&e, PBF);
        }
    }

    #[test]
    fn a_damaged_extract_never_panics(
        flips in prop::collection::vec((any::<Index>(), 1u8..=255), 1..4),
        raw in any::<bool>(),
    ) {
        let base: &[u8] = if raw { &TINY_RAW_PBF } else { &TINY_PBF };
        if let Err(e) = check_pbf(&flipped(base, &flips)) {
            located(&e, PBF);
        }
    }

    #[test]
    fn pbf_noise_is_refused_naming_the_file(
        b in prop::collection::vec(any::<u8>(), 0..200)
    ) {
        if let Err(e) = check_pbf(&b) {
            located(&e, PBF);
        }
    }
}

// ---------------------------------------------------------------------------
// Regressions: inputs that failed a property or a fuzz target
// ---------------------------------------------------------------------------

#[test]
fn lengths_in_feet_of_zero_nan_or_below_zero_are_ignored() {
    // Found by `tag_values_parse_to_positive_numbers_or_nothing`: "0'"
    // parsed to a limit of 0 m (and "nan'" to NaN), which excluded the way
    // instead of ignoring the value.
    for v in ["0'", "nan'", "NaN'", "-5'", "inf'", "5'-13\"", "0'0\""] {
        assert_eq!(wasteroute::graph::parse_length_m(v), None, "{v}");
    }
    assert!((wasteroute::graph::parse_length_m("12'6\"").unwrap() - 3.81).abs() < 1e-9);
}

/// A header that announces 9 bytes followed by 8: osmpbfreader's
/// `assert_eq!(sz, self.buf.len())` (reader.rs:251) fires on every file cut
/// inside a blob.
const PBF_CUT_IN_A_HEADER: [u8; 12] = [0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0];

#[test]
fn a_pbf_cut_inside_a_blob_is_an_input_error() {
    let e = check_pbf(&PBF_CUT_IN_A_HEADER).expect_err("a cut file");
    located(&e, PBF);
    let e = check_pbf(&MONACO_PBF[..MONACO_PBF.len() / 2]).expect_err("a cut file");
    located(&e, PBF);
}

#[test]
fn a_pbf_string_index_out_of_the_table_is_an_input_error() {
    // One byte of a way's key index changed in the uncompressed rewrite of
    // the tiny extract: osmpbfreader indexes its string table out of bounds
    // in a decoder thread (groups.rs:212, `make_string`).
    let mut b = TINY_RAW_PBF.clone();
    b[24811] ^= 0xc1;
    let e = check_pbf(&b).expect_err("a damaged block");
    located(&e, PBF);
}
