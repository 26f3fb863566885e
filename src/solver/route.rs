//! Search routes: stops plus cached prefix and suffix segments.

use super::cost::{CostEvaluator, Penalties};
use super::data::{Data, Kind, Stop};
use super::segment::{FAC_SLOTS, FacLoads, Seg};
use crate::model::{Cost, Distance, Duration, LoadVec};

/// An arc of directions around the depot covering a route's clients, used to
/// decide which route pairs SWAP* examines (Vidal 2022, section 4.2).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Sector {
    start: f64,
    extent: f64,
}

impl Sector {
    const EMPTY: Sector = Sector {
        start: 0.0,
        extent: -1.0,
    };
    const TAU: f64 = std::f64::consts::TAU;

    fn norm(a: f64) -> f64 {
        let r = a.rem_euclid(Self::TAU);
        if r >= Self::TAU { 0.0 } else { r }
    }

    fn contains(&self, a: f64) -> bool {
        self.extent >= 0.0 && Self::norm(a - self.start) <= self.extent
    }

    /// Grows the arc by the smaller of the two ways needed to cover `a`.
    fn extend(&mut self, a: f64) {
        if self.extent < 0.0 {
            *self = Sector {
                start: Self::norm(a),
                extent: 0.0,
            };
        } else if !self.contains(a) {
            let fwd = Self::norm(a - self.start) - self.extent; // grow the end
            let back = Self::norm(self.start - a); // move the start back
            if fwd <= back {
                self.extent += fwd;
            } else {
                self.start = Self::norm(a);
                self.extent += back;
            }
        }
    }

    /// True if the two arcs share a direction.
    pub fn overlaps(&self, other: &Sector) -> bool {
        self.extent >= 0.0
            && other.extent >= 0.0
            && (self.contains(other.start) || other.contains(self.start))
    }
}

/// Prefix sums of a route in simple mode: distance, load and clients from
/// the start depot up to a stop.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Cum {
    pub dist: Distance,
    pub load: LoadVec,
    pub stops: i32,
}

/// A route under search.
#[derive(Debug, Clone)]
pub(crate) struct SRoute {
    /// Vehicle type.
    pub vt: usize,
    /// Stops: `stops[0]` is the start depot, the last one the end depot.
    pub stops: Vec<Stop>,
    /// Location of every stop (`NO_LOC` for a break).
    pub locs: Vec<u32>,
    /// `cum[i]` = distance, load and clients of stops `0..=i` (simple mode).
    pub cum: Vec<Cum>,
    /// `prefix[i]` = stops `0..=i` (empty in simple mode).
    pub prefix: Vec<Seg>,
    /// `suffix[i]` = stops `i..len-1` (the end depot excluded; the last entry is empty).
    pub suffix: Vec<Seg>,
    /// `rev[i]` = distance of stops `0..=i` travelled backwards (simple mode only).
    pub rev: Vec<Cost>,
    /// Penalised cost of the whole route.
    pub cost: Cost,
    /// The part of `cost` a move can remove beyond the change of arc costs:
    /// penalties, plus the cost of waiting time (for pruning).
    pub penalty: Cost,
    /// Travel time and time spent at stops (service, unloading, break).
    pub travel_time: Duration,
    pub stop_time: Duration,
    /// Number of clients.
    pub n_clients: usize,
    /// Search stamp of the last change.
    pub modified: u64,
    /// Directions of the clients around the depot.
    pub sector: Sector,
    /// Index of the break stop, if any.
    pub brk: Option<usize>,
    /// What the route unloads at each tracked facility (see `Data::fac`).
    pub unloads: FacLoads,
}

impl SRoute {
    /// A route of type `vt` with the given visits between its depots.
    pub fn new(d: &Data, vt: usize, visits: impl IntoIterator<Item = Stop>) -> SRoute {
        let mut stops = vec![Stop {
            kind: Kind::Start,
            id: vt as u32,
        }];
        stops.extend(visits);
        stops.push(Stop {
            kind: Kind::End,
            id: vt as u32,
        });
        let mut r = SRoute {
            vt,
            stops,
            locs: Vec::new(),
            cum: Vec::new(),
            prefix: Vec::new(),
            suffix: Vec::new(),
            rev: Vec::new(),
            cost: 0,
            penalty: 0,
            travel_time: 0,
            stop_time: 0,
            n_clients: 0,
            modified: 0,
            sector: Sector::EMPTY,
            brk: None,
            unloads: [0; FAC_SLOTS],
        };
        r.update(
            d,
            &Penalties {
                load: [0.0; 2],
                time: 0.0,
                dist: 0.0,
            },
        );
        r
    }

    /// Number of stops, depots included.
    #[inline]
    pub fn len(&self) -> usize {
        self.stops.len()
    }

    /// The segment of the whole route (not in simple mode).
    #[inline]
    pub fn total(&self) -> &Seg {
        &self.prefix[self.stops.len() - 1]
    }

    /// Distance from the start to stop `i` and clients among stops
    /// `0..=i`, from the cache the mode keeps (`cum` in simple mode, else
    /// `prefix`).
    #[inline]
    fn upto(&self, i: usize) -> (Distance, i32) {
        if self.prefix.is_empty() {
            (self.cum[i].dist, self.cum[i].stops)
        } else {
            (self.prefix[i].dist, self.prefix[i].stops)
        }
    }

    /// Clients among stops `0..=i`.
    #[inline]
    pub fn clients_upto(&self, i: usize) -> i32 {
        self.upto(i).1
    }

    /// Distance from the start to stop `i`.
    #[inline]
    pub fn dist_upto(&self, i: usize) -> Distance {
        self.upto(i).0
    }

    /// Distance, load and clients of the whole route (simple mode).
    #[inline]
    pub fn cum_total(&self) -> &Cum {
        &self.cum[self.stops.len() - 1]
    }

    /// Recomputes every cache after the stops changed.
    pub fn update(&mut self, d: &Data, pen: &Penalties) {
        let n = self.stops.len();
        let ctx = d.ctx(self.vt);
        let problem = d.problem;
        self.locs.clear();
        self.locs.extend(self.stops.iter().map(|s| match s.kind {
            Kind::Client => d.loc[s.id as usize],
            Kind::Unload => problem.facilities()[s.id as usize].location as u32,
            Kind::Start => {
                problem.depots()[problem.vehicle_types()[self.vt].start_depot].location as u32
            }
            Kind::End => {
                problem.depots()[problem.vehicle_types()[self.vt].end_depot].location as u32
            }
            Kind::Break => super::segment::NO_LOC,
        }));
        if d.simple {
            let m = d.dist_of[self.vt];
            self.cum.clear();
            self.rev.clear();
            self.cum.push(Cum::default());
            self.rev.push(0);
            for i in 1..n {
                let (a, b) = (self.locs[i - 1], self.locs[i]);
                let mut c = self.cum[i - 1];
                c.dist += m.at(a, b);
                if self.stops[i].is_client() {
                    let q = d.demand[self.stops[i].id as usize];
                    c.load = [c.load[0] + q[0], c.load[1] + q[1]];
                    c.stops += 1;
                }
                self.cum.push(c);
                self.rev.push(self.rev[i - 1] + m.at(b, a));
            }
        } else {
            // Backward distance over the physical stops (breaks are skipped).
            let m = d.dist_of[self.vt];
            self.rev.clear();
            self.rev.push(0);
            let mut last = self.locs[0];
            for i in 1..n {
                let here = self.locs[i];
                let step = if here == super::segment::NO_LOC {
                    0
                } else {
                    m.at(here, last)
                };
                if here != super::segment::NO_LOC {
                    last = here;
                }
                self.rev.push(self.rev[i - 1] + step);
            }
            let md = &problem.profiles()[problem.vehicle_types()[self.vt].profile].duration;
            let (mut travel, mut at_stops, mut last) = (0, 0, self.locs[0]);
            for (i, s) in self.stops.iter().enumerate().skip(1) {
                let here = self.locs[i];
                if here != super::segment::NO_LOC {
                    travel += md.at(last, here);
                    last = here;
                }
                at_stops += d.single(*s, self.vt).time().dur;
            }
            self.travel_time = travel;
            self.stop_time = at_stops;
            self.prefix.clear();
            let mut acc = *d.single(self.stops[0], self.vt);
            self.prefix.push(acc);
            for s in &self.stops[1..] {
                ctx.append(&mut acc, d.single(*s, self.vt));
                self.prefix.push(acc);
            }
            self.suffix.clear();
            self.suffix.resize(n, Seg::EMPTY);
            let mut acc = Seg::EMPTY;
            for i in (0..n - 1).rev() {
                acc = ctx.merge(d.single(self.stops[i], self.vt), &acc);
                self.suffix[i] = acc;
            }
        }
        self.unloads = if d.fac {
            self.total().route_unloads()
        } else {
            [0; FAC_SLOTS]
        };
        self.n_clients = self.stops.iter().filter(|s| s.is_client()).count();
        self.brk = self.stops.iter().position(|s| s.kind == Kind::Break);
        self.refresh_cost(d, pen);
        self.sector = Sector::EMPTY;
        if let Some(angle) = &d.angle {
            for s in &self.stops {
                if s.is_client() {
                    self.sector.extend(angle[s.id as usize]);
                }
            }
        }
    }

    /// Recomputes the cost under new penalty weights.
    pub fn refresh_cost(&mut self, d: &Data, pen: &Penalties) {
        let ev = CostEvaluator::new(d, pen);
        let rules = ev.rules(self.vt);
        let (cost, stops, dist, time_cost) = if d.simple {
            let t = self.cum_total();
            (
                ev.simple_route(self.vt, t.dist, &t.load, t.stops),
                t.stops,
                t.dist,
                0,
            )
        } else {
            let t = self.total();
            // Arc and stop time costs; what remains is penalty and waiting.
            let time_cost = if d.time {
                rules.cost_per_time * (self.travel_time + self.stop_time)
            } else {
                0
            };
            (ev.route(self.vt, t), t.stops, t.dist, time_cost)
        };
        self.cost = cost;
        self.penalty = if stops == 0 {
            0
        } else {
            self.cost - rules.fixed_cost - rules.cost_per_distance * dist - time_cost
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sectors_extend_the_short_way_and_overlap() {
        let mut a = Sector::EMPTY;
        a.extend(0.1);
        a.extend(-0.1); // wraps around zero: extent 0.2, not 2*pi - 0.2
        assert!((a.extent - 0.2).abs() < 1e-9);
        let mut b = Sector::EMPTY;
        b.extend(3.0);
        b.extend(3.1);
        assert!(!a.overlaps(&b));
        b.extend(0.0);
        assert!(a.overlaps(&b));
    }
}
