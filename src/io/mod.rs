//! Readers and writers for external formats. Nothing outside this module
//! names a file format.
//!
//! - [`cvrplib`]: CVRPLIB/TSPLIB `.vrp` instances, `.sol` solutions and the
//!   `bks.csv` table of best-known values;
//! - [`kim`]: the waste-collection VRPTW benchmark of Kim, Kim & Sahoo (2006)
//!   and the JSON solutions written for it;
//! - [`osm`]: OpenStreetMap `.osm.pbf` extracts, read for the road graph.

pub mod cvrplib;
pub mod kim;
pub mod osm;
pub mod plan;
