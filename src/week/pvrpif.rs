//! The PVRP-IF benchmark of Taverna & Tilk (2026) as a weekly problem, and
//! its solution format.
//!
//! An instance's horizon of `H` days (4 or 6) becomes the first `H`
//! weekdays; each customer of frequency `f` gets the `H/f` evenly spaced
//! patterns (the benchmark's visiting schemes are exactly
//! [`even_patterns`]); one vehicle type with
//! `numVehicles` vehicles a day, trip capacity `maxCapacity`, route time
//! (travel and service) at most `maxDuration`, as many unloads as it likes
//! and an unload before it returns to the depot. The cost is the travel
//! time, so the distance matrix is the duration matrix. Times and demands
//! are scaled by [`SCALE`] to whole units.

use serde_json::{Value, json};

use super::{Collection, WeekProblem, WeekSpec};
use crate::domain::{DaySet, Weekday, even_patterns};
use crate::io::pvrpif::{Instance, NodeKind};
use crate::model::{
    Client, Depot, Facility, Matrix, Problem, ProblemBuilder, Profile, Solution, TimeWindow,
    VehicleType, Visit,
};
use crate::{Error, Result};

/// Units per time or demand unit of the instance file.
pub const SCALE: f64 = 1000.0;

fn scaled(x: f64) -> i64 {
    (x * SCALE).round() as i64
}

/// The one-day problem, the week to build on it, and the instance node id of
/// each client and facility.
#[derive(Debug, Clone)]
pub struct Converted {
    /// The one-day problem.
    pub day: Problem,
    /// The week.
    pub spec: WeekSpec,
    /// Instance node id per client of `day`.
    pub client_node: Vec<usize>,
    /// Instance node id per facility of `day`.
    pub facility_node: Vec<usize>,
}

/// Converts an instance.
///
/// # Errors
/// [`Error::Invalid`] for a horizon above 7 days.
pub fn convert(inst: &Instance) -> Result<Converted> {
    if inst.horizon > 7 {
        return Err(Error::Invalid(format!(
            "{}: a horizon of {} days; at most 7 are supported",
            inst.name, inst.horizon
        )));
    }
    let n = inst.nodes.len();
    let m = Matrix::from_fn(n, |i, j| scaled(inst.duration[i][j]))?;
    let mut b = ProblemBuilder::new();
    b.add_profile(Profile {
        name: "pvrpif".into(),
        distance: m.clone(),
        duration: m,
    });
    b.add_depot(Depot {
        name: "0".into(),
        location: 0,
        tw: TimeWindow::ALWAYS,
    });
    let mut vt = VehicleType::new(
        "vehicle",
        inst.num_vehicles as usize,
        scaled(inst.max_capacity),
    );
    vt.max_duration = scaled(inst.max_duration);
    vt.max_reloads = n * 8;
    vt.unload_at_end = true;
    b.add_vehicle_type(vt);
    let mut client_node = Vec::new();
    let mut facility_node = Vec::new();
    for (id, node) in inst.nodes.iter().enumerate() {
        match node.kind {
            NodeKind::Depot => {}
            NodeKind::Facility => {
                b.add_facility(Facility {
                    name: id.to_string(),
                    location: id,
                    tw: TimeWindow::ALWAYS,
                    unload: scaled(node.service),
                    accepts: u32::MAX,
                    vehicles: u64::MAX,
                    daily_capacity: crate::model::UNLIMITED,
                });
                facility_node.push(id);
            }
            NodeKind::Customer => {
                b.add_client(Client {
                    name: id.to_string(),
                    location: id,
                    demand: [scaled(node.demand), 0],
                    service: scaled(node.service),
                    tw: TimeWindow::ALWAYS,
                    stream: 0,
                    required: true,
                    prize: 0,
                    vehicles: u64::MAX,
                });
                client_node.push(id);
            }
        }
    }
    let working = (0..inst.horizon as usize)
        .filter_map(Weekday::from_index)
        .fold(DaySet::EMPTY, DaySet::with);
    let collections = client_node
        .iter()
        .map(|&id| {
            let patterns = even_patterns(working, inst.nodes[id].frequency as usize)
                .map_err(|e| Error::Invalid(format!("{}: node {id}: {e}", inst.name)))?;
            Ok(Collection {
                patterns,
                per_day: None,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let day = b.build()?;
    let spec = WeekSpec {
        working,
        collections,
        counts_by_day: vec![None],
        facility_closed: vec![DaySet::EMPTY; facility_node.len()],
    };
    Ok(Converted {
        day,
        spec,
        client_node,
        facility_node,
    })
}

/// The solution in the benchmark checker's JSON format: per day (day 0
/// first) its routes as node ids from depot to depot, and each customer's
/// visit days.
pub fn solution_json(
    inst: &Instance,
    conv: &Converted,
    week: &WeekProblem,
    solution: &Solution,
) -> Value {
    let mut days: Vec<Vec<Vec<usize>>> = vec![Vec::new(); inst.horizon as usize];
    let mut schemes: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
    for r in solution.routes.iter().filter(|r| !r.is_empty()) {
        let day = week.type_of[r.vehicle_type].1.index();
        let mut nodes = vec![0];
        for v in &r.visits {
            match *v {
                Visit::Client(c) => {
                    let id = conv.client_node[week.visit_of[c].0];
                    nodes.push(id);
                    schemes.entry(id.to_string()).or_default().push(day);
                }
                Visit::Unload(f) => nodes.push(conv.facility_node[week.facility_of[f].0]),
                Visit::Break => {}
            }
        }
        nodes.push(0);
        days[day].push(nodes);
    }
    for d in schemes.values_mut() {
        d.sort_unstable();
    }
    json!({
        "instance": inst.name,
        "days": days,
        "schemes": schemes,
        "cost": cost(inst, &days),
    })
}

/// The benchmark's cost of routes given as node ids: the total travel time.
pub fn cost(inst: &Instance, days: &[Vec<Vec<usize>>]) -> f64 {
    days.iter()
        .flatten()
        .flat_map(|r| r.windows(2))
        .map(|w| inst.duration[w[0]][w[1]])
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Location;
    use crate::model::Route;

    fn instance() -> Instance {
        let text = json!({
            "info": {"planningHorizon": 4, "numVehicles": 2, "maxCapacity": 10, "maxDuration": 100},
            "features": [
                {"properties": {"id": 0, "type": "depot", "demand": 0, "service": 0}},
                {"properties": {"id": 1, "type": "customer", "frequency": 2, "demand": 4, "service": 1}},
                {"properties": {"id": 2, "type": "customer", "frequency": 4, "demand": 3, "service": 2}},
                {"properties": {"id": 3, "type": "intermediateFacility", "demand": 0, "service": 0}}
            ],
            "duration": [[0, 5, 6, 7], [5, 0, 2, 3], [6, 2, 0, 4], [7, 3, 4, 0]]
        })
        .to_string();
        Instance::parse(&text, "tiny".into(), Location::default()).unwrap()
    }

    #[test]
    fn the_schemes_are_the_benchmarks() {
        let inst = instance();
        let conv = convert(&inst).unwrap();
        let p = |k: usize| -> Vec<String> {
            conv.spec.collections[k]
                .patterns
                .iter()
                .map(|p| p.to_string())
                .collect()
        };
        // H = 4: f = 2 gives {0, 2} and {1, 3}; f = 4 every day.
        assert_eq!(p(0), ["mon;wed", "tue;thu"]);
        assert_eq!(p(1), ["mon;tue;wed;thu"]);
        assert_eq!(conv.day.vehicle_types()[0].capacity[0], 10_000);
        assert_eq!(conv.facility_node, [3]);
    }

    #[test]
    fn a_solution_is_written_in_node_ids_by_day() {
        let inst = instance();
        let conv = convert(&inst).unwrap();
        let week = WeekProblem::build(&conv.day, &conv.spec).unwrap();
        // Pickup 0 on its first pattern (mon, wed), pickup 1 every day.
        let visits_of =
            |pickup: usize, pattern: usize| week.groups[pickup].patterns[pattern].1.clone();
        let mut routes = Vec::new();
        let first: Vec<usize> = visits_of(0, 0).collect();
        for (k, c) in visits_of(1, 0).enumerate() {
            let mut visits = vec![Visit::Client(c)];
            if k % 2 == 0 {
                visits.insert(0, Visit::Client(first[k / 2]));
            }
            visits.push(Visit::Unload(k)); // the facility's copy of day k
            routes.push(Route {
                vehicle_type: k,
                visits,
            });
        }
        let sol = Solution {
            patterns: Vec::new(),
            routes,
            unassigned: vec![],
        };
        let v = solution_json(&inst, &conv, &week, &sol);
        assert_eq!(v["days"][0], json!([[0, 1, 2, 3, 0]]));
        assert_eq!(v["days"][1], json!([[0, 2, 3, 0]]));
        assert_eq!(v["schemes"]["1"], json!([0, 2]));
        assert_eq!(v["schemes"]["2"], json!([0, 1, 2, 3]));
        // Days 0 and 2: 5 + 2 + 4 + 7; days 1 and 3: 6 + 4 + 7.
        assert_eq!(v["cost"], json!(2.0 * 18.0 + 2.0 * 17.0));
    }
}
