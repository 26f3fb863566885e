//! The plan folder's schema: the types that `summary.json`, `routes.csv`,
//! `routes.geojson` and `unserved.geojson` are written from and read back
//! into (`docs/summary-schema.md`). The writer (`plan::output`) and the
//! reader ([`crate::report::PlanFolder::read`]) use these same types, so a
//! field cannot be renamed on one side only: every field is required when
//! read, but those of type `Option` (written as `null`) and the few that
//! older files of the same schema lack (said at the field). Fields a reader
//! does not know are read past: files only gain fields.

use super::{InputFiles, PlannedRoute, PlannedStop, RecombinationStats, Unserved, UnservedReason};
use crate::domain::{StopSide, Stream, Zone, format_time};
use crate::graph::{RestrictionStats, Side, TurnStats};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// The `schema_version` of the `summary.json` this version writes.
pub const SCHEMA_VERSION: u32 = 2;

/// What a stop of a route sheet is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StopKind {
    /// Leaving or returning to the depot.
    Depot,
    /// Collecting at a pickup.
    Pickup,
    /// Unloading at a facility.
    Facility,
    /// The crew's break.
    Break,
}

impl StopKind {
    /// The name used in the plan files.
    pub fn name(self) -> &'static str {
        match self {
            StopKind::Depot => "depot",
            StopKind::Pickup => "pickup",
            StopKind::Facility => "facility",
            StopKind::Break => "break",
        }
    }
}

/// Served and total pickups of one zone or stream.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// Pickups.
    pub points_total: usize,
    /// Pickups served.
    pub points_served: usize,
    /// Waste, kg.
    pub demand_total_kg: f64,
    /// Waste collected, kg.
    pub demand_served_kg: f64,
    /// Share of points served (1 when there are none).
    pub share_points: f64,
    /// Share of demand served (1 when there is none).
    pub share_demand: f64,
    /// The target share.
    pub target: f64,
    /// Both shares reach the target.
    pub met: bool,
}

/// Seconds spent in each phase.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PhaseTimes {
    /// Reading OSM and building road graphs.
    pub graph_s: f64,
    /// Snapping points (and closures).
    pub snap_s: f64,
    /// Travel matrices.
    pub matrix_s: f64,
    /// The search.
    pub solve_s: f64,
    /// Timetables and road geometry.
    pub geometry_s: f64,
    /// Writing the output folder.
    pub output_s: f64,
}

/// Peak resident memory of the process at the end of each phase, MB (the
/// high-water mark so far, so each value includes the phases before it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PhasePeaks {
    /// After reading OSM and building the road graphs.
    pub graph_mb: Option<f64>,
    /// After snapping and the travel matrices.
    pub matrix_mb: Option<f64>,
    /// After the search.
    pub solve_mb: Option<f64>,
}

/// The content of `summary.json` (schema: `docs/summary-schema.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Schema version of this file.
    pub schema_version: u32,
    /// Coverage per zone.
    pub coverage: BTreeMap<Zone, Coverage>,
    /// Coverage per stream.
    pub coverage_by_stream: BTreeMap<Stream, Coverage>,
    /// Every target met.
    pub targets_met: bool,
    /// For each unmet target, what keeps it from being met.
    pub blockers: Vec<String>,
    /// Pickups left out.
    pub unserved: Vec<Unserved>,
    /// Unserved pickups per reason.
    pub unserved_by_reason: BTreeMap<UnservedReason, usize>,
    /// Vehicles used.
    pub vehicles_used: usize,
    /// Vehicles used per type.
    pub vehicles_by_type: BTreeMap<String, usize>,
    /// Trips (unloads).
    pub trips: usize,
    /// Kilometres.
    pub km: f64,
    /// Vehicle hours.
    pub hours: f64,
    /// Cost: fixed, distance and time.
    pub cost: f64,
    /// Per-route figures.
    pub routes: Vec<RouteSummary>,
    /// The independent checker found no violation.
    pub feasible: bool,
    /// Violations the checker found (empty when feasible). Schema version 1
    /// wrote them as sentences, which read back as the detail of a
    /// violation of unknown kind (an empty `kind`).
    #[serde(deserialize_with = "violations_of_any_version")]
    pub violations: Vec<PlanViolation>,
    /// Random seed.
    pub seed: u64,
    /// Threads.
    pub threads: usize,
    /// Search iterations.
    pub iterations: u64,
    /// What ended the search: `no_improvement`, `iterations`, `time` (the
    /// limit, possibly inside the final repair) or `signal`.
    pub stopped_by: String,
    /// Total seconds.
    pub runtime_s: f64,
    /// Seconds per phase.
    pub phases: PhaseTimes,
    /// Peak memory of the process, MB (Linux only).
    pub peak_rss_mb: Option<f64>,
    /// Peak memory of the process at the end of each phase, MB (Linux only;
    /// all unknown when a file of schema version 1 predates the field).
    #[serde(default)]
    pub phases_peak_rss_mb: PhasePeaks,
    /// The input files.
    pub inputs: InputFiles,
    /// What the route recombination did, if it ran.
    pub recombination: Option<RecombinationStats>,
    /// The turn model per road profile when the plan routed on the
    /// turn-aware graph (`--turns`), else `null` (absent in older files).
    #[serde(default)]
    pub turns: Option<Vec<ProfileTurns>>,
}

/// One rule a plan breaks, as the independent checker found it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanViolation {
    /// The rule: `facility_capacity`, `late`, `capacity`, `duration`, ...
    /// (`docs/summary-schema.md`).
    pub kind: String,
    /// The vehicle whose route breaks it (none for rules between routes,
    /// such as a facility's daily capacity).
    pub vehicle: Option<String>,
    /// What exactly, with ids and amounts, in one sentence.
    pub detail: String,
}

/// Figures of one route in the summary.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RouteSummary {
    /// Vehicle name.
    pub vehicle: String,
    /// Vehicle type.
    pub vehicle_type: String,
    /// Leaves the depot (`HH:MM`).
    pub start: String,
    /// Back at the depot (`HH:MM`).
    pub end: String,
    /// Trips.
    pub trips: usize,
    /// Pickups.
    pub pickups: usize,
    /// Kilograms.
    pub load_kg: f64,
    /// Kilometres.
    pub km: f64,
    /// Hours.
    pub hours: f64,
    /// Cost.
    pub cost: f64,
}

/// Version 2 violations (objects) or version 1 ones (sentences).
fn violations_of_any_version<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Vec<PlanViolation>, D::Error> {
    Vec::<serde_json::Value>::deserialize(d)?
        .into_iter()
        .map(|v| match v {
            serde_json::Value::String(detail) => Ok(PlanViolation {
                kind: String::new(),
                vehicle: None,
                detail,
            }),
            v => PlanViolation::deserialize(v).map_err(serde::de::Error::custom),
        })
        .collect()
}

/// What the turn-aware graph of one road profile holds (`summary.json`
/// `turns`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileTurns {
    /// The road profile (name or file).
    pub profile: String,
    /// The OSM turn restrictions read, applied and ignored, with the reason.
    pub restrictions: RestrictionStats,
    /// The turn-expanded graph: nodes, turns, turns banned by the
    /// restrictions, U-turns forbidden and allowed.
    pub turn_graph: TurnStats,
    /// Pickups served from the curb reached by this profile's vehicles:
    /// `side = curb` in the pickups file, or no `side` on a road that is
    /// curb-side by default (docs/plan-inputs.md, "Curb-side pickups").
    pub curb_pickups: usize,
    /// Of these, the ones with one allowed direction (on a two-way street,
    /// off its centre line); the others are on one-way streets.
    pub curb_directed: usize,
    /// Of these, the ones without a `side` of their own: curb-side by the
    /// default of their road (0 in files written before the field).
    #[serde(default)]
    pub curb_by_default: usize,
}

/// One row of `routes.csv`: a stop of a vehicle's day, times as `HH:MM`.
/// Written with positions to 6 decimals and kilometres to 3.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopRow {
    /// Vehicle name.
    pub vehicle: String,
    /// Vehicle type.
    pub vehicle_type: String,
    /// Trip number, from 1.
    pub trip: usize,
    /// Position in the route, from 0 (the depot).
    pub seq: usize,
    /// Depot, pickup, facility or break.
    pub kind: StopKind,
    /// Pickup or facility id (empty for the break).
    pub id: String,
    /// Label (for a facility, `id (kind)`).
    pub name: String,
    /// Position, degrees.
    #[serde(serialize_with = "six_decimals")]
    pub lat: f64,
    /// Position, degrees.
    #[serde(serialize_with = "six_decimals")]
    pub lon: f64,
    /// Arrival, `HH:MM`.
    pub arrival: String,
    /// Departure, `HH:MM`.
    pub departure: String,
    /// Waste collected here, kg.
    #[serde(serialize_with = "shortest")]
    pub demand_kg: f64,
    /// Load on board after the stop, kg.
    #[serde(serialize_with = "shortest")]
    pub load_kg: f64,
    /// Volume on board after the stop, m3.
    #[serde(serialize_with = "shortest")]
    pub load_m3: f64,
    /// Distance since leaving the depot, km.
    #[serde(serialize_with = "three_decimals")]
    pub km: f64,
}

impl StopRow {
    /// The header of `routes.csv`: the fields in order.
    pub const COLUMNS: [&'static str; 15] = [
        "vehicle",
        "vehicle_type",
        "trip",
        "seq",
        "kind",
        "id",
        "name",
        "lat",
        "lon",
        "arrival",
        "departure",
        "demand_kg",
        "load_kg",
        "load_m3",
        "km",
    ];

    /// The row of stop `s` of route `r`.
    pub fn new(r: &PlannedRoute, s: &PlannedStop) -> StopRow {
        StopRow {
            vehicle: r.vehicle.clone(),
            vehicle_type: r.vehicle_type.clone(),
            trip: s.trip,
            seq: s.seq,
            kind: s.kind,
            id: s.id.clone(),
            name: s.name.clone(),
            lat: s.lat,
            lon: s.lon,
            arrival: format_time(s.arrival),
            departure: format_time(s.departure),
            demand_kg: s.demand_kg,
            load_kg: s.load_kg,
            load_m3: s.load_m3,
            km: s.km,
        }
    }
}

fn six_decimals<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_args!("{x:.6}"))
}

fn three_decimals<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_args!("{x:.3}"))
}

/// The shortest text that reads back as `x` (`0`, not `0.0`).
fn shortest<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(x)
}

/// The properties of a feature of `routes.geojson`, told apart by their
/// `feature` property.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "feature", rename_all = "lowercase")]
pub enum RouteFeature {
    /// A trip's road geometry (a `LineString`).
    Trip(TripProperties),
    /// A stop (a `Point`).
    Stop(StopProperties),
}

/// The properties of a trip of `routes.geojson`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TripProperties {
    /// Vehicle name.
    pub vehicle: String,
    /// Vehicle type.
    pub vehicle_type: String,
    /// Trip number, from 1.
    pub trip: usize,
    /// Kilometres.
    pub km: f64,
    /// Pickups served.
    pub pickups: usize,
    /// Kilograms collected.
    pub load_kg: f64,
    /// Facility where the trip unloads.
    pub facility: String,
}

/// The properties of a stop of `routes.geojson`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopProperties {
    /// Vehicle name.
    pub vehicle: String,
    /// Vehicle type.
    pub vehicle_type: String,
    /// Depot, pickup, facility or break.
    pub kind: StopKind,
    /// Pickup or facility id (empty for the break).
    pub id: String,
    /// Label.
    pub name: String,
    /// Trip number, from 1.
    pub trip: usize,
    /// Position in the route, from 0.
    pub seq: usize,
    /// Arrival, `HH:MM`.
    pub arrival: String,
    /// Departure, `HH:MM`.
    pub departure: String,
    /// Load on board after the stop, kg.
    pub load_kg: f64,
    /// Distance since leaving the depot, km.
    pub km: f64,
    /// Pickups: the side of the vehicle the pickup lies on when it stops
    /// (`right`, `left`, or `on` the centre line), from the direction it
    /// arrives in; absent for other stops (and in files written before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side: Option<Side>,
    /// Pickups: the side it had to be served from, `curb` or `either`, as
    /// resolved (the pickups file's `side`, else its road's default on the
    /// turn-aware graph, else `either`); absent for other stops (and in
    /// files written before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_side: Option<StopSide>,
}

/// The properties of `u`'s feature in `unserved.geojson`: its fields in
/// `summary.json` and its name, without the position (the feature's
/// `Point`).
///
/// # Errors
/// The encoder's, if `u` cannot be encoded.
pub fn unserved_properties(u: &Unserved) -> serde_json::Result<serde_json::Value> {
    let mut v = serde_json::to_value(u)?;
    if let Some(props) = v.as_object_mut() {
        props.remove("lat");
        props.remove("lon");
        props.insert("name".into(), u.name.clone().into());
    }
    Ok(v)
}

/// The unserved pickup of a feature of `unserved.geojson` with
/// `properties` at `(lon, lat)`, as [`unserved_properties`] wrote it.
///
/// # Errors
/// The decoder's, naming a missing or malformed field.
pub fn unserved_from(
    mut properties: serde_json::Value,
    lon: f64,
    lat: f64,
) -> serde_json::Result<Unserved> {
    #[derive(Deserialize)]
    struct Named {
        name: String,
    }
    let Named { name } = Named::deserialize(&properties)?;
    if let Some(props) = properties.as_object_mut() {
        props.insert("lat".into(), lat.into());
        props.insert("lon".into(), lon.into());
    }
    Ok(Unserved {
        name,
        ..Unserved::deserialize(properties)?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> StopRow {
        StopRow {
            vehicle: "truck-1".into(),
            vehicle_type: "truck".into(),
            trip: 1,
            seq: 2,
            kind: StopKind::Pickup,
            id: "P1".into(),
            name: "Main, 5".into(),
            lat: 47.1,
            lon: 9.512_345_67,
            arrival: "07:11".into(),
            departure: "07:13".into(),
            demand_kg: 225.0,
            load_kg: 0.0,
            load_m3: 1.5,
            km: 6.62,
        }
    }

    #[test]
    fn routes_csv_rows_keep_their_columns_and_number_formats() {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(row()).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(StopRow::COLUMNS.join(",").as_str()));
        assert_eq!(
            lines.next(),
            Some(
                "truck-1,truck,1,2,pickup,P1,\"Main, 5\",47.100000,9.512346,07:11,07:13,225,0,1.5,6.620"
            )
        );
        let back: StopRow = csv::Reader::from_reader(text.as_bytes())
            .deserialize()
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(
            back,
            StopRow {
                lon: 9.512346,
                ..row()
            }
        );
    }

    #[test]
    fn route_features_carry_their_kind_in_the_feature_property() {
        let t = RouteFeature::Trip(TripProperties {
            vehicle: "truck-1".into(),
            vehicle_type: "truck".into(),
            trip: 1,
            km: 2.5,
            pickups: 3,
            load_kg: 40.0,
            facility: "TS".into(),
        });
        let v = serde_json::to_value(&t).unwrap();
        assert_eq!(v["feature"], "trip");
        assert_eq!(serde_json::from_value::<RouteFeature>(v).unwrap(), t);
        let e = serde_json::from_value::<RouteFeature>(serde_json::json!({"feature": "lane"}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("lane"), "{e}");
    }

    #[test]
    fn violations_of_version_1_read_as_details_of_unknown_kind() {
        #[derive(Deserialize)]
        struct V {
            #[serde(deserialize_with = "violations_of_any_version")]
            v: Vec<PlanViolation>,
        }
        let r: V = serde_json::from_str(
            r#"{"v": ["late at TS", {"kind": "late", "vehicle": "t-1", "detail": "x"}]}"#,
        )
        .unwrap();
        assert_eq!(r.v[0].kind, "");
        assert_eq!(r.v[0].detail, "late at TS");
        assert_eq!(r.v[1].vehicle.as_deref(), Some("t-1"));
        let e = serde_json::from_str::<V>(r#"{"v": [{"kind": "late"}]}"#)
            .err()
            .map(|e| e.to_string());
        assert!(e.as_deref().is_some_and(|e| e.contains("detail")), "{e:?}");
    }
}
