//! The one cost evaluator of the solver: what a route, a move, an unserved
//! client and the facilities' daily excess cost under the current penalty
//! weights, and what "feasible" means.
//!
//! Every operator of the local search, the Split, the individuals and the
//! penalty manager price through [`CostEvaluator`] (built from the derived
//! [`Data`] and the current [`Penalties`]); the per-type data it needs are
//! in [`RouteRules`]. The constants that turn hard rules into costs are
//! named here once:
//!
//! - [`FORBIDDEN_ROUTE`]: a route the vehicle may not drive (a stream it may
//!   not carry, a client it may not serve);
//! - [`STREAM_PENALTY`]: per trip unloading where its stream is refused;
//! - [`REQUIRED_UNSERVED`]: a required client left out;
//! - [`HARD_RULE_BROKEN`]: the plain cost from which a route breaks a hard rule;
//! - [`MAX_PENALTY`]: the cap of one route's penalty.
//!
//! Cost of a route = fixed cost + cost per distance x distance + cost per
//! time x duration + penalties (load over the trip and daily capacities,
//! unloads over the allowance, stops over the limit, time warp, shift
//! excess, distance excess) + stream and forbidden prices. Problems without
//! time, unloads, breaks or stream rules (`Data::simple`) price a route from
//! its distance, load and number of clients alone
//! ([`CostEvaluator::simple_route`], equal to [`CostEvaluator::route`] of any
//! segment with those totals): the operators' fast path.

use super::data::Data;
use super::route::SRoute;
use super::segment::{FAC_SLOTS, FacLoads, Seg};
use crate::model::{
    Cost, Distance, Duration, LOAD_DIMS, Load, LoadVec, StreamSet, UNLIMITED, VehicleSet,
};

/// Penalty weights for constraint violations, in cost per unit of excess.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Penalties {
    /// Per unit of load over capacity (trip or daily), per dimension.
    pub load: [f64; LOAD_DIMS],
    /// Per unit of time warp or duration excess.
    pub time: f64,
    /// Per unit of distance over the route limit.
    pub dist: f64,
}

impl Penalties {
    /// No penalty at all: plain costs.
    pub const ZERO: Penalties = Penalties {
        load: [0.0; LOAD_DIMS],
        time: 0.0,
        dist: 0.0,
    };

    /// For tests: the weights of load (per dimension), time and distance
    /// excess.
    #[cfg(test)]
    pub const fn new(load: [f64; LOAD_DIMS], time: f64, dist: f64) -> Penalties {
        Penalties { load, time, dist }
    }

    /// The same weight `w` for every violation.
    pub const fn uniform(w: f64) -> Penalties {
        Penalties {
            load: [w; LOAD_DIMS],
            time: w,
            dist: w,
        }
    }

    /// Multiplies every weight by `f`.
    pub fn scaled(&self, f: f64) -> Penalties {
        Penalties {
            load: self.load.map(|l| l * f),
            time: self.time * f,
            dist: self.dist * f,
        }
    }
}

/// Cost of a route that can never be accepted (a stream the vehicle may not
/// carry, a client it may not serve): large, but far from overflow when
/// summed. (Not to be confused with `graph::FORBIDDEN`, a travel time.)
pub(crate) const FORBIDDEN_ROUTE: Cost = UNLIMITED;

/// The largest penalty of one route: a weight escalated many times over
/// (the repair multiplies the weights by up to 10^12) times a large excess
/// would not fit in a [`Cost`]; beyond this bound every violation is as bad
/// as a forbidden route, and sums of a few thousand routes cannot overflow.
pub(crate) const MAX_PENALTY: f64 = UNLIMITED as f64;

/// Cost per stream violation (a trip unloading where its stream is refused):
/// treated as a hard rule by pricing it like a forbidden route.
pub(crate) const STREAM_PENALTY: Cost = UNLIMITED / 64;

/// What leaving a required client unserved costs: above any route, below
/// a forbidden one (the prize of an optional client is its own).
pub(crate) const REQUIRED_UNSERVED: Cost = UNLIMITED / 16;

/// A route whose cost without penalties reaches this breaks a hard rule:
/// it is forbidden or has a stream violation (the smallest such cost is
/// [`STREAM_PENALTY`]); below it, the plain cost is what the user pays.
pub(crate) const HARD_RULE_BROKEN: Cost = FORBIDDEN_ROUTE / 128;

// The order of the hard-rule prices: a stream violation breaks a hard
// rule, a forbidden route costs more than a stream violation or a required
// client left out.
const _: () = assert!(
    STREAM_PENALTY >= HARD_RULE_BROKEN
        && FORBIDDEN_ROUTE > STREAM_PENALTY
        && FORBIDDEN_ROUTE > REQUIRED_UNSERVED
);

/// Unloads beyond a type's allowance are priced like a full trip too many:
/// as load excess of one trip capacity each, the capacity clamped to this
/// so that the product stays far from overflow.
const MAX_TRIP_PRICE: Load = UNLIMITED / 1024;

/// The vehicle-type data a route cost needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RouteRules {
    pub fixed_cost: Cost,
    pub cost_per_distance: Cost,
    pub cost_per_time: Cost,
    pub capacity: LoadVec,
    pub daily_capacity: LoadVec,
    pub max_stops: i32,
    pub max_duration: Duration,
    pub max_distance: Distance,
    pub max_reloads: i32,
    pub unload_at_end: bool,
    pub streams: StreamSet,
    /// This type's bit in vehicle sets.
    pub type_bit: VehicleSet,
    /// Cost per unit of the type's bound matrix (see `Data::bound`):
    /// the cost per distance when time is free, else 1.
    pub unit: Cost,
}

/// Violations of a complete route (start depot to end depot).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Excess {
    pub load: LoadVec,
    pub time: Duration,
    pub dist: Distance,
}

impl Excess {
    pub fn is_zero(&self) -> bool {
        self.load.iter().all(|&l| l == 0) && self.time == 0 && self.dist == 0
    }
}

impl RouteRules {
    /// The violations of a complete route segment `s`.
    #[inline]
    #[allow(clippy::needless_range_loop)]
    pub fn excess(&self, s: &Seg, time: bool) -> Excess {
        let mut e = Excess::default();
        let tail_cap = if self.unload_at_end {
            [0; LOAD_DIMS]
        } else {
            self.capacity
        };
        for d in 0..LOAD_DIMS {
            let mut x = s.excess[d] + (s.head[d] - self.capacity[d]).max(0);
            if s.reloads > 0 {
                x += (s.tail[d] - tail_cap[d]).max(0);
            } else if self.unload_at_end {
                // Nothing is ever unloaded: all of it is excess.
                x += s.head[d];
            }
            x += (s.total[d] - self.daily_capacity[d]).max(0);
            e.load[d] = x;
        }
        // Unloads beyond the allowance are priced like a full trip too many.
        let extra = (s.reloads - self.max_reloads - i32::from(self.unload_at_end)).max(0);
        if extra > 0 {
            e.load[0] += extra as Load * self.capacity[0].clamp(1, MAX_TRIP_PRICE);
        }
        if time {
            let t = s.time();
            e.time = t.warp + (t.dur - self.max_duration).max(0);
        }
        e.dist = (s.dist - self.max_distance).max(0);
        e
    }

    /// Penalised cost of a complete route segment `s` (0 for an empty route).
    #[inline]
    pub fn cost(&self, s: &Seg, pen: &Penalties, time: bool) -> Cost {
        if s.stops == 0 {
            return 0;
        }
        if s.all_streams & !self.streams != 0 || s.types & self.type_bit == 0 {
            return FORBIDDEN_ROUTE;
        }
        let e = self.excess(s, time);
        let mut c = self.fixed_cost + self.cost_per_distance * s.dist;
        if time {
            c += self.cost_per_time * s.time().dur;
        }
        c += self.penalty(&e, s.stops, pen);
        let bad =
            s.bad_streams + i32::from(s.reloads > 0 && s.head_streams & !s.first_accepts != 0);
        c + STREAM_PENALTY * bad as Cost
    }

    /// The penalty of violations `e` and `stops` clients (stops over the
    /// daily limit are priced like load).
    #[inline]
    fn penalty(&self, e: &Excess, stops: i32, pen: &Penalties) -> Cost {
        if e.is_zero() && stops <= self.max_stops {
            return 0;
        }
        let mut p = pen.load[0] * e.load[0] as f64 + pen.load[1] * e.load[1] as f64;
        p += pen.time * e.time as f64 + pen.dist * e.dist as f64;
        p += pen.load[0] * ((stops - self.max_stops).max(0) as f64);
        (p + 0.5).min(MAX_PENALTY) as Cost
    }

    /// The load part of the penalty of a single-trip route carrying `load`
    /// (trip and daily capacity).
    #[inline]
    #[allow(clippy::needless_range_loop)]
    pub fn load_penalty(&self, load: &LoadVec, pen: &Penalties) -> Cost {
        let mut p = 0.0;
        for d in 0..LOAD_DIMS {
            let e = (load[d] - self.capacity[d]).max(0) + (load[d] - self.daily_capacity[d]).max(0);
            if e > 0 {
                p += pen.load[d] * e as f64;
            }
        }
        (p + 0.5).min(MAX_PENALTY) as Cost
    }

    /// [`cost`](Self::cost) for problems without time, unloads, breaks or
    /// stream rules, from the route's distance, load and number of clients:
    /// equal to `cost` of any segment with these totals.
    #[inline]
    #[allow(clippy::needless_range_loop)]
    pub fn simple_cost(&self, dist: Distance, load: &LoadVec, stops: i32, pen: &Penalties) -> Cost {
        if stops == 0 {
            return 0;
        }
        let mut e = Excess::default();
        for d in 0..LOAD_DIMS {
            e.load[d] =
                (load[d] - self.capacity[d]).max(0) + (load[d] - self.daily_capacity[d]).max(0);
        }
        e.dist = (dist - self.max_distance).max(0);
        self.fixed_cost + self.cost_per_distance * dist + self.penalty(&e, stops, pen)
    }
}

/// Prices routes, moves, unserved clients and the facility excess under
/// one set of penalty weights (see the module documentation). Cheap to
/// build: two references.
#[derive(Clone, Copy)]
pub(crate) struct CostEvaluator<'a, 'p> {
    d: &'a Data<'p>,
    pen: &'a Penalties,
}

impl<'a, 'p> CostEvaluator<'a, 'p> {
    /// The evaluator of `d` under penalty weights `pen`.
    #[inline]
    pub fn new(d: &'a Data<'p>, pen: &'a Penalties) -> Self {
        CostEvaluator { d, pen }
    }

    /// The rules of vehicle type `vt`.
    #[inline]
    pub fn rules(&self, vt: usize) -> &'a RouteRules {
        &self.d.rules[vt]
    }

    /// Penalised cost of a complete route segment `s` of type `vt` (0 for
    /// an empty route).
    #[inline]
    pub fn route(&self, vt: usize, s: &Seg) -> Cost {
        self.d.rules[vt].cost(s, self.pen, self.d.time)
    }

    /// Cost of a complete route segment without penalties (forbidden and
    /// stream prices kept): what the user pays when the route is feasible.
    #[inline]
    pub fn plain_route(&self, vt: usize, s: &Seg) -> Cost {
        self.d.rules[vt].cost(s, &Penalties::ZERO, self.d.time)
    }

    /// [`route`](Self::route) of a route of type `vt` from its distance,
    /// load and number of clients, valid when `Data::simple`.
    #[inline]
    pub fn simple_route(&self, vt: usize, dist: Distance, load: &LoadVec, stops: i32) -> Cost {
        self.d.rules[vt].simple_cost(dist, load, stops, self.pen)
    }

    /// The cost change of search route `r` (simple problems) when its
    /// distance changes by `dist`, its load by `load` and its number of
    /// clients by `stops`.
    #[inline]
    pub fn simple_change(&self, r: &SRoute, dist: Distance, load: &LoadVec, stops: i32) -> Cost {
        let t = r.cum_total();
        self.simple_route(
            r.vt,
            t.dist + dist,
            &load_add(&t.load, load),
            t.stops + stops,
        ) - r.cost
    }

    /// The violations of a complete route segment `s` of type `vt`.
    #[inline]
    pub fn excess(&self, vt: usize, s: &Seg) -> Excess {
        self.d.rules[vt].excess(s, self.d.time)
    }

    /// The load part of the penalty of a single-trip route of type `vt`
    /// carrying `load`.
    #[inline]
    pub fn load_penalty(&self, vt: usize, load: &LoadVec) -> Cost {
        self.d.rules[vt].load_penalty(load, self.pen)
    }

    /// What leaving client `c` unserved costs: its prize, or
    /// [`REQUIRED_UNSERVED`] for a required client.
    #[inline]
    pub fn unserved(&self, c: usize) -> Cost {
        unserved_cost(self.d, c)
    }

    /// The penalty of `excess` units delivered beyond the facilities' daily
    /// capacities: priced like load excess.
    #[inline]
    pub fn facility_penalty(&self, excess: Load) -> Cost {
        self.at_load_penalty(excess, 0.5)
    }

    /// `units` at the load penalty, plus `round` (0.5 rounds to the
    /// nearest, 1 up), capped at [`MAX_PENALTY`]; 0 for none.
    #[inline]
    fn at_load_penalty(&self, units: Load, round: f64) -> Cost {
        if units == 0 {
            return 0;
        }
        (self.pen.load[0] * units as f64 + round).min(MAX_PENALTY) as Cost
    }

    /// The penalty of the day's totals `t` at the tracked facilities.
    #[inline]
    pub fn facility_totals_penalty(&self, t: &FacLoads) -> Cost {
        let cap = &self.d.fac_cap;
        let excess: Load = (0..FAC_SLOTS).map(|k| (t[k] - cap[k]).max(0)).sum();
        self.facility_penalty(excess)
    }

    /// An upper bound of [`facility_penalty`](Self::facility_penalty) of
    /// `lift` units (rounded up), for the distance bounds that prune moves.
    #[inline]
    pub fn facility_bound(&self, lift: Load) -> Cost {
        self.at_load_penalty(lift, 1.0)
    }

    /// Whether the complete route segment `s` of type `vt`, of plain cost
    /// `plain` ([`plain_route`](Self::plain_route)) and violations
    /// `excess`, keeps every rule: no excess, stops and unloads within the
    /// limits, no hard rule broken.
    #[inline]
    pub fn route_feasible(&self, vt: usize, s: &Seg, plain: Cost, excess: &Excess) -> bool {
        let rules = &self.d.rules[vt];
        excess.is_zero()
            && s.stops <= rules.max_stops
            && plain < HARD_RULE_BROKEN
            && s.reloads <= rules.max_reloads + i32::from(rules.unload_at_end)
    }
}

/// `a + b`, per load dimension.
#[inline]
pub(crate) fn load_add(a: &LoadVec, b: &LoadVec) -> LoadVec {
    std::array::from_fn(|k| a[k] + b[k])
}

/// `a - b`, per load dimension.
#[inline]
pub(crate) fn load_sub(a: &LoadVec, b: &LoadVec) -> LoadVec {
    std::array::from_fn(|k| a[k] - b[k])
}

/// The summed demand of the clients among `stops`.
#[inline]
pub(crate) fn run_load(d: &Data, stops: &[super::data::Stop]) -> LoadVec {
    let mut q = [0; LOAD_DIMS];
    for s in stops.iter().filter(|s| s.is_client()) {
        q = load_add(&q, &d.demand[s.id as usize]);
    }
    q
}

/// `-a`, per load dimension.
#[inline]
pub(crate) fn load_neg(a: &LoadVec) -> LoadVec {
    a.map(|x| -x)
}

/// What leaving client `c` unserved costs (see [`CostEvaluator::unserved`]);
/// needs no penalty weights.
pub(crate) fn unserved_cost(d: &Data, c: usize) -> Cost {
    let cl = &d.problem.clients()[c];
    if cl.required {
        REQUIRED_UNSERVED
    } else {
        cl.prize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::data::{Kind, Stop};
    use crate::solver::testutil::{Gen, line, random_problem};

    fn route_seg(d: &Data, vt: usize, clients: &[usize]) -> Seg {
        let stops = std::iter::once(Stop {
            kind: Kind::Start,
            id: 0,
        })
        .chain(clients.iter().map(|&c| Stop::client(c)))
        .chain(std::iter::once(Stop {
            kind: Kind::End,
            id: 0,
        }));
        d.fold(stops, vt)
    }

    #[test]
    fn the_simple_price_equals_the_segment_price() {
        let problem = random_problem(11, 30, false);
        let d = Data::new(&problem, 6);
        assert!(d.simple);
        let pen = Penalties::new([7.0, 3.0], 2.0, 1.5);
        let ev = CostEvaluator::new(&d, &pen);
        let mut g = Gen::new(1);
        for _ in 0..200 {
            let k = g.below(12) as usize;
            let clients: Vec<usize> = (0..k).map(|_| g.below(30) as usize).collect();
            let s = route_seg(&d, 0, &clients);
            assert_eq!(
                ev.route(0, &s),
                ev.simple_route(0, s.dist, &s.total, s.stops),
                "{clients:?}"
            );
        }
    }

    #[test]
    fn feasibility_and_the_prices_of_hard_rules() {
        // Trucks of 2 on a line: two clients fit, three do not.
        let p = line(3, 1, 3, 2);
        let d = Data::new(&p, 2);
        let pen = Penalties::uniform(100.0);
        let ev = CostEvaluator::new(&d, &pen);
        let ok = route_seg(&d, 0, &[0, 1]);
        let over = route_seg(&d, 0, &[0, 1, 2]);
        let (e_ok, e_over) = (ev.excess(0, &ok), ev.excess(0, &over));
        assert!(ev.route_feasible(0, &ok, ev.plain_route(0, &ok), &e_ok));
        assert!(!ev.route_feasible(0, &over, ev.plain_route(0, &over), &e_over));
        // Plain cost: distance only (0 -> 10 -> 20 -> 0); the penalised one
        // adds 100 per unit over capacity.
        assert_eq!(ev.plain_route(0, &ok), 40);
        assert_eq!(ev.route(0, &over), 60 + 100);
        // An empty route costs nothing.
        assert_eq!(ev.route(0, &route_seg(&d, 0, &[])), 0);
        // A route breaking a hard rule is never feasible, whatever else.
        assert!(!ev.route_feasible(0, &ok, HARD_RULE_BROKEN, &e_ok));
        // A required client left out costs its fixed price.
        assert_eq!(ev.unserved(0), REQUIRED_UNSERVED);
        // Facility excess is priced like load, capped, and its bound is
        // never below it.
        assert_eq!(ev.facility_penalty(0), 0);
        assert_eq!(ev.facility_penalty(3), 300);
        assert!(ev.facility_bound(3) >= ev.facility_penalty(3));
        let huge = Penalties::uniform(1e30);
        let ev = CostEvaluator::new(&d, &huge);
        assert_eq!(ev.facility_penalty(1000), MAX_PENALTY as Cost);
    }
}
