//! Lower bounds on the fleet that can meet the coverage targets.
//!
//! Each target asks for a share of a zone's pickups and of its demand. The
//! bounds count the least work any plan must do: the smallest demands and
//! the shortest times (service plus the shortest drive into each pickup)
//! of just enough pickups of each zone, and divide by what one vehicle can
//! do in a day (capacity times trips, longest shift). The cost bound adds
//! the cheapest fixed cost per vehicle and, per pickup, the cheapest arc
//! into it plus its service time at the lowest hourly cost. Both are valid
//! bounds: no plan can do with less.

use crate::domain::Zone;
use crate::model::Problem;
use crate::plan::{PlanInput, Prepared};
use serde::Serialize;

/// A lower bound on the fleet that meets the targets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LowerBound {
    /// No fleet with fewer vehicles can meet the targets.
    pub vehicles: usize,
    /// No plan meeting the targets costs less per day.
    pub cost: f64,
    /// The bound from load alone.
    pub by_load: usize,
    /// The bound from time alone.
    pub by_time: usize,
    /// How the bound was obtained, in one sentence.
    pub basis: String,
}

/// The lower bound of the fleet that meets the targets of `prep`'s fleet
/// (it depends on the vehicle types, not on their counts).
pub(crate) fn lower_bound(prep: &Prepared<'_>) -> LowerBound {
    let (input, problem) = (prep.input(), prep.problem());
    let types = problem.vehicle_types();
    let clients = problem.clients();
    let n_loc = problem.profiles()[0].distance.size();
    // Per client: least time (service + shortest drive in) and least cost
    // (cost units).
    let mut work = Vec::with_capacity(clients.len());
    for (c, cl) in clients.iter().enumerate() {
        let (mut t_min, mut cost_min) = (i64::MAX, f64::INFINITY);
        for (k, t) in types.iter().enumerate() {
            if !problem.can_serve(k, c) {
                continue;
            }
            let prof = &problem.profiles()[t.profile];
            let (mut d_in, mut a_in) = (i64::MAX, f64::INFINITY);
            for l in (0..n_loc).filter(|&l| l != cl.location) {
                d_in = d_in.min(prof.duration.get(l, cl.location));
                let arc = (t.cost_per_distance * prof.distance.get(l, cl.location)
                    + t.cost_per_time * prof.duration.get(l, cl.location))
                    as f64;
                a_in = a_in.min(arc);
            }
            t_min = t_min.min(cl.service + d_in);
            cost_min = cost_min.min(a_in + (t.cost_per_time * cl.service) as f64);
        }
        work.push((t_min, cost_min, cl.demand[0] as f64));
    }
    let targets = &input.fleet.spec.targets;
    let (mut need_time, mut need_load, mut need_cost, mut need_points) = (0i64, 0.0, 0.0, 0usize);
    for z in Zone::ALL {
        let tau = targets.zone(z);
        let total: Vec<&crate::domain::Pickup> =
            input.pickups.iter().filter(|p| p.zone == z).collect();
        if tau <= 0.0 || total.is_empty() {
            continue;
        }
        let k = (tau * total.len() as f64 - 1e-9).ceil() as usize;
        let demand_needed = tau * total.iter().map(|p| p.demand_kg).sum::<f64>();
        let mine: Vec<usize> = (0..clients.len())
            .filter(|&c| input.pickups[prep.client_pickup()[c]].zone == z)
            .collect();
        let mut times: Vec<i64> = mine.iter().map(|&c| work[c].0).collect();
        let mut loads: Vec<f64> = mine.iter().map(|&c| work[c].2).collect();
        let mut costs: Vec<f64> = mine.iter().map(|&c| work[c].1).collect();
        times.sort_unstable();
        loads.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        costs.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        let k = k.min(mine.len());
        need_points += k;
        need_time += times.iter().take(k).sum::<i64>();
        need_load += loads
            .iter()
            .take(k)
            .sum::<f64>()
            .max(demand_needed.min(loads.iter().sum()));
        need_cost += costs.iter().take(k).sum::<f64>();
    }
    let per_vehicle_load = types
        .iter()
        .map(|t| t.capacity[0] as f64 * (t.max_reloads + 1) as f64)
        .fold(0.0, f64::max)
        .max(1.0);
    let per_vehicle_time = types
        .iter()
        .map(|t| t.max_duration.min(t.shift.end - t.shift.start))
        .max()
        .unwrap_or(1)
        .max(1);
    let by_load = (need_load / per_vehicle_load - 1e-9).ceil().max(0.0) as usize;
    let by_time = (need_time as f64 / per_vehicle_time as f64 - 1e-9)
        .ceil()
        .max(0.0) as usize;
    // Pickups that must all be served (a zone or stream target of 100%)
    // and that disjoint groups of vehicle types serve need vehicles of each
    // group: the bounds of the groups add up.
    let by_groups = group_bound(input, prep, problem, &work);
    let vehicles = by_load
        .max(by_time)
        .max(by_groups)
        .max(usize::from(need_points > 0));
    let min_fixed = types.iter().map(|t| t.fixed_cost).min().unwrap_or(0) as f64;
    let cost = prep
        .cost_unit
        .currency_f64(vehicles as f64 * min_fixed + need_cost);
    let cost = (cost * 100.0).floor() / 100.0;
    LowerBound {
        vehicles,
        cost,
        by_load,
        by_time,
        basis: format!(
            "the targets need at least {need_points} pickups, {need_load:.0} kg and {:.1} h of service and driving; \
             one vehicle carries at most {per_vehicle_load:.0} kg a day and works at most {:.1} h; \
             pickups that must be served and only disjoint groups of vehicle types can carry need {by_groups} vehicles",
            need_time as f64 / 3600.0,
            per_vehicle_time as f64 / 3600.0
        ),
    }
}

/// The sum, over groups of vehicle types that share no pickup, of the
/// vehicles the group needs for its mandatory pickups (load and time, at
/// least one).
fn group_bound(
    input: &PlanInput,
    prep: &Prepared<'_>,
    problem: &Problem,
    work: &[(i64, f64, f64)],
) -> usize {
    let types = problem.vehicle_types();
    let nt = types.len();
    let mask = |c: usize| {
        (0..nt)
            .filter(|&t| problem.can_serve(t, c))
            .fold(0u64, |m, t| m | (1 << t))
    };
    // Join the types that share a pickup (a tiny union-find on bit masks).
    let mut groups: Vec<u64> = Vec::new();
    for c in 0..problem.n_clients() {
        let mut m = mask(c);
        groups.retain(|&g| {
            if g & m != 0 {
                m |= g;
                false
            } else {
                true
            }
        });
        groups.push(m);
    }
    let targets = &input.fleet.spec.targets;
    let mandatory = |c: usize| {
        let p = &input.pickups[prep.client_pickup()[c]];
        targets.zone(p.zone) >= 1.0 || targets.stream(p.stream) >= 1.0
    };
    let mut total = 0;
    for g in groups {
        let members: Vec<usize> = (0..problem.n_clients())
            .filter(|&c| mask(c) & g != 0 && mandatory(c))
            .collect();
        if members.is_empty() {
            continue;
        }
        let in_group = |t: usize| g & (1 << t) != 0;
        let load: f64 = members.iter().map(|&c| work[c].2).sum();
        let time: i64 = members.iter().map(|&c| work[c].0).sum();
        let cap = (0..nt)
            .filter(|&t| in_group(t))
            .map(|t| types[t].capacity[0] as f64 * (types[t].max_reloads + 1) as f64)
            .fold(1.0, f64::max);
        let shift = (0..nt)
            .filter(|&t| in_group(t))
            .map(|t| {
                types[t]
                    .max_duration
                    .min(types[t].shift.end - types[t].shift.start)
            })
            .max()
            .unwrap_or(1)
            .max(1);
        let need = ((load / cap - 1e-9).ceil() as usize)
            .max((time as f64 / shift as f64 - 1e-9).ceil() as usize)
            .max(1);
        total += need;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{self, PlanOptions};
    use crate::solver::Silent;

    fn opts() -> PlanOptions {
        let mut o = PlanOptions {
            iterations: Some(60),
            ..PlanOptions::default()
        };
        o.params.threads = 1;
        o
    }

    #[test]
    fn the_bound_is_the_largest_of_its_parts_and_no_plan_beats_it() {
        let input = crate::plan::tests::monaco();
        let prep = plan::prepare(&input, &opts()).unwrap();
        let b = lower_bound(&prep);
        assert!(b.vehicles >= 1);
        assert!(b.vehicles >= b.by_load.max(b.by_time));
        assert!(
            b.basis.contains("pickups") && b.basis.contains("kg"),
            "{}",
            b.basis
        );
        // A plan that meets the targets uses at least as many vehicles and
        // costs at least as much.
        let s = plan::solve(&prep, &opts(), None, None, &mut Silent).unwrap();
        let p = plan::build(&prep, s, &opts()).unwrap();
        if p.summary.targets_met && p.summary.feasible {
            assert!(p.summary.vehicles_used >= b.vehicles);
            assert!(p.summary.cost >= b.cost, "{} < {}", p.summary.cost, b.cost);
        }
    }

    #[test]
    fn no_target_needs_no_vehicle_and_smaller_vehicles_need_more() {
        let mut input = crate::plan::tests::monaco();
        let full = lower_bound(&plan::prepare(&input, &opts()).unwrap());
        // Vehicles just big enough for the largest pickup: the load bound
        // grows to what the demand asks of eight trips a day.
        let largest = input
            .pickups
            .iter()
            .map(|p| p.demand_kg)
            .fold(0.0, f64::max);
        for v in &mut input.fleet.spec.vehicle {
            v.capacity_kg = largest;
        }
        let small = lower_bound(&plan::prepare(&input, &opts()).unwrap());
        let kg: f64 = input.pickups.iter().map(|p| p.demand_kg).sum();
        assert!(small.by_load > full.by_load, "{small:?} {full:?}");
        assert!(
            small.by_load as f64 >= (0.95 * kg / (largest * 8.0)).floor(),
            "{small:?}"
        );
        assert!(full.vehicles >= 1);
        // Without targets nothing has to be served.
        let t = &mut input.fleet.spec.targets;
        for share in [
            &mut t.urban,
            &mut t.rural,
            &mut t.household,
            &mut t.recyclable,
            &mut t.industrial,
            &mut t.hazardous,
            &mut t.medical,
        ] {
            *share = 0.0;
        }
        let none = lower_bound(&plan::prepare(&input, &opts()).unwrap());
        assert_eq!((none.vehicles, none.by_load, none.by_time), (0, 0, 0));
        assert_eq!(none.cost, 0.0);
    }
}
