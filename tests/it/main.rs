//! Integration tests: one binary, one module per subject.

mod cvrplib;
mod kim;
mod solver;
