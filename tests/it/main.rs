//! Integration tests: one binary, one module per subject.

mod cvrplib;
mod graph;
mod kim;
mod matrix;
mod plan;
mod props;
mod props_plan;
mod report;
mod solver;
