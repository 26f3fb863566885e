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
