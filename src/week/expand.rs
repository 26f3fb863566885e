//! The week as one routing problem.
//!
//! The weekly problem is built from the one-day problem of the same inputs,
//! sharing its matrices:
//!
//! - each vehicle type becomes one type per working day (`compactor@mon`,
//!   `compactor@tue`, ...) with that day's count;
//! - each facility becomes one per working day it is open, serving that
//!   day's types, with its own daily capacity;
//! - each pickup becomes one client per day of each of its allowed
//!   patterns, served only by that day's types. Exactly the clients of one
//!   pattern are wanted at a time; the weekly search chooses which
//!   ([`Group`]). With waste that accumulates, a visit's demand depends on
//!   the pattern (the days since its previous visit), which is why the
//!   clients are per pattern and not per day.
//!
//! A vehicle is owned for the week: the plan needs, per type, as many as its
//! busiest day uses. Inside the search each day-type carries `1/D` of the
//! type's fixed cost (`D` working days), which the outputs replace by the
//! exact figure.

use std::ops::Range;

use crate::domain::{DaySet, Weekday};
use crate::model::{LoadVec, Problem, ProblemBuilder, VehicleSet};
use crate::{Error, Result};

/// How one pickup (a client of the one-day problem) is collected over the
/// week.
#[derive(Debug, Clone, PartialEq)]
pub struct Collection {
    /// The patterns it may be visited on; each has the pickup's frequency.
    pub patterns: Vec<DaySet>,
    /// Waste per calendar day, when a visit collects what accumulated since
    /// the previous one; `None` when each visit collects the one-day
    /// problem's demand.
    pub per_day: Option<LoadVec>,
}

/// What the week adds to a one-day problem.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekSpec {
    /// The days vehicles work.
    pub working: DaySet,
    /// One per client of the one-day problem.
    pub collections: Vec<Collection>,
    /// Per vehicle type, vehicles available on each weekday (Monday first);
    /// `None` for the type's count every working day.
    pub counts_by_day: Vec<Option<[usize; 7]>>,
    /// Per facility, the days it is closed.
    pub facility_closed: Vec<DaySet>,
}

/// The visits of one pickup: which clients of the weekly problem stand for
/// which pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The client of the one-day problem.
    pub pickup: usize,
    /// Each allowed pattern and its clients in the weekly problem, one per
    /// day of the pattern in calendar order.
    pub patterns: Vec<(DaySet, Range<usize>)>,
}

/// The weekly problem and the maps back to days, pickups and types.
#[derive(Debug, Clone)]
pub struct WeekProblem {
    /// The routing problem over the whole week.
    pub problem: Problem,
    /// The working days in calendar order.
    pub days: Vec<Weekday>,
    /// Per client of the weekly problem: its pickup and its day.
    pub visit_of: Vec<(usize, Weekday)>,
    /// Per pickup.
    pub groups: Vec<Group>,
    /// Per vehicle type of the weekly problem: the one-day type and the day.
    pub type_of: Vec<(usize, Weekday)>,
    /// Per facility of the weekly problem: the one-day facility and the day.
    pub facility_of: Vec<(usize, Weekday)>,
}

impl WeekProblem {
    /// Builds the week from the one-day problem `day`.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the spec does not fit the problem (one entry
    /// per client, type and facility; patterns of working days only) or the
    /// week has more than 64 day-types (vehicle types times working days).
    pub fn build(day: &Problem, spec: &WeekSpec) -> Result<WeekProblem> {
        let days: Vec<Weekday> = spec.working.days().collect();
        let n_types = day.vehicle_types().len();
        if days.is_empty() {
            return Err(Error::Invalid("the week has no working day".into()));
        }
        if spec.collections.len() != day.n_clients()
            || spec.counts_by_day.len() != n_types
            || spec.facility_closed.len() != day.facilities().len()
        {
            return Err(Error::Invalid(
                "the week needs one collection per pickup, one count per vehicle type and one closure per facility".into(),
            ));
        }
        if n_types * days.len() > 64 {
            return Err(Error::Invalid(format!(
                "{n_types} vehicle types over {} working days make {} day-types; at most 64 are supported",
                days.len(),
                n_types * days.len()
            )));
        }
        let n_days = days.len() as i64;
        let day_type = |d: usize, t: usize| d * n_types + t;
        // The day-types of day `d` that the one-day set `set` allows.
        let on_day = |d: usize, set: VehicleSet| -> VehicleSet {
            (0..n_types)
                .filter(|t| set & (1 << t) != 0)
                .fold(0, |s, t| s | 1 << day_type(d, t))
        };

        let mut b = ProblemBuilder::sharing_matrices_of(day);
        for depot in day.depots() {
            b.add_depot(depot.clone());
        }
        let mut type_of = Vec::with_capacity(n_types * days.len());
        for (d, &wd) in days.iter().enumerate() {
            for (t, vt) in day.vehicle_types().iter().enumerate() {
                let mut vt = vt.clone();
                if let Some(counts) = spec.counts_by_day[t] {
                    vt.count = counts[wd.index()];
                }
                vt.name = format!("{}@{wd}", vt.name);
                vt.fixed_cost /= n_days;
                debug_assert_eq!(type_of.len(), day_type(d, t));
                b.add_vehicle_type(vt);
                type_of.push((t, wd));
            }
        }
        let mut facility_of = Vec::new();
        for (f, fa) in day.facilities().iter().enumerate() {
            for (d, &wd) in days.iter().enumerate() {
                if spec.facility_closed[f].contains(wd) {
                    continue;
                }
                let mut fa = fa.clone();
                fa.vehicles = on_day(d, fa.vehicles);
                b.add_facility(fa);
                facility_of.push((f, wd));
            }
        }
        let mut visit_of = Vec::new();
        let mut groups = Vec::with_capacity(day.n_clients());
        for (c, (client, col)) in day.clients().iter().zip(&spec.collections).enumerate() {
            // The patterns whose every day the pickup can be served on; all
            // of them if none is (its visits are then left out, with the
            // reason, on the days no vehicle or facility serves it).
            let servable = |p: &DaySet| p.days().all(|wd| servable_on(day, spec, c, wd));
            let usable: Vec<DaySet> = col.patterns.iter().copied().filter(servable).collect();
            let chosen = if usable.is_empty() {
                &col.patterns
            } else {
                &usable
            };
            let mut patterns = Vec::with_capacity(chosen.len());
            for &pattern in chosen {
                if !pattern.is_subset(spec.working) || pattern.is_empty() {
                    return Err(Error::Invalid(format!(
                        "pickup '{}': pattern '{pattern}' is empty or not on working days",
                        client.name
                    )));
                }
                let first = visit_of.len();
                for (wd, gap) in pattern.gaps() {
                    let d = days.iter().position(|x| *x == wd).unwrap_or(0);
                    let mut visit = client.clone();
                    if let Some(per_day) = col.per_day {
                        visit.demand = per_day.map(|q| q.saturating_mul(i64::from(gap)));
                    }
                    visit.vehicles = on_day(d, client.vehicles);
                    b.add_client(visit);
                    visit_of.push((c, wd));
                }
                patterns.push((pattern, first..visit_of.len()));
            }
            b.add_group(patterns.iter().map(|(_, r)| r.clone()).collect());
            groups.push(Group {
                pickup: c,
                patterns,
            });
        }
        Ok(WeekProblem {
            problem: b.build()?,
            days,
            visit_of,
            groups,
            type_of,
            facility_of,
        })
    }
}

/// Whether client `c` of the one-day problem `day` can be served on `wd`:
/// some vehicle type that may serve it works that day, and some facility
/// open that day takes its stream from that type.
fn servable_on(day: &Problem, spec: &WeekSpec, c: usize, wd: Weekday) -> bool {
    let stream = 1u32 << day.clients()[c].stream;
    (0..day.vehicle_types().len()).any(|t| {
        let count = spec.counts_by_day[t].map_or(day.vehicle_types()[t].count, |n| n[wd.index()]);
        count > 0
            && day.can_serve(t, c)
            && (day.facilities().iter().enumerate()).any(|(f, fa)| {
                !spec.facility_closed[f].contains(wd)
                    && fa.accepts & stream != 0
                    && fa.vehicles & (1 << t) != 0
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Weekday::*, even_patterns};
    use crate::model::{Client, Facility, TimeWindow, VehicleType};

    fn day_problem() -> Problem {
        let mut b = ProblemBuilder::on_a_line(3, 100, "depot");
        let mut t = VehicleType::new("compactor", 2, 1000);
        t.fixed_cost = 600;
        t.unload_at_end = true;
        b.add_vehicle_type(t);
        b.add_vehicle_type(VehicleType::new("van", 1, 100));
        b.add_facility(Facility {
            name: "station".into(),
            location: 2,
            tw: TimeWindow::ALWAYS,
            unload: 0,
            accepts: u32::MAX,
            vehicles: u64::MAX,
            daily_capacity: 5000,
        });
        b.add_client(Client {
            service: 60,
            vehicles: 0b01, // compactors only
            ..Client::required("p1", 1, 10)
        });
        b.build().unwrap()
    }

    fn spec(patterns: Vec<DaySet>, per_day: Option<LoadVec>) -> WeekSpec {
        WeekSpec {
            working: DaySet::of(&[Mon, Tue, Wed, Thu, Fri, Sat]),
            collections: vec![Collection { patterns, per_day }],
            counts_by_day: vec![None, Some([1, 1, 1, 1, 1, 0, 0])],
            facility_closed: vec![DaySet::of(&[Wed])],
        }
    }

    #[test]
    fn types_facilities_and_visits_are_per_day() {
        let day = day_problem();
        let w = DaySet::of(&[Mon, Tue, Wed, Thu, Fri, Sat]);
        let week = WeekProblem::build(&day, &spec(even_patterns(w, 2).unwrap(), None)).unwrap();
        let p = &week.problem;
        assert_eq!(p.vehicle_types().len(), 12);
        assert_eq!(p.vehicle_types()[2].name, "compactor@tue");
        assert_eq!(p.vehicle_types()[2].fixed_cost, 100);
        // The van's Saturday count.
        assert_eq!(p.vehicle_types()[11].count, 0);
        assert_eq!(week.type_of[11], (1, Sat));
        // The station is closed on Wednesday: five copies.
        assert_eq!(p.facilities().len(), 5);
        assert!(week.facility_of.iter().all(|(_, d)| *d != Wed));
        // Three patterns of two days, but the station (the only place to
        // unload) is closed on Wednesday: wed/sat is dropped, four clients
        // remain, each served by its day's compactor only.
        assert_eq!(p.n_clients(), 4);
        let g = &week.groups[0];
        assert_eq!(g.patterns.len(), 2);
        assert_eq!(g.patterns[1], (DaySet::of(&[Tue, Fri]), 2..4));
        // The model carries the same groups.
        assert_eq!(p.groups(), [vec![0..2, 2..4]]);
        assert_eq!(p.wanted(&[1]).unwrap(), [false, false, true, true]);
        assert!(p.wanted(&[3]).is_none() && p.wanted(&[]).is_none());
        for (k, (pickup, d)) in week.visit_of.iter().enumerate() {
            assert_eq!(*pickup, 0);
            let di = week.days.iter().position(|x| x == d).unwrap();
            for t in 0..12 {
                assert_eq!(p.can_serve(t, k), t == di * 2, "client {k} type {t}");
            }
            assert_eq!(p.clients()[k].demand, [10, 0]);
        }
        // The matrices are shared, not copied.
        assert!(std::ptr::eq(&p.profiles()[0], &day.profiles()[0]));
    }

    #[test]
    fn accumulated_waste_follows_the_gaps_of_the_pattern() {
        let day = day_problem();
        let week = WeekProblem::build(
            &day,
            &spec(
                vec![DaySet::of(&[Mon, Thu]), DaySet::of(&[Sat])],
                Some([5, 0]),
            ),
        )
        .unwrap();
        let demand: Vec<i64> = week.problem.clients().iter().map(|c| c.demand[0]).collect();
        // Monday collects the four days since Thursday, Thursday three; a
        // weekly visit collects seven.
        assert_eq!(demand, [20, 15, 35]);
        assert_eq!(week.visit_of, [(0, Mon), (0, Thu), (0, Sat)]);
    }

    #[test]
    fn patterns_with_a_day_nobody_can_serve_are_dropped_unless_all_have_one() {
        let day = day_problem();
        let w = DaySet::of(&[Mon, Tue, Wed, Thu, Fri, Sat]);
        // No compactor works on Saturday: tue/thu/sat cannot be kept.
        let mut s = spec(even_patterns(w, 3).unwrap(), None);
        s.counts_by_day[0] = Some([2, 2, 2, 2, 2, 0, 0]);
        s.facility_closed[0] = DaySet::EMPTY;
        let week = WeekProblem::build(&day, &s).unwrap();
        let kept: Vec<DaySet> = week.groups[0].patterns.iter().map(|(d, _)| *d).collect();
        assert_eq!(kept, [DaySet::of(&[Mon, Wed, Fri])]);
        // Every pattern has such a day: all are kept, for the search to
        // report the visits it cannot make.
        s.collections[0].patterns = vec![DaySet::of(&[Sat]), DaySet::of(&[Wed, Sat])];
        let week = WeekProblem::build(&day, &s).unwrap();
        assert_eq!(week.groups[0].patterns.len(), 2);
    }

    #[test]
    fn a_spec_that_does_not_fit_is_refused() {
        let day = day_problem();
        let mut s = spec(vec![DaySet::of(&[Sun])], None);
        let e = WeekProblem::build(&day, &s).unwrap_err().to_string();
        assert!(e.contains("not on working days"), "{e}");
        s.collections.clear();
        assert!(WeekProblem::build(&day, &s).is_err());
    }
}
