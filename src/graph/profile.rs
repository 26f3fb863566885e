//! Vehicle profiles: which OSM ways a vehicle may use, in which direction,
//! and how fast.
//!
//! Two profiles are built in, and a TOML file can override any field of
//! either (`base = "truck"` picks the one to start from).
//!
//! | highway | `truck` km/h | `small` km/h |
//! |---|---:|---:|
//! | motorway | 80 | – |
//! | motorway_link | 45 | – |
//! | trunk | 70 | 35 |
//! | trunk_link | 40 | 25 |
//! | primary | 55 | 35 |
//! | primary_link | 35 | 25 |
//! | secondary | 45 | 30 |
//! | secondary_link | 30 | 25 |
//! | tertiary | 40 | 30 |
//! | tertiary_link | 25 | 20 |
//! | unclassified | 30 | 25 |
//! | residential | 25 | 20 |
//! | road | 20 | 15 |
//! | service | 15 | 15 |
//! | track | 10 (`tracktype` grade1/grade2 only) | 10 (only with motor access) |
//! | living_street | – | 10 |
//! | pedestrian | – | 8 |
//! | footway, path | – | 6 (only with motor access) |
//!
//! Rules, in order:
//!
//! - `area=yes`, `impassable=yes`, `oneway=reversible` and any class not in
//!   the table (`construction`, `proposed`, `steps`, ...) are never used.
//! - `service=*` values listed in `excluded_service` are not used (truck:
//!   `emergency_access`, `parking_aisle`, `drive-through`, `alley`; small:
//!   `emergency_access`).
//! - Access: the most specific of `access_keys` that is present decides
//!   (truck: `access`, `vehicle`, `motor_vehicle`, `hgv`; small: `access`,
//!   `vehicle`, `motor_vehicle`, `motorcycle`). `no`, `private`,
//!   `agricultural`, `forestry`, `emergency`, `psv`, `bus`, `customers`,
//!   `military` block; `destination` and `delivery` block unless
//!   `allow_destination` / `allow_delivery` is set (both are, by default:
//!   a collection truck has business at the kerb). Anything else allows.
//! - Classes in `motor_access_classes` (small: `footway`, `path`, `track`)
//!   need an explicit `yes`/`designated`/`permissive` on one of
//!   `motor_access_keys` (`motor_vehicle`, `motorcycle`, `moped`).
//! - Dimensions: a way whose `maxweight` (t), `maxwidth` (m), `maxheight`
//!   (m) or `maxlength` (m) is below the vehicle's is not used. Values in
//!   feet/inches (`12'6"`), `ft`, `st` (short tons) and `lbs` are converted;
//!   unparsable values are ignored.
//! - Direction: `oneway=yes|true|1` forward only, `-1|reverse` backward only;
//!   `junction=roundabout|circular`, `highway=motorway|motorway_link` are
//!   one-way forward unless `oneway=no`. Bicycle-specific tags are ignored.
//! - Speed: a parsable `maxspeed` times `maxspeed_factor` (numbers in km/h,
//!   `mph`, `walk`, `none`, and the generic country forms `XX:urban`,
//!   `XX:rural`, `XX:trunk`, `XX:motorway`, `XX:living_street`, `XX:zoneNN`),
//!   otherwise the class default; always capped at `max_speed_kmh`.
//! - Barrier nodes listed in `blocking_barriers` (truck: `bollard`, `block`,
//!   `jersey_barrier`, `bus_trap`, `sump_buster`, `height_restrictor`,
//!   `kerb` with `kerb=raised`, `chain`; small: `block`, `jersey_barrier`)
//!   cut the way, unless the node's own access tags allow the vehicle.
//!   Gates, lift gates, swing gates and barriers not in the list cut the way
//!   only when their access tags say `no` or `private`.
//!
//! # Turns ([`TurnModel`], used by the turn-aware router)
//!
//! | field | `truck` | `small` |
//! |---|---|---|
//! | `restriction_classes` (keys `restriction:<class>`, most specific first, then `restriction`; `except=<class>` exempts) | `hgv`, `goods`, `motor_vehicle`, `vehicle` | `motorcycle`, `moped`, `motor_vehicle`, `vehicle` |
//! | `u_turns` (at a junction, mid-street) | `false`: only at dead ends, turning circles/loops, mini-roundabouts, or where nothing else leaves | `true` |
//! | `u_turn_s` (every U-turn made) | 60 s | 15 s |
//! | `turn_s` (a 90° turn to the curb side, linear in the angle) | 5 s | 2 s |
//! | `across_traffic_factor` (turns across oncoming traffic) | 2.0 | 1.5 |
//! | `left_hand_traffic` | `false` | `false` |
//! | `traffic_signal_s` (per signal passed; 0 turns it off) | 4 s | 2 s |
//!
//! Turn costs apply at junctions of three or more roads (a bend between two
//! roads is not a turn); the U-turn cost applies everywhere a U-turn is
//! made. In a TOML profile they are the `[turns]` table:
//!
//! ```toml
//! base = "truck"
//! [turns]
//! u_turns = false
//! turn_s = 8
//! left_hand_traffic = true
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Location, Result};
use crate::io::osm::tag;

/// A vehicle profile. See the [module documentation](self) for the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The profile name (`truck`, `small`, or the TOML file's `name`).
    pub name: String,
    /// Default speed per routable `highway` class.
    ///
    /// # Units
    /// km/h.
    pub speeds_kmh: BTreeMap<String, f64>,
    /// The vehicle's top speed; every speed is capped at it.
    ///
    /// # Units
    /// km/h.
    pub max_speed_kmh: f64,
    /// Multiplies a tagged `maxspeed` (traffic rarely runs at the limit).
    pub maxspeed_factor: f64,
    /// Access keys, most general first.
    pub access_keys: Vec<String>,
    /// `destination` access counts as allowed.
    pub allow_destination: bool,
    /// `delivery` access counts as allowed.
    pub allow_delivery: bool,
    /// `tracktype` values allowed on `highway=track` (empty: any).
    pub track_grades: Vec<String>,
    /// `service=*` values that are not used.
    pub excluded_service: Vec<String>,
    /// Classes that need an explicit positive motor access tag.
    pub motor_access_classes: Vec<String>,
    /// Keys checked for that explicit positive tag.
    pub motor_access_keys: Vec<String>,
    /// Barrier values that cut a way unless the node allows the vehicle.
    pub blocking_barriers: Vec<String>,
    /// Vehicle weight.
    ///
    /// # Units
    /// Tonnes.
    pub weight_t: f64,
    /// Vehicle width.
    ///
    /// # Units
    /// Metres.
    pub width_m: f64,
    /// Vehicle height.
    ///
    /// # Units
    /// Metres.
    pub height_m: f64,
    /// Vehicle length.
    ///
    /// # Units
    /// Metres.
    pub length_m: f64,
    /// Turn restrictions and turn costs (used by the turn-aware router).
    pub turns: TurnModel,
}

/// Which turns a vehicle may make and what they cost. See the [module
/// documentation](self#turns-turnmodel-used-by-the-turn-aware-router).
#[derive(Debug, Clone, PartialEq)]
pub struct TurnModel {
    /// Vehicle classes whose `restriction:<class>` keys apply, most
    /// specific first (the plain `restriction` key comes after them);
    /// `except` naming one of them exempts the vehicle.
    pub restriction_classes: Vec<String>,
    /// U-turns allowed at junctions and mid-street vertices; if `false`,
    /// only at dead ends, turning circles, turning loops, mini-roundabouts
    /// and where no other way leaves.
    pub u_turns: bool,
    /// Time added to every U-turn made.
    ///
    /// # Units
    /// Seconds.
    pub u_turn_s: f64,
    /// Time of a 90-degree turn to the curb side at a junction of three or
    /// more roads; proportional to the turn angle.
    ///
    /// # Units
    /// Seconds.
    pub turn_s: f64,
    /// Multiplies the cost of turns across oncoming traffic (left turns in
    /// right-hand traffic).
    pub across_traffic_factor: f64,
    /// Traffic keeps left (the United Kingdom, Malta, Japan, ...).
    pub left_hand_traffic: bool,
    /// Time added per `highway=traffic_signals` node passed (0: none).
    ///
    /// # Units
    /// Seconds.
    pub traffic_signal_s: f64,
}

impl TurnModel {
    /// The truck's turn model.
    pub fn truck() -> TurnModel {
        TurnModel {
            restriction_classes: strings(&["hgv", "goods", "motor_vehicle", "vehicle"]),
            u_turns: false,
            u_turn_s: 60.0,
            turn_s: 5.0,
            across_traffic_factor: 2.0,
            left_hand_traffic: false,
            traffic_signal_s: 4.0,
        }
    }

    /// The small vehicle's turn model.
    pub fn small() -> TurnModel {
        TurnModel {
            restriction_classes: strings(&["motorcycle", "moped", "motor_vehicle", "vehicle"]),
            u_turns: true,
            u_turn_s: 15.0,
            turn_s: 2.0,
            across_traffic_factor: 1.5,
            left_hand_traffic: false,
            traffic_signal_s: 2.0,
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        for (f, v) in [
            ("turns.u_turn_s", self.u_turn_s),
            ("turns.turn_s", self.turn_s),
            ("turns.traffic_signal_s", self.traffic_signal_s),
        ] {
            if !(v.is_finite() && (0.0..=3600.0).contains(&v)) {
                return Err(Error::input(
                    Location::default().with_field(f),
                    format!("must be a number of seconds from 0 to 3600, found {v}"),
                ));
            }
        }
        let f = self.across_traffic_factor;
        if !(f.is_finite() && (0.0..=100.0).contains(&f)) {
            return Err(Error::input(
                Location::default().with_field("turns.across_traffic_factor"),
                format!("must be a number from 0 to 100, found {f}"),
            ));
        }
        Ok(())
    }
}

/// The `[turns]` table of a TOML profile: every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TurnFile {
    restriction_classes: Option<Vec<String>>,
    u_turns: Option<bool>,
    u_turn_s: Option<f64>,
    turn_s: Option<f64>,
    across_traffic_factor: Option<f64>,
    left_hand_traffic: Option<bool>,
    traffic_signal_s: Option<f64>,
}

/// How a vehicle may use one way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WayRule {
    /// Travel speed.
    ///
    /// # Units
    /// km/h.
    pub speed_kmh: f64,
    /// May drive in the way's node order.
    pub forward: bool,
    /// May drive against the way's node order.
    pub backward: bool,
}

fn strings(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

fn speeds(xs: &[(&str, f64)]) -> BTreeMap<String, f64> {
    xs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

const BLOCKING_ACCESS: &[&str] = &[
    "no",
    "private",
    "agricultural",
    "forestry",
    "emergency",
    "psv",
    "bus",
    "customers",
    "military",
    "permit",
];
const POSITIVE_ACCESS: &[&str] = &["yes", "designated", "permissive"];

impl Profile {
    /// The compactor truck: about 10 t, 2.5 m wide, 3.6 m high, 8 m long.
    pub fn truck() -> Profile {
        Profile {
            name: "truck".into(),
            speeds_kmh: speeds(&[
                ("motorway", 80.0),
                ("motorway_link", 45.0),
                ("trunk", 70.0),
                ("trunk_link", 40.0),
                ("primary", 55.0),
                ("primary_link", 35.0),
                ("secondary", 45.0),
                ("secondary_link", 30.0),
                ("tertiary", 40.0),
                ("tertiary_link", 25.0),
                ("unclassified", 30.0),
                ("residential", 25.0),
                ("road", 20.0),
                ("service", 15.0),
                ("track", 10.0),
            ]),
            max_speed_kmh: 80.0,
            maxspeed_factor: 0.8,
            access_keys: strings(&["access", "vehicle", "motor_vehicle", "hgv"]),
            allow_destination: true,
            allow_delivery: true,
            track_grades: strings(&["grade1", "grade2"]),
            excluded_service: strings(&[
                "emergency_access",
                "parking_aisle",
                "drive-through",
                "alley",
            ]),
            motor_access_classes: vec![],
            motor_access_keys: strings(&["motor_vehicle", "hgv"]),
            blocking_barriers: strings(&[
                "bollard",
                "block",
                "jersey_barrier",
                "bus_trap",
                "sump_buster",
                "height_restrictor",
                "chain",
                "kerb",
            ]),
            weight_t: 10.0,
            width_m: 2.5,
            height_m: 3.6,
            length_m: 8.0,
            turns: TurnModel::truck(),
        }
    }

    /// The small alley vehicle (motor tricycle or handcart): 0.5 t, 1.3 m
    /// wide, 2 m high, 3 m long; uses living streets, pedestrian streets,
    /// alleys, and footways, paths and tracks open to motorcycles.
    pub fn small() -> Profile {
        Profile {
            name: "small".into(),
            speeds_kmh: speeds(&[
                ("trunk", 35.0),
                ("trunk_link", 25.0),
                ("primary", 35.0),
                ("primary_link", 25.0),
                ("secondary", 30.0),
                ("secondary_link", 25.0),
                ("tertiary", 30.0),
                ("tertiary_link", 20.0),
                ("unclassified", 25.0),
                ("residential", 20.0),
                ("road", 15.0),
                ("service", 15.0),
                ("track", 10.0),
                ("living_street", 10.0),
                ("pedestrian", 8.0),
                ("footway", 6.0),
                ("path", 6.0),
            ]),
            max_speed_kmh: 35.0,
            maxspeed_factor: 0.8,
            access_keys: strings(&["access", "vehicle", "motor_vehicle", "motorcycle"]),
            allow_destination: true,
            allow_delivery: true,
            track_grades: vec![],
            excluded_service: strings(&["emergency_access"]),
            motor_access_classes: strings(&["footway", "path", "track"]),
            motor_access_keys: strings(&["motor_vehicle", "motorcycle", "moped"]),
            blocking_barriers: strings(&["block", "jersey_barrier"]),
            weight_t: 0.5,
            width_m: 1.3,
            height_m: 2.0,
            length_m: 3.0,
            turns: TurnModel::small(),
        }
    }

    /// A built-in profile by name (`truck` or `small`).
    pub fn builtin(name: &str) -> Option<Profile> {
        match name {
            "truck" => Some(Profile::truck()),
            "small" => Some(Profile::small()),
            _ => None,
        }
    }

    /// A built-in name, or else a TOML file path.
    ///
    /// # Errors
    /// As [`Profile::from_toml_file`].
    pub fn from_name_or_file(spec: &str) -> Result<Profile> {
        match Profile::builtin(spec) {
            Some(p) => Ok(p),
            None => Profile::from_toml_file(Path::new(spec)),
        }
    }

    /// Reads a profile from a TOML file. Every field is optional and
    /// overrides the profile named by `base` (default `truck`); `speeds_kmh`
    /// entries are merged into the base table (a speed of 0 removes a class).
    ///
    /// ```toml
    /// name = "narrow-truck"
    /// base = "truck"
    /// width_m = 2.2
    /// [speeds_kmh]
    /// living_street = 8
    /// ```
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be read, [`Error::Input`] naming the
    /// file and field for bad TOML or bad values.
    pub fn from_toml_file(path: &Path) -> Result<Profile> {
        let text = crate::io::read_text(path)?;
        Profile::from_toml_str(&text).map_err(|e| e.in_file(path))
    }

    /// Reads a profile from TOML text; see [`Profile::from_toml_file`].
    ///
    /// # Errors
    /// [`Error::Input`] for bad TOML or bad values.
    pub fn from_toml_str(text: &str) -> Result<Profile> {
        let f: ProfileFile = toml::from_str(text)
            .map_err(|e| crate::io::toml_error(Location::default(), text, &e))?;
        let base_name = f.base.as_deref().unwrap_or("truck");
        let mut p = Profile::builtin(base_name).ok_or_else(|| {
            Error::input(
                Location::default().with_field("base"),
                format!("unknown base profile '{base_name}' (expected truck or small)"),
            )
        })?;
        if let Some(v) = f.name {
            p.name = v;
        }
        if let Some(map) = f.speeds_kmh {
            for (k, v) in map {
                if !(v.is_finite() && v >= 0.0) {
                    return Err(Error::input(
                        Location::default().with_field(format!("speeds_kmh.{k}")),
                        format!("speed must be a non-negative number of km/h, found {v}"),
                    ));
                }
                if v == 0.0 {
                    p.speeds_kmh.remove(&k);
                } else {
                    p.speeds_kmh.insert(k, v);
                }
            }
        }
        macro_rules! set {
            ($($field:ident),*) => {$( if let Some(v) = f.$field { p.$field = v; } )*};
        }
        set!(
            max_speed_kmh,
            maxspeed_factor,
            access_keys,
            allow_destination,
            allow_delivery,
            track_grades,
            excluded_service,
            motor_access_classes,
            motor_access_keys,
            blocking_barriers,
            weight_t,
            width_m,
            height_m,
            length_m
        );
        if let Some(t) = f.turns {
            macro_rules! set_turn {
                ($($field:ident),*) => {$( if let Some(v) = t.$field { p.turns.$field = v; } )*};
            }
            set_turn!(
                restriction_classes,
                u_turns,
                u_turn_s,
                turn_s,
                across_traffic_factor,
                left_hand_traffic,
                traffic_signal_s
            );
        }
        p.validate()?;
        Ok(p)
    }

    fn validate(&self) -> Result<()> {
        let positive = |field: &str, v: f64| -> Result<()> {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(Error::input(
                    Location::default().with_field(field),
                    format!("must be a positive number, found {v}"),
                ))
            }
        };
        positive("max_speed_kmh", self.max_speed_kmh)?;
        positive("maxspeed_factor", self.maxspeed_factor)?;
        for (f, v) in [
            ("weight_t", self.weight_t),
            ("width_m", self.width_m),
            ("height_m", self.height_m),
            ("length_m", self.length_m),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::input(
                    Location::default().with_field(f),
                    format!("must be a non-negative number, found {v}"),
                ));
            }
        }
        self.turns.validate()?;
        if self.speeds_kmh.is_empty() {
            return Err(Error::input(
                Location::default().with_field("speeds_kmh"),
                "the profile allows no highway class",
            ));
        }
        Ok(())
    }

    /// How this vehicle may use a way with `tags`, or `None` if it may not.
    pub fn way_rule(&self, tags: &[(String, String)]) -> Option<WayRule> {
        let class = tag(tags, "highway")?;
        let default_speed = *self.speeds_kmh.get(class)?;
        if tag(tags, "area") == Some("yes") || tag(tags, "impassable") == Some("yes") {
            return None;
        }
        if let Some(s) = tag(tags, "service")
            && self.excluded_service.iter().any(|x| x == s)
        {
            return None;
        }
        if class == "track"
            && !self.track_grades.is_empty()
            && !tag(tags, "tracktype").is_some_and(|g| self.track_grades.iter().any(|x| x == g))
        {
            return None;
        }
        if !self.access_allows(tags) {
            return None;
        }
        if self.motor_access_classes.iter().any(|c| c == class)
            && !self.motor_access_keys.iter().any(|k| {
                tag(tags, k).is_some_and(|v| POSITIVE_ACCESS.contains(&v) || self.ok_special(v))
            })
        {
            return None;
        }
        if !self.fits(tags) {
            return None;
        }
        let (mut forward, mut backward) = (true, true);
        match tag(tags, "oneway") {
            Some("yes" | "true" | "1") => backward = false,
            Some("-1" | "reverse") => forward = false,
            Some("reversible" | "alternating") => return None,
            Some("no" | "false" | "0") => {}
            _ => {
                let implied = matches!(tag(tags, "junction"), Some("roundabout" | "circular"))
                    || class == "motorway"
                    || class == "motorway_link";
                if implied {
                    backward = false;
                }
            }
        }
        let speed = tag(tags, "maxspeed")
            .and_then(parse_maxspeed)
            .map(|s| s * self.maxspeed_factor)
            .unwrap_or(default_speed)
            .min(self.max_speed_kmh);
        if speed.is_nan() || speed <= 0.0 {
            return None;
        }
        Some(WayRule {
            speed_kmh: speed,
            forward,
            backward,
        })
    }

    fn ok_special(&self, v: &str) -> bool {
        (v == "destination" && self.allow_destination) || (v == "delivery" && self.allow_delivery)
    }

    /// The access decision of the most specific access key present, if any.
    fn access_verdict(&self, tags: &[(String, String)]) -> Option<bool> {
        for k in self.access_keys.iter().rev() {
            if let Some(v) = tag(tags, k) {
                if BLOCKING_ACCESS.contains(&v) {
                    return Some(false);
                }
                if v == "destination" || v == "delivery" {
                    return Some(self.ok_special(v));
                }
                return Some(true);
            }
        }
        None
    }

    fn access_allows(&self, tags: &[(String, String)]) -> bool {
        self.access_verdict(tags).unwrap_or(true)
    }

    fn fits(&self, tags: &[(String, String)]) -> bool {
        let limits = [
            (
                "maxweight",
                self.weight_t,
                parse_weight_t as fn(&str) -> Option<f64>,
            ),
            ("maxwidth", self.width_m, parse_length_m),
            ("maxheight", self.height_m, parse_length_m),
            ("maxlength", self.length_m, parse_length_m),
        ];
        limits.iter().all(|(key, have, parse)| {
            tag(tags, key)
                .and_then(parse)
                .is_none_or(|limit| limit >= *have)
        })
    }

    /// True if a node with these tags stops this vehicle.
    pub fn barrier_blocks(&self, node_tags: &[(String, String)]) -> bool {
        let Some(b) = tag(node_tags, "barrier") else {
            return false;
        };
        if b == "kerb" && tag(node_tags, "kerb").is_some_and(|k| k != "raised") {
            return false;
        }
        match self.access_verdict(node_tags) {
            Some(allowed) => !allowed,
            None => self.blocking_barriers.iter().any(|x| x == b),
        }
    }
}

/// The TOML form: every field optional.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    name: Option<String>,
    base: Option<String>,
    speeds_kmh: Option<BTreeMap<String, f64>>,
    max_speed_kmh: Option<f64>,
    maxspeed_factor: Option<f64>,
    access_keys: Option<Vec<String>>,
    allow_destination: Option<bool>,
    allow_delivery: Option<bool>,
    track_grades: Option<Vec<String>>,
    excluded_service: Option<Vec<String>>,
    motor_access_classes: Option<Vec<String>>,
    motor_access_keys: Option<Vec<String>>,
    blocking_barriers: Option<Vec<String>>,
    weight_t: Option<f64>,
    width_m: Option<f64>,
    height_m: Option<f64>,
    length_m: Option<f64>,
    turns: Option<TurnFile>,
}

/// Parses an OSM `maxspeed` value into km/h.
pub fn parse_maxspeed(v: &str) -> Option<f64> {
    let v = v.trim();
    match v {
        "walk" => return Some(6.0),
        "none" => return Some(f64::INFINITY),
        _ => {}
    }
    if let Some((_, kind)) = v.split_once(':') {
        let kind = kind.trim();
        if let Some(z) = kind.strip_prefix("zone") {
            return z
                .trim_start_matches(':')
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s > 0.0);
        }
        return match kind {
            "urban" => Some(50.0),
            "rural" => Some(90.0),
            "trunk" => Some(100.0),
            "motorway" => Some(120.0),
            "living_street" => Some(20.0),
            "bicycle_road" => Some(30.0),
            "walk" => Some(6.0),
            _ => None,
        };
    }
    in_base_unit(v, &[("mph", 1.609_344), ("km/h", 1.0)])
}

/// Parses an OSM length (`maxwidth`, `maxheight`) into metres.
pub fn parse_length_m(v: &str) -> Option<f64> {
    let v = v.trim();
    if let Some((ft, rest)) = v.split_once('\'') {
        let ft: f64 = ft.trim().parse().ok()?;
        let inch = rest.trim().trim_end_matches('"').trim();
        let inch: f64 = if inch.is_empty() {
            0.0
        } else {
            inch.parse().ok()?
        };
        let m = ft * 0.3048 + inch * 0.0254;
        return (ft >= 0.0 && inch >= 0.0 && m.is_finite() && m > 0.0).then_some(m);
    }
    in_base_unit(v, &[("ft", 0.3048), ("m", 1.0)])
}

/// A positive finite number followed by one of `units` (suffix and factor
/// to the base unit; the first suffix that matches; none: factor 1), in
/// the base unit.
fn in_base_unit(v: &str, units: &[(&str, f64)]) -> Option<f64> {
    let (num, factor) = units
        .iter()
        .find_map(|&(u, f)| v.strip_suffix(u).map(|n| (n, f)))
        .unwrap_or((v, 1.0));
    let x: f64 = num.trim().parse().ok()?;
    (x.is_finite() && x > 0.0).then_some(x * factor)
}

/// Parses an OSM `maxweight` into tonnes.
pub fn parse_weight_t(v: &str) -> Option<f64> {
    let v = v.trim();
    // Short tons ("st") before tonnes ("t").
    in_base_unit(
        v,
        &[
            ("lbs", 0.000_453_592_37),
            ("st", 0.907_184_74),
            ("kg", 0.001),
            ("t", 1.0),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(xs: &[(&str, &str)]) -> Vec<(String, String)> {
        xs.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Whether `p` drives on a way tagged `tags`.
    fn drives(p: &Profile, tags: &[(&str, &str)]) -> bool {
        p.way_rule(&t(tags)).is_some()
    }

    #[test]
    fn truck_uses_residential_both_ways_at_default_speed() {
        let r = Profile::truck()
            .way_rule(&t(&[("highway", "residential")]))
            .unwrap();
        assert_eq!(
            r,
            WayRule {
                speed_kmh: 25.0,
                forward: true,
                backward: true
            }
        );
    }

    #[test]
    fn oneway_variants_set_direction() {
        let p = Profile::truck();
        let dir = |tags: &[(&str, &str)]| p.way_rule(&t(tags)).map(|r| (r.forward, r.backward));
        assert_eq!(
            dir(&[("highway", "primary"), ("oneway", "yes")]),
            Some((true, false))
        );
        assert_eq!(
            dir(&[("highway", "primary"), ("oneway", "-1")]),
            Some((false, true))
        );
        assert_eq!(
            dir(&[("highway", "primary"), ("junction", "roundabout")]),
            Some((true, false))
        );
        assert_eq!(dir(&[("highway", "motorway")]), Some((true, false)));
        assert_eq!(
            dir(&[("highway", "motorway"), ("oneway", "no")]),
            Some((true, true))
        );
        assert_eq!(
            dir(&[("highway", "primary"), ("oneway", "reversible")]),
            None
        );
        assert_eq!(
            dir(&[
                ("highway", "primary"),
                ("oneway:bicycle", "no"),
                ("oneway", "yes")
            ]),
            Some((true, false))
        );
    }

    #[test]
    fn most_specific_access_tag_wins() {
        let p = Profile::truck();
        assert!(!drives(
            &p,
            &[("highway", "service"), ("access", "private")]
        ));
        assert!(drives(
            &p,
            &[("highway", "service"), ("access", "no"), ("hgv", "yes")]
        ));
        assert!(!drives(
            &p,
            &[
                ("highway", "residential"),
                ("motor_vehicle", "yes"),
                ("hgv", "no")
            ]
        ));
        let mut strict = Profile::truck();
        strict.allow_destination = false;
        let dest = t(&[("highway", "residential"), ("access", "destination")]);
        assert!(p.way_rule(&dest).is_some());
        assert!(strict.way_rule(&dest).is_none());
    }

    #[test]
    fn dimension_limits_below_the_vehicle_exclude_the_way() {
        let p = Profile::truck();
        let ok = |k: &str, v: &str| {
            p.way_rule(&t(&[("highway", "residential"), (k, v)]))
                .is_some()
        };
        assert!(!ok("maxweight", "7.5"));
        assert!(ok("maxweight", "12 t"));
        assert!(!ok("maxwidth", "2.2"));
        assert!(ok("maxwidth", "3 m"));
        assert!(!ok("maxheight", "11'6\"")); // 3.51 m < 3.6 m
        assert!(ok("maxheight", "13'"));
        assert!(ok("maxheight", "default")); // unparsable: ignored
    }

    #[test]
    fn maxspeed_forms_parse() {
        assert_eq!(parse_maxspeed("50"), Some(50.0));
        assert!((parse_maxspeed("30 mph").unwrap() - 48.28).abs() < 0.01);
        assert_eq!(parse_maxspeed("VN:urban"), Some(50.0));
        assert_eq!(parse_maxspeed("DE:zone30"), Some(30.0));
        assert_eq!(parse_maxspeed("signals"), None);
        let r = Profile::truck()
            .way_rule(&t(&[("highway", "primary"), ("maxspeed", "50")]))
            .unwrap();
        assert_eq!(r.speed_kmh, 40.0); // 50 * 0.8
        let r = Profile::truck()
            .way_rule(&t(&[("highway", "motorway"), ("maxspeed", "none")]))
            .unwrap();
        assert_eq!(r.speed_kmh, 80.0); // capped at the truck's top speed
    }

    #[test]
    fn small_uses_footways_only_with_motor_access() {
        let s = Profile::small();
        assert!(!drives(&s, &[("highway", "footway")]));
        assert!(drives(&s, &[("highway", "footway"), ("motorcycle", "yes")]));
        assert!(drives(&s, &[("highway", "living_street")]));
        assert!(
            Profile::truck()
                .way_rule(&t(&[("highway", "living_street")]))
                .is_none()
        );
        assert!(
            Profile::truck()
                .way_rule(&t(&[("highway", "service"), ("service", "alley")]))
                .is_none()
        );
        assert!(drives(&s, &[("highway", "service"), ("service", "alley")]));
    }

    #[test]
    fn construction_and_proposed_are_never_used() {
        for p in [Profile::truck(), Profile::small()] {
            assert!(!drives(&p, &[("highway", "construction")]));
            assert!(!drives(&p, &[("highway", "proposed")]));
        }
    }

    #[test]
    fn barriers_block_by_kind_and_access() {
        let p = Profile::truck();
        assert!(p.barrier_blocks(&t(&[("barrier", "bollard")])));
        assert!(!p.barrier_blocks(&t(&[("barrier", "gate")])));
        assert!(p.barrier_blocks(&t(&[("barrier", "gate"), ("access", "private")])));
        assert!(!p.barrier_blocks(&t(&[("barrier", "bollard"), ("motor_vehicle", "yes")])));
        assert!(!Profile::small().barrier_blocks(&t(&[("barrier", "bollard")])));
    }

    #[test]
    fn toml_overrides_the_base_profile() {
        let p = Profile::from_toml_str(
            "name = \"narrow\"\nbase = \"truck\"\nwidth_m = 2.0\n[speeds_kmh]\nliving_street = 8\nservice = 0\n",
        )
        .unwrap();
        assert_eq!(p.name, "narrow");
        assert_eq!(p.width_m, 2.0);
        assert_eq!(p.speeds_kmh.get("living_street"), Some(&8.0));
        assert!(!p.speeds_kmh.contains_key("service"));
        assert_eq!(p.speeds_kmh.get("primary"), Some(&55.0));
    }

    #[test]
    fn toml_overrides_the_turn_model() {
        let p = Profile::from_toml_str(
            "base = \"truck\"\n[turns]\nleft_hand_traffic = true\nturn_s = 8\n",
        )
        .unwrap();
        assert!(p.turns.left_hand_traffic);
        assert_eq!(p.turns.turn_s, 8.0);
        assert!(!p.turns.u_turns);
        assert_eq!(p.turns.u_turn_s, TurnModel::truck().u_turn_s);
        let s = Profile::from_toml_str("base = \"small\"\n").unwrap();
        assert!(s.turns.u_turns);
        let e = Profile::from_toml_str("[turns]\nturn_s = -1\n").unwrap_err();
        assert!(e.to_string().contains("turns.turn_s"), "{e}");
        let e = Profile::from_toml_str("[turns]\nuturns = true\n").unwrap_err();
        assert!(e.to_string().contains("uturns"), "{e}");
    }

    #[test]
    fn toml_errors_name_the_field() {
        let e = Profile::from_toml_str("width_m = -1\n").unwrap_err();
        assert!(e.to_string().contains("width_m"), "{e}");
        let e = Profile::from_toml_str("wdth_m = 1\n").unwrap_err();
        assert!(e.to_string().contains("wdth_m"), "{e}");
        let e = Profile::from_toml_str("base = \"bus\"\n").unwrap_err();
        assert!(e.to_string().contains("base"), "{e}");
    }
}
