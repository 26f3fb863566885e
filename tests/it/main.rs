//! Integration tests: one binary, one module per subject.

mod batch;
mod cvrplib;
mod graph;
mod inputs;
mod kim;
mod matrix;
mod outputs;
mod plan;
mod props;
mod props_plan;
mod pvrpif;
mod report;
mod solver;
mod stop;
mod turns;
mod week;
