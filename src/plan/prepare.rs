//! From plan inputs to a solver [`Problem`], as a pipeline of named stages,
//! each a function with typed input and output:
//!
//! ```text
//! PlanInput --check_inputs--> Checked          (cross-file rules, memory estimate)
//!           --road_networks--> Networks         (one graph per road profile)
//!           --locate---------> Located          (snaps, closures, cut-off points;
//!                                                depots and facilities on the roads)
//!           --explain_unservable--> Screened    (pickups no route can serve, with
//!                                                the reason; vehicle sets of the rest)
//!           --matrices-------> Matrices         (per profile, over the problem's locations)
//!           --screen_time_windows              (windows no vehicle reaches in its shift)
//!           --build_problem--> Problem
//! ```
//!
//! The pickups that cannot be served whatever the routes stay out of the
//! problem, listed with their reason.

use super::costs::{CostUnit, FleetCosts};
use super::memory;
use super::{PlanInput, PlanOptions, Unserved, UnservedReason};
use crate::domain::{FacilityKind, StopSide, Streams};
use crate::error::Location;
use crate::graph::{Profile, RoadGraph, Snap, SnappedPoint};
use crate::io::osm::OsmRoads;
use crate::matrix::{Approach, Hierarchy, Router, TravelMatrix};
use crate::model::{
    Break, Client, Depot, Facility, Matrix, Problem, ProblemBuilder, Profile as MatrixProfile,
    TimeWindow, UNLIMITED, VehicleSet, VehicleType,
};
use crate::{Error, Result};
use std::time::Instant;

/// Volumes are kept in litres.
const LITRES: f64 = 1000.0;
/// Travel value between locations a profile cannot connect (never used by a
/// feasible route: the clients and facilities involved are forbidden to the
/// vehicle types of that profile). Not `matrix`'s "no path" sentinel: a
/// finite value that sums without overflow.
const DISCONNECTED: i64 = 100_000_000;

/// One road profile in use: its graph (with closures applied, if any) and
/// the snap of every point.
#[derive(Debug)]
pub(crate) struct ProfileData {
    pub name: String,
    /// The graph vehicles drive on (closures applied).
    pub graph: RoadGraph,
    /// The snap of every point on the open graph.
    pub snaps: Vec<Snap>,
    /// Points usable on this profile: on a road, and not cut off by closures.
    pub usable: Vec<bool>,
    /// Points cut off by closures.
    pub cut_off: Vec<bool>,
    /// The contraction hierarchy of `graph`, once a stage has built it.
    pub hierarchy: Option<Hierarchy>,
    /// Whether the routers are turn-aware ([`PlanOptions::turns`]).
    pub turns: bool,
    /// Per point: the directions it is reached and left in (curb-side
    /// pickups: the one with the pickup on the curb side; else either).
    pub approaches: Vec<Approach>,
}

/// A router over `graph`: turn-aware or node-based.
fn contract(graph: &RoadGraph, turns: bool) -> Router<'_> {
    if turns {
        Router::turn_aware(graph)
    } else {
        Router::new(graph)
    }
}

impl ProfileData {
    /// A router over the profile's graph: from its hierarchy when a stage
    /// has built one, else contracting the graph (turn-aware when the plan
    /// asks for turns).
    pub fn router(&self) -> Router<'_> {
        match &self.hierarchy {
            Some(h) => Router::with_hierarchy(&self.graph, h),
            None => contract(&self.graph, self.turns),
        }
    }
}

/// The output of the preparation stage ([`crate::plan::prepare`]): the
/// solver's problem, how its records map back to the inputs, the road graph
/// of every profile (closures applied, with its contraction hierarchy),
/// the pickups no route can serve, and the time and memory each phase took.
///
/// It borrows the inputs it was prepared from, so the later stages
/// ([`crate::plan::solve`], [`crate::plan::build`]) cannot be given other
/// ones.
pub struct Prepared<'a> {
    /// The inputs.
    pub(crate) input: &'a PlanInput,
    /// When the preparation began: the start of the plan's time limit.
    pub(crate) started: Instant,
    pub(crate) problem: Problem,
    /// Per model location: the point index (facilities first, then pickups).
    pub(crate) loc_point: Vec<usize>,
    /// Per client: the pickup index.
    pub(crate) client_pickup: Vec<usize>,
    /// Per model facility: the facility record index.
    pub(crate) facility_rec: Vec<usize>,
    /// Per model depot: the facility record index.
    pub(crate) depot_rec: Vec<usize>,
    /// Per vehicle type: its profile index.
    pub(crate) type_profile: Vec<usize>,
    /// Shared with the day plans of a week ([`Prepared::for_day`]).
    pub(crate) profiles: std::sync::Arc<Vec<ProfileData>>,
    /// Pickups that cannot be served, with the reason.
    pub(crate) unserved: Vec<Unserved>,
    /// The unit of the problem's costs (see `costs`).
    pub(crate) cost_unit: CostUnit,
    /// Seconds per phase: graph, snap, matrix.
    pub(crate) graph_s: f64,
    pub(crate) snap_s: f64,
    pub(crate) matrix_s: f64,
    /// Peak memory (MB) after the graphs, and after the matrices.
    pub(crate) graph_rss_mb: Option<f64>,
    pub(crate) matrix_rss_mb: Option<f64>,
}

fn fleet_err(input: &PlanInput, vehicle: &str, field: &str, msg: String) -> Error {
    Error::input(
        Location::file(&input.fleet.path).with_field(format!("vehicle '{vehicle}'.{field}")),
        msg,
    )
}

/// Point `i` as (lat, lon): facilities first, then pickups.
fn point(input: &PlanInput, i: usize) -> (f64, f64) {
    let nf = input.facilities.len();
    if i < nf {
        (input.facilities[i].lat, input.facilities[i].lon)
    } else {
        (input.pickups[i - nf].lat, input.pickups[i - nf].lon)
    }
}

impl<'a> Prepared<'a> {
    /// The inputs it was prepared from.
    pub fn input(&self) -> &'a PlanInput {
        self.input
    }
    /// The solver's problem.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }
    /// The pickups no route can serve whatever the search does, with their
    /// reasons.
    pub fn unserved(&self) -> &[Unserved] {
        &self.unserved
    }
    /// The road graph of every profile in use (closures applied), in the
    /// order of first use by the fleet's vehicle types.
    pub fn road_graphs(&self) -> Vec<&RoadGraph> {
        self.profiles.iter().map(|p| &p.graph).collect()
    }
    /// When the preparation began: the start of the plan's time limit.
    pub(crate) fn started(&self) -> Instant {
        self.started
    }
    /// The unit of the problem's costs.
    pub(crate) fn cost_unit(&self) -> CostUnit {
        self.cost_unit
    }
    /// Ids of the pickups no route can serve.
    pub(crate) fn unserved_ids(&self) -> std::collections::HashSet<String> {
        self.unserved.iter().map(|u| u.id.clone()).collect()
    }
    /// The pickup of each client.
    pub(crate) fn client_pickup(&self) -> &[usize] {
        &self.client_pickup
    }
    /// The vehicles of each type the problem offers.
    pub(crate) fn vehicle_counts(&self) -> Vec<usize> {
        self.problem
            .vehicle_types()
            .iter()
            .map(|t| t.count)
            .collect()
    }
    /// The preparation of one day of a week: the same inputs, points,
    /// road graphs and routers (shared, not copied), with `problem` for
    /// that day, whose client `c` is pickup `client_pickup[c]` of `input`
    /// and whose facility `f` is record `facility_rec[f]`, and `unserved`,
    /// the pickups due that day that no route can serve.
    pub(crate) fn for_day(
        &self,
        problem: Problem,
        client_pickup: Vec<usize>,
        facility_rec: Vec<usize>,
        unserved: Vec<Unserved>,
    ) -> Prepared<'a> {
        Prepared {
            input: self.input,
            started: self.started,
            problem,
            loc_point: self.loc_point.clone(),
            client_pickup,
            facility_rec,
            depot_rec: self.depot_rec.clone(),
            type_profile: self.type_profile.clone(),
            profiles: std::sync::Arc::clone(&self.profiles),
            unserved,
            cost_unit: self.cost_unit,
            graph_s: self.graph_s,
            snap_s: self.snap_s,
            matrix_s: self.matrix_s,
            graph_rss_mb: self.graph_rss_mb,
            matrix_rss_mb: self.matrix_rss_mb,
        }
    }
    /// Offers `counts` vehicles of each type (in order) to the later
    /// stages, in place: fleet sizing solves one problem under many fleets
    /// without copying it.
    ///
    /// # Panics
    /// If `counts` does not have one entry per vehicle type (a programming
    /// error, not an input error).
    pub(crate) fn set_vehicle_counts(&mut self, counts: &[usize]) {
        assert_eq!(
            counts.len(),
            self.problem.vehicle_types.len(),
            "one count per vehicle type"
        );
        for (t, &c) in self.problem.vehicle_types.iter_mut().zip(counts) {
            t.count = c;
        }
    }
}

/// The plan's inputs through every stage up to the solver's problem.
pub(crate) fn prepare<'a>(input: &'a PlanInput, opts: &PlanOptions) -> Result<Prepared<'a>> {
    let started = Instant::now();
    let checked = check_inputs(input, opts)?;
    let networks = road_networks(input, &checked)?;
    let mut located = locate(input, opts, &checked.profile_specs, networks.graphs)?;
    require_on_roads(input, opts, &checked, &located.profiles)?;
    let mut screened = explain_unservable(input, opts, &checked, &located.profiles);
    let matrices = matrices(
        input.facilities.len(),
        &screened.candidates,
        &mut located.profiles,
    )?;
    screen_time_windows(input, &checked, &mut screened, &matrices.profiles);
    let built = build_problem(
        input,
        &checked,
        &screened,
        matrices.profiles,
        &matrices.loc_point,
        &located.coords,
    )?;
    Ok(Prepared {
        input,
        started,
        problem: built.problem,
        loc_point: matrices.loc_point,
        client_pickup: built.client_pickup,
        facility_rec: screened.unload_recs,
        depot_rec: built.depot_recs,
        type_profile: checked.type_profile,
        profiles: std::sync::Arc::new(located.profiles),
        unserved: screened.unserved,
        cost_unit: checked.costs.unit,
        graph_s: networks.seconds,
        snap_s: located.snap_s,
        matrix_s: located.matrix_s + matrices.seconds,
        graph_rss_mb: networks.peak_rss_mb,
        matrix_rss_mb: matrices.peak_rss_mb,
    })
}

/// The fleet resolved against the facilities, after the checks across files.
#[derive(Debug)]
pub(crate) struct Checked {
    /// Per vehicle type: shift start and end, seconds after midnight.
    pub shifts: Vec<(i64, i64)>,
    /// Per vehicle type: the streams it may carry.
    pub type_streams: Vec<Streams>,
    /// Per vehicle type: its depot's facility record.
    pub type_depot: Vec<usize>,
    /// The distinct road profiles in use (names or resolved file paths).
    pub profile_specs: Vec<String>,
    /// Per vehicle type: its index in `profile_specs`.
    pub type_profile: Vec<usize>,
    /// The fleet's costs in the problem's cost unit.
    pub costs: FleetCosts,
}

/// Stage 1: the rules that need more than one file (depots named by the
/// fleet, pickups no vehicle could ever hold or reach in time), the road
/// profiles in use, and the memory the run will need (refused when above
/// the limit, before anything large is allocated).
///
/// # Errors
/// [`Error::Input`] naming the file, record and field.
pub(crate) fn check_inputs(input: &PlanInput, opts: &PlanOptions) -> Result<Checked> {
    let fleet = &input.fleet;
    let vehicles = &fleet.spec.vehicle;
    let nf = input.facilities.len();
    let np = input.pickups.len();
    let n_points = nf + np;

    // Vehicle types: depots, shifts, streams.
    let mut shifts = Vec::new();
    let mut type_streams = Vec::new();
    let mut type_depot = Vec::new();
    for (k, v) in vehicles.iter().enumerate() {
        let d = input
            .facilities
            .iter()
            .position(|f| f.id == v.depot)
            .ok_or_else(|| {
                fleet_err(
                    input,
                    &v.name,
                    "depot",
                    format!("no facility has the id '{}'", v.depot),
                )
            })?;
        if input.facilities[d].kind != FacilityKind::Depot {
            return Err(fleet_err(
                input,
                &v.name,
                "depot",
                format!(
                    "facility '{}' is a {}, not a depot",
                    v.depot,
                    input.facilities[d].kind.name()
                ),
            ));
        }
        type_depot.push(d);
        shifts.push(fleet.shift(k)?);
        type_streams.push(fleet.streams(k)?);
    }
    let costs = FleetCosts::new(fleet, &shifts)?;

    // Input checks across files.
    let max_kg = vehicles.iter().map(|v| v.capacity_kg).fold(0.0, f64::max);
    let max_m3 = vehicles
        .iter()
        .map(|v| v.capacity_m3.unwrap_or(f64::INFINITY))
        .fold(0.0, f64::max);
    let (first_shift, last_shift) = (
        shifts.iter().map(|s| s.0).min().unwrap_or(0),
        shifts.iter().map(|s| s.1).max().unwrap_or(0),
    );
    for p in &input.pickups {
        for (x, max, field, unit) in [
            (p.demand_kg, max_kg, "demand_kg", "kg"),
            (p.volume_m3, max_m3, "volume_m3", "m3"),
        ] {
            if x > max {
                return Err(Error::input(
                    p.source.clone().with_field(field),
                    format!(
                        "{x} {unit} is above the capacity of every vehicle type (largest {max} {unit})"
                    ),
                ));
            }
        }
        if let Some((s, e)) = p.tw
            && (e < first_shift || s > last_shift)
        {
            return Err(Error::input(
                p.source.clone().with_field("tw_start"),
                format!(
                    "the time window {}-{} lies outside every shift ({}-{})",
                    crate::domain::format_time(s),
                    crate::domain::format_time(e),
                    crate::domain::format_time(first_shift),
                    crate::domain::format_time(last_shift)
                ),
            ));
        }
    }

    // The road profiles in use, once each.
    let mut profile_specs: Vec<String> = Vec::new();
    let mut type_profile = Vec::new();
    for k in 0..vehicles.len() {
        let spec = fleet.profile_spec(k);
        let idx = profile_specs
            .iter()
            .position(|s| *s == spec)
            .unwrap_or_else(|| {
                profile_specs.push(spec.clone());
                profile_specs.len() - 1
            });
        type_profile.push(idx);
    }

    // The memory the matrices and the search will need, before any is used.
    let pbf_bytes = std::fs::metadata(&input.osm).map_or(0, |m| m.len());
    let timed = vehicles.iter().filter(|v| v.cost_per_hour > 0.0).count();
    let closures = input.closures.as_ref().is_some_and(|(_, c)| !c.is_empty());
    let need = memory::estimate(n_points, profile_specs.len(), timed, closures, pbf_bytes);
    let (limit, source) = memory::memory_limit(opts.max_memory_gb)?;
    memory::check(&need, limit, &source, Location::file(&input.files.pickups))?;

    Ok(Checked {
        shifts,
        type_streams,
        type_depot,
        profile_specs,
        type_profile,
        costs,
    })
}

/// The road graphs, one per profile in use.
#[derive(Debug)]
pub(crate) struct Networks {
    /// Per profile of [`Checked::profile_specs`].
    pub graphs: Vec<RoadGraph>,
    /// Seconds to read the extract and build the graphs.
    pub seconds: f64,
    /// Peak memory after the graphs, MB.
    pub peak_rss_mb: Option<f64>,
}

/// Stage 2: reads the extract once and builds the graph of every profile
/// in use.
///
/// # Errors
/// The extract's errors (naming the file); a profile file's errors (naming
/// the vehicle type that uses it); a profile that can use no road of the
/// extract.
pub(crate) fn road_networks(input: &PlanInput, checked: &Checked) -> Result<Networks> {
    let t0 = Instant::now();
    let profiles = load_profiles(input, checked)?;
    let roads = crate::io::osm::read_roads(&input.osm)?;
    let graphs = build_graphs(input, &profiles, &roads)?;
    drop(roads);
    Ok(Networks {
        graphs,
        seconds: t0.elapsed().as_secs_f64(),
        peak_rss_mb: crate::peak_rss_mb(),
    })
}

/// The vehicle profiles of `checked`, read before the (larger) extract so
/// that a bad profile file fails fast.
fn load_profiles(input: &PlanInput, checked: &Checked) -> Result<Vec<Profile>> {
    let vehicles = &input.fleet.spec.vehicle;
    let mut profiles = Vec::new();
    for (k, spec) in checked.profile_specs.iter().enumerate() {
        let profile = Profile::from_name_or_file(spec).map_err(|e| {
            let v = checked
                .type_profile
                .iter()
                .position(|&p| p == k)
                .map_or("", |t| vehicles[t].name.as_str());
            fleet_err(input, v, "profile", e.to_string())
        })?;
        profiles.push(profile);
    }
    Ok(profiles)
}

/// The graph of every profile over `roads`.
fn build_graphs(
    input: &PlanInput,
    profiles: &[Profile],
    roads: &OsmRoads,
) -> Result<Vec<RoadGraph>> {
    let mut graphs = Vec::new();
    for profile in profiles {
        let (g, _report) = RoadGraph::from_roads(roads, profile).map_err(|e| match e {
            Error::Input { message, .. } => Error::input(Location::file(&input.osm), message),
            e => e,
        })?;
        graphs.push(g);
    }
    Ok(graphs)
}

/// Where every point lies on every profile's roads.
#[derive(Debug)]
pub(crate) struct Located {
    /// Every point as (lat, lon): facilities first, then pickups.
    pub coords: Vec<(f64, f64)>,
    /// Per profile: the graph with closures applied and the snaps.
    pub profiles: Vec<ProfileData>,
    /// Seconds snapping (closures' matrices excluded).
    pub snap_s: f64,
    /// Seconds in the matrices that find the points cut off by closures.
    pub matrix_s: f64,
}

/// Stage 3: snaps every point on every profile's graph, applies the
/// closures, and finds the points they cut off (a point is cut off when
/// closing the streets leaves it without a path it had on the open roads).
///
/// # Errors
/// A point the snapping refuses, or a routing failure.
pub(crate) fn locate(
    input: &PlanInput,
    opts: &PlanOptions,
    profile_specs: &[String],
    graphs: Vec<RoadGraph>,
) -> Result<Located> {
    let n_points = input.facilities.len() + input.pickups.len();
    // Snap every point on every profile; apply closures.
    let t1 = Instant::now();
    let coords: Vec<(f64, f64)> = (0..n_points).map(|i| point(input, i)).collect();
    let mut profiles = Vec::new();
    let mut matrix_s = 0.0;
    for (k, g) in graphs.into_iter().enumerate() {
        let snaps = g.snap(&coords, opts.snap_limit_m)?;
        let usable: Vec<bool> = snaps.iter().map(|s| s.on_road().is_some()).collect();
        let approaches = approaches(input, &g, &coords, &snaps, opts.turns);
        let (graph, cut_off, hierarchy) = match &input.closures {
            Some((_, closures)) if !closures.is_empty() => {
                let tm = Instant::now();
                let (closed, _report) = g.with_closures(closures);
                let (on, pts) = on_road_points(&snaps, 0..n_points);
                let dirs: Vec<Approach> = on.iter().map(|&i| approaches[i]).collect();
                let open_m = contract(&g, opts.turns).matrix_with(&pts, &dirs)?;
                // The closed graph's hierarchy serves the matrices and the
                // geometry later.
                let closed_router = contract(&closed, opts.turns);
                let closed_m = closed_router.matrix_with(&pts, &dirs)?;
                let hierarchy = closed_router.hierarchy();
                let mut cut = vec![false; n_points];
                for i in crate::matrix::cut_off_points(&open_m, &closed_m)? {
                    cut[on[i]] = true;
                }
                matrix_s += tm.elapsed().as_secs_f64();
                (closed, cut, Some(hierarchy))
            }
            _ => (g, vec![false; n_points], None),
        };
        let usable = usable
            .iter()
            .zip(&cut_off)
            .map(|(&u, &c)| u && !c)
            .collect();
        profiles.push(ProfileData {
            name: profile_specs[k].clone(),
            graph,
            snaps,
            usable,
            cut_off,
            hierarchy,
            turns: opts.turns,
            approaches,
        });
    }
    let snap_s = t1.elapsed().as_secs_f64() - matrix_s;
    Ok(Located {
        coords,
        profiles,
        snap_s,
        matrix_s,
    })
}

/// Per point: the directions a vehicle reaches and leaves it in. A pickup
/// served from the curb ([`super::report::pickup_side`]) gets
/// [`Approach::curb`] (the direction with it on the curb side; either on a
/// one-way street or a point on the centre line); facilities and the other
/// pickups either direction.
fn approaches(
    input: &PlanInput,
    g: &RoadGraph,
    coords: &[(f64, f64)],
    snaps: &[Snap],
    turns: bool,
) -> Vec<Approach> {
    let nf = input.facilities.len();
    let curb = |i: usize, p| super::report::pickup_side(&input.pickups[i - nf], g, p, turns);
    (0..snaps.len())
        .map(|i| match snaps[i].on_road() {
            Some(p) if i >= nf && curb(i, p) == StopSide::Curb => Approach::curb(g, coords[i], p),
            _ => Approach::Either,
        })
        .collect()
}

/// The points of `of` that are on a road of `snaps` (their indices), and
/// where.
fn on_road_points(
    snaps: &[Snap],
    of: impl Iterator<Item = usize>,
) -> (Vec<usize>, Vec<SnappedPoint>) {
    of.filter_map(|i| snaps[i].on_road().map(|p| (i, *p)))
        .unzip()
}

/// Stage 3 (continued): every depot must be on the roads of the vehicle
/// types that start there, and every other facility on the roads of at
/// least one profile in use. A facility that only some profiles reach is
/// kept for the vehicle types of those profiles (the others never unload
/// there).
///
/// # Errors
/// [`Error::Routing`] naming the depot or facility, how far it is from the
/// roads (or that closures cut it off), and the limit.
pub(crate) fn require_on_roads(
    input: &PlanInput,
    opts: &PlanOptions,
    checked: &Checked,
    profiles: &[ProfileData],
) -> Result<()> {
    let vehicles = &input.fleet.spec.vehicle;
    let (type_profile, type_depot) = (&checked.type_profile, &checked.type_depot);
    // Depots must be on the roads of the types that use them.
    for (k, v) in vehicles.iter().enumerate() {
        let pd = &profiles[type_profile[k]];
        let d = type_depot[k];
        if !pd.usable[d] {
            let why = if pd.cut_off[d] {
                "is cut off by the closures".to_string()
            } else {
                format!(
                    "is {:.0} m from the nearest road of profile '{}' (limit {:.0} m)",
                    pd.snaps[d].distance_m(),
                    pd.name,
                    opts.snap_limit_m
                )
            };
            return Err(Error::Routing(format!(
                "vehicle type '{}': depot '{}' {why}",
                v.name, v.depot
            )));
        }
    }

    for (f, r) in input.facilities.iter().enumerate() {
        if r.kind == FacilityKind::Depot || profiles.iter().any(|pd| pd.usable[f]) {
            for pd in profiles.iter().filter(|pd| !pd.usable[f]) {
                tracing::info!(
                    facility = r.id.as_str(),
                    profile = pd.name.as_str(),
                    "the facility is not reachable on this profile: its vehicles do not unload there"
                );
            }
            continue;
        }
        let why = if profiles.iter().any(|pd| pd.cut_off[f]) {
            "is cut off by the closures on every road profile that reaches it".to_string()
        } else {
            let (name, d) = profiles
                .iter()
                .map(|pd| (pd.name.as_str(), pd.snaps[f].distance_m()))
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap_or(("none", f64::INFINITY));
            let far = if d >= 10_000.0 {
                format!("{:.0} km", d / 1000.0)
            } else {
                format!("{d:.0} m")
            };
            format!(
                "is {far} from the nearest road any vehicle may use (profile '{name}'; limit {:.0} m)",
                opts.snap_limit_m
            )
        };
        return Err(Error::Routing(format!(
            "{} '{}' ({}: line {}) {why}; no vehicle could unload there",
            r.kind.name(),
            r.id,
            r.source
                .file
                .as_deref()
                .map_or("facilities".into(), |p| p.display().to_string()),
            r.source.line.unwrap_or(0),
        )));
    }
    Ok(())
}

/// Which pickups can be served at all, and by which vehicle types.
#[derive(Debug)]
pub(crate) struct Screened {
    /// Facility records where vehicles unload (not depots), in file order.
    pub unload_recs: Vec<usize>,
    /// Per entry of `unload_recs`: the vehicle types that may unload there.
    pub facility_types: Vec<VehicleSet>,
    /// Pickups that may be served: (pickup index, the types that may serve it).
    pub candidates: Vec<(usize, VehicleSet)>,
    /// Pickups no route can serve, with the reason.
    pub unserved: Vec<Unserved>,
}

/// Stage 4: the pickups that no route can serve whatever the search does
/// (no vehicle carries the stream, none holds it, no facility accepts it,
/// no usable road near it, cut off by closures), each with its reason and
/// evidence; and for the others, the vehicle types that may serve them.
pub(crate) fn explain_unservable(
    input: &PlanInput,
    opts: &PlanOptions,
    checked: &Checked,
    profiles: &[ProfileData],
) -> Screened {
    let vehicles = &input.fleet.spec.vehicle;
    let nf = input.facilities.len();
    let (type_profile, type_streams) = (&checked.type_profile, &checked.type_streams);
    let unload_recs: Vec<usize> = (0..nf)
        .filter(|&f| input.facilities[f].kind != FacilityKind::Depot)
        .collect();
    let facility_types: Vec<VehicleSet> = unload_recs
        .iter()
        .map(|&f| {
            (0..vehicles.len())
                .filter(|&t| {
                    profiles[type_profile[t]].usable[f]
                        && input.facilities[f].accepts & type_streams[t] != 0
                })
                .fold(0, |m, t| m | (1u64 << t))
        })
        .collect();

    // Pickups that no route can serve, and the types that may serve the rest.
    let mut unserved = Vec::new();
    let mut candidates: Vec<(usize, VehicleSet)> = Vec::new();
    for (pi, p) in input.pickups.iter().enumerate() {
        let pt = nf + pi;
        let sbit = 1u32 << p.stream.index();
        // The vehicle types left after each test, or why none is.
        let screen = || -> std::result::Result<Vec<usize>, (UnservedReason, String)> {
            let carriers = kept(
                (0..vehicles.len()).filter(|&t| type_streams[t] & sbit != 0),
                UnservedReason::NoVehicle,
                || format!("no vehicle type may carry {} waste", p.stream.name()),
            )?;
            let big_enough = kept(
                carriers.iter().copied().filter(|&t| {
                    p.demand_kg <= vehicles[t].capacity_kg
                        && vehicles[t].capacity_m3.is_none_or(|c| p.volume_m3 <= c)
                }),
                UnservedReason::Capacity,
                || {
                    format!(
                        "{} kg is more than any vehicle that may carry {} waste holds",
                        p.demand_kg,
                        p.stream.name()
                    )
                },
            )?;
            kept(
                unload_recs
                    .iter()
                    .copied()
                    .filter(|&f| input.facilities[f].accepts & sbit != 0),
                UnservedReason::NoFacility,
                || format!("no facility accepts {} waste", p.stream.name()),
            )?;
            let on_road = kept(
                big_enough
                    .iter()
                    .copied()
                    .filter(|&t| profiles[type_profile[t]].snaps[pt].on_road().is_some()),
                UnservedReason::Unreachable,
                || {
                    let d = big_enough
                        .iter()
                        .map(|&t| profiles[type_profile[t]].snaps[pt].distance_m())
                        .fold(f64::INFINITY, f64::min);
                    format!(
                        "the nearest road its vehicles may use is {d:.0} m away (limit {:.0} m)",
                        opts.snap_limit_m
                    )
                },
            )?;
            kept(
                on_road
                    .iter()
                    .copied()
                    .filter(|&t| profiles[type_profile[t]].usable[pt]),
                UnservedReason::Closures,
                || "cut off from the depot by the closures".into(),
            )
        };
        match screen() {
            Ok(open) => candidates.push((pi, open.iter().fold(0, |m, &t| m | (1u64 << t)))),
            Err((reason, detail)) => unserved.push(Unserved::new(input, pi, reason, detail)),
        }
    }
    Screened {
        unload_recs,
        facility_types,
        candidates,
        unserved,
    }
}

/// What `items` holds, or `reason` and its `detail` if nothing: one test
/// of the screening of a pickup.
fn kept(
    items: impl Iterator<Item = usize>,
    reason: UnservedReason,
    detail: impl FnOnce() -> String,
) -> std::result::Result<Vec<usize>, (UnservedReason, String)> {
    let v: Vec<usize> = items.collect();
    if v.is_empty() {
        Err((reason, detail()))
    } else {
        Ok(v)
    }
}

/// The travel matrices of every profile over the problem's locations.
#[derive(Debug)]
pub(crate) struct Matrices {
    /// Per location: its point (facilities first, then the candidate pickups).
    pub loc_point: Vec<usize>,
    /// Per profile: distance and duration between the locations.
    pub profiles: Vec<MatrixProfile>,
    /// Seconds computing them.
    pub seconds: f64,
    /// Peak memory after them, MB.
    pub peak_rss_mb: Option<f64>,
}

/// Stage 5: the distance and duration matrices of every profile over the
/// locations of the problem: every facility, then the candidate pickups.
/// Pairs a profile cannot connect get [`DISCONNECTED`].
///
/// # Errors
/// A routing failure, or a value that does not fit the matrices.
pub(crate) fn matrices(
    nf: usize,
    candidates: &[(usize, VehicleSet)],
    profiles: &mut [ProfileData],
) -> Result<Matrices> {
    // Matrices over the locations of the problem: facilities, then candidate pickups.
    let tm = Instant::now();
    let loc_point: Vec<usize> = (0..nf)
        .chain(candidates.iter().map(|&(pi, _)| nf + pi))
        .collect();
    let n_loc = loc_point.len();
    // The points of each profile, in location order.
    let on_road: Vec<(Vec<usize>, Vec<SnappedPoint>)> = profiles
        .iter()
        .map(|pd| {
            (0..n_loc)
                .filter(|&l| pd.usable[loc_point[l]])
                .filter_map(|l| pd.snaps[loc_point[l]].on_road().map(|p| (l, *p)))
                .unzip()
        })
        .collect();
    let dirs: Vec<Vec<Approach>> = (profiles.iter().zip(&on_road))
        .map(|(pd, (on, _))| on.iter().map(|&l| pd.approaches[loc_point[l]]).collect())
        .collect();
    // A profile that reaches every location converts its router's matrix
    // in place; the others need a second buffer while they convert, so they
    // go first, while fewer finished matrices are held.
    let mut order: Vec<usize> = (0..profiles.len()).collect();
    order.sort_by_key(|&k| on_road[k].0.len() == n_loc);
    let mut done: Vec<Option<MatrixProfile>> = profiles.iter().map(|_| None).collect();
    for k in order {
        let (on, pts) = &on_road[k];
        let (m, hierarchy): (TravelMatrix, Hierarchy) = {
            let router = profiles[k].router();
            (router.matrix_with(pts, &dirs[k])?, router.hierarchy())
        };
        // Kept for the road geometry of the routes.
        profiles[k].hierarchy = Some(hierarchy);
        let pd = &profiles[k];
        let value = |i: usize, j: usize, v: Option<i64>| -> i64 {
            if i == j {
                0
            } else {
                v.unwrap_or(DISCONNECTED).min(DISCONNECTED)
            }
        };
        let (distance, duration) = if on.len() == n_loc {
            let (dur, dist) = m.into_rows(|i, j, v| value(i, j, v.map(i64::from)) as i32);
            (
                Matrix::from_rows(n_loc, dist)?,
                Matrix::from_rows(n_loc, dur)?,
            )
        } else {
            let mut index = vec![usize::MAX; n_loc];
            for (k, &l) in on.iter().enumerate() {
                index[l] = k;
            }
            let get = |i: usize, j: usize, dur: bool| -> i64 {
                let (a, b) = (index[i], index[j]);
                if a == usize::MAX || b == usize::MAX {
                    return value(i, j, None);
                }
                value(
                    i,
                    j,
                    if dur {
                        m.duration(a, b)
                    } else {
                        m.distance(a, b)
                    },
                )
            };
            (
                Matrix::from_fn(n_loc, |i, j| get(i, j, false))?,
                Matrix::from_fn(n_loc, |i, j| get(i, j, true))?,
            )
        };
        done[k] = Some(MatrixProfile {
            name: pd.name.clone(),
            distance,
            duration,
        });
    }
    let matrix_profiles = done.into_iter().flatten().collect();
    Ok(Matrices {
        loc_point,
        profiles: matrix_profiles,
        seconds: tm.elapsed().as_secs_f64(),
        peak_rss_mb: crate::peak_rss_mb(),
    })
}

/// Stage 5 (continued): pickups whose time window no vehicle reaches within
/// its shift (leave the depot at the start of the shift, serve, unload at
/// the best facility, and be back by the end of the shift) join the
/// unserved; the others keep the vehicle types that can.
pub(crate) fn screen_time_windows(
    input: &PlanInput,
    checked: &Checked,
    screened: &mut Screened,
    matrix_profiles: &[MatrixProfile],
) {
    let vehicles = &input.fleet.spec.vehicle;
    let nf = input.facilities.len();
    let (shifts, type_profile, type_depot) =
        (&checked.shifts, &checked.type_profile, &checked.type_depot);
    let Screened {
        unload_recs,
        facility_types,
        candidates,
        unserved,
    } = screened;
    for (k, (pi, types)) in candidates.iter_mut().enumerate() {
        let p = &input.pickups[*pi];
        let loc = nf + k;
        let mut ok: VehicleSet = 0;
        for t in (0..vehicles.len()).filter(|&t| *types & (1u64 << t) != 0) {
            let m = &matrix_profiles[type_profile[t]];
            let (s, e) = shifts[t];
            let depot = &input.facilities[type_depot[t]];
            let leave = s.max(depot.open);
            let start = (leave + m.duration.get(type_depot[t], loc)).max(p.tw.map_or(0, |w| w.0));
            if start > p.tw.map_or(i64::MAX, |w| w.1) {
                continue;
            }
            let done = start + p.service_s;
            let back = unload_recs
                .iter()
                .enumerate()
                .filter(|&(fk, &f)| {
                    facility_types[fk] & (1u64 << t) != 0
                        && input.facilities[f].accepts & (1 << p.stream.index()) != 0
                })
                .filter_map(|(_, &f)| {
                    let fr = &input.facilities[f];
                    let at = (done + m.duration.get(loc, f)).max(fr.open);
                    (at <= fr.close).then(|| at + fr.unload_s + m.duration.get(f, type_depot[t]))
                })
                .min();
            if back.is_some_and(|b| b <= e.min(depot.close)) {
                ok |= 1u64 << t;
            }
        }
        if ok == 0 {
            let w = p.tw.map_or("any time".to_string(), |(a, b)| {
                format!(
                    "{}-{}",
                    crate::domain::format_time(a),
                    crate::domain::format_time(b)
                )
            });
            unserved.push(Unserved::new(
                input,
                *pi,
                UnservedReason::TimeWindow,
                format!("no vehicle can reach it in its window ({w}), unload and be back within its shift"),
            ));
        }
        *types = ok;
    }
}

/// The solver's problem and how its records map back to the inputs.
pub(crate) struct Built {
    pub problem: Problem,
    /// Per client: the pickup index.
    pub client_pickup: Vec<usize>,
    /// Per model depot: the facility record index.
    pub depot_recs: Vec<usize>,
}

/// Stage 6: the solver's problem in integer units: depots, facilities
/// (with the vehicle types that may unload there), the pickups that can be
/// served as optional clients with prizes, and the vehicle types.
///
/// # Errors
/// [`Error::Invalid`] if the problem fails its validation.
pub(crate) fn build_problem(
    input: &PlanInput,
    checked: &Checked,
    screened: &Screened,
    matrix_profiles: Vec<MatrixProfile>,
    loc_point: &[usize],
    coords: &[(f64, f64)],
) -> Result<Built> {
    let fleet = &input.fleet;
    let vehicles = &fleet.spec.vehicle;
    let nf = input.facilities.len();
    let shifts = checked.shifts.clone();
    let (type_profile, type_depot, type_streams) = (
        &checked.type_profile,
        &checked.type_depot,
        &checked.type_streams,
    );
    let (unload_recs, facility_types, candidates) = (
        &screened.unload_recs,
        &screened.facility_types,
        &screened.candidates,
    );
    // The problem.
    let mut b = ProblemBuilder::new();
    for mp in matrix_profiles {
        b.add_profile(mp);
    }
    b.coords(
        loc_point
            .iter()
            .map(|&pt| {
                let (lat, lon) = coords[pt];
                // Equirectangular projection around the first point: angles are what matter.
                let (lat0, _) = coords[0];
                (lon * lat0.to_radians().cos(), lat)
            })
            .collect(),
    );
    let depot_recs: Vec<usize> = (0..nf)
        .filter(|&f| input.facilities[f].kind == FacilityKind::Depot)
        .collect();
    for &d in &depot_recs {
        let f = &input.facilities[d];
        b.add_depot(Depot {
            name: f.id.clone(),
            location: d,
            tw: TimeWindow {
                start: f.open,
                end: f.close,
            },
        });
    }
    for (k, &f) in unload_recs.iter().enumerate() {
        let r = &input.facilities[f];
        b.add_facility(Facility {
            name: r.id.clone(),
            location: f,
            tw: TimeWindow {
                start: r.open,
                end: r.close,
            },
            unload: r.unload_s,
            accepts: r.accepts,
            vehicles: facility_types[k],
            daily_capacity: r.daily_capacity_kg.map_or(UNLIMITED, |c| c.floor() as i64),
        });
    }
    let max_demand = input
        .pickups
        .iter()
        .map(|p| p.demand_kg)
        .fold(1.0, f64::max);
    let mut client_pickup = Vec::new();
    for (k, &(pi, types)) in candidates.iter().enumerate() {
        if types == 0 {
            continue;
        }
        let p = &input.pickups[pi];
        b.add_client(Client {
            name: p.id.clone(),
            location: nf + k,
            demand: [
                p.demand_kg.ceil() as i64,
                (p.volume_m3 * LITRES).ceil() as i64,
            ],
            service: p.service_s,
            tw: p
                .tw
                .map_or(TimeWindow::ALWAYS, |(s, e)| TimeWindow { start: s, end: e }),
            stream: p.stream.index(),
            required: false,
            prize: checked.costs.prize(p.demand_kg, max_demand, p.required),
            vehicles: types,
        });
        client_pickup.push(pi);
    }
    for (k, v) in vehicles.iter().enumerate() {
        let (s, e) = shifts[k];
        let depot_model = depot_recs
            .iter()
            .position(|&d| d == type_depot[k])
            .unwrap_or(0);
        let mut t = VehicleType::new(v.name.clone(), v.count, v.capacity_kg.floor() as i64);
        t.capacity = [
            v.capacity_kg.floor() as i64,
            v.capacity_m3
                .map_or(UNLIMITED, |c| (c * LITRES).floor() as i64),
        ];
        t.start_depot = depot_model;
        t.end_depot = depot_model;
        t.shift = TimeWindow { start: s, end: e };
        t.max_duration = v.max_shift_s.unwrap_or(e - s);
        t.break_ = fleet.break_of(k).map(|(bs, be, dur)| Break {
            window: TimeWindow { start: bs, end: be },
            duration: dur,
        });
        t.fixed_cost = checked.costs.types[k].fixed;
        t.cost_per_distance = checked.costs.types[k].per_metre;
        t.cost_per_time = checked.costs.types[k].per_second;
        t.profile = type_profile[k];
        t.streams = type_streams[k];
        t.max_reloads = v.max_trips.unwrap_or(8).saturating_sub(1);
        t.unload_at_end = true;
        b.add_vehicle_type(t);
    }
    let problem = b.build()?;
    Ok(Built {
        problem,
        client_pickup,
        depot_recs,
    })
}

#[cfg(test)]
mod tests;
