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

use std::io::Write;
use std::path::Path;

use crate::{Error, Result};

/// Writes `bytes` to `path` atomically: first to a temporary file in the same
/// directory, flushed to disk, then renamed over `path`. A crash leaves either
/// the old file or the new one, never half of one.
///
/// # Errors
/// [`Error::Io`] naming `path` (or the temporary file) when a step fails; the
/// temporary file is removed on failure.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let file_name = path
        .file_name()
        .ok_or_else(|| {
            Error::io(
                path,
                std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"),
            )
        })?
        .to_string_lossy()
        .into_owned();
    let tmp = path.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(&tmp, e));
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}
