//! Generates the bundled planning demo (`data/demo/`) from an OpenStreetMap
//! extract: pickups on real roads (dense in towns, sparse in the
//! countryside), a depot, two transfer stations, a landfill and a treatment
//! plant on industrial land, a mixed fleet, and what-if scenarios for
//! `wasteroute compare` (a flood along the waterway with the most pickups
//! nearby, and a new transfer station).
//!
//! ```text
//! cargo run --release --example make_demo -- --seed 1
//! cargo run --release --example make_demo -- --osm FILE.osm.pbf --out DIR --seed 1 --pickups 2000
//! cargo run --release --example make_demo -- --week --seed 1
//! ```
//!
//! Defaults: `--osm data/demo/map.osm.pbf --out data/demo --seed 1
//! --pickups 400`. With `--week`, the weekly variant of the same pickups
//! and facilities goes to `--out` (default `data/demo-week/`) instead: the
//! collection frequencies and visit days of [`weekly`], the working days
//! Monday to Saturday, facilities' closed days; it uses the map of the
//! one-day demo (`../demo/map.osm.pbf`, not copied). The same extract, seed and size give byte-identical
//! files: one seeded SplitMix64 generator drawn in a fixed order, no hash-map
//! iteration, fixed number formats. The map itself is cut by
//! `scripts/make_demo_map.sh`.
//!
//! The rules (each is a constant or a short function below, and
//! `data/demo/README.md` states them):
//!
//! - **Urban or rural**: a point is urban when at least
//!   [`URBAN_STREET_M`] metres of street (OSM `highway` of the classes in
//!   [`STREET_CLASSES`]: no tracks, paths or footways) lie within
//!   [`DENSITY_RADIUS_M`] of it, i.e. a town's street density; rural
//!   otherwise.
//! - **Where**: every pickup and facility is a position on a road edge of the
//!   graph of the profile that serves it (`truck`, or `small` for alleys),
//!   inside the national border when the extract has one (`admin_level=2`),
//!   rounded to 6 decimals (10 cm).
//! - **Who can reach it**: ordinary pickups lie on roads of both graphs
//!   (within [`ON_ROAD_M`]); alley pickups lie on the `small` graph at least
//!   [`ALLEY_MIN_M`] from any road of the `truck` graph.
//! - **Facilities** sit on industrial land (`landuse=industrial`), chosen by
//!   demand-weighted distance to the urban pickups (see [`Sites`]).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use wasteroute::graph::{Closures, Profile, RoadGraph, Snap};
use wasteroute::io::osm::{OsmRoads, read_roads, tag};
use wasteroute::matrix::Router;

/// Distance between candidate positions along each road edge, metres.
const CANDIDATE_SPACING_M: f64 = 20.0;
/// Radius of the street-density disc of the urban rule, metres.
const DENSITY_RADIUS_M: f64 = 200.0;
/// Street length within [`DENSITY_RADIUS_M`] that makes a point urban, metres.
const URBAN_STREET_M: f64 = 1500.0;
/// Highway classes that count as streets for the urban rule.
const STREET_CLASSES: &[&str] = &[
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
    "residential",
    "living_street",
    "pedestrian",
    "service",
    "road",
];
/// A position within this distance of a graph's road is on that graph, metres.
const ON_ROAD_M: f64 = 1.0;
/// An alley pickup is at least this far from every `truck` road, metres.
const ALLEY_MIN_M: f64 = 25.0;
/// Highway classes where households are placed.
const HOUSEHOLD_CLASSES: &[&str] = &[
    "residential",
    "living_street",
    "unclassified",
    "tertiary",
    "secondary",
    "primary",
    "service",
    "road",
];
/// Shops within this radius make a street a market street, metres.
const MARKET_RADIUS_M: f64 = 120.0;
/// Shops within [`MARKET_RADIUS_M`] that make a street a market street.
const MARKET_MIN_SHOPS: usize = 3;
/// Smallest distance between two urban pickups, metres.
const URBAN_SPACING_M: f64 = 60.0;
/// Smallest distance between a rural pickup and any other pickup, metres.
const RURAL_SPACING_M: f64 = 400.0;
/// Smallest distance between a pickup at a named place (clinic, station,
/// shop, recycling point) and any other pickup, metres.
const POI_SPACING_M: f64 = 30.0;
/// How far a named place may be from the road it is served from, metres.
const POI_SNAP_M: f64 = 150.0;

fn main() {
    if let Err(e) = run() {
        eprintln!("make_demo: {e}");
        std::process::exit(1);
    }
}

type Res<T> = Result<T, Box<dyn std::error::Error>>;

struct Args {
    osm: PathBuf,
    out: PathBuf,
    seed: u64,
    pickups: usize,
    week: bool,
}

fn parse_args() -> Res<Args> {
    let mut a = Args {
        osm: PathBuf::from("data/demo/map.osm.pbf"),
        out: PathBuf::from("data/demo"),
        seed: 1,
        pickups: 400,
        week: false,
    };
    let mut out = None;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--osm" => a.osm = value()?.into(),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--week" => a.week = true,
            "--seed" => a.seed = value()?.parse()?,
            "--pickups" => a.pickups = value()?.parse()?,
            "-h" | "--help" => {
                println!(
                    "usage: make_demo [--osm FILE.osm.pbf] [--out DIR] [--seed N] [--pickups N] [--week]"
                );
                std::process::exit(0);
            }
            _ => return Err(format!("unknown argument '{flag}' (try --help)").into()),
        }
    }
    if a.pickups < 100 {
        return Err("--pickups must be at least 100".into());
    }
    a.out = out.unwrap_or_else(|| {
        PathBuf::from(if a.week {
            "data/demo-week"
        } else {
            "data/demo"
        })
    });
    Ok(a)
}

// ---------------------------------------------------------------------------
// Small tools: random numbers, a local projection, a point grid.

/// SplitMix64 (Steele, Lea and Flood 2014): small, seedable, and the same on
/// every platform.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize
    }
    /// Skewed toward `lo`: `lo + (hi - lo) u^2` (mean a third of the way).
    fn skewed(&mut self, lo: f64, hi: f64) -> f64 {
        let u = self.unit();
        lo + (hi - lo) * u * u
    }
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }
}

/// Equirectangular projection to metres around a reference latitude (good
/// to a fraction of a percent over a region of tens of kilometres).
#[derive(Clone, Copy)]
struct Proj {
    mx: f64,
    my: f64,
}

impl Proj {
    fn new(lat0: f64) -> Proj {
        let my = 6_371_008.8 * std::f64::consts::PI / 180.0;
        Proj {
            mx: my * lat0.to_radians().cos(),
            my,
        }
    }
    fn xy(&self, p: [f64; 2]) -> [f64; 2] {
        [p[0] * self.mx, p[1] * self.my]
    }
}

fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// Distance from `p` to the segment `a`-`b` (all projected).
fn seg_dist(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    dist(p, [a[0] + t * dx, a[1] + t * dy])
}

/// Points (projected metres) bucketed in square cells for radius queries.
struct Grid {
    cell: f64,
    cells: HashMap<(i64, i64), Vec<[f64; 2]>>,
}

impl Grid {
    fn new(cell: f64) -> Grid {
        Grid {
            cell,
            cells: HashMap::new(),
        }
    }
    fn key(&self, p: [f64; 2]) -> (i64, i64) {
        (
            (p[0] / self.cell).floor() as i64,
            (p[1] / self.cell).floor() as i64,
        )
    }
    fn insert(&mut self, p: [f64; 2]) {
        let k = self.key(p);
        self.cells.entry(k).or_default().push(p);
    }
    /// How many points lie within `r` of `p` (`r` at most the cell size).
    fn count_within(&self, p: [f64; 2], r: f64) -> usize {
        let (cx, cy) = self.key(p);
        let span = (r / self.cell).ceil() as i64;
        let mut n = 0;
        for x in cx - span..=cx + span {
            for y in cy - span..=cy + span {
                if let Some(v) = self.cells.get(&(x, y)) {
                    n += v.iter().filter(|&&q| dist(p, q) <= r).count();
                }
            }
        }
        n
    }
}

/// `(lon, lat)` rounded to 6 decimals, as written to the files.
fn round6(p: [f64; 2]) -> [f64; 2] {
    [(p[0] * 1e6).round() / 1e6, (p[1] * 1e6).round() / 1e6]
}

/// Rounds to a multiple of `step`.
fn round_to(x: f64, step: f64) -> f64 {
    (x / step).round() * step
}

/// A CSV field, quoted when needed (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A TOML or JSON string literal (both accept this escaping for the text we write).
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn fmt_time(s: u32) -> String {
    format!("{:02}:{:02}", s / 3600, (s % 3600) / 60)
}

// ---------------------------------------------------------------------------
// What the extract holds besides roads.

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum PoiKind {
    /// Hospital, clinic, doctor or dentist: medical waste.
    Medical,
    /// Fuel station or car workshop: waste oil, batteries.
    Hazardous,
    /// A recycling point (glass, paper, metal containers).
    Recycling,
    /// A large shop (supermarket, mall, hardware, garden centre, ...).
    BigShop,
    /// Any other shop.
    Shop,
}

struct Poi {
    kind: PoiKind,
    /// Hospitals first among medical places.
    rank: u8,
    id: i64,
    name: Option<String>,
    lonlat: [f64; 2],
}

/// Closed rings or loose boundary segments of an area; inside tests use the
/// even-odd rule over the segments, so the member ways of a multipolygon
/// need not be joined into rings.
struct Area {
    name: Option<String>,
    segments: Vec<[[f64; 2]; 2]>,
    /// Mean of the boundary nodes.
    centre: [f64; 2],
    /// Bounding box `[min_lon, min_lat, max_lon, max_lat]`.
    bbox: [f64; 4],
    /// Shoelace area of its closed ways.
    area_m2: f64,
}

impl Area {
    fn from_ways(name: Option<String>, ways: &[Vec<[f64; 2]>], proj: Proj) -> Option<Area> {
        let mut segments = Vec::new();
        let mut sum = [0.0, 0.0];
        let mut n = 0.0;
        let mut area = 0.0;
        for w in ways {
            for s in w.windows(2) {
                segments.push([s[0], s[1]]);
            }
            for p in w {
                sum[0] += p[0];
                sum[1] += p[1];
                n += 1.0;
            }
            if w.len() >= 4 && w.first() == w.last() {
                let mut a2 = 0.0;
                for s in w.windows(2) {
                    let (p, q) = (proj.xy(s[0]), proj.xy(s[1]));
                    a2 += p[0] * q[1] - q[0] * p[1];
                }
                area += a2.abs() / 2.0;
            }
        }
        if segments.is_empty() {
            return None;
        }
        let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for s in &segments {
            for p in s {
                bbox = [
                    bbox[0].min(p[0]),
                    bbox[1].min(p[1]),
                    bbox[2].max(p[0]),
                    bbox[3].max(p[1]),
                ];
            }
        }
        Some(Area {
            name,
            segments,
            centre: [sum[0] / n, sum[1] / n],
            bbox,
            area_m2: area,
        })
    }

    fn contains(&self, p: [f64; 2]) -> bool {
        if p[0] < self.bbox[0] || p[0] > self.bbox[2] || p[1] < self.bbox[1] || p[1] > self.bbox[3]
        {
            return false;
        }
        let mut inside = false;
        for [a, b] in &self.segments {
            if (a[1] > p[1]) != (b[1] > p[1]) {
                let x = a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
                if x > p[0] {
                    inside = !inside;
                }
            }
        }
        inside
    }

    /// Inside, or within `r` metres of the boundary.
    fn near(&self, p: [f64; 2], r: f64, proj: Proj) -> bool {
        let m = r / proj.my * 2.0;
        if p[0] < self.bbox[0] - m
            || p[0] > self.bbox[2] + m
            || p[1] < self.bbox[1] - m
            || p[1] > self.bbox[3] + m
        {
            return false;
        }
        self.contains(p) || {
            let q = proj.xy(p);
            self.segments
                .iter()
                .any(|[a, b]| seg_dist(q, proj.xy(*a), proj.xy(*b)) <= r)
        }
    }
}

struct Waterway {
    name: String,
    line: Vec<[f64; 2]>,
}

struct Extras {
    pois: Vec<Poi>,
    industrial: Vec<Area>,
    waterways: Vec<Waterway>,
    /// Complete national borders (`admin_level=2`) in the extract.
    borders: Vec<Area>,
}

fn read_extras(path: &Path, roads: &OsmRoads, proj: Proj) -> Res<Extras> {
    let mut reader = osmpbfreader::OsmPbfReader::new(BufReader::new(File::open(path)?));
    let mut way_nodes: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut tagged: Vec<(i64, Vec<(String, String)>)> = Vec::new();
    let mut relations = Vec::new();
    let mut pois = Vec::new();
    let own = |t: &osmpbfreader::Tags| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = t
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        v.sort();
        v
    };
    for obj in reader.iter() {
        match obj? {
            osmpbfreader::OsmObj::Node(n) => {
                let tags = own(&n.tags);
                if let Some((kind, rank)) = poi_kind(&tags) {
                    pois.push(Poi {
                        kind,
                        rank,
                        id: n.id.0,
                        name: tag(&tags, "name").map(str::to_string),
                        lonlat: [n.lon(), n.lat()],
                    });
                }
            }
            osmpbfreader::OsmObj::Way(w) => {
                way_nodes.insert(w.id.0, w.nodes.iter().map(|n| n.0).collect());
                let tags = own(&w.tags);
                if poi_kind(&tags).is_some()
                    || tag(&tags, "landuse") == Some("industrial")
                    || matches!(tag(&tags, "waterway"), Some("river" | "canal"))
                {
                    tagged.push((w.id.0, tags));
                }
            }
            osmpbfreader::OsmObj::Relation(r) => relations.push(r),
        }
    }
    let coords = |w: i64| -> Option<Vec<[f64; 2]>> {
        way_nodes
            .get(&w)?
            .iter()
            .map(|&n| roads.coord(n).map(|(lat, lon)| [lon, lat]))
            .collect()
    };
    let mean = |pts: &[[f64; 2]]| -> [f64; 2] {
        let n = pts.len().max(1) as f64;
        let s = pts
            .iter()
            .fold([0.0, 0.0], |s, p| [s[0] + p[0], s[1] + p[1]]);
        [s[0] / n, s[1] / n]
    };
    let mut industrial = Vec::new();
    let mut waterways = Vec::new();
    for (id, tags) in &tagged {
        let Some(line) = coords(*id) else { continue };
        if line.len() < 2 {
            continue;
        }
        let name = tag(tags, "name").map(str::to_string);
        if let Some((kind, rank)) = poi_kind(tags) {
            pois.push(Poi {
                kind,
                rank,
                id: *id,
                name: name.clone(),
                lonlat: mean(&line),
            });
        }
        if tag(tags, "landuse") == Some("industrial")
            && let Some(a) = Area::from_ways(name.clone(), std::slice::from_ref(&line), proj)
        {
            industrial.push(a);
        }
        if matches!(tag(tags, "waterway"), Some("river" | "canal")) {
            waterways.push(Waterway {
                name: name.unwrap_or_else(|| tag(tags, "waterway").unwrap_or("").to_string()),
                line,
            });
        }
    }
    let mut borders = Vec::new();
    for r in &relations {
        let tags = own(&r.tags);
        let members: Option<Vec<Vec<[f64; 2]>>> = r
            .refs
            .iter()
            .filter(|m| m.role != "subarea" && m.role != "admin_centre" && m.role != "label")
            .filter_map(|m| m.member.way())
            .map(|w| coords(w.0))
            .collect();
        let Some(members) = members else { continue };
        if members.is_empty() {
            continue;
        }
        let name = tag(&tags, "name").map(str::to_string);
        if tag(&tags, "landuse") == Some("industrial") {
            industrial.extend(Area::from_ways(name, &members, proj));
        } else if tag(&tags, "boundary") == Some("administrative")
            && tag(&tags, "admin_level") == Some("2")
        {
            borders.extend(Area::from_ways(name, &members, proj));
        } else if let Some((kind, rank)) = poi_kind(&tags) {
            let all: Vec<[f64; 2]> = members.concat();
            pois.push(Poi {
                kind,
                rank,
                id: r.id.0,
                name,
                lonlat: mean(&all),
            });
        }
    }
    pois.sort_by_key(|p| (p.kind, p.rank, p.id));
    Ok(Extras {
        pois,
        industrial,
        waterways,
        borders,
    })
}

/// The kind of named place that produces special waste, from its tags.
fn poi_kind(tags: &[(String, String)]) -> Option<(PoiKind, u8)> {
    let amenity = tag(tags, "amenity");
    let health = tag(tags, "healthcare");
    let shop = tag(tags, "shop");
    if amenity == Some("hospital") || health == Some("hospital") {
        return Some((PoiKind::Medical, 0));
    }
    if amenity == Some("clinic") || health == Some("clinic") {
        return Some((PoiKind::Medical, 1));
    }
    if matches!(amenity, Some("doctors" | "dentist"))
        || matches!(health, Some("doctor" | "dentist"))
    {
        return Some((PoiKind::Medical, 2));
    }
    if amenity == Some("fuel") || matches!(shop, Some("car_repair" | "tyres")) {
        return Some((PoiKind::Hazardous, 0));
    }
    if amenity == Some("recycling") {
        return Some((PoiKind::Recycling, 0));
    }
    match shop {
        Some(
            "supermarket" | "mall" | "department_store" | "doityourself" | "hardware"
            | "garden_centre" | "furniture" | "wholesale",
        ) => Some((PoiKind::BigShop, 0)),
        Some(_) => Some((PoiKind::Shop, 0)),
        None => None,
    }
}

// ---------------------------------------------------------------------------
// Positions on the roads.

/// The OSM way a stretch of road comes from (class and name).
struct WayInfo {
    highway: String,
    name: Option<String>,
}

/// Maps each node-to-node segment of every highway way to that way.
struct WayLookup {
    ways: Vec<WayInfo>,
    by_segment: HashMap<(i64, i64, i64, i64), u32>,
}

impl WayLookup {
    fn new(roads: &OsmRoads) -> WayLookup {
        let mut ways = Vec::with_capacity(roads.ways.len());
        let mut by_segment = HashMap::new();
        // Smallest way id first, so shared segments go to the same way every run.
        let mut order: Vec<usize> = (0..roads.ways.len()).collect();
        order.sort_by_key(|&i| roads.ways[i].id);
        for i in order {
            let w = &roads.ways[i];
            let k = ways.len() as u32;
            ways.push(WayInfo {
                highway: tag(&w.tags, "highway").unwrap_or("").to_string(),
                name: tag(&w.tags, "name").map(str::to_string),
            });
            for s in w.nodes.windows(2) {
                if let (Some(a), Some(b)) = (roads.coord(s[0]), roads.coord(s[1])) {
                    by_segment
                        .entry(Self::key([a.1, a.0], [b.1, b.0]))
                        .or_insert(k);
                }
            }
        }
        WayLookup { ways, by_segment }
    }

    fn key(a: [f64; 2], b: [f64; 2]) -> (i64, i64, i64, i64) {
        let e7 = |x: f64| (x * 1e7).round() as i64;
        let (p, q) = ((e7(a[0]), e7(a[1])), (e7(b[0]), e7(b[1])));
        let (p, q) = if p <= q { (p, q) } else { (q, p) };
        (p.0, p.1, q.0, q.1)
    }

    fn find(&self, a: [f64; 2], b: [f64; 2]) -> Option<&WayInfo> {
        self.by_segment
            .get(&Self::key(a, b))
            .map(|&k| &self.ways[k as usize])
    }
}

/// A candidate position on a road of one graph.
#[derive(Clone)]
struct Cand {
    lonlat: [f64; 2],
    xy: [f64; 2],
    highway: String,
    street: Option<String>,
    urban: bool,
    inside: bool,
    /// Distance to the nearest road of the other graph, metres.
    other_m: f64,
}

/// Positions every [`CANDIDATE_SPACING_M`] along every edge of `g`.
fn candidates(g: &RoadGraph, ways: &WayLookup, proj: Proj) -> Vec<Cand> {
    let mut out = Vec::new();
    for e in 0..g.n_edges() as u32 {
        let geom = g.edge_geometry(e);
        let mut next = CANDIDATE_SPACING_M / 2.0;
        let mut at = 0.0;
        for s in geom.windows(2) {
            let (a, b) = (proj.xy(s[0]), proj.xy(s[1]));
            let len = dist(a, b);
            while next <= at + len && len > 0.0 {
                let t = (next - at) / len;
                let lonlat = [
                    s[0][0] + t * (s[1][0] - s[0][0]),
                    s[0][1] + t * (s[1][1] - s[0][1]),
                ];
                let way = ways.find(s[0], s[1]);
                out.push(Cand {
                    lonlat,
                    xy: proj.xy(lonlat),
                    highway: way.map_or_else(String::new, |w| w.highway.clone()),
                    street: way.and_then(|w| w.name.clone()),
                    urban: false,
                    inside: true,
                    other_m: f64::INFINITY,
                });
                next += CANDIDATE_SPACING_M;
            }
            at += len;
        }
    }
    out
}

/// Street length within [`DENSITY_RADIUS_M`] of a point, from points every
/// 10 m along the ways of [`STREET_CLASSES`].
struct StreetDensity {
    grid: Grid,
}

impl StreetDensity {
    const STEP_M: f64 = 10.0;

    fn new(roads: &OsmRoads, proj: Proj) -> StreetDensity {
        let mut grid = Grid::new(DENSITY_RADIUS_M);
        for w in &roads.ways {
            if !tag(&w.tags, "highway").is_some_and(|h| STREET_CLASSES.contains(&h)) {
                continue;
            }
            let pts: Vec<[f64; 2]> = w
                .nodes
                .iter()
                .filter_map(|&n| roads.coord(n).map(|(lat, lon)| proj.xy([lon, lat])))
                .collect();
            let mut next = Self::STEP_M / 2.0;
            let mut at = 0.0;
            for s in pts.windows(2) {
                let len = dist(s[0], s[1]);
                while next <= at + len && len > 0.0 {
                    let t = (next - at) / len;
                    grid.insert([
                        s[0][0] + t * (s[1][0] - s[0][0]),
                        s[0][1] + t * (s[1][1] - s[0][1]),
                    ]);
                    next += Self::STEP_M;
                }
                at += len;
            }
        }
        StreetDensity { grid }
    }

    fn metres_near(&self, xy: [f64; 2]) -> f64 {
        self.grid.count_within(xy, DENSITY_RADIUS_M) as f64 * Self::STEP_M
    }

    /// The urban rule.
    fn urban(&self, xy: [f64; 2]) -> bool {
        self.metres_near(xy) >= URBAN_STREET_M
    }
}

/// Fills `urban`, `inside` and `other_m` of the candidates of one graph.
fn classify(
    cands: &mut [Cand],
    density: &StreetDensity,
    borders: &[Area],
    other: &RoadGraph,
) -> Res<()> {
    let pts: Vec<(f64, f64)> = cands.iter().map(|c| (c.lonlat[1], c.lonlat[0])).collect();
    let snaps = other.snap(&pts, 1000.0)?;
    for (c, s) in cands.iter_mut().zip(&snaps) {
        c.urban = density.urban(c.xy);
        c.inside = borders.is_empty() || borders.iter().any(|b| b.contains(c.lonlat));
        c.other_m = s.distance_m();
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Pickups.

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    Household,
    Alley,
    Market,
    Commercial,
    Recycling,
    Industrial,
    Hazardous,
    Medical,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Household => "household",
            Kind::Alley => "alley household (small vehicles only)",
            Kind::Market => "market street household (05:30-09:00)",
            Kind::Commercial => "commercial, large shop (05:30-09:00)",
            Kind::Recycling => "recycling point",
            Kind::Industrial => "industrial",
            Kind::Hazardous => "hazardous, fuel station or workshop (08:00-12:00)",
            Kind::Medical => "medical, clinic or practice (07:30-12:00)",
        }
    }
    fn stream(self) -> &'static str {
        match self {
            Kind::Household | Kind::Alley | Kind::Market | Kind::Commercial => "household",
            Kind::Recycling => "recyclable",
            Kind::Industrial => "industrial",
            Kind::Hazardous => "hazardous",
            Kind::Medical => "medical",
        }
    }
    /// Loose density of the waste in bins and containers, kg per m3.
    fn density_kg_m3(self) -> f64 {
        match self {
            Kind::Household | Kind::Alley | Kind::Market | Kind::Commercial => 150.0,
            Kind::Recycling => 60.0,
            Kind::Industrial => 250.0,
            Kind::Hazardous => 600.0,
            Kind::Medical => 120.0,
        }
    }
    fn window(self) -> Option<(u32, u32)> {
        match self {
            Kind::Market | Kind::Commercial => Some((5 * 3600 + 1800, 9 * 3600)),
            Kind::Hazardous => Some((8 * 3600, 12 * 3600)),
            Kind::Medical => Some((7 * 3600 + 1800, 12 * 3600)),
            _ => None,
        }
    }
}

struct Pickup {
    kind: Kind,
    lonlat: [f64; 2],
    urban: bool,
    demand_kg: f64,
    service_s: f64,
    name: Option<String>,
    /// Distance to the nearest `truck` road (alley pickups), metres.
    truck_m: f64,
}

impl Pickup {
    fn volume_m3(&self) -> f64 {
        self.demand_kg / self.kind.density_kg_m3()
    }
}

/// Demand (kg) and time on site (s) of a pickup of `kind`.
fn draw_demand(kind: Kind, urban: bool, hospital: bool, rng: &mut Rng) -> (f64, f64) {
    let (kg, step) = match kind {
        Kind::Household | Kind::Market if urban => (rng.skewed(20.0, 300.0), 5.0),
        Kind::Household | Kind::Market => (rng.skewed(30.0, 200.0), 5.0),
        Kind::Alley => (rng.skewed(20.0, 150.0), 5.0),
        Kind::Commercial => (rng.uniform(300.0, 800.0), 10.0),
        Kind::Recycling => (rng.skewed(50.0, 300.0), 5.0),
        Kind::Industrial => (rng.uniform(400.0, 1500.0), 10.0),
        Kind::Hazardous => (rng.uniform(40.0, 200.0), 5.0),
        Kind::Medical if hospital => (rng.uniform(150.0, 300.0), 5.0),
        Kind::Medical => (rng.uniform(10.0, 60.0), 5.0),
    };
    let kg = round_to(kg, step).max(step);
    let service = match kind {
        // Emptying bins: a fixed part plus about 0.3 s per kg; farms and
        // hamlets take longer to walk.
        Kind::Household | Kind::Alley | Kind::Market => {
            45.0 + 0.3 * kg + if urban { 0.0 } else { 30.0 }
        }
        Kind::Commercial => 180.0 + 0.2 * kg,
        Kind::Recycling => 90.0 + 0.4 * kg,
        Kind::Industrial => 300.0 + 0.2 * kg,
        Kind::Hazardous => 600.0,
        Kind::Medical => 300.0,
    };
    (kg, round_to(service, 5.0).max(60.0))
}

/// How many pickups of each kind, for `n` pickups in all.
struct Mix {
    medical: usize,
    hazardous: usize,
    commercial: usize,
    industrial: usize,
    recycling_urban: usize,
    recycling_rural: usize,
    alley: usize,
    market: usize,
    rural: usize,
}

impl Mix {
    fn for_total(n: usize) -> Mix {
        let share = |per_mille: usize, min: usize| (n * per_mille).div_ceil(1000).max(min);
        Mix {
            medical: share(10, 2),
            hazardous: share(6, 2),
            commercial: share(15, 2),
            industrial: share(25, 3),
            recycling_urban: share(50, 3),
            recycling_rural: share(10, 1),
            alley: share(50, 3),
            market: share(60, 3),
            rural: share(150, 10),
        }
    }
}

/// Pickup generation state: the map, the pickups so far and their
/// positions for spacing checks.
struct Picker<'a> {
    w: &'a World,
    rng: Rng,
    /// Every pickup.
    taken: Grid,
    /// Rural pickups.
    taken_rural: Grid,
    pickups: Vec<Pickup>,
}

impl Picker<'_> {
    /// Nothing within `spacing` of `xy`, and no rural pickup within
    /// [`RURAL_SPACING_M`] if `rural`.
    fn free(&self, xy: [f64; 2], spacing: f64, rural: bool) -> bool {
        self.taken.count_within(xy, spacing) == 0
            && (!rural || self.taken_rural.count_within(xy, RURAL_SPACING_M) == 0)
    }

    fn push(&mut self, p: Pickup) {
        let xy = self.w.proj.xy(p.lonlat);
        self.taken.insert(xy);
        if !p.urban {
            self.taken_rural.insert(xy);
        }
        self.pickups.push(p);
    }

    /// Draws up to `n` pickups of `kind` from `pool` (indices into the
    /// candidates of the `small` graph if `small`, else of the `truck`
    /// graph), uniformly along the roads, [`URBAN_SPACING_M`] apart (rural
    /// ones [`RURAL_SPACING_M`] from other rural ones).
    fn draw(&mut self, kind: Kind, pool: &[usize], small: bool, n: usize) -> usize {
        let cands = if small { &self.w.small } else { &self.w.truck };
        let mut added = 0;
        let mut tries = 0;
        while added < n && tries < 200 * n && !pool.is_empty() {
            tries += 1;
            let c = &cands[pool[self.rng.below(pool.len())]];
            if !self.free(c.xy, URBAN_SPACING_M, !c.urban) {
                continue;
            }
            let (kg, service) = draw_demand(kind, c.urban, false, &mut self.rng);
            self.push(Pickup {
                kind,
                lonlat: c.lonlat,
                urban: c.urban,
                demand_kg: kg,
                service_s: service,
                name: c.street.clone(),
                truck_m: if small { c.other_m } else { 0.0 },
            });
            added += 1;
        }
        added
    }

    /// Up to `n` pickups at named places, each at the nearest position on a
    /// road of both graphs within [`POI_SNAP_M`], in a seeded order
    /// (hospitals first among medical places).
    fn at_places(&mut self, pois: &[&Poi], kind: Kind, n: usize) -> Res<usize> {
        let w = self.w;
        let mut order: Vec<&Poi> = pois.to_vec();
        self.rng.shuffle(&mut order);
        order.sort_by_key(|p| p.rank);
        let mut added = 0;
        for p in order {
            if added == n {
                break;
            }
            let Snap::OnRoad(s) = w.truck_g.snap(&[(p.lonlat[1], p.lonlat[0])], POI_SNAP_M)?[0]
            else {
                continue;
            };
            let lonlat = [s.lon, s.lat];
            let xy = w.proj.xy(lonlat);
            let on_small = w.small_g.snap(&[(s.lat, s.lon)], ON_ROAD_M)?[0]
                .on_road()
                .is_some();
            if !on_small || !w.inside(lonlat) || !self.free(xy, POI_SPACING_M, false) {
                continue;
            }
            let urban = w.urban(xy);
            let (kg, service) = draw_demand(kind, urban, p.rank == 0, &mut self.rng);
            let street = w
                .truck
                .iter()
                .min_by(|a, b| dist(a.xy, xy).total_cmp(&dist(b.xy, xy)))
                .and_then(|c| c.street.clone());
            self.push(Pickup {
                kind,
                lonlat,
                urban,
                demand_kg: kg,
                service_s: service,
                name: p.name.clone().or(street),
                truck_m: 0.0,
            });
            added += 1;
        }
        Ok(added)
    }
}

// ---------------------------------------------------------------------------
// Facilities.

/// A facility site: an industrial area and a road position at it, on both
/// graphs.
#[derive(Clone)]
struct Site {
    area: usize,
    lonlat: [f64; 2],
    xy: [f64; 2],
    name: Option<String>,
}

/// Facility sites and the rules that pick them. Distances are straight-line
/// metres, weights the demand of the urban household and recyclable pickups:
///
/// - depot: the site with the least weighted distance to those pickups;
/// - two transfer stations: the pair of other sites (at least 2 km apart)
///   with the least weighted distance from each pickup to the nearer one;
/// - landfill: the site farthest from every urban pickup (away from towns);
/// - treatment plant: the remaining site nearest to the hospital (or to the
///   depot without one);
/// - new transfer station (scenario): the remaining site that most lowers
///   the weighted distance to the nearest transfer station.
///
/// Sites are industrial areas of at least 3,000 m2 inside the border, each
/// placed at the road position (on both graphs) nearest its centre, within
/// 300 m; two facilities never share an area and are at least 1 km apart.
struct Sites {
    sites: Vec<Site>,
    weights: Vec<([f64; 2], f64)>,
}

impl Sites {
    fn new(w: &World, pickups: &[Pickup]) -> Sites {
        let both: Vec<&Cand> = w
            .truck
            .iter()
            .filter(|c| c.inside && c.other_m <= ON_ROAD_M)
            .collect();
        let mut sites = Vec::new();
        for (k, a) in w.ex.industrial.iter().enumerate() {
            if a.area_m2 < 3000.0 || !w.inside(a.centre) {
                continue;
            }
            let centre = w.proj.xy(a.centre);
            let Some(c) = both
                .iter()
                .min_by(|p, q| dist(p.xy, centre).total_cmp(&dist(q.xy, centre)))
            else {
                continue;
            };
            if dist(c.xy, centre) <= 300.0 {
                sites.push(Site {
                    area: k,
                    lonlat: c.lonlat,
                    xy: c.xy,
                    name: a.name.clone().or_else(|| c.street.clone()),
                });
            }
        }
        let weights = pickups
            .iter()
            .filter(|p| p.urban && matches!(p.kind.stream(), "household" | "recyclable"))
            .map(|p| (w.proj.xy(p.lonlat), p.demand_kg))
            .collect();
        Sites { sites, weights }
    }

    /// Weighted distance from the pickups to the nearest of `chosen`.
    fn cost(&self, chosen: &[usize]) -> f64 {
        self.weights
            .iter()
            .map(|(xy, w)| {
                w * chosen
                    .iter()
                    .map(|&s| dist(*xy, self.sites[s].xy))
                    .fold(f64::INFINITY, f64::min)
            })
            .sum()
    }

    fn free(&self, s: usize, used: &[usize]) -> bool {
        used.iter().all(|&u| {
            self.sites[u].area != self.sites[s].area
                && dist(self.sites[u].xy, self.sites[s].xy) >= 1000.0
        })
    }

    fn pick(&self, hospital: Option<[f64; 2]>) -> Res<Chosen> {
        let n = self.sites.len();
        if n < 6 {
            return Err(format!("only {n} industrial sites near roads; the demo needs 6").into());
        }
        let best = |used: &[usize], f: &dyn Fn(usize) -> f64| -> Option<usize> {
            (0..n)
                .filter(|&s| self.free(s, used))
                .min_by(|&a, &b| f(a).total_cmp(&f(b)).then(a.cmp(&b)))
        };
        let depot = best(&[], &|s| self.cost(&[s])).ok_or("no depot site")?;
        let mut pair = None;
        let mut pair_cost = f64::INFINITY;
        for a in 0..n {
            for b in a + 1..n {
                if !self.free(a, &[depot])
                    || !self.free(b, &[depot])
                    || dist(self.sites[a].xy, self.sites[b].xy) < 2000.0
                {
                    continue;
                }
                let c = self.cost(&[a, b]);
                if c < pair_cost {
                    pair_cost = c;
                    pair = Some((a, b));
                }
            }
        }
        let (t1, t2) = pair.ok_or("no pair of transfer station sites")?;
        let used = [depot, t1, t2];
        let far = |s: usize| {
            -self
                .weights
                .iter()
                .map(|(xy, _)| dist(*xy, self.sites[s].xy))
                .fold(f64::INFINITY, f64::min)
        };
        let landfill = best(&used, &far).ok_or("no landfill site")?;
        let used = [depot, t1, t2, landfill];
        let near = hospital.unwrap_or(self.sites[depot].xy);
        let plant = best(&used, &|s| dist(self.sites[s].xy, near)).ok_or("no plant site")?;
        let used = [depot, t1, t2, landfill, plant];
        let extra = best(&used, &|s| self.cost(&[t1, t2, s])).ok_or("no site for a new station")?;
        Ok(Chosen {
            depot,
            transfer: [t1, t2],
            landfill,
            plant,
            extra,
        })
    }
}

struct Chosen {
    depot: usize,
    transfer: [usize; 2],
    landfill: usize,
    plant: usize,
    extra: usize,
}

struct Facility {
    id: String,
    kind: &'static str,
    site: Site,
    open: &'static str,
    close: &'static str,
    unload_s: Option<u32>,
    accepts: &'static str,
    capacity_kg: Option<f64>,
}

impl Facility {
    fn csv_row(&self) -> String {
        let [lon, lat] = round6(self.site.lonlat);
        format!(
            "{},{lat:.6},{lon:.6},{},{},{},{},{},{}\n",
            self.id,
            self.kind,
            self.open,
            self.close,
            self.unload_s.map_or(String::new(), |u| u.to_string()),
            self.accepts,
            self.capacity_kg
                .map_or(String::new(), |c| format!("{c:.0}")),
        )
    }
}

/// Names the two transfer stations after their relative position.
fn pair_names(a: [f64; 2], b: [f64; 2]) -> [&'static str; 2] {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    if dy.abs() >= dx.abs() {
        if dy > 0.0 {
            ["TS-SOUTH", "TS-NORTH"]
        } else {
            ["TS-NORTH", "TS-SOUTH"]
        }
    } else if dx > 0.0 {
        ["TS-WEST", "TS-EAST"]
    } else {
        ["TS-EAST", "TS-WEST"]
    }
}

// ---------------------------------------------------------------------------
// The flood scenario.

/// A flood along the river or canal stretch with the most urban pickups
/// nearby: the roads within `closed_m` of the water are closed (factor 0),
/// those within `slow_m` are at half speed (factor 0.5), along
/// [`FLOOD_STRETCH_M`] of waterway centred on the point of the waterway with
/// the most urban pickups within [`FLOOD_STRETCH_M`] / 2.
struct Flood {
    waterway: String,
    /// The flooded waterway segments, `(lon, lat)`.
    stretch: Vec<[[f64; 2]; 2]>,
    closed_m: f64,
    slow_m: f64,
}

const FLOOD_STRETCH_M: f64 = 1000.0;
/// The widest closed band the flood may need to reach an urban pickup, metres.
const FLOOD_MAX_CLOSED_M: f64 = 100.0;

impl Flood {
    fn choose(ex: &Extras, pickups: &[Pickup], proj: Proj) -> Option<Flood> {
        let urban: Vec<[f64; 2]> = pickups
            .iter()
            .filter(|p| p.urban)
            .map(|p| proj.xy(p.lonlat))
            .collect();
        let half = FLOOD_STRETCH_M / 2.0;
        let mut best: Option<(usize, usize, [f64; 2])> = None;
        for (w, ww) in ex.waterways.iter().enumerate() {
            for p in &ww.line {
                let xy = proj.xy(*p);
                let n = urban.iter().filter(|&&u| dist(u, xy) <= half).count();
                if best.is_none_or(|b| n > b.0) {
                    best = Some((n, w, xy));
                }
            }
        }
        let (n, _, centre) = best?;
        if n == 0 {
            return None;
        }
        // Every river or canal segment within half the stretch of the centre.
        let mut stretch = Vec::new();
        let mut names: Vec<&str> = Vec::new();
        for ww in &ex.waterways {
            for s in ww.line.windows(2) {
                if seg_dist(centre, proj.xy(s[0]), proj.xy(s[1])) <= half {
                    stretch.push([s[0], s[1]]);
                    if !names.contains(&ww.name.as_str()) {
                        names.push(&ww.name);
                    }
                }
            }
        }
        Some(Flood {
            waterway: names.join(" and "),
            stretch,
            closed_m: 30.0,
            slow_m: 100.0,
        })
    }

    /// A rectangle around each segment, `w` metres each side and beyond
    /// each end, as GeoJSON polygon coordinates.
    fn bands(&self, w: f64, proj: Proj) -> String {
        let mut polys = Vec::new();
        for [a, b] in &self.stretch {
            let (pa, pb) = (proj.xy(*a), proj.xy(*b));
            let len = dist(pa, pb).max(1e-9);
            let (ux, uy) = ((pb[0] - pa[0]) / len, (pb[1] - pa[1]) / len);
            let (nx, ny) = (-uy, ux);
            let corner = |p: [f64; 2], s: f64, t: f64| {
                let x = p[0] + s * ux * w + t * nx * w;
                let y = p[1] + s * uy * w + t * ny * w;
                round6([x / proj.mx, y / proj.my])
            };
            let ring = [
                corner(pa, -1.0, -1.0),
                corner(pb, 1.0, -1.0),
                corner(pb, 1.0, 1.0),
                corner(pa, -1.0, 1.0),
                corner(pa, -1.0, -1.0),
            ];
            let pts: Vec<String> = ring
                .iter()
                .map(|p| format!("[{:.6},{:.6}]", p[0], p[1]))
                .collect();
            polys.push(format!("[[{}]]", pts.join(",")));
        }
        polys.join(",\n        ")
    }

    fn geojson(&self, proj: Proj) -> String {
        let feature = |factor: f64, w: f64, what: &str| {
            format!(
                "    {{\"type\":\"Feature\",\"properties\":{{\"factor\":{factor},\"name\":{}}},\n     \"geometry\":{{\"type\":\"MultiPolygon\",\"coordinates\":[\n        {}]}}}}",
                quoted(&format!("{what} within {w:.0} m of the {}", self.waterway)),
                self.bands(w, proj)
            )
        };
        format!(
            "{{\"type\":\"FeatureCollection\",\"features\":[\n{},\n{}\n]}}\n",
            feature(0.0, self.closed_m, "flooded, closed"),
            feature(0.5, self.slow_m, "water on the road, half speed"),
        )
    }
}

// ---------------------------------------------------------------------------
// The fleet and its sizing estimate.

/// A vehicle type of the demo fleet (costs in CHF).
struct VehicleType {
    name: &'static str,
    profile: &'static str,
    capacity_kg: f64,
    capacity_m3: f64,
    shift: (u32, u32),
    /// Break: earliest start, latest start, length (s).
    brk: (u32, u32, u32),
    fixed_cost: f64,
    cost_per_km: f64,
    cost_per_hour: f64,
    streams: &'static [&'static str],
    max_trips: usize,
    comment: &'static str,
}

const H: u32 = 3600;

const VEHICLES: [VehicleType; 3] = [
    VehicleType {
        name: "compactor",
        profile: "truck",
        capacity_kg: 9000.0,
        // A 20 m3 body compacting about 3:1: 60 m3 of loose waste.
        capacity_m3: 60.0,
        shift: (6 * H, 14 * H),
        brk: (9 * H + H / 2, 11 * H + H / 2, 1800),
        fixed_cost: 250.0,
        cost_per_km: 1.2,
        cost_per_hour: 100.0,
        streams: &["household", "recyclable", "industrial"],
        max_trips: 6,
        comment: "Rear-loader compactor, 26 t gross (9 t payload), driver and two loaders.",
    },
    VehicleType {
        name: "tricycle",
        profile: "small",
        capacity_kg: 450.0,
        capacity_m3: 3.0,
        shift: (6 * H, 14 * H),
        brk: (9 * H + H / 2, 11 * H + H / 2, 1800),
        fixed_cost: 30.0,
        cost_per_km: 0.15,
        cost_per_hour: 40.0,
        streams: &["household", "recyclable"],
        max_trips: 10,
        comment: "Motor tricycle with a 3 m3 box for living streets, pedestrian zones and alleys; one driver.",
    },
    VehicleType {
        name: "hazmat-van",
        profile: "truck",
        capacity_kg: 1000.0,
        capacity_m3: 8.0,
        shift: (7 * H, 15 * H),
        brk: (11 * H + H / 2, 13 * H, 1800),
        fixed_cost: 80.0,
        cost_per_km: 0.45,
        cost_per_hour: 45.0,
        streams: &["hazardous", "medical"],
        max_trips: 3,
        comment: "Closed van (ADR) for hazardous and medical waste; one trained driver.",
    },
];

/// Share of the available vehicle time the estimate may fill: the counts
/// leave a fifth of the time as slack.
const FLEET_FILL: f64 = 0.7;

/// The workload of one vehicle type, estimated from travel-time matrices on
/// its profile: service time, a nearest-neighbour hop to each pickup, and
/// trips (unload plus a round trip to the nearest accepting facility).
struct Workload {
    vehicle: usize,
    pickups: usize,
    kg: f64,
    m3: f64,
    service_s: f64,
    hop_s: f64,
    trips: usize,
    trip_s: f64,
    depot_s: f64,
    count: usize,
}

impl Workload {
    fn needed_s(&self) -> f64 {
        self.service_s + self.hop_s + self.trips as f64 * self.trip_s
    }
    fn available_s(&self) -> f64 {
        let v = &VEHICLES[self.vehicle];
        (v.shift.1 - v.shift.0 - v.brk.2) as f64 - self.depot_s
    }
}

/// Which vehicle type the estimate gives a pickup to: the tricycles take the
/// alleys, the van the hazardous and medical waste, the compactors the rest.
fn vehicle_of(kind: Kind) -> usize {
    match kind {
        Kind::Alley => 1,
        Kind::Hazardous | Kind::Medical => 2,
        _ => 0,
    }
}

fn estimate(w: &World, pickups: &[Pickup], facilities: &[Facility]) -> Res<Vec<Workload>> {
    let mut out = Vec::new();
    for (k, v) in VEHICLES.iter().enumerate() {
        let g = if v.profile == "small" {
            &w.small_g
        } else {
            &w.truck_g
        };
        let mine: Vec<&Pickup> = pickups.iter().filter(|p| vehicle_of(p.kind) == k).collect();
        let facs: Vec<&Facility> = facilities
            .iter()
            .filter(|f| {
                f.kind != "depot"
                    && mine
                        .iter()
                        .any(|p| f.accepts.split(';').any(|s| s == p.kind.stream()))
            })
            .collect();
        let mut pts = vec![facilities[0].site.lonlat];
        pts.extend(facs.iter().map(|f| f.site.lonlat));
        pts.extend(mine.iter().map(|p| p.lonlat));
        let m = matrix(g, &pts)?;
        let nf = 1 + facs.len();
        let t = |i: usize, j: usize| m[i][j];
        let n = mine.len();
        let mut hop = 0.0;
        let mut leg = 0.0;
        let mut depot = 0.0;
        for (i, p) in mine.iter().enumerate() {
            let a = nf + i;
            hop += (0..n)
                .filter(|&j| j != i)
                .map(|j| (t(a, nf + j) + t(nf + j, a)) / 2.0)
                .fold(f64::INFINITY, f64::min);
            leg += (1..nf)
                .filter(|&f| facs[f - 1].accepts.split(';').any(|s| s == p.kind.stream()))
                .map(|f| (t(a, f) + t(f, a)) / 2.0)
                .fold(f64::INFINITY, f64::min);
            depot += (t(0, a) + t(a, 0)) / 2.0;
        }
        let kg: f64 = mine.iter().map(|p| p.demand_kg).sum();
        let m3: f64 = mine.iter().map(|p| p.volume_m3()).sum();
        let trips =
            ((kg / v.capacity_kg).ceil() as usize).max((m3 / v.capacity_m3).ceil() as usize);
        let unload = facs
            .iter()
            .map(|f| f.unload_s.unwrap_or(600) as f64)
            .fold(0.0, f64::max);
        let mut wl = Workload {
            vehicle: k,
            pickups: n,
            kg,
            m3,
            service_s: mine.iter().map(|p| p.service_s).sum(),
            hop_s: if n > 1 { hop } else { 0.0 },
            trips,
            trip_s: unload + 2.0 * leg / n.max(1) as f64,
            depot_s: 2.0 * depot / n.max(1) as f64,
            count: 0,
        };
        wl.count = ((wl.needed_s() / (wl.available_s() * FLEET_FILL)).ceil() as usize)
            .max(trips.div_ceil(v.max_trips))
            .max(1);
        out.push(wl);
    }
    Ok(out)
}

/// Travel times (s) between `(lon, lat)` points on `g`.
fn matrix(g: &RoadGraph, pts: &[[f64; 2]]) -> Res<Vec<Vec<f64>>> {
    let snaps = g.snap(
        &pts.iter().map(|p| (p[1], p[0])).collect::<Vec<_>>(),
        ON_ROAD_M,
    )?;
    let on: Vec<_> = snaps
        .iter()
        .map(|s| s.on_road().copied().ok_or("a point is off the road"))
        .collect::<Result<_, _>>()?;
    let m = Router::new(g).matrix(&on)?;
    let n = pts.len();
    let mut out = vec![vec![0.0; n]; n];
    for (i, row) in out.iter_mut().enumerate() {
        for (j, x) in row.iter_mut().enumerate() {
            *x = m
                .duration(i, j)
                .ok_or("two points do not reach each other")? as f64;
        }
    }
    Ok(out)
}

fn fleet_toml(work: &[Workload]) -> String {
    let mut s = String::from(
        "# The demo fleet (generated by examples/make_demo.rs; see README.md for the\n\
         # sizing estimate). Counts are what the depot has; `wasteroute fleet` treats\n\
         # them as the most it may use. Costs in CHF; capacity_m3 is loose volume.\n",
    );
    for (v, w) in VEHICLES.iter().zip(work) {
        let _ = write!(
            s,
            "\n# {}\n[[vehicle]]\nname = {}\ncount = {}\ndepot = \"DEPOT\"\nprofile = {}\n\
             capacity_kg = {:.0}\ncapacity_m3 = {:.0}\nshift_start = \"{}\"\nshift_end = \"{}\"\n\
             break = {{ earliest = \"{}\", latest = \"{}\", duration_s = {} }}\n\
             fixed_cost = {:.1}\ncost_per_km = {:.2}\ncost_per_hour = {:.1}\nstreams = [{}]\nmax_trips = {}\n",
            v.comment,
            quoted(v.name),
            w.count,
            quoted(v.profile),
            v.capacity_kg,
            v.capacity_m3,
            fmt_time(v.shift.0),
            fmt_time(v.shift.1),
            fmt_time(v.brk.0),
            fmt_time(v.brk.1),
            v.brk.2,
            v.fixed_cost,
            v.cost_per_km,
            v.cost_per_hour,
            v.streams
                .iter()
                .map(|x| quoted(x))
                .collect::<Vec<_>>()
                .join(", "),
            v.max_trips,
        );
    }
    s.push_str(
        "\n# Shares of demand and of points to serve (the city programme).\n[targets]\n\
         urban = 1.0\nrural = 0.95\nindustrial = 1.0\nhazardous = 1.0\nmedical = 1.0\n",
    );
    s
}

// ---------------------------------------------------------------------------
// Checks on the result.

/// What the flood does on the `truck` graph.
struct FloodEffect {
    edges_closed: usize,
    edges_slowed: usize,
    streets: Vec<String>,
    on_closed: Vec<usize>,
    cut_off: Vec<usize>,
}

fn flood_effect(w: &World, flood: &Flood, pickups: &[Pickup], depot: [f64; 2]) -> Res<FloodEffect> {
    let closures = Closures::from_geojson_str(&flood.geojson(w.proj))?;
    let factors = w.truck_g.closure_factors(&closures);
    let (closed_g, report) = w.truck_g.with_closures(&closures);
    let mut pts = vec![(depot[1], depot[0])];
    pts.extend(
        pickups
            .iter()
            .filter(|p| p.kind != Kind::Alley)
            .map(|p| (p.lonlat[1], p.lonlat[0])),
    );
    let index: Vec<usize> = (0..pickups.len())
        .filter(|&i| pickups[i].kind != Kind::Alley)
        .collect();
    let snaps: Vec<_> = w
        .truck_g
        .snap(&pts, ON_ROAD_M)?
        .iter()
        .map(|s| {
            s.on_road()
                .copied()
                .ok_or("a pickup is off the truck roads")
        })
        .collect::<Result<_, _>>()?;
    let on_closed = snaps[1..]
        .iter()
        .zip(&index)
        .filter(|(s, _)| factors[s.edge as usize] <= 0.0)
        .map(|(_, &i)| i)
        .collect();
    let open = Router::new(&w.truck_g).matrix(&snaps)?;
    let shut = Router::new(&closed_g).matrix(&snaps)?;
    let cut_off = wasteroute::matrix::cut_off_points(&open, &shut)?
        .into_iter()
        .filter(|&i| i > 0)
        .map(|i| index[i - 1])
        .collect();
    // Named streets closed by the flood.
    let mut streets: Vec<String> = Vec::new();
    for (e, &f) in factors.iter().enumerate() {
        if f > 0.0 {
            continue;
        }
        let g = w.truck_g.edge_geometry(e as u32);
        for s in g.windows(2) {
            if let Some(name) = w.ways.find(s[0], s[1]).and_then(|x| x.name.clone())
                && !streets.contains(&name)
            {
                streets.push(name);
            }
        }
    }
    streets.sort();
    Ok(FloodEffect {
        edges_closed: report.edges_closed,
        edges_slowed: report.edges_slowed,
        streets,
        on_closed,
        cut_off,
    })
}

/// Every pickup and facility is on the road of the graph that serves it and
/// reaches every facility there and back.
fn verify(w: &World, pickups: &[Pickup], facilities: &[Facility]) -> Res<()> {
    let fac: Vec<(f64, f64)> = facilities
        .iter()
        .map(|f| (f.site.lonlat[1], f.site.lonlat[0]))
        .collect();
    for g in [&w.truck_g, &w.small_g] {
        for (f, s) in facilities.iter().zip(g.snap(&fac, 1000.0)?) {
            if s.distance_m() > ON_ROAD_M {
                return Err(format!(
                    "{} is {:.1} m off the {} roads",
                    f.id,
                    s.distance_m(),
                    g.profile_name()
                )
                .into());
            }
        }
    }
    let pts: Vec<(f64, f64)> = pickups.iter().map(|p| (p.lonlat[1], p.lonlat[0])).collect();
    let on_truck = w.truck_g.snap(&pts, 1000.0)?;
    let on_small = w.small_g.snap(&pts, 1000.0)?;
    for (i, p) in pickups.iter().enumerate() {
        let (t, s) = (on_truck[i].distance_m(), on_small[i].distance_m());
        let ok = match p.kind {
            Kind::Alley => s <= ON_ROAD_M && t >= ALLEY_MIN_M - 1.0,
            _ => t <= ON_ROAD_M && s <= ON_ROAD_M,
        };
        if !ok {
            return Err(format!(
                "pickup {} ({:?}) is {t:.1} m from a truck road and {s:.1} m from a small road",
                i + 1,
                p.kind
            )
            .into());
        }
    }
    for (g, alley) in [(&w.truck_g, false), (&w.small_g, true)] {
        let mut pts: Vec<[f64; 2]> = facilities.iter().map(|f| f.site.lonlat).collect();
        pts.extend(
            pickups
                .iter()
                .filter(|p| (p.kind == Kind::Alley) == alley)
                .map(|p| p.lonlat),
        );
        matrix(g, &pts)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------

/// The road graphs, candidate positions and map features.
struct World {
    truck_g: RoadGraph,
    small_g: RoadGraph,
    proj: Proj,
    ex: Extras,
    ways: WayLookup,
    density: StreetDensity,
    truck: Vec<Cand>,
    small: Vec<Cand>,
}

impl World {
    fn load(osm: &Path) -> Res<World> {
        let roads = read_roads(osm)?;
        let (truck_g, _) = RoadGraph::from_roads(&roads, &Profile::truck())?;
        let (small_g, _) = RoadGraph::from_roads(&roads, &Profile::small())?;
        let lat0 = (0..truck_g.n_vertices() as u32)
            .map(|v| truck_g.vertex_lon_lat(v).1)
            .sum::<f64>()
            / truck_g.n_vertices().max(1) as f64;
        let proj = Proj::new(lat0);
        let ex = read_extras(osm, &roads, proj)?;
        let ways = WayLookup::new(&roads);
        let density = StreetDensity::new(&roads, proj);
        let mut truck = candidates(&truck_g, &ways, proj);
        let mut small = candidates(&small_g, &ways, proj);
        classify(&mut truck, &density, &ex.borders, &small_g)?;
        classify(&mut small, &density, &ex.borders, &truck_g)?;
        Ok(World {
            truck_g,
            small_g,
            proj,
            ex,
            ways,
            density,
            truck,
            small,
        })
    }

    fn urban(&self, xy: [f64; 2]) -> bool {
        self.density.urban(xy)
    }

    fn inside(&self, p: [f64; 2]) -> bool {
        self.ex.borders.is_empty() || self.ex.borders.iter().any(|b| b.contains(p))
    }
}

fn make_pickups(w: &World, n: usize, seed: u64) -> Res<Vec<Pickup>> {
    let mix = Mix::for_total(n);
    let mut pk = Picker {
        w,
        rng: Rng(seed),
        taken: Grid::new(RURAL_SPACING_M),
        taken_rural: Grid::new(RURAL_SPACING_M),
        pickups: Vec::new(),
    };
    let pois = |k: PoiKind| -> Vec<&Poi> { w.ex.pois.iter().filter(|p| p.kind == k).collect() };
    pk.at_places(&pois(PoiKind::Medical), Kind::Medical, mix.medical)?;
    pk.at_places(&pois(PoiKind::Hazardous), Kind::Hazardous, mix.hazardous)?;
    pk.at_places(&pois(PoiKind::BigShop), Kind::Commercial, mix.commercial)?;
    let rec = pk.at_places(
        &pois(PoiKind::Recycling),
        Kind::Recycling,
        mix.recycling_urban,
    )?;

    let pool = |cands: &[Cand], f: &dyn Fn(&Cand) -> bool| -> Vec<usize> {
        (0..cands.len()).filter(|&i| f(&cands[i])).collect()
    };
    // Every pickup but the alleys is on the roads of both graphs.
    let both = |c: &Cand| c.inside && c.other_m <= ON_ROAD_M;
    let household = |c: &Cand| both(c) && HOUSEHOLD_CLASSES.contains(&c.highway.as_str());
    let industrial = pool(&w.truck, &|c| {
        both(c)
            && w.ex
                .industrial
                .iter()
                .any(|a| a.near(c.lonlat, 30.0, w.proj))
    });
    pk.draw(Kind::Industrial, &industrial, false, mix.industrial);
    let alley = pool(&w.small, &|c| {
        c.inside && c.urban && c.other_m >= ALLEY_MIN_M
    });
    pk.draw(Kind::Alley, &alley, true, mix.alley);
    let mut shops = Grid::new(MARKET_RADIUS_M);
    for p in &w.ex.pois {
        if matches!(p.kind, PoiKind::Shop | PoiKind::BigShop) {
            shops.insert(w.proj.xy(p.lonlat));
        }
    }
    let market = pool(&w.truck, &|c| {
        household(c) && c.urban && shops.count_within(c.xy, MARKET_RADIUS_M) >= MARKET_MIN_SHOPS
    });
    pk.draw(Kind::Market, &market, false, mix.market);
    let rural = pool(&w.truck, &|c| {
        both(c)
            && !c.urban
            && matches!(
                c.highway.as_str(),
                "residential" | "unclassified" | "service" | "tertiary" | "living_street"
            )
    });
    pk.draw(Kind::Recycling, &rural, false, mix.recycling_rural);
    pk.draw(Kind::Household, &rural, false, mix.rural);
    let urban = pool(&w.truck, &|c| household(c) && c.urban);
    if rec < mix.recycling_urban {
        pk.draw(Kind::Recycling, &urban, false, mix.recycling_urban - rec);
    }
    let rest = n.saturating_sub(pk.pickups.len());
    pk.draw(Kind::Household, &urban, false, rest);
    let mut pickups = pk.pickups;
    if pickups.len() < n {
        return Err(format!(
            "only {} of {n} pickups fit on this map with the spacing rules",
            pickups.len()
        )
        .into());
    }
    for p in &mut pickups {
        p.lonlat = round6(p.lonlat);
    }
    // Ids in reading order: north to south, then west to east.
    pickups.sort_by(|a, b| {
        b.lonlat[1]
            .total_cmp(&a.lonlat[1])
            .then(a.lonlat[0].total_cmp(&b.lonlat[0]))
            .then(a.kind.cmp(&b.kind))
    });
    Ok(pickups)
}

/// The facilities of the demo and the extra transfer station of the
/// scenario.
fn make_facilities(w: &World, pickups: &[Pickup]) -> Res<(Vec<Facility>, Facility)> {
    let hospital =
        w.ex.pois
            .iter()
            .find(|p| p.kind == PoiKind::Medical && p.rank == 0 && w.inside(p.lonlat))
            .map(|p| w.proj.xy(p.lonlat));
    let sites = Sites::new(w, pickups);
    let ch = sites.pick(hospital)?;
    let site = |s: usize| {
        let mut x = sites.sites[s].clone();
        x.lonlat = round6(x.lonlat);
        x
    };
    let total_hr: f64 = pickups
        .iter()
        .filter(|p| matches!(p.kind.stream(), "household" | "recyclable"))
        .map(|p| p.demand_kg)
        .sum();
    // Each transfer station could take every household and recyclable kg of
    // the day with half as much again to spare: the capacities never bind.
    let ts_capacity = (total_hr * 1.5 / 10_000.0).ceil() * 10_000.0;
    let transfer = |id: &str, s: usize| Facility {
        id: id.into(),
        kind: "transfer",
        site: site(s),
        open: "06:00",
        close: "18:00",
        unload_s: Some(600),
        accepts: "household;recyclable",
        capacity_kg: Some(ts_capacity),
    };
    let names = pair_names(
        sites.sites[ch.transfer[0]].lonlat,
        sites.sites[ch.transfer[1]].lonlat,
    );
    let mut ts = [
        transfer(names[0], ch.transfer[0]),
        transfer(names[1], ch.transfer[1]),
    ];
    ts.sort_by(|a, b| a.id.cmp(&b.id));
    let [ts0, ts1] = ts;
    let facilities = vec![
        Facility {
            id: "DEPOT".into(),
            kind: "depot",
            site: site(ch.depot),
            open: "05:00",
            close: "20:00",
            unload_s: None,
            accepts: "",
            capacity_kg: None,
        },
        ts0,
        ts1,
        Facility {
            id: "LANDFILL".into(),
            kind: "landfill",
            site: site(ch.landfill),
            open: "07:00",
            close: "16:00",
            unload_s: Some(900),
            accepts: "household;recyclable;industrial",
            capacity_kg: None,
        },
        Facility {
            id: "PLANT".into(),
            kind: "treatment",
            site: site(ch.plant),
            open: "07:00",
            close: "16:00",
            unload_s: Some(1200),
            accepts: "hazardous;medical",
            capacity_kg: None,
        },
    ];
    Ok((facilities, transfer("TS-NEW", ch.extra)))
}

fn pickups_csv(pickups: &[Pickup]) -> String {
    let width = pickups.len().to_string().len().max(3);
    let mut csv = String::from(
        "id,lat,lon,zone,demand_kg,volume_m3,service_s,tw_start,tw_end,stream,required,name\n",
    );
    for (i, p) in pickups.iter().enumerate() {
        let (tw_s, tw_e) = p
            .kind
            .window()
            .map_or((String::new(), String::new()), |(a, b)| {
                (fmt_time(a), fmt_time(b))
            });
        let name = p
            .name
            .clone()
            .unwrap_or_else(|| format!("Pickup {}", i + 1));
        let _ = writeln!(
            csv,
            "{},{:.6},{:.6},{},{:.0},{:.2},{:.0},{tw_s},{tw_e},{},,{}",
            pickup_id(i, width),
            p.lonlat[1],
            p.lonlat[0],
            if p.urban { "urban" } else { "rural" },
            p.demand_kg,
            p.volume_m3(),
            p.service_s,
            p.kind.stream(),
            csv_field(&name)
        );
    }
    csv
}

fn pickup_id(i: usize, width: usize) -> String {
    format!("P{:0width$}", i + 1)
}

fn scenario_files(extra: &Facility, flood: Option<&Flood>) -> Vec<(&'static str, String)> {
    let mut files = vec![(
        "base.toml",
        "# The demo as it is: the reference column of `wasteroute compare`.\n\
         name = \"Base\"\n\
         description = \"The bundled demo with no change\"\n\
         base = \"../\"\n"
            .to_string(),
    )];
    if let Some(f) = flood {
        files.push((
            "flood.toml",
            format!(
                "# A flood along the {w}: the streets within {c:.0} m of the water are\n\
                 # closed, those within {s:.0} m are at half speed (flood.geojson).\n\
                 name = \"Flood\"\n\
                 description = {d}\n\
                 base = \"../\"\n\
                 closures = \"flood.geojson\"\n",
                w = f.waterway,
                c = f.closed_m,
                s = f.slow_m,
                d = quoted(&format!(
                    "High water along the {} closes the low streets next to it and slows those nearby",
                    f.waterway
                )),
            ),
        ));
    }
    let [lon, lat] = extra.site.lonlat;
    files.push((
        "new-transfer.toml",
        format!(
            "# A third transfer station on the industrial site that most shortens the\n\
             # way from the urban pickups to the nearest station{}.\n\
             name = \"New transfer station\"\n\
             description = \"A third transfer station, TS-NEW, opens\"\n\
             base = \"../\"\n\n\
             [[extra_facility]]\n\
             id = \"TS-NEW\"\nlat = {lat:.6}\nlon = {lon:.6}\nkind = \"transfer\"\n\
             open = \"{}\"\nclose = \"{}\"\nunload_s = {}\naccepts = \"{}\"\ndaily_capacity_kg = {:.0}\n",
            extra.site.name.as_ref().map_or(String::new(), |n| format!(" ({n})")),
            extra.open,
            extra.close,
            extra.unload_s.unwrap_or(600),
            extra.accepts,
            extra.capacity_kg.unwrap_or(0.0),
        ),
    ));
    files.push((
        "growth.toml",
        "# Waste grows by a fifth everywhere, with the same fleet.\n\
         name = \"Growth +20%\"\n\
         description = \"Every pickup produces 20% more waste\"\n\
         base = \"../\"\n\n\
         [demand]\nurban = 1.2\nrural = 1.2\n"
            .to_string(),
    ));
    files
}

fn run() -> Res<()> {
    let args = parse_args()?;
    let t0 = std::time::Instant::now();
    let w = World::load(&args.osm)?;
    let pickups = make_pickups(&w, args.pickups, args.seed)?;
    let (facilities, extra) = make_facilities(&w, &pickups)?;
    verify(&w, &pickups, &facilities)?;
    let work = estimate(&w, &pickups, &facilities)?;
    let mut flood = Flood::choose(&w.ex, &pickups, w.proj);
    let mut effect = None;
    if let Some(f) = &mut flood {
        // Widen the closed band until it closes the street of an urban
        // pickup, so that the scenario shows a pickup cut off.
        loop {
            let e = flood_effect(&w, f, &pickups, facilities[0].site.lonlat)?;
            if e.on_closed.iter().any(|&i| pickups[i].urban) || f.closed_m >= FLOOD_MAX_CLOSED_M {
                effect = Some(e);
                break;
            }
            f.closed_m += 10.0;
        }
    }

    if args.week {
        return write_week(&args, &pickups, &facilities, &work, t0);
    }
    let out = &args.out;
    std::fs::create_dir_all(out.join("scenarios"))?;
    std::fs::write(out.join("pickups.csv"), pickups_csv(&pickups))?;
    let mut fcsv = String::from("id,lat,lon,kind,open,close,unload_s,accepts,daily_capacity_kg\n");
    for f in &facilities {
        fcsv.push_str(&f.csv_row());
    }
    std::fs::write(out.join("facilities.csv"), fcsv)?;
    std::fs::write(out.join("fleet.toml"), fleet_toml(&work))?;
    if let Some(f) = &flood {
        std::fs::write(out.join("scenarios/flood.geojson"), f.geojson(w.proj))?;
    }
    for (name, text) in scenario_files(&extra, flood.as_ref()) {
        std::fs::write(out.join("scenarios").join(name), text)?;
    }
    let figures = figures(
        &args,
        &pickups,
        &facilities,
        &extra,
        &work,
        flood.as_ref().zip(effect.as_ref()),
    );
    update_readme(&out.join("README.md"), &figures)?;
    eprintln!(
        "make_demo: {} pickups, {} facilities, written to {} in {:.1} s",
        pickups.len(),
        facilities.len(),
        out.display(),
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// The weekly variant (data/demo-week/).

/// How often a pickup is collected in the weekly demo.
struct Weekly {
    /// Visits per week.
    frequency: usize,
    /// The `days` column: allowed days or patterns, if any.
    days: &'static str,
    /// Whether a visit collects what accumulated since the previous one
    /// (`demand_kg_per_day`) rather than a fixed amount (`demand_kg`).
    accumulated: bool,
}

/// The weekly rules of the city programme: urban household waste six days
/// a week, rural household waste two or three times (drawn), recyclables
/// twice, industrial waste three times, hazardous waste once (Tuesday to
/// Thursday), medical waste twice (Monday and Thursday or Tuesday and
/// Friday). Rural household waste and recyclables accumulate between
/// visits; the rest is a fixed amount per visit (bins emptied as full as on
/// the one-day demo).
fn weekly(p: &Pickup, rng: &mut Rng) -> Weekly {
    let w = |frequency, days, accumulated| Weekly {
        frequency,
        days,
        accumulated,
    };
    match p.kind {
        Kind::Household | Kind::Alley | Kind::Market | Kind::Commercial if p.urban => {
            w(6, "", false)
        }
        Kind::Commercial => w(3, "", false),
        Kind::Household | Kind::Alley | Kind::Market => w(2 + rng.below(2), "", true),
        Kind::Recycling => w(2, "", true),
        Kind::Industrial => w(3, "", false),
        Kind::Hazardous => w(1, "tue;wed;thu", false),
        Kind::Medical => w(2, "mon;thu|tue;fri", false),
    }
}

/// The working days of the weekly demo: Sunday off.
const WEEK_DAYS: &str = "[\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\"]";

/// The days a facility of the weekly demo is closed: landfill and
/// treatment plant on Saturday and Sunday, the rest on Sunday.
fn closed_days(kind: &str) -> &'static str {
    match kind {
        "landfill" | "treatment" => "sat;sun",
        _ => "sun",
    }
}

fn week_pickups_csv(pickups: &[Pickup], weekly: &[Weekly]) -> String {
    let one_day = pickups_csv(pickups);
    let mut lines = one_day.lines();
    let mut csv = String::new();
    if let Some(header) = lines.next() {
        let _ = writeln!(
            csv,
            "{header},frequency,days,demand_kg_per_day,volume_m3_per_day"
        );
    }
    for ((line, p), w) in lines.zip(pickups).zip(weekly) {
        // The name, last, may hold commas: split off the eleven before it.
        let mut cols: Vec<&str> = line.splitn(12, ',').collect();
        let (kg, m3) = if w.accumulated {
            // The one-day demo's amount is what one evenly spaced visit collects.
            let kg = p.demand_kg * w.frequency as f64 / 7.0;
            cols[4] = "";
            cols[5] = "";
            (
                format!("{kg:.1}"),
                format!("{:.3}", kg / p.kind.density_kg_m3()),
            )
        } else {
            (String::new(), String::new())
        };
        let _ = writeln!(
            csv,
            "{},{},{},{kg},{m3}",
            cols.join(","),
            w.frequency,
            w.days
        );
    }
    csv
}

fn week_fleet_toml(work: &[Workload]) -> String {
    let one_day = fleet_toml(work);
    // The vehicle types and targets, after the one-day file's header.
    let body = one_day[one_day.find("\n\n").unwrap_or(0)..].trim_start_matches('\n');
    let text = format!(
        "# The weekly demo fleet (generated by examples/make_demo.rs --week; see\n\
         # README.md): the one-day demo's vehicles and counts (../demo/README.md has\n\
         # the sizing estimate), working Monday to Saturday. Costs in CHF.\n\n\
         # The working days (Sunday off).\ndays = {WEEK_DAYS}\n\n{body}"
    );
    // The hazardous and medical rounds are on weekdays: no van on Saturday.
    text.replace(
        "streams = [\"hazardous\", \"medical\"]\n",
        "streams = [\"hazardous\", \"medical\"]\ncount_by_day = { sat = 0 }\n",
    )
}

fn write_week(
    args: &Args,
    pickups: &[Pickup],
    facilities: &[Facility],
    work: &[Workload],
    t0: std::time::Instant,
) -> Res<()> {
    // Its own generator: the one-day demo's draws stay as they are.
    let mut rng = Rng(args.seed ^ 0x7765_656b);
    let weekly: Vec<Weekly> = pickups.iter().map(|p| weekly(p, &mut rng)).collect();
    let out = &args.out;
    std::fs::create_dir_all(out)?;
    let pcsv = week_pickups_csv(pickups, &weekly);
    let mut fcsv =
        String::from("id,lat,lon,kind,open,close,unload_s,accepts,daily_capacity_kg,closed_days\n");
    for f in facilities {
        let row = f.csv_row();
        let _ = writeln!(fcsv, "{},{}", row.trim_end(), closed_days(f.kind));
    }
    let fleet = week_fleet_toml(work);
    // Read back by the library, the calendar rules included.
    let input = wasteroute::plan::PlanInput {
        osm: args.osm.clone(),
        pickups: wasteroute::io::plan::read_pickups_str(&out.join("pickups.csv"), &pcsv)?,
        facilities: wasteroute::io::plan::read_facilities_str(&out.join("facilities.csv"), &fcsv)?,
        fleet: wasteroute::io::plan::read_fleet_str(&out.join("fleet.toml"), &fleet)?,
        closures: None,
        files: Default::default(),
    };
    wasteroute::week::check_calendar(&input)?;
    std::fs::write(out.join("pickups.csv"), pcsv)?;
    std::fs::write(out.join("facilities.csv"), fcsv)?;
    std::fs::write(out.join("fleet.toml"), fleet)?;
    std::fs::write(out.join("README.md"), week_readme(args, pickups, &weekly))?;
    eprintln!(
        "make_demo: weekly demo of {} pickups ({} visits a week), written to {} in {:.1} s",
        pickups.len(),
        weekly.iter().map(|w| w.frequency).sum::<usize>(),
        out.display(),
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The README's paragraph on the map: the bundled demo's text for the
/// bundled demo, else the extract and folder the files were generated from
/// (a weekly variant of another map, e.g. Malta for the benchmarks).
fn week_readme_map(args: &Args) -> String {
    let bundled =
        args.osm == Path::new("data/demo/map.osm.pbf") && args.out == Path::new("data/demo-week");
    let (map, osm, dir) = if bundled {
        (
            "the one-day demo's, `../demo/map.osm.pbf` (1-2 MB, not copied)".to_string(),
            "data/demo/map.osm.pbf".to_string(),
            "data/demo-week".to_string(),
        )
    } else {
        (
            format!("`{}` (not copied)", args.osm.display()),
            args.osm.display().to_string(),
            args.out.display().to_string(),
        )
    };
    format!(
        "The map is {map}:\n\n\
         ```text\n\
         wasteroute plan --osm {osm} --pickups {dir}/pickups.csv \\\n\
         \x20   --facilities {dir}/facilities.csv --fleet {dir}/fleet.toml --out plan-day\n\
         ```\n\n\
         plans one day with every pickup visited once, as `plan` always does (the weekly\n\
         columns are read and checked, then not used); the weekly plan is the `week`\n\
         command's (issue 13).\n\n"
    )
}

fn week_readme(args: &Args, pickups: &[Pickup], weekly: &[Weekly]) -> String {
    let mut s = String::from(
        "# Weekly demo\n\n\
         The bundled demo (`../demo/`) as a week: the same pickups and facilities,\n\
         each pickup collected a number of times a week on the days its pattern allows,\n\
         vehicles working Monday to Saturday (Sunday off). Generated by\n\
         `examples/make_demo.rs --week`; do not edit by hand.\n\n",
    );
    s.push_str(&week_readme_map(args));
    s.push_str(
        "## Files\n\n\
         - `pickups.csv`: the demo's columns plus `frequency`, `days`,\n\
         \x20 `demand_kg_per_day` and `volume_m3_per_day` (`docs/plan-inputs.md`).\n\
         \x20 Rural household waste and recyclables *accumulate*: their rows give the\n\
         \x20 waste per day and leave `demand_kg` empty, so a visit collects what\n\
         \x20 accumulated since the previous one (Monday and Thursday: 4 days' waste on\n\
         \x20 Monday, 3 on Thursday); the other rows give the waste of one visit.\n\
         - `facilities.csv`: the demo's facilities with `closed_days` (landfill and\n\
         \x20 treatment plant closed on Saturday and Sunday, the rest on Sunday).\n\
         - `fleet.toml`: the demo's fleet with `days = [\"mon\", ..., \"sat\"]`; the\n\
         \x20 hazmat van does not work on Saturday (`count_by_day = { sat = 0 }`).\n\n\
         ## Frequencies\n\n",
    );
    let _ = writeln!(
        s,
        "Generated with `--seed {} --pickups {}`.\n",
        args.seed, args.pickups
    );
    s.push_str(
        "| stream | zone | frequency | days | demand | count |\n|---|---|---:|---|---|---:|\n",
    );
    let mut rows: Vec<(&str, &str, usize, &str, &str, usize)> = Vec::new();
    for (p, w) in pickups.iter().zip(weekly) {
        let zone = if p.urban { "urban" } else { "rural" };
        let demand = if w.accumulated {
            "per day (accumulated)"
        } else {
            "per visit"
        };
        let key = (p.kind.stream(), zone, w.frequency, w.days, demand);
        match rows.iter_mut().find(|r| (r.0, r.1, r.2, r.3, r.4) == key) {
            Some(r) => r.5 += 1,
            None => rows.push((key.0, key.1, key.2, key.3, key.4, 1)),
        }
    }
    rows.sort();
    for (stream, zone, f, days, demand, n) in &rows {
        let days = if days.is_empty() {
            "evenly spaced".to_string()
        } else {
            // A `|` inside a table cell is escaped, code span or not.
            format!("`{}`", days.replace('|', "\\|"))
        };
        let _ = writeln!(s, "| {stream} | {zone} | {f} | {days} | {demand} | {n} |");
    }
    let visits: usize = weekly.iter().map(|w| w.frequency).sum();
    let _ = writeln!(
        s,
        "\n{} pickups, {visits} visits a week over 6 working days.",
        pickups.len()
    );
    s
}

// ---------------------------------------------------------------------------
// The figures in data/demo/README.md.

const BEGIN: &str = "<!-- make_demo:begin -->";
const END: &str = "<!-- make_demo:end -->";

fn hours(s: f64) -> String {
    format!("{:.1}", s / 3600.0)
}

fn figures(
    args: &Args,
    pickups: &[Pickup],
    facilities: &[Facility],
    extra: &Facility,
    work: &[Workload],
    flood: Option<(&Flood, &FloodEffect)>,
) -> String {
    let width = pickups.len().to_string().len().max(3);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Generated by `examples/make_demo.rs` with `--seed {} --pickups {}` (this section is\nrewritten on every run; edit the text around it freely).\n",
        args.seed, args.pickups
    );
    // Zone x stream.
    let streams = [
        "household",
        "recyclable",
        "industrial",
        "hazardous",
        "medical",
    ];
    let _ = writeln!(s, "#### Pickups per zone and stream (count / kg)\n");
    let _ = writeln!(s, "| zone | {} | all |", streams.join(" | "));
    let _ = writeln!(s, "|---|{}---:|", "---:|".repeat(streams.len()));
    for zone in [Some(true), Some(false), None] {
        let in_zone = |p: &&Pickup| zone.is_none_or(|u| p.urban == u);
        let cell = |f: &dyn Fn(&Pickup) -> bool| {
            let v: Vec<&Pickup> = pickups.iter().filter(in_zone).filter(|p| f(p)).collect();
            format!(
                "{} / {:.0}",
                v.len(),
                v.iter().map(|p| p.demand_kg).sum::<f64>()
            )
        };
        let cells: Vec<String> = streams
            .iter()
            .map(|st| cell(&|p| p.kind.stream() == *st))
            .collect();
        let name = match zone {
            Some(true) => "urban",
            Some(false) => "rural",
            None => "**all**",
        };
        let _ = writeln!(
            s,
            "| {name} | {} | {} |",
            cells.join(" | "),
            cell(&|_| true)
        );
    }
    let _ = writeln!(s, "\n#### Pickups per kind\n");
    let _ = writeln!(
        s,
        "| kind | urban | rural | kg | kg per pickup | service min |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---|---:|");
    for k in [
        Kind::Household,
        Kind::Alley,
        Kind::Market,
        Kind::Commercial,
        Kind::Recycling,
        Kind::Industrial,
        Kind::Hazardous,
        Kind::Medical,
    ] {
        let v: Vec<&Pickup> = pickups.iter().filter(|p| p.kind == k).collect();
        if v.is_empty() {
            continue;
        }
        let kg: Vec<f64> = v.iter().map(|p| p.demand_kg).collect();
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.0} | {:.0}-{:.0} | {:.0} |",
            k.label(),
            v.iter().filter(|p| p.urban).count(),
            v.iter().filter(|p| !p.urban).count(),
            kg.iter().sum::<f64>(),
            kg.iter().copied().fold(f64::INFINITY, f64::min),
            kg.iter().copied().fold(0.0, f64::max),
            v.iter().map(|p| p.service_s).sum::<f64>() / 60.0,
        );
    }
    let windows = pickups.iter().filter(|p| p.kind.window().is_some()).count();
    let required = pickups
        .iter()
        .filter(|p| p.urban || !matches!(p.kind.stream(), "household" | "recyclable"))
        .count();
    let _ = writeln!(
        s,
        "\n{windows} pickups have a time window; {required} are required by default (urban, or industrial, hazardous or medical waste), the other {} (rural household and recyclable) may be left out down to the rural target.\n",
        pickups.len() - required
    );
    let alleys: Vec<(String, f64)> = pickups
        .iter()
        .enumerate()
        .filter(|(_, p)| p.kind == Kind::Alley)
        .map(|(i, p)| (pickup_id(i, width), p.truck_m))
        .collect();
    if !alleys.is_empty() {
        let mut d: Vec<f64> = alleys.iter().map(|a| a.1).collect();
        d.sort_by(f64::total_cmp);
        let _ = writeln!(
            s,
            "Alley pickups, on the `small` graph only ({}): {}. Their distance to the nearest `truck` road: {:.0} m to {:.0} m (median {:.0} m).\n",
            alleys.len(),
            alleys
                .iter()
                .map(|a| a.0.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            d[0],
            d[d.len() - 1],
            d[d.len() / 2]
        );
    }
    let _ = writeln!(s, "#### Facilities\n");
    let _ = writeln!(
        s,
        "| id | kind | lat | lon | at | open | unload | accepts | capacity/day |"
    );
    let _ = writeln!(s, "|---|---|---:|---:|---|---|---:|---|---:|");
    for f in facilities.iter().chain([extra]) {
        let [lon, lat] = f.site.lonlat;
        let _ = writeln!(
            s,
            "| {}{} | {} | {lat:.6} | {lon:.6} | {} | {}-{} | {} | {} | {} |",
            f.id,
            if f.id == "TS-NEW" { " (scenario)" } else { "" },
            f.kind,
            f.site
                .name
                .as_deref()
                .unwrap_or("(unnamed industrial area)"),
            f.open,
            f.close,
            f.unload_s.map_or("-".to_string(), |u| format!("{u} s")),
            if f.accepts.is_empty() { "-" } else { f.accepts },
            f.capacity_kg
                .map_or("-".to_string(), |c| format!("{c:.0} kg")),
        );
    }
    let _ = writeln!(s, "\n#### Fleet sizing estimate\n");
    let _ = writeln!(
        s,
        "Per vehicle type, from travel-time matrices on its road graph: service time, plus a hop from each pickup's nearest neighbour, plus trips (kg or m3 over capacity) each costing the unload and a round trip to the nearest accepting facility. Available per vehicle: the shift minus the break minus a round trip from the depot. Count = needed / (available x {FLEET_FILL}), at least trips / max_trips.\n"
    );
    let _ = writeln!(
        s,
        "| vehicle | pickups | kg | m3 | capacity | trips | service h | hops h | trips h | needed h | available h/vehicle | count |"
    );
    let _ = writeln!(
        s,
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"
    );
    for wl in work {
        let v = &VEHICLES[wl.vehicle];
        let _ = writeln!(
            s,
            "| {} | {} | {:.0} | {:.1} | {:.0} kg, {:.0} m3 | {} | {} | {} | {} | {} | {} | {} |",
            v.name,
            wl.pickups,
            wl.kg,
            wl.m3,
            v.capacity_kg,
            v.capacity_m3,
            wl.trips,
            hours(wl.service_s),
            hours(wl.hop_s),
            hours(wl.trips as f64 * wl.trip_s),
            hours(wl.needed_s()),
            hours(wl.available_s()),
            wl.count
        );
    }
    if let Some((f, e)) = flood {
        let ids = |v: &[usize]| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.iter()
                    .map(|&i| pickup_id(i, width))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        let _ = writeln!(s, "\n#### Flood scenario\n");
        let _ = writeln!(
            s,
            "Along the {}: roads within {:.0} m of the water closed ({} truck-graph edges), within {:.0} m at half speed ({} edges). Closed streets: {}. Pickups on closed streets: {}. Pickups cut off from the depot by the flood: {}.",
            f.waterway,
            f.closed_m,
            e.edges_closed,
            f.slow_m,
            e.edges_slowed,
            if e.streets.is_empty() {
                "none named".to_string()
            } else {
                e.streets.join(", ")
            },
            ids(&e.on_closed),
            ids(&e.cut_off),
        );
    }
    s
}

/// Replaces the generated section of the README (or appends it).
fn update_readme(path: &Path, figures: &str) -> Res<()> {
    let section = format!("{BEGIN}\n{figures}{END}\n");
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            "# Demo data\n\n## Figures\n\n".to_string()
        }
        Err(e) => return Err(e.into()),
    };
    let new = match (text.find(BEGIN), text.find(END)) {
        (Some(a), Some(b)) if a < b => {
            let after = &text[b + END.len()..];
            format!(
                "{}{section}{}",
                &text[..a],
                after.strip_prefix('\n').unwrap_or(after)
            )
        }
        _ => format!("{text}{section}"),
    };
    std::fs::write(path, new)?;
    Ok(())
}
