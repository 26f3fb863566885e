//! `route_sheets.html`: a printable sheet per vehicle, one page each.

use super::map::OSM_ATTRIBUTION;
use super::{
    PlanExtras, PlanFolder, VehicleRoute, escape_text as esc, minutes_between, route_color,
    simplify,
};
use crate::plan::StopKind;
use std::fmt::Write as _;

const SHEETS_CSS: &str = include_str!("assets/sheets.css");

/// Width and height of the overview map.
///
/// # Units
/// SVG user units (pixels at 100 %).
const SVG_W: f64 = 640.0;
const SVG_H: f64 = 300.0;

fn kg(x: f64) -> String {
    let n = x.round() as i64;
    let s = n.abs().to_string();
    let mut out = String::new();
    for (k, c) in s.chars().enumerate() {
        if k > 0 && (s.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// The overview map of one route: its trips as polylines on a local
/// equirectangular projection, the pickups as dots, the depot as a square
/// and the facilities as diamonds.
fn overview_svg(v: &VehicleRoute, color: &str) -> String {
    let mut pts: Vec<(f64, f64)> = v
        .trips
        .iter()
        .flat_map(|t| t.geometry.iter().copied())
        .collect();
    pts.extend(v.stops.iter().map(|s| (s.lon, s.lat)));
    if pts.is_empty() {
        return String::new();
    }
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in &pts {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    let kx = ((y0 + y1) / 2.0).to_radians().cos().max(0.01);
    let w = ((x1 - x0) * kx).max(1e-6);
    let h = (y1 - y0).max(1e-6);
    let pad = 12.0;
    let scale = ((SVG_W - 2.0 * pad) / w).min((SVG_H - 2.0 * pad) / h);
    let ox = (SVG_W - w * scale) / 2.0;
    let oy = (SVG_H - h * scale) / 2.0;
    let px = |x: f64, y: f64| (ox + (x - x0) * kx * scale, oy + (y1 - y) * scale);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"overview\" viewBox=\"0 0 {SVG_W} {SVG_H}\" role=\"img\" aria-label=\"overview map of the route\">"
    );
    s.push_str("<rect width=\"100%\" height=\"100%\" fill=\"#f7f7f4\"/>");
    // One map pixel is 1/scale degrees of latitude: simplify to half of it.
    let tol = 0.5 / scale;
    for t in &v.trips {
        if t.geometry.len() < 2 {
            continue;
        }
        let keep = simplify(&t.geometry, kx, tol);
        let _ = write!(
            s,
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" stroke-opacity=\"0.8\" points=\""
        );
        for k in keep {
            let (a, b) = px(t.geometry[k].0, t.geometry[k].1);
            let _ = write!(s, "{a:.1},{b:.1} ");
        }
        s.push_str("\"/>");
    }
    for st in &v.stops {
        let (a, b) = px(st.lon, st.lat);
        match st.kind {
            StopKind::Pickup => {
                let _ = write!(
                    s,
                    "<circle cx=\"{a:.1}\" cy=\"{b:.1}\" r=\"2.5\" fill=\"{color}\" stroke=\"#fff\" stroke-width=\"0.8\"/>"
                );
            }
            StopKind::Depot => {
                let _ = write!(
                    s,
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"9\" height=\"9\" fill=\"#222\"/>",
                    a - 4.5,
                    b - 4.5
                );
            }
            StopKind::Facility => {
                let _ = write!(
                    s,
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"8\" height=\"8\" fill=\"#fff\" stroke=\"#222\" stroke-width=\"2\" transform=\"rotate(45 {a:.1} {b:.1})\"/>",
                    a - 4.0,
                    b - 4.0
                );
            }
            StopKind::Break => {}
        }
    }
    s.push_str("</svg>");
    s
}

/// The note column of a stop row.
fn stop_note(
    kind: StopKind,
    arrival: &str,
    departure: &str,
    demand_kg: f64,
    first: bool,
) -> String {
    let mins = minutes_between(arrival, departure);
    match kind {
        StopKind::Depot if first => "leave the depot".into(),
        StopKind::Depot => "back at the depot".into(),
        StopKind::Pickup => format!("collect about {} kg", kg(demand_kg)),
        StopKind::Facility => match mins {
            Some(m) => format!("unload, about {m} min"),
            None => "unload".into(),
        },
        StopKind::Break => match mins {
            Some(m) => format!("break, {m} min"),
            None => "break".into(),
        },
    }
}

/// The whole `route_sheets.html` for `plan`: one printed page per vehicle.
pub fn route_sheets_html(plan: &PlanFolder, extras: &PlanExtras) -> String {
    let mut h = String::with_capacity(64 * 1024);
    h.push_str(concat!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
        "<title>Route sheets</title>\n<style>\n"
    ));
    h.push_str(SHEETS_CSS);
    h.push_str("</style>\n</head>\n<body>\n");
    if plan.vehicles.is_empty() {
        h.push_str("<section class=\"sheet\"><h1>No routes</h1><p>This plan uses no vehicle.</p></section>\n");
    }
    for (i, v) in plan.vehicles.iter().enumerate() {
        let color = route_color(i);
        let info = extras.vehicle_types.get(&v.summary.vehicle_type);
        let _ = writeln!(h, "<section class=\"sheet\">");
        let _ = writeln!(
            h,
            "<header><h1><span class=\"swatch\" style=\"background:{color}\"></span>{}</h1><p class=\"sub\">Route sheet {} of {}</p></header>",
            esc(&v.summary.vehicle),
            i + 1,
            plan.vehicles.len()
        );
        let shift = match info {
            Some(t) => format!(
                "{}–{} (planned {}–{})",
                esc(&t.shift_start),
                esc(&t.shift_end),
                esc(&v.summary.start),
                esc(&v.summary.end)
            ),
            None => format!("planned {}–{}", esc(&v.summary.start), esc(&v.summary.end)),
        };
        let brk = info
            .and_then(|t| t.break_.as_ref())
            .map(|(a, b, m)| format!("{m} min between {} and {}", esc(a), esc(b)));
        let capacity = info.map(|t| format!("{} kg per trip", kg(t.capacity_kg)));
        let unloads = v
            .stops
            .iter()
            .filter(|s| s.kind == StopKind::Facility)
            .count();
        let _ = writeln!(h, "<table class=\"meta\">");
        let _ = writeln!(
            h,
            "<tr><th>Vehicle</th><td>{} (type {})</td><th>Shift</th><td>{shift}</td></tr>",
            esc(&v.summary.vehicle),
            esc(&v.summary.vehicle_type)
        );
        let _ = writeln!(
            h,
            "<tr><th>Depot</th><td>{}</td><th>Break</th><td>{}</td></tr>",
            esc(v.depot()),
            brk.unwrap_or_else(|| "none planned".into())
        );
        let _ = writeln!(
            h,
            "<tr><th>Crew</th><td class=\"blank\"></td><th>Capacity</th><td>{}</td></tr>",
            capacity.unwrap_or_else(|| "–".into())
        );
        let _ = writeln!(
            h,
            "<tr><th>Totals</th><td colspan=\"3\">{} trips, {} pickups, {} kg, {:.1} km, {:.2} h</td></tr>",
            unloads,
            v.n_pickups(),
            kg(v.summary.load_kg),
            v.summary.km,
            v.summary.hours
        );
        let _ = writeln!(h, "</table>");
        h.push_str(&overview_svg(v, &color));
        let _ = writeln!(
            h,
            "<p class=\"attr\">Road geometry {}.</p>",
            esc(OSM_ATTRIBUTION)
        );
        h.push_str(concat!(
            "<table class=\"stops\">\n<thead><tr><th>#</th><th>Trip</th><th>Stop</th><th>Id</th>",
            "<th>Name or address</th><th>Coordinates</th><th>Arrival</th><th>Departure</th>",
            "<th>Load after, kg</th><th>km</th><th>Note</th><th>Done</th></tr></thead>\n<tbody>\n"
        ));
        for (k, s) in v.stops.iter().enumerate() {
            let coords = if s.kind == StopKind::Break {
                String::new()
            } else {
                format!("{:.5}, {:.5}", s.lat, s.lon)
            };
            let _ = writeln!(
                h,
                "<tr class=\"{kind}\"><td>{}</td><td>{}</td><td>{kind}</td><td>{}</td><td>{}</td><td class=\"num\">{coords}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{:.1}</td><td>{}</td><td class=\"box\">☐</td></tr>",
                s.seq,
                s.trip,
                esc(&s.id),
                esc(&s.name),
                esc(&s.arrival),
                esc(&s.departure),
                kg(s.load_kg),
                s.km,
                esc(&stop_note(
                    s.kind,
                    &s.arrival,
                    &s.departure,
                    s.demand_kg,
                    k == 0
                )),
                kind = s.kind.name(),
            );
        }
        h.push_str("</tbody>\n</table>\n</section>\n");
    }
    h.push_str("</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kg_groups_thousands() {
        assert_eq!(kg(21859.0), "21,859");
        assert_eq!(kg(999.6), "1,000");
        assert_eq!(kg(-1234567.0), "-1,234,567");
    }
}
