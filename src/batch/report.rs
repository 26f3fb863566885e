//! The city view of a batch: `batch-summary.json` and `index.html` over
//! every district of the manifest, the missing and failed ones included.

use super::manifest::Manifest;
use super::status::{Freshness, Hasher, Outcome, Status};
use crate::error::{Error, Result};
use crate::plan::{Coverage, Summary};
use crate::report::PlanFolder;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The summary file written into the batch's folder.
pub const SUMMARY_FILE: &str = "batch-summary.json";
/// The offline page written into the batch's folder.
pub const INDEX_FILE: &str = "index.html";

/// One district's line of the city view.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DistrictRow {
    /// The district.
    pub district: String,
    /// `plan` or `week` (the manifest's mode for the district).
    pub mode: String,
    /// `ok`, `targets_missed`, `violations`, `bad_input`, `routing`,
    /// `internal`, `interrupted` (from its `status.json`), or `missing` (no
    /// folder or no status), `unreadable` (a status that cannot be read).
    pub status: String,
    /// The exit code in its status.
    pub exit_code: Option<i32>,
    /// Why its folder does not answer the manifest as it is now (inputs,
    /// settings or version changed), if so.
    pub stale: Option<String>,
    /// The error of a failed district, or why its plan could not be read.
    pub error: Option<String>,
    /// When it finished.
    pub finished: Option<String>,
    /// Its run time, seconds.
    pub runtime_s: Option<f64>,
    /// Every target met.
    pub targets_met: Option<bool>,
    /// The targets it misses (zones and streams).
    pub missed_targets: Vec<String>,
    /// Coverage per zone (a week: in visits, see `fill_week`).
    pub coverage: BTreeMap<String, Coverage>,
    /// Coverage per stream with a target.
    pub coverage_by_stream: BTreeMap<String, Coverage>,
    /// What its plan adds up to (each figure `null` without a plan; a
    /// week: the vehicles the busiest day needs per type, summed, and the
    /// week's trips, km, hours and cost).
    #[serde(flatten, serialize_with = "figures_or_nulls")]
    pub figures: Option<Figures>,
    /// The district's map, relative to the batch folder, if written.
    pub map: Option<String>,
    /// Its `summary.json`, relative to the batch folder, if written.
    pub summary: Option<String>,
}

/// The city's totals over the districts with a plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Totals {
    /// Districts in the manifest.
    pub districts: usize,
    /// Districts per status.
    pub by_status: BTreeMap<String, usize>,
    /// Districts whose folder is a complete, current answer.
    pub complete: usize,
    /// What the plans add up to, summed over the districts (costs as
    /// written: districts priced in different currencies do not add up).
    #[serde(flatten)]
    pub figures: Figures,
    /// Coverage per zone over every district with a plan (the target is
    /// the largest of the districts', met if met in every district).
    pub coverage: BTreeMap<String, Coverage>,
}

/// What a plan adds up to: a district's, from its `summary.json`, or the
/// city's, summed over the districts with a plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figures {
    /// Vehicles used.
    pub vehicles: usize,
    /// Trips (unloads).
    pub trips: usize,
    /// Kilometres.
    pub km: f64,
    /// Vehicle hours.
    pub hours: f64,
    /// Cost, in the fleet's currency.
    pub cost: f64,
}

impl Figures {
    /// The keys it is written with, in order.
    const KEYS: [&'static str; 5] = ["vehicles", "trips", "km", "hours", "cost"];

    /// The figures of the plan `s`.
    pub fn of(s: &Summary) -> Figures {
        Figures {
            vehicles: s.vehicles_used,
            trips: s.trips,
            km: s.km,
            hours: s.hours,
            cost: s.cost,
        }
    }

    /// Adds `other` to these figures.
    fn add(&mut self, other: &Figures) {
        self.vehicles += other.vehicles;
        self.trips += other.trips;
        self.km += other.km;
        self.hours += other.hours;
        self.cost += other.cost;
    }
}

/// A district's figures, or every figure's key with `null` when it has no
/// plan (the keys stay in the row either way).
fn figures_or_nulls<S: serde::Serializer>(f: &Option<Figures>, s: S) -> Result<S::Ok, S::Error> {
    match f {
        Some(f) => f.serialize(s),
        None => s.collect_map(Figures::KEYS.iter().map(|k| (k, ()))),
    }
}

/// `batch-summary.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BatchSummary {
    /// The manifest.
    pub manifest: String,
    /// The wasteroute version that wrote this.
    pub wasteroute: String,
    /// When, UTC.
    pub generated: String,
    /// Every district is complete and current.
    pub complete: bool,
    /// One row per district, in the manifest's order.
    pub districts: Vec<DistrictRow>,
    /// City totals.
    pub totals: Totals,
    /// For each target missed somewhere (zone or stream), the districts
    /// that miss it.
    pub missed_targets: BTreeMap<String, Vec<String>>,
}

fn share(part: f64, total: f64) -> f64 {
    if total > 0.0 { part / total } else { 1.0 }
}

/// Reads every district folder of `manifest` under `out`.
pub fn summarise(manifest: &Manifest, out: &Path) -> BatchSummary {
    let mut hasher = Hasher::new();
    let mut rows = Vec::with_capacity(manifest.districts.len());
    for d in &manifest.districts {
        let dir = super::district_dir(out, &d.name);
        let mut row = DistrictRow {
            district: d.name.clone(),
            mode: d.settings.mode.name().into(),
            ..DistrictRow::default()
        };
        let st: Option<Status> = match Status::read(&dir) {
            Ok(Some(st)) => Some(st),
            Ok(None) => {
                row.status = "missing".into();
                None
            }
            Err(e) => {
                row.status = "unreadable".into();
                row.error = Some(e.to_string());
                None
            }
        };
        if let Some(st) = st {
            row.status = st.status.name().into();
            row.exit_code = Some(st.exit_code);
            row.error = st.error.clone();
            row.finished = Some(st.finished.clone());
            row.runtime_s = Some(st.runtime_s);
            let sha = hasher.inputs_sha256(d).ok();
            if st.status.is_complete()
                && let Freshness::Stale(why) = Freshness::of(&dir, sha.as_deref(), &d.settings)
            {
                row.stale = Some(why);
            }
            if st.status.is_complete() || st.status == Outcome::Interrupted {
                match d.settings.mode {
                    super::Mode::Plan => fill_plan(&mut row, &dir, &d.name),
                    super::Mode::Week => fill_week(&mut row, &dir, &d.name),
                }
            }
        }
        rows.push(row);
    }
    let mut totals = Totals {
        districts: rows.len(),
        ..Totals::default()
    };
    let mut missed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in &rows {
        *totals.by_status.entry(r.status.clone()).or_default() += 1;
        let complete = r.stale.is_none()
            && matches!(r.status.as_str(), "ok" | "targets_missed" | "violations");
        totals.complete += usize::from(complete);
        if r.summary.is_none() {
            continue;
        }
        if let Some(f) = &r.figures {
            totals.figures.add(f);
        }
        for (zone, c) in &r.coverage {
            let t = totals.coverage.entry(zone.clone()).or_insert(Coverage {
                met: true,
                ..Coverage::default()
            });
            t.points_total += c.points_total;
            t.points_served += c.points_served;
            t.demand_total_kg += c.demand_total_kg;
            t.demand_served_kg += c.demand_served_kg;
            t.target = t.target.max(c.target);
            t.met &= c.met;
        }
        for m in &r.missed_targets {
            missed
                .entry(m.clone())
                .or_default()
                .push(r.district.clone());
        }
    }
    for t in totals.coverage.values_mut() {
        t.share_points = share(t.points_served as f64, t.points_total as f64);
        t.share_demand = share(t.demand_served_kg, t.demand_total_kg);
    }
    BatchSummary {
        manifest: manifest.path.display().to_string(),
        wasteroute: env!("CARGO_PKG_VERSION").into(),
        generated: super::status::rfc3339(std::time::SystemTime::now()),
        complete: totals.complete == rows.len(),
        districts: rows,
        totals,
        missed_targets: missed,
    }
}

/// The figures of a weekly plan's folder from its `week-summary.json`.
/// Coverage is in visits: `points_total` and `points_served` count the
/// visits required and made over the week (as the weekly targets do), and
/// the demand shares are the visit shares.
fn fill_week(row: &mut DistrictRow, dir: &Path, name: &str) {
    let path = dir.join("week-summary.json");
    let s: crate::week::WeekSummary = match crate::io::read_text(&path).and_then(|t| {
        serde_json::from_str(&t)
            .map_err(|e| Error::input(crate::error::Location::file(&path), e.to_string()))
    }) {
        Ok(s) => s,
        Err(e) => {
            row.error
                .get_or_insert_with(|| format!("the weekly plan cannot be read: {e}"));
            return;
        }
    };
    let cov = |c: &crate::week::WeekCoverage| Coverage {
        points_total: c.visits_required,
        points_served: c.visits_made,
        demand_total_kg: 0.0,
        demand_served_kg: 0.0,
        share_points: c.share,
        share_demand: c.share,
        target: c.target,
        met: c.met,
    };
    row.targets_met = Some(s.targets_met);
    row.coverage = (s.coverage.iter())
        .map(|(z, c)| (z.name().to_string(), cov(c)))
        .collect();
    row.coverage_by_stream = (s.coverage_by_stream.iter())
        .filter(|(_, c)| c.target > 0.0)
        .map(|(k, c)| (k.name().to_string(), cov(c)))
        .collect();
    row.missed_targets = (row.coverage.iter().chain(&row.coverage_by_stream))
        .filter(|(_, c)| !c.met)
        .map(|(k, _)| k.clone())
        .collect();
    row.figures = Some(Figures {
        vehicles: s.vehicles_needed,
        trips: s.trips,
        km: s.km,
        hours: s.hours,
        cost: s.cost,
    });
    row.summary = Some(format!("{name}/week-summary.json"));
    if dir.join("week.html").is_file() {
        row.map = Some(format!("{name}/week.html"));
    }
}

/// The plan's figures of a district folder, read with
/// [`PlanFolder::read`]; an unreadable plan is noted in `row.error`.
fn fill_plan(row: &mut DistrictRow, dir: &Path, name: &str) {
    let folder = match PlanFolder::read(dir) {
        Ok(f) => f,
        Err(e) => {
            row.error
                .get_or_insert_with(|| format!("the plan cannot be read: {e}"));
            return;
        }
    };
    let s = &folder.summary;
    row.targets_met = Some(s.targets_met);
    row.coverage = s
        .coverage
        .iter()
        .map(|(z, c)| (z.name().to_string(), c.clone()))
        .collect();
    row.coverage_by_stream = s
        .coverage_by_stream
        .iter()
        .filter(|(_, c)| c.target > 0.0)
        .map(|(k, c)| (k.name().to_string(), c.clone()))
        .collect();
    row.missed_targets = row
        .coverage
        .iter()
        .chain(&row.coverage_by_stream)
        .filter(|(_, c)| !c.met)
        .map(|(k, _)| k.clone())
        .collect();
    row.figures = Some(Figures::of(s));
    row.summary = Some(format!("{name}/summary.json"));
    if dir.join("map.html").is_file() {
        row.map = Some(format!("{name}/map.html"));
    }
}

/// Writes `batch-summary.json` and `index.html` into `out` (each file
/// atomically) and returns the summary and the two paths.
///
/// # Errors
/// [`Error::Io`] naming a file that could not be written.
pub fn write(manifest: &Manifest, out: &Path) -> Result<(BatchSummary, PathBuf, PathBuf)> {
    let summary = summarise(manifest, out);
    crate::fsx::ensure_dir(out)?;
    let mut json = serde_json::to_vec_pretty(&summary)
        .map_err(|e| Error::Internal(format!("encoding {SUMMARY_FILE}: {e}")))?;
    json.push(b'\n');
    let (js, html) = (out.join(SUMMARY_FILE), out.join(INDEX_FILE));
    crate::fsx::write_file(&js, &json)?;
    crate::fsx::write_file(&html, index_html(&summary).as_bytes())?;
    Ok((summary, js, html))
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// The offline page: one table row per district, a link to each map.
pub fn index_html(s: &BatchSummary) -> String {
    let esc = crate::report::escape_text;
    let mut zones: Vec<&String> = s.totals.coverage.keys().collect();
    zones.sort();
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>wasteroute batch: {}</title>\n<style>\
         body{{font-family:system-ui,sans-serif;margin:1.5rem}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}}\
         td:first-child,th:first-child,td.s{{text-align:left}}\
         .ok{{background:#e6f4e6}}.targets_missed,.violations,.interrupted{{background:#fff4d6}}\
         .missing,.bad_input,.routing,.internal,.unreadable{{background:#fbe0e0}}\
         </style></head><body>\n<h1>Batch {}</h1>\n<p>{} of {} districts complete; written {} by wasteroute {}.</p>\n",
        esc(&s.manifest),
        esc(&s.manifest),
        s.totals.complete,
        s.totals.districts,
        esc(&s.generated),
        esc(&s.wasteroute)
    );
    h.push_str("<table>\n<tr><th>district</th><th>status</th><th>vehicles</th><th>trips</th><th>km</th><th>hours</th><th>cost</th>");
    for z in &zones {
        let _ = write!(h, "<th>{} (target)</th>", esc(z));
    }
    h.push_str("<th>missed targets</th><th>map</th><th>note</th></tr>\n");
    let num = |x: Option<f64>, d: usize| x.map_or(String::new(), |v| format!("{v:.d$}"));
    for r in &s.districts {
        let f = r.figures.as_ref();
        let _ = write!(
            h,
            "<tr class=\"{}\"><td>{}</td><td class=\"s\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            esc(&r.status),
            esc(&r.district),
            esc(&r.status),
            f.map_or(String::new(), |f| f.vehicles.to_string()),
            f.map_or(String::new(), |f| f.trips.to_string()),
            num(f.map(|f| f.km), 1),
            num(f.map(|f| f.hours), 1),
            num(f.map(|f| f.cost), 2)
        );
        for z in &zones {
            match r.coverage.get(*z) {
                Some(c) => {
                    let _ = write!(h, "<td>{} ({})</td>", pct(c.share_demand), pct(c.target));
                }
                None => h.push_str("<td></td>"),
            }
        }
        let link = match (&r.map, &r.summary) {
            (Some(m), _) => format!("<a href=\"{}\">map</a>", esc(m)),
            (None, Some(j)) => format!("<a href=\"{}\">summary</a>", esc(j)),
            _ => String::new(),
        };
        let note = match (&r.error, &r.stale) {
            (Some(e), _) => e.clone(),
            (None, Some(why)) => format!("stale: {why}"),
            (None, None) => String::new(),
        };
        let _ = writeln!(
            h,
            "<td class=\"s\">{}</td><td class=\"s\">{link}</td><td class=\"s\">{}</td></tr>",
            esc(&r.missed_targets.join(", ")),
            esc(&note)
        );
    }
    let t = &s.totals;
    let _ = write!(
        h,
        "<tr><th>city</th><th class=\"s\">{}</th><th>{}</th><th>{}</th><th>{:.1}</th><th>{:.1}</th><th>{:.2}</th>",
        esc(&t
            .by_status
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")),
        t.figures.vehicles,
        t.figures.trips,
        t.figures.km,
        t.figures.hours,
        t.figures.cost
    );
    for z in &zones {
        let c = &t.coverage[*z];
        let _ = write!(h, "<th>{} ({})</th>", pct(c.share_demand), pct(c.target));
    }
    h.push_str("<th></th><th></th><th></th></tr>\n</table>\n");
    if !s.missed_targets.is_empty() {
        h.push_str("<h2>Missed targets</h2>\n<ul>\n");
        for (target, ds) in &s.missed_targets {
            let _ = writeln!(h, "<li>{}: {}</li>", esc(target), esc(&ds.join(", ")));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_without_a_plan_keeps_every_figure_as_null() {
        let planned = DistrictRow {
            figures: Some(Figures {
                vehicles: 3,
                trips: 5,
                km: 81.5,
                hours: 20.25,
                cost: 912.0,
            }),
            ..DistrictRow::default()
        };
        let with = serde_json::to_string(&planned).unwrap();
        let without = serde_json::to_string(&DistrictRow::default()).unwrap();
        assert!(
            with.contains(r#""coverage_by_stream":{},"vehicles":3,"trips":5,"km":81.5,"hours":20.25,"cost":912.0,"map":null"#),
            "{with}"
        );
        assert!(
            without.contains(r#""coverage_by_stream":{},"vehicles":null,"trips":null,"km":null,"hours":null,"cost":null,"map":null"#),
            "{without}"
        );
        let totals = serde_json::to_string(&Totals::default()).unwrap();
        assert!(
            totals.contains(
                r#""complete":0,"vehicles":0,"trips":0,"km":0.0,"hours":0.0,"cost":0.0,"coverage""#
            ),
            "{totals}"
        );
    }
}
