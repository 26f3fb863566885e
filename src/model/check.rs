//! An independent feasibility checker and cost calculator.
//!
//! It shares no code with the solver: it walks each route once, simulating the
//! schedule (earliest departure, waiting allowed, no time warp) and the load of
//! each trip, and recomputes the cost from the matrices. Tests and benchmarks
//! use it to judge every solution the solver returns.

use super::*;
use std::fmt;

/// One way a solution breaks the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// A client index outside the problem.
    UnknownClient(usize),
    /// A client appears more than once (in routes or the unassigned list).
    Duplicate(usize),
    /// A client is neither in a route nor in the unassigned list.
    Missing(usize),
    /// A required client is unassigned.
    RequiredUnassigned(usize),
    /// The solution does not choose one valid pattern per pattern group.
    BadPatterns,
    /// A client of a pattern not chosen is routed or listed as unassigned.
    NotWanted(usize),
    /// A route refers to a vehicle type or facility that does not exist.
    BadReference(usize),
    /// More routes of a vehicle type than it has vehicles.
    TooManyVehicles {
        /// The vehicle type.
        vehicle_type: usize,
        /// Routes used.
        used: usize,
    },
    /// A trip carries more than the capacity in some dimension.
    Capacity {
        /// Route index.
        route: usize,
        /// Trip index within the route (0-based).
        trip: usize,
        /// The excess load in the dimension that overflows most.
        excess: Load,
    },
    /// The day's total load exceeds the vehicle's daily capacity.
    DailyCapacity {
        /// Route index.
        route: usize,
    },
    /// More clients than the vehicle may serve per day.
    TooManyStops {
        /// Route index.
        route: usize,
    },
    /// More unloads than allowed.
    TooManyReloads {
        /// Route index.
        route: usize,
    },
    /// The route does not end with an unload although its type must.
    NoFinalUnload {
        /// Route index.
        route: usize,
    },
    /// A vehicle carries a client of a stream it may not carry.
    StreamVehicle {
        /// Route index.
        route: usize,
        /// The client.
        client: usize,
    },
    /// A facility receives a stream it does not accept.
    StreamFacility {
        /// Route index.
        route: usize,
        /// The facility.
        facility: usize,
    },
    /// A visit starts after its time window closes.
    Late {
        /// Route index.
        route: usize,
        /// Position of the visit in the route (0-based, depots excluded;
        /// `visits.len()` is the end depot).
        position: usize,
        /// How late.
        by: Duration,
    },
    /// The break is missing, duplicated, or given to a type without one.
    Break {
        /// Route index.
        route: usize,
    },
    /// The route lasts longer than allowed.
    Duration {
        /// Route index.
        route: usize,
        /// By how much.
        excess: Duration,
    },
    /// A facility receives more than its daily capacity.
    FacilityCapacity {
        /// The facility.
        facility: usize,
        /// By how much (first load dimension).
        excess: Load,
    },
    /// The route is longer than allowed.
    Distance {
        /// Route index.
        route: usize,
        /// By how much.
        excess: Distance,
    },
}

impl Violation {
    /// A short snake_case name of the rule broken (for outputs).
    pub fn kind(&self) -> &'static str {
        use Violation::*;
        match self {
            UnknownClient(_) => "unknown_client",
            Duplicate(_) => "duplicate",
            Missing(_) => "missing",
            RequiredUnassigned(_) => "required_unassigned",
            BadPatterns => "bad_patterns",
            NotWanted(_) => "not_wanted",
            BadReference(_) => "bad_reference",
            TooManyVehicles { .. } => "too_many_vehicles",
            Capacity { .. } => "capacity",
            DailyCapacity { .. } => "daily_capacity",
            TooManyStops { .. } => "too_many_stops",
            TooManyReloads { .. } => "too_many_unloads",
            NoFinalUnload { .. } => "no_final_unload",
            StreamVehicle { .. } => "stream_vehicle",
            StreamFacility { .. } => "stream_facility",
            Late { .. } => "late",
            Break { .. } => "break",
            Duration { .. } => "duration",
            FacilityCapacity { .. } => "facility_capacity",
            Distance { .. } => "distance",
        }
    }

    /// The index of the route that breaks the rule, for rules of one route.
    pub fn route(&self) -> Option<usize> {
        use Violation::*;
        match *self {
            Capacity { route, .. }
            | DailyCapacity { route }
            | TooManyStops { route }
            | TooManyReloads { route }
            | NoFinalUnload { route }
            | StreamVehicle { route, .. }
            | StreamFacility { route, .. }
            | Late { route, .. }
            | Break { route }
            | Duration { route, .. }
            | Distance { route, .. } => Some(route),
            BadReference(route) => Some(route),
            UnknownClient(_)
            | Duplicate(_)
            | Missing(_)
            | RequiredUnassigned(_)
            | BadPatterns
            | NotWanted(_)
            | TooManyVehicles { .. }
            | FacilityCapacity { .. } => None,
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Violation::*;
        match self {
            UnknownClient(c) => write!(f, "client index {c} does not exist"),
            Duplicate(c) => write!(f, "client {c} appears more than once"),
            Missing(c) => write!(f, "client {c} is neither routed nor listed as unassigned"),
            RequiredUnassigned(c) => write!(f, "required client {c} is not served"),
            BadPatterns => write!(f, "the solution does not choose one pattern per group"),
            NotWanted(c) => write!(f, "client {c} belongs to a pattern that was not chosen"),
            BadReference(r) => write!(f, "route {r} refers to a missing vehicle type or facility"),
            TooManyVehicles { vehicle_type, used } => {
                write!(
                    f,
                    "vehicle type {vehicle_type} used {used} times, more than it has"
                )
            }
            Capacity {
                route,
                trip,
                excess,
            } => {
                write!(f, "route {route} trip {trip} exceeds capacity by {excess}")
            }
            DailyCapacity { route } => write!(f, "route {route} exceeds the daily capacity"),
            TooManyStops { route } => write!(f, "route {route} has too many stops"),
            TooManyReloads { route } => write!(f, "route {route} unloads too often"),
            NoFinalUnload { route } => write!(f, "route {route} does not unload before returning"),
            StreamVehicle { route, client } => {
                write!(
                    f,
                    "route {route} carries client {client} of a stream its vehicle may not carry"
                )
            }
            StreamFacility { route, facility } => {
                write!(
                    f,
                    "route {route} unloads a stream at facility {facility} that it does not accept"
                )
            }
            Late {
                route,
                position,
                by,
            } => write!(f, "route {route} position {position} is late by {by}"),
            Break { route } => write!(f, "route {route} has a missing or extra break"),
            Duration { route, excess } => {
                write!(f, "route {route} is too long in time by {excess}")
            }
            Distance { route, excess } => {
                write!(f, "route {route} is too long in distance by {excess}")
            }
            FacilityCapacity { facility, excess } => {
                write!(
                    f,
                    "facility {facility} receives {excess} more than its daily capacity"
                )
            }
        }
    }
}

/// Figures and violations of one route.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RouteReport {
    /// Travel distance.
    pub distance: Distance,
    /// Duration from departure to return (departure as late as possible
    /// without delaying the return).
    pub duration: Duration,
    /// Departure from the depot (earliest-start schedule).
    pub start: Duration,
    /// Return to the depot.
    pub end: Duration,
    /// Number of trips (unloads, or 1 without unloads).
    pub trips: usize,
    /// Cost: fixed + distance + time.
    pub cost: Cost,
}

/// What [`check`] found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckReport {
    /// Every violation; empty means feasible.
    pub violations: Vec<Violation>,
    /// Total cost: used routes plus the prizes of unserved optional clients
    /// (saturating: never wraps around, even for absurd figures).
    pub cost: Cost,
    /// Total distance.
    pub distance: Distance,
    /// Total route duration.
    pub duration: Duration,
    /// Per-route figures, in the order of `solution.routes`.
    pub routes: Vec<RouteReport>,
}

impl CheckReport {
    /// True if no rule is broken.
    pub fn is_feasible(&self) -> bool {
        self.violations.is_empty()
    }
}

/// Checks one route on its own (not the rules between routes: fleet size,
/// facility capacities, every client once). Returns its figures, its
/// violations, and the load it unloads at each facility.
pub fn check_one_route(
    problem: &Problem,
    route: &Route,
) -> (RouteReport, Vec<Violation>, Vec<Load>) {
    let mut violations = Vec::new();
    let mut received = vec![0 as Load; problem.facilities.len()];
    let Some(vt) = problem.vehicle_types.get(route.vehicle_type) else {
        return (
            RouteReport::default(),
            vec![Violation::BadReference(0)],
            received,
        );
    };
    if route
        .visits
        .iter()
        .any(|v| matches!(v, Visit::Unload(f) if *f >= problem.facilities.len()))
        || route.clients().any(|c| c >= problem.clients.len())
    {
        return (
            RouteReport::default(),
            vec![Violation::BadReference(0)],
            received,
        );
    }
    let rr = check_route(problem, vt, 0, route, &mut violations, &mut received);
    (rr, violations, received)
}

/// Checks `solution` against every rule of `problem` and recomputes its cost.
pub fn check(problem: &Problem, solution: &Solution) -> CheckReport {
    let mut rep = CheckReport::default();
    let nc = problem.clients.len();
    let mut seen = vec![false; nc];
    // Clients of patterns not chosen must be neither routed nor unassigned.
    let wanted = problem.wanted(&solution.patterns).unwrap_or_else(|| {
        rep.violations.push(Violation::BadPatterns);
        vec![true; nc]
    });
    let mut mark = |c: usize, v: &mut Vec<Violation>| {
        if c >= nc {
            v.push(Violation::UnknownClient(c));
        } else if !wanted[c] {
            v.push(Violation::NotWanted(c));
        } else if seen[c] {
            v.push(Violation::Duplicate(c));
        } else {
            seen[c] = true;
        }
    };
    for route in &solution.routes {
        for c in route.clients() {
            mark(c, &mut rep.violations);
        }
    }
    for &c in &solution.unassigned {
        mark(c, &mut rep.violations);
        if c < nc && wanted[c] {
            if problem.clients[c].required {
                rep.violations.push(Violation::RequiredUnassigned(c));
            } else {
                rep.cost = rep.cost.saturating_add(problem.clients[c].prize);
            }
        }
    }
    for (c, s) in seen.iter().enumerate() {
        if !s && wanted[c] {
            rep.violations.push(Violation::Missing(c));
        }
    }
    let mut used = vec![0usize; problem.vehicle_types.len()];
    let mut received = vec![0 as Load; problem.facilities.len()];
    for (r, route) in solution.routes.iter().enumerate() {
        let Some(vt) = problem.vehicle_types.get(route.vehicle_type) else {
            rep.violations.push(Violation::BadReference(r));
            rep.routes.push(RouteReport::default());
            continue;
        };
        if route
            .visits
            .iter()
            .any(|v| matches!(v, Visit::Unload(f) if *f >= problem.facilities.len()))
            || route.clients().any(|c| c >= nc)
        {
            rep.violations.push(Violation::BadReference(r));
            rep.routes.push(RouteReport::default());
            continue;
        }
        if route.is_empty() {
            rep.routes.push(RouteReport::default());
            continue;
        }
        used[route.vehicle_type] += 1;
        let rr = check_route(problem, vt, r, route, &mut rep.violations, &mut received);
        rep.cost = rep.cost.saturating_add(rr.cost);
        rep.distance = rep.distance.saturating_add(rr.distance);
        rep.duration = rep.duration.saturating_add(rr.duration);
        rep.routes.push(rr);
    }
    for (f, &got) in received.iter().enumerate() {
        let cap = problem.facilities[f].daily_capacity;
        if got > cap {
            rep.violations.push(Violation::FacilityCapacity {
                facility: f,
                excess: got - cap,
            });
        }
    }
    for (t, &u) in used.iter().enumerate() {
        if u > problem.vehicle_types[t].count {
            rep.violations.push(Violation::TooManyVehicles {
                vehicle_type: t,
                used: u,
            });
        }
    }
    rep
}

fn check_route(
    p: &Problem,
    vt: &VehicleType,
    r: usize,
    route: &Route,
    out: &mut Vec<Violation>,
    received: &mut [Load],
) -> RouteReport {
    let prof = vt.profile;
    let start_depot = &p.depots[vt.start_depot];
    let end_depot = &p.depots[vt.end_depot];

    // Loads, trips and streams.
    let mut trip_load = [0 as Load; LOAD_DIMS];
    let mut trip_streams: StreamSet = 0;
    let mut total = [0 as Load; LOAD_DIMS];
    let mut trip = 0;
    let mut unloads = 0;
    let mut stops = 0;
    let mut breaks = 0;
    let close_trip =
        |load: &[Load; LOAD_DIMS], cap: &LoadVec, trip: usize, out: &mut Vec<Violation>| {
            let excess = (0..LOAD_DIMS).map(|d| load[d] - cap[d]).max().unwrap_or(0);
            if excess > 0 {
                out.push(Violation::Capacity {
                    route: r,
                    trip,
                    excess,
                });
            }
        };
    for v in &route.visits {
        match *v {
            Visit::Client(c) => {
                let cl = &p.clients[c];
                stops += 1;
                for d in 0..LOAD_DIMS {
                    trip_load[d] += cl.demand[d];
                    total[d] += cl.demand[d];
                }
                trip_streams |= 1 << cl.stream;
                if vt.streams & (1 << cl.stream) == 0 {
                    out.push(Violation::StreamVehicle {
                        route: r,
                        client: c,
                    });
                }
            }
            Visit::Unload(f) => {
                unloads += 1;
                received[f] += trip_load[0];
                close_trip(&trip_load, &vt.capacity, trip, out);
                if trip_streams & !p.facilities[f].accepts != 0 {
                    out.push(Violation::StreamFacility {
                        route: r,
                        facility: f,
                    });
                }
                trip += 1;
                trip_load = [0; LOAD_DIMS];
                trip_streams = 0;
            }
            Visit::Break => breaks += 1,
        }
    }
    let ends_with_unload = matches!(
        route
            .visits
            .iter()
            .rev()
            .find(|v| !matches!(v, Visit::Break)),
        Some(Visit::Unload(_))
    );
    if vt.unload_at_end && !ends_with_unload {
        out.push(Violation::NoFinalUnload { route: r });
    }
    if trip_load.iter().any(|&l| l > 0) || unloads == 0 {
        close_trip(&trip_load, &vt.capacity, trip, out);
    }
    let trips = if ends_with_unload {
        unloads
    } else {
        unloads + 1
    };
    let allowed_unloads = vt.max_reloads + usize::from(vt.unload_at_end);
    if unloads > allowed_unloads {
        out.push(Violation::TooManyReloads { route: r });
    }
    if (0..LOAD_DIMS).any(|d| total[d] > vt.daily_capacity[d]) {
        out.push(Violation::DailyCapacity { route: r });
    }
    if stops > vt.max_stops {
        out.push(Violation::TooManyStops { route: r });
    }
    if breaks != usize::from(vt.break_.is_some()) {
        out.push(Violation::Break { route: r });
    }

    // Schedule: leave as early as allowed, wait when early, never warp.
    let depart = vt.shift.start.max(start_depot.tw.start);
    let mut t = depart;
    let mut loc = start_depot.location;
    let mut distance = 0;
    for (pos, v) in route.visits.iter().enumerate() {
        let (next_loc, tw, service) = match *v {
            Visit::Client(c) => {
                let cl = &p.clients[c];
                (Some(cl.location), cl.tw, cl.service)
            }
            Visit::Unload(f) => {
                let fa = &p.facilities[f];
                (Some(fa.location), fa.tw, fa.unload)
            }
            Visit::Break => match vt.break_ {
                Some(b) => (None, b.window, b.duration),
                None => (None, TimeWindow::ALWAYS, 0),
            },
        };
        let mut travel = 0;
        if let Some(nl) = next_loc {
            travel = p.duration(prof, loc, nl);
            distance += p.distance(prof, loc, nl);
            loc = nl;
        }
        let arrive = t + travel;
        let start = arrive.max(tw.start);
        if start > tw.end {
            out.push(Violation::Late {
                route: r,
                position: pos,
                by: start - tw.end,
            });
        }
        t = start + service;
    }
    let back_travel = p.duration(prof, loc, end_depot.location);
    distance += p.distance(prof, loc, end_depot.location);
    let end = t + back_travel;
    let end_limit = vt.shift.end.min(end_depot.tw.end);
    if end > end_limit {
        out.push(Violation::Late {
            route: r,
            position: route.visits.len(),
            by: end - end_limit,
        });
    }
    // The duration counts from the latest departure that keeps the return
    // time (the timetable a dispatcher gets).
    let timetable = super::schedule(p, route);
    let duration = timetable.end - timetable.depart;
    if duration > vt.max_duration {
        out.push(Violation::Duration {
            route: r,
            excess: duration - vt.max_duration,
        });
    }
    if distance > vt.max_distance {
        out.push(Violation::Distance {
            route: r,
            excess: distance - vt.max_distance,
        });
    }
    let cost = vt
        .fixed_cost
        .saturating_add(vt.cost_per_distance.saturating_mul(distance))
        .saturating_add(vt.cost_per_time.saturating_mul(duration));
    RouteReport {
        distance,
        duration,
        start: depart,
        end,
        trips,
        cost,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Break, Client, Facility, ProblemBuilder};

    /// Depot at 0, clients 1..=4 and a facility at 5 on a line, 10 apart:
    ///
    /// ```text
    /// D --10-- c0 --10-- c1 --10-- c2 --10-- c3 --10-- F
    /// ```
    fn line(tweak: impl FnOnce(&mut VehicleType, &mut Vec<Client>)) -> Problem {
        let mut b = ProblemBuilder::on_a_line(6, 10, "D");
        let mut clients: Vec<Client> = (0..4)
            .map(|i| Client {
                service: 5,
                ..Client::required(format!("c{i}"), i + 1, 3)
            })
            .collect();
        let mut t = VehicleType::new("truck", 2, 6);
        t.max_reloads = 1;
        tweak(&mut t, &mut clients);
        for c in clients {
            b.add_client(c);
        }
        b.add_facility(Facility {
            name: "F".into(),
            location: 5,
            tw: TimeWindow::ALWAYS,
            unload: 7,
            accepts: 1,
            vehicles: crate::model::ALL_VEHICLES,
            daily_capacity: crate::model::UNLIMITED,
        });
        b.add_vehicle_type(t);
        b.build().unwrap()
    }

    fn route(visits: &[Visit]) -> Route {
        Route {
            vehicle_type: 0,
            visits: visits.to_vec(),
        }
    }

    use Visit::{Client as C, Unload as U};

    #[test]
    fn a_feasible_solution_has_its_cost_recomputed() {
        let p = line(|_, _| {});
        let s = Solution {
            patterns: Vec::new(),
            routes: vec![route(&[C(0), C(1)]), route(&[C(2), C(3)])],
            unassigned: vec![],
        };
        let r = check(&p, &s);
        assert!(r.is_feasible(), "{:?}", r.violations);
        // 0->1->2->0 = 10+10+20 = 40; 0->3->4->0 = 30+10+40 = 80.
        assert_eq!(r.distance, 120);
        assert_eq!(r.cost, 120);
    }

    fn violations(p: &Problem, s: &Solution) -> Vec<Violation> {
        check(p, s).violations
    }

    #[test]
    fn duplicates_missing_and_unknown_clients_are_caught() {
        let p = line(|_, _| {});
        let s = Solution {
            patterns: Vec::new(),
            routes: vec![route(&[C(0), C(0), C(9)])],
            unassigned: vec![1],
        };
        let v = violations(&p, &s);
        assert!(v.contains(&Violation::Duplicate(0)));
        assert!(
            v.contains(&Violation::UnknownClient(9)) || v.contains(&Violation::BadReference(0))
        );
        assert!(v.contains(&Violation::Missing(2)));
        assert!(v.contains(&Violation::RequiredUnassigned(1)));
    }

    #[test]
    fn capacity_per_trip_and_reload_limits_are_caught() {
        let p = line(|_, _| {});
        // 3 + 3 + 3 = 9 > 6 in one trip.
        let s = Solution {
            patterns: Vec::new(),
            routes: vec![route(&[C(0), C(1), C(2)]), route(&[C(3)])],
            unassigned: vec![],
        };
        assert!(violations(&p, &s).iter().any(|v| matches!(
            v,
            Violation::Capacity {
                trip: 0,
                excess: 3,
                ..
            }
        )));
        // Unloading after two clients makes both trips fit.
        let s = Solution {
            patterns: Vec::new(),
            routes: vec![route(&[C(0), C(1), U(0), C(2), C(3)])],
            unassigned: vec![],
        };
        assert!(check(&p, &s).is_feasible(), "{:?}", violations(&p, &s));
        // Two unloads exceed max_reloads = 1.
        let s = Solution {
            patterns: Vec::new(),
            routes: vec![route(&[C(0), U(0), C(1), U(0), C(2), C(3)])],
            unassigned: vec![],
        };
        assert!(violations(&p, &s).contains(&Violation::TooManyReloads { route: 0 }));
    }

    #[test]
    fn fleet_size_is_caught() {
        let p = line(|t, _| t.count = 1);
        let s = Solution {
            patterns: Vec::new(),
            routes: vec![route(&[C(0), C(1)]), route(&[C(2), C(3)])],
            unassigned: vec![],
        };
        assert!(violations(&p, &s).contains(&Violation::TooManyVehicles {
            vehicle_type: 0,
            used: 2
        }));
    }

    #[test]
    fn daily_capacity_and_stop_limits_are_caught() {
        let p = line(|t, _| {
            t.daily_capacity = [9, UNLIMITED];
            t.max_stops = 3;
        });
        let s = Solution {
            patterns: Vec::new(),
            routes: vec![route(&[C(0), C(1), U(0), C(2), C(3)])],
            unassigned: vec![],
        };
        let v = violations(&p, &s);
        assert!(v.contains(&Violation::DailyCapacity { route: 0 }));
        assert!(v.contains(&Violation::TooManyStops { route: 0 }));
    }

    #[test]
    fn final_unload_and_streams_are_caught() {
        let p = line(|t, cs| {
            t.unload_at_end = true;
            t.streams = 0b01;
            cs[3].stream = 1;
            cs[3].required = false; // no vehicle may carry it: it must be optional
        });
        let s = Solution {
            patterns: Vec::new(),
            routes: vec![route(&[C(0), C(1)]), route(&[C(2), C(3), U(0)])],
            unassigned: vec![],
        };
        let v = violations(&p, &s);
        assert!(v.contains(&Violation::NoFinalUnload { route: 0 }));
        assert!(v.contains(&Violation::StreamVehicle {
            route: 1,
            client: 3
        }));
        // Facility 0 accepts stream 0 only.
        assert!(v.contains(&Violation::StreamFacility {
            route: 1,
            facility: 0
        }));
    }

    #[test]
    fn time_windows_breaks_duration_and_distance_are_caught() {
        let p = line(|t, cs| {
            // c1 must start by 15: reached at 10 + 5 + 10 = 25 when c0 goes first.
            cs[1].tw = TimeWindow { start: 0, end: 15 };
            t.break_ = Some(Break {
                window: TimeWindow { start: 0, end: 100 },
                duration: 30,
            });
            t.max_duration = 60;
            t.max_distance = 45;
        });
        let s = Solution {
            patterns: Vec::new(),
            routes: vec![route(&[C(0), C(1), Visit::Break]), route(&[C(2), C(3)])],
            unassigned: vec![],
        };
        let v = violations(&p, &s);
        assert!(
            v.contains(&Violation::Late {
                route: 0,
                position: 1,
                by: 10
            }),
            "{v:?}"
        );
        // Route 1 has no break.
        assert!(v.contains(&Violation::Break { route: 1 }));
        // Route 1: 80 distance > 45; duration 30 + 5 + 10 + 5 + 40 = 90 > 60.
        assert!(v.contains(&Violation::Distance {
            route: 1,
            excess: 35
        }));
        assert!(v.contains(&Violation::Duration {
            route: 1,
            excess: 30
        }));
    }

    #[test]
    fn duration_counts_from_the_latest_useful_departure() {
        // c0 opens at 100: leaving at 0 would wait 90; the duration is
        // measured as if the vehicle left at 90: 10 + 5 + 10 = 25.
        let p = line(|_, cs| {
            cs[0].tw = TimeWindow {
                start: 100,
                end: 200,
            }
        });
        let s = Solution {
            patterns: Vec::new(),
            routes: vec![route(&[C(0)]), route(&[C(1), C(2), C(3)])],
            unassigned: vec![],
        };
        let r = check(&p, &s);
        assert_eq!(r.routes[0].duration, 25);
        assert_eq!(r.routes[0].end, 115);
    }

    /// Three clients at 1, 2, 3 on a line; one group: client 0 alone, or
    /// clients 1 and 2.
    fn grouped() -> Problem {
        let mut b = ProblemBuilder::on_a_line(4, 10, "depot");
        b.add_vehicle_type(crate::model::VehicleType::new("truck", 2, 100));
        for l in 1..4 {
            b.add_client(crate::model::Client::required(format!("c{l}"), l, 1));
        }
        b.add_group(vec![0..1, 1..3]);
        b.build().unwrap()
    }

    #[test]
    fn clients_of_patterns_not_chosen_are_neither_served_nor_unserved() {
        let p = grouped();
        let sol = |patterns: Vec<usize>, visits: &[Visit], unassigned: Vec<usize>| Solution {
            routes: vec![route(visits)],
            unassigned,
            patterns,
        };
        // Pattern 1: clients 1 and 2 routed, client 0 absent.
        let r = check(&p, &sol(vec![1], &[C(1), C(2)], vec![]));
        assert!(r.is_feasible(), "{:?}", r.violations);
        assert_eq!(r.cost, 60);
        // Pattern 0 chosen but the other pattern's clients routed.
        let r = check(&p, &sol(vec![0], &[C(1), C(2)], vec![]));
        let kinds: Vec<&str> = r.violations.iter().map(|v| v.kind()).collect();
        assert_eq!(kinds, ["not_wanted", "not_wanted", "missing"]);
        // A wanted client unassigned is unserved; an absent one listed is not wanted.
        let r = check(&p, &sol(vec![1], &[C(1)], vec![0, 2]));
        let kinds: Vec<&str> = r.violations.iter().map(|v| v.kind()).collect();
        assert_eq!(kinds, ["not_wanted", "required_unassigned"]);
        // No pattern, or one out of range.
        for patterns in [vec![], vec![2]] {
            let r = check(&p, &sol(patterns, &[C(0)], vec![]));
            assert_eq!(r.violations[0], Violation::BadPatterns);
        }
    }

    #[test]
    fn groups_must_be_disjoint_and_inside_the_clients() {
        for (groups, what) in [
            (vec![vec![0..2], vec![1..3]], "another pattern"),
            (vec![vec![0..4]], "beyond"),
            (vec![vec![0..0]], "empty"),
            (vec![vec![]], "no pattern"),
        ] {
            let mut b = ProblemBuilder::on_a_line(4, 10, "depot");
            b.add_vehicle_type(crate::model::VehicleType::new("truck", 2, 100));
            for l in 1..4 {
                b.add_client(crate::model::Client::required(format!("c{l}"), l, 1));
            }
            for g in groups {
                b.add_group(g);
            }
            let e = b.build().unwrap_err().to_string();
            assert!(e.contains(what), "{e}");
        }
    }
}
