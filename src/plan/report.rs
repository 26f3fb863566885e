//! Turning a solution into what dispatchers read: each vehicle's stops with
//! times and loads, the road geometry of each trip, coverage per zone and
//! stream against the targets, and the unserved pickups with reasons.

use super::folder::{
    Coverage, PhasePeaks, PhaseTimes, PlanViolation, ProfileTurns, RouteSummary, SCHEMA_VERSION,
    StopKind, Summary,
};
use super::prepare::Prepared;
use super::{InputFiles, Plan, PlanInput, Unserved, UnservedReason};
use crate::Result;
use crate::domain::{FacilityRecord, Pickup, StopSide, Stream, Zone, format_time};
use crate::graph::{RoadGraph, Side, SnappedPoint};
use crate::matrix::{Approach, Leg};
use crate::model::{
    CheckReport, Load, Problem, Route, RouteReport, Solution, UNLIMITED, Violation, Visit,
    schedule, unloaded_per_facility,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// One row of a route sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedStop {
    /// Depot, pickup, facility or break.
    pub kind: StopKind,
    /// Id of the pickup or facility (empty for a break).
    pub id: String,
    /// Label.
    pub name: String,
    /// Trip number, from 1 (a trip ends at an unload).
    pub trip: usize,
    /// Position in the route, from 0 (the depot).
    pub seq: usize,
    /// Arrival, seconds after midnight.
    pub arrival: i64,
    /// Departure, seconds after midnight.
    pub departure: i64,
    /// Load on board after the stop, kg.
    pub load_kg: f64,
    /// Volume on board after the stop, m3.
    pub load_m3: f64,
    /// Distance driven since leaving the depot, km.
    pub km: f64,
    /// Position, degrees (for a break: where the vehicle is).
    pub lat: f64,
    /// Position, degrees.
    pub lon: f64,
    /// Waste collected here, kg (pickups only).
    pub demand_kg: f64,
    /// Zone (pickups only).
    pub zone: Option<Zone>,
    /// Stream (pickups only).
    pub stream: Option<Stream>,
    /// Pickups: the side of the vehicle the pickup lies on when it stops,
    /// from the direction the leg arrives in along the pickup's road
    /// ([`crate::graph::RoadGraph::side_of`]); `None` for other stops and
    /// for a pickup reached by no road path.
    pub side: Option<Side>,
    /// Pickups: the side it had to be served from, as resolved
    /// (`pickup_side`: the pickups file's `side`, else the road's
    /// default on the turn-aware graph, else `either`); `None` for other
    /// stops.
    pub required_side: Option<StopSide>,
}

/// One trip's road geometry: from the depot or the previous unload to its
/// unload (the last trip includes the drive back to the depot). Written as a
/// `trip` feature of `routes.geojson` and read back from it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Trip {
    /// Trip number, from 1.
    pub trip: usize,
    /// The path, `(lon, lat)` degrees.
    pub geometry: Vec<(f64, f64)>,
    /// Kilometres.
    pub km: f64,
    /// Pickups served.
    pub pickups: usize,
    /// Kilograms collected.
    pub load_kg: f64,
    /// Facility where the trip unloads.
    pub facility: String,
}

/// One vehicle's day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedRoute {
    /// Vehicle name (type name and number, for example `compactor-2`).
    pub vehicle: String,
    /// Vehicle type.
    pub vehicle_type: String,
    /// Depot id.
    pub depot: String,
    /// Road profile.
    pub profile: String,
    /// Leaves the depot, seconds after midnight.
    pub start: i64,
    /// Back at the depot, seconds after midnight.
    pub end: i64,
    /// Kilometres.
    pub km: f64,
    /// Hours from leaving to returning.
    pub hours: f64,
    /// Fixed, distance and time cost.
    pub cost: f64,
    /// Kilograms collected.
    pub load_kg: f64,
    /// The stops, depot to depot, unloads and break included.
    pub stops: Vec<PlannedStop>,
    /// Road geometry per trip.
    pub trips: Vec<Trip>,
}

/// Why the search left client `c` out: the facilities its vehicles may
/// unload its waste at are all full, or else the fleet ran out.
fn left_out(
    input: &PlanInput,
    prep: &Prepared,
    p: &Problem,
    got: &[Load],
    c: usize,
) -> (UnservedReason, String) {
    let cl = &p.clients()[c];
    let pk = &input.pickups[prep.client_pickup[c]];
    let sites: Vec<usize> = (0..p.facilities().len())
        .filter(|&f| {
            p.facilities()[f].accepts & (1 << cl.stream) != 0
                && (0..p.vehicle_types().len()).any(|t| p.can_serve(t, c) && p.can_unload(t, f))
        })
        .collect();
    let full = |f: usize| {
        let fa = &p.facilities()[f];
        fa.daily_capacity < UNLIMITED && got[f] + cl.demand[0] > fa.daily_capacity
    };
    if sites.is_empty() {
        // Only on one day of a week: a one-day plan leaves such pickups
        // out of the problem before solving.
        return (
            UnservedReason::NoFacility,
            format!(
                "no facility open that day takes its {} waste from a vehicle working that day",
                pk.stream.name()
            ),
        );
    }
    if sites.iter().all(|&f| full(f)) {
        let list: Vec<String> = sites
            .iter()
            .map(|&f| {
                let fa = &p.facilities()[f];
                format!("{} ({} of {} kg)", fa.name, got[f], fa.daily_capacity)
            })
            .collect();
        return (
            UnservedReason::FacilityCapacity,
            format!(
                "{}, and every facility that takes its {} waste has no room for its {} kg today: {}",
                if pk.required { "required" } else { "optional" },
                pk.stream.name(),
                pk.demand_kg,
                list.join(", ")
            ),
        );
    }
    let detail = if pk.required {
        "required, but the fleet's capacity or shift time ran out before it could be served"
    } else {
        "optional, and the fleet's capacity or shift time ran out before it could be served"
    };
    (UnservedReason::Fleet, detail.into())
}

/// Each violation the checker found, with the names a dispatcher knows.
fn plan_violations(
    input: &PlanInput,
    prep: &Prepared,
    p: &Problem,
    solution: &Solution,
    routes: &[PlannedRoute],
    checked: &CheckReport,
) -> Vec<PlanViolation> {
    let got = unloaded_per_facility(p, &solution.routes);
    let pickup = |c: usize| {
        prep.client_pickup
            .get(c)
            .map_or(format!("client {c}"), |&pi| input.pickups[pi].id.clone())
    };
    let facility = |f: usize| {
        prep.facility_rec
            .get(f)
            .map_or(format!("facility {f}"), |&r| input.facilities[r].id.clone())
    };
    let minutes = |s: i64| format!("{:.0} min", (s as f64 / 60.0).ceil());
    checked
        .violations
        .iter()
        .map(|v| {
            let vehicle = v.route().and_then(|r| routes.get(r)).map(|r| r.vehicle.clone());
            let detail = match *v {
                Violation::FacilityCapacity { facility: f, excess } => {
                    let cap = p.facilities()[f].daily_capacity;
                    format!(
                        "{} receives {} kg, {excess} kg more than its daily capacity of {cap} kg",
                        facility(f),
                        got[f]
                    )
                }
                Violation::Capacity { trip, excess, .. } => format!(
                    "trip {} carries {excess} more than the vehicle holds (kg, or litres of volume)",
                    trip + 1
                ),
                Violation::Late {
                    route, position, by, ..
                } => {
                    let visits = solution.routes.get(route).map_or(&[][..], |r| &r.visits[..]);
                    match visits.get(position) {
                        Some(Visit::Client(c)) => {
                            format!("reaches {} {} after its window closes", pickup(*c), minutes(by))
                        }
                        Some(Visit::Unload(f)) => {
                            format!("reaches {} {} after it closes", facility(*f), minutes(by))
                        }
                        Some(Visit::Break) => {
                            format!("starts its break {} after the break window", minutes(by))
                        }
                        None => format!(
                            "returns to the depot {} after the end of its shift",
                            minutes(by)
                        ),
                    }
                }
                Violation::Duration { excess, .. } => {
                    format!("works {} longer than its longest shift", minutes(excess))
                }
                Violation::Distance { excess, .. } => {
                    format!("drives {excess} m more than its longest route")
                }
                Violation::StreamVehicle { client, .. } => format!(
                    "carries {} whose stream the vehicle may not carry",
                    pickup(client)
                ),
                Violation::StreamFacility { facility: f, .. } => format!(
                    "unloads at {} a stream it does not accept",
                    facility(f)
                ),
                Violation::TooManyVehicles { vehicle_type, used } => {
                    let t = &p.vehicle_types()[vehicle_type];
                    format!(
                        "{used} vehicles of type '{}' are used, and the fleet has {}",
                        t.name, t.count
                    )
                }
                Violation::Duplicate(c) => format!("pickup {} is served twice", pickup(c)),
                Violation::Missing(c) => {
                    format!("pickup {} is neither served nor listed as unserved", pickup(c))
                }
                Violation::RequiredUnassigned(c) => {
                    format!("required pickup {} is not served", pickup(c))
                }
                ref other => other.to_string(),
            };
            PlanViolation {
                kind: v.kind().to_string(),
                vehicle,
                detail,
            }
        })
        .collect()
}

fn round(x: f64, k: i32) -> f64 {
    let f = 10f64.powi(k);
    (x * f).round() / f
}

fn coverage(items: impl Iterator<Item = (f64, bool)>, target: f64) -> Coverage {
    let (mut pt, mut ps, mut dt, mut ds) = (0, 0, 0.0, 0.0);
    for (demand, served) in items {
        pt += 1;
        dt += demand;
        if served {
            ps += 1;
            ds += demand;
        }
    }
    let share_points = if pt == 0 { 1.0 } else { ps as f64 / pt as f64 };
    let share_demand = if dt <= 0.0 { 1.0 } else { ds / dt };
    Coverage {
        points_total: pt,
        points_served: ps,
        demand_total_kg: round(dt, 3),
        demand_served_kg: round(ds, 3),
        share_points: round(share_points, 6),
        share_demand: round(share_demand, 6),
        target,
        met: share_points + 1e-9 >= target && share_demand + 1e-9 >= target,
    }
}

/// Coverage per zone and per stream present, given which pickups are served.
pub(crate) fn coverage_tables(
    input: &PlanInput,
    served: &dyn Fn(&str) -> bool,
) -> (BTreeMap<Zone, Coverage>, BTreeMap<Stream, Coverage>) {
    let targets = &input.fleet.spec.targets;
    let mut cov = BTreeMap::new();
    for z in Zone::ALL {
        let items = input
            .pickups
            .iter()
            .filter(|p| p.zone == z)
            .map(|p| (p.demand_kg, served(&p.id)));
        cov.insert(z, coverage(items, targets.zone(z)));
    }
    let mut cov_stream = BTreeMap::new();
    for s in Stream::ALL {
        if !input.pickups.iter().any(|p| p.stream == s) {
            continue;
        }
        let items = input
            .pickups
            .iter()
            .filter(|p| p.stream == s)
            .map(|p| (p.demand_kg, served(&p.id)));
        cov_stream.insert(s, coverage(items, targets.stream(s)));
    }
    (cov, cov_stream)
}

/// Turns a checked solution into the plan, in named stages:
/// [`unserved_pickups`] (what is left out, and why), [`timetable`] per
/// route (stops, times, loads, kilometres), [`road_geometry`] (the roads
/// driven, split into trips by [`trips_of`]), coverage
/// ([`coverage_tables`]) and what blocks each missed target
/// ([`blockers`]), and the [`summary`].
pub(crate) fn build(
    input: &PlanInput,
    prep: &Prepared,
    p: &Problem,
    solution: Solution,
    checked: CheckReport,
) -> Result<Plan> {
    let unserved = unserved_pickups(input, prep, p, &solution);
    let mut nth = vec![0usize; p.vehicle_types().len()];
    let mut timetables: Vec<Timetable> = (solution.routes.iter())
        .zip(&checked.routes)
        .map(|(route, rr)| {
            nth[route.vehicle_type] += 1;
            timetable(input, prep, p, route, nth[route.vehicle_type], rr)
        })
        .collect();
    road_geometry(prep, &solution, &mut timetables);
    let routes: Vec<PlannedRoute> = timetables.into_iter().map(|t| t.route).collect();
    let violations = plan_violations(input, prep, p, &solution, &routes, &checked);
    let mut summary = summary(input, &routes, &unserved, violations, checked.is_feasible());
    summary.turns = turn_summary(prep.input, prep);
    Ok(Plan {
        summary,
        routes,
        unserved,
        problem: p.clone(),
        solution,
        check: checked,
    })
}

/// Stage: every pickup left out of the plan, by id: those that never
/// entered the problem (with the reason found before solving), then those
/// the search left out ([`left_out`]).
pub(crate) fn unserved_pickups(
    input: &PlanInput,
    prep: &Prepared,
    p: &Problem,
    solution: &Solution,
) -> Vec<Unserved> {
    let mut unserved = prep.unserved.clone();
    let got = unloaded_per_facility(p, &solution.routes);
    for &c in &solution.unassigned {
        let (reason, detail) = left_out(input, prep, p, &got, c);
        unserved.push(Unserved::new(input, prep.client_pickup[c], reason, detail));
    }
    unserved.sort_by(|a, b| a.id.cmp(&b.id));
    unserved
}

/// A route's day without its road geometry yet, and the points (indices
/// of the snapped points) it drives through, depot to depot, breaks left
/// out.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Timetable {
    /// The route, with no trips yet.
    pub route: PlannedRoute,
    /// The points visited, in order.
    pub points: Vec<usize>,
}

/// Stage: the timetable of `route`, the `nth` vehicle (from 1) of its
/// type: each stop with its times, the load on board after it and the
/// kilometres driven so far; `rr` is the checker's report of the route.
pub(crate) fn timetable(
    input: &PlanInput,
    prep: &Prepared,
    p: &Problem,
    route: &Route,
    nth: usize,
    rr: &RouteReport,
) -> Timetable {
    let vt = route.vehicle_type;
    let t = &p.vehicle_types()[vt];
    let sched = schedule(p, route);
    let depot_rec = prep.depot_rec[t.start_depot];
    let dep = &input.facilities[depot_rec];
    let prof = &p.profiles()[t.profile];
    let pd = &prep.profiles[prep.type_profile[vt]];
    let mut stops = vec![depot_stop(dep, 1, 0, sched.depart, (0.0, 0.0, 0))];
    let (mut load_kg, mut load_m3, mut m) = (0.0, 0.0, 0i64);
    let mut trip = 1;
    let mut last_loc = p.depots()[t.start_depot].location;
    let mut last_pos = (dep.lat, dep.lon);
    let mut points = vec![depot_rec];
    for (k, v) in route.visits.iter().enumerate() {
        let times = sched.stops[k];
        let required_side = match *v {
            Visit::Client(c) => {
                let pt = prep.loc_point[p.clients()[c].location];
                (pd.snaps[pt].on_road()).map(|at| {
                    let pk = &input.pickups[prep.client_pickup[c]];
                    pickup_side(pk, &pd.graph, at, pd.turns)
                })
            }
            _ => None,
        };
        let (kind, id, name, pos, demand, zone, stream) = match *v {
            Visit::Client(c) => {
                let pk = &input.pickups[prep.client_pickup[c]];
                let loc = p.clients()[c].location;
                m += prof.distance.get(last_loc, loc);
                last_loc = loc;
                load_kg += pk.demand_kg;
                load_m3 += pk.volume_m3;
                points.push(prep.loc_point[loc]);
                let (id, name) = (pk.id.clone(), pk.name.clone());
                let pos = (pk.lat, pk.lon);
                (
                    StopKind::Pickup,
                    id,
                    name,
                    pos,
                    pk.demand_kg,
                    Some(pk.zone),
                    Some(pk.stream),
                )
            }
            Visit::Unload(f) => {
                let fr = &input.facilities[prep.facility_rec[f]];
                let loc = p.facilities()[f].location;
                m += prof.distance.get(last_loc, loc);
                last_loc = loc;
                load_kg = 0.0;
                load_m3 = 0.0;
                points.push(prep.loc_point[loc]);
                let name = format!("{} ({})", fr.id, fr.kind.name());
                (
                    StopKind::Facility,
                    fr.id.clone(),
                    name,
                    (fr.lat, fr.lon),
                    0.0,
                    None,
                    None,
                )
            }
            Visit::Break => {
                let name = "break".to_string();
                (
                    StopKind::Break,
                    String::new(),
                    name,
                    last_pos,
                    0.0,
                    None,
                    None,
                )
            }
        };
        last_pos = pos;
        stops.push(PlannedStop {
            kind,
            id,
            name,
            trip,
            seq: stops.len(),
            arrival: times.arrival,
            departure: times.departure,
            load_kg: round(load_kg, 3),
            load_m3: round(load_m3, 3),
            km: round(m as f64 / 1000.0, 3),
            lat: pos.0,
            lon: pos.1,
            demand_kg: demand,
            zone,
            stream,
            side: None,
            required_side,
        });
        if kind == StopKind::Facility {
            trip += 1;
        }
    }
    m += prof
        .distance
        .get(last_loc, p.depots()[t.end_depot].location);
    let end_rec = prep.depot_rec[t.end_depot];
    points.push(end_rec);
    let n_trips = route
        .visits
        .iter()
        .filter(|v| matches!(v, Visit::Unload(_)))
        .count()
        .max(1);
    let end = depot_stop(
        &input.facilities[end_rec],
        n_trips,
        stops.len(),
        sched.end,
        (load_kg, load_m3, m),
    );
    stops.push(end);
    let v = &input.fleet.spec.vehicle[vt];
    Timetable {
        route: PlannedRoute {
            vehicle: format!("{}-{nth}", v.name),
            vehicle_type: v.name.clone(),
            depot: dep.id.clone(),
            profile: prep.profiles[prep.type_profile[vt]].name.clone(),
            start: sched.depart,
            end: sched.end,
            km: round(rr.distance as f64 / 1000.0, 3),
            hours: round((sched.end - sched.depart) as f64 / 3600.0, 4),
            cost: round(prep.cost_unit.currency(rr.cost), 2),
            load_kg: round(stops.iter().map(|s| s.demand_kg).sum(), 3),
            stops,
            trips: Vec::new(),
        },
        points,
    }
}

/// A stop at depot `dep` at time `at`, with `(kg, m3, metres)` on board
/// and driven.
fn depot_stop(
    dep: &FacilityRecord,
    trip: usize,
    seq: usize,
    at: i64,
    (kg, m3, metres): (f64, f64, i64),
) -> PlannedStop {
    PlannedStop {
        kind: StopKind::Depot,
        id: dep.id.clone(),
        name: dep.id.clone(),
        trip,
        seq,
        arrival: at,
        departure: at,
        load_kg: round(kg, 3),
        load_m3: round(m3, 3),
        km: round(metres as f64 / 1000.0, 3),
        lat: dep.lat,
        lon: dep.lon,
        demand_kg: 0.0,
        zone: None,
        stream: None,
        side: None,
        required_side: None,
    }
}

/// Stage: the road geometry of every route: one leg per pair of
/// consecutive points, over its profile's roads, split into trips
/// ([`trips_of`]).
pub(crate) fn road_geometry(prep: &Prepared, solution: &Solution, timetables: &mut [Timetable]) {
    for (pi, pd) in prep.profiles.iter().enumerate() {
        let router = pd.router();
        // The directed positions the matrix priced.
        let at = |pt: usize| -> Option<(SnappedPoint, Approach)> {
            Some((*pd.snaps[pt].on_road()?, pd.approaches[pt]))
        };
        for (ri, tt) in timetables.iter_mut().enumerate() {
            let vt = solution.routes[ri].vehicle_type;
            if prep.type_profile[vt] != pi {
                continue;
            }
            let pairs: Vec<_> = (tt.points.windows(2))
                .filter_map(|w| Some((at(w[0])?, at(w[1])?)))
                .collect();
            let legs = router.routes_directed(&pairs);
            let physical = tt
                .route
                .stops
                .iter_mut()
                .filter(|s| s.kind != StopKind::Break);
            for ((stop, leg), w) in physical.skip(1).zip(&legs).zip(tt.points.windows(2)) {
                if stop.kind == StopKind::Pickup
                    && let (Some(leg), Some(p)) = (leg, pd.snaps[w[1]].on_road())
                {
                    stop.side = arrival_side(&pd.graph, (stop.lat, stop.lon), p, leg);
                }
            }
            tt.route.trips = trips_of(&tt.route.stops, &legs);
        }
    }
}

/// Stage: the turn statistics of every profile, when the plan routes on
/// the turn-aware graph.
pub(crate) fn turn_summary(input: &PlanInput, prep: &Prepared) -> Option<Vec<ProfileTurns>> {
    let nf = input.facilities.len();
    let turns = prep.profiles.iter().filter(|pd| pd.turns).map(|pd| {
        let curb: Vec<(Approach, bool)> = (input.pickups.iter().enumerate())
            .filter(|&(pi, _)| pd.usable[nf + pi])
            .filter_map(|(pi, p)| {
                let at = pd.snaps[nf + pi].on_road()?;
                (pickup_side(p, &pd.graph, at, pd.turns) == StopSide::Curb)
                    .then_some((pd.approaches[nf + pi], p.side.is_none()))
            })
            .collect();
        ProfileTurns {
            profile: pd.name.clone(),
            restrictions: pd.graph.turn_data().stats.clone(),
            turn_graph: pd.router().turn_stats().cloned().unwrap_or_default(),
            curb_pickups: curb.len(),
            curb_directed: curb.iter().filter(|c| c.0 != Approach::Either).count(),
            curb_by_default: curb.iter().filter(|c| c.1).count(),
        }
    });
    let turns: Vec<ProfileTurns> = turns.collect();
    (!turns.is_empty()).then_some(turns)
}

/// The side pickup `p`, snapped at `at` on `g`, is served from: the
/// pickups file's `side` if it has one; else, on the turn-aware graph
/// (`turns`) only, `curb` on the roads [`crate::graph::RoadClass::curb_by_default`]
/// names (primary roads and above, dual carriageways); else `either`.
/// [`super::prepare`] turns it into the approaches the matrices use.
pub(crate) fn pickup_side(p: &Pickup, g: &RoadGraph, at: &SnappedPoint, turns: bool) -> StopSide {
    StopSide::resolve(p.side, turns && g.edge_class(at.edge).curb_by_default())
}

/// The side of the vehicle the input point `(lat, lon)`, snapped at `p`,
/// lies on when `leg` arrives at `p` (`None` if the leg ends elsewhere).
pub(crate) fn arrival_side(
    g: &RoadGraph,
    input: (f64, f64),
    p: &SnappedPoint,
    leg: &Leg,
) -> Option<Side> {
    let &(edge, forward) = leg.edges.last()?;
    if edge != p.edge {
        return None;
    }
    let side = g.side_of(input, p);
    Some(if forward { side } else { side.mirrored() })
}

/// The trips of a route with `stops` (breaks included) whose physical
/// stops are joined by `legs` (a leg without a path adds nothing): a trip
/// ends at an unload, but the last unload's trip goes on to the depot.
/// Positions are rounded to 6 decimals, kilometres to 3.
pub(crate) fn trips_of(stops: &[PlannedStop], legs: &[Option<Leg>]) -> Vec<Trip> {
    let physical: Vec<&PlannedStop> = stops.iter().filter(|s| s.kind != StopKind::Break).collect();
    let empty = |trip: usize| Trip {
        trip,
        geometry: Vec::new(),
        km: 0.0,
        pickups: 0,
        load_kg: 0.0,
        facility: String::new(),
    };
    let mut trips: Vec<Trip> = Vec::new();
    let mut cur = empty(1);
    for (k, leg) in legs.iter().enumerate() {
        if let Some(l) = leg {
            let skip = usize::from(!cur.geometry.is_empty());
            cur.geometry.extend(
                l.geometry
                    .iter()
                    .skip(skip)
                    .map(|&(x, y)| (round(x, 6), round(y, 6))),
            );
            cur.km += l.distance_m as f64 / 1000.0;
        }
        let to = physical[k + 1];
        if to.kind == StopKind::Pickup {
            cur.pickups += 1;
            cur.load_kg += to.demand_kg;
        }
        let last_leg = k + 1 == legs.len();
        if to.kind == StopKind::Facility && !last_leg {
            cur.facility = to.id.clone();
            let is_final = physical[k + 2..].iter().all(|s| s.kind != StopKind::Pickup);
            if !is_final {
                cur.km = round(cur.km, 3);
                let next = empty(cur.trip + 1);
                trips.push(std::mem::replace(&mut cur, next));
            }
        }
    }
    cur.km = round(cur.km, 3);
    trips.push(cur);
    trips
}

/// Stage: for each target in `cov` (zones) and `cov_stream` (streams) that
/// is not met, one sentence: the shares reached and the pickups of that
/// zone or stream left out, by reason ([`left_out_by_reason`]).
pub(crate) fn blockers(
    cov: &BTreeMap<Zone, Coverage>,
    cov_stream: &BTreeMap<Stream, Coverage>,
    unserved: &[Unserved],
) -> Vec<String> {
    let sentence = |name: &str, c: &Coverage, left: String| {
        format!(
            "{name} target {:.0}% not met ({:.1}% of points, {:.1}% of demand served): {left}",
            c.target * 100.0,
            c.share_points * 100.0,
            c.share_demand * 100.0,
        )
    };
    let zones = (cov.iter().filter(|(_, c)| !c.met)).map(|(z, c)| {
        let left = left_out_by_reason(unserved.iter().filter(|u| u.zone == *z));
        sentence(z.name(), c, left)
    });
    let streams = (cov_stream.iter().filter(|(_, c)| !c.met)).map(|(s, c)| {
        let left = left_out_by_reason(unserved.iter().filter(|u| u.stream == *s));
        sentence(s.name(), c, left)
    });
    zones.chain(streams).collect()
}

/// The pickups `left` per reason: how many, the first five ids, and the
/// first one's detail as an example.
fn left_out_by_reason<'a>(left: impl Iterator<Item = &'a Unserved>) -> String {
    let mut by: BTreeMap<UnservedReason, Vec<&Unserved>> = BTreeMap::new();
    for u in left {
        by.entry(u.reason).or_default().push(u);
    }
    by.iter()
        .map(|(r, us)| {
            let ids: Vec<&str> = us.iter().take(5).map(|u| u.id.as_str()).collect();
            let more = if us.len() > 5 {
                format!(" and {} more", us.len() - 5)
            } else {
                String::new()
            };
            let example = us
                .first()
                .map_or(String::new(), |u| format!("; {}: {}", u.id, u.detail));
            format!(
                "{} {} ({}{more}{example})",
                us.len(),
                r.label(),
                ids.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The figures of route `r` in the summary.
pub(crate) fn route_summary(r: &PlannedRoute) -> RouteSummary {
    let count = |kind: StopKind| r.stops.iter().filter(|s| s.kind == kind).count();
    RouteSummary {
        vehicle: r.vehicle.clone(),
        vehicle_type: r.vehicle_type.clone(),
        start: format_time(r.start),
        end: format_time(r.end),
        trips: count(StopKind::Facility),
        pickups: count(StopKind::Pickup),
        load_kg: r.load_kg,
        km: r.km,
        hours: r.hours,
        cost: r.cost,
    }
}

/// Stage: the summary of a plan with `routes` and `unserved` pickups:
/// coverage against the fleet's targets, blockers, totals, per-route
/// figures and the checker's verdict. The run's figures (seed, threads,
/// iterations, timings, inputs) are left for the caller to fill in.
pub(crate) fn summary(
    input: &PlanInput,
    routes: &[PlannedRoute],
    unserved: &[Unserved],
    violations: Vec<PlanViolation>,
    feasible: bool,
) -> Summary {
    let unserved_ids: HashSet<&str> = unserved.iter().map(|u| u.id.as_str()).collect();
    let (cov, cov_stream) = coverage_tables(input, &|id: &str| !unserved_ids.contains(id));
    let blockers = blockers(&cov, &cov_stream, unserved);
    let mut by_reason = BTreeMap::new();
    for u in unserved {
        *by_reason.entry(u.reason).or_insert(0) += 1;
    }
    let mut by_type = BTreeMap::new();
    for r in routes {
        *by_type.entry(r.vehicle_type.clone()).or_insert(0) += 1;
    }
    let route_summaries: Vec<RouteSummary> = routes.iter().map(route_summary).collect();
    Summary {
        schema_version: SCHEMA_VERSION,
        targets_met: blockers.is_empty(),
        coverage: cov,
        coverage_by_stream: cov_stream,
        blockers,
        unserved: unserved.to_vec(),
        unserved_by_reason: by_reason,
        vehicles_used: routes.len(),
        vehicles_by_type: by_type,
        trips: route_summaries.iter().map(|r| r.trips).sum(),
        km: round(routes.iter().map(|r| r.km).sum(), 3),
        hours: round(routes.iter().map(|r| r.hours).sum(), 4),
        cost: round(routes.iter().map(|r| r.cost).sum(), 2),
        routes: route_summaries,
        feasible,
        violations,
        seed: 0,
        threads: 1,
        iterations: 0,
        stopped_by: String::new(),
        runtime_s: 0.0,
        phases: PhaseTimes::default(),
        phases_peak_rss_mb: PhasePeaks::default(),
        peak_rss_mb: crate::peak_rss_mb(),
        inputs: InputFiles::default(),
        recombination: None,
        turns: None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{PlanInput, PlanOptions, Solved, finish, prepare_input, solve_problem};
    use super::*;
    use crate::model::check;
    use crate::solver::{Silent, SolveParams};
    use std::time::Instant;

    /// The Monaco fixture, prepared and solved in a few iterations, with
    /// the checker's report.
    fn solved() -> (&'static PlanInput, Prepared<'static>, Solution, CheckReport) {
        let (input, _, prep, solution) = fixture();
        let checked = check(&prep.problem, &solution);
        (input, prep, solution, checked)
    }

    /// The Monaco fixture with the options it is solved with, prepared and
    /// solved.
    fn fixture() -> (&'static PlanInput, PlanOptions, Prepared<'static>, Solution) {
        // Leaked so that the prepared stage may borrow it for the test.
        let input: &'static PlanInput = Box::leak(Box::new(super::super::tests::monaco()));
        let opts = PlanOptions {
            params: SolveParams::for_plans(),
            iterations: Some(30),
            recombine: false,
            ..PlanOptions::default()
        };
        let prep = prepare_input(input, &opts).unwrap();
        let solution = solve_problem(&prep.problem, &opts, None, None, &mut Silent)
            .unwrap()
            .solution;
        (input, opts, prep, solution)
    }

    fn stop(kind: StopKind, id: &str, demand_kg: f64) -> PlannedStop {
        PlannedStop {
            kind,
            id: id.into(),
            name: id.into(),
            trip: 1,
            seq: 0,
            arrival: 0,
            departure: 0,
            load_kg: 0.0,
            load_m3: 0.0,
            km: 0.0,
            lat: 0.0,
            lon: 0.0,
            demand_kg,
            zone: None,
            stream: None,
            side: None,
            required_side: None,
        }
    }

    /// Stops from `spec`, words separated by spaces: `D` the depot, `_`
    /// the break, `id:kg` a pickup, any other word an unload there.
    fn stops(spec: &str) -> Vec<PlannedStop> {
        (spec.split(' '))
            .map(|w| match w.split_once(':') {
                Some((id, kg)) => stop(StopKind::Pickup, id, kg.parse().unwrap()),
                None if w == "D" => stop(StopKind::Depot, w, 0.0),
                None if w == "_" => stop(StopKind::Break, "", 0.0),
                None => stop(StopKind::Facility, w, 0.0),
            })
            .collect()
    }

    /// Legs of `metres` each (none for `None`), leg `k` drawn from
    /// `(k, 0)` to `(k + 1, 0.123456789)`.
    fn legs(metres: &[Option<i64>]) -> Vec<Option<Leg>> {
        (metres.iter().enumerate())
            .map(|(k, m)| {
                let x = k as f64;
                m.map(|m| Leg {
                    duration_s: m,
                    distance_m: m,
                    edges: Vec::new(),
                    geometry: vec![(x, 0.0), (x + 1.0, 0.123_456_789)],
                })
            })
            .collect()
    }

    #[test]
    fn trips_end_at_unloads_but_the_last_goes_on_to_the_depot() {
        let stops_ = stops("D p1:10 _ p2:20 A p3:5 B D");
        let legs_ = legs(&[
            Some(1000),
            Some(1500),
            Some(500),
            Some(700),
            None,
            Some(2000),
        ]);
        let trips = trips_of(&stops_, &legs_);
        assert_eq!(trips.len(), 2);
        let (a, b) = (&trips[0], &trips[1]);
        let figures = |t: &Trip| (t.trip, t.pickups, t.load_kg, t.facility.clone(), t.km);
        assert_eq!(figures(a), (1, 2, 30.0, "A".into(), 3.0));
        // Consecutive legs share their end points; positions are rounded.
        assert_eq!(a.geometry.len(), 4);
        assert_eq!(a.geometry[1], (1.0, 0.123457));
        assert_eq!(figures(b), (2, 1, 5.0, "B".into(), 2.7));
        // An unload followed by no pickup does not start a trip.
        let trips = trips_of(&stops("D p1:10 A B D"), &legs(&[Some(1000); 4]));
        assert_eq!(trips.len(), 1);
        assert_eq!(figures(&trips[0]), (1, 1, 10.0, "B".into(), 4.0));
    }

    fn unserved(id: &str, zone: Zone, stream: Stream, reason: UnservedReason) -> Unserved {
        Unserved {
            id: id.into(),
            name: String::new(),
            reason,
            detail: format!("why {id}"),
            zone,
            stream,
            demand_kg: 1.0,
            required: false,
            lat: 0.0,
            lon: 0.0,
        }
    }

    #[test]
    fn blockers_name_each_missed_target_with_its_pickups_by_reason() {
        let cov = |share: f64, target: f64| coverage([(1.0, share >= 1.0)].into_iter(), target);
        let zones = BTreeMap::from([(Zone::Urban, cov(1.0, 1.0)), (Zone::Rural, cov(0.0, 0.95))]);
        let streams = BTreeMap::from([(Stream::Medical, cov(0.0, 1.0))]);
        let mut left: Vec<Unserved> = (0..7)
            .map(|k| {
                unserved(
                    &format!("R{k}"),
                    Zone::Rural,
                    Stream::Household,
                    UnservedReason::Fleet,
                )
            })
            .collect();
        left.push(unserved(
            "M",
            Zone::Urban,
            Stream::Medical,
            UnservedReason::Closures,
        ));
        let b = blockers(&zones, &streams, &left);
        assert_eq!(b.len(), 2, "{b:?}");
        assert!(
            b[0].starts_with("rural target 95% not met (0.0% of points"),
            "{}",
            b[0]
        );
        assert!(
            b[0].contains("7 ") && b[0].contains("R0, R1, R2, R3, R4 and 2 more; R0: why R0"),
            "{}",
            b[0]
        );
        assert!(b[1].starts_with("medical target 100% not met"), "{}", b[1]);
        assert!(
            b[1].contains("(M; M: why M)") && !b[1].contains("R0"),
            "{}",
            b[1]
        );
        assert!(blockers(&BTreeMap::new(), &BTreeMap::new(), &left).is_empty());
    }

    #[test]
    fn the_stages_give_consistent_timetables_unserved_pickups_and_summary() {
        let (input, prep, mut solution, checked) = solved();
        let p = &prep.problem;
        assert!(!solution.routes.is_empty());
        // Timetables follow the schedule and the checker's distances.
        for (ri, (route, rr)) in solution.routes.iter().zip(&checked.routes).enumerate() {
            let tt = timetable(input, &prep, p, route, ri + 1, rr);
            let r = &tt.route;
            let sched = schedule(p, route);
            assert_eq!(r.stops.len(), route.visits.len() + 2);
            assert_eq!(r.stops[0].kind, StopKind::Depot);
            assert_eq!(r.stops.last().unwrap().kind, StopKind::Depot);
            assert_eq!((r.start, r.end), (sched.depart, sched.end));
            assert!(r.vehicle.ends_with(&format!("-{}", ri + 1)));
            for (k, s) in r.stops.iter().enumerate() {
                assert_eq!(s.seq, k);
                if k > 0 {
                    assert!(s.km >= r.stops[k - 1].km && s.arrival >= r.stops[k - 1].departure);
                }
                if s.kind == StopKind::Facility {
                    assert_eq!(s.load_kg, 0.0);
                    // The drive back to the depot belongs to the last trip.
                    let next = if k + 2 == r.stops.len() {
                        s.trip
                    } else {
                        s.trip + 1
                    };
                    assert_eq!(r.stops[k + 1].trip, next);
                }
            }
            assert!((r.stops.last().unwrap().km - r.km).abs() < 1e-9);
            let breaks = route
                .visits
                .iter()
                .filter(|v| matches!(v, Visit::Break))
                .count();
            assert_eq!(tt.points.len(), r.stops.len() - breaks);
            let rs = route_summary(r);
            assert_eq!(
                rs.trips,
                route
                    .visits
                    .iter()
                    .filter(|v| matches!(v, Visit::Unload(_)))
                    .count()
            );
            assert_eq!(rs.pickups, route.clients().count());
        }
        // A pickup the search left out is listed, by id, with the reason.
        let c = solution.routes[0].clients().next().unwrap();
        solution.routes[0].visits.retain(|v| *v != Visit::Client(c));
        solution.unassigned.push(c);
        let left = unserved_pickups(input, &prep, p, &solution);
        assert_eq!(left.len(), prep.unserved.len() + solution.unassigned.len());
        assert!(left.windows(2).all(|w| w[0].id <= w[1].id));
        let id = &input.pickups[prep.client_pickup[c]].id;
        let u = left.iter().find(|u| &u.id == id).unwrap();
        assert_eq!(u.reason, UnservedReason::Fleet);
        // The summary adds up the routes and counts what is left out.
        let checked = check(p, &solution);
        let mut nth = vec![0; p.vehicle_types().len()];
        let mut tts: Vec<Timetable> = (solution.routes.iter())
            .zip(&checked.routes)
            .map(|(route, rr)| {
                nth[route.vehicle_type] += 1;
                timetable(input, &prep, p, route, nth[route.vehicle_type], rr)
            })
            .collect();
        road_geometry(&prep, &solution, &mut tts);
        for tt in &tts {
            let r = &tt.route;
            assert!(!r.trips.is_empty() && r.trips.iter().all(|t| t.geometry.len() >= 2));
            let km: f64 = r.trips.iter().map(|t| t.km).sum();
            assert!(
                (km - r.km).abs() < 0.01 * r.trips.len() as f64,
                "{km} {}",
                r.km
            );
            let pickups: usize = r.trips.iter().map(|t| t.pickups).sum();
            assert_eq!(pickups, route_summary(r).pickups);
        }
        let routes: Vec<PlannedRoute> = tts.into_iter().map(|t| t.route).collect();
        let s = summary(input, &routes, &left, Vec::new(), true);
        assert_eq!(s.vehicles_used, routes.len());
        assert_eq!(s.vehicles_by_type.values().sum::<usize>(), routes.len());
        assert_eq!(s.unserved_by_reason.values().sum::<usize>(), left.len());
        assert_eq!(s.trips, s.routes.iter().map(|r| r.trips).sum::<usize>());
        assert!((s.km - routes.iter().map(|r| r.km).sum::<f64>()).abs() < 1e-6);
        assert_eq!(s.targets_met, s.blockers.is_empty());
        let served = |id: &str| !left.iter().any(|u| u.id == id);
        let n_served = input.pickups.iter().filter(|pk| served(&pk.id)).count();
        let cov_served: usize = s.coverage.values().map(|c| c.points_served).sum();
        assert_eq!(cov_served, n_served);
    }

    #[test]
    fn violations_name_the_rule_the_vehicle_and_the_facility() {
        let (input, opts, prep, solution) = fixture();
        // The same routes judged by stricter rules: the transfer station
        // takes 10 kg a day, and routes may last 10 minutes.
        let mut strict = prep.problem.clone();
        let ts = strict
            .facilities
            .iter()
            .position(|f| f.name == "TS")
            .unwrap();
        strict.facilities[ts].daily_capacity = 10;
        for t in &mut strict.vehicle_types {
            t.max_duration = 600;
        }
        let p = finish(
            input,
            &prep,
            &strict,
            Solved::from_solution(solution),
            &opts,
            Instant::now(),
            0.0,
        )
        .unwrap();
        let s = &p.summary;
        assert!(!s.feasible);
        assert_eq!(s.violations.len(), p.check.violations.len());
        let fac: Vec<_> = s
            .violations
            .iter()
            .filter(|v| v.kind == "facility_capacity")
            .collect();
        assert_eq!(fac.len(), 1, "{:?}", s.violations);
        assert_eq!(fac[0].vehicle, None);
        assert!(
            fac[0].detail.starts_with("TS receives ")
                && fac[0]
                    .detail
                    .contains("more than its daily capacity of 10 kg"),
            "{}",
            fac[0].detail
        );
        let long: Vec<_> = s
            .violations
            .iter()
            .filter(|v| v.kind == "duration")
            .collect();
        assert_eq!(long.len(), p.routes.len(), "{:?}", s.violations);
        for (v, r) in long.iter().zip(&p.routes) {
            assert_eq!(v.vehicle.as_deref(), Some(r.vehicle.as_str()));
            assert!(
                v.detail.contains("longer than its longest shift"),
                "{}",
                v.detail
            );
        }
        let json = serde_json::to_value(s).unwrap();
        assert_eq!(json["schema_version"], 2);
        assert_eq!(json["violations"][0]["kind"], s.violations[0].kind.as_str());
    }

    #[test]
    fn pickups_without_a_side_are_curb_side_on_primary_roads_with_turns_only() {
        use crate::graph::{Profile, Snap};
        use crate::io::osm::{OsmRoads, OsmWay};
        use std::path::Path;
        // A two-way primary road along the equator (nodes 1 to 5, 111 m
        // apart), then a residential street (5 to 9).
        let way = |id, nodes: &[i64], highway: &str| OsmWay {
            id,
            nodes: nodes.to_vec(),
            tags: vec![("highway".to_string(), highway.to_string())],
        };
        let roads = OsmRoads::from_parts(
            vec![
                way(10, &[1, 2, 3, 4, 5], "primary"),
                way(11, &[5, 6, 7, 8, 9], "residential"),
            ],
            (1..=9).map(|i| (i, 0.0, i as f64 * 0.001)).collect(),
            std::collections::HashMap::new(),
        );
        let (g, _) = RoadGraph::from_roads(&roads, &Profile::truck()).unwrap();
        // South of the road: on the right driving east (the edge's tail is
        // west). A and B on the primary road, C on the residential street.
        let pickups = crate::io::plan::read_pickups_str(
            Path::new("p.csv"),
            "id,lat,lon,zone,demand_kg,side\n\
             A,-0.0001,0.002,urban,10,\n\
             B,-0.0001,0.003,urban,10,either\n\
             C,-0.0001,0.007,urban,10,\n\
             D,-0.0001,0.008,urban,10,curb\n",
        )
        .unwrap();
        let snaps = g
            .snap(
                &pickups.iter().map(|p| (p.lat, p.lon)).collect::<Vec<_>>(),
                50.0,
            )
            .unwrap();
        let sides = |turns: bool| -> Vec<StopSide> {
            (pickups.iter().zip(&snaps))
                .map(|(p, s)| {
                    let Snap::OnRoad(at) = s else {
                        panic!("{} off the road", p.id)
                    };
                    pickup_side(p, &g, at, turns)
                })
                .collect()
        };
        use StopSide::{Curb, Either};
        // With turns: A by its road, B and D by their own side, C by its road.
        assert_eq!(sides(true), [Curb, Either, Either, Curb]);
        // Without turns the road's default is not applied.
        assert_eq!(sides(false), [Either, Either, Either, Curb]);
        // A curb-side pickup south of an eastward edge is reached eastward.
        let a = snaps[0].on_road().unwrap();
        assert!(g.edge_class(a.edge).curb_by_default());
        assert_eq!(
            Approach::curb(&g, (pickups[0].lat, pickups[0].lon), a),
            Approach::Forward
        );
    }
}
