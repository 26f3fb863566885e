//! The timetable of a route: when the vehicle arrives at, starts and leaves
//! each visit.

use super::*;

/// Times at one visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StopTimes {
    /// Arrival (for a break: when the previous visit ends).
    pub arrival: Duration,
    /// Start of service, unloading or break (after any wait).
    pub start: Duration,
    /// Departure.
    pub departure: Duration,
}

/// The timetable of a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// Departure from the start depot.
    pub depart: Duration,
    /// One entry per visit of the route.
    pub stops: Vec<StopTimes>,
    /// Arrival at the end depot.
    pub end: Duration,
    /// True if some visit starts after its window closes or the vehicle is
    /// back after its shift (the route is infeasible).
    pub late: bool,
}

fn simulate(p: &Problem, route: &Route, depart: Duration) -> Schedule {
    let vt = &p.vehicle_types[route.vehicle_type];
    let mut t = depart;
    let mut loc = p.depots[vt.start_depot].location;
    let mut late = false;
    let mut stops = Vec::with_capacity(route.visits.len());
    for v in &route.visits {
        let (next, tw, service) = match *v {
            Visit::Client(c) => (
                Some(p.clients[c].location),
                p.clients[c].tw,
                p.clients[c].service,
            ),
            Visit::Unload(f) => (
                Some(p.facilities[f].location),
                p.facilities[f].tw,
                p.facilities[f].unload,
            ),
            Visit::Break => match vt.break_ {
                Some(b) => (None, b.window, b.duration),
                None => (None, TimeWindow::ALWAYS, 0),
            },
        };
        if let Some(nl) = next {
            t += p.duration(vt.profile, loc, nl);
            loc = nl;
        }
        let start = t.max(tw.start);
        late |= start > tw.end;
        stops.push(StopTimes {
            arrival: t,
            start,
            departure: start + service,
        });
        t = start + service;
    }
    let end_depot = &p.depots[vt.end_depot];
    let end = t + p.duration(vt.profile, loc, end_depot.location);
    late |= end > vt.shift.end.min(end_depot.tw.end);
    Schedule {
        depart,
        stops,
        end,
        late,
    }
}

/// The timetable of `route` when the vehicle leaves as late as it can
/// without coming back later (so it does not wait needlessly on the way).
pub fn schedule(p: &Problem, route: &Route) -> Schedule {
    let vt = &p.vehicle_types[route.vehicle_type];
    let depot = &p.depots[vt.start_depot];
    let earliest = vt.shift.start.max(depot.tw.start);
    let latest = vt.shift.end.min(depot.tw.end).max(earliest);
    let base = simulate(p, route, earliest);
    // The return time and lateness only grow with the departure: bisect
    // for the latest departure that keeps both.
    let (mut lo, mut hi) = (0, (base.end - earliest).clamp(0, latest - earliest));
    while lo < hi {
        let mid = lo + (hi - lo + 1) / 2;
        let s = simulate(p, route, earliest + mid);
        if s.end <= base.end && s.late == base.late {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    if lo == 0 {
        base
    } else {
        simulate(p, route, earliest + lo)
    }
}
