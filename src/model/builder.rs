//! Building and validating a [`Problem`].

use super::*;
use crate::{Error, Result};
use std::sync::Arc;

/// Matrices and coordinates shared with another problem.
type Shared = (Arc<[Profile]>, Option<Arc<[(f64, f64)]>>);

/// Collects the parts of a problem and validates them once in [`build`].
///
/// [`build`]: ProblemBuilder::build
#[derive(Debug, Clone, Default)]
pub struct ProblemBuilder {
    depots: Vec<Depot>,
    clients: Vec<Client>,
    facilities: Vec<Facility>,
    vehicle_types: Vec<VehicleType>,
    profiles: Vec<Profile>,
    coords: Option<Vec<(f64, f64)>>,
    shared: Option<Shared>,
    groups: Vec<Vec<std::ops::Range<usize>>>,
}

impl ProblemBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a depot and returns its index.
    pub fn add_depot(&mut self, depot: Depot) -> usize {
        push(&mut self.depots, depot)
    }

    /// Adds a client and returns its index.
    pub fn add_client(&mut self, client: Client) -> usize {
        push(&mut self.clients, client)
    }

    /// Adds an unload facility and returns its index.
    pub fn add_facility(&mut self, facility: Facility) -> usize {
        push(&mut self.facilities, facility)
    }

    /// Adds a vehicle type and returns its index.
    pub fn add_vehicle_type(&mut self, vehicle_type: VehicleType) -> usize {
        push(&mut self.vehicle_types, vehicle_type)
    }

    /// Adds a pattern group: alternative ranges of clients, exactly one of
    /// which a solution serves (see [`Problem::groups`]); returns its index.
    /// Checked by [`build`](Self::build): at least one non-empty pattern,
    /// ranges inside the clients and disjoint from every other group's.
    pub fn add_group(&mut self, patterns: Vec<std::ops::Range<usize>>) -> usize {
        self.groups.push(patterns);
        self.groups.len() - 1
    }

    /// Adds a road profile and returns its index.
    pub fn add_profile(&mut self, profile: Profile) -> usize {
        push(&mut self.profiles, profile)
    }

    /// Sets planar coordinates per location (optional).
    pub fn coords(&mut self, coords: Vec<(f64, f64)>) -> &mut Self {
        self.coords = Some(coords);
        self
    }

    /// A builder whose matrices and coordinates are those of `problem`,
    /// shared rather than copied (a problem derived from another, such as the
    /// week of a one-day problem).
    pub(crate) fn sharing_matrices_of(problem: &Problem) -> Self {
        ProblemBuilder {
            shared: Some((problem.profiles.clone(), problem.coords.clone())),
            ..Self::default()
        }
    }

    /// For tests: a builder with `n_locations` on a line, `step` apart in
    /// distance and duration, and a depot `depot_name` at location 0.
    #[cfg(test)]
    pub(crate) fn on_a_line(n_locations: usize, step: i64, depot_name: &str) -> Self {
        let m = Matrix::from_fn(n_locations, |i, j| (i as i64 - j as i64).abs() * step)
            .expect("a small test matrix");
        let mut b = ProblemBuilder::new();
        b.add_profile(Profile {
            name: "line".into(),
            distance: m.clone(),
            duration: m,
        });
        b.add_depot(Depot {
            name: depot_name.into(),
            location: 0,
            tw: TimeWindow::ALWAYS,
        });
        b
    }

    /// Validates everything and freezes the problem.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the first offending record: a location
    /// outside the matrices, a reference to a missing depot or profile, an
    /// inverted time window, a negative quantity, or a required client that no
    /// vehicle type can carry.
    pub fn build(self) -> Result<Problem> {
        let (profiles, coords): Shared = match self.shared {
            Some(shared) => shared,
            None => (self.profiles.into(), self.coords.map(Into::into)),
        };
        let mut problem = Problem {
            depots: self.depots,
            clients: self.clients,
            facilities: self.facilities,
            vehicle_types: self.vehicle_types,
            profiles,
            coords,
            features: Features::default(),
            n_dims: 1,
            groups: self.groups,
        };
        (problem.features, problem.n_dims) = validate(&problem)?;
        Ok(problem)
    }
}

/// Checks every part of `p` as [`ProblemBuilder::build`] says and returns
/// the features it uses and its number of load dimensions.
fn validate(p: &Problem) -> Result<(Features, usize)> {
    let Problem {
        depots,
        clients,
        facilities,
        vehicle_types,
        profiles,
        coords,
        groups,
        ..
    } = p;
    fn bad<T>(msg: String) -> Result<T> {
        Err(Error::Invalid(msg))
    }
    if depots.is_empty() {
        return bad("the problem has no depot".into());
    }
    if vehicle_types.is_empty() {
        return bad("the problem has no vehicle type".into());
    }
    if vehicle_types.len() > 64 {
        return bad(format!(
            "{} vehicle types; at most 64 are supported",
            vehicle_types.len()
        ));
    }
    if profiles.is_empty() {
        return bad("the problem has no travel matrix (profile)".into());
    }
    let n_loc = profiles[0].distance.size();
    for p in profiles.iter() {
        if p.distance.size() != n_loc || p.duration.size() != n_loc {
            return bad(format!(
                "profile '{}' has matrices of size {} and {}, expected {n_loc}",
                p.name,
                p.distance.size(),
                p.duration.size()
            ));
        }
    }
    if let Some(c) = &coords
        && c.len() != n_loc
    {
        return bad(format!(
            "{} coordinates given for {n_loc} locations",
            c.len()
        ));
    }
    let check_tw = |what: &str, name: &str, tw: &TimeWindow| {
        if tw.start > tw.end || tw.start < 0 {
            return bad(format!(
                "{what} '{name}': time window [{}, {}] is empty or negative",
                tw.start, tw.end
            ));
        }
        Ok(())
    };
    let check_loc = |what: &str, name: &str, loc: usize| {
        if loc >= n_loc {
            return bad(format!(
                "{what} '{name}': location {loc} is outside the {n_loc} matrix rows"
            ));
        }
        Ok(())
    };
    for d in depots {
        check_loc("depot", &d.name, d.location)?;
        check_tw("depot", &d.name, &d.tw)?;
    }
    for f in facilities {
        check_loc("facility", &f.name, f.location)?;
        check_tw("facility", &f.name, &f.tw)?;
        if f.unload < 0 {
            return bad(format!("facility '{}': negative unload time", f.name));
        }
        if f.accepts == 0 {
            return bad(format!("facility '{}' accepts no stream", f.name));
        }
        if f.daily_capacity < 0 {
            return bad(format!("facility '{}': negative daily capacity", f.name));
        }
    }
    let mut n_dims = 1;
    for c in clients {
        check_loc("client", &c.name, c.location)?;
        check_tw("client", &c.name, &c.tw)?;
        if c.demand.iter().any(|&d| d < 0) {
            return bad(format!("client '{}': negative demand", c.name));
        }
        if c.service < 0 {
            return bad(format!("client '{}': negative service time", c.name));
        }
        if c.stream >= 32 {
            return bad(format!(
                "client '{}': stream index {} is not below 32",
                c.name, c.stream
            ));
        }
        if c.prize < 0 {
            return bad(format!("client '{}': negative prize", c.name));
        }
        if c.demand[1] > 0 {
            n_dims = 2;
        }
    }
    for t in vehicle_types {
        if t.start_depot >= depots.len() || t.end_depot >= depots.len() {
            return bad(format!(
                "vehicle type '{}': depot index out of range",
                t.name
            ));
        }
        if t.profile >= profiles.len() {
            return bad(format!(
                "vehicle type '{}': profile {} does not exist",
                t.name, t.profile
            ));
        }
        check_tw("vehicle type", &t.name, &t.shift)?;
        if t.capacity.iter().any(|&q| q < 0) || t.daily_capacity.iter().any(|&q| q < 0) {
            return bad(format!("vehicle type '{}': negative capacity", t.name));
        }
        if t.fixed_cost < 0 || t.cost_per_distance < 0 || t.cost_per_time < 0 {
            return bad(format!("vehicle type '{}': negative cost", t.name));
        }
        if let Some(b) = &t.break_ {
            check_tw("break of vehicle type", &t.name, &b.window)?;
            if b.duration < 0 {
                return bad(format!(
                    "vehicle type '{}': negative break duration",
                    t.name
                ));
            }
        }
        if (t.max_reloads > 0 || t.unload_at_end) && facilities.is_empty() {
            return bad(format!(
                "vehicle type '{}' unloads at facilities, but there are none",
                t.name
            ));
        }
    }
    for c in clients.iter().filter(|c| c.required) {
        let carriers: Vec<&VehicleType> = vehicle_types
            .iter()
            .enumerate()
            .filter(|(k, t)| t.streams & (1 << c.stream) != 0 && c.vehicles & (1 << k) != 0)
            .map(|(_, t)| t)
            .collect();
        if carriers.is_empty() {
            return bad(format!(
                "client '{}': no vehicle type may serve it (stream {})",
                c.name, c.stream
            ));
        }
        let fits = carriers.iter().any(|t| {
            (0..LOAD_DIMS)
                .all(|d| c.demand[d] <= t.capacity[d] && c.demand[d] <= t.daily_capacity[d])
        });
        if !fits {
            return bad(format!(
                "client '{}': demand {:?} exceeds the capacity of every vehicle type that may carry it",
                c.name,
                &c.demand[..n_dims]
            ));
        }
    }

    let time = clients.iter().any(|c| c.tw.binds())
        || depots.iter().any(|d| d.tw.binds())
        || facilities.iter().any(|f| f.tw.binds())
        || vehicle_types.iter().any(|t| {
            t.shift.binds()
                || t.max_duration < UNLIMITED
                || t.break_.is_some()
                || t.cost_per_time > 0
        });
    let features = Features {
        time,
        reloads: vehicle_types
            .iter()
            .any(|t| t.max_reloads > 0 || t.unload_at_end),
        breaks: vehicle_types.iter().any(|t| t.break_.is_some()),
        streams: vehicle_types.iter().any(|t| t.streams != ALL_STREAMS)
            || facilities
                .iter()
                .any(|f| f.accepts != ALL_STREAMS || f.vehicles != ALL_VEHICLES)
            || clients.iter().any(|c| c.vehicles != ALL_VEHICLES),
        facility_capacity: facilities.iter().any(|f| f.daily_capacity < UNLIMITED),
        optional: clients.iter().any(|c| !c.required),
        distance_limit: vehicle_types.iter().any(|t| t.max_distance < UNLIMITED),
        daily_limits: vehicle_types
            .iter()
            .any(|t| t.max_stops < usize::MAX || t.daily_capacity.iter().any(|&q| q < UNLIMITED)),
        symmetric: profiles
            .iter()
            .all(|p| p.distance.is_symmetric() && p.duration.is_symmetric()),
    };
    let mut in_group = vec![false; clients.len()];
    for (g, patterns) in groups.iter().enumerate() {
        if patterns.is_empty() {
            return bad(format!("pattern group {g} has no pattern"));
        }
        for r in patterns {
            if r.is_empty() || r.end > clients.len() {
                return bad(format!(
                    "pattern group {g}: clients {}..{} are empty or beyond the {} clients",
                    r.start,
                    r.end,
                    clients.len()
                ));
            }
            for c in r.clone() {
                if std::mem::replace(&mut in_group[c], true) {
                    return bad(format!(
                        "pattern group {g}: client '{}' is in another pattern already",
                        clients[c].name
                    ));
                }
            }
        }
    }
    Ok((features, n_dims))
}

/// Appends `x` to `v` and returns its index.
fn push<T>(v: &mut Vec<T>, x: T) -> usize {
    v.push(x);
    v.len() - 1
}
