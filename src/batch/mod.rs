//! Nightly batches over many districts, run by an existing engine (a
//! Kubernetes Indexed Job, a Slurm job array) as independent shards: see
//! `docs/batch.md`.
//!
//! - [`manifest`]: shared defaults and `[[district]]` entries;
//! - [`shard`]: which districts shard `I` of `N` takes (`I mod N`), from
//!   flags, `JOB_COMPLETION_INDEX` or `SLURM_ARRAY_TASK_ID`;
//! - [`status`]: each district's `status.json`, the hash of its inputs, and
//!   whether a folder can be kept (resume);
//! - [`report`]: the city view over every district's folder.
//!
//! A shard runs its districts one after the other ([`run_shard`]); each
//! district is written to `OUT/<name>/`, a plan folder (or a weekly plan folder) published
//! atomically with its `status.json` inside. A shard writes nothing outside
//! its own districts' folders, so any number of shards may run at once on
//! one shared volume, and a shard killed at any moment and run again
//! recomputes only what is missing, failed, interrupted or stale.
//!
//! What a district computes is a [`DistrictJob`]: [`PlanJob`] for
//! `mode = "plan"` (an ordinary plan folder), [`WeekJob`] for
//! `mode = "week"` (a weekly plan folder: `week-summary.json`,
//! `calendar.csv`, a plan folder per day).

pub mod manifest;
pub mod report;
pub mod shard;
pub mod status;

pub use manifest::{District, Manifest, Mode, Settings};
pub use shard::Shard;
pub use status::{Freshness, Hasher, Outcome, STATUS_FILE, Status};

use crate::error::{Error, Result};
use crate::fsx::{FolderKind, OutputFolder};
use crate::plan::{self, Plan, PlanInput, PlanOptions};
use crate::solver::{Interrupt, Silent, SolveParams};
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

/// What the districts of a shard share while they run.
pub struct RunContext<'a> {
    /// The batch's output folder: district `d` goes to `out/<d.name>/`.
    pub out: &'a Path,
    /// Stops the running district (the command line triggers it on SIGINT
    /// and SIGTERM): its best result so far is written as `interrupted`,
    /// and no further district starts.
    pub interrupt: Option<Interrupt>,
    /// The exit code recorded for an interrupted district (130 after
    /// SIGINT, 143 after SIGTERM).
    pub interrupted_exit_code: &'a dyn Fn() -> i32,
    /// Refuse districts estimated to need more memory than this, GB (see
    /// [`PlanOptions::max_memory_gb`]).
    pub max_memory_gb: Option<f64>,
}

impl RunContext<'_> {
    fn interrupted(&self) -> bool {
        self.interrupt.as_ref().is_some_and(Interrupt::is_triggered)
    }
}

/// A file placed in a district's folder: name and content.
pub type ExtraFile = (String, Vec<u8>);

/// The computation of one district in one mode.
pub trait DistrictJob {
    /// Computes district `d`. Errors become the district's status
    /// ([`Outcome::of_error`]); an interruption through
    /// [`RunContext::interrupt`] should still return the best result so far.
    ///
    /// # Errors
    /// Input, routing and internal errors of the computation.
    fn compute(&self, d: &District, ctx: &RunContext<'_>) -> Result<Box<dyn DistrictResult>>;
}

/// A district's computed result, not yet written.
pub trait DistrictResult {
    /// How it ended, if it was not interrupted: ok, targets missed or
    /// violations.
    fn outcome(&self) -> Outcome;
    /// Writes the result as the folder `dir`, with `extra` files (the
    /// status) inside, published at once ([`crate::fsx::OutputFolder`]).
    ///
    /// # Errors
    /// As [`crate::fsx::OutputFolder`]: the target may not be replaced, or
    /// a write failed.
    fn write(&mut self, dir: &Path, extra: &[ExtraFile]) -> Result<()>;
}

/// The job of a mode.
pub fn job(mode: Mode) -> &'static dyn DistrictJob {
    match mode {
        Mode::Plan => &PlanJob,
        Mode::Week => &WeekJob,
    }
}

/// `mode = "plan"`: tomorrow's routes, exactly as `wasteroute plan` makes
/// them with the same inputs and flags.
#[derive(Debug, Clone, Copy)]
pub struct PlanJob;

impl PlanJob {
    /// The plan options of a district's settings (those of the command
    /// line's flags of the same names).
    pub fn options(s: &Settings, ctx: &RunContext<'_>) -> PlanOptions {
        PlanOptions {
            params: SolveParams {
                seed: s.seed,
                threads: s.threads,
                ..SolveParams::for_plans()
            },
            seconds: s.seconds,
            iterations: (s.iterations > 0).then_some(s.iterations),
            no_improvement: Some(s.no_improvement),
            snap_limit_m: s.snap_limit_m,
            recombine: s.recombine,
            max_memory_gb: ctx.max_memory_gb,
            interrupt: ctx.interrupt.clone(),
            turns: s.turns,
            ..PlanOptions::default()
        }
    }
}

/// District `d`'s inputs, read, and its plan options with the time limit
/// counted from `started` (as `plan --seconds` and `week --seconds`).
fn load_district(
    d: &District,
    ctx: &RunContext<'_>,
    started: Instant,
) -> Result<(PlanInput, PlanOptions)> {
    let i = &d.inputs;
    let input = PlanInput::load(
        &i.osm,
        &i.pickups,
        &i.facilities,
        &i.fleet,
        i.closures.as_deref(),
    )?;
    let mut opts = PlanJob::options(&d.settings, ctx);
    opts.seconds = opts
        .seconds
        .map(|s| (s - started.elapsed().as_secs_f64()).max(0.0));
    Ok((input, opts))
}

/// A district's outcome from whether its plan breaks a rule and meets its
/// targets.
fn outcome_of(feasible: bool, targets_met: bool) -> Outcome {
    if !feasible {
        Outcome::Violations
    } else if !targets_met {
        Outcome::TargetsMissed
    } else {
        Outcome::Ok
    }
}

impl DistrictJob for PlanJob {
    fn compute(&self, d: &District, ctx: &RunContext<'_>) -> Result<Box<dyn DistrictResult>> {
        let (input, opts) = load_district(d, ctx, Instant::now())?;
        let plan = plan::run(&input, &opts, &mut Silent)?;
        Ok(Box::new(PlanResult {
            plan,
            map: d.settings.map,
        }))
    }
}

/// `mode = "week"`: the weekly plan, exactly as `wasteroute week` makes it
/// with the same inputs and flags (the options are [`PlanJob::options`]).
#[derive(Debug, Clone, Copy)]
pub struct WeekJob;

impl DistrictJob for WeekJob {
    fn compute(&self, d: &District, ctx: &RunContext<'_>) -> Result<Box<dyn DistrictResult>> {
        let (input, opts) = load_district(d, ctx, Instant::now())?;
        let week = crate::week::run(&input, &opts, &mut Silent)?;
        Ok(Box::new(WeekResult {
            week,
            map: d.settings.map,
        }))
    }
}

struct WeekResult {
    week: crate::week::WeekPlan,
    map: bool,
}

impl DistrictResult for WeekResult {
    fn outcome(&self) -> Outcome {
        let s = &self.week.summary;
        outcome_of(s.feasible, s.targets_met)
    }

    fn write(&mut self, dir: &Path, extra: &[ExtraFile]) -> Result<()> {
        let opts = crate::week::WeekOutput {
            map: self.map,
            ..Default::default()
        };
        crate::week::write(dir, &mut self.week, extra, &opts)
    }
}

struct PlanResult {
    plan: Plan,
    map: bool,
}

impl DistrictResult for PlanResult {
    fn outcome(&self) -> Outcome {
        let s = &self.plan.summary;
        outcome_of(s.feasible, s.targets_met)
    }

    fn write(&mut self, dir: &Path, extra: &[ExtraFile]) -> Result<()> {
        plan::write_with(
            dir,
            &mut self.plan,
            extra,
            &plan::OutputOptions {
                reports: self.map,
                ..Default::default()
            },
        )
        .map(|_| ())
    }
}

/// What happened to a district of a shard.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Its folder already holds the answer; it was not computed.
    Skipped(Box<Status>),
    /// It starts; `why` says why it is computed (no folder, stale, ...).
    Started {
        /// The district.
        district: String,
        /// Why it is computed.
        why: String,
    },
    /// It was computed and its folder written with this status.
    Finished(Box<Status>),
    /// It was computed but its folder could not be written.
    NotWritten {
        /// The district.
        district: String,
        /// Why.
        error: String,
        /// Whether that is the user's doing (a folder wasteroute may not
        /// replace), as opposed to the machine's (a full disk).
        input: bool,
    },
}

/// What a shard did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ShardRun {
    /// The districts of the shard, in the manifest's order.
    pub districts: Vec<String>,
    /// Districts kept as they were.
    pub skipped: Vec<String>,
    /// Districts computed, with their status.
    pub computed: Vec<Status>,
    /// Districts whose folder could not be written: name, and whether the
    /// cause is the input.
    pub not_written: Vec<(String, bool)>,
    /// Districts not started because of an interruption.
    pub not_started: Vec<String>,
}

impl ShardRun {
    /// The shard's exit code: 1 if any district failed internally or could
    /// not be written (a retry may succeed), else 2 if any had bad input or
    /// a routing failure (a retry gives the same answer: do not retry),
    /// else 0 (every district is ok, missed a target or has violations:
    /// answers). An interruption is the caller's (130/143).
    pub fn exit_code(&self) -> i32 {
        let any = |o: &[Outcome]| self.computed.iter().any(|s| o.contains(&s.status));
        if any(&[Outcome::Internal]) || self.not_written.iter().any(|(_, input)| !input) {
            1
        } else if any(&[Outcome::BadInput, Outcome::Routing])
            || self.not_written.iter().any(|(_, input)| *input)
        {
            2
        } else {
            0
        }
    }
}

/// The folder of district `name` under `out`.
pub fn district_dir(out: &Path, name: &str) -> PathBuf {
    out.join(name)
}

/// Runs the districts of `shard` one after the other, skipping those whose
/// folder already holds the answer ([`Freshness::of`]), and tells `on` of
/// each step. Stops starting districts once [`RunContext::interrupt`] is
/// triggered.
pub fn run_shard(
    manifest: &Manifest,
    shard: Shard,
    ctx: &RunContext<'_>,
    on: &mut dyn FnMut(&Event),
) -> ShardRun {
    let mut hasher = Hasher::new();
    let mut run = ShardRun::default();
    for d in manifest
        .districts
        .iter()
        .filter(|d| shard.takes(d.position))
    {
        run.districts.push(d.name.clone());
        if ctx.interrupted() {
            run.not_started.push(d.name.clone());
            continue;
        }
        let dir = district_dir(ctx.out, &d.name);
        let sha = hasher.inputs_sha256(d);
        let why = match Freshness::of(&dir, sha.as_ref().ok().map(String::as_str), &d.settings) {
            Freshness::Complete(st) => {
                on(&Event::Skipped(st));
                run.skipped.push(d.name.clone());
                continue;
            }
            Freshness::Missing => "no folder yet".to_string(),
            Freshness::Stale(why) => why,
        };
        on(&Event::Started {
            district: d.name.clone(),
            why,
        });
        match run_district(d, sha, ctx) {
            Ok(st) => {
                on(&Event::Finished(Box::new(st.clone())));
                run.computed.push(st);
            }
            Err(e) => {
                let input = matches!(e, Error::Input { .. });
                on(&Event::NotWritten {
                    district: d.name.clone(),
                    error: e.to_string(),
                    input,
                });
                run.not_written.push((d.name.clone(), input));
            }
        }
    }
    run
}

/// Computes district `d` (whose inputs hash to `sha`) and writes its
/// folder with its status; returns the status. A failure of the
/// computation (bad input, routing, an internal error or a panic) is a
/// status too, written as a folder holding only `status.json`.
///
/// # Errors
/// The folder could not be written.
pub fn run_district(d: &District, sha: Result<String>, ctx: &RunContext<'_>) -> Result<Status> {
    let started = SystemTime::now();
    let t0 = Instant::now();
    let status = |outcome: Outcome, sha: Option<String>, error: Option<String>| Status {
        district: d.name.clone(),
        status: outcome,
        exit_code: if outcome == Outcome::Interrupted {
            (ctx.interrupted_exit_code)()
        } else {
            outcome.exit_code()
        },
        inputs_sha256: sha,
        started: status::rfc3339(started),
        finished: status::rfc3339(SystemTime::now()),
        runtime_s: (t0.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        wasteroute: env!("CARGO_PKG_VERSION").to_string(),
        settings: d.settings.clone(),
        error,
    };
    let dir = district_dir(ctx.out, &d.name);
    let sha = match sha {
        Ok(s) => s,
        Err(e) => {
            let st = status(Outcome::of_error(&e), None, Some(e.to_string()));
            write_status_only(&dir, &st)?;
            return Ok(st);
        }
    };
    let computed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        job(d.settings.mode).compute(d, ctx)
    }));
    match computed {
        Ok(Ok(mut result)) => {
            let outcome = if ctx.interrupted() {
                Outcome::Interrupted
            } else {
                result.outcome()
            };
            let st = status(outcome, Some(sha), None);
            result.write(&dir, &[(STATUS_FILE.to_string(), st.to_bytes()?)])?;
            Ok(st)
        }
        Ok(Err(e)) => {
            let st = status(Outcome::of_error(&e), Some(sha), Some(e.to_string()));
            write_status_only(&dir, &st)?;
            Ok(st)
        }
        Err(payload) => {
            let msg = crate::error::panic_message(payload.as_ref());
            let st = status(
                Outcome::Internal,
                Some(sha),
                Some(format!(
                    "internal error (a bug in wasteroute, please report it): {msg}"
                )),
            );
            write_status_only(&dir, &st)?;
            Ok(st)
        }
    }
}

/// Publishes `dir` holding only the status of a district that failed.
fn write_status_only(dir: &Path, st: &Status) -> Result<()> {
    let mut f = OutputFolder::create(dir, FolderKind::Plan, false)?;
    f.write(STATUS_FILE, &st.to_bytes()?)?;
    f.publish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn computed(outcomes: &[Outcome]) -> ShardRun {
        ShardRun {
            computed: outcomes
                .iter()
                .map(|&o| Status {
                    district: o.name().into(),
                    status: o,
                    exit_code: o.exit_code(),
                    inputs_sha256: None,
                    started: String::new(),
                    finished: String::new(),
                    runtime_s: 0.0,
                    wasteroute: String::new(),
                    settings: Settings::default(),
                    error: None,
                })
                .collect(),
            ..ShardRun::default()
        }
    }

    #[test]
    fn a_shard_exits_0_for_answers_2_for_bad_input_and_1_for_internal_failures() {
        use Outcome::*;
        assert_eq!(ShardRun::default().exit_code(), 0);
        assert_eq!(computed(&[Ok, TargetsMissed, Violations]).exit_code(), 0);
        assert_eq!(computed(&[Ok, BadInput]).exit_code(), 2);
        assert_eq!(computed(&[Routing, TargetsMissed]).exit_code(), 2);
        assert_eq!(computed(&[BadInput, Internal, Ok]).exit_code(), 1);
        let mut r = computed(&[Ok]);
        r.not_written.push(("a".into(), true));
        assert_eq!(r.exit_code(), 2);
        r.not_written.push(("b".into(), false));
        assert_eq!(r.exit_code(), 1);
        assert_eq!(
            [Ok, TargetsMissed, Violations, BadInput, Routing, Internal].map(Outcome::exit_code),
            [0, 4, 5, 2, 3, 1]
        );
    }
}
