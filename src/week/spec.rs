//! The [`WeekSpec`] of plan inputs: what the weekly columns and keys of the
//! pickups, facilities and fleet files add to the one-day problem built from
//! the same inputs.
//!
//! The calendar's rules are those of [`crate::domain`]
//! ([`crate::domain::allowed_patterns`], [`crate::domain::Fleet::working_days`],
//! [`crate::domain::Fleet::counts_by_day`]); this module only adds where
//! each value was read (file, line, field) to their errors.

use super::expand::{Collection, WeekSpec};
use crate::domain::{DaySet, FacilityKind};
use crate::model::{LoadVec, Problem};
use crate::plan::PlanInput;
use crate::{Error, Result};

/// Volumes are kept in litres in a problem (as the one-day plan does).
const LITRES: f64 = 1000.0;

/// Checks the weekly columns of every pickup and facility against the
/// fleet's working days, and returns each pickup's allowed patterns
/// (in the order of `input.pickups`).
///
/// # Errors
/// [`Error::Input`] naming the file, line and field: a pattern day that is
/// not a working day, a frequency above the number of working days, a
/// pinned pattern with another number of days than the frequency (field
/// `days`, or `frequency` when the pickup gives no days), a depot closed on
/// a working day (`closed_days`: vehicles start there every working day),
/// and the fleet's own `days` and `count_by_day` errors.
pub fn check_calendar(input: &PlanInput) -> Result<Vec<Vec<DaySet>>> {
    let fleet = &input.fleet;
    let working = fleet.working_days()?;
    for k in 0..fleet.spec.vehicle.len() {
        fleet.counts_by_day(k)?;
    }
    for f in &input.facilities {
        // The closed days that are working days.
        let on_working = f.closed.minus(DaySet::ALL.minus(working));
        if f.kind == FacilityKind::Depot && !on_working.is_empty() {
            return Err(Error::input(
                f.source.clone().with_field("closed_days"),
                format!(
                    "a depot cannot close on a working day ({on_working}): its vehicles start there (the working days are {working})"
                ),
            ));
        }
    }
    input
        .pickups
        .iter()
        .map(|p| {
            p.visits.patterns(working).map_err(|e| {
                let field = if p.visits.days.is_some() {
                    "days"
                } else {
                    "frequency"
                };
                Error::input(
                    p.source.clone().with_field(field),
                    located(e, &input.fleet.path),
                )
            })
        })
        .collect()
}

/// The message of a calendar error, saying which file sets the working
/// days.
fn located(message: String, fleet: &std::path::Path) -> String {
    format!(
        "{message}; the working days are the `days` of {}",
        fleet.display()
    )
}

/// The [`WeekSpec`] of the one-day problem `day` built from `input`:
/// `client_pickup[c]` is the pickup (index into `input.pickups`) of the
/// problem's client `c`, `facility_rec[f]` the facility record of its
/// facility `f` (the maps the plan's stages keep).
///
/// Each client gets its pickup's allowed patterns and, under the
/// accumulated demand rule, its waste per calendar day in the problem's
/// units (kg and litres, each rounded up per day, as a visit's demand is);
/// each vehicle type its `count_by_day`; each facility its closed days.
///
/// # Errors
/// As [`check_calendar`]; [`Error::Invalid`] when the maps do not fit the
/// problem.
pub fn spec_for(
    input: &PlanInput,
    day: &Problem,
    client_pickup: &[usize],
    facility_rec: &[usize],
) -> Result<WeekSpec> {
    let patterns = check_calendar(input)?;
    let fleet = &input.fleet;
    if client_pickup.len() != day.n_clients()
        || facility_rec.len() != day.facilities().len()
        || fleet.spec.vehicle.len() != day.vehicle_types().len()
        || client_pickup.iter().any(|&p| p >= input.pickups.len())
        || facility_rec.iter().any(|&f| f >= input.facilities.len())
    {
        return Err(Error::Invalid(
            "the client, facility and vehicle type maps do not fit the one-day problem".into(),
        ));
    }
    let collections = client_pickup
        .iter()
        .map(|&p| {
            let visits = &input.pickups[p].visits;
            Collection {
                patterns: patterns[p].clone(),
                per_day: visits
                    .per_day
                    .map(|(kg, m3)| -> LoadVec { [kg.ceil() as i64, (m3 * LITRES).ceil() as i64] }),
            }
        })
        .collect();
    let counts_by_day = (0..fleet.spec.vehicle.len())
        .map(|k| fleet.counts_by_day(k))
        .collect::<Result<Vec<_>>>()?;
    let facility_closed = facility_rec
        .iter()
        .map(|&f| input.facilities[f].closed)
        .collect();
    Ok(WeekSpec {
        working: fleet.working_days()?,
        collections,
        counts_by_day,
        facility_closed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Weekday::*, even_patterns};
    use crate::io::plan::{read_facilities_str, read_fleet_str, read_pickups_str};
    use crate::model::{
        Client, Depot, Facility, Matrix, ProblemBuilder, Profile, TimeWindow, VehicleType,
    };
    use crate::week::WeekProblem;
    use std::path::Path;

    const PICKUPS: &str =
        "id,lat,lon,zone,demand_kg,frequency,days,demand_kg_per_day,volume_m3_per_day
town,47.10,9.50,urban,20,6,,,
farm,47.11,9.51,rural,30,2,mon;thu|tue;fri,,
works,47.12,9.52,rural,,3,,5.5,0.01
";
    const FACILITIES: &str = "id,lat,lon,kind,open,close,closed_days
D,47.1,9.5,depot,05:00,20:00,sun
T,47.2,9.6,transfer,05:00,20:00,wed
";
    const FLEET: &str = "days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\"]
[[vehicle]]
name = \"truck\"
count = 2
count_by_day = { sat = 1 }
depot = \"D\"
capacity_kg = 1000
shift_start = \"06:00\"
shift_end = \"14:00\"
";

    fn input(pickups: &str, facilities: &str, fleet: &str) -> Result<PlanInput> {
        Ok(PlanInput {
            osm: "map.osm.pbf".into(),
            pickups: read_pickups_str(Path::new("p.csv"), pickups)?,
            facilities: read_facilities_str(Path::new("f.csv"), facilities)?,
            fleet: read_fleet_str(Path::new("fleet.toml"), fleet)?,
            closures: None,
            files: Default::default(),
        })
    }

    /// The one-day problem of [`input`] where `farm` could not be served:
    /// clients `works` then `town`, as the plan's stages could order them.
    fn day() -> Problem {
        let mut b = ProblemBuilder::new();
        let m = Matrix::from_fn(4, |i, j| (i as i64 - j as i64).abs() * 100).unwrap();
        b.add_profile(Profile {
            name: "truck".into(),
            distance: m.clone(),
            duration: m,
        });
        b.add_depot(Depot {
            name: "D".into(),
            location: 0,
            tw: TimeWindow::ALWAYS,
        });
        b.add_facility(Facility {
            name: "T".into(),
            location: 1,
            tw: TimeWindow::ALWAYS,
            unload: 0,
            accepts: u32::MAX,
            vehicles: u64::MAX,
            daily_capacity: 5000,
        });
        let mut t = VehicleType::new("truck", 2, 1000);
        t.unload_at_end = true;
        b.add_vehicle_type(t);
        for (name, location, demand) in [("works", 2, 39), ("town", 3, 20)] {
            b.add_client(Client {
                name: name.into(),
                location,
                demand: [demand, 0],
                service: 60,
                tw: TimeWindow::ALWAYS,
                stream: 0,
                required: true,
                prize: 0,
                vehicles: 1,
            });
        }
        b.build().unwrap()
    }

    #[test]
    fn the_spec_follows_the_clients_of_the_one_day_problem() {
        let input = input(PICKUPS, FACILITIES, FLEET).unwrap();
        let day = day();
        let spec = spec_for(&input, &day, &[2, 0], &[1]).unwrap();
        let six = DaySet::MON_TO_SAT;
        assert_eq!(spec.working, six);
        assert_eq!(spec.collections.len(), 2);
        // works: three a week, evenly spaced, 5.5 kg and 10 litres a day
        // (rounded up per day).
        assert_eq!(spec.collections[0].patterns, even_patterns(six, 3).unwrap());
        assert_eq!(spec.collections[0].per_day, Some([6, 10]));
        // town: every working day, per-visit demand.
        assert_eq!(spec.collections[1].patterns, vec![six]);
        assert_eq!(spec.collections[1].per_day, None);
        assert_eq!(spec.counts_by_day, vec![Some([2, 2, 2, 2, 2, 1, 0])]);
        assert_eq!(spec.facility_closed, vec![DaySet::of(&[Wed])]);
        // The week builds from it. T, the only place to unload, is closed
        // on Wednesday, so works keeps tue/thu/sat; its Tuesday visit
        // collects the three days since Saturday.
        let week = WeekProblem::build(&day, &spec).unwrap();
        assert_eq!(week.groups.len(), 2);
        assert_eq!(week.groups[0].patterns.len(), 1);
        assert_eq!(week.visit_of[0], (0, Tue));
        assert_eq!(week.problem.clients()[0].demand, [18, 30]);
        assert_eq!(week.problem.facilities().len(), 5);
    }

    #[test]
    fn weekly_rules_against_the_working_days_name_line_and_field() {
        let five = FLEET
            .replace(", \"sat\"]", "]")
            .replace("count_by_day = { sat = 1 }\n", "");
        let check = |p: &str, f: &str, fl: &str| {
            check_calendar(&input(p, f, fl).unwrap())
                .unwrap_err()
                .to_string()
        };
        // Six a week over five working days.
        let e = check(PICKUPS, FACILITIES, &five);
        assert!(
            e.contains("p.csv:2") && e.contains("'frequency'") && e.contains("1 to 5"),
            "{e}"
        );
        // A pinned Saturday when Saturday is off.
        let p = PICKUPS.replace(",6,,", ",1,sat,");
        let e = check(&p, FACILITIES, &five);
        assert!(
            e.contains("p.csv:2") && e.contains("'days'") && e.contains("sat is not a working day"),
            "{e}"
        );
        // A depot closed on a working day.
        let f = FACILITIES.replace("depot,05:00,20:00,sun", "depot,05:00,20:00,mon;sun");
        let e = check(PICKUPS, &f, FLEET);
        assert!(
            e.contains("f.csv:2") && e.contains("'closed_days'") && e.contains("mon"),
            "{e}"
        );
        // Closed on a day off is fine; so are all the inputs above.
        assert_eq!(
            check_calendar(&input(PICKUPS, FACILITIES, FLEET).unwrap())
                .unwrap()
                .len(),
            3
        );
    }

    #[test]
    fn maps_that_do_not_fit_the_problem_are_refused() {
        let input = input(PICKUPS, FACILITIES, FLEET).unwrap();
        let day = day();
        for (clients, facilities) in [(&[2][..], &[1][..]), (&[2, 9], &[1]), (&[2, 0], &[])] {
            let e = spec_for(&input, &day, clients, facilities).unwrap_err();
            assert!(matches!(e, Error::Invalid(_)), "{e}");
        }
    }

    #[test]
    fn the_weekly_demo_keeps_the_calendar_rules() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo-week");
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
        let input = input(
            &read("pickups.csv"),
            &read("facilities.csv"),
            &read("fleet.toml"),
        )
        .unwrap();
        let patterns = check_calendar(&input).unwrap();
        assert_eq!(input.fleet.working_days().unwrap(), DaySet::MON_TO_SAT);
        for (p, ps) in input.pickups.iter().zip(&patterns) {
            assert!(!ps.is_empty());
            assert!(
                ps.iter()
                    .all(|d| !d.contains(Sun) && d.len() == p.visits.frequency)
            );
            let f = p.visits.frequency;
            match (p.stream, p.zone) {
                (crate::domain::Stream::Household, crate::domain::Zone::Urban) => assert_eq!(f, 6),
                (crate::domain::Stream::Household, _) => assert!(f == 2 || f == 3),
                (crate::domain::Stream::Recyclable, _) => assert_eq!(f, 2),
                (crate::domain::Stream::Industrial, _) => assert_eq!(f, 3),
                _ => assert!(f == 1 || f == 2),
            }
        }
    }
}
