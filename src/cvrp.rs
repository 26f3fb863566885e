//! CVRPLIB instances as [`Problem`]s, and solutions back as CVRPLIB routes.
//!
//! A CVRPLIB instance has one depot and an unlimited fleet of identical
//! vehicles; the cost is the total travel distance (TSPLIB rounding unless a
//! scaled rounding is asked for). `DISTANCE` limits the length of a route,
//! service times included (`SERVICE_TIME`), as in the CMT and Golden sets:
//! it becomes a duration limit on a duration matrix equal to the distances.

use crate::io::cvrplib::{CvrpInstance, CvrpSolution, Rounding};
use crate::model::{
    Client, Depot, Matrix, Problem, ProblemBuilder, Profile, Solution, TimeWindow, VehicleType,
};
use crate::{Error, Result};

/// Builds the problem of a CVRPLIB instance.
///
/// # Errors
/// [`Error::Invalid`] if a rounded distance does not fit the solver's
/// matrices (above 2^31 - 1).
pub fn problem(inst: &CvrpInstance, rounding: Rounding) -> Result<Problem> {
    let n = inst.dimension();
    let flat = inst.distance_matrix(rounding);
    let dist = Matrix::from_fn(n, |i, j| flat[i * n + j])?;
    let scale = match rounding {
        Rounding::Nint => 1.0,
        Rounding::Scaled(k) => 10f64.powi(k as i32),
    };
    let service = inst.service_time().map_or(0, |s| rounding.apply(s));
    let mut b = ProblemBuilder::new();
    b.add_profile(Profile {
        name: "cvrplib".into(),
        distance: dist.clone(),
        duration: dist,
    });
    if let Some(xy) = inst.coords() {
        b.coords(xy.to_vec());
    }
    let depot = inst.depot();
    b.add_depot(Depot {
        name: "1".into(),
        location: depot,
        tw: TimeWindow::ALWAYS,
    });
    for node in (0..n).filter(|&i| i != depot) {
        b.add_client(Client {
            name: (node + 1).to_string(),
            location: node,
            demand: [inst.demands()[node], 0],
            service: if inst.distance_limit().is_some() {
                service
            } else {
                0
            },
            tw: TimeWindow::ALWAYS,
            stream: 0,
            required: true,
            prize: 0,
            vehicles: crate::model::ALL_VEHICLES,
        });
    }
    let mut t = VehicleType::new("vehicle", n - 1, inst.capacity());
    if let Some(limit) = inst.distance_limit() {
        t.max_duration = (limit * scale).round() as i64;
    }
    b.add_vehicle_type(t);
    b.build().map_err(|e| match e {
        Error::Invalid(m) => Error::Invalid(format!("{}: {m}", inst.name())),
        e => e,
    })
}

/// The routes of `solution` as CVRPLIB node indices (depot excluded).
pub fn to_cvrplib(inst: &CvrpInstance, solution: &Solution, cost: Option<f64>) -> CvrpSolution {
    let depot = inst.depot();
    let node = |c: usize| if c >= depot { c + 1 } else { c };
    CvrpSolution {
        routes: solution
            .routes
            .iter()
            .map(|r| r.clients().map(node).collect())
            .collect(),
        cost,
    }
}

/// A solution of the problem built by [`problem`] from CVRPLIB routes.
///
/// # Errors
/// [`Error::Invalid`] if a route names the depot or a node outside the instance.
pub fn from_cvrplib(inst: &CvrpInstance, sol: &CvrpSolution) -> Result<Solution> {
    let depot = inst.depot();
    let mut routes = Vec::new();
    for (k, r) in sol.routes.iter().enumerate() {
        let mut visits = Vec::new();
        for &node in r {
            if node == depot || node >= inst.dimension() {
                return Err(Error::Invalid(format!(
                    "route {}: node {node} is not a customer",
                    k + 1
                )));
            }
            let c = if node > depot { node - 1 } else { node };
            visits.push(crate::model::Visit::Client(c));
        }
        routes.push(crate::model::Route {
            vehicle_type: 0,
            visits,
        });
    }
    Ok(Solution {
        patterns: Vec::new(),
        routes,
        unassigned: Vec::new(),
    })
}
