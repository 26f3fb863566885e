//! `wasteroute batch run` and `wasteroute batch report`: a nightly batch
//! over the districts of a manifest, as shards of a Kubernetes Indexed Job
//! or a Slurm job array (`docs/batch.md`).
//!
//! Exit codes of `batch run` (one shard): 0 when each of its districts is
//! ok, missed a target or has violations (answers, written); 2 when any
//! district had bad input or a routing failure and none failed otherwise
//! (a retry gives the same answer: do not retry); 1 when any district
//! failed internally or its folder could not be written (worth a retry);
//! 130/143 after SIGINT/SIGTERM (the running district is written as
//! `interrupted`; a rerun resumes). A manifest or shard that cannot be
//! read gives 2 before anything is computed.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use wasteroute::batch::{self, Event, Manifest, RunContext, Shard};

/// Nightly batches over many districts.
#[derive(Debug, Args)]
pub struct BatchArgs {
    #[command(subcommand)]
    command: BatchCommand,
}

#[derive(Debug, Subcommand)]
enum BatchCommand {
    /// Plan the districts of one shard of a manifest, each into OUT/<name>/.
    Run(RunArgs),
    /// Write OUT/batch-summary.json and OUT/index.html over every district.
    Report(ReportArgs),
}

#[derive(Debug, Args)]
struct RunArgs {
    /// The batch manifest (TOML): shared defaults and [[district]] entries.
    manifest: PathBuf,
    /// The batch's output folder, shared by all shards; district `name` is
    /// written to OUT/name/.
    #[arg(long)]
    out: PathBuf,
    /// This shard's index, 0 to --shard-count - 1 (default: from
    /// JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID, else 0).
    #[arg(long)]
    shard_index: Option<usize>,
    /// The number of shards (default: SLURM_ARRAY_TASK_COUNT, else 1).
    #[arg(long, value_parser = super::values::at_least_one)]
    shard_count: Option<usize>,
    /// Refuse districts estimated to need more memory than this, GB (as
    /// `plan --max-memory-gb`).
    #[arg(long, value_parser = super::values::positive)]
    max_memory_gb: Option<f64>,
}

#[derive(Debug, Args)]
struct ReportArgs {
    /// The batch manifest.
    manifest: PathBuf,
    /// The batch's output folder.
    #[arg(long)]
    out: PathBuf,
}

/// Runs `wasteroute batch ...`; returns the process exit code.
pub fn run(a: BatchArgs) -> Result<i32> {
    match a.command {
        BatchCommand::Run(r) => run_shard(r),
        BatchCommand::Report(r) => report(r),
    }
}

fn run_shard(a: RunArgs) -> Result<i32> {
    let manifest = Manifest::read(&a.manifest)?;
    let shard = Shard::resolve(a.shard_index, a.shard_count, &|k| std::env::var(k).ok())?;
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    let mine = manifest
        .districts
        .iter()
        .filter(|d| shard.takes(d.position))
        .count();
    println!(
        "shard      {} of {} ({}): {mine} of {} districts",
        shard.index,
        shard.count,
        shard.source,
        manifest.districts.len()
    );
    let code = || super::signal::exit_code().unwrap_or(143);
    let ctx = RunContext {
        out: &a.out,
        interrupt: super::signal::interrupt(),
        interrupted_exit_code: &code,
        max_memory_gb: a.max_memory_gb,
    };
    let run = batch::run_shard(&manifest, shard, &ctx, &mut |e| match e {
        Event::Skipped(st) => println!(
            "skipped    {} ({}, complete and current)",
            st.district,
            st.status.name()
        ),
        Event::Started { district, why } => println!("planning   {district} ({why})"),
        Event::Finished(st) => {
            println!(
                "finished   {} {} (exit code {}) in {:.1} s",
                st.district,
                st.status.name(),
                st.exit_code,
                st.runtime_s
            );
            if let Some(e) = &st.error {
                eprintln!("error: district {}: {e}", st.district);
            }
        }
        Event::NotWritten {
            district, error, ..
        } => eprintln!("error: district {district}: its folder could not be written: {error}"),
    });
    if !run.not_started.is_empty() {
        println!("stopped    before {}", run.not_started.join(", "));
    }
    println!(
        "done       {} planned, {} skipped, {} not started; exit code {}",
        run.computed.len(),
        run.skipped.len(),
        run.not_started.len(),
        run.exit_code()
    );
    Ok(run.exit_code())
}

fn report(a: ReportArgs) -> Result<i32> {
    let manifest = Manifest::read(&a.manifest)?;
    let (s, json, html) = batch::report::write(&manifest, &a.out)
        .with_context(|| format!("writing the report into {}", a.out.display()))?;
    for r in &s.districts {
        let figures = r.figures.as_ref().map_or(String::new(), |f| {
            format!(
                ", {} vehicles, {:.1} km, cost {:.2}",
                f.vehicles, f.km, f.cost
            )
        });
        let missed = if r.missed_targets.is_empty() {
            String::new()
        } else {
            format!(", misses {}", r.missed_targets.join(", "))
        };
        let stale = r
            .stale
            .as_ref()
            .map_or(String::new(), |w| format!(", stale: {w}"));
        println!("{:<20} {}{figures}{missed}{stale}", r.district, r.status);
    }
    println!(
        "complete   {} of {} districts",
        s.totals.complete, s.totals.districts
    );
    println!("written    {} and {}", json.display(), html.display());
    Ok(0)
}
