//! Route segments that concatenate in constant time.
//!
//! A [`Seg`] summarises a contiguous run of stops: its travel distance, its
//! schedule (duration, time warp, earliest and latest start, following the
//! time-window concatenation of Vidal et al. 2013, "A hybrid genetic algorithm
//! with adaptive diversity management for a large class of vehicle routing
//! problems with time-windows", C&OR 40(1)), and its loads split into trips at
//! unload visits (as in PyVRP's `LoadSegment::finalise`: an unload closes the
//! trip in progress). Merging two segments costs O(1), so a move is scored by
//! merging cached prefix and suffix segments of the routes it touches instead
//! of walking them.
//!
//! For the few facilities with a daily capacity (up to [`FAC_SLOTS`], each
//! given a slot), a segment also carries what its closed trips unload at
//! each of them, so that the local search prices a move's effect on the
//! day's totals per facility (see `search::LocalSearch::fac_delta`). Problems
//! without such facilities skip that work.
//!
//! A break has no location: it is taken where the vehicle is, right after
//! the previous stop, and the drive to the next stop follows it. Its segment
//! is "transparent" (`first == last == NO_LOC`). To keep merging associative,
//! a segment keeps the schedule of its leading transparent stops (`lead`)
//! apart from the rest (`body`, which starts at the first physical stop):
//! whichever way a route is grouped, the drive from a stop to the next
//! physical stop is placed after any break between them.

use crate::model::{
    ALL_VEHICLES, Distance, Duration, LOAD_DIMS, Load, LoadVec, Matrix, StreamSet, UNLIMITED,
    VehicleSet,
};

/// Marker for "no location" (a break).
pub(crate) const NO_LOC: u32 = u32::MAX;

/// Facilities with a daily capacity whose totals the local search tracks
/// (the tightest ones, if a problem has more; the others are priced on
/// whole solutions only, as `Individual` does for all).
pub(crate) const FAC_SLOTS: usize = 4;
/// Marker for "no tracked facility".
pub(crate) const NO_SLOT: u8 = u8::MAX;
/// Load unloaded per tracked facility.
pub(crate) type FacLoads = [Load; FAC_SLOTS];
/// The same inside a segment, in 32 bits to keep segments small: tracking
/// is on only when the clients' whole demand fits (see `Data::fac`).
pub(crate) type SegFacLoads = [i32; FAC_SLOTS];

/// Summary of a run of consecutive stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seg {
    /// First and last physical location, `NO_LOC` if the run has none.
    pub first: u32,
    pub last: u32,
    /// Travel distance inside the run.
    pub dist: Distance,
    /// Schedule of the stops from the first physical one on.
    pub body: Tw,
    /// Schedule of the leading transparent stops (valid if `has_lead`).
    pub lead: Tw,
    pub has_lead: bool,
    /// Load collected before the first unload (the whole run if none).
    pub head: LoadVec,
    /// Load collected after the last unload (meaningful if `reloads > 0`).
    pub tail: LoadVec,
    /// Summed capacity excess of trips that start and end inside the run.
    pub excess: LoadVec,
    /// Total load collected (for daily limits).
    pub total: LoadVec,
    /// Streams collected before the first unload, and after the last.
    pub head_streams: StreamSet,
    pub tail_streams: StreamSet,
    /// Streams of every client in the run.
    pub all_streams: StreamSet,
    /// Vehicle types allowed to serve every client and facility of the run.
    pub types: VehicleSet,
    /// Streams accepted by the first unload of the run (all if none).
    pub first_accepts: StreamSet,
    /// Trips inside the run that end at a facility refusing one of their streams.
    pub bad_streams: i32,
    /// Number of clients.
    pub stops: i32,
    /// Number of unload visits.
    pub reloads: i32,
    /// Tracked-facility slot of the first unload of the run (`NO_SLOT` if
    /// none, or if that facility has no slot).
    pub first_fac: u8,
    /// Load (first dimension) of the trips that start and end inside the
    /// run, per tracked facility they unload at (only when tracking).
    pub unloaded: SegFacLoads,
}

/// The schedule summary of a run (Vidal et al. 2013): minimal duration
/// (travel, service, waiting), time warp (time that must be "given back" to
/// respect the windows), and the earliest and latest start of the run's first
/// stop that achieve them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tw {
    pub dur: Duration,
    pub warp: Duration,
    pub early: Duration,
    pub late: Duration,
}

impl Tw {
    const NONE: Tw = Tw {
        dur: 0,
        warp: 0,
        early: 0,
        late: UNLIMITED,
    };

    /// `a`, then a drive of `travel`, then `b`.
    #[inline]
    pub fn then(&self, b: &Tw, travel: Duration) -> Tw {
        let a = self;
        let delta = a.dur - a.warp + travel;
        let wait = (b.early - delta - a.late).max(0);
        let warp = (a.early + delta - b.late).max(0);
        Tw {
            dur: a.dur + b.dur + travel + wait,
            warp: a.warp + b.warp + warp,
            early: (b.early - delta).max(a.early) - wait,
            late: (b.late - delta).min(a.late) + warp,
        }
    }
}

impl Seg {
    /// The empty run (identity of `merge`).
    pub const EMPTY: Seg = Seg {
        first: NO_LOC,
        last: NO_LOC,
        dist: 0,
        body: Tw::NONE,
        lead: Tw::NONE,
        has_lead: false,
        head: [0; LOAD_DIMS],
        tail: [0; LOAD_DIMS],
        excess: [0; LOAD_DIMS],
        total: [0; LOAD_DIMS],
        head_streams: 0,
        tail_streams: 0,
        all_streams: 0,
        first_accepts: u32::MAX,
        types: ALL_VEHICLES,
        bad_streams: 0,
        stops: 0,
        reloads: 0,
        first_fac: NO_SLOT,
        unloaded: [0; FAC_SLOTS],
    };

    /// A client at `loc`.
    pub fn client(
        loc: usize,
        demand: LoadVec,
        service: Duration,
        early: Duration,
        late: Duration,
        stream: u8,
    ) -> Seg {
        let s = 1u32 << stream;
        Seg {
            first: loc as u32,
            last: loc as u32,
            body: Tw {
                dur: service,
                warp: 0,
                early,
                late,
            },
            head: demand,
            total: demand,
            head_streams: s,
            all_streams: s,
            stops: 1,
            ..Seg::EMPTY
        }
    }

    /// An unload at a facility at `loc` accepting `accepts`.
    pub fn unload(
        loc: usize,
        unload: Duration,
        early: Duration,
        late: Duration,
        accepts: StreamSet,
    ) -> Seg {
        Seg {
            first: loc as u32,
            last: loc as u32,
            body: Tw {
                dur: unload,
                warp: 0,
                early,
                late,
            },
            first_accepts: accepts,
            reloads: 1,
            ..Seg::EMPTY
        }
    }

    /// A depot visit at `loc` (departure or arrival inside `[early, late]`).
    pub fn depot(loc: usize, early: Duration, late: Duration) -> Seg {
        Seg {
            first: loc as u32,
            last: loc as u32,
            body: Tw {
                dur: 0,
                warp: 0,
                early,
                late,
            },
            ..Seg::EMPTY
        }
    }

    /// A break of length `duration` starting inside `[early, late]`.
    pub fn break_(duration: Duration, early: Duration, late: Duration) -> Seg {
        Seg {
            lead: Tw {
                dur: duration,
                warp: 0,
                early,
                late,
            },
            has_lead: true,
            ..Seg::EMPTY
        }
    }

    /// What a complete route (start depot to end depot) unloads at each
    /// tracked facility: its closed trips, and the trip before its first
    /// unload.
    #[inline]
    pub fn route_unloads(&self) -> FacLoads {
        let mut u = self.unloaded.map(Load::from);
        if self.reloads > 0 && self.first_fac != NO_SLOT {
            u[self.first_fac as usize] += self.head[0];
        }
        u
    }

    /// The schedule of the whole run.
    #[inline]
    pub fn time(&self) -> Tw {
        match (self.has_lead, self.first != NO_LOC) {
            (true, true) => self.lead.then(&self.body, 0),
            (true, false) => self.lead,
            (false, _) => self.body,
        }
    }
}

/// What merging needs besides the two segments: the travel matrices of the
/// route's profile, the route's trip capacity, and which features to track.
#[derive(Clone, Copy)]
pub(crate) struct SegCtx<'a> {
    pub dist: &'a Matrix,
    pub dur: &'a Matrix,
    pub capacity: LoadVec,
    pub time: bool,
    /// Track what trips unload at the tracked facilities.
    pub fac: bool,
}

impl SegCtx<'_> {
    /// Concatenates `a` then `b`.
    #[inline]
    pub fn merge(&self, a: &Seg, b: &Seg) -> Seg {
        let mut out = *a;
        self.append(&mut out, b);
        out
    }

    /// Appends `b` to `a` in place (no copy of the large segment).
    #[inline]
    pub fn append(&self, a: &mut Seg, b: &Seg) {
        let linked = a.last != NO_LOC && b.first != NO_LOC;
        if linked {
            let (i, j) = (a.last, b.first);
            a.dist += self.dist.at(i, j);
            if self.time {
                let travel = self.dur.at(i, j);
                let mut body = a.body;
                if b.has_lead {
                    body = body.then(&b.lead, 0);
                }
                a.body = body.then(&b.body, travel);
            }
        } else if self.time {
            if a.first == NO_LOC {
                // `a` is transparent (or empty): it joins the lead of `b`.
                if a.has_lead {
                    if b.has_lead {
                        a.lead = a.lead.then(&b.lead, 0);
                    }
                } else {
                    a.lead = b.lead;
                    a.has_lead = b.has_lead;
                }
                a.body = b.body;
            } else {
                // `b` has no physical stop: it is transparent (or empty).
                if b.has_lead {
                    a.body = a.body.then(&b.lead, 0);
                }
            }
        }
        if a.first == NO_LOC {
            a.first = b.first;
        }
        if b.last != NO_LOC {
            a.last = b.last;
        }
        a.dist += b.dist;
        a.stops += b.stops;
        a.all_streams |= b.all_streams;
        a.types &= b.types;
        a.bad_streams += b.bad_streams;
        for d in 0..LOAD_DIMS {
            a.total[d] += b.total[d];
        }
        match (a.reloads > 0, b.reloads > 0) {
            (false, false) => {
                for d in 0..LOAD_DIMS {
                    a.head[d] += b.head[d];
                }
                a.head_streams |= b.head_streams;
            }
            (false, true) => {
                for d in 0..LOAD_DIMS {
                    a.head[d] += b.head[d];
                    a.tail[d] = b.tail[d];
                    a.excess[d] = b.excess[d];
                }
                a.head_streams |= b.head_streams;
                a.tail_streams = b.tail_streams;
                a.first_accepts = b.first_accepts;
                if self.fac {
                    a.first_fac = b.first_fac;
                    a.unloaded = b.unloaded;
                }
            }
            (true, false) => {
                for d in 0..LOAD_DIMS {
                    a.tail[d] += b.head[d];
                }
                a.tail_streams |= b.head_streams;
            }
            (true, true) => {
                // The trip open at the end of `a` closes at the first unload of `b`.
                if self.fac {
                    for k in 0..FAC_SLOTS {
                        a.unloaded[k] += b.unloaded[k];
                    }
                    if b.first_fac != NO_SLOT {
                        a.unloaded[b.first_fac as usize] += (a.tail[0] + b.head[0]) as i32;
                    }
                }
                for d in 0..LOAD_DIMS {
                    let trip: Load = a.tail[d] + b.head[d];
                    a.excess[d] += b.excess[d] + (trip - self.capacity[d]).max(0);
                    a.tail[d] = b.tail[d];
                }
                if (a.tail_streams | b.head_streams) & !b.first_accepts != 0 {
                    a.bad_streams += 1;
                }
                a.tail_streams = b.tail_streams;
            }
        }
        a.reloads += b.reloads;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx<'a>(m: &'a Matrix, cap: Load) -> SegCtx<'a> {
        SegCtx {
            dist: m,
            dur: m,
            capacity: [cap, UNLIMITED],
            time: true,
            fac: true,
        }
    }

    #[test]
    fn merge_is_associative_on_a_small_line() {
        // Locations 0..4 on a line, distance |i - j| * 10.
        let m = Matrix::from_fn(5, |i, j| (i as i64 - j as i64).abs() * 10).unwrap();
        let c = ctx(&m, 10);
        let segs = [
            Seg::depot(0, 0, 1000),
            Seg::client(1, [4, 0], 5, 0, 30, 0),
            Seg::unload(4, 7, 0, 1000, u32::MAX),
            Seg::client(2, [8, 0], 5, 50, 60, 0),
            Seg::break_(15, 40, 200),
            Seg::client(3, [9, 0], 5, 0, 1000, 0),
            Seg::depot(0, 0, 1000),
        ];
        let left = segs[1..].iter().fold(segs[0], |acc, s| c.merge(&acc, s));
        let right = segs[..6]
            .iter()
            .rev()
            .fold(segs[6], |acc, s| c.merge(s, &acc));
        assert_eq!(left, right);
        // Every way of cutting the run in two and in three gives the same result.
        let fold = |r: &[Seg]| r.iter().fold(Seg::EMPTY, |a, s| c.merge(&a, s));
        for i in 0..=segs.len() {
            assert_eq!(
                left,
                c.merge(&fold(&segs[..i]), &fold(&segs[i..])),
                "cut at {i}"
            );
            for j in i..=segs.len() {
                let three = c.merge(
                    &c.merge(&fold(&segs[..i]), &fold(&segs[i..j])),
                    &fold(&segs[j..]),
                );
                assert_eq!(left, three, "cuts at {i} and {j}");
            }
        }
        // Leaving at 0: client 1 at 10-15, unload at 45-52, client 2 reached
        // at 72 although it closes at 60: a warp of 12. The break (window
        // 40..200) follows client 2's service, then the drive to client 3.
        assert_eq!(left.time().warp, 12);
        // Travel: 0->1 (10), 1->4 (30), 4->2 (20), 2->3 across the break (10), 3->0 (30).
        assert_eq!(left.dist, 100);
        // Trips: first 4 (closed at the unload), then 8 + 9 = 17 open at the end.
        assert_eq!(left.head, [4, 0]);
        assert_eq!(left.tail, [17, 0]);
        assert_eq!(left.reloads, 1);
        assert_eq!(left.stops, 3);
    }

    #[test]
    fn facility_loads_follow_the_trips_whatever_the_grouping() {
        let m = Matrix::from_fn(6, |i, j| (i as i64 - j as i64).abs() * 10).unwrap();
        let c = ctx(&m, 100);
        let at = |loc, slot| Seg {
            first_fac: slot,
            ..Seg::unload(loc, 5, 0, 1000, u32::MAX)
        };
        let q = |loc, kg| Seg::client(loc, [kg, 0], 5, 0, 1000, 0);
        // 4 + 8 unloaded at slot 1, 9 at slot 0, 6 at an untracked facility,
        // 3 never unloaded.
        let segs = [
            Seg::depot(0, 0, 1000),
            q(1, 4),
            q(2, 8),
            at(4, 1),
            q(3, 9),
            at(5, 0),
            q(1, 6),
            at(4, NO_SLOT),
            q(2, 3),
            Seg::depot(0, 0, 1000),
        ];
        let fold = |r: &[Seg]| r.iter().fold(Seg::EMPTY, |a, s| c.merge(&a, s));
        let whole = fold(&segs);
        assert_eq!(whole.route_unloads(), [9, 12, 0, 0]);
        for i in 0..=segs.len() {
            for j in i..=segs.len() {
                let three = c.merge(
                    &c.merge(&fold(&segs[..i]), &fold(&segs[i..j])),
                    &fold(&segs[j..]),
                );
                assert_eq!(whole, three, "cuts at {i} and {j}");
            }
        }
        // Without tracking, nothing is counted.
        let off = SegCtx { fac: false, ..c };
        let untracked = segs.iter().fold(Seg::EMPTY, |a, s| off.merge(&a, s));
        assert_eq!(untracked.unloaded, [0; FAC_SLOTS]);
    }

    #[test]
    fn time_windows_give_waiting_and_warp() {
        // 0 -> 1 takes 10; client 1 opens at 50: leaving at 40 avoids waiting.
        let m = Matrix::from_fn(2, |i, j| if i == j { 0 } else { 10 }).unwrap();
        let c = ctx(&m, 100);
        let s = c
            .merge(
                &Seg::depot(0, 0, 1000),
                &Seg::client(1, [0; 2], 5, 50, 60, 0),
            )
            .time();
        assert_eq!((s.dur, s.warp, s.early, s.late), (15, 0, 40, 50));
        // A depot that opens at 30 while the client closes at 25:
        let s = c
            .merge(
                &Seg::depot(0, 30, 1000),
                &Seg::client(1, [0; 2], 5, 0, 25, 0),
            )
            .time();
        // Leave at 30, arrive 40 > 25: warp 15.
        assert_eq!(s.warp, 15);
    }
}
