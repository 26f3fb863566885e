//! `week.html`: one offline map of the whole week, with a day selector, the
//! figures of each day and the calendar (which vehicle visits each pickup
//! on which day), drawn from the day folders as they were written.

use super::plan::{CalendarRow, WeekSummary};
use crate::Result;
use crate::domain::Weekday;
use crate::graph::RoadGraph;
use crate::plan::StopKind;
use crate::report::{BBox, BaseLayer, PlanFolder, encode_line, offline_page, script_json};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;

const WEEK_JS: &str = include_str!("assets/week.js");
const WEEK_CSS: &str = include_str!("assets/week.css");
/// Trip lines are simplified within this many metres, as on `map.html`.
const TRIP_TOLERANCE_M: f64 = 1.0;

fn r6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The box around every day's routes and unserved pickups.
fn bbox(days: &[(Weekday, PlanFolder)]) -> Option<BBox> {
    days.iter().filter_map(|(_, p)| p.bbox()).reduce(|a, b| {
        [
            a[0].min(b[0]),
            a[1].min(b[1]),
            a[2].max(b[2]),
            a[3].max(b[3]),
        ]
    })
}

/// The data the page draws from.
fn week_data(
    summary: &WeekSummary,
    calendar: &[CalendarRow],
    days: &[(Weekday, PlanFolder)],
    base: &BaseLayer,
) -> Value {
    // Pickup positions, from the stops and the unserved lists.
    let mut at: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    let day_values: Vec<Value> = days
        .iter()
        .map(|(d, plan)| {
            let vehicles: Vec<Value> = (plan.vehicles.iter().enumerate())
                .map(|(i, v)| {
                    let stops: Vec<Value> = (v.stops.iter())
                        .filter(|s| s.kind == StopKind::Pickup)
                        .map(|s| {
                            at.insert(&s.id, (s.lon, s.lat));
                            json!([r6(s.lon), r6(s.lat), s.id, s.seq, s.arrival])
                        })
                        .collect();
                    json!({
                        "name": v.summary.vehicle, "type": v.summary.vehicle_type,
                        "color": crate::report::route_color(i),
                        "km": v.summary.km, "hours": v.summary.hours, "pickups": v.n_pickups(),
                        "trips": v.trips.iter().map(|t| encode_line(&t.geometry, TRIP_TOLERANCE_M)).collect::<Vec<_>>(),
                        "stops": stops,
                    })
                })
                .collect();
            let unserved: Vec<Value> = (plan.unserved.iter())
                .map(|u| {
                    at.insert(&u.id, (u.lon, u.lat));
                    json!([r6(u.lon), r6(u.lat), u.id, u.reason.name()])
                })
                .collect();
            let figures = summary.days.iter().find(|f| f.day == d.name());
            json!({"day": d.name(), "vehicles": vehicles, "unserved": unserved, "figures": figures})
        })
        .collect();
    // The calendar: per pickup, the vehicle of each visit day.
    let mut visits: BTreeMap<&str, BTreeMap<&str, &str>> = BTreeMap::new();
    for r in calendar {
        visits
            .entry(&r.pickup_id)
            .or_default()
            .insert(&r.day, &r.vehicle);
    }
    let mut rows: Vec<Value> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for r in calendar {
        if seen.insert(r.pickup_id.as_str()) {
            rows.push(json!([r.pickup_id, visits[r.pickup_id.as_str()]]));
        }
    }
    for u in &summary.unserved {
        if seen.insert(u.id.as_str()) {
            rows.push(json!([u.id, {}]));
        }
    }
    json!({
        "attribution": crate::report::OSM_ATTRIBUTION,
        "base": {"lines": base.lines, "note": base.note, "missing": base.missing},
        "days": day_values,
        "calendar": rows,
        "unserved": summary.unserved.iter().map(|u| json!([u.id, u.day, u.reason.name()])).collect::<Vec<_>>(),
        "totals": {
            "vehicles_needed": summary.vehicles_needed,
            "vehicles_needed_by_type": summary.vehicles_needed_by_type,
            "cost": summary.cost, "km": summary.km, "hours": summary.hours,
            "visits_required": summary.visits_required, "visits_made": summary.visits_made,
            "targets_met": summary.targets_met,
            "consistency": summary.consistency.share,
        },
        "coverage": summary.coverage,
    })
}

/// The whole `week.html` page. The road base layer is drawn on `roads`
/// (the graphs the plan was made on) or else read from the extract named
/// in the inputs.
///
/// # Errors
/// [`crate::Error::Internal`] if the data cannot be encoded.
pub(crate) fn week_html(
    summary: &WeekSummary,
    calendar: &[CalendarRow],
    days: &[(Weekday, PlanFolder)],
    roads: Option<&[&RoadGraph]>,
) -> Result<String> {
    let around = bbox(days);
    let osm = summary.inputs.osm.as_str();
    let base = match roads {
        Some(graphs) => BaseLayer::from_graphs(graphs, around, osm),
        None => BaseLayer::from_osm(Path::new(osm), around).unwrap_or_else(|e| {
            BaseLayer::none(format!("No road base layer: reading {osm} failed: {e}."))
        }),
    };
    let data = script_json(&week_data(summary, calendar, days, &base))?;
    let title = format!(
        "wasteroute week: {} vehicles, {} of {} visits",
        summary.vehicles_needed, summary.visits_made, summary.visits_required
    );
    Ok(offline_page(
        &title,
        WEEK_CSS,
        "<div id=\"map\" role=\"application\" aria-label=\"week map\"></div>\n<aside id=\"wr-panel\"></aside>\n",
        &data,
        WEEK_JS,
    ))
}
