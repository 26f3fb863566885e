//! Readers and writers for external formats. Nothing outside this module
//! names a file format.

pub mod osm;
