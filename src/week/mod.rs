//! Weekly planning: the week as one routing problem over the calendar rules
//! of [`crate::domain`] (working days, visit patterns).
//!
//! [`spec_for`] reads the weekly columns of the plan inputs (frequencies,
//! visit days, waste per day, working days, per-day vehicle counts, closed
//! days) into the [`WeekSpec`] of the one-day problem; [`WeekProblem`]
//! turns a one-day problem and each pickup's allowed patterns into one
//! problem over the week, whose pattern groups the solver's local search
//! chooses jointly with the daily routes (the `pattern` operator);
//! [`pvrpif`] does the same for the periodic benchmark of Taverna & Tilk.
//! [`run`] plans the week with the stages of a one-day plan around that one
//! search, and gives one ordinary plan per working day.

mod expand;
mod fleet;
mod output;
mod page;
mod plan;
pub mod pvrpif;
mod spec;

pub use expand::{Collection, Group, WeekProblem, WeekSpec};
pub use fleet::{WeekFleet, WeekFleetOptions, WeekFleetReport, WeekFleetStep, size_fleet};
pub use output::{WeekOutput, calendar_csv, day_folder, files, write};
pub use plan::{
    CalendarRow, Consistency, DayFigures, DemandRules, WEEK_SCHEMA_VERSION, WeekCoverage,
    WeekPhases, WeekPlan, WeekSummary, WeekUnserved, plan_week, prepare, run,
};
pub use spec::{check_calendar, spec_for};
