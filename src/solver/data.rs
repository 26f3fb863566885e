//! Data derived once from a [`Problem`] for the search: the segment of every
//! single stop, the cost rules of every vehicle type, and the granular
//! neighbourhoods.

use super::cost::RouteRules;
use super::segment::{FAC_SLOTS, FacLoads, NO_SLOT, Seg, SegCtx};
use crate::model::{LoadVec, Matrix, Problem, UNLIMITED, VehicleSet, Visit};

/// What a stop of a search route is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The start depot of the route's vehicle type.
    Start,
    /// The end depot.
    End,
    /// A client; `id` is the client index.
    Client,
    /// An unload; `id` is the facility index.
    Unload,
    /// The break of the route's vehicle type.
    Break,
}

/// One stop of a search route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stop {
    pub kind: Kind,
    pub id: u32,
}

impl Stop {
    pub fn client(c: usize) -> Stop {
        Stop {
            kind: Kind::Client,
            id: c as u32,
        }
    }
    pub fn unload(f: usize) -> Stop {
        Stop {
            kind: Kind::Unload,
            id: f as u32,
        }
    }
    pub fn is_client(&self) -> bool {
        self.kind == Kind::Client
    }
    /// The model visit for this stop, if it is not a depot.
    pub fn visit(&self) -> Option<Visit> {
        match self.kind {
            Kind::Client => Some(Visit::Client(self.id as usize)),
            Kind::Unload => Some(Visit::Unload(self.id as usize)),
            Kind::Break => Some(Visit::Break),
            Kind::Start | Kind::End => None,
        }
    }
    pub fn from_visit(v: Visit) -> Stop {
        match v {
            Visit::Client(c) => Stop::client(c),
            Visit::Unload(f) => Stop::unload(f),
            Visit::Break => Stop {
                kind: Kind::Break,
                id: 0,
            },
        }
    }
}

/// Solver-wide derived data.
pub(crate) struct Data<'p> {
    pub problem: &'p Problem,
    pub client_seg: Vec<Seg>,
    pub unload_seg: Vec<Seg>,
    pub start_seg: Vec<Seg>,
    pub end_seg: Vec<Seg>,
    pub break_seg: Vec<Seg>,
    pub rules: Vec<RouteRules>,
    /// Client locations, for quick distance lookups.
    pub loc: Vec<u32>,
    /// Client demands.
    pub demand: Vec<LoadVec>,
    /// Per client: the vehicle types that may serve it (one bit per type),
    /// kept apart from `Problem::clients` so the search reads a word, not a
    /// client record.
    pub serve: Vec<VehicleSet>,
    /// Per vehicle type: the types that may serve some client it may serve
    /// (one bit per type). Two routes of types that share no client can
    /// exchange nothing (the days of a week), so route-pair moves skip them.
    pub shares_clients: Vec<VehicleSet>,
    /// The distance matrix of each vehicle type.
    pub dist_of: Vec<&'p Matrix>,
    /// Granular neighbours of each client (other clients), closest first.
    pub neighbours: Vec<Vec<u32>>,
    /// Polar angle of each client around the first depot, if coordinates are known.
    pub angle: Option<Vec<f64>>,
    /// Whether time (windows, durations, breaks, time costs) matters.
    pub time: bool,
    /// Whether the fast distance-only move pruning is valid: no time, no
    /// unloads, no breaks.
    pub simple: bool,
    /// Number of routes to keep per vehicle type in the search (see `route_slots`).
    pub slots: Vec<usize>,
    /// The facilities each vehicle type may unload at.
    pub unload_sites: Vec<Vec<usize>>,
    /// Daily capacity of the facility of each slot (`UNLIMITED` if unused).
    pub fac_cap: FacLoads,
    /// Whether the local search tracks facility totals (some facility has
    /// a daily capacity, some vehicle type unloads, and the clients' whole
    /// demand fits in 32 bits).
    pub fac: bool,
    /// Per client: its pattern group and its pattern in the group
    /// ([`Problem::groups`]), `NO_GROUP` for clients of no group; empty
    /// when the problem has no groups.
    pub group_of: Vec<(u32, u32)>,
    /// Per vehicle type: what bounds its moves (see [`Bound`]).
    bounds: Vec<Bound<'p>>,
}

/// The group of a client in no pattern group (see [`Data::group_of`]).
pub(crate) const NO_GROUP: u32 = u32::MAX;

/// The arc cost that bounds the moves of one vehicle type: the distance
/// when time costs nothing (times `RouteRules::unit`), else cost per
/// distance x distance + cost per time x duration, capped at `i32::MAX`.
/// Computed from the profile's two matrices when asked: a stored matrix per
/// vehicle type would be the largest allocation of a city plan.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bound<'p> {
    dist: &'p Matrix,
    dur: &'p Matrix,
    per_distance: i64,
    per_time: i64,
}

impl Bound<'_> {
    /// The bound of arc `i -> j` (solver locations).
    #[inline(always)]
    pub fn at(&self, i: u32, j: u32) -> i64 {
        let d = self.dist.at(i, j);
        if self.per_time == 0 {
            return d;
        }
        self.per_distance
            .saturating_mul(d)
            .saturating_add(self.per_time.saturating_mul(self.dur.at(i, j)))
            .min(i32::MAX as i64)
    }
}

impl<'p> Data<'p> {
    pub fn new(problem: &'p Problem, n_granular: usize) -> Data<'p> {
        let f = problem.features();
        let time = f.time;
        let client_seg = problem
            .clients()
            .iter()
            .map(|c| Seg {
                types: c.vehicles,
                ..Seg::client(
                    c.location, c.demand, c.service, c.tw.start, c.tw.end, c.stream,
                )
            })
            .collect();
        let (fac_slot, fac_cap) = facility_slots(problem);
        // Segments count unloads in 32 bits: track only when everything the
        // clients give fits (else the capacities are priced on whole
        // solutions only, by `Individual`).
        let total_demand: i64 = problem
            .clients()
            .iter()
            .fold(0, |a: i64, c| a.saturating_add(c.demand[0].max(0)));
        let fac = f.facility_capacity && f.reloads && total_demand <= i64::from(i32::MAX);
        let unload_seg = problem
            .facilities()
            .iter()
            .enumerate()
            .map(|(k, fa)| Seg {
                types: fa.vehicles,
                first_fac: fac_slot[k],
                ..Seg::unload(fa.location, fa.unload, fa.tw.start, fa.tw.end, fa.accepts)
            })
            .collect();
        let mut start_seg = Vec::new();
        let mut end_seg = Vec::new();
        let mut break_seg = Vec::new();
        let mut rules = Vec::new();
        for t in problem.vehicle_types() {
            let sd = &problem.depots()[t.start_depot];
            let ed = &problem.depots()[t.end_depot];
            start_seg.push(Seg::depot(
                sd.location,
                t.shift.start.max(sd.tw.start),
                t.shift.end.min(sd.tw.end),
            ));
            end_seg.push(Seg::depot(
                ed.location,
                t.shift.start.max(ed.tw.start),
                t.shift.end.min(ed.tw.end),
            ));
            break_seg.push(match t.break_ {
                Some(b) => Seg::break_(b.duration, b.window.start, b.window.end),
                None => Seg::break_(0, 0, UNLIMITED),
            });
            rules.push(RouteRules {
                fixed_cost: t.fixed_cost,
                cost_per_distance: t.cost_per_distance,
                cost_per_time: t.cost_per_time,
                capacity: t.capacity,
                daily_capacity: t.daily_capacity,
                max_stops: t.max_stops.min(i32::MAX as usize) as i32,
                max_duration: t.max_duration,
                max_distance: t.max_distance,
                max_reloads: t.max_reloads.min(i32::MAX as usize) as i32,
                unload_at_end: t.unload_at_end,
                streams: t.streams,
                type_bit: 1 << rules.len(),
                unit: if t.cost_per_time > 0 {
                    1
                } else {
                    t.cost_per_distance
                },
            });
        }
        let loc = problem
            .clients()
            .iter()
            .map(|c| c.location as u32)
            .collect();
        let demand = problem.clients().iter().map(|c| c.demand).collect();
        let serve: Vec<VehicleSet> = (0..problem.n_clients())
            .map(|c| {
                (0..problem.vehicle_types().len())
                    .filter(|&t| problem.can_serve(t, c))
                    .fold(0, |m, t| m | (1 << t))
            })
            .collect();
        let mut shares_clients: Vec<VehicleSet> = vec![0; problem.vehicle_types().len()];
        for &m in &serve {
            for (t, s) in shares_clients.iter_mut().enumerate() {
                if m & (1 << t) != 0 {
                    *s |= m;
                }
            }
        }
        let neighbours = granular_neighbours(problem, &serve, n_granular);
        let angle = problem.coords().map(|xy| {
            let (dx, dy) = xy[problem.depots()[0].location];
            problem
                .clients()
                .iter()
                .map(|c| {
                    let (x, y) = xy[c.location];
                    (y - dy).atan2(x - dx)
                })
                .collect()
        });
        let simple = !time && !f.reloads && !f.breaks && !f.streams;
        let slots = route_slots(problem);
        let unload_sites = (0..problem.vehicle_types().len())
            .map(|t| {
                (0..problem.facilities().len())
                    .filter(|&f| problem.can_unload(t, f))
                    .collect()
            })
            .collect();
        Data {
            problem,
            client_seg,
            unload_seg,
            start_seg,
            end_seg,
            break_seg,
            rules,
            loc,
            demand,
            serve,
            shares_clients,
            dist_of: problem
                .vehicle_types()
                .iter()
                .map(|t| &problem.profiles()[t.profile].distance)
                .collect(),
            neighbours,
            angle,
            time,
            simple,
            slots,
            unload_sites,
            fac_cap,
            fac,
            group_of: group_of(problem),
            bounds: problem
                .vehicle_types()
                .iter()
                .map(|t| {
                    let p = &problem.profiles()[t.profile];
                    Bound {
                        dist: &p.distance,
                        dur: &p.duration,
                        per_distance: t.cost_per_distance,
                        per_time: t.cost_per_time.max(0),
                    }
                })
                .collect(),
        }
    }

    /// Whether the problem has pattern groups.
    #[inline]
    pub fn grouped(&self) -> bool {
        !self.group_of.is_empty()
    }

    /// The client ranges of the patterns of group `g`.
    #[inline]
    pub fn patterns(&self, g: usize) -> &'p [std::ops::Range<usize>] {
        &self.problem.groups()[g]
    }

    /// Whether vehicle type `t` may serve client `c` (same as
    /// [`Problem::can_serve`]).
    #[inline]
    pub fn can_serve(&self, t: usize, c: usize) -> bool {
        self.serve[c] >> t & 1 != 0
    }

    /// What bounds the moves of vehicle type `vt` (see [`Bound`]).
    #[inline]
    pub fn bound(&self, vt: usize) -> Bound<'p> {
        self.bounds[vt]
    }

    /// The merge context of vehicle type `vt`.
    #[inline]
    pub fn ctx(&self, vt: usize) -> SegCtx<'p> {
        let t = &self.problem.vehicle_types()[vt];
        let p = &self.problem.profiles()[t.profile];
        SegCtx {
            dist: &p.distance,
            dur: &p.duration,
            capacity: t.capacity,
            time: self.time,
            fac: self.fac,
        }
    }

    /// The segment of one stop on a route of vehicle type `vt`.
    #[inline]
    pub fn single(&self, s: Stop, vt: usize) -> &Seg {
        match s.kind {
            Kind::Client => &self.client_seg[s.id as usize],
            Kind::Unload => &self.unload_seg[s.id as usize],
            Kind::Start => &self.start_seg[vt],
            Kind::End => &self.end_seg[vt],
            Kind::Break => &self.break_seg[vt],
        }
    }

    /// The facility vehicle type `vt` reaches most cheaply from location
    /// `from` (then going on to its end depot when `to_end`).
    pub fn nearest_unload(&self, vt: usize, from: usize, to_end: bool) -> Option<usize> {
        let p = self.problem;
        let t = &p.vehicle_types()[vt];
        let end = p.depots()[t.end_depot].location;
        self.unload_sites[vt].iter().copied().min_by_key(|&f| {
            let l = p.facilities()[f].location;
            p.distance(t.profile, from, l)
                + if to_end {
                    p.distance(t.profile, l, end)
                } else {
                    0
                }
        })
    }

    /// Folds `stops` into one segment on a route of type `vt`.
    pub fn fold(&self, stops: impl IntoIterator<Item = Stop>, vt: usize) -> Seg {
        let ctx = self.ctx(vt);
        let mut acc = Seg::EMPTY;
        for s in stops {
            ctx.append(&mut acc, self.single(s, vt));
        }
        acc
    }
}

/// Per facility, its slot among the facilities with a daily capacity whose
/// totals the local search tracks (the tightest first, at most `FAC_SLOTS`),
/// or `NO_SLOT`; and the capacity of each slot.
/// Per client: (group, pattern) of [`Problem::groups`]; empty without groups.
fn group_of(problem: &Problem) -> Vec<(u32, u32)> {
    if problem.groups().is_empty() {
        return Vec::new();
    }
    let mut of = vec![(NO_GROUP, 0); problem.n_clients()];
    for (g, patterns) in problem.groups().iter().enumerate() {
        for (k, r) in patterns.iter().enumerate() {
            for c in r.clone() {
                of[c] = (g as u32, k as u32);
            }
        }
    }
    of
}

fn facility_slots(problem: &Problem) -> (Vec<u8>, FacLoads) {
    let fs = problem.facilities();
    let mut capped: Vec<usize> = (0..fs.len())
        .filter(|&f| fs[f].daily_capacity < UNLIMITED)
        .collect();
    capped.sort_by_key(|&f| (fs[f].daily_capacity, f));
    if capped.len() > FAC_SLOTS {
        tracing::debug!(
            facilities = capped.len(),
            tracked = FAC_SLOTS,
            "the local search tracks the daily totals of the tightest facilities only"
        );
        capped.truncate(FAC_SLOTS);
    }
    let mut slot = vec![NO_SLOT; fs.len()];
    let mut cap = [UNLIMITED; FAC_SLOTS];
    for (k, &f) in capped.iter().enumerate() {
        slot[f] = k as u8;
        cap[k] = fs[f].daily_capacity;
    }
    (slot, cap)
}

/// How many routes of each vehicle type the search keeps. A type with a
/// bounded fleet keeps all of them; an effectively unbounded type (as in
/// CVRPLIB, where the fleet is free) keeps a generous multiple of the
/// capacity bound, as HGS-CVRP does (Vidal 2022: 1.3 x demand / capacity + 3).
fn route_slots(problem: &Problem) -> Vec<usize> {
    let total: f64 = problem.clients().iter().map(|c| c.demand[0] as f64).sum();
    problem
        .vehicle_types()
        .iter()
        .map(|t| {
            let bound = (1.3 * total / t.capacity[0].max(1) as f64).ceil() as usize + 3;
            t.count.min(bound.max(3)).min(problem.n_clients().max(1))
        })
        .collect()
}

/// The `k` most related other clients of every client, made symmetric.
///
/// Relatedness is travel cost plus, when time windows exist, the waiting and
/// lateness that going from one to the other would cause (the proximity of
/// Vidal et al. 2013, with the weights PyVRP uses: 0.2 for waiting, 1 for
/// lateness).
///
/// `types[c]` is the set of vehicle types that may serve client `c`:
/// neighbours must share one, or moves between them could never apply (a
/// hazardous pickup's neighbours are the other hazardous pickups, however
/// far).
fn granular_neighbours(problem: &Problem, types: &[VehicleSet], k: usize) -> Vec<Vec<u32>> {
    let n = problem.n_clients();
    let clients = problem.clients();
    let profile = problem.vehicle_types()[0].profile;
    let time = problem.features().time;
    let k = k.min(n.saturating_sub(1));
    let mut near: Vec<Vec<u32>> = Vec::with_capacity(n);
    let mut buf: Vec<(i64, u32)> = Vec::with_capacity(n);
    for i in 0..n {
        buf.clear();
        let ci = &clients[i];
        for (j, cj) in clients.iter().enumerate() {
            if i == j || types[i] & types[j] == 0 {
                continue;
            }
            let d = problem.distance(profile, ci.location, cj.location);
            let mut prox = d as f64;
            if time {
                let t = problem.duration(profile, ci.location, cj.location);
                let wait = (cj.tw.start - t - ci.service - ci.tw.end).max(0);
                let late = (ci.tw.start + ci.service + t - cj.tw.end).max(0);
                prox += 0.2 * wait as f64 + late as f64;
            }
            buf.push((prox.min(i64::MAX as f64 / 4.0) as i64, j as u32));
        }
        if k < buf.len() {
            buf.select_nth_unstable(k);
            buf.truncate(k);
        }
        buf.sort_unstable();
        near.push(buf.iter().map(|&(_, j)| j).collect());
    }
    // Symmetrise: if j is near i, i is near j.
    let mut sym: Vec<Vec<u32>> = near.clone();
    for (i, list) in near.iter().enumerate() {
        for &j in list {
            if !near[j as usize].contains(&(i as u32)) && !sym[j as usize].contains(&(i as u32)) {
                sym[j as usize].push(i as u32);
            }
        }
    }
    sym
}
