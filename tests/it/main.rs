//! Integration tests: one binary, one module per subject.

mod cvrplib;
mod graph;
mod kim;
mod matrix;
mod plan;
mod report;
mod solver;
mod stop;
