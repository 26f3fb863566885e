//! Points CSV (`id,lat,lon`) for the graph and bench commands.

use std::path::Path;

use wasteroute::error::{Error, Location};

/// One input point.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct PointRecord {
    /// The caller's id.
    pub id: String,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
}

/// Reads a CSV with a header that has (at least) `id`, `lat` and `lon`.
pub fn read_points(path: &Path) -> anyhow::Result<Vec<PointRecord>> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| match e.into_kind() {
            csv::ErrorKind::Io(io) => Error::io(path, io),
            other => Error::input(Location::file(path), format!("{other:?}")),
        })?;
    let mut out = Vec::new();
    for (i, rec) in rdr.deserialize::<PointRecord>().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| {
            Error::input(
                Location::file(path).at_line(line),
                format!("expected columns id,lat,lon with numeric lat and lon: {e}"),
            )
        })?;
        if !(rec.lat.is_finite() && rec.lat.abs() <= 90.0) {
            return Err(Error::input(
                Location::file(path).at_line(line).with_field("lat"),
                format!("latitude {} is outside -90..=90", rec.lat),
            )
            .into());
        }
        if !(rec.lon.is_finite() && rec.lon.abs() <= 180.0) {
            return Err(Error::input(
                Location::file(path).at_line(line).with_field("lon"),
                format!("longitude {} is outside -180..=180", rec.lon),
            )
            .into());
        }
        out.push(rec);
    }
    if out.is_empty() {
        return Err(Error::input(Location::file(path), "the file has no points").into());
    }
    Ok(out)
}
