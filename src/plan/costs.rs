//! The cost unit of a plan: fleet costs in any currency, solver costs in
//! integers, and back.
//!
//! The fleet file gives costs in whatever currency the dispatcher uses (a
//! compactor-day is a few hundred francs or a few million dong). The solver
//! counts costs in integer units, so the unit must be fine enough to keep
//! the cost per metre and per second precise, and coarse enough that the
//! prizes of thousands of pickups add up far from overflow. It is chosen per
//! fleet: a power of ten, such that the fleet's *day scale* (the largest, over
//! the vehicle types, of the fixed cost, of 300 km at the cost per km and of
//! the shift at the cost per hour) is between 10^8 and 10^9 units.
//! Multiplying every cost figure by 10^k divides the unit by 10^k: the
//! integers the solver sees, and therefore the routes, stay the same.
//!
//! Everything the solver derives from costs (prizes of pickups, penalty
//! weights, the recombination MIP's coefficients) is computed from these
//! integers, so it does not depend on the currency either; outputs convert
//! back with [`CostUnit::currency`], the one place where units become money.
//!
//! Accepted figures (`docs/plan-inputs.md`): 0, or between 10^-6 and 10^15;
//! a figure other than 0 must not vanish in the unit, that is be at least
//! about 5 x 10^-9 (fixed cost), 5 x 10^-6 (per km) or 1.8 x 10^-5 (per
//! hour) times the day scale.

use crate::domain::Fleet;
use crate::error::Location;
use crate::model::{Cost, UNLIMITED};
use crate::{Error, Result};

/// The largest cost figure accepted: above it, even whole currency units
/// are no longer exact in the outputs' floating-point numbers.
pub const MAX_COST_FIGURE: f64 = 1e15;
/// The smallest cost figure accepted other than 0.
pub const MIN_COST_FIGURE: f64 = 1e-6;
/// The day scale is between 10^DAY_DIGITS and 10^(DAY_DIGITS + 1) units.
const DAY_DIGITS: i32 = 8;
/// Kilometres a vehicle-day is taken to drive when sizing the prizes.
const DAY_KM: f64 = 300.0;
/// The largest prize of a pickup, in units (about 9 x 10^9, 3 to 90
/// vehicle-days): the prizes of a million pickups sum below `i64::MAX`, and
/// a prize stays far below the cost of a forbidden route
/// (`solver::cost::FORBIDDEN_ROUTE`). Kept from when costs were micro-currency
/// units, so that plans priced in francs are the same as before; required
/// pickups reach it (see [`FleetCosts::prize`]).
const MAX_PRIZE: f64 = UNLIMITED as f64 / 1e6;

/// Exact powers of ten (10^0 to 10^22 are exact in an `f64`).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Internal cost units per currency unit: 10^`exp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CostUnit {
    exp: i32,
}

impl CostUnit {
    /// The unit in which `day_scale` currency units (> 0) are between 10^8
    /// and 10^9 units. A day scale within a billionth below a power of ten
    /// counts as that power, so that floating-point noise in the figures
    /// cannot move the unit.
    fn for_day_scale(day_scale: f64) -> CostUnit {
        if day_scale.is_nan() || day_scale <= 0.0 {
            return CostUnit { exp: 0 };
        }
        let digits = (day_scale.log10() + 1e-9).floor() as i32;
        CostUnit {
            exp: (DAY_DIGITS - digits).clamp(-22, 22),
        }
    }

    /// `x` currency units in units (not rounded): one correctly rounded
    /// operation by an exact power of ten.
    fn units(self, x: f64) -> f64 {
        let p = POW10[self.exp.unsigned_abs() as usize];
        if self.exp >= 0 { x * p } else { x / p }
    }

    /// `c` units in currency units.
    pub fn currency(self, c: Cost) -> f64 {
        self.currency_f64(c as f64)
    }

    /// `x` units (a sum or a bound kept in floating point) in currency units.
    pub fn currency_f64(self, x: f64) -> f64 {
        let p = POW10[self.exp.unsigned_abs() as usize];
        if self.exp >= 0 { x / p } else { x * p }
    }
}

/// The costs of one vehicle type, in units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TypeCosts {
    /// Per vehicle used.
    pub fixed: Cost,
    /// Per metre.
    pub per_metre: Cost,
    /// Per second.
    pub per_second: Cost,
}

/// The fleet's costs in the unit chosen for it, and the prizes of pickups.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FleetCosts {
    pub unit: CostUnit,
    /// Per vehicle type, in the order of the fleet file.
    pub types: Vec<TypeCosts>,
    /// The prize of the lightest optional pickup, units.
    prize_lo: f64,
}

/// `n / d` rounded half up, for `n >= 0` and `d > 0`.
fn div_round(n: i64, d: i64) -> i64 {
    (n + d / 2) / d
}

impl FleetCosts {
    /// Chooses the unit for `fleet` (with `shifts`, start and end in seconds
    /// per vehicle type) and converts its costs. The figures are finite and
    /// non-negative (checked when the fleet file is read).
    ///
    /// # Errors
    /// [`Error::Input`] naming the fleet file, the vehicle type and the
    /// field of a cost figure outside the accepted range, or so small next
    /// to the day scale that it would count as 0.
    pub fn new(fleet: &Fleet, shifts: &[(i64, i64)]) -> Result<FleetCosts> {
        let vehicles = &fleet.spec.vehicle;
        let err = |k: usize, field: &str, msg: String| {
            Error::input(
                Location::file(&fleet.path)
                    .with_field(format!("vehicle '{}'.{field}", vehicles[k].name)),
                msg,
            )
        };
        for (k, v) in vehicles.iter().enumerate() {
            for (field, x) in [
                ("fixed_cost", v.fixed_cost),
                ("cost_per_km", v.cost_per_km),
                ("cost_per_hour", v.cost_per_hour),
            ] {
                if x > MAX_COST_FIGURE {
                    return Err(err(
                        k,
                        field,
                        format!(
                            "{x} is above the largest cost figure accepted ({MAX_COST_FIGURE:e}); \
                             give every cost of the fleet in a larger unit (for example thousands)"
                        ),
                    ));
                }
                if x > 0.0 && x < MIN_COST_FIGURE {
                    return Err(err(
                        k,
                        field,
                        format!(
                            "{x} is below the smallest cost figure accepted other than 0 \
                             ({MIN_COST_FIGURE:e}); give every cost of the fleet in a smaller unit, or 0"
                        ),
                    ));
                }
            }
        }
        // The day scale and what sets it (for messages).
        let hours = |k: usize| (shifts[k].1 - shifts[k].0) as f64 / 3600.0;
        let mut day_scale = 0.0f64;
        let mut set_by = String::new();
        for (k, v) in vehicles.iter().enumerate() {
            for (x, what) in [
                (v.fixed_cost, format!("the fixed cost of '{}'", v.name)),
                (
                    DAY_KM * v.cost_per_km,
                    format!("{DAY_KM} km at the cost per km of '{}'", v.name),
                ),
                (
                    hours(k) * v.cost_per_hour,
                    format!("the shift of '{}' at its cost per hour", v.name),
                ),
            ] {
                if x > day_scale {
                    day_scale = x;
                    set_by = what;
                }
            }
        }
        let unit = CostUnit::for_day_scale(day_scale);
        // Each figure in units, rounded: exact for figures with up to 9
        // significant digits, whatever the power of ten they are given in.
        let whole = |x: f64| unit.units(x).round() as i64;
        let mut types = Vec::with_capacity(vehicles.len());
        let mut day = 0.0f64;
        for (k, v) in vehicles.iter().enumerate() {
            let (f, km, h) = (
                whole(v.fixed_cost),
                whole(v.cost_per_km),
                whole(v.cost_per_hour),
            );
            let c = TypeCosts {
                fixed: f,
                per_metre: div_round(km, 1000),
                per_second: div_round(h, 3600),
            };
            for (field, x, kept, least) in [
                ("fixed_cost", v.fixed_cost, c.fixed, 0.5),
                ("cost_per_km", v.cost_per_km, c.per_metre, 500.0),
                ("cost_per_hour", v.cost_per_hour, c.per_second, 1800.0),
            ] {
                if x > 0.0 && kept == 0 {
                    return Err(err(
                        k,
                        field,
                        format!(
                            "{x} is too small next to the fleet's largest daily cost figure \
                             ({day_scale:e}: {set_by}) and would count as 0; \
                             give 0 or at least {:e}",
                            unit.currency(1) * least
                        ),
                    ));
                }
            }
            types.push(c);
            let secs = (shifts[k].1 - shifts[k].0) as f64;
            day = day.max(f as f64 + km as f64 * DAY_KM + h as f64 * secs / 3600.0);
        }
        if day <= 0.0 {
            // A fleet that costs nothing: any positive prize will do.
            day = POW10[DAY_DIGITS as usize];
        }
        Ok(FleetCosts {
            unit,
            types,
            prize_lo: 4.0 * day,
        })
    }

    /// The prize of a pickup of `demand_kg` (the heaviest pickup weighs
    /// `max_demand_kg`): what leaving it out costs the search. Leaving out any
    /// pickup costs more than four vehicle-days (of the day scale), so the
    /// search serves everything it can, and a heavier one more than a
    /// lighter one; a required pickup would weigh a thousand times more,
    /// but [`MAX_PRIZE`] caps it: it weighs the cap, at least as much as any
    /// optional pickup (up to 3 times as much, by the day scale's range).
    pub fn prize(&self, demand_kg: f64, max_demand_kg: f64, required: bool) -> Cost {
        let base = self.prize_lo * (1.0 + demand_kg / max_demand_kg);
        let prize = if required { base * 1000.0 } else { base };
        prize.min(MAX_PRIZE) as Cost
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{FleetFile, VehicleSpec};
    use crate::testutil::assert_err;

    fn fleet(costs: &[(f64, f64, f64)]) -> Fleet {
        let vehicle = costs
            .iter()
            .enumerate()
            .map(|(k, &(f, km, h))| VehicleSpec {
                name: format!("v{k}"),
                count: 1,
                depot: "D".into(),
                profile: "truck".into(),
                capacity_kg: 1000.0,
                capacity_m3: None,
                shift_start: "06:00".into(),
                shift_end: "14:00".into(),
                max_shift_s: None,
                break_: None,
                fixed_cost: f,
                cost_per_km: km,
                cost_per_hour: h,
                streams: None,
                max_trips: None,
                count_by_day: None,
            })
            .collect();
        Fleet {
            spec: FleetFile {
                vehicle,
                targets: Default::default(),
                days: None,
            },
            path: "fleet.toml".into(),
        }
    }

    fn costs(figures: &[(f64, f64, f64)]) -> Result<FleetCosts> {
        let shifts = vec![(6 * 3600, 14 * 3600); figures.len()];
        FleetCosts::new(&fleet(figures), &shifts)
    }

    #[test]
    fn the_demo_fleet_keeps_micro_francs() {
        // Day scale: 8 h at 100 per hour = 800 -> 10^6 units per franc.
        let c = costs(&[(250.0, 1.2, 100.0), (30.0, 0.15, 40.0)]).unwrap();
        assert_eq!(c.unit, CostUnit { exp: 6 });
        assert_eq!(
            c.types[0],
            TypeCosts {
                fixed: 250_000_000,
                per_metre: 1200,
                per_second: 27778
            }
        );
        assert_eq!(c.unit.currency(1_410_000_000), 1410.0);
    }

    #[test]
    fn every_power_of_ten_gives_the_same_units_and_prizes() {
        let base = [(250.0, 1.2, 100.0), (30.0, 0.15, 40.0), (80.0, 0.45, 45.0)];
        let reference = costs(&base).unwrap();
        // Within the accepted range (10^-6 to 10^15): 0.15 x 10^-4 to 250 x 10^12.
        for k in -4..=12 {
            let f = 10f64.powi(k);
            let scaled: Vec<(f64, f64, f64)> = base
                .iter()
                .map(|&(a, b, c)| (a * f, b * f, c * f))
                .collect();
            let c = costs(&scaled).unwrap();
            assert_eq!(c.types, reference.types, "x 10^{k}");
            assert_eq!(c.prize_lo, reference.prize_lo, "x 10^{k}");
            let back = c.unit.currency(reference.types[0].fixed);
            assert!((back / (250.0 * f) - 1.0).abs() < 1e-12, "x 10^{k}: {back}");
        }
    }

    #[test]
    fn prizes_rank_required_above_optional_and_stay_bounded() {
        let c = costs(&[(1.5e6, 12_000.0, 90_000.0)]).unwrap(); // dong
        let (lo, hi) = (c.prize(10.0, 1000.0, false), c.prize(1000.0, 1000.0, false));
        assert!(lo < hi);
        // A day of the day scale (3.6e6 dong: 300 km at 12,000) is 3.6e8
        // units; the dearest vehicle-day (5.82e6) 5.82e8 units.
        assert_eq!(c.unit, CostUnit { exp: 2 });
        assert!(lo as f64 > 4.0 * 5.82e8, "{lo}");
        let req = c.prize(10.0, 1000.0, true);
        assert!(req >= hi, "{req} vs {hi}");
        assert_eq!(req, MAX_PRIZE as Cost);
        // The prizes of a million required pickups do not overflow.
        assert!(req.checked_mul(1_000_000).is_some());
    }

    #[test]
    fn figures_out_of_range_name_the_vehicle_and_the_field() {
        assert_err(
            costs(&[(1e16, 1.0, 1.0)]),
            &["fleet.toml", "vehicle 'v0'.fixed_cost", "1e15"],
        );
        assert_err(costs(&[(100.0, 1e-7, 1.0)]), &["cost_per_km", "smallest"]);
        // A fixed cost of 10^13 leaves 1.20 per km with no precision at all.
        assert_err(
            costs(&[(1e13, 1.2, 100.0)]),
            &["vehicle 'v0'.cost_per_km", "count as 0"],
        );
        // Zero is always fine, and so is a fleet that costs nothing.
        let c = costs(&[(0.0, 0.0, 0.0)]).unwrap();
        assert!(c.prize(1.0, 1.0, false) > 0);
    }
}
