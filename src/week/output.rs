//! Writing a weekly plan's folder: `week-summary.json`, `calendar.csv` and
//! `days/<day>/`, one ordinary plan folder per working day (with
//! [`WeekOutput::map`] each with its map, route sheets and GPX, and
//! `week.html` beside them).
//!
//! The whole folder is staged and then takes the target's place in one
//! step ([`crate::fsx::OutputFolder`]), as a plan folder does.

use super::page;
use super::plan::{CalendarRow, WeekPlan};
use crate::fsx::{FolderKind, OutputFolder};
use crate::graph::RoadGraph;
use crate::report::{PlanFolder, Reports};
use crate::{Error, Result};
use std::path::Path;
use std::time::Instant;

/// How [`write()`] writes a weekly plan's folder.
#[derive(Debug, Clone, Copy, Default)]
pub struct WeekOutput<'a> {
    /// Replace the target even if wasteroute did not write it (`--force`).
    pub force: bool,
    /// Also write each day's dispatcher reports and `week.html` (`--map`).
    pub map: bool,
    /// The road graphs the plan was made on, for the maps' base layer;
    /// without, it is read from the extract named in the inputs.
    pub roads: Option<&'a [&'a RoadGraph]>,
}

/// The day folder of `day` inside a weekly plan's folder.
pub fn day_folder(day: crate::domain::Weekday) -> String {
    format!("days/{}", day.name())
}

/// `calendar.csv`: one row per visit made ([`CalendarRow::COLUMNS`]).
///
/// # Errors
/// [`Error::Internal`] if the CSV writer fails (it writes to memory).
pub fn calendar_csv(rows: &[CalendarRow]) -> Result<Vec<u8>> {
    let internal = |e: csv::Error| Error::Internal(format!("writing calendar.csv: {e}"));
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(CalendarRow::COLUMNS).map_err(internal)?;
    for r in rows {
        w.serialize(r).map_err(internal)?;
    }
    w.into_inner()
        .map_err(|e| Error::Internal(format!("writing calendar.csv: {e}")))
}

/// The files of a weekly plan's folder without the reports of `--map`, by
/// relative path, as [`write()`] puts them; for callers that stage several
/// weeks in one folder (`compare --week`). The day folders' markers are
/// included.
///
/// # Errors
/// [`Error::Internal`] if a file cannot be encoded.
pub fn files(week: &mut WeekPlan) -> Result<Vec<(String, Vec<u8>)>> {
    let started = Instant::now();
    let mut out = Vec::new();
    for (day, plan) in &mut week.days {
        let sub = day_folder(*day);
        out.push((
            format!("{sub}/{}", crate::fsx::MARKER),
            crate::fsx::FolderKind::Plan.marker().into_bytes(),
        ));
        for (name, bytes) in crate::plan::output_files(plan, &[])? {
            out.push((format!("{sub}/{name}"), bytes));
        }
    }
    out.push(("calendar.csv".into(), calendar_csv(&week.calendar)?));
    week.summary.phases.output_s = started.elapsed().as_secs_f64();
    out.push(("week-summary.json".into(), summary_json(&week.summary)?));
    Ok(out)
}

/// `week-summary.json`.
fn summary_json(s: &super::plan::WeekSummary) -> Result<Vec<u8>> {
    let mut json = serde_json::to_vec_pretty(s)
        .map_err(|e| Error::Internal(format!("encoding week-summary.json: {e}")))?;
    json.push(b'\n');
    Ok(json)
}

/// Writes `week` (and `extra` files, such as a batch district's status)
/// into the folder `out`, replacing it atomically if wasteroute wrote it
/// (or with [`WeekOutput::force`]).
///
/// # Errors
/// [`Error::Input`] if `out` may not be replaced; [`Error::Io`] naming the
/// path that could not be written; report errors as
/// [`crate::report::build_reports`].
pub fn write(
    out: &Path,
    week: &mut WeekPlan,
    extra: &[(String, Vec<u8>)],
    opts: &WeekOutput<'_>,
) -> Result<()> {
    let started = Instant::now();
    let mut folder = OutputFolder::create(out, FolderKind::Week, opts.force)?;
    let mut day_dirs = Vec::new();
    for (day, plan) in &mut week.days {
        let sub = day_folder(*day);
        let files = crate::plan::output_files(plan, &[])?;
        folder.write_all(&sub, Some(FolderKind::Plan), &files)?;
        if opts.map {
            let dir = folder.path().join(&sub);
            let r = match opts.roads {
                Some(graphs) => Reports::on_roads(&dir, graphs)?,
                None => crate::report::build_reports(&dir)?,
            };
            folder.write_all(&sub, None, &r.files)?;
        }
        day_dirs.push((*day, sub));
    }
    folder.write("calendar.csv", &calendar_csv(&week.calendar)?)?;
    if opts.map {
        let days = (day_dirs.iter())
            .map(|(d, sub)| Ok((*d, PlanFolder::read(&folder.path().join(sub))?)))
            .collect::<Result<Vec<_>>>()?;
        let html = page::week_html(&week.summary, &week.calendar, &days, opts.roads)?;
        folder.write("week.html", html.as_bytes())?;
    }
    week.summary.phases.output_s = started.elapsed().as_secs_f64();
    folder.write("week-summary.json", &summary_json(&week.summary)?)?;
    folder.write_all("", None, extra)?;
    folder.publish()
}
