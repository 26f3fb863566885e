//! Turning a solution into what dispatchers read: each vehicle's stops with
//! times and loads, the road geometry of each trip, coverage per zone and
//! stream against the targets, and the unserved pickups with reasons.

use super::folder::{
    Coverage, PhasePeaks, PhaseTimes, PlanViolation, RouteSummary, SCHEMA_VERSION, StopKind,
    Summary,
};
use super::prepare::Prepared;
use super::{InputFiles, Plan, PlanInput, Unserved, UnservedReason};
use crate::Result;
use crate::domain::{Stream, Zone, format_time};
use crate::graph::SnappedPoint;

use crate::model::{
    CheckReport, Load, Problem, Solution, UNLIMITED, Violation, Visit, schedule,
    unloaded_per_facility,
};
use serde::Serialize;
use std::collections::BTreeMap;

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
}

/// One trip's road geometry: from the depot or the previous unload to its
/// unload (the last trip includes the drive back to the depot).
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    if !sites.is_empty() && sites.iter().all(|&f| full(f)) {
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

pub(crate) fn build(
    input: &PlanInput,
    prep: &Prepared,
    p: &crate::model::Problem,
    solution: Solution,
    checked: CheckReport,
) -> Result<Plan> {
    let nf = input.facilities.len();
    let fleet = &input.fleet.spec;
    // Unserved: the pickups that never entered the problem, then those the
    // search left out.
    let mut unserved = prep.unserved.clone();
    let got = unloaded_per_facility(p, &solution.routes);
    for &c in &solution.unassigned {
        let (reason, detail) = left_out(input, prep, p, &got, c);
        unserved.push(Unserved::new(input, prep.client_pickup[c], reason, detail));
    }
    unserved.sort_by(|a, b| a.id.cmp(&b.id));
    let unserved_ids: std::collections::HashSet<&str> =
        unserved.iter().map(|u| u.id.as_str()).collect();

    // Routes: stops, timetable, loads, km.
    let mut routes = Vec::new();
    let mut per_type = vec![0usize; fleet.vehicle.len()];
    let mut legs_needed: Vec<(usize, Vec<usize>)> = Vec::new(); // (route, point sequence)
    for (ri, route) in solution.routes.iter().enumerate() {
        let vt = route.vehicle_type;
        per_type[vt] += 1;
        let t = &p.vehicle_types()[vt];
        let sched = schedule(p, route);
        let depot_rec = prep.depot_rec[t.start_depot];
        let dep = &input.facilities[depot_rec];
        let prof = &p.profiles()[t.profile];
        let mut stops = Vec::new();
        let (mut load_kg, mut load_m3, mut m) = (0.0, 0.0, 0i64);
        let mut trip = 1;
        let mut last_loc = p.depots()[t.start_depot].location;
        let mut last_pos = (dep.lat, dep.lon);
        let mut seq_points = vec![depot_rec];
        stops.push(PlannedStop {
            kind: StopKind::Depot,
            id: dep.id.clone(),
            name: dep.id.clone(),
            trip: 1,
            seq: 0,
            arrival: sched.depart,
            departure: sched.depart,
            load_kg: 0.0,
            load_m3: 0.0,
            km: 0.0,
            lat: dep.lat,
            lon: dep.lon,
            demand_kg: 0.0,
            zone: None,
            stream: None,
        });
        for (k, v) in route.visits.iter().enumerate() {
            let times = sched.stops[k];
            let (kind, id, name, pos, demand, zone, stream, next_trip) = match *v {
                Visit::Client(c) => {
                    let pk = &input.pickups[prep.client_pickup[c]];
                    let loc = p.clients()[c].location;
                    m += prof.distance.get(last_loc, loc);
                    last_loc = loc;
                    load_kg += pk.demand_kg;
                    load_m3 += pk.volume_m3;
                    seq_points.push(prep.loc_point[loc]);
                    (
                        StopKind::Pickup,
                        pk.id.clone(),
                        pk.name.clone(),
                        (pk.lat, pk.lon),
                        pk.demand_kg,
                        Some(pk.zone),
                        Some(pk.stream),
                        false,
                    )
                }
                Visit::Unload(f) => {
                    let fr = &input.facilities[prep.facility_rec[f]];
                    let loc = p.facilities()[f].location;
                    m += prof.distance.get(last_loc, loc);
                    last_loc = loc;
                    load_kg = 0.0;
                    load_m3 = 0.0;
                    seq_points.push(prep.loc_point[loc]);
                    (
                        StopKind::Facility,
                        fr.id.clone(),
                        format!("{} ({})", fr.id, fr.kind.name()),
                        (fr.lat, fr.lon),
                        0.0,
                        None,
                        None,
                        true,
                    )
                }
                Visit::Break => (
                    StopKind::Break,
                    String::new(),
                    "break".into(),
                    last_pos,
                    0.0,
                    None,
                    None,
                    false,
                ),
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
            });
            if next_trip {
                trip += 1;
            }
        }
        m += prof
            .distance
            .get(last_loc, p.depots()[t.end_depot].location);
        let end_rec = prep.depot_rec[t.end_depot];
        let end_dep = &input.facilities[end_rec];
        seq_points.push(end_rec);
        let n_trips = route
            .visits
            .iter()
            .filter(|v| matches!(v, Visit::Unload(_)))
            .count()
            .max(1);
        stops.push(PlannedStop {
            kind: StopKind::Depot,
            id: end_dep.id.clone(),
            name: end_dep.id.clone(),
            trip: n_trips,
            seq: stops.len(),
            arrival: sched.end,
            departure: sched.end,
            load_kg: round(load_kg, 3),
            load_m3: round(load_m3, 3),
            km: round(m as f64 / 1000.0, 3),
            lat: end_dep.lat,
            lon: end_dep.lon,
            demand_kg: 0.0,
            zone: None,
            stream: None,
        });
        let rr = &checked.routes[ri];
        let v = &fleet.vehicle[vt];
        routes.push(PlannedRoute {
            vehicle: format!("{}-{}", v.name, per_type[vt]),
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
        });
        legs_needed.push((ri, seq_points));
    }

    // Road geometry: one leg per pair of consecutive physical stops.
    for (pi, pd) in prep.profiles.iter().enumerate() {
        let router = pd.router();
        let snapped = |pt: usize| -> Option<SnappedPoint> { pd.snaps[pt].on_road().cloned() };
        for (ri, seq) in &legs_needed {
            let vt = solution.routes[*ri].vehicle_type;
            if prep.type_profile[vt] != pi {
                continue;
            }
            let pairs: Vec<(SnappedPoint, SnappedPoint)> = seq
                .windows(2)
                .filter_map(|w| Some((snapped(w[0])?, snapped(w[1])?)))
                .collect();
            let legs = router.routes(&pairs);
            // Split legs into trips at unloads.
            let route = &mut routes[*ri];
            let physical: Vec<&PlannedStop> = route
                .stops
                .iter()
                .filter(|s| s.kind != StopKind::Break)
                .collect();
            let mut trips: Vec<Trip> = Vec::new();
            let mut cur = Trip {
                trip: 1,
                geometry: Vec::new(),
                km: 0.0,
                pickups: 0,
                load_kg: 0.0,
                facility: String::new(),
            };
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
                    let next_no = cur.trip + 1;
                    let is_final = physical[k + 2..].iter().all(|s| s.kind != StopKind::Pickup);
                    if !is_final {
                        cur.km = round(cur.km, 3);
                        trips.push(std::mem::replace(
                            &mut cur,
                            Trip {
                                trip: next_no,
                                geometry: Vec::new(),
                                km: 0.0,
                                pickups: 0,
                                load_kg: 0.0,
                                facility: String::new(),
                            },
                        ));
                    }
                }
            }
            cur.km = round(cur.km, 3);
            trips.push(cur);
            route.trips = trips;
        }
    }

    // Coverage per zone and stream.
    let (cov, cov_stream) = coverage_tables(input, &|id: &str| !unserved_ids.contains(id));
    let mut blockers = Vec::new();
    let describe = |pred: &dyn Fn(&Unserved) -> bool| -> String {
        let mut by: BTreeMap<UnservedReason, Vec<&Unserved>> = BTreeMap::new();
        for u in unserved.iter().filter(|u| pred(u)) {
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
    };
    for (z, c) in &cov {
        if !c.met {
            blockers.push(format!(
                "{} target {:.0}% not met ({:.1}% of points, {:.1}% of demand served): {}",
                z.name(),
                c.target * 100.0,
                c.share_points * 100.0,
                c.share_demand * 100.0,
                describe(&|u: &Unserved| u.zone == *z)
            ));
        }
    }
    for (s, c) in &cov_stream {
        if !c.met {
            blockers.push(format!(
                "{} target {:.0}% not met ({:.1}% of points, {:.1}% of demand served): {}",
                s.name(),
                c.target * 100.0,
                c.share_points * 100.0,
                c.share_demand * 100.0,
                describe(&|u: &Unserved| u.stream == *s)
            ));
        }
    }
    let mut by_reason = BTreeMap::new();
    for u in &unserved {
        *by_reason.entry(u.reason).or_insert(0) += 1;
    }
    let mut by_type = BTreeMap::new();
    for (k, &n) in per_type.iter().enumerate() {
        if n > 0 {
            by_type.insert(fleet.vehicle[k].name.clone(), n);
        }
    }
    let route_summaries: Vec<RouteSummary> = routes
        .iter()
        .map(|r| RouteSummary {
            vehicle: r.vehicle.clone(),
            vehicle_type: r.vehicle_type.clone(),
            start: format_time(r.start),
            end: format_time(r.end),
            trips: r
                .stops
                .iter()
                .filter(|s| s.kind == StopKind::Facility)
                .count(),
            pickups: r
                .stops
                .iter()
                .filter(|s| s.kind == StopKind::Pickup)
                .count(),
            load_kg: r.load_kg,
            km: r.km,
            hours: r.hours,
            cost: r.cost,
        })
        .collect();
    let summary = Summary {
        schema_version: SCHEMA_VERSION,
        targets_met: blockers.is_empty(),
        coverage: cov,
        coverage_by_stream: cov_stream,
        blockers,
        unserved: unserved.clone(),
        unserved_by_reason: by_reason,
        vehicles_used: routes.len(),
        vehicles_by_type: by_type,
        trips: route_summaries.iter().map(|r| r.trips).sum(),
        km: round(routes.iter().map(|r| r.km).sum(), 3),
        hours: round(routes.iter().map(|r| r.hours).sum(), 4),
        cost: round(routes.iter().map(|r| r.cost).sum(), 2),
        routes: route_summaries,
        feasible: checked.is_feasible(),
        violations: plan_violations(input, prep, p, &solution, &routes, &checked),
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
    };
    let _ = nf;
    Ok(Plan {
        summary,
        routes,
        unserved,
        problem: p.clone(),
        solution,
        check: checked,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{PlanInput, PlanOptions, Solved, finish, prepare_input, solve_problem};
    use crate::solver::{Silent, SolveParams};
    use std::path::PathBuf;
    use std::time::Instant;

    fn data(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name)
    }

    #[test]
    fn violations_name_the_rule_the_vehicle_and_the_facility() {
        let input = PlanInput::load(
            &data("monaco-latest.osm.pbf"),
            &data("plan/pickups.csv"),
            &data("plan/facilities.csv"),
            &data("plan/fleet.toml"),
            None,
        )
        .unwrap();
        let opts = PlanOptions {
            params: SolveParams::for_plans(),
            iterations: Some(30),
            recombine: false,
            ..PlanOptions::default()
        };
        let prep = prepare_input(&input, &opts).unwrap();
        let solved = solve_problem(&prep.problem, &opts, None, None, &mut Silent).unwrap();
        let solution = solved.solution;
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
            &input,
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
}
