//! Integration tests: one binary, one module per subject.

mod cvrplib;
mod graph;
mod kim;
mod matrix;
mod plan;
mod props;
mod report;
mod solver;
