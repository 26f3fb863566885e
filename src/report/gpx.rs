//! `gpx/VEHICLE.gpx`: GPX 1.1 for drivers' navigation apps.
//!
//! A file holds the stops as waypoints in visiting order (`name` is the
//! stop number and id, `desc` the kind and the planned times of day, since
//! GPX `time` needs a date the plan does not have), the same stops as a
//! route (`rte`), and the road geometry as a track with one segment per
//! trip. Valid against the GPX 1.1 schema (checked in the tests with
//! `xmllint --schema`).

use super::{VehicleRoute, escape_text as esc};
use crate::plan::{StopKind, StopRow};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// A latitude and longitude pair inside the ranges GPX allows
/// (`-90..=90`, `-180..180`), with 7 decimals.
fn lat_lon(lat: f64, lon: f64) -> String {
    let lat = lat.clamp(-90.0, 90.0);
    let mut lon = lon;
    if lon >= 180.0 {
        lon -= 360.0;
    }
    format!("lat=\"{lat:.7}\" lon=\"{:.7}\"", lon.max(-180.0))
}

fn stop_label(seq: usize, id: &str, kind: StopKind) -> String {
    if id.is_empty() {
        format!("{seq:03} {}", kind.name())
    } else {
        format!("{seq:03} {id}")
    }
}

/// The GPX 1.1 document of one vehicle's day.
pub fn gpx_document(v: &VehicleRoute) -> String {
    let mut g = String::with_capacity(1024 + v.stops.len() * 300);
    g.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    g.push_str(concat!(
        "<gpx version=\"1.1\" creator=\"wasteroute\" xmlns=\"http://www.topografix.com/GPX/1/1\" ",
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ",
        "xsi:schemaLocation=\"http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd\">\n"
    ));
    let _ = writeln!(
        g,
        "<metadata><name>{}</name><desc>{}</desc><copyright author=\"OpenStreetMap contributors\"><license>https://opendatacommons.org/licenses/odbl/1-0/</license></copyright></metadata>",
        esc(&v.summary.vehicle),
        esc(&format!(
            "Vehicle {} (type {}), depot {}, {}-{}, {} pickups, {:.1} km. Road geometry © OpenStreetMap contributors, ODbL 1.0.",
            v.summary.vehicle,
            v.summary.vehicle_type,
            v.depot(),
            v.summary.start,
            v.summary.end,
            v.n_pickups(),
            v.summary.km
        ))
    );
    let describe = |s: &StopRow| -> String {
        let mut d = format!("stop {}, trip {}, {}", s.seq, s.trip, s.kind.name());
        match s.kind {
            StopKind::Pickup => {
                let _ = write!(
                    d,
                    ", arrive {}, leave {}, {:.0} kg here, {:.0} kg on board after",
                    s.arrival, s.departure, s.demand_kg, s.load_kg
                );
            }
            StopKind::Facility => {
                let _ = write!(d, ", unload {}-{}", s.arrival, s.departure);
            }
            StopKind::Break => {
                let _ = write!(d, " {}-{}", s.arrival, s.departure);
            }
            StopKind::Depot => {
                let _ = write!(
                    d,
                    " at {}",
                    if s.seq == 0 { &s.departure } else { &s.arrival }
                );
            }
        }
        d
    };
    for s in &v.stops {
        let _ = writeln!(
            g,
            "<wpt {}><name>{}</name><cmt>{}</cmt><desc>{}</desc><type>{}</type></wpt>",
            lat_lon(s.lat, s.lon),
            esc(&stop_label(s.seq, &s.id, s.kind)),
            esc(&s.name),
            esc(&describe(s)),
            s.kind.name()
        );
    }
    let _ = writeln!(g, "<rte><name>{} stops</name>", esc(&v.summary.vehicle));
    for s in v.stops.iter().filter(|s| s.kind != StopKind::Break) {
        let _ = writeln!(
            g,
            "<rtept {}><name>{}</name><desc>{}</desc></rtept>",
            lat_lon(s.lat, s.lon),
            esc(&stop_label(s.seq, &s.id, s.kind)),
            esc(&describe(s))
        );
    }
    g.push_str("</rte>\n");
    let _ = writeln!(
        g,
        "<trk><name>{}</name><type>collection route</type>",
        esc(&v.summary.vehicle)
    );
    for t in &v.trips {
        if t.geometry.is_empty() {
            continue;
        }
        g.push_str("<trkseg>\n");
        for &(lon, lat) in &t.geometry {
            let _ = writeln!(g, "<trkpt {}/>", lat_lon(lat, lon));
        }
        g.push_str("</trkseg>\n");
    }
    g.push_str("</trk>\n</gpx>\n");
    g
}

/// One file name per vehicle, in order: the vehicle name with every
/// character outside `A-Z a-z 0-9 . _ -` replaced by `_` (no leading dot),
/// made unique with `-2`, `-3`, ... and suffixed `.gpx`.
pub fn gpx_file_names(vehicles: &[VehicleRoute]) -> Vec<String> {
    let mut used = BTreeSet::new();
    vehicles
        .iter()
        .map(|v| {
            let mut base: String = v
                .summary
                .vehicle
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            while base.starts_with('.') {
                base.replace_range(..1, "_");
            }
            if base.is_empty() {
                base = "vehicle".into();
            }
            base.truncate(100);
            let mut name = format!("{base}.gpx");
            let mut k = 2;
            while !used.insert(name.to_ascii_lowercase()) {
                name = format!("{base}-{k}.gpx");
                k += 1;
            }
            name
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(n: &str) -> VehicleRoute {
        VehicleRoute::named(n, "")
    }

    #[test]
    fn file_names_are_safe_and_unique() {
        let v = [
            named("truck-1"),
            named("../etc/passwd"),
            named("truck/1"),
            named("truck_1"),
            named(""),
        ];
        assert_eq!(
            gpx_file_names(&v),
            [
                "truck-1.gpx",
                "_._etc_passwd.gpx",
                "truck_1.gpx",
                "truck_1-2.gpx",
                "vehicle.gpx"
            ]
        );
    }

    #[test]
    fn longitudes_stay_inside_the_gpx_range() {
        assert_eq!(
            lat_lon(91.0, 180.0),
            "lat=\"90.0000000\" lon=\"-180.0000000\""
        );
    }
}
