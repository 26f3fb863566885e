//! Weekly planning: working days, collection frequencies and visit patterns.
//!
//! This module holds the calendar rules the weekly plan is built on: which
//! days a pickup of a given frequency may be visited ([`allowed_patterns`])
//! and how much waste a visit collects when waste accumulates between visits
//! ([`DaySet::gaps`]). The weekly search itself (choosing each pickup's
//! pattern jointly with the daily routes) is not built yet.

mod expand;
mod pattern;
pub mod pvrpif;

pub use expand::{Collection, Group, WeekProblem, WeekSpec};
pub use pattern::{DaySet, WEEK, Weekday, allowed_patterns, even_patterns};
