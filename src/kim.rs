//! The waste-collection benchmark of Kim, Kim & Sahoo (2006) as a
//! [`Problem`], and solutions back in the benchmark's terms.
//!
//! Kim, B.-I., Kim, S., Sahoo, S. (2006). Waste collection vehicle routing
//! problem with time windows. Computers & Operations Research 33(12),
//! 3624-3642.
//!
//! # Reading of the rules
//!
//! - One depot; every stop is a client; every landfill is an unload
//!   facility with its opening hours and service (unload) time. Each trip
//!   ends at a landfill and every route unloads before returning.
//! - Capacity per trip, daily yardage and daily stop count per vehicle come
//!   from the header (loads are kept to 1/100 yard).
//! - Lunch: one break of the header's length that starts inside
//!   [`KimOptions::lunch_window`] (11:00 to 12:00 by default, as the files
//!   say; the format page's "between 11 a.m. and 1 p.m." is the same hour
//!   of lunch), taken after the service at a node, before driving on.
//! - Distance: the format page asks for the Manhattan distance at the
//!   header's speed and says its results use it, so that is the default;
//!   [`KimMetric::Euclidean`] (the default of the independent checker in
//!   `tools/kim`) is an option.
//! - Times are kept in centiseconds and travel times are rounded up, so a
//!   solution feasible here is feasible with exact times.
//! - Objective: fewer vehicles first, then less distance. Each vehicle costs
//!   [`KimOptions::vehicle_cost_miles`] miles (1000 by default, more than
//!   any route), and each foot driven costs 1.

use crate::io::kim::{FEET_PER_MILE, KimInstance, KimKind, KimMetric, KimRoute, KimSolution};
use crate::model::{
    Break, Client, Depot, Facility, Matrix, Problem, ProblemBuilder, Profile, Solution, TimeWindow,
    VehicleType, Visit,
};
use crate::{Error, Result};

/// Time unit of the model: 1/100 s.
pub const TIME_SCALE: f64 = 100.0;
/// Load unit of the model: 1/100 yard.
pub const LOAD_SCALE: f64 = 100.0;

/// Choices where the benchmark leaves a rule open.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KimOptions {
    /// Distance metric.
    pub metric: KimMetric,
    /// The lunch starts inside this window, seconds after midnight.
    pub lunch_window: (i64, i64),
    /// Cost of one vehicle, in miles.
    pub vehicle_cost_miles: f64,
}

impl Default for KimOptions {
    fn default() -> Self {
        KimOptions {
            metric: KimMetric::Manhattan,
            lunch_window: (11 * 3600, 12 * 3600),
            vehicle_cost_miles: 1000.0,
        }
    }
}

/// A Kim instance as a problem, with the node of each client and facility.
#[derive(Debug, Clone)]
pub struct KimProblem {
    /// The problem (locations are the instance's node indices).
    pub problem: Problem,
    /// Node index of each client.
    pub client_node: Vec<usize>,
    /// Node index of each facility.
    pub facility_node: Vec<usize>,
    /// The options it was built with.
    pub options: KimOptions,
}

fn scale_time(s: f64) -> i64 {
    (s * TIME_SCALE).ceil() as i64
}

/// Builds the problem of a Kim instance.
///
/// # Errors
/// [`Error::Invalid`] if the instance cannot be modelled (for example a
/// distance beyond the solver's integer range).
pub fn problem(inst: &KimInstance, options: KimOptions) -> Result<KimProblem> {
    let nodes = inst.nodes();
    let n = nodes.len();
    let metric = options.metric;
    let distance = Matrix::from_fn(n, |i, j| {
        (inst.distance_miles(i, j, metric) * FEET_PER_MILE).round() as i64
    })?;
    let duration = Matrix::from_fn(n, |i, j| scale_time(inst.travel_time_s(i, j, metric)))?;
    let mut b = ProblemBuilder::new();
    b.add_profile(Profile {
        name: "kim".into(),
        distance,
        duration,
    });
    b.coords(nodes.iter().map(|nd| (nd.x_ft, nd.y_ft)).collect());
    let tw = |e: i64, l: i64| TimeWindow {
        start: e * TIME_SCALE as i64,
        end: l * TIME_SCALE as i64,
    };
    let depot = &nodes[inst.depot()];
    b.add_depot(Depot {
        name: depot.id.clone(),
        location: inst.depot(),
        tw: tw(depot.early_s, depot.late_s),
    });
    let mut client_node = Vec::new();
    let mut facility_node = Vec::new();
    for (i, nd) in nodes.iter().enumerate() {
        match nd.kind {
            KimKind::Stop => {
                client_node.push(i);
                b.add_client(Client {
                    name: nd.id.clone(),
                    location: i,
                    demand: [(nd.load * LOAD_SCALE).round() as i64, 0],
                    service: scale_time(nd.service_s),
                    tw: tw(nd.early_s, nd.late_s),
                    stream: 0,
                    required: true,
                    prize: 0,
                    vehicles: crate::model::ALL_VEHICLES,
                });
            }
            KimKind::Landfill => {
                facility_node.push(i);
                b.add_facility(Facility {
                    name: nd.id.clone(),
                    location: i,
                    tw: tw(nd.early_s, nd.late_s),
                    unload: scale_time(nd.service_s),
                    accepts: crate::model::ALL_STREAMS,
                    vehicles: crate::model::ALL_VEHICLES,
                    daily_capacity: crate::model::UNLIMITED,
                });
            }
            KimKind::Depot => {}
        }
    }
    let n_stops = client_node.len();
    let mut t = VehicleType::new(
        "truck",
        n_stops,
        (inst.capacity() * LOAD_SCALE).floor() as i64,
    );
    t.daily_capacity = [
        (inst.daily_capacity() * LOAD_SCALE).floor() as i64,
        crate::model::UNLIMITED,
    ];
    t.max_stops = inst.max_stops();
    t.shift = tw(depot.early_s, depot.late_s);
    t.break_ = Some(Break {
        window: tw(options.lunch_window.0, options.lunch_window.1),
        duration: scale_time(inst.lunch_duration_s()),
    });
    t.fixed_cost = (options.vehicle_cost_miles * FEET_PER_MILE).round() as i64;
    t.cost_per_distance = 1;
    t.max_reloads = n_stops;
    t.unload_at_end = true;
    b.add_vehicle_type(t);
    let problem = b.build().map_err(|e| match e {
        Error::Invalid(m) => Error::Invalid(format!("{}: {m}", inst.name())),
        e => e,
    })?;
    Ok(KimProblem {
        problem,
        client_node,
        facility_node,
        options,
    })
}

impl KimProblem {
    /// The solution in the benchmark's terms: stop ids from depot to depot,
    /// the lunch start of each route (earliest-start schedule), the number
    /// of vehicles and the distance in miles computed from the coordinates.
    pub fn to_kim(&self, inst: &KimInstance, solution: &Solution) -> KimSolution {
        let nodes = inst.nodes();
        let metric = self.options.metric;
        let mut routes = Vec::new();
        let mut miles = 0.0;
        for r in solution.routes.iter().filter(|r| !r.is_empty()) {
            let mut ids = vec![nodes[inst.depot()].id.clone()];
            let mut seq = vec![inst.depot()];
            // Earliest-start schedule in exact seconds to place the lunch.
            let mut t = nodes[inst.depot()].early_s as f64;
            let mut at = inst.depot();
            let mut lunch = None;
            for v in &r.visits {
                let node = match *v {
                    Visit::Client(c) => self.client_node[c],
                    Visit::Unload(f) => self.facility_node[f],
                    Visit::Break => {
                        let start = t.max(self.options.lunch_window.0 as f64);
                        lunch = Some(start);
                        t = start + inst.lunch_duration_s();
                        continue;
                    }
                };
                t += inst.travel_time_s(at, node, metric);
                t = t.max(nodes[node].early_s as f64) + nodes[node].service_s;
                at = node;
                ids.push(nodes[node].id.clone());
                seq.push(node);
            }
            seq.push(inst.depot());
            ids.push(nodes[inst.depot()].id.clone());
            miles += seq
                .windows(2)
                .map(|w| inst.distance_miles(w[0], w[1], metric))
                .sum::<f64>();
            routes.push(KimRoute {
                stops: ids,
                lunch_start_s: lunch,
            });
        }
        KimSolution {
            vehicles: routes.len(),
            routes,
            distance_miles: miles,
        }
    }
}
