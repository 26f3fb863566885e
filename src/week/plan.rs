//! The weekly plan: the stages of a one-day plan around one search over the
//! whole week.
//!
//! ```text
//! check_calendar     &PlanInput --> allowed patterns per pickup (input errors first)
//! plan::prepare      &PlanInput --> Prepared       (graphs, snaps, matrices: once)
//! spec_for + build   Prepared --> WeekProblem      (day-types, day facilities, one
//!                                                   client per day of each pattern)
//! search             WeekProblem --> Solution      (patterns chosen with the routes)
//! split              Solution --> one Prepared and Solution per working day
//!                                                  (routes ordered so that a vehicle
//!                                                   keeps its pickups across days)
//! plan::build        per day --> Plan               (checker, timetables, geometry)
//! summarise          days --> WeekSummary + calendar
//! ```
//!
//! A day's plan is an ordinary plan of the pickups due that day: its
//! `summary.json` counts only them, and its cost includes the full fixed
//! cost of each vehicle it uses. The week's cost counts each vehicle once:
//! the fixed cost of the vehicles the busiest day needs, per type, plus
//! every day's running cost (distance and time).

use super::expand::WeekProblem;
use super::spec::{check_calendar, spec_for};
use crate::domain::{DaySet, Stream, Weekday, Zone};
use crate::model::{ProblemBuilder, Route, Solution, Visit};
use crate::plan::{
    self, InputFiles, Plan, PlanInput, PlanOptions, Prepared, Solved, UnservedReason,
};
use crate::solver::Observer;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

/// Version of `week-summary.json`'s schema (docs/week.md).
pub const WEEK_SCHEMA_VERSION: u32 = 1;

/// A finished weekly plan.
#[derive(Debug, Clone)]
pub struct WeekPlan {
    /// Figures for `week-summary.json`.
    pub summary: WeekSummary,
    /// Every visit made, for `calendar.csv`.
    pub calendar: Vec<CalendarRow>,
    /// The plan of each working day, in calendar order.
    pub days: Vec<(Weekday, Plan)>,
}

/// One visit made: a row of `calendar.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarRow {
    /// The pickup.
    pub pickup_id: String,
    /// The day (`mon`).
    pub day: String,
    /// The vehicle, named as in that day's `routes.csv`.
    pub vehicle: String,
    /// Its trip, from 1.
    pub trip: usize,
    /// The stop's position in the vehicle's day, as in `routes.csv`.
    pub seq: usize,
}

impl CalendarRow {
    /// The header of `calendar.csv`.
    pub const COLUMNS: [&'static str; 5] = ["pickup_id", "day", "vehicle", "trip", "seq"];
}

/// Visits made against visits required, for one zone or stream.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WeekCoverage {
    /// Visits the pickups' frequencies ask for over the week.
    pub visits_required: usize,
    /// Visits in the routes.
    pub visits_made: usize,
    /// `visits_made / visits_required` (1 when none is required).
    pub share: f64,
    /// The target share.
    pub target: f64,
    /// The share reaches the target.
    pub met: bool,
}

/// A visit left out of the week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekUnserved {
    /// Pickup id.
    pub id: String,
    /// The day it was due (`mon`).
    pub day: String,
    /// Why.
    pub reason: UnservedReason,
    /// The evidence, in one sentence.
    pub detail: String,
    /// Zone.
    pub zone: Zone,
    /// Stream.
    pub stream: Stream,
    /// Whether the pickup was required.
    pub required: bool,
}

/// One working day's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DayFigures {
    /// The day (`mon`).
    pub day: String,
    /// Vehicles used.
    pub vehicles: usize,
    /// Vehicles used per type.
    pub vehicles_by_type: BTreeMap<String, usize>,
    /// Visits made.
    pub visits: usize,
    /// Visits due that day and left out.
    pub unserved: usize,
    /// Trips (unloads).
    pub trips: usize,
    /// Kilometres.
    pub km: f64,
    /// Vehicle hours.
    pub hours: f64,
    /// Distance and time cost (no fixed cost).
    pub running_cost: f64,
    /// The day plan breaks no rule.
    pub feasible: bool,
}

/// How often the same vehicle serves a pickup on all its visit days.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Consistency {
    /// Pickups visited on two days or more.
    pub pickups: usize,
    /// Those served by one vehicle on every visit.
    pub same_vehicle: usize,
    /// `same_vehicle / pickups` (1 when there are none).
    pub share: f64,
}

/// Which demand rule the pickups follow (docs/inputs.md, "Weekly columns").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DemandRules {
    /// Pickups whose every visit collects `demand_kg`.
    pub per_visit: usize,
    /// Pickups whose visit collects what accumulated since the previous
    /// one (`demand_kg_per_day` times the days since).
    pub accumulated: usize,
}

/// Seconds per phase of a weekly plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WeekPhases {
    /// Reading OSM and building road graphs.
    pub graph_s: f64,
    /// Snapping points.
    pub snap_s: f64,
    /// Travel matrices.
    pub matrix_s: f64,
    /// The weekly search.
    pub solve_s: f64,
    /// The day plans: checker, timetables, road geometry.
    pub days_s: f64,
    /// Writing the folder.
    pub output_s: f64,
}

/// The contents of `week-summary.json` (docs/week.md).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WeekSummary {
    /// Schema version of this file.
    pub schema_version: u32,
    /// The working days, in calendar order.
    pub working_days: Vec<String>,
    /// Visits per zone over the week against the targets.
    pub coverage: BTreeMap<Zone, WeekCoverage>,
    /// Visits per stream over the week against the targets.
    pub coverage_by_stream: BTreeMap<Stream, WeekCoverage>,
    /// Every target met.
    pub targets_met: bool,
    /// Vehicles owned for the week: per type, the most any day uses.
    pub vehicles_needed: usize,
    /// `vehicles_needed` per type.
    pub vehicles_needed_by_type: BTreeMap<String, usize>,
    /// Vehicles used per day.
    pub vehicles_by_day: BTreeMap<String, usize>,
    /// Per working day.
    pub days: Vec<DayFigures>,
    /// Trips (unloads) over the week.
    pub trips: usize,
    /// Kilometres over the week.
    pub km: f64,
    /// Vehicle hours over the week.
    pub hours: f64,
    /// The week's cost: `fixed_cost + running_cost`.
    pub cost: f64,
    /// Fixed cost of the vehicles needed (each counted once a week).
    pub fixed_cost: f64,
    /// Distance and time cost of every day.
    pub running_cost: f64,
    /// Visits required over the week.
    pub visits_required: usize,
    /// Visits made.
    pub visits_made: usize,
    /// Each visit left out, with its day and reason.
    pub unserved: Vec<WeekUnserved>,
    /// Which demand rule applies to how many pickups.
    pub demand_rules: DemandRules,
    /// The same vehicle on every visit of a pickup.
    pub consistency: Consistency,
    /// Every day plan breaks no rule.
    pub feasible: bool,
    /// Rules broken, over all days (listed in each day's summary.json).
    pub violations: usize,
    /// Random seed.
    pub seed: u64,
    /// Threads.
    pub threads: usize,
    /// Iterations of the weekly search.
    pub iterations: u64,
    /// What ended the search (as in a plan's summary.json).
    pub stopped_by: String,
    /// Total seconds.
    pub runtime_s: f64,
    /// Seconds per phase.
    pub phases: WeekPhases,
    /// Peak memory of the process, MB (Linux only).
    pub peak_rss_mb: Option<f64>,
    /// The input files.
    pub inputs: InputFiles,
}

/// Stage 1 of a week: the calendar checked ([`check_calendar`]: its errors
/// come before any road graph is built), then [`plan::prepare`].
///
/// # Errors
/// As [`check_calendar`] and [`plan::prepare`].
pub fn prepare<'a>(input: &'a PlanInput, opts: &PlanOptions) -> Result<Prepared<'a>> {
    check_calendar(input)?;
    plan::prepare(input, opts)
}

/// Plans the week on `prep` (from [`prepare`]): the later stages of the
/// module docs. With [`PlanOptions::seconds`] the whole run (day plans
/// included) keeps to the limit as a plan does; the route recombination of
/// one-day plans does not run (it does not know visit patterns).
///
/// # Errors
/// As [`check_calendar`], and internal failures.
pub fn plan_week(
    prep: &Prepared<'_>,
    opts: &PlanOptions,
    observer: &mut dyn Observer,
) -> Result<WeekPlan> {
    let visits = prep
        .input()
        .pickups
        .iter()
        .map(|p| p.visits.frequency)
        .sum();
    let end = prep.search_end_for(opts, visits);
    let week = week_problem(prep)?;
    let solved = solve_week(&week, opts, None, end, observer)?;
    finish_week(prep, &week, solved, opts)
}

/// The weekly problem of `prep` with the vehicle counts it offers now
/// (each type's per-day counts of the fleet file capped at that count).
pub(crate) fn week_problem(prep: &Prepared<'_>) -> Result<WeekProblem> {
    let input = prep.input();
    let mut spec = spec_for(
        input,
        prep.problem(),
        prep.client_pickup(),
        &prep.facility_rec,
    )?;
    for (t, by_day) in spec.counts_by_day.iter_mut().enumerate() {
        let count = prep.problem().vehicle_types()[t].count;
        if let Some(days) = by_day {
            days.iter_mut().for_each(|n| *n = (*n).min(count));
        }
    }
    WeekProblem::build(prep.problem(), &spec)
}

/// The weekly search on `week` (from `initial`, a solution of it, if
/// given), until `end`.
pub(crate) fn solve_week(
    week: &WeekProblem,
    opts: &PlanOptions,
    initial: Option<&Solution>,
    end: Option<Instant>,
    observer: &mut dyn Observer,
) -> Result<Solved> {
    let opts = PlanOptions {
        recombine: false,
        ..opts.clone()
    };
    plan::solve_problem(&week.problem, &opts, initial, end, observer)
}

/// The day plans, calendar and summary of a weekly solution.
pub(crate) fn finish_week(
    prep: &Prepared<'_>,
    week: &WeekProblem,
    solved: Solved,
    opts: &PlanOptions,
) -> Result<WeekPlan> {
    let input = prep.input();
    let patterns = check_calendar(input)?;
    let opts = PlanOptions {
        recombine: false,
        ..opts.clone()
    };
    let t_days = Instant::now();
    let parts = split(prep, week, &patterns, &solved.solution)?;
    let mut days = Vec::with_capacity(parts.len());
    for part in parts {
        let day_solved = Solved {
            solution: part.solution,
            iterations: solved.iterations,
            stopped_by: solved.stopped_by,
            pool: Vec::new(),
            recombination: None,
            seconds: solved.seconds,
        };
        let problem = part.prep.problem().clone();
        let plan = plan::build_judged(&part.prep, &part.input, &problem, day_solved, &opts)?;
        days.push((part.day, plan));
    }
    let days_s = t_days.elapsed().as_secs_f64();
    let calendar = calendar_of(input, &days);
    let mut summary = summarise(input, &days, &calendar);
    summary.seed = opts.params.seed;
    summary.threads = opts.params.threads;
    summary.iterations = solved.iterations;
    summary.stopped_by = solved.stopped_by.to_string();
    summary.phases = WeekPhases {
        graph_s: prep.graph_s,
        snap_s: prep.snap_s,
        matrix_s: prep.matrix_s,
        solve_s: solved.seconds,
        days_s,
        output_s: 0.0,
    };
    summary.runtime_s = prep.started().elapsed().as_secs_f64();
    summary.peak_rss_mb = crate::peak_rss_mb();
    summary.inputs = input.files.clone();
    Ok(WeekPlan {
        summary,
        calendar,
        days,
    })
}

/// Plans the week: [`prepare`], then [`plan_week`].
///
/// # Errors
/// As [`prepare`] and [`plan_week`].
pub fn run(input: &PlanInput, opts: &PlanOptions, observer: &mut dyn Observer) -> Result<WeekPlan> {
    let prep = prepare(input, opts)?;
    plan_week(&prep, opts, observer)
}

/// One working day of the week, ready for [`plan::build_judged`].
struct DayPart<'a> {
    day: Weekday,
    /// The pickups due that day, with the waste of that day's visit.
    input: PlanInput,
    prep: Prepared<'a>,
    solution: Solution,
}

/// Splits the week's solution into one plan per working day (see the
/// module docs).
///
/// Pickups that never entered the problem (no route can serve them) are
/// due on the days of their first allowed pattern.
fn split<'a>(
    prep: &Prepared<'a>,
    week: &WeekProblem,
    patterns: &[Vec<DaySet>],
    solution: &Solution,
) -> Result<Vec<DayPart<'a>>> {
    let input = prep.input();
    let day = prep.problem();
    let wp = &week.problem;
    let n_types = day.vehicle_types().len();
    let wanted = wp.wanted(&solution.patterns).ok_or_else(|| {
        Error::Internal("the weekly solution does not choose one pattern per pickup".into())
    })?;
    // Per pickup: the pattern it is visited on.
    let mut chosen: Vec<Option<DaySet>> = vec![None; input.pickups.len()];
    for (g, &k) in week.groups.iter().zip(&solution.patterns) {
        chosen[prep.client_pickup()[g.pickup]] = Some(g.patterns[k].0);
    }
    let index: HashMap<&str, usize> = (input.pickups.iter().enumerate())
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    for u in prep.unserved() {
        if let Some(&p) = index.get(u.id.as_str()) {
            chosen[p] = chosen[p].or_else(|| patterns[p].first().copied());
        }
    }
    let mut parts = Vec::with_capacity(week.days.len());
    // Per vehicle type, per vehicle (by position): the pickups it served on
    // the days so far.
    let mut areas: Vec<Vec<Vec<usize>>> = vec![Vec::new(); n_types];
    for (di, &wd) in week.days.iter().enumerate() {
        // The day's pickups, in input order, with the waste of the visit.
        let mut pickups = Vec::new();
        let mut position = vec![usize::MAX; input.pickups.len()];
        for (p, pk) in input.pickups.iter().enumerate() {
            let Some(pattern) = chosen[p].filter(|s| s.contains(wd)) else {
                continue;
            };
            let mut pk = pk.clone();
            if let Some((kg, m3)) = pk.visits.per_day {
                let gap = pattern
                    .gaps()
                    .into_iter()
                    .find(|(d, _)| *d == wd)
                    .map_or(1, |(_, g)| g);
                pk.demand_kg = kg * f64::from(gap);
                pk.volume_m3 = m3 * f64::from(gap);
            }
            position[p] = pickups.len();
            pickups.push(pk);
        }
        let mut b = ProblemBuilder::sharing_matrices_of(day);
        for depot in day.depots() {
            b.add_depot(depot.clone());
        }
        for (t, vt) in day.vehicle_types().iter().enumerate() {
            let mut vt = vt.clone();
            vt.count = wp.vehicle_types()[di * n_types + t].count;
            b.add_vehicle_type(vt);
        }
        let mut day_facility = vec![usize::MAX; wp.facilities().len()];
        let mut facility_rec = Vec::new();
        for (wf, &(f, fd)) in week.facility_of.iter().enumerate() {
            if fd == wd {
                day_facility[wf] = facility_rec.len();
                b.add_facility(day.facilities()[f].clone());
                facility_rec.push(prep.facility_rec[f]);
            }
        }
        let mut day_client = vec![usize::MAX; wp.n_clients()];
        let mut client_pickup = Vec::new();
        for (k, &(c, cd)) in week.visit_of.iter().enumerate() {
            if cd == wd && wanted[k] {
                day_client[k] = client_pickup.len();
                let mut client = day.clients()[c].clone();
                client.demand = wp.clients()[k].demand;
                b.add_client(client);
                client_pickup.push(position[prep.client_pickup()[c]]);
            }
        }
        let problem = b.build()?;
        let lost = || Error::Internal(format!("a {wd} route visits a stop of another day"));
        let mut routes = Vec::new();
        for r in &solution.routes {
            let (t, rd) = week.type_of[r.vehicle_type];
            if rd != wd || r.visits.is_empty() {
                continue;
            }
            let visits = (r.visits.iter())
                .map(|v| match *v {
                    Visit::Client(k) => day_client
                        .get(k)
                        .filter(|&&c| c != usize::MAX)
                        .map(|&c| Visit::Client(c)),
                    Visit::Unload(f) => day_facility
                        .get(f)
                        .filter(|&&g| g != usize::MAX)
                        .map(|&g| Visit::Unload(g)),
                    Visit::Break => Some(Visit::Break),
                })
                .collect::<Option<Vec<Visit>>>()
                .ok_or_else(lost)?;
            routes.push(Route {
                vehicle_type: t,
                visits,
            });
        }
        let mut unassigned: Vec<usize> = (solution.unassigned.iter())
            .filter_map(|&k| day_client.get(k).copied().filter(|&c| c != usize::MAX))
            .collect();
        unassigned.sort_unstable();
        let routes = keep_areas(routes, &mut areas, |c| client_pickup[c]);
        let unserved = (prep.unserved().iter())
            .filter_map(|u| {
                let at = position[*index.get(u.id.as_str())?];
                (at != usize::MAX).then(|| plan::Unserved {
                    demand_kg: pickups[at].demand_kg,
                    ..u.clone()
                })
            })
            .collect();
        let day_input = PlanInput {
            pickups,
            ..input.clone()
        };
        parts.push(DayPart {
            day: wd,
            prep: prep.for_day(problem, client_pickup, facility_rec, unserved),
            input: day_input,
            solution: Solution {
                routes,
                unassigned,
                patterns: Vec::new(),
            },
        });
    }
    Ok(parts)
}

/// Orders one day's routes so that, per vehicle type, the `n`-th route (the
/// vehicle a day plan names `type-n`) is the one sharing the most pickups
/// with what vehicle `n` served on the days before: crews keep their areas.
/// Greedy on the overlaps, largest first; ties keep the search's order.
/// `areas` gains the day's pickups per vehicle.
fn keep_areas(
    routes: Vec<Route>,
    areas: &mut [Vec<Vec<usize>>],
    pickup_of: impl Fn(usize) -> usize,
) -> Vec<Route> {
    let mut by_type: Vec<Vec<Route>> = vec![Vec::new(); areas.len()];
    for r in routes {
        by_type[r.vehicle_type].push(r);
    }
    let mut out = Vec::new();
    for (t, rs) in by_type.into_iter().enumerate() {
        let served: Vec<Vec<usize>> = rs
            .iter()
            .map(|r| {
                let mut v: Vec<usize> = r.clients().map(&pickup_of).collect();
                v.sort_unstable();
                v
            })
            .collect();
        let area = &mut areas[t];
        let m = rs.len();
        let mut pairs = Vec::new();
        for (i, s) in served.iter().enumerate() {
            for (k, a) in area.iter().enumerate().take(m) {
                let shared = s.iter().filter(|p| a.binary_search(p).is_ok()).count();
                if shared > 0 {
                    pairs.push((std::cmp::Reverse(shared), i, k));
                }
            }
        }
        pairs.sort_unstable();
        let mut slot_of = vec![usize::MAX; m];
        let mut taken = vec![false; m];
        for (_, i, k) in pairs {
            if slot_of[i] == usize::MAX && !taken[k] {
                slot_of[i] = k;
                taken[k] = true;
            }
        }
        let mut free = (0..m).filter(|&k| !taken[k]);
        for s in slot_of.iter_mut().filter(|s| **s == usize::MAX) {
            *s = free.next().unwrap_or(0);
        }
        let mut ordered: Vec<(usize, Route, Vec<usize>)> = (rs.into_iter().zip(served))
            .zip(&slot_of)
            .map(|((r, s), &k)| (k, r, s))
            .collect();
        ordered.sort_by_key(|(k, _, _)| *k);
        for (k, r, s) in ordered {
            if area.len() <= k {
                area.resize(k + 1, Vec::new());
            }
            let a = &mut area[k];
            a.extend(s);
            a.sort_unstable();
            a.dedup();
            out.push(r);
        }
    }
    out
}

/// Every visit made, by pickup (in input order) and day.
fn calendar_of(input: &PlanInput, days: &[(Weekday, Plan)]) -> Vec<CalendarRow> {
    let order: HashMap<&str, usize> = (input.pickups.iter().enumerate())
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let mut rows: Vec<(usize, usize, CalendarRow)> = Vec::new();
    for (wd, plan) in days {
        for r in &plan.routes {
            for s in r.stops.iter().filter(|s| s.kind == plan::StopKind::Pickup) {
                rows.push((
                    order.get(s.id.as_str()).copied().unwrap_or(usize::MAX),
                    wd.index(),
                    CalendarRow {
                        pickup_id: s.id.clone(),
                        day: wd.name().to_string(),
                        vehicle: r.vehicle.clone(),
                        trip: s.trip,
                        seq: s.seq,
                    },
                ));
            }
        }
    }
    rows.sort_by_key(|(p, d, _)| (*p, *d));
    rows.into_iter().map(|(_, _, r)| r).collect()
}

/// Rounds to `k` decimals.
fn round(x: f64, k: i32) -> f64 {
    let f = 10f64.powi(k);
    // `+ 0.0` turns -0.0 into 0.0.
    (x * f).round() / f + 0.0
}

/// The week's figures from its day plans and calendar.
fn summarise(input: &PlanInput, days: &[(Weekday, Plan)], calendar: &[CalendarRow]) -> WeekSummary {
    let fleet = &input.fleet.spec;
    let fixed: HashMap<&str, f64> = (fleet.vehicle.iter())
        .map(|v| (v.name.as_str(), v.fixed_cost))
        .collect();
    let mut made: HashMap<&str, usize> = HashMap::new();
    for r in calendar {
        *made.entry(r.pickup_id.as_str()).or_default() += 1;
    }
    let targets = &fleet.targets;
    let coverage_of = |keep: &dyn Fn(&crate::domain::Pickup) -> bool, target: f64| {
        let (mut req, mut got) = (0, 0);
        for p in input.pickups.iter().filter(|p| keep(p)) {
            req += p.visits.frequency;
            got += made.get(p.id.as_str()).copied().unwrap_or(0);
        }
        let share = if req == 0 {
            1.0
        } else {
            got as f64 / req as f64
        };
        WeekCoverage {
            visits_required: req,
            visits_made: got,
            share: round(share, 6),
            target,
            met: share + 1e-9 >= target,
        }
    };
    let coverage: BTreeMap<Zone, WeekCoverage> = Zone::ALL
        .iter()
        .map(|&z| (z, coverage_of(&|p| p.zone == z, targets.zone(z))))
        .collect();
    let coverage_by_stream: BTreeMap<Stream, WeekCoverage> = Stream::ALL
        .iter()
        .filter(|&&s| input.pickups.iter().any(|p| p.stream == s))
        .map(|&s| (s, coverage_of(&|p| p.stream == s, targets.stream(s))))
        .collect();
    let mut figures = Vec::new();
    let mut needed: BTreeMap<String, usize> = BTreeMap::new();
    let mut unserved = Vec::new();
    for (wd, plan) in days {
        let s = &plan.summary;
        let running: f64 = (s.routes.iter())
            .map(|r| r.cost - fixed.get(r.vehicle_type.as_str()).copied().unwrap_or(0.0))
            .sum();
        for (t, &n) in &s.vehicles_by_type {
            let e = needed.entry(t.clone()).or_default();
            *e = (*e).max(n);
        }
        figures.push(DayFigures {
            day: wd.name().to_string(),
            vehicles: s.vehicles_used,
            vehicles_by_type: s.vehicles_by_type.clone(),
            visits: s.routes.iter().map(|r| r.pickups).sum(),
            unserved: plan.unserved.len(),
            trips: s.trips,
            km: s.km,
            hours: s.hours,
            running_cost: round(running, 2),
            feasible: s.feasible,
        });
        unserved.extend(plan.unserved.iter().map(|u| WeekUnserved {
            id: u.id.clone(),
            day: wd.name().to_string(),
            reason: u.reason,
            detail: u.detail.clone(),
            zone: u.zone,
            stream: u.stream,
            required: u.required,
        }));
    }
    let fixed_cost: f64 = (needed.iter())
        .map(|(t, n)| *n as f64 * fixed.get(t.as_str()).copied().unwrap_or(0.0))
        .sum();
    let running_cost: f64 = figures.iter().map(|d| d.running_cost).sum();
    let consistency = consistency_of(calendar);
    let per_visit = (input.pickups.iter())
        .filter(|p| p.visits.per_day.is_none())
        .count();
    WeekSummary {
        schema_version: WEEK_SCHEMA_VERSION,
        working_days: days.iter().map(|(d, _)| d.name().to_string()).collect(),
        targets_met: coverage
            .values()
            .chain(coverage_by_stream.values())
            .all(|c| c.met),
        coverage,
        coverage_by_stream,
        vehicles_needed: needed.values().sum(),
        vehicles_needed_by_type: needed,
        vehicles_by_day: figures
            .iter()
            .map(|d| (d.day.clone(), d.vehicles))
            .collect(),
        trips: figures.iter().map(|d| d.trips).sum(),
        km: round(figures.iter().map(|d| d.km).sum(), 3),
        hours: round(figures.iter().map(|d| d.hours).sum(), 3),
        cost: round(fixed_cost + running_cost, 2),
        fixed_cost: round(fixed_cost, 2),
        running_cost: round(running_cost, 2),
        visits_required: input.pickups.iter().map(|p| p.visits.frequency).sum(),
        visits_made: calendar.len(),
        feasible: days.iter().all(|(_, p)| p.summary.feasible),
        violations: days.iter().map(|(_, p)| p.summary.violations.len()).sum(),
        days: figures,
        unserved,
        demand_rules: DemandRules {
            per_visit,
            accumulated: input.pickups.len() - per_visit,
        },
        consistency,
        ..WeekSummary::default()
    }
}

/// How many pickups visited on two days or more keep one vehicle.
fn consistency_of(calendar: &[CalendarRow]) -> Consistency {
    let mut by: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in calendar {
        by.entry(&r.pickup_id).or_default().push(&r.vehicle);
    }
    let multi: Vec<&Vec<&str>> = by.values().filter(|v| v.len() >= 2).collect();
    let same = multi
        .iter()
        .filter(|v| v.iter().all(|x| *x == v[0]))
        .count();
    Consistency {
        pickups: multi.len(),
        same_vehicle: same,
        share: if multi.is_empty() {
            1.0
        } else {
            round(same as f64 / multi.len() as f64, 6)
        },
    }
}
