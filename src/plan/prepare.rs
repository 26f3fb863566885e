//! From plan inputs to a solver [`Problem`]: road graphs per profile,
//! snapping, matrices, and the pickups that cannot be served whatever the
//! routes (with the reason), which stay out of the problem.

use super::costs::{CostUnit, FleetCosts};
use super::{PlanInput, PlanOptions, Unserved, UnservedReason};
use crate::error::Location;
use crate::graph::{Profile, RoadGraph, Snap, SnappedPoint};
use crate::io::plan::FacilityKind;
use crate::matrix::{Router, TravelMatrix};
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
/// vehicle types of that profile).
const UNREACHABLE: i64 = 100_000_000;

/// One road profile in use: its graph (with closures applied, if any) and
/// the snap of every point.
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
}

/// Everything the solver and the reports need.
pub struct Prepared {
    pub problem: Problem,
    /// Per model location: the point index (facilities first, then pickups).
    pub loc_point: Vec<usize>,
    /// Per client: the pickup index.
    pub client_pickup: Vec<usize>,
    /// Per model facility: the facility record index.
    pub facility_rec: Vec<usize>,
    /// Per model depot: the facility record index.
    pub depot_rec: Vec<usize>,
    /// Per vehicle type: its profile index.
    pub type_profile: Vec<usize>,
    pub profiles: Vec<ProfileData>,
    /// Pickups that cannot be served, with the reason.
    pub unserved: Vec<Unserved>,
    /// The unit of the problem's costs (see `costs`).
    pub cost_unit: CostUnit,
    /// Seconds per phase: graph, snap, matrix.
    pub graph_s: f64,
    pub snap_s: f64,
    pub matrix_s: f64,
    /// Peak memory (MB) after the graphs, and after the matrices.
    pub graph_rss_mb: Option<f64>,
    pub matrix_rss_mb: Option<f64>,
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

impl Prepared {
    /// The solver's problem.
    pub(crate) fn problem(&self) -> &Problem {
        &self.problem
    }
    /// Ids of the pickups no route can serve.
    pub(crate) fn unserved_ids(&self) -> std::collections::HashSet<String> {
        self.unserved.iter().map(|u| u.id.clone()).collect()
    }
    /// The pickup of each client.
    pub(crate) fn client_pickup(&self) -> &[usize] {
        &self.client_pickup
    }
}

pub(crate) fn prepare(input: &PlanInput, opts: &PlanOptions) -> Result<Prepared> {
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
        if p.demand_kg > max_kg {
            return Err(Error::input(
                p.source.clone().with_field("demand_kg"),
                format!(
                    "{} kg is above the capacity of every vehicle type (largest {max_kg} kg)",
                    p.demand_kg
                ),
            ));
        }
        if p.volume_m3 > max_m3 {
            return Err(Error::input(
                p.source.clone().with_field("volume_m3"),
                format!(
                    "{} m3 is above the capacity of every vehicle type (largest {max_m3} m3)",
                    p.volume_m3
                ),
            ));
        }
        if let Some((s, e)) = p.tw
            && (e < first_shift || s > last_shift)
        {
            return Err(Error::input(
                p.source.clone().with_field("tw_start"),
                format!(
                    "the time window {}-{} lies outside every shift ({}-{})",
                    crate::io::plan::format_time(s),
                    crate::io::plan::format_time(e),
                    crate::io::plan::format_time(first_shift),
                    crate::io::plan::format_time(last_shift)
                ),
            ));
        }
    }

    // Road graphs, one per distinct profile.
    let t0 = Instant::now();
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
    let roads = crate::io::osm::read_roads(&input.osm)?;
    let mut graphs = Vec::new();
    for (k, spec) in profile_specs.iter().enumerate() {
        let profile = Profile::from_name_or_file(spec).map_err(|e| {
            let v = type_profile
                .iter()
                .position(|&p| p == k)
                .map_or("", |t| vehicles[t].name.as_str());
            fleet_err(input, v, "profile", e.to_string())
        })?;
        let (g, _report) = RoadGraph::from_roads(&roads, &profile)?;
        graphs.push(g);
    }
    drop(roads);
    let graph_s = t0.elapsed().as_secs_f64();
    let graph_rss_mb = crate::peak_rss_mb();

    // Snap every point on every profile; apply closures.
    let t1 = Instant::now();
    let coords: Vec<(f64, f64)> = (0..n_points).map(|i| point(input, i)).collect();
    let mut profiles = Vec::new();
    let mut matrix_s = 0.0;
    for (k, g) in graphs.into_iter().enumerate() {
        let snaps = g.snap(&coords, opts.snap_limit_m)?;
        let usable: Vec<bool> = snaps.iter().map(|s| s.on_road().is_some()).collect();
        let (graph, cut_off) = match &input.closures {
            Some((_, closures)) if !closures.is_empty() => {
                let tm = Instant::now();
                let (closed, _report) = g.with_closures(closures);
                let on: Vec<usize> = (0..n_points).filter(|&i| usable[i]).collect();
                let pts: Vec<SnappedPoint> = on
                    .iter()
                    .map(|&i| {
                        snaps[i]
                            .on_road()
                            .cloned()
                            .unwrap_or_else(|| unreachable!())
                    })
                    .collect();
                let open_m = Router::new(&g).matrix(&pts)?;
                let closed_m = Router::new(&closed).matrix(&pts)?;
                let mut cut = vec![false; n_points];
                for i in crate::matrix::cut_off_points(&open_m, &closed_m)? {
                    cut[on[i]] = true;
                }
                matrix_s += tm.elapsed().as_secs_f64();
                (closed, cut)
            }
            _ => (g, vec![false; n_points]),
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
        });
    }
    let snap_s = t1.elapsed().as_secs_f64() - matrix_s;

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

    // Facilities where each type may unload.
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
        let carriers: Vec<usize> = (0..vehicles.len())
            .filter(|&t| type_streams[t] & sbit != 0)
            .collect();
        let why = |reason: UnservedReason, detail: String| Unserved::new(input, pi, reason, detail);
        if carriers.is_empty() {
            unserved.push(why(
                UnservedReason::NoVehicle,
                format!("no vehicle type may carry {} waste", p.stream.name()),
            ));
            continue;
        }
        let big_enough: Vec<usize> = carriers
            .iter()
            .copied()
            .filter(|&t| {
                p.demand_kg <= vehicles[t].capacity_kg
                    && vehicles[t].capacity_m3.is_none_or(|c| p.volume_m3 <= c)
            })
            .collect();
        if big_enough.is_empty() {
            unserved.push(why(
                UnservedReason::Capacity,
                format!(
                    "{} kg is more than any vehicle that may carry {} waste holds",
                    p.demand_kg,
                    p.stream.name()
                ),
            ));
            continue;
        }
        let accepting: Vec<usize> = unload_recs
            .iter()
            .copied()
            .filter(|&f| input.facilities[f].accepts & sbit != 0)
            .collect();
        if accepting.is_empty() {
            unserved.push(why(
                UnservedReason::NoFacility,
                format!("no facility accepts {} waste", p.stream.name()),
            ));
            continue;
        }
        let on_road: Vec<usize> = big_enough
            .iter()
            .copied()
            .filter(|&t| profiles[type_profile[t]].snaps[pt].on_road().is_some())
            .collect();
        if on_road.is_empty() {
            let d = big_enough
                .iter()
                .map(|&t| profiles[type_profile[t]].snaps[pt].distance_m())
                .fold(f64::INFINITY, f64::min);
            unserved.push(why(
                UnservedReason::Unreachable,
                format!(
                    "the nearest road its vehicles may use is {d:.0} m away (limit {:.0} m)",
                    opts.snap_limit_m
                ),
            ));
            continue;
        }
        let open: Vec<usize> = on_road
            .iter()
            .copied()
            .filter(|&t| profiles[type_profile[t]].usable[pt])
            .collect();
        if open.is_empty() {
            unserved.push(why(
                UnservedReason::Closures,
                "cut off from the depot by the closures".into(),
            ));
            continue;
        }
        candidates.push((pi, open.iter().fold(0, |m, &t| m | (1u64 << t))));
    }

    // Matrices over the locations of the problem: facilities, then candidate pickups.
    let tm = Instant::now();
    let loc_point: Vec<usize> = (0..nf)
        .chain(candidates.iter().map(|&(pi, _)| nf + pi))
        .collect();
    let n_loc = loc_point.len();
    let mut matrix_profiles = Vec::new();
    for pd in &profiles {
        let on: Vec<usize> = (0..n_loc).filter(|&l| pd.usable[loc_point[l]]).collect();
        let pts: Vec<SnappedPoint> = on
            .iter()
            .map(|&l| {
                pd.snaps[loc_point[l]]
                    .on_road()
                    .cloned()
                    .unwrap_or_else(|| unreachable!())
            })
            .collect();
        let m: TravelMatrix = Router::new(&pd.graph).matrix(&pts)?;
        let mut index = vec![usize::MAX; n_loc];
        for (k, &l) in on.iter().enumerate() {
            index[l] = k;
        }
        let get = |i: usize, j: usize, dur: bool| -> i64 {
            if i == j {
                return 0;
            }
            let (a, b) = (index[i], index[j]);
            if a == usize::MAX || b == usize::MAX {
                return UNREACHABLE;
            }
            let v = if dur {
                m.duration(a, b)
            } else {
                m.distance(a, b)
            };
            v.unwrap_or(UNREACHABLE).min(UNREACHABLE)
        };
        matrix_profiles.push(MatrixProfile {
            name: pd.name.clone(),
            distance: Matrix::from_fn(n_loc, |i, j| get(i, j, false))?,
            duration: Matrix::from_fn(n_loc, |i, j| get(i, j, true))?,
        });
    }
    matrix_s += tm.elapsed().as_secs_f64();
    let matrix_rss_mb = crate::peak_rss_mb();

    // Pickups whose time window no vehicle reaches within its shift: leave
    // the depot at the start of the shift, serve, unload at the best
    // facility, and be back by the end of the shift.
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
                    crate::io::plan::format_time(a),
                    crate::io::plan::format_time(b)
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
            prize: costs.prize(p.demand_kg, max_demand, p.required),
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
        t.fixed_cost = costs.types[k].fixed;
        t.cost_per_distance = costs.types[k].per_metre;
        t.cost_per_time = costs.types[k].per_second;
        t.profile = type_profile[k];
        t.streams = type_streams[k];
        t.max_reloads = v.max_trips.unwrap_or(8).saturating_sub(1);
        t.unload_at_end = true;
        b.add_vehicle_type(t);
    }
    let problem = b.build()?;
    Ok(Prepared {
        problem,
        loc_point,
        client_pickup,
        facility_rec: unload_recs,
        depot_rec: depot_recs,
        type_profile,
        profiles,
        unserved,
        cost_unit: costs.unit,
        graph_s,
        snap_s,
        matrix_s,
        graph_rss_mb,
        matrix_rss_mb,
    })
}
