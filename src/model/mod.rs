//! The problem model: validated once, immutable afterwards.
//!
//! One model serves every variant the solver handles. A plain CVRP is the
//! special case with one depot, one vehicle type, no time windows and no
//! reload facilities; the waste-collection plan uses all of it: several
//! depots, a mixed fleet with per-type road profiles, time windows, shifts,
//! a lunch break, optional pickups with prizes, and trips that unload at
//! intermediate facilities (transfer stations, landfills) before going on.
//!
//! # Units
//!
//! All quantities are integers (see `docs/DESIGN.md`): [`Distance`] and
//! [`Duration`] are in the unit of the matrices the problem was built with
//! (metres and seconds for road networks), [`Load`] in the unit of the
//! demands, and [`Cost`] in the unit the cost coefficients are given in.

mod builder;
mod check;
mod schedule;
mod solution;

pub use builder::ProblemBuilder;
pub use check::{CheckReport, RouteReport, Violation, check, check_one_route};
pub use schedule::{Schedule, StopTimes, schedule};
pub(crate) use solution::unloaded_per_facility;
pub use solution::{Route, Solution, Visit};

/// A distance, in the matrix unit (metres on road networks).
pub type Distance = i64;
/// A duration or a time of day, in the matrix unit (seconds on road networks).
pub type Duration = i64;
/// A cost, in the unit of the cost coefficients.
pub type Cost = i64;
/// A load (demand or capacity) in one dimension.
pub type Load = i64;

/// Number of load dimensions the model carries (for example kg and m3).
pub const LOAD_DIMS: usize = 2;
/// A load in every dimension.
pub type LoadVec = [Load; LOAD_DIMS];

/// A set of waste streams as a bit mask (bit `s` set = stream `s`).
pub type StreamSet = u32;
/// Every stream.
pub const ALL_STREAMS: StreamSet = u32::MAX;

/// A set of vehicle types as a bit mask (bit `t` set = vehicle type `t`);
/// a problem has at most 64 vehicle types.
pub type VehicleSet = u64;
/// Every vehicle type.
pub const ALL_VEHICLES: VehicleSet = u64::MAX;

/// A large value used for "no limit" on integer quantities. It is far below
/// `i64::MAX` so that sums of a few of them cannot overflow.
pub const UNLIMITED: i64 = i64::MAX / 1024;

/// A dense, row-major square matrix of non-negative integers.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    n: usize,
    data: Vec<i32>,
}

/// An empty buffer with room for `n` x `n` values, or an error (instead of
/// an abort) when the memory cannot be had.
///
/// # Errors
/// [`crate::Error::Invalid`] naming the size if `n * n` overflows or the
/// allocation fails.
pub(crate) fn square_buffer<T>(n: usize) -> crate::Result<Vec<T>> {
    let too_big = || {
        crate::Error::Invalid(format!(
            "a {n} x {n} matrix ({:.1} GB) does not fit in memory: use fewer points",
            n as f64 * n as f64 * std::mem::size_of::<T>() as f64 / (1u64 << 30) as f64
        ))
    };
    let len = n.checked_mul(n).ok_or_else(too_big)?;
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| too_big())?;
    Ok(v)
}

/// An `n` x `n` buffer filled with `value`; see [`square_buffer`].
///
/// # Errors
/// As [`square_buffer`].
pub(crate) fn filled_square<T: Copy>(n: usize, value: T) -> crate::Result<Vec<T>> {
    let mut v = square_buffer(n)?;
    v.resize(n * n, value);
    Ok(v)
}

impl Matrix {
    /// Builds an `n` x `n` matrix from `f(i, j)`.
    ///
    /// # Errors
    /// Fails if a value is negative or does not fit in an `i32`, or if the
    /// matrix does not fit in memory.
    pub fn from_fn(n: usize, mut f: impl FnMut(usize, usize) -> i64) -> crate::Result<Matrix> {
        let mut data = square_buffer(n)?;
        for i in 0..n {
            for j in 0..n {
                let v = f(i, j);
                if !(0..=i32::MAX as i64).contains(&v) {
                    return Err(crate::Error::Invalid(format!(
                        "matrix entry ({i}, {j}) = {v} is outside 0..={}",
                        i32::MAX
                    )));
                }
                data.push(v as i32);
            }
        }
        Ok(Matrix { n, data })
    }

    /// An `n` x `n` matrix from its entries row by row, without a copy.
    ///
    /// # Errors
    /// Fails if `data` does not hold `n * n` entries or an entry is negative.
    pub fn from_rows(n: usize, data: Vec<i32>) -> crate::Result<Matrix> {
        if data.len() != n * n {
            return Err(crate::Error::Invalid(format!(
                "a {n} x {n} matrix needs {} entries, not {}",
                n * n,
                data.len()
            )));
        }
        if let Some(k) = data.iter().position(|&v| v < 0) {
            return Err(crate::Error::Invalid(format!(
                "matrix entry ({}, {}) = {} is negative",
                k / n,
                k % n,
                data[k]
            )));
        }
        Ok(Matrix { n, data })
    }

    /// A matrix of zeros.
    pub fn zeros(n: usize) -> Matrix {
        Matrix {
            n,
            data: vec![0; n * n],
        }
    }

    /// The number of rows (and columns).
    pub fn size(&self) -> usize {
        self.n
    }

    /// The entry in row `i`, column `j`.
    #[inline(always)]
    pub fn get(&self, i: usize, j: usize) -> i64 {
        self.data[i * self.n + j] as i64
    }

    /// The entry in row `i`, column `j`, with `u32` indices (the solver's
    /// location type).
    #[inline(always)]
    pub(crate) fn at(&self, i: u32, j: u32) -> i64 {
        self.data[i as usize * self.n + j as usize] as i64
    }

    /// True if `get(i, j) == get(j, i)` for all pairs.
    pub fn is_symmetric(&self) -> bool {
        (0..self.n).all(|i| (0..i).all(|j| self.get(i, j) == self.get(j, i)))
    }
}

/// The travel data of one road profile: a distance and a duration matrix
/// over every location of the problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// A name for messages (`truck`, `small`, ...).
    pub name: String,
    /// Travel distance between locations.
    pub distance: Matrix,
    /// Travel duration between locations.
    pub duration: Matrix,
}

/// A time window `[start, end]`: service (or departure) must begin inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeWindow {
    /// Earliest start.
    pub start: Duration,
    /// Latest start.
    pub end: Duration,
}

impl TimeWindow {
    /// The window that never binds.
    pub const ALWAYS: TimeWindow = TimeWindow {
        start: 0,
        end: UNLIMITED,
    };

    /// True if the window constrains anything.
    pub fn binds(&self) -> bool {
        self.start > 0 || self.end < UNLIMITED
    }
}

/// A depot, where vehicles start and end their day.
#[derive(Debug, Clone, PartialEq)]
pub struct Depot {
    /// The user's id.
    pub name: String,
    /// Location index into the profile matrices.
    pub location: usize,
    /// Opening hours.
    pub tw: TimeWindow,
}

/// A client (a pickup point).
#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    /// The user's id.
    pub name: String,
    /// Location index into the profile matrices.
    pub location: usize,
    /// Amount collected, per load dimension.
    pub demand: LoadVec,
    /// Time spent at the client.
    pub service: Duration,
    /// When service may start.
    pub tw: TimeWindow,
    /// The waste stream (an index below 32).
    pub stream: u8,
    /// A required client must be served; an optional one may be left out at
    /// the cost of its `prize`.
    pub required: bool,
    /// Cost of leaving an optional client unserved.
    pub prize: Cost,
    /// The vehicle types that may serve it (for example those whose road
    /// profile reaches it).
    pub vehicles: VehicleSet,
}

impl Client {
    /// For tests: a required client `name` at `location` with `demand`
    /// (first dimension), no service time, any time, stream 0, any vehicle.
    #[cfg(test)]
    pub(crate) fn required(name: impl Into<String>, location: usize, demand: Load) -> Client {
        Client {
            name: name.into(),
            location,
            demand: [demand, 0],
            service: 0,
            tw: TimeWindow::ALWAYS,
            stream: 0,
            required: true,
            prize: 0,
            vehicles: ALL_VEHICLES,
        }
    }
}

/// A facility where vehicles unload between trips and at the end of the day
/// (a transfer station, landfill or treatment plant).
#[derive(Debug, Clone, PartialEq)]
pub struct Facility {
    /// The user's id.
    pub name: String,
    /// Location index into the profile matrices.
    pub location: usize,
    /// Opening hours (unloading must start inside).
    pub tw: TimeWindow,
    /// Time to unload.
    pub unload: Duration,
    /// The streams it accepts.
    pub accepts: StreamSet,
    /// The vehicle types that may unload here.
    pub vehicles: VehicleSet,
    /// Most load (first dimension) it takes per day.
    pub daily_capacity: Load,
}

/// A break (for example lunch) that each used vehicle of a type takes once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Break {
    /// The break starts inside this window.
    pub window: TimeWindow,
    /// Its length.
    pub duration: Duration,
}

/// A vehicle type: `count` identical vehicles.
#[derive(Debug, Clone, PartialEq)]
pub struct VehicleType {
    /// A name for messages and outputs.
    pub name: String,
    /// How many vehicles of this type are available.
    pub count: usize,
    /// Depot index where the vehicles start.
    pub start_depot: usize,
    /// Depot index where the vehicles end.
    pub end_depot: usize,
    /// Capacity per trip, per load dimension.
    pub capacity: LoadVec,
    /// Total load a vehicle may collect per day over all its trips.
    pub daily_capacity: LoadVec,
    /// Maximum number of clients a vehicle may serve per day.
    pub max_stops: usize,
    /// The vehicle leaves no earlier than `shift.start` and is back no later
    /// than `shift.end`.
    pub shift: TimeWindow,
    /// Maximum route duration (from leaving the depot to returning).
    pub max_duration: Duration,
    /// Maximum route distance.
    pub max_distance: Distance,
    /// An optional break.
    pub break_: Option<Break>,
    /// Cost of using one vehicle for the day.
    pub fixed_cost: Cost,
    /// Cost per unit of distance.
    pub cost_per_distance: Cost,
    /// Cost per unit of route duration.
    pub cost_per_time: Cost,
    /// Index of the road profile this type travels on.
    pub profile: usize,
    /// The streams this type may carry.
    pub streams: StreamSet,
    /// Maximum number of intermediate unloads per day (trips = reloads + 1).
    pub max_reloads: usize,
    /// True if every route must end with an unload at a facility before
    /// returning to the depot (waste collection); false for classic CVRP.
    pub unload_at_end: bool,
}

impl VehicleType {
    /// A vehicle type with the given count and capacity (first dimension),
    /// no limits other than capacity, cost 1 per unit of distance, starting
    /// and ending at depot 0, on profile 0.
    pub fn new(name: impl Into<String>, count: usize, capacity: Load) -> VehicleType {
        VehicleType {
            name: name.into(),
            count,
            start_depot: 0,
            end_depot: 0,
            capacity: [capacity, UNLIMITED],
            daily_capacity: [UNLIMITED; LOAD_DIMS],
            max_stops: usize::MAX,
            shift: TimeWindow::ALWAYS,
            max_duration: UNLIMITED,
            max_distance: UNLIMITED,
            break_: None,
            fixed_cost: 0,
            cost_per_distance: 1,
            cost_per_time: 0,
            profile: 0,
            streams: ALL_STREAMS,
            max_reloads: 0,
            unload_at_end: false,
        }
    }
}

/// Which features a problem uses. The solver skips the work for absent ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Features {
    /// Some time window, shift, duration limit, break or time cost binds.
    pub time: bool,
    /// Some vehicle type may unload at facilities between trips or at the end.
    pub reloads: bool,
    /// Some vehicle type takes a break.
    pub breaks: bool,
    /// Streams or vehicle sets restrict which vehicle or facility may take a
    /// client.
    pub streams: bool,
    /// Some facility has a daily capacity.
    pub facility_capacity: bool,
    /// Some client is optional.
    pub optional: bool,
    /// Some vehicle type limits route distance.
    pub distance_limit: bool,
    /// Some vehicle type limits daily load or stops.
    pub daily_limits: bool,
    /// All profile matrices are symmetric.
    pub symmetric: bool,
}

/// A validated, immutable routing problem. Build it with [`ProblemBuilder`].
///
/// Cloning is cheap in memory: the travel matrices and coordinates are
/// shared, not copied (fleet sizing solves many copies with other vehicle
/// counts).
#[derive(Debug, Clone)]
pub struct Problem {
    pub(crate) depots: Vec<Depot>,
    pub(crate) clients: Vec<Client>,
    pub(crate) facilities: Vec<Facility>,
    pub(crate) vehicle_types: Vec<VehicleType>,
    pub(crate) profiles: std::sync::Arc<[Profile]>,
    pub(crate) coords: Option<std::sync::Arc<[(f64, f64)]>>,
    pub(crate) features: Features,
    pub(crate) n_dims: usize,
    /// Pattern groups (see [`Problem::groups`]); empty for most problems.
    pub(crate) groups: Vec<Vec<std::ops::Range<usize>>>,
}

impl Problem {
    /// The depots.
    pub fn depots(&self) -> &[Depot] {
        &self.depots
    }
    /// The clients.
    pub fn clients(&self) -> &[Client] {
        &self.clients
    }
    /// The unload facilities.
    pub fn facilities(&self) -> &[Facility] {
        &self.facilities
    }
    /// The vehicle types.
    pub fn vehicle_types(&self) -> &[VehicleType] {
        &self.vehicle_types
    }
    /// The road profiles.
    pub fn profiles(&self) -> &[Profile] {
        &self.profiles
    }
    /// Planar coordinates per location, if known (used for geometric
    /// neighbourhoods; any projection in which angles are meaningful).
    pub fn coords(&self) -> Option<&[(f64, f64)]> {
        self.coords.as_deref()
    }
    /// The features this problem uses.
    pub fn features(&self) -> Features {
        self.features
    }
    /// Number of load dimensions in use (1 or 2).
    pub fn n_dims(&self) -> usize {
        self.n_dims
    }
    /// Number of clients.
    pub fn n_clients(&self) -> usize {
        self.clients.len()
    }
    /// Pattern groups: each group is a list of alternative client ranges
    /// (its patterns), exactly one of which is *wanted* in a solution
    /// ([`Solution::patterns`]); the clients of the other patterns are
    /// *absent*: neither routed nor unserved. The ranges of all groups are
    /// disjoint. Empty unless the problem was built with
    /// [`ProblemBuilder::add_group`] (the week, [`crate::week`]).
    pub fn groups(&self) -> &[Vec<std::ops::Range<usize>>] {
        &self.groups
    }
    /// Per client: whether it is wanted when group `g` uses pattern
    /// `patterns[g]` (every client of no group is wanted). `None` when
    /// `patterns` does not name one valid pattern per group.
    pub fn wanted(&self, patterns: &[usize]) -> Option<Vec<bool>> {
        let mut w = vec![true; self.clients.len()];
        if self.groups.is_empty() {
            return patterns.is_empty().then_some(w);
        }
        if patterns.len() != self.groups.len() {
            return None;
        }
        for (g, &k) in self.groups.iter().zip(patterns) {
            if k >= g.len() {
                return None;
            }
            for (j, r) in g.iter().enumerate() {
                if j != k {
                    w[r.clone()].iter_mut().for_each(|x| *x = false);
                }
            }
        }
        Some(w)
    }
    /// Total number of vehicles over all types.
    pub fn n_vehicles(&self) -> usize {
        self.vehicle_types.iter().map(|t| t.count).sum()
    }
    /// Travel distance from location `a` to `b` on `profile`.
    #[inline(always)]
    pub fn distance(&self, profile: usize, a: usize, b: usize) -> Distance {
        self.profiles[profile].distance.get(a, b)
    }
    /// Travel duration from location `a` to `b` on `profile`.
    #[inline(always)]
    pub fn duration(&self, profile: usize, a: usize, b: usize) -> Duration {
        self.profiles[profile].duration.get(a, b)
    }
    /// A copy with other vehicle counts (one per type, in order): the fleet
    /// menu of fleet sizing.
    ///
    /// # Panics
    /// If `counts` does not have one entry per vehicle type (a programming
    /// error, not an input error).
    pub fn with_vehicle_counts(&self, counts: &[usize]) -> Problem {
        assert_eq!(
            counts.len(),
            self.vehicle_types.len(),
            "one count per vehicle type"
        );
        let mut p = self.clone();
        for (t, &c) in p.vehicle_types.iter_mut().zip(counts) {
            t.count = c;
        }
        p
    }

    /// Whether vehicle type `t` may serve client `c` (stream and vehicle set).
    pub fn can_serve(&self, t: usize, c: usize) -> bool {
        let cl = &self.clients[c];
        self.vehicle_types[t].streams & (1 << cl.stream) != 0 && cl.vehicles & (1 << t) != 0
    }

    /// Whether vehicle type `t` may unload at facility `f`.
    pub fn can_unload(&self, t: usize, f: usize) -> bool {
        let fa = &self.facilities[f];
        fa.vehicles & (1 << t) != 0 && fa.accepts & self.vehicle_types[t].streams != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matrix_too_large_for_the_memory_is_an_error_not_an_abort() {
        let e = square_buffer::<i32>(usize::MAX / 2)
            .unwrap_err()
            .to_string();
        assert!(e.contains("does not fit in memory"), "{e}");
        let e = filled_square(1 << 31, 0u64).unwrap_err().to_string();
        assert!(e.contains("GB"), "{e}");
        assert_eq!(filled_square(3, 7u8).unwrap(), vec![7; 9]);
        assert!(Matrix::from_fn(1 << 31, |_, _| 0).is_err());
    }
}
